/*
 * replay.c — one pair (one allocator x one trace) inside its child
 * process: the checking pass, the replay up to the peak footprint that
 * splits it, and the one shape of every failure message (replay.h).
 *
 * Step of the data flow: trace file -> parse -> [pair] -> child process ->
 * checking pass -> timing -> result -> table/CSV/JSON.
 *
 *   replay_pair:  measure_start          the op counts
 *                 checking_pass          every block checked (checking.c)
 *                 measure_checking_pass  space, system calls, steps
 *                 split_at_peak          the trace again, up to the peak op,
 *                                        then the heap checker's walk
 *                 measure_split_at_peak  where the peak's bytes went
 *
 * The peak op is the op during which peak_footprint_bytes first reached its
 * final value. The allocators are deterministic, so replaying from a reset
 * allocator up to and including that op, without checks, rebuilds the
 * allocator state of the peak, and the walk sorts its bytes. measure.c
 * says what each figure means; the timing runs are timing.c's, each in a
 * process of its own.
 */
#define _POSIX_C_SOURCE 200809L

#include "replay.h"

#include "checking.h"
#include "describe.h"
#include "measure.h"

#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>

/* ---- the failure message --------------------------------------------------- */

void replay_fail(const char *allocator, const struct trace *trace, size_t op_index,
                 struct replay_result *result, const char *what, ...)
{
    char where[160] = "";
    if (op_index < trace->op_count) {
        const struct trace_op *op = &trace->ops[op_index];
        char desc[96];
        describe_op(desc, sizeof desc, op, trace_id_of(trace, op));
        snprintf(where, sizeof where, " line %lu, op #%zu (%s)", (unsigned long)op->line,
                 op_index + 1, desc);
        result->last_op = op_index + 1;
        result->last_line = op->line;
    }
    int n = snprintf(result->message, sizeof result->message, "%s on %s%s: ", allocator,
                     trace->name, where);
    if (n >= 0 && (size_t)n < sizeof result->message) {
        va_list args;
        va_start(args, what);
        vsnprintf(result->message + n, sizeof result->message - (size_t)n, what, args);
        va_end(args);
    }
    result->status = REPLAY_FAIL;
}

/* ---- the split at the peak ----------------------------------------------------- */

struct walk {
    size_t allocated_bytes; /* sizes of the allocated chunks */
    size_t free_bytes;      /* sizes of the free chunks */
};

static void add_chunk(const struct dmm_chunk_info *chunk, void *arg)
{
    struct walk *walk = arg;
    if (chunk->is_free)
        walk->free_bytes += chunk->size;
    else
        walk->allocated_bytes += chunk->size;
}

/* Replays ops up to and including peak_op without checks, then walks. */
static void split_at_peak(const struct allocator_module *module, const struct trace *trace,
                          uint64_t peak_op, struct replay_result *result,
                          struct replay_progress *progress)
{
    size_t slots = trace->slot_count != 0 ? trace->slot_count : 1;
    void **ptrs = calloc(slots, sizeof *ptrs);
    size_t *sizes = calloc(slots, sizeof *sizes);
    if (ptrs == NULL || sizes == NULL) {
        free(ptrs), free(sizes);
        replay_fail(module->reported_name, trace, trace->op_count, result,
                    "the harness ran out of memory");
        return;
    }
    module->reset();
    size_t payload = 0;
    for (size_t i = 0; i < peak_op; i++) {
        const struct trace_op *op = &trace->ops[i];
        progress->timing = 0;
        progress->line = op->line;
        progress->op = i + 1;
        size_t slot = op->slot;
        void *p = slot == TRACE_NO_SLOT ? NULL : ptrs[slot];
        if (p != NULL) /* freed, reallocated, or (a, c) leaked as in the checking pass */
            payload -= sizes[slot];
        p = module_call(module, op, p);
        if (slot != TRACE_NO_SLOT) {
            ptrs[slot] = p;
            sizes[slot] = p == NULL ? 0 : op->kind == 'c' ? op->nmemb * op->size : op->size;
            payload += sizes[slot];
        }
    }
    free(ptrs), free(sizes);

    struct walk walk = {0, 0};
    const char *problem = module->check(add_chunk, &walk);
    if (problem != NULL) {
        replay_fail(module->reported_name, trace, peak_op - 1, result,
                    "the heap checker says: %s", problem);
        return;
    }
    measure_split_at_peak(result, payload, walk.allocated_bytes, walk.free_bytes);
}

/* ---- the pair ------------------------------------------------------------------------ */

void replay_pair(const struct allocator_module *module, const struct trace *trace,
                 const struct replay_options *options, struct replay_result *result,
                 struct replay_progress *progress)
{
    struct replay_progress unwatched = {0, 0, 0};
    if (progress == NULL)
        progress = &unwatched;
    measure_start(result, trace);

    struct checking_outcome found;
    int failed = checking_pass(module, trace, options, progress, &found);
    measure_checking_pass(result, &found);
    if (failed)
        replay_fail(module->reported_name, trace, found.failed_op, result, "%s", found.what);
    else if (found.peak_op != 0 && !options->checked) /* checked: the peak is the guarded one */
        split_at_peak(module, trace, found.peak_op, result, progress);
    if (result->status != REPLAY_OK)
        measure_failed(result);
    module->reset();
}
