/* A simulation: set-up from a scenario, the run, interrupt accounting. */
#include <math.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "sim_priv_internal.h"

/* ---- accessors for models ---------------------------------------------- */

const irq_param_value *irq_sim_model_params(const struct irq_sim *sim)
{
    return sim->sc->model_params;
}
const irq_scenario *irq_sim_scenario(const struct irq_sim *sim)
{
    return sim->sc;
}
size_t irq_sim_nguests(const struct irq_sim *sim)
{
    return sim->priv->nguests;
}
irq_guest *irq_sim_guest(struct irq_sim *sim, size_t i)
{
    return &sim->priv->guests[i];
}

irq_guest *irq_sim_guest_of(struct irq_sim *sim, uint32_t tmpl, uint64_t instance)
{
    return &sim->priv->guests[sim->priv->tmpl_first[tmpl] + instance];
}
uint32_t irq_sim_ncpus(const struct irq_sim *sim)
{
    return sim->priv->npcpus;
}
irq_timer_id irq_sim_timer_new(struct irq_sim *sim, irq_event_fn fn, void *ctx, uint64_t arg)
{
    irq_timer_id t = irq_timer_new(&sim->eng, fn, ctx, arg);
    if (t == UINT32_MAX)
        irq_sim_fail(sim, "out of memory or timer ids (%u max)", IRQ_MAX_TIMERS);
    return t;
}
void irq_sim_timer_arm(struct irq_sim *sim, irq_timer_id t, uint64_t when)
{
    irq_timer_arm(&sim->eng, t, when);
}
void irq_sim_timer_cancel(struct irq_sim *sim, irq_timer_id t)
{
    irq_timer_cancel(&sim->eng, t);
}
bool irq_sim_timer_armed(const struct irq_sim *sim, irq_timer_id t)
{
    return irq_timer_armed(&sim->eng, t);
}
void irq_sim_rng(const struct irq_sim *sim, irq_rng *r, const char *stream, uint64_t index)
{
    irq_rng_seed(r, sim->sc->seed, stream, index);
}

void irq_sim_fail(struct irq_sim *sim, const char *fmt, ...)
{
    struct irq_sim_priv *p = sim->priv;
    if (p->failed)
        return; /* keep the first reason */
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(p->fail_msg, sizeof p->fail_msg, fmt, ap);
    va_end(ap);
    p->failed = true;
    p->stop = 1;
}

void irq_sim_set_tracer(struct irq_sim *sim, const irq_tracer *t)
{
    sim->priv->tracer = *t;
    sim->priv->tracing = true;
}

void irq_trace_event(struct irq_sim *sim, const char *what, const irq_guest *g, const irq_vcpu *v,
                     int cpu, const irq_trace_info *info)
{
    struct irq_sim_priv *p = sim->priv;
    if (p->tracing && p->tracer.instant)
        p->tracer.instant(p->tracer.ud, what, g, v, cpu, info, irq_now(sim));
}

void irq_trace_kick_reason(struct irq_sim *sim, const char *reason)
{
    sim->priv->kick_reason = reason;
}

void irq_trace_counter(struct irq_sim *sim, const char *name, const irq_guest *g, uint64_t value)
{
    struct irq_sim_priv *p = sim->priv;
    if (p->tracing && p->tracer.counter)
        p->tracer.counter(p->tracer.ud, name, g, value, irq_now(sim));
}

void irq_trace_instant(struct irq_sim *sim, const char *what, const irq_guest *g, const irq_vcpu *v,
                       int cpu)
{
    irq_trace_event(sim, what, g, v, cpu, NULL);
}

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

/* ---- interrupt accounting ---------------------------------------------- */

const char *const irq_guest_counter_names[IRQ_GC_N] = {
    [IRQ_GC_HALT_WAKEUP] = "halt_wakeup",
    [IRQ_GC_HALT_ATTEMPTED] = "halt_attempted_poll",
    [IRQ_GC_HALT_SUCCESSFUL] = "halt_successful_poll",
    [IRQ_GC_HALT_POLL_INVALID] = "halt_poll_invalid",
    [IRQ_GC_HALT_POLL_OK_NS] = "halt_poll_success_ns",
    [IRQ_GC_HALT_POLL_FAIL_NS] = "halt_poll_fail_ns",
    [IRQ_GC_HALT_SLEEP_AGAIN] = "halt_sleep_again",
    [IRQ_GC_IPI_EXITS] = "ipi_exits",
    [IRQ_GC_TRAPS] = "traps",
    [IRQ_GC_RAISED] = "raised",
    [IRQ_GC_BLOCKED] = "host_blocks",
    [IRQ_GC_TIMER_WAKEUPS] = "timer_wakeups",
};

static size_t class_index(const struct irq_sim_priv *p, uint32_t cls)
{
    size_t lo = 0, hi = p->ncls;
    while (lo < hi) {
        size_t mid = (lo + hi) / 2;
        if (p->cls_values[mid] < cls)
            lo = mid + 1;
        else
            hi = mid;
    }
    return lo;
}

static void hist_add(struct irq_sim *sim, irq_hist *h, uint64_t v)
{
    if (irq_hist_add(h, v) != 0)
        irq_sim_fail(sim, "out of memory recording a latency");
}

void irq_model_hist_add(struct irq_sim *sim, unsigned hist, uint64_t cycles)
{
    if (hist >= sim->ops->nhists || hist >= IRQ_MODEL_HISTS_MAX) {
        irq_sim_fail(sim, "model %s recorded distribution %u of %zu", sim->ops->name, hist,
                     sim->ops->nhists);
        return;
    }
    hist_add(sim, &sim->priv->mhists[hist], cycles);
}

/* A class no source names (an interrupt a model raised) gets its latency
 * row when first delivered: the arrays grow by one, kept sorted. */
static int add_class(struct irq_sim *sim, size_t at, uint32_t cls)
{
    struct irq_sim_priv *p = sim->priv;
    uint32_t *values = realloc(p->cls_values, (p->ncls + 1) * sizeof *values);
    if (values)
        p->cls_values = values;
    irq_hist *hists = values ? realloc(p->cls_hist, (p->ncls + 1) * sizeof *hists) : NULL;
    if (!hists) {
        irq_sim_fail(sim, "out of memory for interrupt class %u", cls);
        return IRQ_ENOMEM;
    }
    p->cls_hist = hists;
    memmove(&values[at + 1], &values[at], (p->ncls - at) * sizeof *values);
    memmove(&hists[at + 1], &hists[at], (p->ncls - at) * sizeof *hists);
    values[at] = cls;
    irq_hist_init(&hists[at]);
    p->ncls++;
    return IRQ_OK;
}

void irq_latency_record(irq_guest *g, uint32_t cls, uint64_t arrival, int coalesced)
{
    struct irq_sim *sim = g->sim;
    struct irq_sim_priv *p = sim->priv;
    uint64_t lat = irq_now(sim) - arrival;
    hist_add(sim, &g->latency, lat);
    hist_add(sim, &p->total_latency, lat);
    size_t ci = class_index(p, cls);
    if ((ci < p->ncls && p->cls_values[ci] == cls) || add_class(sim, ci, cls) == IRQ_OK)
        hist_add(sim, &p->cls_hist[ci], lat);
    if (p->sink)
        p->sink(p->sink_ud, g->name, cls, arrival, lat, coalesced);
}

/* Where one interrupt's latency went, from the vCPU's last path back to
 * the guest: waiting for the host to act (until the thread was woken or
 * queued), for a CPU, for the thread to leave its halt, and the delivery
 * itself (everything after). Each boundary before the arrival counts as the
 * arrival; one not reached yet as now. */
static void latency_parts(irq_vcpu *v, uint64_t arrival)
{
    struct irq_sim *sim = v->sim;
    uint64_t now = irq_now(sim), prev = arrival;
    for (int i = 0; i < 3; i++) {
        uint64_t b = v->lb[i] < arrival ? arrival : v->lb[i] > now ? now : v->lb[i];
        if (b < prev)
            b = prev;
        hist_add(sim, &sim->priv->lat_part[i], b - prev);
        prev = b;
    }
    hist_add(sim, &sim->priv->lat_part[3], now - prev);
}

/* An arrival's latency runs to the start of its handler: after the traps
 * by which the guest takes it (pre_is_ack: an ACK hypercall), so a
 * delivery with such a plan keeps its arrivals until the body starts. */
struct irq_lat_defer {
    uint64_t arrival;
    uint32_t cls;
    int coalesced;
};

static void record_latency(irq_vcpu *v, uint32_t cls, uint64_t arrival, int coalesced)
{
    if (v->ld_on) {
        if (v->nld == v->ldcap) {
            uint32_t cap = v->ldcap ? v->ldcap * 2 : 4;
            struct irq_lat_defer *ld = cap > v->ldcap ? realloc(v->ld, cap * sizeof *ld) : NULL;
            if (!ld) {
                irq_sim_fail(v->sim, "out of memory holding latencies until a handler starts");
                return;
            }
            v->ld = ld;
            v->ldcap = cap;
        }
        v->ld[v->nld++] = (struct irq_lat_defer){arrival, cls, coalesced};
        return;
    }
    irq_latency_record(v->guest, cls, arrival, coalesced);
    latency_parts(v, arrival);
}

void irq__latency_flush(irq_vcpu *v)
{
    for (uint32_t i = 0; i < v->nld; i++) {
        irq_latency_record(v->guest, v->ld[i].cls, v->ld[i].arrival, v->ld[i].coalesced);
        latency_parts(v, v->ld[i].arrival);
    }
    v->nld = 0;
}

static bool defers(const irq_handler_plan *plan)
{
    return plan && plan->npre > 0 && plan->pre_is_ack;
}

/* Traces a delivery (what: "deliver", or "coalesced" for an arrival
 * delivered with another), with its latency and path. */
static void trace_delivery(irq_vcpu *v, const char *what, uint32_t cls, uint64_t arrival,
                           const char *path)
{
    if (!v->sim->priv->tracing)
        return;
    irq_trace_info info = IRQ_TRACE_INFO_INIT;
    info.cls = (int32_t)cls;
    info.arrival = arrival;
    info.latency = (int64_t)(irq_now(v->sim) - arrival);
    info.path = path;
    irq_trace_event(v->sim, what, v->guest, v, -1, &info);
}

/* Every delivery, whatever the model: counted, traced, handler started. */
static void deliver(irq_vcpu *v, uint32_t cls, uint64_t arrival, const char *path)
{
    v->guest->delivered++;
    trace_delivery(v, "deliver", cls, arrival, path);
    record_latency(v, cls, arrival, 0);
}

static const char *fmt_bytes(char *buf, size_t len, uint64_t b)
{
    static const char *const unit[] = {"bytes", "KiB", "MiB", "GiB", "TiB", "PiB", "EiB"};
    double x = (double)b;
    int u = 0;
    while (x >= 1024 && u < 6)
        x /= 1024, u++;
    snprintf(buf, len, u ? "%.3g %s" : "%.0f %s", x, unit[u]);
    return buf;
}

/* Charges bytes more of held interrupts or queued host work to the run's
 * memory budget; on refusal the run fails naming the limit and the option
 * that raises it. */
int irq_sim_charge(struct irq_sim *sim, uint64_t bytes, const char *what)
{
    struct irq_sim_priv *p = sim->priv;
    if (bytes <= p->mem_limit && p->held_bytes <= p->mem_limit - bytes) {
        p->held_bytes += bytes;
        return 0;
    }
    char lim[32], held[32];
    irq_sim_fail(sim,
                 "memory limit of %s reached holding %s (%s held; --max-memory or "
                 "limits.max_memory raises it)",
                 fmt_bytes(lim, sizeof lim, p->mem_limit), what,
                 fmt_bytes(held, sizeof held, p->held_bytes));
    return -1;
}

/* The next capacity of a doubling array: first when empty, else twice cap,
 * as long as that many elem-byte items fit in a uint32_t count and a
 * size_t byte size; 0 when they do not. */
static uint32_t next_cap(uint32_t cap, uint32_t first, size_t elem)
{
    uint64_t n = cap ? (uint64_t)cap * 2 : first;
    if (n > UINT32_MAX || n > SIZE_MAX / elem)
        return 0;
    return (uint32_t)n;
}

bool irq_pend_add(irq_guest *g, irq_pend *pd, uint64_t arrival)
{
    if (pd->n == 0) {
        pd->first = arrival;
        pd->n = 1;
        g->pending++;
        return true;
    }
    if (pd->n - 1 == pd->cap) {
        uint32_t cap = next_cap(pd->cap, 4, sizeof *pd->more);
        uint64_t *more = NULL;
        if (cap == 0)
            irq_sim_fail(g->sim,
                         "a latch of guest %s holds %u coalesced interrupts, the most "
                         "it can count",
                         g->name, pd->n);
        else if (irq_sim_charge(g->sim, (uint64_t)(cap - pd->cap) * sizeof *more,
                                "coalesced interrupts") == 0 &&
                 !(more = realloc(pd->more, (size_t)cap * sizeof *more)))
            irq_sim_fail(g->sim, "out of memory holding coalesced interrupts");
        if (!more) {
            g->dropped++;
            return false;
        }
        pd->more = more;
        pd->cap = cap;
    }
    pd->more[pd->n - 1] = arrival;
    pd->n++;
    g->coalesced++;
    return false;
}

void irq_pend_deliver(irq_vcpu *v, irq_pend *pd, uint32_t cls)
{
    irq_pend_deliver_plan(v, pd, cls, NULL);
}

void irq_pend_deliver_plan(irq_vcpu *v, irq_pend *pd, uint32_t cls, const irq_handler_plan *plan)
{
    irq_guest *g = v->guest;
    if (pd->n == 0)
        return;
    g->pending--;
    v->ld_on = defers(plan);
    deliver(v, cls, pd->first, "latch");
    for (uint32_t i = 0; i + 1 < pd->n; i++) {
        trace_delivery(v, "coalesced", cls, pd->more[i], "latch");
        record_latency(v, cls, pd->more[i], 1);
    }
    v->ld_on = false;
    pd->n = 0;
    irq_vcpu_start_handler_plan(v, plan);
}

void irq_pend_drop(irq_guest *g, irq_pend *pd, int counter)
{
    if (pd->n == 0)
        return;
    g->pending--;
    g->dropped++;
    if (counter >= 0)
        g->mcount[counter]++;
    pd->n = 0;
}

void irq_pend_free(irq_pend *pd)
{
    free(pd->more);
    *pd = (irq_pend){0};
}

void irq_pend_walk(irq_guest *g, const irq_pend *pd, uint32_t cls,
                   void (*visit)(void *ud, irq_guest *g, uint32_t cls, uint64_t arrival), void *ud)
{
    if (pd->n == 0)
        return;
    visit(ud, g, cls, pd->first);
    for (uint32_t i = 0; i + 1 < pd->n; i++)
        visit(ud, g, cls, pd->more[i]);
}

void irq_fifo_walk(irq_guest *g, const irq_fifo *q, uint32_t cls,
                   void (*visit)(void *ud, irq_guest *g, uint32_t cls, uint64_t arrival), void *ud)
{
    for (uint32_t i = 0; i < q->len; i++)
        visit(ud, g, cls, q->t[(q->head + i) % q->cap]);
}

int irq_ring_grow(void **buf, uint32_t *cap, uint32_t *head, uint32_t len, size_t elem,
                  uint32_t first_cap)
{
    uint32_t ncap = next_cap(*cap, first_cap, elem);
    char *to = ncap ? malloc((size_t)ncap * elem) : NULL;
    if (!to)
        return -1;
    const char *from = *buf;
    uint32_t first = len < *cap - *head ? len : *cap - *head; /* up to the end */
    if (len > 0) {
        memcpy(to, from + (size_t)*head * elem, (size_t)first * elem);
        memcpy(to + (size_t)first * elem, from, (size_t)(len - first) * elem);
    }
    free(*buf);
    *buf = to;
    *cap = ncap;
    *head = 0;
    return 0;
}

int irq_sim_ring_grow(struct irq_sim *sim, const char *what, void **buf, uint32_t *cap,
                      uint32_t *head, uint32_t len, size_t elem, uint32_t first_cap)
{
    uint32_t ncap = next_cap(*cap, first_cap, elem);
    if (ncap == 0) {
        irq_sim_fail(sim, "more than %u %s held at once, the most a queue can count", *cap, what);
        return -1;
    }
    if (irq_sim_charge(sim, (uint64_t)(ncap - *cap) * elem, what) != 0)
        return -1;
    if (irq_ring_grow(buf, cap, head, len, elem, first_cap) != 0) {
        irq_sim_fail(sim, "out of memory holding %s", what);
        return -1;
    }
    return 0;
}

bool irq_fifo_add(irq_guest *g, irq_fifo *q, uint64_t arrival, uint32_t max, int counter)
{
    if (q->len >= max) {
        g->dropped++;
        if (counter >= 0)
            g->mcount[counter]++;
        return false;
    }
    if (q->len == q->cap && irq_sim_ring_grow(g->sim, "pending interrupts", (void **)&q->t, &q->cap,
                                              &q->head, q->len, sizeof *q->t, 8) != 0) {
        g->dropped++;
        return false;
    }
    q->t[(q->head + q->len) % q->cap] = arrival;
    q->len++;
    g->pending++;
    return true;
}

void irq_fifo_deliver(irq_vcpu *v, irq_fifo *q, uint32_t cls)
{
    if (q->len == 0)
        return;
    uint64_t arrival = q->t[q->head];
    q->head = (q->head + 1) % q->cap;
    q->len--;
    v->guest->pending--;
    deliver(v, cls, arrival, "fifo");
    irq_vcpu_start_handler(v);
}

void irq_fifo_free(irq_fifo *q)
{
    free(q->t);
    *q = (irq_fifo){0};
}

void irq_deliver_now(irq_vcpu *v, uint64_t arrival, uint32_t cls)
{
    irq_deliver_now_plan(v, arrival, cls, NULL);
}

void irq_deliver_now_plan(irq_vcpu *v, uint64_t arrival, uint32_t cls, const irq_handler_plan *plan)
{
    v->ld_on = defers(plan);
    deliver(v, cls, arrival, "direct");
    v->ld_on = false;
    irq_vcpu_start_handler_plan(v, plan);
}

void irq_raise_intr(irq_intr *in)
{
    irq_guest *g = in->guest;
    struct irq_sim *sim = g->sim;
    in->arrival = irq_now(sim);
    g->injected++;
    if (in->source == UINT32_MAX)
        g->core[IRQ_GC_RAISED]++;
    if (sim->priv->tracing) {
        irq_trace_info info = IRQ_TRACE_INFO_INIT;
        info.cls = (int32_t)in->cls;
        info.source = in->source == UINT32_MAX ? -1 : (int32_t)in->source;
        info.injection = in->injection;
        irq_trace_event(sim, "arrival", g, in->vcpu, -1, &info);
    }
    sim->ops->inject(sim->model, in);
}

void irq_raise(irq_guest *g, irq_vcpu *vcpu, uint32_t cls, uint8_t injection, uint32_t source)
{
    irq_intr in = {.guest = g, .vcpu = vcpu, .cls = cls, .injection = injection, .source = source};
    irq_raise_intr(&in);
}

/* ---- set-up ------------------------------------------------------------ */

static void guest_name(char *buf, size_t len, const irq_guest_tmpl *t, uint32_t i)
{
    if (t->count == 1)
        snprintf(buf, len, "%s", t->name);
    else
        snprintf(buf, len, "%s-%u", t->name, i);
}

static const irq_param_value *vcpu_params_for(const irq_guest_tmpl *t, uint32_t index)
{
    for (size_t i = 0; i < t->noverrides; i++)
        if (t->overrides[i].index == index)
            return t->overrides[i].params;
    return t->vcpu_params;
}

static int alloc_machine(struct irq_sim *sim, irq_error *err)
{
    struct irq_sim_priv *p = sim->priv;
    const irq_scenario *sc = sim->sc;
    p->nguests = sc->total_guests;
    p->nvcpus = sc->total_vcpus;
    p->npcpus = (uint32_t)sc->host[IRQ_HOST_CPUS].i;
    size_t nc = sim->ops->ncounters;
    p->guests = calloc(p->nguests, sizeof *p->guests);
    p->vcpus = calloc(p->nvcpus, sizeof *p->vcpus);
    p->pcpus = calloc(p->npcpus, sizeof *p->pcpus);
    p->mcounts = calloc(p->nguests * nc + 1, sizeof *p->mcounts);
    p->tmpl_first = calloc(sc->ntmpls + 1, sizeof *p->tmpl_first);
    p->guest_state = calloc(p->nguests + 1, sim->ops->guest_state_size + 1);
    p->vcpu_state = calloc(p->nvcpus + 1, sim->ops->vcpu_state_size + 1);
    size_t ntasks = 0;
    for (size_t t = 0; t < sc->ntmpls; t++)
        if (sc->tmpls[t].tasks >= 1)
            ntasks += (size_t)sc->tmpls[t].count * sc->tmpls[t].vcpus * sc->tmpls[t].tasks;
    p->tasks = calloc(ntasks + 1, sizeof *p->tasks);
    if (!p->guests || !p->vcpus || !p->pcpus || !p->mcounts || !p->tmpl_first || !p->guest_state ||
        !p->vcpu_state || !p->tasks)
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
    irq_vcpu_init_timers(sim, v);
}

static void build_guests(struct irq_sim *sim)
{
    struct irq_sim_priv *p = sim->priv;
    const irq_scenario *sc = sim->sc;
    size_t gi = 0, vi = 0, nc = sim->ops->ncounters;
    for (uint32_t ti = 0; ti < sc->ntmpls; ti++) {
        const irq_guest_tmpl *t = &sc->tmpls[ti];
        p->tmpl_first[ti] = gi;
        for (uint32_t k = 0; k < t->count; k++, gi++) {
            irq_guest *g = &p->guests[gi];
            g->sim = sim;
            g->index = (uint32_t)gi;
            g->tmpl = ti;
            guest_name(g->name, sizeof g->name, t, k);
            g->params = t->model_params;
            if (sim->ops->guest_state_size)
                g->model_data = (char *)p->guest_state + gi * sim->ops->guest_state_size;
            g->mcount = &p->mcounts[gi * nc];
            g->vcpus = &p->vcpus[vi];
            g->nvcpus = t->vcpus;
            irq_hist_init_compact(&g->latency); /* fixed size: there are thousands */
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
        rc = irq_sources_create(sim, err);
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
        free(p->mcounts);
        free(p->tmpl_first);
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
    size_t ci = class_index(p, cls);
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
        irq_vcpu_start(&p->vcpus[i]);
    irq_sources_start(sim);
}

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
    p->partial = run_events(sim, progress, ud) != 0 && !p->failed;
    /* a partial run covers what was simulated: [0, now] */
    p->end = p->partial ? sim->eng.now : sim->sc->duration;
    for (size_t i = 0; i < p->nvcpus; i++) {
        irq__latency_flush(&p->vcpus[i]); /* handlers still in their first traps */
        irq_vcpu_account_end(&p->vcpus[i], p->end);
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
