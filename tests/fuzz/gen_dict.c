/* Writes the libFuzzer dictionary of scenario words to stdout: every
 * parameter name and enum choice of the host's and the models' tables (the
 * same tables that drive the loader), the model names, then the scenario's
 * structure, distributions, arrivals and units. make fuzz runs it, so the
 * dictionary follows the tables. */
#include <stdio.h>

#include "model_internal.h"
#include "param_internal.h"
#include "scenario_internal.h"

static void word(const char *w)
{
    putchar('"');
    for (const unsigned char *c = (const unsigned char *)w; *c; c++) {
        if (*c == '"' || *c == '\\' || *c < 0x20 || *c >= 0x7f)
            printf("\\x%02X", *c);
        else
            putchar(*c);
    }
    puts("\"");
}

static void table(const irq_param_desc *d, size_t n)
{
    for (size_t i = 0; i < n; i++) {
        char key[128];
        snprintf(key, sizeof key, "%s: ", d[i].name);
        word(key);
        for (size_t c = 0; d[i].choices && d[i].choices[c]; c++)
            word(d[i].choices[c]);
        if (d[i].def)
            word(d[i].def);
    }
}

int main(void)
{
    static const char *const fixed[] = {
        /* structure (scenario.c's key lists) */
        "name: ", "seed: ", "clock_hz: ", "duration: ", "host: ", "model: ", "guests: ",
        "sources: ", "output: ", "limits: ", "max_memory: ", "max_events: ", "count: ", "vcpus: ",
        "workload: ", "vcpu: ", "vcpu_overrides: ", "index: ", "target: ", "class: ", "injection: ",
        "arrivals: ", "start: ", "stop: ", "format: ", "dir: ", "busy: ", "idle: ", "handler: ",
        "stopped: ", "enabled: ", "- ", "{", "}", "[", "]", ": ", ", ", "\n  - ", "&a ", "*a", "~",
        "null", "true", "false", "software", "passthrough", "json", "csv", "text",
        /* distributions and arrivals (dist_parse.c, scenario.c) */
        "exp(", "uniform(", "const(", "normal(", "lognormal(", "empirical(",
        "mean=", "sd=", "poisson(", "periodic(", "storm(", "replay(",
        "jitter=", "window=", "period=", "start=", "spacing=", "even", "random", "samples.txt",
        "replay.csv",
        /* numbers and units */
        "ns", "us", "ms", "s", "cycles", "/s", "/ms", "/us", "k/s", "M/s", "Hz", "MHz", "GHz",
        "1e300", "1e-300", "0", "-1", "+5", "18446744073709551615", "4294967296", "0x10", ".5",
        "nan", "inf"};
    for (size_t i = 0; i < sizeof fixed / sizeof *fixed; i++)
        word(fixed[i]);
    table(irq_host_params, IRQ_HOST_NPARAMS);
    size_t n;
    const irq_model_ops *const *models = irq_model_list(&n);
    for (size_t m = 0; m < n; m++) {
        word(models[m]->name);
        table(models[m]->params, models[m]->nparams);
        table(models[m]->guest_params, models[m]->nguest_params);
        table(models[m]->vcpu_params, models[m]->nvcpu_params);
    }
    return 0;
}
