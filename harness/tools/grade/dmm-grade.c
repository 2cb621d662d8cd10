/*
 * dmm-grade — grades a class of allocator submissions: each built alone,
 * checked before it runs, replayed on the configuration's traces in a
 * sandboxed child per pair, scored as the CMU Malloc Lab driver scores,
 * and reported per student and in one grade book (docs/grading.md).
 *
 *   dmm-grade -c grading.conf [-o OUT] [-j N] [--shard K/N] SUBMISSIONS
 *   dmm-grade merge -o BOOK SHARD_BOOK...
 *
 * The steps, in order (grade.h names the file of each):
 *   1. the configuration and every trace, before anything is built: a bad
 *      one stops the run (exit 2) with file:line, and no book is written;
 *   2. the submissions, sorted by student; --shard keeps a slice;
 *   3. each built and statically checked (-j compilers at a time);
 *   4. the reference allocator (COST_RELATIVE, COST_INSTRUCTIONS) on every
 *      trace, trusted and not sandboxed, measured in this run: with the
 *      time cost in REFERENCE_RUNS fresh processes before the class and as
 *      many after, the median of all (time_reference);
 *   5. every (student, trace) pair by the runner: the checking passes -j at
 *      a time, each child in the sandbox (sandbox.h); the timing runs one
 *      at a time with nothing else running, so -j and the class's size
 *      change no time; with the instruction cost, the counts (which no load
 *      changes) -j at a time;
 *   6. the scores, each student's feedback, then the grade book, written
 *      last and renamed into place: a book that exists is complete.
 */
#define _GNU_SOURCE /* strdup, mkdir's mode bits */

#include "grade.h"

#include "instructions.h"
#include "measure.h"
#include "report.h"
#include "runner.h"
#include "sandbox.h"

#include <errno.h>
#include <getopt.h>
#include <math.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

/* Exit statuses, as --help and docs/grading.md state them. */
enum { EXIT_GRADED = 0, EXIT_USAGE = 2 };

#define DEFAULT_OUT "grades"
#define REFERENCE_RUNS 5      /* fresh processes timing the reference, before and after */
#define REFERENCE_DRIFT 0.25  /* before/after the class: more, and the run is warned about */
#define BOOK_NAME "grades.csv"

static const char usage[] =
"usage: dmm-grade -c CONFIG [options] SUBMISSIONS\n"
"       dmm-grade merge -o BOOK SHARD_BOOK...\n"
"       dmm-grade --print-build-command FILE.c\n"
"\n"
"Grades every submission in SUBMISSIONS (a folder of ID.c files or ID/ folders\n"
"holding one .c file each; or one .c file) on the configuration's traces.\n"
"\n"
"  -c, --config FILE       the grading configuration (docs/grading.md; a sample:\n"
"                          docs/grading/sample.conf)\n"
"  -o, --out DIR           the grade book DIR/" BOOK_NAME " and each student's\n"
"                          build and feedback in DIR/students/ID/ (default\n"
"                          " DEFAULT_OUT ")\n"
"  -j, --jobs N            compilers and checking passes side by side (1 to %d;\n"
"                          default 1); timing runs are always one at a time\n"
"      --shard K/N         grade only the K-th of N slices of the class (the\n"
"                          students sorted by ID, every N-th from the K-th);\n"
"                          `dmm-grade merge` joins the slices' books\n"
"  -g                      print the CMU driver's autograder lines, correct:N\n"
"                          and perfidx:P (one submission only)\n"
"      --gradescope FILE   write Gradescope's results.json to FILE (one\n"
"                          submission only)\n"
"      --no-static-checks  skip the checks of includes, symbols, system call\n"
"                          instructions and constructors (to watch the sandbox\n"
"                          refuse what they would have)\n"
"      --print-build-command FILE.c\n"
"                          print the one-line command that builds FILE.c as\n"
"                          dmm-grade does, and exit\n"
"  -q, --quiet             no line per student on stdout\n"
"  -h, --help              this text\n"
"\n"
"Exit status: 0 the class is graded (the book is written, whatever the\n"
"grades); 2 bad input or the run could not finish (no book is written).\n";

/* "dmm-grade: message", with a hint to --help for a usage error; returns
 * EXIT_USAGE. */
__attribute__((format(printf, 2, 3))) static int complain(int usage, const char *format, ...)
{
    va_list args;
    va_start(args, format);
    fputs("dmm-grade: ", stderr);
    vfprintf(stderr, format, args);
    fputs(usage ? "\n(dmm-grade --help lists the options)\n" : "\n", stderr);
    va_end(args);
    return EXIT_USAGE;
}
#define usage_error(...) complain(1, __VA_ARGS__)
#define fail(...) complain(0, __VA_ARGS__)

/* The compiler: $CC, else cc. */
static const char *compiler(void)
{
    const char *cc = getenv("CC");
    return cc != NULL && cc[0] != '\0' ? cc : "cc";
}

/* ---- merge ------------------------------------------------------------------ */

static int merge_main(int argc, char **argv)
{
    const char *out = NULL;
    int first = 1;
    if (argc >= 3 && strcmp(argv[1], "-o") == 0) {
        out = argv[2];
        first = 3;
    }
    if (out == NULL)
        return usage_error("%s", "merge: -o BOOK first, then the shards' books");
    if (first == argc)
        return usage_error("%s", "merge: no shard book given");
    char error[1024];
    if (grade_merge(out, (const char *const *)(argv + first), (size_t)(argc - first), error,
                    sizeof error) != 0)
        return fail("merge: %s", error);
    return EXIT_GRADED;
}

/* ---- the runs ---------------------------------------------------------------- */

/* The replay options of a configuration's cost. */
static struct replay_options cost_options(const struct grade_config *config)
{
    struct replay_options options = {.series_points = 200};
    if (config->cost == COST_INSTRUCTIONS)
        options.count_instructions = 1; /* no timing run: its times would not be used */
    else
        options.repeat = config->repeat;
    return options;
}

/* Step 4: the reference on every trace, into reference[trace_count]. */
static int run_reference(const struct grade_config *config, const struct trace *traces,
                         unsigned jobs, struct replay_result *reference)
{
    const char *name = config->reference;
    char error[4096];
    if (runner_check_allocator(name, NULL, error, sizeof error) != 0)
        return fail("%s: the reference allocator: %s", config->path, error);
    struct runner_plan plan = {
        .allocators = &name,
        .allocator_count = 1,
        .traces = traces,
        .trace_count = config->trace_count,
        .options = cost_options(config),
        .timeout_seconds = config->timeout_seconds,
        .jobs = jobs,
        .show_progress = isatty(STDERR_FILENO),
    };
    struct runner_pair *pairs = calloc(config->trace_count, sizeof *pairs);
    if (pairs == NULL)
        return fail("%s", strerror(ENOMEM));
    int status = 0;
    if (runner_run(&plan, pairs) != 0)
        status = fail("cannot run the reference: %s", strerror(errno));
    for (size_t i = 0; i < config->trace_count && status == 0; i++) {
        reference[i] = pairs[i].result;
        if (reference[i].status != REPLAY_OK)
            status = fail("the reference allocator %s failed, so nothing can be compared "
                          "with it: %s", name, reference[i].message);
    }
    free(pairs);
    return status;
}

/* Step 4 with the time cost. The reference's steady time per op varies
 * between fresh processes far more than a dmm allocator's (glibc on
 * python-dict: 41 to 77 ns/op over ten processes on this machine; its
 * large chunks come and go with mmap, and their page faults are in every
 * replay), so each trace is timed in REFERENCE_RUNS processes before the
 * class and as many after, and its figure is the median of all of them
 * (measure_median). A change of the machine's speed during the run moves
 * every trace the same way: when the median over the traces of (after /
 * before) is off 1 by more than REFERENCE_DRIFT, the run is warned about,
 * with that figure. phase 0: before (fills reference[] and samples[]);
 * phase 1: after. */
static int time_reference(const struct grade_config *config, const struct trace *traces,
                          int phase, struct replay_result *reference, double *samples)
{
    size_t count = config->trace_count;
    struct replay_result *run = calloc(count, sizeof *run);
    double *ratios = calloc(count, sizeof *ratios);
    int status = run != NULL && ratios != NULL ? 0 : fail("%s", strerror(ENOMEM));
    for (size_t r = 0; r < REFERENCE_RUNS && status == 0; r++) {
        status = run_reference(config, traces, 1, run);
        for (size_t t = 0; t < count && status == 0; t++) {
            if (phase == 0 && r == 0)
                reference[t] = run[t];
            samples[(t * 2 + (size_t)phase) * REFERENCE_RUNS + r] = run[t].ns_per_op;
        }
    }
    for (size_t t = 0; t < count && status == 0 && phase == 1; t++) {
        double *before = &samples[t * 2 * REFERENCE_RUNS], *after = before + REFERENCE_RUNS;
        ratios[t] = measure_median(after, REFERENCE_RUNS) / measure_median(before, REFERENCE_RUNS);
        reference[t].ns_per_op = measure_median(before, 2 * REFERENCE_RUNS);
        reference[t].kops_per_sec = 1e6 / reference[t].ns_per_op;
    }
    if (status == 0 && phase == 1) {
        double drift = measure_median(ratios, count);
        if (fabs(drift - 1) > REFERENCE_DRIFT)
            fprintf(stderr,
                    "dmm-grade: warning: %s ran %.2f times as long per op after the class as "
                    "before (the median over the traces, each the median of %d processes): the "
                    "machine's speed changed during the run, and time-based grades with it "
                    "(`throughput instructions` does not depend on the machine)\n",
                    config->reference, drift, REFERENCE_RUNS);
    }
    free(ratios);
    free(run);
    return status;
}

/* Step 5: every built student on every trace, sandboxed. */
static int run_students(const struct grade_config *config, const struct trace *traces,
                        unsigned jobs, struct grade_student *students, size_t count)
{
    size_t built = 0;
    for (size_t i = 0; i < count; i++)
        built += students[i].build == BUILD_OK;
    if (built == 0)
        return 0;
    const char **modules = calloc(built, sizeof *modules);
    const char **labels = calloc(built, sizeof *labels);
    struct runner_pair *pairs = calloc(built * config->trace_count, sizeof *pairs);
    int status = modules != NULL && labels != NULL && pairs != NULL ? 0 : fail("%s", strerror(ENOMEM));
    for (size_t i = 0, k = 0; i < count && status == 0; i++)
        if (students[i].build == BUILD_OK) {
            modules[k] = students[i].module_path;
            labels[k++] = students[i].id;
        }
    struct sandbox sandbox = {.memory_mib = config->memory_mib,
                              .cpu_seconds = config->timeout_seconds};
    struct runner_plan plan = {
        .allocators = modules,
        .allocator_count = built,
        .traces = traces,
        .trace_count = config->trace_count,
        .options = cost_options(config),
        .timeout_seconds = config->timeout_seconds,
        .jobs = jobs,
        .show_progress = isatty(STDERR_FILENO),
        .labels = labels,
        .sandbox = &sandbox,
    };
    if (status == 0 && runner_run(&plan, pairs) != 0)
        status = fail("cannot run the pairs: %s", strerror(errno));
    for (size_t i = 0, k = 0; i < count && status == 0; i++) {
        if (students[i].build != BUILD_OK)
            continue;
        students[i].results = calloc(config->trace_count, sizeof *students[i].results);
        if (students[i].results == NULL) {
            status = fail("%s", strerror(ENOMEM));
            break;
        }
        for (size_t t = 0; t < config->trace_count; t++)
            students[i].results[t] = pairs[k * config->trace_count + t].result;
        k++;
    }
    free(pairs);
    free(labels);
    free(modules);
    return status;
}

/* The line of each student on stdout. */
static void print_line(const struct grade_config *config, const struct grade_student *s)
{
    static const char *const builds[] = {"ok", "failed", "refused"};
    printf("%-20s build %-7s %2u/%zu traces  util %.3f  throughput x%.3f  index %5.1f  "
           "score %.1f/%g\n",
           s->id, builds[s->build], s->score.traces_correct, config->trace_count,
           s->score.utilization, s->score.throughput_ratio, s->score.index, s->score.score,
           config->points);
    if (s->build != BUILD_OK)
        printf("    %s\n", s->build_message);
    else if (s->score.first_failure != SIZE_MAX)
        printf("    %s\n", s->results[s->score.first_failure].message);
}

/* The cost line of every feedback page. */
static void describe_cost(const struct grade_config *config, char *buffer, size_t size)
{
    if (config->cost == COST_RELATIVE)
        snprintf(buffer, size,
                 "throughput: steady-state time (the median of %u timed replays after a cold "
                 "one, in a fresh process per pair) relative to %s's, measured in the same "
                 "run on the same machine",
                 config->repeat, config->reference);
    else if (config->cost == COST_FIXED)
        snprintf(buffer, size,
                 "throughput: steady-state time (the median of %u timed replays after a cold "
                 "one) against a fixed %g Kops/s",
                 config->repeat, config->reference_kops);
    else
        snprintf(buffer, size,
                 "throughput: user-space instructions per operation of one steady replay "
                 "(%s), relative to %s's: the same on every machine and load",
                 instructions_method_name(instructions_method(NULL, 0)), config->reference);
}

/* ---- main -------------------------------------------------------------------- */

struct arguments {
    const char *config, *out, *gradescope, *submissions;
    unsigned jobs;
    int autograder, static_checks, quiet, sharded;
    struct grade_shard shard;
};

static int parse_arguments(int argc, char **argv, struct arguments *a)
{
    static const struct option options[] = {
        {"config", required_argument, NULL, 'c'},   {"out", required_argument, NULL, 'o'},
        {"jobs", required_argument, NULL, 'j'},     {"shard", required_argument, NULL, 'S'},
        {"gradescope", required_argument, NULL, 'G'},
        {"no-static-checks", no_argument, NULL, 'N'},
        {"print-build-command", required_argument, NULL, 'P'},
        {"quiet", no_argument, NULL, 'q'},          {"help", no_argument, NULL, 'h'},
        {NULL, 0, NULL, 0},
    };
    *a = (struct arguments){.out = DEFAULT_OUT, .jobs = 1, .static_checks = 1,
                            .shard = {1, 1}};
    char error[256];
    opterr = 0;
    for (int option; (option = getopt_long(argc, argv, ":c:o:j:gqh", options, NULL)) != -1;) {
        char *end;
        switch (option) {
        case 'c': a->config = optarg; break;
        case 'o': a->out = optarg; break;
        case 'j': {
            errno = 0;
            unsigned long jobs = strtoul(optarg, &end, 10);
            if (errno != 0 || end == optarg || *end != '\0' || jobs == 0 || jobs > RUNNER_MAX_JOBS)
                return usage_error("-j '%s': want a whole number from 1 to %d", optarg,
                                   RUNNER_MAX_JOBS);
            a->jobs = (unsigned)jobs;
            break;
        }
        case 'S':
            if (grade_shard_parse(optarg, &a->shard, error, sizeof error) != 0)
                return usage_error("--shard: %s", error);
            a->sharded = 1;
            break;
        case 'g': a->autograder = 1; break;
        case 'G': a->gradescope = optarg; break;
        case 'N': a->static_checks = 0; break;
        case 'q': a->quiet = 1; break;
        case 'P': {
            char command[16384];
            grade_build_command(DMM_SOURCE_DIR, compiler(), optarg, "libdmm-mine.so", command,
                                sizeof command);
            printf("%s\n", command);
            exit(EXIT_GRADED);
        }
        case 'h': printf(usage, RUNNER_MAX_JOBS); exit(EXIT_GRADED);
        case ':': return usage_error("%s needs a value", argv[optind - 1]);
        default: return usage_error("unknown option '%s'", argv[optind - 1]);
        }
    }
    if (a->config == NULL)
        return usage_error("%s", "no configuration given (-c FILE; a sample: "
                                 "docs/grading/sample.conf)");
    if (optind != argc - 1)
        return usage_error("%s", optind == argc ? "no submissions given"
                                                : "one SUBMISSIONS folder (or .c file) only");
    a->submissions = argv[optind];
    return 0;
}

int main(int argc, char **argv)
{
    instructions_child_main(argc, argv); /* the instruction cost's counting process */
    if (argc >= 2 && strcmp(argv[1], "merge") == 0)
        return merge_main(argc - 1, argv + 1);
    struct arguments a;
    if (parse_arguments(argc, argv, &a) != 0)
        return EXIT_USAGE;

    /* 1. The configuration and its traces. What main collects lives until
     * the process ends, and every early return ends it: static, so that it
     * is still reachable then (no LeakSanitizer report on an error). */
    static struct grade_config config;
    char error[8192];
    if (grade_config_load(a.config, &config, error, sizeof error) != 0)
        return fail("%s", error);
    if (config.cost != COST_FIXED && runner_is_baseline(config.reference))
        runner_reserve_static_tls(argv); /* jemalloc's TLS; returns when in force */
    if (config.cost == COST_INSTRUCTIONS &&
        instructions_method(error, sizeof error) == INSTRUCTIONS_NONE)
        return fail("%s: throughput instructions: %s", config.path, error);
    static struct trace *traces;
    traces = calloc(config.trace_count, sizeof *traces);
    if (traces == NULL)
        return fail("%s", strerror(ENOMEM));
    if (grade_config_load_traces(&config, traces, error, sizeof error) != 0)
        return fail("%s", error);
    for (size_t t = 0; t < config.trace_count; t++)
        if (traces[t].warning != NULL)
            fprintf(stderr, "dmm-grade: %s\n", traces[t].warning);

    /* 2. The class, and this run's slice of it. */
    static struct grade_student *all;
    size_t class_size;
    if (grade_find_submissions(a.submissions, a.out, &all, &class_size, error, sizeof error) != 0)
        return fail("%s", error);
    if ((a.autograder || a.gradescope != NULL) && class_size != 1)
        return usage_error("-g and --gradescope grade one submission; %s holds %zu",
                           a.submissions, class_size);
    size_t count = 0;
    for (size_t i = 0; i < class_size; i++)
        if (grade_shard_has(&a.shard, i))
            all[count++] = all[i]; /* moved, not copied: the rest are empty */
    char students_dir[4096 + 16];
    snprintf(students_dir, sizeof students_dir, "%s/students", a.out);
    if (report_make_dir(students_dir, error, sizeof error) != 0)
        return fail("-o %s: %s", a.out, error);

    /* 3. Each built alone and checked. */
    struct grade_build_options build = {
        .dmm_dir = DMM_SOURCE_DIR,
        .compiler = compiler(),
        .allow = (const char *const *)config.allow,
        .allow_count = config.allow_count,
        .check_symbols = a.static_checks,
        .jobs = a.jobs,
    };
    if (grade_build(&build, all, count) != 0)
        return fail("cannot run the compiler: %s", strerror(errno));

    /* 4 and 5. The reference, then the class. */
    struct replay_result *reference = NULL;
    double *samples = NULL;
    if (config.cost != COST_FIXED) {
        reference = calloc(config.trace_count, sizeof *reference);
        samples = calloc(config.trace_count * 2 * REFERENCE_RUNS, sizeof *samples);
        if (reference == NULL || samples == NULL)
            return fail("%s", strerror(ENOMEM));
        if (config.cost == COST_RELATIVE ? time_reference(&config, traces, 0, reference, samples)
                                         : run_reference(&config, traces, a.jobs, reference))
            return EXIT_USAGE;
    }
    if (run_students(&config, traces, a.jobs, all, count) != 0)
        return EXIT_USAGE;
    if (config.cost == COST_RELATIVE && time_reference(&config, traces, 1, reference, samples))
        return EXIT_USAGE;
    free(samples);

    /* 6. Scores, feedback, the book. */
    char cost[512];
    describe_cost(&config, cost, sizeof cost);
    struct grade_context context = {.config = &config, .traces = traces, .reference = reference,
                                    .dmm_dir = DMM_SOURCE_DIR, .compiler = compiler(),
                                    .machine = cost};
    for (size_t i = 0; i < count; i++) {
        grade_score(&config, traces, reference, &all[i]);
        if (grade_write_feedback(&context, &all[i], error, sizeof error) != 0)
            return fail("%s", error);
        if (!a.quiet && !a.autograder)
            print_line(&config, &all[i]);
    }
    if (a.autograder)
        grade_print_autograder(stdout, &all[0]);
    if (a.gradescope != NULL &&
        grade_write_gradescope(a.gradescope, &context, &all[0], error, sizeof error) != 0)
        return fail("%s", error);
    char book[4096 + 32];
    snprintf(book, sizeof book, "%s/" BOOK_NAME, a.out);
    if (grade_write_book(book, &config, all, count, &a.shard, class_size, error, sizeof error) != 0)
        return fail("%s", error);
    if (!a.quiet && !a.autograder)
        printf("grade book: %s (%zu student%s%s)\n", book, count, count == 1 ? "" : "s",
               a.sharded ? ", one shard" : "");

    grade_students_free(all, class_size);
    for (size_t t = 0; t < config.trace_count; t++)
        trace_free(&traces[t]);
    free(traces);
    free(reference);
    grade_config_free(&config);
    return EXIT_GRADED;
}
