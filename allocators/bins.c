/*
 * bins.c — segregated free lists: an array of doubly linked lists (bins),
 * one per chunk size, and the same chunk and coalescing as dlist.c.
 *
 * The idea
 *   dlist's malloc walks past every free chunk that is too small. Here
 *   each free chunk is kept in the bin of its size, so malloc starts its
 *   search at the bin of the request and never looks at a chunk that is
 *   too small:
 *     bin i (3 <= i < 64)  free chunks of exactly i * 16 bytes (48 .. 1008);
 *     bin 64, the last     every free chunk of MAX_BIN = 1024 bytes or more.
 *   malloc takes the head of the first non-empty exact bin at or above the
 *   request's bin (one chunk examined: every chunk there fits); failing
 *   that, it walks the last bin for the first chunk that fits. A split's
 *   remainder goes to the bin of its own size. free coalesces exactly as
 *   dlist does and puts the result at the front of its bin.
 *
 *   Why 16 and 1024: 16 bytes is the alignment, so every chunk size is a
 *   multiple of it and an exact bin per multiple wastes nothing inside a
 *   bin. Below 1 KiB programs ask again and again for the same few sizes,
 *   so exact bins make the common request O(1); glibc draws its exact
 *   small bins to the same 1 KiB. Above it sizes spread out, and one
 *   first-fit bin keeps the array at 65 heads (bins 0-2 stay empty: no
 *   chunk is smaller than 48 bytes).
 *
 * The chunk (drawn in full, with the helpers, in chunk.h; rows of 8 bytes)
 *
 *   chunk ->+-----------------+  allocated: status bit 0, links unused
 *           | size   | status |  header, 16 bytes
 *           | next in its bin |
 * payload ->+-----------------+
 *           | payload         |  size - 32 bytes
 *           +-----------------+
 *           | prev in its bin |  footer, 16 bytes: free reads the size here
 *           | size            |  to find the start of this chunk
 *           +-----------------+
 *   Sizes are multiples of 16 bytes; bit 0 of the size word is the status
 *   bit (1 = free). The smallest chunk is 48 bytes.
 *
 * State
 *   The heads of the bins and the counters, in `heap`.
 *
 * Invariants (checked by dmm_check)
 *   1. Every chunk's size is a multiple of 16 bytes and at least 48.
 *   2. The chunks tile [heap_start(), heap_break()) exactly.
 *   3. The size in the header equals the size in the footer.
 *   4. A chunk has its status bit set if and only if it is in a bin
 *      (counted both ways).
 *   5. The links of every bin are consistent: the head's prev is NULL and
 *      c->next's prev is c; every link points at a chunk in the heap.
 *   6. No two free chunks are adjacent in memory.
 *   7. Each free chunk sits in the bin of its size (bin_index).
 *
 * Cost
 *   malloc: O(1) chunks examined when an exact bin at or above the request
 *           holds a chunk (plus a scan of at most 61 empty heads); else
 *           O(chunks in the last bin) for first fit there.
 *   free:   O(1) — two neighbours examined at most, as in dlist; a merged
 *           neighbour leaves its bin in O(1) through its prev link.
 *   realloc: in place when shrinking, or growing into a free next chunk;
 *           otherwise malloc, copy, free.
 *   Space: 32 bytes of header and footer per chunk; 65 bin heads.
 *
 * What it deliberately does not do: best fit in the last bin, a bitmap of
 * non-empty bins, caches of recently freed chunks (glibc's tcache), or
 * ever moving the program break down.
 */
#include "dmm.h"

#include "chunk.h"
#include "common.h"
#include "heap.h"

#include <stdint.h>

#define BIN_UNIT 16                  /* bytes between exact bins: the alignment */
#define MAX_BIN 1024                 /* bytes: the smallest size the last bin holds */
#define LAST_BIN (MAX_BIN / BIN_UNIT) /* 64: index of the last bin */
/* The heap grows by max(needed chunk, MIN_GROW = 8 KiB) bytes: chunk.h. */

static struct bins_heap {
    struct chunk *bins[LAST_BIN + 1]; /* bin heads, NULL when empty; 0-2 unused */
    struct call_counts counts; /* calls and search steps, for dmm_stats */
} heap;

/* ---- the bins -------------------------------------------------------------- */

static size_t bin_index(size_t chunk_bytes)
{
    return chunk_bytes < MAX_BIN ? chunk_bytes / BIN_UNIT : LAST_BIN;
}

static struct chunk **free_list_for(size_t chunk_bytes)
{
    return &heap.bins[bin_index(chunk_bytes)];
}

/* The chunk malloc takes for need bytes, out of its bin; NULL when no bin
 * holds one. Every chunk in an exact bin at or above need's fits, so only
 * the head is examined; the last bin mixes sizes and needs first fit. */
static struct chunk *find_fit(size_t need)
{
    for (size_t bin = bin_index(need); bin < LAST_BIN; bin++) {
        struct chunk *c = heap.bins[bin];
        if (c != NULL) {
            heap.counts.malloc_steps++;
            free_list_remove(&heap.bins[bin], c);
            return c;
        }
    }
    for (struct chunk *c = heap.bins[LAST_BIN]; c != NULL; c = c->next) {
        heap.counts.malloc_steps++;
        if (chunk_size(c) >= need) {
            free_list_remove(&heap.bins[LAST_BIN], c);
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
    /* The remainder of a split goes to the bin of its own size. */
    return place(c, need, free_list_for);
}

/* Coalesced as in dlist (neighbours found by address, not by search), then
 * put at the front of the bin of the merged size. */
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
    return "bins";
}

void dmm_stats(struct dmm_stats *stats)
{
    stats_report(stats, &heap.counts);
}

/* Invariants 1, 2, 3 and 6 in one walk in address order; then every bin
 * (5, the first half of 4, and 7); then the second half of 4. */
const char *dmm_check(dmm_visit_fn *visit, void *arg)
{
    size_t free_chunks, listed = 0;
    const char *problem = check_chunks(visit, arg, &free_chunks);
    for (size_t bin = 0; problem == NULL && bin <= LAST_BIN; bin++) {
        problem = check_free_list(heap.bins[bin], free_chunks, &listed);
        /* The links are sound now, so the bin can be walked again. */
        for (struct chunk *c = heap.bins[bin]; problem == NULL && c != NULL; c = c->next)
            if (bin_index(chunk_size(c)) != bin)
                problem = check_failed(7, c, "%zu bytes belong in bin %zu, not bin %zu",
                                       chunk_size(c), bin_index(chunk_size(c)), bin);
    }
    if (problem == NULL)
        problem = check_all_free_listed(free_chunks, listed, free_list_for);
    return problem;
}

void dmm_reset(void)
{
    heap_reset();
    heap = (struct bins_heap){0};
}
