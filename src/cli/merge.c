/* Variant documents -> compare.json, compare.csv, table, plots; and the
 * `irqsim merge DIR...` command. */
#include <dirent.h>
#include <errno.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "args_internal.h"
#include "merge_internal.h"
#include "plot_internal.h"
#include "stats_internal.h"
#include "sweep_internal.h"

/* ---- outputs ------------------------------------------------------------------ */

static const cj_value *leaf(const cli_variant *v, const char *path)
{
    for (size_t i = 0; i < v->nleaves; i++)
        if (strcmp(v->leaves[i].path, path) == 0)
            return v->leaves[i].v;
    return NULL;
}

static void put_raw(FILE *f, const cj_value *v)
{
    if (v)
        fwrite(v->raw, 1, v->rawlen, f);
    else
        fputs("null", f);
}

/* "path": {"mean": m, "ci95": [lo, hi]} as a member; *first: no comma. */
static void json_ci(FILE *f, bool *first, const char *path, const cli_ci *c, int significant)
{
    fputs(*first ? "" : ", ", f);
    *first = false;
    cj_put_str(f, path);
    fprintf(f, ": {\"mean\": %.10g, \"ci95\": [%.10g, %.10g]", c->mean, c->lo, c->hi);
    if (significant >= 0)
        fprintf(f, ", \"significant\": %s", significant ? "true" : "false");
    fputc('}', f);
}

/* With replications: the seeds, each replication's totals, the mean and
 * 95 % interval of every total and, from variant 2 on, the paired
 * difference to variant 1. */
static void write_json_stats(const cli_merged *m, const cli_variant *v, FILE *f)
{
    fprintf(f, ", \"replications\": %zu, \"seeds\": ", v->nrep);
    put_raw(f, cj_get(&v->doc, "seeds"));
    fputs(", \"runs\": [", f);
    for (size_t r = 0; r < v->nrep; r++) {
        fprintf(f, "%s{\"seed\": ", r ? ", " : "");
        put_raw(f, cj_get(v->reps[r].report, "seed"));
        fputs(", \"totals\": ", f);
        put_raw(f, v->reps[r].totals);
        fputc('}', f);
    }
    fputs("], \"stats\": {", f);
    cli_ci c;
    bool first = true;
    for (size_t r = 0; r < m->nrows; r++)
        if (cli_total_ci(v, m->rows[r], &c))
            json_ci(f, &first, m->rows[r], &c, -1);
    fputc('}', f);
    if (v == &m->v[0])
        return;
    fputs(", \"diff_to_first\": {", f);
    first = true;
    for (size_t r = 0; r < m->nrows; r++)
        if (cli_total_diff(v, &m->v[0], m->rows[r], &c))
            json_ci(f, &first, m->rows[r], &c, cli_ci_significant(&c));
    fputc('}', f);
}

static void write_json(const cli_merged *m, FILE *f)
{
    const cj_value *d = &m->v[0].doc;
    fputs("{\"scenario\": ", f);
    cj_put_str(f, m->scenario);
    fputs(", \"sweep\": ", f);
    cj_put_str(f, cj_str(d, "sweep"));
    fputs(", \"vary\": ", f);
    put_raw(f, cj_get(d, "vary"));
    fputs(", \"sets\": ", f);
    put_raw(f, cj_get(d, "sets"));
    fputs(", \"variants\": [", f);
    static const char *const copied[] = {"model", "params", "seed", "totals", "groups"};
    for (size_t k = 0; k < m->n; k++) {
        const cli_variant *v = &m->v[k];
        fprintf(f, "%s\n{\"variant\": %zu, \"settings\": ", k ? "," : "", v->number);
        put_raw(f, v->settings);
        for (size_t i = 0; i < sizeof copied / sizeof *copied; i++) {
            fprintf(f, ", \"%s\": ", copied[i]);
            put_raw(f, cj_get(v->report, copied[i]));
        }
        fputs(", \"guests\": ", f);
        fwrite(v->guests_raw, 1, v->guests_len, f);
        if (m->nrep > 1)
            write_json_stats(m, v, f);
        fputc('}', f);
    }
    fputs("\n]}\n", f);
}

/* One row per variant: its settings, then every total. */
static void write_csv(const cli_merged *m, FILE *f)
{
    const cj_value *set0 = m->v[0].settings;
    fputs("variant", f);
    for (size_t i = 0; i < set0->n; i++) {
        fputc(',', f);
        csv_put_cell(f, set0->keys[i]);
    }
    if (m->nrep > 1)
        fputs(",replications", f);
    for (size_t r = 0; r < m->nrows; r++) {
        fputc(',', f);
        csv_put_cell(f, m->rows[r]);
        if (m->nrep > 1) { /* the mean, then its 95 % interval */
            char name[300];
            snprintf(name, sizeof name, "%s.ci95_lo", m->rows[r]);
            fputc(',', f);
            csv_put_cell(f, name);
            snprintf(name, sizeof name, "%s.ci95_hi", m->rows[r]);
            fputc(',', f);
            csv_put_cell(f, name);
        }
    }
    fputc('\n', f);
    for (size_t k = 0; k < m->n; k++) {
        const cli_variant *v = &m->v[k];
        fprintf(f, "%zu", v->number);
        for (size_t i = 0; i < set0->n; i++) {
            fputc(',', f);
            csv_put_cell(f, cj_str(v->settings, set0->keys[i]));
        }
        if (m->nrep > 1)
            fprintf(f, ",%zu", v->nrep);
        for (size_t r = 0; r < m->nrows; r++) {
            const cj_value *x = leaf(v, m->rows[r]);
            cli_ci c;
            fputc(',', f);
            if (m->nrep > 1 && cli_total_ci(v, m->rows[r], &c))
                fprintf(f, "%.10g,%.10g,%.10g", c.mean, c.lo, c.hi);
            else if (m->nrep > 1)
                fputs(",,", f);
            else if (x)
                fwrite(x->raw, 1, x->rawlen, f);
        }
        fputc('\n', f);
    }
}

/* ---- the table ----------------------------------------------------------------- */

static void cell_value(char *buf, size_t len, const cj_value *x)
{
    if (!x)
        snprintf(buf, len, "-");
    else if ((x->num == floor(x->num) || fabs(x->num) >= 100) && fabs(x->num) < 1e15)
        snprintf(buf, len, "%.0f", x->num); /* counts, and latencies in whole ns */
    else
        snprintf(buf, len, "%.4g", x->num); /* shares */
}

/* The core's percentiles are within 1/256 of exact (src/core/hist_internal.h:
 * 2^7 sub-buckets per power of two): two of them whose ratio is within
 * twice that do not differ as far as the histogram can tell. */
#define PCT_RESOLUTION (2.0 / 256)

/* A latency percentile row: latency_ns.p99, latency_by_class_ns.3.p50, ... */
static bool percentile_row(const char *row)
{
    const char *last = strrchr(row, '.');
    return !strncmp(row, "latency", 7) && last && last[1] == 'p' && last[2] >= '0' &&
           last[2] <= '9';
}

static void cell_ratio(char *buf, size_t len, const cj_value *x, const cj_value *first, bool pct)
{
    if (!x || !first)
        buf[0] = 0;
    else if (first->num == 0)
        snprintf(buf, len, x->num == 0 ? "x=" : "x-");
    else if (pct && x->num != first->num && fabs(x->num / first->num - 1) <= PCT_RESOLUTION)
        snprintf(buf, len, "x%.2f≈", x->num / first->num);
    else
        snprintf(buf, len, "x%.2f", x->num / first->num);
}

/* A field of a latency summary whose count is 0 (nothing delivered): it
 * has no value to show and no ratio to take. */
static bool empty_latency(const cli_variant *v, const char *row)
{
    const char *last = strrchr(row, '.');
    if (strncmp(row, "latency", 7) || !last || !strcmp(last, ".count"))
        return false;
    char key[512];
    int n = snprintf(key, sizeof key, "%.*s.count", (int)(last - row), row);
    if (n < 0 || (size_t)n >= sizeof key)
        return false;
    const cj_value *c = leaf(v, key);
    return c && c->num == 0;
}

/* The value of variant k for row r: the number, or with replications the
 * mean and its 95 % half-width. The second cell (from variant 2 on): the
 * ratio to variant 1, or with replications the paired difference to
 * variant 1, "n.s." when its interval contains 0. */
static void cells(const cli_merged *m, size_t k, size_t r, char *val, char *cmp, size_t len)
{
    const cli_variant *v = &m->v[k];
    cmp[0] = 0;
    if (empty_latency(v, m->rows[r])) {
        snprintf(val, len, "-");
        return;
    }
    if (k && empty_latency(&m->v[0], m->rows[r])) { /* no reference to compare with */
        cell_value(val, len, leaf(v, m->rows[r]));
        if (m->nrep <= 1)
            return;
    }
    if (m->nrep <= 1) {
        cell_value(val, len, leaf(v, m->rows[r]));
        if (k)
            cell_ratio(cmp, len, leaf(v, m->rows[r]), leaf(&m->v[0], m->rows[r]),
                       percentile_row(m->rows[r]));
        return;
    }
    cli_ci c;
    if (!cli_total_ci(v, m->rows[r], &c)) {
        snprintf(val, len, "-");
        return;
    }
    cli_ci_format(val, len, &c);
    if (!k || !cli_total_diff(v, &m->v[0], m->rows[r], &c))
        return;
    if (c.mean == 0 && c.half == 0) {
        snprintf(cmp, len, "Δ=");
        return;
    }
    char d[64];
    cli_ci_format(d, sizeof d, &c);
    snprintf(cmp, len, "Δ%s%s%s", c.mean > 0 ? "+" : "", d, cli_ci_significant(&c) ? "" : " n.s.");
}

/* Width on a terminal: UTF-8 continuation bytes take no column. */
static size_t dwidth(const char *s)
{
    size_t w = 0;
    for (; *s; s++)
        w += ((unsigned char)*s & 0xC0) != 0x80;
    return w;
}

/* Table cells come from the documents: control characters escaped. */
static void put_right(FILE *f, const char *s, size_t w)
{
    char e[512];
    irq_escape(s, e, sizeof e);
    for (size_t i = dwidth(e); i < w; i++)
        fputc(' ', f);
    fputs(e, f);
}

static void put_left(FILE *f, const char *s, size_t w)
{
    char e[512];
    irq_escape(s, e, sizeof e);
    fputs(e, f);
    for (size_t i = dwidth(e); i < w; i++)
        fputc(' ', f);
}

typedef struct table {
    size_t label_w, *val_w, *cmp_w;
} table;

static void widen(size_t *w, const char *s)
{
    size_t n = dwidth(s);
    *w = n > *w ? n : *w;
}

static void measure(const cli_merged *m, table *t)
{
    char val[128], cmp[128];
    t->label_w = 8;
    const cj_value *set0 = m->v[0].settings;
    for (size_t i = 0; i < set0->n; i++)
        widen(&t->label_w, set0->keys[i]);
    for (size_t r = 0; r < m->nrows; r++)
        widen(&t->label_w, m->rows[r]);
    for (size_t k = 0; k < m->n; k++) {
        const cli_variant *v = &m->v[k];
        t->val_w[k] = 6;
        for (size_t i = 0; i < v->settings->n; i++) {
            const cj_value *s = &v->settings->items[i];
            widen(&t->val_w[k], s->type == CJ_STR ? s->str : "?");
        }
        for (size_t r = 0; r < m->nrows; r++) {
            cells(m, k, r, val, cmp, sizeof val);
            widen(&t->val_w[k], val);
            widen(&t->cmp_w[k], cmp);
        }
    }
}

static void table_head(const cli_merged *m, const table *t, size_t k0, size_t k1, FILE *f)
{
    char num[32];
    put_left(f, "variant", t->label_w);
    for (size_t k = k0; k < k1; k++) {
        snprintf(num, sizeof num, "%zu", m->v[k].number);
        fputs("  ", f);
        put_right(f, num, t->val_w[k]);
        put_left(f, "", t->cmp_w[k] ? t->cmp_w[k] + 1 : 0);
    }
    fputc('\n', f);
    const cj_value *set0 = m->v[0].settings;
    for (size_t i = 0; i < set0->n; i++) {
        put_left(f, set0->keys[i], t->label_w);
        for (size_t k = k0; k < k1; k++) {
            const cj_value *s = cj_get_t(m->v[k].settings, set0->keys[i], CJ_STR);
            fputs("  ", f);
            put_right(f, s ? s->str : "-", t->val_w[k]);
            put_left(f, "", t->cmp_w[k] ? t->cmp_w[k] + 1 : 0);
        }
        fputc('\n', f);
    }
}

/* With a single interrupt class, the per-class latencies repeat the
 * totals: the table leaves them out (compare.csv keeps them). */
static bool one_class_row(const cli_merged *m, size_t r)
{
    static const char prefix[] = "latency_by_class_ns.";
    const size_t plen = sizeof prefix - 1;
    if (strncmp(m->rows[r], prefix, plen) != 0)
        return false;
    const char *first = NULL;
    for (size_t i = 0; i < m->nrows; i++) {
        if (strncmp(m->rows[i], prefix, plen) != 0)
            continue;
        const char *cls = m->rows[i] + plen;
        size_t len = strcspn(cls, ".");
        if (!first)
            first = cls;
        else if (strncmp(first, cls, len) != 0 || first[len] != '.')
            return false;
    }
    return true;
}

/* The table's sections, in order; a row goes to the first that claims it
 * (host work takes what the others do not). */
enum { SEC_HOST, SEC_IRQ, SEC_LATENCY, SEC_STATES, NSECTIONS };
static const char *const section_names[] = {"host work (alerts, kicks, model counters)",
                                            "interrupts", "latency (ns)", "share of vCPU time"};

static int section_of(const char *row)
{
    static const char *const irq[] = {"injected", "delivered", "coalesced",
                                      "pending",  "dropped",   "undelivered"};
    for (size_t i = 0; i < sizeof irq / sizeof *irq; i++)
        if (!strcmp(row, irq[i]))
            return SEC_IRQ;
    if (!strncmp(row, "undelivered", 11) || !strcmp(row, "oldest_pending_ns"))
        return SEC_IRQ;
    if (!strncmp(row, "latency", 7))
        return SEC_LATENCY;
    if (!strncmp(row, "state_share.", 12))
        return SEC_STATES;
    return SEC_HOST;
}

static void table_rows(const cli_merged *m, const table *t, size_t k0, size_t k1, FILE *f)
{
    char val[128], cmp[128];
    for (int sec = 0; sec < NSECTIONS; sec++) {
        bool headed = false;
        for (size_t r = 0; r < m->nrows; r++) {
            if (section_of(m->rows[r]) != sec || one_class_row(m, r))
                continue;
            if (!headed) {
                fprintf(f, "-- %s\n", section_names[sec]);
                headed = true;
            }
            put_left(f, m->rows[r], t->label_w);
            for (size_t k = k0; k < k1; k++) {
                cells(m, k, r, val, cmp, sizeof val);
                fputs("  ", f);
                put_right(f, val, t->val_w[k]);
                if (t->cmp_w[k]) {
                    fputc(' ', f);
                    put_right(f, cmp, t->cmp_w[k]);
                }
            }
            fputc('\n', f);
        }
    }
}

/* The terminal's width from $COLUMNS, else 120 (a pipe, a file). */
static size_t table_width(void)
{
    const char *c = getenv("COLUMNS");
    long w = c ? strtol(c, NULL, 10) : 0;
    return w >= 40 && w <= 10000 ? (size_t)w : 120;
}

static void write_table(const cli_merged *m, FILE *f)
{
    table t = {0};
    t.val_w = calloc(m->n, sizeof *t.val_w);
    t.cmp_w = calloc(m->n, sizeof *t.cmp_w);
    if (!t.val_w || !t.cmp_w) {
        free(t.val_w);
        free(t.cmp_w);
        return;
    }
    measure(m, &t);
    t.cmp_w[0] = 0; /* variant 1 is the reference */
    char scen[256]; /* the scenario's name, from the documents: escaped */
    irq_escape(m->scenario, scen, sizeof scen);
    if (m->nrep > 1)
        fprintf(f,
                "scenario %s: %zu variant%s x %zu replications (mean ±half-width of its 95 %% "
                "confidence interval; Δ: difference to variant 1, paired by seed, n.s.: its "
                "interval contains 0; latencies in ns)\n",
                scen, m->n, m->n == 1 ? "" : "s", m->nrep);
    if (m->nrep > 1) { /* so that any replication can be rerun alone */
        const cj_value *seeds = cj_get_t(&m->v[0].doc, "seeds", CJ_ARR);
        fputs("seeds of variant 1 (the same for every variant unless a --vary changes the seed):",
              f);
        for (size_t r = 0; seeds && r < seeds->n; r++)
            fprintf(f, "%s %.*s", r ? "," : "", (int)seeds->items[r].rawlen, seeds->items[r].raw);
        fputs("\n\n", f);
    } else
        fprintf(f,
                "scenario %s: %zu variant%s (xR: ratio to variant 1, x= both 0, x- variant 1 "
                "is 0, ≈ within the percentiles' resolution (0.4 %%): not a difference; latencies "
                "in ns)\n\n",
                scen, m->n, m->n == 1 ? "" : "s");
    /* fold: as many variants per block as fit the width (at least one) */
    size_t width = table_width();
    for (size_t k0 = 0; k0 < m->n;) {
        size_t used = t.label_w, k1 = k0;
        do {
            used += 2 + t.val_w[k1] + (t.cmp_w[k1] ? t.cmp_w[k1] + 1 : 0);
            k1++;
        } while (k1 < m->n &&
                 used + 2 + t.val_w[k1] + (t.cmp_w[k1] ? t.cmp_w[k1] + 1 : 0) <= width);
        if (k0 > 0)
            fputc('\n', f);
        table_head(m, &t, k0, k1, f);
        table_rows(m, &t, k0, k1, f);
        k0 = k1;
    }
    free(t.val_w);
    free(t.cmp_w);
}

static int write_file(const char *dir, const char *name, const cli_merged *m,
                      void (*fn)(const cli_merged *, FILE *))
{
    cli_outfile out;
    if (cli_out_open(&out, dir, name) != 0)
        return EXIT_IO;
    fn(m, out.f);
    return cli_out_commit(&out) == 0 ? EXIT_OK : EXIT_IO;
}

int cli_merge_write(const cli_merged *m, const cli_merge_out *o)
{
    int st = EXIT_OK;
    if (o->dir && cli_mkdir_p(o->dir) != 0) {
        fprintf(stderr, "irqsim %s: cannot create directory %s: %s\n", o->cmd, o->dir,
                strerror(errno));
        return EXIT_IO;
    }
    if (o->dir)
        st = write_file(o->dir, "compare.json", m, write_json);
    if (o->dir && st == EXIT_OK)
        st = write_file(o->dir, "compare.csv", m, write_csv);
    if (st == EXIT_OK && o->table) {
        if (o->format == IRQ_FORMAT_JSON)
            write_json(m, stdout);
        else if (o->format == IRQ_FORMAT_CSV)
            write_csv(m, stdout);
        else
            write_table(m, stdout);
        if (fflush(stdout) != 0) {
            fprintf(stderr, "irqsim %s: cannot write to standard output: %s\n", o->cmd,
                    strerror(errno));
            st = EXIT_IO;
        }
    }
    if (st == EXIT_OK && o->plot && o->dir)
        st = cli_plot_variants(m, o->dir, o->plot_format, o->quiet);
    return st;
}

/* ---- irqsim merge DIR... ------------------------------------------------------ */

static int read_one(const char *dir, const char *name, cli_src *s)
{
    size_t len = strlen(dir) + strlen(name) + 2;
    s->name = malloc(len);
    if (!s->name)
        return EXIT_SIMFAIL;
    snprintf(s->name, len, "%s/%s", dir, name);
    if (cli_read_file(s->name, CLI_MAX_DOC_BYTES, &s->text, &s->len) != 0) {
        int e = errno;
        fprintf(stderr, "irqsim merge: cannot read %s: %s\n", s->name, cli_read_error(e));
        return EXIT_USAGE; /* an input that cannot be read */
    }
    return EXIT_OK;
}

static int read_dir(const char *dir, cli_src **src, size_t *n, size_t *cap)
{
    DIR *d = opendir(dir);
    if (!d) {
        fprintf(stderr, "irqsim merge: cannot open directory %s: %s\n", dir, strerror(errno));
        return EXIT_USAGE;
    }
    int st = EXIT_OK;
    for (struct dirent *e; st == EXIT_OK && (e = readdir(d));) {
        if (!cli_variant_file_name(e->d_name))
            continue;
        if (*n == *cap) {
            *cap = *cap ? *cap * 2 : 16;
            cli_src *s = realloc(*src, *cap * sizeof *s);
            if (!s) {
                st = EXIT_SIMFAIL;
                break;
            }
            *src = s;
        }
        (*src)[*n] = (cli_src){0};
        st = read_one(dir, e->d_name, &(*src)[(*n)++]);
    }
    closedir(d);
    return st;
}

int cli_merge_read_dirs(const char *const *dirs, size_t ndirs, cli_src **src, size_t *n)
{
    size_t cap = 0;
    *src = NULL;
    *n = 0;
    int st = EXIT_OK;
    for (size_t i = 0; i < ndirs && st == EXIT_OK; i++)
        st = read_dir(dirs[i], src, n, &cap);
    return st;
}

int cmd_merge(int argc, char **argv)
{
    cli_opts o = {0};
    if (cli_parse_args("merge", argc, argv, &o) != 0) {
        cli_opts_free(&o);
        return EXIT_USAGE;
    }
    cli_src *src = NULL;
    size_t n = 0;
    cli_merged m = {0};
    int st = cli_merge_read_dirs(o.operands, o.noperands, &src, &n);
    if (st == EXIT_OK)
        st = cli_merge_load(&m, src, n, "merge");
    cli_merge_out out = {.cmd = "merge",
                         .dir = o.out_dir ? o.out_dir : o.operands[0],
                         .table = true,
                         .plot = o.plot,
                         .plot_format = o.plot_format,
                         .quiet = o.quiet};
    if (st == EXIT_OK)
        st = cli_merge_write(&m, &out);
    cli_merge_free(&m);
    cli_src_free(src, n);
    cli_opts_free(&o);
    return st;
}
