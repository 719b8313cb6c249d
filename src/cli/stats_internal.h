/* Statistics of replicated runs: the mean of a figure over N replications
 * and its 95 % confidence interval (Student's t, N - 1 degrees of
 * freedom), and the seeds of the replications. */
#ifndef IRQ_CLI_STATS_INTERNAL_H
#define IRQ_CLI_STATS_INTERNAL_H

#include <stddef.h>
#include <stdint.h>

/* Largest --replications. */
#define CLI_MAX_REPLICATIONS 10000

typedef struct cli_ci {
    double mean;
    double half; /* half-width of the 95 % interval; 0 when n < 2 */
    double lo, hi;
    size_t n;
} cli_ci;

/* The 0.975 quantile of Student's t with df >= 1 degrees of freedom
 * (12.71 for df 1, 2.228 for df 10, 1.96 as df grows). */
double cli_t975(size_t df);
/* Mean and 95 % interval of x[0..n) (n >= 1). */
void cli_ci_of(const double *x, size_t n, cli_ci *out);
/* Whether an interval of differences excludes 0 (an interval of width 0
 * around a non-zero mean counts as significant: every pair differs by
 * the same amount). */
int cli_ci_significant(const cli_ci *d);

/* Seed of replication r (0-based) of a run whose scenario seed is base:
 * replication 0 is the scenario's own seed; the others are drawn from
 * splitmix64 over (base, r), below 2^53 so that JSON keeps them exact. */
uint64_t cli_replication_seed(uint64_t base, size_t r);

/* "12.3 ±0.45": the mean rounded to the interval's second significant
 * digit (precision shown = precision had); a count as it is when n < 2. */
void cli_ci_format(char *buf, size_t len, const cli_ci *c);

#endif
