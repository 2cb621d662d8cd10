/*
 * measure.h — the only code that turns what a pair's runs counted into the
 * figures of struct replay_result (measure.c defines each one exactly).
 *
 * Step of the data flow: trace file -> parse -> pair -> child process ->
 * checking pass -> timing -> [result] -> table/CSV/JSON.
 *
 * The pair (replay.c) calls the first four in the child that ran the
 * checking pass; the runner (runner.c) calls the last two in the parent,
 * with what the footprint run and the timing run handed back.
 */
#ifndef DMM_MEASURE_H
#define DMM_MEASURE_H

#include "checking.h"
#include "replay.h"
#include "timing.h"

#include <stddef.h>

/* The median of values[0 .. count), which it sorts in place: the middle
 * value, the mean of the two middle ones for an even count, NAN for none.
 * Every median of the harness and of dmm-compare is this one. */
double measure_median(double *values, size_t count);

/* A result for trace before anything ran: status OK, the op counts. */
void measure_start(struct replay_result *result, const struct trace *trace);

/* What the checking pass found: space, system calls, steps, ownership. */
void measure_checking_pass(struct replay_result *result, const struct checking_outcome *found);

/* What the replay up to the peak op and the heap checker's walk after it
 * found, summed by the chunk kinds of dmm.h (replay.c fills it). */
struct peak_walk {
    size_t payload;                   /* requested bytes of the blocks live after the op */
    size_t allocated_bytes;           /* allocated chunks (DMM_CHUNK_BLOCK, not free) */
    size_t free_bytes;                /* free chunks (DMM_CHUNK_BLOCK, free), the pad too */
    size_t metadata_bytes;            /* DMM_CHUNK_METADATA */
    size_t never_reused_region_bytes; /* DMM_CHUNK_NEVER_REUSED, live blocks and all */
    size_t live_chunk_bytes;          /* the chunks of the live blocks in those regions */
};

/* The split of the peak footprint (measure.c defines each part). */
void measure_split_at_peak(struct replay_result *result, const struct peak_walk *walk);

/* A failed pair keeps only status, message, the op counts, ownership and
 * where it stopped: every figure goes back to 0. */
void measure_failed(struct replay_result *result);

/* A baseline's footprint by its own statistics (timing_footprint), in
 * place of the checking pass's; its at-peak split becomes unknown. */
void measure_baseline_footprint(struct replay_result *result, const struct dmm_stats *stats);

/* The timing figures of the timing run: the cold replay's, and medians,
 * min and max over its steady replays (1 .. REPLAY_MAX_REPEAT of them). */
void measure_timing(struct replay_result *result, const struct timing_run *run);

#endif /* DMM_MEASURE_H */
