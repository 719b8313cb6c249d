/* The reference model `direct`: an ideal interrupt controller, so the core
 * can be tested before the real models exist.
 *
 * An arrival goes at once to a vCPU that is in the guest and can take it.
 * Otherwise it waits in a latch (one per class: a second arrival of the same
 * class coalesces) and, when a vCPU that can take it is halted, that vCPU is
 * woken; it takes the interrupt when it enters the guest. A vCPU takes at
 * most one interrupt per guest entry or handler end. No exits, no alerts:
 * latency is the wake-up path and nothing else. */
#include <stdlib.h>

#include "sim_internal.h"

#define DIRECT_CLASSES 32
enum { P_PICK, NPARAMS };
static const char *const pick_choices[] = {"lowest", "round-robin", NULL};
static const irq_param_desc params[NPARAMS] = {
    [P_PICK] = {.name = "pick",
                .type = IRQ_PARAM_ENUM,
                .def = "lowest",
                .unit = "choice",
                .help = "which halted vCPU a floating interrupt wakes when none is in the guest",
                .choices = pick_choices,
                .source = "reference model"},
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

typedef struct dvcpu {
    irq_pend own[DIRECT_CLASSES]; /* interrupts targeted at this vCPU */
} dvcpu;

typedef struct dguest {
    irq_pend floating[DIRECT_CLASSES];
    uint32_t next; /* round-robin position */
} dguest;

typedef struct direct {
    struct irq_sim *sim;
    int pick;
    dguest *guests;
    dvcpu *vcpus; /* indexed by vCPU id */
    size_t nguests, nvcpus;
} direct;

/* The guest of the vCPU with global id `id` (a binary search over guests). */
static irq_guest *guest_of_vcpu(direct *m, size_t id)
{
    size_t lo = 0, hi = m->nguests;
    while (hi - lo > 1) {
        size_t mid = (lo + hi) / 2;
        if (irq_sim_guest(m->sim, mid)->vcpus[0].id <= id)
            lo = mid;
        else
            hi = mid;
    }
    return irq_sim_guest(m->sim, lo);
}

static bool enabled(const irq_vcpu *v)
{
    return v->params[V_ENABLED].i != 0;
}
static dvcpu *dv(direct *m, const irq_vcpu *v)
{
    return &m->vcpus[v->id];
}

/* Lowest class pending for v, in its own latches then the guest's
 * floating ones (if v takes floating interrupts), or NULL. */
static irq_pend *deliverable(direct *m, irq_vcpu *v, uint32_t *cls)
{
    dvcpu *d = dv(m, v);
    for (uint32_t c = 0; c < DIRECT_CLASSES; c++)
        if (irq_pend_set(&d->own[c]))
            return *cls = c, &d->own[c];
    if (!enabled(v))
        return NULL;
    dguest *g = &m->guests[v->guest->index];
    for (uint32_t c = 0; c < DIRECT_CLASSES; c++)
        if (irq_pend_set(&g->floating[c]))
            return *cls = c, &g->floating[c];
    return NULL;
}

static void deliver_one(direct *m, irq_vcpu *v)
{
    uint32_t cls;
    irq_pend *p = deliverable(m, v, &cls);
    if (p)
        irq_pend_deliver(v, p, cls);
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
    irq_pend *p = in->vcpu ? &dv(m, v)->own[c] : &m->guests[g->index].floating[c];
    if (!irq_pend_add(g, p, in->arrival))
        return; /* coalesced: the first one already asked for a vCPU */
    if (!v)
        v = find_floating_target(m, g, true);
    if (v)
        wake_for(v);
}

static irq_wait_decision direct_wait_entry(void *model, irq_vcpu *v, uint64_t *poll)
{
    uint32_t cls;
    (void)poll;
    return deliverable(model, v, &cls) ? IRQ_WAIT_REFUSE : IRQ_WAIT_HALT;
}

/* A woken vCPU leaves its halt only if it has something to take. */
static bool direct_runnable(void *model, irq_vcpu *v)
{
    uint32_t cls;
    return deliverable(model, v, &cls) != NULL;
}

static void direct_pending_walk(void *model,
                                void (*visit)(void *ud, irq_guest *g, uint32_t cls, uint64_t t),
                                void *ud)
{
    direct *m = model;
    for (size_t i = 0; i < m->nguests; i++)
        for (uint32_t c = 0; c < DIRECT_CLASSES; c++)
            irq_pend_walk(irq_sim_guest(m->sim, i), &m->guests[i].floating[c], c, visit, ud);
    for (size_t i = 0; i < m->nvcpus; i++) {
        irq_guest *g = NULL;
        for (uint32_t c = 0; c < DIRECT_CLASSES; c++)
            if (irq_pend_set(&m->vcpus[i].own[c])) {
                if (!g)
                    g = guest_of_vcpu(m, i);
                irq_pend_walk(g, &m->vcpus[i].own[c], c, visit, ud);
            }
    }
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
    m->pick = (int)irq_sim_model_params(sim)[P_PICK].i;
    m->nguests = ng;
    m->nvcpus = nv;
    *model = m;
    return IRQ_OK;
}

static void direct_destroy(void *model)
{
    direct *m = model;
    for (size_t i = 0; i < m->nguests; i++)
        for (int c = 0; c < DIRECT_CLASSES; c++)
            irq_pend_free(&m->guests[i].floating[c]);
    for (size_t i = 0; i < m->nvcpus; i++)
        for (int c = 0; c < DIRECT_CLASSES; c++)
            irq_pend_free(&m->vcpus[i].own[c]);
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
