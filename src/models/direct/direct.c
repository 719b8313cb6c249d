/* The reference model `direct`: an ideal interrupt controller, so the core
 * can be tested before the real models exist.
 *
 * An arrival goes at once to a vCPU that is in the guest and can take it.
 * Otherwise it waits in a latch (one per class: a second arrival of the same
 * class coalesces) and, when a vCPU that can take it is halted, that vCPU is
 * woken; it takes the interrupt when it enters the guest. A vCPU takes at
 * most one interrupt per guest entry or handler end, the lowest class first
 * (its own, then the guest's floating ones): the latches are pending queues
 * in priority order with priority = class. No exits, no alerts: latency is
 * the wake-up path and nothing else. */
#include <stdlib.h>

#include "sim_internal.h"

#define DIRECT_CLASSES 32

typedef struct dvcpu {
    irq_pendq own; /* interrupts targeted at this vCPU */
} dvcpu;

typedef struct dguest {
    irq_pendq floating;
    uint32_t next; /* round-robin position */
} dguest;

static const irq_pendq_cfg lowest_class_first = {.order = IRQ_PQ_PRIO, .nprio = DIRECT_CLASSES};

typedef struct direct {
    struct irq_sim *sim;
    int pick; /* model.pick, bound from the parameter table */
    dguest *guests;
    dvcpu *vcpus; /* indexed by vCPU id */
    size_t nguests, nvcpus;
} direct;

enum { P_PICK, NPARAMS };
static const char *const pick_choices[] = {"lowest", "round-robin", NULL};
static const irq_param_desc params[NPARAMS] = {
    [P_PICK] = {.name = "pick",
                .type = IRQ_PARAM_ENUM,
                .def = "lowest",
                .unit = "choice",
                .help = "which halted vCPU a floating interrupt wakes when none is in the guest",
                .choices = pick_choices,
                .source = "reference model",
                IRQ_BIND(direct, pick, IRQ_FIELD_INT)},
};

enum { V_ENABLED, NVPARAMS };
static const irq_param_desc vcpu_params[NVPARAMS] = {
    [V_ENABLED] = {.name = "enabled",
                   .type = IRQ_PARAM_BOOL,
                   .def = "true",
                   .unit = "flag",
                   .help = "the vCPU takes floating interrupts",
                   .source = "reference model"},
};

enum { C_DIRECT, C_WAKEUPS, C_DEFERRED, NCOUNTERS };
static const irq_counter_desc counters[NCOUNTERS] = {
    [C_DIRECT] = {.name = "direct_deliveries", .help = "delivered at once to a vCPU in the guest"},
    [C_WAKEUPS] = {.name = "wakeups", .help = "halted vCPUs woken to take an interrupt"},
    [C_DEFERRED] = {.name = "deferred", .help = "arrivals no vCPU could take at once (latched)"},
};

static bool enabled(const irq_vcpu *v)
{
    return v->params[V_ENABLED].i != 0;
}
static dvcpu *dv(direct *m, const irq_vcpu *v)
{
    return &m->vcpus[v->id];
}

/* The queue holding the lowest class pending for v: its own, then the
 * guest's floating one (if v takes floating interrupts), or NULL. */
static irq_pendq *deliverable(direct *m, irq_vcpu *v)
{
    irq_pendq *own = &dv(m, v)->own;
    if (irq_pendq_nqueued(own))
        return own;
    irq_pendq *fl = &m->guests[v->guest->index].floating;
    return enabled(v) && irq_pendq_nqueued(fl) ? fl : NULL;
}

static void deliver_one(direct *m, irq_vcpu *v)
{
    irq_pendq *q = deliverable(m, v);
    if (q)
        irq_pendq_deliver_head(q, v, NULL);
}

static irq_vcpu *find_floating_target(direct *m, irq_guest *g, bool want_halted)
{
    uint32_t start = m->pick == 1 ? m->guests[g->index].next : 0;
    for (uint32_t k = 0; k < g->nvcpus; k++) {
        irq_vcpu *v = &g->vcpus[(start + k) % g->nvcpus];
        if (!enabled(v))
            continue;
        if (want_halted ? irq_vcpu_halted(v) : irq_vcpu_in_guest(v)) {
            m->guests[g->index].next = (v->index + 1) % g->nvcpus;
            return v;
        }
    }
    return NULL;
}

static void wake_for(irq_vcpu *v)
{
    if (irq_vcpu_halted(v) && irq_vcpu_kick(v))
        irq_count(v->guest, C_WAKEUPS, 1);
}

static void direct_inject(void *model, const irq_intr *in)
{
    direct *m = model;
    irq_guest *g = in->guest;
    uint32_t c = in->cls;
    irq_vcpu *v = in->vcpu ? in->vcpu : find_floating_target(m, g, false);
    if (v && irq_vcpu_in_guest(v)) {
        irq_count(g, C_DIRECT, 1);
        irq_deliver_now(v, in->arrival, c);
        return;
    }
    irq_count(g, C_DEFERRED, 1);
    irq_pendq *q = in->vcpu ? &dv(m, v)->own : &m->guests[g->index].floating;
    irq_pendq_set_prio(q, c, c);
    if (irq_pendq_pend(q, c, in->arrival) != IRQ_PQ_NEW)
        return; /* coalesced: the first one already asked for a vCPU */
    if (!v)
        v = find_floating_target(m, g, true);
    if (v)
        wake_for(v);
}

static irq_wait_decision direct_wait_entry(void *model, irq_vcpu *v, uint64_t *poll)
{
    (void)poll;
    return deliverable(model, v) ? IRQ_WAIT_REFUSE : IRQ_WAIT_HALT;
}

/* A woken vCPU leaves its halt only if it has something to take. */
static bool direct_runnable(void *model, irq_vcpu *v)
{
    return deliverable(model, v) != NULL;
}

static void direct_pending_walk(void *model,
                                void (*visit)(void *ud, irq_guest *g, uint32_t cls, uint64_t t),
                                void *ud)
{
    direct *m = model;
    for (size_t i = 0; i < m->nguests; i++)
        irq_pendq_walk(&m->guests[i].floating, visit, ud);
    for (size_t i = 0; i < m->nvcpus; i++)
        irq_pendq_walk(&m->vcpus[i].own, visit, ud);
}

static void direct_guest_entry(void *model, irq_vcpu *v)
{
    deliver_one(model, v);
}
static void direct_irq_enabled(void *model, irq_vcpu *v)
{
    deliver_one(model, v);
}

static int direct_validate(const struct irq_scenario *sc, irq_error *err)
{
    for (size_t i = 0; i < sc->nsources; i++)
        if (sc->sources[i].cls >= DIRECT_CLASSES)
            return irq_error_set(err, IRQ_EINPUT, &sc->sources[i].mark,
                                 "class %u of source '%s' is out of range for model 'direct' "
                                 "(expected 0..%d)",
                                 sc->sources[i].cls, sc->sources[i].name, DIRECT_CLASSES - 1);
    return IRQ_OK;
}

static int direct_create(struct irq_sim *sim, void **model, irq_error *err)
{
    direct *m = calloc(1, sizeof *m);
    size_t ng = irq_sim_nguests(sim), nv = irq_sim_scenario(sim)->total_vcpus;
    if (m) {
        m->guests = calloc(ng, sizeof *m->guests);
        m->vcpus = calloc(nv, sizeof *m->vcpus);
    }
    if (!m || !m->guests || !m->vcpus) {
        if (m) {
            free(m->guests);
            free(m->vcpus);
        }
        free(m);
        return irq_error_set(err, IRQ_ENOMEM, NULL, "out of memory");
    }
    m->sim = sim;
    irq_params_bind(m, params, NPARAMS, irq_sim_model_params(sim));
    m->nguests = ng;
    m->nvcpus = nv;
    for (size_t i = 0; i < ng; i++) {
        irq_guest *g = irq_sim_guest(sim, i);
        irq_pendq_init(&m->guests[i].floating, g, &lowest_class_first);
        for (uint32_t j = 0; j < g->nvcpus; j++)
            irq_pendq_init(&m->vcpus[g->vcpus[j].id].own, g, &lowest_class_first);
    }
    *model = m;
    return IRQ_OK;
}

static void direct_destroy(void *model)
{
    direct *m = model;
    for (size_t i = 0; i < m->nguests; i++)
        irq_pendq_free(&m->guests[i].floating);
    for (size_t i = 0; i < m->nvcpus; i++)
        irq_pendq_free(&m->vcpus[i].own);
    free(m->guests);
    free(m->vcpus);
    free(m);
}

const irq_model_ops irq_model_direct = {
    .name = "direct",
    .summary = "ideal controller: delivers at once to a vCPU in the guest, else wakes one",
    .params = params,
    .nparams = NPARAMS,
    .vcpu_params = vcpu_params,
    .nvcpu_params = NVPARAMS,
    .counters = counters,
    .ncounters = NCOUNTERS,
    .validate = direct_validate,
    .create = direct_create,
    .destroy = direct_destroy,
    .inject = direct_inject,
    .wait_entry = direct_wait_entry,
    .vcpu_runnable = direct_runnable,
    .pending_walk = direct_pending_walk,
    .guest_entry = direct_guest_entry,
    .irq_enabled = direct_irq_enabled,
};
