/* The scenario's interrupt sources: name, target, vcpu, from, class,
 * injection, start and stop, and the arrivals. */
#ifndef _POSIX_C_SOURCE
#define _POSIX_C_SOURCE 200809L
#endif
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "scenario_load_internal.h"

static const irq_param_desc f_vcpu = {
    .name = "vcpu", .type = IRQ_PARAM_INT, .min = 0, .max = IRQ_MAX_VCPUS_PER_GUEST - 1};
static const irq_param_desc f_target = {.name = "target", .type = IRQ_PARAM_STRING};
static const irq_param_desc f_arrivals = {.name = "arrivals", .type = IRQ_PARAM_STRING};
static const irq_param_desc f_class = {
    .name = "class", .type = IRQ_PARAM_INT, .def = "0", .min = 0, .max = 65535};
static const char *const injection_choices[] = {"passthrough", "software", NULL};
static const irq_param_desc f_injection = {.name = "injection",
                                           .type = IRQ_PARAM_ENUM,
                                           .def = "passthrough",
                                           .choices = injection_choices};
static const irq_param_desc f_start = {.name = "start", .type = IRQ_PARAM_DURATION, .def = "0"};
static const irq_param_desc f_stop = {.name = "stop", .type = IRQ_PARAM_DURATION, .def = "0"};
const char *const irq__source_keys[] = {"name",      "target",   "vcpu",  "from", "class",
                                        "injection", "arrivals", "start", "stop", NULL};
static const irq_param_desc f_from = {.name = "from", .type = IRQ_PARAM_STRING};

static void tmpl_names(const irq_scenario *sc, char *buf, size_t len)
{
    size_t used = 0;
    buf[0] = '\0';
    for (size_t i = 0; i < sc->ntmpls; i++) {
        int w = snprintf(buf + used, len - used, "%s%s", i ? ", " : "", sc->tmpls[i].name);
        if (w < 0 || (size_t)w >= len - used) {
            memcpy(buf + len - 4, "...", 4);
            return;
        }
        used += (size_t)w;
    }
}

static int bad_target(const loader *L, const irq_source_cfg *s, const char *text, const irq_mark *m,
                      int64_t k, int64_t inst)
{
    const irq_guest_tmpl *t = k >= 0 ? &L->sc->tmpls[k] : NULL;
    char names[300];
    if (t && t->count == 1)
        return irq_error_set(L->c.err, IRQ_EINPUT, m,
                             "bad target '%s' for source '%s' (guest template '%s' has one "
                             "instance, named '%s')",
                             text, s->name, t->name, t->name);
    if (t)
        return irq_error_set(L->c.err, IRQ_EINPUT, m,
                             "bad target '%s' for source '%s' (guest template '%s' has %u "
                             "instances: %s-0 .. %s-%u; got %lld)",
                             text, s->name, t->name, t->count, t->name, t->name, t->count - 1,
                             (long long)inst);
    tmpl_names(L->sc, names, sizeof names);
    return irq_error_set(L->c.err, IRQ_EINPUT, m,
                         "unknown target '%s' for source '%s' (expected a guest template name or "
                         "an instance name such as %s-0; guest templates: %s)",
                         text, s->name, L->sc->tmpls[0].name, names);
}

static int load_target(loader *L, irq_source_cfg *s, const irq_ynode *map, const char *what)
{
    char *text = NULL;
    irq_mark m;
    int rc = irq__field_str(L, map, &f_target, what, &text, &m);
    if (rc != IRQ_OK) {
        free(text);
        return rc;
    }
    int64_t inst = -1, k = irq__find_tmpl(L, text, strlen(text));
    if (k >= 0) {
        s->tmpl = (uint32_t)k;
        s->instance = -1;
    } else if ((k = irq__split_instance(L, text, &inst)) >= 0 && L->sc->tmpls[k].count > 1 &&
               inst < L->sc->tmpls[k].count) {
        s->tmpl = (uint32_t)k;
        s->instance = inst;
    } else {
        rc = bad_target(L, s, text, &m, k, inst);
    }
    free(text);
    return rc;
}

static int load_source_vcpu(loader *L, irq_source_cfg *s, const irq_ynode *map, const char *what)
{
    const irq_guest_tmpl *t = &L->sc->tmpls[s->tmpl];
    irq_mark m;
    s->vcpu = -1;
    if (!irq_ymap_get(map, "vcpu"))
        return IRQ_OK;
    int rc = irq__field_int(L, map, &f_vcpu, what, &s->vcpu, &m);
    if (rc == IRQ_OK && s->vcpu >= t->vcpus)
        rc = irq_error_set(L->c.err, IRQ_EINPUT, &m,
                           "'vcpu' must be less than the vcpus of guest template '%s' (%u) (got "
                           "%lld)",
                           t->name, t->vcpus, (long long)s->vcpu);
    return rc;
}

/* `from: N` (vCPU N of the targeted guest sends) or `from: all` (each of its
 * vCPUs sends, at the given rate each): arrivals in the sender's guest time. */
static int load_source_from(loader *L, irq_source_cfg *s, const irq_ynode *map, const char *what)
{
    const irq_guest_tmpl *t = &L->sc->tmpls[s->tmpl];
    char *text = NULL, *end = NULL;
    irq_mark m;
    s->from = IRQ_FROM_OUTSIDE;
    if (!irq_ymap_get(map, "from"))
        return IRQ_OK;
    int rc = irq__field_str(L, map, &f_from, what, &text, &m);
    if (rc == IRQ_OK && !strcmp(text, "all")) {
        s->from = IRQ_FROM_ALL;
    } else if (rc == IRQ_OK) {
        long long n = strtoll(text, &end, 10);
        if (end == text || *end || n < 0 || n >= t->vcpus)
            rc = irq_error_set(L->c.err, IRQ_EINPUT, &m,
                               "bad 'from' in %s: '%s' (expected a vCPU index of guest template "
                               "'%s', 0..%u, or 'all')",
                               what, text, t->name, t->vcpus - 1);
        else
            s->from = n;
    }
    free(text);
    return rc;
}

/* ---- arrivals ---------------------------------------------------------------- */

#define ARRIVALS_EXPECT                                                                            \
    "expected poisson(2000/s), periodic(1ms), periodic(1ms, jitter=10us), "                        \
    "storm(count=500, window=100us, period=10ms) or replay(file.csv)"

typedef struct arrctx {
    loader *L;
    irq_source_cfg *s;
    const irq_ynode *node;
    const irq_call *call;
    bool start_given; /* the source's own start key */
    char why[400];
} arrctx;

static int arr_fail(arrctx *a)
{
    return irq_error_set(a->L->c.err, IRQ_EINPUT, &a->node->mark,
                         "bad arrivals '%s' for source '%s' (%s)", a->node->text, a->s->name,
                         a->why);
}

/* Duration argument k of the call into *out; absent: *out unchanged
 * (error when required). */
static int arr_dur(arrctx *a, const char *const *keys, size_t k, bool required, double *out)
{
    const char *v = irq_call_get(a->call, keys, k);
    char sub[200];
    if (!v && required) {
        snprintf(a->why, sizeof a->why, "%s() needs %s=", a->call->name, keys[k]);
        return -1;
    }
    if (v && irq_parse_duration(v, a->L->c.clock_hz, out, sub, sizeof sub)) {
        snprintf(a->why, sizeof a->why, "bad %s '%s': %s", keys[k], v, sub);
        return -1;
    }
    return 0;
}

/* Arrivals are at least one clock cycle apart on average: the documented
 * floor (more would pile up on one cycle and simulated time would not move). */
static int below_one_cycle(arrctx *a, double mean_cycles)
{
    snprintf(a->why, sizeof a->why,
             "the mean interval is %.3g cycles; arrivals must be at least one clock cycle apart on "
             "average (at most %.6g per second at this clock_hz)",
             mean_cycles, a->L->c.clock_hz);
    return -1;
}

static int arr_poisson(arrctx *a)
{
    static const char *const keys[] = {"rate"};
    const char *v;
    if (irq_call_check(a->call, keys, 1, a->why, sizeof a->why))
        return -1;
    if (!(v = irq_call_get(a->call, keys, 0))) {
        snprintf(a->why, sizeof a->why, "poisson() needs a rate such as 2000/s");
        return -1;
    }
    char sub[200];
    if (irq_parse_rate(v, a->L->c.clock_hz, &a->s->rate, sub, sizeof sub)) {
        snprintf(a->why, sizeof a->why, "bad rate '%s': %s", v, sub);
        return -1;
    }
    if (a->s->rate <= 0) {
        snprintf(a->why, sizeof a->why, "the rate must be greater than 0");
        return -1;
    }
    if (a->s->rate > 1) /* every arrival would fall on the same cycle: time stands still */
        return below_one_cycle(a, 1 / a->s->rate);
    a->s->kind = IRQ_ARR_POISSON;
    return 0;
}

static int arr_periodic(arrctx *a)
{
    static const char *const keys[] = {"interval", "jitter"};
    irq_source_cfg *s = a->s;
    if (irq_call_check(a->call, keys, 2, a->why, sizeof a->why) ||
        arr_dur(a, keys, 0, true, &s->interval) || arr_dur(a, keys, 1, false, &s->jitter))
        return -1;
    s->kind = IRQ_ARR_PERIODIC;
    if (s->interval <= 0)
        snprintf(a->why, sizeof a->why, "the interval must be greater than 0");
    else if (s->interval < 1)
        return below_one_cycle(a, s->interval);
    else if (s->jitter > s->interval / 2)
        snprintf(a->why, sizeof a->why, "the jitter must be at most half the interval");
    else
        return 0;
    return -1;
}

static int arr_storm_count(arrctx *a, const char *const *keys)
{
    const char *v = irq_call_get(a->call, keys, 0);
    char sub[200];
    if (!v) {
        snprintf(a->why, sizeof a->why, "storm() needs count=");
        return -1;
    }
    if (irq_parse_u64(v, &a->s->count, sub, sizeof sub)) {
        snprintf(a->why, sizeof a->why, "bad count '%s': %s", v, sub);
        return -1;
    }
    if (a->s->count < 1 || a->s->count > 1000000000) {
        snprintf(a->why, sizeof a->why, "count must be from 1 to 1000000000 (got %s)", v);
        return -1;
    }
    return 0;
}

static int arr_storm(arrctx *a)
{
    static const char *const keys[] = {"count", "window", "period", "start", "spacing"};
    irq_source_cfg *s = a->s;
    double start = -1;
    if (irq_call_check(a->call, keys, 5, a->why, sizeof a->why) || arr_storm_count(a, keys) ||
        arr_dur(a, keys, 1, true, &s->window) || arr_dur(a, keys, 2, false, &s->period) ||
        arr_dur(a, keys, 3, false, &start))
        return -1;
    const char *sp = irq_call_get(a->call, keys, 4);
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
        return 0;
    }
    return -1;
}

/* One replay line: a bare number is nanoseconds, else a duration. */
static int replay_time(arrctx *a, const char *field, double *cycles)
{
    double v;
    size_t n = irq_scan_number(field, &v);
    if (n && field[n] == '\0') {
        *cycles = v * a->L->c.clock_hz / 1e9;
        if (*cycles <= 9.2e18)
            return 0;
        snprintf(a->why, sizeof a->why, "too large");
        return -1;
    }
    return irq_parse_duration(field, a->L->c.clock_hz, cycles, a->why, sizeof a->why);
}

static int replay_error(arrctx *a, const char *path, size_t line, const char *fmt,
                        const char *field)
{
    char msg[sizeof a->why + 200]; /* the reason and the quoted field */
    irq_mark m = {path, (unsigned)line, 1};
    const irq_mark *at = &a->node->mark;
    snprintf(msg, sizeof msg, fmt, field, a->why);
    return irq_error_set(a->L->c.err, IRQ_EINPUT, &m, "%s (replay of source '%s' at %s:%u:%u)", msg,
                         a->s->name, at->file, at->line, at->column);
}

static int replay_push(arrctx *a, double cycles, size_t *cap)
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

static int replay_lines(arrctx *a, const char *path, const char *data, size_t len)
{
    const char *p = data, *line;
    size_t n, lineno = 0, cap = 0, prev_line = 0;
    while ((line = irq_next_line(&p, data + len, &n, &lineno))) {
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
            return irq_error_set(a->L->c.err, rc, &a->node->mark, "out of memory");
        if (rc != IRQ_OK)
            return replay_error(a, path, lineno, "too many timestamps at '%s' (%s)", field);
        prev_line = lineno;
    }
    if (a->s->ntimes)
        return IRQ_OK;
    snprintf(a->why, sizeof a->why, "expected one timestamp per line");
    return replay_error(a, path, 0, "no timestamps in the file%s (%s)", "");
}

static int arr_replay(arrctx *a)
{
    char *path = NULL, *data = NULL;
    size_t len;
    if (!*a->call->inner) {
        snprintf(a->why, sizeof a->why, "replay() needs a file name");
        return arr_fail(a);
    }
    a->s->kind = IRQ_ARR_REPLAY;
    path = irq_path_join(a->L->c.base_dir, a->call->inner);
    if (!path)
        return irq_error_set(a->L->c.err, IRQ_ENOMEM, &a->node->mark, "out of memory");
    char sub[200];
    int rc;
    if (irq_read_file(path, IRQ_MAX_FILE_BYTES, &data, &len, sub, sizeof sub)) {
        snprintf(a->why, sizeof a->why, "cannot read %s: %s", path, sub);
        rc = arr_fail(a);
    } else {
        rc = replay_lines(a, path, data, len);
    }
    if (rc == IRQ_OK && a->L->c.data_hash)
        *a->L->c.data_hash =
            irq_hash_bytes(*a->L->c.data_hash, a->s->times, a->s->ntimes * sizeof *a->s->times);
    free(data);
    free(path);
    return rc;
}

static int load_arrivals(loader *L, irq_source_cfg *s, const irq_ynode *map, const char *what)
{
    char *text = NULL;
    irq_call call;
    int rc = irq__field_str(L, map, &f_arrivals, what, &text, NULL);
    free(text);
    if (rc != IRQ_OK)
        return rc;
    arrctx a = {.L = L, .s = s, .node = irq_ymap_get(map, "arrivals"), .call = &call};
    a.start_given = irq_ymap_get(map, "start") != NULL;
    int r = irq_call_parse(&call, a.node->text, a.why, sizeof a.why);
    if (r == 0)
        snprintf(a.why, sizeof a.why, ARRIVALS_EXPECT);
    if (r <= 0)
        return arr_fail(&a);
    if (!strcmp(call.name, "replay"))
        return arr_replay(&a);
    if (!strcmp(call.name, "poisson"))
        r = arr_poisson(&a);
    else if (!strcmp(call.name, "periodic"))
        r = arr_periodic(&a);
    else if (!strcmp(call.name, "storm"))
        r = arr_storm(&a);
    else {
        snprintf(a.why, sizeof a.why, "unknown kind '%s'; " ARRIVALS_EXPECT, call.name);
        r = -1;
    }
    return r ? arr_fail(&a) : IRQ_OK;
}

/* ---- sources, continued -------------------------------------------------------- */

static int load_source_times(loader *L, irq_source_cfg *s, const irq_ynode *map, const char *what)
{
    irq_mark m;
    int rc = irq__field_dur(L, map, &f_start, what, &s->start, NULL);
    if (rc == IRQ_OK)
        rc = irq__field_dur(L, map, &f_stop, what, &s->stop, &m);
    if (rc == IRQ_OK)
        rc = load_arrivals(L, s, map, what);
    if (rc == IRQ_OK && s->stop && s->stop <= s->start)
        rc =
            irq_error_set(L->c.err, IRQ_EINPUT, &m,
                          "'stop' must be after 'start' in %s (or 0 for the end of the run)", what);
    return rc;
}

static int load_source(loader *L, irq_source_cfg *s, const irq_ynode *map, size_t i,
                       uint64_t *instances)
{
    char what[96];
    int64_t x = 0;
    snprintf(what, sizeof what, "sources[%zu]", i);
    int rc = irq_expect_map(map, what, &L->c);
    if (rc == IRQ_OK && irq_ynode_is_null(map))
        rc = irq_error_set(L->c.err, IRQ_EINPUT, &map->mark, "empty entry in 'sources'");
    if (rc == IRQ_OK)
        rc = irq__entity_name(L, map, "source", &s->name, &s->mark);
    if (rc != IRQ_OK)
        return rc;
    s->mark = map->mark;
    snprintf(what, sizeof what, "source '%s'", s->name);
    rc = irq_params_check_keys(map, NULL, 0, irq__source_keys, what, L->c.err);
    if (rc == IRQ_OK)
        rc = load_target(L, s, map, what);
    if (rc == IRQ_OK)
        rc = load_source_vcpu(L, s, map, what);
    if (rc == IRQ_OK)
        rc = load_source_from(L, s, map, what);
    if (rc == IRQ_OK)
        rc = irq__field_int(L, map, &f_class, what, &x, NULL);
    s->cls = (uint32_t)x;
    if (rc == IRQ_OK)
        rc = irq__field_int(L, map, &f_injection, what, &x, NULL);
    s->injection = x ? IRQ_INJ_SOFTWARE : IRQ_INJ_PASSTHROUGH;
    if (rc == IRQ_OK)
        rc = load_source_times(L, s, map, what);
    *instances += (s->instance < 0 ? L->sc->tmpls[s->tmpl].count : 1) *
                  (s->from == IRQ_FROM_ALL ? (uint64_t)L->sc->tmpls[s->tmpl].vcpus : 1);
    if (rc == IRQ_OK && *instances > IRQ_MAX_SOURCE_INSTANCES)
        rc = irq_error_set(L->c.err, IRQ_EINPUT, &s->mark,
                           "too many source instances: source '%s' brings the total to %llu (at "
                           "most %u; a source targeting a template counts once per instance)",
                           s->name, (unsigned long long)*instances, IRQ_MAX_SOURCE_INSTANCES);
    return rc;
}

static int check_sources_unique(loader *L)
{
    irq_scenario *sc = L->sc;
    named *r = malloc(sc->nsources * sizeof *r);
    if (!r)
        return irq_error_set(L->c.err, IRQ_ENOMEM, NULL, "out of memory");
    for (size_t i = 0; i < sc->nsources; i++)
        r[i] = (named){sc->sources[i].name, &sc->sources[i].mark, i};
    int rc = irq__check_unique(L, r, sc->nsources, "source");
    free(r);
    return rc;
}

int irq__load_sources(loader *L)
{
    const irq_ynode *seq = irq_ymap_get(L->root, "sources");
    irq_scenario *sc = L->sc;
    uint64_t instances = 0;
    int rc = irq__need_seq(L, seq, "sources", "interrupt sources");
    if (rc != IRQ_OK || !irq__seq_len(seq))
        return rc;
    if (seq->n > IRQ_MAX_SOURCES)
        return irq_error_set(L->c.err, IRQ_EINPUT, &seq->mark, "too many sources: %zu (at most %u)",
                             seq->n, IRQ_MAX_SOURCES);
    sc->sources = calloc(seq->n, sizeof *sc->sources);
    if (!sc->sources)
        return irq_error_set(L->c.err, IRQ_ENOMEM, &seq->mark, "out of memory");
    sc->nsources = seq->n;
    for (size_t i = 0; rc == IRQ_OK && i < seq->n; i++)
        rc = load_source(L, &sc->sources[i], seq->items[i], i, &instances);
    return rc == IRQ_OK ? check_sources_unique(L) : rc;
}
