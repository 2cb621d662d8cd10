/*
 * capture.h — run a piece of a test in a child process and keep what it
 * wrote on stderr and how it ended: for the tests of code that reports on
 * stderr and then aborts (the footer check at free, tests/canary.cmake),
 * where assert_dies_of (suite.h) says only that the child died.
 */
#ifndef DMM_CAPTURE_H
#define DMM_CAPTURE_H

#include <stddef.h>

#define CAPTURE_BYTES 2048 /* of the child's stderr kept; the rest is read and dropped */

struct capture {
    int status;                 /* waitpid's */
    char said[CAPTURE_BYTES];   /* the child's stderr, its last '\n' taken off */
};

/* Runs body(arg) in a child (stderr into a pipe, the default action for
 * SIGABRT, no core file) and fills *out; a child that returns exits 0.
 * Fails the test (ck_abort_msg) when no child can be run. */
void capture_run(void (*body)(const void *arg), const void *arg, struct capture *out);

/* 1 when the child died of signal_number. */
int capture_died_of(const struct capture *c, int signal_number);

/* "exited with status 0", "died of Aborted": how it ended, for messages. */
const char *capture_ending(const struct capture *c, char *text, size_t size);

#endif /* DMM_CAPTURE_H */
