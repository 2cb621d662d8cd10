/*
 * check_random.c — a seeded random workload against a shadow record.
 *
 * 100,000 operations (malloc, calloc, realloc, free) with sizes from 1 byte
 * to 64 KiB, log-uniform so that small requests dominate as in real
 * programs. Every live block is filled with its own pattern and verified
 * before it is freed or moved; every returned block must be aligned, inside
 * memory the allocator got through the heap section, and must not overlap
 * another live block (found with a search tree of address ranges, tsearch).
 *
 * Two variants: "sampled" runs the heap checker every 1,000 operations,
 * "checked" after every operation. Each prints the allocator's statistics.
 */
#define _DEFAULT_SOURCE /* tsearch, tdelete, tfind */

#include "dmm.h"

#include "testlib.h"

#include <check.h>
#include <search.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define OPERATIONS 100000
#define SEED 20261126u
#define SLOTS 4096           /* most blocks live at once */
#define TARGET_LIVE 1000     /* the workload drifts towards this many */
#define MAX_SIZE_BITS 16     /* sizes up to 64 KiB */

struct block {
    unsigned char *payload;
    size_t size;
    uint64_t seed;
};

/* The tree orders blocks by address; two blocks compare equal exactly when
 * they overlap, so inserting an overlapping block finds the old one. */
static int compare_ranges(const void *a, const void *b)
{
    const struct block *x = a, *y = b;
    uintptr_t x_start = (uintptr_t)x->payload, x_end = x_start + (x->size ? x->size : 1);
    uintptr_t y_start = (uintptr_t)y->payload, y_end = y_start + (y->size ? y->size : 1);
    if (x_end <= y_start)
        return -1;
    if (y_end <= x_start)
        return 1;
    return 0;
}

static struct {
    struct block blocks[SLOTS];
    size_t live[SLOTS]; /* indices of live slots, in no order */
    size_t live_count;
    void *tree;
    uint64_t rng;
    uint64_t op;
} shadow;

static uint64_t next_random(void)
{
    /* xorshift64*: small, seeded, the same sequence on every machine. */
    shadow.rng ^= shadow.rng >> 12;
    shadow.rng ^= shadow.rng << 25;
    shadow.rng ^= shadow.rng >> 27;
    return shadow.rng * 0x2545F4914F6CDD1Du;
}

static size_t random_size(void)
{
    unsigned bits = (unsigned)(next_random() % (MAX_SIZE_BITS + 1));
    return 1 + (size_t)(next_random() % ((uint64_t)1 << bits));
}

static void expect_new_block(struct block *b, const char *what)
{
    require(b->payload != NULL, "op %llu: %s(%zu) failed", (unsigned long long)shadow.op,
                  what, b->size);
    require(((uintptr_t)b->payload % DMM_ALIGNMENT) == 0, "op %llu: %s returned %p, misaligned",
                  (unsigned long long)shadow.op, what, (void *)b->payload);
    require(ownership_contains(b->payload, b->size), "op %llu: %s returned %p outside the heap",
                  (unsigned long long)shadow.op, what, (void *)b->payload);
    struct block **found = tsearch(b, &shadow.tree, compare_ranges);
    require(found != NULL, "tsearch: out of memory");
    require(*found == b, "op %llu: %s returned %p (%zu bytes), overlapping live %p (%zu bytes)",
                  (unsigned long long)shadow.op, what, (void *)b->payload, b->size,
                  (void *)(*found)->payload, (*found)->size);
}

static void expect_intact(const struct block *b, size_t bytes)
{
    require(pattern_intact(b->payload, bytes, b->seed),
                  "op %llu: block %p (%zu bytes) was overwritten", (unsigned long long)shadow.op,
                  (void *)b->payload, b->size);
}

static void forget(struct block *b)
{
    require(tdelete(b, &shadow.tree, compare_ranges) != NULL, "block %p not in the record", (void *)b->payload);
}

static void allocate(size_t slot)
{
    struct block *b = &shadow.blocks[slot];
    b->size = random_size();
    b->seed = shadow.op;
    if (next_random() % 4 == 0) {
        size_t nmemb = 1 + (size_t)(next_random() % 8);
        b->size = (b->size + nmemb - 1) / nmemb * nmemb;
        b->payload = dmm_calloc(nmemb, b->size / nmemb);
        expect_new_block(b, "calloc");
        for (size_t i = 0; i < b->size; i++)
            require(b->payload[i] == 0, "op %llu: calloc byte %zu is not zero",
                          (unsigned long long)shadow.op, i);
    } else {
        b->payload = dmm_malloc(b->size);
        expect_new_block(b, "malloc");
    }
    pattern_fill(b->payload, b->size, b->seed);
    shadow.live[shadow.live_count++] = slot;
}

static void reallocate(size_t slot)
{
    struct block *b = &shadow.blocks[slot];
    expect_intact(b, b->size);
    forget(b);
    size_t old_size = b->size;
    b->size = random_size();
    b->payload = dmm_realloc(b->payload, b->size);
    expect_new_block(b, "realloc");
    expect_intact(b, old_size < b->size ? old_size : b->size);
    pattern_fill(b->payload, b->size, b->seed);
}

static void release(size_t live_index)
{
    size_t slot = shadow.live[live_index];
    struct block *b = &shadow.blocks[slot];
    expect_intact(b, b->size);
    forget(b);
    dmm_free(b->payload);
    b->payload = NULL;
    shadow.live[live_index] = shadow.live[--shadow.live_count];
}

static size_t free_slot(void)
{
    for (;;) {
        size_t slot = (size_t)(next_random() % SLOTS);
        if (shadow.blocks[slot].payload == NULL)
            return slot;
    }
}

static void run_workload(uint64_t check_every)
{
    memset(&shadow, 0, sizeof shadow);
    shadow.rng = SEED;
    dmm_reset();
    ownership_start();

    for (shadow.op = 1; shadow.op <= OPERATIONS; shadow.op++) {
        unsigned roll = (unsigned)(next_random() % 100);
        int want_more = shadow.live_count < TARGET_LIVE;
        if (shadow.live_count == 0 || (shadow.live_count < SLOTS / 2 && roll < (want_more ? 55u : 40u)))
            allocate(free_slot());
        else if (roll < 75)
            release((size_t)(next_random() % shadow.live_count));
        else
            reallocate(shadow.live[next_random() % shadow.live_count]);

        if (shadow.op % check_every == 0) {
            const char *problem = dmm_check(NULL, NULL);
            require(problem == NULL, "after op %llu: heap checker: %s",
                          (unsigned long long)shadow.op, problem);
        }
    }
    while (shadow.live_count > 0)
        release(shadow.live_count - 1);
    ck_assert_heap_ok();

    struct dmm_stats s;
    dmm_stats(&s);
    printf("%s: %d ops (heap check every %llu): brk %llu, mmap %llu, munmap %llu, "
           "malloc steps %llu (%.2f per malloc), free steps %llu (%.2f per free), "
           "peak footprint %zu bytes\n",
           dmm_name(), OPERATIONS, (unsigned long long)check_every,
           (unsigned long long)s.brk_calls, (unsigned long long)s.mmap_calls,
           (unsigned long long)s.munmap_calls, (unsigned long long)s.malloc_steps,
           s.malloc_calls ? (double)s.malloc_steps / (double)s.malloc_calls : 0.0,
           (unsigned long long)s.free_steps,
           s.free_calls ? (double)s.free_steps / (double)s.free_calls : 0.0,
           s.peak_footprint_bytes);
    fflush(stdout);
    ck_assert_uint_gt(s.malloc_calls, OPERATIONS / 3);
    ck_assert_uint_gt(s.free_calls, OPERATIONS / 3);
}

START_TEST(test_random_workload_sampled_checks)
{
    run_workload(1000);
}
END_TEST

START_TEST(test_random_workload_checked_every_operation)
{
    run_workload(1);
}
END_TEST

int main(void)
{
    Suite *suite = suite_create("random");
    TCase *sampled = tcase_create("sampled");
    tcase_set_timeout(sampled, 240);
    tcase_add_test(sampled, test_random_workload_sampled_checks);
    suite_add_tcase(suite, sampled);
    TCase *checked = tcase_create("checked");
    tcase_set_timeout(checked, 240);
    tcase_add_test(checked, test_random_workload_checked_every_operation);
    suite_add_tcase(suite, checked);
    return run_suite(suite);
}
