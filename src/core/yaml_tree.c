/* The YAML tree: built from libyaml events, changed by --set overrides.
 *
 * The builder keeps an explicit stack (no recursion over the input), refuses
 * aliases (no "billion laughs"), nesting deeper than IRQ_YAML_MAX_DEPTH,
 * duplicate keys, non-scalar keys and a second document. */
#ifndef _POSIX_C_SOURCE
#define _POSIX_C_SOURCE 200809L
#endif
#include <errno.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <yaml.h>

#include "yaml_tree_internal.h"

/* ---- nodes ---------------------------------------------------------------- */

static irq_ynode *node_new(irq_ykind kind, irq_mark mark)
{
    irq_ynode *n = calloc(1, sizeof *n);
    if (n) {
        n->kind = kind;
        n->mark = mark;
    }
    return n;
}

static irq_ynode *scalar_new(const char *text, size_t len, bool plain, irq_mark mark)
{
    irq_ynode *n = node_new(IRQ_YSCALAR, mark);
    if (!n)
        return NULL;
    n->text = malloc(len + 1);
    if (!n->text) {
        free(n);
        return NULL;
    }
    memcpy(n->text, text, len);
    n->text[len] = '\0';
    n->plain = plain;
    return n;
}

/* Depth is bounded by the builder, so recursion here is bounded too. */
void irq__ytree_free(irq_ynode *n)
{
    if (!n)
        return;
    for (size_t i = 0; n->kind == IRQ_YSEQ && i < n->n; i++)
        irq__ytree_free(n->items[i]);
    for (size_t i = 0; n->kind == IRQ_YMAP && i < n->n; i++) {
        free(n->entries[i].key);
        irq__ytree_free(n->entries[i].val);
    }
    free(n->items);
    free(n->entries);
    free(n->text);
    free(n);
}

static int grow(void **arr, size_t *cap, size_t need, size_t elsize)
{
    if (need <= *cap)
        return 0;
    size_t ncap = *cap ? *cap * 2 : 4;
    while (ncap < need)
        ncap *= 2;
    if (ncap > SIZE_MAX / elsize)
        return -1;
    void *p = realloc(*arr, ncap * elsize);
    if (!p)
        return -1;
    *arr = p;
    *cap = ncap;
    return 0;
}

static int seq_append(irq_ynode *seq, irq_ynode *item)
{
    if (grow((void **)&seq->items, &seq->cap, seq->n + 1, sizeof *seq->items))
        return -1;
    seq->items[seq->n++] = item;
    return 0;
}

/* Takes ownership of key and val on success only. */
static int map_append(irq_ynode *map, char *key, irq_mark mark, irq_ynode *val)
{
    if (grow((void **)&map->entries, &map->cap, map->n + 1, sizeof *map->entries))
        return -1;
    map->entries[map->n++] = (irq_yentry){.key = key, .mark = mark, .val = val};
    return 0;
}

bool irq__ynode_is_null(const irq_ynode *n)
{
    if (!n)
        return true;
    if (n->kind != IRQ_YSCALAR || !n->plain)
        return false;
    const char *t = n->text;
    return !*t || !strcmp(t, "~") || !strcmp(t, "null") || !strcmp(t, "Null") || !strcmp(t, "NULL");
}

const char *irq__ynode_kind_name(const irq_ynode *n)
{
    if (irq__ynode_is_null(n))
        return "nothing";
    if (n->kind == IRQ_YSEQ)
        return "a sequence";
    if (n->kind == IRQ_YMAP)
        return "a mapping";
    return "a scalar";
}

const irq_yentry *irq__ymap_find(const irq_ynode *map, const char *key)
{
    if (!map || map->kind != IRQ_YMAP)
        return NULL;
    for (size_t i = 0; i < map->n; i++)
        if (strcmp(map->entries[i].key, key) == 0)
            return &map->entries[i];
    return NULL;
}

const irq_ynode *irq__ymap_get(const irq_ynode *map, const char *key)
{
    const irq_yentry *e = irq__ymap_find(map, key);
    return e ? e->val : NULL;
}

/* ---- duplicate keys ----------------------------------------------------- */

struct keyref {
    const char *key;
    size_t idx;
};

static int keyref_cmp(const void *a, const void *b)
{
    const struct keyref *x = a, *y = b;
    int c = strcmp(x->key, y->key);
    if (c)
        return c;
    return x->idx < y->idx ? -1 : x->idx > y->idx;
}

/* Finds the earliest entry (in file order) whose key appeared before it;
 * sets *first to that earlier one. Returns 1 if found, -1 on no memory. */
static int find_dup(const irq_ynode *map, size_t *dup, size_t *first)
{
    size_t n = map->n;
    if (n <= 32) {
        for (size_t j = 1; j < n; j++)
            for (size_t i = 0; i < j; i++)
                if (!strcmp(map->entries[i].key, map->entries[j].key)) {
                    *dup = j;
                    *first = i;
                    return 1;
                }
        return 0;
    }
    struct keyref *r = malloc(n * sizeof *r);
    if (!r)
        return -1;
    for (size_t i = 0; i < n; i++)
        r[i] = (struct keyref){map->entries[i].key, i};
    qsort(r, n, sizeof *r, keyref_cmp);
    int found = 0;
    for (size_t k = 0; k + 1 < n; k++) {
        if (strcmp(r[k].key, r[k + 1].key) || (found && r[k + 1].idx >= *dup))
            continue;
        /* r[k + 1]'s first occurrence: walk back to the start of the run. */
        size_t s = k;
        while (s > 0 && !strcmp(r[s - 1].key, r[k].key))
            s--;
        *dup = r[k + 1].idx;
        *first = r[s].idx;
        found = 1;
    }
    free(r);
    return found;
}

static int check_dups(const irq_ynode *map, irq_error *err)
{
    size_t dup = 0, first = 0;
    int r = find_dup(map, &dup, &first);
    if (r < 0)
        return irq_error_set(err, IRQ_ENOMEM, &map->mark, "out of memory");
    if (r == 0)
        return IRQ_OK;
    const irq_yentry *d = &map->entries[dup], *f = &map->entries[first];
    return irq_error_set(err, IRQ_EINPUT, &d->mark,
                         "duplicate key '%s' (first at line %u, column %u)", d->key, f->mark.line,
                         f->mark.column);
}

/* ---- the builder -------------------------------------------------------- */

typedef struct builder {
    const char *file;
    const char *data;
    size_t len;
    irq_error *err;
    irq_ynode *root;
    irq_ynode *stack[IRQ_YAML_MAX_DEPTH];
    size_t depth;
    irq_ynode *key; /* pending key of the innermost mapping */
    unsigned ndocs;
    bool done;
} builder;

static irq_mark ymark(const builder *b, yaml_mark_t m)
{
    return (irq_mark){b->file, (unsigned)m.line + 1, (unsigned)m.column + 1};
}

static int nomem(builder *b, irq_mark m)
{
    return irq_error_set(b->err, IRQ_ENOMEM, &m, "out of memory while reading YAML");
}

/* Attaches n to the innermost container (or makes it the root). Takes
 * ownership of n in every case. */
static int attach(builder *b, irq_ynode *n)
{
    if (b->depth == 0) {
        b->root = n;
        return IRQ_OK;
    }
    irq_ynode *top = b->stack[b->depth - 1];
    if (top->kind == IRQ_YSEQ) {
        if (seq_append(top, n) == 0)
            return IRQ_OK;
        irq__ytree_free(n);
        return nomem(b, top->mark);
    }
    if (!b->key) {
        if (n->kind != IRQ_YSCALAR) {
            irq_mark m = n->mark;
            const char *kind = n->kind == IRQ_YSEQ ? "a sequence" : "a mapping";
            irq__ytree_free(n);
            return irq_error_set(b->err, IRQ_EINPUT, &m,
                                 "a mapping key must be a plain name, not %s", kind);
        }
        b->key = n;
        return IRQ_OK;
    }
    irq_ynode *k = b->key;
    if (map_append(top, k->text, k->mark, n)) {
        irq__ytree_free(n);
        return nomem(b, top->mark);
    }
    b->key = NULL;
    k->text = NULL;
    irq__ytree_free(k);
    return IRQ_OK;
}

static int on_scalar(builder *b, const yaml_event_t *ev)
{
    irq_mark m = ymark(b, ev->start_mark);
    const char *v = (const char *)ev->data.scalar.value;
    size_t len = ev->data.scalar.length;
    if (memchr(v, '\0', len))
        return irq_error_set(b->err, IRQ_EINPUT, &m, "a NUL character inside a value");
    bool plain = ev->data.scalar.style == YAML_PLAIN_SCALAR_STYLE;
    irq_ynode *n = scalar_new(v, len, plain, m);
    if (!n)
        return nomem(b, m);
    return attach(b, n);
}

static int on_start(builder *b, const yaml_event_t *ev, irq_ykind kind)
{
    irq_mark m = ymark(b, ev->start_mark);
    if (b->depth == IRQ_YAML_MAX_DEPTH)
        return irq_error_set(b->err, IRQ_EINPUT, &m, "nesting deeper than %d levels",
                             IRQ_YAML_MAX_DEPTH);
    irq_ynode *n = node_new(kind, m);
    if (!n)
        return nomem(b, m);
    int rc = attach(b, n);
    if (rc == IRQ_OK)
        b->stack[b->depth++] = n;
    return rc;
}

static int on_end(builder *b)
{
    irq_ynode *n = b->stack[--b->depth];
    return n->kind == IRQ_YMAP ? check_dups(n, b->err) : IRQ_OK;
}

static int on_event(builder *b, const yaml_event_t *ev)
{
    switch (ev->type) {
    case YAML_DOCUMENT_START_EVENT:
        if (b->ndocs++ == 0)
            return IRQ_OK;
        {
            irq_mark m = ymark(b, ev->start_mark);
            return irq_error_set(b->err, IRQ_EINPUT, &m,
                                 "a second YAML document (expected one scenario per file)");
        }
    case YAML_ALIAS_EVENT: {
        irq_mark m = ymark(b, ev->start_mark);
        return irq_error_set(b->err, IRQ_EINPUT, &m,
                             "alias '*%s' is not supported (anchors and aliases are not "
                             "expanded: write the value out)",
                             (const char *)ev->data.alias.anchor);
    }
    case YAML_SCALAR_EVENT:
        return on_scalar(b, ev);
    case YAML_SEQUENCE_START_EVENT:
        return on_start(b, ev, IRQ_YSEQ);
    case YAML_MAPPING_START_EVENT:
        return on_start(b, ev, IRQ_YMAP);
    case YAML_SEQUENCE_END_EVENT:
    case YAML_MAPPING_END_EVENT:
        return on_end(b);
    case YAML_STREAM_END_EVENT:
        b->done = true;
        return IRQ_OK;
    default:
        return IRQ_OK;
    }
}

/* Reader errors (bad UTF-8, control characters) come with a byte offset. */
static irq_mark offset_mark(const builder *b, size_t off)
{
    if (off > b->len)
        off = b->len;
    unsigned line = 1;
    size_t bol = 0;
    for (size_t i = 0; i < off; i++)
        if (b->data[i] == '\n') {
            line++;
            bol = i + 1;
        }
    return (irq_mark){b->file, line, (unsigned)(off - bol + 1)};
}

static int parser_error(builder *b, const yaml_parser_t *p)
{
    if (p->error == YAML_MEMORY_ERROR)
        return nomem(b, (irq_mark){b->file, 0, 0});
    const char *problem = p->problem ? p->problem : "unknown error";
    if (p->error == YAML_READER_ERROR) {
        irq_mark m = offset_mark(b, p->problem_offset);
        if (p->problem_value >= 0)
            return irq_error_set(b->err, IRQ_EINPUT, &m,
                                 "not a YAML text file: %s (byte 0x%02x at offset %zu)", problem,
                                 (unsigned)p->problem_value & 0xffu, p->problem_offset);
        return irq_error_set(b->err, IRQ_EINPUT, &m, "not a YAML text file: %s", problem);
    }
    irq_mark m = ymark(b, p->problem_mark);
    if (p->context)
        return irq_error_set(b->err, IRQ_EINPUT, &m,
                             "YAML syntax error: %s (%s at line %zu, column %zu)", problem,
                             p->context, p->context_mark.line + 1, p->context_mark.column + 1);
    return irq_error_set(b->err, IRQ_EINPUT, &m, "YAML syntax error: %s", problem);
}

int irq__ytree_parse(irq_ynode **root, const char *data, size_t len, const char *file,
                     irq_error *err)
{
    builder b = {.file = file, .data = data, .len = len, .err = err};
    yaml_parser_t p;
    *root = NULL;
    if (!yaml_parser_initialize(&p))
        return nomem(&b, (irq_mark){file, 0, 0});
    yaml_parser_set_input_string(&p, (const unsigned char *)data, len);
    int rc = IRQ_OK;
    while (rc == IRQ_OK && !b.done) {
        yaml_event_t ev;
        if (!yaml_parser_parse(&p, &ev)) {
            rc = parser_error(&b, &p);
            break;
        }
        rc = on_event(&b, &ev);
        yaml_event_delete(&ev);
    }
    yaml_parser_delete(&p);
    irq__ytree_free(b.key);
    if (rc != IRQ_OK) {
        irq__ytree_free(b.root);
        return rc;
    }
    *root = b.root;
    return IRQ_OK;
}

/* ---- --set overrides ------------------------------------------------------ */

typedef struct setctx {
    const char *path; /* the path part of the spec, NUL-terminated copy */
    size_t nseg;
    size_t *off, *len; /* segment offsets and lengths in path */
    irq_mark mark;
    irq_error *err;
} setctx;

static void set_lines(irq_ynode *n, unsigned line)
{
    n->mark.line = line;
    for (size_t i = 0; n->kind == IRQ_YSEQ && i < n->n; i++)
        set_lines(n->items[i], line);
    for (size_t i = 0; n->kind == IRQ_YMAP && i < n->n; i++) {
        n->entries[i].mark.line = line;
        set_lines(n->entries[i].val, line);
    }
}

/* A value starting with [ or { is parsed as YAML flow; anything else is
 * taken as a plain scalar, exactly as written. */
static int make_value(irq_ynode **out, const char *value, const setctx *s)
{
    if (value[0] == '[' || value[0] == '{') {
        int rc = irq__ytree_parse(out, value, strlen(value), s->mark.file, s->err);
        if (rc != IRQ_OK && s->err)
            s->err->line = s->mark.line; /* the override's number, as for the rest */
        if (rc != IRQ_OK)
            return rc;
        if (*out) {
            set_lines(*out, s->mark.line);
            return IRQ_OK;
        }
    }
    *out = scalar_new(value, strlen(value), true, s->mark);
    return *out ? IRQ_OK : irq_error_set(s->err, IRQ_ENOMEM, &s->mark, "out of memory");
}

static int split_path(setctx *s, char *path)
{
    size_t n = 1;
    for (char *p = path; *p; p++)
        n += *p == '.';
    s->off = malloc(n * sizeof *s->off);
    s->len = malloc(n * sizeof *s->len);
    if (!s->off || !s->len)
        return irq_error_set(s->err, IRQ_ENOMEM, &s->mark, "out of memory");
    s->nseg = n;
    size_t start = 0, k = 0;
    for (size_t i = 0;; i++) {
        if (path[i] != '.' && path[i] != '\0')
            continue;
        s->off[k] = start;
        s->len[k++] = i - start;
        if (i == start)
            return irq_error_set(s->err, IRQ_EINPUT, &s->mark,
                                 "empty name in the path (expected path.to.key=value)");
        if (path[i] == '\0')
            break;
        start = i + 1;
    }
    return IRQ_OK;
}

static bool all_digits(const char *p, size_t len)
{
    if (len == 0 || len > 9)
        return false;
    for (size_t i = 0; i < len; i++)
        if (p[i] < '0' || p[i] > '9')
            return false;
    return true;
}

static const char *elem_name(const irq_ynode *e)
{
    const irq_ynode *n = irq__ymap_get(e, "name");
    return n && n->kind == IRQ_YSCALAR ? n->text : NULL;
}

static void list_names(const irq_ynode *seq, char *buf, size_t len)
{
    size_t used = 0;
    buf[0] = '\0';
    for (size_t i = 0; i < seq->n && used + 1 < len; i++) {
        const char *nm = elem_name(seq->items[i]);
        if (!nm)
            continue;
        int w = snprintf(buf + used, len - used, "%s%s", used ? ", " : "", nm);
        if (w < 0 || (size_t)w >= len - used) {
            snprintf(buf + (len > 4 ? len - 4 : 0), len > 4 ? 4 : len, "...");
            return;
        }
        used += (size_t)w;
    }
    if (!used)
        snprintf(buf, len, "none has a name");
}

/* Resolves segments i.. in a sequence: an index, or the name of an element
 * (a name may contain dots: the longest match wins). Sets *last to the last
 * segment used. */
static int seq_lookup(const setctx *s, const irq_ynode *seq, size_t i, size_t *k, size_t *last)
{
    const char *p = s->path + s->off[i];
    const char *pre = s->path;
    size_t prelen = i ? s->off[i] - 1 : 0;
    if (all_digits(p, s->len[i])) {
        *k = (size_t)strtoul(p, NULL, 10);
        *last = i;
        if (*k < seq->n)
            return IRQ_OK;
        return irq_error_set(s->err, IRQ_EINPUT, &s->mark,
                             "index %.*s is out of range for '%.*s' (it has %zu element%s)",
                             (int)s->len[i], p, (int)prelen, pre, seq->n, seq->n == 1 ? "" : "s");
    }
    for (size_t j = s->nseg; j-- > i;) {
        size_t want = s->off[j] + s->len[j] - s->off[i];
        for (size_t e = 0; e < seq->n; e++) {
            const char *nm = elem_name(seq->items[e]);
            if (nm && strlen(nm) == want && !memcmp(nm, p, want)) {
                *k = e;
                *last = j;
                return IRQ_OK;
            }
        }
    }
    char names[300];
    list_names(seq, names, sizeof names);
    return irq_error_set(s->err, IRQ_EINPUT, &s->mark,
                         "no element named '%.*s' in '%.*s' (address an element by index or by "
                         "name: %s)",
                         (int)s->len[i], p, (int)prelen, pre, names);
}

/* Puts val at key seg in map (replacing or adding). Consumes val. */
static int map_put(const setctx *s, irq_ynode *map, size_t i, irq_ynode *val)
{
    const char *seg = s->path + s->off[i];
    for (size_t e = 0; e < map->n; e++) {
        irq_yentry *en = &map->entries[e];
        if (strlen(en->key) == s->len[i] && !memcmp(en->key, seg, s->len[i])) {
            irq__ytree_free(en->val);
            en->val = val;
            return IRQ_OK;
        }
    }
    char *key = strndup(seg, s->len[i]);
    if (key && map_append(map, key, s->mark, val) == 0)
        return IRQ_OK;
    free(key);
    irq__ytree_free(val);
    return irq_error_set(s->err, IRQ_ENOMEM, &s->mark, "out of memory");
}

/* The child of map at segment i, created as an empty mapping when missing
 * or null (so `--set host.cpus=8` works without a host section). */
static int map_child(const setctx *s, irq_ynode *map, size_t i, irq_ynode **child)
{
    const char *seg = s->path + s->off[i];
    for (size_t e = 0; e < map->n; e++) {
        irq_yentry *en = &map->entries[e];
        if (strlen(en->key) == s->len[i] && !memcmp(en->key, seg, s->len[i])) {
            if (irq__ynode_is_null(en->val)) {
                irq_ynode *m = node_new(IRQ_YMAP, s->mark);
                if (!m)
                    return irq_error_set(s->err, IRQ_ENOMEM, &s->mark, "out of memory");
                irq__ytree_free(en->val);
                en->val = m;
            }
            *child = en->val;
            return IRQ_OK;
        }
    }
    irq_ynode *m = node_new(IRQ_YMAP, s->mark);
    if (!m)
        return irq_error_set(s->err, IRQ_ENOMEM, &s->mark, "out of memory");
    int rc = map_put(s, map, i, m);
    *child = m;
    return rc;
}

static int walk_set(const setctx *s, irq_ynode *cur, irq_ynode *val)
{
    size_t i = 0;
    int rc = IRQ_OK;
    while (rc == IRQ_OK) {
        bool last = i + 1 == s->nseg;
        if (cur->kind == IRQ_YMAP) {
            if (last)
                return map_put(s, cur, i, val);
            rc = map_child(s, cur, i, &cur);
            i++;
        } else if (cur->kind == IRQ_YSEQ) {
            size_t k = 0, j = 0;
            rc = seq_lookup(s, cur, i, &k, &j);
            if (rc == IRQ_OK && j + 1 == s->nseg) {
                irq__ytree_free(cur->items[k]);
                cur->items[k] = val;
                return IRQ_OK;
            }
            if (rc == IRQ_OK)
                cur = cur->items[k];
            i = j + 1;
        } else {
            rc = irq_error_set(s->err, IRQ_EINPUT, &s->mark,
                               "cannot set '%.*s': '%.*s' is a scalar, not a mapping or a sequence",
                               (int)s->len[i], s->path + s->off[i], (int)(s->off[i] - 1), s->path);
        }
    }
    irq__ytree_free(val);
    return rc;
}

int irq__ytree_set(irq_ynode *root, const char *spec, const char *label, unsigned num,
                   irq_error *err)
{
    setctx s = {.mark = {label, num, 1}, .err = err};
    const char *eq = strchr(spec, '=');
    if (!eq || eq == spec)
        return irq_error_set(err, IRQ_EINPUT, &s.mark, "expected path.to.key=value");
    char *path = strndup(spec, (size_t)(eq - spec));
    if (!path)
        return irq_error_set(err, IRQ_ENOMEM, &s.mark, "out of memory");
    s.path = path;
    irq_ynode *val = NULL;
    int rc = split_path(&s, path);
    if (rc == IRQ_OK)
        rc = make_value(&val, eq + 1, &s);
    if (rc == IRQ_OK)
        rc = walk_set(&s, root, val);
    free(s.off);
    free(s.len);
    free(path);
    return rc;
}
