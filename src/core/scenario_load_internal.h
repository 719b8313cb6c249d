/* What the parts of the scenario loader share: scenario.c (the document,
 * its top-level keys and the entry points), scenario_host.c, scenario_model.c
 * (the model's sections), scenario_guests.c (guest templates and their
 * workload) and scenario_sources.c. Nothing here is used outside them. */
#ifndef IRQ_SCENARIO_LOAD_INTERNAL_H
#define IRQ_SCENARIO_LOAD_INTERNAL_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "loader_internal.h"
#include "scenario_internal.h"

typedef struct loader {
    irq_scenario *sc;
    irq_ynode *root;
    irq_ldctx c;
    uint32_t *order; /* template indexes sorted by name (scenario_guests.c) */
} loader;

/* ---- fields described like parameters, so messages are the same (scenario.c) ---- */

/* Decode map[d->name] (the default when the key is absent, an error when
 * it is also required) into *out; mark (may be NULL) gets the value's place. */
int irq__field_int(const loader *L, const irq_ynode *map, const irq_param_desc *d, const char *what,
                   int64_t *out, irq_mark *mark);
int irq__field_dur(const loader *L, const irq_ynode *map, const irq_param_desc *d, const char *what,
                   uint64_t *out, irq_mark *mark);
/* Takes the string: *out is owned by the caller afterwards. */
int irq__field_str(const loader *L, const irq_ynode *map, const irq_param_desc *d, const char *what,
                   char **out, irq_mark *mark);
/* OK when n is absent, null or a sequence; else an error naming key and of. */
int irq__need_seq(const loader *L, const irq_ynode *n, const char *key, const char *of);
size_t irq__seq_len(const irq_ynode *n);
/* The start of entry i of a section of named entities (guests, sources):
 * a non-empty map with a good name (required, [A-Za-z0-9_.-]{1,64}) into
 * *name, its mark, only the given keys; `what` becomes "KIND 'NAME'" for
 * the messages that follow. */
int irq__entity_head(const loader *L, const irq_ynode *map, const char *section, size_t i,
                     const char *kind, const char *const *keys, char **name, irq_mark *mark,
                     char *what, size_t wlen);

typedef struct named {
    const char *name;
    const irq_mark *mark;
    size_t idx;
} named;

/* Sorts r[] by name and reports the first repeated name (in input order). */
int irq__check_unique(const loader *L, named *r, size_t n, const char *what);

/* ---- the sections, in the order scenario.c decodes them --------------------- */

/* scenario_host.c */
int irq__load_host(loader *L);

/* scenario_model.c: the model and, per guest template, its model, vcpu
 * and vcpu_overrides sections (the model's tables) */
int irq__load_model(loader *L);
int irq__load_tmpl_model(loader *L, irq_guest_tmpl *t, const irq_ynode *map, const char *what);
int irq__load_overrides(loader *L, irq_guest_tmpl *t, const irq_ynode *map, const char *what);
extern const char *const irq__model_extra[];

/* scenario_guests.c */
int irq__load_guests(loader *L);
/* Index of the template called name[0..len), or -1 (after irq__load_guests). */
int64_t irq__find_tmpl(const loader *L, const char *name, size_t len);
/* Splits "web-12" into the template and the instance (-1 when none). */
int64_t irq__split_instance(const loader *L, const char *s, int64_t *inst);
extern const char *const irq__tmpl_keys[];
extern const irq_param_desc irq__workload_params[];
extern const size_t irq__nworkload_params;

/* scenario_sources.c */
int irq__load_sources(loader *L);
extern const char *const irq__source_keys[];

#endif
