/*
 * timing.c — the timing runs of a pair, and the footprint run of a
 * baseline (timing.h): the allocator driven without checks, on a clock.
 *
 * Step of the data flow: trace file -> parse -> pair -> child process ->
 * checking pass -> [timing] -> result -> table/CSV/JSON.
 *
 * The runner calls each run in a process of its own, forked from the
 * parent, which has never loaded the allocator; and each runs the replay in
 * a thread of its own. So every allocator starts every run the same way:
 * fresh — a dmm allocator with an untouched heap section, glibc's malloc
 * with a new arena and an empty tcache (a new thread gets both), jemalloc,
 * mimalloc and tcmalloc initialised in that process for the first time.
 * (Replaying in the process that ran the checking pass would time the
 * baselines warm, with their allocator state and caches full from the
 * check, against dmm allocators made cold by dmm_reset.)
 *
 * One timing run is two replays from a reset allocator, with no checks and
 * no writes into blocks:
 *   a whole-loop replay, between two clock_gettime(CLOCK_MONOTONIC) reads:
 *     only the allocator's calls and the loop around them (a slot load and
 *     store per operation) — the source of ns_per_op;
 *   a per-call replay, each call between its own pair of clock reads, the
 *     median cost of an empty pair of reads (calibrated once per process
 *     from 1000 pairs) subtracted per call, a kind's total floored at 0 —
 *     the split by kind, which carries the clock's few nanoseconds of noise.
 * The runs' medians become the pair's figures in measure.c.
 */
#define _GNU_SOURCE /* RUSAGE_THREAD */

#include "timing.h"

#include "measure.h"

#include <pthread.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <time.h>

/* Empty pairs of clock reads whose median is the clock's own cost. */
#define CALIBRATION_PAIRS 1000
/* A run writes its progress only every this many ops (a power of two), so
 * that the shared memory costs nothing measurable. */
#define PROGRESS_EVERY 1024

static int64_t ns_between(const struct timespec *from, const struct timespec *to)
{
    return (int64_t)(to->tv_sec - from->tv_sec) * 1000000000 + (to->tv_nsec - from->tv_nsec);
}

double timing_clock_overhead_ns(void)
{
    static double overhead = -1.0; /* measured once per process */
    if (overhead >= 0.0)
        return overhead;
    static double pairs[CALIBRATION_PAIRS];
    for (size_t k = 0; k < CALIBRATION_PAIRS; k++) {
        struct timespec t0, t1;
        clock_gettime(CLOCK_MONOTONIC, &t0);
        clock_gettime(CLOCK_MONOTONIC, &t1);
        pairs[k] = (double)ns_between(&t0, &t1);
    }
    overhead = measure_median(pairs, CALIBRATION_PAIRS);
    return overhead;
}

/* ---- one replay without checks ------------------------------------------- */

static inline void note_progress(struct replay_progress *progress, const struct trace_op *op,
                                 size_t i)
{
    if (i % PROGRESS_EVERY == 0) {
        progress->line = op->line;
        progress->op = i + 1;
    }
}

/* What a run's thread needs, and what it hands back. */
struct job {
    const struct allocator_module *module;
    const struct trace *trace;
    struct replay_progress *progress;
    void **ptrs;                    /* a slot per ID, from the caller's thread */
    struct timing_run *timing;      /* a timing run fills this */
    struct dmm_stats *footprint;    /* a footprint run fills this */
};

/* A fresh start: the allocator reset, every slot empty. */
static void start_replay(const struct job *job)
{
    job->module->reset();
    size_t slots = job->trace->slot_count != 0 ? job->trace->slot_count : 1;
    memset(job->ptrs, 0, slots * sizeof *job->ptrs);
    job->progress->timing = 1;
}

static void time_whole_loop(const struct job *job)
{
    const struct trace *trace = job->trace;
    void *no_slot = NULL; /* where `f -1` reads its NULL */
    start_replay(job);
    struct rusage before, after;
    struct timespec t0, t1;
    getrusage(RUSAGE_THREAD, &before);
    clock_gettime(CLOCK_MONOTONIC, &t0);
    for (size_t i = 0; i < trace->op_count; i++) {
        const struct trace_op *op = &trace->ops[i];
        note_progress(job->progress, op, i);
        void **slot = op->slot == TRACE_NO_SLOT ? &no_slot : &job->ptrs[op->slot];
        *slot = module_call(job->module, op, *slot);
    }
    clock_gettime(CLOCK_MONOTONIC, &t1);
    getrusage(RUSAGE_THREAD, &after);
    job->timing->loop_ns = (double)ns_between(&t0, &t1);
    job->timing->minor_faults = (uint64_t)(after.ru_minflt - before.ru_minflt);
}

static void time_each_call(const struct job *job)
{
    const struct trace *trace = job->trace;
    int64_t ns[TRACE_KINDS] = {0};
    uint64_t calls[TRACE_KINDS] = {0};
    void *no_slot = NULL;
    start_replay(job);
    for (size_t i = 0; i < trace->op_count; i++) {
        const struct trace_op *op = &trace->ops[i];
        note_progress(job->progress, op, i);
        void **slot = op->slot == TRACE_NO_SLOT ? &no_slot : &job->ptrs[op->slot];
        struct timespec t0, t1;
        clock_gettime(CLOCK_MONOTONIC, &t0);
        void *p = module_call(job->module, op, *slot);
        clock_gettime(CLOCK_MONOTONIC, &t1);
        enum trace_kind kind = trace_kind_of(op);
        ns[kind] += ns_between(&t0, &t1);
        calls[kind]++;
        *slot = p;
    }
    double overhead = timing_clock_overhead_ns();
    for (int k = 0; k < TRACE_KINDS; k++) {
        double t = (double)ns[k] - overhead * (double)calls[k];
        job->timing->kind_ns[k] = t > 0.0 ? t : 0.0;
    }
}

static void *timing_thread(void *arg)
{
    const struct job *job = arg;
    time_whole_loop(job);
    time_each_call(job);
    return NULL;
}

/* The baseline's footprint as its own statistics give it, sampled after
 * every operation (the module keeps the peak), in a replay where the
 * harness allocates nothing: glibc's arena then holds the baseline's blocks
 * only. */
static void *footprint_thread(void *arg)
{
    const struct job *job = arg;
    const struct trace *trace = job->trace;
    void *no_slot = NULL;
    start_replay(job);
    job->progress->timing = 0;
    for (size_t i = 0; i < trace->op_count; i++) {
        const struct trace_op *op = &trace->ops[i];
        job->progress->line = op->line;
        job->progress->op = i + 1;
        void **slot = op->slot == TRACE_NO_SLOT ? &no_slot : &job->ptrs[op->slot];
        *slot = module_call(job->module, op, *slot);
        job->module->stats(job->footprint);
    }
    job->module->stats(job->footprint);
    return NULL;
}

/* Runs body on a new thread with a slot array of its own; 0, or -1 when
 * memory or a thread cannot be had. */
static int run_in_thread(void *(*body)(void *), struct job *job)
{
    size_t slots = job->trace->slot_count != 0 ? job->trace->slot_count : 1;
    job->ptrs = calloc(slots, sizeof *job->ptrs);
    if (job->ptrs == NULL)
        return -1;
    timing_clock_overhead_ns(); /* calibrated here, not inside a run */
    pthread_t thread;
    int failed = pthread_create(&thread, NULL, body, job) != 0 || pthread_join(thread, NULL) != 0;
    free(job->ptrs);
    return failed ? -1 : 0;
}

/* ---- the interface --------------------------------------------------------- */

int timing_replay(const struct allocator_module *module, const struct trace *trace,
                  struct replay_progress *progress, struct timing_run *run)
{
    struct job job = {.module = module, .trace = trace, .progress = progress, .timing = run};
    *run = (struct timing_run){0};
    return run_in_thread(timing_thread, &job);
}

int timing_footprint(const struct allocator_module *module, const struct trace *trace,
                     struct replay_progress *progress, struct dmm_stats *stats)
{
    struct job job = {.module = module, .trace = trace, .progress = progress, .footprint = stats};
    *stats = (struct dmm_stats){0};
    return run_in_thread(footprint_thread, &job);
}
