/* Distributions of durations, written in scenarios as e.g. exp(200us),
 * uniform(1us, 5us), const(50us), normal(mean=10us, sd=2us),
 * lognormal(mean=40us, sd=10us), empirical(samples.txt).
 * Parameters are converted to cycles once, at load. Samples are cycles. */
#ifndef IRQ_DIST_INTERNAL_H
#define IRQ_DIST_INTERNAL_H

#include <math.h>
#include <stddef.h>
#include <stdint.h>

#include "rng_internal.h"

typedef enum irq_dist_kind {
    IRQ_DIST_CONST,
    IRQ_DIST_EXP,
    IRQ_DIST_UNIFORM,
    IRQ_DIST_NORMAL,    /* truncated at 0 */
    IRQ_DIST_LOGNORMAL, /* mean and sd of the distribution itself */
    IRQ_DIST_EMPIRICAL, /* uniform pick among the samples of a file */
} irq_dist_kind;

typedef struct irq_dist {
    irq_dist_kind kind;
    double a, b;      /* cycles: const a; exp mean a; uniform [a, b]; normal mean a sd b */
    double mu, sigma; /* lognormal: parameters of the underlying normal */
    double *samples;  /* empirical, cycles; owned */
    size_t nsamples;
} irq_dist;

/* Parses a duration such as "200us", "1.5 ms", "3000 cycles", "0".
 * A bare number other than 0 is refused (units are required).
 * On error returns -1 and writes a reason ("expected ...") to why. */
int irq_parse_duration(const char *text, double clock_hz, double *cycles, char *why, size_t whylen);

/* Parses a rate such as "2000/s", "2k/s", "1/ms", "0.5/us" into events per
 * cycle. On error returns -1 with a reason. */
int irq_parse_rate(const char *text, double clock_hz, double *per_cycle, char *why, size_t whylen);

/* Parses a distribution. base_dir resolves relative file names of
 * empirical(). On error returns -1 with a reason; *d is then empty. */
int irq_dist_parse(irq_dist *d, const char *text, double clock_hz, const char *base_dir, char *why,
                   size_t whylen);
void irq_dist_const(irq_dist *d, double cycles);

/* Rounds to the nearest cycle; negative or NaN values become 0 and values
 * beyond the range saturate, so callers always get a usable delay. Arrival
 * times (arrival.c) round the same way. */
static inline uint64_t irq__dist_cycles(double x)
{
    if (!(x > 0.0))
        return 0;
    if (x >= 0x1.0p64)
        return UINT64_MAX;
    return (uint64_t)(x + 0.5);
}

static inline uint64_t irq__dist_sample_exp(const irq_dist *d, irq_rng *r)
{
    return irq__dist_cycles(-d->a * log(irq_rng_uniform_pos(r)));
}

/* irq_dist_sample's kinds but the exponential, the one of the hot path's
 * handler, busy and idle durations in most scenarios (dist.c). */
uint64_t irq__dist_sample_other(const irq_dist *d, irq_rng *r);

/* A sample in cycles. Inline: one call less per sample when exponential. */
static inline uint64_t irq_dist_sample(const irq_dist *d, irq_rng *r)
{
    if (d->kind == IRQ_DIST_EXP)
        return irq__dist_sample_exp(d, r);
    return irq__dist_sample_other(d, r);
}
double irq_dist_mean(const irq_dist *d);
void irq_dist_free(irq_dist *d);
/* Writes a normalised textual form (in the units it was written in is not
 * kept: cycles are printed) for reports. */
void irq_dist_describe(const irq_dist *d, char *buf, size_t len);

#endif
