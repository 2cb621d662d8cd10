/*
 * checking.h — the checking pass: one replay of the trace through the
 * allocator, every block checked, stopping at the first thing wrong.
 *
 * Step of the data flow: trace file -> parse -> pair -> child process ->
 * [checking pass] -> timing -> result -> table/CSV/JSON.
 *
 * The pass returns what it found; the pair (replay.c) turns that into the
 * failure message (replay_fail) and the figures (measure.h). What it writes
 * as it goes (-v, --heap-map, --series, --heap-map-dir) goes through
 * output.h.
 */
#ifndef DMM_CHECKING_H
#define DMM_CHECKING_H

#include "footprint.h"
#include "replay.h"

#include <stddef.h>
#include <stdint.h>

struct checking_outcome {
    /* The first thing wrong, when checking_pass returned -1. */
    size_t failed_op;          /* index of the op to blame; trace->op_count: none */
    char what[400];            /* what was wrong, for replay_fail */

    /* What the pass counted (up to the failure, if any). */
    struct dmm_stats final;    /* the allocator's stats after the last op */
    struct footprint footprint;/* the harness's own account of the heap section
                                  (footprint.h); valid when ownership_checked */
    uint64_t peak_op;          /* 1-based op during which peak_footprint_bytes first
                                  reached its final value; 0 when it stayed 0 */
    size_t peak_live_bytes;    /* the largest sum of the live blocks' requested sizes */
    uint64_t max_steps_malloc; /* the largest increase of malloc_steps over one op */
    uint64_t max_steps_free;   /* and of free_steps */
    int ownership_checked;     /* 1: blocks were checked to lie in the allocator's memory */
};

/* Replays the whole trace from a reset allocator, checking every block,
 * and fills *found. Returns 0, or -1 after the first thing wrong
 * (found->failed_op and found->what say what). progress is kept up to date
 * op by op. The module's observer is left unset. */
int checking_pass(const struct allocator_module *module, const struct trace *trace,
               const struct replay_options *options, struct replay_progress *progress,
               struct checking_outcome *found);

#endif /* DMM_CHECKING_H */
