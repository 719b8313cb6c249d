/* The x86 async page fault model: parameter and counter tables, set-up,
 * the ops table and the callbacks that only route to the host side
 * (apf_host.c) or the guest side (apf_guest.c). */
#include <stdlib.h>

#include "apf_internal.h"

static const char *const modes[] = {"interrupt", "pf-legacy", "halt-only", "sync", NULL};

#define SPLITX "a VM exit is about 2000 cycles on the SplitX paper's Xeon X5570"

const irq_param_desc apf_params[APF_NPARAMS] = {
    [P_MODE] = {.name = "mode",
                .type = IRQ_PARAM_ENUM,
                .def = "interrupt",
                .unit = "choice",
                .help = "interrupt: host 5.8+ and Linux guest 5.9+ (page ready by interrupt, ACK "
                        "MSR); pf-legacy: both notifications as #PF (before 5.8); halt-only: the "
                        "guest has no APF PV interface (artificial halt per fault needing I/O); "
                        "sync: no async PF (the vCPU thread blocks for the I/O)",
                .choices = modes,
                .source = "DOMAIN.md section 3; virt/kvm/async_pf.c, arch/x86/kvm/x86.c",
                IRQ_BIND(apf_cfg, mode, IRQ_FIELD_INT)},
    [P_FAULT_EVERY] = {.name = "fault_every",
                       .type = IRQ_PARAM_DIST,
                       .def = "exp(100us)",
                       .unit = "distribution",
                       .help = "guest work a faulting task executes between two touches of pages "
                               "not resident on the host",
                       .assumption = true,
                       IRQ_BIND(apf_cfg, fault_every, IRQ_FIELD_DIST)},
    [P_FAULTING_TASKS] = {.name = "faulting_tasks",
                          .type = IRQ_PARAM_INT,
                          .def = "1",
                          .unit = "tasks",
                          .help = "tasks 0..N-1 of each vCPU fault (workload 'tasks'); the others "
                                  "only work",
                          .min = 0,
                          .max = 1024,
                          .assumption = true,
                          IRQ_BIND(apf_cfg, faulting_tasks, IRQ_FIELD_U32)},
    [P_IO_LATENCY] = {.name = "io_latency",
                      .type = IRQ_PARAM_DIST,
                      .def = "exp(2ms)",
                      .unit = "distribution",
                      .help = "time of the host's page-in (swap-in) of one fault; I/Os are "
                              "independent (no device queue)",
                      .assumption = true,
                      IRQ_BIND(apf_cfg, io_latency, IRQ_FIELD_DIST)},
    [P_NO_IO_SHARE] = {.name = "no_io_share",
                       .type = IRQ_PARAM_DOUBLE,
                       .def = "0",
                       .unit = "share",
                       .help = "share of faults the host resolves without I/O (swap cache, zswap): "
                               "synchronous and cheap, never async",
                       .min = 0,
                       .max = 1,
                       .assumption = true,
                       IRQ_BIND(apf_cfg, no_io_share, IRQ_FIELD_DBL)},
    [P_KERNEL_SHARE] = {.name = "kernel_share",
                        .type = IRQ_PARAM_DOUBLE,
                        .def = "0",
                        .unit = "share",
                        .help = "share of faults taken in guest kernel mode with interrupts on: "
                                "'not present' is not delivered (no send_always): artificial halt",
                        .min = 0,
                        .max = 1,
                        .assumption = true,
                        IRQ_BIND(apf_cfg, kernel_share, IRQ_FIELD_DBL)},
    [P_IRQS_OFF_SHARE] = {.name = "irqs_off_share",
                          .type = IRQ_PARAM_DOUBLE,
                          .def = "0",
                          .unit = "share",
                          .help = "share of faults taken with guest interrupts off: "
                                  "kvm_can_do_async_pf is false, the fault is synchronous",
                          .min = 0,
                          .max = 1,
                          .assumption = true,
                          IRQ_BIND(apf_cfg, irqs_off_share, IRQ_FIELD_DBL)},
    [P_SEND_ALWAYS] = {.name = "send_always",
                       .type = IRQ_PARAM_BOOL,
                       .def = "false",
                       .unit = "flag",
                       .help = "the guest set SEND_ALWAYS: kernel-mode faults get 'not present' "
                               "too (and the guest parks the task like a user one)",
                       .source = "Linux guests stopped setting it in 5.8 (3a7c8fafd1b4); before, "
                                 "with CONFIG_PREEMPTION",
                       IRQ_BIND(apf_cfg, send_always, IRQ_FIELD_BOOL)},
    [P_VECTOR] = {.name = "vector",
                  .type = IRQ_PARAM_INT,
                  .def = "243",
                  .unit = "vector",
                  .help = "page-ready vector the guest writes to MSR_KVM_ASYNC_PF_INT (interrupt "
                          "mode)",
                  .min = 32,
                  .max = 255,
                  .source = "HYPERVISOR_CALLBACK_VECTOR 0xf3, arch/x86/kernel/kvm.c",
                  IRQ_BIND(apf_cfg, vector, IRQ_FIELD_U32)},
    [P_TICK_VECTOR] = {.name = "tick_vector",
                       .type = IRQ_PARAM_INT,
                       .def = "236",
                       .unit = "vector",
                       .help = "a source interrupt on this class is the guest's timer tick: its "
                               "handler ends the running task's time slice when it is over",
                       .min = 0,
                       .max = 255,
                       .source = "LOCAL_TIMER_VECTOR 0xec, arch/x86/include/asm/irq_vectors.h",
                       IRQ_BIND(apf_cfg, tick_vector, IRQ_FIELD_U32)},
    [P_GUEST_SLICE] = {.name = "guest_slice",
                       .type = IRQ_PARAM_DURATION,
                       .def = "3ms",
                       .unit = "time",
                       .help = "the guest scheduler's time slice: at a tick after it, the "
                               "runnable task charged least runs (the guest charges a task the "
                               "time it was current, blocked or halted in the host included); a "
                               "woken task gets at most one slice of credit",
                       .max = 1e12,
                       .assumption = true,
                       IRQ_BIND(apf_cfg, guest_slice, IRQ_FIELD_U64)},
    [P_WAKE_PREEMPT] = {.name = "wake_preempt",
                        .type = IRQ_PARAM_BOOL,
                        .def = "true",
                        .unit = "flag",
                        .help = "a task woken by page-ready preempts the running one when it is "
                                "charged less (CFS wake-up preemption)",
                        .assumption = true,
                        IRQ_BIND(apf_cfg, wake_preempt, IRQ_FIELD_BOOL)},
    [P_HALT_POLL] = {.name = "halt_poll",
                     .type = IRQ_PARAM_DURATION,
                     .def = "200us",
                     .unit = "time",
                     .help = "halt-polling maximum for the guest's HLT (the artificial halt never "
                             "polls)",
                     .max = 1e12,
                     .source = "KVM_HALT_POLL_NS_DEFAULT on x86",
                     IRQ_BIND(apf_cfg, halt_poll, IRQ_FIELD_U64)},
    [P_EPT_EXIT] = {.name = "ept_exit",
                    .type = IRQ_PARAM_DURATION,
                    .def = "4000 cycles",
                    .unit = "time",
                    .help = "EPT-violation exit with the host fault path up to the async decision "
                            "(and its set-up) or the artificial halt; " SPLITX
                            ", the rest is our guess",
                    .max = 1e12,
                    .assumption = true,
                    IRQ_BIND(apf_cfg, ept_exit, IRQ_FIELD_U64)},
    [P_NO_IO_COST] = {.name = "no_io_cost",
                      .type = IRQ_PARAM_DURATION,
                      .def = "2us",
                      .unit = "time",
                      .help = "extra host time of a fault resolved without I/O",
                      .max = 1e12,
                      .assumption = true,
                      IRQ_BIND(apf_cfg, no_io_cost, IRQ_FIELD_U64)},
    [P_PREFAULT] = {.name = "prefault",
                    .type = IRQ_PARAM_DURATION,
                    .def = "2000 cycles",
                    .unit = "time",
                    .help = "host pre-fault of a ready page into the EPT at dequeue "
                            "(kvm_arch_async_page_ready), in vCPU context",
                    .max = 1e12,
                    .assumption = true,
                    IRQ_BIND(apf_cfg, prefault, IRQ_FIELD_U64)},
    [P_ACK_EXIT] = {.name = "ack_exit",
                    .type = IRQ_PARAM_DURATION,
                    .def = "2000 cycles",
                    .unit = "time",
                    .help = "the guest's MSR_KVM_ASYNC_PF_ACK write: one exit; " SPLITX,
                    .max = 1e12,
                    .assumption = true,
                    IRQ_BIND(apf_cfg, ack_exit, IRQ_FIELD_U64)},
    [P_EOI_EXITS] = {.name = "eoi_exits",
                     .type = IRQ_PARAM_BOOL,
                     .def = "false",
                     .unit = "flag",
                     .help = "the guest's APIC EOI exits (no APICv, no PV EOI)",
                     .assumption = true,
                     IRQ_BIND(apf_cfg, eoi_exits, IRQ_FIELD_BOOL)},
    [P_EOI_EXIT] = {.name = "eoi_exit",
                    .type = IRQ_PARAM_DURATION,
                    .def = "2000 cycles",
                    .unit = "time",
                    .help = "one EOI exit when eoi_exits is on; " SPLITX,
                    .max = 1e12,
                    .assumption = true,
                    IRQ_BIND(apf_cfg, eoi_exit, IRQ_FIELD_U64)},
    [P_LEGACY_DF_CANCEL] = {.name = "legacy_df_cancel",
                            .type = IRQ_PARAM_BOOL,
                            .def = "false",
                            .unit = "flag",
                            .help = "pf-legacy: the 2017 workaround that cancels a pending 'not "
                                    "present' colliding with a page-ready and drops both (counted "
                                    "in df_cancelled)",
                            .source = "9a6e7c39810e (2017), reverted in 5.8 by 84b09f33a5de",
                            IRQ_BIND(apf_cfg, legacy_df_cancel, IRQ_FIELD_BOOL)},
    [P_DISABLE_AT] = {.name = "disable_at",
                      .type = IRQ_PARAM_DURATION,
                      .def = "0",
                      .unit = "time",
                      .help = "the guest disables APF at each vCPU's first entry after this time "
                              "(0: never): outstanding faults are dropped (apf_disabled), the "
                              "guest wakes its waiters, later faults get the artificial halt",
                      .max = 1e12,
                      .source = "MSR_KVM_ASYNC_PF_EN write without the enable bits "
                                "(kvm_clear_async_pf_completion_queue)",
                      IRQ_BIND(apf_cfg, disable_at, IRQ_FIELD_U64)},
};

#define CF(nm, help, grp)                                                                          \
    {                                                                                              \
        nm, help, 0, grp, NULL                                                                     \
    }
#define CC(nm, help, hl)                                                                           \
    {                                                                                              \
        nm, help, hl, IRQ_CG_OTHER, "cycles"                                                       \
    }
const irq_counter_desc apf_counters[APF_NCOUNTERS] = {
    [C_PF_EXITS] = CF("pf_exits", "EPT-violation exits (new faults, repeated faults, retries)",
                      IRQ_CG_TRAPS_EXITS),
    [C_FAULTS] = CF("faults", "touches of pages not resident on the host", IRQ_CG_FAULTS),
    [C_NO_IO] = CF("no_io_faults", "faults resolved without I/O", IRQ_CG_FAULTS),
    [C_ASYNC] = CF("async_pf", "faults queued as async work", IRQ_CG_FAULTS),
    [C_SYNC] = CF("sync_faults", "faults the vCPU thread waited for in the host", IRQ_CG_FAULTS),
    [C_QUEUE_FULL] = CF("apf_queue_full", "synchronous because 64 were outstanding", IRQ_CG_FAULTS),
    [C_APF_HALTS] = CF("apf_halts", "artificial halts requested (KVM_REQ_APF_HALT)", IRQ_CG_FAULTS),
    [C_REPEATED] = CF("repeated_faults", "faults on a page already in flight", IRQ_CG_FAULTS),
    [C_RETRY] =
        CF("retry_faults", "retries after the I/O, before the pre-fault: no I/O", IRQ_CG_FAULTS),
    [C_NOT_PRESENT] =
        CF("not_present_injected", "'page not present' #PFs injected", IRQ_CG_DELIVERY),
    [C_PAGE_READY] =
        CF("page_ready_injected", "page-ready notifications injected", IRQ_CG_DELIVERY),
    [C_BROADCASTS] =
        CF("apf_broadcasts", "'wake all' items queued when APF was enabled", IRQ_CG_DELIVERY),
    [C_DEQUEUED] = CF("apf_dequeued", "async faults taken off the done list", IRQ_CG_FAULTS),
    [C_PREFAULTS] = CF("prefaults", "pages pre-faulted into the EPT at dequeue", IRQ_CG_FAULTS),
    [C_ACK_EXITS] = CF("apf_ack_exits", "MSR_KVM_ASYNC_PF_ACK exits", IRQ_CG_TRAPS_EXITS),
    [C_EOI_EXITS] = CF("eoi_exits", "APIC EOI exits", IRQ_CG_TRAPS_EXITS),
    [C_APF_KICKS] =
        CF("apf_kicks", "kvm_vcpu_kick by a completion (also in kicks)", IRQ_CG_ALERTS_KICKS),
    [C_APF_WAKEUPS] =
        CF("apf_wakeups", "halted vCPUs woken by a completion without a kick", IRQ_CG_ALERTS_KICKS),
    [C_HALT_EXITS] = CF("halt_exits", "guest HLT exits", IRQ_CG_TRAPS_EXITS),
    [C_APF_DISABLED] =
        CF("apf_disabled", "outstanding faults dropped when APF was disabled", IRQ_CG_FAULTS),
    [C_DF_CANCELLED] = CF("df_cancelled", "events dropped by legacy_df_cancel", IRQ_CG_FAULTS),
    [C_OUTSTANDING] = CF("outstanding", "async faults still queued at the end", IRQ_CG_FAULTS),
    [C_MAX_QUEUED] = CF("max_queued", "most async faults a vCPU had queued", IRQ_CG_FAULTS),
    [C_RESUMED] = CF("resumed", "faults after which the task could run again", IRQ_CG_FAULTS),
    [C_FAULT_TO_RESUME] = CC("fault_to_resume_cycles", "sum of fault-to-resume times", 0),
    [C_FAULT_TO_RESUME_MAX] = CC("fault_to_resume_max_cycles", "longest fault-to-resume", 0),
    [C_IO_TO_RESUME] = CC("io_to_resume_cycles", "sum of I/O-completion-to-resume times", 0),
    [C_IO_TO_RESUME_MAX] = CC("io_to_resume_max_cycles", "longest I/O-completion-to-resume", 0),
    [C_WORK_FAULTING] = CC("work_faulting_cycles", "guest work of the faulting tasks", 1),
    [C_WORK_OTHER] = CC("work_other_cycles", "guest work of the other tasks", 1),
};

static const irq_model_hist_desc apf_hists[APF_NHISTS] = {
    [H_FAULT_RESUME] = {"fault_resume", "from the EPT violation to the task able to run again"},
    [H_IO_RESUME] = {"io_resume", "from the end of the page-in to the task able to run again"},
};

/* ---- callbacks ----------------------------------------------------------- */

static irq_vcpu *target_of(const irq_intr *in)
{
    if (in->vcpu)
        return in->vcpu;
    /* floating: a vCPU in the guest, else a halted one, else the first */
    irq_guest *g = in->guest;
    for (uint32_t i = 0; i < g->nvcpus; i++)
        if (irq_vcpu_in_guest(&g->vcpus[i]))
            return &g->vcpus[i];
    for (uint32_t i = 0; i < g->nvcpus; i++)
        if (irq_vcpu_halted(&g->vcpus[i]))
            return &g->vcpus[i];
    return &g->vcpus[0];
}

static void apf_inject(void *model, const irq_intr *in)
{
    (void)model;
    irq_vcpu *v = target_of(in);
    apf_vcpu *a = avcpu(v);
    if (in->source == UINT32_MAX) { /* raised by this model: "not present" or page ready */
        bool np = in->cls == APF_PF_VECTOR && a->raising_np;
        irq_pend_add(v->guest, np ? &a->np : &a->pr, in->arrival);
        return; /* the caller delivers it */
    }
    uint32_t prio = APF_VECTORS - 1 - in->cls; /* the higher vector first */
    if (irq_pendq_prio(&a->irq, in->cls) != prio)
        irq_pendq_set_prio(&a->irq, in->cls, prio);
    if (irq_pendq_pend(&a->irq, in->cls, in->arrival) == IRQ_PQ_NEW)
        irq_vcpu_kick_ipi(v); /* kvm_vcpu_kick: wake, or exit to take it at entry */
}

static irq_wait_decision apf_wait_entry(void *model, irq_vcpu *v, uint64_t *poll)
{
    apf *m = model;
    apf_vcpu *a = avcpu(v);
    irq_count(v->guest, C_HALT_EXITS, 1);
    if (apf_has_events(a))
        return IRQ_WAIT_REFUSE;
    *poll = m->c.halt_poll;
    return IRQ_WAIT_HALT;
}

static bool apf_runnable(void *model, irq_vcpu *v)
{
    (void)model;
    return apf_has_events(avcpu(v));
}

static void apf_wakeup(void *model, irq_vcpu *v)
{
    (void)model;
    avcpu(v)->apf_halted = false;
}

static void apf_guest_entry(void *model, irq_vcpu *v)
{
    (void)model;
    apf_entry(avcpu(v));
}

static void apf_irq_enabled(void *model, irq_vcpu *v)
{
    (void)model;
    apf_handler_done(avcpu(v));
}

typedef void (*visit_fn)(void *ud, irq_guest *g, uint32_t cls, uint64_t arrival);

static void apf_pending_walk(void *model, visit_fn visit, void *ud)
{
    apf *m = model;
    for (size_t i = 0; i < irq_sim_nguests(m->sim); i++) {
        irq_guest *g = irq_sim_guest(m->sim, i);
        for (uint32_t j = 0; j < g->nvcpus; j++) {
            apf_vcpu *a = avcpu(&g->vcpus[j]);
            irq_pend_walk(g, &a->np, APF_PF_VECTOR, visit, ud);
            irq_pend_walk(g, &a->pr, m->mode == MODE_PF_LEGACY ? APF_PF_VECTOR : m->c.vector, visit,
                          ud);
            irq_pendq_walk(&a->irq, visit, ud);
        }
    }
}

/* ---- set-up and end ------------------------------------------------------ */

static int apf_validate(const struct irq_scenario *sc, irq_error *err)
{
    for (size_t i = 0; i < sc->nsources; i++)
        if (sc->sources[i].cls >= APF_VECTORS)
            return irq_error_set(err, IRQ_EINPUT, &sc->sources[i].mark,
                                 "class %u of source '%s' is not an x86 vector (expected 0..255)",
                                 sc->sources[i].cls, sc->sources[i].name);
    return IRQ_OK;
}

static void disable_fired(void *ctx, uint64_t arg)
{
    (void)arg;
    apf *m = ctx;
    for (size_t i = 0; i < irq_sim_nguests(m->sim); i++) {
        irq_guest *g = irq_sim_guest(m->sim, i);
        for (uint32_t j = 0; j < g->nvcpus; j++)
            avcpu(&g->vcpus[j])->disable_req = true;
    }
}

static void plans(apf *m)
{
    irq_trap eoi = {.counter = C_EOI_EXITS, .cycles = m->c.eoi_exit};
    bool eois = m->c.eoi_exits;
    /* sysvec_kvm_asyncpf_interrupt: EOI first, then the wake, then the ACK */
    m->pr_plan = (irq_handler_plan){.npre = eois ? 1 : 0, .pre = {eoi}};
    if (m->mode == MODE_INTERRUPT) {
        m->pr_plan.npost = 1;
        m->pr_plan.post[0] = (irq_trap){.counter = C_ACK_EXITS, .cycles = m->c.ack_exit};
    } else { /* legacy: page ready is a #PF: no EOI, no ACK */
        m->pr_plan = (irq_handler_plan){0};
    }
    m->irq_plan = (irq_handler_plan){.npre = eois ? 1 : 0, .pre = {eoi}};
}

static void init_vcpu(apf *m, irq_vcpu *v, apf_task *tasks)
{
    apf_vcpu *a = avcpu(v);
    a->m = m;
    a->v = v;
    a->tasks = tasks;
    a->np_fault = APF_NONE;
    a->id = 1;
    irq_pendq_cfg cfg = {.order = IRQ_PQ_PRIO, .nprio = APF_VECTORS};
    irq_pendq_init(&a->irq, v->guest, &cfg);
    a->enabled = m->mode == MODE_INTERRUPT || m->mode == MODE_PF_LEGACY;
    for (uint32_t k = 0; k < APF_SLOTS; k++) {
        a->f[k].owner = a;
        a->f[k].timer = irq_sim_timer_new(m->sim, k == APF_SYNC_SLOT ? apf_sync_done : apf_io_done,
                                          &a->f[k], 0);
    }
    uint32_t nf = m->c.faulting_tasks;
    for (uint32_t t = 0; t < v->ntasks; t++) {
        tasks[t].stuck = APF_NONE;
        tasks[t].next_fault = t < nf ? irq_dist_sample(m->c.fault_every, &v->rng) : UINT64_MAX;
    }
    if (a->enabled) { /* the guest enables APF: kvm_async_pf_wakeup_all queues a broadcast */
        apf_fault *f = &a->f[0];
        f->state = F_DONE;
        f->broadcast = true;
        f->token = APF_BROADCAST_TOKEN;
        a->queued = 1;
        a->done[0] = 0;
        a->done_len = 1;
        irq_count(v->guest, C_BROADCASTS, 1);
    }
}

static int apf_create(struct irq_sim *sim, void **model, irq_error *err)
{
    apf *m = calloc(1, sizeof *m);
    size_t ntasks = 0;
    for (size_t i = 0; i < irq_sim_nguests(sim); i++) {
        irq_guest *g = irq_sim_guest(sim, i);
        for (uint32_t j = 0; j < g->nvcpus; j++)
            ntasks += g->vcpus[j].ntasks;
    }
    if (m)
        m->tasks = calloc(ntasks + 1, sizeof *m->tasks);
    if (!m || !m->tasks) {
        free(m);
        return irq_error_set(err, IRQ_ENOMEM, NULL, "out of memory");
    }
    m->sim = sim;
    irq_params_bind(&m->c, apf_params, APF_NPARAMS, irq_sim_model_params(sim));
    m->mode = m->c.mode;
    plans(m);
    size_t next = 0;
    for (size_t i = 0; i < irq_sim_nguests(sim); i++) {
        irq_guest *g = irq_sim_guest(sim, i);
        for (uint32_t j = 0; j < g->nvcpus; j++) {
            init_vcpu(m, &g->vcpus[j], &m->tasks[next]);
            next += g->vcpus[j].ntasks;
        }
    }
    if (m->c.disable_at > 0) {
        m->disable_timer = irq_sim_timer_new(sim, disable_fired, m, 0);
        irq_sim_timer_arm(sim, m->disable_timer, m->c.disable_at);
    }
    *model = m;
    return IRQ_OK;
}

static void apf_destroy(void *model)
{
    apf *m = model;
    for (size_t i = 0; i < irq_sim_nguests(m->sim); i++) {
        irq_guest *g = irq_sim_guest(m->sim, i);
        for (uint32_t j = 0; j < g->nvcpus; j++) {
            apf_vcpu *a = avcpu(&g->vcpus[j]);
            irq_pend_free(&a->np);
            irq_pend_free(&a->pr);
            irq_pendq_free(&a->irq);
        }
    }
    free(m->tasks);
    free(m);
}

/* Checks one vCPU's fault accounting at the end; counts what is left. */
static int finish_vcpu(apf *m, irq_vcpu *v, irq_error *err)
{
    apf_vcpu *a = avcpu(v);
    uint32_t live = 0;
    for (uint32_t k = 0; k < APF_PER_VCPU; k++)
        live += a->f[k].state == F_IO || a->f[k].state == F_DONE;
    if (live != a->queued || a->queued > APF_PER_VCPU)
        return irq_error_set(err, IRQ_ESIM, NULL,
                             "apf: vCPU %u of guest %s has %u async faults but queued = %u",
                             v->index, v->guest->name, live, a->queued);
    irq_count(v->guest, C_OUTSTANDING, live);
    uint32_t nf = m->c.faulting_tasks;
    for (uint32_t t = 0; t < v->ntasks; t++)
        irq_count(v->guest, t < nf ? C_WORK_FAULTING : C_WORK_OTHER, irq_task_work(v, t));
    return IRQ_OK;
}

/* Faults conserve per guest: every fault is resolved without I/O, waited
 * for synchronously, or queued; every queued item (faults and broadcasts)
 * is dequeued, dropped by disabling APF or still queued. */
static int apf_finish(void *model, irq_error *err)
{
    apf *m = model;
    for (size_t i = 0; i < irq_sim_nguests(m->sim); i++) {
        irq_guest *g = irq_sim_guest(m->sim, i);
        for (uint32_t j = 0; j < g->nvcpus; j++)
            if (finish_vcpu(m, &g->vcpus[j], err) != IRQ_OK)
                return IRQ_ESIM;
        uint64_t *c = g->mcount;
        if (c[C_FAULTS] != c[C_NO_IO] + c[C_SYNC] + c[C_ASYNC])
            return irq_error_set(err, IRQ_ESIM, NULL,
                                 "apf: guest %s: %llu faults != %llu without I/O + %llu sync + "
                                 "%llu async",
                                 g->name, (unsigned long long)c[C_FAULTS],
                                 (unsigned long long)c[C_NO_IO], (unsigned long long)c[C_SYNC],
                                 (unsigned long long)c[C_ASYNC]);
        if (c[C_ASYNC] + c[C_BROADCASTS] != c[C_DEQUEUED] + c[C_APF_DISABLED] + c[C_OUTSTANDING])
            return irq_error_set(err, IRQ_ESIM, NULL,
                                 "apf: guest %s: %llu queued != %llu dequeued + %llu dropped + "
                                 "%llu outstanding",
                                 g->name, (unsigned long long)(c[C_ASYNC] + c[C_BROADCASTS]),
                                 (unsigned long long)c[C_DEQUEUED],
                                 (unsigned long long)c[C_APF_DISABLED],
                                 (unsigned long long)c[C_OUTSTANDING]);
    }
    return IRQ_OK;
}

const irq_model_ops irq_model_apf = {
    .name = "apf",
    .summary = "x86 async page faults: interrupt page-ready (5.8+), #PF legacy, halt-only, sync",
    .invalid_wakeups = false,
    .vcpu_state_size = sizeof(apf_vcpu),
    .params = apf_params,
    .nparams = APF_NPARAMS,
    .counters = apf_counters,
    .ncounters = APF_NCOUNTERS,
    .hists = apf_hists,
    .nhists = APF_NHISTS,
    .validate = apf_validate,
    .create = apf_create,
    .destroy = apf_destroy,
    .inject = apf_inject,
    .wait_entry = apf_wait_entry,
    .vcpu_runnable = apf_runnable,
    .wakeup = apf_wakeup,
    .guest_entry = apf_guest_entry,
    .irq_enabled = apf_irq_enabled,
    .pending_walk = apf_pending_walk,
    .finish = apf_finish,
};
