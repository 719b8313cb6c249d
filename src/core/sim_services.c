/* Services of a simulation for the core and the models: accessors, timers,
 * random streams, failing the run, trace hooks, the memory budget and the
 * growth of its queues. They only touch the simulation's state
 * (sim_priv_internal.h) and the engine: every other module of the core may
 * use them, they use none. */
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "sim_priv_internal.h"

/* ---- accessors for models ---------------------------------------------- */

const irq_param_value *irq_sim_model_params(const struct irq_sim *sim)
{
    return sim->sc->model_params;
}
const irq_scenario *irq_sim_scenario(const struct irq_sim *sim)
{
    return sim->sc;
}
size_t irq_sim_nguests(const struct irq_sim *sim)
{
    return sim->priv->nguests;
}
irq_guest *irq_sim_guest(struct irq_sim *sim, size_t i)
{
    return &sim->priv->guests[i];
}

irq_guest *irq_sim_guest_of(struct irq_sim *sim, uint32_t tmpl, uint64_t instance)
{
    return &sim->priv->guests[sim->priv->tmpl_first[tmpl] + instance];
}
uint32_t irq_sim_ncpus(const struct irq_sim *sim)
{
    return sim->priv->npcpus;
}
irq_timer_id irq_sim_timer_new(struct irq_sim *sim, irq_event_fn fn, void *ctx, uint64_t arg)
{
    irq_timer_id t = irq_timer_new(&sim->eng, fn, ctx, arg);
    if (t == UINT32_MAX)
        irq_sim_fail(sim, "out of memory or timer ids (%u max)", IRQ_MAX_TIMERS);
    return t;
}
void irq_sim_timer_arm(struct irq_sim *sim, irq_timer_id t, uint64_t when)
{
    irq_timer_arm(&sim->eng, t, when);
}
void irq_sim_timer_cancel(struct irq_sim *sim, irq_timer_id t)
{
    irq_timer_cancel(&sim->eng, t);
}
bool irq_sim_timer_armed(const struct irq_sim *sim, irq_timer_id t)
{
    return irq_timer_armed(&sim->eng, t);
}
void irq_sim_rng(const struct irq_sim *sim, irq_rng *r, const char *stream, uint64_t index)
{
    irq_rng_seed(r, sim->sc->seed, stream, index);
}

void irq_sim_fail(struct irq_sim *sim, const char *fmt, ...)
{
    struct irq_sim_priv *p = sim->priv;
    if (p->failed)
        return; /* keep the first reason */
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(p->fail_msg, sizeof p->fail_msg, fmt, ap);
    va_end(ap);
    p->failed = true;
    p->stop = 1;
}

void irq_sim_set_tracer(struct irq_sim *sim, const irq_tracer *t)
{
    sim->priv->tracer = *t;
    sim->priv->tracing = true;
}

void irq_trace_event(struct irq_sim *sim, const char *what, const irq_guest *g, const irq_vcpu *v,
                     int cpu, const irq_trace_info *info)
{
    struct irq_sim_priv *p = sim->priv;
    if (p->tracing && p->tracer.instant)
        p->tracer.instant(p->tracer.ud, what, g, v, cpu, info, irq_now(sim));
}

void irq_trace_kick_reason(struct irq_sim *sim, const char *reason)
{
    sim->priv->kick_reason = reason;
}

void irq_trace_counter(struct irq_sim *sim, const char *name, const irq_guest *g, uint64_t value)
{
    struct irq_sim_priv *p = sim->priv;
    if (p->tracing && p->tracer.counter)
        p->tracer.counter(p->tracer.ud, name, g, value, irq_now(sim));
}

void irq_trace_instant(struct irq_sim *sim, const char *what, const irq_guest *g, const irq_vcpu *v,
                       int cpu)
{
    irq_trace_event(sim, what, g, v, cpu, NULL);
}

const char *const irq_guest_counter_names[IRQ_GC_N] = {
    [IRQ_GC_HALT_WAKEUP] = "halt_wakeup",
    [IRQ_GC_HALT_ATTEMPTED] = "halt_attempted_poll",
    [IRQ_GC_HALT_SUCCESSFUL] = "halt_successful_poll",
    [IRQ_GC_HALT_POLL_INVALID] = "halt_poll_invalid",
    [IRQ_GC_HALT_POLL_OK_NS] = "halt_poll_success_ns",
    [IRQ_GC_HALT_POLL_FAIL_NS] = "halt_poll_fail_ns",
    [IRQ_GC_HALT_SLEEP_AGAIN] = "halt_sleep_again",
    [IRQ_GC_IPI_EXITS] = "ipi_exits",
    [IRQ_GC_TRAPS] = "traps",
    [IRQ_GC_RAISED] = "raised",
    [IRQ_GC_BLOCKED] = "host_blocks",
    [IRQ_GC_TIMER_WAKEUPS] = "timer_wakeups",
};

static const char *fmt_bytes(char *buf, size_t len, uint64_t b)
{
    static const char *const unit[] = {"bytes", "KiB", "MiB", "GiB", "TiB", "PiB", "EiB"};
    double x = (double)b;
    int u = 0;
    while (x >= 1024 && u < 6)
        x /= 1024, u++;
    snprintf(buf, len, u ? "%.3g %s" : "%.0f %s", x, unit[u]);
    return buf;
}

/* Charges bytes more of held interrupts or queued host work to the run's
 * memory budget; on refusal the run fails naming the limit and the option
 * that raises it. */
int irq__sim_charge(struct irq_sim *sim, uint64_t bytes, const char *what)
{
    struct irq_sim_priv *p = sim->priv;
    if (bytes <= p->mem_limit && p->held_bytes <= p->mem_limit - bytes) {
        p->held_bytes += bytes;
        return 0;
    }
    char lim[32], held[32];
    irq_sim_fail(sim,
                 "memory limit of %s reached holding %s (%s held; --max-memory or "
                 "limits.max_memory raises it)",
                 fmt_bytes(lim, sizeof lim, p->mem_limit), what,
                 fmt_bytes(held, sizeof held, p->held_bytes));
    return -1;
}

/* The next capacity of a doubling array: first when empty, else twice cap,
 * as long as that many elem-byte items fit in a uint32_t count and a
 * size_t byte size; 0 when they do not. */
uint32_t irq__next_cap(uint32_t cap, uint32_t first, size_t elem)
{
    uint64_t n = cap ? (uint64_t)cap * 2 : first;
    if (n > UINT32_MAX || n > SIZE_MAX / elem)
        return 0;
    return (uint32_t)n;
}

int irq_ring_grow(void **buf, uint32_t *cap, uint32_t *head, uint32_t len, size_t elem,
                  uint32_t first_cap)
{
    uint32_t ncap = irq__next_cap(*cap, first_cap, elem);
    char *to = ncap ? malloc((size_t)ncap * elem) : NULL;
    if (!to)
        return -1;
    const char *from = *buf;
    uint32_t first = len < *cap - *head ? len : *cap - *head; /* up to the end */
    if (len > 0) {
        memcpy(to, from + (size_t)*head * elem, (size_t)first * elem);
        memcpy(to + (size_t)first * elem, from, (size_t)(len - first) * elem);
    }
    free(*buf);
    *buf = to;
    *cap = ncap;
    *head = 0;
    return 0;
}

int irq__sim_ring_grow(struct irq_sim *sim, const char *what, void **buf, uint32_t *cap,
                       uint32_t *head, uint32_t len, size_t elem, uint32_t first_cap)
{
    uint32_t ncap = irq__next_cap(*cap, first_cap, elem);
    if (ncap == 0) {
        irq_sim_fail(sim, "more than %u %s held at once, the most a queue can count", *cap, what);
        return -1;
    }
    if (irq__sim_charge(sim, (uint64_t)(ncap - *cap) * elem, what) != 0)
        return -1;
    if (irq_ring_grow(buf, cap, head, len, elem, first_cap) != 0) {
        irq_sim_fail(sim, "out of memory holding %s", what);
        return -1;
    }
    return 0;
}
