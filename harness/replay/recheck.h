/*
 * recheck.h — after a pair fails, a second checking pass with the heap
 * checker after every operation, to name the first operation after which
 * the heap was already broken.
 *
 * Step of the data flow: trace file -> parse -> pair -> child process ->
 * checking pass [failed: once more, checked after every op] -> result.
 *
 * Why: by default the allocator's checker runs only after the last
 * operation, so a header broken at op #17 of a 10,000-op trace is reported
 * at op #10,000 (or as a crash somewhere later). A student's next step is
 * always `--check-every 1`; the runner (runner.c) and `dmm-replay
 * --foreground` take it for them, and the message gets both answers:
 *
 *   mine on t line 10001, op #10000 (free id 3): the heap checker says: X;
 *   re-run with a check after every operation: the first failure is at
 *   line 23, op #17 (free id 4): the heap checker says: X
 *
 * Bounded: the re-run replays only the ops up to the one that failed (it
 * cannot fail later than that), and the runner gives it what is left of
 * the pair's timeout. It is skipped when the first pass already checked
 * after every op (--check-every 1, --checked, --heap-map, --heap-map-dir)
 * or timed out, when the failure was at op #1 (nothing is earlier), and
 * when it blames no op (dmm_stats compared with the heap section at the
 * end: the heap checker has nothing to say about that).
 */
#ifndef DMM_RECHECK_H
#define DMM_RECHECK_H

#include "replay.h"
#include "trace.h"

/* What a crash's message adds (runner_lost.c); recheck_merge drops it when
 * the message is short of room for the re-run's sentence. */
#define RECHECK_GDB_HINT " (dmm-replay --foreground runs it under gdb: docs/debugging.md)"

/* 1 when a pair whose checking pass gave *first (not a module that failed
 * to load: the caller knows that) is worth a re-run. */
int recheck_wanted(const struct replay_options *options, const struct trace *trace,
                   const struct replay_result *first);

/* The re-run's trace: a copy of *trace that ends with the op that failed
 * (its arrays shared, nothing allocated; never trace_free it), and its
 * options: a check after every op, nothing printed or written. */
void recheck_prepare(const struct trace *trace, const struct replay_result *first,
                     const struct replay_options *options, struct trace *view,
                     struct replay_options *again_options);

/* Appends what the re-run (*again, on the view; any status) found to
 * first->message. timeout_seconds: what the re-run was given (for a
 * re-run that ran out of time). */
void recheck_merge(struct replay_result *first, const struct replay_result *again,
                   const struct trace *view, double timeout_seconds);

#endif /* DMM_RECHECK_H */
