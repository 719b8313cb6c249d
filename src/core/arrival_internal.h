/* The arrival kinds of interrupt sources (poisson, periodic, storm,
 * replay): one table entry per kind with how the scenario writes it (its
 * parse function) and how its arrivals follow one another (its next
 * function), all in arrival.c. Adding a kind: its enum value and fields in
 * irq_source_cfg (scenario_internal.h), its entry and functions in
 * arrival.c. Used by the loader (scenario_sources.c), the sources
 * (source.c) and the trace's size estimate (trace.c). */
#ifndef IRQ_ARRIVAL_INTERNAL_H
#define IRQ_ARRIVAL_INTERNAL_H

#include <math.h>
#include <stdbool.h>
#include <stdint.h>

#include "rng_internal.h"
#include "scenario_internal.h"

struct irq_call; /* loader_internal.h: only arrival.c and the loader need them */
struct irq_ldctx;
struct irq_ynode;

/* Where one source instance's arrival process is. */
typedef struct irq_arrival_state {
    irq_rng rng;
    uint64_t k;      /* PERIODIC: period number; STORM: arrival within window; REPLAY: index */
    uint64_t window; /* STORM: window number */
    double u;        /* STORM random spacing: previous order statistic in [0, 1) */
    uint64_t last;   /* last arrival (keeps jittered arrivals in order) */
} irq_arrival_state;

/* The next arrival after the one at now (the source's start for the
 * first), in cycles; UINT64_MAX when there is none. */
typedef uint64_t irq_arrival_next_fn(const irq_source_cfg *c, irq_arrival_state *st, uint64_t now);

/* What a kind's parse function reads: the call in the source's arrivals
 * value, e.g. storm(count=500, window=100us). */
typedef struct irq_arrival_parse {
    const struct irq_ldctx *c;
    irq_source_cfg *s; /* fills kind and its fields */
    const struct irq_ynode *node;
    const struct irq_call *call;
    bool start_given; /* the source's own start key */
    char why[400];
} irq_arrival_parse;

typedef struct irq_arrival_kind {
    const char *name;     /* as written in the scenario */
    const char *examples; /* for messages: "periodic(1ms), periodic(1ms, jitter=10us)" */
    /* Checks the call's keys and values into a->s; IRQ_OK or an error set
     * in a->c->err (file:line:col of the value, or of a data file). */
    int (*parse)(irq_arrival_parse *a);
    irq_arrival_next_fn *next;
    /* Optional: puts a new instance's state at the source's start. */
    void (*begin)(const irq_source_cfg *c, irq_arrival_state *st);
    /* Expected arrivals per instance in [lo, hi), within start..stop. */
    double (*expected)(const irq_source_cfg *c, double lo, double hi);
    /* next() counts from the previous arrival (now), not from the start. */
    bool from_previous;
} irq_arrival_kind;

extern const irq_arrival_kind irq__arrival_kinds[IRQ_ARR_N];

/* poisson's next(), here so that the sources draw the most common kind
 * without a call through the table. */
static inline uint64_t irq__poisson_next(const irq_source_cfg *c, irq_arrival_state *st,
                                         uint64_t now)
{
    return now + irq__dist_cycles(-log(irq_rng_uniform_pos(&st->rng)) / c->rate);
}

/* The next arrival of kind c->kind, Poisson in place. */
static inline uint64_t irq__arrival_next(const irq_source_cfg *c, irq_arrival_state *st,
                                         uint64_t now)
{
    if (c->kind == IRQ_ARR_POISSON)
        return irq__poisson_next(c, st, now);
    return irq__arrival_kinds[c->kind].next(c, st, now);
}

/* Decodes the arrivals value node of source s (a call of one of the
 * kinds) into s; start_given: the source has its own start key. */
int irq__arrivals_parse(irq_source_cfg *s, const struct irq_ynode *node, bool start_given,
                        const struct irq_ldctx *c);

#endif
