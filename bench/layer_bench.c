/*
 * layer_bench.c — the LD_PRELOAD layer's cost per call: one trace replayed
 * through an allocator's module and through the C library's malloc.
 *
 *     layer_bench [--repeat K] [--count] module MODULE.so TRACE...
 *     layer_bench [--repeat K] [--count] libc TRACE...
 *
 * "module" loads MODULE.so (modules/libdmm-NAME.so) and calls its
 * dmm_malloc, dmm_calloc, dmm_realloc and dmm_free; "libc" calls malloc,
 * calloc, realloc and free, which are whatever the process was given:
 * glibc's, or a preloaded library's (LD_PRELOAD=.../libdmm-preload-NAME.so,
 * or jemalloc's ...). Both go through function pointers, so the two runs
 * differ only in what is behind them: the difference is the layer.
 *
 * One line per trace: "TRACE OPS NS_PER_OP", where NS_PER_OP is the median
 * of K steady replays (after one cold replay, untimed). A steady replay is
 * the whole trace, timed as one loop, then the blocks still live freed
 * (untimed) — the steady state of dmm-replay's timing run (timing.c), with
 * one difference: each replay writes the first byte of each block it gets,
 * as a program would. A short trace is replayed several times per sample so
 * that one sample lasts at least a millisecond.
 *
 * --count: for callgrind. The steady replays run in steady_replays(), and
 * the line gives the number of calls made there ("TRACE OPS CALLS"):
 *     valgrind --tool=callgrind --toggle-collect=steady_replays layer_bench --count ...
 * then instructions per call = the total Ir / CALLS.
 */
#define _GNU_SOURCE

#include "measure.h"
#include "trace.h"

#include <dlfcn.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

/* The allocator under test, whichever way it was reached. */
struct family {
    void *(*malloc_fn)(size_t);
    void *(*calloc_fn)(size_t, size_t);
    void *(*realloc_fn)(void *, size_t);
    void (*free_fn)(void *);
};

#define MIN_SAMPLE_NS 1000000.0 /* one sample lasts at least 1 ms */
#define MAX_REPEAT 101

static void *symbol(void *handle, const char *path, const char *name)
{
    void *found = dlsym(handle, name);
    if (found == NULL) {
        fprintf(stderr, "layer_bench: %s: no %s in the module\n", path, name);
        exit(2);
    }
    return found;
}

static double now_ns(void)
{
    struct timespec t;
    clock_gettime(CLOCK_MONOTONIC, &t);
    return (double)t.tv_sec * 1e9 + (double)t.tv_nsec;
}

/* One replay of the trace; the blocks it leaves live stay in slots. */
static void replay(const struct family *f, const struct trace *trace, void **slots)
{
    for (size_t i = 0; i < trace->op_count; i++) {
        const struct trace_op *op = &trace->ops[i];
        void **slot = op->slot == TRACE_NO_SLOT ? NULL : &slots[op->slot];
        switch (op->kind) {
        case 'a':
            *slot = f->malloc_fn(op->size);
            break;
        case 'c':
            *slot = f->calloc_fn(op->nmemb, op->size);
            break;
        case 'r': {
            void *moved = f->realloc_fn(*slot, op->size);
            if (moved != NULL || op->size == 0)
                *slot = moved;
            break;
        }
        default:
            if (slot == NULL) {
                f->free_fn(NULL);
            } else {
                f->free_fn(*slot);
                *slot = NULL;
            }
            continue;
        }
        if (*slot != NULL && (op->kind == 'a' || op->kind == 'r') && op->size > 0)
            *(volatile char *)*slot = 1;
    }
}

static void free_leftovers(const struct family *f, const struct trace *trace, void **slots)
{
    for (size_t s = 0; s < trace->slot_count; s++)
        if (slots[s] != NULL) {
            f->free_fn(slots[s]);
            slots[s] = NULL;
        }
}

/* Not inlined: callgrind's --toggle-collect names it. */
__attribute__((noinline)) void steady_replays(const struct family *f, const struct trace *trace,
                                              void **slots, int times)
{
    for (int r = 0; r < times; r++) {
        replay(f, trace, slots);
        free_leftovers(f, trace, slots);
    }
}

static void usage(void)
{
    fputs("usage: layer_bench [--repeat K] [--count] module MODULE.so TRACE...\n"
          "       layer_bench [--repeat K] [--count] libc TRACE...\n",
          stderr);
    exit(2);
}

int main(int argc, char **argv)
{
    int repeat = 7, count = 0, arg = 1;
    for (; arg < argc && strncmp(argv[arg], "--", 2) == 0; arg++) {
        if (strcmp(argv[arg], "--count") == 0) {
            count = 1;
        } else if (strcmp(argv[arg], "--repeat") == 0 && arg + 1 < argc) {
            char *end;
            long k = strtol(argv[++arg], &end, 10);
            if (*end != '\0' || k < 1 || k > MAX_REPEAT) {
                fprintf(stderr, "layer_bench: --repeat: 1 to %d, not '%s'\n", MAX_REPEAT, argv[arg]);
                return 2;
            }
            repeat = (int)k;
        } else {
            usage();
        }
    }
    if (arg >= argc)
        usage();
    struct family f;
    if (strcmp(argv[arg], "libc") == 0) {
        f = (struct family){malloc, calloc, realloc, free};
        arg++;
    } else if (strcmp(argv[arg], "module") == 0 && arg + 1 < argc) {
        const char *path = argv[arg + 1];
        void *handle = dlopen(path, RTLD_NOW | RTLD_LOCAL);
        if (handle == NULL) {
            fprintf(stderr, "layer_bench: %s\n", dlerror());
            return 2;
        }
        f.malloc_fn = (void *(*)(size_t))symbol(handle, path, "dmm_malloc");
        f.calloc_fn = (void *(*)(size_t, size_t))symbol(handle, path, "dmm_calloc");
        f.realloc_fn = (void *(*)(void *, size_t))symbol(handle, path, "dmm_realloc");
        f.free_fn = (void (*)(void *))symbol(handle, path, "dmm_free");
        arg += 2;
    } else {
        usage();
    }
    if (arg >= argc)
        usage();

    for (; arg < argc; arg++) {
        struct trace trace;
        char error[512];
        if (trace_load(argv[arg], &trace, error, sizeof error) != 0) {
            fprintf(stderr, "layer_bench: %s\n", error);
            return 2;
        }
        void **slots = calloc(trace.slot_count + 1, sizeof *slots);
        if (slots == NULL) {
            fprintf(stderr, "layer_bench: out of memory\n");
            return 1;
        }
        /* The cold replay, untimed; it also tells how many replays make a
         * sample of MIN_SAMPLE_NS. */
        double start = now_ns();
        steady_replays(&f, &trace, slots, 1);
        double cold = now_ns() - start;
        int per_sample = cold >= MIN_SAMPLE_NS ? 1 : (int)(MIN_SAMPLE_NS / (cold + 1.0)) + 1;
        if (count) {
            steady_replays(&f, &trace, slots, repeat);
            printf("%s %zu %zu\n", trace.name, trace.op_count, trace.op_count * (size_t)repeat);
        } else {
            double samples[MAX_REPEAT];
            for (int k = 0; k < repeat; k++) {
                /* Only the replays are timed, not their free_leftovers. */
                double spent = 0;
                for (int r = 0; r < per_sample; r++) {
                    start = now_ns();
                    replay(&f, &trace, slots);
                    spent += now_ns() - start;
                    free_leftovers(&f, &trace, slots);
                }
                samples[k] = spent / ((double)per_sample * (double)trace.op_count);
            }
            printf("%s %zu %.2f\n", trace.name, trace.op_count,
                   measure_median(samples, (size_t)repeat));
        }
        fflush(stdout);
        free(slots);
        trace_free(&trace);
    }
    return 0;
}
