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
 * delivered at T + 2 + 0.2 + 0.5 + 5 = T + 7.7us. */
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
 * halts. 152.7us tick 2 finds the IPM clean: IAM already restored, timer
 * stops. 2 ticks. Host alert cycles: 2us + 200ns + 2 * 500ns = 3200. Wait
 * exits: 4 at start + 1 after the handler. */
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
    assert_int_equal(r.g->delivered, 1);
    assert_int_equal(r.g->latency.min, 7700);
    assert_int_equal(r.g->latency.max, 7700);
    run_free(&r);
}

/* Issue case 1 with a slow wake-up (120us > the 50us kicker period).
 * Tick 1 at 102.7us kicks vCPU 2, which enters SIE only at 222.7us.
 * Tick 2 (152.7 + 0.5 = 153.2us) and tick 3 (203.7us) still see ISC 3
 * pending; vCPU 2 is still in idle_mask (its thread has not run yet) but
 * its kicked_mask bit is set, so they kick no one: kicks stay 1. vCPU 2
 * delivers at 222.7us (latency 122.7us), waits at 225.7us restoring the
 * IAM; tick 4 (254.2us) finds the IPM clean and stops: 4 ticks, 3
 * restarts, 1 restore, nothing wasted. */
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
 * CR6, so it waits. Tick 2 (153.2us) sees {5}: vCPU 1 does not overlap,
 * vCPU 2 does: kicked, delivers ISC 5 at 158.2us (latency 58.2us), restores
 * the IAM at 161.2us. Tick 3 (203.7us): clean, stop.
 * Totals: 2 kicks, 3 ticks, 2 restarts, 1 restore, 2 deliveries.
 * v5: the GAL handler itself covers {3,5} greedily at 102us: vCPU 1 (the
 * first to cover one bit), then vCPU 2 for what is left: both kicked at
 * once, both deliver at 107us (latency 7us each); no timer. The first wait
 * entry after that (110us) finds the IPM clean: 1 restore.
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
    assert_int_equal(pu->cls_hist[1].max, 58200); /* ISC 5 */

    assert_int_equal(C(cov, "gal_interrupts"), 1);
    assert_int_equal(cov.g->kicks, 2);
    assert_int_equal(cov.g->vcpus[1].kicks, 1);
    assert_int_equal(cov.g->vcpus[2].kicks, 1);
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
 * on vCPU 2 only, 4 waiting vCPUs, one interrupt at 100us).
 *  upstream: as derived above.
 *  v5: the handler's cover picks vCPU 2 (the only idle vCPU covering ISC 3)
 *   at 102us: delivered at 107us; restore at its wait entry (110us).
 *  v4: the handler wakes the first idle vCPU, vCPU 0, which cannot take ISC
 *   3. Its thread runs 5us of wake-up and re-checks in kvm_vcpu_block()
 *   (kvm_arch_vcpu_runnable) at 107us: nothing it can take, so it sleeps
 *   again (wasted), with no SIE entry and no wait intercept: the 4 wait
 *   exits of t=0 stay the only ones; the IAM is never restored and the
 *   interrupt stays pending. (Before the host issue the model re-entered SIE
 *   and was refused a wait every 1us: 897 wait exits.)
 *  v3: as v4's handler and halt loop: vCPU 0 never enters SIE, so no last
 *   SIE exit restores anything (the IAM started equal to alert_mask): 0
 *   restores, 4 wait exits, still pending.
 *  v2: like v3, but every SIE entry clears the IAM and every last exit
 *   restores it: at t=0 each of the 4 vCPUs enters and leaves SIE (4
 *   restores); the woken vCPU 0 does not enter SIE again: 4 restores.
 *  kick-all: wakes every idle vCPU enabled for ISC 3: only vCPU 2; as v5.
 *  no-gisa: no GAL; the floating kick wakes vCPU 0 at once (100us); it
 *   re-checks at 105us, cannot take ISC 3 and sleeps again (wasted, no wait
 *   exit): 4 wait exits, still pending. */
typedef struct expect {
    const char *h;
    uint64_t gal, kicks, wasted, ticks, restores, delivered, pending, wait_exits, latency;
} expect;

static void test_every_heuristic_table(void **state)
{
    (void)state;
    static const expect table[] = {
        /* h          gal kicks wasted ticks restores deliv pend waits latency */
        {"upstream", 1, 1, 0, 2, 1, 1, 0, 5, 7700}, {"v5", 1, 1, 0, 0, 1, 1, 0, 5, 7000},
        {"v4", 1, 1, 1, 0, 0, 0, 1, 4, 0},          {"v3", 1, 1, 1, 0, 0, 0, 1, 4, 0},
        {"v2", 1, 1, 1, 0, 4, 0, 1, 4, 0},          {"kick-all", 1, 1, 0, 0, 1, 1, 0, 5, 7000},
        {"no-gisa", 0, 1, 1, 0, 0, 0, 1, 4, 0},
    };
    for (size_t i = 0; i < sizeof table / sizeof *table; i++) {
        const expect *e = &table[i];
        char set[64];
        snprintf(set, sizeof set, "model.heuristic=%s", e->h);
        const char *sets[] = {set};
        run r = run_ok(HEAD ONE_GUEST_ISC3_ON_VCPU2, sets, 1);
        print_message("heuristic %s\n", e->h);
        assert_int_equal(C(r, "gal_interrupts"), e->gal);
        assert_int_equal(r.g->kicks, e->kicks);
        assert_int_equal(C(r, "wasted_kicks"), e->wasted);
        assert_int_equal(C(r, "kicker_ticks"), e->ticks);
        assert_int_equal(C(r, "iam_restores"), e->restores);
        assert_int_equal(r.g->delivered, e->delivered);
        assert_int_equal(r.g->pending, e->pending);
        assert_int_equal(C(r, "exit_wait_state"), e->wait_exits);
        assert_int_equal(r.g->latency.max, e->latency);
        run_free(&r);
    }
}

/* Halt polling, adaptive as kvm_vcpu_halt() does it (virt/kvm/kvm_main.c),
 * with s390's invalid wake-ups (CONFIG_HAVE_KVM_INVALID_WAKEUPS). Maximum
 * 50us; one vCPU busy 10us / idle 8us (its own timer wakes it, a valid
 * wake-up); one pass-through interrupt on ISC 3 at 27us; run 40us.
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
 *         is below grow_start, so 0. Delivered at once: latency 0, no kick.
 *   29us  handler ends; 30us wait exit: halt 3, window 0: sleeps. (The GAL
 *         handler's kicker tick at 29.7us found the IPM clean and restored
 *         the IAM: 1 tick, 0 restarts, 1 restore.)
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
    const char *sets[] = {"model.halt_poll=50us", "duration=40us"};
    run r = run_ok(y, sets, 2);
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
    assert_int_equal(r.g->delivered, 1);
    assert_int_equal(r.g->latency.max, 0);
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

/* Properties on random scenarios, for every heuristic: the run succeeds
 * (the model checks, as it goes, that the IAM stays within alert_mask, that
 * a GISA on the alert list has its IAM cleared and that only waiting vCPUs
 * are kicked; the core checks conservation per guest), vCPU time adds up,
 * and no-gisa never raises a GAL interruption. */
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
            for (size_t i = 0; i < sim->priv->nvcpus; i++) {
                uint64_t t = 0;
                for (int s = 0; s < IRQ_VCPU_NSTATES; s++)
                    t += sim->priv->vcpus[i].time_in[s];
                assert_int_equal(t, 20000000);
            }
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
        cmocka_unit_test(test_random_properties),
        cmocka_unit_test(test_shipped_scenarios),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
