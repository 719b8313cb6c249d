/* bench-scale: how the cost per event and the memory grow with the number of
 * guests. The many-guests mix (scenarios/many-guests.yaml: 60 % small, 30 %
 * medium, 8 % large and 2 % database guests, the same sources per guest) at
 * 10, 100, 1,000 and 10,000 guests (100,000 with --max 100000), the host's
 * CPUs scaled with the vCPUs (96 CPUs per 1,680 vCPUs, as in the file), the
 * same simulated time for every size, so each guest sees the same load.
 *
 * Each size runs in a child process, so that its peak RSS (wait4's
 * ru_maxrss) is its own: scenario, set-up, run and report memory. The run is
 * repeated until it has taken --min-wall seconds (at least once, at most
 * --rounds times) and the fastest run counts; the time is irq_sim_run's
 * (start, events and end accounting; not loading or set-up).
 *
 * Prints per size: ns per event, ns per injected interrupt, peak RSS; and
 * the largest size's ns per event over the smallest's (target: <= 1.5).
 *
 * usage: bench-scale [--json] [--max N] [--sizes A,B,...] [--duration D]
 *                    [--rounds N] [--min-wall S] [FILE]
 */
#ifndef _POSIX_C_SOURCE
#define _POSIX_C_SOURCE 200809L
#endif
#define _DEFAULT_SOURCE /* wait4 */

#include <errno.h>
#include <math.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <sys/types.h>
#include <sys/wait.h>
#include <unistd.h>

#include "irqsim/irqsim.h"
#include "sim_internal.h"

#define MAX_SIZES 16

typedef struct opts {
    const char *file;
    const char *duration;
    unsigned long sizes[MAX_SIZES];
    size_t nsizes;
    int json, rounds;
    double min_wall;
} opts;

typedef struct outcome {
    uint64_t events, interrupts;
    double wall; /* fastest run, seconds */
    int rounds, ok;
    uint32_t vcpus, cpus;
} outcome;

/* The mix of many-guests.yaml, kept at any size: medium, large and db
 * guests in proportion (at least one each), small guests the rest. */
typedef struct mix {
    unsigned long small, medium, large, db;
    uint32_t vcpus, cpus;
} mix;

static unsigned long share(unsigned long n, double f)
{
    unsigned long k = (unsigned long)llround((double)n * f);
    return k ? k : 1;
}

static mix mix_of(unsigned long n)
{
    mix m = {.medium = share(n, 0.30), .large = share(n, 0.08), .db = share(n, 0.02)};
    m.small = n - m.medium - m.large - m.db;
    m.vcpus = (uint32_t)(2 * m.small + 4 * m.medium + 8 * m.large + 16 * m.db);
    m.cpus = (uint32_t)llround((double)m.vcpus * 96.0 / 1680.0);
    if (m.cpus == 0)
        m.cpus = 1;
    return m;
}

/* ---- child: one size ---- */

static int run_size(const opts *o, unsigned long n, outcome *out)
{
    mix m = mix_of(n);
    char s[6][64];
    snprintf(s[0], sizeof s[0], "guests.small.count=%lu", m.small);
    snprintf(s[1], sizeof s[1], "guests.medium.count=%lu", m.medium);
    snprintf(s[2], sizeof s[2], "guests.large.count=%lu", m.large);
    snprintf(s[3], sizeof s[3], "guests.db.count=%lu", m.db);
    snprintf(s[4], sizeof s[4], "host.cpus=%u", m.cpus);
    snprintf(s[5], sizeof s[5], "duration=%s", o->duration);
    const char *sets[6] = {s[0], s[1], s[2], s[3], s[4], s[5]};
    irq_error err = {0};
    irq_scenario *sc = NULL;
    char buf[1024];
    if (irq_scenario_load(&sc, o->file, sets, 6, &err) != IRQ_OK) {
        fprintf(stderr, "%s\n", irq_error_format(&err, buf, sizeof buf));
        return -1;
    }
    *out = (outcome){.vcpus = m.vcpus, .cpus = m.cpus};
    double total = 0;
    while (out->rounds < o->rounds && (out->rounds == 0 || total < o->min_wall)) {
        irq_sim *sim = NULL;
        if (irq_sim_create(&sim, sc, &err) != IRQ_OK ||
            irq_sim_run(sim, NULL, NULL, &err) != IRQ_OK) {
            fprintf(stderr, "%lu guests: %s\n", n, irq_error_format(&err, buf, sizeof buf));
            irq_sim_free(sim);
            irq_scenario_free(sc);
            return -1;
        }
        double w = irq_sim_wall_seconds(sim);
        uint64_t injected = 0;
        for (size_t i = 0; i < irq_sim_nguests(sim); i++)
            injected += irq_sim_guest(sim, i)->injected;
        /* Same scenario and seed: every round does the same work. */
        if (out->rounds > 0 && (irq_sim_events(sim) != out->events || injected != out->interrupts))
            fprintf(stderr, "%lu guests: runs differ\n", n);
        out->events = irq_sim_events(sim);
        out->interrupts = injected;
        if (out->rounds == 0 || w < out->wall)
            out->wall = w;
        total += w;
        out->rounds++;
        irq_sim_free(sim);
    }
    irq_scenario_free(sc);
    out->ok = 1;
    return 0;
}

/* Runs one size in a child; its outcome comes back through a pipe and its
 * peak RSS from wait4. */
static int measure(const opts *o, unsigned long n, outcome *out, long *rss_kib)
{
    int fd[2];
    if (pipe(fd) != 0)
        return -1;
    fflush(stdout);
    pid_t pid = fork();
    if (pid < 0)
        return -1;
    if (pid == 0) {
        close(fd[0]);
        outcome r = {0};
        run_size(o, n, &r);
        ssize_t w = write(fd[1], &r, sizeof r);
        _exit(w == (ssize_t)sizeof r && r.ok ? 0 : 1);
    }
    close(fd[1]);
    ssize_t got = read(fd[0], out, sizeof *out);
    close(fd[0]);
    int status;
    struct rusage ru;
    while (wait4(pid, &status, 0, &ru) < 0)
        if (errno != EINTR)
            return -1;
    *rss_kib = ru.ru_maxrss;
    return got == (ssize_t)sizeof *out && WIFEXITED(status) && WEXITSTATUS(status) == 0 ? 0 : -1;
}

/* ---- options and output ---- */

static int parse_sizes(const char *arg, opts *o)
{
    o->nsizes = 0;
    char *end;
    for (const char *p = arg; *p;) {
        unsigned long v = strtoul(p, &end, 10);
        if (end == p || v < 10 || v > 100000 || o->nsizes == MAX_SIZES)
            return -1;
        o->sizes[o->nsizes++] = v;
        p = *end == ',' ? end + 1 : end;
        if (*end && *end != ',')
            return -1;
    }
    return o->nsizes ? 0 : -1;
}

static int parse(int argc, char **argv, opts *o)
{
    *o = (opts){.file = SCENARIO_DIR "/many-guests.yaml",
                .duration = "0.1s",
                .rounds = 20,
                .min_wall = 0.5,
                .sizes = {10, 100, 1000, 10000},
                .nsizes = 4};
    for (int i = 1; i < argc; i++) {
        const char *a = argv[i], *v = i + 1 < argc ? argv[i + 1] : NULL;
        if (!strcmp(a, "--json")) {
            o->json = 1;
        } else if (!strcmp(a, "--max") && v) {
            unsigned long max = strtoul(argv[++i], NULL, 10);
            o->nsizes = 0;
            for (unsigned long n = 10; n <= max && n <= 100000; n *= 10)
                o->sizes[o->nsizes++] = n;
            if (!o->nsizes)
                return -1;
        } else if (!strcmp(a, "--sizes") && v) {
            if (parse_sizes(argv[++i], o) != 0)
                return -1;
        } else if (!strcmp(a, "--duration") && v) {
            o->duration = argv[++i];
        } else if (!strcmp(a, "--rounds") && v) {
            o->rounds = atoi(argv[++i]);
        } else if (!strcmp(a, "--min-wall") && v) {
            o->min_wall = atof(argv[++i]);
        } else if (a[0] != '-') {
            o->file = a;
        } else {
            return -1;
        }
    }
    return o->rounds > 0 ? 0 : -1;
}

static void print_row(const opts *o, unsigned long n, const outcome *r, long rss_kib)
{
    double ns_ev = 1e9 * r->wall / (double)r->events;
    double ns_irq = r->interrupts ? 1e9 * r->wall / (double)r->interrupts : 0;
    if (o->json) {
        printf("{\"guests\": %lu, \"vcpus\": %u, \"host_cpus\": %u, \"duration\": \"%s\", "
               "\"events\": %llu, \"interrupts\": %llu, \"wall_seconds\": %.4g, \"rounds\": %d, "
               "\"ns_per_event\": %.1f, \"ns_per_interrupt\": %.1f, \"peak_rss_kib\": %ld}\n",
               n, r->vcpus, r->cpus, o->duration, (unsigned long long)r->events,
               (unsigned long long)r->interrupts, r->wall, r->rounds, ns_ev, ns_irq, rss_kib);
    } else {
        printf("%8lu %8u %6u %12llu %11llu %9.3f %6d %9.1f %9.1f %10.1f\n", n, r->vcpus, r->cpus,
               (unsigned long long)r->events, (unsigned long long)r->interrupts, r->wall, r->rounds,
               ns_ev, ns_irq, (double)rss_kib / 1024.0);
    }
    fflush(stdout);
}

int main(int argc, char **argv)
{
    opts o;
    if (parse(argc, argv, &o) != 0) {
        fprintf(stderr,
                "usage: %s [--json] [--max N] [--sizes A,B,...] [--duration D] [--rounds N] "
                "[--min-wall S] [FILE]\n",
                argv[0]);
        return 2;
    }
    if (!o.json)
        printf("many-guests mix, %s simulated per size, fastest of up to %d runs (>= %.2g s)\n"
               "%8s %8s %6s %12s %11s %9s %6s %9s %9s %10s\n",
               o.duration, o.rounds, o.min_wall, "guests", "vcpus", "cpus", "events", "interrupts",
               "run s", "runs", "ns/event", "ns/irq", "RSS MiB");
    double first = 0, last = 0;
    for (size_t i = 0; i < o.nsizes; i++) {
        outcome r;
        long rss = 0;
        if (measure(&o, o.sizes[i], &r, &rss) != 0) {
            fprintf(stderr, "%lu guests: failed\n", o.sizes[i]);
            return 1;
        }
        print_row(&o, o.sizes[i], &r, rss);
        double ns = 1e9 * r.wall / (double)r.events;
        if (i == 0)
            first = ns;
        last = ns;
    }
    if (!o.json && o.nsizes > 1)
        printf("largest / smallest ns per event: %.2f (target <= 1.5)\n", last / first);
    return 0;
}
