/*
 * misaligned.c — the bump allocator (bump_base.h) with one bug: every
 * MISALIGN_EVERY-th malloc returns its payload + 8, a pointer that is
 * 8-aligned but not 16-aligned (dmm.h promises DMM_ALIGNMENT).
 *
 * What dmm-replay must report: status `fail`, at that malloc's operation
 * and line, "... is not 16-byte aligned". The pair stops there, so the bad
 * pointer is never freed or passed to realloc (whose header lookup would
 * then be misaligned too).
 */
#include "dmm.h"

#define BUMP_NAME "misaligned"
#define BUMP_OWN_MALLOC
#include "bump_base.h"

/* Every fourth malloc after a reset goes wrong, by 8 bytes: aligned enough
 * for a pointer, not for a long double or an SSE vector. */
#define MISALIGN_EVERY 4
#define MISALIGNMENT 8

void *dmm_malloc(size_t size)
{
    state.counts.malloc_calls++;
    if (state.counts.malloc_calls % MISALIGN_EVERY != 0)
        return bump_chunk(size);
    if (request_too_large(size))
        return fail_enomem();
    /* The bug. The chunk gets 8 bytes more, so the shifted payload still
     * lies inside it: the only thing wrong is the alignment. */
    char *payload = bump_chunk(size + MISALIGNMENT);
    return payload == NULL ? NULL : payload + MISALIGNMENT;
}
