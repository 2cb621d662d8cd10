/*
 * check_chunk.c — what allocators/chunk.h does, whichever allocator uses it:
 * growth that merges with a free last chunk, split, coalesce's four cases
 * at a cost of at most 2 steps, realloc in place, and the checker's walks
 * for invariants 1-6. Built once against dmm-dlist and once against
 * dmm-bins (chunk/dlist, chunk/bins); what differs between the two, how a
 * free chunk is found, is in check_dlist.c and check_bins.c.
 *
 * Each request here has the same answer in both allocators (the chunk
 * that fits is the first in dlist's list and the first in bins' search),
 * so one expected address holds for both.
 *
 * The chunk is read here straight from the lecture's drawing, not through
 * chunk.h, so a wrong helper there cannot hide from these tests:
 *   size word (bit 0 = free) 16 bytes before the payload, the next link
 *   right after it; the footer's prev link and size in the last 16 bytes.
 */
#include "dmm.h"

#include "testlib.h"

#include <check.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>

#define HEADER 16     /* bytes before the payload */
#define FOOTER 16     /* bytes after it */
#define GROWTH_STEP 8192 /* bytes the break moves at least: the lecture's 8 KiB */

/* ---- the chunk, as the lecture draws it ------------------------------------- */

static size_t *size_word(void *payload)
{
    return (size_t *)((char *)payload - HEADER);
}

static size_t chunk_bytes(void *payload)
{
    return *size_word(payload) & ~(size_t)15;
}

static int chunk_free(void *payload)
{
    return (int)(*size_word(payload) & 1);
}

static void **next_link(void *payload)
{
    return (void **)((char *)payload - HEADER + sizeof(size_t));
}

static void **footer_prev(void *payload)
{
    return (void **)((char *)payload - HEADER + chunk_bytes(payload) - FOOTER);
}

static size_t *footer_size(void *payload)
{
    return (size_t *)((char *)payload - HEADER + chunk_bytes(payload) - sizeof(size_t));
}

/* The payload of the chunk that starts `bytes` after p's chunk. */
static void *payload_after(void *p, size_t bytes)
{
    return (char *)p + bytes;
}

static uint64_t free_steps_of(void *p)
{
    struct dmm_stats before, after;
    dmm_stats(&before);
    dmm_free(p);
    dmm_stats(&after);
    return after.free_steps - before.free_steps;
}

static void setup(void)
{
    dmm_reset();
}

/* ---- the lecture's demo and growth ----------------------------------------- */

START_TEST(test_demo_ends_with_one_free_chunk)
{
    run_lecture_demo();
    struct heap_summary summary = heap_summarize();
    ck_assert_uint_eq(summary.chunks, 1);
    ck_assert_uint_eq(summary.free_chunks, 1);
    ck_assert_uint_eq(summary.bytes, GROWTH_STEP);
    struct dmm_stats stats;
    dmm_stats(&stats);
    ck_assert_uint_eq(stats.brk_calls, 1);
    ck_assert_uint_eq(stats.heap_bytes, GROWTH_STEP);
    ck_assert_uint_eq(stats.mmap_calls, 0);
}
END_TEST

START_TEST(test_growth_merges_with_a_free_last_chunk)
{
    void *first = dmm_malloc(100); /* 144-byte chunk; 8048 free after it */
    void *big = dmm_malloc(10000); /* 10032 bytes: more than the growth step */
    ck_assert_ptr_eq(big, payload_after(first, 144));
    struct dmm_stats stats;
    dmm_stats(&stats);
    ck_assert_uint_eq(stats.brk_calls, 2);
    ck_assert_uint_eq(stats.heap_bytes, GROWTH_STEP + 10032);
    struct heap_summary summary = heap_summarize();
    ck_assert_uint_eq(summary.free_chunks, 1);
    ck_assert_uint_eq(summary.free_bytes, GROWTH_STEP - 144);
}
END_TEST

/* ---- malloc: reuse and split ------------------------------------------------ */

START_TEST(test_freed_chunk_is_reused)
{
    void *a = dmm_malloc(100), *guard = dmm_malloc(100);
    dmm_free(a);
    ck_assert_ptr_eq(dmm_malloc(100), a);
    ck_assert_ptr_nonnull(guard);
    ck_assert_heap_ok();
}
END_TEST

START_TEST(test_no_split_below_the_minimum_chunk)
{
    void *a = dmm_malloc(100), *guard = dmm_malloc(16); /* 144-byte chunk */
    dmm_free(a);
    void *b = dmm_malloc(80); /* needs 112: a 32-byte rest is no chunk */
    ck_assert_ptr_eq(b, a);
    ck_assert_uint_eq(chunk_bytes(b), 144);
    ck_assert_uint_eq(heap_summarize().free_chunks, 1);
    ck_assert_ptr_nonnull(guard);
}
END_TEST

/* ---- free: the four coalesce cases and its cost ------------------------------ */

/* p[0..4]: five 80-byte chunks; p[0] and p[4] stay allocated. */
static void five_chunks(void *p[5])
{
    for (int i = 0; i < 5; i++)
        p[i] = dmm_malloc(48);
}

START_TEST(test_coalesce_case1_both_neighbours_allocated)
{
    void *p[5];
    five_chunks(p);
    ck_assert_uint_eq(free_steps_of(p[2]), 2);
    ck_assert(chunk_free(p[2]));
    ck_assert_uint_eq(chunk_bytes(p[2]), 80);
    ck_assert_uint_eq(heap_summarize().free_chunks, 2);
    ck_assert_uint_eq(free_steps_of(p[0]), 1); /* the first chunk has no prev */
}
END_TEST

START_TEST(test_coalesce_case2_next_free)
{
    void *p[5];
    five_chunks(p);
    dmm_free(p[3]);
    ck_assert_uint_eq(free_steps_of(p[2]), 2);
    ck_assert(chunk_free(p[2]));
    ck_assert_uint_eq(chunk_bytes(p[2]), 160);
    ck_assert_uint_eq(*footer_size(p[2]), 160);
    ck_assert_uint_eq(heap_summarize().free_chunks, 2);
}
END_TEST

START_TEST(test_coalesce_case3_prev_free)
{
    void *p[5];
    five_chunks(p);
    dmm_free(p[1]);
    ck_assert_uint_eq(free_steps_of(p[2]), 2);
    ck_assert_uint_eq(chunk_bytes(p[1]), 160);
    ck_assert_uint_eq(heap_summarize().free_chunks, 2);
    ck_assert_ptr_eq(dmm_malloc(128), p[1]); /* dlist: first in its list; bins: bin 10 */
}
END_TEST

START_TEST(test_coalesce_case4_both_free)
{
    void *p[5];
    five_chunks(p);
    dmm_free(p[1]);
    dmm_free(p[3]);
    ck_assert_uint_eq(free_steps_of(p[2]), 2);
    ck_assert_uint_eq(chunk_bytes(p[1]), 240);
    ck_assert_uint_eq(heap_summarize().free_chunks, 2);
    ck_assert_ptr_eq(dmm_malloc(208), p[1]);
}
END_TEST

START_TEST(test_free_steps_do_not_grow_with_the_free_list)
{
    uint64_t long_list = free_steps_with_free_list_of(1000);
    uint64_t short_list = free_steps_with_free_list_of(100);
    ck_assert_uint_eq(long_list, short_list);
    ck_assert_uint_le(long_list, 2);
}
END_TEST

/* ---- realloc ---------------------------------------------------------------- */

START_TEST(test_realloc_shrinks_in_place)
{
    void *p = dmm_malloc(512), *guard = dmm_malloc(16); /* 544 bytes */
    pattern_fill(p, 512, 1);
    ck_assert_ptr_eq(dmm_realloc(p, 100), p);
    ck_assert(pattern_intact(p, 100, 1));
    ck_assert_uint_eq(chunk_bytes(p), 144);
    void *tail = payload_after(p, 144);
    ck_assert(chunk_free(tail));
    ck_assert_uint_eq(chunk_bytes(tail), 400);
    ck_assert_ptr_nonnull(guard);
    ck_assert_heap_ok();
}
END_TEST

START_TEST(test_realloc_shrink_merges_the_tail_with_a_free_next_chunk)
{
    void *p = dmm_malloc(512), *next = dmm_malloc(512), *guard = dmm_malloc(16);
    pattern_fill(p, 512, 2);
    dmm_free(next);
    ck_assert_ptr_eq(dmm_realloc(p, 100), p);
    ck_assert(pattern_intact(p, 100, 2));
    ck_assert_uint_eq(chunk_bytes(payload_after(p, 144)), 400 + 544);
    ck_assert_uint_eq(heap_summarize().free_chunks, 2);
    ck_assert_ptr_nonnull(guard);
}
END_TEST

START_TEST(test_realloc_grows_into_a_free_next_chunk)
{
    void *p = dmm_malloc(100), *next = dmm_malloc(400), *guard = dmm_malloc(16);
    pattern_fill(p, 100, 3);
    dmm_free(next); /* 144 + 432 bytes side by side */
    ck_assert_ptr_eq(dmm_realloc(p, 300), p);
    ck_assert(pattern_intact(p, 100, 3));
    ck_assert_uint_eq(chunk_bytes(p), 336);
    ck_assert_uint_eq(chunk_bytes(payload_after(p, 336)), 144 + 432 - 336);
    ck_assert_ptr_nonnull(guard);
    ck_assert_heap_ok();
}
END_TEST

START_TEST(test_realloc_moves_when_the_next_chunk_is_allocated)
{
    void *p = dmm_malloc(100), *guard = dmm_malloc(16);
    pattern_fill(p, 100, 4);
    void *q = dmm_realloc(p, 1000);
    ck_assert_ptr_nonnull(q);
    ck_assert_ptr_ne(q, p);
    ck_assert(pattern_intact(q, 100, 4));
    ck_assert(chunk_free(p));
    ck_assert_ptr_nonnull(guard);
    ck_assert_heap_ok();
}
END_TEST

/* ---- the checker: one corruption per invariant ------------------------------- */

START_TEST(test_check_invariant1_size_not_a_multiple_of_16)
{
    void *a = dmm_malloc(48), *b = dmm_malloc(48);
    *size_word(a) |= 8;
    assert_broken(1);
    a = dmm_malloc(48), b = dmm_malloc(48);
    *size_word(b) = 32; /* below the 48-byte minimum */
    assert_broken(1);
}
END_TEST

START_TEST(test_check_invariant2_chunk_runs_past_the_break)
{
    void *a = dmm_malloc(48);
    *size_word(a) = (size_t)1 << 20; /* 1 MiB in an 8 KiB heap */
    assert_broken(2);
}
END_TEST

START_TEST(test_check_invariant3_footer_disagrees)
{
    void *a = dmm_malloc(48);
    *footer_size(a) = 96;
    assert_broken(3);
}
END_TEST

START_TEST(test_check_invariant4_free_chunk_not_listed)
{
    void *p[5];
    five_chunks(p);
    *size_word(p[2]) |= 1; /* free by its status bit, but in no list */
    assert_broken(4);
}
END_TEST

START_TEST(test_check_invariant4_listed_chunk_not_free)
{
    void *p[5];
    five_chunks(p);
    dmm_free(p[2]);
    *size_word(p[2]) &= ~(size_t)1;
    assert_broken(4);
}
END_TEST

START_TEST(test_check_invariant5_head_has_a_prev)
{
    void *p[5];
    five_chunks(p);
    dmm_free(p[2]); /* the head of the list */
    *footer_prev(p[2]) = size_word(p[2]);
    assert_broken(5);
}
END_TEST

START_TEST(test_check_invariant5_next_link_leaves_the_heap)
{
    void *p[5];
    five_chunks(p);
    dmm_free(p[2]);
    *next_link(p[2]) = &p; /* a stack address */
    assert_broken(5);
}
END_TEST

START_TEST(test_check_invariant6_adjacent_free_chunks)
{
    void *p[5];
    five_chunks(p);
    dmm_free(p[2]);
    *size_word(p[3]) |= 1; /* next to the free p[2] */
    assert_broken(6);
}
END_TEST

int main(void)
{
    const struct test_group groups[] = {
        {"growth", {test_demo_ends_with_one_free_chunk, test_growth_merges_with_a_free_last_chunk}},
        {"malloc", {test_freed_chunk_is_reused, test_no_split_below_the_minimum_chunk}},
        {"free", {test_coalesce_case1_both_neighbours_allocated, test_coalesce_case2_next_free,
                  test_coalesce_case3_prev_free, test_coalesce_case4_both_free,
                  test_free_steps_do_not_grow_with_the_free_list}},
        {"realloc", {test_realloc_shrinks_in_place,
                     test_realloc_shrink_merges_the_tail_with_a_free_next_chunk,
                     test_realloc_grows_into_a_free_next_chunk,
                     test_realloc_moves_when_the_next_chunk_is_allocated}},
        {"checker", {test_check_invariant1_size_not_a_multiple_of_16,
                     test_check_invariant2_chunk_runs_past_the_break,
                     test_check_invariant3_footer_disagrees,
                     test_check_invariant4_free_chunk_not_listed,
                     test_check_invariant4_listed_chunk_not_free,
                     test_check_invariant5_head_has_a_prev,
                     test_check_invariant5_next_link_leaves_the_heap,
                     test_check_invariant6_adjacent_free_chunks}},
    };
    return run_test_groups("chunk", groups, sizeof groups / sizeof groups[0], setup);
}
