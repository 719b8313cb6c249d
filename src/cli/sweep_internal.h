/* Sweeps: a scenario run once per combination of --vary values.
 *
 * Variant k of a sweep is the scenario loaded with the user's --set
 * overrides followed by one KEY=value per --vary, the combinations taken in
 * order with the first --vary varying slowest. Every run writes a variant
 * document (variant-K.json): its settings, the sweep it belongs to, its
 * latency histogram and the run's JSON report verbatim. compare, sweep and
 * merge all build their outputs from these documents with the same code
 * (merge.c), so their results are identical by construction. */
#ifndef IRQ_CLI_SWEEP_INTERNAL_H
#define IRQ_CLI_SWEEP_INTERNAL_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "cli_internal.h"

typedef struct cli_sweep {
    const char *cmd; /* "compare" or "sweep", for messages */
    cli_opts o;      /* with the --vary lists, -j and --shard */
    size_t nvariants;
    char id[17]; /* hash of the scenario file, the --set and the --vary lists */
} cli_sweep;

/* Counts the variants and computes the sweep id; EXIT_ status. */
int cli_sweep_prepare(cli_sweep *s);
void cli_sweep_free(cli_sweep *s);

/* The overrides of variant k: the user's --set, then one per --vary. The
 * array (to free) points into s. */
const char **cli_variant_sets(const cli_sweep *s, size_t k, size_t *n);
/* "key=value key2=value2" for messages. */
void cli_variant_describe(const cli_sweep *s, size_t k, char *buf, size_t len);

/* Loads every variant's scenario without running it, so bad values stop
 * a sweep before any time is spent, and folds the data files they read
 * into the sweep id. EXIT_ status. */
int cli_sweep_check(cli_sweep *s);
/* Runs variant k in this process; *doc gets its document. EXIT_ status. */
int cli_variant_run(const cli_sweep *s, size_t k, char **doc, size_t *len);
/* Writes a document as DIR/variant-K.json, K from 1, zero-padded to the
 * width of n (through a temporary file and a rename, so a reader never
 * sees half a file). EXIT_ status. */
int cli_variant_save(const char *dir, size_t k, size_t n, const char *doc, size_t len);
/* Removes DIR/variant-*.json left by an earlier sweep. */
void cli_variant_clean(const char *dir);
/* Whether name looks like variant-K.json. */
bool cli_variant_file_name(const char *name);

/* Replications per variant (1 without --replications). */
size_t cli_sweep_replications(const cli_sweep *s);

/* Writes the document of a finished run. sets are the overrides it ran
 * with; the sweep fields describe a single-variant sweep when s is NULL. */
struct cli_lat;
int cli_variant_doc(const cli_sweep *s, size_t k, const char *const *sets, size_t nsets,
                    const irq_sim *sim, const struct cli_lat *lat, char **doc, size_t *len);

/* The reports of a variant's replications (JSON texts), with their seeds.
 * With more than one, the document holds "replications", "seeds" and
 * "reports" (in replication order) instead of "report". */
typedef struct cli_reports {
    const char *const *text;
    const size_t *len;
    const uint64_t *seeds;
    size_t n;
} cli_reports;
int cli_variant_doc_reports(const cli_sweep *s, size_t k, const char *const *sets, size_t nsets,
                            const cli_reports *rs, const struct cli_lat *lat, char **doc,
                            size_t *len);

/* Creates the output folder (when there is one), removing the variant
 * files of an earlier sweep when clean. EXIT_ status. */
int cli_sweep_out_dir(const cli_sweep *s, bool clean);
/* compare.json, compare.csv, table and plots from the documents. */
struct cli_src;
int cli_sweep_outputs(const cli_sweep *s, const struct cli_src *src, size_t n);
/* DIR/variant-K.json as cli_variant_save names it. */
void cli_variant_path(char *buf, size_t len, const char *dir, size_t k, size_t n);

/* compare's work once its options are parsed (run --replications uses
 * it too, as a comparison of one variant). EXIT_ status; s stays the
 * caller's to free. */
int cli_compare_run(cli_sweep *s);
int cmd_compare(int argc, char **argv);
int cmd_sweep(int argc, char **argv);
int cmd_merge(int argc, char **argv);

#endif
