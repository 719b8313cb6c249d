/* The discrete-event engine: a timer table and a 4-ary min-heap of
 * (time, sequence) keys.
 *
 * Every event source in a simulation owns one or more timers, created at
 * set-up. A timer is armed at most once at a time: arming an armed timer
 * moves it. Events at the same time run in the order they were armed
 * (the sequence number), always. Cancelled or moved timers leave a stale
 * heap entry that is skipped when popped; when stale entries outnumber live
 * ones the heap is compacted, so memory is bounded by the number of timers,
 * never by simulated time or event count. No allocation per event. */
#ifndef IRQ_ENGINE_INTERNAL_H
#define IRQ_ENGINE_INTERNAL_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

typedef uint64_t irq_time;
typedef uint32_t irq_timer_id;
typedef void (*irq_event_fn)(void *ctx, uint64_t arg);

#define IRQ_TIMER_ID_BITS 24
#define IRQ_MAX_TIMERS (1u << IRQ_TIMER_ID_BITS)
#define IRQ_TIME_NEVER UINT64_MAX

/* 16 bytes: four entries share a cache line, which is one node's children. */
typedef struct irq_heap_entry {
    irq_time time;
    uint64_t seq_id; /* sequence << IRQ_TIMER_ID_BITS | timer id */
} irq_heap_entry;

typedef struct irq_timer_slot {
    irq_event_fn fn;
    void *ctx;
    uint64_t arg;
    uint64_t seq; /* sequence of the live heap entry; 0 = not armed */
} irq_timer_slot;

typedef struct irq_engine {
    irq_time now;
    uint64_t events; /* events dispatched so far */
    /* irq_engine_run returns when events reaches it (UINT64_MAX: never), so
     * a caller can look around even while simulated time stands still */
    uint64_t event_limit;
    irq_heap_entry *heap;
    size_t len, cap;
    size_t stale; /* heap entries whose timer was moved or cancelled */
    irq_timer_slot *timers;
    size_t ntimers, timers_cap;
    uint64_t next_seq;
    irq_timer_id firing; /* timer whose event is being dispatched, or UINT32_MAX */
    bool top_fired;      /* heap[0] is the entry being dispatched, not yet removed */
} irq_engine;

int irq_engine_init(irq_engine *e, size_t timers_hint);
void irq_engine_fini(irq_engine *e);

/* Returns a new timer id, or UINT32_MAX when out of memory or ids. */
irq_timer_id irq_timer_new(irq_engine *e, irq_event_fn fn, void *ctx, uint64_t arg);
void irq_timer_arm(irq_engine *e, irq_timer_id t, irq_time when); /* when >= e->now */
void irq_timer_cancel(irq_engine *e, irq_timer_id t);
static inline bool irq_timer_armed(const irq_engine *e, irq_timer_id t)
{
    return e->timers[t].seq != 0;
}

/* Dispatches events with time <= until, in order, until none is left, the
 * time limit is reached, *stop becomes non-zero (checked between events) or
 * e->events reaches e->event_limit.
 * Returns the number of events dispatched. e->now is left at the time of the
 * last event (it never moves backwards). */
uint64_t irq_engine_run(irq_engine *e, irq_time until, const volatile int *stop);

/* Time of the earliest live event, or IRQ_TIME_NEVER. */
irq_time irq_engine_next(irq_engine *e);

#endif
