/* The scenario loader: YAML file -> tree -> --set overrides -> validated
 * struct irq_scenario. The format is described in docs/scenario-format.md.
 *
 * Order matters: clock_hz before anything with a duration, the model before
 * the guests (their model/vcpu sections use its tables), the guests before
 * the sources (targets name them). Counts are checked against the IRQ_MAX_*
 * limits before anything is allocated for them. */
#ifndef _POSIX_C_SOURCE
#define _POSIX_C_SOURCE 200809L
#endif
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "loader_internal.h"
#include "model_internal.h"
#include "scenario_internal.h"

#define MAX_NAME 64

typedef struct loader {
    irq_scenario *sc;
    irq_ynode *root;
    irq_ldctx c;
    uint32_t *order; /* template indexes sorted by name */
} loader;

/* ---- fields described like parameters, so messages are the same ---------------- */

static const irq_param_desc f_name = {.name = "name", .type = IRQ_PARAM_STRING};
static const irq_param_desc f_duration = {.name = "duration", .type = IRQ_PARAM_DURATION};
static const irq_param_desc f_count = {
    .name = "count", .type = IRQ_PARAM_INT, .def = "1", .min = 1, .max = IRQ_MAX_GUESTS};
static const irq_param_desc f_vcpus = {
    .name = "vcpus", .type = IRQ_PARAM_INT, .min = 1, .max = IRQ_MAX_VCPUS_PER_GUEST};
static const irq_param_desc f_index = {
    .name = "index", .type = IRQ_PARAM_INT, .min = 0, .max = IRQ_MAX_VCPUS_PER_GUEST - 1};
static const irq_param_desc f_vcpu = {
    .name = "vcpu", .type = IRQ_PARAM_INT, .min = 0, .max = IRQ_MAX_VCPUS_PER_GUEST - 1};
static const irq_param_desc f_target = {.name = "target", .type = IRQ_PARAM_STRING};
static const irq_param_desc f_arrivals = {.name = "arrivals", .type = IRQ_PARAM_STRING};
static const irq_param_desc f_class = {
    .name = "class", .type = IRQ_PARAM_INT, .def = "0", .min = 0, .max = 65535};
static const char *const injection_choices[] = {"passthrough", "software", NULL};
static const irq_param_desc f_injection = {.name = "injection",
                                           .type = IRQ_PARAM_ENUM,
                                           .def = "passthrough",
                                           .choices = injection_choices};
static const irq_param_desc f_start = {.name = "start", .type = IRQ_PARAM_DURATION, .def = "0"};
static const irq_param_desc f_stop = {.name = "stop", .type = IRQ_PARAM_DURATION, .def = "0"};
static const char *const format_choices[] = {"text", "json", "csv", NULL};
static const irq_param_desc f_format = {
    .name = "format", .type = IRQ_PARAM_ENUM, .def = "text", .choices = format_choices};
static const irq_param_desc f_dir = {.name = "dir", .type = IRQ_PARAM_STRING};
static const irq_param_desc f_max_memory = {.name = "max_memory", .type = IRQ_PARAM_STRING};
static const irq_param_desc f_max_events = {
    .name = "max_events", .type = IRQ_PARAM_INT, .min = 1, .max = 1e18};

enum { W_BUSY, W_IDLE, W_HANDLER, W_START, W_STOPPED, W_TASKS, W_N };
static const char *const phase_choices[] = {"busy", "idle", NULL};
static const irq_param_desc workload_params[W_N] = {
    [W_BUSY] = {.name = "busy", .type = IRQ_PARAM_DIST, .def = "exp(1ms)"},
    [W_IDLE] = {.name = "idle", .type = IRQ_PARAM_DIST, .def = "exp(1ms)"},
    [W_HANDLER] = {.name = "handler", .type = IRQ_PARAM_DIST, .def = "const(1us)"},
    [W_START] = {.name = "start", .type = IRQ_PARAM_ENUM, .def = "busy", .choices = phase_choices},
    [W_STOPPED] = {.name = "stopped", .type = IRQ_PARAM_BOOL, .def = "false"},
    [W_TASKS] = {.name = "tasks", .type = IRQ_PARAM_INT, .def = "1", .min = 1, .max = 1024},
};

static const char *const top_keys[] = {"name",   "seed",    "clock_hz", "duration", "host", "model",
                                       "guests", "sources", "output",   "limits",   NULL};
static const char *const tmpl_keys[] = {"name",  "count", "vcpus",          "workload",
                                        "model", "vcpu",  "vcpu_overrides", NULL};
static const char *const source_keys[] = {"name",      "target",   "vcpu",  "from", "class",
                                          "injection", "arrivals", "start", "stop", NULL};
static const irq_param_desc f_from = {.name = "from", .type = IRQ_PARAM_STRING};
static const char *const output_keys[] = {"format", "dir", NULL};
static const char *const limits_keys[] = {"max_memory", "max_events", NULL};
static const char *const model_extra[] = {"name", NULL};
static const char *const override_extra[] = {"index", NULL};

/* Decodes map[d->name] into *v (zeroed by the caller, freed by the caller):
 * the default when the key is absent, an error when it is also required. */
static int field(const loader *L, const irq_ynode *map, const irq_param_desc *d, const char *what,
                 irq_param_value *v)
{
    const irq_ynode *n = irq_ymap_get(map, d->name);
    if (n)
        return irq_param_decode(v, d, n, &L->c);
    if (!d->def)
        return irq_error_set(L->c.err, IRQ_EINPUT, &map->mark, "missing required key '%s' in %s",
                             d->name, what);
    return irq_params_defaults(v, d, 1, &L->c);
}

static int field_int(const loader *L, const irq_ynode *map, const irq_param_desc *d,
                     const char *what, int64_t *out, irq_mark *mark)
{
    irq_param_value v = {0};
    int rc = field(L, map, d, what, &v);
    *out = v.i;
    if (mark)
        *mark = v.mark;
    return rc;
}

static int field_dur(const loader *L, const irq_ynode *map, const irq_param_desc *d,
                     const char *what, uint64_t *out, irq_mark *mark)
{
    irq_param_value v = {0};
    int rc = field(L, map, d, what, &v);
    *out = v.u;
    if (mark)
        *mark = v.mark;
    return rc;
}

/* Takes the string: *out is owned by the caller afterwards. */
static int field_str(const loader *L, const irq_ynode *map, const irq_param_desc *d,
                     const char *what, char **out, irq_mark *mark)
{
    irq_param_value v = {0};
    int rc = field(L, map, d, what, &v);
    *out = v.str;
    if (mark)
        *mark = v.mark;
    return rc;
}

static int need_seq(const loader *L, const irq_ynode *n, const char *key, const char *of)
{
    if (irq_ynode_is_null(n) || n->kind == IRQ_YSEQ)
        return IRQ_OK;
    return irq_error_set(L->c.err, IRQ_EINPUT, &n->mark, "'%s' must be a sequence of %s, not %s",
                         key, of, irq_ynode_kind_name(n));
}

static size_t seq_len(const irq_ynode *n)
{
    return n && n->kind == IRQ_YSEQ ? n->n : 0;
}

static bool good_name(const char *s)
{
    size_t n = strlen(s);
    if (n == 0 || n > MAX_NAME)
        return false;
    for (; *s; s++)
        if (!strchr("abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789_.-", *s))
            return false;
    return true;
}

/* name of a guest template or a source: required, [A-Za-z0-9_.-]{1,64}. */
static int entity_name(const loader *L, const irq_ynode *map, const char *what, char **out,
                       irq_mark *mark)
{
    int rc = field_str(L, map, &f_name, what, out, mark);
    if (rc == IRQ_OK && !good_name(*out))
        rc = irq_error_set(L->c.err, IRQ_EINPUT, mark,
                           "bad name '%s' for %s (expected letters, digits, '_', '.' or '-'; at "
                           "most %d characters)",
                           *out, what, MAX_NAME);
    return rc;
}

/* ---- duplicate names ---------------------------------------------------------- */

typedef struct named {
    const char *name;
    const irq_mark *mark;
    size_t idx;
} named;

static int named_cmp(const void *a, const void *b)
{
    const named *x = a, *y = b;
    int c = strcmp(x->name, y->name);
    return c ? c : (x->idx > y->idx) - (x->idx < y->idx);
}

/* Sorts r[] by name and reports the first repeated name (in input order). */
static int check_unique(const loader *L, named *r, size_t n, const char *what)
{
    qsort(r, n, sizeof *r, named_cmp);
    const named *dup = NULL, *first = NULL;
    for (size_t k = 0; k + 1 < n; k++) {
        if (strcmp(r[k].name, r[k + 1].name) || (dup && r[k + 1].idx >= dup->idx))
            continue;
        size_t s = k;
        while (s > 0 && !strcmp(r[s - 1].name, r[k].name))
            s--;
        dup = &r[k + 1];
        first = &r[s];
    }
    if (!dup)
        return IRQ_OK;
    return irq_error_set(L->c.err, IRQ_EINPUT, dup->mark,
                         "duplicate %s name '%s' (first at line %u, column %u)", what, dup->name,
                         first->mark->line, first->mark->column);
}

/* ---- top level -------------------------------------------------------------------- */

static int load_seed(loader *L)
{
    const irq_ynode *n = irq_ymap_get(L->root, "seed");
    char why[160];
    L->sc->seed = 1;
    if (!n)
        return IRQ_OK;
    if (irq_ynode_is_null(n) || n->kind != IRQ_YSCALAR)
        return irq_error_set(L->c.err, IRQ_EINPUT, &n->mark,
                             "'seed' must be a whole number, not %s", irq_ynode_kind_name(n));
    if (irq_parse_u64(n->text, &L->sc->seed, why, sizeof why))
        return irq_error_set(L->c.err, IRQ_EINPUT, &n->mark, "bad value '%s' for 'seed' (%s)",
                             n->text, why);
    return IRQ_OK;
}

static int load_clock(loader *L)
{
    const irq_ynode *n = irq_ymap_get(L->root, "clock_hz");
    char why[160];
    double hz = 1e9;
    if (n && (irq_ynode_is_null(n) || n->kind != IRQ_YSCALAR))
        return irq_error_set(L->c.err, IRQ_EINPUT, &n->mark,
                             "'clock_hz' must be a frequency such as 2.5GHz, not %s",
                             irq_ynode_kind_name(n));
    if (n && irq_parse_hz(n->text, &hz, why, sizeof why))
        return irq_error_set(L->c.err, IRQ_EINPUT, &n->mark, "bad value '%s' for 'clock_hz' (%s)",
                             n->text, why);
    if (n && (hz < 1e6 || hz > 1e11))
        return irq_error_set(L->c.err, IRQ_EINPUT, &n->mark,
                             "'clock_hz' must be from 1MHz to 100GHz (got %s)", n->text);
    L->sc->clock_hz = L->c.clock_hz = hz;
    return IRQ_OK;
}

static int load_basics(loader *L)
{
    irq_scenario *sc = L->sc;
    irq_mark m;
    int rc = field_str(L, L->root, &f_name, "the top level", &sc->name, &m);
    if (rc == IRQ_OK && !sc->name[0])
        rc = irq_error_set(L->c.err, IRQ_EINPUT, &m, "'name' must not be empty");
    if (rc == IRQ_OK)
        rc = load_seed(L);
    if (rc == IRQ_OK)
        rc = load_clock(L);
    if (rc == IRQ_OK)
        rc = field_dur(L, L->root, &f_duration, "the top level", &sc->duration, &m);
    if (rc == IRQ_OK && sc->duration == 0)
        rc = irq_error_set(L->c.err, IRQ_EINPUT, &m, "'duration' must be greater than 0");
    return rc;
}

static int load_host(loader *L)
{
    const irq_ynode *n = irq_ymap_get(L->root, "host");
    irq_param_value *v = L->sc->host;
    int rc = irq_expect_map(n, "'host'", &L->c);
    if (rc == IRQ_OK)
        rc = irq_params_defaults(v, irq_host_params, IRQ_HOST_NPARAMS, &L->c);
    if (rc == IRQ_OK)
        rc = irq_params_check_keys(n, irq_host_params, IRQ_HOST_NPARAMS, NULL, "host", L->c.err);
    if (rc == IRQ_OK)
        rc = irq_params_apply(v, irq_host_params, IRQ_HOST_NPARAMS, n, &L->c);
    if (rc == IRQ_OK)
        rc = irq_params_check_required(v, irq_host_params, IRQ_HOST_NPARAMS,
                                       n ? &n->mark : &L->root->mark, "host", L->c.err);
    return rc;
}

static void model_names(char *buf, size_t len)
{
    size_t n, used = 0;
    const irq_model_ops *const *list = irq_model_list(&n);
    buf[0] = '\0';
    for (size_t i = 0; i < n && used < len; i++) {
        int w = snprintf(buf + used, len - used, "%s%s", i ? ", " : "", list[i]->name);
        used += w > 0 ? (size_t)w : 0;
    }
}

static int load_model(loader *L)
{
    const irq_ynode *n = irq_ymap_get(L->root, "model"), *name;
    char names[200], what[100];
    model_names(names, sizeof names);
    if (irq_ynode_is_null(n))
        return irq_error_set(L->c.err, IRQ_EINPUT, n ? &n->mark : &L->root->mark,
                             "missing required key 'model' in the top level (expected a mapping "
                             "with name: one of %s)",
                             names);
    int rc = irq_expect_map(n, "'model'", &L->c);
    if (rc != IRQ_OK)
        return rc;
    name = irq_ymap_get(n, "name");
    if (!name)
        return irq_error_set(L->c.err, IRQ_EINPUT, &n->mark,
                             "missing required key 'name' in model (expected one of: %s)", names);
    if (irq_ynode_is_null(name) || name->kind != IRQ_YSCALAR)
        return irq_error_set(L->c.err, IRQ_EINPUT, &name->mark,
                             "'name' of model must be a model name, not %s (expected one of: %s)",
                             irq_ynode_kind_name(name), names);
    const irq_model_ops *ops = irq_model_find(name->text);
    if (!ops)
        return irq_error_set(L->c.err, IRQ_EINPUT, &name->mark,
                             "unknown model '%s' (available: %s)", name->text, names);
    L->sc->model = ops;
    snprintf(what, sizeof what, "model '%s'", ops->name);
    return irq_params_decode(&L->sc->model_params, ops->params, ops->nparams, n, &n->mark,
                             model_extra, what, &L->c);
}

static int load_output(loader *L)
{
    const irq_ynode *n = irq_ymap_get(L->root, "output");
    irq_output_cfg *o = &L->sc->output;
    int64_t fmt = 0;
    int rc = irq_expect_map(n, "'output'", &L->c);
    if (rc != IRQ_OK || irq_ynode_is_null(n)) {
        o->format = IRQ_FORMAT_TEXT;
        return rc;
    }
    rc = irq_params_check_keys(n, NULL, 0, output_keys, "output", L->c.err);
    if (rc == IRQ_OK)
        rc = field_int(L, n, &f_format, "output", &fmt, NULL);
    o->format = fmt == 1 ? IRQ_FORMAT_JSON : fmt == 2 ? IRQ_FORMAT_CSV : IRQ_FORMAT_TEXT;
    irq_mark m;
    if (rc == IRQ_OK && irq_ymap_get(n, "dir"))
        rc = field_str(L, n, &f_dir, "output", &o->dir, &m);
    if (rc == IRQ_OK && o->dir && !o->dir[0])
        rc = irq_error_set(L->c.err, IRQ_EINPUT, &m,
                           "'dir' in 'output' is empty (expected a folder name, or no 'dir')");
    return rc;
}

/* ---- guest templates ------------------------------------------------------------- */

/* limits: {max_memory: 2G, max_events: N}: the run's budgets, unless the
 * command line sets them (--max-memory, --max-events). */
static int load_limits(loader *L)
{
    const irq_ynode *n = irq_ymap_get(L->root, "limits");
    irq_limits_cfg *l = &L->sc->limits;
    int rc = irq_expect_map(n, "'limits'", &L->c);
    if (rc != IRQ_OK || irq_ynode_is_null(n))
        return rc;
    rc = irq_params_check_keys(n, NULL, 0, limits_keys, "limits", L->c.err);
    int64_t ev = 0;
    if (rc == IRQ_OK && irq_ymap_get(n, "max_events"))
        rc = field_int(L, n, &f_max_events, "limits", &ev, NULL);
    l->max_events = (uint64_t)ev;
    char *text = NULL, why[200];
    irq_mark m;
    if (rc == IRQ_OK && irq_ymap_get(n, "max_memory"))
        rc = field_str(L, n, &f_max_memory, "limits", &text, &m);
    if (rc == IRQ_OK && text && irq_parse_size(text, &l->max_memory, why, sizeof why))
        rc = irq_error_set(L->c.err, IRQ_EINPUT, &m, "bad size '%s' for 'max_memory' (%s)", text,
                           why);
    free(text);
    return rc;
}

static int load_workload(loader *L, irq_guest_tmpl *t, const irq_ynode *map, const char *what)
{
    char w[200];
    irq_param_value *v = NULL;
    snprintf(w, sizeof w, "'workload' of %s", what);
    int rc = irq_params_decode(&v, workload_params, W_N, irq_ymap_get(map, "workload"), &map->mark,
                               NULL, w, &L->c);
    if (rc == IRQ_OK) {
        t->busy = v[W_BUSY].dist;
        t->idle = v[W_IDLE].dist;
        t->handler = v[W_HANDLER].dist;
        memset(&v[W_BUSY].dist, 0, sizeof(irq_dist));
        memset(&v[W_IDLE].dist, 0, sizeof(irq_dist));
        memset(&v[W_HANDLER].dist, 0, sizeof(irq_dist));
        t->start = v[W_START].i ? IRQ_PHASE_IDLE : IRQ_PHASE_BUSY;
        t->stopped = v[W_STOPPED].i != 0;
        t->tasks = (uint32_t)v[W_TASKS].i;
    }
    if (v)
        irq_param_values_free(v, W_N, workload_params);
    free(v);
    return rc;
}

/* Checks the overrides' indexes (in range, unique) before allocating. */
static int check_override_indexes(loader *L, const irq_guest_tmpl *t, const irq_ynode *seq,
                                  const char *what)
{
    uint64_t seen[IRQ_MAX_VCPUS_PER_GUEST / 64] = {0};
    for (size_t i = 0; i < seq->n; i++) {
        const irq_ynode *o = seq->items[i];
        char w[200];
        int64_t idx;
        irq_mark m;
        snprintf(w, sizeof w, "vcpu_overrides[%zu] of %s", i, what);
        int rc = irq_expect_map(o, w, &L->c);
        if (rc == IRQ_OK && irq_ynode_is_null(o))
            rc = irq_error_set(L->c.err, IRQ_EINPUT, &o->mark,
                               "empty entry in vcpu_overrides of %s", what);
        if (rc == IRQ_OK)
            rc = field_int(L, o, &f_index, w, &idx, &m);
        if (rc == IRQ_OK && idx >= t->vcpus)
            rc = irq_error_set(L->c.err, IRQ_EINPUT, &m,
                               "'index' must be less than the template's vcpus (%u) (got %s)",
                               t->vcpus, irq_ymap_get(o, "index")->text);
        if (rc == IRQ_OK && (seen[idx / 64] >> (idx % 64) & 1))
            rc = irq_error_set(L->c.err, IRQ_EINPUT, &m, "vCPU %lld is overridden twice in %s",
                               (long long)idx, what);
        if (rc != IRQ_OK)
            return rc;
        seen[idx / 64] |= 1ull << (idx % 64);
    }
    return IRQ_OK;
}

static int load_override(loader *L, irq_vcpu_override *ov, const irq_ynode *tmpl_vcpu,
                         const irq_ynode *o, const char *what)
{
    const irq_model_ops *ops = L->sc->model;
    const irq_param_desc *d = ops->vcpu_params;
    size_t n = ops->nvcpu_params;
    int64_t idx = 0;
    ov->mark = o->mark;
    ov->params = calloc(n ? n : 1, sizeof *ov->params);
    if (!ov->params)
        return irq_error_set(L->c.err, IRQ_ENOMEM, &o->mark, "out of memory");
    int rc = field_int(L, o, &f_index, what, &idx, NULL);
    ov->index = (uint32_t)idx;
    if (rc == IRQ_OK)
        rc = irq_params_check_keys(o, d, n, override_extra, what, L->c.err);
    if (rc == IRQ_OK)
        rc = irq_params_defaults(ov->params, d, n, &L->c);
    if (rc == IRQ_OK)
        rc = irq_params_apply(ov->params, d, n, tmpl_vcpu, &L->c);
    if (rc == IRQ_OK)
        rc = irq_params_apply(ov->params, d, n, o, &L->c);
    if (rc == IRQ_OK)
        rc = irq_params_check_required(ov->params, d, n, &o->mark, what, L->c.err);
    return rc;
}

static int load_overrides(loader *L, irq_guest_tmpl *t, const irq_ynode *map, const char *what)
{
    const irq_ynode *seq = irq_ymap_get(map, "vcpu_overrides");
    int rc = need_seq(L, seq, "vcpu_overrides", "mappings with an index");
    if (rc != IRQ_OK || !seq_len(seq))
        return rc;
    rc = check_override_indexes(L, t, seq, what);
    if (rc != IRQ_OK)
        return rc;
    t->overrides = calloc(seq->n, sizeof *t->overrides);
    if (!t->overrides)
        return irq_error_set(L->c.err, IRQ_ENOMEM, &seq->mark, "out of memory");
    t->noverrides = seq->n;
    const irq_ynode *tmpl_vcpu = irq_ymap_get(map, "vcpu");
    for (size_t i = 0; rc == IRQ_OK && i < seq->n; i++) {
        char w[200];
        snprintf(w, sizeof w, "vcpu_overrides[%zu] of %s", i, what);
        rc = load_override(L, &t->overrides[i], tmpl_vcpu, seq->items[i], w);
    }
    return rc;
}

static int count_totals(loader *L, const irq_guest_tmpl *t)
{
    irq_scenario *sc = L->sc;
    sc->total_guests += t->count;
    sc->total_vcpus += (uint64_t)t->count * t->vcpus;
    if (sc->total_guests > IRQ_MAX_GUESTS)
        return irq_error_set(L->c.err, IRQ_EINPUT, &t->mark,
                             "too many guests: guest template '%s' brings the total to %llu (at "
                             "most %u)",
                             t->name, (unsigned long long)sc->total_guests, IRQ_MAX_GUESTS);
    if (sc->total_vcpus > IRQ_MAX_VCPUS_TOTAL)
        return irq_error_set(L->c.err, IRQ_EINPUT, &t->mark,
                             "too many vCPUs: guest template '%s' brings the total to %llu (at "
                             "most %u)",
                             t->name, (unsigned long long)sc->total_vcpus, IRQ_MAX_VCPUS_TOTAL);
    return IRQ_OK;
}

static int load_tmpl_model(loader *L, irq_guest_tmpl *t, const irq_ynode *map, const char *what)
{
    const irq_model_ops *ops = L->sc->model;
    char w[200];
    snprintf(w, sizeof w, "'model' of %s", what);
    int rc = irq_params_decode(&t->model_params, ops->guest_params, ops->nguest_params,
                               irq_ymap_get(map, "model"), &map->mark, NULL, w, &L->c);
    snprintf(w, sizeof w, "'vcpu' of %s", what);
    if (rc == IRQ_OK)
        rc = irq_params_decode(&t->vcpu_params, ops->vcpu_params, ops->nvcpu_params,
                               irq_ymap_get(map, "vcpu"), &map->mark, NULL, w, &L->c);
    return rc;
}

static int load_tmpl(loader *L, irq_guest_tmpl *t, const irq_ynode *map, size_t i)
{
    char what[96];
    int64_t x = 0;
    snprintf(what, sizeof what, "guests[%zu]", i);
    int rc = irq_expect_map(map, what, &L->c);
    if (rc == IRQ_OK && irq_ynode_is_null(map))
        rc = irq_error_set(L->c.err, IRQ_EINPUT, &map->mark, "empty entry in 'guests'");
    if (rc == IRQ_OK)
        rc = entity_name(L, map, "guest template", &t->name, &t->mark);
    if (rc != IRQ_OK)
        return rc;
    t->mark = map->mark;
    snprintf(what, sizeof what, "guest template '%s'", t->name);
    rc = irq_params_check_keys(map, NULL, 0, tmpl_keys, what, L->c.err);
    if (rc == IRQ_OK)
        rc = field_int(L, map, &f_count, what, &x, NULL);
    t->count = (uint32_t)x;
    if (rc == IRQ_OK)
        rc = field_int(L, map, &f_vcpus, what, &x, NULL);
    t->vcpus = (uint32_t)x;
    if (rc == IRQ_OK)
        rc = count_totals(L, t);
    if (rc == IRQ_OK)
        rc = load_workload(L, t, map, what);
    if (rc == IRQ_OK)
        rc = load_tmpl_model(L, t, map, what);
    if (rc == IRQ_OK)
        rc = load_overrides(L, t, map, what);
    return rc;
}

static int tmpl_cmp_ctx(const irq_scenario *sc, uint32_t a, const char *name, size_t len)
{
    int c = strncmp(sc->tmpls[a].name, name, len);
    return c ? c : (sc->tmpls[a].name[len] != '\0');
}

/* Index of the template called name[0..len), or -1 (binary search). */
static int64_t find_tmpl(const loader *L, const char *name, size_t len)
{
    size_t lo = 0, hi = L->sc->ntmpls;
    while (lo < hi) {
        size_t mid = lo + (hi - lo) / 2;
        int c = tmpl_cmp_ctx(L->sc, L->order[mid], name, len);
        if (c == 0)
            return L->order[mid];
        if (c < 0)
            lo = mid + 1;
        else
            hi = mid;
    }
    return -1;
}

/* Splits "web-12" into the template and the instance (-1 when none). */
static int64_t split_instance(const loader *L, const char *s, int64_t *inst)
{
    const char *dash = strrchr(s, '-');
    *inst = -1;
    if (!dash || !dash[1] || strlen(dash + 1) > 6 || (dash[1] == '0' && dash[2]))
        return -1;
    for (const char *p = dash + 1; *p; p++)
        if (*p < '0' || *p > '9')
            return -1;
    *inst = atol(dash + 1);
    return find_tmpl(L, s, (size_t)(dash - s));
}

/* A template of count 1 whose name is another's instance name ("web-1"
 * next to web with count 3) would make two guests of the same name. */
static int check_instance_clash(const loader *L)
{
    for (size_t i = 0; i < L->sc->ntmpls; i++) {
        const irq_guest_tmpl *t = &L->sc->tmpls[i], *o;
        int64_t inst, k = split_instance(L, t->name, &inst);
        if (t->count != 1 || k < 0 || (o = &L->sc->tmpls[k])->count <= 1 || inst >= o->count)
            continue;
        return irq_error_set(L->c.err, IRQ_EINPUT, &t->mark,
                             "guest template '%s' has the name of an instance of guest template "
                             "'%s' (line %u, column %u)",
                             t->name, o->name, o->mark.line, o->mark.column);
    }
    return IRQ_OK;
}

static int index_tmpls(loader *L)
{
    irq_scenario *sc = L->sc;
    named *r = malloc(sc->ntmpls * sizeof *r);
    L->order = malloc(sc->ntmpls * sizeof *L->order);
    if (!r || !L->order) {
        free(r);
        return irq_error_set(L->c.err, IRQ_ENOMEM, NULL, "out of memory");
    }
    for (size_t i = 0; i < sc->ntmpls; i++)
        r[i] = (named){sc->tmpls[i].name, &sc->tmpls[i].mark, i};
    int rc = check_unique(L, r, sc->ntmpls, "guest template");
    for (size_t i = 0; i < sc->ntmpls; i++)
        L->order[i] = (uint32_t)r[i].idx;
    free(r);
    return rc == IRQ_OK ? check_instance_clash(L) : rc;
}

static int load_guests(loader *L)
{
    const irq_ynode *seq = irq_ymap_get(L->root, "guests");
    irq_scenario *sc = L->sc;
    int rc = need_seq(L, seq, "guests", "guest templates");
    if (rc != IRQ_OK)
        return rc;
    if (!seq_len(seq))
        return irq_error_set(L->c.err, IRQ_EINPUT, seq ? &seq->mark : &L->root->mark,
                             "%s (expected a sequence of guest templates, at least one)",
                             seq ? "no guest templates in 'guests'"
                                 : "missing required key 'guests' in the top level");
    if (seq->n > IRQ_MAX_GUESTS)
        return irq_error_set(L->c.err, IRQ_EINPUT, &seq->mark,
                             "too many guest templates: %zu (at most %u)", seq->n, IRQ_MAX_GUESTS);
    sc->tmpls = calloc(seq->n, sizeof *sc->tmpls);
    if (!sc->tmpls)
        return irq_error_set(L->c.err, IRQ_ENOMEM, &seq->mark, "out of memory");
    sc->ntmpls = seq->n;
    for (size_t i = 0; rc == IRQ_OK && i < seq->n; i++)
        rc = load_tmpl(L, &sc->tmpls[i], seq->items[i], i);
    return rc == IRQ_OK ? index_tmpls(L) : rc;
}

/* ---- sources -------------------------------------------------------------------- */

static void tmpl_names(const irq_scenario *sc, char *buf, size_t len)
{
    size_t used = 0;
    buf[0] = '\0';
    for (size_t i = 0; i < sc->ntmpls; i++) {
        int w = snprintf(buf + used, len - used, "%s%s", i ? ", " : "", sc->tmpls[i].name);
        if (w < 0 || (size_t)w >= len - used) {
            memcpy(buf + len - 4, "...", 4);
            return;
        }
        used += (size_t)w;
    }
}

static int bad_target(const loader *L, const irq_source_cfg *s, const char *text, const irq_mark *m,
                      int64_t k, int64_t inst)
{
    const irq_guest_tmpl *t = k >= 0 ? &L->sc->tmpls[k] : NULL;
    char names[300];
    if (t && t->count == 1)
        return irq_error_set(L->c.err, IRQ_EINPUT, m,
                             "bad target '%s' for source '%s' (guest template '%s' has one "
                             "instance, named '%s')",
                             text, s->name, t->name, t->name);
    if (t)
        return irq_error_set(L->c.err, IRQ_EINPUT, m,
                             "bad target '%s' for source '%s' (guest template '%s' has %u "
                             "instances: %s-0 .. %s-%u; got %lld)",
                             text, s->name, t->name, t->count, t->name, t->name, t->count - 1,
                             (long long)inst);
    tmpl_names(L->sc, names, sizeof names);
    return irq_error_set(L->c.err, IRQ_EINPUT, m,
                         "unknown target '%s' for source '%s' (expected a guest template name or "
                         "an instance name such as %s-0; guest templates: %s)",
                         text, s->name, L->sc->tmpls[0].name, names);
}

static int load_target(loader *L, irq_source_cfg *s, const irq_ynode *map, const char *what)
{
    char *text = NULL;
    irq_mark m;
    int rc = field_str(L, map, &f_target, what, &text, &m);
    if (rc != IRQ_OK) {
        free(text);
        return rc;
    }
    int64_t inst = -1, k = find_tmpl(L, text, strlen(text));
    if (k >= 0) {
        s->tmpl = (uint32_t)k;
        s->instance = -1;
    } else if ((k = split_instance(L, text, &inst)) >= 0 && L->sc->tmpls[k].count > 1 &&
               inst < L->sc->tmpls[k].count) {
        s->tmpl = (uint32_t)k;
        s->instance = inst;
    } else {
        rc = bad_target(L, s, text, &m, k, inst);
    }
    free(text);
    return rc;
}

static int load_source_vcpu(loader *L, irq_source_cfg *s, const irq_ynode *map, const char *what)
{
    const irq_guest_tmpl *t = &L->sc->tmpls[s->tmpl];
    irq_mark m;
    s->vcpu = -1;
    if (!irq_ymap_get(map, "vcpu"))
        return IRQ_OK;
    int rc = field_int(L, map, &f_vcpu, what, &s->vcpu, &m);
    if (rc == IRQ_OK && s->vcpu >= t->vcpus)
        rc = irq_error_set(L->c.err, IRQ_EINPUT, &m,
                           "'vcpu' must be less than the vcpus of guest template '%s' (%u) (got "
                           "%lld)",
                           t->name, t->vcpus, (long long)s->vcpu);
    return rc;
}

/* `from: N` (vCPU N of the targeted guest sends) or `from: all` (each of its
 * vCPUs sends, at the given rate each): arrivals in the sender's guest time. */
static int load_source_from(loader *L, irq_source_cfg *s, const irq_ynode *map, const char *what)
{
    const irq_guest_tmpl *t = &L->sc->tmpls[s->tmpl];
    char *text = NULL, *end = NULL;
    irq_mark m;
    s->from = IRQ_FROM_OUTSIDE;
    if (!irq_ymap_get(map, "from"))
        return IRQ_OK;
    int rc = field_str(L, map, &f_from, what, &text, &m);
    if (rc == IRQ_OK && !strcmp(text, "all")) {
        s->from = IRQ_FROM_ALL;
    } else if (rc == IRQ_OK) {
        long long n = strtoll(text, &end, 10);
        if (end == text || *end || n < 0 || n >= t->vcpus)
            rc = irq_error_set(L->c.err, IRQ_EINPUT, &m,
                               "bad 'from' in %s: '%s' (expected a vCPU index of guest template "
                               "'%s', 0..%u, or 'all')",
                               what, text, t->name, t->vcpus - 1);
        else
            s->from = n;
    }
    free(text);
    return rc;
}

/* ---- arrivals ---------------------------------------------------------------- */

#define ARRIVALS_EXPECT                                                                            \
    "expected poisson(2000/s), periodic(1ms), periodic(1ms, jitter=10us), "                        \
    "storm(count=500, window=100us, period=10ms) or replay(file.csv)"

typedef struct arrctx {
    loader *L;
    irq_source_cfg *s;
    const irq_ynode *node;
    const irq_call *call;
    bool start_given; /* the source's own start key */
    char why[400];
} arrctx;

static int arr_fail(arrctx *a)
{
    return irq_error_set(a->L->c.err, IRQ_EINPUT, &a->node->mark,
                         "bad arrivals '%s' for source '%s' (%s)", a->node->text, a->s->name,
                         a->why);
}

/* Duration argument k of the call into *out; absent: *out unchanged
 * (error when required). */
static int arr_dur(arrctx *a, const char *const *keys, size_t k, bool required, double *out)
{
    const char *v = irq_call_get(a->call, keys, k);
    char sub[200];
    if (!v && required) {
        snprintf(a->why, sizeof a->why, "%s() needs %s=", a->call->name, keys[k]);
        return -1;
    }
    if (v && irq_parse_duration(v, a->L->c.clock_hz, out, sub, sizeof sub)) {
        snprintf(a->why, sizeof a->why, "bad %s '%s': %s", keys[k], v, sub);
        return -1;
    }
    return 0;
}

/* Arrivals are at least one clock cycle apart on average: the documented
 * floor (more would pile up on one cycle and simulated time would not move). */
static int below_one_cycle(arrctx *a, double mean_cycles)
{
    snprintf(a->why, sizeof a->why,
             "the mean interval is %.3g cycles; arrivals must be at least one clock cycle apart on "
             "average (at most %.6g per second at this clock_hz)",
             mean_cycles, a->L->c.clock_hz);
    return -1;
}

static int arr_poisson(arrctx *a)
{
    static const char *const keys[] = {"rate"};
    const char *v;
    if (irq_call_check(a->call, keys, 1, a->why, sizeof a->why))
        return -1;
    if (!(v = irq_call_get(a->call, keys, 0))) {
        snprintf(a->why, sizeof a->why, "poisson() needs a rate such as 2000/s");
        return -1;
    }
    char sub[200];
    if (irq_parse_rate(v, a->L->c.clock_hz, &a->s->rate, sub, sizeof sub)) {
        snprintf(a->why, sizeof a->why, "bad rate '%s': %s", v, sub);
        return -1;
    }
    if (a->s->rate <= 0) {
        snprintf(a->why, sizeof a->why, "the rate must be greater than 0");
        return -1;
    }
    if (a->s->rate > 1) /* every arrival would fall on the same cycle: time stands still */
        return below_one_cycle(a, 1 / a->s->rate);
    a->s->kind = IRQ_ARR_POISSON;
    return 0;
}

static int arr_periodic(arrctx *a)
{
    static const char *const keys[] = {"interval", "jitter"};
    irq_source_cfg *s = a->s;
    if (irq_call_check(a->call, keys, 2, a->why, sizeof a->why) ||
        arr_dur(a, keys, 0, true, &s->interval) || arr_dur(a, keys, 1, false, &s->jitter))
        return -1;
    s->kind = IRQ_ARR_PERIODIC;
    if (s->interval <= 0)
        snprintf(a->why, sizeof a->why, "the interval must be greater than 0");
    else if (s->interval < 1)
        return below_one_cycle(a, s->interval);
    else if (s->jitter > s->interval / 2)
        snprintf(a->why, sizeof a->why, "the jitter must be at most half the interval");
    else
        return 0;
    return -1;
}

static int arr_storm_count(arrctx *a, const char *const *keys)
{
    const char *v = irq_call_get(a->call, keys, 0);
    char sub[200];
    if (!v) {
        snprintf(a->why, sizeof a->why, "storm() needs count=");
        return -1;
    }
    if (irq_parse_u64(v, &a->s->count, sub, sizeof sub)) {
        snprintf(a->why, sizeof a->why, "bad count '%s': %s", v, sub);
        return -1;
    }
    if (a->s->count < 1 || a->s->count > 1000000000) {
        snprintf(a->why, sizeof a->why, "count must be from 1 to 1000000000 (got %s)", v);
        return -1;
    }
    return 0;
}

static int arr_storm(arrctx *a)
{
    static const char *const keys[] = {"count", "window", "period", "start", "spacing"};
    irq_source_cfg *s = a->s;
    double start = -1;
    if (irq_call_check(a->call, keys, 5, a->why, sizeof a->why) || arr_storm_count(a, keys) ||
        arr_dur(a, keys, 1, true, &s->window) || arr_dur(a, keys, 2, false, &s->period) ||
        arr_dur(a, keys, 3, false, &start))
        return -1;
    const char *sp = irq_call_get(a->call, keys, 4);
    s->kind = IRQ_ARR_STORM;
    s->even = sp && !strcmp(sp, "even");
    if (sp && !s->even && strcmp(sp, "random"))
        snprintf(a->why, sizeof a->why, "bad spacing '%s' (expected even or random)", sp);
    else if (s->period > 0 && s->period < s->window)
        snprintf(a->why, sizeof a->why, "the period must be 0 (once) or at least the window");
    else if (s->period > 0 && s->period < (double)s->count)
        return below_one_cycle(a, s->period / (double)s->count);
    else if (start >= 0 && a->start_given)
        snprintf(a->why, sizeof a->why, "start is given both here and as the source's 'start'");
    else {
        if (start >= 0)
            s->start = (uint64_t)llround(start);
        return 0;
    }
    return -1;
}

/* One replay line: a bare number is nanoseconds, else a duration. */
static int replay_time(arrctx *a, const char *field, double *cycles)
{
    double v;
    size_t n = irq_scan_number(field, &v);
    if (n && field[n] == '\0') {
        *cycles = v * a->L->c.clock_hz / 1e9;
        if (*cycles <= 9.2e18)
            return 0;
        snprintf(a->why, sizeof a->why, "too large");
        return -1;
    }
    return irq_parse_duration(field, a->L->c.clock_hz, cycles, a->why, sizeof a->why);
}

static int replay_error(arrctx *a, const char *path, size_t line, const char *fmt,
                        const char *field)
{
    char msg[sizeof a->why + 200]; /* the reason and the quoted field */
    irq_mark m = {path, (unsigned)line, 1};
    const irq_mark *at = &a->node->mark;
    snprintf(msg, sizeof msg, fmt, field, a->why);
    return irq_error_set(a->L->c.err, IRQ_EINPUT, &m, "%s (replay of source '%s' at %s:%u:%u)", msg,
                         a->s->name, at->file, at->line, at->column);
}

static int replay_push(arrctx *a, double cycles, size_t *cap)
{
    irq_source_cfg *s = a->s;
    if (s->ntimes == IRQ_MAX_SAMPLES) {
        snprintf(a->why, sizeof a->why, "more than %u timestamps", IRQ_MAX_SAMPLES);
        return IRQ_EINPUT;
    }
    if (s->ntimes == *cap) {
        size_t nc = *cap ? *cap * 2 : 256;
        uint64_t *t = realloc(s->times, nc * sizeof *t);
        if (!t)
            return IRQ_ENOMEM;
        s->times = t;
        *cap = nc;
    }
    s->times[s->ntimes++] = (uint64_t)llround(cycles);
    return IRQ_OK;
}

static int replay_lines(arrctx *a, const char *path, const char *data, size_t len)
{
    const char *p = data, *line;
    size_t n, lineno = 0, cap = 0, prev_line = 0;
    while ((line = irq_next_line(&p, data + len, &n, &lineno))) {
        char field[128];
        const char *comma = memchr(line, ',', n);
        size_t fl = comma ? (size_t)(comma - line) : n;
        snprintf(field, sizeof field, "%.*s", (int)fl, line);
        for (size_t e = strlen(field); e && (field[e - 1] == ' ' || field[e - 1] == '\t'); e--)
            field[e - 1] = '\0';
        bool header =
            a->s->ntimes == 0 && prev_line == 0 &&
            ((field[0] >= 'a' && field[0] <= 'z') || (field[0] >= 'A' && field[0] <= 'Z'));
        double c;
        if (header) {
            prev_line = lineno;
            continue;
        }
        bool nul = memchr(line, '\0', n) != NULL, lng = fl >= sizeof field;
        if (nul)
            snprintf(a->why, sizeof a->why, "the line holds a NUL byte: not a text file?");
        else if (lng)
            snprintf(a->why, sizeof a->why, "the field is %zu bytes long, at most %zu", fl,
                     sizeof field - 1);
        if (nul || lng || replay_time(a, field, &c))
            return replay_error(a, path, lineno, "bad timestamp '%.40s' (%s)", field);
        if (a->s->ntimes && llround(c) < (long long)a->s->times[a->s->ntimes - 1]) {
            snprintf(a->why, sizeof a->why, "line %zu has a later one", prev_line);
            return replay_error(a, path, lineno, "timestamp '%s' is not in ascending order (%s)",
                                field);
        }
        int rc = replay_push(a, c, &cap);
        if (rc == IRQ_ENOMEM)
            return irq_error_set(a->L->c.err, rc, &a->node->mark, "out of memory");
        if (rc != IRQ_OK)
            return replay_error(a, path, lineno, "too many timestamps at '%s' (%s)", field);
        prev_line = lineno;
    }
    if (a->s->ntimes)
        return IRQ_OK;
    snprintf(a->why, sizeof a->why, "expected one timestamp per line");
    return replay_error(a, path, 0, "no timestamps in the file%s (%s)", "");
}

static int arr_replay(arrctx *a)
{
    char *path = NULL, *data = NULL;
    size_t len;
    if (!*a->call->inner) {
        snprintf(a->why, sizeof a->why, "replay() needs a file name");
        return arr_fail(a);
    }
    a->s->kind = IRQ_ARR_REPLAY;
    path = irq_path_join(a->L->c.base_dir, a->call->inner);
    if (!path)
        return irq_error_set(a->L->c.err, IRQ_ENOMEM, &a->node->mark, "out of memory");
    char sub[200];
    int rc;
    if (irq_read_file(path, IRQ_MAX_FILE_BYTES, &data, &len, sub, sizeof sub)) {
        snprintf(a->why, sizeof a->why, "cannot read %s: %s", path, sub);
        rc = arr_fail(a);
    } else {
        rc = replay_lines(a, path, data, len);
    }
    if (rc == IRQ_OK && a->L->c.data_hash)
        *a->L->c.data_hash =
            irq_hash_bytes(*a->L->c.data_hash, a->s->times, a->s->ntimes * sizeof *a->s->times);
    free(data);
    free(path);
    return rc;
}

static int load_arrivals(loader *L, irq_source_cfg *s, const irq_ynode *map, const char *what)
{
    char *text = NULL;
    irq_call call;
    int rc = field_str(L, map, &f_arrivals, what, &text, NULL);
    free(text);
    if (rc != IRQ_OK)
        return rc;
    arrctx a = {.L = L, .s = s, .node = irq_ymap_get(map, "arrivals"), .call = &call};
    a.start_given = irq_ymap_get(map, "start") != NULL;
    int r = irq_call_parse(&call, a.node->text, a.why, sizeof a.why);
    if (r == 0)
        snprintf(a.why, sizeof a.why, ARRIVALS_EXPECT);
    if (r <= 0)
        return arr_fail(&a);
    if (!strcmp(call.name, "replay"))
        return arr_replay(&a);
    if (!strcmp(call.name, "poisson"))
        r = arr_poisson(&a);
    else if (!strcmp(call.name, "periodic"))
        r = arr_periodic(&a);
    else if (!strcmp(call.name, "storm"))
        r = arr_storm(&a);
    else {
        snprintf(a.why, sizeof a.why, "unknown kind '%s'; " ARRIVALS_EXPECT, call.name);
        r = -1;
    }
    return r ? arr_fail(&a) : IRQ_OK;
}

/* ---- sources, continued -------------------------------------------------------- */

static int load_source_times(loader *L, irq_source_cfg *s, const irq_ynode *map, const char *what)
{
    irq_mark m;
    int rc = field_dur(L, map, &f_start, what, &s->start, NULL);
    if (rc == IRQ_OK)
        rc = field_dur(L, map, &f_stop, what, &s->stop, &m);
    if (rc == IRQ_OK)
        rc = load_arrivals(L, s, map, what);
    if (rc == IRQ_OK && s->stop && s->stop <= s->start)
        rc =
            irq_error_set(L->c.err, IRQ_EINPUT, &m,
                          "'stop' must be after 'start' in %s (or 0 for the end of the run)", what);
    return rc;
}

static int load_source(loader *L, irq_source_cfg *s, const irq_ynode *map, size_t i,
                       uint64_t *instances)
{
    char what[96];
    int64_t x = 0;
    snprintf(what, sizeof what, "sources[%zu]", i);
    int rc = irq_expect_map(map, what, &L->c);
    if (rc == IRQ_OK && irq_ynode_is_null(map))
        rc = irq_error_set(L->c.err, IRQ_EINPUT, &map->mark, "empty entry in 'sources'");
    if (rc == IRQ_OK)
        rc = entity_name(L, map, "source", &s->name, &s->mark);
    if (rc != IRQ_OK)
        return rc;
    s->mark = map->mark;
    snprintf(what, sizeof what, "source '%s'", s->name);
    rc = irq_params_check_keys(map, NULL, 0, source_keys, what, L->c.err);
    if (rc == IRQ_OK)
        rc = load_target(L, s, map, what);
    if (rc == IRQ_OK)
        rc = load_source_vcpu(L, s, map, what);
    if (rc == IRQ_OK)
        rc = load_source_from(L, s, map, what);
    if (rc == IRQ_OK)
        rc = field_int(L, map, &f_class, what, &x, NULL);
    s->cls = (uint32_t)x;
    if (rc == IRQ_OK)
        rc = field_int(L, map, &f_injection, what, &x, NULL);
    s->injection = x ? IRQ_INJ_SOFTWARE : IRQ_INJ_PASSTHROUGH;
    if (rc == IRQ_OK)
        rc = load_source_times(L, s, map, what);
    *instances += (s->instance < 0 ? L->sc->tmpls[s->tmpl].count : 1) *
                  (s->from == IRQ_FROM_ALL ? (uint64_t)L->sc->tmpls[s->tmpl].vcpus : 1);
    if (rc == IRQ_OK && *instances > IRQ_MAX_SOURCE_INSTANCES)
        rc = irq_error_set(L->c.err, IRQ_EINPUT, &s->mark,
                           "too many source instances: source '%s' brings the total to %llu (at "
                           "most %u; a source targeting a template counts once per instance)",
                           s->name, (unsigned long long)*instances, IRQ_MAX_SOURCE_INSTANCES);
    return rc;
}

static int check_sources_unique(loader *L)
{
    irq_scenario *sc = L->sc;
    named *r = malloc(sc->nsources * sizeof *r);
    if (!r)
        return irq_error_set(L->c.err, IRQ_ENOMEM, NULL, "out of memory");
    for (size_t i = 0; i < sc->nsources; i++)
        r[i] = (named){sc->sources[i].name, &sc->sources[i].mark, i};
    int rc = check_unique(L, r, sc->nsources, "source");
    free(r);
    return rc;
}

static int load_sources(loader *L)
{
    const irq_ynode *seq = irq_ymap_get(L->root, "sources");
    irq_scenario *sc = L->sc;
    uint64_t instances = 0;
    int rc = need_seq(L, seq, "sources", "interrupt sources");
    if (rc != IRQ_OK || !seq_len(seq))
        return rc;
    if (seq->n > IRQ_MAX_SOURCES)
        return irq_error_set(L->c.err, IRQ_EINPUT, &seq->mark, "too many sources: %zu (at most %u)",
                             seq->n, IRQ_MAX_SOURCES);
    sc->sources = calloc(seq->n, sizeof *sc->sources);
    if (!sc->sources)
        return irq_error_set(L->c.err, IRQ_ENOMEM, &seq->mark, "out of memory");
    sc->nsources = seq->n;
    for (size_t i = 0; rc == IRQ_OK && i < seq->n; i++)
        rc = load_source(L, &sc->sources[i], seq->items[i], i, &instances);
    return rc == IRQ_OK ? check_sources_unique(L) : rc;
}

/* ---- entry points ---------------------------------------------------------------- */

static int decode(loader *L)
{
    int rc = irq_params_check_keys(L->root, NULL, 0, top_keys, "the top level", L->c.err);
    if (rc == IRQ_OK)
        rc = load_basics(L);
    if (rc == IRQ_OK)
        rc = load_host(L);
    if (rc == IRQ_OK)
        rc = load_model(L);
    if (rc == IRQ_OK)
        rc = load_guests(L);
    if (rc == IRQ_OK)
        rc = load_sources(L);
    if (rc == IRQ_OK)
        rc = load_output(L);
    if (rc == IRQ_OK)
        rc = load_limits(L);
    if (rc == IRQ_OK && L->sc->model->validate)
        rc = L->sc->model->validate(L->sc, L->c.err);
    return rc;
}

static char *dir_of(const char *path)
{
    const char *slash = strrchr(path, '/');
    if (!slash)
        return strdup(".");
    if (slash == path)
        return strdup("/");
    return strndup(path, (size_t)(slash - path));
}

/* Parses the scenario: text[len] when text is given, else the file. */
static int read_tree(loader *L, const char *text, size_t len)
{
    irq_scenario *sc = L->sc;
    irq_mark top = {sc->path, 0, 0}, first = {sc->path, 1, 1};
    char *data = NULL, why[200];
    if (text && len > IRQ_MAX_SCENARIO_BYTES)
        return irq_error_set(L->c.err, IRQ_EINPUT, &top, "scenario text larger than %u bytes",
                             IRQ_MAX_SCENARIO_BYTES);
    int r =
        text ? 0 : irq_read_file(sc->path, IRQ_MAX_SCENARIO_BYTES, &data, &len, why, sizeof why);
    if (r != 0) /* unreadable: an I/O error; a FIFO, a device, too large: bad input */
        return irq_error_set(L->c.err, r == -2 ? IRQ_EINPUT : IRQ_EIO, &top,
                             "cannot read the scenario: %s", why);
    int rc = irq_ytree_parse(&L->root, text ? text : data, len, sc->path, L->c.err);
    free(data);
    if (rc != IRQ_OK)
        return rc;
    if (irq_ynode_is_null(L->root))
        return irq_error_set(L->c.err, IRQ_EINPUT, L->root ? &L->root->mark : &first,
                             "empty scenario (expected a mapping with name, duration, model, "
                             "guests, ...)");
    if (L->root->kind != IRQ_YMAP)
        return irq_error_set(L->c.err, IRQ_EINPUT, &L->root->mark,
                             "the top level must be a mapping (name: ..., duration: ...), not %s",
                             irq_ynode_kind_name(L->root));
    return IRQ_OK;
}

static int apply_sets(loader *L, const char *const *sets, size_t nsets)
{
    irq_scenario *sc = L->sc;
    if (!sets || !nsets)
        return IRQ_OK;
    sc->set_labels = calloc(nsets, sizeof *sc->set_labels);
    if (!sc->set_labels)
        return irq_error_set(L->c.err, IRQ_ENOMEM, NULL, "out of memory");
    for (size_t i = 0; i < nsets; i++) {
        const char *s = sets[i] ? sets[i] : "";
        size_t len = strlen(s) + 7;
        if (!(sc->set_labels[i] = malloc(len)))
            return irq_error_set(L->c.err, IRQ_ENOMEM, NULL, "out of memory");
        sc->nset_labels = i + 1;
        snprintf(sc->set_labels[i], len, "--set %s", s);
        int rc = irq_ytree_set(L->root, s, sc->set_labels[i], (unsigned)(i + 1), L->c.err);
        if (rc != IRQ_OK)
            return rc;
    }
    return IRQ_OK;
}

/* Loads from text[len] (named name, relative file names against the
 * current directory) or, when text is NULL, from the file name. */
static int load(irq_scenario **out, const char *name, const char *text, size_t len,
                const char *const *sets, size_t nsets, irq_error *err)
{
    irq_scenario *sc = calloc(1, sizeof *sc);
    if (!sc)
        return irq_error_set(err, IRQ_ENOMEM, NULL, "out of memory");
    sc->path = strdup(name);
    sc->base_dir = text ? strdup("") : dir_of(name);
    sc->clock_hz = 1e9;
    sc->data_hash = 0xcbf29ce484222325ull;
    loader L = {.sc = sc,
                .c = {.clock_hz = 1e9,
                      .base_dir = sc->base_dir,
                      .file = sc->path,
                      .err = err,
                      .data_hash = &sc->data_hash}};
    int rc =
        sc->path && sc->base_dir ? IRQ_OK : irq_error_set(err, IRQ_ENOMEM, NULL, "out of memory");
    if (rc == IRQ_OK)
        rc = read_tree(&L, text, len);
    if (rc == IRQ_OK)
        rc = apply_sets(&L, sets, nsets);
    if (rc == IRQ_OK)
        rc = decode(&L);
    irq_ytree_free(L.root);
    free(L.order);
    if (rc != IRQ_OK) {
        irq_scenario_free(sc);
        return rc;
    }
    *out = sc;
    return IRQ_OK;
}

int irq_scenario_load(irq_scenario **out, const char *path, const char *const *sets, size_t nsets,
                      irq_error *err)
{
    if (out)
        *out = NULL;
    if (!out || !path)
        return irq_error_set(err, IRQ_EINPUT, NULL, "no scenario file given");
    return load(out, path, NULL, 0, sets, nsets, err);
}

int irq_scenario_load_string(irq_scenario **out, const char *name, const char *text, size_t len,
                             const char *const *sets, size_t nsets, irq_error *err)
{
    if (out)
        *out = NULL;
    if (!out || !text)
        return irq_error_set(err, IRQ_EINPUT, NULL, "no scenario text given");
    return load(out, name ? name : "<string>", text, len, sets, nsets, err);
}

static void free_values(irq_param_value *v, size_t n)
{
    if (v)
        irq_param_values_free(v, n, NULL);
    free(v);
}

static void free_tmpl(irq_guest_tmpl *t, const irq_model_ops *m)
{
    free(t->name);
    irq_dist_free(&t->busy);
    irq_dist_free(&t->idle);
    irq_dist_free(&t->handler);
    free_values(t->model_params, m ? m->nguest_params : 0);
    free_values(t->vcpu_params, m ? m->nvcpu_params : 0);
    for (size_t i = 0; i < t->noverrides; i++)
        free_values(t->overrides[i].params, m ? m->nvcpu_params : 0);
    free(t->overrides);
}

void irq_scenario_free(irq_scenario *sc)
{
    if (!sc)
        return;
    const irq_model_ops *m = sc->model;
    for (size_t i = 0; i < sc->ntmpls; i++)
        free_tmpl(&sc->tmpls[i], m);
    free(sc->tmpls);
    for (size_t i = 0; i < sc->nsources; i++) {
        free(sc->sources[i].name);
        free(sc->sources[i].times);
    }
    free(sc->sources);
    irq_param_values_free(sc->host, IRQ_HOST_NPARAMS, irq_host_params);
    free_values(sc->model_params, m ? m->nparams : 0);
    free(sc->output.dir);
    for (size_t i = 0; i < sc->nset_labels; i++)
        free(sc->set_labels[i]);
    free(sc->set_labels);
    free(sc->name);
    free(sc->path);
    free(sc->base_dir);
    free(sc);
}

const char *irq_scenario_name(const irq_scenario *sc)
{
    return sc ? sc->name : NULL;
}

/* ---- the keys --set and --vary accept (shell completion) ----------------- */

/* The keys, but for those in skip (" a b ", whole words): sections. */
static void keys_list(FILE *out, const char *prefix, const char *const *keys, const char *skip)
{
    for (size_t i = 0; keys[i]; i++) {
        char word[64];
        snprintf(word, sizeof word, " %s ", keys[i]);
        if (!skip || strstr(skip, word) == NULL)
            fprintf(out, "%s%s\n", prefix, keys[i]);
    }
}

static void keys_table(FILE *out, const char *prefix, const irq_param_desc *d, size_t n)
{
    for (size_t i = 0; i < n; i++)
        fprintf(out, "%s%s\n", prefix, d[i].name);
}

/* The keys of one guest template or source (NAME) or of every one of sc's. */
static void keys_named(FILE *out, const char *section, const irq_scenario *sc, bool sources,
                       const char *rest, const char *const *keys, const char *skip,
                       const irq_param_desc *d, size_t nd)
{
    size_t n = !sc ? 1 : sources ? sc->nsources : sc->ntmpls;
    for (size_t i = 0; i < n; i++) {
        const char *name = !sc ? "NAME" : sources ? sc->sources[i].name : sc->tmpls[i].name;
        char prefix[160];
        snprintf(prefix, sizeof prefix, "%s.%s.%s", section, name, rest);
        if (keys)
            keys_list(out, prefix, keys, skip);
        else
            keys_table(out, prefix, d, nd);
    }
}

/* From the loader's own key lists and the parameter tables: no second
 * list to keep in sync. Without a scenario, every model's parameters (once
 * per model that has them: the shell removes duplicates) and NAME for the
 * guests and sources; with one, its model's and its names. */
void irq_scenario_keys(FILE *out, const irq_scenario *sc)
{
    keys_list(out, "", top_keys, " host model guests sources output ");
    keys_table(out, "host.", irq_host_params, IRQ_HOST_NPARAMS);
    keys_list(out, "model.", model_extra, NULL);
    size_t nm;
    const irq_model_ops *const *models = sc ? &sc->model : irq_model_list(&nm);
    if (sc)
        nm = 1;
    for (size_t m = 0; m < nm; m++) {
        keys_table(out, "model.", models[m]->params, models[m]->nparams);
        keys_named(out, "guests", sc, false, "model.", NULL, NULL, models[m]->guest_params,
                   models[m]->nguest_params);
        keys_named(out, "guests", sc, false, "vcpu.", NULL, NULL, models[m]->vcpu_params,
                   models[m]->nvcpu_params);
    }
    keys_named(out, "guests", sc, false, "", tmpl_keys, " workload model vcpu vcpu_overrides ",
               NULL, 0);
    keys_named(out, "guests", sc, false, "workload.", NULL, NULL, workload_params, W_N);
    keys_named(out, "sources", sc, true, "", source_keys, NULL, NULL, 0);
    keys_list(out, "output.", output_keys, NULL);
}
