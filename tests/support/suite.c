/*
 * suite.c — running a Check suite (see suite.h).
 */
#define _POSIX_C_SOURCE 200809L /* fork, sigaction, waitpid, strsignal */

#include "suite.h"

#include <check.h>
#include <errno.h>
#include <signal.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <sys/wait.h>
#include <unistd.h>

void assert_dies_of(void (*body)(void), int signal_number)
{
    pid_t child = fork();
    ck_assert_msg(child >= 0, "fork: %s", strerror(errno));
    if (child == 0) {
        /* Not AddressSanitizer's handler (or anyone's): the kernel's
         * default, which ends the process with the signal. No core file. */
        struct sigaction default_action = {.sa_handler = SIG_DFL};
        sigemptyset(&default_action.sa_mask);
        sigaction(signal_number, &default_action, NULL);
        sigset_t unblocked;
        sigemptyset(&unblocked);
        sigaddset(&unblocked, signal_number);
        sigprocmask(SIG_UNBLOCK, &unblocked, NULL);
        struct rlimit no_core = {0, 0};
        setrlimit(RLIMIT_CORE, &no_core);
        body();
        _exit(0); /* survived: the parent says so */
    }
    int status;
    while (waitpid(child, &status, 0) < 0)
        ck_assert_msg(errno == EINTR, "waitpid: %s", strerror(errno));
    if (WIFSIGNALED(status))
        ck_assert_msg(WTERMSIG(status) == signal_number, "the child died of %s, not of %s",
                      strsignal(WTERMSIG(status)), strsignal(signal_number));
    else
        ck_assert_msg(0, "the child exited with status %d instead of dying of %s",
                      WEXITSTATUS(status), strsignal(signal_number));
}

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
