/* The hold model: N pending events; repeatedly take the earliest and put it
 * back at now + an exponential increment (mean 1000 cycles). It measures the
 * event queue alone, so the increments are drawn once (with irq_rng) into a
 * table that both contenders read in the same order:
 *  - engine: N timers whose callbacks re-arm themselves through
 *    irq_timer_arm, driven by irq_engine_run (the real API, the real path);
 *  - baseline: a minimal inline 4-ary min-heap of packed 64-bit keys
 *    (time << 20 | index) doing replace-top, with no timers, no callbacks,
 *    no stale entries and no FIFO guarantee: a floor for what a queue costs.
 *
 * usage: bench-hold [--quick] [--json] [--cpu] [--baseline=plain|tuned] [--n N]...
 *        bench-hold --count=engine|plain|tuned --events E --n N
 * --cpu times rounds with the process's CPU clock instead of the monotonic
 * one, so that time the process spends descheduled on a busy machine is
 * not counted (caches shared with other processes still are).
 * --count runs one contender for E events after the warm-up, untimed, for
 * instruction counts: `valgrind --tool=callgrind` at two values of E, and the
 * difference of the totals over the difference of E is the cost per event.
 */
#define _DEFAULT_SOURCE /* clock_gettime, madvise */

#include <inttypes.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <time.h>

#include "engine_internal.h"
#include "rng_internal.h"

#define MEAN_INC 1000.0
#define INC_BITS 16 /* 64k increments: 512 KiB, read sequentially */
#define INC_MASK ((1u << INC_BITS) - 1)
#define IDX_BITS 20 /* baseline keys: up to 2^20 pending events */
#define IDX_MASK ((UINT64_C(1) << IDX_BITS) - 1)
#define MAX_N 20

typedef enum count_mode { COUNT_NONE, COUNT_ENGINE, COUNT_PLAIN, COUNT_TUNED } count_mode;

typedef struct options {
    int quick, json, plain, cpu;
    count_mode count;
    uint64_t events; /* --events, for --count */
    size_t ns[MAX_N];
    size_t nn;
} options;

typedef struct result {
    size_t n;
    double engine, baseline; /* events per second, best round */
    uint64_t engine_events, baseline_events;
} result;

static double now_s(clockid_t clock)
{
    struct timespec ts;
    clock_gettime(clock, &ts);
    return (double)ts.tv_sec + 1e-9 * (double)ts.tv_nsec;
}

static uint64_t *make_increments(void)
{
    uint64_t *inc = malloc(sizeof *inc << INC_BITS);
    if (!inc)
        return NULL;
    irq_rng r;
    irq_rng_seed(&r, 1, "bench-hold", 0);
    for (size_t i = 0; i <= INC_MASK; i++)
        inc[i] = (uint64_t)(-MEAN_INC * log(irq_rng_uniform_pos(&r)) + 0.5);
    return inc;
}

/* ---- engine ---- */

typedef struct hold_ctx {
    irq_engine *e;
    const uint64_t *inc;
    uint64_t k; /* next increment */
} hold_ctx;

static void hold_fire(void *ctx, uint64_t arg)
{
    hold_ctx *h = ctx;
    irq_timer_arm(h->e, (irq_timer_id)arg, h->e->now + h->inc[h->k++ & INC_MASK]);
}

static int engine_setup(irq_engine *e, hold_ctx *h, size_t n)
{
    if (irq_engine_init(e, n) != 0)
        return -1;
    h->e = e;
    h->k = 0;
    for (size_t i = 0; i < n; i++) {
        irq_timer_id t = irq_timer_new(e, hold_fire, h, i);
        if (t == UINT32_MAX)
            return -1;
        irq_timer_arm(e, t, h->inc[h->k++ & INC_MASK]);
    }
    return 0;
}

/* Runs about `events` events (whole time slices of the engine clock) and
 * returns how many ran. */
static uint64_t engine_run(irq_engine *e, size_t n, uint64_t events)
{
    /* n pending events of mean delay MEAN_INC: the clock advances about
     * MEAN_INC / n per event. */
    irq_time span = (irq_time)((double)events * MEAN_INC / (double)n) + 1;
    return irq_engine_run(e, e->now + span, NULL);
}

/* ---- baseline ----
 *
 * Two versions of the same minimal heap. "plain" (the default, the
 * baseline the project's target is defined against) is the textbook loop.
 * "tuned" (--baseline=tuned) uses the
 * engine's own techniques, so that the ratio measures what the engine adds
 * (timer ids beside the keys, timer slots, callbacks, stale entries) and not
 * a difference in heap code: children picked without branches, grandchildren
 * prefetched, children groups cache-aligned, arrays of 2 MiB or more on huge
 * pages: the stricter comparison. */

#define BASE_PAD 3 /* with 8-byte keys: grandchildren blocks on 64-byte lines */

typedef struct base_heap {
    uint64_t *mem, *h;
    size_t n;
    uint64_t k;
    uint64_t sink; /* consumes every popped key */
} base_heap;

static inline void base_sift_plain(uint64_t *h, size_t n, uint64_t x)
{
    size_t i = 0;
    for (;;) {
        size_t c = 4 * i + 1;
        if (c >= n)
            break;
        size_t m = c;
        size_t end = c + 4 < n ? c + 4 : n;
        for (size_t j = c + 1; j < end; j++)
            if (h[j] < h[m])
                m = j;
        if (h[m] >= x)
            break;
        h[i] = h[m];
        i = m;
    }
    h[i] = x;
}

#define BASE_PICK(x, y) ((x) ^ (((x) ^ (y)) & -(size_t)(h[y] < h[x])))

static inline void base_sift_tuned(uint64_t *h, size_t n, uint64_t x)
{
    size_t i = 0;
    for (;;) {
        size_t c = 4 * i + 1;
        if (c >= n)
            break;
        if (4 * c + 1 < n) {
            __builtin_prefetch(&h[4 * c + 1]);
            __builtin_prefetch(&h[4 * c + 9]);
        }
        size_t m = c;
        if (c + 4 <= n) {
            m = BASE_PICK(c + (h[c + 1] < h[c]), c + 2 + (h[c + 3] < h[c + 2]));
        } else {
            for (size_t j = c + 1; j < n; j++)
                m = BASE_PICK(m, j);
        }
        if (h[m] >= x)
            break;
        h[i] = h[m];
        i = m;
    }
    h[i] = x;
}

static int cmp_u64(const void *a, const void *b)
{
    uint64_t x = *(const uint64_t *)a, y = *(const uint64_t *)b;
    return (x > y) - (x < y);
}

static int base_setup(base_heap *b, const uint64_t *inc, size_t n)
{
    /* Aligned and marked for huge pages as the engine's blocks are (from
     * 2 MiB on), so that neither side gains on TLB misses. */
    size_t align = (n + BASE_PAD) * sizeof *b->h >= ((size_t)2 << 20) ? (size_t)2 << 20 : 64;
    size_t bytes = ((n + BASE_PAD) * sizeof *b->h + align - 1) / align * align;
    b->mem = aligned_alloc(align, bytes);
    if (!b->mem)
        return -1;
#ifdef MADV_HUGEPAGE
    if (align > 64)
        (void)madvise(b->mem, bytes, MADV_HUGEPAGE);
#endif
    b->h = b->mem + BASE_PAD;
    b->n = n;
    b->k = 0;
    b->sink = 0;
    for (size_t i = 0; i < n; i++)
        b->h[i] = inc[b->k++ & INC_MASK] << IDX_BITS | i;
    qsort(b->h, n, sizeof *b->h, cmp_u64); /* sorted = a valid heap */
    return 0;
}

/* Pops the earliest key and pushes it back later, in one replace-top. */
#define BASE_LOOP(sift)                                                                            \
    for (uint64_t i = 0; i < events; i++) {                                                        \
        uint64_t top = h[0];                                                                       \
        sink += top;                                                                               \
        sift(h, n, ((top >> IDX_BITS) + inc[k++ & INC_MASK]) << IDX_BITS | (top & IDX_MASK));      \
    }

static uint64_t base_run(base_heap *b, const uint64_t *inc, uint64_t events, int plain)
{
    uint64_t *h = b->h;
    size_t n = b->n;
    uint64_t k = b->k, sink = b->sink;
    if (plain) {
        BASE_LOOP(base_sift_plain)
    } else {
        BASE_LOOP(base_sift_tuned)
    }
    b->k = k;
    b->sink = sink;
    return events;
}

/* ---- driver ---- */

typedef struct round_cfg {
    int rounds;
    double min_s;        /* per round */
    uint64_t min_events; /* per round */
    int plain;           /* baseline version */
    clockid_t clock;     /* CLOCK_MONOTONIC, or the process's CPU clock (--cpu) */
} round_cfg;

static uint64_t chunk_events(size_t n)
{
    return n < 100000 ? 200000 : 2 * (uint64_t)n;
}

/* Runs chunks until both minimums are met; returns events per second. */
static double time_engine(irq_engine *e, size_t n, const round_cfg *c, uint64_t *total)
{
    uint64_t done = 0;
    double t0 = now_s(c->clock), dt;
    do {
        done += engine_run(e, n, chunk_events(n));
        dt = now_s(c->clock) - t0;
    } while (dt < c->min_s || done < c->min_events);
    *total += done;
    return (double)done / dt;
}

static double time_base(base_heap *b, const uint64_t *inc, size_t n, const round_cfg *c,
                        uint64_t *total)
{
    uint64_t done = 0;
    double t0 = now_s(c->clock), dt;
    do {
        done += base_run(b, inc, chunk_events(n), c->plain);
        dt = now_s(c->clock) - t0;
    } while (dt < c->min_s || done < c->min_events);
    *total += done;
    return (double)done / dt;
}

static double maxd(double a, double b)
{
    return a > b ? a : b;
}

static int measure(size_t n, const uint64_t *inc, const round_cfg *c, result *res)
{
    irq_engine e;
    hold_ctx h = {.inc = inc};
    base_heap b = {0};
    int rc = -1;
    if (engine_setup(&e, &h, n) != 0 || base_setup(&b, inc, n) != 0)
        goto out;
    /* Warm up: reach the steady state and fault the memory in. */
    engine_run(&e, n, 2 * (uint64_t)n);
    base_run(&b, inc, 2 * (uint64_t)n, c->plain);
    *res = (result){.n = n};
    /* Alternate the contenders and keep each one's best round, so noise
     * from the other processes on the machine hits both alike. */
    for (int r = 0; r < c->rounds; r++) {
        res->engine = maxd(res->engine, time_engine(&e, n, c, &res->engine_events));
        res->baseline = maxd(res->baseline, time_base(&b, inc, n, c, &res->baseline_events));
    }
    /* Keep the work observable: without this the baseline heap is dead. */
    if (b.sink == 42 && e.now == 42)
        fprintf(stderr, "unlikely\n");
    if ((b.h[0] >> IDX_BITS) >= (UINT64_C(1) << (64 - IDX_BITS - 1))) {
        fprintf(stderr, "baseline time overflowed its key\n");
        goto out;
    }
    rc = 0;
out:
    free(b.mem);
    irq_engine_fini(&e);
    return rc;
}

/* --count: set-up, warm-up, then `events` events of one contender only. */
static int count_run(size_t n, const uint64_t *inc, count_mode mode, uint64_t events)
{
    irq_engine e;
    hold_ctx h = {.inc = inc};
    base_heap b = {0};
    int rc = -1;
    if (mode == COUNT_ENGINE) {
        if (engine_setup(&e, &h, n) != 0)
            goto out_engine;
        engine_run(&e, n, 2 * (uint64_t)n);
        e.event_limit = e.events + events; /* exactly `events`: the hold model never runs dry */
        uint64_t done = irq_engine_run(&e, IRQ_TIME_NEVER, NULL);
        printf("engine: n %zu, %" PRIu64 " events, now %" PRIu64 "\n", n, done, e.now);
        rc = 0;
    out_engine:
        irq_engine_fini(&e);
        return rc;
    }
    if (base_setup(&b, inc, n) == 0) {
        int plain = mode == COUNT_PLAIN;
        base_run(&b, inc, 2 * (uint64_t)n, plain);
        base_run(&b, inc, events, plain);
        printf("baseline: n %zu, %" PRIu64 " events, sink %" PRIu64 "\n", n, events, b.sink);
        rc = 0;
    }
    free(b.mem);
    return rc;
}

static void print_result(const result *r, int json)
{
    double ratio = r->engine / r->baseline;
    if (json) {
        printf("{\"n\": %zu, \"engine_events_per_s\": %.4g, \"baseline_events_per_s\": %.4g, "
               "\"ratio\": %.3f}\n",
               r->n, r->engine, r->baseline, ratio);
        return;
    }
    printf("%9zu %14.2f %14.2f %7.3f %12" PRIu64 " %12" PRIu64 "\n", r->n, r->engine / 1e6,
           r->baseline / 1e6, ratio, r->engine_events, r->baseline_events);
}

static int parse_args(int argc, char **argv, options *o)
{
    memset(o, 0, sizeof *o);
    o->plain = 1; /* the baseline: a minimal 4-ary heap */
    for (int i = 1; i < argc; i++) {
        if (strcmp(argv[i], "--quick") == 0) {
            o->quick = 1;
        } else if (strcmp(argv[i], "--json") == 0) {
            o->json = 1;
        } else if (strcmp(argv[i], "--cpu") == 0) {
            o->cpu = 1;
        } else if (strcmp(argv[i], "--baseline=plain") == 0) {
            o->plain = 1;
        } else if (strcmp(argv[i], "--baseline=tuned") == 0) {
            o->plain = 0;
        } else if (strncmp(argv[i], "--count=", 8) == 0) {
            const char *m = argv[i] + 8;
            o->count = strcmp(m, "engine") == 0  ? COUNT_ENGINE
                       : strcmp(m, "plain") == 0 ? COUNT_PLAIN
                       : strcmp(m, "tuned") == 0 ? COUNT_TUNED
                                                 : COUNT_NONE;
            if (o->count == COUNT_NONE) {
                fprintf(stderr, "--count: engine, plain or tuned\n");
                return -1;
            }
        } else if (strcmp(argv[i], "--events") == 0 && i + 1 < argc) {
            o->events = strtoull(argv[++i], NULL, 10);
        } else if (strcmp(argv[i], "--n") == 0 && i + 1 < argc && o->nn < MAX_N) {
            long v = strtol(argv[++i], NULL, 10);
            if (v < 1 || (uint64_t)v > IDX_MASK + 1) {
                fprintf(stderr, "--n: 1 .. %" PRIu64 "\n", IDX_MASK + 1);
                return -1;
            }
            o->ns[o->nn++] = (size_t)v;
        } else {
            fprintf(stderr,
                    "usage: %s [--quick] [--json] [--cpu] [--baseline=plain|tuned] [--n N]...\n"
                    "       %s --count=engine|plain|tuned --events E --n N\n",
                    argv[0], argv[0]);
            return -1;
        }
    }
    if (o->count != COUNT_NONE && (o->nn != 1 || o->events == 0)) {
        fprintf(stderr, "--count needs one --n and --events E > 0\n");
        return -1;
    }
    if (o->nn == 0) {
        const size_t def[] = {100, 1000, 10000, 100000, 1000000};
        for (size_t i = 0; i < sizeof def / sizeof *def; i++)
            o->ns[o->nn++] = def[i];
    }
    return 0;
}

int main(int argc, char **argv)
{
    options o;
    if (parse_args(argc, argv, &o) != 0)
        return 2;
    clockid_t clock = o.cpu ? CLOCK_PROCESS_CPUTIME_ID : CLOCK_MONOTONIC;
    round_cfg cfg = o.quick ? (round_cfg){1, 0.05, 500000, o.plain, clock}
                            : (round_cfg){3, 0.15, 2000000, o.plain, clock};
    uint64_t *inc = make_increments();
    if (!inc)
        return 1;
    if (o.count != COUNT_NONE) {
        int rc = count_run(o.ns[0], inc, o.count, o.events);
        free(inc);
        return rc == 0 ? 0 : 1;
    }
    if (!o.json)
        printf("hold model, mean increment %.0f cycles, %s baseline, best of %d round(s) of >= "
               "%.2f s (%s)\n%9s %14s %14s %7s %12s %12s\n",
               MEAN_INC, o.plain ? "plain" : "tuned", cfg.rounds, cfg.min_s,
               o.cpu ? "CPU time" : "wall time", "n", "engine Mev/s", "base Mev/s", "ratio",
               "engine ev", "base ev");
    int rc = 0;
    for (size_t i = 0; i < o.nn && rc == 0; i++) {
        result r;
        if (measure(o.ns[i], inc, &cfg, &r) != 0) {
            fprintf(stderr, "n=%zu: out of memory\n", o.ns[i]);
            rc = 1;
            break;
        }
        print_result(&r, o.json);
        fflush(stdout);
    }
    free(inc);
    return rc;
}
