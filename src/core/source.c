/* Interrupt sources: each instance (a source config applied to one guest)
 * owns one timer and one random stream, and arms the next arrival when the
 * current one fires. */
#include <math.h>
#include <stdlib.h>

#include "sim_priv_internal.h"

/* How many instances a source config expands to. */
static uint64_t instances_of(const irq_scenario *sc, const irq_source_cfg *c)
{
    return c->instance >= 0 ? 1 : sc->tmpls[c->tmpl].count;
}

static uint64_t to_cycles(double x)
{
    return x <= 0 ? 0 : x >= 1.8e19 ? UINT64_MAX : (uint64_t)llround(x);
}

/* Arrival k of a periodic source, jittered, never before the previous one. */
static uint64_t next_periodic(irq_source *s)
{
    const irq_source_cfg *c = s->cfg;
    double t = (double)c->start + (double)s->k++ * c->interval;
    if (c->jitter > 0)
        t += (2.0 * irq_rng_uniform(&s->rng) - 1.0) * c->jitter;
    uint64_t a = to_cycles(t);
    return a < s->last ? s->last : a;
}

/* Storms: `count` arrivals per window. Random spacing draws the sorted
 * uniform order statistics one at a time (Bentley and Saxe), so nothing is
 * stored per arrival. */
static uint64_t next_storm(irq_source *s)
{
    const irq_source_cfg *c = s->cfg;
    if (s->k == c->count) {
        if (c->period <= 0)
            return UINT64_MAX;
        s->window++;
        s->k = 0;
        s->u = 0;
    }
    double base = (double)c->start + (double)s->window * c->period;
    double pos;
    if (c->even) {
        pos = (double)s->k / (double)c->count;
    } else {
        double left = (double)(c->count - s->k);
        s->u = 1.0 - (1.0 - s->u) * pow(irq_rng_uniform_pos(&s->rng), 1.0 / left);
        pos = s->u;
    }
    s->k++;
    uint64_t a = to_cycles(base + pos * c->window);
    return a < s->last ? s->last : a;
}

static uint64_t next_arrival(irq_source *s, uint64_t now)
{
    const irq_source_cfg *c = s->cfg;
    switch (c->kind) {
    case IRQ_ARR_POISSON:
        return now + to_cycles(-log(irq_rng_uniform_pos(&s->rng)) / c->rate);
    case IRQ_ARR_PERIODIC:
        return next_periodic(s);
    case IRQ_ARR_STORM:
        return next_storm(s);
    case IRQ_ARR_REPLAY:
        return s->k < c->ntimes ? c->times[s->k++] : UINT64_MAX;
    }
    return UINT64_MAX;
}

static void schedule(irq_source *s, uint64_t now)
{
    uint64_t a = next_arrival(s, now);
    if (a < s->stop) {
        s->last = a;
        irq_timer_arm(&s->sim->eng, s->timer, a);
    }
}

static void source_fire(void *ctx, uint64_t arg)
{
    (void)arg;
    irq_source *s = ctx;
    struct irq_sim *sim = s->sim;
    uint64_t now = irq_now(sim);
    irq_intr in = {.arrival = now,
                   .guest = s->guest,
                   .vcpu = s->vcpu,
                   .cls = s->cfg->cls,
                   .injection = (uint8_t)s->cfg->injection,
                   .source = s->cfg_index};
    s->guest->injected++;
    if (sim->priv->tracing) {
        irq_trace_info info = IRQ_TRACE_INFO_INIT;
        info.cls = (int32_t)in.cls;
        info.source = (int32_t)in.source;
        info.injection = in.injection;
        irq_trace_event(sim, "arrival", s->guest, s->vcpu, -1, &info);
    }
    sim->ops->inject(sim->model, &in);
    schedule(s, now);
}

static void init_source(struct irq_sim *sim, irq_source *s, uint32_t ci, uint64_t instance)
{
    const irq_scenario *sc = sim->sc;
    const irq_source_cfg *c = &sc->sources[ci];
    s->sim = sim;
    s->cfg = c;
    s->cfg_index = ci;
    s->guest = irq_sim_guest_of(sim, c->tmpl, c->instance >= 0 ? (uint64_t)c->instance : instance);
    s->vcpu = c->vcpu >= 0 ? &s->guest->vcpus[c->vcpu] : NULL;
    s->stop = c->stop && c->stop < sc->duration ? c->stop : sc->duration;
    /* one stream per (source, instance): adding other sources or guests
     * does not change this one's arrivals */
    irq_rng_seed(&s->rng, sc->seed, c->name, c->instance >= 0 ? (uint64_t)c->instance : instance);
    s->timer = irq_sim_timer_new(sim, source_fire, s, 0);
}

int irq_sources_create(struct irq_sim *sim, irq_error *err)
{
    const irq_scenario *sc = sim->sc;
    struct irq_sim_priv *p = sim->priv;
    size_t n = 0;
    for (size_t i = 0; i < sc->nsources; i++)
        n += instances_of(sc, &sc->sources[i]);
    p->sources = calloc(n + 1, sizeof *p->sources);
    if (!p->sources)
        return irq_error_set(err, IRQ_ENOMEM, NULL, "out of memory for %zu sources", n);
    for (uint32_t i = 0; i < sc->nsources; i++) {
        uint64_t m = instances_of(sc, &sc->sources[i]);
        for (uint64_t k = 0; k < m; k++)
            init_source(sim, &p->sources[p->nsources++], i, k);
    }
    return IRQ_OK;
}

void irq_sources_start(struct irq_sim *sim)
{
    struct irq_sim_priv *p = sim->priv;
    for (size_t i = 0; i < p->nsources; i++) {
        irq_source *s = &p->sources[i];
        const irq_source_cfg *c = s->cfg;
        if (c->kind == IRQ_ARR_REPLAY) {
            while (s->k < c->ntimes && c->times[s->k] < c->start)
                s->k++; /* replay honours the source's start */
        }
        schedule(s, c->start);
    }
}
