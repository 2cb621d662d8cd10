/*
 * check_contract.c — dmm.h's promises, item by item, for one allocator.
 *
 * Built once per allocator (check_contract_NAME, CTest contract/NAME): every
 * allocator must pass every test here, whatever its design.
 */
#include "dmm.h"

#include "testlib.h"

#include <check.h>
#include <errno.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

/* Bigger than any heap section or address space can give, yet a valid
 * request (below DMM_MAX_REQUEST): 64 TiB. */
#define TOO_LARGE_FOR_THE_HEAP ((size_t)1 << 46)

static void setup(void)
{
    dmm_reset();
    ownership_start();
}

/* ---- alignment ---------------------------------------------------------- */

START_TEST(test_every_payload_is_aligned_and_owned)
{
    static const size_t sizes[] = {0,   1,   7,    8,    15,   16,   17,    24,    31,     32,
                                   33,  48,  63,   64,   100,  127,  128,   255,   256,    1000,
                                   1024, 4095, 4096, 4097, 8191, 8192, 10000, 65536, 200000};
    enum { COUNT = sizeof sizes / sizeof sizes[0] };
    void *p[COUNT];
    for (size_t i = 0; i < COUNT; i++) {
        p[i] = dmm_malloc(sizes[i]);
        ck_assert_msg(p[i] != NULL, "malloc(%zu) failed", sizes[i]);
        ck_assert_msg(((uintptr_t)p[i] % DMM_ALIGNMENT) == 0, "malloc(%zu) = %p is not %d-aligned",
                      sizes[i], p[i], DMM_ALIGNMENT);
        ck_assert_msg(ownership_contains(p[i], sizes[i] ? sizes[i] : 1),
                      "malloc(%zu) = %p lies outside the allocator's memory", sizes[i], p[i]);
        pattern_fill(p[i], sizes[i], i);
    }
    /* Every payload still holds its own pattern: nothing overlapped. */
    for (size_t i = 0; i < COUNT; i++)
        ck_assert_msg(pattern_intact(p[i], sizes[i], i), "payload of malloc(%zu) was overwritten",
                      sizes[i]);
    ck_assert_heap_ok();
    for (size_t i = 0; i < COUNT; i++)
        dmm_free(p[i]);
    ck_assert_heap_ok();
}
END_TEST

/* ---- zero-byte requests ------------------------------------------------- */

START_TEST(test_malloc_zero_returns_unique_freeable_pointers)
{
    void *a = dmm_malloc(0), *b = dmm_malloc(0), *c = dmm_calloc(0, 8), *d = dmm_calloc(8, 0);
    ck_assert_ptr_nonnull(a);
    ck_assert_ptr_nonnull(b);
    ck_assert_ptr_nonnull(c);
    ck_assert_ptr_nonnull(d);
    ck_assert_ptr_ne(a, b);
    ck_assert_ptr_ne(a, c);
    ck_assert_ptr_ne(b, c);
    ck_assert_ptr_ne(c, d);
    ck_assert_ptr_ne(a, d);
    ck_assert_heap_ok();
    dmm_free(a);
    dmm_free(b);
    dmm_free(c);
    dmm_free(d);
    ck_assert_heap_ok();
}
END_TEST

/* ---- free --------------------------------------------------------------- */

START_TEST(test_free_null_does_nothing)
{
    void *p = dmm_malloc(40);
    struct dmm_stats before, after;
    dmm_stats(&before);
    errno = 1234;
    dmm_free(NULL);
    ck_assert_int_eq(errno, 1234);
    dmm_stats(&after);
    ck_assert_mem_eq(&before, &after, sizeof before);
    ck_assert_heap_ok();
    dmm_free(p);
}
END_TEST

START_TEST(test_free_never_changes_errno)
{
    void *p[64];
    for (int i = 0; i < 64; i++)
        p[i] = dmm_malloc((size_t)(i * 97 % 3000));
    /* Free in an order that makes the heap allocators coalesce. */
    for (int i = 0; i < 64; i += 2) {
        errno = 4321;
        dmm_free(p[i]);
        ck_assert_int_eq(errno, 4321);
    }
    for (int i = 1; i < 64; i += 2) {
        errno = 0;
        dmm_free(p[i]);
        ck_assert_int_eq(errno, 0);
    }
    ck_assert_heap_ok();
}
END_TEST

/* ---- sizes that cannot be served ---------------------------------------- */

static const size_t overflowing_sizes[] = {
    SIZE_MAX,           SIZE_MAX - 1,      SIZE_MAX - 15,          SIZE_MAX - 16,
    SIZE_MAX - 4096,    SIZE_MAX - 16384,  (size_t)PTRDIFF_MAX + 1, (size_t)PTRDIFF_MAX + 17,
    SIZE_MAX / 2 + 100,
};

START_TEST(test_sizes_whose_rounding_overflows_fail_with_enomem)
{
    for (size_t i = 0; i < sizeof overflowing_sizes / sizeof overflowing_sizes[0]; i++) {
        errno = 0;
        ck_assert_msg(dmm_malloc(overflowing_sizes[i]) == NULL, "malloc(%zu) succeeded",
                      overflowing_sizes[i]);
        ck_assert_int_eq(errno, ENOMEM);
        ck_assert_heap_ok();
    }
    void *p = dmm_malloc(100);
    ck_assert_ptr_nonnull(p);
    dmm_free(p);
}
END_TEST

START_TEST(test_request_too_large_for_the_heap_fails_cleanly)
{
    void *before = dmm_malloc(1000);
    pattern_fill(before, 1000, 7);
    errno = 0;
    ck_assert_ptr_null(dmm_malloc(TOO_LARGE_FOR_THE_HEAP));
    ck_assert_int_eq(errno, ENOMEM);
    errno = 0;
    ck_assert_ptr_null(dmm_calloc(TOO_LARGE_FOR_THE_HEAP / 8, 8));
    ck_assert_int_eq(errno, ENOMEM);
    ck_assert_heap_ok();
    /* Still usable: old memory intact, new requests served. */
    ck_assert(pattern_intact(before, 1000, 7));
    void *after = dmm_malloc(5000);
    ck_assert_ptr_nonnull(after);
    pattern_fill(after, 5000, 8);
    dmm_free(before);
    dmm_free(after);
    ck_assert_heap_ok();
}
END_TEST

/* ---- calloc ------------------------------------------------------------- */

START_TEST(test_calloc_multiplication_overflow_fails)
{
    static const size_t pairs[][2] = {
        {SIZE_MAX, 2}, {2, SIZE_MAX}, {SIZE_MAX / 2 + 1, 2}, {(size_t)1 << 33, (size_t)1 << 33},
        {SIZE_MAX, SIZE_MAX}, {65537, (size_t)1 << 48},
    };
    for (size_t i = 0; i < sizeof pairs / sizeof pairs[0]; i++) {
        errno = 0;
        ck_assert_msg(dmm_calloc(pairs[i][0], pairs[i][1]) == NULL, "calloc(%zu, %zu) succeeded",
                      pairs[i][0], pairs[i][1]);
        ck_assert_int_eq(errno, ENOMEM);
    }
    ck_assert_heap_ok();
}
END_TEST

static int all_zero(const unsigned char *p, size_t n)
{
    for (size_t i = 0; i < n; i++)
        if (p[i] != 0)
            return 0;
    return 1;
}

START_TEST(test_calloc_memory_is_zero_even_when_recycled)
{
    /* Dirty a range of sizes, free them, then calloc the same sizes: the
     * allocators that reuse memory hand back exactly these chunks. */
    enum { N = 40 };
    void *p[N];
    for (size_t i = 0; i < N; i++) {
        p[i] = dmm_malloc(16 * (i + 1));
        memset(p[i], 0xA5, 16 * (i + 1));
    }
    for (size_t i = 0; i < N; i++)
        dmm_free(p[i]);
    for (size_t i = 0; i < N; i++) {
        size_t n = 16 * (i + 1);
        unsigned char *q = dmm_calloc(i + 1, 16);
        ck_assert_ptr_nonnull(q);
        ck_assert_msg(all_zero(q, n), "calloc(%zu, 16) returned non-zero bytes", i + 1);
        p[i] = q;
    }
    for (size_t i = 0; i < N; i++)
        dmm_free(p[i]);
    ck_assert_heap_ok();
}
END_TEST

/* ---- realloc ------------------------------------------------------------ */

START_TEST(test_realloc_null_is_malloc)
{
    struct dmm_stats before, after;
    dmm_stats(&before);
    void *p = dmm_realloc(NULL, 100);
    dmm_stats(&after);
    ck_assert_ptr_nonnull(p);
    ck_assert(((uintptr_t)p % DMM_ALIGNMENT) == 0);
    ck_assert_uint_eq(after.malloc_calls, before.malloc_calls + 1);
    pattern_fill(p, 100, 3);
    dmm_free(p);
    ck_assert_heap_ok();
}
END_TEST

START_TEST(test_realloc_to_zero_frees_and_returns_null)
{
    void *p = dmm_malloc(300);
    struct dmm_stats before, after;
    dmm_stats(&before);
    errno = 555;
    ck_assert_ptr_null(dmm_realloc(p, 0));
    ck_assert_int_eq(errno, 555);
    dmm_stats(&after);
    ck_assert_uint_eq(after.free_calls, before.free_calls + 1);
    ck_assert_heap_ok();
}
END_TEST

START_TEST(test_failed_realloc_leaves_the_block_untouched)
{
    unsigned char *p = dmm_malloc(2000);
    pattern_fill(p, 2000, 11);
    for (size_t i = 0; i < sizeof overflowing_sizes / sizeof overflowing_sizes[0]; i++) {
        errno = 0;
        ck_assert_ptr_null(dmm_realloc(p, overflowing_sizes[i]));
        ck_assert_int_eq(errno, ENOMEM);
    }
    errno = 0;
    ck_assert_ptr_null(dmm_realloc(p, TOO_LARGE_FOR_THE_HEAP));
    ck_assert_int_eq(errno, ENOMEM);
    ck_assert(pattern_intact(p, 2000, 11));
    ck_assert_heap_ok();
    /* The old block is still valid: it can grow and be freed. */
    p = dmm_realloc(p, 3000);
    ck_assert_ptr_nonnull(p);
    ck_assert(pattern_intact(p, 2000, 11));
    dmm_free(p);
    ck_assert_heap_ok();
}
END_TEST

START_TEST(test_realloc_keeps_contents_up_to_the_smaller_size)
{
    static const size_t steps[] = {1, 16, 17, 100, 64, 4000, 30, 70000, 200000, 5, 9000, 0};
    size_t old = 10;
    unsigned char *p = dmm_malloc(old);
    pattern_fill(p, old, 21);
    for (size_t i = 0; steps[i] != 0; i++) {
        size_t new_size = steps[i];
        unsigned char *q = dmm_realloc(p, new_size);
        ck_assert_msg(q != NULL, "realloc(%zu -> %zu) failed", old, new_size);
        ck_assert(((uintptr_t)q % DMM_ALIGNMENT) == 0);
        size_t kept = old < new_size ? old : new_size;
        ck_assert_msg(pattern_intact(q, kept, 21), "realloc(%zu -> %zu) lost contents", old,
                      new_size);
        pattern_fill(q, new_size, 21);
        ck_assert_heap_ok();
        p = q;
        old = new_size;
    }
    dmm_free(p);
    ck_assert_heap_ok();
}
END_TEST

/* Two neighbours around a realloc'ed chunk keep their contents. */
START_TEST(test_realloc_does_not_touch_neighbours)
{
    unsigned char *left = dmm_malloc(64), *middle = dmm_malloc(64), *right = dmm_malloc(64);
    pattern_fill(left, 64, 1);
    pattern_fill(middle, 64, 2);
    pattern_fill(right, 64, 3);
    static const size_t sizes[] = {32, 16, 48, 200, 1000, 8};
    for (size_t i = 0; i < sizeof sizes / sizeof sizes[0]; i++) {
        middle = dmm_realloc(middle, sizes[i]);
        ck_assert_ptr_nonnull(middle);
        pattern_fill(middle, sizes[i], 2);
        ck_assert(pattern_intact(left, 64, 1));
        ck_assert(pattern_intact(right, 64, 3));
        ck_assert_heap_ok();
    }
    dmm_free(left);
    dmm_free(middle);
    dmm_free(right);
}
END_TEST

/* ---- introspection ------------------------------------------------------ */

START_TEST(test_name_is_set)
{
    ck_assert_ptr_nonnull(dmm_name());
    ck_assert_uint_gt(strlen(dmm_name()), 0);
}
END_TEST

START_TEST(test_stats_add_up)
{
    void *p[10];
    for (int i = 0; i < 10; i++)
        p[i] = dmm_malloc(1000);
    for (int i = 0; i < 10; i += 2)
        dmm_free(p[i]);
    struct dmm_stats s;
    dmm_stats(&s);
    ck_assert_uint_eq(s.malloc_calls, 10);
    ck_assert_uint_eq(s.free_calls, 5);
    ck_assert_uint_eq(s.footprint_bytes, s.heap_bytes + s.mapped_bytes);
    ck_assert_uint_eq(s.peak_footprint_bytes, s.peak_heap_bytes + s.peak_mapped_bytes);
    ck_assert_uint_ge(s.peak_footprint_bytes, s.footprint_bytes);
    ck_assert_uint_ge(s.peak_footprint_bytes, 10 * 1000);
    ck_assert_uint_gt(s.brk_calls + s.mmap_calls, 0);
}
END_TEST

static void check_chunk_is_owned(const struct dmm_chunk_info *chunk, void *arg)
{
    size_t *visited = arg;
    ++*visited;
    ck_assert_msg(ownership_contains(chunk->start, chunk->size),
                  "the checker visited %p (%zu bytes) outside the allocator's memory",
                  chunk->start, chunk->size);
    ck_assert_uint_ge(chunk->size, chunk->header_bytes + chunk->footer_bytes);
}

START_TEST(test_checker_visits_only_owned_memory)
{
    void *p[20];
    for (int i = 0; i < 20; i++)
        p[i] = dmm_malloc((size_t)(i * 300 + 1));
    for (int i = 0; i < 20; i += 3)
        dmm_free(p[i]);
    size_t visited = 0;
    ck_assert_ptr_null(dmm_check(check_chunk_is_owned, &visited));
    ck_assert_uint_gt(visited, 0);
}
END_TEST

/* dmm_usable_size is optional (dmm.h): a weak reference is NULL where the
 * allocator leaves it out (minimal, pad), and the promise is then not
 * tested. Where it is defined: at least the request, and every usable byte
 * the block's own (writing all of them breaks neither a neighbour nor an
 * invariant). */
#pragma weak dmm_usable_size

START_TEST(test_usable_size_covers_the_request_and_is_the_blocks_own)
{
    if (&dmm_usable_size == NULL)
        return;
    static const size_t sizes[] = {0, 1, 15, 16, 17, 100, 1000, 4096, 40000, 200000};
    enum { COUNT = sizeof sizes / sizeof sizes[0] };
    void *p[COUNT];
    size_t usable[COUNT];
    for (size_t i = 0; i < COUNT; i++) {
        p[i] = dmm_malloc(sizes[i]);
        ck_assert_ptr_nonnull(p[i]);
        usable[i] = dmm_usable_size(p[i]);
        ck_assert_msg(usable[i] >= sizes[i], "dmm_usable_size says %zu for malloc(%zu)",
                      usable[i], sizes[i]);
        ck_assert_msg(ownership_contains(p[i], usable[i] ? usable[i] : 1),
                      "malloc(%zu): its %zu usable bytes leave the allocator's memory",
                      sizes[i], usable[i]);
        pattern_fill(p[i], usable[i], i);
    }
    for (size_t i = 0; i < COUNT; i++)
        ck_assert_msg(pattern_intact(p[i], usable[i], i),
                      "writing the usable bytes of another block overwrote malloc(%zu)'s",
                      sizes[i]);
    ck_assert_heap_ok();
    for (size_t i = 0; i < COUNT; i++)
        dmm_free(p[i]);
    ck_assert_heap_ok();
}
END_TEST

START_TEST(test_reset_returns_everything_and_zeroes_counters)
{
    for (int i = 0; i < 50; i++)
        dmm_malloc((size_t)(i * 1000));
    dmm_reset();
    struct dmm_stats s, zero = {0};
    dmm_stats(&s);
    ck_assert_mem_eq(&s, &zero, sizeof s);
    ck_assert_heap_ok();
    void *p = dmm_malloc(100);
    ck_assert_ptr_nonnull(p);
    pattern_fill(p, 100, 1);
    dmm_free(p);
    ck_assert_heap_ok();
}
END_TEST

int main(void)
{
    const struct test_group groups[] = {
        {"alignment", {test_every_payload_is_aligned_and_owned}},
        {"zero", {test_malloc_zero_returns_unique_freeable_pointers}},
        {"free", {test_free_null_does_nothing, test_free_never_changes_errno}},
        {"failure",
         {test_sizes_whose_rounding_overflows_fail_with_enomem,
          test_request_too_large_for_the_heap_fails_cleanly}},
        {"calloc", {test_calloc_multiplication_overflow_fails, test_calloc_memory_is_zero_even_when_recycled}},
        {"realloc",
         {test_realloc_null_is_malloc, test_realloc_to_zero_frees_and_returns_null,
          test_failed_realloc_leaves_the_block_untouched,
          test_realloc_keeps_contents_up_to_the_smaller_size, test_realloc_does_not_touch_neighbours}},
        {"introspection",
         {test_name_is_set, test_stats_add_up, test_checker_visits_only_owned_memory,
          test_reset_returns_everything_and_zeroes_counters,
          test_usable_size_covers_the_request_and_is_the_blocks_own}},
    };
    return run_test_groups("contract", groups, sizeof groups / sizeof groups[0], setup);
}
