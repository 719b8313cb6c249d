/* Shared pieces of the irqsim command-line program. */
#ifndef IRQ_CLI_INTERNAL_H
#define IRQ_CLI_INTERNAL_H

#include <stdbool.h>
#include <stddef.h>

#include "irqsim/irqsim.h"

/* The source revision (git describe at configure time; CMake defines it). */
#ifndef IRQSIM_REVISION
#define IRQSIM_REVISION "unknown"
#endif

/* Exit statuses */
enum { EXIT_OK = 0, EXIT_SIMFAIL = 1, EXIT_USAGE = 2 };

/* Options common to run, compare and sweep. */
typedef struct cli_opts {
    const char *file;
    const char **sets; /* "k=v" overrides, in order */
    size_t nsets, capsets;
    enum irq_format format;
    bool format_given; /* --format was given: it wins over the scenario's output.format */
    const char *out_dir;
    bool quiet;
    bool plot;
    const char *plot_format; /* png | svg */
    const char *trace_file;
    char default_out[512]; /* irqsim-out/STEM, when --plot needs a folder and none was named */
    const char *trace_window;
    const char *trace_guests; /* --trace-guests NAME,... */
    char seed_buf[64];        /* "seed=N" for --seed */
    size_t replications;      /* --replications N: seeds per variant; 0 or 1: one run */
} cli_opts;

int cli_add_set(cli_opts *o, const char *kv);
void cli_opts_free(cli_opts *o);
int cli_status_of(int irq_status);
void cli_print_error(const irq_error *err);
int cli_mkdir_p(const char *dir);
/* Names the folder plots go to when the user named none: irqsim-out/STEM
 * (STEM: the scenario file's name without .yaml), and says so on stderr. */
const char *cli_default_out(cli_opts *o, const char *cmd);
/* Sets o->plot_format from --plot-format (png or svg); -1 reported. */
int cli_plot_format(const char *cmd, cli_opts *o, const char *val);
/* Sets o->replications from --replications N (1..CLI_MAX_REPLICATIONS);
 * -1 reported. */
int cli_replications(const char *cmd, cli_opts *o, const char *val);
/* Parses text, json or csv; -1 when it is none of them. */
int cli_parse_format(const char *s, enum irq_format *f);

int cmd_run(int argc, char **argv);
int cmd_validate(int argc, char **argv);

/* Progress line on stderr for runs longer than a second (when a terminal). */
typedef struct cli_progress {
    double start;
    double last_print;
    bool enabled;
    bool printed;
    const char *label;
    double clock_hz; /* to print simulated seconds; 0: percentages only */
} cli_progress;
void cli_progress_init(cli_progress *p, bool quiet, const char *label);
int cli_progress_cb(void *ud, uint64_t now, uint64_t end, uint64_t events);
void cli_progress_done(cli_progress *p);

#endif
