/*
 * check_pad.c — the lecture's second manager behaves as the slides say: the
 * break moves at most once per 8 KiB requested, by max(what is missing,
 * 8 KiB); malloc hands out the pad from the bottom; nothing is reused.
 */
#include "dmm.h"

#include "heap.h"
#include "testlib.h"

#include <check.h>
#include <errno.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#define GROWTH_STEP 8192 /* bytes: pad.c's least move of the break, from the lecture */

static struct dmm_stats stats_now(void)
{
    struct dmm_stats stats;
    dmm_stats(&stats);
    return stats;
}

static uintptr_t break_offset(void)
{
    return (uintptr_t)heap_break() - (uintptr_t)heap_start();
}

START_TEST(break_moves_at_most_once_per_8_kib)
{
    dmm_reset();
    size_t n = 1000, chunk = 32; /* malloc(24) takes align_up(24) = 32 bytes */
    for (size_t i = 0; i < n; i++)
        ck_assert_ptr_nonnull(dmm_malloc(24));
    size_t total = n * chunk;
    struct dmm_stats stats = stats_now();
    ck_assert_uint_le(stats.brk_calls, (total + GROWTH_STEP - 1) / GROWTH_STEP);
    /* Each move was by 8 KiB exactly, as every request was smaller. */
    ck_assert_uint_eq(stats.heap_bytes, stats.brk_calls * GROWTH_STEP);
    ck_assert_uint_ge(stats.heap_bytes, total);
    ck_assert_uint_eq(stats.malloc_calls, n);
    ck_assert_heap_ok();
}
END_TEST

/* Each step names the break before and after, as offsets from the start. */
START_TEST(each_move_is_by_max_of_missing_and_8_kib)
{
    dmm_reset();
    char *start = heap_start();

    /* Empty pad, 20000 bytes missing: the break moves by exactly that. */
    char *p = dmm_malloc(20000);
    ck_assert_ptr_eq(p, start);
    ck_assert_uint_eq(break_offset(), 20000);
    ck_assert_uint_eq(stats_now().brk_calls, 1);

    /* Empty pad again, 16 bytes missing: the break moves by 8 KiB. */
    p = dmm_malloc(16);
    ck_assert_ptr_eq(p, start + 20000);
    ck_assert_uint_eq(break_offset(), 20000 + GROWTH_STEP);
    ck_assert_uint_eq(stats_now().brk_calls, 2);

    /* 8176 bytes of pad, 10000 wanted: 1824 missing, the break moves 8 KiB. */
    p = dmm_malloc(10000);
    ck_assert_ptr_eq(p, start + 20016);
    ck_assert_uint_eq(break_offset(), 20000 + 2 * GROWTH_STEP);
    ck_assert_uint_eq(stats_now().brk_calls, 3);

    /* 6368 bytes of pad, 20000 wanted: 13632 missing, more than 8 KiB, so
     * the break moves to exactly pad + 20000. */
    p = dmm_malloc(20000);
    ck_assert_ptr_eq(p, start + 30016);
    ck_assert_uint_eq(break_offset(), 50016);
    ck_assert_uint_eq(stats_now().brk_calls, 4);

    /* The pad is empty now; malloc(0) wants 16 bytes: 8 KiB more. */
    p = dmm_malloc(0);
    ck_assert_ptr_eq(p, start + 50016);
    ck_assert_uint_eq(break_offset(), 50016 + GROWTH_STEP);
    ck_assert_uint_eq(stats_now().brk_calls, 5);

    /* Within the pad: the break stays. */
    p = dmm_malloc(100);
    ck_assert_ptr_eq(p, start + 50032);
    ck_assert_uint_eq(break_offset(), 50016 + GROWTH_STEP);
    ck_assert_uint_eq(stats_now().brk_calls, 5);
    ck_assert_heap_ok();
}
END_TEST

START_TEST(chunks_are_consecutive_and_never_reused)
{
    dmm_reset();
    char *a = dmm_malloc(0);
    char *b = dmm_malloc(0);
    char *c = dmm_malloc(17);
    ck_assert_ptr_eq(b, a + 16); /* malloc(0) takes 16 bytes */
    ck_assert_ptr_eq(c, b + 16);
    dmm_free(c);
    char *d = dmm_malloc(17);
    ck_assert_ptr_eq(d, c + 32); /* above the freed chunk, not on it */
    struct dmm_stats stats = stats_now();
    ck_assert_uint_eq(stats.free_calls, 1);
    ck_assert_uint_eq(stats.brk_calls, 1);
    ck_assert_uint_eq(stats.free_steps, 0);
}
END_TEST

START_TEST(free_changes_only_free_calls)
{
    dmm_reset();
    void *p = dmm_malloc(100);
    ck_assert_ptr_nonnull(p);
    struct dmm_stats before = stats_now();
    errno = 4321;
    dmm_free(p);
    ck_assert_int_eq(errno, 4321);
    struct dmm_stats after = stats_now();
    ck_assert_uint_eq(after.free_calls, before.free_calls + 1);
    after.free_calls = before.free_calls;
    ck_assert_mem_eq(&after, &before, sizeof before);
}
END_TEST

struct recorded {
    size_t count;
    struct dmm_chunk_info chunks[4];
};

static void record_chunk(const struct dmm_chunk_info *chunk, void *arg)
{
    struct recorded *seen = arg;
    if (seen->count < 4)
        seen->chunks[seen->count] = *chunk;
    seen->count++;
}

START_TEST(visitor_shows_the_handed_out_region_and_the_pad)
{
    dmm_reset();
    struct recorded seen = {0};
    ck_assert_ptr_null(dmm_check(record_chunk, &seen));
    ck_assert_uint_eq(seen.count, 0); /* before the first malloc: nothing */

    ck_assert_ptr_nonnull(dmm_malloc(100)); /* 112 bytes of an 8 KiB heap */
    ck_assert_ptr_null(dmm_check(record_chunk, &seen));
    ck_assert_uint_eq(seen.count, 2);
    ck_assert_ptr_eq(seen.chunks[0].start, heap_start());
    ck_assert_uint_eq(seen.chunks[0].size, 112);
    ck_assert_int_eq(seen.chunks[0].is_free, 0);
    ck_assert_ptr_eq(seen.chunks[1].start, (char *)heap_start() + 112);
    ck_assert_uint_eq(seen.chunks[1].size, GROWTH_STEP - 112);
    ck_assert_int_eq(seen.chunks[1].is_free, 1);

    /* A pad used up exactly is not shown. */
    ck_assert_ptr_nonnull(dmm_malloc(GROWTH_STEP - 112));
    struct heap_summary summary = heap_summarize();
    ck_assert_uint_eq(summary.chunks, 1);
    ck_assert_uint_eq(summary.free_chunks, 0);
    ck_assert_uint_eq(summary.bytes, GROWTH_STEP);
}
END_TEST

START_TEST(realloc_keeps_contents)
{
    dmm_reset();
    char *p = dmm_malloc(100);
    char *other = dmm_malloc(48);
    pattern_fill(p, 100, 1);
    pattern_fill(other, 48, 2);
    char *q = dmm_realloc(p, 1000);
    ck_assert_ptr_nonnull(q);
    ck_assert_ptr_ne(q, p);
    ck_assert(pattern_intact(q, 100, 1));
    ck_assert(pattern_intact(other, 48, 2));

    /* The last chunk, grown past the break: the copy stops at the pad. */
    char *r = dmm_realloc(q, 3 * GROWTH_STEP);
    ck_assert_ptr_nonnull(r);
    ck_assert(pattern_intact(r, 100, 1));
    char *s = dmm_realloc(r, 10);
    ck_assert(pattern_intact(s, 10, 1));
    ck_assert_heap_ok();
}
END_TEST

START_TEST(failed_growth_leaves_the_pad_as_it_was)
{
    dmm_reset();
    char *p = dmm_malloc(16);
    char *old_break = heap_break();
    errno = 0;
    /* Legal, but more than the heap section can ever hold. */
    ck_assert_ptr_null(dmm_malloc(DMM_MAX_REQUEST));
    ck_assert_int_eq(errno, ENOMEM);
    ck_assert_ptr_eq(heap_break(), old_break);
    ck_assert_heap_ok();
    ck_assert_ptr_eq(dmm_malloc(16), p + 16); /* the pad carries on */
}
END_TEST

/* Invariants 1 and 2 concern pad.c's private state, which no test can
 * reach; invariant 3 breaks when someone else moves the break. */
START_TEST(checker_finds_the_break_moved_up_behind_its_back)
{
    dmm_reset();
    ck_assert_ptr_nonnull(dmm_malloc(100));
    ck_assert_int_eq(heap_brk((char *)heap_break() + 4096), 0);
    assert_broken(3);
}
END_TEST

START_TEST(checker_finds_the_break_moved_below_the_pad)
{
    dmm_reset();
    ck_assert_ptr_nonnull(dmm_malloc(100));
    ck_assert_int_eq(heap_brk((char *)heap_start() + 64), 0);
    assert_broken(3);
}
END_TEST

/* p1..p5 of the slides fit in the first 8 KiB: one move of the break. */
START_TEST(lecture_demo_costs_one_brk)
{
    run_lecture_demo();
    struct dmm_stats stats = stats_now();
    ck_assert_uint_eq(stats.brk_calls, 1);
    ck_assert_uint_eq(stats.heap_bytes, GROWTH_STEP);
    struct heap_summary summary = heap_summarize();
    ck_assert_uint_eq(summary.bytes - summary.free_bytes, (3 + 1 + 4 + 6 + 2) * 16);
}
END_TEST

int main(void)
{
    Suite *suite = suite_create("lecture/pad");
    TCase *tc = tcase_create("pad");
    tcase_set_timeout(tc, 60);
    tcase_add_test(tc, break_moves_at_most_once_per_8_kib);
    tcase_add_test(tc, each_move_is_by_max_of_missing_and_8_kib);
    tcase_add_test(tc, chunks_are_consecutive_and_never_reused);
    tcase_add_test(tc, free_changes_only_free_calls);
    tcase_add_test(tc, visitor_shows_the_handed_out_region_and_the_pad);
    tcase_add_test(tc, realloc_keeps_contents);
    tcase_add_test(tc, failed_growth_leaves_the_pad_as_it_was);
    tcase_add_test(tc, checker_finds_the_break_moved_up_behind_its_back);
    tcase_add_test(tc, checker_finds_the_break_moved_below_the_pad);
    tcase_add_test(tc, lecture_demo_costs_one_brk);
    suite_add_tcase(suite, tc);
    return run_suite(suite);
}
