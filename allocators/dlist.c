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
 * The chunk (drawn in full, with the helpers, in chunk.h; rows of 8 bytes)
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
 * State
 *   The head of the free list and the counters, in `heap`.
 *
 * Invariants (checked by dmm_check)
 *   1. Every chunk's size is a multiple of 16 bytes and at least 48.
 *   2. The chunks tile [heap_start(), heap_break()) exactly.
 *   3. The size in the header equals the size in the footer.
 *   4. A chunk has its status bit set if and only if it is in the free
 *      list (counted both ways).
 *   5. The free list links are consistent: the head's prev is NULL and
 *      c->next's prev is c; every link points at a chunk in the heap.
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

/* The heap grows by max(needed chunk, MIN_GROW = 8 KiB) bytes: chunk.h. */

static struct dlist_heap {
    struct chunk *free_list; /* head of the one free list, NULL when empty */
    struct call_counts counts; /* calls and search steps, for dmm_stats */
} heap;

/* ---- the free list --------------------------------------------------------- */

/* Every free chunk, whatever its size, is in the one list. */
static struct chunk **free_list_for(size_t chunk_bytes)
{
    (void)chunk_bytes;
    return &heap.free_list;
}

/* First fit: the first chunk from the front that holds need bytes, taken
 * out of the list; NULL when none does. */
static struct chunk *find_fit(size_t need)
{
    for (struct chunk *c = heap.free_list; c != NULL; c = c->next) {
        heap.counts.malloc_steps++;
        if (chunk_size(c) >= need) {
            free_list_remove(&heap.free_list, c);
            return c;
        }
    }
    return NULL;
}

/* ---- the public interface -------------------------------------------------- */

void *dmm_malloc(size_t size)
{
    heap.counts.malloc_calls++;
    if (request_too_large(size))
        return fail_enomem();
    size_t need = chunk_bytes_for(size); /* malloc(0) gets a unique 48-byte chunk */
    struct chunk *c = find_fit(need);
    if (c == NULL)
        c = extend_heap(need, free_list_for);
    if (c == NULL)
        return NULL; /* heap_grow set errno to ENOMEM; the heap is unchanged */
    /* The front is returned; the tail, if it is a whole chunk, goes to
     * the front of the list. */
    return place(c, need, free_list_for);
}

/* The chunk's neighbours in memory are found by address (size and footer),
 * not by walking the list, so free costs the same for any list length. */
void dmm_free(void *ptr)
{
    if (ptr == NULL)
        return;
    heap.counts.free_calls++;
    release(payload_to_chunk(ptr), free_list_for, &heap.counts.free_steps);
}

/* In place when shrinking, or when the next chunk in memory is free and
 * big enough to grow into (chunk.h: resize_in_place); else malloc, copy,
 * free. realloc(NULL, n) and realloc(p, 0) as dmm.h says. */
void *dmm_realloc(void *ptr, size_t size)
{
    return realloc_chunk(ptr, size, free_list_for);
}

const char *dmm_name(void)
{
    return "dlist";
}

void dmm_stats(struct dmm_stats *stats)
{
    stats_report(stats, &heap.counts);
}

/* Invariants 1, 2, 3 and 6 in one walk in address order, then the list
 * (5, and 4 from both sides). */
const char *dmm_check(dmm_visit_fn *visit, void *arg)
{
    size_t free_chunks, listed = 0;
    const char *problem = check_chunks(visit, arg, &free_chunks);
    if (problem == NULL)
        problem = check_free_list(heap.free_list, free_chunks, &listed);
    if (problem == NULL)
        problem = check_all_free_listed(free_chunks, listed, free_list_for);
    return problem;
}

void dmm_reset(void)
{
    heap_reset();
    heap = (struct dlist_heap){0};
}
