/* What the machine (millicode) and the host (KVM) do with adapter
 * interrupts, per heuristic. DOMAIN.md section 1 is the reference; the
 * comments name the kernel functions each piece stands for. */
#include "gib_internal.h"

static void gal_pass(void *ctx, uint64_t arg);
static void kicker_tick(void *ctx, uint64_t guest);
static void present_pending(gib *m, irq_vcpu *v);

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

/* The lowest ISC in bits, -1 when none: ISC 0 is the MSB, so the count of
 * leading zeros of the byte (one instruction, not a loop over 8 ISCs). */
static inline int lowest_isc(uint8_t bits)
{
    return bits ? __builtin_clz(bits) - (int)(8 * sizeof(unsigned) - GIB_NISC) : -1;
}

/* ISCs pending in the no-gisa floating list. */
static __attribute__((noinline)) uint8_t float_pending(gib *m, const irq_guest *g)
{
    uint8_t b = 0;
    for (uint32_t n = 0; n < GIB_NISC; n++)
        if (!irq_fifo_empty(flt_of(m, g, n)))
            b |= ISC_BIT(n);
    return b;
}

/* What the host would deliver to v now: the IPM, or the floating list. */
static inline uint8_t deliverable(gib *m, const irq_vcpu *v)
{
    const ggisa *gi = gisa_of(m, v->guest);
    return (gisa_mode(m) ? gi->ipm : float_pending(m, v->guest)) & takes(m, v);
}

/* ---- invariants ------------------------------------------------------- */

/* Designs whose host code always restores a clean IPM's IAM on the paths
 * that follow an alert: upstream (the kicker tick the handler starts), v5
 * and kick-all (the handler's first get_ipm(), 13/15). Under these a
 * stranded guest is a model bug; v4, v3 and v2 can strand by design. */
static bool never_strands(const gib *m)
{
    return m->h == H_UPSTREAM || m->h == H_V5 || m->h == H_KICK_ALL;
}

/* Reports each invariant check_gisa found broken (rare: out of line). */
static __attribute__((noinline, cold)) void gisa_broken(gib *m, const irq_guest *g)
{
    const ggisa *gi = gisa_of(m, g);
    if (gi->iam & ~gi->alert_mask)
        irq_sim_fail(m->sim, "gib invariant: guest %s IAM %#x not within alert_mask %#x", g->name,
                     gi->iam, gi->alert_mask);
    if (gi->on_list && gi->iam != 0 && m->listed_iam_bad)
        irq_sim_fail(m->sim, "gib invariant: guest %s is on the alert list with IAM %#x", g->name,
                     gi->iam);
    if (!gisa_mode(m) && (gi->on_list || m->origin >= 0))
        irq_sim_fail(m->sim, "gib invariant: no-gisa linked guest %s", g->name);
}

/* Called after every change to a GISA: the same tests as gisa_broken. */
static inline void check_gisa(gib *m, const irq_guest *g)
{
    const ggisa *gi = gisa_of(m, g);
    if (m->check && ((gi->iam & ~gi->alert_mask) || (gi->on_list && gi->iam && m->listed_iam_bad) ||
                     (!gisa_mode(m) && (gi->on_list || m->origin >= 0))))
        gisa_broken(m, g);
}

/* A guest just found stranded (see check_stranded). */
static __attribute__((noinline)) void strand(gib *m, irq_guest *g)
{
    ggisa *gi = gisa_of(m, g);
    gi->stranded = true;
    irq_count(g, C_IAM_STRANDED, 1);
    if (m->check && never_strands(m))
        irq_sim_fail(m->sim,
                     "gib invariant: guest %s left with a clean IPM, IAM %#x (alert_mask %#x), "
                     "off the alert list and no kicker",
                     g->name, gi->iam, gi->alert_mask);
}

/* iam_stranded: called where host code has just decided (a GISA taken off
 * the list, a kicker tick, a wait entry, a woken vCPU that sleeps again).
 * A guest with a clean IPM, an IAM short of alert_mask, off the list and
 * no kicker pending cannot alert again until some wait entry restores
 * its IAM: its next interrupts wait for a vCPU's own timer. Counted once
 * per occurrence. */
static inline void check_stranded(gib *m, irq_guest *g)
{
    ggisa *gi = gisa_of(m, g);
    bool stranded = gisa_mode(m) && gi->alert_mask && gi->ipm == 0 && gi->iam != gi->alert_mask &&
                    !gi->on_list && !gi->tick_queued && !irq_sim_timer_armed(m->sim, gi->kicker);
    if (stranded && !gi->stranded)
        strand(m, g);
    else
        gi->stranded = stranded;
}

/* ---- IAM -------------------------------------------------------------- */

/* The restore itself, counted and traced. */
static void set_iam(gib *m, irq_guest *g)
{
    ggisa *gi = gisa_of(m, g);
    gi->iam = gi->alert_mask;
    gi->stranded = false;
    irq_count(g, C_IAM_RESTORES, 1);
    irq_trace_instant(m->sim, "iam_restore", g, NULL, -1);
}

/* The IAM is only ever restored to alert_mask; upstream also while the
 * GISA is still on the list (gib_restores_while_listed). Mostly it is whole
 * already: that test is inline. */
static inline void restore_iam(gib *m, irq_guest *g)
{
    ggisa *gi = gisa_of(m, g);
    if (gi->iam == gi->alert_mask || (gi->on_list && !gib_restores_while_listed(m)))
        return;
    set_iam(m, g);
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

/* v5's get_ipm(gisa, IRQ_FLAG_IAM) ([PATCH v5 11/15]): the whole IPM; when
 * it is clean and the GISA is off the alert list, the IAM is restored.
 * Called on each pending check (kvm_arch_vcpu_runnable), at wait entry and
 * by the GAL handler, never right before SIE entry (12/15). */
static uint8_t v5_get_ipm(gib *m, irq_guest *g)
{
    ggisa *gi = gisa_of(m, g);
    if (!gi->ipm && !gi->on_list)
        restore_iam(m, g);
    return gi->ipm;
}

/* ---- kicks ------------------------------------------------------------- */

/* Wakes a vCPU in idle_mask (kvm_s390_vcpu_wakeup), counted by the path
 * that issued it; remembers the first kick's path so the vCPU's next
 * runnability check can tell whether it was wasted. Only the upstream
 * kicker sets kicked_mask (__airqs_kick_single_vcpu); __floating_irq_kick
 * and the v5 posting do not. */
static void kick(gib *m, irq_vcpu *v, kick_path path, bool set_kicked_mask)
{
    gvcpu *gv = gv_of(m, v);
    if (m->check && !gv->idle && !(m->bugs & BUG_IDLE_MASK_BY_ID))
        irq_sim_fail(m->sim, "gib invariant: kick of vCPU %u of %s, which is not waiting", v->index,
                     v->guest->name);
    if (set_kicked_mask)
        gv->kicked = true;
    if (gv->kick_path == KP_NONE)
        gv->kick_path = (uint8_t)path;
    irq_count(v->guest, path == KP_SIGP ? C_KICKS_SIGP : C_KICKS_PATH + path, 1);
    static const char *const reasons[KP_N + 1] = {"gal",   "kicker", "inject",
                                                  "float", "cover",  "sigp"};
    irq_trace_kick_reason(m->sim, reasons[path]); /* the trace's kick event says why */
    irq_vcpu_kick(v);
}

void gib_kick(gib *m, irq_vcpu *v, kick_path path)
{
    kick(m, v, path, false);
}

/* kvm_arch_vcpu_runnable() and vcpu_pre_run() clear the kicked_mask bit;
 * a kick after which the vCPU can take nothing was wasted, counted once
 * for the path of the first kick. */
/* The kick of v (gvcpu.kick_path) was wasted. */
static void kick_wasted(gib *m, irq_vcpu *v)
{
    gvcpu *gv = gv_of(m, v);
    irq_count(v->guest, C_WASTED, 1);
    irq_count(v->guest, gv->kick_path == KP_SIGP ? C_WASTED_SIGP : C_WASTED_PATH + gv->kick_path,
              1);
    /* known only now, at its re-check: the trace marks the kick wasted here */
    irq_trace_instant(m->sim, "kick_wasted", v->guest, v, -1);
}

static inline void kick_checked(gib *m, irq_vcpu *v, bool can_take, bool entering_sie)
{
    gvcpu *gv = gv_of(m, v);
    if (entering_sie || !(m->bugs & BUG_LOST_KICK)) /* the bug: only vcpu_pre_run cleared it */
        gv->kicked = false;
    if (gv->kick_path == KP_NONE)
        return;
    if (!can_take)
        kick_wasted(m, v);
    gv->kick_path = KP_NONE;
}

/* The vCPU of g whose vcpu_id is id (NULL: none). */
static irq_vcpu *vcpu_with_id(irq_guest *g, uint32_t id)
{
    for (uint32_t j = 0; j < g->nvcpus; j++)
        if (gv_of(NULL, &g->vcpus[j])->vcpu_id == id)
            return &g->vcpus[j];
    return NULL;
}

/* Bit b of idle_mask: the idle bit of vCPU index b, or, with the
 * idle-mask-by-id bug, of the vCPU whose vcpu_id is b. */
static bool idle_bit(gib *m, irq_guest *g, uint32_t b)
{
    if (!(m->bugs & BUG_IDLE_MASK_BY_ID))
        return gv_of(m, &g->vcpus[b])->idle;
    irq_vcpu *owner = vcpu_with_id(g, b);
    return owner && gv_of(m, owner)->idle;
}

/* kick_single with the shrinking-mask or the idle-mask-by-id bug. */
static void kick_single_buggy(gib *m, irq_guest *g, uint8_t p)
{
    bool by_id = m->bugs & BUG_IDLE_MASK_BY_ID;
    for (uint32_t b = 0; b < g->nvcpus; b++) { /* bit b of idle_mask, up to online_vcpus */
        if (!idle_bit(m, g, b))
            continue;
        irq_vcpu *v = &g->vcpus[b]; /* kvm_get_vcpu(kvm, b): b taken as an index */
        gvcpu *gv = gv_of(m, v);
        if (!gv->io_on)
            continue;
        if (m->bugs & BUG_SHRINKING_MASK) {
            p &= takes(m, v); /* deliverable_mask &= CR6: later vCPUs see less */
            if (!p)
                continue;
        } else if (!(takes(m, v) & p)) {
            continue;
        }
        gvcpu *bit_owner = by_id ? gv_of(m, vcpu_with_id(g, b)) : gv; /* kicked_mask bit b */
        if (bit_owner->kicked)
            return; /* lately kicked but not yet running */
        bit_owner->kicked = true;
        kick(m, v, KP_KICKER, false);
        return;
    }
}

/* __airqs_kick_single_vcpu: the first idle, I/O-enabled vCPU whose CR6
 * overlaps p, unless it was kicked already and is not back in SIE. */
static void kick_single(gib *m, irq_guest *g, uint8_t p)
{
    if (m->bugs & (BUG_SHRINKING_MASK | BUG_IDLE_MASK_BY_ID)) {
        kick_single_buggy(m, g, p);
        return;
    }
    for (uint32_t b = 0; b < g->nvcpus; b++) { /* bit b of idle_mask, up to online_vcpus */
        irq_vcpu *v = &g->vcpus[b];
        gvcpu *gv = gv_of(m, v);
        if (!gv->idle || !(takes(m, v) & p)) /* takes nothing with PSW I/O off */
            continue;
        if (gv->kicked)
            return; /* lately kicked but not yet running */
        gv->kicked = true;
        kick(m, v, KP_KICKER, false);
        return;
    }
}

/* __try_airqs_kick ([PATCH v5 13/15]): walks idle_mask in index order,
 * skips PSW-I/O-disabled vCPUs, and takes every vCPU whose CR6 enables a
 * pending ISC that no vCPU taken before covers (its whole CR6 then counts
 * as covered), until every pending ISC is covered: first fit, neither
 * greedy nor minimal. The posted loop advances with find_next_bit(idle_mask,
 * n, vcpu_id), which returns vcpu_id itself, so it ends only when the first
 * idle vCPU covers everything (else it spins); the model walks on to the
 * next vCPU, as intended. kick-all: every idle vCPU enabled for any pending
 * ISC. Returns the number kicked. */
static int try_airqs_kick(gib *m, irq_guest *g, uint8_t ipm, bool all)
{
    uint8_t covered = 0;
    int kicked = 0;
    for (uint32_t j = 0; j < g->nvcpus && (all || (ipm & ~covered)); j++) {
        irq_vcpu *v = &g->vcpus[j];
        gvcpu *gv = gv_of(m, v);
        if (!gv->idle || !gv->io_on)
            continue;
        uint8_t cr6 = takes(m, v);
        if (!(cr6 & ipm & (all ? 0xff : (uint8_t)~covered)))
            continue;
        covered |= cr6;
        kick(m, v, all ? KP_GAL : KP_COVER, false);
        kicked++;
    }
    return kicked;
}

/* __floating_airqs_kick ([PATCH v5 13/15]), for one GISA the handler took
 * off the list: get_ipm() restores the IAM if the IPM is clean; else kick,
 * read the IPM again (restoring if now clean) and start over if new ISCs
 * appeared (in the model nothing arrives while the handler decides, so the
 * retry never fires); if nobody was kicked but some vCPU is idle (PSW I/O
 * off included), set the IAM again. kick-all uses the same frame. */
static void floating_airqs_kick(gib *m, irq_guest *g, bool all)
{
    uint8_t ipm = v5_get_ipm(m, g), t0;
    int kicked;
    if (!ipm)
        return;
    do {
        t0 = ipm;
        kicked = try_airqs_kick(m, g, ipm, all);
        ipm = v5_get_ipm(m, g);
        if (!ipm)
            return;
    } while (ipm & (uint8_t)~t0);
    if (kicked > 0)
        return;
    for (uint32_t j = 0; j < g->nvcpus; j++)
        if (gv_of(m, &g->vcpus[j])->idle) {
            restore_iam(m, g); /* set_iam(): the GISA is off the list here */
            return;
        }
}

/* __floating_irq_kick: the first idle vCPU, whatever its ISC mask; else
 * the next non-stopped vCPU round-robin, which is running: a wake-up does
 * nothing to it, but without a GISA it is asked to intercept (IO_INT). */
static void floating_kick(gib *m, irq_guest *g, bool io_int, kick_path path)
{
    ggisa *gi = gisa_of(m, g);
    for (uint32_t j = 0; j < g->nvcpus; j++) /* find_first_bit(idle_mask, online_vcpus) */
        if (idle_bit(m, g, j)) {
            kick(m, &g->vcpus[j], path, false);
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
    irq_trace_instant(m->sim, "iam_clear", g, NULL, -1);
    gi->on_list = true;
    gi->stranded = false;
    gi->next = m->origin;
    int32_t was = m->origin;
    m->origin = (int32_t)g->index;
    irq_trace_counter(m->sim, "GIB alert list length", NULL, ++m->list_len);
    if (was != ORIGIN_NULL) {
        irq_count(g, C_SUPPRESSED, 1);
        irq_trace_instant(m->sim, "alert_suppressed", g, NULL, -1);
        return;
    }
    if (m->gal_spread)
        m->gal_cpu = (m->gal_cpu + 1) % m->ncpus;
    irq_count(g, C_GAL, 1);
    irq_count(g, C_HOST_ALERT_CYCLES, m->gal_cost);
    irq_trace_instant(m->sim, "alert", g, NULL, (int)m->gal_cpu);
    irq_host_work_named(m->sim, m->gal_cpu, m->gal_cost, gal_pass, m, 0, "GAL interruption");
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
        floating_airqs_kick(m, g, false);
        break;
    case H_KICK_ALL:
        floating_airqs_kick(m, g, true);
        break;
    default: /* v4, v3, v2: one vCPU per GISA, first idle else round-robin */
        floating_kick(m, g, false, KP_GAL);
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
    if (m->list_len) /* the pass cut the list off: it walks it from here */
        irq_trace_counter(m->sim, "GIB alert list length", NULL, m->list_len = 0);
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
        check_stranded(m, g);
        walked++;
    }
    m->gal_last = cur;
    if (final) {
        m->gal_last = ORIGIN_NULL;
        return;
    }
    irq_host_work_named(m->sim, m->gal_cpu, (uint64_t)walked * m->gisa_cost, gal_pass, m, 0,
                        "GAL pass (alert list walk)");
}

/* ---- the kicker (upstream) -------------------------------------------- */

/* The hrtimer fires: its callback runs as host work on the GAL CPU. The
 * timer's argument, and the tick's, is the guest itself. */
void gib_kicker_fire(void *ctx, uint64_t guest)
{
    gib *m = ctx;
    irq_guest *g = (irq_guest *)(uintptr_t)guest;
    ggisa *gi = gisa_of(m, g);
    if (gi->tick_queued)
        return;
    gi->tick_queued = true;
    gi->kicker_expiry = irq_now(m->sim);
    irq_count(g, C_HOST_ALERT_CYCLES, m->kicker_cost);
    irq_host_work_named(m->sim, gi->kicker_cpu, m->kicker_cost, kicker_tick, m, guest,
                        "kicker tick");
}

/* hrtimer_forward_now(): the first expiry + k * period after now (whole
 * periods are skipped when the callback ran that late). */
static uint64_t forward_now(uint64_t expiry, uint64_t period, uint64_t now)
{
    if (now < expiry)
        return expiry;
    return expiry + ((now - expiry) / period + 1) * period;
}

/* gisa_vcpu_kicker: pending alert ISCs kick one vCPU and re-arm the timer
 * one period after its previous expiry, whatever the callback cost; a
 * clean IPM restores the IAM and stops it. */
static void kicker_tick(void *ctx, uint64_t guest)
{
    gib *m = ctx;
    irq_guest *g = (irq_guest *)(uintptr_t)guest;
    ggisa *gi = gisa_of(m, g);
    gi->tick_queued = false;
    irq_count(g, C_TICKS, 1);
    uint8_t p = ipm_or_restore_iam(m, g);
    if (p) {
        kick_single(m, g, p);
        irq_sim_timer_arm(m->sim, gi->kicker,
                          forward_now(gi->kicker_expiry, m->expires, irq_now(m->sim)));
        irq_count(g, C_RESTARTS, 1);
    }
    check_gisa(m, g);
    check_stranded(m, g);
}

/* ---- arrivals ---------------------------------------------------------- */

/* A vCPU in SIE, enabled for isc, not inside a handler: the machine can
 * present the interrupt to it directly. Lowest index first. */
static irq_vcpu *running_taker(gib *m, irq_guest *g, int isc)
{
    /* a vCPU in guest code is in SIE: its gib_guest_entry counted it, and
     * its gib_guest_exit, which uncounts it, comes after it left */
    if (gisa_of(m, g)->in_sie == 0)
        return NULL;
    for (uint32_t j = 0; j < g->nvcpus; j++) {
        irq_vcpu *v = &g->vcpus[j];
        /* the model's own masks first: most vCPUs fail them, and the core
         * is asked only about the others */
        if ((takes(m, v) & ISC_BIT(isc)) && v->in_guest && irq_vcpu_in_guest(v))
            return v;
    }
    return NULL;
}

/* Every halt-polling vCPU that can take the new bit sees it in its next
 * kvm_vcpu_check_block() and leaves its poll loop; only the first to reach
 * __deliver_io takes it (gisa_tac_ipm_gisc), the others enter SIE with
 * nothing and wait again. */
static void poll_notice(gib *m, irq_guest *g, uint8_t bits)
{
    if (!irq_guest_polling(g))
        return;
    for (uint32_t j = 0; j < g->nvcpus; j++) {
        irq_vcpu *v = &g->vcpus[j];
        if (irq_vcpu_polling(v) && (takes(m, v) & bits))
            irq_vcpu_wake(v); /* re-checks: may find the bit taken already */
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
        gv_of(m, v)->handling = (uint8_t)(isc + 1);
        irq_deliver_now(v, in->arrival, in->cls);
        return;
    }
    irq_pend_add(g, &gi->isc[isc], in->arrival);
    gi->ipm |= ISC_BIT(isc);
    if (may_alert && (gi->iam & ISC_BIT(isc)) && !gi->on_list)
        alert(m, g, isc);
    poll_notice(m, g, ISC_BIT(isc));
}

/* The adapter summary indicator of the arrival's adapter (one per source
 * and guest); NULL for an interrupt no scenario source raised. */
static uint8_t *summary_of(gib *m, const irq_intr *in)
{
    if (in->source >= m->nsources)
        return NULL;
    return &m->summary[in->guest->index * m->nsources + in->source];
}

/* set_adapter_int(): the host sets the device indicator and the adapter
 * summary indicator in guest memory (adapter_indicators_set) and injects
 * only when the summary indicator went 0 -> 1. Later notifications find it
 * set: coalesced there, no inject_io, no kick. The guest's handler for the
 * ISC scans the indicators, clears the summary indicator and scans again
 * (virtio_airq_handler): the model serves what was coalesced when the
 * handler ends (gib_irq_enabled). Returns true when the caller injects. */
static bool set_adapter_int(gib *m, const irq_intr *in)
{
    uint8_t *sum = summary_of(m, in);
    if (sum && *sum) {
        irq_count(in->guest, C_SUMMARY_COALESCED, 1);
        irq_pend_add(in->guest, ind_of(m, in->guest, in->cls), in->arrival);
        return false;
    }
    if (sum)
        *sum = 1;
    irq_count(in->guest, C_INJECT_IO, 1);
    return true;
}

/* The guest's handler for isc cleared the summary indicators of its
 * adapters on that ISC. */
static void clear_summaries(gib *m, const irq_guest *g, uint32_t isc)
{
    /* only the sources of g's template on isc that set indicators at all
     * (indexed at set-up); an indicator already clear is not written (its
     * line stays clean) */
    uint8_t *sum = &m->summary[(size_t)g->index * m->nsources];
    size_t key = (size_t)g->tmpl * GIB_NISC + isc;
    for (uint32_t k = m->sum_first[key]; k < m->sum_first[key + 1]; k++)
        if (sum[m->sum_src[k]])
            sum[m->sum_src[k]] = 0;
}

void gib_inject(void *model, const irq_intr *in)
{
    gib *m = model;
    irq_guest *g = in->guest;
    bool software = in->injection == IRQ_INJ_SOFTWARE;
    if (in->cls >= GIB_NISC && gib_sigp_class(in->cls)) { /* most are ISCs */
        gib_sigp_inject(m, in);
        return;
    }
    if (!gisa_mode(m)) { /* every adapter interrupt takes the software path */
        /* a refused injection (floating list full) leaves the summary
         * indicator set, as set_adapter_int() does: later notifications
         * coalesce until a handler for the ISC runs */
        if (set_adapter_int(m, in) &&
            irq_fifo_add(g, flt_of(m, g, in->cls), in->arrival, m->max_float, C_FLOAT_FULL)) {
            poll_notice(m, g, ISC_BIT(in->cls));
            floating_kick(m, g, true, KP_FLOAT);
        }
    } else if (software) { /* kvm_s390_inject_airq: __inject_io sets the IPM, kick */
        if (set_adapter_int(m, in)) {
            gisa_arrival(m, in, false);
            floating_kick(m, g, false, KP_INJECT);
        }
    } else {
        gisa_arrival(m, in, true);
    }
    check_gisa(m, g);
}

/* ---- vCPU hooks ---------------------------------------------------------- */

/* Clears IPM bit isc and delivers what its latch holds to v: the bit and
 * the latch always change together. The callers know v is not inside a
 * handler (present_pending checks it). */
static void take_from_ipm(gib *m, irq_vcpu *v, int isc)
{
    ggisa *gi = gisa_of(m, v->guest);
    gi->ipm &= (uint8_t)~ISC_BIT(isc);
    gv_of(m, v)->handling = (uint8_t)(isc + 1);
    irq_pend_deliver(v, &gi->isc[isc], (uint32_t)isc);
}

/* The host delivers one pending I/O interrupt in software (lowest ISC
 * first; the PSW swap disables I/O, so one per entry). */
static bool deliver_in_software(gib *m, irq_vcpu *v)
{
    int isc = lowest_isc(deliverable(m, v));
    if (isc < 0 || irq_vcpu_in_handler(v))
        return false;
    irq_count(v->guest, C_DELIVER_IO, 1);
    if (gisa_mode(m)) {
        take_from_ipm(m, v, isc);
    } else {
        gv_of(m, v)->handling = (uint8_t)(isc + 1);
        irq_fifo_deliver(v, flt_of(m, v->guest, (uint32_t)isc), (uint32_t)isc);
    }
    return true;
}

static void mask_toggle(gib *m, gvcpu *gv);

/* Before SIE entry: the woken thread is running again (idle bit off),
 * delivers what it can with the CR6 of its wait, clears its kicked bit
 * (vcpu_pre_run) and enters SIE; then the guest runs and executes a mask
 * change that fell due meanwhile. */
void gib_guest_entry(void *model, irq_vcpu *v)
{
    gib *m = model;
    gvcpu *gv = gv_of(m, v);
    ggisa *gi = gisa_of(m, v->guest);
    gv->idle = false;
    gsigp *sg = gv->sg;
    bool stopping = sg && irq_pend_set(&sg->stop);
    if (stopping) /* what is delivered now has its handler run after the restart */
        irq_vcpu_latency_at_handler(v, true);
    bool delivered = (sg && gib_sigp_host_deliver(m, v)) || deliver_in_software(m, v);
    if (gv->mask_due && !stopping) {
        gv->mask_due = false;
        mask_toggle(m, gv);
        /* not inside a handler: its PSW swap disabled I/O until it ends */
        int isc = gisa_mode(m) && !delivered && !gv->mask_period && !irq_vcpu_in_handler(v)
                      ? lowest_isc(gi->ipm & takes(m, v))
                      : -1;
        if (isc >= 0) { /* unmasked: the machine presents what it now enables */
            irq_count(v->guest, C_DIRECT, 1);
            take_from_ipm(m, v, isc);
            delivered = true;
        }
    }
    if (sg && !delivered)
        delivered = gib_sigp_present(m, v);
    if (stopping)
        irq_vcpu_latency_at_handler(v, false);
    kick_checked(m, v, delivered, true);
    gv->io_int_req = false;
    gv->in_sie = true;
    gi->in_sie++;
    if (m->h == H_V2)
        gi->iam = 0; /* v2: cleared before every SIE entry */
    check_gisa(m, v->guest);
    if (sg)
        gib_sigp_entered(m, v, delivered);
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

/* The halt returned: kvm_s390_handle_wait clears the idle bit
 * (__unset_cpu_idle) right away, on the vCPU's own thread. A halt that
 * ended while polling then goes the normal way to SIE entry (the wait
 * intercept returns, vcpu_pre_run delivers): pre_sie_cost of host time. A
 * thread that slept paid host.wakeup. */
void gib_wakeup(void *model, irq_vcpu *v)
{
    gib *m = model;
    gv_of(m, v)->idle = false;
    if (v->did_poll && !v->slept && m->pre_sie_cost > 0)
        irq_vcpu_exit(v, m->pre_sie_cost, NULL, NULL, 0);
}

/* A handler ended. Its second indicator scan serves the notifications that
 * found the summary indicator set meanwhile (one more handler run);
 * with none left the summary indicators of its ISC are clear. Then the
 * guest is enabled again. */
void gib_irq_enabled(void *model, irq_vcpu *v)
{
    gib *m = model;
    gvcpu *gv = gv_of(m, v);
    if (gv->handling) {
        uint32_t isc = gv->handling - 1u;
        irq_pend *ind = ind_of(m, v->guest, isc);
        if (ind && irq_pend_set(ind)) {
            irq_pend_deliver(v, ind, isc);
            return;
        }
        gv->handling = 0;
        clear_summaries(m, v->guest, isc);
    }
    present_pending(m, v);
}

/* The guest is enabled (a handler ended, or it unmasked): the machine
 * presents what is pending in the IPM; without a GISA, a requested
 * intercept. */
static void present_pending(gib *m, irq_vcpu *v)
{
    gvcpu *gv = gv_of(m, v);
    /* without SIGP state only the I/O part below can act: when it has
     * nothing to present the core need not be asked whether guest code runs */
    if (!gv->sg && !(gisa_mode(m) ? gisa_of(m, v->guest)->ipm & takes(m, v) : gv->io_int_req))
        return;
    if (!irq_vcpu_in_guest(v))
        return;
    if (gv->sg && gib_sigp_enabled(m, v)) /* external interrupts come before I/O */
        return;
    if (!gv->io_on)
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
    if (m->check && irq_vcpu_in_handler(v))
        irq_sim_fail(m->sim,
                     "gib invariant: ISC %d presented to vCPU %u of %s inside a handler "
                     "(I/O is disabled there)",
                     isc, v->index, v->guest->name);
    take_from_ipm(m, v, isc);
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
    case H_V5: /* get_ipm(IRQ_FLAG_IAM) in the pending checks */
    case H_KICK_ALL:
        v5_get_ipm(m, v->guest);
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
    if (deliverable(m, v) || (gv_of(m, v)->sg && gib_sigp_runnable(m, v)) ||
        !wait_restore_point(m, v))
        return IRQ_WAIT_REFUSE;
    gv_of(m, v)->idle = true;
    *poll = m->halt_poll;
    if (m->no_poll_steal) { /* kvm_arch_no_poll(), asked at every kvm_vcpu_halt() */
        irq_count(v->guest, C_NO_POLL_STEAL, 1);
        *poll = 0;
    }
    check_gisa(m, v->guest);
    check_stranded(m, v->guest);
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
    if (m->h == H_V5 || m->h == H_KICK_ALL)
        v5_get_ipm(m, v->guest); /* kvm_s390_vcpu_has_irq -> get_ipm(IRQ_FLAG_IAM) */
    bool runnable = deliverable(m, v) != 0 || (gv_of(m, v)->sg && gib_sigp_runnable(m, v));
    kick_checked(m, v, runnable, false);
    if (!runnable)
        check_stranded(m, v->guest);
    return runnable;
}

/* Every arrival still held in an IPM latch, a floating list or behind a
 * summary indicator. */
void gib_pending_walk(void *model, void (*visit)(void *ud, irq_guest *g, uint32_t cls, uint64_t t),
                      void *ud)
{
    gib *m = model;
    for (size_t i = 0; i < m->nguests; i++) {
        irq_guest *g = irq_sim_guest(m->sim, i);
        for (uint32_t n = 0; n < GIB_NISC; n++) {
            irq_pend_walk(g, &gisa_of(m, g)->isc[n], n, visit, ud);
            if (m->flt)
                irq_fifo_walk(g, flt_of(m, g, n), n, visit, ud);
            irq_pend *ind = ind_of(m, g, n);
            if (ind)
                irq_pend_walk(g, ind, n, visit, ud);
        }
        gib_sigp_walk(m, g, visit, ud);
    }
}

/* The guest masks (or unmasks) mask_iscs for a while: it loads CR6, so
 * only while it runs guest code; the next change is due a sampled time
 * later. */
static void mask_toggle(gib *m, gvcpu *gv)
{
    irq_vcpu *v = gv->vcpu;
    gv->mask_period = !gv->mask_period;
    gv->masked = gv->mask_period ? gib_cr6_of_bits(v->params[V_MASK_ISCS].u) : 0;
    const irq_dist *d = &v->params[gv->mask_period ? V_MASK_FOR : V_MASK_EVERY].dist;
    gmask *mk = &m->masks[gv->mask - 1]; /* only vCPUs with a schedule toggle */
    uint64_t next = irq_dist_sample(d, &mk->rng);
    irq_sim_timer_arm(m->sim, mk->timer, irq_now(m->sim) + (next ? next : 1));
}

/* A change of the mask schedule falls due. A vCPU that is not running
 * guest code (halted, in the host, preempted) executes no instructions:
 * the change happens at its next guest entry (gib_guest_entry). */
void gib_mask_toggle(void *ctx, uint64_t vcpu)
{
    gib *m = ctx;
    gvcpu *gv = gv_of(m, (irq_vcpu *)(uintptr_t)vcpu);
    if (!gv->vcpu->in_guest) {
        gv->mask_due = true;
        return;
    }
    mask_toggle(m, gv);
    if (!gv->mask_period)
        present_pending(m, gv->vcpu);
}
