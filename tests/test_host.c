/* The host scheduler and the halt loop (src/core/sched.c, vcpu.c), on small
 * scenarios worked out by hand from ../shared/domain/host-scheduler.md (B1
 * placement, B3 EEVDF, B2 CFS, B4 newidle balance) and kvm_vcpu_block().
 *
 * Common set-up: clock 1 GHz (1 ns = 1 cycle); the `direct` model (no
 * polling: its wait_entry gives no polling maximum); wait_exit 1us, wakeup
 * 5us, ctx_switch 2us, migrate 5us, tick 1ms, handler 2us. Two CPUs, so the
 * fair slice is 0.75ms x (1 + log2 2) = 1.5ms; cfs sched_latency 12ms, its
 * minimum granularity 1.5ms and wakeup granularity 2ms.
 *
 * Guests, in vCPU id order: a (id 0) busy for the whole run; g (id 1) busy
 * 10us, then idle for longer than the run; b (id 2) busy for the whole run.
 * At t=0: a starts on its previous CPU 0 (idle); g on CPU 1 (idle); b's
 * previous CPU is 2 mod 2 = 0, busy, and no CPU is idle: it waits on CPU 0
 * (eevdf: a, picked first, is protected by RUN_TO_PARITY).
 * 10us g's busy period ends; wait exit 1us; 11us g halts and sleeps. CPU 1
 * has nothing to run: newidle balance pulls b (it never ran, so it is not
 * cache-hot) from CPU 0. b gets CPU 1 at 11us (2us context switch: g ran
 * there last; no migration cost, b never ran anywhere). */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#include <cmocka.h>

#include "test_sim_helpers.h"

#define HOST(sched, aff)                                                                           \
    "name: t\nseed: 1\nclock_hz: 1e9\nduration: 8ms\n"                                             \
    "host: {cpus: 2, sched: " sched ", affinity: " aff ", wakeup: 5us, wait_exit: 1us,"            \
    " ctx_switch: 2us, migrate: 5us, tick: 1ms}\n"                                                 \
    "model: {name: direct}\n"
#define GUESTS                                                                                     \
    "guests:\n"                                                                                    \
    "  - {name: a, vcpus: 1, workload: {start: busy, busy: const(10s)}}\n"                         \
    "  - {name: g, vcpus: 1, workload: {start: busy, busy: const(10us), idle: const(10s),"         \
    " handler: const(2us)}}\n"                                                                     \
    "  - {name: b, vcpus: 1, workload: {start: busy, busy: const(10s)}}\n"
#define ONE_AT(at)                                                                                 \
    "sources:\n  - {name: s, target: g, class: 1, arrivals: 'storm(count=1, window=1ns,"           \
    " period=10s, spacing=even)', start: " at "}\n"

/* The largest interrupt latency's part i of the breakdown: 0 host_to_act,
 * 1 run_queue, 2 wakeup, 3 delivery. */
static uint64_t part_max(const irq_sim *sim, int i)
{
    static const char *const part[] = {"host_to_act", "run_queue", "wakeup", "delivery"};
    return result_latency(sim, IRQ_SCOPE_TOTAL, NULL, part[i]).max;
}

/* The largest delivered latency of guest g. */
static uint64_t g_max(const irq_sim *sim)
{
    return guest_latency(sim, "g").max;
}

/* EEVDF, the interrupt at 50us. g sleeps with zero lag (it ran alone). b
 * was placed on the empty CPU 1 at its V, vruntime 11us (a, on CPU 0, had
 * run 11us; b's positive lag does not count on an empty queue), deadline
 * 11us + 1.5ms = 1511us. 50us: g is kicked; its previous CPU 1 runs b and
 * no CPU is idle, so it queues there: vruntime = V = b's 50us, deadline
 * 1550us. b is eligible and protected: no preemption. The tick at 1ms sees
 * b at vruntime 1000us < 1511us; the tick at 2ms renews b's deadline
 * (2000us >= 1511us), V = (2000 + 50) / 2, b is no longer eligible: g runs
 * at 2000us, pays the 2us switch and its 5us wake-up and delivers at
 * 2007us: latency 1957us, of which 1950us run-queue wait and 7us wake-up
 * (the wait [0, slice + tick) of host-scheduler.md B3). */
static void test_eevdf_zero_lag_waits_for_deadline(void **state)
{
    (void)state;
    run r = run_ok(HOST("eevdf", "floating") GUESTS ONE_AT("50us"), NULL, 0);
    assert_int_equal(guest_counter(r.sim, "g", "delivered"), 1);
    assert_int_equal(g_max(r.sim), 1957000);
    assert_int_equal(part_max(r.sim, 0), 0);       /* kicked at once */
    assert_int_equal(part_max(r.sim, 1), 1950000); /* run queue */
    assert_int_equal(part_max(r.sim, 2), 7000);    /* switch + wake-up */
    assert_int_equal(part_max(r.sim, 3), 0);
    assert_int_equal(guest_named(r.sim, "b")->vcpus[0].th.last_cpu, 1); /* pulled at 11us */
    run_free(&r);
}

/* EEVDF, the interrupt at 5ms. Ticks renew b's deadline whenever its
 * vruntime has passed it: at 2ms (deadline 3500us) and 4ms (5500us). g
 * queues at 5000us with V = b's 5000us, deadline 6500us; b is eligible and
 * its deadline is earlier: it keeps the CPU. The 6ms tick renews b's
 * deadline, V = 5500us < b's 6000us: g runs at 6000us, delivers at 6007us:
 * latency 1007us. */
static void test_eevdf_wait_follows_tick_phase(void **state)
{
    (void)state;
    run r = run_ok(HOST("eevdf", "floating") GUESTS ONE_AT("5ms"), NULL, 0);
    assert_int_equal(g_max(r.sim), 1007000);
    assert_int_equal(part_max(r.sim, 1), 1000000);
    run_free(&r);
}

/* CFS, the interrupt at 5ms: g slept 11us..5ms. b's vruntime is 11us
 * (moved with its lag 0 relative to CPU 0's min_vruntime, onto CPU 1's
 * 11us) plus 4989us run = 5000us = min_vruntime. g keeps its own 11us (the
 * sleeper floor 5000us - 12ms/2 is lower) and leads b by 4989us > the 2ms
 * wakeup granularity: it preempts at once. Delivered after the switch and
 * the wake-up: latency 7us, no run-queue wait. */
static void test_cfs_sleeper_preempts_at_once(void **state)
{
    (void)state;
    run r = run_ok(HOST("cfs", "floating") GUESTS ONE_AT("5ms"), NULL, 0);
    assert_int_equal(g_max(r.sim), 7000);
    assert_int_equal(part_max(r.sim, 1), 0);
    run_free(&r);
}

/* CFS, the interrupt at 50us: g leads b by only 50 - 11 = 39us, below the
 * wakeup granularity: no preemption. Ticks (while g waits) apply
 * check_preempt_tick: b's ideal slice is max(12ms, 2 x 1.5ms) / 2 = 6ms
 * from when it got the CPU (11us), so the first tick past 6011us, at 7ms,
 * switches to g (the lowest vruntime): delivered at 7007us, latency
 * 6957us. */
static void test_cfs_short_sleep_waits_for_slice(void **state)
{
    (void)state;
    run r = run_ok(HOST("cfs", "floating") GUESTS ONE_AT("50us"), NULL, 0);
    assert_int_equal(g_max(r.sim), 6957000);
    run_free(&r);
}

/* Placement on an idle CPU that is not the previous one. a is busy only
 * 30us: it halts at 31us and CPU 0 is idle from then on. At 50us g's
 * previous CPU 1 runs b; the scan of the LLC finds CPU 0 idle: g runs
 * there at once, paying the migration (5us: it ran on CPU 1 last), the
 * switch (2us: a ran there last) and its wake-up (5us): latency 12us, all
 * of it wake-up. */
static void test_woken_vcpu_placed_on_idle_cpu(void **state)
{
    (void)state;
    const char *y = HOST("eevdf", "floating") "guests:\n"
                                              "  - {name: a, vcpus: 1, workload: {start: busy, "
                                              "busy: const(30us), idle: const(10s)}}\n"
                                              "  - {name: g, vcpus: 1, workload: {start: busy, "
                                              "busy: const(10us), idle: const(10s),"
                                              " handler: const(2us)}}\n"
                                              "  - {name: b, vcpus: 1, workload: {start: busy, "
                                              "busy: const(10s)}}\n" ONE_AT("50us");
    run r = run_ok(y, NULL, 0);
    assert_int_equal(g_max(r.sim), 12000);
    assert_int_equal(part_max(r.sim, 1), 0);
    assert_int_equal(part_max(r.sim, 2), 12000);
    assert_int_equal(r.g->vcpus[0].pcpu, 0);
    run_free(&r);
}

/* The halt loop (kvm_vcpu_block): a woken thread with nothing to take
 * sleeps again, in WAIT, without a wait exit. gib, no-gisa: vCPU 0 enables
 * ISC 0 only, vCPU 1 ISC 3; one virtio interrupt on ISC 3 at 100us. The
 * floating kick wakes the first idle vCPU, vCPU 0, whatever its CR6; it
 * re-checks at 105us, finds nothing it can take and sleeps again
 * (halt_sleep_again 1, halt_wakeup 1): the only wait exits are the two of
 * t=0, and vCPU 0 never left WAIT after its first halt. */
static void test_kicked_vcpu_with_nothing_sleeps_again(void **state)
{
    (void)state;
    const char *y = "name: t\nclock_hz: 1e9\nduration: 1ms\n"
                    "host: {cpus: 2, wakeup: 5us, wait_exit: 1us}\n"
                    "model: {name: gib, heuristic: no-gisa, halt_poll: 0ns}\n"
                    "guests:\n  - {name: g, vcpus: 2, workload: {start: idle, idle: const(10s)},"
                    " vcpu: {iscs: [0]}, vcpu_overrides: [{index: 1, iscs: [3]}]}\n"
                    "sources:\n  - {name: v, target: g, class: 3, injection: software,"
                    " arrivals: 'storm(count=1, window=1ns, period=10s, spacing=even)',"
                    " start: 100us}\n";
    run r = run_ok_entries(y, NULL, 0);
    assert_int_equal(guest_counter(r.sim, "g", "halt_sleep_again"), 1);
    assert_int_equal(guest_counter(r.sim, "g", "halt_wakeup"), 1);
    assert_int_equal(guest_counter(r.sim, "g", "exit_wait_state"), 2);
    assert_int_equal(guest_counter(r.sim, "g", "wasted_kicks"), 1);
    assert_int_equal(guest_counter(r.sim, "g", "pending"), 1);
    assert_int_equal(guest_counter(r.sim, "g", "undelivered"), 1);
    /* arrived at 100us, the run ends at 1ms */
    assert_int_equal(guest_counter(r.sim, "g", "oldest_pending_ns"), 900000);
    assert_int_equal(entries_of(r.entries, &r.g->vcpus[0], IRQ_VCPU_WAIT), 1);
    assert_int_equal(vcpu_state_ns(r.sim, "g/0", "WAIT"), 999000);
    run_free(&r);
}

/* fifo + pinned keeps the old pessimistic bound: with the interrupt at 50us
 * g is pinned to CPU 1 (id 1), where nothing else runs (b is pinned to CPU
 * 0 with a): a plain wake-up, latency 5us. */
static void test_fifo_pinned(void **state)
{
    (void)state;
    run r = run_ok(HOST("fifo", "pinned") GUESTS ONE_AT("50us"), NULL, 0);
    assert_int_equal(g_max(r.sim), 5000);
    assert_int_equal(guest_named(r.sim, "b")->vcpus[0].pcpu, 0);
    run_free(&r);
}

/* A halt-polling vCPU gives its CPU up as soon as another thread wants it
 * (kvm_vcpu_can_poll: single_task_running). gib (polling maximum 100us, no
 * interrupts), one CPU, eevdf; guest p (id 0): busy 3us, idle 10us; guest
 * q (id 1): starts idle for 30us, then busy.
 *   0us   p runs (busy 3us); q waits (p, picked first, is protected).
 *   4us   p halts after its 1us wait exit; q waits for the CPU, so p does
 *         not poll (window 0 anyway): it sleeps. q: 2us switch, 1us wait
 *         exit, halts at 7us (window 0): sleeps; the CPU is idle.
 *   13us  p's timer wakes it (halt_wakeup): 2us switch, 5us wake-up, runs at
 *         20us: a 16us halt, shorter than the maximum: window 0 -> 10us.
 *   23us  idle again; 24us halt 2: alone on the CPU, p polls (until 34us).
 *   30us  q's timer wakes q onto the CPU: p stops polling at once and
 *         sleeps: 6us of failed polling (24..30us); q runs.
 *   33us  p's timer wakes it; it queues behind q (protected, eligible) until
 *         the 1ms tick renews q's deadline; p then runs and its halt 2 ends:
 *         1 attempted poll, 0 successful, 6000ns polled in vain. The run
 *         ends at 1010us, when p's next busy period does.
 * Host CPU 0 spent exactly 6us halt-polling. */
static void test_poller_yields_to_queued_thread(void **state)
{
    (void)state;
    const char *y =
        "name: t\nseed: 1\nclock_hz: 1e9\nduration: 1.01ms\n"
        "host: {cpus: 1, wakeup: 5us, wait_exit: 1us, ctx_switch: 2us, tick: 1ms}\n"
        "model: {name: gib, halt_poll: 100us}\n"
        "guests:\n"
        "  - {name: p, vcpus: 1, workload: {start: busy, busy: const(3us), idle: const(10us)}}\n"
        "  - {name: q, vcpus: 1, workload: {start: idle, idle: const(30us), busy: const(10s)}}\n";
    run r = run_ok(y, NULL, 0);
    assert_int_equal(guest_counter(r.sim, "p", "halt_attempted_poll"), 1);
    assert_int_equal(guest_counter(r.sim, "p", "halt_successful_poll"), 0);
    assert_int_equal(guest_counter(r.sim, "p", "halt_poll_fail_ns"), 6000);
    assert_int_equal(guest_counter(r.sim, "p", "halt_wakeup"), 2);
    assert_int_equal(guest_counter(r.sim, "q", "halt_wakeup"), 1);
    double poll_ns = 0;
    assert_int_equal(irq_result_cpu_use(r.sim, 0, "halt_poll", NULL, &poll_ns, NULL), IRQ_OK);
    assert_int_equal(whole(poll_ns), 6000);
    run_free(&r);
}

/* Every guest's count of its halt-polling vCPUs (irq_guest.npolling, which
 * lets models skip reading the vCPUs when none polls) equals the number of
 * its vCPUs with `polling` set: checked at each progress call (every 65,536
 * events) and at the end of 50 ms of many-guests (halt polling up to 50us,
 * its 500 guests overcommitted, so polls start, succeed, fail and give the
 * CPU up), under eevdf and under fifo with pinned threads. */
static int check_npolling(void *ud, uint64_t now, uint64_t end, uint64_t events)
{
    (void)now, (void)end, (void)events;
    irq_sim *sim = ud;
    for (size_t i = 0; i < sim->priv->nguests; i++) {
        const irq_guest *g = &sim->priv->guests[i];
        uint32_t n = 0;
        for (uint32_t j = 0; j < g->nvcpus; j++)
            n += g->vcpus[j].polling;
        assert_int_equal(g->npolling, n);
    }
    return 0;
}

static void test_polling_count_matches_vcpus(void **state)
{
    (void)state;
    const char *sets[][3] = {{"duration=50ms", NULL, NULL},
                             {"duration=50ms", "host.sched=fifo", "host.affinity=pinned"}};
    for (size_t k = 0; k < 2; k++) {
        run r = run_file_with("many-guests.yaml", sets[k], sets[k][1] ? 3 : 1, check_npolling);
        check_npolling(r.sim, 0, 0, 0);
        uint64_t polls = 0;
        for (size_t i = 0; i < r.sim->priv->nguests; i++)
            polls += r.sim->priv->guests[i].core[IRQ_GC_HALT_ATTEMPTED];
        assert_true(polls > 1000); /* the count was exercised */
        run_free(&r);
    }
}

/* kvm_vcpu_kick's three outcomes, through a test model whose inject kicks
 * vCPU 0 with irq_vcpu_kick_ipi and latches the arrival; guest entry
 * delivers it. One vCPU busy for the whole run, one arrival at 50us: the
 * vCPU is in guest mode, so the kick's IPI forces an exit (1.6us,
 * ipi_exits 1) and the re-entry delivers: latency 1.6us. The same arrival
 * against a halted vCPU wakes it instead (halt_wakeup 1, no IPI exit,
 * latency = the 5us wake-up). */
typedef struct ipi_model {
    struct irq_sim *sim;
    irq_pend pend;
} ipi_model;

static int ipi_create(struct irq_sim *sim, void **model, irq_error *err)
{
    (void)err;
    ipi_model *m = calloc(1, sizeof *m);
    m->sim = sim;
    *model = m;
    return m ? IRQ_OK : IRQ_ENOMEM;
}
static void ipi_destroy(void *model)
{
    irq_pend_free(&((ipi_model *)model)->pend);
    free(model);
}
static void ipi_inject(void *model, const irq_intr *in)
{
    ipi_model *m = model;
    irq_pend_add(in->guest, &m->pend, in->arrival);
    irq_vcpu_kick_ipi(&in->guest->vcpus[0]);
}
static void ipi_entry(void *model, irq_vcpu *v)
{
    ipi_model *m = model;
    if (irq_pend_set(&m->pend) && !irq_vcpu_in_handler(v))
        irq_pend_deliver(v, &m->pend, 1);
}
static bool ipi_runnable(void *model, irq_vcpu *v)
{
    (void)v;
    return irq_pend_set(&((ipi_model *)model)->pend);
}
static const irq_model_ops ipi_ops = {.name = "ipi-test",
                                      .create = ipi_create,
                                      .destroy = ipi_destroy,
                                      .inject = ipi_inject,
                                      .vcpu_runnable = ipi_runnable,
                                      .guest_entry = ipi_entry};

/* Loads yaml (model direct), runs it with ipi_ops instead; *orig gets the
 * loaded model's ops, to put back before irq_scenario_free. */
static irq_sim *run_with_ops(const char *yaml, irq_scenario **scp, const irq_model_ops **orig)
{
    irq_error err = {0};
    irq_sim *sim = NULL;
    assert_int_equal(irq_scenario_load_string(scp, "test.yaml", yaml, strlen(yaml), NULL, 0, &err),
                     IRQ_OK);
    *orig = (*scp)->model;
    (*scp)->model = &ipi_ops;
    assert_int_equal(irq_sim_create(&sim, *scp, &err), IRQ_OK);
    assert_int_equal(irq_sim_run(sim, NULL, NULL, &err), IRQ_OK);
    return sim;
}

static void test_kick_ipi_outcomes(void **state)
{
    (void)state;
    const char *running =
        "name: t\nclock_hz: 1e9\nduration: 1ms\n"
        "host: {cpus: 1, ipi_exit: 1.6us, wakeup: 5us}\nmodel: {name: direct}\n"
        "guests:\n  - {name: g, vcpus: 1, workload: {start: busy, busy: const(10s),"
        " handler: const(2us)}}\n" ONE_AT("50us");
    irq_scenario *sc;
    const irq_model_ops *orig;
    irq_sim *sim = run_with_ops(running, &sc, &orig);
    assert_int_equal(guest_counter(sim, "g", "ipi_exits"), 1);
    assert_int_equal(guest_counter(sim, "g", "halt_wakeup"), 0);
    assert_int_equal(g_max(sim), 1600);
    irq_sim_free(sim);
    sc->model = orig;
    irq_scenario_free(sc);

    const char *halted =
        "name: t\nclock_hz: 1e9\nduration: 1ms\n"
        "host: {cpus: 1, ipi_exit: 1.6us, wakeup: 5us}\nmodel: {name: direct}\n"
        "guests:\n  - {name: g, vcpus: 1, workload: {start: idle, idle: const(10s),"
        " handler: const(2us)}}\n" ONE_AT("50us");
    sim = run_with_ops(halted, &sc, &orig);
    assert_int_equal(guest_counter(sim, "g", "ipi_exits"), 0);
    assert_int_equal(guest_counter(sim, "g", "halt_wakeup"), 1);
    assert_int_equal(g_max(sim), 5000);
    irq_sim_free(sim);
    sc->model = orig;
    irq_scenario_free(sc);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_eevdf_zero_lag_waits_for_deadline),
        cmocka_unit_test(test_eevdf_wait_follows_tick_phase),
        cmocka_unit_test(test_cfs_sleeper_preempts_at_once),
        cmocka_unit_test(test_cfs_short_sleep_waits_for_slice),
        cmocka_unit_test(test_woken_vcpu_placed_on_idle_cpu),
        cmocka_unit_test(test_kicked_vcpu_with_nothing_sleeps_again),
        cmocka_unit_test(test_fifo_pinned),
        cmocka_unit_test(test_poller_yields_to_queued_thread),
        cmocka_unit_test(test_polling_count_matches_vcpus),
        cmocka_unit_test(test_kick_ipi_outcomes),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
