/* Variant documents read into one checked, ordered set (merged.c): the
 * results compare, sweep, merge and run --plot write their outputs from,
 * and the statistics over a variant's replications. */
#ifndef IRQ_CLI_MERGED_INTERNAL_H
#define IRQ_CLI_MERGED_INTERNAL_H

#include <stdbool.h>
#include <stddef.h>

#include "cli_internal.h"
#include "collect_internal.h"
#include "json_internal.h"

/* One document to merge: text owned by whoever holds the cli_src. */
typedef struct cli_src {
    char *name; /* file name or "variant K", for messages */
    char *text;
    size_t len;
} cli_src;

void cli_src_free(cli_src *src, size_t n);

/* A numeric leaf of a report's totals: "kicks", "latency_ns.p99". */
typedef struct cli_leaf {
    char *path;
    const cj_value *v;
} cli_leaf;

/* One replication's report: its totals as leaves, its groups. */
typedef struct cli_rep {
    const cj_value *report, *totals, *groups;
    cli_leaf *leaves;
    size_t nleaves;
} cli_rep;

typedef struct cli_variant {
    size_t number; /* 1-based */
    const char *source;
    cj_value doc;
    /* replication 1's (the only one without --replications) */
    const cj_value *report, *settings, *totals, *groups;
    const char *guests_raw; /* the report's guests array, verbatim */
    size_t guests_len;
    cli_lat lat; /* latency histograms, pooled over the replications */
    cli_leaf *leaves;
    size_t nleaves;
    cli_rep *reps; /* every replication, reps[0] being the above */
    size_t nrep;
    char label[256]; /* short, for plot legends */
} cli_variant;

typedef struct cli_merged {
    cli_variant *v; /* in variant order */
    size_t n;
    const char *scenario;
    const char *model; /* of variant 1 */
    char **rows;       /* union of the totals' leaf paths, in order */
    size_t nrows;
    size_t nrep; /* replications per variant (1 without --replications) */
} cli_merged;

/* Parses and checks documents (one sweep, each variant once, none
 * missing). The texts must outlive m. EXIT_ status; errors reported. */
int cli_merge_load(cli_merged *m, const cli_src *src, size_t n, const char *cmd);
void cli_merge_free(cli_merged *m);

/* A total of one replication by its dotted path, or NULL. */
const cj_value *cli_rep_total(const cli_rep *rp, const char *path);

struct cli_ci;
/* Mean and 95 % interval of a total (dotted path) over v's replications;
 * 0 when no replication has it. */
int cli_total_ci(const cli_variant *v, const char *path, struct cli_ci *out);
/* The paired difference v - first of a total over the replications
 * (replication r of both ran the same seed); 0 when not computable. */
int cli_total_diff(const cli_variant *v, const cli_variant *first, const char *path,
                   struct cli_ci *out);
/* Mean and interval of a group's state share (0..1) over replications. */
int cli_group_state_ci(const cli_variant *v, size_t group, const char *state, struct cli_ci *out);

#endif
