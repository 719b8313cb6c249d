/* vCPU state machine and the host scheduler.
 *
 * A vCPU runs the top of a small stack of segments (guest work, interrupt
 * handler, host work on its behalf). Its state is derived from that stack and
 * from whether it owns its physical CPU, and changes only in set_state(),
 * which accounts time and transitions for every model alike.
 *
 * Physical CPUs: vCPU threads are pinned (vCPU i on CPU i mod cpus). A CPU
 * runs one vCPU thread at a time; others wanting it wait in FIFO order
 * (PREEMPTED) and take turns every `timeslice`. Host work (an alert handler)
 * pauses whatever vCPU owns the CPU. */
#include <stdlib.h>
#include <string.h>

#include "sim_priv_internal.h"

const char *const irq_vcpu_state_names[IRQ_VCPU_NSTATES] = {"RUNNING", "EXITING", "WAIT",
                                                            "PREEMPTED", "STOPPED"};

static void dispatch(irq_vcpu *v);
static void request_cpu(irq_vcpu *v);
static void release_cpu(irq_vcpu *v);

static irq_pcpu *pcpu_of(const irq_vcpu *v)
{
    return &v->sim->priv->pcpus[v->pcpu];
}

static irq_vcpu_state derive_state(const irq_vcpu *v)
{
    if (v->stopped)
        return IRQ_VCPU_STOPPED;
    if (v->halted)
        return IRQ_VCPU_WAIT;
    if (!v->on_cpu || pcpu_of(v)->busy || v->depth == 0)
        return IRQ_VCPU_PREEMPTED;
    return v->stack[v->depth - 1].kind == IRQ_SEG_EXIT ? IRQ_VCPU_EXITING : IRQ_VCPU_RUNNING;
}

/* The one place a vCPU changes state. */
static void set_state(irq_vcpu *v, irq_vcpu_state s)
{
    if (v->state == s)
        return;
    struct irq_sim *sim = v->sim;
    uint64_t now = irq_now(sim);
    int old = v->state;
    v->time_in[old] += now - v->state_since;
    v->state_since = now;
    v->state = (uint8_t)s;
    v->entries[s]++;
    if (sim->priv->tracing && sim->priv->tracer.vcpu_state)
        sim->priv->tracer.vcpu_state(sim->priv->tracer.ud, v, old, s, now);
}

static void update_state(irq_vcpu *v)
{
    set_state(v, derive_state(v));
}

void irq_vcpu_account_end(irq_vcpu *v, uint64_t end)
{
    if (end > v->state_since) {
        v->time_in[v->state] += end - v->state_since;
        v->state_since = end;
    }
}

static bool runnable(const irq_vcpu *v)
{
    return v->on_cpu && !v->halted && !v->stopped && !pcpu_of(v)->busy;
}

/* Stops the top segment's clock, keeping what is left of it. */
static void pause_top(irq_vcpu *v)
{
    struct irq_sim *sim = v->sim;
    if (!irq_timer_armed(&sim->eng, v->seg_timer))
        return;
    irq_seg *top = &v->stack[v->depth - 1];
    uint64_t ran = irq_now(sim) - v->seg_started;
    top->remaining = ran < top->remaining ? top->remaining - ran : 0;
    irq_timer_cancel(&sim->eng, v->seg_timer);
}

static void guest_enter(irq_vcpu *v)
{
    struct irq_sim *sim = v->sim;
    if (sim->ops->guest_entry)
        sim->ops->guest_entry(sim->model, v);
    v->in_guest = true;
}

static void guest_leave(irq_vcpu *v)
{
    struct irq_sim *sim = v->sim;
    v->in_guest = false;
    if (sim->ops->guest_exit)
        sim->ops->guest_exit(sim->model, v);
}

static void push_seg(irq_vcpu *v, irq_seg seg)
{
    if (v->depth == IRQ_SEG_MAX) {
        irq_sim_fail(v->sim, "vCPU %u of guest %s: more than %d nested segments", v->index,
                     v->guest->name, IRQ_SEG_MAX);
        return;
    }
    pause_top(v);
    v->stack[v->depth++] = seg;
    if (!v->dispatching && runnable(v))
        dispatch(v);
}

static void wait_done(irq_vcpu *v, void *ctx, uint64_t arg);

/* Decides what the vCPU does next and starts it: enters the guest when the
 * top segment is guest work, begins a wait exit when the guest has nothing
 * to do. Loops because the model's guest_entry hook may push a handler. */
static void dispatch(irq_vcpu *v)
{
    struct irq_sim *sim = v->sim;
    pause_top(v);
    v->dispatching = true;
    for (;;) {
        if (v->depth == 0) {
            if (!v->in_guest) {
                guest_enter(v);
                continue;
            }
            irq_seg seg = {.kind = IRQ_SEG_BUSY, .remaining = v->busy_left};
            if (v->phase == IRQ_PHASE_IDLE) /* the guest executes a wait */
                seg = (irq_seg){.kind = IRQ_SEG_EXIT,
                                .remaining = sim->priv->cost[IRQ_HOST_WAIT_EXIT],
                                .done = wait_done};
            v->stack[v->depth++] = seg;
            continue;
        }
        irq_seg *top = &v->stack[v->depth - 1];
        if (top->kind != IRQ_SEG_EXIT && !v->in_guest) {
            guest_enter(v);
            continue;
        }
        if (top->kind == IRQ_SEG_EXIT && v->in_guest)
            guest_leave(v);
        break;
    }
    v->dispatching = false;
    update_state(v);
    if (!runnable(v)) /* a hook started host work on this CPU */
        return;
    v->seg_started = irq_now(sim);
    irq_timer_arm(&sim->eng, v->seg_timer, v->seg_started + v->stack[v->depth - 1].remaining);
}

static void begin_idle(irq_vcpu *v)
{
    struct irq_sim *sim = v->sim;
    const irq_guest_tmpl *t = &sim->sc->tmpls[v->guest->tmpl];
    v->phase = IRQ_PHASE_IDLE;
    irq_timer_arm(&sim->eng, v->phase_timer, irq_now(sim) + irq_dist_sample(&t->idle, &v->rng));
}

static void begin_busy(irq_vcpu *v)
{
    const irq_guest_tmpl *t = &v->sim->sc->tmpls[v->guest->tmpl];
    v->phase = IRQ_PHASE_BUSY;
    v->busy_left = irq_dist_sample(&t->busy, &v->rng);
}

/* The top segment ran to its end. */
static void seg_done(void *ctx, uint64_t arg)
{
    (void)arg;
    irq_vcpu *v = ctx;
    struct irq_sim *sim = v->sim;
    irq_seg seg = v->stack[--v->depth];
    v->dispatching = true;
    switch (seg.kind) {
    case IRQ_SEG_BUSY:
        v->busy_left = 0;
        begin_idle(v);
        break;
    case IRQ_SEG_HANDLER:
        if (sim->ops->irq_enabled)
            sim->ops->irq_enabled(sim->model, v);
        break;
    case IRQ_SEG_EXIT:
        if (seg.done)
            seg.done(v, seg.ctx, seg.arg);
        break;
    }
    v->dispatching = false;
    if (runnable(v))
        dispatch(v);
    else
        update_state(v);
}

static void halt(irq_vcpu *v, uint64_t poll)
{
    struct irq_sim *sim = v->sim;
    v->halted = true;
    if (poll > 0 && !pcpu_of(v)->rq_head) { /* no polling when others wait */
        v->polling = true;
        irq_timer_arm(&sim->eng, v->poll_timer, irq_now(sim) + poll);
    } else {
        release_cpu(v);
    }
    update_state(v);
}

/* The host handles the guest's wait: the model decides whether to halt. */
static void wait_done(irq_vcpu *v, void *ctx, uint64_t arg)
{
    (void)ctx;
    (void)arg;
    struct irq_sim *sim = v->sim;
    if (v->phase != IRQ_PHASE_IDLE || v->depth > 0)
        return; /* the guest's own timer fired meanwhile, or work arrived */
    uint64_t poll = 0;
    irq_wait_decision d = IRQ_WAIT_HALT;
    if (sim->ops->wait_entry)
        d = sim->ops->wait_entry(sim->model, v, &poll);
    if (d == IRQ_WAIT_HALT)
        halt(v, poll);
}

static void poll_end(void *ctx, uint64_t arg)
{
    (void)arg;
    irq_vcpu *v = ctx;
    v->polling = false;
    release_cpu(v);
}

/* Leaves WAIT: after polling the vCPU is still on its CPU and goes straight
 * back; after a real halt its thread must be woken and get a CPU. */
static bool wake(irq_vcpu *v)
{
    struct irq_sim *sim = v->sim;
    if (!v->halted)
        return false;
    v->halted = false;
    if (sim->ops->wakeup)
        sim->ops->wakeup(sim->model, v);
    if (v->polling) {
        v->polling = false;
        irq_timer_cancel(&sim->eng, v->poll_timer);
        if (runnable(v))
            dispatch(v);
        else
            update_state(v);
        return true;
    }
    uint64_t cost = sim->priv->cost[IRQ_HOST_WAKEUP];
    v->stack[v->depth++] = (irq_seg){.kind = IRQ_SEG_EXIT, .remaining = cost};
    request_cpu(v);
    return true;
}

bool irq_vcpu_wake(irq_vcpu *v)
{
    return wake(v);
}

bool irq_vcpu_kick(irq_vcpu *v)
{
    v->kicks++;
    v->guest->kicks++;
    irq_trace_instant(v->sim, "kick", v->guest, v, -1);
    return wake(v);
}

/* The guest's own timer ends an idle period. */
static void phase_end(void *ctx, uint64_t arg)
{
    (void)arg;
    irq_vcpu *v = ctx;
    begin_busy(v);
    if (v->halted) {
        v->sim->priv->timer_wakeups++;
        wake(v);
    }
}

void irq_vcpu_exit(irq_vcpu *v, uint64_t cycles, irq_exit_done_fn done, void *ctx, uint64_t arg)
{
    push_seg(
        v,
        (irq_seg){.kind = IRQ_SEG_EXIT, .remaining = cycles, .done = done, .ctx = ctx, .arg = arg});
}

/* Starts the guest's handler for a delivered interrupt. */
void irq_vcpu_start_handler(irq_vcpu *v)
{
    struct irq_sim *sim = v->sim;
    if (v->halted || v->stopped) {
        irq_sim_fail(sim, "model delivered to vCPU %u of guest %s while it was %s", v->index,
                     v->guest->name, irq_vcpu_state_names[v->state]);
        return;
    }
    const irq_guest_tmpl *t = &sim->sc->tmpls[v->guest->tmpl];
    push_seg(
        v, (irq_seg){.kind = IRQ_SEG_HANDLER, .remaining = irq_dist_sample(&t->handler, &v->rng)});
}

bool irq_vcpu_in_guest(const irq_vcpu *v)
{
    /* an empty stack in the guest: a handler just ended, guest code runs */
    return v->in_guest && runnable(v) &&
           (v->depth == 0 || v->stack[v->depth - 1].kind == IRQ_SEG_BUSY);
}

bool irq_vcpu_in_handler(const irq_vcpu *v)
{
    for (unsigned i = 0; i < v->depth; i++)
        if (v->stack[i].kind == IRQ_SEG_HANDLER)
            return true;
    return false;
}

/* ---- the host scheduler ------------------------------------------------ */

static void rq_push(irq_pcpu *p, irq_vcpu *v)
{
    v->rq_next = NULL;
    if (p->rq_tail)
        p->rq_tail->rq_next = v;
    else
        p->rq_head = v;
    p->rq_tail = v;
}

static irq_vcpu *rq_pop(irq_pcpu *p)
{
    irq_vcpu *v = p->rq_head;
    if (v) {
        p->rq_head = v->rq_next;
        if (!p->rq_head)
            p->rq_tail = NULL;
        v->rq_next = NULL;
    }
    return v;
}

/* The thread on the CPU keeps it for one slice from when it got it (or
 * from now, if it has had that already) once another thread waits. */
static void arm_slice(irq_pcpu *p)
{
    struct irq_sim *sim = p->sim;
    if (!p->rq_head || irq_timer_armed(&sim->eng, p->slice_timer))
        return;
    uint64_t when = p->cur_since + sim->priv->cost[IRQ_HOST_TIMESLICE];
    irq_timer_arm(&sim->eng, p->slice_timer, when > irq_now(sim) ? when : irq_now(sim));
}

static void give_cpu(irq_pcpu *p, irq_vcpu *v)
{
    struct irq_sim *sim = p->sim;
    p->cur = v;
    p->cur_since = irq_now(sim);
    irq_timer_cancel(&sim->eng, p->slice_timer);
    v->on_cpu = true;
    if (p->last != v && p->last != NULL && sim->priv->cost[IRQ_HOST_CTX_SWITCH] > 0) {
        pause_top(v);
        if (v->depth < IRQ_SEG_MAX)
            v->stack[v->depth++] =
                (irq_seg){.kind = IRQ_SEG_EXIT, .remaining = sim->priv->cost[IRQ_HOST_CTX_SWITCH]};
    }
    p->last = v;
    arm_slice(p);
    if (runnable(v))
        dispatch(v);
    else
        update_state(v);
}

/* A halted vCPU still polling on p gives the CPU up (it stays in WAIT). */
static void stop_polling(irq_pcpu *p)
{
    irq_vcpu *poller = p->cur;
    if (!poller || !poller->polling)
        return;
    poller->polling = false;
    irq_timer_cancel(&p->sim->eng, poller->poll_timer);
    poller->on_cpu = false;
    p->cur = NULL;
}

static void request_cpu(irq_vcpu *v)
{
    irq_pcpu *p = pcpu_of(v);
    stop_polling(p); /* halt polling gives up as soon as another thread wants the CPU */
    if (!p->cur) {
        give_cpu(p, v);
        return;
    }
    rq_push(p, v);
    update_state(v);
    arm_slice(p);
}

static void release_cpu(irq_vcpu *v)
{
    irq_pcpu *p = pcpu_of(v);
    v->on_cpu = false;
    p->cur = NULL;
    irq_vcpu *next = rq_pop(p);
    if (next)
        give_cpu(p, next);
}

/* Takes the CPU away from a vCPU that still has work (pausing it). */
static void preempt(irq_vcpu *v)
{
    pause_top(v);
    if (v->in_guest)
        guest_leave(v);
}

static void slice_end(void *ctx, uint64_t arg)
{
    (void)arg;
    irq_pcpu *p = ctx;
    if (!p->rq_head)
        return;
    if (p->busy) /* host work first; host_work_done looks at the slice again */
        return;
    stop_polling(p);
    irq_vcpu *cur = p->cur;
    if (cur) {
        preempt(cur);
        cur->on_cpu = false;
        p->cur = NULL;
        rq_push(p, cur);
        update_state(cur);
    }
    give_cpu(p, rq_pop(p));
}

static void start_host_work(irq_pcpu *p)
{
    struct irq_sim *sim = p->sim;
    p->busy = true;
    if (sim->priv->tracing && sim->priv->tracer.host_work)
        sim->priv->tracer.host_work(sim->priv->tracer.ud, p->id, 1, irq_now(sim));
    if (p->cur && !p->cur->halted) {
        preempt(p->cur);
        update_state(p->cur);
    }
    irq_timer_arm(&sim->eng, p->work_timer, irq_now(sim) + p->work[p->work_head].cycles);
}

static void host_work_done(void *ctx, uint64_t arg)
{
    (void)arg;
    irq_pcpu *p = ctx;
    struct irq_sim *sim = p->sim;
    irq_host_work_item item = p->work[p->work_head];
    p->work_head = (p->work_head + 1) % p->work_cap;
    p->work_len--;
    if (item.done)
        item.done(item.ctx, item.arg);
    if (p->work_len > 0) {
        irq_timer_arm(&sim->eng, p->work_timer, irq_now(sim) + p->work[p->work_head].cycles);
        return;
    }
    p->busy = false;
    if (sim->priv->tracing && sim->priv->tracer.host_work)
        sim->priv->tracer.host_work(sim->priv->tracer.ud, p->id, 0, irq_now(sim));
    if (p->cur && runnable(p->cur))
        dispatch(p->cur);
    arm_slice(p); /* a slice that ended meanwhile ends now */
}

void irq_host_work(struct irq_sim *sim, uint32_t cpu, uint64_t cycles, irq_event_fn done, void *ctx,
                   uint64_t arg)
{
    irq_pcpu *p = &sim->priv->pcpus[cpu % sim->priv->npcpus];
    if (p->work_len == p->work_cap &&
        irq_sim_ring_grow(sim, "host work items", (void **)&p->work, &p->work_cap, &p->work_head,
                          p->work_len, sizeof *p->work, 16) != 0)
        return;
    uint32_t slot = (p->work_head + p->work_len) % p->work_cap;
    p->work[slot] = (irq_host_work_item){.cycles = cycles, .done = done, .ctx = ctx, .arg = arg};
    if (p->work_len++ == 0)
        start_host_work(p);
}

/* ---- set-up ------------------------------------------------------------ */

void irq_pcpu_init_timers(struct irq_sim *sim, irq_pcpu *p)
{
    p->slice_timer = irq_sim_timer_new(sim, slice_end, p, 0);
    p->work_timer = irq_sim_timer_new(sim, host_work_done, p, 0);
}

void irq_vcpu_init_timers(struct irq_sim *sim, irq_vcpu *v)
{
    v->seg_timer = irq_sim_timer_new(sim, seg_done, v, 0);
    v->phase_timer = irq_sim_timer_new(sim, phase_end, v, 0);
    v->poll_timer = irq_sim_timer_new(sim, poll_end, v, 0);
}

/* Time 0: every vCPU that is not stopped wants its CPU. One that starts
 * idle enters the guest and executes a wait right away, so the model sees
 * it halt through the normal path. */
void irq_vcpu_start(irq_vcpu *v)
{
    const irq_guest_tmpl *t = &v->sim->sc->tmpls[v->guest->tmpl];
    v->state = IRQ_VCPU_PREEMPTED;
    v->state_since = 0;
    if (t->stopped) {
        v->stopped = true;
        set_state(v, IRQ_VCPU_STOPPED);
        return;
    }
    if (t->start == IRQ_PHASE_IDLE)
        begin_idle(v);
    else
        begin_busy(v);
    request_cpu(v);
}
