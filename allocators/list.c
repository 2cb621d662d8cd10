/*
 * list.c — the lecture's free list: one singly linked list of free chunks
 * kept in address order, first fit, split, and coalesce on free.
 *
 * The idea
 *   Every chunk starts with a header that holds its size. The free chunks
 *   are linked, lowest address first, through the header's second word.
 *   malloc walks the list from the front and takes the first free chunk
 *   that is big enough (first fit). A chunk bigger than needed is split and
 *   its TAIL end handed out: the front stays in the list where it was, only
 *   smaller, so no link changes. free walks the list to the freed chunk's
 *   place in address order, links it in, and coalesces it with its list
 *   neighbours when they touch it in memory. When nothing fits, the break
 *   moves up by at least GROWTH_STEP bytes (the lecture's 8 KiB) and the new memory joins
 *   the end of the list.
 *
 * The chunk (a 16-byte header; a size counts the whole chunk, header included)
 *
 *      allocated                              free
 *      +--------------------------+           +--------------------------+
 *      | size (bytes)          8  |           | size (bytes)          8  |
 *      | (unused)              8  |           | next free chunk or NULL  |
 *      +--------------------------+ <- ptr    +--------------------------+
 *      | payload                  |           | (old payload, unused)    |
 *      | size - 16 bytes          |           |                          |
 *      +--------------------------+           +--------------------------+
 *
 *   There is no status bit and no footer: a chunk is free exactly when it
 *   is on the free list. The chunk before a freed chunk in memory cannot be
 *   found from the chunk itself; the address-ordered list supplies it, as
 *   the only free chunk that can end where the freed chunk starts is its
 *   list predecessor.
 *
 *      heap_start()                                          heap_break()
 *      | free 96 | alloc 48 | alloc 32 | free 160 | alloc 64 |
 *        ^                               ^
 *        state.free_list ---------------> next ---> NULL
 *
 * Placement policies (policy.h; DMM_POLICY, or cmake -DDMM_POLICY)
 *   fit   = first (default) | next | best | worst: which free chunk malloc
 *           splits. next fit keeps a roving pointer (state.rover) and
 *           starts after it; best and worst walk the whole list.
 *   order = address, only: free finds the chunk's neighbours in memory by
 *           walking the address-ordered list (there is no footer), so the
 *           list cannot be kept in any other order. dlist.c, which has
 *           footers, offers lifo and size too.
 *   With fit=first this is the lecture's list; the other fits still split
 *   and coalesce, so they differ only in which chunk they cut.
 *
 * Invariants (checked by dmm_check)
 *   1. Every chunk's size is a multiple of 16 bytes and at least MIN_CHUNK.
 *   2. The chunks tile the heap section: stepping from heap_start() by the
 *      chunk sizes lands exactly on heap_break().
 *   3. Every free-list node lies inside the heap section at a chunk
 *      boundary, so the walk through memory meets each one; with 4 this
 *      makes the free list's length the number of free chunks.
 *   4. The free list is in strictly ascending address order (so it ends).
 *   5. No two free chunks are adjacent in memory: free coalesces fully.
 *   6. The roving pointer of next fit is NULL or a chunk on the free list.
 *
 * Cost (n = free chunks)
 *   malloc: O(n) — first and next fit may walk the whole list before they
 *           find a fit or grow the heap; best and worst always walk it.
 *   free:   O(n) — finding the freed chunk's place in address order walks
 *           the list up to it; the coalescing itself is O(1).
 *   realloc in place: O(n), the same walk as free (counted as free steps).
 *
 * What it deliberately does not do: shrink the heap, keep a status bit or
 * footer, or grow a chunk that ends at the break by moving the break.
 */
#include "dmm.h"

#include "common.h"
#include "heap.h"
#include "policy.h"

#include <stdint.h>

#define HEADER_BYTES 16 /* bytes: size and link, one alignment unit, so payloads stay 16-aligned */
#define MIN_CHUNK 32    /* bytes: a header and the smallest payload (16) */
#define GROWTH_STEP 8192 /* bytes the program break moves at least: the lecture's 8 KiB */

struct chunk {
    size_t size;        /* bytes, header included; a multiple of 16, at least MIN_CHUNK */
    struct chunk *next; /* free chunks only: the next free chunk up in memory, or NULL */
};

_Static_assert(sizeof(struct chunk) == HEADER_BYTES, "the header is exactly one 16-byte unit");

static struct list_state {
    struct chunk *free_list; /* the lowest-addressed free chunk; NULL when there is none */
    struct chunk *rover;     /* next fit: the free chunk after which the next search
                                starts; NULL: at the front (invariant 6) */
    struct policy policy;    /* fit (order is always address), valid once policy_chosen */
    int policy_chosen;       /* 0 until the first call after a reset reads DMM_POLICY */
    struct call_counts counts; /* calls and search steps, for dmm_stats */
} state;

/* ---- the placement policy ----------------------------------------------- */

/* The policy, chosen at the first call after a reset (policy.h): the
 * lecture's first fit unless DMM_POLICY says otherwise; the order is
 * address, the only one offered. */
static const struct policy *policy(void)
{
    if (!state.policy_chosen) {
        state.policy = policy_choose("list", (struct policy){POLICY_FIRST, POLICY_ADDRESS},
                                     POLICY_ALL_FITS, 1u << POLICY_ADDRESS);
        state.policy_chosen = 1;
    }
    return &state.policy;
}

/* ---- chunk helpers ------------------------------------------------------ */

static inline size_t chunk_size(const struct chunk *c)
{
    return c->size;
}

/* The chunk that starts where c ends; NULL when c ends at the program break. */
static inline struct chunk *chunk_next_in_memory(struct chunk *c)
{
    char *next = (char *)c + chunk_size(c);
    return next == (char *)heap_break() ? NULL : (struct chunk *)next;
}

static inline void *chunk_payload(struct chunk *c)
{
    return (char *)c + HEADER_BYTES;
}

static inline struct chunk *payload_to_chunk(void *payload)
{
    return (struct chunk *)((char *)payload - HEADER_BYTES);
}

/* The chunk size that holds a request of n bytes. malloc(0) gets the
 * smallest chunk, so its pointer is unique. n <= DMM_MAX_REQUEST, so
 * neither the rounding nor the header can wrap around. */
static inline size_t chunk_bytes_for(size_t n)
{
    size_t bytes = align_up(n) + HEADER_BYTES;
    return bytes < MIN_CHUNK ? MIN_CHUNK : bytes;
}

/* ---- the free list ------------------------------------------------------ */

/* The free chunk after prev in the list; the first one when prev is NULL. */
static inline struct chunk *list_after(struct chunk *prev)
{
    return prev == NULL ? state.free_list : prev->next;
}

/* Links c in right after prev (at the front when prev is NULL).
 * @pre c lies between prev and prev's successor in memory, so the list
 * stays in address order (invariant 4). */
static void link_after(struct chunk *prev, struct chunk *c)
{
    c->next = list_after(prev);
    if (prev == NULL)
        state.free_list = c;
    else
        prev->next = c;
}

/* Removes c, whose list predecessor is prev (NULL: c is the first). The
 * roving pointer must stay on the list (invariant 6): if it is c, it steps
 * back to prev, so the next search starts where c was. Every removal, a
 * chunk taken whole or absorbed by a neighbour, goes through here. */
static void unlink_after(struct chunk *prev, struct chunk *c)
{
    if (prev == NULL)
        state.free_list = c->next;
    else
        prev->next = c->next;
    if (state.rover == c)
        state.rover = prev;
}

/* The fit (policy.h): a free chunk of at least `bytes`; *prev gets its list
 * predecessor. Every chunk looked at is a malloc step. first and next stop
 * at the first chunk that holds the request; next starts after the roving
 * pointer and goes round to the front once; best and worst walk the whole
 * list for the smallest or the largest. When none fits it returns NULL,
 * and *last is the last free chunk (NULL for an empty list): the whole
 * list was walked, so the walk met it. */
static struct chunk *find_fit(size_t bytes, struct chunk **prev, struct chunk **last)
{
    enum policy_fit fit = policy()->fit;
    struct chunk *from = fit == POLICY_NEXT ? state.rover : NULL; /* start after it */
    struct chunk *start = list_after(from);
    struct chunk *found = NULL, *before = from, *c = start;
    int wrapped = from == NULL; /* from the front, one pass is the whole list */
    *prev = NULL;
    *last = from; /* when from is the last chunk, the first pass is empty */
    for (;;) {
        if (c == NULL && !wrapped) { /* next fit: round to the front, up to start */
            wrapped = 1;
            before = NULL;
            c = state.free_list;
        }
        if (c == NULL || (from != NULL && wrapped && c == start))
            break;
        state.counts.malloc_steps++;
        if (c->next == NULL)
            *last = c;
        if (chunk_size(c) >= bytes) {
            switch (fit) {
            case POLICY_FIRST: /* the first that holds it, from the lowest address */
            case POLICY_NEXT:  /* the same, from where the last search stopped */
                found = c, *prev = before;
                break;
            case POLICY_BEST: /* the smallest that holds it */
                if (found == NULL || chunk_size(c) < chunk_size(found))
                    found = c, *prev = before;
                break;
            case POLICY_WORST: /* the largest */
                if (found == NULL || chunk_size(c) > chunk_size(found))
                    found = c, *prev = before;
                break;
            case POLICY_FITS:
                break;
            }
            if (found != NULL && (fit == POLICY_FIRST || fit == POLICY_NEXT))
                break;
        }
        before = c;
        c = c->next;
    }
    if (found != NULL && fit == POLICY_NEXT)
        state.rover = *prev; /* the next search starts where this one stopped */
    return found;
}

/* Where c belongs in the list: the highest free chunk below it, or NULL.
 * Every node looked at is a free step, the first one above c included (it
 * ends the walk, and it is the chunk c may coalesce with). */
static struct chunk *free_chunk_before(const struct chunk *c)
{
    struct chunk *prev = NULL;
    for (struct chunk *node = state.free_list; node != NULL; node = node->next) {
        state.counts.free_steps++;
        if (node > c)
            break;
        prev = node;
    }
    return prev;
}

/* ---- split, coalesce, growth -------------------------------------------- */

/* Split: c keeps its first front_bytes, and the rest becomes a new chunk
 * right after it, which is returned. c's list link, if any, stays valid.
 * @pre chunk_size(c) - front_bytes >= MIN_CHUNK and front_bytes >= MIN_CHUNK,
 * both multiples of 16 (invariant 1 for both halves). */
static struct chunk *split(struct chunk *c, size_t front_bytes)
{
    size_t tail_bytes = chunk_size(c) - front_bytes;
    c->size = front_bytes;
    struct chunk *tail = chunk_next_in_memory(c);
    tail->size = tail_bytes;
    return tail;
}

/* Hands out `bytes` of the free chunk c (list predecessor prev). Split when
 * what stays behind is a whole chunk, handing out the TAIL so the front
 * keeps its place in the list; else the whole chunk leaves the list, and
 * its extra (less than MIN_CHUNK) bytes go with it. */
static struct chunk *take(struct chunk *prev, struct chunk *c, size_t bytes)
{
    if (chunk_size(c) - bytes >= MIN_CHUNK)
        return split(c, chunk_size(c) - bytes);
    unlink_after(prev, c);
    return c;
}

/* c has just been linked in after prev. The only free chunks that can touch
 * c in memory are its list neighbours: prev is the highest free chunk below
 * it, and c->next the lowest above it. The four cases (CS:APP's coalesce):
 *   1. neither neighbour touches c: nothing to do;
 *   2. only the next one touches c: c absorbs it;
 *   3. only prev touches c: prev absorbs c;
 *   4. both touch c: c absorbs the next one, then prev absorbs c.
 * Returns the free chunk that now holds c's bytes. */
static struct chunk *coalesce(struct chunk *prev, struct chunk *c)
{
    struct chunk *next = c->next;
    if (next != NULL && chunk_next_in_memory(c) == next) { /* cases 2 and 4 */
        unlink_after(c, next);
        c->size += chunk_size(next);
    }
    if (prev != NULL && chunk_next_in_memory(prev) == c) { /* cases 3 and 4 */
        unlink_after(prev, c);
        prev->size += chunk_size(c);
        return prev;
    }
    return c;
}

/* free's work, also used for realloc's leftover tail: link c in at its
 * address and coalesce it with its neighbours. */
static void release(struct chunk *c)
{
    struct chunk *prev = free_chunk_before(c);
    link_after(prev, c);
    coalesce(prev, c);
}

/* Nothing fits: move the break up by max(bytes, GROWTH_STEP) and make the new
 * memory a free chunk at the END of the list (last: the last free chunk,
 * NULL if none). The new chunk starts at the old break, so it coalesces
 * with last exactly when last ended there (case 3). Returns the free chunk
 * that holds the new memory, or NULL when the break cannot move. */
static struct chunk *extend_heap(struct chunk *last, size_t bytes)
{
    size_t grow = bytes > GROWTH_STEP ? bytes : GROWTH_STEP; /* a multiple of 16 */
    struct chunk *c = heap_grow(grow);
    if (c == NULL)
        return NULL;
    c->size = grow;
    link_after(last, c);
    return coalesce(last, c);
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
    size_t bytes = chunk_bytes_for(size);
    struct chunk *prev, *last;
    struct chunk *fit = find_fit(bytes, &prev, &last);
    if (fit == NULL) {
        /* The roving pointer stays where it was: on the list still. */
        fit = extend_heap(last, bytes);
        if (fit == NULL)
            return fail_enomem();
        if (fit == last) {
            /* The new memory joined last. last's old bytes (at least
             * MIN_CHUNK) stay behind as the front, so this always splits
             * and the list keeps its links. */
            return memcheck_malloc(chunk_payload(split(fit, chunk_size(fit) - bytes)), size);
        }
        prev = last; /* the new chunk is the list's last node */
    }
    return memcheck_malloc(chunk_payload(take(prev, fit, bytes)), size);
}

/* Nothing here calls the heap section or the C library, so errno is never
 * touched. */
void dmm_free(void *ptr)
{
    if (ptr == NULL)
        return;
    memcheck_free(ptr); /* before the quiet: a pointer never handed out is reported */
    MEMCHECK_ALLOCATOR_AT_WORK;
    state.counts.free_calls++;
    release(payload_to_chunk(ptr));
}

/* In place where the structure allows: a shrink splits its tail off as a
 * free chunk; a grow absorbs the chunk after it in memory when that one is
 * free and big enough. Otherwise malloc, copy, free. */
void *dmm_realloc(void *ptr, size_t size)
{
    void *result;
    if (realloc_special_case(ptr, size, &result))
        return result;
    MEMCHECK_ALLOCATOR_AT_WORK;
    struct chunk *c = payload_to_chunk(ptr);
    size_t bytes = chunk_bytes_for(size);

    if (bytes <= chunk_size(c)) { /* shrink: give back a tail worth a chunk */
        if (chunk_size(c) - bytes >= MIN_CHUNK)
            release(split(c, bytes));
        return memcheck_realloc(ptr, ptr, size);
    }

    /* Grow: the chunk after c in memory is free exactly when it is the
     * first free chunk above c (the list is in address order). */
    struct chunk *prev = free_chunk_before(c);
    struct chunk *next = list_after(prev);
    if (next != NULL && chunk_next_in_memory(c) == next
        && chunk_size(c) + chunk_size(next) >= bytes) {
        unlink_after(prev, next);
        c->size += chunk_size(next);
        /* The surplus goes back between prev and next's old successor; the
         * chunk after it in memory is allocated (invariant 5 held for next),
         * so there is nothing to coalesce. */
        if (chunk_size(c) - bytes >= MIN_CHUNK)
            link_after(prev, split(c, bytes));
        return memcheck_realloc(ptr, ptr, size);
    }
    return realloc_by_copy(ptr, chunk_size(c) - HEADER_BYTES, size);
}

/* What the design promises, checked by the harness on every heap walk (dmm.h):
 * invariant 5, and first fit on the address-ordered list. */
const char dmm_design[] = "coalesces address-ordered";

const char *dmm_name(void)
{
    return "list";
}

/* The policy in use, as policy.h spells it ("fit=first,order=address"). */
const char *dmm_policy(void)
{
    static char text[48];
    policy_text(policy(), text, sizeof text);
    return text;
}

/* order=address only: free coalesces by walking the address-ordered list. */
const char *dmm_policy_choices(void)
{
    return "fit=first|next|best|worst order=address";
}

void dmm_stats(struct dmm_stats *stats)
{
    stats_report(stats, &state.counts);
}

/* 1 when p is NULL or an address inside [start, brk). Compared as integers:
 * a corrupted link may point anywhere, and only pointers into the section
 * may be compared as pointers. */
static int null_or_in_heap(const void *p, const char *start, const char *brk)
{
    return p == NULL || ((uintptr_t)start <= (uintptr_t)p && (uintptr_t)p < (uintptr_t)brk);
}

/* Walks memory and the free list together: with no status bit, a chunk is
 * free exactly when it is the list node the walk expects next. A node is
 * dereferenced only once the memory walk has reached it at a chunk
 * boundary, and a size is checked before the walk steps by it. */
const char *dmm_check(dmm_visit_fn *visit, void *arg)
{
    MEMCHECK_ALLOCATOR_AT_WORK;
    char *start = heap_start(), *brk = heap_break();
    struct chunk *node = state.free_list; /* the next free chunk the walk expects */
    if (!null_or_in_heap(node, start, brk))
        return check_failed(3, node, "the free list starts outside the heap [%p, %p)",
                            (void *)start, (void *)brk);
    int previous_was_free = 0, rover_listed = state.rover == NULL;
    for (char *at = start; at < brk;) {
        struct chunk *c = (struct chunk *)at;
        size_t size = chunk_size(c);
        if (size % DMM_ALIGNMENT != 0 || size < MIN_CHUNK)
            return check_failed(1, c, "size %zu is not a multiple of %d or is below %d bytes",
                                size, DMM_ALIGNMENT, MIN_CHUNK);
        if (size > (size_t)(brk - at))
            return check_failed(2, c, "size %zu runs past the break %p", size, (void *)brk);
        if (node != NULL && (char *)node > at && (char *)node < at + size)
            return check_failed(3, c, "free-list node %p lies inside this chunk, not at its start",
                                (void *)node);
        int is_free = c == node;
        if (is_free) {
            if (previous_was_free)
                return check_failed(5, c, "free chunk right after a free chunk: not coalesced");
            struct chunk *next = c->next;
            if (!null_or_in_heap(next, start, brk))
                return check_failed(3, c, "next free chunk %p is outside the heap [%p, %p)",
                                    (void *)next, (void *)start, (void *)brk);
            if (next != NULL && next <= c)
                return check_failed(4, c, "next free chunk %p is not above it", (void *)next);
            node = next;
            rover_listed |= c == state.rover;
        }
        if (visit != NULL)
            visit(&(struct dmm_chunk_info){.start = c, .size = size, .header_bytes = HEADER_BYTES,
                                           .footer_bytes = 0, .is_free = is_free},
                  arg);
        previous_was_free = is_free;
        at += size;
    }
    if (node != NULL) /* unreachable when 1-4 hold; kept so a bug here cannot hide a node */
        return check_failed(3, node, "free-list node was not met by the walk through memory");
    if (!rover_listed)
        return check_failed(6, state.rover, "the roving pointer is not on the free list");
    return NULL;
}

/* The payload runs from the header to the end of the chunk (dmm.h). */
size_t dmm_usable_size(const void *payload)
{
    MEMCHECK_ALLOCATOR_AT_WORK;
    return chunk_size(payload_to_chunk((void *)payload)) - HEADER_BYTES;
}

void dmm_reset(void)
{
    heap_reset();
    state = (struct list_state){0};
}
