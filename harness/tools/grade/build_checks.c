/*
 * build_checks.c — what is checked in a submission before it ever runs
 * (docs/grading.md, "The static checks").
 *
 * The idea
 *   An allocator gets memory from the heap section and from nowhere else,
 *   and needs nothing of the operating system besides. So the compiled
 *   object may call only a short list of functions (the table below), may
 *   not hold a system call instruction of its own, and may not run code
 *   when it is loaded; its source may include only the C library's headers
 *   and dmm's, and holds no inline assembly. Each refusal names what it
 *   found and why, in words an instructor can forward to the student.
 *
 *   These checks catch mistakes and casual attempts early, with a clear
 *   reason. They are not the guard: a determined student can hide an
 *   instruction from a disassembler, so the sandbox (sandbox.h) watches the
 *   module at run time whatever these say.
 *
 * The includes check runs first and on its own: its refusal never shows
 * the preprocessor's messages, which quote the lines of the file included
 * (a hostile #include "/etc/shadow" would otherwise print it).
 */
#define _GNU_SOURCE /* getline, strdup under -std=c17 */

#include "build_checks.h"

#include <ctype.h>
#include <errno.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>

/* ---- the allowlist, and the reasons for the rest ------------------------- */

/* Every symbol a submission may leave undefined, and the families of those
 * it may not, each with the reason a refusal gives. One table: the docs
 * (docs/grading.md) copy it, the check reads it. An undefined symbol in no
 * family is refused as "not on the allowlist". */
static const struct symbol_family {
    int allowed;
    const char *reason; /* allowed: why (for the docs); refused: the refusal's words */
    const char *names;  /* separated by blanks */
} symbol_families[] = {
    {1, "the heap section: where an allocator's memory comes from",
     "heap_start heap_break heap_brk heap_grow heap_map heap_unmap heap_remap heap_stats "
     "heap_reset heap_page_size"},
    {1, "dmm's shared calloc (allocators/calloc.c)", "dmm_calloc"},
    {1, "string.h's memory and string functions (the compiler also calls these for copies)",
     "memcpy memmove memset memcmp memchr strlen strcmp strncmp strcpy strncpy strchr"},
    {1, "stopping on detected corruption, assert", "abort __assert_fail"},
    {1, "the compiler's and the C library's own: stack protector, errno, PIC, thread-locals",
     "__stack_chk_fail __errno_location _GLOBAL_OFFSET_TABLE_ __tls_get_addr"},
    {1, "debugging output on stdout and stderr (printf is compiled to puts or fwrite; "
        "write(2) too: the sandbox lets it reach only the standard streams)",
     "write printf fprintf vprintf vfprintf puts fputs putchar putc fputc fwrite fflush stdout "
     "stderr snprintf sprintf vsnprintf vsprintf __printf_chk __fprintf_chk __vprintf_chk "
     "__vfprintf_chk __snprintf_chk __sprintf_chk __vsnprintf_chk __vsprintf_chk"},
    {1, "the fortified string functions (_FORTIFY_SOURCE)",
     "__memcpy_chk __memset_chk __memmove_chk __strcpy_chk __strncpy_chk"},
    {1, "the page size", "sysconf getpagesize"},
    {1, "the placement policy (allocators/policy.h): DMM_POLICY", "getenv strcspn"},
    {0, "the harness's hooks on the heap section: it watches your allocator through them",
     "heap_set_observer heap_set_call_observer"},
    {0, "gets memory outside the heap section: use heap_grow/heap_map",
     "malloc calloc realloc reallocarray free posix_memalign aligned_alloc memalign valloc "
     "pvalloc strdup strndup brk sbrk mmap mmap64 munmap mremap mprotect madvise"},
    {0, "touches files",
     "open open64 openat openat64 creat creat64 close read pread pread64 pwrite pwrite64 "
     "readv writev lseek lseek64 fopen fopen64 freopen fdopen fclose fread fgets fgetc getc "
     "fscanf scanf getline tmpfile mkstemp unlink unlinkat remove rename renameat mkdir "
     "rmdir chmod chown truncate ftruncate stat fstat lstat access opendir readdir dup dup2 "
     "dup3 pipe pipe2 ioctl fcntl sendfile splice memfd_create"},
    {0, "starts processes",
     "fork vfork clone clone3 execve execveat execl execle execlp execv execvp execvpe fexecve "
     "system popen pclose posix_spawn posix_spawnp wait waitpid"},
    {0, "ends the process", "exit _exit _Exit quick_exit atexit at_quick_exit"},
    {0, "uses the network",
     "socket socketpair connect bind listen accept accept4 send sendto sendmsg recv recvfrom "
     "recvmsg getaddrinfo gethostbyname"},
    {0, "loads code at run time", "dlopen dlmopen dlsym dlvsym dlclose"},
    {0, "makes system calls itself: only the heap section may", "syscall"},
    {0, "handles or sends signals",
     "signal sigaction sigprocmask raise kill tgkill pthread_kill alarm setitimer"},
    {0, "starts threads", "pthread_create thrd_create"},
    {0, "changes the process itself", "prctl setrlimit prlimit ptrace chdir chroot setuid setgid"},
};
#define FAMILY_COUNT (sizeof symbol_families / sizeof symbol_families[0])
#define NOT_LISTED FAMILY_COUNT /* the family index of a symbol in no family */

static int in_words(const char *words, const char *name)
{
    size_t length = strlen(name);
    for (const char *p = words; (p = strstr(p, name)) != NULL; p += length)
        if ((p == words || p[-1] == ' ') && (p[length] == ' ' || p[length] == '\0'))
            return 1;
    return 0;
}

/* The family of an undefined symbol; NOT_LISTED when none; -1 allowed by
 * the configuration (`allow NAME`). */
static long family_of(const struct grade_build_options *options, const char *name)
{
    for (size_t i = 0; i < options->allow_count; i++)
        if (strcmp(options->allow[i], name) == 0)
            return -1;
    for (size_t i = 0; i < FAMILY_COUNT; i++)
        if (in_words(symbol_families[i].names, name))
            return (long)i;
    return NOT_LISTED;
}

/* ---- a one-line message, appended to ------------------------------------- */

/* Appends a, b and c (NULL: nothing) to message, cut at its size. */
static void say(char *message, size_t size, const char *a, const char *b, const char *c)
{
    size_t used = strlen(message);
    const char *parts[] = {a, b, c};
    for (size_t i = 0; i < 3; i++)
        for (const char *p = parts[i]; p != NULL && *p != '\0' && used + 1 < size; p++)
            message[used++] = *p;
    message[used] = '\0';
}

/* Runs a tool on the object into work_dir/file; 0, or -1 with a message. */
static int run_tool(struct build_job *job, char *const argv[], const char *file, char *output,
                    size_t output_size)
{
    int status;
    snprintf(output, output_size, "%s/%s", job->student->work_dir, file);
    if (build_run(argv, output, NULL, &status) != 0) {
        snprintf(job->message, sizeof job->message, "cannot start %s: %s", argv[0],
                 strerror(errno));
        return -1;
    }
    if (status == BUILD_TIMED_OUT || !WIFEXITED(status) || WEXITSTATUS(status) != 0) {
        build_describe_status(status, argv[0], job->message, sizeof job->message);
        return -1;
    }
    return 0;
}

/* ---- includes -------------------------------------------------------------- */

/* Folders of the compiler's own headers, resolved: the C library's, gcc's
 * and clang's built-in ones. Only root writes there. */
static const char *const system_headers[] = {"/usr/include/", "/usr/lib/gcc/", "/usr/lib/llvm",
                                             "/usr/lib/clang/", "/usr/local/include/"};
static const char *const dmm_headers[] = {"dmm.h", "heap.h", "common.h", "chunk.h",
                                           "policy.h"};

/* 1 when path (as the dependency list has it) may be included. */
static int may_include(const struct build_job *job, const char *path)
{
    char real[PATH_MAX], allowed[PATH_MAX], wanted[PATH_MAX + 16];
    if (realpath(path, real) == NULL)
        return errno == ENOENT; /* missing: the compiler says so, showing nothing */
    for (size_t i = 0; i < sizeof system_headers / sizeof system_headers[0]; i++)
        if (strncmp(real, system_headers[i], strlen(system_headers[i])) == 0)
            return 1;
    for (size_t i = 0; i < sizeof dmm_headers / sizeof dmm_headers[0]; i++) {
        snprintf(wanted, sizeof wanted, "%s/%s", job->allocators, dmm_headers[i]);
        if (realpath(wanted, allowed) != NULL && strcmp(real, allowed) == 0)
            return 1;
    }
    return realpath(job->student->source, allowed) != NULL && strcmp(real, allowed) == 0;
}

/* The next file name of a make rule ("\ " is a blank in a name, "\" at a
 * line's end continues it, "$$" is "$"), or NULL at the end. */
static char *next_dependency(char **cursor)
{
    char *p = *cursor, *out;
    while (*p == ' ' || *p == '\t' || *p == '\n' || (*p == '\\' && p[1] == '\n'))
        p += *p == '\\' ? 2 : 1;
    if (*p == '\0')
        return NULL;
    char *word = out = p;
    while (*p != '\0' && *p != ' ' && *p != '\t' && *p != '\n') {
        if (*p == '\\' && (p[1] == ' ' || p[1] == '#' || p[1] == '\\'))
            p++;
        else if (*p == '\\' && p[1] == '\n')
            break;
        else if (*p == '$' && p[1] == '$')
            p++;
        *out++ = *p++;
    }
    if (*p == '\\')
        *cursor = p + 2; /* past "\\\n", before the name's end is written over it */
    else
        *cursor = *p != '\0' ? p + 1 : p;
    *out = '\0';
    return word;
}

int build_check_includes(struct build_job *job, const char *deps_path)
{
    FILE *file = fopen(deps_path, "r");
    char *text = NULL;
    size_t capacity = 0;
    ssize_t length = file != NULL ? getdelim(&text, &capacity, '\0', file) : -1;
    if (file != NULL)
        fclose(file);
    job->message[0] = '\0';
    if (length <= 0) {
        free(text);
        return 0; /* no list: the compile itself fails and says why */
    }
    char *cursor = text, *name = next_dependency(&cursor); /* "dmm-deps:", the target */
    char refused[400] = "";
    size_t count = 0;
    while (name != NULL && (name = next_dependency(&cursor)) != NULL) {
        if (may_include(job, name))
            continue;
        if (count++ < 4)
            say(refused, sizeof refused, count > 1 ? ", " : "", name, NULL);
        else if (count == 5)
            say(refused, sizeof refused, ", ...", NULL, NULL);
    }
    free(text);
    if (count == 0)
        return 0;
    snprintf(job->message, sizeof job->message,
             "includes %s: only the C library's headers and dmm's (dmm.h, heap.h, common.h, "
             "chunk.h, policy.h) may be included",
             refused);
    return 1;
}

/* ---- definitions ------------------------------------------------------------- */

int build_check_definitions(struct build_job *job, const char *object)
{
    static const char *const required[] = {"dmm_malloc", "dmm_free",  "dmm_realloc", "dmm_name",
                                           "dmm_stats",  "dmm_check", "dmm_reset"};
    enum { REQUIRED = sizeof required / sizeof required[0] };
    char output[4200];
    char *argv[] = {"nm", "-P", "--defined-only", (char *)object, NULL};
    if (run_tool(job, argv, "build-defined.txt", output, sizeof output) != 0)
        return -1;
    int defined[REQUIRED] = {0};
    FILE *file = fopen(output, "r");
    char name[512], type;
    while (file != NULL && fscanf(file, "%511s %c%*[^\n]", name, &type) == 2)
        for (size_t i = 0; i < REQUIRED; i++)
            if (strcmp(name, required[i]) == 0 && type >= 'A' && type <= 'Z' && type != 'U')
                defined[i] = 1; /* global: the loader can find it */
    if (file != NULL)
        fclose(file);
    job->message[0] = '\0';
    for (size_t i = 0; i < REQUIRED; i++)
        if (!defined[i])
            say(job->message, sizeof job->message,
                job->message[0] == '\0' ? "does not define " : ", ", required[i], NULL);
    if (job->message[0] == '\0')
        return 0;
    say(job->message, sizeof job->message, " (dmm.h)", NULL, NULL);
    return 1;
}

/* ---- the object's symbols, code and sections ---------------------------------- */

/* Appends "a, b: reason; " for each family of refused symbols. */
static int check_symbols(struct build_job *job, const char *object)
{
    char output[4200];
    char *argv[] = {"nm", "-P", "-u", (char *)object, NULL};
    if (run_tool(job, argv, "build-symbols.txt", output, sizeof output) != 0)
        return -1;
    char names[FAMILY_COUNT + 1][300];
    memset(names, 0, sizeof names);
    FILE *file = fopen(output, "r");
    char name[512];
    int refused = 0;
    while (file != NULL && fscanf(file, "%511s %*[^\n]", name) == 1) {
        long family = family_of(job->options, name);
        if (family < 0 || (family < (long)FAMILY_COUNT && symbol_families[family].allowed))
            continue;
        say(names[family], sizeof names[family], names[family][0] ? ", " : "", name, NULL);
        refused = 1;
    }
    if (file != NULL)
        fclose(file);
    for (size_t i = 0; i <= FAMILY_COUNT; i++) {
        if (names[i][0] == '\0')
            continue;
        say(job->message, sizeof job->message, job->message[0] ? "; " : "", names[i], ": ");
        if (i < FAMILY_COUNT)
            say(job->message, sizeof job->message, symbol_families[i].reason, NULL, NULL);
        else /* name the first: the configuration's line to write */
            say(job->message, sizeof job->message, "not on the allowlist (`allow ",
                strtok(names[i], ","), "` in the configuration permits it)");
    }
    return refused;
}

/* 1 when objdump's line is an instruction that enters the kernel. */
static int is_system_call(const char *line)
{
    static const char *const prefixes = "lock rep repz repnz repe repne data16 addr32 notrack "
                                        "bnd cs ds es fs gs ss rex rex.W rex.B rex.R rex.X";
    const char *code = strstr(line, ":\t");
    if (code == NULL)
        return 0;
    char first[32] = "", second[32] = "", third[32] = "";
    sscanf(code + 2, "%31s %31s %31s", first, second, third);
    const char *mnemonic = first, *operand = second;
    if (in_words(prefixes, first))
        mnemonic = second, operand = third;
    return strcmp(mnemonic, "syscall") == 0 || strcmp(mnemonic, "sysenter") == 0 ||
           (strcmp(mnemonic, "int") == 0 && strcmp(operand, "$0x80") == 0);
}

static int check_code(struct build_job *job, const char *object)
{
    char output[4200];
    char *argv[] = {"objdump", "-d", "--no-show-raw-insn", (char *)object, NULL};
    if (run_tool(job, argv, "build-code.txt", output, sizeof output) != 0)
        return -1;
    FILE *file = fopen(output, "r");
    char *line = NULL;
    size_t capacity = 0;
    int found = 0;
    while (!found && file != NULL && getline(&line, &capacity, file) > 0)
        found = is_system_call(line);
    free(line);
    if (file != NULL)
        fclose(file);
    if (found)
        say(job->message, sizeof job->message, job->message[0] ? "; " : "",
            "makes system calls itself (inline assembly): only the heap section may", NULL);
    return found;
}

/* Sections whose code runs when a module is loaded or unloaded, with their
 * priority variants (.init_array.00101 for constructor(101)). */
static int runs_when_loaded(const char *section)
{
    static const struct {
        const char *name;
        int variants; /* NAME.SUFFIX too: the linker gathers them into NAME */
    } sections[] = {{".init_array", 1}, {".fini_array", 1}, {".preinit_array", 1},
                    {".ctors", 1},      {".dtors", 1},      {".init", 0},
                    {".fini", 0}};
    for (size_t i = 0; i < sizeof sections / sizeof sections[0]; i++) {
        size_t length = strlen(sections[i].name);
        if (strncmp(section, sections[i].name, length) == 0 &&
            (section[length] == '\0' || (section[length] == '.' && sections[i].variants)))
            return 1;
    }
    return 0;
}

static int check_sections(struct build_job *job, const char *object)
{
    char output[4200];
    char *argv[] = {"objdump", "-h", "-w", (char *)object, NULL};
    if (run_tool(job, argv, "build-sections.txt", output, sizeof output) != 0)
        return -1;
    FILE *file = fopen(output, "r");
    char *line = NULL, section[256];
    size_t capacity = 0;
    unsigned index;
    int found = 0;
    while (!found && file != NULL && getline(&line, &capacity, file) > 0)
        found = sscanf(line, " %u %255s", &index, section) == 2 && runs_when_loaded(section);
    free(line);
    if (file != NULL)
        fclose(file);
    if (found)
        say(job->message, sizeof job->message, job->message[0] ? "; " : "",
            "runs code when loaded (a constructor or destructor): the sandbox starts after "
            "loading", NULL);
    return found;
}

/* 1 when text[at] starts the word (an identifier that is exactly it). */
static int word_at(const char *text, size_t at, const char *word)
{
    size_t length = strlen(word);
    int before = at > 0 && (isalnum((unsigned char)text[at - 1]) || text[at - 1] == '_');
    char after = text[at + length];
    return !before && strncmp(text + at, word, length) == 0 && !isalnum((unsigned char)after) &&
           after != '_';
}

/* Inline assembly in the student's own lines of the preprocessed source
 * (the C library's headers use __asm__ for symbol names: their lines are
 * skipped by the line markers). Assembly is refused as a whole rather than
 * searched: clang's assembler runs inside the compiler, so the directives
 * that read a file (.incbin) or build one (.irp, .macro) leave no trace in
 * any output to search. */
static int check_assembly(struct build_job *job, const char *preprocessed)
{
    FILE *file = fopen(preprocessed, "r");
    char *line = NULL, main_file[4200] = "";
    size_t capacity = 0;
    int own = 1, found = 0;
    while (!found && file != NULL && getline(&line, &capacity, file) > 0) {
        if (line[0] == '#') { /* # LINE "FILE" FLAGS: whose lines follow */
            char *name = strchr(line, '"'), *end = name != NULL ? strrchr(line, '"') : NULL;
            if (name == NULL || end == name)
                continue;
            *end = '\0';
            if (main_file[0] == '\0') /* the first marker names the source itself */
                snprintf(main_file, sizeof main_file, "%s", name + 1);
            own = strcmp(name + 1, main_file) == 0;
            continue;
        }
        char quote = 0;
        for (size_t i = 0; own && !found && line[i] != '\0'; i++) {
            if (quote != 0) { /* inside a literal: asm there is text */
                if (line[i] == '\\' && line[i + 1] != '\0')
                    i++;
                else if (line[i] == quote)
                    quote = 0;
            } else if (line[i] == '"' || line[i] == '\'') {
                quote = line[i];
            } else {
                found = word_at(line, i, "asm") || word_at(line, i, "__asm__") ||
                        word_at(line, i, "__asm");
            }
        }
    }
    free(line);
    if (file != NULL)
        fclose(file);
    if (found)
        say(job->message, sizeof job->message, job->message[0] ? "; " : "",
            "uses inline assembly: an allocator is written in C (the assembler could read "
            "files into it)", NULL);
    return found;
}

int build_check_object(struct build_job *job, const char *object, const char *preprocessed)
{
    job->message[0] = '\0';
    int symbols = check_symbols(job, object);
    int assembly = symbols < 0 ? -1 : check_assembly(job, preprocessed);
    int code = assembly < 0 ? -1 : check_code(job, object);
    int sections = code < 0 ? -1 : check_sections(job, object);
    if (symbols < 0 || code < 0 || sections < 0)
        return -1;
    return symbols || assembly || code || sections;
}
