/* A sweep's variants (the --vary combinations args.c parsed): their
 * overrides and the sweep id, running one variant into its document, and
 * the variant files. */
#include <dirent.h>
#include <errno.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "args_internal.h"
#include "collect_internal.h"
#include "json_internal.h"
#include "stats_internal.h"
#include "sweep_internal.h"

/* ---- the sweep id ------------------------------------------------------ */

static uint64_t fnv(uint64_t h, const void *data, size_t len)
{
    const unsigned char *p = data;
    for (size_t i = 0; i < len; i++)
        h = (h ^ p[i]) * 0x100000001b3ull;
    return h;
}

static uint64_t fnv_str(uint64_t h, const char *s)
{
    return fnv(h, s, strlen(s) + 1);
}

/* Hash of what makes the results: the scenario's text (not its path: the
 * shards of a sweep may run on machines with different paths), the --set
 * list and the --vary lists, in order. */
static int sweep_id(cli_sweep *s)
{
    char *text;
    size_t len;
    if (cli_read_file(s->o.file, 64u << 20, &text, &len) != 0) {
        int e = errno;
        fprintf(stderr, "irqsim %s: cannot read %s: %s\n", s->cmd, s->o.file, cli_read_error(e));
        return EXIT_USAGE; /* an input that cannot be read */
    }
    uint64_t h = fnv_str(0xcbf29ce484222325ull, "irqsim sweep 1");
    h = fnv(h, text, len);
    free(text);
    for (size_t i = 0; i < s->o.nsets; i++)
        h = fnv_str(fnv_str(h, "--set"), s->o.sets[i]);
    for (size_t i = 0; i < s->o.nvary; i++)
        for (size_t j = 0; j < s->o.vary[i].n; j++)
            h = fnv_str(fnv_str(h, j ? "," : "--vary"), s->o.vary[i].kv[j]);
    if (cli_sweep_replications(s) > 1) { /* (not hashed for 1: ids of earlier sweeps stay) */
        char rep[64];
        snprintf(rep, sizeof rep, "--replications=%zu", cli_sweep_replications(s));
        h = fnv_str(h, rep);
    }
    snprintf(s->id, sizeof s->id, "%016llx", (unsigned long long)h);
    return EXIT_OK;
}

int cli_sweep_prepare(cli_sweep *s)
{
    size_t n = 1;
    for (size_t i = 0; i < s->o.nvary; i++) {
        if (n > CLI_MAX_VARIANTS / s->o.vary[i].n) {
            fprintf(stderr, "irqsim %s: more than %d variants\n", s->cmd, CLI_MAX_VARIANTS);
            return EXIT_USAGE;
        }
        n *= s->o.vary[i].n;
    }
    s->nvariants = n;
    if (s->o.plot && !s->o.out_dir) /* plots are files: they need a folder */
        s->o.out_dir = cli_default_out(&s->o, s->cmd);
    return sweep_id(s);
}

void cli_sweep_free(cli_sweep *s)
{
    cli_opts_free(&s->o);
}

/* ---- variants ------------------------------------------------------------ */

/* Value index of --vary i in variant k: the first --vary varies slowest. */
static size_t value_of(const cli_sweep *s, size_t k, size_t i)
{
    for (size_t j = s->o.nvary; j-- > i + 1;)
        k /= s->o.vary[j].n;
    return k % s->o.vary[i].n;
}

const char **cli_variant_sets(const cli_sweep *s, size_t k, size_t *n)
{
    const char **sets = malloc((s->o.nsets + s->o.nvary + 1) * sizeof *sets);
    if (!sets)
        return NULL;
    for (size_t i = 0; i < s->o.nsets; i++)
        sets[i] = s->o.sets[i];
    for (size_t i = 0; i < s->o.nvary; i++)
        sets[s->o.nsets + i] = s->o.vary[i].kv[value_of(s, k, i)];
    *n = s->o.nsets + s->o.nvary;
    return sets;
}

void cli_variant_describe(const cli_sweep *s, size_t k, char *buf, size_t len)
{
    size_t used = 0;
    buf[0] = 0;
    for (size_t i = 0; i < s->o.nvary && used < len; i++)
        used += (size_t)snprintf(buf + used, len - used, "%s%s", i ? " " : "",
                                 s->o.vary[i].kv[value_of(s, k, i)]);
    if (s->o.nvary == 0)
        snprintf(buf, len, "the scenario as it is");
}

static void variant_error(const cli_sweep *s, size_t k, const char *extra, const irq_error *err)
{
    char what[512], msg[1024];
    cli_variant_describe(s, k, what, sizeof what);
    fprintf(stderr, "irqsim %s: variant %zu of %zu (%s%s): %s\n", s->cmd, k + 1, s->nvariants, what,
            extra ? extra : "", irq_error_format(err, msg, sizeof msg));
}

/* Loads variant k; seed, when not NULL, is one more override
 * ("seed=S" of a replication). */
static int load_variant(const cli_sweep *s, size_t k, const char *seed, irq_scenario **sc)
{
    size_t nsets;
    const char **sets = cli_variant_sets(s, k, &nsets);
    if (!sets)
        return EXIT_SIMFAIL;
    if (seed)
        sets[nsets++] = seed;
    irq_error err = {0};
    int rc = irq_scenario_load(sc, s->o.file, sets, nsets, &err);
    free(sets);
    if (rc != IRQ_OK)
        variant_error(s, k, seed ? ", replication " : NULL, &err);
    return cli_exit_status(rc, CLI_READING);
}

/* Loads every variant; the data files they read join the sweep id, so
 * that shards that ran on different replay or empirical files (same names,
 * other contents) refuse to merge. */
int cli_sweep_check(cli_sweep *s)
{
    uint64_t h = 0xcbf29ce484222325ull;
    for (size_t k = 0; k < s->nvariants; k++) {
        irq_scenario *sc = NULL;
        int st = load_variant(s, k, NULL, &sc);
        if (st == EXIT_OK) {
            uint64_t d = irq_scenario_data_hash(sc);
            h = fnv(h, &d, sizeof d);
        }
        irq_scenario_free(sc);
        if (st != EXIT_OK)
            return st;
    }
    unsigned long long id = strtoull(s->id, NULL, 16);
    snprintf(s->id, sizeof s->id, "%016llx", (unsigned long long)fnv(id, &h, sizeof h));
    return EXIT_OK;
}

static double wall(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec + (double)ts.tv_nsec * 1e-9;
}

/* A variant stops at once on SIGINT/SIGTERM (when the command catches them). */
static int stop_requested(void *ud, uint64_t now, uint64_t end, uint64_t events)
{
    (void)ud, (void)now, (void)end, (void)events;
    return cli_stop_signal() != 0;
}

static int simulate(const cli_sweep *s, size_t k, const irq_scenario *sc, irq_sim **sim,
                    cli_collect *c)
{
    irq_error err = {0};
    cli_collect_cfg cfg = {.histograms = true}; /* the variant document carries them */
    int rc = irq_sim_create(sim, sc, &err);
    if (rc == IRQ_OK)
        rc = cli_collect_start(c, *sim, sc, &cfg, &err);
    if (rc == IRQ_OK) {
        cli_apply_limits(&s->o, *sim);
        rc = irq_sim_run(*sim, stop_requested, NULL, &err);
    }
    if (rc == IRQ_OK && irq_sim_partial(*sim)) { /* no document for a cut variant */
        fprintf(stderr, "irqsim %s: stopped by signal %d during variant %zu of %zu\n", s->cmd,
                cli_stop_signal(), k + 1, s->nvariants);
        return cli_exit_signal(cli_stop_signal());
    }
    if (rc != IRQ_OK)
        variant_error(s, k, NULL, &err);
    return cli_exit_status(rc, CLI_WRITING);
}

size_t cli_sweep_replications(const cli_sweep *s)
{
    return s && s->o.replications > 1 ? s->o.replications : 1;
}

/* The run's JSON report as text, without its final newline. */
static int report_text(const irq_sim *sim, char **text, size_t *len)
{
    FILE *r = open_memstream(text, len);
    if (!r)
        return -1;
    int rc = irq_sim_write_report(sim, IRQ_FORMAT_JSON, r);
    rc |= fclose(r);
    if (rc) {
        free(*text);
        *text = NULL;
        return -1;
    }
    while (*len && (*text)[*len - 1] == '\n')
        (*text)[--*len] = 0;
    return 0;
}

/* The seed a report says its run used (read from the JSON text, so that
 * seeds above 2^53 stay exact). */
static int report_seed(const char *text, size_t len, uint64_t *seed)
{
    cj_value doc;
    char why[256];
    if (cj_parse(&doc, text, len, why, sizeof why) != 0)
        return -1;
    const cj_value *v = cj_get_t(&doc, "seed", CJ_NUM);
    int bad = !v;
    if (v) {
        char buf[32];
        snprintf(buf, sizeof buf, "%.*s", (int)(v->rawlen < 31 ? v->rawlen : 31), v->raw);
        *seed = strtoull(buf, NULL, 10);
    }
    cj_free(&doc);
    return bad ? -1 : 0;
}

/* Replication r of variant k: the variant's scenario with seed seeds[r]
 * (replication 0 runs the scenario's own seed, which it then reports, and
 * fills in the seeds of the others). Its latencies add to pooled. */
static int run_replication(const cli_sweep *s, size_t k, size_t r, size_t n, uint64_t *seeds,
                           cli_lat *pooled, char **rep, size_t *replen)
{
    char seed[64];
    snprintf(seed, sizeof seed, "seed=%llu", (unsigned long long)seeds[r]);
    irq_scenario *sc = NULL;
    irq_sim *sim = NULL;
    cli_collect c = {0};
    int st = load_variant(s, k, r ? seed : NULL, &sc);
    if (st == EXIT_OK)
        st = simulate(s, k, sc, &sim, &c);
    if (st == EXIT_OK && report_text(sim, rep, replen) != 0)
        st = EXIT_SIMFAIL;
    if (st == EXIT_OK && r == 0 && n > 1) { /* (parsing a big report costs: only when needed) */
        if (report_seed(*rep, *replen, &seeds[0]) != 0)
            st = EXIT_SIMFAIL;
        for (size_t i = 1; i < n; i++)
            seeds[i] = cli_replication_seed(seeds[0], i);
    }
    if (st == EXIT_OK && cli_lat_add(pooled, &c.lat) != 0)
        st = EXIT_SIMFAIL;
    cli_collect_free(&c);
    irq_sim_free(sim);
    irq_scenario_free(sc);
    return st;
}

int cli_variant_run(const cli_sweep *s, size_t k, char **doc, size_t *len)
{
    double t0 = wall();
    size_t n = cli_sweep_replications(s);
    char **reps = calloc(n, sizeof *reps);
    size_t *lens = calloc(n, sizeof *lens);
    uint64_t *seeds = calloc(n, sizeof *seeds);
    cli_lat *pooled = calloc(1, sizeof *pooled);
    *doc = NULL;
    int st = reps && lens && seeds && pooled ? EXIT_OK : EXIT_SIMFAIL;
    for (size_t r = 0; r < n && st == EXIT_OK; r++)
        st = run_replication(s, k, r, n, seeds, pooled, &reps[r], &lens[r]);
    size_t nsets;
    const char **sets = st == EXIT_OK ? cli_variant_sets(s, k, &nsets) : NULL;
    if (st == EXIT_OK) {
        cli_reports rs = {.text = (const char *const *)reps, .len = lens, .seeds = seeds, .n = n};
        if (!sets || cli_variant_doc_reports(s, k, sets, nsets, &rs, pooled, doc, len))
            st = EXIT_SIMFAIL;
    }
    free(sets);
    for (size_t r = 0; reps && r < n; r++)
        free(reps[r]);
    free(reps);
    free(lens);
    free(seeds);
    if (pooled)
        cli_lat_free(pooled);
    free(pooled);
    if (st == EXIT_OK && !s->o.quiet) {
        char what[512];
        cli_variant_describe(s, k, what, sizeof what);
        fprintf(stderr, "irqsim %s: variant %zu of %zu (%s)%s done in %.2f s\n", s->cmd, k + 1,
                s->nvariants, what, n > 1 ? ", every replication," : "", wall() - t0);
    }
    return st;
}

/* ---- the variant document ------------------------------------------------ */

static void doc_sweep_fields(FILE *f, const cli_sweep *s, size_t k, const char *const *sets,
                             size_t nsets)
{
    fprintf(f, "{\"irqsim_variant\": 1, \"sweep\": ");
    cj_put_str(f, s ? s->id : "run");
    fprintf(f, ", \"variant\": %zu, \"variants\": %zu, \"vary\": [", k + 1, s ? s->nvariants : 1);
    for (size_t i = 0; s && i < s->o.nvary; i++) {
        fprintf(f, "%s{\"key\": ", i ? ", " : "");
        cj_put_str(f, s->o.vary[i].key);
        fputs(", \"values\": [", f);
        for (size_t j = 0; j < s->o.vary[i].n; j++) {
            fputs(j ? ", " : "", f);
            cj_put_str(f, s->o.vary[i].values[j]);
        }
        fputs("]}", f);
    }
    fputs("], \"sets\": [", f);
    size_t nuser = s ? s->o.nsets : nsets;
    for (size_t i = 0; i < nuser; i++) {
        fputs(i ? ", " : "", f);
        cj_put_str(f, sets[i]);
    }
    fputs("], \"settings\": {", f);
    for (size_t i = 0; s && i < s->o.nvary; i++) {
        fputs(i ? ", " : "", f);
        cj_put_str(f, s->o.vary[i].key);
        fputs(": ", f);
        cj_put_str(f, s->o.vary[i].values[value_of(s, k, i)]);
    }
    fputs("}", f);
}

int cli_variant_doc_reports(const cli_sweep *s, size_t k, const char *const *sets, size_t nsets,
                            const cli_reports *rs, const cli_lat *lat, char **doc, size_t *len)
{
    FILE *f = open_memstream(doc, len);
    if (!f)
        return -1;
    doc_sweep_fields(f, s, k, sets, nsets);
    if (rs->n > 1) {
        fprintf(f, ", \"replications\": %zu, \"seeds\": [", rs->n);
        for (size_t r = 0; r < rs->n; r++)
            fprintf(f, "%s%llu", r ? ", " : "", (unsigned long long)rs->seeds[r]);
        fputc(']', f);
    }
    fputs(",\n\"latency_hist_ns\": ", f);
    cli_hist_write_json(f, &lat->all);
    cli_lat_write_sets_json(f, lat);
    fputs(rs->n > 1 ? ",\n\"reports\": [" : ",\n\"report\": ", f);
    for (size_t r = 0; r < rs->n; r++) {
        fputs(r ? ",\n" : "", f);
        fwrite(rs->text[r], 1, rs->len[r], f);
    }
    fputs(rs->n > 1 ? "]}\n" : "}\n", f);
    if (fclose(f) != 0) {
        free(*doc);
        *doc = NULL;
        return -1;
    }
    return 0;
}

int cli_variant_doc(const cli_sweep *s, size_t k, const char *const *sets, size_t nsets,
                    const irq_sim *sim, const cli_lat *lat, char **doc, size_t *len)
{
    char *rep = NULL;
    size_t replen = 0;
    if (report_text(sim, &rep, &replen) != 0)
        return -1;
    const char *text[1] = {rep};
    uint64_t seed = 0;
    cli_reports rs = {.text = text, .len = &replen, .seeds = &seed, .n = 1};
    int rc = cli_variant_doc_reports(s, k, sets, nsets, &rs, lat, doc, len);
    free(rep);
    return rc;
}

/* ---- variant files -------------------------------------------------------- */

bool cli_variant_file_name(const char *name)
{
    if (strncmp(name, "variant-", 8) != 0)
        return false;
    size_t d = strspn(name + 8, "0123456789");
    return d > 0 && strcmp(name + 8 + d, ".json") == 0;
}

void cli_variant_path(char *buf, size_t len, const char *dir, size_t k, size_t n)
{
    int width = snprintf(NULL, 0, "%zu", n); /* zero-padded: files list in order */
    snprintf(buf, len, "%s/variant-%0*zu.json", dir, width, k + 1);
}

int cli_variant_save(const char *dir, size_t k, size_t n, const char *doc, size_t len)
{
    char path[4096], tmp[4200];
    cli_variant_path(path, sizeof path, dir, k, n);
    snprintf(tmp, sizeof tmp, "%s.tmp.%ld", path, (long)getpid());
    FILE *f = fopen(tmp, "w");
    int bad = !f;
    if (f) {
        bad = fwrite(doc, 1, len, f) != len;
        bad |= fclose(f) != 0;
    }
    if (!bad && rename(tmp, path) != 0)
        bad = 1;
    if (bad) {
        fprintf(stderr, "irqsim: cannot write %s: %s\n", path, strerror(errno));
        unlink(tmp);
        return EXIT_IO;
    }
    return EXIT_OK;
}

void cli_variant_clean(const char *dir)
{
    DIR *d = opendir(dir);
    if (!d)
        return;
    char path[4096];
    for (struct dirent *e; (e = readdir(d));) {
        if (!cli_variant_file_name(e->d_name))
            continue;
        snprintf(path, sizeof path, "%s/%s", dir, e->d_name);
        unlink(path);
    }
    closedir(d);
}
