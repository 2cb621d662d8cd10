/*
 * timing.c — the timing run of a pair, and the footprint run of a
 * baseline (timing.h): the allocator driven without checks, on a clock.
 *
 * Step of the data flow: trace file -> parse -> pair -> child process ->
 * checking pass -> [timing] -> result -> table/CSV/JSON.
 *
 * The runner calls each run in a process of its own, forked from the
 * parent, which has never loaded the allocator; and each runs the replays
 * in a thread of its own. So every allocator starts the same way: fresh —
 * a dmm allocator with an untouched heap section, glibc's malloc with a
 * new arena and an empty tcache (a new thread gets both), jemalloc,
 * mimalloc and tcmalloc initialised in that process for the first time.
 *
 * The timing run, in that one process, with no checks and no writes into
 * blocks and never a dmm_reset:
 *
 *   cold replay     the first replay of the fresh process, whole loop:
 *                   its time and minor faults are the cold start, the
 *                   cost of first touches included (cold_ns_per_op);
 *   free leftovers  the blocks still live at its end are freed, untimed;
 *   K times (--repeat K), the steady state:
 *     whole-loop replay  between two clock_gettime(CLOCK_MONOTONIC) reads:
 *                        only the allocator's calls and the loop around them
 *                        (a slot load and store per operation) — ns_per_op;
 *     free leftovers     untimed;
 *     per-call replay    each call between its own pair of clock reads, the
 *                        median cost of an empty pair of reads (calibrated
 *                        once per process from 1000 pairs) subtracted per
 *                        call, a kind's total floored at 0 — the split by
 *                        kind, which carries the clock's noise;
 *     free leftovers     untimed.
 *
 * The cold replay is also the warm-up of the CMU driver: a separate
 * untimed warm-up would replay the same trace from the same state, so it
 * would be the cold replay again, unmeasured. Steady state is what an
 * allocator keeps between replays: its free lists and heap section as the
 * trace left them, or, for one that gives memory back (glibc's trim,
 * mmap's munmap) or never reuses it (minimal, pad), the faults it pays
 * again on every replay — its real behaviour. measure.c turns the K
 * replays into medians with min and max.
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
/* A steady sample is whole-loop replays until they add up to at least this
 * many ns (and as many per-call replays): a replay of a short trace takes a
 * few microseconds, where one timer interrupt or cache eviction swings it
 * by half, so each sample times enough replays to outlast that noise (the
 * CMU driver's fcyc does the same). A replay longer than this is one sample. */
#define MIN_SAMPLE_NS 2e6
/* ... but never more replays than this per sample (a 1-op trace). */
#define MAX_REPLAYS_PER_SAMPLE 100000u
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
    unsigned repeat;                /* steady replays of a timing run */
    struct timing_run *timing;      /* a timing run fills this */
    struct dmm_stats *footprint;    /* a footprint run fills this */
};

static size_t slot_count(const struct trace *trace)
{
    return trace->slot_count != 0 ? trace->slot_count : 1;
}

/* A fresh start: the allocator reset, every slot empty. */
static void start_replay(const struct job *job)
{
    job->module->reset();
    memset(job->ptrs, 0, slot_count(job->trace) * sizeof *job->ptrs);
    job->progress->timing = 1;
}

/* The blocks a replay left live, freed, untimed, so that the next replay
 * starts with every slot empty and the allocator holding what it kept. */
static void free_leftovers(const struct job *job)
{
    for (size_t s = 0; s < slot_count(job->trace); s++)
        if (job->ptrs[s] != NULL) {
            job->module->free(job->ptrs[s]);
            job->ptrs[s] = NULL;
        }
}

/* One whole-loop replay: its time in ns and the thread's minor faults. */
static void time_whole_loop(const struct job *job, double *ns, uint64_t *faults)
{
    const struct trace *trace = job->trace;
    void *no_slot = NULL; /* where `f -1` reads its NULL */
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
    *ns = (double)ns_between(&t0, &t1);
    *faults = (uint64_t)(after.ru_minflt - before.ru_minflt);
    free_leftovers(job);
}

/* One per-call replay: time per kind, the clock's cost subtracted. */
static void time_each_call(const struct job *job, double kind_ns[TRACE_KINDS])
{
    const struct trace *trace = job->trace;
    int64_t ns[TRACE_KINDS] = {0};
    uint64_t calls[TRACE_KINDS] = {0};
    void *no_slot = NULL;
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
        kind_ns[k] = t > 0.0 ? t : 0.0;
    }
    free_leftovers(job);
}

static void *timing_thread(void *arg)
{
    const struct job *job = arg;
    struct timing_run *run = job->timing;
    start_replay(job); /* loaded just now, in this process: the reset finds it fresh */
    time_whole_loop(job, &run->cold_ns, &run->cold_minor_faults);
    for (unsigned k = 0; k < job->repeat; k++) {
        /* One steady sample: the mean over enough replays (MIN_SAMPLE_NS). */
        struct timing_steady *steady = &run->steady[k];
        double loop_total = 0.0, kind_total[TRACE_KINDS] = {0};
        uint64_t faults_total = 0;
        unsigned replays = 0;
        do {
            double ns;
            uint64_t faults;
            time_whole_loop(job, &ns, &faults);
            loop_total += ns;
            faults_total += faults;
            replays++;
        } while (loop_total < MIN_SAMPLE_NS && replays < MAX_REPLAYS_PER_SAMPLE);
        for (unsigned r = 0; r < replays; r++) {
            double kind_ns[TRACE_KINDS];
            time_each_call(job, kind_ns);
            for (int kind = 0; kind < TRACE_KINDS; kind++)
                kind_total[kind] += kind_ns[kind];
        }
        steady->loop_ns = loop_total / replays;
        /* Rounded up: a fault in any replay keeps the sample marked as faulting. */
        steady->minor_faults = (faults_total + replays - 1) / replays;
        for (int kind = 0; kind < TRACE_KINDS; kind++)
            steady->kind_ns[kind] = kind_total[kind] / replays;
        run->steady_count = k + 1;
    }
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
    job->ptrs = calloc(slot_count(job->trace), sizeof *job->ptrs);
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
                  unsigned repeat, struct replay_progress *progress, struct timing_run *run)
{
    if (repeat > REPLAY_MAX_REPEAT)
        repeat = REPLAY_MAX_REPEAT;
    struct job job = {.module = module, .trace = trace, .progress = progress,
                      .repeat = repeat, .timing = run};
    memset(run, 0, sizeof *run);
    return run_in_thread(timing_thread, &job);
}

int timing_footprint(const struct allocator_module *module, const struct trace *trace,
                     struct replay_progress *progress, struct dmm_stats *stats)
{
    struct job job = {.module = module, .trace = trace, .progress = progress, .footprint = stats};
    *stats = (struct dmm_stats){0};
    return run_in_thread(footprint_thread, &job);
}
