/* s390 adapter interrupts through the GISA and the GIB alert list
 * (../shared/DOMAIN.md section 1). State shared by gib.c (tables, set-up)
 * and gib_host.c (what the machine and the host do). */
#ifndef IRQ_GIB_INTERNAL_H
#define IRQ_GIB_INTERNAL_H

#include "sim_internal.h"

#define GIB_NISC 8
/* Bit for ISC n in IPM, IAM, alert_mask and CR6: ISC 0 is the MSB. */
#define ISC_BIT(n) ((uint8_t)(0x80u >> (n)))

/* alert_list_origin holds a guest index or one of the two sentinels. */
#define ORIGIN_NULL (-1) /* empty, alert interruptions armed */
#define ORIGIN_NONE (-2) /* empty, alert interruptions suppressed */

typedef enum gib_heuristic {
    H_UPSTREAM,
    H_V5,
    H_V4,
    H_V3,
    H_V2,
    H_KICK_ALL,
    H_NO_GISA,
} gib_heuristic;

/* Model parameters (the `model:` section), indexes into gib_params[]. */
enum {
    P_HEURISTIC,
    P_EXPIRES,
    P_IAM_CLEAR,
    P_HALT_POLL,
    P_GAL_CPU,
    P_GAL_COST,
    P_GAL_GISA_COST,
    P_KICKER_COST,
    P_INTERCEPT_COST,
    P_MAX_FLOAT,
    P_PRE_SIE_COST,
    P_MAX_STEAL,
    P_HOST_STEAL,
    P_CHECK,
    P_BUGS,
    P_SIGPIF,
    P_USER_SIGP,
    P_SIGP_COST,
    P_SIGP_USER_COST,
    P_STOP_COST,
    GIB_NPARAMS
};
/* Kernel bugs that shipped in the GISA kick path, re-introduced one by one
 * (model.bugs), each named after its fix (docs/gib.md). */
enum {
    BUG_LOST_KICK = 1 << 0,      /* "KVM: s390: clear kicked_mask before sleeping again" */
    BUG_SHRINKING_MASK = 1 << 1, /* "KVM: s390: preserve deliverable_mask in __airqs_kick..." */
    BUG_IDLE_MASK_BY_ID = 1 << 2 /* "KVM: s390: index kvm->arch.idle_mask by vcpu_idx" */
};
/* Guest parameters */
enum { G_ALERT_ISCS, GIB_NGPARAMS };
/* vCPU parameters */
enum {
    V_IO,
    V_ISCS,
    V_MASK_EVERY,
    V_MASK_FOR,
    V_MASK_ISCS,
    V_VCPU_ID,
    V_ECALL_ON,
    V_EMERG_ON,
    GIB_NVPARAMS
};

/* SIGP orders as interrupt classes: 0x100 + the order code (ISCs are 0..7). */
enum {
    CLS_SIGP_EXTCALL = 0x102,    /* EXTERNAL CALL */
    CLS_SIGP_EMERG = 0x103,      /* EMERGENCY SIGNAL */
    CLS_SIGP_STOP = 0x105,       /* STOP */
    CLS_SIGP_RESTART = 0x106,    /* RESTART */
    CLS_SIGP_STOP_STORE = 0x109, /* STOP AND STORE STATUS */
};
static inline bool gib_sigp_class(uint32_t cls)
{
    return cls == CLS_SIGP_EXTCALL || cls == CLS_SIGP_EMERG || cls == CLS_SIGP_STOP ||
           cls == CLS_SIGP_RESTART || cls == CLS_SIGP_STOP_STORE;
}

/* Counters, indexes into gib_counters[]. */
enum {
    C_GAL,
    C_LIST_ENTRIES,
    C_SUPPRESSED,
    C_TICKS,
    C_RESTARTS,
    C_IAM_RESTORES,
    C_WASTED,
    C_EXIT_WAIT,
    C_DELIVER_IO,
    C_INJECT_IO,
    C_DIRECT,
    C_IO_INT_REQ,
    C_INTERCEPTS,
    C_HOST_ALERT_CYCLES,
    C_FLOAT_FULL,
    C_NO_POLL_STEAL,
    C_SUMMARY_COALESCED,
    C_IAM_STRANDED,
    C_KICKS_PATH,                     /* kicks_gal .. kicks_cover, one per kick_path */
    C_WASTED_PATH = C_KICKS_PATH + 5, /* wasted_gal .. wasted_cover */
    C_KICKS_SIGP = C_WASTED_PATH + 5, /* kvm_s390_vcpu_wakeup by a SIGP order */
    C_WASTED_SIGP,
    C_I_SIGP_EXTCALL, /* instruction_sigp_* (the sender's) */
    C_I_SIGP_EMERG,
    C_I_SIGP_STOP,
    C_I_SIGP_STOP_STORE,
    C_I_SIGP_RESTART,
    C_SIGP_INTERPRETED,
    C_EXIT_PEI,
    C_INJ_EXTCALL, /* inject_* (the target's) */
    C_INJ_EMERG,
    C_INJ_STOP,
    C_INJ_RESTART,
    C_DLV_EXTCALL, /* deliver_* */
    C_DLV_EMERG,
    C_DLV_RESTART,
    C_EXTCALL_DIRECT,
    C_EXIT_EXTREQ,
    C_EXIT_STOP,
    C_SIGP_BUSY,
    GIB_NCOUNTERS
};

/* The host path that issued a kick (section 2 of issue 9). */
typedef enum kick_path {
    KP_GAL,         /* the GAL handler itself (v4, v3, v2, kick-all) */
    KP_KICKER,      /* a kicker tick (upstream, __airqs_kick_single_vcpu) */
    KP_INJECT,      /* software injection with a GISA (__floating_irq_kick) */
    KP_FLOAT,       /* no-gisa: the floating list's __floating_irq_kick */
    KP_COVER,       /* v5: the cover set of the GAL handler (__try_airqs_kick) */
    KP_N,           /* paths of the adapter-interrupt kicks (kicks_*, wasted_*) */
    KP_SIGP = KP_N, /* a SIGP order woke its target (kicks_sigp) */
    KP_NONE
} kick_path;

/* A vCPU's SIGP state (DOMAIN.md section 1, arch/s390/kvm/sigp.c and
 * interrupt.c), allocated for the vCPUs of guests that SIGP sources
 * target. */
typedef struct gsigp {
    irq_pend ecall;    /* the one external call: IRQ_PEND_EXT_EXTERNAL, or the SCA's */
    bool ecall_sca;    /* held in the SCA (interpretation): the machine presents it */
    bool ecall_on;     /* CR0 external-call subclass */
    bool emerg_on;     /* CR0 emergency-signal subclass */
    bool ext_req;      /* CPUSTAT_EXT_INT: intercept once enabled for external interrupts */
    bool restart_user; /* the pending restart is QEMU's (the target was stopped) */
    uint32_t nemerg;   /* senders whose emergency signal is pending */
    irq_pend *emerg;   /* sigp_emerg_pending: one latch per sender vCPU index */
    irq_pend stop;     /* the pending STOP (or STOP AND STORE STATUS): CPUSTAT_STOP_INT */
    uint32_t stop_cls;
    irq_pend restart;   /* the pending RESTART */
    uint64_t send_cost; /* host time of the order this vCPU sent last */
} gsigp;

typedef struct gvcpu {
    irq_vcpu *vcpu;
    uint8_t cr6;       /* ISCs the guest enabled in CR6 */
    uint8_t masked;    /* ISCs masked for a while by the mask schedule */
    bool io_on;        /* PSW I/O enable */
    uint32_t vcpu_id;  /* userspace's id (the index unless the scenario says otherwise) */
    bool idle;         /* bit in idle_mask: entered a halt, not yet running again */
    bool kicked;       /* bit in kicked_mask (upstream kicker only) */
    uint8_t kick_path; /* path of the first kick since the last runnability check */
    uint8_t handling;  /* ISC + 1 of the handler running (0: none) */
    bool mask_due;     /* a mask-schedule change fell due outside guest code */
    bool in_sie;       /* between SIE entry and exit */
    bool io_int_req;   /* no-gisa: asked to intercept when it enables for I/O */
    bool mask_period;  /* inside a masked period of the mask schedule */
    gsigp *sg;         /* SIGP state, NULL when no SIGP source targets the guest */
    uint32_t mask;     /* its mask schedule: 1 + index in gib.masks; 0: none */
} gvcpu;

/* A vCPU's mask schedule (mask_every), for the vCPUs that have one. */
typedef struct gmask {
    irq_rng rng;
    irq_timer_id timer;
} gmask;

typedef struct ggisa {
    uint8_t ipm, iam, alert_mask;
    bool on_list;
    bool tick_queued;       /* a kicker tick waits for its host CPU */
    bool stranded;          /* counted in iam_stranded, not repaired yet */
    uint64_t kicker_expiry; /* expiry of the kicker firing being handled */
    int32_t next;           /* next_alert: guest index or sentinel */
    uint32_t in_sie;        /* vCPUs in SIE (v2, v3) */
    uint32_t next_rr;       /* round-robin position of the floating kick */
    uint32_t kicker_cpu;    /* where the kicker hrtimer was started */
    irq_timer_id kicker;
    irq_pend isc[GIB_NISC]; /* the IPM bits, with the arrivals they hold */
    /* The no-gisa floating lists and the latches behind the summary
     * indicators live in the model's blocks (flt_of, ind_of): only no-gisa
     * and the ISCs of software-injected sources use them. */
} ggisa;

typedef struct gib {
    struct irq_sim *sim;
    gib_heuristic h;
    bool iam_clear_all;
    bool check;
    /* a listed GISA must have a clear IAM (check_gisa): the machine cleared
     * the whole IAM at the alert, and the host does not restore it while
     * the GISA is listed */
    bool listed_iam_bad;
    uint64_t expires, halt_poll, gal_cost, gisa_cost, kicker_cost, intercept_cost;
    uint64_t pre_sie_cost;
    bool sigpif;    /* SIGP interpretation facility (sclp.has_sigpif) */
    bool user_sigp; /* KVM_CAP_S390_USER_SIGP: STOP and RESTART go to QEMU */
    uint64_t sigp_cost, sigp_user_cost, stop_cost;
    gsigp *sigp;        /* the vCPUs' SIGP states, one block */
    irq_pend *emerg;    /* their emergency latches, one block */
    bool no_poll_steal; /* host steal >= halt_poll_max_steal: never poll */
    uint64_t bugs;      /* BUG_* re-introduced */
    bool gal_spread;    /* GAL interruptions go to the CPUs in turn */
    uint32_t gal_cpu;   /* CPU of the GAL being handled (or the fixed one) */
    uint32_t ncpus;     /* host CPUs */
    uint32_t max_float;
    int32_t origin;      /* alert_list_origin */
    int32_t gal_last;    /* what the GAL handler's previous pass ended on */
    uint32_t gal_walked; /* GISAs walked by the previous pass */
    uint32_t list_len;   /* GISAs on the alert list (for the trace's counter) */
    uint8_t *summary;    /* per guest x source: adapter summary indicator */
    /* per template and ISC, the sources that set summary indicators
     * (clear_summaries; gib.c's index_summaries) */
    uint32_t *sum_first, *sum_src;
    gmask *masks; /* the mask schedules (gvcpu.mask) */
    uint32_t nmasks, masks_cap;
    /* no-gisa: per guest, GIB_NISC software floating lists (NULL otherwise) */
    irq_fifo *flt;
    /* per guest, nind latches of the arrivals that found their summary
     * indicator set: one for each ISC a source can set a summary indicator
     * on (ind_slot[isc] = 1 + its index, 0: none) */
    irq_pend *ind;
    uint8_t ind_slot[GIB_NISC];
    uint32_t nind;
    size_t nsources;
    size_t nguests, nvcpus;
} gib;

extern const irq_param_desc gib_params[GIB_NPARAMS];
extern const irq_param_desc gib_guest_params[GIB_NGPARAMS];
extern const irq_param_desc gib_vcpu_params[GIB_NVPARAMS];
extern const irq_counter_desc gib_counters[GIB_NCOUNTERS];

/* upstream's gisa_get_ipm_or_restore_iam() sets the IAM whether or not the
 * GISA is still on the alert list (it does not look at next_alert); the
 * other designs restore only off the list (v5 11/15 get_ipm(), v4 wait). */
static inline bool gib_restores_while_listed(const gib *m)
{
    return m->h == H_UPSTREAM;
}

/* Per-guest and per-vCPU state live in the core's model state. */
static inline ggisa *gisa_of(gib *m, const irq_guest *g)
{
    (void)m;
    return irq_guest_model(g);
}
static inline gvcpu *gv_of(gib *m, const irq_vcpu *v)
{
    (void)m;
    return irq_vcpu_model(v);
}

/* Guest g's no-gisa floating list of isc (no-gisa only). */
static inline irq_fifo *flt_of(gib *m, const irq_guest *g, uint32_t isc)
{
    return &m->flt[(size_t)g->index * GIB_NISC + isc];
}
/* Guest g's latch behind the summary indicators of isc, or NULL when no
 * source sets one on isc. */
static inline irq_pend *ind_of(gib *m, const irq_guest *g, uint32_t isc)
{
    unsigned k = m->ind_slot[isc];
    return k ? &m->ind[(size_t)g->index * m->nind + k - 1] : NULL;
}

/* ISC list (bit n = ISC n) -> CR6-style mask (ISC 0 = 0x80). */
uint8_t gib_cr6_of_bits(uint64_t bits);

/* gib_host.c: the ops callbacks */
void gib_inject(void *model, const irq_intr *in);
irq_wait_decision gib_wait_entry(void *model, irq_vcpu *v, uint64_t *poll);
bool gib_vcpu_runnable(void *model, irq_vcpu *v);
void gib_pending_walk(void *model, void (*visit)(void *ud, irq_guest *g, uint32_t cls, uint64_t t),
                      void *ud);
void gib_guest_entry(void *model, irq_vcpu *v);
void gib_guest_exit(void *model, irq_vcpu *v);
void gib_irq_enabled(void *model, irq_vcpu *v);
void gib_wakeup(void *model, irq_vcpu *v);
void gib_kicker_fire(void *ctx, uint64_t guest);
void gib_mask_toggle(void *ctx, uint64_t vcpu);
/* gib_host.c, for gib_sigp.c */
void gib_kick(gib *m, irq_vcpu *v, kick_path path);

/* gib_sigp.c: SIGP orders between vCPUs */
int gib_sigp_validate(const struct irq_scenario *sc, irq_error *err);
int gib_sigp_create(gib *m, irq_error *err);
void gib_sigp_destroy(gib *m);
void gib_sigp_inject(gib *m, const irq_intr *in);
uint64_t gib_send_cost(void *model, irq_vcpu *sender, const irq_intr *in);
bool gib_sigp_host_deliver(gib *m, irq_vcpu *v);
bool gib_sigp_present(gib *m, irq_vcpu *v);
void gib_sigp_entered(gib *m, irq_vcpu *v, bool delivered);
bool gib_sigp_enabled(gib *m, irq_vcpu *v);
bool gib_sigp_runnable(gib *m, const irq_vcpu *v);
void gib_sigp_walk(gib *m, irq_guest *g,
                   void (*visit)(void *ud, irq_guest *g, uint32_t cls, uint64_t t), void *ud);

#endif
