/* The guest side: which task runs and when it faults, the handlers of
 * "page not present" (park the task, run another or idle), of page ready
 * (wake the task, clear the token slot, ACK) and of the guest's timer tick
 * (end the time slice), as the Linux guest's arch/x86/kernel/kvm.c and its
 * scheduler do them. */
#include "apf_internal.h"

/* Arms the guest-work alarm for the task that runs now: its next touch of a
 * non-resident page, or at once for a task retrying a page it was not told
 * about. */
void apf_arm_fault(apf_vcpu *a)
{
    irq_vcpu *v = a->v;
    uint32_t task = irq_vcpu_task(v);
    if (task != a->last_task) { /* a new slice starts; the old task is charged its own */
        uint64_t now = irq_now(a->m->sim);
        a->tasks[a->last_task].vrt += now - a->slice_start;
        a->last_task = task;
        a->slice_start = now;
    }
    apf_task *t = &a->tasks[task];
    if (v->nrunnable == 0 || t->waits) {
        irq_vcpu_after_work(v, 0, NULL, NULL);
        return;
    }
    uint64_t left = 1;
    if (t->stuck == APF_NONE) {
        if (t->next_fault == UINT64_MAX) {
            irq_vcpu_after_work(v, 0, NULL, NULL);
            return;
        }
        uint64_t w = irq_task_work(v, task);
        left = t->next_fault > w ? t->next_fault - w : 1;
    }
    irq_vcpu_after_work(v, left, apf_fault_now, a);
}

/* Injects one event if the guest can take one: exceptions before
 * interrupts, interrupts by vector priority. */
void apf_deliver_next(apf_vcpu *a)
{
    irq_vcpu *v = a->v;
    apf *m = a->m;
    if (irq_vcpu_in_handler(v))
        return;
    if (irq_pend_set(&a->np)) {
        a->handling = H_NOT_PRESENT;
        irq_pend_deliver_plan(v, &a->np, APF_PF_VECTOR, NULL);
        return;
    }
    uint32_t head = irq_pendq_head(&a->irq);
    int c = head == IRQ_PQ_NONE ? -1 : (int)head;
    bool legacy = m->mode == MODE_PF_LEGACY;
    uint32_t prv = legacy ? APF_PF_VECTOR : m->c.vector;
    if (irq_pend_set(&a->pr) && (legacy || c < (int)prv)) {
        a->handling = H_PAGE_READY;
        irq_pend_deliver_plan(v, &a->pr, prv, &m->pr_plan);
        return;
    }
    if (c >= 0) {
        a->handling = H_IRQ;
        a->handling_vec = (uint32_t)c;
        irq_pendq_deliver(&a->irq, v, (uint32_t)c, &m->irq_plan);
    }
}

/* What the current task has been charged, this slice included (the guest's
 * clock runs while the vCPU is blocked or halted in the host). */
static uint64_t charged(const apf_vcpu *a, uint32_t task)
{
    uint64_t vrt = a->tasks[task].vrt;
    if (task == a->last_task)
        vrt += irq_now(a->m->sim) - a->slice_start;
    return vrt;
}

/* The runnable task charged least (the lowest index on a tie). */
static uint32_t least_charged(const apf_vcpu *a)
{
    const irq_vcpu *v = a->v;
    uint32_t best = irq_vcpu_task(v);
    for (uint32_t t = 0; t < v->ntasks; t++)
        if (!irq_task_parked(v, t) && charged(a, t) < charged(a, best))
            best = t;
    return best;
}

/* The guest scheduler's tick (CFS-like): once the slice is over, the
 * runnable task charged least runs. */
static void tick(apf_vcpu *a)
{
    irq_vcpu *v = a->v;
    if (irq_now(a->m->sim) - a->slice_start < a->m->c.guest_slice || v->nrunnable < 2)
        return;
    irq_task_run(v, least_charged(a));
}

/* A woken task is placed no further back than one slice behind the least
 * charged runnable task (CFS's sleeper credit) and preempts the current one
 * if it is now charged less. */
static void wake_preempt(apf_vcpu *a, uint32_t task)
{
    uint64_t floor = charged(a, least_charged(a)), slice = a->m->c.guest_slice;
    apf_task *t = &a->tasks[task];
    if (floor > slice && t->vrt < floor - slice)
        t->vrt = floor - slice;
    if (t->vrt < charged(a, irq_vcpu_task(a->v)))
        irq_task_run(a->v, task);
}

/* kvm_async_pf_task_wait_schedule: the faulting task sleeps. */
static void not_present_done(apf_vcpu *a)
{
    apf_task *t = &a->tasks[a->np_task];
    a->np_fault = APF_NONE;
    t->waits = true;
    irq_task_park(a->v, a->np_task);
}

/* sysvec_kvm_asyncpf_interrupt (or the legacy #PF with reason 2): wake the
 * task, clear the token slot; with interrupts the ACK exit is over now, in
 * which the host clears pageready_pending and dequeues the next item. */
static void page_ready_done(apf_vcpu *a)
{
    irq_vcpu *v = a->v;
    a->slot = 0;
    a->pageready_pending = false;
    if (a->pr_broadcast)
        return; /* wakes every waiter of this CPU: none at enable */
    apf_task *t = &a->tasks[a->pr_task];
    if (!t->waits)
        return;
    t->waits = false;
    irq_task_wake(v, a->pr_task);
    apf_resumed(a, a->pr_fault_at, a->pr_io_done_at);
    if (a->m->c.wake_preempt)
        wake_preempt(a, a->pr_task);
}

void apf_handler_done(apf_vcpu *a)
{
    uint8_t h = a->handling;
    a->handling = H_NONE;
    if (h == H_NOT_PRESENT)
        not_present_done(a);
    else if (h == H_PAGE_READY)
        page_ready_done(a);
    else if (h == H_IRQ && a->handling_vec == a->m->c.tick_vector)
        tick(a);
    if (h == H_PAGE_READY && a->m->mode == MODE_INTERRUPT) {
        apf_process_done(a); /* in the ACK exit */
        irq_vcpu *v = a->v;
        if (v->depth > 0 && v->stack[v->depth - 1].kind == IRQ_SEG_EXIT)
            return;
    }
    if (irq_vcpu_in_guest(a->v))
        apf_deliver_next(a);
    apf_arm_fault(a);
}
