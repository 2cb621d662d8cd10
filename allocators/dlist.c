/*
 * dlist.c — one doubly linked free list, first fit, and a footer in every
 * chunk so that free coalesces in O(1).
 *
 * The idea (with the default policy; see "Placement policies" below)
 *   Every free chunk is in one unordered free list; free puts it at the
 *   front. malloc walks the list from the front and takes the first chunk
 *   that is big enough (first fit), splits it, and puts the tail back at
 *   the front. free finds its neighbours in memory without any search —
 *   the next chunk by the chunk's own size, the previous one by the footer
 *   just below it — and coalesces with whichever of them is free.
 *
 * The chunk (drawn in full, with its helpers, in chunk.h; rows of 8 bytes)
 *
 *   chunk ->+-----------------+  allocated: status bit 0, next unused
 *           | size   | status |  header, 16 bytes
 *           | next free chunk |
 * payload ->+-----------------+
 *           | payload         |  size - 32 bytes
 *           +-----------------+
 *           | prev free chunk |  footer, 16 bytes: free reads the size here
 *           | size            |  to find the start of this chunk; allocated,
 *           +-----------------+  prev holds the canary (0xfd bytes)
 *   Sizes are multiples of 16 bytes; bit 0 of the size word is the status
 *   bit (1 = free). The smallest chunk is 48 bytes.
 *
 *   The footer repeats the size, and an allocated chunk's footer holds a
 *   canary where a free one's holds prev, so a write past the end of a
 *   payload (the lecture's strcpy into malloc(strlen(s))) is caught at the
 *   next free or realloc of that block, which says so on stderr and aborts
 *   (chunk_check_footer in chunk.h; docs/canary.md).
 *
 * Allocator state
 *   The head of the free list, the roving pointer of next fit, the
 *   placement policy and the counters, in `state`.
 *
 * Placement policies (policy.h; DMM_POLICY, or cmake -DDMM_POLICY)
 *   fit   = first (default) | next | best | worst: which listed chunk malloc
 *           takes; next fit starts at a roving pointer (state.rover), best
 *           and worst walk the whole list.
 *   order = lifo (default) | address | size: where a free chunk joins the
 *           list (a freed chunk, a split's surplus). The footers find the
 *           neighbours in memory, so coalescing works with any order;
 *           address and size cost a walk to the chunk's place.
 *   The defaults are this step of the lecture: first fit on an unordered
 *   (LIFO) list.
 *
 * Invariants (checked by dmm_check)
 *   1. Every chunk's size is a multiple of 16 bytes and at least 48.
 *   2. The chunks tile the heap section [heap_start(), heap_break())
 *      exactly: each starts where the one before ends, the last ends at
 *      the program break.
 *   3. The size in the header equals the size in the footer; an allocated
 *      chunk's footer holds the canary (free and realloc check this too,
 *      and abort when it fails).
 *   4. A chunk has its status bit set if and only if it is in the free
 *      list (counted both ways).
 *   5. The free list links are consistent: the head's prev is NULL and
 *      c->next's prev is c; every link points at a chunk in the heap
 *      section.
 *   6. No two free chunks are adjacent in memory.
 *   7. The list is in the policy's order: order=address, strictly
 *      ascending addresses; order=size, sizes never decreasing; order=lifo,
 *      any order.
 *   8. The roving pointer of next fit is NULL or a chunk on the free list.
 *
 * Cost
 *   malloc: O(free chunks) — first and next fit may walk the whole free
 *           list, which holds chunks of every size, small ones included;
 *           best and worst always walk it.
 *   free:   O(1) with order=lifo — two neighbours examined at most, front
 *           insertion, and removal from the middle of the list needs no
 *           walk because each free chunk knows its prev. O(free chunks)
 *           with order=address or size: the walk to the chunk's place.
 *   realloc: in place when shrinking, or growing into a free next chunk;
 *           otherwise malloc, copy, free.
 *   Space: 32 bytes of header and footer per chunk, 48 at least.
 *
 * What it deliberately does not do (with the default policy): keep the
 * list sorted (by address or size), look for the best fit; and, whatever
 * the policy, ever move the program break down.
 */
#include "dmm.h"

#include "chunk.h"
#include "common.h"
#include "heap.h"
#include "policy.h"

#include <stdint.h>

#define GROWTH_STEP 8192 /* bytes the program break moves at least: the lecture's 8 KiB */

static struct dlist_state {
    struct chunk *free_list;   /* head of the one free list, NULL when empty */
    struct chunk *rover;       /* next fit: the listed chunk the next search starts at;
                                  NULL: at the front (invariant 8) */
    struct policy policy;      /* fit and order, valid once policy_chosen is 1 */
    int policy_chosen;         /* 0 until the first call after a reset reads DMM_POLICY */
    struct call_counts counts; /* calls and search steps, for dmm_stats */
} state;

/* ---- the placement policy --------------------------------------------------- */

/* The policy, chosen at the first call after a reset (policy.h): the
 * lecture's first fit on a LIFO list unless DMM_POLICY says otherwise. */
static const struct policy *policy(void)
{
    if (!state.policy_chosen) {
        state.policy = policy_choose("dlist", (struct policy){POLICY_FIRST, POLICY_LIFO},
                                     POLICY_ALL_FITS, POLICY_ALL_ORDERS);
        state.policy_chosen = 1;
    }
    return &state.policy;
}

/* The chunk helpers (chunk_size, chunk_footer, chunk_next_in_memory: the
 * chunk that starts where this one ends, NULL at the program break, ...)
 * and free_list_push_front / free_list_remove are in chunk.h. */

/* ---- the free list ---------------------------------------------------------- */

/* Takes c off the list. The roving pointer must stay on the list
 * (invariant 8): if it is c, it moves on to the chunk after c. Every
 * removal, a chunk taken or a neighbour coalesced, goes through here. */
static struct chunk *list_remove(struct chunk *c)
{
    if (state.rover == c)
        state.rover = c->next;
    return free_list_remove(&state.free_list, c);
}

/* c (free, in no list, its size final) joins the list where the order puts
 * it. lifo: at the front, nothing examined. address and size: before the
 * first chunk above it (in address or in size), after a walk in which
 * every chunk looked at is a free step, whoever runs it (a split's surplus
 * in malloc too: malloc steps count the search for a fit only). */
static void list_insert(struct chunk *c)
{
    enum policy_order order = policy()->order;
    if (order == POLICY_LIFO) {
        free_list_push_front(&state.free_list, c);
        return;
    }
    struct chunk *before = NULL, *at = state.free_list;
    for (; at != NULL; before = at, at = at->next) {
        state.counts.free_steps++;
        if (order == POLICY_ADDRESS ? at > c : chunk_size(at) >= chunk_size(c))
            break;
    }
    c->next = at;
    chunk_footer(c)->prev = before;
    if (before == NULL)
        state.free_list = c;
    else
        before->next = c;
    if (at != NULL)
        chunk_footer(at)->prev = c;
}

/* The fit (policy.h): a listed chunk that holds need bytes, taken off the
 * list; NULL when none does. Every chunk looked at is a malloc step. first
 * and next stop at the first chunk that holds the request; next starts at
 * the roving pointer and goes round to the front once; best and worst walk
 * the whole list for the smallest or the largest. */
static struct chunk *find_fit(size_t need)
{
    enum policy_fit fit = policy()->fit;
    struct chunk *start = fit == POLICY_NEXT && state.rover != NULL ? state.rover : state.free_list;
    struct chunk *found = NULL, *c = start;
    int second_pass = 0; /* next fit, after the end: from the front up to start */
    for (;;) {
        if (c == NULL && start != state.free_list && !second_pass) {
            second_pass = 1;
            c = state.free_list;
        }
        if (c == NULL || (second_pass && c == start))
            break;
        state.counts.malloc_steps++;
        if (chunk_size(c) >= need) {
            switch (fit) {
            case POLICY_FIRST: /* the first that holds it */
            case POLICY_NEXT:  /* the same, from where the last search stopped */
                found = c;
                break;
            case POLICY_BEST: /* the smallest that holds it */
                if (found == NULL || chunk_size(c) < chunk_size(found))
                    found = c;
                break;
            case POLICY_WORST: /* the largest */
                if (found == NULL || chunk_size(c) > chunk_size(found))
                    found = c;
                break;
            case POLICY_FITS:
                break;
            }
            if (found != NULL && (fit == POLICY_FIRST || fit == POLICY_NEXT))
                break;
        }
        c = c->next;
    }
    if (found == NULL)
        return NULL;
    if (fit == POLICY_NEXT)
        state.rover = found->next; /* the next search starts after this one's chunk */
    return list_remove(found);
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
        chunk_absorb(c, list_remove(next));
    if (prev != NULL && chunk_is_free(prev)) /* cases 3 and 4 */
        c = chunk_absorb(list_remove(prev), c);
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
        chunk_absorb(c, list_remove(next));
    }
    struct chunk *surplus = chunk_split(c, need);
    if (surplus != NULL)
        list_insert(coalesce(surplus));
    return 1;
}

/* c (in no list, at least need bytes) becomes allocated; the surplus, when
 * it is a whole chunk, is split off and joins the list (at the front with
 * order=lifo). Its
 * next neighbour cannot be free (c was a whole free chunk, or the last
 * chunk), so the surplus needs no coalescing. */
static void *place(struct chunk *c, size_t need)
{
    write_header_and_footer(c, chunk_size(c), CHUNK_ALLOCATED);
    struct chunk *surplus = chunk_split(c, need);
    if (surplus != NULL)
        list_insert(surplus);
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
    chunk_check_footer(c, dmm_name()); /* an overrun aborts here, before coalesce rewrites it */
    state.counts.free_calls++;
    state.counts.free_steps += chunk_neighbour_count(c);
    list_insert(coalesce(c));
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
    chunk_check_footer_at(c, dmm_name(), "realloc"); /* growing or shrinking moves the footer */
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

/* Invariants 7 and 8, on a list that passed 4 and 5 (so it ends). */
static const char *check_policy(void)
{
    int rover_listed = state.rover == NULL;
    for (struct chunk *c = state.free_list; c != NULL; c = c->next) {
        struct chunk *next = c->next;
        if (next != NULL && policy()->order == POLICY_ADDRESS && next <= c)
            return check_failed(7, next, "order=address, but it comes after %p", (void *)c);
        if (next != NULL && policy()->order == POLICY_SIZE && chunk_size(next) < chunk_size(c))
            return check_failed(7, next, "order=size, but its %zu bytes come after %zu",
                                chunk_size(next), chunk_size(c));
        rover_listed |= c == state.rover;
    }
    if (!rover_listed)
        return check_failed(8, state.rover, "the roving pointer is not on the free list");
    return NULL;
}

/* Invariants 1, 2, 3 and 6 in one walk in address order (chunk.h), then
 * the list: 5, and 4 from both sides; the canaries (the rest of 3); then
 * the policy's 7 and 8. */
const char *dmm_check(dmm_visit_fn *visit, void *arg)
{
    MEMCHECK_ALLOCATOR_AT_WORK;
    size_t free_chunks, listed = 0;
    const char *problem = check_chunks(visit, arg, &free_chunks);
    if (problem == NULL)
        problem = check_free_list(state.free_list, free_chunks, &listed);
    if (problem == NULL)
        problem = check_all_free_listed(free_chunks, listed, &state.free_list, 1);
    if (problem == NULL)
        problem = check_canaries(); /* the rest of 3, once 4 has spoken (chunk.h) */
    if (problem == NULL)
        problem = check_policy();
    return problem;
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
    state = (struct dlist_state){0};
}
