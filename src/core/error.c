/* Errors with positions: filling them and printing them. */
#include <stdarg.h>
#include <stdio.h>
#include <string.h>

#include "error_internal.h"

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
            snprintf(err->file, sizeof err->file, "%s", mark->file);
        err->line = mark->line;
        err->column = mark->column;
    }
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(err->message, sizeof err->message, fmt, ap);
    va_end(ap);
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
