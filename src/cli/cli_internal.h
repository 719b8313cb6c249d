/* Shared pieces of the irqsim command-line program. */
#ifndef IRQ_CLI_INTERNAL_H
#define IRQ_CLI_INTERNAL_H

#include <stdbool.h>
#include <stddef.h>

#include "irqsim/irqsim.h"

/* The source revision the program was built from: `git describe` at build
 * time, or "unknown" (revision.c). */
const char *cli_revision(void);

/* Exit statuses, as `irqsim --help`, irqsim(1) and the README document
 * them; a run stopped by SIGINT or SIGTERM exits 128 + the signal after
 * writing its partial results (cli_exit_signal). */
enum { EXIT_OK = 0, EXIT_SIMFAIL = 1, EXIT_USAGE = 2, EXIT_IO = 4 };

/* Whether a status came from reading inputs or from running and writing
 * outputs: a file that cannot be read is bad input (2), one that cannot be
 * written an output failure (4). */
typedef enum cli_io { CLI_READING, CLI_WRITING } cli_io;
/* The one mapping from a library status (enum irq_status) to an exit
 * status: ok 0; a failed simulation, a budget reached or memory out 1;
 * bad input 2; a file per io. */
int cli_exit_status(int irq_status, cli_io io);
/* The exit status of a run stopped by signal sig. */
int cli_exit_signal(int sig);

/* Most variants a sweep may have (and a variant document may claim). */
#define CLI_MAX_VARIANTS 100000

/* One --vary KEY=v1,v2,...: its values, and "KEY=value" for each. */
typedef struct cli_vary {
    char *key;
    char **values;
    char **kv;
    size_t n;
} cli_vary;

/* What a command line says: every command's options and operands, as the
 * one parser (args.c) stores them. */
typedef struct cli_opts {
    const char *file;      /* run, compare, sweep: the scenario */
    const char **operands; /* merge: DIR...; validate: FILE... */
    size_t noperands;
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
    const char *trace_guests;      /* --trace-guests NAME,... */
    char seed_buf[64];             /* "seed=N" for --seed */
    size_t replications;           /* --replications N: seeds per variant; 0 or 1: one run */
    unsigned long long max_memory; /* --max-memory: bytes a run may hold; 0: the default */
    unsigned long long max_events; /* --max-events: events a run may take; 0: no limit */
    unsigned long long trace_max;  /* --trace-max: bytes of the trace file; 0: the default */
    cli_vary *vary;                /* --vary, in order */
    size_t nvary;
    long jobs;               /* -j N; 0: one process per online CPU */
    size_t shard_k, shard_n; /* --shard K/N (K 1-based); shard_n 0: no shard */
    bool markdown;           /* models --markdown */
} cli_opts;

/* Applies the options' limits to a simulation before its run. */
void cli_apply_limits(const cli_opts *o, irq_sim *sim);

void cli_print_error(const irq_error *err);
int cli_mkdir_p(const char *dir);
/* Names the folder plots go to when the user named none: irqsim-out/STEM
 * (STEM: the scenario file's name without .yaml), and says so on stderr. */
const char *cli_default_out(cli_opts *o, const char *cmd);

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

/* SIGINT and SIGTERM stop a run at the next look of its progress callback
 * (cli_progress_cb returns non-zero): its results are written, marked
 * partial. cli_stop_signal() is the signal received, or 0. */
void cli_catch_stop_signals(void);
int cli_stop_signal(void);

/* An output file written under a temporary name in its folder and renamed
 * into place by cli_out_commit, so that a reader (or a later run) never
 * sees a cut file under the final name. */
typedef struct cli_outfile {
    FILE *f;
    char path[4096];
    char tmp[4160];
} cli_outfile;
/* Opens DIR/NAME's temporary (dir NULL: NAME). -1 with a message naming
 * the file and the reason. */
int cli_out_open(cli_outfile *o, const char *dir, const char *name);
/* Flushes, checks every write, closes and renames into place; -1 (file
 * removed, message naming it and the reason) on any failure. */
int cli_out_commit(cli_outfile *o);
/* Closes and removes the temporary file (no-op when not open). */
void cli_out_abort(cli_outfile *o);
/* Flushes stdout; -1 with a message when the report could not be written
 * (a full disk, a closed pipe). */
int cli_stdout_check(void);

#endif
