/*
 * check_mmap.c — the mapping allocator behaves as described: one mmap per
 * malloc, one munmap per free, a page per chunk at least, realloc in place
 * within the pages, and a checker that finds every broken invariant.
 */
#include "dmm.h"

#include "heap.h"
#include "testlib.h"

#include <check.h>
#include <errno.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

/* mmap.c's chunk header, mirrored so the corruption tests can write into
 * it: four words, the payload right after. */
struct mirror_header {
    size_t length;                /* bytes mapped, whole pages */
    size_t magic;                 /* mmap.c's CHUNK_MAGIC */
    struct mirror_header *next;   /* the next older live chunk */
    struct mirror_header *prev;   /* the next newer live chunk */
};

#define HEADER_BYTES sizeof(struct mirror_header) /* 32 */

static struct mirror_header *header_of(void *payload)
{
    return (struct mirror_header *)((char *)payload - HEADER_BYTES);
}

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

START_TEST(one_mmap_per_malloc_one_munmap_per_free)
{
    size_t page = heap_page_size();
    const size_t sizes[] = {0, 1, 16, page - HEADER_BYTES, page - HEADER_BYTES + 1, 100000};
    enum { COUNT = sizeof sizes / sizeof sizes[0] };
    void *chunks[COUNT];
    dmm_reset();
    size_t mapped = 0;
    for (size_t i = 0; i < COUNT; i++) {
        chunks[i] = dmm_malloc(sizes[i]);
        ck_assert_ptr_nonnull(chunks[i]);
        mapped += pages_for(HEADER_BYTES + sizes[i]); /* a page at least, header included */
        struct dmm_stats stats = stats_now();
        ck_assert_uint_eq(stats.mmap_calls, i + 1);
        ck_assert_uint_eq(stats.mapped_bytes, mapped);
    }
    ck_assert_heap_ok();
    for (size_t i = 0; i < COUNT; i++) {
        dmm_free(chunks[i]);
        struct dmm_stats stats = stats_now();
        ck_assert_uint_eq(stats.munmap_calls, i + 1);
        ck_assert_uint_eq(stats.mmap_calls, COUNT);
        ck_assert_heap_ok();
    }
    dmm_free(NULL);
    struct dmm_stats stats = stats_now();
    ck_assert_uint_eq(stats.munmap_calls, COUNT);
    ck_assert_uint_eq(stats.mapped_bytes, 0);
    ck_assert_uint_eq(stats.brk_calls, 0); /* the break never moves */
    ck_assert_uint_eq(stats.heap_bytes, 0);
    ck_assert_uint_eq(stats.malloc_steps + stats.free_steps, 0); /* no free list */
    ck_assert_uint_eq(stats.peak_mapped_bytes, mapped);
}
END_TEST

START_TEST(payloads_are_aligned_after_a_page_aligned_header)
{
    dmm_reset();
    for (size_t n = 0; n < 5000; n += 333) {
        char *p = dmm_malloc(n);
        ck_assert_ptr_nonnull(p);
        ck_assert_uint_eq((uintptr_t)p % DMM_ALIGNMENT, 0);
        ck_assert_uint_eq((uintptr_t)(p - HEADER_BYTES) % heap_page_size(), 0);
        memset(p, 0xa5, n); /* every requested byte is writable */
    }
    ck_assert_heap_ok();
}
END_TEST

START_TEST(malloc_zero_maps_a_page_of_its_own)
{
    dmm_reset();
    char *a = dmm_malloc(0), *b = dmm_malloc(0);
    ck_assert_ptr_nonnull(a);
    ck_assert_ptr_nonnull(b);
    ck_assert_ptr_ne(a, b);
    ck_assert_uint_eq(stats_now().mapped_bytes, 2 * heap_page_size());
}
END_TEST

START_TEST(realloc_within_the_pages_stays_in_place)
{
    size_t page = heap_page_size();
    dmm_reset();
    char *p = dmm_malloc(100);
    pattern_fill(p, 100, 7);
    ck_assert_ptr_eq(dmm_realloc(p, 200), p);
    ck_assert_ptr_eq(dmm_realloc(p, page - HEADER_BYTES), p); /* the whole last page */
    ck_assert_ptr_eq(dmm_realloc(p, 1), p);                   /* a shrink */
    struct dmm_stats stats = stats_now();
    ck_assert_uint_eq(stats.mmap_calls, 1);
    ck_assert_uint_eq(stats.munmap_calls, 0);
    ck_assert(pattern_intact(p, 100, 7));
}
END_TEST

START_TEST(realloc_beyond_the_pages_moves_and_keeps_contents)
{
    size_t page = heap_page_size();
    dmm_reset();
    size_t full = page - HEADER_BYTES; /* what one page holds */
    char *p = dmm_malloc(full);
    pattern_fill(p, full, 8);
    char *q = dmm_realloc(p, full + 1);
    ck_assert_ptr_nonnull(q);
    ck_assert_ptr_ne(q, p);
    ck_assert(pattern_intact(q, full, 8));
    struct dmm_stats stats = stats_now();
    ck_assert_uint_eq(stats.mmap_calls, 2);
    ck_assert_uint_eq(stats.munmap_calls, 1);
    ck_assert_uint_eq(stats.mapped_bytes, 2 * page);
    ck_assert_heap_ok();
}
END_TEST

START_TEST(failures_leave_the_list_intact)
{
    dmm_reset();
    char *p = dmm_malloc(64);
    pattern_fill(p, 64, 9);
    errno = 0;
    ck_assert_ptr_null(dmm_malloc(DMM_MAX_REQUEST)); /* legal, but no OS maps it */
    ck_assert_int_eq(errno, ENOMEM);
    errno = 0;
    ck_assert_ptr_null(dmm_realloc(p, DMM_MAX_REQUEST));
    ck_assert_int_eq(errno, ENOMEM);
    ck_assert(pattern_intact(p, 64, 9));
    ck_assert_heap_ok();
    ck_assert_uint_eq(stats_now().mapped_bytes, heap_page_size());
    errno = 0;
    dmm_free(p);
    ck_assert_int_eq(errno, 0);
    ck_assert_uint_eq(stats_now().mapped_bytes, 0);
}
END_TEST

struct recorded {
    size_t count;
    struct dmm_chunk_info chunks[8];
};

static void record_chunk(const struct dmm_chunk_info *chunk, void *arg)
{
    struct recorded *seen = arg;
    if (seen->count < 8)
        seen->chunks[seen->count] = *chunk;
    seen->count++;
}

START_TEST(visitor_sees_one_chunk_per_mapping_newest_first)
{
    size_t page = heap_page_size();
    dmm_reset();
    char *a = dmm_malloc(10), *b = dmm_malloc(2 * page), *c = dmm_malloc(0);
    struct recorded seen = {0};
    ck_assert_ptr_null(dmm_check(record_chunk, &seen));
    ck_assert_uint_eq(seen.count, 3);
    ck_assert_ptr_eq(seen.chunks[0].start, c - HEADER_BYTES);
    ck_assert_ptr_eq(seen.chunks[1].start, b - HEADER_BYTES);
    ck_assert_ptr_eq(seen.chunks[2].start, a - HEADER_BYTES);
    ck_assert_uint_eq(seen.chunks[0].size, page);
    ck_assert_uint_eq(seen.chunks[1].size, 3 * page);
    ck_assert_uint_eq(seen.chunks[2].size, page);
    for (size_t i = 0; i < 3; i++) {
        ck_assert_uint_eq(seen.chunks[i].header_bytes, HEADER_BYTES);
        ck_assert_int_eq(seen.chunks[i].is_free, 0);
    }
    dmm_free(b); /* from the middle of the list */
    seen.count = 0;
    ck_assert_ptr_null(dmm_check(record_chunk, &seen));
    ck_assert_uint_eq(seen.count, 2);
    ck_assert_ptr_eq(seen.chunks[0].start, c - HEADER_BYTES);
    ck_assert_ptr_eq(seen.chunks[1].start, a - HEADER_BYTES);
}
END_TEST

/* ---- dmm_reset gives every mapping back --------------------------------- */

static struct {
    size_t unmaps;
    size_t bytes;
} released;

static void count_unmaps(enum heap_event event, void *addr, size_t length, void *arg)
{
    (void)addr;
    (void)arg;
    if (event == HEAP_EVENT_UNMAP) {
        released.unmaps++;
        released.bytes += length;
    }
}

START_TEST(reset_unmaps_everything)
{
    dmm_reset();
    for (size_t i = 0; i < 5; i++)
        ck_assert_ptr_nonnull(dmm_malloc(i * 5000));
    size_t mapped = stats_now().mapped_bytes;
    released.unmaps = released.bytes = 0;
    heap_set_observer(count_unmaps, NULL);
    dmm_reset();
    heap_set_observer(NULL, NULL);
    ck_assert_uint_eq(released.unmaps, 5);
    ck_assert_uint_eq(released.bytes, mapped);
    struct dmm_stats stats = stats_now();
    ck_assert_uint_eq(stats.mapped_bytes, 0);
    ck_assert_uint_eq(stats.mmap_calls + stats.munmap_calls + stats.malloc_calls, 0);
    ck_assert_uint_eq(heap_summarize().chunks, 0);
}
END_TEST

/* ---- the checker finds each broken invariant ---------------------------- */

/* Three live chunks: the list is c <-> b <-> a, newest first. Each test
 * breaks one field, asks the checker, then puts the field back so that
 * dmm_reset unmaps exactly what was mapped. */
static char *a, *b, *c;

static void three_chunks(void)
{
    dmm_reset();
    a = dmm_malloc(100);
    b = dmm_malloc(200);
    c = dmm_malloc(300);
    ck_assert_heap_ok();
}

START_TEST(invariant_1_length_not_whole_pages)
{
    three_chunks();
    header_of(b)->length += 8;
    assert_checker_says(1);
    header_of(b)->length -= 8;
    ck_assert_heap_ok();
    dmm_reset();
}
END_TEST

START_TEST(invariant_1_link_to_a_non_page_address)
{
    three_chunks();
    struct mirror_header *saved = header_of(c)->next;
    header_of(c)->next = (struct mirror_header *)((char *)saved + 16);
    assert_checker_says(1); /* found without following the link */
    header_of(c)->next = saved;
    ck_assert_heap_ok();
    dmm_reset();
}
END_TEST

START_TEST(invariant_2_magic_overwritten)
{
    three_chunks();
    header_of(a)->magic ^= 1;
    assert_checker_says(2);
    header_of(a)->magic ^= 1;
    ck_assert_heap_ok();
    dmm_reset();
}
END_TEST

START_TEST(invariant_3_prev_link_broken)
{
    three_chunks();
    header_of(b)->prev = NULL; /* should be c's header */
    assert_checker_says(3);
    header_of(b)->prev = header_of(c);
    ck_assert_heap_ok();
    dmm_reset();
}
END_TEST

START_TEST(invariant_4_list_cut_short)
{
    three_chunks();
    header_of(b)->next = NULL; /* a falls off the list */
    assert_checker_says(4);
    header_of(b)->next = header_of(a);
    ck_assert_heap_ok();
    dmm_reset();
}
END_TEST

START_TEST(invariant_4_list_with_a_cycle)
{
    three_chunks();
    header_of(a)->next = header_of(c); /* the oldest leads back to the newest */
    assert_checker_says(4); /* and the walk ends */
    header_of(a)->next = NULL;
    ck_assert_heap_ok();
    dmm_reset();
}
END_TEST

START_TEST(invariant_5_length_off_by_a_page)
{
    three_chunks();
    size_t page = heap_page_size();
    header_of(c)->length += page; /* still whole pages, but not what was mapped */
    assert_checker_says(5);
    header_of(c)->length -= page;
    ck_assert_heap_ok();
    dmm_reset();
}
END_TEST

START_TEST(invariant_5_mapping_behind_its_back)
{
    three_chunks();
    size_t page = heap_page_size();
    void *foreign = heap_map(page);
    ck_assert_ptr_nonnull(foreign);
    assert_checker_says(5);
    ck_assert_int_eq(heap_unmap(foreign, page), 0);
    ck_assert_heap_ok();
    dmm_reset();
}
END_TEST

/* p1..p5 of the slides: five mappings of a page each, all given back. */
START_TEST(lecture_demo_costs_a_system_call_per_operation)
{
    run_lecture_demo();
    struct dmm_stats stats = stats_now();
    ck_assert_uint_eq(stats.mmap_calls, 5);
    ck_assert_uint_eq(stats.munmap_calls, 5);
    ck_assert_uint_eq(stats.brk_calls, 0);
    ck_assert_uint_eq(stats.mapped_bytes, 0);
    /* At most three chunks were live at once (p1, p3, p4 or p1, p4, p5). */
    ck_assert_uint_eq(stats.peak_footprint_bytes, 3 * heap_page_size());
}
END_TEST

int main(void)
{
    Suite *suite = suite_create("lecture/mmap");
    TCase *tc = tcase_create("mmap");
    tcase_set_timeout(tc, 60);
    tcase_add_test(tc, one_mmap_per_malloc_one_munmap_per_free);
    tcase_add_test(tc, payloads_are_aligned_after_a_page_aligned_header);
    tcase_add_test(tc, malloc_zero_maps_a_page_of_its_own);
    tcase_add_test(tc, realloc_within_the_pages_stays_in_place);
    tcase_add_test(tc, realloc_beyond_the_pages_moves_and_keeps_contents);
    tcase_add_test(tc, failures_leave_the_list_intact);
    tcase_add_test(tc, visitor_sees_one_chunk_per_mapping_newest_first);
    tcase_add_test(tc, reset_unmaps_everything);
    suite_add_tcase(suite, tc);

    TCase *corruption = tcase_create("corruption");
    tcase_set_timeout(corruption, 60);
    tcase_add_test(corruption, invariant_1_length_not_whole_pages);
    tcase_add_test(corruption, invariant_1_link_to_a_non_page_address);
    tcase_add_test(corruption, invariant_2_magic_overwritten);
    tcase_add_test(corruption, invariant_3_prev_link_broken);
    tcase_add_test(corruption, invariant_4_list_cut_short);
    tcase_add_test(corruption, invariant_4_list_with_a_cycle);
    tcase_add_test(corruption, invariant_5_length_off_by_a_page);
    tcase_add_test(corruption, invariant_5_mapping_behind_its_back);
    suite_add_tcase(suite, corruption);

    TCase *demo = tcase_create("lecture demo");
    tcase_set_timeout(demo, 60);
    tcase_add_test(demo, lecture_demo_costs_a_system_call_per_operation);
    suite_add_tcase(suite, demo);
    return run_suite(suite);
}
