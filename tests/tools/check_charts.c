/*
 * check_charts.c — the report's charts read at a glance (issue 13): the
 * data behind the time charts, and the page that shows them.
 *
 * One `dmm-compare --quick --repeat 1` run, made in main before the suite,
 * into a temporary report folder; every test reads it:
 *   - the traces too short to time (under 1000 operations, charts.h) are in
 *     results.csv but in none of the time charts' files, and every longer
 *     trace is in them;
 *   - time-summary.csv's bar is the median, over the long traces, of the
 *     pairs' ns/op in results.csv, and its whisker their lowest and highest
 *     (worked out here again from results.csv);
 *   - index.html's table of every pair can be sorted and filtered (its
 *     inline script, its header row), and nothing is fetched from outside;
 *     with node installed, tools/check_table.js runs that script on the
 *     page's table and checks the order and the filter;
 *   - every chart on the page has a caption, the time charts say whether
 *     they show steady state or a cold start, and the charts come in the
 *     lecture's order: space, then time and its scaling (scaling-worst
 *     among them), then the heap maps;
 *   - a chart only some runs draw (policies-*) is silently absent.
 * Without gnuplot the charts are notes on the page: the caption tests then
 * check the notes instead.
 */
#define _XOPEN_SOURCE 700 /* mkdtemp, nftw, posix_spawn */

#include "testfile.h"

#include <check.h>
#include <fcntl.h>
#include <ftw.h>
#include <math.h>
#include <spawn.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

extern char **environ;

#define MIN_TIMED_OPS 1000 /* harness/tools/compare/charts.h */
#define MAX_ROWS 1024
#define MAX_NAME 64

static char folder[256]; /* the temporary folder; the report is folder/report */
static char report[300];

static const char *in_report(const char *name)
{
    static char paths[4][512];
    static unsigned next;
    char *path = paths[next++ % 4];
    snprintf(path, sizeof paths[0], "%s/%s", report, name);
    return path;
}

/* ---- the CSV files (no field of these holds a comma or a quote) ------------------- */

struct table {
    char *text;                 /* the file, cut into fields in place */
    char *fields[MAX_ROWS][12]; /* the first 12 fields of each row */
    int rows;                   /* without the header */
};

/* Reads a report CSV; row r's field f is table->fields[r][f] (NULL past the
 * last field). */
static void read_table(const char *name, struct table *table)
{
    memset(table, 0, sizeof *table);
    table->text = test_read_file(in_report(name), NULL);
    ck_assert_msg(table->text != NULL, "the report has no %s", name);
    char *line = strchr(table->text, '\n'); /* skip the header */
    ck_assert_msg(line != NULL, "%s has no header row", name);
    for (line++; *line != '\0' && table->rows < MAX_ROWS;) {
        char *end = strchr(line, '\n');
        if (end != NULL)
            *end = '\0';
        char **row = table->fields[table->rows++];
        int f = 0;
        for (char *field = line; field != NULL && f < 12; f++) {
            char *comma = strchr(field, ',');
            if (comma != NULL)
                *comma = '\0';
            row[f] = field;
            field = comma != NULL ? comma + 1 : NULL;
        }
        if (end == NULL)
            break;
        line = end + 1;
    }
}

/* results.csv's columns (docs/harness.md): allocator, trace, status, ops, ns_per_op. */
enum { R_ALLOCATOR, R_TRACE, R_STATUS, R_OPS, R_NS };

/* The operations of trace, from results.csv; -1 when it is not there. */
static long ops_of(const struct table *results, const char *trace)
{
    for (int r = 0; r < results->rows; r++)
        if (strcmp(results->fields[r][R_TRACE], trace) == 0)
            return atol(results->fields[r][R_OPS]);
    return -1;
}

/* ---- the data of the time charts --------------------------------------------------- */

/* No trace under MIN_TIMED_OPS operations in time-wide.csv, cold-wide.csv
 * or time-traces.csv; every longer one in time-wide.csv; and the run has
 * short traces at all, so that the test can fail. */
START_TEST(test_short_traces_are_left_out_of_the_time_data)
{
    struct table results, wide, cold, cells;
    read_table("results.csv", &results);
    read_table("time-wide.csv", &wide);
    read_table("cold-wide.csv", &cold);
    read_table("time-traces.csv", &cells);
    int short_traces = 0;
    for (int r = 0; r < results.rows; r++) {
        const char *trace = results.fields[r][R_TRACE];
        long ops = atol(results.fields[r][R_OPS]);
        int in_wide = 0;
        for (int w = 0; w < wide.rows; w++)
            in_wide |= strcmp(wide.fields[w][0], trace) == 0;
        if (ops < MIN_TIMED_OPS) {
            short_traces++;
            ck_assert_msg(!in_wide, "time-wide.csv has %s, of %ld operations", trace, ops);
        } else {
            ck_assert_msg(in_wide, "time-wide.csv lacks %s, of %ld operations", trace, ops);
        }
    }
    ck_assert_msg(short_traces > 0, "the run has no trace under %d operations",
                  MIN_TIMED_OPS);
    for (int w = 0; w < cold.rows; w++)
        ck_assert_msg(ops_of(&results, cold.fields[w][0]) >= MIN_TIMED_OPS,
                      "cold-wide.csv has the short trace %s", cold.fields[w][0]);
    for (int c = 0; c < cells.rows; c++)
        ck_assert_msg(ops_of(&results, cells.fields[c][0]) >= MIN_TIMED_OPS,
                      "time-traces.csv has the short trace %s", cells.fields[c][0]);
    free(results.text), free(wide.text), free(cold.text), free(cells.text);
}
END_TEST

static int by_value(const void *a, const void *b)
{
    double x = *(const double *)a, y = *(const double *)b;
    return (x > y) - (x < y);
}

/* Each allocator's bar in time-summary.csv is the median of its ns/op over
 * the long traces, its whisker the lowest and the highest, and its count
 * of traces theirs; min_ops is the cut. results.csv rounds to 0.001 ns. */
START_TEST(test_time_summary_is_the_median_of_the_long_traces)
{
    struct table results, summary;
    read_table("results.csv", &results);
    read_table("time-summary.csv", &summary);
    ck_assert_int_gt(summary.rows, 0);
    for (int s = 0; s < summary.rows; s++) {
        char **row = summary.fields[s];
        double values[MAX_ROWS];
        int n = 0;
        for (int r = 0; r < results.rows; r++) {
            char **pair = results.fields[r];
            if (strcmp(pair[R_ALLOCATOR], row[0]) == 0 && strcmp(pair[R_STATUS], "ok") == 0 &&
                atol(pair[R_OPS]) >= MIN_TIMED_OPS && pair[R_NS][0] != '\0')
                values[n++] = atof(pair[R_NS]);
        }
        ck_assert_msg(atoi(row[2]) == n, "%s: time-summary.csv counts %s traces, results.csv %d",
                      row[0], row[2], n);
        ck_assert_msg(n > 0, "%s has no timed trace", row[0]);
        qsort(values, (size_t)n, sizeof values[0], by_value);
        double median = n % 2 ? values[n / 2] : (values[n / 2 - 1] + values[n / 2]) / 2;
        ck_assert_msg(fabs(atof(row[3]) - median) < 0.01, "%s: median %s, results.csv's %.3f",
                      row[0], row[3], median);
        ck_assert_msg(fabs(atof(row[4]) - values[0]) < 0.01, "%s: lowest %s, results.csv's %.3f",
                      row[0], row[4], values[0]);
        ck_assert_msg(fabs(atof(row[5]) - values[n - 1]) < 0.01,
                      "%s: highest %s, results.csv's %.3f", row[0], row[5], values[n - 1]);
        ck_assert_int_eq(atoi(row[9]), MIN_TIMED_OPS);
    }
    free(results.text), free(summary.text);
}
END_TEST

/* ---- the page ------------------------------------------------------------------------ */

static char *page(void)
{
    char *html = test_read_file(in_report("index.html"), NULL);
    ck_assert_msg(html != NULL, "the report has no index.html");
    return html;
}

static void assert_contains(const char *text, const char *part, const char *where)
{
    ck_assert_msg(strstr(text, part) != NULL, "%s has no '%s'", where, part);
}

/* The table of every pair: a header row to click, the inline script that
 * sorts by it and filters by allocator and trace, the two fields; nothing
 * fetched from another site. */
START_TEST(test_the_table_sorts_and_filters)
{
    char *html = page();
    assert_contains(html, "<table id=\"pairs\"><thead><tr><th>allocator</th>", "index.html");
    assert_contains(html, "</thead>\n<tbody>", "index.html");
    assert_contains(html, "<script>", "index.html");
    assert_contains(html, "getElementById('pairs')", "the script");
    assert_contains(html, "addEventListener('click'", "the script");
    assert_contains(html, "aria-sort", "the script");
    assert_contains(html, "id=\"filter-allocator\"", "index.html");
    assert_contains(html, "id=\"filter-trace\"", "index.html");
    ck_assert_msg(strstr(html, "<script src") == NULL && strstr(html, "http://") == NULL &&
                      strstr(html, "https://") == NULL,
                  "index.html fetches something from outside the report");
    /* The page names the traces it leaves out of the time charts. */
    assert_contains(html, "lecture-demo", "the table's introduction");
    assert_contains(html, "under 1000 operations", "the table's introduction");
    free(html);
}
END_TEST

/* Every <figure> has an image with a caption of some length, or says why
 * it was not drawn. */
START_TEST(test_every_chart_has_a_caption)
{
    char *html = page();
    int figures = 0;
    for (char *at = strstr(html, "<figure id=\""); at != NULL;
         at = strstr(at + 1, "<figure id=\"")) {
        char *end = strstr(at, "</figure>");
        ck_assert_ptr_nonnull(end);
        *end = '\0';
        char id[MAX_NAME];
        sscanf(at, "<figure id=\"%63[^\"]", id);
        if (strstr(at, "<img") != NULL) {
            char *caption = strstr(at, "<figcaption><b>");
            ck_assert_msg(caption != NULL, "the chart %s has no caption", id);
            char *words = strstr(caption, "</b> ");
            ck_assert_msg(words != NULL && strlen(words) > 60,
                          "the caption of %s says too little: %s", id, caption);
        } else {
            assert_contains(at, "not drawn in this run", id);
        }
        *end = '<';
        figures++;
    }
    ck_assert_msg(figures >= 10, "index.html shows %d charts", figures);
    free(html);
}
END_TEST

/* The position of NAME's <figure> on the page; -1 when it is not there. */
static long figure_at(const char *html, const char *name)
{
    char tag[128];
    snprintf(tag, sizeof tag, "<figure id=\"%s\"", name);
    const char *at = strstr(html, tag);
    return at != NULL ? at - html : -1;
}

/* The lecture's order: space, then time and how it grows (scaling-worst
 * with the scaling charts), then the heap maps; the time charts' captions
 * say steady state or cold start. */
START_TEST(test_the_charts_follow_the_lecture)
{
    char *html = page();
    static const char *const order[] = {"space-utilization", "space-footprint", "time",
                                        "time-traces", "cold", "scaling", "scaling-worst",
                                        "syscalls", "heapmap-list"};
    for (size_t i = 0; i < sizeof order / sizeof order[0]; i++) {
        ck_assert_msg(figure_at(html, order[i]) >= 0, "index.html has no %s", order[i]);
        if (i > 0)
            ck_assert_msg(figure_at(html, order[i - 1]) < figure_at(html, order[i]),
                          "%s comes before %s", order[i], order[i - 1]);
    }
    static const char *const states[][2] = {
        {"time", "steady state"}, {"time-traces", "steady state"}, {"cold", "Cold start"}};
    for (size_t i = 0; i < 3; i++) {
        const char *at = html + figure_at(html, states[i][0]);
        const char *end = strstr(at, "</figure>");
        ck_assert_ptr_nonnull(end);
        const char *said = strstr(at, states[i][1]);
        ck_assert_msg(said != NULL && said < end, "the caption of %s does not say '%s'",
                      states[i][0], states[i][1]);
    }
    /* No --policies in this run: no policies chart, and no note either. */
    ck_assert_msg(strstr(html, "policies-") == NULL && strstr(html, "<h3>Policies") == NULL,
                  "index.html shows policies without a --policies run");
    free(html);
}
END_TEST

/* 1 when an executable named program is in a folder of PATH. */
static int on_path(const char *program)
{
    const char *path = getenv("PATH");
    for (const char *dir = path != NULL ? path : ""; *dir != '\0';) {
        size_t length = strcspn(dir, ":");
        char candidate[1024];
        snprintf(candidate, sizeof candidate, "%.*s/%s", (int)length, length ? dir : ".",
                 program);
        if (access(candidate, X_OK) == 0)
            return 1;
        dir += length + (dir[length] == ':');
    }
    return 0;
}

/* The table's script does what it says: tools/check_table.js runs the
 * page's own <script> on a stand-in for the DOM (sorting up and down by
 * numbers and by names, a failed pair's message kept with it, filtering).
 * Without node the test says so and passes: the page works without it. */
START_TEST(test_the_table_script_sorts_and_filters)
{
    if (!on_path("node")) {
        fputs("check_charts: node not installed: the table's script not run\n", stderr);
        return;
    }
    char *argv[] = {"node", DMM_SOURCE_DIR "/tests/tools/check_table.js",
                    (char *)in_report("index.html"), NULL};
    pid_t child;
    int spawned = posix_spawnp(&child, "node", NULL, NULL, argv, environ);
    ck_assert_msg(spawned == 0, "cannot run node: %s", strerror(spawned));
    int status;
    ck_assert_int_eq(waitpid(child, &status, 0), child);
    ck_assert_msg(WIFEXITED(status) && WEXITSTATUS(status) == 0,
                  "check_table.js failed on index.html (its message is above)");
}
END_TEST

/* ---- the run --------------------------------------------------------------------------- */

static int remove_entry(const char *path, const struct stat *info, int type, struct FTW *ftw)
{
    (void)info, (void)type, (void)ftw;
    return remove(path);
}

/* dmm-compare --quick --repeat 1 --report REPORT, its output in folder/compare.log. */
static int run_compare(void)
{
    char log[300];
    snprintf(log, sizeof log, "%s/compare.log", folder);
    char *argv[] = {DMM_COMPARE, "--quick", "--repeat", "1", "--report", report, NULL};
    posix_spawn_file_actions_t actions;
    posix_spawn_file_actions_init(&actions);
    posix_spawn_file_actions_addopen(&actions, 0, "/dev/null", O_RDONLY, 0);
    posix_spawn_file_actions_addopen(&actions, 1, log, O_WRONLY | O_CREAT | O_TRUNC, 0644);
    posix_spawn_file_actions_adddup2(&actions, 1, 2);
    pid_t child;
    int spawned = posix_spawn(&child, DMM_COMPARE, &actions, NULL, argv, environ);
    posix_spawn_file_actions_destroy(&actions);
    int status = 0;
    if (spawned != 0 || waitpid(child, &status, 0) != child) {
        fprintf(stderr, "check_charts: cannot run %s\n", DMM_COMPARE);
        return -1;
    }
    if (!WIFEXITED(status) || WEXITSTATUS(status) != 0) {
        char *text = test_read_file(log, NULL);
        fprintf(stderr, "check_charts: dmm-compare failed:\n%s\n", text != NULL ? text : "");
        free(text);
        return -1;
    }
    return 0;
}

int main(void)
{
    const char *tmp = getenv("TMPDIR");
    snprintf(folder, sizeof folder, "%s/check_charts.XXXXXX", tmp != NULL ? tmp : "/tmp");
    if (mkdtemp(folder) == NULL) {
        perror("check_charts: mkdtemp");
        return EXIT_FAILURE;
    }
    snprintf(report, sizeof report, "%s/report", folder);
    if (run_compare() != 0) {
        nftw(folder, remove_entry, 16, FTW_DEPTH | FTW_PHYS);
        return EXIT_FAILURE;
    }

    Suite *suite = suite_create("charts");
    TCase *data = tcase_create("the time charts' data");
    tcase_add_test(data, test_short_traces_are_left_out_of_the_time_data);
    tcase_add_test(data, test_time_summary_is_the_median_of_the_long_traces);
    suite_add_tcase(suite, data);
    TCase *html = tcase_create("the page");
    tcase_add_test(html, test_the_table_sorts_and_filters);
    tcase_add_test(html, test_the_table_script_sorts_and_filters);
    tcase_add_test(html, test_every_chart_has_a_caption);
    tcase_add_test(html, test_the_charts_follow_the_lecture);
    suite_add_tcase(suite, html);

    SRunner *runner = srunner_create(suite);
    srunner_run_all(runner, CK_NORMAL);
    int failed = srunner_ntests_failed(runner);
    srunner_free(runner);
    nftw(folder, remove_entry, 16, FTW_DEPTH | FTW_PHYS);
    return failed == 0 ? EXIT_SUCCESS : EXIT_FAILURE;
}
