/*
 * check_bins.c — the lecture's behaviour of allocators/bins.c: an array of
 * doubly linked free lists, an exact bin per 16 bytes below 1 KiB and one
 * first-fit bin above, the same chunk and O(1) free as dlist.
 * What bins shares with dlist through chunk.h (growth, split, coalesce,
 * realloc in place, invariants 1-6) is tested in check_chunk.c; here is
 * only what the bins decide, and invariant 7.
 *
 * The chunk is read here straight from the lecture's drawing, not through
 * chunk.h, so a wrong helper there cannot hide from these tests:
 *   size word (bit 0 = free) 16 bytes before the payload; the footer's
 *   prev link and size in the last 16 bytes.
 */
#include "dmm.h"

#include "testlib.h"

#include <check.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>

#define HEADER 16 /* bytes before the payload */
#define FOOTER 16 /* bytes after it */

/* ---- the chunk, as the lecture draws it ------------------------------------- */

static size_t *size_word(void *payload)
{
    return (size_t *)((char *)payload - HEADER);
}

static size_t chunk_bytes(void *payload)
{
    return *size_word(payload) & ~(size_t)15;
}

static void **footer_prev(void *payload)
{
    return (void **)((char *)payload - HEADER + chunk_bytes(payload) - FOOTER);
}

static size_t *footer_size(void *payload)
{
    return (size_t *)((char *)payload - HEADER + chunk_bytes(payload) - sizeof(size_t));
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

/* ---- malloc: which bin, split ----------------------------------------------- */

static uint64_t malloc_steps_of(size_t size, void **payload)
{
    struct dmm_stats before, after;
    dmm_stats(&before);
    *payload = dmm_malloc(size);
    dmm_stats(&after);
    return after.malloc_steps - before.malloc_steps;
}

START_TEST(test_exact_bin_takes_one_step)
{
    void *p[6], *got;
    for (int i = 0; i < 6; i++)
        p[i] = dmm_malloc(100); /* 144-byte chunks: bin 9 */
    dmm_free(p[0]);
    dmm_free(p[2]);
    dmm_free(p[4]); /* bin 9: p4, p2, p0 */
    ck_assert_uint_eq(malloc_steps_of(100, &got), 1);
    ck_assert_ptr_eq(got, p[4]);
    ck_assert_uint_eq(malloc_steps_of(100, &got), 1);
    ck_assert_ptr_eq(got, p[2]);
}
END_TEST

START_TEST(test_large_request_skips_the_small_free_chunks)
{
    void *p[7], *got;
    for (int i = 0; i < 7; i++)
        p[i] = dmm_malloc(48); /* 80-byte chunks: bin 5 */
    dmm_free(p[1]);
    dmm_free(p[3]);
    dmm_free(p[5]);
    /* dlist examines p5, p3, p1 and the last chunk; here only the last chunk is. */
    ck_assert_uint_eq(malloc_steps_of(200, &got), 1);
    ck_assert_ptr_eq(got, payload_after(p[6], 80));
}
END_TEST

START_TEST(test_split_remainder_goes_to_its_own_bin)
{
    void *a = dmm_malloc(512), *guard = dmm_malloc(16), *got; /* 544 bytes: bin 34 */
    dmm_free(a);
    /* Bins 9 to 33 are empty: the first non-empty one above is bin 34. */
    ck_assert_uint_eq(malloc_steps_of(100, &got), 1);
    ck_assert_ptr_eq(got, a);
    ck_assert_uint_eq(chunk_bytes(got), 144);
    ck_assert_uint_eq(heap_summarize().free_chunks, 2); /* the tail and the last chunk */
    /* The 400-byte tail is in bin 25: a request for it is one step. */
    ck_assert_uint_eq(malloc_steps_of(368, &got), 1);
    ck_assert_ptr_eq(got, payload_after(a, 144));
    ck_assert_ptr_nonnull(guard);
}
END_TEST

START_TEST(test_last_bin_is_first_fit)
{
    void *x = dmm_malloc(2000), *g1 = dmm_malloc(16); /* 2032 bytes */
    void *y = dmm_malloc(1200), *g2 = dmm_malloc(16); /* 1232 bytes */
    void *got;
    dmm_free(x);
    dmm_free(y); /* last bin: y, x, the last chunk */
    ck_assert_uint_eq(malloc_steps_of(1500, &got), 2); /* 1536 bytes: y is too small */
    ck_assert_ptr_eq(got, x);
    /* The 496-byte rest is in exact bin 31. */
    ck_assert_uint_eq(malloc_steps_of(464, &got), 1);
    ck_assert_ptr_eq(got, payload_after(x, 1536));
    ck_assert_ptr_nonnull(g1);
    ck_assert_ptr_nonnull(g2);
}
END_TEST

/* ---- the checker: invariant 7, the bins' own ---------------------------------- */

START_TEST(test_check_invariant7_chunk_in_the_wrong_bin)
{
    void *p[5];
    for (int i = 0; i < 5; i++)
        p[i] = dmm_malloc(48); /* 80-byte chunks: bin 5 */
    dmm_free(p[2]); /* alone in bin 5 */
    /* p[2] swallows the allocated p[3], header and footer agreeing: a
     * 160-byte free chunk left in the 80-byte bin. */
    *size_word(p[2]) = 160 | 1;
    *footer_prev(p[2]) = NULL;
    *footer_size(p[2]) = 160;
    assert_broken(7);
}
END_TEST

int main(void)
{
    const struct test_group groups[] = {
        {"malloc", {test_exact_bin_takes_one_step, test_large_request_skips_the_small_free_chunks,
                    test_split_remainder_goes_to_its_own_bin, test_last_bin_is_first_fit}},
        {"checker", {test_check_invariant7_chunk_in_the_wrong_bin}},
    };
    return run_test_groups("lecture/bins", groups, sizeof groups / sizeof groups[0], setup);
}
