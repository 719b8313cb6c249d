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
#include "pendq.h"
#include "rng_internal.h"
#include "scenario_internal.h"

typedef enum irq_vcpu_state {
    IRQ_VCPU_RUNNING,
    IRQ_VCPU_EXITING,
    IRQ_VCPU_WAIT,
    IRQ_VCPU_PREEMPTED,
    IRQ_VCPU_STOPPED,
    IRQ_VCPU_BLOCKED, /* its thread sleeps in the host for the model (a synchronous fault) */
    IRQ_VCPU_NSTATES
} irq_vcpu_state;
extern const char *const irq_vcpu_state_names[IRQ_VCPU_NSTATES];

typedef enum irq_seg_kind { IRQ_SEG_BUSY, IRQ_SEG_HANDLER, IRQ_SEG_EXIT } irq_seg_kind;

struct irq_vcpu;
struct irq_pcpu;
/* Called when an EXIT segment completes (the vCPU is still on its CPU). */
typedef void (*irq_exit_done_fn)(struct irq_vcpu *v, void *ctx, uint64_t arg);

typedef struct irq_seg {
    uint8_t kind;
    bool quiet;         /* HANDLER: a handler plan's traps follow; irq_enabled comes after them */
    bool lat_defer;     /* HANDLER: the latencies of its delivery are recorded when it starts */
    uint64_t remaining; /* cycles left when paused; total when not started */
    irq_exit_done_fn done;
    void *ctx;
    uint64_t arg;
} irq_seg;

#define IRQ_SEG_MAX 16

/* A vCPU's host thread as the host scheduler sees it (sched.c). Virtual
 * times are in cycles; all threads have nice 0, so they advance 1:1. */
typedef struct irq_thread {
    int64_t vrt;        /* vruntime */
    int64_t deadline;   /* eevdf virtual deadline */
    int64_t vlag;       /* eevdf: lag kept over a sleep; cfs: vruntime - min_vruntime */
    uint64_t last_ran;  /* when it last left a CPU (cache-hot test) */
    uint64_t queued_at; /* when it started waiting for a CPU */
    uint64_t picked_at; /* cfs: when it got the CPU (slice accounting) */
    /* links to other threads as 1 + their vCPU's id, 0: none (sched_internal.h's
     * irq__th_get / irq__th_link): 4 bytes each, not 8 */
    uint32_t q_prev, q_next;          /* its CPU's queue, in arrival order */
    uint32_t t_left, t_right, t_dmin; /* fair: the run-queue treap (runq.c) */
    uint32_t last_cpu;                /* UINT32_MAX: never ran */
    bool queued;                      /* waiting in a run queue */
    bool delayed;                     /* eevdf: asleep but still queued (DELAY_DEQUEUE) */
    bool protect;                     /* eevdf RUN_TO_PARITY: keeps the CPU until a new slice */
    bool counted;                     /* fair: in its CPU's nr/sum (queued, delayed or current) */
} irq_thread;

/* A guest task (a thread of the guest) on one vCPU. Every vCPU has at
 * least one (tens of thousands): 8 bytes, not 16. */
typedef struct irq_task {
    uint64_t work : 63;  /* cycles of guest work it executed (2^63: 56 years at 5.2 GHz) */
    uint64_t parked : 1; /* waiting (e.g. for a page): not runnable */
} irq_task;

/* Segments held in the vCPU itself; a vCPU that nests deeper (handler
 * plans with traps) moves its stack to an array of IRQ_SEG_MAX, once.
 * GIB vCPUs rarely go past 3 (many-guests: 1 of 1,680 vCPUs by 0.25 s, 7
 * by 4 s), so 3 costs less than room for a fourth in every vCPU. */
#define IRQ_SEG_INLINE 3

/* Fields in the order the hot path reads them: the first two cache lines
 * serve most events (state, stack top, timers, times); statistics and
 * rarely used services come last. There are tens of thousands. */
typedef struct irq_vcpu {
    struct irq_sim *sim;
    struct irq_guest *guest;
    struct irq_pcpu *cpu; /* CPU it runs on, or ran on last (the scheduler keeps pcpu too) */
    irq_seg *stack;       /* seg_in, or IRQ_SEG_MAX segments once it nested deeper */
    /* The fields every state change and dispatch touch come first, together
     * (flags, model_data, state_since, time_in, gsources): at 10,000 guests the vCPUs
     * (18 MiB) outgrow the caches, and each extra line is a miss. */
    void *model_data; /* the model reads it (its per-vCPU state) at nearly every call */
    uint8_t state;
    uint8_t phase;     /* irq_phase: the guest's own busy/idle behaviour */
    bool on_cpu;       /* owns its physical CPU (possibly paused by host work) */
    bool in_guest;     /* between guest_entry and guest_exit */
    bool halted;       /* in WAIT: inside kvm_vcpu_halt until it can run */
    bool polling;      /* halted, spinning on its CPU (halt polling) */
    bool waking;       /* halted, its thread woken: runnable until it re-checks */
    bool stopped;      /* STOPPED: never scheduled */
    bool blocked;      /* BLOCKED: its thread sleeps in the host until the model says */
    bool alarm_hit;    /* the running BUSY segment stops at the guest-work alarm */
    bool dispatching;  /* inside dispatch or a completion: pushes don't re-dispatch */
    bool valid_wakeup; /* this halt was ended or interrupted by a valid wake-up */
    bool model_halt;   /* this halt was started by the model (irq_vcpu_halt_model) */
    bool timer_woke;   /* ... and the guest's own timer fired during it */
    uint8_t depth;
    bool ld_hold;  /* the model defers them (irq_vcpu_latency_at_handler) */
    bool did_poll; /* this halt polled (kvm_vcpu_halt's do_halt_poll) */
    bool slept;    /* this halt's thread slept (kvm_vcpu_block waited) */
    irq_timer_id seg_timer, phase_timer, poll_timer;
    uint32_t pcpu;               /* CPU it runs on, or ran on last */
    uint32_t index;              /* within the guest */
    struct irq_source *gsources; /* sources it sends (`from:`), timed in its guest time */
    uint64_t seg_started;        /* when the top segment (re)started running */
    uint64_t busy_left;          /* guest work left in the current busy phase */
    uint64_t state_since;
    uint64_t time_in[IRQ_VCPU_NSTATES];
    /* guest work executed (cycles of BUSY segments) and the model's alarm on it */
    uint64_t work_done, work_alarm;
    const irq_param_value *params; /* the model's vcpu_params for this vCPU */
    uint32_t id;                   /* global */
    uint32_t nld;                  /* latency deferrals held (ld, below) */
    irq_seg seg_in[IRQ_SEG_INLINE];
    irq_thread th; /* the host scheduler's view of the vCPU thread (sched.c) */
    irq_rng rng;
    /* where an interrupt's latency went: when the thread was last woken or
     * queued (b0), got a CPU (b1) and returned from its halt (b2) */
    uint64_t lb[3];
    /* halt polling (kvm_vcpu_halt): the adaptive window and this halt's times */
    uint64_t poll_window, poll_max, halt_start, poll_end;
    uint64_t kicks;
    irq_exit_done_fn alarm_fn;
    void *alarm_ctx;
    /* guest tasks (workload `tasks`): which runs, which are parked */
    struct irq_task *tasks;
    uint32_t ntasks, cur_task, nrunnable;
    uint32_t ldcap; /* room in ld (below; here it packs with the task counts) */
    /* arrivals delivered with a plan whose traps come before the handler:
     * their latency runs to the handler's start (sim.c) */
    struct irq_lat_defer *ld;
} irq_vcpu;

/* Counters the core keeps for every guest, whatever the model; the halt
 * ones carry the names of the kernel's kvm_vcpu_stat_generic fields. */
enum irq_guest_counter {
    IRQ_GC_HALT_WAKEUP,       /* a sleeping halted thread was woken */
    IRQ_GC_HALT_ATTEMPTED,    /* halts that polled */
    IRQ_GC_HALT_SUCCESSFUL,   /* ... and ended while polling */
    IRQ_GC_HALT_POLL_INVALID, /* ... successful, but not by a valid wake-up */
    IRQ_GC_HALT_POLL_OK_NS,   /* cycles polled in successful polls */
    IRQ_GC_HALT_POLL_FAIL_NS, /* cycles polled in polls that ended asleep */
    IRQ_GC_HALT_SLEEP_AGAIN,  /* woken threads that found nothing and slept again */
    IRQ_GC_IPI_EXITS,         /* kvm_vcpu_kick forced a vCPU out of guest mode */
    IRQ_GC_TRAPS,             /* guest traps of handler plans and irq_vcpu_trap */
    IRQ_GC_RAISED,            /* interrupts raised inside the simulation (irq_raise) */
    IRQ_GC_BLOCKED,           /* times a vCPU thread blocked in the host */
    IRQ_GC_TIMER_WAKEUPS,     /* halted vCPUs woken by the guest's own timer */
    IRQ_GC_N
};
extern const char *const irq_guest_counter_names[IRQ_GC_N];

typedef struct irq_guest {
    /* What arrivals, deliveries and the model's per-guest work (kicker
     * ticks, alert list passes) read comes first, in one line: at 10,000
     * guests the guests (3 MiB) outgrow the caches, and each extra line is
     * a miss. */
    struct irq_sim *sim;
    irq_vcpu *vcpus;
    uint64_t *mcount; /* the model's counters */
    void *model_data;
    uint32_t index;
    uint32_t tmpl;
    uint32_t nvcpus;
    /* its vCPUs halt-polling now (irq_vcpu.polling): a model that notifies
     * pollers of an arrival skips reading every vCPU when none polls (at
     * 10,000 guests each vCPU read is a cache miss) */
    uint32_t npolling;
    uint64_t injected, delivered, coalesced, pending, dropped, kicks;
    const char *name; /* "template" or "template-instance", in the simulation's name block */
    const irq_param_value *params; /* the model's guest_params */
    uint64_t core[IRQ_GC_N];       /* the core's own per-guest counters */
    uint64_t undelivered;          /* at the end: arrivals still held (coalesced ones too) */
    uint64_t oldest_pending;       /* at the end: age of the oldest of them, cycles */
    irq_hist latency;
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
/* Whether any vCPU of the guest is halt-polling now. */
static inline bool irq_guest_polling(const irq_guest *g)
{
    return g->npolling != 0;
}
/* Halted and its thread asleep in the host (not polling, not woken). */
static inline bool irq_vcpu_sleeping(const irq_vcpu *v)
{
    return v->halted && !v->polling && !v->waking;
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
/* Delivers what the latch holds without a handler (an order carried out,
 * such as a SIGP STOP): counted delivered, latency recorded now. */
void irq_pend_consume(irq_vcpu *v, irq_pend *p, uint32_t cls);
/* The same for one arrival carried out at once (a STOP to a stopped vCPU). */
void irq_consume_now(irq_vcpu *v, uint64_t arrival, uint32_t cls);
/* An arrival the model refuses outright (never pending): dropped, with the
 * model counter that says why (-1: none). */
void irq_drop_arrival(irq_guest *g, int counter);
void irq_pend_free(irq_pend *p);
/* Calls visit for every arrival the latch holds. */
void irq_pend_walk(irq_guest *g, const irq_pend *p, uint32_t cls,
                   void (*visit)(void *ud, irq_guest *g, uint32_t cls, uint64_t arrival), void *ud);
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
void irq_fifo_walk(irq_guest *g, const irq_fifo *q, uint32_t cls,
                   void (*visit)(void *ud, irq_guest *g, uint32_t cls, uint64_t arrival), void *ud);
static inline bool irq_fifo_empty(const irq_fifo *q)
{
    return q->len == 0;
}

/* Delivers one arrival that never was pending (e.g. presented directly to
 * a running vCPU). */
void irq_deliver_now(irq_vcpu *v, uint64_t arrival, uint32_t cls);

/* kvm_vcpu_wake_up() as a kick: a halted vCPU's wake-up is valid (s390's
 * kvm_s390_vcpu_wakeup); a sleeping thread is woken (halt_wakeup), then
 * re-checks whether it can run (the model's vcpu_runnable) and sleeps again
 * if not; a polling one re-checks at once. Never forces a vCPU out of guest
 * mode. Counts a kick. Returns true when the vCPU was halted. */
bool irq_vcpu_kick(irq_vcpu *v);
/* kvm_vcpu_kick(): a halted vCPU is woken as above; a vCPU in guest mode
 * gets a reschedule IPI and exits (host.ipi_exit, counted as ipi_exits);
 * one in the host or preempted sees the request at its next entry (nothing
 * to do here: guest_entry runs then). Counts a kick. Returns true when the
 * vCPU was halted. */
bool irq_vcpu_kick_ipi(irq_vcpu *v);
/* A halt-polling vCPU's poll loop notices work by itself (no wake-up call,
 * so not a valid wake-up): it re-checks and leaves its halt if it can run.
 * No-op unless v is polling. Returns true when the halt ended. */
bool irq_vcpu_wake(irq_vcpu *v);
/* ---- services for models (issue 7): raise, plans, guest time, blocking, tasks */

/* A model or the guest raises an interrupt inside the simulation (an IPI, a
 * timer, a page-ready notification): counted as injected, traced as an
 * arrival and handed to the model's inject, exactly like a source's
 * arrival. vcpu NULL: floating. source: UINT32_MAX when no scenario source. */
void irq_raise(irq_guest *g, irq_vcpu *vcpu, uint32_t cls, uint8_t injection, uint32_t source);
/* The same with the whole arrival given (its sender, for guest-originated ones). */
void irq_raise_intr(irq_intr *in);

/* What the guest does around one interrupt's handler: traps before it (an
 * ACK hypercall), the body (the template's handler cost), traps after it
 * (EOI, RESAMPLE, an ACK MSR write). Each trap is an exit of `cycles`,
 * counted in the model counter `counter` (or -1) and in the core's `traps`,
 * and traced as "trap". The model's irq_enabled runs after the last step. */
#define IRQ_PLAN_MAX_TRAPS 4
typedef struct irq_trap {
    int counter;     /* model counter index, or -1 */
    uint64_t cycles; /* host time of the trap, exit to re-entry */
} irq_trap;
typedef struct irq_handler_plan {
    uint8_t npre, npost;
    /* The traps before the body are how the guest takes the interrupt (an
     * ACK hypercall that names it): its latency runs to the body's start.
     * false: the handler starts with them (an early EOI inside it). */
    bool pre_is_ack;
    irq_trap pre[IRQ_PLAN_MAX_TRAPS], post[IRQ_PLAN_MAX_TRAPS];
} irq_handler_plan;
/* irq_pend_deliver / irq_fifo_deliver / irq_deliver_now with a plan (NULL:
 * the handler body alone, as the plain functions do). */
void irq_pend_deliver_plan(irq_vcpu *v, irq_pend *p, uint32_t cls, const irq_handler_plan *plan);
void irq_deliver_now_plan(irq_vcpu *v, uint64_t arrival, uint32_t cls,
                          const irq_handler_plan *plan);
void irq_vcpu_start_handler_plan(irq_vcpu *v, const irq_handler_plan *plan);
/* A trap the guest takes outside any handler (a hypercall on its own
 * initiative): an exit of cycles, counted like a plan's traps. */
void irq_vcpu_trap(irq_vcpu *v, int counter, uint64_t cycles, irq_exit_done_fn done, void *ctx,
                   uint64_t arg);

/* Calls fn once the vCPU has executed `cycles` more of guest work (busy
 * periods; paused while it waits, exits, runs handlers or is preempted).
 * One alarm per vCPU: arming again replaces it; cycles 0 cancels. fn runs
 * with the vCPU on its CPU, its guest work paused at that point: it may
 * push an exit (a fault) or block the vCPU. */
void irq_vcpu_after_work(irq_vcpu *v, uint64_t cycles, irq_exit_done_fn fn, void *ctx);
static inline uint64_t irq_vcpu_work_done(const irq_vcpu *v)
{
    return v->work_done;
}

/* The vCPU's thread sleeps in the host (a synchronous page fault waiting
 * for I/O): it gives up its CPU, its state is BLOCKED, its stack is kept.
 * irq_vcpu_unblock wakes the thread; it resumes where it stopped once it
 * has a CPU. v must be on its CPU and not halted. */
void irq_vcpu_block_host(irq_vcpu *v);
void irq_vcpu_unblock(irq_vcpu *v);

/* SIGP STOP: the vCPU is STOPPED, its thread off its CPU, its stack kept
 * (v on its CPU, not halted or blocked). irq_vcpu_restart makes it operate
 * again; it resumes where it stopped once it has a CPU. */
void irq_vcpu_stop(irq_vcpu *v);
void irq_vcpu_restart(irq_vcpu *v);
static inline bool irq_vcpu_stopped(const irq_vcpu *v)
{
    return v->stopped;
}
/* While on, deliveries to v record their latency when the handler body
 * starts rather than now: an interrupt the host delivers just before the
 * vCPU stops, whose handler runs only after it restarts. */
void irq_vcpu_latency_at_handler(irq_vcpu *v, bool on);
static inline bool irq_vcpu_blocked(const irq_vcpu *v)
{
    return v->blocked;
}

/* A halt the host imposes, not one the guest executed (x86's artificial
 * halt for an async page fault, KVM_REQ_APF_HALT): kvm_vcpu_block without
 * halt polling and without the halt-polling statistics or window changes.
 * The vCPU is in WAIT with its stack kept; only a wake-up (irq_vcpu_kick,
 * irq_vcpu_kick_ipi, the guest's own timer) ends it, and then only if the
 * model's vcpu_runnable says so (or the guest's timer fired): the guest
 * having work does not end it. v must be on its CPU and not halted. */
void irq_vcpu_halt_model(irq_vcpu *v);

/* Guest tasks (workload `tasks: N`): the guest runs a runnable task during
 * its busy periods and executes a wait when none is runnable. Work is
 * counted per task. Parking the running task switches to the next
 * runnable one (round-robin). */
static inline uint32_t irq_vcpu_task(const irq_vcpu *v)
{
    return v->cur_task;
}
void irq_task_park(irq_vcpu *v, uint32_t task);
void irq_task_wake(irq_vcpu *v, uint32_t task);
/* The guest's scheduler switches to a runnable task (a time slice ended, a
 * woken task preempts): the work done so far stays with the task that ran. */
void irq_task_run(irq_vcpu *v, uint32_t task);
static inline bool irq_task_parked(const irq_vcpu *v, uint32_t task)
{
    return v->tasks && v->tasks[task].parked;
}
static inline uint64_t irq_task_work(const irq_vcpu *v, uint32_t task)
{
    return v->tasks ? v->tasks[task].work : v->work_done;
}
/* The guest has something to run: a busy period with a runnable task. */
bool irq_vcpu_has_work(const irq_vcpu *v);

/* Model state the core allocates (the model declares guest_state_size and
 * vcpu_state_size in its ops), zeroed, reached in O(1). */
static inline void *irq_guest_model(const irq_guest *g)
{
    return g->model_data;
}
static inline void *irq_vcpu_model(const irq_vcpu *v)
{
    return v->model_data;
}

/* Runs host work on the vCPU's behalf (an exit, a trap, a hypercall) for
 * cycles; done (optional) is called when it completes. */
void irq_vcpu_exit(irq_vcpu *v, uint64_t cycles, irq_exit_done_fn done, void *ctx, uint64_t arg);

/* Host work on physical CPU cpu (e.g. a GAL interruption handler): the
 * vCPU on that CPU, if any, is paused meanwhile. done is called at the end. */
void irq_host_work(struct irq_sim *sim, uint32_t cpu, uint64_t cycles, irq_event_fn done, void *ctx,
                   uint64_t arg);
/* The same, named for the trace ("GAL pass", "kicker tick"). */
void irq_host_work_named(struct irq_sim *sim, uint32_t cpu, uint64_t cycles, irq_event_fn done,
                         void *ctx, uint64_t arg, const char *what);

/* Records one value (cycles) in the model's distribution `hist` (an index
 * into its ops->hists). */
void irq_model_hist_add(struct irq_sim *sim, unsigned hist, uint64_t cycles);

static inline void irq_count(irq_guest *g, unsigned counter, uint64_t n)
{
    g->mcount[counter] += n;
}

/* Trace hooks (cheap no-ops unless a trace is being written). The core
 * itself emits "arrival", "kick" and "deliver" for every model; models add
 * their own (gib: "alert", "iam_restore"). */
void irq_trace_instant(struct irq_sim *sim, const char *what, const irq_guest *g, const irq_vcpu *v,
                       int cpu);

/* What an event says besides its name, for the trace's arguments and flow
 * arrows; -1 / NULL where it does not apply. */
typedef struct irq_trace_info {
    int32_t cls;        /* interrupt class */
    int32_t source;     /* arrival: index of its source in the scenario */
    int32_t injection;  /* arrival: enum irq_injection */
    uint64_t arrival;   /* deliver, coalesced: when the interrupt arrived */
    int64_t latency;    /* deliver, coalesced: cycles since its arrival */
    const char *path;   /* deliver: latch, fifo or direct (how the core handed it over) */
    const char *reason; /* kick: the path that issued it (models fill it) */
    int wasted;         /* kick: 1 wasted, 0 not, -1 unknown */
} irq_trace_info;
#define IRQ_TRACE_INFO_INIT                                                                        \
    {                                                                                              \
        .cls = -1, .source = -1, .injection = -1, .latency = -1, .wasted = -1                      \
    }
/* A counter track (a list's length, pending bits): its value from now on;
 * g NULL: a host-wide counter. */
void irq_trace_counter(struct irq_sim *sim, const char *name, const irq_guest *g, uint64_t value);
/* Why the kicks issued from now on are issued (the path: "kicker tick",
 * "GAL pass"), for the trace's kick events; NULL: none said. A model sets
 * it around the kicks of one path. */
void irq_trace_kick_reason(struct irq_sim *sim, const char *reason);
/* An instant with its details (irq_trace_instant is this without). */
void irq_trace_event(struct irq_sim *sim, const char *what, const irq_guest *g, const irq_vcpu *v,
                     int cpu, const irq_trace_info *info);

/* A tracer receives state changes and instant events (trace.c writes the
 * Chrome trace-event format from them). */
typedef struct irq_tracer {
    void (*vcpu_state)(void *ud, const irq_vcpu *v, int old_state, int new_state, uint64_t now);
    void (*instant)(void *ud, const char *what, const irq_guest *g, const irq_vcpu *v, int cpu,
                    const irq_trace_info *info, uint64_t now);
    /* begin: what the work is ("GAL pass"; NULL: unnamed) */
    void (*host_work)(void *ud, uint32_t cpu, int begin, const char *what, uint64_t now);
    void (*counter)(void *ud, const char *name, const irq_guest *g, uint64_t value, uint64_t now);
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
