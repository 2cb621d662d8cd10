/*
 * check_lecture_figures.c — the figures the lecture's table is judged on
 * (harness/tools/compare/lecture_figures.c, docs/lecture-table.md), on
 * synthetic measurements (tests/support/lecture_world.h): the slope on
 * exact lines, everything a trace requests, and which runs count — calloc
 * and realloc as calls, not the large trace for system calls, no failed
 * pair, the worst call on any series, a reuse-heavy trace at its bound.
 * The rules that judge the figures: check_lecture_table.c.
 */
#include "lecture_table.h"

#include "lecture_world.h"
#include "suite.h"

#include <check.h>
#include <math.h>
#include <string.h>

/* ---- lecture_slope ------------------------------------------------------------ */

START_TEST(slope_of_exact_lines)
{
    double x[] = {100, 300, 1000, 3000, 10000};
    double y[5];
    for (int i = 0; i < 5; i++)
        y[i] = x[i] - 1; /* log(y + 1) = log(x): slope exactly 1 */
    ck_assert_double_eq_tol(lecture_slope(x, y, 5), 1.0, 1e-12);
    for (int i = 0; i < 5; i++)
        y[i] = x[i]; /* the + 1 bends it by under 1% at these x */
    double slope = lecture_slope(x, y, 5);
    require(slope > 0.99 && slope < 1.0, "y = x: slope %f", slope);
    for (int i = 0; i < 5; i++)
        y[i] = 7;
    ck_assert_double_eq_tol(lecture_slope(x, y, 5), 0.0, 1e-12);
    for (int i = 0; i < 5; i++)
        y[i] = 0; /* no search at all: the + 1 keeps it finite */
    ck_assert_double_eq_tol(lecture_slope(x, y, 5), 0.0, 1e-12);
    for (int i = 0; i < 5; i++)
        y[i] = sqrt(x[i]) - 1;
    ck_assert_double_eq_tol(lecture_slope(x, y, 5), 0.5, 1e-12);
    for (int i = 0; i < 5; i++)
        y[i] = 1e6 / x[i] - 1; /* shrinking cost: negative slope */
    ck_assert_double_eq_tol(lecture_slope(x, y, 5), -1.0, 1e-12);
}
END_TEST

START_TEST(slope_needs_two_distinct_positive_x)
{
    double x[] = {100, 100, 100}, y[] = {1, 2, 3};
    require(isnan(lecture_slope(x, y, 3)), "all x alike: no slope");
    require(isnan(lecture_slope(x, y, 1)), "one point: no slope");
    require(isnan(lecture_slope(x, y, 0)), "no point: no slope");
    double bad_x[] = {0, 100}, good_y[] = {1, 2};
    require(isnan(lecture_slope(bad_x, good_y, 2)), "x = 0 has no log");
    double good_x[] = {10, 100}, bad_y[] = {-1, 2};
    require(isnan(lecture_slope(good_x, bad_y, 2)), "y = -1 has no log(y + 1)");
}
END_TEST

/* ---- lecture_total_requested ---------------------------------------------------- */

static uint64_t total_of(const char *text)
{
    struct trace trace;
    char error[256];
    require(trace_parse("t.trace", text, strlen(text), &trace, error, sizeof error) == 0, "%s",
            error);
    uint64_t total = lecture_total_requested(&trace);
    trace_free(&trace);
    return total;
}

START_TEST(total_requested_counts_every_malloc_calloc_and_realloc)
{
    /* 100 + 3 * 10 + 200 + 50 (realloc of a dead ID is a malloc) + 0 */
    ck_assert_uint_eq(total_of("a 0 100\nc 1 3 10\nr 0 200\nr 2 50\nf 1\nf -1\nr 0 0\nf 2\n"), 380);
    ck_assert_uint_eq(total_of("# nothing asked\nf -1\n"), 0);
    /* 2^62 * 4 overflows 64 bits: the sum saturates instead of wrapping */
    ck_assert_uint_eq(total_of("c 0 4611686018427387904 4\na 1 1\n"), UINT64_MAX);
    ck_assert_uint_eq(total_of("a 0 9223372036854775807\na 1 9223372036854775807\na 2 2\n"),
                      UINT64_MAX);
}
END_TEST

/* ---- which runs count ---------------------------------------------------------- */

START_TEST(system_calls_count_calloc_and_realloc_and_skip_the_large_trace)
{
    world_reset();
    add_good_allocator("x");
    /* 60 calls per 100 mallocs would be Bad; calloc and realloc ask for
     * memory too, and 60 per 100 + 10 + 11 calls is under 0.5. */
    set_small("x", set_grow_calls, 0.6);
    for (size_t i = 0; i < world.run_count; i++) {
        run_result(i)->calloc_ops = 10;
        run_result(i)->realloc_ops = 11;
    }
    /* A system call per malloc on the large trace does not count. */
    for (size_t i = 0; i < world.run_count; i++)
        if (world.runs[i].is_large)
            run_result(i)->brk_calls = 1000;
    judge();
    ck_assert_double_eq_tol(row_of("x")->figures.syscalls_per_malloc, 60.0 / 121, 1e-9);
    ck_assert_str_eq(row_of("x")->malloc_time, "Good");
}
END_TEST

START_TEST(failed_runs_are_not_measurements)
{
    world_reset();
    add_good_allocator("x");
    struct replay_result *crashed = add_small("x");
    crashed->status = REPLAY_CRASH;
    crashed->brk_calls = crashed->munmap_calls = 1000;
    crashed->peak_footprint_bytes = 1u << 30;
    crashed->utilization = 0.001;
    add_point("x", "random", 100000, 1e6, 1000000, 1e6, 1000000)->status = REPLAY_TIMEOUT;
    judge();
    const struct lecture_row *row = row_of("x");
    ck_assert_str_eq(row->space, "Good");
    ck_assert_str_eq(row->malloc_time, "Good");
    ck_assert_str_eq(row->free_time, "Good");
}
END_TEST

START_TEST(growth_of_the_worst_call_counts_on_any_series)
{
    /* The mean stays flat everywhere (a LIFO free list whose first chunk
     * usually fits), but the worst single malloc walks every free chunk. */
    world_reset();
    add_small("x");
    add_large("x");
    for (size_t s = 0; s < 3; s++)
        for (size_t i = 0; i < 3; i++)
            add_point("x", series_names[s], live_counts[i], 1.25,
                      s == 1 ? live_counts[i] + 1 : 1, 2, 2);
    judge();
    const struct lecture_row *row = row_of("x");
    require(row->figures.malloc_growth > 0.99, "slope %f", row->figures.malloc_growth);
    require(strncmp(row->malloc_time, "Bad", 3) == 0, "%s", row->malloc_time);
    require(strstr(row->malloc_why, "worst-call steps per malloc") != NULL, "%s", row->malloc_why);
    require(strstr(row->malloc_why, "worst series") != NULL, "%s", row->malloc_why);
    ck_assert_str_eq(row->free_time, "Good");
    ck_assert_double_eq_tol(row->figures.free_growth, 0.0, 1e-12);
}
END_TEST

START_TEST(reuse_heavy_boundary)
{
    /* A trace with peak live exactly half of what it requests is reuse-heavy,
     * and one byte less; one byte more and it is not, and its footprint no
     * longer counts. */
    world_reset();
    struct replay_result *r = add_small("x");
    r->peak_live_bytes = 2000;
    r->peak_footprint_bytes = 4000; /* no reuse at all: Bad if counted */
    r->utilization = 0.5;
    judge();
    ck_assert_uint_eq(row_of("x")->figures.reuse_traces, 1);
    ck_assert_str_eq(row_of("x")->space, "Bad");

    run_result(0)->peak_live_bytes = 1999; /* just below: reuse-heavy too */
    judge();
    ck_assert_uint_eq(row_of("x")->figures.reuse_traces, 1);

    run_result(0)->peak_live_bytes = 2001;
    judge();
    ck_assert_uint_eq(row_of("x")->figures.reuse_traces, 0);
    ck_assert_str_eq(row_of("x")->space, "not measured");
}
END_TEST

int main(void)
{
    const struct test_group groups[] = {
        {"measures", {slope_of_exact_lines, slope_needs_two_distinct_positive_x,
                      total_requested_counts_every_malloc_calloc_and_realloc}},
        {"time", {system_calls_count_calloc_and_realloc_and_skip_the_large_trace,
                  failed_runs_are_not_measurements,
                  growth_of_the_worst_call_counts_on_any_series}},
        {"space", {reuse_heavy_boundary}},
    };
    return run_test_groups("lecture-figures", groups, sizeof groups / sizeof groups[0], NULL);
}
