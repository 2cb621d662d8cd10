/* Gets its memory from the C library's malloc: refused, the heap section
 * is the only source of memory. */
#define OWN_MALLOC
#define OWN_FREE
#define OWN_REALLOC
#include "dmm.h"

#include <stdlib.h>

void *dmm_malloc(size_t size) { return malloc(size); }
void dmm_free(void *ptr) { free(ptr); }
void *dmm_realloc(void *ptr, size_t size) { return realloc(ptr, size); }
