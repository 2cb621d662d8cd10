/*
 * check_gnu.c — the lecture's behaviour of allocators/gnu.c: glibc's chunk
 * (one header word, a footer only when free, a PREV_FREE bit), exact and
 * size-range bins, coalescing, a cache per small size, mapped chunks at
 * the mmap threshold, and trimming at the trim threshold. The chunk is read
 * straight from gnu.c's drawing (check_gnu.h); the checker, which names
 * each of its eleven invariants: check_gnu_checker.c.
 *
 * The chunks 1 KiB and larger are never cached: the tests of coalescing
 * use them, so that free coalesces at once.
 */
#include "dmm.h"

#include "check_gnu.h"
#include "heap.h"
#include "testlib.h"

#include <check.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>

#define GROWTH_STEP ((size_t)44 * 1024)      /* bytes: the least the heap grows */
#define MMAP_THRESHOLD ((size_t)128 * 1024) /* bytes: requests this large are mapped, at first */
#define MMAP_THRESHOLD_MAX ((size_t)32 << 20) /* bytes: freeing a larger one raises nothing */
#define TRIM_THRESHOLD ((size_t)128 * 1024) /* bytes: a larger free top is trimmed */
#define TRIM_KEEP ((size_t)64 * 1024)       /* bytes a trim keeps at the top */
#define CACHE_DEPTH 7                     /* chunks a cache holds */
#define LARGE_SEARCH_LIMIT 16             /* chunks examined in a large bin */

static size_t pages_for(size_t bytes)
{
    size_t page = heap_page_size();
    return (bytes + page - 1) / page * page;
}

static struct dmm_stats stats_now(void)
{
    struct dmm_stats stats;
    dmm_stats(&stats);
    return stats;
}

static uint64_t free_steps_of(void *p)
{
    uint64_t before = stats_now().free_steps;
    dmm_free(p);
    return stats_now().free_steps - before;
}

static uint64_t malloc_steps_of(size_t size, void **payload)
{
    uint64_t before = stats_now().malloc_steps;
    *payload = dmm_malloc(size);
    return stats_now().malloc_steps - before;
}

static void setup(void)
{
    dmm_reset();
}

/* ---- the chunk --------------------------------------------------------------- */

START_TEST(test_allocated_chunk_costs_one_header_word)
{
    void *a = dmm_malloc(24), *b = dmm_malloc(24), *c = dmm_malloc(25), *d = dmm_malloc(0);
    ck_assert_ptr_eq(a, first_payload());
    ck_assert_ptr_eq(b, payload_after(a, 32)); /* 24 bytes run up to b's header */
    ck_assert_ptr_eq(c, payload_after(b, 32));
    ck_assert_ptr_eq(d, payload_after(c, 48)); /* 25 bytes need the next 16 */
    ck_assert_uint_eq(*size_word(a), 32);      /* allocated, no chunk before it */
    memset(a, 0xff, 24);
    ck_assert_uint_eq(*size_word(b), 32); /* a's payload ends where b's header starts */
    ck_assert_heap_ok();
}
END_TEST

START_TEST(test_free_chunk_has_a_footer_and_its_next_knows)
{
    void *a = dmm_malloc(1500), *b = dmm_malloc(1500); /* 1520-byte chunks */
    dmm_free(a);
    ck_assert(has_bit(a, FREE));
    ck_assert_uint_eq(*footer(a), 1520);
    ck_assert(has_bit(b, PREV_FREE));
    ck_assert_ptr_eq(dmm_malloc(1500), a);
    ck_assert(!has_bit(b, PREV_FREE));
    ck_assert_heap_ok();
}
END_TEST

/* ---- the lecture's demo ------------------------------------------------------- */

/* The demo frees five chunks of five sizes: each lands in its cache, so the
 * demo ends with five cached chunks and the rest of the heap free (44 KiB:
 * below the trim threshold, so nothing is trimmed). A request for the
 * whole heap then flushes the caches, which coalesces everything back into
 * one free chunk, and takes it without growing the heap. */
START_TEST(test_demo_ends_cached_and_a_flush_makes_one_chunk)
{
    run_lecture_demo();
    struct heap_summary summary = heap_summarize(); /* cached chunks count as free */
    ck_assert_uint_eq(summary.chunks, 6);
    ck_assert_uint_eq(summary.free_chunks, 6);
    ck_assert_uint_eq(summary.bytes, GROWTH_STEP - 2 * HEADER); /* the filler and the epilogue */
    struct dmm_stats stats = stats_now();
    ck_assert_uint_eq(stats.brk_calls, 1);
    ck_assert_uint_eq(stats.heap_bytes, GROWTH_STEP);
    ck_assert_uint_eq(stats.mmap_calls, 0);

    void *all = dmm_malloc(GROWTH_STEP - 3 * HEADER);
    ck_assert_ptr_eq(all, first_payload());
    ck_assert_uint_eq(chunk_bytes(all), GROWTH_STEP - 2 * HEADER);
    ck_assert_uint_eq(stats_now().brk_calls, 1);
    ck_assert_uint_eq(heap_summarize().chunks, 1);
}
END_TEST

/* ---- the caches ---------------------------------------------------------------- */

START_TEST(test_cache_is_lifo_and_free_examines_nothing)
{
    void *a = dmm_malloc(100), *b = dmm_malloc(100), *guard = dmm_malloc(100), *got;
    ck_assert_uint_eq(free_steps_of(a), 0);
    ck_assert_uint_eq(free_steps_of(b), 0);
    ck_assert(has_bit(b, CACHED));
    ck_assert(!has_bit(b, FREE)); /* not coalesced: a and b stay apart */
    ck_assert(!has_bit(b, PREV_FREE));
    ck_assert_uint_eq(malloc_steps_of(100, &got), 1);
    ck_assert_ptr_eq(got, b); /* the newest first */
    ck_assert_uint_eq(malloc_steps_of(100, &got), 1);
    ck_assert_ptr_eq(got, a);
    ck_assert_ptr_nonnull(guard);
    ck_assert_heap_ok();
}
END_TEST

START_TEST(test_cache_holds_seven_then_free_coalesces)
{
    void *p[2 * (CACHE_DEPTH + 1)];
    for (int i = 0; i < 2 * (CACHE_DEPTH + 1); i++)
        p[i] = dmm_malloc(100); /* 112-byte chunks */
    for (int i = 0; i < CACHE_DEPTH; i++)
        ck_assert_uint_eq(free_steps_of(p[2 * i]), 0);
    ck_assert_uint_eq(free_steps_of(p[2 * CACHE_DEPTH]), 2); /* the cache is full */
    ck_assert(has_bit(p[2 * CACHE_DEPTH], FREE));
    struct heap_summary summary = heap_summarize();
    ck_assert_uint_eq(summary.free_chunks, CACHE_DEPTH + 2); /* the cached, p[14], the top */
}
END_TEST

/* 44 chunks of 1008 bytes fill the first 44 KiB but for 688 bytes. Six
 * cached neighbours, freed together by the flush, make room for a request
 * that nothing else fits, and the heap does not grow. */
START_TEST(test_flush_before_growth_coalesces_the_caches)
{
    void *p[44];
    for (int i = 0; i < 44; i++)
        p[i] = dmm_malloc(1000);
    for (int i = 0; i < 6; i++)
        dmm_free(p[i]);
    ck_assert(has_bit(p[5], CACHED));
    ck_assert_ptr_eq(dmm_malloc(4000), p[0]); /* 4016 of the 6048 merged bytes */
    ck_assert_uint_eq(stats_now().brk_calls, 1);
    ck_assert_uint_eq(chunk_bytes(payload_after(p[0], 4016)), 6048 - 4016);
    ck_assert_heap_ok();
}
END_TEST

/* ---- malloc: bins and their bounded search -------------------------------------- */

START_TEST(test_large_bin_search_is_bounded)
{
    enum { TOO_SMALL = 3 * LARGE_SEARCH_LIMIT };
    void *p[2 * TOO_SMALL], *got;
    for (int i = 0; i < 2 * TOO_SMALL; i++)
        p[i] = dmm_malloc(1032); /* 1040-byte chunks: bin 64, 1024..1279 bytes */
    for (int i = 0; i < 2 * TOO_SMALL; i += 2)
        dmm_free(p[i]);
    /* 1216 bytes: also bin 64, where no chunk fits. */
    ck_assert_uint_eq(malloc_steps_of(1200, &got), LARGE_SEARCH_LIMIT + 1);
    ck_assert_ptr_eq(got, payload_after(p[2 * TOO_SMALL - 1], 1040)); /* from the top */
    ck_assert_heap_ok();
}
END_TEST

START_TEST(test_large_bin_is_first_fit)
{
    void *a = dmm_malloc(1250), *g1 = dmm_malloc(16); /* 1264 bytes, bin 64 */
    void *b = dmm_malloc(1032), *g2 = dmm_malloc(16); /* 1040 bytes, bin 64 */
    void *got;
    dmm_free(a);
    dmm_free(b); /* bin 64: b, a */
    ck_assert_uint_eq(malloc_steps_of(1200, &got), 2); /* b is too small */
    ck_assert_ptr_eq(got, a);
    ck_assert_ptr_nonnull(g1);
    ck_assert_ptr_nonnull(g2);
}
END_TEST

/* ---- free: the four coalesce cases and its cost ---------------------------------- */

START_TEST(test_coalesce_case1_both_neighbours_allocated)
{
    void *p[5];
    five_chunks(p);
    ck_assert_uint_eq(free_steps_of(p[2]), 2);
    ck_assert_uint_eq(chunk_bytes(p[2]), 1520);
    ck_assert_uint_eq(*footer(p[2]), 1520);
    ck_assert(has_bit(p[3], PREV_FREE));
    ck_assert_uint_eq(free_steps_of(p[0]), 1); /* the first chunk has no prev */
    ck_assert_heap_ok();
}
END_TEST

START_TEST(test_coalesce_case2_next_free)
{
    void *p[5];
    five_chunks(p);
    dmm_free(p[3]);
    ck_assert_uint_eq(free_steps_of(p[2]), 2);
    ck_assert_uint_eq(chunk_bytes(p[2]), 3040);
    ck_assert_uint_eq(*footer(p[2]), 3040);
    ck_assert(has_bit(p[4], PREV_FREE));
    ck_assert_heap_ok();
}
END_TEST

START_TEST(test_coalesce_case3_prev_free)
{
    void *p[5];
    five_chunks(p);
    dmm_free(p[1]);
    ck_assert_uint_eq(free_steps_of(p[2]), 2);
    ck_assert_uint_eq(chunk_bytes(p[1]), 3040);
    ck_assert_ptr_eq(dmm_malloc(3000), p[1]);
    ck_assert_heap_ok();
}
END_TEST

START_TEST(test_coalesce_case4_both_free)
{
    void *p[5];
    five_chunks(p);
    dmm_free(p[1]);
    dmm_free(p[3]);
    ck_assert_uint_eq(free_steps_of(p[2]), 2);
    ck_assert_uint_eq(chunk_bytes(p[1]), 4560);
    ck_assert_uint_eq(heap_summarize().free_chunks, 2); /* and the top */
    ck_assert_ptr_eq(dmm_malloc(4500), p[1]);
    ck_assert_heap_ok();
}
END_TEST

START_TEST(test_free_steps_do_not_grow_with_the_free_list)
{
    uint64_t long_list = free_steps_with_free_list_of(1000);
    uint64_t short_list = free_steps_with_free_list_of(100);
    ck_assert_uint_eq(long_list, short_list);
    ck_assert_uint_le(long_list, 2);
}
END_TEST

/* ---- mapped chunks ---------------------------------------------------------------- */

START_TEST(test_threshold_request_is_one_mapping)
{
    void *below = dmm_malloc(MMAP_THRESHOLD - 1);
    ck_assert_uint_eq(stats_now().mmap_calls, 0);
    ck_assert(!has_bit(below, MAPPED));
    void *p = dmm_malloc(MMAP_THRESHOLD);
    struct dmm_stats stats = stats_now();
    ck_assert_uint_eq(stats.mmap_calls, 1);
    ck_assert(has_bit(p, MAPPED));
    ck_assert_uint_eq(chunk_bytes(p), pages_for(MMAP_THRESHOLD + 32));
    ck_assert_uint_eq(stats.mapped_bytes, chunk_bytes(p));
    ck_assert_heap_ok();
    dmm_free(p);
    stats = stats_now();
    ck_assert_uint_eq(stats.munmap_calls, 1);
    ck_assert_uint_eq(stats.mapped_bytes, 0);
    dmm_free(below);
    ck_assert_uint_eq(stats_now().munmap_calls, 1);
    ck_assert_heap_ok();
}
END_TEST

START_TEST(test_realloc_of_a_mapped_chunk_uses_mremap)
{
    void *p = dmm_malloc(200000);
    pattern_fill(p, 200000, 7);
    void *q = dmm_realloc(p, 1000000);
    struct dmm_stats stats = stats_now();
    ck_assert_uint_eq(stats.mremap_calls, 1);
    ck_assert_uint_eq(stats.mmap_calls, 1);
    ck_assert(pattern_intact(q, 200000, 7));
    ck_assert_uint_eq(chunk_bytes(q), pages_for(1000000 + 32));
    ck_assert_heap_ok();
    void *r = dmm_realloc(q, 150000); /* still mapped: shrinks in one mremap */
    ck_assert_uint_eq(stats_now().mremap_calls, 2);
    ck_assert(pattern_intact(r, 150000, 7));
    void *s = dmm_realloc(r, 1000); /* below the threshold: into the heap */
    stats = stats_now();
    ck_assert_uint_eq(stats.munmap_calls, 1);
    ck_assert_uint_eq(stats.mapped_bytes, 0);
    ck_assert(!has_bit(s, MAPPED));
    ck_assert(pattern_intact(s, 1000, 7));
    ck_assert_heap_ok();
}
END_TEST

START_TEST(test_heap_chunk_growing_past_the_threshold_is_mapped)
{
    void *p = dmm_malloc(1000);
    pattern_fill(p, 1000, 8);
    void *q = dmm_realloc(p, MMAP_THRESHOLD);
    ck_assert_uint_eq(stats_now().mmap_calls, 1);
    ck_assert(has_bit(q, MAPPED));
    ck_assert(pattern_intact(q, 1000, 8));
    ck_assert_heap_ok();
}
END_TEST

/* Built with -DDMM_MMAP_THRESHOLD_FIXED=1, gnu.c keeps its threshold at
 * 128 KiB: the lecture's naive rule, and these tests do not apply. */
#ifndef DMM_MMAP_THRESHOLD_FIXED
#define DMM_MMAP_THRESHOLD_FIXED 0
#endif

/* (a) glibc's dynamic threshold: freeing a mapped chunk raises the
 * threshold to its length, so the next request of its size comes from the
 * heap, with no mmap (and none of the munmap that would follow); the trim
 * threshold follows at twice it, so freeing that chunk at the top of the
 * heap trims nothing. */
START_TEST(test_freed_mapped_chunk_raises_the_threshold)
{
    if (DMM_MMAP_THRESHOLD_FIXED)
        return;
    void *first = dmm_malloc(200000);
    ck_assert(has_bit(first, MAPPED));
    size_t length = chunk_bytes(first);
    dmm_free(first);
    struct dmm_stats before = stats_now();
    void *again = dmm_malloc(200000);
    struct dmm_stats after = stats_now();
    ck_assert(!has_bit(again, MAPPED));
    ck_assert_uint_eq(after.mmap_calls, before.mmap_calls);
    pattern_fill(again, 200000, 9);
    void *larger = dmm_malloc(length); /* the threshold is the length: mapped */
    ck_assert(has_bit(larger, MAPPED));
    ck_assert_uint_eq(stats_now().mmap_calls, before.mmap_calls + 1);
    ck_assert_heap_ok();
    uint64_t breaks = stats_now().brk_calls;
    dmm_free(again); /* a free top of 200 KiB: above 128 KiB, below twice the length */
    ck_assert_uint_eq(stats_now().brk_calls, breaks);
    ck_assert_heap_ok();
}
END_TEST

/* (b) The cap: a mapped chunk above MMAP_THRESHOLD_MAX freed leaves the
 * threshold where it was: the same request is mapped again, and so is a
 * request of 128 KiB. */
START_TEST(test_threshold_stays_below_its_cap)
{
    if (DMM_MMAP_THRESHOLD_FIXED)
        return;
    void *huge = dmm_malloc(MMAP_THRESHOLD_MAX + 1);
    ck_assert(has_bit(huge, MAPPED));
    dmm_free(huge);
    ck_assert_uint_eq(stats_now().munmap_calls, 1);
    void *again = dmm_malloc(MMAP_THRESHOLD_MAX + 1);
    ck_assert(has_bit(again, MAPPED));
    void *threshold = dmm_malloc(MMAP_THRESHOLD);
    ck_assert(has_bit(threshold, MAPPED));
    ck_assert_uint_eq(stats_now().mmap_calls, 3);
    ck_assert_heap_ok();
}
END_TEST

static size_t unmapped;

static void count_unmaps(enum heap_event event, void *addr, size_t length, void *arg)
{
    (void)addr, (void)length, (void)arg;
    unmapped += event == HEAP_EVENT_UNMAP;
}

START_TEST(test_reset_unmaps_the_mapped_chunks)
{
    ck_assert_ptr_nonnull(dmm_malloc(200000));
    ck_assert_ptr_nonnull(dmm_malloc(300000));
    unmapped = 0;
    heap_set_observer(count_unmaps, NULL);
    dmm_reset();
    heap_set_observer(NULL, NULL);
    ck_assert_uint_eq(unmapped, 2);
}
END_TEST

/* ---- trimming --------------------------------------------------------------------- */

/* After a 32-byte chunk, a and b are 100016-byte chunks that each fill
 * what the heap grew by; freeing b leaves a free top of 100016 bytes, below
 * the trim threshold; freeing a makes it 200032, above: the break moves
 * down, and TRIM_KEEP bytes stay free at the top. */
START_TEST(test_trim_above_the_threshold_and_not_below)
{
    void *first = dmm_malloc(16), *a = dmm_malloc(100000), *b = dmm_malloc(100000);
    ck_assert_ptr_eq(b, payload_after(a, 100016));
    struct dmm_stats before = stats_now();
    dmm_free(b);
    ck_assert_uint_le(chunk_bytes(b), TRIM_THRESHOLD); /* the free top: b alone */
    struct dmm_stats after = stats_now();
    ck_assert_uint_eq(after.brk_calls, before.brk_calls);
    ck_assert_uint_eq(after.heap_bytes, before.heap_bytes);
    dmm_free(a);
    after = stats_now();
    ck_assert_uint_eq(after.brk_calls, before.brk_calls + 1);
    ck_assert_uint_lt(after.heap_bytes, before.heap_bytes);
    ck_assert_uint_eq(after.heap_bytes, (size_t)((char *)a - (char *)heap_start()) + TRIM_KEEP);
    ck_assert_uint_eq(chunk_bytes(a), TRIM_KEEP);
    ck_assert_ptr_eq(heap_break(), payload_after(a, TRIM_KEEP)); /* then the epilogue */
    ck_assert_ptr_nonnull(first);
    ck_assert_heap_ok();
}
END_TEST

int main(void)
{
    const struct test_group groups[] = {
        {"chunk", {test_allocated_chunk_costs_one_header_word,
                   test_free_chunk_has_a_footer_and_its_next_knows,
                   test_demo_ends_cached_and_a_flush_makes_one_chunk}},
        {"cache", {test_cache_is_lifo_and_free_examines_nothing,
                   test_cache_holds_seven_then_free_coalesces,
                   test_flush_before_growth_coalesces_the_caches}},
        {"malloc", {test_large_bin_search_is_bounded, test_large_bin_is_first_fit}},
        {"free", {test_coalesce_case1_both_neighbours_allocated, test_coalesce_case2_next_free,
                  test_coalesce_case3_prev_free, test_coalesce_case4_both_free,
                  test_free_steps_do_not_grow_with_the_free_list}},
        {"mapped", {test_threshold_request_is_one_mapping,
                    test_realloc_of_a_mapped_chunk_uses_mremap,
                    test_heap_chunk_growing_past_the_threshold_is_mapped,
                    test_reset_unmaps_the_mapped_chunks,
                    test_freed_mapped_chunk_raises_the_threshold,
                    test_threshold_stays_below_its_cap}},
        {"trim", {test_trim_above_the_threshold_and_not_below}},
    };
    return run_test_groups("lecture/gnu", groups, sizeof groups / sizeof groups[0], setup);
}
