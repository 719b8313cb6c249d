/* The host: where and when vCPU threads run, and host work on a CPU.
 *
 * ../shared/DOMAIN.md section 5 and ../shared/domain/host-scheduler.md (B7)
 * are the reference. Three policies share one run queue per CPU:
 *   - eevdf (Linux 6.6+): vruntime, lag kept over sleep (PLACE_LAG), virtual
 *     deadline = vruntime + slice, pick the eligible thread with the earliest
 *     deadline, RUN_TO_PARITY, DELAY_DEQUEUE, slice ends seen at ticks;
 *   - cfs (<= 6.5): vruntime with sleeper credit, wakeup granularity, the
 *     two check_preempt_tick rules;
 *   - fifo: a FIFO per CPU, a fixed timeslice, no wake-up preemption and no
 *     balancing (the pessimistic bound irqsim used before; with pinned
 *     threads it is exactly that old behaviour).
 * Floating threads wake on their previous CPU if idle, else on an idle CPU
 * of the same LLC domain, else queue on their previous CPU; a CPU going
 * idle pulls a waiting, cache-cold thread from its LLC (newidle balance).
 *
 * Cost: placement scans bitmaps of idle CPUs and of CPUs with waiting
 * threads, O(CPUs/64) per wake-up; a pick scans the waiting threads of one
 * CPU. Equal weights (nice 0) throughout, so virtual time runs 1:1.
 * Ties: earliest deadline (eevdf) or vruntime (cfs), then the lower vCPU id;
 * the kernel's exact tie order is not documented (host-scheduler.md). */
#include <stdlib.h>

#include "sched_internal.h"
#include "sim_priv_internal.h"
#include "vcpu_internal.h"

#define NEVER UINT64_MAX
/* newidle balancing looks at this many CPUs with waiting threads at most */
#define NEWIDLE_SCAN_CPUS 8

const char *const irq__cpu_use_names[IRQ_USE_N] = {"guest", "exits", "host_work", "halt_poll",
                                                   "idle"};

static uint64_t now_of(const irq_pcpu *p)
{
    return irq_now(p->sim);
}
static struct irq_sim_priv *priv_of(const irq_pcpu *p)
{
    return p->sim->priv;
}
static bool fair(const irq_pcpu *p)
{
    return priv_of(p)->sched != IRQ_SCHED_FIFO;
}
static bool eevdf(const irq_pcpu *p)
{
    return priv_of(p)->sched == IRQ_SCHED_EEVDF;
}
static bool host_flag(const irq_pcpu *p, int param)
{
    return p->sim->sc->host[param].i != 0;
}

/* ---- bitmaps ----------------------------------------------------------- */

/* Branch-free and inline: refresh_maps runs at every wake-up, pick and block. */
static inline void bit_put(uint64_t *m, uint32_t i, bool on)
{
    uint64_t bit = 1ull << (i % 64), *w = &m[i / 64];
    *w = (*w & ~bit) | (on ? bit : 0);
}

/* First set bit in [lo, hi), or UINT32_MAX. */
static uint32_t bit_scan(const uint64_t *m, uint32_t lo, uint32_t hi)
{
    while (lo < hi) {
        uint64_t bits = m[lo / 64] >> (lo % 64);
        if (bits) {
            uint32_t i = lo + (uint32_t)__builtin_ctzll(bits);
            return i < hi ? i : UINT32_MAX;
        }
        lo = (lo / 64 + 1) * 64;
    }
    return UINT32_MAX;
}

/* First set bit of p's LLC domain at or after from, wrapping. */
static uint32_t llc_find(const irq_pcpu *p, const uint64_t *m, uint32_t from)
{
    uint32_t lo = p->llc_first, hi = p->llc_first + p->llc_n;
    if (from < lo || from >= hi)
        from = lo;
    uint32_t i = bit_scan(m, from, hi);
    return i != UINT32_MAX ? i : bit_scan(m, lo, from);
}

static bool cpu_idle(const irq_pcpu *p)
{
    return !p->cur && p->nwaiting == 0;
}

static inline void refresh_maps(irq_pcpu *p)
{
    struct irq_sim_priv *pr = priv_of(p);
    bit_put(pr->idle_map, p->id, cpu_idle(p));
    bit_put(pr->wait_map, p->id, p->nwaiting > 0);
}

/* ---- CPU use ----------------------------------------------------------- */

static uint8_t use_now(const irq_pcpu *p)
{
    const irq_vcpu *v = p->cur;
    if (p->busy)
        return IRQ_USE_HOST_WORK;
    if (!v)
        return IRQ_USE_IDLE;
    if (v->polling)
        return IRQ_USE_POLL;
    if (v->halted || v->depth == 0 || v->stack[v->depth - 1].kind == IRQ_SEG_EXIT)
        return IRQ_USE_EXIT;
    return IRQ_USE_GUEST;
}

/* Inline here, where the scheduler itself accounts (take, schedule, host work). */
static inline void account(irq_pcpu *p)
{
    uint8_t u = use_now(p);
    if (u == p->use)
        return;
    uint64_t now = now_of(p);
    p->use_time[p->use] += now - p->use_since;
    p->use_since = now;
    p->use = u;
}

void irq__pcpu_account(irq_pcpu *p)
{
    account(p);
}

void irq__pcpu_account_end(irq_pcpu *p, uint64_t end)
{
    if (end > p->use_since) {
        p->use_time[p->use] += end - p->use_since;
        p->use_since = end;
    }
}

/* ---- run queue --------------------------------------------------------- */

static void q_add(irq_pcpu *p, irq_vcpu *v)
{
    v->th.q_next = 0;
    v->th.q_prev = irq__th_link(p->q_tail);
    if (p->q_tail)
        p->q_tail->th.q_next = irq__th_link(v);
    else
        p->q_head = v;
    p->q_tail = v;
    v->th.queued = true;
    if (!v->th.delayed)
        p->nwaiting++;
    if (fair(p))
        irq__rq_insert(&p->tree, v);
}

static void q_del(irq_pcpu *p, irq_vcpu *v)
{
    irq_vcpu *prev = irq__th_get(v, v->th.q_prev), *next = irq__th_get(v, v->th.q_next);
    if (prev)
        prev->th.q_next = v->th.q_next;
    else
        p->q_head = next;
    if (next)
        next->th.q_prev = v->th.q_prev;
    else
        p->q_tail = prev;
    v->th.q_prev = v->th.q_next = 0;
    v->th.queued = false;
    if (!v->th.delayed)
        p->nwaiting--;
    if (fair(p))
        irq__rq_remove(&p->tree, v);
}

/* ---- fair accounting --------------------------------------------------- */

static void count_in(irq_pcpu *p, irq_vcpu *v)
{
    p->nr++;
    p->sum_v += v->th.vrt;
    v->th.counted = true;
}

/* Average vruntime V of the counted threads, floored; base_v when none. */
static int64_t avg_v(const irq_pcpu *p)
{
    if (p->nr == 0)
        return p->base_v;
    if (p->nr == 1)
        return p->sum_v; /* the common case, without dividing */
    int64_t q = p->sum_v / (int64_t)p->nr;
    return q * (int64_t)p->nr > p->sum_v ? q - 1 : q;
}

static void count_out(irq_pcpu *p, irq_vcpu *v)
{
    if (p->nr == 1)
        p->base_v = avg_v(p); /* an empty queue keeps its V */
    p->nr--;
    p->sum_v -= v->th.vrt;
    v->th.counted = false;
}

/* entity_eligible: v <= V, exactly (no division). */
static bool eligible(const irq_pcpu *p, const irq_vcpu *v)
{
    return (__int128)v->th.vrt * p->nr <= (__int128)p->sum_v;
}

/* The scheduler tick renews the current thread's deadline once its
 * vruntime has passed it (update_deadline). Ticks are only simulated while
 * threads wait; for the ticks in (from, to) that ran unsimulated, apply the
 * renewals they made: the first at the first tick where the vruntime has
 * reached the deadline, then one every whole number of ticks covering a
 * slice. The vruntime at from is c's (not yet advanced). */
static void renew_at_ticks(irq_pcpu *p, irq_vcpu *c, uint64_t from, uint64_t to)
{
    uint64_t tick = priv_of(p)->cost[IRQ_HOST_TICK], s = priv_of(p)->slice;
    int64_t ahead = c->th.deadline - c->th.vrt; /* run time until it is due */
    uint64_t due = from + (ahead > 0 ? (uint64_t)ahead : 0);
    /* Not due by now (most calls): t1 below would be at or after due, or
     * (when from == to) after from, so at or after to; return before dividing. */
    if (due >= to)
        return;
    uint64_t t1 = (due / tick + (due % tick ? 1 : 0)) * tick;
    if (t1 <= from)
        t1 = (from / tick + 1) * tick;
    if (t1 >= to)
        return;
    uint64_t period = (s / tick + (s % tick ? 1 : 0)) * tick;
    uint64_t last = t1 + (to - 1 - t1) / period * period;
    c->th.deadline = c->th.vrt + (int64_t)(last - from) + (int64_t)s;
    c->th.protect = false;
}

/* update_curr: the current thread's vruntime catches up with the time it
 * ran; eevdf renews an expired deadline (update_deadline). Returns true when
 * that asks for a reschedule. */
static bool update_curr(irq_pcpu *p)
{
    irq_vcpu *c = p->cur;
    uint64_t now = now_of(p);
    if (!c || !fair(p) || !c->th.counted) {
        p->exec_start = now;
        return false;
    }
    uint64_t from = p->exec_start;
    int64_t delta = (int64_t)(now - from);
    p->exec_start = now;
    if (eevdf(p))
        renew_at_ticks(p, c, from, now);
    c->th.vrt += delta;
    p->sum_v += delta;
    if (!eevdf(p) || c->th.vrt < c->th.deadline)
        return false;
    c->th.deadline = c->th.vrt + (int64_t)priv_of(p)->slice;
    c->th.protect = false;
    return p->nr > 1;
}

/* cfs min_vruntime: never decreases; follows the smaller of the current
 * thread's and the leftmost waiting thread's vruntime. */
static void cfs_update_min(irq_pcpu *p)
{
    int64_t m = INT64_MAX;
    if (p->cur && p->cur->th.counted)
        m = p->cur->th.vrt;
    irq_vcpu *left = irq__rq_leftmost(p->tree);
    if (left && left->th.vrt < m)
        m = left->th.vrt;
    if (m != INT64_MAX && m > p->base_v)
        p->base_v = m;
}

/* pick_eevdf: the eligible thread with the earliest deadline; the current
 * one under RUN_TO_PARITY protection while eligible. Ties: the lower vCPU
 * id; the current one only wins with a strictly earlier deadline. */
static irq_vcpu *pick_eevdf(irq_pcpu *p)
{
    irq_vcpu *curr = p->cur && p->cur->th.counted && eligible(p, p->cur) ? p->cur : NULL;
    if (curr && curr->th.protect && host_flag(p, IRQ_HOST_RUN_TO_PARITY))
        return curr;
    irq_vcpu *best = irq__rq_pick_eligible(p->tree, p->sum_v, p->nr);
    if (curr && (!best || curr->th.deadline < best->th.deadline))
        best = curr;
    if (best)
        return best;
    /* nothing eligible: only possible through rounding; take the lowest vruntime */
    return p->cur && p->cur->th.counted ? p->cur : irq__rq_leftmost(p->tree);
}

/* cfs: the leftmost (lowest vruntime) of the current and waiting threads. */
static irq_vcpu *pick_cfs(irq_pcpu *p)
{
    irq_vcpu *best = p->cur && p->cur->th.counted ? p->cur : NULL;
    irq_vcpu *left = irq__rq_leftmost(p->tree);
    if (left && (!best || left->th.vrt < best->th.vrt ||
                 (left->th.vrt == best->th.vrt && left->id < best->id)))
        best = left;
    return best;
}

/* A delayed (sleeping) thread reached the front: it leaves the queue now,
 * its lag clipped to at most 0 (DELAY_ZERO). */
static void finish_delayed(irq_pcpu *p, irq_vcpu *v)
{
    q_del(p, v);
    int64_t lag = avg_v(p) - v->th.vrt;
    v->th.vlag = lag > 0 ? 0 : lag;
    v->th.delayed = false;
    count_out(p, v);
}

static irq_vcpu *pick_next(irq_pcpu *p)
{
    if (!fair(p))
        return p->q_head;
    for (;;) {
        irq_vcpu *e = eevdf(p) ? pick_eevdf(p) : pick_cfs(p);
        if (!e || !e->th.delayed)
            return e;
        finish_delayed(p, e);
    }
}

/* ---- ticks and slices -------------------------------------------------- */

/* fifo: the thread on the CPU keeps it for one slice from when it got it
 * (or from now, if it has had that already) once another thread waits. */
static void arm_slice(irq_pcpu *p)
{
    struct irq_sim *sim = p->sim;
    if (!p->q_head || irq_timer_armed(&sim->eng, p->slice_timer))
        return;
    uint64_t when = p->cur_since + sim->priv->cost[IRQ_HOST_TIMESLICE];
    irq_timer_arm(&sim->eng, p->slice_timer, when > irq_now(sim) ? when : irq_now(sim));
}

/* fair: the scheduler tick matters only while threads wait for the CPU. */
static __attribute__((noinline)) void arm_tick_now(irq_pcpu *p)
{
    struct irq_sim *sim = p->sim;
    if (irq_timer_armed(&sim->eng, p->slice_timer))
        return;
    uint64_t tick = sim->priv->cost[IRQ_HOST_TICK];
    irq_timer_arm(&sim->eng, p->slice_timer, (irq_now(sim) / tick + 1) * tick);
}

/* At most picks nothing else waits and no tick is needed: checked inline. */
static inline void arm_tick(irq_pcpu *p)
{
    if (p->nwaiting == 0 || !p->cur)
        return;
    arm_tick_now(p);
}

static void arm_timer(irq_pcpu *p)
{
    if (fair(p))
        arm_tick(p);
    else
        arm_slice(p);
}

/* ---- giving and taking the CPU ---------------------------------------- */

static void take(irq_pcpu *p, irq_vcpu *v)
{
    struct irq_sim *sim = p->sim;
    uint64_t now = irq_now(sim);
    if (v->th.queued)
        q_del(p, v);
    p->cur = v;
    p->cur_since = now;
    p->exec_start = now;
    irq_timer_cancel(&sim->eng, p->slice_timer);
    v->th.picked_at = now;
    v->th.protect = true; /* RUN_TO_PARITY: armed at every pick */
    bool switched = p->last != v && p->last != NULL;
    bool migrated = v->th.last_cpu != UINT32_MAX && v->th.last_cpu != p->id;
    p->last = v;
    v->pcpu = p->id;
    v->cpu = p;
    v->th.last_cpu = p->id;
    v->on_cpu = true;
    if (v->lb[1] == NEVER)
        v->lb[1] = now;
    if (!v->halted && v->lb[2] == NEVER)
        v->lb[2] = now;
    refresh_maps(p);
    arm_timer(p); /* before the vCPU's own timers: same-time order as before */
    irq__vcpu_got_cpu(v, switched, migrated);
    account(p);
}

static void newidle_pull(irq_pcpu *p);

/* The CPU has no current thread: run the next one, or pull one, or idle. */
static void schedule(irq_pcpu *p)
{
    /* An empty queue (no delayed thread either) gives every policy nothing
     * to pick: skip the pick, which is most blocks. */
    irq_vcpu *next = p->q_head ? pick_next(p) : NULL;
    if (next) {
        take(p, next);
        return;
    }
    refresh_maps(p);
    account(p);
    newidle_pull(p);
}

/* The current thread, still runnable, goes back to wait (put_prev). */
static void put_prev(irq_pcpu *p)
{
    irq_vcpu *c = p->cur;
    uint64_t now = now_of(p);
    update_curr(p); /* its vruntime is its key in the queue */
    irq__vcpu_lost_cpu(c);
    c->on_cpu = false;
    c->th.last_ran = now;
    c->th.queued_at = now;
    c->lb[0] = now;
    c->lb[1] = c->lb[2] = NEVER;
    p->cur = NULL;
    q_add(p, c);
    irq__vcpu_update_state(c);
}

/* Switches to what the policy picks now, if that is another thread. */
static void resched(irq_pcpu *p)
{
    irq_vcpu *next = pick_next(p);
    if (!next || next == p->cur)
        return;
    if (p->cur)
        put_prev(p);
    take(p, next);
}

/* ---- placement (fair) -------------------------------------------------- */

static int64_t lag_limit(const irq_pcpu *p)
{
    uint64_t s2 = 2 * priv_of(p)->slice, tick = priv_of(p)->cost[IRQ_HOST_TICK];
    return (int64_t)(s2 > tick ? s2 : tick);
}

/* place_entity, eevdf: at V less the lag it slept with, inflated so that it
 * survives the change of V that adding the thread causes. */
static void place_eevdf(irq_pcpu *p, irq_vcpu *v, bool initial)
{
    int64_t vrt = avg_v(p), lag = 0;
    if (host_flag(p, IRQ_HOST_PLACE_LAG) && p->nr > 0 && !initial)
        lag = v->th.vlag * (int64_t)(p->nr + 1) / (int64_t)p->nr;
    v->th.vrt = vrt - lag;
    int64_t s = (int64_t)priv_of(p)->slice;
    v->th.deadline = v->th.vrt + (initial ? s / 2 : s); /* PLACE_DEADLINE_INITIAL */
}

/* place_entity, cfs: no older than min_vruntime less the sleeper credit. */
static void place_cfs(irq_pcpu *p, irq_vcpu *v, bool initial)
{
    cfs_update_min(p);
    int64_t minv = p->base_v;
    if (initial) {
        v->th.vrt = minv;
        return;
    }
    int64_t vrt = v->th.last_cpu == p->id ? v->th.vrt : v->th.vlag + minv;
    int64_t credit = (int64_t)priv_of(p)->cfs_latency;
    if (host_flag(p, IRQ_HOST_GENTLE_SLEEPERS))
        credit /= 2;
    v->th.vrt = vrt > minv - credit ? vrt : minv - credit;
}

static void place(irq_pcpu *p, irq_vcpu *v, bool initial)
{
    if (eevdf(p))
        place_eevdf(p, v, initial);
    else
        place_cfs(p, v, initial);
    count_in(p, v);
}

/* select_idle_sibling, simplified: previous CPU if idle, else the first
 * idle CPU of its LLC after it, else the previous CPU. */
static irq_pcpu *select_cpu(irq_vcpu *v)
{
    struct irq_sim_priv *pr = v->sim->priv;
    if (pr->affinity == IRQ_AFFINITY_PINNED)
        return &pr->pcpus[v->id % pr->npcpus];
    irq_pcpu *prev = &pr->pcpus[v->pcpu];
    if (cpu_idle(prev))
        return prev;
    uint32_t i = llc_find(prev, pr->idle_map, v->pcpu + 1);
    return i != UINT32_MAX ? &pr->pcpus[i] : prev;
}

/* ---- wake-up preemption ------------------------------------------------ */

static void wakeup_preempt(irq_pcpu *p, irq_vcpu *v)
{
    if (!fair(p)) {
        arm_slice(p);
        return;
    }
    bool renewed = update_curr(p);
    if (eevdf(p)) {
        if (renewed || pick_eevdf(p) == v)
            resched(p);
    } else {
        irq_vcpu *c = p->cur;
        if (c && c->th.counted && c->th.vrt - v->th.vrt > (int64_t)priv_of(p)->cfs_wakeup_gran)
            resched(p);
    }
    arm_tick(p);
}

/* ---- the scheduler's entry points -------------------------------------- */

/* A delayed thread wakes where it still is queued (ttwu_runnable). */
static void wake_delayed(irq_pcpu *p, irq_vcpu *v)
{
    update_curr(p);
    q_del(p, v); /* as delayed: it did not count as waiting */
    v->th.delayed = false;
    if (avg_v(p) - v->th.vrt > 0) { /* DELAY_ZERO: positive lag is clipped */
        count_out(p, v);
        v->th.vlag = 0;
        place_eevdf(p, v, false);
        count_in(p, v);
    }
    q_add(p, v);
}

void irq__sched_wake(irq_vcpu *v)
{
    struct irq_sim_priv *pr = v->sim->priv;
    irq_pcpu *p;
    uint64_t now = irq_now(v->sim);
    v->th.queued_at = now;
    v->lb[0] = now;
    v->lb[1] = v->lb[2] = NEVER;
    if (v->th.delayed) {
        p = &pr->pcpus[v->pcpu];
        wake_delayed(p, v);
    } else {
        p = select_cpu(v);
        if (fair(p)) {
            update_curr(p);
            place(p, v, v->th.last_cpu == UINT32_MAX);
        }
        if (!p->cur && !p->q_head) {
            /* An idle CPU with nothing queued: every policy would pick v as
             * soon as it is queued, and take it out again; most wake-ups. */
            take(p, v);
            return;
        }
        q_add(p, v);
    }
    refresh_maps(p);
    if (p->cur && p->cur->polling) { /* the poller yields at once */
        irq__vcpu_poll_abort(p->cur);
        return;
    }
    if (!p->cur) {
        schedule(p);
        return;
    }
    irq__vcpu_update_state(v);
    wakeup_preempt(p, v);
}

void irq__sched_block(irq_vcpu *v)
{
    irq_pcpu *p = &v->sim->priv->pcpus[v->pcpu];
    if (p->cur != v)
        return;
    uint64_t now = irq_now(v->sim);
    if (fair(p)) {
        update_curr(p);
        if (eevdf(p)) {
            int64_t lag = avg_v(p) - v->th.vrt, lim = lag_limit(p);
            v->th.vlag = lag > lim ? lim : lag < -lim ? -lim : lag;
        } else {
            cfs_update_min(p);
            v->th.vlag = v->th.vrt - p->base_v;
        }
    }
    v->on_cpu = false;
    v->th.last_ran = now;
    p->cur = NULL;
    if (fair(p)) {
        if (eevdf(p) && host_flag(p, IRQ_HOST_DELAY_DEQUEUE) && v->th.vlag < 0) {
            v->th.delayed = true; /* stays in the average until picked or woken */
            q_add(p, v);
        } else {
            count_out(p, v);
        }
    }
    schedule(p);
}

bool irq__sched_others_waiting(const irq_vcpu *v)
{
    return v->sim->priv->pcpus[v->pcpu].nwaiting > 0;
}

/* fifo: the slice ended, the next waiting thread gets the CPU. */
static void slice_end(irq_pcpu *p)
{
    if (!p->q_head)
        return;
    if (p->busy) /* host work first; host_work_done looks at the slice again */
        return;
    if (p->cur && p->cur->polling) {
        irq__vcpu_poll_abort(p->cur);
        return;
    }
    if (p->cur)
        put_prev(p);
    take(p, p->q_head);
}

/* cfs check_preempt_tick: past its slice, or (after the minimum
 * granularity) ahead of the leftmost by more than a slice. */
static bool cfs_tick_preempt(irq_pcpu *p)
{
    irq_vcpu *c = p->cur;
    struct irq_sim_priv *pr = priv_of(p);
    uint64_t nr = p->nr ? p->nr : 1;
    uint64_t period =
        pr->cfs_latency > nr * pr->cfs_min_gran ? pr->cfs_latency : nr * pr->cfs_min_gran;
    uint64_t ideal = period / nr, ran = now_of(p) - c->th.picked_at;
    if (ran > ideal)
        return true;
    if (ran < pr->cfs_min_gran)
        return false;
    irq_vcpu *left = irq__rq_leftmost(p->tree); /* cfs has no delayed threads */
    return left && c->th.vrt - left->th.vrt > (int64_t)ideal;
}

static void tick(irq_pcpu *p)
{
    if (!p->cur)
        return;
    bool renewed = update_curr(p);
    if (eevdf(p) ? renewed : (p->cur->th.counted && cfs_tick_preempt(p))) {
        if (p->cur->polling)
            irq__vcpu_poll_abort(p->cur);
        else
            resched(p);
    }
    arm_tick(p);
}

static void slice_timer_fired(void *ctx, uint64_t arg)
{
    (void)arg;
    irq_pcpu *p = ctx;
    if (fair(p))
        tick(p);
    else
        slice_end(p);
}

static bool before(const irq_vcpu *a, int64_t ka, const irq_vcpu *b, int64_t kb)
{
    return ka < kb || (ka == kb && a->id < b->id);
}

/* newidle balance: pull a waiting thread that did not run within
 * migration_cost (task_hot) from another CPU of the LLC; the one that has
 * waited longest (cfs: the lowest vruntime). */
static irq_vcpu *pull_candidate(irq_pcpu *q, uint64_t now, uint64_t hot)
{
    irq_vcpu *best = NULL;
    for (irq_vcpu *e = q->q_head; e; e = irq__th_get(e, e->th.q_next)) {
        if (e->th.delayed || (e->th.last_cpu != UINT32_MAX && now - e->th.last_ran < hot))
            continue;
        if (!best || (eevdf(q) ? e->th.queued_at < best->th.queued_at
                               : before(e, e->th.vrt, best, best->th.vrt)))
            best = e;
    }
    return best;
}

static void migrate_waiting(irq_pcpu *from, irq_pcpu *to, irq_vcpu *v)
{
    update_curr(from);
    q_del(from, v);
    if (eevdf(from)) {
        v->th.vlag = avg_v(from) - v->th.vrt;
    } else {
        cfs_update_min(from);
        v->th.vlag = v->th.vrt - from->base_v;
    }
    count_out(from, v);
    refresh_maps(from);
    if (eevdf(to)) {
        place_eevdf(to, v, false);
    } else {
        cfs_update_min(to);
        v->th.vrt = v->th.vlag + to->base_v;
    }
    count_in(to, v);
    q_add(to, v);
}

/* Out of line: schedule, which inlines newidle_pull's checks, stays light
 * when nothing waits. */
static __attribute__((noinline)) void newidle_scan(irq_pcpu *p)
{
    struct irq_sim_priv *pr = priv_of(p);
    uint64_t now = now_of(p), hot = pr->cost[IRQ_HOST_MIGRATION_COST];
    uint32_t first = UINT32_MAX, from = p->id + 1;
    for (int k = 0; k < NEWIDLE_SCAN_CPUS; k++) {
        uint32_t i = llc_find(p, pr->wait_map, from);
        if (i == UINT32_MAX || i == first)
            return;
        if (first == UINT32_MAX)
            first = i;
        irq_pcpu *q = &pr->pcpus[i];
        irq_vcpu *v = pull_candidate(q, now, hot);
        if (v) {
            migrate_waiting(q, p, v);
            take(p, v);
            return;
        }
        from = i + 1;
    }
}

static void newidle_pull(irq_pcpu *p)
{
    struct irq_sim_priv *pr = priv_of(p);
    if (!fair(p) || pr->affinity != IRQ_AFFINITY_FLOATING || !host_flag(p, IRQ_HOST_NEWIDLE))
        return;
    if (bit_scan(pr->wait_map, p->llc_first, p->llc_first + p->llc_n) == UINT32_MAX)
        return; /* nothing waits in the LLC (most calls): one pass, not llc_find's two */
    newidle_scan(p);
}

/* ---- host work --------------------------------------------------------- */

static irq_host_work_item *work_at(const struct irq_sim *sim, uint32_t i)
{
    return &sim->priv->work_pool[i];
}

/* Out of line: irq_host_work_named, which mostly only appends, stays a leaf. */
static __attribute__((noinline)) void start_host_work(irq_pcpu *p)
{
    struct irq_sim *sim = p->sim;
    p->busy = true;
    if (sim->priv->tracing && sim->priv->tracer.host_work)
        sim->priv->tracer.host_work(sim->priv->tracer.ud, p->id, 1,
                                    work_at(sim, p->work_head)->what, irq_now(sim));
    if (p->cur && !(p->cur->halted && !p->cur->waking))
        irq__vcpu_pause(p->cur);
    account(p);
    irq_timer_arm(&sim->eng, p->work_timer, irq_now(sim) + work_at(sim, p->work_head)->cycles);
}

static void host_work_done(void *ctx, uint64_t arg)
{
    (void)arg;
    irq_pcpu *p = ctx;
    struct irq_sim *sim = p->sim;
    struct irq_sim_priv *pr = sim->priv;
    uint32_t i = p->work_head;
    irq_host_work_item item = *work_at(sim, i); /* done may queue more: the pool can move */
    p->work_head = item.next; /* the tail is read only while the queue is not empty */
    work_at(sim, i)->next = pr->work_free;
    pr->work_free = i;
    if (item.done)
        item.done(item.ctx, item.arg);
    if (p->work_head != IRQ_WORK_NONE) {
        if (sim->priv->tracing && sim->priv->tracer.host_work) /* the next item's own slice */
            sim->priv->tracer.host_work(sim->priv->tracer.ud, p->id, 1,
                                        work_at(sim, p->work_head)->what, irq_now(sim));
        irq_timer_arm(&sim->eng, p->work_timer, irq_now(sim) + work_at(sim, p->work_head)->cycles);
        return;
    }
    p->busy = false;
    if (sim->priv->tracing && sim->priv->tracer.host_work)
        sim->priv->tracer.host_work(sim->priv->tracer.ud, p->id, 0, NULL, irq_now(sim));
    if (p->cur)
        irq__vcpu_resume(p->cur);
    account(p);
    if (!fair(p))
        arm_slice(p); /* a slice that ended meanwhile ends now */
}

/* Doubles the pool (16 items at first), chaining the new items into the
 * free list; the growth is charged to the memory budget. 0, or -1 (the run
 * has failed). */
static __attribute__((noinline, cold)) int work_pool_grow(struct irq_sim *sim)
{
    struct irq_sim_priv *pr = sim->priv;
    uint32_t cap = pr->work_pool_cap, ncap = irq__next_cap(cap, 16, sizeof *pr->work_pool);
    if (ncap == 0) {
        irq_sim_fail(sim, "more than %u host work items held at once, the most a queue can count",
                     cap);
        return -1;
    }
    if (irq__sim_charge(sim, (uint64_t)(ncap - cap) * sizeof *pr->work_pool, "host work items") !=
        0)
        return -1;
    irq_host_work_item *pool = realloc(pr->work_pool, (size_t)ncap * sizeof *pool);
    if (!pool) {
        irq_sim_fail(sim, "out of memory holding host work items");
        return -1;
    }
    for (uint32_t i = cap; i < ncap; i++)
        pool[i].next = i + 1 < ncap ? i + 1 : pr->work_free;
    pr->work_pool = pool;
    pr->work_pool_cap = ncap;
    pr->work_free = cap;
    return 0;
}

void irq_host_work(struct irq_sim *sim, uint32_t cpu, uint64_t cycles, irq_event_fn done, void *ctx,
                   uint64_t arg)
{
    irq_host_work_named(sim, cpu, cycles, done, ctx, arg, NULL);
}

/* The pool is full: grow it, then queue as asked. Out of line, so that the
 * common path calls nothing but start_host_work, in tail position. */
static __attribute__((noinline, cold)) void host_work_grow(struct irq_sim *sim, uint32_t cpu,
                                                           uint64_t cycles, irq_event_fn done,
                                                           void *ctx, uint64_t arg,
                                                           const char *what)
{
    if (work_pool_grow(sim) == 0)
        irq_host_work_named(sim, cpu, cycles, done, ctx, arg, what);
}

void irq_host_work_named(struct irq_sim *sim, uint32_t cpu, uint64_t cycles, irq_event_fn done,
                         void *ctx, uint64_t arg, const char *what)
{
    struct irq_sim_priv *pr = sim->priv;
    if (pr->work_free == IRQ_WORK_NONE) {
        host_work_grow(sim, cpu, cycles, done, ctx, arg, what);
        return;
    }
    irq_pcpu *p = &pr->pcpus[cpu % pr->npcpus];
    uint32_t i = pr->work_free;
    irq_host_work_item *it = work_at(sim, i);
    pr->work_free = it->next;
    *it = (irq_host_work_item){.cycles = cycles,
                               .done = done,
                               .ctx = ctx,
                               .arg = arg,
                               .what = what,
                               .next = IRQ_WORK_NONE};
    if (p->work_head == IRQ_WORK_NONE) {
        p->work_head = p->work_tail = i;
        start_host_work(p);
        return;
    }
    work_at(sim, p->work_tail)->next = i;
    p->work_tail = i;
}

/* ---- set-up ------------------------------------------------------------ */

/* 1 + ilog2(min(cpus, 8)): the factor fair.c scales its tunables by. */
static uint64_t cpu_factor(uint32_t cpus)
{
    uint32_t n = cpus < 8 ? cpus : 8, f = 1;
    while (n >>= 1)
        f++;
    return f;
}

int irq__sched_init(struct irq_sim *sim, irq_error *err)
{
    struct irq_sim_priv *pr = sim->priv;
    const irq_scenario *sc = sim->sc;
    size_t words = (pr->npcpus + 63) / 64;
    pr->idle_map = calloc(words, sizeof *pr->idle_map);
    pr->wait_map = calloc(words, sizeof *pr->wait_map);
    if (!pr->idle_map || !pr->wait_map)
        return irq_error_set(err, IRQ_ENOMEM, NULL, "out of memory for %u CPUs", pr->npcpus);
    pr->work_free = IRQ_WORK_NONE;
    pr->sched = (int)sc->host[IRQ_HOST_SCHED].i;
    pr->affinity = (int)sc->host[IRQ_HOST_AFFINITY].i;
    uint64_t f = cpu_factor(pr->npcpus);
    pr->slice = f * pr->cost[IRQ_HOST_SLICE_UNIT];
    pr->cfs_min_gran = pr->slice;
    pr->cfs_latency = f * pr->cost[IRQ_HOST_CFS_LATENCY];
    pr->cfs_wakeup_gran = f * pr->cost[IRQ_HOST_CFS_WAKEUP_GRAN];
    uint32_t llc = (uint32_t)sc->host[IRQ_HOST_LLC_CPUS].i;
    if (llc == 0 || llc > pr->npcpus)
        llc = pr->npcpus;
    for (uint32_t i = 0; i < pr->npcpus; i++) {
        irq_pcpu *p = &pr->pcpus[i];
        p->sim = sim;
        p->id = i;
        p->llc_first = i / llc * llc;
        p->llc_n = p->llc_first + llc <= pr->npcpus ? llc : pr->npcpus - p->llc_first;
        p->use = IRQ_USE_IDLE;
        p->work_head = p->work_tail = IRQ_WORK_NONE;
        p->slice_timer = irq_sim_timer_new(sim, slice_timer_fired, p, 0);
        p->work_timer = irq_sim_timer_new(sim, host_work_done, p, 0);
        bit_put(pr->idle_map, i, true);
    }
    return IRQ_OK;
}

void irq__sched_free(struct irq_sim *sim)
{
    struct irq_sim_priv *pr = sim->priv;
    free(pr->idle_map);
    free(pr->wait_map);
    free(pr->work_pool);
}
