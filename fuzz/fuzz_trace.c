/*
 * fuzz_trace.c — libFuzzer target for trace_parse (harness/replay/trace.c).
 *
 * Any bytes go in; what must stay true whatever they are (trace.h):
 *
 *   1. the parser returns 0 or -1, and never reads outside the bytes
 *      (libFuzzer hands them in a buffer of exactly their length, so
 *      AddressSanitizer catches a read one past the end);
 *   2. -1: one line of message, "PATH:..." ; the trace is empty and owns
 *      nothing (LeakSanitizer checks that nothing was left allocated);
 *   3. 0: every op is well formed (a kind of a/c/r/f, a slot below
 *      slot_count, or TRACE_NO_SLOT for `f -1`, sizes within TRACE_MAX_SIZE,
 *      lines increasing) and obeys the liveness rules a replay relies on:
 *      a and c take an ID that is not live, f one that is; and the slots'
 *      IDs are distinct and within TRACE_MAX_ID.
 *
 * A broken rule is an abort() with the reason on stderr: libFuzzer saves the
 * input as a crash, like a sanitizer's report. docs/fuzzing.md: how to run it.
 */
#include "trace.h"

#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define PATH "fuzz/input.trace" /* as a user would name a trace: a folder, an extension */

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static void broken(const char *rule, size_t index)
{
    fprintf(stderr, "fuzz-trace: broken rule: %s (op or slot %zu)\n", rule, index);
    abort();
}

static void check_rejected(const struct trace *trace, const char *error)
{
    size_t prefix = strlen(PATH ":");
    if (strncmp(error, PATH ":", prefix) != 0 || strlen(error) <= prefix)
        broken("a message starts with the path and says something", 0);
    if (strchr(error, '\n') != NULL)
        broken("a message is one line", 0);
    if (trace->path != NULL || trace->name != NULL || trace->ops != NULL ||
        trace->op_count != 0 || trace->slot_ids != NULL || trace->slot_count != 0 ||
        trace->warning != NULL)
        broken("a rejected trace is empty", 0);
}

static void check_accepted(const struct trace *trace)
{
    if (trace->path == NULL || strcmp(trace->path, PATH) != 0 || trace->name == NULL ||
        strcmp(trace->name, "input") != 0)
        broken("path and name kept", 0);
    /* A dmm trace may carry a warning: a dmm-record trace without its end
     * marker (cut short) says so. */
    if (trace->format == TRACE_FORMAT_DMM && trace->rep_weight != -1)
        broken("a dmm trace has no .rep weight", 0);
    if (trace->warning != NULL && strncmp(trace->warning, PATH, strlen(PATH)) != 0)
        broken("a warning starts with the path", 0);
    if (trace->slot_count > trace->op_count)
        broken("every slot is used by an op", trace->slot_count);
    for (size_t slot = 0; slot < trace->slot_count; slot++)
        if (trace->slot_ids[slot] > TRACE_MAX_ID)
            broken("IDs within TRACE_MAX_ID", slot);

    /* The distinct IDs: sorted, no two alike (a hash-table slip would give
     * one ID two slots, and the replay two blocks for it). */
    if (trace->slot_count > 1) {
        uint64_t *ids = malloc(trace->slot_count * sizeof *ids);
        if (ids == NULL)
            abort();
        memcpy(ids, trace->slot_ids, trace->slot_count * sizeof *ids);
        for (size_t i = 1; i < trace->slot_count; i++) /* insertion sort: inputs are small */
            for (size_t j = i; j > 0 && ids[j - 1] > ids[j]; j--) {
                uint64_t swap = ids[j];
                ids[j] = ids[j - 1];
                ids[j - 1] = swap;
            }
        for (size_t i = 1; i < trace->slot_count; i++)
            if (ids[i] == ids[i - 1])
                broken("one slot per ID", i);
        free(ids);
    }

    unsigned char *live = calloc(trace->slot_count + 1, 1);
    if (live == NULL)
        abort();
    uint32_t previous_line = 0;
    for (size_t i = 0; i < trace->op_count; i++) {
        const struct trace_op *op = &trace->ops[i];
        if (op->line <= previous_line)
            broken("lines increase", i);
        previous_line = op->line;
        if (op->size > TRACE_MAX_SIZE || op->nmemb > TRACE_MAX_SIZE)
            broken("sizes within TRACE_MAX_SIZE", i);
        if ((op->kind != 'c' && op->nmemb != 0) || (op->kind == 'f' && op->size != 0))
            broken("only c has NMEMB, f has no size", i);
        if (op->slot == TRACE_NO_SLOT) {
            if (op->kind != 'f')
                broken("only f -1 has no slot", i);
            continue;
        }
        if (op->slot >= trace->slot_count)
            broken("slot below slot_count", i);
        unsigned char *state = &live[op->slot];
        switch (op->kind) {
        case 'a':
        case 'c':
            if (*state)
                broken("a and c take an ID that is not live", i);
            *state = 1;
            break;
        case 'r': /* realloc(NULL, n) allocates, even n == 0; realloc(p, 0) frees */
            *state = !*state || op->size > 0;
            break;
        case 'f':
            if (!*state)
                broken("f takes a live ID", i);
            *state = 0;
            break;
        default:
            broken("kind is a, c, r or f", i);
        }
    }
    free(live);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    struct trace trace;
    char error[512];
    memset(error, 'x', sizeof error); /* the parser must terminate what it writes */
    int result = trace_parse(PATH, (const char *)data, size, &trace, error, sizeof error);
    if (result == 0) {
        if (error[0] != '\0')
            broken("no message on success", 0);
        check_accepted(&trace);
        trace_free(&trace);
    } else if (result == -1) {
        if (memchr(error, '\0', sizeof error) == NULL)
            broken("the message is terminated", 0);
        check_rejected(&trace, error);
    } else {
        broken("returns 0 or -1", 0);
    }
    return 0;
}
