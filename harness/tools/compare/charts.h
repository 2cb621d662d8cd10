/*
 * charts.h — what dmm-compare's chart data and its page agree on
 * (compare_files.c writes the data, html.c captions the charts).
 *
 * A trace of fewer than CHARTS_MIN_TIMED_OPS operations is left out of the
 * time charts (time-wide.csv, cold-wide.csv, time-summary.csv,
 * time-traces.csv); its times stay in results.csv and on the page's table.
 * Why 1000: ns/op is one replay's time divided by its operations, and one
 * slow call in a replay (a system call, a page fault, an interrupt: from
 * about 0.4 us, minimal's brk, to several us, mmap's map, fault and unmap,
 * on this machine) adds a few ns/op at most at 1000 operations, within the
 * run-to-run spread of the figure (about 20 % on a 2-core machine), but 15
 * to several hundred ns/op at the 10 to 29 operations of lecture-demo,
 * cmu-format and edge-cases, as much as the operations themselves or more. Measured (plots/README.md): over eight runs the
 * coefficient of variation of ns/op reached 0.79 and 0.84 on cmu-format and
 * edge-cases, against 0.27 at most on the longer traces.
 */
#ifndef DMM_CHARTS_H
#define DMM_CHARTS_H

#define CHARTS_MIN_TIMED_OPS 1000

/* The same as text, for captions. */
#define CHARTS_MIN_TIMED_OPS_TEXT "1000"

#endif
