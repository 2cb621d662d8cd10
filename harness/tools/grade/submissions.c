/*
 * submissions.c — finding a class's submissions (docs/grading.md,
 * "Submissions and their build"): a folder of ID.c files and ID/ folders,
 * or one .c file, into the sorted list of students grade_build builds.
 *
 * Every wrong entry is collected first and reported in one message, so an
 * instructor fixes the folder in one pass rather than one entry per run.
 */
#define _GNU_SOURCE /* strdup, lstat under -std=c17 */

#include "grade.h"

#include <ctype.h>
#include <dirent.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

/* Bytes of OUT/students/ID, leaving room for the files built in it. */
#define WORK_DIR_MAX ((size_t)3900)
#define SNIFF_BYTES ((size_t)64 * 1024) /* bytes of a .c file looked at for NUL bytes */

/* The bad entries of a folder, each "NAME (why)", reported together. */
struct complaints {
    char **items;
    size_t count;
};

static void complain(struct complaints *complaints, const char *name, const char *detail)
{
    char text[1024];
    snprintf(text, sizeof text, "%s (%s)", name, detail);
    char **items = realloc(complaints->items, (complaints->count + 1) * sizeof *items);
    char *copy = strdup(text);
    if (items == NULL || copy == NULL) {
        free(copy);
        if (items != NULL)
            complaints->items = items;
        return; /* out of memory: the message is shorter, the call still fails */
    }
    complaints->items = items;
    complaints->items[complaints->count++] = copy;
}

static int compare_strings(const void *a, const void *b)
{
    return strcmp(*(char *const *)a, *(char *const *)b);
}

/* Rows of a char[N][M] array. */
static int compare_names(const void *a, const void *b)
{
    return strcmp(a, b);
}

static int compare_students(const void *a, const void *b)
{
    return strcmp(((const struct grade_student *)a)->id, ((const struct grade_student *)b)->id);
}

/* Letters, digits, '.', '_', '-'; 1..63 characters; not starting with '-'
 * (an option to every tool) or '.' (hidden). It names files and folders. */
static int valid_id(const char *id, size_t length)
{
    if (length == 0 || length > 63 || id[0] == '-' || id[0] == '.')
        return 0;
    for (size_t i = 0; i < length; i++)
        if (!isalnum((unsigned char)id[i]) && id[i] != '.' && id[i] != '_' && id[i] != '-')
            return 0;
    return 1;
}

static int ends_with_c(const char *name)
{
    size_t length = strlen(name);
    return length > 2 && strcmp(name + length - 2, ".c") == 0;
}

/* NULL when the file looks like C source; else why not. */
static const char *not_c_source(const char *path, char *why, size_t size)
{
    FILE *file = fopen(path, "rb");
    if (file == NULL) {
        snprintf(why, size, "cannot read: %s", strerror(errno));
        return why;
    }
    static char sniff[SNIFF_BYTES];
    size_t got = fread(sniff, 1, sizeof sniff, file);
    fclose(file);
    return memchr(sniff, '\0', got) != NULL ? "not C source: binary data" : NULL;
}

/* Adds the student ID with its source, or a complaint naming entry. */
static void add_student(struct grade_student **students, size_t *count, size_t *capacity,
                        struct complaints *complaints, const char *entry, const char *id,
                        size_t id_length, const char *source, const char *out_dir)
{
    char why[256];
    const char *bad = not_c_source(source, why, sizeof why);
    if (!valid_id(id, id_length)) {
        complain(complaints, entry,
                 "not a student ID: letters, digits, '.', '_', '-', at most 63, "
                 "not starting with '-'");
        return;
    }
    if (bad != NULL) {
        complain(complaints, entry, bad);
        return;
    }
    if (*count == *capacity) {
        size_t grown = *capacity == 0 ? 64 : 2 * *capacity;
        struct grade_student *bigger = realloc(*students, grown * sizeof *bigger);
        if (bigger == NULL) {
            complain(complaints, entry, "out of memory");
            return;
        }
        memset(bigger + *capacity, 0, (grown - *capacity) * sizeof *bigger);
        *students = bigger, *capacity = grown;
    }
    struct grade_student *student = &(*students)[(*count)++];
    memset(student, 0, sizeof *student);
    memcpy(student->id, id, id_length);
    int a = snprintf(student->source, sizeof student->source, "%s", source);
    int b = snprintf(student->work_dir, sizeof student->work_dir, "%s/students/%s",
                     out_dir, student->id);
    if (a < 0 || (size_t)a >= sizeof student->source || b < 0 ||
        (size_t)b >= WORK_DIR_MAX) {
        (*count)--;
        complain(complaints, entry, "path too long");
    }
}

/* A folder ID/: exactly one .c file (hidden entries aside) is the source.
 * Its files are the student's (a cloned repository, an unpacked archive),
 * so a symbolic link is refused: mm.c -> /etc/shadow would have the
 * compiler quote the grader's file in the feedback. */
static void add_folder(struct grade_student **students, size_t *count, size_t *capacity,
                       struct complaints *complaints, const char *folder, const char *name,
                       const char *out_dir)
{
    enum { SHOWN = 16 }; /* .c files named in a complaint */
    char entry[300], found[8192] = "", names[SHOWN][256], detail[1024];
    snprintf(entry, sizeof entry, "%s/", name);
    DIR *dir = opendir(folder);
    if (dir == NULL) {
        complain(complaints, entry, strerror(errno));
        return;
    }
    size_t sources = 0;
    const char *link = NULL;
    for (struct dirent *e; (e = readdir(dir)) != NULL;) {
        char path[8192];
        struct stat info;
        int length = snprintf(path, sizeof path, "%s/%s", folder, e->d_name);
        if (length < 0 || (size_t)length >= sizeof path || e->d_name[0] == '.' ||
            !ends_with_c(e->d_name) || lstat(path, &info) != 0 ||
            !(S_ISREG(info.st_mode) || S_ISLNK(info.st_mode)))
            continue;
        if (sources < SHOWN)
            snprintf(names[sources], sizeof names[sources], "%s", e->d_name);
        if (S_ISLNK(info.st_mode) && link == NULL)
            link = names[sources < SHOWN ? sources : SHOWN - 1];
        if (sources++ == 0)
            memcpy(found, path, (size_t)length + 1);
    }
    closedir(dir);
    if (sources == 0) {
        complain(complaints, entry, "no .c file");
    } else if (sources > 1) {
        /* readdir's order is the disk's: sort the names for a stable message */
        size_t shown = sources < SHOWN ? sources : SHOWN;
        qsort(names, shown, sizeof names[0], compare_names);
        int used = snprintf(detail, sizeof detail, "%zu .c files:", sources);
        for (size_t i = 0; i < shown && used > 0 && (size_t)used < sizeof detail; i++)
            used += snprintf(detail + used, sizeof detail - (size_t)used, " %s", names[i]);
        if (used > 0 && (size_t)used < sizeof detail)
            snprintf(detail + used, sizeof detail - (size_t)used,
                     "; one allocator file per folder");
        complain(complaints, entry, detail);
    } else if (link != NULL) {
        snprintf(detail, sizeof detail, "%s is a symbolic link: hand in the file itself", link);
        complain(complaints, entry, detail);
    } else {
        add_student(students, count, capacity, complaints, entry, name, strlen(name), found,
                    out_dir);
    }
}

/* "PATH: 3 entries are not submissions: a (why), b/ (why), c (why)". */
static void report_complaints(struct complaints *complaints, const char *path, char *error,
                              size_t error_size)
{
    qsort(complaints->items, complaints->count, sizeof *complaints->items, compare_strings);
    int used = snprintf(error, error_size, "%s: %zu %s: ", path, complaints->count,
                        complaints->count == 1 ? "entry is not a submission"
                                               : "entries are not submissions");
    for (size_t i = 0; i < complaints->count; i++) {
        if (used >= 0 && (size_t)used < error_size)
            used += snprintf(error + used, error_size - (size_t)used, "%s%s", i > 0 ? ", " : "",
                             complaints->items[i]);
        free(complaints->items[i]);
    }
    free(complaints->items);
}

int grade_find_submissions(const char *path, const char *out_dir,
                           struct grade_student **students, size_t *count, char *error,
                           size_t error_size)
{
    struct grade_student *list = NULL;
    size_t found = 0, capacity = 0;
    struct complaints complaints = {0};
    struct stat info;
    *students = NULL, *count = 0;
    if (stat(path, &info) != 0) {
        snprintf(error, error_size, "%s: %s", path, strerror(errno));
        return -1;
    }
    if (!S_ISDIR(info.st_mode)) {
        /* A class of one: the file is the student, ID its name without .c. */
        const char *name = strrchr(path, '/') != NULL ? strrchr(path, '/') + 1 : path;
        if (!ends_with_c(name)) {
            snprintf(error, error_size, "%s: not a .c file nor a folder of submissions", path);
            return -1;
        }
        add_student(&list, &found, &capacity, &complaints, name, name, strlen(name) - 2, path,
                    out_dir);
    } else {
        DIR *dir = opendir(path);
        if (dir == NULL) {
            snprintf(error, error_size, "%s: %s", path, strerror(errno));
            return -1;
        }
        size_t length = strlen(path);
        const char *slash = length > 0 && path[length - 1] == '/' ? "" : "/";
        for (struct dirent *e; (e = readdir(dir)) != NULL;) {
            char entry_path[8192];
            if (e->d_name[0] == '.')
                continue; /* hidden: .git, editors' files, . and .. */
            snprintf(entry_path, sizeof entry_path, "%s%s%s", path, slash, e->d_name);
            if (stat(entry_path, &info) != 0)
                complain(&complaints, e->d_name, strerror(errno));
            else if (S_ISDIR(info.st_mode))
                add_folder(&list, &found, &capacity, &complaints, entry_path, e->d_name, out_dir);
            else if (!S_ISREG(info.st_mode) || !ends_with_c(e->d_name))
                complain(&complaints, e->d_name, "not a .c file");
            else
                add_student(&list, &found, &capacity, &complaints, e->d_name, e->d_name,
                            strlen(e->d_name) - 2, entry_path, out_dir);
        }
        closedir(dir);
    }
    if (found > 1)
        qsort(list, found, sizeof *list, compare_students);
    for (size_t i = 1; i < found; i++) { /* only ID.c and ID/ can share an ID */
        if (strcmp(list[i - 1].id, list[i].id) == 0) {
            char detail[200];
            snprintf(detail, sizeof detail, "both %s.c and %s/: a duplicate student ID",
                     list[i].id, list[i].id);
            complain(&complaints, list[i].id, detail);
        }
    }
    if (complaints.count > 0) {
        report_complaints(&complaints, path, error, error_size);
        free(list);
        return -1;
    }
    if (found == 0) {
        snprintf(error, error_size, "%s: no submissions (ID.c files or ID/ folders)", path);
        free(list);
        return -1;
    }
    *students = list, *count = found;
    return 0;
}

void grade_students_free(struct grade_student *students, size_t count)
{
    for (size_t i = 0; students != NULL && i < count; i++) {
        free(students[i].build_log);
        free(students[i].results);
    }
    free(students);
}

