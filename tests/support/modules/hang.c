/*
 * hang.c — the bump allocator (bump_base.h) with one bug: its HANG_AT-th
 * malloc never returns (a walk round a free list that became circular
 * looks like this from outside).
 *
 * What dmm-replay must report: status `timeout`, "no answer after S s" at
 * that malloc's operation and line, once --timeout seconds have passed; the
 * child is killed and every other pair of the run still runs.
 */
#include "dmm.h"

#define BUMP_NAME "hang"
#define BUMP_OWN_MALLOC
#include "bump_base.h"

/* The sixth malloc after a reset never returns; mallocs inside realloc
 * count. */
#define HANG_AT 6

/* Volatile, so the endless loop does observable work and stays a loop. */
static volatile unsigned long spins;

void *dmm_malloc(size_t size)
{
    state.counts.malloc_calls++;
    if (state.counts.malloc_calls == HANG_AT)
        for (;;)
            spins++; /* the bug */
    return bump_chunk(size);
}
