/* Interrupts raised and delivered, whatever the model: raising one (a
 * source's arrival or a model's), the latches and FIFOs that hold pending
 * ones, and handing one to a vCPU (counted, traced, its latency recorded,
 * its handler started). */
#include <stdlib.h>

#include "latency_internal.h"
#include "sim_priv_internal.h"
#include "vcpu_internal.h"

/* Whether a delivery to v with plan (NULL: none) records its latency when
 * the handler starts rather than now: the model holds them
 * (irq_vcpu_latency_at_handler), or the plan's traps come first. */
static bool defers(const irq_vcpu *v, const irq_handler_plan *plan)
{
    return v->ld_hold || (plan && plan->npre > 0 && plan->pre_is_ack);
}

/* Traces a delivery (what: "deliver", or "coalesced" for an arrival
 * delivered with another), with its latency and path. */
static __attribute__((noinline)) void trace_delivery_on(irq_vcpu *v, const char *what, uint32_t cls,
                                                        uint64_t arrival, const char *path)
{
    irq_trace_info info = IRQ_TRACE_INFO_INIT;
    info.cls = (int32_t)cls;
    info.arrival = arrival;
    info.latency = (int64_t)(irq_now(v->sim) - arrival);
    info.path = path;
    irq_trace_event(v->sim, what, v->guest, v, -1, &info);
}

/* Inline: the test only, without a trace. */
static inline void trace_delivery(irq_vcpu *v, const char *what, uint32_t cls, uint64_t arrival,
                                  const char *path)
{
    if (v->sim->priv->tracing)
        trace_delivery_on(v, what, cls, arrival, path);
}

/* Every delivery, whatever the model: counted, traced, its latency
 * recorded (defer: when the handler starts). Inline, as pend_take: one call
 * less on every delivery. */
static inline __attribute__((always_inline)) void
deliver(irq_vcpu *v, uint32_t cls, uint64_t arrival, const char *path, bool defer)
{
    v->guest->delivered++;
    trace_delivery(v, "deliver", cls, arrival, path);
    irq__latency_deliver(v, cls, arrival, 0, defer);
}

bool irq_pend_add(irq_guest *g, irq_pend *pd, uint64_t arrival)
{
    if (pd->n == 0) {
        pd->first = arrival;
        pd->n = 1;
        g->pending++;
        return true;
    }
    if (pd->n - 1 == pd->cap) {
        uint32_t cap = irq__next_cap(pd->cap, 4, sizeof *pd->more);
        uint64_t *more = NULL;
        if (cap == 0)
            irq_sim_fail(g->sim,
                         "a latch of guest %s holds %u coalesced interrupts, the most "
                         "it can count",
                         g->name, pd->n);
        else if (irq__sim_charge(g->sim, (uint64_t)(cap - pd->cap) * sizeof *more,
                                 "coalesced interrupts") == 0 &&
                 !(more = realloc(pd->more, (size_t)cap * sizeof *more)))
            irq_sim_fail(g->sim, "out of memory holding coalesced interrupts");
        if (!more) {
            g->dropped++;
            return false;
        }
        pd->more = more;
        pd->cap = cap;
    }
    pd->more[pd->n - 1] = arrival;
    pd->n++;
    g->coalesced++;
    return false;
}

void irq_pend_deliver(irq_vcpu *v, irq_pend *pd, uint32_t cls)
{
    irq_pend_deliver_plan(v, pd, cls, NULL);
}

/* Every arrival the latch holds is delivered to v: counted, traced, its
 * latency recorded (now, or when the handler starts). */
static inline __attribute__((always_inline)) void pend_take(irq_vcpu *v, irq_pend *pd, uint32_t cls,
                                                            bool defer)
{
    v->guest->pending--;
    deliver(v, cls, pd->first, "latch", defer);
    for (uint32_t i = 0; i + 1 < pd->n; i++) {
        trace_delivery(v, "coalesced", cls, pd->more[i], "latch");
        irq__latency_deliver(v, cls, pd->more[i], 1, defer);
    }
    pd->n = 0;
}

void irq_pend_deliver_plan(irq_vcpu *v, irq_pend *pd, uint32_t cls, const irq_handler_plan *plan)
{
    if (pd->n == 0)
        return;
    pend_take(v, pd, cls, defers(v, plan));
    irq_vcpu_start_handler_plan(v, plan);
}

void irq_pend_consume(irq_vcpu *v, irq_pend *pd, uint32_t cls)
{
    if (pd->n == 0)
        return;
    pend_take(v, pd, cls, false);
}

void irq_consume_now(irq_vcpu *v, uint64_t arrival, uint32_t cls)
{
    deliver(v, cls, arrival, "direct", false);
}

void irq_drop_arrival(irq_guest *g, int counter)
{
    g->dropped++;
    if (counter >= 0)
        g->mcount[counter]++;
}

void irq_vcpu_latency_at_handler(irq_vcpu *v, bool on)
{
    v->ld_hold = on;
}

void irq_pend_drop(irq_guest *g, irq_pend *pd, int counter)
{
    if (pd->n == 0)
        return;
    g->pending--;
    irq_drop_arrival(g, counter);
    pd->n = 0;
}

void irq_pend_free(irq_pend *pd)
{
    free(pd->more);
    *pd = (irq_pend){0};
}

void irq_pend_walk(irq_guest *g, const irq_pend *pd, uint32_t cls,
                   void (*visit)(void *ud, irq_guest *g, uint32_t cls, uint64_t arrival), void *ud)
{
    if (pd->n == 0)
        return;
    visit(ud, g, cls, pd->first);
    for (uint32_t i = 0; i + 1 < pd->n; i++)
        visit(ud, g, cls, pd->more[i]);
}

void irq_fifo_walk(irq_guest *g, const irq_fifo *q, uint32_t cls,
                   void (*visit)(void *ud, irq_guest *g, uint32_t cls, uint64_t arrival), void *ud)
{
    for (uint32_t i = 0; i < q->len; i++)
        visit(ud, g, cls, q->t[(q->head + i) % q->cap]);
}

bool irq_fifo_add(irq_guest *g, irq_fifo *q, uint64_t arrival, uint32_t max, int counter)
{
    if (q->len >= max) {
        irq_drop_arrival(g, counter);
        return false;
    }
    if (q->len == q->cap && irq__sim_ring_grow(g->sim, "pending interrupts", (void **)&q->t,
                                               &q->cap, &q->head, q->len, sizeof *q->t, 8) != 0) {
        irq_drop_arrival(g, -1);
        return false;
    }
    q->t[(q->head + q->len) % q->cap] = arrival;
    q->len++;
    g->pending++;
    return true;
}

void irq_fifo_deliver(irq_vcpu *v, irq_fifo *q, uint32_t cls)
{
    if (q->len == 0)
        return;
    uint64_t arrival = q->t[q->head];
    q->head = (q->head + 1) % q->cap;
    q->len--;
    v->guest->pending--;
    deliver(v, cls, arrival, "fifo", defers(v, NULL));
    irq__vcpu_start_handler(v);
}

void irq_fifo_free(irq_fifo *q)
{
    free(q->t);
    *q = (irq_fifo){0};
}

void irq_deliver_now(irq_vcpu *v, uint64_t arrival, uint32_t cls)
{
    irq_deliver_now_plan(v, arrival, cls, NULL);
}

void irq_deliver_now_plan(irq_vcpu *v, uint64_t arrival, uint32_t cls, const irq_handler_plan *plan)
{
    deliver(v, cls, arrival, "direct", defers(v, plan));
    irq_vcpu_start_handler_plan(v, plan);
}

void irq_raise_intr(irq_intr *in)
{
    irq_guest *g = in->guest;
    struct irq_sim *sim = g->sim;
    in->arrival = irq_now(sim);
    g->injected++;
    if (in->source == UINT32_MAX)
        g->core[IRQ_GC_RAISED]++;
    if (sim->priv->tracing) {
        irq_trace_info info = IRQ_TRACE_INFO_INIT;
        info.cls = (int32_t)in->cls;
        info.source = in->source == UINT32_MAX ? -1 : (int32_t)in->source;
        info.injection = in->injection;
        irq_trace_event(sim, "arrival", g, in->vcpu, -1, &info);
    }
    sim->ops->inject(sim->model, in);
}

void irq_raise(irq_guest *g, irq_vcpu *vcpu, uint32_t cls, uint8_t injection, uint32_t source)
{
    irq_intr in = {.guest = g, .vcpu = vcpu, .cls = cls, .injection = injection, .source = source};
    irq_raise_intr(&in);
}
