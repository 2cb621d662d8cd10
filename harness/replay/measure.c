/*
 * measure.c — every figure of struct replay_result, made from what the
 * runs counted (measure.h). No other file computes one.
 *
 * Step of the data flow: trace file -> parse -> pair -> child process ->
 * checking pass -> timing -> [result] -> table/CSV/JSON.
 *
 * What each figure means, exactly:
 *
 *   From the trace:
 *     ops, malloc_ops, calloc_ops, realloc_ops, free_ops
 *
 *   From the checking pass (one replay from a reset allocator, checking.c):
 *     peak_live_bytes       the largest sum, after any op, of the requested
 *                           sizes of the live blocks (calloc: nmemb * size)
 *     peak_footprint_bytes, peak_heap_bytes, peak_mapped_bytes,
 *     brk_calls, mmap_calls, munmap_calls
 *                           the harness's own account of the heap section
 *                           (footprint.h), from its events: every break
 *                           move and mapping, so the peak inside an op too,
 *                           and every system call. dmm_stats must agree or
 *                           the pair fails (checking.c). Only a module
 *                           without the section's observer is taken at its
 *                           dmm_stats' word (ownership_checked 0); without
 *                           the call observer, so are its counts
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
 *   The split at the peak (replay.c replays up to the peak op and walks;
 *   the chunk kinds are dmm.h's; CS:APP 3e section 9.9.4 names the two fragmentations):
 *     at_peak_payload       requested bytes of the blocks live after the peak op
 *     at_peak_internal      internal fragmentation, CS:APP's "an allocated
 *                           block is larger than the payload": bytes of the
 *                           allocated chunks the walk reports, and of the live
 *                           blocks' chunks inside never-reused regions, minus
 *                           at_peak_payload: headers, footers, rounding to the
 *                           alignment or a size class, minimum chunk sizes
 *     at_peak_external      bytes of the free chunks the walk reports: memory
 *                           held from the OS that the allocator could hand out
 *                           but that no live block uses, pad's pad and the top
 *                           chunk included (CS:APP's external fragmentation is
 *                           free memory that a request cannot use; this is all
 *                           of the free memory, which is where it lies)
 *     at_peak_metadata      bytes of the DMM_CHUNK_METADATA chunks: the
 *                           allocator's own structures and leftovers it can
 *                           never hand out (segregated's page table, its runs'
 *                           leftovers, the filler below its first run)
 *     at_peak_never_reused  bytes of the DMM_CHUNK_NEVER_REUSED regions minus
 *                           the chunks of the live blocks in them: the chunks
 *                           of freed blocks that minimal and pad never hand
 *                           out again (a live block's chunk runs from its
 *                           address to the next address handed out, replay.c)
 *     at_peak_unwalked      peak_footprint_bytes minus the five above: bytes
 *                           no chunk of the walk covers (gnu's filler and
 *                           epilogue, 16 bytes), and, when the peak was only
 *                           reached inside the op (a realloc that holds old and
 *                           new chunk at once), the bytes given back before the
 *                           op returned
 *   so payload + internal + external + metadata + never_reused + unwalked ==
 *   peak_footprint_bytes (the subtractions saturate at 0 for a walk that
 *   reports more than is there).
 *
 *   A baseline's footprint (timing.c's footprint run, its own statistics)
 *   replaces the checking pass's peak_footprint_bytes, peak_heap_bytes and
 *   peak_mapped_bytes, and utilization with them; its chunks cannot be
 *   walked, so the whole footprint is at_peak_unwalked.
 *
 *   From the timing run (timing.c: one fresh process, a cold replay, then
 *   K = --repeat steady replays, no dmm_reset between them):
 *     ns_per_op             steady state: the median of the K whole-loop
 *                           replays' times / ops
 *     ns_per_op_min, ns_per_op_max
 *                           the fastest and slowest of those K, / ops
 *     kops_per_sec          1e6 / ns_per_op
 *     malloc_ns ...         steady state: the median of the K per-call
 *                           replays' time in that kind / ops of that kind
 *     cold_ns_per_op        the cold replay's time / ops: the first replay
 *                           of a fresh process, first touches included
 *     minor_faults          the cold replay's minor page faults
 *     steady_minor_faults   the median of the K steady replays' minor
 *                           faults, each taken on its own (measure_median):
 *                           per replay, what an allocator that gives
 *                           memory back (or never reuses it) pays again
 *
 * A median is the middle value, or the mean of the two middle ones for an
 * even count. The default --repeat is odd (3; dmm-compare's benchmark 5),
 * so there every median is one replay's value.
 *
 * When the pair fails, only status, message, last_op, last_line, the op
 * counts and ownership_checked are kept; the figures stay 0.
 */
#include "measure.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

static int compare_doubles(const void *a, const void *b)
{
    double x = *(const double *)a, y = *(const double *)b;
    return (x > y) - (x < y);
}

double measure_median(double *values, size_t count)
{
    if (count == 0)
        return NAN;
    qsort(values, count, sizeof values[0], compare_doubles);
    if (count % 2 == 1)
        return values[count / 2];
    return (values[count / 2 - 1] + values[count / 2]) / 2.0;
}

static double ratio(double numerator, double denominator)
{
    return denominator != 0.0 ? numerator / denominator : 0.0;
}

static size_t minus(size_t a, size_t b)
{
    return a > b ? a - b : 0;
}

static void set_footprint(struct replay_result *r, const struct dmm_stats *s)
{
    r->peak_footprint_bytes = s->peak_footprint_bytes;
    r->peak_heap_bytes = s->peak_heap_bytes;
    r->peak_mapped_bytes = s->peak_mapped_bytes;
    r->utilization = ratio((double)r->peak_live_bytes, (double)r->peak_footprint_bytes);
}

void measure_start(struct replay_result *result, const struct trace *trace)
{
    *result = (struct replay_result){.status = REPLAY_OK, .ops = trace->op_count};
    uint64_t *count[TRACE_KINDS] = {&result->malloc_ops, &result->calloc_ops,
                                    &result->realloc_ops, &result->free_ops};
    for (size_t i = 0; i < trace->op_count; i++)
        ++*count[trace_kind_of(&trace->ops[i])];
}

void measure_checking_pass(struct replay_result *result, const struct checking_outcome *found)
{
    const struct dmm_stats *s = &found->final;
    const struct footprint *heard = &found->footprint;
    result->ownership_checked = found->ownership_checked;
    result->peak_live_bytes = found->peak_live_bytes;
    result->max_steps_malloc = found->max_steps_malloc;
    result->max_steps_free = found->max_steps_free;
    set_footprint(result, s);
    result->brk_calls = s->brk_calls;
    result->mmap_calls = s->mmap_calls;
    result->munmap_calls = s->munmap_calls;
    if (found->ownership_checked) { /* the harness heard the section: its own figures */
        struct dmm_stats seen = {.peak_footprint_bytes = heard->peak,
                                 .peak_heap_bytes = heard->peak_heap,
                                 .peak_mapped_bytes = heard->peak_mapped};
        set_footprint(result, &seen);
    }
    if (found->ownership_checked && heard->calls_heard) {
        result->brk_calls = heard->brk_calls;
        result->mmap_calls = heard->mmap_calls;
        result->munmap_calls = heard->munmap_calls;
    }
    result->steps_per_malloc = ratio((double)s->malloc_steps, (double)s->malloc_calls);
    result->steps_per_free = ratio((double)s->free_steps, (double)s->free_calls);
}

void measure_split_at_peak(struct replay_result *result, const struct peak_walk *walk)
{
    result->at_peak_payload = walk->payload;
    result->at_peak_internal = minus(walk->allocated_bytes + walk->live_chunk_bytes,
                                     walk->payload);
    result->at_peak_external = walk->free_bytes;
    result->at_peak_metadata = walk->metadata_bytes;
    result->at_peak_never_reused = minus(walk->never_reused_region_bytes,
                                         walk->live_chunk_bytes);
    size_t walked = walk->payload + result->at_peak_internal + result->at_peak_external
                  + result->at_peak_metadata + result->at_peak_never_reused;
    result->at_peak_unwalked = minus(result->peak_footprint_bytes, walked);
}

void measure_failed(struct replay_result *result)
{
    struct replay_result kept = {
        .status = result->status, .ops = result->ops, .malloc_ops = result->malloc_ops,
        .calloc_ops = result->calloc_ops, .realloc_ops = result->realloc_ops,
        .free_ops = result->free_ops, .ownership_checked = result->ownership_checked,
        .last_op = result->last_op, .last_line = result->last_line};
    memcpy(kept.message, result->message, sizeof kept.message);
    *result = kept;
}

void measure_baseline_footprint(struct replay_result *result, const struct dmm_stats *stats)
{
    result->is_baseline = 1;
    set_footprint(result, stats);
    result->at_peak_payload = result->at_peak_internal = result->at_peak_external = 0;
    result->at_peak_metadata = result->at_peak_never_reused = 0;
    result->at_peak_unwalked = result->peak_footprint_bytes;
}

void measure_timing(struct replay_result *result, const struct timing_run *run)
{
    double values[REPLAY_MAX_REPEAT];
    unsigned count = run->steady_count;
    if (count == 0 || count > REPLAY_MAX_REPEAT)
        return;
    const double ops_all = (double)result->ops;
    result->cold_ns_per_op = ratio(run->cold_ns, ops_all);
    result->minor_faults = run->cold_minor_faults;
    for (unsigned k = 0; k < count; k++)
        values[k] = run->steady[k].loop_ns;
    double loop_ns = measure_median(values, count); /* sorted now: min first, max last */
    result->ns_per_op = ratio(loop_ns, ops_all);
    result->ns_per_op_min = ratio(values[0], ops_all);
    result->ns_per_op_max = ratio(values[count - 1], ops_all);
    result->kops_per_sec = result->ns_per_op > 0.0 ? 1e6 / result->ns_per_op : 0.0;
    for (unsigned k = 0; k < count; k++)
        values[k] = (double)run->steady[k].minor_faults;
    result->steady_minor_faults = (uint64_t)llround(measure_median(values, count));
    const uint64_t ops[TRACE_KINDS] = {result->malloc_ops, result->calloc_ops,
                                       result->realloc_ops, result->free_ops};
    double *per_kind[TRACE_KINDS] = {&result->malloc_ns, &result->calloc_ns,
                                     &result->realloc_ns, &result->free_ns};
    for (int kind = 0; kind < TRACE_KINDS; kind++) {
        for (unsigned k = 0; k < count; k++)
            values[k] = run->steady[k].kind_ns[kind];
        *per_kind[kind] = ratio(measure_median(values, count), (double)ops[kind]);
    }
}
