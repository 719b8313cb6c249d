/* A strict, bounded JSON reader, and JSON/CSV writing helpers. */
#include <errno.h>
#include <fcntl.h>
#include <stdarg.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "json_internal.h"

typedef struct parser {
    const char *s, *p, *end;
    char *why;
    size_t whylen;
    int failed;
} parser;

static void where(const parser *ps, const char *at, unsigned *line, unsigned *col)
{
    *line = 1;
    *col = 1;
    for (const char *q = ps->s; q < at; q++) {
        if (*q == '\n') {
            ++*line;
            *col = 1;
        } else {
            ++*col;
        }
    }
}

static int json_error(parser *ps, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
static int json_error(parser *ps, const char *fmt, ...)
{
    if (ps->failed++)
        return -1;
    unsigned line, col;
    where(ps, ps->p, &line, &col);
    int n = snprintf(ps->why, ps->whylen, "line %u, column %u: ", line, col);
    if (n >= 0 && (size_t)n < ps->whylen) {
        va_list ap;
        va_start(ap, fmt);
        vsnprintf(ps->why + n, ps->whylen - (size_t)n, fmt, ap);
        va_end(ap);
    }
    return -1;
}

static void skip_ws(parser *ps)
{
    while (ps->p < ps->end && (*ps->p == ' ' || *ps->p == '\t' || *ps->p == '\n' || *ps->p == '\r'))
        ps->p++;
}

static int expect_word(parser *ps, const char *w)
{
    size_t n = strlen(w);
    if ((size_t)(ps->end - ps->p) < n || memcmp(ps->p, w, n) != 0)
        return json_error(ps, "unexpected character '%c' (expected a JSON value)", *ps->p);
    ps->p += n;
    return 0;
}

static int is_digit(int c)
{
    return c >= '0' && c <= '9';
}

static int digits(parser *ps)
{
    const char *start = ps->p;
    while (ps->p < ps->end && is_digit(*ps->p))
        ps->p++;
    return ps->p > start ? 0 : json_error(ps, "bad number (expected a digit)");
}

/* -?(0|[1-9][0-9]*)(.[0-9]+)?([eE][+-]?[0-9]+)? */
static int parse_number(parser *ps, cj_value *v)
{
    const char *start = ps->p;
    if (ps->p < ps->end && *ps->p == '-')
        ps->p++;
    if (ps->p < ps->end && *ps->p == '0')
        ps->p++;
    else if (digits(ps))
        return -1;
    if (ps->p < ps->end && *ps->p == '.') {
        ps->p++;
        if (digits(ps))
            return -1;
    }
    if (ps->p < ps->end && (*ps->p == 'e' || *ps->p == 'E')) {
        ps->p++;
        if (ps->p < ps->end && (*ps->p == '+' || *ps->p == '-'))
            ps->p++;
        if (digits(ps))
            return -1;
    }
    char buf[64];
    size_t n = (size_t)(ps->p - start);
    if (n >= sizeof buf)
        return json_error(ps, "number too long");
    memcpy(buf, start, n);
    buf[n] = 0;
    v->type = CJ_NUM;
    v->num = strtod(buf, NULL);
    return 0;
}

static int hex4(parser *ps, unsigned *u)
{
    *u = 0;
    for (int i = 0; i < 4; i++, ps->p++) {
        char c = ps->p < ps->end ? *ps->p : 0;
        unsigned d = c >= '0' && c <= '9'   ? (unsigned)(c - '0')
                     : c >= 'a' && c <= 'f' ? (unsigned)(c - 'a' + 10)
                     : c >= 'A' && c <= 'F' ? (unsigned)(c - 'A' + 10)
                                            : 16u;
        if (d == 16)
            return json_error(ps, "bad \\u escape (expected 4 hex digits)");
        *u = *u * 16 + d;
    }
    return 0;
}

static size_t put_utf8(char *o, unsigned u)
{
    static const unsigned char lead[] = {0, 0xc0, 0xe0, 0xf0};
    size_t n = u < 0x80 ? 1 : u < 0x800 ? 2 : u < 0x10000 ? 3 : 4;
    for (size_t i = n - 1; i > 0; i--, u >>= 6)
        o[i] = (char)(0x80 | (u & 0x3f));
    o[0] = (char)(lead[n - 1] | u);
    return n;
}

/* \uXXXX, with a surrogate pair when it is one; ps->p is after the 'u'. */
static int unicode_escape(parser *ps, char *o, size_t *n)
{
    unsigned u, lo;
    if (hex4(ps, &u))
        return -1;
    if (u >= 0xdc00 && u <= 0xdfff)
        return json_error(ps, "lone low surrogate in \\u escape");
    if (u >= 0xd800 && u <= 0xdbff) {
        if (ps->end - ps->p < 2 || ps->p[0] != '\\' || ps->p[1] != 'u')
            return json_error(ps, "high surrogate not followed by a low one");
        ps->p += 2;
        if (hex4(ps, &lo))
            return -1;
        if (lo < 0xdc00 || lo > 0xdfff)
            return json_error(ps, "high surrogate not followed by a low one");
        u = 0x10000 + ((u - 0xd800) << 10) + (lo - 0xdc00);
    }
    if (u == 0)
        return json_error(ps, "\\u0000 is not allowed in a string");
    *n += put_utf8(o + *n, u);
    return 0;
}

static int escape(parser *ps, char *o, size_t *n)
{
    static const char from[] = "\"\\/bfnrt", to[] = "\"\\/\b\f\n\r\t";
    char c = ps->p < ps->end ? *ps->p : 0;
    ps->p++;
    if (c == 'u')
        return unicode_escape(ps, o, n);
    const char *k = c ? strchr(from, c) : NULL;
    if (!k)
        return json_error(ps, "bad escape '\\%c' in a string", c ? c : ' ');
    o[(*n)++] = to[k - from];
    return 0;
}

/* ps->p is on the opening quote. The decoded text is never longer than
 * the source, so one allocation of the source length suffices. */
static int parse_string(parser *ps, char **out)
{
    const char *q = ++ps->p;
    while (q < ps->end && *q != '"')
        q += *q == '\\' && q + 1 < ps->end ? 2 : 1;
    if (q >= ps->end)
        return json_error(ps, "unterminated string");
    char *o = malloc((size_t)(q - ps->p) + 1);
    if (!o)
        return json_error(ps, "out of memory");
    size_t n = 0;
    while (*ps->p != '"') {
        unsigned char c = (unsigned char)*ps->p;
        if (c < 0x20) {
            free(o);
            return json_error(ps, "control character in a string");
        }
        if (c == '\\') {
            ps->p++;
            if (escape(ps, o, &n)) {
                free(o);
                return -1;
            }
        } else {
            o[n++] = (char)c;
            ps->p++;
        }
    }
    ps->p++;
    o[n] = 0;
    *out = o;
    return 0;
}

static int parse_value(parser *ps, cj_value *v, int depth);

/* Appends a zeroed element (and a key slot for objects). */
static cj_value *grow(parser *ps, cj_value *v, size_t *cap)
{
    if (v->n == *cap) {
        size_t c = *cap ? *cap * 2 : 4;
        cj_value *items = realloc(v->items, c * sizeof *items);
        if (items)
            v->items = items;
        char **keys = v->type == CJ_OBJ && items ? realloc(v->keys, c * sizeof *keys) : NULL;
        if (keys)
            v->keys = keys;
        if (!items || (v->type == CJ_OBJ && !keys)) {
            json_error(ps, "out of memory");
            return NULL;
        }
        *cap = c;
    }
    cj_value *e = &v->items[v->n];
    *e = (cj_value){0};
    if (v->type == CJ_OBJ)
        v->keys[v->n] = NULL;
    v->n++;
    return e;
}

static int parse_member(parser *ps, cj_value *v, size_t *cap, int depth)
{
    skip_ws(ps);
    if (ps->p >= ps->end || *ps->p != '"')
        return json_error(ps, "expected a string key");
    cj_value *e = grow(ps, v, cap);
    if (!e || parse_string(ps, &v->keys[v->n - 1]))
        return -1;
    skip_ws(ps);
    if (ps->p >= ps->end || *ps->p != ':')
        return json_error(ps, "expected ':' after a key");
    ps->p++;
    return parse_value(ps, e, depth + 1);
}

/* Arrays and objects: ps->p is on the opening bracket. */
static int parse_container(parser *ps, cj_value *v, int depth)
{
    char close = *ps->p == '[' ? ']' : '}';
    v->type = close == ']' ? CJ_ARR : CJ_OBJ;
    if (depth >= CJ_MAX_DEPTH)
        return json_error(ps, "nested more than %d levels deep", CJ_MAX_DEPTH);
    ps->p++;
    skip_ws(ps);
    if (ps->p < ps->end && *ps->p == close) {
        ps->p++;
        return 0;
    }
    size_t cap = 0;
    for (;;) {
        if (v->type == CJ_OBJ) {
            if (parse_member(ps, v, &cap, depth))
                return -1;
        } else {
            cj_value *e = grow(ps, v, &cap);
            if (!e || parse_value(ps, e, depth + 1))
                return -1;
        }
        skip_ws(ps);
        if (ps->p < ps->end && *ps->p == ',') {
            ps->p++;
            continue;
        }
        if (ps->p < ps->end && *ps->p == close) {
            ps->p++;
            return 0;
        }
        return json_error(ps, "expected ',' or '%c'", close);
    }
}

static int parse_value(parser *ps, cj_value *v, int depth)
{
    skip_ws(ps);
    if (ps->p >= ps->end)
        return json_error(ps, "unexpected end of input (expected a JSON value)");
    v->raw = ps->p;
    int rc;
    char c = *ps->p;
    if (c == '{' || c == '[') {
        rc = parse_container(ps, v, depth);
    } else if (c == '"') {
        v->type = CJ_STR;
        rc = parse_string(ps, &v->str);
    } else if (c == '-' || is_digit(c)) {
        rc = parse_number(ps, v);
    } else if (c == 't' || c == 'f') {
        v->type = CJ_BOOL;
        v->num = c == 't';
        rc = expect_word(ps, c == 't' ? "true" : "false");
    } else {
        v->type = CJ_NULL;
        rc = expect_word(ps, "null");
    }
    v->rawlen = (size_t)(ps->p - v->raw);
    return rc;
}

int cj_parse(cj_value *out, const char *text, size_t len, char *why, size_t whylen)
{
    parser ps = {.s = text, .p = text, .end = text + len, .why = why, .whylen = whylen};
    *out = (cj_value){0};
    int rc = parse_value(&ps, out, 0);
    if (rc == 0) {
        skip_ws(&ps);
        if (ps.p < ps.end)
            rc = json_error(&ps, "unexpected text after the JSON value");
    }
    if (rc != 0) {
        cj_free(out);
        *out = (cj_value){0};
    }
    return rc;
}

void cj_free(cj_value *v)
{
    if (!v)
        return;
    for (size_t i = 0; i < v->n; i++) {
        cj_free(&v->items[i]);
        if (v->keys)
            free(v->keys[i]);
    }
    free(v->items);
    free(v->keys);
    free(v->str);
    *v = (cj_value){0};
}

const cj_value *cj_get(const cj_value *obj, const char *key)
{
    if (!obj || obj->type != CJ_OBJ)
        return NULL;
    for (size_t i = 0; i < obj->n; i++)
        if (strcmp(obj->keys[i], key) == 0)
            return &obj->items[i];
    return NULL;
}

const cj_value *cj_get_t(const cj_value *obj, const char *key, cj_type t)
{
    const cj_value *v = cj_get(obj, key);
    return v && v->type == t ? v : NULL;
}

const char *cj_str(const cj_value *obj, const char *key)
{
    const cj_value *s = cj_get_t(obj, key, CJ_STR);
    return s ? s->str : "";
}

void cj_put_str(FILE *f, const char *s)
{
    fputc('"', f);
    for (; *s; s++) {
        unsigned char c = (unsigned char)*s;
        if (c == '"' || c == '\\')
            fprintf(f, "\\%c", c);
        else if (c < 0x20)
            fprintf(f, "\\u%04x", c);
        else
            fputc(c, f);
    }
    fputc('"', f);
}

void csv_put_cell(FILE *f, const char *s)
{
    if (!strpbrk(s, ",\"\r\n")) {
        fputs(s, f);
        return;
    }
    fputc('"', f);
    for (; *s; s++) {
        if (*s == '"')
            fputc('"', f);
        fputc(*s, f);
    }
    fputc('"', f);
}

int cli_read_file(const char *path, size_t max, char **text, size_t *len)
{
    *text = NULL;
    *len = 0;
    /* without blocking (a FIFO), and only a regular file of at most max
     * bytes: /dev/zero or a huge sparse file is refused before reading */
    int fd = open(path, O_RDONLY | O_NONBLOCK | O_CLOEXEC);
    if (fd < 0)
        return -1;
    struct stat st;
    int err = 0;
    if (fstat(fd, &st) != 0)
        err = errno;
    else if (!S_ISREG(st.st_mode))
        err = S_ISDIR(st.st_mode) ? EISDIR : EINVAL;
    else if ((unsigned long long)st.st_size > max)
        err = EFBIG;
    size_t want = err ? 0 : (size_t)st.st_size + 1, n = 0;
    char *buf = err ? NULL : malloc(want + 1);
    if (!err && !buf)
        err = ENOMEM;
    ssize_t got = 1;
    while (!err && n < want && (got = read(fd, buf + n, want - n)) > 0)
        n += (size_t)got;
    if (!err && got < 0)
        err = errno;
    if (!err && n > (size_t)st.st_size)
        err = EFBIG; /* grew while being read */
    close(fd);
    if (err) {
        free(buf);
        errno = err;
        return -1;
    }
    buf[n] = 0;
    *text = buf;
    *len = n;
    return 0;
}

const char *cli_read_error(int err)
{
    if (err == EINVAL)
        return "not a regular file (a FIFO, a device or a socket)";
    if (err == EFBIG)
        return "larger than the limit";
    return strerror(err);
}
