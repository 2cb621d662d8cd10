/*
 * corrupt.c — the bump allocator (bump_base.h) with one bug: free(p) flips
 * the first payload byte of the chunk allocated just before p, its
 * neighbour below in memory: the stray write a footer or link written at a
 * wrong offset makes.
 *
 * What dmm-replay must report: status `fail` when it next verifies the
 * neighbour's contents (before that block is freed or reallocated, or after
 * the last operation): "block id N (...) was changed while it was live".
 */
#include "dmm.h"

#define BUMP_NAME "corrupt"
#define BUMP_OWN_FREE
#include "bump_base.h"

void dmm_free(void *ptr)
{
    if (ptr == NULL)
        return;
    state.counts.free_calls++;
    /* The bug. A zero-byte neighbour has no payload to hit. */
    unsigned char *neighbour = payload_to_header(ptr)->previous;
    if (neighbour != NULL && payload_to_header(neighbour)->size > 0)
        neighbour[0] = (unsigned char)~neighbour[0];
}
