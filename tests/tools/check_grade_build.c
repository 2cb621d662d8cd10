/*
 * check_grade_build.c — dmm-grade finds a class's submissions and builds
 * each one as docs/grading.md says: every wrong entry named in one message,
 * a correct file built into a module that loads, a compile error kept to
 * its student, each static check refusing its case with its reason (and a
 * hostile #include leaking nothing), and the one-line command students are
 * given building the same module.
 *
 * The fixtures (tests/support/grading/build/) are tiny submissions with one
 * fault each; a correct one is allocators/minimal.c, copied at test time.
 * The compiler is $CC when set (run the suite with CC=clang for clang).
 */
#define _GNU_SOURCE /* nftw, mkdtemp, strdup under -std=c17 */

#include "grade.h"

#include "suite.h"
#include "testfile.h"

#include <check.h>
#include <dlfcn.h>
#include <ftw.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#define FIXTURES DMM_SOURCE_DIR "/tests/support/grading/build/"
#define ALLOCATORS DMM_SOURCE_DIR "/allocators/"

/* ---- a temporary class ------------------------------------------------------ */

static char temp[64]; /* this test's folder: submissions/ and out/ inside */
static char submissions[128], out[128];

static void set_up(void)
{
    snprintf(temp, sizeof temp, "/tmp/dmm-grade-build-XXXXXX");
    ck_assert_ptr_nonnull(mkdtemp(temp));
    snprintf(submissions, sizeof submissions, "%s/submissions", temp);
    snprintf(out, sizeof out, "%s/out", temp);
    ck_assert_int_eq(mkdir(submissions, 0755), 0);
}

static int remove_entry(const char *path, const struct stat *info, int flag, struct FTW *ftw)
{
    (void)info, (void)flag, (void)ftw;
    return remove(path);
}

static void tear_down(void)
{
    if (temp[0] != '\0')
        nftw(temp, remove_entry, 16, FTW_DEPTH | FTW_PHYS);
}

static void write_file(const char *path, const char *text, size_t length)
{
    FILE *file = fopen(path, "wb");
    ck_assert_msg(file != NULL, "cannot write %s", path);
    ck_assert_uint_eq(fwrite(text, 1, length, file), length);
    fclose(file);
}

/* submissions/NAME from the text of `from`, with `extra` after it. */
static void add_copy(const char *name, const char *from, const char *extra)
{
    size_t length;
    char *text = test_read_file(from, &length);
    ck_assert_msg(text != NULL, "cannot read %s", from);
    char path[512];
    snprintf(path, sizeof path, "%s/%s", submissions, name);
    FILE *file = fopen(path, "wb");
    ck_assert_ptr_nonnull(file);
    fwrite(text, 1, length, file);
    fputs(extra != NULL ? extra : "", file);
    fclose(file);
    free(text);
}

/* submissions/NAME: the fixture FIXTURES/FIXTURE.c, then stub.txt (the
 * dmm.h functions it does not define itself). */
static void add_fixture(const char *name, const char *fixture)
{
    char from[512];
    snprintf(from, sizeof from, FIXTURES "%s.c", fixture);
    char *stub = test_read_file(FIXTURES "stub.txt", NULL);
    ck_assert_msg(stub != NULL, "cannot read " FIXTURES "stub.txt");
    add_copy(name, from, stub);
    free(stub);
}

/* submissions/NAME, a folder. */
static void add_folder(const char *name)
{
    char path[512];
    snprintf(path, sizeof path, "%s/%s", submissions, name);
    ck_assert_int_eq(mkdir(path, 0755), 0);
}

static void add_text(const char *name, const char *text)
{
    char path[512];
    snprintf(path, sizeof path, "%s/%s", submissions, name);
    write_file(path, text, strlen(text));
}

static struct grade_build_options options(void)
{
    const char *cc = getenv("CC");
    return (struct grade_build_options){.dmm_dir = DMM_SOURCE_DIR,
                                        .compiler = cc != NULL && *cc != '\0' ? cc : "cc",
                                        .check_symbols = 1,
                                        .jobs = 2};
}

/* Finds the class in submissions/ (which must be valid) and builds it. */
static struct grade_student *build_class(const struct grade_build_options *build, size_t *count)
{
    struct grade_student *students;
    char error[1024];
    int found = grade_find_submissions(submissions, out, &students, count, error, sizeof error);
    ck_assert_msg(found == 0, "valid class refused: %s", error);
    ck_assert_int_eq(grade_build(build, students, *count), 0);
    return students;
}

static const struct grade_student *student(const struct grade_student *students, size_t count,
                                           const char *id)
{
    for (size_t i = 0; i < count; i++)
        if (strcmp(students[i].id, id) == 0)
            return &students[i];
    ck_abort_msg("no student %s", id);
    return NULL;
}

static void assert_built(const struct grade_student *s)
{
    ck_assert_msg(s->build == BUILD_OK, "%s: status %d: %s", s->id, s->build, s->build_message);
    ck_assert_str_eq(s->build_message, "");
    ck_assert_msg(access(s->module_path, R_OK) == 0, "%s: no module %s", s->id, s->module_path);
}

static void assert_refused(const struct grade_student *s, enum grade_build_status status,
                           const char *words)
{
    ck_assert_msg(s->build == status, "%s: status %d, expected %d: %s", s->id, s->build, status,
                  s->build_message);
    ck_assert_msg(strstr(s->build_message, words) != NULL, "%s: \"%s\" does not say \"%s\"",
                  s->id, s->build_message, words);
    ck_assert_str_eq(s->module_path, "");
}

/* The module loads, and its dmm_name says name. */
static void assert_loads(const char *module, const char *name)
{
    void *handle = dlopen(module, RTLD_NOW | RTLD_LOCAL);
    ck_assert_msg(handle != NULL, "dlopen: %s", dlerror());
    const char *(*dmm_name)(void);
    *(void **)&dmm_name = dlsym(handle, "dmm_name");
    ck_assert_ptr_nonnull(dmm_name);
    ck_assert_ptr_nonnull(dlsym(handle, "dmm_malloc"));
    ck_assert_str_eq(dmm_name(), name);
    dlclose(handle);
}

/* ---- finding the submissions ------------------------------------------------- */

START_TEST(files_and_folders_sorted_hidden_skipped)
{
    add_copy("zed.c", ALLOCATORS "minimal.c", NULL);
    add_copy("bob.c", ALLOCATORS "minimal.c", NULL);
    add_folder("alice");
    add_copy("alice/mine.c", ALLOCATORS "minimal.c", NULL);
    add_text("alice/README", "notes, not C\n");
    add_text("alice/.backup.c", "hidden\n");
    add_text(".hidden.c", "x\n");
    add_folder(".git");
    add_text("A-1_x.y.c", "int x;\n");
    struct grade_student *students;
    size_t count;
    char error[512];
    ck_assert_int_eq(grade_find_submissions(submissions, out, &students, &count, error,
                                            sizeof error),
                     0);
    ck_assert_uint_eq(count, 4);
    const char *ids[] = {"A-1_x.y", "alice", "bob", "zed"}; /* strcmp order */
    for (size_t i = 0; i < count; i++) {
        ck_assert_str_eq(students[i].id, ids[i]);
        char work[256];
        snprintf(work, sizeof work, "%s/students/%s", out, ids[i]);
        ck_assert_str_eq(students[i].work_dir, work);
        ck_assert_int_eq(students[i].build, BUILD_OK);
        ck_assert_ptr_null(students[i].build_log);
    }
    ck_assert_msg(strstr(students[1].source, "/alice/mine.c") != NULL, "%s", students[1].source);
    ck_assert_msg(access(out, F_OK) != 0, "finding created %s", out);
    grade_students_free(students, count);
}
END_TEST

START_TEST(a_c_file_is_a_class_of_one)
{
    char path[256];
    snprintf(path, sizeof path, "%s/carol.c", submissions);
    add_copy("carol.c", ALLOCATORS "minimal.c", NULL);
    struct grade_student *students;
    size_t count;
    char error[512];
    ck_assert_int_eq(grade_find_submissions(path, out, &students, &count, error, sizeof error), 0);
    ck_assert_uint_eq(count, 1);
    ck_assert_str_eq(students[0].id, "carol");
    ck_assert_str_eq(students[0].source, path);
    grade_students_free(students, count);

    add_text("notes.txt", "x\n"); /* a file that is not C is no class */
    snprintf(path, sizeof path, "%s/notes.txt", submissions);
    ck_assert_int_eq(grade_find_submissions(path, out, &students, &count, error, sizeof error),
                     -1);
    ck_assert_msg(strstr(error, "notes.txt: not a .c file") != NULL, "%s", error);
}
END_TEST

START_TEST(every_bad_entry_named_in_one_message)
{
    add_copy("alice.c", ALLOCATORS "minimal.c", NULL); /* a good one among them */
    add_text("notes.txt", "x\n");
    add_folder("carol");
    add_text("carol/b.c", "int b;\n");
    add_text("carol/a.c", "int a;\n");
    add_text("bob.c", "int bob;\n");
    add_folder("bob");
    add_text("bob/x.c", "int x;\n");
    add_folder("empty");
    add_text("empty/notes.md", "x\n");
    add_text("-rf.c", "int x;\n");
    add_text("two words.c", "int x;\n");
    char long_name[80];
    memset(long_name, 'a', 64), strcpy(long_name + 64, ".c"); /* a 64-character ID */
    add_text(long_name, "int x;\n");
    add_folder("eve"); /* a cloned repository's link to the grader's file */
    char link[256];
    snprintf(link, sizeof link, "%s/eve/mm.c", submissions);
    ck_assert_int_eq(symlink("/etc/passwd", link), 0);
    char binary[256];
    snprintf(binary, sizeof binary, "%s/binary.c", submissions);
    write_file(binary, "int x;\0ELF", 10);
    struct grade_student *students = (void *)1;
    size_t count = 99;
    char error[2048];
    ck_assert_int_eq(grade_find_submissions(submissions, out, &students, &count, error,
                                            sizeof error),
                     -1);
    ck_assert_ptr_null(students);
    ck_assert_uint_eq(count, 0);
    const char *expected[] = {
        "submissions: 9 entries are not submissions: ",
        "notes.txt (not a .c file)",
        "carol/ (2 .c files: a.c b.c; one allocator file per folder)",
        "bob (both bob.c and bob/: a duplicate student ID)",
        "empty/ (no .c file)",
        "-rf.c (not a student ID",
        "two words.c (not a student ID",
        "aaaa.c (not a student ID",
        "binary.c (not C source: binary data)",
        "eve/ (mm.c is a symbolic link: hand in the file itself)",
    };
    for (size_t i = 0; i < sizeof expected / sizeof expected[0]; i++)
        ck_assert_msg(strstr(error, expected[i]) != NULL, "\"%s\" lacks \"%s\"", error,
                      expected[i]);
    ck_assert_msg(strstr(error, "alice") == NULL, "a good entry named: %s", error);
}
END_TEST

START_TEST(empty_and_missing_folders)
{
    struct grade_student *students;
    size_t count;
    char error[512], path[256];
    add_text(".DS_Store", "hidden\n");
    ck_assert_int_eq(grade_find_submissions(submissions, out, &students, &count, error,
                                            sizeof error),
                     -1);
    ck_assert_msg(strstr(error, "submissions: no submissions (ID.c files or ID/ folders)") != NULL,
                  "%s", error);
    snprintf(path, sizeof path, "%s/absent", temp);
    ck_assert_int_eq(grade_find_submissions(path, out, &students, &count, error, sizeof error),
                     -1);
    ck_assert_msg(strstr(error, "absent: No such file or directory") != NULL, "%s", error);
}
END_TEST

/* ---- building ----------------------------------------------------------------- */

START_TEST(a_class_builds_and_a_compile_error_stays_its_own)
{
    add_copy("alice.c", ALLOCATORS "minimal.c", NULL);
    add_copy("bob.c", ALLOCATORS "minimal.c",
             "\nstatic int helper(void)\n{\n    int spare;\n    return 0;\n}\n");
    add_fixture("carol.c", "syntax");
    add_copy("dave.c", ALLOCATORS "minimal.c", NULL);
    struct grade_build_options build = options();
    size_t count;
    struct grade_student *students = build_class(&build, &count);

    const struct grade_student *alice = student(students, count, "alice");
    assert_built(alice);
    ck_assert_uint_eq(alice->warnings, 0);
    assert_loads(alice->module_path, "minimal");
    assert_built(student(students, count, "dave"));

    const struct grade_student *bob = student(students, count, "bob");
    assert_built(bob);
    ck_assert_uint_eq(bob->warnings, 2); /* unused variable, unused function */
    ck_assert_ptr_nonnull(bob->build_log);
    ck_assert_msg(strstr(bob->build_log, "spare") != NULL, "%s", bob->build_log);

    const struct grade_student *carol = student(students, count, "carol");
    assert_refused(carol, BUILD_FAILED, "carol.c:13:");
    ck_assert_msg(strstr(carol->build_message, ": error:") != NULL, "%s", carol->build_message);
    ck_assert_ptr_nonnull(carol->build_log);
    ck_assert_msg(strstr(carol->build_log, "unused") != NULL, "log: %s", carol->build_log);
    ck_assert_uint_eq(carol->warnings, 1);
    grade_students_free(students, count);
}
END_TEST

START_TEST(each_static_check_refuses_with_its_reason)
{
    static const struct {
        const char *fixture;
        enum grade_build_status status;
        const char *words[3];
    } cases[] = {
        {"malloc", BUILD_REFUSED,
         {"free, malloc, realloc: gets memory outside the heap section: use heap_grow/heap_map"}},
        {"fopen", BUILD_REFUSED, {"fclose, fopen: touches files"}},
        {"fork", BUILD_REFUSED, {"execl, fork: starts processes"}},
        {"exit", BUILD_REFUSED, {"exit: ends the process"}},
        {"syscall", BUILD_REFUSED,
         {"makes system calls itself (inline assembly): only the heap section may"}},
        {"incbin", BUILD_REFUSED,
         {"uses inline assembly: an allocator is written in C (the assembler could read files "
          "into it)"}},
        {"constructor", BUILD_REFUSED,
         {"runs code when loaded (a constructor or destructor): the sandbox starts after loading"}},
        {"unlisted", BUILD_REFUSED,
         {"time: not on the allowlist (`allow time` in the configuration permits it)"}},
        {"missing", BUILD_FAILED, {"does not define dmm_stats (dmm.h)"}},
        {"own_calloc", BUILD_FAILED, {"multiple definition of `dmm_calloc'"}},
        {"include", BUILD_REFUSED,
         {"includes /etc/passwd: only the C library's headers and dmm's (dmm.h, heap.h, "
          "common.h, chunk.h, policy.h) may be included"}},
    };
    enum { CASES = sizeof cases / sizeof cases[0] };
    for (size_t i = 0; i < CASES; i++) {
        char name[64], from[256];
        snprintf(name, sizeof name, "%s.c", cases[i].fixture);
        snprintf(from, sizeof from, "%s", cases[i].fixture);
        add_fixture(name, from);
    }
    struct grade_build_options build = options();
    size_t count;
    struct grade_student *students = build_class(&build, &count);
    ck_assert_uint_eq(count, CASES);
    for (size_t i = 0; i < CASES; i++)
        assert_refused(student(students, count, cases[i].fixture), cases[i].status,
                       cases[i].words[0]);

    /* The include is refused before the compiler runs: nothing of the file
     * reaches the message, the log or the student's folder. */
    const struct grade_student *include = student(students, count, "include");
    ck_assert_ptr_null(include->build_log);
    ck_assert_ptr_null(strstr(include->build_message, "root:"));
    char listing[4200];
    snprintf(listing, sizeof listing, "%s/build-includes.d", include->work_dir);
    char *deps = test_read_file(listing, NULL);
    ck_assert_ptr_nonnull(deps);
    ck_assert_ptr_null(strstr(deps, "root:"));
    free(deps);
    grade_students_free(students, count);
}
END_TEST

START_TEST(allow_and_no_static_checks_let_a_symbol_through)
{
    add_fixture("unlisted.c", "unlisted");
    const char *allow[] = {"getpid", "time"};
    struct grade_build_options build = options();
    build.allow = allow, build.allow_count = 2;
    size_t count;
    struct grade_student *students = build_class(&build, &count);
    assert_built(&students[0]);
    grade_students_free(students, count);

    /* --no-static-checks: malloc builds, silently; but the definitions and
     * the includes are still checked (a module without dmm_stats cannot
     * load; a refused include would leak the file). */
    add_fixture("malloc.c", "malloc");
    add_fixture("missing.c", "missing");
    add_fixture("include.c", "include");
    build = options();
    build.check_symbols = 0;
    students = build_class(&build, &count);
    assert_built(student(students, count, "malloc"));
    assert_built(student(students, count, "unlisted"));
    assert_refused(student(students, count, "missing"), BUILD_FAILED, "does not define dmm_stats");
    assert_refused(student(students, count, "include"), BUILD_REFUSED, "includes /etc/passwd");
    grade_students_free(students, count);
}
END_TEST

/* The allowlist is not too tight: dmm's own allocators pass (segregated.c
 * write(2)s its corruption message: allowed, on the standard streams). */
START_TEST(dmm_allocators_pass_the_checks)
{
    static const char *const names[] = {"minimal", "pad", "unsorted", "list", "dlist", "bins",
                                        "gnu", "mmap", "segregated", "template"};
    for (size_t i = 0; i < sizeof names / sizeof names[0]; i++) {
        char name[64], from[256];
        snprintf(name, sizeof name, "%s.c", names[i]);
        snprintf(from, sizeof from, ALLOCATORS "%s.c", names[i]);
        add_copy(name, from, NULL);
    }
    struct grade_build_options build = options();
    build.jobs = 3;
    size_t count;
    struct grade_student *students = build_class(&build, &count);
    for (size_t i = 0; i < count; i++) {
        assert_built(&students[i]);
        ck_assert_msg(students[i].warnings == 0, "%s: %s", students[i].id, students[i].build_log);
    }
    grade_students_free(students, count);
}
END_TEST

/* What a student is told to type builds the same module: through a shell,
 * with a file name a shell would otherwise split and unquote. */
START_TEST(the_documented_command_builds_a_loadable_module)
{
    char source[256], module[256], command[4096];
    snprintf(source, sizeof source, "%s/it's mine $(true).c", submissions);
    snprintf(module, sizeof module, "%s/libdmm-mine.so", temp);
    add_copy("it's mine $(true).c", ALLOCATORS "minimal.c", NULL);
    grade_build_command(DMM_SOURCE_DIR, options().compiler, source, module, command,
                        sizeof command);
    char expected[1024];
    snprintf(expected, sizeof expected,
             " -std=c17 -O2 -g -fPIC -Wall -Wextra -I %s/allocators -DDMM_HEAP_SIMULATED "
             "-shared -o %s '%s/it'\\''s mine $(true).c' %s/allocators/calloc.c "
             "%s/allocators/heap.c",
             DMM_SOURCE_DIR, module, submissions, DMM_SOURCE_DIR, DMM_SOURCE_DIR);
    ck_assert_msg(strstr(command, expected) != NULL, "command: %s\nexpected: %s", command,
                  expected);
    ck_assert_msg(system(command) == 0, "the command failed: %s", command);
    assert_loads(module, "minimal");
}
END_TEST

int main(void)
{
    const struct test_group groups[] = {
        {"find",
         {files_and_folders_sorted_hidden_skipped, a_c_file_is_a_class_of_one,
          every_bad_entry_named_in_one_message, empty_and_missing_folders}},
        {"build",
         {a_class_builds_and_a_compile_error_stays_its_own,
          each_static_check_refuses_with_its_reason,
          allow_and_no_static_checks_let_a_symbol_through, dmm_allocators_pass_the_checks,
          the_documented_command_builds_a_loadable_module}},
    };
    return run_test_groups_fixture("grade/build", groups, sizeof groups / sizeof groups[0], set_up,
                                   tear_down);
}
