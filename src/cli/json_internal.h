/* A small JSON reader for the files irqsim writes itself (variant files),
 * and the writing helpers for JSON and CSV text. The reader is strict
 * (RFC 8259: no comments, no trailing commas, nothing after the value),
 * bounded in depth, and keeps each value's source text so that merged
 * outputs can copy results verbatim. */
#ifndef IRQ_CLI_JSON_INTERNAL_H
#define IRQ_CLI_JSON_INTERNAL_H

#include <stddef.h>
#include <stdio.h>

typedef enum cj_type { CJ_NULL, CJ_BOOL, CJ_NUM, CJ_STR, CJ_ARR, CJ_OBJ } cj_type;

typedef struct cj_value {
    cj_type type;
    const char *raw; /* the value's text in the parsed buffer */
    size_t rawlen;
    double num; /* CJ_NUM; CJ_BOOL: 0 or 1 */
    char *str;  /* CJ_STR: decoded, NUL-terminated */
    size_t n;   /* CJ_ARR, CJ_OBJ: number of elements */
    struct cj_value *items;
    char **keys; /* CJ_OBJ: n keys, decoded */
} cj_value;

#define CJ_MAX_DEPTH 64

/* Parses text[0..len). On error returns -1 and writes "line L, column C:
 * what" to why. raw pointers point into text: keep it alive. */
int cj_parse(cj_value *out, const char *text, size_t len, char *why, size_t whylen);
void cj_free(cj_value *v);

/* Member of an object by key (NULL when absent or obj is not an object). */
const cj_value *cj_get(const cj_value *obj, const char *key);
/* The same, only when the member has type t. */
const cj_value *cj_get_t(const cj_value *obj, const char *key, cj_type t);
/* A string member's text; "" when absent or not a string. */
const char *cj_str(const cj_value *obj, const char *key);

/* Writes s as a JSON string literal. */
void cj_put_str(FILE *f, const char *s);
/* Writes s as one CSV cell, quoted when it holds a comma, quote or newline. */
void csv_put_cell(FILE *f, const char *s);

/* Reads a whole regular file (at most max bytes) into a NUL-terminated
 * buffer; -1 with errno set (EINVAL: not a regular file; EFBIG: too
 * large) otherwise. Never blocks on a FIFO. */
int cli_read_file(const char *path, size_t max, char **text, size_t *len);
/* The reason for cli_read_file's errno, for messages. */
const char *cli_read_error(int err);
/* Largest variant document merge and sweep read. */
#define CLI_MAX_DOC_BYTES ((size_t)256 << 20)

#endif
