/* The arm64 model: parameter and counter tables, set-up, the ops table and
 * what every controller shares (sources, halts, bring-up). Each controller
 * is a table of callbacks: rvic.c (the rVIC/rVID series) and gic.c (KVM's
 * vGICv3 and GICv4.1). Costs are DOMAIN.md section 4's Altra column. */
#include <stdlib.h>

#include "arm64_internal.h"

static const char *const irqchips[] = {"rvic", "gicv3", "gicv4.1", NULL};

#define MICROBENCH                                                                                 \
    "kvm-unit-tests arm/micro-bench on Ampere Altra, host v6.12-rc1 (R. R. Ananta, kvm@ list, 29 " \
    "Oct 2024)"

static const irq_param_desc params[A64_NPARAMS] = {
    [P_IRQCHIP] = {.name = "irqchip",
                   .type = IRQ_PARAM_ENUM,
                   .def = "rvic",
                   .unit = "choice",
                   .help = "the guest's interrupt controller: rvic (paravirtual, every operation a "
                           "hypercall), gicv3 (vGIC with list registers), gicv4.1 (gicv3 plus "
                           "direct vLPI/vSGI injection when vgic_v4_enable is true)",
                   .choices = irqchips,
                   .source = "series 'KVM: arm64: rVIC/rVID PV interrupt controller' (3 Sep 2020); "
                             "arch/arm64/kvm/vgic/"},
    [P_NR_TRUSTED] = {.name = "nr_trusted",
                      .type = IRQ_PARAM_INT,
                      .def = "32",
                      .unit = "intids",
                      .help = "rVIC trusted intids (IPIs, per-CPU): >= 32, a multiple of 32",
                      .min = 32,
                      .max = 2048,
                      .assumption = true,
                      .source = "the smallest size the series' KVM accepts; what a VMM sets is not "
                                "known"},
    [P_NR_TOTAL] = {.name = "nr_total",
                    .type = IRQ_PARAM_INT,
                    .def = "64",
                    .unit = "intids",
                    .help = "rVIC intids in all (trusted + untrusted, rVID inputs = nr_total - "
                            "nr_trusted): 64..2048, a multiple of 32; bring-up costs 2 x nr_total "
                            "+ 2 hypercalls",
                    .min = 64,
                    .max = 2048,
                    .assumption = true,
                    .source = "the smallest size the series' KVM accepts"},
    [P_HVC] = {.name = "hvc_cost",
               .type = IRQ_PARAM_DURATION,
               .def = "306ns",
               .unit = "time",
               .help = "one rVIC hypercall: trap, handler, return (the rVIC handler's own work "
                       "beyond a null HVC is taken as 0)",
               .max = 1e12,
               .source = "micro-bench 'hvc' 306 ns, " MICROBENCH},
    [P_SGI_TRAP] = {.name = "sgi_trap_cost",
                    .type = IRQ_PARAM_DURATION,
                    .def = "306ns",
                    .unit = "time",
                    .help = "GIC: the sender's ICC_SGI1R_EL1 trap (one per cluster of up to 16 "
                            "targets)",
                    .max = 1e12,
                    .assumption = true,
                    .source = "taken equal to hvc_cost (a sysreg trap on the same exit path)"},
    [P_HOST_IRQ] = {.name = "host_irq_cost",
                    .type = IRQ_PARAM_DURATION,
                    .def = "888ns",
                    .unit = "time",
                    .help = "a per-CPU timer interrupt while the guest runs: host IRQ exit, "
                            "injection, re-entry (both controllers)",
                    .max = 1e12,
                    .source = "derived: micro-bench timer_10ms 902 ns - eoi 14 ns, " MICROBENCH},
    [P_MI] = {.name = "mi_cost",
              .type = IRQ_PARAM_DURATION,
              .def = "888ns",
              .unit = "time",
              .help = "GIC: a maintenance interrupt: exit, LR sync and refill, re-entry",
              .max = 1e12,
              .assumption = true,
              .source = "taken equal to host_irq_cost"},
    [P_LR_COUNT] = {.name = "lr_count",
                    .type = IRQ_PARAM_INT,
                    .def = "4",
                    .unit = "list registers",
                    .help = "GIC list registers per vCPU (ICH_VTR_EL2.ListRegs + 1); at least 2, "
                            "as underflow refills add lr_count - 1",
                    .min = 2,
                    .max = 16,
                    .source = "QEMU neoverse-n1 gic_num_lrs = 4, from the TRM (Ampere Altra's "
                              "core)"},
    [P_V4_ENABLE] = {.name = "vgic_v4_enable",
                     .type = IRQ_PARAM_BOOL,
                     .def = "false",
                     .unit = "flag",
                     .help = "gicv4.1: direct injection on (kvm-arm.vgic_v4_enable=1); off, "
                             "gicv4.1 behaves exactly as gicv3",
                     .source = "off by default in KVM (gicv4_enable = false, vgic-v3.c)"},
    [P_VSGI] = {.name = "vsgi",
                .type = IRQ_PARAM_BOOL,
                .def = "true",
                .unit = "flag",
                .help = "gicv4.1 with direct injection: IPIs are vSGIs (the sender still traps, "
                        "a resident receiver does not exit)",
                .source = "Linux guests set GICD_CTLR.nASSGIreq when offered (GICv4.1 series, "
                          "4 Mar 2020)"},
    [P_DOORBELL] = {.name = "doorbell_cost",
                    .type = IRQ_PARAM_DURATION,
                    .def = "888ns",
                    .unit = "time",
                    .help = "gicv4.1: host time of a doorbell interrupt (handler and kick) on the "
                            "blocked vCPU's last CPU; the wake-up itself is the host's",
                    .max = 1e12,
                    .assumption = true,
                    .source = "no public figure: taken equal to host_irq_cost"},
    [P_GIC_SWITCH] = {.name = "gic_switch_cost",
                      .type = IRQ_PARAM_DURATION,
                      .def = "0ns",
                      .unit = "time",
                      .help = "GIC: extra GIC state save/restore per exit and re-entry, which "
                              "rVIC skips (charged at each guest entry after an exit)",
                      .max = 1e12,
                      .assumption = true,
                      .source = "exists per the rVIC cover letter and its patch 15; no figure"},
    [P_HALT_POLL] = {.name = "halt_poll",
                     .type = IRQ_PARAM_DURATION,
                     .def = "500us",
                     .unit = "time",
                     .help = "halt-polling maximum (halt_poll_ns); the per-vCPU window adapts "
                             "up to it (0 = off)",
                     .max = 1e12,
                     .source = "KVM_HALT_POLL_NS_DEFAULT on arm64"},
    [P_CHECK] = {.name = "check_invariants",
                 .type = IRQ_PARAM_BOOL,
                 .def = "true",
                 .unit = "flag",
                 .help = "check as the run goes: the rVIC line equals enabled && list not empty, "
                         "no class queued twice, no masked class delivered",
                 .source = "simulator option"},
};

static const irq_param_desc guest_params[A64_NGPARAMS] = {
    [G_UNMAPPED] = {.name = "rvid_unmapped_inputs",
                    .type = IRQ_PARAM_BITS,
                    .def = "[]",
                    .unit = "rVID input list",
                    .help = "rVIC: rVID inputs (MSI class - 32) the guest never mapped: their "
                            "MSIs are dropped (rvid_unmapped); the GIC ignores this",
                    .min = 0,
                    .max = 63,
                    .source = "scenario choice"},
};

static const irq_param_desc vcpu_params[A64_NVPARAMS] = {
    [V_RVIC_ENABLED] = {.name = "rvic_enabled",
                        .type = IRQ_PARAM_BOOL,
                        .def = "true",
                        .unit = "flag",
                        .help = "rVIC: enabled at the start (false: a CPU that is down; "
                                "injections and SIGNALs to it are dropped, rvic_disabled)",
                        .source = "scenario choice"},
    [V_BRINGUP_AFTER] = {.name = "bringup_after",
                         .type = IRQ_PARAM_DURATION,
                         .def = "0ns",
                         .unit = "time",
                         .help = "rVIC: after this much guest work the vCPU runs the driver's "
                                 "CPU bring-up (vCPU 0 as the boot CPU); 0 = never",
                         .max = 1e12,
                         .source = "scenario choice"},
    [V_MOVE_AFTER] = {.name = "rvid_move_after",
                      .type = IRQ_PARAM_DURATION,
                      .def = "0ns",
                      .unit = "time",
                      .help = "after this much guest work the vCPU moves the MSI of rVID input "
                              "rvid_move_input to itself (the driver's rvid_irq_set_affinity: 5 "
                              "hypercalls, 7 if the intid was pending); 0 = never; not with "
                              "bringup_after",
                      .max = 1e12,
                      .source = "scenario choice"},
    [V_MOVE_INPUT] = {.name = "rvid_move_input",
                      .type = IRQ_PARAM_INT,
                      .def = "0",
                      .unit = "rVID input",
                      .help = "the input (MSI class - 32) rvid_move_after moves",
                      .min = 0,
                      .max = 63,
                      .source = "scenario choice"},
    [V_MOVE_UNMAP] = {.name = "rvid_move_unmap",
                      .type = IRQ_PARAM_BOOL,
                      .def = "false",
                      .unit = "flag",
                      .help = "rvid_move_after unmaps the input instead (RVID_UNMAP, 1 hypercall; "
                              "its MSIs are dropped from then on, rvid_unmapped)",
                      .source = "scenario choice"},
};

#define HVC(n, h)                                                                                  \
    {                                                                                              \
        "hvc_" n, "rVIC hypercalls " h, 0, IRQ_CG_TRAPS_EXITS, NULL                                \
    }
static const irq_counter_desc counters[A64_NCOUNTERS] = {
    [HVC_VERSION] = HVC("version", "RVIC_VERSION"),
    [HVC_INFO] = HVC("info", "RVIC_INFO"),
    [HVC_ENABLE] = HVC("enable", "RVIC_ENABLE"),
    [HVC_DISABLE] = HVC("disable", "RVIC_DISABLE"),
    [HVC_SET_MASKED] = HVC("set_masked", "RVIC_SET_MASKED"),
    [HVC_CLEAR_MASKED] = HVC("clear_masked", "RVIC_CLEAR_MASKED"),
    [HVC_IS_PENDING] = HVC("is_pending", "RVIC_IS_PENDING"),
    [HVC_SIGNAL] = HVC("signal", "RVIC_SIGNAL (one per IPI target)"),
    [HVC_CLEAR_PENDING] = HVC("clear_pending", "RVIC_CLEAR_PENDING"),
    [HVC_ACKNOWLEDGE] = HVC("acknowledge", "RVIC_ACKNOWLEDGE (one per IRQ exception)"),
    [HVC_RESAMPLE] = HVC("resample", "RVIC_RESAMPLE"),
    [HVC_RVID_VERSION] = HVC("rvid_version", "RVID_VERSION"),
    [HVC_RVID_MAP] = HVC("rvid_map", "RVID_MAP"),
    [HVC_RVID_UNMAP] = HVC("rvid_unmap", "RVID_UNMAP"),
    [C_HVC_TRAPS] = {"hvc_traps", "rVIC/rVID hypercalls in all", 1, IRQ_CG_TRAPS_EXITS, NULL},
    [C_SYSREG_TRAPS] = {"sysreg_traps", "GIC: ICC_SGI1R_EL1 writes trapped (IPI sends)", 1,
                        IRQ_CG_TRAPS_EXITS, NULL},
    [C_MI] = {"maintenance_interrupts", "GIC: underflow maintenance interrupts (exits)", 1,
              IRQ_CG_TRAPS_EXITS, NULL},
    [C_LR_OVERFLOWS] = {"lr_overflows",
                        "GIC: guest entries with more queued interrupts than list registers", 0,
                        IRQ_CG_TRAPS_EXITS, NULL},
    [C_HOST_IRQ_EXITS] = {"host_irq_exits", "per-CPU timer interrupts that exited a running vCPU",
                          0, IRQ_CG_TRAPS_EXITS, NULL},
    [C_DOORBELLS] = {"doorbells", "GICv4.1: doorbells for vCPUs blocked in WFI", 1,
                     IRQ_CG_ALERTS_KICKS, NULL},
    [C_DIRECT] = {"direct_injections", "GICv4.1: vLPIs/vSGIs the hardware delivers (no kick)", 0,
                  IRQ_CG_DELIVERY, NULL},
    [C_GIC_SWITCHES] = {"gic_switches", "GIC: entries that paid gic_switch_cost", 0,
                        IRQ_CG_TRAPS_EXITS, NULL},
    [C_RVIC_DISABLED] = {"rvic_disabled", "dropped: injected into or SIGNALled to a disabled rVIC",
                         0, IRQ_CG_DELIVERY, NULL},
    [C_RVID_UNMAPPED] = {"rvid_unmapped", "dropped: MSI on an unmapped rVID input", 0,
                         IRQ_CG_DELIVERY, NULL},
    [C_RVIC_CLEARED] = {"rvic_cleared", "dropped: pending intids cleared by a CPU bring-up", 0,
                        IRQ_CG_DELIVERY, NULL},
    [C_RVID_MOVED] = {"rvid_moved",
                      "dropped: pending on the old vCPU when its input moved (CLEAR_PENDING; "
                      "the SIGNAL to the new one raises a new interrupt)",
                      0, IRQ_CG_DELIVERY, NULL},
    [C_GUEST_TRAP_CYCLES] = {"guest_trap_cycles",
                             "guest time lost to the controller's traps and exits (hypercalls, "
                             "SGI traps, MIs, timer exits, kick exits, GIC switches)",
                             0, IRQ_CG_TRAPS_EXITS, "cycles"},
    [C_HOST_IRQCHIP_CYCLES] = {"host_irqchip_cycles",
                               "host time of those plus doorbells (wake-ups not included)", 0,
                               IRQ_CG_TRAPS_EXITS, "cycles"},
};

/* ---- shared helpers ----------------------------------------------------- */

bool a64_can_take(const irq_vcpu *v)
{
    return v->on_cpu && !v->halted && !v->blocked && !v->stopped && !irq_vcpu_in_handler(v) &&
           (v->depth == 0 || v->stack[v->depth - 1].kind == IRQ_SEG_BUSY);
}

bool a64_guest_mode(const irq_vcpu *v)
{
    return v->in_guest && v->on_cpu && !v->halted;
}

void a64_charge(irq_guest *g, uint64_t cycles)
{
    irq_count(g, C_GUEST_TRAP_CYCLES, cycles);
    irq_count(g, C_HOST_IRQCHIP_CYCLES, cycles);
}

void a64_exit(a64 *m, irq_vcpu *v, int counter, uint64_t cycles, irq_exit_done_fn done)
{
    if (counter >= 0)
        irq_count(v->guest, (unsigned)counter, 1);
    a64_charge(v->guest, cycles);
    irq_vcpu_exit(v, cycles, done, m, 0);
}

void a64_kick(a64 *m, irq_vcpu *v)
{
    uint64_t before = v->guest->core[IRQ_GC_IPI_EXITS];
    irq_vcpu_kick_ipi(v);
    if (v->guest->core[IRQ_GC_IPI_EXITS] != before)
        a64_charge(v->guest, m->ipi_exit);
}

void a64_timer_path(a64 *m, irq_vcpu *t)
{
    if (a64_guest_mode(t))
        a64_exit(m, t, C_HOST_IRQ_EXITS, m->host_irq, NULL);
    else if (irq_vcpu_halted(t))
        irq_vcpu_kick(t);
}

void a64_drop(irq_guest *g, int counter)
{
    g->dropped++;
    irq_count(g, (unsigned)counter, 1);
}

static void check_queue(irq_vcpu *v, const irq_pendq *q)
{
    uint32_t n = 0;
    for (uint32_t c = irq_pendq_head(q); c != IRQ_PQ_NONE; c = irq_pendq_next(q, c))
        if (++n > irq_pendq_nqueued(q) || (irq_pendq_flags(q, c) & IRQ_PQ_MASKED))
            break;
    if (n != irq_pendq_nqueued(q)) {
        a64v(v)->bad_deliveries++;
        irq_sim_fail(v->sim, "arm64: vCPU %u of guest %s: queue walk found %u of %u entries",
                     v->index, v->guest->name, n, irq_pendq_nqueued(q));
    }
}

void a64_deliver(a64 *m, irq_vcpu *v, irq_pendq *q, uint32_t cls, const irq_handler_plan *plan)
{
    a64_vcpu *s = a64v(v);
    if (m->check) {
        check_queue(v, q);
        if (irq_pendq_flags(q, cls) & IRQ_PQ_MASKED) {
            s->bad_deliveries++;
            irq_sim_fail(m->sim, "arm64: masked class %u delivered to vCPU %u of guest %s", cls,
                         v->index, v->guest->name);
        }
    }
    uint64_t traps = 0;
    for (unsigned i = 0; plan && i < plan->npre; i++)
        traps += plan->pre[i].cycles;
    for (unsigned i = 0; plan && i < plan->npost; i++)
        traps += plan->post[i].cycles;
    a64_charge(v->guest, traps);
    s->cur = cls;
    irq_pendq_deliver(q, v, cls, plan);
}

/* ---- sources: who gets an arrival --------------------------------------- */

/* The vCPU an MSI goes to: the source's vCPU; a floating source stands for
 * a multi-queue device with one queue per vCPU and its flows spread evenly:
 * its arrivals go round-robin over the vCPUs (our assumption). */
static irq_vcpu *msi_target(const irq_intr *in)
{
    a64_guest *gs = irq_guest_model(in->guest);
    uint32_t input = in->cls - A64_FIRST_MSI;
    if (input < 64 && ((gs->moved >> input) & 1))
        return &in->guest->vcpus[gs->map[input]];
    if (in->vcpu)
        return in->vcpu;
    return &in->guest->vcpus[gs->next_msi++ % in->guest->nvcpus];
}

/* An IPI without a target vCPU goes to every other vCPU of the guest: this
 * arrival to the first, a raised copy to each of the others. */
static void signal_all(a64 *m, const irq_intr *in)
{
    irq_guest *g = in->guest;
    bool first = true;
    for (uint32_t i = 0; i < g->nvcpus; i++) {
        irq_vcpu *t = &g->vcpus[i];
        if (t == in->sender)
            continue;
        if (first) {
            m->chip->signal(m, in->sender, t, in);
            first = false;
            continue;
        }
        irq_intr copy = *in;
        copy.vcpu = t;
        irq_raise_intr(&copy);
    }
}

static void a64_inject(void *model, const irq_intr *in)
{
    a64 *m = model;
    if (a64_kind_of(in->cls) == K_IPI) {
        if (in->vcpu)
            m->chip->signal(m, in->sender, in->vcpu, in);
        else
            signal_all(m, in);
        return;
    }
    m->chip->inject(m, a64_kind_of(in->cls) == K_MSI ? msi_target(in) : in->vcpu, in);
}

static uint64_t a64_send_cost(void *model, irq_vcpu *sender, const irq_intr *in)
{
    a64 *m = model;
    if (in->vcpu)
        return m->chip->send_cost(m, sender, 1, 1);
    uint32_t n = sender->guest->nvcpus - 1;
    /* clusters of 16 (MPIDR Aff1 = vcpu_id >> 4, KVM's reset_mpidr) with a
     * target: every cluster but possibly the sender's, which may hold only it */
    uint32_t nclusters = (sender->guest->nvcpus + 15) / 16;
    uint32_t own = sender->index / 16;
    uint32_t own_size = sender->guest->nvcpus - own * 16;
    if (own_size == 1)
        nclusters--;
    return m->chip->send_cost(m, sender, n, nclusters);
}

/* ---- the halt, entries and handler ends ----------------------------------- */

static irq_wait_decision a64_wait_entry(void *model, irq_vcpu *v, uint64_t *poll)
{
    a64 *m = model;
    if (m->chip->pending(m, v))
        return IRQ_WAIT_REFUSE;
    if (m->chip->blocking)
        m->chip->blocking(m, v);
    *poll = m->halt_poll;
    return IRQ_WAIT_HALT;
}

static bool a64_runnable(void *model, irq_vcpu *v)
{
    a64 *m = model;
    return m->chip->pending(m, v);
}

static void switch_paid(irq_vcpu *v, void *ctx, uint64_t arg)
{
    (void)ctx;
    (void)arg;
    a64_vcpu *s = a64v(v);
    s->in_switch = false;
    s->switch_paid = true;
}

static void a64_guest_entry(void *model, irq_vcpu *v)
{
    a64 *m = model;
    a64_vcpu *s = a64v(v);
    if (m->irqchip != CHIP_RVIC && m->gic_switch > 0 && !s->in_switch) {
        if (!s->switch_paid) { /* restore the GIC state first: an exit of that cost */
            s->in_switch = true;
            a64_exit(m, v, C_GIC_SWITCHES, m->gic_switch, switch_paid);
            return;
        }
        s->switch_paid = false;
    }
    if (!s->in_switch)
        m->chip->flush(m, v);
}

static void a64_irq_enabled(void *model, irq_vcpu *v)
{
    a64 *m = model;
    m->chip->eoi(m, v);
}

static void a64_pending_walk(void *model,
                             void (*visit)(void *ud, irq_guest *g, uint32_t cls, uint64_t t),
                             void *ud)
{
    a64 *m = model;
    for (size_t i = 0; i < irq_sim_nguests(m->sim); i++) {
        irq_guest *g = irq_sim_guest(m->sim, i);
        for (uint32_t j = 0; j < g->nvcpus; j++) {
            irq_pendq_walk(&a64v(&g->vcpus[j])->q, visit, ud);
            irq_pendq_walk(&a64v(&g->vcpus[j])->hw, visit, ud);
        }
    }
}

/* hvc_traps: the sum of the per-call counters. */
static int a64_finish(void *model, irq_error *err)
{
    (void)err;
    a64 *m = model;
    for (size_t i = 0; i < irq_sim_nguests(m->sim); i++) {
        irq_guest *g = irq_sim_guest(m->sim, i);
        uint64_t n = 0;
        for (int c = 0; c < A64_NHVC; c++)
            n += g->mcount[c];
        g->mcount[C_HVC_TRAPS] = n;
    }
    return IRQ_OK;
}

/* ---- CPU bring-up (rVIC driver's rvic_cpu_starting) ----------------------- */

/* The boot CPU adds VERSION, 2 x INFO and RVID_VERSION; then DISABLE,
 * SET_MASKED + CLEAR_PENDING per intid, ENABLE, and one CLEAR_MASKED per
 * per-CPU interrupt the kernel enables. */
#define BRINGUP_BOOT 4
#define BRINGUP_UNMASKS 8 /* NR_IPI (7, IPI_WAKEUP last) + the timer: recalled, see docs */

static uint32_t bringup_calls(const a64 *m, const irq_vcpu *v)
{
    return (v->index == 0 ? BRINGUP_BOOT : 0) + 2 * m->nr_total + 2 + BRINGUP_UNMASKS;
}

static int bringup_call(const a64 *m, const irq_vcpu *v, uint32_t step)
{
    static const int boot[BRINGUP_BOOT] = {HVC_VERSION, HVC_INFO, HVC_INFO, HVC_RVID_VERSION};
    if (v->index == 0) {
        if (step < BRINGUP_BOOT)
            return boot[step];
        step -= BRINGUP_BOOT;
    }
    if (step == 0)
        return HVC_DISABLE;
    if (step <= 2 * m->nr_total)
        return step % 2 ? HVC_SET_MASKED : HVC_CLEAR_PENDING;
    return step == 2 * m->nr_total + 1 ? HVC_ENABLE : HVC_CLEAR_MASKED;
}

static void bringup_next(irq_vcpu *v, void *ctx, uint64_t arg)
{
    (void)arg;
    a64 *m = ctx;
    a64_vcpu *s = a64v(v);
    if (s->bringup_left == 0)
        return;
    uint32_t step = bringup_calls(m, v) - s->bringup_left--;
    int call = bringup_call(m, v, step);
    a64_rvic_call(m, v, call);
    a64_charge(v->guest, m->hvc);
    irq_vcpu_trap(v, call, m->hvc, bringup_next, m, 0);
}

static void bringup_start(irq_vcpu *v, void *ctx, uint64_t arg)
{
    a64 *m = ctx;
    if (m->irqchip != CHIP_RVIC)
        return;
    a64v(v)->bringup_left = bringup_calls(m, v);
    bringup_next(v, ctx, arg);
}

static void move_start(irq_vcpu *v, void *ctx, uint64_t arg)
{
    (void)arg;
    a64_rvid_move(ctx, v, (uint32_t)v->params[V_MOVE_INPUT].i, v->params[V_MOVE_UNMAP].i != 0);
}

/* ---- set-up ------------------------------------------------------------- */

static int a64_validate(const struct irq_scenario *sc, irq_error *err)
{
    const irq_param_value *p = sc->model_params;
    int64_t tr = p[P_NR_TRUSTED].i, tot = p[P_NR_TOTAL].i;
    if (tr % 32 || tot % 32 || tot < tr)
        return irq_error_set(err, IRQ_EINPUT, &p[P_NR_TOTAL].mark,
                             "nr_trusted %lld and nr_total %lld: both must be multiples of 32 "
                             "and nr_total >= nr_trusted (KVM_DEV_ARM_RVIC_GRP_NR_IRQS)",
                             (long long)tr, (long long)tot);
    for (size_t t = 0; t < sc->ntmpls; t++) {
        const irq_guest_tmpl *tm = &sc->tmpls[t];
        for (size_t o = 0; o <= tm->noverrides; o++) {
            const irq_param_value *v =
                o < tm->noverrides ? tm->overrides[o].params : tm->vcpu_params;
            if (v[V_MOVE_AFTER].u > 0 && v[V_MOVE_INPUT].i >= tot - tr)
                return irq_error_set(err, IRQ_EINPUT, &v[V_MOVE_INPUT].mark,
                                     "rvid_move_input %lld of guest '%s' is not below "
                                     "nr_total - nr_trusted (%lld)",
                                     (long long)v[V_MOVE_INPUT].i, tm->name, (long long)(tot - tr));
            if (v[V_BRINGUP_AFTER].u > 0 && v[V_MOVE_AFTER].u > 0)
                return irq_error_set(err, IRQ_EINPUT, &v[V_MOVE_AFTER].mark,
                                     "a vCPU of guest '%s' has both bringup_after and "
                                     "rvid_move_after (one guest-work event per vCPU)",
                                     tm->name);
        }
    }
    for (size_t i = 0; i < sc->nsources; i++) {
        const irq_source_cfg *s = &sc->sources[i];
        a64_kind k = a64_kind_of(s->cls);
        const char *why = NULL;
        if (k == K_IPI && s->from == IRQ_FROM_OUTSIDE)
            why = "is an IPI (0..15): it needs a sender ('from')";
        else if (k != K_IPI && s->from != IRQ_FROM_OUTSIDE)
            why = "is not an IPI: only classes 0..15 may have 'from'";
        else if (k == K_TIMER && s->vcpu < 0)
            why = "is a per-CPU interrupt (16..31): it needs a 'vcpu'";
        else if (k == K_IPI && s->vcpu < 0 && sc->tmpls[s->tmpl].vcpus < 2)
            why = "is an IPI to all other vCPUs of a guest with one vCPU";
        else if (k == K_MSI && s->cls - A64_FIRST_MSI >= (uint64_t)(tot - tr))
            why = "is an MSI whose rVID input (class - 32) is not below nr_total - nr_trusted";
        if (why)
            return irq_error_set(err, IRQ_EINPUT, &s->mark, "class %u of source '%s' %s", s->cls,
                                 s->name, why);
    }
    return IRQ_OK;
}

static void read_params(a64 *m)
{
    const irq_param_value *p = irq_sim_model_params(m->sim);
    const irq_scenario *sc = irq_sim_scenario(m->sim);
    m->irqchip = (int)p[P_IRQCHIP].i;
    m->chip = m->irqchip == CHIP_RVIC    ? &a64_chip_rvic
              : m->irqchip == CHIP_GICV3 ? &a64_chip_gicv3
                                         : &a64_chip_gicv41;
    m->nr_trusted = (uint32_t)p[P_NR_TRUSTED].i;
    m->nr_total = (uint32_t)p[P_NR_TOTAL].i;
    m->hvc = p[P_HVC].u;
    m->sgi_trap = p[P_SGI_TRAP].u;
    m->host_irq = p[P_HOST_IRQ].u;
    m->mi = p[P_MI].u;
    m->lr_count = (uint32_t)p[P_LR_COUNT].i;
    m->direct = m->irqchip == CHIP_GICV41 && p[P_V4_ENABLE].i != 0;
    m->vsgi = m->direct && p[P_VSGI].i != 0;
    m->doorbell = p[P_DOORBELL].u;
    m->gic_switch = p[P_GIC_SWITCH].u;
    m->halt_poll = p[P_HALT_POLL].u;
    m->check = p[P_CHECK].i != 0;
    m->ipi_exit = sc->host[IRQ_HOST_IPI_EXIT].u;
    a64_make_plans(m);
}

/* Each rVID input's vCPU, from the MSI sources that name one. */
static void map_inputs(a64 *m)
{
    const irq_scenario *sc = irq_sim_scenario(m->sim);
    for (size_t i = 0; i < sc->nsources; i++) {
        const irq_source_cfg *s = &sc->sources[i];
        uint64_t input = s->cls - (uint64_t)A64_FIRST_MSI;
        if (a64_kind_of(s->cls) != K_MSI || s->vcpu < 0 || input >= 64)
            continue;
        uint64_t first = s->instance < 0 ? 0 : (uint64_t)s->instance;
        uint64_t end = s->instance < 0 ? sc->tmpls[s->tmpl].count : first + 1;
        for (uint64_t k = first; k < end; k++) {
            irq_guest *g = irq_sim_guest_of(m->sim, s->tmpl, k);
            ((a64_guest *)irq_guest_model(g))->map[input] = (int16_t)s->vcpu;
        }
    }
}

static void a64_destroy(void *model)
{
    a64 *m = model;
    for (size_t i = 0; i < irq_sim_nguests(m->sim); i++) {
        irq_guest *g = irq_sim_guest(m->sim, i);
        for (uint32_t j = 0; j < g->nvcpus; j++) {
            irq_pendq_free(&a64v(&g->vcpus[j])->q);
            irq_pendq_free(&a64v(&g->vcpus[j])->hw);
        }
    }
    free(m);
}

static int a64_create(struct irq_sim *sim, void **model, irq_error *err)
{
    a64 *m = calloc(1, sizeof *m);
    if (!m)
        return irq_error_set(err, IRQ_ENOMEM, NULL, "out of memory");
    m->sim = sim;
    read_params(m);
    /* Every intid a source uses starts unmasked and the rVIC enabled: the
     * guest's driver brought its CPUs up before the run starts. */
    const irq_pendq_cfg cfg = {.order = IRQ_PQ_FIFO};
    for (size_t i = 0; i < irq_sim_nguests(sim); i++) {
        irq_guest *g = irq_sim_guest(sim, i);
        a64_guest *gs = irq_guest_model(g);
        gs->unmapped = g->params[G_UNMAPPED].u;
        for (int k = 0; k < 64; k++)
            gs->map[k] = -1;
        for (uint32_t j = 0; j < g->nvcpus; j++) {
            irq_vcpu *v = &g->vcpus[j];
            a64_vcpu *s = a64v(v);
            if (!irq_pendq_init(&s->q, g, &cfg) || !irq_pendq_init(&s->hw, g, &cfg)) {
                a64_destroy(m);
                return irq_error_set(err, IRQ_EINPUT, NULL, "arm64: bad pending-queue set-up");
            }
            s->enabled = v->params[V_RVIC_ENABLED].i != 0;
            s->cur = IRQ_PQ_NONE;
            if (v->params[V_BRINGUP_AFTER].u > 0)
                irq_vcpu_after_work(v, v->params[V_BRINGUP_AFTER].u, bringup_start, m);
            else if (v->params[V_MOVE_AFTER].u > 0)
                irq_vcpu_after_work(v, v->params[V_MOVE_AFTER].u, move_start, m);
        }
    }
    map_inputs(m);
    *model = m;
    return IRQ_OK;
}

const irq_model_ops irq_model_arm64 = {
    .name = "arm64",
    .summary = "arm64 interrupt controllers: the rVIC/rVID paravirtual controller (every "
               "operation a hypercall) against KVM's GICv3 and GICv4.1",
    .guest_state_size = sizeof(a64_guest),
    .vcpu_state_size = sizeof(a64_vcpu),
    .params = params,
    .nparams = A64_NPARAMS,
    .guest_params = guest_params,
    .nguest_params = A64_NGPARAMS,
    .vcpu_params = vcpu_params,
    .nvcpu_params = A64_NVPARAMS,
    .counters = counters,
    .ncounters = A64_NCOUNTERS,
    .validate = a64_validate,
    .create = a64_create,
    .destroy = a64_destroy,
    .inject = a64_inject,
    .wait_entry = a64_wait_entry,
    .vcpu_runnable = a64_runnable,
    .send_cost = a64_send_cost,
    .guest_entry = a64_guest_entry,
    .irq_enabled = a64_irq_enabled,
    .pending_walk = a64_pending_walk,
    .finish = a64_finish,
};
