/*
 * recheck.c — the re-run of a failed pair with the heap checker after
 * every operation (recheck.h), and the sentence it adds to the message.
 *
 * Step of the data flow: trace file -> parse -> pair -> child process ->
 * checking pass [failed: once more, checked after every op] -> result.
 *
 * The re-run is an ordinary checking pass (replay_pair) on a view of the
 * trace that ends at the op that failed: it runs in a fresh child of the
 * runner (runner.c) or, with --foreground, in dmm-replay itself
 * (foreground.c). The allocators are deterministic, so the re-run meets the
 * same heap op for op, and the first check that fails names the first op
 * after which the heap was already broken.
 */
#include "recheck.h"

#include "describe.h"

#include <stdint.h>
#include <stdio.h>
#include <string.h>

/* The ops the re-run replays: up to and including the one that failed;
 * the whole trace when the failure had no op (a check after the end). */
static size_t ops_to_replay(const struct trace *trace, const struct replay_result *first)
{
    return first->last_op != 0 && first->last_op <= trace->op_count ? (size_t)first->last_op
                                                                     : trace->op_count;
}

int recheck_wanted(const struct replay_options *options, const struct trace *trace,
                   const struct replay_result *first)
{
    if (first->status != REPLAY_FAIL && first->status != REPLAY_CRASH)
        return 0; /* ok, or a timeout: a slower pass would time out too */
    if (options->check_every == 1 || options->checked || options->heap_map ||
        options->heap_map_dir != NULL)
        return 0; /* the first pass checked after every op already */
    if (first->last_op == 0)
        return 0; /* no op to blame: a check after the end (dmm_stats against the heap
                     section), or a child that died before its first op */
    return ops_to_replay(trace, first) >= 2;
}

void recheck_prepare(const struct trace *trace, const struct replay_result *first,
                     const struct replay_options *options, struct trace *view,
                     struct replay_options *again_options)
{
    *view = *trace;
    view->op_count = ops_to_replay(trace, first);
    view->warning = NULL; /* said once already */
    *again_options = (struct replay_options){
        .repeat = 0,
        .check_every = 1,
        .series_points = options->series_points,
    };
}

/* "line 23, op #17 (free id 4)" for op index i of trace. */
static void describe_where(char *text, size_t size, const struct trace *trace, size_t i)
{
    const struct trace_op *op = &trace->ops[i];
    char desc[96];
    describe_op(desc, sizeof desc, op, trace_id_of(trace, op));
    snprintf(text, size, "line %lu, op #%zu (%s)", (unsigned long)op->line, i + 1, desc);
}

/* What replay_fail put after "ALLOCATOR on TRACE line L, op #N (...): ":
 * the message without its prefix, found by the op's own words. */
static const char *what_of(const struct replay_result *again, const struct trace *view)
{
    if (again->last_op == 0 || again->last_op > view->op_count) {
        const char *colon = strstr(again->message, ": ");
        return colon != NULL ? colon + 2 : again->message;
    }
    char where[160];
    describe_where(where, sizeof where, view, (size_t)(again->last_op - 1));
    const char *at = strstr(again->message, where);
    if (at == NULL)
        return again->message;
    at += strlen(where);
    return strncmp(at, ": ", 2) == 0 ? at + 2 : at;
}

void recheck_merge(struct replay_result *first, const struct replay_result *again,
                   const struct trace *view, double timeout_seconds)
{
    char sentence[2 * sizeof first->message];
    const char *lead = "; re-run with a check after every operation";
    if (again->status == REPLAY_TIMEOUT) {
        snprintf(sentence, sizeof sentence,
                 "%s: no failure in the %llu ops it reached before its %g s ran out", lead,
                 (unsigned long long)(again->last_op != 0 ? again->last_op - 1 : 0),
                 timeout_seconds);
    } else if (again->status == REPLAY_OK) {
        snprintf(sentence, sizeof sentence, "%s: no failure up to op #%zu (the failure above "
                 "depends on something outside the trace)", lead, view->op_count);
    } else if (again->last_op != 0 && again->last_op < (first->last_op != 0
                                                         ? first->last_op
                                                         : (uint64_t)view->op_count + 1)) {
        char where[160];
        describe_where(where, sizeof where, view, (size_t)(again->last_op - 1));
        snprintf(sentence, sizeof sentence, "%s: the first failure is at %s: %s", lead, where,
                 what_of(again, view));
    } else {
        snprintf(sentence, sizeof sentence, "%s: nothing is found wrong before this op",
                 lead);
    }
    /* Short of room, the first pass's pointer to gdb goes (stderr repeats
     * it): the first bad op is what the student needs. */
    static const char hint[] = RECHECK_GDB_HINT;
    char *at = strstr(first->message, hint);
    if (at != NULL && strlen(first->message) + strlen(sentence) >= sizeof first->message)
        memmove(at, at + strlen(hint), strlen(at + strlen(hint)) + 1);
    size_t used = strlen(first->message);
    snprintf(first->message + used, sizeof first->message - used, "%s", sentence);
}
