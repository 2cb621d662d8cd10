/*
 * minimal.c — the lecture's first manager: every malloc moves the program
 * break, and free does nothing.
 *
 * The idea
 *   The heap is a stack that only ever grows. malloc(n) reads the break,
 *   moves it up by n (rounded up to the alignment), and returns the old
 *   break. Nothing is ever reused.
 *
 * The chunk (no header, no footer: the chunk is just the payload)
 *
 *      old break                          new break
 *      v                                  v
 *      +----------------------------------+
 *      | payload: align_up(n) bytes       |
 *      +----------------------------------+
 *      ^ returned pointer
 *
 * Allocator state
 *   None but the break itself, which the heap section keeps: this is the
 *   lecture's "one word of state".
 *
 * Invariants (checked by dmm_check)
 *   1. heap_start() <= heap_break(), and the break is a multiple of
 *      DMM_ALIGNMENT: every chunk moved it by a multiple of 16 bytes.
 *
 * Cost
 *   malloc: one system call (brk) per request — Bad.
 *   free:   nothing — Good; but no memory is ever reused, so space is Bad:
 *           a freed block's chunk stays in the heap, never reused (the kind
 *           the checker's walk reports, and a part of the peak's split).
 *   realloc: always a new chunk and a copy (the old size is not recorded).
 *
 * What it deliberately does not do: reuse, coalesce, or remember sizes.
 */
#include "dmm.h"

#include "common.h"
#include "heap.h"

#include <stdint.h>

/* Search work is always zero; only the calls are counted. */
static struct minimal_state {
    struct call_counts counts; /* calls and search steps, for dmm_stats */
} state;

/* ---- the public interface ----------------------------------------------- */

void *dmm_malloc(size_t size)
{
    state.counts.malloc_calls++;
    if (request_too_large(size))
        return fail_enomem();
    /* malloc(0) still moves the break, so each pointer is unique. */
    size_t chunk_bytes = size == 0 ? DMM_ALIGNMENT : align_up(size);
    return memcheck_malloc(heap_grow(chunk_bytes), size); /* NULL and ENOMEM when it cannot */
}

/* Nothing is given back, but memcheck is told: a later access to the block
 * is a use after free, as it would be on any other allocator. */
void dmm_free(void *ptr)
{
    if (ptr == NULL)
        return;
    memcheck_free(ptr);
    state.counts.free_calls++;
}

/* There is no header, so the old size is unknown. But every byte between
 * the chunk and the break is heap memory (later chunks or this one), so
 * copying min(new size, break - ptr) bytes always covers the old payload
 * up to the smaller size. */
void *dmm_realloc(void *ptr, size_t size)
{
    void *result;
    if (realloc_special_case(ptr, size, &result))
        return result;
    MEMCHECK_ALLOCATOR_AT_WORK; /* the copy reads past the block, into other blocks (heap.h) */
    size_t bytes_to_break = (size_t)((char *)heap_break() - (char *)ptr);
    return realloc_by_copy(ptr, bytes_to_break, size);
}

const char *dmm_name(void)
{
    return "minimal";
}

void dmm_stats(struct dmm_stats *stats)
{
    stats_report(stats, &state.counts);
}

/* There are no chunk boundaries to walk: the visitor sees the whole heap
 * as one region of kind DMM_CHUNK_NEVER_REUSED (dmm.h). It holds the live
 * blocks and the freed ones alike, and without headers this file cannot
 * tell them apart; the harness, which knows the live blocks, splits it. */
const char *dmm_check(dmm_visit_fn *visit, void *arg)
{
    char *start = heap_start(), *brk = heap_break();
    if (brk < start || !is_aligned(brk))
        return check_failed(1, brk, "break %p is below the start %p or not %d-aligned",
                            (void *)brk, (void *)start, DMM_ALIGNMENT);
    if (visit != NULL && brk > start)
        visit(&(struct dmm_chunk_info){.start = start, .size = (size_t)(brk - start),
                                       .kind = DMM_CHUNK_NEVER_REUSED},
              arg);
    return NULL;
}

void dmm_reset(void)
{
    heap_reset();
    state = (struct minimal_state){0};
}
