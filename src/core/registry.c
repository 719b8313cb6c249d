/* The model registry: adding a model is one line here. */
#include <string.h>

#include "model_internal.h"

extern const irq_model_ops irq_model_arm64;
extern const irq_model_ops irq_model_direct;
extern const irq_model_ops irq_model_gib;
extern const irq_model_ops irq_model_apf;

static const irq_model_ops *const models[] = {
    &irq_model_direct,
    &irq_model_arm64,
    &irq_model_gib,
    &irq_model_apf,
};

const irq_model_ops *irq_model_find(const char *name)
{
    for (size_t i = 0; i < sizeof models / sizeof models[0]; i++)
        if (strcmp(models[i]->name, name) == 0)
            return models[i];
    return NULL;
}

const irq_model_ops *const *irq_model_list(size_t *n)
{
    *n = sizeof models / sizeof models[0];
    return models;
}

const irq_class_desc *irq_model_class(const irq_model_ops *ops, uint32_t value)
{
    for (size_t i = 0; ops && i < ops->nclasses; i++)
        if (ops->classes[i].value == value)
            return &ops->classes[i];
    return NULL;
}

const irq_class_desc *irq_model_class_named(const irq_model_ops *ops, const char *name)
{
    for (size_t i = 0; ops && i < ops->nclasses; i++)
        if (strcmp(ops->classes[i].name, name) == 0)
            return &ops->classes[i];
    return NULL;
}
