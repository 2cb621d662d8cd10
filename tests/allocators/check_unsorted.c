/*
 * check_unsorted.c — the lecture's "Unsorted-list-no-coalesce" step (dmm's
 * reading of it, allocators/unsorted.c) behaves as its file says: the
 * lecture's demo sequence, freed chunks reused last in, first out and
 * whole, never split, never coalesced (tests that would fail if it did),
 * the pad growing in 8 KiB steps as pad.c's does, malloc's steps the free
 * chunks it examines, and a checker that names each broken invariant.
 *
 * The tests know unsorted.c's chunk: a 16-byte header (the size word, bit 0
 * the status bit, then the free list's link), no footer, sizes rounded to
 * 16 with a 32-byte minimum.
 */
#define _POSIX_C_SOURCE 200809L /* setenv */

#include "dmm.h"

#include "../../harness/lecture/lecture_demo.h"
#include "heap.h"
#include "testlib.h"

#include <check.h>
#include <errno.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#define HEADER_BYTES 16  /* unsorted.c's header: size word, then the link */
#define GROWTH_STEP 8192 /* bytes: the least the break moves, the lecture's 8 KiB */

/* unsorted.c's header as the tests see it, to read a size or corrupt it. */
struct header {
    size_t size_status; /* bytes, header included; bit 0: free */
    void *next;         /* free chunks only: the next chunk on the free list */
};

static struct header *header_of(void *payload)
{
    return (struct header *)((char *)payload - HEADER_BYTES);
}

static size_t chunk_size_of(void *payload)
{
    return header_of(payload)->size_status & ~(size_t)15;
}

static struct dmm_stats stats_now(void)
{
    struct dmm_stats stats;
    dmm_stats(&stats);
    return stats;
}

/* The lecture's policy, whatever default the build was configured with
 * (cmake -DDMM_POLICY): the environment wins over it. */
static void setup(void)
{
    setenv("DMM_POLICY", "fit=first,order=lifo", 1);
    dmm_reset();
}

/* ---- the chunks as the checker's visitor reports them ------------------- */

#define MAX_SEEN 64

struct seen {
    size_t count;
    struct dmm_chunk_info chunk[MAX_SEEN];
};

static void remember_chunk(const struct dmm_chunk_info *chunk, void *arg)
{
    struct seen *seen = arg;
    if (seen->count < MAX_SEEN)
        seen->chunk[seen->count] = *chunk;
    seen->count++;
}

static struct seen heap_chunks(void)
{
    struct seen seen = {0};
    const char *problem = dmm_check(remember_chunk, &seen);
    ck_assert_msg(problem == NULL, "heap checker: %s", problem);
    ck_assert_uint_le(seen.count, MAX_SEEN);
    return seen;
}

/* ---- the lecture's demo ------------------------------------------------- */

/* p1..p5 of the slides, step by step (16-byte units, +16 for the header):
 *   p1 64, p2 32, p3 80 carved from the pad; free(p2): list p2;
 *   p4 112: p2 is too small (1 step), carved from the pad;
 *   free(p3): list p3, p2; p5 = malloc(32) needs 48: p3 first, taken
 *   whole (1 step), 32 bytes of it unused; free p1, p4, p5: list p5(=p3),
 *   p4, p1, p2. Four free chunks side by side and the pad: nothing
 *   coalesced, where list.c ends with one free chunk. */
START_TEST(test_lecture_demo_ends_with_four_free_chunks_side_by_side)
{
    char *p[LECTURE_DEMO_IDS + 1] = {0};
    for (size_t i = 0; i < LECTURE_DEMO_STEPS; i++) {
        const struct lecture_demo_step *step = &lecture_demo[i];
        if (step->op == 'a')
            ck_assert_ptr_nonnull(p[step->id] = dmm_malloc(step->units * LECTURE_DEMO_UNIT));
        else
            dmm_free(p[step->id]);
        ck_assert_heap_ok();
    }
    char *start = heap_start();
    ck_assert_ptr_eq(p[1], start + HEADER_BYTES);
    ck_assert_ptr_eq(p[2], start + 64 + HEADER_BYTES);
    ck_assert_ptr_eq(p[3], start + 96 + HEADER_BYTES);
    ck_assert_ptr_eq(p[4], start + 176 + HEADER_BYTES);
    ck_assert_ptr_eq(p[5], p[3]); /* p3's chunk, whole: 80 bytes for 48 */
    ck_assert_uint_eq(chunk_size_of(p[5]), 80);

    struct dmm_stats stats = stats_now();
    ck_assert_uint_eq(stats.brk_calls, 1);
    ck_assert_uint_eq(stats.heap_bytes, GROWTH_STEP);
    ck_assert_uint_eq(stats.malloc_steps, 2);
    ck_assert_uint_eq(stats.free_steps, 0);

    struct seen seen = heap_chunks();
    static const size_t sizes[] = {64, 32, 80, 112, GROWTH_STEP - 288};
    ck_assert_uint_eq(seen.count, 5);
    for (size_t i = 0; i < 5; i++) {
        ck_assert_uint_eq(seen.chunk[i].size, sizes[i]);
        ck_assert_int_eq(seen.chunk[i].is_free, 1);
    }
}
END_TEST

START_TEST(test_the_shared_demo_runs_clean)
{
    run_lecture_demo(); /* the checker after every step */
    ck_assert_uint_eq(heap_summarize().free_chunks, 5); /* four chunks and the pad */
}
END_TEST

/* ---- reuse: last in, first out, whole ------------------------------------ */

START_TEST(test_freed_chunks_come_back_last_in_first_out)
{
    char *a = dmm_malloc(16), *b = dmm_malloc(16), *c = dmm_malloc(16);
    ck_assert(a && b && c);
    dmm_free(a);
    dmm_free(b);
    dmm_free(c); /* list: c, b, a */
    uint64_t steps = stats_now().malloc_steps;
    ck_assert_ptr_eq(dmm_malloc(16), c);
    ck_assert_ptr_eq(dmm_malloc(16), b);
    ck_assert_ptr_eq(dmm_malloc(16), a);
    ck_assert_uint_eq(stats_now().malloc_steps - steps, 3); /* each the front: 1 step */
    ck_assert_uint_eq(stats_now().free_steps, 0);           /* a push examines nothing */
}
END_TEST

/* A 1024-byte chunk serves a 16-byte request whole: no split. If it split,
 * the second request would get the rest of it; here it comes from the pad. */
START_TEST(test_a_reused_chunk_is_taken_whole)
{
    char *big = dmm_malloc(1000);
    char *guard = dmm_malloc(16);
    ck_assert(big && guard);
    dmm_free(big);
    char *small = dmm_malloc(16);
    ck_assert_ptr_eq(small, big);
    ck_assert_uint_eq(chunk_size_of(small), 1024);
    char *next = dmm_malloc(16);
    ck_assert_ptr_eq(next, guard + 32); /* after the guard: from the pad */
    ck_assert_heap_ok();
}
END_TEST

/* First fit over the unsorted list: chunks too small are passed over, each
 * a step; the first that holds the request is taken, not the best. */
START_TEST(test_first_fit_passes_over_chunks_too_small)
{
    char *chunk[6];
    for (int i = 0; i < 6; i++)
        ck_assert_ptr_nonnull(chunk[i] = dmm_malloc(i == 1 || i == 4 ? 200 : 16));
    for (int i = 0; i < 6; i++)
        dmm_free(chunk[i]); /* list: 5, 4 (224), 3, 2, 1 (224), 0 */
    uint64_t steps = stats_now().malloc_steps;
    ck_assert_ptr_eq(dmm_malloc(100), chunk[4]); /* 128 needed: 5 passed over */
    ck_assert_uint_eq(stats_now().malloc_steps - steps, 2);
    steps = stats_now().malloc_steps;
    ck_assert_ptr_eq(dmm_malloc(100), chunk[1]);
    ck_assert_uint_eq(stats_now().malloc_steps - steps, 4); /* 5, 3, 2, 1 */
    steps = stats_now().malloc_steps;
    char *fresh = dmm_malloc(100); /* none holds it: all four looked at */
    ck_assert_uint_eq(stats_now().malloc_steps - steps, 4);
    ck_assert_ptr_eq(fresh, chunk[5] + 32); /* carved from the pad */
}
END_TEST

/* ---- no coalescing --------------------------------------------------------- */

/* Two free neighbours of 32 bytes; a request of 64 would fit both together.
 * It comes from the pad: had free coalesced them, it would be x. */
START_TEST(test_free_neighbours_are_never_coalesced)
{
    char *x = dmm_malloc(16), *y = dmm_malloc(16), *guard = dmm_malloc(16);
    ck_assert(x && y && guard);
    ck_assert_ptr_eq(y, x + 32);
    dmm_free(x);
    dmm_free(y);
    struct seen seen = heap_chunks();
    ck_assert_uint_eq(seen.chunk[0].size, 32);
    ck_assert_int_eq(seen.chunk[0].is_free, 1);
    ck_assert_uint_eq(seen.chunk[1].size, 32);
    ck_assert_int_eq(seen.chunk[1].is_free, 1); /* side by side, both free */
    char *p = dmm_malloc(48);                   /* 64 bytes */
    ck_assert_ptr_eq(p, guard + 32);
    ck_assert_uint_eq(heap_summarize().free_chunks, 3); /* x, y, the pad */
}
END_TEST

/* Many small chunks freed, and then a larger request: the heap grows
 * although the free bytes would hold it many times over. */
START_TEST(test_external_fragmentation_grows_the_heap)
{
    char *p[300];
    for (int i = 0; i < 300; i++)
        ck_assert_ptr_nonnull(p[i] = dmm_malloc(16)); /* 9600 bytes */
    for (int i = 0; i < 300; i++)
        dmm_free(p[i]);
    uint64_t brk_calls = stats_now().brk_calls;
    ck_assert_ptr_nonnull(dmm_malloc(8000));
    ck_assert_uint_eq(stats_now().brk_calls, brk_calls + 1);
    ck_assert_uint_ge(heap_summarize().free_bytes, 300 * 32);
}
END_TEST

/* ---- the pad --------------------------------------------------------------- */

START_TEST(test_the_pad_grows_as_pad_c_does)
{
    char *start = heap_start();
    char *p = dmm_malloc(20000); /* 20016 bytes, more than 8 KiB: exactly that */
    ck_assert_ptr_eq(p, start + HEADER_BYTES);
    ck_assert_uint_eq(stats_now().heap_bytes, 20016);
    p = dmm_malloc(16); /* an empty pad, 32 missing: 8 KiB */
    ck_assert_ptr_eq(p, start + 20016 + HEADER_BYTES);
    ck_assert_uint_eq(stats_now().heap_bytes, 20016 + GROWTH_STEP);
    ck_assert_uint_eq(stats_now().brk_calls, 2);
    for (int i = 0; i < 200; i++) /* 6400 bytes of the 8160 left: no move */
        ck_assert_ptr_nonnull(dmm_malloc(16));
    ck_assert_uint_eq(stats_now().brk_calls, 2);
    ck_assert_heap_ok();
}
END_TEST

START_TEST(test_failed_growth_leaves_the_heap_usable)
{
    char *p = dmm_malloc(100);
    pattern_fill(p, 100, 7);
    dmm_free(dmm_malloc(50));
    struct dmm_stats before = stats_now();
    errno = 0;
    ck_assert_ptr_null(dmm_malloc((size_t)1 << 40));
    ck_assert_int_eq(errno, ENOMEM);
    ck_assert_uint_eq(stats_now().heap_bytes, before.heap_bytes);
    ck_assert_heap_ok();
    ck_assert_ptr_nonnull(dmm_malloc(50));
    ck_assert(pattern_intact(p, 100, 7));
}
END_TEST

/* ---- realloc --------------------------------------------------------------- */

START_TEST(test_realloc_stays_while_the_chunk_holds_it)
{
    char *p = dmm_malloc(100); /* 128 bytes: 112 of payload */
    pattern_fill(p, 100, 3);
    ck_assert_ptr_eq(dmm_realloc(p, 112), p);
    ck_assert_ptr_eq(dmm_realloc(p, 10), p); /* a shrink keeps the whole chunk */
    ck_assert_uint_eq(chunk_size_of(p), 128);
    ck_assert(pattern_intact(p, 10, 3));
    char *q = dmm_realloc(p, 113); /* moves; p's chunk goes on the list */
    ck_assert_ptr_ne(q, p);
    ck_assert(pattern_intact(q, 10, 3));
    ck_assert_ptr_eq(dmm_malloc(100), p);
}
END_TEST

/* ---- the checker ----------------------------------------------------------- */

START_TEST(test_checker_finds_a_bad_size)
{
    char *p = dmm_malloc(100);
    ck_assert_ptr_nonnull(dmm_malloc(100));
    header_of(p)->size_status += 8; /* a bit below 16 other than the status bit */
    assert_broken(1);
    p = dmm_malloc(100);
    header_of(p)->size_status = 16; /* below the minimum */
    assert_broken(1);
}
END_TEST

START_TEST(test_checker_finds_a_chunk_past_the_pad)
{
    char *p = dmm_malloc(100); /* the last chunk before the pad */
    header_of(p)->size_status += 32;
    assert_broken(2);
}
END_TEST

START_TEST(test_checker_finds_the_break_moved_behind_its_back)
{
    ck_assert_ptr_nonnull(dmm_malloc(100));
    ck_assert_int_eq(heap_brk((char *)heap_break() + 4096), 0);
    assert_broken(3);
}
END_TEST

START_TEST(test_checker_finds_a_status_bit_that_lies)
{
    char *a = dmm_malloc(16), *b = dmm_malloc(16);
    ck_assert(a && b);
    dmm_free(a);
    header_of(a)->size_status &= ~(size_t)1; /* listed, but "allocated" */
    assert_broken(4);
    a = dmm_malloc(16);
    ck_assert_ptr_nonnull(a);
    header_of(a)->size_status |= 1; /* "free", but on no list */
    assert_broken(4);
}
END_TEST

START_TEST(test_checker_finds_a_bad_link)
{
    char *a = dmm_malloc(16), *b = dmm_malloc(16);
    ck_assert(a && b);
    dmm_free(a);
    int outside;
    header_of(a)->next = &outside; /* not the heap */
    assert_broken(5);

    a = dmm_malloc(16), b = dmm_malloc(16);
    dmm_free(a);
    header_of(a)->next = header_of(a); /* a cycle */
    assert_broken(5);

    a = dmm_malloc(16), b = dmm_malloc(48);
    ck_assert(a && b);
    dmm_free(a);
    *(size_t *)b = 65; /* b's payload looks like a free 64-byte chunk... */
    header_of(a)->next = b; /* ...and a links to it: inside b's chunk */
    assert_broken(5);
}
END_TEST

/* Three free chunks, listed in the order's order (first, second, third);
 * the links rewritten to first, third, second: still every free chunk
 * listed once, so only invariant 6 is broken. */
static void assert_order_broken(const char *policy, size_t first, size_t second, size_t third)
{
    setenv("DMM_POLICY", policy, 1);
    dmm_reset();
    char *a = dmm_malloc(first), *b = dmm_malloc(second), *c = dmm_malloc(third);
    ck_assert(a && b && c);
    dmm_free(c);
    dmm_free(b);
    dmm_free(a); /* with lifo too: a, b, c */
    ck_assert_heap_ok();
    header_of(a)->next = header_of(c);
    header_of(c)->next = header_of(b);
    header_of(b)->next = NULL;
    assert_broken(6);
}

START_TEST(test_checker_finds_a_list_out_of_order)
{
    assert_order_broken("order=address", 16, 16, 16); /* a < b < c in memory */
    assert_order_broken("order=size", 16, 100, 200);   /* 32 <= 128 <= 224 bytes */
}
END_TEST

/* Next fit leaves its roving pointer on a chunk; the chunk taken off the
 * list by hand (status bit cleared, its predecessor linked past it) keeps
 * invariants 1 to 6, and only 7 is broken. */
START_TEST(test_checker_finds_a_roving_pointer_off_the_list)
{
    setenv("DMM_POLICY", "fit=next", 1);
    dmm_reset();
    char *x = dmm_malloc(100), *y = dmm_malloc(16), *z = dmm_malloc(16);
    ck_assert(x && y && z);
    dmm_free(x);
    dmm_free(y);
    dmm_free(z); /* list: z, y, x */
    ck_assert_ptr_eq(dmm_malloc(100), x); /* z and y passed: the pointer stops at y */
    ck_assert_heap_ok();
    header_of(z)->next = NULL;               /* y off the list... */
    header_of(y)->size_status &= ~(size_t)1; /* ...and "allocated" */
    assert_broken(7);
}
END_TEST

int main(void)
{
    const struct test_group groups[] = {
        {"lecture",
         {test_lecture_demo_ends_with_four_free_chunks_side_by_side,
          test_the_shared_demo_runs_clean}},
        {"reuse",
         {test_freed_chunks_come_back_last_in_first_out, test_a_reused_chunk_is_taken_whole,
          test_first_fit_passes_over_chunks_too_small}},
        {"no coalescing",
         {test_free_neighbours_are_never_coalesced, test_external_fragmentation_grows_the_heap}},
        {"pad", {test_the_pad_grows_as_pad_c_does, test_failed_growth_leaves_the_heap_usable}},
        {"realloc", {test_realloc_stays_while_the_chunk_holds_it}},
        {"checker",
         {test_checker_finds_a_bad_size, test_checker_finds_a_chunk_past_the_pad,
          test_checker_finds_the_break_moved_behind_its_back,
          test_checker_finds_a_status_bit_that_lies, test_checker_finds_a_bad_link,
          test_checker_finds_a_list_out_of_order,
          test_checker_finds_a_roving_pointer_off_the_list}},
    };
    return run_test_groups("lecture/unsorted", groups, sizeof groups / sizeof groups[0], setup);
}
