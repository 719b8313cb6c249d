/* rVIC: the series' arch/arm64/kvm/rvic-cpu.c and the guest's
 * drivers/irqchip/irq-rvic.c, irq-rvid.c as the model sees them.
 *
 * Per vCPU: enabled, per intid pending/masked (the pending queue's latch
 * and IRQ_PQ_MASKED), the FIFO delivery list (the queue's order) and the
 * line HCR_EL2.VI = enabled && list not empty. A change made by another
 * vCPU kicks the target on every change of its line; a host injection
 * kicks on low -> high; the caller's own changes update it in place. */
#include "arm64_internal.h"

static bool line_of(const a64_vcpu *s)
{
    return s->enabled && irq_pendq_nqueued(&s->q) > 0;
}

typedef enum who { OWN, REMOTE, HOST } who;

/* The line the guest sees is the rVIC's: checked after every operation. */
static void check_line(a64 *m, irq_vcpu *t)
{
    a64_vcpu *s = a64v(t);
    if (m->check && s->line != line_of(s)) {
        s->bad_deliveries++;
        irq_sim_fail(m->sim, "rvic: vCPU %u of guest %s: line %d but enabled %d, %u queued",
                     t->index, t->guest->name, s->line, s->enabled, irq_pendq_nqueued(&s->q));
    }
}

/* Recomputes t's line after a change made by `by`. */
static void update_line(a64 *m, irq_vcpu *t, who by)
{
    a64_vcpu *s = a64v(t);
    bool was = s->line;
    s->line = line_of(s);
    if (was != s->line && (by == REMOTE || (by == HOST && s->line)))
        a64_kick(m, t); /* host: only low -> high can happen */
    check_line(m, t);
}

/* set_pending: dropped when disabled; else pending, queued at the tail if
 * unmasked and not queued (the pending queue's pend). */
static bool set_pending(irq_vcpu *t, const irq_intr *in)
{
    a64_vcpu *s = a64v(t);
    if (!s->enabled) {
        a64_drop(t->guest, C_RVIC_DISABLED);
        return false;
    }
    irq_pendq_pend(&s->q, in->cls, in->arrival);
    return true;
}

/* clear_masked: queued at the tail if enabled and pending; while disabled
 * it unmasks without queueing (and ENABLE does not rescan). */
static void clear_masked(a64_vcpu *s, uint32_t cls)
{
    irq_pendq_unmask(&s->q, cls);
    if (!s->enabled)
        irq_pendq_dequeue(&s->q, cls);
}

/* The guest takes an IRQ exception: one ACKNOWLEDGE takes the list head,
 * masks it and clears its pending state; IPIs are EOIed (CLEAR_MASKED)
 * before the handler, the rest after it. */
static void take(a64 *m, irq_vcpu *v)
{
    a64_vcpu *s = a64v(v);
    if (!s->line || !a64_can_take(v))
        return;
    uint32_t cls = irq_pendq_head(&s->q);
    a64_kind k = a64_kind_of(cls);
    a64_deliver(m, v, &s->q, cls, &m->plan[k]);
    irq_pendq_mask(&s->q, cls);
    if (k == K_IPI)
        clear_masked(s, cls);
    update_line(m, v, OWN);
}

/* An MSI on an input the guest never mapped (rvid_unmapped_inputs names
 * inputs 0..63; the others are mapped). */
static bool input_unmapped(const irq_intr *in)
{
    uint32_t input = in->cls - A64_FIRST_MSI;
    return a64_kind_of(in->cls) == K_MSI && input < 64 &&
           ((((a64_guest *)irq_guest_model(in->guest))->unmapped >> input) & 1);
}

/* Host-side injection (rvic_vcpu_inject_irq, level 1): an MSI through the
 * rVID (kick on low -> high), or the timer (a64_timer_path). */
static void rvic_inject(a64 *m, irq_vcpu *t, const irq_intr *in)
{
    a64_vcpu *s = a64v(t);
    if (input_unmapped(in)) {
        a64_drop(in->guest, C_RVID_UNMAPPED); /* "Silently ignore unmapped interrupts" */
        return;
    }
    bool timer = a64_kind_of(in->cls) == K_TIMER && !a64_in_flight(s, in->cls);
    if (!set_pending(t, in))
        return;
    if (timer) {
        s->line = line_of(s);
        check_line(m, t);
        a64_timer_path(m, t);
        return;
    }
    update_line(m, t, HOST);
}

/* RVIC_SIGNAL from sender to t (sender NULL: not a vCPU). */
static void rvic_signal(a64 *m, irq_vcpu *sender, irq_vcpu *t, const irq_intr *in)
{
    if (!set_pending(t, in)) /* status DISABLED, no change */
        return;
    update_line(m, t, t == sender ? OWN : REMOTE);
}

static uint64_t rvic_send_cost(a64 *m, irq_vcpu *sender, uint32_t ntargets, uint32_t nclusters)
{
    (void)nclusters;
    irq_count(sender->guest, HVC_SIGNAL, ntargets);
    a64_charge(sender->guest, ntargets * m->hvc);
    return ntargets * m->hvc;
}

/* rvic_flush_signaling_state: VI recomputed at entry; the guest takes it. */
static void rvic_flush(a64 *m, irq_vcpu *v)
{
    a64v(v)->line = line_of(a64v(v));
    take(m, v);
}

/* The handler's EOI traps are done: [RESAMPLE for the level timer] then
 * CLEAR_MASKED, which queues a re-pended intid at the tail. RESAMPLE of a
 * still-high line pends it while masked: a timer arrival during the
 * handler is already pending (rvic_inject), so it adds nothing here. */
static void rvic_eoi(a64 *m, irq_vcpu *v)
{
    a64_vcpu *s = a64v(v);
    uint32_t cls = s->cur;
    s->cur = IRQ_PQ_NONE;
    if (cls != IRQ_PQ_NONE && a64_kind_of(cls) != K_IPI)
        clear_masked(s, cls);
    update_line(m, v, OWN);
    take(m, v);
}

static bool rvic_pending(a64 *m, irq_vcpu *v)
{
    (void)m;
    return line_of(a64v(v));
}

/* Hypercalls the bring-up makes on the caller's own rVIC. */
void a64_rvic_call(a64 *m, irq_vcpu *v, int call)
{
    a64_vcpu *s = a64v(v);
    switch (call) {
    case HVC_DISABLE:
        s->enabled = false;
        break;
    case HVC_ENABLE:
        irq_pendq_drop_all(&s->q, C_RVIC_CLEARED); /* the CLEAR_PENDING sweep before it */
        s->enabled = true;
        break;
    default:
        return;
    }
    update_line(m, v, OWN);
}

/* An rVID affinity change, as the guest's rvid_irq_set_affinity makes it
 * for an enabled IRQ: SET_MASKED(old), SET_MASKED(new), RVID_MAP,
 * IS_PENDING(old), [if pending: CLEAR_PENDING(old), SIGNAL(new)],
 * CLEAR_MASKED(new): 5 or 7 hypercalls on the caller, the new target. Each
 * call acts when its trap starts. An input with no single old vCPU (a
 * floating source) takes the old-side calls on the caller's own rVIC. The
 * SIGNAL raises a new interrupt (the old pending one is counted dropped,
 * rvid_moved). Under the GIC the input is retargeted at once, its ITS
 * commands not charged. */
enum {
    MV_MASK_OLD,
    MV_MASK_NEW,
    MV_MAP,
    MV_IS_PENDING,
    MV_CLEAR_PENDING,
    MV_SIGNAL,
    MV_UNMASK,
    MV_END
};

static void move_next(irq_vcpu *v, void *ctx, uint64_t arg)
{
    (void)arg;
    a64 *m = ctx;
    a64_vcpu *s = a64v(v);
    irq_vcpu *old = &v->guest->vcpus[s->mv_old];
    a64_guest *gs = irq_guest_model(v->guest);
    uint32_t cls = A64_FIRST_MSI + s->mv_input;
    while (s->mv_step < MV_END && !s->mv_pending &&
           (s->mv_step == MV_CLEAR_PENDING || s->mv_step == MV_SIGNAL))
        s->mv_step++;
    int call;
    switch (s->mv_step++) {
    case MV_MASK_OLD:
        call = HVC_SET_MASKED;
        irq_pendq_mask(&a64v(old)->q, cls);
        update_line(m, old, old == v ? OWN : REMOTE);
        break;
    case MV_MASK_NEW:
        call = HVC_SET_MASKED;
        irq_pendq_mask(&s->q, cls);
        update_line(m, v, OWN);
        break;
    case MV_MAP:
        call = HVC_RVID_MAP;
        gs->map[s->mv_input] = (int16_t)v->index;
        gs->moved |= 1ull << s->mv_input;
        gs->unmapped &= ~(1ull << s->mv_input);
        break;
    case MV_IS_PENDING:
        call = HVC_IS_PENDING;
        s->mv_pending = irq_pendq_is_pending(&a64v(old)->q, cls);
        break;
    case MV_CLEAR_PENDING:
        call = HVC_CLEAR_PENDING;
        irq_pendq_drop(&a64v(old)->q, cls, C_RVID_MOVED);
        update_line(m, old, old == v ? OWN : REMOTE);
        break;
    case MV_SIGNAL:
        call = HVC_SIGNAL;
        irq_raise(v->guest, v, cls, IRQ_INJ_SOFTWARE, UINT32_MAX);
        break;
    case MV_UNMASK:
        call = HVC_CLEAR_MASKED;
        clear_masked(s, cls);
        update_line(m, v, OWN);
        break;
    default:
        return;
    }
    a64_charge(v->guest, m->hvc);
    irq_vcpu_trap(v, call, m->hvc, move_next, m, 0);
}

void a64_rvid_move(a64 *m, irq_vcpu *v, uint32_t input, bool unmap)
{
    a64_guest *gs = irq_guest_model(v->guest);
    a64_vcpu *s = a64v(v);
    int old = gs->map[input];
    if (unmap) { /* the entry becomes (vCPU 0, intid 0): unmapped; pending state stays */
        if (m->irqchip != CHIP_RVIC)
            return;
        gs->unmapped |= 1ull << input;
        a64_charge(v->guest, m->hvc);
        irq_vcpu_trap(v, HVC_RVID_UNMAP, m->hvc, NULL, NULL, 0);
        return;
    }
    if (m->irqchip != CHIP_RVIC) {
        gs->map[input] = (int16_t)v->index;
        gs->moved |= 1ull << input;
        return;
    }
    s->mv_input = input;
    s->mv_old = old < 0 ? v->index : (uint32_t)old;
    s->mv_step = MV_MASK_OLD;
    s->mv_pending = false;
    move_next(v, m, 0);
}

/* Traps per interrupt (Linux driver of the series): IPI ACK + CLEAR_MASKED
 * before the handler; MSI ACK, handler, CLEAR_MASKED; timer ACK, handler,
 * RESAMPLE, CLEAR_MASKED. */
void a64_make_plans(a64 *m)
{
    irq_trap ack = {HVC_ACKNOWLEDGE, m->hvc}, unmask = {HVC_CLEAR_MASKED, m->hvc},
             resample = {HVC_RESAMPLE, m->hvc};
    m->plan[K_IPI] = (irq_handler_plan){.npre = 2, .pre_is_ack = true, .pre = {ack, unmask}};
    m->plan[K_MSI] = (irq_handler_plan){
        .npre = 1, .npost = 1, .pre_is_ack = true, .pre = {ack}, .post = {unmask}};
    m->plan[K_TIMER] = (irq_handler_plan){
        .npre = 1, .npost = 2, .pre_is_ack = true, .pre = {ack}, .post = {resample, unmask}};
}

const a64_chip a64_chip_rvic = {
    .name = "rvic",
    .inject = rvic_inject,
    .signal = rvic_signal,
    .send_cost = rvic_send_cost,
    .flush = rvic_flush,
    .eoi = rvic_eoi,
    .pending = rvic_pending,
};
