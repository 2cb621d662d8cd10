/* A warning, then an error on line 13: the build fails with that line. */
#define OWN_MALLOC
#include "dmm.h"

int spare(void)
{
    int unused;
    return 0;
}

void *dmm_malloc(size_t size)
{
    undeclared_counter += size;
    return NULL;
}
