/*
 * dlist.c — one doubly linked free list, first fit, and a footer in every
 * chunk so that free coalesces in O(1).
 *
 * The idea
 *   Every free chunk is in one unordered free list; free puts it at the
 *   front. malloc walks the list from the front and takes the first chunk
 *   that is big enough (first fit), splits it, and puts the tail back at
 *   the front. free finds its neighbours in memory without any search —
 *   the next chunk by the chunk's own size, the previous one by the footer
 *   just below it — and coalesces with whichever of them is free.
 *
 * The chunk (drawn in full, with its helpers, in chunk.h; rows of 8 bytes)
 *
 *   chunk ->+-----------------+  allocated: status bit 0, links unused
 *           | size   | status |  header, 16 bytes
 *           | next free chunk |
 * payload ->+-----------------+
 *           | payload         |  size - 32 bytes
 *           +-----------------+
 *           | prev free chunk |  footer, 16 bytes: free reads the size here
 *           | size            |  to find the start of this chunk
 *           +-----------------+
 *   Sizes are multiples of 16 bytes; bit 0 of the size word is the status
 *   bit (1 = free). The smallest chunk is 48 bytes.
 *
 * Allocator state
 *   The head of the free list and the counters, in `state`.
 *
 * Invariants (checked by dmm_check)
 *   1. Every chunk's size is a multiple of 16 bytes and at least 48.
 *   2. The chunks tile the heap section [heap_start(), heap_break())
 *      exactly: each starts where the one before ends, the last ends at
 *      the program break.
 *   3. The size in the header equals the size in the footer.
 *   4. A chunk has its status bit set if and only if it is in the free
 *      list (counted both ways).
 *   5. The free list links are consistent: the head's prev is NULL and
 *      c->next's prev is c; every link points at a chunk in the heap
 *      section.
 *   6. No two free chunks are adjacent in memory.
 *
 * Cost
 *   malloc: O(free chunks) — first fit may walk the whole free list, and
 *           the list holds chunks of every size, small ones included.
 *   free:   O(1) — two neighbours examined at most, front insertion, and
 *           removal from the middle of the list needs no walk because each
 *           free chunk knows its prev.
 *   realloc: in place when shrinking, or growing into a free next chunk;
 *           otherwise malloc, copy, free.
 *   Space: 32 bytes of header and footer per chunk, 48 at least.
 *
 * What it deliberately does not do: keep the list sorted (by address or
 * size), look for the best fit, or ever move the program break down.
 */
#include "dmm.h"

#include "chunk.h"
#include "common.h"
#include "heap.h"

#include <stdint.h>

#define GROWTH_STEP 8192 /* bytes the program break moves at least: the lecture's 8 KiB */

static struct dlist_state {
    struct chunk *free_list;   /* head of the one free list, NULL when empty */
    struct call_counts counts; /* calls and search steps, for dmm_stats */
} state;

/* The chunk helpers (chunk_size, chunk_footer, chunk_next_in_memory: the
 * chunk that starts where this one ends, NULL at the program break, ...)
 * and free_list_push_front / free_list_remove are in chunk.h. */

/* ---- the free list ---------------------------------------------------------- */

/* First fit: the first chunk from the front that holds need bytes, taken
 * out of the list; NULL when none does. Every chunk looked at is a step. */
static struct chunk *find_fit(size_t need)
{
    for (struct chunk *c = state.free_list; c != NULL; c = c->next) {
        state.counts.malloc_steps++;
        if (chunk_size(c) >= need)
            return free_list_remove(&state.free_list, c);
    }
    return NULL;
}

/* ---- coalesce, growth, split ------------------------------------------------ */

/* Makes c (in no list) one free chunk with its free neighbours in memory,
 * so that invariant 6 holds again. The four cases:
 *
 *   1. prev allocated, next allocated:  nothing to merge; c stays as it is.
 *   2. prev allocated, next free:       c absorbs next.
 *   3. prev free,      next allocated:  prev absorbs c; the result starts at prev.
 *   4. prev free,      next free:       prev absorbs c and next.
 *
 * A free neighbour leaves the list before it grows or disappears. Returns
 * the merged chunk, free and not in the list. */
static struct chunk *coalesce(struct chunk *c)
{
    struct chunk *next = chunk_next_in_memory(c), *prev = chunk_prev_in_memory(c);
    write_header_and_footer(c, chunk_size(c), CHUNK_FREE);
    if (next != NULL && chunk_is_free(next)) /* cases 2 and 4 */
        chunk_absorb(c, free_list_remove(&state.free_list, next));
    if (prev != NULL && chunk_is_free(prev)) /* cases 3 and 4 */
        c = chunk_absorb(free_list_remove(&state.free_list, prev), c);
    return c;
}

/* Nothing in the list fits: the program break moves up by
 * max(need, GROWTH_STEP) bytes, and the new bytes become a free chunk,
 * merged with the last chunk if that one is free (case 3). Returns it, not
 * in the list, or NULL with errno ENOMEM and nothing changed. */
static struct chunk *extend_heap(size_t need)
{
    struct chunk *c = chunk_at_new_break(need > GROWTH_STEP ? need : GROWTH_STEP);
    return c == NULL ? NULL : coalesce(c);
}

/* realloc without moving c, where its neighbours allow; returns 1 if done.
 *   grow: c absorbs its next chunk in memory when that one is free and big
 *     enough (else 0, nothing changed);
 *   then the surplus, if a whole chunk, is split off, coalesced with a free
 *     next chunk, and listed. */
static int resize_in_place(struct chunk *c, size_t need)
{
    struct chunk *next = chunk_next_in_memory(c);
    if (need > chunk_size(c)) {
        if (next == NULL || !chunk_is_free(next) || chunk_size(c) + chunk_size(next) < need)
            return 0;
        chunk_absorb(c, free_list_remove(&state.free_list, next));
    }
    struct chunk *surplus = chunk_split(c, need);
    if (surplus != NULL)
        free_list_push_front(&state.free_list, coalesce(surplus));
    return 1;
}

/* c (in no list, at least need bytes) becomes allocated; the surplus, when
 * it is a whole chunk, is split off and goes to the front of the list. Its
 * next neighbour cannot be free (c was a whole free chunk, or the last
 * chunk), so the surplus needs no coalescing. */
static void *place(struct chunk *c, size_t need)
{
    write_header_and_footer(c, chunk_size(c), CHUNK_ALLOCATED);
    struct chunk *surplus = chunk_split(c, need);
    if (surplus != NULL)
        free_list_push_front(&state.free_list, surplus);
    return chunk_payload(c);
}

/* ---- the public interface -------------------------------------------------- */

/* Every public function that reads or writes headers starts with
 * MEMCHECK_ALLOCATOR_AT_WORK: under valgrind, headers are no-access to the
 * program and the allocator's own accesses go unreported (heap.h). */
void *dmm_malloc(size_t size)
{
    MEMCHECK_ALLOCATOR_AT_WORK;
    state.counts.malloc_calls++;
    if (request_too_large(size))
        return fail_enomem();
    size_t need = chunk_bytes_for(size); /* malloc(0) gets a unique 48-byte chunk */
    struct chunk *c = find_fit(need);
    if (c == NULL)
        c = extend_heap(need);
    if (c == NULL)
        return NULL; /* heap_grow set errno to ENOMEM; nothing changed */
    return memcheck_malloc(place(c, need), size);
}

/* The chunk's neighbours in memory are found by address (size and footer),
 * not by walking the list, so free costs the same for any list length:
 * two steps at most, one per neighbour whose status bit coalesce reads. */
void dmm_free(void *ptr)
{
    if (ptr == NULL)
        return;
    memcheck_free(ptr); /* before the quiet: a pointer never handed out is reported */
    MEMCHECK_ALLOCATOR_AT_WORK;
    struct chunk *c = payload_to_chunk(ptr);
    state.counts.free_calls++;
    state.counts.free_steps += chunk_neighbour_count(c);
    free_list_push_front(&state.free_list, coalesce(c));
}

/* In place when shrinking, or when the next chunk in memory is free and
 * big enough to grow into; else malloc, copy, free. realloc(NULL, n) and
 * realloc(p, 0) as dmm.h says. */
void *dmm_realloc(void *ptr, size_t size)
{
    void *result;
    if (realloc_special_case(ptr, size, &result))
        return result;
    MEMCHECK_ALLOCATOR_AT_WORK;
    struct chunk *c = payload_to_chunk(ptr);
    if (resize_in_place(c, chunk_bytes_for(size)))
        return memcheck_realloc(ptr, ptr, size);
    return realloc_by_copy(ptr, chunk_payload_bytes(c), size);
}

/* What the design promises, checked by the harness on every heap walk (dmm.h):
 * no two free chunks adjacent. Not address-ordered: freed chunks go to the front. */
const char dmm_design[] = "coalesces";

const char *dmm_name(void)
{
    return "dlist";
}

void dmm_stats(struct dmm_stats *stats)
{
    stats_report(stats, &state.counts);
}

/* Invariants 1, 2, 3 and 6 in one walk in address order (chunk.h), then
 * the list: 5, and 4 from both sides. */
const char *dmm_check(dmm_visit_fn *visit, void *arg)
{
    MEMCHECK_ALLOCATOR_AT_WORK;
    size_t free_chunks, listed = 0;
    const char *problem = check_chunks(visit, arg, &free_chunks);
    if (problem == NULL)
        problem = check_free_list(state.free_list, free_chunks, &listed);
    if (problem == NULL)
        problem = check_all_free_listed(free_chunks, listed, &state.free_list, 1);
    return problem;
}

void dmm_reset(void)
{
    heap_reset();
    state = (struct dlist_state){0};
}
