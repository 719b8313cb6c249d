/* The design-review outputs of the irqsim CLI: compare, sweep (-j and
 * --shard), merge, plots and the Chrome trace, run as a user would run
 * them (through the irqsim binary), plus the JSON reader they rely on.
 *
 * What must hold:
 * - compare, sweep -j N and merged shards give byte-identical compare.json,
 *   compare.csv and tables, and every variant's results are those of an
 *   individual `irqsim run --set ...` with the same settings;
 * - compare.json and compare.csv parse; bad input is refused with exit
 *   status 2 and a message that says what is wrong;
 * - the plots' CSV and gnuplot scripts are written with or without gnuplot;
 *   with gnuplot the pictures are drawn (else the test says it skipped them);
 * - a trace is valid JSON whose spans are well nested per track and add up
 *   to the run, and whose window is respected;
 * - --replications N: each replication is exactly the run with its seed,
 *   the means and paired differences are those of these runs, sweep gives
 *   the same bytes as compare, and the intervals shrink as N grows. */
#include <math.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cmocka.h>

/* The JSON reader under test, compiled in (it is part of the CLI, not of
 * the library the tests link). */
#include "../src/cli/json.c"
/* and the statistics of --replications */
#include "../src/cli/stats.c"

#define SCEN TEST_DATA_DIR "/compare-small.yaml"
#define VARY "--vary model.pick=lowest,round-robin --vary host.cpus=1,2,3"
#define SETS "--set duration=4ms"
#define NVAR 6

static char dir[256];

/* ---- helpers --------------------------------------------------------------- */

static int sh(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
static int sh(const char *fmt, ...)
{
    char cmd[4096];
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(cmd, sizeof cmd, fmt, ap);
    va_end(ap);
    int st = system(cmd);
    return WIFEXITED(st) ? WEXITSTATUS(st) : -1;
}

static char *slurp(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
static char *slurp(const char *fmt, ...)
{
    char path[1024];
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(path, sizeof path, fmt, ap);
    va_end(ap);
    char *text = NULL;
    size_t len;
    if (cli_read_file(path, 1u << 30, &text, &len) != 0)
        fail_msg("cannot read %s", path);
    return text;
}

static bool exists(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
static bool exists(const char *fmt, ...)
{
    char path[1024];
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(path, sizeof path, fmt, ap);
    va_end(ap);
    return access(path, F_OK) == 0;
}

static void parse(cj_value *v, const char *text)
{
    char why[256];
    if (cj_parse(v, text, strlen(text), why, sizeof why) != 0)
        fail_msg("invalid JSON: %s", why);
}

static bool raw_eq(const cj_value *a, const cj_value *b)
{
    return a && b && a->rawlen == b->rawlen && memcmp(a->raw, b->raw, a->rawlen) == 0;
}

static const cj_value *at(const cj_value *v, const char *path)
{
    char key[128];
    while (v && *path) {
        size_t n = strcspn(path, ".");
        snprintf(key, sizeof key, "%.*s", (int)n, path);
        v = cj_get(v, key);
        path += n + (path[n] == '.');
    }
    return v;
}

/* Runs a command that must fail with status 2 and say `want` on stderr. */
static void refused(const char *args, const char *want)
{
    int st = sh("%s %s >/dev/null 2>%s/err.txt", IRQSIM_BIN, args, dir);
    char *err = slurp("%s/err.txt", dir);
    if (st != 2 || !strstr(err, want))
        fail_msg("'irqsim %s': status %d, stderr '%s' (expected 2 and '%s')", args, st, err, want);
    free(err);
}

static int setup(void **state)
{
    (void)state;
    snprintf(dir, sizeof dir, "/tmp/irqsim-output-XXXXXX");
    if (!mkdtemp(dir))
        return -1;
    /* the baseline every test compares with */
    return sh("%s compare %s %s %s --out %s/cmp -q > %s/cmp.txt", IRQSIM_BIN, SCEN, VARY, SETS, dir,
              dir);
}

static int teardown(void **state)
{
    (void)state;
    return sh("rm -rf '%s'", dir);
}

/* ---- compare = individual runs ----------------------------------------------- */

/* The run's JSON without its wall_seconds, which is the one field that
 * differs between two runs of the same settings. */
static void strip_wall(char *text)
{
    char *w = strstr(text, "\"wall_seconds\": ");
    assert_non_null(w);
    char *end = strchr(w, ',');
    memmove(w, end + 2, strlen(end + 2) + 1);
}

static void check_variant(const cj_value *cv, int k)
{
    static const char *const picks[] = {"lowest", "round-robin"};
    const char *pick = picks[k / 3];
    int cpus = k % 3 + 1; /* the first --vary varies slowest */
    assert_string_equal(cj_get(cj_get(cv, "settings"), "model.pick")->str, pick);
    assert_int_equal(atoi(cj_get(cj_get(cv, "settings"), "host.cpus")->str), cpus);
    assert_int_equal(sh("%s run %s %s --set model.pick=%s --set host.cpus=%d --format json > "
                        "%s/run%d.json",
                        IRQSIM_BIN, SCEN, SETS, pick, cpus, dir, k),
                     0);
    char *text = slurp("%s/run%d.json", dir, k);
    cj_value run;
    parse(&run, text);
    static const char *const same[] = {"model", "params", "seed", "totals", "groups", "guests"};
    for (size_t i = 0; i < sizeof same / sizeof *same; i++)
        if (!raw_eq(cj_get(&run, same[i]), cj_get(cv, same[i])))
            fail_msg("variant %d: '%s' differs from irqsim run's", k + 1, same[i]);
    /* the variant file holds the whole report: equal but for wall time */
    char *vtext = slurp("%s/cmp/variant-%d.json", dir, k + 1);
    cj_value vdoc;
    parse(&vdoc, vtext);
    const cj_value *rep = cj_get(&vdoc, "report");
    char *a = strndup(rep->raw, rep->rawlen), *b = strndup(run.raw, run.rawlen);
    strip_wall(a);
    strip_wall(b);
    assert_string_equal(a, b);
    free(a);
    free(b);
    cj_free(&vdoc);
    free(vtext);
    cj_free(&run);
    free(text);
}

static void test_compare_matches_runs(void **state)
{
    (void)state;
    char *text = slurp("%s/cmp/compare.json", dir);
    cj_value doc;
    parse(&doc, text);
    assert_string_equal(cj_get(&doc, "scenario")->str, "compare-small");
    const cj_value *vs = cj_get_t(&doc, "variants", CJ_ARR);
    assert_non_null(vs);
    assert_int_equal(vs->n, NVAR);
    for (int k = 0; k < NVAR; k++) {
        check_variant(&vs->items[k], k);
        /* common random numbers: every variant sees the same arrivals */
        assert_true(
            raw_eq(at(&vs->items[k], "totals.injected"), at(&vs->items[0], "totals.injected")));
    }
    cj_free(&doc);
    free(text);
    char *table = slurp("%s/cmp.txt", dir);
    assert_non_null(strstr(table, "scenario compare-small: 6 variants"));
    assert_non_null(strstr(table, "round-robin"));
    assert_non_null(strstr(table, "latency_ns.p99"));
    free(table);
}

/* ---- sweep and shards = compare ------------------------------------------------- */

static void same_file(const char *a, const char *b)
{
    char *x = slurp("%s/%s", dir, a), *y = slurp("%s/%s", dir, b);
    if (strcmp(x, y) != 0)
        fail_msg("%s and %s differ", a, b);
    free(x);
    free(y);
}

static void test_sweep_and_shards_match_compare(void **state)
{
    (void)state;
    assert_int_equal(sh("%s sweep %s %s %s --out %s/sw -j 3 -q > %s/sw.txt", IRQSIM_BIN, SCEN, VARY,
                        SETS, dir, dir),
                     0);
    for (int k = 1; k <= 4; k++)
        assert_int_equal(sh("%s sweep %s %s %s --out %s/sh%d --shard %d/4 -j 2 -q", IRQSIM_BIN,
                            SCEN, VARY, SETS, dir, k, k),
                         0);
    /* 6 variants over 4 shards: V goes to shard ((V-1) mod 4) + 1 */
    assert_true(exists("%s/sh1/variant-1.json", dir) && exists("%s/sh1/variant-5.json", dir));
    assert_false(exists("%s/sh1/variant-2.json", dir));
    assert_int_equal(sh("%s merge %s/sh1 %s/sh2 %s/sh3 %s/sh4 --out %s/mg -q > %s/mg.txt",
                        IRQSIM_BIN, dir, dir, dir, dir, dir, dir),
                     0);
    same_file("cmp/compare.json", "sw/compare.json");
    same_file("cmp/compare.json", "mg/compare.json");
    same_file("cmp/compare.csv", "sw/compare.csv");
    same_file("cmp/compare.csv", "mg/compare.csv");
    same_file("cmp.txt", "sw.txt");
    same_file("cmp.txt", "mg.txt");
    /* merge's default output folder is the first one given */
    assert_int_equal(sh("%s merge %s/cmp -q > /dev/null", IRQSIM_BIN, dir), 0);
}

/* compare --format json|csv prints the files' bytes; the table has its
 * sections and folds to the terminal's width. */
static void test_compare_stdout(void **state)
{
    (void)state;
    assert_int_equal(sh("%s compare %s %s %s --format json -q > %s/stdout.json", IRQSIM_BIN, SCEN,
                        VARY, SETS, dir),
                     0);
    same_file("cmp/compare.json", "stdout.json");
    assert_int_equal(sh("%s compare %s %s %s --format csv -q > %s/stdout.csv", IRQSIM_BIN, SCEN,
                        VARY, SETS, dir),
                     0);
    same_file("cmp/compare.csv", "stdout.csv");
    char *table = slurp("%s/cmp.txt", dir);
    static const char *const sections[] = {"-- host work", "-- interrupts", "-- latency (ns)",
                                           "-- share of vCPU time"};
    const char *prev = table;
    for (size_t i = 0; i < 4; i++) { /* all there, in this order */
        const char *at_ = strstr(prev, sections[i]);
        if (!at_)
            fail_msg("no '%s' section after the previous one", sections[i]);
        prev = at_;
    }
    free(table);
    /* 6 variants in 70 columns: several blocks, each with its header */
    assert_int_equal(
        sh("COLUMNS=70 %s compare %s %s %s -q > %s/narrow.txt", IRQSIM_BIN, SCEN, VARY, SETS, dir),
        0);
    char *narrow = slurp("%s/narrow.txt", dir);
    size_t blocks = 0;
    for (const char *q = narrow; (q = strstr(q, "\nmodel.pick ")); q++)
        blocks++;
    assert_true(blocks >= 2);
    for (char *line = strtok(narrow, "\n"); line; line = strtok(NULL, "\n"))
        if (strlen(line) > 70 && strncmp(line, "scenario ", 9) != 0)
            fail_msg("a line of %zu columns in a 70-column table: %s", strlen(line), line);
    free(narrow);
}

/* ---- compare.csv ------------------------------------------------------------------ */

/* Splits one CSV line (RFC 4180 quoting) into cells, in place. */
static size_t csv_cells(char *line, char **cells, size_t max)
{
    size_t n = 0;
    char *o = line;
    for (char *p = line; n < max;) {
        cells[n++] = o;
        bool quoted = *p == '"';
        p += quoted;
        while (*p && (quoted || *p != ',')) {
            if (quoted && *p == '"') {
                if (p[1] != '"') {
                    p++;
                    break;
                }
                p++;
            }
            *o++ = *p++;
        }
        bool more = *p == ',';
        *o++ = 0;
        if (!more)
            break;
        p++;
    }
    return n;
}

static void test_csv_parses(void **state)
{
    (void)state;
    char *csv = slurp("%s/cmp/compare.csv", dir), *json = slurp("%s/cmp/compare.json", dir);
    cj_value doc;
    parse(&doc, json);
    char *save, *line = strtok_r(csv, "\n", &save);
    char *head[256], *cells[256];
    char *hline = strdup(line);
    size_t ncols = csv_cells(hline, head, 256);
    assert_string_equal(head[0], "variant");
    assert_string_equal(head[1], "model.pick");
    assert_string_equal(head[2], "host.cpus");
    size_t rows = 0;
    while ((line = strtok_r(NULL, "\n", &save))) {
        assert_int_equal(csv_cells(line, cells, 256), ncols);
        assert_int_equal(atoi(cells[0]), (int)rows + 1);
        const cj_value *v = &cj_get(&doc, "variants")->items[rows];
        for (size_t c = 3; c < ncols; c++) {
            char *end;
            double x = strtod(cells[c], &end);
            assert_true(*cells[c] && *end == 0);
            const cj_value *j = at(cj_get(v, "totals"), head[c]); /* latency_ns.p99 */
            assert_non_null(j);
            assert_true(x == j->num);
        }
        rows++;
    }
    assert_int_equal(rows, NVAR);
    free(hline);
    cj_free(&doc);
    free(json);
    free(csv);
}

/* ---- refusals ------------------------------------------------------------------- */

/* Uses the shard folders test_sweep_and_shards_match_compare made. */
static void test_merge_refuses_bad_sets(void **state)
{
    (void)state;
    char args[2048];
    snprintf(args, sizeof args, "merge %s/sh1 %s/sh2", dir, dir);
    refused(args, "2 of 6 variants missing: 3, 4");
    snprintf(args, sizeof args, "merge %s/sh1 %s/sh2 %s/sh3 %s/sh4 %s/sw", dir, dir, dir, dir, dir);
    refused(args, "is in both");
    assert_int_equal(sh("%s sweep %s --vary host.cpus=1,2 --out %s/other -j 1 -q > /dev/null",
                        IRQSIM_BIN, SCEN, dir),
                     0);
    snprintf(args, sizeof args, "merge %s/sh1 %s/other", dir, dir);
    refused(args, "from another sweep");
    /* malformed and truncated files */
    assert_int_equal(
        sh("mkdir -p %s/bad && echo '{\"irqsim_variant\": 1,' > %s/bad/variant-1.json", dir, dir),
        0);
    snprintf(args, sizeof args, "merge %s/bad", dir);
    refused(args, "not an irqsim variant file: line 2, column 1");
    assert_int_equal(sh("head -c 300 %s/sh1/variant-1.json > %s/bad/variant-1.json", dir, dir), 0);
    refused(args, "not an irqsim variant file");
    assert_int_equal(sh("echo '{\"irqsim_variant\": 1}' > %s/bad/variant-1.json", dir), 0);
    refused(args, "expected irqsim_variant 1, sweep");
    /* replications that do not add up */
    assert_int_equal(sh("sed 's/\"settings\": {/\"replications\": 2, \"seeds\": [1], \"reports\": "
                        "[{}, {}], \"settings\": {/' %s/sh1/variant-1.json > %s/bad/variant-1.json",
                        dir, dir),
                     0);
    refused(args, "replications, seeds and reports do not agree");
    assert_int_equal(
        sh("sed 's/\"settings\": {/\"replications\": 2, \"seeds\": [1, 2], \"reports\": "
           "[1, 2], \"settings\": {/' %s/sh1/variant-1.json > %s/bad/variant-1.json",
           dir, dir),
        0);
    refused(args, "a report is not an object");
    snprintf(args, sizeof args, "merge %s/nonexistent", dir);
    refused(args, "cannot open directory");
    refused("merge", "missing DIR");
}

static void test_usage_errors(void **state)
{
    (void)state;
    char args[2048];
    static const char *const cases[][2] = {
        {"compare " SCEN " --vary host.cpus", "--vary expects KEY=v1,v2"},
        {"compare " SCEN " --vary =1,2", "--vary expects KEY=v1,v2"},
        {"compare " SCEN " --vary host.cpus=1,,2", "empty value"},
        {"compare " SCEN " --vary host.cpus=1,1", "appears twice"},
        {"compare " SCEN " --vary host.cpus=1 --vary host.cpus=2", "given twice"},
        {"compare " SCEN " --vary model.bogus=1,2", "unknown key 'bogus'"},
        {"compare " SCEN " --vary host.cpus=2,0", "variant 2 of 2 (host.cpus=0)"},
        {"compare " SCEN " --vary host.cpus=1 --frobnicate", "unknown option"},
        {"compare --vary host.cpus=1", "missing scenario FILE"},
        {"compare " SCEN " --vary", "--vary needs a value"},
        {"sweep " SCEN " --vary host.cpus=1,2", "missing --out"},
        {"sweep " SCEN " --vary host.cpus=1,2 --out /tmp/x --shard 3/2", "--shard expects K/N"},
        {"sweep " SCEN " --vary host.cpus=1,2 --out /tmp/x --shard 1", "--shard expects K/N"},
        {"sweep " SCEN " --vary host.cpus=1,2 --out /tmp/x -j 0", "-j expects"},
        {"run " SCEN " --trace-window 0,1ms", "needs --trace"},
        {"run " SCEN " --out /tmp/x --plot --plot-format gif", "png or svg"},
        {"run " SCEN " --replications 0", "--replications expects a number of runs"},
        {"compare " SCEN " --vary host.cpus=1,2 --replications x", "--replications expects"},
        {"run " SCEN " --replications 2 --trace /tmp/x.json", "--trace with --replications"},
        {"compare " SCEN " --vary host.cpus=1,2 --format xml", "--format expects text, json"},
    };
    for (size_t i = 0; i < sizeof cases / sizeof *cases; i++)
        refused(cases[i][0], cases[i][1]);
    snprintf(args, sizeof args, "run %s --trace %s/t.json --trace-window 1ms", SCEN, dir);
    refused(args, "expected FROM,TO");
    snprintf(args, sizeof args, "run %s --trace %s/t.json --trace-window 2ms,1ms", SCEN, dir);
    refused(args, "the end must be after the start");
    snprintf(args, sizeof args, "run %s --trace %s/t.json --trace-window 0,3parsecs", SCEN, dir);
    refused(args, "bad duration '3parsecs'");
}

/* ---- plots ---------------------------------------------------------------------- */

/* compare-small has two interrupt classes and two guest groups: every
 * plot is drawn */
static const char *const plots[] = {"latency-cdf",      "latency-hist",      "latency-by-class",
                                    "latency-by-group", "latency-breakdown", "counters",
                                    "counters-rates",   "vcpu-states"};
#define NPLOTS 8

static bool starts_with(const char *path, const char *magic)
{
    char *text = slurp("%s", path);
    bool ok = strncmp(text, magic, strlen(magic)) == 0;
    free(text);
    return ok;
}

/* The CDF columns rise to 100 %. */
static void check_cdf_csv(const char *sub)
{
    char *csv = slurp("%s/%s/latency-cdf.csv", dir, sub);
    char *save, *line = strtok_r(csv, "\n", &save), *last = NULL;
    double prev[16] = {0};
    while ((line = strtok_r(NULL, "\n", &save))) {
        char *cells[16];
        char *copy = strdup(line);
        size_t n = csv_cells(copy, cells, 16);
        for (size_t c = 1; c < n; c++) {
            assert_true(atof(cells[c]) >= prev[c] - 1e-9);
            prev[c] = atof(cells[c]);
        }
        free(copy);
        last = line;
    }
    assert_non_null(last);
    for (size_t c = 1; c <= NVAR; c++)
        assert_true(prev[c] > 99.999);
    free(csv);
}

static void test_plots_without_gnuplot(void **state)
{
    (void)state;
    assert_int_equal(sh("PATH=/nonexistent %s compare %s %s %s --out %s/np --plot -q "
                        ">/dev/null 2>%s/np.err",
                        IRQSIM_BIN, SCEN, VARY, SETS, dir, dir),
                     0);
    char *err = slurp("%s/np.err", dir);
    assert_non_null(strstr(err, "gnuplot not found: install gnuplot-nox"));
    assert_non_null(strstr(err, "gnuplot *.gp"));
    free(err);
    for (int i = 0; i < NPLOTS; i++) {
        assert_true(exists("%s/np/%s.csv", dir, plots[i]));
        assert_true(exists("%s/np/%s.gp", dir, plots[i]));
        assert_false(exists("%s/np/%s.png", dir, plots[i]));
    }
    check_cdf_csv("np");
    /* merge re-plots from the variant files alone, to the same data */
    assert_int_equal(sh("PATH=/nonexistent %s merge %s/np --out %s/np2 --plot -q >/dev/null "
                        "2>/dev/null",
                        IRQSIM_BIN, dir, dir),
                     0);
    same_file("np/latency-cdf.csv", "np2/latency-cdf.csv");
    same_file("np/vcpu-states.gp", "np2/vcpu-states.gp");
}

static long file_size(const char *path)
{
    FILE *f = fopen(path, "rb");
    long n = -1;
    if (f && fseek(f, 0, SEEK_END) == 0)
        n = ftell(f);
    if (f)
        fclose(f);
    return n;
}

/* Every picture is there, of its format, and not trivial: an empty
 * 1600x1000 plot with axes, a title and a legend is 22 KB as PNG and 8.8 KB
 * as SVG (measured with gnuplot 5.4, pngcairo and svg); the smallest irqsim
 * pictures of this scenario are 42 KB (PNG, a run's counters) and 22 KB
 * (SVG, the latency breakdown). */
static void check_pictures(const char *sub, const char *ext, const char *magic, bool run)
{
    long min = strcmp(ext, "svg") ? 30000 : 15000;
    char path[1024];
    for (int i = 0; i < NPLOTS + run; i++) {
        snprintf(path, sizeof path, "%s/%s/%s.%s", dir, sub,
                 i < NPLOTS ? plots[i] : "events-over-time", ext);
        if (!starts_with(path, magic))
            fail_msg("%s is not a %s picture", path, ext);
        if (file_size(path) < min)
            fail_msg("%s is only %ld bytes", path, file_size(path));
    }
    /* gnuplot had nothing to complain about */
    char *log = slurp("%s/%s/gnuplot.log", dir, sub);
    if (*log)
        fail_msg("gnuplot said, for %s: %s", sub, log);
    free(log);
}

static void test_plots_with_gnuplot(void **state)
{
    (void)state;
    if (sh("command -v gnuplot >/dev/null 2>&1") != 0) {
        printf("SKIP: gnuplot is not installed: the pictures were not checked (their CSV and "
               "scripts were, in test_plots_without_gnuplot)\n");
        skip();
    }
    assert_int_equal(sh("%s compare %s %s %s --out %s/pp --plot -q >/dev/null 2>%s/pp.err",
                        IRQSIM_BIN, SCEN, VARY, SETS, dir, dir),
                     0);
    check_pictures("pp", "png", "\x89PNG", false);
    assert_int_equal(sh("%s compare %s %s %s --out %s/svg --plot --plot-format svg -q >/dev/null",
                        IRQSIM_BIN, SCEN, VARY, SETS, dir),
                     0);
    check_pictures("svg", "svg", "<?xml", false);
    assert_int_equal(sh("%s run %s --out %s/rp --plot -q >/dev/null", IRQSIM_BIN, SCEN, dir), 0);
    check_pictures("rp", "png", "\x89PNG", true);
    /* sweep and merge draw the same pictures; so do replications (error bars) */
    assert_int_equal(sh("%s sweep %s %s %s --out %s/sp -j 2 --plot -q >/dev/null", IRQSIM_BIN, SCEN,
                        VARY, SETS, dir),
                     0);
    check_pictures("sp", "png", "\x89PNG", false);
    assert_int_equal(sh("%s merge %s/sp --out %s/mp --plot -q >/dev/null", IRQSIM_BIN, dir, dir),
                     0);
    check_pictures("mp", "png", "\x89PNG", false);
    assert_int_equal(sh("%s compare %s %s %s --replications 3 --out %s/rpp --plot -q >/dev/null",
                        IRQSIM_BIN, SCEN, VARY, SETS, dir),
                     0);
    check_pictures("rpp", "png", "\x89PNG", false);
    char *gp = slurp("%s/rpp/counters.gp", dir);
    assert_non_null(strstr(gp, "with yerrorbars"));
    assert_non_null(strstr(gp, "3 replications"));
    free(gp);
    char *csv = slurp("%s/rp/events-over-time.csv", dir);
    assert_non_null(strstr(csv, "from_ms,to_ms,arrival"));
    free(csv);
}

/* ---- trace ------------------------------------------------------------------------ */

typedef struct span {
    long pid, tid;
    long long ts, dur; /* 0.1 ns units */
    const char *name;
} span;

static long long units(const cj_value *v)
{
    return llround(v->num * 1e4);
}

static int by_track(const void *a, const void *b)
{
    const span *x = a, *y = b;
    if (x->pid != y->pid)
        return x->pid < y->pid ? -1 : 1;
    if (x->tid != y->tid)
        return x->tid < y->tid ? -1 : 1;
    return x->ts < y->ts ? -1 : x->ts > y->ts;
}

/* Flow ids: "s" at arrivals, "f" at deliveries. */
typedef struct flows {
    double *s, *f;
    size_t ns, nf;
} flows;

static int by_num(const void *a, const void *b)
{
    double x = *(const double *)a, y = *(const double *)b;
    return x < y ? -1 : x > y;
}

/* An arrival names its class, source and injection; a delivery its
 * latency and path. */
static void check_instant(const cj_value *e)
{
    const char *name = cj_get(e, "name")->str;
    const cj_value *args = cj_get_t(e, "args", CJ_OBJ);
    if (!strcmp(name, "arrival")) {
        assert_non_null(cj_get_t(args, "class", CJ_NUM));
        assert_non_null(cj_get_t(args, "source", CJ_STR));
        assert_non_null(cj_get_t(args, "injection", CJ_STR));
    } else if (!strcmp(name, "deliver")) {
        assert_true(cj_get_t(args, "latency_ns", CJ_NUM)->num >= 0);
        assert_non_null(cj_get_t(args, "path", CJ_STR));
    }
}

/* Collects the X events and flow ids, checks the instants; returns the
 * number of arrivals. */
static size_t collect(const cj_value *events, span *spans, size_t *nspans, flows *fl,
                      long long from, long long to)
{
    size_t arrivals = 0;
    *nspans = 0;
    for (size_t i = 0; i < events->n; i++) {
        const cj_value *e = &events->items[i];
        const char *ph = cj_get_t(e, "ph", CJ_STR)->str;
        assert_non_null(cj_get_t(e, "name", CJ_STR));
        if (!strcmp(ph, "M"))
            continue;
        long long ts = units(cj_get_t(e, "ts", CJ_NUM));
        assert_true(ts >= from && ts <= to);
        const cj_value *cat = cj_get_t(e, "cat", CJ_STR);
        if (!strcmp(ph, "i") || (cat && !strcmp(cat->str, "irq"))) { /* an arrival may be a slice */
            arrivals += !strcmp(cj_get(e, "name")->str, "arrival");
            check_instant(e);
            continue;
        }
        if (!strcmp(ph, "s") || !strcmp(ph, "f")) {
            double id = cj_get_t(e, "id", CJ_NUM)->num;
            if (ph[0] == 's')
                fl->s[fl->ns++] = id;
            else
                fl->f[fl->nf++] = id;
            continue;
        }
        if (!strcmp(ph, "C")) { /* the core's pending count, or a model's counter */
            const cj_value *args = cj_get(e, "args");
            assert_true(cj_get_t(args, "pending", CJ_NUM) || cj_get_t(args, "value", CJ_NUM));
            continue;
        }
        assert_string_equal(ph, "X");
        span *s = &spans[(*nspans)++];
        *s = (span){.pid = (long)cj_get_t(e, "pid", CJ_NUM)->num,
                    .tid = (long)cj_get_t(e, "tid", CJ_NUM)->num,
                    .ts = ts,
                    .dur = units(cj_get_t(e, "dur", CJ_NUM)),
                    .name = cj_get(e, "name")->str};
        assert_true(s->dur > 0 && ts + s->dur <= to);
    }
    return arrivals;
}

/* Spans on a track follow each other without overlapping; returns the
 * number of tracks, checking that each vCPU's covers [from, to] when full
 * (a host CPU's has gaps where no vCPU runs). */
static size_t check_tracks(span *s, size_t n, long long from, long long to, bool full)
{
    qsort(s, n, sizeof *s, by_track);
    size_t tracks = 0;
    for (size_t i = 0; i < n;) {
        size_t j = i;
        long long covered = 0;
        for (; j < n && s[j].pid == s[i].pid && s[j].tid == s[i].tid; j++) {
            if (j > i)
                assert_true(s[j].ts >= s[j - 1].ts + s[j - 1].dur);
            covered += s[j].dur;
        }
        if (full && s[i].pid != 1) /* pid 1 is the host */
            assert_int_equal(covered, to - from);
        tracks++;
        i = j;
    }
    return tracks;
}

static void check_trace(const char *file, long long from, long long to, bool full,
                        const cj_value *report)
{
    char *text = slurp("%s/%s", dir, file);
    cj_value doc;
    parse(&doc, text);
    assert_string_equal(cj_get_t(&doc, "displayTimeUnit", CJ_STR)->str, "ns");
    const cj_value *events = cj_get_t(&doc, "traceEvents", CJ_ARR);
    assert_non_null(events);
    span *spans = calloc(events->n + 1, sizeof *spans);
    flows fl = {.s = calloc(events->n + 1, sizeof(double)),
                .f = calloc(events->n + 1, sizeof(double))};
    size_t n;
    size_t arrivals = collect(events, spans, &n, &fl, from, to);
    size_t tracks = check_tracks(spans, n, from, to, full);
    /* every flow end has its start (the whole run: the start is in the file) */
    qsort(fl.s, fl.ns, sizeof *fl.s, by_num);
    for (size_t i = 0; full && i < fl.nf; i++)
        if (!bsearch(&fl.f[i], fl.s, fl.ns, sizeof *fl.s, by_num))
            fail_msg("flow end %.0f has no start", fl.f[i]);
    if (full) {
        assert_int_equal(tracks, 5 + 2); /* one per vCPU, one per host CPU */
        assert_int_equal(arrivals, (size_t)at(report, "totals.injected")->num);
        /* one arrow per arrival that reached a vCPU: delivered or coalesced */
        assert_int_equal(fl.ns, arrivals);
        assert_int_equal(fl.nf, (size_t)(at(report, "totals.delivered")->num +
                                         at(report, "totals.coalesced")->num));
        double running = 0, on_cpu = 0;
        for (size_t i = 0; i < n; i++) {
            running += strcmp(spans[i].name, "RUNNING") ? 0 : (double)spans[i].dur;
            on_cpu +=
                spans[i].pid == 1 && !strstr(spans[i].name, " exit") ? (double)spans[i].dur : 0;
        }
        assert_true(running == on_cpu); /* the host CPUs show the RUNNING vCPUs */
        assert_float_equal(running / (double)(to - from) / 5,
                           at(report, "totals.state_share.RUNNING")->num, 1e-9);
    } else {
        assert_true(arrivals > 0 && arrivals < (size_t)at(report, "totals.injected")->num);
    }
    free(spans);
    free(fl.s);
    free(fl.f);
    cj_free(&doc);
    free(text);
}

static void test_trace(void **state)
{
    (void)state;
    assert_int_equal(sh("%s run %s --format json --trace %s/full.json > %s/full-run.json",
                        IRQSIM_BIN, SCEN, dir, dir),
                     0);
    assert_int_equal(sh("%s run %s --format json --trace %s/win.json --trace-window 1ms,2ms "
                        "> /dev/null",
                        IRQSIM_BIN, SCEN, dir),
                     0);
    char *text = slurp("%s/full-run.json", dir);
    cj_value report;
    parse(&report, text);
    check_trace("full.json", 0, 5000 * 10000LL, true, &report);
    check_trace("win.json", 1000 * 10000LL, 2000 * 10000LL, false, &report);
    cj_free(&report);
    free(text);
    /* one guest only: no other guest's tracks */
    assert_int_equal(
        sh("%s run %s --trace %s/one.json --trace-guests db -q > /dev/null", IRQSIM_BIN, SCEN, dir),
        0);
    char *one = slurp("%s/one.json", dir);
    assert_non_null(strstr(one, "\"guest db\""));
    assert_null(strstr(one, "\"guest web-0\""));
    assert_null(strstr(one, "\"guest\": \"web-1\""));
    free(one);
    char args[2048];
    snprintf(args, sizeof args, "run %s --trace %s/x.json --trace-guests nobody", SCEN, dir);
    refused(args, "no guest or guest template named 'nobody'");
    snprintf(args, sizeof args, "run %s --trace %s/x.json --trace-window 6ms,7ms", SCEN, dir);
    refused(args, "starts at or after the end of the run");
    refused("run " SCEN " --trace-guests db", "--trace-guests needs --trace");
}

/* Host work is named by what it does; the size estimate is printed. */
static void test_trace_gib(void **state)
{
    (void)state;
    assert_int_equal(sh("%s run %s/gib-storm.yaml --set duration=10ms --trace %s/gib.json "
                        "--trace-window 5ms,6ms > /dev/null 2> %s/gib.err",
                        IRQSIM_BIN, SCENARIO_DIR, dir, dir),
                     0);
    char *t = slurp("%s/gib.json", dir), *err = slurp("%s/gib.err", dir);
    assert_non_null(strstr(t, "\"name\": \"GAL interruption\""));
    assert_non_null(strstr(t, "\"name\": \"kicker tick\""));
    assert_non_null(strstr(t, "\"name\": \"iam_clear\""));
    assert_non_null(strstr(t, "\"name\": \"GIB alert list length\", \"ph\": \"C\""));
    assert_non_null(strstr(t, "\"path\": \""));
    assert_null(strstr(t, "\"name\": \"host work\""));
    assert_non_null(strstr(err, "MB, estimated"));
    cj_value doc;
    parse(&doc, t);
    cj_free(&doc);
    free(t);
    free(err);
}

/* ---- replications ---------------------------------------------------------------- */

static void test_stats_math(void **state)
{
    (void)state;
    /* Student's t, 0.975 quantile, from its defining integral: tables give
     * 12.706 (1 df), 2.776 (4), 2.228 (10), 1.960 (infinite) */
    assert_float_equal(cli_t975(1), 12.7062, 1e-4);
    assert_float_equal(cli_t975(4), 2.7764, 1e-4);
    assert_float_equal(cli_t975(10), 2.2281, 1e-4);
    assert_float_equal(cli_t975(100000), 1.9600, 1e-4);
    /* 1..5: mean 3, sample sd sqrt(2.5), half-width t(4) sqrt(2.5/5) */
    static const double x[] = {1, 2, 3, 4, 5};
    cli_ci c;
    cli_ci_of(x, 5, &c);
    assert_float_equal(c.mean, 3, 1e-12);
    assert_float_equal(c.half, cli_t975(4) * sqrt(0.5), 1e-12);
    assert_true(cli_ci_significant(&c));
    static const double y[] = {-1, 2};
    cli_ci_of(y, 2, &c);
    assert_false(cli_ci_significant(&c));
    char buf[64];
    cli_ci_of(x, 5, &c); /* 3 +- 1.963: to the half-width's 2nd digit */
    cli_ci_format(buf, sizeof buf, &c);
    assert_string_equal(buf, "3.0 ±2.0");
    /* Replications that agree exactly have no interval. Summed as they
     * are, three copies of a p99 read from compare.json, 14424.61538,
     * averaged to 14424.615379999997, and compare printed the rounding as
     * "14424.6153799999975 ±0.0000000000055". */
    static const double same[] = {14424.61538, 14424.61538, 14424.61538};
    cli_ci_of(same, 3, &c);
    assert_true(c.mean == same[0]);
    assert_true(c.half == 0);
    cli_ci_format(buf, sizeof buf, &c);
    assert_string_equal(buf, "1.442e+04");
    /* Values that differ only in their 10th significant digit, the last
     * that reports print (%.10g): half-width t(2) * sd / sqrt(3) =
     * 4.303 * 5.77e-6 / 1.732 = 1.43e-5, which would be shown to its 2nd
     * digit (1e-6, an 11th digit of the mean); it goes to the mean's 10th
     * digit (1e-5) instead. */
    static const double close[] = {12345.67891, 12345.67892, 12345.67891};
    cli_ci_of(close, 3, &c);
    cli_ci_format(buf, sizeof buf, &c);
    assert_string_equal(buf, "12345.67891 ±0.00001");
    /* ... and one below that digit is no interval at all */
    c.half = 4e-6;
    cli_ci_format(buf, sizeof buf, &c);
    assert_string_equal(buf, "1.235e+04");
    /* replication 1 is the scenario's seed; the others differ and fit JSON */
    assert_int_equal(cli_replication_seed(42, 0), 42);
    for (size_t r = 1; r < 100; r++) {
        assert_true(cli_replication_seed(42, r) < (1ull << 53));
        assert_true(cli_replication_seed(42, r) != cli_replication_seed(42, r - 1));
    }
}

#define REPS 3

/* Half-width of the 95 % interval of a total in compare.json's variant k. */
static double half_width(const cj_value *doc, size_t k, const char *path)
{
    const cj_value *st = cj_get(cj_get(&cj_get(doc, "variants")->items[k], "stats"), path);
    assert_non_null(st);
    const cj_value *ci = cj_get_t(st, "ci95", CJ_ARR);
    return (ci->items[1].num - ci->items[0].num) / 2;
}

static void test_replications_are_runs(void **state)
{
    (void)state;
    assert_int_equal(sh("%s compare %s --vary model.pick=lowest,round-robin %s --replications %d "
                        "--out %s/rep -q > %s/rep.txt",
                        IRQSIM_BIN, SCEN, SETS, REPS, dir, dir),
                     0);
    char *text = slurp("%s/rep/compare.json", dir);
    cj_value doc;
    parse(&doc, text);
    const cj_value *vs = cj_get(&doc, "variants");
    static const char *const figures[] = {"injected", "kicks", "latency_ns.mean",
                                          "state_share.WAIT"};
    double sum[2][4] = {{0}};
    for (size_t k = 0; k < 2; k++) {
        const cj_value *v = &vs->items[k];
        const cj_value *seeds = cj_get_t(v, "seeds", CJ_ARR);
        assert_int_equal(seeds->n, REPS);
        /* common random numbers: the same seeds for both variants */
        assert_true(raw_eq(seeds, cj_get(&vs->items[0], "seeds")));
        for (size_t r = 0; r < REPS; r++) {
            assert_int_equal(sh("%s run %s %s --set model.pick=%s --seed %.*s --format json > "
                                "%s/rep-run.json",
                                IRQSIM_BIN, SCEN, SETS, k ? "round-robin" : "lowest",
                                (int)seeds->items[r].rawlen, seeds->items[r].raw, dir),
                             0);
            char *rt = slurp("%s/rep-run.json", dir);
            cj_value run;
            parse(&run, rt);
            const cj_value *rep = &cj_get(v, "runs")->items[r];
            if (!raw_eq(cj_get(&run, "totals"), cj_get(rep, "totals")))
                fail_msg("variant %zu replication %zu differs from its run", k + 1, r + 1);
            for (size_t i = 0; i < 4; i++)
                sum[k][i] += at(cj_get(&run, "totals"), figures[i])->num;
            cj_free(&run);
            free(rt);
        }
        for (size_t i = 0; i < 4; i++) {
            const cj_value *st = cj_get(cj_get(v, "stats"), figures[i]);
            assert_float_equal(cj_get(st, "mean")->num, sum[k][i] / REPS,
                               1e-9 * fabs(sum[k][i]) + 1e-12);
        }
    }
    /* the difference to variant 1 is the difference of the means */
    for (size_t i = 0; i < 4; i++) {
        const cj_value *d = cj_get(cj_get(&vs->items[1], "diff_to_first"), figures[i]);
        assert_float_equal(cj_get(d, "mean")->num, (sum[1][i] - sum[0][i]) / REPS,
                           1e-9 * (fabs(sum[1][i]) + fabs(sum[0][i])) + 1e-12);
        const cj_value *ci = cj_get(d, "ci95");
        bool sig = ci->items[0].num > 0 || ci->items[1].num < 0;
        assert_int_equal(cj_get(d, "significant")->type, CJ_BOOL);
        assert_int_equal((bool)cj_get(d, "significant")->num, sig);
    }
    /* the same arrivals in both variants: the difference is exactly 0 */
    const cj_value *inj = cj_get(cj_get(&vs->items[1], "diff_to_first"), "injected");
    assert_true(cj_get(inj, "mean")->num == 0 && cj_get(inj, "significant")->num == 0);
    cj_free(&doc);
    free(text);
    char *table = slurp("%s/rep.txt", dir);
    assert_non_null(strstr(table, "2 variants x 3 replications"));
    assert_non_null(strstr(table, " ±"));
    assert_non_null(strstr(table, "n.s."));
    free(table);
    /* sweep in processes gives the same bytes */
    assert_int_equal(sh("%s sweep %s --vary model.pick=lowest,round-robin %s --replications %d "
                        "--out %s/repsw -j 2 -q > %s/repsw.txt",
                        IRQSIM_BIN, SCEN, SETS, REPS, dir, dir),
                     0);
    same_file("rep/compare.json", "repsw/compare.json");
    same_file("rep/compare.csv", "repsw/compare.csv");
    same_file("rep.txt", "repsw.txt");
    /* and so do shards, merged */
    for (int k = 1; k <= 2; k++)
        assert_int_equal(sh("%s sweep %s --vary model.pick=lowest,round-robin %s --replications "
                            "%d --out %s/repsh%d --shard %d/2 -q",
                            IRQSIM_BIN, SCEN, SETS, REPS, dir, k, k),
                         0);
    assert_int_equal(sh("%s merge %s/repsh1 %s/repsh2 --out %s/repmg -q > %s/repmg.txt", IRQSIM_BIN,
                        dir, dir, dir, dir),
                     0);
    same_file("rep/compare.json", "repmg/compare.json");
    same_file("rep.txt", "repmg.txt");
}

static void test_intervals_shrink(void **state)
{
    (void)state;
    static const char *const figures[] = {"injected", "kicks", "latency_ns.mean",
                                          "state_share.RUNNING"};
    double half[2][4];
    static const int n[] = {4, 16};
    for (int i = 0; i < 2; i++) {
        assert_int_equal(sh("%s run %s %s --replications %d --format json -q > %s/shrink.json",
                            IRQSIM_BIN, SCEN, SETS, n[i], dir),
                         0);
        char *text = slurp("%s/shrink.json", dir);
        cj_value doc;
        parse(&doc, text);
        assert_int_equal(cj_get(&cj_get(&doc, "variants")->items[0], "replications")->num, n[i]);
        for (int f = 0; f < 4; f++)
            half[i][f] = half_width(&doc, 0, figures[f]);
        cj_free(&doc);
        free(text);
    }
    for (int f = 0; f < 4; f++) {
        if (!(half[1][f] < half[0][f]))
            fail_msg("%s: the interval does not shrink from %d to %d replications (%g, %g)",
                     figures[f], n[0], n[1], half[0][f], half[1][f]);
        printf("%s: 95 %% half-width %g with %d replications, %g with %d\n", figures[f], half[0][f],
               n[0], half[1][f], n[1]);
    }
}

/* ---- the JSON reader -------------------------------------------------------------- */

static void test_json_reader(void **state)
{
    (void)state;
    const char *ok = "{\"a\": [1, -2.5e3, true, false, null, \"x\\u00e9\\ud83d\\ude00\\n\"],\n"
                     " \"b\": {}, \"c\": \"\"}";
    cj_value v;
    parse(&v, ok);
    const cj_value *a = cj_get_t(&v, "a", CJ_ARR);
    assert_int_equal(a->n, 6);
    assert_true(a->items[1].num == -2500);
    assert_int_equal(a->items[2].type, CJ_BOOL);
    assert_int_equal(a->items[4].type, CJ_NULL);
    assert_string_equal(a->items[5].str, "x\xc3\xa9\xf0\x9f\x98\x80\n");
    assert_int_equal(a->rawlen,
                     strlen("[1, -2.5e3, true, false, null, \"x\\u00e9\\ud83d\\ude00\\n\"]"));
    assert_int_equal(cj_get_t(&v, "b", CJ_OBJ)->n, 0);
    assert_null(cj_get(&v, "zz"));
    cj_free(&v);
    static const char *const bad[] = {"",
                                      "{",
                                      "[1,]",
                                      "{\"a\":1,}",
                                      "01",
                                      "1.",
                                      ".5",
                                      "-",
                                      "\"\\x\"",
                                      "\"\x01\"",
                                      "[1] 2",
                                      "tru",
                                      "\"\\ud800\"",
                                      "{a: 1}",
                                      "\"\\u12\"",
                                      "[\"\\udc00\"]",
                                      "\"abc",
                                      "\"\\u0000\"",
                                      "nul",
                                      "1e"};
    char why[256];
    for (size_t i = 0; i < sizeof bad / sizeof *bad; i++)
        if (cj_parse(&v, bad[i], strlen(bad[i]), why, sizeof why) == 0)
            fail_msg("accepted invalid JSON '%s'", bad[i]);
    assert_int_equal(cj_parse(&v, "{\n  \"a\": ?}", 11, why, sizeof why), -1);
    assert_non_null(strstr(why, "line 2, column 8"));
    char deep[200];
    memset(deep, '[', sizeof deep);
    assert_int_equal(cj_parse(&v, deep, sizeof deep, why, sizeof why), -1);
    assert_non_null(strstr(why, "nested more than"));
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_json_reader),
        cmocka_unit_test(test_compare_matches_runs),
        cmocka_unit_test(test_sweep_and_shards_match_compare),
        cmocka_unit_test(test_csv_parses),
        cmocka_unit_test(test_compare_stdout),
        cmocka_unit_test(test_merge_refuses_bad_sets),
        cmocka_unit_test(test_usage_errors),
        cmocka_unit_test(test_plots_without_gnuplot),
        cmocka_unit_test(test_plots_with_gnuplot),
        cmocka_unit_test(test_trace),
        cmocka_unit_test(test_trace_gib),
        cmocka_unit_test(test_stats_math),
        cmocka_unit_test(test_replications_are_runs),
        cmocka_unit_test(test_intervals_shrink),
    };
    return cmocka_run_group_tests(tests, setup, teardown);
}
