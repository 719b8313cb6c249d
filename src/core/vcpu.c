/* vCPU state machine and the host scheduler.
 *
 * A vCPU runs the top of a small stack of segments (guest work, interrupt
 * handler, host work on its behalf). Its state is derived from that stack and
 * from whether it owns its physical CPU, and changes only in set_state(),
 * which accounts time and transitions for every model alike.
 *
 * A halt is kvm_vcpu_halt(): the thread polls within an adaptive window,
 * then sleeps (kvm_vcpu_block); a woken thread gets a CPU from the host
 * scheduler (sched.c), re-checks with the model whether it can run, and
 * sleeps again if not, all without leaving WAIT. Host work (an alert
 * handler) pauses whatever vCPU owns the CPU. */
#include <stdlib.h>
#include <string.h>

#include "latency_internal.h"
#include "sched_internal.h"
#include "sim_priv_internal.h"
#include "vcpu_internal.h"

const char *const irq_vcpu_state_names[IRQ_VCPU_NSTATES] = {"RUNNING",   "EXITING", "WAIT",
                                                            "PREEMPTED", "STOPPED", "BLOCKED"};

#define NEVER UINT64_MAX

static void dispatch(irq_vcpu *v);

static irq_pcpu *pcpu_of(const irq_vcpu *v)
{
    return v->cpu;
}

static irq_vcpu_state derive_state(const irq_vcpu *v)
{
    if (v->stopped)
        return IRQ_VCPU_STOPPED;
    if (v->blocked)
        return IRQ_VCPU_BLOCKED;
    if (v->halted)
        return IRQ_VCPU_WAIT;
    if (!v->on_cpu || pcpu_of(v)->busy || v->depth == 0)
        return IRQ_VCPU_PREEMPTED;
    return v->stack[v->depth - 1].kind == IRQ_SEG_EXIT ? IRQ_VCPU_EXITING : IRQ_VCPU_RUNNING;
}

/* The one place a vCPU changes state (set_state, below, calls it only on
 * a change: about half its calls are none, and those skip the registers
 * this one saves). */
static __attribute__((noinline)) void change_state(irq_vcpu *v, irq_vcpu_state s)
{
    struct irq_sim *sim = v->sim;
    uint64_t now = irq_now(sim);
    int old = v->state;
    v->time_in[old] += now - v->state_since;
    v->state_since = now;
    v->state = (uint8_t)s;
    if (v->gsources && (old == IRQ_VCPU_RUNNING || s == IRQ_VCPU_RUNNING))
        v->sim->priv->sender_state(v);
    if (v->on_cpu) /* what its CPU spends time on follows the thread's state */
        irq__pcpu_account(pcpu_of(v));
    if (sim->priv->tracing && sim->priv->tracer.vcpu_state)
        sim->priv->tracer.vcpu_state(sim->priv->tracer.ud, v, old, s, now);
}

static inline __attribute__((always_inline)) void set_state(irq_vcpu *v, irq_vcpu_state s)
{
    if (v->state != s)
        change_state(v, s);
}

static void update_state(irq_vcpu *v)
{
    set_state(v, derive_state(v));
}

void irq__vcpu_update_state(irq_vcpu *v)
{
    update_state(v);
}

/* Guest work executed: the vCPU's work clock and its current task's. */
static void account_work(irq_vcpu *v, uint64_t ran)
{
    v->work_done += ran;
    if (v->tasks)
        v->tasks[v->cur_task].work += ran;
}

void irq__vcpu_account_end(irq_vcpu *v, uint64_t end)
{
    /* guest work still running at the end counts up to the end */
    if (v->depth > 0 && v->stack[v->depth - 1].kind == IRQ_SEG_BUSY &&
        irq_timer_armed(&v->sim->eng, v->seg_timer) && end > v->seg_started) {
        uint64_t ran = end - v->seg_started;
        irq_seg *top = &v->stack[v->depth - 1];
        account_work(v, ran < top->remaining ? ran : top->remaining);
        v->seg_started = end;
    }
    if (end > v->state_since) {
        v->time_in[v->state] += end - v->state_since;
        v->state_since = end;
    }
}

/* Its thread can run code now: on its CPU, not paused by host work, and
 * not halted (a woken thread runs host code until it re-checks). */
static bool runnable(const irq_vcpu *v)
{
    return v->on_cpu && (!v->halted || v->waking) && !v->stopped && !v->blocked &&
           !pcpu_of(v)->busy;
}

/* pause_top's work, for a running segment. */
static __attribute__((noinline)) void pause_running(irq_vcpu *v)
{
    struct irq_sim *sim = v->sim;
    irq_seg *top = &v->stack[v->depth - 1];
    uint64_t ran = irq_now(sim) - v->seg_started;
    if (ran > top->remaining)
        ran = top->remaining;
    top->remaining -= ran;
    if (top->kind == IRQ_SEG_BUSY)
        account_work(v, ran);
    v->alarm_hit = false;
    irq_timer_cancel(&sim->eng, v->seg_timer);
}

/* Stops the top segment's clock, keeping what is left of it. Inline: most
 * calls find it stopped already. */
static inline void pause_top(irq_vcpu *v)
{
    if (irq_timer_armed(&v->sim->eng, v->seg_timer))
        pause_running(v);
}

/* irq_vcpu_has_work, inline for the machine's own calls. */
static inline bool has_work(const irq_vcpu *v)
{
    return v->phase == IRQ_PHASE_BUSY && (!v->tasks || v->nrunnable > 0);
}

bool irq_vcpu_has_work(const irq_vcpu *v)
{
    return has_work(v);
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

/* Room for n more segments: in the vCPU while they fit, else in an array
 * of IRQ_SEG_MAX the stack moves to once (a model that nests that deep
 * keeps it; pointers into the stack do not survive this call). false, and
 * the run fails, past IRQ_SEG_MAX or out of memory. */
static __attribute__((noinline)) bool stack_room_slow(irq_vcpu *v, unsigned n)
{
    if (v->depth + n > IRQ_SEG_MAX) {
        irq_sim_fail(v->sim, "vCPU %u of guest %s: more than %d nested segments", v->index,
                     v->guest->name, IRQ_SEG_MAX);
        return false;
    }
    /* stack_room let every other case through: the stack is still inline */
    irq_seg *deep = malloc(IRQ_SEG_MAX * sizeof *deep);
    if (!deep) {
        irq_sim_fail(v->sim, "out of memory for the segments of vCPU %u of guest %s", v->index,
                     v->guest->name);
        return false;
    }
    memcpy(deep, v->seg_in, v->depth * sizeof *deep);
    v->stack = deep;
    return true;
}

/* stack_room_slow's common cases, inline: room in the vCPU, or in the
 * array it moved to. */
static inline bool stack_room(irq_vcpu *v, unsigned n)
{
    if (v->depth + n <= IRQ_SEG_INLINE || (v->stack != v->seg_in && v->depth + n <= IRQ_SEG_MAX))
        return true;
    return stack_room_slow(v, n);
}

/* Inline: the segment is built in place, not passed through the stack. */
static inline __attribute__((always_inline)) void push_seg(irq_vcpu *v, irq_seg seg)
{
    if (!stack_room(v, 1))
        return;
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
            if (!has_work(v)) /* the guest executes a wait */
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
    irq_vcpu_state s = derive_state(v);
    set_state(v, s);
    /* RUNNING and EXITING imply runnable() (set_state's hooks change no
     * flag); other states take the full test: a hook may have started host
     * work on this CPU, or a woken thread (still WAIT) runs host code */
    if (s != IRQ_VCPU_RUNNING && s != IRQ_VCPU_EXITING && !runnable(v))
        return;
    v->seg_started = irq_now(sim);
    irq_seg *top = &v->stack[v->depth - 1];
    if (top->kind == IRQ_SEG_HANDLER && top->lat_defer) { /* the handler starts */
        top->lat_defer = false;
        irq__latency_flush(v);
    }
    uint64_t run = top->remaining;
    v->alarm_hit = false;
    if (top->kind == IRQ_SEG_BUSY && v->work_alarm != NEVER) { /* the guest-work alarm first */
        uint64_t left = v->work_alarm > v->work_done ? v->work_alarm - v->work_done : 0;
        if (left <= run) {
            run = left;
            v->alarm_hit = true;
        }
    }
    irq_timer_arm(&sim->eng, v->seg_timer, v->seg_started + run);
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

/* The workload's first phase, as the template says. */
static void begin_workload(irq_vcpu *v)
{
    if (v->sim->sc->tmpls[v->guest->tmpl].start == IRQ_PHASE_IDLE)
        begin_idle(v);
    else
        begin_busy(v);
}

/* The guest-work alarm: the busy segment stops where the alarm falls and
 * the model's function runs (it may push an exit or block the vCPU). */
static void alarm_fired(irq_vcpu *v, irq_seg *top, uint64_t ran)
{
    top->remaining = ran < top->remaining ? top->remaining - ran : 0;
    v->alarm_hit = false;
    v->work_alarm = NEVER;
    irq_exit_done_fn fn = v->alarm_fn;
    v->alarm_fn = NULL;
    v->dispatching = true;
    fn(v, v->alarm_ctx, 0);
    v->dispatching = false;
    if (runnable(v))
        dispatch(v);
    else
        update_state(v);
}

/* The top segment ran to its end. */
static void seg_done(void *ctx, uint64_t arg)
{
    (void)arg;
    irq_vcpu *v = ctx;
    struct irq_sim *sim = v->sim;
    irq_seg *top = &v->stack[v->depth - 1];
    if (top->kind == IRQ_SEG_BUSY) {
        uint64_t ran = irq_now(sim) - v->seg_started;
        account_work(v, ran < top->remaining ? ran : top->remaining);
        if (v->alarm_hit) {
            alarm_fired(v, top, ran);
            return;
        }
    }
    /* what the segment says is read before any hook: a push reuses its slot */
    top = &v->stack[--v->depth];
    v->dispatching = true;
    switch (top->kind) {
    case IRQ_SEG_BUSY:
        v->busy_left = 0;
        begin_idle(v);
        break;
    case IRQ_SEG_HANDLER:
        if (!top->quiet && sim->ops->irq_enabled)
            sim->ops->irq_enabled(sim->model, v);
        break;
    case IRQ_SEG_EXIT: {
        irq_exit_done_fn done = top->done;
        if (done)
            done(v, top->ctx, top->arg);
        break;
    }
    }
    v->dispatching = false;
    if (runnable(v))
        dispatch(v);
    else
        update_state(v);
}

/* ---- the halt: kvm_vcpu_halt() and kvm_vcpu_block() -------------------- */

static uint64_t host_cost(const irq_vcpu *v, int param)
{
    return v->sim->priv->cost[param];
}

/* kvm_arch_vcpu_runnable(): the guest's own timer fired, or the model says
 * something is deliverable. */
static bool can_run(irq_vcpu *v)
{
    struct irq_sim *sim = v->sim;
    if (v->model_halt ? v->timer_woke : has_work(v))
        return true;
    return !sim->ops->vcpu_runnable || sim->ops->vcpu_runnable(sim->model, v);
}

static bool wake_valid(const irq_vcpu *v)
{
    return v->valid_wakeup || !v->sim->ops->invalid_wakeups;
}

/* grow_halt_poll_ns / shrink_halt_poll_ns */
static void poll_grow(irq_vcpu *v)
{
    uint64_t grow = (uint64_t)v->sim->sc->host[IRQ_HOST_POLL_GROW].i;
    if (grow == 0)
        return;
    uint64_t w = v->poll_window * grow, start = host_cost(v, IRQ_HOST_POLL_GROW_START);
    v->poll_window = w < start ? start : w;
}

static void poll_shrink(irq_vcpu *v)
{
    uint64_t shrink = (uint64_t)v->sim->sc->host[IRQ_HOST_POLL_SHRINK].i;
    uint64_t w = shrink == 0 ? 0 : v->poll_window / shrink;
    v->poll_window = w < host_cost(v, IRQ_HOST_POLL_GROW_START) ? 0 : w;
}

/* What kvm_vcpu_halt() does once the halt is over: poll statistics, then
 * the window for the next halt. */
static void halt_accounting(irq_vcpu *v)
{
    uint64_t *c = v->guest->core;
    uint64_t now = irq_now(v->sim), halt_len = now - v->halt_start;
    bool valid = wake_valid(v);
    if (v->did_poll) {
        uint64_t polled = (v->slept ? v->poll_end : now) - v->halt_start;
        c[IRQ_GC_HALT_ATTEMPTED]++;
        if (!v->slept) {
            c[IRQ_GC_HALT_SUCCESSFUL]++;
            c[IRQ_GC_HALT_POLL_OK_NS] += polled;
            if (!valid)
                c[IRQ_GC_HALT_POLL_INVALID]++;
        } else {
            c[IRQ_GC_HALT_POLL_FAIL_NS] += polled;
        }
    }
    if (!valid)
        poll_shrink(v);
    else if (v->poll_max == 0)
        v->poll_window = 0;
    else if (halt_len <= v->poll_window)
        ; /* the window fits: keep it */
    else if (v->poll_window > 0 && halt_len > v->poll_max)
        poll_shrink(v); /* a long halt: polling was wasted */
    else if (v->poll_window < v->poll_max && halt_len < v->poll_max)
        poll_grow(v); /* a short halt the window missed */
}

/* The one place a vCPU starts or stops halt-polling: its guest counts its
 * polling vCPUs (irq_guest_polling). */
static void set_polling(irq_vcpu *v, bool on)
{
    v->polling = on;
    if (on)
        v->guest->npolling++;
    else
        v->guest->npolling--;
}

/* The halt is over: the vCPU can run and leaves WAIT. */
static void end_halt(irq_vcpu *v)
{
    struct irq_sim *sim = v->sim;
    uint64_t now = irq_now(sim);
    if (!v->model_halt) /* kvm_vcpu_block alone keeps no polling statistics */
        halt_accounting(v);
    v->model_halt = false;
    if (v->polling) {
        irq_timer_cancel(&sim->eng, v->poll_timer);
        v->lb[0] = v->lb[1] = now;
        set_polling(v, false);
    }
    v->lb[2] = now;
    v->halted = v->waking = false;
    if (sim->ops->wakeup)
        sim->ops->wakeup(sim->model, v);
    if (v->dispatching) /* inside seg_done: it dispatches next */
        return;
    if (runnable(v))
        dispatch(v);
    else
        update_state(v);
}

/* The thread stops polling and sleeps (kvm_vcpu_block). */
static void block(irq_vcpu *v)
{
    if (v->polling) {
        set_polling(v, false);
        irq_timer_cancel(&v->sim->eng, v->poll_timer);
        v->poll_end = irq_now(v->sim);
    }
    v->slept = true;
    irq__sched_block(v);
    update_state(v);
}

static void halt(irq_vcpu *v, uint64_t poll_max)
{
    uint64_t now = irq_now(v->sim);
    v->halted = true;
    v->valid_wakeup = false;
    v->slept = false;
    v->halt_start = v->poll_end = now;
    v->poll_max = poll_max;
    if (v->poll_window > poll_max) /* capped before each halt */
        v->poll_window = poll_max;
    v->did_poll = v->poll_window > 0;
    /* kvm_vcpu_can_poll: only while no other thread wants this CPU */
    if (v->did_poll && !irq__sched_others_waiting(v)) {
        set_polling(v, true);
        irq_timer_arm(&v->sim->eng, v->poll_timer, now + v->poll_window);
        update_state(v);
        irq__pcpu_account(pcpu_of(v)); /* the CPU polls now: no state change shows it */
        return;
    }
    block(v);
}

/* The host handles the guest's wait: the model decides whether to halt. */
static void wait_done(irq_vcpu *v, void *ctx, uint64_t arg)
{
    (void)ctx;
    (void)arg;
    struct irq_sim *sim = v->sim;
    if (has_work(v) || v->depth > 0)
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
    block(ctx);
}

void irq__vcpu_poll_abort(irq_vcpu *v)
{
    block(v);
}

/* The woken thread has run up to kvm_vcpu_check_block(). */
static void recheck(irq_vcpu *v, void *ctx, uint64_t arg)
{
    (void)ctx;
    (void)arg;
    v->waking = false;
    if (can_run(v)) {
        end_halt(v);
        return;
    }
    v->guest->core[IRQ_GC_HALT_SLEEP_AGAIN]++;
    irq__sched_block(v);
}

/* kvm_vcpu_wake_up(): a sleeping thread is woken; a polling one checks at
 * its next poll iteration, i.e. now. */
static bool wake_up(irq_vcpu *v, bool valid)
{
    if (!v->halted)
        return false;
    if (valid)
        v->valid_wakeup = true;
    if (v->polling) {
        if (can_run(v))
            end_halt(v);
        return true;
    }
    if (v->waking)
        return true;
    if (!stack_room(v, 1))
        return true;
    v->guest->core[IRQ_GC_HALT_WAKEUP]++;
    v->waking = true;
    v->stack[v->depth++] = (irq_seg){
        .kind = IRQ_SEG_EXIT, .remaining = host_cost(v, IRQ_HOST_WAKEUP), .done = recheck};
    irq__sched_wake(v);
    return true;
}

static void count_kick(irq_vcpu *v)
{
    v->kicks++;
    v->guest->kicks++;
    if (v->sim->priv->tracing) {
        irq_trace_info info = IRQ_TRACE_INFO_INIT;
        info.reason = v->sim->priv->kick_reason; /* set by the model, if it says */
        irq_trace_event(v->sim, "kick", v->guest, v, -1, &info);
    }
}

bool irq_vcpu_kick(irq_vcpu *v)
{
    count_kick(v);
    return wake_up(v, true);
}

bool irq_vcpu_kick_ipi(irq_vcpu *v)
{
    count_kick(v);
    if (v->halted)
        return wake_up(v, true);
    if (v->in_guest && runnable(v)) { /* guest mode: the IPI forces an exit */
        v->guest->core[IRQ_GC_IPI_EXITS]++;
        irq_vcpu_exit(v, host_cost(v, IRQ_HOST_IPI_EXIT), NULL, NULL, 0);
    }
    return false;
}

bool irq_vcpu_wake(irq_vcpu *v)
{
    if (!v->polling || !can_run(v))
        return false;
    end_halt(v);
    return true;
}

/* The guest's own timer ends an idle period (a valid wake-up). */
static void phase_end(void *ctx, uint64_t arg)
{
    (void)arg;
    irq_vcpu *v = ctx;
    begin_busy(v);
    if (v->halted) {
        v->timer_woke = true;
        v->sim->priv->timer_wakeups++;
        v->guest->core[IRQ_GC_TIMER_WAKEUPS]++;
        wake_up(v, true);
    }
}

void irq_vcpu_exit(irq_vcpu *v, uint64_t cycles, irq_exit_done_fn done, void *ctx, uint64_t arg)
{
    push_seg(
        v,
        (irq_seg){.kind = IRQ_SEG_EXIT, .remaining = cycles, .done = done, .ctx = ctx, .arg = arg});
}

/* ---- handler plans and traps ------------------------------------------ */

static irq_seg trap_seg(irq_vcpu *v, const irq_trap *t)
{
    v->guest->core[IRQ_GC_TRAPS]++;
    if (t->counter >= 0)
        v->guest->mcount[t->counter]++;
    irq_trace_instant(v->sim, "trap", v->guest, v, -1);
    return (irq_seg){.kind = IRQ_SEG_EXIT, .remaining = t->cycles};
}

/* The last step of a handler plan: the guest is enabled again. */
static void plan_done(irq_vcpu *v, void *ctx, uint64_t arg)
{
    (void)ctx;
    (void)arg;
    struct irq_sim *sim = v->sim;
    if (sim->ops->irq_enabled)
        sim->ops->irq_enabled(sim->model, v);
}

/* Starts the guest's handler for a delivered interrupt, with the traps of
 * its plan around it. The steps go on the segment stack in reverse, so the
 * first pre-trap runs first. */
void irq_vcpu_start_handler_plan(irq_vcpu *v, const irq_handler_plan *plan)
{
    struct irq_sim *sim = v->sim;
    if (v->halted || v->stopped || v->blocked) {
        irq_sim_fail(sim, "model delivered to vCPU %u of guest %s while it was %s", v->index,
                     v->guest->name, irq_vcpu_state_names[v->state]);
        return;
    }
    const irq_guest_tmpl *t = &sim->sc->tmpls[v->guest->tmpl];
    irq_seg body = {.kind = IRQ_SEG_HANDLER,
                    .remaining = irq_dist_sample(&t->handler, &v->rng),
                    .lat_defer = v->nld > 0};
    if (!plan || (plan->npre == 0 && plan->npost == 0)) {
        push_seg(v, body);
        return;
    }
    unsigned npre = plan->npre < IRQ_PLAN_MAX_TRAPS ? plan->npre : IRQ_PLAN_MAX_TRAPS;
    unsigned npost = plan->npost < IRQ_PLAN_MAX_TRAPS ? plan->npost : IRQ_PLAN_MAX_TRAPS;
    if (!stack_room(v, npre + npost + 1))
        return;
    bool was = v->dispatching;
    v->dispatching = true; /* one dispatch for the whole plan */
    pause_top(v);
    for (unsigned i = npost; i-- > 0;) {
        irq_seg seg = trap_seg(v, &plan->post[i]);
        if (i == npost - 1)
            seg.done = plan_done;
        v->stack[v->depth++] = seg;
    }
    body.quiet = npost > 0;
    body.lat_defer = v->nld > 0;
    v->stack[v->depth++] = body;
    for (unsigned i = npre; i-- > 0;)
        v->stack[v->depth++] = trap_seg(v, &plan->pre[i]);
    v->dispatching = was;
    if (!was && runnable(v))
        dispatch(v);
    else if (!was)
        update_state(v);
}

void irq__vcpu_start_handler(irq_vcpu *v)
{
    irq_vcpu_start_handler_plan(v, NULL);
}

void irq_vcpu_trap(irq_vcpu *v, int counter, uint64_t cycles, irq_exit_done_fn done, void *ctx,
                   uint64_t arg)
{
    irq_trap t = {.counter = counter, .cycles = cycles};
    irq_seg seg = trap_seg(v, &t);
    seg.done = done;
    seg.ctx = ctx;
    seg.arg = arg;
    push_seg(v, seg);
}

/* ---- guest time, blocking in the host, guest tasks ---------------------- */

void irq_vcpu_after_work(irq_vcpu *v, uint64_t cycles, irq_exit_done_fn fn, void *ctx)
{
    v->work_alarm = cycles && fn ? v->work_done + cycles : NEVER;
    v->alarm_fn = cycles ? fn : NULL;
    v->alarm_ctx = ctx;
    /* a busy segment running now must stop at the new alarm */
    if (!v->dispatching && v->depth > 0 && v->stack[v->depth - 1].kind == IRQ_SEG_BUSY &&
        irq_timer_armed(&v->sim->eng, v->seg_timer)) {
        pause_top(v);
        dispatch(v);
    }
}

/* What blocking in the host, a model's halt and a stop require: the vCPU
 * on its CPU, running (not halted, blocked or stopped). Else the run fails
 * naming what was asked (`what`) and the state it met. */
static bool may_leave_cpu(irq_vcpu *v, const char *what)
{
    if (!v->stopped && !v->blocked && !v->halted && v->on_cpu)
        return true;
    irq_sim_fail(v->sim, "vCPU %u of guest %s %s while %s", v->index, v->guest->name, what,
                 v->blocked ? "blocked" : irq_vcpu_state_names[v->state]);
    return false;
}

/* The thread gives up its CPU with the vCPU's stack kept (blocked in the
 * host, or stopped). */
static void leave_cpu(irq_vcpu *v)
{
    irq__vcpu_lost_cpu(v);
    irq__sched_block(v);
    update_state(v);
}

void irq_vcpu_block_host(irq_vcpu *v)
{
    if (!may_leave_cpu(v, "blocked in the host"))
        return;
    v->blocked = true;
    v->guest->core[IRQ_GC_BLOCKED]++;
    leave_cpu(v);
}

void irq_vcpu_halt_model(irq_vcpu *v)
{
    if (!may_leave_cpu(v, "halted by the model"))
        return;
    irq__vcpu_lost_cpu(v);
    v->halted = true;
    v->model_halt = true;
    v->timer_woke = false;
    v->valid_wakeup = false;
    v->did_poll = false;
    v->halt_start = v->poll_end = irq_now(v->sim);
    block(v);
}

/* SIGP STOP (handle_stop): the thread leaves its CPU, the vCPU is STOPPED
 * with its stack kept; what is pending stays with the model. */
void irq_vcpu_stop(irq_vcpu *v)
{
    if (!may_leave_cpu(v, "stopped"))
        return;
    v->stopped = true;
    leave_cpu(v);
}

/* SIGP RESTART of a stopped vCPU: it operates again and its thread wants a
 * CPU. One stopped since time 0 begins its workload as the template says. */
void irq_vcpu_restart(irq_vcpu *v)
{
    if (!v->stopped)
        return;
    v->stopped = false;
    if (v->th.last_cpu == UINT32_MAX && v->depth == 0)
        begin_workload(v);
    irq__sched_wake(v);
}

void irq_vcpu_unblock(irq_vcpu *v)
{
    if (!v->blocked)
        return;
    v->blocked = false;
    irq__sched_wake(v);
}

/* Without a runnable task the guest cannot go on with its busy period: the
 * busy segment (always the bottom one) leaves the stack, keeping what is
 * left of it for when a task runs again. */
static void drop_busy_segment(irq_vcpu *v)
{
    if (v->depth == 0 || v->stack[0].kind != IRQ_SEG_BUSY)
        return;
    bool top = v->depth == 1;
    if (top)
        pause_top(v);
    v->busy_left = v->stack[0].remaining;
    memmove(&v->stack[0], &v->stack[1], (size_t)(v->depth - 1) * sizeof v->stack[0]);
    v->depth--;
    if (top && !v->dispatching && runnable(v))
        dispatch(v);
}

void irq_task_park(irq_vcpu *v, uint32_t task)
{
    if (!v->tasks || task >= v->ntasks || v->tasks[task].parked)
        return;
    v->tasks[task].parked = true;
    v->nrunnable--;
    if (task == v->cur_task && v->nrunnable > 0) { /* round-robin to the next runnable one */
        uint32_t t = task;
        do
            t = (t + 1) % v->ntasks;
        while (v->tasks[t].parked);
        v->cur_task = t;
    }
    if (v->nrunnable == 0)
        drop_busy_segment(v);
}

void irq_task_wake(irq_vcpu *v, uint32_t task)
{
    if (!v->tasks || task >= v->ntasks || !v->tasks[task].parked)
        return;
    v->tasks[task].parked = false;
    if (v->nrunnable++ == 0)
        v->cur_task = task;
}

void irq_task_run(irq_vcpu *v, uint32_t task)
{
    if (!v->tasks || task >= v->ntasks || v->tasks[task].parked || task == v->cur_task)
        return;
    bool running = v->depth > 0 && v->stack[v->depth - 1].kind == IRQ_SEG_BUSY &&
                   irq_timer_armed(&v->sim->eng, v->seg_timer);
    if (running)
        pause_top(v); /* the work so far is the old task's */
    v->cur_task = task;
    if (running && !v->dispatching && runnable(v))
        dispatch(v);
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

/* ---- what the host scheduler does to the vCPU --------------------------- */

/* The thread got a CPU: a switch from another thread, or a move from
 * another CPU, costs host time first. */
void irq__vcpu_got_cpu(irq_vcpu *v, bool switched, bool migrated)
{
    uint64_t cost = (switched ? host_cost(v, IRQ_HOST_CTX_SWITCH) : 0) +
                    (migrated ? host_cost(v, IRQ_HOST_MIGRATE) : 0);
    if (cost > 0) {
        pause_top(v);
        if (stack_room(v, 1))
            v->stack[v->depth++] = (irq_seg){.kind = IRQ_SEG_EXIT, .remaining = cost};
    }
    if (runnable(v))
        dispatch(v);
    else
        update_state(v);
}

/* Takes the CPU away from a thread that still has work (pausing it). */
void irq__vcpu_lost_cpu(irq_vcpu *v)
{
    pause_top(v);
    if (v->in_guest)
        guest_leave(v);
}

void irq__vcpu_pause(irq_vcpu *v)
{
    irq__vcpu_lost_cpu(v);
    update_state(v);
}

void irq__vcpu_resume(irq_vcpu *v)
{
    if (runnable(v))
        dispatch(v);
}

/* ---- set-up ------------------------------------------------------------ */

void irq__vcpu_init_timers(struct irq_sim *sim, irq_vcpu *v)
{
    v->seg_timer = irq_sim_timer_new(sim, seg_done, v, 0);
    v->phase_timer = irq_sim_timer_new(sim, phase_end, v, 0);
    v->poll_timer = irq_sim_timer_new(sim, poll_end, v, 0);
    v->th.last_cpu = UINT32_MAX;
}

/* Time 0: every vCPU that is not stopped wants its CPU. One that starts
 * idle enters the guest and executes a wait right away, so the model sees
 * it halt through the normal path. */
void irq__vcpu_start(irq_vcpu *v)
{
    const irq_guest_tmpl *t = &v->sim->sc->tmpls[v->guest->tmpl];
    v->state = IRQ_VCPU_PREEMPTED;
    v->state_since = 0;
    if (t->stopped) {
        v->stopped = true;
        set_state(v, IRQ_VCPU_STOPPED);
        return;
    }
    begin_workload(v);
    irq__sched_wake(v);
}
