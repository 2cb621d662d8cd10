/*
 * implicit.c — the planted class's model student: an implicit free list
 * (CS:APP 9.9) with boundary tags, first fit, split and, unless
 * COALESCE is 0, coalescing with both neighbours. tests/CMakeLists.txt
 * makes every submission of the planted class from this file: a few
 * #defines in front of it plant one act (tests/support/grading/acts/).
 *
 * The chunk
 *
 *      +-------------+------------+---------------------+--------+
 *      | size | free | (padding)  | payload ...         | size   |
 *      +-------------+------------+---------------------+--------+
 *      ^ chunk       16 bytes     ^ payload, 16-aligned  footer: 8
 *
 * Invariants (checked by dmm_check)
 *   1. Every chunk lies inside [heap_start(), heap_break()), its size a
 *      multiple of 16 and at least MIN_CHUNK.
 *   2. Its footer repeats its size.
 *   3. (COALESCE) no two free chunks are neighbours.
 *
 * Cost: malloc walks every chunk (first fit over the implicit list); free
 * is O(1) with the boundary tags.
 */
#include "dmm.h"

#include "common.h"
#include "heap.h"

#include <stdint.h>
#include <string.h>

#ifndef COALESCE
#define COALESCE 1
#endif
/* The planted acts: nothing, in the model student. */
#ifndef PLANT_MALLOC
#define PLANT_MALLOC(size) ((void)(size)) /* at the start of every malloc */
#endif
#ifndef PLANT_RESULT
#define PLANT_RESULT(payload) (payload) /* what malloc returns */
#endif
#ifndef PLANT_STATS
#define PLANT_STATS(stats) ((void)(stats)) /* after dmm_stats filled them */
#endif
#ifndef PLANT_NAME
#define PLANT_NAME "implicit"
#endif

#define HEADER 16         /* bytes before the payload */
#define FOOTER 8          /* bytes after it */
#define MIN_CHUNK 32      /* header, footer, alignment */
#define GROWTH_STEP 4096  /* bytes: the least the break moves at once */

struct header {
    size_t size; /* of the whole chunk */
    size_t free; /* 1: free */
};

static struct implicit_state {
    struct call_counts counts;
} state;

static inline struct header *chunk_at(char *p) { return (struct header *)(void *)p; }
static inline size_t *chunk_footer(struct header *c) { return (size_t *)(void *)((char *)c + c->size - FOOTER); }
static inline void *chunk_payload(struct header *c) { return (char *)c + HEADER; }
static inline struct header *payload_to_chunk(void *p) { return chunk_at((char *)p - HEADER); }
static inline struct header *chunk_next_in_memory(struct header *c) { return chunk_at((char *)c + c->size); }

static void set_chunk(struct header *c, size_t size, size_t is_free)
{
    c->size = size;
    c->free = is_free;
    *chunk_footer(c) = size;
}

/* The free neighbour before c, or NULL. */
static struct header *free_prev_in_memory(struct header *c)
{
    if ((char *)c == (char *)heap_start())
        return NULL;
    struct header *prev = chunk_at((char *)c - *(size_t *)(void *)((char *)c - FOOTER));
    return prev->free ? prev : NULL;
}

static struct header *coalesce(struct header *c)
{
    if (!COALESCE)
        return c;
    struct header *next = chunk_next_in_memory(c);
    if ((char *)next < (char *)heap_break() && next->free)
        set_chunk(c, c->size + next->size, 1);
    struct header *prev = free_prev_in_memory(c);
    if (prev != NULL) {
        set_chunk(prev, prev->size + c->size, 1);
        c = prev;
    }
    return c;
}

static struct header *grow(size_t size)
{
    size_t bytes = size > GROWTH_STEP ? size : GROWTH_STEP;
    char *old = heap_grow(bytes);
    if (old == NULL)
        return NULL;
    struct header *c = chunk_at(old);
    set_chunk(c, bytes, 1);
    return coalesce(c);
}

static void place(struct header *c, size_t size)
{
    if (c->size - size >= MIN_CHUNK) {
        size_t rest = c->size - size;
        set_chunk(c, size, 0);
        set_chunk(chunk_next_in_memory(c), rest, 1);
    } else {
        set_chunk(c, c->size, 0);
    }
}

void *dmm_malloc(size_t size)
{
    PLANT_MALLOC(size);
    state.counts.malloc_calls++;
    if (request_too_large(size))
        return fail_enomem();
    size_t need = align_up(size + HEADER + FOOTER);
    if (need < MIN_CHUNK)
        need = MIN_CHUNK;
    struct header *fit = NULL;
    for (char *p = heap_start(); p < (char *)heap_break() && fit == NULL; p += chunk_at(p)->size) {
        state.counts.malloc_steps++;
        if (chunk_at(p)->free && chunk_at(p)->size >= need)
            fit = chunk_at(p);
    }
    if (fit == NULL && (fit = grow(need)) == NULL)
        return fail_enomem();
    if (fit->size < need) { /* grown, and merged with a free last chunk too small alone */
        struct header *more = grow(need - fit->size);
        if (more == NULL)
            return fail_enomem();
        fit = more;
    }
    place(fit, need);
    return PLANT_RESULT(chunk_payload(fit));
}

void dmm_free(void *ptr)
{
    if (ptr == NULL)
        return;
    state.counts.free_calls++;
    struct header *c = payload_to_chunk(ptr);
    set_chunk(c, c->size, 1);
    coalesce(c);
}

void *dmm_realloc(void *ptr, size_t size)
{
    void *result;
    if (realloc_special_case(ptr, size, &result))
        return result;
    return realloc_by_copy(ptr, payload_to_chunk(ptr)->size - HEADER - FOOTER, size);
}

const char *dmm_name(void)
{
    return PLANT_NAME;
}

void dmm_stats(struct dmm_stats *stats)
{
    stats_report(stats, &state.counts);
    PLANT_STATS(stats);
}

const char *dmm_check(dmm_visit_fn *visit, void *arg)
{
    char *end = heap_break();
    int previous_free = 0;
    for (char *p = heap_start(); p < end;) {
        struct header *c = chunk_at(p);
        if (c->size < MIN_CHUNK || c->size % 16 != 0 || c->size > (size_t)(end - p))
            return check_failed(1, c, "size %zu", c->size);
        if (*chunk_footer(c) != c->size)
            return check_failed(2, c, "footer %zu, header %zu", *chunk_footer(c), c->size);
        if (COALESCE && previous_free && c->free)
            return check_failed(3, c, "two free neighbours");
        if (visit != NULL) {
            struct dmm_chunk_info info = {.start = c, .size = c->size, .header_bytes = HEADER,
                                          .footer_bytes = FOOTER, .is_free = (int)c->free};
            visit(&info, arg);
        }
        previous_free = (int)c->free;
        p += c->size;
    }
    return NULL;
}

void dmm_reset(void)
{
    heap_reset();
    state = (struct implicit_state){0};
}
