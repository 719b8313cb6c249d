/* The figures of a finished run, computed in one place (result.c) for the
 * report writer (report.c) and the public result API (include/irqsim/
 * result.h): the JSON report and the API read the same numbers from the same
 * code, so they cannot disagree. */
#ifndef IRQ_RESULT_INTERNAL_H
#define IRQ_RESULT_INTERNAL_H

#include <stdbool.h>

#include "sim_priv_internal.h"

/* The counters every model has, read from a guest. */
enum {
    IRQ__K_INJECTED,
    IRQ__K_DELIVERED,
    IRQ__K_COALESCED,
    IRQ__K_PENDING,
    IRQ__K_DROPPED,
    IRQ__K_KICKS,
    IRQ__NCORE
};
extern const char *const irq__core_counter_names[IRQ__NCORE];

/* Names of the latency breakdown's parts, in priv->lat_part order. */
extern const char *const irq__latency_part_names[4];

/* Sums over a range of guests, or one class's end-of-run figures. */
typedef struct irq__sums {
    uint64_t core[IRQ__NCORE];
    uint64_t gc[IRQ_GC_N];        /* the core's per-guest counters (halt, kick) */
    uint64_t undelivered, oldest; /* oldest: cycles */
    uint64_t *model;              /* ncounters, owned by the caller */
} irq__sums;

/* s->model must hold ncounters values (irq__sums_alloc). */
int irq__sums_alloc(const struct irq_sim *sim, irq__sums *s);
void irq__sums_free(irq__sums *s);
/* Sums over guests [from, to). */
void irq__sum_guests(const struct irq_sim *sim, size_t from, size_t to, irq__sums *s);
/* The figures of scope (TOTAL, GUEST, GROUP, CLASS) item index; the index
 * must be in range. */
void irq__sum_scope(const struct irq_sim *sim, irq_scope scope, size_t index, irq__sums *s);

double irq__to_ns(const struct irq_sim *sim, double cycles);

/* The core's per-guest counter k: the two poll times are kept in cycles
 * and given in ns (not rounded; the counter lists show them rounded). */
double irq__gc_value(const struct irq_sim *sim, const irq__sums *s, int k);

/* One counter's value: exact counts are u (shown as integers in the JSON),
 * times in ns and the core's halt counters are d (shown as JSON numbers). */
typedef struct irq__cval {
    bool exact;
    uint64_t u;
    double d;
} irq__cval;

/* The counters a scope reports, in the JSON report's order. */
size_t irq__ncounters(const struct irq_sim *sim, irq_scope scope);
const char *irq__counter_name(const struct irq_sim *sim, irq_scope scope, size_t i);
irq__cval irq__counter_value(const struct irq_sim *sim, irq_scope scope, const irq__sums *s,
                             size_t i);
static inline double irq__cval_double(irq__cval v)
{
    return v.exact ? (double)v.u : v.d;
}

/* Guests [g0, g1) and vCPUs [v0, v1) of template t. */
void irq__tmpl_range(const struct irq_sim *sim, uint32_t t, size_t *g0, size_t *g1, size_t *v0,
                     size_t *v1);
/* The guests and vCPUs a scope covers (CLASS: all of them). */
void irq__scope_range(const struct irq_sim *sim, irq_scope scope, size_t index, size_t *g0,
                      size_t *g1, size_t *v0, size_t *v1);

/* The latencies a scope has ("delivered"; the total also "censored" and the
 * breakdown's parts). */
size_t irq__nlatencies(irq_scope scope);
const char *irq__latency_name(irq_scope scope, size_t i);
/* The histogram of latency i of a scope item: a pointer into the run, or
 * tmp (initialised here, to free) when guests had to be merged. NULL when
 * out of memory. */
const irq_hist *irq__latency_hist(const struct irq_sim *sim, irq_scope scope, size_t index,
                                  size_t i, irq_hist *tmp);
/* A histogram's summary in ns. */
void irq__latency_of(const struct irq_sim *sim, const irq_hist *h, irq_latency *l);

/* Time (cycles) and share of vCPU time in each state over vCPUs [v0, v1). */
void irq__state_time(const struct irq_sim *sim, size_t v0, size_t v1, double time[IRQ_VCPU_NSTATES],
                     double share[IRQ_VCPU_NSTATES]);
/* Time (cycles) and share of one CPU's time (all CPUs' if cpu is -1) by use. */
void irq__cpu_use(const struct irq_sim *sim, int cpu, double time[IRQ_USE_N],
                  double share[IRQ_USE_N]);

/* Parameters the run used whose value no public source gives: "host.NAME"
 * and "model.NAME". Writes the i-th into buf; false when i is past the end. */
size_t irq__nassumptions(const struct irq_sim *sim);
bool irq__assumption(const struct irq_sim *sim, size_t i, char *buf, size_t len);

#endif
