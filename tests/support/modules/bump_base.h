/*
 * bump_base.h — the bump allocator every test module is made from.
 *
 * The modules in this folder exist to show that dmm-replay notices what an
 * allocator gets wrong. Each is this bump allocator with one deliberate
 * bug, so that the bug is the only code in the module's file: the module
 * defines BUMP_NAME (its dmm_name), writes the one function that has the
 * bug, says so with BUMP_OWN_MALLOC, BUMP_OWN_FREE, BUMP_OWN_REALLOC or
 * BUMP_OWN_STATS, and
 * includes this header once, which supplies everything else of dmm.h.
 * (A header that defines functions is unusual; here it is the allocator
 * itself, included by exactly one file per module.)
 *
 * The chunk: a 16-byte header, then the payload, rounded up to 16 bytes.
 *
 *      +-----------------+-----------------------------+
 *      | size | previous | payload: align_up(size)     |
 *      +-----------------+-----------------------------+
 *      header (16 bytes)  ^ returned pointer
 *
 * Chunks are laid out one after the other from the heap section's start,
 * taken from the bottom of a pad that the break extends by at least
 * GROWTH_STEP bytes at a time (pad.c's idea); nothing is ever reused. So a
 * malloc is a comparison, an addition and a header write, nearly always.
 * There are no invariants to check: dmm_check finds nothing wrong, ever.
 */
#ifndef DMM_BUMP_BASE_H
#define DMM_BUMP_BASE_H

#include "dmm.h"

#include "common.h"
#include "heap.h"

#include <stddef.h>

#ifndef BUMP_NAME
#error "define BUMP_NAME, the module's dmm_name(), before including bump_base.h"
#endif

struct bump_header {
    size_t size;    /* bytes requested, so realloc knows what to copy */
    void *previous; /* payload of the chunk below this one; NULL for the first */
};

_Static_assert(sizeof(struct bump_header) == DMM_ALIGNMENT,
               "the header must keep the payload 16-aligned");

/* 64 KiB: the least the break moves, so the system call is rare. A multiple
 * of DMM_ALIGNMENT, so every chunk stays aligned. */
#define GROWTH_STEP ((size_t)65536)

static struct bump_state {
    char *pad_start;           /* the pad: first byte not yet handed out; NULL before first use */
    char *brk;                 /* end of the pad: the break as last moved here */
    void *last;                /* payload of the chunk allocated last */
    struct call_counts counts; /* calls, for dmm_stats (steps stay 0: no search) */
} state;

static inline struct bump_header *payload_to_header(void *payload)
{
    return (struct bump_header *)payload - 1;
}

/* A new chunk at the break with room for size bytes; its payload, or NULL
 * with errno == ENOMEM. */
static inline void *bump_chunk(size_t size)
{
    if (request_too_large(size))
        return fail_enomem();
    size_t chunk_bytes = sizeof(struct bump_header) + align_up(size);
    if (state.pad_start == NULL || (size_t)(state.brk - state.pad_start) < chunk_bytes) {
        /* The new bytes start at the old break, right after the pad. */
        size_t increment = chunk_bytes > GROWTH_STEP ? chunk_bytes : GROWTH_STEP;
        char *old_break = heap_grow(increment);
        if (old_break == NULL)
            return NULL;
        if (state.pad_start == NULL)
            state.pad_start = old_break;
        state.brk = old_break + increment;
    }
    struct bump_header *header = (struct bump_header *)(void *)state.pad_start;
    state.pad_start += chunk_bytes;
    *header = (struct bump_header){.size = size, .previous = state.last};
    state.last = header + 1;
    return header + 1;
}

/* ---- the public interface, but for the function with the bug ---------- */

#ifndef BUMP_OWN_MALLOC
void *dmm_malloc(size_t size)
{
    state.counts.malloc_calls++;
    return bump_chunk(size);
}
#endif

#ifndef BUMP_OWN_FREE
void dmm_free(void *ptr)
{
    if (ptr != NULL)
        state.counts.free_calls++;
}
#endif

#ifndef BUMP_OWN_REALLOC
void *dmm_realloc(void *ptr, size_t size)
{
    void *result;
    if (realloc_special_case(ptr, size, &result))
        return result;
    return realloc_by_copy(ptr, payload_to_header(ptr)->size, size);
}
#endif

const char *dmm_name(void)
{
    return BUMP_NAME;
}

#ifndef BUMP_OWN_STATS
void dmm_stats(struct dmm_stats *stats)
{
    stats_report(stats, &state.counts);
}
#endif

const char *dmm_check(dmm_visit_fn *visit, void *arg)
{
    (void)visit;
    (void)arg;
    return NULL;
}

void dmm_reset(void)
{
    heap_reset();
    state = (struct bump_state){0};
}

#endif /* DMM_BUMP_BASE_H */
