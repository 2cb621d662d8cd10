/*
 * check_lecture_call_time.c — the lecture table's system-call rule reads
 * the clock as well as the count (harness/tools/compare/lecture_table.c,
 * docs/lecture-table.md, "System calls"): an allocator that makes a system
 * call per malloc (or free) is Bad only when that call, measured, takes at
 * least LECTURE_CALL_DEAR (10) times as long as in the allocators of the
 * same run that amortise their system calls. On synthetic measurements
 * (tests/support/lecture_world.h): just below, at and above the threshold,
 * the count alone when nothing was timed, a reference that leaves the
 * system-calling allocators out, and the size qualifier's cold time.
 */
#include "lecture_table.h"

#include "lecture_world.h"
#include "suite.h"

#include <check.h>
#include <math.h>
#include <string.h>

/* "x" makes a system call per malloc and per free, and its calls take
 * ratio times the 100 ns that "b" and "c" (amortising) take. ns per op is
 * alike for all (100), so the size qualifier never applies. */
static const struct lecture_row *judge_call_time(double ratio)
{
    world_reset();
    add_good_allocator("x");
    add_good_allocator("b");
    add_good_allocator("c");
    set_small("x", set_grow_calls, 1.0);
    set_small("x", set_munmap_calls, 1.0);
    for (size_t i = 0; i < world.run_count; i++) {
        if (world.runs[i].is_large)
            continue;
        int is_x = strcmp(world.runs[i].allocator, "x") == 0;
        run_result(i)->malloc_ns = is_x ? 100 * ratio : 100;
        run_result(i)->free_ns = is_x ? 100 * ratio : 100;
    }
    judge();
    return row_of("x");
}

START_TEST(call_time_boundary)
{
    static const struct { double ratio; const char *verdict; } cases[] = {
        {9.99, "Good"}, {10.0, "Bad"}, {10.01, "Bad"}, {40.0, "Bad"}};
    for (size_t c = 0; c < sizeof cases / sizeof cases[0]; c++) {
        const struct lecture_row *row = judge_call_time(cases[c].ratio);
        ck_assert_double_eq_tol(row->figures.malloc_call_ratio, cases[c].ratio, 1e-9);
        ck_assert_double_eq_tol(row->figures.free_call_ratio, cases[c].ratio, 1e-9);
        require(strcmp(row->malloc_time, cases[c].verdict) == 0, "%.2fx: malloc %s (%s)",
                cases[c].ratio, row->malloc_time, row->malloc_why);
        require(strcmp(row->free_time, cases[c].verdict) == 0, "%.2fx: free %s (%s)",
                cases[c].ratio, row->free_time, row->free_why);
        ck_assert_str_eq(row_of("b")->malloc_time, "Good");
    }
    const struct lecture_row *row = judge_call_time(40.0);
    require(strstr(row->malloc_why, "1.00 brk/mmap calls per malloc") != NULL, "%s",
            row->malloc_why);
    require(strstr(row->malloc_why, "a malloc takes 40.00x the time of the allocators that "
                                    "amortise theirs") != NULL, "%s", row->malloc_why);
    row = judge_call_time(9.99);
    require(strstr(row->malloc_why, "1.00 brk/mmap calls per malloc on small-chunk traces, but a "
                                    "malloc takes 9.99x the time of the allocators that amortise "
                                    "theirs, below 10x") != NULL, "%s", row->malloc_why);
}
END_TEST

/* Not timed (--repeat 0): the count decides alone, as the lecture's cost
 * model does, and the why says the time was not measured. */
START_TEST(call_time_not_measured_keeps_the_count)
{
    const struct lecture_row *row = judge_call_time(NAN);
    for (size_t i = 0; i < world.run_count; i++)
        run_result(i)->malloc_ns = run_result(i)->free_ns = 0;
    judge();
    row = row_of("x");
    ck_assert(isnan(row->figures.malloc_call_ratio));
    ck_assert_str_eq(row->malloc_time, "Bad");
    ck_assert_str_eq(row->free_time, "Bad");
    require(strstr(row->malloc_why, "not timed") != NULL, "%s", row->malloc_why);
}
END_TEST

/* The reference is what a call costs without a system call: an allocator
 * that makes one per call ("y", 1000x slower) does not raise it. */
START_TEST(call_time_reference_leaves_system_callers_out)
{
    judge_call_time(10.0);
    add_good_allocator("y");
    set_small("y", set_grow_calls, 1.0);
    for (size_t i = 0; i < world.run_count; i++)
        if (strcmp(world.runs[i].allocator, "y") == 0 && !world.runs[i].is_large)
            run_result(i)->malloc_ns = 100000;
    judge();
    ck_assert_double_eq_tol(row_of("x")->figures.malloc_call_ratio, 10.0, 1e-9);
    ck_assert_double_eq_tol(row_of("y")->figures.malloc_call_ratio, 1000.0, 1e-9);
    ck_assert_str_eq(row_of("x")->malloc_time, "Bad");
    ck_assert_str_eq(row_of("y")->malloc_time, "Bad");
}
END_TEST

/* The size qualifier's ratios read the cold time (first touches included)
 * when there is one: x dear on small chunks and cheap on large when cold,
 * though alike in steady state. */
START_TEST(size_qualifier_reads_the_cold_time)
{
    judge_call_time(40.0);
    for (size_t i = 0; i < world.run_count; i++) {
        int is_x = strcmp(world.runs[i].allocator, "x") == 0;
        run_result(i)->cold_ns_per_op = world.runs[i].is_large ? (is_x ? 4000 : 1000)
                                                               : (is_x ? 5000 : 100);
    }
    judge();
    const struct lecture_row *row = row_of("x");
    ck_assert_double_eq_tol(row->figures.ratio_small, 50.0, 1e-9);
    ck_assert_double_eq_tol(row->figures.ratio_large, 4.0, 1e-9);
    ck_assert_str_eq(row->malloc_time, "Bad for small chunks, Good for large");
}
END_TEST

int main(void)
{
    const struct test_group groups[] = {
        {"system-call time", {call_time_boundary, call_time_not_measured_keeps_the_count,
                              call_time_reference_leaves_system_callers_out,
                              size_qualifier_reads_the_cold_time}},
    };
    return run_test_groups("harness/lecture-call-time", groups,
                           sizeof groups / sizeof groups[0], NULL);
}
