/*
 * runner_lost.c — the message for a pair's child that ended without handing
 * back its result (runner_job.h): it crashed, hung past its deadline, was
 * refused a system call by the sandbox, or died loading its module.
 *
 * Step of the data flow: trace file -> parse -> pair -> [child process:
 * lost] -> result -> table/CSV/JSON.
 *
 * Nothing the child measured is trusted; only the trace's size, where
 * the child's progress said it was and its last line on stderr (kept by
 * runner_take_said: an allocator's words before abort()) remain, and the
 * message says which option finds the cause.
 */
#define _GNU_SOURCE /* sigabbrev_np: "SEGV" for SIGSEGV */

#include "runner_job.h"

#include "recheck.h"

#include <math.h>
#include <signal.h>
#include <stdio.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

/* " (the trace has 20,000,000 operations: ...)": a timeout may only mean
 * that the trace is long for the time allowed. */
static void lost_hint(char *hint, size_t size, size_t op_count)
{
    char count[32], grouped[48];
    int digits = snprintf(count, sizeof count, "%zu", op_count);
    size_t used = 0;
    for (int i = 0; i < digits; i++) {
        if (i > 0 && (digits - i) % 3 == 0)
            grouped[used++] = ',';
        grouped[used++] = count[i];
    }
    grouped[used] = '\0';
    snprintf(hint, size, " (the trace has %s operation%s: --timeout SECONDS allows longer; "
                         "-v prints each operation as it runs)", grouped, op_count == 1 ? "" : "s");
}

/* The result of a child that did not hand one over. Nothing it measured is
 * trusted: only the trace's size and where the child stopped remain. The
 * message has replay_fail's shape, "ALLOCATOR on TRACE line L, op #N
 * (malloc id 5, 100 bytes): WHAT", like every other failure. The timing
 * pass publishes its progress only now and then, so there the op is where
 * the child was last seen, not necessarily where it stopped. */
void runner_report_lost(struct runner_pair *pair, const struct runner_plan *plan, enum job job,
                        const struct handover *handover, int ended, int status)
{
    uint64_t op = handover->progress.op;
    uint32_t line = handover->progress.line;
    int timing = handover->progress.timing;
    /* A label first: the child may have died before it knew its name. */
    const char *allocator = pair->label != NULL       ? pair->label
                            : handover->name[0] != '\0' ? handover->name
                                                       : pair->allocator;
    static const char *const phases[] = {"the checking pass", "the footprint run",
                                         "the timing run",
                                         "the re-run checked after every operation"};

    char what[512], when[128];
    if (op == 0)
        snprintf(when, sizeof when, "before the first operation of %s", phases[job]);
    else if (timing)
        snprintf(when, sizeof when, "in %s, last seen at op #%llu (line %lu)", phases[job],
                 (unsigned long long)op, (unsigned long)line);
    else
        snprintf(when, sizeof when, "in %s", phases[job]);

    enum replay_status lost = REPLAY_CRASH;
    int crashed = 0; /* by a signal of its own, not the sandbox's */
    if (!ended) {
        lost = REPLAY_TIMEOUT;
        snprintf(what, sizeof what, "no answer after %g s", plan->timeout_seconds);
    } else if (handover->refused_call != 0) {
        sandbox_refusal(handover->refused_call - 1, what, sizeof what);
    } else if (plan->sandbox != NULL && WIFSIGNALED(status) && WTERMSIG(status) == SIGXFSZ) {
        snprintf(what, sizeof what, "wrote to a file, which the sandbox does not allow (SIGXFSZ)");
    } else if (plan->sandbox != NULL && WIFSIGNALED(status) && WTERMSIG(status) == SIGXCPU) {
        snprintf(what, sizeof what, "used up the sandbox's %g s of CPU time (SIGXCPU)",
                 ceil(plan->sandbox->cpu_seconds) + 1);
    } else if (WIFSIGNALED(status)) {
        crashed = 1;
        int signal_number = WTERMSIG(status);
        const char *abbreviation = sigabbrev_np(signal_number);
        const char *description = strsignal(signal_number);
        if (abbreviation != NULL)
            snprintf(what, sizeof what, "crashed with SIG%s (%s)", abbreviation,
                     description != NULL ? description : "?");
        else
            snprintf(what, sizeof what, "crashed with signal %d", signal_number);
    } else if (WIFEXITED(status) && WEXITSTATUS(status) == 3) {
        snprintf(what, sizeof what, "the harness could not get memory or a thread");
    } else {
        /* The allocator called exit(), or the child returned without
         * finishing: no result to trust either way. */
        snprintf(what, sizeof what, "exited with status %d before the replay finished",
                 WIFEXITED(status) ? WEXITSTATUS(status) : -1);
    }

    /* What the allocator said last on stderr, when it died or exited on
     * its own: a heap corruption report ("bins: free(): ...") says why. */
    if (ended && handover->said[0] != '\0' && handover->refused_call == 0) {
        size_t used = strlen(what);
        snprintf(what + used, sizeof what - used, ", after it said \"%s\"", handover->said);
    }

    pair->result = (struct replay_result){.ops = pair->trace->op_count};
    if (handover->loading) {
        /* Died (or hung) inside dlopen: the module cannot be loaded, as if
         * dlopen had failed; dmm-replay then exits 2, not 1. */
        pair->load_failed = 1;
        pair->result.status = REPLAY_FAIL;
        snprintf(pair->result.message, sizeof pair->result.message,
                 "cannot load allocator '%s': its constructor %s%s", pair->allocator,
                 ended ? "" : "gave ", what);
        return;
    }
    /* Which option would find the cause: a crash is most often a heap
     * broken some operations earlier; a timeout may be a trace that is
     * only long for the time allowed. */
    char hint[160] = "";
    if (!ended)
        lost_hint(hint, sizeof hint, pair->trace->op_count);
    else if (crashed && job != JOB_RECHECK)
        snprintf(hint, sizeof hint, "%s", RECHECK_GDB_HINT);
    size_t blamed = op != 0 && !timing ? (size_t)(op - 1) : pair->trace->op_count;
    replay_fail(allocator, pair->trace, blamed, &pair->result, "%s %s%s", what, when, hint);
    pair->result.status = lost;
    pair->result.last_op = op;
    pair->result.last_line = line;
}

/* What the ended child wrote on stderr: shown on ours as before (the
 * progress line cleared first), and its last line kept in the handover for
 * the pair's message. Closes *fd and sets it to -1. */
void runner_take_said(int *fd, int show_progress, struct handover *handover)
{
    char *said = handover->said, text[4096];
    said[0] = '\0';
    if (*fd < 0)
        return;
    off_t at = 0;
    ssize_t got;
    int shown = 0;
    while ((got = pread(*fd, text, sizeof text - 1, at)) > 0) {
        if (!shown && show_progress)
            fprintf(stderr, "\r\033[K");
        shown = 1;
        fwrite(text, 1, (size_t)got, stderr);
        at += got;
        text[got] = '\0';
        /* The last non-empty line of this piece (a line cut between two
         * pieces keeps its end only). */
        char *end = text + got;
        while (end > text && end[-1] == '\n')
            *--end = '\0';
        char *start = end;
        while (start > text && start[-1] != '\n')
            start--;
        if (end > start) {
            size_t length = (size_t)(end - start), room = sizeof handover->said - 1;
            length = length < room ? length : room; /* a long line is cut */
            memcpy(said, start, length);
            said[length] = '\0';
        }
    }
    close(*fd);
    *fd = -1;
}
