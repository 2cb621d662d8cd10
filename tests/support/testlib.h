/*
 * testlib.h — helpers the Check suites share. Compiled into each test
 * executable next to one allocator library, so dmm_* is that allocator.
 */
#ifndef DMM_TESTLIB_H
#define DMM_TESTLIB_H

#include "dmm.h"

#include "suite.h" /* require(), run_suite, run_test_groups */

#include <check.h>
#include <stddef.h>
#include <stdint.h>

/* Fails the current test with the checker's message unless every invariant
 * of the allocator holds. */
#define ck_assert_heap_ok()                                                            \
    do {                                                                               \
        const char *heap_problem_ = dmm_check(NULL, NULL);                             \
        require(heap_problem_ == NULL, "heap checker: %s", heap_problem_);              \
    } while (0)

/* ---- payload patterns --------------------------------------------------- */

/* Fills n bytes with a pattern derived from seed, and verifies it; 1 when
 * every byte matches. Different seeds give different patterns. */
void pattern_fill(void *payload, size_t n, uint64_t seed);
int pattern_intact(const void *payload, size_t n, uint64_t seed);

/* ---- the heap as the checker's visitor sees it -------------------------- */

struct heap_summary {
    size_t chunks;           /* chunks visited */
    size_t free_chunks;      /* of which free */
    size_t free_bytes;       /* sum of free chunk sizes */
    size_t largest_free;     /* biggest free chunk, bytes */
    size_t bytes;            /* sum of all chunk sizes */
};

/* Runs dmm_check with a visitor, asserts it passes, and sums the chunks. */
struct heap_summary heap_summarize(void);

/* ---- the lecture's demo sequence (harness/lecture/lecture_demo.h) --------------- */

/* Runs the whole sequence from a reset allocator, asserting that every
 * malloc succeeds and the heap checker passes after each step. */
void run_lecture_demo(void);

/* ---- where the allocator's memory is ------------------------------------ */

/* Starts recording, through the heap section's observer, the heap section
 * and every live mapping. Call after dmm_reset(). */
void ownership_start(void);
/* 1 when [p, p + n) lies inside the heap section or one live mapping. */
int ownership_contains(const void *p, size_t n);

/* ---- search work -------------------------------------------------------- */

/* Builds a heap with `free_chunks` free chunks that cannot coalesce
 * (allocated chunks between them), then frees the allocated chunk highest
 * in memory, and returns how many steps that one free took (dmm_stats
 * free_steps before and after). Starts from dmm_reset(). */
uint64_t free_steps_with_free_list_of(size_t free_chunks);

/* ---- deliberate corruption ---------------------------------------------- */

/* Asserts that the heap checker reports "invariant N broken": the end of a
 * test that corrupts the heap on purpose. assert_broken also resets the
 * allocator; assert_checker_says leaves the heap as it is (for a test that
 * must repair it before dmm_reset can give its memory back). */
void assert_checker_says(int invariant);
void assert_broken(int invariant);

#endif /* DMM_TESTLIB_H */
