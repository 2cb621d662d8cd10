/*
 * chunk.h — the chunk with a header and a footer, shared by dlist.c and
 * bins.c (and by nothing else): its layout, the small helpers that read
 * and write it, one doubly linked free list, the checker's walks, and the
 * footer check that free makes (chunk_check_footer).
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
 *           | canary  fd fd .. fd      |           | <------- prev free chunk | footer,
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
 * The footer catches overruns (docs/canary.md)
 *   The size in the footer repeats the header's, so a program that writes
 *   past the end of its payload — the lecture's strcpy into
 *   malloc(strlen(name)), or longer — changes the footer, and free sees the
 *   two sizes disagree (chunk_check_footer). The word between the payload
 *   and that size, prev, is a list link only in a free chunk; in an
 *   allocated chunk it holds a canary, CHUNK_CANARY, written by every
 *   write_header_and_footer that makes a chunk allocated. The canary catches
 *   the shortest overruns, 1 to 8 bytes, which never reach the size word:
 *   the missing + 1 of the strcpy writes its '\0' there. What the footer
 *   cannot catch: a write that stays inside the alignment filler between
 *   the request and the payload's end (the chunk is bigger than asked),
 *   and an overrun that writes back the same bytes.
 *   Cost: one more store at malloc, into the 16 bytes the size store
 *   already touches; at free, heap_break() and a few compares (measured:
 *   chunk_check_footer_at).
 *
 * The checker's walks here check the invariants both files state, by the
 * same numbers: 1 (sizes), 2 (tiling up to the program break), 3 (footer:
 * the sizes agree; an allocated chunk's canary is whole, in a walk of its
 * own after the lists, check_canaries),
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
    union {                    /* the word right after the payload: */
        struct chunk *prev;    /* free: previous chunk in the same free list, or NULL */
        uintptr_t canary;      /* allocated: CHUNK_CANARY until something writes past */
    };                         /* the end of the payload */
    size_t size;               /* chunk bytes again, without the status bit */
};

/* The allocated chunk's canary: 0xfd in every byte (the "no man's land" of
 * MSVC's debug heap, and the harness's guard byte). A different byte in
 * every position would be no stronger: what matters is that a write past
 * the payload changes at least its first byte. 0xfd does not occur in
 * ASCII or UTF-8 text, and is not 0, so every string overrun changes it,
 * its '\0' included. */
#define CHUNK_CANARY_BYTE 0xfd
#define CHUNK_CANARY ((uintptr_t)0xfdfdfdfdfdfdfdfdu)
_Static_assert(sizeof(uintptr_t) == 8, "the footer's words are 8 bytes: CHUNK_CANARY too");

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

/* Header and footer always change together, so they never disagree. An
 * allocated chunk gets its canary in the footer's first word; a free one's
 * links are left alone: they belong to the free list. Every way a chunk
 * becomes allocated or changes size while allocated (place, split, realloc
 * growing in place) comes through here, so every allocated chunk has it. */
static inline void write_header_and_footer(struct chunk *c, size_t size, enum chunk_status status)
{
    c->size_status = size | (size_t)status;
    struct chunk_footer *footer = chunk_footer(c);
    footer->size = size;
    if (status == CHUNK_ALLOCATED)
        footer->canary = CHUNK_CANARY;
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

/* The second half of invariant 3: every allocated chunk's footer holds
 * the canary. A walk of its own, run after the free lists have passed:
 * a listed chunk whose status bit was cleared is then reported as what
 * it is, invariant 4, not as an allocated chunk whose canary broke (its
 * footer holds a link). check_chunks has passed, so every size is sound. */
static inline const char *check_canaries(void)
{
    char *end = heap_break();
    for (char *at = heap_start(); at != end; at += chunk_size((struct chunk *)at)) {
        const struct chunk *c = (const struct chunk *)at;
        if (!chunk_is_free(c) && chunk_footer(c)->canary != CHUNK_CANARY)
            return check_failed(3, c, "allocated, and its footer's canary is %#zx, not %#zx: "
                                "a write past the end of the payload",
                                (size_t)chunk_footer(c)->canary, (size_t)CHUNK_CANARY);
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

/* ---- the footer check at free --------------------------------------------- */

/* How far past the end of c's payload a write reached into the canary: 0
 * when the canary is whole, k when the k-th byte after the payload is the
 * last one changed. Byte by byte in memory order, so the count means the
 * same on any byte order. */
static inline size_t chunk_canary_reach(const struct chunk_footer *footer)
{
    const unsigned char *byte = (const unsigned char *)&footer->canary;
    size_t reach = 0;
    for (size_t k = 0; k < sizeof footer->canary; k++)
        if (byte[k] != CHUNK_CANARY_BYTE)
            reach = k + 1;
    return reach;
}

/* What is wrong with the chunk of a block given back to `call` ("free",
 * "realloc"), which chunk_check_footer_at found not whole, in the order
 * the checks must run (each makes the next one's reads safe), said by
 * report_heap_corruption (common.h), which aborts:
 *
 *   invalid size     the header is no chunk in the heap section (an
 *                    overrun from the block below, or a pointer malloc
 *                    did not return): its footer cannot even be found;
 *   double free      the status bit says free already;
 *   invalid footer   the sizes disagree: a write past the payload reached
 *   size             the footer's size word, 9 bytes or more past its end;
 *   footer canary    the sizes agree but the canary changed: 1 to 8 bytes
 *   overwritten      past the end, the missing + 1 of strcpy among them.
 *
 * Out of line and cold (and not inline: that and noinline cannot go
 * together; unused: an includer that never calls it is not warned): it
 * runs once, on the way to abort(), and keeping its formatting out of free
 * keeps free's fast path short. */
__attribute__((noinline, cold, noreturn, unused))
static void chunk_report_bad_footer(const struct chunk *c, const char *allocator,
                                    const char *call)
{
    const void *block = (const char *)c + CHUNK_HEADER_BYTES;
    if ((c->size_status & CHUNK_SIZE_LOW_BITS) != 0 || !chunk_is_in_heap(c))
        report_heap_corruption(allocator, call, "invalid size: block %p: header size word %#zx "
                               "is no chunk in the heap section (overwritten from the block "
                               "below? a pointer malloc did not return?)", block, c->size_status);
    if (chunk_is_free(c))
        report_heap_corruption(allocator, call, "double free or corruption: block %p: its "
                               "%zu-byte chunk is free already", block, chunk_size(c));
    const struct chunk_footer *footer = chunk_footer(c);
    size_t size = chunk_size(c), payload = chunk_payload_bytes(c);
    if (footer->size != size)
        report_heap_corruption(allocator, call, "invalid footer size: block %p: header size %zu, "
                               "footer size %zu (%#zx): a write reached %zu or more bytes past "
                               "the end of its %zu-byte payload", block, size, footer->size,
                               footer->size, offsetof(struct chunk_footer, size) + 1, payload);
    size_t reach = chunk_canary_reach(footer);
    report_heap_corruption(allocator, call, "footer canary overwritten: block %p: header "
                           "size %zu, footer size %zu, canary %#zx: a write reached %zu "
                           "byte%s past the end of its %zu-byte payload%s", block, size,
                           footer->size, (size_t)footer->canary, reach, reach == 1 ? "" : "s",
                           payload,
                           reach == 1 ? " (malloc(strlen(s)) without the + 1?)" : "");
}

/* The chunk of a block given back to `call` is whole — an allocated chunk
 * whose size stays below the program break, whose footer repeats that
 * size and holds the canary — or chunk_report_bad_footer says what is
 * wrong and aborts. It must run before anything changes the chunk
 * (coalesce rewrites the footer): free and realloc call it first.
 * allocator names the allocator in the message.
 *
 * The fast path is what every free pays: the header's low 4 bits are all
 * 0 (allocated, a multiple of 16), so size_status is the size itself; the
 * size is checked against the program break before the footer is read (a
 * size written over would send the read anywhere); then two compares.
 * Measured (docs/canary.md): about 17 more instructions per operation in
 * bins and 21 in dlist, 5 to 11 %; the canary's store at malloc is 3 of
 * them. Worth it for a teaching allocator: the lecture's bug is caught
 * where it is made visible, at the free of the block. */
static inline void chunk_check_footer_at(const struct chunk *c, const char *allocator,
                                         const char *call)
{
    size_t size = c->size_status;
    const char *end = heap_break(), *at = (const char *)c;
    const struct chunk_footer *footer;
    if ((size & (DMM_ALIGNMENT - 1)) != 0 || size < CHUNK_MIN_BYTES || at >= end
        || size > (size_t)(end - at)
        || (footer = chunk_footer(c), footer->size != size || footer->canary != CHUNK_CANARY))
        chunk_report_bad_footer(c, allocator, call);
}

/* At free: chunk_check_footer_at(c, allocator, "free"). */
static inline void chunk_check_footer(const struct chunk *c, const char *allocator)
{
    chunk_check_footer_at(c, allocator, "free");
}

#endif /* DMM_CHUNK_H */
