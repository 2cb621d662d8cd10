/*
 * check_design.c — the behaviour the allocator's design promises (its
 * dmm_design, dmm.h), checked by the harness's own code (design.h) on the
 * chunks dmm_check's walk visits after every operation, whatever dmm_check
 * itself says. Run against every allocator (`ctest -L design`) and a
 * student's file (`ctest -L mine`).
 *
 *   declaration      dmm_design, if there is one, holds only known words
 *   coalesces        the four cases of CS:APP's coalesce (neither, next,
 *                    previous, both neighbours free), at the heap's first
 *                    chunks and between guards; then a seeded random
 *                    workload walked after every operation
 *   address-ordered  holes of several sizes, then requests that fit some:
 *                    each malloc checked against the walk before it (no
 *                    free chunk below the one it took could hold it); then
 *                    the random workload
 *
 * An allocator that declares neither runs only the first test. A list that
 * coalesces with the next chunk only (tests/support/modules/list_next_only.c)
 * fails "coalesces".
 */
#include "dmm.h"

#include "design.h"
#include "testlib.h"

#include <check.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>

/* The allocator's declaration: a weak reference, NULL when it has none. */
extern const char dmm_design[] __attribute__((weak));

#define RANDOM_OPS 20000    /* operations of the random workload, each walked */
#define RANDOM_SLOTS 256    /* blocks live at most */
#define RANDOM_MAX_SIZE 600 /* bytes: below every mapping threshold */

static unsigned declared(void)
{
    const char *text = dmm_design;
    unsigned properties = 0;
    char error[256];
    if (text != NULL && design_parse(text, &properties, error, sizeof error) != 0)
        ck_abort_msg("%s: %s", dmm_name(), error);
    return properties;
}

/* ---- one operation, then a walk checked by design.c ---------------------------- */

static struct {
    struct design_walk walk;
    uint64_t ops;              /* operations since dmm_reset */
    uint64_t ids[1];           /* the current op's ID, for its description */
    struct trace trace;        /* just enough of a trace for describe_op */
} design;

static void design_start(unsigned properties)
{
    design_walk_free(&design.walk);
    design.walk = (struct design_walk){.properties = properties};
    design.ops = 0;
    design.trace = (struct trace){.name = "check_design", .slot_ids = design.ids};
    dmm_reset();
}

/* Walks after an op (kind 'a', 'f' ...; id names its block in messages;
 * block is what a malloc returned) and fails the test with the allocator's
 * checker's or the design check's message. */
static void walk_after(char kind, uint64_t id, size_t size, const void *block)
{
    struct trace_op op = {.kind = kind, .slot = 0, .line = (uint32_t)(design.ops + 1),
                          .size = size};
    design.ids[0] = id;
    dmm_visit_fn *visit =
        design_walk_start(&design.walk, ++design.ops, kind == 'a' ? block : NULL, NULL, NULL);
    const char *problem = dmm_check(visit, &design.walk);
    require(problem == NULL, "%s: the heap checker says: %s", dmm_name(), problem);
    char what[512];
    require(design_walk_end(&design.walk, &design.trace, &op, what, sizeof what) == 0,
            "%s (declares \"%s\"): %s (lines are operations of this test)", dmm_name(),
            dmm_design, what);
}

static void *checked_malloc(uint64_t id, size_t size)
{
    void *p = dmm_malloc(size);
    require(p != NULL, "%s: malloc(%zu) failed", dmm_name(), size);
    walk_after('a', id, size, p);
    return p;
}

static void checked_free(uint64_t id, void *p)
{
    dmm_free(p);
    walk_after('f', id, 0, NULL);
}

/* ---- the tests ----------------------------------------------------------------- */

START_TEST(declaration)
{
    unsigned properties = declared();
    char words[128];
    design_words(properties, words, sizeof words);
    printf("%s declares: %s\n", dmm_name(), properties != 0 ? words : "(nothing)");
}
END_TEST

/* Neighbours A, B, C (sizes differ, so a wrong merge shows), with guards
 * around them unless at_start (then A is the heap's first chunk). The
 * frees of case k: 1 B alone; 2 C then B; 3 A then B; 4 A, C then B. */
START_TEST(coalesce_four_cases)
{
    if ((declared() & DESIGN_COALESCES) == 0)
        return;
    static const size_t sizes[3] = {48, 80, 112};
    for (int at_start = 0; at_start <= 1; at_start++) {
        for (int kind = 1; kind <= 4; kind++) {
            design_start(DESIGN_COALESCES);
            void *guard_low = at_start ? NULL : checked_malloc(10, 64);
            void *block[3];
            for (int k = 0; k < 3; k++)
                block[k] = checked_malloc((uint64_t)k, sizes[k]);
            void *guard_high = checked_malloc(11, 64);
            if (kind == 3 || kind == 4)
                checked_free(0, block[0]);
            if (kind == 2 || kind == 4)
                checked_free(2, block[2]);
            checked_free(1, block[1]);
            /* The three are one free chunk now (kind 4) or merged with what
             * was free; the guards then free into them. */
            if (guard_low != NULL)
                checked_free(10, guard_low);
            checked_free(11, guard_high);
        }
    }
    dmm_reset();
}
END_TEST

/* Holes of several sizes between guards, in whatever order the allocator
 * lays chunks out; then requests that fit some holes and not others. The
 * walk before each malloc tells the design check which free chunks lay
 * below the one it took. */
START_TEST(address_ordered_holes)
{
    unsigned properties = declared();
    if ((properties & DESIGN_ADDRESS_ORDERED) == 0)
        return;
    static const size_t holes[6] = {96, 400, 48, 256, 160, 600};
    static const size_t requests[6] = {40, 200, 90, 150, 16, 500};
    design_start(properties);
    void *hole[6], *guard[6];
    for (int k = 0; k < 6; k++) {
        hole[k] = checked_malloc((uint64_t)k, holes[k]);
        guard[k] = checked_malloc((uint64_t)k + 10, 32);
    }
    for (int k = 0; k < 6; k++)
        checked_free((uint64_t)k, hole[k]);
    for (int k = 0; k < 6; k++)
        hole[k] = checked_malloc((uint64_t)k + 20, requests[k]);
    for (int k = 0; k < 6; k++) {
        checked_free((uint64_t)k + 20, hole[k]);
        checked_free((uint64_t)k + 10, guard[k]);
    }
    dmm_reset();
}
END_TEST

/* splitmix64: the same workload on every machine. */
static uint64_t next_random(uint64_t *state)
{
    uint64_t z = (*state += 0x9E3779B97F4A7C15u);
    z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9u;
    z = (z ^ (z >> 27)) * 0x94D049BB133111EBu;
    return z ^ (z >> 31);
}

START_TEST(random_workload_walked)
{
    unsigned properties = declared();
    if (properties == 0)
        return;
    design_start(properties);
    void *slots[RANDOM_SLOTS] = {0};
    uint64_t rng = 20261202u;
    for (int i = 0; i < RANDOM_OPS; i++) {
        uint64_t r = next_random(&rng);
        size_t k = (size_t)(r % RANDOM_SLOTS);
        if (slots[k] == NULL) {
            slots[k] = checked_malloc(k, (size_t)(r >> 32) % RANDOM_MAX_SIZE + 1);
        } else {
            checked_free(k, slots[k]);
            slots[k] = NULL;
        }
    }
    for (size_t k = 0; k < RANDOM_SLOTS; k++)
        if (slots[k] != NULL)
            checked_free(k, slots[k]);
    dmm_reset();
}
END_TEST

int main(void)
{
    Suite *suite = suite_create("design");
    TCase *tc = tcase_create("design");
    tcase_set_timeout(tc, 240);
    tcase_add_test(tc, declaration);
    tcase_add_test(tc, coalesce_four_cases);
    tcase_add_test(tc, address_ordered_holes);
    tcase_add_test(tc, random_workload_walked);
    suite_add_tcase(suite, tc);
    SRunner *runner = srunner_create(suite);
    srunner_run_all(runner, CK_NORMAL);
    int failed = srunner_ntests_failed(runner);
    srunner_free(runner);
    design_walk_free(&design.walk);
    return failed == 0 ? EXIT_SUCCESS : EXIT_FAILURE;
}
