/* The figures of a finished run: the one place that turns the simulation's
 * counters and histograms into what is reported. report.c formats them
 * (text, JSON, CSV); the public result API (include/irqsim/result.h) hands
 * them to C callers. */
#include <inttypes.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "error_internal.h"
#include "result_internal.h"

const char *const irq__core_counter_names[IRQ__NCORE] = {"injected", "delivered", "coalesced",
                                                         "pending",  "dropped",   "kicks"};
const char *const irq__latency_part_names[4] = {"host_to_act", "run_queue", "wakeup", "delivery"};

/* ---- counters ------------------------------------------------------------ */

/* The counters of a scope, numbered as in the JSON report: the core's six,
 * undelivered, oldest_pending_ns, the core's per-guest counters, the
 * model's (timer_wakeups is one of the core's). A class has just
 * undelivered and oldest_pending_ns. */
enum { ID_UNDELIVERED = IRQ__NCORE, ID_OLDEST, ID_GC0 };

static size_t id_model0(void)
{
    return ID_GC0 + IRQ_GC_N;
}

static uint64_t core_value(const irq_guest *g, int k)
{
    switch (k) {
    case IRQ__K_INJECTED:
        return g->injected;
    case IRQ__K_DELIVERED:
        return g->delivered;
    case IRQ__K_COALESCED:
        return g->coalesced;
    case IRQ__K_PENDING:
        return g->pending;
    case IRQ__K_DROPPED:
        return g->dropped;
    default:
        return g->kicks;
    }
}

int irq__sums_alloc(const struct irq_sim *sim, irq__sums *s)
{
    s->model = calloc(sim->ops->ncounters + 1, sizeof *s->model);
    return s->model ? IRQ_OK : IRQ_ENOMEM;
}

void irq__sums_free(irq__sums *s)
{
    free(s->model);
    s->model = NULL;
}

static void sums_clear(const struct irq_sim *sim, irq__sums *s)
{
    memset(s->core, 0, sizeof s->core);
    memset(s->gc, 0, sizeof s->gc);
    memset(s->model, 0, sim->ops->ncounters * sizeof *s->model);
    s->undelivered = s->oldest = 0;
}

void irq__sum_guests(const struct irq_sim *sim, size_t from, size_t to, irq__sums *s)
{
    size_t nc = sim->ops->ncounters;
    sums_clear(sim, s);
    for (size_t i = from; i < to; i++) {
        const irq_guest *g = &sim->priv->guests[i];
        for (int k = 0; k < IRQ__NCORE; k++)
            s->core[k] += core_value(g, k);
        for (int k = 0; k < IRQ_GC_N; k++)
            s->gc[k] += g->core[k];
        s->undelivered += g->undelivered;
        if (g->oldest_pending > s->oldest)
            s->oldest = g->oldest_pending;
        for (size_t c = 0; c < nc; c++)
            s->model[c] += g->mcount[c];
    }
}

void irq__sum_scope(const struct irq_sim *sim, irq_scope scope, size_t index, irq__sums *s)
{
    const struct irq_sim_priv *p = sim->priv;
    size_t g0, g1, v0, v1;
    if (scope == IRQ_SCOPE_CLASS) {
        sums_clear(sim, s);
        s->undelivered = p->cls_undelivered ? p->cls_undelivered[index] : 0;
        s->oldest = p->cls_oldest ? p->cls_oldest[index] : 0;
        return;
    }
    if (scope == IRQ_SCOPE_VCPU) {
        sums_clear(sim, s);
        s->core[IRQ__K_KICKS] = p->vcpus[index].kicks;
        return;
    }
    irq__scope_range(sim, scope, index, &g0, &g1, &v0, &v1);
    irq__sum_guests(sim, g0, g1, s);
}

double irq__to_ns(const struct irq_sim *sim, double cycles)
{
    return cycles * 1e9 / sim->sc->clock_hz;
}

size_t irq__ncounters(const struct irq_sim *sim, irq_scope scope)
{
    switch (scope) {
    case IRQ_SCOPE_TOTAL:
    case IRQ_SCOPE_GUEST:
    case IRQ_SCOPE_GROUP:
        return id_model0() + sim->ops->ncounters;
    case IRQ_SCOPE_CLASS:
        return 2;
    case IRQ_SCOPE_VCPU:
        return 1;
    }
    return 0;
}

/* The i-th counter of the scope as a number of the full list above. */
static size_t counter_id(const struct irq_sim *sim, irq_scope scope, size_t i)
{
    if (i >= irq__ncounters(sim, scope))
        return SIZE_MAX;
    if (scope == IRQ_SCOPE_VCPU)
        return IRQ__K_KICKS;
    return scope == IRQ_SCOPE_CLASS ? ID_UNDELIVERED + i : i;
}

const char *irq__counter_name(const struct irq_sim *sim, irq_scope scope, size_t i)
{
    size_t id = counter_id(sim, scope, i), m0 = id_model0();
    if (id == SIZE_MAX)
        return NULL;
    if (id < IRQ__NCORE)
        return irq__core_counter_names[id];
    if (id == ID_UNDELIVERED)
        return "undelivered";
    if (id == ID_OLDEST)
        return "oldest_pending_ns";
    if (id < m0)
        return irq_guest_counter_names[id - ID_GC0];
    return sim->ops->counters[id - m0].name;
}

double irq__gc_value(const struct irq_sim *sim, const irq__sums *s, int k)
{
    if (k == IRQ_GC_HALT_POLL_OK_NS || k == IRQ_GC_HALT_POLL_FAIL_NS)
        return irq__to_ns(sim, (double)s->gc[k]);
    return (double)s->gc[k];
}

irq__cval irq__counter_value(const struct irq_sim *sim, irq_scope scope, const irq__sums *s,
                             size_t i)
{
    size_t id = counter_id(sim, scope, i), m0 = id_model0();
    irq__cval v = {.exact = true};
    if (id < IRQ__NCORE)
        v.u = s->core[id];
    else if (id == ID_UNDELIVERED)
        v.u = s->undelivered;
    else if (id == ID_OLDEST)
        v = (irq__cval){.d = irq__to_ns(sim, (double)s->oldest)};
    else if (id < m0)
        v = (irq__cval){.d = round(irq__gc_value(sim, s, (int)(id - ID_GC0)))};
    else
        v.u = s->model[id - m0];
    return v;
}

/* ---- ranges -------------------------------------------------------------- */

void irq__tmpl_range(const struct irq_sim *sim, uint32_t t, size_t *g0, size_t *g1, size_t *v0,
                     size_t *v1)
{
    const struct irq_sim_priv *p = sim->priv;
    const irq_guest_tmpl *tm = &sim->sc->tmpls[t];
    *g0 = p->tmpl_first[t];
    *g1 = *g0 + tm->count;
    *v0 = *g0 < p->nguests ? (size_t)(p->guests[*g0].vcpus - p->vcpus) : p->nvcpus;
    *v1 = *v0 + (size_t)tm->count * tm->vcpus;
}

void irq__scope_range(const struct irq_sim *sim, irq_scope scope, size_t index, size_t *g0,
                      size_t *g1, size_t *v0, size_t *v1)
{
    const struct irq_sim_priv *p = sim->priv;
    if (scope == IRQ_SCOPE_GROUP) {
        irq__tmpl_range(sim, (uint32_t)index, g0, g1, v0, v1);
    } else if (scope == IRQ_SCOPE_GUEST) {
        const irq_guest *g = &p->guests[index];
        *g0 = index;
        *g1 = index + 1;
        *v0 = (size_t)(g->vcpus - p->vcpus);
        *v1 = *v0 + g->nvcpus;
    } else if (scope == IRQ_SCOPE_VCPU) {
        *g0 = p->vcpus[index].guest->index;
        *g1 = *g0 + 1;
        *v0 = index;
        *v1 = index + 1;
    } else {
        *g0 = *v0 = 0;
        *g1 = p->nguests;
        *v1 = p->nvcpus;
    }
}

/* ---- latencies ----------------------------------------------------------- */

static const char *const total_latency_names[6] = {"delivered", "censored", "host_to_act",
                                                   "run_queue", "wakeup",   "delivery"};

size_t irq__nlatencies(irq_scope scope)
{
    switch (scope) {
    case IRQ_SCOPE_TOTAL:
        return 6;
    case IRQ_SCOPE_GUEST:
    case IRQ_SCOPE_GROUP:
    case IRQ_SCOPE_CLASS:
        return 1;
    case IRQ_SCOPE_VCPU:
        return 0;
    }
    return 0;
}

const char *irq__latency_name(irq_scope scope, size_t i)
{
    return i < irq__nlatencies(scope) ? total_latency_names[i] : NULL;
}

const irq_hist *irq__latency_hist(const struct irq_sim *sim, irq_scope scope, size_t index,
                                  size_t i, irq_hist *tmp)
{
    const struct irq_sim_priv *p = sim->priv;
    irq_hist_init(tmp);
    switch (scope) {
    case IRQ_SCOPE_TOTAL:
        return i == 0 ? &p->total_latency : i == 1 ? &p->censored : &p->lat_part[i - 2];
    case IRQ_SCOPE_GUEST:
        return &p->guests[index].latency;
    case IRQ_SCOPE_CLASS:
        return &p->cls_hist[index];
    case IRQ_SCOPE_GROUP:
        break;
    case IRQ_SCOPE_VCPU:
        return NULL;
    }
    size_t g0, g1, v0, v1;
    irq__tmpl_range(sim, (uint32_t)index, &g0, &g1, &v0, &v1);
    irq_hist_init_compact(tmp); /* as the guests' (a fine one cannot take them) */
    for (size_t g = g0; g < g1; g++)
        if (irq_hist_merge(tmp, &p->guests[g].latency))
            return NULL;
    return tmp;
}

void irq__latency_of(const struct irq_sim *sim, const irq_hist *h, irq_latency *l)
{
    memset(l, 0, sizeof *l);
    l->count = h->count;
    if (h->count == 0)
        return;
    l->mean = irq__to_ns(sim, irq_hist_mean(h));
    l->min = irq__to_ns(sim, (double)h->min);
    l->max = irq__to_ns(sim, (double)h->max);
    l->sum = irq__to_ns(sim, h->sum);
    l->p50 = irq__to_ns(sim, (double)irq_hist_quantile(h, 0.50));
    l->p90 = irq__to_ns(sim, (double)irq_hist_quantile(h, 0.90));
    l->p99 = irq__to_ns(sim, (double)irq_hist_quantile(h, 0.99));
    l->p999 = irq__to_ns(sim, (double)irq_hist_quantile(h, 0.999));
}

/* ---- time ---------------------------------------------------------------- */

/* Shares of time: each entry over their sum (0 when there is no time). */
static void shares_of(const double *time, double *share, int n)
{
    double all = 0;
    for (int k = 0; k < n; k++)
        all += time[k];
    for (int k = 0; k < n; k++)
        share[k] = all > 0 ? time[k] / all : 0;
}

void irq__state_time(const struct irq_sim *sim, size_t v0, size_t v1, double time[IRQ_VCPU_NSTATES],
                     double share[IRQ_VCPU_NSTATES])
{
    for (int st = 0; st < IRQ_VCPU_NSTATES; st++)
        time[st] = 0;
    for (size_t i = v0; i < v1; i++)
        for (int st = 0; st < IRQ_VCPU_NSTATES; st++)
            time[st] += (double)sim->priv->vcpus[i].time_in[st];
    shares_of(time, share, IRQ_VCPU_NSTATES);
}

void irq__cpu_use(const struct irq_sim *sim, int cpu, double time[IRQ_USE_N],
                  double share[IRQ_USE_N])
{
    const struct irq_sim_priv *p = sim->priv;
    for (int u = 0; u < IRQ_USE_N; u++)
        time[u] = 0;
    for (uint32_t c = 0; c < p->npcpus; c++)
        if (cpu < 0 || (uint32_t)cpu == c)
            for (int u = 0; u < IRQ_USE_N; u++)
                time[u] += (double)p->pcpus[c].use_time[u];
    shares_of(time, share, IRQ_USE_N);
}

/* ---- assumptions --------------------------------------------------------- */

/* The i-th assumed parameter: its section and descriptor, or false. */
static bool assumption_at(const struct irq_sim *sim, size_t i, const char **section,
                          const irq_param_desc **d)
{
    size_t n = 0;
    for (int k = 0; k < IRQ_HOST_NPARAMS; k++)
        if (irq_host_params[k].assumption && n++ == i) {
            *section = "host";
            *d = &irq_host_params[k];
            return true;
        }
    for (size_t k = 0; k < sim->ops->nparams; k++)
        if (sim->ops->params[k].assumption && n++ == i) {
            *section = "model";
            *d = &sim->ops->params[k];
            return true;
        }
    return false;
}

size_t irq__nassumptions(const struct irq_sim *sim)
{
    size_t n = 0;
    const char *section;
    const irq_param_desc *d;
    while (assumption_at(sim, n, &section, &d))
        n++;
    return n;
}

bool irq__assumption(const struct irq_sim *sim, size_t i, char *buf, size_t len)
{
    const char *section;
    const irq_param_desc *d;
    if (!assumption_at(sim, i, &section, &d))
        return false;
    snprintf(buf, len, "%s.%s", section, d->name);
    return true;
}

/* ---- the public API ------------------------------------------------------ */

static const char *const scope_names[] = {"total", "guest", "group", "class", "vcpu"};

static bool scope_known(irq_scope scope)
{
    return (unsigned)scope <= IRQ_SCOPE_VCPU;
}

size_t irq_result_count(const irq_sim *sim, irq_scope scope)
{
    const struct irq_sim_priv *p = sim->priv;
    switch (scope) {
    case IRQ_SCOPE_TOTAL:
        return 1;
    case IRQ_SCOPE_GUEST:
        return p->nguests;
    case IRQ_SCOPE_GROUP:
        return sim->sc->ntmpls;
    case IRQ_SCOPE_CLASS:
        return p->ncls;
    case IRQ_SCOPE_VCPU:
        return p->nvcpus;
    }
    return 0;
}

/* IRQ_OK when the run is over and scope item index exists. */
static int check_item(const irq_sim *sim, irq_scope scope, size_t index, irq_error *err)
{
    if (!sim->priv->ran)
        return irq_error_set(err, IRQ_EINPUT, NULL, "no results: the simulation has not run");
    if (!scope_known(scope))
        return irq_error_set(err, IRQ_EINPUT, NULL, "unknown result scope %d", (int)scope);
    size_t n = irq_result_count(sim, scope);
    if (index >= n)
        return irq_error_set(err, IRQ_EINPUT, NULL, "%s index %zu out of range (the run has %zu)",
                             scope_names[scope], index, n);
    return IRQ_OK;
}

const char *irq_result_name(const irq_sim *sim, irq_scope scope, size_t index, char *buf,
                            size_t len)
{
    if (!scope_known(scope) || index >= irq_result_count(sim, scope) || !buf || !len)
        return NULL;
    const struct irq_sim_priv *p = sim->priv;
    if (scope == IRQ_SCOPE_TOTAL)
        snprintf(buf, len, "total");
    else if (scope == IRQ_SCOPE_GUEST)
        snprintf(buf, len, "%s", p->guests[index].name);
    else if (scope == IRQ_SCOPE_GROUP)
        snprintf(buf, len, "%s", sim->sc->tmpls[index].name);
    else if (scope == IRQ_SCOPE_VCPU)
        snprintf(buf, len, "%s/%" PRIu32, p->vcpus[index].guest->name, p->vcpus[index].index);
    else
        snprintf(buf, len, "%" PRIu32, p->cls_values[index]);
    return buf;
}

int irq_result_find(const irq_sim *sim, irq_scope scope, const char *name, size_t *index,
                    irq_error *err)
{
    if (!scope_known(scope))
        return irq_error_set(err, IRQ_EINPUT, NULL, "unknown result scope %d", (int)scope);
    char buf[256];
    size_t n = irq_result_count(sim, scope);
    for (size_t i = 0; name && i < n; i++)
        if (!strcmp(irq_result_name(sim, scope, i, buf, sizeof buf), name)) {
            *index = i;
            return IRQ_OK;
        }
    return irq_error_set(err, IRQ_EINPUT, NULL, "no %s named \"%s\" in the run", scope_names[scope],
                         name ? name : "(null)");
}

size_t irq_result_ncounters(const irq_sim *sim, irq_scope scope)
{
    return irq__ncounters(sim, scope);
}

const char *irq_result_counter_name(const irq_sim *sim, irq_scope scope, size_t i)
{
    return irq__counter_name(sim, scope, i);
}

/* The number of a counter of the scope by name. */
static int counter_find(const irq_sim *sim, irq_scope scope, const char *name, size_t *i,
                        irq_error *err)
{
    size_t n = irq__ncounters(sim, scope);
    for (size_t k = 0; name && k < n; k++)
        if (!strcmp(irq__counter_name(sim, scope, k), name)) {
            *i = k;
            return IRQ_OK;
        }
    return irq_error_set(err, IRQ_EINPUT, NULL,
                         "unknown counter \"%s\" for a %s (model %s; irq_result_counter_name "
                         "lists them)",
                         name ? name : "(null)", scope_names[scope], sim->ops->name);
}

int irq_result_counter(const irq_sim *sim, irq_scope scope, size_t index, const char *name,
                       double *value, irq_error *err)
{
    size_t i = 0;
    int rc = check_item(sim, scope, index, err);
    if (rc == IRQ_OK)
        rc = counter_find(sim, scope, name, &i, err);
    if (rc != IRQ_OK)
        return rc;
    irq__sums s;
    if (irq__sums_alloc(sim, &s) != IRQ_OK)
        return irq_error_set(err, IRQ_ENOMEM, NULL, "out of memory");
    irq__sum_scope(sim, scope, index, &s);
    *value = irq__cval_double(irq__counter_value(sim, scope, &s, i));
    irq__sums_free(&s);
    return IRQ_OK;
}

size_t irq_result_nlatencies(const irq_sim *sim, irq_scope scope)
{
    (void)sim;
    return irq__nlatencies(scope);
}

const char *irq_result_latency_name(const irq_sim *sim, irq_scope scope, size_t i)
{
    (void)sim;
    return irq__latency_name(scope, i);
}

/* The histogram of the named latency of a scope item (see
 * irq__latency_hist); tmp is to be freed whatever the outcome. */
static int latency_hist(const irq_sim *sim, irq_scope scope, size_t index, const char *name,
                        irq_hist *tmp, const irq_hist **h, irq_error *err)
{
    irq_hist_init(tmp);
    int rc = check_item(sim, scope, index, err);
    if (rc != IRQ_OK)
        return rc;
    size_t n = irq__nlatencies(scope);
    for (size_t i = 0; name && i < n; i++)
        if (!strcmp(irq__latency_name(scope, i), name)) {
            *h = irq__latency_hist(sim, scope, index, i, tmp);
            return *h ? IRQ_OK : irq_error_set(err, IRQ_ENOMEM, NULL, "out of memory");
        }
    return irq_error_set(err, IRQ_EINPUT, NULL,
                         "unknown latency \"%s\" for a %s (irq_result_latency_name lists them)",
                         name ? name : "(null)", scope_names[scope]);
}

int irq_result_latency(const irq_sim *sim, irq_scope scope, size_t index, const char *name,
                       irq_latency *out, irq_error *err)
{
    irq_hist tmp;
    const irq_hist *h;
    int rc = latency_hist(sim, scope, index, name, &tmp, &h, err);
    if (rc == IRQ_OK)
        irq__latency_of(sim, h, out);
    irq_hist_free(&tmp);
    return rc;
}

int irq_result_quantile(const irq_sim *sim, irq_scope scope, size_t index, const char *name,
                        double q, double *ns, irq_error *err)
{
    if (!(q >= 0 && q <= 1))
        return irq_error_set(err, IRQ_EINPUT, NULL, "quantile %g is not in [0, 1]", q);
    irq_hist tmp;
    const irq_hist *h;
    int rc = latency_hist(sim, scope, index, name, &tmp, &h, err);
    if (rc == IRQ_OK)
        *ns = irq__to_ns(sim, (double)irq_hist_quantile(h, q));
    irq_hist_free(&tmp);
    return rc;
}

/* The index of name in names[n], or -1. */
static int name_index(const char *const *names, int n, const char *name)
{
    for (int i = 0; name && i < n; i++)
        if (!strcmp(names[i], name))
            return i;
    return -1;
}

/* names[0..n) joined by ", " into buf, for messages. */
static const char *names_list(const char *const *names, int n, char *buf, size_t len)
{
    size_t used = 0;
    buf[0] = '\0';
    for (int i = 0; i < n && used < len; i++)
        used += (size_t)snprintf(buf + used, len - used, "%s%s", i ? ", " : "", names[i]);
    return buf;
}

size_t irq_result_nstates(void)
{
    return IRQ_VCPU_NSTATES;
}

const char *irq_result_state_name(size_t i)
{
    return i < IRQ_VCPU_NSTATES ? irq_vcpu_state_names[i] : NULL;
}

int irq_result_state(const irq_sim *sim, irq_scope scope, size_t index, const char *state,
                     double *share, double *ns, irq_error *err)
{
    int rc = check_item(sim, scope, index, err);
    if (rc != IRQ_OK)
        return rc;
    if (scope == IRQ_SCOPE_CLASS)
        return irq_error_set(err, IRQ_EINPUT, NULL, "a class has no vCPU states");
    int st = name_index(irq_vcpu_state_names, IRQ_VCPU_NSTATES, state);
    char known[160];
    if (st < 0)
        return irq_error_set(
            err, IRQ_EINPUT, NULL, "unknown vCPU state \"%s\" (%s)", state ? state : "(null)",
            names_list(irq_vcpu_state_names, IRQ_VCPU_NSTATES, known, sizeof known));
    size_t g0, g1, v0, v1;
    double time[IRQ_VCPU_NSTATES], sh[IRQ_VCPU_NSTATES];
    irq__scope_range(sim, scope, index, &g0, &g1, &v0, &v1);
    irq__state_time(sim, v0, v1, time, sh);
    if (share)
        *share = sh[st];
    if (ns)
        *ns = irq__to_ns(sim, time[st]);
    return IRQ_OK;
}

unsigned irq_result_ncpus(const irq_sim *sim)
{
    return sim->priv->npcpus;
}

size_t irq_result_ncpu_uses(void)
{
    return IRQ_USE_N;
}

const char *irq_result_cpu_use_name(size_t i)
{
    return i < IRQ_USE_N ? irq__cpu_use_names[i] : NULL;
}

int irq_result_cpu_use(const irq_sim *sim, int cpu, const char *use, double *share, double *ns,
                       irq_error *err)
{
    if (!sim->priv->ran)
        return irq_error_set(err, IRQ_EINPUT, NULL, "no results: the simulation has not run");
    if (cpu < -1 || (cpu >= 0 && (unsigned)cpu >= sim->priv->npcpus))
        return irq_error_set(err, IRQ_EINPUT, NULL,
                             "host CPU %d out of range (the run has %u; -1 is all of them)", cpu,
                             sim->priv->npcpus);
    int u = name_index(irq__cpu_use_names, IRQ_USE_N, use);
    char known[160];
    if (u < 0)
        return irq_error_set(err, IRQ_EINPUT, NULL, "unknown CPU use \"%s\" (%s)",
                             use ? use : "(null)",
                             names_list(irq__cpu_use_names, IRQ_USE_N, known, sizeof known));
    double time[IRQ_USE_N], sh[IRQ_USE_N];
    irq__cpu_use(sim, cpu, time, sh);
    if (share)
        *share = sh[u];
    if (ns)
        *ns = irq__to_ns(sim, time[u]);
    return IRQ_OK;
}

size_t irq_result_nassumptions(const irq_sim *sim)
{
    return irq__nassumptions(sim);
}

const char *irq_result_assumption(const irq_sim *sim, size_t i, char *buf, size_t len)
{
    if (!buf || !len || !irq__assumption(sim, i, buf, len))
        return NULL;
    return buf;
}
