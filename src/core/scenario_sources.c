/* The scenario's interrupt sources: name, target, vcpu, from, class,
 * injection, start and stop, and the arrivals. */
#ifndef _POSIX_C_SOURCE
#define _POSIX_C_SOURCE 200809L
#endif
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "arrival_internal.h"
#include "model_internal.h"
#include "scenario_load_internal.h"

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
const char *const irq__source_keys[] = {"name",      "target",   "vcpu",  "from", "class",
                                        "injection", "arrivals", "start", "stop", NULL};
static const irq_param_desc f_from = {.name = "from", .type = IRQ_PARAM_STRING};

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
    int rc = irq__field_str(L, map, &f_target, what, &text, &m);
    if (rc != IRQ_OK) {
        free(text);
        return rc;
    }
    int64_t inst = -1, k = irq__find_tmpl(L, text, strlen(text));
    if (k >= 0) {
        s->tmpl = (uint32_t)k;
        s->instance = -1;
    } else if ((k = irq__split_instance(L, text, &inst)) >= 0 && L->sc->tmpls[k].count > 1 &&
               inst < L->sc->tmpls[k].count) {
        s->tmpl = (uint32_t)k;
        s->instance = inst;
    } else {
        rc = bad_target(L, s, text, &m, k, inst);
    }
    free(text);
    return rc;
}

/* `vcpu: N` (that vCPU), `round-robin` or `random` (a vCPU per arrival,
 * never the sender of a `from:` source unless it is the only one); absent:
 * floating. */
static int load_source_vcpu(loader *L, irq_source_cfg *s, const irq_ynode *map, const char *what)
{
    const irq_guest_tmpl *t = &L->sc->tmpls[s->tmpl];
    const irq_ynode *n = irq__ymap_get(map, "vcpu");
    irq_mark m;
    s->vcpu = IRQ_VCPU_FLOATING;
    if (!n)
        return IRQ_OK;
    if (n->kind == IRQ_YSCALAR && !strcmp(n->text, "round-robin")) {
        s->vcpu = IRQ_VCPU_ROUND_ROBIN;
        return IRQ_OK;
    }
    if (n->kind == IRQ_YSCALAR && !strcmp(n->text, "random")) {
        s->vcpu = IRQ_VCPU_RANDOM;
        return IRQ_OK;
    }
    int rc = irq__field_int(L, map, &f_vcpu, what, &s->vcpu, &m);
    if (rc == IRQ_OK && s->vcpu >= t->vcpus)
        rc = irq_error_set(L->c.err, IRQ_EINPUT, &m,
                           "'vcpu' must be less than the vcpus of guest template '%s' (%u) (got "
                           "%lld)",
                           t->name, t->vcpus, (long long)s->vcpu);
    return rc;
}

/* `class`: a number, or a name the model gives a class (`sigp-stop`). */
static int load_source_class(loader *L, irq_source_cfg *s, const irq_ynode *map, const char *what)
{
    const irq_ynode *n = irq__ymap_get(map, "class");
    const irq_class_desc *c =
        n && n->kind == IRQ_YSCALAR ? irq_model_class_named(L->sc->model, n->text) : NULL;
    if (c) {
        s->cls = c->value;
        return IRQ_OK;
    }
    int64_t x = 0;
    int rc = irq__field_int(L, map, &f_class, what, &x, NULL);
    s->cls = (uint32_t)x;
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
    if (!irq__ymap_get(map, "from"))
        return IRQ_OK;
    int rc = irq__field_str(L, map, &f_from, what, &text, &m);
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

/* The arrivals value: a call of one of the kinds of arrival.c. */
static int load_arrivals(loader *L, irq_source_cfg *s, const irq_ynode *map, const char *what)
{
    char *text = NULL;
    int rc = irq__field_str(L, map, &f_arrivals, what, &text, NULL);
    free(text);
    if (rc != IRQ_OK)
        return rc;
    return irq__arrivals_parse(s, irq__ymap_get(map, "arrivals"),
                               irq__ymap_get(map, "start") != NULL, &L->c);
}

static int load_source_times(loader *L, irq_source_cfg *s, const irq_ynode *map, const char *what)
{
    irq_mark m;
    int rc = irq__field_dur(L, map, &f_start, what, &s->start, NULL);
    if (rc == IRQ_OK)
        rc = irq__field_dur(L, map, &f_stop, what, &s->stop, &m);
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
    int rc = irq__entity_head(L, map, "sources", i, "source", irq__source_keys, &s->name, &s->mark,
                              what, sizeof what);
    if (rc == IRQ_OK)
        rc = load_target(L, s, map, what);
    if (rc == IRQ_OK)
        rc = load_source_vcpu(L, s, map, what);
    if (rc == IRQ_OK)
        rc = load_source_from(L, s, map, what);
    if (rc == IRQ_OK)
        rc = load_source_class(L, s, map, what);
    if (rc == IRQ_OK)
        rc = irq__field_int(L, map, &f_injection, what, &x, NULL);
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
    int rc = irq__check_unique(L, r, sc->nsources, "source");
    free(r);
    return rc;
}

int irq__load_sources(loader *L)
{
    const irq_ynode *seq = irq__ymap_get(L->root, "sources");
    irq_scenario *sc = L->sc;
    uint64_t instances = 0;
    int rc = irq__need_seq(L, seq, "sources", "interrupt sources");
    if (rc != IRQ_OK || !irq__seq_len(seq))
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
