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
 *                                        then the heap checker's walk, its
 *                                        chunks summed by kind (dmm.h)
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
#include <stdint.h>
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

/* What the walk reported, by kind (dmm.h), and the never-reused regions
 * (minimal's heap, pad's chunks below the pad) kept for split_never_reused. */
struct walk {
    struct peak_walk sums;
    struct region { uintptr_t start, end; } *regions;
    size_t region_count, region_slots;
    int out_of_memory;
};

static void add_chunk(const struct dmm_chunk_info *chunk, void *arg)
{
    struct walk *walk = arg;
    if (chunk->kind == DMM_CHUNK_METADATA) {
        walk->sums.metadata_bytes += chunk->size;
    } else if (chunk->kind == DMM_CHUNK_NEVER_REUSED) {
        walk->sums.never_reused_region_bytes += chunk->size;
        if (walk->region_count == walk->region_slots) {
            size_t slots = walk->region_slots != 0 ? 2 * walk->region_slots : 4;
            struct region *grown = realloc(walk->regions, slots * sizeof *grown);
            if (grown == NULL) {
                walk->out_of_memory = 1;
                return;
            }
            walk->regions = grown, walk->region_slots = slots;
        }
        uintptr_t start = (uintptr_t)chunk->start;
        walk->regions[walk->region_count++] = (struct region){start, start + chunk->size};
    } else if (chunk->is_free) {
        walk->sums.free_bytes += chunk->size;
    } else {
        walk->sums.allocated_bytes += chunk->size;
    }
}

static int compare_addresses(const void *a, const void *b)
{
    uintptr_t x = *(const uintptr_t *)a, y = *(const uintptr_t *)b;
    return (x > y) - (x < y);
}

/* A never-reused region holds chunks handed out one after the other, with
 * no header to say where each ends (dmm.h): a chunk runs from its block's
 * address to the next address ever handed out in the region, or to the
 * region's end. Sums the chunks of the blocks still live (live[0 .. count))
 * into sums->live_chunk_bytes; the rest of the region is never reused.
 * handed_out[0 .. handed) is every address returned up to the peak; sorted
 * here. */
static void split_never_reused(struct walk *walk, uintptr_t *handed_out, size_t handed,
                               const uintptr_t *live, size_t count)
{
    qsort(handed_out, handed, sizeof *handed_out, compare_addresses);
    for (size_t i = 0; i < count; i++)
        for (size_t r = 0; r < walk->region_count; r++) {
            const struct region *region = &walk->regions[r];
            if (live[i] < region->start || live[i] >= region->end)
                continue;
            /* the first address handed out above live[i] */
            size_t low = 0, high = handed;
            while (low < high) {
                size_t mid = low + (high - low) / 2;
                if (handed_out[mid] <= live[i])
                    low = mid + 1;
                else
                    high = mid;
            }
            uintptr_t end = low < handed && handed_out[low] < region->end ? handed_out[low]
                                                                          : region->end;
            walk->sums.live_chunk_bytes += end - live[i];
            break;
        }
}

/* Replays ops up to and including peak_op without checks, then walks. */
static void split_at_peak(const struct allocator_module *module, const struct trace *trace,
                          uint64_t peak_op, struct replay_result *result,
                          struct replay_progress *progress)
{
    size_t slots = trace->slot_count != 0 ? trace->slot_count : 1;
    void **ptrs = calloc(slots, sizeof *ptrs);
    size_t *sizes = calloc(slots, sizeof *sizes);
    uintptr_t *handed_out = calloc(peak_op != 0 ? peak_op : 1, sizeof *handed_out);
    uintptr_t *live = calloc(slots, sizeof *live);
    struct walk walk = {.regions = NULL};
    if (ptrs == NULL || sizes == NULL || handed_out == NULL || live == NULL) {
        free(ptrs), free(sizes), free(handed_out), free(live);
        replay_fail(module->reported_name, trace, trace->op_count, result,
                    "the harness ran out of memory");
        return;
    }
    module->reset();
    size_t payload = 0, handed = 0;
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
            if (p != NULL)
                handed_out[handed++] = (uintptr_t)p;
        }
    }
    size_t live_count = 0;
    for (size_t slot = 0; slot < slots; slot++)
        if (ptrs[slot] != NULL)
            live[live_count++] = (uintptr_t)ptrs[slot];
    free(ptrs), free(sizes);

    walk.sums.payload = payload;
    const char *problem = module->check(add_chunk, &walk);
    if (problem == NULL && !walk.out_of_memory)
        split_never_reused(&walk, handed_out, handed, live, live_count);
    free(handed_out), free(live), free(walk.regions);
    if (problem != NULL) {
        replay_fail(module->reported_name, trace, peak_op - 1, result,
                    "the heap checker says: %s", problem);
        return;
    }
    if (walk.out_of_memory) {
        replay_fail(module->reported_name, trace, trace->op_count, result,
                    "the harness ran out of memory");
        return;
    }
    measure_split_at_peak(result, &walk.sums);
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
