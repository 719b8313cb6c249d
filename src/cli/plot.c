/* Plots: CSV data and gnuplot scripts in the output folder, rendered by
 * gnuplot when it is installed.
 *
 * The scripts are written for a design review: 1600x1000 pictures with
 * large fonts, a colour-blind-safe palette (Okabe-Ito), titles that name
 * the scenario, axes with units, a legend everywhere. Text is not
 * "enhanced" so that names with underscores print as they are. */
#include <errno.h>
#include <fcntl.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

#include "plot_internal.h"
#include "stats_internal.h"

#define MAX_SCRIPTS 12
#define MAX_COUNTERS 11
#define HIST_MERGE 2   /* histogram plot: 20 bins per decade merged to 10 */
#define TAIL_POINTS 37 /* 1 - p from 0.5 to 1e-4, log spaced */

static const char *const palette[] = {"#0072B2", "#D55E00", "#009E73", "#CC79A7",
                                      "#E69F00", "#56B4E9", "#000000", "#B8860B"};
/* Dash patterns: lines differ by dash as well as by colour (grey print,
 * colour-blind viewers). */
static const char *const dashes[] = {"solid",   "(18,8)", "(4,6)",          "(18,6,4,6)",
                                     "(30,10)", "(8,5)",  "(18,5,4,5,4,5)", "(4,4)"};

typedef struct plotter {
    const char *dir;
    const char *ext; /* png or svg */
    const cli_merged *m;
    const char *scripts[MAX_SCRIPTS];
    size_t nscripts;
    int failed;
    char sub1[512], sub2[512]; /* what a slide needs to be reproduced */
} plotter;

/* ---- numbers as they read on a slide ------------------------------------ */

/* 3 significant digits and a k/M/G suffix: 950, 12.3k, 2.95M, 0.0123. */
static void fmt_count(char *buf, size_t len, double v)
{
    static const char *const suffix[] = {"", "k", "M", "G", "T", "P"};
    int i = 0;
    while (fabs(v) >= 999.5 && i < 5)
        v /= 1000, i++;
    if (v == 0)
        snprintf(buf, len, "0");
    else if (i == 0 && v == floor(v))
        snprintf(buf, len, "%.0f", v);
    else
        snprintf(buf, len, "%.3g%s", v, suffix[i]);
}

/* 3 significant digits, trailing zeros kept (0.230, 99.6, 100). */
static void fmt_sig3(char *buf, size_t len, double v)
{
    snprintf(buf, len, "%#.3g", v);
    size_t n = strlen(buf);
    if (n && buf[n - 1] == '.')
        buf[n - 1] = 0;
}

/* A duration with 3 significant digits and its unit: 2.01 ms. */
static void fmt_seconds(char *buf, size_t len, double s)
{
    static const char *const unit[] = {"s", "ms", "µs", "ns"};
    int u = 0;
    while (u < 3 && s != 0 && fabs(s) < 0.9995)
        s *= 1000, u++;
    char num[32];
    fmt_sig3(num, sizeof num, s);
    snprintf(buf, len, "%s %s", num, unit[u]);
}

/* ---- files and gnuplot text ------------------------------------------------ */

static FILE *open_file(plotter *p, const char *stem, const char *ext)
{
    char path[4096];
    snprintf(path, sizeof path, "%s/%s.%s", p->dir, stem, ext);
    FILE *f = fopen(path, "w");
    if (!f) {
        fprintf(stderr, "irqsim: cannot write %s: %s\n", path, strerror(errno));
        p->failed = 1;
    }
    return f;
}

static void close_file(plotter *p, FILE *f)
{
    if (f && (ferror(f) | fclose(f))) {
        fprintf(stderr, "irqsim: could not write a plot file in %s: %s\n", p->dir, strerror(errno));
        p->failed = 1;
    }
}

/* A gnuplot string in single quotes ('' is a quote). */
static void gp_str(FILE *f, const char *s)
{
    fputc('\'', f);
    for (; *s; s++) {
        if (*s == '\'')
            fputc('\'', f);
        fputc(*s == '\n' ? ' ' : *s, f);
    }
    fputc('\'', f);
}

/* A gnuplot string in double quotes: newlines become line breaks. */
static void gp_dstr(FILE *f, const char *s)
{
    fputc('"', f);
    for (; *s; s++) {
        if (*s == '\n')
            fputs("\\n", f);
        else
            fprintf(f, *s == '"' || *s == '\\' ? "\\%c" : "%c", *s);
    }
    fputc('"', f);
}

/* The subtitle: scenario, model, simulated time, seed, replications,
 * irqsim version; then the fixed --set values. */
static void make_subtitle(plotter *p)
{
    const cli_merged *m = p->m;
    const cj_value *r0 = m->v[0].report;
    const cj_value *secs = cj_get_t(r0, "sim_seconds", CJ_NUM);
    const cj_value *seed = cj_get(r0, "seed");
    char dur[64] = "?", seeds[96];
    if (secs)
        fmt_seconds(dur, sizeof dur, secs->num);
    bool same_seed = seed != NULL;
    for (size_t k = 1; k < m->n && same_seed; k++) {
        const cj_value *o = cj_get(m->v[k].report, "seed");
        same_seed = o && o->rawlen == seed->rawlen && !memcmp(o->raw, seed->raw, o->rawlen);
    }
    if (!same_seed)
        snprintf(seeds, sizeof seeds, "seeds vary");
    else if (m->nrep > 1)
        snprintf(seeds, sizeof seeds, "%zu replications (seeds from %.*s)", m->nrep,
                 (int)seed->rawlen, seed->raw);
    else
        snprintf(seeds, sizeof seeds, "seed %.*s", (int)seed->rawlen, seed->raw);
    snprintf(p->sub1, sizeof p->sub1, "scenario %s (model %s), %s simulated, %s", m->scenario,
             m->model, dur, seeds);
    const cj_value *sets = cj_get_t(&m->v[0].doc, "sets", CJ_ARR);
    size_t used = 0;
    p->sub2[0] = 0;
    for (size_t i = 0; sets && i < sets->n && used < sizeof p->sub2; i++)
        if (sets->items[i].type == CJ_STR)
            used += (size_t)snprintf(p->sub2 + used, sizeof p->sub2 - used, "%s%s",
                                     used ? " " : "--set ", sets->items[i].str);
    if (used < sizeof p->sub2)
        snprintf(p->sub2 + used, sizeof p->sub2 - used, "%sirqsim %s (%s)", used ? "; " : "",
                 IRQ_VERSION, cli_revision());
}

/* A title: what the plot shows, then the subtitle lines. */
static void gp_title(const plotter *p, FILE *f, const char *cmd, const char *what)
{
    char t[1400];
    snprintf(t, sizeof t, "%s\n%s\n%s", what, p->sub1, p->sub2);
    fprintf(f, "%s ", cmd);
    gp_dstr(f, t);
    fputs(" font ',20'\n", f);
}

/* The pictures' size in pixels: the terminals below, and the layout
 * arithmetic that sizes room for text (value_room, label_room). */
#define PICTURE_W 1600
#define PICTURE_H 1000

static void gp_begin(plotter *p, FILE *f, const char *stem, const char *what)
{
    fprintf(f,
            "# irqsim: %s.\n# Data: %s.csv, written by irqsim. Restyle this script, then run\n"
            "#   gnuplot %s.gp\n# in this folder.\nreset\nset encoding utf8\n",
            what, stem, stem);
    if (strcmp(p->ext, "svg") == 0)
        fprintf(f,
                "set terminal svg size %d,%d dynamic font 'Sans,22' background rgb 'white' "
                "noenhanced\n",
                PICTURE_W, PICTURE_H);
    else
        fprintf(f,
                "if (strstrt(GPVAL_TERMINALS, 'pngcairo') > 0) {\n"
                "    set terminal pngcairo size %d,%d font 'Sans,22' noenhanced\n"
                "} else {\n"
                "    set terminal png size %d,%d font 'DejaVuSans,20' noenhanced\n"
                "}\n",
                PICTURE_W, PICTURE_H, PICTURE_W, PICTURE_H);
    fprintf(f, "set output '%s.%s'\nset datafile separator comma\n", stem, p->ext);
    fputs("set border lw 2\nset grid lc rgb '#d0d0d0' lw 1 dt solid\n"
          "set key box opaque samplen 3\n",
          f);
    for (size_t k = 0; k < 8 || (k < p->m->n && k < 64); k++)
        fprintf(f, "set linetype %zu lc rgb '%s' lw 4 dt %s pt 7\n", k + 1, palette[k % 8],
                dashes[(k + k / 8) % 8]);
}

static void gp_end(plotter *p, FILE *f, const char *stem)
{
    fputs("unset output\n", f);
    close_file(p, f);
    if (p->nscripts < MAX_SCRIPTS)
        p->scripts[p->nscripts++] = stem;
}

/* Decade tics for a latency axis in ns: "1 ns", "10 ns", ..., "1 µs"... */
static void gp_latency_axis(FILE *f, char axis, double lo, double hi)
{
    static const char *const units[] = {"ns", "µs", "ms", "s"};
    int d0 = (int)floor(log10(lo) + 1e-9), d1 = (int)ceil(log10(hi) - 1e-9);
    if (d1 <= d0)
        d1 = d0 + 1;
    fprintf(f, "set logscale %c\nset %crange [%g:%g]\nset %ctics (", axis, axis, pow(10, d0),
            pow(10, d1), axis);
    int every = d1 - d0 > 5 ? 2 : 1; /* labels that do not run into each other */
    for (int d = d0; d <= d1; d++) {
        int u = d < 9 ? d / 3 : 3;
        double mant = pow(10, u < 3 ? d % 3 : d - 9);
        if ((d - d0) % every)
            fprintf(f, ", '' %g", pow(10, d));
        else
            fprintf(f, "%s'%g %s' %g", d > d0 ? ", " : "", mant, units[u], pow(10, d));
    }
    fprintf(f, ")\nset m%ctics 10\n", axis);
}

/* Room at the bottom of a figure for a shared legend of `entries` lines
 * in up to `cols` columns (screen fraction). */
static double key_height(size_t entries, size_t cols)
{
    size_t rows = (entries + cols - 1) / cols;
    return 0.035 + 0.042 * (double)rows;
}

/* A legend for every panel of a figure, once, in a strip of the full width
 * under them: it never covers data. Drawn as a last, empty plot whose
 * only visible part is its key. */
static void gp_key_strip(const cli_merged *m, FILE *f, double height, const char *with)
{
    fprintf(f,
            "# the legend: an empty plot in a strip under the panels\n"
            "set lmargin at screen 0.02\nset rmargin at screen 0.98\n"
            "set bmargin at screen 0.0\nset tmargin at screen %.3f\n"
            "unset title\nunset xlabel\nunset ylabel\nunset border\nunset tics\nunset grid\n"
            "unset arrow\nunset label\nunset logscale\nset xrange [0:1]\nset yrange [0:1]\n"
            "set key inside center center horizontal maxcols 3 box opaque samplen 3 width 2\n",
            height);
    for (size_t k = 0; k < m->n; k++) {
        fprintf(f, "%s NaN with %s lt %zu title ", k ? ", \\\n    " : "plot", with, k + 1);
        gp_str(f, m->v[k].label);
    }
    fputc('\n', f);
}

/* ---- latency CDF and tail ----------------------------------------------------- */

static double pct(uint64_t part, uint64_t all)
{
    return all ? 100.0 * (double)part / (double)all : 0;
}

/* First and last non-empty bins of some histograms; false when none. */
static bool hists_range(const cli_hist *const *h, size_t n, int *lo, int *hi)
{
    *lo = CLI_HIST_BINS;
    *hi = -1;
    for (size_t k = 0; k < n; k++)
        for (int i = 0; h[k] && i < CLI_HIST_BINS; i++)
            if (h[k]->bins[i]) {
                *lo = i < *lo ? i : *lo;
                *hi = i > *hi ? i : *hi;
            }
    return *hi >= 0;
}

static bool bin_range(const cli_merged *m, int *lo, int *hi)
{
    const cli_hist *h[64];
    bool any = false;
    int l, u;
    *lo = CLI_HIST_BINS;
    *hi = -1;
    for (size_t k0 = 0; k0 < m->n; k0 += 64) {
        size_t n = 0;
        for (size_t k = k0; k < m->n && n < 64; k++)
            h[n++] = &m->v[k].lat.all;
        if (hists_range(h, n, &l, &u)) {
            any = true;
            *lo = l < *lo ? l : *lo;
            *hi = u > *hi ? u : *hi;
        }
    }
    return any;
}

static bool any_below(const cli_hist *const *h, size_t n)
{
    for (size_t k = 0; k < n; k++)
        if (h[k] && h[k]->below)
            return true;
    return false;
}

static void csv_header(const cli_merged *m, FILE *f, const char *first)
{
    fputs(first, f);
    for (size_t k = 0; k < m->n; k++) {
        fputc(',', f);
        csv_put_cell(f, m->v[k].label);
    }
    fputc('\n', f);
}

/* Rows x: the cumulative share of each histogram at the upper edge of
 * bin j (j = lo - 1: the share under the first edge); an empty cell for
 * a histogram without interrupts (or NULL). */
static void cdf_rows(FILE *f, const cli_hist *const *h, size_t n, int lo, int hi)
{
    for (int j = lo - 1; j <= hi; j++) {
        fprintf(f, "%.6g", cli_hist_edge(j + 1));
        for (size_t k = 0; k < n; k++) {
            uint64_t all = h[k] ? cli_hist_total(h[k]) : 0, below = h[k] ? h[k]->below : 0;
            for (int i = 0; all && i <= j; i++)
                below += h[k]->bins[i];
            if (all)
                fprintf(f, ",%.6g", pct(below, all));
            else
                fputc(',', f);
        }
        fputc('\n', f);
    }
}

/* The latency (ns) under which a share q of the interrupts fall, read
 * from the histogram with geometric interpolation inside its bin; NAN
 * when it falls under 1 ns (interrupts taken at once). */
static double hist_quantile(const cli_hist *h, double q)
{
    double want = q * (double)cli_hist_total(h), cum = (double)h->below;
    if (want <= cum)
        return NAN;
    for (int i = 0; i < CLI_HIST_BINS; i++) {
        if (!h->bins[i])
            continue;
        if (cum + (double)h->bins[i] >= want) {
            double frac = (want - cum) / (double)h->bins[i];
            return cli_hist_edge(i) * pow(cli_hist_edge(i + 1) / cli_hist_edge(i), frac);
        }
        cum += (double)h->bins[i];
    }
    return cli_hist_edge(CLI_HIST_BINS);
}

static double tail_point(int j)
{
    return 0.5 * pow(10, -(double)j * log10(5000.0) / (TAIL_POINTS - 1));
}

/* Row j: the percentile p, 1 - p and each variant's latency at p; empty
 * where fewer than one interrupt lies beyond p (the data do not say) or
 * where p falls under 1 ns. Returns the latency range in *lo, *hi. */
static void tail_csv(const cli_merged *m, FILE *f, double *lo, double *hi)
{
    csv_header(m, f, "percentile,one_minus_p");
    *lo = INFINITY;
    *hi = 0;
    for (int j = 0; j < TAIL_POINTS; j++) {
        double t = tail_point(j);
        fprintf(f, "%.6g,%.6g", 100 * (1 - t), t);
        for (size_t k = 0; k < m->n; k++) {
            const cli_hist *h = &m->v[k].lat.all;
            double all = (double)cli_hist_total(h);
            double x = all * t >= 1 ? hist_quantile(h, 1 - t) : NAN;
            if (isnan(x)) {
                fputc(',', f);
                continue;
            }
            fprintf(f, ",%.6g", x);
            *lo = fmin(*lo, x);
            *hi = fmax(*hi, x);
        }
        fputc('\n', f);
    }
}

/* One line per histogram with interrupts; data columns start at col. */
static void gp_plot_lines(FILE *f, const char *csv, const cli_hist *const *h, size_t n,
                          const char *xcol, size_t col, const char *with, const cli_merged *m,
                          bool titles)
{
    int lines = 0;
    for (size_t k = 0; k < n; k++) {
        if (!h[k] || !cli_hist_total(h[k]))
            continue;
        size_t v = k % m->n;
        fprintf(f, "%s'%s' skip 1 using %s:%zu with %s lt %zu ", lines++ ? ", \\\n     " : "plot ",
                csv, xcol, k + col, with, v + 1);
        if (titles) {
            fputs("title ", f);
            gp_str(f, m->v[v].label);
        } else {
            fputs("notitle", f);
        }
    }
    fputs(lines ? "\n" : "plot NaN notitle\n", f);
}

static void gp_cdf_panel(FILE *f, int lo, int hi)
{
    fputs("set xlabel 'latency from arrival to delivery (log scale)'\n"
          "set ylabel 'interrupts delivered within that latency (%)'\n"
          "set yrange [0:100]\nset ytics 10\n",
          f);
    gp_latency_axis(f, 'x', cli_hist_edge(lo), cli_hist_edge(hi + 1));
    for (int q = 0; q < 3; q++) {
        static const int at[] = {50, 90, 99};
        fprintf(f,
                "set arrow from graph 0, first %d to graph 1, first %d nohead dt 2 lw 2 "
                "lc rgb '#909090' back\n",
                at[q], at[q]);
        fprintf(f, "set label 'p%d' at graph 1, first %d offset 0.5,0 left tc rgb '#707070'\n",
                at[q], at[q]);
    }
}

static void gp_tail_panel(FILE *f, double lo, double hi)
{
    fputs("unset arrow\nunset label\nset logscale x\nset xrange [0.5:0.0001]\n"
          "set xtics ('p50' 0.5, 'p90' 0.1, 'p99' 0.01, 'p99.9' 0.001, 'p99.99' 0.0001)\n"
          "set mxtics 10\nset ytics auto\n"
          "set xlabel 'percentile (log scale of 1 - p)'\nset ylabel 'latency (log scale)'\n",
          f);
    gp_latency_axis(f, 'y', lo, hi);
}

static void plot_cdf(plotter *p, int lo, int hi)
{
    const cli_merged *m = p->m;
    const cli_hist **h = calloc(m->n, sizeof *h);
    FILE *f = h ? open_file(p, "latency-cdf", "csv") : NULL;
    if (!f) {
        free(h);
        return;
    }
    for (size_t k = 0; k < m->n; k++)
        h[k] = &m->v[k].lat.all;
    if (any_below(h, m->n))
        lo = 0; /* the curve starts at 1 ns with the share taken at once */
    csv_header(m, f, "latency_ns");
    cdf_rows(f, h, m->n, lo, hi);
    close_file(p, f);
    double tlo, thi;
    if (!(f = open_file(p, "latency-tail", "csv"))) {
        free(h);
        return;
    }
    tail_csv(m, f, &tlo, &thi);
    close_file(p, f);
    if (!(f = open_file(p, "latency-cdf", "gp"))) {
        free(h);
        return;
    }
    gp_begin(p, f, "latency-cdf", "interrupt latency: distribution and tail per variant");
    double key = key_height(m->n, 3);
    gp_title(p, f, "set multiplot title", "Interrupt latency");
    fprintf(f,
            "unset key\nset tmargin at screen 0.78\nset bmargin at screen %.3f\n"
            "set lmargin at screen 0.09\nset rmargin at screen 0.44\n"
            "set title 'cumulative distribution'\n",
            key + 0.1);
    gp_cdf_panel(f, lo, hi);
    gp_plot_lines(f, "latency-cdf.csv", h, m->n, "1", 2, "lines", m, false);
    fputs("# the tail, from the same histogram (bins 12 % wide, interpolated inside a bin);\n"
          "# no point where fewer than one interrupt lies beyond the percentile\n"
          "set lmargin at screen 0.61\nset rmargin at screen 0.94\n"
          "set title 'tail: latency at each percentile'\n",
          f);
    if (thi > 0)
        gp_tail_panel(f, tlo, thi);
    gp_plot_lines(f, "latency-tail.csv", h, m->n, "2", 3, "lines", m, false);
    gp_key_strip(m, f, key, "lines");
    fputs("unset multiplot\n", f);
    gp_end(p, f, "latency-cdf");
    free(h);
}

/* ---- latency per class and per guest group ------------------------------------ */

/* The union of the variants' keys (classes or groups), in order of first
 * appearance; at most max. */
static size_t union_keys(const cli_merged *m, bool by_group, const char **keys, size_t max)
{
    size_t n = 0;
    for (size_t k = 0; k < m->n; k++) {
        const cli_hist_set *s = by_group ? &m->v[k].lat.by_group : &m->v[k].lat.by_class;
        for (size_t i = 0; i < s->n; i++) {
            size_t j = 0;
            while (j < n && strcmp(keys[j], s->h[i].key) != 0)
                j++;
            if (j == n && n < max)
                keys[n++] = s->h[i].key;
        }
    }
    return n;
}

static const cli_hist *keyed(const cli_variant *v, bool by_group, const char *key)
{
    const cli_hist_set *s = by_group ? &v->lat.by_group : &v->lat.by_class;
    for (size_t i = 0; i < s->n; i++)
        if (strcmp(s->h[i].key, key) == 0)
            return &s->h[i].h;
    return NULL;
}

/* One CDF panel per class (or group), one line per variant. */
static void plot_keyed(plotter *p, bool by_group)
{
    const cli_merged *m = p->m;
    const char *keys[CLI_HIST_KEYS];
    size_t nk = union_keys(m, by_group, keys, CLI_HIST_KEYS);
    const char *stem = by_group ? "latency-by-group" : "latency-by-class";
    if (nk < 2) /* one class or group: the same as the whole */
        return;
    const cli_hist **h = calloc(nk * m->n, sizeof *h);
    if (!h)
        return;
    for (size_t i = 0; i < nk; i++)
        for (size_t k = 0; k < m->n; k++)
            h[i * m->n + k] = keyed(&m->v[k], by_group, keys[i]);
    int lo, hi;
    FILE *f = hists_range(h, nk * m->n, &lo, &hi) ? open_file(p, stem, "csv") : NULL;
    if (!f) {
        free(h);
        return;
    }
    if (any_below(h, nk * m->n))
        lo = 0;
    fputs("latency_ns", f);
    for (size_t i = 0; i < nk; i++)
        for (size_t k = 0; k < m->n; k++) {
            char name[400];
            snprintf(name, sizeof name, "%s %s: %s", by_group ? "group" : "class", keys[i],
                     m->v[k].label);
            fputc(',', f);
            csv_put_cell(f, name);
        }
    fputc('\n', f);
    cdf_rows(f, h, nk * m->n, lo, hi);
    close_file(p, f);
    if ((f = open_file(p, stem, "gp"))) {
        char what[128];
        snprintf(what, sizeof what, "interrupt latency per %s", by_group ? "guest group" : "class");
        gp_begin(p, f, stem, what);
        size_t rows = nk <= 3 ? 1 : nk <= 8 ? 2 : (nk + 3) / 4, cols = (nk + rows - 1) / rows;
        double key = key_height(m->n, 3);
        snprintf(what, sizeof what, "Interrupt latency per %s: cumulative distribution",
                 by_group ? "guest group" : "interrupt class");
        gp_title(p, f, "set multiplot title", what);
        gp_cdf_panel(f, lo, hi);
        fprintf(f,
                "unset label\nunset xlabel\nunset ylabel\nset ytics %d\nset mytics 2\n"
                "set format y '%%g%%%%'\nunset key\n",
                rows > 1 ? 50 : 20); /* short panels: fewer tics */
        double top = 0.78, bottom = key + 0.06, w = 0.88 / (double)cols;
        double h1 = (top - bottom) / (double)rows;
        for (size_t i = 0; i < nk; i++) {
            uint64_t total = 0;
            for (size_t k = 0; k < m->n; k++)
                total += h[i * m->n + k] ? cli_hist_total(h[i * m->n + k]) : 0;
            char count[32];
            fmt_count(count, sizeof count, (double)total);
            /* summed over the variants; short, so that three panels' titles
             * in a row do not run into each other */
            fprintf(f, "set title '%s %s (%s interrupts%s)' font ',18'\n",
                    by_group ? "group" : "class", keys[i], count, m->n > 1 ? " in all" : "");
            size_t r = i / cols, c = i % cols;
            fprintf(f,
                    "set lmargin at screen %.3f\nset rmargin at screen %.3f\n"
                    "set tmargin at screen %.3f\nset bmargin at screen %.3f\n",
                    0.08 + w * (double)c, 0.08 + w * (double)(c + 1) - 0.07,
                    top - h1 * (double)r - 0.05, top - h1 * (double)(r + 1) + 0.1);
            char csv[64];
            snprintf(csv, sizeof csv, "%s.csv", stem);
            gp_plot_lines(f, csv, h + i * m->n, m->n, "1", 2 + i * m->n, "lines", m, false);
        }
        gp_key_strip(m, f, key, "lines");
        fputs("unset multiplot\n", f);
        gp_end(p, f, stem);
    }
    free(h);
}

/* ---- latency histogram ---------------------------------------------------- */

static uint64_t merged_bin(const cli_hist *h, int j)
{
    uint64_t n = 0;
    for (int i = j * HIST_MERGE; i < (j + 1) * HIST_MERGE && i < CLI_HIST_BINS; i++)
        n += h->bins[i];
    return n;
}

/* One row per bin (10 per decade), with an empty bin on each side so
 * that the steps start and end at zero. */
static void hist_csv(const cli_merged *m, FILE *f, int lo, int hi)
{
    csv_header(m, f, "bin_from_ns,bin_to_ns");
    for (int j = lo - 1; j <= hi + 1; j++) {
        fprintf(f, "%.6g,%.6g", cli_hist_edge(j * HIST_MERGE), cli_hist_edge((j + 1) * HIST_MERGE));
        for (size_t k = 0; k < m->n; k++) {
            uint64_t all = cli_hist_total(&m->v[k].lat.all);
            uint64_t in = j >= 0 ? merged_bin(&m->v[k].lat.all, j) : 0;
            if (all)
                fprintf(f, ",%.6g", pct(in, all));
            else
                fputc(',', f);
        }
        fputc('\n', f);
    }
}

/* The legend goes top right, above the tallest bin: the y range leaves
 * about one line of text per variant free. Past a dozen variants it
 * goes outside, to the right. */
/* The legend goes under the plot, with room left for it under the axis
 * label (or to the right past four variants): it never covers a bin. */
static void gp_hist_key(FILE *f, size_t n)
{
    fputs("set yrange [0:*]\n", f);
    if (n <= 4)
        fprintf(f, "set key outside bottom center vertical\nset bmargin %.1f\n",
                4.5 + 1.25 * (double)n);
    else
        fputs("set key outside right top vertical\n", f);
}

static void plot_hist(plotter *p, int lo, int hi)
{
    lo /= HIST_MERGE;
    hi /= HIST_MERGE;
    FILE *f = open_file(p, "latency-hist", "csv");
    if (!f)
        return;
    hist_csv(p->m, f, lo, hi);
    close_file(p, f);
    if (!(f = open_file(p, "latency-hist", "gp")))
        return;
    gp_begin(p, f, "latency-hist", "interrupt latency histogram per variant");
    gp_title(p, f, "set title", "Interrupt latency: histogram");
    fputs("set xlabel 'latency from arrival to delivery (log scale)'\n"
          "set ylabel 'interrupts in the bin (%; 10 bins per decade)'\n",
          f);
    gp_hist_key(f, p->m->n);
    gp_latency_axis(f, 'x', cli_hist_edge((lo - 1 < 0 ? 0 : lo - 1) * HIST_MERGE),
                    cli_hist_edge((hi + 2) * HIST_MERGE));
    int lines = 0;
    for (size_t k = 0; k < p->m->n; k++) {
        const cli_hist *h = &p->m->v[k].lat.all;
        if (!cli_hist_total(h))
            continue;
        fprintf(f, "%s'latency-hist.csv' skip 1 using 1:%zu with steps lt %zu title ",
                lines++ ? ", \\\n     " : "plot ", k + 3, k + 1);
        char title[320];
        int len = snprintf(title, sizeof title, "%s", p->m->v[k].label);
        if (h->below && len >= 0 && (size_t)len < sizeof title) /* a log axis cannot show 0 */
            snprintf(title + len, sizeof title - (size_t)len, " (%.3g%% under 1 ns)",
                     pct(h->below, cli_hist_total(h)));
        gp_str(f, title);
    }
    fputs(lines ? "\n" : "plot NaN notitle\n", f);
    gp_end(p, f, "latency-hist");
}

/* ---- alerts and kicks -------------------------------------------------------- */

static const char *model_of(const cli_variant *v)
{
    return cj_str(v->report, "model");
}

/* The best headline result of the variants' models for a total. */
static int headline(const cli_merged *m, const char *name)
{
    int best = -1;
    for (size_t k = 0; k < m->n; k++) {
        int h = irq_model_counter_headline(model_of(&m->v[k]), name);
        best = h > best ? h : best;
    }
    return best;
}

/* kicks, then the models' headline counters (GAL interruptions, wasted
 * kicks...); when a model has none, all its counters. */
static size_t pick_counters(const cli_merged *m, const char **names)
{
    size_t n = 0;
    names[n++] = "kicks";
    for (int want = 1; want >= 0 && n == 1; want--)
        for (size_t r = 0; r < m->nrows && n < MAX_COUNTERS; r++)
            if (!strchr(m->rows[r], '.') && strcmp(m->rows[r], "kicks") != 0 &&
                headline(m, m->rows[r]) >= want)
                names[n++] = m->rows[r];
    return n;
}

static double counter_max(const cli_merged *m, const char *name)
{
    double max = 0;
    for (size_t k = 0; k < m->n; k++) {
        const cj_value *x = cj_get_t(m->v[k].totals, name, CJ_NUM);
        max = x && x->num > max ? x->num : max;
    }
    return max;
}

/* A bar of a panel: a total, or a total per another total (per delivered
 * interrupt, per kick) or per simulated second (den "s"). */
typedef struct bar_def {
    char title[96];
    const char *num, *den;
} bar_def;

/* The figure of variant v over its replications, with its 95 % interval. */
static bool bar_value(const cli_variant *v, const bar_def *b, cli_ci *out)
{
    double *x = malloc(v->nrep * sizeof *x);
    size_t n = 0;
    for (size_t r = 0; x && r < v->nrep; r++) {
        const cj_value *a = cli_rep_total(&v->reps[r], b->num);
        const cj_value *d = !b->den ? NULL
                            : strcmp(b->den, "s")
                                ? cli_rep_total(&v->reps[r], b->den)
                                : cj_get_t(v->reps[r].report, "sim_seconds", CJ_NUM);
        if (a && (!b->den || (d && d->num > 0)))
            x[n++] = a->num / (b->den ? d->num : 1);
    }
    if (n)
        cli_ci_of(x, n, out);
    free(x);
    return n > 0;
}

/* Where variant k's bar stands: 1, 2, ..., with a gap between the
 * groups of the first varied key when more than one key varies. */
static double bar_x(const cli_merged *m, size_t k)
{
    const cj_value *vary = cj_get_t(&m->v[0].doc, "vary", CJ_ARR);
    const cj_value *vals = vary && vary->n > 1 ? cj_get_t(&vary->items[0], "values", CJ_ARR) : NULL;
    size_t per = vals && vals->n ? m->n / vals->n : 0;
    return (double)k + 1 + (per ? 0.6 * (double)(k / per) : 0);
}

/* A variant's values of the varied keys, separated by sep ("v5 64"); its
 * label when nothing varies. */
static void variant_values(const cli_variant *v, char *buf, size_t len, const char *sep)
{
    size_t used = 0;
    buf[0] = 0;
    for (size_t i = 0; i < v->settings->n && used < len; i++) {
        const cj_value *val = &v->settings->items[i];
        used += (size_t)snprintf(buf + used, len - used, "%s%s", i ? sep : "",
                                 val->type == CJ_STR ? val->str : "?");
    }
    if (!used)
        snprintf(buf, len, "%s", v->label);
}

/* Tic labels: each variant's values of the varied keys, one per line. */
static void gp_variant_tics(const cli_merged *m, FILE *f)
{
    bool slanted = m->n > 4;
    fprintf(f, "set xtics scale 0 font ',%d' %s(", slanted ? 15 : 17,
            !slanted   ? ""
            : m->n > 6 ? "rotate by 45 right "
                       : "rotate by 30 right ");
    for (size_t k = 0; k < m->n; k++) {
        char tic[300];
        variant_values(&m->v[k], tic, sizeof tic, slanted ? " " : "\n");
        fputs(k ? ", " : "", f);
        gp_dstr(f, tic);
        fprintf(f, " %g", bar_x(m, k));
    }
    fputs(")\n", f);
}

/* "heuristic / cpus": what the tic labels are values of. */
static void gp_variant_xlabel(const cli_merged *m, FILE *f)
{
    const cj_value *set0 = m->v[0].settings;
    char lab[512];
    size_t used = 0;
    lab[0] = 0;
    for (size_t i = 0; i < set0->n && used < sizeof lab; i++)
        used +=
            (size_t)snprintf(lab + used, sizeof lab - used, "%s%s", i ? " / " : "", set0->keys[i]);
    if (used) {
        fputs("set xlabel ", f);
        gp_str(f, lab);
        fputs(" font ',16'\n", f);
    } else {
        fputs("unset xlabel\n", f);
    }
}

/* About four tics of 1, 2 or 5 x 10^k up to top, labelled in short form. */
static void gp_count_axis(FILE *f, double top)
{
    static const double mult[] = {1, 2, 5};
    double step = 1e-9;
    for (int i = 0; top / step > 4 && i < 60; i++)
        step = mult[i % 3] * pow(10, i / 3 - 9);
    fprintf(f, "set yrange [0:%.17g]\nset ytics (", top);
    char buf[32];
    for (int i = 0; i * step <= top; i++) {
        fmt_count(buf, sizeof buf, i * step);
        fprintf(f, "%s'%s' %.17g", i ? ", " : "", buf, i * step);
    }
    fputs(")\n", f);
}

/* counters.csv (or counters-rates.csv): per variant its bar position,
 * then per figure the mean, the interval and the printed value. */
static void bars_csv(const cli_merged *m, FILE *f, const bar_def *b, size_t nb, double *top)
{
    fputs("variant,x,label", f);
    for (size_t c = 0; c < nb; c++)
        fprintf(f, ",%s,%s_ci95_lo,%s_ci95_hi,%s_text", b[c].title, b[c].title, b[c].title,
                b[c].title);
    fputc('\n', f);
    for (size_t c = 0; c < nb; c++)
        top[c] = 0;
    for (size_t k = 0; k < m->n; k++) {
        fprintf(f, "%zu,%g,", m->v[k].number, bar_x(m, k));
        csv_put_cell(f, m->v[k].label);
        for (size_t c = 0; c < nb; c++) {
            cli_ci ci;
            char text[64];
            if (!bar_value(&m->v[k], &b[c], &ci)) {
                fputs(",,,,", f);
                continue;
            }
            fmt_count(text, sizeof text, ci.mean);
            fprintf(f, ",%.10g,%.10g,%.10g,%s", ci.mean, ci.lo, ci.hi, text);
            top[c] = fmax(top[c], fmax(ci.hi, ci.mean));
        }
        fputc('\n', f);
    }
}

/* Panels of bars, one per figure, one bar per variant coloured as its
 * lines elsewhere, the value printed above it (turned upright when the
 * bars are narrow, so values never overlap), the 95 % interval as an
 * error bar with replications. */
/* How far past the longest bar (as a multiple of it) an axis `extent`
 * pixels long must reach so that `need` pixels of text fit after it; the
 * bars keep at least a quarter of the axis (longer text runs past it). */
static double room_factor(double need, double extent)
{
    return 1 / fmax(1 - need / extent, 0.25);
}

/* How far above the tallest bar the axis must reach for the value printed
 * above it, in a panel `height` pixels high: an upright value of 6
 * characters at font 15 takes about 70 pixels, a level one about 36 (0.8 of
 * a line up, then its own height). A fixed 1.3 left level values across the
 * panel's top edge in three rows of panels. */
static double value_room(bool upright, double height)
{
    return room_factor(upright ? 70 : 36, fmax(height, 100));
}

static void gp_bar_panels(const plotter *p, FILE *f, const char *csv, const bar_def *b, size_t nb,
                          const double *top, size_t rows, double height)
{
    const cli_merged *m = p->m;
    bool upright = m->n > 4;
    fprintf(f,
            "set style fill solid 0.85 border -1\nset key off\nset xrange [0.4:%g]\n"
            "set grid noxtics ytics\n",
            bar_x(m, m->n - 1) + 0.6);
    gp_variant_tics(m, f);
    size_t cols = (nb + rows - 1) / rows;
    for (size_t c = 0; c < nb; c++) {
        size_t col = 4 + 4 * c;
        if (c / cols == rows - 1) /* the bottom row names what the tics are values of */
            gp_variant_xlabel(m, f);
        else
            fputs("unset xlabel\n", f);
        fputs("set title ", f);
        gp_str(f, b[c].title);
        fputs(" font ',18'\n", f);
        gp_count_axis(f, top[c] > 0 ? top[c] * value_room(upright, height) : 1);
        fprintf(f, "plot '%s' skip 1 using 2:%zu:(0.7):1 with boxes lc variable notitle", csv, col);
        if (m->nrep > 1)
            fprintf(f,
                    ", \\\n     '' skip 1 using 2:%zu:%zu:%zu with yerrorbars lc rgb '#303030' "
                    "lw 2 dt solid pt 0 notitle",
                    col, col + 1, col + 2);
        fprintf(f,
                ", \\\n     '' skip 1 using 2:(column(%zu) > column(%zu) ? column(%zu) : "
                "column(%zu)):(stringcolumn(%zu)) with labels %s font ',15' notitle\n",
                col + 2, col, col + 2, col, col + 3,
                upright ? "rotate by 90 left offset 0,0.5" : "center offset 0,0.8");
    }
}

static void plot_bars(plotter *p, const char *stem, const char *what, const bar_def *b, size_t nb,
                      size_t per_row)
{
    double top[2 * MAX_COUNTERS];
    FILE *f = open_file(p, stem, "csv");
    if (!f)
        return;
    bars_csv(p->m, f, b, nb, top);
    close_file(p, f);
    if (!(f = open_file(p, stem, "gp")))
        return;
    gp_begin(p, f, stem, what);
    size_t rows = (nb + per_row - 1) / per_row, cols = (nb + rows - 1) / rows;
    /* the tic labels slant past 4 variants and stand steeper past 6: room */
    double bottom = p->m->n > 6 ? 0.25 : p->m->n > 4 ? 0.2 : 0.14;
    fprintf(f, "set multiplot layout %zu,%zu margins 0.07,0.98,%.2f,0.76 spacing 0.06,%.2f ", rows,
            cols, bottom, p->m->n > 4 ? 0.22 : 0.16);
    gp_title(p, f, "title", what);
    char csv[64];
    snprintf(csv, sizeof csv, "%s.csv", stem);
    /* a panel's height in pixels, less its title and tic labels */
    double height =
        PICTURE_H *
        ((0.76 - bottom - (p->m->n > 4 ? 0.22 : 0.16) * (double)(rows - 1)) / (double)rows - 0.03);
    gp_bar_panels(p, f, csv, b, nb, top, rows, height);
    fputs("unset multiplot\n", f);
    gp_end(p, f, stem);
}

static void plot_counters(plotter *p)
{
    const char *names[MAX_COUNTERS];
    size_t n = pick_counters(p->m, names);
    bar_def b[2 * MAX_COUNTERS];
    for (size_t c = 0; c < n; c++) {
        b[c] = (bar_def){.num = names[c]};
        snprintf(b[c].title, sizeof b[c].title, "%s", names[c]);
    }
    plot_bars(p, "counters",
              p->m->nrep > 1 ? "Alerts and kicks (whole run; mean, 95 % interval)"
                             : "Alerts and kicks (whole run)",
              b, n, 4);
    /* kicks and wasted kicks, then the first other headline counters (alerts,
     * for gib): per delivered interrupt (wasted kicks: per kick), then per
     * simulated second */
    const char *rate[4];
    size_t nr = 0;
    rate[nr++] = "kicks";
    for (size_t c = 1; c < n; c++)
        if (!strcmp(names[c], "wasted_kicks"))
            rate[nr++] = names[c];
    if (counter_max(p->m, "traps") > 0) /* the core's guest traps (EOI, ACK...) */
        rate[nr++] = "traps";
    for (size_t c = 1; c < n && nr < 4; c++)
        if (strcmp(names[c], "wasted_kicks") != 0)
            rate[nr++] = names[c];
    size_t nb = 0;
    for (size_t c = 0; c < nr; c++, nb++) {
        bool wasted = !strcmp(rate[c], "wasted_kicks");
        b[nb] = (bar_def){.num = rate[c], .den = wasted ? "kicks" : "delivered"};
        snprintf(b[nb].title, sizeof b[nb].title, "%s / %s", rate[c],
                 wasted ? "kick" : "delivered irq");
    }
    for (size_t c = 0; c < nr; c++, nb++) {
        b[nb] = (bar_def){.num = rate[c], .den = "s"};
        snprintf(b[nb].title, sizeof b[nb].title, "%s / simulated s", rate[c]);
    }
    plot_bars(p, "counters-rates",
              "Alerts and kicks per delivered interrupt (top) and per simulated second (bottom)", b,
              nb, nr);
}

/* ---- labels beside horizontal bars ------------------------------------------ */

/* Pixels per character of a label at font 15 in the pictures (measured on
 * the PNGs: about 10.3). */
#define LABEL_PX_PER_CHAR 10.5

static size_t max_size(size_t a, size_t b)
{
    return a > b ? a : b;
}

/* Characters of a UTF-8 string ("µs" is two). */
static size_t utf8_chars(const char *s)
{
    size_t n = 0;
    for (; *s; s++)
        n += ((unsigned char)*s & 0xC0) != 0x80;
    return n;
}

/* The x range a panel `width` (fraction of the picture's width) needs so
 * that a label of `chars` characters printed after its longest bar (value
 * max) ends inside it: at least max * least. */
static double label_room(double max, double width, size_t chars, double least)
{
    double text = LABEL_PX_PER_CHAR * (double)chars + 20;
    return max * fmax(least, room_factor(text, width * PICTURE_W));
}

/* ---- vCPU states ------------------------------------------------------------- */

static const char *const states[] = {"RUNNING", "EXITING", "WAIT", "PREEMPTED", "STOPPED"};
static const char *const state_colour[] = {"#009E73", "#E69F00", "#56B4E9", "#D55E00", "#999999"};
#define NSTATES 5
#define WAIT_STATE 2

/* What the rows of vcpu-states.csv need of the picture: the time STOPPED,
 * the longest other-states bar, and the longest tic label, WAIT text and
 * other-states text. */
typedef struct states_extent {
    double stopped, others_max;
    size_t label_w, wait_chars, others_chars;
} states_extent;

/* One row per variant and group: the states' mean shares (%), the WAIT
 * share's text, and the other states' total and text. */
static void states_row(const cli_merged *m, const cli_variant *v, size_t g, FILE *f,
                       states_extent *x)
{
    const cj_value *t = cj_get_t(&v->groups->items[g], "template", CJ_STR);
    char label[400], vals[300];
    variant_values(v, vals, sizeof vals, " ");
    if (m->n == 1)
        snprintf(label, sizeof label, "%s", t ? t->str : "?");
    else if (v->groups->n == 1)
        snprintf(label, sizeof label, "%s", vals);
    else
        snprintf(label, sizeof label, "%s / %s", vals, t ? t->str : "?");
    x->label_w = max_size(x->label_w, strlen(label));
    fprintf(f, "%zu,", v->number);
    csv_put_cell(f, t ? t->str : "");
    fputc(',', f);
    csv_put_cell(f, label);
    double share[NSTATES], others = 0;
    cli_ci wait = {0};
    for (int s = 0; s < NSTATES; s++) {
        cli_ci c;
        share[s] = cli_group_state_ci(v, g, states[s], &c) ? 100 * c.mean : 0;
        fprintf(f, ",%.6g", share[s]);
        others += s == WAIT_STATE ? 0 : share[s];
        if (s == WAIT_STATE)
            wait = (cli_ci){.mean = 100 * c.mean, .half = 100 * c.half, .n = c.n};
    }
    x->stopped += share[NSTATES - 1];
    x->others_max = fmax(x->others_max, others);
    char text[200], num[64];
    if (m->nrep > 1) /* with replications: the mean and its 95 % half-width */
        cli_ci_format(num, sizeof num, &wait);
    else
        fmt_sig3(num, sizeof num, share[WAIT_STATE]);
    fprintf(f, ",%s%%,%.6g,", num, others);
    x->wait_chars = max_size(x->wait_chars, utf8_chars(num) + 1);
    size_t used = 0;
    for (int s = 0; s < NSTATES; s++)
        if (s != WAIT_STATE && (s != NSTATES - 1 || share[s] > 0)) {
            fmt_sig3(num, sizeof num, share[s]);
            used +=
                (size_t)snprintf(text + used, sizeof text - used, "%s%s%%", used ? " + " : "", num);
        }
    csv_put_cell(f, text);
    fputc('\n', f);
    x->others_chars = max_size(x->others_chars, utf8_chars(text));
}

/* "($4+$5)": the sum of the state columns in list (0 when empty). */
static void state_sum(char *buf, size_t len, const int *list, int n)
{
    size_t used = (size_t)snprintf(buf, len, n ? "(" : "(0");
    for (int s = 0; s < n && used < len; s++)
        used += (size_t)snprintf(buf + used, len - used, "%s$%d", s ? "+" : "", list[s] + 4);
    if (used < len)
        snprintf(buf + used, len - used, ")");
}

/* Two panels of horizontal bars, one bar per variant and guest group:
 * WAIT alone (it is most of the time when guests idle), then RUNNING,
 * EXITING, PREEMPTED (and STOPPED) stacked on their own scale, so that
 * they stay readable; shares printed. */
static void states_script(const plotter *p, FILE *f, size_t bars, int nstates,
                          const states_extent *x)
{
    /* the tic labels' room: about 0.0095 of the width per character at
     * font 20, 0.0078 at 16 */
    double left = fmin(0.45, 0.03 + (bars > 8 ? 0.0078 : 0.0095) * (double)x->label_w);
    /* the WAIT panel's range: room for its texts (a tic every 50 % until
     * the ticks crowd) */
    double wait_range = label_room(100, 0.17, x->wait_chars, 1.5);
    gp_title(p, f, "set multiplot title", "Where vCPU time goes, per guest group (% of vCPU time)");
    fprintf(f,
            "set style fill solid 1.0 noborder\nset yrange [-%zu.6:0.6]\n"
            "set ytics scale 0 font ',%d'\nset grid xtics noytics\n"
            "set tmargin at screen 0.78\nset bmargin at screen 0.16\n"
            "# row r of the CSV is drawn at y = -r, so the first variant is on top\n"
            "set lmargin at screen %.3f\nset rmargin at screen %.3f\n"
            "set title 'WAIT'\nset xrange [0:%.6g]\nset xtics 0,%d,100\nunset key\n"
            "set xlabel '%%'\n"
            "plot 'vcpu-states.csv' skip 1 using ($6/2):(-$0):(0):6:(-$0-0.38):(-$0+0.38):ytic(3) "
            "with boxxyerror lc rgb '%s' dt solid notitle, \\\n"
            "     '' skip 1 using 6:(-$0):9 with labels left offset 0.3,0 font ',15' notitle\n"
            "set lmargin at screen %.3f\nset rmargin at screen 0.97\nset format y ''\n"
            "set title 'the other states'\nset xrange [0:%.6g]\nset xtics auto\n"
            "set key outside bottom center horizontal samplen 1\n",
            bars - 1, bars > 8 ? 16 : 20, left, left + 0.17, wait_range,
            wait_range > 200 ? 100 : 50, state_colour[WAIT_STATE], left + 0.22,
            x->others_max > 0 ? label_room(x->others_max, 0.75 - left, x->others_chars, 1.9) : 1);
    int list[NSTATES], n = 0;
    for (int s = 0; s < nstates; s++) {
        if (s == WAIT_STATE)
            continue;
        char lo[64], hi[64];
        state_sum(lo, sizeof lo, list, n);
        list[n++] = s;
        state_sum(hi, sizeof hi, list, n);
        fprintf(f,
                "%s'vcpu-states.csv' skip 1 using ((%s+%s)/2):(-$0):%s:%s:(-$0-0.38):(-$0+0.38) "
                "with boxxyerror title '%s' lc rgb '%s' dt solid",
                n > 1 ? ", \\\n     " : "plot ", lo, hi, lo, hi, states[s], state_colour[s]);
    }
    fputs(", \\\n     '' skip 1 using 10:(-$0):11 with labels left offset 0.3,0 font ',15' "
          "notitle\nunset multiplot\n",
          f);
}

static void plot_states(plotter *p)
{
    FILE *f = open_file(p, "vcpu-states", "csv");
    if (!f)
        return;
    fputs("variant,group,label,RUNNING,EXITING,WAIT,PREEMPTED,STOPPED,wait_text,others,"
          "others_text\n",
          f);
    states_extent x = {0};
    size_t bars = 0;
    for (size_t k = 0; k < p->m->n; k++)
        for (size_t g = 0; g < p->m->v[k].groups->n; g++, bars++)
            states_row(p->m, &p->m->v[k], g, f, &x);
    close_file(p, f);
    if (!(f = open_file(p, "vcpu-states", "gp")))
        return;
    gp_begin(p, f, "vcpu-states", "share of time vCPUs spend in each state");
    states_script(p, f, bars, x.stopped > 0 ? NSTATES : NSTATES - 1, &x);
    gp_end(p, f, "vcpu-states");
}

/* ---- where the latency went ----------------------------------------------------- */

static const char *const parts[] = {"host_to_act", "run_queue", "wakeup", "delivery"};
static const char *const part_label[] = {"host to act", "run queue", "wake-up", "delivery"};
static const char *const part_colour[] = {"#D55E00", "#E69F00", "#56B4E9", "#009E73"};
#define NPARTS 4

/* Whether the reports split the latency (latency_breakdown_ns). */
static bool have_breakdown(const cli_merged *m)
{
    for (size_t r = 0; r < m->nrows; r++)
        if (!strncmp(m->rows[r], "latency_breakdown_ns.", 21))
            return true;
    return false;
}

/* One stacked horizontal bar per variant: the mean time an interrupt
 * waited for the host to act, for a CPU, for the wake-up, and its
 * delivery, in µs (means over the replications). */
static void plot_breakdown(plotter *p)
{
    const cli_merged *m = p->m;
    if (!have_breakdown(m))
        return;
    FILE *f = open_file(p, "latency-breakdown", "csv");
    if (!f)
        return;
    fputs("variant,label,host_to_act_us,run_queue_us,wakeup_us,delivery_us,total_us,text\n", f);
    double max = 0;
    size_t label_w = 0, text_chars = 0;
    for (size_t k = 0; k < m->n; k++) {
        char vals[300], text[200], num[32];
        variant_values(&m->v[k], vals, sizeof vals, " ");
        label_w = max_size(label_w, strlen(vals));
        fprintf(f, "%zu,", m->v[k].number);
        csv_put_cell(f, vals);
        double total = 0;
        size_t used = 0;
        for (int i = 0; i < NPARTS; i++) {
            char path[96];
            snprintf(path, sizeof path, "latency_breakdown_ns.%s.mean", parts[i]);
            cli_ci c;
            double us = cli_total_ci(&m->v[k], path, &c) ? c.mean / 1000 : 0;
            fprintf(f, ",%.6g", us);
            total += us;
            fmt_seconds(num, sizeof num, us * 1e-6);
            used += (size_t)snprintf(text + used, sizeof text - used, "%s%s", i ? " + " : "", num);
        }
        fmt_seconds(num, sizeof num, total * 1e-6);
        char line[300], ci[64] = "";
        cli_ci lat;
        if (m->nrep > 1 && cli_total_ci(&m->v[k], "latency_ns.mean", &lat)) {
            char half[32];
            fmt_seconds(half, sizeof half, lat.half * 1e-9);
            snprintf(ci, sizeof ci, " (mean latency ±%s)", half);
        }
        snprintf(line, sizeof line, "%s = %s%s", num, text, ci);
        text_chars = max_size(text_chars, utf8_chars(line));
        fprintf(f, ",%.6g,", total);
        csv_put_cell(f, line);
        fputc('\n', f);
        max = fmax(max, total);
    }
    close_file(p, f);
    if (!(f = open_file(p, "latency-breakdown", "gp")))
        return;
    gp_begin(p, f, "latency-breakdown", "where an interrupt's latency went, mean per variant");
    double left = fmin(0.45, 0.04 + 0.0075 * (double)label_w);
    gp_title(p, f, "set title",
             m->nrep > 1 ? "Where the latency went (mean per interrupt, mean of the replications)"
                         : "Where the latency went (mean per interrupt)");
    fprintf(f,
            "set style fill solid 1.0 noborder\nset yrange [-%zu.6:0.6]\n"
            "set ytics scale 0 font ',%d'\nset grid xtics noytics\n"
            "set lmargin at screen %.3f\nset rmargin at screen 0.97\n"
            "set xlabel 'mean latency per interrupt (µs)'\nset bmargin 6\n"
            "set xrange [0:%.6g]\nset key outside bottom center horizontal samplen 1\n",
            m->n - 1, m->n > 8 ? 16 : 20, left,
            max > 0 ? label_room(max, 0.97 - left, text_chars, 1.7) : 1);
    for (int i = 0; i < NPARTS; i++) {
        int before[NPARTS], upto[NPARTS];
        for (int j = 0; j <= i; j++)
            before[j] = upto[j] = j - 1; /* state_sum counts columns from 4: parts start at 3 */
        char lo[64], hi[64];
        state_sum(lo, sizeof lo, before, i);
        state_sum(hi, sizeof hi, upto, i + 1);
        fprintf(f,
                "%s'latency-breakdown.csv' skip 1 using ((%s+%s)/2):(-$0):%s:%s:(-$0-0.38):"
                "(-$0+0.38)%s with boxxyerror title '%s' lc rgb '%s' dt solid",
                i ? ", \\\n     " : "plot ", lo, hi, lo, hi, i ? "" : ":ytic(2)", part_label[i],
                part_colour[i]);
    }
    fputs(", \\\n     '' skip 1 using 7:(-$0):8 with labels left offset 0.3,0 font ',15' "
          "notitle\n",
          f);
    gp_end(p, f, "latency-breakdown");
}

/* ---- events over time (a run) ---------------------------------------------- */

static void time_unit(double seconds, const char **name, double *scale)
{
    static const char *const names[] = {"s", "ms", "µs", "ns"};
    static const double scales[] = {1, 1e3, 1e6, 1e9};
    int u = seconds >= 1 ? 0 : seconds >= 1e-3 ? 1 : seconds >= 1e-6 ? 2 : 3;
    *name = names[u];
    *scale = scales[u];
}

static void series_csv(const cli_series *s, FILE *f, const char *unit, double scale)
{
    fprintf(f, "from_%s,to_%s", strcmp(unit, "µs") ? unit : "us", strcmp(unit, "µs") ? unit : "us");
    for (size_t r = 0; r < s->n; r++)
        fprintf(f, ",%s", s->rows[r].name);
    fputc('\n', f);
    double width = (double)s->end / s->clock_hz / CLI_SERIES_BUCKETS * scale;
    for (int b = 0; b < CLI_SERIES_BUCKETS; b++) {
        fprintf(f, "%.6g,%.6g", b * width, (b + 1) * width);
        for (size_t r = 0; r < s->n; r++)
            fprintf(f, ",%llu", (unsigned long long)s->rows[r].count[b]);
        fputc('\n', f);
    }
}

/* Alerts and kicks when the model emits them, else every event there is. */
static size_t series_columns(const cli_series *s, int *cols)
{
    size_t n = 0;
    for (size_t r = 0; r < s->n; r++)
        if (!strcmp(s->rows[r].name, "alert") || !strcmp(s->rows[r].name, "kick"))
            cols[n++] = (int)r;
    if (n == 0)
        for (size_t r = 0; r < s->n; r++)
            cols[n++] = (int)r;
    return n;
}

static void plot_series(plotter *p, const cli_series *s)
{
    const char *unit;
    double scale, secs = (double)s->end / s->clock_hz;
    time_unit(secs, &unit, &scale);
    FILE *f = open_file(p, "events-over-time", "csv");
    if (!f)
        return;
    series_csv(s, f, unit, scale);
    close_file(p, f);
    if (!(f = open_file(p, "events-over-time", "gp")))
        return;
    int cols[CLI_SERIES_MAX_NAMES];
    size_t n = series_columns(s, cols);
    bool ak =
        n && (!strcmp(s->rows[cols[0]].name, "alert") || !strcmp(s->rows[cols[0]].name, "kick"));
    gp_begin(p, f, "events-over-time", "instant events per interval of simulated time");
    gp_title(p, f, "set title",
             ak ? "Alerts and kicks over simulated time"
                : "Events over simulated time (this model emits no alert or kick events)");
    const char *wunit;
    double wscale, width = secs / CLI_SERIES_BUCKETS;
    time_unit(width, &wunit, &wscale);
    fprintf(f,
            "set xlabel 'simulated time (%s)'\nset ylabel 'events per %.3g %s interval'\n"
            "set yrange [0:*]\nset key outside bottom center horizontal\nset bmargin 6\n",
            unit, width * wscale, wunit);
    for (size_t i = 0; i < n; i++)
        fprintf(f,
                "%s'events-over-time.csv' skip 1 using (($1+$2)/2):%d with lines lt %zu title '%s'",
                i ? ", \\\n     " : "plot ", cols[i] + 3, i + 1, s->rows[cols[i]].name);
    fputs(n ? "\n" : "plot NaN title 'no events'\n", f);
    gp_end(p, f, "events-over-time");
}

/* ---- rendering --------------------------------------------------------------- */

static bool gnuplot_found(void)
{
    const char *path = getenv("PATH");
    char buf[4096];
    while (path && *path) {
        size_t len = strcspn(path, ":");
        snprintf(buf, sizeof buf, "%.*s/gnuplot", (int)len, len ? path : ".");
        if (access(buf, X_OK) == 0)
            return true;
        path += len + (path[len] == ':');
    }
    return false;
}

/* Runs `gnuplot SCRIPT` in the output folder, its messages going to
 * gnuplot.log there. */
static int run_gnuplot(const plotter *p, const char *stem)
{
    char script[300];
    snprintf(script, sizeof script, "%s.gp", stem);
    fflush(NULL);
    pid_t pid = fork();
    if (pid == 0) {
        int fd = chdir(p->dir) == 0 ? open("gnuplot.log", O_WRONLY | O_CREAT | O_APPEND, 0666) : -1;
        if (fd >= 0) {
            dup2(fd, 1);
            dup2(fd, 2);
            execlp("gnuplot", "gnuplot", script, (char *)NULL);
        }
        _exit(127);
    }
    int status = 0;
    if (pid < 0 || waitpid(pid, &status, 0) < 0)
        return -1;
    return WIFEXITED(status) && WEXITSTATUS(status) == 0 ? 0 : -1;
}

/* Returns false when a plot could not be drawn (gnuplot there but failing). */
static bool render(plotter *p, bool quiet)
{
    if (!gnuplot_found()) {
        fprintf(stderr,
                "gnuplot not found: install gnuplot-nox (apt-get install gnuplot-nox), then run: "
                "cd %s && gnuplot *.gp\n",
                p->dir);
        return true;
    }
    char log[4096];
    snprintf(log, sizeof log, "%s/gnuplot.log", p->dir);
    unlink(log);
    size_t ok = 0;
    for (size_t i = 0; i < p->nscripts; i++) {
        if (run_gnuplot(p, p->scripts[i]) == 0) {
            ok++;
            continue;
        }
        fprintf(stderr, "irqsim: gnuplot failed on %s/%s.gp (its messages: %s)\n", p->dir,
                p->scripts[i], log);
        char image[4096]; /* a failed plot leaves no cut picture behind */
        snprintf(image, sizeof image, "%s/%s.%s", p->dir, p->scripts[i], p->ext);
        unlink(image);
    }
    if (!quiet && ok)
        fprintf(stderr, "irqsim: %zu plots (%s) in %s\n", ok, p->ext, p->dir);
    return ok == p->nscripts;
}

static int plot_all(const cli_merged *m, const cli_series *s, const char *dir, const char *format,
                    bool quiet)
{
    plotter p = {.dir = dir, .ext = format ? format : "png", .m = m};
    int lo, hi;
    make_subtitle(&p);
    if (bin_range(m, &lo, &hi)) {
        plot_cdf(&p, lo, hi);
        plot_hist(&p, lo, hi);
        plot_keyed(&p, false);
        plot_keyed(&p, true);
    } else {
        fprintf(stderr, "irqsim: no interrupt was delivered: no latency plots\n");
    }
    plot_counters(&p);
    plot_states(&p);
    plot_breakdown(&p);
    if (s)
        plot_series(&p, s);
    if (!p.failed && !render(&p, quiet))
        p.failed = true;
    /* a plot that could not be written is an output failure, not a failed run */
    return p.failed ? EXIT_IO : EXIT_OK;
}

int cli_plot_variants(const cli_merged *m, const char *dir, const char *format, bool quiet)
{
    return plot_all(m, NULL, dir, format, quiet);
}

int cli_plot_run(const cli_merged *m, const cli_series *series, const char *dir, const char *format,
                 bool quiet)
{
    return plot_all(m, series, dir, format, quiet);
}
