/* What the CLI gathers while a simulation runs, besides the core's report:
 * a log-binned latency histogram (for CDF and histogram plots, without
 * keeping every sample), counts of instant events per interval of
 * simulated time, the per-interrupt latency CSV of `run --out`, and the
 * Chrome trace of `run --trace`. */
#ifndef IRQ_CLI_COLLECT_INTERNAL_H
#define IRQ_CLI_COLLECT_INTERNAL_H

#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>

#include "irqsim/irqsim.h"
#include "json_internal.h"

/* Latencies in ns: bin i holds [10^(i/20), 10^((i+1)/20)); `below` holds
 * latencies under 1 ns (an interrupt taken at once); the last bin also
 * holds anything longer. */
#define CLI_HIST_PER_DECADE 20
#define CLI_HIST_DECADES 13
#define CLI_HIST_BINS (CLI_HIST_PER_DECADE * CLI_HIST_DECADES)

typedef struct cli_hist {
    uint64_t below;
    uint64_t bins[CLI_HIST_BINS];
} cli_hist;

void cli_hist_add(cli_hist *h, double ns);
uint64_t cli_hist_total(const cli_hist *h);
/* Lower edge of bin i in ns (i may be CLI_HIST_BINS: the upper edge of
 * the last bin). */
double cli_hist_edge(int i);
/* {"bins_per_decade": 20, "below_1ns": N, "bins": [[i, count], ...]} */
void cli_hist_write_json(FILE *f, const cli_hist *h);
/* Reads what cli_hist_write_json wrote; -1 with a reason when malformed. */
int cli_hist_read_json(cli_hist *h, const cj_value *v, char *why, size_t whylen);

/* Latency histograms by a key (an interrupt class, a guest group): at most
 * CLI_HIST_KEYS keys, in order of first appearance; interrupts of further
 * keys are counted in `other` only. */
#define CLI_HIST_KEYS 16

typedef struct cli_keyed_hist {
    char key[64];
    cli_hist h;
} cli_keyed_hist;

typedef struct cli_hist_set {
    cli_keyed_hist *h; /* CLI_HIST_KEYS slots, allocated at the first use */
    size_t n;
    uint64_t other;
} cli_hist_set;

/* The latencies of a run, or of replications pooled. */
typedef struct cli_lat {
    cli_hist all;
    cli_hist_set by_class, by_group;
} cli_lat;

/* The histogram of key, added when there is room; NULL when not. */
cli_hist *cli_hist_set_get(cli_hist_set *s, const char *key);
/* Adds every histogram of from into to (by key). -1: out of memory. */
int cli_lat_add(cli_lat *to, const cli_lat *from);
void cli_lat_free(cli_lat *l);
/* ", "latency_hist_by_class_ns": {"3": {...}}, "latency_hist_by_group_ns": {...}" */
void cli_lat_write_sets_json(FILE *f, const cli_lat *l);
/* Reads what cli_lat_write_sets_json wrote from a document (absent: empty). */
int cli_lat_read_sets_json(cli_lat *l, const cj_value *doc, char *why, size_t whylen);
/* The group of a guest: its name without a "-N" instance suffix. */
void cli_guest_group(char *buf, size_t len, const char *guest);

/* Instant events ("arrival", "alert", "kick", ...) counted per interval:
 * the run is cut into CLI_SERIES_BUCKETS equal intervals. */
#define CLI_SERIES_BUCKETS 100
#define CLI_SERIES_MAX_NAMES 32

typedef struct cli_series_row {
    char name[32];
    uint64_t count[CLI_SERIES_BUCKETS];
} cli_series_row;

typedef struct cli_series {
    uint64_t end; /* cycles: the run's duration */
    double clock_hz;
    cli_series_row *rows;
    size_t n;
    uint64_t dropped; /* events of names beyond CLI_SERIES_MAX_NAMES */
} cli_series;

typedef struct cli_collect_cfg {
    FILE *latency_csv;            /* one line per interrupt, or NULL */
    bool histograms;              /* latency histograms (plots, variant documents) */
    bool series;                  /* count instant events per interval */
    const char *trace_path;       /* Chrome trace file, or NULL */
    const char *trace_window;     /* "FROM,TO", or NULL */
    const char *trace_guests;     /* "web,db-2", or NULL */
    unsigned long long trace_max; /* the trace file's budget in bytes; 0: the default */
} cli_collect_cfg;

typedef struct cli_collect {
    double ns_per_cycle;
    uint64_t clock_hz_int; /* the clock in whole Hz, for exact latency.csv times; 0: not whole */
    FILE *latency_csv;
    bool histograms;
    cli_lat lat;
    /* guest name pointer -> its group's histogram, direct-mapped (the
     * sink names a guest by a pointer that stays the same for the run) */
#define CLI_GUEST_CACHE 1024
    struct cli_guest_slot {
        const char *guest;
        cli_hist *group;
    } * guest_cache;
    /* classes below CLI_CLASS_CACHE: their histogram, looked up once */
#define CLI_CLASS_CACHE 64
    cli_hist *class_hist[CLI_CLASS_CACHE];
    uint8_t class_known[CLI_CLASS_CACHE];
    cli_series series;
    bool want_series;
    irq_trace *trace;
} cli_collect;

/* Hooks the collector into sim (before irq_sim_run). An irq_ status. */
int cli_collect_start(cli_collect *c, irq_sim *sim, const irq_scenario *sc,
                      const cli_collect_cfg *cfg, irq_error *err);
/* After the run, before irq_sim_free: completes the trace file. */
int cli_collect_stop(cli_collect *c, irq_error *err);
void cli_collect_free(cli_collect *c);

#endif
