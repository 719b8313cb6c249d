/* Helpers for tests that load a scenario from a string and run it, and read
 * its results through the public result API (irqsim/result.h).
 * Include after <cmocka.h>: run_ok fails the test on a failed run. */
#ifndef TEST_SIM_HELPERS_H
#define TEST_SIM_HELPERS_H

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "sim_priv_internal.h"

/* Writes text to a temporary .yaml file; returns its path (to free).
 * (irq_scenario_load_string loads text without a file.) */
static inline char *write_temp_yaml(const char *text)
{
    char *path = strdup("/tmp/irqsim-test-XXXXXX");
    int fd = mkstemp(path);
    if (fd < 0) {
        free(path);
        return NULL;
    }
    size_t len = strlen(text);
    if (write(fd, text, len) != (ssize_t)len) {
        close(fd);
        unlink(path);
        free(path);
        return NULL;
    }
    close(fd);
    return path;
}

/* Loads and runs a scenario given as text with optional overrides. Returns
 * the finished simulation (its scenario in *scp), or NULL with err set. */
/* Transitions of each vCPU (the first TEST_MAX_VCPUS, by id) into each
 * state, counted from the tracer's state changes: transitions are no
 * result, and the simulation keeps no count of them. */
#define TEST_MAX_VCPUS 64
typedef struct entry_counts {
    uint64_t n[TEST_MAX_VCPUS][IRQ_VCPU_NSTATES];
} entry_counts;

static inline void count_entry(void *ud, const irq_vcpu *v, int old, int new_state, uint64_t now)
{
    (void)old;
    (void)now;
    entry_counts *c = ud;
    if (v->id < TEST_MAX_VCPUS)
        c->n[v->id][new_state]++;
}

/* Starts counting the transitions of sim's vCPUs into c (before the run). */
static inline void count_entries(irq_sim *sim, entry_counts *c)
{
    irq_tracer t = {.vcpu_state = count_entry, .ud = c};
    irq_sim_set_tracer(sim, &t);
}

/* Transitions of v into state counted in c. */
static inline uint64_t entries_of(const entry_counts *c, const irq_vcpu *v, int state)
{
    if (!c || v->id >= TEST_MAX_VCPUS)
        fail_msg("transitions of vCPU %u were not counted", v->id);
    return c->n[v->id][state];
}

/* Loads and runs a scenario given as text with optional overrides,
 * counting the vCPUs' transitions into counts unless it is NULL. Returns
 * the finished simulation (its scenario in *scp), or NULL with err set. */
static inline irq_sim *run_text_counting(const char *yaml, const char *const *sets, size_t nsets,
                                         irq_scenario **scp, irq_error *err, int *rc_out,
                                         entry_counts *counts)
{
    irq_scenario *sc = NULL;
    irq_sim *sim = NULL;
    int rc = irq_scenario_load_string(&sc, "test.yaml", yaml, strlen(yaml), sets, nsets, err);
    if (rc == IRQ_OK)
        rc = irq_sim_create(&sim, sc, err);
    if (rc == IRQ_OK && counts)
        count_entries(sim, counts);
    if (rc == IRQ_OK)
        rc = irq_sim_run(sim, NULL, NULL, err);
    if (rc_out)
        *rc_out = rc;
    if (rc != IRQ_OK && rc != IRQ_ESIM) {
        irq_sim_free(sim);
        irq_scenario_free(sc);
        *scp = NULL;
        return NULL;
    }
    *scp = sc;
    return sim;
}

static inline irq_sim *run_text(const char *yaml, const char *const *sets, size_t nsets,
                                irq_scenario **scp, irq_error *err, int *rc_out)
{
    return run_text_counting(yaml, sets, nsets, scp, err, rc_out, NULL);
}

static inline irq_guest *guest_named(irq_sim *sim, const char *name)
{
    for (size_t i = 0; i < sim->priv->nguests; i++)
        if (!strcmp(sim->priv->guests[i].name, name))
            return &sim->priv->guests[i];
    return NULL;
}

/* A finished run, and its guest named "g" (NULL if there is none). */
typedef struct run {
    irq_scenario *sc;
    irq_sim *sim;
    irq_guest *g;
    entry_counts *entries; /* run_ok_entries: the vCPUs' transitions */
} run;

static inline run run_ok_with(const char *yaml, const char *const *sets, size_t nsets,
                              entry_counts *counts)
{
    run r = {.entries = counts};
    irq_error err = {0};
    int rc;
    r.sim = run_text_counting(yaml, sets, nsets, &r.sc, &err, &rc, counts);
    if (!r.sim || rc != IRQ_OK)
        fail_msg("run failed (%d): %s:%u:%u: %s", rc, err.file, err.line, err.column, err.message);
    r.g = guest_named(r.sim, "g");
    return r;
}

/* Loads and runs; fails the test unless the run succeeded. */
static inline run run_ok(const char *yaml, const char *const *sets, size_t nsets)
{
    return run_ok_with(yaml, sets, nsets, NULL);
}

/* run_ok, counting the vCPUs' transitions (r.entries, entries_of). */
static inline run run_ok_entries(const char *yaml, const char *const *sets, size_t nsets)
{
    entry_counts *c = calloc(1, sizeof *c);
    if (!c)
        fail_msg("out of memory");
    return run_ok_with(yaml, sets, nsets, c);
}

/* Every vCPU's time in its states adds up to the run's duration. */
static inline void assert_time_accounted(const irq_sim *sim, uint64_t cycles)
{
    for (size_t i = 0; i < sim->priv->nvcpus; i++) {
        uint64_t t = 0;
        for (int s = 0; s < IRQ_VCPU_NSTATES; s++)
            t += sim->priv->vcpus[i].time_in[s];
        assert_int_equal(t, cycles);
    }
}

#ifndef SCENARIO_DIR
#define SCENARIO_DIR "scenarios"
#endif

/* Loads and runs a shipped scenario (scenarios/NAME) with overrides,
 * calling progress (optional; its ud is the simulation) as the run goes;
 * fails the test unless the run succeeded. */
static inline run run_file_with(const char *name, const char *const *sets, size_t nsets,
                                irq_progress_fn progress)
{
    char path[512];
    irq_error err = {0};
    run r = {0};
    snprintf(path, sizeof path, "%s/%s", SCENARIO_DIR, name);
    int rc = irq_scenario_load(&r.sc, path, sets, nsets, &err);
    if (rc == IRQ_OK)
        rc = irq_sim_create(&r.sim, r.sc, &err);
    if (rc == IRQ_OK)
        rc = irq_sim_run(r.sim, progress, r.sim, &err);
    if (rc != IRQ_OK)
        fail_msg("%s: %s", path, err.message);
    r.g = guest_named(r.sim, "g");
    return r;
}

/* The same with an optional override and no progress calls. */
static inline run run_file_ok(const char *name, const char *set)
{
    const char *sets[1] = {set};
    return run_file_with(name, sets, set ? 1 : 0, NULL);
}

static inline void run_free(run *r)
{
    irq_sim_free(r->sim);
    irq_scenario_free(r->sc);
    free(r->entries);
}

/* x as a whole number; fails the test when it is not one (the tests' clock
 * is 1 GHz, so their times in ns are whole numbers of cycles). */
static inline uint64_t whole(double x)
{
    if (!(x >= 0 && x == floor(x) && x < 18446744073709551616.0))
        fail_msg("%.17g is not a whole number", x);
    return (uint64_t)x;
}

/* The index of the item of a scope with that name; fails the test if none. */
static inline size_t result_item(const irq_sim *sim, irq_scope scope, const char *name)
{
    irq_error err = {0};
    size_t i = 0;
    if (irq_result_find(sim, scope, name, &i, &err) != IRQ_OK)
        fail_msg("%s", err.message);
    return i;
}

/* Counter `name` of a guest, read through the public result API: the core's
 * (injected, kicks, halt_wakeup...) or the model's. Fails the test on an
 * unknown guest or counter. */
static inline uint64_t guest_counter(const irq_sim *sim, const char *guest, const char *name)
{
    irq_error err = {0};
    double v = 0;
    if (irq_result_counter(sim, IRQ_SCOPE_GUEST, result_item(sim, IRQ_SCOPE_GUEST, guest), name, &v,
                           &err) != IRQ_OK)
        fail_msg("%s", err.message);
    return whole(v);
}

/* The same for a guest given by its struct (tests that also look inside). */
static inline uint64_t mcount(const irq_sim *sim, const irq_guest *g, const char *name)
{
    return guest_counter(sim, g->name, name);
}

/* A latency in whole ns, through the public result API. */
typedef struct lat_ns {
    uint64_t count, min, max, sum, p50;
} lat_ns;

/* Latency `which` ("delivered", "run_queue", ...) of item `item` of a
 * scope (NULL for the total). */
static inline lat_ns result_latency(const irq_sim *sim, irq_scope scope, const char *item,
                                    const char *which)
{
    irq_error err = {0};
    irq_latency l;
    size_t i = item ? result_item(sim, scope, item) : 0;
    if (irq_result_latency(sim, scope, i, which, &l, &err) != IRQ_OK)
        fail_msg("%s", err.message);
    return (lat_ns){whole((double)l.count), whole(l.min), whole(l.max), whole(l.sum), whole(l.p50)};
}

/* The delivered latency of a guest. */
static inline lat_ns guest_latency(const irq_sim *sim, const char *guest)
{
    return result_latency(sim, IRQ_SCOPE_GUEST, guest, "delivered");
}

/* Time in ns the vCPUs of an item ("g", or "g/0" for a vCPU) spent in a
 * vCPU state (RUNNING, WAIT...). */
static inline uint64_t state_ns(const irq_sim *sim, irq_scope scope, const char *item,
                                const char *state)
{
    irq_error err = {0};
    double ns = 0;
    if (irq_result_state(sim, scope, result_item(sim, scope, item), state, NULL, &ns, &err) !=
        IRQ_OK)
        fail_msg("%s", err.message);
    return whole(ns);
}

static inline uint64_t guest_state_ns(const irq_sim *sim, const char *guest, const char *state)
{
    return state_ns(sim, IRQ_SCOPE_GUEST, guest, state);
}

/* vcpu: "guest/index", e.g. "g/1". */
static inline uint64_t vcpu_state_ns(const irq_sim *sim, const char *vcpu, const char *state)
{
    return state_ns(sim, IRQ_SCOPE_VCPU, vcpu, state);
}

/* The JSON report as a string (to free), with the value of "wall_seconds"
 * (the one field that depends on the machine) cut out. */
static inline char *report_json(const irq_sim *sim)
{
    char *buf = NULL;
    size_t len = 0;
    FILE *f = open_memstream(&buf, &len);
    irq_sim_write_report(sim, IRQ_FORMAT_JSON, f);
    fclose(f);
    char *w = strstr(buf, "\"wall_seconds\": ");
    if (w) {
        char *v = w + 16, *end = strchr(v, ',');
        if (end)
            memmove(v, end, strlen(end) + 1);
    }
    return buf;
}

#endif
