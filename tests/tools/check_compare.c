/*
 * check_compare.c — dmm-compare (harness/tools/compare/compare.c) end to end: one
 * `dmm-compare --quick` run, made in main before the suite, whose report
 * folder every test then reads.
 *
 * What must hold: the run exits 0; results.csv has an ok row for every
 * allocator on every bundled trace and large.trace; every file of the
 * layout (docs/compare.md) is there; the heap map of the lecture's demo has
 * its ten steps, tiles the heap section, and ends in one free chunk for the
 * allocators that coalesce (and dmm-replay --heap-map-dir, which makes it,
 * names every kind of op); every link of index.html resolves inside the
 * report and none goes to the network; an earlier report's files are
 * removed and nothing else; a folder that is not a report is refused; and
 * the lecture's table, judged from this run, is the one each of dmm's
 * allocators is compared with (the lecture's own row or dmm's reading). The plots are not asserted here (gnuplot may be missing):
 * tests/tools/check_plots.c tests them.
 *
 * The run's folder is created beforehand as an earlier report would have
 * left it: a marker listing stale.csv (and a path outside the folder, which
 * must be ignored), the file stale.csv, and keep.txt, which no marker lists.
 * The large scaling series makes bins' steps per malloc grow and gnu's not.
 *
 * `check_compare policies` (tests/policy_harness.cmake) runs only the
 * --policies suite instead, each test with a run of its own: an allocator
 * without policies is refused, naming the built allocators that have them;
 * the test module policy-bump (tests/support/modules/policy_bump.c) gives
 * one row per variant, labelled, each with its own steps per malloc.
 */
#define _XOPEN_SOURCE 700 /* POSIX 2008 and nftw */

#include "lecture_table.h"
#include "runner.h"

#include "testlib.h" /* require() only: this suite links no allocator */

#include "testfile.h"

#include <check.h>
#include <dlfcn.h>
#include <fcntl.h>
#include <ftw.h>
#include <glob.h>
#include <spawn.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

extern char **environ;

#define MAX_FIELDS 64
#define LINE_BYTES 8192
#define PATH_BYTES 4096

/* dmm's allocators in the lecture's order (the build's list). */
static const char *const lecture_allocators[] = {DMM_ALLOCATOR_LIST};
#define LECTURE_ALLOCATORS DMM_ALLOCATOR_COUNT

/* The run every test reads. */
static char work[PATH_BYTES];   /* a temporary folder holding everything below */
static char report[PATH_BYTES]; /* work/report: the report folder */
static char output[PATH_BYTES]; /* work/output.txt: the run's stdout and stderr */
static int run_status;          /* its exit status */

/* ---- running dmm-compare ------------------------------------------------- */

/* PROGRAM ARGS..., its output appended to log; its exit status (-1: a signal). */
static int run_program(const char *program, const char *const *args, const char *log)
{
    const char *argv[16] = {program};
    for (int i = 0; args[i] != NULL && i < 14; i++)
        argv[i + 1] = args[i];
    posix_spawn_file_actions_t actions;
    posix_spawn_file_actions_init(&actions);
    posix_spawn_file_actions_addopen(&actions, STDOUT_FILENO, log, O_WRONLY | O_CREAT | O_APPEND,
                                     0644);
    posix_spawn_file_actions_adddup2(&actions, STDOUT_FILENO, STDERR_FILENO);
    pid_t pid;
    int spawned = posix_spawn(&pid, program, &actions, NULL, (char *const *)argv, environ);
    posix_spawn_file_actions_destroy(&actions);
    if (spawned != 0)
        return -1;
    int status;
    if (waitpid(pid, &status, 0) != pid)
        return -1;
    return WIFEXITED(status) ? WEXITSTATUS(status) : -1;
}

static void path_in(char path[PATH_BYTES], const char *folder, const char *relative)
{
    int n = snprintf(path, PATH_BYTES, "%s/%s", folder, relative);
    require(n > 0 && n < PATH_BYTES, "path too long: %s/%s", folder, relative);
}

static int exists(const char *folder, const char *relative)
{
    char path[PATH_BYTES];
    path_in(path, folder, relative);
    return access(path, F_OK) == 0;
}

static void write_file(const char *folder, const char *relative, const char *text)
{
    char path[PATH_BYTES];
    path_in(path, folder, relative);
    FILE *file = fopen(path, "w");
    if (file == NULL || fputs(text, file) < 0 || fclose(file) != 0) {
        perror(path);
        exit(EXIT_FAILURE);
    }
}

/* The whole file, NUL-terminated; the test fails when it cannot be read. */
static char *read_text(const char *folder, const char *relative)
{
    char path[PATH_BYTES];
    path_in(path, folder, relative);
    char *text = test_read_file(path, NULL);
    ck_assert_msg(text != NULL, "cannot read %s", path);
    return text;
}

/* ---- CSV ------------------------------------------------------------------ */

/* Splits one line of RFC 4180 CSV in place; returns the number of fields. */
static int split_csv(char *line, char *fields[MAX_FIELDS])
{
    int count = 0;
    char *in = line;
    for (;;) {
        require(count < MAX_FIELDS, "more than %d fields in a CSV line", MAX_FIELDS);
        char *out = in;
        fields[count++] = out;
        if (*in == '"') {
            for (in++; *in != '\0'; in++) {
                if (*in == '"' && in[1] == '"')
                    *out++ = '"', in++;
                else if (*in == '"')
                    break;
                else
                    *out++ = *in;
            }
            if (*in == '"')
                in++;
        } else {
            while (*in != ',' && *in != '\0' && *in != '\n' && *in != '\r')
                *out++ = *in++;
        }
        int more = *in == ',';
        *out = '\0';
        if (!more)
            return count;
        in++;
    }
}

struct csv {
    char *fields[4096][MAX_FIELDS];
    int field_counts[4096];
    size_t rows;         /* data rows, header excluded */
    char *header[MAX_FIELDS];
    int header_count;
    char *text;
};

static struct csv *read_csv(const char *relative)
{
    struct csv *csv = calloc(1, sizeof *csv);
    ck_assert_ptr_nonnull(csv);
    csv->text = read_text(report, relative);
    char *save = NULL;
    char *line = strtok_r(csv->text, "\n", &save);
    ck_assert_msg(line != NULL, "%s is empty", relative);
    csv->header_count = split_csv(line, csv->header);
    while ((line = strtok_r(NULL, "\n", &save)) != NULL) {
        require(csv->rows < 4096, "%s: too many rows for this test", relative);
        csv->field_counts[csv->rows] = split_csv(line, csv->fields[csv->rows]);
        require(csv->field_counts[csv->rows] == csv->header_count,
                "%s row %zu has %d fields, the header %d", relative, csv->rows + 1,
                csv->field_counts[csv->rows], csv->header_count);
        csv->rows++;
    }
    return csv;
}

static int column(const struct csv *csv, const char *name)
{
    for (int i = 0; i < csv->header_count; i++)
        if (strcmp(csv->header[i], name) == 0)
            return i;
    ck_abort_msg("no column %s", name);
    return -1;
}

static void free_csv(struct csv *csv)
{
    free(csv->text);
    free(csv);
}

/* ---- what the report must hold --------------------------------------------- */

/* allocators.txt, split. */
static size_t read_allocators(char *names[16], char **text)
{
    *text = read_text(report, "allocators.txt");
    size_t count = 0;
    char *save = NULL;
    for (char *word = strtok_r(*text, " \n", &save); word != NULL && count < 16;
         word = strtok_r(NULL, " \n", &save))
        names[count++] = word;
    return count;
}

/* The bundled traces' names (file names without folder and extension). */
static size_t bundled_traces(char names[64][256])
{
    glob_t found = {0};
    glob(DMM_SOURCE_DIR "/traces/*.trace", 0, NULL, &found);
    glob(DMM_SOURCE_DIR "/traces/*.rep", GLOB_APPEND, NULL, &found);
    size_t count = 0;
    for (size_t i = 0; i < found.gl_pathc && count < 64; i++) {
        snprintf(names[count], 256, "%s", strrchr(found.gl_pathv[i], '/') + 1);
        *strrchr(names[count], '.') = '\0';
        count++;
    }
    globfree(&found);
    return count;
}

START_TEST(test_the_run_exits_0)
{
    char *text = read_text(work, "output.txt");
    size_t length = strlen(text);
    const char *tail = length > 3000 ? text + length - 3000 : text; /* Check's messages are short */
    ck_assert_msg(run_status == 0, "dmm-compare --quick exited %d; its output ends:\n%s",
                  run_status, tail);
    ck_assert_msg(strstr(text, "Report: ") != NULL && strstr(text, "/index.html") != NULL,
                  "it does not say where the report is:\n%s", text);
    free(text);
}
END_TEST

START_TEST(test_results_has_every_pair_ok)
{
    char *names[16], *allocators_text, traces[64][256];
    size_t allocator_count = read_allocators(names, &allocators_text);
    size_t trace_count = bundled_traces(traces);
    snprintf(traces[trace_count++], 256, "large");
    ck_assert_uint_ge(allocator_count, LECTURE_ALLOCATORS);
    ck_assert_uint_ge(trace_count, 10);

    struct csv *results = read_csv("results.csv");
    int allocator = column(results, "allocator"), trace = column(results, "trace");
    int status = column(results, "status"), message = column(results, "message");
    ck_assert_uint_eq(results->rows, allocator_count * trace_count);
    for (size_t a = 0; a < allocator_count; a++)
        for (size_t t = 0; t < trace_count; t++) {
            int found = 0;
            for (size_t r = 0; r < results->rows && !found; r++) {
                char **row = results->fields[r];
                if (strcmp(row[allocator], names[a]) != 0 || strcmp(row[trace], traces[t]) != 0)
                    continue;
                found = 1;
                ck_assert_msg(strcmp(row[status], "ok") == 0, "%s on %s: %s: %s", names[a],
                              traces[t], row[status], row[message]);
            }
            ck_assert_msg(found, "results.csv has no row for %s on %s", names[a], traces[t]);
        }
    free_csv(results);

    /* dmm's allocators come first, in the lecture's order. */
    for (size_t a = 0; a < LECTURE_ALLOCATORS; a++)
        ck_assert_str_eq(names[a], lecture_allocators[a]);
    free(allocators_text);
}
END_TEST

START_TEST(test_every_file_of_the_layout_exists)
{
    static const char *const files[] = {
        ".dmm-report", "results.csv", "results.json", "time-wide.csv", "cold-wide.csv",
        "utilization-wide.csv", "time-summary.csv", "time-traces.csv", "space-summary.csv",
        "syscalls.csv", "footprint.csv", "allocators.txt", "scaling.csv", "scaling-slopes.csv",
        "lecture-table.csv", "lecture-table.txt", "machine.txt", "index.html",
        "traces/large.trace", "docs/harness.md", "docs/compare.md", "docs/lecture-table.md",
    };
    for (size_t i = 0; i < sizeof files / sizeof files[0]; i++)
        ck_assert_msg(exists(report, files[i]), "the report has no %s", files[i]);

    static const char *const series[] = {"random", "worst", "fixed", "large"};
    static const unsigned live[] = {100, 300, 1000}; /* --quick */
    for (size_t s = 0; s < 4; s++)
        for (size_t n = 0; n < 3; n++) {
            char relative[256];
            snprintf(relative, sizeof relative, "traces/scaling-%s-%u.trace", series[s], live[n]);
            ck_assert_msg(exists(report, relative), "the report has no %s", relative);
        }
    ck_assert_msg(!exists(report, "traces/scaling-random-3000.trace"),
                  "--quick must stop the scaling series at 1000 live blocks");

    char *names[16], *allocators_text, traces[64][256];
    size_t allocator_count = read_allocators(names, &allocators_text);
    size_t trace_count = bundled_traces(traces);
    snprintf(traces[trace_count++], 256, "large");
    for (size_t a = 0; a < allocator_count; a++) {
        char relative[512];
        snprintf(relative, sizeof relative, "heapmap/%s.csv", names[a]);
        ck_assert_msg(exists(report, relative), "the report has no %s", relative);
        for (size_t t = 0; t < trace_count; t++) {
            snprintf(relative, sizeof relative, "series/%s--%s.csv", names[a], traces[t]);
            /* Series for every allocator but the baselines (docs/compare.md). */
            ck_assert_msg(exists(report, relative) != runner_is_baseline(names[a]),
                          "%s: %s", relative,
                          runner_is_baseline(names[a]) ? "written for a baseline" : "missing");
        }
    }

    /* One scaling row per allocator, series and size; a slope per metric. */
    struct csv *scaling = read_csv("scaling.csv");
    ck_assert_uint_eq(scaling->rows, allocator_count * 4 * 3);
    int steps = column(scaling, "steps_per_malloc"), ns = column(scaling, "ns_per_op");
    int allocator = column(scaling, "allocator");
    for (size_t r = 0; r < scaling->rows; r++) {
        /* A baseline's steps are not counted: left empty, never a silent 0. */
        int baseline = runner_is_baseline(scaling->fields[r][allocator]);
        ck_assert_msg(scaling->fields[r][ns][0] != '\0', "scaling.csv row %zu has no time", r + 1);
        ck_assert_msg((scaling->fields[r][steps][0] == '\0') == baseline,
                      "scaling.csv row %zu (%s): steps %s", r + 1, scaling->fields[r][allocator],
                      baseline ? "given for a baseline" : "not measured");
    }
    free_csv(scaling);
    struct csv *slopes = read_csv("scaling-slopes.csv");
    ck_assert_uint_eq(slopes->rows, allocator_count * 4 * 4);
    free_csv(slopes);
    free(allocators_text);
}
END_TEST

/* ---- the heap map ------------------------------------------------------------- */

static const char *const demo_ops[] = {
    "p1 = malloc(48)", "p2 = malloc(16)", "p3 = malloc(64)", "free(p2)", "p4 = malloc(96)",
    "free(p3)", "p5 = malloc(32)", "free(p1)", "free(p4)", "free(p5)",
};

/* Ten steps, each the demo's op; in each step the chunks follow each other
 * without gap or overlap from offset 0; the last step is one free chunk
 * when the allocator coalesces (every_step_from_zero: a heap allocator). */
static void check_heap_map(const char *allocator, int ends_in_one_free_chunk)
{
    char relative[128];
    snprintf(relative, sizeof relative, "heapmap/%s.csv", allocator);
    struct csv *map = read_csv(relative);
    ck_assert_str_eq(map->header[0], "step");
    const char *expected[] = {"step", "op", "start", "size", "header_bytes", "footer_bytes",
                              "is_free"};
    ck_assert_int_eq(map->header_count, 7);
    for (int i = 0; i < 7; i++)
        ck_assert_str_eq(map->header[i], expected[i]);

    unsigned long last_step = 0, next_start = 0, last_step_rows = 0, last_free = 0;
    for (size_t r = 0; r < map->rows; r++) {
        char **row = map->fields[r];
        unsigned long step = strtoul(row[0], NULL, 10), start = strtoul(row[2], NULL, 10);
        ck_assert_msg(step >= 1 && step <= 10, "%s: step %lu", relative, step);
        ck_assert_msg(step >= last_step, "%s: steps out of order at row %zu", relative, r + 1);
        ck_assert_str_eq(row[1], demo_ops[step - 1]);
        if (step != last_step)
            next_start = 0, last_step_rows = 0, last_free = 0;
        ck_assert_msg(start == next_start, "%s step %lu: a chunk at %lu, expected %lu (chunks "
                      "must tile the heap section from 0)", relative, step, start, next_start);
        next_start = start + strtoul(row[3], NULL, 10);
        last_step = step;
        last_step_rows++;
        last_free += strcmp(row[6], "1") == 0;
    }
    ck_assert_msg(last_step == 10, "%s: the last step is %lu, not 10", relative, last_step);
    if (ends_in_one_free_chunk)
        ck_assert_msg(last_step_rows == 1 && last_free == 1,
                      "%s: after free(p5) the heap section holds %lu chunks (%lu free), not one "
                      "free chunk",
                      relative, last_step_rows, last_free);
    free_csv(map);
}

/* dmm-replay --heap-map-dir on its own: every kind of op named as the
 * lecture writes it, with the trace's IDs, and offsets from the lowest chunk. */
START_TEST(test_replay_writes_a_heap_map)
{
    char folder[PATH_BYTES], trace[PATH_BYTES], log[PATH_BYTES];
    path_in(folder, work, "replay-map");
    path_in(trace, work, "ops.trace");
    path_in(log, work, "replay-map.txt");
    write_file(work, "ops.trace", "a 1 10\nc 2 3 8\nr 1 100\nr 7 20\nr 7 0\nf -1\nf 1\nf 2\n");
    const char *const args[] = {"-q", "-a", "bins", "--repeat", "0", "--heap-map-dir", folder,
                                trace, NULL};
    int status = run_program(DMM_REPLAY, args, log);
    ck_assert_msg(status == 0, "dmm-replay --heap-map-dir exited %d", status);
    static const char *const ops[] = {
        "p1 = malloc(10)", "p2 = calloc(3, 8)", "p1 = realloc(p1, 100)", "p7 = realloc(NULL, 20)",
        "p7 = realloc(p7, 0)", "free(NULL)", "free(p1)", "free(p2)",
    };
    char *text = read_text(folder, "bins.csv");
    const char *header = "step,op,start,size,header_bytes,footer_bytes,is_free\n";
    ck_assert_msg(strncmp(text, header, strlen(header)) == 0, "bins.csv starts: %.60s", text);
    for (size_t i = 0; i < sizeof ops / sizeof ops[0]; i++) {
        char row[64];
        snprintf(row, sizeof row, "\n%zu,\"%s\",", i + 1, ops[i]);
        ck_assert_msg(strstr(text, row) != NULL, "bins.csv has no row starting %s", row + 1);
    }
    ck_assert_msg(strstr(text, "\",0,") != NULL, "no chunk at offset 0 in bins.csv");
    free(text);
}
END_TEST

START_TEST(test_heap_map_of_the_lecture_demo)
{
    check_heap_map("list", 1);
    check_heap_map("dlist", 1);
    check_heap_map("bins", 1);
    check_heap_map("minimal", 0);
    check_heap_map("pad", 0);
}
END_TEST

/* ---- index.html ----------------------------------------------------------------- */

START_TEST(test_index_links_resolve_offline)
{
    char *page = read_text(report, "index.html");
    ck_assert_msg(strstr(page, "http") == NULL, "index.html mentions http");
    /* A script inline (the sortable table) works offline; one from a file
     * or the network would not be the report's. */
    ck_assert_msg(strstr(page, "<script src") == NULL, "index.html loads a script");
    ck_assert_msg(strstr(page, "<img src=\"") != NULL || strstr(page, "not drawn") != NULL,
                  "index.html has neither charts nor a note about them");
    size_t links = 0;
    static const char *const attributes[] = {"src=\"", "href=\""};
    for (size_t a = 0; a < 2; a++)
        for (const char *p = strstr(page, attributes[a]); p != NULL;
             p = strstr(p + 1, attributes[a])) {
            const char *value = p + strlen(attributes[a]);
            size_t length = strcspn(value, "\"");
            char target[PATH_BYTES];
            snprintf(target, sizeof target, "%.*s", (int)length, value);
            if (target[0] == '#')
                continue;
            ck_assert_msg(target[0] != '/' && strstr(target, "..") == NULL &&
                              strchr(target, ':') == NULL,
                          "index.html links outside the report: %s", target);
            ck_assert_msg(exists(report, target), "index.html links to %s, which is not there",
                          target);
            links++;
        }
    ck_assert_uint_ge(links, 8); /* the CSV files, the docs, machine.txt at least */
    ck_assert_msg(strstr(page, "href=\"docs/harness.md\"") != NULL,
                  "index.html does not link the metrics' definitions");
    free(page);
}
END_TEST

/* ---- the folder ---------------------------------------------------------------- */

START_TEST(test_only_the_old_reports_files_are_removed)
{
    ck_assert_msg(!exists(report, "stale.csv"), "the old report's stale.csv is still there");
    ck_assert_msg(exists(report, "keep.txt"), "keep.txt, which no marker lists, was removed");
    ck_assert_msg(exists(work, "outside.txt"), "a marker line with .. removed a file outside");
    char *marker = read_text(report, ".dmm-report");
    ck_assert_msg(strstr(marker, "\nresults.csv\n") != NULL && strstr(marker, "keep.txt") == NULL,
                  "the marker does not list exactly what compare wrote:\n%s", marker);
    free(marker);
}
END_TEST

START_TEST(test_a_foreign_folder_is_refused)
{
    char foreign[PATH_BYTES], log[PATH_BYTES];
    path_in(foreign, work, "foreign");
    path_in(log, work, "foreign.txt");
    ck_assert_int_eq(mkdir(foreign, 0755), 0);
    write_file(foreign, "notes.txt", "a user's file\n");
    const char *const args[] = {"--quick", "--no-plots", "--report", foreign, NULL};
    int status = run_program(DMM_COMPARE, args, log);
    char *said = read_text(work, "foreign.txt");
    ck_assert_msg(status == 2, "dmm-compare into a foreign folder exited %d: %s", status, said);
    ck_assert_msg(strstr(said, "not a report folder") != NULL, "it does not say why: %s", said);
    ck_assert_msg(exists(foreign, "notes.txt") && !exists(foreign, ".dmm-report") &&
                      !exists(foreign, "results.csv"),
                  "the foreign folder was changed");
    free(said);
}
END_TEST

/* ---- the lecture's table ------------------------------------------------------------- */

START_TEST(test_the_lecture_table_is_the_lectures)
{
    struct csv *table = read_csv("lecture-table.csv");
    int allocator = column(table, "allocator");
    const char *verdicts[] = {"space", "malloc_time", "free_time"};
    int columns[3];
    for (int v = 0; v < 3; v++)
        columns[v] = column(table, verdicts[v]);
    for (size_t a = 0; a < LECTURE_ALLOCATORS; a++) {
        const char *expected[3];
        int source = lecture_expected(lecture_allocators[a], &expected[0], &expected[1],
                                      &expected[2]);
        ck_assert_msg(source >= 0, "%s has no row to compare with", lecture_allocators[a]);
        /* The lecture's own rows and dmm's readings of its slides must be
         * measured; a reading that is only dmm's prediction (a step the
         * lecture names without verdicts: its quote says so) may differ. */
        const struct lecture_reference *reference = lecture_reference(lecture_allocators[a]);
        if (source != 0 && reference != NULL && reference->quote != NULL &&
            strstr(reference->quote, "prediction") != NULL)
            continue;
        int found = 0;
        for (size_t r = 0; r < table->rows; r++) {
            char **row = table->fields[r];
            if (strcmp(row[allocator], lecture_allocators[a]) != 0)
                continue;
            found = 1;
            for (int v = 0; v < 3; v++)
                ck_assert_msg(strcmp(row[columns[v]], expected[v]) == 0,
                              "%s %s: measured '%s', the lecture says '%s' (why: %s)",
                              lecture_allocators[a], verdicts[v], row[columns[v]], expected[v],
                              row[columns[v] + 3]);
        }
        ck_assert_msg(found, "lecture-table.csv has no row for %s", lecture_allocators[a]);
    }
    free_csv(table);
}
END_TEST

/* ---- the large series ---------------------------------------------------------------- */

/* The slope (lecture_slope: log(steps + 1) against log N) of an
 * allocator's steps per malloc on a series of scaling.csv. */
static double series_slope(const struct csv *scaling, const char *allocator, const char *series)
{
    int name = column(scaling, "allocator"), which = column(scaling, "series");
    int live = column(scaling, "live_blocks"), steps = column(scaling, "steps_per_malloc");
    double x[8], y[8];
    size_t n = 0;
    for (size_t r = 0; r < scaling->rows && n < 8; r++) {
        char *const *row = scaling->fields[r];
        if (strcmp(row[name], allocator) != 0 || strcmp(row[which], series) != 0)
            continue;
        ck_assert_msg(row[steps][0] != '\0', "scaling.csv: %s on %s at N = %s has no steps",
                      allocator, series, row[live]);
        x[n] = strtod(row[live], NULL);
        y[n++] = strtod(row[steps], NULL);
    }
    ck_assert_msg(n == 3, "scaling.csv has %zu %s rows for %s, not 3 (--quick)", n, series,
                  allocator);
    return lecture_slope(x, y, n);
}

/* Bins' last bin holds every free chunk of 1 KiB or more in one list, so a
 * large request walks all N of them: steps per malloc grow with N (slope
 * 0.5 or more, the lecture table's "grows" threshold). gnu's size-range
 * bins skip the bins of the holes: it does not grow. The lecture's table
 * is not judged on this series (test_the_lecture_table_is_the_lectures
 * still finds bins' Good malloc). */
START_TEST(test_large_series_walks_bins_last_bin)
{
    struct csv *scaling = read_csv("scaling.csv");
    double bins = series_slope(scaling, "bins", "large");
    double gnu = series_slope(scaling, "gnu", "large");
    ck_assert_msg(bins >= LECTURE_GROWTH_BAD,
                  "bins' steps per malloc on the large series: slope %.2f, want >= %.2f", bins,
                  LECTURE_GROWTH_BAD);
    ck_assert_msg(gnu < LECTURE_GROWTH_BAD,
                  "gnu's steps per malloc on the large series: slope %.2f, want < %.2f", gnu,
                  LECTURE_GROWTH_BAD);
    /* And nowhere else does bins' search grow (the other series are small sizes). */
    ck_assert_double_lt(series_slope(scaling, "bins", "random"), LECTURE_GROWTH_BAD);
    free_csv(scaling);
}
END_TEST

/* ---- main ------------------------------------------------------------------------------- */

/* ---- --policies ------------------------------------------------------------------------- */
#ifdef DMM_TEST_MODULE_DIR /* tests/policy_harness.cmake defines it, and DMM_MODULE_DIR */

/* 1 when name is an item of the comma-separated list that starts at text
 * and ends at its line's end ("unsorted, list, dlist"). */
static int listed(const char *text, const char *name)
{
    size_t length = strcspn(text, "\n"), name_length = strlen(name);
    for (const char *item = text; item < text + length;) {
        size_t item_length = strcspn(item, ",\n");
        if (item_length == name_length && strncmp(item, name, name_length) == 0)
            return 1;
        item += item_length + 1;
        item += strspn(item, " ");
    }
    return 0;
}

START_TEST(test_policies_refuse_an_allocator_without_them)
{
    char folder[PATH_BYTES], log[PATH_BYTES];
    path_in(folder, work, "no-policies");
    path_in(log, work, "no-policies.txt");
    const char *const args[] = {"--quick", "--no-plots", "--policies", "bins", "--report", folder,
                                NULL};
    int status = run_program(DMM_COMPARE, args, log);
    char *said = read_text(work, "no-policies.txt");
    ck_assert_msg(status == 2, "--policies bins exited %d: %s", status, said);
    ck_assert_msg(strstr(said, "--policies bins: bins has no placement policies") != NULL,
                  "it does not say bins has no policies: %s", said);
    const char *have = strstr(said, "the allocators that have them: ");
    ck_assert_msg(have != NULL, "it does not name the allocators that have them: %s", said);
    have += strlen("the allocators that have them: ");
    /* Named exactly when its module defines dmm_policy_choices (policy.h). */
    for (size_t a = 0; a < LECTURE_ALLOCATORS; a++) {
        char module[PATH_BYTES];
        snprintf(module, sizeof module, "%s/libdmm-%s.so", DMM_MODULE_DIR, lecture_allocators[a]);
        void *handle = dlopen(module, RTLD_NOW | RTLD_LOCAL);
        ck_assert_msg(handle != NULL, "cannot load %s: %s", module, dlerror());
        int has = dlsym(handle, "dmm_policy_choices") != NULL;
        dlclose(handle);
        ck_assert_msg(listed(have, lecture_allocators[a]) == has, "%s %s named: %s",
                      lecture_allocators[a], has ? "has policies but is not" : "has none but is",
                      said);
    }
    ck_assert_msg(!exists(work, "no-policies"), "a report folder was made for a refused run");
    free(said);

    /* An unknown name: the runner's message, which names the valid ones. */
    const char *const unknown[] = {"--quick", "--policies", "nosuch", "--report", folder, NULL};
    status = run_program(DMM_COMPARE, unknown, log);
    said = read_text(work, "no-policies.txt");
    ck_assert_msg(status == 2 && strstr(said, "nosuch") != NULL && strstr(said, "bins") != NULL,
                  "--policies nosuch exited %d: %s", status, said);
    free(said);
}
END_TEST

/* policy-bump offers fit=first|best order=address|lifo and counts
 * 1 + fit + 4 * order steps per malloc (policy.h's enum values). */
static const struct {
    const char *fit, *order, *label;
    double steps;
} bump_variants[] = {
    {"first", "address", "policy-bump fit=first,order=address", 1},
    {"first", "lifo", "policy-bump fit=first,order=lifo", 5},
    {"best", "address", "policy-bump fit=best,order=address", 3},
    {"best", "lifo", "policy-bump fit=best,order=lifo", 7},
};
#define BUMP_VARIANTS 4

START_TEST(test_policies_give_one_row_per_variant)
{
    char log[PATH_BYTES];
    path_in(report, work, "policies"); /* read_csv reads from here */
    path_in(log, work, "policies.txt");
    const char *const args[] = {"--quick", "--repeat", "0", "--policies",
                                DMM_TEST_MODULE_DIR "/libdmm-policy-bump.so", "--report", report,
                                NULL};
    int status = run_program(DMM_COMPARE, args, log);
    char *said = read_text(work, "policies.txt");
    ck_assert_msg(status == 0, "--policies policy-bump exited %d: %s", status, said);
    /* The charts are drawn (plots/policies.gp), unless gnuplot is missing. */
    int drawn = exists(report, "policies-steps.png") &&
                exists(report, "policies-utilization.svg") && !exists(report, "time.png");
    ck_assert_msg(drawn || strstr(said, "gnuplot not found") != NULL,
                  "--policies drew no policies charts, or the usual ones: %s", said);
    free(said);

    struct csv *summary = read_csv("policies.csv");
    ck_assert_uint_eq(summary->rows, BUMP_VARIANTS);
    int fit = column(summary, "fit"), order = column(summary, "order");
    int label = column(summary, "label"), steps = column(summary, "steps_per_malloc");
    int pairs = column(summary, "pairs"), ok = column(summary, "pairs_ok");
    for (size_t r = 0; r < BUMP_VARIANTS; r++) {
        char *const *row = summary->fields[r];
        ck_assert_str_eq(row[fit], bump_variants[r].fit);
        ck_assert_str_eq(row[order], bump_variants[r].order);
        ck_assert_str_eq(row[label], bump_variants[r].label);
        ck_assert_msg(strtod(row[steps], NULL) == bump_variants[r].steps,
                      "%s: %s steps per malloc, want %.0f: the policy did not reach the child",
                      row[label], row[steps], bump_variants[r].steps);
        ck_assert_msg(strcmp(row[pairs], row[ok]) == 0, "%s: %s of %s pairs ok", row[label],
                      row[ok], row[pairs]);
    }
    free_csv(summary);

    /* Every pair: the bundled traces, large.trace, 4 series x 3 sizes. */
    char traces[64][256];
    size_t trace_count = bundled_traces(traces) + 1;
    struct csv *all = read_csv("policies-pairs.csv");
    ck_assert_uint_eq(all->rows, BUMP_VARIANTS * (trace_count + 4 * 3));
    int pair_label = column(all, "label"), pair_steps = column(all, "steps_per_malloc");
    int pair_status = column(all, "status");
    for (size_t r = 0; r < all->rows; r++) {
        char *const *row = all->fields[r];
        size_t v = r / (trace_count + 4 * 3); /* variant by variant */
        ck_assert_str_eq(row[pair_label], bump_variants[v].label);
        ck_assert_msg(strcmp(row[pair_status], "ok") == 0, "policies-pairs.csv row %zu: %s",
                      r + 1, row[pair_status]);
        ck_assert_msg(strtod(row[pair_steps], NULL) == bump_variants[v].steps,
                      "policies-pairs.csv row %zu: %s steps per malloc", r + 1, row[pair_steps]);
    }
    free_csv(all);
}
END_TEST

static Suite *policies_suite(void)
{
    Suite *suite = suite_create("compare --policies");
    TCase *tc = tcase_create("policies");
    tcase_set_timeout(tc, 300);
    tcase_add_test(tc, test_policies_refuse_an_allocator_without_them);
    tcase_add_test(tc, test_policies_give_one_row_per_variant);
    suite_add_tcase(suite, tc);
    return suite;
}
#endif /* DMM_TEST_MODULE_DIR */

static int remove_entry(const char *path, const struct stat *info, int flag, struct FTW *ftw)
{
    (void)info, (void)flag, (void)ftw;
    return remove(path);
}

static Suite *compare_suite(void)
{
    Suite *suite = suite_create("compare");
    TCase *tc = tcase_create("report");
    tcase_set_timeout(tc, 60);
    tcase_add_test(tc, test_the_run_exits_0);
    tcase_add_test(tc, test_results_has_every_pair_ok);
    tcase_add_test(tc, test_every_file_of_the_layout_exists);
    tcase_add_test(tc, test_heap_map_of_the_lecture_demo);
    tcase_add_test(tc, test_replay_writes_a_heap_map);
    tcase_add_test(tc, test_index_links_resolve_offline);
    tcase_add_test(tc, test_only_the_old_reports_files_are_removed);
    tcase_add_test(tc, test_a_foreign_folder_is_refused);
    tcase_add_test(tc, test_the_lecture_table_is_the_lectures);
    tcase_add_test(tc, test_large_series_walks_bins_last_bin);
    suite_add_tcase(suite, tc);
    return suite;
}

int main(int argc, char **argv)
{
    const char *tmp = getenv("TMPDIR");
    snprintf(work, sizeof work, "%s/dmm-compare-test-XXXXXX", tmp != NULL ? tmp : "/tmp");
    if (mkdtemp(work) == NULL) {
        perror(work);
        return EXIT_FAILURE;
    }
    if (argc > 1 && strcmp(argv[1], "policies") == 0) {
#ifdef DMM_TEST_MODULE_DIR
        SRunner *runner = srunner_create(policies_suite());
        srunner_run_all(runner, CK_NORMAL);
        int failed = srunner_ntests_failed(runner);
        srunner_free(runner);
        if (failed == 0)
            nftw(work, remove_entry, 16, FTW_DEPTH | FTW_PHYS);
        else
            printf("The reports are kept for a look: %s\n", work);
        return failed == 0 ? EXIT_SUCCESS : EXIT_FAILURE;
#else
        fprintf(stderr, "check_compare: built without tests/policy_harness.cmake\n");
        return EXIT_FAILURE;
#endif
    }
    path_in(report, work, "report");
    path_in(output, work, "output.txt");

    /* An earlier report, as the run finds it. */
    mkdir(report, 0755);
    write_file(report, ".dmm-report", "# an earlier report\nstale.csv\n../outside.txt\n");
    write_file(report, "stale.csv", "old\n");
    write_file(report, "keep.txt", "a user's file\n");
    write_file(work, "outside.txt", "outside the report\n");

    const char *const args[] = {"--quick", "--report", report, NULL};
    run_status = run_program(DMM_COMPARE, args, output);

    SRunner *runner = srunner_create(compare_suite());
    srunner_run_all(runner, CK_NORMAL);
    int failed = srunner_ntests_failed(runner);
    srunner_free(runner);
    if (failed == 0)
        nftw(work, remove_entry, 16, FTW_DEPTH | FTW_PHYS);
    else
        printf("The report is kept for a look: %s\n", report);
    return failed == 0 ? EXIT_SUCCESS : EXIT_FAILURE;
}
