/* The usage text of every command, in one table: `irqsim --help`,
 * `irqsim COMMAND --help`, the man page irqsim(1) and the shell
 * completions are all written from it, and every command's options are
 * parsed by it (args.c), so they cannot disagree. */
#ifndef IRQ_CLI_USAGE_INTERNAL_H
#define IRQ_CLI_USAGE_INTERNAL_H

#include <stdbool.h>
#include <stdio.h>

/* Where the parser (args.c) puts an option's value, after its check. */
typedef enum cli_opt_id {
    CLI_OPT_NONE, /* not parsed: help's modes (cmd_help reads them), the table's end */
    CLI_OPT_HELP, /* answered by main before any command parses */
    CLI_OPT_SET,
    CLI_OPT_SEED,
    CLI_OPT_FORMAT,
    CLI_OPT_OUT,
    CLI_OPT_PLOT,
    CLI_OPT_PLOT_FORMAT,
    CLI_OPT_TRACE,
    CLI_OPT_TRACE_WINDOW,
    CLI_OPT_TRACE_GUESTS,
    CLI_OPT_TRACE_MAX,
    CLI_OPT_MAX_MEMORY,
    CLI_OPT_MAX_EVENTS,
    CLI_OPT_REPLICATIONS,
    CLI_OPT_QUIET,
    CLI_OPT_VARY,
    CLI_OPT_JOBS,
    CLI_OPT_SHARD,
    CLI_OPT_MARKDOWN,
    CLI_OPT_COUNT
} cli_opt_id;

/* What a command's arguments other than options are. */
typedef enum cli_operands {
    CLI_OPERANDS_NONE,      /* models */
    CLI_OPERANDS_SCENARIO,  /* run, compare, sweep: one scenario FILE */
    CLI_OPERANDS_SCENARIOS, /* validate: FILE... */
    CLI_OPERANDS_DIRS,      /* merge: DIR... */
    CLI_OPERANDS_HELP,      /* help: a mode and its words, read by cmd_help */
} cli_operands;

typedef struct cli_option {
    const char *flag;  /* "--set", "-q, --quiet" */
    const char *value; /* "KEY=VALUE", NULL for a switch */
    const char *help;  /* one sentence */
    cli_opt_id id;     /* where the value goes */
} cli_option;

typedef struct cli_command {
    const char *name;
    const char *args; /* positional arguments: "FILE", "DIR..." */
    const char *summary;
    const char *description; /* a paragraph, for --help and the man page */
    const cli_option *options;
    cli_operands operands;
} cli_command;

/* NULL-terminated, in the order the usage lists them. */
extern const cli_command cli_commands[];

/* The command named name, or NULL. */
const cli_command *cli_command_find(const char *name);
/* `irqsim --help`: every command's synopsis. */
void cli_usage_all(FILE *f);
/* `irqsim COMMAND --help`. */
void cli_usage_command(FILE *f, const cli_command *c);
/* Whether argv[0..argc) asks for help (--help or -h). */
bool cli_wants_help(int argc, char **argv);
/* `irqsim help ...`: usage, the man page (--man), a completion script
 * (--completion bash|zsh), the scenario keys (--keys). EXIT_ status. */
int cmd_help(int argc, char **argv);

#endif
