/* Log-linear histogram. With S = 2^b sub-buckets per power of two (b = 7 fine,
 * 6 compact), row 0 holds values below S exactly; row r >= 1 holds
 * [2^(r+b-1), 2^(r+b)) in S buckets of width 2^(r-1). A bucket is thus at most
 * 1/S of its lower bound wide, and its midpoint is within 1/(2S) of any value
 * in it. A compact bucket is the union of two fine ones (row r, columns 2c and
 * 2c+1 of the fine row r-1), so fine histograms merge into compact ones. */
#include "hist_internal.h"

#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#define FAR_BUCKETS ((size_t)(IRQ_HIST_COMPACT_ROWS - IRQ_HIST_NEAR_ROWS) * IRQ_HIST_COMPACT_SUB)
/* A small block's counts: up to three bytes (hist_internal.h). */
#define SMALL_MAX ((UINT64_C(1) << 24) - 1)

void irq_hist_init(irq_hist *h)
{
    memset(h, 0, sizeof *h);
}

void irq_hist_init_compact(irq_hist *h)
{
    memset(h, 0, sizeof *h);
    h->compact = true;
}

void irq_hist_free(irq_hist *h)
{
    if (h->rows)
        for (unsigned r = 0; r < IRQ_HIST_ROWS; r++)
            free(h->rows[r]);
    free(h->rows);
    for (int s = 0; s < 2; s++) {
        free(h->small[s]);
        free(h->lo[s]);
        free(h->hi[s]);
    }
    bool compact = h->compact;
    memset(h, 0, sizeof *h);
    h->compact = compact;
}

/* ---- geometry ---- */

static unsigned sub_bits(const irq_hist *h)
{
    return h->compact ? IRQ_HIST_COMPACT_SUB_BITS : IRQ_HIST_SUB_BITS;
}

static uint64_t bucket_lo(unsigned row, unsigned col, unsigned b)
{
    if (row == 0)
        return col;
    return ((UINT64_C(1) << b) + col) << (row - 1);
}

/* Exclusive upper bound; the very last bucket would end at 2^64, so it
 * saturates at UINT64_MAX. */
static uint64_t bucket_hi(unsigned row, unsigned col, unsigned b)
{
    unsigned sub = 1u << b;
    if (row == 64 - b && col == sub - 1)
        return UINT64_MAX;
    return col + 1 < sub ? bucket_lo(row, col + 1, b) : bucket_lo(row + 1, 0, b);
}

/* ---- storage ---- */

static size_t block_len(int s)
{
    return s ? FAR_BUCKETS : IRQ__HIST_NEAR_BUCKETS;
}

static unsigned block_rows(int s)
{
    return IRQ__HIST_BLOCK_ROWS(s);
}

/* A small block holds only the rows that have a sample: a header of
 * IRQ__HIST_SB_HEAD bytes (SB_*), then for each byte of a count (low,
 * middle, high) a map of a byte per row of the block saying which pool row
 * holds that byte of the row's counts (0: none, k: the k-th), then the pool:
 * room for SB_KR rows of IRQ_HIST_COMPACT_SUB bytes, SB_NR of them taken
 * (layout constants in hist_internal.h, which reads the low bytes inline).
 * A row takes its middle byte row when one of its counts passes 255 and its
 * high one past 65,535; rows without such counts pay nothing for them. */
enum { SB_NR, SB_KR };
/* A block starts with room for ROW_START pool rows (at 0.25 s of
 * many-guests, three guests in four have at most 9 rows with a sample; the
 * rows a guest sees widen as a run goes on: 8 to 19 after 4 s) and grows
 * ROW_STEP rows at a time: at 10,000 guests each row of room left unused is
 * 0.6 MiB, and a row is added a few dozen times in a guest's whole run. */
#define ROW_START 8u
#define ROW_STEP 2u

static size_t small_bytes(int s, unsigned kr)
{
    return irq__hist_pool_offset(s) + (size_t)kr * IRQ_HIST_COMPACT_SUB;
}

/* The byte rows of one row of a small block (NULL: that byte is 0 in every
 * count; all NULL: no sample in the row). */
typedef struct row_bytes {
    const uint8_t *b[IRQ__HIST_SB_BYTES];
} row_bytes;

static inline row_bytes row_bytes_of(const irq_hist *h, int s, size_t row)
{
    return (row_bytes){{irq__hist_byte_row(h, s, 0, row), irq__hist_byte_row(h, s, 1, row),
                        irq__hist_byte_row(h, s, 2, row)}};
}

/* Column col of a small block's row whose bytes are rb (reports read every
 * bucket of every guest: kept to a load and two tests). */
static inline uint64_t row_count(const row_bytes *rb, size_t col)
{
    if (!rb->b[0])
        return 0;
    uint64_t c = rb->b[0][col];
    if (rb->b[1])
        c |= (uint64_t)rb->b[1][col] << 8 | (rb->b[2] ? (uint64_t)rb->b[2][col] << 16 : 0);
    return c;
}

/* Count j of block s (there), whose row's bytes are rb if the block is
 * small. */
static inline uint64_t block_count_in(const irq_hist *h, int s, size_t j, const row_bytes *rb)
{
    if (h->small[s])
        return row_count(rb, j % IRQ_HIST_COMPACT_SUB);
    uint64_t hi = h->hi[s] ? h->hi[s][j] : 0;
    return hi << 32 | h->lo[s][j];
}

static uint64_t block_count(const irq_hist *h, int s, size_t j)
{
    if (!h->small[s])
        return block_count_in(h, s, j, NULL);
    row_bytes rb = row_bytes_of(h, s, j / IRQ_HIST_COMPACT_SUB);
    return block_count_in(h, s, j, &rb);
}

/* Calls fn(ud, s, j, count) on each non-empty bucket j of each block s, in
 * increasing order. Returns the number of buckets visited. */
typedef void (*block_visit_fn)(void *ud, int s, size_t j, uint64_t n);

static unsigned each_block(const irq_hist *h, block_visit_fn fn, void *ud)
{
    unsigned visited = 0;
    for (int s = 0; s < 2; s++) {
        if (!h->small[s] && !h->lo[s])
            continue;
        for (size_t r = 0; r < block_rows(s); r++) {
            /* A guest's latencies crowd into a few rows: a small block's
             * rows with no sample are skipped (reports merge every guest's
             * histogram; reading all buckets was 5 % of a 0.2 s run). */
            row_bytes rb = {{NULL}};
            if (h->small[s]) {
                rb = row_bytes_of(h, s, r);
                if (!rb.b[0])
                    continue;
            }
            for (size_t j = r * IRQ_HIST_COMPACT_SUB; j < (r + 1) * IRQ_HIST_COMPACT_SUB; j++) {
                uint64_t n = block_count_in(h, s, j, &rb);
                if (n == 0)
                    continue;
                fn(ud, s, j, n);
                visited++;
            }
        }
    }
    return visited;
}

/* Gives byte `byte` of the counts of the block's row a pool row (if it has
 * none), growing the pool by ROW_STEP rows when full (bounded by three a
 * row). 0, or -1 when out of memory (the block unchanged). */
static int take_row(irq_hist *h, int s, unsigned byte, size_t row)
{
    if (irq__hist_byte_map(h, s, byte)[row])
        return 0;
    uint8_t *b = h->small[s];
    unsigned nr = b[SB_NR], kr = b[SB_KR];
    if (nr == kr) {
        unsigned room = kr + ROW_STEP, most = IRQ__HIST_SB_BYTES * block_rows(s);
        if (room > most)
            room = most;
        if (!(b = realloc(b, small_bytes(s, room))))
            return -1;
        memset(b + small_bytes(s, kr), 0, (size_t)(room - kr) * IRQ_HIST_COMPACT_SUB);
        b[SB_KR] = (uint8_t)room;
        h->small[s] = b;
    }
    b[SB_NR] = (uint8_t)(nr + 1);
    irq__hist_byte_map(h, s, byte)[row] = (uint8_t)(nr + 1);
    return 0;
}

/* Gives the block's row the byte rows a count of c needs, low first (a
 * row with bits 8-15 may still lack bits 16-23, never the reverse). */
static int take_bytes(irq_hist *h, int s, size_t row, uint64_t c)
{
    unsigned need = c > 0xFFFF ? 3 : c > 0xFF ? 2 : 1;
    for (unsigned k = 0; k < need; k++)
        if (take_row(h, s, k, row) != 0)
            return -1;
    return 0;
}

/* A count passes 2^24 - 1: the block is widened to 32 bits, once. */
static int widen(irq_hist *h, int s)
{
    uint32_t *wide = malloc(block_len(s) * sizeof *wide);
    if (!wide)
        return -1;
    for (size_t k = 0; k < block_len(s); k++)
        wide[k] = (uint32_t)block_count(h, s, k);
    free(h->small[s]);
    h->small[s] = NULL;
    h->lo[s] = wide;
    return 0;
}

/* Allocates what adding n samples to bucket j of block s needs, so that
 * put_block() cannot fail. 0, or -1 when out of memory. */
static int prepare_block(irq_hist *h, int s, size_t j, uint64_t n)
{
    if (!h->small[s] && !h->lo[s]) {
        if (!(h->small[s] = calloc(1, small_bytes(s, ROW_START))))
            return -1;
        h->small[s][SB_KR] = ROW_START;
    }
    if (h->small[s]) {
        uint64_t c = block_count(h, s, j) + n;
        if (c <= SMALL_MAX)
            return take_bytes(h, s, j / IRQ_HIST_COMPACT_SUB, c);
        if (widen(h, s) != 0)
            return -1;
    }
    /* High words only once a count no longer fits in 32 bits. */
    if (!h->hi[s] && (uint64_t)h->lo[s][j] + n > UINT32_MAX &&
        !(h->hi[s] = calloc(block_len(s), sizeof *h->hi[s])))
        return -1;
    return 0;
}

static void put_block(irq_hist *h, int s, size_t j, uint64_t n)
{
    uint64_t c = block_count(h, s, j) + n;
    if (h->small[s]) { /* prepare_block() gave the row every byte c needs */
        size_t row = j / IRQ_HIST_COMPACT_SUB, col = j % IRQ_HIST_COMPACT_SUB;
        for (unsigned k = 0; k < IRQ__HIST_SB_BYTES; k++) {
            uint8_t *b = irq__hist_byte_row(h, s, k, row);
            if (b)
                b[col] = (uint8_t)(c >> (8 * k));
        }
        return;
    }
    h->lo[s][j] = (uint32_t)c;
    if (h->hi[s])
        h->hi[s][j] = (uint32_t)(c >> 32);
}

/* Allocates what adding n samples to the bucket holding v needs, so that
 * put() cannot fail. 0, or -1 when out of memory. */
static int prepare(irq_hist *h, uint64_t v, uint64_t n)
{
    uint64_t i = irq__hist_bucket(v, sub_bits(h));
    if (!h->compact) {
        size_t row = i >> IRQ_HIST_SUB_BITS;
        if (!h->rows && !(h->rows = calloc(IRQ_HIST_ROWS, sizeof *h->rows)))
            return -1;
        if (!h->rows[row] && !(h->rows[row] = calloc(IRQ_HIST_SUB, sizeof **h->rows)))
            return -1;
        return 0;
    }
    size_t j;
    int s = irq__hist_block_of(i, &j);
    return prepare_block(h, s, j, n);
}

static void put(irq_hist *h, uint64_t v, uint64_t n)
{
    uint64_t i = irq__hist_bucket(v, sub_bits(h));
    if (!h->compact) {
        h->rows[i >> IRQ_HIST_SUB_BITS][i & (IRQ_HIST_SUB - 1)] += n;
        return;
    }
    size_t j;
    int s = irq__hist_block_of(i, &j);
    put_block(h, s, j, n);
}

int irq__hist_add_slow(irq_hist *h, uint64_t v)
{
    if (prepare(h, v, 1) != 0)
        return -1;
    put(h, v, 1);
    irq__hist_note1(h, v);
    return 0;
}

/* ---- reading ---- */

struct visit {
    irq_hist_visit_fn fn;
    void *ud;
};

static void visit_bounds(void *ud, int s, size_t j, uint64_t n)
{
    const struct visit *vis = ud;
    size_t i = (s ? IRQ__HIST_NEAR_BUCKETS : 0) + j;
    unsigned row = (unsigned)(i / IRQ_HIST_COMPACT_SUB), col = (unsigned)(i % IRQ_HIST_COMPACT_SUB);
    vis->fn(vis->ud, bucket_lo(row, col, IRQ_HIST_COMPACT_SUB_BITS),
            bucket_hi(row, col, IRQ_HIST_COMPACT_SUB_BITS), n);
}

unsigned irq_hist_each(const irq_hist *h, irq_hist_visit_fn fn, void *ud)
{
    if (h->compact) {
        struct visit vis = {fn, ud};
        return each_block(h, visit_bounds, &vis);
    }
    unsigned visited = 0;
    for (unsigned r = 0; r < IRQ_HIST_ROWS; r++) {
        if (!h->rows || !h->rows[r])
            continue;
        for (unsigned c = 0; c < IRQ_HIST_SUB; c++) {
            uint64_t n = h->rows[r][c];
            if (n == 0)
                continue;
            fn(ud, bucket_lo(r, c, IRQ_HIST_SUB_BITS), bucket_hi(r, c, IRQ_HIST_SUB_BITS), n);
            visited++;
        }
    }
    return visited;
}

struct merge {
    irq_hist *dst;
    int rc;
};

static void visit_prepare(void *ud, uint64_t lo, uint64_t hi, uint64_t n)
{
    (void)hi;
    struct merge *m = ud;
    if (m->rc == 0)
        m->rc = prepare(m->dst, lo, n);
}

static void visit_put(void *ud, uint64_t lo, uint64_t hi, uint64_t n)
{
    (void)hi;
    put(ud, lo, n);
}

/* Compact into compact: bucket for bucket, by block index. */
static void visit_prepare_block(void *ud, int s, size_t j, uint64_t n)
{
    struct merge *m = ud;
    if (m->rc == 0)
        m->rc = prepare_block(m->dst, s, j, n);
}

static void visit_put_block(void *ud, int s, size_t j, uint64_t n)
{
    put_block(ud, s, j, n);
}

int irq_hist_merge(irq_hist *dst, const irq_hist *src)
{
    if (src->count == 0)
        return 0;
    if (src->compact && !dst->compact)
        return -1; /* a compact bucket spans two fine ones */
    /* Each source bucket lies within one destination bucket (same or
     * coarser), so its lower bound says where its count goes. Allocate
     * everything first so a failure leaves dst unchanged. */
    struct merge m = {dst, 0};
    if (src->compact) {
        each_block(src, visit_prepare_block, &m);
        if (m.rc != 0)
            return -1;
        each_block(src, visit_put_block, dst);
    } else {
        irq_hist_each(src, visit_prepare, &m);
        if (m.rc != 0)
            return -1;
        irq_hist_each(src, visit_put, dst);
    }
    irq__hist_note(dst, src->count, src->min, src->max, src->sum);
    return 0;
}

/* Midpoint of a bucket, clamped into the range of values actually seen (the
 * extreme buckets are often much wider than the data in them). */
static uint64_t representative(const irq_hist *h, unsigned row, unsigned col)
{
    unsigned b = sub_bits(h);
    uint64_t lo = bucket_lo(row, col, b);
    uint64_t mid = lo + (bucket_hi(row, col, b) - lo) / 2;
    if (mid < h->min)
        return h->min;
    if (mid > h->max)
        return h->max;
    return mid;
}

/* The compact bucket (flat index) where the running count first reaches
 * rank, or SIZE_MAX: straight loops over each block's counts (a report asks
 * 4 quantiles of every guest; per-bucket lookups were 4 % of a short
 * 10,000-guest run). */
static size_t compact_rank(const irq_hist *h, uint64_t rank)
{
    uint64_t seen = 0;
    for (int s = 0; s < 2; s++) {
        size_t n = block_len(s), base = s ? IRQ__HIST_NEAR_BUCKETS : 0;
        if (h->small[s]) { /* row by row, skipping rows with no sample */
            for (size_t r = 0; r < block_rows(s); r++) {
                row_bytes rb = row_bytes_of(h, s, r);
                if (!rb.b[0])
                    continue;
                for (size_t j = r * IRQ_HIST_COMPACT_SUB; j < (r + 1) * IRQ_HIST_COMPACT_SUB; j++)
                    if ((seen += block_count_in(h, s, j, &rb)) >= rank)
                        return base + j;
            }
        } else if (h->lo[s]) {
            for (size_t j = 0; j < n; j++) {
                uint64_t hi = h->hi[s] ? h->hi[s][j] : 0;
                if ((seen += hi << 32 | h->lo[s][j]) >= rank)
                    return base + j;
            }
        }
    }
    return SIZE_MAX;
}

uint64_t irq_hist_quantile(const irq_hist *h, double q)
{
    if (h->count == 0)
        return 0;
    if (!(q > 0.0))
        return h->min;
    if (q >= 1.0)
        return h->max;
    /* Nearest rank: the smallest value with at least ceil(q * n) samples at
     * or below it. The slack keeps 0.3 * 10 (= 3.0000000000000004) at 3. */
    double want = q * (double)h->count;
    uint64_t rank = (uint64_t)want;
    if (want - (double)rank > 1e-9 * want)
        rank++;
    if (rank < 1)
        rank = 1;
    uint64_t seen = 0;
    unsigned sub = 1u << sub_bits(h);
    if (h->compact) {
        size_t i = compact_rank(h, rank);
        if (i == SIZE_MAX)
            return h->max;
        return representative(h, (unsigned)(i / sub), (unsigned)(i % sub));
    }
    for (unsigned r = 0; r < IRQ_HIST_ROWS; r++) {
        if (!h->rows || !h->rows[r])
            continue;
        for (unsigned c = 0; c < sub; c++) {
            seen += h->rows[r][c];
            if (seen >= rank)
                return representative(h, r, c);
        }
    }
    return h->max;
}

double irq_hist_mean(const irq_hist *h)
{
    return h->count ? h->sum / (double)h->count : 0.0;
}

uint64_t irq_hist_bytes(const irq_hist *h)
{
    uint64_t bytes = 0;
    if (h->rows) {
        bytes += IRQ_HIST_ROWS * sizeof *h->rows;
        for (unsigned r = 0; r < IRQ_HIST_ROWS; r++)
            bytes += h->rows[r] ? IRQ_HIST_SUB * sizeof **h->rows : 0;
    }
    for (int s = 0; s < 2; s++)
        bytes += (h->small[s] ? small_bytes(s, h->small[s][SB_KR]) : 0) +
                 ((h->lo[s] != NULL) + (h->hi[s] != NULL)) * block_len(s) * sizeof(uint32_t);
    return bytes;
}
