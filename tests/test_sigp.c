/* Regression tests for SIGP orders between the vCPUs of an s390 guest
 * (model gib, issue 16). Every expected figure is derived by hand from
 * arch/s390/kvm/sigp.c, interrupt.c and intercept.c as docs/gib.md "SIGP
 * orders" summarises them; the derivation is next to the assertions.
 *
 * Set-up as in test_gib.c (clock 1 GHz: 1 ns = 1 cycle): host wakeup 5us,
 * wait_exit 1us, FIFO pinned threads (vCPU i on CPU i), GAL on CPU 4,
 * gal_cost 2us, gal_gisa_cost 200ns, kicker_cost 500ns, kicker period
 * 50us, no halt polling; model costs sigp_cost 2us (default),
 * sigp_user_cost 20us (default), stop_cost 10us (default), intercept_cost
 * 1us (default); handler 2us. Every vCPU starts idle for longer than the
 * run: it enters the guest at t=0, its 1us wait exit ends in a halt at
 * 1us.
 *
 * A sender runs guest code only when an I/O interrupt wakes it: its
 * `from:` source counts arrivals in its guest (RUNNING) time, so an order
 * at guest time 0 goes out the moment the sender's first handler starts.
 * A single ISC-3 interrupt at 100us (the sender alone enables ISC 3)
 * alerts; under upstream tick 1 decides at 102.7us and kicks the sender,
 * which enters SIE at 107.7us (test_gib.c, case 1): its handler starts
 * then, and so does its order. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#include <cmocka.h>

#include "test_sim_helpers.h"

#define HEAD_H(h)                                                                                  \
    "name: t\nclock_hz: 1e9\nduration: 1ms\n"                                                      \
    "host: {cpus: 5, sched: fifo, affinity: pinned, wakeup: 5us, wait_exit: 1us}\n"                \
    "model: {name: gib, heuristic: " h ", gal_cpu: 4, gal_cost: 2us, gal_gisa_cost: 200ns,"        \
    " kicker_cost: 500ns, kicker_period: 50us, halt_poll: 0ns}\n"
#define HEAD HEAD_H("upstream")
#define IDLE "workload: {start: idle, idle: const(10s), handler: const(2us)}"
#define ONCE "'storm(count=1, window=1ns, period=1s, spacing=even)'"
/* two arrivals at guest times 0 and 1ns */
#define TWICE "'storm(count=2, window=2ns, period=1s, spacing=even)'"
#define DEV(name, isc)                                                                             \
    "  - {name: " name ", target: g, class: " #isc ", arrivals: " ONCE ", start: 100us}\n"
#define ORDER(name, from, to, cls, arr)                                                            \
    "  - {name: " name ", target: g, from: " #from ", vcpu: " #to ", class: " #cls                 \
    ", arrivals: " arr "}\n"

/* Two vCPUs: 0 (enables ISC 3) sends, 1 (ISC 0 only) receives. */
#define PAIR                                                                                       \
    "guests:\n  - {name: g, vcpus: 2, " IDLE ", vcpu: {iscs: [0]},"                                \
    " vcpu_overrides: [{index: 0, iscs: [3]}]}\n"

#define C(r, name) mcount((r).sim, (r).g, name)

/* The latencies of class cls (min, max), run-wide (one guest here),
 * through the result API. */
static void class_lat(const run *r, uint32_t cls, double *min, double *max)
{
    char name[16];
    snprintf(name, sizeof name, "%u", cls);
    irq_latency l;
    irq_error err = {0};
    if (irq_result_latency(r->sim, IRQ_SCOPE_CLASS, result_item(r->sim, IRQ_SCOPE_CLASS, name),
                           "delivered", &l, &err) != IRQ_OK)
        fail_msg("%s", err.message);
    *min = l.min;
    *max = l.max;
}

/* An external call to a waiting vCPU, with the SIGP interpretation
 * facility (default). At 107.7us vCPU 0 sends; the machine sets vCPU 1's
 * SCA bit (sigp_interpreted 1) and, vCPU 1 being in enabled wait
 * (CPUSTAT_WAIT), vCPU 0 takes a partial-execution intercept (exit_pei 1,
 * a 2us trap) whose handler wakes vCPU 1 (kvm_s390_handle_sigp_pei ->
 * kvm_s390_vcpu_wakeup: kicks_sigp 1, a valid wake-up, halt_wakeup 2 with
 * the kicker's). vCPU 1's thread re-checks at 107.7 + 5 = 112.7us: an
 * external call is pending and CR0 enables it (kvm_s390_vcpu_has_irq), so
 * the halt ends; at SIE entry the host has nothing to deliver (the call is
 * in the SCA, not in pending_irqs) and the machine presents it:
 * external_call_direct 1, latency 5us. No instruction intercept, no
 * inject_external_call. Conservation: 2 injected, 2 delivered. */
static void test_extcall_to_waiting_interpreted(void **state)
{
    (void)state;
    run r = run_ok(HEAD PAIR "sources:\n" DEV("dev", 3) ORDER("ec", 0, 1, 258, ONCE), NULL, 0);
    assert_int_equal(C(r, "sigp_interpreted"), 1);
    assert_int_equal(C(r, "exit_pei"), 1);
    assert_int_equal(C(r, "instruction_sigp_external_call"), 0);
    assert_int_equal(C(r, "inject_external_call"), 0);
    assert_int_equal(C(r, "kicks_sigp"), 1);
    assert_int_equal(C(r, "external_call_direct"), 1);
    assert_int_equal(C(r, "deliver_external_call"), 0);
    assert_int_equal(C(r, "halt_wakeup"), 2);
    assert_int_equal(C(r, "traps"), 1);
    assert_int_equal(r.g->injected, 2);
    assert_int_equal(r.g->delivered, 2);
    double lo, hi;
    class_lat(&r, 258, &lo, &hi);
    assert_int_equal(whole(lo), 5000);
    assert_int_equal(whole(hi), 5000);
    run_free(&r);
}

/* The same without the facility: the SIGP intercepts (instruction_sigp_
 * external_call 1, a 2us trap), __inject_extcall sets IRQ_PEND_EXT_EXTERNAL
 * (inject_external_call 1) and CPUSTAT_EXT_INT, and kvm_s390_vcpu_wakeup
 * wakes vCPU 1 at once (same instant as above). At 112.7us it re-checks,
 * leaves its halt, and vcpu_pre_run delivers the call in software
 * (deliver_external_call 1): latency 5us again. Nothing is left pending,
 * so no CPUSTAT_EXT_INT is set again: no exit_external_request. */
static void test_extcall_to_waiting_intercepted(void **state)
{
    (void)state;
    const char *sets[] = {"model.sigp_interpretation=false"};
    run r = run_ok(HEAD PAIR "sources:\n" DEV("dev", 3) ORDER("ec", 0, 1, 258, ONCE), sets, 1);
    assert_int_equal(C(r, "sigp_interpreted"), 0);
    assert_int_equal(C(r, "exit_pei"), 0);
    assert_int_equal(C(r, "instruction_sigp_external_call"), 1);
    assert_int_equal(C(r, "inject_external_call"), 1);
    assert_int_equal(C(r, "kicks_sigp"), 1);
    assert_int_equal(C(r, "deliver_external_call"), 1);
    assert_int_equal(C(r, "external_call_direct"), 0);
    assert_int_equal(C(r, "exit_external_request"), 0);
    assert_int_equal(C(r, "traps"), 1);
    double lo, hi;
    class_lat(&r, 258, &lo, &hi);
    assert_int_equal(whole(lo), 5000);
    assert_int_equal(whole(hi), 5000);
    run_free(&r);
}

/* A second external call while the first is pending. vCPU 0 sends at
 * guest times 0 and 1ns. The first (107.7us) is as in the test above. The
 * sender's 2us trap stops its guest clock, so the second goes out at
 * 109.701us, when vCPU 1 is still waking (its re-check is at 112.7us):
 * the call is still pending, so the second is refused ("external call
 * pending", cc 1): sigp_busy 1, dropped 1. With the facility the machine
 * refuses it without an intercept (1 trap in all, the PEI); without it
 * both intercept (2 traps, instruction_sigp_external_call 2,
 * inject_external_call 2, as __inject_extcall counts before it refuses).
 * Either way one call is delivered, latency 5us; conservation: 3 injected
 * = 2 delivered + 1 dropped. */
static void test_second_extcall_refused(void **state)
{
    (void)state;
    const char *y = HEAD PAIR "sources:\n" DEV("dev", 3) ORDER("ec", 0, 1, 258, TWICE);
    for (int interp = 1; interp >= 0; interp--) {
        const char *sets[] = {interp ? "model.sigp_interpretation=true"
                                     : "model.sigp_interpretation=false"};
        run r = run_ok(y, sets, 1);
        assert_int_equal(C(r, "sigp_busy"), 1);
        assert_int_equal(r.g->dropped, 1);
        assert_int_equal(r.g->injected, 3);
        assert_int_equal(r.g->delivered, 2);
        assert_int_equal(C(r, "traps"), interp ? 1 : 2);
        assert_int_equal(C(r, "instruction_sigp_external_call"), interp ? 0 : 2);
        assert_int_equal(C(r, "inject_external_call"), interp ? 0 : 2);
        double lo, hi;
        class_lat(&r, 258, &lo, &hi);
        assert_int_equal(whole(lo), 5000);
        assert_int_equal(whole(hi), 5000);
        run_free(&r);
    }
}

/* Emergency signals from two sources to one waiting vCPU, under v5 (its
 * GAL handler kicks the whole cover set at once, so both senders run at
 * the same time). ISC 3 (vCPU 0 only) and ISC 4 (vCPU 1 only) arrive at
 * 100us: one GAL; pass 1 at 102us kicks vCPUs 0 and 1 together
 * (kicks_cover 2); both enter SIE at 107us, start their handlers and send
 * an EMERGENCY SIGNAL to vCPU 2; vCPU 0 sends a second one at guest time
 * 1ns, i.e. at 109.001us, after its 2us intercept. Each intercepts
 * (instruction_sigp_emergency 3, inject_emergency_signal 3) and wakes
 * vCPU 2 (kicks_sigp 3: all three find it in idle_mask; the first wakes
 * it). The second from vCPU 0 finds its sender's bit in
 * sigp_emerg_pending set: coalesced 1.
 * 112us vCPU 2 re-checks and enters SIE: __deliver_emergency_signal takes
 * the lowest sender first (vCPU 0's bit, both its arrivals: latencies 5us
 * and 112 - 109.001 = 2.999us); vCPU 1's is still pending with the PSW now
 * disabled: CPUSTAT_EXT_INT. The handler ends at 114us: the vCPU leaves
 * SIE (exit_external_request 1, 1us), and the re-entry at 115us delivers
 * vCPU 1's signal: latency 8us. deliver_emergency_signal 2. */
static void test_emergency_from_two_sources(void **state)
{
    (void)state;
    const char *y =
        HEAD_H("v5") "guests:\n  - {name: g, vcpus: 3, " IDLE ", vcpu: {iscs: [0]},"
                     " vcpu_overrides: [{index: 0, iscs: [3]}, {index: 1, iscs: [4]}]}\n"
                     "sources:\n" DEV("d3", 3) DEV("d4", 4) ORDER("em0", 0, 2, 259, TWICE)
                         ORDER("em1", 1, 2, 259, ONCE);
    run r = run_ok(y, NULL, 0);
    assert_int_equal(C(r, "kicks_cover"), 2);
    assert_int_equal(C(r, "instruction_sigp_emergency"), 3);
    assert_int_equal(C(r, "inject_emergency_signal"), 3);
    assert_int_equal(C(r, "kicks_sigp"), 3);
    assert_int_equal(r.g->coalesced, 1);
    assert_int_equal(C(r, "deliver_emergency_signal"), 2);
    assert_int_equal(C(r, "exit_external_request"), 1);
    assert_int_equal(r.g->injected, 5);
    assert_int_equal(r.g->delivered, 4);
    double lo, hi;
    class_lat(&r, 259, &lo, &hi);
    assert_int_equal(whole(lo), 2999);
    assert_int_equal(whole(hi), 8000);
    run_free(&r);
}

/* STOP, then an external call to the stopped vCPU, then RESTART. Three
 * senders, woken one kicker tick apart: ISCs 3, 4 and 5 (enabled on vCPUs
 * 0, 2 and 3 only) arrive at 100us; upstream's ticks kick one vCPU each
 * (102.7, 152.5, 202.5us), which enter SIE at 107.7, 157.5 and 207.5us.
 * 107.7us vCPU 0 sends STOP to vCPU 1 (waiting): intercept plus QEMU
 * (user_sigp: 2 + 20 = 22us for the sender), inject_stop_signal 1, the
 * target woken (kicks_sigp 1). 112.7us vCPU 1 re-checks: a stop is
 * pending (kvm_s390_vcpu_has_irq(vcpu, 0)), the halt ends; nothing to
 * deliver; SIE entry meets CPUSTAT_STOP_INT: exit_stop_request 1, 10us;
 * at 122.7us it is STOPPED: the STOP's latency is 15us.
 * 157.5us vCPU 2's EXTERNAL CALL: the machine sets the SCA bit
 * (sigp_interpreted 1); vCPU 1 is stopped, not in enabled wait: no PEI,
 * no wake-up; the call stays pending.
 * 207.5us vCPU 3's RESTART goes to QEMU (22us for the sender), which
 * gives the stopped vCPU the restart interruption (no inject_restart, no
 * deliver_restart_signal: that is KVM's path for operating vCPUs) and
 * makes it operate: its CPU is idle, it enters SIE at once, its restart
 * handler starts at 207.5us (latency 0) and ends at 209.5us; the guest is
 * enabled again and the machine presents the external call from the SCA
 * (external_call_direct 1): latency 209.5 - 157.5 = 52us.
 * STOPPED time: 122.7 to 207.5us = 84.8us. 6 injected, 6 delivered. */
static void test_stop_then_restart(void **state)
{
    (void)state;
    const char *y =
        HEAD "guests:\n  - {name: g, vcpus: 4, " IDLE ", vcpu: {iscs: [0]},"
             " vcpu_overrides: [{index: 0, iscs: [3]}, {index: 2, iscs: [4]},"
             " {index: 3, iscs: [5]}]}\n"
             "sources:\n" DEV("d3", 3) DEV("d4", 4) DEV("d5", 5) ORDER("stop", 0, 1, 261, ONCE)
                 ORDER("ec", 2, 1, 258, ONCE) ORDER("rs", 3, 1, 262, ONCE);
    run r = run_ok_entries(y, NULL, 0);
    assert_int_equal(C(r, "instruction_sigp_stop"), 1);
    assert_int_equal(C(r, "inject_stop_signal"), 1);
    assert_int_equal(C(r, "exit_stop_request"), 1);
    assert_int_equal(C(r, "instruction_sigp_restart"), 1);
    assert_int_equal(C(r, "inject_restart"), 0);
    assert_int_equal(C(r, "deliver_restart_signal"), 0);
    assert_int_equal(C(r, "sigp_interpreted"), 1);
    assert_int_equal(C(r, "exit_pei"), 0);
    assert_int_equal(C(r, "kicks_sigp"), 1);
    assert_int_equal(C(r, "external_call_direct"), 1);
    assert_int_equal(r.g->injected, 6);
    assert_int_equal(r.g->delivered, 6);
    assert_int_equal(r.g->vcpus[1].time_in[IRQ_VCPU_STOPPED], 84800);
    assert_int_equal(entries_of(r.entries, &r.g->vcpus[1], IRQ_VCPU_STOPPED), 1);
    double lo, hi;
    class_lat(&r, 261, &lo, &hi);
    assert_int_equal(whole(hi), 15000);
    class_lat(&r, 258, &lo, &hi);
    assert_int_equal(whole(hi), 52000);
    class_lat(&r, 262, &lo, &hi);
    assert_int_equal(whole(hi), 0);
    run_free(&r);
}

/* An external call the target's CR0 masks: the wake-up is valid but
 * useless. vCPU 1 has external_call_subclass off. 107.7us: interpreted,
 * PEI, kvm_s390_vcpu_wakeup (kicks_sigp 1). 112.7us its thread re-checks:
 * kvm_s390_vcpu_has_irq finds the call pending but not deliverable, so it
 * sleeps again (halt_sleep_again 1, wasted_sigp 1) still in WAIT. The call
 * stays pending to the end: undelivered 1, pending 1, never lost. */
static void test_masked_extcall_stays_pending(void **state)
{
    (void)state;
    const char *y = HEAD "guests:\n  - {name: g, vcpus: 2, " IDLE ", vcpu: {iscs: [0]},"
                         " vcpu_overrides: [{index: 0, iscs: [3]},"
                         " {index: 1, external_call_subclass: false}]}\n"
                         "sources:\n" DEV("dev", 3) ORDER("ec", 0, 1, 258, ONCE);
    run r = run_ok(y, NULL, 0);
    assert_int_equal(C(r, "kicks_sigp"), 1);
    assert_int_equal(C(r, "wasted_sigp"), 1);
    assert_int_equal(C(r, "halt_sleep_again"), 1);
    assert_int_equal(r.g->pending, 1);
    assert_int_equal(r.g->undelivered, 1);
    assert_int_equal(r.g->delivered, 1);
    run_free(&r);
}

/* Both vCPUs run guest code all the time; vCPU 0 sends at 10us (its
 * source starts then). With the facility the machine presents the call to
 * vCPU 1, running and enabled, on the spot: external_call_direct 1,
 * latency 0, no exit on either side (0 traps). Without it: the sender
 * intercepts (2us trap); CPUSTAT_EXT_INT takes vCPU 1 out of SIE at once
 * (exit_external_request 1, 1us); vcpu_pre_run delivers at 11us: latency
 * 1us. */
static void test_extcall_to_running(void **state)
{
    (void)state;
    const char *y = HEAD "guests:\n  - {name: g, vcpus: 2,"
                         " workload: {start: busy, busy: const(10s), handler: const(2us)}}\n"
                         "sources:\n  - {name: ec, target: g, from: 0, vcpu: 1, class: 258,"
                         " arrivals: " ONCE ", start: 10us}\n";
    for (int interp = 1; interp >= 0; interp--) {
        const char *sets[] = {interp ? "model.sigp_interpretation=true"
                                     : "model.sigp_interpretation=false"};
        run r = run_ok(y, sets, 1);
        assert_int_equal(C(r, "external_call_direct"), interp ? 1 : 0);
        assert_int_equal(C(r, "deliver_external_call"), interp ? 0 : 1);
        assert_int_equal(C(r, "exit_external_request"), interp ? 0 : 1);
        assert_int_equal(C(r, "traps"), interp ? 0 : 1);
        double lo, hi;
        class_lat(&r, 258, &lo, &hi);
        assert_int_equal(whole(hi), interp ? 0 : 1000);
        run_free(&r);
    }
}

/* Targets chosen per arrival. vCPU 0 (woken at 107.7us as above) sends
 * three STOPs at guest times 0, 1 and 2ns (each followed by its 22us
 * intercept, so they go out at 107.7, 129.701 and 151.702us). With
 * `vcpu: round-robin` they go to vCPUs 1, 2, 3 in turn, the sender
 * skipped: each of them stops exactly once (it was waiting: woken, stopped
 * 15us later) and the sender never. With `vcpu: random` the sender is never
 * chosen either: three stops land on vCPUs 1..3 (a second stop to a
 * stopped vCPU is accepted and changes nothing), vCPU 0 never stops. */
static void test_target_round_robin_and_random(void **state)
{
    (void)state;
    const char *modes[] = {"round-robin", "random"};
    for (int i = 0; i < 2; i++) {
        char y[1024];
        snprintf(y, sizeof y,
                 HEAD
                 "guests:\n  - {name: g, vcpus: 4, " IDLE ", vcpu: {iscs: [0]},"
                 " vcpu_overrides: [{index: 0, iscs: [3]}]}\n"
                 "sources:\n" DEV(
                     "dev", 3) "  - {name: st, target: g, from: 0, vcpu: %s,"
                               " class: sigp-stop, arrivals: 'storm(count=3, window=3ns, period=1s,"
                               " spacing=even)'}\n",
                 modes[i]);
        run r = run_ok_entries(y, NULL, 0);
        assert_int_equal(C(r, "instruction_sigp_stop"), 3);
        assert_int_equal(entries_of(r.entries, &r.g->vcpus[0], IRQ_VCPU_STOPPED), 0);
        uint64_t stopped = 0;
        for (uint32_t j = 1; j < 4; j++) {
            if (i == 0)
                assert_int_equal(entries_of(r.entries, &r.g->vcpus[j], IRQ_VCPU_STOPPED), 1);
            stopped += entries_of(r.entries, &r.g->vcpus[j], IRQ_VCPU_STOPPED);
        }
        assert_true(stopped >= 1 && stopped <= 3);
        assert_int_equal(r.g->delivered, 4); /* the I/O and the three stops */
        run_free(&r);
    }
}

/* Random scenarios: every order, every heuristic, with and without the
 * facility; the run itself checks conservation per guest and the GISA
 * invariants, and fails on a delivery inside a handler or to a stopped
 * vCPU. Here: time accounting adds up for every vCPU, and orders were
 * really exercised (refusals, stops and restarts happened). */
static void test_random_sigp(void **state)
{
    (void)state;
    static const char *const hs[] = {"upstream", "v5", "v4", "v3", "v2", "kick-all", "no-gisa"};
    char y[4096];
    uint64_t stops = 0, busy = 0, restarts = 0;
    for (int seed = 1; seed <= 6; seed++) {
        for (size_t h = 0; h < sizeof hs / sizeof *hs; h++) {
            snprintf(y, sizeof y,
                     "name: r\nseed: %d\nclock_hz: 1e9\nduration: 10ms\n"
                     "host: {cpus: %d, timeslice: 500us}\n"
                     "model: {name: gib, heuristic: %s, halt_poll: %s,"
                     " sigp_interpretation: %s, user_sigp: %s}\n"
                     "guests:\n"
                     "  - {name: a, count: 2, vcpus: 4, workload: {busy: exp(%dus),"
                     " idle: exp(%dus), handler: exp(2us)}, vcpu: {iscs: [2, 3],"
                     " mask_every: exp(300us), mask_for: exp(30us), mask_iscs: [3]},"
                     " vcpu_overrides: [{index: 1, external_call_subclass: false}]}\n"
                     "sources:\n"
                     "  - {name: pt, target: a, class: 3, arrivals: poisson(20k/s)}\n"
                     "  - {name: sw, target: a, class: 2, injection: software,"
                     " arrivals: poisson(10k/s)}\n"
                     "  - {name: ec, target: a, from: all, vcpu: 1, class: 258,"
                     " arrivals: poisson(5k/s)}\n"
                     "  - {name: ec2, target: a, from: 0, vcpu: 2, class: 258,"
                     " arrivals: poisson(8k/s)}\n"
                     "  - {name: em, target: a, from: all, vcpu: 3, class: 259,"
                     " arrivals: poisson(5k/s)}\n"
                     "  - {name: st, target: a, from: 0, vcpu: 2, class: 261,"
                     " arrivals: poisson(%d/s)}\n"
                     "  - {name: ss, target: a, from: 3, vcpu: 1, class: 265,"
                     " arrivals: poisson(300/s)}\n"
                     "  - {name: rs, target: a, from: all, vcpu: 2, class: 262,"
                     " arrivals: poisson(400/s)}\n"
                     "  - {name: rs1, target: a, from: 2, vcpu: 1, class: 262,"
                     " arrivals: poisson(400/s)}\n",
                     seed, 1 + seed % 3, hs[h], seed % 3 ? "0ns" : "20us",
                     seed % 2 ? "true" : "false", seed % 4 < 2 ? "true" : "false", 30 + 11 * seed,
                     60 + 13 * seed, 300 + 100 * seed);
            irq_scenario *sc;
            irq_error err = {0};
            int rc;
            irq_sim *sim = run_text(y, NULL, 0, &sc, &err, &rc);
            if (!sim || rc != IRQ_OK)
                fail_msg("seed %d, %s: %s", seed, hs[h], err.message);
            for (size_t i = 0; i < sim->priv->nguests; i++) {
                irq_guest *g = &sim->priv->guests[i];
                stops += mcount(sim, g, "exit_stop_request");
                busy += mcount(sim, g, "sigp_busy");
                restarts += mcount(sim, g, "instruction_sigp_restart");
            }
            assert_time_accounted(sim, 10000000);
            irq_sim_free(sim);
            irq_scenario_free(sc);
        }
    }
    assert_true(stops > 0 && busy > 0 && restarts > 0);
    print_message("random SIGP: %llu stops, %llu refused orders, %llu restarts over 42 runs\n",
                  (unsigned long long)stops, (unsigned long long)busy,
                  (unsigned long long)restarts);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_extcall_to_waiting_interpreted),
        cmocka_unit_test(test_extcall_to_waiting_intercepted),
        cmocka_unit_test(test_second_extcall_refused),
        cmocka_unit_test(test_emergency_from_two_sources),
        cmocka_unit_test(test_stop_then_restart),
        cmocka_unit_test(test_masked_extcall_stays_pending),
        cmocka_unit_test(test_extcall_to_running),
        cmocka_unit_test(test_target_round_robin_and_random),
        cmocka_unit_test(test_random_sigp),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
