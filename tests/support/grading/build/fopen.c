/* Writes a log file: refused, an allocator touches no file. */
#define OWN_RESET
#include "dmm.h"

#include <stdio.h>

void dmm_reset(void)
{
    FILE *log = fopen("/tmp/dmm-fixture.log", "a");
    if (log != NULL)
        fclose(log);
}
