/*
 * check_gnu_checker.c — the heap checker of allocators/gnu.c: one
 * corruption per invariant, each written straight into the chunk as gnu.c
 * draws it (check_gnu.h), and the checker must name that invariant. The
 * allocator's behaviour: check_gnu.c.
 */
#include "dmm.h"

#include "check_gnu.h"
#include "heap.h"
#include "testlib.h"

#include <check.h>
#include <stddef.h>

static void setup(void)
{
    dmm_reset();
}

/* ---- the checker: one corruption per invariant ------------------------------------ */

START_TEST(test_check_invariant1_size_below_the_minimum)
{
    void *a = dmm_malloc(24);
    *size_word(a) = 16;
    assert_checker_says(1);
}
END_TEST

START_TEST(test_check_invariant1_mapped_bit_in_the_heap)
{
    void *a = dmm_malloc(24);
    *size_word(a) |= MAPPED;
    assert_checker_says(1);
}
END_TEST

START_TEST(test_check_invariant2_chunk_runs_past_the_epilogue)
{
    void *a = dmm_malloc(24);
    *size_word(a) = (size_t)1 << 20; /* 1 MiB in a 44 KiB heap */
    assert_checker_says(2);
}
END_TEST

START_TEST(test_check_invariant2_epilogue_overwritten)
{
    ck_assert_ptr_nonnull(dmm_malloc(24));
    *(size_t *)((char *)heap_break() - HEADER) = 32; /* a size where 0 must be */
    assert_checker_says(2);
}
END_TEST

START_TEST(test_check_invariant3_footer_disagrees)
{
    void *p[5];
    five_chunks(p);
    dmm_free(p[2]);
    *footer(p[2]) = 48;
    assert_checker_says(3);
}
END_TEST

START_TEST(test_check_invariant4_prev_free_bit_wrong)
{
    void *a = dmm_malloc(24), *b = dmm_malloc(24);
    *size_word(b) |= PREV_FREE; /* but a is allocated */
    ck_assert_ptr_nonnull(a);
    assert_checker_says(4);
}
END_TEST

START_TEST(test_check_invariant5_adjacent_free_chunks)
{
    void *p[5];
    five_chunks(p);
    dmm_free(p[2]);
    *size_word(p[3]) |= FREE; /* next to the free p[2], which its PREV_FREE knows */
    *footer(p[3]) = chunk_bytes(p[3]);
    *size_word(p[4]) |= PREV_FREE;
    assert_checker_says(5);
}
END_TEST

START_TEST(test_check_invariant6_free_chunk_in_no_bin)
{
    void *p[5];
    five_chunks(p);
    *size_word(p[2]) |= FREE; /* every other invariant of the walk kept */
    *footer(p[2]) = chunk_bytes(p[2]);
    *size_word(p[3]) |= PREV_FREE;
    assert_checker_says(6);
}
END_TEST

START_TEST(test_check_invariant6_binned_chunk_not_free)
{
    void *p[5];
    five_chunks(p);
    dmm_free(p[2]);
    *size_word(p[2]) &= ~(size_t)FREE;
    *size_word(p[3]) &= ~(size_t)PREV_FREE;
    assert_checker_says(6);
}
END_TEST

START_TEST(test_check_invariant7_head_has_a_prev)
{
    void *p[5];
    five_chunks(p);
    dmm_free(p[2]); /* the head of its bin */
    *prev_link(p[2]) = size_word(p[1]);
    assert_checker_says(7);
}
END_TEST

START_TEST(test_check_invariant8_chunk_in_the_wrong_bin)
{
    void *p[5];
    five_chunks(p);
    dmm_free(p[2]); /* 1520 bytes: the bin of 1280..1535 */
    /* p[2] swallows the allocated p[3], header, footer and p[4]'s PREV_FREE
     * agreeing: 3040 bytes left in the bin of 1520. */
    *size_word(p[2]) = 3040 | FREE;
    *footer(p[2]) = 3040;
    *size_word(p[4]) |= PREV_FREE;
    assert_checker_says(8);
}
END_TEST

START_TEST(test_check_invariant9_cached_chunk_lost_its_mark)
{
    void *a = dmm_malloc(100), *guard = dmm_malloc(100);
    dmm_free(a);
    *size_word(a) &= ~(size_t)CACHED;
    ck_assert_ptr_nonnull(guard);
    assert_checker_says(9);
}
END_TEST

START_TEST(test_check_invariant9_chunk_cached_twice)
{
    void *a = dmm_malloc(100), *guard = dmm_malloc(100);
    dmm_free(a);
    dmm_free(a); /* a double free: the cache now links a to itself */
    ck_assert_ptr_nonnull(guard);
    assert_checker_says(9);
}
END_TEST

START_TEST(test_check_invariant10_mapped_header_overwritten)
{
    void *p = dmm_malloc(200000);
    size_t saved = *size_word(p);
    *size_word(p) |= FREE;
    assert_checker_says(10);
    *size_word(p) = saved; /* so that dmm_reset unmaps it */
}
END_TEST

START_TEST(test_check_invariant11_mapped_list_broken)
{
    void *older = dmm_malloc(200000), *newer = dmm_malloc(200000);
    void **prev_of_older = (void **)((char *)older - 24);
    ck_assert_ptr_eq(*prev_of_older, (char *)newer - 32); /* the list, newest first */
    *prev_of_older = NULL;
    assert_checker_says(11);
    *prev_of_older = (char *)newer - 32;
}
END_TEST

/* A mapped chunk whose length word was shortened by 4080 bytes (the same
 * pages: its munmap unmaps exactly its mapping) raises the threshold, when
 * it is freed, to a length that is no whole number of pages. */
START_TEST(test_check_invariant12_threshold_not_a_mapping_length)
{
#if !defined(DMM_MMAP_THRESHOLD_FIXED) || !DMM_MMAP_THRESHOLD_FIXED
    void *p = dmm_malloc(200000);
    *size_word(p) = (chunk_bytes(p) - 4096 + 16) | MAPPED;
    dmm_free(p);
    assert_checker_says(12);
#endif
}
END_TEST

int main(void)
{
    const struct test_group groups[] = {
        {"checker", {test_check_invariant1_size_below_the_minimum,
                     test_check_invariant1_mapped_bit_in_the_heap,
                     test_check_invariant2_chunk_runs_past_the_epilogue,
                     test_check_invariant2_epilogue_overwritten,
                     test_check_invariant3_footer_disagrees,
                     test_check_invariant4_prev_free_bit_wrong,
                     test_check_invariant5_adjacent_free_chunks,
                     test_check_invariant6_free_chunk_in_no_bin,
                     test_check_invariant6_binned_chunk_not_free,
                     test_check_invariant7_head_has_a_prev,
                     test_check_invariant8_chunk_in_the_wrong_bin,
                     test_check_invariant9_cached_chunk_lost_its_mark,
                     test_check_invariant9_chunk_cached_twice,
                     test_check_invariant10_mapped_header_overwritten,
                     test_check_invariant11_mapped_list_broken,
                     test_check_invariant12_threshold_not_a_mapping_length}},
    };
    return run_test_groups("checker/gnu", groups, sizeof groups / sizeof groups[0], setup);
}
