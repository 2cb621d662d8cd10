/*
 * baseline.c — a production allocator behind dmm.h, so that the harness
 * replays the same traces against glibc, jemalloc, mimalloc and tcmalloc
 * with the same checks and the same timing as dmm's own allocators.
 *
 * How it reaches the allocator
 *   The module links the allocator's library (baseline_library), and the
 *   harness loads the module with dlopen(RTLD_LOCAL). A plain call to
 *   malloc from here would still reach glibc's (the process's global scope
 *   comes first), so the library's own malloc, free, calloc and realloc are
 *   looked up in its handle (dlopen RTLD_NOLOAD: it is already loaded) and
 *   called through pointers. The harness's own memory keeps coming from
 *   glibc; the baseline's blocks from the baseline.
 *
 * What dmm.h promises that a production allocator may not
 *   realloc(p, 0) frees and returns NULL, a size above DMM_MAX_REQUEST
 *   fails, free never changes errno: these few cases are handled here, as
 *   every dmm allocator handles them (common.h), so a baseline is held to
 *   the same contract and pays the same few instructions for it.
 *
 * What it cannot do
 *   - walk the allocator's chunks: dmm_check checks nothing and visits
 *     nothing, so the harness's at-peak split is all "unwalked";
 *   - count search steps or system calls: they stay 0 (the allocator's
 *     calls to mmap and brk go straight to the kernel; `strace -c -f` on
 *     dmm-replay shows them);
 *   - give memory back on dmm_reset: blocks a trace leaves live stay
 *     allocated (the harness runs every measured replay in a fresh process,
 *     so this only matters inside one process).
 *
 * Footprint
 *   baseline_footprint reads the allocator's own statistics (the method is
 *   stated in each baseline file and in docs/harness.md). dmm_stats
 *   samples it at every call and keeps the peak; the harness calls
 *   dmm_stats after every operation of a replay it runs for this, in a
 *   fresh process, on a thread of its own (harness/replay/timing.c). For glibc,
 *   which also serves the harness, only what grew after dmm_reset counts
 *   (baseline_shared_with_harness).
 */
#define _GNU_SOURCE /* RTLD_NOLOAD */

#include "dmm.h"

#include "baseline.h"
#include "common.h"

#include <dlfcn.h>
#include <errno.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static struct baseline_state {
    void *handle;                       /* the library's, once looked up */
    void *(*malloc)(size_t);
    void (*free)(void *);
    void *(*calloc)(size_t, size_t);
    void *(*realloc)(void *, size_t);
    struct baseline_footprint at_reset; /* counted from here */
    struct baseline_footprint peak;     /* at the highest heap + mapped so far */
    struct call_counts counts;          /* calls; steps stay 0 */
} state;

/* The library's functions, looked up once, when the module is loaded (a
 * constructor), so that nothing is looked up — and dlopen allocates nothing
 * — inside a timed or measured replay: glibc would otherwise give the
 * replay's thread its arena during dmm_reset, and the footprint counted
 * from there would miss it. A baseline that cannot reach its own library
 * is broken beyond repair: say so and stop. */
__attribute__((constructor)) static void look_up(void)
{
    if (state.handle != NULL)
        return;
    state.handle = dlopen(baseline_library, RTLD_NOW | RTLD_NOLOAD);
    if (state.handle == NULL) {
        fprintf(stderr, "dmm baseline %s: %s is not loaded: %s\n", baseline_name,
                baseline_library, dlerror());
        abort();
    }
    struct { const char *name; void *target; } wanted[] = {
        {"malloc", &state.malloc}, {"free", &state.free},
        {"calloc", &state.calloc}, {"realloc", &state.realloc},
    };
    for (size_t i = 0; i < sizeof wanted / sizeof wanted[0]; i++) {
        void *found = dlsym(state.handle, wanted[i].name);
        if (found == NULL) {
            fprintf(stderr, "dmm baseline %s: no %s in %s\n", baseline_name, wanted[i].name,
                    baseline_library);
            abort();
        }
        memcpy(wanted[i].target, &found, sizeof found); /* a function pointer from dlsym */
    }
}

static size_t total(const struct baseline_footprint *f)
{
    return f->heap + f->mapped;
}

/* What the allocator holds now, less what it held at the reset. */
static struct baseline_footprint footprint_now(void)
{
    struct baseline_footprint now = {0};
    look_up();
    if (baseline_footprint(state.handle, &now) != 0)
        return (struct baseline_footprint){0};
    now.heap = now.heap > state.at_reset.heap ? now.heap - state.at_reset.heap : 0;
    now.mapped = now.mapped > state.at_reset.mapped ? now.mapped - state.at_reset.mapped : 0;
    return now;
}

/* ---- the public interface ----------------------------------------------- */

void *dmm_malloc(size_t size)
{
    look_up();
    state.counts.malloc_calls++;
    if (request_too_large(size))
        return fail_enomem();
    return state.malloc(size);
}

void dmm_free(void *ptr)
{
    if (ptr == NULL)
        return;
    look_up();
    state.counts.free_calls++;
    int saved = errno;
    state.free(ptr);
    errno = saved;
}

void *dmm_calloc(size_t nmemb, size_t size)
{
    size_t bytes;
    look_up();
    state.counts.malloc_calls++;
    if (__builtin_mul_overflow(nmemb, size, &bytes) || request_too_large(bytes))
        return fail_enomem();
    return state.calloc(nmemb, size);
}

void *dmm_realloc(void *ptr, size_t size)
{
    void *result;
    if (realloc_special_case(ptr, size, &result))
        return result;
    look_up();
    state.counts.malloc_calls++;
    state.counts.free_calls++;
    return state.realloc(ptr, size);
}

const char *dmm_name(void)
{
    return baseline_name;
}

void dmm_stats(struct dmm_stats *stats)
{
    struct baseline_footprint now = footprint_now();
    if (total(&now) > total(&state.peak))
        state.peak = now;
    *stats = (struct dmm_stats){
        .heap_bytes = now.heap,
        .mapped_bytes = now.mapped,
        .footprint_bytes = total(&now),
        .peak_footprint_bytes = total(&state.peak),
        .peak_heap_bytes = state.peak.heap,
        .peak_mapped_bytes = state.peak.mapped,
        .malloc_calls = state.counts.malloc_calls,
        .free_calls = state.counts.free_calls,
    };
}

/* Nothing to walk: the allocator's structures are its own. */
const char *dmm_check(dmm_visit_fn *visit, void *arg)
{
    (void)visit;
    (void)arg;
    return NULL;
}

void dmm_reset(void)
{
    state.counts = (struct call_counts){0};
    state.peak = (struct baseline_footprint){0};
    state.at_reset = (struct baseline_footprint){0};
    if (baseline_shared_with_harness)
        baseline_footprint(state.handle, &state.at_reset);
}

/* How the footprint is measured, for the harness's report. */
const char *dmm_footprint_method(void)
{
    return baseline_footprint_method;
}
