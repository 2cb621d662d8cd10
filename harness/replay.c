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
 *   From the timing passes: options->repeat times, two runs, each from a
 *   reset allocator, with no checks and no writes into blocks:
 *     a whole-loop run, the replay between two clock_gettime(CLOCK_MONOTONIC)
 *     reads: only the allocator's calls and the loop around them;
 *     a per-call run, each call between its own two clock reads, the median
 *     cost of an empty pair of reads (calibrated once per process from 1000
 *     pairs) subtracted per call, a kind's total floored at 0.
 *   The medians over the repetitions (the lower middle one for an even count):
 *     ns_per_op             whole-loop time / ops
 *     kops_per_sec          1e6 / ns_per_op
 *     minor_faults          ru_minflt (getrusage) during the median whole-loop run
 *     malloc_ns ... free_ns per-call time of that kind / ops of that kind
 *   The per-kind figures carry the clock's noise (a few ns) and need not
 *   average to ns_per_op; for calls of a few nanoseconds trust ns_per_op.
 *
 * When the pair fails, only status, message, last_op, last_line, the op
 * counts and ownership_checked are filled; the figures stay 0.
 */
#define _POSIX_C_SOURCE 200809L /* clock_gettime, getrusage */

#include "replay_internal.h"

#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <time.h>

/* Empty pairs of clock reads whose median is the clock's own cost. */
#define CALIBRATION_PAIRS 1000
/* The timing pass writes its progress only every this many ops (a power
 * of two), so that the shared memory costs nothing measurable. */
#define PROGRESS_EVERY 1024

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

/* ---- timing ----------------------------------------------------------------------- */

static int64_t ns_between(const struct timespec *from, const struct timespec *to)
{
    return (int64_t)(to->tv_sec - from->tv_sec) * 1000000000 + (to->tv_nsec - from->tv_nsec);
}

static int compare_int64(const void *a, const void *b)
{
    int64_t x = *(const int64_t *)a, y = *(const int64_t *)b;
    return (x > y) - (x < y);
}

double replay_clock_overhead_ns(void)
{
    static double overhead = -1.0; /* measured once per process */
    if (overhead >= 0.0)
        return overhead;
    static int64_t pairs[CALIBRATION_PAIRS];
    for (size_t k = 0; k < CALIBRATION_PAIRS; k++) {
        struct timespec t0, t1;
        clock_gettime(CLOCK_MONOTONIC, &t0);
        clock_gettime(CLOCK_MONOTONIC, &t1);
        pairs[k] = ns_between(&t0, &t1);
    }
    qsort(pairs, CALIBRATION_PAIRS, sizeof pairs[0], compare_int64);
    overhead = (double)(pairs[CALIBRATION_PAIRS / 2 - 1] + pairs[CALIBRATION_PAIRS / 2]) / 2.0;
    return overhead;
}

struct timing_run {
    double ns[KINDS];      /* per-call run: time inside the allocator per kind, clock cost subtracted */
    double loop_ns;        /* whole-loop run: the replay between two clock reads */
    uint64_t minor_faults; /* during the whole-loop run */
};

/* The allocator call an op stands for; the old pointer of its slot comes
 * in, the new one goes out. */
static inline void *call_allocator(const struct allocator_module *module,
                                   const struct trace_op *op, void *old)
{
    switch (op->kind) {
    case 'a': return module->malloc(op->size);
    case 'c': return module->calloc(op->nmemb, op->size);
    case 'r': return module->realloc(old, op->size);
    default: module->free(old); return NULL;
    }
}

/* A fresh start for a run: the allocator reset, every slot empty. */
static void start_run(const struct allocator_module *module, const struct trace *trace,
                      void **ptrs, struct replay_progress *progress)
{
    module->reset();
    memset(ptrs, 0, (trace->slot_count != 0 ? trace->slot_count : 1) * sizeof *ptrs);
    progress->timing = 1;
}

static inline void note_progress(struct replay_progress *progress, const struct trace_op *op,
                                 size_t i)
{
    if (i % PROGRESS_EVERY == 0) {
        progress->line = op->line;
        progress->op = i + 1;
    }
}

/* The whole replay between two clock reads: the allocator's calls and the
 * loop around them (a slot load and store per op), nothing else. This is
 * the run ns_per_op comes from: no clock read inside it distorts an
 * allocator whose calls take a few nanoseconds. */
static void time_whole_loop(const struct allocator_module *module, const struct trace *trace,
                            void **ptrs, struct replay_progress *progress, struct timing_run *run)
{
    void *no_slot = NULL; /* where `f -1` reads its NULL */
    start_run(module, trace, ptrs, progress);
    struct rusage before, after;
    struct timespec t0, t1;
    getrusage(RUSAGE_SELF, &before);
    clock_gettime(CLOCK_MONOTONIC, &t0);
    for (size_t i = 0; i < trace->op_count; i++) {
        const struct trace_op *op = &trace->ops[i];
        note_progress(progress, op, i);
        void **slot = op->slot == TRACE_NO_SLOT ? &no_slot : &ptrs[op->slot];
        *slot = call_allocator(module, op, *slot);
    }
    clock_gettime(CLOCK_MONOTONIC, &t1);
    getrusage(RUSAGE_SELF, &after);
    run->loop_ns = (double)ns_between(&t0, &t1);
    run->minor_faults = (uint64_t)(after.ru_minflt - before.ru_minflt);
}

/* Every call between its own pair of clock reads, the calibrated cost of
 * a pair subtracted: the split by kind. Calls of a few nanoseconds drown in
 * the clock's noise here (a kind's figure is floored at 0), which is why
 * the total comes from time_whole_loop. */
static void time_each_call(const struct allocator_module *module, const struct trace *trace,
                           void **ptrs, const uint64_t counts[KINDS],
                           struct replay_progress *progress, struct timing_run *run)
{
    int64_t ns[KINDS] = {0};
    void *no_slot = NULL;
    start_run(module, trace, ptrs, progress);
    for (size_t i = 0; i < trace->op_count; i++) {
        const struct trace_op *op = &trace->ops[i];
        note_progress(progress, op, i);
        void **slot = op->slot == TRACE_NO_SLOT ? &no_slot : &ptrs[op->slot];
        struct timespec t0, t1;
        clock_gettime(CLOCK_MONOTONIC, &t0);
        void *p = call_allocator(module, op, *slot);
        clock_gettime(CLOCK_MONOTONIC, &t1);
        ns[kind_of(op)] += ns_between(&t0, &t1);
        *slot = p;
    }
    double overhead = replay_clock_overhead_ns();
    for (int k = 0; k < KINDS; k++) {
        double t = (double)ns[k] - overhead * (double)counts[k];
        run->ns[k] = t > 0.0 ? t : 0.0;
    }
}

static int compare_doubles(const void *a, const void *b)
{
    double x = *(const double *)a, y = *(const double *)b;
    return (x > y) - (x < y);
}

/* The median of n values (the lower middle one for an even n); sorts them. */
static double median_of(double *values, unsigned n)
{
    qsort(values, n, sizeof values[0], compare_doubles);
    return values[(n - 1) / 2];
}

static void time_pair(const struct allocator_module *module, const struct trace *trace,
                      unsigned repeat, struct replay_result *result,
                      struct replay_progress *progress)
{
    const uint64_t counts[KINDS] = {result->malloc_ops, result->calloc_ops, result->realloc_ops,
                                    result->free_ops};
    void **ptrs = calloc(trace->slot_count != 0 ? trace->slot_count : 1, sizeof *ptrs);
    struct timing_run *runs = calloc(repeat, sizeof *runs);
    double *values = calloc(repeat, sizeof *values);
    if (ptrs == NULL || runs == NULL || values == NULL) {
        free(ptrs), free(runs), free(values);
        replay_fail(module->reported_name, trace, trace->op_count, result,
                    "the harness ran out of memory");
        return;
    }
    replay_clock_overhead_ns(); /* before the first run, not inside it */
    for (unsigned k = 0; k < repeat; k++) {
        time_whole_loop(module, trace, ptrs, progress, &runs[k]);
        time_each_call(module, trace, ptrs, counts, progress, &runs[k]);
    }

    for (unsigned k = 0; k < repeat; k++)
        values[k] = runs[k].loop_ns;
    double loop_ns = median_of(values, repeat);
    result->ns_per_op = result->ops != 0 ? loop_ns / (double)result->ops : 0.0;
    result->kops_per_sec = result->ns_per_op > 0.0 ? 1e6 / result->ns_per_op : 0.0;
    for (unsigned k = 0; k < repeat; k++)
        if (runs[k].loop_ns == loop_ns) {
            result->minor_faults = runs[k].minor_faults;
            break;
        }

    double *per_kind[KINDS] = {&result->malloc_ns, &result->calloc_ns, &result->realloc_ns,
                               &result->free_ns};
    for (int kind = 0; kind < KINDS; kind++) {
        for (unsigned k = 0; k < repeat; k++)
            values[k] = runs[k].ns[kind];
        *per_kind[kind] = counts[kind] != 0 ? median_of(values, repeat) / (double)counts[kind] : 0.0;
    }
    free(ptrs), free(runs), free(values);
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
    if (result->status == REPLAY_OK && options->repeat > 0)
        time_pair(module, trace, options->repeat, result, progress);
    if (result->status != REPLAY_OK)
        clear_figures(result);
    module->reset();
}
