/* Helpers of the scenario loader, shared by dist_parse.c, param.c and
 * the scenario loader (scenario*.c). Nothing here is used by the simulation. */
#ifndef IRQ_LOADER_INTERNAL_H
#define IRQ_LOADER_INTERNAL_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "param_internal.h"
#include "yaml_tree_internal.h"

/* Largest file read whole (scenario, replay, empirical samples). */
#define IRQ_MAX_FILE_BYTES (256u << 20)
#define IRQ_MAX_SCENARIO_BYTES (16u << 20)
/* Largest number of samples of empirical() and of timestamps of replay(). */
#define IRQ_MAX_SAMPLES 10000000u

/* ---- lexical helpers (dist_parse.c) ----------------------------------- */

/* Scans an unsigned decimal number at s (digits, optional fraction and
 * exponent: no sign, hex, inf or nan). Returns the characters used (0: no
 * number there) and the value in *v (may be inf on overflow). */
size_t irq__scan_number(const char *s, double *v);

/* Whole numbers written in decimal, nothing else around them. On error
 * return -1 with a reason in why. */
int irq__parse_u64(const char *text, uint64_t *out, char *why, size_t whylen);
int irq__parse_i64(const char *text, int64_t *out, char *why, size_t whylen);
/* A finite real number, optionally signed. */
int irq__parse_real(const char *text, double *out, char *why, size_t whylen);
/* A frequency: "1e9", "2.5GHz", "800 MHz" (Hz, kHz, MHz, GHz). */
int irq_parse_hz(const char *text, double *hz, char *why, size_t whylen);

/* A call such as storm(count=500, window=100us): a name and arguments,
 * positional ones first, then key=value ones. The strings point into buf. */
#define IRQ_CALL_MAXARGS 8
typedef struct irq_call {
    char buf[8192];
    const char *name;
    const char *inner; /* everything between the parentheses, trimmed */
    size_t nargs, npos;
    const char *key[IRQ_CALL_MAXARGS]; /* NULL for positional ones */
    const char *val[IRQ_CALL_MAXARGS];
} irq_call;

/* Returns 1 and fills c when text has the form name(...), 0 when it has no
 * parenthesis at all, -1 (with why) when it is malformed. */
int irq__call_parse(irq_call *c, const char *text, char *why, size_t whylen);
/* Checks the arguments against keys[0..nkeys): at most nkeys positional
 * ones (taken as keys[0], keys[1], ...), known keys, none given twice. */
int irq__call_check(const irq_call *c, const char *const *keys, size_t nkeys, char *why,
                    size_t whylen);
/* The value of keys[k] (positional or by key), or NULL. */
const char *irq__call_get(const irq_call *c, const char *const *keys, size_t k);

/* base_dir/file, or file itself when absolute or base_dir is NULL or "". */
char *irq__path_join(const char *base_dir, const char *file);
/* Reads a regular file of at most max bytes, NUL-terminated. -1 when it
 * cannot be read (why: the system's reason), -2 when it is refused (not a
 * regular file: a FIFO, a device; larger than max). */
int irq_read_file(const char *path, size_t max, char **data, size_t *len, char *why, size_t whylen);
/* Walks lines of [*p, end): returns the next one (without its newline,
 * comments from '#' cut, blanks trimmed) or NULL at the end. *lineno
 * counts lines from 1. */
const char *irq__next_line(const char **p, const char *end, size_t *len, size_t *lineno);

/* ---- decoding YAML against parameter tables (param.c) -------------------- */

typedef struct irq_ldctx {
    double clock_hz;
    const char *base_dir; /* for file names in values */
    const char *file;     /* the scenario: the file of defaults' marks */
    irq_error *err;
    uint64_t *data_hash; /* folds in the values read from data files; may be NULL */
} irq_ldctx;

/* A size in bytes: a number with an optional k, M, G or T (powers of
 * 1024, either case) and an optional B, e.g. 512M, 2G, 65536, as the CLI's
 * --max-memory. -1 with a reason. */
int irq__parse_size(const char *text, uint64_t *bytes, char *why, size_t whylen);

/* FNV-1a of n bytes, continuing from h: data files' identity for sweeps. */
uint64_t irq__hash_bytes(uint64_t h, const void *p, size_t n);

/* How a value of that type is written, for messages: "a duration such as
 * 50us", "true or false", ... */
const char *irq__param_expect(const irq_param_desc *d, char *buf, size_t len);

/* Decodes one value from node into v (whatever v held is freed first). */
int irq__param_decode(irq_param_value *v, const irq_param_desc *d, const irq_ynode *node,
                      const irq_ldctx *c);

/* Sets every value to its default (mark line 0); a required one (def NULL)
 * is left unset, with mark.file NULL. */
int irq__params_defaults(irq_param_value *v, const irq_param_desc *d, size_t n, const irq_ldctx *c);

/* Checks that every key of map is in d or in extra (NULL-terminated, may be
 * NULL); what names the section in messages ("host", "guest template 'web'"). */
int irq__params_check_keys(const irq_ynode *map, const irq_param_desc *d, size_t n,
                           const char *const *extra, const char *what, irq_error *err);

/* Decodes the keys of map that are in d, over the values already in v.
 * Keys not in d are ignored here (check them first). */
int irq__params_apply(irq_param_value *v, const irq_param_desc *d, size_t n, const irq_ynode *map,
                      const irq_ldctx *c);

/* Fails on the first required value still unset; at names where the
 * section is (the mapping's mark). */
int irq__params_check_required(const irq_param_value *v, const irq_param_desc *d, size_t n,
                               const irq_mark *at, const char *what, irq_error *err);

/* All of the above for one section: node may be NULL or null (absent or
 * empty: all defaults) or a mapping; anything else is an error. at is where
 * a missing required key is reported when node is absent. *out is allocated
 * (at least one element, zeroed) even when n is 0, and even on error. */
int irq__params_decode(irq_param_value **out, const irq_param_desc *d, size_t n,
                       const irq_ynode *node, const irq_mark *at, const char *const *extra,
                       const char *what, const irq_ldctx *c);

/* OK when node is a mapping, absent or null; else an error
 * "<what> must be a mapping, not a scalar". */
int irq__expect_map(const irq_ynode *node, const char *what, const irq_ldctx *c);

#endif
