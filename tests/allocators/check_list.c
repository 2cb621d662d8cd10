/*
 * check_list.c — the lecture's free list behaves as the slides say: first
 * fit from the lowest address, split handing out the tail end, coalescing
 * with the next, the previous and both neighbours, growth by at least 8 KiB
 * joined to the last free chunk, free's walk as long as the free list, and
 * realloc in place where the chunks allow it.
 *
 * The tests know list.c's chunk: a 16-byte header (size in bytes, then the
 * free list's link), no footer, sizes rounded to 16 with a 32-byte minimum.
 * The heap grows downwards in the sense that matters here: a split hands
 * out the tail end, so successive mallocs from one free chunk get lower
 * addresses.
 */
#include "dmm.h"

#include "heap.h"
#include "testlib.h"

#include <check.h>
#include <errno.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>

#define HEADER_BYTES 16 /* list.c's header: size, then the free list's link */
#define GROWTH_STEP 8192   /* bytes: the least the break moves, the lecture's 8 KiB */

/* list.c's header as the tests see it, to read a size or corrupt a link. */
struct list_header {
    size_t size; /* bytes, header included */
    void *next;  /* free chunks only: the next free chunk's header */
};

static struct list_header *header_of(void *payload)
{
    return (struct list_header *)((char *)payload - HEADER_BYTES);
}

static struct dmm_stats stats_now(void)
{
    struct dmm_stats stats;
    dmm_stats(&stats);
    return stats;
}

/* Bytes from the start of the heap section to p. */
static size_t offset_of(const void *p)
{
    return (size_t)((uintptr_t)p - (uintptr_t)heap_start());
}

/* ---- the chunks as the checker's visitor reports them ------------------- */

#define MAX_SEEN 64 /* chunks remembered; the tests build far fewer */

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

/* The size of the free chunk whose header is at start, or 0 when no free
 * chunk starts there. */
static size_t free_chunk_at(const struct seen *seen, const void *start)
{
    for (size_t i = 0; i < seen->count; i++)
        if (seen->chunk[i].start == start && seen->chunk[i].is_free)
            return seen->chunk[i].size;
    return 0;
}

/* Allocates the whole front free chunk (what is left of the first growth step), so
 * that the free list holds only what a test frees afterwards. */
static void *take_rest_of_heap(void)
{
    struct heap_summary summary = heap_summarize();
    ck_assert_uint_eq(summary.free_chunks, 1);
    void *rest = dmm_malloc(summary.free_bytes - HEADER_BYTES);
    ck_assert_ptr_nonnull(rest);
    ck_assert_uint_eq(heap_summarize().free_chunks, 0);
    return rest;
}

/* ---- the lecture's demo ------------------------------------------------- */

/* p1..p5 of the slides: one growth step of 8 KiB serves every request, and after
 * the last free coalescing has put the whole heap back together. */
START_TEST(lecture_demo_ends_with_one_free_chunk)
{
    run_lecture_demo();
    struct dmm_stats stats = stats_now();
    struct heap_summary summary = heap_summarize();
    ck_assert_uint_eq(stats.brk_calls, 1);
    ck_assert_uint_eq(stats.heap_bytes, GROWTH_STEP);
    ck_assert_uint_eq(summary.chunks, 1);
    ck_assert_uint_eq(summary.free_chunks, 1);
    ck_assert_uint_eq(summary.free_bytes, stats.heap_bytes);
}
END_TEST

START_TEST(visitor_reports_chunks_that_tile_the_heap)
{
    dmm_reset();
    ck_assert_uint_eq(heap_summarize().chunks, 0); /* empty heap: nothing */
    for (size_t i = 0; i < 10; i++)
        ck_assert_ptr_nonnull(dmm_malloc(7 * i));
    struct seen seen = heap_chunks();
    const char *at = heap_start();
    for (size_t i = 0; i < seen.count; i++) {
        ck_assert_ptr_eq(seen.chunk[i].start, at); /* address order, no gaps */
        ck_assert_uint_eq(seen.chunk[i].header_bytes, HEADER_BYTES);
        ck_assert_uint_eq(seen.chunk[i].footer_bytes, 0);
        ck_assert_uint_eq(seen.chunk[i].size % DMM_ALIGNMENT, 0);
        ck_assert_uint_ge(seen.chunk[i].size, 32);
        at += seen.chunk[i].size;
    }
    ck_assert_ptr_eq(at, heap_break());
}
END_TEST

/* ---- first fit and split ------------------------------------------------ */

START_TEST(split_hands_out_the_tail_end)
{
    dmm_reset();
    char *p = dmm_malloc(100); /* a 128-byte chunk out of the first 8 KiB growth step */
    ck_assert_ptr_nonnull(p);
    ck_assert_uint_eq(stats_now().heap_bytes, GROWTH_STEP);
    ck_assert_uint_eq(offset_of(p), GROWTH_STEP - 128 + HEADER_BYTES);
    ck_assert_uint_eq(header_of(p)->size, 128);
    /* The front stays free, where it was, only smaller. */
    struct seen seen = heap_chunks();
    ck_assert_uint_eq(seen.count, 2);
    ck_assert_uint_eq(free_chunk_at(&seen, heap_start()), GROWTH_STEP - 128);
}
END_TEST

/* Chunks are a header plus the rounded payload, never below 32 bytes; and
 * a chunk whose leftover would be smaller than that is handed out whole. */
START_TEST(chunk_sizes_are_rounded_with_a_minimum)
{
    static const struct { size_t request, chunk; } cases[] = {
        {0, 32}, {1, 32}, {16, 32}, {17, 48}, {100, 128}, {1000, 1024},
    };
    dmm_reset();
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        char *p = dmm_malloc(cases[i].request);
        ck_assert_ptr_nonnull(p);
        ck_assert_uint_eq(header_of(p)->size, cases[i].chunk);
    }
    dmm_reset();
    char *whole = dmm_malloc(GROWTH_STEP - HEADER_BYTES - 16); /* leaves 16 bytes: too few */
    ck_assert_ptr_nonnull(whole);
    ck_assert_uint_eq(header_of(whole)->size, GROWTH_STEP);
    ck_assert_uint_eq(heap_summarize().free_chunks, 0);
}
END_TEST

START_TEST(a_freed_chunk_is_reused)
{
    dmm_reset();
    char *p = dmm_malloc(200);
    ck_assert_ptr_nonnull(dmm_malloc(16)); /* keeps p apart from the front */
    take_rest_of_heap();
    dmm_free(p);
    char *q = dmm_malloc(200);
    ck_assert_ptr_eq(q, p);
    dmm_free(q);
    char *r = dmm_malloc(100); /* 128 of p's 224 bytes: its tail end */
    ck_assert_ptr_eq(r, p + 224 - 128);
    ck_assert_uint_eq(stats_now().brk_calls, 1);
    ck_assert_heap_ok();
}
END_TEST

/* Free chunks low to high: small (64), big (512), small (64). Best fit
 * would take a small one for 48 bytes; first fit takes the lowest that
 * fits, and passes over the ones too small. */
START_TEST(first_fit_takes_the_lowest_chunk_that_fits)
{
    dmm_reset();
    ck_assert_ptr_nonnull(dmm_malloc(16));
    char *high = dmm_malloc(48);
    ck_assert_ptr_nonnull(dmm_malloc(16));
    char *big = dmm_malloc(496);
    ck_assert_ptr_nonnull(dmm_malloc(16));
    char *low = dmm_malloc(48);
    ck_assert_ptr_nonnull(dmm_malloc(16));
    take_rest_of_heap();
    ck_assert_uint_lt((uintptr_t)low, (uintptr_t)big);
    ck_assert_uint_lt((uintptr_t)big, (uintptr_t)high);
    dmm_free(high);
    dmm_free(low);
    dmm_free(big);

    uint64_t steps = stats_now().malloc_steps;
    char *p = dmm_malloc(200); /* 224 bytes: too big for low, fits big */
    ck_assert_ptr_eq(p, big + 512 - 224); /* big's tail end */
    ck_assert_uint_eq(stats_now().malloc_steps, steps + 2);

    steps = stats_now().malloc_steps;
    char *q = dmm_malloc(48); /* fits all three: low comes first */
    ck_assert_ptr_eq(q, low);
    ck_assert_uint_eq(stats_now().malloc_steps, steps + 1);
    ck_assert_uint_eq(stats_now().brk_calls, 1);
    ck_assert_heap_ok();
}
END_TEST

/* ---- coalescing --------------------------------------------------------- */

/* Four 80-byte chunks, a the highest, d the lowest, between allocated
 * chunks (the rest of the growth step below, nothing free above). */
struct four { char *a, *b, *c, *d; };

static struct four four_chunks(void)
{
    dmm_reset();
    struct four f = {dmm_malloc(64), dmm_malloc(64), dmm_malloc(64), dmm_malloc(64)};
    ck_assert(f.a && f.b && f.c && f.d);
    take_rest_of_heap();
    ck_assert_ptr_eq(f.c + 80, f.b); /* adjacent, the lower one first */
    return f;
}

START_TEST(coalesce_with_neither)
{
    struct four f = four_chunks();
    dmm_free(f.b);
    dmm_free(f.d);
    struct seen seen = heap_chunks();
    ck_assert_uint_eq(heap_summarize().free_chunks, 2);
    ck_assert_uint_eq(free_chunk_at(&seen, header_of(f.b)), 80);
    ck_assert_uint_eq(free_chunk_at(&seen, header_of(f.d)), 80);
}
END_TEST

START_TEST(coalesce_with_the_next_chunk)
{
    struct four f = four_chunks();
    dmm_free(f.b);
    dmm_free(f.c); /* b follows c in memory */
    struct seen seen = heap_chunks();
    ck_assert_uint_eq(heap_summarize().free_chunks, 1);
    ck_assert_uint_eq(free_chunk_at(&seen, header_of(f.c)), 160);
}
END_TEST

START_TEST(coalesce_with_the_previous_chunk)
{
    struct four f = four_chunks();
    dmm_free(f.c);
    dmm_free(f.b); /* c precedes b in memory */
    struct seen seen = heap_chunks();
    ck_assert_uint_eq(heap_summarize().free_chunks, 1);
    ck_assert_uint_eq(free_chunk_at(&seen, header_of(f.c)), 160);
}
END_TEST

START_TEST(coalesce_with_both_chunks)
{
    struct four f = four_chunks();
    dmm_free(f.d);
    dmm_free(f.b);
    dmm_free(f.c); /* between two free chunks */
    struct seen seen = heap_chunks();
    ck_assert_uint_eq(heap_summarize().free_chunks, 1);
    ck_assert_uint_eq(free_chunk_at(&seen, header_of(f.d)), 240);
    dmm_free(f.a); /* and the last one joins them too */
    seen = heap_chunks();
    ck_assert_uint_eq(free_chunk_at(&seen, header_of(f.d)), 320);
}
END_TEST

/* ---- search work -------------------------------------------------------- */

START_TEST(free_steps_grow_with_the_free_list)
{
    uint64_t with_100 = free_steps_with_free_list_of(100);
    uint64_t with_1000 = free_steps_with_free_list_of(1000);
    ck_assert_uint_gt(with_100, 50);
    ck_assert_uint_gt(with_1000, 50);
    ck_assert_uint_gt(with_1000, 5 * with_100);
}
END_TEST

/* Free's cost, exactly: every free chunk below the freed one is walked,
 * plus the first one above it, which ends the walk. Chunks from one growth step
 * come out high to low, so chunk[0] is the highest. */
START_TEST(free_walks_the_list_up_to_the_chunk)
{
    enum { N = 50 }; /* free chunks besides the front; 102 x 32 bytes fit one growth step */
    char *chunk[2 * N + 2];
    dmm_reset();
    for (size_t i = 0; i < 2 * N + 2; i++)
        ck_assert_ptr_nonnull(chunk[i] = dmm_malloc(16));
    for (size_t i = 0; i <= 2 * N; i += 2) /* chunk[2N + 1] keeps chunk[2N] off the front */
        dmm_free(chunk[i]);
    ck_assert_uint_eq(heap_summarize().free_chunks, N + 2); /* the front too */

    uint64_t steps = stats_now().free_steps;
    dmm_free(chunk[1]); /* below it: the front and chunk[2N] .. chunk[2] */
    ck_assert_uint_eq(stats_now().free_steps - steps, (1 + N) + 1);
    steps = stats_now().free_steps;
    dmm_free(chunk[2 * N - 1]); /* below it: the front and chunk[2N] */
    ck_assert_uint_eq(stats_now().free_steps - steps, 2 + 1);
    ck_assert_uint_eq(heap_summarize().free_chunks, N); /* each free joined two */
}
END_TEST

/* ---- growing the heap --------------------------------------------------- */

START_TEST(growth_is_at_least_8_KiB)
{
    dmm_reset();
    char *big = dmm_malloc(20000); /* more than the growth step: the break moves by the chunk */
    ck_assert_ptr_nonnull(big);
    ck_assert_uint_eq(stats_now().heap_bytes, 20000 + HEADER_BYTES);
    ck_assert_uint_eq(heap_summarize().free_chunks, 0);
    ck_assert_ptr_nonnull(dmm_malloc(100)); /* nothing free: one more growth step */
    ck_assert_uint_eq(stats_now().heap_bytes, 20000 + HEADER_BYTES + GROWTH_STEP);
    ck_assert_uint_eq(stats_now().brk_calls, 2);
}
END_TEST

/* The last free chunk ends at the old break: the new growth step joins it, and the
 * request is cut from the tail of the joined chunk. */
START_TEST(growth_coalesces_with_the_last_free_chunk)
{
    dmm_reset();
    char *top = dmm_malloc(100); /* 128 bytes ending at the break */
    ck_assert_ptr_nonnull(top);
    take_rest_of_heap();
    dmm_free(top);
    char *p = dmm_malloc(200); /* 224 bytes: more than the free 128 */
    ck_assert_ptr_nonnull(p);
    ck_assert_uint_eq(stats_now().brk_calls, 2);
    ck_assert_uint_eq(stats_now().heap_bytes, 2 * GROWTH_STEP);
    ck_assert_uint_eq(offset_of(p), 2 * GROWTH_STEP - 224 + HEADER_BYTES);
    struct seen seen = heap_chunks();
    ck_assert_uint_eq(heap_summarize().free_chunks, 1);
    ck_assert_uint_eq(free_chunk_at(&seen, header_of(top)), 128 + GROWTH_STEP - 224);
}
END_TEST

START_TEST(failed_growth_leaves_the_heap_usable)
{
    dmm_reset();
    char *p = dmm_malloc(100);
    pattern_fill(p, 100, 7);
    struct dmm_stats before = stats_now();
    errno = 0;
    ck_assert_ptr_null(dmm_malloc((size_t)1 << 40)); /* 1 TiB: past the heap section */
    ck_assert_int_eq(errno, ENOMEM);
    ck_assert_uint_eq(stats_now().heap_bytes, before.heap_bytes);
    ck_assert_heap_ok();
    ck_assert_ptr_nonnull(dmm_malloc(100));
    ck_assert(pattern_intact(p, 100, 7));
}
END_TEST

/* ---- realloc ------------------------------------------------------------ */

/* The tail given back is freed like any chunk: here it joins the free
 * chunk above it. */
START_TEST(realloc_shrinks_in_place)
{
    dmm_reset();
    char *top = dmm_malloc(100);
    char *p = dmm_malloc(1000); /* 1024 bytes, right below top */
    ck_assert_ptr_nonnull(top);
    ck_assert_ptr_nonnull(p);
    pattern_fill(p, 1000, 1);
    dmm_free(top);
    ck_assert_ptr_eq(dmm_realloc(p, 100), p);
    ck_assert(pattern_intact(p, 100, 1));
    ck_assert_uint_eq(header_of(p)->size, 128);
    struct seen seen = heap_chunks();
    /* p's 896-byte tail joined the 128 bytes of top. */
    ck_assert_uint_eq(free_chunk_at(&seen, p - HEADER_BYTES + 128), 896 + 128);
    ck_assert_uint_eq(heap_summarize().free_chunks, 2); /* the front and that one */

    ck_assert_ptr_eq(dmm_realloc(p, 90), p); /* 112 bytes: 16 left, not a chunk */
    ck_assert_uint_eq(header_of(p)->size, 128);
    ck_assert(pattern_intact(p, 90, 1));
    ck_assert_heap_ok();
}
END_TEST

START_TEST(realloc_grows_in_place_into_a_free_neighbour)
{
    dmm_reset();
    char *top = dmm_malloc(100);
    char *p = dmm_malloc(100); /* 128 bytes, right below top */
    ck_assert_ptr_nonnull(top);
    ck_assert_ptr_nonnull(p);
    pattern_fill(p, 100, 2);
    dmm_free(top);
    uint64_t brk_calls = stats_now().brk_calls;

    ck_assert_ptr_eq(dmm_realloc(p, 200), p); /* 224 of 128 + 128: 32 stay free */
    ck_assert(pattern_intact(p, 100, 2));
    ck_assert_uint_eq(header_of(p)->size, 224);
    struct seen seen = heap_chunks();
    ck_assert_uint_eq(free_chunk_at(&seen, p - HEADER_BYTES + 224), 32);

    ck_assert_ptr_eq(dmm_realloc(p, 240), p); /* 256: the 32 free bytes too */
    ck_assert(pattern_intact(p, 100, 2));
    ck_assert_uint_eq(header_of(p)->size, 256);
    ck_assert_uint_eq(heap_summarize().free_chunks, 1); /* only the front is left */
    ck_assert_uint_eq(stats_now().brk_calls, brk_calls);
    ck_assert_uint_eq(stats_now().malloc_calls, 2); /* no malloc inside */
}
END_TEST

START_TEST(realloc_grows_by_moving)
{
    dmm_reset();
    char *top = dmm_malloc(100);
    char *p = dmm_malloc(100); /* right below top, which stays allocated */
    ck_assert_ptr_nonnull(top);
    ck_assert_ptr_nonnull(p);
    pattern_fill(top, 100, 3);
    pattern_fill(p, 100, 4);
    char *q = dmm_realloc(p, 1000);
    ck_assert_ptr_nonnull(q);
    ck_assert_ptr_ne(q, p);
    ck_assert(pattern_intact(q, 100, 4));
    ck_assert(pattern_intact(top, 100, 3));
    struct seen seen = heap_chunks(); /* the old chunk is free again */
    ck_assert_uint_eq(free_chunk_at(&seen, p - HEADER_BYTES), 128);
}
END_TEST

/* ---- the checker finds each broken invariant ---------------------------- */

START_TEST(checker_finds_a_bad_size)
{
    dmm_reset();
    char *p = dmm_malloc(100);
    ck_assert_ptr_nonnull(dmm_malloc(100));
    header_of(p)->size += 8; /* not a multiple of 16 */
    assert_broken(1);

    p = dmm_malloc(100);
    ck_assert_ptr_nonnull(dmm_malloc(100));
    header_of(p)->size = 16; /* below the minimum chunk */
    assert_broken(1);

    p = dmm_malloc(100);
    header_of(p)->size = 0; /* would never move the walk */
    assert_broken(1);
}
END_TEST

START_TEST(checker_finds_a_chunk_past_the_break)
{
    dmm_reset();
    char *top = dmm_malloc(100); /* the last chunk in memory */
    ck_assert_ptr_nonnull(top);
    header_of(top)->size += GROWTH_STEP;
    assert_broken(2);
}
END_TEST

START_TEST(checker_finds_a_link_off_a_chunk_boundary)
{
    dmm_reset();
    char *p = dmm_malloc(100);
    ck_assert_ptr_nonnull(p);
    /* The front free chunk links to p's payload: inside p's chunk. */
    header_of((char *)heap_start() + HEADER_BYTES)->next = p;
    assert_broken(3);

    p = dmm_malloc(100);
    ck_assert_ptr_nonnull(p);
    int outside;
    header_of((char *)heap_start() + HEADER_BYTES)->next = &outside; /* not the heap */
    assert_broken(3);
}
END_TEST

START_TEST(checker_finds_a_list_out_of_order)
{
    dmm_reset();
    ck_assert_ptr_nonnull(dmm_malloc(16));
    char *high = dmm_malloc(16);
    ck_assert_ptr_nonnull(dmm_malloc(16));
    char *low = dmm_malloc(16);
    ck_assert_ptr_nonnull(dmm_malloc(16));
    take_rest_of_heap();
    dmm_free(low);
    dmm_free(high);
    ck_assert_heap_ok();
    header_of(high)->next = header_of(low); /* back down: a cycle */
    assert_broken(4);

    char *only = dmm_malloc(16);
    ck_assert_ptr_nonnull(dmm_malloc(16));
    take_rest_of_heap();
    dmm_free(only);
    header_of(only)->next = header_of(only); /* a chunk that links to itself */
    assert_broken(4);
}
END_TEST

START_TEST(checker_finds_uncoalesced_neighbours)
{
    dmm_reset();
    char *x = dmm_malloc(16);
    char *y = dmm_malloc(16);
    char *z = dmm_malloc(16); /* z, y, x in address order, adjacent */
    ck_assert(x && y && z);
    take_rest_of_heap();
    dmm_free(z);
    dmm_free(x);
    ck_assert_heap_ok();
    /* Link y in between by hand, without coalescing. */
    header_of(z)->next = header_of(y);
    header_of(y)->next = header_of(x);
    assert_broken(5);
}
END_TEST

int main(void)
{
    Suite *suite = suite_create("lecture/list");
    TCase *tc = tcase_create("list");
    tcase_set_timeout(tc, 60);
    tcase_add_test(tc, lecture_demo_ends_with_one_free_chunk);
    tcase_add_test(tc, visitor_reports_chunks_that_tile_the_heap);
    tcase_add_test(tc, split_hands_out_the_tail_end);
    tcase_add_test(tc, chunk_sizes_are_rounded_with_a_minimum);
    tcase_add_test(tc, a_freed_chunk_is_reused);
    tcase_add_test(tc, first_fit_takes_the_lowest_chunk_that_fits);
    tcase_add_test(tc, coalesce_with_neither);
    tcase_add_test(tc, coalesce_with_the_next_chunk);
    tcase_add_test(tc, coalesce_with_the_previous_chunk);
    tcase_add_test(tc, coalesce_with_both_chunks);
    tcase_add_test(tc, free_steps_grow_with_the_free_list);
    tcase_add_test(tc, free_walks_the_list_up_to_the_chunk);
    tcase_add_test(tc, growth_is_at_least_8_KiB);
    tcase_add_test(tc, growth_coalesces_with_the_last_free_chunk);
    tcase_add_test(tc, failed_growth_leaves_the_heap_usable);
    tcase_add_test(tc, realloc_shrinks_in_place);
    tcase_add_test(tc, realloc_grows_in_place_into_a_free_neighbour);
    tcase_add_test(tc, realloc_grows_by_moving);
    tcase_add_test(tc, checker_finds_a_bad_size);
    tcase_add_test(tc, checker_finds_a_chunk_past_the_break);
    tcase_add_test(tc, checker_finds_a_link_off_a_chunk_boundary);
    tcase_add_test(tc, checker_finds_a_list_out_of_order);
    tcase_add_test(tc, checker_finds_uncoalesced_neighbours);
    suite_add_tcase(suite, tc);
    return run_suite(suite);
}
