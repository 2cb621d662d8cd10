/*
 * check_predict.c — dmm-predict-NAME (harness/lecture/predict.c) against
 * the allocator it is built with, linked into this test too.
 *
 * The right answers are computed here a second way, without the tool's
 * code: the test replays the same trace on the same allocator in this
 * process, walks the heap before and after each operation with a visitor of
 * its own, and reads off which chunk holds each returned block, whether the
 * heap grew, the step counters and what each free merged. Then:
 *   - the answer key (--reveal --ask all) lists exactly those answers, on the
 *     lecture's demo sequence (which must be traces/lecture-demo.trace) and on
 *     every trace of traces/exercises/;
 *   - an answers file of those answers scores N of N, each marked right;
 *   - an answers file of wrong answers scores 0 of N, each reveal showing the
 *     right answer and what was said;
 *   - bad answers files, bad options and a bad trace stop with exit 2 and a
 *     message naming the file and line; the end of input ends politely.
 * DMM_POLICY in the environment (tests/predict.cmake sets it for some runs)
 * reaches both this process's allocator and the tool's.
 */
#define _POSIX_C_SOURCE 200809L /* mkdtemp, fork, dup2 */

#include "dmm.h"

#include "lecture_demo.h"
#include "suite.h"
#include "testfile.h"
#include "trace.h"

#include <check.h>
#include <dirent.h>
#include <fcntl.h>
#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

#define MAX_CHUNKS 4096
#define MAX_ANSWERS 512
#define ANSWER_TEXT 24 /* "18446744073709551615" fits */

/* ---- the answers, computed here ------------------------------------------------ */

struct walk {
    uintptr_t start[MAX_CHUNKS];
    size_t size[MAX_CHUNKS];
    size_t count;
};

static void visit(const struct dmm_chunk_info *chunk, void *arg)
{
    struct walk *walk = arg;
    require(walk->count < MAX_CHUNKS, "more than %d chunks", MAX_CHUNKS);
    walk->start[walk->count] = (uintptr_t)chunk->start;
    walk->size[walk->count++] = chunk->size;
}

static void take_walk(struct walk *walk)
{
    walk->count = 0;
    const char *problem = dmm_check(visit, walk);
    require(problem == NULL, "heap checker: %s", problem);
}

/* The chunk holding address a, or -1. */
static long chunk_of(const struct walk *walk, uintptr_t a)
{
    for (size_t i = 0; i < walk->count; i++)
        if (a >= walk->start[i] && a < walk->start[i] + walk->size[i])
            return (long)i;
    return -1;
}

struct key {
    char answer[MAX_ANSWERS][ANSWER_TEXT]; /* "3", "new", "prev", ... in the order asked */
    size_t count;
};

static void add(struct key *key, const char *answer)
{
    require(key->count < MAX_ANSWERS, "more than %d answers", MAX_ANSWERS);
    snprintf(key->answer[key->count++], sizeof key->answer[0], "%s", answer);
}

/* Replays the trace on this process's allocator and writes down the answers
 * to --ask all: where then steps before a new or resized block, coalesce then
 * steps before a free. */
static void compute_key(const struct trace *trace, struct key *key)
{
    static struct walk before, after;
    void **blocks = calloc(trace->slot_count + 1, sizeof *blocks);
    ck_assert_ptr_nonnull(blocks);
    key->count = 0;
    dmm_reset();
    take_walk(&before);
    for (size_t i = 0; i < trace->op_count; i++) {
        const struct trace_op *op = &trace->ops[i];
        void **block = op->slot == TRACE_NO_SLOT ? NULL : &blocks[op->slot];
        int frees = op->kind == 'f' ? block != NULL
                                    : op->kind == 'r' && *block != NULL && op->size == 0;
        int allocates = op->kind != 'f' && !frees;
        uintptr_t freed_start = 0, freed_end = 0;
        if (frees) {
            long c = chunk_of(&before, (uintptr_t)*block);
            require(c >= 0, "op %zu: the block to free is in no chunk", i + 1);
            freed_start = before.start[c];
            freed_end = freed_start + before.size[c];
        }
        struct dmm_stats s0, s1;
        dmm_stats(&s0);
        switch (op->kind) {
        case 'a': *block = dmm_malloc(op->size); break;
        case 'c': *block = dmm_calloc(op->nmemb, op->size); break;
        case 'r': *block = dmm_realloc(*block, op->size); break;
        default:
            if (block != NULL) {
                dmm_free(*block);
                *block = NULL;
            }
        }
        dmm_stats(&s1);
        take_walk(&after);
        char text[ANSWER_TEXT];
        if (allocates) {
            long c = chunk_of(&before, (uintptr_t)*block);
            int grew = s1.brk_calls > s0.brk_calls || s1.mmap_calls > s0.mmap_calls ||
                       s1.mremap_calls > s0.mremap_calls;
            if (*block == NULL)
                add(key, "null");
            else if (grew || c < 0)
                add(key, "new");
            else {
                snprintf(text, sizeof text, "%ld", c);
                add(key, text);
            }
        }
        if (frees) {
            long c = chunk_of(&after, freed_start);
            if (c < 0)
                add(key, "gone");
            else {
                int prev = after.start[c] < freed_start;
                int next = after.start[c] + after.size[c] > freed_end;
                add(key, prev && next ? "both" : prev ? "prev" : next ? "next" : "none");
            }
        }
        if (allocates || frees) {
            snprintf(text, sizeof text, "%llu",
                     (unsigned long long)(s1.malloc_steps - s0.malloc_steps + s1.free_steps -
                                          s0.free_steps));
            add(key, text);
        }
        struct walk swap = before;
        before = after;
        after = swap;
    }
    free(blocks);
}

static void load_trace(const char *path, struct trace *trace)
{
    char error[512];
    int loaded = trace_load(path, trace, error, sizeof error);
    ck_assert_msg(loaded == 0, "%s", error);
}

/* ---- running the tool -------------------------------------------------------------- */

static char scratch[64];

static void scratch_make(void)
{
    snprintf(scratch, sizeof scratch, "/tmp/check_predict.XXXXXX");
    ck_assert_ptr_nonnull(mkdtemp(scratch));
}

static void scratch_remove(void)
{
    char command[128];
    snprintf(command, sizeof command, "rm -rf '%s'", scratch);
    ck_assert_int_eq(system(command), 0);
}

static const char *in_scratch(const char *name)
{
    static char paths[4][128];
    static int turn;
    char *path = paths[turn++ % 4];
    snprintf(path, sizeof paths[0], "%s/%s", scratch, name);
    return path;
}

static void write_bytes(const char *path, const char *text, size_t length)
{
    FILE *file = fopen(path, "wb");
    ck_assert_ptr_nonnull(file);
    ck_assert_uint_eq(fwrite(text, 1, length, file), length);
    ck_assert_int_eq(fclose(file), 0);
}

static void write_file(const char *path, const char *text)
{
    write_bytes(path, text, strlen(text));
}

struct run {
    int status;
    char *out, *err;
};

/* Runs dmm-predict with the arguments (NULL-terminated) and input as its
 * standard input (a file's text; NULL: /dev/null). */
static struct run run_predict(const char *input, const char *first, ...)
{
    const char *argv[16] = {DMM_PREDICT};
    size_t argc = 1;
    va_list args;
    va_start(args, first);
    for (const char *arg = first; arg != NULL; arg = va_arg(args, const char *)) {
        ck_assert_uint_lt(argc, 15);
        argv[argc++] = arg;
    }
    va_end(args);
    argv[argc] = NULL;
    const char *in = "/dev/null";
    if (input != NULL) {
        in = in_scratch("stdin");
        write_file(in, input);
    }
    char out[128], err[128];
    snprintf(out, sizeof out, "%s", in_scratch("stdout"));
    snprintf(err, sizeof err, "%s", in_scratch("stderr"));
    fflush(NULL);
    pid_t pid = fork();
    ck_assert_int_ge(pid, 0);
    if (pid == 0) {
        int fd_in = open(in, O_RDONLY), fd_out = open(out, O_WRONLY | O_CREAT | O_TRUNC, 0600),
            fd_err = open(err, O_WRONLY | O_CREAT | O_TRUNC, 0600);
        if (fd_in < 0 || fd_out < 0 || fd_err < 0 || dup2(fd_in, 0) < 0 || dup2(fd_out, 1) < 0 ||
            dup2(fd_err, 2) < 0)
            _exit(127);
        execv(DMM_PREDICT, (char *const *)argv);
        _exit(127);
    }
    int status;
    ck_assert_int_eq(waitpid(pid, &status, 0), pid);
    struct run run = {WIFEXITED(status) ? WEXITSTATUS(status) : -1, test_read_file(out, NULL),
                      test_read_file(err, NULL)};
    ck_assert_ptr_nonnull(run.out);
    ck_assert_ptr_nonnull(run.err);
    return run;
}

static void run_free(struct run *run)
{
    free(run->out);
    free(run->err);
}

/* The reveals of the output in order: the word after "  answer: ", and the
 * rest of its line ("(right)", "(wrong: you said 3)", ""). */
static size_t reveals(const char *out, char answers[][ANSWER_TEXT], char judgements[][48])
{
    size_t n = 0;
    for (const char *at = strstr(out, "\n  answer: "); at != NULL;
         at = strstr(at + 1, "\n  answer: ")) {
        require(n < MAX_ANSWERS, "too many answers");
        const char *word = at + strlen("\n  answer: ");
        size_t length = strcspn(word, " \n");
        snprintf(answers[n], ANSWER_TEXT, "%.*s", (int)length, word);
        const char *rest = word + length + (word[length] == ' ');
        snprintf(judgements[n], 48, "%.*s", (int)strcspn(rest, "\n"), rest);
        n++;
    }
    return n;
}

static char said[MAX_ANSWERS][ANSWER_TEXT], judged[MAX_ANSWERS][48];

/* The answer key printed for trace_path (NULL: the demo) is the key. */
static void assert_key(const char *trace_path, const struct key *key)
{
    struct run run = trace_path ? run_predict(NULL, "--reveal", "--ask", "all", trace_path, NULL)
                                : run_predict(NULL, "--reveal", "--ask", "all", NULL);
    ck_assert_msg(run.status == 0, "exit %d: %s", run.status, run.err);
    size_t n = reveals(run.out, said, judged);
    ck_assert_msg(n == key->count, "%s: %zu answers revealed, %zu computed",
                  trace_path ? trace_path : "demo", n, key->count);
    for (size_t i = 0; i < n; i++) {
        ck_assert_msg(strcmp(said[i], key->answer[i]) == 0, "%s: answer %zu is %s, computed %s",
                      trace_path ? trace_path : "demo", i + 1, said[i], key->answer[i]);
        ck_assert_str_eq(judged[i], "");
    }
    ck_assert_ptr_nonnull(strstr(run.out, "answer key: nothing was asked"));
    run_free(&run);
}

/* A wrong answer to the same question as right. */
static void wrong_answer(const char *right, char out[ANSWER_TEXT])
{
    static const char *const merges[] = {"none", "prev", "next", "both", "gone"};
    for (size_t m = 0; m < 5; m++)
        if (strcmp(right, merges[m]) == 0) {
            snprintf(out, ANSWER_TEXT, "%s", merges[(m + 1) % 4]);
            return;
        }
    if (strcmp(right, "new") == 0 || strcmp(right, "null") == 0)
        snprintf(out, ANSWER_TEXT, "0");
    else
        snprintf(out, ANSWER_TEXT, "%llu", strtoull(right, NULL, 10) % 1000000 + 1);
}

/* The answers file of key (wrong: one wrong answer each), with comments and
 * blank lines between the answers, then the run and its checks. */
static void assert_scored(const char *trace_path, const struct key *key, int wrong)
{
    static char text[MAX_ANSWERS * 48];
    size_t used = (size_t)snprintf(text, sizeof text, "# answers of check_predict\n\n");
    static char given[MAX_ANSWERS][ANSWER_TEXT];
    for (size_t i = 0; i < key->count; i++) {
        if (wrong)
            wrong_answer(key->answer[i], given[i]);
        else
            snprintf(given[i], sizeof given[i], "%s", key->answer[i]);
        used += (size_t)snprintf(text + used, sizeof text - used, "%s  # question %zu\n%s",
                                 given[i], i + 1, i % 3 == 2 ? "\n" : "");
    }
    const char *answers = in_scratch("answers.txt");
    write_file(answers, text);
    struct run run = trace_path ? run_predict(NULL, "--ask", "all", "--answers", answers,
                                              trace_path, NULL)
                                : run_predict(NULL, "--ask", "all", "--answers", answers, NULL);
    ck_assert_msg(run.status == 0, "exit %d: %s", run.status, run.err);
    size_t n = reveals(run.out, said, judged);
    ck_assert_uint_eq(n, key->count);
    for (size_t i = 0; i < n; i++) {
        char expected[48];
        if (wrong)
            snprintf(expected, sizeof expected, "(wrong: you said %s)", given[i]);
        else
            snprintf(expected, sizeof expected, "(right)");
        ck_assert_str_eq(said[i], key->answer[i]);
        ck_assert_str_eq(judged[i], expected);
    }
    char score[64];
    snprintf(score, sizeof score, "\nscore: %zu of %zu right", wrong ? (size_t)0 : n, n);
    ck_assert_msg(strstr(run.out, score) != NULL, "no '%s' in\n%s", score + 1, run.out);
    run_free(&run);
}

/* ---- the tests -------------------------------------------------------------------- */

/* The demo sequence without a file is traces/lecture-demo.trace. */
START_TEST(demo_key_matches_the_allocator)
{
    struct trace trace;
    load_trace(DMM_SOURCE_DIR "/traces/lecture-demo.trace", &trace);
    static struct key key;
    compute_key(&trace, &key);
    ck_assert_uint_eq(key.count, 2 * LECTURE_DEMO_STEPS); /* two questions a step */
    assert_key(NULL, &key);
    assert_key(DMM_SOURCE_DIR "/traces/lecture-demo.trace", &key);
    assert_scored(NULL, &key, 0);
    assert_scored(NULL, &key, 1);
    trace_free(&trace);
}
END_TEST

/* Every exercise trace: the key, a full score, a zero score. */
START_TEST(exercise_keys_match_the_allocator)
{
    DIR *folder = opendir(DMM_SOURCE_DIR "/traces/exercises");
    ck_assert_ptr_nonnull(folder);
    size_t traces = 0;
    for (struct dirent *entry; (entry = readdir(folder)) != NULL;) {
        size_t length = strlen(entry->d_name);
        if (length < 7 || strcmp(entry->d_name + length - 6, ".trace") != 0)
            continue;
        char path[512];
        snprintf(path, sizeof path, "%s/traces/exercises/%s", DMM_SOURCE_DIR, entry->d_name);
        struct trace trace;
        load_trace(path, &trace);
        static struct key key;
        compute_key(&trace, &key);
        ck_assert_uint_gt(key.count, 0);
        assert_key(path, &key);
        assert_scored(path, &key, 0);
        assert_scored(path, &key, 1);
        trace_free(&trace);
        traces++;
    }
    closedir(folder);
    ck_assert_uint_ge(traces, 4);
}
END_TEST

/* The other calls: calloc, realloc that grows, shrinks, moves, is a malloc
 * (of an ID not live) or a free (size 0), and free(NULL), which asks nothing. */
START_TEST(every_kind_of_call)
{
    char path[128]; /* in_scratch's buffers are reused by each run */
    snprintf(path, sizeof path, "%s", in_scratch("calls.trace"));
    write_file(path, "c 1 4 16\na 2 32\nr 1 200\nr 2 16\nf -1\nr 3 48\nr 1 0\n"
                     "a 4 100\nr 4 4000\nf 4\nf 2\nf 3\n");
    struct trace trace;
    load_trace(path, &trace);
    static struct key key;
    compute_key(&trace, &key);
    ck_assert_uint_eq(key.count, 2 * 11); /* every call but free(NULL): two questions */
    assert_key(path, &key);
    assert_scored(path, &key, 0);
    assert_scored(path, &key, 1);
    trace_free(&trace);
}
END_TEST

/* A bad answers file names its line and what is wrong; nothing runs. */
#define assert_bad_answers(text, ask, message)                                          \
    assert_bad_answers_sized(text, sizeof text - 1, ask, message)
static void assert_bad_answers_sized(const char *text, size_t length, const char *ask,
                                     const char *message)
{
    const char *answers = in_scratch("bad-answers.txt");
    write_bytes(answers, text, length);
    struct run run = run_predict(NULL, "--ask", ask, "--answers", answers, NULL);
    ck_assert_int_eq(run.status, 2);
    char expected[256];
    snprintf(expected, sizeof expected, "%s%s", answers, message);
    ck_assert_msg(strstr(run.err, expected) != NULL, "no '%s' in '%s'", expected, run.err);
    ck_assert_msg(strstr(run.out, "step 1") == NULL, "it ran: %s", run.out);
    run_free(&run);
}

START_TEST(bad_answers_files_name_the_line)
{
    /* The demo with --ask where: 5 questions; with --ask coalesce: 5. */
    assert_bad_answers("new\n# two\n\nfirst\n0\n0\n0\n", "where",
                       ":4: question 2 (operation 2): 'first' is not an answer to 'where'");
    assert_bad_answers("new\n-1\n0\n0\n0\n", "where", ":2: question 2 (operation 2): '-1'");
    assert_bad_answers("new\n0\nprev\n0\n0\n", "where", ":3: question 3 (operation 3): 'prev'");
    assert_bad_answers("new\n0x1\n", "where", ":2: question 2 (operation 2): '0x1'");
    assert_bad_answers("none\nleft\n", "coalesce",
                       ":2: question 2 (operation 6): 'left' is not an answer to 'coalesce'");
    assert_bad_answers("new\n0\n0\n", "where",
                       ": 3 answers for 5 questions: the answer to question 4");
    assert_bad_answers("new\n0\n0\n0\n0\n\n# the end\n0\n", "where",
                       ":8: an answer with no question: the trace asks 5 questions");
    assert_bad_answers("new\n0\0\n", "where", ":2: NUL byte");
    struct run run = run_predict(NULL, "--answers", in_scratch("missing.txt"), NULL);
    ck_assert_int_eq(run.status, 2);
    ck_assert_ptr_nonnull(strstr(run.err, "missing.txt: No such file"));
    run_free(&run);
}
END_TEST

START_TEST(bad_usage_exits_2)
{
    static const char *const cases[][3] = {
        {"--ask", "where,how", "'how' is not a question"},
        {"--ask", "", "--ask needs a question"},
        {"--from", "0", "--from 0: give an operation number"},
        {"--from", "11", "--from 11: the trace has 10 operations"},
        {"--answers", NULL, "--answers: needs a value"},
        {"--bogus", NULL, "--bogus: unknown option"},
    };
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        struct run run = run_predict(NULL, cases[i][0], cases[i][1], NULL);
        ck_assert_int_eq(run.status, 2);
        ck_assert_msg(strstr(run.err, cases[i][2]) != NULL, "no '%s' in '%s'", cases[i][2],
                      run.err);
        run_free(&run);
    }
    const char *trace = in_scratch("bad.trace");
    write_file(trace, "a 1 16\nf 2\n");
    struct run run = run_predict(NULL, trace, NULL);
    ck_assert_int_eq(run.status, 2);
    ck_assert_msg(strstr(run.err, "bad.trace:2:") != NULL, "%s", run.err);
    run_free(&run);
    run = run_predict(NULL, "--reveal", "--answers", trace, NULL);
    ck_assert_int_eq(run.status, 2);
    run_free(&run);
    /* A DMM_POLICY that is no policy at all, for any allocator. */
    const char *policy = getenv("DMM_POLICY");
    char saved[64];
    snprintf(saved, sizeof saved, "%s", policy != NULL ? policy : "");
    ck_assert_int_eq(setenv("DMM_POLICY", "fit=bogus", 1), 0);
    run = run_predict(NULL, "--reveal", NULL);
    ck_assert_int_eq(run.status, 2);
    ck_assert_msg(strstr(run.err, "DMM_POLICY: policy \"fit=bogus\"") != NULL, "%s", run.err);
    run_free(&run);
    ck_assert_int_eq(policy != NULL ? setenv("DMM_POLICY", saved, 1) : unsetenv("DMM_POLICY"), 0);
}
END_TEST

/* At the terminal: a malformed answer is asked again; the end of input
 * ends the session with the score so far and exit 0. */
START_TEST(terminal_input_ends_politely)
{
    struct run run = run_predict("new\nfoo\n0\n1\n", NULL);
    ck_assert_msg(run.status == 0, "exit %d: %s", run.status, run.err);
    ck_assert_ptr_nonnull(strstr(run.out, "'foo' is not an answer to 'where'"));
    ck_assert_ptr_nonnull(strstr(run.out, "the input ended before step"));
    size_t n = reveals(run.out, said, judged);
    ck_assert_uint_eq(n, 3);
    char score[64];
    size_t right = 0;
    for (size_t i = 0; i < n; i++)
        right += strcmp(judged[i], "(right)") == 0;
    snprintf(score, sizeof score, "score: %zu of 3 right", right);
    ck_assert_msg(strstr(run.out, score) != NULL, "no '%s' in\n%s", score, run.out);
    run_free(&run);
}
END_TEST

/* --from N: the operations before N run silently and ask nothing. */
START_TEST(from_skips_the_first_operations)
{
    struct run run = run_predict(NULL, "--reveal", "--ask", "all", "--from", "7", NULL);
    ck_assert_int_eq(run.status, 0);
    ck_assert_ptr_nonnull(strstr(run.out, "after the first 6 operations"));
    ck_assert_ptr_null(strstr(run.out, "step 6 of 10"));
    ck_assert_ptr_nonnull(strstr(run.out, "step 7 of 10"));
    ck_assert_uint_eq(reveals(run.out, said, judged), 8); /* steps 7 to 10, two each */
    run_free(&run);
}
END_TEST

int main(void)
{
    const struct test_group groups[] = {
        {"answers", {demo_key_matches_the_allocator, exercise_keys_match_the_allocator,
                     every_kind_of_call}},
        {"input", {bad_answers_files_name_the_line, bad_usage_exits_2,
                   terminal_input_ends_politely, from_skips_the_first_operations}},
    };
    return run_test_groups_fixture("predict", groups, sizeof groups / sizeof groups[0],
                                   scratch_make, scratch_remove);
}
