/*
 * suite.h — running a Check suite, for every test executable: the
 * allocator suites (through testlib.h) and the tools' suites, which link
 * no allocator. suite.c calls Check only, never dmm_*.
 */
#ifndef DMM_SUITE_H
#define DMM_SUITE_H

#include <check.h>
#include <stddef.h>

/* Check records a checkpoint on every passing ck_assert (a write to a file),
 * which makes assertions in hot loops very slow: inside loops, use
 * require(), which costs nothing until it fails. */
#define require(condition, ...)                                                        \
    do {                                                                               \
        if (!(condition))                                                              \
            ck_abort_msg(__VA_ARGS__);                                                 \
    } while (0)

/* Runs body in a child process of its own, with the default action for
 * signal_number, and fails the test unless that child dies of it. For the
 * tests that expect a fault: Check's tcase_add_test_raise_signal does not
 * see one under AddressSanitizer, whose SIGSEGV handler reports the fault
 * and exits with status 1 instead. The test's fixture has run before the
 * fork, so body finds its state set up; what body does dies with the child. */
void assert_dies_of(void (*body)(void), int signal_number);

/* Runs the suite, prints Check's summary, and returns the exit status. */
int run_suite(Suite *suite);

/* A suite as a table: each group becomes a TCase of its tests (a NULL ends
 * a shorter list), each test run after setup, with a 60-second timeout. */
#define TEST_GROUP_MAX 24
struct test_group {
    const char *name;
    const TTest *tests[TEST_GROUP_MAX];
};
int run_test_groups(const char *suite_name, const struct test_group *groups, size_t count,
                    void (*setup)(void));
/* The same with a teardown after each test; setup and teardown may be NULL. */
int run_test_groups_fixture(const char *suite_name, const struct test_group *groups,
                            size_t count, void (*setup)(void), void (*teardown)(void));

#endif /* DMM_SUITE_H */
