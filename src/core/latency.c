/* Interrupt latency: recording it per guest, per class and over all
 * guests (and to the latency sink), where it went (latency_breakdown), and
 * holding it while a handler plan's traps run before the handler. Also the
 * model's own distributions. */
#include <stdlib.h>
#include <string.h>

#include "latency_internal.h"
#include "sim_priv_internal.h"

size_t irq__class_index(const struct irq_sim_priv *p, uint32_t cls)
{
    size_t lo = 0, hi = p->ncls;
    while (lo < hi) {
        size_t mid = (lo + hi) / 2;
        if (p->cls_values[mid] < cls)
            lo = mid + 1;
        else
            hi = mid;
    }
    return lo;
}

/* Inline: seven per delivered interrupt, the common case a few
 * instructions (irq_hist_add), which a call would double. */
static inline __attribute__((always_inline)) void hist_add(struct irq_sim *sim, irq_hist *h,
                                                           uint64_t v)
{
    if (irq_hist_add(h, v) != 0)
        irq_sim_fail(sim, "out of memory recording a latency");
}

void irq_model_hist_add(struct irq_sim *sim, unsigned hist, uint64_t cycles)
{
    if (hist >= sim->ops->nhists || hist >= IRQ_MODEL_HISTS_MAX) {
        irq_sim_fail(sim, "model %s recorded distribution %u of %zu", sim->ops->name, hist,
                     sim->ops->nhists);
        return;
    }
    hist_add(sim, &sim->priv->mhists[hist], cycles);
}

/* A class no source names (an interrupt a model raised) gets its latency
 * row when first delivered: the arrays grow by one, kept sorted. */
static int add_class(struct irq_sim *sim, size_t at, uint32_t cls)
{
    struct irq_sim_priv *p = sim->priv;
    uint32_t *values = realloc(p->cls_values, (p->ncls + 1) * sizeof *values);
    if (values)
        p->cls_values = values;
    irq_hist *hists = values ? realloc(p->cls_hist, (p->ncls + 1) * sizeof *hists) : NULL;
    if (!hists) {
        irq_sim_fail(sim, "out of memory for interrupt class %u", cls);
        return IRQ_ENOMEM;
    }
    p->cls_hist = hists;
    memmove(&values[at + 1], &values[at], (p->ncls - at) * sizeof *values);
    memmove(&hists[at + 1], &hists[at], (p->ncls - at) * sizeof *hists);
    values[at] = cls;
    irq_hist_init(&hists[at]);
    p->ncls++;
    return IRQ_OK;
}

/* The latency row of class cls, added if new; NULL when out of memory.
 * The class recorded last is the first guess: a binary search per
 * delivered interrupt was 0.5 % of many-guests. */
static irq_hist *class_hist(struct irq_sim *sim, uint32_t cls)
{
    struct irq_sim_priv *p = sim->priv;
    size_t ci = p->cls_last;
    if (ci < p->ncls && p->cls_values[ci] == cls)
        return &p->cls_hist[ci];
    ci = irq__class_index(p, cls);
    if (!(ci < p->ncls && p->cls_values[ci] == cls) && add_class(sim, ci, cls) != IRQ_OK)
        return NULL;
    p->cls_last = ci;
    return &p->cls_hist[ci];
}

void irq__latency_record(irq_guest *g, uint32_t cls, uint64_t arrival, int coalesced)
{
    struct irq_sim *sim = g->sim;
    struct irq_sim_priv *p = sim->priv;
    uint64_t lat = irq_now(sim) - arrival;
    hist_add(sim, &g->latency, lat);
    hist_add(sim, &p->total_latency, lat);
    irq_hist *ch = class_hist(sim, cls);
    if (ch)
        hist_add(sim, ch, lat);
    if (p->sink)
        p->sink(p->sink_ud, g->name, cls, arrival, lat, coalesced);
}

/* Where one interrupt's latency went, from the vCPU's last path back to
 * the guest: waiting for the host to act (until the thread was woken or
 * queued), for a CPU, for the thread to leave its halt, and the delivery
 * itself (everything after). Each boundary before the arrival counts as the
 * arrival; one not reached yet as now. */
static void latency_parts(irq_vcpu *v, uint64_t arrival)
{
    struct irq_sim *sim = v->sim;
    irq_hist *part = sim->priv->lat_part; /* loaded once: the adds store through pointers */
    uint64_t now = irq_now(sim), prev = arrival;
    for (int i = 0; i < 3; i++) {
        uint64_t b = v->lb[i] < arrival ? arrival : v->lb[i] > now ? now : v->lb[i];
        if (b < prev)
            b = prev;
        hist_add(sim, &part[i], b - prev);
        prev = b;
    }
    hist_add(sim, &part[3], now - prev);
}

/* An arrival's latency runs to the start of its handler: after the traps
 * by which the guest takes it (pre_is_ack: an ACK hypercall), so a
 * delivery with such a plan keeps its arrivals until the body starts. */
struct irq_lat_defer {
    uint64_t arrival;
    uint32_t cls;
    int coalesced;
};

void irq__latency_deliver(irq_vcpu *v, uint32_t cls, uint64_t arrival, int coalesced, bool defer)
{
    if (defer) {
        if (v->nld == v->ldcap) {
            uint32_t cap = irq__next_cap(v->ldcap, 4, sizeof *v->ld);
            struct irq_lat_defer *ld = cap ? realloc(v->ld, (size_t)cap * sizeof *ld) : NULL;
            if (!ld) {
                irq_sim_fail(v->sim, "out of memory holding latencies until a handler starts");
                return;
            }
            v->ld = ld;
            v->ldcap = cap;
        }
        v->ld[v->nld++] = (struct irq_lat_defer){arrival, cls, coalesced};
        return;
    }
    irq__latency_record(v->guest, cls, arrival, coalesced);
    latency_parts(v, arrival);
}

void irq__latency_flush(irq_vcpu *v)
{
    for (uint32_t i = 0; i < v->nld; i++) {
        irq__latency_record(v->guest, v->ld[i].cls, v->ld[i].arrival, v->ld[i].coalesced);
        latency_parts(v, v->ld[i].arrival);
    }
    v->nld = 0;
}
