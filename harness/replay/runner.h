/*
 * runner.h — every (allocator, trace) pair, each in a process of its own.
 *
 * Step of the data flow: trace file -> parse -> pair -> [child process] ->
 * checking pass -> timing -> result -> table/CSV/JSON.
 *
 * For each pair the runner forks a child that loads the allocator's module
 * and calls replay_pair() (replay.h); the child hands its struct
 * replay_result back through shared memory. An allocator that crashes or
 * hangs therefore ends only its own child: the parent reports the signal or
 * the timeout, with the operation and trace line the child had reached, and
 * goes on with the next pair.
 *
 * The checking passes of different pairs may run side by side (-j N:
 * plan->jobs); the timing runs always run one at a time, with nothing else
 * running, so that no two timed replays compete for the CPU and -j never
 * changes a figure. Results come back in pair order, allocator-major.
 */
#ifndef DMM_RUNNER_H
#define DMM_RUNNER_H

#include "dmm_allocators.h"
#include "replay.h"
#include "sandbox.h"
#include "trace.h"

#include <stddef.h>

/* The built allocators, in the lecture's order (the build's list,
 * dmm_allocators.h): what `--allocator all` means. */
extern const char *const runner_builtin_allocators[];
#define RUNNER_BUILTIN_COUNT DMM_ALLOCATOR_COUNT

/* The production allocators the harness compares against (baselines/):
 * what `--allocator baselines` means. Each is built only where its
 * library is installed. */
extern const char *const runner_baseline_allocators[];
#define RUNNER_BASELINE_COUNT DMM_BASELINE_COUNT

/* 1 when name is one of the baselines. */
int runner_is_baseline(const char *name);

/* 1 when the baseline's module was built; otherwise 0 with a one-line note
 * saying which package to install. */
int runner_baseline_available(const char *name, const char *module_dir, char *note,
                              size_t note_size);

/* jemalloc keeps its thread state in initial-exec TLS, which a library
 * loaded with dlopen can only get from glibc's static TLS surplus (512
 * bytes by default, jemalloc needs about 2.6 KiB). The surplus is set by
 * the GLIBC_TUNABLES environment variable when the process starts, so a
 * tool that will load baselines calls this first thing in main: it
 * re-executes the program once with glibc.rtld.optional_static_tls=8192
 * added, and returns when that is already in force (or cannot be done). */
void runner_reserve_static_tls(char **argv);

/* module_dir, or the build's modules/ folder (DMM_MODULE_DIR) when NULL. */
const char *runner_module_dir(const char *module_dir);

/* Checks, before anything runs, that an allocator name can be loaded: a
 * path (it contains a '/') must be a readable file, a name must have its
 * module_dir/libdmm-NAME.so. Returns 0, or -1 with a one-line message
 * (naming the valid allocators for an unknown name) in error. */
int runner_check_allocator(const char *name, const char *module_dir, char *error,
                           size_t error_size);

/* Checking passes side by side, at most (-j N). */
#define RUNNER_MAX_JOBS 64

struct runner_plan {
    const char *const *allocators; /* names or module paths, as on the command line */
    size_t allocator_count;
    const char *module_dir;        /* NULL: the build's modules/ folder */
    const struct trace *traces;    /* parsed already */
    size_t trace_count;
    struct replay_options options; /* for every pair */
    double timeout_seconds;        /* per child process; it is killed after it */
    unsigned jobs;                 /* checking passes run side by side (-j): 0 or 1 for
                                      one at a time, at most RUNNER_MAX_JOBS */
    int show_progress;             /* a line on stderr, rewritten for each pair */
    const char *const *labels;     /* NULL, or one per allocator: the name every message
                                      uses (dmm-grade: the student), not dmm_name() */
    const struct sandbox *sandbox; /* NULL, or every child runs in it (sandbox.h); the
                                      instruction counts (--cost instructions) run under
                                      valgrind, where seccomp cannot be, with the limits only */
    const char *const *policies;   /* NULL, or one per allocator: the placement policy
                                      (allocators/policy.h), set as DMM_POLICY in the child's
                                      environment before the module loads; a NULL entry
                                      leaves the environment alone */
};

struct runner_pair {
    const char *allocator;       /* as on the command line */
    const char *label;           /* plan->labels' entry for it, or NULL */
    const char *policy;          /* plan->policies' entry for it, or NULL */
    const struct trace *trace;
    int load_failed;             /* the module could not be loaded */
    struct replay_result result; /* status and message always set */
};

/* Runs the plan's allocator_count * trace_count pairs into pairs[], in
 * order: first every checking pass (plan->jobs at a time; a pass that
 * fails is run again with the heap checker after every op, recheck.h),
 * then every timing run (one at a time). Returns 0, or -1 with errno when the runner itself could not go
 * on (no shared memory, fork failed); pairs not run then have status FAIL
 * and say so. */
int runner_run(const struct runner_plan *plan, struct runner_pair *pairs);

/* --foreground: the plan's one pair (one allocator, one trace) in the
 * calling process, with no child, no timeout and no sandbox, so that gdb
 * stops in the allocator's code; a failing pass is re-run in the same
 * process as runner_run would (recheck.h), and there is no timing run. A
 * crash ends the calling process: that is the point. Returns 0, or -1 when
 * the module could not be loaded (pair->load_failed, the message says
 * why). foreground.c. */
int runner_run_foreground(const struct runner_plan *plan, struct runner_pair *pair);

/* Stale modules: when the source the module was built from (the build
 * records it next to the module as libdmm-NAME.so.source, cmake/dmm.cmake)
 * is newer than the module, the last build failed or was not run. Returns
 * 1 with a one-line warning in note, 0 when the module is up to date or
 * nothing is recorded. runner_names.c. */
int runner_module_stale(const char *name, const char *module_dir, char *note,
                        size_t note_size);

#endif /* DMM_RUNNER_H */
