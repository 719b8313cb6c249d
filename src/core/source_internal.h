/* Interrupt sources (source.c): the instances a scenario's sources expand
 * to, each with its arrival process (arrival.c), set up and started by
 * sim.c. */
#ifndef IRQ_SOURCE_INTERNAL_H
#define IRQ_SOURCE_INTERNAL_H

#include <stdbool.h>
#include <stdint.h>

#include "arrival_internal.h"
#include "sim_internal.h"

/* What only some instances need: those that pick a target per arrival
 * (`vcpu: round-robin|random`) and those a vCPU sends (`from:`). */
typedef struct irq_source_x {
    irq_rng trng; /* random: the target's own stream (arrivals keep theirs) */
    uint32_t rr;  /* round-robin: the next choice */
    bool gactive;
    /* guest-originated (`from:`): arrivals in the sender's guest time */
    irq_vcpu *sender;
    uint64_t g0, gnext;       /* sender's guest time at the start; of the next arrival */
    struct irq_source *snext; /* the sender's other sources */
} irq_source_x;

/* One instance (a source config applied to one guest, and one sender for
 * `from: all`). There are tens of thousands: what the config, the guest or
 * the arrival kind give is not copied here (the simulation is guest->sim,
 * the fixed target vCPU cfg->vcpu, the next-arrival function the kind's,
 * the stop time source_stop()). */
typedef struct irq_source {
    irq_arrival_state arr;
    const irq_source_cfg *cfg;
    irq_guest *guest;
    irq_source_x *x; /* NULL: arrivals from outside to a fixed vCPU or floating */
    irq_timer_id timer;
    uint32_t cfg_index;
} irq_source;

/* Allocates the instances of every source (sim->priv->sources). */
int irq__sources_create(struct irq_sim *sim, irq_error *err);
/* Arms every instance's first arrival at its source's start. */
void irq__sources_start(struct irq_sim *sim);

#endif
