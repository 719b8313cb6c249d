/* The arm64 model: one guest-visible interrupt controller per run (rVIC,
 * GICv3 or GICv4.1), each a table of callbacks (a64_chip) behind the
 * model, as the rVIC series splits KVM's vGIC behind kvm_irqchip_flow.
 *
 * Interrupt classes (a source's `class`), the same under every controller
 * so that `irqsim compare --vary model.irqchip=...` runs the same arrivals:
 *   0..15   IPIs (SGIs): sent by a vCPU (`from:`), one target or all others;
 *   16..31  per-CPU level interrupts wired like the virtual timer (rVIC:
 *           trusted level with RESAMPLE; GIC: HW-mapped PPI, no EOI MI);
 *   32..    MSIs: rVIC untrusted intids fed by rVID input class - 32; GIC LPIs.
 * The rVIC delivery list and the GIC ap_list are pending queues (pendq.h)
 * keyed by class. */
#ifndef IRQ_ARM64_INTERNAL_H
#define IRQ_ARM64_INTERNAL_H

#include <stdbool.h>
#include <stdint.h>

#include "pendq.h"
#include "sim_internal.h"

#define A64_NR_SGI 16
#define A64_FIRST_MSI 32
#define A64_MAX_LR 16

typedef enum a64_kind { K_IPI, K_TIMER, K_MSI } a64_kind;
static inline a64_kind a64_kind_of(uint32_t cls)
{
    return cls < A64_NR_SGI ? K_IPI : cls < A64_FIRST_MSI ? K_TIMER : K_MSI;
}

enum a64_param {
    P_IRQCHIP,
    P_NR_TRUSTED,
    P_NR_TOTAL,
    P_HVC,
    P_SGI_TRAP,
    P_HOST_IRQ,
    P_MI,
    P_LR_COUNT,
    P_V4_ENABLE,
    P_VSGI,
    P_DOORBELL,
    P_GIC_SWITCH,
    P_HALT_POLL,
    P_CHECK,
    A64_NPARAMS
};
enum a64_gparam { G_UNMAPPED, A64_NGPARAMS };
enum a64_vparam {
    V_RVIC_ENABLED,
    V_BRINGUP_AFTER,
    V_MOVE_AFTER,
    V_MOVE_INPUT,
    V_MOVE_UNMAP,
    A64_NVPARAMS
};

enum a64_irqchip { CHIP_RVIC, CHIP_GICV3, CHIP_GICV41 };

/* rVIC hypercalls, in the order of their function numbers (rVIC
 * 0xc5000200 + n, then rVID 0xc5000100 + n). */
enum a64_hvc {
    HVC_VERSION,
    HVC_INFO,
    HVC_ENABLE,
    HVC_DISABLE,
    HVC_SET_MASKED,
    HVC_CLEAR_MASKED,
    HVC_IS_PENDING,
    HVC_SIGNAL,
    HVC_CLEAR_PENDING,
    HVC_ACKNOWLEDGE,
    HVC_RESAMPLE,
    HVC_RVID_VERSION,
    HVC_RVID_MAP,
    HVC_RVID_UNMAP,
    A64_NHVC
};

/* Model counters: the first A64_NHVC are the hypercalls, by name. */
enum a64_counter {
    C_HVC_TRAPS = A64_NHVC,
    C_SYSREG_TRAPS,
    C_MI,
    C_LR_OVERFLOWS,
    C_HOST_IRQ_EXITS,
    C_DOORBELLS,
    C_DIRECT,
    C_GIC_SWITCHES,
    C_RVIC_DISABLED,
    C_RVID_UNMAPPED,
    C_RVIC_CLEARED,
    C_RVID_MOVED,
    C_GUEST_TRAP_CYCLES,
    C_HOST_IRQCHIP_CYCLES,
    A64_NCOUNTERS
};

/* Per-vCPU state (irq_vcpu_model). */
typedef struct a64_vcpu {
    irq_pendq q;      /* rVIC: the delivery list; GIC: the ap_list */
    irq_pendq hw;     /* GICv4.1: vLPIs / vSGIs the hardware holds for this vPE */
    bool enabled;     /* rVIC: ENABLE'd */
    bool line;        /* rVIC: HCR_EL2.VI as last computed */
    bool uie;         /* GIC: underflow maintenance interrupt requested at the last entry */
    bool db_armed;    /* GICv4.1: non-resident in WFI, doorbell requested */
    bool switch_paid; /* GIC: the world-switch cost of this entry is paid */
    bool in_switch;   /* GIC: that cost is being paid */
    uint8_t nlr;      /* GIC: list registers holding a pending interrupt */
    uint32_t lr[A64_MAX_LR];
    uint32_t cur;          /* class whose handler runs (IRQ_PQ_NONE: none) */
    bool cur_hw;           /* GICv4.1: ... taken from hw */
    uint32_t bringup_left; /* rVIC bring-up: hypercalls still to make */
    uint8_t mv_step;       /* rVID affinity change: the next call */
    bool mv_pending;       /* ... IS_PENDING found the intid pending on the old vCPU */
    uint32_t mv_input, mv_old;
    uint64_t bad_deliveries; /* invariant breaks seen (masked delivered, ...) */
} a64_vcpu;

/* Per-guest state (irq_guest_model). */
typedef struct a64_guest {
    uint64_t unmapped; /* rVID inputs left unmapped (bit n: input n) */
    uint32_t next_msi; /* vCPU the next floating MSI goes to */
    uint64_t moved;    /* rVID inputs an affinity change retargeted (bit n: input n) */
    int16_t map[64];   /* vCPU of each input: its source's, or where it moved; -1: floating */
} a64_guest;

struct a64;

/* One interrupt controller: what KVM does for it (optional callbacks, as
 * the series' struct kvm_irqchip_flow). */
typedef struct a64_chip {
    const char *name;
    /* An interrupt from a device or the host for vCPU t (MSI, timer). */
    void (*inject)(struct a64 *m, irq_vcpu *t, const irq_intr *in);
    /* vCPU sender signals an IPI to t. */
    void (*signal)(struct a64 *m, irq_vcpu *sender, irq_vcpu *t, const irq_intr *in);
    /* The sender's trap cost for one send to ntargets in nclusters. */
    uint64_t (*send_cost)(struct a64 *m, irq_vcpu *sender, uint32_t ntargets, uint32_t nclusters);
    /* Guest entry: present what is pending (rVIC: HCR_VI; GIC: fill LRs). */
    void (*flush)(struct a64 *m, irq_vcpu *v);
    /* The guest ended a handler (EOI done): take the next one. */
    void (*eoi)(struct a64 *m, irq_vcpu *v);
    /* kvm_vgic_vcpu_pending_irq / rvic_pending_irq. */
    bool (*pending)(struct a64 *m, irq_vcpu *v);
    /* The vCPU halts (kvm_arch_vcpu_blocking). */
    void (*blocking)(struct a64 *m, irq_vcpu *v);
} a64_chip;

typedef struct a64 {
    struct irq_sim *sim;
    const a64_chip *chip;
    int irqchip;
    uint32_t nr_trusted, nr_total;
    uint64_t hvc, sgi_trap, host_irq, mi, doorbell, gic_switch, halt_poll, ipi_exit;
    uint32_t lr_count;
    bool direct; /* GICv4.1 with vgic_v4_enable: vLPIs for pass-through MSIs */
    bool vsgi;   /* GICv4.1: vSGIs (GICD_CTLR.nASSGIreq) */
    bool check;
    irq_handler_plan plan[3]; /* rVIC: the guest's traps per interrupt, by a64_kind */
} a64;

extern const a64_chip a64_chip_rvic, a64_chip_gicv3, a64_chip_gicv41;

/* rvic.c: the handler plans; a hypercall's effect on the caller's own rVIC
 * (bring-up). */
void a64_make_plans(a64 *m);
void a64_rvic_call(a64 *m, irq_vcpu *v, int call);
/* An rVID affinity change: input k moves to v; or, unmap, RVID_UNMAP of
 * input k (rvic.c). */
void a64_rvid_move(a64 *m, irq_vcpu *v, uint32_t input, bool unmap);

static inline a64_vcpu *a64v(const irq_vcpu *v)
{
    return irq_vcpu_model(v);
}

/* The class is pending or being handled (acked, EOI not done): a timer's
 * host IRQ is still active then, a new expiry does not exit. */
static inline bool a64_in_flight(const a64_vcpu *s, uint32_t cls)
{
    return s->cur == cls || irq_pendq_is_pending(&s->q, cls);
}

/* Shared helpers (arm64.c). */
/* The vCPU can take an interrupt now: on its CPU, in the guest or entering
 * it, no handler running, not halted. */
bool a64_can_take(const irq_vcpu *v);
/* In guest mode (guest code or a guest handler runs): a physical IRQ for it
 * exits. */
bool a64_guest_mode(const irq_vcpu *v);
/* Cycles of a guest trap: charged to the guest and to the host irqchip. */
void a64_charge(irq_guest *g, uint64_t cycles);
/* An exit the controller causes: counted in counter (or -1), charged to the
 * guest and the host irqchip cycles. */
void a64_exit(a64 *m, irq_vcpu *v, int counter, uint64_t cycles, irq_exit_done_fn done);
/* kvm_vcpu_kick for the controller: counts the forced exit's host time. */
void a64_kick(a64 *m, irq_vcpu *v);
/* A per-CPU timer expiry, now pending, that is not already pending or being
 * handled: its physical PPI exits a vCPU in guest mode (the host injects it
 * and re-enters); a vCPU blocked in WFI is woken by KVM's background timer
 * (kvm_bg_timer_expire -> kvm_vcpu_wake_up); one in the host or preempted
 * finds it when it next enters (the timer state is synced at vcpu load and
 * entry): no kick. */
void a64_timer_path(a64 *m, irq_vcpu *t);
/* An arrival that never became pending: dropped with counter as reason. */
void a64_drop(irq_guest *g, int counter);
/* A class delivered from q to v with plan; checks it was not masked. */
void a64_deliver(a64 *m, irq_vcpu *v, irq_pendq *q, uint32_t cls, const irq_handler_plan *plan);

#endif
