/* Private state of a simulation, shared by sim.c, vcpu.c, source.c and
 * report.c. Models never include this. */
#ifndef IRQ_SIM_PRIV_INTERNAL_H
#define IRQ_SIM_PRIV_INTERNAL_H

#include "sim_internal.h"

typedef struct irq_host_work_item {
    uint64_t cycles;
    irq_event_fn done;
    void *ctx;
    uint64_t arg;
    const char *what; /* for the trace, or NULL */
    uint32_t next;    /* the next item of its CPU's queue, or of the free list */
} irq_host_work_item;

#define IRQ_WORK_NONE UINT32_MAX

/* What a host CPU spends its time on. */
enum irq_cpu_use {
    IRQ_USE_GUEST,     /* a vCPU runs guest code */
    IRQ_USE_EXIT,      /* a vCPU thread in the host: exits, wake-up, switch */
    IRQ_USE_HOST_WORK, /* interrupt handlers and timers (alerts, kicker) */
    IRQ_USE_POLL,      /* a halted vCPU halt-polls */
    IRQ_USE_IDLE,
    IRQ_USE_N
};
extern const char *const irq_cpu_use_names[IRQ_USE_N];

typedef struct irq_pcpu {
    struct irq_sim *sim;
    uint32_t id;
    uint32_t llc_first, llc_n; /* its last-level-cache domain */
    irq_vcpu *cur;             /* vCPU thread owning the CPU, or NULL */
    irq_vcpu *last;            /* last vCPU that ran here (context-switch cost) */
    irq_vcpu *q_head, *q_tail; /* queued threads in arrival order (eevdf: delayed too) */
    irq_vcpu *tree;            /* fair: the same threads by vruntime (runq.c) */
    uint32_t nwaiting;         /* queued threads that want the CPU (not delayed) */
    uint32_t nr;               /* fair: threads in the average: queued, delayed, current */
    int64_t sum_v;             /* fair: sum of their vruntimes */
    int64_t base_v;            /* fair: V of an empty queue; cfs: min_vruntime */
    uint64_t exec_start;       /* fair: current's vruntime is accounted up to here */
    bool busy;                 /* running host work: cur is paused */
    /* FIFO of host work: items of the simulation's pool (irq_sim_priv),
     * linked from head to tail; IRQ_WORK_NONE when empty */
    uint32_t work_head, work_tail, work_len;
    irq_timer_id slice_timer, work_timer; /* slice_timer: fifo slice end, fair tick */
    uint64_t cur_since;                   /* when cur got the CPU: its time slice starts there */
    uint8_t use;                          /* enum irq_cpu_use now */
    uint64_t use_since;
    uint64_t use_time[IRQ_USE_N];
} irq_pcpu;

typedef struct irq_source {
    struct irq_sim *sim;
    const irq_source_cfg *cfg;
    uint32_t cfg_index;
    irq_guest *guest;
    irq_vcpu *vcpu; /* NULL: floating */
    irq_rng rng;
    irq_timer_id timer;
    uint64_t stop;   /* no arrival at or after this time */
    uint64_t k;      /* PERIODIC: period number; STORM: arrival within window; REPLAY: index */
    uint64_t window; /* STORM: window number */
    double u;        /* STORM random spacing: previous order statistic in [0, 1) */
    uint64_t last;   /* last arrival (keeps jittered arrivals in order) */
    /* guest-originated (`from:`): arrivals in the sender's guest time */
    irq_vcpu *sender;
    uint64_t g0, gnext; /* sender's guest time at the start; of the next arrival */
    bool gactive;
    struct irq_source *snext; /* the sender's other sources */
} irq_source;

struct irq_sim_priv {
    irq_guest *guests;
    size_t nguests;
    irq_vcpu *vcpus;
    size_t nvcpus;
    irq_pcpu *pcpus;
    uint32_t npcpus;
    irq_source *sources;
    size_t nsources;
    uint64_t *mcounts;              /* nguests * ncounters */
    void *guest_state, *vcpu_state; /* the model's per-guest and per-vCPU state */
    irq_task *tasks;                /* every vCPU's guest tasks */
    size_t ntasks_used;
    size_t *tmpl_first; /* index of each template's first guest */
    /* latency per interrupt class, over all guests */
    uint32_t *cls_values; /* sorted */
    irq_hist *cls_hist;
    size_t ncls;
    irq_hist total_latency;
    uint64_t cost[IRQ_HOST_NPARAMS]; /* host durations in cycles */
    /* the host scheduler (sched.c) */
    int sched, affinity;
    uint64_t slice, cfs_latency, cfs_min_gran, cfs_wakeup_gran; /* cycles, CPU factor applied */
    uint64_t *idle_map, *wait_map; /* CPUs idle; CPUs with waiting threads */
    /* Host work queued on any CPU, in one pool with a free list: it grows to
     * the most items queued at once on all CPUs together, which the models
     * bound (gib: one kicker tick per guest plus one GAL pass; rvic: one
     * doorbell per vCPU), not to the sum of each CPU's worst moment. */
    irq_host_work_item *work_pool;
    uint32_t work_pool_cap, work_free;
    /* where latency went (latency_breakdown): host to act, run queue, wake-up, delivery */
    irq_hist lat_part[4];
    irq_hist censored; /* delivered latencies plus the age of each undelivered arrival */
    irq_hist mhists[IRQ_MODEL_HISTS_MAX];   /* the model's distributions (ops->hists) */
    uint64_t *cls_undelivered, *cls_oldest; /* per class, at the end */
    uint64_t timer_wakeups;                 /* halted vCPUs woken by their own timer */
    const char *kick_reason;                /* for the trace: why the kicks now issued */
    uint64_t end;                           /* simulated end time */
    double wall_seconds;
    uint64_t held_bytes;  /* latches, FIFOs and host-work queues: what they grew to */
    uint64_t mem_limit;   /* budget for held_bytes (irq_sim_set_memory_limit) */
    uint64_t event_limit; /* events a run may take (irq_sim_set_event_limit) */
    bool partial;         /* stopped early on request: results cover [0, end] */
    irq_latency_fn sink;
    void *sink_ud;
    irq_tracer tracer;
    bool tracing;
    bool failed;
    volatile int stop; /* checked by the engine between events */
    bool ran;
    char fail_msg[512];
};

/* vcpu.c */
void irq_vcpu_start(irq_vcpu *v);
void irq_vcpu_init_timers(struct irq_sim *sim, irq_vcpu *v);
void irq_vcpu_account_end(irq_vcpu *v, uint64_t end);
void irq_vcpu_start_handler(irq_vcpu *v);
/* called by sched.c */
void irq__vcpu_got_cpu(irq_vcpu *v, bool switched, bool migrated);
void irq__vcpu_lost_cpu(irq_vcpu *v);
void irq__vcpu_poll_abort(irq_vcpu *v);
void irq__vcpu_pause(irq_vcpu *v);
void irq__vcpu_resume(irq_vcpu *v);
void irq__vcpu_update_state(irq_vcpu *v);
/* runq.c: the fair run queue (a treap by vruntime, min deadline kept) */
void irq__rq_insert(irq_vcpu **root, irq_vcpu *v);
void irq__rq_remove(irq_vcpu **root, irq_vcpu *v);
irq_vcpu *irq__rq_leftmost(irq_vcpu *root);
irq_vcpu *irq__rq_pick_eligible(irq_vcpu *root, int64_t sum, uint32_t nr);
/* sched.c: the host scheduler and host work */
int irq__sched_init(struct irq_sim *sim, irq_error *err);
void irq__sched_free(struct irq_sim *sim);
/* A thread that was asleep (or is new, at time 0) becomes runnable. */
void irq__sched_wake(irq_vcpu *v);
/* The current thread of its CPU goes to sleep. */
void irq__sched_block(irq_vcpu *v);
/* Other threads wait for v's CPU (kvm_vcpu_can_poll's single_task_running). */
bool irq__sched_others_waiting(const irq_vcpu *v);
/* Recounts what v's CPU spends its time on (after v's state changed). */
void irq__pcpu_account(irq_pcpu *p);
void irq__pcpu_account_end(irq_pcpu *p, uint64_t end);
/* source.c */
int irq_sources_create(struct irq_sim *sim, irq_error *err);
void irq_sources_start(struct irq_sim *sim);
/* A sender's state went into or out of RUNNING: its guest clock runs or stops. */
void irq__sources_sender_state(irq_vcpu *v);
/* sim.c */
/* Doubles a ring buffer of elem-byte items (first_cap when empty), copying
 * its len items from head so that it starts at 0. 0, or -1 out of memory. */
int irq_ring_grow(void **buf, uint32_t *cap, uint32_t *head, uint32_t len, size_t elem,
                  uint32_t first_cap);
/* The same for a queue of the simulation: the growth is charged to the
 * memory budget (irq_sim_charge); on failure the run fails, saying why. */
int irq_sim_ring_grow(struct irq_sim *sim, const char *what, void **buf, uint32_t *cap,
                      uint32_t *head, uint32_t len, size_t elem, uint32_t first_cap);
/* Charges bytes of held state to the run's memory budget; -1 (and the run
 * fails, naming the limit and --max-memory) when it would exceed it. */
int irq_sim_charge(struct irq_sim *sim, uint64_t bytes, const char *what);
int irq_sim_check_conservation(struct irq_sim *sim, irq_error *err);
void irq_latency_record(irq_guest *g, uint32_t cls, uint64_t arrival, int coalesced);

#endif
