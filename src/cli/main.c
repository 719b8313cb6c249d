/* irqsim: the command-line program. */
#include <stdio.h>
#include <string.h>

#include "cli_internal.h"

static const char usage[] =
    "usage: irqsim COMMAND [ARGS]\n"
    "\n"
    "commands:\n"
    "  run FILE [--set k=v]... [--seed N] [--format text|json|csv] [--out DIR] [--quiet]\n"
    "      simulate one scenario and print a summary\n"
    "  validate FILE...     load and check scenarios only\n"
    "  models [--markdown]  list the models and their parameters (defaults, units)\n"
    "  --help, --version\n"
    "\n"
    "exit status: 0 ok, 1 the simulation failed, 2 bad input or usage\n";

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
