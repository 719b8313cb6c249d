/* Replay and empirical data files: the input is the file that
 * replay(d.csv) and empirical(d.csv) read; the replay scenario is run. */
#include "fuzz_common.h"

static const char replay_yaml[] = "name: replay\n"
                                  "duration: 2ms\n"
                                  "model: {name: gib}\n"
                                  "guests:\n"
                                  "  - {name: g, vcpus: 2}\n"
                                  "sources:\n"
                                  "  - {name: r, target: g, arrivals: replay(d.csv)}\n";

static const char empirical_yaml[] = "name: empirical\n"
                                     "duration: 2ms\n"
                                     "model: {name: direct}\n"
                                     "guests:\n"
                                     "  - {name: g, vcpus: 2, workload: {busy: empirical(d.csv), "
                                     "idle: empirical(d.csv), handler: empirical(d.csv)}}\n"
                                     "sources:\n"
                                     "  - {name: s, target: g, arrivals: poisson(50k/s)}\n";

static void load_and_run(const char *name)
{
    char path[256];
    snprintf(path, sizeof path, "%s/%s", fuzz_dir(), name);
    irq_scenario *sc = NULL;
    irq_error err = {0};
    if (irq_scenario_load(&sc, path, NULL, 0, &err) == IRQ_OK)
        fuzz_run(sc);
    irq_scenario_free(sc);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    static int ready;
    if (!ready) {
        fuzz_write_str("replay.yaml", replay_yaml);
        fuzz_write_str("empirical.yaml", empirical_yaml);
        ready = 1;
    }
    char path[256];
    fuzz_write(path, sizeof path, "d.csv", data, size);
    load_and_run("replay.yaml");
    load_and_run("empirical.yaml");
    return 0;
}
