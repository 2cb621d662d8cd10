/*
 * check_timing.c — the timing run and -j, through dmm-replay run as a
 * subprocess (tests/support/replay_run.h): the time columns exist, in
 * their place (new ones after message), with min <= median <= max and a
 * cold figure; -j N gives the same output as -j 1 in everything but the
 * time columns; -j is validated. Speed itself is never asserted here: the
 * figures are printed by the benchmark (docs/compare.md).
 */
#define _XOPEN_SOURCE 700

#include "replay_run.h"

#include "suite.h"

#include <check.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* Columns that hold a time or a page-fault count: they differ run to run. */
static const char *const varying[] = {
    "ns_per_op", "malloc_ns", "calloc_ns", "realloc_ns", "free_ns", "kops_per_sec",
    "minor_faults", "ns_per_op_min", "ns_per_op_max", "cold_ns_per_op", "steady_minor_faults",
};

static int is_varying(const char *column)
{
    for (size_t i = 0; i < sizeof varying / sizeof varying[0]; i++)
        if (strcmp(column, varying[i]) == 0)
            return 1;
    return 0;
}

START_TEST(test_time_columns)
{
    struct run run = run_replay("-a", "list,bins," MODULE("bump"), "--repeat", "3",
                                in_scratch("tricky.trace"), in_scratch("small.rep"), NULL);
    ck_assert_int_eq(run.status, 0);
    ck_assert_uint_eq(run.rows, 6);
    /* The new columns come after message, so every older one keeps its place. */
    ck_assert_str_eq(run.cells[0][26], "message");
    ck_assert_str_eq(run.cells[0][27], "ns_per_op_min");
    ck_assert_str_eq(run.cells[0][28], "ns_per_op_max");
    ck_assert_str_eq(run.cells[0][29], "cold_ns_per_op");
    ck_assert_str_eq(run.cells[0][30], "steady_minor_faults");
    for (size_t row = 0; row < run.rows; row++) {
        assert_ok(&run, row);
        double low = number(&run, row, "ns_per_op_min"), median = number(&run, row, "ns_per_op");
        double high = number(&run, row, "ns_per_op_max");
        ck_assert_msg(low > 0.0 && low <= median && median <= high,
                      "row %zu: min %g, median %g, max %g", row, low, median, high);
        ck_assert_msg(number(&run, row, "cold_ns_per_op") > 0.0, "row %zu: no cold time", row);
        ck_assert_msg(number(&run, row, "minor_faults") >= 0.0, "row %zu", row);
        ck_assert_msg(number(&run, row, "steady_minor_faults") >= 0.0, "row %zu", row);
    }
    /* The table shows the cold figure beside the steady one. */
    assert_contains(run.out, "ns/op");
    assert_contains(run.out, "cold ns/op");

    /* --repeat 0: no timing run, so every time column is empty. */
    run = run_replay("-a", "list", "--repeat", "0", in_scratch("tricky.trace"), NULL);
    ck_assert_int_eq(run.status, 0);
    for (size_t i = 0; i < sizeof varying / sizeof varying[0]; i++)
        ck_assert_msg(strcmp(cell(&run, 0, varying[i]), "") == 0, "%s: '%s'", varying[i],
                      cell(&run, 0, varying[i]));
}
END_TEST

START_TEST(test_jobs_change_nothing_but_time)
{
    /* Pairs that pass, fail and crash, so that order matters. */
    const char *allocators = "list," MODULE("corrupt") ",bins," MODULE("crash") ",glibc";
    struct run one = run_replay("-a", allocators, "--repeat", "1", "--timeout", "20", "-j", "1",
                                in_scratch("tricky.trace"), in_scratch("small.rep"), NULL);
    struct run four = run_replay("-a", allocators, "--repeat", "1", "--timeout", "20", "-j", "4",
                                 in_scratch("tricky.trace"), in_scratch("small.rep"), NULL);
    ck_assert_int_eq(one.status, 1);
    ck_assert_int_eq(four.status, one.status);
    ck_assert_uint_eq(four.rows, one.rows);
    for (size_t row = 0; row <= one.rows; row++)
        for (size_t c = 0; c < CSV_COLUMNS; c++) {
            if (row > 0 && is_varying(one.cells[0][c]))
                continue;
            ck_assert_msg(strcmp(one.cells[row][c], four.cells[row][c]) == 0,
                          "row %zu, %s: -j 1 '%s', -j 4 '%s'", row, one.cells[0][c],
                          one.cells[row][c], four.cells[row][c]);
        }
}
END_TEST

START_TEST(test_jobs_validated)
{
    static const char *const bad[] = {"0", "65", "x", "-1", "", "2x"};
    for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
        struct run run = run_replay("-j", bad[i], in_scratch("tricky.trace"), NULL);
        ck_assert_msg(run.status == 2, "-j '%s': exit %d", bad[i], run.status);
        char said[64];
        snprintf(said, sizeof said, "-j/--jobs '%s'", bad[i]);
        assert_contains(run.err, said);
        ck_assert_ptr_null(run.csv); /* nothing ran, nothing written */
    }
    struct run run = run_replay("--jobs", "64", "-a", "list", "--repeat", "0",
                                in_scratch("tricky.trace"), NULL);
    ck_assert_int_eq(run.status, 0);

    run = run_replay("--help", NULL);
    ck_assert_int_eq(run.status, 0);
    assert_contains(run.out, "-j, --jobs N");
    assert_contains(run.out, "-j never");
}
END_TEST

int main(void)
{
    const struct test_group groups[] = {
        {"timing", {test_time_columns, test_jobs_change_nothing_but_time, test_jobs_validated}},
    };
    return run_test_groups_fixture("harness/timing", groups, sizeof groups / sizeof groups[0],
                                   scratch_setup, scratch_teardown);
}
