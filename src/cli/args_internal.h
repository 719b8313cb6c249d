/* The one option parser (args.c): a command's arguments read against its
 * entry in the usage table (usage.c), each option's value checked and
 * stored in a cli_opts. */
#ifndef IRQ_CLI_ARGS_INTERNAL_H
#define IRQ_CLI_ARGS_INTERNAL_H

#include "cli_internal.h"

/* Parses argv[0..argc) of the command named cmd into o, which holds the
 * command's defaults. -1 on a usage error, reported as "irqsim CMD: ..."
 * (exit status 2). */
int cli_parse_args(const char *cmd, int argc, char **argv, cli_opts *o);
/* Frees what parsing allocated (the --set and --vary lists, the operands). */
void cli_opts_free(cli_opts *o);

#endif
