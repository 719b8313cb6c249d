/* The commands' usage, and what is generated from it: --help texts, the
 * man page irqsim(1), bash and zsh completion scripts; the option parser
 * (args.c) reads the same table. */
#include <string.h>

#include "cli_internal.h"
#include "usage_internal.h"

#define OPT_SET                                                                                    \
    {                                                                                              \
        "--set", "KEY=VALUE",                                                                      \
            "override a scenario value (repeatable; list elements by index or name: "              \
            "guests.web.count=10)",                                                                \
            CLI_OPT_SET                                                                            \
    }
#define OPT_SEED                                                                                   \
    {                                                                                              \
        "--seed", "N", "the same as --set seed=N", CLI_OPT_SEED                                    \
    }
#define OPT_OUT(what)                                                                              \
    {                                                                                              \
        "--out", "DIR", what, CLI_OPT_OUT                                                          \
    }
#define OPT_PLOT                                                                                   \
    {                                                                                              \
        "--plot", NULL,                                                                            \
            "draw the results with gnuplot into the output folder (irqsim-out/STEM without "       \
            "--out)",                                                                              \
            CLI_OPT_PLOT                                                                           \
    }
#define OPT_PLOT_FORMAT                                                                            \
    {                                                                                              \
        "--plot-format", "png|svg", "picture format of --plot (png by default)",                   \
            CLI_OPT_PLOT_FORMAT                                                                    \
    }
#define OPT_REPS                                                                                   \
    {                                                                                              \
        "--replications", "N",                                                                     \
            "run every variant with N seeds derived from its seed (the same for every variant) "   \
            "and show means with 95 % confidence intervals",                                       \
            CLI_OPT_REPLICATIONS                                                                   \
    }
#define OPT_QUIET                                                                                  \
    {                                                                                              \
        "-q, --quiet", NULL, "no progress line or per-variant messages", CLI_OPT_QUIET             \
    }
#define OPT_VARY                                                                                   \
    {                                                                                              \
        "--vary", "KEY=v1,v2,...",                                                                 \
            "a scenario key and its values (repeatable: every combination, the first --vary "      \
            "varying slowest)",                                                                    \
            CLI_OPT_VARY                                                                           \
    }
#define OPT_MAX_MEMORY                                                                             \
    {                                                                                              \
        "--max-memory", "SIZE",                                                                    \
            "budget of interrupts held and host work queued by a run (default 1G; also "           \
            "compare's documents); reaching it fails the run (exit 1)",                            \
            CLI_OPT_MAX_MEMORY                                                                     \
    }
#define OPT_MAX_EVENTS                                                                             \
    {                                                                                              \
        "--max-events", "N", "fail a run that would take more than N events (default: no limit)",  \
            CLI_OPT_MAX_EVENTS                                                                     \
    }
#define OPT_HELP                                                                                   \
    {                                                                                              \
        "-h, --help", NULL, "print this usage and exit", CLI_OPT_HELP                              \
    }
#define OPT_END                                                                                    \
    {                                                                                              \
        NULL, NULL, NULL, CLI_OPT_NONE                                                             \
    }

static const cli_option run_opts[] = {
    OPT_SET,
    OPT_SEED,
    {"--format", "text|json|csv",
     "report on standard output: text (default), one JSON object, or one CSV line per guest",
     CLI_OPT_FORMAT},
    OPT_OUT("write summary.json, guests.csv and latency.csv (one line per interrupt) into DIR"),
    OPT_PLOT,
    OPT_PLOT_FORMAT,
    {"--trace", "FILE.json",
     "write a timeline (Chrome trace-event format) for the Perfetto UI or chrome://tracing",
     CLI_OPT_TRACE},
    {"--trace-window", "FROM,TO",
     "keep only what happens between two times of the run (0,2ms); a window outside the run is an "
     "error",
     CLI_OPT_TRACE_WINDOW},
    {"--trace-guests", "NAME,...",
     "keep only these guests (guest names such as web-3, or template names) in the trace",
     CLI_OPT_TRACE_GUESTS},
    {"--trace-max", "SIZE",
     "budget of the trace file (default 4G, checked every 4096 events); reaching it fails the run",
     CLI_OPT_TRACE_MAX},
    OPT_MAX_MEMORY,
    OPT_MAX_EVENTS,
    OPT_REPS,
    OPT_QUIET,
    OPT_HELP,
    OPT_END,
};

static const cli_option compare_opts[] = {
    OPT_VARY,
    OPT_SET,
    OPT_SEED,
    OPT_OUT("write compare.json, compare.csv and one variant-V.json per variant into DIR"),
    OPT_PLOT,
    OPT_PLOT_FORMAT,
    OPT_MAX_MEMORY,
    OPT_MAX_EVENTS,
    OPT_REPS,
    {"--format", "text|json|csv",
     "standard output: the side-by-side table (default), compare.json or compare.csv",
     CLI_OPT_FORMAT},
    OPT_QUIET,
    OPT_HELP,
    OPT_END,
};

static const cli_option sweep_opts[] = {
    OPT_VARY,
    OPT_SET,
    OPT_SEED,
    OPT_OUT("the variant files and the merged outputs go here (required)"),
    {"-j, --jobs", "N", "processes to run (default: one per CPU)", CLI_OPT_JOBS},
    {"--shard", "K/N",
     "run only the variants V with (V-1) mod N = K-1, for spreading a sweep over machines; irqsim "
     "merge combines the shards",
     CLI_OPT_SHARD},
    OPT_PLOT,
    OPT_PLOT_FORMAT,
    OPT_MAX_MEMORY,
    OPT_MAX_EVENTS,
    OPT_REPS,
    {"--format", "text|json|csv",
     "standard output: the side-by-side table (default), compare.json or compare.csv",
     CLI_OPT_FORMAT},
    OPT_QUIET,
    OPT_HELP,
    OPT_END,
};

static const cli_option merge_opts[] = {
    OPT_OUT("write the merged outputs into DIR (default: the first DIR given)"),
    OPT_PLOT,
    OPT_PLOT_FORMAT,
    OPT_QUIET,
    OPT_HELP,
    OPT_END,
};

static const cli_option validate_opts[] = {OPT_HELP, OPT_END};

static const cli_option models_opts[] = {
    {"--markdown", NULL, "write Markdown (docs/models.md) instead of text", CLI_OPT_MARKDOWN},
    OPT_HELP,
    OPT_END,
};

static const cli_option help_opts[] = {
    {"--man", NULL, "write the man page irqsim(1) (troff)", CLI_OPT_NONE},
    {"--completion", "bash|zsh", "write a shell completion script", CLI_OPT_NONE},
    {"--keys", "[FILE]",
     "list the scenario keys --set and --vary accept (with FILE: its model's, with its guest and "
     "source names)",
     CLI_OPT_NONE},
    OPT_HELP,
    OPT_END,
};

const cli_command cli_commands[] = {
    {"run", "FILE", "simulate one scenario and print a summary",
     "Simulates the scenario in FILE (YAML) and prints the host work (alerts, kicks), the "
     "interrupts (injected = delivered + coalesced + pending + dropped, checked per guest), the "
     "model's counters, the latency from arrival to the guest's handler and the share of vCPU "
     "time per state and guest group.",
     run_opts, CLI_OPERANDS_SCENARIO},
    {"compare", "FILE --vary KEY=v1,v2[,...]",
     "run several designs on the same arrivals, side by side",
     "Runs every combination of the --vary values, one after the other, on the same interrupt "
     "arrivals (every random stream is seeded from the seed and its own name), and prints them "
     "side by side with each value's ratio to the first variant (with --replications: means, "
     "95 % intervals and paired differences).",
     compare_opts, CLI_OPERANDS_SCENARIO},
    {"sweep", "FILE --vary KEY=v1,v2[,...] --out DIR",
     "compare in parallel processes, or a shard of it",
     "Runs compare's variants in N processes and gives the same outputs, byte for byte; with "
     "--shard only a share of them, to be merged by irqsim merge.",
     sweep_opts, CLI_OPERANDS_SCENARIO},
    {"merge", "DIR...", "combine the shards' folders of a sweep",
     "Reads every variant-*.json in the folders and writes compare.json, compare.csv, the table "
     "and plots, refusing mixed sweeps, duplicates and missing variants.",
     merge_opts, CLI_OPERANDS_DIRS},
    {"validate", "FILE...", "load and check scenarios without running them",
     "Loads every FILE and reports the first mistake in each as FILE:LINE:COL: what is wrong.",
     validate_opts, CLI_OPERANDS_SCENARIOS},
    {"models", "", "list the models and every parameter with its default and unit",
     "Lists the models and their parameters (default, unit, meaning), marking the defaults that "
     "no public source gives.",
     models_opts, CLI_OPERANDS_NONE},
    {"help", "[COMMAND]", "print usage, the man page or a completion script",
     "Prints the usage of irqsim or of COMMAND; --man, --completion and --keys write what the "
     "build installs.",
     help_opts, CLI_OPERANDS_HELP},
    {NULL, NULL, NULL, NULL, NULL, CLI_OPERANDS_NONE},
};

const cli_command *cli_command_find(const char *name)
{
    for (const cli_command *c = cli_commands; c->name; c++)
        if (strcmp(c->name, name) == 0)
            return c;
    return NULL;
}

bool cli_wants_help(int argc, char **argv)
{
    for (int i = 0; i < argc; i++)
        if (!strcmp(argv[i], "--help") || !strcmp(argv[i], "-h"))
            return true;
    return false;
}

/* ---- text ------------------------------------------------------------------ */

/* What cli_exit_status (common.c) and the commands return, as --help says it;
 * the man page's EXIT STATUS and the README say the same in more words. */
static const char exit_status_text[] =
    "exit status: 0 ok, 1 the simulation failed or reached a budget, 2 bad input or usage,\n"
    "4 an output could not be written, 128+N stopped by signal N (results partial)\n";

/* Writes text folded at width columns, every line indented by indent. */
static void fold(FILE *f, const char *text, int indent, int width)
{
    int col = 0;
    while (*text) {
        size_t word = strcspn(text, " ");
        if (col > indent && col + 1 + (int)word > width) {
            fputc('\n', f);
            col = 0;
        }
        if (col == 0)
            col = fprintf(f, "%*s", indent, "");
        else
            col += fprintf(f, " ");
        col += fprintf(f, "%.*s", (int)word, text);
        text += word;
        text += strspn(text, " ");
    }
    if (col)
        fputc('\n', f);
}

void cli_usage_command(FILE *f, const cli_command *c)
{
    fprintf(f, "usage: irqsim %s%s%s [OPTIONS]\n\n", c->name, *c->args ? " " : "", c->args);
    fold(f, c->description, 0, 90);
    fputs("\noptions:\n", f);
    for (const cli_option *o = c->options; o->flag; o++) {
        char head[64];
        snprintf(head, sizeof head, "%s%s%s", o->flag, o->value ? " " : "",
                 o->value ? o->value : "");
        fprintf(f, "  %s\n", head);
        fold(f, o->help, 6, 90);
    }
    fputs("\n", f);
    fputs(exit_status_text, f);
}

void cli_usage_all(FILE *f)
{
    fputs("usage: irqsim COMMAND [ARGS] [OPTIONS]\n\ncommands:\n", f);
    for (const cli_command *c = cli_commands; c->name; c++) {
        char head[96];
        snprintf(head, sizeof head, "%s %s", c->name, c->args);
        fprintf(f, "  %-44s %s\n", head, c->summary);
    }
    fputs("\n`irqsim COMMAND --help` for a command's options; irqsim --version\n", f);
    fputs(exit_status_text, f);
}

/* ---- the man page ------------------------------------------------------------ */

/* troff text: a leading dot or quote escaped, backslashes and dashes too. */
static void roff(FILE *f, const char *s)
{
    if (*s == '.' || *s == '\'')
        fputs("\\&", f);
    for (; *s; s++) {
        if (*s == '\\')
            fputs("\\e", f);
        else if (*s == '-')
            fputs("\\-", f);
        else
            fputc(*s, f);
    }
}

static void man_page(FILE *f)
{
    fprintf(f, ".TH IRQSIM 1 \"\" \"irqsim %s\" \"User Commands\"\n", IRQ_VERSION);
    fputs(".SH NAME\nirqsim \\- simulate how a hypervisor delivers interrupts to virtual CPUs\n"
          ".SH SYNOPSIS\n",
          f);
    for (const cli_command *c = cli_commands; c->name; c++) {
        fprintf(f, ".B irqsim %s\n", c->name);
        if (*c->args) {
            fputs(".I ", f);
            roff(f, c->args);
            fputc('\n', f);
        }
        fputs("[\\fIOPTIONS\\fR]\n.br\n", f);
    }
    fputs(".SH DESCRIPTION\nirqsim simulates, cycle by cycle, how a hypervisor delivers "
          "interrupts to virtual CPUs (s390 GIB/GISA, ...), counting the alerts, kicks, traps and "
          "exits each delivery scheme costs and measuring the interrupt latency the guests see. "
          "A scenario is a YAML file; see /usr/share/irqsim/docs (or PREFIX/share/irqsim/docs) "
          "for its format, the models and the design-review outputs.\n.SH COMMANDS\n",
          f);
    for (const cli_command *c = cli_commands; c->name; c++) {
        fprintf(f, ".SS irqsim %s\n", c->name);
        roff(f, c->description);
        fputc('\n', f);
        for (const cli_option *o = c->options; o->flag; o++) {
            fputs(".TP\n.B ", f);
            roff(f, o->flag);
            if (o->value) {
                fputs(" \\fI", f);
                roff(f, o->value);
                fputs("\\fR", f);
            }
            fputc('\n', f);
            roff(f, o->help);
            fputc('\n', f);
        }
    }
    fputs(".SH EXIT STATUS\n0 ok; 1 the simulation failed (a broken invariant) or reached a "
          "budget; 2 bad input: a scenario, a data file, an override or the command line; 4 an "
          "output could not be written; 128+N stopped by signal N (the results written are "
          "partial).\n"
          ".SH EXAMPLES\n.nf\nirqsim run scenarios/gib-single.yaml\n"
          "irqsim compare scenarios/gib\\-storm.yaml \\-\\-vary model.heuristic=upstream,v5 "
          "\\-\\-replications 10 \\-\\-plot\n.fi\n.SH SEE ALSO\ngnuplot(1)\n",
          f);
}

/* ---- completion -------------------------------------------------------------- */

static void command_names(FILE *f)
{
    for (const cli_command *c = cli_commands; c->name; c++)
        fprintf(f, "%s%s", c == cli_commands ? "" : " ", c->name);
}

/* Every flag of a command, with its short and long forms. */
static void flags(FILE *f, const cli_command *c)
{
    bool first = true;
    for (const cli_option *o = c->options; o->flag; o++) {
        const char *p = o->flag;
        while (*p) {
            size_t n = strcspn(p, ",");
            fprintf(f, "%s%.*s", first ? "" : " ", (int)n, p);
            first = false;
            p += n;
            p += strspn(p, ", ");
        }
    }
}

static void bash_completion(FILE *f)
{
    fputs("# bash completion for irqsim, written by `irqsim help --completion bash`\n"
          "_irqsim() {\n"
          "    local cur=${COMP_WORDS[COMP_CWORD]} prev=${COMP_WORDS[COMP_CWORD-1]}\n"
          "    if [ \"$COMP_CWORD\" -eq 1 ]; then\n        COMPREPLY=($(compgen -W \"",
          f);
    command_names(f);
    fputs(
        " --help --version\" -- \"$cur\"))\n        return\n    fi\n"
        "    case $prev in\n"
        "    --set | --vary)\n"
        "        compopt -o nospace 2>/dev/null\n"
        "        local w file=\n"
        "        for w in \"${COMP_WORDS[@]:2}\"; do case $w in *.yaml | *.yml) file=$w ;; esac; "
        "done\n"
        "        COMPREPLY=($(compgen -W \"$(\"${COMP_WORDS[0]}\" help --keys $file 2>/dev/null | "
        "sed 's/$/=/')\" -- \"$cur\"))\n        return ;;\n"
        "    --format) COMPREPLY=($(compgen -W \"text json csv\" -- \"$cur\")); return ;;\n"
        "    --plot-format) COMPREPLY=($(compgen -W \"png svg\" -- \"$cur\")); return ;;\n"
        "    --completion) COMPREPLY=($(compgen -W \"bash zsh\" -- \"$cur\")); return ;;\n"
        "    --out) COMPREPLY=($(compgen -d -- \"$cur\")); return ;;\n"
        "    --seed | --replications | -j | --jobs | --shard | --trace-window | "
        "--trace-guests | --max-memory | --max-events | --trace-max) return ;;\n"
        "    esac\n    case ${COMP_WORDS[1]} in\n",
        f);
    for (const cli_command *c = cli_commands; c->name; c++) {
        fprintf(f, "    %s) local opts=\"", c->name);
        flags(f, c);
        fputs("\" ;;\n", f);
    }
    fputs("    *) return ;;\n    esac\n"
          "    if [[ $cur == -* ]]; then\n        COMPREPLY=($(compgen -W \"$opts\" -- \"$cur\"))\n"
          "    elif [ \"${COMP_WORDS[1]}\" = help ]; then\n        COMPREPLY=($(compgen -W \"",
          f);
    command_names(f);
    fputs("\" -- \"$cur\"))\n    elif [ \"${COMP_WORDS[1]}\" = merge ]; then\n"
          "        COMPREPLY=($(compgen -d -- \"$cur\"))\n    else\n"
          "        COMPREPLY=($(compgen -f -X '!*.y*ml' -- \"$cur\") $(compgen -d -- \"$cur\"))\n"
          "    fi\n}\ncomplete -o filenames -F _irqsim irqsim\n",
          f);
}

static void zsh_completion(FILE *f)
{
    fputs("#compdef irqsim\n# zsh completion for irqsim, written by `irqsim help --completion "
          "zsh`\n"
          "_irqsim_keys() {\n"
          "    local -a keys\n    local file=${${(M)words:#*.y(a|)ml}[1]}\n"
          "    keys=(${(f)\"$(irqsim help --keys $file 2>/dev/null)\"})\n"
          "    compadd -S = -- $keys\n}\n"
          "_irqsim() {\n    if (( CURRENT == 2 )); then\n        compadd -- ",
          f);
    command_names(f);
    fputs(" --help --version\n        return\n    fi\n"
          "    case ${words[CURRENT-1]} in\n"
          "    --set|--vary) _irqsim_keys; return ;;\n"
          "    --format) compadd text json csv; return ;;\n"
          "    --plot-format) compadd png svg; return ;;\n"
          "    --completion) compadd bash zsh; return ;;\n"
          "    --out) _files -/; return ;;\n"
          "    --seed|--replications|-j|--jobs|--shard|--trace-window|--trace-guests|"
          "--max-memory|--max-events|--trace-max) return ;;\n"
          "    esac\n    local -a opts\n    case ${words[2]} in\n",
          f);
    for (const cli_command *c = cli_commands; c->name; c++) {
        fprintf(f, "    %s) opts=(", c->name);
        flags(f, c);
        fputs(") ;;\n", f);
    }
    fputs("    esac\n    if [[ $PREFIX == -* ]]; then\n        compadd -- $opts\n"
          "    elif [[ ${words[2]} == merge ]]; then\n        _files -/\n    else\n"
          "        _files -g '*.y(a|)ml(-.)'\n    fi\n}\n_irqsim \"$@\"\n",
          f);
}

/* The scenario keys, with FILE's names when it loads (a completion
 * script asks with the scenario on the command line: a file that does
 * not load yet gives the generic keys). */
static int print_keys(const char *file)
{
    irq_scenario *sc = NULL;
    irq_error err = {0};
    if (file && irq_scenario_load(&sc, file, NULL, 0, &err) != IRQ_OK)
        sc = NULL;
    irq_scenario_keys(stdout, sc);
    irq_scenario_free(sc);
    return EXIT_OK;
}

/* ---- irqsim help ------------------------------------------------------------- */

int cmd_help(int argc, char **argv)
{
    if (argc == 0) {
        cli_usage_all(stdout);
        return EXIT_OK;
    }
    const char *a = argv[0];
    if (!strcmp(a, "--man") && argc == 1) {
        man_page(stdout);
        return EXIT_OK;
    }
    if (!strcmp(a, "--keys") && argc <= 2)
        return print_keys(argc == 2 ? argv[1] : NULL);
    if (!strcmp(a, "--completion") && argc == 2 &&
        (!strcmp(argv[1], "bash") || !strcmp(argv[1], "zsh"))) {
        (strcmp(argv[1], "bash") ? zsh_completion : bash_completion)(stdout);
        return EXIT_OK;
    }
    if (!strcmp(a, "--help") || !strcmp(a, "-h")) {
        cli_usage_command(stdout, cli_command_find("help"));
        return EXIT_OK;
    }
    const cli_command *c = argc == 1 ? cli_command_find(a) : NULL;
    if (!c) {
        fprintf(stderr, "irqsim help: expected a command (");
        command_names(stderr);
        fprintf(stderr, "), --man, --keys or --completion bash|zsh, got '%s'\n", a);
        return EXIT_USAGE;
    }
    cli_usage_command(stdout, c);
    return EXIT_OK;
}
