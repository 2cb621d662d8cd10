/*
 * check_dlist.c — the lecture's behaviour of allocators/dlist.c: one
 * unordered doubly linked free list, first fit, footers, O(1) free.
 * What dlist shares with bins through chunk.h (growth, split, coalesce,
 * realloc in place, invariants 1-6) is tested in check_chunk.c; here is
 * only what the single free list decides.
 *
 * The chunk is read here straight from the lecture's drawing, not through
 * chunk.h, so a wrong helper there cannot hide from these tests: the size
 * word (bit 0 = free) starts 16 bytes before the payload.
 */
#include "dmm.h"

#include "testlib.h"

#include <check.h>

#define HEADER 16 /* bytes before the payload */

/* ---- the chunk, as the lecture draws it ------------------------------------- */

static size_t *size_word(void *payload)
{
    return (size_t *)((char *)payload - HEADER);
}

static size_t chunk_bytes(void *payload)
{
    return *size_word(payload) & ~(size_t)15;
}

/* The payload of the chunk that starts `bytes` after p's chunk. */
static void *payload_after(void *p, size_t bytes)
{
    return (char *)p + bytes;
}

static void setup(void)
{
    dmm_reset();
}

/* ---- malloc: first fit over one list, split ---------------------------------- */

START_TEST(test_first_fit_examines_each_chunk_until_one_fits)
{
    void *p[7];
    for (int i = 0; i < 7; i++)
        p[i] = dmm_malloc(48); /* 80-byte chunks */
    dmm_free(p[1]);
    dmm_free(p[3]);
    dmm_free(p[5]); /* list: p5, p3, p1, rest of the first growth */
    struct dmm_stats before, after;
    dmm_stats(&before);
    void *big = dmm_malloc(200); /* 240 bytes: only the rest of the first growth fits */
    dmm_stats(&after);
    ck_assert_uint_eq(after.malloc_steps - before.malloc_steps, 4);
    ck_assert_ptr_eq(big, payload_after(p[6], 80));
    dmm_stats(&before);
    /* The split's tail went to the front, so it is the first fit. */
    ck_assert_ptr_eq(dmm_malloc(48), payload_after(big, 240));
    dmm_stats(&after);
    ck_assert_uint_eq(after.malloc_steps - before.malloc_steps, 1);
}
END_TEST

START_TEST(test_split_returns_the_front_and_lists_the_tail_first)
{
    void *a = dmm_malloc(512), *guard = dmm_malloc(16); /* 544-byte chunk */
    dmm_free(a);
    void *front = dmm_malloc(100); /* 144 bytes */
    ck_assert_ptr_eq(front, a);
    ck_assert_uint_eq(chunk_bytes(front), 144);
    ck_assert_uint_eq(heap_summarize().free_chunks, 2); /* the tail and the last chunk */
    /* The tail (400 bytes) went to the front of the list, before the last chunk. */
    ck_assert_ptr_eq(dmm_malloc(100), payload_after(a, 144));
    ck_assert_ptr_nonnull(guard);
}
END_TEST

int main(void)
{
    Suite *suite = suite_create("lecture/dlist");
    TCase *tc = tcase_create("malloc");
    tcase_add_checked_fixture(tc, setup, NULL);
    tcase_set_timeout(tc, 60);
    tcase_add_test(tc, test_first_fit_examines_each_chunk_until_one_fits);
    tcase_add_test(tc, test_split_returns_the_front_and_lists_the_tail_first);
    suite_add_tcase(suite, tc);
    return run_suite(suite);
}
