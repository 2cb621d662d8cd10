/*
 * replay_internal.h — what replay.c (the pair: timing, the split at the
 * peak, the figures) and check.c (the checking pass) share. Not part of
 * the harness's interface: only these two files include it.
 */
#ifndef DMM_REPLAY_INTERNAL_H
#define DMM_REPLAY_INTERNAL_H

#include "replay.h"

#include <stddef.h>
#include <stdint.h>

/* What the checking pass leaves behind for the rest of the pair. */
struct check_outcome {
    struct dmm_stats final;  /* the allocator's stats after the last operation */
    uint64_t peak_op;        /* 1-based op during which peak_footprint_bytes first
                                reached its final value; 0 when it stayed 0 */
};

/* The checking pass (check.c): replays the whole trace from a reset
 * allocator, checking every block, and measures what needs no timing:
 * peak_live_bytes, max_steps_malloc, max_steps_free, ownership_checked (in
 * *result), and writes the time series. Returns 0, or -1 after the first
 * failure with result->status REPLAY_FAIL, message, last_op and last_line
 * set. The module's observer is left unset. */
int replay_check_pass(const struct allocator_module *module, const struct trace *trace,
                      const struct replay_options *options, struct replay_result *result,
                      struct replay_progress *progress, struct check_outcome *outcome);

#endif /* DMM_REPLAY_INTERNAL_H */
