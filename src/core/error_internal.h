/* Error helpers private to the library. */
#ifndef IRQ_ERROR_INTERNAL_H
#define IRQ_ERROR_INTERNAL_H

#include "irqsim/irqsim.h"

/* A position in an input file. file points at a string owned by the
 * scenario (or a static string such as "<--set>"). */
typedef struct irq_mark {
    const char *file;
    unsigned line;   /* 1-based, 0 = unknown */
    unsigned column; /* 1-based, 0 = unknown */
} irq_mark;

/* Fills err (if not NULL) and returns status, so callers can write
 * `return irq_error_set(err, IRQ_EINPUT, &mark, "...")`. */
int irq_error_set(irq_error *err, int status, const irq_mark *mark, const char *fmt, ...)
    __attribute__((format(printf, 4, 5)));

#endif
