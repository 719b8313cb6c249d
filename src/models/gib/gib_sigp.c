/* SIGP orders between the vCPUs of a guest: EXTERNAL CALL, EMERGENCY
 * SIGNAL, STOP, STOP AND STORE STATUS and RESTART, as scenario sources
 * `from:` a vCPU (DOMAIN.md section 1; docs/gib.md "SIGP orders"). The
 * comments name the functions of arch/s390/kvm/sigp.c, interrupt.c and
 * intercept.c (and QEMU's target/s390x/sigp.c for the orders KVM hands to
 * user space) each piece stands for. */
#include <stdlib.h>

#include "gib_internal.h"

static gsigp *sg_of(gib *m, const irq_vcpu *v)
{
    return gv_of(m, v)->sg;
}

/* PSW external-interrupt enable: the model's guests run with it on except
 * inside an interrupt handler (Linux's new PSWs disable external and I/O
 * interrupts), so "in SIE running guest code" is "enabled". */
static bool ext_enabled(const irq_vcpu *v)
{
    return irq_vcpu_in_guest(v);
}

/* kvm_s390_vcpu_wakeup(): a waiting target is woken (a valid wake-up); a
 * running one is not disturbed by it. */
static void sigp_wakeup(gib *m, irq_vcpu *t)
{
    if (gv_of(m, t)->idle)
        gib_kick(m, t, KP_SIGP);
}

/* The order is refused (an external call already pending: cc 1 "external
 * call pending"; STOP or RESTART while a stop is pending: cc 2 "busy"). */
static void refuse(irq_guest *g)
{
    irq_drop_arrival(g, C_SIGP_BUSY);
}

/* CPUSTAT_EXT_INT: a target in SIE and enabled for external interrupts
 * leaves SIE at once (ICPT_EXTREQ, exit_external_request); one in a
 * handler leaves when the handler ends (gib_sigp_enabled); one outside SIE
 * is delivered to at its next entry (vcpu_pre_run). */
static void ext_request(gib *m, irq_vcpu *t)
{
    gsigp *ts = sg_of(m, t);
    ts->ext_req = true;
    if (ext_enabled(t)) {
        ts->ext_req = false;
        irq_count(t->guest, C_EXIT_EXTREQ, 1);
        irq_vcpu_exit(t, m->intercept_cost, NULL, NULL, 0);
    }
    sigp_wakeup(m, t);
}

/* __sigp_external_call / __inject_extcall: at most one external call is
 * pending per target. With the SIGP interpretation facility the machine
 * executes the order: it sets the SCA's pending bit (sca_inject_ext_call)
 * and presents it itself; only a target in enabled wait (CPUSTAT_WAIT)
 * costs the sender a partial-execution intercept, whose handler wakes the
 * target (kvm_s390_handle_sigp_pei). */
static void send_extcall(gib *m, const irq_intr *in, gsigp *ss)
{
    irq_vcpu *t = in->vcpu;
    irq_guest *g = t->guest;
    gsigp *ts = sg_of(m, t);
    if (!m->sigpif) {
        ss->send_cost = m->sigp_cost;
        irq_count(g, C_I_SIGP_EXTCALL, 1);
        irq_count(g, C_INJ_EXTCALL, 1);
    }
    if (irq_pend_set(&ts->ecall)) {
        refuse(g);
        return;
    }
    irq_pend_add(g, &ts->ecall, in->arrival);
    ts->ecall_sca = m->sigpif;
    if (!m->sigpif) {
        ext_request(m, t);
        return;
    }
    irq_count(g, C_SIGP_INTERPRETED, 1);
    if (gv_of(m, t)->idle) {
        ss->send_cost = m->sigp_cost;
        irq_count(g, C_EXIT_PEI, 1);
        sigp_wakeup(m, t);
    } else if (ext_enabled(t) && ts->ecall_on) {
        irq_count(g, C_EXTCALL_DIRECT, 1);
        irq_pend_deliver(t, &ts->ecall, CLS_SIGP_EXTCALL);
    }
}

/* __sigp_emergency / __inject_sigp_emergency: one pending signal per
 * sending vCPU (a bit in sigp_emerg_pending); a second from the same
 * sender merges into the first. Never interpreted by the machine. */
static void send_emerg(gib *m, const irq_intr *in, gsigp *ss)
{
    irq_vcpu *t = in->vcpu;
    gsigp *ts = sg_of(m, t);
    ss->send_cost = m->sigp_cost;
    irq_count(t->guest, C_I_SIGP_EMERG, 1);
    irq_count(t->guest, C_INJ_EMERG, 1);
    if (irq_pend_add(t->guest, &ts->emerg[in->sender->index], in->arrival))
        ts->nemerg++;
    ext_request(m, t);
}

/* __sigp_stop / __inject_sigp_stop (QEMU's sigp_stop injects the same
 * stop when it handles the order): a stopped target accepts and nothing
 * happens; a second stop while one is pending is refused (busy); else
 * CPUSTAT_STOP_INT makes the target leave SIE whatever its masks and stop
 * at its next SIE entry (handle_stop). */
static void send_stop(gib *m, const irq_intr *in, gsigp *ss)
{
    irq_vcpu *t = in->vcpu;
    irq_guest *g = t->guest;
    gsigp *ts = sg_of(m, t);
    ss->send_cost = m->sigp_cost + (m->user_sigp ? m->sigp_user_cost : 0);
    irq_count(g, in->cls == CLS_SIGP_STOP ? C_I_SIGP_STOP : C_I_SIGP_STOP_STORE, 1);
    irq_count(g, C_INJ_STOP, 1);
    if (irq_vcpu_stopped(t)) { /* accepted: already stopped (status stored if asked) */
        irq_consume_now(t, in->arrival, in->cls);
        return;
    }
    if (irq_pend_set(&ts->stop)) {
        refuse(g);
        return;
    }
    irq_pend_add(g, &ts->stop, in->arrival);
    ts->stop_cls = in->cls;
    if (t->in_guest) /* out of SIE now; the stop intercept is handled at re-entry */
        irq_vcpu_exit(t, 0, NULL, NULL, 0);
    sigp_wakeup(m, t);
}

/* SIGP RESTART always goes to user space (__prepare_sigp_re_start), busy
 * while a stop is pending. QEMU's sigp_restart: a stopped target gets the
 * restart interruption and operates again; an operating one is kicked out
 * of KVM_RUN (run_on_cpu) and gets a restart interrupt injected
 * (inject_restart), delivered at its next SIE entry. */
static void send_restart(gib *m, const irq_intr *in, gsigp *ss)
{
    irq_vcpu *t = in->vcpu;
    irq_guest *g = t->guest;
    gsigp *ts = sg_of(m, t);
    ss->send_cost = m->sigp_cost + m->sigp_user_cost;
    irq_count(g, C_I_SIGP_RESTART, 1);
    if (irq_pend_set(&ts->stop)) {
        refuse(g);
        return;
    }
    if (irq_vcpu_stopped(t)) {
        irq_pend_add(g, &ts->restart, in->arrival);
        ts->restart_user = true;
        irq_vcpu_restart(t);
        return;
    }
    irq_count(g, C_INJ_RESTART, 1);
    if (irq_pend_add(g, &ts->restart, in->arrival))
        ts->restart_user = false;
    if (irq_vcpu_in_guest(t))
        irq_vcpu_exit(t, m->sigp_user_cost, NULL, NULL, 0); /* out to QEMU and back */
    sigp_wakeup(m, t);
}

void gib_sigp_inject(gib *m, const irq_intr *in)
{
    gsigp *ss = sg_of(m, in->sender);
    ss->send_cost = 0;
    switch (in->cls) {
    case CLS_SIGP_EXTCALL:
        send_extcall(m, in, ss);
        break;
    case CLS_SIGP_EMERG:
        send_emerg(m, in, ss);
        break;
    case CLS_SIGP_STOP:
    case CLS_SIGP_STOP_STORE:
        send_stop(m, in, ss);
        break;
    case CLS_SIGP_RESTART:
        send_restart(m, in, ss);
        break;
    }
}

/* The host time the sender's SIGP cost: the instruction intercept (and
 * the trip to user space), a partial-execution intercept, or nothing when
 * the machine executed the order. */
uint64_t gib_send_cost(void *model, irq_vcpu *sender, const irq_intr *in)
{
    gib *m = model;
    gsigp *ss = sg_of(m, sender);
    return ss && gib_sigp_class(in->cls) ? ss->send_cost : 0;
}

/* The lowest sender index with a pending emergency signal
 * (find_first_bit(sigp_emerg_pending)). */
static uint32_t first_emerg(const gsigp *sg, uint32_t n)
{
    for (uint32_t k = 0; k < n; k++)
        if (irq_pend_set(&sg->emerg[k]))
            return k;
    return n;
}

/* kvm_s390_deliver_pending_interrupts, the SIGP part, before SIE entry:
 * the highest-priority deliverable one (emergency signal, then external
 * call, both above I/O). A pending restart is delivered whatever the masks
 * and, being swapped in last, its handler runs first. Nothing inside a
 * handler: its PSW has external interrupts off. */
bool gib_sigp_host_deliver(gib *m, irq_vcpu *v)
{
    gsigp *sg = sg_of(m, v);
    if (irq_vcpu_in_handler(v))
        return false;
    if (irq_pend_set(&sg->restart)) {
        if (!sg->restart_user)
            irq_count(v->guest, C_DLV_RESTART, 1);
        irq_pend_deliver(v, &sg->restart, CLS_SIGP_RESTART);
        return true;
    }
    if (sg->nemerg > 0 && sg->emerg_on) {
        uint32_t k = first_emerg(sg, v->guest->nvcpus);
        sg->nemerg--;
        irq_count(v->guest, C_DLV_EMERG, 1);
        irq_pend_deliver(v, &sg->emerg[k], CLS_SIGP_EMERG);
        return true;
    }
    if (irq_pend_set(&sg->ecall) && !sg->ecall_sca && sg->ecall_on) {
        irq_count(v->guest, C_DLV_EXTCALL, 1);
        irq_pend_deliver(v, &sg->ecall, CLS_SIGP_EXTCALL);
        return true;
    }
    return false;
}

/* After SIE entry with the PSW enabled: the machine presents an external
 * call held in the SCA (SIGP interpretation). */
bool gib_sigp_present(gib *m, irq_vcpu *v)
{
    gsigp *sg = sg_of(m, v);
    if (!irq_pend_set(&sg->ecall) || !sg->ecall_sca || !sg->ecall_on || irq_vcpu_in_handler(v))
        return false;
    irq_count(v->guest, C_EXTCALL_DIRECT, 1);
    irq_pend_deliver(v, &sg->ecall, CLS_SIGP_EXTCALL);
    return true;
}

static void stop_done(irq_vcpu *v, void *ctx, uint64_t arg)
{
    (void)arg;
    gib *m = ctx;
    gsigp *sg = sg_of(m, v);
    irq_pend_consume(v, &sg->stop, sg->stop_cls);
    irq_vcpu_stop(v);
}

/* Non-SIGP-interpreted external interrupts still pending (the ones
 * CPUSTAT_EXT_INT stands for). */
static bool ext_pending(const gsigp *sg)
{
    return sg->nemerg > 0 || (irq_pend_set(&sg->ecall) && !sg->ecall_sca);
}

/* set_intercept_indicators after the pre-SIE delivery: external
 * interrupts still pending with the PSW now disabled (something was
 * delivered) ask for CPUSTAT_EXT_INT, so the vCPU leaves SIE when its
 * handler ends; with the PSW enabled they are masked in CR0 (LCTL_CR0: an
 * intercept only when the guest loads CR0, which the model's guests never
 * do). Then a pending stop: the vCPU leaves SIE at once (ICPT_STOP,
 * handle_stop) and stops; an interrupt delivered just before has its
 * handler run after the restart. */
void gib_sigp_entered(gib *m, irq_vcpu *v, bool delivered)
{
    gsigp *sg = sg_of(m, v);
    sg->ext_req = delivered && ext_pending(sg);
    if (!irq_pend_set(&sg->stop))
        return;
    irq_count(v->guest, C_EXIT_STOP, 1);
    irq_vcpu_exit(v, m->stop_cost, stop_done, m, 0);
}

/* The guest is enabled again (a handler ended): CPUSTAT_EXT_INT makes it
 * leave SIE to have the host deliver (exit_external_request); an
 * interpreted external call the machine presents itself; a restart that
 * found the vCPU in a handler is delivered at the re-entry. */
bool gib_sigp_enabled(gib *m, irq_vcpu *v)
{
    gsigp *sg = sg_of(m, v);
    bool ext_req = sg->ext_req;
    if (!ext_req && !irq_pend_set(&sg->restart))
        return gib_sigp_present(m, v);
    if (ext_req)
        irq_count(v->guest, C_EXIT_EXTREQ, 1);
    sg->ext_req = false;
    irq_vcpu_exit(v, ext_req ? m->intercept_cost : 0, NULL, NULL, 0);
    return true;
}

/* kvm_s390_vcpu_has_irq(vcpu, 0), the SIGP part: a stop or restart
 * pending, or an external call or emergency signal the vCPU's CR0 enables
 * (a waiting vCPU's PSW has external interrupts on). */
bool gib_sigp_runnable(gib *m, const irq_vcpu *v)
{
    const gsigp *sg = sg_of(m, v);
    return irq_pend_set(&sg->stop) || irq_pend_set(&sg->restart) ||
           (sg->nemerg > 0 && sg->emerg_on) || (irq_pend_set(&sg->ecall) && sg->ecall_on);
}

void gib_sigp_walk(gib *m, irq_guest *g,
                   void (*visit)(void *ud, irq_guest *g, uint32_t cls, uint64_t t), void *ud)
{
    for (uint32_t j = 0; j < g->nvcpus; j++) {
        gsigp *sg = sg_of(m, &g->vcpus[j]);
        if (!sg)
            return;
        irq_pend_walk(g, &sg->ecall, CLS_SIGP_EXTCALL, visit, ud);
        for (uint32_t k = 0; k < g->nvcpus; k++)
            irq_pend_walk(g, &sg->emerg[k], CLS_SIGP_EMERG, visit, ud);
        irq_pend_walk(g, &sg->stop, sg->stop_cls, visit, ud);
        irq_pend_walk(g, &sg->restart, CLS_SIGP_RESTART, visit, ud);
    }
}

/* ---- set-up ------------------------------------------------------------ */

int gib_sigp_validate(const struct irq_scenario *sc, irq_error *err)
{
    for (size_t i = 0; i < sc->nsources; i++) {
        const irq_source_cfg *s = &sc->sources[i];
        if (!gib_sigp_class(s->cls))
            continue;
        if (s->from == IRQ_FROM_OUTSIDE)
            return irq_error_set(err, IRQ_EINPUT, &s->mark,
                                 "source '%s' sends SIGP orders, which only a vCPU sends "
                                 "(expected a 'from' key)",
                                 s->name);
        if (s->vcpu == IRQ_VCPU_FLOATING)
            return irq_error_set(err, IRQ_EINPUT, &s->mark,
                                 "source '%s' sends SIGP orders, which go to one vCPU (expected "
                                 "a 'vcpu' key: an index, round-robin or random)",
                                 s->name);
    }
    return IRQ_OK;
}

/* The guests some SIGP source targets get SIGP state for each vCPU, with
 * an emergency latch per possible sender. */
int gib_sigp_create(gib *m, irq_error *err)
{
    const irq_scenario *sc = irq_sim_scenario(m->sim);
    size_t nv = 0, ne = 0;
    bool *tmpl_sigp = calloc(sc->ntmpls ? sc->ntmpls : 1, sizeof *tmpl_sigp);
    if (!tmpl_sigp)
        return irq_error_set(err, IRQ_ENOMEM, NULL, "out of memory");
    for (size_t i = 0; i < sc->nsources; i++)
        if (gib_sigp_class(sc->sources[i].cls))
            tmpl_sigp[sc->sources[i].tmpl] = true;
    for (size_t i = 0; i < m->nguests; i++) {
        irq_guest *g = irq_sim_guest(m->sim, i);
        if (tmpl_sigp[g->tmpl]) {
            nv += g->nvcpus;
            ne += (size_t)g->nvcpus * g->nvcpus;
        }
    }
    if (nv > 0) {
        m->sigp = calloc(nv, sizeof *m->sigp);
        m->emerg = calloc(ne, sizeof *m->emerg);
    }
    if (nv > 0 && (!m->sigp || !m->emerg)) {
        free(tmpl_sigp);
        return irq_error_set(err, IRQ_ENOMEM, NULL, "out of memory for SIGP state");
    }
    gsigp *sg = m->sigp;
    irq_pend *em = m->emerg;
    for (size_t i = 0; i < m->nguests; i++) {
        irq_guest *g = irq_sim_guest(m->sim, i);
        if (!tmpl_sigp[g->tmpl])
            continue;
        for (uint32_t j = 0; j < g->nvcpus; j++, sg++) {
            irq_vcpu *v = &g->vcpus[j];
            sg->emerg = em;
            em += g->nvcpus;
            sg->ecall_on = v->params[V_ECALL_ON].i != 0;
            sg->emerg_on = v->params[V_EMERG_ON].i != 0;
            sg->stop_cls = CLS_SIGP_STOP;
            gv_of(m, v)->sg = sg;
        }
    }
    free(tmpl_sigp);
    return IRQ_OK;
}

void gib_sigp_destroy(gib *m)
{
    if (m->sigp) {
        for (size_t i = 0; i < m->nguests; i++) {
            irq_guest *g = irq_sim_guest(m->sim, i);
            for (uint32_t j = 0; j < g->nvcpus; j++) {
                gsigp *sg = sg_of(m, &g->vcpus[j]);
                if (!sg)
                    break;
                irq_pend_free(&sg->ecall);
                irq_pend_free(&sg->stop);
                irq_pend_free(&sg->restart);
                for (uint32_t k = 0; k < g->nvcpus; k++)
                    irq_pend_free(&sg->emerg[k]);
            }
        }
    }
    free(m->sigp);
    free(m->emerg);
}
