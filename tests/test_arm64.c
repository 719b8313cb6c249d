/* The arm64 model (src/models/rvic/): rVIC, GICv3 and GICv4.1 on small
 * scenarios whose figures are worked out by hand beside each assertion,
 * then properties on random scenarios for every controller.
 *
 * Unless said otherwise: clock 1 GHz (1 ns = 1 cycle), one host CPU per
 * vCPU (fifo, pinned), wake-up 5us, wait exit 1us, context switch 0, the
 * kick's forced exit (host.ipi_exit) 1.6us, handler 2us, no halt polling;
 * model costs at their defaults: hvc 306ns, SGI trap 306ns, host IRQ exit
 * (timer) 888ns, MI 888ns, doorbell 888ns, 4 list registers. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#include <cmocka.h>

#include "../src/models/rvic/arm64_internal.h"
#include "test_sim_helpers.h"

#define HEAD(chip, extra)                                                                          \
    "name: t\nseed: 1\nclock_hz: 1e9\nduration: 1ms\n"                                             \
    "host: {cpus: 2, sched: fifo, affinity: pinned, wait_exit: 1us, wakeup: 5us,"                  \
    " ctx_switch: 0ns, ipi_exit: 1.6us}\n"                                                         \
    "model: {name: arm64, irqchip: " chip ", halt_poll: 0ns" extra "}\n"
#define BUSY "workload: {start: busy, busy: const(10s), handler: const(2us)}"
#define IDLE "workload: {start: idle, idle: const(10s), busy: const(10s), handler: const(2us)}"
#define ONCE(t) "arrivals: periodic(1s), start: " t

#define C(r, name) mcount((r).sim, (r).g, name)

/* The latency histogram of one class. */
static const irq_hist *cls_hist(const run *r, uint32_t cls)
{
    const struct irq_sim_priv *p = r->sim->priv;
    for (size_t i = 0; i < p->ncls; i++)
        if (p->cls_values[i] == cls)
            return &p->cls_hist[i];
    fail_msg("no latency row for class %u", cls);
    return NULL;
}

/* scenarios/rvic-single.yaml, as its comment derives it: an MSI and a
 * timer to busy vCPU 0, an IPI from vCPU 0 to busy vCPU 1. */
static void test_single_rvic(void **state)
{
    (void)state;
    run r = run_file_ok("rvic-single.yaml", "model.irqchip=rvic");
    assert_int_equal(r.g->delivered, 3);
    /* MSI: ACK + CLEAR_MASKED; IPI: ACK + CLEAR_MASKED; timer: ACK, RESAMPLE, CLEAR_MASKED */
    assert_int_equal(C(r, "hvc_acknowledge"), 3);
    assert_int_equal(C(r, "hvc_clear_masked"), 3);
    assert_int_equal(C(r, "hvc_resample"), 1);
    assert_int_equal(C(r, "hvc_signal"), 1);
    assert_int_equal(C(r, "hvc_traps"), 8);
    assert_int_equal(C(r, "traps"), 8); /* the core's count of the same traps */
    /* the MSI's host kick and the SIGNAL's kick of the other vCPU: both in guest mode */
    assert_int_equal(r.g->kicks, 2);
    assert_int_equal(C(r, "ipi_exits"), 2);
    assert_int_equal(C(r, "host_irq_exits"), 1);
    /* 1600 + 612 + 306 + 1600 + 612 + 888 + 918 */
    assert_int_equal(C(r, "guest_trap_cycles"), 6536);
    assert_int_equal(C(r, "host_irqchip_cycles"), 6536);
    /* latency runs to the handler's start, after the traps before it */
    assert_int_equal(cls_hist(&r, 32)->max, 1600 + 306); /* ipi_exit + ACK */
    assert_int_equal(cls_hist(&r, 1)->max, 1600 + 612);  /* ipi_exit + ACK + CLEAR_MASKED */
    assert_int_equal(cls_hist(&r, 27)->max, 888 + 306);  /* host_irq_cost + ACK */
    /* vCPU 0 lost 1600 + 612 + 306 + 888 + 918 to exits, vCPU 1 1600 + 612 */
    assert_int_equal(r.g->vcpus[0].time_in[IRQ_VCPU_EXITING], 4324);
    assert_int_equal(r.g->vcpus[1].time_in[IRQ_VCPU_EXITING], 2212);
    run_free(&r);
}

static void test_single_gicv3(void **state)
{
    (void)state;
    run r = run_file_ok("rvic-single.yaml", "model.irqchip=gicv3");
    assert_int_equal(r.g->delivered, 3);
    assert_int_equal(C(r, "hvc_traps"), 0);
    assert_int_equal(C(r, "sysreg_traps"), 1); /* the IPI send */
    assert_int_equal(r.g->kicks, 2);           /* MSI and SGI injections */
    assert_int_equal(C(r, "ipi_exits"), 2);
    assert_int_equal(C(r, "host_irq_exits"), 1);
    assert_int_equal(C(r, "maintenance_interrupts"), 0);
    assert_int_equal(C(r, "guest_trap_cycles"), 1600 + 306 + 1600 + 888);
    assert_int_equal(cls_hist(&r, 32)->max, 1600);
    assert_int_equal(cls_hist(&r, 1)->max, 1600);
    assert_int_equal(cls_hist(&r, 27)->max, 888);
    run_free(&r);
}

static void test_single_gicv41(void **state)
{
    (void)state;
    run r = run_file_ok("rvic-single.yaml", "model.irqchip=gicv4.1");
    assert_int_equal(r.g->delivered, 3);
    assert_int_equal(C(r, "direct_injections"), 2); /* the vLPI and the vSGI */
    assert_int_equal(r.g->kicks, 0);
    assert_int_equal(C(r, "ipi_exits"), 0);
    assert_int_equal(C(r, "sysreg_traps"), 1); /* the sender still traps */
    assert_int_equal(C(r, "host_irq_exits"), 1);
    assert_int_equal(C(r, "guest_trap_cycles"), 306 + 888);
    assert_int_equal(cls_hist(&r, 32)->max, 0);
    assert_int_equal(cls_hist(&r, 1)->max, 0);
    assert_int_equal(cls_hist(&r, 27)->max, 888);
    run_free(&r);
}

/* One MSI to a running vCPU, latency and lost guest time as sums of the
 * named costs, with costs moved off their defaults (ipi_exit 2us, hvc
 * 500ns): rVIC latency = ipi_exit + ACK = 2500, guest_trap_cycles =
 * ipi_exit + ACK + CLEAR_MASKED = 3000; GICv3 latency 2000, lost 2000. */
static void test_msi_running_named_costs(void **state)
{
    (void)state;
    const char *chips[] = {"rvic", "gicv3"};
    const uint64_t lost[] = {3000, 2000}, lat[] = {2500, 2000};
    for (int c = 0; c < 2; c++) {
        char y[1024];
        snprintf(
            y, sizeof y,
            HEAD("%s", ", hvc_cost: 500ns") "guests:\n  - {name: g, vcpus: 1, " BUSY "}\n"
                                            "sources:\n  - {name: m, target: g, vcpu: 0,"
                                            " class: 40, injection: software, " ONCE("100us") "}\n",
            chips[c]);
        const char *set[] = {"host.ipi_exit=2us"};
        run r = run_ok(y, set, 1);
        assert_int_equal(cls_hist(&r, 40)->max, lat[c]);
        assert_int_equal(C(r, "guest_trap_cycles"), lost[c]);
        assert_int_equal(C(r, "ipi_exits"), 1);
        run_free(&r);
    }
}

/* An IPI to a waiting vCPU. Both vCPUs wait from the start (halted at
 * 1us). An MSI for vCPU 0 at 100us wakes it (kick: 5us wake-up); the IPI
 * source of vCPU 0 starts at 100us, so its first IPI goes as soon as vCPU 0
 * runs guest code: under rVIC that is its MSI handler after the 306ns ACK,
 * at 105.306us, under GICv3 at 105us (no ACK trap). vCPU 1 is asleep: the
 * kick wakes it (5us). Latency to the handler: MSI 5000, IPI 5000 under
 * GICv3; under rVIC plus the traps before the handler: MSI 5000 + 306
 * (ACK), IPI 5000 + 612 (ACK, CLEAR_MASKED). rVIC: ACK 2, CLEAR_MASKED 2,
 * SIGNAL 1, 2 wake-ups, no IPI exit. GICv3: one SGI trap. GICv4.1 with
 * vSGIs: vCPU 1 blocked in WFI gets a doorbell (888ns) and then the
 * wake-up: IPI latency 5888. */
static void test_ipi_to_waiting_vcpu(void **state)
{
    (void)state;
    const char *chips[] = {"rvic", "gicv3", "gicv4.1"};
    const uint64_t lat[] = {5612, 5000, 5888}, msi[] = {5306, 5000, 5000};
    for (int c = 0; c < 3; c++) {
        char y[1024];
        snprintf(y, sizeof y,
                 HEAD("%s", ", vgic_v4_enable: true") "guests:\n  - {name: g, vcpus: 2, " IDLE "}\n"
                                                      "sources:\n"
                                                      "  - {name: m, target: g, vcpu: 0, class: "
                                                      "32, injection: software, " ONCE(
                                                          "100us") "}\n"
                                                                   "  - {name: i, target: g, vcpu: "
                                                                   "1, from: 0, class: 1, " ONCE(
                                                                       "100us") "}\n",
                 chips[c]);
        run r = run_ok(y, NULL, 0);
        assert_int_equal(r.g->delivered, 2);
        assert_int_equal(cls_hist(&r, 32)->max, msi[c]); /* the wake-up (+ ACK) */
        assert_int_equal(cls_hist(&r, 1)->max, lat[c]);
        assert_int_equal(C(r, "ipi_exits"), 0);
        if (c == 0) {
            assert_int_equal(C(r, "hvc_acknowledge"), 2);
            assert_int_equal(C(r, "hvc_clear_masked"), 2);
            assert_int_equal(C(r, "hvc_signal"), 1);
            assert_int_equal(C(r, "halt_wakeup"), 2);
            assert_int_equal(r.g->kicks, 2);
        } else {
            assert_int_equal(C(r, "sysreg_traps"), 1);
            assert_int_equal(C(r, "doorbells"), c == 2 ? 1 : 0);
        }
        run_free(&r);
    }
}

/* An IPI to every other vCPU: 18 busy vCPUs (one host CPU each), vCPU 0
 * sends class 2 once at 100us. The arrival goes to vCPU 1 and 16 copies are
 * raised for vCPUs 2..17, counted as the source's (injected 17). rVIC: one SIGNAL per
 * target, 17 x 306 = 5202ns of traps on the sender; GICv3: one SGI trap per
 * cluster of 16 (vCPUs 1..15 share vCPU 0's Aff1, 16 and 17 are the next):
 * 2 x 306 = 612ns. Every target is running: one kick and IPI exit each,
 * latency ipi_exit 1600 (rVIC: + ACK + CLEAR_MASKED = 2212). */
static void test_ipi_to_all(void **state)
{
    (void)state;
    const char *chips[] = {"rvic", "gicv3"};
    const uint64_t sender_exit[] = {17 * 306, 2 * 306}, lat[] = {2212, 1600};
    for (int c = 0; c < 2; c++) {
        char y[1024];
        snprintf(
            y, sizeof y,
            "name: t\nseed: 1\nclock_hz: 1e9\nduration: 1ms\n"
            "host: {cpus: 18, sched: fifo, affinity: pinned, ctx_switch: 0ns, ipi_exit: 1.6us}\n"
            "model: {name: arm64, irqchip: %s}\n"
            "guests:\n  - {name: g, vcpus: 18, " BUSY "}\n"
            "sources:\n  - {name: i, target: g, from: 0, class: 2, " ONCE("100us") "}\n",
            chips[c]);
        run r = run_ok(y, NULL, 0);
        assert_int_equal(r.g->injected, 17);
        assert_int_equal(C(r, "raised"), 0); /* the copies are the source's arrivals */
        assert_int_equal(r.g->delivered, 17);
        assert_int_equal(C(r, c == 0 ? "hvc_signal" : "sysreg_traps"), c == 0 ? 17 : 2);
        assert_int_equal(r.g->vcpus[0].time_in[IRQ_VCPU_EXITING], sender_exit[c]);
        assert_int_equal(r.g->kicks, 17);
        assert_int_equal(C(r, "ipi_exits"), 17);
        assert_int_equal(cls_hist(&r, 2)->max, lat[c]);
        assert_int_equal(cls_hist(&r, 2)->min, lat[c]);
        run_free(&r);
    }
}

/* rVID affinity changes. Two busy vCPUs; the MSI of input 1 (class 33)
 * targets vCPU 0; after 150us of work vCPU 1 moves input 1 to itself:
 * SET_MASKED(vCPU 0), SET_MASKED(vCPU 1), RVID_MAP, IS_PENDING(vCPU 0),
 * CLEAR_MASKED(vCPU 1), one 306ns trap each from 150us.
 * (a) MSIs at 100us and 200us: the first is delivered on vCPU 0 (kick exit,
 * ACK, CLEAR_MASKED); the move finds nothing pending: 5 calls; the second
 * goes to vCPU 1 (kick exit 1.6us and ACK: latency 1906). vCPU 1 exits 5 x 306 +
 * 1600 + 2 x 306 = 3742ns.
 * (b) one MSI at 150.1us, during the move: input 1 is masked on vCPU 0 by
 * then (SET_MASKED at 150us): pending, not queued, no kick. IS_PENDING
 * (150.918us) finds it: CLEAR_PENDING drops it (rvid_moved), SIGNAL
 * (151.53us) raises a new one on vCPU 1, still masked there; CLEAR_MASKED
 * (151.836us) queues it; the trap ends at 152.142us and vCPU 1 takes it:
 * its ACK, handler from 152.448us: latency 918. 7 calls; injected 2 =
 * delivered 1 + dropped 1. */
static void test_rvid_move(void **state)
{
    (void)state;
    const char *guest =
        "guests:\n  - {name: g, vcpus: 2, " BUSY ","
        " vcpu_overrides: [{index: 1, rvid_move_after: 150us, rvid_move_input: 1}]}\n";
    char y[2048];
    snprintf(y, sizeof y,
             "%s%ssources:\n  - {name: m, target: g, vcpu: 0, class: 33,"
             " arrivals: periodic(100us), start: 100us, stop: 250us}\n",
             HEAD("rvic", ""), guest);
    run r = run_ok(y, NULL, 0);
    assert_int_equal(r.g->delivered, 2);
    assert_int_equal(C(r, "hvc_set_masked"), 2);
    assert_int_equal(C(r, "hvc_rvid_map"), 1);
    assert_int_equal(C(r, "hvc_is_pending"), 1);
    assert_int_equal(C(r, "hvc_clear_pending"), 0);
    assert_int_equal(C(r, "hvc_clear_masked"), 1 + 2);
    assert_int_equal(r.g->vcpus[1].time_in[IRQ_VCPU_EXITING], 3742);
    assert_int_equal(cls_hist(&r, 33)->max, 1906);
    run_free(&r);

    snprintf(y, sizeof y,
             "%s%ssources:\n  - {name: m, target: g, vcpu: 0, class: 33, " ONCE("150.1us") "}\n",
             HEAD("rvic", ""), guest);
    r = run_ok(y, NULL, 0);
    assert_int_equal(r.g->injected, 2);
    assert_int_equal(C(r, "raised"), 1);
    assert_int_equal(r.g->delivered, 1);
    assert_int_equal(r.g->dropped, 1);
    assert_int_equal(C(r, "rvid_moved"), 1);
    assert_int_equal(C(r, "hvc_clear_pending"), 1);
    assert_int_equal(C(r, "hvc_signal"), 1);
    assert_int_equal(C(r, "hvc_set_masked") + C(r, "hvc_rvid_map") + C(r, "hvc_is_pending") +
                         C(r, "hvc_clear_pending") + C(r, "hvc_signal"),
                     6); /* + the CLEAR_MASKED: 7 */
    assert_int_equal(r.g->kicks, 0);
    assert_int_equal(cls_hist(&r, 33)->max, 918);
    run_free(&r);
}

/* RVID_UNMAP at run time: MSIs of input 1 (class 33) to vCPU 0 at 100us
 * and 200us; vCPU 1 unmaps input 1 after 150us of work (one 306ns trap).
 * The first is delivered, the second dropped (rvid_unmapped). Under GICv3
 * the unmap is an rVID operation and changes nothing: both delivered. */
static void test_rvid_unmap(void **state)
{
    (void)state;
    const char *chips[] = {"rvic", "gicv3"};
    for (int c = 0; c < 2; c++) {
        char y[1024];
        snprintf(y, sizeof y,
                 HEAD("%s",
                      "") "guests:\n  - {name: g, vcpus: 2, " BUSY ","
                          " vcpu_overrides: [{index: 1, rvid_move_after: 150us, rvid_move_input: 1,"
                          " rvid_move_unmap: true}]}\n"
                          "sources:\n  - {name: m, target: g, vcpu: 0, class: 33,"
                          " arrivals: periodic(100us), start: 100us, stop: 250us}\n",
                 chips[c]);
        run r = run_ok(y, NULL, 0);
        assert_int_equal(r.g->injected, 2);
        assert_int_equal(r.g->delivered, c == 0 ? 1 : 2);
        assert_int_equal(C(r, "rvid_unmapped"), c == 0 ? 1 : 0);
        assert_int_equal(C(r, "hvc_rvid_unmap"), c == 0 ? 1 : 0);
        run_free(&r);
    }
}

/* The level timer under rVIC, re-pended by RESAMPLE at the tail. vCPU 0
 * busy. Timer at 100us: host IRQ exit to 100.888, ACK to 101.194, handler.
 * MSI at 102us: the line was low (the list empty after the ACK): kick, an
 * IPI exit in the middle of the handler (102 - 103.6), handler ends at
 * 104.794. The timer fires again at 102.5us while masked: pending, no exit
 * (the host timer IRQ is still active). RESAMPLE (-105.1) finds it high,
 * CLEAR_MASKED (-105.406) queues it at the tail, behind the MSI: the MSI
 * is taken first: ACK -105.712, its handler starts (latency 105.712 - 102
 * = 3712), -107.712, CLEAR_MASKED -108.018, then the timer: ACK, handler
 * from 108.324 (latency 108.324 - 102.5 = 5824). The first timer's handler
 * started at 101.194 (latency 1194). Hypercalls: ACK 3, RESAMPLE 2,
 * CLEAR_MASKED 3; 1 host IRQ exit. */
static void test_timer_resample_tail(void **state)
{
    (void)state;
    run r = run_ok(
        HEAD("rvic",
             "") "guests:\n  - {name: g, vcpus: 1, " BUSY "}\n"
                 "sources:\n"
                 "  - {name: t1, target: g, vcpu: 0, class: 27, " ONCE(
                     "100us") "}\n"
                              "  - {name: m, target: g, vcpu: 0, class: 32, " ONCE(
                                  "102us") "}\n"
                                           "  - {name: t2, target: g, vcpu: 0, class: 27, " ONCE(
                                               "102.5us") "}\n",
        NULL, 0);
    assert_int_equal(r.g->delivered, 3);
    assert_int_equal(C(r, "host_irq_exits"), 1);
    assert_int_equal(C(r, "hvc_acknowledge"), 3);
    assert_int_equal(C(r, "hvc_resample"), 2);
    assert_int_equal(C(r, "hvc_clear_masked"), 3);
    assert_int_equal(cls_hist(&r, 32)->max, 3712);
    assert_int_equal(cls_hist(&r, 27)->count, 2);
    assert_int_equal(cls_hist(&r, 27)->max, 5824);
    assert_int_equal(cls_hist(&r, 27)->min, 1194);
    run_free(&r);
}

/* The HW-mapped timer under GICv3. Timer at 100us: the PPI exits vCPU 0
 * (888ns), the LR is taken at 100.888us, handler to 102.888us. It fires
 * again at 101.5us while active: the physical IRQ is still active, no
 * exit; the guest's EOI at 102.888us deactivates it, it fires at once: a
 * second exit (888ns), taken at 103.776us: latency 2276. No maintenance
 * interrupt (HW-mapped). */
static void test_gicv3_timer(void **state)
{
    (void)state;
    run r =
        run_ok(HEAD("gicv3", "") "guests:\n  - {name: g, vcpus: 1, " BUSY "}\n"
                                 "sources:\n"
                                 "  - {name: t1, target: g, vcpu: 0, class: 27, " ONCE(
                                     "100us") "}\n"
                                              "  - {name: t2, target: g, vcpu: 0, class: 27, " ONCE(
                                                  "101.5us") "}\n",
               NULL, 0);
    assert_int_equal(r.g->delivered, 2);
    assert_int_equal(C(r, "host_irq_exits"), 2);
    assert_int_equal(C(r, "maintenance_interrupts"), 0);
    assert_int_equal(r.g->kicks, 0);
    assert_int_equal(cls_hist(&r, 27)->min, 888);
    assert_int_equal(cls_hist(&r, 27)->max, 2276);
    run_free(&r);
}

/* gic_switch_cost (the GIC save/restore rVIC skips) is paid at each guest
 * entry after an exit, the first entry included: 100ns at 0, and after
 * the MSI kick's exit at 100us (1.6us): the MSI is taken at 101.7us. Two
 * entries paid; the guest lost 1600 + 2 x 100ns. rVIC never pays it
 * (latency 1600 + its 306ns ACK). */
static void test_gic_switch_cost(void **state)
{
    (void)state;
    const char *chips[] = {"gicv3", "rvic"};
    const uint64_t lat[] = {1700, 1906}, paid[] = {2, 0}, lost[] = {1800, 1600 + 612};
    for (int c = 0; c < 2; c++) {
        char y[1024];
        snprintf(y, sizeof y,
                 HEAD("%s", ", gic_switch_cost: 100ns") "guests:\n  - {name: g, vcpus: 1, " BUSY
                                                        "}\n"
                                                        "sources:\n  - {name: m, target: g, vcpu: "
                                                        "0, class: 32, " ONCE("100us") "}\n",
                 chips[c]);
        run r = run_ok(y, NULL, 0);
        assert_int_equal(C(r, "gic_switches"), paid[c]);
        assert_int_equal(cls_hist(&r, 32)->max, lat[c]);
        assert_int_equal(C(r, "guest_trap_cycles"), lost[c]);
        run_free(&r);
    }
}

/* A preempted vCPU: two busy vCPUs share one host CPU in 100us slices
 * (vCPU 0 runs 0-100us, vCPU 1 100-200us, vCPU 0 from 200us). A
 * pass-through MSI for vCPU 0 at 150us: GICv4.1 leaves it pending in the
 * hardware (no doorbell: the vCPU is not in WFI; no kick), GICv3 and rVIC
 * kick it (a vCPU outside guest mode: no IPI exit). It is taken when vCPU 0
 * runs again at 200us: latency 50000, under rVIC + the 306ns ACK. */
static void test_preempted_vcpu(void **state)
{
    (void)state;
    const char *chips[] = {"rvic", "gicv3", "gicv4.1"};
    const uint64_t lat[] = {50306, 50000, 50000}, kicks[] = {1, 1, 0};
    for (int c = 0; c < 3; c++) {
        char y[1024];
        snprintf(y, sizeof y,
                 "name: t\nseed: 1\nclock_hz: 1e9\nduration: 1ms\n"
                 "host: {cpus: 1, sched: fifo, affinity: pinned, timeslice: 100us,"
                 " ctx_switch: 0ns, ipi_exit: 1.6us}\n"
                 "model: {name: arm64, irqchip: %s, vgic_v4_enable: true}\n"
                 "guests:\n  - {name: g, vcpus: 2, " BUSY "}\n"
                 "sources:\n  - {name: m, target: g, vcpu: 0, class: 32, " ONCE("150us") "}\n",
                 chips[c]);
        run r = run_ok(y, NULL, 0);
        assert_int_equal(r.g->delivered, 1);
        assert_int_equal(r.g->kicks, kicks[c]);
        assert_int_equal(C(r, "ipi_exits"), 0);
        assert_int_equal(C(r, "doorbells"), 0);
        assert_int_equal(cls_hist(&r, 32)->max, lat[c]);
        run_free(&r);
    }
}

/* A burst of 10 MSIs (classes 32..41, 1ns apart from 100us) to busy vCPU 0.
 * rVIC: the first raises the line: one kick (IPI exit to 101.6us), the
 * others find it high; then 10 IRQ exceptions, one ACK each, in FIFO order,
 * 2612ns apart (ACK + handler + CLEAR_MASKED): class 32+k's handler starts
 * 306ns after its ACK: latency 1600 + 306 + 2612k - k. GICv3 with 4 LRs: every injection kicks (10
 * kicks, one IPI exit: the rest find vCPU 0 already out of guest mode); at 101.6us LRs get 32..35
 * (overflow: UIE); after 3 EOIs (107.6us) one LR is left: MI (888ns), refill 35..38 (overflow
 * again); after 3 more (114.488) MI, refill 38..41: ceil((10 - 4) / 3) = 2 MIs, 2 overflowed
 * entries. Class 41 is the last: 115.376 + 4 x 2us - 100.009 = 123.376 - 100.009. */
static void test_burst_of_ten(void **state)
{
    (void)state;
    char src[2048] = "sources:\n";
    for (int k = 0; k < 10; k++) {
        char line[160];
        snprintf(line, sizeof line,
                 "  - {name: m%d, target: g, vcpu: 0, class: %d, arrivals: periodic(1s),"
                 " start: %dns}\n",
                 k, 32 + k, 100000 + k);
        strcat(src, line);
    }
    char y[4096];
    snprintf(y, sizeof y, "%s%s%s", HEAD("rvic", ""),
             "guests:\n  - {name: g, vcpus: 1, " BUSY "}\n", src);
    run r = run_ok(y, NULL, 0);
    assert_int_equal(r.g->delivered, 10);
    assert_int_equal(r.g->kicks, 1);
    assert_int_equal(C(r, "hvc_acknowledge"), 10);
    for (uint32_t k = 0; k < 10; k++)
        assert_int_equal(cls_hist(&r, 32 + k)->max, 1600 + 306 + 2612 * k - k);
    run_free(&r);

    snprintf(y, sizeof y, "%s%s%s", HEAD("gicv3", ""),
             "guests:\n  - {name: g, vcpus: 1, " BUSY "}\n", src);
    r = run_ok(y, NULL, 0);
    assert_int_equal(r.g->delivered, 10);
    assert_int_equal(r.g->kicks, 10);
    assert_int_equal(C(r, "ipi_exits"), 1);
    assert_int_equal(C(r, "maintenance_interrupts"), 2);
    assert_int_equal(C(r, "lr_overflows"), 2);
    const uint64_t at[10] = {101600, 103600, 105600, 108488, 110488,
                             112488, 115376, 117376, 119376, 121376};
    for (uint32_t k = 0; k < 10; k++)
        assert_int_equal(cls_hist(&r, 32 + k)->max, at[k] - (100000 + k));
    run_free(&r);
}

/* Injection into a disabled rVIC, and an unmapped rVID input. vCPU 1's
 * rVIC is disabled: its MSI (class 32) is dropped (rvic_disabled), so is
 * vCPU 0's SIGNAL to it (status DISABLED; the SIGNAL still costs its
 * trap). vCPU 0's MSI on class 35 = rVID input 3, which the guest left
 * unmapped, is dropped (rvid_unmapped); class 33 is delivered. Injected 4 =
 * delivered 1 + dropped 3. */
static void test_disabled_and_unmapped(void **state)
{
    (void)state;
    run r = run_ok(
        HEAD("rvic",
             "") "guests:\n  - {name: g, vcpus: 2, " BUSY ","
                 " model: {rvid_unmapped_inputs: [3]},"
                 " vcpu_overrides: [{index: 1, rvic_enabled: false}]}\n"
                 "sources:\n"
                 "  - {name: a, target: g, vcpu: 1, class: 32, " ONCE(
                     "100us") "}\n"
                              "  - {name: b, target: g, vcpu: 1, from: 0, class: 2, " ONCE(
                                  "110us") "}\n"
                                           "  - {name: c, target: g, vcpu: 0, class: 35, " ONCE(
                                               "120us") "}\n"
                                                        "  - {name: d, target: g, vcpu: 0, class: "
                                                        "33, " ONCE("130us") "}\n",
        NULL, 0);
    assert_int_equal(r.g->injected, 4);
    assert_int_equal(r.g->delivered, 1);
    assert_int_equal(r.g->dropped, 3);
    assert_int_equal(C(r, "rvic_disabled"), 2);
    assert_int_equal(C(r, "rvid_unmapped"), 1);
    assert_int_equal(C(r, "hvc_signal"), 1);
    assert_int_equal(r.g->kicks, 1); /* only the delivered MSI's */
    run_free(&r);
}

/* CPU bring-up on the boot vCPU after 10us of guest work, nr_total 64:
 * VERSION, 2 x INFO, RVID_VERSION, DISABLE, 64 x (SET_MASKED +
 * CLEAR_PENDING), ENABLE, 8 x CLEAR_MASKED = 142 hypercalls, 142 x 306ns
 * = 43452ns of exits. DISABLE is the 5th call (from 11.224us), ENABLE the
 * 134th (from 50.698us): an MSI at 20us finds the rVIC disabled and is
 * dropped; one at 60us is delivered. */
static void test_cpu_bringup(void **state)
{
    (void)state;
    run r =
        run_ok(HEAD("rvic", "") "guests:\n  - {name: g, vcpus: 1, " BUSY ","
                                " vcpu: {bringup_after: 10us}}\n"
                                "sources:\n"
                                "  - {name: a, target: g, vcpu: 0, class: 32, " ONCE(
                                    "20us") "}\n"
                                            "  - {name: b, target: g, vcpu: 0, class: 33, " ONCE(
                                                "60us") "}\n",
               NULL, 0);
    assert_int_equal(C(r, "hvc_version"), 1);
    assert_int_equal(C(r, "hvc_info"), 2);
    assert_int_equal(C(r, "hvc_rvid_version"), 1);
    assert_int_equal(C(r, "hvc_disable"), 1);
    assert_int_equal(C(r, "hvc_set_masked"), 64);
    assert_int_equal(C(r, "hvc_clear_pending"), 64);
    assert_int_equal(C(r, "hvc_enable"), 1);
    /* 8 at bring-up, then the delivered MSI's ACK and CLEAR_MASKED */
    assert_int_equal(C(r, "hvc_clear_masked"), 9);
    assert_int_equal(C(r, "hvc_acknowledge"), 1);
    assert_int_equal(C(r, "hvc_traps"), 142 + 2);
    assert_int_equal(C(r, "rvic_disabled"), 1);
    assert_int_equal(r.g->delivered, 1);
    /* 142 bring-up calls + ACK + CLEAR_MASKED + the MSI's kick exit */
    assert_int_equal(r.g->vcpus[0].time_in[IRQ_VCPU_EXITING], 144 * 306 + 1600);
    run_free(&r);
}

/* GICv4.1 doorbells: both vCPUs blocked in WFI from 1us; two pass-through
 * MSIs for vCPU 1 at 100us and 100.5us. The first rings the doorbell (888ns
 * of host work on vCPU 1's CPU), which wakes it (5us): latency 5888; the
 * second finds the doorbell already used (at most once per non-residency)
 * and waits in the hardware: taken after the first's handler, at 105.888 +
 * 2us (latency 7388). Off (vgic_v4_enable false): software LPIs, kick, the
 * wake-up: 5000, then 7000 - 500 = 6500. */
static void test_gicv41_doorbell(void **state)
{
    (void)state;
    const char *on[] = {"true", "false"};
    const uint64_t first[] = {5888, 5000}, second[] = {7388, 6500}, db[] = {1, 0};
    for (int c = 0; c < 2; c++) {
        char y[1024];
        snprintf(y, sizeof y,
                 HEAD("gicv4.1",
                      ", vgic_v4_enable: %s") "guests:\n  - {name: g, vcpus: 2, " IDLE "}\n"
                                              "sources:\n"
                                              "  - {name: a, target: g, vcpu: 1, class: 32, " ONCE(
                                                  "100us") "}\n"
                                                           "  - {name: b, target: g, vcpu: 1, "
                                                           "class: 33, " ONCE("100.5us") "}\n",
                 on[c]);
        run r = run_ok(y, NULL, 0);
        assert_int_equal(r.g->delivered, 2);
        assert_int_equal(C(r, "doorbells"), db[c]);
        assert_int_equal(cls_hist(&r, 32)->max, first[c]);
        assert_int_equal(cls_hist(&r, 33)->max, second[c]);
        run_free(&r);
    }
}

/* Classes the model cannot place are load errors with the source's line. */
static void test_validation(void **state)
{
    (void)state;
    const char *bad[] = {
        "  - {name: i, target: g, vcpu: 1, class: 3, " ONCE("1us") "}\n",  /* no from */
        "  - {name: t, target: g, class: 27, " ONCE("1us") "}\n",          /* no vcpu */
        "  - {name: m, target: g, from: 0, class: 40, " ONCE("1us") "}\n", /* MSI from */
        "  - {name: m, target: g, vcpu: 0, class: 64, " ONCE("1us") "}\n", /* input 32 */
    };
    for (size_t i = 0; i < sizeof bad / sizeof *bad; i++) {
        char y[1024];
        snprintf(y, sizeof y, "%sguests:\n  - {name: g, vcpus: 2, " BUSY "}\nsources:\n%s",
                 HEAD("rvic", ""), bad[i]);
        irq_scenario *sc = NULL;
        irq_error err = {0};
        int rc;
        irq_sim *sim = run_text(y, NULL, 0, &sc, &err, &rc);
        assert_null(sim);
        assert_int_equal(rc, IRQ_EINPUT);
        assert_int_equal(err.line, 10); /* the source's line */
    }
}

/* Intids up to nr_total - 1 = 2047 (rVID inputs past the 64 that
 * rvid_unmapped_inputs can name) run under every controller, conserving
 * (the core checks) and with nothing dropped: only inputs 0..63 can be left
 * unmapped. */
static void test_large_intids(void **state)
{
    (void)state;
    const char *chips[] = {"rvic", "gicv3", "gicv4.1"};
    for (int c = 0; c < 3; c++) {
        char y[1024];
        snprintf(
            y, sizeof y,
            HEAD(
                "%s",
                ", nr_total: 2048, vgic_v4_enable: true") "guests:\n  - {name: g, vcpus: 2, " BUSY
                                                          ","
                                                          " model: {rvid_unmapped_inputs: [0, "
                                                          "63]}}\n"
                                                          "sources:\n  - {name: a, target: g, "
                                                          "class: 2047, arrivals: poisson(50k/s)}\n"
                                                          "  - {name: b, target: g, vcpu: 1, "
                                                          "class: 100, arrivals: poisson(50k/s)}\n",
            chips[c]);
        run r = run_ok(y, NULL, 0);
        assert_true(r.g->delivered > 50);
        assert_int_equal(r.g->dropped, 0);
        run_free(&r);
    }
}

/* Properties on random scenarios for every controller: the run succeeds
 * (the core checks conservation per guest; the model checks as it goes that
 * the rVIC line equals enabled && list not empty, that no queue holds a
 * class twice and that no masked class is delivered); the same scenario
 * and seed give the same report; at the end every rVIC line still matches
 * its list and every vCPU's time adds up. */
static void test_random_properties(void **state)
{
    (void)state;
    const char *chips[] = {"rvic", "gicv3", "gicv4.1"};
    uint64_t total = 0;
    for (int seed = 1; seed <= 12; seed++) {
        for (int c = 0; c < 3; c++) {
            char y[4096];
            snprintf(y, sizeof y,
                     "name: r\nseed: %d\nclock_hz: 1e9\nduration: 10ms\n"
                     "host: {cpus: %d}\n"
                     "model: {name: arm64, irqchip: %s, vgic_v4_enable: %s, lr_count: %d,"
                     " halt_poll: %s}\n"
                     "guests:\n"
                     "  - {name: a, count: 2, vcpus: %d, workload: {busy: exp(%dus),"
                     " idle: exp(%dus), handler: exp(2us)},"
                     " model: {rvid_unmapped_inputs: [%d]},"
                     " vcpu_overrides: [{index: 1, rvic_enabled: %s, bringup_after: %dus},"
                     " {index: 0, rvid_move_after: %dus, rvid_move_input: %d}]}\n"
                     "sources:\n"
                     "  - {name: pt, target: a, class: %d, arrivals: poisson(%dk/s)}\n"
                     "  - {name: sw, target: a, vcpu: 1, class: %d, injection: software,"
                     " arrivals: 'storm(count=30, window=20us, period=1ms)'}\n"
                     "  - {name: ipi, target: a, from: all, class: %d, arrivals: poisson(%dk/s)}\n"
                     "  - {name: uni, target: a, vcpu: 0, from: 1, class: 2,"
                     " arrivals: poisson(10k/s)}\n"
                     "  - {name: tmr, target: a, vcpu: 0, class: 27, arrivals: periodic(250us)}\n",
                     seed, 1 + seed % 4, chips[c], seed % 2 ? "true" : "false", 2 + seed % 5,
                     seed % 3 ? "0ns" : "500us", 2 + seed % 5, 30 + 11 * seed, 20 + 7 * seed,
                     seed % 4, seed % 3 ? "true" : "false", 100 * seed, 50 + 70 * seed,
                     (seed + 1) % 6, 32 + seed % 6, 20 + 5 * seed, 32 + (seed + 1) % 6, seed % 16,
                     5 + seed);
            irq_scenario *sc;
            irq_error err = {0};
            int rc;
            irq_sim *sim = run_text(y, NULL, 0, &sc, &err, &rc);
            if (!sim || rc != IRQ_OK)
                fail_msg("seed %d, %s: %s", seed, chips[c], err.message);
            char *j1 = report_json(sim);
            for (size_t i = 0; i < sim->priv->nguests; i++) {
                irq_guest *g = &sim->priv->guests[i];
                total += g->injected;
                if (c == 0) /* vCPU 0 moved an input once, vCPU 1 was brought up once */
                    assert_int_equal(mcount(sim, g, "hvc_rvid_map"), 1);
                assert_true(g->injected > 50);
                for (uint32_t k = 0; k < g->nvcpus; k++) {
                    const a64_vcpu *s = irq_vcpu_model(&g->vcpus[k]);
                    assert_int_equal(s->bad_deliveries, 0);
                    if (c == 0)
                        assert_int_equal(s->line, s->enabled && irq_pendq_nqueued(&s->q) > 0);
                    uint64_t t = 0;
                    for (int st = 0; st < IRQ_VCPU_NSTATES; st++)
                        t += g->vcpus[k].time_in[st];
                    assert_int_equal(t, 10000000);
                }
            }
            irq_sim_free(sim);
            irq_scenario_free(sc);
            sim = run_text(y, NULL, 0, &sc, &err, &rc);
            assert_non_null(sim);
            char *j2 = report_json(sim);
            assert_string_equal(j1, j2);
            free(j1);
            free(j2);
            irq_sim_free(sim);
            irq_scenario_free(sc);
        }
    }
    print_message("random properties: %llu interrupts over 36 runs\n", (unsigned long long)total);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_single_rvic),         cmocka_unit_test(test_single_gicv3),
        cmocka_unit_test(test_single_gicv41),       cmocka_unit_test(test_msi_running_named_costs),
        cmocka_unit_test(test_ipi_to_waiting_vcpu), cmocka_unit_test(test_ipi_to_all),
        cmocka_unit_test(test_timer_resample_tail), cmocka_unit_test(test_gicv3_timer),
        cmocka_unit_test(test_gic_switch_cost),     cmocka_unit_test(test_preempted_vcpu),
        cmocka_unit_test(test_burst_of_ten),        cmocka_unit_test(test_disabled_and_unmapped),
        cmocka_unit_test(test_cpu_bringup),         cmocka_unit_test(test_rvid_move),
        cmocka_unit_test(test_rvid_unmap),          cmocka_unit_test(test_gicv41_doorbell),
        cmocka_unit_test(test_validation),          cmocka_unit_test(test_large_intids),
        cmocka_unit_test(test_random_properties),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
