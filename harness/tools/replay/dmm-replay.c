/*
 * dmm-replay — replays malloc/free traces against allocators, checks every
 * block, times the replay, and reports what each allocator cost.
 *
 *   dmm-replay [--allocator NAME[,NAME...]|all] [options] TRACE...
 *
 * The order of work: read the options; check every allocator name; parse
 * every trace completely (a malformed one is set aside: the others run, and
 * every error is listed at the end, exit status 2); open the output files;
 * then run each (allocator, trace) pair in a child process of its own
 * (runner.h) and print the results (report.h). With --foreground the one
 * pair runs in this process instead, for a debugger (foreground.c).
 * docs/harness.md is the manual, docs/debugging.md the loop a student
 * follows; --help the summary.
 */
#define _POSIX_C_SOURCE 200809L /* strdup, isatty */

#include "help.h"
#include "instructions.h"
#include "output.h"
#include "replay.h"
#include "report.h"
#include "runner.h"
#include "trace.h"

#include <errno.h>
#include <getopt.h>
#include <glob.h>
#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

/* Exit statuses, as --help and docs/harness.md state them. */
enum { EXIT_ALL_OK = 0, EXIT_SOME_NOT_OK = 1, EXIT_USAGE = 2 };

#define DEFAULT_REPEAT 3          /* steady replays: a median of three */
#define DEFAULT_TIMEOUT 60.0      /* seconds per process of a pair, plus TIMEOUT_PER_OP */
#define TIMEOUT_PER_OP 2e-6       /* seconds per op of the longest trace and replay: a
                                     20 M-op trace gets minutes, not a false timeout */
#define DEFAULT_SERIES_POINTS 200 /* samples per series: a smooth line on a chart */
#define MAX_TIMEOUT 1e6           /* seconds (11 days): keeps the deadline arithmetic exact */

/* Options without a short form. */
enum {
    OPTION_MODULE_DIR = 256, OPTION_REPEAT, OPTION_CHECK_EVERY, OPTION_TIMEOUT, OPTION_CSV,
    OPTION_JSON, OPTION_SERIES, OPTION_SERIES_POINTS, OPTION_HEAP_MAP, OPTION_HEAP_MAP_DIR,
    OPTION_JOBS, OPTION_COST, OPTION_SANDBOX, OPTION_CHECKED, OPTION_FOREGROUND, OPTION_POLICY,
};

static const struct option long_options[] = {
    {"allocator", required_argument, NULL, 'a'},
    {"module-dir", required_argument, NULL, OPTION_MODULE_DIR},
    {"repeat", required_argument, NULL, OPTION_REPEAT},
    {"check-every", required_argument, NULL, OPTION_CHECK_EVERY},
    {"timeout", required_argument, NULL, OPTION_TIMEOUT},
    {"csv", required_argument, NULL, OPTION_CSV},
    {"json", required_argument, NULL, OPTION_JSON},
    {"series", required_argument, NULL, OPTION_SERIES},
    {"series-points", required_argument, NULL, OPTION_SERIES_POINTS},
    {"verbose", no_argument, NULL, 'v'},
    {"heap-map", no_argument, NULL, OPTION_HEAP_MAP},
    {"heap-map-dir", required_argument, NULL, OPTION_HEAP_MAP_DIR},
    {"quiet", no_argument, NULL, 'q'},
    {"jobs", required_argument, NULL, 'j'},
    {"cost", required_argument, NULL, OPTION_COST},
    {"sandbox", no_argument, NULL, OPTION_SANDBOX},
    {"checked", no_argument, NULL, OPTION_CHECKED},
    {"foreground", no_argument, NULL, OPTION_FOREGROUND},
    {"policy", required_argument, NULL, OPTION_POLICY},
    {"help", no_argument, NULL, 'h'},
    {NULL, 0, NULL, 0},
};

/* "dmm-replay: what is wrong", a pointer to --help, and EXIT_USAGE. */
__attribute__((format(printf, 1, 2)))
static int usage_error(const char *format, ...)
{
    va_list args;
    va_start(args, format);
    fprintf(stderr, "dmm-replay: ");
    vfprintf(stderr, format, args);
    fprintf(stderr, "\nTry 'dmm-replay --help'.\n");
    va_end(args);
    return EXIT_USAGE;
}

/* A whole non-negative decimal number, at most max. */
static int parse_count(const char *text, uint64_t max, uint64_t *value)
{
    if (text[0] < '0' || text[0] > '9')
        return -1;
    char *end;
    errno = 0;
    unsigned long long parsed = strtoull(text, &end, 10);
    if (errno != 0 || *end != '\0' || parsed > max)
        return -1;
    *value = parsed;
    return 0;
}

/* ---- the allocator list --------------------------------------------------- */

struct name_list {
    char **names;
    size_t count, capacity;
};

static int add_name(struct name_list *list, const char *name, size_t length)
{
    if (list->count == list->capacity) {
        size_t capacity = list->capacity == 0 ? 8 : 2 * list->capacity;
        char **bigger = realloc(list->names, capacity * sizeof *bigger);
        if (bigger == NULL)
            return -1;
        list->names = bigger;
        list->capacity = capacity;
    }
    char *copy = malloc(length + 1);
    if (copy == NULL)
        return -1;
    memcpy(copy, name, length);
    copy[length] = '\0';
    list->names[list->count++] = copy;
    return 0;
}

/* Appends the names of a comma-separated LIST; `all` means every built
 * allocator, `baselines` the four production ones. */
static int add_allocators(struct name_list *list, const char *text)
{
    for (const char *start = text;;) {
        const char *comma = strchr(start, ',');
        size_t length = comma != NULL ? (size_t)(comma - start) : strlen(start);
        if (length == 0)
            return usage_error("--allocator '%s': an empty name in the list", text);
        if (length == 3 && strncmp(start, "all", 3) == 0) {
            for (size_t i = 0; i < RUNNER_BUILTIN_COUNT; i++)
                if (add_name(list, runner_builtin_allocators[i],
                             strlen(runner_builtin_allocators[i])) != 0)
                    return usage_error("%s", strerror(ENOMEM));
        } else if (length == 9 && strncmp(start, "baselines", 9) == 0) {
            for (size_t i = 0; i < RUNNER_BASELINE_COUNT; i++)
                if (add_name(list, runner_baseline_allocators[i],
                             strlen(runner_baseline_allocators[i])) != 0)
                    return usage_error("%s", strerror(ENOMEM));
        } else if (add_name(list, start, length) != 0) {
            return usage_error("%s", strerror(ENOMEM));
        }
        if (comma == NULL)
            return 0;
        start = comma + 1;
    }
}

/* ---- output files ----------------------------------------------------------- */

static FILE *open_output(const char *path)
{
    if (strcmp(path, "-") == 0)
        return stdout;
    FILE *file = fopen(path, "w");
    if (file == NULL)
        fprintf(stderr, "dmm-replay: %s: %s\n", path, strerror(errno));
    return file;
}

/* Closes an output file; 0, or -1 after saying why. */
static int close_output(FILE *file, const char *path, int written)
{
    if (file == NULL)
        return 0;
    int failed = written != 0;
    if (file != stdout)
        failed |= fclose(file) != 0;
    if (failed)
        fprintf(stderr, "dmm-replay: %s: %s\n", path, strerror(errno));
    return failed ? -1 : 0;
}

/* ---- main --------------------------------------------------------------------- */

/* The trace files to read, as the arguments name them. */
struct path_list {
    char **paths;
    size_t count, capacity;
};

static int add_path(struct path_list *list, const char *path)
{
    if (list->count == list->capacity) {
        size_t capacity = list->capacity ? 2 * list->capacity : 16;
        char **paths = realloc(list->paths, capacity * sizeof *paths);
        if (paths == NULL)
            return -1;
        list->paths = paths;
        list->capacity = capacity;
    }
    list->paths[list->count] = strdup(path);
    return list->paths[list->count++] == NULL ? -1 : 0;
}

/* A folder stands for its *.trace and *.rep files, in name order; a
 * Markdown file (the README.md a shell glob of a folder picks up) is
 * skipped with a note. Every other file is a trace, whatever its name, and
 * a bad one stops the run. Returns 0, or -1 when out of memory. */
static int collect_trace_paths(char *const *arguments, int count, struct path_list *list)
{
    for (int i = 0; i < count; i++) {
        const char *argument = arguments[i];
        size_t length = strlen(argument);
        struct stat info;
        if (stat(argument, &info) == 0 && S_ISDIR(info.st_mode)) {
            static const char *const patterns[] = {"*.trace", "*.rep"};
            for (size_t p = 0; p < sizeof patterns / sizeof patterns[0]; p++) {
                char pattern[4096 + 16];
                snprintf(pattern, sizeof pattern, "%s/%s", argument, patterns[p]);
                glob_t found;
                if (glob(pattern, 0, NULL, &found) == GLOB_NOSPACE)
                    return -1;
                for (size_t f = 0; f < found.gl_pathc; f++)
                    if (add_path(list, found.gl_pathv[f]) != 0)
                        return -1;
                globfree(&found);
            }
        } else if (length >= 3 && strcmp(argument + length - 3, ".md") == 0) {
            fprintf(stderr, "dmm-replay: skipping %s: a Markdown file, not a trace\n", argument);
        } else if (add_path(list, argument) != 0) {
            return -1;
        }
    }
    return 0;
}

int main(int argc, char **argv)
{
    instructions_child_main(argc, argv); /* --cost instructions' counting process */
    /* What main collects lives until the process ends, and every early
     * return ends it: static, so that it is still reachable then (no
     * LeakSanitizer report on a usage error). */
    static struct name_list allocators;
    const char *module_dir = NULL, *csv_path = NULL, *json_path = NULL;
    struct replay_options options = {.repeat = DEFAULT_REPEAT,
                                     .series_points = DEFAULT_SERIES_POINTS};
    double timeout = 0; /* 0: not given, DEFAULT_TIMEOUT scaled to the traces */
    int quiet = 0, sandboxed = 0, repeat_given = 0, foreground = 0;
    const char *policy = NULL;
    unsigned jobs = 1;
    uint64_t number;

    opterr = 0; /* our own messages, in our own words */
    for (int option; (option = getopt_long(argc, argv, ":a:j:vqh", long_options, NULL)) != -1;) {
        switch (option) {
        case 'a':
            if (add_allocators(&allocators, optarg) != 0)
                return EXIT_USAGE;
            break;
        case OPTION_MODULE_DIR:
            module_dir = optarg;
            break;
        case OPTION_REPEAT:
            if (parse_count(optarg, REPLAY_MAX_REPEAT, &number) != 0)
                return usage_error("--repeat '%s': want a whole number from 0 to 1000", optarg);
            options.repeat = (unsigned)number;
            repeat_given = 1;
            break;
        case OPTION_CHECK_EVERY:
            if (parse_count(optarg, UINT64_MAX, &number) != 0)
                return usage_error("--check-every '%s': want a whole number, 0 or more", optarg);
            options.check_every = number;
            break;
        case OPTION_TIMEOUT: {
            char *end;
            errno = 0;
            timeout = strtod(optarg, &end);
            if (errno != 0 || end == optarg || *end != '\0' || !(timeout > 0.0) ||
                timeout > MAX_TIMEOUT)
                return usage_error("--timeout '%s': want seconds, more than 0", optarg);
            break;
        }
        case OPTION_CSV:
            csv_path = optarg;
            break;
        case OPTION_JSON:
            json_path = optarg;
            break;
        case OPTION_SERIES:
            options.series_dir = optarg;
            break;
        case OPTION_SERIES_POINTS:
            if (parse_count(optarg, SIZE_MAX, &number) != 0 || number == 0)
                return usage_error("--series-points '%s': want a whole number, 1 or more",
                                   optarg);
            options.series_points = (size_t)number;
            break;
        case 'v':
            options.verbose = 1;
            break;
        case OPTION_HEAP_MAP:
            options.heap_map = 1;
            break;
        case OPTION_HEAP_MAP_DIR:
            options.heap_map_dir = optarg;
            break;
        case 'q':
            quiet = 1;
            break;
        case 'j':
            if (parse_count(optarg, RUNNER_MAX_JOBS, &number) != 0 || number == 0)
                return usage_error("-j/--jobs '%s': want a whole number from 1 to %d", optarg,
                                   RUNNER_MAX_JOBS);
            jobs = (unsigned)number;
            break;
        case OPTION_COST:
            if (strcmp(optarg, "time") != 0 && strcmp(optarg, "instructions") != 0)
                return usage_error("--cost '%s': want time or instructions", optarg);
            options.count_instructions = strcmp(optarg, "instructions") == 0;
            break;
        case OPTION_SANDBOX:
            sandboxed = 1;
            break;
        case OPTION_CHECKED:
            options.checked = 1;
            break;
        case OPTION_FOREGROUND:
            foreground = 1;
            break;
        case OPTION_POLICY:
            if (optarg[0] == '\0')
                return usage_error("%s", "--policy '': want fit=...,order=... (allocators/policy.h)");
            policy = optarg;
            break;
        case 'h':
            replay_print_help(stdout, DEFAULT_REPEAT, DEFAULT_TIMEOUT, DEFAULT_SERIES_POINTS);
            return EXIT_ALL_OK;
        case ':':
            return usage_error("%s needs a value", argv[optind - 1]);
        default:
            return usage_error("unknown option '%s'", argv[optind - 1]);
        }
    }
    if (optind == argc)
        return usage_error("%s", "no trace given");
    if (sandboxed && (options.verbose || options.heap_map || options.series_dir != NULL ||
                      options.heap_map_dir != NULL))
        return usage_error("%s", "--sandbox discards what the checking pass prints and allows "
                                 "no files: not with -v, --heap-map, --series or --heap-map-dir");
    /* Checked mode locates bugs; its guards and extra walks would be timed. */
    if (options.checked && ((repeat_given && options.repeat > 0) || options.count_instructions))
        return usage_error("%s", "--checked is for locating bugs, not for figures: not with "
                                 "--repeat above 0 or --cost instructions");
    if (options.checked)
        options.repeat = 0;
    /* One pair in this process: the runner's children and clocks are what
     * --foreground leaves out. */
    if (foreground && (sandboxed || options.count_instructions || jobs > 1 ||
                       (repeat_given && options.repeat > 0)))
        return usage_error("%s", "--foreground runs one pair in this process, for a debugger: "
                                 "not with --sandbox, --cost instructions, -j or --repeat above 0");
    if (foreground)
        options.repeat = 0;
    char no_counter[512];
    if (options.count_instructions &&
        instructions_method(no_counter, sizeof no_counter) == INSTRUCTIONS_NONE) {
        fprintf(stderr, "dmm-replay: %s\n", no_counter);
        return EXIT_USAGE;
    }
    if (allocators.count == 0 && add_allocators(&allocators, "all") != 0)
        return EXIT_USAGE;

    /* A baseline that is not built is skipped with a note, never a failure. */
    char error[4096 + 256];
    int baselines = 0;
    for (size_t i = 0; i < allocators.count;) {
        if (runner_is_baseline(allocators.names[i])) {
            if (!runner_baseline_available(allocators.names[i], module_dir, error, sizeof error)) {
                fprintf(stderr, "dmm-replay: %s\n", error);
                free(allocators.names[i]);
                allocators.count--;
                memmove(&allocators.names[i], &allocators.names[i + 1],
                        (allocators.count - i) * sizeof allocators.names[0]);
                continue;
            }
            baselines = 1;
        }
        i++;
    }
    if (allocators.count == 0)
        return usage_error("%s", "no allocator left to run");
    if (baselines)
        runner_reserve_static_tls(argv); /* jemalloc's TLS; returns when in force */

    /* Every name before any trace is read: a typo costs nothing. */
    for (size_t i = 0; i < allocators.count; i++) {
        if (runner_check_allocator(allocators.names[i], module_dir, error, sizeof error) != 0) {
            fprintf(stderr, "dmm-replay: %s\n", error);
            return EXIT_USAGE;
        }
    }
    /* A build that failed left the previous module: say so, loudly. */
    for (size_t i = 0; i < allocators.count; i++)
        if (runner_module_stale(allocators.names[i], module_dir, error, sizeof error))
            fprintf(stderr, "dmm-replay: %s\n", error);

    /* Every trace, completely, before anything runs; every bad one is named. */
    static struct path_list trace_paths;
    if (collect_trace_paths(argv + optind, argc - optind, &trace_paths) != 0)
        return usage_error("%s", strerror(ENOMEM));
    if (trace_paths.count == 0)
        return usage_error("%s", "no trace given (a folder holds no *.trace or *.rep file)");
    size_t trace_count = trace_paths.count;
    static struct trace *traces;
    traces = calloc(trace_count, sizeof *traces);
    if (traces == NULL)
        return usage_error("%s", strerror(ENOMEM));
    /* A malformed trace stops that trace only: it is left out of the run,
     * and its error is listed at the end. A warning is shown at once. */
    static char **bad_traces;
    bad_traces = calloc(trace_count, sizeof *bad_traces);
    if (bad_traces == NULL)
        return usage_error("%s", strerror(ENOMEM));
    size_t bad_count = 0, good_count = 0;
    for (size_t i = 0; i < trace_count; i++) {
        if (trace_load(trace_paths.paths[i], &traces[good_count], error, sizeof error) != 0) {
            if ((bad_traces[bad_count++] = strdup(error)) == NULL)
                return usage_error("%s", strerror(ENOMEM));
            continue;
        }
        if (traces[good_count].warning != NULL)
            fprintf(stderr, "%s\n", traces[good_count].warning);
        good_count++;
    }
    trace_count = good_count;
    if (trace_count == 0) {
        for (size_t i = 0; i < bad_count; i++)
            fprintf(stderr, "%s\n", bad_traces[i]);
        return EXIT_USAGE;
    }
    if (foreground && (allocators.count != 1 || trace_count != 1 || bad_count != 0))
        return usage_error("--foreground runs one pair, and %zu allocator%s x %zu trace%s "
                           "%s given: name one allocator (-a NAME) and one trace",
                           allocators.count, allocators.count == 1 ? "" : "s",
                           trace_count + bad_count, trace_count + bad_count == 1 ? "" : "s",
                           allocators.count * (trace_count + bad_count) == 1 ? "is" : "are");

    /* Files that would overwrite each other: refused before anything runs. */
    if (output_find_clash(&options, (const char *const *)allocators.names, allocators.count,
                          traces, trace_count, error, sizeof error) != 0) {
        fprintf(stderr, "dmm-replay: %s\n", error);
        return EXIT_USAGE;
    }

    /* Outputs, before the run, so that a typo in a path costs no run. */
    if (options.series_dir != NULL &&
        report_make_dir(options.series_dir, error, sizeof error) != 0) {
        fprintf(stderr, "dmm-replay: --series %s\n", error);
        return EXIT_USAGE;
    }
    if (options.heap_map_dir != NULL &&
        report_make_dir(options.heap_map_dir, error, sizeof error) != 0) {
        fprintf(stderr, "dmm-replay: --heap-map-dir %s\n", error);
        return EXIT_USAGE;
    }
    FILE *csv = csv_path != NULL ? open_output(csv_path) : NULL;
    FILE *json = json_path != NULL ? open_output(json_path) : NULL;
    if ((csv_path != NULL && csv == NULL) || (json_path != NULL && json == NULL))
        return EXIT_USAGE;

    if (timeout == 0) {
        size_t longest = 0;
        for (size_t i = 0; i < trace_count; i++)
            longest = traces[i].op_count > longest ? traces[i].op_count : longest;
        timeout = DEFAULT_TIMEOUT + TIMEOUT_PER_OP * (double)longest * (options.repeat + 2);
    }
    /* --policy: the same text for every allocator, and a label that tells
     * the variant apart in every message, the table and the files. */
    static char **labels;
    static const char **policies;
    if (policy != NULL) {
        labels = calloc(allocators.count, sizeof *labels);
        policies = calloc(allocators.count, sizeof *policies);
        if (labels == NULL || policies == NULL)
            return usage_error("%s", strerror(ENOMEM));
        for (size_t i = 0; i < allocators.count; i++) {
            size_t size = strlen(allocators.names[i]) + strlen(policy) + 2;
            if ((labels[i] = malloc(size)) == NULL)
                return usage_error("%s", strerror(ENOMEM));
            snprintf(labels[i], size, "%s %s", allocators.names[i], policy);
            policies[i] = policy;
        }
    }
    struct runner_plan plan = {
        .allocators = (const char *const *)allocators.names,
        .allocator_count = allocators.count,
        .module_dir = module_dir,
        .traces = traces,
        .trace_count = trace_count,
        .options = options,
        .timeout_seconds = timeout,
        .jobs = jobs,
        .show_progress = isatty(STDERR_FILENO),
        .sandbox = sandboxed ? &(struct sandbox){.memory_mib = 1024, .cpu_seconds = timeout}
                             : NULL,
        .labels = (const char *const *)labels,
        .policies = policies,
    };
    size_t pair_count = allocators.count * trace_count;
    struct runner_pair *pairs = calloc(pair_count, sizeof *pairs);
    if (pairs == NULL)
        return usage_error("%s", strerror(ENOMEM));
    int status = EXIT_ALL_OK;
    if (foreground) {
        runner_run_foreground(&plan, pairs);
    } else if (runner_run(&plan, pairs) != 0) {
        fprintf(stderr, "dmm-replay: cannot run the pairs: %s\n", strerror(errno));
        status = EXIT_USAGE;
    }
    /* The table and the files name a pair by its label ("list fit=best"). */
    for (size_t i = 0; labels != NULL && i < pair_count; i++)
        pairs[i].allocator = pairs[i].label;

    /* A module that cannot be loaded is said on stderr, -q or not (the
     * table's message is on stdout, and -q has none). Pairs are
     * allocator-major: one line per allocator. */
    for (size_t i = 0; i < pair_count; i++)
        if (pairs[i].load_failed && (i == 0 || !pairs[i - 1].load_failed
                                     || strcmp(pairs[i - 1].allocator, pairs[i].allocator) != 0))
            fprintf(stderr, "dmm-replay: %s\n", pairs[i].result.message);

    int timed = options.repeat > 0;
    if (!quiet)
        report_table(stdout, pairs, pair_count, timed);
    if (close_output(csv, csv_path, csv != NULL ? report_csv(csv, pairs, pair_count, timed) : 0))
        status = EXIT_USAGE;
    if (close_output(json, json_path,
                     json != NULL ? report_json(json, pairs, pair_count, timed) : 0))
        status = EXIT_USAGE;

    for (size_t i = 0; i < pair_count; i++) {
        if (pairs[i].load_failed)
            status = EXIT_USAGE;
        else if (pairs[i].result.status != REPLAY_OK && status == EXIT_ALL_OK)
            status = EXIT_SOME_NOT_OK;
    }
    /* The next step of a student's debugging loop, once per run. */
    if (status == EXIT_SOME_NOT_OK && !foreground && fflush(stdout) == 0)
        fprintf(stderr, "dmm-replay: to stop in the allocator's code at a failing pair: "
                "cmake --preset debug && cmake --build build-debug, then gdb --args "
                "build-debug/harness/dmm-replay --foreground -a NAME TRACE "
                "(docs/debugging.md)\n");

    if (bad_count > 0) {
        fprintf(stderr, "dmm-replay: %zu trace%s not replayed:\n", bad_count,
                bad_count == 1 ? "" : "s");
        for (size_t i = 0; i < bad_count; i++)
            fprintf(stderr, "  %s\n", bad_traces[i]);
        status = EXIT_USAGE;
    }
    for (size_t i = 0; i < bad_count; i++)
        free(bad_traces[i]);
    free(bad_traces);

    free(pairs);
    for (size_t i = 0; labels != NULL && i < allocators.count; i++)
        free(labels[i]);
    free(labels);
    free(policies);
    for (size_t i = 0; i < trace_count; i++)
        trace_free(&traces[i]);
    free(traces);
    for (size_t i = 0; i < allocators.count; i++)
        free(allocators.names[i]);
    free(allocators.names);
    for (size_t i = 0; i < trace_paths.count; i++)
        free(trace_paths.paths[i]);
    free(trace_paths.paths);
    return status;
}
