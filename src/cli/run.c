/* irqsim run / irqsim validate */
#define _XOPEN_SOURCE 700 /* realpath */
#include <errno.h>
#include <limits.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "args_internal.h"
#include "cli_internal.h"
#include "collect_internal.h"
#include "merged_internal.h"
#include "plot_internal.h"
#include "sweep_internal.h"

/* Parses run's options and checks how they go together; -1 on a usage
 * error (already reported). */
static int parse_run_opts(int argc, char **argv, cli_opts *o)
{
    if (cli_parse_args("run", argc, argv, o) != 0)
        return -1;
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

/* The files `run --out DIR` writes. */
static const char *const run_outputs[] = {"summary.json", "guests.csv", "latency.csv"};

/* Removes what an earlier run left in dir, so that a run stopped before
 * writing its own never leaves the previous run's files looking current. */
static void remove_stale_outputs(const char *dir)
{
    char path[4200];
    for (size_t i = 0; i < sizeof run_outputs / sizeof *run_outputs; i++) {
        snprintf(path, sizeof path, "%s/%s", dir, run_outputs[i]);
        unlink(path);
    }
}

static int write_report_file(irq_sim *sim, const char *dir, const char *name, enum irq_format fmt)
{
    cli_outfile out;
    if (cli_out_open(&out, dir, name) != 0)
        return IRQ_EIO;
    irq_sim_write_report(sim, fmt, out.f);
    return cli_out_commit(&out) == 0 ? IRQ_OK : IRQ_EIO;
}

static int write_outputs(irq_sim *sim, const char *dir, cli_outfile *lat)
{
    int rc = write_report_file(sim, dir, "summary.json", IRQ_FORMAT_JSON);
    if (rc == IRQ_OK)
        rc = write_report_file(sim, dir, "guests.csv", IRQ_FORMAT_CSV);
    if (rc == IRQ_OK && cli_out_commit(lat) != 0)
        rc = IRQ_EIO;
    return rc;
}

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

/* --trace naming a file that --out writes would be overwritten by it. */
static int check_trace_target(const cli_opts *o)
{
    if (!o->trace_file || !o->out_dir)
        return 0;
    char dir[PATH_MAX], tdir[PATH_MAX], copy[4096];
    snprintf(copy, sizeof copy, "%s", o->trace_file);
    char *slash = strrchr(copy, '/');
    const char *base = slash ? slash + 1 : copy;
    if (slash)
        *slash = 0;
    if (!realpath(o->out_dir, dir) || !realpath(slash ? (copy[0] ? copy : "/") : ".", tdir) ||
        strcmp(dir, tdir) != 0)
        return 0;
    for (size_t i = 0; i < sizeof run_outputs / sizeof *run_outputs; i++)
        if (!strcmp(base, run_outputs[i])) {
            fprintf(stderr, "irqsim run: --trace %s is a file that --out %s writes: name another\n",
                    o->trace_file, o->out_dir);
            return -1;
        }
    return 0;
}

/* Creates the output folder, clears the previous run's files from it and
 * opens latency.csv's temporary file. */
static int prepare_out_dir(const cli_opts *o, cli_outfile *lat)
{
    if (cli_mkdir_p(o->out_dir) != 0) {
        fprintf(stderr, "irqsim: cannot create directory %s: %s\n", o->out_dir, strerror(errno));
        return IRQ_EIO;
    }
    if (check_trace_target(o) != 0)
        return IRQ_EINPUT;
    remove_stale_outputs(o->out_dir);
    if (cli_out_open(lat, o->out_dir, "latency.csv") != 0)
        return IRQ_EIO;
    fprintf(lat->f, "guest,class,arrival_ns,latency_ns,coalesced\n");
    return IRQ_OK;
}

static int simulate(const cli_opts *o, irq_sim *sim, const irq_scenario *sc, irq_error *err)
{
    cli_progress prog;
    cli_progress_init(&prog, o->quiet, "");
    prog.clock_hz = irq_scenario_clock_hz(sc);
    cli_apply_limits(o, sim);
    cli_catch_stop_signals();
    int rc = irq_sim_run(sim, cli_progress_cb, &prog, err);
    cli_progress_done(&prog);
    if (irq_sim_partial(sim))
        fprintf(stderr, "irqsim run: stopped by signal %d: writing the results so far (partial)\n",
                cli_stop_signal());
    return rc;
}

/* Loads, runs and reports one scenario as the options say. */
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

/* run --plot: the finished run as a one-variant document, then its plots
 * into o->out_dir. EXIT_ status. */
static int run_plot(const cli_opts *o, const irq_sim *sim, const cli_collect *c)
{
    char *doc = NULL;
    size_t len = 0;
    if (cli_variant_doc(NULL, 0, o->sets, o->nsets, sim, &c->lat, &doc, &len) != 0) {
        fprintf(stderr, "irqsim run: out of memory for the plots\n");
        return EXIT_SIMFAIL;
    }
    cli_src src = {.name = "the run", .text = doc, .len = len};
    cli_merged m;
    int st = cli_merge_load(&m, &src, 1, "run");
    if (st == EXIT_OK)
        st = cli_plot_run(&m, &c->series, o->out_dir, o->plot_format, o->quiet);
    cli_merge_free(&m);
    free(doc);
    return st;
}

static int run_one(const cli_opts *opts)
{
    cli_opts eff = *opts;
    cli_opts *o = &eff;
    irq_error err = {0};
    irq_scenario *sc = NULL;
    irq_sim *sim = NULL;
    cli_outfile lat = {0};
    cli_collect col = {0};
    int rc = irq_scenario_load(&sc, o->file, o->sets, o->nsets, &err);
    if (rc != IRQ_OK) { /* unreadable or invalid scenario: bad input */
        cli_print_error(&err);
        return cli_exit_status(rc, CLI_READING);
    }
    apply_scenario_output(o, sc);
    rc = irq_sim_create(&sim, sc, &err);
    if (rc == IRQ_OK && o->out_dir)
        rc = prepare_out_dir(o, &lat);
    if (rc == IRQ_OK) {
        cli_collect_cfg cc = {.latency_csv = lat.f,
                              .histograms = o->plot,
                              .series = o->plot,
                              .trace_path = o->trace_file,
                              .trace_window = o->trace_window,
                              .trace_guests = o->trace_guests,
                              .trace_max = o->trace_max};
        rc = cli_collect_start(&col, sim, sc, &cc, &err);
    }
    /* col.trace also records --plot's events over time, with no file */
    if (rc == IRQ_OK && col.trace && o->trace_file)
        warn_trace_size(o, irq_trace_estimate(col.trace));
    if (rc == IRQ_OK)
        rc = simulate(o, sim, sc, &err);
    int trc = cli_collect_stop(&col, rc == IRQ_OK ? &err : &(irq_error){0});
    if (rc == IRQ_OK)
        rc = trc;
    if (rc != IRQ_OK && (rc != IRQ_EIO || err.message[0]))
        cli_print_error(&err);
    bool stdout_bad = false;
    if (sim && rc != IRQ_EINPUT && rc != IRQ_EIO) { /* report even a failed run: it helps */
        irq_sim_write_report(sim, o->format, stdout);
        stdout_bad = cli_stdout_check() != 0;
    }
    /* the files are written even when stdout could not be: they are the results */
    if (rc == IRQ_OK && o->out_dir)
        rc = write_outputs(sim, o->out_dir, &lat);
    if (rc == IRQ_OK && o->plot && irq_sim_partial(sim))
        fprintf(stderr, "irqsim run: no plots for a partial run\n");
    else if (rc == IRQ_OK && o->plot && run_plot(o, sim, &col) != EXIT_OK)
        rc = IRQ_EIO;
    if (rc == IRQ_OK && stdout_bad)
        rc = IRQ_EIO;
    cli_collect_free(&col);
    cli_out_abort(&lat);
    int partial = sim && irq_sim_partial(sim);
    irq_sim_free(sim);
    irq_scenario_free(sc);
    if (rc == IRQ_OK && partial)
        return cli_exit_signal(cli_stop_signal());
    return cli_exit_status(rc, CLI_WRITING); /* EIO here: an output */
}

int cmd_run(int argc, char **argv)
{
    cli_opts o = {.format = IRQ_FORMAT_TEXT};
    int status = EXIT_USAGE;
    if (parse_run_opts(argc, argv, &o) != 0) {
        cli_opts_free(&o);
        return status;
    }
    if (o.replications > 1) { /* a comparison of one variant, N seeds */
        cli_sweep s = {.cmd = "run", .o = o};
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
    cli_opts o = {0};
    if (cli_parse_args("validate", argc, argv, &o) != 0) {
        cli_opts_free(&o);
        return EXIT_USAGE;
    }
    int status = EXIT_OK;
    for (size_t i = 0; i < o.noperands; i++) {
        irq_error err = {0};
        irq_scenario *sc = NULL;
        int rc = irq_scenario_load(&sc, o.operands[i], NULL, 0, &err);
        if (rc != IRQ_OK) {
            cli_print_error(&err);
            int st = cli_exit_status(rc, CLI_READING);
            status = st > status ? st : status;
        } else {
            printf("%s: ok\n", o.operands[i]);
        }
        irq_scenario_free(sc);
    }
    cli_opts_free(&o);
    return status;
}
