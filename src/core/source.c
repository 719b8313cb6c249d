/* Interrupt sources: each instance (a source config applied to one guest)
 * owns one timer and one random stream, and arms the next arrival when the
 * current one fires. */
#include <stdlib.h>

#include "sim_priv_internal.h"
#include "source_internal.h"

/* Senders per targeted guest: every vCPU for `from: all`, else one. */
static uint64_t senders_of(const irq_scenario *sc, const irq_source_cfg *c)
{
    return c->from == IRQ_FROM_ALL ? sc->tmpls[c->tmpl].vcpus : 1;
}

/* How many instances a source config expands to. */
static uint64_t instances_of(const irq_scenario *sc, const irq_source_cfg *c)
{
    return (c->instance >= 0 ? 1 : sc->tmpls[c->tmpl].count) * senders_of(sc, c);
}

/* Whether the instance needs its side block (irq_source_x). */
static bool needs_x(const irq_source_cfg *c)
{
    return c->from != IRQ_FROM_OUTSIDE || c->vcpu == IRQ_VCPU_ROUND_ROBIN ||
           c->vcpu == IRQ_VCPU_RANDOM;
}

/* No arrival at or after this time: the source's stop, or the end. */
static uint64_t source_stop(const irq_source *s)
{
    uint64_t stop = s->cfg->stop, end = s->guest->sim->sc->duration;
    return stop && stop < end ? stop : end;
}

static inline __attribute__((always_inline)) void schedule(irq_source *s, uint64_t now)
{
    const irq_source_cfg *c = s->cfg;
    uint64_t a = irq__arrival_next(c, &s->arr, now);
    if (a < source_stop(s)) {
        s->arr.last = a;
        irq_timer_arm(&s->guest->sim->eng, s->timer, a);
    }
}

/* ---- guest-originated sources: arrivals in the sender's guest time ------ */

/* The sender's guest clock: its time RUNNING guest code so far. */
static uint64_t guest_time(const irq_vcpu *v)
{
    uint64_t g = v->time_in[IRQ_VCPU_RUNNING];
    if (v->state == IRQ_VCPU_RUNNING)
        g += irq_now(v->sim) - v->state_since;
    return g;
}

/* Arms the real timer for the next arrival while the sender runs guest
 * code; stops it otherwise. */
static void garm(irq_source *s)
{
    irq_source_x *x = s->x;
    struct irq_sim *sim = s->guest->sim;
    if (!x->gactive || x->gnext == UINT64_MAX || x->sender->state != IRQ_VCPU_RUNNING) {
        if (x->gactive)
            irq_timer_cancel(&sim->eng, s->timer);
        return;
    }
    uint64_t g = guest_time(x->sender);
    irq_timer_arm(&sim->eng, s->timer, irq_now(sim) + (x->gnext > g ? x->gnext - g : 0));
}

/* The sender v went into or out of RUNNING: its guest clock runs or stops
 * (vcpu.c calls it through sim->priv->sender_state). */
static void sender_state(irq_vcpu *v)
{
    for (irq_source *s = v->gsources; s; s = s->x->snext)
        garm(s);
}

/* The next arrival in guest time: Poisson from the previous one, the other
 * kinds at their offsets from the source's start. */
static void gschedule(irq_source *s)
{
    const irq_source_cfg *c = s->cfg;
    irq_source_x *x = s->x;
    uint64_t a = irq__arrival_next(c, &s->arr, x->gnext);
    if (a == UINT64_MAX)
        x->gnext = UINT64_MAX;
    else
        x->gnext = irq__arrival_kinds[c->kind].from_previous ? a : x->g0 + (a - c->start);
    garm(s);
}

static irq_vcpu *target_of(irq_source *s);

static void sender_fire(irq_source *s)
{
    struct irq_sim *sim = s->guest->sim;
    irq_source_x *x = s->x;
    if (irq_now(sim) >= source_stop(s)) {
        x->gnext = UINT64_MAX;
        return;
    }
    if (!x->gactive) { /* the source starts: its guest clock starts here */
        x->gactive = true;
        x->g0 = x->gnext = guest_time(x->sender);
        gschedule(s);
        return;
    }
    irq_intr in = {.guest = s->guest,
                   .vcpu = target_of(s),
                   .cls = s->cfg->cls,
                   .injection = (uint8_t)s->cfg->injection,
                   .source = s->cfg_index,
                   .sender = x->sender};
    irq_raise_intr(&in);
    uint64_t cost = sim->ops->send_cost ? sim->ops->send_cost(sim->model, x->sender, &in) : 0;
    gschedule(s);
    if (cost > 0)
        irq_vcpu_trap(x->sender, -1, cost, NULL, NULL, 0);
}

/* The vCPU this arrival targets: the source's fixed one (or NULL:
 * floating), else the next in turn or one drawn at random, skipping the
 * sender when the guest has others. */
static irq_vcpu *target_of(irq_source *s)
{
    int64_t mode = s->cfg->vcpu;
    if (mode != IRQ_VCPU_ROUND_ROBIN && mode != IRQ_VCPU_RANDOM)
        return mode >= 0 ? &s->guest->vcpus[mode] : NULL;
    irq_source_x *x = s->x;
    uint32_t n = s->guest->nvcpus;
    bool skip = x->sender && n > 1;
    uint32_t m = skip ? n - 1 : n;
    uint32_t k = mode == IRQ_VCPU_ROUND_ROBIN ? x->rr++ % m : (uint32_t)irq_rng_below(&x->trng, m);
    if (skip && k >= x->sender->index)
        k++;
    return &s->guest->vcpus[k];
}

static void source_fire(void *ctx, uint64_t arg)
{
    (void)arg;
    irq_source *s = ctx;
    const irq_source_cfg *c = s->cfg;
    if (s->x && s->x->sender) {
        sender_fire(s);
        return;
    }
    /* most instances: a fixed vCPU or floating, no side block; target_of
     * handles these too, but testing s->x first here is 2 instructions an
     * event cheaper on many-guests */
    irq_intr in = {.guest = s->guest,
                   .vcpu = s->x           ? target_of(s)
                           : c->vcpu >= 0 ? &s->guest->vcpus[c->vcpu]
                                          : NULL,
                   .cls = c->cls,
                   .injection = (uint8_t)c->injection,
                   .source = s->cfg_index};
    irq_raise_intr(&in);
    schedule(s, irq_now(s->guest->sim));
}

static void init_source(struct irq_sim *sim, irq_source *s, uint32_t ci, uint64_t k)
{
    const irq_scenario *sc = sim->sc;
    const irq_source_cfg *c = &sc->sources[ci];
    uint64_t nsend = senders_of(sc, c), instance = k / nsend;
    s->cfg = c;
    s->cfg_index = ci;
    s->guest = irq_sim_guest_of(sim, c->tmpl, c->instance >= 0 ? (uint64_t)c->instance : instance);
    if (needs_x(c))
        s->x = &sim->priv->source_x[sim->priv->nsource_x++];
    uint64_t stream = c->instance >= 0 ? (uint64_t)c->instance : instance;
    if (c->from != IRQ_FROM_OUTSIDE) {
        uint64_t from = c->from == IRQ_FROM_ALL ? k % nsend : (uint64_t)c->from;
        s->x->sender = &s->guest->vcpus[from];
        s->x->snext = s->x->sender->gsources;
        s->x->sender->gsources = s;
        stream = stream * IRQ_MAX_VCPUS_PER_GUEST + from;
    }
    /* one stream per (source, instance, sender): adding other sources or
     * guests does not change this one's arrivals */
    irq_rng_seed(&s->arr.rng, sc->seed, c->name, stream);
    if (c->vcpu == IRQ_VCPU_RANDOM) /* its own stream: the arrivals stay as with a fixed vCPU */
        irq_rng_seed(&s->x->trng, sc->seed, "source-target", stream * IRQ_MAX_SOURCES + ci);
    s->timer = irq_sim_timer_new(sim, source_fire, s, 0);
}

int irq__sources_create(struct irq_sim *sim, irq_error *err)
{
    const irq_scenario *sc = sim->sc;
    struct irq_sim_priv *p = sim->priv;
    size_t n = 0;
    for (size_t i = 0; i < sc->nsources; i++)
        n += instances_of(sc, &sc->sources[i]);
    size_t nx = 0;
    for (size_t i = 0; i < sc->nsources; i++)
        if (needs_x(&sc->sources[i]))
            nx += instances_of(sc, &sc->sources[i]);
    p->sender_state = sender_state;
    p->sources = calloc(n + 1, sizeof *p->sources);
    p->source_x = calloc(nx + 1, sizeof *p->source_x);
    if (!p->sources || !p->source_x)
        return irq_error_set(err, IRQ_ENOMEM, NULL, "out of memory for %zu sources", n);
    for (uint32_t i = 0; i < sc->nsources; i++) {
        uint64_t m = instances_of(sc, &sc->sources[i]);
        for (uint64_t k = 0; k < m; k++)
            init_source(sim, &p->sources[p->nsources++], i, k);
    }
    return IRQ_OK;
}

void irq__sources_start(struct irq_sim *sim)
{
    struct irq_sim_priv *p = sim->priv;
    for (size_t i = 0; i < p->nsources; i++) {
        irq_source *s = &p->sources[i];
        const irq_source_cfg *c = s->cfg;
        if (irq__arrival_kinds[c->kind].begin)
            irq__arrival_kinds[c->kind].begin(c, &s->arr);
        if (s->x && s->x->sender) /* its guest clock starts at the source's start */
            irq_timer_arm(&sim->eng, s->timer, c->start);
        else
            schedule(s, c->start);
    }
}
