/* The GIB/GISA model: parameter and counter tables, set-up, the ops table.
 * What the machine and the host do is in gib_host.c. */
#include <stdlib.h>

#include "gib_internal.h"

static const char *const heuristics[] = {"upstream", "v5",       "v4",      "v3",
                                         "v2",       "kick-all", "no-gisa", NULL};
static const char *const iam_clears[] = {"all", "isc", NULL};
static const char *const bug_names[] = {"lost-kick", "shrinking-mask", "idle-mask-by-id", NULL};

const irq_param_desc gib_params[GIB_NPARAMS] = {
    [P_HEURISTIC] = {.name = "heuristic",
                     .type = IRQ_PARAM_ENUM,
                     .def = "upstream",
                     .unit = "choice",
                     .help = "host kick heuristic: upstream (kicker timer, since the v7 series), "
                             "v5 (first-fit cover, as posted), v4, v3, v2 (earlier designs of "
                             "the series), "
                             "kick-all (naive), no-gisa (kvm.use_gisa=N)",
                     .choices = heuristics,
                     .source = "series 'KVM: s390: make use of the GIB' v2..v7"},
    [P_EXPIRES] = {.name = "kicker_period",
                   .type = IRQ_PARAM_DURATION,
                   .def = "50us",
                   .unit = "time",
                   .help = "period of the per-GISA kicker timer (upstream)",
                   .min = 1,
                   .max = 1e12,
                   .source = "gi->expires in arch/s390/kvm/interrupt.c"},
    [P_IAM_CLEAR] = {.name = "iam_clear",
                     .type = IRQ_PARAM_ENUM,
                     .def = "all",
                     .unit = "choice",
                     .help = "what the machine clears in the IAM when it links a GISA: the whole "
                             "IAM, or only the alerting ISC's bit",
                     .choices = iam_clears,
                     .source = "implied by the sources (DOMAIN.md section 1)"},
    [P_HALT_POLL] = {.name = "halt_poll",
                     .type = IRQ_PARAM_DURATION,
                     .def = "50us",
                     .unit = "time",
                     .help = "halt-polling maximum (halt_poll_ns): the per-vCPU window starts "
                             "at 0 and adapts up to this (0 = off); a polling vCPU notices the IPM "
                             "itself",
                     .max = 1e12,
                     .source = "KVM_HALT_POLL_NS_DEFAULT on s390"},
    [P_GAL_CPU] = {.name = "gal_cpu",
                   .type = IRQ_PARAM_INT,
                   .def = "-1",
                   .unit = "CPU index",
                   .help = "host CPU that takes GAL interruptions (modulo host.cpus); -1: each "
                           "interruption goes to the next CPU in turn (it is floating). Kicker "
                           "timers run on the CPU whose handler started them",
                   .min = -1,
                   .max = 65535,
                   .assumption = true},
    [P_GAL_COST] = {.name = "gal_cost",
                    .type = IRQ_PARAM_DURATION,
                    .def = "2us",
                    .unit = "time",
                    .help = "host time to take a GAL interruption up to its first list swap",
                    .max = 1e12,
                    .assumption = true},
    [P_GAL_GISA_COST] = {.name = "gal_gisa_cost",
                         .type = IRQ_PARAM_DURATION,
                         .def = "200ns",
                         .unit = "time",
                         .help = "host time per GISA taken off the alert list",
                         .max = 1e12,
                         .assumption = true},
    [P_KICKER_COST] = {.name = "kicker_cost",
                       .type = IRQ_PARAM_DURATION,
                       .def = "500ns",
                       .unit = "time",
                       .help = "host time of one kicker timer tick",
                       .max = 1e12,
                       .assumption = true},
    [P_INTERCEPT_COST] = {.name = "intercept_cost",
                          .type = IRQ_PARAM_DURATION,
                          .def = "1us",
                          .unit = "time",
                          .help = "SIE exit of a running vCPU the host asks to take an "
                                  "interrupt it delivers: a floating I/O interrupt under no-gisa "
                                  "(I/O interrupt intercept), a SIGP external call or emergency "
                                  "signal (exit_external_request)",
                          .max = 1e12,
                          .assumption = true},
    [P_MAX_FLOAT] = {.name = "max_float_irqs",
                     .type = IRQ_PARAM_INT,
                     .def = "16384",
                     .unit = "interrupts",
                     .help = "no-gisa: floating I/O interrupts the host holds per guest before "
                             "refusing more (counted as dropped, float_list_full)",
                     .min = 1,
                     .max = 1e9,
                     .source = "KVM_S390_MAX_FLOAT_IRQS"},
    [P_PRE_SIE_COST] = {.name = "pre_sie_cost",
                        .type = IRQ_PARAM_DURATION,
                        .def = "1us",
                        .unit = "time",
                        .help = "host time from a halt that ends while polling to SIE entry: "
                                "kvm_vcpu_halt returns, the wait intercept completes and "
                                "vcpu_pre_run delivers (a thread that slept pays host.wakeup "
                                "instead)",
                        .max = 1e12,
                        .assumption = true},
    [P_MAX_STEAL] = {.name = "halt_poll_max_steal",
                     .type = IRQ_PARAM_INT,
                     .def = "10",
                     .unit = "percent",
                     .help = "no halt polling while the host CPU's steal time is at or above "
                             "this (kvm_arch_no_poll, counted as halt_no_poll_steal)",
                     .min = 0,
                     .max = 255,
                     .source = "halt_poll_max_steal in arch/s390/kvm/kvm-s390.c"},
    [P_HOST_STEAL] = {.name = "host_steal",
                      .type = IRQ_PARAM_INT,
                      .def = "0",
                      .unit = "percent",
                      .help = "steal time of the host CPUs (the hypervisor below the host "
                              "takes it; the model does not simulate it), compared with "
                              "halt_poll_max_steal at every halt",
                      .min = 0,
                      .max = 100,
                      .assumption = true},
    [P_CHECK] = {.name = "check_invariants",
                 .type = IRQ_PARAM_BOOL,
                 .def = "true",
                 .unit = "flag",
                 .help = "check the GISA invariants (IAM within alert_mask, IAM cleared while "
                         "on the alert list except under upstream, kicks only of waiting vCPUs, "
                         "no guest left with a clean IPM, a cleared IAM, off the list and no "
                         "kicker under upstream, v5 and kick-all) as the run goes",
                 .source = "simulator option"},
    [P_BUGS] = {.name = "bugs",
                .type = IRQ_PARAM_BITS,
                .def = "[]",
                .unit = "bug list",
                .help = "kernel bugs of the kick path to re-introduce, named after their fixes: "
                        "lost-kick (kicked_mask not cleared when a woken vCPU sleeps again), "
                        "shrinking-mask (__airqs_kick_single_vcpu narrows the deliverable mask by "
                        "each idle vCPU's CR6), idle-mask-by-id (idle_mask and kicked_mask indexed "
                        "by vcpu_id, walked as vcpu_idx); docs/gib.md",
                .choices = bug_names,
                .source = "the fixes of Aug-Oct 2021 (Halil Pasic, kvm@ and linux-s390@)"},
    [P_SIGPIF] = {.name = "sigp_interpretation",
                  .type = IRQ_PARAM_BOOL,
                  .def = "true",
                  .unit = "flag",
                  .help = "SIGP interpretation facility (sclp.has_sigpif): the machine executes "
                          "EXTERNAL CALL itself (the SCA's pending bit, presented without an "
                          "exit); a target in enabled wait costs the sender a partial-execution "
                          "intercept that wakes it (exit_pei). KVM's code has no such path for "
                          "the other orders: they always intercept",
                  .source = "__inject_extcall, sca_inject_ext_call, kvm_s390_handle_sigp_pei; "
                            "whether the host machine has it: assumption",
                  .assumption = true},
    [P_USER_SIGP] = {.name = "user_sigp",
                     .type = IRQ_PARAM_BOOL,
                     .def = "true",
                     .unit = "flag",
                     .help = "KVM_CAP_S390_USER_SIGP: QEMU handles STOP and STOP AND STORE STATUS "
                             "in user space (costing sigp_user_cost more); RESTART always goes "
                             "there",
                     .source = "handle_sigp_order_in_user_space in arch/s390/kvm/sigp.c; QEMU "
                               "enables the capability in kvm_arch_init"},
    [P_SIGP_COST] = {.name = "sigp_cost",
                     .type = IRQ_PARAM_DURATION,
                     .def = "2us",
                     .unit = "time",
                     .help = "host time of a SIGP instruction (or partial-execution) intercept "
                             "handled in the kernel, SIE exit to re-entry, charged to the sender",
                     .max = 1e12,
                     .assumption = true},
    [P_SIGP_USER_COST] = {.name = "sigp_user_cost",
                          .type = IRQ_PARAM_DURATION,
                          .def = "20us",
                          .unit = "time",
                          .help = "host time more for an order handled by QEMU (exit to user "
                                  "space and back); a RESTART to an operating vCPU also costs "
                                  "the target this (QEMU's run_on_cpu kicks it out of KVM_RUN)",
                          .max = 1e12,
                          .assumption = true},
    [P_STOP_COST] = {.name = "stop_cost",
                     .type = IRQ_PARAM_DURATION,
                     .def = "10us",
                     .unit = "time",
                     .help = "host time of the target's stop intercept (handle_stop, exit to "
                             "QEMU, which marks it stopped) before its thread sleeps",
                     .max = 1e12,
                     .assumption = true},
};

const irq_param_desc gib_guest_params[GIB_NGPARAMS] = {
    [G_ALERT_ISCS] = {.name = "alert_iscs",
                      .type = IRQ_PARAM_BITS,
                      .def = "[]",
                      .unit = "ISC list",
                      .help = "ISCs registered for alerting (alert_mask). When not given: the "
                              "ISCs of the pass-through sources that target the guest",
                      .min = 0,
                      .max = 7,
                      .source = "pass-through devices register their ISC (kvm_s390_gisc_register)"},
};

const irq_param_desc gib_vcpu_params[GIB_NVPARAMS] = {
    [V_IO] = {.name = "io_enabled",
              .type = IRQ_PARAM_BOOL,
              .def = "true",
              .unit = "flag",
              .help = "PSW I/O-interrupt enable bit",
              .source = "scenario choice"},
    [V_ISCS] = {.name = "iscs",
                .type = IRQ_PARAM_BITS,
                .def = "[0, 1, 2, 3, 4, 5, 6, 7]",
                .unit = "ISC list",
                .help = "ISCs enabled in CR6",
                .min = 0,
                .max = 7,
                .source = "scenario choice"},
    [V_MASK_EVERY] = {.name = "mask_every",
                      .type = IRQ_PARAM_DIST,
                      .def = "const(0ns)",
                      .unit = "time",
                      .help = "time between periods in which the guest masks mask_iscs "
                              "(const(0ns) = never)",
                      .source = "scenario choice"},
    [V_MASK_FOR] = {.name = "mask_for",
                    .type = IRQ_PARAM_DIST,
                    .def = "const(20us)",
                    .unit = "time",
                    .help = "length of one masked period",
                    .source = "scenario choice"},
    [V_MASK_ISCS] = {.name = "mask_iscs",
                     .type = IRQ_PARAM_BITS,
                     .def = "[0, 1, 2, 3, 4, 5, 6, 7]",
                     .unit = "ISC list",
                     .help = "ISCs masked during a masked period",
                     .min = 0,
                     .max = 7,
                     .source = "scenario choice"},
    [V_VCPU_ID] = {.name = "vcpu_id",
                   .type = IRQ_PARAM_INT,
                   .def = "-1",
                   .unit = "id",
                   .help = "the vCPU's vcpu_id, which userspace chooses (-1: its index, "
                           "vcpu_idx); only the idle-mask-by-id bug looks at it",
                   .min = -1,
                   .max = 255,
                   .source = "KVM_CREATE_VCPU: userspace picks vcpu_id, KVM the index"},
    [V_ECALL_ON] = {.name = "external_call_subclass",
                    .type = IRQ_PARAM_BOOL,
                    .def = "true",
                    .unit = "flag",
                    .help = "CR0 external-call subclass mask: the vCPU takes SIGP EXTERNAL CALL "
                            "(deliverable_irqs, CR0_EXTERNAL_CALL_SUBMASK)",
                    .source = "scenario choice (Linux enables it)"},
    [V_EMERG_ON] = {.name = "emergency_signal_subclass",
                    .type = IRQ_PARAM_BOOL,
                    .def = "true",
                    .unit = "flag",
                    .help = "CR0 emergency-signal subclass mask: the vCPU takes SIGP EMERGENCY "
                            "SIGNAL (CR0_EMERGENCY_SIGNAL_SUBMASK)",
                    .source = "scenario choice (Linux enables it)"},
};

/* The counters plot has room for kicks and ten headline counters: they are
 * the kicks and wasted kicks per issuing path; the other alert counters
 * stay in the text report's "alerts and kicks" group. */
const irq_counter_desc gib_counters[GIB_NCOUNTERS] = {
    [C_GAL] = {.name = "gal_interrupts",
               .help = "GIB alert interruptions (/proc/interrupts GAL)",
               .headline = 0,
               .group = IRQ_CG_ALERTS_KICKS},
    [C_LIST_ENTRIES] = {.name = "alert_list_entries",
                        .help = "GISAs taken off the alert list",
                        .headline = 0},
    [C_SUPPRESSED] = {.name = "alerts_suppressed",
                      .help = "GISAs linked while the list was busy or NONE: no interruption",
                      .headline = 0},
    [C_TICKS] = {.name = "kicker_ticks",
                 .help = "kicker timer ticks",
                 .headline = 0,
                 .group = IRQ_CG_ALERTS_KICKS},
    [C_RESTARTS] = {.name = "timer_restarts",
                    .help = "kicker timer re-armed by a tick",
                    .headline = 0},
    [C_IAM_RESTORES] = {.name = "iam_restores",
                        .help = "IAM went from cleared back to alert_mask",
                        .headline = 0,
                        .group = IRQ_CG_ALERTS_KICKS},
    [C_WASTED] = {.name = "wasted_kicks",
                  .help = "kicked vCPUs that found nothing they could take (all paths)",
                  .headline = 0,
                  .group = IRQ_CG_ALERTS_KICKS},
    [C_EXIT_WAIT] = {.name = "exit_wait_state",
                     .help = "enabled-wait intercepts handled",
                     .headline = 0},
    [C_DELIVER_IO] = {.name = "deliver_io",
                      .help = "I/O interrupts delivered by the host before SIE entry",
                      .headline = 0},
    [C_INJECT_IO] = {.name = "inject_io",
                     .help = "I/O interrupts injected by software",
                     .headline = 0},
    [C_DIRECT] = {.name = "direct_deliveries",
                  .help = "presented by the machine to a vCPU in SIE, no exit",
                  .headline = 0,
                  .group = IRQ_CG_ALERTS_KICKS},
    [C_IO_INT_REQ] = {.name = "io_int_requests",
                      .help = "no-gisa: running vCPUs asked to intercept for a floating interrupt",
                      .headline = 0},
    [C_INTERCEPTS] = {.name = "io_intercepts",
                      .help = "no-gisa: I/O interrupt intercepts (SIE exits)",
                      .headline = 0},
    [C_HOST_ALERT_CYCLES] = {.name = "host_alert_cycles",
                             .help = "host cycles in GAL handling and kicker ticks",
                             .headline = 0},
    [C_FLOAT_FULL] = {.name = "float_list_full",
                      .help = "no-gisa: dropped, floating list full",
                      .headline = 0},
    [C_NO_POLL_STEAL] = {.name = "halt_no_poll_steal",
                         .help = "halts that did not poll: host steal >= halt_poll_max_steal",
                         .headline = 0},
    [C_SUMMARY_COALESCED] = {.name = "summary_coalesced",
                             .help = "software path: arrivals that found their adapter summary "
                                     "indicator set (no inject_io, no kick)",
                             .headline = 0,
                             .group = IRQ_CG_DELIVERY},
    [C_IAM_STRANDED] = {.name = "iam_stranded",
                        .help =
                            "times a guest was left with a clean IPM, a cleared IAM, off the alert "
                            "list and no kicker: it cannot alert until a wait entry restores",
                        .headline = 0,
                        .group = IRQ_CG_ALERTS_KICKS},
    [C_KICKS_PATH + KP_GAL] = {.name = "kicks_gal",
                               .help = "kicks by the GAL handler (v4, v3, v2, kick-all)",
                               .headline = 1,
                               .group = IRQ_CG_ALERTS_KICKS},
    [C_KICKS_PATH + KP_KICKER] = {.name = "kicks_kicker",
                                  .help = "kicks by kicker ticks (upstream)",
                                  .headline = 1,
                                  .group = IRQ_CG_ALERTS_KICKS},
    [C_KICKS_PATH + KP_INJECT] = {.name = "kicks_inject",
                                  .help = "kicks by software injection (__floating_irq_kick)",
                                  .headline = 1,
                                  .group = IRQ_CG_ALERTS_KICKS},
    [C_KICKS_PATH + KP_FLOAT] = {.name = "kicks_float",
                                 .help = "no-gisa: kicks for the floating list",
                                 .headline = 1,
                                 .group = IRQ_CG_ALERTS_KICKS},
    [C_KICKS_PATH + KP_COVER] = {.name = "kicks_cover",
                                 .help = "v5: kicks of the GAL handler's cover set",
                                 .headline = 1,
                                 .group = IRQ_CG_ALERTS_KICKS},
    [C_WASTED_PATH + KP_GAL] = {.name = "wasted_gal",
                                .help = "wasted kicks by the GAL handler",
                                .headline = 1,
                                .group = IRQ_CG_ALERTS_KICKS},
    [C_WASTED_PATH + KP_KICKER] = {.name = "wasted_kicker",
                                   .help = "wasted kicks by kicker ticks",
                                   .headline = 1,
                                   .group = IRQ_CG_ALERTS_KICKS},
    [C_WASTED_PATH + KP_INJECT] = {.name = "wasted_inject",
                                   .help = "wasted kicks by software injection",
                                   .headline = 1,
                                   .group = IRQ_CG_ALERTS_KICKS},
    [C_WASTED_PATH + KP_FLOAT] = {.name = "wasted_float",
                                  .help = "no-gisa: wasted floating-list kicks",
                                  .headline = 1,
                                  .group = IRQ_CG_ALERTS_KICKS},
    [C_WASTED_PATH + KP_COVER] = {.name = "wasted_cover",
                                  .help = "v5: wasted cover-set kicks",
                                  .headline = 1,
                                  .group = IRQ_CG_ALERTS_KICKS},
    [C_KICKS_SIGP] = {.name = "kicks_sigp",
                      .help = "waiting vCPUs woken by a SIGP order (kvm_s390_vcpu_wakeup)",
                      .group = IRQ_CG_ALERTS_KICKS},
    [C_WASTED_SIGP] = {.name = "wasted_sigp",
                       .help = "SIGP wake-ups after which the vCPU could take nothing (its CR0 "
                               "masks the order)",
                       .group = IRQ_CG_ALERTS_KICKS},
    [C_I_SIGP_EXTCALL] = {.name = "instruction_sigp_external_call",
                          .help = "SIGP EXTERNAL CALL intercepted (not interpreted)",
                          .group = IRQ_CG_TRAPS_EXITS},
    [C_I_SIGP_EMERG] = {.name = "instruction_sigp_emergency",
                        .help = "SIGP EMERGENCY SIGNAL intercepted",
                        .group = IRQ_CG_TRAPS_EXITS},
    [C_I_SIGP_STOP] = {.name = "instruction_sigp_stop",
                       .help = "SIGP STOP intercepted",
                       .group = IRQ_CG_TRAPS_EXITS},
    [C_I_SIGP_STOP_STORE] = {.name = "instruction_sigp_stop_store_status",
                             .help = "SIGP STOP AND STORE STATUS intercepted",
                             .group = IRQ_CG_TRAPS_EXITS},
    [C_I_SIGP_RESTART] = {.name = "instruction_sigp_restart",
                          .help = "SIGP RESTART intercepted (handled by QEMU)",
                          .group = IRQ_CG_TRAPS_EXITS},
    [C_SIGP_INTERPRETED] = {.name = "sigp_interpreted",
                            .help = "SIGP EXTERNAL CALL executed by the machine (SIGP "
                                    "interpretation), no instruction intercept",
                            .group = IRQ_CG_TRAPS_EXITS},
    [C_EXIT_PEI] = {.name = "exit_pei",
                    .help = "partial-execution intercepts: an interpreted external call to a "
                            "vCPU in enabled wait",
                    .group = IRQ_CG_TRAPS_EXITS},
    [C_INJ_EXTCALL] = {.name = "inject_external_call",
                       .help = "external calls KVM injected (refused ones included)",
                       .group = IRQ_CG_DELIVERY},
    [C_INJ_EMERG] = {.name = "inject_emergency_signal",
                     .help = "emergency signals KVM injected",
                     .group = IRQ_CG_DELIVERY},
    [C_INJ_STOP] = {.name = "inject_stop_signal",
                    .help = "stop requests injected (refused ones included)",
                    .group = IRQ_CG_DELIVERY},
    [C_INJ_RESTART] = {.name = "inject_restart",
                       .help = "restart interrupts injected into an operating vCPU",
                       .group = IRQ_CG_DELIVERY},
    [C_DLV_EXTCALL] = {.name = "deliver_external_call",
                       .help = "external calls the host delivered before SIE entry",
                       .group = IRQ_CG_DELIVERY},
    [C_DLV_EMERG] = {.name = "deliver_emergency_signal",
                     .help = "emergency signals the host delivered before SIE entry",
                     .group = IRQ_CG_DELIVERY},
    [C_DLV_RESTART] = {.name = "deliver_restart_signal",
                       .help = "restart interrupts KVM delivered (not the ones QEMU gives a "
                               "stopped vCPU)",
                       .group = IRQ_CG_DELIVERY},
    [C_EXTCALL_DIRECT] = {.name = "external_call_direct",
                          .help = "interpreted external calls the machine presented from the SCA, "
                                  "no exit",
                          .group = IRQ_CG_DELIVERY},
    [C_EXIT_EXTREQ] = {.name = "exit_external_request",
                       .help = "SIE exits to take a pending external interrupt (ICPT_EXTREQ)",
                       .group = IRQ_CG_TRAPS_EXITS},
    [C_EXIT_STOP] = {.name = "exit_stop_request",
                     .help = "stop intercepts (handle_stop)",
                     .group = IRQ_CG_TRAPS_EXITS},
    [C_SIGP_BUSY] = {.name = "sigp_busy",
                     .help = "SIGP orders refused and dropped: an external call while one is "
                             "pending (status 'external call pending'), STOP or RESTART while a "
                             "stop is pending (busy)",
                     .group = IRQ_CG_DELIVERY},
};
_Static_assert(KP_N == 5, "one kicks_ and one wasted_ counter per kick path");

/* SIGP orders are classes 0x100 + order code, written by name. */
static const irq_class_desc gib_classes[] = {
    {CLS_SIGP_EXTCALL, "sigp-external-call",
     "SIGP EXTERNAL CALL from a vCPU (`from:`) to one vCPU (`vcpu:`): one pending per target"},
    {CLS_SIGP_EMERG, "sigp-emergency-signal",
     "SIGP EMERGENCY SIGNAL: one pending per sending vCPU"},
    {CLS_SIGP_STOP, "sigp-stop", "SIGP STOP: the target stops; its pending interrupts stay"},
    {CLS_SIGP_RESTART, "sigp-restart", "SIGP RESTART: a stopped target operates again"},
    {CLS_SIGP_STOP_STORE, "sigp-stop-and-store-status",
     "SIGP STOP AND STORE STATUS: as STOP (the status store is part of stop_cost)"},
};

/* Adapter interrupts are floating, on ISCs 0..7. */
static int64_t vcpu_id_of(const irq_guest_tmpl *t, uint32_t index, const irq_mark **mark)
{
    *mark = &t->mark;
    for (size_t i = 0; i < t->noverrides; i++)
        if (t->overrides[i].index == index) {
            *mark = &t->overrides[i].mark;
            return t->overrides[i].params[V_VCPU_ID].i < 0 ? index
                                                           : t->overrides[i].params[V_VCPU_ID].i;
        }
    int64_t id = t->vcpu_params[V_VCPU_ID].i;
    return id < 0 ? index : id;
}

/* vcpu_ids are unique within a guest (KVM_CREATE_VCPU refuses a second). */
static int check_vcpu_ids(const irq_guest_tmpl *t, irq_error *err)
{
    uint64_t seen[4] = {0};
    for (uint32_t j = 0; j < t->vcpus; j++) {
        const irq_mark *mark;
        int64_t id = vcpu_id_of(t, j, &mark);
        if (id > 255 || (seen[id / 64] >> (id % 64)) & 1)
            return irq_error_set(err, IRQ_EINPUT, mark,
                                 "vcpu_id %lld of vCPU %u of guest template '%s' is %s (expected "
                                 "ids unique within a guest, 0..255)",
                                 (long long)id, j, t->name, id > 255 ? "too large" : "taken");
        seen[id / 64] |= 1ull << (id % 64);
    }
    return IRQ_OK;
}

static int gib_validate(const struct irq_scenario *sc, irq_error *err)
{
    for (size_t t = 0; t < sc->ntmpls; t++) {
        int rc = check_vcpu_ids(&sc->tmpls[t], err);
        if (rc != IRQ_OK)
            return rc;
    }
    int rc = gib_sigp_validate(sc, err);
    if (rc != IRQ_OK)
        return rc;
    for (size_t i = 0; i < sc->nsources; i++) {
        const irq_source_cfg *s = &sc->sources[i];
        if (gib_sigp_class(s->cls))
            continue;
        if (s->cls >= GIB_NISC)
            return irq_error_set(err, IRQ_EINPUT, &s->mark,
                                 "class %u of source '%s' is neither an ISC (0..7) nor a SIGP "
                                 "order (258 external call, 259 emergency signal, 261 stop, 262 "
                                 "restart, 265 stop and store status)",
                                 s->cls, s->name);
        if (s->vcpu != IRQ_VCPU_FLOATING)
            return irq_error_set(err, IRQ_EINPUT, &s->mark,
                                 "source '%s' targets a vCPU, but adapter interrupts are floating "
                                 "(expected no 'vcpu' key with model 'gib')",
                                 s->name);
    }
    return IRQ_OK;
}

uint8_t gib_cr6_of_bits(uint64_t bits)
{
    uint8_t m = 0;
    for (int n = 0; n < GIB_NISC; n++)
        if (bits & (1ull << n))
            m |= ISC_BIT(n);
    return m;
}

/* alert_mask of every guest: as written in its template, or else the ISCs
 * of the pass-through sources that target it (one pass over the sources). */
static void set_alert_masks(gib *m)
{
    const irq_scenario *sc = irq_sim_scenario(m->sim);
    for (size_t i = 0; i < sc->nsources; i++) {
        const irq_source_cfg *s = &sc->sources[i];
        if (s->injection != IRQ_INJ_PASSTHROUGH || s->cls >= GIB_NISC)
            continue; /* only adapter interrupts (ISCs) register; SIGP orders do not */
        uint64_t first = s->instance < 0 ? 0 : (uint64_t)s->instance;
        uint64_t end = s->instance < 0 ? sc->tmpls[s->tmpl].count : first + 1;
        for (uint64_t k = first; k < end; k++)
            gisa_of(m, irq_sim_guest_of(m->sim, s->tmpl, k))->alert_mask |= ISC_BIT(s->cls);
    }
    for (size_t i = 0; i < m->nguests; i++) {
        irq_guest *g = irq_sim_guest(m->sim, i);
        ggisa *gi = gisa_of(m, g);
        if (g->params[G_ALERT_ISCS].mark.line != 0) /* written: exactly that */
            gi->alert_mask = gib_cr6_of_bits(g->params[G_ALERT_ISCS].u);
        if (m->h == H_NO_GISA)
            gi->alert_mask = 0;
        gi->iam = gi->alert_mask;
    }
}

/* Sources that set adapter summary indicators (set_adapter_int): every
 * adapter source without a GISA, the software-injected ones with it. */
static bool sets_summary(const gib *m, const irq_source_cfg *s)
{
    return !gib_sigp_class(s->cls) && (m->h == H_NO_GISA || s->injection == IRQ_INJ_SOFTWARE);
}

/* The no-gisa floating lists, and a summary-indicator latch per guest for
 * each ISC a source sets summary indicators on (sets_summary). Allocated
 * only for those: most guests and ISCs use neither. */
static int alloc_lists(gib *m)
{
    const irq_scenario *sc = irq_sim_scenario(m->sim);
    bool no_gisa = m->h == H_NO_GISA;
    for (size_t i = 0; i < sc->nsources; i++) {
        const irq_source_cfg *s = &sc->sources[i];
        if (!sets_summary(m, s))
            continue;
        if (!m->ind_slot[s->cls])
            m->ind_slot[s->cls] = (uint8_t)++m->nind;
    }
    if (m->nind && !(m->ind = calloc(m->nguests * m->nind, sizeof *m->ind)))
        return -1;
    if (no_gisa && !(m->flt = calloc(m->nguests * GIB_NISC, sizeof *m->flt)))
        return -1;
    return 0;
}

/* For clear_summaries: per template and ISC, the sources whose summary
 * indicators a handler of that ISC clears (no other source's are ever
 * set), in sum_src[sum_first[k] .. sum_first[k + 1]), k = template *
 * GIB_NISC + ISC. 0, or -1 when out of memory. */
static int index_summaries(gib *m)
{
    const irq_scenario *sc = irq_sim_scenario(m->sim);
    size_t nkeys = sc->ntmpls * GIB_NISC;
    m->sum_first = calloc(nkeys + 1, sizeof *m->sum_first);
    m->sum_src = calloc(m->nsources + 1, sizeof *m->sum_src);
    if (!m->sum_first || !m->sum_src)
        return -1;
    for (size_t i = 0; i < m->nsources; i++) /* counts, one slot up */
        if (sets_summary(m, &sc->sources[i]))
            m->sum_first[sc->sources[i].tmpl * GIB_NISC + sc->sources[i].cls + 1]++;
    for (size_t k = 1; k <= nkeys; k++) /* sum_first[k]: where key k starts */
        m->sum_first[k] += m->sum_first[k - 1];
    for (size_t i = 0; i < m->nsources; i++) /* each key's start moves to its end */
        if (sets_summary(m, &sc->sources[i]))
            m->sum_src[m->sum_first[sc->sources[i].tmpl * GIB_NISC + sc->sources[i].cls]++] =
                (uint32_t)i;
    for (size_t k = nkeys; k > 0; k--) /* back to the starts */
        m->sum_first[k] = m->sum_first[k - 1];
    m->sum_first[0] = 0;
    return 0;
}

/* Gives v a mask schedule whose first change is due at first, drawn from
 * rng (its stream). Only vCPUs with one get its timer and stream. 0, or -1
 * when out of memory. */
static int add_mask(gib *m, irq_vcpu *v, const irq_rng *rng, uint64_t first)
{
    if (m->nmasks == m->masks_cap) {
        uint32_t cap = m->masks_cap ? 2 * m->masks_cap : 64;
        gmask *b = realloc(m->masks, cap * sizeof *b);
        if (!b)
            return -1;
        m->masks = b;
        m->masks_cap = cap;
    }
    gmask *mk = &m->masks[m->nmasks++];
    mk->rng = *rng;
    mk->timer = irq_sim_timer_new(m->sim, gib_mask_toggle, m, (uintptr_t)v);
    gv_of(m, v)->mask = m->nmasks;
    irq_sim_timer_arm(m->sim, mk->timer, first);
    return 0;
}

static int setup_guest(gib *m, irq_guest *g)
{
    ggisa *gi = gisa_of(m, g);
    gi->next = (int32_t)g->index; /* pointing to itself: not on the list */
    gi->kicker = irq_sim_timer_new(m->sim, gib_kicker_fire, m, (uintptr_t)g);
    for (uint32_t j = 0; j < g->nvcpus; j++) {
        irq_vcpu *v = &g->vcpus[j];
        gvcpu *gv = gv_of(m, v);
        gv->vcpu = v;
        gv->kick_path = KP_NONE;
        gv->cr6 = gib_cr6_of_bits(v->params[V_ISCS].u);
        gv->io_on = v->params[V_IO].i != 0;
        gv->vcpu_id = v->params[V_VCPU_ID].i < 0 ? v->index : (uint32_t)v->params[V_VCPU_ID].i;
        irq_rng rng;
        irq_sim_rng(m->sim, &rng, "gib-mask", v->id);
        uint64_t first = irq_dist_sample(&v->params[V_MASK_EVERY].dist, &rng);
        if (first > 0 && add_mask(m, v, &rng, first) != 0) /* else it never masks */
            return -1;
    }
    return 0;
}

static void read_params(gib *m)
{
    const irq_param_value *p = irq_sim_model_params(m->sim);
    m->h = (gib_heuristic)p[P_HEURISTIC].i;
    m->expires = p[P_EXPIRES].u ? p[P_EXPIRES].u : 1;
    m->iam_clear_all = p[P_IAM_CLEAR].i == 0;
    m->halt_poll = p[P_HALT_POLL].u;
    m->gal_spread = p[P_GAL_CPU].i < 0;
    m->ncpus = irq_sim_ncpus(m->sim);
    m->gal_cpu = m->gal_spread ? 0 : (uint32_t)p[P_GAL_CPU].i % m->ncpus;
    m->gal_cost = p[P_GAL_COST].u;
    m->gisa_cost = p[P_GAL_GISA_COST].u;
    m->kicker_cost = p[P_KICKER_COST].u;
    m->intercept_cost = p[P_INTERCEPT_COST].u;
    m->max_float = (uint32_t)p[P_MAX_FLOAT].i;
    m->pre_sie_cost = p[P_PRE_SIE_COST].u;
    m->no_poll_steal = p[P_HOST_STEAL].i >= p[P_MAX_STEAL].i; /* kvm_arch_no_poll */
    m->check = p[P_CHECK].i != 0;
    m->listed_iam_bad = m->iam_clear_all && !gib_restores_while_listed(m);
    m->bugs = p[P_BUGS].u;
    m->sigpif = p[P_SIGPIF].i != 0;
    m->user_sigp = p[P_USER_SIGP].i != 0;
    m->sigp_cost = p[P_SIGP_COST].u;
    m->sigp_user_cost = p[P_SIGP_USER_COST].u;
    m->stop_cost = p[P_STOP_COST].u;
}

static void gib_destroy(void *model)
{
    gib *m = model;
    for (size_t i = 0; i < m->nguests; i++) {
        irq_guest *g = irq_sim_guest(m->sim, i);
        for (uint32_t n = 0; n < GIB_NISC; n++) {
            irq_pend_free(&gisa_of(m, g)->isc[n]);
            if (m->flt)
                irq_fifo_free(flt_of(m, g, n));
            irq_pend *ind = m->ind ? ind_of(m, g, n) : NULL;
            if (ind)
                irq_pend_free(ind);
        }
    }
    free(m->flt);
    free(m->ind);
    free(m->masks);
    gib_sigp_destroy(m);
    free(m->summary);
    free(m->sum_first);
    free(m->sum_src);
    free(m);
}

static int gib_create(struct irq_sim *sim, void **model, irq_error *err)
{
    gib *m = calloc(1, sizeof *m);
    if (!m)
        return irq_error_set(err, IRQ_ENOMEM, NULL, "out of memory");
    m->sim = sim;
    m->nguests = irq_sim_nguests(sim);
    m->nvcpus = irq_sim_scenario(sim)->total_vcpus;
    m->nsources = irq_sim_scenario(sim)->nsources;
    m->summary = calloc(m->nguests * (m->nsources ? m->nsources : 1), 1);
    if (!m->summary) {
        gib_destroy(m);
        return irq_error_set(err, IRQ_ENOMEM, NULL, "out of memory");
    }
    read_params(m);
    if (index_summaries(m) != 0 || alloc_lists(m) != 0) {
        gib_destroy(m);
        return irq_error_set(err, IRQ_ENOMEM, NULL, "out of memory");
    }
    m->origin = ORIGIN_NULL;
    m->gal_last = ORIGIN_NULL;
    for (size_t i = 0; i < m->nguests; i++)
        if (setup_guest(m, irq_sim_guest(sim, i)) != 0) {
            gib_destroy(m);
            return irq_error_set(err, IRQ_ENOMEM, NULL, "out of memory");
        }
    set_alert_masks(m);
    int rc = gib_sigp_create(m, err);
    if (rc != IRQ_OK) {
        gib_destroy(m);
        return rc;
    }
    *model = m;
    return IRQ_OK;
}

const irq_model_ops irq_model_gib = {
    .name = "gib",
    .invalid_wakeups = true, /* CONFIG_HAVE_KVM_INVALID_WAKEUPS */
    .guest_state_size = sizeof(ggisa),
    .vcpu_state_size = sizeof(gvcpu),
    .summary = "s390 adapter interrupts through the GISA (IPM/IAM) and the GIB alert list, "
               "with the host's kick heuristics, and SIGP orders between its vCPUs",
    .params = gib_params,
    .nparams = GIB_NPARAMS,
    .guest_params = gib_guest_params,
    .nguest_params = GIB_NGPARAMS,
    .vcpu_params = gib_vcpu_params,
    .nvcpu_params = GIB_NVPARAMS,
    .counters = gib_counters,
    .ncounters = GIB_NCOUNTERS,
    .classes = gib_classes,
    .nclasses = sizeof gib_classes / sizeof gib_classes[0],
    .validate = gib_validate,
    .create = gib_create,
    .destroy = gib_destroy,
    .inject = gib_inject,
    .send_cost = gib_send_cost,
    .wait_entry = gib_wait_entry,
    .vcpu_runnable = gib_vcpu_runnable,
    .pending_walk = gib_pending_walk,
    .wakeup = gib_wakeup,
    .guest_entry = gib_guest_entry,
    .guest_exit = gib_guest_exit,
    .irq_enabled = gib_irq_enabled,
};
