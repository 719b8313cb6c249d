/* Tests of distribution sampling: sample means against the analytic ones,
 * ranges, truncation of the normal, rounding, descriptions. The structs are
 * built directly (parsing is tested with the parser). */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "dist_internal.h"

enum { SAMPLES = 200000 };

typedef struct stats {
    double mean, sd;
    uint64_t min, max;
} stats;

static stats sample_stats(const irq_dist *d, const char *stream)
{
    irq_rng r;
    irq_rng_seed(&r, 11, stream, 0);
    stats s = {.min = UINT64_MAX};
    double sum = 0, sumsq = 0;
    for (int i = 0; i < SAMPLES; i++) {
        uint64_t x = irq_dist_sample(d, &r);
        sum += (double)x;
        sumsq += (double)x * (double)x;
        if (x < s.min)
            s.min = x;
        if (x > s.max)
            s.max = x;
    }
    s.mean = sum / SAMPLES;
    s.sd = sqrt(sumsq / SAMPLES - s.mean * s.mean);
    return s;
}

static void assert_close(double got, double want, double rel)
{
    if (fabs(got - want) > rel * fabs(want))
        fail_msg("got %.6g, want %.6g within %.3g%%", got, want, 100 * rel);
}

/* The sample mean is within 5 standard errors of the analytic mean, and
 * irq_dist_mean agrees with `want`. */
static stats check_mean(const irq_dist *d, const char *stream, double want, double sd)
{
    stats s = sample_stats(d, stream);
    assert_close(irq_dist_mean(d), want, 1e-6); /* normal: truncation shifts it by 3e-7 */
    double tol = 5 * sd / sqrt(SAMPLES) + 0.5;  /* + rounding to cycles */
    if (fabs(s.mean - want) > tol)
        fail_msg("%s: sample mean %.6g, want %.6g +- %.3g", stream, s.mean, want, tol);
    return s;
}

static void test_const(void **state)
{
    (void)state;
    irq_dist d;
    irq_dist_const(&d, 1234.4);
    stats s = check_mean(&d, "const", 1234.4, 0.0);
    assert_int_equal(s.min, 1234);
    assert_int_equal(s.max, 1234);
    irq_dist_const(&d, 1234.5); /* rounds to nearest, halves up */
    irq_rng r;
    irq_rng_seed(&r, 1, "const", 0);
    assert_int_equal(irq_dist_sample(&d, &r), 1235);
    irq_dist_const(&d, 0);
    assert_int_equal(irq_dist_sample(&d, &r), 0);
    irq_dist_const(&d, -5); /* never negative */
    assert_int_equal(irq_dist_sample(&d, &r), 0);
}

static void test_exp(void **state)
{
    (void)state;
    irq_dist d = {.kind = IRQ_DIST_EXP, .a = 400000};
    stats s = check_mean(&d, "exp", 400000, 400000);
    assert_close(s.sd, 400000, 0.02);
    assert_true(s.max > 10 * 400000); /* the tail is there */
}

static void test_uniform(void **state)
{
    (void)state;
    irq_dist d = {.kind = IRQ_DIST_UNIFORM, .a = 1000, .b = 5000};
    stats s = check_mean(&d, "uniform", 3000, 4000 / sqrt(12));
    assert_true(s.min >= 1000 && s.min < 1010);
    assert_true(s.max <= 5000 && s.max > 4990);
    assert_close(s.sd, 4000 / sqrt(12), 0.01);
}

static void test_normal(void **state)
{
    (void)state;
    irq_dist d = {.kind = IRQ_DIST_NORMAL, .a = 10000, .b = 2000};
    stats s = check_mean(&d, "normal", 10000, 2000);
    assert_close(s.sd, 2000, 0.02);
}

/* Mean 0.5 sd below 0: most draws are rejected and redrawn. The samples
 * follow the truncated distribution, whose mean irq_dist_mean reports. */
static void test_normal_truncated(void **state)
{
    (void)state;
    irq_dist d = {.kind = IRQ_DIST_NORMAL, .a = -500, .b = 1000};
    /* a + b phi(z) / Phi(z), z = a / b = -0.5 */
    double z = -0.5, phi = exp(-z * z / 2) / sqrt(2 * 3.14159265358979323846);
    double Phi = 0.5 * erfc(-z / sqrt(2.0));
    double want = -500 + 1000 * phi / Phi;
    stats s = check_mean(&d, "normal-trunc", want, 1000);
    /* A negative draw leaking through would wrap to a huge value. */
    assert_true(s.max < 10000);

    /* Hopeless truncation (mean 100 sd below 0): clamped to 0, not stuck. */
    irq_dist far = {.kind = IRQ_DIST_NORMAL, .a = -100000, .b = 1000};
    stats f = sample_stats(&far, "normal-far");
    assert_int_equal(f.max, 0);
    assert_true(irq_dist_mean(&far) >= 0.0);
}

static void test_lognormal(void **state)
{
    (void)state;
    double mean = 40000, sd = 10000;
    double s2 = log(1 + sd * sd / (mean * mean));
    irq_dist d = {.kind = IRQ_DIST_LOGNORMAL, .mu = log(mean) - s2 / 2, .sigma = sqrt(s2)};
    stats s = check_mean(&d, "lognormal", mean, sd);
    assert_close(s.sd, sd, 0.03);
    assert_true(s.min > 0);
}

static void test_empirical(void **state)
{
    (void)state;
    static const double values[] = {10, 20, 30, 1000.4};
    irq_dist d = {.kind = IRQ_DIST_EMPIRICAL, .nsamples = 4};
    d.samples = malloc(sizeof values);
    assert_non_null(d.samples);
    memcpy(d.samples, values, sizeof values);
    double want = (10 + 20 + 30 + 1000.4) / 4;
    check_mean(&d, "empirical", want, 430);
    /* Only the listed values (rounded) come out, each about 1/4 of the time. */
    irq_rng r;
    irq_rng_seed(&r, 2, "empirical", 0);
    unsigned counts[4] = {0};
    for (int i = 0; i < 40000; i++) {
        uint64_t x = irq_dist_sample(&d, &r);
        int k = x == 10 ? 0 : x == 20 ? 1 : x == 30 ? 2 : x == 1000 ? 3 : -1;
        assert_true(k >= 0);
        counts[k]++;
    }
    for (int k = 0; k < 4; k++)
        assert_true(counts[k] > 9500 && counts[k] < 10500);
    irq_dist_free(&d);
    assert_null(d.samples);
    assert_int_equal(d.nsamples, 0);
    irq_dist_free(&d); /* twice is harmless */
}

static void test_same_stream_same_samples(void **state)
{
    (void)state;
    irq_dist d = {.kind = IRQ_DIST_LOGNORMAL, .mu = 8, .sigma = 0.5};
    irq_rng a, b;
    irq_rng_seed(&a, 3, "same", 1);
    irq_rng_seed(&b, 3, "same", 1);
    for (int i = 0; i < 1000; i++)
        assert_int_equal(irq_dist_sample(&d, &a), irq_dist_sample(&d, &b));
}

static void test_describe(void **state)
{
    (void)state;
    char buf[128];
    irq_dist d = {.kind = IRQ_DIST_EXP, .a = 400000};
    irq_dist_describe(&d, buf, sizeof buf);
    assert_string_equal(buf, "exp(mean=400000 cycles)");
    irq_dist_const(&d, 50);
    irq_dist_describe(&d, buf, sizeof buf);
    assert_string_equal(buf, "const(50 cycles)");
    d = (irq_dist){.kind = IRQ_DIST_UNIFORM, .a = 1000, .b = 5000};
    irq_dist_describe(&d, buf, sizeof buf);
    assert_string_equal(buf, "uniform(1000 cycles, 5000 cycles)");
    d = (irq_dist){.kind = IRQ_DIST_NORMAL, .a = 10000, .b = 2000};
    irq_dist_describe(&d, buf, sizeof buf);
    assert_string_equal(buf, "normal(mean=10000 cycles, sd=2000 cycles)");
    /* Lognormal is described by its own mean and sd, as it is written. */
    double s2 = log(1 + 0.25 * 0.25);
    d = (irq_dist){.kind = IRQ_DIST_LOGNORMAL, .mu = log(40000) - s2 / 2, .sigma = sqrt(s2)};
    irq_dist_describe(&d, buf, sizeof buf);
    assert_string_equal(buf, "lognormal(mean=40000 cycles, sd=10000 cycles)");
    /* Truncated, never overflowing. */
    char tiny[6];
    d = (irq_dist){.kind = IRQ_DIST_EXP, .a = 400000};
    irq_dist_describe(&d, tiny, sizeof tiny);
    assert_string_equal(tiny, "exp(m");
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_const),
        cmocka_unit_test(test_exp),
        cmocka_unit_test(test_uniform),
        cmocka_unit_test(test_normal),
        cmocka_unit_test(test_normal_truncated),
        cmocka_unit_test(test_lognormal),
        cmocka_unit_test(test_empirical),
        cmocka_unit_test(test_same_stream_same_samples),
        cmocka_unit_test(test_describe),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
