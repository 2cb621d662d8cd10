/*
 * replay.h — one pair (one allocator x one trace): what to do, what came
 * out, and the one shape of every failure message.
 *
 * The data flow, and which file does each step:
 *
 *   trace file -> parse (trace.c) -> pair (replay.c, runner.c) -> child
 *   process (runner.c; the allocator loaded by module.c) -> checking pass
 *   (checking.c; its files written by output.c, its text by describe.c) ->
 *   timing (timing.c) -> result (measure.c) -> table/CSV/JSON (report.c)
 *
 * The runner (runner.h) calls replay_pair() inside a child process of its
 * own, so a crash or a hang of the allocator ends only that child; the
 * result travels back to the parent as the plain struct below.
 */
#ifndef DMM_REPLAY_H
#define DMM_REPLAY_H

#include "module.h"
#include "trace.h"

#include <stddef.h>
#include <stdint.h>

/* ---- what to do ---------------------------------------------------------- */

#define REPLAY_MAX_REPEAT 1000 /* steady replays of one pair, at most */

struct replay_options {
    unsigned repeat;        /* steady replays of the timing run; the median is reported
                               (default 3; 0: no timing run) */
    uint64_t check_every;   /* run the heap checker every N operations; 0: only at the end */
    size_t series_points;   /* about this many samples in the time series (default 200) */
    const char *series_dir; /* write the time series here as CSV; NULL: don't */
    int verbose;            /* print every operation of the checking pass with its address */
    int heap_map;           /* print the heap map (the checker's walk) after every operation */
    const char *heap_map_dir; /* write that walk as CSV to DIR/ALLOCATOR.csv; NULL: don't */
    int count_instructions; /* --cost instructions: count each pair (instructions.h) */
    int checked;            /* --checked: guard bytes, junk fill, the checker around every
                               op (checking.c); for locating bugs: no split at the peak */
};

/* ---- what came out -------------------------------------------------------- */

enum replay_status { REPLAY_OK, REPLAY_FAIL, REPLAY_CRASH, REPLAY_TIMEOUT };

/* Every figure is set by measure.c, which says exactly how. */
struct replay_result {
    enum replay_status status;
    char message[1024];         /* why it is not ok: allocator, trace, line, op, what */

    uint64_t ops;               /* operations in the trace */
    uint64_t malloc_ops, calloc_ops, realloc_ops, free_ops;

    /* Time (timing.c): steady state is the median over `repeat` replays in
     * one fresh process after its cold first replay, without dmm_reset. */
    double ns_per_op;           /* all operations, steady state: the median */
    double malloc_ns, calloc_ns, realloc_ns, free_ns; /* per operation of that kind, steady */
    double kops_per_sec;        /* throughput: 1e6 / ns_per_op */
    uint64_t minor_faults;      /* page faults of the cold replay (getrusage) */
    double ns_per_op_min, ns_per_op_max; /* the fastest and slowest steady replay */
    double cold_ns_per_op;      /* the first replay of the fresh process */
    uint64_t steady_minor_faults; /* page faults per steady replay: the median */
    double instr_per_op;        /* --cost instructions: user-space instructions of one steady
                                   replay / ops (instructions.c); 0: not counted */

    /* Space, from the checking pass: the harness's own account of the heap
     * section (footprint.h), never the module's dmm_stats. */
    size_t peak_live_bytes;     /* highest sum of requested sizes of live blocks */
    size_t peak_footprint_bytes;/* highest heap section extent + mapped bytes */
    size_t peak_heap_bytes, peak_mapped_bytes; /* the footprint's split at that peak */
    double utilization;         /* peak_live_bytes / peak_footprint_bytes */
    /* At the moment of peak footprint, where its bytes went (they add up;
     * measure.c defines each, the chunk kinds are dmm.h's): */
    size_t at_peak_payload;     /* requested bytes of live blocks */
    size_t at_peak_internal;    /* internal fragmentation: allocated chunks minus payload
                                   (headers, footers, alignment filler, minimum sizes) */
    size_t at_peak_external;    /* external fragmentation: free chunks (the pad included) */
    size_t at_peak_metadata;    /* the allocator's own structures and leftovers */
    size_t at_peak_never_reused;/* freed chunks never handed out again (minimal, pad) */
    size_t at_peak_unwalked;    /* bytes the checker's walk did not account for */
    int ownership_checked;      /* 1 when blocks were checked to lie in the allocator's memory */
    int is_baseline;            /* a production allocator: its footprint is its own statistics',
                                   its system calls, steps and at-peak split are not counted */

    /* System calls, counted by the harness as the heap section makes them
     * (footprint.h); search work, from dmm_stats after the checking pass. */
    uint64_t brk_calls, mmap_calls, munmap_calls;
    double steps_per_malloc, steps_per_free;   /* means */
    uint64_t max_steps_malloc, max_steps_free; /* the worst single call */

    /* For a crash or timeout: how far the checking or timing run got. */
    uint64_t last_op;           /* index of the operation running, 1-based; 0: none */
    uint32_t last_line;         /* its line in the trace */
};

/* Where a child is: written as it goes, so that a parent process can tell
 * where a crashed or hung child was. */
struct replay_progress {
    volatile uint64_t op;       /* 1-based index of the operation in flight */
    volatile uint32_t line;
    volatile int timing;        /* 0: checking pass, 1: timing run */
};

/* Runs one pair's checking pass in the calling process (checking.c), then
 * replays up to the peak footprint to split it, and measures what needs no
 * clock (space, system calls, steps, the split at the peak) into *result
 * (status OK or FAIL; a crash never returns). progress may be NULL. The
 * timing runs are separate (timing.h), each in a process of its own. */
void replay_pair(const struct allocator_module *module, const struct trace *trace,
                 const struct replay_options *options, struct replay_result *result,
                 struct replay_progress *progress);

/* Marks *result failed at trace->ops[op_index] (op_index == trace->op_count
 * when there is no operation to blame), with the one message shape every
 * failure has, crashes and timeouts included:
 * "ALLOCATOR on TRACE line L, op #N (malloc id 5, 100 bytes): WHAT". */
__attribute__((format(printf, 5, 6)))
void replay_fail(const char *allocator, const struct trace *trace, size_t op_index,
                 struct replay_result *result, const char *what, ...);

#endif /* DMM_REPLAY_H */
