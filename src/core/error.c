/* Errors with positions: filling them and printing them. */
#include <stdarg.h>
#include <stdio.h>
#include <string.h>

#include "error_internal.h"

/* Length of the valid UTF-8 sequence at s that is not a C1 control
 * (U+0080..U+009F, which terminals obey like ESC), or 0. */
static size_t printable_utf8(const unsigned char *s)
{
    size_t n = s[0] >= 0xf0 && s[0] <= 0xf4 ? 4 : s[0] >= 0xe0 ? 3 : s[0] >= 0xc2 ? 2 : 0;
    if (n == 0 || (n == 2 && s[0] == 0xc2 && s[1] < 0xa0))
        return 0;
    for (size_t i = 1; i < n; i++)
        if ((s[i] & 0xc0) != 0x80)
            return 0;
    return n;
}

const char *irq_escape(const char *in, char *buf, size_t len)
{
    size_t o = 0;
    if (!buf || len == 0)
        return "";
    for (const unsigned char *s = (const unsigned char *)(in ? in : ""); *s && o + 1 < len;) {
        size_t n = *s >= 0x20 && *s < 0x7f ? 1 : *s >= 0x80 ? printable_utf8(s) : 0;
        char esc[8];
        const char *put = esc;
        size_t w = n;
        if (n) {
            put = (const char *)s;
        } else {
            w = (size_t)snprintf(esc, sizeof esc,
                                 *s == '\n'   ? "\\n"
                                 : *s == '\t' ? "\\t"
                                              : "\\x%02x",
                                 *s);
            n = 1;
        }
        if (o + w >= len)
            break;
        memcpy(buf + o, put, w);
        o += w;
        s += n;
    }
    buf[o] = '\0';
    return buf;
}

int irq_error_set(irq_error *err, int status, const irq_mark *mark, const char *fmt, ...)
{
    if (!err)
        return status;
    err->status = status;
    err->file[0] = '\0';
    err->line = 0;
    err->column = 0;
    if (mark) {
        if (mark->file)
            irq_escape(mark->file, err->file, sizeof err->file);
        err->line = mark->line;
        err->column = mark->column;
    }
    /* values quoted from files may hold control characters: escaped, so a
     * message can never drive the terminal it is printed on */
    char raw[sizeof err->message];
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(raw, sizeof raw, fmt, ap);
    va_end(ap);
    irq_escape(raw, err->message, sizeof err->message);
    return status;
}

/* Values given on the command line carry a "file" naming the override
 * ("--set model.pick=lowest") and its number as the line: the number only
 * tells them apart from defaults (line 0), so it is not printed. */
static int is_override(const char *file)
{
    return strncmp(file, "--set ", 6) == 0;
}

const char *irq_error_format(const irq_error *err, char *buf, size_t len)
{
    if (!buf || len == 0)
        return "";
    if (!err) {
        snprintf(buf, len, "unknown error");
        return buf;
    }
    const char *msg = err->message;
    if (err->file[0] == '\0') {
        if (err->line)
            snprintf(buf, len, "line %u, column %u: %s", err->line, err->column, msg);
        else
            snprintf(buf, len, "%s", msg);
    } else if (err->line == 0 || is_override(err->file)) {
        snprintf(buf, len, "%s: %s", err->file, msg);
    } else if (err->column == 0) {
        snprintf(buf, len, "%s:%u: %s", err->file, err->line, msg);
    } else {
        snprintf(buf, len, "%s:%u:%u: %s", err->file, err->line, err->column, msg);
    }
    return buf;
}
