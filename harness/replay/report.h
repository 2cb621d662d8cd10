/*
 * report.h — what dmm-replay prints: the table on stdout, and the same
 * results as CSV and JSON for plots and grading scripts.
 *
 * Step of the data flow: trace file -> parse -> pair -> child process ->
 * checking pass -> timing -> result -> [table/CSV/JSON].
 *
 * The CSV and JSON carry the same keys, in this order (docs/harness.md
 * defines each):
 *   allocator, trace, status, ops, ns_per_op, malloc_ns, calloc_ns,
 *   realloc_ns, free_ns, kops_per_sec, peak_live_bytes,
 *   peak_footprint_bytes, peak_heap_bytes, peak_mapped_bytes, utilization,
 *   at_peak_payload, at_peak_internal, at_peak_external, brk_calls,
 *   mmap_calls, munmap_calls, steps_per_malloc, steps_per_free,
 *   max_steps_malloc, max_steps_free, minor_faults, message, ns_per_op_min,
 *   ns_per_op_max, cold_ns_per_op, steady_minor_faults, instr_per_op,
 *   at_peak_metadata, at_peak_never_reused, at_peak_unwalked
 * (the at_peak_* columns split the peak footprint and add up to it:
 * measure.c; the last three came later and were appended, so that every
 * earlier column keeps its place)
 * (the time columns: steady state but for cold_ns_per_op and minor_faults,
 * the cold first replay of a fresh process; timing.c)
 * A pair that is not ok has only ops and message: its measurements stop
 * where it went wrong, so none is reported (empty in CSV, null in JSON).
 * Without timing runs (--repeat 0) the timing fields are empty too.
 * instr_per_op is empty unless --cost instructions counted the pair
 * (instructions.h).
 */
#ifndef DMM_REPORT_H
#define DMM_REPORT_H

#include "runner.h"

#include <stddef.h>
#include <stdio.h>

/* "ok", "fail", "crash", "timeout". */
const char *report_status_name(enum replay_status status);

/* timed: the pairs ran timing runs (--repeat > 0). */
void report_table(FILE *out, const struct runner_pair *pairs, size_t count, int timed);

/* The CSV (header row first, RFC 4180 quoting) and the JSON
 * ({"runs":[{...},...]}). Return 0, or -1 if writing failed (errno set). */
int report_csv(FILE *out, const struct runner_pair *pairs, size_t count, int timed);
int report_json(FILE *out, const struct runner_pair *pairs, size_t count, int timed);

/* Creates the folder and any missing parents, like mkdir -p. Returns 0, or
 * -1 with "PATH: reason" in error. */
int report_make_dir(const char *path, char *error, size_t error_size);

/* One CSV field, RFC 4180: a field with a comma, a quote or a line end goes
 * in quotes, its quotes doubled. Every CSV file of the harness uses it. */
void report_csv_text(FILE *out, const char *text);

/* Text in an HTML page: & < > " ' as entities (in a body or in a quoted
 * attribute alike). The report's index.html and dmm-grade's feedback. */
void report_html_text(FILE *out, const char *text);

#endif /* DMM_REPORT_H */
