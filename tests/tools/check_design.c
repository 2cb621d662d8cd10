/*
 * check_design.c — dmm-replay, run as a subprocess, on what issue 10's
 * items 5 and 6 added:
 *
 *   design  a module's dmm_design is checked on the heap walks by the
 *           harness itself: a list that coalesces with the next chunk only
 *           and a list that never coalesces (both with checkers that skip
 *           the invariant) fail with "not coalesced: chunks at ... are both
 *           free after line L (free id I)"; an unknown word is exit 2
 *           naming it; the lecture's allocators keep their promises.
 *   .rep    files as they circulate: a 2-number header, an operation count
 *           off from the body (a warning naming file:line; the replay goes
 *           on), CRLF; a malformed trace stops only itself, the others run,
 *           every error is listed at the end, exit status 2.
 *
 * Running dmm-replay: tests/support/replay_run.h; the modules:
 * tests/support/modules/list_next_only.c, list_never.c, bad_design.c.
 */
#include "replay_run.h"

#include "suite.h"

#include <check.h>
#include <stdio.h>
#include <string.h>

/* Three neighbours and a free front. The lists hand out the TAIL of the
 * free chunk they split, so in memory (low to high) it is: the free front
 * (8192 - 64 - 96 - 80 = 7952 B), id 2 (80 B), id 1 (96 B), id 0 (64 B). */
static const char design_trace[] =
    "# check_design: the four cases of coalesce, in list's layout\n" /* line 1 */
    "a 0 48\n" /* line 2, op #1 */
    "a 1 80\n" /* line 3, op #2 */
    "a 2 64\n" /* line 4, op #3 */
    "f 0\n"    /* line 5, op #4: no free neighbour */
    "f 1\n"    /* line 6, op #5: the next one (id 0) is free: list-never fails here */
    "f 2\n";   /* line 7, op #6: both are free: list-next-only fails here */

static void write_design_trace(void)
{
    write_text("design.trace", design_trace);
}

/* The module's one row failed with a message that starts with where and
 * holds what. */
static void assert_design_failure(const struct run *run, const char *where, const char *what)
{
    ck_assert_int_eq(run->status, 1);
    ck_assert_str_eq(cell(run, 0, "status"), "fail");
    const char *message = cell(run, 0, "message");
    ck_assert_msg(strncmp(message, where, strlen(where)) == 0, "'%s' does not start '%s'",
                  message, where);
    assert_contains(message, what);
}

/* ---- the design ------------------------------------------------------------------ */

START_TEST(test_next_only_list_fails)
{
    write_design_trace();
    struct run run = run_replay("-a", MODULE("list-next-only"), "--repeat", "0", "--check-every",
                                "1", in_scratch("design.trace"), NULL);
    assert_design_failure(&run, "list-next-only on design line 7, op #6 (free id 2): ",
                          "not coalesced: chunks at 0x");
    assert_contains(cell(&run, 0, "message"),
                    " (7952 B) and 0x");
    assert_contains(cell(&run, 0, "message"),
                    " (240 B) are both free after line 7 (free id 2)");

    /* Without --check-every the pass walks once, after the last op: the
     * same adjacency is found there. */
    run = run_replay("-a", MODULE("list-next-only"), "--repeat", "0", in_scratch("design.trace"),
                     NULL);
    assert_design_failure(&run, "list-next-only on design line 7, op #6 (free id 2): ",
                          "are both free after line 7 (free id 2)");
}
END_TEST

START_TEST(test_never_coalescing_list_fails)
{
    write_design_trace();
    struct run run = run_replay("-a", MODULE("list-never"), "--repeat", "0", "--check-every", "1",
                                in_scratch("design.trace"), NULL);
    assert_design_failure(&run, "list-never on design line 6, op #5 (free id 1): ",
                          "not coalesced: chunks at 0x");
    assert_contains(cell(&run, 0, "message"), " (96 B) and 0x");
    assert_contains(cell(&run, 0, "message"), " (64 B) are both free after line 6 (free id 1)");
}
END_TEST

/* The modules' checkers pass: only the harness's own check sees it. */
START_TEST(test_lecture_allocators_keep_their_promises)
{
    write_design_trace();
    struct run run = run_replay("-a", "list,dlist,bins", "--repeat", "0", "--check-every", "1",
                                in_scratch("design.trace"), in_scratch("tricky.trace"), NULL);
    ck_assert_int_eq(run.status, 0);
    ck_assert_uint_eq(run.rows, 6);
    for (size_t row = 0; row < run.rows; row++)
        assert_ok(&run, row);
}
END_TEST

START_TEST(test_unknown_design_word)
{
    struct run run = run_replay("-a", MODULE("bad-design"), "-a", "list", "--repeat", "0",
                                in_scratch("tricky.trace"), NULL);
    ck_assert_int_eq(run.status, 2);
    ck_assert_uint_eq(run.rows, 2);
    ck_assert_str_eq(cell(&run, 0, "status"), "fail");
    assert_contains(cell(&run, 0, "message"),
                    "dmm_design: unknown property 'coalesce' (valid: coalesces, address-ordered)");
    assert_ok(&run, 1);
}
END_TEST

/* ---- .rep files as they circulate ----------------------------------------------- */

/* small.rep (replay_run.h) with a 2-number header off by one, CRLF. */
static const char circulating_rep[] = "3\r\n9\r\n"
                                      "a 0 512\r\na 1 128\r\nr 0 640\r\na 2 128\r\nf 1\r\n"
                                      "r 0 768\r\nf 0\r\nf 2\r\n";

START_TEST(test_rep_as_it_circulates)
{
    write_text("circulating.rep", circulating_rep);
    struct run run = run_replay("-a", "list", "--repeat", "0", in_scratch("circulating.rep"), NULL);
    ck_assert_int_eq(run.status, 0);
    ck_assert_uint_eq(run.rows, 1);
    assert_ok(&run, 0);
    ck_assert_str_eq(cell(&run, 0, "ops"), "8");
    ck_assert_str_eq(cell(&run, 0, "peak_live_bytes"), SMALL_REP_PEAK_LIVE);
    char warning[600];
    snprintf(warning, sizeof warning,
             "%s:2: warning: header says 9 operations, the file has 8 (all 8 are replayed)",
             in_scratch("circulating.rep"));
    assert_contains(run.err, warning);
}
END_TEST

/* A bad trace stops only itself: the others run, every error is listed at
 * the end (after the warnings), and the exit status is 2. */
START_TEST(test_malformed_trace_stops_only_itself)
{
    write_text("circulating.rep", circulating_rep);
    write_text("one-line.rep", "20000 3 8 1\na 0 512\nf 0\n");
    /* Copies: in_scratch's buffers rotate, and run_replay uses them too. */
    char paths[5][512];
    const char *names[5] = {"bad.trace", "tricky.trace", "one-line.rep", "circulating.rep",
                            "no-such.trace"};
    for (size_t i = 0; i < 5; i++)
        snprintf(paths[i], sizeof paths[i], "%s", in_scratch(names[i]));
    struct run run = run_replay("-a", "list", "--repeat", "0", paths[0], paths[1], paths[2],
                                paths[3], paths[4], NULL);
    ck_assert_int_eq(run.status, 2);
    ck_assert_uint_eq(run.rows, 2);
    ck_assert_str_eq(cell(&run, 0, "trace"), "tricky");
    ck_assert_str_eq(cell(&run, 1, "trace"), "circulating");
    assert_ok(&run, 0);
    assert_ok(&run, 1);
    const char *list = strstr(run.err, "dmm-replay: 3 traces not replayed:\n");
    ck_assert_msg(list != NULL, "no list of errors in: %s", run.err);
    char line[700];
    snprintf(line, sizeof line, "  %s:3: unknown op 'x'\n", in_scratch("bad.trace"));
    assert_contains(list, line);
    snprintf(line, sizeof line,
             "  %s:1: '20000 3 8 1' looks like a .rep header on one line: a .rep header is 2 "
             "numbers (IDs, operations) or 4 (heap size, IDs, operations, weight), one per line\n",
             in_scratch("one-line.rep"));
    assert_contains(list, line);
    ck_assert_ptr_null(strstr(run.err, "unknown op '20000'"));
    snprintf(line, sizeof line, "  %s: No such file or directory\n", in_scratch("no-such.trace"));
    assert_contains(list, line);
    ck_assert_ptr_null(strstr(list, "warning")); /* the warning came first, at once */

    /* Nothing readable: nothing runs, and no CSV is written. */
    run = run_replay("-a", "list", in_scratch("bad.trace"), NULL);
    ck_assert_int_eq(run.status, 2);
    ck_assert_ptr_null(run.csv);
    ck_assert_str_eq(run.out, "");
}
END_TEST

int main(void)
{
    const struct test_group groups[] = {
        {"design", {test_next_only_list_fails, test_never_coalescing_list_fails,
                    test_lecture_allocators_keep_their_promises, test_unknown_design_word}},
        {"rep", {test_rep_as_it_circulates, test_malformed_trace_stops_only_itself}},
    };
    return run_test_groups_fixture("harness/design", groups, sizeof groups / sizeof groups[0],
                                   scratch_setup, scratch_teardown);
}
