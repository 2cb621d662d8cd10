/*
 * check_replay_broken.c — dmm-replay against the deliberately broken
 * allocators (tests/support/modules), run as a subprocess. Each goes wrong
 * at a known operation of tricky.trace (replay_run.h draws it): dmm-replay
 * must report the right status and a message naming the allocator, the
 * trace, the line, the operation and what was wrong, and must go on with
 * the pairs after it. Then all of them in one run, and the correct
 * allocators' figures worked out by hand. The command line: check_replay.c.
 */
#include "replay_run.h"

#include "suite.h"

#include <check.h>
#include <math.h>
#include <stdio.h>
#include <string.h>

/* ---- the broken allocators ------------------------------------------------------- */

/* One broken module, followed by list in the same run: the module's row
 * has the status, and its message names the module (its dmm_name), the
 * trace, line and op, and the kind of error; list still ran, and is ok. */
static void assert_broken(const char *module, const char *name, const char *status,
                          const char *where, const char *kind)
{
    char allocators[512];
    snprintf(allocators, sizeof allocators, "%s,list", module);
    struct run run = run_replay("--allocator", allocators, "--timeout", "2", "--repeat", "1",
                                in_scratch("tricky.trace"), NULL);
    ck_assert_int_eq(run.status, 1);
    ck_assert_uint_eq(run.rows, 2);
    ck_assert_str_eq(cell(&run, 0, "allocator"), module);
    ck_assert_str_eq(cell(&run, 0, "status"), status);
    ck_assert_str_eq(cell(&run, 0, "ops"), TRICKY_OPS);
    const char *message = cell(&run, 0, "message");
    char prefix[128];
    snprintf(prefix, sizeof prefix, "%s on tricky %s", name, where);
    ck_assert_msg(strncmp(message, prefix, strlen(prefix)) == 0, "'%s' does not start '%s'",
                  message, prefix);
    assert_contains(message, kind);
    ck_assert_str_eq(cell(&run, 0, "peak_footprint_bytes"), ""); /* nothing trusted */
    ck_assert_str_eq(cell(&run, 1, "allocator"), "list");
    assert_ok(&run, 1);
    /* The table shows the message below the rows. */
    assert_contains(run.out, message);
}

START_TEST(test_overlap)
{
    assert_broken(MODULE("overlap"), "overlap", "fail", "line 4, op #3 (malloc id 2, 64 bytes)",
                  "overlaps the live block id 1");
}
END_TEST

START_TEST(test_misaligned)
{
    assert_broken(MODULE("misaligned"), "misaligned", "fail", "line 5, op #4",
                  "not 16-byte aligned");
}
END_TEST

START_TEST(test_corrupt)
{
    /* "changed while it was live": the harness's words for overwritten. */
    assert_broken(MODULE("corrupt"), "corrupt", "fail", "line 7, op #6 (free id 0)",
                  "was changed while it was live");
}
END_TEST

START_TEST(test_realloc_loses)
{
    assert_broken(MODULE("realloc-loses"), "realloc-loses", "fail",
                  "line 8, op #7 (realloc id 2, 128 bytes)", "lost the old contents");
}
END_TEST

START_TEST(test_crash)
{
    assert_broken(MODULE("crash"), "crash", "crash", "line 9, op #8 (malloc id 4, 32 bytes)",
                  "crashed with SIGSEGV (Segmentation fault) in the checking pass (dmm-replay "
                  "--foreground runs it under gdb: docs/debugging.md); re-run with a check after "
                  "every operation: nothing is found wrong before this op");
}
END_TEST

START_TEST(test_hang)
{
    assert_broken(MODULE("hang"), "hang", "timeout", "line 9, op #8 (malloc id 4, 32 bytes)",
                  "no answer after 2 s in the checking pass (the trace has " TRICKY_OPS
                  " operations: --timeout SECONDS allows longer; -v prints each operation as it "
                  "runs)");
}
END_TEST

/* A module whose constructor aborts dies inside dlopen: it cannot be
 * loaded (exit 2, once on stderr), not a pair that crashed (exit 1); the
 * other allocator still runs. */
START_TEST(test_constructor_abort)
{
    struct run run = run_replay("--allocator", MODULE("ctor-abort") ",list", "--timeout", "5",
                                "--repeat", "1", in_scratch("tricky.trace"),
                                in_scratch("small.rep"), NULL);
    ck_assert_msg(run.status == 2, "exit %d; stderr:\n%s", run.status, run.err);
    const char *message = "cannot load allocator '" MODULE("ctor-abort")
                          "': its constructor crashed with SIGABRT (Aborted)";
    char line[1024];
    snprintf(line, sizeof line, "dmm-replay: %s\n", message);
    assert_contains(run.err, line);
    ck_assert_ptr_eq(strstr(strstr(run.err, line) + 1, line), NULL); /* once */
    ck_assert_uint_eq(run.rows, 4);
    ck_assert_str_eq(cell(&run, 0, "status"), "fail");
    ck_assert_str_eq(cell(&run, 0, "message"), message);
    ck_assert_str_eq(cell(&run, 1, "message"), message);
    assert_ok(&run, 2);
    assert_ok(&run, 3);
}
END_TEST

/* All of them in one run, between correct allocators and over two traces:
 * allocator-major order, every broken one reported, every correct one ok. */
START_TEST(test_all_in_one_run)
{
    const char *order[] = {MODULE("overlap"), "list", MODULE("misaligned"), MODULE("corrupt"),
                           "bins", MODULE("realloc-loses"), MODULE("crash"), MODULE("hang"),
                           MODULE("bump")};
    const char *on_tricky[] = {"fail", "ok", "fail", "fail", "ok", "fail", "crash", "timeout",
                               "ok"};
    /* small.rep: overlap's third malloc is realloc's (op 3), while block 1 is
     * live; misaligned's fourth is `a 2` (op 4); realloc-loses fails at the
     * first realloc; corrupt's free of id 0 (op 7) hits id 2 just below it,
     * found at `f 2`. Crash and hang pass its checking pass (five mallocs),
     * but the timing run replays it again without a reset (issue 10: steady
     * state), so their sixth malloc comes in the second replay. */
    const char *on_small[] = {"fail", "ok", "fail", "fail", "ok", "fail", "crash", "timeout",
                              "ok"};
    char allocators[2048] = "";
    for (size_t i = 0; i < sizeof order / sizeof order[0]; i++)
        snprintf(allocators + strlen(allocators), sizeof allocators - strlen(allocators), "%s%s",
                 i > 0 ? "," : "", order[i]);
    struct run run = run_replay("-a", allocators, "--timeout", "1", "--repeat", "1",
                                in_scratch("tricky.trace"), in_scratch("small.rep"), NULL);
    ck_assert_int_eq(run.status, 1);
    ck_assert_uint_eq(run.rows, 2 * (sizeof order / sizeof order[0]));
    for (size_t i = 0; i < run.rows; i++) {
        ck_assert_str_eq(cell(&run, i, "allocator"), order[i / 2]);
        ck_assert_str_eq(cell(&run, i, "trace"), i % 2 == 0 ? "tricky" : "small");
        ck_assert_msg(strcmp(cell(&run, i, "status"), (i % 2 == 0 ? on_tricky : on_small)[i / 2])
                          == 0, "row %zu: %s %s", i, cell(&run, i, "status"),
                      cell(&run, i, "message"));
    }
    assert_contains(cell(&run, 1, "message"), "line 7, op #3 (realloc id 0, 640 bytes)");
    assert_contains(cell(&run, 7, "message"), "line 12, op #8 (free id 2)");
    assert_contains(cell(&run, 13, "message"), "crashed with SIGSEGV");
    assert_contains(cell(&run, 13, "message"), "in the timing run");
    assert_contains(cell(&run, 15, "message"), "in the timing run");
}
END_TEST

/* The correct allocators, every built one and bump, pass both traces, and
 * the figures that need no clock are the ones worked out by hand. */

/* The row of allocator on the first trace (rows go allocator by allocator). */
static size_t row_of(const struct run *run, const char *allocator)
{
    for (size_t i = 0; i < run->rows; i += 2)
        if (strcmp(cell(run, i, "allocator"), allocator) == 0)
            return i;
    ck_abort_msg("no row for %s", allocator);
    return 0;
}

START_TEST(test_correct_allocators_pass)
{
    struct run run = run_replay("-a", MODULE("bump") ",all", "--repeat", "1",
                                in_scratch("tricky.trace"), in_scratch("small.rep"), NULL);
    ck_assert_msg(run.status == 0, "exit %d; stdout:\n%s", run.status, run.out);
    ck_assert_msg(run.rows >= 18 && run.rows % 2 == 0, "%zu rows", run.rows); /* bump + 8 or more */
    for (size_t i = 0; i < run.rows; i++) {
        assert_ok(&run, i);
        int tricky = i % 2 == 0;
        ck_assert_str_eq(cell(&run, i, "ops"), tricky ? TRICKY_OPS : "8");
        ck_assert_str_eq(cell(&run, i, "peak_live_bytes"),
                         tricky ? TRICKY_PEAK_LIVE : SMALL_REP_PEAK_LIVE);
        double footprint = number(&run, i, "peak_footprint_bytes");
        double live = number(&run, i, "peak_live_bytes");
        ck_assert(footprint >= live);
        ck_assert_double_eq_tol(number(&run, i, "utilization"), live / footprint, 0.00006);
        double ns = number(&run, i, "ns_per_op"), kops = number(&run, i, "kops_per_sec");
        ck_assert(ns > 0.0);
        ck_assert_msg(fabs(kops - 1e6 / ns) <= 0.001 * kops + 0.01, "%g Kops/s at %g ns", kops,
                      ns);
        /* The split at the peak adds up to the footprint; unwalked is what
         * the checker's walk did not cover (all but the payload, which the
         * trace tells, for bump's silent one). */
        ck_assert(number(&run, i, "at_peak_payload") <= live);
        double split = 0.0;
        const char *parts[] = {"at_peak_payload", "at_peak_internal", "at_peak_external",
                               "at_peak_metadata", "at_peak_never_reused", "at_peak_unwalked"};
        for (size_t p = 0; p < sizeof parts / sizeof parts[0]; p++)
            split += number(&run, i, parts[p]);
        ck_assert_msg(split == footprint, "%s: the split adds up to %.0f, the footprint is %.0f",
                      cell(&run, i, "allocator"), split, footprint);
        if (strcmp(cell(&run, i, "allocator"), MODULE("bump")) == 0) /* its walk visits nothing */
            ck_assert(number(&run, i, "at_peak_unwalked") ==
                      footprint - number(&run, i, "at_peak_payload"));
    }
    ck_assert_str_eq(cell(&run, 0, "allocator"), MODULE("bump"));
    ck_assert_str_eq(cell(&run, 2, "allocator"), "minimal"); /* the first after bump */
    const char *lecture[] = {"pad", "list", "dlist", "bins", "mmap", "gnu", "segregated"};
    for (size_t a = 0; a < sizeof lecture / sizeof lecture[0]; a++)
        ck_assert_uint_gt(row_of(&run, lecture[a]), 2);
    ck_assert_str_eq(cell(&run, row_of(&run, "mmap"), "brk_calls"), "0"); /* never moves the break */
}
END_TEST

int main(void)
{
    const struct test_group groups[] = {
        {"broken allocators", {test_overlap, test_misaligned, test_corrupt, test_realloc_loses,
                               test_crash, test_hang, test_constructor_abort, test_all_in_one_run,
                               test_correct_allocators_pass}},
    };
    return run_test_groups_fixture("harness/replay-broken", groups, sizeof groups / sizeof groups[0],
                                   scratch_setup, scratch_teardown);
}
