/*
 * unsorted.c — the lecture's "Unsorted-list-no-coalesce" step: every chunk
 * has a header with its size, free pushes the chunk on the front of one
 * unsorted free list, malloc reuses a chunk from that list whole, and
 * nothing is ever split or coalesced.
 *
 * This is dmm's reading of the lecture's recap line
 * "Unsorted-list-no-coalesce", which sits between Pad and List: the slides
 * name the step and give no code, so the choices below (no split, a status
 * bit) are dmm's, and the reasons are given with them.
 *
 * The idea
 *   pad.c never reuses a byte. Here every chunk remembers its size in a
 *   16-byte header, so free can keep the chunk: it pushes it on the front
 *   of the free list (last in, first out) in O(1). malloc walks the list
 *   and takes the first chunk that holds the request (first fit), whole;
 *   when none does, it carves a new chunk from the bottom of the pad, and
 *   the program break moves as in pad.c: by max(what is missing,
 *   GROWTH_STEP), the lecture's 8 KiB.
 *
 * Why no split, and no coalescing
 *   The lesson of this step is the fragmentation that follows. A reused
 *   chunk is taken whole, so a 32-byte request may get a 4 KiB chunk
 *   (internal fragmentation); and two free neighbours are never merged,
 *   so a request bigger than each of them is carved from the pad although
 *   their bytes together would hold it (external fragmentation). Splitting
 *   without coalescing would only cut the chunks into ever smaller slivers
 *   that nothing fits. The next step, list.c, adds both: split on malloc,
 *   coalesce on free, which is why its list is kept in address order.
 *
 * The chunk (a 16-byte header; the size counts the whole chunk)
 *
 *      allocated                              free
 *      +--------------------------+           +--------------------------+
 *      | size (bytes)  | status 0 |           | size (bytes)  | status 1 |
 *      | (unused)                 |           | next free chunk or NULL  |
 *      +--------------------------+ <- ptr    +--------------------------+
 *      | payload                  |           | (old payload, unused)    |
 *      | size - 16 bytes          |           |                          |
 *      +--------------------------+           +--------------------------+
 *
 *   Sizes are multiples of 16, so bit 0 of the size word is free to be the
 *   status bit (1 = free). The allocator itself never reads it; the heap
 *   checker and the heap map do: the list is not in address order, so they
 *   cannot walk it beside memory to learn which chunks are free, as list.c's
 *   checker does.
 *
 *      heap_start()                                 pad             brk
 *      | alloc 64 | free 32 | free 80 | alloc 112 |  the pad       |
 *                   ^         ^
 *      free list ---|-------> 80 ----> 32 ----> NULL   (80 freed last)
 *
 * Allocator state
 *   The head of the free list, pad.c's pad and brk, the roving pointer of
 *   next fit, the placement policy and the counters, in `state`.
 *
 * Placement policies (policy.h; DMM_POLICY, or cmake -DDMM_POLICY)
 *   fit   = first (default) | next | best | worst: which listed chunk malloc takes
 *   order = lifo (default) | address | size: where free puts a chunk in the list
 *   The lecture's step is fit=first,order=lifo. Nothing coalesces, so
 *   every order is possible: address and size only cost free a walk.
 *
 * Invariants (checked by dmm_check, once the first malloc set the state)
 *   1. Every chunk's size is a multiple of 16 and at least MIN_CHUNK; of
 *      the bits below 16 only the status bit may be set.
 *   2. The chunks tile [heap_start(), pad): stepping from heap_start() by
 *      the chunk sizes lands exactly on pad.
 *   3. heap_start() <= pad <= brk == heap_break(), pad and brk multiples
 *      of 16 (pad.c's invariants): the pad is really there, and ours.
 *   4. A chunk's status bit is set if and only if it is on the free list.
 *   5. Every free-list link is NULL or a chunk inside [heap_start(), pad),
 *      and the list ends: it has no more nodes than there are free chunks.
 *   6. The list is in the policy's order: order=address, strictly
 *      ascending addresses; order=size, sizes never decreasing; order=lifo,
 *      any order.
 *   7. The roving pointer of next fit is NULL or a chunk on the free list.
 *
 * Cost (n = free chunks)
 *   malloc: O(n) — first and next fit may walk the whole list before they
 *           find a fit or go to the pad; best and worst always do.
 *   free:   O(1) with order=lifo: a push on the front, no chunk examined.
 *           O(n) with order=address or size: a walk to the chunk's place.
 *   realloc: in place when the chunk already holds the new size, else
 *           malloc, copy, free.
 *   Space:  16 bytes of header per chunk; the unused tail of every reused
 *           chunk; free chunks that are each too small while together they
 *           would do; and up to GROWTH_STEP bytes of pad.
 *
 * What it deliberately does not do: split, coalesce, give memory back to
 * the OS, or grow a chunk into the pad in realloc.
 */
#include "dmm.h"

#include "common.h"
#include "heap.h"
#include "policy.h"

#include <stdint.h>

#define HEADER_BYTES 16    /* bytes: size word and link, one unit, so payloads stay 16-aligned */
#define MIN_CHUNK 32       /* bytes: a header and the smallest payload (16) */
#define GROWTH_STEP 8192   /* bytes the program break moves at least: the lecture's 8 KiB */
#define CHUNK_FREE 1       /* the status bit, bit 0 of the size word */

struct chunk {
    size_t size_status; /* bytes, header included, | CHUNK_FREE when on the free list */
    struct chunk *next; /* free chunks only: the next chunk on the free list, or NULL */
};

_Static_assert(sizeof(struct chunk) == HEADER_BYTES, "the header is exactly one 16-byte unit");

static struct unsorted_state {
    struct chunk *free_list;   /* the free list's first chunk; NULL when there is none */
    struct chunk *rover;       /* next fit: the listed chunk after which the next search
                                  starts; NULL: at the front (invariant 7) */
    char *pad;                 /* first byte of the pad (pad.c's pPad); NULL before first use */
    char *brk;                 /* the break as last moved here (pBrk); NULL before first use */
    struct policy policy;      /* fit and order, valid once policy_chosen is 1 */
    int policy_chosen;         /* 0 until the first call after a reset reads DMM_POLICY */
    struct call_counts counts; /* calls and search steps, for dmm_stats */
} state;

/* ---- the placement policy --------------------------------------------- */

#define OFFERED_FITS POLICY_ALL_FITS
#define OFFERED_ORDERS POLICY_ALL_ORDERS

/* The policy, chosen at the first call after a reset (policy.h): the
 * lecture's first fit on a LIFO list unless DMM_POLICY says otherwise. */
static const struct policy *policy(void)
{
    if (!state.policy_chosen) {
        state.policy = policy_choose("unsorted", (struct policy){POLICY_FIRST, POLICY_LIFO},
                                     OFFERED_FITS, OFFERED_ORDERS);
        state.policy_chosen = 1;
    }
    return &state.policy;
}

/* ---- chunk helpers ------------------------------------------------------ */

static inline size_t chunk_size(const struct chunk *c)
{
    return c->size_status & ~(size_t)(DMM_ALIGNMENT - 1);
}

static inline int chunk_is_free(const struct chunk *c)
{
    return (c->size_status & CHUNK_FREE) != 0;
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

/* The listed chunk after prev; the first one when prev is NULL. */
static inline struct chunk *list_after(struct chunk *prev)
{
    return prev == NULL ? state.free_list : prev->next;
}

/* Takes c, whose list predecessor is prev (NULL: c is the first), off the
 * list. Only find_fit takes chunks off (nothing coalesces), and with next
 * fit it then sets the roving pointer to prev, which stays on the list:
 * so the pointer never rests on a chunk that left (invariant 7). */
static void list_unlink(struct chunk *prev, struct chunk *c)
{
    if (prev == NULL)
        state.free_list = c->next;
    else
        prev->next = c->next;
}

/* Where free puts c (the order): after the returned chunk, NULL meaning
 * at the front. lifo: the front, nothing examined. address and size: a
 * walk to the first chunk above c (in address or in size), which is a
 * free step like every chunk passed on the way. */
static struct chunk *list_place_for(const struct chunk *c)
{
    enum policy_order order = policy()->order;
    if (order == POLICY_LIFO)
        return NULL;
    struct chunk *prev = NULL;
    for (struct chunk *node = state.free_list; node != NULL; prev = node, node = node->next) {
        state.counts.free_steps++;
        if (order == POLICY_ADDRESS ? node > c : chunk_size(node) >= chunk_size(c))
            break;
    }
    return prev;
}

/* free's work: c becomes free and joins the list at its place. */
static void list_insert(struct chunk *c)
{
    struct chunk *prev = list_place_for(c);
    c->size_status = chunk_size(c) | CHUNK_FREE;
    c->next = list_after(prev);
    if (prev == NULL)
        state.free_list = c;
    else
        prev->next = c;
}

/* The fit (policy.h): a listed chunk that holds `bytes`, taken off the
 * list whole; NULL when none does. Every chunk looked at is a malloc step.
 * first and next stop at the first chunk that holds the request; next
 * starts after the roving pointer and goes round to the front once; best
 * and worst walk the whole list for the smallest or the largest. */
static struct chunk *find_fit(size_t bytes)
{
    enum policy_fit fit = policy()->fit;
    struct chunk *from = fit == POLICY_NEXT ? state.rover : NULL; /* start after it */
    struct chunk *start = list_after(from);
    struct chunk *found = NULL, *found_prev = NULL;
    struct chunk *prev = from, *c = start;
    int wrapped = from == NULL; /* from the front, one pass is the whole list */
    for (;;) {
        if (c == NULL && !wrapped) { /* next fit: round to the front, up to start */
            wrapped = 1;
            prev = NULL;
            c = state.free_list;
        }
        if (c == NULL || (from != NULL && wrapped && c == start))
            break;
        state.counts.malloc_steps++;
        if (chunk_size(c) >= bytes) {
            switch (fit) {
            case POLICY_FIRST: /* the first that holds it */
            case POLICY_NEXT:  /* the same, from where the last search stopped */
                found = c, found_prev = prev;
                break;
            case POLICY_BEST: /* the smallest that holds it */
                if (found == NULL || chunk_size(c) < chunk_size(found))
                    found = c, found_prev = prev;
                break;
            case POLICY_WORST: /* the largest */
                if (found == NULL || chunk_size(c) > chunk_size(found))
                    found = c, found_prev = prev;
                break;
            case POLICY_FITS:
                break;
            }
            if (found != NULL && (fit == POLICY_FIRST || fit == POLICY_NEXT))
                break;
        }
        prev = c;
        c = c->next;
    }
    if (found == NULL)
        return NULL;
    list_unlink(found_prev, found);
    if (fit == POLICY_NEXT)
        state.rover = found_prev; /* the next search starts where this one stopped */
    return found;
}

/* ---- the pad (pad.c's, with a header on each chunk) --------------------- */

static inline size_t pad_bytes(void)
{
    return (size_t)(state.brk - state.pad);
}

/* A new chunk of `bytes` from the bottom of the pad. When the pad is too
 * small the break moves up by max(what is missing, GROWTH_STEP); the pad's
 * old bytes stay at its bottom, as the new ones follow them. NULL with
 * errno == ENOMEM, and nothing changed, when the break cannot move. */
static struct chunk *carve_from_pad(size_t bytes)
{
    if (state.brk == NULL) { /* first use: the pad is empty and starts at the break */
        char *start = heap_break();
        if (start == NULL)
            return NULL;
        state.pad = state.brk = start;
    }
    if (bytes > pad_bytes()) {
        size_t missing = bytes - pad_bytes();
        size_t increment = missing > GROWTH_STEP ? missing : GROWTH_STEP;
        char *old_break = heap_grow(increment);
        if (old_break == NULL)
            return NULL;
        state.brk = old_break + increment;
    }
    struct chunk *c = (struct chunk *)state.pad;
    state.pad += bytes;
    c->size_status = bytes;
    return c;
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
    struct chunk *c = find_fit(bytes);
    if (c == NULL)
        c = carve_from_pad(bytes);
    if (c == NULL)
        return fail_enomem();
    c->size_status = chunk_size(c); /* allocated: the status bit cleared */
    return memcheck_malloc(chunk_payload(c), size);
}

/* No neighbour is looked at: nothing coalesces. With order=lifo free is
 * O(1); errno is never touched (nothing here calls the OS). */
void dmm_free(void *ptr)
{
    if (ptr == NULL)
        return;
    memcheck_free(ptr); /* before the quiet: a pointer never handed out is reported */
    MEMCHECK_ALLOCATOR_AT_WORK;
    state.counts.free_calls++;
    list_insert(payload_to_chunk(ptr));
}

/* In place when the chunk already holds the new size (a shrink keeps the
 * whole chunk: there is no split); else malloc, copy, free. */
void *dmm_realloc(void *ptr, size_t size)
{
    void *result;
    if (realloc_special_case(ptr, size, &result))
        return result;
    MEMCHECK_ALLOCATOR_AT_WORK;
    struct chunk *c = payload_to_chunk(ptr);
    if (chunk_bytes_for(size) <= chunk_size(c))
        return memcheck_realloc(ptr, ptr, size);
    return realloc_by_copy(ptr, chunk_size(c) - HEADER_BYTES, size);
}

const char *dmm_name(void)
{
    return "unsorted";
}

/* The policy in use, as policy.h spells it ("fit=first,order=lifo"). */
const char *dmm_policy(void)
{
    static char text[48];
    policy_text(policy(), text, sizeof text);
    return text;
}

const char *dmm_policy_choices(void)
{
    return "fit=first|next|best|worst order=lifo|address|size";
}

void dmm_stats(struct dmm_stats *stats)
{
    stats_report(stats, &state.counts);
}

/* 1 when p is a possible chunk: 16-aligned, with a whole header inside
 * [heap_start(), pad). Compared as integers: a corrupted link may point
 * anywhere, and only pointers into the section may be compared. */
static int chunk_is_in_heap(const struct chunk *p)
{
    uintptr_t at = (uintptr_t)p;
    return at >= (uintptr_t)heap_start() && at < (uintptr_t)state.pad
           && (uintptr_t)state.pad - at >= HEADER_BYTES && is_aligned(p);
}

/* 1 when c is where a chunk starts: a walk through memory (only on the
 * way to reporting a broken heap, where speed does not matter). */
static int chunk_is_a_boundary(const struct chunk *c)
{
    for (char *at = heap_start(); at < state.pad; at += chunk_size((struct chunk *)at))
        if ((const char *)c == at)
            return 1;
    return 0;
}

/* Invariants 4 to 7: the list against what the walk through memory
 * counted (free_chunks free chunks whose addresses add up to free_sum).
 * The same count and the same sum of addresses, with every node a free
 * chunk, make the listed chunks the free chunks; when either differs, a
 * slow search names the culprit. */
static const char *check_list(size_t free_chunks, uintptr_t free_sum)
{
    size_t listed = 0;
    uintptr_t listed_sum = 0;
    int rover_listed = state.rover == NULL;
    const struct chunk *before = NULL;
    for (struct chunk *c = state.free_list; c != NULL; before = c, c = c->next) {
        if (!chunk_is_in_heap(c))
            return check_failed(5, before, "the link %p does not point at a chunk in the heap",
                                (void *)c);
        if (!chunk_is_free(c))
            return check_failed(4, c, "on the free list, but its status bit says allocated");
        if (++listed > free_chunks)
            return check_failed(5, c, "more listed chunks than the %zu free chunks: a cycle",
                                free_chunks);
        if (before != NULL && policy()->order == POLICY_ADDRESS && c <= before)
            return check_failed(6, c, "order=address, but it comes after %p",
                                (const void *)before);
        if (before != NULL && policy()->order == POLICY_SIZE && chunk_size(c) < chunk_size(before))
            return check_failed(6, c, "order=size, but its %zu bytes come after %zu",
                                chunk_size(c), chunk_size(before));
        listed_sum += (uintptr_t)c;
        rover_listed |= c == state.rover;
    }
    if (listed != free_chunks || listed_sum != free_sum) {
        for (struct chunk *c = state.free_list; c != NULL; c = c->next)
            if (!chunk_is_a_boundary(c))
                return check_failed(5, c, "listed, but not where a chunk starts");
        for (char *at = heap_start(); at < state.pad; at += chunk_size((struct chunk *)at)) {
            struct chunk *c = (struct chunk *)at, *node = state.free_list;
            while (node != NULL && node != c)
                node = node->next;
            if (chunk_is_free(c) && node == NULL)
                return check_failed(4, c, "its status bit says free, but it is not listed");
        }
        return check_failed(4, heap_start(), "%zu free chunks, %zu listed", free_chunks, listed);
    }
    if (!rover_listed)
        return check_failed(7, state.rover, "the roving pointer is not on the free list");
    return NULL;
}

/* Invariant 3 first (the walk needs a sound pad), then 1 and 2 in one walk
 * through memory, which checks a size before it steps by it, then the
 * list. The visitor sees every chunk, then the pad as one free chunk. */
const char *dmm_check(dmm_visit_fn *visit, void *arg)
{
    MEMCHECK_ALLOCATOR_AT_WORK;
    if (state.brk == NULL && state.pad == NULL) {
        if (state.free_list != NULL)
            return check_failed(4, state.free_list, "a free list, but no chunk yet");
        return NULL; /* no malloc since the last reset: nothing to check */
    }
    uintptr_t start = (uintptr_t)heap_start();
    uintptr_t pad = (uintptr_t)state.pad, brk = (uintptr_t)state.brk;
    if (pad < start || pad > brk || !is_aligned(state.pad) || !is_aligned(state.brk))
        return check_failed(3, state.pad, "pad %p is not 16-aligned between %p and brk %p",
                            (void *)state.pad, (void *)start, (void *)state.brk);
    if (state.brk != heap_break())
        return check_failed(3, state.pad, "brk %p is not the break %p: someone else moved it",
                            (void *)state.brk, heap_break());
    size_t free_chunks = 0;
    uintptr_t free_sum = 0;
    for (char *at = heap_start(); at != state.pad;) {
        struct chunk *c = (struct chunk *)at;
        size_t size = chunk_size(c);
        if ((c->size_status & (DMM_ALIGNMENT - 1) & ~(size_t)CHUNK_FREE) != 0 || size < MIN_CHUNK)
            return check_failed(1, c, "size word %#zx is not a multiple of %d of at least %d",
                                c->size_status, DMM_ALIGNMENT, MIN_CHUNK);
        if (size > (size_t)(state.pad - at))
            return check_failed(2, c, "its %zu bytes run past the pad %p", size,
                                (void *)state.pad);
        free_chunks += (size_t)chunk_is_free(c);
        free_sum += chunk_is_free(c) ? (uintptr_t)c : 0;
        if (visit != NULL)
            visit(&(struct dmm_chunk_info){.start = c, .size = size, .header_bytes = HEADER_BYTES,
                                           .is_free = chunk_is_free(c)},
                  arg);
        at += size;
    }
    const char *problem = check_list(free_chunks, free_sum);
    if (problem == NULL && visit != NULL && state.brk > state.pad)
        visit(&(struct dmm_chunk_info){.start = state.pad, .size = pad_bytes(), .is_free = 1}, arg);
    return problem;
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
    state = (struct unsorted_state){0};
}
