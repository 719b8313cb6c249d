/* Interrupt latency (latency.c), recorded by deliver.c at each delivery,
 * by vcpu.c when a handler starts and by sim.c at the end of a run. */
#ifndef IRQ_LATENCY_INTERNAL_H
#define IRQ_LATENCY_INTERNAL_H

#include <stddef.h>
#include <stdint.h>

#include "sim_internal.h"

/* One arrival's latency (now - arrival) for guest g and class cls. */
void irq__latency_record(irq_guest *g, uint32_t cls, uint64_t arrival, int coalesced);
/* The latency of an arrival delivered to v, and where it went: recorded
 * now, or held until the handler starts when the delivery defers it
 * (defer: a plan whose traps come first, or the model holds it). */
void irq__latency_deliver(irq_vcpu *v, uint32_t cls, uint64_t arrival, int coalesced, bool defer);
/* Records the latencies held until the handler started (vcpu.c calls it
 * when the handler body starts, sim.c at the end of the run). */
void irq__latency_flush(irq_vcpu *v);
/* Where class cls is, or would go, in the sorted rows of latency per
 * class (sim->priv->cls_values). */
size_t irq__class_index(const struct irq_sim_priv *p, uint32_t cls);

#endif
