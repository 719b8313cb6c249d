/* A simulation: set-up from a scenario, the run, the end of it. The
 * services it offers models are in sim_services.c, raising and delivering
 * interrupts in deliver.c, their latency in latency.c. */
#include <math.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "latency_internal.h"
#include "sched_internal.h"
#include "sim_priv_internal.h"
#include "source_internal.h"
#include "vcpu_internal.h"

void irq_sim_set_latency_sink(irq_sim *sim, irq_latency_fn fn, void *ud)
{
    sim->priv->sink = fn;
    sim->priv->sink_ud = ud;
}

uint64_t irq_sim_events(const irq_sim *sim)
{
    return sim->eng.events;
}
uint64_t irq_sim_now(const irq_sim *sim)
{
    return sim->eng.now;
}
double irq_sim_wall_seconds(const irq_sim *sim)
{
    return sim->priv->wall_seconds;
}

/* ---- set-up ------------------------------------------------------------ */

/* Writes guest i's name (at most len bytes with the NUL; buf may be NULL
 * when len is 0) and returns its length. */
static size_t guest_name(char *buf, size_t len, const irq_guest_tmpl *t, uint32_t i)
{
    int n =
        t->count == 1 ? snprintf(buf, len, "%s", t->name) : snprintf(buf, len, "%s-%u", t->name, i);
    return n > 0 ? (size_t)n : 0;
}

/* Bytes of all guests' names with their NULs (one block: tens of
 * thousands of short names). */
static size_t names_bytes(const irq_scenario *sc)
{
    size_t n = 0;
    for (size_t ti = 0; ti < sc->ntmpls; ti++)
        for (uint32_t k = 0; k < sc->tmpls[ti].count; k++)
            n += guest_name(NULL, 0, &sc->tmpls[ti], k) + 1;
    return n;
}

static const irq_param_value *vcpu_params_for(const irq_guest_tmpl *t, uint32_t index)
{
    for (size_t i = 0; i < t->noverrides; i++)
        if (t->overrides[i].index == index)
            return t->overrides[i].params;
    return t->vcpu_params;
}

/* n zeroed elements of `size` bytes starting on a cache line: a guest is 5
 * lines, so each starts on its own and its hot first line is one line. */
static void *calloc_lines(size_t n, size_t size)
{
    if (size && n > (SIZE_MAX - 63) / size)
        return NULL;
    size_t bytes = (n * size + 63) / 64 * 64; /* aligned_alloc wants a multiple */
    void *p = aligned_alloc(64, bytes ? bytes : 64);
    if (p)
        memset(p, 0, bytes);
    return p;
}

static int alloc_machine(struct irq_sim *sim, irq_error *err)
{
    struct irq_sim_priv *p = sim->priv;
    const irq_scenario *sc = sim->sc;
    p->nguests = sc->total_guests;
    p->nvcpus = sc->total_vcpus;
    p->npcpus = (uint32_t)sc->host[IRQ_HOST_CPUS].i;
    size_t nc = sim->ops->ncounters;
    p->guests = calloc_lines(p->nguests, sizeof *p->guests);
    p->vcpus = calloc(p->nvcpus, sizeof *p->vcpus);
    p->pcpus = calloc(p->npcpus, sizeof *p->pcpus);
    p->mcounts = calloc(p->nguests * nc + 1, sizeof *p->mcounts);
    p->tmpl_first = calloc(sc->ntmpls + 1, sizeof *p->tmpl_first);
    p->guest_names = malloc(names_bytes(sc) + 1);
    p->guest_state = calloc(p->nguests + 1, sim->ops->guest_state_size + 1);
    p->vcpu_state = calloc(p->nvcpus + 1, sim->ops->vcpu_state_size + 1);
    size_t ntasks = 0;
    for (size_t t = 0; t < sc->ntmpls; t++)
        if (sc->tmpls[t].tasks >= 1)
            ntasks += (size_t)sc->tmpls[t].count * sc->tmpls[t].vcpus * sc->tmpls[t].tasks;
    p->tasks = calloc(ntasks + 1, sizeof *p->tasks);
    if (!p->guests || !p->vcpus || !p->pcpus || !p->mcounts || !p->tmpl_first || !p->guest_names ||
        !p->guest_state || !p->vcpu_state || !p->tasks)
        return irq_error_set(err, IRQ_ENOMEM, NULL, "out of memory for %zu guests, %zu vCPUs",
                             p->nguests, p->nvcpus);
    return IRQ_OK;
}

static void init_vcpu(struct irq_sim *sim, irq_guest *g, irq_vcpu *v, uint32_t index,
                      uint32_t instance)
{
    const irq_guest_tmpl *t = &sim->sc->tmpls[g->tmpl];
    v->sim = sim;
    v->guest = g;
    v->stack = v->seg_in;
    v->index = index;
    v->id = (uint32_t)(v - sim->priv->vcpus);
    v->pcpu = v->id % sim->priv->npcpus;
    v->cpu = &sim->priv->pcpus[v->pcpu];
    v->params = vcpu_params_for(t, index);
    v->work_alarm = UINT64_MAX;
    if (sim->ops->vcpu_state_size)
        v->model_data = (char *)sim->priv->vcpu_state + (size_t)v->id * sim->ops->vcpu_state_size;
    if (t->tasks >= 1) { /* one task too: a model may park it */
        v->tasks = &sim->priv->tasks[sim->priv->ntasks_used];
        sim->priv->ntasks_used += t->tasks;
        v->ntasks = v->nrunnable = t->tasks;
    }
    /* one stream per (template, instance, vCPU): other guests don't shift it */
    irq_rng_seed(&v->rng, sim->sc->seed, t->name,
                 (uint64_t)instance * IRQ_MAX_VCPUS_PER_GUEST + index);
    irq__vcpu_init_timers(sim, v);
}

static void build_guests(struct irq_sim *sim)
{
    struct irq_sim_priv *p = sim->priv;
    const irq_scenario *sc = sim->sc;
    size_t gi = 0, vi = 0, nc = sim->ops->ncounters;
    char *name = p->guest_names;
    size_t left = names_bytes(sc) + 1;
    for (uint32_t ti = 0; ti < sc->ntmpls; ti++) {
        const irq_guest_tmpl *t = &sc->tmpls[ti];
        p->tmpl_first[ti] = gi;
        for (uint32_t k = 0; k < t->count; k++, gi++) {
            irq_guest *g = &p->guests[gi];
            g->sim = sim;
            g->index = (uint32_t)gi;
            g->tmpl = ti;
            g->name = name;
            size_t len = guest_name(name, left, t, k) + 1;
            name += len;
            left -= len;
            g->params = t->model_params;
            if (sim->ops->guest_state_size)
                g->model_data = (char *)p->guest_state + gi * sim->ops->guest_state_size;
            g->mcount = &p->mcounts[gi * nc];
            g->vcpus = &p->vcpus[vi];
            g->nvcpus = t->vcpus;
            irq_hist_init_compact(&g->latency); /* compact: there are thousands */
            for (uint32_t j = 0; j < t->vcpus; j++)
                init_vcpu(sim, g, &p->vcpus[vi++], j, k);
        }
    }
}

static int cmp_u32(const void *a, const void *b)
{
    uint32_t x = *(const uint32_t *)a, y = *(const uint32_t *)b;
    return x < y ? -1 : x > y;
}

static int build_classes(struct irq_sim *sim, irq_error *err)
{
    struct irq_sim_priv *p = sim->priv;
    const irq_scenario *sc = sim->sc;
    irq_hist_init(&p->total_latency);
    p->cls_values = calloc(sc->nsources + 1, sizeof *p->cls_values);
    p->cls_hist = calloc(sc->nsources + 1, sizeof *p->cls_hist);
    if (!p->cls_values || !p->cls_hist)
        return irq_error_set(err, IRQ_ENOMEM, NULL, "out of memory");
    for (size_t i = 0; i < sc->nsources; i++)
        p->cls_values[i] = sc->sources[i].cls;
    qsort(p->cls_values, sc->nsources, sizeof *p->cls_values, cmp_u32);
    for (size_t i = 0; i < sc->nsources; i++)
        if (p->ncls == 0 || p->cls_values[p->ncls - 1] != p->cls_values[i])
            p->cls_values[p->ncls++] = p->cls_values[i];
    for (size_t i = 0; i < p->ncls; i++)
        irq_hist_init(&p->cls_hist[i]);
    return IRQ_OK;
}

static void init_hists(struct irq_sim_priv *p)
{
    for (int i = 0; i < 4; i++)
        irq_hist_init(&p->lat_part[i]);
    irq_hist_init(&p->censored);
    for (int i = 0; i < IRQ_MODEL_HISTS_MAX; i++)
        irq_hist_init(&p->mhists[i]);
}

static void convert_costs(struct irq_sim *sim)
{
    struct irq_sim_priv *p = sim->priv;
    for (int i = 0; i < IRQ_HOST_NPARAMS; i++)
        p->cost[i] = sim->sc->host[i].u;
    if (p->cost[IRQ_HOST_WAIT_EXIT] == 0) /* a wait must take time, or a guest */
        p->cost[IRQ_HOST_WAIT_EXIT] = 1;  /* refused its wait would spin in place */
    if (p->cost[IRQ_HOST_TIMESLICE] == 0)
        p->cost[IRQ_HOST_TIMESLICE] = 1;
    if (p->cost[IRQ_HOST_TICK] == 0)
        p->cost[IRQ_HOST_TICK] = 1;
    if (p->cost[IRQ_HOST_SLICE_UNIT] == 0)
        p->cost[IRQ_HOST_SLICE_UNIT] = 1;
}

int irq_sim_create(irq_sim **out, const irq_scenario *sc, irq_error *err)
{
    *out = NULL;
    struct irq_sim *sim = calloc(1, sizeof *sim);
    if (!sim || !(sim->priv = calloc(1, sizeof *sim->priv))) {
        free(sim);
        return irq_error_set(err, IRQ_ENOMEM, NULL, "out of memory");
    }
    sim->sc = sc;
    sim->ops = sc->model;
    sim->priv->mem_limit = sc->limits.max_memory ? sc->limits.max_memory : IRQ_DEFAULT_MEMORY_LIMIT;
    sim->priv->event_limit = sc->limits.max_events ? sc->limits.max_events : UINT64_MAX;
    int rc = irq_engine_init(&sim->eng, sc->total_vcpus * 3 + 64) == 0
                 ? IRQ_OK
                 : irq_error_set(err, IRQ_ENOMEM, NULL, "out of memory for the event queue");
    if (rc == IRQ_OK && !sim->ops->inject)
        rc = irq_error_set(err, IRQ_EINPUT, NULL, "model '%s' cannot take interrupts",
                           sim->ops->name);
    if (rc == IRQ_OK)
        rc = alloc_machine(sim, err);
    if (rc == IRQ_OK) {
        convert_costs(sim);
        init_hists(sim->priv);
        rc = irq__sched_init(sim, err);
    }
    if (rc == IRQ_OK) {
        build_guests(sim);
        rc = build_classes(sim, err);
    }
    if (rc == IRQ_OK)
        rc = irq__sources_create(sim, err);
    if (rc == IRQ_OK && sim->ops->create)
        rc = sim->ops->create(sim, &sim->model, err);
    if (rc == IRQ_OK && sim->priv->failed)
        rc = irq_error_set(err, IRQ_ENOMEM, NULL, "%s", sim->priv->fail_msg);
    if (rc != IRQ_OK) {
        irq_sim_free(sim);
        return rc;
    }
    *out = sim;
    return IRQ_OK;
}

void irq_sim_free(irq_sim *sim)
{
    if (!sim)
        return;
    struct irq_sim_priv *p = sim->priv;
    if (sim->model && sim->ops->destroy)
        sim->ops->destroy(sim->model);
    if (p) {
        for (size_t i = 0; p->guests && i < p->nguests; i++)
            irq_hist_free(&p->guests[i].latency);
        for (size_t i = 0; i < p->ncls; i++)
            irq_hist_free(&p->cls_hist[i]);
        irq_hist_free(&p->total_latency);
        for (int i = 0; i < 4; i++)
            irq_hist_free(&p->lat_part[i]);
        irq_hist_free(&p->censored);
        for (int i = 0; i < IRQ_MODEL_HISTS_MAX; i++)
            irq_hist_free(&p->mhists[i]);
        free(p->cls_undelivered);
        free(p->cls_oldest);
        free(p->cls_values);
        free(p->cls_hist);
        for (size_t i = 0; p->vcpus && i < p->nvcpus; i++) {
            free(p->vcpus[i].ld);
            if (p->vcpus[i].stack != p->vcpus[i].seg_in)
                free(p->vcpus[i].stack);
        }
        free(p->guests);
        free(p->vcpus);
        irq__sched_free(sim);
        free(p->pcpus);
        free(p->sources);
        free(p->source_x);
        free(p->mcounts);
        free(p->tmpl_first);
        free(p->guest_names);
        free(p->guest_state);
        free(p->vcpu_state);
        free(p->tasks);
        free(p);
    }
    irq_engine_fini(&sim->eng);
    free(sim);
}

/* ---- the run ----------------------------------------------------------- */

static double wall_now(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec + (double)ts.tv_nsec * 1e-9;
}

/* Nothing is lost: every guest's arrivals are delivered, coalesced, still
 * pending or dropped. */
int irq_sim_check_conservation(struct irq_sim *sim, irq_error *err)
{
    struct irq_sim_priv *p = sim->priv;
    for (size_t i = 0; i < p->nguests; i++) {
        const irq_guest *g = &p->guests[i];
        uint64_t acc = g->delivered + g->coalesced + g->pending + g->dropped;
        if (acc != g->injected)
            return irq_error_set(err, IRQ_ESIM, NULL,
                                 "conservation violated in guest %s: injected %llu != delivered "
                                 "%llu + coalesced %llu + pending %llu + dropped %llu",
                                 g->name, (unsigned long long)g->injected,
                                 (unsigned long long)g->delivered, (unsigned long long)g->coalesced,
                                 (unsigned long long)g->pending, (unsigned long long)g->dropped);
    }
    return IRQ_OK;
}

typedef struct undelivered_walk {
    struct irq_sim *sim;
    int rc;
} undelivered_walk;

static void visit_undelivered(void *ud, irq_guest *g, uint32_t cls, uint64_t arrival)
{
    undelivered_walk *w = ud;
    struct irq_sim_priv *p = w->sim->priv;
    uint64_t age = p->end > arrival ? p->end - arrival : 0;
    g->undelivered++;
    if (age > g->oldest_pending)
        g->oldest_pending = age;
    size_t ci = irq__class_index(p, cls);
    if (ci < p->ncls && p->cls_values[ci] == cls) {
        p->cls_undelivered[ci]++;
        if (age > p->cls_oldest[ci])
            p->cls_oldest[ci] = age;
    }
    if (irq_hist_add(&p->censored, age) != 0)
        w->rc = IRQ_ENOMEM;
}

/* Arrivals still held at the end: counted per guest and class with the age
 * of the oldest, and folded into the censored latency at their age, so a
 * design that strands interrupts cannot look fast. */
static int collect_undelivered(struct irq_sim *sim)
{
    struct irq_sim_priv *p = sim->priv;
    p->cls_undelivered = calloc(p->ncls + 1, sizeof *p->cls_undelivered);
    p->cls_oldest = calloc(p->ncls + 1, sizeof *p->cls_oldest);
    if (!p->cls_undelivered || !p->cls_oldest || irq_hist_merge(&p->censored, &p->total_latency))
        return IRQ_ENOMEM;
    undelivered_walk w = {.sim = sim, .rc = IRQ_OK};
    if (sim->ops->pending_walk)
        sim->ops->pending_walk(sim->model, visit_undelivered, &w);
    return w.rc;
}

static void start_all(struct irq_sim *sim)
{
    struct irq_sim_priv *p = sim->priv;
    for (size_t i = 0; i < p->nvcpus; i++)
        irq__vcpu_start(&p->vcpus[i]);
    irq__sources_start(sim);
}

/* The engine's lookahead (engine_internal.h) from this many timers on.
 * many-guests' mix, interleaved runs on the development machine (32 MiB of
 * L3): 3 to 17 % less time per event at 10,000 guests (145,240 timers),
 * none measurable at 3,000 (43,572) or fewer, where the state fits the
 * cache and the lookahead only adds instructions (docs/performance.md). */
#define LOOKAHEAD_MIN_TIMERS ((size_t)1 << 16)

/* Events between two looks at the progress callback: a few milliseconds
 * of work, so a stop request or a run whose simulated time stands still is
 * seen at once, at no measurable cost per event. */
#define EVENTS_PER_LOOK (1u << 16)

/* Runs to the scenario's end, looking at progress every EVENTS_PER_LOOK
 * events. Returns 1 when progress asked to stop (the results are partial),
 * 0 otherwise (the end, a failure or the event limit). */
static int run_events(struct irq_sim *sim, irq_progress_fn progress, void *ud)
{
    struct irq_sim_priv *p = sim->priv;
    irq_engine *e = &sim->eng;
    uint64_t end = sim->sc->duration;
    while (!p->stop) {
        uint64_t room = p->event_limit - e->events;
        if (room == 0) {
            irq_sim_fail(sim,
                         "event limit of %llu reached at %.6g of %.6g s simulated (--max-events or "
                         "limits.max_events raises it)",
                         (unsigned long long)p->event_limit, (double)e->now / sim->sc->clock_hz,
                         (double)end / sim->sc->clock_hz);
            break;
        }
        e->event_limit = e->events + (room < EVENTS_PER_LOOK ? room : EVENTS_PER_LOOK);
        irq_engine_run(e, end, &p->stop);
        bool finished = e->events < e->event_limit && !p->stop;
        if (progress && progress(ud, finished ? end : e->now, end, e->events))
            return 1;
        if (finished)
            break;
    }
    return 0;
}

int irq_sim_run(irq_sim *sim, irq_progress_fn progress, void *ud, irq_error *err)
{
    struct irq_sim_priv *p = sim->priv;
    if (p->ran)
        return irq_error_set(err, IRQ_EINPUT, NULL, "a simulation runs only once");
    p->ran = true;
    double t0 = wall_now();
    start_all(sim);
    sim->eng.lookahead = sim->eng.ntimers >= LOOKAHEAD_MIN_TIMERS;
    p->partial = run_events(sim, progress, ud) != 0 && !p->failed;
    /* a partial run, or one that failed on the way (an event limit, a
     * broken invariant), covers what was simulated: [0, now], not the
     * scenario's duration, which would age the undelivered interrupts and
     * stretch the vCPU states over time that never ran */
    p->end = p->partial || p->failed ? sim->eng.now : sim->sc->duration;
    for (size_t i = 0; i < p->nvcpus; i++) {
        irq__latency_flush(&p->vcpus[i]); /* handlers still in their first traps */
        irq__vcpu_account_end(&p->vcpus[i], p->end);
    }
    for (uint32_t i = 0; i < p->npcpus; i++)
        irq__pcpu_account_end(&p->pcpus[i], p->end);
    if (collect_undelivered(sim) != IRQ_OK)
        irq_sim_fail(sim, "out of memory counting undelivered interrupts");
    p->wall_seconds = wall_now() - t0;
    if (!p->failed && irq_sim_check_conservation(sim, err) != IRQ_OK)
        irq_sim_fail(sim, "%s", err->message);
    if (!p->failed && sim->ops->finish && sim->ops->finish(sim->model, err) != IRQ_OK)
        irq_sim_fail(sim, "%s", err->message);
    if (p->failed)
        return irq_error_set(err, IRQ_ESIM, NULL, "simulation failed: %s", p->fail_msg);
    return IRQ_OK;
}

int irq_sim_partial(const irq_sim *sim)
{
    return sim->priv->partial;
}

void irq_sim_set_memory_limit(irq_sim *sim, uint64_t bytes)
{
    sim->priv->mem_limit = bytes;
}

void irq_sim_set_event_limit(irq_sim *sim, uint64_t events)
{
    sim->priv->event_limit = events ? events : UINT64_MAX;
}

const char *irq_sim_failure(const irq_sim *sim)
{
    return sim->priv->failed ? sim->priv->fail_msg : NULL;
}

double irq_scenario_clock_hz(const irq_scenario *sc)
{
    return sc->clock_hz;
}

uint64_t irq_scenario_data_hash(const irq_scenario *sc)
{
    return sc->data_hash;
}

uint64_t irq_scenario_duration(const irq_scenario *sc)
{
    return sc->duration;
}

enum irq_format irq_scenario_output_format(const irq_scenario *sc)
{
    return (enum irq_format)sc->output.format;
}

const char *irq_scenario_output_dir(const irq_scenario *sc)
{
    return sc->output.dir;
}
