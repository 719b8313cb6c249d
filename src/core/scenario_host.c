/* The scenario's host section: the core's host parameters (irq_host_params,
 * host.c) over their defaults. */
#include "scenario_load_internal.h"

int irq__load_host(loader *L)
{
    const irq_ynode *n = irq__ymap_get(L->root, "host");
    irq_param_value *v = L->sc->host;
    int rc = irq__expect_map(n, "'host'", &L->c);
    if (rc == IRQ_OK)
        rc = irq__params_defaults(v, irq_host_params, IRQ_HOST_NPARAMS, &L->c);
    if (rc == IRQ_OK)
        rc = irq__params_check_keys(n, irq_host_params, IRQ_HOST_NPARAMS, NULL, "host", L->c.err);
    if (rc == IRQ_OK)
        rc = irq__params_apply(v, irq_host_params, IRQ_HOST_NPARAMS, n, &L->c);
    if (rc == IRQ_OK)
        rc = irq__params_check_required(v, irq_host_params, IRQ_HOST_NPARAMS,
                                        n ? &n->mark : &L->root->mark, "host", L->c.err);
    return rc;
}
