/* The public result API (irqsim/result.h) against the JSON report, on the
 * shipped scenarios: every counter, latency figure, state share, CPU use
 * and assumption the API gives equals the JSON's, and the API lists exactly
 * the counters the JSON shows. Then its errors, and loading a scenario from
 * memory. Uses the public headers only, as a user's test would. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#include <cmocka.h>

#include <dirent.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <irqsim/irqsim.h>

/* ---- a small JSON reader (enough for the report) ------------------------- */

typedef struct jv {
    char kind;  /* 'o' object, 'a' array, 's' string, 'n' number or literal */
    char *key;  /* in an object */
    char *text; /* string contents (escapes kept) or the number's token */
    struct jv **kids;
    size_t n;
} jv;

static void jfree(jv *v)
{
    if (!v)
        return;
    for (size_t i = 0; i < v->n; i++)
        jfree(v->kids[i]);
    free(v->kids);
    free(v->key);
    free(v->text);
    free(v);
}

static void skip_ws(const char **p)
{
    while (**p == ' ' || **p == '\n' || **p == '\t' || **p == '\r')
        (*p)++;
}

static char *jstring(const char **p)
{
    const char *s = ++*p; /* past the quote */
    while (**p && **p != '"')
        *p += **p == '\\' ? 2 : 1;
    char *out = strndup(s, (size_t)(*p - s));
    assert_true(**p == '"');
    (*p)++;
    return out;
}

static jv *jparse(const char **p);

static void jadd(jv *v, jv *kid)
{
    v->kids = realloc(v->kids, (v->n + 1) * sizeof *v->kids);
    assert_non_null(v->kids);
    v->kids[v->n++] = kid;
}

static jv *jparse(const char **p)
{
    jv *v = calloc(1, sizeof *v);
    assert_non_null(v);
    skip_ws(p);
    char open = **p;
    if (open == '{' || open == '[') {
        v->kind = open == '{' ? 'o' : 'a';
        (*p)++;
        skip_ws(p);
        while (**p != (open == '{' ? '}' : ']')) {
            char *key = NULL;
            if (open == '{') {
                key = jstring(p);
                skip_ws(p);
                assert_true(*(*p)++ == ':');
            }
            jv *kid = jparse(p);
            kid->key = key;
            jadd(v, kid);
            skip_ws(p);
            if (**p == ',')
                (*p)++;
            skip_ws(p);
        }
        (*p)++;
    } else if (open == '"') {
        v->kind = 's';
        v->text = jstring(p);
    } else {
        const char *s = *p;
        while (**p && !strchr(",}] \n", **p))
            (*p)++;
        v->kind = 'n';
        v->text = strndup(s, (size_t)(*p - s));
    }
    return v;
}

static const jv *jget(const jv *o, const char *key)
{
    for (size_t i = 0; o && i < o->n; i++)
        if (o->kids[i]->key && !strcmp(o->kids[i]->key, key))
            return o->kids[i];
    fail_msg("no key '%s' in the JSON", key);
    return NULL;
}

/* The JSON's number equals the API's value, at the precision the JSON
 * shows: integers exactly, other numbers as the report prints them. */
static void check_num(const jv *j, double api, const char *what)
{
    assert_int_equal(j->kind, 'n');
    if (strpbrk(j->text, ".eE") || !strcmp(j->text, "null")) {
        char buf[64];
        snprintf(buf, sizeof buf, "%.10g", api);
        if (strcmp(buf, j->text))
            fail_msg("%s: JSON %s, API %.17g", what, j->text, api);
    } else if (strtod(j->text, NULL) != api) {
        fail_msg("%s: JSON %s, API %.17g", what, j->text, api);
    }
}

/* ---- the API against the JSON ------------------------------------------- */

static irq_sim *run_file(const char *file, const char *const *sets, size_t nsets, irq_scenario **sc)
{
    char path[1024];
    irq_error err = {0};
    irq_sim *sim = NULL;
    snprintf(path, sizeof path, "%s/%s", SCENARIO_DIR, file);
    if (irq_scenario_load(sc, path, sets, nsets, &err) != IRQ_OK ||
        irq_sim_create(&sim, *sc, &err) != IRQ_OK || irq_sim_run(sim, NULL, NULL, &err) != IRQ_OK)
        fail_msg("%s: %s", file, err.message);
    return sim;
}

static jv *report(const irq_sim *sim)
{
    char *buf = NULL;
    size_t len = 0;
    FILE *f = open_memstream(&buf, &len);
    assert_non_null(f);
    assert_int_equal(irq_sim_write_report(sim, IRQ_FORMAT_JSON, f), IRQ_OK);
    fclose(f);
    const char *p = buf;
    jv *root = jparse(&p);
    free(buf);
    return root;
}

static double counter(const irq_sim *sim, irq_scope scope, size_t i, const char *name)
{
    double v = -1;
    irq_error err = {0};
    if (irq_result_counter(sim, scope, i, name, &v, &err) != IRQ_OK)
        fail_msg("%s", err.message);
    return v;
}

/* Every counter of the item equals the JSON object's, and every number the
 * object holds directly is one of the API's counters. */
static void check_counters(const irq_sim *sim, irq_scope scope, size_t i, const jv *obj)
{
    size_t n = irq_result_ncounters(sim, scope), numbers = 0;
    assert_true(n > 0);
    assert_null(irq_result_counter_name(sim, scope, n));
    for (size_t k = 0; k < n; k++) {
        const char *name = irq_result_counter_name(sim, scope, k);
        check_num(jget(obj, name), counter(sim, scope, i, name), name);
    }
    for (size_t k = 0; k < obj->n; k++)
        if (obj->kids[k]->kind == 'n' && strcmp(obj->kids[k]->key, "guests") &&
            strcmp(obj->kids[k]->key, "vcpus"))
            numbers++;
    assert_int_equal(numbers, n);
}

static void check_latency(const irq_sim *sim, irq_scope scope, size_t i, const char *name,
                          const jv *obj, int parts_only)
{
    irq_latency l;
    irq_error err = {0};
    assert_int_equal(irq_result_latency(sim, scope, i, name, &l, &err), IRQ_OK);
    check_num(jget(obj, "mean"), l.mean, name);
    check_num(jget(obj, "p99"), l.p99, name);
    if (parts_only)
        return;
    check_num(jget(obj, "count"), (double)l.count, name);
    check_num(jget(obj, "p50"), l.p50, name);
    check_num(jget(obj, "p90"), l.p90, name);
    check_num(jget(obj, "p999"), l.p999, name);
    check_num(jget(obj, "max"), l.max, name);
    double q;
    assert_int_equal(irq_result_quantile(sim, scope, i, name, 0.99, &q, &err), IRQ_OK);
    assert_true(q == l.p99);
    assert_true(l.min <= l.p50 && l.p50 <= l.max);
}

static void check_states(const irq_sim *sim, irq_scope scope, size_t i, const jv *obj)
{
    for (size_t s = 0; s < irq_result_nstates(); s++) {
        const char *st = irq_result_state_name(s);
        double share = -1;
        assert_int_equal(irq_result_state(sim, scope, i, st, &share, NULL, NULL), IRQ_OK);
        check_num(jget(obj, st), share, st);
    }
    assert_null(irq_result_state_name(irq_result_nstates()));
}

static void check_cpu(const irq_sim *sim, int cpu, const jv *obj)
{
    for (size_t u = 0; u < irq_result_ncpu_uses(); u++) {
        const char *use = irq_result_cpu_use_name(u);
        double share = -1;
        assert_int_equal(irq_result_cpu_use(sim, cpu, use, &share, NULL, NULL), IRQ_OK);
        check_num(jget(obj, use), share, use);
    }
}

static void check_names(const irq_sim *sim, irq_scope scope, const jv *arr, const char *key)
{
    char name[256];
    assert_int_equal(irq_result_count(sim, scope), arr->n);
    for (size_t i = 0; i < arr->n; i++) {
        const char *json = key ? jget(arr->kids[i], key)->text : arr->kids[i]->key;
        assert_string_equal(irq_result_name(sim, scope, i, name, sizeof name), json);
        size_t found = SIZE_MAX;
        assert_int_equal(irq_result_find(sim, scope, json, &found, NULL), IRQ_OK);
        assert_int_equal(found, i);
    }
    assert_null(irq_result_name(sim, scope, arr->n, name, sizeof name));
}

static void check_totals(const irq_sim *sim, const jv *t)
{
    static const char *const parts[] = {"host_to_act", "run_queue", "wakeup", "delivery"};
    check_counters(sim, IRQ_SCOPE_TOTAL, 0, t);
    check_latency(sim, IRQ_SCOPE_TOTAL, 0, "delivered", jget(t, "latency_ns"), 0);
    check_latency(sim, IRQ_SCOPE_TOTAL, 0, "censored", jget(t, "latency_censored_ns"), 0);
    for (int i = 0; i < 4; i++)
        check_latency(sim, IRQ_SCOPE_TOTAL, 0, parts[i],
                      jget(jget(t, "latency_breakdown_ns"), parts[i]), 1);
    assert_int_equal(irq_result_nlatencies(sim, IRQ_SCOPE_TOTAL), 6);
    check_states(sim, IRQ_SCOPE_TOTAL, 0, jget(t, "state_share"));
    const jv *use = jget(t, "host_cpu_use"), *per = jget(use, "per_cpu");
    check_cpu(sim, -1, jget(use, "total"));
    assert_int_equal(irq_result_ncpus(sim), per->n);
    for (size_t c = 0; c < per->n; c++)
        check_cpu(sim, (int)c, per->kids[c]);
}

static void check_against_json(const char *file, const char *const *sets, size_t nsets)
{
    irq_scenario *sc;
    irq_sim *sim = run_file(file, sets, nsets, &sc);
    jv *root = report(sim);
    check_num(jget(root, "schema_version"), 2, "schema_version");
    check_totals(sim, jget(root, "totals"));
    const jv *byc = jget(jget(root, "totals"), "latency_by_class_ns");
    const jv *undc = jget(jget(root, "totals"), "undelivered_by_class");
    check_names(sim, IRQ_SCOPE_CLASS, byc, NULL);
    for (size_t i = 0; i < byc->n; i++) {
        check_latency(sim, IRQ_SCOPE_CLASS, i, "delivered", byc->kids[i], 0);
        check_counters(sim, IRQ_SCOPE_CLASS, i, undc->kids[i]);
    }
    const jv *groups = jget(root, "groups");
    check_names(sim, IRQ_SCOPE_GROUP, groups, "template");
    for (size_t i = 0; i < groups->n; i++) {
        check_counters(sim, IRQ_SCOPE_GROUP, i, groups->kids[i]);
        check_latency(sim, IRQ_SCOPE_GROUP, i, "delivered", jget(groups->kids[i], "latency_ns"), 0);
        check_states(sim, IRQ_SCOPE_GROUP, i, jget(groups->kids[i], "state_share"));
    }
    const jv *guests = jget(root, "guests");
    check_names(sim, IRQ_SCOPE_GUEST, guests, "name");
    for (size_t i = 0; i < guests->n; i++) {
        check_counters(sim, IRQ_SCOPE_GUEST, i, guests->kids[i]);
        check_latency(sim, IRQ_SCOPE_GUEST, i, "delivered", jget(guests->kids[i], "latency_ns"), 0);
    }
    const jv *as = jget(root, "assumptions");
    char buf[160];
    assert_int_equal(irq_result_nassumptions(sim), as->n);
    for (size_t i = 0; i < as->n; i++)
        assert_string_equal(irq_result_assumption(sim, i, buf, sizeof buf), as->kids[i]->text);
    assert_null(irq_result_assumption(sim, as->n, buf, sizeof buf));
    jfree(root);
    irq_sim_free(sim);
    irq_scenario_free(sc);
}

/* Every scenario in scenarios/, those longer than 50ms cut to 50ms to keep
 * the test quick under the sanitizers (the cut keeps their guests,
 * templates, sources and host CPUs). */
static void test_shipped_scenarios(void **state)
{
    (void)state;
    DIR *d = opendir(SCENARIO_DIR);
    assert_non_null(d);
    int n = 0;
    for (struct dirent *e; (e = readdir(d));) {
        size_t len = strlen(e->d_name);
        if (len < 6 || strcmp(e->d_name + len - 5, ".yaml"))
            continue;
        char path[1024];
        irq_scenario *sc;
        irq_error err = {0};
        snprintf(path, sizeof path, "%s/%s", SCENARIO_DIR, e->d_name);
        if (irq_scenario_load(&sc, path, NULL, 0, &err) != IRQ_OK)
            fail_msg("%s: %s", e->d_name, err.message);
        double seconds = (double)irq_scenario_duration(sc) / irq_scenario_clock_hz(sc);
        irq_scenario_free(sc);
        const char *cut[] = {"duration=50ms"};
        print_message("%s\n", e->d_name);
        check_against_json(e->d_name, cut, seconds > 0.05);
        n++;
    }
    closedir(d);
    assert_true(n >= 3);
}

/* vCPUs (not in the JSON) add up to their guests: kicks, and time in each
 * state; each vCPU's states cover the whole run. */
static void test_vcpu_scope(void **state)
{
    (void)state;
    const char *sets[] = {"duration=20ms"};
    irq_scenario *sc;
    irq_sim *sim = run_file("many-guests.yaml", sets, 1, &sc);
    double run_ns = (double)irq_scenario_duration(sc) * 1e9 / irq_scenario_clock_hz(sc);
    size_t nv = irq_result_count(sim, IRQ_SCOPE_VCPU), v = 0;
    char gname[128], vname[160];
    assert_true(nv > irq_result_count(sim, IRQ_SCOPE_GUEST));
    assert_int_equal(irq_result_ncounters(sim, IRQ_SCOPE_VCPU), 1);
    assert_int_equal(irq_result_nlatencies(sim, IRQ_SCOPE_VCPU), 0);
    assert_true(irq_result_nstates() <= 16);
    for (size_t g = 0; g < irq_result_count(sim, IRQ_SCOPE_GUEST); g++) {
        double kicks = 0, time[16] = {0};
        irq_result_name(sim, IRQ_SCOPE_GUEST, g, gname, sizeof gname);
        for (unsigned k = 0; v < nv; k++, v++) {
            snprintf(vname, sizeof vname, "%s/%u", gname, k);
            char got[160];
            if (strcmp(irq_result_name(sim, IRQ_SCOPE_VCPU, v, got, sizeof got), vname))
                break; /* the next guest's first vCPU */
            size_t found;
            assert_int_equal(irq_result_find(sim, IRQ_SCOPE_VCPU, vname, &found, NULL), IRQ_OK);
            assert_int_equal(found, v);
            kicks += counter(sim, IRQ_SCOPE_VCPU, v, "kicks");
            double all = 0;
            for (size_t st = 0; st < irq_result_nstates(); st++) {
                double ns;
                assert_int_equal(irq_result_state(sim, IRQ_SCOPE_VCPU, v, irq_result_state_name(st),
                                                  NULL, &ns, NULL),
                                 IRQ_OK);
                time[st] += ns;
                all += ns;
            }
            assert_true(fabs(all - run_ns) <= 1e-9 * run_ns);
        }
        assert_true(kicks == counter(sim, IRQ_SCOPE_GUEST, g, "kicks"));
        for (size_t st = 0; st < irq_result_nstates(); st++) {
            double ns;
            irq_result_state(sim, IRQ_SCOPE_GUEST, g, irq_result_state_name(st), NULL, &ns, NULL);
            assert_true(fabs(time[st] - ns) <= 1e-9 * run_ns);
        }
    }
    assert_int_equal(v, nv);
    irq_sim_free(sim);
    irq_scenario_free(sc);
}

/* ---- errors ---------------------------------------------------------------- */

#define SMALL                                                                                      \
    "name: t\nclock_hz: 1e9\nduration: 1ms\nhost: {cpus: 1}\nmodel: {name: direct}\n"              \
    "guests:\n  - {name: g, vcpus: 1}\n"                                                           \
    "sources:\n  - {name: s, target: g, class: 4, arrivals: periodic(100us)}\n"

static void expect_einput(int rc, const irq_error *err, const char *part)
{
    assert_int_equal(rc, IRQ_EINPUT);
    assert_int_equal(err->status, IRQ_EINPUT);
    if (!strstr(err->message, part))
        fail_msg("message '%s' lacks '%s'", err->message, part);
}

static void test_errors(void **state)
{
    (void)state;
    irq_scenario *sc;
    irq_sim *sim;
    irq_error err = {0};
    assert_int_equal(
        irq_scenario_load_string(&sc, "small.yaml", SMALL, strlen(SMALL), NULL, 0, &err), IRQ_OK);
    assert_int_equal(irq_sim_create(&sim, sc, &err), IRQ_OK);
    double v = 42;
    irq_latency l;
    expect_einput(irq_result_counter(sim, IRQ_SCOPE_TOTAL, 0, "injected", &v, &err), &err,
                  "has not run");
    assert_int_equal(irq_sim_run(sim, NULL, NULL, &err), IRQ_OK);

    expect_einput(irq_result_counter(sim, IRQ_SCOPE_GUEST, 0, "injectd", &v, &err), &err,
                  "unknown counter \"injectd\" for a guest");
    expect_einput(irq_result_counter(sim, IRQ_SCOPE_GUEST, 1, "injected", &v, &err), &err,
                  "guest index 1 out of range (the run has 1)");
    expect_einput(irq_result_counter(sim, IRQ_SCOPE_TOTAL, 1, "injected", &v, &err), &err,
                  "total index 1");
    expect_einput(irq_result_counter(sim, (irq_scope)99, 0, "injected", &v, &err), &err,
                  "unknown result scope 99");
    /* a class has only undelivered and oldest_pending_ns */
    expect_einput(irq_result_counter(sim, IRQ_SCOPE_CLASS, 0, "injected", &v, &err), &err,
                  "for a class");
    expect_einput(irq_result_counter(sim, IRQ_SCOPE_CLASS, 0, "timer_wakeups", &v, &err), &err,
                  "timer_wakeups");
    expect_einput(irq_result_counter(sim, IRQ_SCOPE_GUEST, 0, NULL, &v, &err), &err,
                  "unknown counter");
    assert_true(v == 42); /* untouched on failure */
    expect_einput(irq_result_latency(sim, IRQ_SCOPE_GUEST, 0, "run_queue", &l, &err), &err,
                  "unknown latency \"run_queue\" for a guest");
    expect_einput(irq_result_latency(sim, IRQ_SCOPE_CLASS, 1, "delivered", &l, &err), &err,
                  "class index 1 out of range");
    expect_einput(irq_result_quantile(sim, IRQ_SCOPE_TOTAL, 0, "delivered", 1.5, &v, &err), &err,
                  "not in [0, 1]");
    expect_einput(irq_result_quantile(sim, IRQ_SCOPE_TOTAL, 0, "delivered", NAN, &v, &err), &err,
                  "not in [0, 1]");
    expect_einput(irq_result_state(sim, IRQ_SCOPE_TOTAL, 0, "SLEEPING", &v, NULL, &err), &err,
                  "unknown vCPU state \"SLEEPING\"");
    expect_einput(irq_result_state(sim, IRQ_SCOPE_CLASS, 0, "WAIT", &v, NULL, &err), &err,
                  "a class has no vCPU states");
    expect_einput(irq_result_cpu_use(sim, 1, "idle", &v, NULL, &err), &err,
                  "host CPU 1 out of range");
    expect_einput(irq_result_cpu_use(sim, -2, "idle", &v, NULL, &err), &err, "host CPU -2");
    expect_einput(irq_result_cpu_use(sim, 0, "sleep", &v, NULL, &err), &err,
                  "unknown CPU use \"sleep\"");
    size_t i = 7;
    expect_einput(irq_result_find(sim, IRQ_SCOPE_GUEST, "h", &i, &err), &err,
                  "no guest named \"h\"");
    expect_einput(irq_result_find(sim, IRQ_SCOPE_CLASS, "5", &i, &err), &err,
                  "no class named \"5\"");
    assert_int_equal(i, 7);
    assert_true(v == 42);
    expect_einput(irq_result_counter(sim, IRQ_SCOPE_VCPU, 0, "injected", &v, &err), &err,
                  "for a vcpu");
    expect_einput(irq_result_latency(sim, IRQ_SCOPE_VCPU, 0, "delivered", &l, &err), &err,
                  "unknown latency \"delivered\" for a vcpu");
    expect_einput(irq_result_state(sim, IRQ_SCOPE_VCPU, 1, "WAIT", &v, NULL, &err), &err,
                  "vcpu index 1 out of range (the run has 1)");
    assert_int_equal(irq_result_count(sim, (irq_scope)99), 0);
    assert_int_equal(irq_result_ncounters(sim, (irq_scope)99), 0);
    assert_null(irq_result_counter_name(sim, IRQ_SCOPE_CLASS, 2));
    assert_null(irq_result_latency_name(sim, IRQ_SCOPE_GUEST, 1));
    assert_null(irq_result_cpu_use_name(irq_result_ncpu_uses()));
    char buf[8];
    assert_null(irq_result_name(sim, IRQ_SCOPE_GUEST, 1, buf, sizeof buf));
    assert_null(irq_result_name(sim, (irq_scope)99, 0, buf, sizeof buf));

    /* and the good paths of the same run: class 4, ten arrivals */
    assert_string_equal(irq_result_name(sim, IRQ_SCOPE_CLASS, 0, buf, sizeof buf), "4");
    assert_int_equal(irq_result_find(sim, IRQ_SCOPE_CLASS, "4", &i, &err), IRQ_OK);
    assert_int_equal(i, 0);
    assert_int_equal(irq_result_counter(sim, IRQ_SCOPE_GUEST, 0, "injected", &v, &err), IRQ_OK);
    assert_true(v == 10); /* periodic(100us) from 0 in 1ms: 0, 100us, ..., 900us */
    irq_sim_free(sim);
    irq_scenario_free(sc);
}

/* A scenario in memory: errors name the given name with line and column. */
static void test_load_string_error_position(void **state)
{
    (void)state;
    const char *text = "name: t\nduration: 1ms\nmodel: {name: direct}\n"
                       "guests:\n  - {name: g, vcpus: 1, wrkload: {}}\n";
    irq_scenario *sc = (irq_scenario *)&sc; /* must become NULL */
    irq_error err = {0};
    int rc = irq_scenario_load_string(&sc, "inline.yaml", text, strlen(text), NULL, 0, &err);
    assert_int_equal(rc, IRQ_EINPUT);
    assert_null(sc);
    assert_string_equal(err.file, "inline.yaml");
    assert_int_equal(err.line, 5);
    assert_int_equal(err.column, 25); /* "  - {name: g, vcpus: 1, " is 24 characters */
    assert_non_null(strstr(err.message, "wrkload"));
    /* only len bytes are read: the text cut before its guests has none */
    size_t cut = (size_t)(strstr(text, "guests:") - text);
    rc = irq_scenario_load_string(&sc, "cut.yaml", text, cut, NULL, 0, &err);
    assert_int_equal(rc, IRQ_EINPUT);
    assert_string_equal(err.file, "cut.yaml");
    assert_non_null(strstr(err.message, "guests"));
    /* a syntax error */
    rc = irq_scenario_load_string(&sc, "bad.yaml", "name: [t\n", 9, NULL, 0, &err);
    assert_int_equal(rc, IRQ_EINPUT);
    assert_string_equal(err.file, "bad.yaml");
    assert_int_equal(err.line, 2);
    assert_int_equal(irq_scenario_load_string(&sc, "x", NULL, 0, NULL, 0, &err), IRQ_EINPUT);
}

/* Relative data-file names in a scenario from memory are resolved against
 * the current directory: three replayed arrivals. */
static void test_load_string_relative_files(void **state)
{
    (void)state;
    char dir[] = "/tmp/irqsim-test-result-XXXXXX", old[1024], csv[1100];
    assert_non_null(mkdtemp(dir));
    assert_non_null(getcwd(old, sizeof old));
    snprintf(csv, sizeof csv, "%s/times.csv", dir);
    FILE *f = fopen(csv, "w");
    assert_non_null(f);
    fputs("10us\n20us\n30us\n", f);
    fclose(f);
    assert_int_equal(chdir(dir), 0);
    const char *text = "name: t\nclock_hz: 1e9\nduration: 1ms\nmodel: {name: direct}\n"
                       "guests:\n  - {name: g, vcpus: 1}\n"
                       "sources:\n  - {name: r, target: g, arrivals: replay(times.csv)}\n";
    irq_scenario *sc;
    irq_sim *sim;
    irq_error err = {0};
    int rc = irq_scenario_load_string(&sc, "mem.yaml", text, strlen(text), NULL, 0, &err);
    assert_int_equal(chdir(old), 0);
    unlink(csv);
    rmdir(dir);
    if (rc != IRQ_OK)
        fail_msg("%s:%u:%u: %s", err.file, err.line, err.column, err.message);
    assert_int_equal(irq_sim_create(&sim, sc, &err), IRQ_OK);
    assert_int_equal(irq_sim_run(sim, NULL, NULL, &err), IRQ_OK);
    double injected = 0;
    assert_int_equal(irq_result_counter(sim, IRQ_SCOPE_TOTAL, 0, "injected", &injected, &err),
                     IRQ_OK);
    assert_true(injected == 3);
    irq_sim_free(sim);
    irq_scenario_free(sc);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_shipped_scenarios),
        cmocka_unit_test(test_vcpu_scope),
        cmocka_unit_test(test_errors),
        cmocka_unit_test(test_load_string_error_position),
        cmocka_unit_test(test_load_string_relative_files),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
