/* Pending queues (src/core/pendq.h): the FIFO and priority orders against a
 * naive reference on many seeded random operation sequences, the same
 * inside real runs (deliveries, latencies of coalesced arrivals,
 * conservation, the undelivered walk), sparse intids with bounded memory,
 * and small hand-derived cases. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#include <cmocka.h>

#include "test_sim_helpers.h"

#define HEAD                                                                                       \
    "name: t\nseed: 1\nclock_hz: 1e9\nduration: 1ms\n"                                             \
    "host: {cpus: 2, wakeup: 5us, wait_exit: 1us, ctx_switch: 2us}\n"                              \
    "model: {name: direct}\n"

static const char *const one_guest =
    HEAD "guests:\n  - {name: g, vcpus: 1, workload: {start: busy, busy: const(10s)}}\n"
         "sources:\n  - {name: s, target: g, class: 1, arrivals: periodic(100us)}\n";

/* A simulation set up but not run: its guest g gives the queues their
 * counters. */
typedef struct setup {
    irq_scenario *sc;
    irq_sim *sim;
    irq_guest *g;
} setup;

static setup make_setup(const char *yaml)
{
    setup s = {0};
    irq_error err = {0};
    char *path = write_temp_yaml(yaml);
    assert_non_null(path);
    assert_int_equal(irq_scenario_load(&s.sc, path, NULL, 0, &err), IRQ_OK);
    unlink(path);
    free(path);
    assert_int_equal(irq_sim_create(&s.sim, s.sc, &err), IRQ_OK);
    s.g = guest_named(s.sim, "g");
    assert_non_null(s.g);
    return s;
}

static void free_setup(setup *s)
{
    irq_sim_free(s->sim);
    irq_scenario_free(s->sc);
}

/* ---- the reference: per class a list of arrivals, a queued flag and the
 * time it was queued; the order is found by a scan ---------------------- */

#define NU 24 /* classes in a random test's universe */

typedef struct ref_cls {
    uint64_t *arr; /* arrivals held */
    uint32_t n, cap;
    bool masked, queued;
    uint32_t model; /* model flag bits */
    uint32_t prio;
    uint64_t qseq; /* when queued */
} ref_cls;

typedef struct ref_q {
    ref_cls c[NU];
    uint64_t seq;
    bool by_prio;
    uint64_t pending, coalesced, dropped, delivered;
} ref_q;

static void ref_init(ref_q *r, bool by_prio, bool masked, uint32_t prio)
{
    *r = (ref_q){.by_prio = by_prio};
    for (int k = 0; k < NU; k++)
        r->c[k] = (ref_cls){.masked = masked, .prio = prio};
}

static void ref_free(ref_q *r)
{
    for (int k = 0; k < NU; k++)
        free(r->c[k].arr);
}

static void ref_queue(ref_q *r, int k)
{
    r->c[k].queued = true;
    r->c[k].qseq = ++r->seq;
}

static irq_pq_pended ref_pend(ref_q *r, int k, uint64_t t)
{
    ref_cls *c = &r->c[k];
    if (c->n == c->cap) {
        c->cap = c->cap ? c->cap * 2 : 4;
        c->arr = realloc(c->arr, c->cap * sizeof *c->arr);
        assert_non_null(c->arr);
    }
    c->arr[c->n++] = t;
    if (c->n == 1)
        r->pending++;
    else
        r->coalesced++;
    if (!c->masked && !c->queued)
        ref_queue(r, k);
    return c->n == 1 ? IRQ_PQ_NEW : IRQ_PQ_COALESCED;
}

static bool ref_before(const ref_q *r, int a, int b)
{
    uint32_t pa = r->by_prio ? r->c[a].prio : 0, pb = r->by_prio ? r->c[b].prio : 0;
    return pa != pb ? pa < pb : r->c[a].qseq < r->c[b].qseq;
}

/* The queued classes in delivery order (selection sort: NU is small). */
static int ref_order(const ref_q *r, int *out)
{
    bool used[NU] = {0};
    int n = 0;
    for (;;) {
        int best = -1;
        for (int k = 0; k < NU; k++)
            if (r->c[k].queued && !used[k] && (best < 0 || ref_before(r, k, best)))
                best = k;
        if (best < 0)
            return n;
        used[best] = true;
        out[n++] = best;
    }
}

static void ref_take(ref_q *r, int k)
{
    r->c[k].n = 0;
    r->c[k].queued = false;
    r->pending--;
}

static void ref_mask(ref_q *r, int k)
{
    r->c[k].masked = true;
    r->c[k].queued = false;
}

static void ref_unmask(ref_q *r, int k)
{
    ref_cls *c = &r->c[k];
    if (c->masked && c->n && !c->queued) {
        c->masked = false;
        ref_queue(r, k);
    }
    c->masked = false;
}

static void ref_set_prio(ref_q *r, int k, uint32_t p)
{
    if (r->c[k].prio == p)
        return;
    r->c[k].prio = p;
    if (r->c[k].queued && r->by_prio)
        ref_queue(r, k); /* to the tail of its new level (FIFO: the order ignores it) */
}

static bool ref_requeue(ref_q *r, int k)
{
    ref_cls *c = &r->c[k];
    if (!c->n || c->masked)
        return false;
    if (!c->queued)
        ref_queue(r, k);
    return true;
}

/* Everything the queue shows agrees with the reference. */
static void check_same(const irq_pendq *q, const ref_q *r, const uint32_t *vals)
{
    int order[NU];
    int n = ref_order(r, order);
    uint32_t cls = irq_pendq_head(q);
    for (int i = 0; i < n; i++) {
        assert_int_equal(cls, vals[order[i]]);
        cls = irq_pendq_next(q, cls);
    }
    assert_int_equal(cls, IRQ_PQ_NONE);
    assert_int_equal(irq_pendq_nqueued(q), n);
    assert_int_equal(irq_pendq_npending(q), r->pending);
    for (int k = 0; k < NU; k++) {
        const ref_cls *c = &r->c[k];
        uint32_t want =
            (c->masked ? IRQ_PQ_MASKED : 0) | (c->queued ? IRQ_PQ_QUEUED : 0) | c->model;
        assert_int_equal(irq_pendq_held(q, vals[k]), c->n);
        assert_int_equal(irq_pendq_is_pending(q, vals[k]), c->n != 0);
        assert_int_equal(irq_pendq_flags(q, vals[k]), want);
        assert_int_equal(irq_pendq_prio(q, vals[k]), c->prio);
    }
}

static void check_counts(const irq_guest *g, const ref_q *r)
{
    assert_int_equal(g->pending, r->pending);
    assert_int_equal(g->coalesced, r->coalesced);
    assert_int_equal(g->dropped, r->dropped);
    assert_int_equal(g->delivered, r->delivered);
}

/* Distinct class values: small ones and sparse ones up to 2^20 (hash
 * collisions and growth both happen). */
static void pick_classes(irq_rng *rng, uint32_t *vals)
{
    for (int k = 0; k < NU; k++) {
        bool dup;
        do {
            vals[k] = k < NU / 2 ? (uint32_t)irq_rng_below(rng, 64)
                                 : (uint32_t)irq_rng_below(rng, UINT32_C(1) << 20);
            dup = false;
            for (int j = 0; j < k; j++)
                dup |= vals[j] == vals[k];
        } while (dup);
    }
}

static void count_visit(void *ud, irq_guest *g, uint32_t cls, uint64_t arrival)
{
    (void)g, (void)cls, (void)arrival;
    ++*(uint64_t *)ud;
}

/* ---- random sequences without a run ----------------------------------- */

/* One random operation on queue and reference alike (no delivery: a run
 * is needed to start handlers; drops take classes out instead). t NULL:
 * no pend (inside a run, arrivals pend at their own time). */
static void random_op(irq_pendq *q, ref_q *r, const uint32_t *vals, irq_rng *rng, uint32_t nprio,
                      uint64_t *t)
{
    int k = (int)irq_rng_below(rng, NU);
    uint32_t cls = vals[k];
    switch (t ? irq_rng_below(rng, 16) : 5 + irq_rng_below(rng, 11)) {
    case 0:
    case 1:
    case 2:
    case 3:
    case 4: { /* pend */
        uint64_t at = ++*t;
        assert_int_equal(irq_pendq_pend(q, cls, at), ref_pend(r, k, at));
        break;
    }
    case 5:
    case 6:
        irq_pendq_mask(q, cls);
        ref_mask(r, k);
        break;
    case 7:
    case 8:
        irq_pendq_unmask(q, cls);
        ref_unmask(r, k);
        break;
    case 9: {
        uint32_t p = (uint32_t)irq_rng_below(rng, nprio);
        irq_pendq_set_prio(q, cls, p);
        ref_set_prio(r, k, p);
        break;
    }
    case 10:
        assert_int_equal(irq_pendq_dequeue(q, cls), r->c[k].queued);
        r->c[k].queued = false;
        break;
    case 11:
        assert_int_equal(irq_pendq_requeue(q, cls), ref_requeue(r, k));
        break;
    case 12: { /* a model bit on or off: the order must not move */
        uint32_t bit = IRQ_PQ_MODEL << irq_rng_below(rng, 3);
        bool on = irq_rng_below(rng, 2);
        irq_pendq_set_flags(q, cls, on ? bit : 0, on ? 0 : bit);
        r->c[k].model = on ? r->c[k].model | bit : r->c[k].model & ~bit;
        break;
    }
    case 13: {
        bool was = r->c[k].n != 0;
        assert_int_equal(irq_pendq_drop(q, cls, -1), was);
        if (was) {
            r->dropped++;
            ref_take(r, k);
        }
        break;
    }
    case 14: { /* the head leaves, as a delivery would take it */
        int order[NU];
        int n = ref_order(r, order);
        uint32_t head = irq_pendq_head(q);
        assert_int_equal(head, n ? vals[order[0]] : IRQ_PQ_NONE);
        if (n) {
            assert_true(irq_pendq_drop(q, head, -1));
            r->dropped++;
            ref_take(r, order[0]);
        }
        break;
    }
    default:
        if (irq_rng_below(rng, 32) == 0) {
            uint32_t n = 0;
            for (int j = 0; j < NU; j++)
                if (r->c[j].n) {
                    ref_take(r, j);
                    r->dropped++;
                    n++;
                }
            assert_int_equal(irq_pendq_drop_all(q, -1), n);
        }
        break;
    }
}

static void random_sequences(irq_pq_order order)
{
    setup s = make_setup(one_guest);
    irq_guest *g = s.g;
    for (uint64_t seed = 0; seed < 150; seed++) {
        irq_rng rng;
        irq_rng_seed(&rng, seed, "pendq", order);
        uint32_t vals[NU];
        pick_classes(&rng, vals);
        uint32_t nprio = order == IRQ_PQ_FIFO ? 8 : seed % 3 == 0 ? 256 : 1 + seed % 5;
        irq_pendq_cfg cfg = {.order = order,
                             .nprio = nprio,
                             .default_prio = (uint32_t)irq_rng_below(&rng, nprio),
                             .default_flags = seed % 2 ? IRQ_PQ_MASKED : 0};
        irq_pendq q;
        assert_true(irq_pendq_init(&q, g, &cfg));
        ref_q r;
        ref_init(&r, order == IRQ_PQ_PRIO, seed % 2, cfg.default_prio);
        g->pending = g->coalesced = g->dropped = g->delivered = 0;
        uint64_t t = 0;
        for (int op = 0; op < 2000; op++) {
            random_op(&q, &r, vals, &rng, nprio, &t);
            check_same(&q, &r, vals);
            check_counts(g, &r);
        }
        /* every arrival held is walked; injected = the pends */
        uint64_t held = 0, walked = 0;
        for (int k = 0; k < NU; k++)
            held += r.c[k].n;
        irq_pendq_walk(&q, count_visit, &walked);
        assert_int_equal(walked, held);
        assert_int_equal(g->pending + g->coalesced + g->dropped, t);
        /* back to the defaults, nothing pending: no class keeps an entry */
        irq_pendq_drop_all(&q, -1);
        for (int k = 0; k < NU; k++) {
            irq_pendq_set_flags(&q, vals[k], cfg.default_flags,
                                ~cfg.default_flags & ~(uint32_t)IRQ_PQ_QUEUED);
            irq_pendq_set_prio(&q, vals[k], cfg.default_prio);
        }
        assert_int_equal(q.nlive, 0);
        assert_null(irq_sim_failure(s.sim));
        irq_pendq_free(&q);
        ref_free(&r);
    }
    g->pending = g->coalesced = g->dropped = g->delivered = 0;
    free_setup(&s);
}

static void test_fifo_random(void **state)
{
    (void)state;
    random_sequences(IRQ_PQ_FIFO);
}

static void test_prio_random(void **state)
{
    (void)state;
    random_sequences(IRQ_PQ_PRIO);
}

/* ---- hand-derived ------------------------------------------------------- */

/* rVIC's delivery list (FIFO, every intid masked at reset):
 *   unmask 5, 7, 9          nothing pending: nothing queued
 *   pend 5@10, 7@20         queue 5 7; pending 2
 *   pend 5@30               coalesced (5 stays where it is): 5 7; coalesced 1
 *   mask 5                  dequeued, still pending: 7
 *   pend 9@40               7 9; pending 3
 *   pend 5@50               masked: coalesced, not queued: 7 9; coalesced 2
 *   unmask 5                re-appended at the tail: 7 9 5
 *   drop 7 (CLEAR_PENDING)  9 5; pending 2, dropped 1
 *   walk                    9@40, 5@10, 5@30, 5@50: 4 arrivals
 * Five pends (5@10 7@20 5@30 9@40 5@50): three latches set (5, 7, 9), two
 * merges into 5; 7 dropped: pending 2 + coalesced 2 + dropped 1 = 5. */
static void test_fifo_hand(void **state)
{
    (void)state;
    setup s = make_setup(one_guest);
    irq_guest *g = s.g;
    irq_pendq q;
    irq_pendq_cfg cfg = {.order = IRQ_PQ_FIFO, .default_flags = IRQ_PQ_MASKED};
    assert_true(irq_pendq_init(&q, g, &cfg));
    irq_pendq_unmask(&q, 5);
    irq_pendq_unmask(&q, 7);
    irq_pendq_unmask(&q, 9);
    assert_int_equal(irq_pendq_head(&q), IRQ_PQ_NONE);
    assert_int_equal(irq_pendq_pend(&q, 5, 10), IRQ_PQ_NEW);
    assert_int_equal(irq_pendq_pend(&q, 7, 20), IRQ_PQ_NEW);
    assert_int_equal(irq_pendq_pend(&q, 5, 30), IRQ_PQ_COALESCED);
    assert_int_equal(irq_pendq_head(&q), 5);
    assert_int_equal(irq_pendq_next(&q, 5), 7);
    irq_pendq_mask(&q, 5);
    assert_int_equal(irq_pendq_head(&q), 7);
    assert_true(irq_pendq_is_pending(&q, 5));
    assert_int_equal(irq_pendq_pend(&q, 9, 40), IRQ_PQ_NEW);
    assert_int_equal(irq_pendq_pend(&q, 5, 50), IRQ_PQ_COALESCED);
    assert_int_equal(irq_pendq_next(&q, 7), 9);
    assert_int_equal(irq_pendq_next(&q, 9), IRQ_PQ_NONE);
    irq_pendq_unmask(&q, 5);
    assert_true(irq_pendq_drop(&q, 7, -1));
    assert_int_equal(irq_pendq_head(&q), 9);
    assert_int_equal(irq_pendq_next(&q, 9), 5);
    assert_int_equal(irq_pendq_held(&q, 5), 3);
    assert_int_equal(g->pending, 2);
    assert_int_equal(g->coalesced, 2);
    assert_int_equal(g->dropped, 1);
    uint64_t walked = 0;
    irq_pendq_walk(&q, count_visit, &walked);
    assert_int_equal(walked, 4);
    /* 5 pends = pending 2 + coalesced 2 + dropped 1 */
    assert_int_equal(g->pending + g->coalesced + g->dropped, 5);
    irq_pendq_free(&q);
    assert_null(irq_sim_failure(s.sim));
    free_setup(&s);
}

/* GIC-like (priority, 4 levels, all at 2 until set):
 *   prio 100 := 1, 200 := 3
 *   pend 200@1, 300@2, 100@3, 400@4   by level: 1:[100] 2:[300 400] 3:[200]
 *   order: 100 300 400 200
 *   prio 300 := 3                     moves to the tail of level 3: 100 400 200 300
 *   prio 100 := 3, then back to 1     tail of 3, then tail of 1: 100 400 200 300
 *   drop head (100)                   400 200 300 */
static void test_prio_hand(void **state)
{
    (void)state;
    setup s = make_setup(one_guest);
    irq_pendq q;
    irq_pendq_cfg cfg = {.order = IRQ_PQ_PRIO, .nprio = 4, .default_prio = 2};
    assert_true(irq_pendq_init(&q, s.g, &cfg));
    irq_pendq_set_prio(&q, 100, 1);
    irq_pendq_set_prio(&q, 200, 3);
    irq_pendq_pend(&q, 200, 1);
    irq_pendq_pend(&q, 300, 2);
    irq_pendq_pend(&q, 100, 3);
    irq_pendq_pend(&q, 400, 4);
    static const uint32_t want1[] = {100, 300, 400, 200}, want2[] = {100, 400, 200, 300},
                          want3[] = {400, 200, 300};
    uint32_t c = irq_pendq_head(&q);
    for (int i = 0; i < 4; i++, c = irq_pendq_next(&q, c))
        assert_int_equal(c, want1[i]);
    irq_pendq_set_prio(&q, 300, 3);
    irq_pendq_set_prio(&q, 100, 3);
    irq_pendq_set_prio(&q, 100, 1);
    c = irq_pendq_head(&q);
    for (int i = 0; i < 4; i++, c = irq_pendq_next(&q, c))
        assert_int_equal(c, want2[i]);
    assert_true(irq_pendq_drop(&q, irq_pendq_head(&q), -1));
    c = irq_pendq_head(&q);
    for (int i = 0; i < 3; i++, c = irq_pendq_next(&q, c))
        assert_int_equal(c, want3[i]);
    assert_int_equal(c, IRQ_PQ_NONE);
    irq_pendq_free(&q);
    assert_null(irq_sim_failure(s.sim));
    free_setup(&s);
}

/* Misuse fails the run with a message instead of corrupting the queue. */
static void test_misuse_fails(void **state)
{
    (void)state;
    setup s = make_setup(one_guest);
    irq_pendq q;
    irq_pendq_cfg bad = {.order = IRQ_PQ_PRIO, .nprio = 257};
    assert_false(irq_pendq_init(&q, s.g, &bad));
    assert_non_null(strstr(irq_sim_failure(s.sim), "priority levels"));
    free_setup(&s);

    s = make_setup(one_guest);
    irq_pendq_cfg cfg = {.order = IRQ_PQ_PRIO, .nprio = 4};
    assert_true(irq_pendq_init(&q, s.g, &cfg));
    irq_pendq_set_prio(&q, 3, 4);
    assert_non_null(strstr(irq_sim_failure(s.sim), "priority not below"));
    irq_pendq_free(&q);
    free_setup(&s);

    s = make_setup(one_guest);
    assert_true(irq_pendq_init(&q, s.g, &cfg));
    irq_pendq_set_flags(&q, 3, IRQ_PQ_QUEUED, 0);
    assert_non_null(strstr(irq_sim_failure(s.sim), "IRQ_PQ_QUEUED"));
    irq_pendq_free(&q);
    free_setup(&s);

    s = make_setup(one_guest);
    assert_true(irq_pendq_init(&q, s.g, &cfg));
    assert_int_equal(irq_pendq_pend(&q, IRQ_PQ_NONE, 1), IRQ_PQ_DROPPED);
    assert_int_equal(s.g->dropped, 1); /* still conserved */
    assert_non_null(strstr(irq_sim_failure(s.sim), "reserved"));
    irq_pendq_free(&q);
    free_setup(&s);
}

/* ---- inside runs: a test model on per-vCPU queues ----------------------- */

/* Each arrival goes to a random vCPU's queue after 0-2 random changes to it
 * (mask, unmask, priority, dequeue, requeue, model bits, drops), all
 * mirrored in that vCPU's reference. A vCPU in the guest and not in a
 * handler takes its head at once; others at guest entry or handler end; a
 * halted one with something queued is kicked. Every delivery must be the
 * reference's head, and the latency sink must see exactly the reference's
 * arrivals for it, coalesced ones flagged, in order. */
typedef struct lat_rec {
    uint32_t cls;
    uint64_t arrival;
    int coalesced;
} lat_rec;

typedef struct lat_log {
    lat_rec *r;
    size_t n, cap;
} lat_log;

static void log_add(lat_log *l, uint32_t cls, uint64_t arrival, int coalesced)
{
    if (l->n == l->cap) {
        l->cap = l->cap ? l->cap * 2 : 256;
        l->r = realloc(l->r, l->cap * sizeof *l->r);
        assert_non_null(l->r);
    }
    l->r[l->n++] = (lat_rec){cls, arrival, coalesced};
}

typedef struct ptm {
    irq_guest *g;
    irq_pendq *q;
    ref_q *r;
    uint32_t nv, nprio;
    uint32_t vals[NU];
    irq_rng rng;
    lat_log want, got;
    uint64_t wrong_head, deliveries;
} ptm;

static int ptm_create(struct irq_sim *sim, void **model, irq_pq_order order)
{
    ptm *m = calloc(1, sizeof *m);
    assert_non_null(m);
    m->g = irq_sim_guest(sim, 0);
    m->nv = m->g->nvcpus;
    m->nprio = order == IRQ_PQ_PRIO ? 4 : 1;
    m->q = calloc(m->nv, sizeof *m->q);
    m->r = calloc(m->nv, sizeof *m->r);
    assert_non_null(m->q);
    assert_non_null(m->r);
    irq_sim_rng(sim, &m->rng, "pendq-test", 0);
    pick_classes(&m->rng, m->vals);
    irq_pendq_cfg cfg = {.order = order, .nprio = m->nprio};
    for (uint32_t i = 0; i < m->nv; i++) {
        assert_true(irq_pendq_init(&m->q[i], m->g, &cfg));
        ref_init(&m->r[i], order == IRQ_PQ_PRIO, false, 0);
    }
    *model = m;
    return IRQ_OK;
}
static int ptm_create_fifo(struct irq_sim *sim, void **model, irq_error *err)
{
    (void)err;
    return ptm_create(sim, model, IRQ_PQ_FIFO);
}
static int ptm_create_prio(struct irq_sim *sim, void **model, irq_error *err)
{
    (void)err;
    return ptm_create(sim, model, IRQ_PQ_PRIO);
}

static void ptm_destroy(void *model)
{
    ptm *m = model;
    for (uint32_t i = 0; i < m->nv; i++) {
        irq_pendq_free(&m->q[i]);
        ref_free(&m->r[i]);
    }
    free(m->q);
    free(m->r);
    free(m->want.r);
    free(m->got.r);
    free(m);
}

static void try_deliver(ptm *m, irq_vcpu *v)
{
    irq_pendq *q = &m->q[v->index];
    ref_q *r = &m->r[v->index];
    if (irq_vcpu_in_handler(v) || irq_pendq_nqueued(q) == 0)
        return;
    int order[NU];
    int n = ref_order(r, order);
    uint32_t want = n ? m->vals[order[0]] : IRQ_PQ_NONE;
    if (n) {
        const ref_cls *c = &r->c[order[0]];
        for (uint32_t i = 0; i < c->n; i++)
            log_add(&m->want, want, c->arr[i], i > 0);
        r->delivered++;
        ref_take(r, order[0]);
    }
    uint32_t got = irq_pendq_deliver_head(q, v, NULL);
    m->wrong_head += got != want;
    m->deliveries++;
}

static void ptm_inject(void *model, const irq_intr *in)
{
    ptm *m = model;
    irq_vcpu *v = &m->g->vcpus[irq_rng_below(&m->rng, m->nv)];
    irq_pendq *q = &m->q[v->index];
    ref_q *r = &m->r[v->index];
    for (uint64_t n = irq_rng_below(&m->rng, 3); n > 0; n--)
        random_op(q, r, m->vals, &m->rng, m->nprio, NULL);
    int k = (int)irq_rng_below(&m->rng, NU);
    assert_int_equal(irq_pendq_pend(q, m->vals[k], in->arrival), ref_pend(r, k, in->arrival));
    if (irq_vcpu_in_guest(v))
        try_deliver(m, v);
    else if (irq_vcpu_halted(v) && irq_pendq_nqueued(q) > 0)
        irq_vcpu_kick(v);
}

static irq_wait_decision ptm_wait_entry(void *model, irq_vcpu *v, uint64_t *poll)
{
    (void)poll;
    ptm *m = model;
    return irq_pendq_nqueued(&m->q[v->index]) ? IRQ_WAIT_REFUSE : IRQ_WAIT_HALT;
}
static bool ptm_runnable(void *model, irq_vcpu *v)
{
    ptm *m = model;
    return irq_pendq_nqueued(&m->q[v->index]) > 0;
}
static void ptm_entry(void *model, irq_vcpu *v)
{
    try_deliver(model, v);
}
static void ptm_walk(void *model, void (*visit)(void *ud, irq_guest *g, uint32_t cls, uint64_t t),
                     void *ud)
{
    ptm *m = model;
    for (uint32_t i = 0; i < m->nv; i++)
        irq_pendq_walk(&m->q[i], visit, ud);
}

static void ptm_sink(void *ud, const char *guest, uint32_t cls, uint64_t arrival, uint64_t lat,
                     int coalesced)
{
    (void)guest, (void)lat;
    log_add(&((ptm *)ud)->got, cls, arrival, coalesced);
}

static const irq_model_ops ptm_fifo_ops = {.name = "pendq-fifo",
                                           .create = ptm_create_fifo,
                                           .destroy = ptm_destroy,
                                           .inject = ptm_inject,
                                           .wait_entry = ptm_wait_entry,
                                           .vcpu_runnable = ptm_runnable,
                                           .guest_entry = ptm_entry,
                                           .irq_enabled = ptm_entry,
                                           .pending_walk = ptm_walk};
static const irq_model_ops ptm_prio_ops = {.name = "pendq-prio",
                                           .create = ptm_create_prio,
                                           .destroy = ptm_destroy,
                                           .inject = ptm_inject,
                                           .wait_entry = ptm_wait_entry,
                                           .vcpu_runnable = ptm_runnable,
                                           .guest_entry = ptm_entry,
                                           .irq_enabled = ptm_entry,
                                           .pending_walk = ptm_walk};

static void run_model(const irq_model_ops *ops, uint64_t seed)
{
    char yaml[1024];
    snprintf(yaml, sizeof yaml,
             "name: t\nseed: %llu\nclock_hz: 1e9\nduration: 2ms\n"
             "host: {cpus: 2, wakeup: 5us, wait_exit: 1us, ctx_switch: 2us}\n"
             "model: {name: direct}\n"
             "guests:\n  - {name: g, vcpus: 3, workload: {start: busy, busy: exp(20us),"
             " idle: exp(20us), handler: const(1us)}}\n"
             "sources:\n  - {name: s, target: g, class: 1, arrivals: poisson(2M/s)}\n",
             (unsigned long long)seed);
    setup s = {0};
    irq_error err = {0};
    char *path = write_temp_yaml(yaml);
    assert_int_equal(irq_scenario_load(&s.sc, path, NULL, 0, &err), IRQ_OK);
    unlink(path);
    free(path);
    const irq_model_ops *orig = s.sc->model;
    s.sc->model = ops;
    assert_int_equal(irq_sim_create(&s.sim, s.sc, &err), IRQ_OK);
    ptm *m = s.sim->model;
    irq_sim_set_latency_sink(s.sim, ptm_sink, m);
    int rc = irq_sim_run(s.sim, NULL, NULL, &err);
    if (rc != IRQ_OK)
        fail_msg("run failed: %s", err.message);
    irq_guest *g = irq_sim_guest(s.sim, 0);
    assert_int_equal(m->wrong_head, 0);
    assert_true(m->deliveries > 1000); /* the run did exercise the queues */
    assert_int_equal(m->got.n, m->want.n);
    for (size_t i = 0; i < m->got.n; i++) {
        assert_int_equal(m->got.r[i].cls, m->want.r[i].cls);
        assert_int_equal(m->got.r[i].arrival, m->want.r[i].arrival);
        assert_int_equal(m->got.r[i].coalesced, m->want.r[i].coalesced);
    }
    ref_q sum = {0};
    uint64_t held = 0;
    for (uint32_t i = 0; i < m->nv; i++) {
        sum.pending += m->r[i].pending;
        sum.coalesced += m->r[i].coalesced;
        sum.dropped += m->r[i].dropped;
        sum.delivered += m->r[i].delivered;
        for (int k = 0; k < NU; k++)
            held += m->r[i].c[k].n;
    }
    check_counts(g, &sum);
    assert_true(g->coalesced > 0 && g->dropped > 0 && g->pending > 0);
    assert_int_equal(g->injected, g->delivered + g->coalesced + g->pending + g->dropped);
    assert_int_equal(g->undelivered, held); /* the end-of-run walk saw every held arrival */
    irq_sim_free(s.sim);
    s.sc->model = orig;
    irq_scenario_free(s.sc);
}

static void test_runs_fifo(void **state)
{
    (void)state;
    for (uint64_t seed = 1; seed <= 4; seed++)
        run_model(&ptm_fifo_ops, seed);
}

static void test_runs_prio(void **state)
{
    (void)state;
    for (uint64_t seed = 1; seed <= 4; seed++)
        run_model(&ptm_prio_ops, seed);
}

/* ---- a hand-derived run ------------------------------------------------- */

/* One vCPU always busy in the guest, handler const(2.5us), clock 1 GHz;
 * arrivals at 10, 11, 12, 13us get the classes cls[0..3] and go to the
 * vCPU's queue; it takes the head when it is in the guest outside a
 * handler, and at each handler end. */
typedef struct hand_model {
    irq_pendq q;
    uint32_t cls[4];
    uint32_t n;
    lat_log got;
} hand_model;

static int hand_create(struct irq_sim *sim, void **model, irq_pq_order order, const uint32_t *cls)
{
    hand_model *m = calloc(1, sizeof *m);
    assert_non_null(m);
    irq_pendq_cfg cfg = {.order = order, .nprio = 16};
    assert_true(irq_pendq_init(&m->q, irq_sim_guest(sim, 0), &cfg));
    memcpy(m->cls, cls, sizeof m->cls);
    for (int i = 0; i < 4; i++)
        irq_pendq_set_prio(&m->q, cls[i], cls[i]);
    *model = m;
    return IRQ_OK;
}
static int hand_create_fifo(struct irq_sim *sim, void **model, irq_error *err)
{
    (void)err;
    static const uint32_t cls[4] = {5, 7, 7, 9};
    return hand_create(sim, model, IRQ_PQ_FIFO, cls);
}
static int hand_create_prio(struct irq_sim *sim, void **model, irq_error *err)
{
    (void)err;
    static const uint32_t cls[4] = {5, 9, 7, 3};
    return hand_create(sim, model, IRQ_PQ_PRIO, cls);
}
static void hand_destroy(void *model)
{
    hand_model *m = model;
    irq_pendq_free(&m->q);
    free(m->got.r);
    free(m);
}
static void hand_take(void *model, irq_vcpu *v)
{
    hand_model *m = model;
    if (!irq_vcpu_in_handler(v))
        irq_pendq_deliver_head(&m->q, v, NULL);
}
static void hand_inject(void *model, const irq_intr *in)
{
    hand_model *m = model;
    irq_pendq_pend(&m->q, m->cls[m->n++ % 4], in->arrival);
    if (irq_vcpu_in_guest(&in->guest->vcpus[0]))
        hand_take(m, &in->guest->vcpus[0]);
}
static void hand_walk(void *model, void (*visit)(void *ud, irq_guest *g, uint32_t cls, uint64_t t),
                      void *ud)
{
    irq_pendq_walk(&((hand_model *)model)->q, visit, ud);
}
static void hand_sink(void *ud, const char *guest, uint32_t cls, uint64_t arrival, uint64_t lat,
                      int coalesced)
{
    (void)guest;
    lat_log *l = ud; /* l[0]: (class, arrival); l[1]: (class, latency in .arrival) */
    log_add(l, cls, arrival, coalesced);
    log_add(l + 1, cls, lat, coalesced);
}
static const irq_model_ops hand_fifo_ops = {.name = "hand-fifo",
                                            .create = hand_create_fifo,
                                            .destroy = hand_destroy,
                                            .inject = hand_inject,
                                            .guest_entry = hand_take,
                                            .irq_enabled = hand_take,
                                            .pending_walk = hand_walk};
static const irq_model_ops hand_prio_ops = {.name = "hand-prio",
                                            .create = hand_create_prio,
                                            .destroy = hand_destroy,
                                            .inject = hand_inject,
                                            .guest_entry = hand_take,
                                            .irq_enabled = hand_take,
                                            .pending_walk = hand_walk};

/* Runs the hand scenario under ops, logging every recorded latency as
 * (class, arrival, coalesced) in logs[0] and (class, latency, coalesced) in
 * logs[1]; returns the guest's final counters. */
static irq_guest hand_run(const irq_model_ops *ops, lat_log logs[2])
{
    const char *yaml =
        "name: t\nseed: 1\nclock_hz: 1e9\nduration: 1ms\n"
        "host: {cpus: 1, sched: fifo, affinity: pinned, wakeup: 5us, wait_exit: 1us}\n"
        "model: {name: direct}\n"
        "guests:\n  - {name: g, vcpus: 1, workload: {start: busy, busy: const(10s),"
        " handler: const(2500ns)}}\n"
        "sources:\n  - {name: s, target: g, class: 1, arrivals: periodic(1us), start: 10us,"
        " stop: 13500ns}\n";
    setup s = {0};
    irq_error err = {0};
    char *path = write_temp_yaml(yaml);
    assert_int_equal(irq_scenario_load(&s.sc, path, NULL, 0, &err), IRQ_OK);
    unlink(path);
    free(path);
    const irq_model_ops *orig = s.sc->model;
    s.sc->model = ops;
    assert_int_equal(irq_sim_create(&s.sim, s.sc, &err), IRQ_OK);
    irq_sim_set_latency_sink(s.sim, hand_sink, logs);
    assert_int_equal(irq_sim_run(s.sim, NULL, NULL, &err), IRQ_OK);
    irq_guest g = *irq_sim_guest(s.sim, 0);
    irq_sim_free(s.sim);
    s.sc->model = orig;
    irq_scenario_free(s.sc);
    return g;
}

static void expect_log(const lat_log *l, const lat_rec *want, size_t n)
{
    assert_int_equal(l->n, n);
    for (size_t i = 0; i < n; i++) {
        assert_int_equal(l->r[i].cls, want[i].cls);
        assert_int_equal(l->r[i].arrival, want[i].arrival);
        assert_int_equal(l->r[i].coalesced, want[i].coalesced);
    }
}

/* FIFO, classes 5, 7, 7, 9:
 *   10us  5: the vCPU is in the guest: delivered at once (latency 0),
 *         handler 10..12.5us
 *   11us  7: queued [7]            12us  7: coalesced into it [7]
 *   12.5  handler ends: 7 delivered with both arrivals (1.5us, 0.5us),
 *         handler 12.5..15us
 *   13us  9: queued [9]            15us  9 delivered (2us)
 * injected 4 = delivered 3 + coalesced 1. */
static void test_run_fifo_hand(void **state)
{
    (void)state;
    lat_log logs[2] = {{0}};
    irq_guest g = hand_run(&hand_fifo_ops, logs);
    assert_int_equal(g.injected, 4);
    assert_int_equal(g.delivered, 3);
    assert_int_equal(g.coalesced, 1);
    assert_int_equal(g.pending + g.dropped, 0);
    static const lat_rec arr[] = {{5, 10000, 0}, {7, 11000, 0}, {7, 12000, 1}, {9, 13000, 0}};
    static const lat_rec lat[] = {{5, 0, 0}, {7, 1500, 0}, {7, 500, 1}, {9, 2000, 0}};
    expect_log(&logs[0], arr, 4);
    expect_log(&logs[1], lat, 4);
    free(logs[0].r);
    free(logs[1].r);
}

/* Priority = class, classes 5, 9, 7, 3:
 *   10us  5 delivered at once (0), handler 10..12.5us
 *   11us  9: [9]        12us  7: [7 9]
 *   12.5  7 delivered (0.5us), handler 12.5..15us
 *   13us  3: [3 9]      15us  3 delivered (2us)    17.5us  9 delivered (6.5us)
 * (FIFO would have taken 9 at 12.5us.) */
static void test_run_prio_hand(void **state)
{
    (void)state;
    lat_log logs[2] = {{0}};
    irq_guest g = hand_run(&hand_prio_ops, logs);
    assert_int_equal(g.injected, 4);
    assert_int_equal(g.delivered, 4);
    assert_int_equal(g.coalesced + g.pending + g.dropped, 0);
    static const lat_rec arr[] = {{5, 10000, 0}, {7, 12000, 0}, {3, 13000, 0}, {9, 11000, 0}};
    static const lat_rec lat[] = {{5, 0, 0}, {7, 500, 0}, {3, 2000, 0}, {9, 6500, 0}};
    expect_log(&logs[0], arr, 4);
    expect_log(&logs[1], lat, 4);
    free(logs[0].r);
    free(logs[1].r);
}

/* ---- sparse intids ------------------------------------------------------ */

/* 100 vCPU queues, each with 5000 distinct random intids of 2^20 pending.
 * Bound per queue, from the layout: entries double (at most 2n of them, 48
 * bytes each with the latch on 64-bit), the hash keeps its load in
 * (1/4, 1/2] (at most 4n slots of 4 bytes), 1 level of 8 bytes: at most
 * 112n + 8 bytes, so 128 bytes per intid is a safe ceiling. A dense array
 * of 2^20 latches (24 bytes each) would be 24 MiB per vCPU. Then every
 * intid is dropped and 5000 others pended: nothing grows (reuse). */
static void test_sparse_memory(void **state)
{
    (void)state;
    enum { NV = 100, NI = 5000 };
    setup s = make_setup(one_guest);
    irq_pendq *qs = calloc(NV, sizeof *qs);
    assert_non_null(qs);
    irq_rng rng;
    irq_rng_seed(&rng, 7, "sparse", 0);
    uint32_t *seen = calloc((UINT32_C(1) << 20) / 32, sizeof *seen);
    uint32_t *ids = malloc(NI * sizeof *ids);
    assert_non_null(seen);
    assert_non_null(ids);
    size_t total = 0, total_after = 0;
    for (int v = 0; v < NV; v++) {
        irq_pendq_cfg cfg = {.order = v % 2 ? IRQ_PQ_PRIO : IRQ_PQ_FIFO, .nprio = 32};
        irq_pendq *q = &qs[v];
        assert_true(irq_pendq_init(q, s.g, &cfg));
        for (int round = 0; round < 2; round++) {
            memset(seen, 0, (UINT32_C(1) << 20) / 8);
            for (int i = 0; i < NI; i++) {
                uint32_t id;
                do
                    id = (uint32_t)irq_rng_below(&rng, UINT32_C(1) << 20);
                while (seen[id / 32] & (UINT32_C(1) << (id % 32)));
                seen[id / 32] |= UINT32_C(1) << (id % 32);
                ids[i] = id;
                assert_int_equal(irq_pendq_pend(q, id, (uint64_t)i), IRQ_PQ_NEW);
            }
            assert_int_equal(irq_pendq_npending(q), NI);
            /* FIFO (and PRIO, all at level 0): arrival order */
            uint32_t c = irq_pendq_head(q);
            for (int i = 0; i < NI; i++, c = irq_pendq_next(q, c))
                assert_int_equal(c, ids[i]);
            size_t bytes = irq_pendq_bytes(q);
            assert_true(bytes <= (size_t)128 * NI);
            if (round == 0)
                total += bytes;
            else
                total_after += bytes;
            for (int i = 0; i < NI; i++) {
                assert_int_equal(irq_pendq_head(q), ids[i]);
                assert_true(irq_pendq_drop(q, ids[i], -1));
            }
            assert_int_equal(q->nlive, 0);
        }
    }
    assert_int_equal(total_after, total); /* the second round reused the first's memory */
    print_message("sparse: %d vCPUs x %d intids of 2^20 pending: %zu bytes in all (%.1f per "
                  "intid)\n",
                  NV, NI, total, (double)total / (NV * NI));
    assert_int_equal(s.g->pending, 0);
    assert_int_equal(s.g->dropped, (uint64_t)2 * NV * NI);
    for (int v = 0; v < NV; v++)
        irq_pendq_free(&qs[v]);
    free(qs);
    free(seen);
    free(ids);
    assert_null(irq_sim_failure(s.sim));
    free_setup(&s);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_fifo_hand),     cmocka_unit_test(test_prio_hand),
        cmocka_unit_test(test_misuse_fails),  cmocka_unit_test(test_fifo_random),
        cmocka_unit_test(test_prio_random),   cmocka_unit_test(test_runs_fifo),
        cmocka_unit_test(test_runs_prio),     cmocka_unit_test(test_run_fifo_hand),
        cmocka_unit_test(test_run_prio_hand), cmocka_unit_test(test_sparse_memory),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
