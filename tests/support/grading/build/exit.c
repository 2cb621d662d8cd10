/* Ends the process when memory runs out: refused, it must return NULL. */
#define OWN_MALLOC
#include "dmm.h"

#include <stdlib.h>

void *dmm_malloc(size_t size) { if (size > 100) exit(1); return NULL; }
