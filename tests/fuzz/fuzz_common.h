/* Shared by the fuzz harnesses: a private folder for the files an input
 * becomes (the loader reads paths), and a bounded run. Each harness
 * defines LLVMFuzzerTestOneInput; libFuzzer (make fuzz) or replay_main.c
 * (make test: every corpus input once, no mutation) drives it. */
#ifndef IRQ_FUZZ_COMMON_H
#define IRQ_FUZZ_COMMON_H

#include <fcntl.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "irqsim/irqsim.h"
#include "scenario_internal.h"

/* A fuzzed run is bounded so that a slow but valid input is not a hang:
 * FUZZ_MAX_EVENTS events, FUZZ_MAX_MEMORY bytes held, a machine of at
 * most FUZZ_MAX_VCPUS vCPUs (bigger ones are loaded, not run). */
#define FUZZ_MAX_EVENTS 20000u
#define FUZZ_MAX_MEMORY (16u << 20)
#define FUZZ_MAX_VCPUS 2048u
#define FUZZ_MAX_CPUS 4096u

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

/* The harness's folder, made once per process (removed at exit). */
static char fuzz_dir_path[64];

static inline void fuzz_dir_remove(void)
{
    char cmd[128];
    snprintf(cmd, sizeof cmd, "rm -rf '%s'", fuzz_dir_path);
    if (system(cmd) != 0)
        fprintf(stderr, "fuzz: could not remove %s\n", fuzz_dir_path);
}

static inline const char *fuzz_dir(void)
{
    if (!fuzz_dir_path[0]) {
        snprintf(fuzz_dir_path, sizeof fuzz_dir_path, "/tmp/irqsim-fuzz-XXXXXX");
        if (!mkdtemp(fuzz_dir_path))
            abort();
        atexit(fuzz_dir_remove);
    }
    return fuzz_dir_path;
}

/* Writes data as DIR/name; returns the path (static buffer per call site). */
static inline void fuzz_write(char *path, size_t len, const char *name, const void *data,
                              size_t size)
{
    snprintf(path, len, "%s/%s", fuzz_dir(), name);
    FILE *f = fopen(path, "wb");
    if (!f || fwrite(data, 1, size, f) != size || fclose(f) != 0)
        abort();
}

static inline void fuzz_write_str(const char *name, const char *text)
{
    char path[256];
    fuzz_write(path, sizeof path, name, text, strlen(text));
}

/* Copies FUZZ_DATA_DIR/name (tests/data) into the folder, so that inputs
 * naming replay.csv or samples.txt find them. */
static inline void fuzz_copy_data(const char *name)
{
    char src[1024];
    snprintf(src, sizeof src, "%s/%s", FUZZ_DATA_DIR, name);
    FILE *f = fopen(src, "rb");
    if (!f)
        return;
    char buf[1 << 16];
    size_t n = fread(buf, 1, sizeof buf, f);
    fclose(f);
    char path[256];
    fuzz_write(path, sizeof path, name, buf, n);
}

/* Runs a loaded scenario within the fuzz budgets and writes every report
 * format; whatever happens must be a status, never a crash. */
static inline void fuzz_run(const irq_scenario *sc)
{
    if (sc->total_vcpus > FUZZ_MAX_VCPUS || sc->host[IRQ_HOST_CPUS].i > FUZZ_MAX_CPUS)
        return;
    irq_sim *sim = NULL;
    irq_error err = {0};
    if (irq_sim_create(&sim, sc, &err) == IRQ_OK) {
        irq_sim_set_event_limit(sim, FUZZ_MAX_EVENTS);
        irq_sim_set_memory_limit(sim, FUZZ_MAX_MEMORY);
        irq_sim_run(sim, NULL, NULL, &err);
        FILE *null = fopen("/dev/null", "w");
        if (null) {
            irq_sim_write_report(sim, IRQ_FORMAT_TEXT, null);
            irq_sim_write_report(sim, IRQ_FORMAT_JSON, null);
            irq_sim_write_report(sim, IRQ_FORMAT_CSV, null);
            fclose(null);
        }
    }
    irq_sim_free(sim);
}

#endif
