/*
 * chunk.h — the chunk with a header and a footer, shared by dlist.c and
 * bins.c (and by nothing else): its layout, the small helpers that read
 * and write it, one doubly linked free list, and the checker's walks.
 *
 * What is not here is every decision: which free list a chunk goes to,
 * how malloc finds a fit, when to split and coalesce, how the heap section
 * grows. Those are the allocator's, written out in dlist.c (one list) and
 * bins.c (an array of lists by size), each readable alone.
 *
 * The chunk (each row is one 8-byte word; sizes in bytes)
 *
 *   allocated chunk                        free chunk
 *
 *   chunk ->+--------------------------+   chunk ->+--------------------------+
 *           | size          | status 0 |           | size          | status 1 | header,
 *           | next   (unused)          |           | next free chunk -------> | 16 bytes
 * payload ->+--------------------------+           +--------------------------+
 *           |                          |           |                          |
 *           | payload: size - 32 bytes |           | old payload (unused)     |
 *           |                          |           |                          |
 *           +--------------------------+           +--------------------------+
 *           | prev   (unused)          |           | <------- prev free chunk | footer,
 *           | size                     |           | size                     | 16 bytes
 *           +--------------------------+           +--------------------------+
 *   chunk + size: the next chunk in memory, or the program break
 *
 * Walking through it
 *   - Sizes are multiples of 16 bytes, so the low 4 bits of the size word
 *     are always 0 and bit 0 can carry the status bit (1 = free).
 *   - The smallest chunk is 48 bytes: header, 16 bytes of payload, footer.
 *   - The next chunk in memory starts at chunk + size (chunk_next_in_memory).
 *   - The footer is in every chunk, allocated or free: it is how free finds
 *     the start of the chunk before it in memory, whose size is in the 16
 *     bytes just below this chunk (chunk_prev_in_memory).
 *   - The list links live in the header (next) and the footer (prev) of a
 *     free chunk, so a free chunk's size must not change while it is in a
 *     list: remove it, resize it, then push it again.
 *   - The exceptions: the first chunk has no chunk before it (its "footer
 *     below" would be outside the heap section), and the last has none after
 *     it: it ends at the program break.
 *
 * The checker's walks here check the invariants both files state, by the
 * same numbers: 1 (sizes), 2 (tiling up to the program break), 3 (footer),
 * 4 (status bit if and only if listed), 5 (links), 6 (no adjacent free).
 */
#ifndef DMM_CHUNK_H
#define DMM_CHUNK_H

#include "dmm.h"

#include "common.h"
#include "heap.h"

#include <stdint.h>

#define CHUNK_HEADER_BYTES 16 /* size word + next link */
#define CHUNK_FOOTER_BYTES 16 /* prev link + size word */
#define CHUNK_MIN_BYTES 48    /* header + 16-byte payload + footer */

enum chunk_status { CHUNK_ALLOCATED = 0, CHUNK_FREE = 1 }; /* bit 0 of the size word */

struct chunk {                 /* the header, at the chunk's first byte */
    size_t size_status;        /* chunk bytes, header to footer; bit 0 = CHUNK_FREE */
    struct chunk *next;        /* free: next chunk in the same free list, or NULL */
};

struct chunk_footer {          /* the last 16 bytes of the chunk */
    struct chunk *prev;        /* free: previous chunk in the same free list, or NULL */
    size_t size;               /* chunk bytes again, without the status bit */
};

/* ---- the chunk and its neighbours in memory ------------------------------- */

static inline size_t chunk_size(const struct chunk *c)
{
    return c->size_status & ~(size_t)(DMM_ALIGNMENT - 1);
}

static inline int chunk_is_free(const struct chunk *c)
{
    return (c->size_status & CHUNK_FREE) != 0;
}

static inline struct chunk_footer *chunk_footer(const struct chunk *c)
{
    return (struct chunk_footer *)((char *)c + chunk_size(c) - CHUNK_FOOTER_BYTES);
}

static inline void *chunk_payload(struct chunk *c)
{
    return (char *)c + CHUNK_HEADER_BYTES;
}

static inline struct chunk *payload_to_chunk(void *payload)
{
    return (struct chunk *)((char *)payload - CHUNK_HEADER_BYTES);
}

static inline size_t chunk_payload_bytes(const struct chunk *c)
{
    return chunk_size(c) - CHUNK_HEADER_BYTES - CHUNK_FOOTER_BYTES;
}

/* The chunk that holds a request of `request` bytes. The caller has checked
 * request_too_large(request), so the sum cannot wrap around. */
static inline size_t chunk_bytes_for(size_t request)
{
    size_t bytes = CHUNK_HEADER_BYTES + align_up(request) + CHUNK_FOOTER_BYTES;
    return bytes < CHUNK_MIN_BYTES ? CHUNK_MIN_BYTES : bytes;
}

/* The chunk that starts where c ends; NULL when c ends at the program break. */
static inline struct chunk *chunk_next_in_memory(struct chunk *c)
{
    char *next = (char *)c + chunk_size(c);
    return next == (char *)heap_break() ? NULL : (struct chunk *)next;
}

/* The chunk right before c in memory, found through its footer (the 16
 * bytes just below c); NULL when c is the first chunk of the heap section. */
static inline struct chunk *chunk_prev_in_memory(struct chunk *c)
{
    if ((char *)c == (char *)heap_start())
        return NULL;
    const struct chunk_footer *before = (struct chunk_footer *)((char *)c - CHUNK_FOOTER_BYTES);
    return (struct chunk *)((char *)c - before->size);
}

/* How many neighbours in memory c has (0, 1 or 2): the status bits that
 * coalescing c reads, which is what free's step count counts. */
static inline uint64_t chunk_neighbour_count(struct chunk *c)
{
    return (uint64_t)(chunk_next_in_memory(c) != NULL) + (chunk_prev_in_memory(c) != NULL);
}

/* Header and footer always change together, so they never disagree. The
 * links are left alone: they belong to the free list. */
static inline void write_header_and_footer(struct chunk *c, size_t size, enum chunk_status status)
{
    c->size_status = size | (size_t)status;
    chunk_footer(c)->size = size;
}

/* Cuts c (in no free list) into a front of front_bytes, which keeps c's
 * status, and a free tail, but only when the tail would be a whole chunk
 * (>= CHUNK_MIN_BYTES): a smaller remainder stays inside c as internal
 * fragmentation. Returns the tail, in no free list, or NULL. */
static inline struct chunk *chunk_split(struct chunk *c, size_t front_bytes)
{
    size_t size = chunk_size(c);
    if (size - front_bytes < CHUNK_MIN_BYTES)
        return NULL;
    write_header_and_footer(c, front_bytes, chunk_is_free(c) ? CHUNK_FREE : CHUNK_ALLOCATED);
    struct chunk *tail = (struct chunk *)((char *)c + front_bytes);
    write_header_and_footer(tail, size - front_bytes, CHUNK_FREE);
    return tail;
}

/* c grows over next, its neighbour in memory, and keeps its own status;
 * next must already be out of any free list. Returns c. */
static inline struct chunk *chunk_absorb(struct chunk *c, struct chunk *next)
{
    enum chunk_status status = chunk_is_free(c) ? CHUNK_FREE : CHUNK_ALLOCATED;
    write_header_and_footer(c, chunk_size(c) + chunk_size(next), status);
    return c;
}

/* The program break moves up by `bytes` (a multiple of 16), and the new
 * bytes become one free chunk, in no free list and not yet coalesced; NULL
 * with errno ENOMEM when the heap section cannot grow. The heap section is
 * contiguous, so the new chunk starts at the old program break. */
static inline struct chunk *chunk_at_new_break(size_t bytes)
{
    struct chunk *c = heap_grow(bytes);
    if (c != NULL)
        write_header_and_footer(c, bytes, CHUNK_FREE);
    return c;
}

/* ---- a doubly linked free list ------------------------------------------- */

/* O(1): the new chunk becomes the head. c's size is final (its footer,
 * where prev lives, is at the end of the chunk). */
static inline void free_list_push_front(struct chunk **head, struct chunk *c)
{
    c->next = *head;
    chunk_footer(c)->prev = NULL;
    if (*head != NULL)
        chunk_footer(*head)->prev = c;
    *head = c;
}

/* O(1): prev comes from the footer, so no walk is needed. Returns c. */
static inline struct chunk *free_list_remove(struct chunk **head, struct chunk *c)
{
    struct chunk *prev = chunk_footer(c)->prev;
    if (prev != NULL)
        prev->next = c->next;
    else
        *head = c->next;
    if (c->next != NULL)
        chunk_footer(c->next)->prev = prev;
    return c;
}

/* ---- the heap checker's walks -------------------------------------------- */

/* The header bits that must be zero: below 16 but not the status bit. */
#define CHUNK_SIZE_LOW_BITS ((size_t)(DMM_ALIGNMENT - 1) & ~(size_t)CHUNK_FREE)

/* Walks the heap section in address order, checking invariants 1, 2, 3
 * and 6; calls visit (if not NULL) for each chunk and counts the free ones.
 * Every size is checked before the walk steps by it, so a corrupted size
 * ends the walk with a message instead of a fault. */
static inline const char *check_chunks(dmm_visit_fn *visit, void *arg, size_t *free_chunks)
{
    char *at = heap_start(), *end = heap_break();
    int before_is_free = 0;
    *free_chunks = 0;
    while (at != end) {
        struct chunk *c = (struct chunk *)at;
        size_t size = chunk_size(c);
        if ((c->size_status & CHUNK_SIZE_LOW_BITS) != 0 || size < CHUNK_MIN_BYTES)
            return check_failed(1, c, "size word %#zx is not a multiple of %d bytes of at least %d",
                                c->size_status, DMM_ALIGNMENT, CHUNK_MIN_BYTES);
        if (size > (size_t)(end - at))
            return check_failed(2, c, "its %zu bytes run past the program break %p", size,
                                (void *)end);
        if (chunk_footer(c)->size != size)
            return check_failed(3, c, "header size %zu, footer size %zu", size,
                                chunk_footer(c)->size);
        if (chunk_is_free(c) && before_is_free)
            return check_failed(6, c, "free, and so is the chunk before it in memory");
        if (visit != NULL)
            visit(&(struct dmm_chunk_info){.start = c, .size = size,
                                           .header_bytes = CHUNK_HEADER_BYTES,
                                           .footer_bytes = CHUNK_FOOTER_BYTES,
                                           .is_free = chunk_is_free(c)}, arg);
        before_is_free = chunk_is_free(c);
        *free_chunks += (size_t)before_is_free;
        at += size;
    }
    return NULL;
}

/* 1 when p could be a chunk: aligned, inside the heap section, with a size
 * that stays inside it (so its footer can be read). Compared as integers:
 * a corrupted link may point anywhere. */
static inline int chunk_is_in_heap(const struct chunk *c)
{
    uintptr_t at = (uintptr_t)c, start = (uintptr_t)heap_start(), end = (uintptr_t)heap_break();
    if (at < start || at >= end || !is_aligned(c) || end - at < CHUNK_MIN_BYTES)
        return 0;
    size_t size = chunk_size(c);
    return size >= CHUNK_MIN_BYTES && size <= end - at;
}

/* Walks one free list, checking invariant 5 and the first half of 4 (each
 * listed chunk is free); adds the chunks it meets to *listed, which may
 * reach but never pass free_chunks (more would be a cycle or an allocated
 * chunk counted twice). */
static inline const char *check_free_list(struct chunk *head, size_t free_chunks, size_t *listed)
{
    const struct chunk *before = NULL;
    for (struct chunk *c = head; c != NULL; before = c, c = c->next) {
        if (!chunk_is_in_heap(c))
            return check_failed(5, before, "the link %p does not point at a chunk in the heap",
                                (void *)c);
        if (!chunk_is_free(c))
            return check_failed(4, c, "in a free list, but its status bit says allocated");
        if (chunk_footer(c)->prev != before)
            return check_failed(5, c, "prev link %p, but the chunk before it in the list is %p",
                                (void *)chunk_footer(c)->prev, (const void *)before);
        if (++*listed > free_chunks)
            return check_failed(4, c, "more chunks in the free lists than the %zu free chunks",
                                free_chunks);
    }
    return NULL;
}

/* The second half of invariant 4, once every list has passed
 * check_free_list: as many listed chunks as free chunks. When fewer are
 * listed, names the first free chunk that none of the `count` lists at
 * heads holds (a slow search, but only on the way to reporting a broken
 * heap section). */
static inline const char *check_all_free_listed(size_t free_chunks, size_t listed,
                                                struct chunk *const *heads, size_t count)
{
    if (listed == free_chunks)
        return NULL;
    char *end = heap_break();
    for (char *at = heap_start(); at != end; at += chunk_size((struct chunk *)at)) {
        struct chunk *c = (struct chunk *)at, *found = NULL;
        if (!chunk_is_free(c))
            continue;
        for (size_t list = 0; found != c && list < count; list++)
            for (found = heads[list]; found != NULL && found != c; found = found->next)
                continue;
        if (found != c)
            return check_failed(4, c, "its status bit says free, but it is in no free list");
    }
    return check_failed(4, heap_start(), "%zu free chunks, %zu listed", free_chunks, listed);
}

#endif /* DMM_CHUNK_H */
