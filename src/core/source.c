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

static void schedule(irq_source *s, uint64_t now)
{
    uint64_t a = s->next(s->cfg, &s->arr, now);
    if (a < s->stop) {
        s->arr.last = a;
        irq_timer_arm(&s->sim->eng, s->timer, a);
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
    irq_engine *eng = &s->sim->eng;
    if (!s->gactive || s->gnext == UINT64_MAX || s->sender->state != IRQ_VCPU_RUNNING) {
        if (s->gactive)
            irq_timer_cancel(eng, s->timer);
        return;
    }
    uint64_t g = guest_time(s->sender);
    irq_timer_arm(eng, s->timer, irq_now(s->sim) + (s->gnext > g ? s->gnext - g : 0));
}

/* The sender v went into or out of RUNNING: its guest clock runs or stops
 * (vcpu.c calls it through sim->priv->sender_state). */
static void sender_state(irq_vcpu *v)
{
    for (irq_source *s = v->gsources; s; s = s->snext)
        garm(s);
}

/* The next arrival in guest time: Poisson from the previous one, the other
 * kinds at their offsets from the source's start. */
static void gschedule(irq_source *s)
{
    const irq_source_cfg *c = s->cfg;
    uint64_t a = s->next(c, &s->arr, s->gnext);
    if (a == UINT64_MAX)
        s->gnext = UINT64_MAX;
    else
        s->gnext = irq__arrival_kinds[c->kind].from_previous ? a : s->g0 + (a - c->start);
    garm(s);
}

static irq_vcpu *target_of(irq_source *s);

static void sender_fire(irq_source *s)
{
    struct irq_sim *sim = s->sim;
    if (irq_now(sim) >= s->stop) {
        s->gnext = UINT64_MAX;
        return;
    }
    if (!s->gactive) { /* the source starts: its guest clock starts here */
        s->gactive = true;
        s->g0 = s->gnext = guest_time(s->sender);
        gschedule(s);
        return;
    }
    irq_intr in = {.guest = s->guest,
                   .vcpu = target_of(s),
                   .cls = s->cfg->cls,
                   .injection = (uint8_t)s->cfg->injection,
                   .source = s->cfg_index,
                   .sender = s->sender};
    irq_raise_intr(&in);
    uint64_t cost = sim->ops->send_cost ? sim->ops->send_cost(sim->model, s->sender, &in) : 0;
    gschedule(s);
    if (cost > 0)
        irq_vcpu_trap(s->sender, -1, cost, NULL, NULL, 0);
}

/* The vCPU this arrival targets: the source's fixed one (or NULL:
 * floating), else the next in turn or one drawn at random, skipping the
 * sender when the guest has others. */
static irq_vcpu *target_of(irq_source *s)
{
    int64_t mode = s->cfg->vcpu;
    if (mode != IRQ_VCPU_ROUND_ROBIN && mode != IRQ_VCPU_RANDOM)
        return s->vcpu;
    uint32_t n = s->guest->nvcpus;
    bool skip = s->sender && n > 1;
    uint32_t m = skip ? n - 1 : n;
    uint32_t k = mode == IRQ_VCPU_ROUND_ROBIN ? s->rr++ % m : (uint32_t)irq_rng_below(s->trng, m);
    if (skip && k >= s->sender->index)
        k++;
    return &s->guest->vcpus[k];
}

static void source_fire(void *ctx, uint64_t arg)
{
    (void)arg;
    irq_source *s = ctx;
    if (s->sender) {
        sender_fire(s);
        return;
    }
    irq_raise(s->guest, target_of(s), s->cfg->cls, (uint8_t)s->cfg->injection, s->cfg_index);
    schedule(s, irq_now(s->sim));
}

static void init_source(struct irq_sim *sim, irq_source *s, uint32_t ci, uint64_t k)
{
    const irq_scenario *sc = sim->sc;
    const irq_source_cfg *c = &sc->sources[ci];
    uint64_t nsend = senders_of(sc, c), instance = k / nsend;
    s->sim = sim;
    s->cfg = c;
    s->cfg_index = ci;
    s->guest = irq_sim_guest_of(sim, c->tmpl, c->instance >= 0 ? (uint64_t)c->instance : instance);
    s->vcpu = c->vcpu >= 0 ? &s->guest->vcpus[c->vcpu] : NULL;
    s->stop = c->stop && c->stop < sc->duration ? c->stop : sc->duration;
    uint64_t stream = c->instance >= 0 ? (uint64_t)c->instance : instance;
    if (c->from != IRQ_FROM_OUTSIDE) {
        uint64_t from = c->from == IRQ_FROM_ALL ? k % nsend : (uint64_t)c->from;
        s->sender = &s->guest->vcpus[from];
        s->snext = s->sender->gsources;
        s->sender->gsources = s;
        stream = stream * IRQ_MAX_VCPUS_PER_GUEST + from;
    }
    /* one stream per (source, instance, sender): adding other sources or
     * guests does not change this one's arrivals */
    irq_rng_seed(&s->arr.rng, sc->seed, c->name, stream);
    if (c->vcpu == IRQ_VCPU_RANDOM) { /* its own stream: the arrivals stay as with a fixed vCPU */
        s->trng = &sim->priv->source_rngs[sim->priv->nsource_rngs++];
        irq_rng_seed(s->trng, sc->seed, "source-target", stream * IRQ_MAX_SOURCES + ci);
    }
    s->next = irq__arrival_kinds[c->kind].next;
    s->timer = irq_sim_timer_new(sim, source_fire, s, 0);
}

int irq__sources_create(struct irq_sim *sim, irq_error *err)
{
    const irq_scenario *sc = sim->sc;
    struct irq_sim_priv *p = sim->priv;
    size_t n = 0;
    for (size_t i = 0; i < sc->nsources; i++)
        n += instances_of(sc, &sc->sources[i]);
    size_t nrandom = 0;
    for (size_t i = 0; i < sc->nsources; i++)
        if (sc->sources[i].vcpu == IRQ_VCPU_RANDOM)
            nrandom += instances_of(sc, &sc->sources[i]);
    p->sender_state = sender_state;
    p->sources = calloc(n + 1, sizeof *p->sources);
    p->source_rngs = nrandom ? calloc(nrandom, sizeof *p->source_rngs) : NULL;
    if (!p->sources || (nrandom && !p->source_rngs))
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
        if (s->sender) /* its guest clock starts at the source's start */
            irq_timer_arm(&sim->eng, s->timer, c->start);
        else
            schedule(s, c->start);
    }
}
