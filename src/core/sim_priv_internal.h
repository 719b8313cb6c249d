/* Private state of a simulation, shared by the core's modules (sim.c,
 * sim_services.c, latency.c, deliver.c, vcpu.c, sched.c, runq.c, source.c,
 * trace.c, result.c, report.c), and the services of sim_services.c. What a
 * module offers the others is in its own header (vcpu_internal.h,
 * sched_internal.h, source_internal.h, latency_internal.h);
 * docs/source-layout.md shows who uses whom. Models never include this. */
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
extern const char *const irq__cpu_use_names[IRQ_USE_N];

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
    uint32_t work_head, work_tail;
    irq_timer_id slice_timer, work_timer; /* slice_timer: fifo slice end, fair tick */
    uint64_t cur_since;                   /* when cur got the CPU: its time slice starts there */
    uint8_t use;                          /* enum irq_cpu_use now */
    uint64_t use_since;
    uint64_t use_time[IRQ_USE_N];
} irq_pcpu;

struct irq_sim_priv {
    irq_guest *guests;
    size_t nguests;
    irq_vcpu *vcpus;
    size_t nvcpus;
    irq_pcpu *pcpus;
    uint32_t npcpus;
    struct irq_source *sources; /* source.c */
    size_t nsources;
    struct irq_source_x *source_x; /* what some of them need besides (source.c) */
    size_t nsource_x;
    /* A vCPU that sends sources (its gsources) went into or out of RUNNING:
     * source.c installs it, vcpu.c calls it without knowing sources. */
    void (*sender_state)(irq_vcpu *v);
    uint64_t *mcounts;              /* nguests * ncounters */
    void *guest_state, *vcpu_state; /* the model's per-guest and per-vCPU state */
    irq_task *tasks;                /* every vCPU's guest tasks */
    size_t ntasks_used;
    size_t *tmpl_first; /* index of each template's first guest */
    char *guest_names;  /* the guests' names, one after the other */
    /* latency per interrupt class, over all guests */
    uint32_t *cls_values; /* sorted */
    irq_hist *cls_hist;
    size_t ncls;
    size_t cls_last; /* the row latency.c recorded last (a guess) */
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

/* sim_services.c */
/* The next capacity of a doubling array: first when empty, else twice cap,
 * as long as that many elem-byte items fit in a uint32_t count and a
 * size_t byte size; 0 when they do not. */
uint32_t irq__next_cap(uint32_t cap, uint32_t first, size_t elem);
/* Doubles a ring buffer of elem-byte items (first_cap when empty), copying
 * its len items from head so that it starts at 0. 0, or -1 out of memory. */
int irq_ring_grow(void **buf, uint32_t *cap, uint32_t *head, uint32_t len, size_t elem,
                  uint32_t first_cap);
/* The same for a queue of the simulation: the growth is charged to the
 * memory budget (irq__sim_charge); on failure the run fails, saying why. */
int irq__sim_ring_grow(struct irq_sim *sim, const char *what, void **buf, uint32_t *cap,
                       uint32_t *head, uint32_t len, size_t elem, uint32_t first_cap);
/* Charges bytes of held state to the run's memory budget; -1 (and the run
 * fails, naming the limit and --max-memory) when it would exceed it. */
int irq__sim_charge(struct irq_sim *sim, uint64_t bytes, const char *what);
/* sim.c */
int irq_sim_check_conservation(struct irq_sim *sim, irq_error *err);

#endif
