/* The simulated machine, and the API models use to act on it.
 *
 * A vCPU runs a small stack of segments: guest work (BUSY), an interrupt
 * handler (HANDLER), host work on its behalf (EXIT). Only the top one runs;
 * pushing a segment pauses the one below, and losing the physical CPU pauses
 * the top. The vCPU state (RUNNING, EXITING, WAIT, PREEMPTED, STOPPED) is
 * derived from that and changed in one place, which counts transitions and
 * time per state for every model alike. */
#ifndef IRQ_SIM_INTERNAL_H
#define IRQ_SIM_INTERNAL_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "engine_internal.h"
#include "hist_internal.h"
#include "model_internal.h"
#include "rng_internal.h"
#include "scenario_internal.h"

typedef enum irq_vcpu_state {
    IRQ_VCPU_RUNNING,
    IRQ_VCPU_EXITING,
    IRQ_VCPU_WAIT,
    IRQ_VCPU_PREEMPTED,
    IRQ_VCPU_STOPPED,
    IRQ_VCPU_NSTATES
} irq_vcpu_state;
extern const char *const irq_vcpu_state_names[IRQ_VCPU_NSTATES];

typedef enum irq_seg_kind { IRQ_SEG_BUSY, IRQ_SEG_HANDLER, IRQ_SEG_EXIT } irq_seg_kind;

struct irq_vcpu;
/* Called when an EXIT segment completes (the vCPU is still on its CPU). */
typedef void (*irq_exit_done_fn)(struct irq_vcpu *v, void *ctx, uint64_t arg);

typedef struct irq_seg {
    uint8_t kind;
    uint64_t remaining; /* cycles left when paused; total when not started */
    irq_exit_done_fn done;
    void *ctx;
    uint64_t arg;
} irq_seg;

#define IRQ_SEG_MAX 8

typedef struct irq_vcpu {
    struct irq_sim *sim;
    struct irq_guest *guest;
    uint32_t index; /* within the guest */
    uint32_t id;    /* global */
    uint32_t pcpu;
    uint8_t state;
    uint8_t phase;    /* irq_phase: the guest's own busy/idle behaviour */
    bool on_cpu;      /* owns its physical CPU (possibly paused by host work) */
    bool in_guest;    /* between guest_entry and guest_exit */
    bool halted;      /* in WAIT */
    bool polling;     /* halted but still spinning on the CPU (halt polling) */
    bool stopped;     /* STOPPED: never scheduled */
    bool dispatching; /* inside dispatch or a completion: pushes don't re-dispatch */
    uint8_t depth;
    irq_seg stack[IRQ_SEG_MAX];
    uint64_t seg_started; /* when the top segment (re)started running */
    uint64_t busy_left;   /* guest work left in the current busy phase */
    irq_timer_id seg_timer, phase_timer, poll_timer;
    uint64_t state_since;
    uint64_t time_in[IRQ_VCPU_NSTATES];
    uint64_t entries[IRQ_VCPU_NSTATES]; /* transitions into each state */
    uint64_t kicks;
    irq_rng rng;
    struct irq_vcpu *rq_next;
    const irq_param_value *params; /* the model's vcpu_params for this vCPU */
    void *model_data;
} irq_vcpu;

typedef struct irq_guest {
    struct irq_sim *sim;
    char name[80];
    uint32_t index;
    uint32_t tmpl;
    irq_vcpu *vcpus;
    uint32_t nvcpus;
    const irq_param_value *params; /* the model's guest_params */
    uint64_t injected, delivered, coalesced, pending, dropped, kicks;
    uint64_t *mcount; /* the model's counters */
    irq_hist latency;
    void *model_data;
} irq_guest;

/* ---- API for models ---------------------------------------------------- */

static inline uint64_t irq_now(const struct irq_sim *sim);
const irq_param_value *irq_sim_model_params(const struct irq_sim *sim);
const irq_scenario *irq_sim_scenario(const struct irq_sim *sim);
size_t irq_sim_nguests(const struct irq_sim *sim);
irq_guest *irq_sim_guest(struct irq_sim *sim, size_t i);
/* Guest `instance` of template `tmpl`. */
irq_guest *irq_sim_guest_of(struct irq_sim *sim, uint32_t tmpl, uint64_t instance);
uint32_t irq_sim_ncpus(const struct irq_sim *sim);

/* Timers for the model's own events (created in create()). */
irq_timer_id irq_sim_timer_new(struct irq_sim *sim, irq_event_fn fn, void *ctx, uint64_t arg);
void irq_sim_timer_arm(struct irq_sim *sim, irq_timer_id t, uint64_t when);
void irq_sim_timer_cancel(struct irq_sim *sim, irq_timer_id t);
bool irq_sim_timer_armed(const struct irq_sim *sim, irq_timer_id t);
void irq_sim_rng(const struct irq_sim *sim, irq_rng *r, const char *stream, uint64_t index);

/* Marks the run as failed (a model invariant broke); the run stops. */
void irq_sim_fail(struct irq_sim *sim, const char *fmt, ...) __attribute__((format(printf, 2, 3)));

/* vCPU queries */
static inline bool irq_vcpu_halted(const irq_vcpu *v)
{
    return v->halted;
}
static inline bool irq_vcpu_polling(const irq_vcpu *v)
{
    return v->polling;
}
/* In the guest and running its normal work (not inside a handler, not in
 * the host): the hardware can present an interrupt right now. */
bool irq_vcpu_in_guest(const irq_vcpu *v);
bool irq_vcpu_in_handler(const irq_vcpu *v);

/* Pending interrupts with their arrival times. One irq_pend is one latch
 * (an ISC bit, an rVIC intid): a second arrival while it is set is
 * coalesced and delivered with the first, its latency from its own arrival.
 * The arrays grow to the largest burst seen and are then reused. */
typedef struct irq_pend {
    uint64_t first; /* arrival of the interrupt that set the latch */
    uint32_t n;     /* arrivals held: 0 = clear */
    uint32_t cap;
    uint64_t *more; /* arrivals 2..n */
} irq_pend;

/* Returns true when the latch was clear (a new pending interrupt), false
 * when the arrival was coalesced into it. Counts either way. */
bool irq_pend_add(irq_guest *g, irq_pend *p, uint64_t arrival);
/* Delivers the latch to v: one handler runs; every arrival held gets its
 * latency recorded. v must be on its CPU (in the guest or entering it). */
void irq_pend_deliver(irq_vcpu *v, irq_pend *p, uint32_t cls);
/* Drops what the latch holds; counter (a model counter index, or -1) names
 * the reason and is incremented by the number dropped. */
void irq_pend_drop(irq_guest *g, irq_pend *p, int counter);
void irq_pend_free(irq_pend *p);
static inline bool irq_pend_set(const irq_pend *p)
{
    return p->n != 0;
}

/* A FIFO of pending interrupts that are delivered one by one (a software
 * floating-interrupt list: no coalescing). Each entry counts as pending. */
typedef struct irq_fifo {
    uint64_t *t;
    uint32_t head, len, cap;
} irq_fifo;
/* Appends an arrival; when the FIFO already holds max entries the arrival
 * is dropped and counter (a model counter index, or -1) names the reason.
 * Returns false when dropped. */
bool irq_fifo_add(irq_guest *g, irq_fifo *q, uint64_t arrival, uint32_t max, int counter);
/* Delivers the oldest entry to v (starts its handler). */
void irq_fifo_deliver(irq_vcpu *v, irq_fifo *q, uint32_t cls);
void irq_fifo_free(irq_fifo *q);
static inline bool irq_fifo_empty(const irq_fifo *q)
{
    return q->len == 0;
}

/* Delivers one arrival that never was pending (e.g. presented directly to
 * a running vCPU). */
void irq_deliver_now(irq_vcpu *v, uint64_t arrival, uint32_t cls);

/* Wakes a halted vCPU (no-op otherwise); counts a kick. Returns true when
 * the vCPU was halted. */
bool irq_vcpu_kick(irq_vcpu *v);
/* Ends a vCPU's halt without a kick (it noticed work itself, e.g. while
 * halt polling). Returns true when the vCPU was halted. */
bool irq_vcpu_wake(irq_vcpu *v);
/* Runs host work on the vCPU's behalf (an exit, a trap, a hypercall) for
 * cycles; done (optional) is called when it completes. */
void irq_vcpu_exit(irq_vcpu *v, uint64_t cycles, irq_exit_done_fn done, void *ctx, uint64_t arg);

/* Host work on physical CPU cpu (e.g. a GAL interruption handler): the
 * vCPU on that CPU, if any, is paused meanwhile. done is called at the end. */
void irq_host_work(struct irq_sim *sim, uint32_t cpu, uint64_t cycles, irq_event_fn done, void *ctx,
                   uint64_t arg);

static inline void irq_count(irq_guest *g, unsigned counter, uint64_t n)
{
    g->mcount[counter] += n;
}

/* Trace hooks (cheap no-ops unless a trace is being written). The core
 * itself emits "arrival", "kick" and "deliver" for every model; models add
 * their own (gib: "alert", "iam_restore"). */
void irq_trace_instant(struct irq_sim *sim, const char *what, const irq_guest *g, const irq_vcpu *v,
                       int cpu);

/* A tracer receives state changes and instant events (trace.c writes the
 * Chrome trace-event format from them). */
typedef struct irq_tracer {
    void (*vcpu_state)(void *ud, const irq_vcpu *v, int old_state, int new_state, uint64_t now);
    void (*instant)(void *ud, const char *what, const irq_guest *g, const irq_vcpu *v, int cpu,
                    uint64_t now);
    void (*host_work)(void *ud, uint32_t cpu, int begin, uint64_t now);
    void *ud;
} irq_tracer;
void irq_sim_set_tracer(struct irq_sim *sim, const irq_tracer *t);

/* ---- internals shared by sim.c, vcpu.c, source.c, report.c ------------- */
struct irq_sim_priv;
struct irq_sim {
    irq_engine eng; /* first: irq_now() reads eng.now */
    const irq_scenario *sc;
    const irq_model_ops *ops;
    void *model;
    struct irq_sim_priv *priv;
};

static inline uint64_t irq_now(const struct irq_sim *sim)
{
    return sim->eng.now;
}

#endif
