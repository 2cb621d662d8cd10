/*
 * check_replay.c — dmm-replay's command line, run as a subprocess:
 * malformed traces, unknown allocators, a module that cannot load, --help,
 * usage errors, the CSV and JSON outputs, --series, a CMU .rep trace, a
 * folder of traces, and the table with -v and -q. The broken allocators:
 * check_replay_broken.c; running dmm-replay: tests/support/replay_run.h.
 */
#define _XOPEN_SOURCE 700 /* mkdir */

#include "replay_run.h"

#include "suite.h"

#include <check.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

/* ---- the command line ---------------------------------------------------------------- */

START_TEST(test_malformed_trace)
{
    /* A malformed trace stops only itself: the other traces run, every
     * error is listed at the end, and the exit status is 2. */
    struct run run = run_replay("-a", "list", in_scratch("tricky.trace"), in_scratch("bad.trace"),
                                NULL);
    ck_assert_int_eq(run.status, 2);
    char where[600];
    snprintf(where, sizeof where, "%s:3: ", in_scratch("bad.trace"));
    assert_contains(run.err, where);
    assert_contains(run.err, "1 trace not replayed:");
    ck_assert_ptr_nonnull(run.csv);
    ck_assert_uint_eq(run.rows, 1); /* tricky.trace, and only it */
    ck_assert_str_eq(cell(&run, 0, "trace"), "tricky");
    assert_ok(&run, 0);

    /* A .rep whose header promises 9 operations (line 3) for 8: a warning
     * naming file:line, and all 8 operations replayed. */
    char rep[sizeof small_rep];
    memcpy(rep, small_rep, sizeof rep);
    rep[8] = '9';
    write_text("wrong.rep", rep);
    run = run_replay("-a", "list", in_scratch("wrong.rep"), NULL);
    ck_assert_int_eq(run.status, 0);
    snprintf(where, sizeof where, "%s:3: warning: ", in_scratch("wrong.rep"));
    assert_contains(run.err, where);
    ck_assert_ptr_nonnull(run.csv);
    ck_assert_uint_eq(run.rows, 1);
    assert_ok(&run, 0);
    ck_assert_double_eq(number(&run, 0, "ops"), 8);

    /* No trace readable at all: nothing runs, no CSV. */
    run = run_replay("-a", "list", in_scratch("no-such.trace"), NULL);
    ck_assert_int_eq(run.status, 2);
    assert_contains(run.err, "no-such.trace: ");
    ck_assert_ptr_null(run.csv);
}
END_TEST

START_TEST(test_unknown_allocator)
{
    struct run run = run_replay("-a", "list,nosuch", in_scratch("tricky.trace"), NULL);
    ck_assert_int_eq(run.status, 2);
    assert_contains(run.err, "dmm-replay: unknown allocator 'nosuch' (valid: minimal pad unsorted "
                             "list dlist bins mmap");
    assert_contains(run.err, "or a path to a module)");
    ck_assert_ptr_null(run.csv);
}
END_TEST

/* A path that is not a module: every pair of it says so, the others run,
 * and the exit status is 2. */
START_TEST(test_module_that_cannot_load)
{
    struct run run = run_replay("-a", in_scratch("tricky.trace") /* a text file */, "-a", "list",
                                in_scratch("tricky.trace"), NULL);
    ck_assert_int_eq(run.status, 2);
    ck_assert_uint_eq(run.rows, 2);
    ck_assert_str_eq(cell(&run, 0, "status"), "fail");
    assert_contains(cell(&run, 0, "message"), "cannot load allocator");
    assert_ok(&run, 1);
}
END_TEST

START_TEST(test_help)
{
    struct run run = run_replay("--help", NULL);
    ck_assert_int_eq(run.status, 0);
    const char *mentioned[] = {
        "-a, --allocator", "--module-dir", "--repeat", "--check-every", "--timeout", "--csv",
        "--json", "--series", "--series-points", "-v, --verbose", "--heap-map", "-q, --quiet",
        "-h, --help", "Exit status", "0  every pair ok", "1  at least one pair", "2  usage",
        ".rep", "a ID SIZE", "peak_footprint_bytes", "minimal pad",
    };
    for (size_t i = 0; i < sizeof mentioned / sizeof mentioned[0]; i++)
        assert_contains(run.out, mentioned[i]);
    /* The CSV columns it lists, wrapped over lines, are the real ones. */
    const char *columns = strstr(run.out, "allocator,trace,");
    ck_assert_ptr_nonnull(columns);
    char joined[sizeof CSV_HEADER + 1] = "";
    size_t length = 0;
    for (const char *p = columns; length < sizeof CSV_HEADER - 1 && *p != '\0'; p++)
        if (*p != ' ' && *p != '\n')
            joined[length++] = *p;
    ck_assert_str_eq(joined, CSV_HEADER);
}
END_TEST

START_TEST(test_usage_errors)
{
    const char *tricky = in_scratch("tricky.trace");
    struct run runs[] = {
        run_replay("--repeat", "x", tricky, NULL),
        run_replay("--repeat", "-1", tricky, NULL),
        run_replay("--timeout", "0", tricky, NULL),
        run_replay("--check-every", "1e3", tricky, NULL),
        run_replay("--series-points", "0", tricky, NULL),
        run_replay("-a", "list,", tricky, NULL),
        run_replay("--no-such-option", tricky, NULL),
        run_replay("-a", "list", NULL), /* no trace */
        run_replay(tricky, "--timeout", NULL),
    };
    for (size_t i = 0; i < sizeof runs / sizeof runs[0]; i++) {
        ck_assert_msg(runs[i].status == 2, "case %zu: exit %d", i, runs[i].status);
        ck_assert_msg(strncmp(runs[i].err, "dmm-replay: ", 12) == 0, "case %zu: %s", i,
                      runs[i].err);
        ck_assert_ptr_null(runs[i].csv);
    }
}
END_TEST

START_TEST(test_csv)
{
    struct run run = run_replay("-a", MODULE("crash") ",list", in_scratch("tricky.trace"), NULL);
    char *end = strchr(run.csv, '\n');
    ck_assert_ptr_nonnull(end);
    *end = '\0';
    ck_assert_str_eq(run.csv, CSV_HEADER);
    /* The crash message holds commas: quoted, it still parses as one field. */
    assert_contains(cell(&run, 0, "message"), "op #8 (malloc id 4, 32 bytes): crashed");
    ck_assert_str_eq(cell(&run, 1, "allocator"), "list");
    /* utilization is a fraction with 4 decimals */
    const char *utilization = cell(&run, 1, "utilization");
    ck_assert_msg(strlen(utilization) == 6 && strncmp(utilization, "0.", 2) == 0, "'%s'",
                  utilization);

    /* --repeat 0: checked, not timed. */
    run = run_replay("-a", "list", "--repeat", "0", in_scratch("tricky.trace"), NULL);
    ck_assert_int_eq(run.status, 0);
    assert_ok(&run, 0);
    ck_assert_str_eq(cell(&run, 0, "ns_per_op"), "");
    ck_assert_str_eq(cell(&run, 0, "peak_live_bytes"), TRICKY_PEAK_LIVE);
}
END_TEST

/* As far as a simple check goes: one object per pair, every key in each,
 * strings closed, brackets balanced. */
START_TEST(test_json)
{
    struct run run = run_replay("-a", "list," MODULE("crash"), "--repeat", "0", "--json",
                                in_scratch("out.json"), in_scratch("tricky.trace"),
                                in_scratch("small.rep"), NULL);
    ck_assert_int_eq(run.status, 1);
    char *json = read_text(in_scratch("out.json"));
    ck_assert_ptr_nonnull(json);
    ck_assert_msg(strncmp(json, "{\"runs\":[", 9) == 0, "%s", json);
    int depth = 0, in_string = 0, objects = 0;
    for (const char *p = json; *p != '\0'; p++) {
        if (in_string) {
            ck_assert_msg((unsigned char)*p >= 0x20, "a raw control character in a string");
            if (*p == '\\')
                p++;
            else if (*p == '"')
                in_string = 0;
        } else if (*p == '"') {
            in_string = 1;
        } else if (*p == '{' || *p == '[') {
            depth++;
            objects += *p == '{' && depth == 3;
        } else if (*p == '}' || *p == ']') {
            ck_assert_int_gt(depth--, 0);
        }
    }
    ck_assert(!in_string);
    ck_assert_int_eq(depth, 0);
    ck_assert_int_eq(objects, 4);
    char header[] = CSV_HEADER;
    for (char *key = strtok(header, ","); key != NULL; key = strtok(NULL, ",")) {
        char quoted[64];
        snprintf(quoted, sizeof quoted, "\"%s\":", key);
        int found = 0;
        for (const char *p = json; (p = strstr(p, quoted)) != NULL; p++)
            found++;
        ck_assert_msg(found == 4, "%s appears %d times", quoted, found);
    }
    assert_contains(json, "\"ns_per_op\":null");               /* --repeat 0 */
    assert_contains(json, "\"peak_live_bytes\":" TRICKY_PEAK_LIVE ","); /* a number */
    assert_contains(json, "\"status\":\"crash\"");
    free(json);
}
END_TEST

START_TEST(test_series)
{
    const char *folder = in_scratch("series/deeper"); /* created, parents too */
    struct run run = run_replay("-a", "list," MODULE("bump"), "--repeat", "0", "--series", folder,
                                "--series-points", "5", in_scratch("tricky.trace"), NULL);
    ck_assert_int_eq(run.status, 0);
    const char *files[] = {"series/deeper/list--tricky.csv", "series/deeper/bump--tricky.csv"};
    for (size_t i = 0; i < 2; i++) {
        char *series = read_text(in_scratch(files[i]));
        ck_assert_msg(series != NULL, "no %s", files[i]);
        ck_assert_msg(strncmp(series, "op,live_bytes,footprint_bytes\n", 30) == 0, "%s", series);
        assert_contains(series, "\n" TRICKY_OPS ",0,"); /* the last op, nothing live */
        free(series);
    }
}
END_TEST

START_TEST(test_cmu_rep)
{
    struct run run = run_replay("-a", "list,bins", in_scratch("small.rep"), NULL);
    ck_assert_int_eq(run.status, 0);
    ck_assert_uint_eq(run.rows, 2);
    for (size_t i = 0; i < 2; i++) {
        assert_ok(&run, i);
        ck_assert_str_eq(cell(&run, i, "trace"), "small");
        ck_assert_str_eq(cell(&run, i, "ops"), "8");
        ck_assert_str_eq(cell(&run, i, "peak_live_bytes"), SMALL_REP_PEAK_LIVE);
    }
}
END_TEST

/* A folder stands for its *.trace and *.rep files; a README.md beside them
 * is skipped with a note, so a shell glob of a folder works; a folder with no
 * trace is an error. */
START_TEST(test_folder_and_markdown)
{
    ck_assert_int_eq(mkdir(in_scratch("set"), 0755), 0);
    write_text("set/one.trace", tricky_trace);
    write_text("set/two.rep", small_rep);
    write_text("set/README.md", "# Not a trace\n\nTwo small traces for a test.\n");
    struct run run = run_replay("-a", "list", "--repeat", "0", in_scratch("set"), NULL);
    ck_assert_int_eq(run.status, 0);
    ck_assert_uint_eq(run.rows, 2);
    ck_assert_str_eq(cell(&run, 0, "trace"), "one");
    ck_assert_str_eq(cell(&run, 1, "trace"), "two");

    run = run_replay("-a", "list", "--repeat", "0", in_scratch("set/README.md"),
                     in_scratch("set/two.rep"), NULL);
    ck_assert_int_eq(run.status, 0);
    ck_assert_uint_eq(run.rows, 1);
    assert_contains(run.err, "skipping");
    assert_contains(run.err, "README.md");

    ck_assert_int_eq(mkdir(in_scratch("empty"), 0755), 0);
    run = run_replay("-a", "list", in_scratch("empty"), NULL);
    ck_assert_int_eq(run.status, 2);
    assert_contains(run.err, "no trace given");
}
END_TEST

START_TEST(test_table_verbose_quiet)
{
    struct run run = run_replay("-a", "list,bins", "--repeat", "1", in_scratch("tricky.trace"),
                                NULL);
    ck_assert_int_eq(run.status, 0);
    const char *headings[] = {"allocator", "trace", "status", "ops", "ns/op", "Kops/s",
                              "util %", "peak footprint (KiB)", "brk", "mmap", "munmap",
                              "steps/malloc", "steps/free"};
    char *first_line_end = strchr(run.out, '\n');
    ck_assert_ptr_nonnull(first_line_end);
    *first_line_end = '\0';
    for (size_t i = 0; i < sizeof headings / sizeof headings[0]; i++)
        assert_contains(run.out, headings[i]);
    ck_assert_msg(strncmp(first_line_end + 1, "list ", 5) == 0, "%s", first_line_end + 1);
    assert_contains(first_line_end + 1, "\nbins ");

    run = run_replay("-q", "-a", "list", in_scratch("tricky.trace"), NULL);
    ck_assert_int_eq(run.status, 0);
    ck_assert_str_eq(run.out, "");

    /* -v, --check-every and --heap-map reach the child's checking pass. */
    run = run_replay("-q", "-v", "--heap-map", "--check-every", "1", "--repeat", "0", "-a", "list",
                     in_scratch("tricky.trace"), NULL);
    ck_assert_int_eq(run.status, 0);
    assert_contains(run.out, "#1 line 2: a 0 64 -> 0x");
    assert_contains(run.out, "#14 line 15: f -1");
    assert_contains(run.out, "heap: [");
}
END_TEST

int main(void)
{
    const struct test_group groups[] = {
        {"command line", {test_malformed_trace, test_unknown_allocator,
                          test_module_that_cannot_load, test_help, test_usage_errors, test_csv,
                          test_json, test_series, test_cmu_rep, test_table_verbose_quiet,
                          test_folder_and_markdown}},
    };
    return run_test_groups_fixture("harness/replay", groups, sizeof groups / sizeof groups[0],
                                   scratch_setup, scratch_teardown);
}
