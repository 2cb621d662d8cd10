/*
 * instructions.c — the instruction count of a pair (instructions.h): one
 * steady-state replay, counted by the CPU's counter or by callgrind.
 *
 * Step of the data flow: trace file -> parse -> pair -> child process ->
 * checking pass -> timing [and the instruction count] -> result ->
 * table/CSV/JSON.
 *
 * This file is the parent's side and the choice of counter;
 * instructions_child.c is the counting process.
 *
 * One count, from the parent's side:
 *
 *   parent                                   counting process
 *   ------                                   ----------------
 *   a private folder in $TMPDIR (or /tmp):
 *     ops      the trace's operations, raw
 *   fork, exec -----------------------------> [valgrind --tool=callgrind
 *     this program INSTRUCTIONS_CHILD_FLAG      --collect-atstart=no ...]
 *     METHOD ALLOCATOR MODULE_DIR ops result    this program: main calls
 *   wait, until the deadline                    instructions_child_main():
 *                                                 module_load, read ops,
 *                                                 on a new thread:
 *                                                   warm-up replay, free
 *                                                   what is left (uncounted)
 *                                                   counter on, one replay,
 *                                                   counter off
 *                                                 result: "ok OPS COUNT"
 *                                                 (callgrind: COUNT 0, its
 *                                                 count is in callgrind.out)
 *   read result (and callgrind.out's
 *   `summary:` line), remove the folder
 *
 * Why these choices
 *   - A process of its own, made by exec, not a plain fork: callgrind has to
 *     start the program; and a fresh process starts every allocator the way
 *     the timing runs start it (timing.c says why).
 *   - The operations are handed over raw, not parsed again: the counting
 *     process replays exactly the ops the parent holds (however it parsed
 *     them), and the parser's time stays out of the (slow) callgrind run.
 *   - Collection is switched on by client requests around the measured
 *     replay only (--collect-atstart=no; instrumentation also starts only
 *     there, --instr-atstart=no, so loading and the warm-up run at
 *     valgrind's faster uninstrumented speed): the harness's loading, its
 *     reading of the ops and the warm-up are not counted.
 *   - callgrind, unlike memcheck, does not replace malloc (valgrind ships no
 *     preload library for it), so glibc's baseline runs glibc's own malloc;
 *     the dmm allocators export dmm_malloc, which no tool replaces.
 *   - The replay runs on a thread of its own, as in the timing runs: glibc's
 *     baseline then gets a fresh arena, not the one holding the harness's
 *     memory.
 */
#define _GNU_SOURCE /* syscall, RUSAGE */

#include "instructions.h"

#include "module.h"

#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <linux/perf_event.h>
#include <pthread.h>
#include <signal.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

/* How often the parent looks whether the counting process has ended. */
#define POLL_NS 10000000L /* 10 ms: nothing against a run of a second or more */

/* ---- which counter ------------------------------------------------------------ */

int instructions_perf_open(void)
{
    struct perf_event_attr attr;
    memset(&attr, 0, sizeof attr);
    attr.size = sizeof attr;
    attr.type = PERF_TYPE_HARDWARE;
    attr.config = PERF_COUNT_HW_INSTRUCTIONS;
    attr.disabled = 1;
    attr.exclude_kernel = 1; /* user space only: the allocator's own work */
    attr.exclude_hv = 1;
    /* pid 0, cpu -1: the calling thread, on whichever CPU it runs */
    return (int)syscall(SYS_perf_event_open, &attr, 0, -1, -1, 0);
}

/* 1 when an executable `valgrind` is on PATH. */
static int valgrind_on_path(void)
{
    const char *path = getenv("PATH");
    if (path == NULL || path[0] == '\0')
        return 0;
    while (*path != '\0') {
        size_t length = strcspn(path, ":");
        char candidate[4096];
        int written = snprintf(candidate, sizeof candidate, "%.*s/valgrind", (int)length, path);
        if (length > 0 && written > 0 && (size_t)written < sizeof candidate &&
            access(candidate, X_OK) == 0)
            return 1;
        path += length;
        if (*path == ':')
            path++;
    }
    return 0;
}

enum instructions_method instructions_method(char *error, size_t error_size)
{
    const char *forced = getenv("DMM_INSTRUCTIONS_METHOD");
    int want_perf = forced == NULL || forced[0] == '\0' || strcmp(forced, "perf") == 0;
    int want_callgrind = forced == NULL || forced[0] == '\0' || strcmp(forced, "callgrind") == 0;
    if (!want_perf && !want_callgrind) {
        snprintf(error, error_size,
                 "DMM_INSTRUCTIONS_METHOD is '%s' (valid: perf, callgrind, or unset)", forced);
        return INSTRUCTIONS_NONE;
    }
    if (want_perf) {
        int fd = instructions_perf_open();
        if (fd >= 0) {
            close(fd);
            return INSTRUCTIONS_PERF;
        }
        if (!want_callgrind) {
            snprintf(error, error_size,
                     "--cost instructions: perf_event_open cannot count instructions here (%s)",
                     strerror(errno));
            return INSTRUCTIONS_NONE;
        }
    }
    if (!instructions_callgrind_built()) {
        snprintf(error, error_size,
                 "--cost instructions: no hardware counter here, and dmm was built without "
                 "<valgrind/callgrind.h> (apt-get install valgrind, then build again)");
        return INSTRUCTIONS_NONE;
    }
    if (!valgrind_on_path()) {
        snprintf(error, error_size,
                 "--cost instructions: no hardware counter here, and no valgrind on PATH to "
                 "count with callgrind (apt-get install valgrind)");
        return INSTRUCTIONS_NONE;
    }
    return INSTRUCTIONS_CALLGRIND;
}

const char *instructions_method_name(enum instructions_method method)
{
    switch (method) {
    case INSTRUCTIONS_PERF: return "perf";
    case INSTRUCTIONS_CALLGRIND: return "callgrind";
    default: return "none";
    }
}

/* ---- the parent ------------------------------------------------------------------ */

static double seconds_since(const struct timespec *start)
{
    struct timespec now;
    clock_gettime(CLOCK_MONOTONIC, &now);
    return (double)(now.tv_sec - start->tv_sec) + (double)(now.tv_nsec - start->tv_nsec) / 1e9;
}

/* Marks *count not OK with replay_fail's message shape, no op to blame.
 * Returns -1. */
__attribute__((format(printf, 5, 6)))
static int count_fail(struct instructions_count *count, enum replay_status status,
                      const char *allocator, const struct trace *trace, const char *what, ...)
{
    char text[384];
    va_list args;
    va_start(args, what);
    vsnprintf(text, sizeof text, what, args);
    va_end(args);
    snprintf(count->message, sizeof count->message, "%s on %s: %s", allocator, trace->name,
             text);
    count->status = status;
    return -1;
}

static int write_ops(const char *path, const struct trace *trace)
{
    FILE *out = fopen(path, "wb");
    if (out == NULL)
        return -1;
    uint64_t header[2] = {INSTRUCTIONS_OPS_MAGIC, trace->op_count};
    int ok = fwrite(header, sizeof header, 1, out) == 1 &&
             (trace->op_count == 0 ||
              fwrite(trace->ops, sizeof *trace->ops, trace->op_count, out) == trace->op_count);
    return fclose(out) == 0 && ok ? 0 : -1;
}

/* The events' total in callgrind's output, Ir first: the `totals:` line
 * (the sum of the cost lines), else `summary:`. With collection off at
 * the start, callgrind 3.19 writes `summary: 0` beside the real totals.
 * Returns 0, or -1 when there is neither. */
static int read_callgrind_total(const char *path, uint64_t *total)
{
    FILE *in = fopen(path, "r");
    if (in == NULL)
        return -1;
    char line[1024];
    int found = 0; /* 1: from summary:, 2: from totals: */
    while (found < 2 && fgets(line, sizeof line, in) != NULL) {
        int from_totals = strncmp(line, "totals:", 7) == 0;
        if (!from_totals && (found != 0 || strncmp(line, "summary:", 8) != 0))
            continue;
        const char *value = line + (from_totals ? 7 : 8);
        char *end;
        errno = 0;
        unsigned long long number = strtoull(value, &end, 10);
        if (end != value && errno == 0) {
            *total = number;
            found = from_totals ? 2 : 1;
        }
    }
    fclose(in);
    return found != 0 ? 0 : -1;
}

/* The first line of a file, without its newline, into text ("" if none). */
static void first_line(const char *path, char *text, size_t size)
{
    text[0] = '\0';
    FILE *in = fopen(path, "r");
    if (in == NULL)
        return;
    if (fgets(text, (int)size, in) == NULL)
        text[0] = '\0';
    text[strcspn(text, "\n")] = '\0';
    fclose(in);
}

/* One count in flight: its process and its files, in a private folder. */
struct counting {
    struct instructions_task *task;
    pid_t child;                   /* 0: this slot is free */
    struct timespec start;
    double deadline;               /* seconds after start */
    char folder[4096];
    char ops[4200], result[4200], output[4200], callgrind[4200];
};

static void remove_files(const struct counting *run)
{
    unlink(run->ops);
    unlink(run->result);
    unlink(run->output);
    unlink(run->callgrind);
    rmdir(run->folder);
}

/* Starts the counting process of run->task. Returns 0, or -1 with the
 * task's count failed (and nothing left behind). */
static int start_count(enum instructions_method method, const char *self, double timeout_seconds,
                       struct counting *run)
{
    struct instructions_task *task = run->task;
    struct instructions_count *count = &task->count;
    *count = (struct instructions_count){.status = REPLAY_FAIL, .ops = task->trace->op_count};
    const char *tmp = getenv("TMPDIR");
    if (tmp == NULL || tmp[0] == '\0')
        tmp = "/tmp";
    snprintf(run->folder, sizeof run->folder, "%s/dmm-instructions-XXXXXX", tmp);
    if (mkdtemp(run->folder) == NULL)
        return count_fail(count, REPLAY_FAIL, task->allocator, task->trace,
                          "cannot make a folder in %s: %s", tmp, strerror(errno));
    snprintf(run->ops, sizeof run->ops, "%s/ops", run->folder);
    snprintf(run->result, sizeof run->result, "%s/result", run->folder);
    snprintf(run->output, sizeof run->output, "%s/output", run->folder);
    snprintf(run->callgrind, sizeof run->callgrind, "%s/callgrind.out", run->folder);
    if (write_ops(run->ops, task->trace) != 0) {
        int saved = errno;
        remove_files(run);
        return count_fail(count, REPLAY_FAIL, task->allocator, task->trace,
                          "cannot write %s: %s", run->ops, strerror(saved));
    }

    char out_option[4300];
    snprintf(out_option, sizeof out_option, "--callgrind-out-file=%s", run->callgrind);
    const char *method_name = instructions_method_name(method);
    const char *dir = task->module_dir != NULL ? task->module_dir : "";
    const char *valgrind_argv[] = {"valgrind", "-q", "--tool=callgrind", "--collect-atstart=no",
                                   "--instr-atstart=no", out_option, self,
                                   INSTRUCTIONS_CHILD_FLAG, method_name, task->allocator, dir,
                                   run->ops, run->result, NULL};
    const char *const *child_argv = valgrind_argv;
    if (method == INSTRUCTIONS_PERF)
        child_argv = valgrind_argv + 6; /* the program itself, without valgrind */
    run->deadline = timeout_seconds;
    if (method == INSTRUCTIONS_CALLGRIND)
        run->deadline *= INSTRUCTIONS_SLOWDOWN;

    clock_gettime(CLOCK_MONOTONIC, &run->start);
    fflush(stdout);
    fflush(stderr);
    pid_t child = fork();
    if (child < 0) {
        int saved = errno;
        remove_files(run);
        return count_fail(count, REPLAY_FAIL, task->allocator, task->trace, "cannot fork: %s",
                          strerror(saved));
    }
    if (child == 0) {
        /* Nothing on the tool's own output: valgrind's and the module's
         * words go to a file, whose first line a failure quotes. The
         * process stays in the tool's process group, so a Ctrl-C reaches
         * it too. */
        int output = open(run->output, O_WRONLY | O_CREAT | O_TRUNC, 0600);
        int nothing = open("/dev/null", O_RDONLY);
        if (output >= 0) {
            dup2(output, STDOUT_FILENO);
            dup2(output, STDERR_FILENO);
        }
        if (nothing >= 0)
            dup2(nothing, STDIN_FILENO);
        sigaction(SIGCHLD, &(struct sigaction){.sa_handler = SIG_DFL}, NULL);
        sigset_t none;
        sigemptyset(&none);
        sigprocmask(SIG_SETMASK, &none, NULL);
        if (task->policy != NULL) /* the placement policy, read by the module (policy.h) */
            setenv("DMM_POLICY", task->policy, 1);
        execvp(child_argv[0], (char *const *)child_argv);
        fprintf(stderr, "cannot run %s: %s\n", child_argv[0], strerror(errno));
        _exit(127);
    }
    run->child = child;
    return 0;
}

/* Reads what the ended (or killed: ended 0) counting process left, into
 * its task's count. Returns 0 when there is a count, else -1. */
static int finish_count(enum instructions_method method, struct counting *run, int ended,
                        int status)
{
    struct instructions_task *task = run->task;
    struct instructions_count *count = &task->count;
    const char *allocator = task->allocator;
    const struct trace *trace = task->trace;
    const char *method_name = instructions_method_name(method);
    count->seconds = seconds_since(&run->start);
    if (!ended)
        return count_fail(count, REPLAY_TIMEOUT, allocator, trace,
                          "no answer after %g s in the instruction count (%s)", run->deadline,
                          method_name);

    char said[400];
    first_line(run->result, said, sizeof said);
    if (WIFSIGNALED(status)) {
        int signal_number = WTERMSIG(status);
        const char *abbreviation = sigabbrev_np(signal_number);
        return count_fail(count, REPLAY_CRASH, allocator, trace,
                          "crashed with SIG%s (%s) in the instruction count (%s)",
                          abbreviation != NULL ? abbreviation : "?", strsignal(signal_number),
                          method_name);
    }
    if (strncmp(said, "fail ", 5) == 0)
        return count_fail(count, REPLAY_FAIL, allocator, trace, "%s", said + 5);
    uint64_t ops = 0, counted = 0;
    if (!WIFEXITED(status) || WEXITSTATUS(status) != 0 ||
        sscanf(said, "ok %" SCNu64 " %" SCNu64, &ops, &counted) != 2) {
        char output[300];
        first_line(run->output, output, sizeof output);
        return count_fail(count, REPLAY_FAIL, allocator, trace,
                          "the instruction count (%s) ended with status %d without a count%s%s",
                          method_name, WIFEXITED(status) ? WEXITSTATUS(status) : -1,
                          output[0] != '\0' ? ": " : "", output);
    }
    if (ops != trace->op_count)
        return count_fail(count, REPLAY_FAIL, allocator, trace,
                          "the instruction count replayed %" PRIu64 " ops, not %zu", ops,
                          trace->op_count);
    if (method == INSTRUCTIONS_CALLGRIND && read_callgrind_total(run->callgrind, &counted) != 0)
        return count_fail(count, REPLAY_FAIL, allocator, trace,
                          "callgrind wrote no total to %s", run->callgrind);
    count->instructions = counted;
    count->per_op = ops != 0 ? (double)counted / (double)ops : 0.0;
    count->status = REPLAY_OK;
    return 0;
}

/* Ends a counting process past its deadline (or that cannot be waited
 * for), leaving no zombie; *status as waitpid gives it. */
static void kill_count(struct counting *run, int *status)
{
    kill(run->child, SIGKILL);
    while (waitpid(run->child, status, 0) < 0 && errno == EINTR)
        continue;
}

size_t instructions_measure_many(struct instructions_task *tasks, size_t task_count,
                                 unsigned parallel, double timeout_seconds, int show_progress)
{
    char why[400];
    enum instructions_method method = instructions_method(why, sizeof why);
    char self[4096];
    ssize_t length = readlink("/proc/self/exe", self, sizeof self - 1);
    if (length > 0)
        self[length] = '\0';
    size_t failed = 0;
    if (method == INSTRUCTIONS_NONE || length <= 0) {
        for (size_t i = 0; i < task_count; i++) {
            struct instructions_task *task = &tasks[i];
            task->count = (struct instructions_count){.ops = task->trace->op_count};
            if (method == INSTRUCTIONS_NONE)
                count_fail(&task->count, REPLAY_FAIL, task->allocator, task->trace, "%s", why);
            else
                count_fail(&task->count, REPLAY_FAIL, task->allocator, task->trace,
                           "cannot find this program to count with (/proc/self/exe)");
        }
        return task_count;
    }

    if (parallel < 1)
        parallel = 1;
    if (parallel > task_count)
        parallel = task_count > 0 ? (unsigned)task_count : 1;
    struct counting *runs = calloc(parallel, sizeof *runs);
    if (runs == NULL) {
        for (size_t i = 0; i < task_count; i++) {
            struct instructions_task *task = &tasks[i];
            task->count = (struct instructions_count){.ops = task->trace->op_count};
            count_fail(&task->count, REPLAY_FAIL, task->allocator, task->trace,
                       "the harness ran out of memory");
        }
        return task_count;
    }

    size_t next = 0, running = 0;
    while (next < task_count || running > 0) {
        for (unsigned r = 0; r < parallel && next < task_count; r++) {
            if (runs[r].child != 0)
                continue;
            struct instructions_task *task = &tasks[next];
            if (show_progress) {
                const char *base = strrchr(task->trace->path, '/');
                fprintf(stderr, "\rinstructions %zu/%zu: %s on %s\033[K", next + 1, task_count,
                        task->allocator, base != NULL ? base + 1 : task->trace->path);
            }
            runs[r] = (struct counting){.task = task};
            next++;
            if (start_count(method, self, timeout_seconds, &runs[r]) != 0)
                failed++;
            else
                running++;
        }
        int any_ended = 0;
        for (unsigned r = 0; r < parallel; r++) {
            struct counting *run = &runs[r];
            if (run->child == 0)
                continue;
            int status = 0;
            pid_t done = waitpid(run->child, &status, WNOHANG);
            int ended = done == run->child;
            if (!ended && done == 0 && seconds_since(&run->start) < run->deadline)
                continue; /* still counting, in time */
            if (!ended)
                kill_count(run, &status);
            if (finish_count(method, run, ended, status) != 0)
                failed++;
            remove_files(run);
            run->child = 0;
            running--;
            any_ended = 1;
        }
        if (!any_ended && running > 0)
            nanosleep(&(struct timespec){.tv_nsec = POLL_NS}, NULL);
    }
    if (show_progress)
        fprintf(stderr, "\r\033[K");
    free(runs);
    return failed;
}

int instructions_measure(const char *allocator, const char *module_dir, const struct trace *trace,
                         double timeout_seconds, struct instructions_count *count)
{
    struct instructions_task task = {.allocator = allocator, .module_dir = module_dir,
                                     .trace = trace};
    size_t failed = instructions_measure_many(&task, 1, 1, timeout_seconds, 0);
    *count = task.count;
    return failed == 0 ? 0 : -1;
}

/* ---- the runner's hook ------------------------------------------------------------- */

int instructions_run(const struct runner_plan *plan, struct runner_pair *pairs, size_t total)
{
    struct instructions_task *tasks = calloc(total != 0 ? total : 1, sizeof *tasks);
    size_t *pair_of = calloc(total != 0 ? total : 1, sizeof *pair_of);
    if (tasks == NULL || pair_of == NULL) {
        free(tasks);
        free(pair_of);
        errno = ENOMEM;
        return -1;
    }
    size_t count = 0;
    for (size_t i = 0; i < total; i++) {
        if (pairs[i].result.status != REPLAY_OK)
            continue;
        tasks[count] = (struct instructions_task){.allocator = pairs[i].allocator,
                                                  .module_dir = plan->module_dir,
                                                  .trace = pairs[i].trace,
                                                  .policy = pairs[i].policy};
        pair_of[count++] = i;
    }
    instructions_measure_many(tasks, count, plan->jobs, plan->timeout_seconds,
                              plan->show_progress);
    for (size_t k = 0; k < count; k++) {
        struct replay_result *result = &pairs[pair_of[k]].result;
        const struct instructions_count *counted = &tasks[k].count;
        if (counted->status == REPLAY_OK) {
            result->instr_per_op = counted->per_op;
        } else {
            result->status = counted->status;
            snprintf(result->message, sizeof result->message, "%s", counted->message);
        }
    }
    free(tasks);
    free(pair_of);
    return 0;
}
