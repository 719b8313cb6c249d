/* Pieces of the report writer shared with the trace writer. */
#ifndef IRQ_REPORT_INTERNAL_H
#define IRQ_REPORT_INTERNAL_H

#include <stdio.h>

/* Writes s as a JSON string literal (quotes and escapes). */
void irq__json_str(FILE *f, const char *s);

#endif
