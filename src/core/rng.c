/* Seeding and the non-inline draws of the xoshiro256** generator. */
#include "rng_internal.h"

#include <math.h>

/* splitmix64: the generator the xoshiro authors recommend for filling the
 * state, because even similar inputs give well-spread, decorrelated outputs. */
static uint64_t splitmix64(uint64_t *x)
{
    uint64_t z = (*x += 0x9e3779b97f4a7c15u);
    z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9u;
    z = (z ^ (z >> 27)) * 0x94d049bb133111ebu;
    return z ^ (z >> 31);
}

/* FNV-1a 64: cheap and good enough to tell stream names apart; splitmix64
 * then does the real mixing. */
static uint64_t fnv1a64(const char *s)
{
    uint64_t h = 0xcbf29ce484222325u;
    for (; s && *s; s++) {
        h ^= (unsigned char)*s;
        h *= 0x100000001b3u;
    }
    return h;
}

void irq_rng_seed(irq_rng *r, uint64_t seed, const char *stream, uint64_t index)
{
    /* Each input goes through a splitmix64 round before being combined, so
     * nearby seeds, names and indices (0, 1, 2, ...) land far apart. */
    uint64_t x = seed;
    uint64_t k = splitmix64(&x);
    x = k ^ fnv1a64(stream);
    k = splitmix64(&x);
    x = k ^ (index * 0xd1342543de82ef95u + 0x2545f4914f6cdd1du);
    k = splitmix64(&x);
    x = k;
    for (int i = 0; i < 4; i++)
        r->s[i] = splitmix64(&x);
    /* The all-zero state is xoshiro's only fixed point. */
    if ((r->s[0] | r->s[1] | r->s[2] | r->s[3]) == 0)
        r->s[0] = 1;
}

/* Lemire's multiply-shift with rejection: exact (no bias at all) and
 * almost never needs a second draw or a division. */
uint64_t irq_rng_below(irq_rng *r, uint64_t n)
{
    __extension__ typedef unsigned __int128 u128;
    u128 m = (u128)irq_rng_next(r) * n;
    uint64_t lo = (uint64_t)m;
    if (lo < n) {
        uint64_t threshold = -n % n; /* 2^64 mod n */
        while (lo < threshold) {
            m = (u128)irq_rng_next(r) * n;
            lo = (uint64_t)m;
        }
    }
    return (uint64_t)(m >> 64);
}

/* Marsaglia's polar method. The second value of each pair is thrown away on
 * purpose: caching it would need state outside the four xoshiro words, and
 * a draw would then depend on how many normals were drawn before. */
double irq_rng_normal(irq_rng *r)
{
    double u, v, s;
    do {
        u = 2.0 * irq_rng_uniform(r) - 1.0;
        v = 2.0 * irq_rng_uniform(r) - 1.0;
        s = u * u + v * v;
    } while (s >= 1.0 || s == 0.0);
    return u * sqrt(-2.0 * log(s) / s);
}
