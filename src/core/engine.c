/* The discrete-event engine: a timer table and a d-ary min-heap of
 * (time, sequence) entries with lazy deletion. See engine_internal.h for the
 * contract and docs/engine.md for the design and the measurements behind it. */
#include "engine_internal.h"

#include <assert.h>
#include <stdlib.h>
#include <string.h>

/* Children per heap node. 4 won the hold-model measurements (docs/engine.md);
 * it is a macro only so the benchmark can be rebuilt with 2 or 8. */
#ifndef IRQ_HEAP_ARITY
#define IRQ_HEAP_ARITY 4
#endif
#if IRQ_HEAP_ARITY != 2 && IRQ_HEAP_ARITY != 4 && IRQ_HEAP_ARITY != 8
#error "IRQ_HEAP_ARITY must be 2, 4 or 8"
#endif
#define ARITY ((size_t)IRQ_HEAP_ARITY)

#define ID_MASK ((uint64_t)IRQ_MAX_TIMERS - 1)
#define SEQ_BITS (64 - IRQ_TIMER_ID_BITS)
#define SEQ_LIMIT ((uint64_t)1 << SEQ_BITS)
#define NO_TIMER UINT32_MAX
/* The heap is compacted once stale entries exceed 1/STALE_DIV of the live
 * ones. 4 (rather than 1, "stale outnumber live") cut many-guests' stale
 * share from 35 % to 13 % on average and its whole-run instruction count by
 * 1.4 % (docs/engine.md). */
#define STALE_DIV 4
/* Below this many entries compaction is not worth its O(n) pass. */
#define COMPACT_MIN 64

#define CACHE_LINE 64
/* The heap array starts this many entries past a cache-line boundary so
 * that every node's children (ARITY * i + 1 ...) start on a line: with 4
 * children of 16 bytes, one line holds exactly one node's children. */
#define HEAP_PAD (IRQ_HEAP_ARITY == 2 ? 1 : 3)

#ifdef __SIZEOF_INT128__
/* One 128-bit comparison compiles to cmp + sbb, with no branch to mispredict
 * on ties; measured ~20% faster than comparing time then seq_id. */
__extension__ typedef unsigned __int128 key128;
static inline bool entry_less(irq_heap_entry a, irq_heap_entry b)
{
    return ((key128)a.time << 64 | a.seq_id) < ((key128)b.time << 64 | b.seq_id);
}
#else
static inline bool entry_less(irq_heap_entry a, irq_heap_entry b)
{
    return a.time < b.time || (a.time == b.time && a.seq_id < b.seq_id);
}
#endif

static inline bool entry_live(const irq_engine *e, irq_heap_entry x)
{
    return e->timers[x.seq_id & ID_MASK].seq == x.seq_id >> IRQ_TIMER_ID_BITS;
}

/* ---- heap primitives: x goes into the hole at i, moving the hole up or
 * down instead of swapping, which halves the stores. ---- */

static inline void sift_up(irq_heap_entry *h, size_t i, irq_heap_entry x)
{
    while (i > 0) {
        size_t p = (i - 1) / ARITY;
        if (!entry_less(x, h[p]))
            break;
        h[i] = h[p];
        i = p;
    }
    h[i] = x;
}

/* The index of the smaller of h[x] and h[y], as arithmetic rather than ?:
 * so that GCC cannot turn it back into a branch. */
#define PICK(x, y) ((x) ^ (((x) ^ (y)) & -(size_t)entry_less(h[y], h[x])))
/* The same for the adjacent h[x] and h[x + 1]: x plus the comparison. */
#define PAIR(x) ((x) + entry_less(h[(x) + 1], h[x]))

/* Index of the smallest of the children c..min(c+ARITY, len)-1, c < len.
 * Full nodes use a tournament of independent, branch-free comparisons:
 * which child is smallest is a coin toss, so a branch on it mispredicts
 * half the time (measured: 4-ary at 1e4 timers went from 11 to 16 million
 * events/s). */
static inline size_t min_child(const irq_heap_entry *h, size_t len, size_t c)
{
    if (c + ARITY <= len) {
#if IRQ_HEAP_ARITY == 2
        return PAIR(c);
#elif IRQ_HEAP_ARITY == 4
        size_t a = PAIR(c), b = PAIR(c + 2);
        return PICK(a, b);
#else
        size_t a = PAIR(c), b = PAIR(c + 2), a2 = PAIR(c + 4), b2 = PAIR(c + 6);
        size_t p = PICK(a, b), q = PICK(a2, b2);
        return PICK(p, q);
#endif
    }
    size_t m = c;
    for (size_t k = c + 1; k < len; k++)
        m = PICK(m, k);
    return m;
}

/* Branch-free child selection stops the CPU from running ahead down a
 * guessed path, which used to hide the cache misses of big heaps; so
 * sift_down fetches all the grandchildren while a level is compared. This
 * pays even when the heap fits in L2 (it hides L2's latency): skipping it
 * below 32,768 entries saved 15 % of the instructions at 10^4 timers but cost
 * wall time, in the hold model and in many-guests (docs/engine.md). (This is
 * written inline in the loop on purpose: GCC deems a helper made only of
 * __builtin_prefetch "const" and deletes the call.) */
static inline __attribute__((always_inline)) void sift_down(irq_heap_entry *h, size_t len, size_t i,
                                                            irq_heap_entry x)
{
    for (;;) {
        size_t c = ARITY * i + 1;
        if (c >= len)
            break;
        if (ARITY * c + 1 < len) {
            const char *g = (const char *)&h[ARITY * c + 1];
#pragma GCC unroll 8
            for (size_t k = 0; k < ARITY * ARITY * sizeof *h; k += CACHE_LINE)
                __builtin_prefetch(g + k);
        }
        size_t m = min_child(h, len, c);
        if (!entry_less(h[m], x))
            break;
        h[i] = h[m];
        i = m;
    }
    h[i] = x;
}

/* Replaces the root with x. Once the first level is decided the next root
 * is known, so its timer slot (a likely cache miss, read by the run loop
 * next) is fetched while the rest of the sift runs. */
static inline void replace_root(irq_engine *e, irq_heap_entry x)
{
    irq_heap_entry *h = e->heap;
    size_t len = e->len;
    if (len > 1) {
        size_t m = min_child(h, len, 1);
        if (entry_less(h[m], x)) {
            __builtin_prefetch(&e->timers[h[m].seq_id & ID_MASK]);
            h[0] = h[m];
            sift_down(h, len, m, x);
            return;
        }
    }
    h[0] = x;
}

static void heapify(irq_heap_entry *h, size_t len)
{
    if (len < 2)
        return;
    for (size_t i = (len - 2) / ARITY + 1; i-- > 0;)
        sift_down(h, len, i, h[i]);
}

/* Removes the root. The entry that fills its place is the last leaf, which
 * nearly always belongs near the bottom again, so instead of comparing it at
 * every level on the way down, the hole left by the root goes down along the
 * smaller children to a leaf, and the entry is sifted up from there (Floyd's
 * "bottom-up" deletion; usually no step up). One comparison fewer per level;
 * the resulting heap may differ from a top-down sift's, the order of
 * dispatch does not (it depends on the keys only). */
static inline void pop_root(irq_engine *e)
{
    size_t len = --e->len;
    if (len == 0)
        return;
    irq_heap_entry *h = e->heap, x = h[len];
    size_t i = 0;
    if (len > 1) { /* the next root is known: the run loop reads its timer slot next */
        size_t m = min_child(h, len, 1);
        __builtin_prefetch(&e->timers[h[m].seq_id & ID_MASK]);
        h[0] = h[m];
        i = m;
    }
    for (;;) {
        size_t c = ARITY * i + 1;
        if (c >= len)
            break;
        if (ARITY * c + 1 < len) {
            const char *g = (const char *)&h[ARITY * c + 1];
#pragma GCC unroll 8
            for (size_t k = 0; k < ARITY * ARITY * sizeof *h; k += CACHE_LINE)
                __builtin_prefetch(g + k);
        }
        size_t m = min_child(h, len, c);
        h[i] = h[m];
        i = m;
    }
    sift_up(h, i, x);
}

/* ---- memory ---- */

/* e->heap points HEAP_PAD entries into a cache-aligned block. Growth copies
 * (there is no aligned realloc); it happens only when timers are created. */
static int heap_reserve(irq_engine *e, size_t want)
{
    if (want <= e->cap)
        return 0;
    size_t cap = e->cap ? e->cap : 16;
    while (cap < want)
        cap *= 2;
    size_t bytes = (cap + HEAP_PAD) * sizeof(irq_heap_entry);
    bytes = (bytes + CACHE_LINE - 1) / CACHE_LINE * CACHE_LINE; /* aligned_alloc wants it */
    irq_heap_entry *base = aligned_alloc(CACHE_LINE, bytes);
    if (!base)
        return -1;
    if (e->heap) {
        memcpy(base + HEAP_PAD, e->heap, e->len * sizeof *base);
        free(e->heap - HEAP_PAD);
    }
    e->heap = base + HEAP_PAD;
    e->cap = cap;
    return 0;
}

static void heap_free(irq_engine *e)
{
    if (e->heap)
        free(e->heap - HEAP_PAD);
}

/* Live entries never exceed the timers, and compaction keeps stale entries
 * at most a quarter as many once the heap holds more than COMPACT_MIN (see
 * note_stale), so this many slots mean irq_timer_arm never has to allocate.
 * Reserved when a timer is created, which is the only call that can report
 * failure. */
static size_t heap_bound(size_t ntimers)
{
    return ntimers + ntimers / STALE_DIV + COMPACT_MIN + 4;
}

static int timers_reserve(irq_engine *e, size_t want)
{
    if (want <= e->timers_cap)
        return 0;
    size_t cap = e->timers_cap ? e->timers_cap : 16;
    while (cap < want)
        cap *= 2;
    /* Cache-aligned so that no 32-byte slot straddles two lines: the run
     * loop reads one slot per event, usually a cache miss in big models. */
    irq_timer_slot *t = aligned_alloc(CACHE_LINE, cap * sizeof *t);
    if (!t)
        return -1;
    if (e->timers) {
        memcpy(t, e->timers, e->ntimers * sizeof *t);
        free(e->timers);
    }
    e->timers = t;
    e->timers_cap = cap;
    return 0;
}

int irq_engine_init(irq_engine *e, size_t timers_hint)
{
    memset(e, 0, sizeof *e);
    e->next_seq = 1; /* 0 means "not armed" */
    e->event_limit = UINT64_MAX;
    e->firing = NO_TIMER;
    if (timers_hint > IRQ_MAX_TIMERS)
        timers_hint = IRQ_MAX_TIMERS;
    if (timers_reserve(e, timers_hint) != 0 || heap_reserve(e, heap_bound(timers_hint)) != 0) {
        irq_engine_fini(e);
        return -1;
    }
    return 0;
}

void irq_engine_fini(irq_engine *e)
{
    heap_free(e);
    free(e->timers);
    memset(e, 0, sizeof *e);
    e->firing = NO_TIMER;
}

irq_timer_id irq_timer_new(irq_engine *e, irq_event_fn fn, void *ctx, uint64_t arg)
{
    size_t n = e->ntimers;
    if (n >= IRQ_MAX_TIMERS)
        return NO_TIMER;
    if (timers_reserve(e, n + 1) != 0 || heap_reserve(e, heap_bound(n + 1)) != 0)
        return NO_TIMER;
    e->timers[n] = (irq_timer_slot){.fn = fn, .ctx = ctx, .arg = arg, .seq = 0};
    e->ntimers = n + 1;
    return (irq_timer_id)n;
}

/* ---- stale entries and sequence numbers ---- */

/* Keeps the live entries only, in their current order. The entry being
 * dispatched is stale (its timer is disarmed while it fires), so it goes
 * too. */
static void drop_stale(irq_engine *e)
{
    size_t n = 0;
    for (size_t i = 0; i < e->len; i++)
        if (entry_live(e, e->heap[i]))
            e->heap[n++] = e->heap[i];
    e->len = n;
    e->stale = 0;
    e->top_fired = false;
}

static void compact(irq_engine *e)
{
    drop_stale(e);
    heapify(e->heap, e->len);
}

/* Called after an entry became stale. Compacting only once stale entries
 * exceed a quarter of the live ones costs O(1) amortised per stale entry (a
 * compaction of n entries needs n/5 new stale ones) and bounds the heap at
 * about 1.25 times the armed timers. */
static void note_stale(irq_engine *e)
{
    e->stale++;
    if (e->stale * STALE_DIV > e->len - e->stale && e->len > COMPACT_MIN)
        compact(e);
}

static int cmp_entry(const void *pa, const void *pb)
{
    const irq_heap_entry *a = pa, *b = pb;
    if (entry_less(*a, *b))
        return -1;
    return entry_less(*b, *a);
}

/* The 40-bit sequence ran out: number the live entries again from 1 in
 * their dispatch order, which keeps that order (and so same-time FIFO).
 * A sorted array is a valid heap. Runs once per 2^40 arms. */
static void renumber(irq_engine *e)
{
    drop_stale(e);
    qsort(e->heap, e->len, sizeof *e->heap, cmp_entry);
    for (size_t i = 0; i < e->len; i++) {
        uint64_t id = e->heap[i].seq_id & ID_MASK;
        uint64_t seq = i + 1;
        e->heap[i].seq_id = seq << IRQ_TIMER_ID_BITS | id;
        e->timers[id].seq = seq;
    }
    e->next_seq = e->len + 1;
}

/* ---- public operations ---- */

/* Arming in the past is a caller bug; the event is clamped to now rather
 * than crashing, so it runs after the events already due now. */
void irq_timer_arm(irq_engine *e, irq_timer_id t, irq_time when)
{
    assert(t < e->ntimers);
    irq_timer_slot *slot = &e->timers[t];
    if (when < e->now)
        when = e->now;
    if (slot->seq != 0) { /* moving: the old entry becomes stale */
        slot->seq = 0;
        note_stale(e);
    }
    if (e->next_seq >= SEQ_LIMIT)
        renumber(e);
    uint64_t seq = e->next_seq++;
    slot->seq = seq;
    irq_heap_entry x = {.time = when, .seq_id = seq << IRQ_TIMER_ID_BITS | t};
    if (e->top_fired) {
        /* The root is the (stale) entry being dispatched: overwrite it and
         * sift down, one pass instead of a push now and a pop later. This
         * is the common case: a timer re-arming itself from its callback. */
        e->top_fired = false;
        e->stale--;
        replace_root(e, x);
        return;
    }
    if (e->len == e->cap && heap_reserve(e, e->len + 1) != 0)
        abort(); /* unreachable: irq_timer_new reserved heap_bound() */
    sift_up(e->heap, e->len++, x);
}

void irq_timer_cancel(irq_engine *e, irq_timer_id t)
{
    assert(t < e->ntimers);
    if (e->timers[t].seq == 0)
        return;
    e->timers[t].seq = 0;
    note_stale(e);
}

/* The hot path. The root entry stays in the heap while its callback runs
 * (marked by top_fired), so that a re-arm can replace it in place. */
uint64_t irq_engine_run(irq_engine *e, irq_time until, const volatile int *stop)
{
    uint64_t n = 0;
    while (e->len > 0) {
        irq_heap_entry top = e->heap[0];
        irq_timer_id id = (irq_timer_id)(top.seq_id & ID_MASK);
        irq_timer_slot *slot = &e->timers[id];
        if (slot->seq != top.seq_id >> IRQ_TIMER_ID_BITS) {
            pop_root(e);
            e->stale--;
            continue;
        }
        if (top.time > until || (stop && *stop) || e->events == e->event_limit)
            break;
        e->now = top.time;
        slot->seq = 0; /* disarmed while firing: its entry is now stale */
        e->stale++;
        e->top_fired = true;
        e->firing = id;
        e->events++;
        n++;
        /* slot is not used after the call: the callback may create timers
         * and so move the table. */
        slot->fn(slot->ctx, slot->arg);
        e->firing = NO_TIMER;
        if (e->top_fired) {
            e->top_fired = false;
            pop_root(e);
            e->stale--;
        }
    }
    return n;
}

irq_time irq_engine_next(irq_engine *e)
{
    while (e->len > 0) {
        if (entry_live(e, e->heap[0]))
            return e->heap[0].time;
        e->top_fired = false;
        pop_root(e);
        e->stale--;
    }
    return IRQ_TIME_NEVER;
}
