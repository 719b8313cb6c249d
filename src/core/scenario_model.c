/* The scenario's model sections, all decoded against the chosen model's
 * parameter tables: model (name and ops->params), and per guest template
 * model (ops->guest_params), vcpu (ops->vcpu_params) and vcpu_overrides. */
#ifndef _POSIX_C_SOURCE
#define _POSIX_C_SOURCE 200809L
#endif
#include <stdio.h>
#include <stdlib.h>

#include "model_internal.h"
#include "scenario_load_internal.h"

static const irq_param_desc f_index = {
    .name = "index", .type = IRQ_PARAM_INT, .min = 0, .max = IRQ_MAX_VCPUS_PER_GUEST - 1};
const char *const irq__model_extra[] = {"name", NULL};
static const char *const override_extra[] = {"index", NULL};

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

int irq__load_model(loader *L)
{
    const irq_ynode *n = irq__ymap_get(L->root, "model"), *name;
    char names[200], what[100];
    model_names(names, sizeof names);
    if (irq__ynode_is_null(n))
        return irq_error_set(L->c.err, IRQ_EINPUT, n ? &n->mark : &L->root->mark,
                             "missing required key 'model' in the top level (expected a mapping "
                             "with name: one of %s)",
                             names);
    int rc = irq__expect_map(n, "'model'", &L->c);
    if (rc != IRQ_OK)
        return rc;
    name = irq__ymap_get(n, "name");
    if (!name)
        return irq_error_set(L->c.err, IRQ_EINPUT, &n->mark,
                             "missing required key 'name' in model (expected one of: %s)", names);
    if (irq__ynode_is_null(name) || name->kind != IRQ_YSCALAR)
        return irq_error_set(L->c.err, IRQ_EINPUT, &name->mark,
                             "'name' of model must be a model name, not %s (expected one of: %s)",
                             irq__ynode_kind_name(name), names);
    const irq_model_ops *ops = irq_model_find(name->text);
    if (!ops)
        return irq_error_set(L->c.err, IRQ_EINPUT, &name->mark,
                             "unknown model '%s' (available: %s)", name->text, names);
    L->sc->model = ops;
    snprintf(what, sizeof what, "model '%s'", ops->name);
    return irq__params_decode(&L->sc->model_params, ops->params, ops->nparams, n, &n->mark,
                              irq__model_extra, what, &L->c);
}

int irq__load_tmpl_model(loader *L, irq_guest_tmpl *t, const irq_ynode *map, const char *what)
{
    const irq_model_ops *ops = L->sc->model;
    char w[200];
    snprintf(w, sizeof w, "'model' of %s", what);
    int rc = irq__params_decode(&t->model_params, ops->guest_params, ops->nguest_params,
                                irq__ymap_get(map, "model"), &map->mark, NULL, w, &L->c);
    snprintf(w, sizeof w, "'vcpu' of %s", what);
    if (rc == IRQ_OK)
        rc = irq__params_decode(&t->vcpu_params, ops->vcpu_params, ops->nvcpu_params,
                                irq__ymap_get(map, "vcpu"), &map->mark, NULL, w, &L->c);
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
        int rc = irq__expect_map(o, w, &L->c);
        if (rc == IRQ_OK && irq__ynode_is_null(o))
            rc = irq_error_set(L->c.err, IRQ_EINPUT, &o->mark,
                               "empty entry in vcpu_overrides of %s", what);
        if (rc == IRQ_OK)
            rc = irq__field_int(L, o, &f_index, w, &idx, &m);
        if (rc == IRQ_OK && idx >= t->vcpus)
            rc = irq_error_set(L->c.err, IRQ_EINPUT, &m,
                               "'index' must be less than the template's vcpus (%u) (got %s)",
                               t->vcpus, irq__ymap_get(o, "index")->text);
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
    int rc = irq__field_int(L, o, &f_index, what, &idx, NULL);
    ov->index = (uint32_t)idx;
    if (rc == IRQ_OK)
        rc = irq__params_check_keys(o, d, n, override_extra, what, L->c.err);
    if (rc == IRQ_OK)
        rc = irq__params_defaults(ov->params, d, n, &L->c);
    if (rc == IRQ_OK)
        rc = irq__params_apply(ov->params, d, n, tmpl_vcpu, &L->c);
    if (rc == IRQ_OK)
        rc = irq__params_apply(ov->params, d, n, o, &L->c);
    if (rc == IRQ_OK)
        rc = irq__params_check_required(ov->params, d, n, &o->mark, what, L->c.err);
    return rc;
}

int irq__load_overrides(loader *L, irq_guest_tmpl *t, const irq_ynode *map, const char *what)
{
    const irq_ynode *seq = irq__ymap_get(map, "vcpu_overrides");
    int rc = irq__need_seq(L, seq, "vcpu_overrides", "mappings with an index");
    if (rc != IRQ_OK || !irq__seq_len(seq))
        return rc;
    rc = check_override_indexes(L, t, seq, what);
    if (rc != IRQ_OK)
        return rc;
    t->overrides = calloc(seq->n, sizeof *t->overrides);
    if (!t->overrides)
        return irq_error_set(L->c.err, IRQ_ENOMEM, &seq->mark, "out of memory");
    t->noverrides = seq->n;
    const irq_ynode *tmpl_vcpu = irq__ymap_get(map, "vcpu");
    for (size_t i = 0; rc == IRQ_OK && i < seq->n; i++) {
        char w[200];
        snprintf(w, sizeof w, "vcpu_overrides[%zu] of %s", i, what);
        rc = load_override(L, &t->overrides[i], tmpl_vcpu, seq->items[i], w);
    }
    return rc;
}
