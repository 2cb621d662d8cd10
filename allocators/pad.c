/*
 * pad.c — the lecture's second manager: the program break moves in steps of
 * at least GROWTH_STEP bytes, and malloc hands out the memory below it from a
 * pad; free still does nothing.
 *
 * The idea
 *   minimal.c pays one system call per malloc. Here the break moves rarely
 *   and by a lot; the bytes between the last chunk handed out and the break
 *   are the pad. malloc(n) takes align_up(n) bytes from the bottom of the
 *   pad, and only when the pad is too small does it move the break, to
 *   max(pad + chunk, break + GROWTH_STEP). Nothing is ever reused.
 *
 * The heap section (no header, no footer: a chunk is just its payload)
 *
 *      heap_start()                  pad                        brk
 *      v                             v                          v
 *      +---------+------+------------+--------------------------+
 *      | chunk 1 | c. 2 |  chunk 3   |  the pad: not yet used   |
 *      +---------+------+------------+--------------------------+
 *       handed out, never reused      next malloc starts at pad
 *
 * Allocator state
 *   Two words, the lecture's pPad and pBrk, called pad and brk here (the
 *   "p" only repeats what the type char * says). brk is a copy of the
 *   break, kept so malloc need not ask the OS where it is (sbrk(0)).
 *   Both are NULL until the first malloc sets them to heap_break().
 *
 * Invariants (checked by dmm_check, once the first malloc set the state)
 *   1. heap_start() <= pad <= brk: the pad lies inside the heap section.
 *   2. pad and brk are multiples of DMM_ALIGNMENT: every chunk and every
 *      move of the break is a multiple of 16 bytes, so every payload is
 *      16-aligned.
 *   3. brk == heap_break(): nobody else moved the break, so the pad
 *      [pad, brk) is really there, and nothing above brk is ours.
 *
 * Cost
 *   malloc: one system call per GROWTH_STEP bytes requested (at most), else a
 *           comparison and an addition — amortised Good.
 *   free:   nothing — Good; but no memory is ever reused, so space is Bad
 *           (a freed block's chunk stays below the pad, never reused: the
 *           kind the checker's walk reports), and up to GROWTH_STEP bytes of
 *           pad may never be used at all.
 *   realloc: always a new chunk and a copy (the old size is not recorded).
 *
 * What it deliberately does not do: reuse, coalesce, remember sizes, or
 * give the pad back to the OS.
 */
#include "dmm.h"

#include "common.h"
#include "heap.h"

#include <stdint.h>

/* Bytes the break moves at least: 8 KiB, the lecture's MIN_ALLOC. A
 * multiple of DMM_ALIGNMENT, so the break stays aligned (invariant 2). */
#define GROWTH_STEP ((size_t)8192)

/* Search work is always zero: the pad is the only place to look. */
static struct pad_state {
    char *pad;             /* first byte not yet handed out (pPad); NULL before first use */
    char *brk;             /* the break as last moved here (pBrk); NULL before first use */
    struct call_counts counts; /* calls and search steps, for dmm_stats */
} state;

/* ---- the pad ------------------------------------------------------------ */

static inline size_t pad_bytes(void)
{
    return (size_t)(state.brk - state.pad);
}

/* Moves the break so that the pad holds at least chunk_bytes: to
 * max(pad + chunk_bytes, brk + GROWTH_STEP), i.e. up by the larger of what is
 * missing and GROWTH_STEP. heap_grow is heap_brk(brk + increment) with the
 * overflow check done for us: a pointer past the section would be undefined.
 * Returns 0, or -1 with errno == ENOMEM and the state unchanged. */
static int grow_pad(size_t chunk_bytes)
{
    size_t missing = chunk_bytes - pad_bytes();
    size_t increment = missing > GROWTH_STEP ? missing : GROWTH_STEP;
    char *old_break = heap_grow(increment);
    if (old_break == NULL)
        return -1;
    state.brk = old_break + increment;
    return 0;
}

/* ---- the public interface ----------------------------------------------- */

void *dmm_malloc(size_t size)
{
    state.counts.malloc_calls++;
    if (request_too_large(size))
        return fail_enomem();
    if (state.brk == NULL) {
        /* First use: the pad is empty and starts at the break. */
        char *start = heap_break();
        if (start == NULL)
            return fail_enomem();
        state.pad = state.brk = start;
    }
    /* malloc(0) still takes 16 bytes, so each pointer is unique. */
    size_t chunk_bytes = size == 0 ? DMM_ALIGNMENT : align_up(size);
    if (chunk_bytes > pad_bytes() && grow_pad(chunk_bytes) != 0)
        return NULL; /* errno is ENOMEM, and the pad is as it was */
    char *chunk = state.pad;
    state.pad += chunk_bytes;
    return memcheck_malloc(chunk, size);
}

/* Nothing is given back, but memcheck is told: a later access to the block
 * is a use after free, as it would be on any other allocator. */
void dmm_free(void *ptr)
{
    if (ptr == NULL)
        return;
    memcheck_free(ptr);
    state.counts.free_calls++;
}

/* There is no header, so the old size is unknown. But every byte between
 * the chunk and the pad is heap memory (later chunks or this one), so
 * copying min(new size, pad - ptr) bytes always covers the old payload up
 * to the smaller size — minimal.c's argument, with the pad for the break. */
void *dmm_realloc(void *ptr, size_t size)
{
    void *result;
    if (realloc_special_case(ptr, size, &result))
        return result;
    MEMCHECK_ALLOCATOR_AT_WORK; /* the copy reads past the block, into other blocks (heap.h) */
    size_t bytes_to_pad = (size_t)(state.pad - (char *)ptr);
    return realloc_by_copy(ptr, bytes_to_pad, size);
}

const char *dmm_name(void)
{
    return "pad";
}

void dmm_stats(struct dmm_stats *stats)
{
    stats_report(stats, &state.counts);
}

/* There are no chunk boundaries to walk: the visitor sees what was handed
 * out, [heap_start(), pad), as one region of kind DMM_CHUNK_NEVER_REUSED
 * (dmm.h: live and freed blocks alike, which this file cannot tell apart;
 * the harness splits it), and the pad, [pad, brk), as one free chunk when
 * it is not empty: memory still to be handed out. Pointers are compared as
 * integers, so a wild pad or brk is reported rather than compared. */
const char *dmm_check(dmm_visit_fn *visit, void *arg)
{
    if (state.brk == NULL && state.pad == NULL)
        return NULL; /* no malloc since the last reset: nothing to check */
    uintptr_t start = (uintptr_t)heap_start();
    uintptr_t pad = (uintptr_t)state.pad, brk = (uintptr_t)state.brk;
    if (pad < start || pad > brk)
        return check_failed(1, state.pad, "pad %p is not between the start %p and brk %p",
                            (void *)state.pad, (void *)start, (void *)state.brk);
    if (!is_aligned(state.pad) || !is_aligned(state.brk))
        return check_failed(2, state.pad, "pad %p or brk %p is not %d-aligned",
                            (void *)state.pad, (void *)state.brk, DMM_ALIGNMENT);
    if (state.brk != heap_break())
        return check_failed(3, state.pad, "brk %p is not the break %p: someone else moved it",
                            (void *)state.brk, heap_break());
    if (visit != NULL) {
        char *first = heap_start();
        if (state.pad > first)
            visit(&(struct dmm_chunk_info){.start = first, .size = (size_t)(state.pad - first),
                                           .kind = DMM_CHUNK_NEVER_REUSED},
                  arg);
        if (state.brk > state.pad)
            visit(&(struct dmm_chunk_info){.start = state.pad, .size = pad_bytes(), .is_free = 1},
                  arg);
    }
    return NULL;
}

void dmm_reset(void)
{
    heap_reset();
    state = (struct pad_state){0};
}
