/* The source revision, in a file of its own: its header is rewritten when
 * the revision changes (cmake/revision.cmake), and only this file is then
 * compiled again. */
#include "cli_internal.h"
#include "irqsim_revision.h"

const char *cli_revision(void)
{
    return IRQSIM_REVISION;
}
