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

typedef struct irq_scenario irq_scenario;
typedef struct irq_sim irq_sim;

/* Loads and validates a scenario. sets[] are "path.to.key=value" overrides
 * applied to the YAML tree before validation (as `--set` on the CLI). */
int irq_scenario_load(irq_scenario **out, const char *path, const char *const *sets, size_t nsets,
                      irq_error *err);
void irq_scenario_free(irq_scenario *sc);
const char *irq_scenario_name(const irq_scenario *sc);
double irq_scenario_clock_hz(const irq_scenario *sc);

/* Called now and then during a run; return non-zero to stop early. */
typedef int (*irq_progress_fn)(void *ud, uint64_t sim_now, uint64_t sim_end, uint64_t events);

int irq_sim_create(irq_sim **out, const irq_scenario *sc, irq_error *err);
int irq_sim_run(irq_sim *sim, irq_progress_fn progress, void *ud, irq_error *err);
void irq_sim_free(irq_sim *sim);

/* Result access after a run. */
uint64_t irq_sim_events(const irq_sim *sim);
uint64_t irq_sim_now(const irq_sim *sim);
double irq_sim_wall_seconds(const irq_sim *sim);

/* Per-interrupt latency sink: called for every delivered or coalesced
 * interrupt, when set before irq_sim_run. */
typedef void (*irq_latency_fn)(void *ud, const char *guest, uint32_t cls, uint64_t arrival_cycles,
                               uint64_t latency_cycles, int coalesced);
void irq_sim_set_latency_sink(irq_sim *sim, irq_latency_fn fn, void *ud);

enum irq_format { IRQ_FORMAT_TEXT, IRQ_FORMAT_JSON, IRQ_FORMAT_CSV };
int irq_sim_write_report(const irq_sim *sim, enum irq_format fmt, FILE *out);

/* The registered models and their parameter tables. */
void irq_models_describe(FILE *out, int markdown);

#ifdef __cplusplus
}
#endif
#endif
