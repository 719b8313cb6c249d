/* The host's parameters (the `host:` section), described once here. */
#include "scenario_internal.h"

const irq_param_desc irq_host_params[IRQ_HOST_NPARAMS] = {
    [IRQ_HOST_CPUS] = {.name = "cpus",
                       .type = IRQ_PARAM_INT,
                       .def = "4",
                       .unit = "CPUs",
                       .help =
                           "physical CPUs; vCPUs are pinned round-robin (vCPU i on CPU i mod cpus) "
                           "and share a CPU through a time-slice scheduler when they outnumber "
                           "the CPUs",
                       .min = 1,
                       .max = 65536,
                       .source = "scenario choice"},
    [IRQ_HOST_TIMESLICE] = {.name = "timeslice",
                            .type = IRQ_PARAM_DURATION,
                            .def = "3ms",
                            .unit = "time",
                            .help =
                                "how long a vCPU thread runs before a waiting one on the same CPU "
                                "gets its turn",
                            .min = 1,
                            .max = 1e12,
                            .assumption = true},
    [IRQ_HOST_WAKEUP] = {.name = "wakeup",
                         .type = IRQ_PARAM_DURATION,
                         .def = "5us",
                         .unit = "time",
                         .help =
                             "host time from waking a halted vCPU thread until it can enter the "
                             "guest again",
                         .max = 1e12,
                         .assumption = true},
    [IRQ_HOST_WAIT_EXIT] = {.name = "wait_exit",
                            .type = IRQ_PARAM_DURATION,
                            .def = "1us",
                            .unit = "time",
                            .help = "host time to handle the guest's wait/halt exit before halting "
                                    "or re-entering",
                            .min = 1,
                            .max = 1e12,
                            .source = "about one VM exit: ~2000 cycles direct cost (SplitX paper, "
                                      "Xeon X5570 at 2.93 GHz: 0.68 us), rounded up to 1 us; the "
                                      "s390 figure is not public"},
    [IRQ_HOST_CTX_SWITCH] = {.name = "ctx_switch",
                             .type = IRQ_PARAM_DURATION,
                             .def = "2us",
                             .unit = "time",
                             .help =
                                 "host scheduler switch from one vCPU thread to another on a CPU",
                             .max = 1e12,
                             .assumption = true},
};
