/* irqsim: the command-line program. */
#include <stdio.h>
#include <string.h>

#include "cli_internal.h"
#include "sweep_internal.h"

static const char usage[] =
    "usage: irqsim COMMAND [ARGS]\n"
    "\n"
    "commands:\n"
    "  run FILE [--set k=v]... [--seed N] [--format text|json|csv] [--out DIR] [--quiet]\n"
    "      [--plot [--plot-format png|svg]] [--trace FILE.json [--trace-window FROM,TO]]\n"
    "      [--max-memory SIZE] [--max-events N] [--trace-max SIZE]\n"
    "      simulate one scenario and print a summary; --plot draws it into DIR,\n"
    "      --trace writes a timeline for the Perfetto UI or chrome://tracing\n"
    "  compare FILE --vary KEY=v1,v2[,...] [--vary KEY2=...] [--set k=v]... [--out DIR]\n"
    "      [--plot [--plot-format png|svg]] [--quiet]\n"
    "      run every combination of the values on the same arrivals; print them side by\n"
    "      side; write compare.json, compare.csv (and plots) into DIR\n"
    "  sweep FILE --vary ... --out DIR [-j N] [--shard K/N] [compare's options]\n"
    "      compare in N processes (default: one per CPU); --shard K/N runs only variants\n"
    "      V with (V-1) mod N = K-1, for spreading a sweep over machines\n"
    "  merge DIR... [--out DIR] [--plot [--plot-format png|svg]] [--quiet]\n"
    "      combine the shards' folders into compare.json, compare.csv (and plots)\n"
    "  validate FILE...     load and check scenarios only\n"
    "  models [--markdown]  list the models and their parameters (defaults, units)\n"
    "  --help, --version\n"
    "\n"
    "exit status: 0 ok, 1 the simulation failed or reached a budget, 2 bad input or usage,\n"
    "4 a file could not be read or written, 128+N stopped by signal N (results partial)\n";

int main(int argc, char **argv)
{
    if (argc < 2) {
        fputs(usage, stderr);
        return EXIT_USAGE;
    }
    const char *cmd = argv[1];
    if (!strcmp(cmd, "--help") || !strcmp(cmd, "-h") || !strcmp(cmd, "help")) {
        fputs(usage, stdout);
        return EXIT_OK;
    }
    if (!strcmp(cmd, "--version")) {
        printf("irqsim %s\n", IRQ_VERSION);
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
    if (!strcmp(cmd, "models")) {
        int md = argc > 2 && !strcmp(argv[2], "--markdown");
        if (argc > 2 + md) {
            fprintf(stderr, "irqsim models: unexpected argument '%s'\n", argv[2 + md]);
            return EXIT_USAGE;
        }
        irq_models_describe(stdout, md);
        return EXIT_OK;
    }
    fprintf(stderr, "irqsim: unknown command '%s'\n\n%s", cmd, usage);
    return EXIT_USAGE;
}
