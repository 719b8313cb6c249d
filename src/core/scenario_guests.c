/* The scenario's guest templates: name, count, vcpus and workload (the
 * model's sections of a template are in scenario_model.c), the totals'
 * limits, and the index by name that sources' targets are looked up in. */
#ifndef _POSIX_C_SOURCE
#define _POSIX_C_SOURCE 200809L
#endif
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "scenario_load_internal.h"

static const irq_param_desc f_count = {
    .name = "count", .type = IRQ_PARAM_INT, .def = "1", .min = 1, .max = IRQ_MAX_GUESTS};
static const irq_param_desc f_vcpus = {
    .name = "vcpus", .type = IRQ_PARAM_INT, .min = 1, .max = IRQ_MAX_VCPUS_PER_GUEST};
enum { W_BUSY, W_IDLE, W_HANDLER, W_START, W_STOPPED, W_TASKS, W_N };
static const char *const phase_choices[] = {"busy", "idle", NULL};
const irq_param_desc irq__workload_params[W_N] = {
    [W_BUSY] = {.name = "busy", .type = IRQ_PARAM_DIST, .def = "exp(1ms)"},
    [W_IDLE] = {.name = "idle", .type = IRQ_PARAM_DIST, .def = "exp(1ms)"},
    [W_HANDLER] = {.name = "handler", .type = IRQ_PARAM_DIST, .def = "const(1us)"},
    [W_START] = {.name = "start", .type = IRQ_PARAM_ENUM, .def = "busy", .choices = phase_choices},
    [W_STOPPED] = {.name = "stopped", .type = IRQ_PARAM_BOOL, .def = "false"},
    [W_TASKS] = {.name = "tasks", .type = IRQ_PARAM_INT, .def = "1", .min = 1, .max = 1024},
};

const size_t irq__nworkload_params = W_N;
const char *const irq__tmpl_keys[] = {"name",  "count", "vcpus",          "workload",
                                      "model", "vcpu",  "vcpu_overrides", NULL};

static int load_workload(loader *L, irq_guest_tmpl *t, const irq_ynode *map, const char *what)
{
    char w[200];
    irq_param_value *v = NULL;
    snprintf(w, sizeof w, "'workload' of %s", what);
    int rc = irq__params_decode(&v, irq__workload_params, W_N, irq__ymap_get(map, "workload"),
                                &map->mark, NULL, w, &L->c);
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
        irq_param_values_free(v, W_N, irq__workload_params);
    free(v);
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

static int load_tmpl(loader *L, irq_guest_tmpl *t, const irq_ynode *map, size_t i)
{
    char what[96];
    int64_t x = 0;
    int rc = irq__entity_head(L, map, "guests", i, "guest template", irq__tmpl_keys, &t->name,
                              &t->mark, what, sizeof what);
    if (rc == IRQ_OK)
        rc = irq__field_int(L, map, &f_count, what, &x, NULL);
    t->count = (uint32_t)x;
    if (rc == IRQ_OK)
        rc = irq__field_int(L, map, &f_vcpus, what, &x, NULL);
    t->vcpus = (uint32_t)x;
    if (rc == IRQ_OK)
        rc = count_totals(L, t);
    if (rc == IRQ_OK)
        rc = load_workload(L, t, map, what);
    if (rc == IRQ_OK)
        rc = irq__load_tmpl_model(L, t, map, what);
    if (rc == IRQ_OK)
        rc = irq__load_overrides(L, t, map, what);
    return rc;
}

static int tmpl_cmp_ctx(const irq_scenario *sc, uint32_t a, const char *name, size_t len)
{
    int c = strncmp(sc->tmpls[a].name, name, len);
    return c ? c : (sc->tmpls[a].name[len] != '\0');
}

/* Index of the template called name[0..len), or -1 (binary search). */
int64_t irq__find_tmpl(const loader *L, const char *name, size_t len)
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
int64_t irq__split_instance(const loader *L, const char *s, int64_t *inst)
{
    const char *dash = strrchr(s, '-');
    *inst = -1;
    if (!dash || !dash[1] || strlen(dash + 1) > 6 || (dash[1] == '0' && dash[2]))
        return -1;
    for (const char *p = dash + 1; *p; p++)
        if (*p < '0' || *p > '9')
            return -1;
    *inst = atol(dash + 1);
    return irq__find_tmpl(L, s, (size_t)(dash - s));
}

/* A template of count 1 whose name is another's instance name ("web-1"
 * next to web with count 3) would make two guests of the same name. */
static int check_instance_clash(const loader *L)
{
    for (size_t i = 0; i < L->sc->ntmpls; i++) {
        const irq_guest_tmpl *t = &L->sc->tmpls[i], *o;
        int64_t inst, k = irq__split_instance(L, t->name, &inst);
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
    int rc = irq__check_unique(L, r, sc->ntmpls, "guest template");
    for (size_t i = 0; i < sc->ntmpls; i++)
        L->order[i] = (uint32_t)r[i].idx;
    free(r);
    return rc == IRQ_OK ? check_instance_clash(L) : rc;
}

int irq__load_guests(loader *L)
{
    const irq_ynode *seq = irq__ymap_get(L->root, "guests");
    irq_scenario *sc = L->sc;
    int rc = irq__need_seq(L, seq, "guests", "guest templates");
    if (rc != IRQ_OK)
        return rc;
    if (!irq__seq_len(seq))
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
