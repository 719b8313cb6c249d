/* xoshiro256** with independent streams.
 *
 * A stream is seeded from (scenario seed, stream name, index) through a
 * hash and splitmix64, so each entity (a source instance, a vCPU's workload,
 * a model part) draws its own sequence: changing one part of a scenario
 * leaves the others' sequences unchanged (common random numbers). */
#ifndef IRQ_RNG_INTERNAL_H
#define IRQ_RNG_INTERNAL_H

#include <stdint.h>

typedef struct irq_rng {
    uint64_t s[4];
} irq_rng;

void irq_rng_seed(irq_rng *r, uint64_t seed, const char *stream, uint64_t index);

static inline uint64_t irq_rng_rotl(uint64_t x, int k)
{
    return (x << k) | (x >> (64 - k));
}

static inline uint64_t irq_rng_next(irq_rng *r)
{
    uint64_t *s = r->s;
    uint64_t result = irq_rng_rotl(s[1] * 5, 7) * 9;
    uint64_t t = s[1] << 17;
    s[2] ^= s[0];
    s[3] ^= s[1];
    s[1] ^= s[2];
    s[0] ^= s[3];
    s[2] ^= t;
    s[3] = irq_rng_rotl(s[3], 45);
    return result;
}

/* Uniform in [0, 1), 53 bits. */
static inline double irq_rng_uniform(irq_rng *r)
{
    return (double)(irq_rng_next(r) >> 11) * 0x1.0p-53;
}

/* Uniform in (0, 1]: safe for log(). */
static inline double irq_rng_uniform_pos(irq_rng *r)
{
    return (double)((irq_rng_next(r) >> 11) + 1) * 0x1.0p-53;
}

/* Uniform integer in [0, n), n > 0, without modulo bias worth noting. */
uint64_t irq_rng_below(irq_rng *r, uint64_t n);
double irq_rng_normal(irq_rng *r); /* standard normal */

#endif
