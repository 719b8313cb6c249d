/* The one option parser: every command's arguments are read against its
 * entry in the usage table (usage.c), from which --help, the man page and
 * the completions are written too, so that what the help lists is what
 * the command takes. Each option's id names the setter below that checks
 * its value and stores it in a cli_opts. */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "args_internal.h"
#include "stats_internal.h"
#include "usage_internal.h"

/* ---- values ---------------------------------------------------------------- */

static int add_set(const char *cmd, cli_opts *o, const char *kv)
{
    (void)cmd;
    if (!strchr(kv, '=')) {
        fprintf(stderr, "irqsim: --set expects key=value, got '%s'\n", kv);
        return -1;
    }
    if (o->nsets == o->capsets) {
        size_t cap = o->capsets ? o->capsets * 2 : 8;
        const char **s = realloc(o->sets, cap * sizeof *s);
        if (!s)
            return -1;
        o->sets = s;
        o->capsets = cap;
    }
    o->sets[o->nsets++] = kv;
    return 0;
}

static int parse_size(const char *s, unsigned long long *out)
{
    char *end;
    errno = 0;
    double v = strtod(s, &end);
    double mul = 1;
    if (end == s || errno || !(v > 0))
        return -1;
    switch (*end) {
    case 'k':
    case 'K':
        mul = 1024.0;
        end++;
        break;
    case 'm':
    case 'M':
        mul = 1024.0 * 1024;
        end++;
        break;
    case 'g':
    case 'G':
        mul = 1024.0 * 1024 * 1024;
        end++;
        break;
    case 't':
    case 'T':
        mul = 1024.0 * 1024 * 1024 * 1024;
        end++;
        break;
    default:
        break;
    }
    if (*end == 'B' || *end == 'b')
        end++;
    if (*end || v * mul >= 1.8e19 || v * mul < 1)
        return -1;
    *out = (unsigned long long)(v * mul);
    return 0;
}

static int parse_format(const char *s, enum irq_format *f)
{
    if (!strcmp(s, "text"))
        *f = IRQ_FORMAT_TEXT;
    else if (!strcmp(s, "json"))
        *f = IRQ_FORMAT_JSON;
    else if (!strcmp(s, "csv"))
        *f = IRQ_FORMAT_CSV;
    else
        return -1;
    return 0;
}

static int set_plot_format(const char *cmd, cli_opts *o, const char *val)
{
    if (strcmp(val, "png") != 0 && strcmp(val, "svg") != 0) {
        fprintf(stderr, "irqsim %s: --plot-format expects png or svg, got '%s'\n", cmd, val);
        return -1;
    }
    o->plot_format = val;
    return 0;
}

/* ---- --vary KEY=v1,v2 -------------------------------------------------------- */

/* Splits at commas outside brackets, so a value may be a distribution
 * with several arguments: --vary 'guests.web.workload.busy=uniform(1us, 5us),exp(2us)'. */
static int split_values(cli_vary *v, const char *list)
{
    size_t cap = 0;
    const char *p = list;
    for (;;) {
        int depth = 0;
        const char *q = p;
        for (; *q && !(*q == ',' && depth == 0); q++)
            depth += (*q == '(' || *q == '[' || *q == '{') - (*q == ')' || *q == ']' || *q == '}');
        const char *a = p, *b = q;
        while (a < b && (*a == ' ' || *a == '\t'))
            a++;
        while (b > a && (b[-1] == ' ' || b[-1] == '\t'))
            b--;
        if (b == a)
            return -1;
        if (v->n == cap) {
            cap = cap ? cap * 2 : 4;
            char **vals = realloc(v->values, cap * sizeof *vals);
            if (!vals)
                return -1;
            v->values = vals;
        }
        v->values[v->n] = strndup(a, (size_t)(b - a));
        if (!v->values[v->n++])
            return -1;
        if (!*q)
            return 0;
        p = q + 1;
    }
}

static int check_vary(const char *cmd, const cli_opts *o, const cli_vary *v, const char *spec)
{
    for (size_t i = 0; i < o->nvary; i++)
        if (strcmp(o->vary[i].key, v->key) == 0) {
            fprintf(stderr,
                    "irqsim %s: --vary %s given twice (list all its values in one --vary)\n", cmd,
                    v->key);
            return -1;
        }
    for (size_t i = 0; i < v->n; i++)
        for (size_t j = 0; j < i; j++)
            if (strcmp(v->values[i], v->values[j]) == 0) {
                fprintf(stderr, "irqsim %s: --vary %s: value '%s' appears twice\n", cmd, spec,
                        v->values[i]);
                return -1;
            }
    return 0;
}

static void vary_free(cli_vary *v)
{
    for (size_t i = 0; i < v->n; i++) {
        free(v->values[i]);
        if (v->kv)
            free(v->kv[i]);
    }
    free(v->values);
    free(v->kv);
    free(v->key);
}

static int make_kv(cli_vary *v)
{
    v->kv = calloc(v->n, sizeof *v->kv);
    for (size_t i = 0; v->kv && i < v->n; i++) {
        size_t len = strlen(v->key) + strlen(v->values[i]) + 2;
        if (!(v->kv[i] = malloc(len)))
            return -1;
        snprintf(v->kv[i], len, "%s=%s", v->key, v->values[i]);
    }
    return v->kv ? 0 : -1;
}

static int add_vary(const char *cmd, cli_opts *o, const char *spec)
{
    const char *eq = strchr(spec, '=');
    if (!eq || eq == spec) {
        fprintf(stderr, "irqsim %s: --vary expects KEY=v1,v2,..., got '%s'\n", cmd, spec);
        return -1;
    }
    cli_vary v = {.key = strndup(spec, (size_t)(eq - spec))};
    int bad = !v.key || split_values(&v, eq + 1) != 0;
    if (bad && v.key)
        fprintf(stderr, "irqsim %s: --vary %s: empty value (expected KEY=v1,v2,...)\n", cmd, spec);
    bad = bad || check_vary(cmd, o, &v, spec) != 0 || make_kv(&v) != 0;
    cli_vary *arr = bad ? NULL : realloc(o->vary, (o->nvary + 1) * sizeof *arr);
    if (!arr) {
        vary_free(&v);
        return -1;
    }
    o->vary = arr;
    o->vary[o->nvary++] = v;
    return 0;
}

/* ---- -j N, --shard K/N -------------------------------------------------------- */

static int parse_count(const char *s, long min, long max, long *out)
{
    char *end;
    errno = 0;
    long v = strtol(s, &end, 10);
    if (!*s || *end || errno || v < min || v > max)
        return -1;
    *out = v;
    return 0;
}

static int set_replications(const char *cmd, cli_opts *o, const char *val)
{
    long n;
    if (parse_count(val, 1, CLI_MAX_REPLICATIONS, &n)) {
        fprintf(stderr, "irqsim %s: --replications expects a number of runs (1..%d), got '%s'\n",
                cmd, CLI_MAX_REPLICATIONS, val);
        return -1;
    }
    o->replications = (size_t)n;
    return 0;
}

static int parse_shard(cli_opts *o, const char *val)
{
    long k, n;
    const char *slash = strchr(val, '/');
    char kbuf[32];
    if (!slash || (size_t)(slash - val) >= sizeof kbuf)
        return -1;
    memcpy(kbuf, val, (size_t)(slash - val));
    kbuf[slash - val] = 0;
    if (parse_count(kbuf, 1, CLI_MAX_VARIANTS, &k) ||
        parse_count(slash + 1, 1, CLI_MAX_VARIANTS, &n) || k > n)
        return -1;
    o->shard_k = (size_t)k;
    o->shard_n = (size_t)n;
    return 0;
}

/* ---- setters: one per option id ------------------------------------------------ */

typedef int (*setter)(const char *cmd, cli_opts *o, const char *val);

static int set_seed(const char *cmd, cli_opts *o, const char *val)
{
    size_t plus = val[0] == '+'; /* as in the scenario: digits, optionally after + */
    if (!val[plus] || strspn(val + plus, "0123456789") != strlen(val + plus)) {
        fprintf(stderr, "irqsim %s: --seed expects an unsigned integer, got '%s'\n", cmd, val);
        return -1;
    }
    snprintf(o->seed_buf, sizeof o->seed_buf, "seed=%s", val);
    return add_set(cmd, o, o->seed_buf);
}

static int set_format(const char *cmd, cli_opts *o, const char *val)
{
    if (parse_format(val, &o->format)) {
        fprintf(stderr, "irqsim %s: --format expects text, json or csv, got '%s'\n", cmd, val);
        return -1;
    }
    o->format_given = true;
    return 0;
}

/* Options that keep their value as given, and flags. */
#define STRING_SETTER(name, field)                                                                 \
    static int name(const char *cmd, cli_opts *o, const char *val)                                 \
    {                                                                                              \
        (void)cmd;                                                                                 \
        o->field = val;                                                                            \
        return 0;                                                                                  \
    }
#define FLAG_SETTER(name, field)                                                                   \
    static int name(const char *cmd, cli_opts *o, const char *val)                                 \
    {                                                                                              \
        (void)cmd, (void)val;                                                                      \
        o->field = true;                                                                           \
        return 0;                                                                                  \
    }
STRING_SETTER(set_out, out_dir)
STRING_SETTER(set_trace, trace_file)
STRING_SETTER(set_trace_window, trace_window)
STRING_SETTER(set_trace_guests, trace_guests)
FLAG_SETTER(set_plot, plot)
FLAG_SETTER(set_quiet, quiet)
FLAG_SETTER(set_markdown, markdown)

static int set_size(const char *cmd, const char *flag, unsigned long long *out, const char *val)
{
    if (parse_size(val, out) == 0)
        return 0;
    fprintf(stderr, "irqsim %s: %s expects a size such as 4G or 512M, got '%s'\n", cmd, flag, val);
    return -1;
}

static int set_trace_max(const char *cmd, cli_opts *o, const char *val)
{
    return set_size(cmd, "--trace-max", &o->trace_max, val);
}

static int set_max_memory(const char *cmd, cli_opts *o, const char *val)
{
    return set_size(cmd, "--max-memory", &o->max_memory, val);
}

static int set_max_events(const char *cmd, cli_opts *o, const char *val)
{
    char *end;
    errno = 0;
    o->max_events = strtoull(val, &end, 10);
    if (*val >= '1' && *val <= '9' && !*end && !errno)
        return 0;
    fprintf(stderr, "irqsim %s: --max-events expects a positive whole number, got '%s'\n", cmd,
            val);
    return -1;
}

static int set_jobs(const char *cmd, cli_opts *o, const char *val)
{
    if (parse_count(val, 1, 4096, &o->jobs)) {
        fprintf(stderr, "irqsim %s: -j expects a number of processes (1..4096), got '%s'\n", cmd,
                val);
        return -1;
    }
    return 0;
}

static int set_shard(const char *cmd, cli_opts *o, const char *val)
{
    if (parse_shard(o, val)) {
        fprintf(stderr, "irqsim %s: --shard expects K/N with 1 <= K <= N, got '%s'\n", cmd, val);
        return -1;
    }
    return 0;
}

/* --help never gets here: main answers it before a command parses. */
static int set_help(const char *cmd, cli_opts *o, const char *val)
{
    (void)cmd, (void)o, (void)val;
    return 0;
}

static const setter setters[CLI_OPT_COUNT] = {
    [CLI_OPT_HELP] = set_help,
    [CLI_OPT_SET] = add_set,
    [CLI_OPT_SEED] = set_seed,
    [CLI_OPT_FORMAT] = set_format,
    [CLI_OPT_OUT] = set_out,
    [CLI_OPT_PLOT] = set_plot,
    [CLI_OPT_PLOT_FORMAT] = set_plot_format,
    [CLI_OPT_TRACE] = set_trace,
    [CLI_OPT_TRACE_WINDOW] = set_trace_window,
    [CLI_OPT_TRACE_GUESTS] = set_trace_guests,
    [CLI_OPT_TRACE_MAX] = set_trace_max,
    [CLI_OPT_MAX_MEMORY] = set_max_memory,
    [CLI_OPT_MAX_EVENTS] = set_max_events,
    [CLI_OPT_REPLICATIONS] = set_replications,
    [CLI_OPT_QUIET] = set_quiet,
    [CLI_OPT_VARY] = add_vary,
    [CLI_OPT_JOBS] = set_jobs,
    [CLI_OPT_SHARD] = set_shard,
    [CLI_OPT_MARKDOWN] = set_markdown,
};

/* ---- the parser ------------------------------------------------------------------ */

/* Whether a is one of flag's spellings ("-q, --quiet"). */
static bool spelled(const char *flag, const char *a)
{
    size_t len = strlen(a);
    while (*flag) {
        size_t n = strcspn(flag, ",");
        if (n == len && strncmp(flag, a, n) == 0)
            return true;
        flag += n;
        flag += strspn(flag, ", ");
    }
    return false;
}

static const cli_option *find_option(const cli_command *c, const char *a)
{
    for (const cli_option *opt = c->options; opt->flag; opt++)
        if (opt->id != CLI_OPT_NONE && spelled(opt->flag, a))
            return opt;
    return NULL;
}

/* An argument that is not an option: the scenario, a folder, a file. */
static int add_operand(const cli_command *c, cli_opts *o, const char *a, int argc)
{
    switch (c->operands) {
    case CLI_OPERANDS_SCENARIO:
        if (o->file) {
            fprintf(stderr, "irqsim %s: more than one scenario file ('%s')\n", c->name, a);
            return -1;
        }
        o->file = a;
        return 0;
    case CLI_OPERANDS_SCENARIOS:
    case CLI_OPERANDS_DIRS:
        if (!o->operands && !(o->operands = calloc((size_t)argc, sizeof *o->operands)))
            return -1;
        o->operands[o->noperands++] = a;
        return 0;
    default:
        fprintf(stderr, "irqsim %s: unexpected argument '%s'\n", c->name, a);
        return -1;
    }
}

static int check_operands(const cli_command *c, const cli_opts *o)
{
    if ((c->operands == CLI_OPERANDS_SCENARIO && !o->file) ||
        (c->operands == CLI_OPERANDS_SCENARIOS && !o->noperands)) {
        fprintf(stderr, "irqsim %s: missing scenario FILE\n", c->name);
        return -1;
    }
    if (c->operands == CLI_OPERANDS_DIRS && !o->noperands) {
        fprintf(stderr, "irqsim %s: missing DIR (the --out of each shard)\n", c->name);
        return -1;
    }
    return 0;
}

int cli_parse_args(const char *cmd, int argc, char **argv, cli_opts *o)
{
    const cli_command *c = cli_command_find(cmd);
    for (int i = 0; c && i < argc; i++) {
        const char *a = argv[i];
        const cli_option *opt = find_option(c, a);
        if (!opt && a[0] == '-' && a[1]) {
            fprintf(stderr, "irqsim %s: unknown option '%s'\n", cmd, a);
            return -1;
        }
        if (!opt) {
            if (add_operand(c, o, a, argc) != 0)
                return -1;
            continue;
        }
        if (opt->value && i + 1 >= argc) {
            fprintf(stderr, "irqsim %s: %s needs a value\n", cmd, a);
            return -1;
        }
        if (setters[opt->id](cmd, o, opt->value ? argv[++i] : NULL) != 0)
            return -1;
    }
    return c ? check_operands(c, o) : -1;
}

void cli_opts_free(cli_opts *o)
{
    for (size_t i = 0; i < o->nvary; i++)
        vary_free(&o->vary[i]);
    free(o->vary);
    free(o->operands);
    free(o->sets);
}
