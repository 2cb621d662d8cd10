/*
 * output.h — what the checking pass writes as it goes: the -v lines and the
 * --heap-map rows on stdout, the time series (--series) and the heap map
 * CSV (--heap-map-dir). docs/harness.md gives each format.
 *
 * Step of the data flow: trace file -> parse -> pair -> child process ->
 * checking pass [writes these] -> timing -> result -> table/CSV/JSON.
 *
 * The checking pass (checking.c) tells it what happened, op by op; it decides
 * from the options what, if anything, to write. The text of an op and of a
 * heap map row comes from describe.h.
 */
#ifndef DMM_OUTPUT_H
#define DMM_OUTPUT_H

#include "describe.h"
#include "replay.h"

#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

struct check_output {
    const struct allocator_module *module;
    const struct trace *trace;
    const struct replay_options *options;
    FILE *series;            /* the time series, or NULL */
    size_t series_stride;    /* ops between two rows */
    FILE *map_csv;           /* --heap-map-dir: the CSV, written at the end; or NULL */
    FILE *map_records;       /* the walks so far, as struct map_record (a temporary file) */
    uintptr_t map_lowest;    /* the lowest chunk address walked so far */
    int map_write_failed;    /* a record could not be written */
    struct describe_row row; /* --heap-map: the walk in progress */
    uint64_t step;           /* the 1-based op after which that walk runs */
};

/* --series writes DIR/ALLOCATOR--TRACE.csv per pair, --heap-map-dir
 * DIR/ALLOCATOR.csv per allocator: returns 0 when no two pairs of the run
 * would write the same file, or -1 with the clash named in error (two
 * traces of one name, an allocator named twice, --heap-map-dir with
 * several traces). Two module paths whose dmm_name() is the same cannot be
 * seen before they are loaded. For a tool to call before anything runs. */
int output_find_clash(const struct replay_options *options, const char *const *allocators,
                      size_t allocator_count, const struct trace *traces, size_t trace_count,
                      char *error, size_t error_size);

/* Opens what the options ask for. *out must be zeroed first (then
 * output_close is safe whether or not this was called). Returns 0, or -1
 * with what went wrong in error. */
int output_open(struct check_output *out, const struct allocator_module *module,
                const struct trace *trace, const struct replay_options *options, char *error,
                size_t error_size);

/* Op i has returned p (old: the block it was given): the -v line. */
void output_op(struct check_output *out, size_t i, const void *old, const void *p);

/* After op i: the allocator's live bytes and footprint, for the series. */
void output_sample(struct check_output *out, size_t i, size_t live_bytes,
                   size_t footprint_bytes);

/* 1 when the heap checker must run after every op (--heap-map,
 * --heap-map-dir). */
int output_wants_every_walk(const struct check_output *out);

/* The heap checker is about to walk after op i (i = 0 for a trace with no
 * op): returns the visitor to give it, with out as its argument, or NULL
 * when nothing is drawn or kept. output_walk_end after the walk. */
dmm_visit_fn *output_walk_start(struct check_output *out, size_t i);
/* problem: what the checker returned (NULL: the heap is sound). A failing
 * walk still shows the chunks it reached before it stopped. */
void output_walk_end(struct check_output *out, const char *problem);

/* Closes everything, writing the heap map CSV (the walks up to a failure
 * are written too: they show what broke). Returns 0, or -1 with the first
 * thing that failed in error. */
int output_close(struct check_output *out, char *error, size_t error_size);

#endif /* DMM_OUTPUT_H */
