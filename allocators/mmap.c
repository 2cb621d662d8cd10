/*
 * mmap.c — every chunk is its own mapping: malloc maps fresh pages from the
 * OS, free unmaps them. The program break never moves.
 *
 * The idea
 *   Let the kernel be the allocator. malloc(n) maps header + n bytes (the
 *   kernel rounds up to whole pages) and returns the bytes after the
 *   header; free reads the length from the header and unmaps exactly that.
 *   Freed memory goes straight back to the OS, so nothing is ever left
 *   over in a free list — there is no free list. What remains to remember
 *   is where the live mappings are, so that the heap checker can find them
 *   and dmm_reset can give them back: the header links every live mapping
 *   into a doubly linked list (insert at the head and remove anywhere, both
 *   O(1)).
 *
 * The chunk (one mapping; the header keeps the payload 16-aligned)
 *
 *      page boundary (heap_map's result)
 *      v
 *      +--------+--------+--------+--------+------------------+------------+
 *      | length | magic  |  next  |  prev  | payload: n bytes | rest of    |
 *      |        |        |        |        |                  | last page  |
 *      +--------+--------+--------+--------+------------------+------------+
 *      |<----- header: 32 bytes ---------->|^ returned pointer             |
 *      |<------------ length: header + n, rounded up to whole pages ------>|
 *
 *      state.head -> newest chunk <-> ... <-> oldest chunk -> NULL
 *
 * Invariants (checked by dmm_check, walking the list from state.head)
 *   1. Every chunk starts on a page boundary, and its length is a non-zero
 *      multiple of the page size, at least the header: it is what heap_map
 *      mapped, so free unmaps exactly that.
 *   2. Every chunk's magic word is CHUNK_MAGIC: the header was not
 *      overwritten (and the pointer really leads to one of dmm's mappings).
 *   3. The links are consistent: the head's prev is NULL, and for every
 *      chunk, chunk->next->prev == chunk.
 *   4. The list holds exactly state.mappings chunks, one per live mapping.
 *   5. The lengths of the chunks in the list add up to the heap section's
 *      mapped_bytes (dmm_stats): no mapping is missing from the list, and
 *      no mapping was made behind the allocator's back.
 *
 * Cost
 *   malloc: one system call (mmap) per request, and a page per chunk at
 *           least, however small the request.
 *   free:   one system call (munmap) per chunk, and the memory is back with
 *           the OS at once.
 *   Time is bad for small chunks and good for large ones (a system call
 *   costs the same for 16 bytes and for 16 MiB); space depends on the OS
 *   (whole pages, and the kernel's own bookkeeping for every mapping).
 *   malloc_steps and free_steps are always 0: nothing is ever searched.
 *   realloc: in place while the new size fits the chunk's pages, else a new
 *   mapping and a copy.
 *
 * What it deliberately does not do: share a page between two chunks, keep
 * freed pages for later, give back the tail pages when realloc shrinks a
 * chunk, or use mremap (Linux only) to grow one.
 */
#include "dmm.h"

#include "common.h"
#include "heap.h"

#include <stdint.h>

/* An arbitrary word unlikely to appear by chance in a stray header. */
#define CHUNK_MAGIC ((size_t)0xD11A110CA7EDull)

/* The header at the start of every mapping. Four words, 32 bytes: a multiple
 * of DMM_ALIGNMENT, so the payload after it is 16-aligned. */
struct chunk {
    size_t length;      /* bytes mapped: header + request, rounded up to whole pages */
    size_t magic;       /* CHUNK_MAGIC while the chunk is live (invariant 2) */
    struct chunk *next; /* the next older live chunk, NULL for the oldest */
    struct chunk *prev; /* the next newer live chunk, NULL for the head */
};

_Static_assert(sizeof(struct chunk) % DMM_ALIGNMENT == 0,
               "the header must keep the payload 16-aligned");

#define HEADER_BYTES (sizeof(struct chunk)) /* 32 bytes before every payload */

/* Search work is always zero: there is no free list to search. */
static struct mmap_state {
    struct chunk *head;    /* the newest live chunk; NULL when none is live */
    size_t mappings;       /* live chunks, one mapping each */
    struct call_counts counts; /* calls and search steps, for dmm_stats */
} state;

/* ---- chunk helpers ------------------------------------------------------ */

static inline size_t chunk_size(const struct chunk *chunk)
{
    return chunk->length;
}

/* Bytes the payload may use: everything after the header up to the end of
 * the last page, which may be more than was asked for. */
static inline size_t chunk_payload_bytes(const struct chunk *chunk)
{
    return chunk_size(chunk) - HEADER_BYTES;
}

static inline void *chunk_payload(struct chunk *chunk)
{
    return (char *)chunk + HEADER_BYTES;
}

static inline struct chunk *payload_to_chunk(void *payload)
{
    return (struct chunk *)((char *)payload - HEADER_BYTES);
}

static inline int is_page_aligned(uintptr_t value)
{
    return (value & (heap_page_size() - 1)) == 0;
}

/* Invariants 1 and 2 for one chunk: safe to read the header only once its
 * address is page-aligned (a wild pointer usually is not). */
static inline int chunk_header_sane(const struct chunk *chunk)
{
    return is_page_aligned((uintptr_t)chunk) && chunk->length >= HEADER_BYTES
        && is_page_aligned(chunk->length) && chunk->magic == CHUNK_MAGIC;
}

/* ---- the list of live mappings ------------------------------------------ */

static void list_insert_at_head(struct chunk *chunk)
{
    chunk->prev = NULL;
    chunk->next = state.head;
    if (state.head != NULL)
        state.head->prev = chunk;
    state.head = chunk;
    state.mappings++;
}

static void list_remove(struct chunk *chunk)
{
    if (chunk->prev != NULL)
        chunk->prev->next = chunk->next;
    else
        state.head = chunk->next;
    if (chunk->next != NULL)
        chunk->next->prev = chunk->prev;
    state.mappings--;
}

/* ---- the public interface ----------------------------------------------- */

/* Every public function that reads or writes headers starts with
 * MEMCHECK_ALLOCATOR_AT_WORK: under valgrind, headers are no-access to the
 * program and the allocator's own accesses go unreported (heap.h). */
void *dmm_malloc(size_t size)
{
    MEMCHECK_ALLOCATOR_AT_WORK;
    state.counts.malloc_calls++;
    if (request_too_large(size))
        return fail_enomem();
    /* size <= PTRDIFF_MAX, so adding the header cannot wrap. malloc(0)
     * still maps a page of its own, so each pointer is unique. */
    size_t bytes = HEADER_BYTES + size;
    struct chunk *chunk = heap_map(bytes);
    if (chunk == NULL)
        return NULL; /* errno is ENOMEM, and the list is as it was */
    chunk->length = whole_pages(bytes); /* what the kernel mapped */
    chunk->magic = CHUNK_MAGIC;
    list_insert_at_head(chunk);
    return memcheck_malloc(chunk_payload(chunk), size);
}

void dmm_free(void *ptr)
{
    if (ptr == NULL)
        return;
    memcheck_free(ptr); /* before the quiet: a pointer never handed out is reported */
    MEMCHECK_ALLOCATOR_AT_WORK;
    state.counts.free_calls++;
    struct chunk *chunk = payload_to_chunk(ptr);
    list_remove(chunk);
    unmap_for_free(chunk, chunk_size(chunk));
}

/* In place while the new size fits the pages already mapped: a shrink, or
 * a grow into the unused rest of the last page. Otherwise a new mapping,
 * and the whole old payload copied, since every byte of it is mapped. */
void *dmm_realloc(void *ptr, size_t size)
{
    void *result;
    if (realloc_special_case(ptr, size, &result))
        return result;
    MEMCHECK_ALLOCATOR_AT_WORK;
    struct chunk *chunk = payload_to_chunk(ptr);
    if (size <= chunk_payload_bytes(chunk))
        return memcheck_realloc(ptr, ptr, size);
    return realloc_by_copy(ptr, chunk_payload_bytes(chunk), size);
}

const char *dmm_name(void)
{
    return "mmap";
}

void dmm_stats(struct dmm_stats *stats)
{
    stats_report(stats, &state.counts);
}

/* Walks the list from the head, newest chunk first: the mappings are not in
 * address order (the kernel picks the addresses), so list order is the one
 * order there is. The walk stops after state.mappings + 1 chunks, so a cycle
 * in the links cannot make it run forever. */
const char *dmm_check(dmm_visit_fn *visit, void *arg)
{
    MEMCHECK_ALLOCATOR_AT_WORK;
    struct dmm_stats section = {0};
    heap_stats(&section);
    size_t count = 0, bytes = 0;
    struct chunk *prev = NULL;
    for (struct chunk *chunk = state.head; chunk != NULL; prev = chunk, chunk = chunk->next) {
        if (count == state.mappings)
            return check_failed(4, chunk, "the list holds more than the %zu live chunks",
                                state.mappings);
        if (!is_page_aligned((uintptr_t)chunk))
            return check_failed(1, chunk, "not on a page boundary, so not a mapping: a wild link");
        if (chunk->length < HEADER_BYTES || !is_page_aligned(chunk->length))
            return check_failed(1, chunk, "length %zu is not a non-zero number of whole pages",
                                chunk->length);
        if (chunk->magic != CHUNK_MAGIC)
            return check_failed(2, chunk, "magic word %#zx, expected %#zx", chunk->magic,
                                CHUNK_MAGIC);
        if (chunk->prev != prev)
            return check_failed(3, chunk, "prev is %p, but the chunk before it is %p",
                                (void *)chunk->prev, (void *)prev);
        count++;
        bytes += chunk_size(chunk);
        if (visit != NULL)
            visit(&(struct dmm_chunk_info){.start = chunk, .size = chunk_size(chunk),
                                           .header_bytes = HEADER_BYTES},
                  arg);
    }
    if (count != state.mappings)
        return check_failed(4, prev, "the list holds %zu chunks, but %zu are live", count,
                            state.mappings);
    if (bytes != section.mapped_bytes)
        return check_failed(5, state.head, "the chunks add up to %zu bytes, but %zu are mapped",
                            bytes, section.mapped_bytes);
    return NULL;
}

/* Unmaps every live chunk, then resets the (unused) break and the counters.
 * The walk stops at the first header that is not sane (invariants 1 and 2):
 * after a corruption, leaking a mapping is better than unmapping pages
 * that may not be ours. */
/* The payload runs to the end of the chunk's last page (dmm.h). */
size_t dmm_usable_size(const void *payload)
{
    MEMCHECK_ALLOCATOR_AT_WORK;
    return chunk_payload_bytes(payload_to_chunk((void *)payload));
}

void dmm_reset(void)
{
    MEMCHECK_ALLOCATOR_AT_WORK;
    struct chunk *chunk = state.head;
    for (size_t i = 0; chunk != NULL && i < state.mappings && chunk_header_sane(chunk); i++) {
        struct chunk *next = chunk->next;
        memcheck_free(chunk_payload(chunk)); /* a live block: memcheck forgets it */
        heap_unmap(chunk, chunk_size(chunk));
        chunk = next;
    }
    heap_reset();
    state = (struct mmap_state){0};
}
