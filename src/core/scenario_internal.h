/* A loaded, validated scenario. Filled by the loader (scenario.c and scenario_*.c), read by
 * the simulation (sim.c). All durations are cycles. */
#ifndef IRQ_SCENARIO_INTERNAL_H
#define IRQ_SCENARIO_INTERNAL_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "dist_internal.h"
#include "error_internal.h"
#include "param_internal.h"

struct irq_model_ops;

/* Limits checked at load, before anything is allocated for them. */
#define IRQ_MAX_GUESTS 100000u
#define IRQ_MAX_VCPUS_PER_GUEST 4096u
#define IRQ_MAX_VCPUS_TOTAL 1000000u
#define IRQ_MAX_CPUS 65536u
#define IRQ_MAX_SOURCES 100000u
#define IRQ_MAX_SOURCE_INSTANCES 2000000u

/* The core's host parameters, described by irq_host_params[] (host.c). */
enum irq_host_param {
    IRQ_HOST_CPUS,
    IRQ_HOST_SCHED,      /* eevdf | cfs | fifo */
    IRQ_HOST_AFFINITY,   /* floating | pinned */
    IRQ_HOST_LLC_CPUS,   /* CPUs per last-level-cache domain (0: all) */
    IRQ_HOST_TIMESLICE,  /* fifo: the fixed slice */
    IRQ_HOST_SLICE_UNIT, /* fair: base slice / min granularity before the CPU factor */
    IRQ_HOST_TICK,
    IRQ_HOST_RUN_TO_PARITY,
    IRQ_HOST_PLACE_LAG,
    IRQ_HOST_DELAY_DEQUEUE,
    IRQ_HOST_CFS_LATENCY,
    IRQ_HOST_CFS_WAKEUP_GRAN,
    IRQ_HOST_GENTLE_SLEEPERS,
    IRQ_HOST_NEWIDLE,
    IRQ_HOST_MIGRATION_COST,
    IRQ_HOST_MIGRATE,
    IRQ_HOST_WAKEUP,     /* halted thread woken -> running host code again */
    IRQ_HOST_WAIT_EXIT,  /* guest wait/halt instruction -> host handler */
    IRQ_HOST_CTX_SWITCH, /* host scheduler switching vCPU threads */
    IRQ_HOST_IPI_EXIT,   /* kvm_vcpu_kick of a vCPU in guest mode: the forced exit */
    IRQ_HOST_POLL_GROW,
    IRQ_HOST_POLL_GROW_START,
    IRQ_HOST_POLL_SHRINK,
    IRQ_HOST_NPARAMS
};
enum irq_host_sched { IRQ_SCHED_EEVDF, IRQ_SCHED_CFS, IRQ_SCHED_FIFO };
enum irq_host_affinity { IRQ_AFFINITY_FLOATING, IRQ_AFFINITY_PINNED };
extern const struct irq_param_desc irq_host_params[IRQ_HOST_NPARAMS];

typedef enum irq_phase { IRQ_PHASE_BUSY, IRQ_PHASE_IDLE } irq_phase;

typedef struct irq_vcpu_override {
    uint32_t index;                 /* vCPU index within the guest */
    struct irq_param_value *params; /* model vcpu_params, complete (defaults merged) */
    irq_mark mark;
} irq_vcpu_override;

typedef struct irq_guest_tmpl {
    char *name;
    irq_mark mark;
    uint32_t count; /* instances: name-0 .. name-(count-1), or just name when count is 1 */
    uint32_t vcpus;
    /* workload */
    irq_dist busy, idle, handler;
    irq_phase start;
    bool stopped;   /* vCPUs start STOPPED (rarely useful) */
    uint32_t tasks; /* guest tasks per vCPU (1: the workload is one task) */
    /* model-specific */
    struct irq_param_value *model_params; /* ops->guest_params */
    struct irq_param_value *vcpu_params;  /* ops->vcpu_params: defaults for every vCPU */
    irq_vcpu_override *overrides;
    size_t noverrides;
} irq_guest_tmpl;

typedef enum irq_arrivals_kind {
    IRQ_ARR_POISSON,  /* rate */
    IRQ_ARR_PERIODIC, /* interval, jitter (uniform +-jitter) */
    IRQ_ARR_STORM,    /* count arrivals in window, every period, from start */
    IRQ_ARR_REPLAY,   /* timestamps from a CSV file */
    IRQ_ARR_N         /* the kinds' table: irq__arrival_kinds (arrival.c) */
} irq_arrivals_kind;

typedef enum irq_injection {
    IRQ_INJ_PASSTHROUGH, /* a device the hardware delivers for (adapter interrupt, MSI, ...) */
    IRQ_INJ_SOFTWARE,    /* an emulated device: the host injects it in software */
} irq_injection;

#define IRQ_VCPU_FLOATING (-1)    /* source vcpu: any vCPU of the guest may take it */
#define IRQ_VCPU_ROUND_ROBIN (-2) /* each arrival to the next vCPU (the sender skipped) */
#define IRQ_VCPU_RANDOM (-3)      /* each arrival to a vCPU drawn at random (not the sender) */
#define IRQ_FROM_OUTSIDE (-1)     /* a device or the host: arrivals in real time */
#define IRQ_FROM_ALL (-2)         /* every vCPU of the guest sends */

typedef struct irq_source_cfg {
    char *name;
    irq_mark mark;
    uint32_t tmpl;    /* index of the targeted guest template */
    int64_t instance; /* -1: every instance of the template; else one instance */
    int64_t vcpu;     /* a vCPU index, or IRQ_VCPU_* (floating, round-robin, random) */
    int64_t from;     /* sender in the targeted guest: a vCPU index, or IRQ_FROM_* */
    uint32_t cls;     /* interrupt class the model interprets: ISC, intid, vector */
    irq_injection injection;
    irq_arrivals_kind kind;
    double rate;     /* POISSON: arrivals per cycle */
    double interval; /* PERIODIC: cycles */
    double jitter;   /* PERIODIC: cycles (uniform in [-jitter, +jitter]) */
    uint64_t count;  /* STORM: arrivals per window */
    double window;   /* STORM: cycles */
    double period;   /* STORM: cycles between window starts; 0 = once */
    bool even;       /* STORM: evenly spaced in the window instead of random */
    uint64_t *times; /* REPLAY: sorted arrival times, cycles (owned) */
    size_t ntimes;
    uint64_t start, stop; /* active interval, cycles; stop 0 = end of run */
} irq_source_cfg;

typedef struct irq_output_cfg {
    int format; /* enum irq_format; default text */
    char *dir;  /* --out DIR, or NULL */
} irq_output_cfg;

typedef struct irq_limits_cfg {
    uint64_t max_memory; /* bytes; 0: IRQ_DEFAULT_MEMORY_LIMIT */
    uint64_t max_events; /* 0: no limit */
} irq_limits_cfg;

struct irq_scenario {
    char *path;     /* as given */
    char *base_dir; /* directory of path, for relative file names ("": the current one) */
    char *name;
    uint64_t seed;
    double clock_hz;
    uint64_t duration; /* cycles */
    struct irq_param_value host[IRQ_HOST_NPARAMS];
    const struct irq_model_ops *model;
    struct irq_param_value *model_params; /* ops->params */
    irq_guest_tmpl *tmpls;
    size_t ntmpls;
    irq_source_cfg *sources;
    size_t nsources;
    irq_output_cfg output;
    irq_limits_cfg limits;
    uint64_t total_guests, total_vcpus; /* counted at load */
    uint64_t data_hash;                 /* of the values read from replay/empirical files */
    /* "--set a.b=1" for each override: the files of the marks of what the
     * overrides wrote (owned; marks point into them). */
    char **set_labels;
    size_t nset_labels;
};

#endif
