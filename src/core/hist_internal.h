/* Log-linear histogram for latencies (in cycles): 2^IRQ_HIST_SUB_BITS
 * linear sub-buckets per power of two, so any reported percentile is within
 * 1/2^(IRQ_HIST_SUB_BITS+1) < 1% of an exact one. Rows are allocated on first
 * use, so memory depends on the range of values seen, not on their number. */
#ifndef IRQ_HIST_INTERNAL_H
#define IRQ_HIST_INTERNAL_H

#include <stdint.h>

#define IRQ_HIST_SUB_BITS 7
#define IRQ_HIST_SUB (1u << IRQ_HIST_SUB_BITS)
#define IRQ_HIST_ROWS (64 - IRQ_HIST_SUB_BITS + 1)

typedef struct irq_hist {
    uint64_t *rows[IRQ_HIST_ROWS]; /* row 0: values < IRQ_HIST_SUB, exact */
    uint64_t count;
    uint64_t min, max;
    double sum;
} irq_hist;

void irq_hist_init(irq_hist *h);
void irq_hist_free(irq_hist *h);
int irq_hist_add(irq_hist *h, uint64_t v); /* 0, or -1 when out of memory */
int irq_hist_merge(irq_hist *dst, const irq_hist *src);
/* q in [0, 1]; the value below which a fraction q of samples lies
 * (nearest-rank). 0 when empty. */
uint64_t irq_hist_quantile(const irq_hist *h, double q);
double irq_hist_mean(const irq_hist *h);

/* Iterates non-empty buckets in increasing order: (lower bound, upper bound
 * exclusive, count). Returns the number of buckets visited. */
typedef void (*irq_hist_visit_fn)(void *ud, uint64_t lo, uint64_t hi, uint64_t count);
unsigned irq_hist_each(const irq_hist *h, irq_hist_visit_fn fn, void *ud);

#endif
