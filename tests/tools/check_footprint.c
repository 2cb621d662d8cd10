/*
 * check_footprint.c — the harness's own account of the heap section
 * (harness/replay/footprint.c): the peak and its split from the section's
 * events, the comparison with a module's dmm_stats and its message, and
 * then dmm-replay end to end: a module whose dmm_stats lies about its peak
 * footprint (tests/support/modules/lying_stats.c) fails with both figures
 * named, and the figures in the CSV are the harness's.
 */
#define _DEFAULT_SOURCE /* MAP_ANONYMOUS, MAP_NORESERVE, sysconf */

#include "footprint.h"
#include "replay_run.h"

#include "suite.h"

#include <check.h>
#include <stdio.h>
#include <string.h>
#include <sys/mman.h>
#include <unistd.h>

#define PAGE 4096

/* ---- footprint.c alone --------------------------------------------------------- */

START_TEST(test_peak_and_its_split_from_the_events)
{
    struct footprint f;
    footprint_start(&f, 0x10000, 0x10000, 1);
    ck_assert_uint_eq(f.peak, 0);
    footprint_break(&f, 0x10000 + 3 * PAGE);     /* extent 12 KiB */
    footprint_mapped(&f, 2 * PAGE, 0);           /* + 8 KiB mapped: 20 KiB */
    footprint_break(&f, 0x10000 + PAGE);         /* extent 4 KiB: 12 KiB */
    footprint_mapped(&f, 2 * PAGE, 1);           /* a remap is heard as unmap ... */
    footprint_mapped(&f, 4 * PAGE, 0);           /* ... then map: 20 KiB again, no new peak */
    ck_assert_uint_eq(f.peak, 5 * PAGE);
    ck_assert_uint_eq(f.peak_heap, 3 * PAGE);    /* the split when the peak was first reached */
    ck_assert_uint_eq(f.peak_mapped, 2 * PAGE);
    footprint_mapped(&f, 100 * PAGE, 1);         /* more given back than mapped: floors at 0 */
    ck_assert_uint_eq(f.mapped_bytes, 0);
    footprint_call(HEAP_CALL_BRK, &f);
    footprint_call(HEAP_CALL_MREMAP, &f);
    ck_assert_uint_eq(f.brk_calls, 1);
    ck_assert_uint_eq(f.mremap_calls, 1);
    ck_assert_uint_eq(f.mmap_calls + f.munmap_calls, 0);
}
END_TEST

/* The message names the figure, what dmm_stats says and what was seen. */
START_TEST(test_stats_that_disagree_are_named_with_both_figures)
{
    struct footprint f;
    footprint_start(&f, 0, 0, 1);
    footprint_break(&f, 4 * PAGE);
    f.brk_calls = 1;
    struct dmm_stats stats = {.peak_footprint_bytes = 4 * PAGE, .peak_heap_bytes = 4 * PAGE,
                              .brk_calls = 1};
    char what[400] = "";
    ck_assert_int_eq(footprint_compare(&f, &stats, 100, what, sizeof what), 0);

    stats.peak_footprint_bytes = PAGE;
    ck_assert_int_eq(footprint_compare(&f, &stats, 100, what, sizeof what), -1);
    ck_assert_str_eq(what, "dmm_stats says peak footprint 4096 B, the heap section saw 16384 B");

    stats.peak_footprint_bytes = 4 * PAGE;
    stats.brk_calls = 7;
    ck_assert_int_eq(footprint_compare(&f, &stats, 100, what, sizeof what), -1);
    ck_assert_str_eq(what, "dmm_stats says brk calls 7, the heap section saw 1");
    f.calls_heard = 0; /* a section that cannot tell its calls: only space is compared */
    ck_assert_int_eq(footprint_compare(&f, &stats, 100, what, sizeof what), 0);
}
END_TEST

/* More live payload than footprint at the peak cannot be: the harness's
 * own utilization would be above 100%. */
START_TEST(test_utilization_above_100_percent_fails)
{
    struct footprint f;
    footprint_start(&f, 0, 0, 0);
    footprint_break(&f, PAGE);
    struct dmm_stats stats = {.peak_footprint_bytes = PAGE, .peak_heap_bytes = PAGE};
    char what[400] = "";
    ck_assert_int_eq(footprint_compare(&f, &stats, PAGE, what, sizeof what), 0); /* 100%: fine */
    ck_assert_int_eq(footprint_compare(&f, &stats, PAGE + 1, what, sizeof what), -1);
    ck_assert_str_eq(what, "utilization above 100%: 4097 B of live payload at once, but the heap "
                           "section saw a peak footprint of only 4096 B");
}
END_TEST

/* The kernel's word: a reserve whose first two pages are accessible
 * matches a break inside the second page, and not one inside the first. */
START_TEST(test_the_break_is_held_against_proc_self_maps)
{
    size_t page = (size_t)sysconf(_SC_PAGESIZE);
    char *reserve = mmap(NULL, 4 * page, PROT_NONE, MAP_PRIVATE | MAP_ANONYMOUS | MAP_NORESERVE,
                         -1, 0);
    ck_assert_ptr_ne(reserve, MAP_FAILED);
    ck_assert_int_eq(mprotect(reserve, 2 * page, PROT_READ | PROT_WRITE), 0);
    struct footprint f;
    char what[400] = "";
    footprint_start(&f, (uintptr_t)reserve, (uintptr_t)reserve, 1);
    footprint_break(&f, (uintptr_t)reserve + 2 * page - 16);
    ck_assert_int_eq(footprint_check_maps(&f, what, sizeof what), 0);
    footprint_break(&f, (uintptr_t)reserve + 16);
    ck_assert_int_eq(footprint_check_maps(&f, what, sizeof what), -1);
    char expected[200];
    snprintf(expected, sizeof expected,
             "the heap section's break says %zu B are accessible from its start, the kernel's "
             "/proc/self/maps says %zu B", page, 2 * page);
    ck_assert_str_eq(what, expected);
    munmap(reserve, 4 * page);
}
END_TEST

/* ---- dmm-replay end to end ----------------------------------------------------------- */

/* lying-stats is bump with dmm_stats' peak footprint divided by 4: bump
 * grows the break once, by its 64 KiB growth step, for all of tricky.trace. */
START_TEST(test_a_module_whose_stats_lie_fails_with_both_figures)
{
    struct run run = run_replay("-a", MODULE("lying-stats"), "-a", MODULE("bump"), "--repeat", "0",
                                in_scratch("tricky.trace"), NULL);
    ck_assert_int_eq(run.status, 1);
    ck_assert_uint_eq(run.rows, 2);
    ck_assert_str_eq(cell(&run, 0, "status"), "fail");
    ck_assert_str_eq(cell(&run, 0, "message"),
                     "lying-stats on tricky: dmm_stats says peak footprint 16384 B, the heap "
                     "section saw 65536 B");
    ck_assert_str_eq(cell(&run, 0, "utilization"), ""); /* nothing trusted */
    assert_contains(run.out, "the heap section saw 65536 B");

    /* The same allocator with honest stats: the figures are the section's. */
    assert_ok(&run, 1);
    ck_assert_str_eq(cell(&run, 1, "peak_footprint_bytes"), "65536");
    ck_assert_str_eq(cell(&run, 1, "peak_heap_bytes"), "65536");
    ck_assert_str_eq(cell(&run, 1, "brk_calls"), "1");
    ck_assert_double_eq_tol(number(&run, 1, "utilization"), 272.0 / 65536, 1e-4);
}
END_TEST

int main(void)
{
    const struct test_group groups[] = {
        {"account", {test_peak_and_its_split_from_the_events,
                     test_stats_that_disagree_are_named_with_both_figures,
                     test_utilization_above_100_percent_fails,
                     test_the_break_is_held_against_proc_self_maps}},
        {"dmm-replay", {test_a_module_whose_stats_lie_fails_with_both_figures}},
    };
    return run_test_groups_fixture("harness/footprint", groups, sizeof groups / sizeof groups[0],
                                   scratch_setup, scratch_teardown);
}
