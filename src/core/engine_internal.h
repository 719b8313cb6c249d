/* The discrete-event engine: a timer table and a 4-ary min-heap of 64-bit
 * keys (time, sequence), with the timer of each key in a parallel array.
 *
 * Every event source in a simulation owns one or more timers, created at
 * set-up. A timer is armed at most once at a time: arming an armed timer
 * moves it. Events at the same time run in the order they were armed
 * (the sequence number), always. Cancelled or moved timers leave a stale
 * heap entry that is skipped when popped; once stale entries exceed a
 * quarter of the live ones the heap is compacted, so memory is bounded by
 * the number of timers, never by simulated time or event count. No
 * allocation per event. docs/engine.md explains the key format. */
#ifndef IRQ_ENGINE_INTERNAL_H
#define IRQ_ENGINE_INTERNAL_H

#include <assert.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

typedef uint64_t irq_time;
typedef uint32_t irq_timer_id;
typedef void (*irq_event_fn)(void *ctx, uint64_t arg);

#define IRQ_TIMER_ID_BITS 24
#define IRQ_MAX_TIMERS (1u << IRQ_TIMER_ID_BITS)
#define IRQ_TIME_NEVER UINT64_MAX

/* A heap key is (time - base) << IRQ_KEY_SEQ_BITS | sequence, so one 64-bit
 * comparison orders by time, then arming order. A time IRQ_KEY_REL_SAT or
 * more past base is stored as IRQ_KEY_REL_SAT (its real time kept in
 * irq_engine.far) until the engine moves base forward. */
#define IRQ_KEY_SEQ_BITS 32
#define IRQ_KEY_REL_SAT ((UINT64_C(1) << (64 - IRQ_KEY_SEQ_BITS)) - 1)

/* irq_engine.root */
enum { IRQ_ROOT_LIVE, IRQ_ROOT_FIRED, IRQ_ROOT_REPLACE };

/* 32 bytes, cache-aligned in the table: one line read per event. */
typedef struct irq_timer_slot {
    irq_event_fn fn;
    void *ctx;
    uint64_t arg;
    uint32_t seq; /* sequence of the live heap entry; 0 = not armed */
    uint32_t unused;
} irq_timer_slot;

typedef struct irq_engine {
    irq_time now;
    uint64_t events; /* events dispatched so far */
    /* irq_engine_run returns when events reaches it (UINT64_MAX: never), so
     * a caller can look around even while simulated time stands still */
    uint64_t event_limit;
    uint64_t *keys;    /* the heap: (time - base) << 32 | sequence */
    irq_timer_id *ids; /* ids[i]: the timer of keys[i] */
    size_t len, cap;
    size_t stale;  /* heap entries whose timer was moved or cancelled */
    irq_time base; /* keys hold times relative to it; base <= now */
    irq_timer_slot *timers;
    irq_time *far; /* far[t]: t's time when its key saturated */
    size_t ntimers, timers_cap;
    uint64_t next_seq; /* < 2^IRQ_KEY_SEQ_BITS; 0 is "not armed" */
    /* timer whose event is being dispatched; UINT32_MAX outside
     * irq_engine_run (it is reset when the run returns, not per event) */
    irq_timer_id firing;
    /* While a callback runs its entry is still at the root (ROOT_FIRED), so
     * that a re-arm can replace it in place: the first arm made then, in
     * the common case, only stores its key (ROOT_REPLACE); the run loop puts
     * it at the root when the callback returns (one sift, run by the loop,
     * and irq_timer_arm stays small). LIVE outside irq_engine_run; inside
     * it, between events, the last event's state is left as it was. */
    uint8_t root;
    /* Set by the caller when its callbacks are long and their contexts
     * rarely in cache (a big simulation): while an event's callback runs,
     * the engine fetches the timer slot of the event most likely next, and
     * when it returns that event's context, so the two cache misses overlap
     * the work. Only timing changes, never the order. Off (the default) it
     * costs nothing; on, it costs some 30 instructions per event and, when
     * callbacks are short, a stall on the slot (docs/engine.md). */
    bool lookahead;
    irq_timer_id pending_id;
    uint64_t pending_key;
} irq_engine;

int irq_engine_init(irq_engine *e, size_t timers_hint);
void irq_engine_fini(irq_engine *e);

/* Returns a new timer id, or UINT32_MAX when out of memory or ids. */
irq_timer_id irq_timer_new(irq_engine *e, irq_event_fn fn, void *ctx, uint64_t arg);
/* irq_timer_arm beyond its common case; when >= e->now. */
void irq_timer_arm_slow(irq_engine *e, irq_timer_id t, irq_time when);

/* Arms (or moves) timer t to `when`. Arming in the past is a caller bug;
 * the event is clamped to now rather than crashing, so it runs after the
 * events already due now.
 * Inline for the common case: the first arm from a callback (typically of
 * its own timer), of a disarmed timer, at a time that fits a key. */
static inline void irq_timer_arm(irq_engine *e, irq_timer_id t, irq_time when)
{
    irq_timer_slot *slot = &e->timers[t];
    irq_time w = when < e->now ? e->now : when;
    uint64_t rel = w - e->base;
    uint64_t seq = e->next_seq;
    /* seq must stay below 2^IRQ_KEY_SEQ_BITS, rel below IRQ_KEY_REL_SAT */
    uint64_t limits = rel | (seq >> IRQ_KEY_SEQ_BITS << IRQ_KEY_SEQ_BITS);
    assert(t < e->ntimers);
    if (e->root != IRQ_ROOT_FIRED || slot->seq != 0 || limits >= IRQ_KEY_REL_SAT) {
        irq_timer_arm_slow(e, t, w);
        return;
    }
    e->next_seq = seq + 1;
    slot->seq = (uint32_t)seq;
    e->pending_key = rel << IRQ_KEY_SEQ_BITS | seq;
    e->pending_id = t;
    e->root = IRQ_ROOT_REPLACE;
}
/* irq_timer_cancel of an armed timer. */
void irq__timer_disarm(irq_engine *e, irq_timer_id t);
/* Disarms timer t if armed; inline, since most calls find it disarmed. */
static inline void irq_timer_cancel(irq_engine *e, irq_timer_id t)
{
    assert(t < e->ntimers);
    if (e->timers[t].seq != 0)
        irq__timer_disarm(e, t);
}
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
