/*
 * check_record.c — dmm-record and libdmm-record.so (preload/), run as
 * programs: real programs (ls, sort, python3) and record_probe (a program
 * of known calls) are recorded; each trace must start with the header,
 * parse (trace_load: no malformed line, no free of an ID that is not live)
 * and replay on bins and list (dmm-replay --repeat 0: the checking pass);
 * the known calls must appear as the lines docs/record.md promises, threads
 * must lose no call, and a forked child must not write.
 *
 * Paths: DMM_RECORD (dmm-record), DMM_REPLAY (dmm-replay), DMM_RECORD_PROBE
 * (record_probe). Every run gets a fresh folder under /tmp.
 */
#define _POSIX_C_SOURCE 200809L /* mkdtemp, fork, waitpid */

#include "trace.h"

#include "testfile.h"

#include <check.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#define PROBE_THREADS 4          /* record_probe.c: THREADS */
#define PROBE_ROUNDS 5000        /* record_probe.c: THREAD_ROUNDS */
#define REPLAY_ALLOCATORS "bins,list"

/* ---- running programs ----------------------------------------------------- */

/* A fresh folder for one test's files. */
static const char *fresh_folder(void)
{
    static char folder[64];
    strcpy(folder, "/tmp/check_record.XXXXXX");
    ck_assert_ptr_nonnull(mkdtemp(folder));
    return folder;
}

/* Runs argv (NULL-terminated) in folder, standard output and error into
 * folder/out and folder/err; returns the exit status, -1 for a signal. */
static int run_in(const char *folder, const char *const *argv)
{
    char out[256], err[256];
    snprintf(out, sizeof out, "%s/out", folder);
    snprintf(err, sizeof err, "%s/err", folder);
    pid_t child = fork();
    ck_assert_int_ge(child, 0);
    if (child == 0) {
        int out_fd = open(out, O_WRONLY | O_CREAT | O_TRUNC, 0644);
        int err_fd = open(err, O_WRONLY | O_CREAT | O_TRUNC, 0644);
        if (out_fd < 0 || err_fd < 0 || dup2(out_fd, 1) < 0 || dup2(err_fd, 2) < 0 ||
            chdir(folder) != 0)
            _exit(99);
        execvp(argv[0], (char *const *)argv);
        _exit(98);
    }
    int status;
    ck_assert_int_eq(waitpid(child, &status, 0), child);
    return WIFEXITED(status) ? WEXITSTATUS(status) : -1;
}

/* The whole file as a NUL-terminated string (NULL when it does not exist). */
static char *read_file(const char *folder, const char *name)
{
    char path[256];
    snprintf(path, sizeof path, "%s/%s", folder, name);
    return test_read_file(path, NULL);
}

static void assert_contains_text(const char *text, const char *needle)
{
    ck_assert_msg(text != NULL && strstr(text, needle) != NULL, "'%s' not in: %s", needle,
                  text != NULL ? text : "(no file)");
}

static size_t count_of(const char *text, const char *needle)
{
    size_t count = 0;
    for (const char *at = strstr(text, needle); at != NULL; at = strstr(at + 1, needle))
        count++;
    return count;
}

/* ---- what every recorded trace must be ------------------------------------ */

/* The header: version line, the command (containing command_word), and a
 * date in UTC, ISO 8601, within a day of now. */
static void assert_header(const char *text, const char *command_word)
{
    ck_assert_msg(strncmp(text, "# dmm trace written by dmm-record ", 34) == 0,
                  "trace starts with: %.60s", text);
    const char *command = strstr(text, "\n# command: ");
    ck_assert_ptr_nonnull(command);
    const char *command_end = strchr(command + 1, '\n');
    const char *word = strstr(command, command_word);
    ck_assert_msg(word != NULL && word < command_end, "command line lacks '%s'", command_word);
    const char *date = strstr(text, "\n# date: ");
    ck_assert_ptr_nonnull(date);
    struct tm when = {0};
    char zone = 0;
    ck_assert_int_eq(sscanf(date + 9, "%4d-%2d-%2dT%2d:%2d:%2d%c", &when.tm_year, &when.tm_mon,
                            &when.tm_mday, &when.tm_hour, &when.tm_min, &when.tm_sec, &zone), 7);
    ck_assert_int_eq(zone, 'Z');
    /* Days since 1970 of the recorded date, against time(): same day, +-1. */
    int y = when.tm_year - (when.tm_mon <= 2), m = when.tm_mon;
    long days = 365L * y + y / 4 - y / 100 + y / 400 + (153 * (m > 2 ? m - 3 : m + 9) + 2) / 5 +
                when.tm_mday - 1 - 719468;
    long today = (long)(time(NULL) / 86400);
    ck_assert_msg(days >= today - 1 && days <= today + 1, "date %.20s is not today", date + 9);
}

/* Records argv into folder/name.trace with dmm-record; asserts exit 0. */
static void record(const char *folder, const char *name, const char *const *command)
{
    const char *argv[32] = {DMM_RECORD, "-o", name, "--"};
    int argc = 4;
    for (int i = 0; command[i] != NULL; i++)
        argv[argc++] = command[i];
    argv[argc] = NULL;
    int status = run_in(folder, argv);
    char *err = read_file(folder, "err");
    ck_assert_msg(status == 0, "dmm-record -- %s: status %d, stderr: %s", command[0], status, err);
    free(err);
}

/* Parses folder/name (trace_load); the trace must have operations. */
static struct trace load(const char *folder, const char *name)
{
    char path[256], error[512];
    snprintf(path, sizeof path, "%s/%s", folder, name);
    struct trace trace;
    ck_assert_msg(trace_load(path, &trace, error, sizeof error) == 0, "%s", error);
    ck_assert_msg(trace.op_count > 0, "%s has no operations", path);
    return trace;
}

/* The checking pass of dmm-replay on bins and list must succeed. */
static void assert_replays(const char *folder, const char *name)
{
    const char *argv[] = {DMM_REPLAY, "--allocator", REPLAY_ALLOCATORS, "--repeat", "0",
                          "--quiet", name, NULL};
    int status = run_in(folder, argv);
    char *err = read_file(folder, "err");
    ck_assert_msg(status == 0, "dmm-replay %s: status %d: %s", name, status, err);
    free(err);
}

/* Record, then header, parse and replay. */
static void record_and_verify(const char *const *command, const char *command_word)
{
    const char *folder = fresh_folder();
    record(folder, "t.trace", command);
    char *text = read_file(folder, "t.trace");
    ck_assert_ptr_nonnull(text);
    assert_header(text, command_word);
    ck_assert_uint_eq(count_of(text, "\n# end: complete\n"), 1);
    size_t length = strlen(text), marker = strlen("\n# end: complete\n");
    ck_assert_str_eq(text + (length > marker ? length - marker : 0), "\n# end: complete\n");
    free(text);
    struct trace trace = load(folder, "t.trace");
    ck_assert_msg(trace.warning == NULL, "%s", trace.warning); /* complete */
    trace_free(&trace);
    assert_replays(folder, "t.trace");
}

/* ---- real programs -------------------------------------------------------- */

START_TEST(test_ls)
{
    const char *command[] = {"/bin/ls", "-l", "/", NULL};
    record_and_verify(command, "/bin/ls -l /");
}
END_TEST

START_TEST(test_sort)
{
    const char *folder = fresh_folder();
    char path[256];
    snprintf(path, sizeof path, "%s/numbers", folder);
    FILE *numbers = fopen(path, "w");
    ck_assert_ptr_nonnull(numbers);
    for (int i = 0; i < 3000; i++)
        fprintf(numbers, "%d\n", (i * 7919) % 3000);
    fclose(numbers);
    const char *command[] = {"sort", "-n", path, NULL};
    record(folder, "sort.trace", command);
    char *out = read_file(folder, "out"); /* the program still works */
    ck_assert_ptr_nonnull(out);
    ck_assert(strncmp(out, "0\n1\n2\n3\n", 8) == 0);
    ck_assert_uint_eq(count_of(out, "\n"), 3000);
    free(out);
    char *text = read_file(folder, "sort.trace");
    assert_header(text, "sort -n");
    free(text);
    struct trace trace = load(folder, "sort.trace");
    trace_free(&trace);
    assert_replays(folder, "sort.trace");
}
END_TEST

/* python3 through PATH: often a launcher script that execs the real one,
 * which keeps the process, so the interpreter is what gets recorded. */
START_TEST(test_python)
{
    /* .ci/run installs python3: its absence is a failure, never a skip. */
    ck_assert_msg(system("command -v python3 >/dev/null 2>&1") == 0,
                  "no python3 on PATH (apt-get install python3)");
    const char *command[] = {"python3", "-c",
                             "d = {str(i): [i] * (i % 40) for i in range(20000)}\n"
                             "print(sum(len(v) for v in d.values()))", NULL};
    record_and_verify(command, "python3");
}
END_TEST

START_TEST(test_exec_keeps_recording)
{
    /* sh execs the probe in the same process: the trace is the probe's. */
    const char *folder = fresh_folder();
    const char *command[] = {"/bin/sh", "-c", "exec \"$0\" calls", DMM_RECORD_PROBE, NULL};
    record(folder, "t.trace", command);
    char *text = read_file(folder, "t.trace");
    ck_assert_uint_eq(count_of(text, "# dmm trace written by"), 1);
    ck_assert_ptr_nonnull(strstr(text, "record_probe calls"));
    ck_assert_ptr_nonnull(strstr(text, " 1001\n"));
    free(text);
    assert_replays(folder, "t.trace");
}
END_TEST

/* ---- known calls ---------------------------------------------------------- */

/* Index of the first op of this kind and size, from `from`; fails if none. */
static size_t find_op(const struct trace *trace, size_t from, char kind, size_t size)
{
    for (size_t i = from; i < trace->op_count; i++)
        if (trace->ops[i].kind == kind && trace->ops[i].size == size)
            return i;
    ck_abort_msg("no '%c' of %zu bytes in the trace", kind, size);
    return 0;
}

START_TEST(test_calls)
{
    const char *folder = fresh_folder();
    const char *command[] = {DMM_RECORD_PROBE, "calls", NULL};
    record(folder, "t.trace", command);
    struct trace trace = load(folder, "t.trace");
    const struct trace_op *op = &trace.ops[find_op(&trace, 0, 'a', 1001)];
    ck_assert_uint_ge(trace.op_count - (size_t)(op - trace.ops), 12);
    uint32_t p = op[0].slot, q = op[1].slot, r = op[3].slot;
    ck_assert_msg(op[1].kind == 'c' && op[1].nmemb == 7 && op[1].size == 1003, "calloc(7, 1003)");
    ck_assert_msg(op[2].kind == 'r' && op[2].slot == p && op[2].size == 1005, "realloc(p, 1005)");
    ck_assert_msg(op[3].kind == 'r' && op[3].size == 1007 && r != p && r != q, "realloc(NULL, 1007)");
    ck_assert_msg(op[4].kind == 'f' && op[4].slot == TRACE_NO_SLOT, "free(NULL) is f -1");
    ck_assert_msg(op[5].kind == 'f' && op[5].slot == q, "realloc(q, 0) is f of q");
    /* Aligned allocations are `a`; q's ID, the last freed, is reused first. */
    ck_assert_msg(op[6].kind == 'a' && op[6].size == 1009 && op[6].slot == q, "posix_memalign");
    ck_assert_msg(op[7].kind == 'a' && op[7].size == 1024, "aligned_alloc");
    ck_assert_msg(op[8].kind == 'f' && op[8].slot == op[7].slot, "free(also_aligned)");
    ck_assert_msg(op[9].kind == 'f' && op[9].slot == q && op[10].slot == r && op[11].slot == p,
                  "the last three frees");
    trace_free(&trace);
    char *text = read_file(folder, "t.trace");
    ck_assert_ptr_nonnull(strstr(text, "# posix_memalign with alignment 64"));
    ck_assert_ptr_nonnull(strstr(text, "# 2 aligned allocations recorded as `a` (largest alignment 128"));
    free(text);
    assert_replays(folder, "t.trace");
}
END_TEST

START_TEST(test_threads)
{
    const char *folder = fresh_folder();
    const char *command[] = {DMM_RECORD_PROBE, "threads", NULL};
    record(folder, "t.trace", command);
    struct trace trace = load(folder, "t.trace");
    size_t markers[PROBE_THREADS] = {0};
    for (size_t i = 0; i < trace.op_count; i++)
        for (size_t t = 0; t < PROBE_THREADS; t++)
            markers[t] += trace.ops[i].kind == 'a' && trace.ops[i].size == 4001 + t;
    for (size_t t = 0; t < PROBE_THREADS; t++)
        ck_assert_msg(markers[t] == PROBE_ROUNDS, "thread %zu: %zu mallocs recorded, not %d", t,
                      markers[t], PROBE_ROUNDS);
    trace_free(&trace);
    assert_replays(folder, "t.trace");
}
END_TEST

START_TEST(test_fork)
{
    const char *folder = fresh_folder();
    const char *command[] = {DMM_RECORD_PROBE, "fork", NULL};
    record(folder, "t.trace", command);
    struct trace trace = load(folder, "t.trace");
    size_t before = find_op(&trace, 0, 'a', 2001);
    find_op(&trace, before, 'a', 2005);
    for (size_t i = 0; i < trace.op_count; i++)
        ck_assert_msg(trace.ops[i].size != 2003, "the child's malloc(2003) was recorded");
    trace_free(&trace);
    char *text = read_file(folder, "t.trace");
    ck_assert_uint_eq(count_of(text, "# dmm trace written by"), 1);
    ck_assert_uint_eq(count_of(text, "\n# end: complete\n"), 1); /* the child's exit wrote no end */
    free(text);
    assert_replays(folder, "t.trace");
}
END_TEST

/* _exit runs no destructor: the library finishes the trace in _exit. */
START_TEST(test_exit)
{
    const char *folder = fresh_folder();
    const char *command[] = {DMM_RECORD_PROBE, "exit", NULL};
    record(folder, "t.trace", command);
    char *text = read_file(folder, "t.trace");
    ck_assert_ptr_nonnull(strstr(text, " 3001\n"));
    ck_assert_ptr_nonnull(strstr(text, "\n# end: "));
    free(text);
}
END_TEST

/* A program killed by a signal leaves a trace without the end marker: it
 * still parses and replays, with a warning that it is only a beginning. */
START_TEST(test_cut_short_by_a_signal)
{
    const char *folder = fresh_folder();
    /* PYTHONMALLOC=malloc: enough calls to fill several buffers before the kill */
    const char *argv[] = {DMM_RECORD, "-o", "t.trace", "--", "env", "PYTHONMALLOC=malloc",
                          "python3", "-c",
                          "import os\nx = [str(i) * 3 for i in range(100000)]\n"
                          "os.kill(os.getpid(), 9)", NULL};
    ck_assert_int_eq(run_in(folder, argv), -1); /* dmm-record became python3: SIGKILL */
    char *text = read_file(folder, "t.trace");
    ck_assert_ptr_nonnull(text);
    ck_assert_ptr_null(strstr(text, "# end: "));
    free(text);
    struct trace trace = load(folder, "t.trace");
    ck_assert_ptr_nonnull(trace.warning);
    assert_contains_text(trace.warning, "the recording has no end marker");
    trace_free(&trace);
    const char *replay[] = {DMM_REPLAY, "--allocator", "bins", "--repeat", "0", "--quiet",
                            "t.trace", NULL};
    ck_assert_int_eq(run_in(folder, replay), 0); /* what was written replays */
    char *err = read_file(folder, "err");
    assert_contains_text(err, "t.trace: warning: the recording has no end marker ('# end: "
                              "complete'): the program was cut short (by a signal?)");
    free(err);
    /* Killed before its first full buffer: the header alone says it all. */
    const char *early[] = {DMM_RECORD, "-o", "early.trace", "--", "/bin/sh", "-c",
                           "kill -KILL $$", NULL};
    ck_assert_int_eq(run_in(folder, early), -1);
    char path[256], error[512];
    snprintf(path, sizeof path, "%s/early.trace", folder);
    ck_assert_msg(trace_load(path, &trace, error, sizeof error) == 0, "%s", error);
    ck_assert_ptr_nonnull(trace.warning);
    assert_contains_text(trace.warning, "no end marker");
    trace_free(&trace);
}
END_TEST

/* A trace that cannot be written is an error the user sees: exit 1 and
 * the path with the reason, even from ls, which closes its standard error
 * before the recorder writes the last of the trace. */
START_TEST(test_full_disk)
{
    const char *folder = fresh_folder();
    const char *argv[] = {DMM_RECORD, "-o", "/dev/full", "--", "/bin/ls", "/", NULL};
    ck_assert_int_eq(run_in(folder, argv), 1);
    char *err = read_file(folder, "err");
    assert_contains_text(err, "dmm-record: /dev/full: No space left on device");
    free(err);
    char *out = read_file(folder, "out");
    assert_contains_text(out, "usr\n"); /* ls's own output was not lost */
    free(out);
    /* The same through _exit (dash ends `sh -c` with it). */
    const char *shell[] = {DMM_RECORD, "-o", "/dev/full", "--", "/bin/sh", "-c", "echo hi", NULL};
    ck_assert_int_eq(run_in(folder, shell), 1);
    err = read_file(folder, "err");
    assert_contains_text(err, "dmm-record: /dev/full: No space left on device");
    free(err);
}
END_TEST

/* ---- the command line ----------------------------------------------------- */

START_TEST(test_default_file)
{
    const char *folder = fresh_folder();
    const char *argv[] = {DMM_RECORD, "--", DMM_RECORD_PROBE, "calls", NULL};
    ck_assert_int_eq(run_in(folder, argv), 0);
    struct trace trace = load(folder, "dmm.trace");
    trace_free(&trace);
}
END_TEST

/* Runs dmm-record with args; asserts the status and that stderr (or stdout
 * for --help) holds `says`. */
static void assert_refused(const char *const *argv, int status, const char *says)
{
    const char *folder = fresh_folder();
    ck_assert_int_eq(run_in(folder, argv), status);
    char *out = read_file(folder, status == 0 ? "out" : "err");
    ck_assert_msg(strstr(out, says) != NULL, "'%s' not in: %s", says, out);
    free(out);
}

START_TEST(test_errors)
{
    const char *help[] = {DMM_RECORD, "--help", NULL};
    assert_refused(help, 0, "usage: dmm-record [-o FILE] -- COMMAND");
    const char *nothing[] = {DMM_RECORD, NULL};
    assert_refused(nothing, 2, "no command");
    const char *no_command[] = {DMM_RECORD, "-o", "x.trace", "--", NULL};
    assert_refused(no_command, 2, "no command");
    const char *unknown[] = {DMM_RECORD, "--bogus", "--", "true", NULL};
    assert_refused(unknown, 2, "unknown option '--bogus'");
    const char *no_dash[] = {DMM_RECORD, "true", NULL};
    assert_refused(no_dash, 2, "expected '-- COMMAND");
    const char *no_file[] = {DMM_RECORD, "-o", NULL};
    assert_refused(no_file, 2, "-o needs a file name");
    const char *bad_folder[] = {DMM_RECORD, "-o", "/nonexistent/folder/t.trace", "--", "true", NULL};
    assert_refused(bad_folder, 2, "No such file or directory");

    const char *folder = fresh_folder();
    const char *missing[] = {DMM_RECORD, "-o", "t.trace", "--", "/nonexistent/program", NULL};
    ck_assert_int_eq(run_in(folder, missing), 127);
    ck_assert_ptr_null(read_file(folder, "t.trace")); /* nothing ran: no trace left */
}
END_TEST

int main(void)
{
    Suite *suite = suite_create("record");
    TCase *programs = tcase_create("programs");
    tcase_add_test(programs, test_ls);
    tcase_add_test(programs, test_sort);
    tcase_add_test(programs, test_python);
    tcase_add_test(programs, test_exec_keeps_recording);
    tcase_set_timeout(programs, 60);
    suite_add_tcase(suite, programs);
    TCase *calls = tcase_create("calls");
    tcase_add_test(calls, test_calls);
    tcase_add_test(calls, test_threads);
    tcase_add_test(calls, test_fork);
    tcase_add_test(calls, test_exit);
    tcase_add_test(calls, test_cut_short_by_a_signal);
    tcase_add_test(calls, test_full_disk);
    tcase_set_timeout(calls, 60);
    suite_add_tcase(suite, calls);
    TCase *command_line = tcase_create("command line");
    tcase_add_test(command_line, test_default_file);
    tcase_add_test(command_line, test_errors);
    tcase_set_timeout(command_line, 60);
    suite_add_tcase(suite, command_line);
    SRunner *runner = srunner_create(suite);
    srunner_run_all(runner, CK_NORMAL);
    int failed = srunner_ntests_failed(runner);
    srunner_free(runner);
    return failed == 0 ? EXIT_SUCCESS : EXIT_FAILURE;
}
