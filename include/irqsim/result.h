/* irqsim: the results of a finished run, read from C.
 *
 * Everything the JSON report shows (and a few figures it does not: latency
 * minimum and sum, any quantile, times in ns) without parsing it: the
 * report writer and these functions read the same figures through the same
 * code (src/core/result.c), so they always agree. Included by irqsim.h;
 * self-contained, so it may also be included on its own.
 *
 * Call them after irq_sim_run (a failed run, IRQ_ESIM, can still be read)
 * and before irq_sim_free. The functions that can fail return an
 * enum irq_status (IRQ_OK, or IRQ_EINPUT for an unknown scope, an index out
 * of range, an unknown name or a simulation that has not run) and fill err
 * (may be NULL); the value goes through an out parameter, untouched on
 * failure. Counter and latency names returned are static strings or point
 * into the simulation (valid until irq_sim_free). Enumeration functions
 * return counts (0 for an unknown scope) and NULL past the end. */
#ifndef IRQSIM_RESULT_H
#define IRQSIM_RESULT_H

#include <stddef.h>
#include <stdint.h>

#ifdef __cplusplus
extern "C" {
#endif

/* Also declared in irqsim.h (C11 allows the repetition). */
typedef struct irq_sim irq_sim;
typedef struct irq_error irq_error;

/* What a figure covers. Items of a scope are numbered from 0. */
typedef enum irq_scope {
    IRQ_SCOPE_TOTAL, /* the whole run: one item ("totals" in the JSON) */
    IRQ_SCOPE_GUEST, /* one guest, in the JSON's "guests" order */
    IRQ_SCOPE_GROUP, /* the guests of one template ("groups" in the JSON) */
    IRQ_SCOPE_CLASS, /* one interrupt class (ISC, intid, vector), increasing */
    IRQ_SCOPE_VCPU,  /* one vCPU, guest by guest (not in the JSON) */
} irq_scope;

/* ---- Items of a scope --------------------------------------------------- */

/* How many items the scope has: 1 for TOTAL, the guests, groups, classes
 * or vCPUs of the run; 0 for an unknown scope. */
size_t irq_result_count(const irq_sim *sim, irq_scope scope);
/* The item's name, written into buf (truncated to len - 1 characters):
 * "total", the guest's name ("web-3"), the template's ("web"), the class
 * number in decimal ("3"), guest/index for a vCPU ("web-3/0"). Returns
 * buf, or NULL when out of range. */
const char *irq_result_name(const irq_sim *sim, irq_scope scope, size_t index, char *buf,
                            size_t len);
/* The index of the item with that name (IRQ_EINPUT when there is none). */
int irq_result_find(const irq_sim *sim, irq_scope scope, const char *name, size_t *index,
                    irq_error *err);

/* ---- Counters ------------------------------------------------------------
 * Names as in the JSON report. TOTAL, GUEST and GROUP: injected, delivered,
 * coalesced, pending, dropped, kicks, undelivered, oldest_pending_ns, the
 * core's per-guest counters (halt_wakeup, halt_attempted_poll,
 * halt_successful_poll, halt_poll_invalid, halt_poll_success_ns,
 * halt_poll_fail_ns, halt_sleep_again, ipi_exits, traps, raised,
 * host_blocks), then the model's own counters; TOTAL also timer_wakeups.
 * CLASS: undelivered and oldest_pending_ns. VCPU: kicks. A counter ending
 * in _ns is a time in ns, the rest are counts (exact below 2^53). The
 * irq_result_counter_name enumeration is authoritative. */
size_t irq_result_ncounters(const irq_sim *sim, irq_scope scope);
/* The i-th counter name of the scope, or NULL past the end. */
const char *irq_result_counter_name(const irq_sim *sim, irq_scope scope, size_t i);
int irq_result_counter(const irq_sim *sim, irq_scope scope, size_t index, const char *name,
                       double *value, irq_error *err);

/* ---- Latencies -----------------------------------------------------------
 * From arrival to the start of the handler, in ns. TOTAL, GUEST, GROUP
 * and CLASS have "delivered" (the JSON's latency_ns; latency_by_class_ns
 * for a class); TOTAL also "censored" (latency_censored_ns: every
 * undelivered arrival counted with its age at the end) and the breakdown's
 * parts "host_to_act", "run_queue", "wakeup", "delivery"
 * (latency_breakdown_ns). A vCPU has none. */
typedef struct irq_latency {
    uint64_t count; /* latencies recorded */
    double mean;    /* ns; all figures are 0 when count is 0 */
    double min, max, sum;
    /* from the log-linear histogram: within 1% of the exact order statistic */
    double p50, p90, p99, p999;
} irq_latency;

size_t irq_result_nlatencies(const irq_sim *sim, irq_scope scope);
/* The i-th latency name of the scope, or NULL past the end. */
const char *irq_result_latency_name(const irq_sim *sim, irq_scope scope, size_t i);
int irq_result_latency(const irq_sim *sim, irq_scope scope, size_t index, const char *name,
                       irq_latency *out, irq_error *err);
/* Any quantile q in [0, 1] of that latency, in ns (0 when nothing was
 * recorded); a q outside [0, 1] is IRQ_EINPUT. */
int irq_result_quantile(const irq_sim *sim, irq_scope scope, size_t index, const char *name,
                        double q, double *ns, irq_error *err);

/* ---- Where the time went -------------------------------------------------
 * vCPU states: "RUNNING", "EXITING", "WAIT", "PREEMPTED", "STOPPED",
 * "BLOCKED" (irq_result_state_name lists them).
 * Over the vCPUs of a TOTAL, GUEST, GROUP or VCPU item (CLASS:
 * IRQ_EINPUT): the share of their time in that state (the JSON's
 * state_share) and the time in ns summed over them; either pointer may be
 * NULL. */
size_t irq_result_nstates(void);
const char *irq_result_state_name(size_t i);
int irq_result_state(const irq_sim *sim, irq_scope scope, size_t index, const char *state,
                     double *share, double *ns, irq_error *err);

/* Host CPUs' time by use: "guest", "exits", "host_work", "halt_poll",
 * "idle". cpu is a host CPU (0 .. irq_result_ncpus - 1) or -1 for all of
 * them (the JSON's host_cpu_use "per_cpu" and "total"): the share of that
 * time and the time in ns; either pointer may be NULL. */
unsigned irq_result_ncpus(const irq_sim *sim);
size_t irq_result_ncpu_uses(void);
const char *irq_result_cpu_use_name(size_t i);
int irq_result_cpu_use(const irq_sim *sim, int cpu, const char *use, double *share, double *ns,
                       irq_error *err);

/* ---- Assumptions ---------------------------------------------------------
 * Parameters the run used whose value no public source gives ("host.wakeup",
 * "model.gal_cost"), as the JSON's "assumptions": listed whether the
 * scenario set them or not. Writes the i-th into buf and returns buf, or
 * NULL past the end. */
size_t irq_result_nassumptions(const irq_sim *sim);
const char *irq_result_assumption(const irq_sim *sim, size_t i, char *buf, size_t len);

#ifdef __cplusplus
}
#endif
#endif
