/* A small YAML tree: scalars, sequences and mappings with their positions.
 *
 * Built from libyaml's events by yaml_tree.c, changed by `--set` overrides,
 * then decoded by the loader. Anchors are ignored, aliases refused, nesting
 * is limited (IRQ_YAML_MAX_DEPTH), duplicate keys are errors, only one
 * document is allowed: what comes out is a plain tree of bounded depth. */
#ifndef IRQ_YAML_TREE_INTERNAL_H
#define IRQ_YAML_TREE_INTERNAL_H

#include <stdbool.h>
#include <stddef.h>

#include "error_internal.h"

#define IRQ_YAML_MAX_DEPTH 64

typedef enum irq_ykind { IRQ_YSCALAR, IRQ_YSEQ, IRQ_YMAP } irq_ykind;

typedef struct irq_ynode irq_ynode;

typedef struct irq_yentry {
    char *key;      /* owned */
    irq_mark mark;  /* of the key */
    irq_ynode *val; /* owned */
} irq_yentry;

struct irq_ynode {
    irq_ykind kind;
    irq_mark mark;       /* where the node starts */
    bool plain;          /* scalar: written without quotes */
    char *text;          /* scalar: owned, NUL-terminated (no NUL inside) */
    irq_ynode **items;   /* sequence: n items */
    irq_yentry *entries; /* mapping: n entries, in file order, keys unique */
    size_t n, cap;
};

/* Parses len bytes of YAML. Marks point at `file` (which must outlive the
 * tree). An empty stream gives *root == NULL and IRQ_OK. */
int irq__ytree_parse(irq_ynode **root, const char *data, size_t len, const char *file,
                     irq_error *err);
void irq__ytree_free(irq_ynode *n);

/* A plain empty scalar, ~ or null: "no value". */
bool irq__ynode_is_null(const irq_ynode *n);
/* "a scalar", "a sequence", "a mapping", "nothing" (NULL or null). */
const char *irq__ynode_kind_name(const irq_ynode *n);
/* The entry of a mapping with that key, or NULL. */
const irq_yentry *irq__ymap_find(const irq_ynode *map, const char *key);
const irq_ynode *irq__ymap_get(const irq_ynode *map, const char *key);

/* Applies one override "path.to.key=value" to the tree (whose root must be a
 * mapping). label (e.g. "--set a.b=1", outliving the tree) becomes the file
 * of the marks of what it creates, num (1-based) their line. */
int irq__ytree_set(irq_ynode *root, const char *spec, const char *label, unsigned num,
                   irq_error *err);

#endif
