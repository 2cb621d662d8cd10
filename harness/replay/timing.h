/*
 * timing.h — the runs of a pair that drive the allocator without checks:
 * the timing runs, and a baseline's footprint run.
 *
 * Step of the data flow: trace file -> parse -> pair -> child process ->
 * checking pass -> [timing] -> result -> table/CSV/JSON.
 *
 * The runner calls each in a fresh process of its own (timing.c says why);
 * what a run hands back is raw: measure.h turns the runs into the figures
 * of struct replay_result.
 */
#ifndef DMM_TIMING_H
#define DMM_TIMING_H

#include "replay.h"

#include <stdint.h>

/* One timing run: a whole-loop replay and a per-call replay. */
struct timing_run {
    double loop_ns;                /* the whole-loop replay, between two clock reads */
    double kind_ns[TRACE_KINDS];   /* per-call replay: time per kind, clock cost subtracted */
    uint64_t minor_faults;         /* during the whole-loop replay */
};

/* One timing run, on a new thread (so that glibc gives it a fresh arena).
 * Returns 0, or -1 when no memory or thread could be had. */
int timing_replay(const struct allocator_module *module, const struct trace *trace,
                  struct replay_progress *progress, struct timing_run *run);

/* For a baseline (module->footprint_method set): replays the trace once
 * more, on a new thread, with no harness allocation between its calls, and
 * reads the allocator's own statistics after every op; *stats is what they
 * say at the end (their peak is the baseline's peak footprint). Returns 0
 * or -1 as above. */
int timing_footprint(const struct allocator_module *module, const struct trace *trace,
                     struct replay_progress *progress, struct dmm_stats *stats);

/* The cost of an empty pair of clock_gettime(CLOCK_MONOTONIC) reads, in ns:
 * the median of 1000 pairs, measured at the first call. */
double timing_clock_overhead_ns(void);

#endif /* DMM_TIMING_H */
