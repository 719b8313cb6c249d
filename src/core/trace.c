/* Timeline traces in the Chrome trace-event format (Perfetto UI,
 * chrome://tracing), built on the core's irq_tracer hooks.
 *
 * Tracks: one process per guest with a thread per vCPU (its states as
 * complete "X" events, instant events on it) plus a "floating" thread for
 * guest-wide instants; one "host" process with a thread per host CPU (host
 * work spans). Events are streamed as spans end, so memory does not grow
 * with the run; the window keeps files small. Thread ids are unique across
 * processes because trace viewers key threads by tid. */
#include <errno.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "report_internal.h"
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
    uint64_t *vcpu_since; /* per vCPU id: start of its current state */
    uint64_t *work_since; /* per host CPU: start of running host work, or NO_SPAN */
    uint8_t *named_vcpu, *named_guest, *named_cpu;
    bool named_host;
    uint64_t nevents;
    uint64_t max_bytes; /* the file's budget */
    char path[256];
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
        irq_json_str(t->f, name);
    else
        fprintf(t->f, "%ld", sort);
    fputs("}}", t->f);
}

/* Names a track the first time an event lands on it, so a window over a
 * big machine does not list thousands of empty tracks. */
static void name_guest(irq_trace *t, const irq_guest *g)
{
    if (t->named_guest[g->index])
        return;
    t->named_guest[g->index] = 1;
    char buf[96];
    snprintf(buf, sizeof buf, "guest %s", g->name);
    meta(t, "process_name", PID_GUEST0 + (int)g->index, -1, "name", buf, 0);
    meta(t, "process_sort_index", PID_GUEST0 + (int)g->index, -1, "sort_index", NULL,
         (long)g->index + 1);
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

static void name_cpu(irq_trace *t, uint32_t cpu)
{
    if (!t->named_host) {
        t->named_host = true;
        meta(t, "process_name", PID_HOST, -1, "name", "host", 0);
        meta(t, "process_sort_index", PID_HOST, -1, "sort_index", NULL, 0);
    }
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
    irq_json_str(t->f, name);
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
    vcpu_span(t, v, old_state, now);
    t->vcpu_since[v->id] = now;
}

static void on_host_work(void *ud, uint32_t cpu, int begin, uint64_t now)
{
    irq_trace *t = ud;
    uint64_t since = t->work_since[cpu];
    if (since != NO_SPAN && now > t->from && since < t->to && now > since) {
        name_cpu(t, cpu);
        span(t, "host work", "bad", PID_HOST, TID_CPU0 + (long)cpu, since, now);
    }
    t->work_since[cpu] = begin ? now : NO_SPAN;
}

/* The track an instant event belongs on: its vCPU, else its guest, else
 * the host CPU it names, else none (a global instant). */
static void write_instant(irq_trace *t, const char *what, const irq_guest *g, const irq_vcpu *v,
                          int cpu, uint64_t now)
{
    int pid = 0;
    long tid = 0;
    if (v) {
        name_vcpu(t, v);
        pid = PID_GUEST0 + (int)v->guest->index;
        tid = TID_VCPU0 + (long)v->id;
    } else if (g) {
        name_guest(t, g);
        pid = PID_GUEST0 + (int)g->index;
        tid = TID_FLOATING0 + (long)g->index;
    } else if (cpu >= 0 && (uint32_t)cpu < t->sim->priv->npcpus) {
        name_cpu(t, (uint32_t)cpu);
        pid = PID_HOST;
        tid = TID_CPU0 + cpu;
    }
    begin_event(t);
    fputs("{\"name\": ", t->f);
    irq_json_str(t->f, what);
    fprintf(t->f, ", \"cat\": \"irq\", \"ph\": \"i\", \"s\": \"%s\"", pid ? "t" : "g");
    if (pid)
        fprintf(t->f, ", \"pid\": %d, \"tid\": %ld", pid, tid);
    fputs(", \"ts\": ", t->f);
    put_us(t->f, units_of(t, now));
    fputs(", \"args\": {", t->f);
    if (g) {
        fputs("\"guest\": ", t->f);
        irq_json_str(t->f, g->name);
    }
    if (v)
        fprintf(t->f, ", \"vcpu\": %u", v->index);
    if (cpu >= 0)
        fprintf(t->f, "%s\"cpu\": %d", g ? ", " : "", cpu);
    fputs("}}", t->f);
}

static void on_instant(void *ud, const char *what, const irq_guest *g, const irq_vcpu *v, int cpu,
                       uint64_t now)
{
    irq_trace *t = ud;
    if (v && !g)
        g = v->guest;
    if (t->instant)
        t->instant(t->instant_ud, what, g ? g->name : NULL, v ? (int)v->index : -1, cpu, now);
    if (t->f && now >= t->from && now <= t->to)
        write_instant(t, what, g, v, cpu, now);
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
    *cycles = c >= 18446744073709549568.0 ? UINT64_MAX : (uint64_t)llround(c);
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

/* ---- open / close ------------------------------------------------------- */

static void trace_free(irq_trace *t)
{
    if (!t)
        return;
    if (t->f)
        fclose(t->f);
    free(t->vcpu_since);
    free(t->work_since);
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
    if (!t->vcpu_since || !t->work_since || !t->named_vcpu || !t->named_guest || !t->named_cpu)
        return IRQ_ENOMEM;
    for (uint32_t i = 0; i <= p->npcpus; i++)
        t->work_since[i] = NO_SPAN;
    return IRQ_OK;
}

static void write_header(irq_trace *t, const char *window)
{
    const irq_scenario *sc = t->sim->sc;
    fputs("{\"displayTimeUnit\": \"ns\", \"otherData\": {\"scenario\": ", t->f);
    irq_json_str(t->f, sc->name);
    fputs(", \"model\": ", t->f);
    irq_json_str(t->f, t->sim->ops->name);
    fprintf(t->f, ", \"seed\": \"%llu\", \"window\": ", (unsigned long long)sc->seed);
    irq_json_str(t->f, window ? window : "whole run");
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
    if (rc == IRQ_OK && alloc_tracks(t) != IRQ_OK)
        rc = irq_error_set(err, IRQ_ENOMEM, NULL, "out of memory for the trace");
    if (rc == IRQ_OK && cfg->path && !(t->f = fopen(cfg->path, "w")))
        rc = irq_error_set(err, IRQ_EIO, NULL, "cannot write the trace file %s: %s", cfg->path,
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
            vcpu_span(t, &p->vcpus[i], p->vcpus[i].state, end);
        for (uint32_t c = 0; c < p->npcpus; c++)
            on_host_work(t, c, 0, end);
        fputs("\n]}\n", t->f);
        errno = 0;
        int bad = ferror(t->f) || fflush(t->f) != 0;
        int e = errno;
        bad |= fclose(t->f) != 0;
        e = e ? e : errno;
        t->f = NULL;
        if (bad)
            rc = irq_error_set(err, IRQ_EIO, NULL, "could not write the trace file %s: %s", t->path,
                               e ? strerror(e) : "write error");
    }
    trace_free(t);
    return rc;
}
