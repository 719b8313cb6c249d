/* The x86 async page fault model: hand-derived regression scenarios (the
 * derivation beside each assertion) and properties on random scenarios for
 * every mode. Clock 1 GHz (1 ns = 1 cycle) unless said otherwise; one vCPU
 * alone on one host CPU; EPT exit, pre-fault, ACK exit and every guest
 * handler 1 us, IPI exit 2 us, wake-up 5 us, wait exit 1 us. At time 0 the
 * guest (interrupt and pf-legacy modes) has just enabled APF: the broadcast
 * item's page-ready runs first (handler 0-1 us, ACK 1-2 us in interrupt mode;
 * handler 0-1 us in pf-legacy, which has no ACK). */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#include <cmocka.h>

#include "../src/models/apf/apf_internal.h"
#include "test_sim_helpers.h"

#define US 1000u

#define HEAD(dur)                                                                                  \
    "name: t\nseed: 1\nclock_hz: 1GHz\nduration: " dur "\n"                                        \
    "host: {cpus: 1, wakeup: 5us, wait_exit: 1us, ipi_exit: 2us, ctx_switch: 0ns}\n"
#define COSTS "ept_exit: 1us, prefault: 1us, ack_exit: 1us"
#define GUEST(tasks)                                                                               \
    "guests:\n  - {name: g, vcpus: 1, workload: {start: busy, busy: const(10s), handler: "         \
    "const(1us), tasks: " tasks "}}\n"

static uint64_t C(run r, const char *name)
{
    uint64_t v = mcount(r.sim, r.g, name);
    if (v == UINT64_MAX)
        fail_msg("no counter %s", name);
    return v;
}

static irq_vcpu *V(run r)
{
    return &r.g->vcpus[0];
}

/* scenarios/apf-single.yaml: one async fault after another while task 1
 * runs; each completion kicks the running vCPU (IPI exit), its page is
 * pre-faulted at entry, page-ready and ACK; the comment derives it all. */
static void test_apf_single(void **state)
{
    (void)state;
    run r = run_file_ok("apf-single.yaml", NULL);
    /* faults at 102, 708, 1314, 1920 us: 4, all async, all told */
    assert_int_equal(C(r, "faults"), 4);
    assert_int_equal(C(r, "async_pf"), 4);
    assert_int_equal(C(r, "pf_exits"), 4);
    assert_int_equal(C(r, "not_present_injected"), 4);
    /* page-ready: the broadcast + the 3 completed by 2 ms, each ACKed */
    assert_int_equal(C(r, "page_ready_injected"), 4);
    assert_int_equal(C(r, "apf_ack_exits"), 4);
    assert_int_equal(C(r, "prefaults"), 3);
    assert_int_equal(C(r, "apf_dequeued"), 4);
    assert_int_equal(C(r, "outstanding"), 1);
    /* each completion found the done list empty, no page-ready in flight
     * and the vCPU in guest mode: a kick that is an IPI exit */
    assert_int_equal(C(r, "apf_kicks"), 3);
    assert_int_equal(C(r, "ipi_exits"), 3);
    assert_int_equal(C(r, "apf_halts") + C(r, "halt_exits") + C(r, "sync_faults"), 0);
    /* 4 #PF + 4 page-ready interrupts, all delivered at the entry they were
     * raised for */
    assert_int_equal(r.g->injected, 8);
    assert_int_equal(r.g->delivered, 8);
    assert_int_equal(r.g->latency.max, 0);
    /* fault (EPT violation) to resume 1 + 500 + 5 us, completion to resume
     * IPI 2 + pre-fault 1 + handler 1 + ACK 1 = 5 us, three times */
    assert_int_equal(C(r, "resumed"), 3);
    assert_int_equal(C(r, "fault_to_resume_cycles"), 3 * 506 * US);
    assert_int_equal(C(r, "io_to_resume_cycles"), 3 * 5 * US);
    /* ... and as distributions: three of each, all equal */
    const irq_hist *fr = &r.sim->priv->mhists[0], *ir = &r.sim->priv->mhists[1];
    assert_int_equal(fr->count, 3);
    assert_int_equal(fr->min, 506 * US);
    assert_int_equal(fr->max, 506 * US);
    assert_int_equal(ir->count, 3);
    assert_int_equal(ir->max, 5 * US);
    /* work: task 0 4 x 100 us; task 1 the rest of 2 ms but 25 us */
    assert_int_equal(irq_task_work(V(r), 0), 400 * US);
    assert_int_equal(irq_task_work(V(r), 1), 1575 * US);
    assert_int_equal(C(r, "work_faulting_cycles"), 400 * US);
    assert_int_equal(C(r, "work_other_cycles"), 1575 * US);
    run_free(&r);
}

/* A fault with no other runnable task: the #PF handler parks the only task,
 * the guest executes HLT and the vCPU halts; the completion wakes it.
 *   0-2     broadcast page-ready and ACK; task 0 runs 2-102
 *   102-103 EPT exit (page-in done at 603); 103-104 #PF handler: parked
 *   104-105 HLT exit; halt: the polling window starts at 0, so it sleeps
 *   603     completion: kick of a halted vCPU = wake-up (halt_wakeup), no IPI
 *   603-608 wake-up; the thread re-checks: the done list is not empty
 *   608-609 pre-fault; 609-610 page-ready; 610-611 ACK; task 0 runs at 611
 *   711-712 second fault; 712-713 #PF, 713-714 HLT exit, asleep to 1 ms.
 * The first halt lasted 503 us > the 200 us maximum: the window stays 0.
 * WAIT: 105-608 and 714-1000 = 503 + 286 us. */
static void test_fault_no_other_task(void **state)
{
    (void)state;
    run r = run_ok_entries(HEAD("1ms") "model: {name: apf, fault_every: const(100us), io_latency: "
                                       "const(500us), " COSTS "}\n" GUEST("1"),
                           NULL, 0);
    assert_int_equal(C(r, "faults"), 2);
    assert_int_equal(C(r, "halt_exits"), 2);
    assert_int_equal(entries_of(r.entries, V(r), IRQ_VCPU_WAIT), 2);
    assert_int_equal(V(r)->time_in[IRQ_VCPU_WAIT], (503 + 286) * US);
    assert_int_equal(C(r, "halt_wakeup"), 1);
    assert_int_equal(C(r, "halt_attempted_poll"), 0);
    assert_int_equal(C(r, "apf_kicks"), 1);
    assert_int_equal(C(r, "ipi_exits"), 0);
    assert_int_equal(C(r, "page_ready_injected"), 2);
    assert_int_equal(C(r, "io_to_resume_cycles"), 8 * US);
    assert_int_equal(C(r, "fault_to_resume_cycles"), 509 * US);
    assert_int_equal(irq_task_work(V(r), 0), 200 * US);
    run_free(&r);
}

/* A fault in guest kernel mode (interrupts on): Linux guests do not set
 * send_always, so no "not present": the artificial halt, not polled, and
 * task 1 does not run meanwhile (the guest does not know).
 *   0-2 broadcast; task 0 runs 2-102; 102-103 EPT exit; halted at 103
 *   603 completion: kick = wake-up; 603-608 wake-up, the done list is not
 *   empty: the halt ends; 608-609 pre-fault (no page-ready: "not present"
 *   was not delivered); task 0 goes on at 609 and faults again at 709,
 *   halted from 710 to the end.
 * WAIT 103-608 and 710-1000: 505 + 290 us; task 1 never runs. */
static void test_kernel_fault_artificial_halt(void **state)
{
    (void)state;
    run r = run_ok(HEAD("1ms") "model: {name: apf, kernel_share: 1, fault_every: const(100us),"
                               " io_latency: const(500us), " COSTS "}\n" GUEST("2"),
                   NULL, 0);
    assert_int_equal(C(r, "faults"), 2);
    assert_int_equal(C(r, "async_pf"), 2);
    assert_int_equal(C(r, "apf_halts"), 2);
    assert_int_equal(C(r, "not_present_injected"), 0);
    assert_int_equal(C(r, "page_ready_injected"), 1); /* the broadcast only */
    assert_int_equal(C(r, "prefaults"), 1);
    assert_int_equal(C(r, "halt_exits"), 0);
    assert_int_equal(C(r, "halt_attempted_poll"), 0);
    assert_int_equal(C(r, "halt_wakeup"), 1);
    assert_int_equal(V(r)->time_in[IRQ_VCPU_WAIT], (505 + 290) * US);
    assert_int_equal(C(r, "fault_to_resume_cycles"), 507 * US);
    assert_int_equal(C(r, "io_to_resume_cycles"), 6 * US);
    assert_int_equal(irq_task_work(V(r), 0), 200 * US);
    assert_int_equal(irq_task_work(V(r), 1), 0);
    run_free(&r);
}

/* halt-only with the guest's tick (vector 236 every 200 us from 300 us), a
 * 100 us slice and 1 ms page-ins: an interrupt ends the artificial halt and
 * the guest schedules the task charged least; the faulting task's retry is
 * a repeated fault. The guest charges a task the time it was current,
 * halted time included.
 *   0 no broadcast (APF not enabled); task 0 runs 0-100; EPT exit 100-101,
 *   artificial halt from 101 (page-in done at 1101)
 *   300 tick: kick = wake-up 300-305; an interrupt is pending: the halt
 *   ends; handler 305-306: slice over, task 0 charged 306, task 1 0: task 1
 *   500 tick: IPI exit 500-502, handler 502-503: task 1 charged 197 < 306
 *   700 tick: IPI exit, handler 702-703: task 1 charged 397 > 306: task 0,
 *   which retries its page after 1 ns of work: EPT exit 703.001-704.001,
 *   the page-in still runs: repeated fault, artificial halt
 *   900 tick: wake-up 900-905, handler 905-906: task 0 charged 306 + 203 =
 *   509 > 397: task 1
 *   1100 tick: IPI exit 1100-1102; 1101 completion: first on the done list,
 *   kick, but the vCPU is in the host: nothing more; entry 1102: pre-fault
 *   1102-1103 (no page-ready: "not present" was never sent), then the tick
 *   handler 1103-1104: task 1 charged 595 > 509: task 0 runs 1104-1200.
 * Task 1 worked 306-500, 503-700, 906-1100: 585 us; fault to resume
 * 100 -> 1103 us. */
static void test_halt_only_tick_repeated_fault(void **state)
{
    (void)state;
    run r = run_ok(HEAD("1200us") "model: {name: apf, mode: halt-only, fault_every: "
                                  "const(100us), io_latency: const(1ms), guest_slice: 100us, " COSTS
                                  "}\n" GUEST("2") "sources:\n  - {name: tick, target: g, vcpu: 0, "
                                                   "class: 236, arrivals: periodic(200us), start: "
                                                   "300us}\n",
                   NULL, 0);
    assert_int_equal(C(r, "faults"), 1);
    assert_int_equal(C(r, "apf_halts"), 2);
    assert_int_equal(C(r, "repeated_faults"), 1);
    assert_int_equal(C(r, "pf_exits"), 2);
    assert_int_equal(C(r, "page_ready_injected"), 0);
    assert_int_equal(C(r, "prefaults"), 1);
    assert_int_equal(C(r, "halt_wakeup"), 2);
    assert_int_equal(C(r, "ipi_exits"), 3);
    assert_int_equal(C(r, "apf_kicks"), 1);
    assert_int_equal(C(r, "fault_to_resume_cycles"), 1003 * US);
    assert_int_equal(irq_task_work(V(r), 1), 585 * US);
    /* task 0: 100 us, 1 ns before its retry, then 1104-1200 us */
    assert_int_equal(irq_task_work(V(r), 0), 100 * US + 1 + 96 * US);
    run_free(&r);
}

/* The 65th outstanding fault goes synchronous: 66 faulting tasks, each
 * faulting after 10 us of work, page-ins of 10 ms (none completes). Task k
 * runs after task k-1 parked: each takes 10 us work + 1 us exit + 1 us #PF.
 * Task 64 faults at 2 + 64 x 12 + 10 = 780 us with 64 queued: kvm_setup_async_pf
 * fails, the thread blocks in the host from 781 us to the end (1 ms). */
static void test_queue_full_goes_sync(void **state)
{
    (void)state;
    run r = run_ok(HEAD("1ms") "model: {name: apf, faulting_tasks: 66, fault_every: "
                               "const(10us), io_latency: const(10ms), " COSTS "}\n" GUEST("66"),
                   NULL, 0);
    assert_int_equal(C(r, "faults"), 65);
    assert_int_equal(C(r, "async_pf"), 64);
    assert_int_equal(C(r, "max_queued"), 64);
    assert_int_equal(C(r, "apf_queue_full"), 1);
    assert_int_equal(C(r, "sync_faults"), 1);
    assert_int_equal(C(r, "host_blocks"), 1);
    assert_int_equal(V(r)->time_in[IRQ_VCPU_BLOCKED], 219 * US);
    assert_int_equal(C(r, "outstanding"), 64);
    assert_int_equal(irq_task_work(V(r), 65), 0);
    run_free(&r);
}

/* Two completions close together: one page-ready in flight, the second
 * delivered in the ACK exit. Tasks 0 and 1 fault after 1.5 us of work.
 *   task 0 runs 2-3.5, EPT exit to 4.5 (done at 504.5), #PF 4.5-5.5
 *   task 1 runs 5.5-7, EPT exit to 8 (done at 508), #PF 8-9; task 2 runs
 *   504.5 completion 1: kick, IPI exit to 506.5, pre-fault to 507.5,
 *   page-ready handler 507.5-508.5
 *   508 completion 2: the done list was empty but a page-ready is in
 *   flight: no kick; the vCPU is not halted: no wake-up either
 *   508.5-509.5 ACK exit: task 0 woken; in the same exit the host takes
 *   item 2: pre-fault 509.5-510.5, page-ready 510.5-511.5, ACK to 512.5
 * I/O to resume: 509.5 - 504.5 + 512.5 - 508 = 9.5 us. Then task 1 (woken
 * last, it preempted) faults at 514; nothing else completes by 600 us. */
static void test_two_completions_one_in_flight(void **state)
{
    (void)state;
    run r = run_ok(HEAD("600us") "model: {name: apf, faulting_tasks: 2, fault_every: "
                                 "const(1500ns), io_latency: const(500us), " COSTS "}\n" GUEST("3"),
                   NULL, 0);
    assert_int_equal(C(r, "apf_kicks"), 1);
    assert_int_equal(C(r, "ipi_exits"), 1);
    assert_int_equal(C(r, "page_ready_injected"), 3);
    assert_int_equal(C(r, "apf_ack_exits"), 3);
    assert_int_equal(C(r, "prefaults"), 2);
    assert_int_equal(C(r, "resumed"), 2);
    assert_int_equal(C(r, "io_to_resume_cycles"), 9500);
    assert_int_equal(C(r, "faults"), 3);
    assert_int_equal(C(r, "outstanding"), 1);
    run_free(&r);
}

/* pf-legacy: no kick for a running vCPU; the completion waits for the next
 * exit. A device interrupt (class 50) every 300 us from 50 us makes exits.
 *   0-1 broadcast page-ready (#PF, no ACK); task 0 runs from 1
 *   50 device: IPI exit 50-52, handler 52-53; task 0 faults at 104 (51 us
 *   of work left), EPT exit to 105 (done at 605), #PF 105-106, task 1 runs
 *   350 device: IPI exit, handler; 605 completion: nothing (no kick)
 *   650 device: IPI exit 650-652; at entry the done list is polled:
 *   pre-fault 652-653, then the page-ready #PF first (an exception) 653-654
 *   wakes task 0, then the device's handler 654-655.
 * I/O to resume 654 - 605 = 49 us (interrupt mode: 5 us). */
static void test_legacy_no_kick(void **state)
{
    (void)state;
    run r = run_ok(HEAD("700us") "model: {name: apf, mode: pf-legacy, fault_every: const(100us),"
                                 " io_latency: const(500us), " COSTS "}\n" GUEST(
                                     "2") "sources:\n  - {name: dev, target: g, vcpu: 0, class: "
                                          "50, arrivals: periodic(300us), start: 50us}\n",
                   NULL, 0);
    assert_int_equal(C(r, "apf_kicks"), 0);
    assert_int_equal(C(r, "ipi_exits"), 3);
    assert_int_equal(C(r, "page_ready_injected"), 2);
    assert_int_equal(C(r, "apf_ack_exits"), 0);
    assert_int_equal(C(r, "io_to_resume_cycles"), 49 * US);
    assert_int_equal(C(r, "fault_to_resume_cycles"), 550 * US);
    run_free(&r);
}

/* sync: the thread blocks in the host for each page-in; no broadcast (APF
 * is not there). Task 0 runs 0-100, EPT exit to 101, BLOCKED 101-601, runs
 * 601-701, exit, blocked 702-1202, runs to 1302, blocked 1303-1803, runs
 * to 1903, blocked from 1904 to 2 ms: 3 x 500 + 96 us; task 1 never runs. */
static void test_sync_blocks_thread(void **state)
{
    (void)state;
    run r = run_ok(HEAD("2ms") "model: {name: apf, mode: sync, fault_every: const(100us), "
                               "io_latency: const(500us), " COSTS "}\n" GUEST("2"),
                   NULL, 0);
    assert_int_equal(C(r, "faults"), 4);
    assert_int_equal(C(r, "sync_faults"), 4);
    assert_int_equal(C(r, "host_blocks"), 4);
    assert_int_equal(C(r, "async_pf") + C(r, "page_ready_injected"), 0);
    assert_int_equal(V(r)->time_in[IRQ_VCPU_BLOCKED], (3 * 500 + 96) * US);
    assert_int_equal(C(r, "fault_to_resume_cycles"), 3 * 501 * US);
    assert_int_equal(irq_task_work(V(r), 0), 400 * US);
    assert_int_equal(irq_task_work(V(r), 1), 0);
    assert_int_equal(r.g->injected, 0);
    run_free(&r);
}

/* Disabling APF drops what is outstanding. disable_at 300us: the guest
 * writes the MSR at its next entry; a tick at 700us lets task 0 run again.
 *   0-2 broadcast; task 0 faults at 102 (page-in to 603), #PF 103-104,
 *   parked; task 1 runs (no exit until 603)
 *   603 completion: kick, IPI exit 603-605; entry 605: APF disabled first:
 *   the done item is dropped (apf_disabled), the guest wakes task 0
 *   700 tick: IPI exit, handler 702-703: task 0 charged 104 < task 1's 599:
 *   task 0 runs; 100 us later (803) it faults: APF is off, so no "not
 *   present": artificial halt from 804 to the end (page-in to 1304).
 * Task 1 worked 104-603 and 605-700: 594 us. */
static void test_disable_drops_outstanding(void **state)
{
    (void)state;
    run r = run_ok(HEAD("1ms") "model: {name: apf, fault_every: const(100us), io_latency: "
                               "const(500us), disable_at: 300us, guest_slice: 100us, " COSTS
                               "}\n" GUEST("2") "sources:\n  - {name: tick, target: g, vcpu: 0, "
                                                "class: 236, arrivals: periodic(1ms), start: "
                                                "700us}\n",
                   NULL, 0);
    assert_int_equal(C(r, "faults"), 2);
    assert_int_equal(C(r, "async_pf"), 2);
    assert_int_equal(C(r, "apf_disabled"), 1);
    assert_int_equal(C(r, "not_present_injected"), 1);
    assert_int_equal(C(r, "page_ready_injected"), 1); /* the broadcast */
    assert_int_equal(C(r, "apf_dequeued"), 1);
    assert_int_equal(C(r, "apf_halts"), 1);
    assert_int_equal(C(r, "outstanding"), 1);
    assert_int_equal(C(r, "apf_kicks"), 1);
    assert_int_equal(C(r, "ipi_exits"), 2);
    assert_int_equal(C(r, "resumed"), 0);
    assert_int_equal(V(r)->time_in[IRQ_VCPU_WAIT], 196 * US);
    assert_int_equal(irq_task_work(V(r), 0), 200 * US);
    assert_int_equal(irq_task_work(V(r), 1), 594 * US);
    run_free(&r);
}

/* pf-legacy with legacy_df_cancel (the 2017 workaround): a completion
 * dequeued while a "not present" is pending cancels both. Tasks 0 and 1
 * fault; page-ins of 50 us.
 *   0-1 broadcast page-ready (#PF); task 0 faults at 101 (page-in to 152),
 *   #PF 102-103, parked; task 1 runs 103-203 (no exit: no kick at 152)
 *   203-204 task 1's EPT exit (page-in to 254), "not present" pending;
 *   entry 204: fault A is on the done list: the pending #PF is cancelled
 *   (dropped) and A's page-ready never sent: df_cancelled 2; task 0
 *   sleeps on for good
 *   task 1, not told, retries after 1 ns: EPT exit to 205.001, its page-in
 *   still runs: repeated fault, artificial halt
 *   254 completion: no kick, a wake-up of the halted vCPU, 254-259; entry:
 *   pre-fault 259-260 (task 1 can run), page-ready #PF 260-261 for a token
 *   the guest never waited on
 *   task 1 faults again at 360.999 (C, page-in to 411.999), #PF, parked;
 *   no task left: HLT exit, asleep at 400 us. */
static void test_legacy_df_cancel(void **state)
{
    (void)state;
    run r = run_ok(HEAD("400us") "model: {name: apf, mode: pf-legacy, legacy_df_cancel: true, "
                                 "faulting_tasks: 2, fault_every: const(100us), io_latency: "
                                 "const(50us), " COSTS "}\n" GUEST("2"),
                   NULL, 0);
    assert_int_equal(C(r, "faults"), 3);
    assert_int_equal(C(r, "not_present_injected"), 3);
    assert_int_equal(C(r, "df_cancelled"), 2);
    assert_int_equal(r.g->dropped, 1); /* the cancelled #PF */
    assert_int_equal(C(r, "page_ready_injected"), 2);
    assert_int_equal(C(r, "repeated_faults"), 1);
    assert_int_equal(C(r, "apf_halts"), 1);
    assert_int_equal(C(r, "apf_kicks"), 0);
    assert_int_equal(C(r, "apf_wakeups"), 1);
    assert_int_equal(C(r, "prefaults"), 1);
    assert_int_equal(C(r, "apf_dequeued"), 3);
    assert_int_equal(C(r, "outstanding"), 1);
    assert_int_equal(C(r, "halt_exits"), 1);
    assert_int_equal(C(r, "fault_to_resume_cycles"), 57 * US);
    assert_true(irq_task_parked(V(r), 0));
    assert_int_equal(irq_task_work(V(r), 0), 100 * US);
    assert_int_equal(irq_task_work(V(r), 1), 200 * US);
    run_free(&r);
}

/* Tokens: (id++ << 12) | vcpu_id; when id << 12 wraps to 0 (after 2^20
 * tokens) id restarts at 1, so vCPU 0 never gets token 0. */
static void test_token_never_zero(void **state)
{
    (void)state;
    uint32_t id = 1;
    assert_int_equal(apf_alloc_token(&id, 0), 0x1000);
    assert_int_equal(apf_alloc_token(&id, 5), 0x2005);
    id = 0xfffff; /* the last id before the wrap */
    assert_int_equal(apf_alloc_token(&id, 0), 0xfffff000u);
    assert_int_equal(id, 0x100000); /* << 12 is 0 as a u32: restart */
    assert_int_equal(apf_alloc_token(&id, 0), 0x1000);
    assert_int_equal(id, 2);
    /* a whole wrap for vCPU 0: 2^20 + 10 tokens, none 0 */
    id = 1;
    for (uint32_t k = 0; k < (1u << 20) + 10; k++)
        assert_true(apf_alloc_token(&id, 0) != 0);
}

/* ---- properties on random scenarios ------------------------------------- */

static const char *const mode_names[] = {"interrupt", "pf-legacy", "halt-only", "sync"};

static void check_properties(run r, int mode)
{
    for (size_t i = 0; i < r.sim->priv->nguests; i++) {
        irq_guest *g = &r.sim->priv->guests[i];
        run q = {.sc = r.sc, .sim = r.sim, .g = g};
        /* every fault resolved without I/O, waited for, or queued; every
         * queued item dequeued, dropped with a reason, or still queued */
        assert_int_equal(C(q, "faults"),
                         C(q, "no_io_faults") + C(q, "sync_faults") + C(q, "async_pf"));
        assert_int_equal(C(q, "async_pf") + C(q, "apf_broadcasts"),
                         C(q, "apf_dequeued") + C(q, "apf_disabled") + C(q, "outstanding"));
        /* never more than ASYNC_PF_PER_VCPU outstanding on one vCPU */
        assert_true(C(q, "max_queued") <= 64);
        /* page-ready only for told faults and broadcasts, and never two in
         * flight (the model fails the run otherwise) */
        assert_true(C(q, "page_ready_injected") <=
                    C(q, "not_present_injected") + C(q, "apf_broadcasts"));
        assert_int_equal(g->injected, g->delivered + g->coalesced + g->pending + g->dropped);
        if (mode == 3)
            assert_int_equal(C(q, "async_pf"), 0);
        if (mode == 2)
            assert_int_equal(C(q, "not_present_injected"), 0);
        if (mode != 0)
            assert_int_equal(C(q, "apf_ack_exits"), 0);
    }
}

/* Random shapes for every mode: vCPUs sharing fewer host CPUs, tasks (a
 * third of the runs with 64-80 faulting tasks per vCPU and long page-ins),
 * shares of kernel-mode, interrupts-off and no-I/O faults, a tick, a
 * device, APF disabled mid-run, the legacy #DF workaround; each run twice
 * must give byte-identical reports. */
static void test_random_properties(void **state)
{
    (void)state;
    irq_rng rng;
    irq_rng_seed(&rng, 7, "apf-props", 0);
    static const char *const seen[] = {"faults",         "async_pf",           "sync_faults",
                                       "apf_queue_full", "apf_halts",          "repeated_faults",
                                       "retry_faults",   "apf_disabled",       "df_cancelled",
                                       "no_io_faults",   "page_ready_injected"};
    uint64_t total[sizeof seen / sizeof seen[0]] = {0};
    for (int k = 0; k < 64; k++) {
        int mode = k % 4;
        char yaml[2048];
        unsigned vcpus = 1 + (unsigned)irq_rng_below(&rng, 4);
        unsigned cpus = 1 + (unsigned)irq_rng_below(&rng, vcpus);
        bool many = k % 3 == 0; /* enough waiting tasks to fill the queue */
        unsigned tasks =
            many ? 64 + (unsigned)irq_rng_below(&rng, 16) : 1 + (unsigned)irq_rng_below(&rng, 8);
        unsigned ftasks = many ? tasks : (unsigned)irq_rng_below(&rng, tasks + 1);
        double kshare = many ? 0 : irq_rng_uniform(&rng) * 0.5;
        double offshare = many ? 0 : irq_rng_uniform(&rng) * 0.2;
        double noio = irq_rng_uniform(&rng) * 0.3;
        unsigned every =
            many ? 2 + (unsigned)irq_rng_below(&rng, 10) : 5 + (unsigned)irq_rng_below(&rng, 200);
        unsigned io = many ? 5000 + (unsigned)irq_rng_below(&rng, 15000)
                           : 50 + (unsigned)irq_rng_below(&rng, 3000);
        bool disable = irq_rng_below(&rng, 4) == 0, dfc = irq_rng_below(&rng, 2) == 0;
        snprintf(yaml, sizeof yaml,
                 "name: p\nseed: %d\nclock_hz: 1GHz\nduration: 20ms\n"
                 "host: {cpus: %u}\n"
                 "model: {name: apf, mode: %s, faulting_tasks: %u, kernel_share: %.3f, "
                 "irqs_off_share: %.3f, no_io_share: %.3f, fault_every: exp(%uus), io_latency: "
                 "exp(%uus), legacy_df_cancel: %s, disable_at: %s, guest_slice: 1ms}\n"
                 "guests:\n  - {name: g, vcpus: %u, workload: {start: busy, busy: exp(5ms), "
                 "idle: exp(200us), handler: const(1us), tasks: %u}}\n"
                 "sources:\n  - {name: tick, target: g, class: 236, arrivals: periodic(1ms)}\n"
                 "  - {name: dev, target: g, class: 40, arrivals: poisson(2000/s)}\n",
                 k, cpus, mode_names[mode], ftasks, kshare, offshare, noio, every, io,
                 dfc ? "true" : "false", disable ? "7ms" : "0", vcpus, tasks);
        run a = run_ok(yaml, NULL, 0);
        check_properties(a, mode);
        for (size_t i = 0; i < sizeof seen / sizeof seen[0]; i++)
            total[i] += C(a, seen[i]);
        run b = run_ok(yaml, NULL, 0);
        char *ja = report_json(a.sim), *jb = report_json(b.sim);
        assert_string_equal(ja, jb);
        free(ja);
        free(jb);
        run_free(&a);
        run_free(&b);
    }
    print_message("random properties over 64 scenarios:");
    for (size_t i = 0; i < sizeof seen / sizeof seen[0]; i++)
        print_message(" %s %llu", seen[i], (unsigned long long)total[i]);
    print_message("\n");
    /* every path was taken somewhere */
    for (size_t i = 0; i < sizeof seen / sizeof seen[0]; i++)
        assert_true(total[i] > 0);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_apf_single),
        cmocka_unit_test(test_fault_no_other_task),
        cmocka_unit_test(test_kernel_fault_artificial_halt),
        cmocka_unit_test(test_halt_only_tick_repeated_fault),
        cmocka_unit_test(test_queue_full_goes_sync),
        cmocka_unit_test(test_two_completions_one_in_flight),
        cmocka_unit_test(test_legacy_no_kick),
        cmocka_unit_test(test_sync_blocks_thread),
        cmocka_unit_test(test_disable_drops_outstanding),
        cmocka_unit_test(test_legacy_df_cancel),
        cmocka_unit_test(test_token_never_zero),
        cmocka_unit_test(test_random_properties),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
