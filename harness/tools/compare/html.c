/*
 * html.c — dmm-compare's index.html (compare.h): one page that opens from
 * the file system with nothing else: inline CSS, a few lines of inline
 * script (sorting and filtering the table of every pair; the page reads
 * the same without it), no font or link outside the report folder. Every
 * link is relative to the report (the charts, the CSV files, docs/ —
 * compare copies the docs there), and every string from outside (names,
 * messages, machine.txt) is escaped.
 *
 * The sections: the lecture's table as measured, with the lecture's row and
 * the reason of each verdict; the charts, grouped by the lecture's
 * questions (space, then time and how it grows, then the policies, then the
 * demo's heap maps), each captioned with its question and what state it
 * measures; every pair's figures; what the metrics mean; the machine. A
 * chart that should have been drawn and was not says so instead of showing
 * a broken image; a chart that only some runs draw (--policies, a newer
 * script) is silently absent when its file is not there.
 */
#define _POSIX_C_SOURCE 200809L /* glob */

#include "compare.h"

#include "charts.h"
#include "lecture_table.h"
#include "report.h"

#include <glob.h>
#include <math.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>


/* The charts the plots/ scripts draw, in the page's order: each group
 * answers one of the lecture's questions. heapmap-NAME follow, one per heap
 * allocator, then policies-* (dmm-compare --policies), then any other
 * chart found. Each caption states the question, what is drawn, and the
 * state measured (steady state, cold start, or no clock at all). */
enum chart_kind {
    CHART_EXPECTED, /* every run draws it: a missing file is reported */
    CHART_OPTIONAL, /* only some runs or scripts draw it: absent silently */
};

static const struct chart {
    const char *group;   /* starts a new group (an <h3>) when not NULL */
    const char *name;    /* NAME.png and NAME.svg in the report */
    const char *title;
    const char *caption; /* the question, what to look at, the state measured */
    enum chart_kind kind;
} charts[] = {
    {"Space: how much memory does each allocator waste?", "space-utilization",
     "Which allocator wastes least?",
     "Utilization (peak live payload / peak footprint; 100 % wastes nothing), one bar per "
     "allocator: the median over every trace, the whisker from its worst trace to its best. "
     "No clock is read: the figure is the same in every run. Baselines are hatched.",
     CHART_EXPECTED},
    {NULL, "space-utilization-traces", "On which traces does each allocator waste memory?",
     "Utilization in % for every allocator and trace, red where much is wasted. Every trace "
     "counts, the short ones too: utilization needs no clock.", CHART_EXPECTED},
    {NULL, "peak-split", "What is the peak footprint made of?",
     "Where the peak footprint goes: payload, internal fragmentation, external "
     "fragmentation, metadata, never reused. One bar per allocator, 100 % of its peak "
     "footprint. No clock is read. Baselines have no bar: their chunks cannot be walked.",
     CHART_OPTIONAL},
    {NULL, "space-footprint", "How does the waste grow with the payload?",
     "Peak footprint against peak live payload, one point per allocator and trace, log-log: "
     "the diagonal is a footprint equal to the payload, the height above it is the waste. "
     "Allocators are open shapes, baselines filled. No clock is read.", CHART_EXPECTED},
    {NULL, "fragmentation-gcc-cc1", "Footprint over time: gcc's compiler (recorded)",
     "How does the footprint grow over a real compile? Footprint and live payload after each "
     "operation: the gap is waste. Baselines are absent: their series would come from the "
     "checking pass, where glibc's statistics also hold the harness's memory.",
     CHART_EXPECTED},
    {NULL, "fragmentation-sqlite-insert", "Footprint over time: sqlite3 (recorded)",
     "The same over a real database run (baselines absent, as above).", CHART_EXPECTED},
    {NULL, "fragmentation-python-dict", "Footprint over time: python3 (recorded)",
     "The same over a real interpreter run (baselines absent, as above).", CHART_EXPECTED},
    {NULL, "fragmentation-random-random", "Footprint over time: random-random",
     "The same over a synthetic trace of random sizes freed in random order (baselines "
     "absent, as above).", CHART_EXPECTED},
    {NULL, "fragmentation-realloc-growth", "Footprint over time: realloc-growth",
     "The same over blocks grown by realloc (baselines absent, as above).", CHART_EXPECTED},

    {"Time: how fast are malloc and free, and how do they grow?", "time",
     "Which allocator is fast? (steady state)",
     "ns per operation in steady state, one bar per allocator, log scale: the median over "
     "the traces, the whisker from its fastest trace to its slowest. Steady state: the "
     "median of the replays that follow a first one in the same process, the allocator "
     "keeping what the replay before left it. Traces under " CHARTS_MIN_TIMED_OPS_TEXT
     " operations are left out: one slow call (a system call, a page fault: 0.4 to "
     "several microseconds) weighs 15 to several hundred ns per operation in the 10 to 29 "
     "operations of the shortest traces, so their ns/op is start-up noise, not the "
     "allocator's (the table below keeps them). Baselines are hatched.", CHART_EXPECTED},
    {NULL, "time-traces", "On which traces is each allocator slow? (steady state)",
     "ns per operation in steady state for every allocator and trace of " CHARTS_MIN_TIMED_OPS_TEXT
     " operations or more, written in each cell; the colour compares the cell with the "
     "median allocator on that trace (blue faster, red slower).", CHART_EXPECTED},
    {NULL, "cold", "What does a fresh start cost? (cold start)",
     "ns per operation of the first replay in a fresh process, one bar per allocator, the "
     "median over the traces of " CHARTS_MIN_TIMED_OPS_TEXT " operations or more, log "
     "scale. Cold start: every page is touched for the first time, so page faults dominate; "
     "where minimal, pad and mmap stand apart, that is the lesson: a fresh page costs more "
     "than any search.", CHART_EXPECTED},
    {NULL, "scaling", "Does the cost grow with the number of blocks? (random sizes)",
     "malloc and free in ns (steady state) and in chunks examined (no clock), against the "
     "number of live blocks N, log-log: a slope of 1 is linear growth, a search through "
     "every block. Baselines' steps are not counted: they appear in the time panels only.",
     CHART_EXPECTED},
    {NULL, "scaling-worst", "First fit's worst case: does the cost grow with the holes in front?",
     "The same four panels when N small free chunks lie in front of every fit: list, whose "
     "free list is in address order, examines all N on every malloc (a slope of 1); dlist's "
     "LIFO list, bins' exact bins and the size classes do not. Times are steady state; "
     "steps need no clock (baselines' are not counted: they appear in the time panels "
     "only).",
     CHART_EXPECTED},
    {NULL, "scaling-large", "Does a large malloc search?",
     "bins' last bin is one list: a large malloc walks it; gnu's range bins do not. Chunks "
     "examined per malloc against N large free chunks (1 to 4 KiB) in front of 8 KiB "
     "requests, log-log: counted, not timed. Baselines are absent: their steps are not "
     "counted.", CHART_OPTIONAL},
    {NULL, "syscalls", "How often does each allocator ask the OS for memory?",
     "brk, mmap and munmap calls summed over the bundled traces, log scale, the count on "
     "each bar. Counted, not timed. Baselines are absent: their system calls do not go "
     "through the heap section, so they are not counted.", CHART_EXPECTED},
};
#define CHART_COUNT (sizeof charts / sizeof charts[0])

static const char *const style =
    "body{font-family:sans-serif;margin:2em auto;max-width:78em;padding:0 1em;color:#222;"
    "line-height:1.4}\n"
    "h1{margin-bottom:.2em}h2{margin-top:2em;border-bottom:1px solid #ccc}\n"
    ".meta,.note,small{color:#555}\n"
    "table{border-collapse:collapse;margin:1em 0}\n"
    "th,td{border:1px solid #ccc;padding:.25em .6em;vertical-align:top}\n"
    "th{background:#f0f0f0;text-align:left}td.n{text-align:right;font-variant-numeric:"
    "tabular-nums}\n"
    "tr.bad td{background:#fde8e8}td.message{font-size:.9em}\n"
    ".good{color:#05683f;font-weight:bold}.bad-verdict{color:#a3200c;font-weight:bold}\n"
    ".other{color:#7a5500;font-weight:bold}.differs{background:#fff3cd}\n"
    "figure{margin:1.5em 0}figure img{max-width:100%;border:1px solid #ddd}\n"
    "figcaption{color:#444}dt{font-weight:bold;margin-top:.5em}pre{background:#f6f6f6;"
    "padding:.8em;overflow-x:auto}\n"
    "h3{margin-top:1.5em}#pairs th{cursor:pointer}"
    "#pairs th[aria-sort=ascending]::after{content:\" \\25B2\"}"
    "#pairs th[aria-sort=descending]::after{content:\" \\25BC\"}\n";

static int exists(const struct compare *c, const char *relative)
{
    char path[COMPARE_PATH_BYTES];
    compare_path(c, relative, path);
    return access(path, R_OK) == 0;
}

/* <a href="relative">label</a> when the file is there, the label alone otherwise. */
static void link_to(FILE *out, const struct compare *c, const char *relative, const char *label)
{
    if (exists(c, relative)) {
        fputs("<a href=\"", out);
        report_html_text(out, relative);
        fputs("\">", out);
    }
    report_html_text(out, label);
    if (exists(c, relative))
        fputs("</a>", out);
}

/* Writes html as it is, but for each [label](relative) in it, which becomes
 * link_to's link: each paragraph of the page reads as one string. */
static void prose(FILE *out, const struct compare *c, const char *html)
{
    for (const char *p = html; *p != '\0';) {
        const char *open = strchr(p, '['), *middle = open ? strstr(open, "](") : NULL;
        const char *close = middle ? strchr(middle, ')') : NULL;
        if (close == NULL) {
            fputs(p, out);
            return;
        }
        fwrite(p, 1, (size_t)(open - p), out);
        char label[256], relative[COMPARE_PATH_BYTES];
        snprintf(label, sizeof label, "%.*s", (int)(middle - open - 1), open + 1);
        snprintf(relative, sizeof relative, "%.*s", (int)(close - middle - 2), middle + 2);
        link_to(out, c, relative, label);
        p = close + 1;
    }
}

/* ---- the lecture's table ----------------------------------------------------- */

static const char *verdict_class(const char *verdict)
{
    if (strcmp(verdict, "Good") == 0)
        return "good";
    if (strncmp(verdict, "Bad", 3) == 0)
        return "bad-verdict";
    return "other";
}

/* label: whose verdict the measured one is compared with, "lecture" (its
 * own table) or "dmm's reading" (of another slide). */
static void verdict_cell(FILE *out, const char *measured, const char *label, const char *expected,
                         const char *why)
{
    int differs = expected != NULL && strcmp(measured, expected) != 0;
    fprintf(out, "<td%s><span class=\"%s\">", differs ? " class=\"differs\"" : "",
            verdict_class(measured));
    report_html_text(out, measured);
    fputs("</span><br><small>", out);
    report_html_text(out, label);
    fputs(": ", out);
    report_html_text(out, expected != NULL ? expected : "(no row)");
    fputs("<br>", out);
    report_html_text(out, why);
    fputs("</small></td>", out);
}

static void lecture_section(FILE *out, const struct compare *c)
{
    prose(out, c, "<h2 id=\"lecture\">The lecture's table, measured</h2>\n"
          "<p>Each verdict comes from the measurements of this run by the rules of "
          "[docs/lecture-table.md](docs/lecture-table.md), never from an allocator's name. "
          "Under each verdict: the verdict it is compared with — the lecture's own (its "
          "\"Summary (so far)\" table has five rows) or dmm's reading of another slide "
          "(labelled, the slide quoted under the allocator's name) — and the figures behind "
          "the measured one. A yellow cell differs from what it is compared with.</p>\n");
    if (c->row_count == 0) {
        fputs("<p class=\"note\">The table was not judged in this run.</p>\n", out);
        return;
    }
    fputs("<table><tr><th>allocator</th><th>space</th><th>malloc time</th><th>free time</th>"
          "</tr>\n", out);
    for (size_t i = 0; i < c->row_count; i++) {
        const struct lecture_row *row = &c->rows[i];
        const char *lecture[3] = {NULL, NULL, NULL};
        lecture_expected(row->allocator, &lecture[0], &lecture[1], &lecture[2]);
        const struct lecture_reference *ref = lecture_reference(row->allocator);
        const char *label = ref != NULL && ref->source == LECTURE_READING ? "dmm's reading"
                                                                           : "lecture";
        fputs("<tr><th>", out);
        report_html_text(out, row->allocator);
        if (ref != NULL && ref->source == LECTURE_READING) {
            fputs("<br><small>", out);
            report_html_text(out, ref->quote);
            fputs("</small>", out);
        }
        fputs("</th>", out);
        verdict_cell(out, row->space, label, lecture[0], row->space_why);
        verdict_cell(out, row->malloc_time, label, lecture[1], row->malloc_why);
        verdict_cell(out, row->free_time, label, lecture[2], row->free_why);
        fputs("</tr>\n", out);
    }
    fputs("</table>\n", out);
}

/* ---- the charts ----------------------------------------------------------------- */

static void figure(FILE *out, const struct compare *c, const char *name, const char *title,
                   const char *caption, enum chart_kind kind)
{
    char png[COMPARE_PATH_BYTES], svg[COMPARE_PATH_BYTES];
    snprintf(png, sizeof png, "%s.png", name);
    snprintf(svg, sizeof svg, "%s.svg", name);
    if (kind == CHART_OPTIONAL && !exists(c, png))
        return; /* this run does not draw it: nothing to say */
    fputs("<figure id=\"", out);
    report_html_text(out, name);
    fputs("\">", out);
    if (!exists(c, png)) {
        fputs("<p class=\"note\">", out);
        report_html_text(out, title);
        fputs(": not drawn in this run (", out);
        if (c->no_plots != NULL) {
            report_html_text(out, c->no_plots);
        } else {
            prose(out, c, "its script failed: [plots.log](plots.log) says why");
        }
        fputs(").</p></figure>\n", out);
        return;
    }
    if (exists(c, svg)) {
        fputs("<a href=\"", out);
        report_html_text(out, svg);
        fputs("\">", out);
    }
    fputs("<img src=\"", out);
    report_html_text(out, png);
    fputs("\" alt=\"", out);
    report_html_text(out, title);
    fputs("\">", out);
    if (exists(c, svg))
        fputs("</a>", out);
    fputs("<figcaption><b>", out);
    report_html_text(out, title);
    size_t length = strlen(title); /* a question keeps its mark; a statement gets a full stop */
    fputs(length > 0 && strchr("?.)", title[length - 1]) != NULL ? "</b> " : ".</b> ", out);
    report_html_text(out, caption);
    if (exists(c, svg)) {
        fputs(" (", out);
        link_to(out, c, svg, "SVG");
        fputs(")", out);
    }
    fputs("</figcaption></figure>\n", out);
}

/* 1 when the chart NAME is one of the known ones, a heap map of ours or a
 * policies chart. */
static int known_chart(const struct compare *c, const char *name)
{
    for (size_t i = 0; i < CHART_COUNT; i++)
        if (strcmp(name, charts[i].name) == 0)
            return 1;
    for (size_t a = 0; a < c->allocator_count; a++)
        if (strncmp(name, "heapmap-", 8) == 0 && strcmp(name + 8, c->names[a]) == 0)
            return 1;
    return strncmp(name, "policies-", 9) == 0;
}

/* The names of the report's charts NAME.png that start with prefix (""
 * for every chart), sorted (glob sorts); call globfree after. */
static int find_charts(const struct compare *c, const char *prefix, glob_t *found)
{
    char pattern[COMPARE_PATH_BYTES];
    snprintf(pattern, sizeof pattern, "%s/%s*.png", c->report, prefix);
    *found = (glob_t){0};
    if (glob(pattern, 0, NULL, found) == 0)
        return 0;
    globfree(found); /* no match, or an error: nothing to show */
    return -1;
}

/* NAME of the path ".../NAME.png". */
static void chart_name(const char *path, char name[COMPARE_PATH_BYTES])
{
    snprintf(name, COMPARE_PATH_BYTES, "%s", strrchr(path, '/') + 1);
    name[strlen(name) - 4] = '\0'; /* ".png" */
}

static void group_heading(FILE *out, const char *group)
{
    fputs("<h3>", out);
    report_html_text(out, group);
    fputs("</h3>\n", out);
}

static void charts_section(FILE *out, const struct compare *c)
{
    fputs("<h2 id=\"charts\">Charts</h2>\n<p>Click a chart for its SVG. Each is drawn by a "
          "script in <code>plots/</code> from the CSV files here; docs/compare.md says how "
          "to redraw one by hand. Every allocator has the same colour in every chart; the "
          "baselines (production allocators) are also hatched, dashed or drawn with filled "
          "points, and a chart without their figures leaves them out of its key.</p>\n", out);
    for (size_t i = 0; i < CHART_COUNT; i++) {
        if (charts[i].group != NULL)
            group_heading(out, charts[i].group);
        figure(out, c, charts[i].name, charts[i].title, charts[i].caption, charts[i].kind);
    }

    /* One allocator across its placement policies: dmm-compare --policies
     * (plots/policies.gp); policies-scaling-SERIES, one per series drawn. */
    glob_t found;
    if (find_charts(c, "policies-", &found) == 0) {
        group_heading(out, "Policies: one allocator, every fit and free-list order");
        for (size_t i = 0; i < found.gl_pathc; i++) {
            char name[COMPARE_PATH_BYTES];
            chart_name(found.gl_pathv[i], name);
            const char *title = strcmp(name, "policies-steps") == 0
                                    ? "Which policy searches least?"
                                : strcmp(name, "policies-utilization") == 0
                                    ? "Which policy wastes least memory?"
                                : strncmp(name, "policies-scaling-", 17) == 0
                                    ? "How does each policy's search grow with N?"
                                    : name;
            figure(out, c, name, title,
                   "One allocator across its placement policies (dmm-compare --policies): "
                   "the colour is the fit (first, next, best, worst), the order (address, "
                   "LIFO, size) is written under the bar or drawn as the line's dash and "
                   "point. Chunks examined and utilization are counted, not timed.",
                   CHART_OPTIONAL);
        }
        globfree(&found);
    }

    /* A heap map for each allocator with a heap (its demo moved the break). */
    group_heading(out, "How does each allocator place blocks? The lecture's demo");
    for (size_t a = 0; a < c->allocator_count; a++) {
        if (!compare_draws_heap_map(c, a))
            continue;
        char name[COMPARE_PATH_BYTES], title[COMPARE_PATH_BYTES];
        snprintf(name, sizeof name, "heapmap-%s", c->names[a]);
        snprintf(title, sizeof title, "Heap map: %s", c->names[a]);
        figure(out, c, name, title,
               "Where does each block go? The lecture's demo step by step: one row per "
               "operation, the chunks along the address axis, allocated and free, headers "
               "and footers darker. No clock is read. Baselines are not heap-section "
               "allocators: they have no heap map.",
               CHART_EXPECTED);
    }

    /* Charts a newer script draws that this page does not know by name. */
    if (find_charts(c, "", &found) == 0) {
        int first = 1;
        for (size_t i = 0; i < found.gl_pathc; i++) {
            char name[COMPARE_PATH_BYTES];
            chart_name(found.gl_pathv[i], name);
            if (known_chart(c, name))
                continue;
            if (first)
                group_heading(out, "Other charts");
            first = 0;
            figure(out, c, name, name, "(drawn by a script this page does not know: see its "
                                       "header in plots/)", CHART_OPTIONAL);
        }
        globfree(&found);
    }
}

/* ---- every pair --------------------------------------------------------------------- */

static void number_cell(FILE *out, int measured, const char *format, double value)
{
    fputs("<td class=\"n\">", out);
    if (measured && isfinite(value))
        fprintf(out, format, value);
    else
        fputs("&ndash;", out);
    fputs("</td>", out);
}

/* Sorting and filtering the table of every pair: a click on a column's
 * header sorts by it (again: the other way), numbers as numbers, a missing
 * figure last; the two fields keep the rows whose allocator and trace
 * contain what is typed. A failed pair's message row moves with its pair.
 * Plain DOM, no library; without script the table reads as written. */
static const char *const table_script =
    "<script>\n"
    "(function () {\n"
    "  var table = document.getElementById('pairs');\n"
    "  if (!table) return;\n"
    "  var body = table.tBodies[0], heads = table.tHead.rows[0].cells;\n"
    "  function groups() {\n"
    "    var all = [], rows = body.rows;\n"
    "    for (var i = 0; i < rows.length; i++)\n"
    "      if (rows[i].classList.contains('msg') && all.length) all[all.length - 1].push(rows[i]);\n"
    "      else all.push([rows[i]]);\n"
    "    return all;\n"
    "  }\n"
    "  function key(row, c) {\n"
    "    var cell = row.cells[c], text = cell.textContent.trim();\n"
    "    if (!cell.classList.contains('n')) return text.toLowerCase();\n"
    "    var n = parseFloat(text);\n"
    "    return isNaN(n) ? null : n;\n"
    "  }\n"
    "  Array.prototype.forEach.call(heads, function (head, c) {\n"
    "    head.title = 'click to sort';\n"
    "    head.addEventListener('click', function () {\n"
    "      var up = head.getAttribute('aria-sort') !== 'ascending';\n"
    "      Array.prototype.forEach.call(heads, function (h) { h.removeAttribute('aria-sort'); });\n"
    "      head.setAttribute('aria-sort', up ? 'ascending' : 'descending');\n"
    "      var all = groups();\n"
    "      all.sort(function (a, b) {\n"
    "        var x = key(a[0], c), y = key(b[0], c);\n"
    "        if (x === y) return 0;\n"
    "        if (x === null) return 1;\n"
    "        if (y === null) return -1;\n"
    "        return (x < y ? -1 : 1) * (up ? 1 : -1);\n"
    "      });\n"
    "      all.forEach(function (g) { g.forEach(function (r) { body.appendChild(r); }); });\n"
    "    });\n"
    "  });\n"
    "  var byAllocator = document.getElementById('filter-allocator');\n"
    "  var byTrace = document.getElementById('filter-trace');\n"
    "  function filter() {\n"
    "    var a = byAllocator.value.trim().toLowerCase(), t = byTrace.value.trim().toLowerCase();\n"
    "    groups().forEach(function (g) {\n"
    "      var cells = g[0].cells;\n"
    "      var shown = cells[0].textContent.toLowerCase().indexOf(a) >= 0 &&\n"
    "                  cells[1].textContent.toLowerCase().indexOf(t) >= 0;\n"
    "      g.forEach(function (r) { r.hidden = !shown; });\n"
    "    });\n"
    "  }\n"
    "  byAllocator.addEventListener('input', filter);\n"
    "  byTrace.addEventListener('input', filter);\n"
    "  document.getElementById('filters').hidden = false;\n"
    "})();\n"
    "</script>\n";

static void metrics_section(FILE *out, const struct compare *c)
{
    prose(out, c, "<h2 id=\"metrics\">Every pair</h2>\n<p>Every allocator on the bundled "
          "traces and large.trace (chunks of 128 to 512 KiB). The same figures, and more, are "
          "in [results.csv](results.csv) and [results.json](results.json); the scaling series "
          "in [scaling.csv](scaling.csv) and [scaling-slopes.csv](scaling-slopes.csv). A pair "
          "that did not pass is red, with its message. Baselines (production allocators) are "
          "marked; their system calls and search steps are not counted (shown as &ndash;) and "
          "their footprint comes from their own statistics: see [the harness's "
          "docs](docs/harness.md).");
    /* The traces the time charts leave out (charts.h), named. */
    int first = 1;
    for (size_t t = 0; t < c->trace_count; t++) {
        if (c->traces[t].op_count >= CHARTS_MIN_TIMED_OPS)
            continue;
        fputs(first ? " The time charts leave out the traces under " CHARTS_MIN_TIMED_OPS_TEXT
                      " operations, whose ns/op is start-up noise: "
                    : ", ",
              out);
        report_html_text(out, c->traces[t].name);
        first = 0;
    }
    fputs(first ? "" : "; their times are here all the same.", out);
    fputs(" Click a column's header to sort by it.</p>\n"
          "<p id=\"filters\" hidden>Show only: allocator <input id=\"filter-allocator\" "
          "size=\"12\"> trace <input id=\"filter-trace\" size=\"16\"></p>\n", out);
    fputs("<table id=\"pairs\"><thead><tr><th>allocator</th><th>trace</th><th>status</th>"
          "<th>ops</th><th>ns/op (steady)</th><th>cold ns/op</th><th>util %</th>"
          "<th>peak footprint (KiB)</th><th>brk</th><th>mmap</th><th>munmap</th>"
          "<th>steps/malloc</th><th>steps/free</th></tr></thead>\n<tbody>\n", out);
    for (size_t i = 0; i < c->allocator_count * c->trace_count; i++) {
        const struct runner_pair *pair = &c->pairs[i];
        const struct replay_result *r = &pair->result;
        int ok = r->status == REPLAY_OK;
        int baseline = r->is_baseline;
        int counted = ok && !baseline; /* system calls and steps */
        fprintf(out, "<tr%s><td>", ok ? "" : " class=\"bad\"");
        report_html_text(out, pair->allocator);
        if (baseline)
            fputs(" <em>(baseline)</em>", out);
        fputs("</td><td>", out);
        report_html_text(out, pair->trace->name);
        fprintf(out, "</td><td>%s</td><td class=\"n\">%llu</td>", report_status_name(r->status),
                (unsigned long long)r->ops);
        number_cell(out, ok && c->repeat > 0 && r->ops > 0, "%.1f", r->ns_per_op);
        number_cell(out, ok && c->repeat > 0 && r->ops > 0, "%.1f", r->cold_ns_per_op);
        number_cell(out, ok, "%.1f", 100.0 * r->utilization);
        number_cell(out, ok, "%.1f", (double)r->peak_footprint_bytes / 1024.0);
        number_cell(out, counted, "%.0f", (double)r->brk_calls);
        number_cell(out, counted, "%.0f", (double)r->mmap_calls);
        number_cell(out, counted, "%.0f", (double)r->munmap_calls);
        number_cell(out, counted, "%.2f", r->steps_per_malloc);
        number_cell(out, counted, "%.2f", r->steps_per_free);
        fputs("</tr>\n", out);
        if (!ok) {
            fputs("<tr class=\"bad msg\"><td></td><td class=\"message\" colspan=\"12\">", out);
            report_html_text(out, r->message);
            fputs("</td></tr>\n", out);
        }
    }
    fputs("</tbody></table>\n", out);
    fputs(table_script, out);
}

/* ---- what the metrics mean ------------------------------------------------------------ */

static const char *const meanings[][2] = {
    {"ns/op", "Time per operation in steady state: in one fresh process, after a first "
              "(cold) replay, the trace is replayed --repeat more times without a reset (the "
              "blocks left live are freed, untimed, between replays); ns/op is the median of "
              "those replays, each timed as a whole between two clock reads, divided by the "
              "operations. Page faults count where the allocator takes them again (glibc's "
              "trim, mmap's munmap, minimal and pad never reusing memory)."},
    {"cold ns/op", "Time per operation of the cold replay: the first replay of a fresh "
                   "process, with the page faults of every first touch."},
    {"util %", "Utilization: peak live payload (the most bytes the trace held at once, as "
               "requested) / peak footprint. CMU Malloc Lab's measure; 100 % wastes nothing."},
    {"peak footprint", "The most memory the allocator held at once: heap extent plus mapped "
                       "bytes (whole pages), inside an operation too."},
    {"brk, mmap, munmap", "System calls the allocator made through the heap section."},
    {"steps/malloc, steps/free", "Chunks examined per call: free chunks malloc looked at to "
                                 "find a fit; chunks free looked at to find where the chunk "
                                 "goes or what it coalesces with."},
    {"Good, Bad", "The verdicts of the lecture's table, judged from these figures by "
                  "written rules with thresholds."},
};

static void meaning_section(FILE *out, const struct compare *c)
{
    fputs("<h2 id=\"meaning\">What the metrics mean</h2>\n<dl>\n", out);
    for (size_t i = 0; i < sizeof meanings / sizeof meanings[0]; i++) {
        fputs("<dt>", out);
        report_html_text(out, meanings[i][0]);
        fputs("</dt><dd>", out);
        report_html_text(out, meanings[i][1]);
        fputs("</dd>\n", out);
    }
    prose(out, c, "</dl>\n<p>The exact definitions: [the harness and its "
          "metrics](docs/harness.md); [the rules of the lecture's "
          "table](docs/lecture-table.md); [this report, file by file](docs/compare.md). The "
          "lecture's table as the program printed it, with every reason: "
          "[lecture-table.txt](lecture-table.txt).</p>\n");
}

/* ---- the page ----------------------------------------------------------------------------- */

int html_write_index(struct compare *c, const char *machine)
{
    FILE *out = compare_create(c, "index.html");
    if (out == NULL)
        return -1;
    fprintf(out, "<!DOCTYPE html>\n<html lang=\"en\">\n<head>\n<meta charset=\"utf-8\">\n"
                 "<title>dmm: the allocators compared</title>\n<style>\n%s</style>\n"
                 "</head>\n<body>\n<h1>dmm: the allocators compared</h1>\n<p class=\"meta\">",
            style);
    report_html_text(out, c->date);
    fputs(" &middot; ", out);
    const char *compiler = strstr(machine, "compiler: ");
    if (compiler != NULL) {
        char line[256];
        snprintf(line, sizeof line, "%.*s", (int)strcspn(compiler, "\n"), compiler);
        report_html_text(out, line);
        fputs(" &middot; ", out);
    }
    fprintf(out, "time: steady state, median of %u samples per pair &middot; "
                 "<a href=\"#machine\">machine</a></p>\n"
                 "<p><a href=\"#lecture\">The lecture's table</a> &middot; <a href=\"#charts\">"
                 "Charts</a> &middot; <a href=\"#metrics\">Every pair</a> &middot; "
                 "<a href=\"#meaning\">What the metrics mean</a></p>\n", c->repeat);
    lecture_section(out, c);
    charts_section(out, c);
    metrics_section(out, c);
    meaning_section(out, c);
    fputs("<h2 id=\"machine\">Machine</h2>\n<pre>", out);
    report_html_text(out, machine);
    prose(out, c, "</pre>\n<p class=\"meta\">Written by dmm-compare: "
          "[machine.txt](machine.txt).</p>\n</body>\n</html>\n");
    return compare_close(c, out, "index.html");
}
