/* irqsim run / irqsim validate */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "cli_internal.h"
#include "collect_internal.h"
#include "plot_internal.h"
#include "sweep_internal.h"

/* Parses run's options; returns -1 on a usage error (already reported). */
static int parse_run_opts(int argc, char **argv, cli_opts *o, char *seed_buf, size_t seed_len)
{
    for (int i = 0; i < argc; i++) {
        const char *a = argv[i];
        const char *val = i + 1 < argc ? argv[i + 1] : NULL;
        bool takes = !strcmp(a, "--set") || !strcmp(a, "--seed") || !strcmp(a, "--format") ||
                     !strcmp(a, "--out") || !strcmp(a, "--plot-format") || !strcmp(a, "--trace") ||
                     !strcmp(a, "--trace-window") || !strcmp(a, "--replications") ||
                     !strcmp(a, "--trace-guests");
        if (takes && !val) {
            fprintf(stderr, "irqsim run: %s needs a value\n", a);
            return -1;
        }
        if (!strcmp(a, "--set")) {
            if (cli_add_set(o, val))
                return -1;
        } else if (!strcmp(a, "--seed")) {
            char *end;
            strtoull(val, &end, 10);
            if (!*val || *end || *val == '-') {
                fprintf(stderr, "irqsim run: --seed expects an unsigned integer, got '%s'\n", val);
                return -1;
            }
            snprintf(seed_buf, seed_len, "seed=%s", val);
            if (cli_add_set(o, seed_buf))
                return -1;
        } else if (!strcmp(a, "--format")) {
            o->format_given = true;
            if (cli_parse_format(val, &o->format)) {
                fprintf(stderr, "irqsim run: --format expects text, json or csv, got '%s'\n", val);
                return -1;
            }
        } else if (!strcmp(a, "--out")) {
            o->out_dir = val;
        } else if (!strcmp(a, "--plot-format")) {
            if (cli_plot_format("run", o, val))
                return -1;
        } else if (!strcmp(a, "--replications")) {
            if (cli_replications("run", o, val))
                return -1;
        } else if (!strcmp(a, "--trace")) {
            o->trace_file = val;
        } else if (!strcmp(a, "--trace-window")) {
            o->trace_window = val;
        } else if (!strcmp(a, "--trace-guests")) {
            o->trace_guests = val;
        } else if (!strcmp(a, "--plot")) {
            o->plot = true;
            continue;
        } else if (!strcmp(a, "--quiet") || !strcmp(a, "-q")) {
            o->quiet = true;
            continue;
        } else if (a[0] == '-' && a[1]) {
            fprintf(stderr, "irqsim run: unknown option '%s'\n", a);
            return -1;
        } else if (!o->file) {
            o->file = a;
            continue;
        } else {
            fprintf(stderr, "irqsim run: more than one scenario file ('%s')\n", a);
            return -1;
        }
        i++; /* consumed a value */
    }
    if (!o->file) {
        fprintf(stderr, "irqsim run: missing scenario FILE\n");
        return -1;
    }
    if (o->replications > 1 && o->trace_file) {
        fprintf(stderr, "irqsim run: --trace with --replications: trace one run (--seed S; the "
                        "replications' seeds are in the JSON output)\n");
        return -1;
    }
    if ((o->trace_window || o->trace_guests) && !o->trace_file) {
        fprintf(stderr, "irqsim run: %s needs --trace FILE.json\n",
                o->trace_window ? "--trace-window" : "--trace-guests");
        return -1;
    }
    return 0;
}

static FILE *open_in(const char *dir, const char *name)
{
    char path[4096];
    snprintf(path, sizeof path, "%s/%s", dir, name);
    FILE *f = fopen(path, "w");
    if (!f)
        fprintf(stderr, "irqsim: cannot write %s: %s\n", path, strerror(errno));
    return f;
}

static int write_outputs(irq_sim *sim, const char *dir)
{
    FILE *f = open_in(dir, "summary.json");
    if (!f)
        return IRQ_EIO;
    irq_sim_write_report(sim, IRQ_FORMAT_JSON, f);
    int bad = fclose(f);
    f = open_in(dir, "guests.csv");
    if (!f)
        return IRQ_EIO;
    irq_sim_write_report(sim, IRQ_FORMAT_CSV, f);
    bad |= fclose(f);
    if (bad)
        fprintf(stderr, "irqsim: cannot write the report files in %s: %s\n", dir, strerror(errno));
    return bad ? IRQ_EIO : IRQ_OK;
}

/* Loads, runs and reports one scenario as the options say. */
/* The scenario's output section fills in what the command line left out. */
static int apply_scenario_output(cli_opts *o, const irq_scenario *sc)
{
    if (!o->format_given)
        o->format = irq_scenario_output_format(sc);
    if (!o->out_dir)
        o->out_dir = irq_scenario_output_dir(sc);
    if (o->plot && !o->out_dir) /* plots are files: they need a folder */
        o->out_dir = cli_default_out(o, "run");
    return 0;
}

/* A trace over 200 MB is slow to write and too big for the Perfetto UI:
 * say so, with the estimate, before the run writes it. */
static void warn_trace_size(const cli_opts *o, double bytes)
{
    if (bytes <= 200e6) {
        if (!o->quiet)
            fprintf(stderr, "irqsim run: writing %s (about %.3g MB, estimated)\n", o->trace_file,
                    bytes / 1e6);
        return;
    }
    fprintf(stderr,
            "irqsim run: warning: %s will be about %.0f MB (estimated from the scenario's "
            "rates); keep it small with --trace-window FROM,TO (e.g. --trace-window 0,%s) or "
            "--trace-guests NAME,...\n",
            o->trace_file, bytes / 1e6, "10ms");
}

static int run_one(const cli_opts *opts)
{
    cli_opts eff = *opts;
    cli_opts *o = &eff;
    irq_error err = {0};
    irq_scenario *sc = NULL;
    irq_sim *sim = NULL;
    FILE *lat = NULL;
    cli_collect col = {0};
    int rc = irq_scenario_load(&sc, o->file, o->sets, o->nsets, &err);
    if (rc != IRQ_OK) { /* unreadable or invalid scenario: bad input */
        cli_print_error(&err);
        return EXIT_USAGE;
    }
    if (apply_scenario_output(o, sc) != 0) {
        irq_scenario_free(sc);
        return EXIT_USAGE;
    }
    rc = irq_sim_create(&sim, sc, &err);
    if (rc == IRQ_OK && o->out_dir) {
        if (cli_mkdir_p(o->out_dir) != 0) {
            fprintf(stderr, "irqsim: cannot create directory %s: %s\n", o->out_dir,
                    strerror(errno));
            rc = IRQ_EIO;
        } else if (!(lat = open_in(o->out_dir, "latency.csv"))) {
            rc = IRQ_EIO;
        } else {
            fprintf(lat, "guest,class,arrival_ns,latency_ns,coalesced\n");
        }
    }
    if (rc == IRQ_OK) {
        cli_collect_cfg cc = {.latency_csv = lat,
                              .histograms = o->plot,
                              .series = o->plot,
                              .trace_path = o->trace_file,
                              .trace_window = o->trace_window,
                              .trace_guests = o->trace_guests};
        rc = cli_collect_start(&col, sim, sc, &cc, &err);
    }
    if (rc == IRQ_OK && col.trace)
        warn_trace_size(o, irq_trace_estimate(col.trace));
    if (rc == IRQ_OK) {
        cli_progress prog;
        cli_progress_init(&prog, o->quiet, "");
        prog.clock_hz = irq_scenario_clock_hz(sc);
        rc = irq_sim_run(sim, cli_progress_cb, &prog, &err);
        cli_progress_done(&prog);
    }
    int trc = cli_collect_stop(&col, rc == IRQ_OK ? &err : &(irq_error){0});
    if (rc == IRQ_OK)
        rc = trc;
    if (rc != IRQ_OK && (rc != IRQ_EIO || err.message[0]))
        cli_print_error(&err);
    if (sim && rc != IRQ_EINPUT && rc != IRQ_EIO) /* report even a failed run: it helps */
        irq_sim_write_report(sim, o->format, stdout);
    if (rc == IRQ_OK && o->out_dir)
        rc = write_outputs(sim, o->out_dir);
    if (rc == IRQ_OK && o->plot && cli_run_plot(o, sim, &col) != EXIT_OK)
        rc = IRQ_EIO;
    cli_collect_free(&col);
    if (lat && fclose(lat) != 0 && rc == IRQ_OK)
        rc = IRQ_EIO;
    irq_sim_free(sim);
    irq_scenario_free(sc);
    return rc == IRQ_EIO ? EXIT_SIMFAIL : cli_status_of(rc);
}

int cmd_run(int argc, char **argv)
{
    cli_opts o = {.format = IRQ_FORMAT_TEXT};
    char seed_buf[64];
    int status = EXIT_USAGE;
    if (parse_run_opts(argc, argv, &o, seed_buf, sizeof seed_buf) != 0) {
        cli_opts_free(&o);
        return status;
    }
    if (o.replications > 1) { /* a comparison of one variant, N seeds */
        cli_sweep s = {.cmd = "run", .o = o, .jobs = 1};
        status = cli_compare_run(&s);
        cli_sweep_free(&s); /* frees o's lists too */
        return status;
    }
    status = run_one(&o);
    cli_opts_free(&o);
    return status;
}

int cmd_validate(int argc, char **argv)
{
    if (argc == 0) {
        fprintf(stderr, "irqsim validate: missing scenario FILE\n");
        return EXIT_USAGE;
    }
    int status = EXIT_OK;
    for (int i = 0; i < argc; i++) {
        irq_error err = {0};
        irq_scenario *sc = NULL;
        int rc = irq_scenario_load(&sc, argv[i], NULL, 0, &err);
        if (rc != IRQ_OK) {
            cli_print_error(&err);
            status = EXIT_USAGE;
        } else {
            printf("%s: ok\n", argv[i]);
        }
        irq_scenario_free(sc);
    }
    return status;
}
