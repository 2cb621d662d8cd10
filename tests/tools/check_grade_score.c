/*
 * check_grade_score.c — dmm-grade's scoring, grade book, shards, merge and
 * feedback (score.c, gradebook.c, feedback.c) on results made by hand: the
 * index formula against figures worked out on paper for each cost and
 * failure rule, the book's exact bytes, every refusal of merge, and what a
 * student reads back.
 */
#define _XOPEN_SOURCE 700 /* nftw; mkdtemp, open_memstream (POSIX 2008) */

#include "grade.h"

#include "suite.h"
#include "testfile.h"

#include <check.h>
#include <ftw.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

/* ---- a small class, made by hand ---------------------------------------------- */

#define MAX_TRACES 4

static struct grade_trace config_traces[MAX_TRACES];
static struct grade_config config;
static struct trace traces[MAX_TRACES];
static struct replay_result reference[MAX_TRACES];
static char dir[64]; /* a fresh folder per test that writes files */

/* Two traces of weight 1, time relative to the reference, CMU weights. */
static void setup(void)
{
    static char *names[MAX_TRACES] = {"t0", "t1", "t2", "t3"};
    static char *paths[MAX_TRACES] = {"traces/t0.rep", "my traces/t1.rep", "traces/t2.rep",
                                      "traces/t3.rep"};
    memset(config_traces, 0, sizeof config_traces);
    memset(traces, 0, sizeof traces);
    memset(reference, 0, sizeof reference);
    for (size_t i = 0; i < MAX_TRACES; i++) {
        config_traces[i].path = paths[i];
        config_traces[i].weight = 1;
        traces[i].name = names[i];
        traces[i].path = paths[i];
    }
    config = (struct grade_config){.path = "class.conf",
                                   .traces = config_traces,
                                   .trace_count = 2,
                                   .util_weight = 0.6,
                                   .throughput_weight = 0.4,
                                   .cost = COST_RELATIVE,
                                   .reference = "glibc",
                                   .reference_kops = 20000,
                                   .failure = FAILURE_ALL,
                                   .points = 100,
                                   .timeout_seconds = 4.5,
                                   .repeat = 3};
    snprintf(dir, sizeof dir, "/tmp/dmm-grade-score-XXXXXX");
    ck_assert_ptr_nonnull(mkdtemp(dir));
}

static int remove_entry(const char *path, const struct stat *st, int flag, struct FTW *ftw)
{
    (void)st, (void)flag, (void)ftw;
    return remove(path);
}

static void teardown(void)
{
    nftw(dir, remove_entry, 16, FTW_DEPTH | FTW_PHYS);
}

static struct replay_result ok(uint64_t ops, double util, double ns, double instr)
{
    return (struct replay_result){.status = REPLAY_OK, .ops = ops, .utilization = util,
                                  .ns_per_op = ns, .kops_per_sec = ns > 0 ? 1e6 / ns : 0,
                                  .instr_per_op = instr};
}

static struct replay_result failed(enum replay_status status, const char *message)
{
    struct replay_result r = {.status = status, .ops = 500};
    snprintf(r.message, sizeof r.message, "%s", message);
    return r;
}

/* The student of the worked example: t0 1000 ops at 100 ns, util 0.8; t1
 * 3000 ops at 50 ns, util 0.6. The reference: 80 and 40 ns, 100 and 100
 * instructions. Student: 2.5e5 ns for 4000 ops = 16000 Kops/s; reference
 * 2e5 ns = 20000 Kops/s: ratio 0.8. Instructions: (2e5 + 3e5) / 4000 = 125
 * per op against 100: ratio 0.8. Utilization 0.7. Index 100 × (0.6 × 0.7 +
 * 0.4 × 0.8) = 74. */
static struct replay_result results[MAX_TRACES];

static struct grade_student student_of(const char *id)
{
    struct grade_student s = {.build = BUILD_OK, .results = results};
    snprintf(s.id, sizeof s.id, "%s", id);
    snprintf(s.source, sizeof s.source, "submissions/%s.c", id);
    snprintf(s.work_dir, sizeof s.work_dir, "%s/students/%s", dir, id);
    return s;
}

static struct grade_student example(void)
{
    results[0] = ok(1000, 0.8, 100, 200);
    results[1] = ok(3000, 0.6, 50, 100);
    results[2] = ok(2000, 0.5, 10, 10);
    results[3] = ok(2000, 0.5, 10, 10);
    reference[0] = ok(1000, 0.9, 80, 100);
    reference[1] = ok(3000, 0.9, 40, 100);
    reference[2] = ok(2000, 0.9, 10, 10);
    reference[3] = ok(2000, 0.9, 10, 10);
    return student_of("bob");
}

#define EPS 1e-9

/* ---- the index ----------------------------------------------------------------- */

START_TEST(relative_cost_matches_the_worked_example)
{
    struct grade_student s = example();
    config.points = 50;
    grade_score(&config, traces, reference, &s);
    ck_assert_uint_eq(s.score.traces_correct, 2);
    ck_assert(s.score.first_failure == SIZE_MAX);
    ck_assert_double_eq_tol(s.score.utilization, 0.7, EPS);
    ck_assert_double_eq_tol(s.score.throughput, 16000, 1e-6);
    ck_assert_double_eq_tol(s.score.throughput_ratio, 0.8, EPS);
    ck_assert_double_eq_tol(s.score.index, 74, EPS);
    ck_assert_double_eq_tol(s.score.score, 37, EPS);

    double ratio = -1;
    /* t0: 80 / 100 = 0.8 -> 100 × (0.6 × 0.8 + 0.4 × 0.8) = 80 */
    ck_assert_double_eq_tol(grade_trace_index(&config, &results[0], &reference[0], &ratio), 80,
                            EPS);
    ck_assert_double_eq_tol(ratio, 0.8, EPS);
    /* t1: 40 / 50 = 0.8 -> 100 × (0.36 + 0.32) = 68 */
    ck_assert_double_eq_tol(grade_trace_index(&config, &results[1], &reference[1], &ratio), 68,
                            EPS);
}
END_TEST

START_TEST(fixed_cost_compares_with_reference_kops)
{
    struct grade_student s = example();
    config.cost = COST_FIXED;
    grade_score(&config, traces, NULL, &s); /* no reference run for a fixed cost */
    ck_assert_double_eq_tol(s.score.throughput, 16000, 1e-6);
    ck_assert_double_eq_tol(s.score.throughput_ratio, 0.8, EPS);
    ck_assert_double_eq_tol(s.score.index, 74, EPS);
    double ratio;
    /* t0: 10000 Kops/s of 20000 -> 100 × (0.48 + 0.2) = 68 */
    ck_assert_double_eq_tol(grade_trace_index(&config, &results[0], NULL, &ratio), 68, EPS);
    ck_assert_double_eq_tol(ratio, 0.5, EPS);
}
END_TEST

START_TEST(instruction_cost_is_lower_is_better)
{
    struct grade_student s = example();
    config.cost = COST_INSTRUCTIONS;
    grade_score(&config, traces, reference, &s);
    ck_assert_double_eq_tol(s.score.throughput, 125, EPS); /* instructions per op */
    ck_assert_double_eq_tol(s.score.throughput_ratio, 0.8, EPS);
    ck_assert_double_eq_tol(s.score.index, 74, EPS);
    double ratio;
    /* t0: 100 / 200 = 0.5 -> 100 × (0.48 + 0.2) = 68; t1: 100 / 100 = 1 -> 76 */
    ck_assert_double_eq_tol(grade_trace_index(&config, &results[0], &reference[0], &ratio), 68,
                            EPS);
    ck_assert_double_eq_tol(ratio, 0.5, EPS);
    ck_assert_double_eq_tol(grade_trace_index(&config, &results[1], &reference[1], &ratio), 76,
                            EPS);
}
END_TEST

START_TEST(faster_than_the_reference_earns_no_more)
{
    struct grade_student s = example();
    results[0].ns_per_op = 40; /* twice the reference's speed on both */
    results[1].ns_per_op = 20;
    grade_score(&config, traces, reference, &s);
    ck_assert_double_eq_tol(s.score.throughput_ratio, 2, EPS); /* reported as measured */
    ck_assert_double_eq_tol(s.score.index, 100 * (0.6 * 0.7 + 0.4), EPS);
    double ratio;
    ck_assert_double_eq_tol(grade_trace_index(&config, &results[0], &reference[0], &ratio),
                            100 * (0.6 * 0.8 + 0.4), EPS);
    ck_assert_double_eq_tol(ratio, 2, EPS);
}
END_TEST

START_TEST(failure_trace_rule_scores_the_others)
{
    struct grade_student s = example();
    config.trace_count = 3;
    config.failure = FAILURE_TRACE;
    config_traces[2].weight = 2;
    results[2] = failed(REPLAY_CRASH, "bob on t2 line 9, op #4 (free id 3): crashed");
    grade_score(&config, traces, reference, &s);
    ck_assert_uint_eq(s.score.traces_correct, 2);
    ck_assert_uint_eq(s.score.first_failure, 2);
    /* U = (0.8 + 0.6 + 2 × 0) / 4 = 0.35; thru = 0.8 × 2 / 4 = 0.4;
     * index = 100 × (0.6 × 0.35 + 0.4 × 0.4) = 37 */
    ck_assert_double_eq_tol(s.score.utilization, 0.35, EPS);
    ck_assert_double_eq_tol(s.score.throughput_ratio, 0.8, EPS);
    ck_assert_double_eq_tol(s.score.index, 37, EPS);
    double ratio = -1;
    ck_assert_double_eq(grade_trace_index(&config, &results[2], &reference[2], &ratio), 0);
    ck_assert_double_eq(ratio, 0);
}
END_TEST

START_TEST(failure_all_rule_zeroes_the_index)
{
    struct grade_student s = example();
    config.trace_count = 3;
    config_traces[2].weight = 2;
    results[2] = failed(REPLAY_TIMEOUT, "bob on t2 line 9, op #4: timeout");
    grade_score(&config, traces, reference, &s);
    ck_assert_double_eq(s.score.index, 0);
    ck_assert_double_eq(s.score.score, 0);
    ck_assert_double_eq_tol(s.score.utilization, 0.35, EPS); /* still reported */
    ck_assert_uint_eq(s.score.first_failure, 2);
}
END_TEST

START_TEST(weight_zero_traces_are_not_scored)
{
    struct grade_student s = example();
    config.trace_count = 4;
    config_traces[2].weight = 0;
    config_traces[3].weight = 0;
    results[2] = failed(REPLAY_FAIL, "bob on t2 line 1, op #1: overlap"); /* not scored */
    results[3] = ok(1000000, 0.01, 1e6, 1e6); /* terrible, and not scored */
    grade_score(&config, traces, reference, &s);
    ck_assert_double_eq_tol(s.score.index, 74, EPS); /* FAILURE_ALL ignores the weight-0 one */
    ck_assert_double_eq_tol(s.score.utilization, 0.7, EPS);
    ck_assert_uint_eq(s.score.traces_correct, 3); /* every trace counts here */
    ck_assert_uint_eq(s.score.first_failure, 2);

    /* the weights themselves: t1 three times as heavy */
    config.trace_count = 2;
    config_traces[1].weight = 3;
    grade_score(&config, traces, reference, &s);
    /* U = (0.8 + 3 × 0.6) / 4 = 0.65; student ns = 1e5 + 3 × 1.5e5 = 5.5e5 for
     * 10000 ops; reference 8e4 + 3 × 1.2e5 = 4.4e5: ratio 0.8 */
    ck_assert_double_eq_tol(s.score.utilization, 0.65, EPS);
    ck_assert_double_eq_tol(s.score.throughput, 10000 / 5.5e5 * 1e6, 1e-6);
    ck_assert_double_eq_tol(s.score.throughput_ratio, 0.8, EPS);
    ck_assert_double_eq_tol(s.score.index, 100 * (0.6 * 0.65 + 0.4 * 0.8), EPS);
}
END_TEST

START_TEST(a_student_not_built_scores_nothing)
{
    struct grade_student s = student_of("carol");
    s.build = BUILD_FAILED;
    s.results = NULL;
    s.score.index = 55; /* stale: must be overwritten */
    snprintf(s.build_message, sizeof s.build_message, "the compiler refused it");
    grade_score(&config, traces, reference, &s);
    ck_assert_uint_eq(s.score.traces_correct, 0);
    ck_assert(s.score.first_failure == SIZE_MAX);
    ck_assert_double_eq(s.score.index, 0);
    ck_assert_double_eq(s.score.score, 0);
    ck_assert_double_eq(s.score.utilization, 0);
}
END_TEST

START_TEST(missing_figures_never_divide_by_zero)
{
    struct grade_student s = example();
    reference[0] = failed(REPLAY_FAIL, "glibc on t0: ?"); /* its ns_per_op is 0 */
    results[1].ns_per_op = 0;                              /* not timed */
    double ratio = -1;
    double index = grade_trace_index(&config, &results[0], &reference[0], &ratio);
    ck_assert_double_eq(ratio, 0);
    ck_assert_double_eq_tol(index, 100 * 0.6 * 0.8, EPS);
    ck_assert_double_eq_tol(grade_trace_index(&config, &results[1], &reference[1], NULL),
                            100 * 0.6 * 0.6, EPS);
    grade_score(&config, traces, reference, &s);
    /* nothing left to compare: ratio 0, utilization still counts */
    ck_assert_double_eq(s.score.throughput_ratio, 0);
    ck_assert_double_eq_tol(s.score.index, 100 * 0.6 * 0.7, EPS);

    config.cost = COST_FIXED;
    config.reference_kops = 0;
    grade_score(&config, traces, NULL, &s);
    ck_assert_double_eq(s.score.throughput_ratio, 0);
    config_traces[0].weight = 0;
    config_traces[1].weight = 0; /* nothing scored at all */
    grade_score(&config, traces, NULL, &s);
    ck_assert_double_eq(s.score.index, 0);
}
END_TEST

/* ---- the grade book ------------------------------------------------------------- */

static struct replay_result class_results[3][MAX_TRACES];

/* bob (the example), alice (t1 fails, under FAILURE_TRACE), carol (not
 * built), in that order: the book sorts them. */
static size_t make_class(struct grade_student *students)
{
    config.failure = FAILURE_TRACE;
    students[0] = example();
    students[0].warnings = 2;
    memcpy(class_results[0], results, sizeof results);
    students[0].results = class_results[0];

    students[1] = student_of("carol");
    students[1].build = BUILD_FAILED;
    students[1].results = NULL;
    snprintf(students[1].build_message, sizeof students[1].build_message,
             "carol.c:3: error: expected ';'");
    students[1].build_log = "carol.c:3:1: error: expected ';' before '}' token\n"
                            "    3 | }\n      | ^\n";

    students[2] = student_of("alice");
    class_results[2][0] = ok(1000, 0.8, 100, 200);
    class_results[2][1] = failed(REPLAY_FAIL,
                                 "alice on t1 line 3, op #2 (free id 7): \"double\" free");
    students[2].results = class_results[2];
    for (size_t i = 0; i < 3; i++)
        grade_score(&config, traces, reference, &students[i]);
    return 3;
}

/* alice: U = 0.8 / 2 = 0.4; 10000 Kops/s against 12500: 0.8, × 1/2 -> 0.4;
 * index 100 × (0.24 + 0.16) = 40. */
static void expected_book(char *buffer, size_t size, const char *a, const char *b,
                          const char *c)
{
    snprintf(buffer, size,
             "student,build,warnings,traces_correct,traces,utilization,throughput,"
             "throughput_ratio,index,score,first_failure,shard,class_size\n"
             "alice,ok,0,1,2,0.4000,10000.0,0.8000,40.00,40.00,"
             "\"alice on t1 line 3, op #2 (free id 7): \"\"double\"\" free\",%s,3\n"
             "bob,ok,2,2,2,0.7000,16000.0,0.8000,74.00,74.00,,%s,3\n"
             "carol,failed,0,0,2,0.0000,0.0,0.0000,0.00,0.00,carol.c:3: error: expected ';',"
             "%s,3\n",
             a, b, c);
}

static char *path_in(const char *name)
{
    static char paths[64][128];
    static unsigned next;
    char *p = paths[next++ % 64];
    snprintf(p, 128, "%s/%s", dir, name);
    return p;
}

static void assert_file(const char *path, const char *expected)
{
    char *text = test_read_file(path, NULL);
    ck_assert_msg(text != NULL, "%s was not written", path);
    ck_assert_str_eq(text, expected);
    free(text);
}

static void assert_absent(const char *path)
{
    ck_assert_msg(access(path, F_OK) != 0, "%s exists", path);
    char tmp[256];
    snprintf(tmp, sizeof tmp, "%s.tmp", path);
    ck_assert_msg(access(tmp, F_OK) != 0, "%s was left behind", tmp);
}

START_TEST(book_has_exact_bytes_and_quotes_messages)
{
    struct grade_student students[3];
    size_t count = make_class(students);
    struct grade_shard whole = {1, 1};
    char error[512] = "", expected[2048];
    const char *book = path_in("book.csv");
    ck_assert_int_eq(grade_write_book(book, &config, students, count, &whole, 3, error,
                                      sizeof error), 0);
    expected_book(expected, sizeof expected, "1/1", "1/1", "1/1");
    assert_file(book, expected);
    ck_assert_int_ne(access(path_in("book.csv.tmp"), F_OK), 0); /* renamed into place */
}
END_TEST

START_TEST(book_is_deterministic_and_instructions_have_two_decimals)
{
    struct grade_student students[3];
    size_t count = make_class(students);
    struct grade_shard whole = {1, 1};
    char error[512];
    const char *one = path_in("one.csv"), *two = path_in("two.csv");
    ck_assert_int_eq(grade_write_book(one, &config, students, count, &whole, 3, error,
                                      sizeof error), 0);
    ck_assert_int_eq(grade_write_book(two, &config, students, count, &whole, 3, error,
                                      sizeof error), 0);
    char *a = test_read_file(one, NULL), *b = test_read_file(two, NULL);
    ck_assert_str_eq(a, b);
    free(a);
    free(b);

    config.cost = COST_INSTRUCTIONS;
    grade_score(&config, traces, reference, &students[0]);
    ck_assert_int_eq(grade_write_book(one, &config, students, 1, &whole, 1, error,
                                      sizeof error), 0);
    a = test_read_file(one, NULL);
    ck_assert_ptr_nonnull(strstr(a, "\nbob,ok,2,2,2,0.7000,125.00,0.8000,74.00,74.00,,1/1,1\n"));
    free(a);

    ck_assert_int_eq(grade_write_book("/nonexistent/dir/book.csv", &config, students, 1, &whole,
                                      1, error, sizeof error), -1);
    ck_assert_ptr_nonnull(strstr(error, "/nonexistent/dir/book.csv.tmp"));
}
END_TEST

START_TEST(shard_parse_accepts_k_of_n_and_explains_the_rest)
{
    struct grade_shard shard;
    char error[256];
    ck_assert_int_eq(grade_shard_parse("2/4", &shard, error, sizeof error), 0);
    ck_assert_uint_eq(shard.index, 2);
    ck_assert_uint_eq(shard.count, 4);
    ck_assert_int_eq(grade_shard_parse("1/1", &shard, error, sizeof error), 0);

    static const struct {
        const char *text, *message;
    } bad[] = {
        {"3/2", "shard 3/2: K must be between 1 and N"},
        {"0/2", "shard 0/2: K must be between 1 and N"},
        {"1/0", "shard 1/0: N must be at least 1"},
        {"a/b", "shard \"a/b\": expected K/N, this run's shard K of N, as 2/4"},
        {"", "shard \"\": expected K/N, this run's shard K of N, as 2/4"},
        {"1/2/3", "shard \"1/2/3\": expected K/N, this run's shard K of N, as 2/4"},
        {" 1/2", "shard \" 1/2\": expected K/N, this run's shard K of N, as 2/4"},
        {"+1/2", "shard \"+1/2\": expected K/N, this run's shard K of N, as 2/4"},
        {"1/", "shard \"1/\": expected K/N, this run's shard K of N, as 2/4"},
        {"99999999999/1", "shard 99999999999/1: K is too large (at most 4294967295)"},
        {"1/4294967296", "shard 1/4294967296: N is too large (at most 4294967295)"},
    };
    for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
        shard = (struct grade_shard){7, 7};
        require(grade_shard_parse(bad[i].text, &shard, error, sizeof error) == -1,
                "\"%s\" accepted", bad[i].text);
        require(strcmp(error, bad[i].message) == 0, "\"%s\": %s", bad[i].text, error);
        require(shard.index == 7 && shard.count == 7, "\"%s\" changed the shard", bad[i].text);
    }
}
END_TEST

START_TEST(shards_are_a_round_robin_covering_each_student_once)
{
    struct grade_shard two_of_three = {2, 3};
    ck_assert(grade_shard_has(&two_of_three, 1));
    ck_assert(grade_shard_has(&two_of_three, 4));
    ck_assert(!grade_shard_has(&two_of_three, 0));
    ck_assert(!grade_shard_has(&two_of_three, 2));
    ck_assert(!grade_shard_has(&two_of_three, 3));
    for (size_t position = 0; position < 50; position++) {
        unsigned owners = 0;
        for (unsigned k = 1; k <= 3; k++)
            owners += (unsigned)grade_shard_has(&(struct grade_shard){k, 3}, position) != 0;
        require(owners == 1, "position %zu in %u shards", position, owners);
        require(grade_shard_has(&(struct grade_shard){1, 1}, position), "1/1 lacks %zu",
                position);
    }
}
END_TEST

/* ---- merge ----------------------------------------------------------------------- */

/* Writes the shard K/N book holding the students at the given positions of
 * the sorted class (alice 0, bob 1, carol 2). */
static const char *shard_book(const char *name, const struct grade_student *sorted,
                              const size_t *positions, size_t count, unsigned k, unsigned n,
                              size_t class_size)
{
    struct grade_student picked[3];
    for (size_t i = 0; i < count; i++)
        picked[i] = sorted[positions[i]];
    char error[512];
    const char *path = path_in(name);
    struct grade_shard shard = {k, n};
    ck_assert_msg(grade_write_book(path, &config, picked, count, &shard, class_size, error,
                                   sizeof error) == 0, "%s", error);
    return path;
}

static void sorted_class(struct grade_student *sorted)
{
    struct grade_student students[3];
    make_class(students);
    sorted[0] = students[2]; /* alice */
    sorted[1] = students[0]; /* bob */
    sorted[2] = students[1]; /* carol */
}

START_TEST(merge_of_shards_is_the_whole_class_book)
{
    struct grade_student s[3];
    sorted_class(s);
    const char *one = shard_book("s1.csv", s, (size_t[]){0, 2}, 2, 1, 2, 3);
    const char *two = shard_book("s2.csv", s, (size_t[]){1}, 1, 2, 2, 3);
    const char *out = path_in("merged.csv");
    char error[512] = "", expected[2048];
    /* either order of the books */
    ck_assert_msg(grade_merge(out, (const char *[]){two, one}, 2, error, sizeof error) == 0, "%s",
                  error);
    expected_book(expected, sizeof expected, "1/2", "2/2", "1/2");
    assert_file(out, expected);

    /* and the same bytes as a book of the whole class, but for the shard column */
    struct grade_shard whole = {1, 1};
    const char *book = path_in("whole.csv");
    ck_assert_int_eq(grade_write_book(book, &config, s, 3, &whole, 3, error, sizeof error), 0);
    expected_book(expected, sizeof expected, "1/1", "1/1", "1/1");
    assert_file(book, expected);

    /* a class of 2 in 3 shards: shard 3 is empty, its book names no shard */
    const char *a = shard_book("a.csv", s, (size_t[]){0}, 1, 1, 3, 2);
    const char *b = shard_book("b.csv", s, (size_t[]){1}, 1, 2, 3, 2);
    const char *empty = shard_book("c.csv", s, NULL, 0, 3, 3, 2);
    ck_assert_msg(grade_merge(out, (const char *[]){a, b, empty}, 3, error, sizeof error) == 0,
                  "%s", error);
    ck_assert_msg(grade_merge(out, (const char *[]){a, b}, 2, error, sizeof error) == 0, "%s",
                  error);
}
END_TEST

static void assert_refused(const char *const *books, size_t count, const char *message)
{
    const char *out = path_in("refused.csv");
    char error[512] = "";
    ck_assert_int_eq(grade_merge(out, books, count, error, sizeof error), -1);
    ck_assert_str_eq(error, message);
    assert_absent(out);
}

static const char *write_text(const char *name, const char *text)
{
    const char *path = path_in(name);
    FILE *f = fopen(path, "w");
    ck_assert_ptr_nonnull(f);
    fputs(text, f);
    fclose(f);
    return path;
}

START_TEST(merge_refuses_what_is_not_one_class)
{
    struct grade_student s[3];
    sorted_class(s);
    const char *one = shard_book("s1.csv", s, (size_t[]){0, 2}, 2, 1, 2, 3);
    const char *two = shard_book("s2.csv", s, (size_t[]){1}, 1, 2, 2, 3);
    char message[1024];

    const char *junk = write_text("junk.csv", "name,grade\nalice,A\n");
    snprintf(message, sizeof message,
             "%s:1: not a dmm-grade grade book (its header row is not student,build,warnings,"
             "traces_correct,traces,utilization,throughput,throughput_ratio,index,score,"
             "first_failure,shard,class_size)",
             junk);
    assert_refused((const char *[]){one, junk}, 2, message);
    const char *empty = write_text("empty.csv", "");
    snprintf(message, sizeof message, "%s:1: not a dmm-grade grade book", empty);
    char error[512];
    ck_assert_int_eq(grade_merge(path_in("refused.csv"), (const char *[]){empty}, 1, error,
                                 sizeof error), -1);
    ck_assert_ptr_nonnull(strstr(error, message));

    const char *short_row = write_text(
        "short.csv", "student,build,warnings,traces_correct,traces,utilization,throughput,"
                     "throughput_ratio,index,score,first_failure,shard,class_size\n"
                     "bob,ok,2\n");
    snprintf(message, sizeof message, "%s:2: 3 fields, a grade book row has 13", short_row);
    assert_refused((const char *[]){one, short_row}, 2, message);

    snprintf(message, sizeof message, "shard 2/2 is missing");
    assert_refused((const char *[]){one}, 1, message);
    const char *header_only = shard_book("s2e.csv", s, NULL, 0, 2, 2, 3);
    snprintf(message, sizeof message,
             "shard 2/2 is missing (%s has no rows, so it names no shard)", header_only);
    assert_refused((const char *[]){one, header_only}, 2, message);

    const char *again = shard_book("again.csv", s, (size_t[]){0, 2}, 2, 1, 2, 3);
    snprintf(message, sizeof message, "shard 1/2 given twice: %s and %s", one, again);
    assert_refused((const char *[]){one, two, again}, 3, message);

    const char *two_with_alice = shard_book("s2a.csv", s, (size_t[]){0, 1}, 2, 2, 2, 3);
    snprintf(message, sizeof message, "student alice is in %s and %s", one, two_with_alice);
    assert_refused((const char *[]){one, two_with_alice}, 2, message);

    const char *one_short = shard_book("s1s.csv", s, (size_t[]){0}, 1, 1, 2, 3);
    assert_refused((const char *[]){one_short, two}, 2,
                   "2 students in the shards, the class has 3: a shard book is incomplete");

    /* the right total, the wrong split: not the round robin of one class */
    const char *one_alone = shard_book("s1x.csv", s, (size_t[]){0}, 1, 1, 2, 3);
    const char *two_more = shard_book("s2x.csv", s, (size_t[]){1, 2}, 2, 2, 2, 3);
    snprintf(message, sizeof message,
             "%s: shard 1/2 has 1 student, the round robin gives it 2 of a class of 3",
             one_alone);
    assert_refused((const char *[]){one_alone, two_more}, 2, message);

    const char *other_class = shard_book("s2o.csv", s, (size_t[]){1}, 1, 2, 2, 4);
    snprintf(message, sizeof message,
             "%s has a class of 3 students, %s of 4: they are not shards of one class", one,
             other_class);
    assert_refused((const char *[]){one, other_class}, 2, message);

    const char *other_split = shard_book("s2n.csv", s, (size_t[]){1}, 1, 2, 3, 3);
    snprintf(message, sizeof message,
             "%s is shard 1/2, %s is shard 2/3: one class is split one way", one, other_split);
    assert_refused((const char *[]){one, other_split}, 2, message);

    ck_assert_int_eq(grade_merge(path_in("refused.csv"), (const char *[]){path_in("none.csv")},
                                 1, error, sizeof error), -1);
    ck_assert_ptr_nonnull(strstr(error, "none.csv: No such file or directory"));
}
END_TEST

START_TEST(merge_reads_quoted_fields_with_line_ends)
{
    struct grade_student s[3];
    sorted_class(s);
    snprintf(class_results[2][1].message, sizeof class_results[2][1].message,
             "alice on t1 line 3,\nop #2: \"x\"\r\nsecond line");
    const char *one = shard_book("s1.csv", s, (size_t[]){0, 2}, 2, 1, 2, 3);
    const char *two = shard_book("s2.csv", s, (size_t[]){1}, 1, 2, 2, 3);
    const char *out = path_in("merged.csv");
    char error[512] = "";
    ck_assert_msg(grade_merge(out, (const char *[]){one, two}, 2, error, sizeof error) == 0, "%s",
                  error);
    char *text = test_read_file(out, NULL);
    ck_assert_ptr_nonnull(
        strstr(text, ",\"alice on t1 line 3,\nop #2: \"\"x\"\"\r\nsecond line\",1/2,3\nbob,"));
    free(text);
}
END_TEST

/* ---- what the student reads -------------------------------------------------------- */

static struct grade_context context_of(void)
{
    return (struct grade_context){.config = &config, .traces = traces, .reference = reference,
                                  .dmm_dir = "/opt/dmm", .compiler = "cc",
                                  .machine = "machine: test box, 4 cores"};
}

START_TEST(autograder_lines_are_the_cmu_drivers)
{
    struct grade_student s = example();
    s.score.traces_correct = 11;
    s.score.index = 81.6;
    char *text = NULL;
    size_t size;
    FILE *out = open_memstream(&text, &size);
    grade_print_autograder(out, &s);
    fclose(out);
    ck_assert_str_eq(text, "correct:11\nperfidx:82\n");
    free(text);
}
END_TEST

START_TEST(gradescope_json_has_a_test_per_trace)
{
    struct grade_student s = example();
    config.trace_count = 3;
    config.failure = FAILURE_TRACE;
    config_traces[2].weight = 0;
    results[2] = failed(REPLAY_FAIL, "bob on t2 line 4: \"bad\"\nnext\x01 end \xff \xc3\xa9");
    grade_score(&config, traces, reference, &s);
    struct grade_context c = context_of();
    const char *path = path_in("results.json");
    char error[512];
    ck_assert_int_eq(grade_write_gradescope(path, &c, &s, error, sizeof error), 0);
    char *text = test_read_file(path, NULL);
    const char *start = "{\"score\": 74.0000, \"output\": \"dmm-grade: bob\\n";
    ck_assert_msg(strncmp(text, start, strlen(start)) == 0, "%s", text);
    /* t0: 50 points of 100 (weight 1 of 2), index 80 -> 40 */
    ck_assert_ptr_nonnull(strstr(text, "{\"name\": \"trace t0\", \"score\": 40.0000, "
                                       "\"max_score\": 50.0000, \"output\": \"valid;"));
    ck_assert_ptr_nonnull(strstr(text, "{\"name\": \"trace t1\", \"score\": 34.0000, "
                                       "\"max_score\": 50.0000"));
    ck_assert_ptr_nonnull(strstr(text, "{\"name\": \"trace t2\", \"score\": 0.0000, "
                                       "\"max_score\": 0.0000, \"output\": \"fail: bob on t2 "
                                       "line 4: \\\"bad\\\"\\nnext\\u0001 end \\ufffd "
                                       "\xc3\xa9\"}"));
    ck_assert_ptr_nonnull(strstr(text, "instead of the sum of the tests"));
    ck_assert_ptr_null(strchr(text, '\x01'));
    ck_assert_ptr_nonnull(strstr(text, "\n]}\n"));
    free(text);
    char tmp[256];
    snprintf(tmp, sizeof tmp, "%s.tmp", path);
    ck_assert_int_ne(access(tmp, F_OK), 0);

    /* not built: one test, "build" */
    struct grade_student carol = student_of("carol");
    carol.build = BUILD_REFUSED;
    carol.results = NULL;
    snprintf(carol.build_message, sizeof carol.build_message, "calls \"system\"");
    grade_score(&config, traces, reference, &carol);
    ck_assert_int_eq(grade_write_gradescope(path, &c, &carol, error, sizeof error), 0);
    text = test_read_file(path, NULL);
    ck_assert_ptr_nonnull(strstr(text, "{\"score\": 0.0000, "));
    ck_assert_ptr_nonnull(strstr(text, "\"tests\": [\n  {\"name\": \"build\", \"score\": 0.0000, "
                                       "\"max_score\": 100.0000, \"output\": \"refused: calls "
                                       "\\\"system\\\"\\n\"}\n]}\n"));
    free(text);
}
END_TEST

START_TEST(feedback_has_the_table_the_failure_and_how_to_reproduce_it)
{
    struct grade_student students[3];
    make_class(students);
    struct grade_context c = context_of();
    const struct grade_student *alice = &students[2];
    char error[512] = "";
    ck_assert_msg(grade_write_feedback(&c, alice, error, sizeof error) == 0, "%s", error);

    char command[8192], path[4200];
    grade_build_command("/opt/dmm", "cc", alice->source, "./libdmm-alice.so", command,
                        sizeof command);
    snprintf(path, sizeof path, "%s/feedback.txt", alice->work_dir);
    char *text = test_read_file(path, NULL);
    ck_assert_ptr_nonnull(text);
    ck_assert_ptr_nonnull(strstr(text, "dmm-grade: alice\n"));
    ck_assert_ptr_nonnull(strstr(text, "trace  weight  valid"));
    ck_assert_ptr_nonnull(strstr(text, "secs"));
    ck_assert_ptr_nonnull(strstr(text, "Kops"));
    ck_assert_ptr_nonnull(strstr(text, "machine: test box, 4 cores"));
    ck_assert_ptr_nonnull(strstr(text, "steady state"));
    ck_assert_ptr_nonnull(strstr(text, "index = 100 × (0.6 × 0.4000 + 0.4 × min(1, 0.8000) × "
                                       "0.50) = 40.00"));
    ck_assert_ptr_nonnull(strstr(text, "score = 40.00 × 100 / 100 = 40.00 of 100 points"));
    ck_assert_ptr_nonnull(
        strstr(text, "alice on t1 line 3, op #2 (free id 7): \"double\" free"));
    ck_assert_msg(command[0] != '\0' && strstr(text, command) != NULL, "no '%s' in\n%s",
                  command, text);
    ck_assert_ptr_nonnull(strstr(text, "build/harness/dmm-replay -a ./libdmm-alice.so "
                                       "--sandbox --timeout 4.5 --repeat 3 'my traces/t1.rep'\n"));
    ck_assert_ptr_nonnull(strstr(text, "build/harness/dmm-replay -a ./libdmm-alice.so "
                                       "--check-every 1 'my traces/t1.rep'\n"));
    /* the per-trace rows: t0 valid, index 80; t1 failed */
    ck_assert_ptr_nonnull(strstr(text, "\nt0 "));
    ck_assert_ptr_nonnull(strstr(text, "  80.0\n"));
    ck_assert_ptr_nonnull(strstr(text, "   fail"));
    free(text);

    snprintf(path, sizeof path, "%s/feedback.html", alice->work_dir);
    text = test_read_file(path, NULL);
    ck_assert_ptr_nonnull(text);
    ck_assert_ptr_nonnull(strstr(text, "<th>Kops</th>"));
    ck_assert_ptr_nonnull(strstr(text, "(free id 7): &quot;double&quot; free"));
    ck_assert_ptr_nonnull(strstr(text, "--check-every 1 &#39;my traces/t1.rep&#39;"));
    ck_assert_ptr_null(strstr(text, "\"double\""));
    free(text);

    /* not built: the message, the compiler's output (escaped) and the build command */
    const struct grade_student *carol = &students[1];
    ck_assert_msg(grade_write_feedback(&c, carol, error, sizeof error) == 0, "%s", error);
    snprintf(path, sizeof path, "%s/feedback.html", carol->work_dir);
    text = test_read_file(path, NULL);
    ck_assert_ptr_nonnull(strstr(text, "expected &#39;;&#39; before &#39;}&#39; token"));
    ck_assert_ptr_nonnull(strstr(text, "Not built: carol.c:3: error: expected &#39;;&#39;"));
    ck_assert_ptr_null(strstr(text, "<table>"));
    free(text);
    snprintf(path, sizeof path, "%s/feedback.txt", carol->work_dir);
    text = test_read_file(path, NULL);
    grade_build_command("/opt/dmm", "cc", carol->source, "./libdmm-carol.so", command,
                        sizeof command);
    ck_assert_ptr_nonnull(strstr(text, command));
    ck_assert_ptr_nonnull(strstr(text, "build: failed, 0 warnings: carol.c:3: error"));
    free(text);
}
END_TEST

START_TEST(feedback_for_instruction_cost_shows_instructions_per_op)
{
    struct grade_student s = example();
    config.cost = COST_INSTRUCTIONS;
    grade_score(&config, traces, reference, &s);
    struct grade_context c = context_of();
    c.machine = NULL; /* then the configuration's words say what the cost is */
    char error[512] = "", path[4200];
    ck_assert_msg(grade_write_feedback(&c, &s, error, sizeof error) == 0, "%s", error);
    snprintf(path, sizeof path, "%s/feedback.txt", s.work_dir);
    char *text = test_read_file(path, NULL);
    ck_assert_ptr_nonnull(strstr(text, "throughput: instructions per operation (lower is "
                                       "better), against glibc's counted in the same run.\n"));
    ck_assert_ptr_nonnull(strstr(text, "instr/op"));
    ck_assert_ptr_null(strstr(text, "Kops  "));
    ck_assert_ptr_nonnull(strstr(text, "125.0"));
    ck_assert_ptr_null(strstr(text, "First failure"));
    free(text);
}
END_TEST

START_TEST(feedback_caps_a_long_build_log)
{
    struct grade_student s = student_of("dave");
    s.build = BUILD_FAILED;
    s.results = NULL;
    snprintf(s.build_message, sizeof s.build_message, "dave.c:1: error: <many>");
    char *log = malloc(100001);
    ck_assert_ptr_nonnull(log);
    memset(log, 'x', 100000);
    log[100000] = '\0';
    log[0] = '<';
    s.build_log = log;
    grade_score(&config, traces, reference, &s);
    struct grade_context c = context_of();
    char error[512] = "", path[4200];
    ck_assert_msg(grade_write_feedback(&c, &s, error, sizeof error) == 0, "%s", error);
    size_t length;
    snprintf(path, sizeof path, "%s/feedback.txt", s.work_dir);
    char *text = test_read_file(path, &length);
    ck_assert_ptr_nonnull(
        strstr(text, "[... 83616 more bytes of the compiler's output not shown]"));
    ck_assert_uint_lt(length, 20000);
    free(text);
    snprintf(path, sizeof path, "%s/feedback.html", s.work_dir);
    text = test_read_file(path, &length);
    ck_assert_ptr_nonnull(strstr(text, "<pre>&lt;xxx"));
    ck_assert_ptr_nonnull(strstr(text, "error: &lt;many&gt;"));
    ck_assert_ptr_null(strstr(text, "<many>"));
    free(text);
    free(log);
}
END_TEST

int main(void)
{
    const struct test_group groups[] = {
        {"index",
         {relative_cost_matches_the_worked_example, fixed_cost_compares_with_reference_kops,
          instruction_cost_is_lower_is_better, faster_than_the_reference_earns_no_more,
          failure_trace_rule_scores_the_others, failure_all_rule_zeroes_the_index,
          weight_zero_traces_are_not_scored, a_student_not_built_scores_nothing,
          missing_figures_never_divide_by_zero}},
        {"book",
         {book_has_exact_bytes_and_quotes_messages,
          book_is_deterministic_and_instructions_have_two_decimals,
          shard_parse_accepts_k_of_n_and_explains_the_rest,
          shards_are_a_round_robin_covering_each_student_once}},
        {"merge",
         {merge_of_shards_is_the_whole_class_book, merge_refuses_what_is_not_one_class,
          merge_reads_quoted_fields_with_line_ends}},
        {"feedback",
         {autograder_lines_are_the_cmu_drivers, gradescope_json_has_a_test_per_trace,
          feedback_has_the_table_the_failure_and_how_to_reproduce_it,
          feedback_for_instruction_cost_shows_instructions_per_op,
          feedback_caps_a_long_build_log}},
    };
    return run_test_groups_fixture("grade/score", groups, sizeof groups / sizeof groups[0],
                                   setup, teardown);
}
