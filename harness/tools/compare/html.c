/*
 * html.c — dmm-compare's index.html (compare.h): one page that opens from
 * the file system with nothing else: inline CSS, no script, no font or
 * link outside the report folder. Every link is relative to the report
 * (the charts, the CSV files, docs/ — compare copies the docs there), and
 * every string from outside (names, messages, machine.txt) is escaped.
 *
 * The sections: the lecture's table as measured, with the lecture's row and
 * the reason of each verdict; the charts (a chart that was not drawn says
 * so instead of showing a broken image); every pair's figures; what the
 * metrics mean; the machine.
 */
#define _POSIX_C_SOURCE 200809L /* glob */

#include "compare.h"

#include "lecture_table.h"
#include "report.h"

#include <glob.h>
#include <math.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>


/* The charts the plots/ scripts draw, in the page's order; heapmap-NAME
 * follow, one per heap allocator, then any other chart found. */
static const struct chart {
    const char *name;    /* NAME.png and NAME.svg in the report */
    const char *title;
    const char *caption; /* what to look at */
} charts[] = {
    {"time", "Time per operation, steady state",
     "ns per operation for each trace, one bar per allocator, log scale: the median of the "
     "replays that follow a first one in the same process, the allocator keeping what the "
     "replay before left it (no reset). An allocator that gives memory back or never "
     "reuses it pays its page faults again in every replay: that is its real cost."},
    {"cold", "Time per operation, cold start",
     "ns per operation of the first replay in a fresh process, one bar per allocator, log "
     "scale: every page is touched for the first time, so page faults (a few microseconds "
     "each) dominate. Where minimal, pad and mmap stand apart from the others, that is "
     "the lesson: a fresh page costs more than any search."},
    {"space-utilization", "Utilization",
     "Peak live payload / peak footprint, per trace: 100 % wastes nothing."},
    {"space-footprint", "Peak footprint against peak live payload",
     "Each point is one trace; the diagonal is a footprint equal to the payload."},
    {"fragmentation-gcc-cc1", "Footprint over time: gcc's compiler (recorded)",
     "Footprint and live payload over the operations of a real compile: the gap is waste."},
    {"fragmentation-sqlite-insert", "Footprint over time: sqlite3 (recorded)",
     "Footprint and live payload over the operations of a real database run."},
    {"fragmentation-python-dict", "Footprint over time: python3 (recorded)",
     "Footprint and live payload over the operations of a real interpreter run."},
    {"fragmentation-random-random", "Footprint over time: random-random",
     "Footprint and live payload over the operations of the trace."},
    {"fragmentation-realloc-growth", "Footprint over time: realloc-growth",
     "Footprint and live payload over the operations of the trace."},
    {"scaling", "Cost against the number of live blocks",
     "malloc and free in ns and in search steps, log-log: a slope of 1 is linear growth."},
    {"syscalls", "System calls",
     "brk, mmap and munmap calls over the bundled traces."},
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
    "padding:.8em;overflow-x:auto}\n";

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

static void verdict_cell(FILE *out, const char *measured, const char *lecture, const char *why)
{
    int differs = lecture != NULL && strcmp(measured, lecture) != 0;
    fprintf(out, "<td%s><span class=\"%s\">", differs ? " class=\"differs\"" : "",
            verdict_class(measured));
    report_html_text(out, measured);
    fputs("</span><br><small>lecture: ", out);
    report_html_text(out, lecture != NULL ? lecture : "(no row)");
    fputs("<br>", out);
    report_html_text(out, why);
    fputs("</small></td>", out);
}

static void lecture_section(FILE *out, const struct compare *c)
{
    prose(out, c, "<h2 id=\"lecture\">The lecture's table, measured</h2>\n"
          "<p>Each verdict comes from the measurements of this run by the rules of "
          "[docs/lecture-table.md](docs/lecture-table.md), never from an allocator's name. "
          "Under each verdict: the lecture's, and the figures behind the measured one. A "
          "yellow cell differs from the lecture.</p>\n");
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
        fputs("<tr><th>", out);
        report_html_text(out, row->allocator);
        fputs("</th>", out);
        verdict_cell(out, row->space, lecture[0], row->space_why);
        verdict_cell(out, row->malloc_time, lecture[1], row->malloc_why);
        verdict_cell(out, row->free_time, lecture[2], row->free_why);
        fputs("</tr>\n", out);
    }
    fputs("</table>\n", out);
}

/* ---- the charts ----------------------------------------------------------------- */

static void figure(FILE *out, const struct compare *c, const char *name, const char *title,
                   const char *caption)
{
    char png[COMPARE_PATH_BYTES], svg[COMPARE_PATH_BYTES];
    snprintf(png, sizeof png, "%s.png", name);
    snprintf(svg, sizeof svg, "%s.svg", name);
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
    fputs(".</b> ", out);
    report_html_text(out, caption);
    if (exists(c, svg)) {
        fputs(" (", out);
        link_to(out, c, svg, "SVG");
        fputs(")", out);
    }
    fputs("</figcaption></figure>\n", out);
}

/* 1 when the chart NAME is one of the known ones or a heap map of ours. */
static int known_chart(const struct compare *c, const char *name)
{
    for (size_t i = 0; i < CHART_COUNT; i++)
        if (strcmp(name, charts[i].name) == 0)
            return 1;
    for (size_t a = 0; a < c->allocator_count; a++)
        if (strncmp(name, "heapmap-", 8) == 0 && strcmp(name + 8, c->names[a]) == 0)
            return 1;
    return 0;
}

static void charts_section(FILE *out, const struct compare *c)
{
    fputs("<h2 id=\"charts\">Charts</h2>\n<p>Click a chart for its SVG. Each is drawn by a "
          "script in <code>plots/</code> from the CSV files here; docs/compare.md says how "
          "to redraw one by hand.</p>\n", out);
    for (size_t i = 0; i < CHART_COUNT; i++)
        figure(out, c, charts[i].name, charts[i].title, charts[i].caption);

    /* A heap map for each allocator with a heap (its demo moved the break). */
    for (size_t a = 0; a < c->allocator_count; a++) {
        if (!compare_draws_heap_map(c, a))
            continue;
        char name[COMPARE_PATH_BYTES], title[COMPARE_PATH_BYTES];
        snprintf(name, sizeof name, "heapmap-%s", c->names[a]);
        snprintf(title, sizeof title, "Heap map: %s", c->names[a]);
        figure(out, c, name, title,
               "The lecture's demo step by step: one row per operation, the chunks along the "
               "address axis, allocated and free, headers and footers darker.");
    }

    /* Charts a newer script draws that this page does not know by name. */
    glob_t found = {0};
    char pattern[COMPARE_PATH_BYTES];
    snprintf(pattern, sizeof pattern, "%s/*.png", c->report);
    if (glob(pattern, 0, NULL, &found) == 0)
        for (size_t i = 0; i < found.gl_pathc; i++) {
            char name[COMPARE_PATH_BYTES];
            snprintf(name, sizeof name, "%s", strrchr(found.gl_pathv[i], '/') + 1);
            name[strlen(name) - 4] = '\0'; /* ".png" */
            if (!known_chart(c, name))
                figure(out, c, name, name, "");
        }
    globfree(&found);
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

static void metrics_section(FILE *out, const struct compare *c)
{
    prose(out, c, "<h2 id=\"metrics\">Every pair</h2>\n<p>Every allocator on the bundled "
          "traces and large.trace (chunks of 128 to 512 KiB). The same figures, and more, are "
          "in [results.csv](results.csv) and [results.json](results.json); the scaling series "
          "in [scaling.csv](scaling.csv) and [scaling-slopes.csv](scaling-slopes.csv). A pair "
          "that did not pass is red, with its message. Baselines (production allocators) are "
          "marked; their system calls and search steps are not counted (shown as &ndash;) and "
          "their footprint comes from their own statistics: see [the harness's "
          "docs](docs/harness.md).</p>\n");
    fputs("<table><tr><th>allocator</th><th>trace</th><th>status</th><th>ops</th>"
          "<th>ns/op (steady)</th><th>cold ns/op</th><th>util %</th><th>peak footprint (KiB)</th><th>brk</th>"
          "<th>mmap</th><th>munmap</th><th>steps/malloc</th><th>steps/free</th></tr>\n", out);
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
            fputs("<tr class=\"bad\"><td></td><td class=\"message\" colspan=\"12\">", out);
            report_html_text(out, r->message);
            fputs("</td></tr>\n", out);
        }
    }
    fputs("</table>\n", out);
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
