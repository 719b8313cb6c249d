/* The scenario loader on arbitrary bytes, then (when they load) a short
 * run and every report format. */
#include "fuzz_common.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    static int ready;
    if (!ready) { /* data files the shipped scenarios name */
        fuzz_copy_data("replay.csv");
        fuzz_copy_data("samples.txt");
        ready = 1;
    }
    char path[256];
    fuzz_write(path, sizeof path, "s.yaml", data, size);
    irq_scenario *sc = NULL;
    irq_error err = {0};
    if (irq_scenario_load(&sc, path, NULL, 0, &err) == IRQ_OK)
        fuzz_run(sc);
    char buf[1024];
    irq_error_format(&err, buf, sizeof buf);
    irq_scenario_free(sc);
    return 0;
}
