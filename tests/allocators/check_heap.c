/*
 * check_heap.c — the heap section, on the back end this executable was
 * compiled with (check_heap_simulated or check_heap_system).
 */
#define _DEFAULT_SOURCE /* sbrk, mallopt's constants */

#include "heap.h"
#include "suite.h"

#include <check.h>
#include <errno.h>
#include <malloc.h>
#include <signal.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

static size_t page;

static void setup(void)
{
    heap_reset();
    heap_set_observer(NULL, NULL);
    page = heap_page_size();
}

/* ---- both back ends ----------------------------------------------------- */

START_TEST(test_start_is_aligned_and_the_section_starts_empty)
{
    ck_assert_ptr_nonnull(heap_start());
    ck_assert_uint_eq((uintptr_t)heap_start() % DMM_ALIGNMENT, 0);
    ck_assert_ptr_eq(heap_break(), heap_start());
    struct dmm_stats s = {0};
    heap_stats(&s);
    ck_assert_uint_eq(s.heap_bytes, 0);
    ck_assert_uint_eq(s.brk_calls, 0);
}
END_TEST

START_TEST(test_grow_gives_writable_memory_at_the_old_break)
{
    char *old = heap_break();
    char *p = heap_grow(10000);
    ck_assert_ptr_eq(p, old);
    ck_assert_ptr_eq(heap_break(), old + 10000);
    memset(p, 0x5A, 10000);
    ck_assert_int_eq(p[9999], 0x5A);
    ck_assert_int_eq(heap_brk(old + 100), 0);
    ck_assert_ptr_eq(heap_break(), old + 100);
    struct dmm_stats s = {0};
    heap_stats(&s);
    ck_assert_uint_eq(s.brk_calls, 2);
    ck_assert_uint_eq(s.heap_bytes, 100);
    ck_assert_uint_eq(s.peak_footprint_bytes, 10000);
    ck_assert_uint_eq(s.peak_heap_bytes, 10000);
}
END_TEST

START_TEST(test_break_cannot_go_below_the_start)
{
    char *start = heap_start();
    errno = 0;
    ck_assert_int_eq(heap_brk(start - 16), -1);
    ck_assert_int_eq(errno, ENOMEM);
    ck_assert_ptr_eq(heap_break(), start);
}
END_TEST

START_TEST(test_impossible_growth_fails_with_enomem_and_keeps_the_break)
{
    char *old = heap_grow(4096);
    ck_assert_ptr_nonnull(old);
    errno = 0;
    ck_assert_ptr_null(heap_grow((size_t)1 << 46));
    ck_assert_int_eq(errno, ENOMEM);
    errno = 0;
    ck_assert_ptr_null(heap_grow(SIZE_MAX - 8));
    ck_assert_int_eq(errno, ENOMEM);
    ck_assert_ptr_eq(heap_break(), old + 4096);
    memset(old, 1, 4096);
}
END_TEST

START_TEST(test_mappings_are_counted_in_whole_pages)
{
    char *a = heap_map(1);
    char *b = heap_map(3 * page + 1);
    ck_assert_ptr_nonnull(a);
    ck_assert_ptr_nonnull(b);
    memset(b, 7, 4 * page);
    struct dmm_stats s = {0};
    heap_stats(&s);
    ck_assert_uint_eq(s.mmap_calls, 2);
    ck_assert_uint_eq(s.mapped_bytes, 5 * page);
    ck_assert_uint_eq(s.footprint_bytes, 5 * page);
    ck_assert_int_eq(heap_unmap(a, 1), 0);
    ck_assert_int_eq(heap_unmap(b, 3 * page + 1), 0);
    heap_stats(&s);
    ck_assert_uint_eq(s.munmap_calls, 2);
    ck_assert_uint_eq(s.mapped_bytes, 0);
    ck_assert_uint_eq(s.peak_mapped_bytes, 5 * page);
    errno = 0;
    ck_assert_ptr_null(heap_map((size_t)1 << 46));
    ck_assert_int_eq(errno, ENOMEM);
}
END_TEST

START_TEST(test_remap_keeps_contents_and_counts)
{
    char *a = heap_map(2 * page);
    memset(a, 0x3C, 2 * page);
    char *b = heap_remap(a, 2 * page, 64 * page);
    ck_assert_ptr_nonnull(b);
    for (size_t i = 0; i < 2 * page; i++)
        ck_assert_int_eq(b[i], 0x3C);
    memset(b, 1, 64 * page);
    struct dmm_stats s = {0};
    heap_stats(&s);
    ck_assert_uint_eq(s.mremap_calls, 1);
    ck_assert_uint_eq(s.mapped_bytes, 64 * page);
    ck_assert_uint_eq(s.peak_mapped_bytes, 64 * page);
    char *c = heap_remap(b, 64 * page, page);
    ck_assert_ptr_nonnull(c);
    heap_stats(&s);
    ck_assert_uint_eq(s.mapped_bytes, page);
    errno = 0;
    ck_assert_ptr_null(heap_remap(c, page, (size_t)1 << 46));
    ck_assert_int_eq(errno, ENOMEM);
    ck_assert_int_eq(c[0], 1); /* the old mapping survives a failed remap */
    ck_assert_int_eq(heap_unmap(c, page), 0);
}
END_TEST

static struct {
    int breaks, maps, unmaps;
    void *last_break;
} seen;

static void observe(enum heap_event event, void *addr, size_t length, void *arg)
{
    (void)length;
    (void)arg;
    if (event == HEAP_EVENT_BREAK) {
        seen.breaks++;
        seen.last_break = addr;
    } else if (event == HEAP_EVENT_MAP) {
        seen.maps++;
    } else {
        seen.unmaps++;
    }
}

START_TEST(test_observer_hears_every_change)
{
    heap_set_observer(observe, NULL);
    heap_grow(100);
    heap_grow(200);
    void *m = heap_map(10);
    heap_unmap(m, 10);
    ck_assert_int_eq(seen.breaks, 2);
    ck_assert_ptr_eq(seen.last_break, heap_break());
    ck_assert_int_eq(seen.maps, 1);
    ck_assert_int_eq(seen.unmaps, 1);
    heap_set_observer(NULL, NULL);
}
END_TEST

static uint64_t calls_heard[4]; /* by enum heap_call */

static void count_call(enum heap_call call, void *arg)
{
    (void)arg;
    calls_heard[call]++;
}

/* The call observer hears every call once, failed ones too, and a remap
 * as a remap; its counts are dmm_stats' (the harness compares them). */
START_TEST(test_call_observer_hears_every_call_once)
{
    memset(calls_heard, 0, sizeof calls_heard);
    heap_set_call_observer(count_call, NULL);
    char *start = heap_break();
    heap_grow(100);
    ck_assert_int_eq(heap_brk(start + 50), 0);   /* down, within a page */
    ck_assert_int_eq(heap_brk(start + 50), 0);   /* nowhere */
    ck_assert_ptr_null(heap_grow(SIZE_MAX));     /* fails: still a call */
    void *m = heap_map(10);
    m = heap_remap(m, 10, 3 * page);
    ck_assert_ptr_nonnull(m);
    ck_assert_int_eq(heap_unmap(m, 3 * page), 0);
    heap_set_call_observer(NULL, NULL);
    heap_grow(16);                               /* not heard: no observer */
    struct dmm_stats s = {0};
    heap_stats(&s);
    ck_assert_uint_eq(calls_heard[HEAP_CALL_BRK], 4);
    ck_assert_uint_eq(calls_heard[HEAP_CALL_MMAP], 1);
    ck_assert_uint_eq(calls_heard[HEAP_CALL_MREMAP], 1);
    ck_assert_uint_eq(calls_heard[HEAP_CALL_MUNMAP], 1);
    ck_assert_uint_eq(s.brk_calls, 5);
    ck_assert_uint_eq(s.mremap_calls, 1);
}
END_TEST

START_TEST(test_reset_returns_to_the_start_and_zeroes_counters)
{
    heap_grow(50000);
    heap_reset();
    struct dmm_stats s = {0}, zero = {0};
    heap_stats(&s);
    ck_assert_mem_eq(&s, &zero, sizeof s);
    ck_assert_ptr_eq(heap_break(), heap_start());
}
END_TEST

#ifdef DMM_HEAP_SIMULATED
/* ---- simulated back end -------------------------------------------------- */

START_TEST(test_simulated_section_has_a_fixed_address)
{
    /* Runs repeat exactly: the reserve sits at 32 TiB when that is free. */
    ck_assert_ptr_eq(heap_start(), (void *)((uintptr_t)1 << 45));
}
END_TEST

/* The tests that expect a fault run the faulting part in a child of their
 * own (assert_dies_of, suite.h): the same under AddressSanitizer, whose
 * SIGSEGV handler would otherwise turn the fault into an exit status. */
static void write_one_page_past_the_break(void)
{
    char *p = heap_grow(page);
    p[0] = 1;
    p[page] = 1; /* one page past: never made accessible */
}

START_TEST(test_memory_beyond_the_break_faults)
{
    assert_dies_of(write_one_page_past_the_break, SIGSEGV);
}
END_TEST

static void write_to_a_page_given_back(void)
{
    char *p = heap_grow(4 * page);
    memset(p, 1, 4 * page);
    heap_brk(p + page);
    p[2 * page] = 1;
}

START_TEST(test_memory_given_back_faults)
{
    assert_dies_of(write_to_a_page_given_back, SIGSEGV);
}
END_TEST

/* Moves that stay inside a page, or go nowhere, each make their system
 * call (a no-op mprotect) without opening or closing a page: the break's
 * page stays accessible, the page at an empty section's start does not. */
START_TEST(test_moves_inside_a_page_keep_its_protection)
{
    char *p = heap_grow(100);
    ck_assert_int_eq(heap_brk(p + 40), 0);
    ck_assert_int_eq(heap_brk(p + 40), 0);
    p[page - 1] = 1; /* the break's page: still accessible */
}
END_TEST

static void write_at_the_start_of_an_empty_section(void)
{
    char *p = heap_break();
    p[0] = 1;
}

START_TEST(test_a_move_to_nowhere_at_the_start_opens_nothing)
{
    char *p = heap_break();
    ck_assert_int_eq(heap_brk(p), 0);
    ck_assert_int_eq(heap_brk(p), 0);
    assert_dies_of(write_at_the_start_of_an_empty_section, SIGSEGV);
}
END_TEST

START_TEST(test_pages_given_back_read_as_zero_when_regrown)
{
    char *p = heap_grow(4 * page);
    memset(p, 0xEE, 4 * page);
    heap_brk(p);
    ck_assert_ptr_eq(heap_grow(4 * page), p);
    for (size_t i = 0; i < 4 * page; i++)
        ck_assert_int_eq(p[i], 0);
}
END_TEST

START_TEST(test_the_reserve_is_the_limit)
{
    /* 8 GiB reserve: 9 GiB cannot be had, 1 GiB can (untouched, so free). */
    errno = 0;
    ck_assert_ptr_null(heap_grow((size_t)9 << 30));
    ck_assert_int_eq(errno, ENOMEM);
    ck_assert_ptr_nonnull(heap_grow((size_t)1 << 30));
}
END_TEST
#endif

#ifdef DMM_HEAP_SYSTEM
/* ---- system back end ---------------------------------------------------- */

/* glibc's malloc shares the break in this process: give it so much slack
 * that Check's own small allocations never move the break during a test. */
static void quiet_glibc(void)
{
    mallopt(M_TOP_PAD, 64 << 20);
    mallopt(M_TRIM_THRESHOLD, 256 << 20);
    free(malloc(1000));
    setup();
}

START_TEST(test_system_break_is_the_real_break)
{
    char *p = heap_grow(3 * page);
    ck_assert_ptr_nonnull(p);
    ck_assert_ptr_eq(sbrk(0), p + 3 * page);
    memset(p, 3, 3 * page);
    heap_brk(p);
    ck_assert_ptr_eq(sbrk(0), p);
}
END_TEST

START_TEST(test_a_break_moved_by_someone_else_is_never_cut)
{
    char *ours = heap_grow(2 * page);
    memset(ours, 1, 2 * page);
    /* Someone else (glibc's malloc, say) takes memory behind our break. */
    char *theirs = sbrk((intptr_t)page);
    ck_assert_ptr_eq(theirs, ours + 2 * page);
    memset(theirs, 0x77, page);

    /* Growing would run into their memory: refused. */
    errno = 0;
    ck_assert_ptr_null(heap_grow(16));
    ck_assert_int_eq(errno, ENOMEM);
    /* Shrinking is allowed, but the real break stays above their memory. */
    ck_assert_int_eq(heap_brk(ours + 16), 0);
    ck_assert_ptr_eq(heap_break(), ours + 16);
    ck_assert_ptr_eq(sbrk(0), theirs + page);
    for (size_t i = 0; i < page; i++)
        ck_assert_int_eq((unsigned char)theirs[i], 0x77);
    /* Regrowing into what was ours is fine; beyond it, no. */
    ck_assert_ptr_nonnull(heap_grow(page));
    memset(ours, 2, page + 16);
    ck_assert_ptr_null(heap_grow(2 * page));
    for (size_t i = 0; i < page; i++)
        ck_assert_int_eq((unsigned char)theirs[i], 0x77);
}
END_TEST
#endif

int main(void)
{
    Suite *suite = suite_create("heap");
    TCase *common = tcase_create("common");
    tcase_add_checked_fixture(common, setup, NULL);
    tcase_add_test(common, test_start_is_aligned_and_the_section_starts_empty);
    tcase_add_test(common, test_grow_gives_writable_memory_at_the_old_break);
    tcase_add_test(common, test_break_cannot_go_below_the_start);
    tcase_add_test(common, test_impossible_growth_fails_with_enomem_and_keeps_the_break);
    tcase_add_test(common, test_mappings_are_counted_in_whole_pages);
    tcase_add_test(common, test_remap_keeps_contents_and_counts);
    tcase_add_test(common, test_observer_hears_every_change);
    tcase_add_test(common, test_call_observer_hears_every_call_once);
    tcase_add_test(common, test_reset_returns_to_the_start_and_zeroes_counters);
    suite_add_tcase(suite, common);
#ifdef DMM_HEAP_SIMULATED
    TCase *simulated = tcase_create("simulated");
    tcase_add_checked_fixture(simulated, setup, NULL);
    tcase_add_test(simulated, test_simulated_section_has_a_fixed_address);
    tcase_add_test(simulated, test_memory_beyond_the_break_faults);
    tcase_add_test(simulated, test_memory_given_back_faults);
    tcase_add_test(simulated, test_moves_inside_a_page_keep_its_protection);
    tcase_add_test(simulated, test_a_move_to_nowhere_at_the_start_opens_nothing);
    tcase_add_test(simulated, test_pages_given_back_read_as_zero_when_regrown);
    tcase_add_test(simulated, test_the_reserve_is_the_limit);
    suite_add_tcase(suite, simulated);
#endif
#ifdef DMM_HEAP_SYSTEM
    TCase *system = tcase_create("system");
    tcase_add_checked_fixture(system, quiet_glibc, NULL);
    tcase_add_test(system, test_system_break_is_the_real_break);
    tcase_add_test(system, test_a_break_moved_by_someone_else_is_never_cut);
    suite_add_tcase(suite, system);
#endif
    return run_suite(suite);
}
