/* Helpers shared by the irqsim commands. */
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "cli_internal.h"
#include "stats_internal.h"

int cli_add_set(cli_opts *o, const char *kv)
{
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

void cli_opts_free(cli_opts *o)
{
    free(o->sets);
}

int cli_status_of(int st)
{
    switch (st) {
    case IRQ_OK:
        return EXIT_OK;
    case IRQ_EINPUT:
    case IRQ_EIO:
        return EXIT_USAGE;
    default:
        return EXIT_SIMFAIL;
    }
}

/* "FILE:LINE:COL: what" as is (editors jump to it); an error without a
 * position (a file that cannot be read or written) says who speaks. */
void cli_print_error(const irq_error *err)
{
    char buf[1024];
    fprintf(stderr, "%s%s\n", err->line ? "" : "irqsim: ", irq_error_format(err, buf, sizeof buf));
}

int cli_mkdir_p(const char *dir)
{
    char path[4096];
    if (snprintf(path, sizeof path, "%s", dir) >= (int)sizeof path)
        return -1;
    for (char *p = path + 1; *p; p++) {
        if (*p != '/')
            continue;
        *p = 0;
        if (mkdir(path, 0777) != 0 && errno != EEXIST)
            return -1;
        *p = '/';
    }
    if (mkdir(path, 0777) != 0 && errno != EEXIST)
        return -1;
    return 0;
}

const char *cli_default_out(cli_opts *o, const char *cmd)
{
    const char *base = strrchr(o->file, '/');
    base = base ? base + 1 : o->file;
    size_t len = strlen(base);
    if (len > 5 && !strcmp(base + len - 5, ".yaml"))
        len -= 5;
    else if (len > 4 && !strcmp(base + len - 4, ".yml"))
        len -= 4;
    snprintf(o->default_out, sizeof o->default_out, "irqsim-out/%.*s", (int)len, base);
    fprintf(stderr, "irqsim %s: writing results and plots into %s/ (--out DIR to choose)\n", cmd,
            o->default_out);
    return o->default_out;
}

static double wall(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec + (double)ts.tv_nsec * 1e-9;
}

void cli_progress_init(cli_progress *p, bool quiet, const char *label)
{
    *p = (cli_progress){.start = wall(), .enabled = !quiet && isatty(2), .label = label};
}

/* Prints simulated time done, events/s and time left, at most five times a
 * second, once the run has taken more than a second. */
int cli_progress_cb(void *ud, uint64_t now, uint64_t end, uint64_t events)
{
    cli_progress *p = ud;
    if (!p->enabled)
        return 0;
    double t = wall(), el = t - p->start;
    if (el < 1.0 || t - p->last_print < 0.2)
        return 0;
    p->last_print = t;
    double frac = end ? (double)now / (double)end : 1;
    double left = frac > 0 ? el * (1 - frac) / frac : 0;
    if (p->clock_hz > 0)
        fprintf(stderr, "\r%s%.3g of %.3g s simulated (%.1f%%), %.3g M events/s, %.0f s left   ",
                p->label ? p->label : "", (double)now / p->clock_hz, (double)end / p->clock_hz,
                100 * frac, (double)events / el / 1e6, left);
    else
        fprintf(stderr, "\r%s%5.1f%% simulated, %.3g M events/s, %.0f s left   ",
                p->label ? p->label : "", 100 * frac, (double)events / el / 1e6, left);
    p->printed = true;
    return 0;
}

void cli_progress_done(cli_progress *p)
{
    if (p->printed)
        fprintf(stderr, "\r%70s\r", "");
}

int cli_replications(const char *cmd, cli_opts *o, const char *val)
{
    char *end;
    errno = 0;
    unsigned long long n = strtoull(val, &end, 10);
    if (!*val || *end || *val == '-' || errno || n < 1 || n > CLI_MAX_REPLICATIONS) {
        fprintf(stderr, "irqsim %s: --replications expects a number of runs (1..%d), got '%s'\n",
                cmd, CLI_MAX_REPLICATIONS, val);
        return -1;
    }
    o->replications = (size_t)n;
    return 0;
}

int cli_parse_format(const char *s, enum irq_format *f)
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
