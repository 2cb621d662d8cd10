/*
 * check_checked.c — dmm-replay --checked (docs/harness.md, "Checked
 * mode"), run as a subprocess, against planted bugs (tests/support/modules):
 * each is caught at the operation that did it with --checked, where
 * without it the bug shows later (or as a timeout); every built allocator
 * passes --checked. And two defects of the command line: -q still says on
 * stderr why a module did not load; --series and --heap-map-dir refuse,
 * before anything runs, to overwrite one pair's file with another's.
 */
#include "replay_run.h"

#include "suite.h"

#include <check.h>
#include <stdio.h>
#include <string.h>

/* bump-short and list-short: block 1 (100 bytes) is 4 bytes short; list
 * hands it out below block 0 (its overrun hits block 0's header), bump
 * above (block 2's header lands on its end). */
static const char short_trace[] = "a 0 96\n"   /* line 1, op #1 */
                                  "a 1 100\n"  /* line 2, op #2: the short chunk */
                                  "a 2 48\n"   /* line 3, op #3 */
                                  "f 2\n"      /* line 4, op #4 */
                                  "f 0\n"      /* line 5, op #5 */
                                  "f 1\n";     /* line 6, op #6 */

/* realloc-twice: op #3 moves block 0 and frees it twice. */
static const char twice_trace[] = "a 0 64\n"   /* line 1 */
                                  "a 1 64\n"   /* line 2 */
                                  "r 0 200\n"  /* line 3, op #3: the double free */
                                  "a 2 32\n"
                                  "a 3 500\n"
                                  "a 4 5000\n"
                                  "f 1\nf 2\nf 3\nf 4\nf 0\n";

/* One module on one trace, checked or not: its one row, not ok. */
static struct run run_one(const char *module, const char *trace, int checked)
{
    const char *mode = checked ? "--checked" : "--repeat";
    const char *value = checked ? "--timeout" : "0";
    struct run run = checked ? run_replay("-a", module, mode, value, "3", in_scratch(trace), NULL)
                             : run_replay("-a", module, mode, value, "--timeout", "3",
                                          in_scratch(trace), NULL);
    ck_assert_int_eq(run.status, 1);
    ck_assert_uint_eq(run.rows, 1);
    return run;
}

/* A failure message without the sentence the re-run with a check after
 * every op adds (recheck.h): what the first pass found. */
static void first_pass_of(const char *message, char *out, size_t size)
{
    const char *rerun = strstr(message, "; re-run with a check after every operation");
    snprintf(out, size, "%.*s", (int)(rerun != NULL ? rerun - message : (long)strlen(message)),
             message);
}

static void assert_starts(const char *message, const char *prefix)
{
    ck_assert_msg(strncmp(message, prefix, strlen(prefix)) == 0, "'%s' does not start '%s'",
                  message, prefix);
}

/* ---- the planted bugs ------------------------------------------------------------ */

START_TEST(test_list_short)
{
    write_text("short.trace", short_trace);
    /* Unchecked: the overwritten header is found only by a later walk. */
    struct run plain = run_one(MODULE("list-short"), "short.trace", 0);
    const char *message = cell(&plain, 0, "message");
    char first_pass[512];
    first_pass_of(message, first_pass, sizeof first_pass);
    ck_assert_msg(strstr(first_pass, "op #2 ") == NULL, "caught at op #2 unchecked: %s", message);
    /* ... and its re-run with a check after every op names the malloc
     * (tests/debugging.cmake tests the re-run itself). */
    assert_contains(message, "; re-run with a check after every operation: the first failure "
                             "is at line 2, op #2 (malloc id 1, 100 bytes): the heap checker "
                             "says: ");
    /* Checked: at the malloc that returned the short chunk. */
    struct run run = run_one(MODULE("list-short"), "short.trace", 1);
    message = cell(&run, 0, "message");
    ck_assert_str_eq(cell(&run, 0, "status"), "fail");
    assert_starts(message, "list-short on short line 2, op #2 (malloc id 1, 100 bytes): "
                           "malloc(100) returned a chunk too small: writing its 100 bytes and "
                           "the 16 guard bytes after them ");
}
END_TEST

START_TEST(test_bump_short)
{
    write_text("short.trace", short_trace);
    struct run plain = run_one(MODULE("bump-short"), "short.trace", 0);
    const char *message = cell(&plain, 0, "message");
    assert_starts(message, "bump-short on short line 6, op #6 (free id 1): block id 1");
    assert_contains(message, "was changed while it was live");
    struct run run = run_one(MODULE("bump-short"), "short.trace", 1);
    message = cell(&run, 0, "message");
    assert_starts(message, "bump-short on short line 3, op #3 (malloc id 2, 48 bytes): "
                           "malloc(48) wrote over the block below it: bytes ");
    assert_contains(message, "past the payload of block id 1 (100 bytes at 0x");
    assert_contains(message, ") were overwritten: ");
}
END_TEST

START_TEST(test_realloc_twice)
{
    write_text("twice.trace", twice_trace);
    /* Unchecked: the cycle in the free list hangs a later malloc. */
    struct run plain = run_one(MODULE("realloc-twice"), "twice.trace", 0);
    const char *status = cell(&plain, 0, "status");
    const char *message = cell(&plain, 0, "message");
    char first_pass[512];
    first_pass_of(message, first_pass, sizeof first_pass);
    ck_assert_msg(strcmp(status, "timeout") == 0 || strstr(first_pass, "op #3 ") == NULL,
                  "unchecked: %s %s", status, message);
    struct run run = run_one(MODULE("realloc-twice"), "twice.trace", 1);
    ck_assert_str_eq(cell(&run, 0, "status"), "fail");
    assert_starts(cell(&run, 0, "message"),
                  "realloc-twice on twice line 3, op #3 (realloc id 0, 200 bytes): "
                  "the heap checker says: ");
}
END_TEST

/* The bump family's bugs are still caught, at the same ops. */
START_TEST(test_bump_family_checked)
{
    static const struct {
        const char *module, *status, *where, *kind;
    } planted[] = {
        {"overlap", "fail", "line 4, op #3", "overlaps the live block id 1"},
        {"misaligned", "fail", "line 5, op #4", "not 16-byte aligned"},
        {"corrupt", "fail", "line 7, op #6", "was changed while it was live"},
        {"realloc-loses", "fail", "line 8, op #7", "lost the old contents"},
        {"crash", "crash", "line 9, op #8", "SIGSEGV"},
    };
    for (size_t k = 0; k < sizeof planted / sizeof planted[0]; k++) {
        char path[512], prefix[128];
        snprintf(path, sizeof path, DMM_TEST_MODULE_DIR "/libdmm-%s.so", planted[k].module);
        struct run run = run_one(path, "tricky.trace", 1);
        ck_assert_str_eq(cell(&run, 0, "status"), planted[k].status);
        snprintf(prefix, sizeof prefix, "%s on tricky %s", planted[k].module, planted[k].where);
        assert_starts(cell(&run, 0, "message"), prefix);
        assert_contains(cell(&run, 0, "message"), planted[k].kind);
    }
}
END_TEST

/* Every built allocator passes checked mode; no timing run is made. */
START_TEST(test_allocators_pass_checked)
{
    struct run run = run_replay("--checked", "--check-every", "3", in_scratch("tricky.trace"),
                                in_scratch("small.rep"), NULL);
    ck_assert_msg(run.status == 0, "exit %d: %s%s", run.status, run.out, run.err);
    for (size_t i = 0; i < run.rows; i++) {
        assert_ok(&run, i);
        ck_assert_str_eq(cell(&run, i, "ns_per_op"), "");
    }
    /* --checked is not for figures. */
    struct run timed = run_replay("--checked", "--repeat", "3", in_scratch("tricky.trace"), NULL);
    ck_assert_int_eq(timed.status, 2);
    assert_contains(timed.err, "--checked");
}
END_TEST

/* ---- the command line's defects --------------------------------------------------- */

START_TEST(test_quiet_load_error)
{
    write_text("not-a-module.so", "this is text, not a shared object\n");
    const char *module = in_scratch("not-a-module.so");
    struct run run = run_replay("-q", "-a", module, "--repeat", "0", in_scratch("tricky.trace"),
                                NULL);
    ck_assert_int_eq(run.status, 2);
    ck_assert_str_eq(run.out, "");
    assert_contains(run.err, "dmm-replay: ");
    assert_contains(run.err, "not-a-module.so");
}
END_TEST

START_TEST(test_output_clashes)
{
    /* Two traces named "tricky": the series would overwrite each other. */
    write_text("tricky.rep", small_rep);
    struct run run = run_replay("-a", "list", "--repeat", "0", "--series", in_scratch("series"),
                                in_scratch("tricky.trace"), in_scratch("tricky.rep"), NULL);
    ck_assert_int_eq(run.status, 2);
    assert_contains(run.err, "--series: ");
    assert_contains(run.err, "tricky.trace and ");
    assert_contains(run.err, "tricky.rep are both trace 'tricky'");
    ck_assert_ptr_null(run.csv); /* nothing ran */
    /* --heap-map-dir keeps one trace's walk per allocator. */
    run = run_replay("-a", "list", "--repeat", "0", "--heap-map-dir", in_scratch("maps"),
                     in_scratch("tricky.trace"), in_scratch("small.rep"), NULL);
    ck_assert_int_eq(run.status, 2);
    assert_contains(run.err, "--heap-map-dir writes ");
    /* The same allocator twice. */
    run = run_replay("-a", "list,list", "--repeat", "0", "--series", in_scratch("series"),
                     in_scratch("tricky.trace"), NULL);
    ck_assert_int_eq(run.status, 2);
    assert_contains(run.err, "allocator 'list' is named twice");
    /* Distinct names are fine. */
    run = run_replay("-a", "list,bins", "--repeat", "0", "--series", in_scratch("series"),
                     in_scratch("tricky.trace"), in_scratch("small.rep"), NULL);
    ck_assert_int_eq(run.status, 0);
}
END_TEST

int main(void)
{
    const struct test_group groups[] = {
        {"planted bugs", {test_list_short, test_bump_short, test_realloc_twice,
                          test_bump_family_checked, test_allocators_pass_checked}},
        {"command line", {test_quiet_load_error, test_output_clashes}},
    };
    return run_test_groups_fixture("harness/checked", groups, sizeof groups / sizeof groups[0],
                                   scratch_setup, scratch_teardown);
}
