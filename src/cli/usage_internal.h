/* The usage text of every command, in one table: `irqsim --help`,
 * `irqsim COMMAND --help`, the man page irqsim(1) and the shell
 * completions are all written from it, so they cannot disagree. */
#ifndef IRQ_CLI_USAGE_INTERNAL_H
#define IRQ_CLI_USAGE_INTERNAL_H

#include <stdbool.h>
#include <stdio.h>

typedef struct cli_option {
    const char *flag;  /* "--set", "-q, --quiet" */
    const char *value; /* "KEY=VALUE", NULL for a switch */
    const char *help;  /* one sentence */
} cli_option;

typedef struct cli_command {
    const char *name;
    const char *args; /* positional arguments: "FILE", "DIR..." */
    const char *summary;
    const char *description; /* a paragraph, for --help and the man page */
    const cli_option *options;
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
