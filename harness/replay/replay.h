/*
 * replay.h — one (allocator, trace) pair: load the allocator, check every
 * block while replaying the trace once, then time it, and measure.
 *
 * The runner (runner.h) calls replay_pair() inside a child process of its
 * own, so a crash or a hang of the allocator ends only that child; the
 * result travels back to the parent as the plain struct below.
 */
#ifndef DMM_REPLAY_H
#define DMM_REPLAY_H

#include "dmm.h"
#include "heap.h"
#include "trace.h"

#include <stddef.h>
#include <stdint.h>

/* ---- an allocator, loaded from its shared module ------------------------ */

/* Every allocator is built as a module (allocators/libdmm-NAME.so) that
 * exports dmm.h's functions, and the heap section's observer and bounds.
 * The harness loads one per child process with dlopen. */
struct allocator_module {
    char name[64];          /* as asked for on the command line ("list", or a path) */
    char reported_name[64]; /* what its dmm_name() says, read once at load; the
                               name asked for when it says NULL or "" */
    char path[4096];        /* the file loaded */
    void *handle;           /* from dlopen */
    void *(*malloc)(size_t);
    void (*free)(void *);
    void *(*calloc)(size_t, size_t);
    void *(*realloc)(void *, size_t);
    const char *(*name_of)(void);
    void (*stats)(struct dmm_stats *);
    const char *(*check)(dmm_visit_fn *, void *);
    void (*reset)(void);
    /* The heap section: NULL in a module without one (then blocks cannot be
     * checked to lie inside the allocator's memory, and the result says so). */
    void (*set_observer)(heap_observer_fn *, void *);
    void *(*heap_start)(void);
    void *(*heap_break)(void);
    /* A baseline's (baselines/): how it measures its footprint. NULL for an
     * allocator on dmm's heap section, whose footprint is exact. */
    const char *(*footprint_method)(void);
};

/* NAME is one of the built allocators (looked up in module_dir as
 * libdmm-NAME.so) or, when it contains a '/', the path of a module. Returns
 * 0, or -1 with a one-line message in error. */
int module_load(const char *name, const char *module_dir, struct allocator_module *module,
                char *error, size_t error_size);

/* ---- what to do ---------------------------------------------------------- */

struct replay_options {
    unsigned repeat;        /* timing passes; the median is reported (default 3) */
    uint64_t check_every;   /* run the heap checker every N operations; 0: only at the end */
    size_t series_points;   /* about this many samples in the time series (default 200) */
    const char *series_dir; /* write the time series here as CSV; NULL: don't */
    int verbose;            /* print every operation of the checking pass with its address */
    int heap_map;           /* print the heap, as the checker walks it, after every operation */
    const char *heap_map_dir; /* write that walk as CSV to DIR/ALLOCATOR.csv; NULL: don't */
};

/* ---- what came out -------------------------------------------------------- */

enum replay_status { REPLAY_OK, REPLAY_FAIL, REPLAY_CRASH, REPLAY_TIMEOUT };

struct replay_result {
    enum replay_status status;
    char message[512];          /* why it is not ok: allocator, trace, line, op, what */

    uint64_t ops;               /* operations in the trace */
    uint64_t malloc_ops, calloc_ops, realloc_ops, free_ops;

    /* Timing pass: medians over `repeat` runs, each from a reset allocator. */
    double ns_per_op;           /* all operations */
    double malloc_ns, calloc_ns, realloc_ns, free_ns; /* per operation of that kind */
    double kops_per_sec;        /* throughput: 1e6 / ns_per_op */
    uint64_t minor_faults;      /* page faults of the median run (getrusage) */

    /* Space, from the checking pass. */
    size_t peak_live_bytes;     /* highest sum of requested sizes of live blocks */
    size_t peak_footprint_bytes;/* highest heap extent + mapped bytes */
    size_t peak_heap_bytes, peak_mapped_bytes; /* the footprint's split at that peak */
    double utilization;         /* peak_live_bytes / peak_footprint_bytes */
    /* At the moment of peak footprint, where its bytes went (they add up): */
    size_t at_peak_payload;     /* requested bytes of live blocks */
    size_t at_peak_overhead;    /* headers, footers, alignment and minimum-size padding */
    size_t at_peak_free;        /* free chunks inside the heap (and the pad) */
    size_t at_peak_unwalked;    /* bytes the checker's walk did not account for */
    int ownership_checked;      /* 1 when blocks were checked to lie in the allocator's memory */
    int is_baseline;            /* a production allocator: its footprint is its own statistics',
                                   its system calls, steps and at-peak split are not counted */

    /* System calls and search work, from dmm_stats after the checking pass. */
    uint64_t brk_calls, mmap_calls, munmap_calls;
    double steps_per_malloc, steps_per_free;   /* means */
    uint64_t max_steps_malloc, max_steps_free; /* the worst single call */

    /* For a crash or timeout: how far the checking or timing pass got. */
    uint64_t last_op;           /* index of the operation running, 1-based; 0: none */
    uint32_t last_line;         /* its line in the trace */
};

/* Runs one pair's checking pass in the calling process, and measures what
 * needs no clock (space, system calls, steps, the split at the peak). Fills
 * *result (status OK or FAIL; a crash never returns). The progress of the
 * run is written to *progress as it goes, so that a parent process can tell
 * where a crashed or hung child was. Timing is separate (below). */
struct replay_progress {
    volatile uint64_t op;       /* 1-based index of the operation in flight */
    volatile uint32_t line;
    volatile int timing;        /* 0: checking pass, 1: timing pass */
};
void replay_pair(const struct allocator_module *module, const struct trace *trace,
                 const struct replay_options *options, struct replay_result *result,
                 struct replay_progress *progress);

/* ---- timing (timing.c) ---------------------------------------------------- */

enum { REPLAY_KIND_MALLOC, REPLAY_KIND_CALLOC, REPLAY_KIND_REALLOC, REPLAY_KIND_FREE, REPLAY_KINDS };
#define REPLAY_MAX_REPEAT 1000 /* timing runs of one pair, at most */

/* One timing run: a whole-loop replay and a per-call replay. */
struct replay_timing {
    double loop_ns;                  /* the whole-loop replay, between two clock reads */
    double kind_ns[REPLAY_KINDS];    /* per-call replay: time per kind, clock cost subtracted */
    uint64_t minor_faults;           /* during the whole-loop replay */
};

/* One timing run, on a new thread (so that glibc gives it a fresh arena).
 * The runner calls it in a fresh process for each repetition. Returns 0, or
 * -1 when no memory or thread could be had. */
int replay_time_run(const struct allocator_module *module, const struct trace *trace,
                    struct replay_progress *progress, struct replay_timing *timing);

/* The medians of count runs (count <= REPLAY_MAX_REPEAT) into the timing
 * figures of *result (ns_per_op, kops_per_sec, minor_faults, per kind). */
void replay_summarize_timing(struct replay_timing *runs, unsigned count,
                             struct replay_result *result);

/* For a baseline (module->footprint_method set): replays the trace once
 * more, on a new thread in a fresh process, with no harness allocation
 * between its calls, and sets the footprint figures and system calls of
 * *result from the allocator's own statistics. Returns 0 or -1 as above. */
int replay_measure_footprint(const struct allocator_module *module, const struct trace *trace,
                             struct replay_progress *progress, struct replay_result *result);

/* The cost of an empty pair of clock_gettime(CLOCK_MONOTONIC) reads, in ns:
 * the median of 1000 pairs, measured at the first call. */
double replay_clock_overhead_ns(void);

/* Marks *result failed at trace->ops[op_index] (op_index == trace->op_count
 * when there is no operation to blame), with the one message shape every
 * failure has, crashes and timeouts included:
 * "ALLOCATOR on TRACE line L, op #N (malloc id 5, 100 bytes): WHAT". */
__attribute__((format(printf, 5, 6)))
void replay_fail(const char *allocator, const struct trace *trace, size_t op_index,
                 struct replay_result *result, const char *what, ...);

#endif /* DMM_REPLAY_H */
