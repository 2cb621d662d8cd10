/*
 * build_checks.h — between build.c (finding, compiling and linking each
 * submission) and build_checks.c (what is checked before a submission ever
 * runs: its includes, its undefined symbols, its code, its definitions).
 *
 * Every check reads the output of a real tool (the preprocessor's -M, nm,
 * objdump) run through build_run: nothing here parses ELF by hand, and no
 * student's file name ever reaches a shell.
 */
#ifndef DMM_GRADE_BUILD_CHECKS_H
#define DMM_GRADE_BUILD_CHECKS_H

#include "grade.h"

#include <stddef.h>

/* The wall clock a compiler or tool may take before it is killed: twice the
 * CPU limit (60 s), so a compiler that waits rather than computes stops too. */
#define BUILD_WALL_SECONDS 120

/* build_run's status for a child killed because the wall clock ran out. */
#define BUILD_TIMED_OUT (-1)

/* One student's build, as the worker process that builds it sees it. */
struct build_job {
    const struct grade_build_options *options;
    const struct grade_student *student;
    char allocators[4096]; /* DMM_DIR/allocators: dmm.h, heap.c, calloc.c */
    char message[512];     /* why it failed or was refused: one line */
};

/* Runs argv (argv[0] found on PATH, no shell) in a child with the
 * compiler's limits, in its own process group: stdout to out_path, stderr
 * to err_path (the same file when the paths are equal; NULL: /dev/null).
 * Returns 0 with *status the wait status (or BUILD_TIMED_OUT), or -1 with
 * errno when no child could be started. */
int build_run(char *const argv[], const char *out_path, const char *err_path, int *status);

/* "the compiler exited with status 1", "... was killed after 120 s", ...:
 * what a failed run's status means, for build_message. */
void build_describe_status(int status, const char *what, char *buffer, size_t size);

/* The preprocessor's dependency list (deps_path, written by -M -MT
 * dmm-deps) against the headers a submission may include. Returns 0, or 1
 * with job->message naming every other file. */
int build_check_includes(struct build_job *job, const char *deps_path);

/* The object defines every function of dmm.h that a submission writes.
 * Returns 0, 1 with job->message naming what is missing, or -1 with
 * job->message when nm could not run. */
int build_check_definitions(struct build_job *job, const char *object);

/* The static checks: undefined symbols against the allowlist, inline
 * assembly in the preprocessed source (cc -E), system call instructions,
 * code run at load time. Returns 0, 1 with job->message naming every
 * refusal, or -1 with job->message when a tool could not run. */
int build_check_object(struct build_job *job, const char *object, const char *preprocessed);

#endif /* DMM_GRADE_BUILD_CHECKS_H */
