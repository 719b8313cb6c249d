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
} irq_host_work_item;

typedef struct irq_pcpu {
    struct irq_sim *sim;
    uint32_t id;
    irq_vcpu *cur;               /* vCPU thread owning the CPU, or NULL */
    irq_vcpu *last;              /* last vCPU that ran here (context-switch cost) */
    irq_vcpu *rq_head, *rq_tail; /* runnable vCPU threads waiting for this CPU */
    bool busy;                   /* running host work: cur is paused */
    /* FIFO ring of host work; grows to the most items ever queued at once
     * (bounded by the guests' timers), then is reused */
    uint32_t work_head, work_len, work_cap;
    irq_host_work_item *work;
    irq_timer_id slice_timer, work_timer;
    uint64_t cur_since; /* when cur got the CPU: its time slice starts there */
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
    uint64_t *mcounts;  /* nguests * ncounters */
    size_t *tmpl_first; /* index of each template's first guest */
    /* latency per interrupt class, over all guests */
    uint32_t *cls_values; /* sorted */
    irq_hist *cls_hist;
    size_t ncls;
    irq_hist total_latency;
    uint64_t cost[IRQ_HOST_NPARAMS]; /* host costs in cycles */
    uint64_t timer_wakeups;          /* halted vCPUs woken by their own timer */
    uint64_t end;                    /* simulated end time */
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
void irq_pcpu_init_timers(struct irq_sim *sim, irq_pcpu *p);
void irq_vcpu_init_timers(struct irq_sim *sim, irq_vcpu *v);
void irq_vcpu_account_end(irq_vcpu *v, uint64_t end);
void irq_vcpu_start_handler(irq_vcpu *v);
/* source.c */
int irq_sources_create(struct irq_sim *sim, irq_error *err);
void irq_sources_start(struct irq_sim *sim);
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
