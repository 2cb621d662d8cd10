/*
 * suite.c — running a Check suite (see suite.h).
 */
#include "suite.h"

#include <check.h>
#include <stdlib.h>

int run_test_groups_fixture(const char *suite_name, const struct test_group *groups,
                            size_t count, void (*setup)(void), void (*teardown)(void))
{
    Suite *suite = suite_create(suite_name);
    for (size_t i = 0; i < count; i++) {
        TCase *tc = tcase_create(groups[i].name);
        if (setup != NULL || teardown != NULL)
            tcase_add_checked_fixture(tc, setup, teardown);
        tcase_set_timeout(tc, 60);
        for (size_t t = 0; t < TEST_GROUP_MAX && groups[i].tests[t] != NULL; t++)
            tcase_add_test(tc, groups[i].tests[t]);
        suite_add_tcase(suite, tc);
    }
    return run_suite(suite);
}

int run_test_groups(const char *suite_name, const struct test_group *groups, size_t count,
                    void (*setup)(void))
{
    return run_test_groups_fixture(suite_name, groups, count, setup, NULL);
}

int run_suite(Suite *suite)
{
    SRunner *runner = srunner_create(suite);
    srunner_run_all(runner, CK_NORMAL);
    int failed = srunner_ntests_failed(runner);
    srunner_free(runner);
    return failed == 0 ? EXIT_SUCCESS : EXIT_FAILURE;
}
