/* The core machine, exercised through the `direct` reference model, on
 * small scenarios whose exact counts and times are worked out by hand.
 *
 * Common costs in these scenarios (clock 1 GHz, so 1 ns = 1 cycle):
 *   wait_exit 1us, wakeup 5us, ctx_switch 2us, handler const(2us). */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#include <cmocka.h>

#include "test_sim_helpers.h"

#define HEAD                                                                                       \
    "name: t\nseed: 1\nclock_hz: 1e9\nduration: 1ms\n"                                             \
    "host: {cpus: 1, sched: fifo, affinity: pinned, wakeup: 5us, wait_exit: 1us, ctx_switch: "     \
    "2us}\n"                                                                                       \
    "model: {name: direct}\n"

/* One halted vCPU, ten periodic arrivals at 50us, 150us, ..., 950us.
 * t=0: the vCPU starts idle: enters the guest, executes a wait (1us exit),
 * halts at 1us. Each arrival finds it halted: latched, kick, the woken
 * thread runs 5us of wake-up in the host and re-checks (kvm_vcpu_block):
 * the interrupt is deliverable, so the halt ends; guest entry delivers
 * (latency 5us), handler 2us, wait exit 1us, halt. The 5us of wake-up stay
 * WAIT: the vCPU leaves WAIT only once its thread has re-checked
 * (DOMAIN.md section 0; before the host issue they counted as EXITING).
 * So per arrival: 5us WAIT, 1us EXITING, 2us RUNNING.
 * RUNNING = 10 * 2us = 20us; EXITING = 1us + 10 * 1us = 11us;
 * WAIT = 1000us - 31us = 969us. */
static void test_wake_path(void **state)
{
    (void)state;
    const char *y = HEAD "guests:\n"
                         "  - {name: g, vcpus: 1, workload: {start: idle, idle: const(10s),"
                         " busy: const(1ms), handler: const(2us)}}\n"
                         "sources:\n"
                         "  - {name: s, target: g, class: 1, arrivals: periodic(100us),"
                         " start: 50us}\n";
    run r = run_ok_entries(y, NULL, 0);
    irq_sim *sim = r.sim;
    assert_int_equal(guest_counter(sim, "g", "injected"), 10);
    assert_int_equal(guest_counter(sim, "g", "delivered"), 10);
    assert_int_equal(guest_counter(sim, "g", "coalesced"), 0);
    assert_int_equal(guest_counter(sim, "g", "pending"), 0);
    assert_int_equal(guest_counter(sim, "g", "kicks"), 10);
    assert_int_equal(guest_counter(sim, "g", "wakeups"), 10);
    assert_int_equal(guest_counter(sim, "g", "direct_deliveries"), 0);
    lat_ns l = guest_latency(sim, "g");
    assert_int_equal(l.count, 10);
    assert_int_equal(l.min, 5000);
    assert_int_equal(l.max, 5000);
    assert_int_equal(l.p50, 5000);
    /* g has one vCPU: the guest's time in each state is that vCPU's */
    assert_int_equal(guest_state_ns(sim, "g", "RUNNING"), 20000);
    assert_int_equal(guest_state_ns(sim, "g", "EXITING"), 11000);
    assert_int_equal(guest_state_ns(sim, "g", "WAIT"), 969000);
    assert_int_equal(guest_state_ns(sim, "g", "PREEMPTED"), 0);
    /* transitions are not results: counted by a tracer */
    const irq_vcpu *v = &guest_named(sim, "g")->vcpus[0];
    assert_int_equal(entries_of(r.entries, v, IRQ_VCPU_WAIT),
                     11); /* the first halt + one per arrival */
    run_free(&r);
}

/* The same arrivals against a vCPU that is always busy in the guest: each
 * is delivered at once (latency 0), no kick; RUNNING the whole millisecond. */
static void test_direct_delivery(void **state)
{
    (void)state;
    const char *y = HEAD "guests:\n"
                         "  - {name: g, vcpus: 1, workload: {start: busy, busy: const(10s),"
                         " handler: const(2us)}}\n"
                         "sources:\n"
                         "  - {name: s, target: g, class: 1, arrivals: periodic(100us),"
                         " start: 50us}\n";
    run r = run_ok(y, NULL, 0);
    irq_sim *sim = r.sim;
    assert_int_equal(guest_counter(sim, "g", "injected"), 10);
    assert_int_equal(guest_counter(sim, "g", "delivered"), 10);
    assert_int_equal(guest_counter(sim, "g", "kicks"), 0);
    assert_int_equal(guest_counter(sim, "g", "direct_deliveries"), 10);
    assert_int_equal(guest_latency(sim, "g").max, 0);
    assert_int_equal(guest_state_ns(sim, "g", "RUNNING"), 1000000); /* its one vCPU */
    run_free(&r);
}

/* Three arrivals 1us apart (an even storm at 100us) against a halted vCPU:
 * the first latches and kicks; the next two coalesce into the latch. The
 * vCPU enters the guest at 105us and takes all three at once: one delivery,
 * two coalesced, latencies 5us, 4us, 3us; one kick. */
static void test_coalescing(void **state)
{
    (void)state;
    const char *y = HEAD "guests:\n"
                         "  - {name: g, vcpus: 1, workload: {start: idle, idle: const(10s),"
                         " handler: const(2us)}}\n"
                         "sources:\n"
                         "  - {name: s, target: g, class: 0,"
                         " arrivals: 'storm(count=3, window=3us, period=1s, spacing=even)',"
                         " start: 100us}\n";
    run r = run_ok(y, NULL, 0);
    irq_sim *sim = r.sim;
    assert_int_equal(guest_counter(sim, "g", "injected"), 3);
    assert_int_equal(guest_counter(sim, "g", "delivered"), 1);
    assert_int_equal(guest_counter(sim, "g", "coalesced"), 2);
    assert_int_equal(guest_counter(sim, "g", "kicks"), 1);
    lat_ns l = guest_latency(sim, "g");
    assert_int_equal(l.count, 3);
    assert_int_equal(l.min, 3000);
    assert_int_equal(l.max, 5000);
    assert_int_equal(l.sum, 12000);
    run_free(&r);
}

/* Two always-busy vCPUs share one CPU, timeslice 1ms, 10ms run. vCPU 0 runs
 * first; vCPU 1 waits (PREEMPTED). The CPU switches every 1ms; each switch
 * costs the incoming vCPU 2us of EXITING (context switch). vCPU 0 runs
 * [0,1) [2,3) [4,5) [6,7) [8,9) ms, all but the first after a switch:
 * RUNNING 1ms + 4 * 998us = 4992us, EXITING 8us, PREEMPTED 5ms. vCPU 1 runs
 * [1,2) ... [9,10) ms, each after a switch: RUNNING 4990us, EXITING 10us. */
static void test_overcommit_timeslice(void **state)
{
    (void)state;
    const char *y =
        "name: t\nclock_hz: 1e9\nduration: 10ms\n"
        "host: {cpus: 1, sched: fifo, affinity: pinned, timeslice: 1ms, ctx_switch: 2us}\n"
        "model: {name: direct}\n"
        "guests:\n"
        "  - {name: g, vcpus: 2, workload: {start: busy, busy: const(10s)}}\n";
    run r = run_ok(y, NULL, 0);
    irq_sim *sim = r.sim;
    assert_int_equal(vcpu_state_ns(sim, "g/0", "RUNNING"), 4992000);
    assert_int_equal(vcpu_state_ns(sim, "g/0", "EXITING"), 8000);
    assert_int_equal(vcpu_state_ns(sim, "g/0", "PREEMPTED"), 5000000);
    assert_int_equal(vcpu_state_ns(sim, "g/1", "RUNNING"), 4990000);
    assert_int_equal(vcpu_state_ns(sim, "g/1", "EXITING"), 10000);
    assert_int_equal(vcpu_state_ns(sim, "g/1", "PREEMPTED"), 5000000);
    run_free(&r);
}

/* Overcommit delays wake-ups: vCPU 0 (idle) and vCPU 1 (always busy) share
 * one CPU. vCPU 0 runs first and halts at 1us; vCPU 1 gets the CPU then, so
 * its time slice ends at 1us + 1ms = 1001us. An arrival for vCPU 0 at 100us
 * kicks it, but its thread waits in the run queue until 1001us, then pays
 * the context switch (2us) and the wake-up (5us) and enters the guest at
 * 1008us: latency 908us. */
static void test_overcommit_delays_wakeup(void **state)
{
    (void)state;
    const char *y = "name: t\nclock_hz: 1e9\nduration: 2ms\n"
                    "host: {cpus: 1, sched: fifo, affinity: pinned, timeslice: 1ms, ctx_switch: "
                    "2us, wakeup: 5us,"
                    " wait_exit: 1us}\n"
                    "model: {name: direct}\n"
                    "guests:\n"
                    "  - {name: idle, vcpus: 1, workload: {start: idle, idle: const(10s)}}\n"
                    "  - {name: busy, vcpus: 1, workload: {start: busy, busy: const(10s)}}\n"
                    "sources:\n"
                    "  - {name: s, target: idle, arrivals: 'storm(count=1, window=1us,"
                    " period=1s, spacing=even)', start: 100us}\n";
    run r = run_ok(y, NULL, 0);
    irq_sim *sim = r.sim;
    assert_int_equal(guest_counter(sim, "idle", "delivered"), 1);
    assert_int_equal(guest_latency(sim, "idle").max, 908000);
    run_free(&r);
}

/* The run checks conservation per guest and names the guest that breaks it. */
static void test_conservation_check(void **state)
{
    (void)state;
    const char *y = HEAD "guests:\n  - {name: g, count: 3, vcpus: 2}\n"
                         "sources:\n  - {name: s, target: g, arrivals: poisson(50k/s)}\n";
    irq_error err = {0};
    run r = run_ok(y, NULL, 0);
    irq_sim *sim = r.sim;
    assert_int_equal(irq_sim_check_conservation(sim, &err), IRQ_OK);
    guest_named(sim, "g-1")->delivered--; /* lose one interrupt */
    assert_int_equal(irq_sim_check_conservation(sim, &err), IRQ_ESIM);
    assert_non_null(strstr(err.message, "guest g-1"));
    run_free(&r);
}

/* The accounting primitives models use keep injected = delivered +
 * coalesced + pending + dropped: three arrivals into one latch are 1
 * pending + 2 coalesced; dropping the latch turns the pending one into 1
 * dropped (the coalesced ones stay coalesced); a FIFO holding at most 2
 * drops the third arrival and names the reason counter. */
static void test_pend_and_fifo_accounting(void **state)
{
    (void)state;
    const char *y = HEAD "guests:\n  - {name: g, vcpus: 1}\n";
    irq_error err = {0};
    run r = run_ok(y, NULL, 0);
    irq_sim *sim = r.sim;
    irq_guest *g = guest_named(sim, "g");
    irq_pend p = {0};
    irq_fifo q = {0};
    g->injected += 6;
    assert_true(irq_pend_add(g, &p, 10));
    assert_false(irq_pend_add(g, &p, 20));
    assert_false(irq_pend_add(g, &p, 30));
    assert_int_equal(g->pending, 1);
    assert_int_equal(g->coalesced, 2);
    irq_pend_drop(g, &p, 0);
    assert_false(irq_pend_set(&p));
    assert_int_equal(g->pending, 0);
    assert_int_equal(g->dropped, 1);
    assert_int_equal(g->mcount[0], 1);
    assert_true(irq_fifo_add(g, &q, 40, 2, 1));
    assert_true(irq_fifo_add(g, &q, 50, 2, 1));
    assert_false(irq_fifo_add(g, &q, 60, 2, 1));
    assert_int_equal(g->pending, 2);
    assert_int_equal(g->dropped, 2);
    assert_int_equal(g->mcount[1], 1);
    assert_int_equal(irq_sim_check_conservation(sim, &err), IRQ_OK);
    irq_pend_free(&p);
    irq_fifo_free(&q);
    run_free(&r);
}

/* The rings behind the FIFOs and host-work queues keep their order when
 * they grow while wrapped around: a 4-slot ring holding 4 items from slot 3
 * (3, 0, 1, 2) becomes an 8-slot one holding them from slot 0. */
static void test_ring_grow_keeps_order(void **state)
{
    (void)state;
    uint32_t cap = 4, head = 3;
    uint64_t *t = malloc(cap * sizeof *t);
    assert_non_null(t);
    for (uint32_t i = 0; i < 4; i++)
        t[(head + i) % cap] = 100 + i;
    assert_int_equal(irq_ring_grow((void **)&t, &cap, &head, 4, sizeof *t, 8), 0);
    assert_int_equal(cap, 8);
    assert_int_equal(head, 0);
    for (uint32_t i = 0; i < 4; i++)
        assert_int_equal(t[i], 100 + i);
    free(t);
    uint64_t *empty = NULL;
    uint32_t ecap = 0, ehead = 0;
    assert_int_equal(irq_ring_grow((void **)&empty, &ecap, &ehead, 0, sizeof *empty, 8), 0);
    assert_int_equal(ecap, 8);
    free(empty);
}

/* A latch whose array is at 2^31 entries cannot double in 32 bits: the
 * arrival is dropped and the run fails saying so (it used to wrap the
 * capacity to 0, realloc(p, 0) freed the array and it was freed again). */
static void test_pend_capacity_overflow(void **state)
{
    (void)state;
    const char *y = HEAD "guests:\n  - {name: g, vcpus: 1}\n";
    run r = run_ok(y, NULL, 0);
    irq_guest *g = guest_named(r.sim, "g");
    uint64_t *small = malloc(4 * sizeof *small);
    assert_non_null(small);
    irq_pend p = {.first = 1, .n = (1u << 31) + 1, .cap = 1u << 31, .more = small};
    assert_false(irq_pend_add(g, &p, 2));
    assert_ptr_equal(p.more, small); /* still ours: not freed, not moved */
    assert_int_equal(p.cap, 1u << 31);
    assert_int_equal(g->dropped, 1);
    assert_non_null(irq_sim_failure(r.sim));
    assert_non_null(strstr(irq_sim_failure(r.sim), "the most it can count"));
    irq_pend_free(&p);
    run_free(&r);
}

/* Nor can a ring of 2^31 slots (it used to become a 0-byte buffer that
 * the next append overflowed); an empty ring still grows. */
static void test_ring_grow_overflow(void **state)
{
    (void)state;
    uint64_t *t = malloc(2 * sizeof *t);
    assert_non_null(t);
    uint32_t cap = 1u << 31, head = 0;
    assert_int_equal(irq_ring_grow((void **)&t, &cap, &head, 0, sizeof *t, 8), -1);
    assert_int_equal(cap, 1u << 31);
    free(t);
}

/* The memory budget stops a latch that keeps growing: with 64 bytes to spare, the
 * array of 4 (32 bytes) and of 8 (32 more) fit, the growth to 16 does
 * not: arrival 1 sets the latch, 2..9 fill the 8 slots, 10 is refused. */
static void test_memory_limit(void **state)
{
    (void)state;
    const char *y = HEAD "guests:\n  - {name: g, vcpus: 1}\n";
    run r = run_ok(y, NULL, 0);
    irq_guest *g = guest_named(r.sim, "g");
    irq_sim_set_memory_limit(r.sim, r.sim->priv->held_bytes + 64);
    irq_pend p = {0};
    for (uint64_t i = 1; i <= 9; i++)
        irq_pend_add(g, &p, i);
    assert_null(irq_sim_failure(r.sim));
    assert_false(irq_pend_add(g, &p, 10));
    assert_non_null(irq_sim_failure(r.sim));
    assert_non_null(strstr(irq_sim_failure(r.sim), "--max-memory"));
    assert_int_equal(p.n, 9);
    irq_pend_free(&p);
    run_free(&r);
}

/* Same scenario and seed: identical reports (wall time aside); another seed
 * changes the arrivals. */
static void test_determinism(void **state)
{
    (void)state;
    const char *y = HEAD "guests:\n  - {name: g, count: 4, vcpus: 3,"
                         " workload: {busy: exp(50us), idle: exp(200us)}}\n"
                         "sources:\n  - {name: s, target: g, arrivals: poisson(100k/s)}\n"
                         "  - {name: t, target: g-2, vcpu: 1, class: 3,"
                         " arrivals: 'periodic(20us, jitter=5us)'}\n";
    const char *seed2[] = {"seed=2"};
    char *out[3];
    for (int i = 0; i < 3; i++) {
        run r = run_ok(y, seed2, i == 2);
        irq_sim *sim = r.sim;
        out[i] = report_json(sim);
        run_free(&r);
    }
    assert_string_equal(out[0], out[1]);
    assert_string_not_equal(out[0], out[2]);
    for (int i = 0; i < 3; i++)
        free(out[i]);
}

/* Common random numbers: adding a guest template and a source elsewhere
 * leaves the arrivals of an unrelated source unchanged. */
static void test_common_random_numbers(void **state)
{
    (void)state;
    const char *a = HEAD "guests:\n  - {name: g, vcpus: 1, workload: {busy: const(10s)}}\n"
                         "sources:\n  - {name: s, target: g, arrivals: poisson(200k/s)}\n";
    const char *b = HEAD "guests:\n  - {name: h, count: 3, vcpus: 2}\n"
                         "  - {name: g, vcpus: 1, workload: {busy: const(10s)}}\n"
                         "sources:\n  - {name: x, target: h, arrivals: poisson(100k/s)}\n"
                         "  - {name: s, target: g, arrivals: poisson(200k/s)}\n";
    run ra = run_ok(a, NULL, 0), rb = run_ok(b, NULL, 0);
    uint64_t ia = guest_counter(ra.sim, "g", "injected"),
             ib = guest_counter(rb.sim, "g", "injected");
    assert_true(ia > 100);
    assert_int_equal(ia, ib);
    run_free(&ra);
    run_free(&rb);
}

/* Random scenarios: whatever the mix, the run conserves interrupts and
 * vCPU time adds up to the run's length. */
static void test_random_invariants(void **state)
{
    (void)state;
    char y[2048];
    for (int seed = 1; seed <= 12; seed++) {
        snprintf(
            y, sizeof y,
            "name: r\nseed: %d\nclock_hz: 1e9\nduration: 5ms\n"
            "host: {cpus: %d, timeslice: 300us}\nmodel: {name: direct, pick: %s}\n"
            "guests:\n  - {name: a, count: %d, vcpus: %d, workload: {busy: exp(%dus),"
            " idle: exp(%dus), handler: exp(3us)}, vcpu: {enabled: true},"
            " vcpu_overrides: [{index: 0, enabled: false}]}\n"
            "  - {name: b, vcpus: 1, workload: {start: idle}}\n"
            "sources:\n  - {name: p, target: a, arrivals: poisson(%dk/s), class: 2}\n"
            "  - {name: q, target: a, vcpu: 0, arrivals: 'storm(count=50, window=20us,"
            " period=1ms)'}\n  - {name: r, target: b, arrivals: 'periodic(7us, jitter=3us)'}\n",
            seed, 1 + seed % 4, seed % 2 ? "lowest" : "round-robin", 1 + seed % 5, 2 + seed % 3,
            10 + 7 * seed, 30 + 11 * seed, 20 + 9 * seed);
        irq_scenario *sc;
        irq_error err = {0};
        int rc;
        irq_sim *sim = run_text(y, NULL, 0, &sc, &err, &rc);
        if (!sim || rc != IRQ_OK)
            fail_msg("seed %d: %s", seed, err.message);
        for (size_t i = 0; i < irq_result_count(sim, IRQ_SCOPE_VCPU); i++) {
            uint64_t t = 0;
            for (size_t s = 0; s < irq_result_nstates(); s++) {
                double ns = 0;
                assert_int_equal(irq_result_state(sim, IRQ_SCOPE_VCPU, i, irq_result_state_name(s),
                                                  NULL, &ns, NULL),
                                 IRQ_OK);
                t += whole(ns);
            }
            assert_int_equal(t, 5000000);
        }
        irq_sim_free(sim);
        irq_scenario_free(sc);
    }
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_wake_path),
        cmocka_unit_test(test_direct_delivery),
        cmocka_unit_test(test_coalescing),
        cmocka_unit_test(test_overcommit_timeslice),
        cmocka_unit_test(test_overcommit_delays_wakeup),
        cmocka_unit_test(test_conservation_check),
        cmocka_unit_test(test_pend_and_fifo_accounting),
        cmocka_unit_test(test_ring_grow_keeps_order),
        cmocka_unit_test(test_pend_capacity_overflow),
        cmocka_unit_test(test_ring_grow_overflow),
        cmocka_unit_test(test_memory_limit),
        cmocka_unit_test(test_determinism),
        cmocka_unit_test(test_common_random_numbers),
        cmocka_unit_test(test_random_invariants),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
