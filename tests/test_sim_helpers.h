/* Helpers for tests that load a scenario from a string and run it.
 * Include after <cmocka.h>: run_ok fails the test on a failed run. */
#ifndef TEST_SIM_HELPERS_H
#define TEST_SIM_HELPERS_H

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "sim_priv_internal.h"

/* Writes text to a temporary .yaml file; returns its path (to free). */
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
static inline irq_sim *run_text(const char *yaml, const char *const *sets, size_t nsets,
                                irq_scenario **scp, irq_error *err, int *rc_out)
{
    char *path = write_temp_yaml(yaml);
    irq_scenario *sc = NULL;
    irq_sim *sim = NULL;
    int rc = path ? irq_scenario_load(&sc, path, sets, nsets, err) : IRQ_EIO;
    if (path) {
        unlink(path);
        free(path);
    }
    if (rc == IRQ_OK)
        rc = irq_sim_create(&sim, sc, err);
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
} run;

/* Loads and runs; fails the test unless the run succeeded. */
static inline run run_ok(const char *yaml, const char *const *sets, size_t nsets)
{
    run r = {0};
    irq_error err = {0};
    int rc;
    r.sim = run_text(yaml, sets, nsets, &r.sc, &err, &rc);
    if (!r.sim || rc != IRQ_OK)
        fail_msg("run failed (%d): %s:%u:%u: %s", rc, err.file, err.line, err.column, err.message);
    r.g = guest_named(r.sim, "g");
    return r;
}

static inline void run_free(run *r)
{
    irq_sim_free(r->sim);
    irq_scenario_free(r->sc);
}

/* Index of a model counter by name, or -1. */
static inline int counter_index(const irq_sim *sim, const char *name)
{
    for (size_t i = 0; i < sim->ops->ncounters; i++)
        if (!strcmp(sim->ops->counters[i].name, name))
            return (int)i;
    return -1;
}

/* A model counter, or one the core keeps for every model (halt_wakeup...). */
static inline uint64_t mcount(irq_sim *sim, const irq_guest *g, const char *name)
{
    int i = counter_index(sim, name);
    if (i >= 0)
        return g->mcount[i];
    for (int k = 0; k < IRQ_GC_N; k++)
        if (!strcmp(irq_guest_counter_names[k], name))
            return g->core[k];
    return UINT64_MAX;
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
