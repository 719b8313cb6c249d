/* Parameter tables: decoding YAML values against them, and describing them
 * for `irqsim models` and docs/models.md. */
#ifndef _POSIX_C_SOURCE
#define _POSIX_C_SOURCE 200809L
#endif
#include <float.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "loader_internal.h"

static const char *const type_names[] = {
    [IRQ_PARAM_INT] = "int",           [IRQ_PARAM_DOUBLE] = "real",
    [IRQ_PARAM_BOOL] = "bool",         [IRQ_PARAM_DURATION] = "duration",
    [IRQ_PARAM_ENUM] = "enum",         [IRQ_PARAM_DIST] = "distribution",
    [IRQ_PARAM_BITS] = "list of bits", [IRQ_PARAM_STRING] = "string",
};

const char *irq_param_type_name(irq_param_type t)
{
    if ((unsigned)t < sizeof type_names / sizeof type_names[0] && type_names[t])
        return type_names[t];
    return "?";
}

/* Frees what the values own (strings, samples); not the array itself, which
 * may be embedded (irq_scenario.host). d may be NULL. */
void irq_param_values_free(irq_param_value *v, size_t n, const irq_param_desc *d)
{
    (void)d;
    if (!v)
        return;
    for (size_t i = 0; i < n; i++) {
        free(v[i].str);
        v[i].str = NULL;
        irq_dist_free(&v[i].dist);
        memset(&v[i].dist, 0, sizeof v[i].dist);
    }
}

void irq_params_bind(void *obj, const irq_param_desc *d, size_t n, const irq_param_value *v)
{
    for (size_t i = 0; i < n; i++) {
        if (!d[i].field)
            continue;
        char *at = (char *)obj + d[i].field - 1;
        switch ((irq_field_type)d[i].ftype) {
        case IRQ_FIELD_I64:
            memcpy(at, &v[i].i, sizeof(int64_t));
            break;
        case IRQ_FIELD_U32: {
            uint32_t x = (uint32_t)v[i].i;
            memcpy(at, &x, sizeof x);
            break;
        }
        case IRQ_FIELD_INT: {
            int x = (int)v[i].i;
            memcpy(at, &x, sizeof x);
            break;
        }
        case IRQ_FIELD_BOOL: {
            bool x = v[i].i != 0;
            memcpy(at, &x, sizeof x);
            break;
        }
        case IRQ_FIELD_U64:
            memcpy(at, &v[i].u, sizeof(uint64_t));
            break;
        case IRQ_FIELD_DBL:
            memcpy(at, &v[i].d, sizeof(double));
            break;
        case IRQ_FIELD_DIST: {
            const irq_dist *p = &v[i].dist;
            memcpy(at, &p, sizeof p);
            break;
        }
        case IRQ_FIELD_NONE:
            break;
        }
    }
}

/* ---- formatting helpers ---------------------------------------------------- */

static void fmt_ns(char *buf, size_t len, double ns)
{
    if (ns >= 1e9)
        snprintf(buf, len, "%gs", ns / 1e9);
    else if (ns >= 1e6)
        snprintf(buf, len, "%gms", ns / 1e6);
    else if (ns >= 1e3)
        snprintf(buf, len, "%gus", ns / 1e3);
    else
        snprintf(buf, len, "%gns", ns);
}

static bool has_range(const irq_param_desc *d)
{
    return d->min != 0 || d->max != 0;
}

/* Appends s to buf (used so far: *used), truncating with "..." when full. */
static void append(char *buf, size_t len, size_t *used, const char *s)
{
    if (*used + 1 >= len)
        return;
    int w = snprintf(buf + *used, len - *used, "%s", s);
    if (w >= 0 && (size_t)w < len - *used) {
        *used += (size_t)w;
        return;
    }
    if (len >= 4)
        memcpy(buf + len - 4, "...", 4);
    *used = len;
}

static void join_choices(char *buf, size_t len, const char *const *choices, const char *sep)
{
    size_t used = 0;
    buf[0] = '\0';
    for (size_t i = 0; choices && choices[i]; i++) {
        if (i)
            append(buf, len, &used, sep);
        append(buf, len, &used, choices[i]);
    }
}

static void fmt_range(char *buf, size_t len, const irq_param_desc *d, const char *sep)
{
    char a[32], b[32];
    buf[0] = '\0';
    if (d->type == IRQ_PARAM_ENUM) {
        join_choices(buf, len, d->choices, sep);
    } else if (d->type == IRQ_PARAM_BITS && d->choices) {
        join_choices(buf, len, d->choices, sep);
    } else if (d->type == IRQ_PARAM_BITS) {
        snprintf(buf, len, "%.15g..%.15g", has_range(d) ? d->min : 0, has_range(d) ? d->max : 63);
    } else if (d->type == IRQ_PARAM_DURATION && has_range(d)) {
        fmt_ns(a, sizeof a, d->min);
        fmt_ns(b, sizeof b, d->max);
        snprintf(buf, len, "%s..%s", a, b);
    } else if ((d->type == IRQ_PARAM_INT || d->type == IRQ_PARAM_DOUBLE) && has_range(d)) {
        snprintf(buf, len, "%.15g..%.15g", d->min, d->max);
    }
}

const char *irq__param_expect(const irq_param_desc *d, char *buf, size_t len)
{
    char r[300];
    switch (d->type) {
    case IRQ_PARAM_INT:
        snprintf(buf, len, "a whole number");
        break;
    case IRQ_PARAM_DOUBLE:
        snprintf(buf, len, "a number");
        break;
    case IRQ_PARAM_BOOL:
        snprintf(buf, len, "true or false");
        break;
    case IRQ_PARAM_DURATION:
        snprintf(buf, len, "a duration such as 50us");
        break;
    case IRQ_PARAM_ENUM:
        join_choices(r, sizeof r, d->choices, ", ");
        snprintf(buf, len, "one of: %s", r);
        break;
    case IRQ_PARAM_DIST:
        snprintf(buf, len, "a distribution such as exp(200us)");
        break;
    case IRQ_PARAM_BITS:
        if (d->choices) {
            join_choices(r, sizeof r, d->choices, ", ");
            snprintf(buf, len, "a list of names from: %s", r);
        } else {
            snprintf(buf, len, "a list of whole numbers such as [3, 5]");
        }
        break;
    default:
        snprintf(buf, len, "a string");
        break;
    }
    return buf;
}

/* ---- decoding one value ------------------------------------------------------ */

static int range_error(const irq_param_desc *d, const irq_ynode *n, bool low, const irq_ldctx *c)
{
    char lim[32];
    double x = low ? d->min : d->max;
    if (d->type == IRQ_PARAM_DURATION)
        fmt_ns(lim, sizeof lim, x);
    else
        snprintf(lim, sizeof lim, "%.15g", x);
    return irq_error_set(c->err, IRQ_EINPUT, &n->mark, "'%s' must be at %s %s (got %s)", d->name,
                         low ? "least" : "most", lim, n->text);
}

/* The documented range, exactly. A duration is compared after its trip
 * through cycles (ns -> cycles -> ns), which may cost it the last bits:
 * `slack` forgives those (a few units in the last place of the limit) and
 * nothing more, so 0 is never "at least 1ns". */
static int check_range(const irq_param_desc *d, double x, double slack, const irq_ynode *n,
                       const irq_ldctx *c)
{
    if (!has_range(d))
        return IRQ_OK;
    if (x < d->min - slack * fabs(d->min))
        return range_error(d, n, true, c);
    if (x > d->max + slack * fabs(d->max))
        return range_error(d, n, false, c);
    return IRQ_OK;
}

/* A duration that is not 0 but rounds to 0 cycles would silently be 0. */
static int check_cycles(const irq_param_value *v, const irq_param_desc *d, const irq_ynode *n,
                        const irq_ldctx *c)
{
    if (v->u != 0 || v->d == 0)
        return IRQ_OK;
    return irq_error_set(c->err, IRQ_EINPUT, &n->mark,
                         "'%s': %s is 0 cycles at %.6g MHz (expected at least one cycle, %.6g ns)",
                         d->name, n->text, c->clock_hz / 1e6, 1e9 / c->clock_hz);
}

static int bad_value(const irq_param_desc *d, const irq_ynode *n, const char *what, const char *why,
                     const irq_ldctx *c)
{
    return irq_error_set(c->err, IRQ_EINPUT, &n->mark, "bad %s '%s' for '%s' (%s)", what, n->text,
                         d->name, why);
}

static int64_t choice_index(const irq_param_desc *d, const char *name)
{
    for (int64_t i = 0; d->choices[i] && i < 64; i++)
        if (!strcmp(d->choices[i], name))
            return i;
    return -1;
}

static int decode_bits(irq_param_value *v, const irq_param_desc *d, const irq_ynode *node,
                       const irq_ldctx *c)
{
    double lo = has_range(d) ? d->min : 0, hi = has_range(d) ? fmin(d->max, 63) : 63;
    char why[160];
    for (size_t i = 0; i < node->n; i++) {
        const irq_ynode *it = node->items[i];
        int64_t x;
        if (it->kind != IRQ_YSCALAR)
            return irq_error_set(c->err, IRQ_EINPUT, &it->mark,
                                 "the elements of '%s' must be %s, not %s", d->name,
                                 d->choices ? "names" : "whole numbers", irq__ynode_kind_name(it));
        if (d->choices) { /* a set of named flags: bit n is choices[n] */
            if ((x = choice_index(d, it->text)) < 0) {
                char r[300];
                join_choices(r, sizeof r, d->choices, ", ");
                return irq_error_set(c->err, IRQ_EINPUT, &it->mark,
                                     "unknown element '%s' in '%s' (expected one of: %s)", it->text,
                                     d->name, r);
            }
            v->u |= 1ull << x;
            continue;
        }
        if (irq__parse_i64(it->text, &x, why, sizeof why))
            return irq_error_set(c->err, IRQ_EINPUT, &it->mark, "bad element '%s' in '%s' (%s)",
                                 it->text, d->name, why);
        if (x < lo || x > hi)
            return irq_error_set(c->err, IRQ_EINPUT, &it->mark,
                                 "element %s of '%s' must be from %.0f to %.0f", it->text, d->name,
                                 lo, hi);
        v->u |= 1ull << x;
    }
    return IRQ_OK;
}

static int decode_bool(irq_param_value *v, const irq_param_desc *d, const irq_ynode *n,
                       const irq_ldctx *c)
{
    if (!strcmp(n->text, "true") || !strcmp(n->text, "false")) {
        v->i = n->text[0] == 't';
        return IRQ_OK;
    }
    return bad_value(d, n, "value", "expected true or false; yes, no, on, off are not accepted", c);
}

static int decode_enum(irq_param_value *v, const irq_param_desc *d, const irq_ynode *n,
                       const irq_ldctx *c)
{
    for (size_t i = 0; d->choices && d->choices[i]; i++)
        if (!strcmp(d->choices[i], n->text)) {
            v->i = (int64_t)i;
            return IRQ_OK;
        }
    char e[300], why[320];
    snprintf(why, sizeof why, "expected %s", irq__param_expect(d, e, sizeof e));
    return bad_value(d, n, "value", why, c);
}

static int decode_scalar(irq_param_value *v, const irq_param_desc *d, const irq_ynode *n,
                         const irq_ldctx *c)
{
    char why[400];
    switch (d->type) {
    case IRQ_PARAM_INT:
        if (irq__parse_i64(n->text, &v->i, why, sizeof why))
            return bad_value(d, n, "value", why, c);
        return check_range(d, (double)v->i, 0, n, c);
    case IRQ_PARAM_DOUBLE:
        if (irq__parse_real(n->text, &v->d, why, sizeof why))
            return bad_value(d, n, "value", why, c);
        return check_range(d, v->d, 0, n, c);
    case IRQ_PARAM_BOOL:
        return decode_bool(v, d, n, c);
    case IRQ_PARAM_DURATION:
        if (irq_parse_duration(n->text, c->clock_hz, &v->d, why, sizeof why))
            return bad_value(d, n, "duration", why, c);
        v->u = (uint64_t)llround(v->d);
        if (check_range(d, v->d * 1e9 / c->clock_hz, 8 * DBL_EPSILON, n, c) != IRQ_OK)
            return c->err->status;
        return check_cycles(v, d, n, c);
    case IRQ_PARAM_ENUM:
        return decode_enum(v, d, n, c);
    case IRQ_PARAM_DIST:
        if (irq_dist_parse(&v->dist, n->text, c->clock_hz, c->base_dir, why, sizeof why))
            return bad_value(d, n, "distribution", why, c);
        if (c->data_hash && v->dist.kind == IRQ_DIST_EMPIRICAL)
            *c->data_hash = irq__hash_bytes(*c->data_hash, v->dist.samples,
                                            v->dist.nsamples * sizeof *v->dist.samples);
        return IRQ_OK;
    default:
        v->str = strdup(n->text);
        return v->str ? IRQ_OK : irq_error_set(c->err, IRQ_ENOMEM, &n->mark, "out of memory");
    }
}

int irq__param_decode(irq_param_value *v, const irq_param_desc *d, const irq_ynode *node,
                      const irq_ldctx *c)
{
    char e[300];
    bool seq = d->type == IRQ_PARAM_BITS;
    if (irq__ynode_is_null(node))
        return irq_error_set(c->err, IRQ_EINPUT, node ? &node->mark : NULL,
                             "missing value for '%s' (expected %s)", d->name,
                             irq__param_expect(d, e, sizeof e));
    if (node->kind != (seq ? IRQ_YSEQ : IRQ_YSCALAR))
        return irq_error_set(c->err, IRQ_EINPUT, &node->mark, "'%s' must be %s, not %s", d->name,
                             irq__param_expect(d, e, sizeof e), irq__ynode_kind_name(node));
    irq_param_value t = {.mark = node->mark};
    int rc = seq ? decode_bits(&t, d, node, c) : decode_scalar(&t, d, node, c);
    if (rc != IRQ_OK) {
        irq_param_values_free(&t, 1, d);
        return rc;
    }
    irq_param_values_free(v, 1, d);
    *v = t;
    return IRQ_OK;
}

/* ---- tables ------------------------------------------------------------------- */

static int decode_default(irq_param_value *v, const irq_param_desc *d, const irq_ldctx *c)
{
    irq_mark m = {c->file, 0, 0};
    irq_ynode *tree = NULL;
    irq_ynode flat = {.kind = IRQ_YSCALAR, .mark = m, .plain = true, .text = (char *)d->def};
    int rc = IRQ_OK;
    if (d->def[0] == '[')
        rc = irq__ytree_parse(&tree, d->def, strlen(d->def), c->file, c->err);
    if (rc == IRQ_OK)
        rc = irq__param_decode(v, d, tree ? tree : &flat, c);
    irq__ytree_free(tree);
    if (rc == IRQ_EINPUT && c->err && strstr(c->err->message, " is 0 cycles at ")) {
        /* a slow clock: the user's choice, not ours */
        irq_error_set(c->err, rc, &m,
                      "the default of '%s' (%s) is 0 cycles at %.6g MHz: set '%s' or a faster "
                      "clock_hz",
                      d->name, d->def, c->clock_hz / 1e6, d->name);
    } else if (rc != IRQ_OK && c->err) {
        char msg[sizeof c->err->message];
        snprintf(msg, sizeof msg, "%s", c->err->message);
        irq_error_set(c->err, rc, &m, "internal error: the default of '%s' is invalid: %s", d->name,
                      msg);
    }
    v->mark = m;
    return rc;
}

int irq__params_defaults(irq_param_value *v, const irq_param_desc *d, size_t n, const irq_ldctx *c)
{
    for (size_t i = 0; i < n; i++) {
        irq_param_values_free(&v[i], 1, &d[i]);
        memset(&v[i], 0, sizeof v[i]);
        if (d[i].def) {
            int rc = decode_default(&v[i], &d[i], c);
            if (rc != IRQ_OK)
                return rc;
        }
    }
    return IRQ_OK;
}

static size_t find_param(const irq_param_desc *d, size_t n, const char *key)
{
    for (size_t i = 0; i < n; i++)
        if (!strcmp(d[i].name, key))
            return i;
    return n;
}

static bool in_list(const char *const *list, const char *key)
{
    for (size_t i = 0; list && list[i]; i++)
        if (!strcmp(list[i], key))
            return true;
    return false;
}

int irq__params_check_keys(const irq_ynode *map, const irq_param_desc *d, size_t n,
                           const char *const *extra, const char *what, irq_error *err)
{
    for (size_t e = 0; map && map->kind == IRQ_YMAP && e < map->n; e++) {
        const irq_yentry *en = &map->entries[e];
        if (find_param(d, n, en->key) < n || in_list(extra, en->key))
            continue;
        char keys[320];
        size_t used = 0;
        keys[0] = '\0';
        for (size_t i = 0; extra && extra[i]; i++) {
            append(keys, sizeof keys, &used, used ? ", " : "");
            append(keys, sizeof keys, &used, extra[i]);
        }
        for (size_t i = 0; i < n; i++) {
            append(keys, sizeof keys, &used, used ? ", " : "");
            append(keys, sizeof keys, &used, d[i].name);
        }
        if (!keys[0])
            return irq_error_set(err, IRQ_EINPUT, &en->mark,
                                 "unknown key '%s' in %s (it takes no keys)", en->key, what);
        return irq_error_set(err, IRQ_EINPUT, &en->mark,
                             "unknown key '%s' in %s (expected one of: %s)", en->key, what, keys);
    }
    return IRQ_OK;
}

int irq__params_apply(irq_param_value *v, const irq_param_desc *d, size_t n, const irq_ynode *map,
                      const irq_ldctx *c)
{
    for (size_t e = 0; map && map->kind == IRQ_YMAP && e < map->n; e++) {
        size_t i = find_param(d, n, map->entries[e].key);
        if (i == n)
            continue;
        int rc = irq__param_decode(&v[i], &d[i], map->entries[e].val, c);
        if (rc != IRQ_OK)
            return rc;
    }
    return IRQ_OK;
}

int irq__params_check_required(const irq_param_value *v, const irq_param_desc *d, size_t n,
                               const irq_mark *at, const char *what, irq_error *err)
{
    for (size_t i = 0; i < n; i++)
        if (!d[i].def && !v[i].mark.file)
            return irq_error_set(err, IRQ_EINPUT, at, "missing required key '%s' in %s", d[i].name,
                                 what);
    return IRQ_OK;
}

int irq__expect_map(const irq_ynode *node, const char *what, const irq_ldctx *c)
{
    if (irq__ynode_is_null(node) || node->kind == IRQ_YMAP)
        return IRQ_OK;
    return irq_error_set(c->err, IRQ_EINPUT, &node->mark, "%s must be a mapping, not %s", what,
                         irq__ynode_kind_name(node));
}

int irq__params_decode(irq_param_value **out, const irq_param_desc *d, size_t n,
                       const irq_ynode *node, const irq_mark *at, const char *const *extra,
                       const char *what, const irq_ldctx *c)
{
    *out = calloc(n ? n : 1, sizeof **out);
    if (!*out)
        return irq_error_set(c->err, IRQ_ENOMEM, at, "out of memory");
    int rc = irq__expect_map(node, what, c);
    if (rc == IRQ_OK)
        rc = irq__params_defaults(*out, d, n, c);
    if (rc == IRQ_OK)
        rc = irq__params_check_keys(node, d, n, extra, what, c->err);
    if (rc == IRQ_OK)
        rc = irq__params_apply(*out, d, n, node, c);
    if (rc == IRQ_OK && node && node->kind == IRQ_YMAP)
        at = &node->mark;
    if (rc == IRQ_OK)
        rc = irq__params_check_required(*out, d, n, at, what, c->err);
    return rc;
}

/* ---- describing tables ---------------------------------------------------------- */

static void origin(char *buf, size_t len, const irq_param_desc *d, bool markdown)
{
    if (d->assumption && d->source)
        snprintf(buf, len, "assumption (no public source): %s", d->source);
    else if (d->assumption)
        snprintf(buf, len,
                 markdown ? "assumption (no public source)" : "(assumption: no public source)");
    else if (d->source)
        snprintf(buf, len, "source: %s", d->source);
    else
        snprintf(buf, len, "source: not given");
}

/* Markdown cells: '|' would end the cell. */
static void md_cell(FILE *out, const char *s)
{
    fputs(" ", out);
    for (; s && *s; s++) {
        if (*s == '|')
            fputc('\\', out);
        fputc(*s, out);
    }
    fputs(" |", out);
}

static void describe_markdown(FILE *out, const irq_param_desc *d, size_t n)
{
    fputs("| name | type | default | unit | range | meaning | origin |\n", out);
    fputs("|---|---|---|---|---|---|---|\n", out);
    for (size_t i = 0; i < n; i++) {
        char range[320], org[400], name[80];
        fmt_range(range, sizeof range, &d[i], ", ");
        origin(org, sizeof org, &d[i], true);
        snprintf(name, sizeof name, "`%s`", d[i].name);
        fputs("|", out);
        md_cell(out, name);
        md_cell(out, irq_param_type_name(d[i].type));
        md_cell(out, d[i].def ? d[i].def : "(required)");
        md_cell(out, d[i].unit ? d[i].unit : "");
        md_cell(out, range);
        md_cell(out, d[i].help ? d[i].help : "");
        md_cell(out, org);
        fputs("\n", out);
    }
}

static void describe_text(FILE *out, const irq_param_desc *d, size_t n)
{
    int wn = 4, wt = 4, wd = 7, wu = 4;
    for (size_t i = 0; i < n; i++) {
        wn = (int)fmax(wn, (double)strlen(d[i].name));
        wt = (int)fmax(wt, (double)strlen(irq_param_type_name(d[i].type)));
        wd = (int)fmax(wd, (double)strlen(d[i].def ? d[i].def : "(required)"));
        wu = (int)fmax(wu, (double)strlen(d[i].unit ? d[i].unit : ""));
    }
    fprintf(out, "    %-*s  %-*s  %-*s  %-*s  %s\n", wn, "name", wt, "type", wd, "default", wu,
            "unit", "range");
    for (size_t i = 0; i < n; i++) {
        char range[320], org[400];
        fmt_range(range, sizeof range, &d[i], " | ");
        origin(org, sizeof org, &d[i], false);
        char line[1024];
        int w = snprintf(line, sizeof line, "    %-*s  %-*s  %-*s  %-*s  %s", wn, d[i].name, wt,
                         irq_param_type_name(d[i].type), wd, d[i].def ? d[i].def : "(required)", wu,
                         d[i].unit ? d[i].unit : "", range);
        for (size_t e = w < 0 ? 0 : strlen(line); e && line[e - 1] == ' '; e--)
            line[e - 1] = '\0';
        fprintf(out, "%s\n", line);
        if (d[i].help)
            fprintf(out, "        %s\n", d[i].help);
        fprintf(out, "        %s\n", org);
    }
}

void irq_params_describe(FILE *out, const irq_param_desc *d, size_t n, int markdown)
{
    if (n == 0) {
        fputs(markdown ? "(no parameters)\n\n" : "    (no parameters)\n", out);
        return;
    }
    if (markdown)
        describe_markdown(out, d, n);
    else
        describe_text(out, d, n);
}
