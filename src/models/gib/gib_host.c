/* What the machine (millicode) and the host (KVM) do with adapter
 * interrupts, per heuristic. DOMAIN.md section 1 is the reference; the
 * comments name the kernel functions each piece stands for. */
#include "gib_internal.h"

static void gal_pass(void *ctx, uint64_t arg);
static void kicker_tick(void *ctx, uint64_t guest);

static bool gisa_mode(const gib *m)
{
    return m->h != H_NO_GISA;
}

/* ISCs vCPU v can take right now: PSW I/O on, CR6 enabled, not masked. */
static uint8_t takes(gib *m, const irq_vcpu *v)
{
    const gvcpu *gv = gv_of(m, v);
    return gv->io_on ? (uint8_t)(gv->cr6 & ~gv->masked) : 0;
}

static int lowest_isc(uint8_t bits)
{
    for (int n = 0; n < GIB_NISC; n++)
        if (bits & ISC_BIT(n))
            return n;
    return -1;
}

/* ISCs pending in the no-gisa floating list. */
static uint8_t float_pending(const ggisa *gi)
{
    uint8_t b = 0;
    for (int n = 0; n < GIB_NISC; n++)
        if (!irq_fifo_empty(&gi->flt[n]))
            b |= ISC_BIT(n);
    return b;
}

/* What the host would deliver to v now: the IPM, or the floating list. */
static uint8_t deliverable(gib *m, const irq_vcpu *v)
{
    const ggisa *gi = gisa_of(m, v->guest);
    return (gisa_mode(m) ? gi->ipm : float_pending(gi)) & takes(m, v);
}

/* ---- invariants ------------------------------------------------------- */

static void check_gisa(gib *m, const irq_guest *g)
{
    const ggisa *gi = gisa_of(m, g);
    if (!m->check)
        return;
    if (gi->iam & ~gi->alert_mask)
        irq_sim_fail(m->sim, "gib invariant: guest %s IAM %#x not within alert_mask %#x", g->name,
                     gi->iam, gi->alert_mask);
    if (gi->on_list && m->iam_clear_all && gi->iam != 0)
        irq_sim_fail(m->sim, "gib invariant: guest %s is on the alert list with IAM %#x", g->name,
                     gi->iam);
    if (!gisa_mode(m) && (gi->on_list || m->origin >= 0))
        irq_sim_fail(m->sim, "gib invariant: no-gisa linked guest %s", g->name);
}

/* ---- IAM -------------------------------------------------------------- */

/* The IAM is only ever restored to alert_mask. Not while the GISA is still
 * queued on the alert list: its alert is in flight and the GAL handler
 * will pick it up (keeps "on the list => IAM cleared"). */
static void restore_iam(gib *m, irq_guest *g)
{
    ggisa *gi = gisa_of(m, g);
    if (gi->on_list || gi->iam == gi->alert_mask)
        return;
    gi->iam = gi->alert_mask;
    irq_count(g, C_IAM_RESTORES, 1);
    irq_trace_instant(m->sim, "iam_restore", g, NULL, -1);
}

/* gisa_get_ipm_or_restore_iam: pending alert ISCs, or restore the IAM. */
static uint8_t ipm_or_restore_iam(gib *m, irq_guest *g)
{
    ggisa *gi = gisa_of(m, g);
    uint8_t pending = gi->ipm & gi->alert_mask;
    if (!pending)
        restore_iam(m, g);
    return pending;
}

/* ---- kicks ------------------------------------------------------------- */

/* Wakes a vCPU in idle_mask (kvm_s390_vcpu_wakeup); remembers the kick so
 * its next SIE entry can tell whether it was wasted. */
static void kick(gib *m, irq_vcpu *v)
{
    gvcpu *gv = gv_of(m, v);
    if (m->check && !gv->idle)
        irq_sim_fail(m->sim, "gib invariant: kick of vCPU %u of %s, which is not waiting", v->index,
                     v->guest->name);
    gv->kicked = true;
    irq_vcpu_kick(v);
}

/* __airqs_kick_single_vcpu: the first idle, I/O-enabled vCPU whose CR6
 * overlaps p, unless it was kicked already and is not back in SIE. */
static void kick_single(gib *m, irq_guest *g, uint8_t p)
{
    for (uint32_t j = 0; j < g->nvcpus; j++) {
        irq_vcpu *v = &g->vcpus[j];
        gvcpu *gv = gv_of(m, v);
        if (!gv->idle || !gv->io_on || !(takes(m, v) & p))
            continue;
        if (!gv->kicked)
            kick(m, v);
        return;
    }
}

/* v5: a minimal set of idle, I/O-enabled vCPUs covering the pending ISCs
 * (greedy), all woken at once. If idle vCPUs exist but none can take the
 * interrupt, the IAM is set again. */
static void kick_cover(gib *m, irq_guest *g)
{
    ggisa *gi = gisa_of(m, g);
    uint8_t uncovered = gi->ipm;
    bool any_idle = false, kicked = false;
    while (uncovered) {
        irq_vcpu *best = NULL;
        int best_n = 0;
        for (uint32_t j = 0; j < g->nvcpus; j++) {
            irq_vcpu *v = &g->vcpus[j];
            gvcpu *gv = gv_of(m, v);
            if (!gv->idle || !gv->io_on)
                continue;
            any_idle = true;
            int n = __builtin_popcount(takes(m, v) & uncovered);
            if (n > best_n)
                best = v, best_n = n;
        }
        if (!best)
            break;
        uncovered &= (uint8_t)~takes(m, best);
        kick(m, best);
        kicked = true;
    }
    if (any_idle && !kicked)
        restore_iam(m, g);
}

/* kick-all: every idle vCPU enabled for any pending ISC. */
static void kick_all(gib *m, irq_guest *g)
{
    uint8_t p = gisa_of(m, g)->ipm;
    for (uint32_t j = 0; j < g->nvcpus; j++) {
        irq_vcpu *v = &g->vcpus[j];
        gvcpu *gv = gv_of(m, v);
        if (gv->idle && (takes(m, v) & p))
            kick(m, v);
    }
}

/* __floating_irq_kick: the first idle vCPU, whatever its ISC mask; else
 * the next non-stopped vCPU round-robin, which is running: a wake-up does
 * nothing to it, but without a GISA it is asked to intercept (IO_INT). */
static void floating_kick(gib *m, irq_guest *g, bool io_int)
{
    ggisa *gi = gisa_of(m, g);
    for (uint32_t j = 0; j < g->nvcpus; j++)
        if (gv_of(m, &g->vcpus[j])->idle) {
            kick(m, &g->vcpus[j]);
            return;
        }
    for (uint32_t k = 0; k < g->nvcpus; k++) {
        irq_vcpu *v = &g->vcpus[gi->next_rr];
        gi->next_rr = (gi->next_rr + 1) % g->nvcpus;
        if (v->state == IRQ_VCPU_STOPPED)
            continue;
        if (io_int && !gv_of(m, v)->io_int_req) {
            gv_of(m, v)->io_int_req = true;
            irq_count(g, C_IO_INT_REQ, 1);
            gib_irq_enabled(m, v); /* intercepts at once if it is enabled */
        }
        return;
    }
}

/* ---- the alert list and the GAL handler -------------------------------- */

/* The machine links the GISA at the head of the alert list and clears the
 * IAM; an empty armed list (NULL) raises a GAL interruption. */
static void alert(gib *m, irq_guest *g, int isc)
{
    ggisa *gi = gisa_of(m, g);
    gi->iam &= m->iam_clear_all ? 0 : (uint8_t)~ISC_BIT(isc);
    gi->on_list = true;
    gi->next = m->origin;
    int32_t was = m->origin;
    m->origin = (int32_t)g->index;
    if (was != ORIGIN_NULL) {
        irq_count(g, C_SUPPRESSED, 1);
        return;
    }
    if (m->gal_spread)
        m->gal_cpu = (m->gal_cpu + 1) % irq_sim_ncpus(m->sim);
    irq_count(g, C_GAL, 1);
    irq_count(g, C_HOST_ALERT_CYCLES, m->gal_cost);
    irq_trace_instant(m->sim, "alert", g, NULL, (int)m->gal_cpu);
    irq_host_work(m->sim, m->gal_cpu, m->gal_cost, gal_pass, m, 0);
}

/* What the handler does for each GISA it takes off the list. */
static void gal_process(gib *m, irq_guest *g)
{
    ggisa *gi = gisa_of(m, g);
    switch (m->h) {
    case H_UPSTREAM: /* (re)start the kicker timer at 0, on this CPU */
        gi->kicker_cpu = m->gal_cpu;
        if (!gi->tick_queued)
            irq_sim_timer_arm(m->sim, gi->kicker, irq_now(m->sim));
        break;
    case H_V5:
        kick_cover(m, g);
        break;
    case H_KICK_ALL:
        kick_all(m, g);
        break;
    default: /* v4, v3, v2: one vCPU per GISA, first idle else round-robin */
        floating_kick(m, g, false);
        break;
    }
}

/* One pass of process_gib_alert_list: swap the origin with NONE (with NULL
 * on the final pass, re-arming alerts), walk the cut-off list. Passes go on
 * until a list ended on NONE, so a lone alert costs three swaps; GISAs
 * linked meanwhile (under NONE, no interruption) are walked too. */
static void gal_pass(void *ctx, uint64_t arg)
{
    (void)arg;
    gib *m = ctx;
    bool final = m->gal_last == ORIGIN_NONE;
    int32_t cur = m->origin;
    m->origin = final ? ORIGIN_NULL : ORIGIN_NONE;
    uint32_t walked = 0;
    while (cur >= 0) {
        irq_guest *g = irq_sim_guest(m->sim, (size_t)cur);
        ggisa *gi = gisa_of(m, g);
        cur = gi->next;
        gi->next = (int32_t)g->index;
        gi->on_list = false;
        irq_count(g, C_LIST_ENTRIES, 1);
        irq_count(g, C_HOST_ALERT_CYCLES, m->gisa_cost);
        gal_process(m, g);
        check_gisa(m, g);
        walked++;
    }
    m->gal_last = cur;
    if (final) {
        m->gal_last = ORIGIN_NULL;
        return;
    }
    irq_host_work(m->sim, m->gal_cpu, (uint64_t)walked * m->gisa_cost, gal_pass, m, 0);
}

/* ---- the kicker (upstream) -------------------------------------------- */

/* The hrtimer fires: its callback runs as host work on the GAL CPU. */
void gib_kicker_fire(void *ctx, uint64_t guest)
{
    gib *m = ctx;
    irq_guest *g = irq_sim_guest(m->sim, (size_t)guest);
    ggisa *gi = gisa_of(m, g);
    if (gi->tick_queued)
        return;
    gi->tick_queued = true;
    irq_count(g, C_HOST_ALERT_CYCLES, m->kicker_cost);
    irq_host_work(m->sim, gi->kicker_cpu, m->kicker_cost, kicker_tick, m, guest);
}

/* gisa_vcpu_kicker: pending alert ISCs kick one vCPU and re-arm the timer;
 * a clean IPM restores the IAM and stops it. */
static void kicker_tick(void *ctx, uint64_t guest)
{
    gib *m = ctx;
    irq_guest *g = irq_sim_guest(m->sim, (size_t)guest);
    ggisa *gi = gisa_of(m, g);
    gi->tick_queued = false;
    irq_count(g, C_TICKS, 1);
    uint8_t p = ipm_or_restore_iam(m, g);
    if (p) {
        kick_single(m, g, p);
        irq_sim_timer_arm(m->sim, gi->kicker, irq_now(m->sim) + m->expires);
        irq_count(g, C_RESTARTS, 1);
    }
    check_gisa(m, g);
}

/* ---- arrivals ---------------------------------------------------------- */

/* A vCPU in SIE, enabled for isc, not inside a handler: the machine can
 * present the interrupt to it directly. Lowest index first. */
static irq_vcpu *running_taker(gib *m, irq_guest *g, int isc)
{
    for (uint32_t j = 0; j < g->nvcpus; j++) {
        irq_vcpu *v = &g->vcpus[j];
        if (irq_vcpu_in_guest(v) && (takes(m, v) & ISC_BIT(isc)))
            return v;
    }
    return NULL;
}

/* A halt-polling vCPU notices a pending interrupt it can take by itself. */
static void poll_notice(gib *m, irq_guest *g, uint8_t bits)
{
    for (uint32_t j = 0; j < g->nvcpus; j++) {
        irq_vcpu *v = &g->vcpus[j];
        if (irq_vcpu_polling(v) && (takes(m, v) & bits)) {
            irq_vcpu_wake(v);
            return;
        }
    }
}

/* The GISA path: direct presentation, else the IPM bit (coalescing), and an
 * alert when the IAM allows (pass-through only: software never alerts). */
static void gisa_arrival(gib *m, const irq_intr *in, bool may_alert)
{
    irq_guest *g = in->guest;
    ggisa *gi = gisa_of(m, g);
    int isc = (int)in->cls;
    irq_vcpu *v = running_taker(m, g, isc);
    if (v) {
        irq_count(g, C_DIRECT, 1);
        irq_deliver_now(v, in->arrival, in->cls);
        return;
    }
    irq_pend_add(g, &gi->isc[isc], in->arrival);
    gi->ipm |= ISC_BIT(isc);
    if (may_alert && (gi->iam & ISC_BIT(isc)) && !gi->on_list)
        alert(m, g, isc);
    poll_notice(m, g, ISC_BIT(isc));
}

void gib_inject(void *model, const irq_intr *in)
{
    gib *m = model;
    irq_guest *g = in->guest;
    bool software = in->injection == IRQ_INJ_SOFTWARE;
    if (!gisa_mode(m)) { /* every adapter interrupt takes the software path */
        irq_count(g, C_INJECT_IO, 1);
        ggisa *gi = gisa_of(m, g);
        if (irq_fifo_add(g, &gi->flt[in->cls], in->arrival, m->max_float, C_FLOAT_FULL)) {
            poll_notice(m, g, ISC_BIT(in->cls));
            floating_kick(m, g, true);
        }
    } else if (software) { /* kvm_s390_inject_vm: set the IPM, kick */
        irq_count(g, C_INJECT_IO, 1);
        gisa_arrival(m, in, false);
        floating_kick(m, g, false);
    } else {
        gisa_arrival(m, in, true);
    }
    check_gisa(m, g);
}

/* ---- vCPU hooks ---------------------------------------------------------- */

/* Clears IPM bit isc and delivers what its latch holds to v: the bit and
 * the latch always change together. */
static void take_from_ipm(ggisa *gi, irq_vcpu *v, int isc)
{
    gi->ipm &= (uint8_t)~ISC_BIT(isc);
    irq_pend_deliver(v, &gi->isc[isc], (uint32_t)isc);
}

/* The host delivers one pending I/O interrupt in software (lowest ISC
 * first; the PSW swap disables I/O, so one per entry). */
static bool deliver_in_software(gib *m, irq_vcpu *v)
{
    int isc = lowest_isc(deliverable(m, v));
    if (isc < 0 || irq_vcpu_in_handler(v))
        return false;
    ggisa *gi = gisa_of(m, v->guest);
    irq_count(v->guest, C_DELIVER_IO, 1);
    if (gisa_mode(m)) {
        take_from_ipm(gi, v, isc);
    } else {
        irq_fifo_deliver(v, &gi->flt[isc], (uint32_t)isc);
    }
    return true;
}

/* Before SIE entry: the woken thread is running again (idle bit off),
 * delivers what it can, clears its kicked bit and enters SIE. */
void gib_guest_entry(void *model, irq_vcpu *v)
{
    gib *m = model;
    gvcpu *gv = gv_of(m, v);
    ggisa *gi = gisa_of(m, v->guest);
    gv->idle = false;
    bool delivered = deliver_in_software(m, v);
    if (gv->kicked) {
        gv->kicked = false;
        if (!delivered)
            irq_count(v->guest, C_WASTED, 1);
    }
    gv->io_int_req = false;
    gv->in_sie = true;
    gi->in_sie++;
    if (m->h == H_V2)
        gi->iam = 0; /* v2: cleared before every SIE entry */
    check_gisa(m, v->guest);
}

void gib_guest_exit(void *model, irq_vcpu *v)
{
    gib *m = model;
    gvcpu *gv = gv_of(m, v);
    ggisa *gi = gisa_of(m, v->guest);
    if (!gv->in_sie)
        return;
    gv->in_sie = false;
    if (--gi->in_sie == 0 && (m->h == H_V2 || m->h == H_V3))
        restore_iam(m, v->guest); /* the VM has no vCPU left in SIE */
}

/* The guest re-enabled after a handler (or unmasked): the machine presents
 * what is pending in the IPM; without a GISA, a requested intercept. */
void gib_irq_enabled(void *model, irq_vcpu *v)
{
    gib *m = model;
    gvcpu *gv = gv_of(m, v);
    if (!irq_vcpu_in_guest(v) || !gv->io_on)
        return;
    if (!gisa_mode(m)) {
        if (gv->io_int_req) {
            gv->io_int_req = false;
            irq_count(v->guest, C_INTERCEPTS, 1);
            irq_vcpu_exit(v, m->intercept_cost, NULL, NULL, 0);
        }
        return;
    }
    ggisa *gi = gisa_of(m, v->guest);
    int isc = lowest_isc(gi->ipm & takes(m, v));
    if (isc < 0)
        return;
    irq_count(v->guest, C_DIRECT, 1);
    take_from_ipm(gi, v, isc);
}

/* The IAM restore point at wait entry, per heuristic. Returns false when
 * the vCPU must not wait. */
static bool wait_restore_point(gib *m, irq_vcpu *v)
{
    ggisa *gi = gisa_of(m, v->guest);
    switch (m->h) {
    case H_UPSTREAM: { /* kvm_s390_handle_wait */
        uint8_t pending = ipm_or_restore_iam(m, v->guest);
        return !(pending & gv_of(m, v)->cr6);
    }
    case H_V5:
    case H_KICK_ALL:
        ipm_or_restore_iam(m, v->guest);
        return true;
    case H_V4: /* the vCPU does not wait while alert ISCs are pending */
        if (gi->ipm & gi->alert_mask)
            return false;
        restore_iam(m, v->guest);
        return true;
    default: /* v3, v2 restore on the last SIE exit; no-gisa has no IAM */
        return true;
    }
}

irq_wait_decision gib_wait_entry(void *model, irq_vcpu *v, uint64_t *poll)
{
    gib *m = model;
    irq_count(v->guest, C_EXIT_WAIT, 1);
    if (deliverable(m, v) || !wait_restore_point(m, v))
        return IRQ_WAIT_REFUSE;
    gv_of(m, v)->idle = true;
    *poll = m->halt_poll;
    check_gisa(m, v->guest);
    return IRQ_WAIT_HALT;
}

/* kvm_arch_vcpu_runnable() as the woken thread's re-check in
 * kvm_vcpu_block() calls it: an interrupt this vCPU can take is pending
 * (kvm_s390_vcpu_has_irq); the vCPU's kicked_mask bit is cleared either
 * way. A kicked vCPU that finds nothing sleeps again: the kick was wasted,
 * and there is no SIE entry, no wait intercept and no IAM restore. */
bool gib_vcpu_runnable(void *model, irq_vcpu *v)
{
    gib *m = model;
    gvcpu *gv = gv_of(m, v);
    bool runnable = deliverable(m, v) != 0;
    if (gv->kicked) {
        gv->kicked = false;
        if (!runnable)
            irq_count(v->guest, C_WASTED, 1);
    }
    return runnable;
}

/* Every arrival still held in an IPM latch or a floating list. */
void gib_pending_walk(void *model, void (*visit)(void *ud, irq_guest *g, uint32_t cls, uint64_t t),
                      void *ud)
{
    gib *m = model;
    for (size_t i = 0; i < m->nguests; i++) {
        irq_guest *g = irq_sim_guest(m->sim, i);
        for (uint32_t n = 0; n < GIB_NISC; n++) {
            irq_pend_walk(g, &m->g[i].isc[n], n, visit, ud);
            irq_fifo_walk(g, &m->g[i].flt[n], n, visit, ud);
        }
    }
}

/* The guest masks (or unmasks) mask_iscs for a while. */
void gib_mask_toggle(void *ctx, uint64_t vcpu)
{
    gib *m = ctx;
    gvcpu *gv = &m->v[vcpu];
    irq_vcpu *v = gv->vcpu;
    gv->mask_period = !gv->mask_period;
    gv->masked = gv->mask_period ? gib_cr6_of_bits(v->params[V_MASK_ISCS].u) : 0;
    const irq_dist *d = &v->params[gv->mask_period ? V_MASK_FOR : V_MASK_EVERY].dist;
    uint64_t next = irq_dist_sample(d, &gv->rng);
    irq_sim_timer_arm(m->sim, gv->mask_timer, irq_now(m->sim) + (next ? next : 1));
    if (!gv->mask_period)
        gib_irq_enabled(m, v);
}
