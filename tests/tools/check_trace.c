/*
 * check_trace.c — the trace parser reads both formats exactly as
 * docs/traces.md says, rejects every malformed thing with the right line
 * and message, and never crashes, whatever the bytes.
 */
#define _POSIX_C_SOURCE 200809L /* mkstemp, ftruncate */

#include "trace.h"

#include "testfile.h"

#include <check.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <time.h>
#include <unistd.h>

#define TRACES DMM_SOURCE_DIR "/tests/support/traces/"

/* As in testlib.h (not linked here): costs nothing until it fails, unlike
 * ck_assert, which records a checkpoint on every pass. */
#define require(condition, ...)                                                        \
    do {                                                                               \
        if (!(condition))                                                              \
            ck_abort_msg(__VA_ARGS__);                                                 \
    } while (0)

/* One expected operation: the trace's own ID (-1 for free(NULL)). */
struct expected_op {
    char kind;
    int64_t id;
    size_t nmemb, size;
    uint32_t line;
};

static void assert_ops(const struct trace *trace, const struct expected_op *expected, size_t count)
{
    ck_assert_uint_eq(trace->op_count, count);
    for (size_t i = 0; i < count; i++) {
        const struct trace_op *op = &trace->ops[i];
        require(op->kind == expected[i].kind, "op %zu: kind '%c', expected '%c'", i, op->kind,
                expected[i].kind);
        require(op->line == expected[i].line, "op %zu: line %u, expected %u", i, op->line,
                expected[i].line);
        require(op->size == expected[i].size, "op %zu: size %zu", i, op->size);
        require(op->nmemb == expected[i].nmemb, "op %zu: nmemb %zu", i, op->nmemb);
        if (expected[i].id < 0) {
            require(op->slot == TRACE_NO_SLOT, "op %zu: free(NULL) has slot %u", i, op->slot);
        } else {
            require(op->slot < trace->slot_count, "op %zu: slot %u out of range", i, op->slot);
            require(trace->slot_ids[op->slot] == (uint64_t)expected[i].id,
                    "op %zu: slot %u holds ID %llu, expected %lld", i, op->slot,
                    (unsigned long long)trace->slot_ids[op->slot], (long long)expected[i].id);
        }
    }
}

static int parse_text(const char *path, const char *text, struct trace *trace, char *error,
                      size_t error_size)
{
    return trace_parse(path, text, strlen(text), trace, error, error_size);
}

/* Parses text that must be valid; the caller frees the trace. */
static struct trace parse_valid(const char *text)
{
    struct trace trace;
    char error[256];
    int result = parse_text("t.trace", text, &trace, error, sizeof error);
    ck_assert_msg(result == 0, "valid text rejected: %s", error);
    return trace;
}

static void assert_empty(const struct trace *trace)
{
    ck_assert_ptr_null(trace->path);
    ck_assert_ptr_null(trace->name);
    ck_assert_ptr_null(trace->ops);
    ck_assert_ptr_null(trace->slot_ids);
    ck_assert_uint_eq(trace->op_count, 0);
    ck_assert_uint_eq(trace->slot_count, 0);
}

/* Parses length bytes that must be rejected with exactly the message. */
static void assert_rejected_bytes(const char *path, const char *text, size_t length,
                                  const char *message)
{
    struct trace trace;
    char error[256] = "untouched";
    int result = trace_parse(path, text, length, &trace, error, sizeof error);
    ck_assert_msg(result == -1, "accepted, expected \"%s\"", message);
    ck_assert_str_eq(error, message);
    assert_empty(&trace);
}

static void assert_rejected(const char *path, const char *text, const char *message)
{
    assert_rejected_bytes(path, text, strlen(text), message);
}

static char *read_file(const char *path, size_t *length)
{
    char *text = test_read_file(path, length);
    ck_assert_msg(text != NULL, "cannot open %s", path);
    return text;
}

/* ---- valid files ------------------------------------------------------------ */

START_TEST(dmm_file_with_every_rule)
{
    static const struct expected_op expected[] = {
        {'a', 0, 0, 16, 2},          {'c', 1000000, 4, 8, 3}, {'r', 0, 0, 100, 4},
        {'r', 7, 0, 32, 8},          {'r', 7, 0, 0, 9},       {'a', 7, 0, 1, 10},
        {'f', -1, 0, 0, 11},         {'r', 9, 0, 0, 12},      {'f', 9, 0, 0, 13},
        {'f', 0, 0, 0, 14},          {'f', 1000000, 0, 0, 15}, {'a', 4294967294, 0, 0, 16},
        {'f', 4294967294, 0, 0, 17}, {'a', 3, 0, PTRDIFF_MAX, 18}, {'f', 3, 0, 0, 19},
        {'f', 7, 0, 0, 20},
    };
    struct trace trace;
    char error[256];
    int result = trace_load(TRACES "valid.trace", &trace, error, sizeof error);
    ck_assert_msg(result == 0, "%s", error);
    ck_assert_int_eq(trace.format, TRACE_FORMAT_DMM);
    ck_assert_str_eq(trace.path, TRACES "valid.trace");
    ck_assert_str_eq(trace.name, "valid");
    assert_ops(&trace, expected, sizeof expected / sizeof expected[0]);
    /* Slots are dense, in order of first appearance. */
    static const uint64_t ids[] = {0, 1000000, 7, 9, 4294967294, 3};
    ck_assert_uint_eq(trace.slot_count, 6);
    for (size_t i = 0; i < 6; i++)
        ck_assert_uint_eq(trace.slot_ids[i], ids[i]);
    ck_assert_uint_eq(trace.ops[0].slot, 0);
    ck_assert_uint_eq(trace.ops[1].slot, 1);
    ck_assert_uint_eq(trace.ops[3].slot, 2);
    trace_free(&trace);
    assert_empty(&trace);
    trace_free(&trace); /* an empty trace can be freed again */
}
END_TEST

START_TEST(crlf_line_ends_read_as_lf)
{
    static const struct expected_op expected[] = {
        {'a', 5, 0, 10, 1}, {'c', 6, 2, 3, 2}, {'r', 5, 0, 20, 5}, {'f', 5, 0, 0, 6},
        {'f', 6, 0, 0, 7},
    };
    struct trace trace;
    char error[256];
    ck_assert_msg(trace_load(TRACES "crlf.trace", &trace, error, sizeof error) == 0, "%s", error);
    assert_ops(&trace, expected, 5); /* the last line ends in a lone '\r' */
    trace_free(&trace);
    /* Only the '\r' at a line end goes: inside a line it is a wrong byte. */
    assert_rejected("t.trace", "a 1\r 2\n", "t.trace:1: not a number: '1\\x0d'");
}
END_TEST

START_TEST(rep_file)
{
    static const struct expected_op expected[] = {
        {'a', 0, 0, 24, 5}, {'a', 3, 0, 100, 6}, {'r', 0, 0, 48, 7}, {'f', 3, 0, 0, 8},
        {'a', 1, 0, 7, 9},  {'r', 1, 0, 0, 10},  {'f', 0, 0, 0, 11}, {'a', 2, 0, 5, 12},
    };
    struct trace trace;
    char error[256];
    ck_assert_msg(trace_load(TRACES "small.rep", &trace, error, sizeof error) == 0, "%s", error);
    ck_assert_int_eq(trace.format, TRACE_FORMAT_REP);
    ck_assert_str_eq(trace.name, "small");
    assert_ops(&trace, expected, sizeof expected / sizeof expected[0]);
    ck_assert_uint_eq(trace.slot_count, 4);
    trace_free(&trace);
}
END_TEST

START_TEST(rep_header_may_have_comments_and_more_ids_than_used)
{
    struct trace trace = parse_valid("# made by hand\n\n100\n  8  # IDs 0..7 allowed\n2\n1\n"
                                     "a 5 10\nf 5\n");
    ck_assert_int_eq(trace.format, TRACE_FORMAT_REP);
    ck_assert_uint_eq(trace.op_count, 2);
    ck_assert_uint_eq(trace.ops[0].line, 7);
    trace_free(&trace);
    trace = parse_valid("0\n0\n0\n0\n"); /* a header and nothing else */
    ck_assert_int_eq(trace.format, TRACE_FORMAT_REP);
    ck_assert_uint_eq(trace.op_count, 0);
    trace_free(&trace);
}
END_TEST

START_TEST(empty_and_comment_only_files_have_no_operations)
{
    static const char *const texts[] = {"", "\n", "# nothing\n", "   \t\n\n# x\r\n", "#"};
    for (size_t i = 0; i < sizeof texts / sizeof texts[0]; i++) {
        struct trace trace = parse_valid(texts[i]);
        ck_assert_int_eq(trace.format, TRACE_FORMAT_DMM);
        ck_assert_uint_eq(trace.op_count, 0);
        ck_assert_uint_eq(trace.slot_count, 0);
        ck_assert_str_eq(trace.name, "t");
        trace_free(&trace);
    }
    struct trace trace;
    char error[64];
    ck_assert_int_eq(trace_parse("t.trace", NULL, 0, &trace, error, sizeof error), 0);
    trace_free(&trace);
}
END_TEST

START_TEST(last_line_needs_no_newline)
{
    struct trace trace = parse_valid("a 1 8\nf 1");
    ck_assert_uint_eq(trace.op_count, 2);
    ck_assert_uint_eq(trace.ops[1].line, 2);
    trace_free(&trace);
    assert_rejected("t.trace", "a 1 8\nf", "t.trace:2: missing field: ID");
}
END_TEST

START_TEST(realloc_rules_for_liveness)
{
    /* r of a non-live ID allocates (even r ID 0), r ID 0 of a live one frees. */
    struct trace trace = parse_valid("r 1 0\nf 1\nr 2 5\nr 2 0\na 2 3\nr 2 9\nf 2\n");
    ck_assert_uint_eq(trace.op_count, 7);
    trace_free(&trace);
    assert_rejected("t.trace", "r 1 0\na 1 4\n", "t.trace:2: malloc of ID 1, which is already live");
    assert_rejected("t.trace", "a 1 4\nr 1 0\nf 1\n", "t.trace:3: free of ID 1, which is not live");
    assert_rejected("t.trace", "a 1 4\nr 1 8\nc 1 1 1\n",
                    "t.trace:3: calloc of ID 1, which is already live");
}
END_TEST

START_TEST(name_is_the_file_name_without_extension)
{
    static const char *const cases[][2] = {
        {"traces/x.y.trace", "x.y"}, {"/a/b/plain", "plain"}, {".hidden", ".hidden"},
        {"dir/.hidden.rep", ".hidden"}, {"a.b/c", "c"},       {"dir/", "dir/"},
    };
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        struct trace trace;
        char error[64];
        ck_assert_int_eq(trace_parse(cases[i][0], "", 0, &trace, error, sizeof error), 0);
        ck_assert_str_eq(trace.path, cases[i][0]);
        ck_assert_str_eq(trace.name, cases[i][1]);
        trace_free(&trace);
    }
}
END_TEST

/* ---- malformed input: one case per error class ------------------------------ */

START_TEST(every_error_class_with_its_line)
{
    static const char *const cases[][2] = {
        {"a 1 8\n\nq 1\n", "t.trace:3: unknown op 'q'"},
        {"alloc 1 8\n", "t.trace:1: unknown op 'alloc'"},
        {"A 1 8\n", "t.trace:1: unknown op 'A'"},
        {"# x\na 1\n", "t.trace:2: missing field: SIZE"},
        {"a\n", "t.trace:1: missing field: ID"},
        {"c 1\n", "t.trace:1: missing field: NMEMB"},
        {"c 1 2 # 3\n", "t.trace:1: missing field: SIZE"},
        {"f\n", "t.trace:1: missing field: ID"},
        {"a 1 2\nf 1 7\n", "t.trace:2: extra field '7'"},
        {"f -1 7\n", "t.trace:1: extra field '7'"},
        {"c 1 2 3 4 5\n", "t.trace:1: extra field '4'"},
        {"a ab 5\n", "t.trace:1: not a number: 'ab'"},
        {"a 1 0x10\n", "t.trace:1: not a number: '0x10'"},
        {"a 1 +5\n", "t.trace:1: not a number: '+5'"},
        {"a 1 -\n", "t.trace:1: not a number: '-'"},
        {"a 1 5k\n", "t.trace:1: not a number: '5k'"},
        {"a 1 \x01\n", "t.trace:1: not a number: '\\x01'"},
        {"a 1 99999999999999999999x\n", "t.trace:1: not a number: '99999999999999999999x'"},
        {"\n\n\na 1 99999999999999999999999\n",
         "t.trace:4: number out of range: '99999999999999999999999'"},
        {"a 1 9223372036854775808\n", "t.trace:1: number out of range: '9223372036854775808' "
                                      "(the largest size is 9223372036854775807)"},
        {"a 4294967295 1\n",
         "t.trace:1: number out of range: '4294967295' (the largest ID is 4294967294)"},
        {"c 1 9223372036854775808 1\n", "t.trace:1: number out of range: "
                                        "'9223372036854775808' (the largest NMEMB is "
                                        "9223372036854775807)"},
        {"a 1 1\n\n\n\n\na 2 -5\n", "t.trace:6: negative size: '-5'"},
        {"a 1 -99999999999999999999999\n", "t.trace:1: negative size: '-99999999999999999999999'"},
        {"a -3 5\n", "t.trace:1: negative ID: '-3'"},
        {"a -1 5\n", "t.trace:1: negative ID: '-1'"},
        {"r -1 5\n", "t.trace:1: negative ID: '-1'"},
        {"f -2\n", "t.trace:1: negative ID: '-2'"},
        {"c 1 -2 3\n", "t.trace:1: negative NMEMB: '-2'"},
        {"c 1 2 -3\n", "t.trace:1: negative size: '-3'"},
        {"a 7 1\nf 8\n", "t.trace:2: free of ID 8, which is not live"},
        {"a 7 1\nf 7\nf 7\n", "t.trace:3: free of ID 7, which is not live"},
        {"a 7 1\nr 7 9\na 7 2\n", "t.trace:3: malloc of ID 7, which is already live"},
        {"c 7 1 1\nc 7 1 1\n", "t.trace:2: calloc of ID 7, which is already live"},
        /* the first error in the file is the one reported */
        {"q\nf 9\n", "t.trace:1: unknown op 'q'"},
        /* a long token is cut in the message */
        {"a 1 12345678901234567890123456789012345678901234567890\n",
         "t.trace:1: number out of range: '1234567890123456789012345678901234567890...'"},
    };
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++)
        assert_rejected("t.trace", cases[i][0], cases[i][1]);
}
END_TEST

START_TEST(rep_header_errors)
{
    static const char *const cases[][2] = {
        {"20\n2\n3\n1\na 0 1\na 1 1\na 2 1\n", "t.rep:2: header says 2 IDs, the file uses ID 2 (line 7)"},
        {"20\n0\n1\n1\na 0 1\n", "t.rep:2: header says 0 IDs, the file uses ID 0 (line 5)"},
        {"20\n2\n1\n", "t.rep:1: a .rep header is 2 numbers (IDs, operations) or 4 (heap size, "
                        "IDs, operations, weight), one per line; this one has 3 (lines 1-3)"},
        {"20\n# IDs\n2\n1\na 0 1\n", "t.rep:1: a .rep header is 2 numbers (IDs, operations) or 4 "
                                    "(heap size, IDs, operations, weight), one per line; this "
                                    "one has 3 (lines 1-4)"},
        {"20\n2 3\n1\n1\n", "t.rep:2: extra field '3'"},
        {"20\n-2\n1\n1\n", "t.rep:2: negative number of IDs: '-2'"},
        {"-20\n2\n1\n1\n", "t.rep:1: negative heap size: '-20'"},
        {"20\n2\nx\n1\n", "t.rep:3: unknown op 'x'"}, /* a 2-number header, then ops */
        {"2\n-1\na 0 1\n", "t.rep:2: negative number of operations: '-1'"},
        {"2\n1\na 2 1\n", "t.rep:1: header says 2 IDs, the file uses ID 2 (line 3)"},
        {"20\n2\n1\n99999999999999999999999\n", "t.rep:4: number out of range: '99999999999999999999999'"},
        {"20\n2\n1\n1\n7\n", "t.rep:5: unknown op '7'"},
        {"20\n2\n2\n1\na 0 1\nf 1\n", "t.rep:6: free of ID 1, which is not live"},
    };
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++)
        assert_rejected("t.rep", cases[i][0], cases[i][1]);
}
END_TEST

/* ---- .rep files as they circulate --------------------------------------------- */

/* Parses text that must be valid and carry exactly this warning (NULL: none). */
static void assert_warning(const char *text, const char *warning, size_t op_count)
{
    struct trace trace;
    char error[256];
    ck_assert_msg(parse_text("t.rep", text, &trace, error, sizeof error) == 0, "rejected: %s",
                  error);
    ck_assert_int_eq(trace.format, TRACE_FORMAT_REP);
    ck_assert_uint_eq(trace.op_count, op_count);
    if (warning == NULL)
        ck_assert_msg(trace.warning == NULL, "unexpected warning: %s", trace.warning);
    else
        ck_assert_str_eq(trace.warning != NULL ? trace.warning : "(none)", warning);
    trace_free(&trace);
}

START_TEST(rep_two_number_header)
{
    assert_warning("3\n4\na 0 8\na 2 8\nf 0\nf 2\n", NULL, 4);
    assert_warning("# ids, ops\n3 # IDs\n\n1\na 0 8\n", NULL, 1);
    assert_warning("3\r\n2\r\na 0 8\r\nf 0\r\n", NULL, 2); /* CRLF */
    assert_warning("1\n0\n", NULL, 0);                      /* a header and nothing else */
}
END_TEST

/* Until issue 10 these were errors ("header says 10 operations, the file
 * has 9"); the body wins now, and the reader is told where the header is. */
START_TEST(rep_operation_count_off_is_a_warning)
{
    assert_warning("20\n2\n10\n1\na 0 1\nf 0\na 1 1\nf 1\na 0 1\nf 0\na 1 1\nf 1\na 0 1\n",
                   "t.rep:3: warning: header says 10 operations, the file has 9 (all 9 are "
                   "replayed)", 9);
    assert_warning("20\n2\n# ops:\n1\n1\na 0 1\nf 0\n",
                   "t.rep:4: warning: header says 1 operation, the file has 2 (all 2 are replayed)",
                   2);
    assert_warning("20\n2\n", "t.rep:2: warning: header says 2 operations, the file has 0 (all 0 "
                   "are replayed)", 0);
    assert_warning("20\n2\na 0 1\n", "t.rep:2: warning: header says 2 operations, the file has 1 "
                   "(all 1 are replayed)", 1);
    assert_warning("20000\r\n2\r\n1\r\n1\r\na 0 1\r\nf 0\r\n",
                   "t.rep:3: warning: header says 1 operation, the file has 2 (all 2 are replayed)",
                   2);

    static const struct {
        const char *file;
        const char *warning;
        size_t ops;
    } files[] = {
        {"short.rep", "short.rep:3: warning: header says 5 operations, the file has 4 (all 4 are "
                      "replayed)", 4},
        {"two-number-header.rep", "two-number-header.rep:4: warning: header says 5 operations, "
                                  "the file has 6 (all 6 are replayed)", 6},
    };
    for (size_t i = 0; i < sizeof files / sizeof files[0]; i++) {
        char path[4096], expected[4096 + 256], error[4096 + 256];
        snprintf(path, sizeof path, "%s%s", TRACES, files[i].file);
        snprintf(expected, sizeof expected, "%s%s", TRACES, files[i].warning);
        struct trace trace;
        ck_assert_msg(trace_load(path, &trace, error, sizeof error) == 0, "%s", error);
        ck_assert_uint_eq(trace.op_count, files[i].ops);
        ck_assert_str_eq(trace.warning != NULL ? trace.warning : "(none)", expected);
        trace_free(&trace);
    }
}
END_TEST

START_TEST(rep_header_on_one_line_is_explained)
{
    assert_rejected("t.rep", "20000 3 5 1\na 0 8\n",
                    "t.rep:1: '20000 3 5 1' looks like a .rep header on one line: a .rep header "
                    "is 2 numbers (IDs, operations) or 4 (heap size, IDs, operations, weight), one "
                    "per line");
    assert_rejected("t.rep", "# x\n3 2\na 0 8\nf 0\n",
                    "t.rep:2: '3 2' looks like a .rep header on one line: a .rep header is 2 "
                    "numbers (IDs, operations) or 4 (heap size, IDs, operations, weight), one per "
                    "line");
    /* One lone number, then operations (or nothing, a blank, CRLF, a comment). */
    static const char *const one_number[] = {"20000\na 0 8\n", "20000\n", "20000\n\na 0 8\nf 0\n",
                                             "20000\r\na 0 8\r\n", "20000 # heap\na 0 8\n"};
    for (size_t i = 0; i < sizeof one_number / sizeof one_number[0]; i++)
        assert_rejected("t.rep", one_number[i],
                        "t.rep:1: a .rep header is 2 numbers (IDs, operations) or 4 (heap size, "
                        "IDs, operations, weight), one per line; this one has 1 (line 1)");
}
END_TEST

START_TEST(malformed_files_name_their_line)
{
    static const char *const cases[][2] = {
        {"nul.trace", "nul.trace:3: NUL byte"},
        {"double-free.trace", "double-free.trace:5: free of ID 1, which is not live"},
    };
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        char path[4096];
        snprintf(path, sizeof path, "%s%s", TRACES, cases[i][0]);
        struct trace trace;
        char error[4096 + 256], expected[4096 + 256];
        ck_assert_int_eq(trace_load(path, &trace, error, sizeof error), -1);
        snprintf(expected, sizeof expected, "%s%s", TRACES, cases[i][1]);
        ck_assert_str_eq(error, expected);
        assert_empty(&trace);
    }
}
END_TEST

START_TEST(nul_bytes_are_errors_even_in_comments)
{
    assert_rejected_bytes("t.trace", "a 1 8\nf 1\0\n", 11, "t.trace:2: NUL byte");
    assert_rejected_bytes("t.trace", "# \0\n", 4, "t.trace:1: NUL byte");
    assert_rejected_bytes("t.trace", "\0", 1, "t.trace:1: NUL byte");
}
END_TEST

START_TEST(io_errors_name_the_file)
{
    struct trace trace;
    char error[256];
    ck_assert_int_eq(trace_load("/nonexistent/x.trace", &trace, error, sizeof error), -1);
    ck_assert_str_eq(error, "/nonexistent/x.trace: No such file or directory");
    assert_empty(&trace);
    ck_assert_int_eq(trace_load(TRACES, &trace, error, sizeof error), -1);
    ck_assert_str_eq(error, TRACES ": Is a directory");
    assert_empty(&trace);
}
END_TEST

START_TEST(small_or_missing_error_buffers_are_safe)
{
    struct trace trace;
    char error[8];
    memset(error, 'x', sizeof error);
    ck_assert_int_eq(parse_text("long-name.trace", "q\n", &trace, error, sizeof error), -1);
    ck_assert_str_eq(error, "long-na"); /* cut, still terminated */
    ck_assert_int_eq(parse_text("t.trace", "q\n", &trace, NULL, 0), -1);
    ck_assert_int_eq(parse_text("t.trace", "q\n", &trace, error, 0), -1);
    assert_empty(&trace);
}
END_TEST

/* ---- size and speed ---------------------------------------------------------- */

START_TEST(a_million_lines_parse_quickly)
{
    /* 250,000 rounds of 4 lines: malloc, realloc, calloc, free; IDs strided
     * so the hash sees sparse keys. */
    size_t rounds = 250000, capacity = rounds * 80, length = 0;
    char *text = malloc(capacity);
    ck_assert_ptr_nonnull(text);
    for (size_t i = 0; i < rounds; i++) {
        unsigned long long id = (unsigned long long)i * 7919;
        length += (size_t)snprintf(text + length, capacity - length,
                                   "a %llu %zu\nr %llu %zu\nc %llu 3 %zu\nf %llu\n", id, i % 4096,
                                   id, 1 + i % 999, id + 1, i % 100, id);
    }
    struct trace trace;
    char error[256];
    struct timespec start, end;
    timespec_get(&start, TIME_UTC);
    int result = trace_parse("big.trace", text, length, &trace, error, sizeof error);
    timespec_get(&end, TIME_UTC);
    double seconds = (double)(end.tv_sec - start.tv_sec) + (double)(end.tv_nsec - start.tv_nsec) / 1e9;
    ck_assert_msg(result == 0, "%s", error);
    ck_assert_uint_eq(trace.op_count, 4 * rounds);
    ck_assert_uint_eq(trace.slot_count, 2 * rounds);
    ck_assert_uint_eq(trace.ops[4 * rounds - 1].line, 4 * rounds);
    ck_assert_uint_eq(trace.slot_ids[trace.ops[4 * rounds - 2].slot], (rounds - 1) * 7919 + 1);
    printf("check_trace: %zu lines parsed in %.3f s\n", 4 * rounds, seconds);
    /* Generous, so sanitizers and slow machines pass; a quadratic parser
     * would take minutes. */
    ck_assert_msg(seconds < 5.0, "%zu lines took %.3f s", 4 * rounds, seconds);
    trace_free(&trace);
    free(text);
}
END_TEST

/* ---- arbitrary bytes ----------------------------------------------------------- */

static uint64_t next_random(uint64_t *state) /* splitmix64: deterministic, well mixed */
{
    uint64_t z = (*state += 0x9E3779B97F4A7C15u);
    z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9u;
    z = (z ^ (z >> 27)) * 0x94D049BB133111EBu;
    return z ^ (z >> 31);
}

/* Whatever trace_parse says about the bytes, it says it properly: a valid
 * trace whose operations obey the liveness rules, or one line of message
 * naming the path and an empty trace. The bytes are copied to a buffer of
 * exactly their length, so a read past the end is caught by a sanitizer. */
static void parse_anything(const char *bytes, size_t length, unsigned char *live, size_t live_size)
{
    char *copy = malloc(length ? length : 1);
    require(copy != NULL, "out of memory");
    memcpy(copy, bytes, length);
    struct trace trace;
    char error[256];
    error[0] = '\0';
    int result = trace_parse("fuzz.trace", copy, length, &trace, error, sizeof error);
    free(copy);
    require(result == 0 || result == -1, "result %d", result);
    if (result == -1) {
        require(strncmp(error, "fuzz.trace:", 11) == 0, "message \"%s\"", error);
        require(strlen(error) > 11 && strchr(error, '\n') == NULL, "message \"%s\"", error);
        require(trace.ops == NULL && trace.op_count == 0 && trace.path == NULL,
                "a rejected trace is not empty");
        return;
    }
    require(trace.slot_count <= live_size, "%zu slots", trace.slot_count);
    memset(live, 0, trace.slot_count);
    uint32_t previous_line = 0;
    for (size_t i = 0; i < trace.op_count; i++) {
        const struct trace_op *op = &trace.ops[i];
        require(op->line > previous_line, "op %zu: line %u not increasing", i, op->line);
        previous_line = op->line;
        require(op->slot < trace.slot_count || (op->kind == 'f' && op->slot == TRACE_NO_SLOT),
                "op %zu: slot %u", i, op->slot);
        require(op->size <= TRACE_MAX_SIZE && op->nmemb <= TRACE_MAX_SIZE, "op %zu: size", i);
        if (op->slot == TRACE_NO_SLOT)
            continue;
        unsigned char *state = &live[op->slot];
        switch (op->kind) {
        case 'a':
        case 'c':
            require(!*state, "op %zu: allocates a live ID", i);
            *state = 1;
            break;
        case 'r':
            *state = !*state || op->size > 0;
            break;
        case 'f':
            require(*state, "op %zu: frees a dead ID", i);
            *state = 0;
            break;
        default:
            require(0, "op %zu: kind %d", i, op->kind);
        }
    }
    trace_free(&trace);
}

/* One random edit of a valid trace: the bytes a careless editor, a cut
 * download or a hostile file could produce. */
static size_t mutate(char *text, size_t length, size_t capacity, uint64_t *state)
{
    static const char *const inserts[] = {
        "\0", "\n", "-", "99999999999999999999999", "\r", "#", " ", "\t", "-1", "4294967295",
        "9223372036854775808", "a 0 1\n", "f 0\n", "r 0 0\n", "c", "\r\n",
    };
    size_t position = length ? next_random(state) % (length + 1) : 0;
    switch (next_random(state) % 5) {
    case 0: /* flip a byte */
        if (position < length)
            text[position] = (char)next_random(state);
        return length;
    case 1: /* cut the rest */
        return position;
    case 2: /* delete a few bytes */
    {
        size_t n = next_random(state) % 8;
        if (position + n > length)
            n = length - position;
        memmove(text + position, text + position + n, length - position - n);
        return length - n;
    }
    default: /* insert one of the troublemakers */
    {
        size_t which = next_random(state) % (sizeof inserts / sizeof inserts[0]);
        size_t n = which == 0 ? 1 : strlen(inserts[which]);
        if (length + n > capacity)
            return length;
        memmove(text + position + n, text + position, length - position);
        memcpy(text + position, inserts[which], n);
        return length + n;
    }
    }
}

START_TEST(arbitrary_bytes_never_crash)
{
    static const char alphabet[] = "acrf0123456789 -\t\n\r#x\0";
    enum { CASES = 20000, MAX_LENGTH = 256 };
    unsigned char *live = malloc(MAX_LENGTH);
    ck_assert_ptr_nonnull(live);
    uint64_t state = 42;
    char bytes[MAX_LENGTH];
    size_t accepted = 0;
    for (size_t i = 0; i < CASES; i++) {
        size_t length = next_random(&state) % MAX_LENGTH;
        int any_byte = i % 4 == 0; /* else mostly bytes a trace is made of */
        for (size_t j = 0; j < length; j++) {
            uint64_t r = next_random(&state);
            bytes[j] = any_byte ? (char)r : alphabet[r % (sizeof alphabet - 1)];
        }
        parse_anything(bytes, length, live, MAX_LENGTH);
        struct trace trace;
        if (trace_parse("x", bytes, length, &trace, NULL, 0) == 0) {
            accepted++;
            trace_free(&trace);
        }
    }
    printf("check_trace: %zu of %d random byte strings were valid traces\n", accepted, CASES);
    free(live);
}
END_TEST

START_TEST(mutated_traces_never_crash)
{
    static const char *const seeds[] = {TRACES "valid.trace", TRACES "small.rep",
                                        TRACES "crlf.trace"};
    enum { ROUNDS = 8000, CAPACITY = 4096 };
    unsigned char *live = malloc(CAPACITY);
    char *text = malloc(CAPACITY);
    ck_assert_ptr_nonnull(live);
    ck_assert_ptr_nonnull(text);
    uint64_t state = 7;
    size_t accepted = 0, total = 0;
    for (size_t s = 0; s < sizeof seeds / sizeof seeds[0]; s++) {
        size_t seed_length;
        char *seed = read_file(seeds[s], &seed_length);
        for (size_t round = 0; round < ROUNDS; round++) {
            memcpy(text, seed, seed_length);
            size_t length = seed_length;
            size_t edits = 1 + next_random(&state) % 4;
            for (size_t e = 0; e < edits; e++)
                length = mutate(text, length, CAPACITY, &state);
            parse_anything(text, length, live, CAPACITY);
            struct trace trace;
            if (trace_parse("x", text, length, &trace, NULL, 0) == 0) {
                accepted++;
                trace_free(&trace);
            }
            total++;
        }
        free(seed);
    }
    printf("check_trace: %zu of %zu mutated traces were still valid\n", accepted, total);
    free(text);
    free(live);
}
END_TEST

START_TEST(huge_lines_are_fine)
{
    /* A megabyte of blanks, then an op on the same line; then a 1 MB token. */
    size_t n = 1 << 20;
    char *text = malloc(n + 64);
    ck_assert_ptr_nonnull(text);
    memset(text, ' ', n);
    memcpy(text + n, "a 1 8\n", 6);
    struct trace trace;
    char error[256];
    ck_assert_int_eq(trace_parse("t.trace", text, n + 6, &trace, error, sizeof error), 0);
    ck_assert_uint_eq(trace.op_count, 1);
    trace_free(&trace);
    memset(text, '7', n);
    memcpy(text, "a 1 ", 4);
    assert_rejected_bytes("t.trace", text, n, "t.trace:1: number out of range: "
                                              "'7777777777777777777777777777777777777777...'");
    free(text);
}
END_TEST

/* ---- files read a chunk at a time ------------------------------------------ */

/* A scratch file holding length bytes of text, in the build's temporary folder. */
static void write_scratch(const char *path, const char *text, size_t length)
{
    FILE *file = fopen(path, "wb");
    ck_assert_msg(file != NULL, "cannot create %s", path);
    ck_assert_uint_eq(fwrite(text, 1, length, file), length);
    ck_assert_int_eq(fclose(file), 0);
}

/* AddressSanitizer's redzones and quarantine keep freed memory resident,
 * so under it the memory bounds below are checked at three times their
 * value (the asan preset; the release build checks them as written). */
#if defined(__SANITIZE_ADDRESS__)
#define MEMORY_SLACK 3
#elif defined(__has_feature)
#if __has_feature(address_sanitizer)
#define MEMORY_SLACK 3
#endif
#endif
#ifndef MEMORY_SLACK
#define MEMORY_SLACK 1
#endif

/* The peak resident set of this process so far, in KiB. */
static long peak_kib(void)
{
    struct rusage usage;
    getrusage(RUSAGE_SELF, &usage);
    return usage.ru_maxrss;
}

static double seconds_since(const struct timespec *start)
{
    struct timespec now;
    timespec_get(&now, TIME_UTC);
    return (double)(now.tv_sec - start->tv_sec) + (double)(now.tv_nsec - start->tv_nsec) / 1e9;
}

/* trace_load and trace_parse agree, whatever falls on the 64 KiB boundaries
 * of trace_load's chunks: a CRLF split in two, long comments and blanks, a
 * NUL after a long comment, a last line without its end. */
START_TEST(loading_in_chunks_reads_what_parsing_does)
{
    size_t n = 200000;
    char *text = malloc(n + 64);
    ck_assert_ptr_nonnull(text);
    char path[] = "/tmp/dmm-check-trace-XXXXXX";
    int fd = mkstemp(path);
    ck_assert_int_ge(fd, 0);
    close(fd);
    for (size_t shift = 0; shift < 6; shift++) {
        for (int kind = 0; kind < 5; kind++) {
            size_t length = 0;
            /* a short line first, so the long one starts at a shifting offset */
            length += (size_t)sprintf(text, "a %zu 8\n", shift * 1000);
            size_t filler = 65536 - length - 3 + shift; /* near the first boundary */
            switch (kind) {
            case 0: /* a comment over the boundary, then an op */
                text[length++] = '#';
                memset(text + length, 'x', filler), length += filler;
                length += (size_t)sprintf(text + length, "\r\nf %zu\r\n", shift * 1000);
                break;
            case 1: /* blanks over the boundary, then the op on the same line */
                memset(text + length, ' ', filler), length += filler;
                length += (size_t)sprintf(text + length, "f %zu\r\na 1 2", shift * 1000);
                break;
            case 2: /* a NUL after a long comment */
                text[length++] = '#';
                memset(text + length, 'y', 2 * filler), length += 2 * filler;
                text[length++] = '\0';
                length += (size_t)sprintf(text + length, "\nf 0\n");
                break;
            case 3: /* a long bad token over the boundary */
                memset(text + length, '9', filler), length += filler;
                break;
            case 4: /* a recording without its end marker, its last line long */
                length = (size_t)sprintf(text, "# dmm trace written by dmm-record 0.1\na 0 8\n#");
                memset(text + length, 'z', filler), length += filler;
                break;
            }
            write_scratch(path, text, length);
            struct trace parsed, loaded;
            char parse_error[256] = "", load_error[256] = "";
            int parse_result = trace_parse(path, text, length, &parsed, parse_error, sizeof parse_error);
            int load_result = trace_load(path, &loaded, load_error, sizeof load_error);
            ck_assert_msg(parse_result == load_result, "kind %d shift %zu: parse %d (%s), load %d (%s)",
                          kind, shift, parse_result, parse_error, load_result, load_error);
            ck_assert_str_eq(load_error, parse_error);
            if (parse_result == 0) {
                ck_assert_uint_eq(loaded.op_count, parsed.op_count);
                for (size_t i = 0; i < parsed.op_count; i++)
                    require(memcmp(&loaded.ops[i], &parsed.ops[i], sizeof parsed.ops[i]) == 0,
                            "kind %d shift %zu: op %zu differs", kind, shift, i);
                ck_assert_str_eq(loaded.warning ? loaded.warning : "(none)",
                                 parsed.warning ? parsed.warning : "(none)");
                trace_free(&parsed);
                trace_free(&loaded);
            }
        }
    }
    unlink(path);
    free(text);
}
END_TEST

/* A binary file fails at its first chunk: neither read to its end nor held
 * in memory (a 1 GB sparse file took 7 s and 1 GB before; /dev/zero never
 * ended). */
START_TEST(binary_files_fail_at_once)
{
    char path[] = "/tmp/dmm-check-trace-XXXXXX";
    int fd = mkstemp(path);
    ck_assert_int_ge(fd, 0);
    ck_assert_int_eq(ftruncate(fd, (off_t)1 << 30), 0); /* 1 GiB of zeros, sparse */
    close(fd);
    const char *files[] = {path, "/dev/zero"};
    for (size_t i = 0; i < 2; i++) {
        struct trace trace;
        char error[256], expected[256];
        long before = peak_kib();
        struct timespec start;
        timespec_get(&start, TIME_UTC);
        ck_assert_int_eq(trace_load(files[i], &trace, error, sizeof error), -1);
        double seconds = seconds_since(&start);
        snprintf(expected, sizeof expected, "%s:1: NUL byte", files[i]);
        ck_assert_str_eq(error, expected);
        ck_assert_msg(seconds < 1.0, "%s: %.3f s", files[i], seconds);
        ck_assert_msg(peak_kib() - before < MEMORY_SLACK * 8 * 1024, "%s: %ld KiB more", files[i],
                      peak_kib() - before);
        assert_empty(&trace);
    }
    unlink(path);
}
END_TEST

/* A file with no line end: the part of a line before its comment may be 16
 * MiB at most, so reading it costs that much, not the file's size. */
START_TEST(a_line_without_end_is_cut_at_16_mib)
{
    size_t n = (size_t)20 << 20;
    char *text = malloc(n);
    ck_assert_ptr_nonnull(text);
    memset(text, 'x', n);
    const char *message = "t.trace:1: line longer than 16 MiB before any comment: not a trace";
    assert_rejected_bytes("t.trace", text, n, message);
    char path[] = "/tmp/dmm-check-trace-XXXXXX";
    int fd = mkstemp(path);
    ck_assert_int_ge(fd, 0);
    close(fd);
    write_scratch(path, text, n);
    free(text);
    long before = peak_kib();
    struct trace trace;
    char error[256], expected[256];
    ck_assert_int_eq(trace_load(path, &trace, error, sizeof error), -1);
    snprintf(expected, sizeof expected, "%s%s", path, message + strlen("t.trace"));
    ck_assert_str_eq(error, expected);
    /* 16 MiB of line, with room to double into */
    ck_assert_msg(peak_kib() - before < MEMORY_SLACK * 40 * 1024, "%ld KiB more", peak_kib() - before);
    unlink(path);
    /* A long comment costs nothing, however long. */
    char *comment = malloc(n + 16);
    ck_assert_ptr_nonnull(comment);
    comment[0] = '#';
    memset(comment + 1, 'c', n);
    memcpy(comment + n + 1, "\na 1 8\n", 7);
    struct trace parsed;
    ck_assert_int_eq(trace_parse("t.trace", comment, n + 8, &parsed, error, sizeof error), 0);
    ck_assert_uint_eq(parsed.op_count, 1);
    trace_free(&parsed);
    free(comment);
}
END_TEST

/* A recording cut short by a signal has no end marker: it parses (what was
 * written replays) with a warning. Other traces never get it. */
/* As assert_warning, for a trace in dmm's format. */
static void assert_dmm_warning(const char *text, const char *warning, size_t op_count)
{
    struct trace trace = parse_valid(text);
    ck_assert_int_eq(trace.format, TRACE_FORMAT_DMM);
    ck_assert_uint_eq(trace.op_count, op_count);
    if (warning == NULL)
        ck_assert_msg(trace.warning == NULL, "unexpected warning: %s", trace.warning);
    else
        ck_assert_str_eq(trace.warning != NULL ? trace.warning : "(none)", warning);
    trace_free(&trace);
}

START_TEST(a_recording_without_its_end_marker_is_a_warning)
{
    const char *header = "# dmm trace written by dmm-record 0.1 (libdmm-record.so)\n"
                         "# command: prog\na 0 8\n";
    char text[512];
    snprintf(text, sizeof text, "%sf 0\n# end: 1 a, 0 c, 0 r, 1 f; 1 IDs\n# end: complete\n", header);
    assert_dmm_warning(text, NULL, 2);
    snprintf(text, sizeof text, "%s# end: complete\r\n# a comment after it\n", header);
    assert_dmm_warning(text, NULL, 1);
    assert_dmm_warning(header, "t.trace: warning: the recording has no end marker ('# end: complete'): "
                           "the program was cut short (by a signal?), so the trace is only its "
                           "beginning", 1);
    snprintf(text, sizeof text, "%s# end: complete\nf 0\n", header); /* ops after it */
    assert_dmm_warning(text, "t.trace: warning: the recording has no end marker ('# end: complete'): "
                         "the program was cut short (by a signal?), so the trace is only its "
                         "beginning", 2);
    assert_dmm_warning("# a trace of my own\na 0 8\n", NULL, 1);
    assert_dmm_warning("a 0 8\n# dmm trace written by dmm-record\n", NULL, 1); /* not line 1 */
}
END_TEST

int main(void)
{
    Suite *suite = suite_create("trace");
    TCase *valid = tcase_create("valid");
    tcase_add_test(valid, dmm_file_with_every_rule);
    tcase_add_test(valid, crlf_line_ends_read_as_lf);
    tcase_add_test(valid, rep_file);
    tcase_add_test(valid, rep_header_may_have_comments_and_more_ids_than_used);
    tcase_add_test(valid, rep_two_number_header);
    tcase_add_test(valid, rep_operation_count_off_is_a_warning);
    tcase_add_test(valid, empty_and_comment_only_files_have_no_operations);
    tcase_add_test(valid, last_line_needs_no_newline);
    tcase_add_test(valid, realloc_rules_for_liveness);
    tcase_add_test(valid, name_is_the_file_name_without_extension);
    tcase_add_test(valid, a_recording_without_its_end_marker_is_a_warning);
    tcase_set_timeout(valid, 60);
    suite_add_tcase(suite, valid);

    TCase *malformed = tcase_create("malformed");
    tcase_add_test(malformed, every_error_class_with_its_line);
    tcase_add_test(malformed, rep_header_errors);
    tcase_add_test(malformed, rep_header_on_one_line_is_explained);
    tcase_add_test(malformed, malformed_files_name_their_line);
    tcase_add_test(malformed, nul_bytes_are_errors_even_in_comments);
    tcase_add_test(malformed, io_errors_name_the_file);
    tcase_add_test(malformed, small_or_missing_error_buffers_are_safe);
    tcase_set_timeout(malformed, 60);
    suite_add_tcase(suite, malformed);

    TCase *robust = tcase_create("robust");
    tcase_add_test(robust, a_million_lines_parse_quickly);
    tcase_add_test(robust, arbitrary_bytes_never_crash);
    tcase_add_test(robust, mutated_traces_never_crash);
    tcase_add_test(robust, huge_lines_are_fine);
    tcase_add_test(robust, loading_in_chunks_reads_what_parsing_does);
    tcase_add_test(robust, binary_files_fail_at_once);
    tcase_add_test(robust, a_line_without_end_is_cut_at_16_mib);
    tcase_set_timeout(robust, 60);
    suite_add_tcase(suite, robust);

    SRunner *runner = srunner_create(suite);
    srunner_run_all(runner, CK_NORMAL);
    int failed = srunner_ntests_failed(runner);
    srunner_free(runner);
    return failed == 0 ? EXIT_SUCCESS : EXIT_FAILURE;
}
