/*
 * template.c — the skeleton of your own allocator. Copy it, fill in every
 * TODO, and dmm's tests and tools run on your file like on the lecture's.
 *
 * How to build and test it
 *   cp allocators/template.c mine.c        (anywhere you like)
 *   cmake -B build -DDMM_ALLOCATOR_SOURCE=path/to/mine.c
 *   cmake --build build
 *   ctest --test-dir build -L mine         (the contract, random and design suites)
 *   The library 'dmm' is then built from your file. Until you fill it in,
 *   every malloc fails with ENOMEM, so the suites fail: that is the point.
 *
 * Read first: allocators/dmm.h (the contract, every word of it),
 * allocators/heap.h (where memory comes from: never call brk, sbrk, mmap or
 * munmap yourself), allocators/common.h (helpers to use, not rewrite), and
 * allocators/minimal.c, the shortest complete allocator, whose shape this
 * file follows. calloc is shared (allocators/calloc.c): do not write one.
 *
 * Valgrind: the memcheck lines below (heap.h, "memcheck") are already in
 * place; keep them where they are and `valgrind ./your-program` reports the
 * program's errors on your allocator as on glibc's (docs/valgrind.md):
 * memcheck_malloc at every return of a payload, memcheck_free first in free,
 * memcheck_realloc where realloc keeps the block, MEMCHECK_ALLOCATOR_AT_WORK
 * first in every function that reads or writes your headers.
 *
 * TODO: replace this paragraph and the ones below with your allocator's.
 *
 * The idea
 *   TODO: one or two sentences: how malloc finds a chunk, what free does
 *   with it, when the heap grows.
 *
 * The chunk
 *   TODO: draw it, allocated and free, byte by byte, for example:
 *
 *      +--------------+-----------------------------+
 *      | header: size | payload                     |
 *      +--------------+-----------------------------+
 *                     ^ returned pointer, 16-aligned
 *
 * Invariants (checked by dmm_check)
 *   TODO: number them; dmm_check checks exactly these and names the number
 *   of the first one broken. For example:
 *   1. Every chunk lies inside [heap_start(), heap_break()).
 *   2. Every payload is a multiple of DMM_ALIGNMENT.
 *
 * Cost
 *   TODO: malloc: ... steps / system calls, and why. free: ... and why.
 *
 * What it deliberately does not do: TODO.
 */
#include "dmm.h"

#include "common.h"
#include "heap.h"

#include <stdint.h>

/* TODO: tunables, each with its unit and reason, for example
 * #define GROWTH_STEP ((size_t)8192)   bytes: the least the break moves at once */

/* TODO: your chunk header as a struct, a trailing comment on every field.
 * Its size must be a multiple of DMM_ALIGNMENT (16 bytes), or the payload
 * after it is not 16-aligned. */

/* All the allocator's state in one place, so dmm_reset is one assignment.
 * TODO: add your free list head(s), and anything else malloc must remember. */
static struct template_state {
    struct call_counts counts; /* calls and search steps, for dmm_stats */
} state;

/* ---- chunk helpers ------------------------------------------------------ */

/* TODO: static inline functions (not macros: gdb can step into them), with
 * the lecture's names: chunk_size, chunk_is_free, chunk_payload,
 * payload_to_chunk, chunk_next_in_memory, and with footers chunk_footer
 * and chunk_prev_in_memory. */

/* ---- the free list ------------------------------------------------------ */

/* TODO: insert, remove, find fit. Count malloc_steps and free_steps here. */

/* ---- heap growth, split, coalesce --------------------------------------- */

/* TODO: grow with heap_grow() (the new bytes start exactly at the old
 * break), split a chunk that is larger than needed, coalesce a freed chunk
 * with free neighbours (four cases: neither, next, previous, both). */

/* ---- the public interface ----------------------------------------------- */

/* Must return a 16-aligned pointer to at least size bytes, or NULL with
 * errno == ENOMEM and the heap still consistent. malloc(0) returns a unique
 * pointer that free accepts. Sizes above DMM_MAX_REQUEST fail before any
 * arithmetic (the check below stays). */
void *dmm_malloc(size_t size)
{
    MEMCHECK_ALLOCATOR_AT_WORK; /* your headers are no-access to the program */
    state.counts.malloc_calls++;
    if (request_too_large(size))
        return fail_enomem();
    /* TODO: find a free chunk that fits (or grow the heap), split it, mark
     * it allocated, and return its payload, as
     *     return memcheck_malloc(payload, size);   (the block is handed out) */
    return fail_enomem();
}

/* Must accept every pointer malloc returned, do nothing for NULL, and never
 * change errno (save and restore it if anything here could set it). */
void dmm_free(void *ptr)
{
    if (ptr == NULL)
        return;
    memcheck_free(ptr); /* taken back; before the quiet, so a bad free is reported */
    MEMCHECK_ALLOCATOR_AT_WORK;
    state.counts.free_calls++;
    /* TODO: mark the chunk free, coalesce it, put it on the free list. */
}

/* realloc(NULL, n) is malloc(n); realloc(p, 0) frees p and returns NULL;
 * the contents are kept up to the smaller size; on failure NULL, ENOMEM,
 * and p untouched. Resize in place where your structure allows (shrink, or
 * grow into a free next chunk), else move. */
void *dmm_realloc(void *ptr, size_t size)
{
    void *result;
    if (realloc_special_case(ptr, size, &result))
        return result;
    MEMCHECK_ALLOCATOR_AT_WORK;
    /* TODO: resize in place if you can, and then
     *     return memcheck_realloc(ptr, ptr, size);
     * otherwise
     *     return realloc_by_copy(ptr, <old payload bytes>, size);
     * Until then nothing was ever allocated, so there is nothing to move. */
    return fail_enomem();
}

/* What your design promises (dmm.h lists the words), checked by the
 * harness on every heap walk and by the design suite (`ctest -L mine`),
 * whatever your dmm_check says. TODO: when your free coalesces with both
 * neighbours, declare it; add address-ordered if your free list is kept in
 * address order and searched first fit. Leave it out if it promises neither.
 *
 * const char dmm_design[] = "coalesces";
 */

/* The name every tool prints. TODO: your allocator's name. */
const char *dmm_name(void)
{
    return "template";
}

/* The heap section fills the OS fields; the allocator adds its own
 * counters. Every counter reads zero after dmm_reset. */
void dmm_stats(struct dmm_stats *stats)
{
    stats_report(stats, &state.counts);
}

/* The heap checker: walk every chunk from heap_start() to heap_break() in
 * address order (and every free list), check exactly the numbered
 * invariants above, and return check_failed(N, chunk, "...") for the first
 * one broken, NULL when all hold. Call visit (when not NULL) once per chunk
 * with a filled struct dmm_chunk_info, in designated initializers:
 *     visit(&(struct dmm_chunk_info){.start = c, .size = ..., .header_bytes = ...,
 *                                    .footer_bytes = ..., .is_free = ...}, arg);
 * (.kind stays 0 unless the bytes are your own metadata or chunks you never
 * reuse: dmm.h says when). Validate a size before stepping by
 * it: a size that is 0, unaligned or past the break is itself a broken
 * invariant, and must not crash the walk. */
const char *dmm_check(dmm_visit_fn *visit, void *arg)
{
    MEMCHECK_ALLOCATOR_AT_WORK;
    (void)visit;
    (void)arg;
    /* TODO: the walk. */
    return NULL;
}

/* Optional (dmm.h): once your chunks carry their size, define
 *
 *     size_t dmm_usable_size(const void *payload)   bytes the program may use
 *
 * and a program run on your allocator with dmm-run (docs/preload.md) no
 * longer pays for the preload layer's table of every block. */

/* Give every byte back (unmap anything you mapped first, after
 * memcheck_free of a live block in it) and start again from an empty heap
 * with zeroed counters; heap_reset tells memcheck about the heap's blocks. */
void dmm_reset(void)
{
    heap_reset();
    state = (struct template_state){0};
}
