/* The arrival kinds of interrupt sources, one table entry each: how the
 * scenario writes it (parse, at load) and how its arrivals follow one
 * another (next, per arrival: the sources call it through the table, but
 * Poisson's in place, irq__arrival_next). See arrival_internal.h. */
#ifndef _POSIX_C_SOURCE
#define _POSIX_C_SOURCE 200809L
#endif
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "arrival_internal.h"
#include "loader_internal.h"

/* ---- parsing, shared by the kinds ------------------------------------------- */

static int arr_fail(irq_arrival_parse *a)
{
    return irq_error_set(a->c->err, IRQ_EINPUT, &a->node->mark,
                         "bad arrivals '%s' for source '%s' (%s)", a->node->text, a->s->name,
                         a->why);
}

/* Duration argument k of the call into *out; absent: *out unchanged
 * (error when required). 0, or -1 with a->why. */
static int arr_dur(irq_arrival_parse *a, const char *const *keys, size_t k, bool required,
                   double *out)
{
    const char *v = irq__call_get(a->call, keys, k);
    char sub[200];
    if (!v && required) {
        snprintf(a->why, sizeof a->why, "%s() needs %s=", a->call->name, keys[k]);
        return -1;
    }
    if (v && irq_parse_duration(v, a->c->clock_hz, out, sub, sizeof sub)) {
        snprintf(a->why, sizeof a->why, "bad %s '%s': %s", keys[k], v, sub);
        return -1;
    }
    return 0;
}

/* Arrivals are at least one clock cycle apart on average: the documented
 * floor (more would pile up on one cycle and simulated time would not move). */
static int below_one_cycle(irq_arrival_parse *a, double mean_cycles)
{
    snprintf(a->why, sizeof a->why,
             "the mean interval is %.3g cycles; arrivals must be at least one clock cycle apart on "
             "average (at most %.6g per second at this clock_hz)",
             mean_cycles, a->c->clock_hz);
    return arr_fail(a);
}

/* ---- poisson(rate) ---------------------------------------------------------- */

static int poisson_parse(irq_arrival_parse *a)
{
    static const char *const keys[] = {"rate"};
    const char *v;
    if (irq__call_check(a->call, keys, 1, a->why, sizeof a->why))
        return arr_fail(a);
    if (!(v = irq__call_get(a->call, keys, 0))) {
        snprintf(a->why, sizeof a->why, "poisson() needs a rate such as 2000/s");
        return arr_fail(a);
    }
    char sub[200];
    if (irq_parse_rate(v, a->c->clock_hz, &a->s->rate, sub, sizeof sub)) {
        snprintf(a->why, sizeof a->why, "bad rate '%s': %s", v, sub);
        return arr_fail(a);
    }
    if (a->s->rate <= 0) {
        snprintf(a->why, sizeof a->why, "the rate must be greater than 0");
        return arr_fail(a);
    }
    if (a->s->rate > 1) /* every arrival would fall on the same cycle: time stands still */
        return below_one_cycle(a, 1 / a->s->rate);
    a->s->kind = IRQ_ARR_POISSON;
    return IRQ_OK;
}

static uint64_t poisson_next(const irq_source_cfg *c, irq_arrival_state *st, uint64_t now)
{
    return irq__poisson_next(c, st, now);
}

static double poisson_expected(const irq_source_cfg *c, double lo, double hi)
{
    return c->rate * (hi - lo);
}

/* ---- periodic(interval, jitter) --------------------------------------------- */

static int periodic_parse(irq_arrival_parse *a)
{
    static const char *const keys[] = {"interval", "jitter"};
    irq_source_cfg *s = a->s;
    if (irq__call_check(a->call, keys, 2, a->why, sizeof a->why) ||
        arr_dur(a, keys, 0, true, &s->interval) || arr_dur(a, keys, 1, false, &s->jitter))
        return arr_fail(a);
    s->kind = IRQ_ARR_PERIODIC;
    if (s->interval <= 0)
        snprintf(a->why, sizeof a->why, "the interval must be greater than 0");
    else if (s->interval < 1)
        return below_one_cycle(a, s->interval);
    else if (s->jitter > s->interval / 2)
        snprintf(a->why, sizeof a->why, "the jitter must be at most half the interval");
    else
        return IRQ_OK;
    return arr_fail(a);
}

/* Arrival k of a periodic source, jittered, never before the previous one. */
static uint64_t periodic_next(const irq_source_cfg *c, irq_arrival_state *st, uint64_t now)
{
    (void)now;
    double t = (double)c->start + (double)st->k++ * c->interval;
    if (c->jitter > 0)
        t += (2.0 * irq_rng_uniform(&st->rng) - 1.0) * c->jitter;
    uint64_t a = irq__dist_cycles(t);
    return a < st->last ? st->last : a;
}

static double periodic_expected(const irq_source_cfg *c, double lo, double hi)
{
    return c->interval > 0 ? (hi - lo) / c->interval : 0;
}

/* ---- storm(count, window, period, start, spacing) ------------------------------ */

static int storm_count(irq_arrival_parse *a, const char *const *keys)
{
    const char *v = irq__call_get(a->call, keys, 0);
    char sub[200];
    if (!v) {
        snprintf(a->why, sizeof a->why, "storm() needs count=");
        return -1;
    }
    if (irq__parse_u64(v, &a->s->count, sub, sizeof sub)) {
        snprintf(a->why, sizeof a->why, "bad count '%s': %s", v, sub);
        return -1;
    }
    if (a->s->count < 1 || a->s->count > 1000000000) {
        snprintf(a->why, sizeof a->why, "count must be from 1 to 1000000000 (got %s)", v);
        return -1;
    }
    return 0;
}

static int storm_parse(irq_arrival_parse *a)
{
    static const char *const keys[] = {"count", "window", "period", "start", "spacing"};
    irq_source_cfg *s = a->s;
    double start = -1;
    if (irq__call_check(a->call, keys, 5, a->why, sizeof a->why) || storm_count(a, keys) ||
        arr_dur(a, keys, 1, true, &s->window) || arr_dur(a, keys, 2, false, &s->period) ||
        arr_dur(a, keys, 3, false, &start))
        return arr_fail(a);
    const char *sp = irq__call_get(a->call, keys, 4);
    s->kind = IRQ_ARR_STORM;
    s->even = sp && !strcmp(sp, "even");
    if (sp && !s->even && strcmp(sp, "random"))
        snprintf(a->why, sizeof a->why, "bad spacing '%s' (expected even or random)", sp);
    else if (s->period > 0 && s->period < s->window)
        snprintf(a->why, sizeof a->why, "the period must be 0 (once) or at least the window");
    else if (s->period > 0 && s->period < (double)s->count)
        return below_one_cycle(a, s->period / (double)s->count);
    else if (start >= 0 && a->start_given)
        snprintf(a->why, sizeof a->why, "start is given both here and as the source's 'start'");
    else {
        if (start >= 0)
            s->start = (uint64_t)llround(start);
        return IRQ_OK;
    }
    return arr_fail(a);
}

/* `count` arrivals per window. Random spacing draws the sorted uniform
 * order statistics one at a time (Bentley and Saxe), so nothing is stored
 * per arrival. */
static uint64_t storm_next(const irq_source_cfg *c, irq_arrival_state *st, uint64_t now)
{
    (void)now;
    if (st->k == c->count) {
        if (c->period <= 0)
            return UINT64_MAX;
        st->window++;
        st->k = 0;
        st->u = 0;
    }
    double base = (double)c->start + (double)st->window * c->period;
    double pos;
    if (c->even) {
        pos = (double)st->k / (double)c->count;
    } else {
        double left = (double)(c->count - st->k);
        st->u = 1.0 - (1.0 - st->u) * pow(irq_rng_uniform_pos(&st->rng), 1.0 / left);
        pos = st->u;
    }
    st->k++;
    uint64_t a = irq__dist_cycles(base + pos * c->window);
    return a < st->last ? st->last : a;
}

static double storm_expected(const irq_source_cfg *c, double lo, double hi)
{
    return c->period > 0 ? (double)c->count * (hi - lo) / c->period : (double)c->count;
}

/* ---- replay(file) ----------------------------------------------------------- */

/* One replay line: a bare number is nanoseconds, else a duration. */
static int replay_time(irq_arrival_parse *a, const char *field, double *cycles)
{
    double v;
    size_t n = irq__scan_number(field, &v);
    if (n && field[n] == '\0') {
        *cycles = v * a->c->clock_hz / 1e9;
        if (*cycles <= 9.2e18)
            return 0;
        snprintf(a->why, sizeof a->why, "too large");
        return -1;
    }
    return irq_parse_duration(field, a->c->clock_hz, cycles, a->why, sizeof a->why);
}

static int replay_error(irq_arrival_parse *a, const char *path, size_t line, const char *fmt,
                        const char *field)
{
    char msg[sizeof a->why + 200]; /* the reason and the quoted field */
    irq_mark m = {path, (unsigned)line, 1};
    const irq_mark *at = &a->node->mark;
    snprintf(msg, sizeof msg, fmt, field, a->why);
    return irq_error_set(a->c->err, IRQ_EINPUT, &m, "%s (replay of source '%s' at %s:%u:%u)", msg,
                         a->s->name, at->file, at->line, at->column);
}

static int replay_push(irq_arrival_parse *a, double cycles, size_t *cap)
{
    irq_source_cfg *s = a->s;
    if (s->ntimes == IRQ_MAX_SAMPLES) {
        snprintf(a->why, sizeof a->why, "more than %u timestamps", IRQ_MAX_SAMPLES);
        return IRQ_EINPUT;
    }
    if (s->ntimes == *cap) {
        size_t nc = *cap ? *cap * 2 : 256;
        uint64_t *t = realloc(s->times, nc * sizeof *t);
        if (!t)
            return IRQ_ENOMEM;
        s->times = t;
        *cap = nc;
    }
    s->times[s->ntimes++] = (uint64_t)llround(cycles);
    return IRQ_OK;
}

static int replay_lines(irq_arrival_parse *a, const char *path, const char *data, size_t len)
{
    const char *p = data, *line;
    size_t n, lineno = 0, cap = 0, prev_line = 0;
    while ((line = irq__next_line(&p, data + len, &n, &lineno))) {
        char field[128];
        const char *comma = memchr(line, ',', n);
        size_t fl = comma ? (size_t)(comma - line) : n;
        snprintf(field, sizeof field, "%.*s", (int)fl, line);
        for (size_t e = strlen(field); e && (field[e - 1] == ' ' || field[e - 1] == '\t'); e--)
            field[e - 1] = '\0';
        bool header =
            a->s->ntimes == 0 && prev_line == 0 &&
            ((field[0] >= 'a' && field[0] <= 'z') || (field[0] >= 'A' && field[0] <= 'Z'));
        double c;
        if (header) {
            prev_line = lineno;
            continue;
        }
        bool nul = memchr(line, '\0', n) != NULL, lng = fl >= sizeof field;
        if (nul)
            snprintf(a->why, sizeof a->why, "the line holds a NUL byte: not a text file?");
        else if (lng)
            snprintf(a->why, sizeof a->why, "the field is %zu bytes long, at most %zu", fl,
                     sizeof field - 1);
        if (nul || lng || replay_time(a, field, &c))
            return replay_error(a, path, lineno, "bad timestamp '%.40s' (%s)", field);
        if (a->s->ntimes && llround(c) < (long long)a->s->times[a->s->ntimes - 1]) {
            snprintf(a->why, sizeof a->why, "line %zu has a later one", prev_line);
            return replay_error(a, path, lineno, "timestamp '%s' is not in ascending order (%s)",
                                field);
        }
        int rc = replay_push(a, c, &cap);
        if (rc == IRQ_ENOMEM)
            return irq_error_set(a->c->err, rc, &a->node->mark, "out of memory");
        if (rc != IRQ_OK)
            return replay_error(a, path, lineno, "too many timestamps at '%s' (%s)", field);
        prev_line = lineno;
    }
    if (a->s->ntimes)
        return IRQ_OK;
    snprintf(a->why, sizeof a->why, "expected one timestamp per line");
    return replay_error(a, path, 0, "no timestamps in the file%s (%s)", "");
}

static int replay_parse(irq_arrival_parse *a)
{
    char *path = NULL, *data = NULL;
    size_t len;
    if (!*a->call->inner) {
        snprintf(a->why, sizeof a->why, "replay() needs a file name");
        return arr_fail(a);
    }
    a->s->kind = IRQ_ARR_REPLAY;
    path = irq__path_join(a->c->base_dir, a->call->inner);
    if (!path)
        return irq_error_set(a->c->err, IRQ_ENOMEM, &a->node->mark, "out of memory");
    char sub[200];
    int rc;
    if (irq_read_file(path, IRQ_MAX_FILE_BYTES, &data, &len, sub, sizeof sub)) {
        snprintf(a->why, sizeof a->why, "cannot read %s: %s", path, sub);
        rc = arr_fail(a);
    } else {
        rc = replay_lines(a, path, data, len);
    }
    if (rc == IRQ_OK && a->c->data_hash)
        *a->c->data_hash =
            irq__hash_bytes(*a->c->data_hash, a->s->times, a->s->ntimes * sizeof *a->s->times);
    free(data);
    free(path);
    return rc;
}

static uint64_t replay_next(const irq_source_cfg *c, irq_arrival_state *st, uint64_t now)
{
    (void)now;
    return st->k < c->ntimes ? c->times[st->k++] : UINT64_MAX;
}

/* Replay honours the source's start: earlier timestamps are skipped. */
static void replay_begin(const irq_source_cfg *c, irq_arrival_state *st)
{
    while (st->k < c->ntimes && c->times[st->k] < c->start)
        st->k++;
}

static double replay_expected(const irq_source_cfg *c, double lo, double hi)
{
    double n = 0;
    for (size_t i = 0; i < c->ntimes; i++)
        n += (double)c->times[i] >= lo && (double)c->times[i] < hi;
    return n;
}

/* ---- the table ---------------------------------------------------------------- */

const irq_arrival_kind irq__arrival_kinds[IRQ_ARR_N] = {
    [IRQ_ARR_POISSON] = {.name = "poisson",
                         .examples = "poisson(2000/s)",
                         .parse = poisson_parse,
                         .next = poisson_next,
                         .expected = poisson_expected,
                         .from_previous = true},
    [IRQ_ARR_PERIODIC] = {.name = "periodic",
                          .examples = "periodic(1ms), periodic(1ms, jitter=10us)",
                          .parse = periodic_parse,
                          .next = periodic_next,
                          .expected = periodic_expected},
    [IRQ_ARR_STORM] = {.name = "storm",
                       .examples = "storm(count=500, window=100us, period=10ms)",
                       .parse = storm_parse,
                       .next = storm_next,
                       .expected = storm_expected},
    [IRQ_ARR_REPLAY] = {.name = "replay",
                        .examples = "replay(file.csv)",
                        .parse = replay_parse,
                        .next = replay_next,
                        .begin = replay_begin,
                        .expected = replay_expected},
};

/* "expected poisson(2000/s), ..., storm(...) or replay(file.csv)". */
static void expected_kinds(char *buf, size_t len)
{
    size_t used = (size_t)snprintf(buf, len, "expected");
    for (size_t k = 0; k < IRQ_ARR_N && used < len; k++) {
        const char *sep = k == 0 ? " " : k + 1 == IRQ_ARR_N ? " or " : ", ";
        int w = snprintf(buf + used, len - used, "%s%s", sep, irq__arrival_kinds[k].examples);
        used += w > 0 ? (size_t)w : 0;
    }
}

int irq__arrivals_parse(irq_source_cfg *s, const irq_ynode *node, bool start_given,
                        const irq_ldctx *c)
{
    irq_call call;
    char expect[300];
    irq_arrival_parse a = {.c = c, .s = s, .node = node, .call = &call, .start_given = start_given};
    int r = irq__call_parse(&call, node->text, a.why, sizeof a.why);
    expected_kinds(expect, sizeof expect);
    if (r == 0)
        snprintf(a.why, sizeof a.why, "%s", expect);
    if (r <= 0)
        return arr_fail(&a);
    for (size_t k = 0; k < IRQ_ARR_N; k++)
        if (!strcmp(call.name, irq__arrival_kinds[k].name))
            return irq__arrival_kinds[k].parse(&a);
    snprintf(a.why, sizeof a.why, "unknown kind '%s'; %s", call.name, expect);
    return arr_fail(&a);
}
