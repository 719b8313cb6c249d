/* Latency histogram, event series, latency CSV and trace of one run. */
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "collect_internal.h"

/* The bin of a latency: -1 under 1 ns. */
static int hist_bin(double ns)
{
    if (!(ns >= 1.0))
        return -1;
    double b = floor(log10(ns) * CLI_HIST_PER_DECADE);
    return b >= CLI_HIST_BINS - 1 ? CLI_HIST_BINS - 1 : (int)b;
}

static void hist_count(cli_hist *h, int bin)
{
    if (bin < 0)
        h->below++;
    else
        h->bins[bin]++;
}

void cli_hist_add(cli_hist *h, double ns)
{
    hist_count(h, hist_bin(ns));
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

/* ---- histograms by class and by group -------------------------------- */

cli_hist *cli_hist_set_get(cli_hist_set *s, const char *key)
{
    for (size_t i = 0; i < s->n; i++)
        if (strcmp(s->h[i].key, key) == 0)
            return &s->h[i].h;
    if (!s->h && !(s->h = calloc(CLI_HIST_KEYS, sizeof *s->h)))
        return NULL;
    if (s->n == CLI_HIST_KEYS || strlen(key) >= sizeof s->h[0].key)
        return NULL;
    snprintf(s->h[s->n].key, sizeof s->h[s->n].key, "%s", key);
    return &s->h[s->n++].h;
}

static void hist_add(cli_hist *to, const cli_hist *from)
{
    to->below += from->below;
    for (int i = 0; i < CLI_HIST_BINS; i++)
        to->bins[i] += from->bins[i];
}

static int set_add(cli_hist_set *to, const cli_hist_set *from)
{
    to->other += from->other;
    for (size_t i = 0; i < from->n; i++) {
        cli_hist *h = cli_hist_set_get(to, from->h[i].key);
        if (h)
            hist_add(h, &from->h[i].h);
        else if (to->h)
            to->other += cli_hist_total(&from->h[i].h);
        else
            return -1;
    }
    return 0;
}

int cli_lat_add(cli_lat *to, const cli_lat *from)
{
    hist_add(&to->all, &from->all);
    return set_add(&to->by_class, &from->by_class) | set_add(&to->by_group, &from->by_group);
}

void cli_lat_free(cli_lat *l)
{
    free(l->by_class.h);
    free(l->by_group.h);
    l->by_class = l->by_group = (cli_hist_set){0};
}

static void set_write(FILE *f, const char *name, const cli_hist_set *s)
{
    fprintf(f, ",\n\"%s\": {", name);
    for (size_t i = 0; i < s->n; i++) {
        fputs(i ? ", " : "", f);
        cj_put_str(f, s->h[i].key);
        fputs(": ", f);
        cli_hist_write_json(f, &s->h[i].h);
    }
    fputc('}', f);
}

void cli_lat_write_sets_json(FILE *f, const cli_lat *l)
{
    set_write(f, "latency_hist_by_class_ns", &l->by_class);
    set_write(f, "latency_hist_by_group_ns", &l->by_group);
}

static int set_read(cli_hist_set *s, const cj_value *obj, char *why, size_t whylen)
{
    for (size_t i = 0; obj && i < obj->n; i++) {
        cli_hist h, *to = cli_hist_set_get(s, obj->keys[i]);
        if (cli_hist_read_json(&h, &obj->items[i], why, whylen) != 0)
            return -1;
        if (to)
            hist_add(to, &h);
        else
            s->other += cli_hist_total(&h);
    }
    return 0;
}

int cli_lat_read_sets_json(cli_lat *l, const cj_value *doc, char *why, size_t whylen)
{
    return set_read(&l->by_class, cj_get_t(doc, "latency_hist_by_class_ns", CJ_OBJ), why, whylen) ||
                   set_read(&l->by_group, cj_get_t(doc, "latency_hist_by_group_ns", CJ_OBJ), why,
                            whylen)
               ? -1
               : 0;
}

void cli_guest_group(char *buf, size_t len, const char *guest)
{
    size_t n = strlen(guest), d = n;
    while (d > 0 && guest[d - 1] >= '0' && guest[d - 1] <= '9')
        d--;
    if (d < n && d > 1 && guest[d - 1] == '-')
        n = d - 1;
    snprintf(buf, len, "%.*s", (int)n, guest);
}

/* ---- hooks ------------------------------------------------------------ */

/* cycles in whole nanoseconds, rounded to the nearest, computed exactly
 * (no 10-digit rounding of times past 10 s) */
static unsigned long long whole_ns(uint64_t cycles, uint64_t clock_hz)
{
    unsigned __int128 x = (unsigned __int128)cycles * 1000000000u;
    return (unsigned long long)((x + clock_hz / 2) / clock_hz);
}

/* The histogram of a class: small classes from the cache (no formatting
 * or search per interrupt), others by their name. */
static cli_hist *class_hist(cli_collect *c, uint32_t cls)
{
    if (cls < CLI_CLASS_CACHE && c->class_known[cls])
        return c->class_hist[cls];
    char key[16];
    snprintf(key, sizeof key, "%u", cls);
    cli_hist *h = cli_hist_set_get(&c->lat.by_class, key);
    if (cls < CLI_CLASS_CACHE) {
        c->class_hist[cls] = h;
        c->class_known[cls] = 1;
    }
    return h;
}

/* One latency into the run's, its class's and its group's histograms (the
 * bin computed once). */
static void add_to_histograms(cli_collect *c, const char *guest, uint32_t cls, double ns)
{
    int bin = hist_bin(ns);
    hist_count(&c->lat.all, bin);
    cli_hist *h = class_hist(c, cls);
    if (h)
        hist_count(h, bin);
    else
        c->lat.by_class.other++;
    struct cli_guest_slot *slot =
        &c->guest_cache[((uintptr_t)guest >> 4) * 0x9e3779b97f4a7c15ull >> 54]; /* 10 bits */
    if (slot->guest != guest) {
        char key[64];
        cli_guest_group(key, sizeof key, guest);
        *slot = (struct cli_guest_slot){guest, cli_hist_set_get(&c->lat.by_group, key)};
    }
    if (slot->group)
        hist_count(slot->group, bin);
    else
        c->lat.by_group.other++;
}

static void on_latency(void *ud, const char *guest, uint32_t cls, uint64_t arrival,
                       uint64_t latency, int coalesced)
{
    cli_collect *c = ud;
    double ns = (double)latency * c->ns_per_cycle;
    if (c->histograms)
        add_to_histograms(c, guest, cls, ns);
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
    c->histograms = cfg->histograms;
    if (cfg->histograms && !(c->guest_cache = calloc(CLI_GUEST_CACHE, sizeof *c->guest_cache))) {
        snprintf(err->message, sizeof err->message, "out of memory");
        return err->status = IRQ_ENOMEM;
    }
    c->want_series = cfg->series;
    if (cfg->histograms || cfg->latency_csv) /* else nobody reads them: no sink */
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
                        .guests = cfg->trace_guests,
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
    cli_lat_free(&c->lat);
    free(c->guest_cache);
    c->guest_cache = NULL;
    free(c->series.rows);
    c->series.rows = NULL;
}
