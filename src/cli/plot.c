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
#include "sweep_internal.h"

#define MAX_SCRIPTS 8
#define MAX_COUNTERS 11
#define HIST_MERGE 2 /* histogram plot: 20 bins per decade merged to 10 */

static const char *const palette[] = {"#0072B2", "#D55E00", "#009E73", "#CC79A7",
                                      "#E69F00", "#56B4E9", "#000000", "#B8860B"};

typedef struct plotter {
    const char *dir;
    const char *ext; /* png or svg */
    const cli_merged *m;
    const char *scripts[MAX_SCRIPTS];
    size_t nscripts;
    int failed;
} plotter;

int cli_plot_format(const char *cmd, cli_opts *o, const char *val)
{
    if (strcmp(val, "png") != 0 && strcmp(val, "svg") != 0) {
        fprintf(stderr, "irqsim %s: --plot-format expects png or svg, got '%s'\n", cmd, val);
        return -1;
    }
    o->plot_format = val;
    return 0;
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
        fprintf(stderr, "irqsim: could not write a plot file in %s\n", p->dir);
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

/* A two-line title: what the plot shows, then scenario and model. */
static void gp_title(const plotter *p, FILE *f, const char *cmd, const char *what)
{
    fprintf(f, "%s \"%s\\nscenario ", cmd, what);
    for (const char *s = p->m->scenario; *s; s++)
        fprintf(f, *s == '"' || *s == '\\' ? "\\%c" : "%c", *s);
    fprintf(f, ", model %s\"\n", p->m->model);
}

static void gp_begin(plotter *p, FILE *f, const char *stem, const char *what)
{
    fprintf(f,
            "# irqsim: %s.\n# Data: %s.csv, written by irqsim. Restyle this script, then run\n"
            "#   gnuplot %s.gp\n# in this folder.\nreset\nset encoding utf8\n",
            what, stem, stem);
    if (strcmp(p->ext, "svg") == 0)
        fputs("set terminal svg size 1600,1000 dynamic font 'Sans,22' background rgb 'white' "
              "noenhanced\n",
              f);
    else
        fputs("if (strstrt(GPVAL_TERMINALS, 'pngcairo') > 0) {\n"
              "    set terminal pngcairo size 1600,1000 font 'Sans,22' noenhanced\n"
              "} else {\n"
              "    set terminal png size 1600,1000 font 'DejaVuSans,20' noenhanced\n"
              "}\n",
              f);
    fprintf(f, "set output '%s.%s'\nset datafile separator comma\n", stem, p->ext);
    fputs("set border lw 2\nset grid lc rgb '#d0d0d0' lw 1\nset key box opaque samplen 2\n", f);
    for (size_t k = 0; k < 8 || (k < p->m->n && k < 64); k++)
        fprintf(f, "set linetype %zu lc rgb '%s' lw 4 dt %zu pt 7\n", k + 1, palette[k % 8],
                k / 8 % 5 + 1);
}

static void gp_end(plotter *p, FILE *f, const char *stem)
{
    fputs("unset output\n", f);
    close_file(p, f);
    if (p->nscripts < MAX_SCRIPTS)
        p->scripts[p->nscripts++] = stem;
}

/* Decade tics for a latency axis in ns: "1 ns", "10 ns", ..., "1 µs"... */
static void gp_latency_axis(FILE *f, double lo, double hi)
{
    static const char *const units[] = {"ns", "µs", "ms", "s"};
    int d0 = (int)floor(log10(lo) + 1e-9), d1 = (int)ceil(log10(hi) - 1e-9);
    if (d1 <= d0)
        d1 = d0 + 1;
    fprintf(f, "set logscale x\nset xrange [%g:%g]\nset xtics (", pow(10, d0), pow(10, d1));
    for (int d = d0; d <= d1; d++) {
        int u = d < 9 ? d / 3 : 3;
        double mant = pow(10, u < 3 ? d % 3 : d - 9);
        fprintf(f, "%s'%g %s' %g", d > d0 ? ", " : "", mant, units[u], pow(10, d));
    }
    fputs(")\nset mxtics 10\n", f);
}

/* ---- latency CDF ------------------------------------------------------------ */

static double pct(uint64_t part, uint64_t all)
{
    return all ? 100.0 * (double)part / (double)all : 0;
}

/* First and last non-empty bins over all variants; false when none. */
static bool bin_range(const cli_merged *m, int *lo, int *hi)
{
    *lo = CLI_HIST_BINS;
    *hi = -1;
    for (size_t k = 0; k < m->n; k++)
        for (int i = 0; i < CLI_HIST_BINS; i++)
            if (m->v[k].hist.bins[i]) {
                *lo = i < *lo ? i : *lo;
                *hi = i > *hi ? i : *hi;
            }
    return *hi >= 0;
}

static bool any_below(const cli_merged *m)
{
    for (size_t k = 0; k < m->n; k++)
        if (m->v[k].hist.below)
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

/* Row x: the cumulative share of each variant at the upper edge of bin
 * j (j = lo - 1: the share under the first edge). */
static void cdf_csv(const cli_merged *m, FILE *f, int lo, int hi)
{
    csv_header(m, f, "latency_ns");
    for (int j = lo - 1; j <= hi; j++) {
        fprintf(f, "%.6g", cli_hist_edge(j + 1));
        for (size_t k = 0; k < m->n; k++) {
            const cli_hist *h = &m->v[k].hist;
            uint64_t all = cli_hist_total(h), below = h->below;
            for (int i = 0; i <= j; i++)
                below += h->bins[i];
            if (all)
                fprintf(f, ",%.6g", pct(below, all));
            else
                fputc(',', f);
        }
        fputc('\n', f);
    }
}

/* One line per variant with interrupts; data columns start at col. The
 * histogram's legend tells the share under 1 ns, which a log axis cannot
 * show. */
static void gp_plot_lines(const plotter *p, FILE *f, const char *csv, size_t col, bool hist)
{
    int n = 0;
    for (size_t k = 0; k < p->m->n; k++) {
        const cli_hist *h = &p->m->v[k].hist;
        if (!cli_hist_total(h))
            continue;
        fprintf(f, "%s'%s' skip 1 using 1:%zu with %s lt %zu title ", n++ ? ", \\\n     " : "plot ",
                csv, k + col, hist ? "steps" : "lines", k + 1);
        char title[320];
        int len = snprintf(title, sizeof title, "%s", p->m->v[k].label);
        if (hist && h->below && len >= 0 && (size_t)len < sizeof title)
            snprintf(title + len, sizeof title - (size_t)len, " (%.0f%% under 1 ns)",
                     pct(h->below, cli_hist_total(h)));
        gp_str(f, title);
    }
    fputc('\n', f);
}

static void plot_cdf(plotter *p, int lo, int hi)
{
    FILE *f = open_file(p, "latency-cdf", "csv");
    if (!f)
        return;
    if (any_below(p->m))
        lo = 0; /* the curve starts at 1 ns with the share taken at once */
    cdf_csv(p->m, f, lo, hi);
    close_file(p, f);
    if (!(f = open_file(p, "latency-cdf", "gp")))
        return;
    gp_begin(p, f, "latency-cdf", "interrupt latency, cumulative distribution per variant");
    gp_title(p, f, "set title", "Interrupt latency: cumulative distribution");
    fputs("set xlabel 'latency from arrival to delivery (log scale)'\n"
          "set ylabel 'interrupts delivered within that latency (%)'\n"
          "set yrange [0:100]\nset ytics 10\nset key bottom right\nset rmargin 7\n",
          f);
    gp_latency_axis(f, cli_hist_edge(lo), cli_hist_edge(hi + 1));
    for (int q = 0; q < 3; q++) {
        static const int at[] = {50, 90, 99};
        fprintf(f,
                "set arrow from graph 0, first %d to graph 1, first %d nohead dt 2 lw 2 "
                "lc rgb '#909090' back\n",
                at[q], at[q]);
        fprintf(f, "set label 'p%d' at graph 1, first %d offset 0.5,0 left tc rgb '#707070'\n",
                at[q], at[q]);
    }
    gp_plot_lines(p, f, "latency-cdf.csv", 2, false);
    gp_end(p, f, "latency-cdf");
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
            uint64_t all = cli_hist_total(&m->v[k].hist);
            uint64_t in = j >= 0 ? merged_bin(&m->v[k].hist, j) : 0;
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
static void gp_hist_key(const cli_merged *m, FILE *f, int lo, int hi)
{
    double max = 0;
    size_t lines = 1;
    for (size_t k = 0; k < m->n; k++) {
        uint64_t all = cli_hist_total(&m->v[k].hist);
        lines += all != 0;
        for (int j = lo; j <= hi; j++)
            max = fmax(max, pct(merged_bin(&m->v[k].hist, j), all));
    }
    if (lines > 12) {
        fputs("set yrange [0:*]\nset key outside right top\n", f);
        return;
    }
    fprintf(f, "set yrange [0:%.4g]\nset key top right\n",
            (max > 0 ? max : 1) / (1 - 0.06 * (double)lines));
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
    gp_hist_key(p->m, f, lo, hi);
    gp_latency_axis(f, cli_hist_edge((lo - 1 < 0 ? 0 : lo - 1) * HIST_MERGE),
                    cli_hist_edge((hi + 2) * HIST_MERGE));
    gp_plot_lines(p, f, "latency-hist.csv", 3, true);
    gp_end(p, f, "latency-hist");
}

/* ---- alerts and kicks -------------------------------------------------------- */

static const char *model_of(const cli_variant *v)
{
    const cj_value *s = cj_get_t(v->report, "model", CJ_STR);
    return s ? s->str : "";
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
            if (!strchr(m->rows[r], '.') && headline(m, m->rows[r]) >= want)
                names[n++] = m->rows[r];
    return n;
}

static void counters_csv(const cli_merged *m, FILE *f, const char **names, size_t n)
{
    fputs("variant,label", f);
    for (size_t c = 0; c < n; c++)
        fprintf(f, ",%s", names[c]);
    fputc('\n', f);
    for (size_t k = 0; k < m->n; k++) {
        fprintf(f, "%zu,", m->v[k].number);
        csv_put_cell(f, m->v[k].label);
        for (size_t c = 0; c < n; c++) {
            const cj_value *x = cj_get_t(m->v[k].totals, names[c], CJ_NUM);
            if (x)
                fprintf(f, ",%.0f", x->num);
            else
                fputc(',', f);
        }
        fputc('\n', f);
    }
}

/* A count as it reads on a slide: 950, 1.5k, 12M. */
static void count_label(char *buf, size_t len, double v)
{
    static const char *const suffix[] = {"", "k", "M", "G", "T"};
    int i = 0;
    while (v >= 1000 && i < 4)
        v /= 1000, i++;
    snprintf(buf, len, "%g%s", v, suffix[i]);
}

/* About four tics of 1, 2 or 5 x 10^k, with room above the tallest bar
 * for its value. */
static void gp_count_axis(FILE *f, double max)
{
    static const double mult[] = {1, 2, 5};
    double step = 1;
    for (int i = 0; max / step > 4; i++)
        step = mult[i % 3] * pow(10, i / 3);
    double top = max > 0 ? max * 1.3 : 1;
    fprintf(f, "set yrange [0:%.17g]\nset ytics (", top);
    char buf[32];
    for (int i = 0; i * step <= top; i++) {
        count_label(buf, sizeof buf, i * step);
        fprintf(f, "%s'%s' %.17g", i ? ", " : "", buf, i * step);
    }
    fputs(")\n", f);
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

static void counters_legend(const plotter *p, FILE *f)
{
    fputs("# the last panel holds the legend only\n"
          "unset title\nunset border\nunset tics\nunset xlabel\nunset ylabel\nunset grid\n"
          "set xrange [0:1]\nset yrange [0:1]\nset key left center Left reverse box\n",
          f);
    for (size_t k = 0; k < p->m->n; k++) {
        char title[300];
        snprintf(title, sizeof title, "%zu: %s", p->m->v[k].number, p->m->v[k].label);
        fprintf(f, "%s NaN with boxes lt %zu fs solid 0.85 title ", k ? ", \\\n    " : "plot",
                k + 1);
        gp_str(f, title);
    }
    fputc('\n', f);
}

static void counters_panels(const plotter *p, FILE *f, const char **names, size_t n)
{
    /* n panels and the legend: one row up to 4, then rows of up to 4 */
    size_t cells = n + 1, rows = (cells + 3) / 4, cols = (cells + rows - 1) / rows;
    fprintf(f, "set multiplot layout %zu,%zu ", rows, cols);
    gp_title(p, f, "title",
             p->m->n == 1 ? "Alerts and kicks (whole run)"
                          : "Alerts and kicks per variant (whole run)");
    fprintf(f,
            "set style fill solid 0.85 border -1\nset boxwidth 0.7\nset key off\n"
            "set xrange [0.4:%zu.6]\nset ylabel 'count'\n",
            p->m->n);
    if (p->m->n == 1) { /* a run: its name under the bar */
        fputs("unset xlabel\nset xtics scale 0 (", f);
        gp_str(f, p->m->v[0].label);
        fputs(" 1)\n", f);
    } else {
        fputs("set xlabel 'variant'\nset xtics 1 scale 0\n", f);
    }
    for (size_t c = 0; c < n; c++) {
        fprintf(f, "set title '%s'\n", names[c]);
        gp_count_axis(f, counter_max(p->m, names[c]));
        fprintf(f,
                "plot 'counters.csv' skip 1 using 1:%zu:1 with boxes lc variable notitle, \\\n"
                "     '' skip 1 using 1:%zu:(sprintf('%%d', int(column(%zu)))) with labels "
                "offset 0,0.6 font ',16' notitle\n",
                c + 3, c + 3, c + 3);
    }
    counters_legend(p, f);
    fputs("unset multiplot\n", f);
}

static void plot_counters(plotter *p)
{
    const char *names[MAX_COUNTERS];
    size_t n = pick_counters(p->m, names);
    FILE *f = open_file(p, "counters", "csv");
    if (!f)
        return;
    counters_csv(p->m, f, names, n);
    close_file(p, f);
    if (!(f = open_file(p, "counters", "gp")))
        return;
    gp_begin(p, f, "counters", "alerts and kicks per variant");
    counters_panels(p, f, names, n);
    gp_end(p, f, "counters");
}

/* ---- vCPU states ------------------------------------------------------------- */

static const char *const states[] = {"RUNNING", "EXITING", "WAIT", "PREEMPTED", "STOPPED"};
static const char *const state_colour[] = {"#009E73", "#E69F00", "#56B4E9", "#D55E00", "#999999"};
#define NSTATES 5

static void states_row(const cli_merged *m, const cli_variant *v, const cj_value *g, FILE *f,
                       double *stopped)
{
    const cj_value *t = cj_get_t(g, "template", CJ_STR);
    const cj_value *share = cj_get_t(g, "state_share", CJ_OBJ);
    char label[400];
    if (m->n == 1)
        snprintf(label, sizeof label, "%s", t ? t->str : "?");
    else if (v->groups->n == 1)
        snprintf(label, sizeof label, "%s", v->label);
    else
        snprintf(label, sizeof label, "%s / %s", v->label, t ? t->str : "?");
    fprintf(f, "%zu,", v->number);
    csv_put_cell(f, t ? t->str : "");
    fputc(',', f);
    csv_put_cell(f, label);
    for (int s = 0; s < NSTATES; s++) {
        const cj_value *x = cj_get_t(share, states[s], CJ_NUM);
        fprintf(f, ",%.4f", x ? 100 * x->num : 0.0);
        if (s == NSTATES - 1 && x)
            *stopped += x->num;
    }
    fputc('\n', f);
}

/* "($4+$5)": the sum of the first n state columns (0 when n is 0). */
static void state_sum(char *buf, size_t len, int n)
{
    size_t used = (size_t)snprintf(buf, len, n ? "(" : "(0");
    for (int s = 0; s < n && used < len; s++)
        used += (size_t)snprintf(buf + used, len - used, "%s$%d", s ? "+" : "", s + 4);
    if (used < len)
        snprintf(buf + used, len - used, ")");
}

/* Horizontal bars, one per variant and guest group, stacked to 100 %:
 * long variant names read on the y axis without rotation. */
static void states_script(const plotter *p, FILE *f, size_t bars, int nstates)
{
    gp_title(p, f, "set title", "Where vCPU time goes, per guest group");
    fprintf(f,
            "set xlabel 'share of vCPU time (%%)'\nset ylabel '%s'\n"
            "set style fill solid 1.0 border rgb 'white'\n"
            "set xrange [0:100]\nset xtics 20\nset mxtics 2\nset yrange [-%zu.6:0.6]\n"
            "set ytics scale 0\nset grid xtics noytics\n"
            "set key outside right top vertical Left reverse width 2\n"
            "# row r of the CSV is drawn at y = -r, so the first variant is on top\n",
            p->m->n == 1 ? "guest group" : "variant / guest group", bars - 1);
    for (int s = 0; s < nstates; s++) {
        char lo[64], hi[64];
        state_sum(lo, sizeof lo, s);
        state_sum(hi, sizeof hi, s + 1);
        fprintf(f,
                "%s'vcpu-states.csv' skip 1 using ((%s+%s)/2):(-$0):%s:%s:(-$0-0.38):(-$0+0.38)%s "
                "with boxxyerror title '%s' lc rgb '%s'",
                s ? ", \\\n     " : "plot ", lo, hi, lo, hi, s ? "" : ":ytic(3)", states[s],
                state_colour[s]);
    }
    fputc('\n', f);
}

static void plot_states(plotter *p)
{
    FILE *f = open_file(p, "vcpu-states", "csv");
    if (!f)
        return;
    fputs("variant,group,label,RUNNING,EXITING,WAIT,PREEMPTED,STOPPED\n", f);
    double stopped = 0;
    size_t bars = 0;
    for (size_t k = 0; k < p->m->n; k++)
        for (size_t g = 0; g < p->m->v[k].groups->n; g++, bars++)
            states_row(p->m, &p->m->v[k], &p->m->v[k].groups->items[g], f, &stopped);
    close_file(p, f);
    if (!(f = open_file(p, "vcpu-states", "gp")))
        return;
    gp_begin(p, f, "vcpu-states", "share of time vCPUs spend in each state");
    states_script(p, f, bars, stopped > 0 ? NSTATES : NSTATES - 1); /* STOPPED when some are */
    gp_end(p, f, "vcpu-states");
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
            "set yrange [0:*]\nset key top right\n",
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

static void render(plotter *p, bool quiet)
{
    if (!gnuplot_found()) {
        fprintf(stderr,
                "gnuplot not found: install gnuplot-nox (apt-get install gnuplot-nox), then run: "
                "cd %s && gnuplot *.gp\n",
                p->dir);
        return;
    }
    char log[4096];
    snprintf(log, sizeof log, "%s/gnuplot.log", p->dir);
    unlink(log);
    size_t ok = 0;
    for (size_t i = 0; i < p->nscripts; i++) {
        if (run_gnuplot(p, p->scripts[i]) == 0)
            ok++;
        else
            fprintf(stderr, "irqsim: gnuplot failed on %s/%s.gp (its messages: %s)\n", p->dir,
                    p->scripts[i], log);
    }
    if (!quiet && ok)
        fprintf(stderr, "irqsim: %zu plots (%s) in %s\n", ok, p->ext, p->dir);
}

static int plot_all(const cli_merged *m, const cli_series *s, const char *dir, const char *format,
                    bool quiet)
{
    plotter p = {.dir = dir, .ext = format ? format : "png", .m = m};
    int lo, hi;
    if (bin_range(m, &lo, &hi)) {
        plot_cdf(&p, lo, hi);
        plot_hist(&p, lo, hi);
    } else {
        fprintf(stderr, "irqsim: no interrupt was delivered: no latency plots\n");
    }
    plot_counters(&p);
    plot_states(&p);
    if (s)
        plot_series(&p, s);
    if (!p.failed)
        render(&p, quiet);
    return p.failed ? EXIT_SIMFAIL : EXIT_OK;
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

int cli_run_plot(const cli_opts *o, const irq_sim *sim, const cli_collect *c)
{
    char *doc = NULL;
    size_t len = 0;
    if (cli_variant_doc(NULL, 0, o->sets, o->nsets, sim, &c->hist, &doc, &len) != 0) {
        fprintf(stderr, "irqsim run: out of memory for the plots\n");
        return EXIT_SIMFAIL;
    }
    cli_src src = {.name = "the run", .text = doc, .len = len};
    cli_merged m;
    int st = cli_merge_load(&m, &src, 1, "run");
    if (st == EXIT_OK)
        st = cli_plot_run(&m, &c->series, o->out_dir, o->plot_format, o->quiet);
    cli_merge_free(&m);
    free(doc);
    return st;
}
