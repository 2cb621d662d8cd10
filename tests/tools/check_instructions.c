/*
 * check_instructions.c — the instruction count (harness/replay/instructions.c).
 *
 * The count is deterministic: two counts of the same pair are equal, to the
 * instruction. It is plausible: more than zero, and an allocator that
 * searches more costs more (list walks past hundreds of holes on
 * first-fit-worst.trace, bins takes one step). A module that does not
 * load, crashes or hangs gives FAIL, CRASH or TIMEOUT with the usual
 * message, and a machine with neither a counter nor valgrind says what to
 * install.
 *
 * This program is its own counting process: the count runs it again
 * (under valgrind) with the hidden flag, so main hands that to
 * instructions_child_main() first, as every tool's main does. The tests
 * force the callgrind counter (DMM_INSTRUCTIONS_METHOD), the one that is
 * exact; without valgrind they are skipped (exit 77).
 */
#define _GNU_SOURCE /* setenv */

#include "instructions.h"

#include <check.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

#define TRACE(name) DMM_SOURCE_DIR "/traces/" name ".trace"
#define TEST_MODULE(name) DMM_TEST_MODULE_DIR "/libdmm-" name ".so"
#define TIMEOUT_SECONDS 60.0 /* times INSTRUCTIONS_SLOWDOWN under callgrind */

static struct trace load(const char *path)
{
    struct trace trace;
    char error[512];
    ck_assert_msg(trace_load(path, &trace, error, sizeof error) == 0, "%s", error);
    return trace;
}

/* The count of allocator on the trace at path; the test fails unless OK. */
static struct instructions_count count_of(const char *allocator, const char *path)
{
    struct trace trace = load(path);
    struct instructions_count count;
    int done = instructions_measure(allocator, NULL, &trace, TIMEOUT_SECONDS, &count);
    ck_assert_msg(done == 0 && count.status == REPLAY_OK, "%s", count.message);
    ck_assert_uint_eq(count.ops, trace.op_count);
    trace_free(&trace);
    return count;
}

START_TEST(same_count_twice)
{
    struct instructions_count first = count_of("bins", TRACE("random-random"));
    struct instructions_count second = count_of("bins", TRACE("random-random"));
    ck_assert_uint_eq(first.instructions, second.instructions);
    /* A malloc or free of bins is tens of instructions, not thousands. */
    ck_assert_double_gt(first.per_op, 10.0);
    ck_assert_double_lt(first.per_op, 2000.0);
    ck_assert_double_eq(first.per_op, (double)first.instructions / (double)first.ops);
}
END_TEST

START_TEST(searching_costs_instructions)
{
    struct instructions_count list = count_of("list", TRACE("random-random"));
    struct instructions_count bins = count_of("bins", TRACE("random-random"));
    /* list walks its whole chunk list there, bins looks in one bin (685 and
     * 143 instructions per op when this was written). */
    ck_assert_msg(list.per_op > 3.0 * bins.per_op, "list %.1f, bins %.1f instructions/op",
                  list.per_op, bins.per_op);
}
END_TEST

START_TEST(side_by_side_changes_nothing)
{
    struct trace trace = load(TRACE("random-fixed"));
    static const char *const names[] = {"bins", "list", "pad", "bins"};
    struct instructions_task tasks[4];
    for (size_t i = 0; i < 4; i++)
        tasks[i] = (struct instructions_task){.allocator = names[i], .trace = &trace};
    ck_assert_uint_eq(instructions_measure_many(tasks, 4, 2, TIMEOUT_SECONDS, 0), 0);
    struct instructions_count alone = count_of("bins", TRACE("random-fixed"));
    ck_assert_uint_eq(tasks[0].count.instructions, alone.instructions);
    ck_assert_uint_eq(tasks[3].count.instructions, alone.instructions);
    ck_assert_uint_ne(tasks[1].count.instructions, alone.instructions);
    trace_free(&trace);
}
END_TEST

START_TEST(glibc_baseline_is_deterministic)
{
    char module[4096];
    snprintf(module, sizeof module, "%s/libdmm-glibc.so", DMM_MODULE_DIR);
    if (access(module, R_OK) != 0)
        return; /* not built here */
    struct instructions_count first = count_of("glibc", TRACE("realloc-growth"));
    struct instructions_count second = count_of("glibc", TRACE("realloc-growth"));
    ck_assert_uint_eq(first.instructions, second.instructions);
    ck_assert_double_gt(first.per_op, 10.0);
}
END_TEST

START_TEST(module_that_does_not_load)
{
    struct trace trace = load(TRACE("lecture-demo"));
    struct instructions_count count;
    ck_assert_int_eq(instructions_measure("/nonexistent/libdmm-x.so", NULL, &trace,
                                          TIMEOUT_SECONDS, &count), -1);
    ck_assert_int_eq(count.status, REPLAY_FAIL);
    ck_assert_msg(strstr(count.message, "cannot load allocator '/nonexistent/libdmm-x.so'") !=
                      NULL, "%s", count.message);
    ck_assert_msg(strstr(count.message, "on lecture-demo: ") != NULL, "%s", count.message);
    trace_free(&trace);
}
END_TEST

START_TEST(crash_is_reported)
{
    struct trace trace = load(TRACE("lifo-fixed"));
    struct instructions_count count;
    ck_assert_int_eq(instructions_measure(TEST_MODULE("crash"), NULL, &trace, TIMEOUT_SECONDS,
                                          &count), -1);
    ck_assert_int_eq(count.status, REPLAY_CRASH);
    ck_assert_msg(strstr(count.message, "crashed with SIGSEGV") != NULL, "%s", count.message);
    trace_free(&trace);
}
END_TEST

START_TEST(hang_times_out)
{
    struct trace trace = load(TRACE("lifo-fixed"));
    struct instructions_count count;
    /* 0.1 s, times the slowdown: 5 s for valgrind to start and hang */
    ck_assert_int_eq(instructions_measure(TEST_MODULE("hang"), NULL, &trace, 0.1, &count), -1);
    ck_assert_int_eq(count.status, REPLAY_TIMEOUT);
    ck_assert_msg(strstr(count.message, "no answer after 5 s in the instruction count") != NULL,
                  "%s", count.message);
    trace_free(&trace);
}
END_TEST

START_TEST(no_valgrind_says_what_to_install)
{
    setenv("PATH", "/nonexistent", 1);
    char error[512];
    ck_assert_int_eq(instructions_method(error, sizeof error), INSTRUCTIONS_NONE);
    ck_assert_msg(strstr(error, "--cost instructions: ") == error, "%s", error);
    ck_assert_msg(strstr(error, "apt-get install valgrind") != NULL, "%s", error);
    ck_assert_ptr_null(strchr(error, '\n'));

    struct trace trace = load(TRACE("lecture-demo"));
    struct instructions_count count;
    ck_assert_int_eq(instructions_measure("bins", NULL, &trace, TIMEOUT_SECONDS, &count), -1);
    ck_assert_int_eq(count.status, REPLAY_FAIL);
    ck_assert_msg(strstr(count.message, "valgrind") != NULL, "%s", count.message);
    trace_free(&trace);
}
END_TEST

START_TEST(unknown_method_is_refused)
{
    setenv("DMM_INSTRUCTIONS_METHOD", "cycles", 1);
    char error[512];
    ck_assert_int_eq(instructions_method(error, sizeof error), INSTRUCTIONS_NONE);
    ck_assert_msg(strstr(error, "'cycles'") != NULL, "%s", error);
}
END_TEST

#ifdef DMM_REPLAY
/* Runs dmm-replay with args (and the shell's variable assignments in env
 * before it); its stdout and stderr into out[size], its exit status
 * returned. */
static int run_with(const char *env, const char *args, char *out, size_t size)
{
    char command[2048];
    snprintf(command, sizeof command, "%s '%s' %s 2>&1", env, DMM_REPLAY, args);
    FILE *pipe = popen(command, "r");
    ck_assert_ptr_nonnull(pipe);
    size_t used = fread(out, 1, size - 1, pipe);
    out[used] = '\0';
    int status = pclose(pipe);
    return WIFEXITED(status) ? WEXITSTATUS(status) : -1;
}

static int run_replay(const char *args, char *out, size_t size)
{
    return run_with("", args, out, size);
}

/* The field of a CSV line (no quoted field in it) under column `index`;
 * "" when the line is shorter. Cuts line at the field's end. */
static const char *field_at(char *line, size_t index)
{
    for (size_t i = 0; i < index && line != NULL; i++) {
        line = strchr(line, ',');
        line = line != NULL ? line + 1 : NULL;
    }
    if (line == NULL)
        return "";
    line[strcspn(line, ",")] = '\0';
    return line;
}

/* The 0-based index of column name in a CSV header line. */
static size_t column_index(const char *header, const char *name)
{
    size_t index = 0, length = strlen(name);
    for (const char *p = header; p != NULL; p = strchr(p, ','), p = p ? p + 1 : NULL, index++)
        if (strncmp(p, name, length) == 0 && (p[length] == ',' || p[length] == '\0'))
            return index;
    ck_abort_msg("no column %s in %s", name, header);
    return 0;
}

START_TEST(replay_reports_instr_per_op)
{
    static char out[1 << 16];
    ck_assert_int_eq(run_replay("-q --cost instructions --repeat 1 -a bins --csv - "
                                TRACE("random-random") " " TRACE("random-random"),
                                out, sizeof out), 0);
    char *header = out;
    char *row1 = strchr(header, '\n');
    ck_assert_ptr_nonnull(row1);
    *row1++ = '\0';
    char *row2 = strchr(row1, '\n');
    ck_assert_ptr_nonnull(row2);
    *row2++ = '\0';
    char *end = strchr(row2, '\n');
    if (end != NULL)
        *end = '\0';
    size_t column = column_index(header, "instr_per_op");
    /* The same pair twice: the same count. */
    const char *count1 = field_at(row1, column), *count2 = field_at(row2, column);
    ck_assert_str_eq(count1, count2);
    ck_assert_double_gt(strtod(count1, NULL), 10.0);

    /* Without --cost instructions the column is there, empty. */
    ck_assert_int_eq(run_replay("-q --repeat 0 -a bins --csv - " TRACE("lecture-demo"), out,
                                sizeof out), 0);
    char *row = strchr(out, '\n');
    ck_assert_ptr_nonnull(row);
    *row++ = '\0';
    column = column_index(out, "instr_per_op");
    ck_assert_str_eq(field_at(row, column), "");
}
END_TEST

START_TEST(replay_refuses_an_unknown_cost)
{
    static char out[4096];
    ck_assert_int_eq(run_replay("--cost cycles " TRACE("lecture-demo"), out, sizeof out), 2);
    ck_assert_msg(strncmp(out, "dmm-replay: --cost 'cycles': want time or instructions\n",
                          55) == 0, "%s", out);

    /* No counter and no valgrind: one line naming what to install, nothing run. */
    ck_assert_int_eq(run_with("PATH=/nonexistent",
                              "--cost instructions -a bins " TRACE("lecture-demo"), out,
                              sizeof out), 2);
    ck_assert_msg(strstr(out, "apt-get install valgrind") != NULL, "%s", out);
    ck_assert_ptr_eq(strchr(out, '\n'), out + strlen(out) - 1); /* one line */
}
END_TEST
#endif

int main(int argc, char **argv)
{
    instructions_child_main(argc, argv); /* the counting process: does not return */

    setenv("DMM_INSTRUCTIONS_METHOD", "callgrind", 1);
    char error[512];
    if (instructions_method(error, sizeof error) != INSTRUCTIONS_CALLGRIND) {
        printf("skipped: %s\n", error);
        return 77;
    }
    Suite *suite = suite_create("instructions");
    TCase *counts = tcase_create("counts");
    tcase_set_timeout(counts, 600);
    tcase_add_test(counts, same_count_twice);
    tcase_add_test(counts, searching_costs_instructions);
    tcase_add_test(counts, side_by_side_changes_nothing);
    tcase_add_test(counts, glibc_baseline_is_deterministic);
    tcase_add_test(counts, module_that_does_not_load);
    tcase_add_test(counts, crash_is_reported);
    tcase_add_test(counts, hang_times_out);
    tcase_add_test(counts, no_valgrind_says_what_to_install);
    tcase_add_test(counts, unknown_method_is_refused);
#ifdef DMM_REPLAY
    tcase_add_test(counts, replay_reports_instr_per_op);
    tcase_add_test(counts, replay_refuses_an_unknown_cost);
#endif
    suite_add_tcase(suite, counts);
    SRunner *runner = srunner_create(suite);
    srunner_run_all(runner, CK_NORMAL);
    int failed = srunner_ntests_failed(runner);
    srunner_free(runner);
    return failed == 0 ? EXIT_SUCCESS : EXIT_FAILURE;
}
