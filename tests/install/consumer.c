/* A regression test written against the installed library: a scenario in
 * memory, counts worked out by hand, read back through the result API.
 * Build: cc test.c $(pkg-config --cflags --libs irqsim) */
#include <irqsim/irqsim.h>

#include <stdio.h>
#include <string.h>

/* One idle vCPU, halted from 1us (after its 1us wait exit); ten arrivals
 * at 50us, 150us, ..., 950us. Each finds it halted: the model kicks it
 * (kicks, wakeups), its thread spends 5us waking up, then the guest entry
 * delivers: every latency is 5us. The 2us handler and the 1us wait exit
 * that follow put it back in its halt long before the next arrival. */
static const char scenario[] =
    "name: wake-path\n"
    "clock_hz: 1e9\n"
    "duration: 1ms\n"
    "host: {cpus: 1, sched: fifo, affinity: pinned, wakeup: 5us, wait_exit: 1us}\n"
    "model: {name: direct}\n"
    "guests:\n"
    "  - {name: g, vcpus: 1, workload: {start: idle, idle: const(10s), handler: const(2us)}}\n"
    "sources:\n"
    "  - {name: s, target: g, class: 1, arrivals: periodic(100us), start: 50us}\n";

static int failures;

static void expect(const char *what, double got, double want)
{
    if (got != want) {
        fprintf(stderr, "FAIL %s: %g, expected %g\n", what, got, want);
        failures++;
    }
}

/* Counter `name` of guest `guest` (-1 when the API says no). */
static double counter(const irq_sim *sim, const char *guest, const char *name)
{
    irq_error err;
    size_t i;
    double v;
    char msg[1024];
    if (irq_result_find(sim, IRQ_SCOPE_GUEST, guest, &i, &err) != IRQ_OK ||
        irq_result_counter(sim, IRQ_SCOPE_GUEST, i, name, &v, &err) != IRQ_OK) {
        fprintf(stderr, "%s\n", irq_error_format(&err, msg, sizeof msg));
        return -1;
    }
    return v;
}

int main(void)
{
    irq_scenario *sc = NULL;
    irq_sim *sim = NULL;
    irq_error err;
    irq_latency lat;
    char msg[1024];
    memset(&err, 0, sizeof err);
    int rc =
        irq_scenario_load_string(&sc, "wake-path.yaml", scenario, strlen(scenario), NULL, 0, &err);
    if (rc == IRQ_OK)
        rc = irq_sim_create(&sim, sc, &err);
    if (rc == IRQ_OK)
        rc = irq_sim_run(sim, NULL, NULL, &err);
    if (rc == IRQ_OK)
        rc = irq_result_latency(sim, IRQ_SCOPE_TOTAL, 0, "delivered", &lat, &err);
    if (rc != IRQ_OK) {
        fprintf(stderr, "%s\n", irq_error_format(&err, msg, sizeof msg));
        irq_sim_free(sim);
        irq_scenario_free(sc);
        return 1;
    }
    expect("injected", counter(sim, "g", "injected"), 10);
    expect("delivered", counter(sim, "g", "delivered"), 10);
    expect("kicks", counter(sim, "g", "kicks"), 10);
    expect("wakeups", counter(sim, "g", "wakeups"), 10); /* the direct model's own counter */
    expect("latency count", (double)lat.count, 10);
    expect("latency min", lat.min, 5000);
    expect("latency max", lat.max, 5000);
    irq_sim_free(sim);
    irq_scenario_free(sc);
    printf("irqsim %s: %s\n", IRQ_VERSION, failures ? "FAILED" : "ok");
    return failures != 0;
}
