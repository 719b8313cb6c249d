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
 *   is a pool of byte rows (IRQ_HIST_COMPACT_SUB bytes each; room for 8 at
 *   first, 2 more at a time) and three maps saying which pool row holds
 *   bits 0-7, 8-15 and 16-23 of each row's counts: a row (power of two) takes
 *   its first pool row at its first sample, its second when one of its
 *   counts passes 255, its third past 65,535. Latencies crowd into a dozen of
 *   the near block's 27 rows (many-guests, 1,000 guests: 3 to 18 rows and
 *   rarely a count above 255 at 0.25 s; 11 to 19 rows, 3 to 5 of them with
 *   counts above 255, at 16 s). Its size is bounded by its rows (every row
 *   with three pool rows: 5,267 bytes for the near block): it grows, in
 *   bounded steps, as the latencies spread and as counts need more than a
 *   byte. A count that passes 2^24 - 1 widens the block, once, to 32-bit
 *   counts of every row, with high words only when one passes 2^32 - 1.
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
/* Compact buckets the near block holds (the first ones; the far block the
 * rest). */
#define IRQ__HIST_NEAR_BUCKETS ((size_t)IRQ_HIST_NEAR_ROWS * IRQ_HIST_COMPACT_SUB)
/* A compact block's rows: the near block's, and the far block's. */
#define IRQ__HIST_BLOCK_ROWS(s)                                                                    \
    ((s) ? IRQ_HIST_COMPACT_ROWS - IRQ_HIST_NEAR_ROWS : IRQ_HIST_NEAR_ROWS)
/* A small block (hist.c) begins with this many header bytes, then, for
 * each of the three bytes of a count (low first), a byte per row of the
 * block: 0, or k when the k-th pool row (of IRQ_HIST_COMPACT_SUB bytes)
 * holds that byte of the row's counts; the pool begins at
 * irq__hist_pool_offset. */
#define IRQ__HIST_SB_HEAD 2
/* Bytes of a count a small block holds (24 bits). */
#define IRQ__HIST_SB_BYTES 3

typedef struct irq_hist {
    /* fine: IRQ_HIST_ROWS row pointers (NULL until a value needs the table;
     * row 0 holds values < IRQ_HIST_SUB, exact) */
    uint64_t **rows;
    /* compact: the counts of the near and far blocks. small: the rows
     * with a sample, as rows of count bytes (layout in hist.c);
     * until a count passes 2^24 - 1, then 32-bit counts of every row (lo),
     * with high words (hi) only once one passes 2^32 - 1 */
    uint8_t *small[2];
    uint32_t *lo[2], *hi[2];
    bool compact;
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

/* The block (0 near, 1 far) of compact bucket i (irq__hist_bucket), and in
 * *j the bucket's index within it. */
static inline int irq__hist_block_of(uint64_t i, size_t *j)
{
    int s = i >= IRQ__HIST_NEAR_BUCKETS;
    *j = (size_t)(s ? i - IRQ__HIST_NEAR_BUCKETS : i);
    return s;
}

/* Folds count samples with the given min, max and sum into the summary. */
static inline void irq__hist_note(irq_hist *h, uint64_t count, uint64_t min, uint64_t max,
                                  double sum)
{
    if (h->count == 0 || min < h->min)
        h->min = min;
    if (h->count == 0 || max > h->max)
        h->max = max;
    h->count += count;
    h->sum += sum;
}

/* Folds one sample into the summary. */
static inline void irq__hist_note1(irq_hist *h, uint64_t v)
{
    irq__hist_note(h, 1, v, v, (double)v);
}

/* Where a small block's pool of byte rows begins. */
static inline size_t irq__hist_pool_offset(int s)
{
    return IRQ__HIST_SB_HEAD + IRQ__HIST_SB_BYTES * (size_t)IRQ__HIST_BLOCK_ROWS(s);
}

/* Small block s's map for byte `byte` (0 low, 1 bits 8-15, 2 bits 16-23)
 * of the counts: a byte per row, 0 or k (the k-th pool row holds that byte
 * of the row's counts). */
static inline uint8_t *irq__hist_byte_map(const irq_hist *h, int s, unsigned byte)
{
    return h->small[s] + IRQ__HIST_SB_HEAD + (size_t)byte * IRQ__HIST_BLOCK_ROWS(s);
}
/* The pool row holding byte `byte` of the counts of row `row` (0-based
 * within the block), or NULL while that byte is 0 in every count of the
 * row (byte 0: while the row has no sample). */
static inline uint8_t *irq__hist_byte_row(const irq_hist *h, int s, unsigned byte, size_t row)
{
    unsigned k = irq__hist_byte_map(h, s, byte)[row];
    if (k == 0)
        return NULL;
    return h->small[s] + irq__hist_pool_offset(s) + (size_t)(k - 1) * IRQ_HIST_COMPACT_SUB;
}

/* The count bytes of row `row` of small block s, or NULL while that row has
 * no sample. */
static inline uint8_t *irq__hist_low_row(const irq_hist *h, int s, size_t row)
{
    return irq__hist_byte_row(h, s, 0, row);
}

/* irq_hist_add when the bucket's storage is missing or its count carries
 * out of what it holds. */
int irq__hist_add_slow(irq_hist *h, uint64_t v);

/* Adds a sample: 0, or -1 when out of memory. Inline, since each delivered
 * interrupt adds 7 (its guest, class, all guests, the 4 latency parts): the
 * common case is one increment where the bucket's row (fine) or low byte
 * (compact: its row there, the byte below 255) is there; the rest is out
 * of line. */
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
        size_t j;
        int s = irq__hist_block_of(irq__hist_bucket(v, IRQ_HIST_COMPACT_SUB_BITS), &j);
        uint8_t *row = h->small[s] ? irq__hist_low_row(h, s, j >> IRQ_HIST_COMPACT_SUB_BITS) : NULL;
        if (row && row[j & (IRQ_HIST_COMPACT_SUB - 1)] != UINT8_MAX) { /* no carry to bits 8-15 */
            row[j & (IRQ_HIST_COMPACT_SUB - 1)]++;
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
