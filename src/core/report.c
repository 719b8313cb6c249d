/* Run reports: a readable summary, one JSON object, or a per-guest CSV.
 * Everything printed is derived from counters and histograms; nothing here
 * depends on wall-clock time except the `wall_seconds` field, so two runs of
 * the same scenario and seed print identical reports otherwise. The figures
 * come from result.c, which the public result API reads too: this file only
 * formats them. */
#include <inttypes.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "report_internal.h"
#include "result_internal.h"

typedef unsigned long long ull;

typedef irq__sums sums;
typedef irq_latency lat;

/* The summary of latency i of a scope item (see irq__latency_hist). */
static lat latency_in(const struct irq_sim *sim, irq_scope scope, size_t index, size_t i)
{
    irq_hist tmp;
    lat l = {0};
    const irq_hist *h = irq__latency_hist(sim, scope, index, i, &tmp);
    if (h)
        irq__latency_of(sim, h, &l);
    irq_hist_free(&tmp);
    return l;
}

/* ---- parameter values as text ------------------------------------------ */

/* [3, 5], or the names of the set flags when the bits have names. */
static void bits_text(uint64_t mask, const char *const *names, char *buf, size_t len)
{
    size_t n = (size_t)snprintf(buf, len, "[");
    for (int b = 0; b < 64 && n < len; b++) {
        if (!(mask & (1ull << b)))
            continue;
        if (names)
            n += (size_t)snprintf(buf + n, len - n, "%s%s", n > 1 ? ", " : "", names[b]);
        else
            n += (size_t)snprintf(buf + n, len - n, "%s%d", n > 1 ? ", " : "", b);
    }
    if (n < len)
        snprintf(buf + n, len - n, "]");
}

static void value_text(const struct irq_sim *sim, const irq_param_desc *d, const irq_param_value *v,
                       char *buf, size_t len)
{
    switch (d->type) {
    case IRQ_PARAM_INT:
        snprintf(buf, len, "%" PRId64, v->i);
        break;
    case IRQ_PARAM_DOUBLE:
        snprintf(buf, len, "%g", v->d);
        break;
    case IRQ_PARAM_BOOL:
        snprintf(buf, len, "%s", v->i ? "true" : "false");
        break;
    case IRQ_PARAM_DURATION:
        snprintf(buf, len, "%gns", irq__to_ns(sim, v->d));
        break;
    case IRQ_PARAM_ENUM:
        snprintf(buf, len, "%s", d->choices[v->i]);
        break;
    case IRQ_PARAM_DIST:
        irq_dist_describe(&v->dist, buf, len);
        break;
    case IRQ_PARAM_BITS:
        bits_text(v->u, d->choices, buf, len);
        break;
    case IRQ_PARAM_STRING:
        snprintf(buf, len, "%s", v->str ? v->str : "");
        break;
    }
}

/* ---- JSON -------------------------------------------------------------- */

void irq__json_str(FILE *f, const char *s)
{
    fputc('"', f);
    for (; *s; s++) {
        unsigned char c = (unsigned char)*s;
        if (c == '"' || c == '\\')
            fprintf(f, "\\%c", c);
        else if (c < 0x20)
            fprintf(f, "\\u%04x", c);
        else
            fputc(c, f);
    }
    fputc('"', f);
}

static void json_num(FILE *f, double x)
{
    if (!isfinite(x))
        fputs("null", f);
    else
        fprintf(f, "%.10g", x);
}

static void json_latency(FILE *f, const lat *l);

/* The model's own distributions, when it has any. */
static void json_model_hists(FILE *f, const struct irq_sim *sim)
{
    size_t n = sim->ops->nhists < IRQ_MODEL_HISTS_MAX ? sim->ops->nhists : IRQ_MODEL_HISTS_MAX;
    if (n == 0)
        return;
    fprintf(f, ", \"model_distributions_ns\": {");
    for (size_t i = 0; i < n; i++) {
        fprintf(f, "%s", i ? ", " : "");
        irq__json_str(f, sim->ops->hists[i].name);
        fprintf(f, ": ");
        lat l;
        irq__latency_of(sim, &sim->priv->mhists[i], &l);
        json_latency(f, &l);
    }
    fputc('}', f);
}

static void json_latency(FILE *f, const lat *l)
{
    fprintf(f, "{\"count\": %llu, \"mean\": ", (ull)l->count);
    json_num(f, l->mean);
    const double v[] = {l->p50, l->p90, l->p99, l->p999, l->max};
    const char *k[] = {"p50", "p90", "p99", "p999", "max"};
    for (int i = 0; i < 5; i++) {
        fprintf(f, ", \"%s\": ", k[i]);
        json_num(f, v[i]);
    }
    fputc('}', f);
}

/* The counters of a scope, as "name": value pairs each followed by ", ". */
static void json_counters(FILE *f, const struct irq_sim *sim, irq_scope scope, const sums *s)
{
    size_t n = irq__ncounters(sim, scope);
    for (size_t i = 0; i < n; i++) {
        irq__cval v = irq__counter_value(sim, scope, s, i);
        fprintf(f, "\"%s\": ", irq__counter_name(sim, scope, i));
        if (v.exact)
            fprintf(f, "%llu", (ull)v.u);
        else
            json_num(f, v.d);
        fprintf(f, ", ");
    }
}

static void json_state_share(FILE *f, const struct irq_sim *sim, size_t vfrom, size_t vto)
{
    double time[IRQ_VCPU_NSTATES], share[IRQ_VCPU_NSTATES];
    irq__state_time(sim, vfrom, vto, time, share);
    fputc('{', f);
    for (int st = 0; st < IRQ_VCPU_NSTATES; st++) {
        fprintf(f, "%s\"%s\": ", st ? ", " : "", irq_vcpu_state_names[st]);
        json_num(f, share[st]);
    }
    fputc('}', f);
}

static void json_params(FILE *f, const struct irq_sim *sim)
{
    const irq_model_ops *ops = sim->ops;
    char buf[256];
    fprintf(f, "{\"name\": ");
    irq__json_str(f, ops->name);
    for (size_t i = 0; i < ops->nparams; i++) {
        value_text(sim, &ops->params[i], &sim->sc->model_params[i], buf, sizeof buf);
        fprintf(f, ", \"%s\": ", ops->params[i].name);
        irq__json_str(f, buf);
    }
    fputc('}', f);
}

/* Parameters the run used whose value no public source gives: listed
 * whether the scenario wrote them or not (a written value is a choice, not
 * a source). */
static void json_assumptions(FILE *f, const struct irq_sim *sim)
{
    char name[160];
    fputc('[', f);
    for (size_t i = 0; irq__assumption(sim, i, name, sizeof name); i++)
        fprintf(f, "%s\"%s\"", i ? ", " : "", name);
    fputc(']', f);
}

static void json_groups(FILE *f, const struct irq_sim *sim, sums *s)
{
    fputc('[', f);
    for (uint32_t t = 0; t < sim->sc->ntmpls; t++) {
        size_t g0, g1, v0, v1;
        irq__tmpl_range(sim, t, &g0, &g1, &v0, &v1);
        irq__sum_scope(sim, IRQ_SCOPE_GROUP, t, s);
        fprintf(f, "%s{\"template\": ", t ? ", " : "");
        irq__json_str(f, sim->sc->tmpls[t].name);
        fprintf(f, ", \"guests\": %zu, \"vcpus\": %zu, ", g1 - g0, v1 - v0);
        json_counters(f, sim, IRQ_SCOPE_GROUP, s);
        fprintf(f, "\"state_share\": ");
        json_state_share(f, sim, v0, v1);
        fprintf(f, ", \"latency_ns\": ");
        lat l = latency_in(sim, IRQ_SCOPE_GROUP, t, 0);
        json_latency(f, &l);
        fputc('}', f);
    }
    fputc(']', f);
}

static void json_by_class(FILE *f, const struct irq_sim *sim)
{
    const struct irq_sim_priv *p = sim->priv;
    fputc('{', f);
    for (size_t i = 0; i < p->ncls; i++) {
        lat l = latency_in(sim, IRQ_SCOPE_CLASS, i, 0);
        fprintf(f, "%s\"%u\": ", i ? ", " : "", p->cls_values[i]);
        json_latency(f, &l);
    }
    fputc('}', f);
}

static void json_undelivered_by_class(FILE *f, const struct irq_sim *sim, sums *s)
{
    const struct irq_sim_priv *p = sim->priv;
    fputc('{', f);
    for (size_t i = 0; i < p->ncls; i++) {
        irq__sum_scope(sim, IRQ_SCOPE_CLASS, i, s);
        fprintf(f, "%s\"%u\": {", i ? ", " : "", p->cls_values[i]);
        size_t n = irq__ncounters(sim, IRQ_SCOPE_CLASS);
        for (size_t k = 0; k < n; k++) {
            irq__cval v = irq__counter_value(sim, IRQ_SCOPE_CLASS, s, k);
            fprintf(f, "%s\"%s\": ", k ? ", " : "", irq__counter_name(sim, IRQ_SCOPE_CLASS, k));
            if (v.exact)
                fprintf(f, "%llu", (ull)v.u);
            else
                json_num(f, v.d);
        }
        fputc('}', f);
    }
    fputc('}', f);
}

/* The breakdown's parts are the total's latencies 2 to 5. */
static void json_breakdown(FILE *f, const struct irq_sim *sim)
{
    fputc('{', f);
    for (size_t i = 0; i < 4; i++) {
        lat l = latency_in(sim, IRQ_SCOPE_TOTAL, 0, 2 + i);
        fprintf(f, "%s\"%s\": {\"mean\": ", i ? ", " : "", irq__latency_part_names[i]);
        json_num(f, l.mean);
        fprintf(f, ", \"p99\": ");
        json_num(f, l.p99);
        fputc('}', f);
    }
    fputc('}', f);
}

static void json_cpu_use_one(FILE *f, const struct irq_sim *sim, int cpu)
{
    double time[IRQ_USE_N], sh[IRQ_USE_N];
    irq__cpu_use(sim, cpu, time, sh);
    fputc('{', f);
    for (int u = 0; u < IRQ_USE_N; u++) {
        fprintf(f, "%s\"%s\": ", u ? ", " : "", irq__cpu_use_names[u]);
        json_num(f, sh[u]);
    }
    fputc('}', f);
}

static void json_cpu_use(FILE *f, const struct irq_sim *sim)
{
    fprintf(f, "{\"total\": ");
    json_cpu_use_one(f, sim, -1);
    fprintf(f, ", \"per_cpu\": [");
    for (uint32_t c = 0; c < sim->priv->npcpus; c++) {
        if (c)
            fprintf(f, ", ");
        json_cpu_use_one(f, sim, (int)c);
    }
    fprintf(f, "]}");
}

static void write_json(const struct irq_sim *sim, FILE *f, sums *s)
{
    const struct irq_sim_priv *p = sim->priv;
    const irq_scenario *sc = sim->sc;
    fprintf(f, "{\"schema_version\": 2, \"scenario\": ");
    irq__json_str(f, sc->name);
    fprintf(f, ", \"status\": ");
    irq__json_str(f, p->failed ? "failed" : "ok");
    if (p->failed) {
        fprintf(f, ", \"error\": ");
        irq__json_str(f, p->fail_msg);
    }
    if (p->partial) /* stopped on request: the figures cover sim_seconds only */
        fprintf(f, ", \"partial\": true");
    fprintf(f, ", \"model\": ");
    irq__json_str(f, sim->ops->name);
    fprintf(f, ", \"params\": ");
    json_params(f, sim);
    fprintf(f, ", \"seed\": %llu, \"clock_hz\": ", (ull)sc->seed);
    json_num(f, sc->clock_hz);
    fprintf(f, ", \"sim_cycles\": %llu, \"sim_seconds\": ", (ull)p->end);
    json_num(f, (double)p->end / sc->clock_hz);
    fprintf(f, ", \"events\": %llu, \"wall_seconds\": ", (ull)sim->eng.events);
    json_num(f, p->wall_seconds);
    fprintf(f, ", \"host_cpus\": %u, \"host_sched\": ", p->npcpus);
    irq__json_str(f, irq_host_params[IRQ_HOST_SCHED].choices[sc->host[IRQ_HOST_SCHED].i]);
    fprintf(f, ", \"host_affinity\": ");
    irq__json_str(f, irq_host_params[IRQ_HOST_AFFINITY].choices[sc->host[IRQ_HOST_AFFINITY].i]);
    fprintf(f, ", \"assumptions\": ");
    json_assumptions(f, sim);
    irq__sum_scope(sim, IRQ_SCOPE_TOTAL, 0, s);
    fprintf(f, ", \"totals\": {");
    json_counters(f, sim, IRQ_SCOPE_TOTAL, s);
    fprintf(f, "\"latency_ns\": ");
    lat l = latency_in(sim, IRQ_SCOPE_TOTAL, 0, 0);
    json_latency(f, &l);
    fprintf(f, ", \"latency_by_class_ns\": ");
    json_by_class(f, sim);
    fprintf(f, ", \"undelivered_by_class\": ");
    json_undelivered_by_class(f, sim, s);
    fprintf(f, ", \"latency_censored_ns\": ");
    l = latency_in(sim, IRQ_SCOPE_TOTAL, 0, 1);
    json_latency(f, &l);
    fprintf(f, ", \"latency_breakdown_ns\": ");
    json_breakdown(f, sim);
    json_model_hists(f, sim);
    fprintf(f, ", \"host_cpu_use\": ");
    json_cpu_use(f, sim);
    fprintf(f, ", \"state_share\": ");
    json_state_share(f, sim, 0, p->nvcpus);
    fprintf(f, "}, \"groups\": ");
    json_groups(f, sim, s);
    fprintf(f, ", \"guests\": [");
    for (size_t i = 0; i < p->nguests; i++) {
        irq__sum_scope(sim, IRQ_SCOPE_GUEST, i, s);
        fprintf(f, "%s{\"name\": ", i ? ", " : "");
        irq__json_str(f, p->guests[i].name);
        fprintf(f, ", ");
        json_counters(f, sim, IRQ_SCOPE_GUEST, s);
        fprintf(f, "\"latency_ns\": ");
        l = latency_in(sim, IRQ_SCOPE_GUEST, i, 0);
        json_latency(f, &l);
        fputc('}', f);
    }
    fprintf(f, "]}\n");
}

/* ---- CSV: one line per guest -------------------------------------------- */

static void write_csv(const struct irq_sim *sim, FILE *f, sums *s)
{
    const struct irq_sim_priv *p = sim->priv;
    fprintf(f, "guest");
    for (int k = 0; k < IRQ__NCORE; k++)
        fprintf(f, ",%s", irq__core_counter_names[k]);
    for (size_t c = 0; c < sim->ops->ncounters; c++)
        fprintf(f, ",%s", sim->ops->counters[c].name);
    fprintf(f, ",latency_count,latency_mean_ns,latency_p50_ns,latency_p90_ns,latency_p99_ns,"
               "latency_p999_ns,latency_max_ns\n");
    for (size_t i = 0; i < p->nguests; i++) {
        irq__sum_scope(sim, IRQ_SCOPE_GUEST, i, s);
        fprintf(f, "%s", p->guests[i].name);
        for (int k = 0; k < IRQ__NCORE; k++)
            fprintf(f, ",%llu", (ull)s->core[k]);
        for (size_t c = 0; c < sim->ops->ncounters; c++)
            fprintf(f, ",%llu", (ull)s->model[c]);
        lat l = latency_in(sim, IRQ_SCOPE_GUEST, i, 0);
        fprintf(f, ",%llu,%.10g,%.10g,%.10g,%.10g,%.10g,%.10g\n", (ull)l.count, l.mean, l.p50,
                l.p90, l.p99, l.p999, l.max);
    }
}

/* ---- text summary ------------------------------------------------------- */

static void text_latency_row(FILE *f, const char *label, const lat *l)
{
    if (l->count == 0) { /* nothing delivered: no figure to show */
        fprintf(f, "  %-14s %10llu %10s %10s %10s %10s %10s %10s\n", label, 0ull, "-", "-", "-",
                "-", "-", "-");
        return;
    }
    fprintf(f, "  %-14s %10llu %10.0f %10.0f %10.0f %10.0f %10.0f %10.0f\n", label, (ull)l->count,
            l->mean, l->p50, l->p90, l->p99, l->p999, l->max);
}

static void text_header(const struct irq_sim *sim, FILE *f)
{
    const struct irq_sim_priv *p = sim->priv;
    const irq_scenario *sc = sim->sc;
    char buf[256];
    char name[256];
    fprintf(f, "scenario  %s  (model %s", irq_escape(sc->name, name, sizeof name), sim->ops->name);
    for (size_t i = 0; i < sim->ops->nparams; i++)
        if (sim->ops->params[i].type == IRQ_PARAM_ENUM) {
            value_text(sim, &sim->ops->params[i], &sc->model_params[i], buf, sizeof buf);
            fprintf(f, ", %s=%s", sim->ops->params[i].name, buf);
        }
    fprintf(f, ", seed %llu)\n", (ull)sc->seed);
    double ev = (double)sim->eng.events;
    fprintf(f, "simulated %.6g s in %.3g s wall: %.4g M events, %.3g M events/s\n",
            (double)p->end / sc->clock_hz, p->wall_seconds, ev / 1e6,
            p->wall_seconds > 0 ? ev / p->wall_seconds / 1e6 : 0.0);
    if (p->partial)
        fprintf(f, "PARTIAL   stopped after %.6g of %.6g s: the figures cover that time only\n",
                (double)p->end / sc->clock_hz, (double)sc->duration / sc->clock_hz);
    int sched = (int)sc->host[IRQ_HOST_SCHED].i, aff = (int)sc->host[IRQ_HOST_AFFINITY].i;
    fprintf(f, "machine   %zu guests, %zu vCPUs, %u host CPUs, host scheduler %s, %s threads%s\n\n",
            p->nguests, p->nvcpus, p->npcpus, irq_host_params[IRQ_HOST_SCHED].choices[sched],
            irq_host_params[IRQ_HOST_AFFINITY].choices[aff],
            sched == IRQ_SCHED_FIFO ? " (FIFO run queues, no wake-up preemption or load "
                                      "balancing: a pessimistic bound)"
                                    : "");
}

static const char *const group_titles[IRQ_CG_N] = {
    [IRQ_CG_ALERTS_KICKS] = "alerts and kicks",
    [IRQ_CG_TRAPS_EXITS] = "traps and exits",
    [IRQ_CG_DELIVERY] = "delivery",
    [IRQ_CG_FAULTS] = "faults",
    [IRQ_CG_OTHER] = "model counters",
};

static int group_of(const irq_counter_desc *c)
{
    if (c->group != IRQ_CG_DEFAULT && c->group < IRQ_CG_N)
        return c->group;
    return c->headline ? IRQ_CG_ALERTS_KICKS : IRQ_CG_OTHER;
}

/* The model's counters of one group, under its heading; a counter in
 * cycles also shows its time. */
static void text_group(const struct irq_sim *sim, FILE *f, const sums *s, int group)
{
    const irq_model_ops *ops = sim->ops;
    int shown = 0;
    for (size_t c = 0; c < ops->ncounters; c++) {
        const irq_counter_desc *d = &ops->counters[c];
        if (group_of(d) != group)
            continue;
        if (!shown++)
            fprintf(f, "%s%s (%s)\n", group == IRQ_CG_ALERTS_KICKS ? "" : "\n", group_titles[group],
                    ops->name);
        /* a long name takes room from the value's column, keeping it aligned */
        int over = (int)strlen(d->name) - 22, w = over > 0 ? (over < 13 ? 14 - over : 1) : 14;
        fprintf(f, "  %-22s %*llu   %s", d->name, w, (ull)s->model[c], d->help);
        if (d->unit && !strcmp(d->unit, "cycles"))
            fprintf(f, " (%.4g ms)", irq__to_ns(sim, (double)s->model[c]) / 1e6);
        fputc('\n', f);
    }
    if (group == IRQ_CG_ALERTS_KICKS) {
        if (!shown)
            fprintf(f, "alerts and kicks\n");
        fprintf(f, "  %-22s %14llu   %s\n", "kicks", (ull)s->core[IRQ__K_KICKS],
                "vCPU kicks issued by the host");
    }
}

static void text_counters(const struct irq_sim *sim, FILE *f, const sums *s)
{
    text_group(sim, f, s, IRQ_CG_ALERTS_KICKS);
    fprintf(f, "\ninterrupts\n");
    for (int k = 0; k < IRQ__NCORE - 1; k++)
        fprintf(f, "  %-22s %14llu\n", irq__core_counter_names[k], (ull)s->core[k]);
    fprintf(f, "  %-22s %14llu   %s\n", "undelivered", (ull)s->undelivered,
            "held at the end (pending and coalesced into them)");
    if (s->undelivered)
        fprintf(f, "  %-22s %14.0f   %s\n", "oldest_pending_ns", irq__to_ns(sim, (double)s->oldest),
                "age of the oldest undelivered arrival at the end");
    fprintf(f, "  %-22s %14s\n", "conservation",
            s->core[IRQ__K_INJECTED] == s->core[IRQ__K_DELIVERED] + s->core[IRQ__K_COALESCED] +
                                            s->core[IRQ__K_PENDING] + s->core[IRQ__K_DROPPED]
                ? "ok"
                : "VIOLATED");
    for (int g = IRQ_CG_TRAPS_EXITS; g < IRQ_CG_N; g++)
        text_group(sim, f, s, g);
    static const char *const gc_help[IRQ_GC_N] = {
        [IRQ_GC_HALT_WAKEUP] = "sleeping halted threads woken",
        [IRQ_GC_HALT_ATTEMPTED] = "halts that polled",
        [IRQ_GC_HALT_SUCCESSFUL] = "... and ended while polling",
        [IRQ_GC_HALT_POLL_INVALID] = "... ended without a valid wake-up (s390)",
        [IRQ_GC_HALT_POLL_OK_NS] = "time polled in successful polls",
        [IRQ_GC_HALT_POLL_FAIL_NS] = "time polled in polls that ended asleep",
        [IRQ_GC_HALT_SLEEP_AGAIN] = "woken threads that found nothing and slept again",
        [IRQ_GC_IPI_EXITS] = "kicks that forced a vCPU out of guest mode",
        [IRQ_GC_TRAPS] = "guest traps around handlers and on their own",
        [IRQ_GC_RAISED] = "interrupts raised inside the simulation (IPIs, timers, ...)",
        [IRQ_GC_BLOCKED] = "vCPU threads blocked in the host (synchronous waits)",
        [IRQ_GC_TIMER_WAKEUPS] = "halted vCPUs woken by the guest's own timer",
    };
    fprintf(f, "\nhalts and host kicks (kernel names)\n");
    for (int k = 0; k < IRQ_GC_N; k++)
        fprintf(f, "  %-22s %14.0f   %s\n", irq_guest_counter_names[k], irq__gc_value(sim, s, k),
                gc_help[k]);
}

/* The names of the classes above that the model names (SIGP orders). */
static void text_class_names(const struct irq_sim *sim, FILE *f)
{
    const struct irq_sim_priv *p = sim->priv;
    int shown = 0;
    for (size_t i = 0; i < p->ncls; i++) {
        const irq_class_desc *c = irq_model_class(sim->ops, p->cls_values[i]);
        if (c)
            fprintf(f, "%s%u %s", shown++ ? ", " : "  (class ", c->value, c->name);
    }
    if (shown)
        fprintf(f, ")\n");
}

static void text_latencies(const struct irq_sim *sim, FILE *f, sums *s)
{
    const struct irq_sim_priv *p = sim->priv;
    fprintf(f, "\nlatency (ns)      count       mean        p50        p90        p99      p99.9"
               "        max\n");
    lat l = latency_in(sim, IRQ_SCOPE_TOTAL, 0, 0);
    text_latency_row(f, "all", &l);
    for (size_t i = 0; i < p->ncls; i++) {
        char label[32];
        snprintf(label, sizeof label, "class %u", p->cls_values[i]);
        l = latency_in(sim, IRQ_SCOPE_CLASS, i, 0);
        text_latency_row(f, label, &l);
        irq__sum_scope(sim, IRQ_SCOPE_CLASS, i, s);
        if (s->undelivered)
            fprintf(f, "  %-14s %10llu undelivered, the oldest %.0f ns old\n", "",
                    (ull)s->undelivered, irq__to_ns(sim, (double)s->oldest));
    }
    text_class_names(sim, f);
    l = latency_in(sim, IRQ_SCOPE_TOTAL, 0, 1);
    text_latency_row(f, "censored", &l);
    fprintf(f, "  (censored: every undelivered arrival counted with its age at the end)\n");
    fprintf(f, "\nwhere the latency went (ns)      mean        p99\n");
    for (size_t i = 0; i < 4; i++) {
        lat pl = latency_in(sim, IRQ_SCOPE_TOTAL, 0, 2 + i);
        fprintf(f, "  %-26s %10.0f %10.0f\n", irq__latency_part_names[i], pl.mean, pl.p99);
    }
    fprintf(f, "  (host_to_act: until the vCPU's thread was woken or queued; run_queue: waiting "
               "for a host CPU;\n   wakeup: the woken thread until it left its halt; delivery: "
               "the rest, into the guest)\n");
    size_t n = sim->ops->nhists < IRQ_MODEL_HISTS_MAX ? sim->ops->nhists : IRQ_MODEL_HISTS_MAX;
    if (n == 0)
        return;
    char title[64];
    snprintf(title, sizeof title, "%s (ns)", sim->ops->name);
    fprintf(f, "\n%-18scount       mean        p50        p90        p99      p99.9        max\n",
            title);
    for (size_t i = 0; i < n; i++) {
        lat ml;
        irq__latency_of(sim, &p->mhists[i], &ml);
        text_latency_row(f, sim->ops->hists[i].name, &ml);
    }
    for (size_t i = 0; i < n; i++)
        fprintf(f, "  (%s: %s)\n", sim->ops->hists[i].name, sim->ops->hists[i].help);
}

static void text_cpu_use(const struct irq_sim *sim, FILE *f)
{
    double time[IRQ_USE_N], sh[IRQ_USE_N], lo = 1, hi = 0;
    irq__cpu_use(sim, -1, time, sh);
    fprintf(f, "\nhost CPU use   ");
    for (int u = 0; u < IRQ_USE_N; u++)
        fprintf(f, " %s %.1f%%", irq__cpu_use_names[u], 100 * sh[u]);
    for (uint32_t c = 0; c < sim->priv->npcpus; c++) {
        double one[IRQ_USE_N];
        irq__cpu_use(sim, (int)c, time, one);
        double busy = 1 - one[IRQ_USE_IDLE];
        lo = busy < lo ? busy : lo;
        hi = busy > hi ? busy : hi;
    }
    fprintf(f, "\n  busy per CPU: %.1f%% to %.1f%%\n", 100 * lo, 100 * hi);
}

static void text_groups(const struct irq_sim *sim, FILE *f, sums *s)
{
    fprintf(f, "\nguest groups      guests  vCPUs     injected        kicks   RUNNING   EXITING  "
               "    WAIT PREEMPTED    p50 ns    p99 ns\n");
    for (uint32_t t = 0; t < sim->sc->ntmpls; t++) {
        size_t g0, g1, v0, v1;
        double time[IRQ_VCPU_NSTATES], sh[IRQ_VCPU_NSTATES];
        irq__tmpl_range(sim, t, &g0, &g1, &v0, &v1);
        irq__sum_scope(sim, IRQ_SCOPE_GROUP, t, s);
        irq__state_time(sim, v0, v1, time, sh);
        lat l = latency_in(sim, IRQ_SCOPE_GROUP, t, 0);
        fprintf(f, "  %-14s %7zu %6zu %12llu %12llu %8.1f%% %8.1f%% %8.1f%% %8.1f%%",
                sim->sc->tmpls[t].name, g1 - g0, v1 - v0, (ull)s->core[IRQ__K_INJECTED],
                (ull)s->core[IRQ__K_KICKS], 100 * sh[IRQ_VCPU_RUNNING], 100 * sh[IRQ_VCPU_EXITING],
                100 * sh[IRQ_VCPU_WAIT], 100 * sh[IRQ_VCPU_PREEMPTED]);
        if (l.count)
            fprintf(f, " %9.0f %9.0f\n", l.p50, l.p99);
        else
            fprintf(f, " %9s %9s\n", "-", "-");
    }
}

static void text_assumptions(const struct irq_sim *sim, FILE *f)
{
    fprintf(f, "\nassumed values (no public source gives them): ");
    json_assumptions(f, sim);
    fprintf(f, "\n");
}

static void write_text(const struct irq_sim *sim, FILE *f, sums *s)
{
    text_header(sim, f);
    if (sim->priv->failed)
        fprintf(f, "RUN FAILED: %s\n\n", sim->priv->fail_msg);
    irq__sum_scope(sim, IRQ_SCOPE_TOTAL, 0, s);
    text_counters(sim, f, s);
    text_latencies(sim, f, s);
    text_cpu_use(sim, f);
    text_groups(sim, f, s);
    text_assumptions(sim, f);
}

int irq_sim_write_report(const irq_sim *sim, enum irq_format fmt, FILE *out)
{
    sums s;
    if (irq__sums_alloc(sim, &s) != IRQ_OK)
        return IRQ_ENOMEM;
    if (fmt == IRQ_FORMAT_JSON)
        write_json(sim, out, &s);
    else if (fmt == IRQ_FORMAT_CSV)
        write_csv(sim, out, &s);
    else
        write_text(sim, out, &s);
    irq__sums_free(&s);
    return ferror(out) ? IRQ_EIO : IRQ_OK;
}
