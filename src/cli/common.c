/* Helpers shared by the irqsim commands. */
#include <errno.h>
#include <signal.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "cli_internal.h"

static const struct {
    int status;
    int reading, writing; /* exit status when reading inputs, when running or writing */
} exit_statuses[] = {
    {IRQ_OK, EXIT_OK, EXIT_OK},           {IRQ_ESIM, EXIT_SIMFAIL, EXIT_SIMFAIL},
    {IRQ_EINPUT, EXIT_USAGE, EXIT_USAGE}, {IRQ_ENOMEM, EXIT_SIMFAIL, EXIT_SIMFAIL},
    {IRQ_EIO, EXIT_USAGE, EXIT_IO},
};

int cli_exit_status(int irq_status, cli_io io)
{
    for (size_t i = 0; i < sizeof exit_statuses / sizeof *exit_statuses; i++)
        if (exit_statuses[i].status == irq_status)
            return io == CLI_READING ? exit_statuses[i].reading : exit_statuses[i].writing;
    return EXIT_SIMFAIL;
}

int cli_exit_signal(int sig)
{
    return 128 + sig;
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
    struct stat st; /* it exists: as a folder? */
    if (stat(path, &st) != 0)
        return -1;
    if (!S_ISDIR(st.st_mode)) {
        errno = ENOTDIR;
        return -1;
    }
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

/* ---- stop signals -------------------------------------------------------- */

/* The one piece of global state: a signal handler can reach nothing else. */
static volatile sig_atomic_t stop_signal;

static void on_stop_signal(int sig)
{
    stop_signal = sig;
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

/* Stops the run on SIGINT/SIGTERM. Prints simulated time done, events/s
 * and time left once a second of wall time, from the first second on: the
 * core calls this every 65536 events, so even a run whose simulated time
 * hardly moves shows its progress. */
int cli_progress_cb(void *ud, uint64_t now, uint64_t end, uint64_t events)
{
    cli_progress *p = ud;
    if (stop_signal)
        return 1;
    if (!p->enabled)
        return 0;
    double t = wall(), el = t - p->start;
    if (el < 1.0 || t - p->last_print < 1.0)
        return 0;
    p->last_print = t;
    double frac = end ? (double)now / (double)end : 1;
    double left = frac > 0 ? el * (1 - frac) / frac : 0;
    char eta[48];
    if (frac > 0)
        snprintf(eta, sizeof eta, "%.0f s left", left);
    else /* simulated time has not moved: no estimate, but the events do */
        snprintf(eta, sizeof eta, "%.4g M events so far", (double)events / 1e6);
    if (p->clock_hz > 0)
        fprintf(stderr, "\r%s%.3g of %.3g s simulated (%.1f%%), %.3g M events/s, %s   ",
                p->label ? p->label : "", (double)now / p->clock_hz, (double)end / p->clock_hz,
                100 * frac, (double)events / el / 1e6, eta);
    else
        fprintf(stderr, "\r%s%5.1f%% simulated, %.3g M events/s, %s   ", p->label ? p->label : "",
                100 * frac, (double)events / el / 1e6, eta);
    p->printed = true;
    return 0;
}

void cli_progress_done(cli_progress *p)
{
    if (p->printed)
        fprintf(stderr, "\r%70s\r", "");
}

/* ---- limits ------------------------------------------------------------ */

void cli_apply_limits(const cli_opts *o, irq_sim *sim)
{
    if (o->max_memory) /* else the scenario's limits: or the default */
        irq_sim_set_memory_limit(sim, o->max_memory);
    if (o->max_events)
        irq_sim_set_event_limit(sim, o->max_events);
}

void cli_catch_stop_signals(void)
{
    struct sigaction sa = {.sa_handler = on_stop_signal};
    sigemptyset(&sa.sa_mask);
    sigaction(SIGINT, &sa, NULL);
    sigaction(SIGTERM, &sa, NULL);
}

int cli_stop_signal(void)
{
    return stop_signal;
}

/* ---- output files ------------------------------------------------------- */

static int out_fail(cli_outfile *o, int err)
{
    fprintf(stderr, "irqsim: cannot write %s: %s\n", o->path, err ? strerror(err) : "write error");
    if (o->f)
        fclose(o->f);
    o->f = NULL;
    if (o->tmp[0])
        unlink(o->tmp);
    return -1;
}

int cli_out_open(cli_outfile *o, const char *dir, const char *name)
{
    memset(o, 0, sizeof *o);
    int n = dir ? snprintf(o->path, sizeof o->path, "%s/%s", dir, name)
                : snprintf(o->path, sizeof o->path, "%s", name);
    if (n < 0 || (size_t)n >= sizeof o->path)
        return out_fail(o, ENAMETOOLONG);
    /* beside the final name (same file system: rename is atomic), hidden */
    const char *slash = strrchr(o->path, '/');
    int dl = slash ? (int)(slash - o->path + 1) : 0;
    snprintf(o->tmp, sizeof o->tmp, "%.*s.%s.tmp-%ld", dl, o->path, o->path + dl, (long)getpid());
    if (!(o->f = fopen(o->tmp, "w"))) {
        int e = errno;
        o->tmp[0] = 0;
        return out_fail(o, e);
    }
    return 0;
}

int cli_out_commit(cli_outfile *o)
{
    if (!o->f)
        return -1;
    errno = 0;
    int bad = ferror(o->f);
    int e = errno;
    if (fflush(o->f) != 0 && !e)
        e = errno, bad = 1;
    bad |= ferror(o->f);
    FILE *f = o->f;
    o->f = NULL;
    if (fclose(f) != 0) {
        e = e ? e : errno;
        bad = 1;
    }
    if (!bad && rename(o->tmp, o->path) != 0) {
        e = errno;
        bad = 1;
    }
    if (bad)
        return out_fail(o, e);
    o->tmp[0] = 0;
    return 0;
}

void cli_out_abort(cli_outfile *o)
{
    if (o->f)
        fclose(o->f);
    o->f = NULL;
    if (o->tmp[0])
        unlink(o->tmp);
    o->tmp[0] = 0;
}

int cli_stdout_check(void)
{
    errno = 0;
    if (fflush(stdout) == 0 && !ferror(stdout))
        return 0;
    int e = errno;
    fprintf(stderr, "irqsim: cannot write the report to standard output: %s\n",
            e ? strerror(e) : "write error");
    return -1;
}
