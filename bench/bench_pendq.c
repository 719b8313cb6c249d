/* Pending queues in steady state: N classes pending (random intids of
 * 2^20); each step takes the head out (a drop: the same queue work as a
 * delivery, without starting a handler) and pends a class that is not
 * pending (the next in a table of random intids, skipping pending ones:
 * nothing coalesces, so the held arrivals cannot pile up on classes that a
 * priority order starves). Reports ns per step (hash probes included) and
 * the heap bytes held at the start and the end of the steps. In the
 * priority runs every intid gets priority intid % 32 before it is pended:
 * an intid with a priority set keeps its entry (that is its state), so
 * there the bytes count every intid of the table seen so far.
 *
 * usage: bench-pendq [--quick] */
#ifndef _POSIX_C_SOURCE
#define _POSIX_C_SOURCE 199309L /* clock_gettime */
#endif

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "sim_internal.h"

#define TABLE_BITS 16
#define TABLE_MASK ((1u << TABLE_BITS) - 1)

static double now_s(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec + (double)ts.tv_nsec * 1e-9;
}

static int run(irq_guest *g, irq_pq_order order, uint32_t n, uint64_t steps, const uint32_t *ids)
{
    irq_pendq q;
    irq_pendq_cfg cfg = {.order = order, .nprio = 32};
    if (!irq_pendq_init(&q, g, &cfg))
        return -1;
    uint64_t t = 0, k = 0;
    while (irq_pendq_npending(&q) < n) {
        uint32_t id = ids[k++ & TABLE_MASK];
        if (order == IRQ_PQ_PRIO)
            irq_pendq_set_prio(&q, id, id % 32);
        irq_pendq_pend(&q, id, t++);
    }
    size_t bytes0 = irq_pendq_bytes(&q);
    double t0 = now_s();
    for (uint64_t i = 0; i < steps; i++) {
        irq_pendq_drop(&q, irq_pendq_head(&q), -1);
        uint32_t id;
        do
            id = ids[k++ & TABLE_MASK];
        while (irq_pendq_is_pending(&q, id));
        if (order == IRQ_PQ_PRIO)
            irq_pendq_set_prio(&q, id, id % 32);
        irq_pendq_pend(&q, id, t++);
    }
    double dt = now_s() - t0;
    size_t bytes1 = irq_pendq_bytes(&q);
    printf("%-4s N=%-6u %6.1f ns/step  bytes %zu at the start, %zu at the end\n",
           order == IRQ_PQ_FIFO ? "fifo" : "prio", n, dt * 1e9 / (double)steps, bytes0, bytes1);
    irq_pendq_free(&q);
    return 0;
}

int main(int argc, char **argv)
{
    int quick = argc > 1 && strcmp(argv[1], "--quick") == 0;
    char path[1024];
    snprintf(path, sizeof path, "%s/many-guests.yaml", SCENARIO_DIR);
    irq_scenario *sc = NULL;
    irq_sim *sim = NULL;
    irq_error err = {0};
    if (irq_scenario_load(&sc, path, NULL, 0, &err) != IRQ_OK ||
        irq_sim_create(&sim, sc, &err) != IRQ_OK) {
        fprintf(stderr, "bench-pendq: %s\n", err.message);
        irq_scenario_free(sc);
        return 1;
    }
    irq_guest *g = irq_sim_guest(sim, 0); /* only its counters are used */
    uint32_t *ids = malloc(sizeof *ids * (TABLE_MASK + 1));
    if (!ids)
        return 1;
    irq_rng rng;
    irq_rng_seed(&rng, 1, "bench-pendq", 0);
    for (uint32_t i = 0; i <= TABLE_MASK; i++)
        ids[i] = (uint32_t)irq_rng_below(&rng, UINT32_C(1) << 20);
    uint64_t steps = quick ? 200000 : 5000000;
    static const uint32_t ns[] = {16, 256, 4096, 30000};
    int rc = 0;
    for (int o = 0; o < 2 && rc == 0; o++)
        for (size_t i = 0; i < sizeof ns / sizeof ns[0] && rc == 0; i++)
            rc = run(g, o ? IRQ_PQ_PRIO : IRQ_PQ_FIFO, ns[i], steps, ids);
    if (rc == 0 && irq_sim_failure(sim)) {
        fprintf(stderr, "bench-pendq: %s\n", irq_sim_failure(sim));
        rc = 1;
    }
    free(ids);
    irq_sim_free(sim);
    irq_scenario_free(sc);
    return rc ? 1 : 0;
}
