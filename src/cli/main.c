/* irqsim: the command-line program. */
#include <stdio.h>
#include <string.h>

#include "cli_internal.h"
#include "sweep_internal.h"
#include "usage_internal.h"

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
        printf("irqsim %s (source revision %s)\n", IRQ_VERSION, IRQSIM_REVISION);
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
    fprintf(stderr, "irqsim: unknown command '%s'\n\n", cmd);
    cli_usage_all(stderr);
    return EXIT_USAGE;
}
