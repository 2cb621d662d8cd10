/*
 * runner_job.h — inside the runner (runner.c): what a pair's child does,
 * what it hands back through shared memory, and the message for a child
 * that ended without handing anything back (runner_lost.c).
 *
 * Step of the data flow: trace file -> parse -> pair -> [child process] ->
 * checking pass -> timing -> result -> table/CSV/JSON.
 *
 * Private to runner.c and runner_lost.c: the tools see runner.h only.
 */
#ifndef DMM_RUNNER_JOB_H
#define DMM_RUNNER_JOB_H

#include "runner.h"
#include "timing.h"

/* What a child does: each runs in a process of its own, so that a crash
 * or hang ends only it, and so that every timing run starts fresh. */
enum job {
    JOB_CHECK,     /* the checking pass and everything it measures */
    JOB_FOOTPRINT, /* a baseline's footprint, by its own statistics (timing.c) */
    JOB_TIME,      /* the timing run (timing.c) */
    JOB_RECHECK,   /* a failed checking pass again, checked after every op (recheck.h) */
};

#define NAME_BYTES 64 /* of an allocator's dmm_name(), as struct allocator_module keeps it */

/* What a child hands back. Written by the child only; read by the parent
 * once the child has ended, so no locking is needed. */
struct handover {
    struct replay_progress progress; /* where the child is: survives a crash */
    struct replay_result result;     /* complete only when finished */
    struct timing_run timing;        /* the timing run's */
    struct dmm_stats footprint;      /* a baseline's footprint run's */
    volatile int is_baseline;        /* the module measures its own footprint */
    volatile int finished;           /* replay_pair returned */
    volatile int load_failed;        /* module_load failed; result.message says why */
    volatile int loading;            /* module_load has not returned yet: a child that dies
                                        now dies in the module's constructor */
    volatile long refused_call;      /* the sandbox refused this system call, plus one */
    char name[NAME_BYTES];           /* dmm_name() of the loaded module, for messages */
    char said[256];                  /* the child's last line on stderr (an allocator's
                                        "free(): ..." before abort()), put here by the
                                        parent once the child has ended; "" if none */
};

/* The result of a child that did not hand one over (ended: 1 if it exited
 * or died, 0 if it was killed at its deadline; status: waitpid's), into
 * pair->result in replay_fail's shape: a crash, a timeout, a sandbox
 * refusal, or a module that could not be loaded (pair->load_failed). */
/* The ended child's stderr, a memfd (*fd; -1: none): echoed on ours (the
 * progress line cleared first when show_progress), its last line kept in
 * handover->said; closes *fd and sets it to -1 (runner_lost.c). */
void runner_take_said(int *fd, int show_progress, struct handover *handover);

void runner_report_lost(struct runner_pair *pair, const struct runner_plan *plan, enum job job,
                        const struct handover *handover, int ended, int status);

#endif /* DMM_RUNNER_JOB_H */
