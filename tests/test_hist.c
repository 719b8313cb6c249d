/* Tests of the log-linear histogram: percentiles against exact ones,
 * merging, summary statistics, bucket iteration, lazy rows (fine) and fixed
 * storage (compact). */
#include <setjmp.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <math.h>
#include <stdlib.h>

#include <cmocka.h>

#include "dist_internal.h"
#include "hist_internal.h"
#include "rng_internal.h"

static int cmp_u64(const void *a, const void *b)
{
    uint64_t x = *(const uint64_t *)a, y = *(const uint64_t *)b;
    return (x > y) - (x < y);
}

/* Nearest rank on the sorted samples: the ceil(q n)-th smallest. */
static uint64_t exact_quantile(const uint64_t *sorted, size_t n, double q)
{
    size_t rank = (size_t)ceil(q * (double)n * (1 - 1e-12)); /* 0.3 * 10 is 3, not 4 */
    if (rank < 1)
        rank = 1;
    return sorted[rank - 1];
}

static const double qs[] = {0.0, 0.001, 0.01, 0.1, 0.25, 0.5, 0.75, 0.9, 0.99, 0.999, 0.9999, 1.0};

/* Adds the samples, then checks every quantile against the exact one: the
 * error is at most half a bucket, 1/256 of the value fine and 1/128 compact
 * (both < 1%), and values below the sub-bucket count (128, 64) are exact.
 * Also min, max and mean. */
static void check_quantiles_in(uint64_t *v, size_t n, const char *what, bool compact)
{
    irq_hist h;
    if (compact)
        irq_hist_init_compact(&h);
    else
        irq_hist_init(&h);
    double sum = 0;
    for (size_t i = 0; i < n; i++) {
        assert_int_equal(irq_hist_add(&h, v[i]), 0);
        sum += (double)v[i];
    }
    qsort(v, n, sizeof *v, cmp_u64);
    assert_int_equal(h.count, n);
    assert_int_equal(h.min, v[0]);
    assert_int_equal(h.max, v[n - 1]);
    assert_true(fabs(irq_hist_mean(&h) - sum / (double)n) <= 1e-9 * sum / (double)n);
    double tol = compact ? 128.0 : 256.0;
    uint64_t exact_below = compact ? 64 : 128;
    for (size_t k = 0; k < sizeof qs / sizeof *qs; k++) {
        uint64_t want = exact_quantile(v, n, qs[k]);
        uint64_t got = irq_hist_quantile(&h, qs[k]);
        double err = fabs((double)got - (double)want);
        if (err > (double)want / tol || (want < exact_below && got != want))
            fail_msg("%s (%s) q=%g: got %llu, exact %llu", what, compact ? "compact" : "fine",
                     qs[k], (unsigned long long)got, (unsigned long long)want);
        assert_true(err < 0.01 * (double)want || err == 0);
    }
    irq_hist_free(&h);
}

static void check_quantiles(uint64_t *v, size_t n, const char *what)
{
    check_quantiles_in(v, n, what, false);
    check_quantiles_in(v, n, what, true);
}

static void fill(uint64_t *v, size_t n, const irq_dist *d, const char *stream)
{
    irq_rng r;
    irq_rng_seed(&r, 21, stream, 0);
    for (size_t i = 0; i < n; i++)
        v[i] = irq_dist_sample(d, &r);
}

enum { N = 100000 };

static void test_quantiles_exp(void **state)
{
    (void)state;
    uint64_t *v = malloc(N * sizeof *v);
    assert_non_null(v);
    irq_dist d = {.kind = IRQ_DIST_EXP, .a = 400000};
    fill(v, N, &d, "exp");
    check_quantiles(v, N, "exp");
    d.a = 30; /* mostly in the exact rows */
    fill(v, N, &d, "exp-small");
    check_quantiles(v, N, "exp-small");
    free(v);
}

static void test_quantiles_uniform_and_lognormal(void **state)
{
    (void)state;
    uint64_t *v = malloc(N * sizeof *v);
    assert_non_null(v);
    irq_dist u = {.kind = IRQ_DIST_UNIFORM, .a = 1000, .b = 5000000};
    fill(v, N, &u, "uniform");
    check_quantiles(v, N, "uniform");
    irq_dist ln = {.kind = IRQ_DIST_LOGNORMAL, .mu = 12, .sigma = 1.5};
    fill(v, N, &ln, "lognormal");
    check_quantiles(v, N, "lognormal");
    free(v);
}

/* Two far-apart modes, values near 2^63 and the extremes of the range. */
static void test_quantiles_wide(void **state)
{
    (void)state;
    uint64_t *v = malloc(N * sizeof *v);
    assert_non_null(v);
    irq_rng r;
    irq_rng_seed(&r, 22, "wide", 0);
    for (size_t i = 0; i < N; i++) {
        uint64_t x = irq_rng_next(&r);
        switch (i % 4) {
        case 0:
            v[i] = x % 200;
            break;
        case 1:
            v[i] = x >> (irq_rng_below(&r, 64));
            break; /* every magnitude */
        case 2:
            v[i] = (UINT64_C(1) << 40) + x % 1000000;
            break;
        default:
            v[i] = x | UINT64_C(1) << 63;
            break;
        }
    }
    v[0] = 0;
    v[1] = UINT64_MAX;
    check_quantiles(v, N, "wide");
    free(v);
}

static void test_small_and_empty(void **state)
{
    (void)state;
    irq_hist h;
    irq_hist_init(&h);
    assert_int_equal(irq_hist_quantile(&h, 0.5), 0);
    assert_true(irq_hist_mean(&h) == 0.0);
    assert_int_equal(h.count, 0);
    assert_int_equal(irq_hist_add(&h, 777777), 0);
    /* One sample: every quantile is that value (the clamp into [min, max]
     * removes the bucket's width). */
    assert_int_equal(irq_hist_quantile(&h, 0.0), 777777);
    assert_int_equal(irq_hist_quantile(&h, 0.5), 777777);
    assert_int_equal(irq_hist_quantile(&h, 1.0), 777777);
    assert_int_equal(h.min, 777777);
    assert_int_equal(h.max, 777777);
    assert_true(irq_hist_mean(&h) == 777777.0);
    irq_hist_free(&h);

    /* Bucket edges: the midpoint lies above a bucket's lowest value and
     * below its highest; the clamp keeps a lone sample exact. */
    const uint64_t edges[] = {UINT64_C(1) << 20, (UINT64_C(1) << 21) - 1};
    for (size_t i = 0; i < 2; i++) {
        irq_hist_init(&h);
        assert_int_equal(irq_hist_add(&h, edges[i]), 0);
        assert_int_equal(irq_hist_quantile(&h, 0.5), edges[i]);
        irq_hist_free(&h);
    }

    /* Nearest rank on ten exact values 10, 20, ..., 100. */
    irq_hist_init(&h);
    for (uint64_t v = 10; v <= 100; v += 10)
        assert_int_equal(irq_hist_add(&h, v), 0);
    assert_int_equal(irq_hist_quantile(&h, 0.1), 10);
    assert_int_equal(irq_hist_quantile(&h, 0.25), 30); /* ceil(2.5) = 3rd */
    assert_int_equal(irq_hist_quantile(&h, 0.3), 30);  /* not 40: 0.3 * 10 > 3 in doubles */
    assert_int_equal(irq_hist_quantile(&h, 0.5), 50);
    assert_int_equal(irq_hist_quantile(&h, 0.51), 60);
    assert_int_equal(irq_hist_quantile(&h, 0.95), 100);
    assert_true(irq_hist_mean(&h) == 55.0);
    irq_hist_free(&h);
}

/* Fine rows are allocated only for the powers of two that were seen. */
static void test_rows_lazy(void **state)
{
    (void)state;
    irq_hist h;
    irq_hist_init(&h);
    assert_null(h.rows);
    assert_int_equal(irq_hist_bytes(&h), 0);
    /* [1024, 2048): 2^10, which is row 10 - SUB_BITS + 1 = 4 */
    for (uint64_t v = 1024; v < 2048; v += 7)
        assert_int_equal(irq_hist_add(&h, v), 0);
    assert_int_equal(irq_hist_add(&h, 5), 0); /* row 0 */
    for (unsigned r = 0; r < IRQ_HIST_ROWS; r++) {
        if (r == 0 || r == 4)
            assert_non_null(h.rows[r]);
        else
            assert_null(h.rows[r]);
    }
    /* the row table and two 1 KiB rows */
    assert_int_equal(irq_hist_bytes(&h), IRQ_HIST_ROWS * sizeof(uint64_t *) + 2 * 1024);
    assert_int_equal(irq_hist_add(&h, UINT64_MAX), 0);
    assert_non_null(h.rows[IRQ_HIST_ROWS - 1]);
    irq_hist_free(&h);
    assert_null(h.rows);
    assert_false(h.compact);
}

/* Bytes of a compact block (hist.c): a 2-byte header, three bytes per row
 * of the block (27 near, 32 far: which pool row holds each byte of its
 * counts) and a pool of `pool` rows of 64 bytes. */
static uint64_t block_bytes(unsigned block_rows, unsigned pool)
{
    return 2 + 3 * block_rows + pool * 64;
}

/* The pool a block has when n of its rows are taken: 8 at first, 2 more at
 * a time, at most 3 per row of the block. */
static unsigned room(unsigned n, unsigned block_rows)
{
    unsigned k = 8;
    while (k < n)
        k += 2;
    return k < 3 * block_rows ? k : 3 * block_rows;
}

/* The rows (of 64 buckets) of the near block with a bucket count above
 * `over`. */
typedef struct big_rows {
    uint64_t over;
    bool row[64];
} big_rows;

static void note_big(void *ud, uint64_t lo, uint64_t hi, uint64_t count)
{
    (void)hi;
    big_rows *b = ud;
    unsigned row = lo < 64 ? 0 : (unsigned)(63 - __builtin_clzll(lo)) - 6 + 1;
    if (count > b->over && lo < (UINT64_C(1) << 32))
        b->row[row] = true;
}

static unsigned count_rows_over(const irq_hist *h, uint64_t over)
{
    big_rows b = {over, {false}};
    irq_hist_each(h, note_big, &b);
    unsigned n = 0;
    for (int r = 0; r < 64; r++)
        n += b.row[r];
    return n;
}

/* The compact histogram holds only the rows (powers of two) that have a
 * sample, each in a pool row of count bytes, and a second pool row for the
 * rows with a count above 255 (a third above 65,535; none here: 40,003
 * samples spread over every row); the pool has room for 8 at first, then 2
 * more at a time. So its size is bounded by its rows whatever the samples:
 * nothing while empty; the first sample makes the near block (values below
 * 2^32, 27 rows) with room for 8 (595 bytes); samples of every magnitude
 * below 2^32 fill all 27 rows, plus the rows where a count passed 255; a
 * value of 2^32 or more makes the far block (32 rows). */
static void test_compact_bounded_size(void **state)
{
    (void)state;
    irq_hist h;
    irq_hist_init_compact(&h);
    assert_int_equal(irq_hist_bytes(&h), 0);
    assert_int_equal(irq_hist_add(&h, 0), 0);
    assert_int_equal(irq_hist_bytes(&h), block_bytes(27, 8)); /* 595 */
    irq_rng r;
    irq_rng_seed(&r, 24, "compact", 0);
    /* every magnitude below 2^32: every row of the block */
    for (int i = 0; i < 20000; i++)
        assert_int_equal(irq_hist_add(&h, irq_rng_next(&r) >> (32 + irq_rng_below(&r, 32))), 0);
    unsigned big = count_rows_over(&h, 255);
    assert_true(big >= 1); /* the smallest values crowd into row 0 */
    assert_int_equal(count_rows_over(&h, 65535), 0);
    const uint64_t near = block_bytes(27, room(27 + big, 27));
    assert_int_equal(irq_hist_bytes(&h), near);
    assert_int_equal(irq_hist_add(&h, (UINT64_C(1) << 32) - 1), 0); /* row 26: there */
    assert_int_equal(irq_hist_bytes(&h), near);
    assert_int_equal(irq_hist_add(&h, UINT64_C(1) << 32), 0);
    assert_int_equal(irq_hist_bytes(&h), near + block_bytes(32, 8));
    for (int i = 0; i < 20000; i++)
        assert_int_equal(irq_hist_add(&h, irq_rng_next(&r) >> (32 + irq_rng_below(&r, 32))), 0);
    assert_int_equal(count_rows_over(&h, 65535), 0);
    assert_int_equal(irq_hist_bytes(&h),
                     block_bytes(27, room(27 + count_rows_over(&h, 255), 27)) + block_bytes(32, 8));
    /* the bound: every row with three bytes */
    assert_true(irq_hist_bytes(&h) <= block_bytes(27, 81) + block_bytes(32, 8));
    assert_int_equal(h.count, 40003);
    irq_hist_free(&h);
    assert_int_equal(irq_hist_bytes(&h), 0);
    assert_true(h.compact);
}

/* Counts the samples in the bucket holding `want`. */
typedef struct bucket_of {
    uint64_t want, count;
} bucket_of;

static void count_bucket(void *ud, uint64_t lo, uint64_t hi, uint64_t count)
{
    bucket_of *b = ud;
    if (lo <= b->want && b->want < hi)
        b->count += count;
}

/* 255 samples fit a count byte; the 256th gives its row a second pool row
 * (bits 8-15), the 65,536th a third (bits 16-23); a row's first sample takes
 * a pool row too; the pool has room for 8 rows, then 2 more at a time; a
 * count past 2^24 - 1 widens the block to 32 bits (27 rows of 64: 6,912
 * bytes).
 * Nothing is lost, in the bucket or the others. Rows: 3 is row 0, 1000
 * row 4 ([2^9, 2^10) is row 9 - 6 + 1), 4000 row 6, 16000 row 8, 64000
 * row 10, 100000 row 11, 1000000 row 14. */
static void test_compact_widens(void **state)
{
    (void)state;
    irq_hist h;
    irq_hist_init_compact(&h);
    assert_int_equal(irq_hist_add(&h, 3), 0);
    assert_int_equal(irq_hist_add(&h, 100000), 0);
    for (int i = 0; i < 255; i++)
        assert_int_equal(irq_hist_add(&h, 1000), 0);
    /* rows 0, 4, 11: 3 pool rows of 8 */
    assert_int_equal(irq_hist_bytes(&h), block_bytes(27, 8));
    for (int row = 0; row < 4; row++) /* 1000's row and 3 more pass 255 */
        for (int i = 0; i < 300; i++)
            assert_int_equal(irq_hist_add(&h, (uint64_t)1000 << (2 * row)), 0);
    /* rows 0, 4, 6, 8, 10, 11 and bits 8-15 of 4, 6, 8, 10: 10 pool rows,
     * the ninth grew the room to 10 */
    assert_int_equal(irq_hist_bytes(&h), block_bytes(27, 10));
    for (int i = 0; i < 256; i++) /* a fifth such row, 14: 12 */
        assert_int_equal(irq_hist_add(&h, 1000000), 0);
    assert_int_equal(irq_hist_bytes(&h), block_bytes(27, 12));
    for (uint32_t i = 0; i < (UINT32_C(1) << 24) - 556; i++) /* 1000's count: 2^24 - 1 */
        assert_int_equal(irq_hist_add(&h, 1000), 0);
    /* past 65,535, bits 16-23 of row 4: 13 rows, room 14 */
    assert_int_equal(irq_hist_bytes(&h), block_bytes(27, 14));
    assert_int_equal(irq_hist_add(&h, 1000), 0);
    assert_int_equal(irq_hist_bytes(&h), 27 * 64 * 4);
    const uint64_t want[4] = {3, 1000, 100000, 1000000}, count[4] = {1, UINT64_C(1) << 24, 1, 256};
    for (int k = 0; k < 4; k++) {
        bucket_of b = {.want = want[k]};
        irq_hist_each(&h, count_bucket, &b);
        assert_int_equal(b.count, count[k]);
    }
    assert_int_equal(h.count, 2 + (UINT64_C(1) << 24) + 3 * 300 + 256);
    /* the median is 1000's bucket, [1000, 1008): its midpoint */
    assert_int_equal(irq_hist_quantile(&h, 0.5), 1004);
    irq_hist_free(&h);
}

/* ---- bucket iteration ---- */

typedef struct visit_log {
    uint64_t lo[512], hi[512], count[512];
    unsigned n;
} visit_log;

static void visit(void *ud, uint64_t lo, uint64_t hi, uint64_t count)
{
    visit_log *l = ud;
    assert_true(l->n < 512);
    l->lo[l->n] = lo;
    l->hi[l->n] = hi;
    l->count[l->n] = count;
    l->n++;
}

static void test_each(void **state)
{
    (void)state;
    static const uint64_t values[] = {3,         3,       127,        128,           255,
                                      256,       257,     1000,       1001,          1000000,
                                      123456789, 1 << 30, UINT64_MAX, UINT64_MAX - 1};
    irq_hist h;
    irq_hist_init(&h);
    for (size_t i = 0; i < sizeof values / sizeof *values; i++)
        assert_int_equal(irq_hist_add(&h, values[i]), 0);
    visit_log *l = calloc(1, sizeof *l);
    assert_non_null(l);
    unsigned n = irq_hist_each(&h, visit, l);
    assert_int_equal(n, l->n);
    uint64_t total = 0;
    for (unsigned k = 0; k < n; k++) {
        assert_true(l->count[k] > 0);
        assert_true(l->lo[k] < l->hi[k]);
        if (k > 0)
            assert_true(l->hi[k - 1] <= l->lo[k]); /* increasing, disjoint */
        /* Buckets are narrow: width <= lo / 128, or 1 below 256. */
        assert_true(l->hi[k] - l->lo[k] <= (l->lo[k] < 256 ? 1 : l->lo[k] / 128 + 1));
        total += l->count[k];
    }
    assert_int_equal(total, h.count);
    /* Each value falls in one of the visited buckets. */
    for (size_t i = 0; i < sizeof values / sizeof *values; i++) {
        bool found = false;
        for (unsigned k = 0; k < n; k++)
            found |= values[i] >= l->lo[k] &&
                     (values[i] < l->hi[k] || (l->hi[k] == UINT64_MAX && values[i] == UINT64_MAX));
        assert_true(found);
    }
    /* 3 twice, and the two largest values share the top bucket. */
    assert_int_equal(l->lo[0], 3);
    assert_int_equal(l->count[0], 2);
    assert_int_equal(l->count[n - 1], 2);
    assert_int_equal(l->hi[n - 1], UINT64_MAX);
    assert_int_equal(n, sizeof values / sizeof *values - 4); /* 256/257, 1000/1001 share too */
    free(l);
    irq_hist_free(&h);
}

/* ---- merge ---- */

typedef struct bucket_sum {
    uint64_t lo_xor, count_sum, weighted;
    unsigned n;
} bucket_sum;

static void fingerprint(void *ud, uint64_t lo, uint64_t hi, uint64_t count)
{
    bucket_sum *b = ud;
    b->lo_xor ^= lo * 0x9e3779b97f4a7c15u + hi;
    b->count_sum += count;
    b->weighted += count * (lo + 1) * (b->n + 1);
    b->n++;
}

/* a and b have the same non-empty buckets with the same counts
 * (fingerprint), hence the same quantiles. */
static void assert_same_buckets(const irq_hist *a, const irq_hist *b)
{
    bucket_sum fa = {0}, fb = {0};
    assert_int_equal(irq_hist_each(a, fingerprint, &fa), irq_hist_each(b, fingerprint, &fb));
    assert_int_equal(fa.lo_xor, fb.lo_xor);
    assert_int_equal(fa.weighted, fb.weighted);
    for (size_t k = 0; k < sizeof qs / sizeof *qs; k++)
        assert_int_equal(irq_hist_quantile(a, qs[k]), irq_hist_quantile(b, qs[k]));
}

/* The same, and the same summary (the sum up to rounding). */
static void assert_same_samples(const irq_hist *a, const irq_hist *b)
{
    assert_int_equal(a->count, b->count);
    assert_int_equal(a->min, b->min);
    assert_int_equal(a->max, b->max);
    assert_true(fabs(a->sum - b->sum) <= 1e-12 * b->sum);
    assert_same_buckets(a, b);
}

static void test_merge(void **state)
{
    (void)state;
    irq_hist a, b, all, empty;
    irq_hist_init(&a);
    irq_hist_init(&b);
    irq_hist_init(&all);
    irq_hist_init(&empty);
    irq_rng r;
    irq_rng_seed(&r, 23, "merge", 0);
    irq_dist small = {.kind = IRQ_DIST_EXP, .a = 500};
    irq_dist big = {.kind = IRQ_DIST_LOGNORMAL, .mu = 20, .sigma = 2};
    for (int i = 0; i < 50000; i++) {
        uint64_t x = irq_dist_sample(&small, &r), y = irq_dist_sample(&big, &r);
        assert_int_equal(irq_hist_add(&a, x), 0);
        assert_int_equal(irq_hist_add(&b, y), 0);
        assert_int_equal(irq_hist_add(&all, x), 0);
        assert_int_equal(irq_hist_add(&all, y), 0);
    }
    /* Into an empty histogram, then the second one; merging an empty one
     * changes nothing. */
    irq_hist m;
    irq_hist_init(&m);
    assert_int_equal(irq_hist_merge(&m, &a), 0);
    assert_int_equal(irq_hist_merge(&m, &empty), 0);
    assert_int_equal(irq_hist_merge(&m, &b), 0);
    assert_same_samples(&m, &all);
    for (unsigned row = 0; row < IRQ_HIST_ROWS; row++) {
        assert_true((m.rows[row] == NULL) == (all.rows[row] == NULL));
        for (unsigned c = 0; m.rows[row] && c < IRQ_HIST_SUB; c++)
            assert_int_equal(m.rows[row][c], all.rows[row][c]);
    }
    /* The source is untouched. */
    assert_int_equal(a.count, 50000);
    irq_hist_free(&m);
    irq_hist_free(&a);
    irq_hist_free(&b);
    irq_hist_free(&all);
    irq_hist_free(&empty);
}

/* Compact into compact (bucket for bucket by block index): the same buckets,
 * quantiles and storage as adding every sample to one histogram, with
 * samples in both blocks (the lognormal passes 2^32 cycles about one time in
 * seven) and counts that pass 255 only once the two are merged. */
static void test_merge_compact(void **state)
{
    (void)state;
    irq_hist a, b, all;
    irq_hist_init_compact(&a);
    irq_hist_init_compact(&b);
    irq_hist_init_compact(&all);
    irq_rng r;
    irq_rng_seed(&r, 29, "merge compact", 0);
    irq_dist small = {.kind = IRQ_DIST_EXP, .a = 500};
    irq_dist big = {.kind = IRQ_DIST_LOGNORMAL, .mu = 20, .sigma = 2};
    for (int i = 0; i < 50000; i++) {
        uint64_t x = irq_dist_sample(&small, &r), y = irq_dist_sample(&big, &r);
        assert_int_equal(irq_hist_add(i % 2 ? &a : &b, x), 0);
        assert_int_equal(irq_hist_add(i % 3 ? &b : &a, y), 0);
        assert_int_equal(irq_hist_add(&all, x), 0);
        assert_int_equal(irq_hist_add(&all, y), 0);
    }
    assert_non_null(all.small[1]);               /* both blocks in use */
    assert_true(count_rows_over(&all, 255) > 0); /* and counts past 255 */
    irq_hist m;
    irq_hist_init_compact(&m);
    assert_int_equal(irq_hist_merge(&m, &a), 0);
    assert_int_equal(irq_hist_merge(&m, &b), 0);
    assert_same_samples(&m, &all);
    /* The same rows, and the same rows got bits 8-15 (those whose counts
     * passed 255). */
    assert_int_equal(irq_hist_bytes(&m), irq_hist_bytes(&all));
    /* A row whose low bytes are all 0 can hold samples: 256 of 5 are 1 in
     * bits 8-15 over a low byte of 0. */
    irq_hist c, d;
    irq_hist_init_compact(&c);
    irq_hist_init_compact(&d);
    for (int i = 0; i < 256; i++)
        assert_int_equal(irq_hist_add(&c, 5), 0);
    assert_int_equal(irq_hist_merge(&d, &c), 0);
    visit_log l = {.n = 0};
    assert_int_equal(irq_hist_each(&d, visit, &l), 1);
    assert_int_equal(l.lo[0], 5);
    assert_int_equal(l.count[0], 256);
    irq_hist_free(&c);
    irq_hist_free(&d);
    irq_hist_free(&m);
    irq_hist_free(&a);
    irq_hist_free(&b);
    irq_hist_free(&all);
}

/* Counts per bucket lower bound, for a histogram of values 5 and 1000. */
static void tally(void *ud, uint64_t lo, uint64_t hi, uint64_t count)
{
    uint64_t *t = ud;
    assert_true(lo == 5 || (lo <= 1000 && 1000 < hi));
    t[lo != 5] += count;
}

/* A compact count passes 2^32 (by merging two histograms into each other,
 * Fibonacci-fashion, rather than adding 4 billion samples): the high words
 * appear and the counts and quantiles stay exact. */
static void test_compact_count_past_32_bits(void **state)
{
    (void)state;
    irq_hist a, b;
    irq_hist_init_compact(&a);
    irq_hist_init_compact(&b);
    assert_int_equal(irq_hist_add(&a, 1000), 0);
    assert_int_equal(irq_hist_add(&b, 5), 0);
    uint64_t a5 = 0, a1000 = 1, b5 = 1, b1000 = 0; /* what each should hold */
    while (a1000 <= UINT32_MAX) {
        assert_int_equal(irq_hist_merge(&b, &a), 0);
        b5 += a5, b1000 += a1000;
        assert_int_equal(irq_hist_merge(&a, &b), 0);
        a5 += b5, a1000 += b1000;
    }
    assert_int_equal(irq_hist_bytes(&a),
                     2 * 27 * 64 * 4); /* near block: 32-bit low and high words */
    uint64_t t[2] = {0, 0};
    assert_int_equal(irq_hist_each(&a, tally, t), 2);
    assert_int_equal(t[0], a5);
    assert_int_equal(t[1], a1000);
    assert_int_equal(a.count, a5 + a1000);
    assert_true(a1000 > a5); /* so the median is the 1000s */
    assert_int_equal(irq_hist_quantile(&a, 0.5), 1000);
    assert_int_equal(irq_hist_quantile(&a, 0.01), 5);
    irq_hist_free(&a);
    irq_hist_free(&b);
}

/* A fine histogram merges into a compact one exactly as if its samples had
 * been added there; a compact one does not merge into a fine one (its
 * buckets are twice as wide) and leaves it unchanged. */
static void test_merge_fine_into_compact(void **state)
{
    (void)state;
    irq_hist fine, direct, merged;
    irq_hist_init(&fine);
    irq_hist_init_compact(&direct);
    irq_hist_init_compact(&merged);
    irq_rng r;
    irq_rng_seed(&r, 25, "fine-compact", 0);
    for (int i = 0; i < 100000; i++) {
        uint64_t x = irq_rng_next(&r) >> irq_rng_below(&r, 64);
        assert_int_equal(irq_hist_add(&fine, x), 0);
        assert_int_equal(irq_hist_add(&direct, x), 0);
    }
    assert_int_equal(irq_hist_merge(&merged, &fine), 0);
    assert_same_buckets(&merged, &direct);
    uint64_t before = fine.count;
    assert_int_equal(irq_hist_merge(&fine, &direct), -1);
    assert_int_equal(fine.count, before);
    irq_hist_free(&fine);
    irq_hist_free(&direct);
    irq_hist_free(&merged);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_quantiles_exp),
        cmocka_unit_test(test_quantiles_uniform_and_lognormal),
        cmocka_unit_test(test_quantiles_wide),
        cmocka_unit_test(test_small_and_empty),
        cmocka_unit_test(test_rows_lazy),
        cmocka_unit_test(test_each),
        cmocka_unit_test(test_merge),
        cmocka_unit_test(test_merge_compact),
        cmocka_unit_test(test_compact_bounded_size),
        cmocka_unit_test(test_compact_widens),
        cmocka_unit_test(test_compact_count_past_32_bits),
        cmocka_unit_test(test_merge_fine_into_compact),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
