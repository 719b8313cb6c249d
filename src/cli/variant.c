/* Sweep specifications (--vary, --shard), and running one variant into
 * its document. */
#include <dirent.h>
#include <errno.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "collect_internal.h"
#include "json_internal.h"
#include "stats_internal.h"
#include "sweep_internal.h"

/* ---- --vary KEY=v1,v2 --------------------------------------------------- */

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

static int check_vary(const cli_sweep *s, const cli_vary *v, const char *spec)
{
    for (size_t i = 0; i < s->nvary; i++)
        if (strcmp(s->vary[i].key, v->key) == 0) {
            fprintf(stderr,
                    "irqsim %s: --vary %s given twice (list all its values in one --vary)\n",
                    s->cmd, v->key);
            return -1;
        }
    for (size_t i = 0; i < v->n; i++)
        for (size_t j = 0; j < i; j++)
            if (strcmp(v->values[i], v->values[j]) == 0) {
                fprintf(stderr, "irqsim %s: --vary %s: value '%s' appears twice\n", s->cmd, spec,
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

static int add_vary(cli_sweep *s, const char *spec)
{
    const char *eq = strchr(spec, '=');
    if (!eq || eq == spec) {
        fprintf(stderr, "irqsim %s: --vary expects KEY=v1,v2,..., got '%s'\n", s->cmd, spec);
        return -1;
    }
    cli_vary v = {.key = strndup(spec, (size_t)(eq - spec))};
    int bad = !v.key || split_values(&v, eq + 1) != 0;
    if (bad && v.key)
        fprintf(stderr, "irqsim %s: --vary %s: empty value (expected KEY=v1,v2,...)\n", s->cmd,
                spec);
    bad = bad || check_vary(s, &v, spec) != 0 || make_kv(&v) != 0;
    cli_vary *arr = bad ? NULL : realloc(s->vary, (s->nvary + 1) * sizeof *arr);
    if (!arr) {
        vary_free(&v);
        return -1;
    }
    s->vary = arr;
    s->vary[s->nvary++] = v;
    return 0;
}

/* ---- options ------------------------------------------------------------ */

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

static int parse_shard(cli_sweep *s, const char *val)
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
    s->shard_k = (size_t)k;
    s->shard_n = (size_t)n;
    return 0;
}

/* Options that take a value; returns 1 when a is one of them. */
static int sweep_value_opt(cli_sweep *s, const char *a, const char *val, bool is_sweep)
{
    cli_opts *o = &s->o;
    if (!strcmp(a, "--vary"))
        return add_vary(s, val) ? -1 : 1;
    if (!strcmp(a, "--set"))
        return cli_add_set(o, val) ? -1 : 1;
    if (!strcmp(a, "--seed")) {
        size_t plus = val[0] == '+'; /* as in the scenario: digits, optionally after + */
        if (!val[plus] || strspn(val + plus, "0123456789") != strlen(val + plus)) {
            fprintf(stderr, "irqsim %s: --seed expects an unsigned integer, got '%s'\n", s->cmd,
                    val);
            return -1;
        }
        snprintf(s->o.seed_buf, sizeof s->o.seed_buf, "seed=%s", val);
        return cli_add_set(o, s->o.seed_buf) ? -1 : 1;
    }
    int lim = cli_limit_opt(s->cmd, o, a, val);
    if (lim != 0)
        return lim;
    if (!strcmp(a, "--out"))
        return o->out_dir = val, 1;
    if (!strcmp(a, "--plot-format"))
        return cli_plot_format(s->cmd, o, val) ? -1 : 1;
    if (!strcmp(a, "--replications"))
        return cli_replications(s->cmd, o, val) ? -1 : 1;
    if (!strcmp(a, "--format")) {
        if (cli_parse_format(val, &o->format)) {
            fprintf(stderr, "irqsim %s: --format expects text, json or csv, got '%s'\n", s->cmd,
                    val);
            return -1;
        }
        o->format_given = true;
        return 1;
    }
    if (is_sweep && (!strcmp(a, "-j") || !strcmp(a, "--jobs"))) {
        if (parse_count(val, 1, 4096, &s->jobs)) {
            fprintf(stderr, "irqsim sweep: -j expects a number of processes (1..4096), got '%s'\n",
                    val);
            return -1;
        }
        s->explicit_jobs = true;
        return 1;
    }
    if (is_sweep && !strcmp(a, "--shard")) {
        if (parse_shard(s, val)) {
            fprintf(stderr, "irqsim sweep: --shard expects K/N with 1 <= K <= N, got '%s'\n", val);
            return -1;
        }
        return 1;
    }
    return 0;
}

int cli_sweep_parse(cli_sweep *s, int argc, char **argv, bool is_sweep)
{
    static const char *const with_value[] = {
        "--vary",  "--set",          "--seed",   "--out",        "--plot-format", "-j", "--jobs",
        "--shard", "--replications", "--format", "--max-memory", "--max-events",  NULL};
    for (int i = 0; i < argc; i++) {
        const char *a = argv[i];
        bool takes = false;
        for (int k = 0; with_value[k]; k++)
            takes |= !strcmp(a, with_value[k]);
        if (takes && i + 1 >= argc) {
            fprintf(stderr, "irqsim %s: %s needs a value\n", s->cmd, a);
            return -1;
        }
        int r = takes ? sweep_value_opt(s, a, argv[i + 1], is_sweep) : 0;
        if (r < 0)
            return -1;
        if (r > 0) {
            i++;
        } else if (!strcmp(a, "--plot")) {
            s->o.plot = true;
        } else if (!strcmp(a, "--quiet") || !strcmp(a, "-q")) {
            s->o.quiet = true;
        } else if (a[0] == '-' && a[1]) {
            fprintf(stderr, "irqsim %s: unknown option '%s'\n", s->cmd, a);
            return -1;
        } else if (!s->o.file) {
            s->o.file = a;
        } else {
            fprintf(stderr, "irqsim %s: more than one scenario file ('%s')\n", s->cmd, a);
            return -1;
        }
    }
    if (!s->o.file) {
        fprintf(stderr, "irqsim %s: missing scenario FILE\n", s->cmd);
        return -1;
    }
    return 0;
}

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
    for (size_t i = 0; i < s->nvary; i++)
        for (size_t j = 0; j < s->vary[i].n; j++)
            h = fnv_str(fnv_str(h, j ? "," : "--vary"), s->vary[i].kv[j]);
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
    for (size_t i = 0; i < s->nvary; i++) {
        if (n > CLI_MAX_VARIANTS / s->vary[i].n) {
            fprintf(stderr, "irqsim %s: more than %d variants\n", s->cmd, CLI_MAX_VARIANTS);
            return EXIT_USAGE;
        }
        n *= s->vary[i].n;
    }
    s->nvariants = n;
    if (s->o.plot && !s->o.out_dir) /* plots are files: they need a folder */
        s->o.out_dir = cli_default_out(&s->o, s->cmd);
    return sweep_id(s);
}

void cli_sweep_free(cli_sweep *s)
{
    for (size_t i = 0; i < s->nvary; i++)
        vary_free(&s->vary[i]);
    free(s->vary);
    cli_opts_free(&s->o);
}

/* ---- variants ------------------------------------------------------------ */

/* Value index of --vary i in variant k: the first --vary varies slowest. */
static size_t value_of(const cli_sweep *s, size_t k, size_t i)
{
    for (size_t j = s->nvary; j-- > i + 1;)
        k /= s->vary[j].n;
    return k % s->vary[i].n;
}

const char **cli_variant_sets(const cli_sweep *s, size_t k, size_t *n)
{
    const char **sets = malloc((s->o.nsets + s->nvary + 1) * sizeof *sets);
    if (!sets)
        return NULL;
    for (size_t i = 0; i < s->o.nsets; i++)
        sets[i] = s->o.sets[i];
    for (size_t i = 0; i < s->nvary; i++)
        sets[s->o.nsets + i] = s->vary[i].kv[value_of(s, k, i)];
    *n = s->o.nsets + s->nvary;
    return sets;
}

void cli_variant_describe(const cli_sweep *s, size_t k, char *buf, size_t len)
{
    size_t used = 0;
    buf[0] = 0;
    for (size_t i = 0; i < s->nvary && used < len; i++)
        used += (size_t)snprintf(buf + used, len - used, "%s%s", i ? " " : "",
                                 s->vary[i].kv[value_of(s, k, i)]);
    if (s->nvary == 0)
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
    return cli_status_of(rc);
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
        return 128 + cli_stop_signal();
    }
    if (rc != IRQ_OK)
        variant_error(s, k, NULL, &err);
    return rc == IRQ_OK ? EXIT_OK : rc == IRQ_EINPUT ? EXIT_USAGE : EXIT_SIMFAIL;
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
    for (size_t i = 0; s && i < s->nvary; i++) {
        fprintf(f, "%s{\"key\": ", i ? ", " : "");
        cj_put_str(f, s->vary[i].key);
        fputs(", \"values\": [", f);
        for (size_t j = 0; j < s->vary[i].n; j++) {
            fputs(j ? ", " : "", f);
            cj_put_str(f, s->vary[i].values[j]);
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
    for (size_t i = 0; s && i < s->nvary; i++) {
        fputs(i ? ", " : "", f);
        cj_put_str(f, s->vary[i].key);
        fputs(": ", f);
        cj_put_str(f, s->vary[i].values[value_of(s, k, i)]);
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
