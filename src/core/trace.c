/* Timeline traces in the Chrome trace-event format (Perfetto UI,
 * chrome://tracing), built on the core's irq_tracer hooks.
 *
 * Tracks: one process per guest with a thread per vCPU (its states as
 * complete "X" events, instant events on it) plus a "floating" thread for
 * guest-wide instants and a "pending interrupts" counter; one "host"
 * process with a thread per host CPU (host work spans, named by what the
 * work is). Flow events ("s" at an arrival, "f" at its delivery) draw an
 * arrow from each arrival to its delivery. Events are streamed as spans
 * end, so memory does not grow with the run; the window and the guest
 * selection keep files small. Thread ids are unique across processes
 * because trace viewers key threads by tid. */
#include <errno.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "report_internal.h"
#include "arrival_internal.h"
#include "dist_internal.h"
#include "error_internal.h"
#include "sim_priv_internal.h"

#define NO_SPAN UINT64_MAX
#define PID_HOST 1
#define PID_GUEST0 2
#define TID_CPU0 1
#define TID_VCPU0 100000
#define TID_FLOATING0 2000000

struct irq_trace {
    struct irq_sim *sim;
    FILE *f; /* NULL: no file, only the instant relay */
    uint64_t from, to;
    double units_per_cycle; /* timestamps are written in 0.1 ns units */
    irq_instant_fn instant;
    void *instant_ud;
    uint64_t *vcpu_since;   /* per vCPU id: start of its current state */
    uint64_t *work_since;   /* per host CPU: start of running host work, or NO_SPAN */
    const char **work_what; /* per host CPU: what its running host work is */
    uint8_t *named_vcpu, *named_guest, *named_cpu;
    uint8_t *keep_guest; /* per guest: in the trace (--trace-guests) */
    bool named_host;
    uint64_t nevents;
    uint64_t max_bytes; /* the file's budget */
    char path[256];
    /* written under tmp_path, renamed to final_path when complete, so an
     * interrupted or failed run never leaves a cut trace under its name */
    char *final_path, *tmp_path;
    double estimate; /* bytes the trace is expected to take */
};

/* "12.3456" microseconds from a time in 0.1 ns units: ends and starts of
 * adjacent spans are computed from the same rounded values, so they meet
 * exactly and never overlap in the file. */
static long long units_of(const irq_trace *t, uint64_t cycles)
{
    return llround((double)cycles * t->units_per_cycle);
}

static void put_us(FILE *f, long long units)
{
    fprintf(f, "%lld.%04lld", units / 10000, units % 10000);
}

/* The file's size is looked at every 4096 events: a run whose trace
 * reaches its budget fails with a message instead of filling the disk. */
static void check_size(irq_trace *t)
{
    off_t at = ftello(t->f);
    if (at >= 0 && (uint64_t)at > t->max_bytes)
        irq_sim_fail(t->sim,
                     "the trace file %s reached its limit of %.4g MiB (--trace-max raises it; "
                     "--trace-window FROM,TO traces a part of the run)",
                     t->path, (double)t->max_bytes / (1 << 20));
}

static void begin_event(irq_trace *t)
{
    if ((t->nevents & 4095) == 4095)
        check_size(t);
    fputs(t->nevents++ ? ",\n" : "\n", t->f);
}

static void meta(irq_trace *t, const char *what, int pid, long tid, const char *key,
                 const char *name, long sort)
{
    begin_event(t);
    fprintf(t->f, "{\"name\": \"%s\", \"ph\": \"M\", \"pid\": %d", what, pid);
    if (tid >= 0)
        fprintf(t->f, ", \"tid\": %ld", tid);
    fprintf(t->f, ", \"args\": {\"%s\": ", key);
    if (name)
        irq__json_str(t->f, name);
    else
        fprintf(t->f, "%ld", sort);
    fputs("}}", t->f);
}

/* Names a track the first time an event lands on it, so a window over a
 * big machine does not list thousands of empty tracks. */
#define NAMED_PROCESS 1
#define NAMED_FLOATING 2

static void name_guest(irq_trace *t, const irq_guest *g)
{
    if (t->named_guest[g->index] & NAMED_PROCESS)
        return;
    t->named_guest[g->index] |= NAMED_PROCESS;
    char buf[96];
    snprintf(buf, sizeof buf, "guest %s", g->name);
    meta(t, "process_name", PID_GUEST0 + (int)g->index, -1, "name", buf, 0);
    meta(t, "process_sort_index", PID_GUEST0 + (int)g->index, -1, "sort_index", NULL,
         (long)g->index + 1);
}

/* The guest's "guest-wide events" thread, named when an event lands on it. */
static void name_floating(irq_trace *t, const irq_guest *g)
{
    name_guest(t, g);
    if (t->named_guest[g->index] & NAMED_FLOATING)
        return;
    t->named_guest[g->index] |= NAMED_FLOATING;
    meta(t, "thread_name", PID_GUEST0 + (int)g->index, TID_FLOATING0 + (long)g->index, "name",
         "guest-wide events", 0);
    meta(t, "thread_sort_index", PID_GUEST0 + (int)g->index, TID_FLOATING0 + (long)g->index,
         "sort_index", NULL, -1);
}

static void name_vcpu(irq_trace *t, const irq_vcpu *v)
{
    name_guest(t, v->guest);
    if (t->named_vcpu[v->id])
        return;
    t->named_vcpu[v->id] = 1;
    char buf[64];
    snprintf(buf, sizeof buf, "vCPU %u (host CPU %u)", v->index, v->pcpu);
    meta(t, "thread_name", PID_GUEST0 + (int)v->guest->index, TID_VCPU0 + (long)v->id, "name", buf,
         0);
    meta(t, "thread_sort_index", PID_GUEST0 + (int)v->guest->index, TID_VCPU0 + (long)v->id,
         "sort_index", NULL, (long)v->index);
}

static void name_host(irq_trace *t)
{
    if (t->named_host)
        return;
    t->named_host = true;
    meta(t, "process_name", PID_HOST, -1, "name", "host", 0);
    meta(t, "process_sort_index", PID_HOST, -1, "sort_index", NULL, 0);
}

static void name_cpu(irq_trace *t, uint32_t cpu)
{
    name_host(t);
    if (t->named_cpu[cpu])
        return;
    t->named_cpu[cpu] = 1;
    char buf[32];
    snprintf(buf, sizeof buf, "CPU %u", cpu);
    meta(t, "thread_name", PID_HOST, TID_CPU0 + (long)cpu, "name", buf, 0);
    meta(t, "thread_sort_index", PID_HOST, TID_CPU0 + (long)cpu, "sort_index", NULL, (long)cpu);
}

/* Writes the part of [start, end) inside the window as a complete event. */
static void span(irq_trace *t, const char *name, const char *cname, int pid, long tid,
                 uint64_t start, uint64_t end)
{
    if (start < t->from)
        start = t->from;
    if (end > t->to)
        end = t->to;
    long long s = units_of(t, start), e = end > start ? units_of(t, end) : s;
    if (e <= s)
        return;
    begin_event(t);
    fputs("{\"name\": ", t->f);
    irq__json_str(t->f, name);
    fprintf(t->f, ", \"cat\": \"state\", \"ph\": \"X\", \"pid\": %d, ", pid);
    fprintf(t->f, "\"tid\": %ld, \"ts\": ", tid);
    put_us(t->f, s);
    fputs(", \"dur\": ", t->f);
    put_us(t->f, e - s);
    fprintf(t->f, ", \"cname\": \"%s\"}", cname);
}

/* Trace viewers' reserved colour names, chosen so the states read as in a
 * scheduler trace: running green, runnable (preempted) orange... */
static const char *const state_cname[IRQ_VCPU_NSTATES] = {
    "thread_state_running", "thread_state_iowait", "thread_state_sleeping", "thread_state_runnable",
    "thread_state_unknown"};

static void vcpu_span(irq_trace *t, const irq_vcpu *v, int state, uint64_t end)
{
    uint64_t start = t->vcpu_since[v->id];
    if (end <= t->from || start >= t->to || end <= start)
        return;
    name_vcpu(t, v);
    span(t, irq_vcpu_state_names[state], state_cname[state], PID_GUEST0 + (int)v->guest->index,
         TID_VCPU0 + (long)v->id, start, end);
    /* RUNNING and EXITING mean the vCPU owns its host CPU and no host work
     * pauses it: at most one vCPU per CPU, so the CPU's track shows who
     * runs there, between its host work spans. */
    if (state != IRQ_VCPU_RUNNING && state != IRQ_VCPU_EXITING)
        return;
    char name[120];
    snprintf(name, sizeof name, "%s vCPU %u%s", v->guest->name, v->index,
             state == IRQ_VCPU_EXITING ? " exit" : "");
    name_cpu(t, v->pcpu);
    span(t, name, state_cname[state], PID_HOST, TID_CPU0 + (long)v->pcpu, start, end);
}

static void on_state(void *ud, const irq_vcpu *v, int old_state, int new_state, uint64_t now)
{
    (void)new_state;
    irq_trace *t = ud;
    if (t->keep_guest[v->guest->index])
        vcpu_span(t, v, old_state, now);
    t->vcpu_since[v->id] = now;
}

/* A host CPU's host work, one slice per item, named by what it does. */
static void on_host_work(void *ud, uint32_t cpu, int begin, const char *what, uint64_t now)
{
    irq_trace *t = ud;
    uint64_t since = t->work_since[cpu];
    if (since != NO_SPAN && now > t->from && since < t->to && now > since) {
        name_cpu(t, cpu);
        span(t, t->work_what[cpu] ? t->work_what[cpu] : "host work", "bad", PID_HOST,
             TID_CPU0 + (long)cpu, since, now);
    }
    t->work_since[cpu] = begin ? now : NO_SPAN;
    t->work_what[cpu] = begin ? what : NULL;
}

/* The track an instant event belongs on: its vCPU, else its guest, else
 * the host CPU it names, else none (a global instant). */
static void track_of(irq_trace *t, const irq_guest *g, const irq_vcpu *v, int cpu, int *pid,
                     long *tid)
{
    *pid = 0;
    *tid = 0;
    if (v) {
        name_vcpu(t, v);
        *pid = PID_GUEST0 + (int)v->guest->index;
        *tid = TID_VCPU0 + (long)v->id;
    } else if (g) {
        name_floating(t, g);
        *pid = PID_GUEST0 + (int)g->index;
        *tid = TID_FLOATING0 + (long)g->index;
    } else if (cpu >= 0 && (uint32_t)cpu < t->sim->priv->npcpus) {
        name_cpu(t, (uint32_t)cpu);
        *pid = PID_HOST;
        *tid = TID_CPU0 + cpu;
    }
}

/* The flow id of an interrupt: its guest, class and arrival time (two
 * arrivals of one class at one guest in the same cycle share it). Below
 * 2^53, so that JSON readers keep it exact. */
static uint64_t flow_id(const irq_guest *g, int32_t cls, uint64_t arrival)
{
    uint64_t z = arrival ^ ((uint64_t)g->index << 40) ^ ((uint64_t)(uint32_t)cls << 20);
    z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ull;
    z = (z ^ (z >> 27)) * 0x94d049bb133111ebull;
    return ((z ^ (z >> 31)) >> 11) | 1;
}

/* A flow event: "s" at an arrival, "f" at its delivery (bound to the
 * slice around it), so the Perfetto UI draws an arrow between them. */
static void write_flow(irq_trace *t, const char *ph, uint64_t id, int pid, long tid, uint64_t now)
{
    begin_event(t);
    fprintf(t->f,
            "{\"name\": \"interrupt\", \"cat\": \"flow\", \"ph\": \"%s\"%s, \"id\": %llu, "
            "\"pid\": %d, \"tid\": %ld, \"ts\": ",
            ph, ph[0] == 'f' ? ", \"bp\": \"e\"" : "", (unsigned long long)id, pid, tid);
    put_us(t->f, units_of(t, now));
    fputc('}', t->f);
}

/* A model's counter (gib: the alert list's length): on its guest's
 * process, or on the host's when it has none. */
static void on_counter(void *ud, const char *name, const irq_guest *g, uint64_t value, uint64_t now)
{
    irq_trace *t = ud;
    if (!t->f || now < t->from || now > t->to || (g && !t->keep_guest[g->index]))
        return;
    int pid = PID_HOST;
    if (g) {
        name_guest(t, g);
        pid = PID_GUEST0 + (int)g->index;
    } else {
        name_host(t);
    }
    begin_event(t);
    fputs("{\"name\": ", t->f);
    irq__json_str(t->f, name);
    fprintf(t->f, ", \"ph\": \"C\", \"pid\": %d, \"ts\": ", pid);
    put_us(t->f, units_of(t, now));
    fprintf(t->f, ", \"args\": {\"value\": %llu}}", (unsigned long long)value);
}

/* The guest's pending interrupts as a counter track, after each change. */
static void write_pending(irq_trace *t, const irq_guest *g, uint64_t now)
{
    begin_event(t);
    fprintf(t->f, "{\"name\": \"pending interrupts\", \"ph\": \"C\", \"pid\": %d, \"ts\": ",
            PID_GUEST0 + (int)g->index);
    put_us(t->f, units_of(t, now));
    fprintf(t->f, ", \"args\": {\"pending\": %llu}}", (unsigned long long)g->pending);
}

static void write_info(irq_trace *t, const irq_trace_info *in, bool *comma)
{
    static const char *const injection[] = {"passthrough", "software"};
    const irq_scenario *sc = t->sim->sc;
    FILE *f = t->f;
#define SEP (*comma ? ", " : ((*comma = true), ""))
    if (in->cls >= 0)
        fprintf(f, "%s\"class\": %d", SEP, (int)in->cls);
    if (in->source >= 0 && (size_t)in->source < sc->nsources) {
        fprintf(f, "%s\"source\": ", SEP);
        irq__json_str(f, sc->sources[in->source].name);
    }
    if (in->injection >= 0 && in->injection < 2)
        fprintf(f, "%s\"injection\": \"%s\"", SEP, injection[in->injection]);
    if (in->latency >= 0) {
        fprintf(f, "%s\"latency_ns\": ", SEP);
        put_us(f, units_of(t, (uint64_t)in->latency) * 1000); /* ns with 4 decimals */
    }
    if (in->path)
        fprintf(f, "%s\"path\": \"%s\"", SEP, in->path);
    if (in->reason) {
        fprintf(f, "%s\"reason\": ", SEP);
        irq__json_str(f, in->reason);
    }
    if (in->wasted >= 0)
        fprintf(f, "%s\"wasted\": %s", SEP, in->wasted ? "true" : "false");
#undef SEP
}

static void write_instant(irq_trace *t, const char *what, const irq_guest *g, const irq_vcpu *v,
                          int cpu, const irq_trace_info *info, uint64_t now)
{
    int pid;
    long tid;
    track_of(t, g, v, cpu, &pid, &tid);
    bool coalesced = !strcmp(what, "coalesced"); /* delivered with another: its arrow only */
    if (info && g && (coalesced || !strcmp(what, "deliver")))
        write_flow(t, "f", flow_id(g, info->cls, info->arrival), pid, tid, now);
    if (coalesced)
        return;
    /* A flow starts from the slice around it: an arrival on the guest-wide
     * thread, which has no slices, is a slice of its own (0.1 ns). */
    bool slice = !v && g && !strcmp(what, "arrival");
    begin_event(t);
    fputs("{\"name\": ", t->f);
    irq__json_str(t->f, what);
    if (slice)
        fputs(", \"cat\": \"irq\", \"ph\": \"X\"", t->f);
    else
        fprintf(t->f, ", \"cat\": \"irq\", \"ph\": \"i\", \"s\": \"%s\"", pid ? "t" : "g");
    if (pid)
        fprintf(t->f, ", \"pid\": %d, \"tid\": %ld", pid, tid);
    fputs(", \"ts\": ", t->f);
    put_us(t->f, units_of(t, now));
    if (slice)
        fputs(", \"dur\": 0.0001", t->f);
    fputs(", \"args\": {", t->f);
    bool comma = false;
    if (g) {
        fputs("\"guest\": ", t->f);
        irq__json_str(t->f, g->name);
        comma = true;
    }
    if (v)
        fprintf(t->f, "%s\"vcpu\": %u", comma ? ", " : "", v->index), comma = true;
    if (cpu >= 0)
        fprintf(t->f, "%s\"cpu\": %d", comma ? ", " : "", cpu), comma = true;
    if (info)
        write_info(t, info, &comma);
    fputs("}}", t->f);
    if (info && g && !strcmp(what, "arrival"))
        write_flow(t, "s", flow_id(g, info->cls, now), pid, tid, now);
    if (g && (!strcmp(what, "arrival") || !strcmp(what, "deliver")))
        write_pending(t, g, now);
}

static void on_instant(void *ud, const char *what, const irq_guest *g, const irq_vcpu *v, int cpu,
                       const irq_trace_info *info, uint64_t now)
{
    irq_trace *t = ud;
    if (v && !g)
        g = v->guest;
    if (t->instant)
        t->instant(t->instant_ud, what, g ? g->name : NULL, v ? (int)v->index : -1, cpu, now);
    if (t->f && now >= t->from && now <= t->to && (!g || t->keep_guest[g->index]))
        write_instant(t, what, g, v, cpu, info, now);
}

/* ---- window ------------------------------------------------------------ */

static int parse_bound(const char *window, const char *text, size_t len, double clock_hz,
                       uint64_t *cycles, irq_error *err)
{
    char buf[128], why[256];
    while (len && (*text == ' ' || *text == '\t'))
        text++, len--;
    while (len && (text[len - 1] == ' ' || text[len - 1] == '\t'))
        len--;
    double c;
    if (len == 0 || len >= sizeof buf)
        return irq_error_set(err, IRQ_EINPUT, NULL,
                             "trace window '%s': expected FROM,TO (two durations, e.g. 0,2ms)",
                             window);
    memcpy(buf, text, len);
    buf[len] = 0;
    if (irq_parse_duration(buf, clock_hz, &c, why, sizeof why) != 0)
        return irq_error_set(err, IRQ_EINPUT, NULL, "trace window '%s': bad duration '%s' (%s)",
                             window, buf, why);
    *cycles = irq__dist_cycles(c); /* rounded as every time in cycles */
    return IRQ_OK;
}

static int parse_window(irq_trace *t, const char *w, double clock_hz, irq_error *err)
{
    t->from = 0;
    t->to = UINT64_MAX;
    if (!w)
        return IRQ_OK;
    const char *comma = strchr(w, ',');
    if (!comma || strchr(comma + 1, ','))
        return irq_error_set(err, IRQ_EINPUT, NULL,
                             "trace window '%s': expected FROM,TO (two durations, e.g. 0,2ms)", w);
    int rc = parse_bound(w, w, (size_t)(comma - w), clock_hz, &t->from, err);
    if (rc == IRQ_OK)
        rc = parse_bound(w, comma + 1, strlen(comma + 1), clock_hz, &t->to, err);
    if (rc == IRQ_OK && t->to <= t->from)
        rc = irq_error_set(err, IRQ_EINPUT, NULL,
                           "trace window '%s': the end must be after the start", w);
    return rc;
}

/* The window must overlap the run: a window after its end would give an
 * empty trace that looks like a broken one. */
static int check_window(irq_trace *t, const char *w, irq_error *err)
{
    uint64_t end = irq_scenario_duration(t->sim->sc);
    if (w && t->from >= end)
        return irq_error_set(err, IRQ_EINPUT, NULL,
                             "trace window '%s' starts at or after the end of the run (%.6g ms): "
                             "choose a window inside it",
                             w, (double)end / t->sim->sc->clock_hz * 1e3);
    return IRQ_OK;
}

/* --trace-guests NAME,...: guests by name (web-3) or by template (web). */
static int select_guests(irq_trace *t, const char *list, irq_error *err)
{
    const struct irq_sim_priv *p = t->sim->priv;
    if (!list)
        return IRQ_OK;
    memset(t->keep_guest, 0, p->nguests + 1);
    for (const char *q = list; *q;) {
        size_t n = strcspn(q, ",");
        while (n && q[n - 1] == ' ')
            n--;
        bool found = false;
        for (size_t i = 0; i < p->nguests; i++) {
            const irq_guest *g = &p->guests[i];
            const char *tmpl = t->sim->sc->tmpls[g->tmpl].name;
            if ((strlen(g->name) == n && !strncmp(g->name, q, n)) ||
                (strlen(tmpl) == n && !strncmp(tmpl, q, n)))
                t->keep_guest[i] = found = true;
        }
        if (!found)
            return irq_error_set(err, IRQ_EINPUT, NULL,
                                 "trace guests '%s': no guest or guest template named '%.*s'", list,
                                 (int)n, q);
        q += strcspn(q, ",");
        q += *q == ',';
        q += strspn(q, " ");
    }
    return IRQ_OK;
}

/* Expected arrivals of a source per guest instance in [from, to). */
static double source_arrivals(const irq_source_cfg *c, double from, double to)
{
    double lo = fmax(from, (double)c->start), hi = c->stop ? fmin(to, (double)c->stop) : to;
    if (hi <= lo)
        return 0;
    return irq__arrival_kinds[c->kind].expected(c, lo, hi);
}

/* What the trace will take, from the scenario's mean rates: per arrival
 * its instant, flow start, pending counter, the delivery's instant, flow
 * end and counter, and about as many vCPU state and host CPU slices
 * (TRACE_EVENTS_PER_IRQ; an arrival a burst coalesces with others: its
 * instant, flow start and end, counter); per busy/idle cycle of a vCPU its state slices
 * (TRACE_EVENTS_PER_CYCLE); TRACE_BYTES_PER_EVENT each. The constants were
 * measured on the shipped scenarios (docs/design-review.md): an estimate
 * to warn by, not a bound. */
#define TRACE_EVENTS_PER_IRQ 12.0
#define TRACE_EVENTS_PER_COALESCED 4.0
#define TRACE_EVENTS_PER_CYCLE 4.0
#define TRACE_BYTES_PER_EVENT 160.0

static double estimate_bytes(const irq_trace *t)
{
    const struct irq_sim_priv *p = t->sim->priv;
    const irq_scenario *sc = t->sim->sc;
    double end = (double)irq_scenario_duration(sc);
    double from = (double)t->from, to = fmin((double)t->to, end);
    double events = 0;
    for (size_t i = 0; i < p->nguests; i++) {
        const irq_guest *g = &p->guests[i];
        if (!t->keep_guest[i])
            continue;
        const irq_guest_tmpl *tm = &sc->tmpls[g->tmpl];
        for (size_t s = 0; s < sc->nsources; s++) {
            const irq_source_cfg *c = &sc->sources[s];
            size_t instance = i - p->tmpl_first[g->tmpl];
            if (c->tmpl != g->tmpl || (c->instance >= 0 && (size_t)c->instance != instance))
                continue;
            double n = source_arrivals(c, from, to);
            if (c->kind == IRQ_ARR_STORM && c->count > g->nvcpus) {
                /* a burst coalesces: about one delivery per vCPU, the rest
                 * only their arrival, flow and counter events */
                double bursts = n / (double)c->count, delivered = bursts * g->nvcpus;
                events +=
                    TRACE_EVENTS_PER_IRQ * delivered + TRACE_EVENTS_PER_COALESCED * (n - delivered);
            } else {
                events += TRACE_EVENTS_PER_IRQ * n;
            }
        }
        double cycle = irq_dist_mean(&tm->busy) + irq_dist_mean(&tm->idle);
        if (cycle > 0)
            events += TRACE_EVENTS_PER_CYCLE * (double)g->nvcpus * (to - from) / cycle;
    }
    return events * TRACE_BYTES_PER_EVENT;
}

double irq_trace_estimate(const irq_trace *t)
{
    return t ? t->estimate : 0;
}

/* ---- open / close ------------------------------------------------------- */

/* Opens PATH.tmp for writing; the trace becomes PATH when it is complete. */
static int open_tmp(irq_trace *t, const char *path)
{
    size_t n = strlen(path);
    t->final_path = malloc(n + 1);
    t->tmp_path = malloc(n + 5);
    if (!t->final_path || !t->tmp_path) {
        errno = ENOMEM;
        return -1;
    }
    memcpy(t->final_path, path, n + 1);
    snprintf(t->tmp_path, n + 5, "%s.tmp", path);
    t->f = fopen(t->tmp_path, "w");
    if (!t->f) {
        free(t->tmp_path);
        t->tmp_path = NULL;
        return -1;
    }
    return 0;
}

static void trace_free(irq_trace *t)
{
    if (!t)
        return;
    if (t->f)
        fclose(t->f);
    if (t->tmp_path)
        unlink(t->tmp_path); /* still there: the trace was not completed */
    free(t->final_path);
    free(t->tmp_path);
    free(t->vcpu_since);
    free(t->work_since);
    free(t->work_what);
    free(t->keep_guest);
    free(t->named_vcpu);
    free(t->named_guest);
    free(t->named_cpu);
    free(t);
}

static int alloc_tracks(irq_trace *t)
{
    const struct irq_sim_priv *p = t->sim->priv;
    t->vcpu_since = calloc(p->nvcpus + 1, sizeof *t->vcpu_since);
    t->work_since = malloc((p->npcpus + 1) * sizeof *t->work_since);
    t->named_vcpu = calloc(p->nvcpus + 1, 1);
    t->named_guest = calloc(p->nguests + 1, 1);
    t->named_cpu = calloc(p->npcpus + 1, 1);
    t->work_what = calloc(p->npcpus + 1, sizeof *t->work_what);
    t->keep_guest = malloc(p->nguests + 1);
    if (!t->vcpu_since || !t->work_since || !t->named_vcpu || !t->named_guest || !t->named_cpu ||
        !t->work_what || !t->keep_guest)
        return IRQ_ENOMEM;
    memset(t->keep_guest, 1, p->nguests + 1);
    for (uint32_t i = 0; i <= p->npcpus; i++)
        t->work_since[i] = NO_SPAN;
    return IRQ_OK;
}

static void write_header(irq_trace *t, const char *window)
{
    const irq_scenario *sc = t->sim->sc;
    fputs("{\"displayTimeUnit\": \"ns\", \"otherData\": {\"scenario\": ", t->f);
    irq__json_str(t->f, sc->name);
    fputs(", \"model\": ", t->f);
    irq__json_str(t->f, t->sim->ops->name);
    fprintf(t->f, ", \"seed\": \"%llu\", \"window\": ", (unsigned long long)sc->seed);
    irq__json_str(t->f, window ? window : "whole run");
    fputs("},\n\"traceEvents\": [", t->f);
}

int irq_trace_open(irq_trace **out, irq_sim *sim, const irq_trace_cfg *cfg, irq_error *err)
{
    *out = NULL;
    irq_trace *t = calloc(1, sizeof *t);
    if (!t)
        return irq_error_set(err, IRQ_ENOMEM, NULL, "out of memory");
    t->sim = sim;
    t->instant = cfg->instant;
    t->instant_ud = cfg->instant_ud;
    t->units_per_cycle = 1e10 / sim->sc->clock_hz;
    t->max_bytes = cfg->max_bytes ? cfg->max_bytes : IRQ_DEFAULT_TRACE_LIMIT;
    if (cfg->path)
        irq_escape(cfg->path, t->path, sizeof t->path);
    int rc = parse_window(t, cfg->window, sim->sc->clock_hz, err);
    if (rc == IRQ_OK)
        rc = check_window(t, cfg->window, err);
    if (rc == IRQ_OK && alloc_tracks(t) != IRQ_OK)
        rc = irq_error_set(err, IRQ_ENOMEM, NULL, "out of memory for the trace");
    if (rc == IRQ_OK)
        rc = select_guests(t, cfg->guests, err);
    if (rc == IRQ_OK && cfg->path)
        t->estimate = estimate_bytes(t);
    if (rc == IRQ_OK && cfg->path && open_tmp(t, cfg->path) != 0)
        rc = irq_error_set(err, IRQ_EIO, NULL, "cannot write the trace file %s: %s", t->path,
                           strerror(errno));
    if (rc != IRQ_OK) {
        trace_free(t);
        return rc;
    }
    if (t->f) {
        setvbuf(t->f, NULL, _IOFBF, 1 << 16);
        write_header(t, cfg->window);
    }
    /* Without a file only the instant relay is needed: keep the state
     * hooks off so tracing costs nothing on the hot path. */
    irq_tracer tr = {.vcpu_state = t->f ? on_state : NULL,
                     .instant = on_instant,
                     .host_work = t->f ? on_host_work : NULL,
                     .counter = t->f ? on_counter : NULL,
                     .ud = t};
    irq_sim_set_tracer(sim, &tr);
    *out = t;
    return IRQ_OK;
}

int irq_trace_close(irq_trace *t, irq_error *err)
{
    if (!t)
        return IRQ_OK;
    struct irq_sim *sim = t->sim;
    const struct irq_sim_priv *p = sim->priv;
    irq_sim_set_tracer(sim, &(irq_tracer){0});
    int rc = IRQ_OK;
    if (t->f) {
        /* a run that failed stopped at its last event, not at the end */
        uint64_t end = p->ran && !p->failed ? p->end : irq_now(sim);
        for (size_t i = 0; i < p->nvcpus; i++)
            if (t->keep_guest[p->vcpus[i].guest->index])
                vcpu_span(t, &p->vcpus[i], p->vcpus[i].state, end);
        for (uint32_t c = 0; c < p->npcpus; c++)
            on_host_work(t, c, 0, NULL, end);
        fputs("\n]}\n", t->f);
        errno = 0;
        int bad = ferror(t->f) || fflush(t->f) != 0;
        int e = errno;
        bad |= fclose(t->f) != 0;
        e = e ? e : errno;
        t->f = NULL;
        if (!bad && rename(t->tmp_path, t->final_path) != 0)
            bad = 1, e = errno;
        else if (!bad) {
            free(t->tmp_path);
            t->tmp_path = NULL;
        }
        if (bad)
            rc = irq_error_set(err, IRQ_EIO, NULL, "could not write the trace file %s: %s", t->path,
                               e ? strerror(e) : "write error");
    }
    trace_free(t);
    return rc;
}
