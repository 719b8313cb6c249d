/* irqsim sweep: the variants of compare, run by -j N processes on this
 * machine, or a deterministic share of them (--shard K/N) so that a
 * cluster can spread a big sweep over machines; `irqsim merge` then
 * combines the shards' folders. The results are merged from the variant
 * files, by the same code as compare's. */
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <signal.h>
#include <sys/prctl.h>
#include <sys/wait.h>
#include <unistd.h>

#include "args_internal.h"
#include "merge_internal.h"
#include "sweep_internal.h"

/* The variants of this shard: variant V (1-based) is in shard
 * ((V-1) mod N) + 1, so neighbouring variants, which often cost alike,
 * land on different machines. */
static size_t shard_variants(const cli_sweep *s, size_t *ks)
{
    size_t n = 0;
    for (size_t k = 0; k < s->nvariants; k++)
        if (!s->o.shard_n || k % s->o.shard_n == s->o.shard_k - 1)
            ks[n++] = k;
    return n;
}

static int run_share(const cli_sweep *s, const size_t *ks, size_t n, size_t job, size_t jobs)
{
    int worst = EXIT_OK;
    for (size_t i = job; i < n; i += jobs) {
        char *doc = NULL;
        size_t len = 0;
        int st = cli_variant_run(s, ks[i], &doc, &len);
        if (st == EXIT_OK)
            st = cli_variant_save(s->o.out_dir, ks[i], s->nvariants, doc, len);
        free(doc);
        worst = st > worst ? st : worst;
        if (st == EXIT_USAGE || st > 128)
            break; /* bad input: the other variants would fail alike; or stopped */
    }
    return worst;
}

/* In a worker: die with the main process (even a SIGKILL of it), and take
 * SIGINT/SIGTERM the default way (the main process forwards them). */
static void worker_setup(pid_t parent)
{
    signal(SIGINT, SIG_DFL);
    signal(SIGTERM, SIG_DFL);
    prctl(PR_SET_PDEATHSIG, SIGTERM);
    if (getppid() != parent) /* it died before prctl */
        _exit(EXIT_SIMFAIL);
}

/* Waits for every worker; a stop signal to the main process is passed on
 * to the workers, which are then waited for too. */
static int wait_workers(const pid_t *pids, size_t jobs, int worst)
{
    int forwarded = 0;
    for (size_t j = 0; j < jobs; j++) {
        int status;
        if (pids[j] <= 0)
            continue;
        pid_t got;
        do { /* the signal may come before or during the wait */
            int sig = cli_stop_signal();
            if (sig && !forwarded) {
                for (size_t k = 0; k < jobs; k++)
                    if (pids[k] > 0)
                        kill(pids[k], sig);
                forwarded = sig;
            }
        } while ((got = waitpid(pids[j], &status, 0)) < 0 && errno == EINTR);
        if (got < 0)
            continue;
        int st = WIFEXITED(status) ? WEXITSTATUS(status) : EXIT_SIMFAIL;
        worst = st > worst ? st : worst;
    }
    int sig = forwarded ? forwarded : cli_stop_signal();
    if (sig)
        fprintf(stderr,
                "irqsim sweep: stopped by signal %d; the variants done are in their files\n", sig);
    return sig ? cli_exit_signal(sig) : worst;
}

/* Forks one process per job; returns the worst exit status (a child
 * killed by a signal counts as a failed simulation). */
static int run_parallel(const cli_sweep *s, const size_t *ks, size_t n, size_t jobs)
{
    pid_t *pids = calloc(jobs, sizeof *pids);
    if (!pids)
        return EXIT_SIMFAIL;
    int worst = EXIT_OK;
    pid_t parent = getpid();
    cli_catch_stop_signals();
    fflush(NULL);
    for (size_t j = 0; j < jobs && !cli_stop_signal(); j++) {
        pids[j] = fork();
        if (pids[j] == 0) {
            worker_setup(parent);
            _exit(run_share(s, ks, n, j, jobs));
        }
        if (pids[j] < 0) {
            fprintf(stderr, "irqsim sweep: cannot start a process: %s\n", strerror(errno));
            worst = EXIT_SIMFAIL;
        }
    }
    worst = wait_workers(pids, jobs, worst);
    free(pids);
    return worst;
}

static int read_variants(const cli_sweep *s, cli_src *src)
{
    for (size_t k = 0; k < s->nvariants; k++) {
        char path[4096];
        cli_variant_path(path, sizeof path, s->o.out_dir, k, s->nvariants);
        if (!(src[k].name = strdup(path)))
            return EXIT_SIMFAIL;
        if (cli_read_file(path, CLI_MAX_DOC_BYTES, &src[k].text, &src[k].len) != 0) {
            int e = errno;
            fprintf(stderr, "irqsim sweep: cannot read %s: %s\n", path, cli_read_error(e));
            return EXIT_USAGE; /* an input that cannot be read */
        }
    }
    return EXIT_OK;
}

static int merge_outputs(const cli_sweep *s)
{
    cli_src *src = calloc(s->nvariants, sizeof *src);
    int st = src ? read_variants(s, src) : EXIT_SIMFAIL;
    if (st == EXIT_OK)
        st = cli_sweep_outputs(s, src, s->nvariants);
    if (src)
        cli_src_free(src, s->nvariants);
    return st;
}

static size_t default_jobs(const cli_sweep *s, size_t n)
{
    long cpus = s->o.jobs ? s->o.jobs : sysconf(_SC_NPROCESSORS_ONLN);
    size_t jobs = cpus > 0 ? (size_t)cpus : 1;
    return jobs < n ? jobs : n ? n : 1;
}

static int run_sweep(cli_sweep *s)
{
    size_t *ks = calloc(s->nvariants, sizeof *ks);
    if (!ks)
        return EXIT_SIMFAIL;
    size_t n = shard_variants(s, ks);
    size_t jobs = default_jobs(s, n);
    if (jobs == 1)
        cli_catch_stop_signals(); /* Ctrl-C stops the variant running at once */
    int st = jobs == 1 ? run_share(s, ks, n, 0, 1) : run_parallel(s, ks, n, jobs);
    free(ks);
    if (st != EXIT_OK || !s->o.shard_n)
        return st;
    if (!s->o.quiet)
        fprintf(stderr,
                "irqsim sweep: shard %zu/%zu: %zu of %zu variants in %s; when every shard is "
                "done: irqsim merge DIR... (each shard's --out)\n",
                s->o.shard_k, s->o.shard_n, n, s->nvariants, s->o.out_dir);
    return EXIT_OK;
}

int cmd_sweep(int argc, char **argv)
{
    cli_sweep s = {.cmd = "sweep"};
    int st = cli_parse_args(s.cmd, argc, argv, &s.o) != 0 ? EXIT_USAGE : cli_sweep_prepare(&s);
    if (st == EXIT_OK && !s.o.out_dir) {
        fprintf(stderr, "irqsim sweep: missing --out DIR (the variants' files go there)\n");
        st = EXIT_USAGE;
    }
    if (st == EXIT_OK && s.o.shard_n && s.o.plot) {
        fprintf(stderr, "irqsim sweep: --plot with --shard: plot when merging the shards "
                        "(irqsim merge DIR... --plot)\n");
        st = EXIT_USAGE;
    }
    if (st == EXIT_OK)
        st = cli_sweep_check(&s);
    if (st == EXIT_OK) /* shards may share a folder: only a whole sweep cleans it */
        st = cli_sweep_out_dir(&s, !s.o.shard_n);
    if (st == EXIT_OK)
        st = run_sweep(&s);
    if (st == EXIT_OK && !s.o.shard_n)
        st = merge_outputs(&s);
    cli_sweep_free(&s);
    return st;
}
