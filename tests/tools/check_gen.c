/*
 * check_gen.c — dmm-gen (harness/tools/gen/gen.c), run as a program: every pattern
 * writes a trace that the parser accepts, that frees every block, and that
 * the same arguments reproduce byte for byte; bad arguments are refused
 * with exit status 2 and one line naming the problem.
 *
 * The generator's path is DMM_GEN (the build's dmm-gen). It is started with
 * posix_spawn, its standard output read through a pipe, its standard error
 * kept in a temporary file.
 */
#define _POSIX_C_SOURCE 200809L /* posix_spawn, waitpid, fileno */

#include "trace.h"

#include "testlib.h" /* require() only: this suite links no allocator */

#include <check.h>
#include <spawn.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

extern char **environ;

/* Small enough that a run takes milliseconds, large enough for every
 * pattern to do several rounds of its construction. */
#define SMALL_OPS 400
#define SMALL_OPS_TEXT "400"
#define MAX_ARGS 32

/* The patterns dmm-gen must offer, in --list's order. */
static const char *const pattern_names[] = {
    "lifo-fixed", "fifo-fixed", "lifo-random", "fifo-random", "random-fixed", "random-random",
    "first-fit-worst", "coalesce", "realloc-growth", "calloc", "scaling", "large-holes",
};
#define PATTERN_COUNT ((int)(sizeof pattern_names / sizeof pattern_names[0]))

/* Patterns with no random choice at all: the seed must not change their ops. */
static int ignores_seed(const char *name)
{
    return strcmp(name, "lifo-fixed") == 0 || strcmp(name, "fifo-fixed") == 0 ||
           strcmp(name, "first-fit-worst") == 0;
}

/* ---- running dmm-gen ----------------------------------------------------- */

struct run {
    int status;   /* exit status; -1 when a signal ended it */
    char *out;    /* standard output, NUL-terminated */
    size_t out_length;
    char *err;    /* standard error, NUL-terminated */
};

static char *read_all(int fd, size_t *length)
{
    size_t capacity = 65536, used = 0;
    char *text = malloc(capacity + 1);
    ck_assert_ptr_nonnull(text);
    for (;;) {
        if (used == capacity) {
            capacity *= 2;
            text = realloc(text, capacity + 1);
            ck_assert_ptr_nonnull(text);
        }
        ssize_t got = read(fd, text + used, capacity - used);
        ck_assert_int_ge(got, 0);
        if (got == 0)
            break;
        used += (size_t)got;
    }
    text[used] = '\0';
    *length = used;
    return text;
}

/* Runs dmm-gen with args (NULL-terminated, without the program). */
static struct run run_gen(const char *const *args)
{
    const char *argv[MAX_ARGS + 2] = {DMM_GEN};
    for (int i = 0; args[i] != NULL; i++) {
        ck_assert_int_lt(i, MAX_ARGS);
        argv[i + 1] = args[i];
    }
    int out_pipe[2];
    ck_assert_int_eq(pipe(out_pipe), 0);
    FILE *err_file = tmpfile();
    ck_assert_ptr_nonnull(err_file);

    posix_spawn_file_actions_t actions;
    posix_spawn_file_actions_init(&actions);
    posix_spawn_file_actions_adddup2(&actions, out_pipe[1], STDOUT_FILENO);
    posix_spawn_file_actions_adddup2(&actions, fileno(err_file), STDERR_FILENO);
    posix_spawn_file_actions_addclose(&actions, out_pipe[0]);
    pid_t pid;
    int spawned = posix_spawn(&pid, DMM_GEN, &actions, NULL, (char *const *)argv, environ);
    posix_spawn_file_actions_destroy(&actions);
    ck_assert_msg(spawned == 0, "cannot start %s", DMM_GEN);
    close(out_pipe[1]);

    struct run run;
    run.out = read_all(out_pipe[0], &run.out_length);
    close(out_pipe[0]);
    int wait_status;
    ck_assert_int_eq(waitpid(pid, &wait_status, 0), pid);
    run.status = WIFEXITED(wait_status) ? WEXITSTATUS(wait_status) : -1;
    size_t err_length;
    rewind(err_file);
    run.err = read_all(fileno(err_file), &err_length);
    fclose(err_file);
    return run;
}

#define GEN(...) run_gen((const char *const[]){__VA_ARGS__, NULL})

static void run_free(struct run *run)
{
    free(run->out);
    free(run->err);
}

/* Asserts a clean run and parses its output. */
static struct trace parse_run(const struct run *run, const char *what)
{
    ck_assert_msg(run->status == 0, "%s: exit status %d, stderr: %s", what, run->status,
                  run->err);
    ck_assert_msg(run->err[0] == '\0', "%s wrote to stderr: %s", what, run->err);
    struct trace trace;
    char error[512];
    int parsed = trace_parse(what, run->out, run->out_length, &trace, error, sizeof error);
    ck_assert_msg(parsed == 0, "%s: the trace does not parse: %s", what, error);
    return trace;
}

/* The number after "# Ops: " in the header. */
static unsigned long header_ops(const char *text)
{
    const char *line = strstr(text, "# Ops: ");
    ck_assert_msg(line != NULL, "no '# Ops:' line in the header");
    return strtoul(line + strlen("# Ops: "), NULL, 10);
}

/* The output after the header comment: the operations only. */
static const char *operations(const char *text)
{
    const char *first = strstr(text, "\n\n");
    ck_assert_ptr_nonnull(first);
    return first + 2;
}

/* Follows the trace's live set; 1 when nothing is live at the end. */
static int frees_everything(const struct trace *trace)
{
    unsigned char *live = calloc(trace->slot_count + 1, 1);
    ck_assert_ptr_nonnull(live);
    for (size_t i = 0; i < trace->op_count; i++) {
        const struct trace_op *op = &trace->ops[i];
        if (op->kind == 'f') {
            if (op->slot != TRACE_NO_SLOT)
                live[op->slot] = 0;
        } else {
            live[op->slot] = !(op->kind == 'r' && live[op->slot] && op->size == 0);
        }
    }
    size_t still_live = 0;
    for (size_t s = 0; s < trace->slot_count; s++)
        still_live += live[s];
    free(live);
    return still_live == 0;
}

/* ---- every pattern -------------------------------------------------------- */

START_TEST(test_list_names_every_pattern)
{
    struct run run = GEN("--list");
    ck_assert_int_eq(run.status, 0);
    char expected[1024] = "";
    for (int i = 0; i < PATTERN_COUNT; i++) {
        strcat(expected, pattern_names[i]);
        strcat(expected, "\n");
    }
    ck_assert_str_eq(run.out, expected);
    run_free(&run);
}
END_TEST

START_TEST(test_help_documents_patterns_and_options)
{
    struct run run = GEN("--help");
    ck_assert_int_eq(run.status, 0);
    const char *words[] = {"--ops", "--min-size", "--max-size", "--seed", "--live", "-o",
                           "--list", "Exit status"};
    for (size_t i = 0; i < sizeof words / sizeof words[0]; i++)
        ck_assert_msg(strstr(run.out, words[i]) != NULL, "--help does not mention %s", words[i]);
    for (int i = 0; i < PATTERN_COUNT; i++)
        ck_assert_msg(strstr(run.out, pattern_names[i]) != NULL, "--help does not mention %s",
                      pattern_names[i]);
    run_free(&run);
}
END_TEST

/* Loop test over pattern_names: the output parses, has about the ops asked
 * for (the header says exactly how many), and frees every block. */
START_TEST(test_pattern_writes_a_valid_trace)
{
    const char *name = pattern_names[_i];
    struct run run = GEN(name, "--ops", SMALL_OPS_TEXT);
    struct trace trace = parse_run(&run, name);
    ck_assert_msg(trace.op_count <= SMALL_OPS && trace.op_count >= SMALL_OPS * 9 / 10,
                  "%s: %zu ops for --ops %d", name, trace.op_count, SMALL_OPS);
    ck_assert_uint_eq(header_ops(run.out), trace.op_count);
    ck_assert_msg(strstr(run.out, "# Purpose: ") != NULL, "%s: no purpose line", name);
    ck_assert_msg(frees_everything(&trace), "%s: blocks are still live at the end", name);
    trace_free(&trace);
    run_free(&run);
}
END_TEST

START_TEST(test_pattern_is_deterministic)
{
    const char *name = pattern_names[_i];
    struct run first = GEN(name, "--ops", SMALL_OPS_TEXT, "--seed", "7");
    struct run second = GEN(name, "--ops", SMALL_OPS_TEXT, "--seed", "7");
    struct run other = GEN(name, "--ops", SMALL_OPS_TEXT, "--seed", "8");
    ck_assert_int_eq(first.status, 0);
    ck_assert_int_eq(other.status, 0);
    ck_assert_uint_eq(first.out_length, second.out_length);
    ck_assert_msg(memcmp(first.out, second.out, first.out_length) == 0,
                  "%s: two runs with the same arguments differ", name);
    int same_ops = strcmp(operations(first.out), operations(other.out)) == 0;
    if (ignores_seed(name))
        ck_assert_msg(same_ops, "%s: has no random choice, yet the seed changed it", name);
    else
        ck_assert_msg(!same_ops, "%s: seeds 7 and 8 give the same operations", name);
    run_free(&first);
    run_free(&second);
    run_free(&other);
}
END_TEST

/* The header's "Made by" command, run again, gives the same bytes. */
START_TEST(test_header_command_recreates_the_trace)
{
    const char *name = pattern_names[_i];
    struct run run = GEN(name, "--ops", SMALL_OPS_TEXT, "--max-size", "300", "--seed", "42");
    ck_assert_int_eq(run.status, 0);
    const char *prefix = "# Made by: dmm-gen ";
    ck_assert_msg(strncmp(run.out, prefix, strlen(prefix)) == 0, "%s: first line is not '%s'",
                  name, prefix);
    char command[512];
    size_t length = strcspn(run.out + strlen(prefix), "\n");
    ck_assert_uint_lt(length, sizeof command);
    memcpy(command, run.out + strlen(prefix), length);
    command[length] = '\0';
    const char *args[MAX_ARGS + 1];
    int count = 0;
    for (char *word = strtok(command, " "); word != NULL; word = strtok(NULL, " ")) {
        ck_assert_int_lt(count, MAX_ARGS);
        args[count++] = word;
    }
    args[count] = NULL;
    struct run again = run_gen(args);
    ck_assert_int_eq(again.status, 0);
    ck_assert_msg(again.out_length == run.out_length &&
                      memcmp(again.out, run.out, run.out_length) == 0,
                  "%s: the header's command gives different output", name);
    run_free(&again);
    run_free(&run);
}
END_TEST

/* ---- what single patterns promise ---------------------------------------- */

/* lifo-*: N mallocs, then frees newest first; fifo-*: oldest first. */
static void check_free_order(const char *name, int newest_first, int fixed)
{
    struct run run = GEN(name, "--ops", SMALL_OPS_TEXT);
    struct trace trace = parse_run(&run, name);
    size_t n = trace.op_count / 2;
    ck_assert_uint_eq(trace.op_count, SMALL_OPS);
    for (size_t i = 0; i < n; i++) {
        const struct trace_op *op = &trace.ops[i], *freed = &trace.ops[n + i];
        require(op->kind == 'a', "%s: op %zu is not a malloc", name, i + 1);
        require(!fixed || op->size == 64, "%s: op %zu: size %zu, not 64", name, i + 1,
                op->size);
        size_t expected = newest_first ? n - 1 - i : i;
        require(freed->kind == 'f' && trace.slot_ids[freed->slot] == trace.slot_ids[expected],
                "%s: free number %zu is not of block %zu", name, i + 1, expected);
    }
    trace_free(&trace);
    run_free(&run);
}

START_TEST(test_lifo_frees_newest_first)
{
    check_free_order("lifo-fixed", 1, 1);
    check_free_order("lifo-random", 1, 0);
}
END_TEST

START_TEST(test_fifo_frees_oldest_first)
{
    check_free_order("fifo-fixed", 0, 1);
    check_free_order("fifo-random", 0, 0);
}
END_TEST

/* Every size asked for lies in [--min-size, --max-size] (for calloc,
 * nmemb * size) wherever the pattern's sizes are drawn from that range. */
START_TEST(test_sizes_stay_in_range)
{
    const char *names[] = {"lifo-random", "fifo-random", "random-random", "scaling", "calloc"};
    for (size_t n = 0; n < sizeof names / sizeof names[0]; n++) {
        struct run run = GEN(names[n], "--ops", SMALL_OPS_TEXT, "--min-size", "100",
                             "--max-size", "130");
        struct trace trace = parse_run(&run, names[n]);
        int below = 0, above = 0; /* sizes seen near each end: the range is used */
        for (size_t i = 0; i < trace.op_count; i++) {
            const struct trace_op *op = &trace.ops[i];
            if (op->kind == 'f')
                continue;
            size_t bytes = op->kind == 'c' ? op->nmemb * op->size : op->size;
            require(bytes >= 100 && bytes <= 130, "%s: op %zu asks for %zu bytes", names[n],
                    i + 1, bytes);
            below |= bytes < 110;
            above |= bytes > 120;
        }
        ck_assert_msg(below && above, "%s: sizes do not spread over the range", names[n]);
        trace_free(&trace);
        run_free(&run);
    }
}
END_TEST

START_TEST(test_scaling_keeps_live_blocks)
{
    struct run run = GEN("scaling", "--ops", "1000", "--live", "123");
    struct trace trace = parse_run(&run, "scaling");
    size_t live = 0, peak = 0;
    for (size_t i = 0; i < trace.op_count; i++) {
        live += trace.ops[i].kind == 'a';
        live -= trace.ops[i].kind == 'f';
        peak = live > peak ? live : peak;
        /* In the steady phase, each free is followed by a malloc. */
        if (i >= 123 && i + 123 < trace.op_count && live == 122)
            require(trace.ops[i + 1].kind == 'a', "op %zu: a free not followed by a malloc",
                    i + 1);
    }
    ck_assert_uint_eq(peak, 123);
    ck_assert_uint_eq(trace.op_count, 1000);
    trace_free(&trace);
    run_free(&run);
}
END_TEST

/* Holes of --min-size are freed with their guards still live, before any
 * request of --max-size arrives. */
START_TEST(test_first_fit_worst_frees_holes_before_the_stream)
{
    struct run run = GEN("first-fit-worst", "--ops", "800", "--min-size", "24",
                         "--max-size", "200");
    struct trace trace = parse_run(&run, "first-fit-worst");
    size_t i = 0, holes = 0;
    while (trace.ops[i].kind == 'a' && trace.ops[i].size == 24)
        i++;
    ck_assert_uint_eq(i, 2 * (800 / 8)); /* the holes and their guards */
    for (; trace.ops[i].kind == 'f'; i++, holes++)
        require(trace.slot_ids[trace.ops[i].slot] % 2 == 0, "op %zu frees a guard", i + 1);
    ck_assert_uint_eq(holes, 800 / 8);
    for (; i < trace.op_count; i++)
        require(trace.ops[i].kind == 'f' || trace.ops[i].size == 200,
                "op %zu: the stream asks for %zu bytes", i + 1, trace.ops[i].size);
    trace_free(&trace);
    run_free(&run);
}
END_TEST

/* large-holes: N (hole, guard) pairs, holes of [min, max] bytes and 16-byte
 * guards; then every hole is freed while its guard stays; then requests of
 * 2 * max bytes, none freed before the last one is made (each must walk
 * every hole); then the frees. */
START_TEST(test_large_holes_are_all_free_before_the_requests)
{
    struct run run = GEN("large-holes", "--ops", "1000", "--live", "100", "--min-size", "1100",
                         "--max-size", "2000");
    struct trace trace = parse_run(&run, "large-holes");
    ck_assert_uint_eq(trace.op_count, 1000);
    size_t i = 0;
    int below = 0, above = 0; /* hole sizes near each end: the range is used */
    for (; i < 200; i += 2) {
        const struct trace_op *hole = &trace.ops[i], *guard = &trace.ops[i + 1];
        require(hole->kind == 'a' && hole->size >= 1100 && hole->size <= 2000,
                "op %zu is not a hole of 1100..2000 bytes", i + 1);
        require(guard->kind == 'a' && guard->size == 16, "op %zu is not a 16-byte guard", i + 2);
        below |= hole->size < 1300;
        above |= hole->size > 1800;
    }
    ck_assert_msg(below && above, "hole sizes do not spread over 1100..2000");
    for (; i < 300; i++)
        require(trace.ops[i].kind == 'f' && trace.slot_ids[trace.ops[i].slot] % 2 == 0,
                "op %zu does not free a hole", i + 1);
    size_t requests = 0;
    for (; i < trace.op_count && trace.ops[i].kind == 'a'; i++, requests++)
        require(trace.ops[i].size == 4000, "op %zu: a request of %zu bytes, not 4000", i + 1,
                trace.ops[i].size);
    ck_assert_uint_eq(requests, (1000 - 400) / 2); /* the rest of the budget */
    for (; i < trace.op_count; i++)
        require(trace.ops[i].kind == 'f', "op %zu: a malloc after the requests", i + 1);
    trace_free(&trace);
    run_free(&run);
}
END_TEST

/* Each refill asks for three times the size of the run it follows. */
START_TEST(test_coalesce_refills_three_neighbours)
{
    struct run run = GEN("coalesce", "--ops", "1000");
    struct trace trace = parse_run(&run, "coalesce");
    size_t run_size = 0, refills = 0;
    int refilling = 0; /* the refills of a round follow its frees, one after another */
    for (size_t i = 0; i < trace.op_count; i++) {
        const struct trace_op *op = &trace.ops[i];
        if (op->kind != 'a')
            continue;
        int after_a_free = i > 0 && trace.ops[i - 1].kind == 'f'; /* the first op follows none */
        if ((after_a_free || refilling) && op->size == 3 * run_size) {
            refills++;
            refilling = 1;
        } else {
            run_size = op->size;
            refilling = 0;
        }
    }
    /* One refill per run, and a run costs 10 operations. */
    ck_assert_uint_ge(refills, 1000 / 10 - 10);
    ck_assert_uint_le(refills, 1000 / 10);
    trace_free(&trace);
    run_free(&run);
}
END_TEST

START_TEST(test_realloc_growth_is_mostly_realloc)
{
    struct run run = GEN("realloc-growth", "--ops", "2000", "--max-size", "512");
    struct trace trace = parse_run(&run, "realloc-growth");
    size_t reallocs = 0, to_zero = 0;
    for (size_t i = 0; i < trace.op_count; i++) {
        reallocs += trace.ops[i].kind == 'r';
        to_zero += trace.ops[i].kind == 'r' && trace.ops[i].size == 0;
    }
    ck_assert_uint_ge(reallocs, trace.op_count / 2);
    ck_assert_uint_ge(to_zero, 1);
    trace_free(&trace);
    run_free(&run);
}
END_TEST

START_TEST(test_calloc_has_empty_arrays_both_ways)
{
    struct run run = GEN("calloc", "--ops", "4000", "--max-size", "64");
    struct trace trace = parse_run(&run, "calloc");
    size_t callocs = 0, mallocs = 0, zero_members = 0, zero_size = 0;
    for (size_t i = 0; i < trace.op_count; i++) {
        const struct trace_op *op = &trace.ops[i];
        mallocs += op->kind == 'a';
        callocs += op->kind == 'c';
        zero_members += op->kind == 'c' && op->nmemb == 0;
        zero_size += op->kind == 'c' && op->size == 0;
    }
    ck_assert_uint_gt(callocs, 2 * mallocs);
    ck_assert_uint_ge(mallocs, 1);
    ck_assert_uint_ge(zero_members, 1);
    ck_assert_uint_ge(zero_size, 1);
    trace_free(&trace);
    run_free(&run);
}
END_TEST

START_TEST(test_output_file_holds_the_same_bytes)
{
    char path[] = "/tmp/check_gen_XXXXXX";
    int fd = mkstemp(path);
    ck_assert_int_ge(fd, 0);
    close(fd);
    struct run to_file = GEN("random-random", "--ops", SMALL_OPS_TEXT, "-o", path);
    struct run to_stdout = GEN("random-random", "--ops", SMALL_OPS_TEXT);
    ck_assert_int_eq(to_file.status, 0);
    ck_assert_uint_eq(to_file.out_length, 0);
    FILE *file = fopen(path, "r");
    ck_assert_ptr_nonnull(file);
    size_t length;
    char *text = read_all(fileno(file), &length);
    fclose(file);
    unlink(path);
    ck_assert_msg(length == to_stdout.out_length && memcmp(text, to_stdout.out, length) == 0,
                  "-o wrote other bytes than standard output");
    free(text);
    run_free(&to_file);
    run_free(&to_stdout);
}
END_TEST

/* ---- refusing bad arguments ---------------------------------------------- */

struct bad_case {
    const char *args[8];  /* NULL-terminated */
    const char *message;  /* a part of the one-line message */
};

static const struct bad_case bad_cases[] = {
    {{NULL}, "no pattern"},
    {{"nosuch"}, "unknown pattern 'nosuch'"},
    {{"lifo-fixed", "fifo-fixed"}, "one pattern only"},
    {{"lifo-fixed", "--frob"}, "unknown option '--frob'"},
    {{"lifo-fixed", "--ops"}, "--ops needs a value"},
    {{"lifo-fixed", "--ops", "abc"}, "'abc' is not a number"},
    {{"lifo-fixed", "--ops", "-5"}, "'-5' is not a number"},
    {{"lifo-fixed", "--ops", ""}, "missing"},
    {{"lifo-fixed", "--ops", "5"}, "out of range"},
    {{"lifo-fixed", "--ops=99999999999999999999999"}, "out of range"},
    {{"lifo-fixed", "--seed", "18446744073709551616"}, "out of range"},
    {{"lifo-fixed", "--max-size", "2000000000"}, "out of range"},
    {{"lifo-random", "--min-size", "100", "--max-size", "10"}, "above --max-size"},
    {{"first-fit-worst", "--min-size", "300"}, "must be larger"},
    {{"lifo-fixed", "--live", "10"}, "only to the scaling"},
    {{"scaling", "--ops", "100", "--live", "50"}, "too small"},
    {{"large-holes", "--ops", "100", "--live", "25"}, "too small"},
};
#define BAD_CASES ((int)(sizeof bad_cases / sizeof bad_cases[0]))

START_TEST(test_bad_arguments_exit_2_with_one_line)
{
    const struct bad_case *bad = &bad_cases[_i];
    struct run run = run_gen(bad->args);
    ck_assert_msg(run.status == 2, "case %d (%s): exit status %d", _i, bad->message, run.status);
    ck_assert_uint_eq(run.out_length, 0);
    ck_assert_msg(strncmp(run.err, "dmm-gen: ", 9) == 0, "case %d: message '%s'", _i, run.err);
    ck_assert_msg(strstr(run.err, bad->message) != NULL, "case %d: '%s' does not say '%s'", _i,
                  run.err, bad->message);
    char *newline = strchr(run.err, '\n');
    ck_assert_msg(newline != NULL && newline[1] == '\0', "case %d: not one line: '%s'", _i,
                  run.err);
    run_free(&run);
}
END_TEST

START_TEST(test_unwritable_output_exits_1)
{
    struct run run = GEN("lifo-fixed", "--ops", SMALL_OPS_TEXT, "-o", "/nonexistent/x.trace");
    ck_assert_int_eq(run.status, 1);
    ck_assert_msg(strstr(run.err, "cannot write '/nonexistent/x.trace'") != NULL, "message: %s",
                  run.err);
    run_free(&run);
}
END_TEST

int main(void)
{
    Suite *suite = suite_create("dmm-gen");
    TCase *patterns = tcase_create("every pattern");
    tcase_set_timeout(patterns, 60);
    tcase_add_test(patterns, test_list_names_every_pattern);
    tcase_add_test(patterns, test_help_documents_patterns_and_options);
    tcase_add_loop_test(patterns, test_pattern_writes_a_valid_trace, 0, PATTERN_COUNT);
    tcase_add_loop_test(patterns, test_pattern_is_deterministic, 0, PATTERN_COUNT);
    tcase_add_loop_test(patterns, test_header_command_recreates_the_trace, 0, PATTERN_COUNT);
    suite_add_tcase(suite, patterns);

    TCase *single = tcase_create("single patterns");
    tcase_set_timeout(single, 60);
    tcase_add_test(single, test_lifo_frees_newest_first);
    tcase_add_test(single, test_fifo_frees_oldest_first);
    tcase_add_test(single, test_sizes_stay_in_range);
    tcase_add_test(single, test_scaling_keeps_live_blocks);
    tcase_add_test(single, test_first_fit_worst_frees_holes_before_the_stream);
    tcase_add_test(single, test_large_holes_are_all_free_before_the_requests);
    tcase_add_test(single, test_coalesce_refills_three_neighbours);
    tcase_add_test(single, test_realloc_growth_is_mostly_realloc);
    tcase_add_test(single, test_calloc_has_empty_arrays_both_ways);
    tcase_add_test(single, test_output_file_holds_the_same_bytes);
    suite_add_tcase(suite, single);

    TCase *errors = tcase_create("bad arguments");
    tcase_set_timeout(errors, 60);
    tcase_add_loop_test(errors, test_bad_arguments_exit_2_with_one_line, 0, BAD_CASES);
    tcase_add_test(errors, test_unwritable_output_exits_1);
    suite_add_tcase(suite, errors);

    SRunner *runner = srunner_create(suite);
    srunner_run_all(runner, CK_NORMAL);
    int failed = srunner_ntests_failed(runner);
    srunner_free(runner);
    return failed == 0 ? EXIT_SUCCESS : EXIT_FAILURE;
}
