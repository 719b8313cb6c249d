/* Sampling of duration distributions (parsing lives in dist_parse.c). */
#include "dist_internal.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>

/* A truncated normal is sampled by rejection; after this many negative draws
 * (only plausible when the mean is many sd below 0) the sample is 0. */
#define NORMAL_MAX_TRIES 64

/* 1/sqrt(2 pi): M_PI is not C11. */
#define INV_SQRT_2PI 0.39894228040143267794

void irq_dist_const(irq_dist *d, double cycles)
{
    *d = (irq_dist){.kind = IRQ_DIST_CONST, .a = cycles};
}

static double sample_normal(const irq_dist *d, irq_rng *r)
{
    for (int i = 0; i < NORMAL_MAX_TRIES; i++) {
        double x = d->a + d->b * irq_rng_normal(r);
        if (x >= 0.0)
            return x;
    }
    return 0.0;
}

static double sample_empirical(const irq_dist *d, irq_rng *r)
{
    if (d->nsamples == 0)
        return 0.0;
    return d->samples[irq_rng_below(r, d->nsamples)];
}

uint64_t irq__dist_sample_other(const irq_dist *d, irq_rng *r)
{
    switch (d->kind) {
    case IRQ_DIST_CONST:
        return irq__dist_cycles(d->a);
    case IRQ_DIST_EXP:
        return irq__dist_sample_exp(d, r);
    case IRQ_DIST_UNIFORM:
        return irq__dist_cycles(d->a + (d->b - d->a) * irq_rng_uniform(r));
    case IRQ_DIST_NORMAL:
        return irq__dist_cycles(sample_normal(d, r));
    case IRQ_DIST_LOGNORMAL:
        return irq__dist_cycles(exp(d->mu + d->sigma * irq_rng_normal(r)));
    case IRQ_DIST_EMPIRICAL:
        return irq__dist_cycles(sample_empirical(d, r));
    }
    return 0;
}

/* Mean of the normal truncated at 0: a + b * phi(a/b) / Phi(a/b). */
static double truncated_normal_mean(double a, double b)
{
    if (b <= 0.0)
        return a > 0.0 ? a : 0.0;
    double z = a / b;
    double pdf = exp(-0.5 * z * z) * INV_SQRT_2PI;
    double cdf = 0.5 * erfc(-z / sqrt(2.0));
    if (cdf < 1e-300) /* mean hopelessly below 0: the sampler returns 0 */
        return 0.0;
    return a + b * pdf / cdf;
}

static double empirical_mean(const irq_dist *d)
{
    double sum = 0.0;
    for (size_t i = 0; i < d->nsamples; i++)
        sum += d->samples[i];
    return d->nsamples ? sum / (double)d->nsamples : 0.0;
}

/* Analytic mean of what irq_dist_sample draws (before rounding to cycles).
 * For the normal it is the mean of the distribution truncated at 0, which
 * is what rejection sampling produces. */
double irq_dist_mean(const irq_dist *d)
{
    switch (d->kind) {
    case IRQ_DIST_CONST:
    case IRQ_DIST_EXP:
        return d->a;
    case IRQ_DIST_UNIFORM:
        return 0.5 * (d->a + d->b);
    case IRQ_DIST_NORMAL:
        return truncated_normal_mean(d->a, d->b);
    case IRQ_DIST_LOGNORMAL:
        return exp(d->mu + 0.5 * d->sigma * d->sigma);
    case IRQ_DIST_EMPIRICAL:
        return empirical_mean(d);
    }
    return 0.0;
}

void irq_dist_free(irq_dist *d)
{
    free(d->samples);
    d->samples = NULL;
    d->nsamples = 0;
}

static double lognormal_sd(const irq_dist *d)
{
    double s2 = d->sigma * d->sigma;
    return sqrt(expm1(s2) * exp(2.0 * d->mu + s2));
}

void irq_dist_describe(const irq_dist *d, char *buf, size_t len)
{
    if (!buf || len == 0)
        return;
    switch (d->kind) {
    case IRQ_DIST_CONST:
        snprintf(buf, len, "const(%.10g cycles)", d->a);
        return;
    case IRQ_DIST_EXP:
        snprintf(buf, len, "exp(mean=%.10g cycles)", d->a);
        return;
    case IRQ_DIST_UNIFORM:
        snprintf(buf, len, "uniform(%.10g cycles, %.10g cycles)", d->a, d->b);
        return;
    case IRQ_DIST_NORMAL:
        snprintf(buf, len, "normal(mean=%.10g cycles, sd=%.10g cycles)", d->a, d->b);
        return;
    case IRQ_DIST_LOGNORMAL:
        snprintf(buf, len, "lognormal(mean=%.10g cycles, sd=%.10g cycles)", irq_dist_mean(d),
                 lognormal_sd(d));
        return;
    case IRQ_DIST_EMPIRICAL:
        snprintf(buf, len, "empirical(%zu samples, mean=%.10g cycles)", d->nsamples,
                 empirical_mean(d));
        return;
    }
    snprintf(buf, len, "unknown");
}
