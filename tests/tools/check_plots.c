/*
 * check_plots.c — the gnuplot scripts in plots/, run on a small report.
 *
 * tests/support/report-fixture/ is a report folder in the layout dmm-compare writes
 * (trimmed from a real run: three traces, the six allocators, the scaling
 * series, the lecture demo's heap maps). Each plots/NAME.gp is run on a
 * copy of it, as a user would run it:  gnuplot -e "dir='FOLDER'" NAME.gp
 * and must exit 0 with nothing on stderr (a gnuplot warning is a chart
 * that went wrong), and write each of its charts as a PNG (the PNG
 * signature, a slide-sized image) and an SVG (a whole <svg> element).
 * Then the failures: a script run without dir, or with a dir that is not a
 * folder, stops with a message that says so; a missing series file leaves
 * one allocator out of its chart, with a note, and no error. And the look
 * (issue 13): common.gp's colour() gives the 13 series (nine allocators,
 * four baselines) colours pairwise at least MIN_DELTA_E apart in CIELAB,
 * evaluated by gnuplot itself; the baselines, and only they, are dashed,
 * and no two series share a point shape; a baseline without figures in a
 * chart is not in its key; the time charts say steady state or cold start
 * and which traces count. The fixture also holds a --policies report's
 * policies.csv and policies-pairs.csv, for policies.gp.
 *
 * Without gnuplot on PATH the suite is skipped: exit 77, which CTest reports
 * as Skipped (SKIP_RETURN_CODE in tests/CMakeLists.txt).
 */
#define _XOPEN_SOURCE 700 /* mkdtemp, nftw, posix_spawnp */

#include "testfile.h"

#include <check.h>
#include <dirent.h>
#include <fcntl.h>
#include <math.h>
#include <ftw.h>
#include <spawn.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

extern char **environ;

#define PLOTS DMM_SOURCE_DIR "/plots"
#define FIXTURE DMM_SOURCE_DIR "/tests/support/report-fixture"
#define SKIPPED 77 /* CTest's SKIP_RETURN_CODE for this test */

/* Every chart script, and the charts it writes from the fixture (each as
 * NAME.png and NAME.svg). A script in plots/ that is not here fails
 * test_every_script_is_listed, so a new chart cannot go untested. */
static const struct script {
    const char *name;        /* plots/NAME.gp */
    const char *charts[6];   /* what it writes into dir, NULL-terminated */
} scripts[] = {
    {"time", {"time", "time-traces"}},
    {"cold", {"cold"}},
    {"space", {"space-utilization", "space-utilization-traces", "space-footprint"}},
    {"fragmentation", {"fragmentation-random-random", "fragmentation-realloc-growth"}},
    {"scaling", {"scaling", "scaling-worst"}},
    {"syscalls", {"syscalls"}},
    {"heapmap", {"heapmap-minimal", "heapmap-pad", "heapmap-list", "heapmap-dlist",
                 "heapmap-bins"}},
    {"peak-split", {"peak-split"}},
    {"policies", {"policies-steps", "policies-utilization", "policies-scaling-random",
                  "policies-scaling-worst"}},
};
#define SCRIPTS ((int)(sizeof scripts / sizeof scripts[0]))

/* Slide-sized: common.gp asks for 1200 x 700 pixels and more. */
#define MIN_PNG_WIDTH 1000
#define MIN_PNG_HEIGHT 600

/* ---- a copy of the fixture per test ------------------------------------------------ */

static char logs[256];     /* gnuplot's stdout and stderr, outside dir */
static char scratch[300];  /* logs/report: the copy, the dir the scripts are given */

static const char *path_in(const char *folder, const char *name)
{
    static char paths[8][1024];
    static unsigned next;
    char *path = paths[next++ % 8];
    snprintf(path, sizeof paths[0], "%s/%s", folder, name);
    return path;
}

static int copy_entry(const char *path, const struct stat *info, int type, struct FTW *ftw)
{
    (void)info, (void)ftw;
    const char *relative = path + strlen(FIXTURE);
    char target[512];
    snprintf(target, sizeof target, "%s%s", scratch, relative);
    if (type == FTW_D)
        return *relative == '\0' || mkdir(target, 0755) == 0 ? 0 : -1;
    if (type != FTW_F)
        return -1;
    size_t length;
    char *bytes = test_read_file(path, &length);
    FILE *out = fopen(target, "wb");
    int ok = bytes != NULL && out != NULL && fwrite(bytes, 1, length, out) == length;
    if (out != NULL)
        ok = fclose(out) == 0 && ok;
    free(bytes);
    return ok ? 0 : -1;
}

static int remove_entry(const char *path, const struct stat *info, int type, struct FTW *ftw)
{
    (void)info, (void)type, (void)ftw;
    return remove(path);
}

static void setup(void)
{
    const char *tmp = getenv("TMPDIR");
    snprintf(logs, sizeof logs, "%s/check_plots.XXXXXX", tmp != NULL ? tmp : "/tmp");
    ck_assert_ptr_nonnull(mkdtemp(logs));
    snprintf(scratch, sizeof scratch, "%s/report", logs);
    ck_assert_int_eq(mkdir(scratch, 0755), 0);
    ck_assert_msg(nftw(FIXTURE, copy_entry, 16, FTW_PHYS) == 0, "cannot copy %s to %s",
                  FIXTURE, scratch);
}

static void teardown(void)
{
    nftw(logs, remove_entry, 16, FTW_DEPTH | FTW_PHYS);
}

/* ---- running gnuplot --------------------------------------------------------------- */

struct run {
    int status;  /* exit status; -1 when a signal ended it */
    char *err;   /* what it wrote on stderr */
};

/* Runs  gnuplot [-e SETTINGS] SCRIPT  (found on PATH), in the current
 * folder, and waits for it. -d: no ~/.gnuplot, so a user's own settings
 * cannot change the outcome. */
static struct run run_gnuplot(const char *settings, const char *script)
{
    const char *argv[6];
    int argc = 0;
    argv[argc++] = "gnuplot";
    argv[argc++] = "-d";
    if (settings != NULL) {
        argv[argc++] = "-e";
        argv[argc++] = settings;
    }
    argv[argc++] = script;
    argv[argc] = NULL;

    posix_spawn_file_actions_t actions;
    posix_spawn_file_actions_init(&actions);
    posix_spawn_file_actions_addopen(&actions, 0, "/dev/null", O_RDONLY, 0);
    posix_spawn_file_actions_addopen(&actions, 1, path_in(logs, "stdout.txt"),
                                     O_WRONLY | O_CREAT | O_TRUNC, 0644);
    posix_spawn_file_actions_addopen(&actions, 2, path_in(logs, "stderr.txt"),
                                     O_WRONLY | O_CREAT | O_TRUNC, 0644);
    pid_t child;
    int spawned = posix_spawnp(&child, "gnuplot", &actions, NULL, (char *const *)argv, environ);
    posix_spawn_file_actions_destroy(&actions);
    ck_assert_msg(spawned == 0, "cannot run gnuplot: %s", strerror(spawned));
    int status;
    ck_assert_int_eq(waitpid(child, &status, 0), child);

    struct run run = {.status = WIFEXITED(status) ? WEXITSTATUS(status) : -1};
    run.err = test_read_file(path_in(logs, "stderr.txt"), NULL);
    ck_assert_ptr_nonnull(run.err);
    return run;
}

/* The -e settings that point a script at the copy of the fixture. */
static const char *dir_setting(void)
{
    static char setting[512];
    snprintf(setting, sizeof setting, "dir='%s'", scratch);
    return setting;
}

static const char *script_path(const char *name)
{
    static char path[512];
    snprintf(path, sizeof path, PLOTS "/%s.gp", name);
    return path;
}

static void assert_contains(const char *text, const char *part)
{
    ck_assert_msg(strstr(text, part) != NULL, "'%s' is not in:\n%s", part, text);
}

/* ---- what a chart must look like on disk ------------------------------------------- */

static unsigned long big_endian_32(const unsigned char *bytes)
{
    return (unsigned long)bytes[0] << 24 | (unsigned long)bytes[1] << 16 |
           (unsigned long)bytes[2] << 8 | bytes[3];
}

/* A PNG: the 8-byte signature, then the IHDR chunk with the image's width
 * and height (bytes 16..23, big-endian), slide-sized. */
static void assert_png(const char *chart)
{
    char name[256];
    snprintf(name, sizeof name, "%s.png", chart);
    size_t length;
    unsigned char *bytes = (unsigned char *)test_read_file(path_in(scratch, name), &length);
    ck_assert_msg(bytes != NULL, "%s was not written", name);
    static const unsigned char signature[8] = {0x89, 'P', 'N', 'G', '\r', '\n', 0x1a, '\n'};
    ck_assert_msg(length > 24 && memcmp(bytes, signature, 8) == 0 &&
                      memcmp(bytes + 12, "IHDR", 4) == 0,
                  "%s (%zu bytes) is not a PNG", name, length);
    unsigned long width = big_endian_32(bytes + 16), height = big_endian_32(bytes + 20);
    ck_assert_msg(width >= MIN_PNG_WIDTH && height >= MIN_PNG_HEIGHT,
                  "%s is %lu x %lu pixels, too small for a slide", name, width, height);
    free(bytes);
}

/* An SVG: one <svg> element, opened and closed, with something drawn in it. */
static void assert_svg(const char *chart)
{
    char name[256];
    snprintf(name, sizeof name, "%s.svg", chart);
    char *text = test_read_file(path_in(scratch, name), NULL);
    ck_assert_msg(text != NULL, "%s was not written", name);
    const char *open = strstr(text, "<svg"), *close = strstr(text, "</svg>");
    ck_assert_msg(open != NULL && close != NULL && close > open, "%s is not a whole <svg>", name);
    ck_assert_msg(strstr(open, "<path") != NULL || strstr(open, "<rect") != NULL,
                  "%s draws nothing", name);
    free(text);
}

/* ---- the tests --------------------------------------------------------------------- */

/* Each script draws the fixture: exit 0, nothing on stderr, and every chart
 * in both formats. Run from the build folder with the script's full path. */
START_TEST(test_script_draws_the_fixture)
{
    const struct script *script = &scripts[_i];
    struct run run = run_gnuplot(dir_setting(), script_path(script->name));
    ck_assert_msg(run.status == 0, "%s.gp exited %d:\n%s", script->name, run.status, run.err);
    ck_assert_msg(run.err[0] == '\0', "%s.gp wrote on stderr:\n%s", script->name, run.err);
    for (int c = 0; script->charts[c] != NULL; c++) {
        assert_png(script->charts[c]);
        assert_svg(script->charts[c]);
    }
    free(run.err);
}
END_TEST

/* Every .gp file in plots/ but common.gp is in scripts[], so the loop above
 * runs it. */
START_TEST(test_every_script_is_listed)
{
    DIR *folder = opendir(PLOTS);
    ck_assert_ptr_nonnull(folder);
    int found = 0;
    for (struct dirent *entry; (entry = readdir(folder)) != NULL;) {
        size_t length = strlen(entry->d_name);
        if (length < 4 || strcmp(entry->d_name + length - 3, ".gp") != 0 ||
            strcmp(entry->d_name, "common.gp") == 0)
            continue;
        int listed = 0;
        for (int s = 0; s < SCRIPTS; s++)
            listed |= strlen(scripts[s].name) == length - 3 &&
                      strncmp(entry->d_name, scripts[s].name, length - 3) == 0;
        ck_assert_msg(listed, "plots/%s is not in check_plots.c's scripts[]", entry->d_name);
        found++;
    }
    closedir(folder);
    ck_assert_int_eq(found, SCRIPTS);
}
END_TEST

/* The script fails, and stderr holds each of said[] (NULL-terminated). */
static void assert_fails_saying(const char *settings, const char *name, const char *const said[])
{
    struct run run = run_gnuplot(settings, script_path(name));
    ck_assert_int_ne(run.status, 0);
    for (size_t i = 0; said[i] != NULL; i++)
        assert_contains(run.err, said[i]);
    free(run.err);
}

/* Without dir, a script stops at once and says how to run it. */
START_TEST(test_without_dir_the_script_says_so)
{
    const char *const said[] = {"dir is not set", "gnuplot -e \"dir='build/report'\"", NULL};
    assert_fails_saying(NULL, scripts[_i].name, said);
}
END_TEST

START_TEST(test_dir_that_is_not_a_folder)
{
    const char *const said[] = {"dir='/nonexistent/report' is not a folder", NULL};
    assert_fails_saying("dir='/nonexistent/report'", "time", said);
}
END_TEST

/* A folder without the script's CSV: the error names the missing file. */
START_TEST(test_missing_csv_is_named)
{
    ck_assert_int_eq(remove(path_in(scratch, "scaling.csv")), 0);
    const char *const said[] = {"scaling.csv is missing", NULL};
    assert_fails_saying(dir_setting(), "scaling", said);
}
END_TEST

/* An allocator without a series file is left out of that chart with a
 * note; the chart is still drawn. */
START_TEST(test_missing_series_leaves_one_allocator_out)
{
    ck_assert_int_eq(remove(path_in(scratch, "series/list--random-random.csv")), 0);
    struct run run = run_gnuplot(dir_setting(), script_path("fragmentation"));
    ck_assert_msg(run.status == 0, "fragmentation.gp exited %d:\n%s", run.status, run.err);
    assert_contains(run.err, "list left out of fragmentation-random-random");
    ck_assert_ptr_null(strstr(run.err, "warning"));
    assert_png("fragmentation-random-random");
    assert_svg("fragmentation-random-random");
    free(run.err);
}
END_TEST

/* Without allocators.txt the scripts take the allocators from the columns
 * of time-wide.csv. */
START_TEST(test_without_allocators_txt)
{
    ck_assert_int_eq(remove(path_in(scratch, "allocators.txt")), 0);
    struct run run = run_gnuplot(dir_setting(), script_path("time"));
    ck_assert_msg(run.status == 0 && run.err[0] == '\0', "time.gp exited %d:\n%s", run.status,
                  run.err);
    assert_png("time");
    free(run.err);
}
END_TEST

/* The scripts find common.gp beside themselves whatever the working folder
 * and however the script's path is written. */
START_TEST(test_any_working_folder)
{
    ck_assert_int_eq(chdir(DMM_SOURCE_DIR), 0);
    struct run run = run_gnuplot(dir_setting(), "plots/syscalls.gp");
    ck_assert_msg(run.status == 0, "from the source folder:\n%s", run.err);
    free(run.err);
    ck_assert_int_eq(chdir(PLOTS), 0);
    run = run_gnuplot(dir_setting(), "syscalls.gp");
    ck_assert_msg(run.status == 0, "from plots/:\n%s", run.err);
    free(run.err);
    assert_png("syscalls");
}
END_TEST

/* ---- the colours ------------------------------------------------------------------ */

/* Every series a report can hold: the nine allocators, then the four
 * baselines. Each needs a colour no other can be mistaken for. */
static const char *const series_names[] = {"minimal", "pad", "unsorted", "list", "dlist",
                                           "bins", "mmap", "gnu", "segregated", "glibc",
                                           "jemalloc", "mimalloc", "tcmalloc"};
#define SERIES ((int)(sizeof series_names / sizeof series_names[0]))
#define FIRST_BASELINE 9

/* The smallest CIE76 distance (Euclidean, in CIELAB) allowed between two
 * series' colours. About 2.3 is "just noticeable"; colours meant to name
 * categories at a glance, in a small legend swatch, need far more: 25 keeps
 * light blue from blue and orange from red. common.gp's palette reaches 31. */
#define MIN_DELTA_E 25.0

struct lab {
    double l, a, b;
};

/* sRGB 0xRRGGBB to CIELAB under D65 (the formulas of IEC 61966-2-1 and CIE
 * 15). */
static struct lab lab_of(unsigned long rgb)
{
    double linear[3];
    for (int i = 0; i < 3; i++) {
        double c = (double)((rgb >> (16 - 8 * i)) & 255) / 255.0;
        linear[i] = c <= 0.04045 ? c / 12.92 : pow((c + 0.055) / 1.055, 2.4);
    }
    double xyz[3] = {
        (0.4124 * linear[0] + 0.3576 * linear[1] + 0.1805 * linear[2]) / 0.95047,
        0.2126 * linear[0] + 0.7152 * linear[1] + 0.0722 * linear[2],
        (0.0193 * linear[0] + 0.1192 * linear[1] + 0.9505 * linear[2]) / 1.08883,
    };
    for (int i = 0; i < 3; i++)
        xyz[i] = xyz[i] > 216.0 / 24389.0 ? cbrt(xyz[i]) : (24389.0 / 27.0 * xyz[i] + 16.0) / 116.0;
    return (struct lab){116.0 * xyz[1] - 16.0, 500.0 * (xyz[0] - xyz[1]),
                        200.0 * (xyz[1] - xyz[2])};
}

static double delta_e(struct lab x, struct lab y)
{
    return sqrt((x.l - y.l) * (x.l - y.l) + (x.a - y.a) * (x.a - y.a) +
                (x.b - y.b) * (x.b - y.b));
}

/* common.gp's colour(), baseline(), dash() and shape_of() of every series,
 * as gnuplot evaluates them: a script that loads common.gp and prints one
 * line per name, "NAME COLOUR BASELINE DASH SHAPE". */
static void evaluate_common(unsigned long colour[SERIES], int baseline[SERIES], int dash[SERIES],
                            int shape[SERIES])
{
    FILE *probe = fopen(path_in(logs, "probe.gp"), "w");
    ck_assert_ptr_nonnull(probe);
    fprintf(probe, "script = 'probe.gp'\nload '%s/common.gp'\n", PLOTS);
    for (int i = 0; i < SERIES; i++)
        fprintf(probe,
                "print sprintf('%%s %%d %%d %%d %%d', '%s', colour('%s'), baseline('%s'), "
                "dash('%s'), shape_of('%s'))\n",
                series_names[i], series_names[i], series_names[i], series_names[i],
                series_names[i]);
    ck_assert_int_eq(fclose(probe), 0);
    struct run run = run_gnuplot(dir_setting(), path_in(logs, "probe.gp"));
    ck_assert_msg(run.status == 0, "probe.gp exited %d:\n%s", run.status, run.err);
    const char *line = run.err; /* gnuplot prints on stderr */
    for (int i = 0; i < SERIES; i++) {
        char name[32];
        ck_assert_msg(sscanf(line, "%31s %lu %d %d %d", name, &colour[i], &baseline[i], &dash[i],
                             &shape[i]) == 5,
                      "common.gp printed:\n%s", run.err);
        ck_assert_str_eq(name, series_names[i]);
        line = strchr(line, '\n');
        ck_assert_ptr_nonnull(line);
        line++;
    }
    free(run.err);
}

/* Thirteen colours, each at least MIN_DELTA_E from every other and from
 * the grey of an unknown name; the baselines, and only they, have a second
 * cue (dash, filled point) that survives grey print; no two series share a
 * point shape. */
START_TEST(test_every_series_has_its_own_colour)
{
    unsigned long colour[SERIES];
    int baseline[SERIES], dash[SERIES], shape[SERIES];
    evaluate_common(colour, baseline, dash, shape);
    double smallest = 1e9;
    int worst_i = 0, worst_j = 0;
    for (int i = 0; i < SERIES; i++)
        for (int j = i + 1; j < SERIES; j++) {
            double d = delta_e(lab_of(colour[i]), lab_of(colour[j]));
            if (d < smallest)
                smallest = d, worst_i = i, worst_j = j;
            ck_assert_msg(shape[i] != shape[j], "%s and %s have the same point shape %d",
                          series_names[i], series_names[j], shape[i]);
        }
    ck_assert_msg(smallest >= MIN_DELTA_E,
                  "%s (#%06lx) and %s (#%06lx) are only %.1f apart in CIELAB (at least %.0f)",
                  series_names[worst_i], colour[worst_i], series_names[worst_j], colour[worst_j],
                  smallest, MIN_DELTA_E);
    for (int i = 0; i < SERIES; i++) {
        int is_baseline = i >= FIRST_BASELINE;
        ck_assert_msg(baseline[i] == is_baseline, "baseline('%s') is %d", series_names[i],
                      baseline[i]);
        ck_assert_msg((dash[i] != 1) == is_baseline, "dash('%s') is %d", series_names[i],
                      dash[i]);
    }
}
END_TEST

/* A baseline that has no figure in a chart is not in its key: syscalls.csv
 * has no row for glibc (its system calls are not counted), so the chart of
 * a report with glibc draws the others and names only them. */
START_TEST(test_baseline_without_figures_is_not_in_the_key)
{
    char settings[600];
    snprintf(settings, sizeof settings,
             "%s; allocators='minimal pad list dlist bins mmap glibc'", dir_setting());
    struct run run = run_gnuplot(settings, script_path("syscalls"));
    ck_assert_msg(run.status == 0 && run.err[0] == '\0', "syscalls.gp exited %d:\n%s",
                  run.status, run.err);
    free(run.err);
    char *svg = test_read_file(path_in(scratch, "syscalls.svg"), NULL);
    ck_assert_ptr_nonnull(svg);
    ck_assert_msg(strstr(svg, ">mmap<") != NULL, "syscalls.svg names no allocator in its key");
    ck_assert_msg(strstr(svg, "glibc") == NULL, "syscalls.svg names glibc, which has no bar");
    free(svg);

    /* The footprint-over-time charts have no series for a baseline: left
     * out without a note, unlike an allocator whose series is missing. */
    run = run_gnuplot(settings, script_path("fragmentation"));
    ck_assert_msg(run.status == 0, "fragmentation.gp exited %d:\n%s", run.status, run.err);
    ck_assert_msg(run.err[0] == '\0', "fragmentation.gp wrote:\n%s", run.err);
    free(run.err);
}
END_TEST

/* The time charts draw the steady state; their summary bars are the
 * median of the traces in time-summary.csv, and their x axis says which
 * traces count. */
START_TEST(test_time_charts_say_what_they_show)
{
    struct run run = run_gnuplot(dir_setting(), script_path("time"));
    ck_assert_msg(run.status == 0 && run.err[0] == '\0', "time.gp exited %d:\n%s", run.status,
                  run.err);
    free(run.err);
    char *svg = test_read_file(path_in(scratch, "time.svg"), NULL);
    ck_assert_ptr_nonnull(svg);
    assert_contains(svg, "steady state");
    assert_contains(svg, "1000 operations or more");
    free(svg);
    run = run_gnuplot(dir_setting(), script_path("cold"));
    ck_assert_msg(run.status == 0 && run.err[0] == '\0', "cold.gp exited %d:\n%s", run.status,
                  run.err);
    free(run.err);
    svg = test_read_file(path_in(scratch, "cold.svg"), NULL);
    ck_assert_ptr_nonnull(svg);
    assert_contains(svg, "cold start");
    free(svg);
}
END_TEST

/* ---- gnuplot or not ---------------------------------------------------------------- */

/* 1 when an executable named gnuplot is in a folder of PATH. */
static int gnuplot_on_path(void)
{
    const char *path = getenv("PATH");
    if (path == NULL)
        return 0;
    for (const char *folder = path; *folder != '\0';) {
        size_t length = strcspn(folder, ":");
        char candidate[1024];
        if (length == 0) /* an empty entry is the working folder */
            snprintf(candidate, sizeof candidate, "./gnuplot");
        else
            snprintf(candidate, sizeof candidate, "%.*s/gnuplot", (int)length, folder);
        if (access(candidate, X_OK) == 0)
            return 1;
        folder += length + (folder[length] == ':');
    }
    return 0;
}

/* A test case of suite whose every test runs on a fresh copy of the fixture. */
static TCase *fixture_case(Suite *suite, const char *name)
{
    TCase *tc = tcase_create(name);
    tcase_add_checked_fixture(tc, setup, teardown);
    tcase_set_timeout(tc, 60);
    suite_add_tcase(suite, tc);
    return tc;
}

int main(void)
{
    if (!gnuplot_on_path()) {
        fputs("gnuplot not installed (apt-get install gnuplot-nox): plots not tested\n", stderr);
        return SKIPPED;
    }
    Suite *suite = suite_create("plots");

    TCase *draw = fixture_case(suite, "draw the fixture");
    tcase_add_loop_test(draw, test_script_draws_the_fixture, 0, SCRIPTS);
    tcase_add_test(draw, test_every_script_is_listed);
    tcase_add_test(draw, test_without_allocators_txt);
    tcase_add_test(draw, test_any_working_folder);
    tcase_add_test(draw, test_every_series_has_its_own_colour);
    tcase_add_test(draw, test_baseline_without_figures_is_not_in_the_key);
    tcase_add_test(draw, test_time_charts_say_what_they_show);

    TCase *errors = fixture_case(suite, "errors");
    tcase_add_loop_test(errors, test_without_dir_the_script_says_so, 0, SCRIPTS);
    tcase_add_test(errors, test_dir_that_is_not_a_folder);
    tcase_add_test(errors, test_missing_csv_is_named);
    tcase_add_test(errors, test_missing_series_leaves_one_allocator_out);

    SRunner *runner = srunner_create(suite);
    srunner_run_all(runner, CK_NORMAL);
    int failed = srunner_ntests_failed(runner);
    srunner_free(runner);
    return failed == 0 ? EXIT_SUCCESS : EXIT_FAILURE;
}
