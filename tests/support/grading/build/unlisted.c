/* Reads the clock, which is on no list: refused unless allowed. */
#define OWN_MALLOC
#include "dmm.h"

#include <time.h>

void *dmm_malloc(size_t size) { (void)size; return time(NULL) > 0 ? NULL : NULL; }
