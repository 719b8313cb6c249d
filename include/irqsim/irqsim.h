/* irqsim: cycle-level simulation of hypervisor interrupt delivery.
 *
 * Public API. Everything here carries the irq_ prefix; the structs a caller
 * does not need to see into (scenario, simulation) are opaque. */
#ifndef IRQSIM_IRQSIM_H
#define IRQSIM_IRQSIM_H

#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

#ifdef __cplusplus
extern "C" {
#endif

#define IRQ_VERSION "0.1.0"

/* Return codes. They double as the CLI's exit statuses. */
enum irq_status {
    IRQ_OK = 0,
    IRQ_ESIM = 1,   /* the simulation ran but failed a check (e.g. conservation) */
    IRQ_EINPUT = 2, /* bad scenario, bad override, bad usage */
    IRQ_ENOMEM = 3, /* out of memory */
    IRQ_EIO = 4,    /* could not read or write a file */
};

/* An error with the source position it refers to, in the manner of
 * libyaml's yaml_mark_t. line and column are 1-based; 0 means unknown. */
typedef struct irq_error {
    int status;
    char file[256];
    unsigned line;
    unsigned column;
    char message[512];
} irq_error;

/* "FILE:LINE:COL: message" (or shorter forms when the position is unknown). */
const char *irq_error_format(const irq_error *err, char *buf, size_t len);
/* Copies in to buf (truncating) with control characters, C1 controls and
 * bytes that are not UTF-8 written as \n, \t or \xHH: text from files made
 * safe to print on a terminal. Returns buf. Messages in irq_error are
 * escaped already. */
const char *irq_escape(const char *in, char *buf, size_t len);

typedef struct irq_scenario irq_scenario;
typedef struct irq_sim irq_sim;

/* Loads and validates a scenario. sets[] are "path.to.key=value" overrides
 * applied to the YAML tree before validation (as `--set` on the CLI). */
int irq_scenario_load(irq_scenario **out, const char *path, const char *const *sets, size_t nsets,
                      irq_error *err);
/* The same from len bytes of YAML in memory. name is what error positions
 * name (e.g. "inline.yaml:3:7: ..."); relative data-file names in the text
 * (replay files, empirical distributions) are resolved against the current
 * directory. */
int irq_scenario_load_string(irq_scenario **out, const char *name, const char *text, size_t len,
                             const char *const *sets, size_t nsets, irq_error *err);
void irq_scenario_free(irq_scenario *sc);
const char *irq_scenario_name(const irq_scenario *sc);
double irq_scenario_clock_hz(const irq_scenario *sc);

/* Called during a run at least every 65536 events and at the end; return
 * non-zero to stop at once: the run then ends without failing, its results
 * cover the simulated time done so far and irq_sim_partial says so. */
typedef int (*irq_progress_fn)(void *ud, uint64_t sim_now, uint64_t sim_end, uint64_t events);

int irq_sim_create(irq_sim **out, const irq_scenario *sc, irq_error *err);
int irq_sim_run(irq_sim *sim, irq_progress_fn progress, void *ud, irq_error *err);
void irq_sim_free(irq_sim *sim);

/* Budgets, set before irq_sim_run. The memory limit bounds what the run
 * holds beyond its set-up: coalesced and pending interrupts, queued host
 * work (default IRQ_DEFAULT_MEMORY_LIMIT bytes); reaching it fails the run
 * (IRQ_ESIM) with a message naming it. The event limit (0: none, the
 * default) fails a run that would take more events. */
#define IRQ_DEFAULT_MEMORY_LIMIT (1ull << 30)
void irq_sim_set_memory_limit(irq_sim *sim, uint64_t bytes);
void irq_sim_set_event_limit(irq_sim *sim, uint64_t events);

/* Result access after a run. */
uint64_t irq_sim_events(const irq_sim *sim);
uint64_t irq_sim_now(const irq_sim *sim);
double irq_sim_wall_seconds(const irq_sim *sim);
/* 1 when the progress callback stopped the run before its end. */
int irq_sim_partial(const irq_sim *sim);
/* Why the run failed (a broken invariant, conservation), or NULL. */
const char *irq_sim_failure(const irq_sim *sim);

/* Per-interrupt latency sink: called for every delivered or coalesced
 * interrupt, when set before irq_sim_run. */
typedef void (*irq_latency_fn)(void *ud, const char *guest, uint32_t cls, uint64_t arrival_cycles,
                               uint64_t latency_cycles, int coalesced);
void irq_sim_set_latency_sink(irq_sim *sim, irq_latency_fn fn, void *ud);

enum irq_format { IRQ_FORMAT_TEXT, IRQ_FORMAT_JSON, IRQ_FORMAT_CSV };
int irq_sim_write_report(const irq_sim *sim, enum irq_format fmt, FILE *out);

/* The registered models and their parameter tables. */
void irq_models_describe(FILE *out, int markdown);
/* Every scenario key a --set override may name, one dotted path a line
 * ("seed", "host.cpus", "model.heuristic", "guests.web.count"). With sc
 * NULL: every model's keys, NAME standing for a guest template's or a
 * source's name; with a scenario: its model's, with its names. */
void irq_scenario_keys(FILE *out, const irq_scenario *sc);

/* ---- Timeline of a run (src/core/trace.c) ------------------------------- */

/* An instant event of a run: "arrival", "kick", "deliver", "coalesced"
 * (an arrival delivered with an earlier one) from the core; "alert",
 * "alert_suppressed", "iam_clear", "iam_restore" from gib. guest is NULL
 * and vcpu -1 when the event concerns no guest or vCPU; cpu is a host CPU
 * or -1. */
typedef void (*irq_instant_fn)(void *ud, const char *what, const char *guest, int vcpu, int cpu,
                               uint64_t now_cycles);

typedef struct irq_trace_cfg {
    const char *path;       /* Chrome trace-event JSON file to write; NULL: none */
    const char *window;     /* "FROM,TO", two scenario durations ("0,2ms"): only what
                               happens in [FROM, TO] is written; NULL: the whole run */
    irq_instant_fn instant; /* also told every instant event of the run; may be NULL */
    void *instant_ud;
    unsigned long long max_bytes; /* the file's budget (0: IRQ_DEFAULT_TRACE_LIMIT); a run
                                     whose trace grows past it fails, saying so */
    const char *guests; /* "web,db-2": only these guests (names or templates); NULL: all */
} irq_trace_cfg;
#define IRQ_DEFAULT_TRACE_LIMIT (4ull << 30)

/* A timeline trace: vCPU states (one track per vCPU), host work (one track
 * per host CPU) and instant events, in the Chrome trace-event format that
 * the Perfetto UI and chrome://tracing open. */
typedef struct irq_trace irq_trace;

/* Attaches a trace to sim before irq_sim_run; at most one per simulation.
 * A bad window is IRQ_EINPUT, a file that cannot be created IRQ_EIO. */
int irq_trace_open(irq_trace **out, irq_sim *sim, const irq_trace_cfg *cfg, irq_error *err);
/* The size the trace file is expected to reach, in bytes, from the
 * scenario's mean arrival rates and workloads (an estimate: the CLI warns
 * above 200 MB before the run). */
double irq_trace_estimate(const irq_trace *t);
/* After irq_sim_run and before irq_sim_free: ends the spans still open at
 * the end of the run, completes the file and frees t (NULL is a no-op).
 * IRQ_EIO when the file could not be written. */
int irq_trace_close(irq_trace *t, irq_error *err);

/* 1 when the model counts `counter` among its headline counters (alerts,
 * kicks: the top of its text report), 0 when not, -1 when the model or the
 * counter is unknown. */
int irq_model_counter_headline(const char *model, const char *counter);

/* A hash of every value the scenario read from data files (replay
 * timestamps, empirical samples): equal data, equal hash. Sweeps fold it
 * into their identity so that shards run on different files do not merge. */
uint64_t irq_scenario_data_hash(const irq_scenario *sc);
/* The scenario's simulated time, in cycles of its clock. */
uint64_t irq_scenario_duration(const irq_scenario *sc);
/* The scenario's `output:` section: report format and folder (NULL if
 * none). The CLI uses them unless its own options say otherwise. */
enum irq_format irq_scenario_output_format(const irq_scenario *sc);
const char *irq_scenario_output_dir(const irq_scenario *sc);

#ifdef __cplusplus
}
#endif

/* Reading a run's results: counters, latencies, states, CPU use. */
#include "result.h"

#endif
