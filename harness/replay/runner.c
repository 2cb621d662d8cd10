/*
 * runner.c — every pair (one allocator x one trace) in forked children of
 * its own (runner.h): fork, wait, timeout, the shared-memory handover.
 *
 * Step of the data flow: trace file -> parse -> pair -> [child process] ->
 * checking pass -> timing -> result -> table/CSV/JSON.
 *
 * The jobs of one pair, each in a child: the checking pass (replay_pair);
 * for a baseline, the footprint run; then the timing run (timing.c: a cold
 * replay and --repeat steady replays, in one fresh process). What they
 * hand back becomes figures in measure.c only.
 *
 * The order of work (runner_run):
 *   1. the checking passes and footprint runs of every pair, in pair order,
 *      up to plan->jobs children at a time (-j N): none is timed, so
 *      running them side by side changes no figure;
 *   2. the timing runs, in pair order, one at a time with no other child
 *      running: no two timed replays compete for the CPU, so -j never
 *      changes a time either.
 * Checking passes that print as they go (-v, --heap-map) or write one file
 * per allocator (--heap-map-dir) run one at a time whatever -j says, so
 * their output reads as with -j 1. Results land in pairs[] by index: the
 * table and files come out in the same order for every -j.
 *
 * One job, from the parent's side:
 *
 *   parent                                  child (own process group)
 *   ------                                  -----
 *   handover = shared memory, zeroed
 *   fork ---------------------------------> module_load, replay_pair:
 *   sleep in sigtimedwait(SIGCHLD)            progress -> handover
 *     until the child ends or the deadline    result   -> handover
 *                                             finished = 1; _exit(0)
 *   ended, finished:  take its result
 *   ended by a signal: crash, "crashed with SIGSEGV (...) at op #N ..."
 *   deadline passed:   SIGKILL to its group, "no answer after S s ..."
 *
 * Why these choices
 *   - A fork per job: a crash, a hang or corrupted allocator state ends
 *     that child only, and every allocator starts from a freshly loaded
 *     module.
 *   - Shared memory (MAP_SHARED | MAP_ANONYMOUS, made before the fork) for
 *     the result and the progress: the child writes plain structs, with no
 *     pipe protocol, and the progress survives the child's death.
 *   - SIGCHLD is blocked and waited for with a deadline: the parent sleeps
 *     while its children work, instead of polling on the second core.
 *   - The child's own process group, so a timeout also kills anything the
 *     allocator started. A group outside the terminal's foreground no longer
 *     gets the terminal's Ctrl-C, so the parent passes SIGINT, SIGTERM and
 *     SIGHUP on as SIGKILL to its running children before it dies itself.
 *   - No core files from crashing children (RLIMIT_CORE 0): a grading run
 *     would leave one per broken pair; `dmm-replay --foreground` runs one
 *     pair under gdb instead (foreground.c, docs/debugging.md).
 *   - A checking pass that fails is run once more, in a fresh child, with
 *     the heap checker after every op, up to the op that failed and within
 *     what is left of the pair's timeout (recheck.h): the message then
 *     names the first op after which the heap was already broken.
 * A child that ends without handing back its result is put into words by
 * runner_lost.c.
 */
#define _GNU_SOURCE /* sigabbrev_np: "SEGV" for SIGSEGV */

#include "runner.h"

#include "runner_job.h"

#include "footprint.h"
#include "instructions.h"
#include "measure.h"
#include "recheck.h"
#include "replay.h"
#include "timing.h"
#include "trace.h"

#include <errno.h>
#include <math.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/resource.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

/* The children being run, for the signal handler: 0 where none. */
static volatile sig_atomic_t running_children[RUNNER_MAX_JOBS];

/* The signals on which the parent takes its child down with it. */
static const int fatal_signals[] = {SIGINT, SIGTERM, SIGHUP};
#define FATAL_SIGNAL_COUNT (sizeof fatal_signals / sizeof fatal_signals[0])

/* ---- time ---------------------------------------------------------------- */

static struct timespec deadline_after(double seconds)
{
    struct timespec now;
    clock_gettime(CLOCK_MONOTONIC, &now);
    time_t whole = (time_t)seconds;
    long nanoseconds = now.tv_nsec + (long)((seconds - (double)whole) * 1e9);
    now.tv_sec += whole + nanoseconds / 1000000000L;
    now.tv_nsec = nanoseconds % 1000000000L;
    return now;
}

/* deadline - now; tv_sec < 0 once the deadline has passed. */
static struct timespec time_left(const struct timespec *deadline)
{
    struct timespec now, left;
    clock_gettime(CLOCK_MONOTONIC, &now);
    left.tv_sec = deadline->tv_sec - now.tv_sec;
    left.tv_nsec = deadline->tv_nsec - now.tv_nsec;
    if (left.tv_nsec < 0) {
        left.tv_nsec += 1000000000L;
        left.tv_sec--;
    }
    return left;
}

/* ---- the child ----------------------------------------------------------- */


static _Noreturn void run_child(const struct runner_plan *plan, const struct runner_pair *pair,
                                enum job job, const struct replay_options *options,
                                struct handover *handover, const sigset_t *parent_mask)
{
    setpgid(0, 0); /* also done by the parent: whichever runs first */
    for (size_t i = 0; i < FATAL_SIGNAL_COUNT; i++)
        signal(fatal_signals[i], SIG_DFL);
    /* Outside the foreground group, writing to a terminal with `stty tostop`
     * would stop the child (and look like a hang) unless SIGTTOU is ignored. */
    signal(SIGTTOU, SIG_IGN);
    sigprocmask(SIG_SETMASK, parent_mask, NULL);
    struct rlimit core;
    if (getrlimit(RLIMIT_CORE, &core) == 0) {
        core.rlim_cur = 0;
        setrlimit(RLIMIT_CORE, &core);
    }

    struct allocator_module module;
    char error[sizeof handover->result.message];
    /* The placement policy, where the allocator reads it (policy.h): in
     * the environment, before the module's first call. */
    if (pair->policy != NULL)
        setenv("DMM_POLICY", pair->policy, 1);
    int loaded = plan->sandbox == NULL || sandbox_limit(plan->sandbox, error, sizeof error) == 0;
    handover->loading = loaded; /* dlopen runs the module's constructors */
    loaded = loaded && module_load(pair->allocator, plan->module_dir, &module, error,
                                   sizeof error) == 0;
    handover->loading = 0;
    if (loaded && pair->policy != NULL &&
        module_check_policy(&module, pair->policy, error, sizeof error) != 0)
        loaded = 0;
    if (loaded && pair->label != NULL)
        snprintf(module.reported_name, sizeof module.reported_name, "%s", pair->label);
    /* After loading (dlopen opens files), before the module's first call.
     * Not for a baseline: those are Debian's allocators, not submissions,
     * and glibc's opens /sys files to size its arenas. */
    if (loaded && plan->sandbox != NULL && !runner_is_baseline(pair->allocator) &&
        sandbox_enter(&handover->refused_call, footprint_open_maps(), error, sizeof error) != 0)
        loaded = 0;
    if (loaded) {
        snprintf(handover->name, sizeof handover->name, "%s", module.reported_name);
        handover->is_baseline = module.footprint_method != NULL;
        int done = 0;
        if (job == JOB_CHECK || job == JOB_RECHECK) {
            replay_pair(&module, pair->trace, options, &handover->result, &handover->progress);
        } else if (job == JOB_FOOTPRINT) {
            done = timing_footprint(&module, pair->trace, &handover->progress,
                                    &handover->footprint);
        } else {
            done = timing_replay(&module, pair->trace, plan->options.repeat,
                                 &handover->progress, &handover->timing);
        }
        if (done != 0)
            _exit(3); /* no memory or thread: the parent reports the exit */
    } else {
        handover->result.status = REPLAY_FAIL;
        handover->result.ops = pair->trace->op_count;
        snprintf(handover->result.message, sizeof handover->result.message, "%s", error);
        handover->load_failed = 1;
    }
    handover->finished = 1;
    fflush(stdout); /* -v and --heap-map print; _exit does not flush */
    fflush(stderr);
    _exit(0);
}

/* ---- the parent ---------------------------------------------------------- */

static void kill_child_and_die(int signal_number)
{
    for (size_t i = 0; i < RUNNER_MAX_JOBS; i++) {
        pid_t child = (pid_t)running_children[i];
        if (child > 0) {
            kill(-child, SIGKILL);
            kill(child, SIGKILL); /* in case its group did not exist yet */
            waitpid(child, NULL, 0); /* leave no zombie behind */
        }
    }
    /* The handler was installed with SA_RESETHAND: the signal, raised again,
     * is blocked until this returns, and then takes the default action. */
    raise(signal_number);
}

/* Waits for the child until the deadline. SIGCHLD is blocked, so it stays
 * pending and sigtimedwait sleeps until it comes or time is up. Returns 1
 * when the child ended (*status set), 0 at the deadline, -1 on error. */
static int wait_until(pid_t child, const struct timespec *deadline, int *status)
{
    sigset_t child_ended;
    sigemptyset(&child_ended);
    sigaddset(&child_ended, SIGCHLD);
    for (;;) {
        pid_t done = waitpid(child, status, WNOHANG);
        if (done == child)
            return 1;
        if (done < 0 && errno != EINTR)
            return -1;
        struct timespec left = time_left(deadline);
        if (left.tv_sec < 0)
            return 0;
        if (sigtimedwait(&child_ended, NULL, &left) < 0 && errno != EAGAIN && errno != EINTR)
            return -1;
    }
}

/* A job in flight: its child, the pair and the handover it writes. */
struct slot {
    pid_t child;                /* 0: free */
    size_t pair;                /* index in pairs[] */
    enum job job;
    struct timespec deadline;
    double seconds;             /* it was given, from start to deadline */
    struct handover *handover;  /* this slot's own, in shared memory */
    struct trace view;          /* JOB_RECHECK: the trace up to the op that failed */
    struct replay_options again;/* JOB_RECHECK: its options */
    int said_fd;                /* the child's stderr, a memfd read when it ends; -1: none */
};

/* Starts one job of a pair in a child, in slot number `index`, with
 * `seconds` until its deadline. A re-run (JOB_RECHECK) replays the pair's
 * failed result's ops only (recheck.h). Returns 0, or -1 with errno if no
 * child could be made. */
static int start_job(const struct runner_plan *plan, const struct runner_pair *pair,
                     size_t pair_index, enum job job, struct slot *slot, size_t index,
                     double seconds, const sigset_t *parent_mask)
{
    memset(slot->handover, 0, sizeof *slot->handover);
    struct runner_pair as_run = *pair;
    const struct replay_options *options = &plan->options;
    if (job == JOB_RECHECK) {
        recheck_prepare(pair->trace, &pair->result, &plan->options, &slot->view, &slot->again);
        as_run.trace = &slot->view;
        options = &slot->again;
    }
    /* The child's stderr goes to a file of its own, read when the child
     * ends (take_said): an allocator's last words before abort() then go
     * into the pair's message, and never into the middle of the progress
     * line. Not with --sandbox, which discards the module's output. */
    slot->said_fd = plan->sandbox == NULL ? memfd_create("dmm-replay-stderr", MFD_CLOEXEC) : -1;
    fflush(NULL); /* else the child would inherit, and print again, our buffered output */
    pid_t child = fork();
    if (child < 0) {
        int saved = errno;
        if (slot->said_fd >= 0)
            close(slot->said_fd);
        errno = saved;
        return -1;
    }
    if (child == 0) {
        if (slot->said_fd >= 0)
            dup2(slot->said_fd, STDERR_FILENO);
        run_child(plan, &as_run, job, options, slot->handover, parent_mask);
    }
    setpgid(child, child);
    running_children[index] = (sig_atomic_t)child;
    slot->child = child;
    slot->pair = pair_index;
    slot->job = job;
    slot->seconds = seconds;
    slot->deadline = deadline_after(seconds);
    return 0;
}

/* Takes down a child whose deadline passed (or that could not be waited
 * for), and reaps it. */
static void kill_job(struct slot *slot, int *status)
{
    kill(-slot->child, SIGKILL);
    kill(slot->child, SIGKILL);
    while (waitpid(slot->child, status, 0) < 0 && errno == EINTR)
        continue;
}

/* What an ended job (ended: 1 if it exited or died, 0 if it was killed at
 * its deadline) leaves: 1 when the child finished and handed over its
 * result, 0 when it was lost (pair->result then says how). Frees the slot. */
static int finish_job(const struct runner_plan *plan, struct runner_pair *pair, struct slot *slot,
                      size_t index, int ended, int status)
{
    running_children[index] = 0;
    slot->child = 0;
    runner_take_said(&slot->said_fd, plan->show_progress, slot->handover);
    int finished = ended && WIFEXITED(status) && WEXITSTATUS(status) == 0
                && slot->handover->finished;
    if (slot->job == JOB_RECHECK) {
        /* The re-run's outcome, whatever it is, becomes a sentence of the
         * first pass's message; the pair keeps its first result. */
        struct runner_pair again = *pair;
        again.trace = &slot->view;
        if (finished)
            again.result = slot->handover->result;
        else
            runner_report_lost(&again, plan, JOB_RECHECK, slot->handover, ended, status);
        recheck_merge(&pair->result, &again.result, &slot->view, slot->seconds);
        return 0;
    }
    if (finished)
        return 1;
    runner_report_lost(pair, plan, slot->job, slot->handover, ended, status);
    return 0;
}

/* Runs one job of a pair in slot 0 and waits for it, with nothing else
 * running. Returns 1 when the child finished and handed over its result, 0
 * when it was lost (pair->result then says how), -1 with errno if no child
 * could be run. */
static int run_job(const struct runner_plan *plan, struct runner_pair *pair, size_t pair_index,
                   enum job job, struct slot *slot, const sigset_t *parent_mask)
{
    if (start_job(plan, pair, pair_index, job, slot, 0, plan->timeout_seconds, parent_mask) != 0)
        return -1;
    int status = 0;
    int ended = wait_until(slot->child, &slot->deadline, &status);
    if (ended <= 0) {
        int saved = errno;
        kill_job(slot, &status);
        if (ended < 0) {
            running_children[0] = 0;
            slot->child = 0;
            errno = saved;
            return -1;
        }
    }
    return finish_job(plan, pair, slot, 0, ended, status);
}

/* A checking or footprint job has ended and handed over: what it means for
 * the pair. Returns 1 when the pair has a footprint run still to do. */
static int take_untimed(struct runner_pair *pair, enum job job, const struct handover *handover)
{
    if (job == JOB_CHECK) {
        pair->result = handover->result;
        pair->load_failed = handover->load_failed;
        return pair->result.status == REPLAY_OK && handover->is_baseline;
    }
    measure_baseline_footprint(&pair->result, &handover->footprint);
    return 0;
}

static void mark_not_run(struct runner_pair *pair, const char *why)
{
    pair->result = (struct replay_result){.status = REPLAY_FAIL, .ops = pair->trace->op_count};
    snprintf(pair->result.message, sizeof pair->result.message, "%s on %s: not run: %s",
             pair->label != NULL ? pair->label : pair->allocator, pair->trace->path, why);
}

/* Where a pair is in the first step of runner_run. */
enum untimed_state {
    CHECK_WAITING,     /* its checking pass not started yet */
    RUNNING,           /* a job of it is in a child */
    FOOTPRINT_WAITING, /* a baseline that passed: its footprint run not started yet */
    RECHECK_WAITING,   /* failed: its re-run checked after every op not started yet */
    UNTIMED_DONE,      /* checked (and measured), or not run */
};

static void show_progress(const struct runner_plan *plan, const char *what, size_t i,
                          size_t total, const struct runner_pair *pair)
{
    if (!plan->show_progress)
        return;
    const char *base = strrchr(pair->trace->path, '/');
    fprintf(stderr, "\r%s pair %zu/%zu: %s on %s\033[K", what, i + 1, total, pair->allocator,
            base != NULL ? base + 1 : pair->trace->path);
}

/* The next job to start in step 1: a waiting footprint run first (it
 * finishes a pair), else the next checking pass. Returns 0 with *pair and
 * *job, or -1 when nothing waits. A pair whose allocator failed to load
 * for an earlier trace takes that result without running: the module will
 * not load for this trace either. */
static int next_untimed(const struct runner_plan *plan, struct runner_pair *pairs, size_t total,
                        enum untimed_state *state, size_t *next_check, size_t *pair,
                        enum job *job)
{
    for (size_t i = 0; i < *next_check; i++)
        if (state[i] == FOOTPRINT_WAITING || state[i] == RECHECK_WAITING) {
            *pair = i;
            *job = state[i] == FOOTPRINT_WAITING ? JOB_FOOTPRINT : JOB_RECHECK;
            return 0;
        }
    while (*next_check < total) {
        size_t i = (*next_check)++;
        size_t first = i - i % plan->trace_count; /* the allocator's first pair */
        int copied = 0;
        for (size_t j = first; j < i && !copied; j++)
            if (state[j] == UNTIMED_DONE && pairs[j].load_failed) {
                pairs[i].result = pairs[j].result;
                pairs[i].result.ops = pairs[i].trace->op_count;
                pairs[i].load_failed = 1;
                state[i] = UNTIMED_DONE;
                copied = 1;
            }
        if (copied)
            continue;
        *pair = i;
        *job = JOB_CHECK;
        return 0;
    }
    return -1;
}

/* Step 1 of runner_run: every checking pass and footprint run, up to
 * slot_count at a time. Returns 0, or -1 with errno when a child could not
 * be made (the pairs not run are then marked so). */
static int run_untimed(const struct runner_plan *plan, struct runner_pair *pairs, size_t total,
                       struct slot *slots, size_t slot_count, const sigset_t *parent_mask)
{
    enum untimed_state *state = calloc(total != 0 ? total : 1, sizeof *state);
    double *budget = calloc(total != 0 ? total : 1, sizeof *budget); /* a re-run's seconds */
    if (state == NULL || budget == NULL) {
        free(state), free(budget);
        return -1;
    }
    size_t next_check = 0, running = 0;
    int failed = 0, saved = 0;
    for (;;) {
        for (size_t s = 0; s < slot_count && !failed; s++) {
            size_t i;
            enum job job;
            if (slots[s].child != 0 ||
                next_untimed(plan, pairs, total, state, &next_check, &i, &job) != 0)
                continue;
            show_progress(plan, job == JOB_CHECK     ? "checking"
                                : job == JOB_RECHECK ? "re-checking"
                                                     : "footprint",
                          i, total, &pairs[i]);
            double seconds = job == JOB_RECHECK ? budget[i] : plan->timeout_seconds;
            if (start_job(plan, &pairs[i], i, job, &slots[s], s, seconds, parent_mask) != 0) {
                saved = errno;
                failed = 1;
                mark_not_run(&pairs[i], strerror(saved));
                state[i] = UNTIMED_DONE;
                break;
            }
            state[i] = RUNNING;
            running++;
        }
        if (running == 0)
            break;

        /* Sleep until a child ends or the nearest deadline. */
        struct timespec nearest = {0, 0};
        int any = 0;
        for (size_t s = 0; s < slot_count; s++)
            if (slots[s].child != 0 &&
                (!any || slots[s].deadline.tv_sec < nearest.tv_sec ||
                 (slots[s].deadline.tv_sec == nearest.tv_sec &&
                  slots[s].deadline.tv_nsec < nearest.tv_nsec))) {
                nearest = slots[s].deadline;
                any = 1;
            }
        sigset_t child_ended;
        sigemptyset(&child_ended);
        sigaddset(&child_ended, SIGCHLD);
        struct timespec left = time_left(&nearest);
        if (left.tv_sec >= 0)
            sigtimedwait(&child_ended, NULL, &left);

        for (size_t s = 0; s < slot_count; s++) {
            struct slot *slot = &slots[s];
            if (slot->child == 0)
                continue;
            int status = 0;
            pid_t done = waitpid(slot->child, &status, WNOHANG);
            int ended = done == slot->child;
            if (!ended && done == 0 && time_left(&slot->deadline).tv_sec >= 0)
                continue; /* still working, in time */
            if (!ended)
                kill_job(slot, &status); /* past its deadline, or cannot be waited for */
            size_t i = slot->pair;
            enum job job = slot->job;
            running--;
            state[i] = UNTIMED_DONE;
            /* What is left of the pair's timeout: the re-run's, at least a second. */
            struct timespec rest = time_left(&slot->deadline);
            budget[i] = (double)rest.tv_sec + (double)rest.tv_nsec / 1e9;
            budget[i] = budget[i] > 1.0 ? budget[i] : 1.0;
            int handed_over = finish_job(plan, &pairs[i], slot, s, ended, status) == 1;
            if (handed_over && take_untimed(&pairs[i], job, slot->handover))
                state[i] = FOOTPRINT_WAITING;
            else if (job == JOB_CHECK && !pairs[i].load_failed &&
                     recheck_wanted(&plan->options, pairs[i].trace, &pairs[i].result))
                state[i] = RECHECK_WAITING;
        }
    }
    if (failed)
        for (size_t i = 0; i < total; i++)
            if ((state[i] != UNTIMED_DONE && state[i] != RECHECK_WAITING) || i >= next_check)
                mark_not_run(&pairs[i], strerror(saved));
    free(state);
    free(budget);
    errno = saved;
    return failed ? -1 : 0;
}

/* Step 2 of runner_run: the timing run of every pair that passed, one at a
 * time, with no other child running. Returns 0, or -1 with errno when a
 * child could not be made (the pairs not timed are then marked not run). */
static int run_timed(const struct runner_plan *plan, struct runner_pair *pairs, size_t total,
                     struct slot *slot, const sigset_t *parent_mask)
{
    for (size_t i = 0; i < total; i++) {
        struct runner_pair *pair = &pairs[i];
        if (plan->options.repeat == 0 || pair->result.status != REPLAY_OK)
            continue;
        show_progress(plan, "timing", i, total, pair);
        int done = run_job(plan, pair, i, JOB_TIME, slot, parent_mask);
        if (done == 1) {
            measure_timing(&pair->result, &slot->handover->timing);
        } else if (done < 0) {
            int saved = errno;
            for (size_t j = i; j < total; j++)
                if (pairs[j].result.status == REPLAY_OK)
                    mark_not_run(&pairs[j], strerror(saved));
            errno = saved;
            return -1;
        }
    }
    return 0;
}

int runner_run(const struct runner_plan *plan, struct runner_pair *pairs)
{
    size_t total = plan->allocator_count * plan->trace_count;
    for (size_t i = 0; i < total; i++)
        pairs[i] = (struct runner_pair){
            .allocator = plan->allocators[i / plan->trace_count],
            .label = plan->labels != NULL ? plan->labels[i / plan->trace_count] : NULL,
            .policy = plan->policies != NULL ? plan->policies[i / plan->trace_count] : NULL,
            .trace = &plan->traces[i % plan->trace_count],
        };

    /* Checking passes that print or share a file run one at a time. */
    const struct replay_options *o = &plan->options;
    size_t slot_count = plan->jobs > 1 ? plan->jobs : 1;
    if (slot_count > RUNNER_MAX_JOBS)
        slot_count = RUNNER_MAX_JOBS;
    if (o->verbose || o->heap_map || o->heap_map_dir != NULL)
        slot_count = 1;

    struct slot slots[RUNNER_MAX_JOBS];
    struct handover *handovers = mmap(NULL, slot_count * sizeof *handovers,
                                      PROT_READ | PROT_WRITE, MAP_SHARED | MAP_ANONYMOUS, -1, 0);
    if (handovers == MAP_FAILED) {
        int saved = errno;
        for (size_t i = 0; i < total; i++)
            mark_not_run(&pairs[i], strerror(saved));
        errno = saved;
        return -1;
    }
    for (size_t s = 0; s < slot_count; s++)
        slots[s] = (struct slot){.child = 0, .handover = &handovers[s]};

    struct sigaction kill_child = {.sa_handler = kill_child_and_die, .sa_flags = SA_RESETHAND};
    struct sigaction previous[FATAL_SIGNAL_COUNT], previous_child;
    for (size_t i = 0; i < FATAL_SIGNAL_COUNT; i++)
        sigaction(fatal_signals[i], &kill_child, &previous[i]);
    /* An inherited SIG_IGN for SIGCHLD would reap children behind our back. */
    sigaction(SIGCHLD, &(struct sigaction){.sa_handler = SIG_DFL}, &previous_child);
    sigset_t child_ended, parent_mask;
    sigemptyset(&child_ended);
    sigaddset(&child_ended, SIGCHLD);
    sigprocmask(SIG_BLOCK, &child_ended, &parent_mask);

    int result = run_untimed(plan, pairs, total, slots, slot_count, &parent_mask);
    if (result == 0)
        result = run_timed(plan, pairs, total, &slots[0], &parent_mask);
    if (result == 0 && plan->options.count_instructions) /* after the clocks: -j may apply */
        result = instructions_run(plan, pairs, total);
    int saved = errno;
    if (plan->show_progress)
        fprintf(stderr, "\r\033[K");

    sigprocmask(SIG_SETMASK, &parent_mask, NULL);
    for (size_t i = 0; i < FATAL_SIGNAL_COUNT; i++)
        sigaction(fatal_signals[i], &previous[i], NULL);
    sigaction(SIGCHLD, &previous_child, NULL);
    munmap(handovers, slot_count * sizeof *handovers);
    errno = result != 0 ? saved : 0;
    return result;
}
