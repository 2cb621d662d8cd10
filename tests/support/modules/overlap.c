/*
 * overlap.c — the bump allocator (bump_base.h) with one bug: its
 * OVERLAP_AT-th malloc returns a pointer 16 bytes inside the chunk the
 * malloc before it returned, which the test's trace still holds live.
 *
 * What dmm-replay must report: status `fail`, at that malloc's operation
 * and line, "... overlaps the live block id N".
 */
#include "dmm.h"

#define BUMP_NAME "overlap"
#define BUMP_OWN_MALLOC
#include "bump_base.h"

/* The third malloc after a reset goes wrong: mallocs inside realloc count. */
#define OVERLAP_AT 3

void *dmm_malloc(size_t size)
{
    state.counts.malloc_calls++;
    void *previous = state.last;
    void *payload = bump_chunk(size);
    if (payload == NULL || previous == NULL || state.counts.malloc_calls != OVERLAP_AT)
        return payload;
    /* The bug. The new chunk is still made, so every byte from the returned
     * pointer to size bytes on lies inside the heap section: the only thing
     * wrong is the overlap. */
    size_t inside = payload_to_header(previous)->size > DMM_ALIGNMENT ? DMM_ALIGNMENT : 0;
    return (char *)previous + inside;
}
