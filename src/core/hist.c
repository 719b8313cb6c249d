/* Log-linear histogram. Row 0 holds values below IRQ_HIST_SUB exactly; row
 * r >= 1 holds [2^(r+SUB_BITS-1), 2^(r+SUB_BITS)) in IRQ_HIST_SUB buckets of
 * width 2^(r-1). A bucket is thus at most 1/IRQ_HIST_SUB of its lower bound
 * wide, and its midpoint is within 1/(2*IRQ_HIST_SUB) of any value in it. */
#include "hist_internal.h"

#include <stdlib.h>
#include <string.h>

void irq_hist_init(irq_hist *h)
{
    memset(h, 0, sizeof *h);
}

void irq_hist_free(irq_hist *h)
{
    for (unsigned r = 0; r < IRQ_HIST_ROWS; r++)
        free(h->rows[r]);
    irq_hist_init(h);
}

static unsigned row_of(uint64_t v)
{
    if (v < IRQ_HIST_SUB)
        return 0;
    return (unsigned)(63 - __builtin_clzll(v)) - IRQ_HIST_SUB_BITS + 1;
}

static unsigned col_of(uint64_t v, unsigned row)
{
    if (row == 0)
        return (unsigned)v;
    return (unsigned)(v >> (row - 1)) & (IRQ_HIST_SUB - 1);
}

static uint64_t bucket_lo(unsigned row, unsigned col)
{
    if (row == 0)
        return col;
    return ((uint64_t)IRQ_HIST_SUB + col) << (row - 1);
}

/* Exclusive upper bound; the very last bucket would end at 2^64, so it
 * saturates at UINT64_MAX. */
static uint64_t bucket_hi(unsigned row, unsigned col)
{
    if (row == IRQ_HIST_ROWS - 1 && col == IRQ_HIST_SUB - 1)
        return UINT64_MAX;
    return col + 1 < IRQ_HIST_SUB ? bucket_lo(row, col + 1) : bucket_lo(row + 1, 0);
}

static uint64_t *row_get(irq_hist *h, unsigned row)
{
    if (!h->rows[row])
        h->rows[row] = calloc(IRQ_HIST_SUB, sizeof(uint64_t));
    return h->rows[row];
}

/* Folds count samples with the given min, max and sum into the summary. */
static void note(irq_hist *h, uint64_t count, uint64_t min, uint64_t max, double sum)
{
    if (h->count == 0 || min < h->min)
        h->min = min;
    if (h->count == 0 || max > h->max)
        h->max = max;
    h->count += count;
    h->sum += sum;
}

int irq_hist_add(irq_hist *h, uint64_t v)
{
    unsigned row = row_of(v);
    uint64_t *counts = row_get(h, row);
    if (!counts)
        return -1;
    counts[col_of(v, row)]++;
    note(h, 1, v, v, (double)v);
    return 0;
}

int irq_hist_merge(irq_hist *dst, const irq_hist *src)
{
    if (src->count == 0)
        return 0;
    /* Allocate every row first so a failure leaves dst unchanged. */
    for (unsigned r = 0; r < IRQ_HIST_ROWS; r++)
        if (src->rows[r] && !row_get(dst, r))
            return -1;
    for (unsigned r = 0; r < IRQ_HIST_ROWS; r++)
        if (src->rows[r])
            for (unsigned c = 0; c < IRQ_HIST_SUB; c++)
                dst->rows[r][c] += src->rows[r][c];
    note(dst, src->count, src->min, src->max, src->sum);
    return 0;
}

/* Midpoint of a bucket, clamped into the range of values actually seen (the
 * extreme buckets are often much wider than the data in them). */
static uint64_t representative(const irq_hist *h, unsigned row, unsigned col)
{
    uint64_t lo = bucket_lo(row, col);
    uint64_t mid = lo + (bucket_hi(row, col) - lo) / 2;
    if (mid < h->min)
        return h->min;
    if (mid > h->max)
        return h->max;
    return mid;
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
    for (unsigned r = 0; r < IRQ_HIST_ROWS; r++) {
        if (!h->rows[r])
            continue;
        for (unsigned c = 0; c < IRQ_HIST_SUB; c++) {
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

unsigned irq_hist_each(const irq_hist *h, irq_hist_visit_fn fn, void *ud)
{
    unsigned visited = 0;
    for (unsigned r = 0; r < IRQ_HIST_ROWS; r++) {
        if (!h->rows[r])
            continue;
        for (unsigned c = 0; c < IRQ_HIST_SUB; c++) {
            if (h->rows[r][c] == 0)
                continue;
            fn(ud, bucket_lo(r, c), bucket_hi(r, c), h->rows[r][c]);
            visited++;
        }
    }
    return visited;
}
