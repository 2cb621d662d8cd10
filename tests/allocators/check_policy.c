/*
 * check_policy.c — the placement policies (allocators/policy.h) of list,
 * dlist and unsorted: on small scripted heaps, the four fits take four
 * DIFFERENT chunks, each order puts a freed chunk where it says, next fit
 * goes round to the front and its roving pointer survives the chunks
 * leaving the list, best and worst walk the whole list, DMM_POLICY is read
 * at the first call after a reset, and a choice the allocator does not
 * offer aborts with a message naming DMM_POLICY, the text and the choices.
 *
 * Built once per allocator (check_policy_NAME, CTest policy/NAME). The
 * allocator's chunk is known here by its name: the bytes a chunk adds to
 * the payload and its smallest size (list and unsorted: a 16-byte header;
 * dlist: a header and a footer of 16 bytes each).
 *
 * Every scripted heap is built the same way: blocks in ascending address
 * order, each followed by a small allocated guard so that no two free
 * chunks touch (nothing coalesces), the rest of the growth step taken, and
 * the blocks freed from the last to the first: with order=lifo or
 * order=address the free list then holds them in block order.
 */
#define _POSIX_C_SOURCE 200809L /* setenv, unsetenv, mkstemp */

#include "dmm.h"

#include "policy.h"
#include "testlib.h"

#include <check.h>
#include <signal.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

/* ---- the allocator under test -------------------------------------------- */

static int is(const char *name)
{
    return strcmp(dmm_name(), name) == 0;
}

/* Bytes a chunk adds to its payload, and the smallest chunk. */
static size_t overhead(void)
{
    return is("dlist") ? 32 : 16;
}

static size_t chunk_for(size_t payload)
{
    size_t bytes = (payload + 15) / 16 * 16 + overhead();
    size_t min = is("dlist") ? 48 : 32;
    return bytes < min ? min : bytes;
}

/* Whether the allocator offers order o (list: address only). */
static int offers_order(enum policy_order o)
{
    return !is("list") || o == POLICY_ADDRESS;
}

static void use_policy(const char *text)
{
    if (text == NULL)
        unsetenv("DMM_POLICY");
    else
        ck_assert_int_eq(setenv("DMM_POLICY", text, 1), 0);
    dmm_reset(); /* the next call reads it */
}

static void setup(void)
{
    use_policy(NULL);
}

static uint64_t malloc_steps(void)
{
    struct dmm_stats stats;
    dmm_stats(&stats);
    return stats.malloc_steps;
}

/* ---- scripted heaps ------------------------------------------------------- */

struct block {
    size_t payload; /* what it was allocated with */
    char *p;        /* its payload */
    char *guard;    /* the 16-byte block allocated right after it */
};

/* 1 when q lies in b's chunk (list hands out a chunk's tail, the others
 * its front: either way inside it). */
static int inside(const void *q, const struct block *b)
{
    uintptr_t at = (uintptr_t)q, start = (uintptr_t)b->p;
    return at >= start && at < start + chunk_for(b->payload);
}

/* 1 when this allocator hands out successive chunks at falling addresses
 * (list: a split hands out the tail). */
static int hands_out_downwards(void)
{
    char *a = dmm_malloc(16), *b = dmm_malloc(16);
    ck_assert(a != NULL && b != NULL);
    int down = b < a;
    dmm_free(b);
    dmm_free(a);
    return down;
}

/* Takes the rest of the growth step when it is a free chunk on the list
 * (list, dlist); unsorted keeps it as its pad, off the list. */
static void take_rest(void)
{
    if (is("unsorted"))
        return;
    struct heap_summary summary = heap_summarize();
    ck_assert_uint_eq(summary.free_chunks, 1);
    ck_assert_ptr_nonnull(dmm_malloc(summary.free_bytes - overhead()));
    ck_assert_uint_eq(heap_summarize().free_chunks, 0);
}

/* Allocates the n blocks at ascending addresses, each with a guard after
 * it, takes the rest, and frees the blocks from block n-1 down to block 0
 * (freed_order NULL) or in the order given. The heap is checked after. */
static void build(struct block *blocks, size_t n, const size_t *freed_order)
{
    int down = hands_out_downwards();
    dmm_reset();
    for (size_t k = 0; k < n; k++) {
        struct block *b = &blocks[down ? n - 1 - k : k];
        b->p = dmm_malloc(b->payload);
        ck_assert_ptr_nonnull(b->p);
        ck_assert_ptr_nonnull(b->guard = dmm_malloc(16));
    }
    take_rest();
    for (size_t k = 1; k < n; k++)
        ck_assert(blocks[k - 1].p < blocks[k].p);
    for (size_t k = 0; k < n; k++)
        dmm_free(blocks[freed_order != NULL ? freed_order[k] : n - 1 - k].p);
    ck_assert_heap_ok();
}

/* ---- the four fits --------------------------------------------------------- */

/* The free list, front to back: mid, huge, mid2, exact, big (chunks of 160,
 * 512, 192, 128 and 384 bytes with a 16-byte header). First malloc(huge)
 * (only huge holds it: every fit takes it, and next fit's roving pointer
 * stops after it); then malloc(exact):
 *   first  mid    the first that holds it, from the front
 *   next   mid2   the first after where the last search stopped
 *   best   exact  the smallest that holds it
 *   worst  big    the largest left                                      */
enum { MID, HUGE, MID2, EXACT, BIG, FIVE };

static void five_blocks(struct block *blocks)
{
    static const size_t payloads[FIVE] = {144, 496, 176, 112, 368};
    for (int i = 0; i < FIVE; i++)
        blocks[i] = (struct block){.payload = payloads[i]};
    build(blocks, FIVE, NULL);
}

START_TEST(test_the_four_fits_take_four_different_chunks)
{
    static const int expected[POLICY_FITS] = {MID, MID2, EXACT, BIG};
    for (int order = POLICY_ADDRESS; order <= POLICY_LIFO; order++) {
        if (!offers_order((enum policy_order)order))
            continue;
        for (int fit = 0; fit < POLICY_FITS; fit++) {
            char text[64];
            snprintf(text, sizeof text, "fit=%s,order=%s", policy_fit_names[fit],
                     policy_order_names[order]);
            use_policy(text);
            struct block b[FIVE];
            five_blocks(b);
            void *first = dmm_malloc(b[HUGE].payload);
            ck_assert_msg(inside(first, &b[HUGE]), "%s: malloc(%zu) did not take huge", text,
                          b[HUGE].payload);
            void *second = dmm_malloc(b[EXACT].payload);
            for (int k = 0; k < FIVE; k++)
                if (inside(second, &b[k]))
                    ck_assert_msg(k == expected[fit], "%s: took block %d, not block %d", text, k,
                                  expected[fit]);
            ck_assert_msg(inside(second, &b[expected[fit]]), "%s: %p is in none of the blocks",
                          text, second);
            ck_assert_heap_ok();
        }
    }
}
END_TEST

/* Steps, honestly: first fit stops at the first chunk that holds the
 * request (mid, the first); best and worst look at all five. */
START_TEST(test_best_and_worst_walk_the_whole_list)
{
    static const uint64_t steps[POLICY_FITS] = {1, 1, FIVE, FIVE};
    for (int fit = 0; fit < POLICY_FITS; fit++) {
        char text[32];
        snprintf(text, sizeof text, "fit=%s,order=address", policy_fit_names[fit]);
        use_policy(text);
        struct block b[FIVE];
        five_blocks(b);
        uint64_t before = malloc_steps();
        ck_assert_ptr_nonnull(dmm_malloc(b[EXACT].payload));
        ck_assert_msg(malloc_steps() - before == steps[fit], "%s: %llu steps, not %llu", text,
                      (unsigned long long)(malloc_steps() - before),
                      (unsigned long long)steps[fit]);
    }
}
END_TEST

/* order=size sorts the list smallest first: first fit finds the best fit,
 * at the cost of free's walk; worst fit still takes the largest. */
START_TEST(test_order_size_makes_first_fit_the_best_fit)
{
    if (!offers_order(POLICY_SIZE))
        return;
    static const int expected[POLICY_FITS] = {EXACT, EXACT, EXACT, BIG};
    for (int fit = 0; fit < POLICY_FITS; fit++) {
        char text[64];
        snprintf(text, sizeof text, "fit=%s,order=size", policy_fit_names[fit]);
        use_policy(text);
        struct block b[FIVE];
        five_blocks(b);
        ck_assert(inside(dmm_malloc(b[HUGE].payload), &b[HUGE]));
        void *second = dmm_malloc(b[EXACT].payload);
        ck_assert_msg(inside(second, &b[expected[fit]]), "%s: not block %d", text, expected[fit]);
        ck_assert_heap_ok();
    }
}
END_TEST

/* ---- the orders ------------------------------------------------------------- */

/* Three free chunks at rising addresses: low (128), mid (192, the
 * largest), high (160), freed high, low, mid. Where mid sits in the list
 * is the number of chunks a first-fit malloc of mid's size examines:
 *   lifo     mid, low, high   freed last, so first: 1 step
 *   address  low, mid, high   in the middle: 2 steps
 *   size     low, high, mid   the largest, last: 3 steps                */
START_TEST(test_each_order_puts_a_freed_chunk_in_its_place)
{
    static const uint64_t steps[POLICY_ORDERS] = {2, 1, 3};
    static const size_t freed[3] = {2, 0, 1};
    for (int order = 0; order < POLICY_ORDERS; order++) {
        if (!offers_order((enum policy_order)order))
            continue;
        char text[64];
        snprintf(text, sizeof text, "fit=first,order=%s", policy_order_names[order]);
        use_policy(text);
        struct block b[3] = {{.payload = 112}, {.payload = 176}, {.payload = 144}};
        build(b, 3, freed);
        uint64_t before = malloc_steps();
        ck_assert(inside(dmm_malloc(b[1].payload), &b[1]));
        ck_assert_msg(malloc_steps() - before == steps[order], "%s: %llu steps, not %llu", text,
                      (unsigned long long)(malloc_steps() - before),
                      (unsigned long long)steps[order]);
    }
}
END_TEST

/* ---- next fit ---------------------------------------------------------------- */

/* The list: small1, fits, small2. malloc takes fits and the roving pointer
 * stops after it, at small2. A chunk freed below every other (low) goes to
 * the front in every order; the next malloc looks at small2, reaches the
 * end, goes round to the front and takes low: 2 steps, where first fit
 * takes low in 1. */
START_TEST(test_next_fit_goes_round_to_the_front)
{
    for (int order = POLICY_ADDRESS; order <= POLICY_LIFO; order++) {
        if (!offers_order((enum policy_order)order))
            continue;
        char text[64];
        snprintf(text, sizeof text, "fit=next,order=%s", policy_order_names[order]);
        use_policy(text);
        /* low is allocated first and freed last, by hand. */
        struct block b[4] = {{.payload = 112}, {.payload = 16}, {.payload = 112}, {.payload = 16}};
        static const size_t freed[3] = {3, 2, 1}; /* list: small1, fits, small2 */
        int down = hands_out_downwards();
        dmm_reset();
        for (size_t k = 0; k < 4; k++) {
            struct block *x = &b[down ? 3 - k : k];
            ck_assert_ptr_nonnull(x->p = dmm_malloc(x->payload));
            ck_assert_ptr_nonnull(dmm_malloc(16));
        }
        take_rest();
        for (size_t k = 0; k < 3; k++)
            dmm_free(b[freed[k]].p);
        ck_assert(inside(dmm_malloc(112), &b[2])); /* fits: small1 passed over */
        ck_assert_heap_ok();
        dmm_free(b[0].p); /* low: at the front, before the roving pointer */
        ck_assert_heap_ok();
        uint64_t before = malloc_steps();
        void *again = dmm_malloc(112);
        ck_assert_msg(inside(again, &b[0]), "%s: did not go round to the front", text);
        ck_assert_msg(malloc_steps() - before == 2, "%s: %llu steps, not 2 (small2, low)", text,
                      (unsigned long long)(malloc_steps() - before));
        ck_assert_heap_ok();
    }
}
END_TEST

/* The roving pointer stays on the list while chunks leave it: taken by
 * malloc, or (list, dlist) absorbed when free coalesces. dmm_check checks
 * it (an invariant of each allocator) after every step. */
static void roving_pointer_script(enum policy_order order)
{
    char text[64];
    snprintf(text, sizeof text, "fit=next,order=%s", policy_order_names[order]);
    use_policy(text);
    char *p[12];
    for (int i = 0; i < 12; i++)
        ck_assert_ptr_nonnull(p[i] = dmm_malloc(i % 3 == 0 ? 200 : 16));
    take_rest();
    for (int i = 0; i < 12; i += 2) {
        dmm_free(p[i]);
        ck_assert_heap_ok();
    }
    for (int round = 0; round < 3; round++) {
        ck_assert_ptr_nonnull(dmm_malloc(16)); /* moves the roving pointer */
        ck_assert_heap_ok();
    }
    for (int i = 1; i < 12; i += 2) { /* the neighbours: every free coalesces */
        dmm_free(p[i]);
        ck_assert_heap_ok();
        ck_assert_ptr_nonnull(dmm_malloc(16));
        ck_assert_heap_ok();
    }
}

/* The chunk the roving pointer rests on is itself taken: the list S, F, T
 * (S holds 48 bytes, F 112, T 16); malloc(112) takes F and the pointer
 * rests by S; malloc(48) passes T, goes round to the front and takes S. */
static void rover_chunk_taken(enum policy_order order)
{
    char text[64];
    snprintf(text, sizeof text, "fit=next,order=%s", policy_order_names[order]);
    use_policy(text);
    struct block b[3] = {{.payload = 48}, {.payload = 112}, {.payload = 16}};
    build(b, 3, NULL);
    ck_assert(inside(dmm_malloc(112), &b[1]));
    ck_assert_heap_ok();
    ck_assert_msg(inside(dmm_malloc(48), &b[0]), "%s: S not taken", text);
    ck_assert_heap_ok(); /* the roving pointer is still on the list */
    ck_assert(inside(dmm_malloc(16), &b[2]));
    ck_assert_heap_ok();
}

/* The same list; after malloc(112) the guards are freed one by one, so
 * that (list, dlist) S and T are absorbed by their neighbours as free
 * coalesces: the pointer must move off them as they leave the list. */
static void rover_chunk_coalesced(enum policy_order order)
{
    char text[64];
    snprintf(text, sizeof text, "fit=next,order=%s", policy_order_names[order]);
    use_policy(text);
    struct block b[3] = {{.payload = 48}, {.payload = 112}, {.payload = 16}};
    build(b, 3, NULL);
    ck_assert(inside(dmm_malloc(112), &b[1]));
    for (int k = 0; k < 3; k++) {
        dmm_free(b[k].guard);
        ck_assert_heap_ok();
    }
    for (int k = 0; k < 4; k++) {
        ck_assert_ptr_nonnull(dmm_malloc(16));
        ck_assert_heap_ok();
    }
}

START_TEST(test_the_roving_pointer_survives_chunks_leaving_the_list)
{
    for (int order = POLICY_ADDRESS; order <= POLICY_LIFO; order++)
        if (offers_order((enum policy_order)order)) {
            rover_chunk_taken((enum policy_order)order);
            rover_chunk_coalesced((enum policy_order)order);
        }
    for (int order = 0; order < POLICY_ORDERS; order++) {
        if (offers_order((enum policy_order)order))
            roving_pointer_script((enum policy_order)order);
    }
}
END_TEST

/* ---- DMM_POLICY -------------------------------------------------------------- */

START_TEST(test_the_environment_is_read_at_the_first_call_after_a_reset)
{
#ifndef DMM_POLICY_DEFAULT /* a build configured with -DDMM_POLICY has other defaults */
    const char *lecture = is("list") ? "fit=first,order=address" : "fit=first,order=lifo";
    ck_assert_str_eq(dmm_policy(), lecture); /* unset: the lecture's */
    use_policy(""); /* empty: nothing changes */
    ck_assert_str_eq(dmm_policy(), lecture);
#endif
    use_policy("fit=best,order=address");
    ck_assert_ptr_nonnull(dmm_malloc(16));
    ck_assert_str_eq(dmm_policy(), "fit=best,order=address");
    setenv("DMM_POLICY", "fit=worst,order=address", 1); /* read once: no change until a reset */
    ck_assert_ptr_nonnull(dmm_malloc(16));
    ck_assert_str_eq(dmm_policy(), "fit=best,order=address");
    dmm_reset();
    ck_assert_str_eq(dmm_policy(), "fit=worst,order=address");
    if (offers_order(POLICY_SIZE)) {
        use_policy("order=size,fit=next");
        ck_assert_str_eq(dmm_policy(), "fit=next,order=size");
    }
    ck_assert_str_eq(dmm_policy_choices(), is("list")
                                               ? "fit=first|next|best|worst order=address"
                                               : "fit=first|next|best|worst order=lifo|address|size");
}
END_TEST

/* The bad text, and where the child's stderr goes. */
static const char *bad_text;
static char stderr_path[64];

static void malloc_under_a_bad_policy(void)
{
    if (freopen(stderr_path, "w", stderr) == NULL)
        _exit(3);
    setvbuf(stderr, NULL, _IONBF, 0); /* as stderr is at start-up */
    setenv("DMM_POLICY", bad_text, 1);
    dmm_reset();
    dmm_malloc(16); /* aborts */
}

/* Runs a malloc under text in a child, which must die of SIGABRT having
 * written exactly one line: "dmm (NAME): DMM_POLICY=TEXT: ..." and then
 * the rest, which must contain `choices`. */
static void assert_refused(const char *text, const char *choices)
{
    snprintf(stderr_path, sizeof stderr_path, "/tmp/dmm-policy-stderr-XXXXXX");
    int fd = mkstemp(stderr_path);
    ck_assert_int_ge(fd, 0);
    close(fd);
    bad_text = text;
    assert_dies_of(malloc_under_a_bad_policy, SIGABRT);
    char line[512] = "", extra[8] = "";
    FILE *f = fopen(stderr_path, "r");
    ck_assert_ptr_nonnull(f);
    ck_assert_ptr_nonnull(fgets(line, sizeof line, f));
    ck_assert_ptr_null(fgets(extra, sizeof extra, f)); /* one line */
    fclose(f);
    unlink(stderr_path);
    char prefix[128];
    snprintf(prefix, sizeof prefix, "dmm (%s): DMM_POLICY=%s: ", dmm_name(), text);
    ck_assert_msg(strncmp(line, prefix, strlen(prefix)) == 0, "the message: %s", line);
    ck_assert_msg(strstr(line, choices) != NULL, "no \"%s\" in: %s", choices, line);
}

START_TEST(test_a_choice_not_offered_aborts_naming_it)
{
    assert_refused("fit=bogus", "fit=bogus is not a policy; this allocator offers first, next, "
                                "best, worst");
    assert_refused("colour=red", "\"colour=red\" is not fit=... or order=...");
    assert_refused("fit=best,order=", "order= is not a policy");
    if (is("list"))
        assert_refused("order=lifo", "order=lifo is not offered; this allocator offers address");
    else
        assert_refused("order=random", "this allocator offers address, lifo, size");
}
END_TEST

#ifdef EXPECTED_CONFIGURED_POLICY
/* Built with DMM_POLICY_DEFAULT (policies.cmake): the configure-time text
 * is the default, each allocator taking the parts it offers, and the
 * environment still wins. */
START_TEST(test_the_configured_default_applies)
{
    ck_assert_str_eq(dmm_policy(), EXPECTED_CONFIGURED_POLICY);
    use_policy("fit=first");
    ck_assert_str_eq(dmm_policy(), EXPECTED_AFTER_FIT_FIRST);
}
END_TEST
#endif

int main(void)
{
    const struct test_group groups[] = {
        {"fits",
         {test_the_four_fits_take_four_different_chunks, test_best_and_worst_walk_the_whole_list,
          test_order_size_makes_first_fit_the_best_fit}},
        {"orders", {test_each_order_puts_a_freed_chunk_in_its_place}},
        {"next fit",
         {test_next_fit_goes_round_to_the_front,
          test_the_roving_pointer_survives_chunks_leaving_the_list}},
        {"DMM_POLICY",
         {test_the_environment_is_read_at_the_first_call_after_a_reset,
          test_a_choice_not_offered_aborts_naming_it}},
#ifdef EXPECTED_CONFIGURED_POLICY
        {"configured", {test_the_configured_default_applies}},
#endif
    };
    return run_test_groups("policy", groups, sizeof groups / sizeof groups[0], setup);
}
