/*
 * instructions.h — the deterministic cost of a pair: user-space
 * instructions of one steady-state replay, per operation (`--cost
 * instructions`, the figure instr_per_op).
 *
 * Step of the data flow: trace file -> parse -> pair -> child process ->
 * checking pass -> timing [and the instruction count] -> result ->
 * table/CSV/JSON.
 *
 * A clock measures the machine as it is at that moment (other processes,
 * frequency, page faults); an instruction count is the same in every run
 * of the same pair, so it can grade on a shared machine (Stanford CS107
 * grades allocator speed this way). Two counters, chosen once per machine:
 *
 *   perf       the CPU's own counter (perf_event_open,
 *              PERF_COUNT_HW_INSTRUCTIONS, user space only), where the
 *              machine exposes one: as fast as the replay itself, but it
 *              may differ by a few instructions between runs (interrupts);
 *   callgrind  valgrind's callgrind runs the replay on a synthetic CPU and
 *              counts every instruction it executes (Ir), collecting only
 *              between two client requests around the measured replay, so
 *              the harness's own work is not counted: exact and the same
 *              in every run, about 50 times slower than the replay.
 *
 * What is counted: the instructions executed in user space from the start
 * to the end of one replay, in a fresh process, after one untimed warm-up
 * replay of the same trace (blocks still live after the warm-up are freed,
 * uncounted): the allocator's calls and the loop around them (a slot load
 * and store per operation). Not counted: cycles (an instruction that
 * misses every cache counts one, like one that hits), page faults and the
 * kernel's side of system calls (a brk or mprotect counts only the few
 * instructions of its wrapper).
 */
#ifndef DMM_INSTRUCTIONS_H
#define DMM_INSTRUCTIONS_H

#include "replay.h"
#include "runner.h"
#include "trace.h"

#include <stdint.h>

/* argv[1] of the hidden entry each tool's main hands to
 * instructions_child_main(). */
#define INSTRUCTIONS_CHILD_FLAG "--count-instructions-child"

/* The counter a run uses. */
enum instructions_method {
    INSTRUCTIONS_NONE,      /* neither works here */
    INSTRUCTIONS_PERF,      /* perf_event_open */
    INSTRUCTIONS_CALLGRIND, /* valgrind --tool=callgrind */
};

/* The counter this machine offers: perf where perf_event_open opens an
 * instruction counter, else callgrind where `valgrind` is on PATH (and the
 * build had <valgrind/callgrind.h>). The environment variable
 * DMM_INSTRUCTIONS_METHOD=perf|callgrind forces one. INSTRUCTIONS_NONE with
 * a one-line message in error (naming valgrind and its Debian package) when
 * there is none. Decided once per process. */
enum instructions_method instructions_method(char *error, size_t error_size);

/* "perf" or "callgrind" (or "none"). */
const char *instructions_method_name(enum instructions_method method);

/* What one instruction count of a pair gives back. */
struct instructions_count {
    enum replay_status status; /* OK, or why there is no count */
    char message[512];         /* replay_fail's shape when not OK */
    uint64_t instructions;     /* of the measured replay */
    uint64_t ops;              /* operations replayed (trace->op_count) */
    double per_op;             /* instructions / ops: instr_per_op */
    double seconds;            /* wall time of the whole count (start-up included) */
};

/* Counts the instructions of allocator (a name looked up in module_dir,
 * NULL: the build's modules/ folder; or a module's path) replaying trace,
 * in a fresh process that runs this program again through its hidden
 * entry (under valgrind for callgrind). The process gets timeout_seconds
 * (times INSTRUCTIONS_SLOWDOWN under callgrind); it is then killed and the
 * count is a TIMEOUT. Returns 0 when *count has a count (status OK); -1
 * otherwise, with count->status and count->message saying why (FAIL: no
 * counter, the module did not load, or the harness could not run the
 * process; CRASH; TIMEOUT). */
int instructions_measure(const char *allocator, const char *module_dir, const struct trace *trace,
                         double timeout_seconds, struct instructions_count *count);

/* How much longer than --timeout a callgrind run may take. */
#define INSTRUCTIONS_SLOWDOWN 50

/* One count to make, and what came of it. */
struct instructions_task {
    const char *allocator;              /* as for instructions_measure */
    const char *module_dir;             /* NULL: the build's modules/ folder */
    const struct trace *trace;
    const char *policy;                 /* NULL, or DMM_POLICY for the counting process */
    struct instructions_count count;    /* set by instructions_measure_many */
};

/* instructions_measure for every task, with up to `parallel` counting
 * processes at once (a count does not depend on what else runs: -j may
 * run them side by side), and with a progress line on stderr when
 * show_progress. Returns how many tasks got no count (their count.status
 * and count.message say why). */
size_t instructions_measure_many(struct instructions_task *tasks, size_t task_count,
                                 unsigned parallel, double timeout_seconds, int show_progress);

/* The runner's hook (runner.c, after the timing runs, with --cost
 * instructions): counts every pair that is ok so far, up to plan->jobs at
 * once, into result.instr_per_op; a pair whose count fails takes the
 * count's status and message. Returns 0, or -1 with errno (ENOMEM). */
int instructions_run(const struct runner_plan *plan, struct runner_pair *pairs, size_t total);

/* The hidden entry: when argv[1] is INSTRUCTIONS_CHILD_FLAG, this is the
 * counting process (run by instructions_measure), and it never returns;
 * otherwise it returns at once. Each tool that may count calls it first
 * thing in main, before anything else runs. */
void instructions_child_main(int argc, char **argv);

/* ---- between the parent (instructions.c) and the counting process
 * (instructions_child.c); not for other callers ----------------------- */

/* Where the ops file begins: says it is ours and of this build's layout. */
#define INSTRUCTIONS_OPS_MAGIC 0x646d6d6f70730001ULL /* "dmmops", version 1 */

/* The exit status of a counting process that could not count (its result
 * file says why). */
#define INSTRUCTIONS_CHILD_FAILED 3

/* A disabled user-space instruction counter for the calling thread, or -1
 * where the machine has none (perf_event_open). */
int instructions_perf_open(void);

/* 1 when the counting process was built with valgrind's callgrind.h. */
int instructions_callgrind_built(void);

#endif /* DMM_INSTRUCTIONS_H */
