/* Pending queues: the pending interrupts of one vCPU or one guest, per
 * class (an rVIC/GIC intid, an x86 vector, an s390 ISC), in a delivery
 * order. A service models call (included by sim_internal.h).
 *
 * Each class has a latch with its arrival times (irq_pend: a second arrival
 * while it is pending is coalesced and delivered with the first), flags and
 * a priority. A pending class that is not masked is queued: FIFO (rVIC's
 * delivery list) or by priority, lowest value first, ties in queueing order
 * (GIC-like). Classes are kept in a small open-addressing hash: memory grows
 * with the classes that are pending or have non-default state, never with
 * the largest intid; a class back to its defaults gives its slot back. The
 * arrays grow to the largest size seen and are then reused: no allocation
 * per event in steady state. Accounting is irq_pend's: a new pending
 * interrupt counts as pending, a re-pend as coalesced, delivery and drop as
 * in irq_pend_deliver / irq_pend_drop. */
#ifndef IRQ_PENDQ_H
#define IRQ_PENDQ_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

struct irq_guest;
struct irq_vcpu;
struct irq_handler_plan;
struct irq_pq_entry;
struct irq_pq_level;

/* No class: the head of an empty queue, the end of an iteration. */
#define IRQ_PQ_NONE UINT32_MAX
/* Priority levels of an IRQ_PQ_PRIO queue (GIC priorities are 8 bits). */
#define IRQ_PQ_MAX_PRIO 256

/* Per-class flags. */
enum {
    IRQ_PQ_QUEUED = 1u << 0, /* in the delivery order: set and cleared by the queue only */
    IRQ_PQ_MASKED = 1u << 1, /* pending is kept but never queued (rVIC masked, GIC disabled) */
    IRQ_PQ_MODEL = 1u << 8,  /* first of the bits 8..31 the model uses as it likes */
};

typedef enum irq_pq_order {
    IRQ_PQ_FIFO, /* queueing order */
    IRQ_PQ_PRIO, /* lowest priority value first, ties in queueing order */
} irq_pq_order;

typedef struct irq_pendq_cfg {
    irq_pq_order order;
    uint32_t nprio;         /* PRIO: priorities 0..nprio-1 (1..IRQ_PQ_MAX_PRIO); FIFO: ignored */
    uint32_t default_prio;  /* a class's priority until the model sets one */
    uint32_t default_flags; /* a class's flags until set, e.g. IRQ_PQ_MASKED (rVIC reset) */
} irq_pendq_cfg;

/* What irq_pendq_pend did with an arrival. */
typedef enum irq_pq_pended {
    IRQ_PQ_DROPPED = -1,  /* out of memory: counted dropped, the run fails */
    IRQ_PQ_COALESCED = 0, /* the class was pending already */
    IRQ_PQ_NEW = 1,       /* the class became pending */
} irq_pq_pended;

typedef struct irq_pendq {
    struct irq_guest *g; /* whose counters the arrivals are */
    irq_pendq_cfg cfg;
    struct irq_pq_entry *e;  /* class entries, by index; free ones chained */
    uint32_t *slot;          /* hash: entry index + 1, 0 = empty; smask + 1 slots */
    struct irq_pq_level *lv; /* per priority level: its queue's head and tail */
    uint32_t nlv;            /* levels: 1 (FIFO) or cfg.nprio */
    uint32_t smask;          /* hash size - 1; 0 before the first class */
    uint32_t ncap, nused;    /* entries allocated; entries ever used (the rest never were) */
    uint32_t nlive, free_head;
    uint32_t npending, nqueued;
    uint64_t nonempty[IRQ_PQ_MAX_PRIO / 64]; /* levels whose queue is not empty */
} irq_pendq;

/* Sets up an empty queue of guest g (per-vCPU queues belong to the vCPU's
 * guest); allocates nothing. A bad configuration fails the run; returns
 * false then. */
bool irq_pendq_init(irq_pendq *q, struct irq_guest *g, const irq_pendq_cfg *cfg);
/* Frees the memory; arrivals still held are not counted (walk them first). */
void irq_pendq_free(irq_pendq *q);

/* An arrival of class cls: the latch is set (NEW) or the arrival coalesced
 * into it (COALESCED). Either way, a class that is not masked and not
 * queued is then appended at the tail of its level: rVIC's set_pending. */
irq_pq_pended irq_pendq_pend(irq_pendq *q, uint32_t cls, uint64_t arrival);

bool irq_pendq_is_pending(const irq_pendq *q, uint32_t cls);
/* Arrivals the class holds (0 = not pending; more than 1: coalesced ones). */
uint32_t irq_pendq_held(const irq_pendq *q, uint32_t cls);
uint32_t irq_pendq_flags(const irq_pendq *q, uint32_t cls);
uint32_t irq_pendq_prio(const irq_pendq *q, uint32_t cls);
static inline uint32_t irq_pendq_npending(const irq_pendq *q)
{
    return q->npending;
}
static inline uint32_t irq_pendq_nqueued(const irq_pendq *q)
{
    return q->nqueued;
}

/* Sets and clears flags (IRQ_PQ_MASKED and model bits; IRQ_PQ_QUEUED is
 * refused: it fails the run). Masking dequeues, keeping the class pending;
 * unmasking a pending class that is not queued appends it at the tail. */
void irq_pendq_set_flags(irq_pendq *q, uint32_t cls, uint32_t set, uint32_t clear);
static inline void irq_pendq_mask(irq_pendq *q, uint32_t cls)
{
    irq_pendq_set_flags(q, cls, IRQ_PQ_MASKED, 0);
}
static inline void irq_pendq_unmask(irq_pendq *q, uint32_t cls)
{
    irq_pendq_set_flags(q, cls, 0, IRQ_PQ_MASKED);
}
/* A new priority (below cfg.nprio, or the run fails); in a PRIO queue a
 * queued class moves to the tail of its new level (a FIFO queue keeps the
 * value for the model and ignores it). */
void irq_pendq_set_prio(irq_pendq *q, uint32_t cls, uint32_t prio);

/* Takes the class out of the order, still pending. Returns whether it was
 * queued. (rVIC: CLEAR_MASKED on a disabled rVIC = unmask, then dequeue.) */
bool irq_pendq_dequeue(irq_pendq *q, uint32_t cls);
/* Appends a pending, unmasked, unqueued class at the tail of its level.
 * Returns whether it is queued afterwards. */
bool irq_pendq_requeue(irq_pendq *q, uint32_t cls);

/* The first queued class, or IRQ_PQ_NONE. */
uint32_t irq_pendq_head(const irq_pendq *q);
/* The queued class after cls in delivery order (GIC: the next candidate for
 * a list register), or IRQ_PQ_NONE at the end or when cls is not queued. */
uint32_t irq_pendq_next(const irq_pendq *q, uint32_t cls);

/* Delivers class cls to v (of the queue's guest): every arrival it holds
 * gets its latency, the handler starts with plan (NULL: the body alone), as
 * irq_pend_deliver_plan. The class leaves the order; its flags and priority
 * stay (rVIC's ACK masks it: irq_pendq_mask afterwards). Returns false when
 * cls was not pending (nothing happens). v must be able to take it now. */
bool irq_pendq_deliver(irq_pendq *q, struct irq_vcpu *v, uint32_t cls,
                       const struct irq_handler_plan *plan);
/* Delivers the head; returns its class, or IRQ_PQ_NONE when empty. */
uint32_t irq_pendq_deliver_head(irq_pendq *q, struct irq_vcpu *v,
                                const struct irq_handler_plan *plan);

/* Drops what class cls holds (rVIC CLEAR_PENDING, a cancelled fault), as
 * irq_pend_drop: the latch counts as dropped, its coalesced arrivals stay
 * coalesced; counter (a model counter index, or -1) names the reason.
 * Returns whether cls was pending. */
bool irq_pendq_drop(irq_pendq *q, uint32_t cls, int counter);
/* Drops every pending class; returns how many. */
uint32_t irq_pendq_drop_all(irq_pendq *q, int counter);

/* Calls visit for every arrival held, coalesced ones included, queued or
 * not (the model's pending_walk). */
void irq_pendq_walk(const irq_pendq *q,
                    void (*visit)(void *ud, struct irq_guest *g, uint32_t cls, uint64_t arrival),
                    void *ud);

/* Heap memory the queue holds, in bytes (tests and reports). */
size_t irq_pendq_bytes(const irq_pendq *q);

#endif
