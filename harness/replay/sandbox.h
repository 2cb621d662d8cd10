/*
 * sandbox.h — what a child process that replays someone else's allocator
 * may do: resource limits, and a seccomp filter of the system calls the
 * replay needs.
 *
 * Step of the data flow: trace file -> parse -> pair -> [child process,
 * sandboxed] -> checking pass -> timing -> result -> table/CSV/JSON.
 *
 * dmm-grade runs every submission's child in it (runner.h: plan->sandbox),
 * and `dmm-replay --sandbox` any module, for a student to reproduce what
 * the grader saw; the other runs load trusted modules and do not. A
 * baseline (Debian's allocators) gets the limits, not the filter: glibc's
 * malloc opens /sys files to size its arenas. Two layers, in order:
 *
 *   1. before the module is loaded (sandbox_limit): its output goes to
 *      /dev/null, and limits the kernel enforces: no file may grow
 *      (RLIMIT_FSIZE 0: a write to a file ends the process with SIGXFSZ),
 *      CPU time (RLIMIT_CPU), memory (RLIMIT_DATA: the private writable
 *      memory, which the heap section's reserve is not until used). Not
 *      RLIMIT_NPROC: it counts threads too (the timing runs make one) and
 *      does not bind root; the filter refuses a new process instead;
 *   2. after it is loaded, before its first call (sandbox_enter): a
 *      seccomp filter that allows only the system calls the replay itself
 *      makes (memory, clocks, exit, writes to the standard streams). Any
 *      other call (open a file, fork, exec, a socket, ...) traps: the
 *      handler notes the call's number where the parent reads it, and the
 *      child exits with SANDBOX_EXIT. The parent names the call and why it
 *      is refused (sandbox_refusal).
 *
 * What the filter cannot tell apart: an mmap by the allocator from an mmap
 * by glibc's malloc inside the harness. dmm-grade's static checks (no
 * mmap/brk symbol, no system call instruction in a submission) close that
 * gap before anything runs; the footprint counts only the heap section.
 * Code that runs while the module loads (a constructor) runs before the
 * filter: the static checks refuse constructors for that reason.
 */
#ifndef DMM_SANDBOX_H
#define DMM_SANDBOX_H

#include <stddef.h>

struct sandbox {
    size_t memory_mib;  /* RLIMIT_DATA of the child, in MiB */
    double cpu_seconds; /* RLIMIT_CPU, rounded up to whole seconds */
};

/* The exit status of a child whose system call the filter refused. */
#define SANDBOX_EXIT 121

/* Layer 1, in the child, before the module is loaded. Returns 0, or -1
 * with a one-line message in error. */
int sandbox_limit(const struct sandbox *sandbox, char *error, size_t error_size);

/* Layer 2, in the child, after the module is loaded. *refused (shared
 * with the parent) gets the number of a refused system call, plus one (0:
 * none). readable: a descriptor the replay may still read and seek (the
 * kernel's /proc/self/maps, footprint.h), or -1. Returns 0, or -1 with a
 * message in error: the child must then not run the module. */
int sandbox_enter(volatile long *refused, int readable, char *error, size_t error_size);

/* In the parent: "system call NAME refused: WHY" for the number a child
 * noted, into buffer. */
void sandbox_refusal(long number, char *buffer, size_t size);

#endif /* DMM_SANDBOX_H */
