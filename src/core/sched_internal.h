/* What the host scheduler (sched.c, with its fair run queue in runq.c)
 * offers the rest of the core, besides irq_host_work of sim_internal.h:
 * set-up and the end of a run (sim.c) and a thread's sleep and wake-up
 * (vcpu.c). */
#ifndef IRQ_SCHED_INTERNAL_H
#define IRQ_SCHED_INTERNAL_H

#include <stdbool.h>
#include <stdint.h>

#include "sim_priv_internal.h"

/* A thread link (irq_thread's q_prev ... t_dmin): the vCPU it names, or
 * NULL. All vCPUs are one array indexed by id, so v finds it from its own
 * id. */
static inline irq_vcpu *irq__th_get(const irq_vcpu *v, uint32_t link)
{
    return link ? (irq_vcpu *)(uintptr_t)(v - v->id) + (link - 1) : NULL;
}
static inline uint32_t irq__th_link(const irq_vcpu *v)
{
    return v ? v->id + 1 : 0;
}

/* runq.c: the fair run queue (a treap by vruntime, min deadline kept) */
void irq__rq_insert(irq_vcpu **root, irq_vcpu *v);
void irq__rq_remove(irq_vcpu **root, irq_vcpu *v);
irq_vcpu *irq__rq_leftmost(irq_vcpu *root);
irq_vcpu *irq__rq_pick_eligible(irq_vcpu *root, int64_t sum, uint32_t nr);
/* sched.c: the host scheduler and host work */
int irq__sched_init(struct irq_sim *sim, irq_error *err);
void irq__sched_free(struct irq_sim *sim);
/* A thread that was asleep (or is new, at time 0) becomes runnable. */
void irq__sched_wake(irq_vcpu *v);
/* The current thread of its CPU goes to sleep. */
void irq__sched_block(irq_vcpu *v);
/* Other threads wait for v's CPU (kvm_vcpu_can_poll's single_task_running). */
bool irq__sched_others_waiting(const irq_vcpu *v);
/* Recounts what v's CPU spends its time on (after v's state changed). */
void irq__pcpu_account(irq_pcpu *p);
void irq__pcpu_account_end(irq_pcpu *p, uint64_t end);

#endif
