/* The discrete-event engine: a timer table and a 4-ary min-heap of 64-bit
 * (time, sequence) keys with lazy deletion. See engine_internal.h for the
 * contract and docs/engine.md for the design and the measurements behind it. */
#define _DEFAULT_SOURCE /* madvise */
#include "engine_internal.h"

#include <assert.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>

/* Children per heap node: 4 won the hold-model measurements (docs/engine.md). */
#define ARITY ((size_t)4)

#define SEQ_BITS IRQ_KEY_SEQ_BITS
#define SEQ_MASK ((UINT64_C(1) << SEQ_BITS) - 1)
#define SEQ_LIMIT (UINT64_C(1) << SEQ_BITS)
#define REL_SAT IRQ_KEY_REL_SAT
#define KEY_SAT (REL_SAT << SEQ_BITS) /* keys from here on have a saturated time */
#define NO_TIMER UINT32_MAX
/* The heap is compacted once stale entries exceed 1/STALE_DIV of the live
 * ones. 4 (rather than 1, "stale outnumber live") cut many-guests' stale
 * share from 35 % to 13 % on average and its whole-run instruction count by
 * 1.4 % (docs/engine.md). */
#define STALE_DIV 4
/* Below this many entries compaction is not worth its O(n) pass. */
#define COMPACT_MIN 64

#define CACHE_LINE 64
/* The arrays start this many entries past a cache-line boundary, so that a
 * node's 4 children (4i+1 .. 4i+4) share half a line of keys and its 16
 * grandchildren fill exactly two lines of keys and one line of ids. */
#define KEY_PAD 3
#define ID_PAD 11
/* Padding keys past the heap's end: enough to make the last node's
 * children four, and the root's when it is alone (replace_root). */
#define TAIL_KEYS ARITY
/* The smallest heap capacity: room for the root's grandchildren. */
#define MIN_CAP ((size_t)32)

static inline uint32_t key_seq(uint64_t key)
{
    return (uint32_t)(key & SEQ_MASK);
}

static inline bool entry_live(const irq_engine *e, size_t i)
{
    return e->timers[e->ids[i]].seq == key_seq(e->keys[i]);
}

/* The time of entry i. */
static inline irq_time entry_time(const irq_engine *e, size_t i)
{
    uint64_t rel = e->keys[i] >> SEQ_BITS;
    return rel == REL_SAT ? e->far[e->ids[i]] : e->base + rel;
}

/* ---- heap primitives on the parallel arrays k (keys) and d (timer ids):
 * (x, t) goes into the hole at i, moving the hole up or down instead of
 * swapping, which halves the stores. ---- */

static inline void sift_up(uint64_t *k, irq_timer_id *d, size_t i, uint64_t x, irq_timer_id t)
{
    while (i > 0) {
        size_t p = (i - 1) / ARITY;
        if (x >= k[p])
            break;
        k[i] = k[p];
        d[i] = d[p];
        i = p;
    }
    k[i] = x;
    d[i] = t;
}

/* The index of the smaller of k[x] and k[y], as arithmetic rather than ?:
 * so that GCC cannot turn it back into a branch. */
#define PICK(x, y) ((x) ^ (((x) ^ (y)) & -(size_t)(k[y] < k[x])))
/* The same for the adjacent k[x] and k[x + 1]: x plus the comparison. */
#define PAIR(x) ((x) + (k[(x) + 1] < k[x]))

/* Index of the smallest of the children c..c+3 of a node, c < len: a
 * tournament of independent, branch-free comparisons. Which child is
 * smallest is a coin toss, so a branch on it mispredicts half the time
 * (measured: 4-ary at 1e4 timers went from 11 to 16 million events/s).
 * The heap's keys are followed by TAIL_KEYS keys of UINT64_MAX (see
 * set_tail), so the last node, even when it has fewer than 4 children,
 * needs no test: a padding key is never smaller than a real one, and ties
 * go to the lower index. */
static inline size_t min_child(const uint64_t *k, size_t c)
{
    return PICK(PAIR(c), PAIR(c + 2));
}

/* The same without the padding (heapsort in renumber, where the keys past
 * `len` are real ones). */
static size_t min_child_bounded(const uint64_t *k, size_t len, size_t c)
{
    size_t m = c;
    for (size_t j = c + 1; j < len && j < c + ARITY; j++)
        m = PICK(m, j);
    return m;
}

/* Branch-free child selection stops the CPU from running ahead down a
 * guessed path, which used to hide the cache misses of big heaps; so each
 * level fetches the grandchildren, the 16 entries from g on (2 lines of
 * keys, 1 of ids), while it is compared. This pays even when the heap fits
 * in L2 (docs/engine.md). It is a macro, not a helper: GCC deems a function
 * made only of __builtin_prefetch "const" and deletes the call. */
#define PREFETCH_GROUPS(k, d, g)                                                                   \
    do {                                                                                           \
        __builtin_prefetch(&(k)[g]);                                                               \
        __builtin_prefetch(&(k)[(g) + 8]);                                                         \
        __builtin_prefetch(&(d)[g]);                                                               \
    } while (0)

/* `padded`: the keys past len are padding (min_child); a constant.
 * While the children's children exist (the loop's one test per level)
 * they are prefetched; after that at most one level is left, as a child
 * c >= (len - 1) / ARITY has none. */
static inline __attribute__((always_inline)) void sift_down_(uint64_t *k, irq_timer_id *d,
                                                             size_t len, size_t i, uint64_t x,
                                                             irq_timer_id t, bool padded)
{
    size_t c = ARITY * i + 1;
    for (size_t g = ARITY * c + 1; g < len; c = ARITY * i + 1, g = ARITY * c + 1) {
        PREFETCH_GROUPS(k, d, g);
        size_t m = padded ? min_child(k, c) : min_child_bounded(k, len, c);
        if (k[m] >= x)
            goto done;
        k[i] = k[m];
        d[i] = d[m];
        i = m;
    }
    if (c < len) {
        size_t m = padded ? min_child(k, c) : min_child_bounded(k, len, c);
        if (k[m] < x) {
            k[i] = k[m];
            d[i] = d[m];
            i = m;
        }
    }
done:
    k[i] = x;
    d[i] = t;
}

static inline __attribute__((always_inline)) void
sift_down(uint64_t *k, irq_timer_id *d, size_t len, size_t i, uint64_t x, irq_timer_id t)
{
    sift_down_(k, d, len, i, x, t, true);
}

/* Replaces the root with (x, t). Once the first level is decided the next
 * root is known, so its timer slot (a likely cache miss, read by the run
 * loop next) is fetched while the rest of the sift runs. */
static inline __attribute__((always_inline)) void replace_root(irq_engine *e, uint64_t x,
                                                               irq_timer_id t)
{
    uint64_t *k = e->keys;
    irq_timer_id *d = e->ids;
    /* No test of len (>= 1): an only root's children are padding, and the
     * grandchildren's lines are inside the arrays (cap >= MIN_CAP). */
    PREFETCH_GROUPS(k, d, ARITY + 1);
    size_t m = min_child(k, 1);
    if (k[m] < x) {
        __builtin_prefetch(&e->timers[d[m]]);
        k[0] = k[m];
        d[0] = d[m];
        sift_down(k, d, e->len, m, x, t);
        return;
    }
    k[0] = x;
    d[0] = t;
}

static void heapify(uint64_t *k, irq_timer_id *d, size_t len)
{
    if (len < 2)
        return;
    for (size_t i = (len - 2) / ARITY + 1; i-- > 0;)
        sift_down(k, d, len, i, k[i], d[i]);
}

/* Removes the root. The entry that fills its place is the last leaf, which
 * nearly always belongs near the bottom again, so instead of comparing it at
 * every level on the way down, the hole left by the root goes down along the
 * smaller children to a leaf, and the entry is sifted up from there (Floyd's
 * "bottom-up" deletion; usually no step up). One comparison fewer per level;
 * the resulting heap may differ from a top-down sift's, the order of
 * dispatch does not (it depends on the keys only). */
static inline void pop_root(irq_engine *e)
{
    size_t len = --e->len;
    if (len == 0)
        return;
    uint64_t *k = e->keys;
    irq_timer_id *d = e->ids;
    uint64_t x = k[len];
    irq_timer_id t = d[len];
    k[len] = UINT64_MAX; /* padding again */
    size_t i = 0;
    if (len > 1) { /* the next root is known: the run loop reads its timer slot next */
        size_t m = min_child(k, 1);
        __builtin_prefetch(&e->timers[d[m]]);
        k[0] = k[m];
        d[0] = d[m];
        i = m;
    }
    size_t c = ARITY * i + 1;
    for (size_t g = ARITY * c + 1; g < len; c = ARITY * i + 1, g = ARITY * c + 1) {
        PREFETCH_GROUPS(k, d, g); /* as in sift_down_ */
        size_t m = min_child(k, c);
        k[i] = k[m];
        d[i] = d[m];
        i = m;
    }
    if (c < len) {
        size_t m = min_child(k, c);
        k[i] = k[m];
        d[i] = d[m];
        i = m;
    }
    sift_up(k, d, i, x, t);
}

/* ---- memory ---- */

#define HUGE_PAGE ((size_t)2 << 20)
/* Huge pages make a block's untouched capacity resident in 2 MiB steps;
 * below this size that memory costs more than the TLB misses it saves
 * (10,000 guests: arrays of 2-8 MiB, 5 MiB more peak RSS with them). */
#define HUGE_PAGE_MIN ((size_t)16 << 20)

/* A cache-aligned block. Blocks of HUGE_PAGE_MIN or more are 2 MiB-aligned
 * and marked for transparent huge pages: a big model reads a random timer slot
 * and random heap paths (keys and ids) at every event, and with 4 KiB pages
 * those also miss the TLB. Hold model at 10^6 timers, CPU time, best of 3
 * interleaved: 3.3-3.6 million events/s without, 3.9 with (docs/engine.md). */
static void *block_alloc(size_t bytes)
{
    size_t align = CACHE_LINE;
#ifdef MADV_HUGEPAGE
    if (bytes >= HUGE_PAGE_MIN)
        align = HUGE_PAGE;
#endif
    bytes = (bytes + align - 1) / align * align; /* aligned_alloc wants a multiple */
    void *p = aligned_alloc(align, bytes);
#ifdef MADV_HUGEPAGE
    if (p && align == HUGE_PAGE)
        (void)madvise(p, bytes, MADV_HUGEPAGE); /* advice: failing is harmless */
#endif
    return p;
}

/* Grows a cache-aligned array whose element 0 is `pad` elements past the
 * line boundary. Copies (there is no aligned realloc). */
static void *aligned_grow(void *old, size_t pad, size_t size, size_t used, size_t cap)
{
    char *base = block_alloc((cap + pad) * size);
    if (!base)
        return NULL;
    if (old) {
        memcpy(base + pad * size, old, used * size);
        free((char *)old - pad * size);
    }
    return base + pad * size;
}

/* The TAIL_KEYS keys past the heap's last are UINT64_MAX (min_child).
 * Whatever changes e->len keeps them so: a push writes the one past the
 * new end, a pop the one it vacates, compaction calls this. */
static void set_tail(irq_engine *e)
{
    for (size_t i = 0; i < TAIL_KEYS; i++)
        e->keys[e->len + i] = UINT64_MAX;
}

/* Growth happens only when timers are created. The key array has
 * TAIL_KEYS more entries than cap. */
static int heap_reserve(irq_engine *e, size_t want)
{
    if (want <= e->cap)
        return 0;
    size_t cap = e->cap ? e->cap : MIN_CAP;
    while (cap < want)
        cap *= 2;
    uint64_t *k = aligned_grow(e->keys, KEY_PAD, sizeof *k, e->len, cap + TAIL_KEYS);
    if (!k)
        return -1;
    e->keys = k;
    set_tail(e);
    irq_timer_id *d = aligned_grow(e->ids, ID_PAD, sizeof *d, e->len, cap);
    if (!d)
        return -1; /* keys grew, cap did not: harmless */
    e->ids = d;
    e->cap = cap;
    return 0;
}

static void heap_free(irq_engine *e)
{
    if (e->keys)
        free(e->keys - KEY_PAD);
    if (e->ids)
        free(e->ids - ID_PAD);
}

/* Live entries never exceed the timers, and compaction keeps stale entries
 * at most a quarter as many once the heap holds more than COMPACT_MIN (see
 * note_stale), so this many slots mean irq_timer_arm never has to allocate.
 * Reserved when a timer is created, which is the only call that can report
 * failure. */
static size_t heap_bound(size_t ntimers)
{
    return ntimers + ntimers / STALE_DIV + COMPACT_MIN + 4;
}

static int timers_reserve(irq_engine *e, size_t want)
{
    if (want <= e->timers_cap)
        return 0;
    size_t cap = e->timers_cap ? e->timers_cap : 16;
    while (cap < want)
        cap *= 2;
    /* Cache-aligned so that no 32-byte slot straddles two lines: the run
     * loop reads one slot per event, usually a cache miss in big models. */
    irq_timer_slot *t = block_alloc(cap * sizeof *t);
    if (!t)
        return -1;
    /* far[t] is written when t's key saturates and read only then: never
     * initialised or copied, so its pages stay untouched (not resident)
     * until some timer is armed that far ahead */
    irq_time *far = realloc(e->far, cap * sizeof *far);
    if (!far) {
        free(t);
        return -1;
    }
    if (e->timers) {
        memcpy(t, e->timers, e->ntimers * sizeof *t);
        free(e->timers);
    }
    e->timers = t;
    e->far = far;
    e->timers_cap = cap;
    return 0;
}

int irq_engine_init(irq_engine *e, size_t timers_hint)
{
    memset(e, 0, sizeof *e);
    e->next_seq = 1; /* 0 means "not armed" */
    e->event_limit = UINT64_MAX;
    e->firing = NO_TIMER;
    if (timers_hint > IRQ_MAX_TIMERS)
        timers_hint = IRQ_MAX_TIMERS;
    if (timers_reserve(e, timers_hint) != 0 || heap_reserve(e, heap_bound(timers_hint)) != 0) {
        irq_engine_fini(e);
        return -1;
    }
    return 0;
}

void irq_engine_fini(irq_engine *e)
{
    heap_free(e);
    free(e->timers);
    free(e->far);
    memset(e, 0, sizeof *e);
    e->firing = NO_TIMER;
}

irq_timer_id irq_timer_new(irq_engine *e, irq_event_fn fn, void *ctx, uint64_t arg)
{
    size_t n = e->ntimers;
    if (n >= IRQ_MAX_TIMERS)
        return NO_TIMER;
    if (timers_reserve(e, n + 1) != 0 || heap_reserve(e, heap_bound(n + 1)) != 0)
        return NO_TIMER;
    e->timers[n] = (irq_timer_slot){.fn = fn, .ctx = ctx, .arg = arg, .seq = 0};
    e->ntimers = n + 1;
    return (irq_timer_id)n;
}

/* ---- stale entries, sequence numbers and the time base ---- */

/* Puts a deferred arm (see irq_engine.pending) into the heap now, in place
 * of the fired root: before anything that looks at the whole heap. */
static __attribute__((noinline)) void flush_pending(irq_engine *e)
{
    if (e->root != IRQ_ROOT_REPLACE)
        return;
    e->root = IRQ_ROOT_LIVE;
    replace_root(e, e->pending_key, e->pending_id);
}

/* Keeps the live entries only, in their current order. The entry being
 * dispatched is stale (its timer is disarmed while it fires), so it goes
 * too. */
static void drop_stale(irq_engine *e)
{
    flush_pending(e);
    size_t n = 0;
    for (size_t i = 0; i < e->len; i++) {
        if (entry_live(e, i)) {
            e->keys[n] = e->keys[i];
            e->ids[n] = e->ids[i];
            n++;
        }
    }
    e->len = n;
    set_tail(e);
    e->stale = 0;
    e->root = IRQ_ROOT_LIVE;
}

static __attribute__((noinline, cold)) void compact(irq_engine *e)
{
    drop_stale(e);
    heapify(e->keys, e->ids, e->len);
}

/* Called after an entry became stale. Compacting only once stale entries
 * exceed a quarter of the live ones costs O(1) amortised per stale entry (a
 * compaction of n entries needs n/5 new stale ones) and bounds the heap at
 * about 1.25 times the armed timers. */
static inline void note_stale(irq_engine *e)
{
    e->stale++;
    if (e->stale * STALE_DIV > e->len - e->stale && e->len > COMPACT_MIN)
        compact(e);
}

/* The key of timer t's entry at time `when` (>= base) with sequence seq. A
 * time REL_SAT or more past base saturates; far[t] keeps the real one. */
static inline uint64_t make_key(irq_time *far, irq_time base, irq_timer_id t, irq_time when,
                                uint64_t seq)
{
    uint64_t rel = when - base;
    if (rel >= REL_SAT) {
        rel = REL_SAT;
        far[t] = when;
    }
    return rel << SEQ_BITS | seq;
}

/* Moves base to b (<= every live entry's time): keys are recomputed from
 * the real times, and entries whose time saturated get their true order
 * back. O(n); it happens only when the earliest event is 2^32 cycles or more
 * past base, i.e. at most once per 2^32 cycles of simulated time. */
static __attribute__((noinline, cold)) void rebase(irq_engine *e, irq_time b)
{
    drop_stale(e);
    for (size_t i = 0; i < e->len; i++) {
        irq_time when = entry_time(e, i);
        assert(when >= b);
        e->keys[i] = make_key(e->far, b, e->ids[i], when, key_seq(e->keys[i]));
    }
    e->base = b;
    heapify(e->keys, e->ids, e->len);
}

/* The earliest time of the live entries (all of them: their keys may be
 * saturated), or IRQ_TIME_NEVER. */
static irq_time earliest(const irq_engine *e)
{
    irq_time m = IRQ_TIME_NEVER;
    for (size_t i = 0; i < e->len; i++)
        if (entry_live(e, i) && entry_time(e, i) < m)
            m = entry_time(e, i);
    return m;
}

/* The sequence ran out: number the live entries again from 1 in their
 * dispatch order, which keeps that order (and so same-time FIFO). The heap
 * is sorted in place (heapsort, then reversed); a sorted array is a valid
 * heap. Runs once per 2^32 arms. */
static __attribute__((noinline, cold)) void renumber(irq_engine *e)
{
    compact(e);
    uint64_t *k = e->keys;
    irq_timer_id *d = e->ids;
    size_t n = e->len;
    for (size_t end = n; end > 1; end--) { /* the minimum goes last */
        uint64_t x = k[end - 1];
        irq_timer_id t = d[end - 1];
        k[end - 1] = k[0];
        d[end - 1] = d[0];
        sift_down_(k, d, end - 1, 0, x, t, false);
    }
    for (size_t i = 0, j = n; i + 1 < j; i++, j--) {
        uint64_t x = k[i];
        k[i] = k[j - 1];
        k[j - 1] = x;
        irq_timer_id t = d[i];
        d[i] = d[j - 1];
        d[j - 1] = t;
    }
    for (size_t i = 0; i < n; i++) {
        uint64_t seq = i + 1;
        k[i] = (k[i] & ~SEQ_MASK) | seq;
        e->timers[d[i]].seq = (uint32_t)seq;
    }
    e->next_seq = n + 1;
}

/* ---- public operations ---- */

/* Disarms timer t, armed, to move or cancel it: its entry becomes stale,
 * unless it is the deferred arm of the running callback, which is not in
 * the heap yet and simply goes (the fired root is back to be replaced). */
static inline void disarm(irq_engine *e, irq_timer_id t)
{
    e->timers[t].seq = 0;
    if (e->root == IRQ_ROOT_REPLACE && t == e->pending_id)
        e->root = IRQ_ROOT_FIRED;
    else
        note_stale(e);
}

/* Everything irq_timer_arm (engine_internal.h) does not do inline; `when`
 * is already clamped to now, and base <= now, so make_key applies. */
__attribute__((noinline)) void irq_timer_arm_slow(irq_engine *e, irq_timer_id t, irq_time when)
{
    assert(when >= e->now && e->now >= e->base);
    irq_timer_slot *slot = &e->timers[t];
    if (slot->seq != 0)
        disarm(e, t);
    if (e->next_seq >= SEQ_LIMIT)
        renumber(e);
    uint64_t seq = e->next_seq++;
    slot->seq = (uint32_t)seq;
    uint64_t x = make_key(e->far, e->base, t, when, seq);
    if (e->root == IRQ_ROOT_FIRED) {
        /* The root is the entry being dispatched (no longer live):
         * overwrite it, one sift instead of a pop and a push. */
        e->root = IRQ_ROOT_LIVE;
        replace_root(e, x, t);
        return;
    }
    if (e->root == IRQ_ROOT_REPLACE && x < e->pending_key) {
        /* A second arm in a callback: of the two entries, the earlier
         * takes the root's place and the later is pushed. Same heap
         * contents, but the sift down from the root stops sooner and the
         * sift up from the bottom too. */
        uint64_t px = e->pending_key;
        irq_timer_id pt = e->pending_id;
        e->pending_key = x;
        e->pending_id = t;
        x = px;
        t = pt;
    }
    if (e->len == e->cap && heap_reserve(e, e->len + 1) != 0)
        abort(); /* unreachable: irq_timer_new reserved heap_bound() */
    /* the padding moves up by one */
    e->keys[e->len + TAIL_KEYS] = UINT64_MAX;
    sift_up(e->keys, e->ids, e->len++, x, t);
}

__attribute__((noinline)) void irq__timer_disarm(irq_engine *e, irq_timer_id t)
{
    disarm(e, t);
}

/* The largest key due by `until`: a greater key is later, or saturated. */
static inline uint64_t last_key(const irq_engine *e, irq_time until)
{
    if (until < e->base)
        return 0; /* every key is greater: sequences start at 1 */
    uint64_t rel = until - e->base;
    return rel >= REL_SAT ? KEY_SAT - 1 : rel << SEQ_BITS | SEQ_MASK;
}

/* The hot path. The root entry stays in the heap while its callback runs
 * (e->root), so that a re-arm can replace it in place. That entry is not
 * counted in e->stale: it is gone when the callback returns. base does not
 * change during a callback (arms are at now or later, and base <= now), so
 * `last` is computed again only after a rebase here. */
static inline __attribute__((always_inline)) uint64_t
run_loop(irq_engine *e, irq_time until, const volatile int *stop, bool lookahead)
{
    uint64_t start = e->events;
    uint64_t last = last_key(e, until);
    while (e->len > 0) {
        uint64_t key = e->keys[0];
        irq_timer_id id = e->ids[0];
        irq_timer_slot *slot = &e->timers[id];
        if (slot->seq != key_seq(key)) {
            pop_root(e);
            e->stale--;
            continue;
        }
        if ((stop && *stop) || e->events == e->event_limit)
            break;
        if (key > last) {
            if (key < KEY_SAT)
                break; /* after until */
            /* Nothing is due within REL_SAT of base: move base to the
             * earliest event (which is dispatched next, so base <= now
             * holds again) and look again. */
            irq_time m = earliest(e);
            if (m > until)
                break;
            e->root = IRQ_ROOT_LIVE; /* the last event's state is done with */
            rebase(e, m);
            last = last_key(e, until);
            key = e->keys[0];
            id = e->ids[0];
            slot = &e->timers[id];
        }
        e->now = e->base + (key >> SEQ_BITS);
        slot->seq = 0; /* disarmed while firing */
        e->root = IRQ_ROOT_FIRED;
        e->firing = id;
        e->events++;
        /* The next event is most likely the root's smallest child. */
        irq_timer_id next = NO_TIMER;
        if (lookahead && e->len > 1) {
            next = e->ids[min_child(e->keys, 1)];
            __builtin_prefetch(&e->timers[next]);
        }
        /* slot is not used after the call: the callback may create timers
         * and so move the table. */
        slot->fn(slot->ctx, slot->arg);
        if (lookahead && next != NO_TIMER) /* its slot has arrived by now */
            __builtin_prefetch(e->timers[next].ctx);
        /* e->root is left as it is (REPLACE or FIRED, done with) and
         * e->firing too, until the loop ends: nothing reads them between
         * two events but rebase, which is told. Two stores fewer. */
        if (e->root == IRQ_ROOT_REPLACE)
            replace_root(e, e->pending_key, e->pending_id);
        else if (e->root == IRQ_ROOT_FIRED)
            pop_root(e);
    }
    e->root = IRQ_ROOT_LIVE;
    e->firing = NO_TIMER;
    return e->events - start;
}

/* Three copies of the loop, so the common stop == NULL tests nothing and
 * lookahead costs nothing when off. */
uint64_t irq_engine_run(irq_engine *e, irq_time until, const volatile int *stop)
{
    if (e->lookahead)
        return run_loop(e, until, stop, true);
    return stop ? run_loop(e, until, stop, false) : run_loop(e, until, NULL, false);
}

irq_time irq_engine_next(irq_engine *e)
{
    flush_pending(e);
    while (e->len > 0) {
        if (entry_live(e, 0))
            return e->keys[0] >= KEY_SAT ? earliest(e) : e->base + (e->keys[0] >> SEQ_BITS);
        if (e->root == IRQ_ROOT_FIRED) /* the entry being dispatched: not counted as stale */
            e->root = IRQ_ROOT_LIVE;
        else
            e->stale--;
        pop_root(e);
    }
    return IRQ_TIME_NEVER;
}
