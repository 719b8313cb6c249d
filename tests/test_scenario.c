/* Tests of the scenario loader: every class of error with its exact
 * position, the decoded values of good scenarios, --set overrides, and
 * robustness against garbage. Scenario files come from tests/data/
 * (TEST_DATA_DIR, or argv[1]) or are written to a temporary directory. */
#ifndef _POSIX_C_SOURCE
#define _POSIX_C_SOURCE 200809L
#endif
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#include <cmocka.h>

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "irqsim/irqsim.h"
#include "loader_internal.h"
#include "model_internal.h"
#include "scenario_internal.h"

#ifndef TEST_DATA_DIR
#define TEST_DATA_DIR "tests/data"
#endif

static const char *data_dir = TEST_DATA_DIR;
static char tmpdir[64];

/* The first three lines of most inline scenarios. */
#define HEAD "name: t\nduration: 1ms\nmodel: {name: direct}\n"
#define GUEST "guests:\n  - name: web\n    vcpus: 2\n" /* lines 4-6 after HEAD */

#define assert_near(a, b)                                                                          \
    assert_true(fabs((double)(a) - (double)(b)) <= 1e-9 * fmax(1.0, fabs((double)(b))))

/* ---- helpers ------------------------------------------------------------------ */

static const char *path_in(char *buf, size_t len, const char *dir, const char *name)
{
    snprintf(buf, len, "%s/%s", dir, name);
    return buf;
}

static void write_file(const char *name, const void *data, size_t len)
{
    char path[256];
    FILE *f = fopen(path_in(path, sizeof path, tmpdir, name), "wb");
    assert_non_null(f);
    assert_int_equal(fwrite(data, 1, len, f), len);
    assert_int_equal(fclose(f), 0);
}

static void write_text(const char *name, const char *text)
{
    write_file(name, text, strlen(text));
}

static int load_file(const char *path, const char *const *sets, size_t nsets, irq_scenario **sc,
                     irq_error *err)
{
    memset(err, 0, sizeof *err);
    *sc = NULL;
    return irq_scenario_load(sc, path, sets, nsets, err);
}

static int load_text(const char *text, const char *const *sets, size_t nsets, irq_scenario **sc,
                     irq_error *err)
{
    char path[256];
    write_text("t.yaml", text);
    return load_file(path_in(path, sizeof path, tmpdir, "t.yaml"), sets, nsets, sc, err);
}

static void check_error(int rc, irq_scenario *sc, const irq_error *err, unsigned line, unsigned col,
                        const char *part)
{
    char buf[1024];
    irq_error_format(err, buf, sizeof buf);
    if (rc != IRQ_EINPUT || err->line != line || err->column != col || !strstr(err->message, part))
        print_message("got rc %d: %s\n  want %u:%u: ...%s...\n", rc, buf, line, col, part);
    assert_int_equal(rc, IRQ_EINPUT);
    assert_int_equal(err->status, IRQ_EINPUT);
    assert_null(sc);
    assert_int_equal(err->line, line);
    assert_int_equal(err->column, col);
    assert_non_null(strstr(err->message, part));
}

/* Loads text (with overrides) and expects an input error at line:col whose
 * message contains part. */
static void expect_sets(const char *text, const char *const *sets, size_t nsets, unsigned line,
                        unsigned col, const char *part)
{
    irq_scenario *sc;
    irq_error err;
    int rc = load_text(text, sets, nsets, &sc, &err);
    check_error(rc, sc, &err, line, col, part);
    irq_scenario_free(sc);
}

static void expect(const char *text, unsigned line, unsigned col, const char *part)
{
    expect_sets(text, NULL, 0, line, col, part);
}

static bool ends_with(const char *s, const char *suffix)
{
    size_t a = strlen(s), b = strlen(suffix);
    return a >= b && !strcmp(s + a - b, suffix);
}

static irq_scenario *load_ok(const char *path, const char *const *sets, size_t nsets)
{
    irq_scenario *sc;
    irq_error err;
    char buf[1024];
    int rc = load_file(path, sets, nsets, &sc, &err);
    if (rc != IRQ_OK)
        print_message("unexpected error: %s\n", irq_error_format(&err, buf, sizeof buf));
    assert_int_equal(rc, IRQ_OK);
    assert_non_null(sc);
    return sc;
}

static irq_scenario *load_data(const char *name, const char *const *sets, size_t nsets)
{
    char path[512];
    return load_ok(path_in(path, sizeof path, data_dir, name), sets, nsets);
}

static const irq_param_value *param(const irq_param_value *v, const irq_param_desc *d, size_t n,
                                    const char *name)
{
    for (size_t i = 0; i < n; i++)
        if (!strcmp(d[i].name, name))
            return &v[i];
    fail_msg("no parameter '%s'", name);
    return NULL;
}

static const irq_param_value *vparam(const irq_scenario *sc, const irq_param_value *v,
                                     const char *name)
{
    return param(v, sc->model->vcpu_params, sc->model->nvcpu_params, name);
}

/* ---- error classes, each with its position ------------------------------------------ */

static void test_unknown_key(void **state)
{
    (void)state;
    irq_scenario *sc;
    irq_error err;
    char path[512];
    int rc =
        load_file(path_in(path, sizeof path, data_dir, "bad_unknown_key.yaml"), NULL, 0, &sc, &err);
    check_error(rc, sc, &err, 10, 5,
                "unknown key 'vcpu_count' in guest template 'db' (expected one of: name, count, "
                "vcpus, workload, model, vcpu, vcpu_overrides)");
    assert_true(ends_with(err.file, "bad_unknown_key.yaml"));
    expect("name: t\nsede: 1\n", 2, 1,
           "unknown key 'sede' in the top level (expected one of: name");
    expect(HEAD GUEST "    workload: {busy: exp(1ms), idel: exp(1ms)}\n", 7, 32,
           "unknown key 'idel' in 'workload' of guest template 'web'");
    expect(HEAD "host:\n  cpu: 4\n" GUEST, 5, 3,
           "unknown key 'cpu' in host (expected one of: cpus");
}

static void test_wrong_type(void **state)
{
    (void)state;
    expect(HEAD "guests:\n  - name: web\n    vcpus: {n: 2}\n", 6, 12,
           "'vcpus' must be a whole number, not a mapping");
    expect("name: t\nseed: [1]\n", 2, 7, "'seed' must be a whole number, not a sequence");
    expect(HEAD "host: 8\n" GUEST, 4, 7, "'host' must be a mapping, not a scalar");
    expect(HEAD "guests: {name: web}\n", 4, 9, "'guests' must be a sequence of guest templates");
    expect(HEAD "guests:\n  - web\n", 5, 5, "guests[0] must be a mapping, not a scalar");
    expect("name: [t]\n", 1, 7, "'name' must be a string, not a sequence");
}

static void test_bad_unit(void **state)
{
    (void)state;
    expect("name: t\nduration: 20 parsecs\n", 2, 11,
           "bad duration '20 parsecs' for 'duration' (expected a number with a unit: cycles, ns, "
           "us, ms, s)");
    expect("name: t\nduration: 12abc\n", 2, 11, "bad duration '12abc'");
    expect(HEAD "host: {timeslice: 5}\n" GUEST, 4, 19, "a unit is required");
    expect("name: t\nduration: -5ms\n", 2, 11, "cannot be negative");
    expect("name: t\nclock_hz: 2.5 parsecs\nduration: 1ms\n", 2, 11, "bad value '2.5 parsecs'");
}

static void test_out_of_range(void **state)
{
    (void)state;
    expect(HEAD "guests:\n  - name: web\n    vcpus: 5000\n", 6, 12,
           "'vcpus' must be at most 4096 (got 5000)");
    expect(HEAD "host: {cpus: 0}\n" GUEST, 4, 14, "'cpus' must be at least 1 (got 0)");
    expect("name: t\nclock_hz: 1kHz\nduration: 1ms\n", 2, 11, "must be from 1MHz to 100GHz");
    expect(HEAD GUEST "sources:\n  - name: s\n    target: web\n    class: 70000\n"
                      "    arrivals: poisson(1/s)\n",
           10, 12, "'class' must be at most 65535 (got 70000)");
    expect(HEAD GUEST "    count: -3\n", 7, 12, "'count' must be at least 1 (got -3)");
    expect("name: t\nduration: 0s\n", 2, 11, "'duration' must be greater than 0");
}

static void test_duplicate_key(void **state)
{
    (void)state;
    expect("name: x\nseed: 1\nduration: 1ms\nseed: 2\n", 4, 1,
           "duplicate key 'seed' (first at line 2, column 1)");
    expect(HEAD "guests:\n  - {name: web, vcpus: 1}\n  - {name: db, vcpus: 1}\n"
                "  - {name: web, vcpus: 2}\n",
           7, 5, "duplicate guest template name 'web' (first at line 5, column 5)");
    expect(HEAD "guests:\n  - {name: web, count: 3, vcpus: 1}\n  - {name: web-1, vcpus: 1}\n", 6, 5,
           "guest template 'web-1' has the name of an instance of guest template 'web'");
    expect(HEAD GUEST "sources:\n  - {name: s, target: web, arrivals: poisson(1/s)}\n"
                      "  - {name: s, target: web, arrivals: poisson(2/s)}\n",
           9, 5, "duplicate source name 's' (first at line 8, column 5)");
    /* A long mapping takes the sorting path of the duplicate check. */
    char text[4096] = "name: t\n";
    for (int i = 0; i < 40; i++)
        snprintf(text + strlen(text), sizeof text - strlen(text), "k%d: %d\n", i % 37, i);
    expect(text, 39, 1, "duplicate key 'k0' (first at line 2, column 1)");
}

static void test_missing_required(void **state)
{
    (void)state;
    expect("name: t\nmodel: {name: direct}\n", 1, 1,
           "missing required key 'duration' in the top level");
    expect("# comment first\nduration: 1ms\n", 2, 1,
           "missing required key 'name' in the top level");
    expect(HEAD "guests:\n  - name: web\n    count: 2\n", 5, 5,
           "missing required key 'vcpus' in guest template 'web'");
    expect("name: t\nduration: 1ms\nguests: []\n", 1, 1, "missing required key 'model'");
    expect(HEAD, 1, 1, "missing required key 'guests' in the top level");
    expect(HEAD "guests: []\n", 4, 9, "no guest templates in 'guests'");
    expect(HEAD "model: {pick: lowest}\n", 4, 1,
           "duplicate key 'model' (first at line 3, column 1)");
    expect("name: t\nduration: 1ms\nmodel: {pick: lowest}\n", 3, 8,
           "missing required key 'name' in model (expected one of: direct");
    expect(HEAD GUEST "sources:\n  - {name: s, target: web}\n", 8, 5,
           "missing required key 'arrivals' in source 's'");
    expect("name:\nduration: 1ms\n", 1, 6, "missing value for 'name'");
}

static void test_yaml_syntax(void **state)
{
    (void)state;
    expect("name: x\nduration: 1ms\nmodel:\n  name: direct\n foo: bar\n", 5, 2,
           "YAML syntax error: did not find expected key (while parsing a block mapping at line "
           "1, column 1)");
    expect("name: [a, b\nduration: 1ms\n", 2, 9, "YAML syntax error: did not find expected ','");
    expect("name: \"abc\n", 2, 1, "YAML syntax error: found unexpected end of stream");
    expect("---\nname: x\n---\nname: y\n", 3, 1, "a second YAML document");
    expect("- a\n- b\n", 1, 1, "the top level must be a mapping");
    expect("just a line\n", 1, 1, "the top level must be a mapping");
    expect("? [a, b]\n: c\n", 1, 3, "a mapping key must be a plain name, not a sequence");
    expect("name: \"a\\0b\"\n", 1, 7, "a NUL character inside a value");
}

static void test_empty_file(void **state)
{
    (void)state;
    irq_scenario *sc;
    irq_error err;
    char path[512];
    int rc = load_file(path_in(path, sizeof path, data_dir, "empty.yaml"), NULL, 0, &sc, &err);
    check_error(rc, sc, &err, 1, 1, "empty scenario (expected a mapping with name, duration");
    expect("# only a comment\n\n", 1, 1, "empty scenario");
    expect("---\n...\n", 2, 1, "empty scenario");
    expect("", 1, 1, "empty scenario");
}

static void test_missing_file(void **state)
{
    (void)state;
    irq_scenario *sc;
    irq_error err;
    int rc = load_file("/nonexistent/dir/x.yaml", NULL, 0, &sc, &err);
    assert_int_equal(rc, IRQ_EIO);
    assert_null(sc);
    assert_string_equal(err.file, "/nonexistent/dir/x.yaml");
    assert_non_null(strstr(err.message, "cannot read the scenario"));
    /* a directory, like a FIFO or a device, is refused before reading: bad
     * input (exit 2), not an I/O failure */
    rc = load_file(tmpdir, NULL, 0, &sc, &err);
    assert_int_equal(rc, IRQ_EINPUT);
    assert_non_null(strstr(err.message, "not a regular file"));
    rc = irq_scenario_load(&sc, NULL, NULL, 0, &err);
    assert_int_equal(rc, IRQ_EINPUT);
}

static void test_binary_garbage(void **state)
{
    (void)state;
    static const char text[] = "name: x\n\x01\x02\x80garbage";
    irq_scenario *sc;
    irq_error err;
    char path[256];
    write_file("bin.yaml", text, sizeof text - 1);
    int rc = load_file(path_in(path, sizeof path, tmpdir, "bin.yaml"), NULL, 0, &sc, &err);
    check_error(rc, sc, &err, 2, 1, "not a YAML text file: control characters are not allowed");
    static const char elf[] = "\x7f"
                              "ELF\x02\x01\x01\x00\x00\x00\xff\xfe";
    write_file("bin.yaml", elf, sizeof elf - 1);
    rc = load_file(path, NULL, 0, &sc, &err);
    check_error(rc, sc, &err, 1, 1, "not a YAML text file");
    static const char utf8[] = "name: \xc3\x28\n";
    write_file("bin.yaml", utf8, sizeof utf8 - 1);
    rc = load_file(path, NULL, 0, &sc, &err);
    check_error(rc, sc, &err, 1, 8, "not a YAML text file: invalid trailing UTF-8 octet");
}

/* Random bytes and randomly damaged copies of a good scenario: the loader
 * must neither crash nor leak (ASan), whatever it answers. */
static void copy_data(const char *name)
{
    char path[512], *data = NULL, why[100];
    size_t len;
    assert_int_equal(irq_read_file(path_in(path, sizeof path, data_dir, name), 1 << 20, &data, &len,
                                   why, sizeof why),
                     0);
    write_file(name, data, len);
    free(data);
}

static void test_fuzz(void **state)
{
    (void)state;
    char path[512], *good = NULL, why[100];
    size_t len;
    copy_data("samples.txt");
    copy_data("replay.csv");
    assert_int_equal(irq_read_file(path_in(path, sizeof path, data_dir, "full.yaml"), 1 << 20,
                                   &good, &len, why, sizeof why),
                     0);
    char *buf = malloc(len + 1);
    assert_non_null(buf);
    uint64_t x = 88172645463325252ull;
    for (int round = 0; round < 300; round++) {
        memcpy(buf, good, len);
        for (int k = 0; k < 1 + round % 5; k++) {
            x ^= x << 13, x ^= x >> 7, x ^= x << 17;
            static const char alphabet[] = " :-[]{},&*!|>'\"#\n0a";
            char junk = (char)(x >> 40);
            buf[x % len] = round < 150 ? alphabet[(x >> 32) % 20] : junk;
        }
        irq_scenario *sc;
        irq_error err;
        write_file("fuzz.yaml", buf, len);
        int rc = load_file(path_in(path, sizeof path, tmpdir, "fuzz.yaml"), NULL, 0, &sc, &err);
        assert_true(rc == IRQ_OK ? sc != NULL : sc == NULL && rc == IRQ_EINPUT);
        irq_scenario_free(sc);
    }
    free(buf);
    free(good);
}

static void test_deep_nesting(void **state)
{
    (void)state;
    char text[300] = "a: ";
    memset(text + 3, '[', 100);
    expect(text, 1, 67, "nesting deeper than 64 levels");
    /* Far deeper: refused at the same place, without recursion. */
    size_t n = 200000;
    char *deep = malloc(n + 4);
    assert_non_null(deep);
    memcpy(deep, "a: ", 3);
    memset(deep + 3, '[', n);
    deep[n + 3] = '\0';
    expect(deep, 1, 67, "nesting deeper than 64 levels");
    free(deep);
    /* Nesting within the limit is fine for the tree; the loader then
     * complains about the key. */
    memset(text + 3, '[', 60);
    memset(text + 63, ']', 60);
    text[123] = '\0';
    expect(text, 1, 1, "unknown key 'a' in the top level");
}

static void test_huge_number(void **state)
{
    (void)state;
    expect("name: t\nseed: 99999999999999999999999\n", 2, 7,
           "bad value '99999999999999999999999' for 'seed' (too large");
    expect(HEAD GUEST "    count: 99999999999999999999\n", 7, 12,
           "bad value '99999999999999999999' for 'count' (too large for a 64-bit integer)");
    expect("name: t\nseed: -1\n", 2, 7, "not a negative one");
    expect("name: t\nduration: 1e999s\n", 2, 11, "too long");
    expect("name: t\nclock_hz: .nan\nduration: 1ms\n", 2, 11, "bad value '.nan' for 'clock_hz'");
    expect("name: t\nclock_hz: 1e999\nduration: 1ms\n", 2, 11, "bad value '1e999'");
    expect("name: t\nduration: inf s\n", 2, 11, "bad duration 'inf s'");
}

static void test_billion_guests(void **state)
{
    (void)state;
    expect(HEAD GUEST "    count: 1000000000\n", 7, 12,
           "'count' must be at most 100000 (got 1000000000)");
    expect(HEAD "guests:\n  - {name: a, count: 60000, vcpus: 1}\n"
                "  - {name: b, count: 60000, vcpus: 1}\n",
           6, 5, "too many guests: guest template 'b' brings the total to 120000 (at most 100000)");
    expect(HEAD "guests:\n  - {name: a, count: 1000, vcpus: 4096}\n", 5, 5,
           "too many vCPUs: guest template 'a' brings the total to 4096000 (at most 1000000)");
    char text[8192] = HEAD "guests:\n  - {name: a, count: 100000, vcpus: 1}\nsources:\n";
    for (int i = 0; i < 21; i++)
        snprintf(text + strlen(text), sizeof text - strlen(text),
                 "  - {name: s%d, target: a, arrivals: poisson(1/s)}\n", i);
    expect(text, 27, 5, "too many source instances: source 's20' brings the total to 2100000");
}

static void test_set_bad_path(void **state)
{
    (void)state;
    char path[512];
    irq_scenario *sc;
    irq_error err;
    char buf[1024];
    path_in(path, sizeof path, data_dir, "full.yaml");
    static const struct {
        const char *set;
        const char *part;
    } cases[] = {
        {"guests.nope.count=3", "no element named 'nope' in 'guests' (address an element by index "
                                "or by name: web, db)"},
        {"name.x=1", "cannot set 'x': 'name' is a scalar"},
        {"guests.7.count=1", "index 7 is out of range for 'guests' (it has 2 elements)"},
        {"guests.0.count", "expected path.to.key=value"},
        {"=3", "expected path.to.key=value"},
        {"guests..count=1", "empty name in the path"},
        {"guests.web.vcpus={a: [1, 2}", "YAML syntax error"},
    };
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        const char *sets[] = {"seed=3", cases[i].set};
        int rc = load_file(path, sets, 2, &sc, &err);
        char label[128];
        snprintf(label, sizeof label, "--set %s", cases[i].set);
        check_error(rc, sc, &err, 2, i == 6 ? 10 : 1, cases[i].part);
        assert_string_equal(err.file, label);
        irq_error_format(&err, buf, sizeof buf);
        assert_true(strncmp(buf, label, strlen(label)) == 0 && buf[strlen(label)] == ':');
    }
}

static void test_set_unknown_key(void **state)
{
    (void)state;
    char path[512], buf[1024];
    irq_scenario *sc;
    irq_error err;
    const char *sets[] = {"model.bogus=1"};
    int rc = load_file(path_in(path, sizeof path, data_dir, "full.yaml"), sets, 1, &sc, &err);
    check_error(rc, sc, &err, 1, 1, "unknown key 'bogus' in model 'direct' (expected one of: name");
    assert_string_equal(err.file, "--set model.bogus=1");
    irq_error_format(&err, buf, sizeof buf);
    assert_true(strncmp(buf, "--set model.bogus=1: unknown key 'bogus'", 40) == 0);
    /* A bad value through --set is reported against the override too. */
    const char *sets2[] = {"guests.db.workload.busy=gamma(1ms)"};
    rc = load_file(path, sets2, 1, &sc, &err);
    check_error(rc, sc, &err, 1, 1, "bad distribution 'gamma(1ms)' for 'busy'");
    assert_string_equal(err.file, "--set guests.db.workload.busy=gamma(1ms)");
}

static void test_unknown_model(void **state)
{
    (void)state;
    expect("name: t\nduration: 1ms\nmodel: {name: gib2}\n", 3, 15,
           "unknown model 'gib2' (available: direct");
    expect("name: t\nduration: 1ms\nmodel: {name: [x]}\n", 3, 15,
           "'name' of model must be a model name, not a sequence");
}

static void test_bad_distribution(void **state)
{
    (void)state;
    expect(HEAD GUEST "    workload: {busy: gamma(1ms)}\n", 7, 22,
           "bad distribution 'gamma(1ms)' for 'busy' (unknown distribution 'gamma'");
    expect(HEAD GUEST "    workload:\n      idle: uniform(5us, 1us)\n", 8, 13,
           "uniform(min, max) needs min <= max");
    expect(HEAD GUEST "    workload:\n      idle: exp(0)\n", 8, 13, "must be greater than 0");
    expect(HEAD GUEST "    workload:\n      idle: normal(mean=1us, foo=2us)\n", 8, 13,
           "unknown argument 'foo' to normal() (expected mean, sd)");
    expect(HEAD GUEST "    workload:\n      idle: normal(mean=1us)\n", 8, 13,
           "normal() needs 'sd'");
    expect(HEAD GUEST "    workload:\n      idle: exp(1 parsec)\n", 8, 13,
           "bad mean '1 parsec' in exp()");
    expect(HEAD GUEST "    workload:\n      idle: empirical(missing.txt)\n", 8, 13, "cannot read");
    write_text("bad_samples.txt", "1us\n2us\nfoo\n");
    expect(HEAD GUEST "    workload:\n      idle: empirical(bad_samples.txt)\n", 8, 13,
           "bad_samples.txt line 3: bad duration 'foo'");
    write_text("no_samples.txt", "# none\n\n");
    expect(HEAD GUEST "    workload:\n      idle: empirical(no_samples.txt)\n", 8, 13,
           "holds no samples");
    expect(HEAD GUEST "    workload:\n      idle: exp(1ms\n", 8, 13, "expected name(arguments)");
    expect(HEAD GUEST "    workload:\n      start: running\n", 8, 14,
           "bad value 'running' for 'start' (expected one of: busy, idle)");
    expect(HEAD GUEST "    workload:\n      stopped: yes\n", 8, 16,
           "expected true or false; yes, no, on, off are not accepted");
}

static void test_bad_arrivals(void **state)
{
    (void)state;
#define SRC(line) HEAD GUEST "sources:\n  - name: s\n    target: web\n" line
    expect(SRC("    arrivals: poisson(0/s)\n"), 10, 15, "the rate must be greater than 0");
    expect(SRC("    arrivals: poisson(5 per s)\n"), 10, 15, "bad rate '5 per s'");
    expect(SRC("    arrivals: sometimes\n"), 10, 15, "expected poisson(2000/s)");
    expect(SRC("    arrivals: bursty(1ms)\n"), 10, 15, "unknown kind 'bursty'");
    expect(SRC("    arrivals: periodic(1ms, jitter=600us)\n"), 10, 15,
           "the jitter must be at most half the interval");
    expect(SRC("    arrivals: storm(window=1ms)\n"), 10, 15, "storm() needs count=");
    expect(SRC("    arrivals: storm(count=5, window=1ms, period=100us)\n"), 10, 15,
           "the period must be 0 (once) or at least the window");
    expect(SRC("    arrivals: storm(count=5, window=1ms, spacing=odd)\n"), 10, 15,
           "bad spacing 'odd'");
    expect(SRC("    start: 1ms\n    arrivals: storm(count=5, window=1ms, start=2ms)\n"), 11, 15,
           "start is given both here and as the source's 'start'");
    expect(SRC("    arrivals: periodic(1ms)\n    start: 5ms\n    stop: 2ms\n"), 12, 11,
           "'stop' must be after 'start' in source 's'");
    expect(SRC("    arrivals: replay()\n"), 10, 15, "replay() needs a file name");
#undef SRC
}

static void test_targets(void **state)
{
    (void)state;
#define TG(t)                                                                                      \
    HEAD "guests:\n  - {name: web, count: 3, vcpus: 2}\n  - {name: db, vcpus: 1}\n"                \
         "sources:\n  - {name: s, arrivals: poisson(1/s), " t "}\n"
    expect(TG("target: mail"), 8, 47,
           "unknown target 'mail' for source 's' (expected a guest "
           "template name or an instance name such as web-0; guest "
           "templates: web, db)");
    expect(TG("target: web-3"), 8, 47, "guest template 'web' has 3 instances: web-0 .. web-2");
    expect(TG("target: db-0"), 8, 47, "guest template 'db' has one instance, named 'db'");
    expect(TG("target: web-01"), 8, 47, "unknown target 'web-01'");
    expect(TG("target: web, vcpu: 2"), 8, 58,
           "'vcpu' must be less than the vcpus of guest template 'web' (2) (got 2)");
    expect(TG("target: web, name: x"), 8, 52, "duplicate key 'name'");
    expect(TG("target: web, vector: 3"), 8, 52, "unknown key 'vector' in source 's'");
    expect(HEAD GUEST "sources:\n  - {name: 'a b', target: web}\n", 8, 12,
           "bad name 'a b' for source");
#undef TG
}

static void test_overrides_errors(void **state)
{
    (void)state;
    expect(HEAD GUEST "    vcpu_overrides:\n      - {index: 2}\n", 8, 17,
           "'index' must be less than the template's vcpus (2) (got 2)");
    expect(HEAD GUEST "    vcpu_overrides:\n      - {index: 1}\n      - {index: 1}\n", 9, 17,
           "vCPU 1 is overridden twice in guest template 'web'");
    expect(HEAD GUEST "    vcpu_overrides:\n      - {enabled: false}\n", 8, 9,
           "missing required key 'index' in vcpu_overrides[0] of guest template 'web'");
    expect(HEAD GUEST "    vcpu_overrides:\n      - {index: 0, enabeld: false}\n", 8, 20,
           "unknown key 'enabeld' in vcpu_overrides[0] of guest template 'web' (expected one of: "
           "index, enabled)");
    expect(HEAD GUEST "    vcpu_overrides: {index: 0}\n", 7, 21,
           "'vcpu_overrides' must be a sequence");
}

static void test_unsorted_replay(void **state)
{
    (void)state;
    irq_scenario *sc;
    irq_error err;
    const char *text = HEAD GUEST "sources:\n  - name: trace\n    target: web\n"
                                  "    arrivals: replay(r.csv)\n";
    write_text("r.csv", "# times in ns\n1000\n2000,x\n1500\n3000\n");
    int rc = load_text(text, NULL, 0, &sc, &err);
    check_error(rc, sc, &err, 4, 1,
                "timestamp '1500' is not in ascending order (line 3 has a later one) (replay of "
                "source 'trace' at ");
    assert_true(ends_with(err.file, "/r.csv"));
    write_text("r.csv", "# nothing\n");
    rc = load_text(text, NULL, 0, &sc, &err);
    assert_int_equal(rc, IRQ_EINPUT);
    assert_true(ends_with(err.file, "/r.csv"));
    assert_non_null(strstr(err.message, "no timestamps in the file"));
    write_text("r.csv", "1us\n-2us\n");
    rc = load_text(text, NULL, 0, &sc, &err);
    check_error(rc, sc, &err, 2, 1, "bad timestamp '-2us' (a duration cannot be negative)");
    write_text("r.csv", "1us\n2 parsecs\n");
    rc = load_text(text, NULL, 0, &sc, &err);
    check_error(rc, sc, &err, 2, 1, "bad timestamp '2 parsecs'");
    expect(HEAD GUEST "sources:\n  - {name: t, target: web, arrivals: replay(nothere.csv)}\n", 8,
           38, "cannot read");
}

/* The replay files kept in tests/data, named by absolute path. */
static void test_replay_data_files(void **state)
{
    (void)state;
    char dir[4096], text[8192], csv[4200];
    irq_scenario *sc;
    irq_error err;
    if (data_dir[0] == '/') {
        snprintf(dir, sizeof dir, "%s", data_dir);
    } else {
        char cwd[2048];
        assert_non_null(getcwd(cwd, sizeof cwd));
        snprintf(dir, sizeof dir, "%s/%s", cwd, data_dir);
    }
    snprintf(text, sizeof text,
             HEAD GUEST "sources:\n  - {name: r, target: web, arrivals: 'replay(%s/%s)'}\n", dir,
             "replay_unsorted.csv");
    int rc = load_text(text, NULL, 0, &sc, &err);
    check_error(rc, sc, &err, 4, 1, "timestamp '1500' is not in ascending order");
    assert_string_equal(err.file, path_in(csv, sizeof csv, dir, "replay_unsorted.csv"));
    snprintf(text, sizeof text,
             HEAD GUEST "sources:\n  - {name: r, target: web, arrivals: 'replay(%s/%s)'}\n", dir,
             "replay_empty.csv");
    rc = load_text(text, NULL, 0, &sc, &err);
    assert_int_equal(rc, IRQ_EINPUT);
    assert_string_equal(err.file, path_in(csv, sizeof csv, dir, "replay_empty.csv"));
    assert_non_null(strstr(err.message, "no timestamps in the file"));
}

static void test_alias(void **state)
{
    (void)state;
    irq_scenario *sc;
    irq_error err;
    char path[512];
    int rc = load_file(path_in(path, sizeof path, data_dir, "bad_alias.yaml"), NULL, 0, &sc, &err);
    check_error(rc, sc, &err, 7, 5, "alias '*base' is not supported");
    /* A "billion laughs" stops at its first alias. */
    expect("name: t\na: &a [x, x, x, x, x, x, x, x, x]\nb: &b [*a, *a, *a, *a, *a, *a]\n"
           "c: &c [*b, *b, *b, *b, *b, *b]\nd: [*c, *c, *c, *c, *c, *c]\n",
           3, 8, "alias '*a' is not supported");
}

/* ---- good scenarios ------------------------------------------------------------------ */

static void check_full_basics(const irq_scenario *sc)
{
    assert_string_equal(irq_scenario_name(sc), "full-example");
    assert_true(ends_with(sc->path, "full.yaml"));
    assert_string_equal(sc->base_dir, data_dir);
    assert_int_equal(sc->seed, 42);
    assert_near(sc->clock_hz, 2.5e9);
    assert_int_equal(sc->duration, 500000000); /* 200ms at 2.5 GHz */
    assert_int_equal(sc->host[IRQ_HOST_CPUS].i, 8);
    assert_int_equal(sc->host[IRQ_HOST_CPUS].mark.line, 9);
    assert_int_equal(sc->host[IRQ_HOST_CPUS].mark.column, 9);
    assert_int_equal(sc->host[IRQ_HOST_TIMESLICE].u, 5000000);
    assert_near(sc->host[IRQ_HOST_TIMESLICE].d, 5e6);
    assert_int_equal(sc->host[IRQ_HOST_WAKEUP].u, 12500); /* default 5us */
    assert_int_equal(sc->host[IRQ_HOST_WAKEUP].mark.line, 0);
    assert_string_equal(sc->model->name, "direct");
    const irq_param_value *pick =
        param(sc->model_params, sc->model->params, sc->model->nparams, "pick");
    assert_int_equal(pick->i, 1); /* round-robin */
    assert_int_equal(pick->mark.line, 14);
    assert_int_equal(sc->total_guests, 5);
    assert_int_equal(sc->total_vcpus, 12);
    assert_int_equal(sc->output.format, IRQ_FORMAT_JSON);
    assert_string_equal(sc->output.dir, "out/full");
}

static void check_full_web(const irq_scenario *sc)
{
    assert_int_equal(sc->ntmpls, 2);
    const irq_guest_tmpl *t = &sc->tmpls[0];
    assert_string_equal(t->name, "web");
    assert_int_equal(t->count, 4);
    assert_int_equal(t->vcpus, 2);
    assert_int_equal(t->busy.kind, IRQ_DIST_EXP);
    assert_near(t->busy.a, 5e5);
    assert_int_equal(t->idle.kind, IRQ_DIST_UNIFORM);
    assert_near(t->idle.a, 25000);
    assert_near(t->idle.b, 75000);
    assert_int_equal(t->handler.kind, IRQ_DIST_CONST);
    assert_near(t->handler.a, 5000);
    assert_int_equal(t->start, IRQ_PHASE_IDLE);
    assert_false(t->stopped);
    assert_int_equal(vparam(sc, t->vcpu_params, "enabled")->i, 0);
    /* Overrides: complete arrays, template values then the override's. */
    assert_int_equal(t->noverrides, 2);
    assert_int_equal(t->overrides[0].index, 1);
    assert_int_equal(vparam(sc, t->overrides[0].params, "enabled")->i, 1);
    assert_int_equal(vparam(sc, t->overrides[0].params, "enabled")->mark.line, 29);
    assert_int_equal(t->overrides[1].index, 0);
    assert_int_equal(vparam(sc, t->overrides[1].params, "enabled")->i, 0);
    assert_int_equal(vparam(sc, t->overrides[1].params, "enabled")->mark.line, 26);
}

static void check_full_db(const irq_scenario *sc)
{
    const irq_guest_tmpl *t = &sc->tmpls[1];
    assert_string_equal(t->name, "db");
    assert_int_equal(t->count, 1);
    assert_int_equal(t->vcpus, 4);
    assert_int_equal(t->busy.kind, IRQ_DIST_NORMAL);
    assert_near(t->busy.a, 25000);
    assert_near(t->busy.b, 5000);
    assert_int_equal(t->idle.kind, IRQ_DIST_LOGNORMAL);
    assert_near(t->idle.a, 1e5);
    assert_near(t->idle.b, 25000);
    double s2 = log(1 + 0.25 * 0.25);
    assert_near(t->idle.sigma, sqrt(s2));
    assert_near(t->idle.mu, log(1e5) - s2 / 2);
    assert_int_equal(t->handler.kind, IRQ_DIST_EMPIRICAL);
    assert_int_equal(t->handler.nsamples, 3);
    assert_near(t->handler.samples[0], 25000);
    assert_near(t->handler.samples[1], 50000);
    assert_near(t->handler.samples[2], 75000);
    assert_int_equal(t->start, IRQ_PHASE_BUSY);
    assert_true(t->stopped);
    assert_int_equal(t->noverrides, 0);
    assert_int_equal(vparam(sc, t->vcpu_params, "enabled")->i, 1); /* default */
}

static void check_full_sources(const irq_scenario *sc)
{
    assert_int_equal(sc->nsources, 4);
    const irq_source_cfg *s = sc->sources;
    assert_string_equal(s[0].name, "nic");
    assert_int_equal(s[0].tmpl, 0);
    assert_int_equal(s[0].instance, -1);
    assert_int_equal(s[0].vcpu, -1);
    assert_int_equal(s[0].cls, 3);
    assert_int_equal(s[0].injection, IRQ_INJ_PASSTHROUGH);
    assert_int_equal(s[0].kind, IRQ_ARR_POISSON);
    assert_near(s[0].rate, 2000 / 2.5e9);
    assert_int_equal(s[0].start, 0);
    assert_int_equal(s[0].stop, 0);
    assert_int_equal(s[1].tmpl, 0);
    assert_int_equal(s[1].instance, 2);
    assert_int_equal(s[1].vcpu, 1);
    assert_int_equal(s[1].injection, IRQ_INJ_SOFTWARE);
    assert_int_equal(s[1].kind, IRQ_ARR_PERIODIC);
    assert_near(s[1].interval, 2.5e6);
    assert_near(s[1].jitter, 25000);
    assert_int_equal(s[1].start, 25000000);
    assert_int_equal(s[1].stop, 375000000);
    assert_int_equal(s[2].tmpl, 1);
    assert_int_equal(s[2].kind, IRQ_ARR_STORM);
    assert_int_equal(s[2].count, 500);
    assert_near(s[2].window, 250000);
    assert_near(s[2].period, 2.5e7);
    assert_int_equal(s[2].start, 750000);
    assert_true(s[2].even);
    assert_int_equal(s[3].kind, IRQ_ARR_REPLAY);
    assert_int_equal(s[3].ntimes, 4);
    static const uint64_t times[] = {250, 6250, 6250, 2500000};
    for (size_t i = 0; i < 4; i++)
        assert_int_equal(s[3].times[i], times[i]);
}

static void test_full_scenario(void **state)
{
    (void)state;
    irq_scenario *sc = load_data("full.yaml", NULL, 0);
    check_full_basics(sc);
    check_full_web(sc);
    check_full_db(sc);
    check_full_sources(sc);
    irq_scenario_free(sc);
}

static void test_minimal_defaults(void **state)
{
    (void)state;
    irq_scenario *sc = load_data("minimal.yaml", NULL, 0);
    assert_int_equal(sc->seed, 1);
    assert_near(sc->clock_hz, 1e9);
    assert_int_equal(sc->duration, 1000000000);
    for (size_t i = 0; i < IRQ_HOST_NPARAMS; i++)
        assert_int_equal(sc->host[i].mark.line, 0);
    assert_int_equal(sc->host[IRQ_HOST_CPUS].i, 4);
    assert_int_equal(sc->host[IRQ_HOST_TIMESLICE].u, 3000000);
    const irq_guest_tmpl *t = &sc->tmpls[0];
    assert_int_equal(t->count, 1);
    assert_int_equal(t->busy.kind, IRQ_DIST_EXP);
    assert_near(t->busy.a, 1e6);
    assert_int_equal(t->idle.kind, IRQ_DIST_EXP);
    assert_near(t->idle.a, 1e6);
    assert_int_equal(t->handler.kind, IRQ_DIST_CONST);
    assert_near(t->handler.a, 1000);
    assert_int_equal(t->start, IRQ_PHASE_BUSY);
    assert_false(t->stopped);
    assert_int_equal(t->noverrides, 0);
    assert_int_equal(vparam(sc, t->vcpu_params, "enabled")->i, 1);
    assert_int_equal(sc->nsources, 0);
    assert_int_equal(sc->output.format, IRQ_FORMAT_TEXT);
    assert_null(sc->output.dir);
    assert_int_equal(sc->total_guests, 1);
    assert_int_equal(sc->total_vcpus, 1);
    irq_scenario_free(sc);
}

static void test_set_index_and_name(void **state)
{
    (void)state;
    const char *sets[] = {
        "guests.0.count=3",
        "guests.db.vcpus=8",
        "sources.nic.arrivals=poisson(5k/s)",
        "seed=7",
        "host.cpus=16",
        "guests.web.vcpu_overrides.1.enabled=true",
        "guests.web.workload={busy: const(1us), handler: const(3us)}",
        "sources.3.vcpu=2",
        "output.format=csv",
    };
    irq_scenario *sc = load_data("full.yaml", sets, sizeof sets / sizeof sets[0]);
    assert_int_equal(sc->tmpls[0].count, 3);
    assert_int_equal(sc->tmpls[1].vcpus, 8);
    assert_near(sc->sources[0].rate, 5000 / 2.5e9);
    assert_int_equal(sc->seed, 7);
    assert_int_equal(sc->host[IRQ_HOST_CPUS].i, 16);
    assert_string_equal(sc->host[IRQ_HOST_CPUS].mark.file, "--set host.cpus=16");
    assert_int_equal(sc->host[IRQ_HOST_CPUS].mark.line, 5);
    const irq_guest_tmpl *t = &sc->tmpls[0];
    assert_int_equal(vparam(sc, t->overrides[1].params, "enabled")->i, 1);
    assert_int_equal(t->busy.kind, IRQ_DIST_CONST);
    assert_near(t->busy.a, 2500);
    assert_near(t->handler.a, 7500);
    assert_int_equal(t->idle.kind, IRQ_DIST_EXP); /* the whole workload was replaced */
    assert_int_equal(t->start, IRQ_PHASE_BUSY);
    assert_int_equal(sc->sources[3].vcpu, 2);
    assert_int_equal(sc->output.format, IRQ_FORMAT_CSV);
    assert_int_equal(sc->total_guests, 4);
    assert_int_equal(sc->total_vcpus, 3 * 2 + 8);
    irq_scenario_free(sc);
}

static void test_set_creates(void **state)
{
    (void)state;
    /* Missing sections are created; names may contain dots. */
    char path[256];
    write_text("dots.yaml", "name: t\nduration: 1ms\nmodel: {name: direct}\nhost:\n"
                            "guests:\n  - {name: a.b, vcpus: 1}\n  - {name: a, vcpus: 1}\n");
    const char *sets[] = {"guests.a.b.count=2", "guests.a.count=5", "host.timeslice=1ms",
                          "output.dir=/tmp/x", "clock_hz=2GHz"};
    irq_scenario *sc = load_ok(path_in(path, sizeof path, tmpdir, "dots.yaml"), sets, 5);
    assert_int_equal(sc->tmpls[0].count, 2);
    assert_int_equal(sc->tmpls[1].count, 5);
    assert_int_equal(sc->host[IRQ_HOST_TIMESLICE].u, 2000000);
    assert_string_equal(sc->output.dir, "/tmp/x");
    assert_int_equal(sc->duration, 2000000);
    irq_scenario_free(sc);
}

static void test_two_scenarios(void **state)
{
    (void)state;
    /* No global state: two scenarios live side by side. */
    irq_scenario *a = load_data("full.yaml", NULL, 0);
    const char *sets[] = {"clock_hz=1e9"};
    irq_scenario *b = load_data("full.yaml", sets, 1);
    assert_int_equal(a->duration, 500000000);
    assert_int_equal(b->duration, 200000000);
    irq_scenario_free(b);
    irq_scenario_free(a);
}

/* ---- the helpers themselves ------------------------------------------------------------ */

static void test_parse_helpers(void **state)
{
    (void)state;
    double c;
    char why[200];
    assert_int_equal(irq_parse_duration("0", 1e9, &c, why, sizeof why), 0);
    assert_near(c, 0);
    assert_int_equal(irq_parse_duration("1.5 ms", 1e9, &c, why, sizeof why), 0);
    assert_near(c, 1.5e6);
    assert_int_equal(irq_parse_duration("3000 cycles", 2e9, &c, why, sizeof why), 0);
    assert_near(c, 3000);
    assert_int_equal(irq_parse_duration("1000ns", 1e9, &c, why, sizeof why), 0);
    assert_true(c == 1000); /* exactly */
    assert_int_equal(irq_parse_duration("2s", 1e9, &c, why, sizeof why), 0);
    assert_near(c, 2e9);
    assert_int_equal(irq_parse_duration("5", 1e9, &c, why, sizeof why), -1);
    assert_non_null(strstr(why, "a unit is required"));
    assert_int_equal(irq_parse_duration("12abc", 1e9, &c, why, sizeof why), -1);
    assert_int_equal(irq_parse_duration("1us x", 1e9, &c, why, sizeof why), -1);
    assert_int_equal(irq_parse_duration("", 1e9, &c, why, sizeof why), -1);
    assert_int_equal(irq_parse_duration("0x10us", 1e9, &c, why, sizeof why), -1);
    assert_int_equal(irq_parse_rate("2000/s", 1e9, &c, why, sizeof why), 0);
    assert_near(c, 2e-6);
    assert_int_equal(irq_parse_rate("1.5M/s", 1e9, &c, why, sizeof why), 0);
    assert_near(c, 1.5e-3);
    assert_int_equal(irq_parse_rate("10/ms", 1e9, &c, why, sizeof why), 0);
    assert_near(c, 1e-5);
    assert_int_equal(irq_parse_rate("1/us", 2e9, &c, why, sizeof why), 0);
    assert_near(c, 5e-4);
    assert_int_equal(irq_parse_rate("2k/h", 1e9, &c, why, sizeof why), -1);
    assert_int_equal(irq_parse_rate("-2/s", 1e9, &c, why, sizeof why), -1);
    assert_int_equal(irq_parse_hz("2.5GHz", &c, why, sizeof why), 0);
    assert_near(c, 2.5e9);
    assert_int_equal(irq_parse_hz("800 MHz", &c, why, sizeof why), 0);
    assert_near(c, 8e8);
    irq_dist d;
    assert_int_equal(irq_dist_parse(&d, "50us", 1e9, NULL, why, sizeof why), 0);
    assert_int_equal(d.kind, IRQ_DIST_CONST);
    assert_near(d.a, 50000);
    assert_int_equal(irq_dist_parse(&d, "uniform(min=1us, max=5us)", 1e9, NULL, why, sizeof why),
                     0);
    assert_near(d.b, 5000);
    assert_int_equal(irq_dist_parse(&d, "exp(1us, 2us)", 1e9, NULL, why, sizeof why), -1);
    assert_non_null(strstr(why, "too many arguments"));
    assert_int_equal(irq_dist_parse(&d, "normal(mean=1us, mean=2us)", 1e9, NULL, why, sizeof why),
                     -1);
    assert_non_null(strstr(why, "given twice"));
}

static void test_error_format(void **state)
{
    (void)state;
    irq_error e;
    char buf[600];
    irq_mark m = {"a.yaml", 3, 11};
    assert_int_equal(irq_error_set(&e, IRQ_EINPUT, &m, "bad %s", "thing"), IRQ_EINPUT);
    assert_string_equal(irq_error_format(&e, buf, sizeof buf), "a.yaml:3:11: bad thing");
    m.column = 0;
    irq_error_set(&e, IRQ_EINPUT, &m, "x");
    assert_string_equal(irq_error_format(&e, buf, sizeof buf), "a.yaml:3: x");
    m.line = 0;
    irq_error_set(&e, IRQ_EIO, &m, "x");
    assert_string_equal(irq_error_format(&e, buf, sizeof buf), "a.yaml: x");
    irq_error_set(&e, IRQ_ENOMEM, NULL, "out of memory");
    assert_string_equal(irq_error_format(&e, buf, sizeof buf), "out of memory");
    irq_mark s = {"--set a.b=1", 2, 1};
    irq_error_set(&e, IRQ_EINPUT, &s, "unknown key 'b'");
    assert_string_equal(irq_error_format(&e, buf, sizeof buf), "--set a.b=1: unknown key 'b'");
    assert_int_equal(irq_error_set(NULL, IRQ_ESIM, &m, "ignored"), IRQ_ESIM);
    char tiny[8];
    irq_error_set(&e, IRQ_EINPUT, &m, "a long message");
    assert_string_equal(irq_error_format(&e, tiny, sizeof tiny), "a.yaml:");
}

static void test_describe(void **state)
{
    (void)state;
    char *text = NULL;
    size_t len = 0;
    FILE *f = open_memstream(&text, &len);
    assert_non_null(f);
    irq_params_describe(f, irq_host_params, IRQ_HOST_NPARAMS, 0);
    irq_params_describe(f, irq_host_params, IRQ_HOST_NPARAMS, 1);
    fclose(f);
    assert_non_null(strstr(text, "timeslice"));
    assert_non_null(strstr(text, "(assumption: no public source)"));
    /* wait_exit is 1us while its source says ~2000 cycles: an assumption */
    assert_non_null(strstr(text, "assumption (no public source): about one VM exit"));
    assert_non_null(strstr(text, "| `cpus` | int | 4 | CPUs | 1..65536 |"));
    assert_non_null(strstr(text, "|---|"));
    free(text);
    assert_string_equal(irq_param_type_name(IRQ_PARAM_DIST), "distribution");
    assert_string_equal(irq_param_type_name((irq_param_type)99), "?");
}

/* ---- main ------------------------------------------------------------------------------ */

static int setup(void **state)
{
    (void)state;
    snprintf(tmpdir, sizeof tmpdir, "/tmp/irqsim-test-scenario-XXXXXX");
    return mkdtemp(tmpdir) ? 0 : -1;
}

static int teardown(void **state)
{
    (void)state;
    static const char *const files[] = {"t.yaml",         "bin.yaml",    "fuzz.yaml",
                                        "dots.yaml",      "r.csv",       "bad_samples.txt",
                                        "no_samples.txt", "samples.txt", "replay.csv"};
    char path[256];
    for (size_t i = 0; i < sizeof files / sizeof files[0]; i++)
        unlink(path_in(path, sizeof path, tmpdir, files[i]));
    return rmdir(tmpdir);
}

int main(int argc, char **argv)
{
    if (argc > 1)
        data_dir = argv[1];
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_unknown_key),
        cmocka_unit_test(test_wrong_type),
        cmocka_unit_test(test_bad_unit),
        cmocka_unit_test(test_out_of_range),
        cmocka_unit_test(test_duplicate_key),
        cmocka_unit_test(test_missing_required),
        cmocka_unit_test(test_yaml_syntax),
        cmocka_unit_test(test_empty_file),
        cmocka_unit_test(test_missing_file),
        cmocka_unit_test(test_binary_garbage),
        cmocka_unit_test(test_fuzz),
        cmocka_unit_test(test_deep_nesting),
        cmocka_unit_test(test_huge_number),
        cmocka_unit_test(test_billion_guests),
        cmocka_unit_test(test_set_bad_path),
        cmocka_unit_test(test_set_unknown_key),
        cmocka_unit_test(test_unknown_model),
        cmocka_unit_test(test_bad_distribution),
        cmocka_unit_test(test_bad_arrivals),
        cmocka_unit_test(test_targets),
        cmocka_unit_test(test_overrides_errors),
        cmocka_unit_test(test_unsorted_replay),
        cmocka_unit_test(test_replay_data_files),
        cmocka_unit_test(test_alias),
        cmocka_unit_test(test_full_scenario),
        cmocka_unit_test(test_minimal_defaults),
        cmocka_unit_test(test_set_index_and_name),
        cmocka_unit_test(test_set_creates),
        cmocka_unit_test(test_two_scenarios),
        cmocka_unit_test(test_parse_helpers),
        cmocka_unit_test(test_error_format),
        cmocka_unit_test(test_describe),
    };
    return cmocka_run_group_tests(tests, setup, teardown);
}
