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
 * The chunk (drawn in full, with its helpers, in chunk.h; rows of 8 bytes)
 *
 *   chunk ->+-----------------+  allocated: status bit 0, next unused
 *           | size   | status |  header, 16 bytes
 *           | next in its bin |
 * payload ->+-----------------+
 *           | payload         |  size - 32 bytes
 *           +-----------------+
 *           | prev in its bin |  footer, 16 bytes: free reads the size here
 *           | size            |  to find the start of this chunk; allocated,
 *           +-----------------+  prev holds the canary (0xfd bytes)
 *   Sizes are multiples of 16 bytes; bit 0 of the size word is the status
 *   bit (1 = free). The smallest chunk is 48 bytes.
 *
 *   The footer repeats the size, and an allocated chunk's footer holds a
 *   canary where a free one's holds prev, so a write past the end of a
 *   payload (the lecture's strcpy into malloc(strlen(s))) is caught at the
 *   next free or realloc of that block, which says so on stderr and aborts,
 *   as glibc's "free(): invalid next size" does (chunk_check_footer in
 *   chunk.h; docs/canary.md).
 *
 * Allocator state
 *   The heads of the bins and the counters, in `state`.
 *
 * Invariants (checked by dmm_check)
 *   1. Every chunk's size is a multiple of 16 bytes and at least 48.
 *   2. The chunks tile the heap section [heap_start(), heap_break())
 *      exactly: each starts where the one before ends, the last ends at
 *      the program break.
 *   3. The size in the header equals the size in the footer; an allocated
 *      chunk's footer holds the canary (free and realloc check this too,
 *      and abort when it fails).
 *   4. A chunk has its status bit set if and only if it is in a bin
 *      (counted both ways).
 *   5. The links of every bin are consistent: the head's prev is NULL and
 *      c->next's prev is c; every link points at a chunk in the heap
 *      section.
 *   6. No two free chunks are adjacent in memory.
 *   7. Each free chunk sits in the bin of its size (bin_index).
 *
 * Cost
 *   malloc: O(1) chunks examined when an exact bin at or above the request
 *           holds a chunk (plus a scan of at most 61 empty heads); else
 *           O(chunks in the last bin) for first fit there.
 *   free:   O(1) — two neighbours examined at most, as in dlist; a merged
 *           neighbour leaves its bin in O(1) through its prev link. The
 *           footer check adds a few compares (docs/canary.md measures it).
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

#define BIN_UNIT 16                   /* bytes between exact bins: the alignment */
#define MAX_BIN 1024                  /* bytes: the smallest size the last bin holds */
#define LAST_BIN (MAX_BIN / BIN_UNIT) /* 64: index of the last bin */
#define GROWTH_STEP 8192 /* bytes the program break moves at least: the lecture's 8 KiB */

static const char name[] = "bins"; /* dmm_name(), and free's messages (no call on the way) */

static struct bins_state {
    struct chunk *bins[LAST_BIN + 1]; /* bin heads, NULL when empty; 0-2 unused */
    struct call_counts counts;        /* calls and search steps, for dmm_stats */
} state;

/* The chunk helpers (chunk_size, chunk_footer, chunk_next_in_memory: the
 * chunk that starts where this one ends, NULL at the program break, ...)
 * and the list operations free_list_push_front / free_list_remove, which
 * each bin uses, are in chunk.h. */

/* ---- the bins -------------------------------------------------------------- */

static size_t bin_index(size_t chunk_bytes)
{
    return chunk_bytes < MAX_BIN ? chunk_bytes / BIN_UNIT : LAST_BIN;
}

/* The bin a free chunk of c's size belongs in (invariant 7). c's size must
 * be the one it was binned with, since that chose the bin. */
static struct chunk **bin_of(const struct chunk *c)
{
    return &state.bins[bin_index(chunk_size(c))];
}

/* The first non-empty exact bin at or above need's, or NULL: every chunk
 * there fits, so only its head is examined (one step). */
static struct chunk **first_exact_bin_with(size_t need)
{
    for (size_t bin = bin_index(need); bin < LAST_BIN; bin++)
        if (state.bins[bin] != NULL) {
            state.counts.malloc_steps++;
            return &state.bins[bin];
        }
    return NULL;
}

/* The last bin mixes sizes: first fit there, every chunk looked at a step.
 * The chunk is taken out of the bin; NULL when none fits. */
static struct chunk *first_fit_in_last_bin(size_t need)
{
    for (struct chunk *c = state.bins[LAST_BIN]; c != NULL; c = c->next) {
        state.counts.malloc_steps++;
        if (chunk_size(c) >= need)
            return free_list_remove(&state.bins[LAST_BIN], c);
    }
    return NULL;
}

/* ---- coalesce, growth, split ------------------------------------------------ */

/* Makes c (in no bin) one free chunk with its free neighbours in memory,
 * so that invariant 6 holds again. The four cases:
 *
 *   1. prev allocated, next allocated:  nothing to merge; c stays as it is.
 *   2. prev allocated, next free:       c absorbs next.
 *   3. prev free,      next allocated:  prev absorbs c; the result starts at prev.
 *   4. prev free,      next free:       prev absorbs c and next.
 *
 * A free neighbour leaves its bin (chosen by its own size) before it grows
 * or disappears. Returns the merged chunk, free and in no bin: its new
 * size may belong to another bin. */
static struct chunk *coalesce(struct chunk *c)
{
    struct chunk *next = chunk_next_in_memory(c), *prev = chunk_prev_in_memory(c);
    write_header_and_footer(c, chunk_size(c), CHUNK_FREE);
    if (next != NULL && chunk_is_free(next)) /* cases 2 and 4 */
        chunk_absorb(c, free_list_remove(bin_of(next), next));
    if (prev != NULL && chunk_is_free(prev)) /* cases 3 and 4 */
        c = chunk_absorb(free_list_remove(bin_of(prev), prev), c);
    return c;
}

/* No bin holds a fit: the program break moves up by max(need, GROWTH_STEP)
 * bytes, and the new bytes become a free chunk, merged with the last chunk
 * if that one is free (case 3). Returns it, in no bin, or NULL with errno
 * ENOMEM and nothing changed. */
static struct chunk *extend_heap(size_t need)
{
    struct chunk *c = chunk_at_new_break(need > GROWTH_STEP ? need : GROWTH_STEP);
    return c == NULL ? NULL : coalesce(c);
}

/* c (in no bin, at least need bytes) becomes allocated; the surplus, when
 * it is a whole chunk, is split off and goes to the bin of its own size.
 * Its next neighbour cannot be free (c was a whole free chunk, or the last
 * chunk), so the surplus needs no coalescing. */
static void *place(struct chunk *c, size_t need)
{
    write_header_and_footer(c, chunk_size(c), CHUNK_ALLOCATED);
    struct chunk *surplus = chunk_split(c, need);
    if (surplus != NULL)
        free_list_push_front(bin_of(surplus), surplus);
    return chunk_payload(c);
}

/* realloc without moving c, where its neighbours allow; returns 1 if done.
 *   grow: c absorbs its next chunk in memory when that one is free and big
 *     enough (else 0, nothing changed);
 *   then the surplus, if a whole chunk, is split off, coalesced with a free
 *     next chunk, and binned by its merged size. */
static int resize_in_place(struct chunk *c, size_t need)
{
    struct chunk *next = chunk_next_in_memory(c);
    if (need > chunk_size(c)) {
        if (next == NULL || !chunk_is_free(next) || chunk_size(c) + chunk_size(next) < need)
            return 0;
        chunk_absorb(c, free_list_remove(bin_of(next), next));
    }
    struct chunk *surplus = chunk_split(c, need);
    if (surplus != NULL) {
        surplus = coalesce(surplus);
        free_list_push_front(bin_of(surplus), surplus);
    }
    return 1;
}

/* ---- the public interface -------------------------------------------------- */

/* The head of the first non-empty exact bin at or above the request's, else
 * first fit in the last bin, else a new chunk at the program break.
 * Every public function that reads or writes headers starts with
 * MEMCHECK_ALLOCATOR_AT_WORK: under valgrind, headers are no-access to the
 * program and the allocator's own accesses go unreported (heap.h). */
void *dmm_malloc(size_t size)
{
    MEMCHECK_ALLOCATOR_AT_WORK;
    state.counts.malloc_calls++;
    if (request_too_large(size))
        return fail_enomem();
    size_t need = chunk_bytes_for(size); /* malloc(0) gets a unique 48-byte chunk */
    struct chunk **exact = first_exact_bin_with(need);
    struct chunk *c = exact != NULL ? free_list_remove(exact, *exact) : first_fit_in_last_bin(need);
    if (c == NULL)
        c = extend_heap(need); /* NULL: heap_grow set errno to ENOMEM; nothing changed */
    return memcheck_malloc(c == NULL ? NULL : place(c, need), size);
}

/* The footer checked first (an overrun of this block aborts here, before
 * coalescing rewrites the footer); coalesced as in dlist (neighbours found
 * by address, not by search: two steps at most), then put at the front of
 * the bin of the merged size. */
void dmm_free(void *ptr)
{
    if (ptr == NULL)
        return;
    memcheck_free(ptr); /* before the quiet: a pointer never handed out is reported */
    MEMCHECK_ALLOCATOR_AT_WORK;
    chunk_check_footer(payload_to_chunk(ptr), name);
    state.counts.free_calls++;
    state.counts.free_steps += chunk_neighbour_count(payload_to_chunk(ptr));
    struct chunk *c = coalesce(payload_to_chunk(ptr)); /* its size may pick another bin */
    free_list_push_front(bin_of(c), c);
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
    chunk_check_footer_at(c, name, "realloc"); /* growing or shrinking moves the footer */
    if (!resize_in_place(c, chunk_bytes_for(size)))
        return realloc_by_copy(ptr, chunk_payload_bytes(c), size);
    return memcheck_realloc(ptr, ptr, size);
}

/* What the design promises, checked by the harness on every heap walk (dmm.h):
 * no two free chunks adjacent. Not address-ordered: each bin is LIFO. */
const char dmm_design[] = "coalesces";

const char *dmm_name(void)
{
    return name;
}

void dmm_stats(struct dmm_stats *stats)
{
    stats_report(stats, &state.counts);
}

/* ---- the heap checker ------------------------------------------------------ */

/* Every bin (5, the first half of 4, and 7), then the second half of 4,
 * once chunk.h's walk has counted free_chunks free chunks. */
static const char *check_bins(size_t free_chunks)
{
    size_t listed = 0;
    const char *problem = NULL;
    for (size_t bin = 0; problem == NULL && bin <= LAST_BIN; bin++) {
        problem = check_free_list(state.bins[bin], free_chunks, &listed);
        /* The links are sound now, so the bin can be walked again. */
        for (struct chunk *c = state.bins[bin]; problem == NULL && c != NULL; c = c->next)
            if (bin_index(chunk_size(c)) != bin)
                problem = check_failed(7, c, "%zu bytes belong in bin %zu, not bin %zu",
                                       chunk_size(c), bin_index(chunk_size(c)), bin);
    }
    return problem != NULL ? problem
                           : check_all_free_listed(free_chunks, listed, state.bins, LAST_BIN + 1);
}

/* Invariants 1, 2, 3 and 6 in one walk in address order (chunk.h); then
 * the bins: 4, 5 and 7; then the canaries (3, chunk.h). */
const char *dmm_check(dmm_visit_fn *visit, void *arg)
{
    MEMCHECK_ALLOCATOR_AT_WORK;
    size_t free_chunks;
    const char *problem = check_chunks(visit, arg, &free_chunks);
    if (problem == NULL)
        problem = check_bins(free_chunks);
    return problem != NULL ? problem : check_canaries();
}

/* The payload runs from the header to the footer, whose first word is the
 * canary (dmm.h). */
size_t dmm_usable_size(const void *payload)
{
    MEMCHECK_ALLOCATOR_AT_WORK;
    return chunk_size(payload_to_chunk((void *)payload)) - CHUNK_HEADER_BYTES - CHUNK_FOOTER_BYTES;
}

void dmm_reset(void)
{
    heap_reset();
    state = (struct bins_state){0};
}
