/* KVM's vGICv3 and GICv4.1 as the baseline (arch/arm64/kvm/vgic/).
 *
 * The pending queue is the vCPU's ap_list (FIFO: Linux guests give every
 * interrupt the same priority). At each guest entry up to lr_count queued
 * interrupts are loaded into list registers; the guest acknowledges and
 * EOIs them without a trap (EOImode 0). When more are queued than fit, the
 * underflow maintenance interrupt fires once at most one LR is left valid,
 * and its exit refills them. Every injection kicks the target
 * (vgic_queue_irq_unlock). A class being handled is masked in the queue
 * (active: not presented again until its EOI); IPIs are EOIed before the
 * handler (handle_percpu_devid_fasteoi_ipi), so they are not. */
#include "arm64_internal.h"

static bool gic_pending(a64 *m, irq_vcpu *v)
{
    (void)m;
    a64_vcpu *s = a64v(v);
    return irq_pendq_nqueued(&s->q) > 0 || irq_pendq_nqueued(&s->hw) > 0;
}

/* The guest takes the next interrupt the hardware presents: a direct one
 * (GICv4.1) first, else the first pending LR. */
static void take(a64 *m, irq_vcpu *v)
{
    a64_vcpu *s = a64v(v);
    if (!a64_can_take(v))
        return;
    if (irq_pendq_nqueued(&s->hw) > 0) {
        s->cur_hw = true;
        a64_deliver(m, v, &s->hw, irq_pendq_head(&s->hw), NULL);
        return;
    }
    while (s->nlr > 0) {
        uint32_t cls = s->lr[0];
        s->nlr--;
        for (uint32_t i = 0; i < s->nlr; i++)
            s->lr[i] = s->lr[i + 1];
        if (!(irq_pendq_flags(&s->q, cls) & IRQ_PQ_QUEUED))
            continue;
        s->cur_hw = false;
        a64_deliver(m, v, &s->q, cls, NULL);
        if (a64_kind_of(cls) != K_IPI)
            irq_pendq_mask(&s->q, cls); /* active until its EOI */
        return;
    }
}

/* kvm_vgic_flush_hwstate: list registers loaded from the ap_list head; an
 * active interrupt keeps its LR. More than fit: underflow MI requested. */
static void gic_flush(a64 *m, irq_vcpu *v)
{
    a64_vcpu *s = a64v(v);
    bool holds = s->cur != IRQ_PQ_NONE && !s->cur_hw && a64_kind_of(s->cur) != K_IPI;
    uint32_t room = m->lr_count - holds; /* an active interrupt keeps its LR (not an IPI: EOIed) */
    s->nlr = 0;
    for (uint32_t c = irq_pendq_head(&s->q); c != IRQ_PQ_NONE && s->nlr < room;
         c = irq_pendq_next(&s->q, c))
        s->lr[s->nlr++] = c;
    s->uie = irq_pendq_nqueued(&s->q) > room;
    if (s->uie)
        irq_count(v->guest, C_LR_OVERFLOWS, 1);
    take(m, v);
}

/* The guest EOIed (deactivated) the interrupt it handled. A timer whose
 * line went high meanwhile fires its physical PPI again now (HW-mapped:
 * the guest's deactivation deactivates it): an exit. An MSI re-pended
 * while active keeps its LR, now pending. Then the underflow MI, if
 * requested and at most one LR is left valid. */
static void gic_eoi(a64 *m, irq_vcpu *v)
{
    a64_vcpu *s = a64v(v);
    uint32_t cls = s->cur;
    s->cur = IRQ_PQ_NONE;
    if (cls != IRQ_PQ_NONE && !s->cur_hw && a64_kind_of(cls) != K_IPI) {
        irq_pendq_unmask(&s->q, cls);
        bool queued = irq_pendq_flags(&s->q, cls) & IRQ_PQ_QUEUED;
        if (queued && a64_kind_of(cls) == K_TIMER) {
            a64_exit(m, v, C_HOST_IRQ_EXITS, m->host_irq, NULL);
            return;
        }
        if (queued && s->nlr < A64_MAX_LR)
            s->lr[s->nlr++] = cls;
    }
    if (s->uie && s->nlr <= 1 && irq_pendq_nqueued(&s->q) > s->nlr) {
        s->uie = false;
        a64_exit(m, v, C_MI, m->mi, NULL);
        return;
    }
    take(m, v);
}

/* GICv4.1 direct injection (a vLPI from an assigned device, or a vSGI):
 * a resident vPE takes it without an exit; one blocked in WFI gets a
 * doorbell (at most once per non-residency); a preempted one sees it when
 * it runs. A halt-polling vCPU is still resident (the doorbell is only
 * requested when it blocks): its poll notices. */
static void doorbell_done(void *ctx, uint64_t arg)
{
    (void)arg;
    irq_vcpu_kick(ctx);
}

static void direct(a64 *m, irq_vcpu *t, const irq_intr *in)
{
    a64_vcpu *s = a64v(t);
    irq_count(t->guest, C_DIRECT, 1);
    irq_pendq_pend(&s->hw, in->cls, in->arrival);
    if (irq_vcpu_halted(t)) {
        if (irq_vcpu_polling(t)) {
            irq_vcpu_wake(t);
        } else if (s->db_armed) {
            s->db_armed = false;
            irq_count(t->guest, C_DOORBELLS, 1);
            irq_count(t->guest, C_HOST_IRQCHIP_CYCLES, m->doorbell);
            irq_host_work(m->sim, t->pcpu, m->doorbell, doorbell_done, t, 0);
        }
        return;
    }
    take(m, t);
}

/* kvm_vgic_inject_irq -> vgic_queue_irq_unlock: queued, then the target
 * is kicked on every injection (even when already queued). */
static void queue_and_kick(a64 *m, irq_vcpu *t, const irq_intr *in)
{
    irq_pendq_pend(&a64v(t)->q, in->cls, in->arrival);
    a64_kick(m, t);
}

/* The timer is HW-mapped: while it is pending or active the physical IRQ
 * stays active (no new exit); otherwise a64_timer_path. */
static void gic_inject(a64 *m, irq_vcpu *t, const irq_intr *in)
{
    a64_vcpu *s = a64v(t);
    if (a64_kind_of(in->cls) == K_MSI) {
        if (m->direct && in->injection == IRQ_INJ_PASSTHROUGH)
            direct(m, t, in);
        else /* virtio (and VFIO without GICv4) MSIs: software LPIs via the vITS */
            queue_and_kick(m, t, in);
        return;
    }
    bool in_flight = a64_in_flight(s, in->cls);
    irq_pendq_pend(&s->q, in->cls, in->arrival);
    if (!in_flight)
        a64_timer_path(m, t);
}

/* vgic_v3_dispatch_sgi: a software SGI is queued with a kick; a vSGI
 * (GICv4.1, nASSGIreq) is made pending in the hardware, no kick. */
static void gic_signal(a64 *m, irq_vcpu *sender, irq_vcpu *t, const irq_intr *in)
{
    (void)sender;
    if (m->vsgi)
        direct(m, t, in);
    else
        queue_and_kick(m, t, in);
}

/* One ICC_SGI1R_EL1 write (a trap) per cluster of targets. */
static uint64_t gic_send_cost(a64 *m, irq_vcpu *sender, uint32_t ntargets, uint32_t nclusters)
{
    (void)ntargets;
    irq_count(sender->guest, C_SYSREG_TRAPS, nclusters);
    a64_charge(sender->guest, nclusters * m->sgi_trap);
    return nclusters * m->sgi_trap;
}

/* vgic_v4_put(IN_WFI): a blocking vPE asks for its doorbell. */
static void gic_blocking(a64 *m, irq_vcpu *v)
{
    if (m->direct)
        a64v(v)->db_armed = true;
}

const a64_chip a64_chip_gicv3 = {
    .name = "gicv3",
    .inject = gic_inject,
    .signal = gic_signal,
    .send_cost = gic_send_cost,
    .flush = gic_flush,
    .eoi = gic_eoi,
    .pending = gic_pending,
};

/* GICv4.1: the same callbacks; direct injection is decided per arrival by
 * vgic_v4_enable and vsgi, and a blocking vPE arms its doorbell. */
const a64_chip a64_chip_gicv41 = {
    .name = "gicv4.1",
    .inject = gic_inject,
    .signal = gic_signal,
    .send_cost = gic_send_cost,
    .flush = gic_flush,
    .eoi = gic_eoi,
    .pending = gic_pending,
    .blocking = gic_blocking,
};
