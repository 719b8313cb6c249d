/* Regression tests for the s390 GIB/GISA model and its kick heuristics.
 *
 * Every expected figure below is derived by hand from ../shared/DOMAIN.md
 * section 1; the derivation is written next to the assertions. Common
 * set-up (clock 1 GHz: 1 ns = 1 cycle):
 *   host: wakeup 5us, wait_exit 1us, 5 CPUs (vCPU i on CPU i, GAL on CPU 4,
 *   so alert handling never pauses a vCPU);
 *   model: gal_cost 2us (to the first list swap), gal_gisa_cost 200ns per
 *   GISA walked (charged as the next pass), kicker_cost 500ns per tick,
 *   kicker period 50us, halt polling off;
 *   workload: vCPUs start idle with an idle period longer than the run, so
 *   they wait all the time unless kicked; handler 2us.
 * At t=0 each vCPU enters the guest and executes a wait: 1us wait exit,
 * then (nothing pending) the wait entry restores nothing (IAM starts equal
 * to alert_mask) and the vCPU halts at 1us.
 *
 * The GAL handler: the interruption is taken at T; pass 1 swaps the list
 * at T+2us and starts the kicker of each GISA walked; pass 2 follows 200ns
 * per GISA later (T+2.2us); the kicker tick queued behind it on the same
 * CPU runs 500ns: its decision falls at T+2.7us. A kicked vCPU enters SIE
 * 5us after its kick. So a lone alert kicked by the first tick is
 * delivered at T + 2 + 0.2 + 0.5 + 5 = T + 7.7us. A tick that re-arms does
 * so with hrtimer_forward_now() (gisa_vcpu_kicker): the next expiry is the
 * previous one (T+2us) + 50us, whatever the callback cost, so tick k fires
 * at T + 2 + 50(k-1) us and decides 0.5us later (GAL CPU idle by then). */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#include <cmocka.h>

#include "test_sim_helpers.h"

#define HEAD                                                                                       \
    "name: t\nclock_hz: 1e9\nduration: 1ms\n"                                                      \
    "host: {cpus: 5, sched: fifo, affinity: pinned, wakeup: 5us, wait_exit: 1us}\n"                \
    "model: {name: gib, gal_cpu: 4, gal_cost: 2us, gal_gisa_cost: 200ns, kicker_cost: 500ns,"      \
    " kicker_period: 50us, halt_poll: 0ns}\n"
#define IDLE_WORKLOAD "workload: {start: idle, idle: const(10s), handler: const(2us)}"
#define ONE_AT(name, isc, at)                                                                      \
    "  - {name: " name ", target: g, class: " #isc ", arrivals: 'storm(count=1, window=1ns,"       \
    " period=1s, spacing=even)', start: " at "}\n"

/* One guest, 4 waiting vCPUs; ISC 3 is enabled only on vCPU 2 (the others
 * enable ISC 0 only); one pass-through interrupt on ISC 3 at 100us. */
#define ONE_GUEST_ISC3_ON_VCPU2                                                                    \
    "guests:\n  - {name: g, vcpus: 4, " IDLE_WORKLOAD ", vcpu: {iscs: [0]},"                       \
    " vcpu_overrides: [{index: 2, iscs: [3]}]}\n"                                                  \
    "sources:\n" ONE_AT("dev", 3, "100us")

#define C(r, name) mcount((r).sim, (r).g, name)

/* Issue case 1, upstream, fast wake-up.
 * 100us: no vCPU in SIE; IPM bit 3 set; IAM has bit 3 (alert_mask = {3}
 * from the pass-through source), GISA off the list: linked, IAM cleared,
 * origin was NULL -> 1 GAL interruption.
 * 102us pass 1 walks the GISA (1 list entry) and starts its kicker;
 * 102.7us tick 1: IPM & alert_mask = {3}; walking idle vCPUs in order,
 * vCPUs 0 and 1 do not enable ISC 3, vCPU 2 does and is not in
 * kicked_mask: 1 kick, of vCPU 2; the timer re-arms for 152.7us (1 restart).
 * 107.7us vCPU 2 enters: delivers ISC 3 in software (deliver_io 1), clears
 * kicked_mask, so the kick was not wasted; latency 7.7us; handler until
 * 109.7us, wait exit until 110.7us: IPM clean -> IAM restored (1 restore),
 * halts. Tick 2 (expiry 102 + 50 = 152us, hrtimer_forward_now; decides at
 * 152.5us) finds the IPM clean: IAM already restored, timer stops. 2 ticks.
 * Host alert cycles: 2us + 200ns + 2 * 500ns = 3200. Wait exits: 4 at
 * start + 1 after the handler. kicks_kicker 1, the only path used. */
static void test_upstream_single_alert(void **state)
{
    (void)state;
    run r = run_ok(HEAD ONE_GUEST_ISC3_ON_VCPU2, NULL, 0);
    assert_int_equal(C(r, "gal_interrupts"), 1);
    assert_int_equal(C(r, "alert_list_entries"), 1);
    assert_int_equal(r.g->kicks, 1);
    assert_int_equal(r.g->vcpus[2].kicks, 1);
    assert_int_equal(C(r, "wasted_kicks"), 0);
    assert_int_equal(C(r, "iam_restores"), 1);
    assert_int_equal(C(r, "kicker_ticks"), 2);
    assert_int_equal(C(r, "timer_restarts"), 1);
    assert_int_equal(C(r, "halt_wakeup"), 1);
    assert_int_equal(C(r, "deliver_io"), 1);
    assert_int_equal(C(r, "direct_deliveries"), 0);
    assert_int_equal(C(r, "exit_wait_state"), 5);
    assert_int_equal(C(r, "host_alert_cycles"), 3200);
    assert_int_equal(C(r, "kicks_kicker"), 1);
    assert_int_equal(
        C(r, "kicks_gal") + C(r, "kicks_inject") + C(r, "kicks_float") + C(r, "kicks_cover"), 0);
    assert_int_equal(r.g->delivered, 1);
    assert_int_equal(r.g->latency.min, 7700);
    assert_int_equal(r.g->latency.max, 7700);
    run_free(&r);
}

/* Issue case 1 with a slow wake-up (120us > the 50us kicker period).
 * Tick 1 at 102.7us kicks vCPU 2, which enters SIE only at 222.7us.
 * Tick 2 (expiry 152us, decides 152.5us) and tick 3 (202.5us) still see
 * ISC 3 pending; vCPU 2 is still in idle_mask (its thread has not run yet)
 * but its kicked_mask bit is set (__airqs_kick_single_vcpu), so they kick
 * no one: kicks stay 1. vCPU 2 delivers at 222.7us (latency 122.7us),
 * waits at 225.7us restoring the IAM; tick 4 (252.5us) finds the IPM clean
 * and stops: 4 ticks, 3 restarts, 1 restore, nothing wasted. */
static void test_upstream_slow_wakeup_kicked_mask(void **state)
{
    (void)state;
    const char *sets[] = {"host.wakeup=120us"};
    run r = run_ok(HEAD ONE_GUEST_ISC3_ON_VCPU2, sets, 1);
    assert_int_equal(C(r, "gal_interrupts"), 1);
    assert_int_equal(r.g->kicks, 1);
    assert_int_equal(C(r, "wasted_kicks"), 0);
    assert_int_equal(C(r, "kicker_ticks"), 4);
    assert_int_equal(C(r, "timer_restarts"), 3);
    assert_int_equal(C(r, "iam_restores"), 1);
    assert_int_equal(r.g->latency.max, 122700);
    run_free(&r);
}

/* Issue case 2: the same guest, but every vCPU is running (busy for longer
 * than the run). At 100us vCPU 2 is in SIE, I/O-enabled and enables ISC 3:
 * the machine presents the interrupt to it directly. No IPM bit, no alert,
 * no kick, no host work; latency 0; the IAM is never touched. */
static void test_upstream_running_direct(void **state)
{
    (void)state;
    const char *y = HEAD "guests:\n  - {name: g, vcpus: 4,"
                         " workload: {start: busy, busy: const(10s), handler: const(2us)},"
                         " vcpu: {iscs: [0]}, vcpu_overrides: [{index: 2, iscs: [3]}]}\n"
                         "sources:\n" ONE_AT("dev", 3, "100us");
    run r = run_ok(y, NULL, 0);
    assert_int_equal(C(r, "direct_deliveries"), 1);
    assert_int_equal(C(r, "gal_interrupts"), 0);
    assert_int_equal(r.g->kicks, 0);
    assert_int_equal(C(r, "iam_restores"), 0);
    assert_int_equal(C(r, "host_alert_cycles"), 0);
    assert_int_equal(r.g->delivered, 1);
    assert_int_equal(r.g->latency.max, 0);
    run_free(&r);
}

/* Issue case 3: ISC 3 (enabled on vCPU 1 only) and ISC 5 (vCPU 2 only)
 * arrive together at 100us. ISC 3 alerts (1 GAL) and clears the whole IAM,
 * so ISC 5 just sets its IPM bit.
 * upstream: tick 1 (102.7us) sees {3,5}; the first idle vCPU overlapping
 * is vCPU 1: kicked, delivers ISC 3 at 107.7us (latency 7.7us); its wait
 * entry at 110.7us finds ISC 5 still pending (no restore) but not in its
 * CR6, so it waits. Tick 2 (expiry 102 + 50 = 152us, hrtimer_forward_now;
 * decides 152.5us) sees {5}: vCPU 1 does not overlap, vCPU 2 does: kicked,
 * delivers ISC 5 at 157.5us (latency 57.5us), restores the IAM at 160.5us.
 * Tick 3 (202.5us): clean, stop.
 * Totals: 2 kicks, 3 ticks, 2 restarts, 1 restore, 2 deliveries.
 * v5 (__floating_airqs_kick / __try_airqs_kick, [PATCH v5 13/15]): at
 * 102us the handler's get_ipm() reads {3,5} (not clean: no restore); the
 * first-fit walk over idle vCPUs 0..3: vCPU 0 enables neither; vCPU 1
 * enables 3 (taken, covered {3}); vCPU 2 enables 5 (taken, covered
 * {3,5}): all covered, both kicked at once (kicks_cover 2); the second
 * get_ipm() still reads {3,5}: no new ISC, kicked > 0, return. Both deliver
 * at 107us (latency 7us each); no timer. Their re-checks at 107us each find
 * their own ISC still pending (no restore); the first wait entry (110us)
 * finds the whole IPM clean, off the list: 1 restore.
 * Same deliveries, different kick timing. */
static void test_two_iscs_upstream_vs_v5(void **state)
{
    (void)state;
    const char *y = HEAD "guests:\n  - {name: g, vcpus: 4, " IDLE_WORKLOAD ", vcpu: {iscs: [0]},"
                         " vcpu_overrides: [{index: 1, iscs: [3]}, {index: 2, iscs: [5]}]}\n"
                         "sources:\n" ONE_AT("a", 3, "100us") ONE_AT("b", 5, "100us");
    const char *v5[] = {"model.heuristic=v5"};
    run up = run_ok(y, NULL, 0), cov = run_ok(y, v5, 1);
    struct irq_sim_priv *pu = up.sim->priv, *pc = cov.sim->priv;

    assert_int_equal(C(up, "gal_interrupts"), 1);
    assert_int_equal(up.g->kicks, 2);
    assert_int_equal(up.g->vcpus[1].kicks, 1);
    assert_int_equal(up.g->vcpus[2].kicks, 1);
    assert_int_equal(C(up, "kicker_ticks"), 3);
    assert_int_equal(C(up, "timer_restarts"), 2);
    assert_int_equal(C(up, "iam_restores"), 1);
    assert_int_equal(up.g->delivered, 2);
    assert_int_equal(pu->cls_hist[0].max, 7700);  /* ISC 3 */
    assert_int_equal(pu->cls_hist[1].max, 57500); /* ISC 5 */

    assert_int_equal(C(cov, "gal_interrupts"), 1);
    assert_int_equal(cov.g->kicks, 2);
    assert_int_equal(cov.g->vcpus[1].kicks, 1);
    assert_int_equal(cov.g->vcpus[2].kicks, 1);
    assert_int_equal(C(cov, "kicks_cover"), 2);
    assert_int_equal(C(cov, "kicker_ticks"), 0);
    assert_int_equal(C(cov, "iam_restores"), 1);
    assert_int_equal(cov.g->delivered, 2);
    assert_int_equal(pc->cls_hist[0].max, 7000);
    assert_int_equal(pc->cls_hist[1].max, 7000);
    run_free(&up);
    run_free(&cov);
}

/* Issue case 4: a second alert while the list is being processed is
 * suppressed by the NONE sentinel. Guests g (vCPU on CPU 0) and h (vCPU on
 * CPU 1), one vCPU each, ISC 3 registered; GAL on CPU 2.
 * 100us: g alerts, origin NULL -> GAL (1). 102us: pass 1 swaps in NONE,
 * walks g, starts g's kicker; pass 2 is due at 102.2us.
 * 102.1us: h's interrupt: IAM bit set, h off the list: h is linked, but the
 * origin is NONE: no interruption (1 suppressed).
 * 102.2us: pass 2 swaps NONE again and walks h (2 list entries in all),
 * starting h's kicker; pass 3 (200ns for h) is queued behind g's tick.
 * g's tick runs 102.2-102.7us: kicks g's vCPU, delivered at 107.7us
 * (latency 7.7us). Pass 3 runs 102.7-102.9us: the list ended on NONE, so
 * this is the final pass: origin back to NULL. h's tick runs 102.9-103.4us:
 * kicks h's vCPU, delivered at 108.4us: latency 108.4 - 102.1 = 6.3us. */
static void test_none_sentinel_suppresses_second_alert(void **state)
{
    (void)state;
    const char *y =
        "name: t\nclock_hz: 1e9\nduration: 1ms\n"
        "host: {cpus: 3, sched: fifo, affinity: pinned, wakeup: 5us, wait_exit: 1us}\n"
        "model: {name: gib, gal_cpu: 2, gal_cost: 2us, gal_gisa_cost: 200ns,"
        " kicker_cost: 500ns, halt_poll: 0ns}\n"
        "guests:\n  - {name: g, vcpus: 1, " IDLE_WORKLOAD "}\n"
        "  - {name: h, vcpus: 1, " IDLE_WORKLOAD "}\n"
        "sources:\n" ONE_AT(
            "a", 3,
            "100us") "  - {name: b, target: h, class: 3, arrivals: 'storm(count=1, window=1ns,"
                     " period=1s, spacing=even)', start: 102100ns}\n";
    run r = run_ok(y, NULL, 0);
    irq_guest *h = guest_named(r.sim, "h");
    assert_int_equal(C(r, "gal_interrupts"), 1);
    assert_int_equal(mcount(r.sim, h, "gal_interrupts"), 0);
    assert_int_equal(mcount(r.sim, h, "alerts_suppressed"), 1);
    assert_int_equal(C(r, "alert_list_entries"), 1);
    assert_int_equal(mcount(r.sim, h, "alert_list_entries"), 1);
    assert_int_equal(r.g->latency.max, 7700);
    assert_int_equal(h->latency.max, 6300);
    assert_int_equal(r.g->kicks + h->kicks, 2);
    run_free(&r);
}

/* Issue case 6: no-gisa wakes a vCPU that has the ISC masked.
 * Two waiting vCPUs: vCPU 0 enables ISC 0 only, vCPU 1 enables ISC 3.
 * no-gisa: the interrupt goes to the software floating list (inject_io 1)
 * and __floating_irq_kick wakes the first idle vCPU without looking at its
 * ISC mask: vCPU 0, which enters at 105us, can take nothing (1 wasted
 * kick) and waits again. Nobody else is kicked: the interrupt is still
 * pending at the end; no GAL ever.
 * upstream: the kicker skips vCPU 0 and kicks vCPU 1: delivered, nothing
 * wasted. */
static void test_no_gisa_wasted_kick(void **state)
{
    (void)state;
    const char *y = HEAD "guests:\n  - {name: g, vcpus: 2, " IDLE_WORKLOAD ", vcpu: {iscs: [0]},"
                         " vcpu_overrides: [{index: 1, iscs: [3]}]}\n"
                         "sources:\n" ONE_AT("dev", 3, "100us");
    const char *nogisa[] = {"model.heuristic=no-gisa"};
    run ng = run_ok(y, nogisa, 1), up = run_ok(y, NULL, 0);
    assert_int_equal(ng.g->kicks, 1);
    assert_int_equal(ng.g->vcpus[0].kicks, 1);
    assert_int_equal(C(ng, "wasted_kicks"), 1);
    assert_int_equal(C(ng, "inject_io"), 1);
    assert_int_equal(C(ng, "gal_interrupts"), 0);
    assert_int_equal(ng.g->delivered, 0);
    assert_int_equal(ng.g->pending, 1);

    assert_int_equal(up.g->kicks, 1);
    assert_int_equal(up.g->vcpus[1].kicks, 1);
    assert_int_equal(C(up, "wasted_kicks"), 0);
    assert_int_equal(up.g->delivered, 1);
    run_free(&ng);
    run_free(&up);
}

static const char *const all_heuristics[] = {"upstream", "v5",       "v4",     "v3",
                                             "v2",       "kick-all", "no-gisa"};

/* Issue case 7: an ISC that no pass-through device registered never
 * alerts, whatever the heuristic: alert_iscs is written as [] (nothing
 * registered), so alert_mask and IAM are 0 and the machine only sets the
 * IPM bit. */
static void test_unregistered_isc_never_alerts(void **state)
{
    (void)state;
    const char *y =
        HEAD "guests:\n  - {name: g, vcpus: 2, " IDLE_WORKLOAD ", model:"
             " {alert_iscs: []}}\nsources:\n" ONE_AT("dev", 3, "100us") ONE_AT("more", 3, "300us");
    for (size_t i = 0; i < sizeof all_heuristics / sizeof *all_heuristics; i++) {
        char set[64];
        snprintf(set, sizeof set, "model.heuristic=%s", all_heuristics[i]);
        const char *sets[] = {set};
        run r = run_ok(y, sets, 1);
        assert_int_equal(C(r, "gal_interrupts"), 0);
        assert_int_equal(C(r, "alert_list_entries"), 0);
        assert_int_equal(C(r, "iam_restores"), 0);
        run_free(&r);
    }
}

/* Issue case 8: every heuristic on the same small scenario (case 1: ISC 3
 * on vCPU 2 only, 4 waiting vCPUs, one pass-through interrupt at 100us),
 * every counter: the model's and the core's halt counters. Polling is off
 * (halt_poll 0: window always 0, nothing polls; host_steal 0 < 10, so no
 * halt_no_poll_steal), no software source (no inject_io except no-gisa's,
 * no summary_coalesced), one guest (no alerts_suppressed), nothing dropped.
 *  upstream: as derived in case 1: GAL 1, 1 list entry, kicker ticks at
 *   102.7us (kick of vCPU 2, kicks_kicker 1, re-armed for 152us) and
 *   152.5us (clean, stop): 2 ticks, 1 restart; delivered in software at
 *   107.7us (deliver_io 1, latency 7.7us); restore at the wait entry at
 *   110.7us; 5 wait exits; host_alert_cycles 2000 + 200 + 2 * 500 = 3200.
 *  v5 (__floating_airqs_kick, [PATCH v5 13/15]): at 102us get_ipm() reads
 *   {3}; the first-fit walk skips vCPUs 0 and 1 (CR6 {0}) and takes vCPU 2:
 *   kicks_cover 1; the second get_ipm() reads {3}: kicked, return. vCPU 2
 *   re-checks at 107us (get_ipm: not clean), delivers (latency 7us), waits
 *   at 110us: IPM clean, off the list: 1 restore. No timer: host_alert
 *   2000 + 200 = 2200.
 *  v4: the handler wakes the first idle vCPU, vCPU 0 (kicks_gal 1), which
 *   cannot take ISC 3. Its thread re-checks in kvm_vcpu_block()
 *   (kvm_arch_vcpu_runnable) at 107us: nothing, sleeps again (wasted_gal 1,
 *   halt_sleep_again 1), no SIE entry, no wait intercept: 4 wait exits; the
 *   IAM is never restored; the interrupt stays pending. The IPM is not
 *   clean, so the guest is not stranded (it could still be kicked).
 *  v3: as v4; the last SIE exit of t=0 finds the IAM equal to alert_mask:
 *   0 restores.
 *  v2: like v3, but every SIE entry clears the IAM and every last exit
 *   restores it: at t=0 each of the 4 vCPUs enters and leaves SIE (4
 *   restores); the woken vCPU 0 does not enter SIE again.
 *  kick-all: v5's frame, every idle vCPU enabled for a pending ISC: only
 *   vCPU 2 (kicks_gal 1); as v5 otherwise.
 *  no-gisa: set_adapter_int: the summary indicator goes 0 -> 1, inject_io
 *   1; __floating_irq_kick wakes vCPU 0 at 100us (kicks_float 1); it
 *   re-checks at 105us, cannot take ISC 3, sleeps again (wasted_float 1):
 *   4 wait exits, still pending; no GISA: no GAL, no host alert cycles. */
static const char *const table_counters[] = {
    "gal_interrupts",
    "alert_list_entries",
    "alerts_suppressed",
    "kicker_ticks",
    "timer_restarts",
    "iam_restores",
    "wasted_kicks",
    "exit_wait_state",
    "deliver_io",
    "inject_io",
    "direct_deliveries",
    "io_int_requests",
    "io_intercepts",
    "host_alert_cycles",
    "float_list_full",
    "halt_no_poll_steal",
    "summary_coalesced",
    "iam_stranded",
    "kicks_gal",
    "kicks_kicker",
    "kicks_inject",
    "kicks_float",
    "kicks_cover",
    "wasted_gal",
    "wasted_kicker",
    "wasted_inject",
    "wasted_float",
    "wasted_cover",
    "halt_wakeup",
    "halt_attempted_poll",
    "halt_successful_poll",
    "halt_poll_invalid",
    "halt_poll_success_ns",
    "halt_poll_fail_ns",
    "halt_sleep_again",
    "ipi_exits",
    /* no SIGP source: every SIGP counter is 0 (the rows leave them out) */
    "kicks_sigp",
    "wasted_sigp",
    "instruction_sigp_external_call",
    "instruction_sigp_emergency",
    "instruction_sigp_stop",
    "instruction_sigp_stop_store_status",
    "instruction_sigp_restart",
    "sigp_interpreted",
    "exit_pei",
    "inject_external_call",
    "inject_emergency_signal",
    "inject_stop_signal",
    "inject_restart",
    "deliver_external_call",
    "deliver_emergency_signal",
    "deliver_restart_signal",
    "external_call_direct",
    "exit_external_request",
    "exit_stop_request",
    "sigp_busy",
};
#define NTABLE (sizeof table_counters / sizeof *table_counters)

typedef struct expect {
    const char *h;
    uint64_t kicks, delivered, pending, latency;
    uint64_t c[NTABLE];
} expect;

static void test_every_heuristic_table(void **state)
{
    (void)state;
    /* columns as table_counters: gal entries supp ticks restarts restores
     * wasted waits deliver_io inject_io direct io_int_req intercepts
     * host_alert float_full no_poll_steal summary stranded | kicks_ gal
     * kicker inject float cover | wasted_ gal kicker inject float cover |
     * halt_wakeup attempted successful invalid ok_ns fail_ns sleep_again
     * ipi_exits */
    static const expect table[] = {
        {"upstream", 1, 1, 0, 7700, {1, 1, 0, 2, 1, 1, 0, 5, 1, 0, 0, 0, 0, 3200, 0, 0, 0, 0,
                                     0, 1, 0, 0, 0, 0, 0, 0, 0, 0, 1, 0, 0, 0,    0, 0, 0, 0}},
        {"v5", 1, 1, 0, 7000, {1, 1, 0, 0, 0, 1, 0, 5, 1, 0, 0, 0, 0, 2200, 0, 0, 0, 0,
                               0, 0, 0, 0, 1, 0, 0, 0, 0, 0, 1, 0, 0, 0,    0, 0, 0, 0}},
        {"v4", 1, 0, 1, 0, {1, 1, 0, 0, 0, 0, 1, 4, 0, 0, 0, 0, 0, 2200, 0, 0, 0, 0,
                            1, 0, 0, 0, 0, 1, 0, 0, 0, 0, 1, 0, 0, 0,    0, 0, 1, 0}},
        {"v3", 1, 0, 1, 0, {1, 1, 0, 0, 0, 0, 1, 4, 0, 0, 0, 0, 0, 2200, 0, 0, 0, 0,
                            1, 0, 0, 0, 0, 1, 0, 0, 0, 0, 1, 0, 0, 0,    0, 0, 1, 0}},
        {"v2", 1, 0, 1, 0, {1, 1, 0, 0, 0, 4, 1, 4, 0, 0, 0, 0, 0, 2200, 0, 0, 0, 0,
                            1, 0, 0, 0, 0, 1, 0, 0, 0, 0, 1, 0, 0, 0,    0, 0, 1, 0}},
        {"kick-all", 1, 1, 0, 7000, {1, 1, 0, 0, 0, 1, 0, 5, 1, 0, 0, 0, 0, 2200, 0, 0, 0, 0,
                                     1, 0, 0, 0, 0, 0, 0, 0, 0, 0, 1, 0, 0, 0,    0, 0, 0, 0}},
        {"no-gisa", 1, 0, 1, 0, {0, 0, 0, 0, 0, 0, 1, 4, 0, 1, 0, 0, 0, 0, 0, 0, 0, 0,
                                 0, 0, 0, 1, 0, 0, 0, 0, 1, 0, 1, 0, 0, 0, 0, 0, 1, 0}},
    };
    for (size_t i = 0; i < sizeof table / sizeof *table; i++) {
        const expect *e = &table[i];
        char set[64];
        snprintf(set, sizeof set, "model.heuristic=%s", e->h);
        const char *sets[] = {set};
        run r = run_ok(HEAD ONE_GUEST_ISC3_ON_VCPU2, sets, 1);
        if (i == 0) /* the table names every counter the model reports */
            for (size_t k = 0; k < r.sim->ops->ncounters; k++) {
                size_t j = 0;
                while (j < NTABLE && strcmp(table_counters[j], r.sim->ops->counters[k].name))
                    j++;
                if (j == NTABLE)
                    fail_msg("counter %s missing from the table", r.sim->ops->counters[k].name);
            }
        for (size_t k = 0; k < NTABLE; k++) {
            uint64_t got = C(r, table_counters[k]);
            if (got != e->c[k])
                fail_msg("heuristic %s, %s: %llu, expected %llu", e->h, table_counters[k],
                         (unsigned long long)got, (unsigned long long)e->c[k]);
        }
        assert_int_equal(r.g->kicks, e->kicks);
        assert_int_equal(r.g->delivered, e->delivered);
        assert_int_equal(r.g->pending, e->pending);
        assert_int_equal(r.g->latency.max, e->latency);
        run_free(&r);
    }
}

/* Halt polling, adaptive as kvm_vcpu_halt() does it (virt/kvm/kvm_main.c),
 * with s390's invalid wake-ups (CONFIG_HAVE_KVM_INVALID_WAKEUPS). Maximum
 * 50us; one vCPU busy 10us / idle 8us (its own timer wakes it, a valid
 * wake-up); one pass-through interrupt on ISC 3 at 27us; run 40us;
 * pre_sie_cost 500ns (a halt that ends while polling goes the normal way
 * to SIE entry: kvm_vcpu_halt returns, kvm_s390_handle_wait returns,
 * vcpu_pre_run delivers).
 *   0us   enters the guest, idle: wait exit 1us; its idle timer is at 8us.
 *   1us   halt 1: window 0 (it starts at 0), so no poll: the thread sleeps.
 *   8us   timer: a valid wake-up of a sleeping thread (halt_wakeup 1); the
 *         woken thread runs 5us of wake-up and re-checks at 13us: runnable.
 *         halt 12us, window 0, shorter than 50us: grow to grow_start 10us.
 *   13us  busy 10us; 23us idle (timer at 31us), wait exit; 24us halt 2:
 *         window 10us, alone on its CPU: polls until 34us.
 *   27us  the interrupt: nobody in SIE, IPM bit 3, alert (1 GAL); the
 *         polling vCPU's poll loop sees the IPM bit: the halt ends, a
 *         successful poll of 3us, but no kvm_s390_vcpu_wakeup() made it
 *         valid (halt_poll_invalid 1), so the window shrinks: 10us / 2 = 5us
 *         is below grow_start, so 0. The pre-SIE path takes 500ns: SIE
 *         entry at 27.5us delivers (deliver_io 1): latency 500ns, no kick.
 *   29.5us handler ends; 30.5us wait exit: halt 3, window 0: sleeps. (The
 *         GAL handler's kicker tick, fired at 29us and deciding at 29.7us,
 *         found the IPM clean and restored the IAM: 1 tick, 0 restarts,
 *         1 restore.)
 *   31us  timer wakes it (halt_wakeup 2); re-check at 36us: halt 6us, valid,
 *         window 0 < 50us: grows to 10us again; busy until past 40us.
 * Polls: attempted 1, successful 1, invalid 1, 3000ns; wait exits 3. */
static void test_halt_polling_adaptive(void **state)
{
    (void)state;
    const char *y =
        HEAD "guests:\n  - {name: g, vcpus: 1, workload: {start: idle, idle: const(8us),"
             " busy: const(10us), handler: const(2us)}}\n"
             "sources:\n" ONE_AT("dev", 3, "27us");
    const char *sets[] = {"model.halt_poll=50us", "duration=40us", "model.pre_sie_cost=500ns"};
    run r = run_ok(y, sets, 3);
    assert_int_equal(C(r, "halt_attempted_poll"), 1);
    assert_int_equal(C(r, "halt_successful_poll"), 1);
    assert_int_equal(C(r, "halt_poll_invalid"), 1);
    assert_int_equal(C(r, "halt_poll_success_ns"), 3000);
    assert_int_equal(C(r, "halt_poll_fail_ns"), 0);
    assert_int_equal(C(r, "halt_wakeup"), 2);
    assert_int_equal(C(r, "exit_wait_state"), 3);
    assert_int_equal(r.g->kicks, 0);
    assert_int_equal(C(r, "gal_interrupts"), 1);
    assert_int_equal(C(r, "kicker_ticks"), 1);
    assert_int_equal(C(r, "timer_restarts"), 0);
    assert_int_equal(C(r, "iam_restores"), 1);
    assert_int_equal(C(r, "deliver_io"), 1);
    assert_int_equal(C(r, "halt_no_poll_steal"), 0);
    assert_int_equal(r.g->delivered, 1);
    assert_int_equal(r.g->latency.max, 500);
    assert_int_equal(r.g->vcpus[0].poll_window, 10000);
    run_free(&r);
}

/* Software (virtio) interrupts set the IPM but never alert; the injection
 * path kicks the first idle vCPU itself. One waiting vCPU, a software
 * interrupt on a registered ISC: inject_io 1, no GAL, 1 kick, delivered
 * after the wake-up (latency 5us). */
static void test_software_injection_never_alerts(void **state)
{
    (void)state;
    const char *y = HEAD "guests:\n  - {name: g, vcpus: 1, " IDLE_WORKLOAD ","
                         " model: {alert_iscs: [3]}}\n"
                         "sources:\n  - {name: virtio, target: g, class: 3, injection: software,"
                         " arrivals: 'storm(count=1, window=1ns, period=1s, spacing=even)',"
                         " start: 100us}\n";
    run r = run_ok(y, NULL, 0);
    assert_int_equal(C(r, "inject_io"), 1);
    assert_int_equal(C(r, "gal_interrupts"), 0);
    assert_int_equal(r.g->kicks, 1);
    assert_int_equal(r.g->delivered, 1);
    assert_int_equal(r.g->latency.max, 5000);
    run_free(&r);
}

/* Item 2, two polling vCPUs see the same IPM bit: the polling scenario
 * above with 2 vCPUs in lockstep (busy 10us / idle 8us), pre_sie_cost
 * 500ns. Both poll from 24us (window 10us); at 27us both see ISC 3 in
 * kvm_vcpu_check_block() and leave their halts (2 successful, invalid
 * polls). Both pay the 500ns pre-SIE path; at 27.5us the first SIE entry
 * delivers (latency 500ns), the second finds the IPM bit gone
 * (__deliver_io's test-and-clear), enters SIE with nothing and the guest's
 * wait intercepts again at 28.5us: IPM clean -> upstream restores the IAM
 * although the GISA is still on the alert list (1 restore); it sleeps. The
 * first waits at 30.5us after its handler. The kicker tick (29.7us) finds
 * the IPM clean: IAM already restored, stop.
 * Wait exits: 2 at 0us + 2 at 23us + 1 at 27.5us + 1 at 29.5us = 6;
 * halt_wakeup: 2 at 8us + 2 at 31us = 4; no kick. */
static void test_two_pollers_one_bit(void **state)
{
    (void)state;
    const char *y =
        HEAD "guests:\n  - {name: g, vcpus: 2, workload: {start: idle, idle: const(8us),"
             " busy: const(10us), handler: const(2us)}}\n"
             "sources:\n" ONE_AT("dev", 3, "27us");
    const char *sets[] = {"model.halt_poll=50us", "duration=40us", "model.pre_sie_cost=500ns"};
    run r = run_ok(y, sets, 3);
    assert_int_equal(C(r, "halt_attempted_poll"), 2);
    assert_int_equal(C(r, "halt_successful_poll"), 2);
    assert_int_equal(C(r, "halt_poll_invalid"), 2);
    assert_int_equal(C(r, "exit_wait_state"), 6);
    assert_int_equal(C(r, "halt_wakeup"), 4);
    assert_int_equal(C(r, "iam_restores"), 1);
    assert_int_equal(C(r, "kicker_ticks"), 1);
    assert_int_equal(r.g->kicks, 0);
    assert_int_equal(r.g->delivered, 1);
    assert_int_equal(r.g->latency.max, 500);
    run_free(&r);
}

/* Item 2, the steal gate (kvm_arch_no_poll in arch/s390/kvm/kvm-s390.c):
 * the polling scenario above with host_steal 10 >= halt_poll_max_steal 10:
 * no halt polls, each kvm_vcpu_halt() counts halt_no_poll_steal.
 *   1us   halt 1: no poll (steal), sleeps; 8us its timer wakes it
 *         (halt_wakeup 1), re-check at 13us; busy until 23us.
 *   24us  halt 2: no poll (steal 2), sleeps.
 *   27us  the interrupt alerts (GAL 1); pass 1 at 29us starts the kicker;
 *         pass 2 29-29.2us; the tick 29.2-29.7us kicks vCPU 0 (its CR6
 *         enables ISC 3; kicks_kicker 1, halt_wakeup 2) and re-arms for
 *         expiry 29 + 50 = 79us (beyond the run).
 *   31us  its own timer fires while the thread is being woken: nothing more.
 *   34.7us the thread re-checks (busy: runnable), SIE entry delivers in
 *         software (deliver_io 1): latency 7.7us; handler and busy past 40us.
 * 2 halts, 2 wait exits, 1 tick, 1 restart, no poll counters. */
static void test_no_poll_steal(void **state)
{
    (void)state;
    const char *y =
        HEAD "guests:\n  - {name: g, vcpus: 1, workload: {start: idle, idle: const(8us),"
             " busy: const(10us), handler: const(2us)}}\n"
             "sources:\n" ONE_AT("dev", 3, "27us");
    const char *sets[] = {"model.halt_poll=50us", "duration=40us", "model.host_steal=10"};
    run r = run_ok(y, sets, 3);
    assert_int_equal(C(r, "halt_no_poll_steal"), 2);
    assert_int_equal(C(r, "halt_attempted_poll"), 0);
    assert_int_equal(C(r, "halt_successful_poll"), 0);
    assert_int_equal(C(r, "halt_wakeup"), 2);
    assert_int_equal(C(r, "exit_wait_state"), 2);
    assert_int_equal(C(r, "kicks_kicker"), 1);
    assert_int_equal(C(r, "kicker_ticks"), 1);
    assert_int_equal(C(r, "timer_restarts"), 1);
    assert_int_equal(C(r, "deliver_io"), 1);
    assert_int_equal(r.g->latency.max, 7700);
    run_free(&r);
}

/* Item 3, the adapter summary indicator (set_adapter_int and
 * adapter_indicators_set in arch/s390/kvm/interrupt.c; the guest's
 * virtio_airq_handler clears it between its two indicator scans). One
 * waiting vCPU; one adapter notifying at 100, 103, 106us and 120, 123,
 * 126us on ISC 6: a software (virtio) source under upstream, and the same
 * as a pass-through source under no-gisa, where every adapter interrupt
 * takes this path.
 *   100us summary 0 -> 1: injected (inject_io 1) into the IPM (upstream) or
 *         the floating list (no-gisa); __floating_irq_kick wakes vCPU 0
 *         (kicks_inject / kicks_float 1).
 *   103us summary set: coalesced there (summary_coalesced 1), no
 *         injection, no kick.
 *   105us the woken thread re-checks and its SIE entry delivers (deliver_io
 *         1): latency 5us; handler 105-107us.
 *   106us summary still set (the handler has not cleared it): coalesced.
 *   107us the handler's second scan serves 103 and 106 (one more handler
 *         run, 107-109us): latencies 4us and 1us. At 109us nothing is left:
 *         the summary indicator is clear; wait exit, halt at 110us.
 *   120-129us the same again: inject_io 2, kick 2, 123 and 126 coalesced.
 * 6 injected, 2 inject_io, 4 summary_coalesced, 2 kicks, 2 deliver_io; the
 * core counts 4 delivered (100, 120, and the first held at the indicator
 * each time, 103 and 123) + 2 coalesced (106, 126); max latency 5us; no
 * GAL. (Before the fix every notification was injected and kicked: 6
 * inject_io, 6 kicks.) */
static void test_summary_indicator(void **state)
{
    (void)state;
    static const struct {
        const char *h, *injection, *kicks_path;
    } cases[] = {{"upstream", "software", "kicks_inject"},
                 {"no-gisa", "passthrough", "kicks_float"}};
    for (int i = 0; i < 2; i++) {
        char y[2048], set[64];
        snprintf(y, sizeof y,
                 HEAD "guests:\n  - {name: g, vcpus: 1, " IDLE_WORKLOAD "}\nsources:\n"
                      "  - {name: vio, target: g, class: 6, injection: %s, arrivals:"
                      " 'storm(count=3, window=9us, period=20us, spacing=even)',"
                      " start: 100us, stop: 130us}\n",
                 cases[i].injection);
        snprintf(set, sizeof set, "model.heuristic=%s", cases[i].h);
        const char *sets[] = {set};
        run r = run_ok(y, sets, 1);
        print_message("%s\n", cases[i].h);
        assert_int_equal(r.g->injected, 6);
        assert_int_equal(C(r, "inject_io"), 2);
        assert_int_equal(C(r, "summary_coalesced"), 4);
        assert_int_equal(r.g->kicks, 2);
        assert_int_equal(C(r, cases[i].kicks_path), 2);
        assert_int_equal(C(r, "deliver_io"), 2);
        assert_int_equal(r.g->delivered, 4);
        assert_int_equal(r.g->coalesced, 2);
        assert_int_equal(r.g->pending, 0);
        assert_int_equal(r.g->latency.max, 5000);
        assert_int_equal(C(r, "gal_interrupts"), 0);
        run_free(&r);
    }
}

/* Item 4, v5 as posted ([PATCH v5 13/15] __try_airqs_kick and
 * __floating_airqs_kick). vCPU 0 has PSW I/O off, vCPU 1 enables ISC 3,
 * vCPU 2 enables ISCs 3 and 5; ISC 3 and ISC 5 arrive at 100us (ISC 3
 * alerts and clears the whole IAM; ISC 5 only sets its IPM bit).
 * At 102us the handler reads {3,5}; the first-fit walk skips vCPU 0 (PSW
 * I/O off), takes vCPU 1 (enables uncovered ISC 3; covered {3}), then
 * vCPU 2 (enables uncovered ISC 5): 2 kicks (kicks_cover 2). A greedy or
 * minimal cover would have woken vCPU 2 alone. Both re-check at 107us in
 * kick order: vCPU 1 takes ISC 3, vCPU 2 takes ISC 5: nothing wasted,
 * latencies 7us; the first wait entry (110us) finds the IPM clean, off the
 * list: 1 restore. */
static void test_v5_first_fit(void **state)
{
    (void)state;
    const char *y = HEAD "guests:\n  - {name: g, vcpus: 3, " IDLE_WORKLOAD ","
                         " vcpu_overrides: [{index: 0, io_enabled: false}, {index: 1, iscs: [3]},"
                         " {index: 2, iscs: [3, 5]}]}\n"
                         "sources:\n" ONE_AT("a", 3, "100us") ONE_AT("b", 5, "100us");
    const char *sets[] = {"model.heuristic=v5"};
    run r = run_ok(y, sets, 1);
    assert_int_equal(C(r, "gal_interrupts"), 1);
    assert_int_equal(C(r, "kicks_cover"), 2);
    assert_int_equal(r.g->vcpus[0].kicks, 0);
    assert_int_equal(r.g->vcpus[1].kicks, 1);
    assert_int_equal(r.g->vcpus[2].kicks, 1);
    assert_int_equal(C(r, "wasted_kicks"), 0);
    assert_int_equal(r.g->delivered, 2);
    assert_int_equal(r.g->latency.max, 7000);
    assert_int_equal(C(r, "iam_restores"), 1);
    run_free(&r);
}

/* Item 4, v5's set_iam() when idle vCPUs exist but none could be kicked
 * (__floating_airqs_kick): one waiting vCPU with PSW I/O off. 100us: ISC 3
 * alerts (GAL 1, IAM cleared); 102us: get_ipm() reads {3}, nobody can be
 * kicked, the IPM still reads {3}, a vCPU is idle: the IAM is set again
 * (restore 1) although the interrupt is still pending. 200us: a second ISC
 * 3 coalesces into the IPM bit, and with the IAM set and the GISA off the
 * list it alerts again (GAL 2, restore 2 at 202us). Both stay pending. */
static void test_v5_set_iam_without_kick(void **state)
{
    (void)state;
    const char *y = HEAD "guests:\n  - {name: g, vcpus: 1, " IDLE_WORKLOAD ","
                         " vcpu: {io_enabled: false}}\n"
                         "sources:\n" ONE_AT("a", 3, "100us") ONE_AT("b", 3, "200us");
    const char *sets[] = {"model.heuristic=v5"};
    run r = run_ok(y, sets, 1);
    assert_int_equal(C(r, "gal_interrupts"), 2);
    assert_int_equal(C(r, "iam_restores"), 2);
    assert_int_equal(r.g->kicks, 0);
    assert_int_equal(r.g->pending, 1);
    assert_int_equal(r.g->coalesced, 1);
    assert_int_equal(C(r, "iam_stranded"), 0);
    run_free(&r);
}

/* Item 5: a halted guest executes no instructions, so its mask schedule
 * waits for the next guest entry. One waiting vCPU, mask_every 50us,
 * mask_for 1000us, mask_iscs [3]; ISC 3 at 100us and at 300us (upstream).
 *   50us  the change falls due while the vCPU is halted: deferred; its CR6
 *         still enables ISC 3.
 *   100us alert (GAL 1); the tick at 102.7us kicks vCPU 0 (the old model
 *         had masked ISC 3 in the halted vCPU: no kick, never delivered);
 *         107.7us SIE entry delivers with the CR6 of the wait (latency
 *         7.7us), then the guest executes the due change: ISC 3 masked
 *         until 1107.7us (after the run). Wait entry at 110.7us restores
 *         the IAM; tick 2 (expiry 152us) finds the IPM clean and stops.
 *   300us alert (GAL 2); now ISC 3 is masked: the kicker kicks nobody; it
 *         fires at 302 + 50k us, k = 0..13 (952us; 1002us is after the
 *         run), each tick re-arming: 14 ticks, all restarts.
 * Ticks 2 + 14 = 16, restarts 1 + 14 = 15, kicks 1, delivered 1, pending 1. */
static void test_mask_change_only_in_guest(void **state)
{
    (void)state;
    const char *y = HEAD "guests:\n  - {name: g, vcpus: 1, " IDLE_WORKLOAD ","
                         " vcpu: {mask_every: const(50us), mask_for: const(1000us),"
                         " mask_iscs: [3]}}\n"
                         "sources:\n" ONE_AT("a", 3, "100us") ONE_AT("b", 3, "300us");
    run r = run_ok(y, NULL, 0);
    assert_int_equal(C(r, "gal_interrupts"), 2);
    assert_int_equal(r.g->kicks, 1);
    assert_int_equal(r.g->delivered, 1);
    assert_int_equal(r.g->latency.max, 7700);
    assert_int_equal(r.g->pending, 1);
    assert_int_equal(C(r, "kicker_ticks"), 16);
    assert_int_equal(C(r, "timer_restarts"), 15);
    run_free(&r);
}

/* Item 5, an unmask that fell due while the vCPU was halted: one vCPU,
 * busy 20us / idle 100us, starting busy; mask_every 10us, mask_for 30us,
 * mask_iscs [3]; run 200us (upstream).
 *   10us  running: ISC 3 masked (the unmask is due at 40us).
 *   20us  idle: wait exit, halt at 21us.
 *   40us  the unmask falls due while halted: deferred.
 *   50us  ISC 3 alerts (GAL 1); the kicker fires at 52, 102 and 152us
 *         (hrtimer_forward_now): the halted vCPU's CR6 still masks ISC 3,
 *         so no tick kicks anyone.
 *   120us its own timer wakes it; re-check at 125us (busy: runnable); the
 *         pre-SIE delivery reads the masked CR6 of the wait and delivers
 *         nothing; then the guest executes the due unmask and the machine
 *         presents ISC 3 (direct_deliveries 1, deliver_io 0): latency 75us.
 *   147us wait exit, 148us wait entry: IPM clean, IAM restored (1); the
 *         tick at 152.5us finds the IPM clean and stops: 3 ticks, 2
 *         restarts. (135us masks again while running; its unmask at 165us
 *         is deferred again; the next idle timer is after the run.) */
static void test_unmask_due_at_entry(void **state)
{
    (void)state;
    const char *y = HEAD "guests:\n  - {name: g, vcpus: 1, workload: {start: busy,"
                         " busy: const(20us), idle: const(100us), handler: const(2us)},"
                         " vcpu: {mask_every: const(10us), mask_for: const(30us),"
                         " mask_iscs: [3]}}\n"
                         "sources:\n" ONE_AT("a", 3, "50us");
    const char *sets[] = {"duration=200us"};
    run r = run_ok(y, sets, 1);
    assert_int_equal(C(r, "gal_interrupts"), 1);
    assert_int_equal(r.g->kicks, 0);
    assert_int_equal(C(r, "direct_deliveries"), 1);
    assert_int_equal(C(r, "deliver_io"), 0);
    assert_int_equal(r.g->delivered, 1);
    assert_int_equal(r.g->latency.max, 75000);
    assert_int_equal(C(r, "kicker_ticks"), 3);
    assert_int_equal(C(r, "timer_restarts"), 2);
    assert_int_equal(C(r, "iam_restores"), 1);
    run_free(&r);
}

/* Item 6: the kicker re-arms with hrtimer_forward_now() (gisa_vcpu_kicker):
 * previous expiry + period, whole periods skipped when the callback ran
 * late. One waiting vCPU whose CR6 enables ISC 0 only; ISC 3 (registered)
 * at 100us: the IPM bit stays pending, so the kicker never stops; a tick
 * costs 60us, more than the 50us period.
 * GAL at 100us; pass 1 at 102us starts the kicker: it fires at 102us, its
 * callback queues behind pass 2 (102-102.2us) and decides at 162.2us;
 * forward from expiry 102us past 162.2us: 152us is skipped, next 202us.
 * Then each firing (202, 302, ... us) decides 60us later and forwards to
 * the next 100us mark: firings at 102 + 100k us, k = 0..8 (902us; 1002us
 * is after the run): 9 ticks, 9 restarts, no kick. (Re-arming at now +
 * 50us, as before, gave firings every 110us: 8.) host_alert_cycles: 2000 +
 * 200 + 9 * 60000 = 542200. */
static void test_kicker_forward_now(void **state)
{
    (void)state;
    const char *y = HEAD "guests:\n  - {name: g, vcpus: 1, " IDLE_WORKLOAD ", vcpu: {iscs: [0]}}\n"
                         "sources:\n" ONE_AT("a", 3, "100us");
    const char *sets[] = {"model.kicker_cost=60us"};
    run r = run_ok(y, sets, 1);
    assert_int_equal(C(r, "kicker_ticks"), 9);
    assert_int_equal(C(r, "timer_restarts"), 9);
    assert_int_equal(r.g->kicks, 0);
    assert_int_equal(C(r, "host_alert_cycles"), 542200);
    assert_int_equal(r.g->pending, 1);
    run_free(&r);
}

/* Item 7: an arrival raises an alert while a halt-polling vCPU takes the
 * interrupt. The polling scenario (one vCPU, busy 10us / idle 8us, ISC 3
 * at 27us, pre_sie_cost 500ns) with gal_cost 5us, so that the vCPU's next
 * wait entry comes while the GISA is still on the alert list.
 *   27us   alert: GISA linked, IAM cleared (GAL 1, handled from 32us); the
 *          polling vCPU sees the IPM bit: delivered at 27.5us, latency
 *          500ns; handler until 29.5us, wait exit until 30.5us.
 *   30.5us wait entry, GISA on the list:
 *          upstream: gisa_get_ipm_or_restore_iam() does not look at the
 *            list: IPM clean -> IAM restored (1);
 *          v5, kick-all: get_ipm(IRQ_FLAG_IAM) restores only off the list;
 *          v4: its wait entry restores only off the list.
 *          It halts (window 0 after the invalid poll), sleeps.
 *   31us   its own timer wakes it (re-check at 36us: busy, runnable).
 *   32us   pass 1 takes the GISA off the list:
 *          upstream: starts the kicker; the tick at 32.7us finds the IPM
 *            clean (IAM already restored) and stops: 1 tick;
 *          v5, kick-all: the handler's first get_ipm() finds the IPM clean
 *            off the list: IAM restored (1), nobody kicked;
 *          v4: wakes the first idle vCPU, vCPU 0 (kicks_gal 1), and leaves
 *            the guest with a clean IPM, IAM 0, off the list, no kicker:
 *            iam_stranded 1 (v4's own behaviour; counted, not a failure).
 *   36us   vCPU 0 enters SIE with nothing to deliver: v4's kick wasted.
 * Before the fix v5 and kick-all restored nothing here (stranded for good). */
static void test_iam_stranded(void **state)
{
    (void)state;
    static const struct {
        const char *h;
        uint64_t restores, stranded, kicks, wasted, ticks;
    } cases[] = {{"upstream", 1, 0, 0, 0, 1},
                 {"v5", 1, 0, 0, 0, 0},
                 {"kick-all", 1, 0, 0, 0, 0},
                 {"v4", 0, 1, 1, 1, 0}};
    const char *y =
        HEAD "guests:\n  - {name: g, vcpus: 1, workload: {start: idle, idle: const(8us),"
             " busy: const(10us), handler: const(2us)}}\n"
             "sources:\n" ONE_AT("dev", 3, "27us");
    for (int i = 0; i < 4; i++) {
        char h[64];
        snprintf(h, sizeof h, "model.heuristic=%s", cases[i].h);
        const char *sets[] = {"model.halt_poll=50us", "duration=40us", "model.pre_sie_cost=500ns",
                              "model.gal_cost=5us", h};
        run r = run_ok(y, sets, 5);
        print_message("%s\n", cases[i].h);
        assert_int_equal(C(r, "gal_interrupts"), 1);
        assert_int_equal(C(r, "halt_successful_poll"), 1);
        assert_int_equal(r.g->latency.max, 500);
        assert_int_equal(C(r, "iam_restores"), cases[i].restores);
        assert_int_equal(C(r, "iam_stranded"), cases[i].stranded);
        assert_int_equal(r.g->kicks, cases[i].kicks);
        assert_int_equal(C(r, "wasted_kicks"), cases[i].wasted);
        assert_int_equal(C(r, "kicker_ticks"), cases[i].ticks);
        run_free(&r);
    }
}

/* Item 8: __floating_irq_kick does not set kicked_mask. One vCPU that
 * enables every ISC, slow wake-up (120us); a software notification on ISC 6
 * at 100us and a pass-through interrupt on ISC 3 at 101us (upstream).
 *   100us inject_io 1: IPM bit 6, __floating_irq_kick wakes vCPU 0
 *         (kicks_inject 1, halt_wakeup 1); its kicked_mask bit stays clear.
 *   101us ISC 3 alerts (GAL 1); pass 1 at 103us starts the kicker; the tick
 *         decides at 103.7us: pending alert ISCs {3}, vCPU 0 is still in
 *         idle_mask and its kicked_mask bit is clear: kicked (kicks_kicker
 *         1; the model used to see the bit set by the floating kick and
 *         kick nobody). Its thread is already being woken: no second
 *         halt_wakeup. Re-armed for 153us and 203us: vCPU 0 is still in
 *         idle_mask with its bit set: no kick.
 *   220us the thread re-checks (runnable; kicked bit cleared) and its SIE
 *         entry delivers ISC 3 (deliver_io 1, latency 119us); the handler
 *         ends at 222us and the machine presents ISC 6 (direct 1, latency
 *         122us); wait entry at 225us restores the IAM; the tick at 253.5us
 *         finds it clean: 4 ticks, 3 restarts. */
static void test_floating_kick_leaves_kicked_mask(void **state)
{
    (void)state;
    const char *y = HEAD "guests:\n  - {name: g, vcpus: 1, " IDLE_WORKLOAD "}\n"
                         "sources:\n  - {name: vio, target: g, class: 6, injection: software,"
                         " arrivals: 'storm(count=1, window=1ns, period=1s, spacing=even)',"
                         " start: 100us}\n" ONE_AT("nic", 3, "101us");
    const char *sets[] = {"host.wakeup=120us"};
    run r = run_ok(y, sets, 1);
    assert_int_equal(r.g->kicks, 2);
    assert_int_equal(C(r, "kicks_inject"), 1);
    assert_int_equal(C(r, "kicks_kicker"), 1);
    assert_int_equal(C(r, "wasted_kicks"), 0);
    assert_int_equal(C(r, "halt_wakeup"), 1);
    assert_int_equal(C(r, "deliver_io"), 1);
    assert_int_equal(C(r, "direct_deliveries"), 1);
    assert_int_equal(r.g->delivered, 2);
    assert_int_equal(r.g->latency.max, 122000);
    assert_int_equal(C(r, "kicker_ticks"), 4);
    assert_int_equal(C(r, "timer_restarts"), 3);
    assert_int_equal(C(r, "iam_restores"), 1);
    run_free(&r);
}

/* Properties on random scenarios, for every heuristic: the run succeeds
 * (the model checks, as it goes, that the IAM stays within alert_mask, that
 * a GISA on the alert list has its IAM cleared and that only waiting vCPUs
 * are kicked; the core checks conservation per guest), vCPU time adds up,
 * and no-gisa never raises a GAL interruption. */
/* ---- historical bugs, switchable (model.bugs), each against the fix ------ */

/* Runs y as written and with model.bugs=[bug]. */
static void run_pair(const char *y, const char *bug, run *fixed, run *buggy)
{
    char set[64];
    snprintf(set, sizeof set, "model.bugs=[%s]", bug);
    const char *sets[] = {set};
    *fixed = run_ok(y, NULL, 0);
    *buggy = run_ok(y, sets, 1);
}

/* "KVM: s390: preserve deliverable_mask in __airqs_kick_single_vcpu" (Halil
 * Pasic, 19 Oct 2021). Issue case 1: ISC 3 at 100us, enabled on vCPU 2 only
 * (vCPUs 0 and 1 enable ISC 0). Fixed: tick 1 at 102.7us skips vCPUs 0 and
 * 1 and kicks vCPU 2: delivered at 107.7us (test_upstream_single_alert).
 * Buggy: the walk narrows the mask by vCPU 0's CR6 ({3} & {0} = 0), so no
 * later vCPU matches and nobody is kicked; the kicker finds ISC 3 pending at
 * every tick (expiries 102, 152, ..., 952us: 18 ticks, each re-arming) and
 * kicks no one: the interrupt is still pending at 1ms, 900us old. */
static void test_bug_shrinking_mask(void **state)
{
    (void)state;
    run fixed, buggy;
    run_pair(HEAD ONE_GUEST_ISC3_ON_VCPU2, "shrinking-mask", &fixed, &buggy);
    assert_int_equal(fixed.g->delivered, 1);
    assert_int_equal(fixed.g->latency.max, 7700);
    assert_int_equal(buggy.g->delivered, 0);
    assert_int_equal(buggy.g->kicks, 0);
    assert_int_equal(C(buggy, "kicker_ticks"), 18);
    assert_int_equal(buggy.g->undelivered, 1);
    assert_int_equal(buggy.g->oldest_pending, 900000);
    run_free(&fixed);
    run_free(&buggy);
}

/* "KVM: s390: index kvm->arch.idle_mask by vcpu_idx" (Halil Pasic, Aug
 * 2021). Two waiting vCPUs: vCPU 0 (vcpu_id 0) enables ISC 0, vCPU 1 has
 * vcpu_id 2 (userspace skipped id 1) and enables ISC 3; ISC 3 at 100us.
 * Fixed: tick 1 kicks vCPU 1: delivered at 107.7us. Buggy: idle_mask has
 * bits 0 and 2 (ids), the kick walks bits below online_vcpus (2) taking
 * each as an index: bit 0 is vCPU 0, whose CR6 misses ISC 3; bit 1 is not
 * set; bit 2 is never reached. Nobody is kicked at any of the 18 ticks: the
 * interrupt is still pending at 1ms. */
static void test_bug_idle_mask_by_id(void **state)
{
    (void)state;
    const char *y = HEAD "guests:\n  - {name: g, vcpus: 2, " IDLE_WORKLOAD ", vcpu: {iscs: [0]},"
                         " vcpu_overrides: [{index: 1, iscs: [3], vcpu_id: 2}]}\n"
                         "sources:\n" ONE_AT("dev", 3, "100us");
    run fixed, buggy;
    run_pair(y, "idle-mask-by-id", &fixed, &buggy);
    assert_int_equal(fixed.g->delivered, 1);
    assert_int_equal(fixed.g->vcpus[1].kicks, 1);
    assert_int_equal(fixed.g->latency.max, 7700);
    assert_int_equal(buggy.g->delivered, 0);
    assert_int_equal(buggy.g->kicks, 0);
    assert_int_equal(C(buggy, "kicker_ticks"), 18);
    assert_int_equal(buggy.g->undelivered, 1);
    run_free(&fixed);
    run_free(&buggy);
}

/* "KVM: s390: clear kicked_mask before sleeping again" (Halil Pasic, 19 Oct
 * 2021). Two host CPUs (fifo, pinned: vCPUs 0 and 2 on CPU 0, vCPU 1 on CPU
 * 1, which also takes the GAL), context switch 2us; three vCPUs busy 20us
 * then waiting; vCPUs 0 and 2 enable ISC 3, vCPU 1 ISC 0; vCPU 2 masks ISC 3
 * from 25us for 10us (its mask schedule).
 *   0-21us   vCPUs 0 and 1 run 20us, wait exit, halt at 21us; vCPU 2 gets
 *            CPU 0 at 21us, 2us switch, busy 23-43us.
 *   30us     X on ISC 3: vCPU 2 masks it, nobody else in SIE: IPM, alert.
 *   32.7us   kicker tick 1 kicks vCPU 0 (first idle with ISC 3); its thread
 *            waits for CPU 0, which vCPU 2 holds.
 *   35us     vCPU 2 unmasks ISC 3 and the machine presents X (latency 5us);
 *            its handler runs 35-37us, its busy period ends at 45us, it
 *            halts at 46us.
 *   46us     vCPU 0 gets CPU 0: 2us switch, 5us wake-up, re-checks at 53us:
 *            nothing (X is gone): it sleeps again, the kick wasted. Fixed:
 *            kvm_arch_vcpu_runnable cleared its kicked_mask bit. Buggy: the
 *            bit stays set (only vcpu_pre_run would clear it).
 *   82us     tick 2 finds the IPM clean: restores the IAM and stops.
 *   200us    Y on ISC 3: everyone waits: alert; tick at 202.7us. Fixed:
 *            kicks vCPU 0, which runs at once (CPU 0 idle, it ran there
 *            last) and delivers at 207.7us (latency 7.7us). Buggy: vCPU 0
 *            is the first idle vCPU with ISC 3 and its bit is set: "lately
 *            kicked but not yet running", nobody is kicked, at this tick and
 *            every later one: Y is still pending at 1ms, 800us old. */
static void test_bug_lost_kick(void **state)
{
    (void)state;
    const char *y =
        "name: t\nclock_hz: 1e9\nduration: 1ms\n"
        "host: {cpus: 2, sched: fifo, affinity: pinned, wakeup: 5us, wait_exit: 1us,"
        " ctx_switch: 2us}\n"
        "model: {name: gib, gal_cpu: 1, gal_cost: 2us, gal_gisa_cost: 200ns, kicker_cost: 500ns,"
        " kicker_period: 50us, halt_poll: 0ns}\n"
        "guests:\n  - {name: g, vcpus: 3, workload: {start: busy, busy: const(20us),"
        " idle: const(10s), handler: const(2us)}, vcpu: {iscs: [3]},"
        " vcpu_overrides: [{index: 1, iscs: [0]}, {index: 2, iscs: [3], mask_every: const(25us),"
        " mask_for: const(10us), mask_iscs: [3]}]}\n"
        "sources:\n" ONE_AT("x", 3, "30us") ONE_AT("y", 3, "200us");
    run fixed, buggy;
    run_pair(y, "lost-kick", &fixed, &buggy);
    assert_int_equal(fixed.g->delivered, 2);
    assert_int_equal(C(fixed, "wasted_kicks"), 1);
    assert_int_equal(fixed.g->latency.min, 5000);
    assert_int_equal(fixed.g->latency.max, 7700);
    assert_int_equal(buggy.g->delivered, 1);
    assert_int_equal(buggy.g->latency.max, 5000);
    assert_int_equal(buggy.g->undelivered, 1);
    assert_int_equal(buggy.g->oldest_pending, 800000);
    run_free(&fixed);
    run_free(&buggy);
}

static void test_random_properties(void **state)
{
    (void)state;
    char y[4096];
    uint64_t total_injected = 0;
    for (int seed = 1; seed <= 16; seed++) {
        for (size_t h = 0; h < sizeof all_heuristics / sizeof *all_heuristics; h++) {
            snprintf(y, sizeof y,
                     "name: r\nseed: %d\nclock_hz: 1e9\nduration: 20ms\n"
                     "host: {cpus: %d, timeslice: 500us}\n"
                     "model: {name: gib, heuristic: %s, iam_clear: %s, halt_poll: %s}\n"
                     "guests:\n"
                     "  - {name: a, count: %d, vcpus: %d, workload: {busy: exp(%dus),"
                     " idle: exp(%dus), handler: exp(2us)}, vcpu: {iscs: [%d, %d],"
                     " mask_every: exp(300us), mask_for: exp(30us), mask_iscs: [%d]},"
                     " vcpu_overrides: [{index: 0, io_enabled: false}]}\n"
                     "  - {name: b, count: 2, vcpus: 3, workload: {start: idle,"
                     " idle: exp(1ms)}}\n"
                     "sources:\n"
                     "  - {name: pt, target: a, class: %d, arrivals: poisson(%dk/s)}\n"
                     "  - {name: sw, target: a, class: %d, injection: software,"
                     " arrivals: poisson(20k/s)}\n"
                     "  - {name: st, target: b, class: 2, arrivals: 'storm(count=40,"
                     " window=30us, period=1ms)'}\n",
                     seed, 1 + seed % 3, all_heuristics[h], seed % 2 ? "all" : "isc",
                     seed % 3 ? "0ns" : "20us", 1 + seed % 3, 2 + seed % 4, 20 + 13 * seed,
                     40 + 17 * seed, seed % 8, (seed * 3) % 8, seed % 8, (seed * 5) % 8,
                     10 + 7 * seed, (seed + 2) % 8);
            irq_scenario *sc;
            irq_error err = {0};
            int rc;
            irq_sim *sim = run_text(y, NULL, 0, &sc, &err, &rc);
            if (!sim || rc != IRQ_OK)
                fail_msg("seed %d, %s: %s", seed, all_heuristics[h], err.message);
            uint64_t gal = 0, inj = 0;
            for (size_t i = 0; i < sim->priv->nguests; i++) {
                gal += mcount(sim, &sim->priv->guests[i], "gal_interrupts");
                inj += sim->priv->guests[i].injected;
            }
            assert_true(inj > 200);
            total_injected += inj;
            if (!strcmp(all_heuristics[h], "no-gisa"))
                assert_int_equal(gal, 0);
            assert_time_accounted(sim, 20000000);
            irq_sim_free(sim);
            irq_scenario_free(sc);
        }
    }
    print_message("random properties: %llu interrupts over 112 runs\n",
                  (unsigned long long)total_injected);
}

#ifndef SCENARIO_DIR
#define SCENARIO_DIR "scenarios"
#endif

static irq_sim *run_file(const char *name, const char *const *sets, size_t nsets, irq_scenario **sc)
{
    char path[512];
    irq_error err = {0};
    irq_sim *sim = NULL;
    snprintf(path, sizeof path, "%s/%s", SCENARIO_DIR, name);
    int rc = irq_scenario_load(sc, path, sets, nsets, &err);
    if (rc == IRQ_OK)
        rc = irq_sim_create(&sim, *sc, &err);
    if (rc == IRQ_OK)
        rc = irq_sim_run(sim, NULL, NULL, &err);
    if (rc != IRQ_OK)
        fail_msg("%s: %s", path, err.message);
    return sim;
}

/* scenarios/gib-single.yaml is the hand-checked case its comment derives:
 * 1 GAL, 1 kick, 0 wasted, 1 IAM restore, 2 ticks, 1 restart, 7.7us. The
 * other shipped scenarios run (a short stretch) with the invariants on... */
static void test_shipped_scenarios(void **state)
{
    (void)state;
    irq_scenario *sc;
    irq_sim *sim = run_file("gib-single.yaml", NULL, 0, &sc);
    run r = {.sc = sc, .sim = sim, .g = guest_named(sim, "g")};
    assert_int_equal(C(r, "gal_interrupts"), 1);
    assert_int_equal(r.g->kicks, 1);
    assert_int_equal(C(r, "wasted_kicks"), 0);
    assert_int_equal(C(r, "iam_restores"), 1);
    assert_int_equal(C(r, "kicker_ticks"), 2);
    assert_int_equal(C(r, "timer_restarts"), 1);
    assert_int_equal(r.g->latency.max, 7700);
    run_free(&r);
    /* ...and give byte-identical reports for the same scenario and seed */
    const char *shortrun[] = {"duration=20ms"};
    const char *files[] = {"many-guests.yaml", "gib-storm.yaml"};
    for (int i = 0; i < 2; i++) {
        char *json[2];
        for (int k = 0; k < 2; k++) {
            sim = run_file(files[i], shortrun, 1, &sc);
            uint64_t inj = 0;
            for (size_t j = 0; j < sim->priv->nguests; j++)
                inj += sim->priv->guests[j].injected;
            assert_true(inj > 1000);
            json[k] = report_json(sim);
            irq_sim_free(sim);
            irq_scenario_free(sc);
        }
        assert_string_equal(json[0], json[1]);
        free(json[0]);
        free(json[1]);
    }
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_upstream_single_alert),
        cmocka_unit_test(test_upstream_slow_wakeup_kicked_mask),
        cmocka_unit_test(test_upstream_running_direct),
        cmocka_unit_test(test_two_iscs_upstream_vs_v5),
        cmocka_unit_test(test_none_sentinel_suppresses_second_alert),
        cmocka_unit_test(test_no_gisa_wasted_kick),
        cmocka_unit_test(test_unregistered_isc_never_alerts),
        cmocka_unit_test(test_every_heuristic_table),
        cmocka_unit_test(test_halt_polling_adaptive),
        cmocka_unit_test(test_software_injection_never_alerts),
        cmocka_unit_test(test_two_pollers_one_bit),
        cmocka_unit_test(test_no_poll_steal),
        cmocka_unit_test(test_summary_indicator),
        cmocka_unit_test(test_v5_first_fit),
        cmocka_unit_test(test_v5_set_iam_without_kick),
        cmocka_unit_test(test_mask_change_only_in_guest),
        cmocka_unit_test(test_unmask_due_at_entry),
        cmocka_unit_test(test_kicker_forward_now),
        cmocka_unit_test(test_iam_stranded),
        cmocka_unit_test(test_floating_kick_leaves_kicked_mask),
        cmocka_unit_test(test_bug_shrinking_mask),
        cmocka_unit_test(test_bug_idle_mask_by_id),
        cmocka_unit_test(test_bug_lost_kick),
        cmocka_unit_test(test_random_properties),
        cmocka_unit_test(test_shipped_scenarios),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
