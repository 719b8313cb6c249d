/* A program outside the project that uses the installed library: built by
 * tests/install/check.sh with find_package(irqsim) and with pkg-config. */
#include <irqsim/irqsim.h>

#include <stdio.h>
#include <string.h>

int main(void)
{
    printf("irqsim %s\n", IRQ_VERSION);

    irq_scenario *sc = NULL;
    irq_error err;
    memset(&err, 0, sizeof err);
    int rc = irq_scenario_load(&sc, "/nonexistent/irqsim-install-check.yaml", NULL, 0, &err);
    if (rc == IRQ_OK) {
        fprintf(stderr, "consumer: loading a missing file succeeded\n");
        irq_scenario_free(sc);
        return 1;
    }
    char buf[1024];
    printf("expected failure (status %d): %s\n", rc, irq_error_format(&err, buf, sizeof buf));
    return 0;
}
