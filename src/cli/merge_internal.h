/* The outputs of a merged set of variant documents: compare.json,
 * compare.csv, the table on stdout and the plots, the one place compare,
 * sweep and merge write them from; and reading the variant files of
 * folders (merge). */
#ifndef IRQ_CLI_MERGE_INTERNAL_H
#define IRQ_CLI_MERGE_INTERNAL_H

#include <stdbool.h>
#include <stddef.h>

#include "merged_internal.h"

typedef struct cli_merge_out {
    const char *cmd;
    enum irq_format format;  /* what goes to stdout: the table, compare.json or compare.csv */
    const char *dir;         /* compare.json and compare.csv go here; NULL: none */
    bool table;              /* print the side-by-side table on stdout */
    bool plot;               /* plots into dir */
    const char *plot_format; /* png (default) or svg */
    bool quiet;
} cli_merge_out;

int cli_merge_write(const cli_merged *m, const cli_merge_out *o);

/* Reads every variant-*.json in the directories. EXIT_ status. */
int cli_merge_read_dirs(const char *const *dirs, size_t ndirs, cli_src **src, size_t *n);

#endif
