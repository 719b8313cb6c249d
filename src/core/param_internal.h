/* Parameter tables.
 *
 * Each model (and the core's host section) describes its parameters in one
 * table of irq_param_desc. That one table drives the YAML loader (decoding
 * and validation), `irqsim models` and docs/models.md: there is no second
 * list to keep in sync. Values are stored in an array of irq_param_value
 * indexed like the table. */
#ifndef IRQ_PARAM_INTERNAL_H
#define IRQ_PARAM_INTERNAL_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

#include "dist_internal.h"
#include "error_internal.h"

typedef enum irq_param_type {
    IRQ_PARAM_INT,      /* integer in [min, max] */
    IRQ_PARAM_DOUBLE,   /* real in [min, max] */
    IRQ_PARAM_BOOL,     /* true | false */
    IRQ_PARAM_DURATION, /* "50us" -> cycles; min, max in nanoseconds */
    IRQ_PARAM_ENUM,     /* one of choices[] */
    IRQ_PARAM_DIST,     /* a distribution, e.g. exp(2ms) */
    IRQ_PARAM_BITS,     /* a YAML list of small integers in [min, max] -> bit mask (bit n = 1<<n) */
    IRQ_PARAM_STRING,   /* free text the owner interprets */
} irq_param_type;

/* How a bound parameter's value is stored in its owner's struct. */
typedef enum irq_field_type {
    IRQ_FIELD_NONE, /* not bound: read from the value array */
    IRQ_FIELD_I64,  /* int64_t: INT, ENUM index, BOOL */
    IRQ_FIELD_U32,  /* uint32_t: INT (checked non-negative by its range) */
    IRQ_FIELD_INT,  /* int: ENUM index */
    IRQ_FIELD_BOOL, /* bool */
    IRQ_FIELD_U64,  /* uint64_t: DURATION in cycles, BITS mask */
    IRQ_FIELD_DBL,  /* double: DOUBLE */
    IRQ_FIELD_DIST, /* const irq_dist *: DIST (points into the scenario) */
} irq_field_type;

/* Binds a parameter to field `f` of struct `T`: declare the parameter once
 * in the table with IRQ_BIND(T, f, IRQ_FIELD_...), and irq_params_bind fills
 * the field from the loaded value. */
#define IRQ_BIND(T, f, ft) .field = offsetof(T, f) + 1, .ftype = ft

typedef struct irq_param_desc {
    const char *name;
    irq_param_type type;
    const char *def;            /* default, written as in YAML; NULL = required */
    const char *unit;           /* for humans: "ns", "cycles", "ISC list", ... */
    const char *help;           /* one line: what it means */
    const char *const *choices; /* ENUM: NULL-terminated list */
    double min, max;            /* INT, DOUBLE, BITS; DURATION: in nanoseconds; 0,0 = no limit */
    const char *source;         /* where the default comes from; NULL with assumption */
    bool assumption;            /* the default is our guess: no public source gives it */
    size_t field;               /* IRQ_BIND: offset + 1 of the owner's field; 0: not bound */
    uint8_t ftype;              /* irq_field_type */
} irq_param_desc;

typedef struct irq_param_value {
    int64_t i;     /* INT; ENUM: index into choices; BOOL: 0/1 */
    double d;      /* DOUBLE; DURATION: cycles (also in u) */
    uint64_t u;    /* DURATION: cycles rounded; BITS: mask */
    irq_dist dist; /* DIST */
    char *str;     /* STRING (owned) */
    irq_mark mark; /* where the value was written; line 0 = default */
} irq_param_value;

/* Decoding of one value from its YAML scalar text (or list, for BITS) is
 * done by the loader; these helpers are shared with `irqsim models`. */
const char *irq_param_type_name(irq_param_type t);
void irq_param_values_free(irq_param_value *v, size_t n, const irq_param_desc *d);
/* Copies each bound parameter's value into its field of obj. */
void irq_params_bind(void *obj, const irq_param_desc *d, size_t n, const irq_param_value *v);

/* Writes a table of parameters, as text (for `irqsim models`) or Markdown
 * (docs/models.md). */
void irq_params_describe(FILE *out, const irq_param_desc *d, size_t n, int markdown);

#endif
