/* The host's parameters (the `host:` section), described once here.
 * ../shared/DOMAIN.md section 5 and ../shared/domain/host-scheduler.md give
 * the sources; what no source gives is marked as an assumption, and every
 * report lists those whether or not the scenario wrote them. */
#include "scenario_internal.h"

static const char *const sched_choices[] = {"eevdf", "cfs", "fifo", NULL};
static const char *const affinity_choices[] = {"floating", "pinned", NULL};

#define DUR(nm, d, hlp, lo, src)                                                                   \
    {                                                                                              \
        .name = nm, .type = IRQ_PARAM_DURATION, .def = d, .unit = "time", .help = hlp, .min = lo,  \
        .max = 1e12, .source = src                                                                 \
    }
#define DUR_ASSUMED(nm, d, hlp, lo)                                                                \
    {                                                                                              \
        .name = nm, .type = IRQ_PARAM_DURATION, .def = d, .unit = "time", .help = hlp, .min = lo,  \
        .max = 1e12, .assumption = true                                                            \
    }
#define FLAG(nm, d, hlp, src)                                                                      \
    {                                                                                              \
        .name = nm, .type = IRQ_PARAM_BOOL, .def = d, .unit = "flag", .help = hlp, .source = src   \
    }

const irq_param_desc irq_host_params[IRQ_HOST_NPARAMS] = {
    [IRQ_HOST_CPUS] = {.name = "cpus",
                       .type = IRQ_PARAM_INT,
                       .def = "4",
                       .unit = "CPUs",
                       .help = "physical CPUs the vCPU threads run on",
                       .min = 1,
                       .max = 65536,
                       .source = "scenario choice"},
    [IRQ_HOST_SCHED] = {.name = "sched",
                        .type = IRQ_PARAM_ENUM,
                        .def = "eevdf",
                        .unit = "choice",
                        .help =
                            "host scheduler of the vCPU threads: eevdf (Linux 6.6+), cfs (Linux "
                            "<= 6.5), fifo (a FIFO run queue per CPU with a fixed timeslice, no "
                            "wake-up preemption or balancing: a pessimistic bound)",
                        .choices = sched_choices,
                        .source = "kernel/sched/fair.c: EEVDF is the fair class since 6.6"},
    [IRQ_HOST_AFFINITY] = {.name = "affinity",
                           .type = IRQ_PARAM_ENUM,
                           .def = "floating",
                           .unit = "choice",
                           .help = "floating: a woken thread goes to its previous CPU if idle, "
                                   "else an idle CPU of its LLC domain, else its previous CPU; "
                                   "pinned: vCPU i runs on CPU i mod cpus only",
                           .choices = affinity_choices,
                           .source = "libvirt: without vcpupin/cpuset a vCPU may use every CPU"},
    [IRQ_HOST_LLC_CPUS] = {.name = "llc_cpus",
                           .type = IRQ_PARAM_INT,
                           .def = "0",
                           .unit = "CPUs",
                           .help = "CPUs per last-level-cache domain (consecutive CPU numbers); "
                                   "wake-up placement and newidle balancing stay inside one; 0: "
                                   "all CPUs share one LLC",
                           .min = 0,
                           .max = 65536,
                           .assumption = true},
    [IRQ_HOST_TIMESLICE] =
        DUR_ASSUMED("timeslice", "3ms",
                    "fifo only: how long a vCPU thread runs before a waiting one "
                    "on the same CPU gets its turn",
                    1),
    [IRQ_HOST_SLICE_UNIT] =
        DUR("slice_unit", "0.75ms",
            "eevdf base slice and cfs minimum granularity before the CPU factor (1 + "
            "log2(min(cpus, 8))): 3 ms on 8+ CPUs; 0.70ms for Linux 6.15+",
            1, "sysctl_sched_base_slice in kernel/sched/fair.c; 0.70 ms since 2ae891b82695"),
    [IRQ_HOST_TICK] = DUR_ASSUMED("tick", "1ms",
                                  "scheduler tick (HZ=1000): eevdf/cfs see slice ends only here "
                                  "(HRTICK is off by default)",
                                  1),
    [IRQ_HOST_RUN_TO_PARITY] = FLAG("run_to_parity", "true",
                                    "eevdf: a picked thread keeps the CPU until its deadline "
                                    "renewal while it stays eligible",
                                    "RUN_TO_PARITY in kernel/sched/features.h"),
    [IRQ_HOST_PLACE_LAG] = FLAG("place_lag", "true",
                                "eevdf: a woken thread keeps the lag it had when it slept (clamped "
                                "to max(2 slices, tick)); no sleeper credit",
                                "PLACE_LAG in kernel/sched/features.h"),
    [IRQ_HOST_DELAY_DEQUEUE] = FLAG("delay_dequeue", "true",
                                    "eevdf (6.12+): a thread that sleeps with negative lag stays "
                                    "queued, counting in the average, until picked or woken; its "
                                    "lag is then clipped to 0",
                                    "DELAY_DEQUEUE, DELAY_ZERO in kernel/sched/features.h (6.12)"),
    [IRQ_HOST_CFS_LATENCY] =
        DUR("cfs_latency", "6ms", "cfs: sched_latency before the CPU factor (24 ms on 8+ CPUs)", 1,
            "sysctl_sched_latency in kernel/sched/fair.c (<= 6.5)"),
    [IRQ_HOST_CFS_WAKEUP_GRAN] =
        DUR("cfs_wakeup_granularity", "1ms",
            "cfs: a woken thread preempts when its vruntime is lower by more than this times the "
            "CPU factor",
            0, "sysctl_sched_wakeup_granularity in kernel/sched/fair.c (<= 6.5)"),
    [IRQ_HOST_GENTLE_SLEEPERS] = FLAG("gentle_fair_sleepers", "true",
                                      "cfs: sleeper credit is sched_latency/2 (else sched_latency)",
                                      "GENTLE_FAIR_SLEEPERS in kernel/sched/features.h (<= 6.5)"),
    [IRQ_HOST_NEWIDLE] = FLAG("newidle_balance", "true",
                              "eevdf/cfs with floating threads: a CPU going idle pulls a waiting "
                              "thread from another CPU of its LLC",
                              "newidle_balance in kernel/sched/fair.c"),
    [IRQ_HOST_MIGRATION_COST] = DUR("migration_cost", "0.5ms",
                                    "a waiting thread that ran within this time is cache-hot and "
                                    "is not pulled by newidle balancing",
                                    0, "sysctl_sched_migration_cost in kernel/sched/fair.c"),
    [IRQ_HOST_MIGRATE] = DUR_ASSUMED("migrate", "5us",
                                     "extra host time when a thread runs on another CPU than "
                                     "last time (cold caches)",
                                     0),
    [IRQ_HOST_WAKEUP] = DUR_ASSUMED("wakeup", "5us",
                                    "host time from a woken vCPU thread getting its CPU until it "
                                    "has re-checked whether it can run (kvm_vcpu_block)",
                                    0),
    [IRQ_HOST_WAIT_EXIT] = {.name = "wait_exit",
                            .type = IRQ_PARAM_DURATION,
                            .def = "1us",
                            .unit = "time",
                            .help = "host time to handle the guest's wait/halt exit before halting "
                                    "or re-entering",
                            .min = 1,
                            .max = 1e12,
                            .assumption = true,
                            .source = "about one VM exit: ~2000 cycles direct cost (SplitX paper, "
                                      "Xeon X5570 at 2.93 GHz: 0.68 us), rounded up to 1 us; the "
                                      "s390 figure is not public"},
    [IRQ_HOST_CTX_SWITCH] = DUR_ASSUMED(
        "ctx_switch", "2us", "host scheduler switch from one vCPU thread to another on a CPU", 0),
    [IRQ_HOST_IPI_EXIT] = {.name = "ipi_exit",
                           .type = IRQ_PARAM_DURATION,
                           .def = "1.6us",
                           .unit = "time",
                           .help = "kvm_vcpu_kick of a vCPU in guest mode: the reschedule IPI's "
                                   "forced exit and re-entry",
                           .max = 1e12,
                           .assumption = true,
                           .source = "t_kick_run = ipi - hvc - eoi on Ampere Altra (kvm-unit-tests "
                                     "micro-bench, DOMAIN.md section 4); other arches unknown"},
    [IRQ_HOST_POLL_GROW] = {.name = "halt_poll_grow",
                            .type = IRQ_PARAM_INT,
                            .def = "2",
                            .unit = "factor",
                            .help = "halt polling: the per-vCPU window is multiplied by this after "
                                    "a short halt with a valid wake-up (0: never grows)",
                            .min = 0,
                            .max = 1000,
                            .source = "halt_poll_ns_grow in virt/kvm/kvm_main.c"},
    [IRQ_HOST_POLL_GROW_START] = DUR("halt_poll_grow_start", "10us",
                                     "halt polling: the first non-zero window; a shrunk window "
                                     "below it becomes 0",
                                     0, "halt_poll_ns_grow_start in virt/kvm/kvm_main.c"),
    [IRQ_HOST_POLL_SHRINK] = {.name = "halt_poll_shrink",
                              .type = IRQ_PARAM_INT,
                              .def = "2",
                              .unit = "divisor",
                              .help = "halt polling: the window is divided by this after a long "
                                      "or invalid halt (0: reset to 0, kernels before 6.11)",
                              .min = 0,
                              .max = 1000,
                              .source =
                                  "halt_poll_ns_shrink in virt/kvm/kvm_main.c (aeb1b22a3ac8)"},
};
