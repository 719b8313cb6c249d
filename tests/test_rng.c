/* Tests of the random number streams: reproducibility, independence of
 * streams, uniformity, bounded integers and normals. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <math.h>

#include <cmocka.h>

#include "rng_internal.h"

static void test_same_inputs_same_sequence(void **state)
{
    (void)state;
    irq_rng a, b;
    irq_rng_seed(&a, 42, "source", 3);
    irq_rng_seed(&b, 42, "source", 3);
    for (int i = 0; i < 10000; i++)
        assert_int_equal(irq_rng_next(&a), irq_rng_next(&b));
    /* Every draw kind is reproducible, with no state outside irq_rng. */
    irq_rng_seed(&a, 7, "x", 0);
    irq_rng_seed(&b, 7, "x", 0);
    for (int i = 0; i < 1000; i++) {
        assert_true(irq_rng_normal(&a) == irq_rng_normal(&b));
        assert_int_equal(irq_rng_below(&a, 1000 + i), irq_rng_below(&b, 1000 + i));
        assert_true(irq_rng_uniform(&a) == irq_rng_uniform(&b));
    }
}

/* Counts equal outputs at equal positions: independent-looking streams
 * practically never agree on a 64-bit draw. */
static int common_draws(irq_rng a, irq_rng b)
{
    int same = 0;
    for (int i = 0; i < 1000; i++)
        same += irq_rng_next(&a) == irq_rng_next(&b);
    return same;
}

static void test_streams_differ(void **state)
{
    (void)state;
    enum { K = 6 };
    irq_rng r[K];
    irq_rng_seed(&r[0], 1, "source", 0);
    irq_rng_seed(&r[1], 1, "source", 1);
    irq_rng_seed(&r[2], 1, "sourcf", 0); /* names one letter apart */
    irq_rng_seed(&r[3], 2, "source", 0);
    irq_rng_seed(&r[4], 1, "", 0);
    irq_rng_seed(&r[5], 0, "", 0); /* all-zero inputs still give a usable state */
    for (int i = 0; i < K; i++) {
        assert_true((r[i].s[0] | r[i].s[1] | r[i].s[2] | r[i].s[3]) != 0);
        for (int j = i + 1; j < K; j++)
            assert_int_equal(common_draws(r[i], r[j]), 0);
    }
    /* Neighbouring indices are uncorrelated: the correlation of the first
     * uniform draws of streams i and i+1 is near 0. */
    enum { N = 20000 };
    double sx = 0, sy = 0, sxy = 0, sxx = 0, syy = 0;
    for (int i = 0; i < N; i++) {
        irq_rng a, b;
        irq_rng_seed(&a, 9, "vcpu", (uint64_t)i);
        irq_rng_seed(&b, 9, "vcpu", (uint64_t)i + 1);
        double x = irq_rng_uniform(&a), y = irq_rng_uniform(&b);
        sx += x, sy += y, sxy += x * y, sxx += x * x, syy += y * y;
    }
    double cov = sxy / N - (sx / N) * (sy / N);
    double corr = cov / sqrt((sxx / N - (sx / N) * (sx / N)) * (syy / N - (sy / N) * (sy / N)));
    assert_true(fabs(corr) < 0.03); /* ~4 standard errors */
}

static void test_uniform(void **state)
{
    (void)state;
    enum { N = 1000000, B = 100 };
    irq_rng r;
    irq_rng_seed(&r, 123, "uniform", 0);
    unsigned counts[B] = {0};
    double sum = 0;
    for (int i = 0; i < N; i++) {
        double u = irq_rng_uniform(&r);
        assert_true(u >= 0.0 && u < 1.0);
        sum += u;
        counts[(int)(u * B)]++;
    }
    /* Mean of U(0,1): sd of the mean is 0.29 / 1000. */
    assert_true(fabs(sum / N - 0.5) < 0.002);
    /* Chi-square with 99 degrees of freedom: mean 99, sd 14; 160 is beyond
     * the 99.99th percentile. */
    double chi2 = 0, expect = (double)N / B;
    for (int b = 0; b < B; b++)
        chi2 += (counts[b] - expect) * (counts[b] - expect) / expect;
    assert_true(chi2 < 160.0);
    assert_true(chi2 > 50.0); /* too good to be random is suspicious too */

    for (int i = 0; i < 10000; i++) {
        double u = irq_rng_uniform_pos(&r);
        assert_true(u > 0.0 && u <= 1.0);
    }
}

static void test_below(void **state)
{
    (void)state;
    irq_rng r;
    irq_rng_seed(&r, 5, "below", 0);
    assert_int_equal(irq_rng_below(&r, 1), 0);
    const uint64_t ns[] = {2,         3, 7, 10, 1000, (UINT64_C(1) << 32) + 1, UINT64_MAX / 3 * 2,
                           UINT64_MAX};
    for (size_t k = 0; k < sizeof ns / sizeof *ns; k++)
        for (int i = 0; i < 20000; i++)
            assert_true(irq_rng_below(&r, ns[k]) < ns[k]);
    /* Every value of a small range appears, about equally often. */
    enum { N = 600000, M = 6 };
    unsigned counts[M] = {0};
    for (int i = 0; i < N; i++)
        counts[irq_rng_below(&r, M)]++;
    for (int m = 0; m < M; m++)
        assert_true(fabs((double)counts[m] - N / M) < 5 * sqrt(N / M));
    /* Large n: the top half is hit about half of the time (no modulo bias
     * towards small values). */
    uint64_t n = UINT64_MAX / 3 * 2, high = 0;
    for (int i = 0; i < 100000; i++)
        high += irq_rng_below(&r, n) >= n / 2;
    assert_true(fabs((double)high - 50000) < 1000);
}

static void test_normal(void **state)
{
    (void)state;
    enum { N = 400000 };
    irq_rng r;
    irq_rng_seed(&r, 6, "normal", 0);
    double sum = 0, sumsq = 0;
    int beyond2 = 0;
    for (int i = 0; i < N; i++) {
        double x = irq_rng_normal(&r);
        assert_true(isfinite(x));
        sum += x;
        sumsq += x * x;
        beyond2 += fabs(x) > 2.0;
    }
    double mean = sum / N, var = sumsq / N - mean * mean;
    assert_true(fabs(mean) < 0.01);
    assert_true(fabs(var - 1.0) < 0.01);
    /* P(|X| > 2) = 0.0455 */
    assert_true(fabs((double)beyond2 / N - 0.0455) < 0.002);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_same_inputs_same_sequence),
        cmocka_unit_test(test_streams_differ),
        cmocka_unit_test(test_uniform),
        cmocka_unit_test(test_below),
        cmocka_unit_test(test_normal),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
