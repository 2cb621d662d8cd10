/*
 * build.c — building each submission (found by submissions.c) into a
 * module the runner can load, with the static checks of build_checks.c in
 * between (docs/grading.md, "Submissions and their build").
 *
 * The idea
 *   A submission is untrusted C. It is compiled alone, by the same flags a
 *   student types (grade_build_command prints them), in a child process
 *   with limits; what it includes is checked before the compiler's output
 *   can show any of it; what the object calls, the instructions it holds,
 *   the sections it has and the assembly in its source are checked before
 *   it is ever linked, let alone run. Only then is it linked with dmm's
 *   calloc.c and heap.c.
 *
 *   grade_build runs one worker process per student, `jobs` at a time; a
 *   worker runs the steps of one build in order, each tool in its own child
 *   (build_run), and leaves its verdict in a slot of a shared mapping. The
 *   parent copies the verdicts into the students, so nothing a worker does
 *   (crash, hang, fill the disk) touches the grader's own state.
 *
 * Files in each student's work_dir: build-includes.d (the preprocessor's
 * dependency list), build.log (the compiler's output), ID.o, the tools'
 * outputs (build-*.txt), build-link.log and libdmm-ID.so. dmm's own calloc.c and heap.c are
 * compiled once per grade_build into OUT/dmm-objects/: they are the same
 * for every student, and compiling them 500 times would double the build.
 */
#define _GNU_SOURCE /* getline, setenv, strsignal under -std=c17 */

#include "grade.h"

#include "build_checks.h"

#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/resource.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

/* The flags of every build, in one place: the includes check (with -M),
 * the compile (with -c) and the one-line command students type (with
 * -shared, all three files at once). No -Werror: warnings are counted and
 * shown in the feedback, not fatal. Followed by -I DMM/allocators and
 * -DDMM_HEAP_SIMULATED (add_flags). */
static const char *const build_flags[] = {"-std=c17", "-O2", "-g", "-fPIC", "-Wall", "-Wextra"};
#define BUILD_FLAG_COUNT (sizeof build_flags / sizeof build_flags[0])

#define LOG_CAP ((size_t)64 * 1024) /* bytes of compiler output kept per student */

/* A command line being built: the compiler's words, then arguments. */
struct command {
    char compiler[1024]; /* a copy of the compiler string, cut into words */
    const char *argv[64];
    size_t count;
};

static void command_add(struct command *command, const char *word)
{
    if (command->count + 1 < sizeof command->argv / sizeof command->argv[0])
        command->argv[command->count++] = word;
    command->argv[command->count] = NULL;
}

/* The compiler string is cut on blanks, so "ccache gcc" works; "" is cc. */
static void command_start(struct command *command, const char *compiler)
{
    command->count = 0;
    command->argv[0] = NULL;
    snprintf(command->compiler, sizeof command->compiler, "%s",
             compiler != NULL && *compiler != '\0' ? compiler : "cc");
    for (char *word = strtok(command->compiler, " \t"); word != NULL; word = strtok(NULL, " \t"))
        command_add(command, word);
    if (command->count == 0)
        command_add(command, "cc");
}

static void add_flags(struct command *command, const char *allocators)
{
    for (size_t i = 0; i < BUILD_FLAG_COUNT; i++)
        command_add(command, build_flags[i]);
    command_add(command, "-I");
    command_add(command, allocators);
    command_add(command, "-DDMM_HEAP_SIMULATED");
}

/* ---- running the tools ---------------------------------------------------- */

static void child_limits(void)
{
    static const struct {
        int resource;
        rlim_t value;
    } limits[] = {
        {RLIMIT_CPU, 60},                        /* seconds: a compiler that loops */
        {RLIMIT_FSIZE, (rlim_t)256 << 20},       /* 256 MiB: an object that fills the disk */
        {RLIMIT_AS, (rlim_t)4 << 30},            /* 4 GiB: a template that explodes */
        {RLIMIT_CORE, 0},                        /* a crashing tool leaves no core file */
    };
    for (size_t i = 0; i < sizeof limits / sizeof limits[0]; i++)
        setrlimit(limits[i].resource, &(struct rlimit){limits[i].value, limits[i].value});
}

static int redirect(const char *path, int fd)
{
    int opened = open(path != NULL ? path : "/dev/null", O_WRONLY | O_CREAT | O_TRUNC, 0644);
    if (opened < 0 || dup2(opened, fd) < 0)
        return -1;
    close(opened);
    return 0;
}

int build_run(char *const argv[], const char *out_path, const char *err_path, int *status)
{
    fflush(NULL); /* the child must not write the parent's buffers again */
    pid_t pid = fork();
    if (pid < 0)
        return -1;
    if (pid == 0) {
        setpgid(0, 0); /* the compiler's own children (cc1, as, ld) die with it */
        int in = open("/dev/null", O_RDONLY);
        if (in < 0 || dup2(in, 0) < 0 || redirect(out_path, 1) != 0)
            _exit(127);
        if (err_path != NULL && out_path != NULL && strcmp(err_path, out_path) == 0) {
            if (dup2(1, 2) < 0)
                _exit(127);
        } else if (redirect(err_path, 2) != 0) {
            _exit(127);
        }
        setenv("LC_ALL", "C", 1); /* plain quotes in messages, the same words to parse */
        child_limits(); /* last: nothing of ours allocates under them */
        execvp(argv[0], argv);
        _exit(127); /* the shell's "command not found" */
    }
    setpgid(pid, pid); /* both sides, so a kill never misses the group */
    struct timespec start, now, pause = {0, 1000000}; /* 1 ms, growing to 20 ms */
    clock_gettime(CLOCK_MONOTONIC, &start);
    for (;;) {
        pid_t done = waitpid(pid, status, WNOHANG);
        if (done == pid)
            return 0;
        if (done < 0 && errno != EINTR)
            return -1;
        clock_gettime(CLOCK_MONOTONIC, &now);
        if (now.tv_sec - start.tv_sec >= BUILD_WALL_SECONDS) {
            kill(-pid, SIGKILL);
            kill(pid, SIGKILL);
            while (waitpid(pid, status, 0) < 0 && errno == EINTR)
                ;
            *status = BUILD_TIMED_OUT;
            return 0;
        }
        nanosleep(&pause, NULL);
        if (pause.tv_nsec < 20000000)
            pause.tv_nsec += 1000000;
    }
}

void build_describe_status(int status, const char *what, char *buffer, size_t size)
{
    if (status == BUILD_TIMED_OUT)
        snprintf(buffer, size, "%s was killed after %d s", what, BUILD_WALL_SECONDS);
    else if (WIFSIGNALED(status) && WTERMSIG(status) == SIGXCPU)
        snprintf(buffer, size, "%s used its 60 s of CPU time", what);
    else if (WIFSIGNALED(status))
        snprintf(buffer, size, "%s was killed by signal %d (%s)", what, WTERMSIG(status),
                 strsignal(WTERMSIG(status)));
    else if (WEXITSTATUS(status) == 127)
        snprintf(buffer, size, "%s could not be started (exit status 127: not found?)", what);
    else
        snprintf(buffer, size, "%s exited with status %d", what, WEXITSTATUS(status));
}

static int run_ok(int status)
{
    return status != BUILD_TIMED_OUT && WIFEXITED(status) && WEXITSTATUS(status) == 0;
}

/* mkdir -p: every missing folder of path. */
static int make_folders(const char *path)
{
    char copy[4096];
    snprintf(copy, sizeof copy, "%s", path);
    for (char *p = copy + 1; *p != '\0'; p++) {
        if (*p != '/')
            continue;
        *p = '\0';
        if (mkdir(copy, 0755) != 0 && errno != EEXIST)
            return -1;
        *p = '/';
    }
    return mkdir(copy, 0755) != 0 && errno != EEXIST ? -1 : 0;
}

/* The whole file, NUL-terminated, at most cap bytes and then "[... cut]";
 * NULL when it is missing or empty. */
static char *read_capped(const char *path, size_t cap)
{
    FILE *file = fopen(path, "rb");
    if (file == NULL)
        return NULL;
    static const char cut[] = "\n[... cut]\n";
    char *text = malloc(cap + sizeof cut);
    size_t got = text != NULL ? fread(text, 1, cap, file) : 0;
    int more = got == cap && fgetc(file) != EOF;
    fclose(file);
    if (text == NULL || got == 0) {
        free(text);
        return NULL;
    }
    memcpy(text + got, more ? cut : "", more ? sizeof cut : 1);
    return text;
}

/* ---- one student's build (in its worker process) ------------------------- */

/* What a worker hands back through the shared mapping. */
struct verdict {
    int done;                     /* 1 once the worker has decided */
    enum grade_build_status build;
    unsigned warnings;
    char message[512];
};

/* The first line of path that contains one of the needles, into buffer. */
static int first_line_with(const char *path, const char *const *needles, char *buffer,
                           size_t size, unsigned *warnings)
{
    FILE *file = fopen(path, "r");
    char *line = NULL;
    size_t capacity = 0;
    int found = 0;
    for (ssize_t n; file != NULL && (n = getline(&line, &capacity, file)) > 0;) {
        if (warnings != NULL && strstr(line, ": warning:") != NULL)
            (*warnings)++;
        for (size_t i = 0; !found && needles[i] != NULL; i++)
            if (strstr(line, needles[i]) != NULL) {
                line[strcspn(line, "\n")] = '\0';
                snprintf(buffer, size, "%s", line);
                found = 1;
            }
    }
    free(line);
    if (file != NULL)
        fclose(file);
    return found;
}

/* Runs one step of a build; 0, or -1 with the verdict's message set when
 * the step could not even start. */
static int run_step(const struct command *command, const char *out, const char *err,
                    const char *what, struct verdict *verdict, int *status)
{
    if (build_run((char *const *)command->argv, out, err, status) == 0)
        return 0;
    snprintf(verdict->message, sizeof verdict->message, "cannot start %s: %s", what,
             strerror(errno));
    return -1;
}

/* The compiler with the build's flags, then the given arguments. */
static void compile_command(struct command *command, const struct build_job *job,
                            const char *const *arguments, size_t count)
{
    command_start(command, job->options->compiler);
    add_flags(command, job->allocators);
    for (size_t i = 0; i < count; i++)
        command_add(command, arguments[i]);
}

static void build_one(struct build_job *job, const char *shared, struct verdict *verdict)
{
    const struct grade_student *student = job->student;
    const char *dir = student->work_dir, *id = student->id;
    char deps[4200], log[4200], object[4200], link_log[4200], module[4200];
    char calloc_o[4200], heap_o[4200], expanded[4200];
    snprintf(deps, sizeof deps, "%s/build-includes.d", dir);
    snprintf(log, sizeof log, "%s/build.log", dir);
    snprintf(object, sizeof object, "%s/%s.o", dir, id);
    snprintf(link_log, sizeof link_log, "%s/build-link.log", dir);
    snprintf(module, sizeof module, "%s/libdmm-%s.so", dir, id);
    snprintf(calloc_o, sizeof calloc_o, "%s/calloc.o", shared);
    snprintf(heap_o, sizeof heap_o, "%s/heap.o", shared);
    snprintf(expanded, sizeof expanded, "%s/%s.i", dir, id);
    verdict->build = BUILD_FAILED;
    if (make_folders(dir) != 0) {
        snprintf(verdict->message, sizeof verdict->message, "cannot create %.400s: %s", dir,
                 strerror(errno));
        return;
    }
    unlink(module), unlink(object), unlink(log), unlink(link_log); /* no stale verdicts */
    struct command command;
    int status;

    /* a. Includes: the preprocessor's list, its stderr never kept (a hostile
     * #include "/etc/shadow" would show its lines there). -MG lists a
     * missing header instead of stopping, so the list is whole. A -M that
     * fails otherwise is no refusal: the compile fails too, and says why. */
    const char *list[] = {"-M", "-MG", "-MT", "dmm-deps", student->source};
    compile_command(&command, job, list, 5);
    if (run_step(&command, deps, NULL, "the compiler", verdict, &status) != 0)
        return;
    if (status == BUILD_TIMED_OUT || WIFSIGNALED(status)) {
        build_describe_status(status, "the preprocessor", verdict->message,
                              sizeof verdict->message);
        return;
    }
    if (build_check_includes(job, deps) != 0) {
        verdict->build = BUILD_REFUSED;
        memcpy(verdict->message, job->message, sizeof verdict->message);
        return;
    }

    /* b. Compile the source alone; the log is the feedback's. */
    const char *compile[] = {"-c", "-o", object, student->source};
    compile_command(&command, job, compile, 4);
    if (run_step(&command, log, log, "the compiler", verdict, &status) != 0)
        return;
    static const char *const errors[] = {": error:", ": fatal error:", NULL};
    int has_error = first_line_with(log, errors, verdict->message, sizeof verdict->message,
                                    &verdict->warnings);
    if (!run_ok(status)) {
        if (!has_error || status == BUILD_TIMED_OUT || WIFSIGNALED(status))
            build_describe_status(status, "the compiler", verdict->message,
                                  sizeof verdict->message);
        return;
    }
    verdict->message[0] = '\0';

    /* c. What it defines (always), then the static checks (unless the
     * instructor turned them off to watch the sandbox instead). */
    int checked = build_check_definitions(job, object);
    if (checked == 0 && job->options->check_symbols) {
        /* The preprocessed source, for the inline assembly check; its
         * includes are vetted, so its messages could show nothing new. */
        const char *expand[] = {"-E", "-o", expanded, student->source};
        compile_command(&command, job, expand, 4);
        if (run_step(&command, NULL, NULL, "the compiler", verdict, &status) != 0)
            return;
        checked = build_check_object(job, object, expanded);
        unlink(expanded); /* the headers' text, 100 KiB a student: no one reads it */
        if (checked > 0)
            verdict->build = BUILD_REFUSED; /* compiled, but a check said no */
    }
    if (checked != 0) {
        memcpy(verdict->message, job->message, sizeof verdict->message);
        return;
    }

    /* d. Link with dmm's calloc.c and heap.c (compiled once, in shared/). */
    command_start(&command, job->options->compiler);
    const char *link[] = {"-shared", "-o", module, object, calloc_o, heap_o};
    for (size_t i = 0; i < 6; i++)
        command_add(&command, link[i]);
    if (run_step(&command, link_log, link_log, "the linker", verdict, &status) != 0)
        return;
    if (!run_ok(status)) {
        /* ld's own line says what ("multiple definition of `dmm_calloc'"),
         * collect2's "ld returned 1 exit status" does not. */
        static const char *const link_errors[] = {"multiple definition", "undefined reference",
                                                  "error", NULL};
        if (!first_line_with(link_log, link_errors, verdict->message, sizeof verdict->message,
                             NULL))
            build_describe_status(status, "the linker", verdict->message,
                                  sizeof verdict->message);
        return;
    }
    verdict->build = BUILD_OK;
}

/* ---- the whole class ------------------------------------------------------ */

/* dmm's calloc.c and heap.c, with the students' flags, into shared/. A
 * compiler that cannot be started is the instructor's problem: -1. */
static int build_dmm_objects(const struct grade_build_options *options, const char *allocators,
                             const char *shared, char *problem, size_t size)
{
    static const char *const parts[] = {"calloc", "heap"};
    if (make_folders(shared) != 0)
        return -1;
    for (size_t i = 0; i < 2; i++) {
        char source[4200], object[4200], log[4200];
        snprintf(source, sizeof source, "%s/%s.c", allocators, parts[i]);
        snprintf(object, sizeof object, "%s/%s.o", shared, parts[i]);
        snprintf(log, sizeof log, "%s/%s.log", shared, parts[i]);
        struct command command;
        int status;
        command_start(&command, options->compiler);
        add_flags(&command, allocators);
        command_add(&command, "-c");
        command_add(&command, "-o");
        command_add(&command, object);
        command_add(&command, source);
        if (build_run((char *const *)command.argv, log, log, &status) != 0)
            return -1;
        if (status != BUILD_TIMED_OUT && WIFEXITED(status) && WEXITSTATUS(status) == 127) {
            errno = ENOENT; /* the compiler itself is not there */
            return -1;
        }
        if (!run_ok(status) && problem[0] == '\0')
            snprintf(problem, size, "dmm's %.200s does not compile with this compiler (see %.200s)",
                     source, log);
    }
    return 0;
}

/* OUT/dmm-objects, OUT taken from work_dir = OUT/students/ID. */
static void shared_folder(const struct grade_student *student, char *buffer, size_t size)
{
    char out[4096];
    snprintf(out, sizeof out, "%s", student->work_dir);
    for (int up = 0; up < 2; up++) {
        char *slash = strrchr(out, '/');
        if (slash == NULL) {
            snprintf(out, sizeof out, ".");
            break;
        }
        *slash = '\0';
        if (out[0] == '\0')
            snprintf(out, sizeof out, "/");
    }
    snprintf(buffer, size, "%.4000s/dmm-objects", out);
}

/* Copies a finished worker's verdict into its student. */
static void collect(struct grade_student *student, const struct verdict *verdict, int status)
{
    student->warnings = verdict->warnings;
    if (!verdict->done) {
        student->build = BUILD_FAILED;
        build_describe_status(status, "the build", student->build_message,
                              sizeof student->build_message);
    } else {
        student->build = verdict->build;
        snprintf(student->build_message, sizeof student->build_message, "%s", verdict->message);
    }
    student->module_path[0] = '\0';
    if (student->build == BUILD_OK)
        snprintf(student->module_path, sizeof student->module_path, "%.3900s/libdmm-%s.so",
                 student->work_dir, student->id); /* submissions.c kept it shorter */
    /* The compiler's output and the linker's, the feedback's "build" part;
     * none when the includes check refused (the compiler never ran). */
    char path[4200];
    free(student->build_log);
    snprintf(path, sizeof path, "%s/build.log", student->work_dir);
    student->build_log = read_capped(path, LOG_CAP);
    snprintf(path, sizeof path, "%s/build-link.log", student->work_dir);
    char *link = read_capped(path, LOG_CAP);
    if (link != NULL) {
        size_t have = student->build_log != NULL ? strlen(student->build_log) : 0;
        char *both = realloc(student->build_log, have + strlen(link) + 1);
        if (both != NULL) {
            strcpy(both + have, link);
            student->build_log = both;
        }
        free(link);
    }
}

int grade_build(const struct grade_build_options *options, struct grade_student *students,
                size_t count)
{
    if (count == 0)
        return 0;
    struct build_job job = {.options = options};
    snprintf(job.allocators, sizeof job.allocators, "%s/allocators",
             options->dmm_dir != NULL ? options->dmm_dir : DMM_SOURCE_DIR);
    char shared[4096], problem[512] = "";
    shared_folder(&students[0], shared, sizeof shared);
    if (build_dmm_objects(options, job.allocators, shared, problem, sizeof problem) != 0)
        return -1;
    if (problem[0] != '\0') {
        for (size_t i = 0; i < count; i++) {
            students[i].build = BUILD_FAILED;
            snprintf(students[i].build_message, sizeof students[i].build_message, "%s", problem);
        }
        return 0;
    }
    struct verdict *verdicts = mmap(NULL, count * sizeof *verdicts, PROT_READ | PROT_WRITE,
                                    MAP_SHARED | MAP_ANONYMOUS, -1, 0);
    unsigned jobs = options->jobs > 0 ? options->jobs : 1;
    pid_t *running = calloc(jobs, sizeof *running);
    size_t *which = calloc(jobs, sizeof *which);
    if (verdicts == MAP_FAILED || running == NULL || which == NULL) {
        if (verdicts != MAP_FAILED)
            munmap(verdicts, count * sizeof *verdicts);
        free(running), free(which);
        errno = ENOMEM;
        return -1;
    }
    size_t next = 0, active = 0, built = 0;
    int result = 0;
    while (built < count) {
        /* Start workers while there are slots and students. */
        for (unsigned slot = 0; slot < jobs && next < count; slot++) {
            if (running[slot] != 0)
                continue;
            fflush(NULL);
            pid_t pid = fork();
            if (pid < 0)
                break; /* try again when a worker ends */
            if (pid == 0) {
                job.student = &students[next];
                build_one(&job, shared, &verdicts[next]);
                verdicts[next].done = 1;
                _exit(0);
            }
            running[slot] = pid, which[slot] = next++, active++;
        }
        if (active == 0) { /* not one worker could be started */
            result = -1;
            break;
        }
        /* Wait for our own workers only: the caller may have other children. */
        int reaped = 0;
        for (unsigned slot = 0; slot < jobs; slot++) {
            int status;
            if (running[slot] == 0 || waitpid(running[slot], &status, WNOHANG) != running[slot])
                continue;
            collect(&students[which[slot]], &verdicts[which[slot]], status);
            running[slot] = 0, active--, built++, reaped = 1;
        }
        if (!reaped)
            nanosleep(&(struct timespec){0, 5000000}, NULL); /* 5 ms: a build takes ~100 */
    }
    int saved = errno;
    munmap(verdicts, count * sizeof *verdicts);
    free(running), free(which);
    errno = saved;
    return result;
}

/* ---- the command a student types ------------------------------------------ */

/* Appends word to buffer, in single quotes when a shell would read it. */
static void append_word(char *buffer, size_t size, const char *word)
{
    size_t used = strlen(buffer);
    int plain = *word != '\0' && strspn(word, "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz"
                                              "0123456789_./=+-:,@%") == strlen(word);
    if (used > 0 && used + 1 < size)
        buffer[used++] = ' ', buffer[used] = '\0';
    if (plain) {
        snprintf(buffer + used, size - used, "%s", word);
        return;
    }
    if (used + 1 < size)
        buffer[used++] = '\'';
    for (const char *p = word; *p != '\0' && used + 5 < size; p++) {
        if (*p == '\'') { /* close the quotes, an escaped quote, reopen */
            memcpy(buffer + used, "'\\''", 4);
            used += 4;
        } else {
            buffer[used++] = *p;
        }
    }
    if (used + 1 < size)
        buffer[used++] = '\'';
    buffer[used] = '\0';
}

void grade_build_command(const char *dmm_dir, const char *compiler, const char *source,
                         const char *module, char *buffer, size_t size)
{
    char allocators[4200], calloc_c[4300], heap_c[4300];
    snprintf(allocators, sizeof allocators, "%s/allocators", dmm_dir);
    snprintf(calloc_c, sizeof calloc_c, "%s/calloc.c", allocators);
    snprintf(heap_c, sizeof heap_c, "%s/heap.c", allocators);
    struct command command;
    command_start(&command, compiler);
    add_flags(&command, allocators);
    const char *rest[] = {"-shared", "-o", module, source, calloc_c, heap_c};
    for (size_t i = 0; i < 6; i++)
        command_add(&command, rest[i]);
    if (size == 0)
        return;
    buffer[0] = '\0';
    for (size_t i = 0; i < command.count; i++)
        append_word(buffer, size, command.argv[i]);
}
