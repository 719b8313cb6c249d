/* Log-linear histogram for latencies (in cycles), in two resolutions:
 *
 * - fine (irq_hist_init): 2^IRQ_HIST_SUB_BITS = 128 linear sub-buckets per
 *   power of two, 64-bit counts, one 1 KiB row allocated per power of two
 *   seen. Any percentile is within 1/256 of an exact one. Used for the few
 *   simulation-wide histograms (all interrupts, per class).
 * - compact (irq_hist_init_compact): 2^IRQ_HIST_COMPACT_SUB_BITS = 64
 *   sub-buckets per power of two (each the union of two fine buckets), so any
 *   percentile is within 1/128 < 1% of an exact one. One block holds every
 *   value below 2^IRQ_HIST_NEAR_BITS cycles, allocated by the first sample,
 *   and one the values above (only if such a value is ever seen). A block
 *   keeps the low 8 bits of each count (64 bytes a row) and, for the rows
 *   where a count passed 255, a row of 16 high bits (128 bytes); room for
 *   IRQ_HIST_HI_ROWS such rows comes with the block (the near block: 27 rows,
 *   2,268 bytes), and it doubles when more rows need it (at most once per
 *   row). Latencies crowd into a few rows (measured on many-guests: 0.1 rows
 *   per guest with a count above 255 after 0.25 s, 2.6 after 5 s), so a
 *   guest's histogram stays at that size. A count that passes 2^24 - 1 widens
 *   the block, once, to 32-bit counts, with high words only when one passes
 *   2^32 - 1. Memory is therefore independent of how spread the latencies
 *   are and, beyond those bounded steps, of how long the simulation runs.
 *   Used per guest, where there are thousands.
 *
 * Values below the sub-bucket count are exact in both resolutions. */
#ifndef IRQ_HIST_INTERNAL_H
#define IRQ_HIST_INTERNAL_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#define IRQ_HIST_SUB_BITS 7
#define IRQ_HIST_SUB (1u << IRQ_HIST_SUB_BITS)
#define IRQ_HIST_ROWS (64 - IRQ_HIST_SUB_BITS + 1)

#define IRQ_HIST_COMPACT_SUB_BITS 6
#define IRQ_HIST_COMPACT_SUB (1u << IRQ_HIST_COMPACT_SUB_BITS)
#define IRQ_HIST_COMPACT_ROWS (64 - IRQ_HIST_COMPACT_SUB_BITS + 1)
/* The compact histogram's first block holds values below 2^IRQ_HIST_NEAR_BITS
 * cycles (0.8 s at 5.2 GHz): every latency of an ordinary run. */
#define IRQ_HIST_NEAR_BITS 32
#define IRQ_HIST_NEAR_ROWS (IRQ_HIST_NEAR_BITS - IRQ_HIST_COMPACT_SUB_BITS + 1)
/* Rows of high count bits reserved with a compact block. */
#define IRQ_HIST_HI_ROWS 4

typedef struct irq_hist {
    /* fine: IRQ_HIST_ROWS row pointers (NULL until a value needs the table;
     * row 0 holds values < IRQ_HIST_SUB, exact) */
    uint64_t **rows;
    /* compact: the counts of the near and far blocks. small: the low bytes
     * of all counts, then a byte per row (0, or 1 + its high row), then
     * nhi of khi rows of high 16 bits; until one passes 2^24 - 1, then
     * 32-bit (lo), with high words (hi) only once one passes 2^32 - 1 */
    uint8_t *small[2];
    uint32_t *lo[2], *hi[2];
    uint8_t nhi[2], khi[2];
    bool compact; /* here, not last: no padding (there is one per guest) */
    uint64_t count;
    uint64_t min, max;
    double sum;
} irq_hist;

void irq_hist_init(irq_hist *h);
void irq_hist_init_compact(irq_hist *h);
void irq_hist_free(irq_hist *h); /* leaves h empty, in the same resolution */

/* The bucket of v, numbered row * 2^b + column (with 2^b sub-buckets per
 * power of two; see hist.c): shift is how far v's top bit lies above bit b
 * (0 below 2^(b+1)), so v >> shift is 2^b plus the column in row shift + 1,
 * or the column itself in row 0 (v < 2^b). Branch-free, for the hot path. */
static inline uint64_t irq__hist_bucket(uint64_t v, unsigned b)
{
    unsigned shift = (unsigned)(63 - __builtin_clzll(v | UINT64_C(1) << b)) - b;
    return ((uint64_t)shift << b) + (v >> shift);
}

/* Folds one sample into count, min, max and sum. */
static inline void irq__hist_note1(irq_hist *h, uint64_t v)
{
    if (h->count == 0 || v < h->min)
        h->min = v;
    if (h->count == 0 || v > h->max)
        h->max = v;
    h->count++;
    h->sum += (double)v;
}

/* irq_hist_add when the bucket's storage is missing or its count carries
 * out of what it holds. */
int irq__hist_add_slow(irq_hist *h, uint64_t v);

/* Adds a sample: 0, or -1 when out of memory. Inline, since each delivered
 * interrupt adds 7 (its guest, class, all guests, the 4 latency parts): the
 * common case is one increment where the bucket's row (fine) or low byte
 * (compact, below 255) is there; the rest is out of line. */
static inline __attribute__((always_inline)) int irq_hist_add(irq_hist *h, uint64_t v)
{
    if (!h->compact) {
        uint64_t i = irq__hist_bucket(v, IRQ_HIST_SUB_BITS);
        uint64_t *row = h->rows ? h->rows[i >> IRQ_HIST_SUB_BITS] : NULL;
        if (row) {
            row[i & (IRQ_HIST_SUB - 1)]++;
            irq__hist_note1(h, v);
            return 0;
        }
    } else {
        uint64_t i = irq__hist_bucket(v, IRQ_HIST_COMPACT_SUB_BITS);
        const uint64_t near = (uint64_t)IRQ_HIST_NEAR_ROWS * IRQ_HIST_COMPACT_SUB;
        int s = i >= near;
        uint8_t *low = h->small[s] ? h->small[s] + (s ? i - near : i) : NULL;
        if (low && *low != UINT8_MAX) { /* no carry into a high row */
            ++*low;
            irq__hist_note1(h, v);
            return 0;
        }
    }
    return irq__hist_add_slow(h, v);
}

/* Adds src's samples to dst. dst must be as coarse as src or coarser (fine
 * into fine or compact, compact into compact); -1 otherwise or when out of
 * memory, with dst unchanged. */
int irq_hist_merge(irq_hist *dst, const irq_hist *src);
/* q in [0, 1]; the value below which a fraction q of samples lies
 * (nearest-rank). 0 when empty. */
uint64_t irq_hist_quantile(const irq_hist *h, double q);
double irq_hist_mean(const irq_hist *h);

/* Iterates non-empty buckets in increasing order: (lower bound, upper bound
 * exclusive, count). Returns the number of buckets visited. */
typedef void (*irq_hist_visit_fn)(void *ud, uint64_t lo, uint64_t hi, uint64_t count);
unsigned irq_hist_each(const irq_hist *h, irq_hist_visit_fn fn, void *ud);

/* Bytes of counts the histogram holds (for tests and memory accounting). */
uint64_t irq_hist_bytes(const irq_hist *h);

#endif
