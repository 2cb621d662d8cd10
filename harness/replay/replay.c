/*
 * replay.c — one (allocator, trace) pair: the checking pass (check.c), the
 * split of the peak footprint, the timing passes, and the figures.
 *
 * What every figure of struct replay_result means, exactly:
 *
 *   From the checking pass (one replay from a reset allocator):
 *     peak_live_bytes       the largest sum, after any op, of the requested
 *                           sizes of the live blocks (calloc: nmemb * size)
 *     peak_footprint_bytes, peak_heap_bytes, peak_mapped_bytes,
 *     brk_calls, mmap_calls, munmap_calls
 *                           dmm_stats after the last op (the heap section
 *                           records the peak inside an op too)
 *     utilization           peak_live_bytes / peak_footprint_bytes; 0 when
 *                           the footprint stayed 0
 *     steps_per_malloc      malloc_steps / malloc_calls after the last op
 *     steps_per_free        free_steps / free_calls after the last op
 *                           (the mallocs and frees inside calloc and realloc
 *                           count, as dmm_stats counts them; 0 when no call)
 *     max_steps_malloc      the largest increase of malloc_steps over one
 *                           op of the trace (a, c or r)
 *     max_steps_free        the largest increase of free_steps over one op
 *                           (f, or the free inside an r)
 *
 *   The split at the peak. The peak op is the op during which
 *   peak_footprint_bytes first reached its final value. The trace is
 *   replayed again, without checks, from a reset allocator up to and
 *   including that op (the allocators are deterministic), and the heap
 *   checker walks the heap:
 *     at_peak_payload       requested bytes of the blocks live after the peak op
 *     at_peak_overhead      bytes of the allocated chunks the walk reports,
 *                           minus at_peak_payload: headers, footers, rounding,
 *                           and for allocators that never reuse (minimal, pad)
 *                           the freed blocks still inside their chunk
 *     at_peak_free          bytes of the free chunks the walk reports (pad's pad)
 *     at_peak_unwalked      peak_footprint_bytes minus the three above: bytes
 *                           no chunk of the walk covers, and, when the peak was
 *                           only reached inside the op (a realloc that holds
 *                           old and new chunk at once), the bytes given back
 *                           before the op returned
 *   so payload + overhead + free + unwalked == peak_footprint_bytes (the
 *   subtractions saturate at 0 for a walk that reports more than is there).
 *
 *   The timing figures come from timing.c, in processes of their own.
 *
 * When the pair fails, only status, message, last_op, last_line, the op
 * counts and ownership_checked are filled; the figures stay 0.
 */
#define _POSIX_C_SOURCE 200809L

#include "replay_internal.h"

#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>


enum op_kind { KIND_MALLOC, KIND_CALLOC, KIND_REALLOC, KIND_FREE, KINDS };

static enum op_kind kind_of(const struct trace_op *op)
{
    switch (op->kind) {
    case 'a': return KIND_MALLOC;
    case 'c': return KIND_CALLOC;
    case 'r': return KIND_REALLOC;
    default: return KIND_FREE;
    }
}

/* ---- the failure message --------------------------------------------------- */

void replay_fail(const char *allocator, const struct trace *trace, size_t op_index,
                 struct replay_result *result, const char *what, ...)
{
    char where[160] = "";
    if (op_index < trace->op_count) {
        const struct trace_op *op = &trace->ops[op_index];
        unsigned long long id = op->slot == TRACE_NO_SLOT ? 0 : trace->slot_ids[op->slot];
        char desc[96];
        if (op->kind == 'a')
            snprintf(desc, sizeof desc, "malloc id %llu, %zu bytes", id, op->size);
        else if (op->kind == 'c')
            snprintf(desc, sizeof desc, "calloc id %llu, %zu x %zu bytes", id, op->nmemb,
                     op->size);
        else if (op->kind == 'r')
            snprintf(desc, sizeof desc, "realloc id %llu, %zu bytes", id, op->size);
        else if (op->slot == TRACE_NO_SLOT)
            snprintf(desc, sizeof desc, "free NULL");
        else
            snprintf(desc, sizeof desc, "free id %llu", id);
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

static size_t minus(size_t a, size_t b)
{
    return a > b ? a - b : 0;
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
        replay_fail(module->reported_name, trace, trace->op_count, result, "the harness ran out of memory");
        return;
    }
    module->reset();
    size_t payload = 0;
    for (size_t i = 0; i < peak_op; i++) {
        const struct trace_op *op = &trace->ops[i];
        progress->timing = 0;
        progress->line = op->line;
        progress->op = i + 1;
        size_t slot = op->slot, bytes = op->size;
        void *p = slot == TRACE_NO_SLOT ? NULL : ptrs[slot];
        if (p != NULL) /* freed, reallocated, or (a, c) leaked as in the checking pass */
            payload -= sizes[slot];
        if (op->kind == 'a')
            p = module->malloc(op->size);
        else if (op->kind == 'c')
            p = module->calloc(op->nmemb, op->size), bytes = op->nmemb * op->size;
        else if (op->kind == 'r')
            p = module->realloc(p, op->size);
        else
            module->free(p), p = NULL;
        if (slot != TRACE_NO_SLOT) {
            ptrs[slot] = p;
            sizes[slot] = p != NULL ? bytes : 0;
            payload += sizes[slot];
        }
    }
    free(ptrs), free(sizes);

    struct walk walk = {0, 0};
    const char *problem = module->check(add_chunk, &walk);
    if (problem != NULL) {
        replay_fail(module->reported_name, trace, peak_op - 1, result, "the heap checker says: %s", problem);
        return;
    }
    result->at_peak_payload = payload;
    result->at_peak_overhead = minus(walk.allocated_bytes, payload);
    result->at_peak_free = walk.free_bytes;
    result->at_peak_unwalked = minus(result->peak_footprint_bytes,
                                     payload + result->at_peak_overhead + walk.free_bytes);
}

/* ---- the pair ------------------------------------------------------------------------ */

/* Keeps only what a failed pair reports (see the top of this file). */
static void clear_figures(struct replay_result *result)
{
    struct replay_result kept = {
        .status = result->status, .ops = result->ops, .malloc_ops = result->malloc_ops,
        .calloc_ops = result->calloc_ops, .realloc_ops = result->realloc_ops,
        .free_ops = result->free_ops, .ownership_checked = result->ownership_checked,
        .last_op = result->last_op, .last_line = result->last_line};
    memcpy(kept.message, result->message, sizeof kept.message);
    *result = kept;
}

void replay_pair(const struct allocator_module *module, const struct trace *trace,
                 const struct replay_options *options, struct replay_result *result,
                 struct replay_progress *progress)
{
    struct replay_progress unwatched = {0, 0, 0};
    if (progress == NULL)
        progress = &unwatched;
    *result = (struct replay_result){.status = REPLAY_OK, .ops = trace->op_count};
    for (size_t i = 0; i < trace->op_count; i++) {
        uint64_t *count[KINDS] = {&result->malloc_ops, &result->calloc_ops,
                                  &result->realloc_ops, &result->free_ops};
        ++*count[kind_of(&trace->ops[i])];
    }

    struct check_outcome outcome;
    if (replay_check_pass(module, trace, options, result, progress, &outcome) == 0) {
        const struct dmm_stats *s = &outcome.final;
        result->peak_footprint_bytes = s->peak_footprint_bytes;
        result->peak_heap_bytes = s->peak_heap_bytes;
        result->peak_mapped_bytes = s->peak_mapped_bytes;
        result->utilization = s->peak_footprint_bytes != 0
                                ? (double)result->peak_live_bytes / (double)s->peak_footprint_bytes
                                : 0.0;
        result->brk_calls = s->brk_calls;
        result->mmap_calls = s->mmap_calls;
        result->munmap_calls = s->munmap_calls;
        result->steps_per_malloc =
            s->malloc_calls != 0 ? (double)s->malloc_steps / (double)s->malloc_calls : 0.0;
        result->steps_per_free =
            s->free_calls != 0 ? (double)s->free_steps / (double)s->free_calls : 0.0;
        if (outcome.peak_op != 0)
            split_at_peak(module, trace, outcome.peak_op, result, progress);
    }
    if (result->status != REPLAY_OK)
        clear_figures(result);
    module->reset();
}
