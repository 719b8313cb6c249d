/* The scenario loader: YAML file -> tree -> --set overrides -> validated
 * struct irq_scenario. The format is described in docs/scenario-format.md.
 * This file: the document, its top-level keys (name, seed, clock_hz,
 * duration, output, limits), the helpers every section uses and the entry
 * points; the sections are in scenario_host.c, scenario_model.c,
 * scenario_guests.c and scenario_sources.c.
 *
 * Order matters: clock_hz before anything with a duration, the model before
 * the guests (their model/vcpu sections use its tables), the guests before
 * the sources (targets name them). Counts are checked against the IRQ_MAX_*
 * limits before anything is allocated for them. */
#ifndef _POSIX_C_SOURCE
#define _POSIX_C_SOURCE 200809L
#endif
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "model_internal.h"
#include "scenario_load_internal.h"

#define MAX_NAME 64

/* ---- fields described like parameters, so messages are the same ---------------- */

static const irq_param_desc f_name = {.name = "name", .type = IRQ_PARAM_STRING};
static const irq_param_desc f_duration = {.name = "duration", .type = IRQ_PARAM_DURATION};
static const char *const format_choices[] = {"text", "json", "csv", NULL};
static const irq_param_desc f_format = {
    .name = "format", .type = IRQ_PARAM_ENUM, .def = "text", .choices = format_choices};
static const irq_param_desc f_dir = {.name = "dir", .type = IRQ_PARAM_STRING};
static const irq_param_desc f_max_memory = {.name = "max_memory", .type = IRQ_PARAM_STRING};
static const irq_param_desc f_max_events = {
    .name = "max_events", .type = IRQ_PARAM_INT, .min = 1, .max = 1e18};

static const char *const top_keys[] = {"name",   "seed",    "clock_hz", "duration", "host", "model",
                                       "guests", "sources", "output",   "limits",   NULL};
static const char *const output_keys[] = {"format", "dir", NULL};
static const char *const limits_keys[] = {"max_memory", "max_events", NULL};

/* Decodes map[d->name] into *v (zeroed by the caller, freed by the caller):
 * the default when the key is absent, an error when it is also required. */
static int field(const loader *L, const irq_ynode *map, const irq_param_desc *d, const char *what,
                 irq_param_value *v)
{
    const irq_ynode *n = irq__ymap_get(map, d->name);
    if (n)
        return irq__param_decode(v, d, n, &L->c);
    if (!d->def)
        return irq_error_set(L->c.err, IRQ_EINPUT, &map->mark, "missing required key '%s' in %s",
                             d->name, what);
    return irq__params_defaults(v, d, 1, &L->c);
}

int irq__field_int(const loader *L, const irq_ynode *map, const irq_param_desc *d, const char *what,
                   int64_t *out, irq_mark *mark)
{
    irq_param_value v = {0};
    int rc = field(L, map, d, what, &v);
    *out = v.i;
    if (mark)
        *mark = v.mark;
    return rc;
}

int irq__field_dur(const loader *L, const irq_ynode *map, const irq_param_desc *d, const char *what,
                   uint64_t *out, irq_mark *mark)
{
    irq_param_value v = {0};
    int rc = field(L, map, d, what, &v);
    *out = v.u;
    if (mark)
        *mark = v.mark;
    return rc;
}

/* Takes the string: *out is owned by the caller afterwards. */
int irq__field_str(const loader *L, const irq_ynode *map, const irq_param_desc *d, const char *what,
                   char **out, irq_mark *mark)
{
    irq_param_value v = {0};
    int rc = field(L, map, d, what, &v);
    *out = v.str;
    if (mark)
        *mark = v.mark;
    return rc;
}

int irq__need_seq(const loader *L, const irq_ynode *n, const char *key, const char *of)
{
    if (irq__ynode_is_null(n) || n->kind == IRQ_YSEQ)
        return IRQ_OK;
    return irq_error_set(L->c.err, IRQ_EINPUT, &n->mark, "'%s' must be a sequence of %s, not %s",
                         key, of, irq__ynode_kind_name(n));
}

size_t irq__seq_len(const irq_ynode *n)
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
    int rc = irq__field_str(L, map, &f_name, what, out, mark);
    if (rc == IRQ_OK && !good_name(*out))
        rc = irq_error_set(L->c.err, IRQ_EINPUT, mark,
                           "bad name '%s' for %s (expected letters, digits, '_', '.' or '-'; at "
                           "most %d characters)",
                           *out, what, MAX_NAME);
    return rc;
}

int irq__entity_head(const loader *L, const irq_ynode *map, const char *section, size_t i,
                     const char *kind, const char *const *keys, char **name, irq_mark *mark,
                     char *what, size_t wlen)
{
    snprintf(what, wlen, "%s[%zu]", section, i);
    int rc = irq__expect_map(map, what, &L->c);
    if (rc == IRQ_OK && irq__ynode_is_null(map))
        rc = irq_error_set(L->c.err, IRQ_EINPUT, &map->mark, "empty entry in '%s'", section);
    if (rc == IRQ_OK)
        rc = entity_name(L, map, kind, name, mark);
    if (rc != IRQ_OK)
        return rc;
    *mark = map->mark;
    snprintf(what, wlen, "%s '%s'", kind, *name);
    return irq__params_check_keys(map, NULL, 0, keys, what, L->c.err);
}

/* ---- duplicate names ---------------------------------------------------------- */

static int named_cmp(const void *a, const void *b)
{
    const named *x = a, *y = b;
    int c = strcmp(x->name, y->name);
    return c ? c : (x->idx > y->idx) - (x->idx < y->idx);
}

/* Sorts r[] by name and reports the first repeated name (in input order). */
int irq__check_unique(const loader *L, named *r, size_t n, const char *what)
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
    const irq_ynode *n = irq__ymap_get(L->root, "seed");
    char why[160];
    L->sc->seed = 1;
    if (!n)
        return IRQ_OK;
    if (irq__ynode_is_null(n) || n->kind != IRQ_YSCALAR)
        return irq_error_set(L->c.err, IRQ_EINPUT, &n->mark,
                             "'seed' must be a whole number, not %s", irq__ynode_kind_name(n));
    if (irq__parse_u64(n->text, &L->sc->seed, why, sizeof why))
        return irq_error_set(L->c.err, IRQ_EINPUT, &n->mark, "bad value '%s' for 'seed' (%s)",
                             n->text, why);
    return IRQ_OK;
}

static int load_clock(loader *L)
{
    const irq_ynode *n = irq__ymap_get(L->root, "clock_hz");
    char why[160];
    double hz = 1e9;
    if (n && (irq__ynode_is_null(n) || n->kind != IRQ_YSCALAR))
        return irq_error_set(L->c.err, IRQ_EINPUT, &n->mark,
                             "'clock_hz' must be a frequency such as 2.5GHz, not %s",
                             irq__ynode_kind_name(n));
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
    int rc = irq__field_str(L, L->root, &f_name, "the top level", &sc->name, &m);
    if (rc == IRQ_OK && !sc->name[0])
        rc = irq_error_set(L->c.err, IRQ_EINPUT, &m, "'name' must not be empty");
    if (rc == IRQ_OK)
        rc = load_seed(L);
    if (rc == IRQ_OK)
        rc = load_clock(L);
    if (rc == IRQ_OK)
        rc = irq__field_dur(L, L->root, &f_duration, "the top level", &sc->duration, &m);
    if (rc == IRQ_OK && sc->duration == 0)
        rc = irq_error_set(L->c.err, IRQ_EINPUT, &m, "'duration' must be greater than 0");
    return rc;
}
static int load_output(loader *L)
{
    const irq_ynode *n = irq__ymap_get(L->root, "output");
    irq_output_cfg *o = &L->sc->output;
    int64_t fmt = 0;
    int rc = irq__expect_map(n, "'output'", &L->c);
    if (rc != IRQ_OK || irq__ynode_is_null(n)) {
        o->format = IRQ_FORMAT_TEXT;
        return rc;
    }
    rc = irq__params_check_keys(n, NULL, 0, output_keys, "output", L->c.err);
    if (rc == IRQ_OK)
        rc = irq__field_int(L, n, &f_format, "output", &fmt, NULL);
    o->format = fmt == 1 ? IRQ_FORMAT_JSON : fmt == 2 ? IRQ_FORMAT_CSV : IRQ_FORMAT_TEXT;
    irq_mark m;
    if (rc == IRQ_OK && irq__ymap_get(n, "dir"))
        rc = irq__field_str(L, n, &f_dir, "output", &o->dir, &m);
    if (rc == IRQ_OK && o->dir && !o->dir[0])
        rc = irq_error_set(L->c.err, IRQ_EINPUT, &m,
                           "'dir' in 'output' is empty (expected a folder name, or no 'dir')");
    return rc;
}

/* limits: {max_memory: 2G, max_events: N}: the run's budgets, unless the
 * command line sets them (--max-memory, --max-events). */
static int load_limits(loader *L)
{
    const irq_ynode *n = irq__ymap_get(L->root, "limits");
    irq_limits_cfg *l = &L->sc->limits;
    int rc = irq__expect_map(n, "'limits'", &L->c);
    if (rc != IRQ_OK || irq__ynode_is_null(n))
        return rc;
    rc = irq__params_check_keys(n, NULL, 0, limits_keys, "limits", L->c.err);
    int64_t ev = 0;
    if (rc == IRQ_OK && irq__ymap_get(n, "max_events"))
        rc = irq__field_int(L, n, &f_max_events, "limits", &ev, NULL);
    l->max_events = (uint64_t)ev;
    char *text = NULL, why[200];
    irq_mark m;
    if (rc == IRQ_OK && irq__ymap_get(n, "max_memory"))
        rc = irq__field_str(L, n, &f_max_memory, "limits", &text, &m);
    if (rc == IRQ_OK && text && irq__parse_size(text, &l->max_memory, why, sizeof why))
        rc = irq_error_set(L->c.err, IRQ_EINPUT, &m, "bad size '%s' for 'max_memory' (%s)", text,
                           why);
    free(text);
    return rc;
}

/* ---- entry points ---------------------------------------------------------------- */

static int decode(loader *L)
{
    int rc = irq__params_check_keys(L->root, NULL, 0, top_keys, "the top level", L->c.err);
    if (rc == IRQ_OK)
        rc = load_basics(L);
    if (rc == IRQ_OK)
        rc = irq__load_host(L);
    if (rc == IRQ_OK)
        rc = irq__load_model(L);
    if (rc == IRQ_OK)
        rc = irq__load_guests(L);
    if (rc == IRQ_OK)
        rc = irq__load_sources(L);
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
    int rc = irq__ytree_parse(&L->root, text ? text : data, len, sc->path, L->c.err);
    free(data);
    if (rc != IRQ_OK)
        return rc;
    if (irq__ynode_is_null(L->root))
        return irq_error_set(L->c.err, IRQ_EINPUT, L->root ? &L->root->mark : &first,
                             "empty scenario (expected a mapping with name, duration, model, "
                             "guests, ...)");
    if (L->root->kind != IRQ_YMAP)
        return irq_error_set(L->c.err, IRQ_EINPUT, &L->root->mark,
                             "the top level must be a mapping (name: ..., duration: ...), not %s",
                             irq__ynode_kind_name(L->root));
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
        int rc = irq__ytree_set(L->root, s, sc->set_labels[i], (unsigned)(i + 1), L->c.err);
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
    irq__ytree_free(L.root);
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
    keys_list(out, "model.", irq__model_extra, NULL);
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
    keys_named(out, "guests", sc, false, "", irq__tmpl_keys, " workload model vcpu vcpu_overrides ",
               NULL, 0);
    keys_named(out, "guests", sc, false, "workload.", NULL, NULL, irq__workload_params,
               irq__nworkload_params);
    keys_named(out, "sources", sc, true, "", irq__source_keys, NULL, NULL, 0);
    keys_list(out, "output.", output_keys, NULL);
}
