/* The x86 async page fault model: shared between its tables and set-up
 * (apf.c), the host side (apf_host.c) and the guest side (apf_guest.c).
 * What the kernel does and where it says so: docs/apf.md. */
#ifndef IRQ_APF_INTERNAL_H
#define IRQ_APF_INTERNAL_H

#include "pendq.h"
#include "sim_internal.h"

/* ASYNC_PF_PER_VCPU, arch/x86/include/asm/kvm_host.h */
#define APF_PER_VCPU 64
/* the async slots and one synchronous fault in flight */
#define APF_SLOTS (APF_PER_VCPU + 1)
#define APF_SYNC_SLOT APF_PER_VCPU
/* the "wake every waiter" token of kvm_async_pf_wakeup_all */
#define APF_BROADCAST_TOKEN 0xffffffffu
#define APF_VECTORS 256
#define APF_PF_VECTOR 14 /* X86_TRAP_PF */
#define APF_NONE (-1)

enum apf_mode { MODE_INTERRUPT, MODE_PF_LEGACY, MODE_HALT_ONLY, MODE_SYNC };

enum apf_param {
    P_MODE,
    P_FAULT_EVERY,
    P_FAULTING_TASKS,
    P_IO_LATENCY,
    P_NO_IO_SHARE,
    P_KERNEL_SHARE,
    P_IRQS_OFF_SHARE,
    P_SEND_ALWAYS,
    P_VECTOR,
    P_TICK_VECTOR,
    P_GUEST_SLICE,
    P_WAKE_PREEMPT,
    P_HALT_POLL,
    P_EPT_EXIT,
    P_NO_IO_COST,
    P_PREFAULT,
    P_ACK_EXIT,
    P_EOI_EXITS,
    P_EOI_EXIT,
    P_LEGACY_DF_CANCEL,
    P_DISABLE_AT,
    APF_NPARAMS
};

enum apf_counter {
    C_PF_EXITS,
    C_FAULTS,
    C_NO_IO,
    C_ASYNC,
    C_SYNC,
    C_QUEUE_FULL,
    C_APF_HALTS,
    C_REPEATED,
    C_RETRY,
    C_NOT_PRESENT,
    C_PAGE_READY,
    C_BROADCASTS,
    C_DEQUEUED,
    C_PREFAULTS,
    C_ACK_EXITS,
    C_EOI_EXITS,
    C_APF_KICKS,
    C_APF_WAKEUPS,
    C_HALT_EXITS,
    C_APF_DISABLED,
    C_DF_CANCELLED,
    C_OUTSTANDING,
    C_MAX_QUEUED,
    C_RESUMED,
    C_FAULT_TO_RESUME,
    C_FAULT_TO_RESUME_MAX,
    C_IO_TO_RESUME,
    C_IO_TO_RESUME_MAX,
    C_WORK_FAULTING,
    C_WORK_OTHER,
    APF_NCOUNTERS
};

/* The model's parameters (bound from the table by irq_params_bind). */
typedef struct apf_cfg {
    int mode;
    const irq_dist *fault_every;
    uint32_t faulting_tasks;
    const irq_dist *io_latency;
    double no_io_share;
    double kernel_share;
    double irqs_off_share;
    bool send_always;
    uint32_t vector;
    uint32_t tick_vector;
    uint64_t guest_slice;
    bool wake_preempt;
    uint64_t halt_poll;
    uint64_t ept_exit;
    uint64_t no_io_cost;
    uint64_t prefault;
    uint64_t ack_exit;
    bool eoi_exits;
    uint64_t eoi_exit;
    bool legacy_df_cancel;
    uint64_t disable_at;
} apf_cfg;

enum apf_hist { H_FAULT_RESUME, H_IO_RESUME, APF_NHISTS };

extern const irq_param_desc apf_params[APF_NPARAMS];
extern const irq_counter_desc apf_counters[APF_NCOUNTERS];

enum apf_fault_state { F_FREE, F_IO, F_DONE, F_SYNC };

struct apf_vcpu;

/* One fault the host is resolving (an async work item or the synchronous
 * fault). Its timer is the end of its I/O. */
typedef struct apf_fault {
    struct apf_vcpu *owner;
    irq_timer_id timer;
    uint8_t state;
    bool notified;  /* notpresent_injected: its "page not present" was delivered */
    bool broadcast; /* kvm_async_pf_wakeup_all's item (token all ones) */
    uint32_t task;
    uint32_t token;
    uint64_t fault_at, io_done_at;
} apf_fault;

/* What the guest does with a task (a thread) on this vCPU. */
typedef struct apf_task {
    uint64_t next_fault; /* the task's work at which it touches a non-resident page */
    int stuck;           /* fault it retries (artificial halt, not told), or APF_NONE */
    bool waits;          /* parked by the #PF handler until its page-ready */
    uint64_t fault_at;
    uint64_t vrt; /* the guest scheduler's charge: time it was the current task */
} apf_task;

enum apf_handler { H_NONE, H_NOT_PRESENT, H_PAGE_READY, H_IRQ };

/* The model's per-vCPU state (allocated by the core). */
typedef struct apf_vcpu {
    struct apf *m;
    irq_vcpu *v;
    apf_task *tasks; /* one per guest task */
    apf_fault f[APF_SLOTS];
    uint8_t done[APF_SLOTS]; /* the done list: indices into f, completion order */
    uint32_t done_head, done_len;
    uint32_t queued; /* vcpu->async_pf.queued */
    uint32_t id;     /* vcpu->arch.apf.id, the token counter */
    uint32_t slot;   /* the token word of the shared page: 0 = free */
    bool enabled;    /* the guest enabled APF with delivery as interrupt (or #PF, legacy) */
    bool disable_req;
    bool pageready_pending;
    bool apf_halted; /* vcpu->arch.apf.halted */
    bool raising_np; /* the next raised #PF is a "not present" (else a legacy page-ready) */
    /* "page not present" #PF pending, its fault and task */
    irq_pend np;
    int np_fault;
    uint32_t np_task;
    /* the page-ready notification pending or in its handler */
    irq_pend pr;
    uint32_t pr_task;
    bool pr_broadcast;
    uint64_t pr_fault_at, pr_io_done_at;
    /* other interrupts (the guest's timer, devices): the highest vector first */
    irq_pendq irq;
    uint8_t handling; /* enum apf_handler: the handler running */
    uint32_t handling_vec;
    uint32_t last_task;
    uint64_t slice_start;
    /* a synchronous fault is over: the task resumes at the next entry */
    bool sync_resumed;
    uint64_t sync_fault_at, sync_io_done_at;
} apf_vcpu;

typedef struct apf {
    struct irq_sim *sim;
    int mode;
    apf_cfg c;
    apf_task *tasks; /* all vCPUs' */
    irq_handler_plan pr_plan, irq_plan;
    irq_timer_id disable_timer;
} apf;

static inline apf_vcpu *avcpu(const irq_vcpu *v)
{
    return irq_vcpu_model(v);
}

/* apf_host.c */
uint32_t apf_alloc_token(uint32_t *id, uint32_t vcpu_id);
void apf_fault_now(irq_vcpu *v, void *ctx, uint64_t arg);
void apf_io_done(void *ctx, uint64_t arg);
void apf_entry(apf_vcpu *a);
void apf_process_done(apf_vcpu *a);
bool apf_has_events(const apf_vcpu *a);
void apf_sync_done(void *ctx, uint64_t arg);
void apf_disable(apf_vcpu *a);
void apf_resumed(apf_vcpu *a, uint64_t fault_at, uint64_t io_done_at);

/* apf_guest.c */
void apf_arm_fault(apf_vcpu *a);
void apf_deliver_next(apf_vcpu *a);
void apf_handler_done(apf_vcpu *a);

#endif
