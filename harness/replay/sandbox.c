/*
 * sandbox.c — limits and a seccomp filter for a child that replays an
 * allocator nobody has vetted (sandbox.h says what each layer is for).
 *
 * The filter is libseccomp's (Debian: libseccomp-dev): an allowlist, every
 * other system call trapping with SIGSYS. The calls on the list are the
 * ones the replay itself makes after the module is loaded, and no more:
 *
 *   memory      brk mmap munmap mremap mprotect madvise   the heap section,
 *                                                          and glibc's malloc
 *                                                          for the harness
 *   clocks      clock_gettime gettimeofday getrusage      the timing runs
 *   the end     exit exit_group                           and abort():
 *               rt_sigprocmask getpid gettid tgkill        raise(SIGABRT)
 *               rt_sigreturn
 *   the standard streams, and only them (file descriptor <= 2):
 *               write, fstat/newfstatat, ioctl(TCGETS)     stdio's first write
 *   futex sched_yield                                      glibc's locks
 *   sysinfo                                                glibc's malloc (a
 *                                                          baseline's arenas)
 *   read lseek on one descriptor opened before: /proc/self/maps, which the
 *               checking pass compares with the heap section (footprint.h)
 *   a thread, and no process: the timing runs replay on a thread of their
 *               own (timing.c). clone only with CLONE_THREAD (a fork is a
 *               clone without it); clone3, whose flags lie in memory where
 *               the filter cannot read them, fails with ENOSYS, on which
 *               glibc falls back to clone; set_robust_list, rseq, and
 *               rt_sigaction for glibc's one internal signal (SIGSETXID,
 *               SIGRTMIN + 1) that pthread_create sets up
 *
 * Built with AddressSanitizer, two more that its runtime makes: sigaltstack
 * (a question before every call that does not return, and a signal stack
 * for each new thread) and sched_getaffinity (pthread_getattr_np, for a
 * new thread's stack).
 *
 * Not on it: anything that names a file, makes a process, a socket or a
 * signal handler. rt_sigaction in particular: a module that could install
 * its own SIGSYS handler could ignore the filter's traps.
 */
#define _GNU_SOURCE /* SIGSYS's siginfo fields */

#include "sandbox.h"

#include <errno.h>
#include <fcntl.h>
#include <math.h>
#include <sched.h>
#include <seccomp.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/resource.h>
#include <unistd.h>

/* ---- layer 1: limits --------------------------------------------------------- */

/* Built with AddressSanitizer (the asan preset)? Its shadow memory, mapped
 * private and writable when the process starts, is tens of TiB that the
 * kernel counts as data: under any RLIMIT_DATA every later mapping, the
 * sanitizer's own included, fails with ENOMEM. Such a build sets no memory
 * limit (docs/harness.md, Sanitizers). */
#if defined(__SANITIZE_ADDRESS__)
#define SANDBOX_ADDRESS_SANITIZER 1
#elif defined(__has_feature)
#if __has_feature(address_sanitizer)
#define SANDBOX_ADDRESS_SANITIZER 1
#endif
#endif
#ifndef SANDBOX_ADDRESS_SANITIZER
#define SANDBOX_ADDRESS_SANITIZER 0
#endif

static int set_limit(int resource, rlim_t value, rlim_t hard, const char *name, char *error,
                     size_t size)
{
    struct rlimit limit = {value, hard};
    struct rlimit current;
    /* Lowering is always allowed; a hard limit below ours stays. */
    if (getrlimit(resource, &current) == 0 && current.rlim_max != RLIM_INFINITY &&
        current.rlim_max < hard)
        limit.rlim_max = current.rlim_max;
    if (limit.rlim_cur > limit.rlim_max)
        limit.rlim_cur = limit.rlim_max;
    if (setrlimit(resource, &limit) == 0)
        return 0;
    snprintf(error, size, "sandbox: cannot set %s: %s", name, strerror(errno));
    return -1;
}

int sandbox_limit(const struct sandbox *sandbox, char *error, size_t error_size)
{
    /* The module's output is not the grader's: a submission that prints on
     * every call would flood the terminal of a class-wide run. */
    int null = open("/dev/null", O_WRONLY | O_CLOEXEC);
    if (null < 0 || dup2(null, STDOUT_FILENO) < 0 || dup2(null, STDERR_FILENO) < 0) {
        snprintf(error, error_size, "sandbox: /dev/null: %s", strerror(errno));
        return -1;
    }
    close(null);
    /* CPU time: a second more than the wall-clock timeout, which should
     * come first (CPU time never runs ahead of the clock); SIGXCPU at the
     * soft limit, and the kernel's SIGKILL a second later, for a child
     * that the parent's deadline somehow missed. */
    rlim_t cpu = (rlim_t)ceil(sandbox->cpu_seconds > 1 ? sandbox->cpu_seconds : 1) + 1;
    rlim_t data = (rlim_t)sandbox->memory_mib << 20;
    if (set_limit(RLIMIT_FSIZE, 0, 0, "RLIMIT_FSIZE", error, error_size) != 0 ||
        set_limit(RLIMIT_CPU, cpu, cpu + 1, "RLIMIT_CPU", error, error_size) != 0 ||
        (!SANDBOX_ADDRESS_SANITIZER &&
         set_limit(RLIMIT_DATA, data, data, "RLIMIT_DATA", error, error_size) != 0))
        return -1;
    return 0;
}

/* ---- layer 2: the filter ------------------------------------------------------ */

/* Where the trap handler notes a refused call (shared memory, read by the
 * parent after the child is gone). */
static volatile long *refused_call;

static void on_refused(int signal_number, siginfo_t *info, void *context)
{
    (void)signal_number;
    (void)context;
    *refused_call = (long)info->si_syscall + 1;
    _exit(SANDBOX_EXIT); /* exit_group: on the list */
}

#if SANDBOX_ADDRESS_SANITIZER
/* A module that calls exit() runs the exit handlers, and LeakSanitizer's
 * check is one: it needs what the filter refuses (a tracer process,
 * ptrace, prctl, /proc/self/maps). The replay's own children end with
 * _exit; this ends a module's exit() the same way, with its status.
 * Registered after the sanitizer's handler, it runs before it. */
static void exit_without_handlers(int status, void *unused)
{
    (void)unused;
    _exit(status);
}
#endif

/* glibc's internal signal for set*id across threads, which the first
 * pthread_create gives a handler (the kernel's number 33). */
#define SIGSETXID (__SIGRTMIN + 1)

/* The calls allowed whatever their arguments. */
static const int allowed_calls[] = {
    SCMP_SYS(brk),          SCMP_SYS(mmap),          SCMP_SYS(munmap),
    SCMP_SYS(mremap),       SCMP_SYS(mprotect),      SCMP_SYS(madvise),
    SCMP_SYS(clock_gettime), SCMP_SYS(gettimeofday), SCMP_SYS(getrusage),
    SCMP_SYS(exit),         SCMP_SYS(exit_group),    SCMP_SYS(rt_sigreturn),
    SCMP_SYS(rt_sigprocmask), SCMP_SYS(getpid),      SCMP_SYS(gettid),
    SCMP_SYS(tgkill),       SCMP_SYS(futex),         SCMP_SYS(sched_yield),
    SCMP_SYS(sysinfo),      SCMP_SYS(set_robust_list), SCMP_SYS(rseq),
};
#define ALLOWED_COUNT (sizeof allowed_calls / sizeof allowed_calls[0])

/* The calls allowed on the standard streams only (first argument <= 2). */
static const int stream_calls[] = {SCMP_SYS(write), SCMP_SYS(fstat), SCMP_SYS(newfstatat)};
#define STREAM_COUNT (sizeof stream_calls / sizeof stream_calls[0])

static int build_filter(scmp_filter_ctx filter, int readable)
{
    if (readable >= 0 &&
        (seccomp_rule_add(filter, SCMP_ACT_ALLOW, SCMP_SYS(read), 1,
                          SCMP_A0(SCMP_CMP_EQ, (scmp_datum_t)readable, 0)) != 0 ||
         seccomp_rule_add(filter, SCMP_ACT_ALLOW, SCMP_SYS(lseek), 1,
                          SCMP_A0(SCMP_CMP_EQ, (scmp_datum_t)readable, 0)) != 0))
        return -1;
    for (size_t i = 0; i < ALLOWED_COUNT; i++)
        if (seccomp_rule_add(filter, SCMP_ACT_ALLOW, allowed_calls[i], 0) != 0)
            return -1;
    for (size_t i = 0; i < STREAM_COUNT; i++)
        if (seccomp_rule_add(filter, SCMP_ACT_ALLOW, stream_calls[i], 1,
                             SCMP_A0(SCMP_CMP_LE, STDERR_FILENO, 0)) != 0)
            return -1;
    if (seccomp_rule_add(filter, SCMP_ACT_ALLOW, SCMP_SYS(clone), 1,
                         SCMP_A0(SCMP_CMP_MASKED_EQ, CLONE_THREAD, CLONE_THREAD)) != 0 ||
        seccomp_rule_add(filter, SCMP_ACT_ERRNO(ENOSYS), SCMP_SYS(clone3), 0) != 0 ||
        seccomp_rule_add(filter, SCMP_ACT_ALLOW, SCMP_SYS(rt_sigaction), 1,
                         SCMP_A0(SCMP_CMP_EQ, (scmp_datum_t)SIGSETXID, 0)) != 0)
        return -1;
    /* AddressSanitizer asks where the signal stack is before every call
     * that does not return (_exit and longjmp included) and gives each new
     * thread one; it asks for a new thread's stack (pthread_getattr_np,
     * which reads the thread's CPU mask). A signal stack installs no
     * handler: rt_sigaction stays refused. */
    if (SANDBOX_ADDRESS_SANITIZER &&
        (seccomp_rule_add(filter, SCMP_ACT_ALLOW, SCMP_SYS(sigaltstack), 0) != 0 ||
         seccomp_rule_add(filter, SCMP_ACT_ALLOW, SCMP_SYS(sched_getaffinity), 0) != 0))
        return -1;
    /* isatty() on a standard stream, which stdio asks before its first write. */
    return seccomp_rule_add(filter, SCMP_ACT_ALLOW, SCMP_SYS(ioctl), 2,
                            SCMP_A0(SCMP_CMP_LE, STDERR_FILENO, 0),
                            SCMP_A1(SCMP_CMP_EQ, TCGETS, 0));
}

int sandbox_enter(volatile long *refused, int readable, char *error, size_t error_size)
{
    refused_call = refused;
    struct sigaction trap = {.sa_sigaction = on_refused, .sa_flags = SA_SIGINFO};
    sigemptyset(&trap.sa_mask);
    if (sigaction(SIGSYS, &trap, NULL) != 0) {
        snprintf(error, error_size, "sandbox: SIGSYS handler: %s", strerror(errno));
        return -1;
    }
    sigset_t sys;
    sigemptyset(&sys);
    sigaddset(&sys, SIGSYS);
    sigprocmask(SIG_UNBLOCK, &sys, NULL);

#if SANDBOX_ADDRESS_SANITIZER
    if (on_exit(exit_without_handlers, NULL) != 0) {
        snprintf(error, error_size, "sandbox: on_exit failed");
        return -1;
    }
#endif
    scmp_filter_ctx filter = seccomp_init(SCMP_ACT_TRAP);
    int result = filter != NULL ? build_filter(filter, readable) : -ENOMEM;
    if (result == 0)
        result = seccomp_load(filter); /* sets no_new_privs first */
    seccomp_release(filter);
    if (result != 0) {
        snprintf(error, error_size, "sandbox: the seccomp filter could not be installed: %s",
                 strerror(result < 0 ? -result : ENOSYS));
        return -1;
    }
    return 0;
}

/* ---- in the parent ------------------------------------------------------------ */

/* Why a family of calls is refused, for the instructor's message. */
static const struct {
    const char *names; /* space-separated, with a space at both ends */
    const char *why;
} reasons[] = {
    {" open openat openat2 creat unlink unlinkat rename renameat renameat2 mkdir mkdirat"
     " rmdir stat lstat access faccessat faccessat2 readlink readlinkat chdir chmod"
     " fchmodat chown truncate ftruncate read pread64 readv lseek close statx ",
     "a submission may not touch files"},
    {" clone clone3 fork vfork execve execveat kill tkill ptrace ",
     "a submission may not start or signal processes"},
    {" socket socketpair connect bind listen accept accept4 sendto recvfrom sendmsg"
     " recvmsg ", "a submission may not use the network"},
    {" rt_sigaction sigaltstack ", "a submission may not handle signals"},
};

void sandbox_refusal(long number, char *buffer, size_t size)
{
    char *name = seccomp_syscall_resolve_num_arch(SCMP_ARCH_NATIVE, (int)number);
    const char *why = "it is not one the replay needs";
    if (name != NULL) {
        char key[64];
        snprintf(key, sizeof key, " %s ", name);
        for (size_t i = 0; i < sizeof reasons / sizeof reasons[0]; i++)
            if (strstr(reasons[i].names, key) != NULL)
                why = reasons[i].why;
        snprintf(buffer, size, "the sandbox refused system call %s: %s", name, why);
    } else {
        snprintf(buffer, size, "the sandbox refused system call #%ld: %s", number, why);
    }
    free(name);
}
