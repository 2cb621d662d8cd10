/*
 * capture.c — a test's body in a child, its stderr kept (capture.h).
 */
#define _POSIX_C_SOURCE 200809L /* fork, pipe, dup2, sigaction, strsignal */

#include "capture.h"

#include <check.h>
#include <errno.h>
#include <signal.h>
#include <stdio.h>
#include <string.h>
#include <sys/resource.h>
#include <sys/wait.h>
#include <unistd.h>

void capture_run(void (*body)(const void *arg), const void *arg, struct capture *out)
{
    int fds[2];
    ck_assert_msg(pipe(fds) == 0, "pipe: %s", strerror(errno));
    fflush(NULL);
    pid_t child = fork();
    ck_assert_msg(child >= 0, "fork: %s", strerror(errno));
    if (child == 0) {
        close(fds[0]);
        dup2(fds[1], STDERR_FILENO);
        struct sigaction default_action = {.sa_handler = SIG_DFL};
        sigemptyset(&default_action.sa_mask);
        sigaction(SIGABRT, &default_action, NULL);
        struct rlimit no_core = {0, 0};
        setrlimit(RLIMIT_CORE, &no_core);
        body(arg);
        _exit(0);
    }
    close(fds[1]);
    size_t used = 0;
    char drop[256];
    for (;;) {
        char *into = used < sizeof out->said - 1 ? out->said + used : drop;
        size_t room = used < sizeof out->said - 1 ? sizeof out->said - 1 - used : sizeof drop;
        ssize_t got = read(fds[0], into, room);
        if (got < 0 && errno == EINTR)
            continue;
        if (got <= 0)
            break;
        if (into != drop)
            used += (size_t)got;
    }
    close(fds[0]);
    out->said[used] = '\0';
    if (used > 0 && out->said[used - 1] == '\n')
        out->said[used - 1] = '\0';
    while (waitpid(child, &out->status, 0) < 0)
        ck_assert_msg(errno == EINTR, "waitpid: %s", strerror(errno));
}

int capture_died_of(const struct capture *c, int signal_number)
{
    return WIFSIGNALED(c->status) && WTERMSIG(c->status) == signal_number;
}

const char *capture_ending(const struct capture *c, char *text, size_t size)
{
    if (WIFSIGNALED(c->status))
        snprintf(text, size, "died of %s", strsignal(WTERMSIG(c->status)));
    else
        snprintf(text, size, "exited with status %d", WEXITSTATUS(c->status));
    return text;
}
