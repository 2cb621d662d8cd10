/*
 * instructions_child.c — the counting process of an instruction count
 * (instructions.c is the parent's side and draws the whole exchange):
 * loads the allocator, reads the operations the parent wrote, replays them
 * once uncounted (the warm-up), then once with the counter on, and writes
 * "ok OPS COUNT" (or why not) to its result file.
 */
#define _GNU_SOURCE /* syscall */

#include "instructions.h"

#include "module.h"

#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <linux/perf_event.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/stat.h>
#include <unistd.h>

#if defined(__has_include)
#if __has_include(<valgrind/callgrind.h>)
#include <valgrind/callgrind.h>
#define HAVE_CALLGRIND 1
#endif
#endif
#ifndef HAVE_CALLGRIND
#define HAVE_CALLGRIND 0
#endif

int instructions_callgrind_built(void) { return HAVE_CALLGRIND; }

/* ---- the counting process ------------------------------------------------------ */

/* What the replay thread needs. */
struct count_job {
    const struct allocator_module *module;
    const struct trace_op *ops;
    size_t op_count;
    void **ptrs;                   /* a slot per ID */
    enum instructions_method method;
    uint64_t instructions;         /* perf: the count; callgrind: 0 (in its file) */
    const char *error;             /* why not, or NULL */
};

/* One replay without checks: the same loop as a timing run's (timing.c). */
__attribute__((noinline)) static void replay_ops(const struct count_job *job)
{
    void *no_slot = NULL; /* where `f -1` reads its NULL */
    for (size_t i = 0; i < job->op_count; i++) {
        const struct trace_op *op = &job->ops[i];
        void **slot = op->slot == TRACE_NO_SLOT ? &no_slot : &job->ptrs[op->slot];
        *slot = module_call(job->module, op, *slot);
    }
}

/* Frees the blocks still live after a replay (not counted), so the next
 * replay starts from the steady state with every slot empty. */
static void free_leftovers(const struct count_job *job, size_t slots)
{
    for (size_t s = 0; s < slots; s++) {
        if (job->ptrs[s] != NULL)
            job->module->free(job->ptrs[s]);
        job->ptrs[s] = NULL;
    }
}

static void *count_thread(void *arg)
{
    struct count_job *job = arg;
    size_t slots = 0;
    for (size_t i = 0; i < job->op_count; i++)
        if (job->ops[i].slot != TRACE_NO_SLOT && job->ops[i].slot >= slots)
            slots = (size_t)job->ops[i].slot + 1;

    job->module->reset();
    replay_ops(job); /* the warm-up */
    free_leftovers(job, slots);

    if (job->method == INSTRUCTIONS_PERF) {
        int fd = instructions_perf_open();
        if (fd < 0) {
            job->error = "perf_event_open failed in the counting process";
            return NULL;
        }
        ioctl(fd, PERF_EVENT_IOC_RESET, 0);
        ioctl(fd, PERF_EVENT_IOC_ENABLE, 0);
        replay_ops(job);
        ioctl(fd, PERF_EVENT_IOC_DISABLE, 0);
        uint64_t count = 0;
        if (read(fd, &count, sizeof count) != (ssize_t)sizeof count)
            job->error = "could not read the instruction counter";
        job->instructions = count;
        close(fd);
    } else {
#if HAVE_CALLGRIND
        CALLGRIND_START_INSTRUMENTATION;
        CALLGRIND_ZERO_STATS;
        CALLGRIND_TOGGLE_COLLECT;
        replay_ops(job);
        CALLGRIND_TOGGLE_COLLECT;
        CALLGRIND_STOP_INSTRUMENTATION;
#endif
    }
    free_leftovers(job, slots);
    return NULL;
}

/* Writes the one line the parent reads, and ends the counting process. */
static _Noreturn void child_done(const char *result_path, int ok, uint64_t ops, uint64_t count,
                                 const char *message)
{
    FILE *out = fopen(result_path, "w");
    if (out != NULL) {
        if (ok)
            fprintf(out, "ok %" PRIu64 " %" PRIu64 "\n", ops, count);
        else
            fprintf(out, "fail %s\n", message);
        fclose(out);
    }
    _exit(ok ? 0 : INSTRUCTIONS_CHILD_FAILED);
}

/* Reads the ops file the parent wrote: its magic, the op count, the ops. */
static struct trace_op *read_ops(const char *path, size_t *op_count)
{
    FILE *in = fopen(path, "rb");
    if (in == NULL)
        return NULL;
    uint64_t header[2];
    struct trace_op *ops = NULL;
    if (fread(header, sizeof header, 1, in) == 1 && header[0] == INSTRUCTIONS_OPS_MAGIC &&
        header[1] < SIZE_MAX / sizeof *ops) {
        ops = malloc(header[1] != 0 ? header[1] * sizeof *ops : 1);
        if (ops != NULL && header[1] != 0 && fread(ops, sizeof *ops, header[1], in) != header[1]) {
            free(ops);
            ops = NULL;
        }
        *op_count = (size_t)header[1];
    }
    fclose(in);
    return ops;
}

void instructions_child_main(int argc, char **argv)
{
    if (argc < 2 || strcmp(argv[1], INSTRUCTIONS_CHILD_FLAG) != 0)
        return;
    /* argv: PROGRAM FLAG METHOD ALLOCATOR MODULE_DIR OPS_FILE RESULT_FILE */
    if (argc != 7) {
        fprintf(stderr, "%s: internal entry of --cost instructions, not for use by hand\n",
                argv[0]);
        _exit(2);
    }
    const char *result_path = argv[6];
    enum instructions_method method =
        strcmp(argv[2], "perf") == 0 ? INSTRUCTIONS_PERF : INSTRUCTIONS_CALLGRIND;
#if HAVE_CALLGRIND
    if (method == INSTRUCTIONS_CALLGRIND && !RUNNING_ON_VALGRIND)
        child_done(result_path, 0, 0, 0, "the callgrind count ran outside valgrind");
#endif

    size_t op_count = 0;
    struct trace_op *ops = read_ops(argv[5], &op_count);
    if (ops == NULL)
        child_done(result_path, 0, 0, 0, "could not read the operations handed over");

    struct allocator_module module;
    char error[512];
    if (module_load(argv[3], argv[4][0] != '\0' ? argv[4] : NULL, &module, error,
                    sizeof error) != 0)
        child_done(result_path, 0, 0, 0, error);

    size_t slots = 1;
    for (size_t i = 0; i < op_count; i++)
        if (ops[i].slot != TRACE_NO_SLOT && ops[i].slot >= slots)
            slots = (size_t)ops[i].slot + 1;
    struct count_job job = {.module = &module, .ops = ops, .op_count = op_count,
                            .ptrs = calloc(slots, sizeof(void *)), .method = method};
    pthread_t thread;
    if (job.ptrs == NULL || pthread_create(&thread, NULL, count_thread, &job) != 0 ||
        pthread_join(thread, NULL) != 0)
        child_done(result_path, 0, 0, 0, "the harness could not get memory or a thread");
    if (job.error != NULL)
        child_done(result_path, 0, 0, 0, job.error);
    child_done(result_path, 1, op_count, job.instructions, NULL);
}

