/* Tests of the event engine: ordering (same-time FIFO), cancellation and
 * moves, a long random run checked against a simple reference model (also
 * with times 2^32 cycles and more apart, which saturate the keys' relative
 * time), bounded memory, the 32-bit sequence renumbering, run()'s
 * limits, and moves and cancels of a callback's deferred arm. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "engine_internal.h"
#include "rng_internal.h"

#define SEQ_LIMIT ((uint64_t)1 << IRQ_KEY_SEQ_BITS)

/* ---- a log of dispatched events ---- */

typedef struct fired {
    irq_timer_id t;
    irq_time at;
} fired;

typedef struct recorder {
    irq_engine *e;
    fired *log;
    size_t n, cap;
} recorder;

static void record(recorder *r, irq_timer_id t)
{
    assert_true(r->n < r->cap);
    r->log[r->n++] = (fired){t, r->e->now};
}

static void recorder_init(recorder *r, irq_engine *e, size_t cap)
{
    r->e = e;
    r->n = 0;
    r->cap = cap;
    r->log = calloc(cap, sizeof *r->log);
    assert_non_null(r->log);
}

/* Callback whose arg is its own timer id. */
static void on_record(void *ctx, uint64_t arg)
{
    recorder *r = ctx;
    assert_int_equal(r->e->firing, (irq_timer_id)arg);
    assert_false(irq_timer_armed(r->e, (irq_timer_id)arg)); /* disarmed while firing */
    record(r, (irq_timer_id)arg);
}

static void shuffle(irq_timer_id *a, size_t n, irq_rng *rng)
{
    for (size_t i = n; i > 1; i--) {
        size_t j = irq_rng_below(rng, i);
        irq_timer_id x = a[i - 1];
        a[i - 1] = a[j];
        a[j] = x;
    }
}

static irq_timer_id *new_timers(irq_engine *e, size_t n, irq_event_fn fn, void *ctx)
{
    irq_timer_id *ids = calloc(n, sizeof *ids);
    assert_non_null(ids);
    for (size_t i = 0; i < n; i++) {
        size_t next = e->ntimers;
        ids[i] = irq_timer_new(e, fn, ctx, next);
        assert_int_equal(ids[i], next);
    }
    return ids;
}

/* ---- same-time FIFO ---- */

static void test_same_time_fifo(void **state)
{
    (void)state;
    enum { N = 2000 };
    irq_engine e;
    assert_int_equal(irq_engine_init(&e, 4), 0); /* small hint: tables grow */
    recorder r;
    recorder_init(&r, &e, N);
    irq_timer_id *ids = new_timers(&e, N, on_record, &r);
    irq_rng rng;
    irq_rng_seed(&rng, 1, "fifo", 0);
    shuffle(ids, N, &rng);
    for (size_t i = 0; i < N; i++)
        irq_timer_arm(&e, ids[i], 1000);
    assert_int_equal(irq_engine_next(&e), 1000);
    assert_int_equal(irq_engine_run(&e, IRQ_TIME_NEVER, NULL), N);
    assert_int_equal(r.n, N);
    for (size_t i = 0; i < N; i++) {
        assert_int_equal(r.log[i].t, ids[i]);
        assert_int_equal(r.log[i].at, 1000);
    }
    assert_int_equal(e.events, N);
    assert_int_equal(irq_engine_next(&e), IRQ_TIME_NEVER);
    free(ids);
    free(r.log);
    irq_engine_fini(&e);
}

/* The same for times 2^32 cycles and more past the time base, whose keys
 * saturate: same-time entries still run in arming order, earlier times
 * first, once the engine has moved its base. Derivation: timer i is armed
 * (in shuffled order) at FAR + i % 3 for FAR = 2^33 + 7; so all times are
 * past base + 2^32 - 1 (base 0): the keys only differ in their sequences
 * until the run moves base to FAR. Expected: by time, then arming order. */
static void test_far_same_time_fifo(void **state)
{
    (void)state;
    enum { N = 300 };
    const irq_time far = ((irq_time)1 << 33) + 7;
    irq_engine e;
    assert_int_equal(irq_engine_init(&e, N), 0);
    recorder r;
    recorder_init(&r, &e, N);
    irq_timer_id *ids = new_timers(&e, N, on_record, &r);
    irq_rng rng;
    irq_rng_seed(&rng, 7, "fifo", 0);
    shuffle(ids, N, &rng);
    for (size_t i = 0; i < N; i++)
        irq_timer_arm(&e, ids[i], far + i % 3);
    assert_int_equal(irq_engine_next(&e), far);
    assert_int_equal(irq_engine_run(&e, far - 1, NULL), 0); /* nothing due yet */
    assert_int_equal(irq_engine_run(&e, IRQ_TIME_NEVER, NULL), N);
    size_t k = 0;
    for (irq_time at = far; at < far + 3; at++)
        for (size_t i = 0; i < N; i++)
            if (far + i % 3 == at) {
                assert_int_equal(r.log[k].t, ids[i]);
                assert_int_equal(r.log[k].at, at);
                k++;
            }
    assert_int_equal(k, N);
    assert_int_equal(e.base, far);
    free(ids);
    free(r.log);
    irq_engine_fini(&e);
}

/* Timers armed from callbacks, for the current time and for a later time
 * that already has events, run after the ones armed before them. */
typedef struct spawner {
    recorder rec;
    irq_timer_id *order; /* expected dispatch order, filled as timers are armed */
    size_t norder;
    irq_timer_id *pool; /* timers to arm from callbacks */
    size_t npool, used;
    irq_rng rng;
} spawner;

static void spawn_arm(spawner *s, irq_time when)
{
    irq_timer_id t = s->pool[s->used++];
    irq_timer_arm(s->rec.e, t, when);
    s->order[s->norder++] = t;
}

/* Records itself, then arms three pool timers: two now, one at 500. */
static void on_spawn(void *ctx, uint64_t arg)
{
    spawner *s = ctx;
    record(&s->rec, (irq_timer_id)arg);
    if (s->used + 3 > s->npool)
        return;
    spawn_arm(s, s->rec.e->now);
    spawn_arm(s, 500);
    spawn_arm(s, s->rec.e->now);
}

static void test_same_time_fifo_from_callbacks(void **state)
{
    (void)state;
    enum { SPAWNERS = 50, POOL = 3 * SPAWNERS };
    irq_engine e;
    assert_int_equal(irq_engine_init(&e, 0), 0);
    spawner s = {0};
    recorder_init(&s.rec, &e, SPAWNERS + POOL);
    irq_timer_id *sp = new_timers(&e, SPAWNERS, on_spawn, &s);
    s.pool = new_timers(&e, POOL, on_record, &s.rec);
    s.npool = POOL;
    s.order = calloc(POOL, sizeof *s.order);
    assert_non_null(s.order);
    irq_rng_seed(&s.rng, 2, "fifo", 0);
    shuffle(s.pool, POOL, &s.rng);
    /* Spawners at 500 armed before the run: they precede everything their
     * callbacks arm for 500. */
    for (size_t i = 0; i < SPAWNERS; i++)
        irq_timer_arm(&e, sp[i], 500);
    irq_engine_run(&e, IRQ_TIME_NEVER, NULL);
    assert_int_equal(s.rec.n, SPAWNERS + POOL);
    for (size_t i = 0; i < SPAWNERS; i++)
        assert_int_equal(s.rec.log[i].t, sp[i]);
    for (size_t i = 0; i < POOL; i++) {
        assert_int_equal(s.rec.log[SPAWNERS + i].t, s.order[i]);
        assert_int_equal(s.rec.log[SPAWNERS + i].at, 500);
    }
    free(sp);
    free(s.order);
    free(s.pool);
    free(s.rec.log);
    irq_engine_fini(&e);
}

/* ---- cancellation and moves ---- */

static void test_cancel_and_rearm(void **state)
{
    (void)state;
    enum { N = 300 };
    irq_engine e;
    assert_int_equal(irq_engine_init(&e, N), 0);
    recorder r;
    recorder_init(&r, &e, N);
    irq_timer_id *ids = new_timers(&e, N, on_record, &r);
    for (size_t i = 0; i < N; i++)
        irq_timer_arm(&e, ids[i], 100 + i);
    /* i % 3 == 0: cancelled; i % 3 == 1: moved to 10000 - i (twice);
     * i % 3 == 2: untouched. */
    for (size_t i = 0; i < N; i++) {
        if (i % 3 == 0) {
            irq_timer_cancel(&e, ids[i]);
            irq_timer_cancel(&e, ids[i]); /* harmless */
            assert_false(irq_timer_armed(&e, ids[i]));
        } else if (i % 3 == 1) {
            irq_timer_arm(&e, ids[i], 5);
            irq_timer_arm(&e, ids[i], 10000 - i);
            assert_true(irq_timer_armed(&e, ids[i]));
        }
    }
    irq_engine_run(&e, IRQ_TIME_NEVER, NULL);
    assert_int_equal(r.n, N / 3 * 2);
    int seen[N] = {0};
    for (size_t k = 0; k < r.n; k++) {
        irq_timer_id t = r.log[k].t;
        assert_int_not_equal(t % 3, 0);
        assert_int_equal(r.log[k].at, t % 3 == 1 ? 10000 - t : 100 + t);
        assert_int_equal(seen[t]++, 0);
        if (k > 0)
            assert_true(r.log[k - 1].at < r.log[k].at);
    }
    assert_int_equal(e.len, 0);
    assert_int_equal(e.stale, 0);
    free(ids);
    free(r.log);
    irq_engine_fini(&e);
}

/* A timer cancelling or moving others (and itself) from its callback. */
typedef struct canceller {
    recorder rec;
    irq_timer_id victim, moved, self_cancel;
} canceller;

static void on_cancel_others(void *ctx, uint64_t arg)
{
    canceller *c = ctx;
    record(&c->rec, (irq_timer_id)arg);
    irq_timer_cancel(c->rec.e, c->victim);
    irq_timer_arm(c->rec.e, c->moved, 50);
    /* Re-armed and then cancelled in its own callback: must not fire. */
    irq_timer_arm(c->rec.e, (irq_timer_id)arg, 60);
    irq_timer_cancel(c->rec.e, (irq_timer_id)arg);
}

static void test_cancel_from_callback(void **state)
{
    (void)state;
    irq_engine e;
    assert_int_equal(irq_engine_init(&e, 4), 0);
    canceller c;
    recorder_init(&c.rec, &e, 16);
    irq_timer_id killer = irq_timer_new(&e, on_cancel_others, &c, 0);
    c.victim = irq_timer_new(&e, on_record, &c.rec, 1);
    c.moved = irq_timer_new(&e, on_record, &c.rec, 2);
    irq_timer_arm(&e, killer, 10);
    irq_timer_arm(&e, c.victim, 20);
    irq_timer_arm(&e, c.moved, 30);
    assert_int_equal(irq_engine_run(&e, IRQ_TIME_NEVER, NULL), 2);
    assert_int_equal(c.rec.n, 2);
    assert_int_equal(c.rec.log[0].t, killer);
    assert_int_equal(c.rec.log[0].at, 10);
    assert_int_equal(c.rec.log[1].t, c.moved);
    assert_int_equal(c.rec.log[1].at, 50);
    free(c.rec.log);
    irq_engine_fini(&e);
}

/* ---- random operations against a reference model ----
 *
 * The reference keeps, per timer, whether it is armed, its time and the
 * global count of arms when it was last armed; the next event is the armed
 * timer with the least (time, arm count), found by a linear scan. Every
 * dispatch of the engine is checked against it, and random arms, moves
 * (including into the past, which clamps to now) and cancels are made both
 * from callbacks and between runs. */

enum { REF_TIMERS = 257 };

typedef struct ref_timer {
    bool armed;
    irq_time at;
    uint64_t order;
} ref_timer;

typedef struct model {
    irq_engine *e;
    irq_rng rng;
    ref_timer ref[REF_TIMERS];
    uint64_t arms; /* the reference's arm counter */
    uint64_t ops;  /* random operations done */
    uint64_t dispatched;
    irq_time last_now;
    size_t max_len;
    bool draining; /* callbacks only check, so the run ends */
    bool far;      /* some times 2^32 cycles or more ahead: keys saturate */
    bool leap;     /* running to a far time: callbacks arm far only, so the run ends */
} model;

static void model_arm(model *m, irq_timer_id t, irq_time when)
{
    irq_timer_arm(m->e, t, when);
    m->ref[t] = (ref_timer){true, when < m->e->now ? m->e->now : when, ++m->arms};
    assert_true(irq_timer_armed(m->e, t));
}

static void model_cancel(model *m, irq_timer_id t)
{
    irq_timer_cancel(m->e, t);
    m->ref[t].armed = false;
    assert_false(irq_timer_armed(m->e, t));
}

/* A time 2^32 cycles (a key's relative range) or more after now, give or
 * take a few cycles, or up to 2^34 after: a saturated key, which keeps its
 * order only once the engine moves its time base. Few distinct values, so
 * that saturated keys tie too. */
static irq_time far_time(model *m, irq_time now)
{
    irq_rng *r = &m->rng;
    if (irq_rng_below(r, 2) == 0)
        return now + IRQ_KEY_REL_SAT - 3 + irq_rng_below(r, 6);
    return now + (irq_rng_below(r, 5) << 32) + irq_rng_below(r, 3);
}

/* Times cluster near now so that ties are frequent. */
static void random_op(model *m, irq_timer_id self)
{
    irq_rng *r = &m->rng;
    irq_timer_id t = irq_rng_below(r, 8) == 0 ? self : (irq_timer_id)irq_rng_below(r, REF_TIMERS);
    uint64_t kind = irq_rng_below(r, 10);
    irq_time now = m->e->now;
    if (m->far && irq_rng_below(r, 8) == 0)
        model_arm(m, t, far_time(m, now));
    else if (kind < 3)
        model_cancel(m, t);
    else if (kind < 4) /* in the past: clamped to now */
        model_arm(m, t, now > 5 ? now - irq_rng_below(r, 6) : 0);
    else if (kind < 6)
        model_arm(m, t, now + irq_rng_below(r, 3));
    else
        model_arm(m, t, now + irq_rng_below(r, 200));
    m->ops++;
}

static irq_timer_id ref_next(const model *m)
{
    irq_timer_id best = UINT32_MAX;
    for (irq_timer_id t = 0; t < REF_TIMERS; t++) {
        const ref_timer *x = &m->ref[t];
        if (!x->armed)
            continue;
        if (best == UINT32_MAX || x->at < m->ref[best].at ||
            (x->at == m->ref[best].at && x->order < m->ref[best].order))
            best = t;
    }
    return best;
}

static void on_model(void *ctx, uint64_t arg)
{
    model *m = ctx;
    irq_timer_id t = (irq_timer_id)arg;
    irq_timer_id want = ref_next(m);
    assert_int_equal(t, want);
    assert_int_equal(m->e->now, m->ref[t].at);
    assert_true(m->e->now >= m->last_now);
    m->last_now = m->e->now;
    m->ref[t].armed = false;
    m->dispatched++;
    if (m->e->len > m->max_len)
        m->max_len = m->e->len;
    if (m->draining)
        return;
    if (m->leap) {
        if (irq_rng_below(&m->rng, 2) == 0)
            model_arm(m, t, far_time(m, m->e->now));
        return;
    }
    /* Usually re-arm itself (the replace-top path), plus other operations. */
    if (irq_rng_below(&m->rng, 4) != 0)
        model_arm(m, t, m->e->now + irq_rng_below(&m->rng, 300));
    for (uint64_t k = irq_rng_below(&m->rng, 4); k > 0; k--)
        random_op(m, t);
}

/* Outside a run: the heap property holds, e->stale counts exactly the
 * entries whose timer moved on, and every armed timer has its entry. */
static void check_heap(const irq_engine *e)
{
    size_t stale = 0, live = 0;
    for (size_t i = 0; i < e->len; i++) {
        if (i > 0)
            assert_true(e->keys[(i - 1) / 4] < e->keys[i]); /* 4-ary; keys are unique */
        irq_timer_id id = e->ids[i];
        assert_true(id < e->ntimers);
        if (e->timers[id].seq == (uint32_t)e->keys[i])
            live++;
        else
            stale++;
    }
    assert_int_equal(stale, e->stale);
    assert_true(e->base <= e->now);
    size_t armed = 0;
    for (size_t t = 0; t < e->ntimers; t++)
        armed += irq_timer_armed(e, (irq_timer_id)t);
    assert_int_equal(live, armed);
    assert_int_equal(e->root, IRQ_ROOT_LIVE);
    assert_int_equal(e->firing, UINT32_MAX);
}

static void run_model(model *m, uint64_t ops, bool near_seq_limit)
{
    irq_engine *e = m->e;
    for (irq_timer_id t = 0; t < REF_TIMERS; t++)
        assert_int_equal(irq_timer_new(e, on_model, m, t), t);
    while (m->ops < ops) {
        if (near_seq_limit && irq_rng_below(&m->rng, 4) == 0)
            e->next_seq = SEQ_LIMIT - 1 - irq_rng_below(&m->rng, 40); /* jumps forward only */
        for (int k = 0; k < 20; k++)
            random_op(m, 0);
        /* Run a random stretch of time (events keep coming: callbacks arm),
         * now and then a stretch long enough to reach the far times. */
        irq_time until = e->now + irq_rng_below(&m->rng, 400);
        m->leap = m->far && irq_rng_below(&m->rng, 10) == 0;
        if (m->leap)
            until = far_time(m, e->now);
        irq_engine_run(e, until, NULL);
        m->leap = false;
        check_heap(e);
        assert_true(e->now >= m->last_now);
        m->last_now = e->now;
        /* Nothing due by `until` is left. */
        irq_timer_id next = ref_next(m);
        if (next == UINT32_MAX) {
            assert_int_equal(irq_engine_next(e), IRQ_TIME_NEVER);
        } else {
            assert_true(m->ref[next].at > until);
            assert_int_equal(irq_engine_next(e), m->ref[next].at);
        }
        assert_true(e->next_seq < SEQ_LIMIT);
    }
    /* Drain and compare the tail too. */
    m->draining = true;
    while (ref_next(m) != UINT32_MAX) {
        irq_timer_id next = ref_next(m);
        irq_time at = m->ref[next].at;
        uint64_t before = m->dispatched;
        irq_engine_run(e, at, NULL);
        assert_true(m->dispatched > before);
    }
    assert_int_equal(irq_engine_run(e, IRQ_TIME_NEVER, NULL), 0);
    assert_int_equal(e->events, m->dispatched);
    assert_int_equal(e->len, 0); /* only stale entries were left: all popped */
    assert_int_equal(e->stale, 0);
    /* Stale entries never outnumber live ones by much. */
    assert_true(m->max_len <= 2 * REF_TIMERS + 70);
}

/* A fresh engine e and the reference model driving it, seeded. */
static model *model_new(irq_engine *e, uint64_t seed, bool far)
{
    assert_int_equal(irq_engine_init(e, 8), 0);
    model *m = calloc(1, sizeof *m);
    assert_non_null(m);
    m->e = e;
    m->far = far;
    irq_rng_seed(&m->rng, seed, "engine-model", 0);
    return m;
}

static void model_free(model *m)
{
    irq_engine *e = m->e;
    free(m);
    irq_engine_fini(e);
}

static void test_random_against_reference(void **state)
{
    (void)state;
    irq_engine e;
    model *m = model_new(&e, 3, false);
    run_model(m, 200000, false);
    assert_true(m->dispatched > 50000);
    model_free(m);
}

/* The same, with some times 2^32 cycles and more ahead, so that keys
 * saturate and the engine moves its time base, from run() and next(). */
static void test_random_far_times(void **state)
{
    (void)state;
    irq_engine e;
    model *m = model_new(&e, 6, true);
    run_model(m, 200000, false);
    assert_true(m->dispatched > 50000);
    assert_true(e.base > (uint64_t)1 << 36); /* base moved (it only moves forward) */
    model_free(m);
}

/* The same with the lookahead on (engine_internal.h), which takes its own
 * copy of the run loop: it only fetches ahead, so every dispatch must still
 * match the reference, with far times and time-base moves too. */
static void test_random_with_lookahead(void **state)
{
    (void)state;
    irq_engine e;
    model *m = model_new(&e, 7, true);
    e.lookahead = true;
    run_model(m, 200000, false);
    assert_true(m->dispatched > 50000);
    model_free(m);
}

/* The same, with the sequence counter pushed to the edge of its 32 bits
 * over and over, so renumbering happens from callbacks and from outside. */
static void test_random_near_seq_limit(void **state)
{
    (void)state;
    irq_engine e;
    model *m = model_new(&e, 4, false);
    run_model(m, 60000, true);
    assert_true(m->dispatched > 10000);
    model_free(m);
}

/* ---- 32-bit sequence renumbering, directly ---- */

static void test_renumber_keeps_order(void **state)
{
    (void)state;
    enum { N = 100 };
    irq_engine e;
    assert_int_equal(irq_engine_init(&e, N), 0);
    recorder r;
    recorder_init(&r, &e, N);
    irq_timer_id *ids = new_timers(&e, N, on_record, &r);
    /* Half armed with small sequences, then the counter jumps to the limit
     * and the rest (at the same times) must still come after them. */
    for (size_t i = 0; i < N / 2; i++)
        irq_timer_arm(&e, ids[i], 10 + i % 5);
    e.next_seq = SEQ_LIMIT - 3;
    for (size_t i = N / 2; i < N; i++)
        irq_timer_arm(&e, ids[i], 10 + i % 5);
    /* Renumbered once: live entries got 1..live, so the counter is small. */
    assert_true(e.next_seq <= N + 1);
    for (size_t i = 0; i < N; i++)
        assert_true(e.timers[ids[i]].seq > 0 && e.timers[ids[i]].seq <= N);
    irq_engine_run(&e, IRQ_TIME_NEVER, NULL);
    assert_int_equal(r.n, N);
    /* Expected: by time, then by arming order (= index). */
    size_t k = 0;
    for (irq_time at = 10; at < 15; at++)
        for (size_t i = 0; i < N; i++)
            if (10 + i % 5 == at) {
                assert_int_equal(r.log[k].t, ids[i]);
                assert_int_equal(r.log[k].at, at);
                k++;
            }
    assert_int_equal(k, N);
    free(ids);
    free(r.log);
    irq_engine_fini(&e);
}

/* ---- memory ---- */

typedef struct churn {
    irq_engine *e;
    irq_rng rng;
    size_t n;
} churn;

/* Re-arms itself and moves another timer: one stale entry per event. */
static void on_churn(void *ctx, uint64_t arg)
{
    churn *c = ctx;
    irq_time now = c->e->now;
    irq_timer_arm(c->e, (irq_timer_id)arg, now + 1 + irq_rng_below(&c->rng, 1000));
    irq_timer_arm(c->e, (irq_timer_id)irq_rng_below(&c->rng, c->n),
                  now + 1 + irq_rng_below(&c->rng, 1000));
}

static void test_memory_bounded(void **state)
{
    (void)state;
    enum { N = 1000 };
    irq_engine e;
    assert_int_equal(irq_engine_init(&e, 0), 0);
    churn c = {.e = &e, .n = N};
    irq_rng_seed(&c.rng, 5, "churn", 0);
    for (size_t i = 0; i < N; i++)
        irq_timer_arm(&e, irq_timer_new(&e, on_churn, &c, i), i);
    uint64_t *keys = e.keys;
    size_t cap = e.cap;
    assert_true(cap <= 4 * N);
    assert_true(irq_engine_run(&e, 1000000, NULL) > 1000000);
    /* Millions of re-arms and moves later: no growth, no reallocation. */
    assert_int_equal(e.cap, cap);
    assert_ptr_equal(e.keys, keys);
    /* Stale entries stay below a quarter of the live ones (STALE_DIV). */
    assert_true(e.len <= N + N / 4 + 70);
    /* Arm/cancel churn from outside a run: stale entries are compacted. */
    for (int k = 0; k < 1000000; k++) {
        irq_timer_id t = (irq_timer_id)(k % N);
        irq_timer_arm(&e, t, e.now + 5);
        if (k % 2)
            irq_timer_cancel(&e, t);
        assert_true(e.len <= N + N / 4 + 70);
    }
    assert_int_equal(e.cap, cap);
    irq_engine_fini(&e);
}

/* ---- time and limits ---- */

typedef struct past_armer {
    recorder rec;
    irq_timer_id other;
} past_armer;

/* Arms the other timer in the past: it must run now, after this event. */
static void on_arm_past(void *ctx, uint64_t arg)
{
    past_armer *p = ctx;
    record(&p->rec, (irq_timer_id)arg);
    irq_timer_arm(p->rec.e, p->other, 1);
}

static void test_now_never_decreases(void **state)
{
    (void)state;
    irq_engine e;
    assert_int_equal(irq_engine_init(&e, 2), 0);
    past_armer p;
    recorder_init(&p.rec, &e, 8);
    irq_timer_id a = irq_timer_new(&e, on_arm_past, &p, 0);
    p.other = irq_timer_new(&e, on_record, &p.rec, 1);
    irq_timer_id c = irq_timer_new(&e, on_record, &p.rec, 2);
    irq_timer_arm(&e, a, 100);
    irq_timer_arm(&e, c, 100);
    assert_int_equal(irq_engine_run(&e, IRQ_TIME_NEVER, NULL), 3);
    /* a, then c (armed before the past arm), then other, clamped to 100. */
    assert_int_equal(p.rec.log[0].t, a);
    assert_int_equal(p.rec.log[1].t, c);
    assert_int_equal(p.rec.log[2].t, p.other);
    assert_int_equal(p.rec.log[2].at, 100);
    assert_int_equal(e.now, 100);
    /* From outside too. */
    irq_timer_arm(&e, c, 3);
    assert_int_equal(irq_engine_next(&e), 100);
    assert_int_equal(irq_engine_run(&e, IRQ_TIME_NEVER, NULL), 1);
    assert_int_equal(p.rec.log[3].at, 100);
    assert_int_equal(e.now, 100);
    /* Running with until in the past does nothing and keeps now. */
    irq_timer_arm(&e, c, 200);
    assert_int_equal(irq_engine_run(&e, 50, NULL), 0);
    assert_int_equal(e.now, 100);
    free(p.rec.log);
    irq_engine_fini(&e);
}

typedef struct stopper {
    recorder rec;
    volatile int *stop;
    irq_timer_id trigger;
} stopper;

static void on_maybe_stop(void *ctx, uint64_t arg)
{
    stopper *s = ctx;
    record(&s->rec, (irq_timer_id)arg);
    if ((irq_timer_id)arg == s->trigger)
        *s->stop = 1;
}

static void test_run_until_and_stop(void **state)
{
    (void)state;
    enum { N = 10 };
    irq_engine e;
    assert_int_equal(irq_engine_init(&e, N), 0);
    volatile int stop = 0;
    stopper s = {.stop = &stop, .trigger = 6};
    recorder_init(&s.rec, &e, N);
    for (size_t i = 0; i < N; i++) /* timer i at 10 * (i + 1) */
        irq_timer_arm(&e, irq_timer_new(&e, on_maybe_stop, &s, i), 10 * (i + 1));
    assert_int_equal(irq_engine_run(&e, 0, NULL), 0);
    assert_int_equal(irq_engine_run(&e, 29, NULL), 2); /* 10, 20 */
    assert_int_equal(e.now, 20);                       /* the last event, not until */
    assert_int_equal(irq_engine_run(&e, 30, NULL), 1); /* until is inclusive */
    assert_int_equal(e.now, 30);
    /* Timer 6 (at 70) raises stop: nothing after it runs. */
    assert_int_equal(irq_engine_run(&e, IRQ_TIME_NEVER, &stop), 4);
    assert_int_equal(e.now, 70);
    assert_int_equal(s.rec.log[s.rec.n - 1].t, 6);
    /* Still raised: no event at all. */
    assert_int_equal(irq_engine_run(&e, IRQ_TIME_NEVER, &stop), 0);
    stop = 0;
    assert_int_equal(irq_engine_run(&e, IRQ_TIME_NEVER, &stop), 3);
    assert_int_equal(e.now, 100);
    assert_int_equal(s.rec.n, N);
    assert_int_equal(e.events, N);
    free(s.rec.log);
    irq_engine_fini(&e);
}

/* ---- irq_engine_next from a callback ---- */

typedef struct peeker {
    recorder rec;
    irq_time seen_next;
    int rearms;
} peeker;

/* Looks ahead (which pops the fired root), then re-arms itself once. */
static void on_peek(void *ctx, uint64_t arg)
{
    peeker *p = ctx;
    record(&p->rec, (irq_timer_id)arg);
    p->seen_next = irq_engine_next(p->rec.e);
    if (p->rearms-- > 0)
        irq_timer_arm(p->rec.e, (irq_timer_id)arg, 30);
}

static void test_next_from_callback(void **state)
{
    (void)state;
    irq_engine e;
    assert_int_equal(irq_engine_init(&e, 2), 0);
    peeker p = {.rearms = 1};
    recorder_init(&p.rec, &e, 8);
    irq_timer_id a = irq_timer_new(&e, on_peek, &p, 0);
    irq_timer_id b = irq_timer_new(&e, on_record, &p.rec, 1);
    irq_timer_arm(&e, a, 10);
    irq_timer_arm(&e, b, 20);
    irq_timer_cancel(&e, b);
    irq_timer_arm(&e, b, 20); /* a stale entry for b at 20 too */
    assert_int_equal(irq_engine_run(&e, 10, NULL), 1);
    assert_int_equal(p.seen_next, 20);
    assert_int_equal(irq_engine_run(&e, IRQ_TIME_NEVER, NULL), 2);
    assert_int_equal(p.rec.log[1].t, b);
    assert_int_equal(p.rec.log[2].t, a);
    assert_int_equal(p.rec.log[2].at, 30);
    assert_int_equal(p.seen_next, IRQ_TIME_NEVER);
    assert_int_equal(e.len, 0);
    assert_int_equal(e.stale, 0);
    free(p.rec.log);
    irq_engine_fini(&e);
}

/* ---- timers created from callbacks (the table moves) ---- */

typedef struct grower {
    recorder rec;
    int left;
} grower;

static void on_grow(void *ctx, uint64_t arg)
{
    grower *g = ctx;
    record(&g->rec, (irq_timer_id)arg);
    if (g->left-- <= 0)
        return;
    irq_engine *e = g->rec.e;
    for (int k = 0; k < 7; k++) /* several, so the table reallocates */
        irq_timer_new(e, on_record, &g->rec, e->ntimers);
    irq_timer_id t = irq_timer_new(e, on_grow, g, e->ntimers);
    assert_int_not_equal(t, UINT32_MAX);
    irq_timer_arm(e, t, e->now + 1);
}

static void test_timer_new_from_callback(void **state)
{
    (void)state;
    irq_engine e;
    assert_int_equal(irq_engine_init(&e, 1), 0);
    grower g = {.left = 200};
    recorder_init(&g.rec, &e, 256);
    irq_timer_arm(&e, irq_timer_new(&e, on_grow, &g, 0), 1);
    assert_int_equal(irq_engine_run(&e, IRQ_TIME_NEVER, NULL), 201);
    assert_int_equal(e.ntimers, 1 + 200 * 8);
    for (size_t i = 0; i < g.rec.n; i++)
        assert_int_equal(g.rec.log[i].at, i + 1);
    free(g.rec.log);
    irq_engine_fini(&e);
}

/* ---- the deferred arm of a callback: moved, cancelled, second arms ---- */

typedef struct scripted {
    recorder rec;
    irq_timer_id a, b, c, d;
    int runs;
} scripted;

/* Timer a's callback. The first arm a callback makes is deferred (its key
 * replaces the fired root when the callback returns); moving or cancelling
 * that timer drops the deferred arm (no stale entry), and a second, earlier
 * arm takes its place while the later one is pushed. */
static void on_script(void *ctx, uint64_t arg)
{
    scripted *s = ctx;
    irq_engine *e = s->rec.e;
    record(&s->rec, (irq_timer_id)arg);
    if (s->runs++ == 0) {
        irq_timer_arm(e, s->a, 50); /* deferred */
        irq_timer_arm(e, s->a, 30); /* moves the deferred arm */
        irq_timer_arm(e, s->b, 30); /* after a at the same time */
        irq_timer_arm(e, s->c, 20);
        assert_int_equal(e->stale, 0);
        return;
    }
    irq_timer_arm(e, s->c, 80); /* deferred */
    irq_timer_arm(e, s->d, 45); /* earlier: deferred instead, c is pushed */
    irq_timer_cancel(e, s->c);  /* c's entry is in the heap: stale */
    assert_int_equal(e->stale, 1);
    irq_timer_cancel(e, s->d); /* the deferred arm: dropped */
    assert_int_equal(e->stale, 1);
    assert_false(irq_timer_armed(e, s->d));
    irq_timer_arm(e, s->d, 35);
}

static void test_deferred_arm_moves(void **state)
{
    (void)state;
    irq_engine e;
    assert_int_equal(irq_engine_init(&e, 4), 0);
    scripted s = {0};
    recorder_init(&s.rec, &e, 8);
    s.a = irq_timer_new(&e, on_script, &s, 0);
    s.b = irq_timer_new(&e, on_record, &s.rec, 1);
    s.c = irq_timer_new(&e, on_record, &s.rec, 2);
    s.d = irq_timer_new(&e, on_record, &s.rec, 3);
    irq_timer_arm(&e, s.a, 10);
    assert_int_equal(irq_engine_run(&e, IRQ_TIME_NEVER, NULL), 5);
    const fired want[] = {{s.a, 10}, {s.c, 20}, {s.a, 30}, {s.b, 30}, {s.d, 35}};
    assert_int_equal(s.rec.n, 5);
    for (size_t i = 0; i < 5; i++) {
        assert_int_equal(s.rec.log[i].t, want[i].t);
        assert_int_equal(s.rec.log[i].at, want[i].at);
    }
    assert_int_equal(e.len, 0);
    assert_int_equal(e.stale, 0);
    assert_int_equal(e.root, IRQ_ROOT_LIVE);
    assert_int_equal(e.firing, UINT32_MAX);
    free(s.rec.log);
    irq_engine_fini(&e);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_same_time_fifo),
        cmocka_unit_test(test_same_time_fifo_from_callbacks),
        cmocka_unit_test(test_far_same_time_fifo),
        cmocka_unit_test(test_cancel_and_rearm),
        cmocka_unit_test(test_cancel_from_callback),
        cmocka_unit_test(test_random_against_reference),
        cmocka_unit_test(test_random_far_times),
        cmocka_unit_test(test_random_with_lookahead),
        cmocka_unit_test(test_random_near_seq_limit),
        cmocka_unit_test(test_renumber_keeps_order),
        cmocka_unit_test(test_memory_bounded),
        cmocka_unit_test(test_now_never_decreases),
        cmocka_unit_test(test_run_until_and_stop),
        cmocka_unit_test(test_next_from_callback),
        cmocka_unit_test(test_timer_new_from_callback),
        cmocka_unit_test(test_deferred_arm_moves),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
