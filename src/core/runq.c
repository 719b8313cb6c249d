/* The fair policies' run queue of one CPU: a treap of the waiting threads
 * ordered by (vruntime, vCPU id), each node knowing the thread with the
 * earliest (deadline, id) in its subtree. Eligible threads (vruntime <= V)
 * are a prefix of that order, so the EEVDF pick, "earliest deadline among
 * the eligible", walks one path: O(log n) expected, like the kernel's
 * augmented rbtree. Priorities are a hash of the vCPU id: deterministic. */
#include "sched_internal.h"

static irq_vcpu *left(const irq_vcpu *n)
{
    return irq__th_get(n, n->th.t_left);
}

static irq_vcpu *right(const irq_vcpu *n)
{
    return irq__th_get(n, n->th.t_right);
}

static irq_vcpu *dmin(const irq_vcpu *n)
{
    return irq__th_get(n, n->th.t_dmin);
}

static bool key_before(const irq_vcpu *a, const irq_vcpu *b)
{
    return a->th.vrt < b->th.vrt || (a->th.vrt == b->th.vrt && a->id < b->id);
}

static bool dl_before(const irq_vcpu *a, const irq_vcpu *b)
{
    return a->th.deadline < b->th.deadline || (a->th.deadline == b->th.deadline && a->id < b->id);
}

static irq_vcpu *dl_min(irq_vcpu *a, irq_vcpu *b)
{
    if (!a)
        return b;
    if (!b)
        return a;
    return dl_before(a, b) ? a : b;
}

static void pull_up(irq_vcpu *n)
{
    irq_vcpu *m = n, *l = left(n), *r = right(n);
    if (l)
        m = dl_min(m, dmin(l));
    if (r)
        m = dl_min(m, dmin(r));
    n->th.t_dmin = irq__th_link(m);
}

static uint32_t prio_of(const irq_vcpu *v)
{
    uint64_t x = (uint64_t)v->id * 0x9e3779b97f4a7c15ull;
    return (uint32_t)(x >> 32);
}

static irq_vcpu *rotate_right(irq_vcpu *n)
{
    irq_vcpu *l = left(n);
    n->th.t_left = irq__th_link(right(l));
    l->th.t_right = irq__th_link(n);
    pull_up(n);
    pull_up(l);
    return l;
}

static irq_vcpu *rotate_left(irq_vcpu *n)
{
    irq_vcpu *r = right(n);
    n->th.t_right = irq__th_link(left(r));
    r->th.t_left = irq__th_link(n);
    pull_up(n);
    pull_up(r);
    return r;
}

static irq_vcpu *insert(irq_vcpu *n, irq_vcpu *v)
{
    if (!n) {
        v->th.t_left = v->th.t_right = 0;
        v->th.t_dmin = irq__th_link(v);
        return v;
    }
    if (key_before(v, n)) {
        irq_vcpu *l = insert(left(n), v);
        n->th.t_left = irq__th_link(l);
        if (prio_of(l) > prio_of(n))
            return rotate_right(n);
    } else {
        irq_vcpu *r = insert(right(n), v);
        n->th.t_right = irq__th_link(r);
        if (prio_of(r) > prio_of(n))
            return rotate_left(n);
    }
    pull_up(n);
    return n;
}

static irq_vcpu *join(irq_vcpu *a, irq_vcpu *b)
{
    if (!a)
        return b;
    if (!b)
        return a;
    if (prio_of(a) > prio_of(b)) {
        a->th.t_right = irq__th_link(join(right(a), b));
        pull_up(a);
        return a;
    }
    b->th.t_left = irq__th_link(join(a, left(b)));
    pull_up(b);
    return b;
}

static irq_vcpu *remove_node(irq_vcpu *n, irq_vcpu *v)
{
    if (!n)
        return NULL;
    if (n == v) {
        irq_vcpu *j = join(left(n), right(n));
        v->th.t_left = v->th.t_right = v->th.t_dmin = 0;
        return j;
    }
    if (key_before(v, n))
        n->th.t_left = irq__th_link(remove_node(left(n), v));
    else
        n->th.t_right = irq__th_link(remove_node(right(n), v));
    pull_up(n);
    return n;
}

void irq__rq_insert(irq_vcpu **root, irq_vcpu *v)
{
    *root = insert(*root, v);
}

void irq__rq_remove(irq_vcpu **root, irq_vcpu *v)
{
    *root = remove_node(*root, v);
}

irq_vcpu *irq__rq_leftmost(irq_vcpu *root)
{
    while (root && left(root))
        root = left(root);
    return root;
}

/* The earliest-deadline thread with vruntime * nr <= sum (v <= V). */
irq_vcpu *irq__rq_pick_eligible(irq_vcpu *root, int64_t sum, uint32_t nr)
{
    irq_vcpu *best = NULL;
    for (irq_vcpu *n = root; n;) {
        if ((__int128)n->th.vrt * nr <= (__int128)sum) {
            irq_vcpu *l = left(n);
            if (l)
                best = dl_min(best, dmin(l));
            best = dl_min(best, n);
            n = right(n);
        } else {
            n = left(n);
        }
    }
    return best;
}
