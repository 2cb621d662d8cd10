/*
 * check_minimal.c — the lecture's first manager behaves as the slides say:
 * every malloc moves the break once, by exactly the rounded request, and
 * nothing is ever reused.
 */
#include "dmm.h"

#include "heap.h"
#include "testlib.h"

#include <check.h>
#include <errno.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

static size_t rounded(size_t n)
{
    return n == 0 ? DMM_ALIGNMENT : (n + DMM_ALIGNMENT - 1) / DMM_ALIGNMENT * DMM_ALIGNMENT;
}

static struct dmm_stats stats_now(void)
{
    struct dmm_stats stats;
    dmm_stats(&stats);
    return stats;
}

START_TEST(each_malloc_moves_the_break_once_by_the_rounded_size)
{
    static const size_t sizes[] = {0, 1, 15, 16, 17, 24, 100, 4095, 4096, 20000};
    dmm_reset();
    for (size_t i = 0; i < sizeof sizes / sizeof sizes[0]; i++) {
        char *old_break = heap_break();
        uint64_t old_calls = stats_now().brk_calls;
        char *p = dmm_malloc(sizes[i]);
        ck_assert_ptr_eq(p, old_break); /* the chunk starts at the old break */
        ck_assert_uint_eq(stats_now().brk_calls, old_calls + 1);
        ck_assert_uint_eq((uintptr_t)heap_break() - (uintptr_t)old_break, rounded(sizes[i]));
    }
    ck_assert_heap_ok();
}
END_TEST

START_TEST(brk_calls_equal_malloc_calls)
{
    dmm_reset();
    size_t n = 500;
    for (size_t i = 0; i < n; i++)
        ck_assert_ptr_nonnull(dmm_malloc(i % 97));
    struct dmm_stats stats = stats_now();
    ck_assert_uint_eq(stats.malloc_calls, n);
    ck_assert_uint_eq(stats.brk_calls, n);
    ck_assert_uint_eq(stats.mmap_calls, 0);
    ck_assert_uint_eq(stats.malloc_steps, 0);
}
END_TEST

START_TEST(free_then_malloc_never_reuses)
{
    dmm_reset();
    char *p = dmm_malloc(64);
    ck_assert_ptr_nonnull(p);
    dmm_free(p);
    char *q = dmm_malloc(64);
    ck_assert_ptr_nonnull(q);
    ck_assert_uint_ge((uintptr_t)q, (uintptr_t)p + 64); /* above the freed chunk */
    ck_assert_uint_eq(stats_now().heap_bytes, 128);     /* the freed 64 bytes stay */
}
END_TEST

START_TEST(free_changes_only_free_calls)
{
    dmm_reset();
    void *p = dmm_malloc(100);
    ck_assert_ptr_nonnull(dmm_malloc(200));
    char *old_break = heap_break();
    struct dmm_stats before = stats_now();
    errno = 12345;
    dmm_free(p);
    ck_assert_int_eq(errno, 12345);
    struct dmm_stats after = stats_now();
    ck_assert_ptr_eq(heap_break(), old_break);
    ck_assert_uint_eq(after.free_calls, before.free_calls + 1);
    after.free_calls = before.free_calls;
    ck_assert_mem_eq(&after, &before, sizeof before);
    dmm_free(NULL); /* not even counted */
    ck_assert_uint_eq(stats_now().free_calls, before.free_calls + 1);
}
END_TEST

START_TEST(realloc_keeps_contents)
{
    dmm_reset();
    char *p = dmm_malloc(100);
    ck_assert_ptr_nonnull(p);
    pattern_fill(p, 100, 1);
    char *other = dmm_malloc(48); /* p is no longer the chunk below the break */
    pattern_fill(other, 48, 2);
    char *q = dmm_realloc(p, 1000);
    ck_assert_ptr_nonnull(q);
    ck_assert_ptr_ne(q, p); /* no header: minimal always moves */
    ck_assert(pattern_intact(q, 100, 1));
    char *r = dmm_realloc(q, 40);
    ck_assert_ptr_nonnull(r);
    ck_assert(pattern_intact(r, 40, 1));
    ck_assert(pattern_intact(other, 48, 2));
    ck_assert_heap_ok();
}
END_TEST

START_TEST(realloc_fails_cleanly)
{
    dmm_reset();
    char *p = dmm_malloc(32);
    pattern_fill(p, 32, 3);
    uint64_t brk_calls = stats_now().brk_calls;
    errno = 0;
    ck_assert_ptr_null(dmm_realloc(p, DMM_MAX_REQUEST + (size_t)1));
    ck_assert_int_eq(errno, ENOMEM);
    ck_assert_uint_eq(stats_now().brk_calls, brk_calls); /* refused before any brk */
    ck_assert(pattern_intact(p, 32, 3));
}
END_TEST

/* minimal has no structure to corrupt; what the checker can see is the
 * heap's extent, which it reports as one allocated region. */
START_TEST(visitor_sees_one_region_of_the_heap)
{
    dmm_reset();
    ck_assert_uint_eq(heap_summarize().chunks, 0); /* empty heap: nothing */
    for (size_t i = 0; i < 10; i++)
        ck_assert_ptr_nonnull(dmm_malloc(10 * i));
    struct heap_summary summary = heap_summarize();
    ck_assert_uint_eq(summary.chunks, 1);
    ck_assert_uint_eq(summary.free_chunks, 0);
    ck_assert_uint_eq(summary.bytes, (uintptr_t)heap_break() - (uintptr_t)heap_start());
    ck_assert_uint_eq(summary.bytes, stats_now().heap_bytes);
}
END_TEST

/* Invariant 1 can only break from outside: someone moves the break to an
 * address that is not 16-aligned. */
START_TEST(checker_finds_an_unaligned_break)
{
    dmm_reset();
    ck_assert_ptr_nonnull(dmm_malloc(32));
    ck_assert_int_eq(heap_brk((char *)heap_break() + 8), 0);
    const char *problem = dmm_check(NULL, NULL);
    ck_assert_ptr_nonnull(problem);
    ck_assert_ptr_nonnull(strstr(problem, "invariant 1"));
    dmm_reset();
    ck_assert_heap_ok();
}
END_TEST

/* p1..p5 of the slides: five mallocs, five moves of the break, and the
 * frees give nothing back. */
START_TEST(lecture_demo_costs_one_brk_per_malloc)
{
    run_lecture_demo();
    struct dmm_stats stats = stats_now();
    ck_assert_uint_eq(stats.brk_calls, 5);
    ck_assert_uint_eq(stats.free_calls, 5);
    ck_assert_uint_eq(stats.heap_bytes, (3 + 1 + 4 + 6 + 2) * 16); /* every byte stays */
    ck_assert_uint_eq(stats.peak_footprint_bytes, stats.heap_bytes);
}
END_TEST

int main(void)
{
    Suite *suite = suite_create("lecture/minimal");
    TCase *tc = tcase_create("minimal");
    tcase_set_timeout(tc, 60);
    tcase_add_test(tc, each_malloc_moves_the_break_once_by_the_rounded_size);
    tcase_add_test(tc, brk_calls_equal_malloc_calls);
    tcase_add_test(tc, free_then_malloc_never_reuses);
    tcase_add_test(tc, free_changes_only_free_calls);
    tcase_add_test(tc, realloc_keeps_contents);
    tcase_add_test(tc, realloc_fails_cleanly);
    tcase_add_test(tc, visitor_sees_one_region_of_the_heap);
    tcase_add_test(tc, checker_finds_an_unaligned_break);
    tcase_add_test(tc, lecture_demo_costs_one_brk_per_malloc);
    suite_add_tcase(suite, tc);
    return run_suite(suite);
}
