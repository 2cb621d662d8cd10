/*
 * timing.h — the runs of a pair that drive the allocator without checks:
 * the timing run, and a baseline's footprint run.
 *
 * Step of the data flow: trace file -> parse -> pair -> child process ->
 * checking pass -> [timing] -> result -> table/CSV/JSON.
 *
 * The runner calls each in a fresh process of its own (timing.c says why);
 * what a run hands back is raw: measure.h turns it into the figures of
 * struct replay_result.
 */
#ifndef DMM_TIMING_H
#define DMM_TIMING_H

#include "replay.h"

#include <stdint.h>

/* One steady replay pair: a whole-loop replay and a per-call replay, each
 * after the leftovers of the replay before were freed. */
struct timing_steady {
    double loop_ns;                /* a whole-loop replay, between two clock reads (the mean
                                      over the sample's replays: timing.c, MIN_SAMPLE_NS) */
    uint64_t minor_faults;         /* during one such replay (mean, rounded up) */
    double kind_ns[TRACE_KINDS];   /* a per-call replay: time per kind, clock cost subtracted */
};

/* The timing run of a pair: one fresh process, one thread. */
struct timing_run {
    double cold_ns;                /* the first replay of the fresh process (whole loop) */
    uint64_t cold_minor_faults;    /* during it: first touches of fresh pages */
    unsigned steady_count;         /* K = --repeat */
    struct timing_steady steady[REPLAY_MAX_REPEAT];
};

/* The timing run, on a new thread (so that glibc gives it a fresh arena):
 * the cold replay, then `repeat` steady replay pairs (timing.c). Returns 0,
 * or -1 when no memory or thread could be had. */
int timing_replay(const struct allocator_module *module, const struct trace *trace,
                  unsigned repeat, struct replay_progress *progress, struct timing_run *run);

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
