/* irqsim: the command-line program. */
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
    if (!strcmp(cmd, "models"))
        return cmd_models(argc - 2, argv + 2);
    fprintf(stderr, "irqsim: unknown command '%s'\n\n", cmd);
    cli_usage_all(stderr);
    return EXIT_USAGE;
}
