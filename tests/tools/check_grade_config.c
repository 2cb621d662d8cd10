/*
 * check_grade_config.c — the grading configuration (config.c) reads every
 * directive as docs/grading.md says, with its default when left out;
 * rejects each kind of mistake with its own "PATH:LINE: ..." message and
 * nothing left allocated; resolves trace paths from the configuration's
 * folder and expands globs sorted; settles each trace's weight from the
 * configuration, the .rep header or the default; and never crashes,
 * whatever the bytes. The sample configuration in docs/grading/ loads.
 */
#define _XOPEN_SOURCE 700 /* mkdtemp, nftw */

#include "grade.h"

#include "suite.h"
#include "testfile.h"

#include <check.h>
#include <ftw.h>
#include <limits.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#define SAMPLE DMM_SOURCE_DIR "/docs/grading/sample.conf"

static char scratch[64]; /* a fresh folder for each test's files */

static void scratch_setup(void)
{
    strcpy(scratch, "/tmp/dmm-grade-config-XXXXXX");
    ck_assert_ptr_nonnull(mkdtemp(scratch));
}

static int remove_entry(const char *path, const struct stat *status, int type, struct FTW *ftw)
{
    (void)status, (void)type, (void)ftw;
    return remove(path);
}

static void scratch_teardown(void)
{
    nftw(scratch, remove_entry, 16, FTW_DEPTH | FTW_PHYS);
}

/* scratch/name, into path. */
static const char *in_scratch(const char *name, char path[static 256])
{
    snprintf(path, 256, "%s/%s", scratch, name);
    return path;
}

static void write_file(const char *name, const char *text, size_t length)
{
    char path[256];
    FILE *file = fopen(in_scratch(name, path), "wb");
    ck_assert_msg(file != NULL, "cannot create %s", path);
    ck_assert_uint_eq(fwrite(text, 1, length, file), length);
    ck_assert_int_eq(fclose(file), 0);
}

static void write_text(const char *name, const char *text)
{
    write_file(name, text, strlen(text));
}

/* ---- parsing helpers ------------------------------------------------------------ */

static void assert_zeroed(const struct grade_config *config)
{
    ck_assert_ptr_null(config->path);
    ck_assert_ptr_null(config->traces);
    ck_assert_uint_eq(config->trace_count, 0);
    ck_assert_ptr_null(config->allow);
    ck_assert_uint_eq(config->allow_count, 0);
}

static struct grade_config parse_valid(const char *path, const char *text)
{
    struct grade_config config;
    char error[512];
    int result = grade_config_parse(path, text, strlen(text), &config, error, sizeof error);
    ck_assert_msg(result == 0, "valid text rejected: %s\n---\n%s", error, text);
    return config;
}

static void assert_rejected_bytes(const char *path, const char *text, size_t length,
                                  const char *message)
{
    struct grade_config config;
    char error[1024] = "untouched";
    int result = grade_config_parse(path, text, length, &config, error, sizeof error);
    ck_assert_msg(result == -1, "accepted, expected \"%s\"", message);
    ck_assert_str_eq(error, message);
    assert_zeroed(&config);
    grade_config_free(&config); /* a zeroed configuration may be freed */
}

static void assert_rejected(const char *text, const char *message)
{
    assert_rejected_bytes("g.conf", text, strlen(text), message);
}

/* ---- valid files ---------------------------------------------------------------- */

START_TEST(test_defaults)
{
    struct grade_config config = parse_valid("course/g.conf", "trace x.trace\n");
    ck_assert_str_eq(config.path, "course/g.conf");
    ck_assert_uint_eq(config.trace_count, 1);
    ck_assert_str_eq(config.traces[0].path, "course/x.trace");
    ck_assert_uint_eq(config.traces[0].line, 1);
    ck_assert_int_eq(config.traces[0].has_weight, 0);
    ck_assert_int_eq(config.traces[0].weight_source, WEIGHT_DEFAULT);
    ck_assert_double_eq(config.util_weight, 0.6);
    ck_assert_double_eq(config.throughput_weight, 0.4);
    ck_assert_int_eq(config.cost, COST_RELATIVE);
    ck_assert_str_eq(config.reference, "glibc");
    ck_assert_double_eq(config.reference_kops, 0);
    ck_assert_int_eq(config.failure, FAILURE_ALL);
    ck_assert_double_eq(config.points, 100);
    ck_assert_double_eq(config.timeout_seconds, 20);
    ck_assert_uint_eq(config.repeat, 3);
    ck_assert_uint_eq(config.memory_mib, 1024);
    ck_assert_ptr_null(config.allow);
    ck_assert_uint_eq(config.allow_count, 0);
    grade_config_free(&config);
    assert_zeroed(&config);
    grade_config_free(&config); /* twice is fine */
}
END_TEST

START_TEST(test_every_directive)
{
    /* CRLF, tabs, comments after words and glued to them, blank lines, no
     * final line end, trace and allow repeated. */
    static const char text[] =
        "# the course's configuration\r\n"
        "\r\n"
        "trace a.trace weight 2.5   # counts more\r\n"
        "\ttrace\t/abs/b.rep\r\n"
        "util-weight 0.75\r\n"
        "throughput-weight\t0.25\r\n"
        "throughput fixed 1500.5\r\n"
        "failure trace\r\n"
        "points 50\r\n"
        "timeout 0.5\r\n"
        "repeat 1000\r\n"
        "memory 16\r\n"
        "allow sqrt _exit\r\n"
        "allow log2#glued comment\r\n"
        "trace c.trace weight 0";
    struct grade_config config = parse_valid("d/g.conf", text);
    ck_assert_uint_eq(config.trace_count, 3);
    ck_assert_str_eq(config.traces[0].path, "d/a.trace");
    ck_assert_uint_eq(config.traces[0].line, 3);
    ck_assert_int_eq(config.traces[0].has_weight, 1);
    ck_assert_double_eq(config.traces[0].weight, 2.5);
    ck_assert_int_eq(config.traces[0].weight_source, WEIGHT_CONFIG);
    ck_assert_str_eq(config.traces[1].path, "/abs/b.rep");
    ck_assert_uint_eq(config.traces[1].line, 4);
    ck_assert_int_eq(config.traces[1].has_weight, 0);
    ck_assert_str_eq(config.traces[2].path, "d/c.trace");
    ck_assert_uint_eq(config.traces[2].line, 15);
    ck_assert_int_eq(config.traces[2].has_weight, 1);
    ck_assert_double_eq(config.traces[2].weight, 0);
    ck_assert_double_eq(config.util_weight, 0.75);
    ck_assert_double_eq(config.throughput_weight, 0.25);
    ck_assert_int_eq(config.cost, COST_FIXED);
    ck_assert_double_eq(config.reference_kops, 1500.5);
    ck_assert_int_eq(config.failure, FAILURE_TRACE);
    ck_assert_double_eq(config.points, 50);
    ck_assert_double_eq(config.timeout_seconds, 0.5);
    ck_assert_uint_eq(config.repeat, 1000);
    ck_assert_uint_eq(config.memory_mib, 16);
    ck_assert_uint_eq(config.allow_count, 3);
    ck_assert_str_eq(config.allow[0], "sqrt");
    ck_assert_str_eq(config.allow[1], "_exit");
    ck_assert_str_eq(config.allow[2], "log2");
    grade_config_free(&config);
    assert_zeroed(&config);
}
END_TEST

START_TEST(test_throughput_forms)
{
    static const struct {
        const char *line;
        enum grade_cost cost;
        const char *reference;
        double kops;
    } cases[] = {
        {"throughput relative", COST_RELATIVE, "glibc", 0},
        {"throughput relative jemalloc", COST_RELATIVE, "jemalloc", 0},
        {"throughput instructions", COST_INSTRUCTIONS, "glibc", 0},
        {"throughput instructions my_alloc-2", COST_INSTRUCTIONS, "my_alloc-2", 0},
        {"throughput fixed 1e3", COST_FIXED, "glibc", 1000},
        /* 63 bytes: the longest name grade_config.reference holds */
        {"throughput relative a12345678901234567890123456789012345678901234567890123456789012",
         COST_RELATIVE, "a12345678901234567890123456789012345678901234567890123456789012", 0},
    };
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        char text[256];
        snprintf(text, sizeof text, "trace t\n%s\n", cases[i].line);
        struct grade_config config = parse_valid("g.conf", text);
        ck_assert_int_eq(config.cost, cases[i].cost);
        ck_assert_str_eq(config.reference, cases[i].reference);
        ck_assert_double_eq(config.reference_kops, cases[i].kops);
        grade_config_free(&config);
    }
}
END_TEST

START_TEST(test_relative_paths_start_at_the_configuration)
{
    static const struct {
        const char *config, *trace, *resolved;
    } cases[] = {
        {"g.conf", "x.trace", "x.trace"},                  /* the current folder */
        {"/etc/dmm/g.conf", "x.trace", "/etc/dmm/x.trace"},
        {"../up/g.conf", "../t/x.rep", "../up/../t/x.rep"},
        {"a/b/g.conf", "/abs/x.trace", "/abs/x.trace"},    /* absolute: as written */
        {"lab[2]/g.conf", "x.trace", "lab[2]/x.trace"},    /* not a glob: not escaped */
    };
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        char text[256];
        snprintf(text, sizeof text, "trace %s\n", cases[i].trace);
        struct grade_config config = parse_valid(cases[i].config, text);
        ck_assert_uint_eq(config.trace_count, 1);
        ck_assert_str_eq(config.traces[0].path, cases[i].resolved);
        grade_config_free(&config);
    }
}
END_TEST

START_TEST(test_bounds_are_accepted)
{
    static const char *const lines[] = {
        "timeout 86400", "timeout 1e-3", "repeat 1", "repeat 1000", "repeat 1e2",
        "memory 16", "memory 1048576", "points 0.5", "util-weight 1\nthroughput-weight 0",
        "util-weight 0\nthroughput-weight 1",
        "util-weight 0.3333333333\nthroughput-weight 0.6666666667", /* within 1e-9 */
        "trace u weight 0", "trace u weight 1e300",
    };
    for (size_t i = 0; i < sizeof lines / sizeof lines[0]; i++) {
        char text[256];
        snprintf(text, sizeof text, "trace t\n%s\n", lines[i]);
        struct grade_config config = parse_valid("g.conf", text);
        grade_config_free(&config);
    }
}
END_TEST

/* ---- globs ------------------------------------------------------------------------ */

START_TEST(test_glob_matches_sorted)
{
    char conf[256], path[256], expected[1024];
    write_text("b.trace", "");
    write_text("a.trace", "");
    write_text("c.rep", "");
    write_text("notes.txt", "");
    struct grade_config config = parse_valid(in_scratch("g.conf", conf),
                                             "trace *.trace weight 3\ntrace [c].re?\n");
    ck_assert_uint_eq(config.trace_count, 3);
    static const char *const names[] = {"a.trace", "b.trace", "c.rep"};
    for (size_t i = 0; i < 3; i++) {
        ck_assert_str_eq(config.traces[i].path, in_scratch(names[i], path));
        ck_assert_uint_eq(config.traces[i].line, i < 2 ? 1 : 2);
        ck_assert_int_eq(config.traces[i].has_weight, i < 2);
        ck_assert_double_eq(config.traces[i].weight, i < 2 ? 3 : 0);
    }
    grade_config_free(&config);

    /* A glob that matches nothing is a mistake with a line number. */
    snprintf(expected, sizeof expected, "%s:2: trace: no file matches '%s/*.none'", conf, scratch);
    static const char text[] = "trace a.trace\ntrace *.none\n";
    assert_rejected_bytes(conf, text, sizeof text - 1, expected);
}
END_TEST

START_TEST(test_glob_in_a_folder_with_glob_characters)
{
    /* The folder's '[' is taken literally: only the word is a pattern. */
    char folder[256], conf[256], path[256];
    ck_assert_int_eq(mkdir(in_scratch("lab[1]", folder), 0700), 0);
    write_text("lab[1]/y.trace", "");
    write_text("lab[1]/x.trace", "");
    write_text("l.trace", ""); /* what lab[1] as a pattern would match instead */
    struct grade_config config = parse_valid(in_scratch("lab[1]/g.conf", conf), "trace *.trace\n");
    ck_assert_uint_eq(config.trace_count, 2);
    ck_assert_str_eq(config.traces[0].path, in_scratch("lab[1]/x.trace", path));
    ck_assert_str_eq(config.traces[1].path, in_scratch("lab[1]/y.trace", path));
    grade_config_free(&config);
}
END_TEST

START_TEST(test_glob_over_the_bundled_traces)
{
    struct grade_config config =
        parse_valid(DMM_SOURCE_DIR "/docs/grading/x.conf", "trace ../../traces/fifo-*.trace\n");
    ck_assert_uint_eq(config.trace_count, 2);
    ck_assert_str_eq(config.traces[0].path,
                     DMM_SOURCE_DIR "/docs/grading/../../traces/fifo-fixed.trace");
    ck_assert_str_eq(config.traces[1].path,
                     DMM_SOURCE_DIR "/docs/grading/../../traces/fifo-random.trace");
    grade_config_free(&config);
}
END_TEST

/* ---- mistakes: one test per kind ------------------------------------------------------ */

START_TEST(test_unknown_directive)
{
    assert_rejected("trace a\ntimeuot 5\n",
                    "g.conf:2: unknown directive 'timeuot' (expected one of trace, util-weight, "
                    "throughput-weight, throughput, failure, points, timeout, repeat, memory, "
                    "allow)");
    /* Bytes a message cannot show are escaped; long words are cut. */
    assert_rejected("\x01x\\ 1\n", "g.conf:1: unknown directive '\\x01x\\x5c' (expected one of "
                                   "trace, util-weight, throughput-weight, throughput, failure, "
                                   "points, timeout, repeat, memory, allow)");
    assert_rejected("trace a\nthroughput fixed 5 # ok\n"
                    "abcdefghijabcdefghijabcdefghijabcdefghijTOO-LONG 1\n",
                    "g.conf:3: unknown directive 'abcdefghijabcdefghijabcdefghijabcdefghij...' "
                    "(expected one of trace, util-weight, throughput-weight, throughput, failure, "
                    "points, timeout, repeat, memory, allow)");
}
END_TEST

START_TEST(test_missing_argument)
{
    assert_rejected("trace a\ntimeout\n", "g.conf:2: timeout: missing argument (timeout SECONDS)");
    assert_rejected("trace # a comment is no path\n",
                    "g.conf:1: trace: missing argument (trace PATH [weight W])");
    assert_rejected("allow\n", "g.conf:1: allow: missing argument (allow SYMBOL...)");
    assert_rejected("throughput\n",
                    "g.conf:1: throughput: missing argument (throughput relative [ALLOCATOR] | "
                    "fixed KOPS | instructions [ALLOCATOR])");
    assert_rejected("throughput fixed\n",
                    "g.conf:1: throughput: missing KOPS after 'fixed' (throughput fixed KOPS)");
    assert_rejected("trace a weight\n",
                    "g.conf:1: trace: missing W after 'weight' (trace PATH [weight W])");
}
END_TEST

START_TEST(test_extra_argument)
{
    assert_rejected("trace a\ntimeout 5 6\n",
                    "g.conf:2: timeout: extra argument '6' (timeout SECONDS)");
    assert_rejected("trace a weight 1 2\n",
                    "g.conf:1: trace: extra argument '2' (trace PATH [weight W])");
    assert_rejected("throughput relative glibc x\n",
                    "g.conf:1: throughput: extra argument 'x' (throughput relative [ALLOCATOR] | "
                    "fixed KOPS | instructions [ALLOCATOR])");
    assert_rejected("failure all trace\n",
                    "g.conf:1: failure: extra argument 'trace' (failure all|trace)");
}
END_TEST

START_TEST(test_trace_word_that_is_not_weight)
{
    /* A path with a space: the second word is not `weight`. */
    assert_rejected("trace my traces/a.trace\n",
                    "g.conf:1: trace: 'traces/a.trace' where 'weight W' or the end of the line "
                    "was expected (trace PATH [weight W])");
    assert_rejected("trace a wieght 2\n",
                    "g.conf:1: trace: 'wieght' where 'weight W' or the end of the line was "
                    "expected (trace PATH [weight W])");
}
END_TEST

START_TEST(test_not_a_number)
{
    assert_rejected("trace a\ntimeout abc\n",
                    "g.conf:2: timeout: 'abc' is not a number (expected SECONDS > 0, at most "
                    "86400)");
    assert_rejected("repeat 3x\n",
                    "g.conf:1: repeat: '3x' is not a number (expected N from 1 to 1000)");
    assert_rejected("trace a weight 1,5\n",
                    "g.conf:1: trace: weight: '1,5' is not a number (expected W >= 0)");
    assert_rejected("memory 0x\n",
                    "g.conf:1: memory: '0x' is not a number (expected MIB from 16 to 1048576)");
    /* strtod would skip a leading '\v': the word is not a number all the same. */
    assert_rejected("points \v5\n", "g.conf:1: points: '\\x0b5' is not a number (expected P > 0)");
    assert_rejected("throughput fixed fast\n",
                    "g.conf:1: throughput fixed: 'fast' is not a number (expected KOPS > 0)");
}
END_TEST

START_TEST(test_out_of_range)
{
    static const struct {
        const char *line, *message;
    } cases[] = {
        {"timeout 0", "g.conf:1: timeout: '0' is out of range (expected SECONDS > 0, at most 86400)"},
        {"timeout 86401", "g.conf:1: timeout: '86401' is out of range (expected SECONDS > 0, at most 86400)"},
        {"timeout -1", "g.conf:1: timeout: '-1' is out of range (expected SECONDS > 0, at most 86400)"},
        {"timeout 1e999", "g.conf:1: timeout: '1e999' is out of range (expected SECONDS > 0, at most 86400)"},
        {"repeat 0", "g.conf:1: repeat: '0' is out of range (expected N from 1 to 1000)"},
        {"repeat 1001", "g.conf:1: repeat: '1001' is out of range (expected N from 1 to 1000)"},
        {"memory 15", "g.conf:1: memory: '15' is out of range (expected MIB from 16 to 1048576)"},
        {"memory 1048577", "g.conf:1: memory: '1048577' is out of range (expected MIB from 16 to 1048576)"},
        {"points 0", "g.conf:1: points: '0' is out of range (expected P > 0)"},
        {"points -5", "g.conf:1: points: '-5' is out of range (expected P > 0)"},
        {"util-weight 1.5", "g.conf:1: util-weight: '1.5' is out of range (expected W from 0 to 1)"},
        {"throughput-weight -0.1", "g.conf:1: throughput-weight: '-0.1' is out of range (expected W from 0 to 1)"},
        {"trace a weight -1", "g.conf:1: trace: weight: '-1' is out of range (expected W >= 0)"},
        {"throughput fixed 0", "g.conf:1: throughput fixed: '0' is out of range (expected KOPS > 0)"},
    };
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++)
        assert_rejected(cases[i].line, cases[i].message);
}
END_TEST

START_TEST(test_not_finite)
{
    assert_rejected("timeout inf\n",
                    "g.conf:1: timeout: 'inf' is not a finite number (expected SECONDS > 0, at "
                    "most 86400)");
    assert_rejected("points nan\n", "g.conf:1: points: 'nan' is not a finite number (expected P > 0)");
    assert_rejected("util-weight -inf\n",
                    "g.conf:1: util-weight: '-inf' is not a finite number (expected W from 0 to 1)");
    assert_rejected("trace a weight infinity\n",
                    "g.conf:1: trace: weight: 'infinity' is not a finite number (expected W >= 0)");
}
END_TEST

START_TEST(test_not_a_whole_number)
{
    assert_rejected("repeat 2.5\n",
                    "g.conf:1: repeat: '2.5' is not a whole number (expected N from 1 to 1000)");
    assert_rejected("memory 1024.5\n",
                    "g.conf:1: memory: '1024.5' is not a whole number (expected MIB from 16 to "
                    "1048576)");
}
END_TEST

START_TEST(test_given_twice)
{
    static const char *const lines[] = {
        "util-weight 0.6", "throughput-weight 0.4", "throughput relative", "failure all",
        "points 100", "timeout 20", "repeat 3", "memory 1024",
    };
    for (size_t i = 0; i < sizeof lines / sizeof lines[0]; i++) {
        char text[256], message[256], name[32];
        snprintf(text, sizeof text, "trace a\n%s\n\n%s\n", lines[i], lines[i]);
        snprintf(name, sizeof name, "%.*s", (int)strcspn(lines[i], " "), lines[i]);
        snprintf(message, sizeof message, "g.conf:4: %s given twice (first on line 2)", name);
        assert_rejected(text, message);
    }
}
END_TEST

START_TEST(test_no_trace)
{
    static const char message[] = "g.conf: no `trace` line: a configuration names at least one "
                                  "trace (trace PATH [weight W])";
    assert_rejected("", message);
    assert_rejected("# only comments\n\n   \n", message);
    assert_rejected("timeout 5\n# trace a\n", message);
}
END_TEST

START_TEST(test_weights_not_adding_to_1)
{
    assert_rejected("trace a\nutil-weight 0.5\nthroughput-weight 0.4\n",
                    "g.conf:3: util-weight 0.5 and throughput-weight 0.4 add up to 0.9, not 1");
    assert_rejected("throughput-weight 0.3\ntrace a\nutil-weight 0.5\n",
                    "g.conf:3: util-weight 0.5 and throughput-weight 0.3 add up to 0.8, not 1");
    assert_rejected("trace a\nutil-weight 0.5\n",
                    "g.conf:2: util-weight 0.5 and throughput-weight 0.4 (the default) add up to "
                    "0.9, not 1");
    assert_rejected("throughput-weight 1\ntrace a\n",
                    "g.conf:1: util-weight 0.6 (the default) and throughput-weight 1 add up to "
                    "1.6, not 1");
    assert_rejected("trace a\nutil-weight 0.333333\nthroughput-weight 0.666666\n",
                    "g.conf:3: util-weight 0.333333 and throughput-weight 0.666666 add up to "
                    "0.999999, not 1");
    /* Off by less than %g shows, more than the tolerance allows. */
    assert_rejected("trace a\nutil-weight 0.6000001\n",
                    "g.conf:2: util-weight 0.6000001 and throughput-weight 0.4 (the default) add "
                    "up to 1.0000001, not 1");
}
END_TEST

START_TEST(test_bad_allocator_name)
{
    static const char *const names[] = {
        "glibc.so", "./libdmm-x.so", "9lives", "-x",
        "a123456789012345678901234567890123456789012345678901234567890123", /* 64 bytes */
    };
    for (size_t i = 0; i < sizeof names / sizeof names[0]; i++) {
        char text[256], message[512];
        snprintf(text, sizeof text, "trace a\nthroughput %s %s\n",
                 i % 2 ? "instructions" : "relative", names[i]);
        snprintf(message, sizeof message,
                 "g.conf:2: throughput: '%.40s%s' is not an allocator name (expected a letter or "
                 "'_', then letters, digits, '_' or '-', at most 63 bytes)",
                 names[i], strlen(names[i]) > 40 ? "..." : "");
        assert_rejected(text, message);
    }
}
END_TEST

START_TEST(test_bad_allow_symbol)
{
    assert_rejected("trace a\nallow memset 2bad\n",
                    "g.conf:2: allow: '2bad' is not a C identifier (expected SYMBOL: a letter or "
                    "'_', then letters, digits or '_')");
    assert_rejected("allow my-symbol\n",
                    "g.conf:1: allow: 'my-symbol' is not a C identifier (expected SYMBOL: a "
                    "letter or '_', then letters, digits or '_')");
}
END_TEST

START_TEST(test_bad_failure_rule)
{
    assert_rejected("trace a\nfailure some\n", "g.conf:2: failure: 'some' is neither 'all' nor 'trace'");
    assert_rejected("failure ALL\n", "g.conf:1: failure: 'ALL' is neither 'all' nor 'trace'");
}
END_TEST

START_TEST(test_unknown_cost)
{
    assert_rejected("throughput fast\n",
                    "g.conf:1: throughput: unknown cost 'fast' (expected relative [ALLOCATOR], "
                    "fixed KOPS or instructions [ALLOCATOR])");
}
END_TEST

START_TEST(test_nul_byte)
{
    static const char text[] = "trace a\n# x\0y\ntimeout 5\n"; /* even in a comment */
    assert_rejected_bytes("g.conf", text, sizeof text - 1, "g.conf:2: NUL byte");
}
END_TEST

START_TEST(test_line_too_long)
{
    /* 4096 bytes is the longest line; its '\r' belongs to the line end. */
    static char text[8192];
    strcpy(text, "trace a\n#");
    memset(text + 9, 'x', 4095);
    strcpy(text + 9 + 4095, "\r\n");
    struct grade_config config = parse_valid("g.conf", text);
    grade_config_free(&config);
    strcpy(text + 9 + 4095, "y\n");
    assert_rejected_bytes("g.conf", text, strlen(text), "g.conf:2: line longer than 4096 bytes");
}
END_TEST

/* ---- files ------------------------------------------------------------------------------ */

START_TEST(test_missing_file)
{
    char path[256], expected[512];
    struct grade_config config;
    char error[512];
    in_scratch("none.conf", path);
    ck_assert_int_eq(grade_config_load(path, &config, error, sizeof error), -1);
    snprintf(expected, sizeof expected, "%s: No such file or directory", path);
    ck_assert_str_eq(error, expected);
    assert_zeroed(&config);
    /* A folder is not a configuration either. */
    ck_assert_int_eq(grade_config_load(scratch, &config, error, sizeof error), -1);
    snprintf(expected, sizeof expected, "%s: Is a directory", scratch);
    ck_assert_str_eq(error, expected);
    assert_zeroed(&config);
}
END_TEST

START_TEST(test_file_size_cap)
{
    /* Exactly 1 MiB loads; one byte more does not. */
    enum { MIB = 1024 * 1024 };
    char *text = malloc(MIB + 2);
    ck_assert_ptr_nonnull(text);
    size_t used = (size_t)sprintf(text, "trace a.trace\n");
    while (used < MIB) {
        size_t line = MIB - used < 1000 ? MIB - used : 1000;
        memset(text + used, '#', line - 1);
        text[used + line - 1] = '\n';
        used += line;
    }
    write_file("big.conf", text, MIB);
    char path[256], error[512], expected[512];
    struct grade_config config;
    in_scratch("big.conf", path);
    ck_assert_msg(grade_config_load(path, &config, error, sizeof error) == 0, "%s", error);
    ck_assert_uint_eq(config.trace_count, 1);
    grade_config_free(&config);

    text[MIB] = '\n';
    write_file("big.conf", text, MIB + 1);
    free(text);
    ck_assert_int_eq(grade_config_load(path, &config, error, sizeof error), -1);
    snprintf(expected, sizeof expected, "%s: larger than 1 MiB; a configuration is a few lines",
             path);
    ck_assert_str_eq(error, expected);
    assert_zeroed(&config);
}
END_TEST

START_TEST(test_error_buffers)
{
    struct grade_config config;
    char error[12];
    ck_assert_int_eq(grade_config_parse("g.conf", "points x\n", 9, &config, NULL, 0), -1);
    assert_zeroed(&config);
    ck_assert_int_eq(grade_config_parse("g.conf", "points x\n", 9, &config, error, sizeof error), -1);
    ck_assert_str_eq(error, "g.conf:1: p"); /* cut, terminated */
    ck_assert_int_eq(grade_config_load("/nonexistent/g.conf", &config, NULL, 0), -1);
}
END_TEST

/* ---- the traces' weights ---------------------------------------------------------------- */

START_TEST(test_rep_weight_kept_by_the_trace_parser)
{
    static const struct {
        const char *text;
        long long weight;
    } cases[] = {
        {"20000\n1\n1\n7\na 0 8\n", 7},
        {"20000\n1\n1\n0\na 0 8\n", 0},
        {"20000\n1\n1\n18446744073709551615\na 0 8\n", LLONG_MAX}, /* capped */
        {"1\n1\na 0 8\n", -1},                                    /* 2-number header */
        {"a 0 8\n", -1},                                          /* dmm format */
        {"", -1},
    };
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        struct trace trace;
        char error[256];
        ck_assert_msg(trace_parse("t", cases[i].text, strlen(cases[i].text), &trace, error,
                                  sizeof error) == 0, "%s", error);
        ck_assert_int_eq(trace.rep_weight, cases[i].weight);
        trace_free(&trace);
    }
}
END_TEST

START_TEST(test_weights_settled)
{
    write_text("w3.rep", "20000\n1\n1\n3\na 0 8\n");
    write_text("two.rep", "1\n1\na 0 8\n");
    write_text("plain.trace", "a 0 8\n");
    write_text("w5.rep", "20000\n1\n1\n5\na 0 8\n");
    write_text("zero.rep", "20000\n1\n1\n0\na 0 8\n");
    char conf[256], error[512];
    struct grade_config config = parse_valid(
        in_scratch("g.conf", conf),
        "trace w3.rep\ntrace two.rep\ntrace plain.trace\ntrace w5.rep weight 0.5\ntrace zero.rep\n");
    struct trace traces[5];
    ck_assert_msg(grade_config_load_traces(&config, traces, error, sizeof error) == 0, "%s", error);
    static const struct {
        double weight;
        enum grade_weight_source source;
        long long rep_weight;
    } expected[] = {
        {3, WEIGHT_REP, 3},      {1, WEIGHT_DEFAULT, -1}, {1, WEIGHT_DEFAULT, -1},
        {0.5, WEIGHT_CONFIG, 5}, {0, WEIGHT_REP, 0},
    };
    for (size_t i = 0; i < 5; i++) {
        ck_assert_double_eq(config.traces[i].weight, expected[i].weight);
        ck_assert_int_eq(config.traces[i].weight_source, expected[i].source);
        ck_assert_int_eq(traces[i].rep_weight, expected[i].rep_weight);
        ck_assert_uint_eq(traces[i].op_count, 1);
        trace_free(&traces[i]);
    }
    grade_config_free(&config);
}
END_TEST

START_TEST(test_trace_errors_name_the_configuration_line)
{
    write_text("good.trace", "a 0 8\nf 0\n");
    write_text("bad.trace", "a 0 16\nf 1\n");
    char conf[256], path[256], error[1024], expected[1024];
    struct grade_config config = parse_valid(in_scratch("g.conf", conf),
                                             "trace good.trace\n\ntrace bad.trace\n");
    struct trace traces[2];
    memset(traces, 0xa5, sizeof traces);
    ck_assert_int_eq(grade_config_load_traces(&config, traces, error, sizeof error), -1);
    snprintf(expected, sizeof expected, "%s:3: %s:2: free of ID 1, which is not live", conf,
             in_scratch("bad.trace", path));
    ck_assert_str_eq(error, expected);
    /* The good trace loaded first was freed; weights are left as parsed. */
    ck_assert_ptr_null(traces[0].path);
    ck_assert_ptr_null(traces[0].ops);
    ck_assert_ptr_null(traces[1].path);
    ck_assert_int_eq(config.traces[0].weight_source, WEIGHT_DEFAULT);
    ck_assert_double_eq(config.traces[0].weight, 0);
    grade_config_free(&config);

    config = parse_valid(conf, "trace missing.trace\n");
    ck_assert_int_eq(grade_config_load_traces(&config, traces, error, sizeof error), -1);
    snprintf(expected, sizeof expected, "%s:1: %s: No such file or directory", conf,
             in_scratch("missing.trace", path));
    ck_assert_str_eq(error, expected);
    grade_config_free(&config);
}
END_TEST

START_TEST(test_every_weight_zero)
{
    write_text("zero.rep", "20000\n1\n1\n0\na 0 8\n");
    write_text("a.trace", "a 0 8\n");
    char conf[256], error[512], expected[512];
    struct grade_config config =
        parse_valid(in_scratch("g.conf", conf), "trace a.trace weight 0\ntrace zero.rep\n");
    struct trace traces[2];
    ck_assert_int_eq(grade_config_load_traces(&config, traces, error, sizeof error), -1);
    snprintf(expected, sizeof expected, "%s: every trace has weight 0: nothing would be scored",
             conf);
    ck_assert_str_eq(error, expected);
    ck_assert_ptr_null(traces[0].path);
    ck_assert_ptr_null(traces[1].path);
    grade_config_free(&config);
}
END_TEST

START_TEST(test_sample_configuration)
{
    static const char *const names[] = {
        "gcc-cc1", "python-dict", "sqlite-insert", "cmu-format",
        "coalesce", "random-random", "realloc-growth", "first-fit-worst",
    };
    struct grade_config config;
    char error[1024];
    ck_assert_msg(grade_config_load(SAMPLE, &config, error, sizeof error) == 0, "%s", error);
    ck_assert_uint_eq(config.trace_count, 8);
    ck_assert_int_eq(config.cost, COST_RELATIVE);
    ck_assert_str_eq(config.reference, "glibc");
    ck_assert_int_eq(config.failure, FAILURE_ALL);
    ck_assert_double_eq(config.util_weight, 0.6);
    ck_assert_double_eq(config.throughput_weight, 0.4);
    ck_assert_double_eq(config.timeout_seconds, 20);
    ck_assert_uint_eq(config.repeat, 3);
    ck_assert_uint_eq(config.memory_mib, 1024);
    ck_assert_double_eq(config.points, 100);
    struct trace traces[8];
    ck_assert_msg(grade_config_load_traces(&config, traces, error, sizeof error) == 0, "%s", error);
    for (size_t i = 0; i < 8; i++) {
        ck_assert_str_eq(traces[i].name, names[i]);
        ck_assert_ptr_nonnull(strstr(config.traces[i].path, "/docs/grading/../../traces/"));
        ck_assert_double_eq(config.traces[i].weight, 1);
        ck_assert_int_eq(config.traces[i].weight_source, i == 3 ? WEIGHT_REP : WEIGHT_DEFAULT);
        trace_free(&traces[i]);
    }
    grade_config_free(&config);
}
END_TEST

/* ---- robustness --------------------------------------------------------------------------- */

/* Parses length bytes that may be anything: the result must be a clean
 * success or a clean failure. */
static void parse_anything(const char *text, size_t length)
{
    struct grade_config config;
    char error[1024];
    int result = grade_config_parse(SAMPLE, text, length, &config, error, sizeof error);
    require(result == 0 || result == -1, "result %d", result);
    if (result == 0) {
        require(config.trace_count > 0, "no traces, accepted");
        require(fabs(config.util_weight + config.throughput_weight - 1) <= 1e-9, "weights");
        require(config.repeat >= 1 && config.repeat <= 1000, "repeat %u", config.repeat);
        for (size_t i = 0; i < config.trace_count; i++)
            require(config.traces[i].path != NULL && config.traces[i].weight >= 0, "trace %zu", i);
    } else {
        require(strncmp(error, SAMPLE, strlen(SAMPLE)) == 0, "message '%s'", error);
        require(config.path == NULL && config.traces == NULL && config.allow == NULL,
                "left allocated after '%s'", error);
    }
    grade_config_free(&config);
}

START_TEST(test_arbitrary_bytes_never_crash)
{
    size_t length;
    char *sample = test_read_file(SAMPLE, &length);
    ck_assert_ptr_nonnull(sample);
    /* Every truncation of the sample. */
    for (size_t cut = 0; cut <= length; cut++)
        parse_anything(sample, cut);
    /* The sample with a few bytes changed. */
    srand(20261202);
    char *copy = malloc(length + 1);
    ck_assert_ptr_nonnull(copy);
    for (int round = 0; round < 2000; round++) {
        memcpy(copy, sample, length);
        for (int flips = 1 + rand() % 4; flips > 0; flips--)
            copy[(size_t)rand() % length] = (char)(rand() % 256);
        parse_anything(copy, length);
    }
    /* Random bytes, and random lines of directive-like words. */
    static const char *const vocabulary[] = {
        "trace", "weight", "util-weight", "throughput-weight", "throughput", "relative", "fixed",
        "instructions", "failure", "all", "points", "timeout", "repeat", "memory", "allow",
        "0", "1", "0.6", "0.4", "-1", "1e999", "nan", "x", "*", "../../traces/*.rep", "[",
        "#", "\r", "\t", "glibc", "\n", "\n", "\n", " ",
    };
    size_t words = sizeof vocabulary / sizeof vocabulary[0];
    char text[600];
    for (int round = 0; round < 3000; round++) {
        size_t used = 0;
        if (round % 2 == 0) {
            used = (size_t)rand() % sizeof text;
            for (size_t i = 0; i < used; i++)
                text[i] = (char)(rand() % 256);
        } else {
            for (int w = rand() % 30; w > 0; w--) {
                const char *word = vocabulary[(size_t)rand() % words];
                if (used + strlen(word) + 1 >= sizeof text)
                    break;
                used += (size_t)sprintf(text + used, "%s%s", word, rand() % 3 ? " " : "");
            }
        }
        parse_anything(text, used);
    }
    free(copy);
    free(sample);
}
END_TEST

int main(void)
{
    const struct test_group groups[] = {
        {"valid",
         {test_defaults, test_every_directive, test_throughput_forms,
          test_relative_paths_start_at_the_configuration, test_bounds_are_accepted}},
        {"glob",
         {test_glob_matches_sorted, test_glob_in_a_folder_with_glob_characters,
          test_glob_over_the_bundled_traces}},
        {"mistakes",
         {test_unknown_directive, test_missing_argument, test_extra_argument,
          test_trace_word_that_is_not_weight, test_not_a_number, test_out_of_range,
          test_not_finite, test_not_a_whole_number, test_given_twice, test_no_trace,
          test_weights_not_adding_to_1, test_bad_allocator_name, test_bad_allow_symbol,
          test_bad_failure_rule, test_unknown_cost, test_nul_byte, test_line_too_long}},
        {"files", {test_missing_file, test_file_size_cap, test_error_buffers}},
        {"weights",
         {test_rep_weight_kept_by_the_trace_parser, test_weights_settled,
          test_trace_errors_name_the_configuration_line, test_every_weight_zero,
          test_sample_configuration}},
        {"robust", {test_arbitrary_bytes_never_crash}},
    };
    return run_test_groups_fixture("grade/config", groups, sizeof groups / sizeof groups[0],
                                   scratch_setup, scratch_teardown);
}
