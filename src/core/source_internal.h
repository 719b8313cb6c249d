/* Interrupt sources (source.c): the instances a scenario's sources expand
 * to, each with its arrival process (arrival.c), set up and started by
 * sim.c. */
#ifndef IRQ_SOURCE_INTERNAL_H
#define IRQ_SOURCE_INTERNAL_H

#include <stdbool.h>
#include <stdint.h>

#include "arrival_internal.h"
#include "sim_internal.h"

typedef struct irq_source {
    struct irq_sim *sim;
    const irq_source_cfg *cfg;
    uint32_t cfg_index;
    irq_guest *guest;
    irq_vcpu *vcpu;            /* NULL: floating, or chosen per arrival (target_of) */
    uint32_t rr;               /* round-robin: the next choice */
    irq_rng *trng;             /* random: the target's own stream (arrivals keep theirs) */
    irq_arrival_next_fn *next; /* its kind's (arrival.c) */
    irq_arrival_state arr;
    irq_timer_id timer;
    uint64_t stop; /* no arrival at or after this time */
    /* guest-originated (`from:`): arrivals in the sender's guest time */
    irq_vcpu *sender;
    uint64_t g0, gnext; /* sender's guest time at the start; of the next arrival */
    bool gactive;
    struct irq_source *snext; /* the sender's other sources */
} irq_source;

/* Allocates the instances of every source (sim->priv->sources). */
int irq__sources_create(struct irq_sim *sim, irq_error *err);
/* Arms every instance's first arrival at its source's start. */
void irq__sources_start(struct irq_sim *sim);

#endif
