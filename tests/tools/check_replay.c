/*
 * check_replay.c — dmm-replay end to end, run as a subprocess.
 *
 * The deliberately broken allocators (tests/support/modules) each go wrong at a
 * known operation of one small trace, written below. For each, dmm-replay
 * must report the right status and a message naming the allocator, the
 * trace, the line, the operation and what was wrong, and must go on with
 * the pairs after it. Then the command line itself: malformed traces,
 * unknown allocators, --help, the CSV and JSON outputs, --series, and a CMU
 * .rep trace.
 */
#define _XOPEN_SOURCE 700 /* mkdtemp, nftw, posix_spawn */

#include "testfile.h"

#include <check.h>
#include <fcntl.h>
#include <ftw.h>
#include <math.h>
#include <spawn.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

extern char **environ;

#define MODULE(name) DMM_TEST_MODULE_DIR "/libdmm-" name ".so"

/* Every broken module trips on this trace; the comments say where. Op
 * numbers count operations from 1, line numbers count every line. */
static const char tricky_trace[] =
    "# check_replay: each broken allocator fails at a known operation\n" /* line 1 */
    "a 0 64\n"    /* line 2, op #1 */
    "a 1 64\n"    /* line 3, op #2 */
    "a 2 64\n"    /* line 4, op #3: overlap returns a pointer inside block 1 */
    "a 3 48\n"    /* line 5, op #4: misaligned's fourth malloc is off by 8 */
    "f 1\n"       /* line 6, op #5: corrupt flips a byte of block 0 */
    "f 0\n"       /* line 7, op #6: ... which the check before this free finds */
    "r 2 128\n"   /* line 8, op #7: realloc-loses does not copy */
    "a 4 32\n"    /* line 9, op #8: the sixth malloc (one was inside realloc): crash, hang */
    "c 5 4 16\n"  /* line 10, op #9: live bytes peak here: 128 + 48 + 32 + 64 */
    "r 4 0\n"
    "f 2\n"
    "f 3\n"
    "f 5\n"
    "f -1\n";     /* line 15, op #14 */
#define TRICKY_OPS "14"
#define TRICKY_PEAK_LIVE "272"

/* A CMU Malloc Lab trace: heap size, IDs, ops, weight, then the ops. */
static const char small_rep[] = "20000\n3\n8\n1\n"
                                "a 0 512\na 1 128\nr 0 640\na 2 128\nf 1\nr 0 768\nf 0\nf 2\n";
#define SMALL_REP_PEAK_LIVE "896" /* after op 6: 768 + 128 */

/* Line 3 is wrong: the parser names it, and nothing runs. */
static const char bad_trace[] = "a 0 64\nf 0\nx 1 2\n";

#define CSV_HEADER                                                                           \
    "allocator,trace,status,ops,ns_per_op,malloc_ns,calloc_ns,realloc_ns,free_ns,"           \
    "kops_per_sec,peak_live_bytes,peak_footprint_bytes,peak_heap_bytes,peak_mapped_bytes,"   \
    "utilization,at_peak_payload,at_peak_overhead,at_peak_free,brk_calls,mmap_calls,"        \
    "munmap_calls,steps_per_malloc,steps_per_free,max_steps_malloc,max_steps_free,"          \
    "minor_faults,message"
#define CSV_COLUMNS 27
#define MAX_ROWS 64

/* ---- a scratch folder per test ------------------------------------------- */

static char scratch[256];

/* path of name inside the scratch folder, in one of a few rotating buffers */
static const char *in_scratch(const char *name)
{
    static char paths[8][512];
    static unsigned next;
    char *path = paths[next++ % 8];
    snprintf(path, sizeof paths[0], "%s/%s", scratch, name);
    return path;
}

static void write_text(const char *name, const char *text)
{
    FILE *file = fopen(in_scratch(name), "w");
    ck_assert_ptr_nonnull(file);
    fputs(text, file);
    ck_assert_int_eq(fclose(file), 0);
}

/* The whole file, NUL-terminated; NULL when it does not exist. */
static char *read_text(const char *path)
{
    return test_read_file(path, NULL);
}

static void setup(void)
{
    const char *tmp = getenv("TMPDIR");
    snprintf(scratch, sizeof scratch, "%s/check_replay.XXXXXX", tmp != NULL ? tmp : "/tmp");
    ck_assert_ptr_nonnull(mkdtemp(scratch));
    write_text("tricky.trace", tricky_trace);
    write_text("small.rep", small_rep);
    write_text("bad.trace", bad_trace);
}

static int remove_entry(const char *path, const struct stat *info, int type, struct FTW *ftw)
{
    (void)info, (void)type, (void)ftw;
    return remove(path);
}

static void teardown(void)
{
    nftw(scratch, remove_entry, 16, FTW_DEPTH | FTW_PHYS);
}

/* ---- running dmm-replay ------------------------------------------------------ */

struct run {
    int status;                     /* exit status; -1 when a signal ended it */
    char *out, *err;                /* what it printed */
    char *csv;                      /* the --csv file; NULL when none was written */
    char *cells[MAX_ROWS + 1][CSV_COLUMNS]; /* row 0 is the header */
    size_t rows;                    /* data rows */
};

/* Splits RFC 4180 text into rows of CSV_COLUMNS fields (quotes undone). */
static void parse_csv(struct run *run)
{
    const char *p = run->csv;
    size_t row = 0;
    while (*p != '\0') {
        ck_assert_msg(row <= MAX_ROWS, "more than %d rows", MAX_ROWS);
        for (size_t column = 0;; column++) {
            ck_assert_msg(column < CSV_COLUMNS, "row %zu has more than %d fields", row,
                          CSV_COLUMNS);
            char *field = malloc(strlen(p) + 1), *out = field;
            ck_assert_ptr_nonnull(field);
            if (*p == '"') {
                for (p++;; p++) {
                    ck_assert_msg(*p != '\0', "row %zu: a quote is not closed", row);
                    if (*p == '"' && p[1] == '"')
                        *out++ = *p++;
                    else if (*p == '"')
                        break;
                    else
                        *out++ = *p;
                }
                p++;
            } else {
                while (*p != ',' && *p != '\n' && *p != '\0')
                    *out++ = *p++;
            }
            *out = '\0';
            run->cells[row][column] = field;
            if (*p == ',') {
                p++;
                continue;
            }
            ck_assert_msg(*p == '\n', "row %zu: no line end after field %zu", row, column);
            p++;
            ck_assert_msg(column + 1 == CSV_COLUMNS, "row %zu has %zu fields, not %d", row,
                          column + 1, CSV_COLUMNS);
            break;
        }
        row++;
    }
    ck_assert_msg(row >= 1, "the CSV has no header row");
    run->rows = row - 1;
}

/* Runs dmm-replay with the arguments (NULL-terminated), and --csv into the
 * scratch folder first. Waits for it and collects what it wrote. */
static struct run run_replay(const char *first, ...)
{
    const char *argv[64] = {DMM_REPLAY, "--csv", in_scratch("result.csv")};
    size_t argc = 3;
    va_list args;
    va_start(args, first);
    for (const char *arg = first; arg != NULL; arg = va_arg(args, const char *)) {
        ck_assert(argc + 1 < sizeof argv / sizeof argv[0]);
        argv[argc++] = arg;
    }
    va_end(args);
    argv[argc] = NULL;

    remove(in_scratch("result.csv"));
    posix_spawn_file_actions_t actions;
    posix_spawn_file_actions_init(&actions);
    posix_spawn_file_actions_addopen(&actions, 1, in_scratch("stdout.txt"),
                                     O_WRONLY | O_CREAT | O_TRUNC, 0644);
    posix_spawn_file_actions_addopen(&actions, 2, in_scratch("stderr.txt"),
                                     O_WRONLY | O_CREAT | O_TRUNC, 0644);
    pid_t child;
    int spawned = posix_spawn(&child, DMM_REPLAY, &actions, NULL, (char *const *)argv, environ);
    posix_spawn_file_actions_destroy(&actions);
    ck_assert_msg(spawned == 0, "cannot run %s: %s", DMM_REPLAY, strerror(spawned));
    int status;
    ck_assert_int_eq(waitpid(child, &status, 0), child);

    struct run run = {.status = WIFEXITED(status) ? WEXITSTATUS(status) : -1};
    run.out = read_text(in_scratch("stdout.txt"));
    run.err = read_text(in_scratch("stderr.txt"));
    run.csv = read_text(in_scratch("result.csv"));
    ck_assert(run.out != NULL && run.err != NULL);
    if (run.csv != NULL)
        parse_csv(&run);
    return run;
}

/* The field of a data row (0-based) under the header's column name. */
static const char *cell(const struct run *run, size_t row, const char *column)
{
    ck_assert_msg(row < run->rows, "no row %zu (%zu rows)", row, run->rows);
    for (size_t c = 0; c < CSV_COLUMNS; c++)
        if (strcmp(run->cells[0][c], column) == 0)
            return run->cells[row + 1][c];
    ck_abort_msg("no column %s", column);
    return NULL;
}

static double number(const struct run *run, size_t row, const char *column)
{
    const char *text = cell(run, row, column);
    char *end;
    double value = strtod(text, &end);
    ck_assert_msg(*text != '\0' && *end == '\0', "%s of row %zu is '%s', not a number", column,
                  row, text);
    return value;
}

/* Every one of the rows is ok, with an empty message. */
static void assert_ok(const struct run *run, size_t row)
{
    ck_assert_msg(strcmp(cell(run, row, "status"), "ok") == 0, "row %zu (%s) is %s: %s", row,
                  cell(run, row, "allocator"), cell(run, row, "status"),
                  cell(run, row, "message"));
    ck_assert_str_eq(cell(run, row, "message"), "");
}

static void assert_contains(const char *text, const char *part)
{
    ck_assert_msg(strstr(text, part) != NULL, "'%s' is not in:\n%s", part, text);
}

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
                  "crashed with SIGSEGV (Segmentation fault) in the checking pass");
}
END_TEST

START_TEST(test_hang)
{
    assert_broken(MODULE("hang"), "hang", "timeout", "line 9, op #8 (malloc id 4, 32 bytes)",
                  "no answer after 2 s in the checking pass");
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
     * found at `f 2`; there is no sixth malloc for crash and hang. */
    const char *on_small[] = {"fail", "ok", "fail", "fail", "ok", "fail", "ok", "ok", "ok"};
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
}
END_TEST

/* The correct allocators, the eight and bump, pass both traces, and the
 * figures that need no clock are the ones worked out by hand. */
START_TEST(test_correct_allocators_pass)
{
    struct run run = run_replay("-a", MODULE("bump") ",all", "--repeat", "1",
                                in_scratch("tricky.trace"), in_scratch("small.rep"), NULL);
    ck_assert_msg(run.status == 0, "exit %d; stdout:\n%s", run.status, run.out);
    ck_assert_uint_eq(run.rows, 18);
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
        /* The split at the peak: the rest of the footprint is what the
         * checker's walk did not cover (all of it for bump's silent one). */
        ck_assert(number(&run, i, "at_peak_payload") <= live);
        ck_assert(number(&run, i, "at_peak_payload") + number(&run, i, "at_peak_overhead") +
                      number(&run, i, "at_peak_free") <= footprint);
    }
    ck_assert_str_eq(cell(&run, 0, "allocator"), MODULE("bump"));
    ck_assert_str_eq(cell(&run, 2, "allocator"), "minimal");
    ck_assert_str_eq(cell(&run, 12, "allocator"), "mmap");
    ck_assert_str_eq(cell(&run, 14, "allocator"), "gnu");
    ck_assert_str_eq(cell(&run, 16, "allocator"), "segregated");
    ck_assert_str_eq(cell(&run, 12, "brk_calls"), "0"); /* mmap never moves the break */
}
END_TEST

/* ---- the command line ---------------------------------------------------------------- */

START_TEST(test_malformed_trace)
{
    struct run run = run_replay("-a", "list", in_scratch("tricky.trace"), in_scratch("bad.trace"),
                                NULL);
    ck_assert_int_eq(run.status, 2);
    char where[600];
    snprintf(where, sizeof where, "%s:3: ", in_scratch("bad.trace"));
    assert_contains(run.err, where);
    ck_assert_str_eq(run.out, ""); /* nothing ran */
    ck_assert_ptr_null(run.csv);

    /* A .rep whose header promises 9 operations (line 3) for 8. */
    char rep[sizeof small_rep];
    memcpy(rep, small_rep, sizeof rep);
    rep[8] = '9';
    write_text("wrong.rep", rep);
    run = run_replay("-a", "list", in_scratch("wrong.rep"), NULL);
    ck_assert_int_eq(run.status, 2);
    snprintf(where, sizeof where, "%s:3: ", in_scratch("wrong.rep"));
    assert_contains(run.err, where);
    ck_assert_ptr_null(run.csv);

    run = run_replay("-a", "list", in_scratch("no-such.trace"), NULL);
    ck_assert_int_eq(run.status, 2);
    assert_contains(run.err, "no-such.trace: ");
}
END_TEST

START_TEST(test_unknown_allocator)
{
    struct run run = run_replay("-a", "list,nosuch", in_scratch("tricky.trace"), NULL);
    ck_assert_int_eq(run.status, 2);
    assert_contains(run.err, "dmm-replay: unknown allocator 'nosuch' (valid: minimal pad list "
                             "dlist bins mmap");
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
        ".rep", "a ID SIZE", "peak_footprint_bytes", "minimal pad list dlist bins mmap",
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
    Suite *suite = suite_create("harness/replay");
    TCase *broken = tcase_create("broken allocators");
    tcase_add_checked_fixture(broken, setup, teardown);
    tcase_set_timeout(broken, 60);
    tcase_add_test(broken, test_overlap);
    tcase_add_test(broken, test_misaligned);
    tcase_add_test(broken, test_corrupt);
    tcase_add_test(broken, test_realloc_loses);
    tcase_add_test(broken, test_crash);
    tcase_add_test(broken, test_hang);
    tcase_add_test(broken, test_all_in_one_run);
    tcase_add_test(broken, test_correct_allocators_pass);
    suite_add_tcase(suite, broken);

    TCase *command = tcase_create("command line");
    tcase_add_checked_fixture(command, setup, teardown);
    tcase_set_timeout(command, 60);
    tcase_add_test(command, test_malformed_trace);
    tcase_add_test(command, test_unknown_allocator);
    tcase_add_test(command, test_module_that_cannot_load);
    tcase_add_test(command, test_help);
    tcase_add_test(command, test_usage_errors);
    tcase_add_test(command, test_csv);
    tcase_add_test(command, test_json);
    tcase_add_test(command, test_series);
    tcase_add_test(command, test_cmu_rep);
    tcase_add_test(command, test_table_verbose_quiet);
    tcase_add_test(command, test_folder_and_markdown);
    suite_add_tcase(suite, command);

    SRunner *runner = srunner_create(suite);
    srunner_run_all(runner, CK_NORMAL);
    int failed = srunner_ntests_failed(runner);
    srunner_free(runner);
    return failed == 0 ? EXIT_SUCCESS : EXIT_FAILURE;
}
