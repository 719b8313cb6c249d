/* The host side of async page faults, as KVM does it: the EPT-violation
 * exit and the async decision (__kvm_mmu_faultin_pfn, kvm_can_do_async_pf,
 * kvm_setup_async_pf), "page not present" or the artificial halt
 * (kvm_arch_async_page_not_present), the completion (async_pf_execute,
 * kvm_arch_async_page_present_queued) and the dequeue with its pre-fault
 * and page-ready (kvm_check_async_pf_completion, kvm_arch_async_page_ready,
 * kvm_arch_async_page_present). Before 5.8 (pf-legacy) page ready was a
 * #PF injected only without a pending exception, and completions were
 * polled after exits: no kick for a running vCPU. */
#include "apf_internal.h"

static bool pv_enabled(const apf_vcpu *a)
{
    return a->enabled && a->m->mode != MODE_HALT_ONLY && a->m->mode != MODE_SYNC;
}

static uint32_t pr_vector(const apf *m)
{
    return m->mode == MODE_PF_LEGACY ? APF_PF_VECTOR : m->c.vector;
}

/* kvm_vcpu_has_events as far as this model goes: a completion waiting on
 * the done list, or an exception or interrupt pending. */
bool apf_has_events(const apf_vcpu *a)
{
    return a->done_len > 0 || irq_pend_set(&a->np) || irq_pend_set(&a->pr) ||
           irq_pendq_npending(&a->irq) > 0;
}

void apf_resumed(apf_vcpu *a, uint64_t fault_at, uint64_t io_done_at)
{
    irq_guest *g = a->v->guest;
    uint64_t now = irq_now(a->m->sim);
    uint64_t f = now - fault_at, io = io_done_at && now > io_done_at ? now - io_done_at : 0;
    irq_count(g, C_RESUMED, 1);
    irq_count(g, C_FAULT_TO_RESUME, f);
    irq_count(g, C_IO_TO_RESUME, io);
    if (g->mcount[C_FAULT_TO_RESUME_MAX] < f)
        g->mcount[C_FAULT_TO_RESUME_MAX] = f;
    if (g->mcount[C_IO_TO_RESUME_MAX] < io)
        g->mcount[C_IO_TO_RESUME_MAX] = io;
    irq_model_hist_add(a->m->sim, H_FAULT_RESUME, f);
    if (io_done_at)
        irq_model_hist_add(a->m->sim, H_IO_RESUME, io);
}

/* alloc_apf_token: (id++ << 12) | vcpu_id (the vCPU's index in its VM),
 * never 0: id restarts at 1 when id << 12 wraps to 0. */
uint32_t apf_alloc_token(uint32_t *id, uint32_t vcpu_id)
{
    if ((uint32_t)(*id << 12) == 0)
        *id = 1;
    return (uint32_t)((*id)++ << 12) | vcpu_id;
}

static uint32_t alloc_token(apf_vcpu *a)
{
    uint32_t token = apf_alloc_token(&a->id, a->v->index);
    if (token == 0)
        irq_sim_fail(a->m->sim, "apf: token 0 allocated");
    return token;
}

/* KVM_REQ_APF_HALT: the vCPU blocks (no polling) unless kvm_vcpu_has_events
 * already holds, until the page is ready or any interrupt is pending. */
static void artificial_halt(apf_vcpu *a)
{
    irq_count(a->v->guest, C_APF_HALTS, 1);
    if (apf_has_events(a))
        return;
    a->apf_halted = true;
    irq_vcpu_halt_model(a->v);
}

/* The synchronous fault: the thread sleeps in the host for the whole I/O. */
static void sync_fault(apf_vcpu *a, uint32_t task)
{
    apf *m = a->m;
    apf_fault *f = &a->f[APF_SYNC_SLOT];
    irq_count(a->v->guest, C_SYNC, 1);
    f->state = F_SYNC;
    f->task = task;
    f->fault_at = a->tasks[task].fault_at;
    irq_sim_timer_arm(m->sim, f->timer,
                      irq_now(m->sim) + irq_dist_sample(m->c.io_latency, &a->v->rng));
    irq_vcpu_block_host(a->v);
}

void apf_sync_done(void *ctx, uint64_t arg)
{
    (void)arg;
    apf_fault *f = ctx;
    apf_vcpu *a = f->owner;
    f->state = F_FREE;
    a->sync_resumed = true;
    a->sync_fault_at = f->fault_at;
    a->sync_io_done_at = irq_now(a->m->sim);
    irq_vcpu_unblock(a->v);
}

static int free_slot(const apf_vcpu *a)
{
    for (int k = 0; k < APF_PER_VCPU; k++)
        if (a->f[k].state == F_FREE)
            return k;
    return APF_NONE;
}

/* kvm_setup_async_pf + kvm_arch_async_page_not_present: the "not present"
 * is decided before the page-in starts. */
static void setup_async(apf_vcpu *a, uint32_t task, bool kernel)
{
    apf *m = a->m;
    irq_guest *g = a->v->guest;
    int k = free_slot(a);
    if (k == APF_NONE) { /* cannot happen with queued < 64: the accounting broke */
        irq_sim_fail(m->sim, "apf: vCPU %u of guest %s: queued %u but no free slot", a->v->index,
                     g->name, a->queued);
        return;
    }
    apf_fault *f = &a->f[k];
    *f = (apf_fault){.owner = a, .timer = f->timer, .state = F_IO, .task = task};
    f->token = alloc_token(a);
    f->fault_at = a->tasks[task].fault_at;
    a->queued++;
    if (g->mcount[C_MAX_QUEUED] < a->queued)
        g->mcount[C_MAX_QUEUED] = a->queued;
    irq_count(g, C_ASYNC, 1);
    irq_sim_timer_arm(m->sim, f->timer,
                      irq_now(m->sim) + irq_dist_sample(m->c.io_latency, &a->v->rng));
    /* kvm_can_deliver_async_pf: enabled, and user mode or send_always */
    if (pv_enabled(a) && (!kernel || m->c.send_always)) {
        f->notified = true;
        a->np_fault = k;
        a->np_task = task;
        a->raising_np = true;
        irq_count(g, C_NOT_PRESENT, 1);
        irq_raise(g, a->v, APF_PF_VECTOR, IRQ_INJ_SOFTWARE, UINT32_MAX);
        a->raising_np = false;
        return;
    }
    a->tasks[task].stuck = k; /* the guest does not know: it retries the page */
    artificial_halt(a);
}

/* The guest retries a page whose fault it was not told about. */
static void retry(apf_vcpu *a, apf_task *t)
{
    apf_fault *f = &a->f[t->stuck];
    if (f->state == F_IO) { /* still being read: the gfn is in apf.gfns */
        irq_count(a->v->guest, C_REPEATED, 1);
        artificial_halt(a);
        return;
    }
    /* read but not yet dequeued: the host finds it without I/O */
    irq_count(a->v->guest, C_RETRY, 1);
    t->stuck = APF_NONE;
    apf_resumed(a, f->fault_at, f->io_done_at);
    irq_vcpu_exit(a->v, a->m->c.no_io_cost, NULL, NULL, 0);
}

/* The EPT-violation exit is over: the host's fault path decides. */
static void ept_done(irq_vcpu *v, void *ctx, uint64_t task)
{
    apf_vcpu *a = ctx;
    apf *m = a->m;
    apf_task *t = &a->tasks[task];
    if (t->stuck != APF_NONE) {
        retry(a, t);
        return;
    }
    irq_count(v->guest, C_FAULTS, 1);
    double u = irq_rng_uniform(&v->rng);
    if (u < m->c.no_io_share) {
        irq_count(v->guest, C_NO_IO, 1);
        irq_vcpu_exit(v, m->c.no_io_cost, NULL, NULL, 0);
        return;
    }
    double c = irq_rng_uniform(&v->rng);
    bool irqs_off = c < m->c.irqs_off_share;
    bool kernel = irqs_off || c < m->c.irqs_off_share + m->c.kernel_share;
    if (m->mode == MODE_SYNC || irqs_off) { /* kvm_can_do_async_pf false */
        sync_fault(a, (uint32_t)task);
        return;
    }
    if (a->queued >= APF_PER_VCPU) { /* kvm_setup_async_pf fails */
        irq_count(v->guest, C_QUEUE_FULL, 1);
        sync_fault(a, (uint32_t)task);
        return;
    }
    setup_async(a, (uint32_t)task, kernel);
}

/* The guest-work alarm: the current task touches a page not in the EPT. */
void apf_fault_now(irq_vcpu *v, void *ctx, uint64_t arg)
{
    (void)arg;
    apf_vcpu *a = ctx;
    uint32_t task = irq_vcpu_task(v);
    apf_task *t = &a->tasks[task];
    if (t->stuck == APF_NONE) { /* a new fault: the one after it is counted from here */
        t->fault_at = irq_now(v->sim);
        t->next_fault = irq_task_work(v, task) + irq_dist_sample(a->m->c.fault_every, &v->rng);
    }
    irq_count(v->guest, C_PF_EXITS, 1);
    irq_vcpu_exit(v, a->m->c.ept_exit, ept_done, a, task);
}

/* async_pf_execute is over: the item goes on done; only the completion that
 * makes done non-empty requests delivery and kicks (not while a page-ready
 * is in flight); every completion wakes a halted vCPU. Before 5.8 no kick:
 * a sleeping vCPU was woken, a running one polled at its next exit. */
void apf_io_done(void *ctx, uint64_t arg)
{
    (void)arg;
    apf_fault *f = ctx;
    apf_vcpu *a = f->owner;
    apf *m = a->m;
    irq_vcpu *v = a->v;
    f->state = F_DONE;
    f->io_done_at = irq_now(m->sim);
    bool first = a->done_len == 0;
    a->done[(a->done_head + a->done_len++) % APF_SLOTS] = (uint8_t)(f - a->f);
    bool woken = false;
    if (m->mode != MODE_PF_LEGACY && first && !a->pageready_pending) {
        irq_count(v->guest, C_APF_KICKS, 1);
        woken = irq_vcpu_kick_ipi(v);
    }
    if (!woken && irq_vcpu_halted(v) && !v->waking) {
        irq_count(v->guest, C_APF_WAKEUPS, 1);
        irq_vcpu_kick(v);
    }
}

/* kvm_arch_async_page_present for the item just pre-faulted. */
static void present(apf_vcpu *a, apf_fault *f)
{
    apf *m = a->m;
    irq_guest *g = a->v->guest;
    if (!f->broadcast) {
        apf_task *t = &a->tasks[f->task];
        if (t->stuck == (int)(f - a->f)) { /* artificial halt: the page is mapped now */
            t->stuck = APF_NONE;
            apf_resumed(a, f->fault_at, f->io_done_at);
        }
    }
    if ((f->broadcast || f->notified) && pv_enabled(a)) {
        if (a->slot != 0 || a->pageready_pending || irq_pend_set(&a->pr))
            irq_sim_fail(m->sim, "apf: a second page-ready in flight on vCPU %u of guest %s",
                         a->v->index, g->name);
        a->slot = f->token;
        a->pageready_pending = m->mode == MODE_INTERRUPT;
        a->pr_task = f->task;
        a->pr_broadcast = f->broadcast;
        a->pr_fault_at = f->fault_at;
        a->pr_io_done_at = f->io_done_at;
        irq_count(g, C_PAGE_READY, 1);
        irq_raise(g, a->v, pr_vector(m), IRQ_INJ_SOFTWARE, UINT32_MAX);
    }
    f->state = F_FREE;
    a->queued--;
    irq_count(g, C_DEQUEUED, 1);
}

static void prefault_done(irq_vcpu *v, void *ctx, uint64_t k)
{
    (void)v;
    apf_vcpu *a = ctx;
    present(a, &a->f[k]);
}

/* pf-legacy with legacy_df_cancel: the 2017 hack cancels the pending "not
 * present" and writes reason 0 instead of the page-ready: both dropped. */
static void df_cancel(apf_vcpu *a, apf_fault *ready)
{
    irq_guest *g = a->v->guest;
    apf_task *np = &a->tasks[a->np_task];
    np->stuck = a->np_fault; /* no #PF handler: the task retries its page */
    a->np_fault = APF_NONE;
    irq_pend_drop(g, &a->np, C_DF_CANCELLED);
    irq_count(g, C_DF_CANCELLED, 1); /* the page-ready never sent: its task sleeps on */
    ready->state = F_FREE;
    a->queued--;
    irq_count(g, C_DEQUEUED, 1);
}

/* Whether the head of done can be dequeued now. */
static bool can_dequeue(apf_vcpu *a)
{
    if (!pv_enabled(a))
        return true; /* drained silently (pre-fault only) */
    if (a->m->mode == MODE_INTERRUPT)
        return a->slot == 0; /* kvm_lapic_enabled && token slot free */
    /* legacy: kvm_can_do_async_pf: no pending exception, interrupts allowed */
    return !irq_pend_set(&a->np) && !irq_pend_set(&a->pr) && !irq_vcpu_in_handler(a->v);
}

/* kvm_check_async_pf_completion: at entry, and in the ACK exit. Each item
 * pre-faults its page in an exit of its own; the next is looked at when
 * that exit is over (the re-entry). */
void apf_process_done(apf_vcpu *a)
{
    apf *m = a->m;
    while (a->done_len > 0) {
        apf_fault *f = &a->f[a->done[a->done_head]];
        if (m->mode == MODE_PF_LEGACY && m->c.legacy_df_cancel && pv_enabled(a) &&
            irq_pend_set(&a->np) && !f->broadcast) {
            a->done_head = (a->done_head + 1) % APF_SLOTS;
            a->done_len--;
            df_cancel(a, f);
            continue;
        }
        if (!can_dequeue(a))
            return;
        a->done_head = (a->done_head + 1) % APF_SLOTS;
        a->done_len--;
        if (f->broadcast) { /* nothing to map */
            present(a, f);
            continue;
        }
        irq_count(a->v->guest, C_PREFAULTS, 1);
        irq_vcpu_exit(a->v, m->c.prefault, prefault_done, a, (uint64_t)(f - a->f));
        return;
    }
}

/* MSR_KVM_ASYNC_PF_EN without the enable bits: kvm_clear_async_pf_completion_queue
 * drops what is outstanding (never notified); the guest wakes its waiters. */
void apf_disable(apf_vcpu *a)
{
    irq_guest *g = a->v->guest;
    a->disable_req = false;
    if (!a->enabled)
        return;
    a->enabled = false;
    for (uint32_t k = 0; k < APF_PER_VCPU; k++) {
        apf_fault *f = &a->f[k];
        if (f->state != F_IO && f->state != F_DONE)
            continue;
        irq_sim_timer_cancel(a->m->sim, f->timer);
        f->state = F_FREE;
        irq_count(g, C_APF_DISABLED, 1);
    }
    a->queued = 0;
    a->done_len = 0;
    a->slot = 0;
    a->pageready_pending = false;
    for (uint32_t t = 0; t < a->v->ntasks; t++) {
        apf_task *at = &a->tasks[t];
        if (at->waits) {
            at->waits = false;
            irq_task_wake(a->v, t);
        }
        if (at->stuck != APF_NONE) { /* its fault is gone: the next touch faults anew */
            at->stuck = APF_NONE;
            at->next_fault = irq_task_work(a->v, t);
        }
    }
}

/* vcpu_enter_guest: requests first (APF disable, completions), then the
 * injection of what is pending. */
void apf_entry(apf_vcpu *a)
{
    if (a->sync_resumed) { /* the thread is back in the guest after its page-in */
        a->sync_resumed = false;
        apf_resumed(a, a->sync_fault_at, a->sync_io_done_at);
    }
    if (a->disable_req)
        apf_disable(a);
    if (a->m->mode != MODE_SYNC)
        apf_process_done(a);
    if (a->v->depth > 0 && a->v->stack[a->v->depth - 1].kind == IRQ_SEG_EXIT)
        return; /* a pre-fault runs first; the re-entry goes on */
    apf_deliver_next(a);
    apf_arm_fault(a);
}
