/* Pending queues (pendq.h): per-class latches in an open-addressing hash,
 * queued classes in one doubly linked FIFO per priority level with a bitmap
 * of the non-empty levels. Every operation is O(1) apart from hash probes
 * and the bitmap scan (at most IRQ_PQ_MAX_PRIO / 64 words). */
#include <stdlib.h>

#include "sim_internal.h"

#define NIL UINT32_MAX
#define FIRST_SLOTS 16u  /* hash size when the first class arrives */
#define FIRST_ENTRIES 8u /* entries allocated when the first class arrives */

typedef struct irq_pq_entry {
    uint32_t cls;
    uint32_t flags;
    uint32_t prio;
    uint32_t prev, next; /* links in its level's queue; next also chains free entries */
    irq_pend pend;       /* kept when the entry is freed: its buffer is reused */
} irq_pq_entry;

struct irq_pq_level {
    uint32_t head, tail; /* entry indices, NIL when empty */
};

static uint32_t hash32(uint32_t x)
{
    x ^= x >> 16;
    x *= 0x7feb352dU;
    x ^= x >> 15;
    x *= 0x846ca68bU;
    x ^= x >> 16;
    return x;
}

static void fail(const irq_pendq *q, const char *what, uint32_t cls)
{
    irq_sim_fail(q->g->sim, "pending queue of guest %s, class %u: %s", q->g->name, cls, what);
}

bool irq_pendq_init(irq_pendq *q, struct irq_guest *g, const irq_pendq_cfg *cfg)
{
    *q = (irq_pendq){.g = g, .cfg = *cfg, .free_head = NIL};
    q->nlv = cfg->order == IRQ_PQ_PRIO ? cfg->nprio : 1;
    const char *bad = NULL;
    if (cfg->order != IRQ_PQ_FIFO && cfg->order != IRQ_PQ_PRIO)
        bad = "unknown order";
    else if (q->nlv < 1 || q->nlv > IRQ_PQ_MAX_PRIO)
        bad = "priority levels not in 1..256";
    else if (cfg->order == IRQ_PQ_PRIO && cfg->default_prio >= cfg->nprio)
        bad = "default priority not below the number of levels";
    else if (cfg->default_flags & IRQ_PQ_QUEUED)
        bad = "default flags include IRQ_PQ_QUEUED";
    if (bad) {
        irq_sim_fail(g->sim, "pending queue of guest %s: %s", g->name, bad);
        return false;
    }
    return true;
}

void irq_pendq_free(irq_pendq *q)
{
    for (uint32_t i = 0; i < q->nused; i++)
        irq_pend_free(&q->e[i].pend);
    free(q->e);
    free(q->slot);
    free(q->lv);
    *q = (irq_pendq){.g = q->g, .cfg = q->cfg, .nlv = q->nlv, .free_head = NIL};
}

/* ---- the hash: class -> entry index ------------------------------------- */

static uint32_t find(const irq_pendq *q, uint32_t cls)
{
    if (q->smask == 0)
        return NIL;
    for (uint32_t i = hash32(cls) & q->smask;; i = (i + 1) & q->smask) {
        uint32_t s = q->slot[i];
        if (s == 0)
            return NIL;
        if (q->e[s - 1].cls == cls)
            return s - 1;
    }
}

static void slot_put(uint32_t *slot, uint32_t mask, uint32_t cls, uint32_t index)
{
    uint32_t i = hash32(cls) & mask;
    while (slot[i] != 0)
        i = (i + 1) & mask;
    slot[i] = index + 1;
}

/* Doubles the table (FIRST_SLOTS at first) and re-inserts the live classes. */
static bool grow_slots(irq_pendq *q, uint32_t cls)
{
    uint32_t size = q->smask ? q->smask + 1 : FIRST_SLOTS;
    if (q->smask) {
        if (size > UINT32_MAX / 2 || (size_t)size * 2 > SIZE_MAX / sizeof *q->slot) {
            fail(q, "more classes than the hash can index", cls);
            return false;
        }
        size *= 2;
    }
    uint32_t *slot = calloc(size, sizeof *slot);
    if (!slot) {
        fail(q, "out of memory for the class hash", cls);
        return false;
    }
    for (uint32_t i = 0; q->smask && i <= q->smask; i++)
        if (q->slot[i] != 0)
            slot_put(slot, size - 1, q->e[q->slot[i] - 1].cls, q->slot[i] - 1);
    free(q->slot);
    q->slot = slot;
    q->smask = size - 1;
    return true;
}

/* Linear probing with backward-shift deletion: no tombstones, so probes
 * stay short however long the run. */
static void slot_remove(irq_pendq *q, uint32_t index)
{
    uint32_t m = q->smask, hole = hash32(q->e[index].cls) & m;
    while (q->slot[hole] != index + 1)
        hole = (hole + 1) & m;
    for (uint32_t j = (hole + 1) & m; q->slot[j] != 0; j = (j + 1) & m) {
        uint32_t home = hash32(q->e[q->slot[j] - 1].cls) & m;
        if (((j - home) & m) >= ((j - hole) & m)) { /* the hole is on its probe path */
            q->slot[hole] = q->slot[j];
            hole = j;
        }
    }
    q->slot[hole] = 0;
}

/* ---- entries ------------------------------------------------------------ */

static bool grow_entries(irq_pendq *q, uint32_t cls)
{
    uint32_t cap = q->ncap ? q->ncap : FIRST_ENTRIES;
    if (q->ncap) {
        if (cap > (NIL - 1) / 2 || (size_t)cap * 2 > SIZE_MAX / sizeof *q->e) {
            fail(q, "more classes than a queue can index", cls);
            return false;
        }
        cap *= 2;
    }
    irq_pq_entry *e = realloc(q->e, (size_t)cap * sizeof *e);
    if (!e) {
        fail(q, "out of memory for pending classes", cls);
        return false;
    }
    q->e = e;
    q->ncap = cap;
    return true;
}

static bool ensure_levels(irq_pendq *q, uint32_t cls)
{
    if (q->lv)
        return true;
    q->lv = malloc((size_t)q->nlv * sizeof *q->lv);
    if (!q->lv) {
        fail(q, "out of memory for the queue levels", cls);
        return false;
    }
    for (uint32_t l = 0; l < q->nlv; l++)
        q->lv[l] = (struct irq_pq_level){NIL, NIL};
    return true;
}

/* The entry of cls, created with the default flags and priority if it has
 * none. NIL when out of memory (the run has failed). */
static uint32_t find_or_add(irq_pendq *q, uint32_t cls)
{
    uint32_t i = find(q, cls);
    if (i != NIL)
        return i;
    if (cls == IRQ_PQ_NONE) {
        fail(q, "the class value is reserved (IRQ_PQ_NONE)", cls);
        return NIL;
    }
    if (!ensure_levels(q, cls))
        return NIL;
    if ((q->smask == 0 || (size_t)(q->nlive + 1) * 2 > (size_t)q->smask + 1) && !grow_slots(q, cls))
        return NIL;
    if (q->free_head != NIL) {
        i = q->free_head;
        q->free_head = q->e[i].next;
    } else {
        if (q->nused == q->ncap && !grow_entries(q, cls))
            return NIL;
        i = q->nused++;
        q->e[i].pend = (irq_pend){0};
    }
    irq_pq_entry *e = &q->e[i];
    e->cls = cls;
    e->flags = q->cfg.default_flags;
    e->prio = q->cfg.default_prio;
    e->prev = e->next = NIL;
    slot_put(q->slot, q->smask, cls, i);
    q->nlive++;
    return i;
}

/* A class back to its defaults and not pending gives its entry back (its
 * latch buffer stays with the entry for the next class). */
static void reclaim_if_idle(irq_pendq *q, uint32_t i)
{
    irq_pq_entry *e = &q->e[i];
    if (e->pend.n != 0 || e->flags != q->cfg.default_flags || e->prio != q->cfg.default_prio)
        return;
    slot_remove(q, i);
    e->next = q->free_head;
    q->free_head = i;
    q->nlive--;
}

/* ---- the order ---------------------------------------------------------- */

static uint32_t level_of(const irq_pendq *q, const irq_pq_entry *e)
{
    return q->cfg.order == IRQ_PQ_PRIO ? e->prio : 0;
}

static void enqueue(irq_pendq *q, uint32_t i)
{
    irq_pq_entry *e = &q->e[i];
    uint32_t l = level_of(q, e);
    struct irq_pq_level *lv = &q->lv[l];
    e->prev = lv->tail;
    e->next = NIL;
    if (lv->tail != NIL)
        q->e[lv->tail].next = i;
    else {
        lv->head = i;
        q->nonempty[l / 64] |= UINT64_C(1) << (l % 64);
    }
    lv->tail = i;
    e->flags |= IRQ_PQ_QUEUED;
    q->nqueued++;
}

static void unlink_entry(irq_pendq *q, uint32_t i)
{
    irq_pq_entry *e = &q->e[i];
    uint32_t l = level_of(q, e);
    struct irq_pq_level *lv = &q->lv[l];
    if (e->prev != NIL)
        q->e[e->prev].next = e->next;
    else
        lv->head = e->next;
    if (e->next != NIL)
        q->e[e->next].prev = e->prev;
    else
        lv->tail = e->prev;
    if (lv->head == NIL)
        q->nonempty[l / 64] &= ~(UINT64_C(1) << (l % 64));
    e->prev = e->next = NIL;
    e->flags &= ~(uint32_t)IRQ_PQ_QUEUED;
    q->nqueued--;
}

/* The first non-empty level at or after from, or NIL. */
static uint32_t first_level(const irq_pendq *q, uint32_t from)
{
    for (uint32_t w = from / 64; w * 64 < q->nlv; w++) {
        uint64_t bits = q->nonempty[w];
        if (w == from / 64)
            bits &= ~UINT64_C(0) << (from % 64);
        if (bits)
            return w * 64 + (uint32_t)__builtin_ctzll(bits);
    }
    return NIL;
}

static uint32_t head_index(const irq_pendq *q)
{
    uint32_t l = q->nqueued ? first_level(q, 0) : NIL;
    return l == NIL ? NIL : q->lv[l].head;
}

/* ---- operations --------------------------------------------------------- */

irq_pq_pended irq_pendq_pend(irq_pendq *q, uint32_t cls, uint64_t arrival)
{
    uint32_t i = find_or_add(q, cls);
    if (i == NIL) {
        q->g->dropped++;
        return IRQ_PQ_DROPPED;
    }
    irq_pq_entry *e = &q->e[i];
    uint32_t before = e->pend.n;
    bool fresh = irq_pend_add(q->g, &e->pend, arrival);
    if (!fresh && e->pend.n == before) { /* irq_pend_add counted it dropped */
        reclaim_if_idle(q, i);
        return IRQ_PQ_DROPPED;
    }
    if (fresh)
        q->npending++;
    if (!(e->flags & (IRQ_PQ_MASKED | IRQ_PQ_QUEUED)))
        enqueue(q, i);
    return fresh ? IRQ_PQ_NEW : IRQ_PQ_COALESCED;
}

bool irq_pendq_is_pending(const irq_pendq *q, uint32_t cls)
{
    return irq_pendq_held(q, cls) != 0;
}

uint32_t irq_pendq_held(const irq_pendq *q, uint32_t cls)
{
    uint32_t i = find(q, cls);
    return i == NIL ? 0 : q->e[i].pend.n;
}

uint32_t irq_pendq_flags(const irq_pendq *q, uint32_t cls)
{
    uint32_t i = find(q, cls);
    return i == NIL ? q->cfg.default_flags : q->e[i].flags;
}

uint32_t irq_pendq_prio(const irq_pendq *q, uint32_t cls)
{
    uint32_t i = find(q, cls);
    return i == NIL ? q->cfg.default_prio : q->e[i].prio;
}

void irq_pendq_set_flags(irq_pendq *q, uint32_t cls, uint32_t set, uint32_t clear)
{
    if ((set | clear) & IRQ_PQ_QUEUED) {
        fail(q, "IRQ_PQ_QUEUED is the queue's own flag", cls);
        return;
    }
    uint32_t i = find(q, cls);
    if (i == NIL && ((q->cfg.default_flags | set) & ~clear) == q->cfg.default_flags)
        return; /* stays at its defaults: no entry needed */
    if (i == NIL && (i = find_or_add(q, cls)) == NIL)
        return;
    irq_pq_entry *e = &q->e[i];
    bool was_masked = e->flags & IRQ_PQ_MASKED;
    e->flags = (e->flags | set) & ~clear;
    bool masked = e->flags & IRQ_PQ_MASKED;
    if (masked && (e->flags & IRQ_PQ_QUEUED))
        unlink_entry(q, i);
    else if (was_masked && !masked && e->pend.n != 0 && !(e->flags & IRQ_PQ_QUEUED))
        enqueue(q, i);
    reclaim_if_idle(q, i);
}

void irq_pendq_set_prio(irq_pendq *q, uint32_t cls, uint32_t prio)
{
    if (q->cfg.order == IRQ_PQ_PRIO && prio >= q->cfg.nprio) {
        fail(q, "priority not below the number of levels", cls);
        return;
    }
    uint32_t i = find(q, cls);
    if (i == NIL && prio == q->cfg.default_prio)
        return;
    if (i == NIL && (i = find_or_add(q, cls)) == NIL)
        return;
    irq_pq_entry *e = &q->e[i];
    if (e->prio == prio)
        return;
    bool queued = (e->flags & IRQ_PQ_QUEUED) && q->cfg.order == IRQ_PQ_PRIO;
    if (queued)
        unlink_entry(q, i);
    e->prio = prio;
    if (queued)
        enqueue(q, i);
    reclaim_if_idle(q, i);
}

bool irq_pendq_dequeue(irq_pendq *q, uint32_t cls)
{
    uint32_t i = find(q, cls);
    if (i == NIL || !(q->e[i].flags & IRQ_PQ_QUEUED))
        return false;
    unlink_entry(q, i); /* still pending: the entry stays */
    return true;
}

bool irq_pendq_requeue(irq_pendq *q, uint32_t cls)
{
    uint32_t i = find(q, cls);
    if (i == NIL || q->e[i].pend.n == 0 || (q->e[i].flags & IRQ_PQ_MASKED))
        return false;
    if (!(q->e[i].flags & IRQ_PQ_QUEUED))
        enqueue(q, i);
    return true;
}

uint32_t irq_pendq_head(const irq_pendq *q)
{
    uint32_t i = head_index(q);
    return i == NIL ? IRQ_PQ_NONE : q->e[i].cls;
}

uint32_t irq_pendq_next(const irq_pendq *q, uint32_t cls)
{
    uint32_t i = find(q, cls);
    if (i == NIL || !(q->e[i].flags & IRQ_PQ_QUEUED))
        return IRQ_PQ_NONE;
    if (q->e[i].next != NIL)
        return q->e[q->e[i].next].cls;
    uint32_t l = level_of(q, &q->e[i]) + 1;
    l = l < q->nlv ? first_level(q, l) : NIL;
    return l == NIL ? IRQ_PQ_NONE : q->e[q->lv[l].head].cls;
}

bool irq_pendq_deliver(irq_pendq *q, struct irq_vcpu *v, uint32_t cls,
                       const struct irq_handler_plan *plan)
{
    if (v->guest != q->g) {
        fail(q, "delivered to a vCPU of another guest", cls);
        return false;
    }
    uint32_t i = find(q, cls);
    if (i == NIL || q->e[i].pend.n == 0)
        return false;
    if (q->e[i].flags & IRQ_PQ_QUEUED)
        unlink_entry(q, i);
    q->npending--;
    /* Starting the handler may call the model back, which may pend into
     * this queue and move its entries: look the class up again after. */
    irq_pend_deliver_plan(v, &q->e[i].pend, cls, plan);
    i = find(q, cls);
    if (i != NIL)
        reclaim_if_idle(q, i);
    return true;
}

uint32_t irq_pendq_deliver_head(irq_pendq *q, struct irq_vcpu *v,
                                const struct irq_handler_plan *plan)
{
    uint32_t i = head_index(q);
    if (i == NIL)
        return IRQ_PQ_NONE;
    uint32_t cls = q->e[i].cls;
    return irq_pendq_deliver(q, v, cls, plan) ? cls : IRQ_PQ_NONE;
}

static void drop_entry(irq_pendq *q, uint32_t i, int counter)
{
    if (q->e[i].flags & IRQ_PQ_QUEUED)
        unlink_entry(q, i);
    q->npending--;
    irq_pend_drop(q->g, &q->e[i].pend, counter);
    reclaim_if_idle(q, i);
}

bool irq_pendq_drop(irq_pendq *q, uint32_t cls, int counter)
{
    uint32_t i = find(q, cls);
    if (i == NIL || q->e[i].pend.n == 0)
        return false;
    drop_entry(q, i, counter);
    return true;
}

uint32_t irq_pendq_drop_all(irq_pendq *q, int counter)
{
    uint32_t n = 0;
    for (uint32_t i = 0; i < q->nused; i++) /* free entries hold nothing */
        if (q->e[i].pend.n != 0) {
            drop_entry(q, i, counter);
            n++;
        }
    return n;
}

void irq_pendq_walk(const irq_pendq *q,
                    void (*visit)(void *ud, struct irq_guest *g, uint32_t cls, uint64_t arrival),
                    void *ud)
{
    for (uint32_t i = 0; i < q->nused; i++)
        irq_pend_walk(q->g, &q->e[i].pend, q->e[i].cls, visit, ud);
}

size_t irq_pendq_bytes(const irq_pendq *q)
{
    size_t n = (size_t)q->ncap * sizeof *q->e;
    if (q->smask)
        n += ((size_t)q->smask + 1) * sizeof *q->slot;
    if (q->lv)
        n += (size_t)q->nlv * sizeof *q->lv;
    for (uint32_t i = 0; i < q->nused; i++)
        n += (size_t)q->e[i].pend.cap * sizeof *q->e[i].pend.more;
    return n;
}
