/* Plots with gnuplot. Every plot is three files in the output folder: the
 * data (NAME.csv), the script (NAME.gp, which reads the CSV by its relative
 * name, so `cd DIR && gnuplot NAME.gp` re-plots after restyling) and the
 * picture (NAME.png, or NAME.svg), drawn when gnuplot is on the PATH. */
#ifndef IRQ_CLI_PLOT_INTERNAL_H
#define IRQ_CLI_PLOT_INTERNAL_H

#include <stdbool.h>

#include "cli_internal.h"
#include "collect_internal.h"
#include "merged_internal.h"

/* Latency CDF and histogram per variant, alerts and kicks per variant,
 * vCPU state shares per variant and guest group; with series (a single
 * run), also instant events over simulated time. EXIT_ status. */
int cli_plot_variants(const cli_merged *m, const char *dir, const char *format, bool quiet);
int cli_plot_run(const cli_merged *m, const cli_series *series, const char *dir, const char *format,
                 bool quiet);

#endif
