/*
 * grade.h — dmm-grade: a whole class of allocator submissions, built,
 * checked, replayed in a sandbox, scored and reported.
 *
 * The steps, and the file that does each:
 *
 *   configuration file -> grade_config_load        (config.c)
 *   submissions folder -> grade_find_submissions   (submissions.c)
 *   each submission    -> grade_build: compile alone, check its
 *                         includes, its undefined symbols and its code,
 *                         link against the heap section   (build.c, build_checks.c)
 *   every (student, trace) pair -> the runner (harness/replay/runner.h),
 *                         each in a sandboxed child (sandbox.h)  (dmm-grade.c)
 *   the results        -> grade_score: per trace and overall     (score.c)
 *                      -> the grade book CSV, merge of shards     (gradebook.c)
 *                      -> feedback pages                          (feedback.c)
 *                      -> -g lines, results.json                  (gradescope.c)
 *
 * docs/grading.md is the instructor's guide; this header is the contract
 * between the files.
 */
#ifndef DMM_GRADE_H
#define DMM_GRADE_H

#include "replay.h"
#include "trace.h"

#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

/* ---- the configuration (config.c) ----------------------------------------- */

/* Where a trace's weight came from. */
enum grade_weight_source {
    WEIGHT_DEFAULT, /* neither said: 1 */
    WEIGHT_REP,     /* the .rep header's fourth number */
    WEIGHT_CONFIG,  /* `trace PATH weight W` in the configuration */
};

struct grade_trace {
    char *path;      /* as resolved: relative paths are taken from the configuration's folder */
    unsigned line;   /* of the `trace` line in the configuration, for messages */
    double weight;   /* >= 0 once grade_config_load_traces has run; 0: replayed, reported,
                        not scored (as a .rep weight of 0 in the CMU driver) */
    int has_weight;  /* the configuration gave one (WEIGHT_CONFIG) */
    enum grade_weight_source weight_source;
};

/* How throughput is measured and what it is compared with. */
enum grade_cost {
    COST_RELATIVE,     /* steady-state time, against the reference allocator (glibc by
                          default) measured in the same run, on the same machine */
    COST_FIXED,        /* steady-state time, against a fixed throughput (Kops/s) */
    COST_INSTRUCTIONS, /* instructions per operation against the reference allocator's,
                          counted in the same run: the same on every machine and load */
};

/* What a failed trace costs. */
enum grade_failure {
    FAILURE_ALL,   /* any failed trace makes the index 0 (the CMU driver's rule) */
    FAILURE_TRACE, /* a failed trace scores 0; the others count */
};

struct grade_config {
    char *path;                 /* of the configuration file */
    struct grade_trace *traces; /* in the order of the file (a glob's matches sorted) */
    size_t trace_count;
    double util_weight;         /* default 0.6 */
    double throughput_weight;   /* default 0.4; the two add up to 1 */
    enum grade_cost cost;       /* default COST_RELATIVE */
    char reference[64];         /* COST_RELATIVE, COST_INSTRUCTIONS: an allocator name
                                   (default "glibc") */
    double reference_kops;      /* COST_FIXED: Kops/s that earn the full throughput part */
    enum grade_failure failure; /* default FAILURE_ALL */
    double points;              /* what a perfect index is worth (default 100) */
    double timeout_seconds;     /* per child process (default 20) */
    unsigned repeat;            /* steady samples per timing run (default 3) */
    size_t memory_mib;          /* data limit of a replay's process (default 1024) */
    char **allow;               /* more undefined symbols a submission may use */
    size_t allow_count;
};

/* Reads the configuration at path (format: docs/grading.md). Returns 0, or
 * -1 with "PATH:LINE: what is wrong" in error. The traces are named, not
 * loaded. */
int grade_config_load(const char *path, struct grade_config *config, char *error,
                      size_t error_size);

/* The same on text in memory (the fuzzer's entry); path is for messages
 * and to resolve relative trace paths. */
int grade_config_parse(const char *path, const char *text, size_t length,
                       struct grade_config *config, char *error, size_t error_size);

/* Loads every trace of the configuration into traces[config->trace_count]
 * and settles each weight: the configuration's, else the .rep header's,
 * else 1. Returns 0, or -1 with the trace's own message (file:line) in
 * error, prefixed by "CONFIG:LINE: " of its `trace` line; nothing stays
 * allocated then. */
int grade_config_load_traces(struct grade_config *config, struct trace *traces, char *error,
                             size_t error_size);

void grade_config_free(struct grade_config *config);

/* ---- the submissions and their build (submissions.c, build.c) --------------------------- */

enum grade_build_status {
    BUILD_OK,      /* compiled and passed every check: it is replayed */
    BUILD_FAILED,  /* the compiler refused it (build_log says why) */
    BUILD_REFUSED, /* compiled, but a check refused it (build_message says which) */
};

struct grade_score {
    unsigned traces_correct;   /* of trace_count */
    size_t first_failure;      /* index of the first failed trace; SIZE_MAX: none */
    double utilization;        /* weighted mean over the scored traces, 0..1 */
    double throughput;         /* Kops/s over the scored traces (time costs), or
                                  instructions per operation (COST_INSTRUCTIONS) */
    double throughput_ratio;   /* against the reference: > 1 is faster than it */
    double index;              /* 0..100: util_weight * util + throughput_weight *
                                  min(1, ratio), times 100 */
    double score;              /* index * points / 100 */
};

struct grade_student {
    char id[64];                  /* the file or folder name: the student */
    char source[4096];            /* the allocator file */
    char work_dir[4096];          /* OUT/students/ID: its build and feedback */
    char module_path[4096];       /* the built module, when build == BUILD_OK */
    enum grade_build_status build;
    char build_message[512];      /* one line: why not built, or "" */
    char *build_log;              /* the compiler's output (warnings, errors); may be NULL */
    unsigned warnings;            /* the compiler's warnings */
    struct replay_result *results; /* one per trace, when built; else NULL */
    struct grade_score score;
};

/* Lists the submissions in path: each ID.c, or ID/ holding one .c file
 * (ID is the student: letters, digits, '.', '_', '-'); a path that is
 * itself a .c file is a class of one. Hidden entries are skipped. Students
 * come back sorted by ID, with work_dir set under out_dir. Returns 0, or -1
 * with one message naming every entry that is wrong (not C, a folder
 * without exactly one .c file, a duplicate ID, a bad ID, an empty folder). */
int grade_find_submissions(const char *path, const char *out_dir,
                           struct grade_student **students, size_t *count, char *error,
                           size_t error_size);

void grade_students_free(struct grade_student *students, size_t count);

struct grade_build_options {
    const char *dmm_dir;          /* the source tree: its allocators/ has dmm.h, heap.c, calloc.c */
    const char *compiler;         /* "cc" unless CC says otherwise */
    const char *const *allow;     /* symbols allowed on top of the default list */
    size_t allow_count;
    int check_symbols;            /* 0 only with --no-static-checks (to see the sandbox work) */
    unsigned jobs;                /* compilers side by side */
};

/* Builds every student (work_dir/libdmm-ID.so), jobs at a time, each
 * compiler in a child with limits. A student whose build fails or is
 * refused gets its status and message; the others go on. Returns 0, or -1
 * with errno when no child could be started. */
int grade_build(const struct grade_build_options *options, struct grade_student *students,
                size_t count);

/* The documented one-line build command for one file (the same flags
 * grade_build uses), into buffer: what a student types to reproduce. */
void grade_build_command(const char *dmm_dir, const char *compiler, const char *source,
                         const char *module, char *buffer, size_t size);

/* ---- scoring (score.c) --------------------------------------------------------- */

/* One trace's index, 0..100 (0 when it failed), with its utilization and
 * throughput ratio: what the per-trace table and results.json show. */
double grade_trace_index(const struct grade_config *config, const struct replay_result *result,
                         const struct replay_result *reference, double *ratio);

/* Scores student->results (config->trace_count of them) against the
 * reference's results (NULL for COST_FIXED) into student->score. A student
 * not built scores 0 with no trace correct. */
void grade_score(const struct grade_config *config, const struct trace *traces,
                 const struct replay_result *reference, struct grade_student *student);

/* ---- the grade book (gradebook.c) ----------------------------------------------- */

struct grade_shard {
    unsigned index; /* 1-based: K of K/N */
    unsigned count; /* N; 1/1 for the whole class */
};

/* "K/N" into *shard: 1 <= K <= N. Returns 0, or -1 with a message. */
int grade_shard_parse(const char *text, struct grade_shard *shard, char *error,
                      size_t error_size);

/* 1 when the student at position `position` of the sorted class belongs to
 * the shard: position % N == K - 1. */
int grade_shard_has(const struct grade_shard *shard, size_t position);

/* Writes the grade book CSV (one row per student of students[count], the
 * shard's own as grade_shard_has picked them, in any order: the book sorts
 * them by ID; columns in docs/grading.md) to path, through a temporary file renamed into place:
 * a book that exists is complete. class_size is the number of students
 * of the whole class (every shard), so that merge can tell one is missing.
 * Returns 0, or -1 with a message. */
int grade_write_book(const char *path, const struct grade_config *config,
                     const struct grade_student *students, size_t count,
                     const struct grade_shard *shard, size_t class_size, char *error,
                     size_t error_size);

/* `dmm-grade merge -o OUT BOOK...`: the shards' books into one, sorted by
 * student. Refuses (-1, message, nothing written) a book that is not a
 * grade book (file:line), shards of different classes or sizes, a shard
 * twice or missing, a student twice or missing. */
int grade_merge(const char *out_path, const char *const *books, size_t book_count,
                char *error, size_t error_size);

/* ---- feedback (feedback.c; -g and results.json: gradescope.c) ----------------- */

/* The command that reproduces a failure locally, for the feedback. */
struct grade_context {
    const struct grade_config *config;
    const struct trace *traces;           /* config->trace_count */
    const struct replay_result *reference; /* NULL for COST_FIXED */
    const char *dmm_dir;
    const char *compiler;
    const char *machine;                   /* "cost: time relative to glibc, ..." line */
};

/* student->work_dir/feedback.txt and feedback.html: the per-trace table
 * (the CMU driver's valid / util / ops / secs / Kops, or instructions per
 * op), the score, the build's warnings or errors, the first failure with
 * its trace line and operation, and the exact commands that reproduce it.
 * Returns 0, or -1 with a message. */
int grade_write_feedback(const struct grade_context *context, const struct grade_student *student,
                         char *error, size_t error_size);

/* -g: the CMU driver's autograder lines for one student, "correct:N" and
 * "perfidx:P". */
void grade_print_autograder(FILE *out, const struct grade_student *student);

/* --gradescope PATH: Gradescope's results.json for one student (a test per
 * trace with score, max_score and output; the top-level score is the
 * grade). Returns 0, or -1 with a message. */
int grade_write_gradescope(const char *path, const struct grade_context *context,
                           const struct grade_student *student, char *error,
                           size_t error_size);

#endif /* DMM_GRADE_H */
