/* irqsim: the command-line program.
 *
 * Its modules (src/cli/NAME.c, each with NAME_internal.h), lowest first. A module calls only
 * modules listed before it, so the graph has no cycles (nm -u on the objects shows it):
 *
 *   json     owns: the JSON reader, JSON/CSV writers, reading a whole file.  uses: -
 *   stats    owns: means, 95 % intervals, replication seeds.                 uses: -
 *   common   owns: exit statuses (cli_exit_status, the one map from a library status),
 *            cli_opts, output files, progress, stop signals.                 uses: -
 *   usage    owns: the command table (options, help, man page, completions). uses: -
 *   args     owns: the one option parser, read from usage's table, and every option's
 *            value check.                                                    uses: usage, stats
 *   collect  owns: what a run gathers (histograms, event series, latency.csv, the trace).
 *                                                                            uses: json
 *   merged   owns: variant documents read, checked and ordered (cli_merged), statistics
 *            over replications.                               uses: collect, json, stats
 *   plot     owns: gnuplot data, scripts and pictures of a cli_merged.
 *                                                    uses: merged, collect, json, stats
 *   variant  owns: a sweep's variants: overrides, id, runs, documents, files.
 *                                            uses: args, collect, common, json, stats
 *   merge    owns: compare.json, compare.csv, the table and plots of a cli_merged;
 *            irqsim merge.        uses: merged, plot, variant, args, common, json, stats
 *   compare  owns: irqsim compare; the outputs compare and sweep share.
 *                                           uses: merge, merged, variant, args, common
 *   sweep    owns: irqsim sweep (-j, --shard).
 *                                uses: compare, merged, variant, args, common, json
 *   run      owns: irqsim run and validate (run --replications is a one-variant compare).
 *                uses: compare, plot, merged, variant, collect, args, common
 *   main     owns: dispatching to the commands; irqsim models.
 *                                       uses: run, compare, sweep, merge, args, usage
 *
 * `irqsim help` reads its own arguments (each is a mode that takes the whole line); every
 * other command's arguments go through args. */
#include <stdio.h>
#include <string.h>

#include "args_internal.h"
#include "cli_internal.h"
#include "sweep_internal.h"
#include "usage_internal.h"

static int cmd_models(int argc, char **argv)
{
    cli_opts o = {0};
    int st = cli_parse_args("models", argc, argv, &o) != 0 ? EXIT_USAGE : EXIT_OK;
    if (st == EXIT_OK)
        irq_models_describe(stdout, o.markdown);
    cli_opts_free(&o);
    return st;
}

int main(int argc, char **argv)
{
    if (argc < 2) {
        cli_usage_all(stderr);
        return EXIT_USAGE;
    }
    const char *cmd = argv[1];
    if (!strcmp(cmd, "--help") || !strcmp(cmd, "-h")) {
        cli_usage_all(stdout);
        return EXIT_OK;
    }
    if (!strcmp(cmd, "help"))
        return cmd_help(argc - 2, argv + 2);
    const cli_command *c = cli_command_find(cmd);
    if (c && cli_wants_help(argc - 2, argv + 2)) { /* irqsim COMMAND --help */
        cli_usage_command(stdout, c);
        return EXIT_OK;
    }
    if (!strcmp(cmd, "--version")) {
        printf("irqsim %s (source revision %s)\n", IRQ_VERSION, cli_revision());
        return EXIT_OK;
    }
    if (!strcmp(cmd, "run"))
        return cmd_run(argc - 2, argv + 2);
    if (!strcmp(cmd, "compare"))
        return cmd_compare(argc - 2, argv + 2);
    if (!strcmp(cmd, "sweep"))
        return cmd_sweep(argc - 2, argv + 2);
    if (!strcmp(cmd, "merge"))
        return cmd_merge(argc - 2, argv + 2);
    if (!strcmp(cmd, "validate"))
        return cmd_validate(argc - 2, argv + 2);
    if (!strcmp(cmd, "models"))
        return cmd_models(argc - 2, argv + 2);
    fprintf(stderr, "irqsim: unknown command '%s'\n\n", cmd);
    cli_usage_all(stderr);
    return EXIT_USAGE;
}
