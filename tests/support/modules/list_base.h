/*
 * list_base.h — the lecture's free list (allocators/list.c), cut down, that
 * the coalescing test modules are made from.
 *
 * Like bump_base.h, this header is the allocator itself, included by
 * exactly one file per module. The module defines LIST_NAME (its
 * dmm_name) and writes the one function that has the bug:
 *
 *   static struct chunk *coalesce(struct chunk *prev, struct chunk *c);
 *
 * called after free linked c in after prev (its list predecessor: the
 * highest free chunk below it), returning the free chunk that now holds c.
 * Everything else is list.c's: one singly linked free list in address
 * order, first fit, the tail of a bigger chunk handed out, growth by at
 * least 8 KiB; realloc is always malloc, copy, free.
 *
 * Its checker checks list.c's invariants 1-4 and deliberately NOT 5 (no
 * two free chunks adjacent): the module declares "coalesces" in dmm_design,
 * so only the harness's own check of that promise can catch a coalesce
 * that is wrong. That is what tests/tools/check_design.c and the design
 * suite (tests/allocators/check_design.c) show.
 */
#ifndef DMM_LIST_BASE_H
#define DMM_LIST_BASE_H

#include "dmm.h"

#include "common.h"
#include "heap.h"

#include <stdint.h>

#ifndef LIST_NAME
#error "define LIST_NAME, the module's dmm_name(), before including list_base.h"
#endif

#define HEADER_BYTES 16  /* bytes: size and link */
#define MIN_CHUNK 32     /* bytes: a header and the smallest payload */
#define GROWTH_STEP 8192 /* bytes the break moves at least */

struct chunk {
    size_t size;        /* bytes, header included; a multiple of 16, at least MIN_CHUNK */
    struct chunk *next; /* free chunks only: the next free chunk up in memory, or NULL */
};

static struct list_state {
    struct chunk *free_list;   /* the lowest-addressed free chunk; NULL when there is none */
    struct call_counts counts; /* calls and search steps, for dmm_stats */
} state;

/* What it promises, wrongly: the harness must find out. */
const char dmm_design[] = "coalesces address-ordered";

static inline size_t chunk_size(const struct chunk *c)
{
    return c->size;
}

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

static inline size_t chunk_bytes_for(size_t n)
{
    size_t bytes = align_up(n) + HEADER_BYTES;
    return bytes < MIN_CHUNK ? MIN_CHUNK : bytes;
}

static struct chunk *coalesce(struct chunk *prev, struct chunk *c); /* the module's */

static void link_after(struct chunk *prev, struct chunk *c)
{
    c->next = prev == NULL ? state.free_list : prev->next;
    if (prev == NULL)
        state.free_list = c;
    else
        prev->next = c;
}

static void unlink_after(struct chunk *prev, struct chunk *c)
{
    if (prev == NULL)
        state.free_list = c->next;
    else
        prev->next = c->next;
}

static struct chunk *split(struct chunk *c, size_t front_bytes)
{
    size_t tail_bytes = chunk_size(c) - front_bytes;
    c->size = front_bytes;
    struct chunk *tail = chunk_next_in_memory(c);
    tail->size = tail_bytes;
    return tail;
}

void *dmm_malloc(size_t size)
{
    state.counts.malloc_calls++;
    if (request_too_large(size))
        return fail_enomem();
    size_t bytes = chunk_bytes_for(size);
    struct chunk *prev = NULL, *fit = state.free_list;
    for (; fit != NULL && chunk_size(fit) < bytes; prev = fit, fit = fit->next)
        state.counts.malloc_steps++;
    if (fit == NULL) { /* grow: the new memory is the list's last node, coalesced */
        size_t grow = bytes > GROWTH_STEP ? bytes : GROWTH_STEP;
        fit = heap_grow(grow);
        if (fit == NULL)
            return fail_enomem();
        fit->size = grow;
        link_after(prev, fit);
        struct chunk *joined = coalesce(prev, fit);
        if (joined == prev) /* the front stays behind: always a split */
            return chunk_payload(split(prev, chunk_size(prev) - bytes));
        fit = joined;
    }
    if (chunk_size(fit) - bytes >= MIN_CHUNK)
        return chunk_payload(split(fit, chunk_size(fit) - bytes));
    unlink_after(prev, fit);
    return chunk_payload(fit);
}

void dmm_free(void *ptr)
{
    if (ptr == NULL)
        return;
    state.counts.free_calls++;
    struct chunk *c = payload_to_chunk(ptr), *prev = NULL;
    for (struct chunk *node = state.free_list; node != NULL && node < c; node = node->next) {
        state.counts.free_steps++;
        prev = node;
    }
    link_after(prev, c);
    coalesce(prev, c);
}

void *dmm_realloc(void *ptr, size_t size)
{
    void *result;
    if (realloc_special_case(ptr, size, &result))
        return result;
    return realloc_by_copy(ptr, chunk_size(payload_to_chunk(ptr)) - HEADER_BYTES, size);
}

const char *dmm_name(void)
{
    return LIST_NAME;
}

void dmm_stats(struct dmm_stats *stats)
{
    stats_report(stats, &state.counts);
}

/* list.c's walk, without invariant 5. */
const char *dmm_check(dmm_visit_fn *visit, void *arg)
{
    char *start = heap_start(), *brk = heap_break();
    struct chunk *node = state.free_list;
    for (char *at = start; at < brk;) {
        struct chunk *c = (struct chunk *)at;
        size_t size = chunk_size(c);
        if (size % DMM_ALIGNMENT != 0 || size < MIN_CHUNK || size > (size_t)(brk - at))
            return check_failed(1, c, "size %zu is not a chunk size here", size);
        int is_free = c == node;
        if (is_free) {
            if (c->next != NULL && c->next <= c)
                return check_failed(4, c, "next free chunk %p is not above it", (void *)c->next);
            node = c->next;
        }
        if (visit != NULL)
            visit(&(struct dmm_chunk_info){.start = c, .size = size, .header_bytes = HEADER_BYTES,
                                           .is_free = is_free},
                  arg);
        at += size;
    }
    if (node != NULL)
        return check_failed(3, node, "free-list node was not met by the walk through memory");
    return NULL;
}

void dmm_reset(void)
{
    heap_reset();
    state = (struct list_state){0};
}

#endif /* DMM_LIST_BASE_H */
