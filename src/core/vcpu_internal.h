/* What the vCPU machine (vcpu.c) offers the rest of the core, besides the
 * model API of sim_internal.h: set-up and the end of a run (sim.c), a
 * handler's start (deliver.c), and what the host scheduler tells a thread
 * (sched.c). */
#ifndef IRQ_VCPU_INTERNAL_H
#define IRQ_VCPU_INTERNAL_H

#include <stdbool.h>
#include <stdint.h>

#include "sim_internal.h"

void irq__vcpu_start(irq_vcpu *v);
void irq__vcpu_init_timers(struct irq_sim *sim, irq_vcpu *v);
void irq__vcpu_account_end(irq_vcpu *v, uint64_t end);
void irq__vcpu_start_handler(irq_vcpu *v);
/* called by sched.c */
void irq__vcpu_got_cpu(irq_vcpu *v, bool switched, bool migrated);
void irq__vcpu_lost_cpu(irq_vcpu *v);
void irq__vcpu_poll_abort(irq_vcpu *v);
void irq__vcpu_pause(irq_vcpu *v);
void irq__vcpu_resume(irq_vcpu *v);
void irq__vcpu_update_state(irq_vcpu *v);

#endif
