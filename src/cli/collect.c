/* Latency histogram, event series, latency CSV and trace of one run. */
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "collect_internal.h"

void cli_hist_add(cli_hist *h, double ns)
{
    if (!(ns >= 1.0)) {
        h->below++;
        return;
    }
    double b = floor(log10(ns) * CLI_HIST_PER_DECADE);
    h->bins[b >= CLI_HIST_BINS - 1 ? CLI_HIST_BINS - 1 : (int)b]++;
}

uint64_t cli_hist_total(const cli_hist *h)
{
    uint64_t n = h->below;
    for (int i = 0; i < CLI_HIST_BINS; i++)
        n += h->bins[i];
    return n;
}

double cli_hist_edge(int i)
{
    return pow(10.0, (double)i / CLI_HIST_PER_DECADE);
}

void cli_hist_write_json(FILE *f, const cli_hist *h)
{
    fprintf(f, "{\"bins_per_decade\": %d, \"below_1ns\": %llu, \"bins\": [", CLI_HIST_PER_DECADE,
            (unsigned long long)h->below);
    int n = 0;
    for (int i = 0; i < CLI_HIST_BINS; i++)
        if (h->bins[i])
            fprintf(f, "%s[%d, %llu]", n++ ? ", " : "", i, (unsigned long long)h->bins[i]);
    fputs("]}", f);
}

static int count_of(const cj_value *v, uint64_t *out)
{
    if (!v || v->type != CJ_NUM || v->num < 0 || v->num > 1.8e19 || v->num != floor(v->num))
        return -1;
    *out = (uint64_t)v->num;
    return 0;
}

int cli_hist_read_json(cli_hist *h, const cj_value *v, char *why, size_t whylen)
{
    memset(h, 0, sizeof *h);
    const cj_value *per = cj_get_t(v, "bins_per_decade", CJ_NUM);
    const cj_value *bins = cj_get_t(v, "bins", CJ_ARR);
    if (!per || per->num != CLI_HIST_PER_DECADE || !bins ||
        count_of(cj_get(v, "below_1ns"), &h->below)) {
        snprintf(why, whylen, "latency_hist_ns: expected bins_per_decade %d, below_1ns, bins",
                 CLI_HIST_PER_DECADE);
        return -1;
    }
    uint64_t prev = 0;
    for (size_t i = 0; i < bins->n; i++) {
        const cj_value *b = &bins->items[i];
        uint64_t idx, n;
        if (b->type != CJ_ARR || b->n != 2 || count_of(&b->items[0], &idx) ||
            count_of(&b->items[1], &n) || idx >= CLI_HIST_BINS) {
            snprintf(why, whylen, "latency_hist_ns: bin %zu is not [index < %d, count]", i,
                     CLI_HIST_BINS);
            return -1;
        }
        if (i > 0 && idx <= prev) { /* as written: each bin once, in order */
            snprintf(why, whylen,
                     "latency_hist_ns: bin %zu (index %llu) is not after index %llu: bins are "
                     "written once each, in ascending order",
                     i, (unsigned long long)idx, (unsigned long long)prev);
            return -1;
        }
        prev = idx;
        h->bins[idx] = n;
    }
    return 0;
}

/* ---- hooks ------------------------------------------------------------ */

/* cycles in whole nanoseconds, rounded to the nearest, computed exactly
 * (no 10-digit rounding of times past 10 s) */
static unsigned long long whole_ns(uint64_t cycles, uint64_t clock_hz)
{
    unsigned __int128 x = (unsigned __int128)cycles * 1000000000u;
    return (unsigned long long)((x + clock_hz / 2) / clock_hz);
}

static void on_latency(void *ud, const char *guest, uint32_t cls, uint64_t arrival,
                       uint64_t latency, int coalesced)
{
    cli_collect *c = ud;
    double ns = (double)latency * c->ns_per_cycle;
    cli_hist_add(&c->hist, ns);
    if (!c->latency_csv)
        return;
    if (c->clock_hz_int)
        fprintf(c->latency_csv, "%s,%u,%llu,%llu,%d\n", guest, cls,
                whole_ns(arrival, c->clock_hz_int), whole_ns(latency, c->clock_hz_int), coalesced);
    else
        fprintf(c->latency_csv, "%s,%u,%.17g,%.17g,%d\n", guest, cls,
                (double)arrival * c->ns_per_cycle, ns, coalesced);
}

static cli_series_row *series_row(cli_series *s, const char *name)
{
    for (size_t i = 0; i < s->n; i++)
        if (strcmp(s->rows[i].name, name) == 0)
            return &s->rows[i];
    if (s->n == CLI_SERIES_MAX_NAMES)
        return NULL;
    cli_series_row *r = &s->rows[s->n++];
    snprintf(r->name, sizeof r->name, "%s", name);
    return r;
}

static void on_instant(void *ud, const char *what, const char *guest, int vcpu, int cpu,
                       uint64_t now)
{
    (void)guest, (void)vcpu, (void)cpu;
    cli_collect *c = ud;
    if (!c->want_series)
        return;
    cli_series *s = &c->series;
    cli_series_row *r = series_row(s, what);
    if (!r) {
        s->dropped++;
        return;
    }
    uint64_t b = s->end ? (uint64_t)((double)now / (double)s->end * CLI_SERIES_BUCKETS) : 0;
    r->count[b < CLI_SERIES_BUCKETS ? b : CLI_SERIES_BUCKETS - 1]++;
}

int cli_collect_start(cli_collect *c, irq_sim *sim, const irq_scenario *sc,
                      const cli_collect_cfg *cfg, irq_error *err)
{
    memset(c, 0, sizeof *c);
    double hz = irq_scenario_clock_hz(sc);
    c->ns_per_cycle = 1e9 / hz;
    c->clock_hz_int = hz == floor(hz) && hz >= 1 && hz < 1.8e19 ? (uint64_t)hz : 0;
    c->latency_csv = cfg->latency_csv;
    c->want_series = cfg->series;
    irq_sim_set_latency_sink(sim, on_latency, c);
    if (!cfg->series && !cfg->trace_path)
        return IRQ_OK;
    if (cfg->series) {
        c->series.clock_hz = irq_scenario_clock_hz(sc);
        c->series.end = irq_scenario_duration(sc);
        c->series.rows = calloc(CLI_SERIES_MAX_NAMES, sizeof *c->series.rows);
        if (!c->series.rows) {
            snprintf(err->message, sizeof err->message, "out of memory");
            return err->status = IRQ_ENOMEM;
        }
    }
    irq_trace_cfg tc = {.path = cfg->trace_path,
                        .window = cfg->trace_window,
                        .instant = on_instant,
                        .instant_ud = c,
                        .max_bytes = cfg->trace_max};
    return irq_trace_open(&c->trace, sim, &tc, err);
}

int cli_collect_stop(cli_collect *c, irq_error *err)
{
    int rc = irq_trace_close(c->trace, err);
    c->trace = NULL;
    return rc;
}

void cli_collect_free(cli_collect *c)
{
    free(c->series.rows);
    c->series.rows = NULL;
}
