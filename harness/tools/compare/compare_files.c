/*
 * compare_files.c — dmm-compare's report folder (compare.h): the marker
 * that makes a folder a report, and the files derived from the runs.
 *
 * The marker, REPORT/.dmm-report, is a comment line and then one line per
 * file compare wrote (relative to the report), appended as each is
 * written, so that even an interrupted run leaves a true list. The next run
 * removes exactly the files listed, then the sub-folders it made if they
 * are empty: whatever else a user put there stays. A folder without the
 * marker is never written into unless it is empty.
 *
 * Every CSV has a header row, names as dmm_name() gives them, and an empty
 * field where a pair measured nothing (it failed, or --repeat 0 left the
 * times out). The charts' own tables (the wide tables and the summaries)
 * are chart_data.c's.
 */
#define _POSIX_C_SOURCE 200809L /* uname, localtime_r */

#include "compare.h"

#include "lecture_table.h"
#include "measure.h"
#include "report.h"

#include <dirent.h>
#include <errno.h>
#include <math.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/utsname.h>
#include <unistd.h>

#ifndef DMM_COMPILER
#define DMM_COMPILER "unknown" /* the build passes "ID VERSION" */
#endif
#ifndef DMM_BUILD_TYPE
#define DMM_BUILD_TYPE "unknown"
#endif

/* The folders compare makes inside a report; removed when empty. */
static const char *const sub_folders[] = {"series", "heapmap", "traces", "docs"};
#define SUB_FOLDER_COUNT (sizeof sub_folders / sizeof sub_folders[0])

/* ---- messages ------------------------------------------------------------------ */

void compare_progress(const struct compare *c, unsigned step, const char *format, ...)
{
    char what[256];
    va_list args;
    va_start(args, format);
    vsnprintf(what, sizeof what, format, args);
    va_end(args);
    if (c->tty)
        fprintf(stderr, "\r[%u/%u] %s\033[K", step, COMPARE_STEPS, what);
    else
        fprintf(stderr, "[%u/%u] %s\n", step, COMPARE_STEPS, what);
}

void compare_progress_done(const struct compare *c)
{
    if (c->tty)
        fputs("\r\033[K", stderr);
}

void compare_warn(const struct compare *c, const char *format, ...)
{
    va_list args;
    va_start(args, format);
    fprintf(stderr, "%sdmm-compare: warning: ", c->tty ? "\r\033[K" : "");
    vfprintf(stderr, format, args);
    fputc('\n', stderr);
    va_end(args);
}

/* ---- the report folder and its marker ------------------------------------------- */

int compare_path(const struct compare *c, const char *relative, char path[COMPARE_PATH_BYTES])
{
    int n = snprintf(path, COMPARE_PATH_BYTES, "%s/%s", c->report, relative);
    if (n >= 0 && n < COMPARE_PATH_BYTES)
        return 0;
    path[0] = '\0';
    return -1;
}

/* A line of an old marker names a file inside the report: not absolute, no
 * "..", so that a damaged marker cannot remove anything outside it. */
static int safe_relative(const char *line)
{
    return line[0] != '\0' && line[0] != '/' && line[0] != '#' && strstr(line, "..") == NULL;
}

static int folder_is_empty(const char *path)
{
    DIR *folder = opendir(path);
    if (folder == NULL)
        return 0;
    int empty = 1;
    for (struct dirent *entry; empty && (entry = readdir(folder)) != NULL;)
        empty = strcmp(entry->d_name, ".") == 0 || strcmp(entry->d_name, "..") == 0;
    closedir(folder);
    return empty;
}

/* Removes what an earlier run's marker lists, then the marker. */
static int empty_old_report(const struct compare *c, const char *marker, char *error,
                            size_t error_size)
{
    FILE *old = fopen(marker, "r");
    if (old == NULL) {
        snprintf(error, error_size, "%s: %s", marker, strerror(errno));
        return -1;
    }
    char line[COMPARE_PATH_BYTES], path[COMPARE_PATH_BYTES];
    while (fgets(line, sizeof line, old) != NULL) {
        line[strcspn(line, "\r\n")] = '\0';
        if (!safe_relative(line))
            continue;
        compare_path(c, line, path);
        if (unlink(path) != 0 && errno != ENOENT) {
            snprintf(error, error_size, "cannot remove the old %s: %s", path, strerror(errno));
            fclose(old);
            return -1;
        }
    }
    fclose(old);
    for (size_t i = 0; i < SUB_FOLDER_COUNT; i++) {
        compare_path(c, sub_folders[i], path);
        rmdir(path); /* fails, harmlessly, when a user's file is still in it */
    }
    return unlink(marker) == 0 || errno == ENOENT ? 0 : -1;
}

int compare_open_report(struct compare *c, char *error, size_t error_size)
{
    char marker[COMPARE_PATH_BYTES];
    compare_path(c, COMPARE_MARKER, marker);
    struct stat info;
    if (stat(c->report, &info) == 0) {
        if (!S_ISDIR(info.st_mode)) {
            snprintf(error, error_size, "%s exists and is not a folder", c->report);
            return -1;
        }
        if (access(marker, F_OK) == 0) {
            if (empty_old_report(c, marker, error, error_size) != 0)
                return -1;
        } else if (!folder_is_empty(c->report)) {
            snprintf(error, error_size,
                     "%s is not a report folder (it has no %s file, and it is not empty): "
                     "refusing to write into it; remove it, or give another --report",
                     c->report, COMPARE_MARKER);
            return -1;
        }
    }
    if (report_make_dir(c->report, error, error_size) != 0)
        return -1;
    c->manifest = fopen(marker, "w");
    if (c->manifest == NULL) {
        snprintf(error, error_size, "%s: %s", marker, strerror(errno));
        return -1;
    }
    fprintf(c->manifest, "# a dmm-compare report; the files it wrote (removed by its next run):\n");
    fflush(c->manifest);
    return 0;
}

void compare_record(struct compare *c, const char *relative)
{
    char path[COMPARE_PATH_BYTES];
    compare_path(c, relative, path);
    if (c->manifest != NULL && access(path, F_OK) == 0) {
        fprintf(c->manifest, "%s\n", relative);
        fflush(c->manifest); /* a true list even if the run is interrupted */
    }
}

FILE *compare_create(struct compare *c, const char *relative)
{
    char path[COMPARE_PATH_BYTES];
    compare_path(c, relative, path);
    FILE *file = fopen(path, "w");
    if (file == NULL)
        fprintf(stderr, "dmm-compare: %s: %s\n", path, strerror(errno));
    else
        compare_record(c, relative);
    return file;
}

int compare_close(struct compare *c, FILE *file, const char *relative)
{
    int failed = ferror(file) != 0;
    failed |= fclose(file) != 0;
    if (failed) {
        char path[COMPARE_PATH_BYTES];
        compare_path(c, relative, path);
        fprintf(stderr, "dmm-compare: cannot write %s: %s\n", path, strerror(errno));
    }
    return failed ? -1 : 0;
}

int compare_make_folder(struct compare *c, const char *relative)
{
    char path[COMPARE_PATH_BYTES], error[COMPARE_PATH_BYTES + 128];
    compare_path(c, relative, path);
    if (report_make_dir(path, error, sizeof error) == 0)
        return 0;
    fprintf(stderr, "dmm-compare: %s\n", error);
    return -1;
}

int compare_copy(struct compare *c, const char *from, const char *relative)
{
    FILE *in = fopen(from, "rb");
    if (in == NULL) {
        fprintf(stderr, "dmm-compare: %s: %s\n", from, strerror(errno));
        return -1;
    }
    FILE *out = compare_create(c, relative);
    if (out == NULL) {
        fclose(in);
        return -1;
    }
    char buffer[65536];
    for (size_t n; (n = fread(buffer, 1, sizeof buffer, in)) > 0;)
        fwrite(buffer, 1, n, out);
    int failed = ferror(in) != 0;
    fclose(in);
    return compare_close(c, out, relative) != 0 || failed ? -1 : 0;
}

/* ---- the CSV files --------------------------------------------------------------- */

/* allocator,brk_calls,mmap_calls,munmap_calls over the bundled traces;
 * the baselines are left out: their system calls are not counted. */
static int write_syscalls(struct compare *c)
{
    FILE *out = compare_create(c, "syscalls.csv");
    if (out == NULL)
        return -1;
    fputs("allocator,brk_calls,mmap_calls,munmap_calls\n", out);
    for (size_t a = 0; a < c->allocator_count; a++) {
        unsigned long long brk = 0, mmap = 0, munmap = 0;
        int baseline = 0;
        for (size_t t = 0; t < c->bundled_count; t++) {
            const struct replay_result *r = &compare_pair(c, a, t)->result;
            baseline |= r->is_baseline;
            if (r->status == REPLAY_OK)
                brk += r->brk_calls, mmap += r->mmap_calls, munmap += r->munmap_calls;
        }
        if (baseline)
            continue;
        report_csv_text(out, c->names[a]);
        fprintf(out, ",%llu,%llu,%llu\n", brk, mmap, munmap);
    }
    return compare_close(c, out, "syscalls.csv");
}

/* allocator,trace,peak_live_bytes,peak_footprint_bytes: the ok pairs. */
static int write_footprint(struct compare *c)
{
    FILE *out = compare_create(c, "footprint.csv");
    if (out == NULL)
        return -1;
    fputs("allocator,trace,peak_live_bytes,peak_footprint_bytes\n", out);
    for (size_t a = 0; a < c->allocator_count; a++)
        for (size_t t = 0; t < c->trace_count; t++) {
            const struct replay_result *r = &compare_pair(c, a, t)->result;
            if (r->status != REPLAY_OK)
                continue;
            report_csv_text(out, c->names[a]);
            fputc(',', out);
            report_csv_text(out, c->traces[t].name);
            fprintf(out, ",%zu,%zu\n", r->peak_live_bytes, r->peak_footprint_bytes);
        }
    return compare_close(c, out, "footprint.csv");
}

/* results.csv or results.json, with report.h's writers. */
static int write_results_as(struct compare *c, const char *relative,
                            int (*writer)(FILE *, const struct runner_pair *, size_t, int))
{
    FILE *out = compare_create(c, relative);
    if (out == NULL)
        return -1;
    writer(out, c->pairs, c->allocator_count * c->trace_count, c->repeat > 0);
    return compare_close(c, out, relative);
}

int compare_write_results(struct compare *c)
{
    int failed = write_results_as(c, "results.csv", report_csv) != 0;
    failed |= write_results_as(c, "results.json", report_json) != 0;
    failed |= compare_write_chart_data(c) != 0;
    failed |= write_syscalls(c) != 0;
    failed |= write_footprint(c) != 0;
    FILE *out = compare_create(c, "allocators.txt");
    if (out == NULL)
        return -1;
    for (size_t a = 0; a < c->allocator_count; a++)
        fprintf(out, "%s%s", a > 0 ? " " : "", c->names[a]);
    fputc('\n', out);
    failed |= compare_close(c, out, "allocators.txt") != 0;
    return failed ? -1 : 0;
}

int compare_write_scaling(struct compare *c)
{
    FILE *out = compare_create(c, "scaling.csv");
    if (out == NULL)
        return -1;
    fputs("allocator,series,live_blocks,ops,ns_per_op,malloc_ns,free_ns,steps_per_malloc,"
          "steps_per_free\n", out);
    for (size_t i = 0; i < c->point_count; i++) {
        const struct compare_point *point = &c->points[i];
        const struct replay_result *r = &point->pair.result;
        report_csv_text(out, point->pair.allocator);
        fprintf(out, ",%s,%u,%llu,", point->series, point->live_blocks,
                (unsigned long long)r->ops);
        if (compare_timed(c, r))
            fprintf(out, "%.3f,%.3f,%.3f", r->ns_per_op, r->malloc_ns, r->free_ns);
        else
            fputs(",,", out);
        if (r->status == REPLAY_OK && !r->is_baseline) /* a baseline's steps are not counted */
            fprintf(out, ",%.4f,%.4f\n", r->steps_per_malloc, r->steps_per_free);
        else
            fputs(",,\n", out);
    }
    return compare_close(c, out, "scaling.csv");
}

int compare_draws_heap_map(const struct compare *c, size_t allocator)
{
    for (size_t t = 0; t < c->bundled_count; t++) {
        const struct replay_result *r = &compare_pair(c, allocator, t)->result;
        if (strcmp(c->traces[t].name, "lecture-demo") == 0)
            return r->status == REPLAY_OK && r->brk_calls > 0;
    }
    return 0;
}

/* scaling-slopes.csv: lecture_slope of each metric against live blocks,
 * per allocator and series, over the points that were measured. */
int compare_write_slopes(struct compare *c)
{
    static const char *const metrics[] = {"steps_per_malloc", "steps_per_free", "malloc_ns",
                                          "free_ns"};
    FILE *out = compare_create(c, "scaling-slopes.csv");
    if (out == NULL)
        return -1;
    fputs("allocator,series,metric,slope\n", out);
    for (size_t a = 0; a < c->allocator_count; a++)
        for (size_t s = 0; s < COMPARE_SERIES; s++)
            for (size_t m = 0; m < 4; m++) {
                double x[COMPARE_LIVE_COUNTS], y[COMPARE_LIVE_COUNTS];
                size_t n = 0;
                for (size_t i = 0; i < c->point_count; i++) {
                    const struct compare_point *p = &c->points[i];
                    const struct replay_result *r = &p->pair.result;
                    if (strcmp(p->pair.allocator, c->names[a]) != 0 ||
                        strcmp(p->series, compare_series[s]) != 0 || r->status != REPLAY_OK ||
                        (m >= 2 && c->repeat == 0) || (m < 2 && r->is_baseline) ||
                        n == COMPARE_LIVE_COUNTS)
                        continue; /* a baseline's steps are not counted: no slope */
                    double values[] = {r->steps_per_malloc, r->steps_per_free, r->malloc_ns,
                                       r->free_ns};
                    x[n] = p->live_blocks;
                    y[n++] = values[m];
                }
                double slope = lecture_slope(x, y, n);
                report_csv_text(out, c->names[a]);
                fprintf(out, ",%s,%s,", compare_series[s], metrics[m]);
                if (isfinite(slope))
                    fprintf(out, "%.4f", slope);
                fputc('\n', out);
            }
    return compare_close(c, out, "scaling-slopes.csv");
}

/* ---- machine.txt ------------------------------------------------------------------ */

/* "model name : Intel(R) ..." of /proc/cpuinfo; "unknown" without one. */
static void cpu_model(char *model, size_t size)
{
    snprintf(model, size, "unknown");
    FILE *info = fopen("/proc/cpuinfo", "r");
    if (info == NULL)
        return;
    char line[512];
    while (fgets(line, sizeof line, info) != NULL) {
        char *colon = strchr(line, ':');
        if (strncmp(line, "model name", 10) == 0 && colon != NULL) {
            colon += strspn(colon + 1, " \t") + 1;
            colon[strcspn(colon, "\n")] = '\0';
            snprintf(model, size, "%s", colon);
            break;
        }
    }
    fclose(info);
}

int compare_write_machine(struct compare *c, char **text)
{
    struct utsname system;
    char uname_text[5 * sizeof system.release + 8] = "unknown", model[256];
    if (uname(&system) == 0)
        snprintf(uname_text, sizeof uname_text, "%s %s %s %s %s", system.sysname,
                 system.nodename, system.release, system.version, system.machine);
    cpu_model(model, sizeof model);
    long cores = sysconf(_SC_NPROCESSORS_ONLN);

    *text = NULL;
    size_t length = 0;
    FILE *memory = open_memstream(text, &length);
    if (memory == NULL)
        return -1;
    fprintf(memory, "date: %s\n", c->date);
    fprintf(memory, "uname: %s\n", uname_text);
    fprintf(memory, "cpu: %s (%ld cores online)\n", model, cores);
    fprintf(memory, "compiler: %s\n", DMM_COMPILER);
    fprintf(memory, "build type: %s\n", DMM_BUILD_TYPE);
    fprintf(memory, "timing: per pair one fresh process, a cold replay, then %u steady "
                    "replays (their median is ns/op); checking passes %u side by side%s\n",
            c->repeat, c->jobs, c->quick ? "; --quick: the scaling series stop at 1000 live "
                                           "blocks" : "");
    if (fclose(memory) != 0)
        return -1;

    FILE *out = compare_create(c, "machine.txt");
    if (out == NULL)
        return -1;
    fputs(*text, out);
    return compare_close(c, out, "machine.txt");
}
