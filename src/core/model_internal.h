/* How a model plugs into the core.
 *
 * A model is a table of optional callbacks plus its parameter and counter
 * tables, in the manner of the kernel's file_operations: the core calls what
 * a model provides and does without what it does not. Adding a model means
 * adding a folder under src/models/ and one line in registry.c. */
#ifndef IRQ_MODEL_INTERNAL_H
#define IRQ_MODEL_INTERNAL_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "param_internal.h"

struct irq_sim;
struct irq_vcpu;
struct irq_guest;
struct irq_scenario;

/* One arrival, as the core hands it to the model. */
typedef struct irq_intr {
    uint64_t arrival; /* cycles */
    struct irq_guest *guest;
    struct irq_vcpu *vcpu;   /* NULL: floating */
    uint32_t cls;            /* ISC, intid, vector */
    uint8_t injection;       /* enum irq_injection */
    uint32_t source;         /* index of the source config; UINT32_MAX: raised by a model */
    struct irq_vcpu *sender; /* the vCPU that sent it (`from:` sources), else NULL */
} irq_intr;

/* A counter the model reports, per guest and in total. */
/* Where a counter goes in the text report. */
typedef enum irq_counter_group {
    IRQ_CG_DEFAULT,      /* headline ? alerts and kicks : model counters */
    IRQ_CG_ALERTS_KICKS, /* alerts, kicks, doorbells */
    IRQ_CG_TRAPS_EXITS,  /* traps, hypercalls, exits */
    IRQ_CG_DELIVERY,     /* injections, deliveries, coalescing */
    IRQ_CG_FAULTS,       /* page faults and their handling */
    IRQ_CG_OTHER,
    IRQ_CG_N
} irq_counter_group;

/* A counter the model reports, per guest and in total. */
typedef struct irq_counter_desc {
    const char *name; /* JSON key, e.g. "gal_interrupts" */
    const char *help;
    int headline;     /* shown at the top of the text summary (alerts, kicks) */
    uint8_t group;    /* irq_counter_group; 0: from headline */
    const char *unit; /* "events" when NULL; "cycles" values are also shown in ns */
} irq_counter_desc;

/* A distribution of durations the model reports over the whole run (e.g. a
 * page fault's time to resume), shown like the latency rows. */
#define IRQ_MODEL_HISTS_MAX 8
typedef struct irq_model_hist_desc {
    const char *name; /* JSON key and text label (at most 14 characters) */
    const char *help;
} irq_model_hist_desc;

/* An interrupt class a scenario may write by name (`class: sigp-stop`). */
typedef struct irq_class_desc {
    uint32_t value;
    const char *name; /* [a-z0-9-], unique within the model */
    const char *help;
} irq_class_desc;

/* What wait_entry decides. */
typedef enum irq_wait_decision {
    IRQ_WAIT_HALT,   /* halt the vCPU (after polling for *poll cycles) */
    IRQ_WAIT_REFUSE, /* something is deliverable: go back into the guest */
} irq_wait_decision;

typedef struct irq_model_ops {
    const char *name;
    const char *summary; /* one line for `irqsim models` */
    /* CONFIG_HAVE_KVM_INVALID_WAKEUPS (s390): only wake-ups through
     * irq_vcpu_kick or the vCPU's own timer are valid; a halt ended otherwise
     * shrinks the halt-polling window. false: every wake-up is valid. */
    bool invalid_wakeups;
    /* Per-guest and per-vCPU state the core allocates for the model, zeroed
     * (irq_guest_model, irq_vcpu_model). */
    size_t guest_state_size, vcpu_state_size;

    const irq_param_desc *params; /* the `model:` section */
    size_t nparams;
    const irq_param_desc *guest_params; /* a guest template's `model:` section */
    size_t nguest_params;
    const irq_param_desc *vcpu_params; /* `vcpu:` and `vcpu_overrides:` */
    size_t nvcpu_params;
    const irq_counter_desc *counters;
    size_t ncounters;
    const irq_model_hist_desc *hists; /* at most IRQ_MODEL_HISTS_MAX */
    size_t nhists;
    const irq_class_desc *classes; /* classes with names (the others are numbers only) */
    size_t nclasses;

    /* Optional semantic checks across parameters at load, with positions. */
    int (*validate)(const struct irq_scenario *sc, irq_error *err);

    /* Called once all guests and vCPUs exist; allocate model state here. */
    int (*create)(struct irq_sim *sim, void **model, irq_error *err);
    void (*destroy)(void *model);

    /* An interrupt arrived (the core already counted it as injected). */
    void (*inject)(void *model, const irq_intr *in);
    /* The guest executed a wait (halt, WFI, enabled wait) and the host
     * handles it. Return HALT to halt or REFUSE to go back into the guest.
     * *poll is the arch's halt-polling maximum (KVM_HALT_POLL_NS_DEFAULT);
     * the core polls within an adaptive per-vCPU window up to it, as
     * kvm_vcpu_halt() does (0: never polls). */
    irq_wait_decision (*wait_entry)(void *model, struct irq_vcpu *v, uint64_t *poll);
    /* kvm_arch_vcpu_runnable(): asked by a halted vCPU's thread each time it
     * checks whether to leave the halt (a poll that may have seen work, a
     * woken thread). false: the thread goes on polling or sleeps again,
     * still in WAIT, without entering the guest. Optional: without it every
     * wake-up leaves the halt. A vCPU whose own timer fired is runnable
     * without asking. */
    bool (*vcpu_runnable)(void *model, struct irq_vcpu *v);
    /* The halt ended (the vCPU can run) and the vCPU leaves WAIT. */
    void (*wakeup)(void *model, struct irq_vcpu *v);
    /* A guest-originated source's vCPU sends an interrupt (`from:` in the
     * scenario): the host time the sender pays (a trap), 0 for none.
     * Optional: without it sending is free. */
    uint64_t (*send_cost)(void *model, struct irq_vcpu *sender, const irq_intr *in);
    /* The vCPU is about to enter the guest (SIE entry, VM entry): deliver
     * pending interrupts in software here. */
    void (*guest_entry)(void *model, struct irq_vcpu *v);
    /* The vCPU left the guest (exit, preemption, halt). */
    void (*guest_exit)(void *model, struct irq_vcpu *v);
    /* The guest finished an interrupt handler and is enabled again: the
     * hardware may present the next pending interrupt now. */
    void (*irq_enabled)(void *model, struct irq_vcpu *v);
    /* Visits every arrival still held (latched, coalesced or queued) at the
     * end of a run, for the undelivered counts and the censored latency. */
    void (*pending_walk)(void *model,
                         void (*visit)(void *ud, struct irq_guest *g, uint32_t cls,
                                       uint64_t arrival),
                         void *ud);
    /* End of run: checks the model's invariants. Non-zero fails the run. */
    int (*finish)(void *model, irq_error *err);
} irq_model_ops;

/* registry.c */
const irq_model_ops *irq_model_find(const char *name);
const irq_model_ops *const *irq_model_list(size_t *n);
/* The model's class of that value, or of that name; NULL when it has none. */
const irq_class_desc *irq_model_class(const irq_model_ops *ops, uint32_t value);
const irq_class_desc *irq_model_class_named(const irq_model_ops *ops, const char *name);

#endif
