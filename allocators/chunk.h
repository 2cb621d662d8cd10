/*
 * chunk.h — the chunk with a header and a footer, shared by dlist.c and
 * bins.c (and by nothing else).
 *
 * Both allocators lay out the heap the same way and differ only in how
 * they keep their free chunks: dlist in one list, bins in an array of
 * lists chosen by size. So everything here that touches a free list asks
 * the allocator which list a chunk of a given size belongs to, through
 * the allocator's function free_list_for (type free_list_for_fn below).
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
 *   Sizes are multiples of 16 bytes, so the low 4 bits of the size word
 *   are always 0 and bit 0 can carry the status bit (1 = free).
 *   The smallest chunk is 48 bytes: header, 16 bytes of payload, footer.
 *   The footer is in every chunk, allocated or free: it is how free finds
 *   the start of the chunk before it in memory (its size is just below).
 *   The list links live in the header (next) and the footer (prev) of a
 *   free chunk, so a free chunk's size must not change while it is in a
 *   list: remove it, resize it, then push it again.
 *
 * Invariants both allocators state and dmm_check verifies (bins adds a 7th)
 *   1. Every chunk's size is a multiple of 16 bytes (header bits 1-3 are
 *      zero) and at least CHUNK_MIN_BYTES.
 *   2. The chunks tile [heap_start(), heap_break()) exactly: each starts
 *      where the one before ends, and the last ends at the program break.
 *   3. The size in the header equals the size in the footer.
 *   4. A chunk has its status bit set if and only if it is in a free list
 *      (counted both ways: each listed chunk is free, and there are as many
 *      listed chunks as free chunks in the heap).
 *   5. The free list links are consistent: the head's prev is NULL, and for
 *      each chunk c in a list, c->next's prev is c; every link points at a
 *      chunk inside the heap.
 *   6. No two free chunks are adjacent in memory (free coalesces at once).
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
#define MIN_GROW 8192         /* bytes the break moves at least: 8 KiB, the lecture's pad */

enum chunk_status { CHUNK_ALLOCATED = 0, CHUNK_FREE = 1 }; /* bit 0 of the size word */

struct chunk {                 /* the header, at the chunk's first byte */
    size_t size_status;        /* chunk bytes, header to footer; bit 0 = CHUNK_FREE */
    struct chunk *next;        /* free: next chunk in the same free list, or NULL */
};

struct chunk_footer {          /* the last 16 bytes of the chunk */
    struct chunk *prev;        /* free: previous chunk in the same free list, or NULL */
    size_t size;               /* chunk bytes again, without the status bit */
};

/* The allocator's answer to "which free list holds a free chunk of this
 * many bytes?": dlist has one, bins one per size class. */
typedef struct chunk **free_list_for_fn(size_t chunk_bytes);

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

/* The chunk right after c in memory; NULL when c ends at the program break. */
static inline struct chunk *chunk_next_in_memory(struct chunk *c)
{
    char *next = (char *)c + chunk_size(c);
    return next == (char *)heap_break() ? NULL : (struct chunk *)next;
}

/* The chunk right before c in memory, found through its footer (the 16
 * bytes just below c); NULL when c is the first chunk of the heap. */
static inline struct chunk *chunk_prev_in_memory(struct chunk *c)
{
    if ((char *)c == (char *)heap_start())
        return NULL;
    const struct chunk_footer *before = (struct chunk_footer *)((char *)c - CHUNK_FOOTER_BYTES);
    return (struct chunk *)((char *)c - before->size);
}

/* Header and footer always change together, so they never disagree. The
 * links are left alone: they belong to the free list. */
static inline void write_header_and_footer(struct chunk *c, size_t size, enum chunk_status status)
{
    c->size_status = size | (size_t)status;
    chunk_footer(c)->size = size;
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

/* O(1): prev comes from the footer, so no walk is needed. */
static inline void free_list_remove(struct chunk **head, struct chunk *c)
{
    struct chunk *prev = chunk_footer(c)->prev;
    if (prev != NULL)
        prev->next = c->next;
    else
        *head = c->next;
    if (c->next != NULL)
        chunk_footer(c->next)->prev = prev;
}

/* ---- split and coalesce -------------------------------------------------- */

/* Cuts c (in no free list) into a front of front_bytes, which keeps c's
 * status, and a free tail, but only when the tail would be a whole chunk
 * (>= CHUNK_MIN_BYTES): a smaller remainder stays inside c as internal
 * fragmentation. Returns the tail, in no free list, or NULL. */
static inline struct chunk *chunk_split(struct chunk *c, size_t front_bytes)
{
    size_t size = chunk_size(c);
    if (size - front_bytes < CHUNK_MIN_BYTES)
        return NULL;
    enum chunk_status status = chunk_is_free(c) ? CHUNK_FREE : CHUNK_ALLOCATED;
    write_header_and_footer(c, front_bytes, status);
    struct chunk *tail = (struct chunk *)((char *)c + front_bytes);
    write_header_and_footer(tail, size - front_bytes, CHUNK_FREE);
    return tail;
}

/* c grows over next, its neighbour in memory, and keeps its own status.
 * next must already be out of any free list. */
static inline void chunk_absorb(struct chunk *c, struct chunk *next)
{
    enum chunk_status status = chunk_is_free(c) ? CHUNK_FREE : CHUNK_ALLOCATED;
    write_header_and_footer(c, chunk_size(c) + chunk_size(next), status);
}

/* Merges the free chunk c (in no free list) with its free neighbours in
 * memory, so that invariant 6 holds again. The four cases:
 *
 *   1. prev allocated, next allocated:  nothing to merge; c stays as it is.
 *   2. prev allocated, next free:       c absorbs next.
 *   3. prev free,      next allocated:  prev absorbs c; the result starts at prev.
 *   4. prev free,      next free:       prev absorbs c and next.
 *
 * A free neighbour leaves its free list before it grows or disappears.
 * Each neighbour whose status bit is read adds one to *steps (if steps is
 * not NULL): at most 2, whatever the length of the free lists.
 * Returns the merged chunk, free and in no free list. */
static inline struct chunk *coalesce(struct chunk *c, free_list_for_fn *list_for, uint64_t *steps)
{
    struct chunk *next = chunk_next_in_memory(c);
    struct chunk *prev = chunk_prev_in_memory(c);
    uint64_t examined = (next != NULL) + (prev != NULL);
    if (steps != NULL)
        *steps += examined;

    if (next != NULL && chunk_is_free(next)) { /* cases 2 and 4 */
        free_list_remove(list_for(chunk_size(next)), next);
        chunk_absorb(c, next);
    }
    if (prev != NULL && chunk_is_free(prev)) { /* cases 3 and 4 */
        free_list_remove(list_for(chunk_size(prev)), prev);
        chunk_absorb(prev, c);
        c = prev;
    }
    return c;
}

/* ---- the steps of malloc, free and realloc that both allocators share ---- */

/* Marks c (in no free list, at least need bytes) allocated, splits off and
 * lists the surplus, and returns the payload. The tail's next neighbour
 * cannot be free (c was a whole free chunk or the end of the heap), so
 * the tail needs no coalescing. */
static inline void *place(struct chunk *c, size_t need, free_list_for_fn *list_for)
{
    write_header_and_footer(c, chunk_size(c), CHUNK_ALLOCATED);
    struct chunk *tail = chunk_split(c, need);
    if (tail != NULL)
        free_list_push_front(list_for(chunk_size(tail)), tail);
    return chunk_payload(c);
}

/* free's work: status bit set, coalesced, listed. */
static inline void release(struct chunk *c, free_list_for_fn *list_for, uint64_t *steps)
{
    write_header_and_footer(c, chunk_size(c), CHUNK_FREE);
    c = coalesce(c, list_for, steps);
    free_list_push_front(list_for(chunk_size(c)), c);
}

/* Nothing fits: moves the break up by max(need, MIN_GROW) bytes and makes
 * the new bytes one free chunk, merged with the last chunk of the heap if
 * that one is free. Returns it, in no free list, or NULL with errno ENOMEM.
 * The heap section is contiguous, so the new chunk starts at the old break. */
static inline struct chunk *extend_heap(size_t need, free_list_for_fn *list_for)
{
    size_t grow = need > MIN_GROW ? need : MIN_GROW;
    struct chunk *c = heap_grow(grow);
    if (c == NULL)
        return NULL;
    write_header_and_footer(c, grow, CHUNK_FREE);
    return coalesce(c, list_for, NULL);
}

/* realloc without moving, where the chunk allows it; returns 1 if done.
 *   shrink (need <= size): the surplus, if a whole chunk, becomes a free
 *     chunk, merged with a free next chunk;
 *   grow: c absorbs its next chunk in memory when that one is free and big
 *     enough, and the surplus is split off again.
 * Otherwise returns 0 and nothing has changed. */
static inline int resize_in_place(struct chunk *c, size_t need, free_list_for_fn *list_for)
{
    if (need > chunk_size(c)) {
        struct chunk *next = chunk_next_in_memory(c);
        if (next == NULL || !chunk_is_free(next) || chunk_size(c) + chunk_size(next) < need)
            return 0;
        free_list_remove(list_for(chunk_size(next)), next);
        chunk_absorb(c, next);
    }
    struct chunk *tail = chunk_split(c, need);
    if (tail != NULL) {
        tail = coalesce(tail, list_for, NULL);
        free_list_push_front(list_for(chunk_size(tail)), tail);
    }
    return 1;
}

/* dmm_realloc for both allocators: the contract's special cases, then in
 * place where resize_in_place can, else malloc, copy, free. */
static inline void *realloc_chunk(void *ptr, size_t size, free_list_for_fn *list_for)
{
    void *result;
    if (realloc_special_case(ptr, size, &result))
        return result;
    struct chunk *c = payload_to_chunk(ptr);
    if (resize_in_place(c, chunk_bytes_for(size), list_for))
        return ptr;
    return realloc_by_copy(ptr, chunk_payload_bytes(c), size);
}

/* ---- the heap checker's walks -------------------------------------------- */

/* The header bits that must be zero: below 16 but not the status bit. */
#define CHUNK_SIZE_LOW_BITS ((size_t)(DMM_ALIGNMENT - 1) & ~(size_t)CHUNK_FREE)

/* Walks the heap in address order, checking invariants 1, 2, 3 and 6;
 * calls visit (if not NULL) for each chunk and counts the free ones.
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

/* 1 when p could be a chunk: aligned, inside the heap, with a size that
 * stays inside it (so its footer can be read). Compared as integers: a
 * corrupted link may point anywhere. */
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

/* The second half of invariant 4, once the lists have passed
 * check_free_list: as many listed chunks as free chunks. When fewer are
 * listed, names the first free chunk missing from its list (a slow search,
 * but only on the way to reporting a broken heap). */
static inline const char *check_all_free_listed(size_t free_chunks, size_t listed,
                                                free_list_for_fn *list_for)
{
    if (listed == free_chunks)
        return NULL;
    char *end = heap_break();
    for (char *at = heap_start(); at != end; at += chunk_size((struct chunk *)at)) {
        struct chunk *c = (struct chunk *)at;
        if (!chunk_is_free(c))
            continue;
        struct chunk *listed_chunk = *list_for(chunk_size(c));
        while (listed_chunk != NULL && listed_chunk != c)
            listed_chunk = listed_chunk->next;
        if (listed_chunk == NULL)
            return check_failed(4, c, "its status bit says free, but it is not in its free list");
    }
    return check_failed(4, heap_start(), "%zu free chunks, %zu listed", free_chunks, listed);
}

#endif /* DMM_CHUNK_H */
