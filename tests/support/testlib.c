/*
 * testlib.c — helpers the Check suites share (see testlib.h).
 */
#include "dmm.h"

#include "testlib.h"

#include "../../harness/lecture/lecture_demo.h"
#include "heap.h"

#include <check.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* ---- payload patterns --------------------------------------------------- */

/* A byte per position from a 64-bit mix of seed and position: neighbours
 * differ, and so do two blocks with different seeds. */
static unsigned char pattern_byte(uint64_t seed, size_t i)
{
    uint64_t x = seed * 0x9E3779B97F4A7C15u + i;
    x ^= x >> 29;
    x *= 0xBF58476D1CE4E5B9u;
    x ^= x >> 32;
    return (unsigned char)x;
}

void pattern_fill(void *payload, size_t n, uint64_t seed)
{
    unsigned char *bytes = payload;
    for (size_t i = 0; i < n; i++)
        bytes[i] = pattern_byte(seed, i);
}

int pattern_intact(const void *payload, size_t n, uint64_t seed)
{
    const unsigned char *bytes = payload;
    for (size_t i = 0; i < n; i++)
        if (bytes[i] != pattern_byte(seed, i))
            return 0;
    return 1;
}

/* ---- the heap as the checker's visitor sees it -------------------------- */

static void summarize_chunk(const struct dmm_chunk_info *chunk, void *arg)
{
    struct heap_summary *summary = arg;
    summary->chunks++;
    summary->bytes += chunk->size;
    if (chunk->is_free) {
        summary->free_chunks++;
        summary->free_bytes += chunk->size;
        if (chunk->size > summary->largest_free)
            summary->largest_free = chunk->size;
    }
}

struct heap_summary heap_summarize(void)
{
    struct heap_summary summary = {0};
    const char *problem = dmm_check(summarize_chunk, &summary);
    require(problem == NULL, "heap checker: %s", problem);
    return summary;
}

/* ---- the lecture's demo sequence ---------------------------------------- */

void run_lecture_demo(void)
{
    void *p[LECTURE_DEMO_IDS + 1] = {0};
    dmm_reset();
    for (size_t i = 0; i < LECTURE_DEMO_STEPS; i++) {
        const struct lecture_demo_step *step = &lecture_demo[i];
        if (step->op == 'a') {
            size_t bytes = step->units * LECTURE_DEMO_UNIT;
            p[step->id] = dmm_malloc(bytes);
            require(p[step->id] != NULL, "demo step %zu: malloc(%zu) failed", i + 1, bytes);
            pattern_fill(p[step->id], bytes, (uint64_t)step->id);
        } else {
            dmm_free(p[step->id]);
        }
        const char *problem = dmm_check(NULL, NULL);
        require(problem == NULL, "demo step %zu: heap checker: %s", i + 1, problem);
    }
}

/* ---- where the allocator's memory is ------------------------------------ */

/* Live mappings, kept in a small array: tests hold at most a few thousand,
 * and each lookup is a linear scan that the tests can afford. */
static struct {
    uintptr_t heap_start, heap_break;
    struct mapping { uintptr_t start, end; } *maps;
    size_t count, capacity;
} owned;

static void record_event(enum heap_event event, void *addr, size_t length, void *arg)
{
    (void)arg;
    uintptr_t start = (uintptr_t)addr;
    switch (event) {
    case HEAP_EVENT_BREAK:
        owned.heap_break = start;
        break;
    case HEAP_EVENT_MAP:
        if (owned.count == owned.capacity) {
            owned.capacity = owned.capacity ? 2 * owned.capacity : 64;
            owned.maps = realloc(owned.maps, owned.capacity * sizeof *owned.maps);
            require(owned.maps != NULL, "out of memory recording mappings");
        }
        owned.maps[owned.count++] = (struct mapping){start, start + length};
        break;
    case HEAP_EVENT_UNMAP:
        for (size_t i = 0; i < owned.count; i++) {
            if (owned.maps[i].start == start) {
                owned.maps[i] = owned.maps[--owned.count];
                return;
            }
        }
        ck_abort_msg("unmap of %p, which the allocator never mapped", addr);
    }
}

void ownership_start(void)
{
    owned.heap_start = (uintptr_t)heap_start();
    owned.heap_break = (uintptr_t)heap_break();
    owned.count = 0;
    heap_set_observer(record_event, NULL);
}

int ownership_contains(const void *p, size_t n)
{
    uintptr_t start = (uintptr_t)p, end = start + n;
    if (end < start)
        return 0;
    if (start >= owned.heap_start && end <= owned.heap_break)
        return 1;
    for (size_t i = 0; i < owned.count; i++)
        if (start >= owned.maps[i].start && end <= owned.maps[i].end)
            return 1;
    return 0;
}

/* ---- search work -------------------------------------------------------- */

/* 32-byte requests: small enough for any allocator's minimum chunk, equal so
 * that no free chunk is a better fit than another. */
#define STEP_PROBE_BYTES 32

uint64_t free_steps_with_free_list_of(size_t free_chunks)
{
    dmm_reset();
    size_t count = 2 * free_chunks + 2;
    void **chunks = calloc(count, sizeof *chunks);
    ck_assert_ptr_nonnull(chunks);
    for (size_t i = 0; i < count; i++) {
        chunks[i] = dmm_malloc(STEP_PROBE_BYTES);
        require(chunks[i] != NULL, "malloc(%d) number %zu failed", STEP_PROBE_BYTES, i);
    }
    /* Every other chunk freed: free_chunks free chunks, none adjacent. */
    for (size_t i = 0; i < 2 * free_chunks; i += 2)
        dmm_free(chunks[i]);
    /* The allocated chunk highest in memory: an address-ordered free list
     * must walk past the free chunks below it. (Allocators that split off
     * the tail hand chunks out downwards, so it is not always the last.) */
    size_t highest = 1;
    for (size_t i = 1; i < count; i++)
        if ((i % 2 == 1 || i >= 2 * free_chunks) && (uintptr_t)chunks[i] > (uintptr_t)chunks[highest])
            highest = i;

    struct dmm_stats before, after;
    dmm_stats(&before);
    dmm_free(chunks[highest]);
    dmm_stats(&after);
    ck_assert_heap_ok();
    free(chunks);
    return after.free_steps - before.free_steps;
}

/* ---- deliberate corruption ---------------------------------------------- */

void assert_checker_says(int invariant)
{
    char expected[32];
    snprintf(expected, sizeof expected, "invariant %d broken", invariant);
    const char *problem = dmm_check(NULL, NULL);
    ck_assert_msg(problem != NULL && strstr(problem, expected) != NULL,
                  "expected \"%s\", the checker said: %s", expected,
                  problem != NULL ? problem : "all invariants hold");
}

void assert_broken(int invariant)
{
    assert_checker_says(invariant);
    dmm_reset();
}
