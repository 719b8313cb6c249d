/* Variant documents read into one set: each parsed and checked (its
 * sweep, its conservation, its histograms), the set checked (one sweep,
 * each variant once, none missing) and ordered, its rows (the union of the
 * totals' leaves) and the statistics over a variant's replications. What
 * compare, sweep, merge and run --plot all read their results from. */
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "merged_internal.h"
#include "stats_internal.h"

void cli_src_free(cli_src *src, size_t n)
{
    for (size_t i = 0; i < n; i++) {
        free(src[i].name);
        free(src[i].text);
    }
    free(src);
}

/* ---- reading one document ----------------------------------------------- */

static int bad_doc(const char *cmd, const char *source, const char *what)
{
    char e[600];
    fprintf(stderr, "irqsim %s: %s: not an irqsim variant file: %s\n", cmd, source,
            irq_escape(what, e, sizeof e));
    return EXIT_USAGE;
}

static bool whole(const cj_value *v, double min)
{
    return v && v->type == CJ_NUM && v->num >= min && v->num <= 1e15 && v->num == floor(v->num);
}

/* Numeric leaves of the totals, with dotted paths. */
static int add_leaves(cli_rep *v, const cj_value *obj, const char *prefix, size_t *cap)
{
    for (size_t i = 0; i < obj->n; i++) {
        const cj_value *e = &obj->items[i];
        char path[256];
        snprintf(path, sizeof path, "%s%s%s", prefix, *prefix ? "." : "", obj->keys[i]);
        if (e->type == CJ_OBJ) {
            if (add_leaves(v, e, path, cap))
                return -1;
            continue;
        }
        if (e->type != CJ_NUM)
            continue;
        if (v->nleaves == *cap) {
            *cap = *cap ? *cap * 2 : 32;
            cli_leaf *l = realloc(v->leaves, *cap * sizeof *l);
            if (!l)
                return -1;
            v->leaves = l;
        }
        v->leaves[v->nleaves].v = e;
        if (!(v->leaves[v->nleaves++].path = strdup(path)))
            return -1;
    }
    return 0;
}

/* What every report holds (the run checked it): injected = delivered +
 * coalesced + pending + dropped. A file that says otherwise was edited or
 * cut, and would make the merged figures wrong. *dc gets delivered +
 * coalesced. */
static int check_conservation(const char *cmd, const cli_variant *v, const cli_rep *rp, double *dc)
{
    static const char *const keys[] = {"injected", "delivered", "coalesced", "pending", "dropped"};
    double x[5];
    for (int i = 0; i < 5; i++) {
        const cj_value *n = cj_get(rp->totals, keys[i]);
        if (!whole(n, 0))
            return bad_doc(cmd, v->source,
                           "its totals lack a whole injected, delivered, coalesced, pending or "
                           "dropped");
        x[i] = n->num;
    }
    if (x[0] != x[1] + x[2] + x[3] + x[4]) {
        char msg[300];
        snprintf(msg, sizeof msg,
                 "its totals break conservation: injected %.0f != delivered %.0f + coalesced "
                 "%.0f + pending %.0f + dropped %.0f",
                 x[0], x[1], x[2], x[3], x[4]);
        return bad_doc(cmd, v->source, msg);
    }
    *dc += x[1] + x[2];
    return EXIT_OK;
}

/* No more latencies in the histogram than interrupts delivered or
 * coalesced in the reports it pools. */
static int check_hist_total(const char *cmd, const cli_variant *v, double dc)
{
    if ((double)cli_hist_total(&v->lat.all) <= dc)
        return EXIT_OK;
    char msg[300];
    snprintf(msg, sizeof msg,
             "latency_hist_ns holds %llu latencies, more than the %.0f interrupts delivered or "
             "coalesced",
             (unsigned long long)cli_hist_total(&v->lat.all), dc);
    return bad_doc(cmd, v->source, msg);
}

static int check_one_report(const char *cmd, const cli_variant *v, cli_rep *rp)
{
    const cj_value *r = rp->report;
    rp->totals = cj_get_t(r, "totals", CJ_OBJ);
    rp->groups = cj_get_t(r, "groups", CJ_ARR);
    if (!cj_get_t(r, "scenario", CJ_STR) || !cj_get_t(r, "model", CJ_STR) || !rp->totals ||
        !rp->groups || !cj_get_t(r, "guests", CJ_ARR) ||
        !cj_get_t(rp->totals, "latency_ns", CJ_OBJ))
        return bad_doc(cmd, v->source,
                       "its report lacks scenario, model, totals, latency_ns, groups or guests");
    size_t cap = 0;
    if (add_leaves(rp, rp->totals, "", &cap)) {
        fprintf(stderr, "irqsim %s: out of memory\n", cmd);
        return EXIT_SIMFAIL;
    }
    return EXIT_OK;
}

/* The reports: "report", or with replications "reports" (one per seed). */
static int check_report(const char *cmd, cli_variant *v, const cj_value *reports)
{
    size_t n = reports ? reports->n : 1;
    if (n == 0)
        return bad_doc(cmd, v->source, "its reports list is empty");
    if (!(v->reps = calloc(n, sizeof *v->reps)))
        return EXIT_SIMFAIL;
    v->nrep = n;
    int st = EXIT_OK;
    double dc = 0;
    for (size_t r = 0; r < v->nrep && st == EXIT_OK; r++) {
        v->reps[r].report = reports ? &reports->items[r] : v->report;
        st = v->reps[r].report->type == CJ_OBJ
                 ? check_one_report(cmd, v, &v->reps[r])
                 : bad_doc(cmd, v->source, "a report is not an object");
        if (st == EXIT_OK)
            st = check_conservation(cmd, v, &v->reps[r], &dc);
    }
    if (st == EXIT_OK)
        st = check_hist_total(cmd, v, dc);
    if (st != EXIT_OK)
        return st;
    v->report = v->reps[0].report;
    v->totals = v->reps[0].totals;
    v->groups = v->reps[0].groups;
    v->leaves = v->reps[0].leaves;
    v->nleaves = v->reps[0].nleaves;
    /* Only the text of the guests is needed (copied verbatim): free the
     * parsed trees, which for a big machine are most of the memory. */
    cj_value *guests = (cj_value *)cj_get_t(v->report, "guests", CJ_ARR);
    v->guests_raw = guests->raw;
    v->guests_len = guests->rawlen;
    for (size_t r = 0; r < v->nrep; r++)
        cj_free((cj_value *)cj_get_t(v->reps[r].report, "guests", CJ_ARR));
    return EXIT_OK;
}

static int load_one(const char *cmd, const cli_src *src, cli_variant *v)
{
    char why[512], msg[600];
    v->source = src->name;
    if (cj_parse(&v->doc, src->text, src->len, why, sizeof why) != 0)
        return bad_doc(cmd, src->name, why);
    const cj_value *d = &v->doc;
    const cj_value *ver = cj_get_t(d, "irqsim_variant", CJ_NUM);
    const cj_value *num = cj_get(d, "variant"), *of = cj_get(d, "variants");
    const cj_value *reports = cj_get_t(d, "reports", CJ_ARR);
    const cj_value *nrep = cj_get(d, "replications");
    v->settings = cj_get_t(d, "settings", CJ_OBJ);
    v->report = cj_get_t(d, "report", CJ_OBJ);
    if (!ver || ver->num != 1 || !cj_get_t(d, "sweep", CJ_STR) || !whole(num, 1) || !whole(of, 1) ||
        num->num > of->num || of->num > CLI_MAX_VARIANTS || !cj_get_t(d, "vary", CJ_ARR) ||
        !cj_get_t(d, "sets", CJ_ARR) || !v->settings || !(v->report || reports))
        return bad_doc(cmd, src->name,
                       "expected irqsim_variant 1, sweep, variant, variants, vary, sets, "
                       "settings, latency_hist_ns and report");
    if (reports && (!whole(nrep, 2) || nrep->num != (double)reports->n ||
                    !cj_get_t(d, "seeds", CJ_ARR) || cj_get(d, "seeds")->n != reports->n))
        return bad_doc(cmd, src->name, "replications, seeds and reports do not agree");
    v->number = (size_t)num->num;
    if (cli_hist_read_json(&v->lat.all, cj_get(d, "latency_hist_ns"), why, sizeof why) != 0 ||
        cli_lat_read_sets_json(&v->lat, d, why, sizeof why) != 0) {
        snprintf(msg, sizeof msg, "%s", why);
        return bad_doc(cmd, src->name, msg);
    }
    return check_report(cmd, v, reports);
}

/* ---- checking the set ------------------------------------------------------ */

static double num_of(const cj_value *doc, const char *key)
{
    const cj_value *s = cj_get_t(doc, key, CJ_NUM);
    return s ? s->num : 0;
}

static bool same_raw(const cj_value *a, const cj_value *b)
{
    return a && b && a->rawlen == b->rawlen && memcmp(a->raw, b->raw, a->rawlen) == 0;
}

static int same_sweep(const char *cmd, const cli_variant *a, const cli_variant *b)
{
    if (strcmp(cj_str(&a->doc, "sweep"), cj_str(&b->doc, "sweep")) == 0 && a->nrep == b->nrep &&
        num_of(&a->doc, "variants") == num_of(&b->doc, "variants") &&
        same_raw(cj_get(&a->doc, "vary"), cj_get(&b->doc, "vary")) &&
        same_raw(cj_get(&a->doc, "sets"), cj_get(&b->doc, "sets")))
        return EXIT_OK;
    char sa[128], sb[128], na[128], nb[128];
    fprintf(stderr,
            "irqsim %s: %s is from another sweep than %s (sweep %s of scenario '%s' with %.0f "
            "variants, against sweep %s of '%s' with %.0f): merge the outputs of one sweep at a "
            "time\n",
            cmd, b->source, a->source, irq_escape(cj_str(&b->doc, "sweep"), sb, sizeof sb),
            irq_escape(cj_str(b->report, "scenario"), nb, sizeof nb), num_of(&b->doc, "variants"),
            irq_escape(cj_str(&a->doc, "sweep"), sa, sizeof sa),
            irq_escape(cj_str(a->report, "scenario"), na, sizeof na), num_of(&a->doc, "variants"));
    return EXIT_USAGE;
}

static int report_missing(const char *cmd, const cli_variant *byno, size_t total)
{
    size_t missing = 0;
    char list[256] = "";
    size_t used = 0;
    for (size_t i = 0; i < total; i++) {
        if (byno[i].source)
            continue;
        if (missing++ < 20 && used < sizeof list)
            used +=
                (size_t)snprintf(list + used, sizeof list - used, "%s%zu", used ? ", " : "", i + 1);
    }
    if (!missing)
        return EXIT_OK;
    fprintf(stderr,
            "irqsim %s: %zu of %zu variants missing: %s%s (did every shard finish? with --shard "
            "K/N, variant V is in shard ((V-1) mod N) + 1)\n",
            cmd, missing, total, list, missing > 20 ? ", ..." : "");
    return EXIT_USAGE;
}

/* Orders the variants by number, refusing duplicates and gaps. */
static int order_variants(cli_merged *m, cli_variant *loaded, size_t n, const char *cmd)
{
    size_t total = (size_t)num_of(&loaded[0].doc, "variants");
    cli_variant *byno = calloc(total, sizeof *byno);
    if (!byno)
        return EXIT_SIMFAIL;
    int st = EXIT_OK;
    for (size_t i = 0; i < n && st == EXIT_OK; i++) {
        cli_variant *slot = &byno[loaded[i].number - 1];
        if (slot->source) {
            fprintf(stderr, "irqsim %s: variant %zu is in both %s and %s (merge each shard once)\n",
                    cmd, loaded[i].number, slot->source, loaded[i].source);
            st = EXIT_USAGE;
        } else {
            *slot = loaded[i];
            loaded[i] = (cli_variant){0};
        }
    }
    if (st == EXIT_OK)
        st = report_missing(cmd, byno, total);
    m->v = byno;
    m->n = total;
    return st;
}

/* ---- labels and rows --------------------------------------------------------- */

static const char *short_key(const char *key)
{
    const char *dot = strrchr(key, '.');
    return dot ? dot + 1 : key;
}

/* "pick=lowest cpus=2": the last part of each key, unless two keys of the
 * sweep end alike. */
static void make_labels(cli_merged *m)
{
    const cj_value *set0 = m->v[0].settings;
    bool full = false;
    for (size_t i = 0; i < set0->n; i++)
        for (size_t j = 0; j < i; j++)
            full |= strcmp(short_key(set0->keys[i]), short_key(set0->keys[j])) == 0;
    for (size_t k = 0; k < m->n; k++) {
        cli_variant *v = &m->v[k];
        size_t used = 0;
        for (size_t i = 0; i < v->settings->n && used < sizeof v->label; i++) {
            const cj_value *val = &v->settings->items[i];
            const char *key = full ? v->settings->keys[i] : short_key(v->settings->keys[i]);
            used += (size_t)snprintf(v->label + used, sizeof v->label - used, "%s%s=%s",
                                     i ? " " : "", key, val->type == CJ_STR ? val->str : "?");
        }
        if (used == 0)
            snprintf(v->label, sizeof v->label, "%s", m->scenario);
    }
}

static int add_rows(cli_merged *m)
{
    for (size_t k = 0; k < m->n; k++)
        for (size_t i = 0; i < m->v[k].nleaves; i++) {
            const char *p = m->v[k].leaves[i].path;
            size_t r = 0;
            while (r < m->nrows && strcmp(m->rows[r], p) != 0)
                r++;
            if (r < m->nrows)
                continue;
            char **rows = realloc(m->rows, (m->nrows + 1) * sizeof *rows);
            if (!rows)
                return -1;
            m->rows = rows;
            if (!(m->rows[m->nrows] = strdup(p)))
                return -1;
            m->nrows++;
        }
    return 0;
}

static void variant_free(cli_variant *v)
{
    for (size_t r = 0; r < v->nrep; r++) {
        for (size_t i = 0; i < v->reps[r].nleaves; i++)
            free(v->reps[r].leaves[i].path);
        free(v->reps[r].leaves);
    }
    free(v->reps);
    cli_lat_free(&v->lat);
    cj_free(&v->doc);
}

int cli_merge_load(cli_merged *m, const cli_src *src, size_t n, const char *cmd)
{
    *m = (cli_merged){0};
    if (n == 0) {
        fprintf(stderr, "irqsim %s: no variant files (variant-*.json) to merge\n", cmd);
        return EXIT_USAGE;
    }
    cli_variant *loaded = calloc(n, sizeof *loaded);
    if (!loaded)
        return EXIT_SIMFAIL;
    int st = EXIT_OK;
    for (size_t i = 0; i < n && st == EXIT_OK; i++) {
        st = load_one(cmd, &src[i], &loaded[i]);
        if (st == EXIT_OK && i > 0)
            st = same_sweep(cmd, &loaded[0], &loaded[i]);
    }
    if (st == EXIT_OK)
        st = order_variants(m, loaded, n, cmd);
    for (size_t i = 0; i < n; i++)
        variant_free(&loaded[i]);
    free(loaded);
    if (st == EXIT_OK) {
        m->scenario = cj_str(m->v[0].report, "scenario");
        m->model = cj_str(m->v[0].report, "model");
        m->nrep = m->v[0].nrep;
        make_labels(m);
        if (add_rows(m))
            st = EXIT_SIMFAIL;
    }
    return st;
}

void cli_merge_free(cli_merged *m)
{
    for (size_t k = 0; m->v && k < m->n; k++)
        variant_free(&m->v[k]);
    free(m->v);
    for (size_t r = 0; r < m->nrows; r++)
        free(m->rows[r]);
    free(m->rows);
    *m = (cli_merged){0};
}

/* ---- statistics over replications ------------------------------------------ */

const cj_value *cli_rep_total(const cli_rep *rp, const char *path)
{
    for (size_t i = 0; i < rp->nleaves; i++)
        if (strcmp(rp->leaves[i].path, path) == 0)
            return rp->leaves[i].v;
    return NULL;
}

/* The confidence interval of x[0..n) into out, if n > 0; frees x. Whether
 * there was one. */
static int ci_done(double *x, size_t n, cli_ci *out)
{
    if (n)
        cli_ci_of(x, n, out);
    free(x);
    return n > 0;
}

int cli_total_ci(const cli_variant *v, const char *path, cli_ci *out)
{
    double *x = malloc(v->nrep * sizeof *x);
    size_t n = 0;
    for (size_t r = 0; x && r < v->nrep; r++) {
        const cj_value *l = cli_rep_total(&v->reps[r], path);
        if (l)
            x[n++] = l->num;
    }
    return ci_done(x, n, out);
}

int cli_total_diff(const cli_variant *v, const cli_variant *first, const char *path, cli_ci *out)
{
    if (v->nrep != first->nrep)
        return 0;
    double *d = malloc(v->nrep * sizeof *d);
    size_t n = 0;
    for (size_t r = 0; d && r < v->nrep; r++) {
        const cj_value *a = cli_rep_total(&v->reps[r], path),
                       *b = cli_rep_total(&first->reps[r], path);
        if (!a || !b) {
            n = 0;
            break;
        }
        d[n++] = a->num - b->num;
    }
    return ci_done(d, n, out);
}

int cli_group_state_ci(const cli_variant *v, size_t group, const char *state, cli_ci *out)
{
    double *x = malloc(v->nrep * sizeof *x);
    size_t n = 0;
    for (size_t r = 0; x && r < v->nrep; r++) {
        const cj_value *g = v->reps[r].groups;
        const cj_value *share =
            g && group < g->n ? cj_get_t(&g->items[group], "state_share", CJ_OBJ) : NULL;
        const cj_value *st = cj_get_t(share, state, CJ_NUM);
        if (st)
            x[n++] = st->num;
    }
    return ci_done(x, n, out);
}
