/* The services the core offers models (issue 7): raised interrupts, handler
 * plans, guest-work alarms, blocking in the host, guest tasks and model
 * state, each exercised through a small test model on a scenario whose
 * figures are worked out by hand. Clock 1 GHz (1 ns = 1 cycle); one host
 * CPU, fifo + pinned unless said otherwise; wait_exit 1us, wakeup 5us,
 * ctx_switch 0, handler const(2us). */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#include <cmocka.h>

#include "test_sim_helpers.h"

enum mode { M_RAISE, M_PLAN, M_ALARM, M_BLOCK, M_TASKS, M_STATE, M_SEND, M_HALT, M_RUN, M_HIST };

/* Per-guest and per-vCPU state the core allocates for the model. */
typedef struct gstate {
    irq_pend latch[16];
    uint32_t guest_index;
} gstate;
typedef struct vstate {
    uint32_t id;
    uint64_t enabled_at; /* when irq_enabled last ran */
    uint64_t alarm_at;   /* when the work alarm last fired */
    int alarms;
} vstate;

typedef struct svc {
    struct irq_sim *sim;
    enum mode mode;
    irq_timer_id timer;
} svc;

static const irq_counter_desc counters[] = {
    {"acks", "pre-handler traps", 0, IRQ_CG_TRAPS_EXITS, NULL},
    {"eois", "post-handler traps", 0, IRQ_CG_TRAPS_EXITS, NULL},
};

static irq_vcpu *vcpu0(svc *m)
{
    return &irq_sim_guest(m->sim, 0)->vcpus[0];
}

static void on_alarm(irq_vcpu *v, void *ctx, uint64_t arg);

/* The model's own timer: unblock (M_BLOCK) or wake a task (M_TASKS). */
static void timer_fired(void *ctx, uint64_t arg)
{
    (void)arg;
    svc *m = ctx;
    irq_vcpu *v = vcpu0(m);
    if (m->mode == M_BLOCK) {
        irq_vcpu_unblock(v);
    } else if (m->mode == M_HALT) {
        irq_vcpu_kick(v);
    } else if (m->mode == M_TASKS) {
        irq_task_wake(v, 0);
        irq_vcpu_kick(v);
    }
}

static int svc_create_mode(struct irq_sim *sim, void **model, enum mode mode)
{
    svc *m = calloc(1, sizeof *m);
    if (!m)
        return IRQ_ENOMEM;
    m->sim = sim;
    m->mode = mode;
    m->timer = irq_sim_timer_new(sim, timer_fired, m, 0);
    for (size_t i = 0; i < irq_sim_nguests(sim); i++) {
        irq_guest *g = irq_sim_guest(sim, i);
        ((gstate *)irq_guest_model(g))->guest_index = g->index;
        for (uint32_t j = 0; j < g->nvcpus; j++)
            ((vstate *)irq_vcpu_model(&g->vcpus[j]))->id = g->vcpus[j].id;
    }
    if (mode == M_ALARM || mode == M_BLOCK || mode == M_TASKS || mode == M_HALT || mode == M_RUN ||
        mode == M_HIST)
        irq_vcpu_after_work(vcpu0(m), mode == M_ALARM ? 150000 : 10000, on_alarm, m);
    *model = m;
    return IRQ_OK;
}

static void svc_destroy(void *model)
{
    svc *m = model;
    for (size_t i = 0; i < irq_sim_nguests(m->sim); i++)
        for (int c = 0; c < 16; c++)
            irq_pend_free(&((gstate *)irq_guest_model(irq_sim_guest(m->sim, i)))->latch[c]);
    free(m);
}

static const irq_handler_plan plan = {
    .npre = 1,
    .pre_is_ack = true,
    .npost = 2,
    .pre = {{.counter = 0, .cycles = 1000}},
    .post = {{.counter = 1, .cycles = 2000}, {.counter = 1, .cycles = 500}},
};

static void deliver_pending(svc *m, irq_vcpu *v)
{
    gstate *gs = irq_guest_model(v->guest);
    if (irq_vcpu_in_handler(v))
        return;
    for (uint32_t c = 0; c < 16; c++)
        if (irq_pend_set(&gs->latch[c])) {
            irq_pend_deliver_plan(v, &gs->latch[c], c, m->mode == M_PLAN ? &plan : NULL);
            return;
        }
}

/* Arrivals are latched per class and delivered at the next chance; under
 * M_RAISE each source arrival raises an IPI (class 9) to the same guest. */
static void svc_inject(void *model, const irq_intr *in)
{
    svc *m = model;
    gstate *gs = irq_guest_model(in->guest);
    irq_pend_add(in->guest, &gs->latch[in->cls % 16], in->arrival);
    if (m->mode == M_RAISE && in->source != UINT32_MAX)
        irq_raise(in->guest, NULL, 9, IRQ_INJ_SOFTWARE, UINT32_MAX);
    irq_vcpu *v = &in->guest->vcpus[0];
    if (irq_vcpu_in_guest(v))
        deliver_pending(m, v);
}

static void svc_entry(void *model, irq_vcpu *v)
{
    deliver_pending(model, v);
}

static void svc_enabled(void *model, irq_vcpu *v)
{
    ((vstate *)irq_vcpu_model(v))->enabled_at = irq_now(v->sim);
    if (irq_vcpu_in_guest(v))
        deliver_pending(model, v);
}

static void svc_walk(void *model, void (*visit)(void *ud, irq_guest *g, uint32_t cls, uint64_t t),
                     void *ud)
{
    svc *m = model;
    for (size_t i = 0; i < irq_sim_nguests(m->sim); i++) {
        irq_guest *g = irq_sim_guest(m->sim, i);
        for (uint32_t c = 0; c < 16; c++)
            irq_pend_walk(g, &((gstate *)irq_guest_model(g))->latch[c], c, visit, ud);
    }
}

static void on_alarm(irq_vcpu *v, void *ctx, uint64_t arg)
{
    (void)arg;
    svc *m = ctx;
    vstate *vs = irq_vcpu_model(v);
    vs->alarm_at = irq_now(v->sim);
    vs->alarms++;
    if (m->mode == M_BLOCK) {
        irq_vcpu_block_host(v);
        irq_sim_timer_arm(m->sim, m->timer, irq_now(m->sim) + 100000);
    } else if (m->mode == M_HALT) {
        irq_vcpu_halt_model(v);
        irq_sim_timer_arm(m->sim, m->timer, irq_now(m->sim) + 100000);
    } else if (m->mode == M_RUN) {
        irq_task_run(v, 1);
    } else if (m->mode == M_HIST) {
        irq_model_hist_add(m->sim, 1, 3000);
        irq_model_hist_add(m->sim, 1, 1000);
    } else if (m->mode == M_TASKS) {
        irq_task_park(v, irq_vcpu_task(v));
        if (vs->alarms == 1)
            irq_vcpu_after_work(v, 10000, on_alarm, m);
        else
            irq_sim_timer_arm(m->sim, m->timer, 100000);
    }
}

#define SVC_OPS(nm, md)                                                                            \
    static int create_##nm(struct irq_sim *sim, void **model, irq_error *err)                      \
    {                                                                                              \
        (void)err;                                                                                 \
        return svc_create_mode(sim, model, md);                                                    \
    }                                                                                              \
    static const irq_model_ops ops_##nm = {.name = #nm,                                            \
                                           .guest_state_size = sizeof(gstate),                     \
                                           .vcpu_state_size = sizeof(vstate),                      \
                                           .counters = counters,                                   \
                                           .ncounters = 2,                                         \
                                           .create = create_##nm,                                  \
                                           .destroy = svc_destroy,                                 \
                                           .inject = svc_inject,                                   \
                                           .guest_entry = svc_entry,                               \
                                           .irq_enabled = svc_enabled,                             \
                                           .pending_walk = svc_walk}
SVC_OPS(raise, M_RAISE);
SVC_OPS(plan, M_PLAN);
SVC_OPS(alarm, M_ALARM);
SVC_OPS(block, M_BLOCK);
SVC_OPS(tasks, M_TASKS);
SVC_OPS(state, M_STATE);
SVC_OPS(mhalt, M_HALT);
SVC_OPS(run, M_RUN);

/* Sending costs the sender a 1us trap. */
static uint64_t send_cost(void *model, irq_vcpu *sender, const irq_intr *in)
{
    (void)model;
    (void)sender;
    (void)in;
    return 1000;
}
static int create_send(struct irq_sim *sim, void **model, irq_error *err)
{
    (void)err;
    return svc_create_mode(sim, model, M_SEND);
}
static const irq_model_ops ops_send = {.name = "send",
                                       .guest_state_size = sizeof(gstate),
                                       .vcpu_state_size = sizeof(vstate),
                                       .counters = counters,
                                       .ncounters = 2,
                                       .create = create_send,
                                       .destroy = svc_destroy,
                                       .inject = svc_inject,
                                       .send_cost = send_cost,
                                       .guest_entry = svc_entry,
                                       .irq_enabled = svc_enabled,
                                       .pending_walk = svc_walk};

/* A model with two distributions of its own. */
static const irq_model_hist_desc hists[] = {{"unused", "never recorded"},
                                            {"waits", "what the test model recorded"}};
static int create_hist(struct irq_sim *sim, void **model, irq_error *err)
{
    (void)err;
    return svc_create_mode(sim, model, M_HIST);
}
static const irq_model_ops ops_hist = {.name = "hist",
                                       .guest_state_size = sizeof(gstate),
                                       .vcpu_state_size = sizeof(vstate),
                                       .counters = counters,
                                       .ncounters = 2,
                                       .hists = hists,
                                       .nhists = 2,
                                       .create = create_hist,
                                       .destroy = svc_destroy,
                                       .inject = svc_inject,
                                       .guest_entry = svc_entry,
                                       .irq_enabled = svc_enabled,
                                       .pending_walk = svc_walk};

typedef struct srun {
    irq_scenario *sc;
    irq_sim *sim;
    const irq_model_ops *orig;
    entry_counts *entries; /* run_ops_counting: the vCPUs' transitions */
} srun;

/* Loads yaml (model direct, for its tables), runs it under ops. */
/* Runs yaml with ops as its model, counting the vCPUs' transitions into
 * counts unless it is NULL. */
static srun run_ops_counting(const char *yaml, const irq_model_ops *ops, entry_counts *counts)
{
    srun r = {.entries = counts};
    char *path = write_temp_yaml(yaml);
    irq_error err = {0};
    assert_int_equal(irq_scenario_load(&r.sc, path, NULL, 0, &err), IRQ_OK);
    unlink(path);
    free(path);
    r.orig = r.sc->model;
    r.sc->model = ops;
    assert_int_equal(irq_sim_create(&r.sim, r.sc, &err), IRQ_OK);
    if (counts)
        count_entries(r.sim, counts);
    int rc = irq_sim_run(r.sim, NULL, NULL, &err);
    if (rc != IRQ_OK)
        fail_msg("run failed: %s", err.message);
    return r;
}

static srun run_ops(const char *yaml, const irq_model_ops *ops)
{
    return run_ops_counting(yaml, ops, NULL);
}

static void srun_free(srun *r)
{
    free(r->entries);
    irq_sim_free(r->sim);
    r->sc->model = r->orig;
    irq_scenario_free(r->sc);
}

#define HEAD(dur)                                                                                  \
    "name: t\nseed: 1\nclock_hz: 1e9\nduration: " dur "\n"                                         \
    "host: {cpus: 1, sched: fifo, affinity: pinned, wait_exit: 1us, wakeup: 5us, ctx_switch: 0ns," \
    " timeslice: 100us}\nmodel: {name: direct}\n"
#define BUSY "workload: {start: busy, busy: const(10s), handler: const(2us)}"
#define PERIODIC_50US                                                                              \
    "sources:\n  - {name: s, target: g, class: 1, arrivals: periodic(100us), start: 50us}\n"

/* A raised interrupt conserves: 10 source arrivals (50, 150, ..., 950us),
 * each raising one IPI on class 9: 20 injected, 10 raised, all delivered to
 * the always-busy vCPU (each source arrival at once; its IPI is latched
 * while that handler runs and delivered when it ends, 2us later), and
 * class 9 has its own latency row although no source names it: 10 IPIs,
 * each waiting exactly the 2us handler. */
static void test_raise_conserves(void **state)
{
    (void)state;
    srun r = run_ops(HEAD("1ms") "guests:\n  - {name: g, vcpus: 1, " BUSY "}\n" PERIODIC_50US,
                     &ops_raise);
    irq_guest *g = guest_named(r.sim, "g");
    assert_int_equal(g->injected, 20);
    assert_int_equal(mcount(r.sim, g, "raised"), 10);
    assert_int_equal(g->delivered, 20);
    assert_int_equal(g->pending + g->coalesced + g->dropped, 0);
    const struct irq_sim_priv *p = r.sim->priv;
    size_t i9 = 0;
    while (i9 < p->ncls && p->cls_values[i9] != 9)
        i9++;
    assert_true(i9 < p->ncls);
    assert_int_equal(p->cls_hist[i9].count, 10);
    assert_int_equal(p->cls_hist[i9].max, 2000);
    srun_free(&r);
}

/* A handler plan: one arrival at 50us to the busy vCPU, delivered at once
 * with ACK (1us) -> handler (2us) -> EOI (2us) -> RESAMPLE (0.5us). Traps
 * counted: acks 1, eois 2, core traps 3; EXITING exactly 3.5us; the model
 * hears irq_enabled once the last trap is done, at 55.5us. The latency
 * runs to the handler's start: 1us (the ACK). */
static void test_handler_plan(void **state)
{
    (void)state;
    srun r = run_ops(HEAD("100us") "guests:\n  - {name: g, vcpus: 1, " BUSY "}\n" PERIODIC_50US,
                     &ops_plan);
    irq_guest *g = guest_named(r.sim, "g");
    assert_int_equal(g->delivered, 1);
    assert_int_equal(mcount(r.sim, g, "acks"), 1);
    assert_int_equal(mcount(r.sim, g, "eois"), 2);
    assert_int_equal(mcount(r.sim, g, "traps"), 3);
    assert_int_equal(g->vcpus[0].time_in[IRQ_VCPU_EXITING], 3500);
    assert_int_equal(g->vcpus[0].time_in[IRQ_VCPU_RUNNING], 96500);
    assert_int_equal(((vstate *)irq_vcpu_model(&g->vcpus[0]))->enabled_at, 55500);
    /* latency runs to the handler's start, after the ACK: 50us -> 51us */
    assert_int_equal(g->latency.count, 1);
    assert_int_equal(g->latency.max, 1000);
    srun_free(&r);
}

/* A guest-work alarm across a preemption: two busy vCPUs share one CPU in
 * 100us slices. vCPU 0 runs 0-100us (100us of work), vCPU 1 100-200us,
 * vCPU 0 again from 200us: its 150us of work are done at 250us. */
static void test_work_alarm_across_preemption(void **state)
{
    (void)state;
    srun r = run_ops(HEAD("400us") "guests:\n  - {name: g, vcpus: 2, " BUSY "}\n", &ops_alarm);
    irq_vcpu *v = &guest_named(r.sim, "g")->vcpus[0];
    vstate *vs = irq_vcpu_model(v);
    assert_int_equal(vs->alarms, 1);
    assert_int_equal(vs->alarm_at, 250000);
    /* at 400us: vCPU 0 ran 0-100 and 200-300us */
    assert_int_equal(irq_vcpu_work_done(v), 200000);
    srun_free(&r);
}

/* Blocking in the host frees the CPU: vCPU 0 blocks after 10us of work for
 * 100us (until 110us); vCPU 1 gets the CPU at 10us and keeps it for its
 * 100us slice, to 110us; vCPU 0 queued at 110us behind nobody... it is woken
 * at 110us, exactly when vCPU 1's slice ends: the FIFO gives it the CPU. So
 * vCPU 0: RUNNING 10us, BLOCKED 100us, then RUNNING from 110us to 210us;
 * vCPU 1: PREEMPTED 0-10us, RUNNING 10-110us, PREEMPTED from 110us. */
static void test_blocked_vcpu_frees_cpu(void **state)
{
    (void)state;
    srun r = run_ops(HEAD("200us") "guests:\n  - {name: g, vcpus: 2, " BUSY "}\n", &ops_block);
    irq_guest *g = guest_named(r.sim, "g");
    assert_int_equal(mcount(r.sim, g, "host_blocks"), 1);
    assert_int_equal(g->vcpus[0].time_in[IRQ_VCPU_BLOCKED], 100000);
    assert_int_equal(g->vcpus[0].time_in[IRQ_VCPU_RUNNING], 100000);
    assert_int_equal(g->vcpus[1].time_in[IRQ_VCPU_RUNNING], 100000);
    assert_int_equal(g->vcpus[1].time_in[IRQ_VCPU_PREEMPTED], 100000);
    srun_free(&r);
}

/* Guest tasks: one vCPU, 2 tasks, busy forever. After 10us of work task 0
 * parks: task 1 runs; after 10us more task 1 parks too: no runnable task,
 * the guest executes a wait (1us) and halts at 21us. At 100us the model
 * wakes task 0 and kicks the vCPU: 5us of wake-up, task 0 runs from 105us
 * to the end (300us). Work: task 0 10us + 195us, task 1 10us; WAIT 21-105us. */
static void test_tasks_park_and_halt(void **state)
{
    (void)state;
    srun r =
        run_ops_counting(HEAD("300us") "guests:\n  - {name: g, vcpus: 1, workload: {start: busy,"
                                       " busy: const(10s), tasks: 2}}\n",
                         &ops_tasks, calloc(1, sizeof(entry_counts)));
    irq_vcpu *v = &guest_named(r.sim, "g")->vcpus[0];
    assert_int_equal(irq_task_work(v, 0), 205000);
    assert_int_equal(irq_task_work(v, 1), 10000);
    assert_int_equal(v->time_in[IRQ_VCPU_WAIT], 84000);
    assert_int_equal(entries_of(r.entries, v, IRQ_VCPU_WAIT), 1);
    assert_false(irq_task_parked(v, 0));
    assert_true(irq_task_parked(v, 1));
    srun_free(&r);
}

/* One task is a task too: parked after 10us of work, the vCPU has nothing
 * to run, executes a wait (1us) and halts at 11us; nothing wakes it: WAIT
 * 11-300us, and the task's work is the vCPU's, 10us. */
static void test_single_task_parks(void **state)
{
    (void)state;
    srun r = run_ops(HEAD("300us") "guests:\n  - {name: g, vcpus: 1, workload: {start: busy,"
                                   " busy: const(10s), tasks: 1}}\n",
                     &ops_tasks);
    irq_vcpu *v = &guest_named(r.sim, "g")->vcpus[0];
    assert_true(irq_task_parked(v, 0));
    assert_int_equal(irq_task_work(v, 0), 10000);
    assert_int_equal(irq_vcpu_work_done(v), 10000);
    assert_int_equal(v->time_in[IRQ_VCPU_WAIT], 289000);
    srun_free(&r);
}

/* Model state is allocated by the core and reached from every guest and
 * vCPU: what create wrote there is still there after the run. */
static void test_model_state_reachable(void **state)
{
    (void)state;
    srun r = run_ops(HEAD("10us") "guests:\n  - {name: g, count: 7, vcpus: 3, " BUSY "}\n"
                                  "  - {name: h, count: 2, vcpus: 5, " BUSY "}\n",
                     &ops_state);
    for (size_t i = 0; i < r.sim->priv->nguests; i++) {
        irq_guest *g = &r.sim->priv->guests[i];
        assert_int_equal(((gstate *)irq_guest_model(g))->guest_index, g->index);
        for (uint32_t j = 0; j < g->nvcpus; j++)
            assert_int_equal(((vstate *)irq_vcpu_model(&g->vcpus[j]))->id, g->vcpus[j].id);
    }
    srun_free(&r);
}

/* A guest-originated source (`from: 0`): vCPU 0 sends an IPI every 30us
 * of its own guest time to vCPU 1, paying a 1us trap per send; the two
 * busy vCPUs share one CPU in 100us slices. vCPU 0's guest clock runs only
 * while it is RUNNING (handlers included). As a periodic source's first
 * arrival is at its start, sends fall at guest time 0, 30, 60, 90 (real 0,
 * 31, 62, 93us: each trap stops the clock 1us; guest time 96us when the
 * slice ends at 100us) and 120, 150, 180 (real 224, 255, 286us, after
 * vCPU 1's slice 100-200us); guest time 210 is due after the run: 7 sends,
 * 7 traps, 7us EXITING. */
static void test_guest_originated_source(void **state)
{
    (void)state;
    srun r = run_ops(HEAD("300us") "guests:\n  - {name: g, vcpus: 2, " BUSY "}\n"
                                   "sources:\n  - {name: ipi, target: g, vcpu: 1, from: 0,"
                                   " class: 2, arrivals: periodic(30us)}\n",
                     &ops_send);
    irq_guest *g = guest_named(r.sim, "g");
    assert_int_equal(g->injected, 7);
    assert_int_equal(mcount(r.sim, g, "traps"), 7);
    assert_int_equal(g->vcpus[0].time_in[IRQ_VCPU_EXITING], 7000);
    srun_free(&r);
}

/* A halt the model imposes (the artificial halt): the always-busy vCPU is
 * halted after 10us of work and stays in WAIT although it has work, as
 * nothing wakes it, until the model's kick at 110us; 5us of wake-up, so it
 * runs again from 115us. WAIT 105us, one halt_wakeup, and no halt-polling
 * statistics (kvm_vcpu_block, not kvm_vcpu_halt). Work at 300us:
 * 10us + (300 - 115)us = 195us. */
static void test_model_halt(void **state)
{
    (void)state;
    srun r = run_ops_counting(HEAD("300us") "guests:\n  - {name: g, vcpus: 1, " BUSY "}\n",
                              &ops_mhalt, calloc(1, sizeof(entry_counts)));
    irq_guest *g = guest_named(r.sim, "g");
    irq_vcpu *v = &g->vcpus[0];
    assert_int_equal(v->time_in[IRQ_VCPU_WAIT], 105000);
    assert_int_equal(entries_of(r.entries, v, IRQ_VCPU_WAIT), 1);
    assert_int_equal(mcount(r.sim, g, "halt_wakeup"), 1);
    assert_int_equal(mcount(r.sim, g, "halt_attempted_poll"), 0);
    assert_int_equal(irq_vcpu_work_done(v), 195000);
    srun_free(&r);
}

/* The guest switches tasks: task 0 runs 10us, then the model makes task 1
 * current; it runs to the end (300us): 10us and 290us of work. */
static void test_task_run(void **state)
{
    (void)state;
    srun r = run_ops(HEAD("300us") "guests:\n  - {name: g, vcpus: 1, workload: {start: busy,"
                                   " busy: const(10s), tasks: 2}}\n",
                     &ops_run);
    irq_vcpu *v = &guest_named(r.sim, "g")->vcpus[0];
    assert_int_equal(irq_task_work(v, 0), 10000);
    assert_int_equal(irq_task_work(v, 1), 290000);
    srun_free(&r);
}

/* A model's distributions: the alarm after 10us of work records 3us and
 * 1us in the second one; the report shows both, the first empty. */
static void test_model_hists(void **state)
{
    (void)state;
    srun r = run_ops(HEAD("100us") "guests:\n  - {name: g, vcpus: 1, " BUSY "}\n", &ops_hist);
    const irq_hist *h = &r.sim->priv->mhists[1];
    assert_int_equal(h->count, 2);
    assert_int_equal(h->min, 1000);
    assert_int_equal(h->max, 3000);
    assert_int_equal(r.sim->priv->mhists[0].count, 0);
    char *j = report_json(r.sim);
    assert_non_null(strstr(j, "\"model_distributions_ns\": {\"unused\": {\"count\": 0"));
    assert_non_null(strstr(j, "\"waits\": {\"count\": 2, \"mean\": 2000"));
    free(j);
    srun_free(&r);
}

/* A parameter declared once, bound to its owner's field: irq_params_bind
 * copies each type of value into its field, and leaves unbound ones. */
typedef struct bound {
    int64_t i64;
    uint32_t u32;
    int choice;
    bool flag;
    uint64_t cycles;
    double real;
    const irq_dist *dist;
    int untouched;
} bound;

static void test_params_bound_to_fields(void **state)
{
    (void)state;
    static const irq_param_desc d[] = {
        {.name = "a", .type = IRQ_PARAM_INT, IRQ_BIND(bound, i64, IRQ_FIELD_I64)},
        {.name = "b", .type = IRQ_PARAM_INT, IRQ_BIND(bound, u32, IRQ_FIELD_U32)},
        {.name = "c", .type = IRQ_PARAM_ENUM, IRQ_BIND(bound, choice, IRQ_FIELD_INT)},
        {.name = "d", .type = IRQ_PARAM_BOOL, IRQ_BIND(bound, flag, IRQ_FIELD_BOOL)},
        {.name = "e", .type = IRQ_PARAM_DURATION, IRQ_BIND(bound, cycles, IRQ_FIELD_U64)},
        {.name = "f", .type = IRQ_PARAM_DOUBLE, IRQ_BIND(bound, real, IRQ_FIELD_DBL)},
        {.name = "g", .type = IRQ_PARAM_DIST, IRQ_BIND(bound, dist, IRQ_FIELD_DIST)},
        {.name = "h", .type = IRQ_PARAM_INT},
    };
    irq_param_value v[8] = {{.i = -7},   {.i = 40000}, {.i = 2}, {.i = 1}, {.u = 123456789012ull},
                            {.d = 0.25}, {.i = 0},     {.i = 99}};
    bound b = {.untouched = 5};
    irq_params_bind(&b, d, 8, v);
    assert_int_equal(b.i64, -7);
    assert_int_equal(b.u32, 40000);
    assert_int_equal(b.choice, 2);
    assert_true(b.flag);
    assert_int_equal(b.cycles, 123456789012ull);
    assert_true(b.real == 0.25);
    assert_ptr_equal(b.dist, &v[6].dist);
    assert_int_equal(b.untouched, 5);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_raise_conserves),
        cmocka_unit_test(test_handler_plan),
        cmocka_unit_test(test_work_alarm_across_preemption),
        cmocka_unit_test(test_blocked_vcpu_frees_cpu),
        cmocka_unit_test(test_tasks_park_and_halt),
        cmocka_unit_test(test_single_task_parks),
        cmocka_unit_test(test_model_state_reachable),
        cmocka_unit_test(test_guest_originated_source),
        cmocka_unit_test(test_model_halt),
        cmocka_unit_test(test_task_run),
        cmocka_unit_test(test_model_hists),
        cmocka_unit_test(test_params_bound_to_fields),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
