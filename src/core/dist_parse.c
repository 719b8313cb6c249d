/* Parsing of durations, rates, frequencies and distributions as written in
 * scenario files, and the small lexical helpers the loader shares.
 * Numbers are parsed with strtod on text checked beforehand, so a plain
 * decimal form is all that is accepted (the C locale is assumed). */
#ifndef _POSIX_C_SOURCE
#define _POSIX_C_SOURCE 200809L
#endif
#include <errno.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include "dist_internal.h"
#include "loader_internal.h"

#define DURATION_UNITS "cycles, ns, us, ms, s"
/* Larger than any duration or count in cycles a run can reach. */
#define MAX_CYCLES 9.2e18

static bool is_space(char c)
{
    return c == ' ' || c == '\t';
}
static bool is_digit(char c)
{
    return c >= '0' && c <= '9';
}
static bool is_alpha(char c)
{
    return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z');
}

static const char *skip_space(const char *s)
{
    while (is_space(*s))
        s++;
    return s;
}

static int fail(char *why, size_t len, const char *fmt, const char *arg)
{
    if (why && len)
        snprintf(why, len, fmt, arg);
    return -1;
}

size_t irq__scan_number(const char *s, double *v)
{
    size_t i = 0, digits = 0;
    while (is_digit(s[i]))
        i++, digits++;
    if (s[i] == '.') {
        i++;
        while (is_digit(s[i]))
            i++, digits++;
    }
    if (digits == 0)
        return 0;
    if (s[i] == 'e' || s[i] == 'E') {
        size_t j = i + 1;
        if (s[j] == '+' || s[j] == '-')
            j++;
        if (is_digit(s[j])) {
            while (is_digit(s[j]))
                j++;
            i = j;
        }
    }
    char buf[64];
    if (i >= sizeof buf) {
        *v = INFINITY;
        return i;
    }
    memcpy(buf, s, i);
    buf[i] = '\0';
    *v = strtod(buf, NULL);
    return i;
}

/* 0: ok, -1: not a whole number, -2: too large, -3: negative. */
static int scan_u64(const char *p, uint64_t *out)
{
    if (*p == '-' && is_digit(p[1]))
        return -3;
    if (*p == '+')
        p++;
    if (!is_digit(*p))
        return -1;
    uint64_t v = 0;
    int rc = 0;
    for (; is_digit(*p); p++) {
        uint64_t d = (uint64_t)(*p - '0');
        if (v > (UINT64_MAX - d) / 10)
            rc = -2;
        v = v * 10 + d;
    }
    if (*p)
        return -1;
    *out = v;
    return rc;
}

int irq__parse_u64(const char *text, uint64_t *out, char *why, size_t whylen)
{
    switch (scan_u64(text, out)) {
    case 0:
        return 0;
    case -2:
        return fail(why, whylen, "too large: at most 18446744073709551615", NULL);
    case -3:
        return fail(why, whylen, "expected a whole number, not a negative one", NULL);
    default:
        return fail(why, whylen, "expected a whole number such as 42", NULL);
    }
}

int irq__parse_i64(const char *text, int64_t *out, char *why, size_t whylen)
{
    bool neg = text[0] == '-';
    uint64_t u = 0;
    int rc = neg && text[1] == '+' ? -1 : scan_u64(text + neg, &u);
    if (rc == 0 && u > (uint64_t)INT64_MAX + neg)
        rc = -2;
    if (rc == -2)
        return fail(why, whylen, "too large for a 64-bit integer", NULL);
    if (rc)
        return fail(why, whylen, "expected a whole number such as 42", NULL);
    *out = neg ? (int64_t)(0 - u) : (int64_t)u;
    return 0;
}

int irq__parse_real(const char *text, double *out, char *why, size_t whylen)
{
    const char *p = text;
    bool neg = *p == '-';
    if (*p == '-' || *p == '+')
        p++;
    double v;
    size_t n = irq__scan_number(p, &v);
    if (n == 0 || p[n] != '\0')
        return fail(why, whylen, "expected a number such as 2.5 or 1e-3", NULL);
    if (!isfinite(v))
        return fail(why, whylen, "too large", NULL);
    *out = neg ? -v : v;
    return 0;
}

int irq_parse_hz(const char *text, double *hz, char *why, size_t whylen)
{
    static const struct {
        const char *name;
        double mult;
    } units[] = {{"", 1}, {"hz", 1}, {"khz", 1e3}, {"mhz", 1e6}, {"ghz", 1e9}};
    const char *p = skip_space(text);
    double v;
    size_t n = irq__scan_number(p, &v);
    const char *u = skip_space(p + n);
    size_t ulen = 0;
    while (is_alpha(u[ulen]))
        ulen++;
    const char *rest = skip_space(u + ulen);
    for (size_t i = 0; n && !*rest && i < sizeof units / sizeof units[0]; i++)
        if (strlen(units[i].name) == ulen && strncasecmp(u, units[i].name, ulen) == 0) {
            *hz = v * units[i].mult;
            return isfinite(*hz) ? 0 : fail(why, whylen, "too large", NULL);
        }
    return fail(why, whylen, "expected a frequency such as 2.5GHz, 800MHz or 1e9", NULL);
}

/* ---- durations and rates -------------------------------------------------- */

/* Units per second (1e6 for us); cycles give 0 (handled apart), an unknown
 * unit -1. Dividing by these keeps round numbers exact: 1000ns at 1 GHz is
 * 1000 cycles, not 999.9999. */
static double unit_per_s(const char *u, size_t len)
{
    static const struct {
        const char *name;
        double per_s;
    } units[] = {{"cycles", 0}, {"cycle", 0}, {"ns", 1e9}, {"us", 1e6},
                 {"ms", 1e3},   {"s", 1},     {"sec", 1}};
    for (size_t i = 0; i < sizeof units / sizeof units[0]; i++)
        if (strlen(units[i].name) == len && memcmp(u, units[i].name, len) == 0)
            return units[i].per_s;
    return -1;
}

int irq_parse_duration(const char *text, double clock_hz, double *cycles, char *why, size_t whylen)
{
    const char *p = skip_space(text);
    if (*p == '-')
        return fail(why, whylen, "a duration cannot be negative", NULL);
    if (*p == '+')
        p++;
    double v;
    size_t n = irq__scan_number(p, &v);
    if (n == 0)
        return fail(why, whylen, "expected a number with a unit: " DURATION_UNITS, NULL);
    const char *u = skip_space(p + n);
    size_t ulen = 0;
    while (is_alpha(u[ulen]))
        ulen++;
    if (*skip_space(u + ulen) != '\0')
        return fail(why, whylen, "expected a number with a unit: " DURATION_UNITS, NULL);
    if (ulen == 0) {
        if (v == 0) {
            *cycles = 0;
            return 0;
        }
        return fail(why, whylen, "a unit is required: " DURATION_UNITS " (only 0 may go without)",
                    NULL);
    }
    double per_s = unit_per_s(u, ulen);
    if (per_s < 0)
        return fail(why, whylen, "expected a number with a unit: " DURATION_UNITS, NULL);
    double c = per_s == 0 ? v : v * clock_hz / per_s;
    if (!(c <= MAX_CYCLES))
        return fail(why, whylen, "too long for the simulated clock", NULL);
    *cycles = c;
    return 0;
}

int irq_parse_rate(const char *text, double clock_hz, double *per_cycle, char *why, size_t whylen)
{
    static const char expect[] = "expected a rate such as 2000/s, 2k/s, 1.5M/s or 10/ms";
    const char *p = skip_space(text);
    if (*p == '-')
        return fail(why, whylen, "a rate cannot be negative", NULL);
    double v;
    size_t n = irq__scan_number(p, &v);
    if (n == 0)
        return fail(why, whylen, expect, NULL);
    p = skip_space(p + n);
    double mult = *p == 'k' ? 1e3 : *p == 'M' ? 1e6 : *p == 'G' ? 1e9 : 1;
    if (mult != 1)
        p = skip_space(p + 1);
    if (*p != '/')
        return fail(why, whylen, expect, NULL);
    p = skip_space(p + 1);
    size_t ulen = 0;
    while (is_alpha(p[ulen]))
        ulen++;
    double per_s = unit_per_s(p, ulen);
    if (ulen == 0 || per_s <= 0 || *skip_space(p + ulen) != '\0')
        return fail(why, whylen, "%s (per s, ms, us or ns)", expect);
    double r = v * mult * per_s / clock_hz;
    if (!isfinite(r))
        return fail(why, whylen, "too large", NULL);
    *per_cycle = r;
    return 0;
}

/* ---- calls: name(arg, key=value, ...) ----------------------------------- */

static char *trim(char *s)
{
    while (is_space(*s))
        s++;
    size_t n = strlen(s);
    while (n && is_space(s[n - 1]))
        s[--n] = '\0';
    return s;
}

static bool is_word(const char *s)
{
    if (!*s)
        return false;
    for (; *s; s++)
        if (!is_alpha(*s) && !is_digit(*s) && *s != '_')
            return false;
    return true;
}

static int split_args(irq_call *c, char *inner, char *why, size_t whylen)
{
    if (!*inner)
        return 0;
    for (char *arg = inner; arg;) {
        char *comma = strchr(arg, ',');
        if (comma)
            *comma = '\0';
        if (c->nargs == IRQ_CALL_MAXARGS)
            return fail(why, whylen, "too many arguments", NULL);
        char *eq = strchr(arg, '=');
        if (eq)
            *eq = '\0';
        char *a = trim(arg), *v = eq ? trim(eq + 1) : a;
        if (!*a || !*v)
            return fail(why, whylen, "an empty argument", NULL);
        if (eq && !is_word(a))
            return fail(why, whylen, "bad argument name '%s'", a);
        if (!eq && c->nargs > c->npos)
            return fail(why, whylen, "positional argument '%s' after a key=value one", a);
        c->key[c->nargs] = eq ? a : NULL;
        c->val[c->nargs++] = v;
        c->npos += !eq;
        arg = comma ? comma + 1 : NULL;
    }
    return 0;
}

int irq__call_parse(irq_call *c, const char *text, char *why, size_t whylen)
{
    /* everything but the (large) text buffer, which is written before read */
    c->buf[0] = '\0';
    c->name = c->inner = NULL;
    c->nargs = c->npos = 0;
    memset(c->key, 0, sizeof c->key);
    memset(c->val, 0, sizeof c->val);
    if (!strchr(text, '(') && !strchr(text, ')'))
        return 0;
    /* Half the buffer: the other half takes a copy of the arguments. */
    if (strlen(text) >= sizeof c->buf / 2)
        return fail(why, whylen, "too long", NULL);
    strcpy(c->buf, text);
    char *open = strchr(c->buf, '('), *close = strrchr(c->buf, ')');
    if (!open || !close || close < open || *skip_space(close + 1))
        return fail(why, whylen, "expected name(arguments)", NULL);
    *open = *close = '\0';
    c->name = trim(c->buf);
    if (!is_word(c->name))
        return fail(why, whylen, "expected name(arguments)", NULL);
    char *inner = trim(open + 1);
    c->inner = inner;
    /* Arguments are split in a copy, so inner stays whole for file names. */
    char *args = c->buf + sizeof c->buf / 2;
    memcpy(args, inner, strlen(inner) + 1);
    return split_args(c, args, why, whylen) ? -1 : 1;
}

int irq__call_check(const irq_call *c, const char *const *keys, size_t nkeys, char *why,
                    size_t whylen)
{
    if (c->npos > nkeys)
        return fail(why, whylen, "too many arguments to %s()", c->name);
    bool seen[IRQ_CALL_MAXARGS] = {false};
    for (size_t i = 0; i < c->npos; i++)
        seen[i] = true;
    for (size_t i = c->npos; i < c->nargs; i++) {
        size_t k = 0;
        while (k < nkeys && strcmp(keys[k], c->key[i]))
            k++;
        if (k == nkeys) {
            char list[200] = "";
            for (size_t j = 0; j < nkeys; j++)
                snprintf(list + strlen(list), sizeof list - strlen(list), "%s%s", j ? ", " : "",
                         keys[j]);
            if (why && whylen)
                snprintf(why, whylen, "unknown argument '%s' to %s() (expected %s)", c->key[i],
                         c->name, list);
            return -1;
        }
        if (seen[k])
            return fail(why, whylen, "argument '%s' given twice", keys[k]);
        seen[k] = true;
    }
    return 0;
}

const char *irq__call_get(const irq_call *c, const char *const *keys, size_t k)
{
    if (k < c->npos)
        return c->val[k];
    for (size_t i = c->npos; i < c->nargs; i++)
        if (!strcmp(c->key[i], keys[k]))
            return c->val[i];
    return NULL;
}

/* ---- files ---------------------------------------------------------------- */

char *irq__path_join(const char *base_dir, const char *file)
{
    if (!base_dir || !*base_dir || file[0] == '/')
        return strdup(file);
    size_t a = strlen(base_dir), b = strlen(file);
    char *p = malloc(a + b + 2);
    if (p) {
        memcpy(p, base_dir, a);
        p[a] = '/';
        memcpy(p + a + 1, file, b + 1);
    }
    return p;
}

int irq__parse_size(const char *text, uint64_t *bytes, char *why, size_t whylen)
{
    double v;
    size_t n = irq__scan_number(text, &v);
    const char *u = text + n;
    static const char units[] = "kmgt";
    double mul = 1;
    const char *k = *u ? strchr(units, *u | 0x20) : NULL; /* either case */
    if (k) {
        for (const char *q = units; q <= k; q++)
            mul *= 1024;
        u++;
    }
    if (*u == 'B')
        u++;
    if (n == 0 || *u || !(v * mul >= 1) || v * mul >= 1.8e19)
        return fail(why, whylen, "expected a size such as 512M or 2G (k, M, G, T: powers of 1024)",
                    NULL);
    *bytes = (uint64_t)(v * mul);
    return 0;
}

uint64_t irq__hash_bytes(uint64_t h, const void *p, size_t n)
{
    const unsigned char *b = p;
    for (size_t i = 0; i < n; i++)
        h = (h ^ b[i]) * 0x100000001b3ull;
    return h;
}

static const char *file_kind(mode_t m)
{
    return S_ISDIR(m)    ? "a directory"
           : S_ISFIFO(m) ? "a FIFO"
           : S_ISCHR(m)  ? "a character device"
           : S_ISBLK(m)  ? "a block device"
           : S_ISSOCK(m) ? "a socket"
                         : "not a regular file";
}

/* Opened without blocking (a FIFO would wait for a writer) and checked
 * before a byte is read: only regular files of at most max bytes. Reads
 * at most max + 1 bytes, so a file that grows meanwhile is caught too. */
int irq_read_file(const char *path, size_t max, char **data, size_t *len, char *why, size_t whylen)
{
    *data = NULL;
    *len = 0;
    int fd = open(path, O_RDONLY | O_NONBLOCK | O_CLOEXEC);
    if (fd < 0)
        return fail(why, whylen, "%s", strerror(errno));
    struct stat st;
    int rc = -2;
    char *buf = NULL;
    size_t n = 0;
    if (fstat(fd, &st) != 0)
        rc = fail(why, whylen, "%s", strerror(errno));
    else if (!S_ISREG(st.st_mode))
        snprintf(why, whylen, "%s, not a regular file", file_kind(st.st_mode));
    else if ((unsigned long long)st.st_size > max)
        snprintf(why, whylen, "larger than the limit of %zu MiB", max >> 20);
    else if (!(buf = malloc((size_t)st.st_size + 2)))
        rc = fail(why, whylen, "out of memory", NULL);
    else {
        size_t want = (size_t)st.st_size + 1;
        ssize_t got = 1;
        while (n < want && (got = read(fd, buf + n, want - n)) > 0)
            n += (size_t)got;
        if (got < 0)
            rc = fail(why, whylen, "%s", strerror(errno));
        else if (n > (size_t)st.st_size)
            snprintf(why, whylen, "it grew while being read");
        else {
            buf[n] = '\0';
            *data = buf;
            *len = n;
            buf = NULL;
            rc = 0;
        }
    }
    free(buf);
    close(fd);
    return rc;
}

const char *irq__next_line(const char **p, const char *end, size_t *len, size_t *lineno)
{
    while (*p < end) {
        const char *s = *p;
        const char *nl = memchr(s, '\n', (size_t)(end - s));
        const char *e = nl ? nl : end;
        *p = nl ? nl + 1 : end;
        ++*lineno;
        const char *hash = memchr(s, '#', (size_t)(e - s));
        if (hash)
            e = hash;
        while (s < e && (is_space(*s) || *s == '\r'))
            s++;
        while (e > s && (is_space(e[-1]) || e[-1] == '\r'))
            e--;
        if (e > s) {
            *len = (size_t)(e - s);
            return s;
        }
    }
    return NULL;
}

/* ---- distributions ---------------------------------------------------------- */

static int arg_duration(const irq_call *c, const char *const *keys, size_t k, double clock_hz,
                        double *out, char *why, size_t whylen)
{
    const char *v = irq__call_get(c, keys, k);
    if (!v) {
        if (why && whylen)
            snprintf(why, whylen, "%s() needs '%s'", c->name, keys[k]);
        return -1;
    }
    char sub[160];
    if (irq_parse_duration(v, clock_hz, out, sub, sizeof sub) == 0)
        return 0;
    if (why && whylen)
        snprintf(why, whylen, "bad %s '%s' in %s(): %s", keys[k], v, c->name, sub);
    return -1;
}

static int read_samples(irq_dist *d, const char *file, double clock_hz, const char *base_dir,
                        char *why, size_t whylen)
{
    char *path = irq__path_join(base_dir, file), *data = NULL, sub[160];
    size_t len, cap = 0, lineno = 0, n;
    if (!path)
        return fail(why, whylen, "out of memory", NULL);
    int rc = irq_read_file(path, IRQ_MAX_FILE_BYTES, &data, &len, sub, sizeof sub);
    if (rc && why && whylen)
        snprintf(why, whylen, "cannot read %s: %s", path, sub);
    const char *p = data, *line;
    while (rc == 0 && (line = irq__next_line(&p, data + len, &n, &lineno))) {
        char text[128];
        double v;
        snprintf(text, sizeof text, "%.*s", (int)n, line);
        if (n >= sizeof text || irq_parse_duration(text, clock_hz, &v, sub, sizeof sub)) {
            if (why && whylen)
                snprintf(why, whylen, "%s line %zu: bad duration '%.40s' (%s)", file, lineno, text,
                         n >= sizeof text ? "line too long" : sub);
            rc = -1;
        } else if (d->nsamples == IRQ_MAX_SAMPLES) {
            rc = fail(why, whylen, "%s: more than 10000000 samples", file);
        } else if (d->nsamples == cap) {
            double *s = realloc(d->samples, (cap ? cap * 2 : 256) * sizeof *s);
            rc = s ? 0 : fail(why, whylen, "out of memory", NULL);
            if (s) {
                d->samples = s;
                cap = cap ? cap * 2 : 256;
            }
        }
        if (rc == 0)
            d->samples[d->nsamples++] = v;
    }
    if (rc == 0 && d->nsamples == 0)
        rc = fail(why, whylen, "%s holds no samples (expected one duration per line)", file);
    free(data);
    free(path);
    return rc;
}

static int dist_empirical(irq_dist *d, const irq_call *c, double clock_hz, const char *base_dir,
                          char *why, size_t whylen)
{
    if (!*c->inner)
        return fail(why, whylen, "empirical() needs a file name", NULL);
    d->kind = IRQ_DIST_EMPIRICAL;
    if (read_samples(d, c->inner, clock_hz, base_dir, why, whylen))
        return -1;
    double sum = 0;
    for (size_t i = 0; i < d->nsamples; i++)
        sum += d->samples[i];
    d->a = sum / (double)d->nsamples;
    return 0;
}

/* The parametric kinds: keys[] are the argument names, in positional order. */
static const struct dist_kind {
    const char *name;
    irq_dist_kind kind;
    size_t nkeys;
    const char *keys[2];
} kinds[] = {
    {"const", IRQ_DIST_CONST, 1, {"value"}},
    {"exp", IRQ_DIST_EXP, 1, {"mean"}},
    {"uniform", IRQ_DIST_UNIFORM, 2, {"min", "max"}},
    {"normal", IRQ_DIST_NORMAL, 2, {"mean", "sd"}},
    {"lognormal", IRQ_DIST_LOGNORMAL, 2, {"mean", "sd"}},
};

static int dist_params(irq_dist *d, const irq_call *c, const struct dist_kind *k, double clock_hz,
                       char *why, size_t whylen)
{
    if (irq__call_check(c, k->keys, k->nkeys, why, whylen))
        return -1;
    for (size_t i = 0; i < k->nkeys; i++)
        if (arg_duration(c, k->keys, i, clock_hz, i ? &d->b : &d->a, why, whylen))
            return -1;
    d->kind = k->kind;
    if (d->kind == IRQ_DIST_EXP && d->a <= 0)
        return fail(why, whylen, "the mean of exp() must be greater than 0", NULL);
    if (d->kind == IRQ_DIST_UNIFORM && d->a > d->b)
        return fail(why, whylen, "uniform(min, max) needs min <= max", NULL);
    if (d->kind == IRQ_DIST_LOGNORMAL) {
        if (d->a <= 0)
            return fail(why, whylen, "the mean of lognormal() must be greater than 0", NULL);
        double s2 = log1p((d->b / d->a) * (d->b / d->a));
        d->sigma = sqrt(s2);
        d->mu = log(d->a) - s2 / 2;
    }
    return 0;
}

#define DIST_EXPECT                                                                                \
    "expected a distribution: const(50us), exp(200us), uniform(1us, 5us), "                        \
    "normal(mean=10us, sd=2us), lognormal(mean=40us, sd=10us), empirical(file) or a duration"

int irq_dist_parse(irq_dist *d, const char *text, double clock_hz, const char *base_dir, char *why,
                   size_t whylen)
{
    memset(d, 0, sizeof *d);
    irq_call c;
    int r = irq__call_parse(&c, text, why, whylen);
    if (r < 0)
        return -1;
    if (r == 0) {
        const char *p = skip_space(text);
        if (!is_digit(*p) && *p != '.' && *p != '-')
            return fail(why, whylen, DIST_EXPECT, NULL);
        d->kind = IRQ_DIST_CONST;
        return irq_parse_duration(text, clock_hz, &d->a, why, whylen);
    }
    if (!strcmp(c.name, "empirical")) {
        if (dist_empirical(d, &c, clock_hz, base_dir, why, whylen) == 0)
            return 0;
        free(d->samples);
        memset(d, 0, sizeof *d);
        return -1;
    }
    for (size_t i = 0; i < sizeof kinds / sizeof kinds[0]; i++) {
        if (strcmp(c.name, kinds[i].name))
            continue;
        if (dist_params(d, &c, &kinds[i], clock_hz, why, whylen) == 0)
            return 0;
        memset(d, 0, sizeof *d);
        return -1;
    }
    return fail(why, whylen, "unknown distribution '%s'; " DIST_EXPECT, c.name);
}
