/*
 * dmm-compare — the project's main job: every allocator on the bundled
 * traces, a large-chunk trace and four scaling series, into one report
 * folder: CSV and JSON, the lecture's table judged from the measurements,
 * the plots, and index.html.
 *
 *   dmm-compare [--report DIR] [--repeat K] [-j N] [--quick] [--no-plots]
 *               [--policies NAME]
 *
 * The order of work (a progress line on stderr says which step runs):
 *   1. the report folder (compare_files.c), and the generated traces:
 *      dmm-gen writes large.trace and the scaling traces into REPORT/traces;
 *   2. every allocator on the bundled traces and large.trace (results.csv
 *      and the CSV files derived from it, the time series);
 *   3. the lecture's demo trace once more per allocator, its heap map
 *      taken after every operation (heapmap/ALLOCATOR.csv);
 *   4. the scaling series (scaling.csv, scaling-slopes.csv);
 *   5. the lecture's table, judged by lecture_table.c's rules;
 *   6. the plots: every plots/NAME.gp run by gnuplot, when it is installed;
 *   7. machine.txt and index.html (html.c);
 * then the table, the pairs that failed, and where the report is.
 *
 * The pairs run through runner_run (runner.h): each job in a child process
 * of its own; up to -j checking passes side by side, but the timing runs
 * one at a time with nothing else running, so no two timed replays share
 * the CPU and -j changes no figure.
 *
 * --policies NAME runs one allocator instead, once per placement policy it
 * offers, on the same traces (compare_policies.c): policies.csv,
 * policies-pairs.csv and the charts of plots/policies.gp, no lecture table.
 *
 * Exit status: 0 every pair ok; 1 some pair failed (the report is still
 * written, and the failures are listed); 2 usage error, or the report
 * could not be made.
 */
#define _XOPEN_SOURCE 700 /* POSIX 2008 and realpath */

#include "compare.h"

#include "lecture_table.h"
#include "replay.h"
#include "report.h"
#include "runner.h"
#include "trace.h"

#include <errno.h>
#include <getopt.h>
#include <glob.h>
#include <limits.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#ifndef DMM_SOURCE_DIR
#define DMM_SOURCE_DIR "." /* the build passes the source folder */
#endif
#ifndef DMM_WITH_MINE
#define DMM_WITH_MINE 0 /* 1: this build has a student's allocator, `mine` */
#endif
#ifndef DMM_REPORT_DIR
#define DMM_REPORT_DIR "report" /* the build passes BUILD/report */
#endif

enum { EXIT_ALL_OK = 0, EXIT_SOME_NOT_OK = 1, EXIT_USAGE = 2 };

#define DEFAULT_REPEAT 3       /* steady replays: a median of three, as dmm-replay */
#define PAIR_TIMEOUT 300.0     /* seconds per pair: the slowest (list, worst, 10000) takes ~10 */

const char *const compare_series[COMPARE_SERIES] = {"random", "worst", "fixed", "large"};
const unsigned compare_live_counts[COMPARE_LIVE_COUNTS] = {100, 300, 1000, 3000, 10000};

/* ---- the command line ---------------------------------------------------------- */

static void print_help(void)
{
    printf(
"Usage: dmm-compare [--report DIR] [--repeat K] [-j N] [--quick] [--no-plots]\n"
"                   [--policies NAME]\n"
"\n"
"Replays the bundled traces, a large-chunk trace and four scaling series\n"
"against every allocator, judges the lecture's table from the measurements,\n"
"draws the plots, and writes it all into one report folder with an index.html\n"
"(docs/compare.md describes every file). Prints the table and where the\n"
"report is.\n"
"\n"
"Options:\n"
"  --report DIR  the report folder (default: %s). A folder that\n"
"                exists must be empty or an earlier report (it holds the file\n"
"                %s); an earlier report's files are replaced\n"
"  --repeat K    steady replays per pair after its cold one, in one fresh\n"
"                process; their median is ns/op (default %d)\n"
"  -j, --jobs N  up to N checking passes side by side (1 to %d; default 1).\n"
"                Timing runs still run one at a time with nothing else\n"
"                running, so -j never changes a figure\n"
"  --quick       scaling series up to 1000 live blocks only (not 10000)\n"
"  --no-plots    do not run gnuplot\n"
"  --policies NAME  chart allocator NAME across its placement policies\n"
"                (allocators/policy.h): every fit x order its\n"
"                dmm_policy_choices() offers, each on the same traces, into\n"
"                policies.csv, policies-pairs.csv and policies-*.png/.svg;\n"
"                instead of every allocator and the lecture's table\n"
"  -h, --help    this text\n"
"\n"
"Exit status: 0 every pair ok; 1 some pair failed (the report is written and\n"
"the failures are listed); 2 usage error, or the report could not be made.\n",
        DMM_REPORT_DIR, COMPARE_MARKER, DEFAULT_REPEAT, RUNNER_MAX_JOBS);
}

__attribute__((format(printf, 1, 2)))
static int usage_error(const char *format, ...)
{
    va_list args;
    va_start(args, format);
    fputs("dmm-compare: ", stderr);
    vfprintf(stderr, format, args);
    fputs("\nTry 'dmm-compare --help'.\n", stderr);
    va_end(args);
    return EXIT_USAGE;
}

/* ---- the allocators ----------------------------------------------------------- */

/* What allocator `asked` calls itself (its module is loaded in a child
 * process: a student's module may crash while loading). NULL when that
 * failed. */
static char *reported_name(const char *asked)
{
    char name[64];
    return compare_ask_module(asked, COMPARE_ASK_NAME, name, sizeof name) == 0 ? strdup(name)
                                                                                : NULL;
}

/* The built allocators, and the student's `mine` when this build has one
 * (a libdmm-mine.so left from an earlier configuration is not); each named
 * in the report as its dmm_name() says. */
static int find_allocators(struct compare *c)
{
    size_t most = RUNNER_BUILTIN_COUNT + DMM_WITH_MINE + RUNNER_BASELINE_COUNT;
    c->asked = calloc(most, sizeof *c->asked);
    c->names = calloc(most, sizeof *c->names);
    if (c->asked == NULL || c->names == NULL)
        return -1;
    char error[COMPARE_PATH_BYTES + 256];
    for (size_t i = 0; i < most; i++) {
        const char *name = i < RUNNER_BUILTIN_COUNT ? runner_builtin_allocators[i]
                           : i < RUNNER_BUILTIN_COUNT + DMM_WITH_MINE
                               ? "mine"
                               : runner_baseline_allocators[i - RUNNER_BUILTIN_COUNT - DMM_WITH_MINE];
        if (runner_is_baseline(name) &&
            !runner_baseline_available(name, NULL, error, sizeof error)) {
            compare_warn(c, "%s", error); /* a one-line note, never a failure */
            continue;
        }
        if (runner_check_allocator(name, NULL, error, sizeof error) != 0) {
            if (i < RUNNER_BUILTIN_COUNT)
                compare_warn(c, "%s: left out", error);
            continue;
        }
        size_t a = c->allocator_count++;
        c->asked[a] = name;
        char *reported = reported_name(name);
        if (reported == NULL || reported[0] == '\0' ||
            strpbrk(reported, " \t,\"'/\\<>&") != NULL) {
            compare_warn(c, "allocator '%s' gives no usable dmm_name(): it is called '%s' here",
                         name, name);
            free(reported);
            reported = strdup(name);
        }
        c->names[a] = reported;
        for (size_t b = 0; b < a; b++)
            if (reported != NULL && strcmp(c->names[b], reported) == 0)
                compare_warn(c, "allocators '%s' and '%s' both call themselves '%s': their "
                             "series and heap maps overwrite each other", c->asked[b], name,
                             reported);
    }
    return c->allocator_count > 0 ? 0 : -1;
}

/* ---- the traces -------------------------------------------------------------------- */

/* DMM_SOURCE_DIR/traces/ *.trace and *.rep (in name order, as dmm-replay
 * takes a folder), then REPORT/traces/large.trace. */
/* A malformed bundled trace stops that trace only: it is left out (the
 * other traces still run) and its error is listed at the end. */
static struct {
    char **messages; /* "PATH:LINE: what is wrong", one per trace left out */
    size_t count;
} unread;

static int load_traces(struct compare *c)
{
    glob_t found = {0};
    int flags = 0;
    static const char *const patterns[] = {"/traces/*.trace", "/traces/*.rep"};
    for (size_t p = 0; p < 2; p++, flags = GLOB_APPEND) {
        char pattern[COMPARE_PATH_BYTES];
        snprintf(pattern, sizeof pattern, "%s%s", DMM_SOURCE_DIR, patterns[p]);
        if (glob(pattern, flags, NULL, &found) == GLOB_NOSPACE) {
            globfree(&found);
            return -1;
        }
    }
    c->bundled_count = found.gl_pathc;
    c->trace_count = c->bundled_count + 1;
    c->traces = calloc(c->trace_count, sizeof *c->traces);
    if (c->traces == NULL || c->bundled_count == 0) {
        fprintf(stderr, "dmm-compare: no traces in %s/traces\n", DMM_SOURCE_DIR);
        globfree(&found);
        return -1;
    }
    char error[COMPARE_PATH_BYTES + 256], large[COMPARE_PATH_BYTES];
    snprintf(large, sizeof large, "%s/traces/large.trace", c->report);
    size_t loaded = 0, bundled = 0;
    unread.messages = calloc(c->trace_count, sizeof *unread.messages);
    for (size_t t = 0; t < c->trace_count && unread.messages != NULL; t++) {
        const char *path = t < c->bundled_count ? found.gl_pathv[t] : large;
        if (trace_load(path, &c->traces[loaded], error, sizeof error) != 0) {
            if (t == c->bundled_count) { /* the large trace is compare's own: a bug */
                fprintf(stderr, "dmm-compare: %s\n", error);
                globfree(&found);
                return -1;
            }
            unread.messages[unread.count] = strdup(error);
            if (unread.messages[unread.count] != NULL)
                unread.count++;
            continue;
        }
        if (c->traces[loaded].warning != NULL)
            fprintf(stderr, "dmm-compare: %s\n", c->traces[loaded].warning);
        bundled += t < c->bundled_count;
        loaded++;
    }
    globfree(&found);
    if (unread.messages == NULL || bundled == 0) {
        fprintf(stderr, "dmm-compare: no readable traces in %s/traces\n", DMM_SOURCE_DIR);
        return -1;
    }
    c->bundled_count = bundled;
    c->trace_count = loaded;
    return 0;
}

/* The bundled traces that could not be read, listed at the end; returns 1
 * when there were any (the exit status is then 2). */
static int list_unread_traces(void)
{
    if (unread.count > 0) {
        fprintf(stderr, "dmm-compare: %zu trace%s not replayed:\n", unread.count,
                unread.count == 1 ? "" : "s");
        for (size_t i = 0; i < unread.count; i++)
            fprintf(stderr, "  %s\n", unread.messages[i]);
    }
    return unread.count > 0;
}

/* ---- the runs ------------------------------------------------------------------------ */

/* One allocator on some traces, into pairs[]; the pairs then carry the
 * allocator's reported name. Returns 0, or -1 when the runner could not go on. */
static int run_pairs(const struct compare *c, size_t a, const struct trace *traces,
                     size_t trace_count, const struct replay_options *options,
                     struct runner_pair *pairs)
{
    struct runner_plan plan = {
        .allocators = &c->asked[a], .allocator_count = 1,
        .traces = traces, .trace_count = trace_count,
        .options = *options, .timeout_seconds = PAIR_TIMEOUT, .jobs = c->jobs,
    };
    if (runner_run(&plan, pairs) != 0) {
        fprintf(stderr, "%sdmm-compare: cannot run the pairs: %s\n", c->tty ? "\r\033[K" : "",
                strerror(errno));
        return -1;
    }
    for (size_t i = 0; i < trace_count; i++)
        pairs[i].allocator = c->names[a];
    return 0;
}

static int run_bundled(struct compare *c)
{
    char series[COMPARE_PATH_BYTES];
    snprintf(series, sizeof series, "%s/series", c->report);
    struct replay_options options = {.repeat = c->repeat, .series_points = 200,
                                     .series_dir = series};
    if (compare_make_folder(c, "series") != 0)
        return -1;
    c->pairs = calloc(c->allocator_count * c->trace_count, sizeof *c->pairs);
    if (c->pairs == NULL)
        return -1;
    for (size_t a = 0; a < c->allocator_count; a++) {
        compare_progress(c, 2, "bundled traces: %s (%zu of %zu allocators)", c->names[a],
                         a + 1, c->allocator_count);
        struct runner_pair *pairs = &c->pairs[a * c->trace_count];
        /* A baseline's series would come from its checking pass, where its
         * statistics are not this run's measure (docs/harness.md): none. */
        int baseline = runner_is_baseline(c->asked[a]);
        struct replay_options these = options;
        if (baseline)
            these.series_dir = NULL;
        if (run_pairs(c, a, c->traces, c->trace_count, &these, pairs) != 0)
            return -1;
        for (size_t t = 0; t < c->trace_count && !baseline; t++) {
            char relative[COMPARE_PATH_BYTES];
            snprintf(relative, sizeof relative, "series/%s--%s.csv", c->names[a],
                     c->traces[t].name);
            compare_record(c, relative);
        }
    }
    return compare_write_results(c);
}

/* The lecture's demo once per allocator, its heap map written. */
static int run_heap_maps(struct compare *c, struct runner_pair *pairs)
{
    const struct trace *demo = NULL;
    for (size_t t = 0; t < c->bundled_count; t++)
        if (strcmp(c->traces[t].name, "lecture-demo") == 0)
            demo = &c->traces[t];
    if (demo == NULL) {
        compare_warn(c, "no traces/lecture-demo.trace: no heap maps");
        return 0;
    }
    char folder[COMPARE_PATH_BYTES];
    snprintf(folder, sizeof folder, "%s/heapmap", c->report);
    struct replay_options options = {.repeat = 0, .heap_map_dir = folder};
    if (compare_make_folder(c, "heapmap") != 0)
        return -1;
    for (size_t a = 0; a < c->allocator_count; a++) {
        compare_progress(c, 3, "heap maps of the lecture's demo: %s", c->names[a]);
        if (run_pairs(c, a, demo, 1, &options, &pairs[a]) != 0)
            return -1;
        char relative[COMPARE_PATH_BYTES];
        snprintf(relative, sizeof relative, "heapmap/%s.csv", c->names[a]);
        compare_record(c, relative);
    }
    return 0;
}

static int run_scaling(struct compare *c, size_t live_count)
{
    struct trace traces[COMPARE_LIVE_COUNTS][COMPARE_SERIES] = {{{0}}};
    char error[COMPARE_PATH_BYTES + 256], relative[COMPARE_PATH_BYTES], path[COMPARE_PATH_BYTES];
    for (size_t n = 0; n < live_count; n++)
        for (size_t s = 0; s < COMPARE_SERIES; s++) {
            compare_scaling_trace(s, n, relative, sizeof relative);
            compare_path(c, relative, path);
            if (trace_load(path, &traces[n][s], error, sizeof error) != 0) {
                fprintf(stderr, "dmm-compare: %s\n", error);
                return -1;
            }
        }
    c->points = calloc(c->allocator_count * live_count * COMPARE_SERIES, sizeof *c->points);
    if (c->points == NULL)
        return -1;
    struct replay_options options = {.repeat = c->repeat};
    /* One allocator's sizes and series in one run (traces[] is contiguous),
     * so that -j runs their checking passes side by side. */
    struct runner_pair pairs[COMPARE_LIVE_COUNTS * COMPARE_SERIES];
    int status = 0;
    for (size_t a = 0; a < c->allocator_count && status == 0; a++) {
        compare_progress(c, 4, "scaling series: %s (%zu of %zu allocators)", c->names[a], a + 1,
                         c->allocator_count);
        status = run_pairs(c, a, &traces[0][0], live_count * COMPARE_SERIES, &options, pairs);
        for (size_t i = 0; i < live_count * COMPARE_SERIES && status == 0; i++) {
            struct compare_point *point = &c->points[c->point_count++];
            *point = (struct compare_point){compare_series[i % COMPARE_SERIES],
                                            compare_live_counts[i / COMPARE_SERIES], pairs[i]};
            /* The trace is freed below: keep only what scaling.csv needs. */
            point->pair.trace = NULL;
        }
    }
    for (size_t n = 0; n < live_count; n++)
        for (size_t s = 0; s < COMPARE_SERIES; s++)
            trace_free(&traces[n][s]);
    return status == 0 ? compare_write_scaling(c) : -1;
}

/* ---- the lecture's table ---------------------------------------------------------------- */

/* The rules of lecture_table.c on every measurement: lecture-table.csv and
 * lecture-table.txt. Every scaling series goes in: lecture_figures.c judges
 * only the small-chunk ones (lecture_judged_series) and reports the large
 * series' slope in malloc's why, never as a verdict. */
static int judge_lecture_table(struct compare *c)
{
    size_t pair_count = c->allocator_count * c->trace_count;
    struct lecture_run *runs = calloc(pair_count, sizeof *runs);
    struct lecture_point *points = calloc(c->point_count + 1, sizeof *points);
    c->rows = calloc(c->allocator_count, sizeof *c->rows);
    if (runs == NULL || points == NULL || c->rows == NULL) {
        free(runs), free(points);
        return -1;
    }
    /* The baselines are left out: their system calls and search steps are
     * not counted (baselines/baseline.c), so the rules cannot judge them,
     * and their times must not move the median the size rule divides by. */
    size_t run_count = 0, point_count = 0;
    for (size_t i = 0; i < pair_count; i++) {
        const struct runner_pair *pair = &c->pairs[i];
        if (runner_is_baseline(pair->allocator))
            continue;
        runs[run_count++] = (struct lecture_run){pair->allocator, &pair->result,
                                                 lecture_total_requested(pair->trace),
                                                 pair->trace == &c->traces[c->bundled_count]};
    }
    for (size_t i = 0; i < c->point_count; i++) {
        const struct compare_point *p = &c->points[i];
        if (runner_is_baseline(p->pair.allocator))
            continue;
        points[point_count++] = (struct lecture_point){p->pair.allocator, p->series,
                                                       p->live_blocks, &p->pair.result};
    }
    struct lecture_measurements measured = {runs, run_count, points, point_count};
    int rows = lecture_judge(&measured, c->rows, c->allocator_count);
    free(runs), free(points);
    if (rows < 0)
        return -1;
    c->row_count = (size_t)rows;

    int failed = compare_write_slopes(c) != 0;
    FILE *out = compare_create(c, "lecture-table.csv");
    if (out == NULL)
        return -1;
    lecture_write_csv(out, c->rows, c->row_count);
    failed |= compare_close(c, out, "lecture-table.csv") != 0;
    if ((out = compare_create(c, "lecture-table.txt")) == NULL)
        return -1;
    lecture_print_table(out, c->rows, c->row_count, 1);
    failed |= compare_close(c, out, "lecture-table.txt") != 0;
    return failed ? -1 : 0;
}

/* ---- main ------------------------------------------------------------------------------- */

/* Prints every pair that is not ok; returns how many. */
static size_t print_failures(const struct runner_pair *pairs, size_t count, size_t shown)
{
    for (size_t i = 0; i < count; i++) {
        if (pairs[i].result.status == REPLAY_OK)
            continue;
        if (shown++ == 0)
            printf("\nPairs that did not pass:\n");
        printf("  %s: %s\n", report_status_name(pairs[i].result.status), pairs[i].result.message);
    }
    return shown;
}

/* Copies docs/NAME into REPORT/docs/, where index.html links. */
static void copy_docs(struct compare *c)
{
    static const char *const docs[] = {"harness.md", "lecture-table.md", "compare.md"};
    if (compare_make_folder(c, "docs") != 0)
        return;
    for (size_t i = 0; i < sizeof docs / sizeof docs[0]; i++) {
        char from[COMPARE_PATH_BYTES], to[COMPARE_PATH_BYTES];
        snprintf(from, sizeof from, "%s/docs/%s", DMM_SOURCE_DIR, docs[i]);
        snprintf(to, sizeof to, "docs/%s", docs[i]);
        if (access(from, R_OK) == 0)
            compare_copy(c, from, to);
    }
}

static int parse_options(int argc, char **argv, struct compare *c)
{
    enum { OPTION_REPORT = 256, OPTION_REPEAT, OPTION_QUICK, OPTION_NO_PLOTS, OPTION_POLICIES };
    char *end;
    static const struct option options[] = {
        {"report", required_argument, NULL, OPTION_REPORT},
        {"repeat", required_argument, NULL, OPTION_REPEAT},
        {"quick", no_argument, NULL, OPTION_QUICK},
        {"no-plots", no_argument, NULL, OPTION_NO_PLOTS},
        {"policies", required_argument, NULL, OPTION_POLICIES},
        {"jobs", required_argument, NULL, 'j'},
        {"help", no_argument, NULL, 'h'},
        {NULL, 0, NULL, 0},
    };
    opterr = 0;
    for (int option; (option = getopt_long(argc, argv, ":j:h", options, NULL)) != -1;) {
        switch (option) {
        case OPTION_REPORT:
            if (optarg[0] == '\0' || strlen(optarg) > COMPARE_REPORT_MAX)
                return usage_error("--report: want a folder name of 1 to %d bytes",
                                   COMPARE_REPORT_MAX);
            c->report = optarg;
            break;
        case OPTION_REPEAT: {
            errno = 0;
            unsigned long repeat = strtoul(optarg, &end, 10);
            if (optarg[0] < '0' || optarg[0] > '9' || *end != '\0' || errno != 0 ||
                repeat > REPLAY_MAX_REPEAT)
                return usage_error("--repeat '%s': want a whole number from 0 to %d", optarg,
                                   REPLAY_MAX_REPEAT);
            c->repeat = (unsigned)repeat;
            break;
        }
        case 'j': {
            errno = 0;
            unsigned long jobs = strtoul(optarg, &end, 10);
            if (optarg[0] < '0' || optarg[0] > '9' || *end != '\0' || errno != 0 || jobs == 0 ||
                jobs > RUNNER_MAX_JOBS)
                return usage_error("-j/--jobs '%s': want a whole number from 1 to %d", optarg,
                                   RUNNER_MAX_JOBS);
            c->jobs = (unsigned)jobs;
            break;
        }
        case OPTION_QUICK:
            c->quick = 1;
            break;
        case OPTION_NO_PLOTS:
            c->plots = 0;
            break;
        case OPTION_POLICIES:
            if (optarg[0] == '\0')
                return usage_error("--policies: want an allocator's name");
            c->policies = optarg;
            break;
        case 'h':
            print_help();
            exit(EXIT_ALL_OK);
        case ':':
            return usage_error("%s needs a value", argv[optind - 1]);
        default:
            return usage_error("unknown option '%s'", argv[optind - 1]);
        }
    }
    if (optind < argc)
        return usage_error("unexpected argument '%s'", argv[optind]);
    return 0;
}

/* --policies NAME: the allocator's variants on the generated and bundled
 * traces, their CSV files and charts, machine.txt; the exit status as main's. */
static int policies_main(struct compare *c, size_t live_count)
{
    char error[COMPARE_PATH_BYTES + 1024];
    if (compare_policy_variants(c, error, sizeof error) != 0) {
        fprintf(stderr, "dmm-compare: %s\n", error);
        return EXIT_USAGE;
    }
    if (compare_open_report(c, error, sizeof error) != 0) {
        fprintf(stderr, "dmm-compare: %s\n", error);
        return EXIT_USAGE;
    }
    if (compare_generate_traces(c, live_count) != 0 || load_traces(c) != 0 ||
        compare_run_policies(c, live_count) != 0) {
        compare_progress_done(c);
        list_unread_traces();
        fprintf(stderr, "dmm-compare: the report in %s is incomplete\n", c->report);
        return EXIT_USAGE;
    }
    compare_draw_plots(c);
    compare_progress(c, 7, "machine.txt");
    char *machine = NULL;
    int incomplete = compare_write_machine(c, &machine) != 0;
    free(machine);
    compare_progress_done(c);
    size_t failures = compare_print_policies(c, stdout);
    char absolute[PATH_MAX];
    printf("\nReport: %s/policies.csv\n",
           realpath(c->report, absolute) != NULL ? absolute : c->report);
    if (list_unread_traces() || incomplete) {
        fprintf(stderr, "dmm-compare: the report in %s is incomplete\n", c->report);
        return EXIT_USAGE;
    }
    return failures > 0 ? EXIT_SOME_NOT_OK : EXIT_ALL_OK;
}

int main(int argc, char **argv)
{
    runner_reserve_static_tls(argv); /* jemalloc's TLS; returns when in force */
    /* The comparison (its traces, pairs and rows) lives until the process
     * ends, and every return from main ends it: static, so that all of it
     * is still reachable then, and LeakSanitizer reports no leak. */
    static struct compare c;
    c = (struct compare){.report = DMM_REPORT_DIR, .repeat = DEFAULT_REPEAT, .jobs = 1,
                         .plots = 1, .tty = isatty(STDERR_FILENO)};
    if (parse_options(argc, argv, &c) != 0)
        return EXIT_USAGE;
    size_t live_count = c.quick ? COMPARE_QUICK_LIVE_COUNTS : COMPARE_LIVE_COUNTS;
    time_t now = time(NULL);
    struct tm local;
    strftime(c.date, sizeof c.date, "%Y-%m-%d %H:%M:%S %z", localtime_r(&now, &local));
    if (c.policies != NULL)
        return policies_main(&c, live_count);

    char error[COMPARE_PATH_BYTES + 512];
    if (compare_open_report(&c, error, sizeof error) != 0) {
        fprintf(stderr, "dmm-compare: %s\n", error);
        return EXIT_USAGE;
    }
    if (find_allocators(&c) != 0) {
        fprintf(stderr, "dmm-compare: no allocator modules could be loaded from %s\n",
                runner_module_dir(NULL));
        return EXIT_USAGE;
    }
    static struct runner_pair *demo_pairs;
    demo_pairs = calloc(c.allocator_count, sizeof *demo_pairs);
    if (demo_pairs == NULL || compare_generate_traces(&c, live_count) != 0 ||
        load_traces(&c) != 0 || run_bundled(&c) != 0 || run_heap_maps(&c, demo_pairs) != 0 ||
        run_scaling(&c, live_count) != 0) {
        compare_progress_done(&c);
        list_unread_traces();
        fprintf(stderr, "dmm-compare: the report in %s is incomplete\n", c.report);
        return EXIT_USAGE;
    }
    compare_progress(&c, 5, "the lecture's table");
    int incomplete = judge_lecture_table(&c) != 0;
    compare_draw_plots(&c);
    compare_progress(&c, 7, "machine.txt and index.html");
    char *machine = NULL;
    incomplete |= compare_write_machine(&c, &machine) != 0;
    copy_docs(&c);
    incomplete |= html_write_index(&c, machine != NULL ? machine : "") != 0;
    compare_progress_done(&c);
    free(machine);

    printf("The lecture's table, measured (below each row the row it is compared with: the "
           "lecture's own, or dmm's reading of a slide; * where they differ):\n\n");
    lecture_print_table(stdout, c.rows, c.row_count, 0);
    incomplete |= compare_write_ratios(&c, stdout) != 0;
    size_t failures = print_failures(c.pairs, c.allocator_count * c.trace_count, 0);
    failures = print_failures(demo_pairs, c.allocator_count, failures);
    for (size_t i = 0; i < c.point_count; i++)
        failures = print_failures(&c.points[i].pair, 1, failures);
    char absolute[PATH_MAX];
    printf("\nWhy each verdict: %s/lecture-table.txt\n", c.report);
    printf("Report: %s/index.html\n",
           realpath(c.report, absolute) != NULL ? absolute : c.report);
    if (list_unread_traces() || incomplete) {
        fprintf(stderr, "dmm-compare: the report in %s is incomplete\n", c.report);
        return EXIT_USAGE;
    }
    return failures > 0 ? EXIT_SOME_NOT_OK : EXIT_ALL_OK;
}
