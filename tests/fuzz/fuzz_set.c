/* `--set` overrides and the value parsers. Each line of the input is one
 * override applied to a small valid scenario (then loaded, and run when
 * valid), and is also given as is to the distribution, duration, rate and
 * call parsers. */
#include "dist_internal.h"
#include "fuzz_common.h"
#include "loader_internal.h"

static const char base[] = "name: base\n"
                           "duration: 1ms\n"
                           "model: {name: gib}\n"
                           "guests:\n"
                           "  - {name: g, count: 2, vcpus: 2, workload: {busy: exp(20us), "
                           "idle: exp(50us), handler: empirical(samples.txt)}}\n"
                           "sources:\n"
                           "  - {name: s, target: g, arrivals: poisson(20k/s)}\n"
                           "  - {name: r, target: g-1, class: 3, arrivals: replay(replay.csv)}\n";

static void parse_value(const char *text)
{
    char why[512];
    double x;
    irq_dist d = {0};
    if (irq_dist_parse(&d, text, 2.5e9, fuzz_dir(), why, sizeof why) == 0) {
        irq_rng r;
        irq_rng_seed(&r, 1, "fuzz", 0);
        for (int i = 0; i < 16; i++)
            irq_dist_sample(&d, &r);
        char desc[256];
        irq_dist_describe(&d, desc, sizeof desc);
        irq_dist_mean(&d);
    }
    irq_dist_free(&d);
    irq_parse_duration(text, 2.5e9, &x, why, sizeof why);
    irq_parse_rate(text, 2.5e9, &x, why, sizeof why);
    irq_call call;
    irq__call_parse(&call, text, why, sizeof why);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    static char path[256];
    if (!path[0]) {
        fuzz_copy_data("replay.csv");
        fuzz_copy_data("samples.txt");
        fuzz_write(path, sizeof path, "base.yaml", base, sizeof base - 1);
    }
    if (size > 4096)
        return 0;
    char *text = malloc(size + 1);
    if (!text)
        return 0;
    memcpy(text, data, size);
    text[size] = 0;
    const char *sets[16];
    size_t n = 0;
    for (char *line = text, *next; line && n < 16; line = next) {
        next = strchr(line, '\n');
        if (next)
            *next++ = 0;
        sets[n++] = line;
        parse_value(line);
        const char *eq = strchr(line, '=');
        if (eq)
            parse_value(eq + 1);
    }
    irq_scenario *sc = NULL;
    irq_error err = {0};
    if (irq_scenario_load(&sc, path, sets, n, &err) == IRQ_OK)
        fuzz_run(sc);
    irq_scenario_free(sc);
    free(text);
    return 0;
}
