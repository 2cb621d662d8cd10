/*
 * replay_run.c — running dmm-replay as a subprocess in a scratch folder
 * (see replay_run.h).
 */
#define _XOPEN_SOURCE 700 /* mkdtemp, nftw, posix_spawn */

#include "replay_run.h"

#include "testfile.h"

#include <check.h>
#include <fcntl.h>
#include <ftw.h>
#include <spawn.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

extern char **environ;

/* ---- a scratch folder per test ------------------------------------------- */

static char scratch[256];

/* path of name inside the scratch folder, in one of a few rotating buffers */
const char *in_scratch(const char *name)
{
    static char paths[8][512];
    static unsigned next;
    char *path = paths[next++ % 8];
    snprintf(path, sizeof paths[0], "%s/%s", scratch, name);
    return path;
}

void write_text(const char *name, const char *text)
{
    FILE *file = fopen(in_scratch(name), "w");
    ck_assert_ptr_nonnull(file);
    fputs(text, file);
    ck_assert_int_eq(fclose(file), 0);
}

/* The whole file, NUL-terminated; NULL when it does not exist. */
char *read_text(const char *path)
{
    return test_read_file(path, NULL);
}

/* What the runs of the current test allocated (their output and CSV
 * cells), freed by scratch_teardown: a test reads its runs until it ends,
 * and then nothing of them is left for LeakSanitizer to report. */
static struct {
    void **blocks;
    size_t count, capacity;
} kept;

static void *keep(void *block)
{
    if (block == NULL)
        return NULL;
    if (kept.count == kept.capacity) {
        size_t capacity = kept.capacity > 0 ? 2 * kept.capacity : 256;
        void **grown = realloc(kept.blocks, capacity * sizeof *grown);
        ck_assert_ptr_nonnull(grown);
        kept.blocks = grown;
        kept.capacity = capacity;
    }
    kept.blocks[kept.count++] = block;
    return block;
}

void scratch_setup(void)
{
    const char *tmp = getenv("TMPDIR");
    snprintf(scratch, sizeof scratch, "%s/check_replay.XXXXXX", tmp != NULL ? tmp : "/tmp");
    ck_assert_ptr_nonnull(mkdtemp(scratch));
    write_text("tricky.trace", tricky_trace);
    write_text("small.rep", small_rep);
    write_text("bad.trace", bad_trace);
}

static int remove_entry(const char *path, const struct stat *info, int type, struct FTW *ftw)
{
    (void)info, (void)type, (void)ftw;
    return remove(path);
}

void scratch_teardown(void)
{
    nftw(scratch, remove_entry, 16, FTW_DEPTH | FTW_PHYS);
    for (size_t i = 0; i < kept.count; i++)
        free(kept.blocks[i]);
    free(kept.blocks);
    kept.blocks = NULL;
    kept.count = kept.capacity = 0;
}

/* ---- running dmm-replay ------------------------------------------------------ */

/* Splits RFC 4180 text into rows of CSV_COLUMNS fields (quotes undone). */
static void parse_csv(struct run *run)
{
    const char *p = run->csv;
    size_t row = 0;
    while (*p != '\0') {
        ck_assert_msg(row <= MAX_ROWS, "more than %d rows", MAX_ROWS);
        for (size_t column = 0;; column++) {
            ck_assert_msg(column < CSV_COLUMNS, "row %zu has more than %d fields", row,
                          CSV_COLUMNS);
            char *field = keep(malloc(strlen(p) + 1)), *out = field;
            ck_assert_ptr_nonnull(field);
            if (*p == '"') {
                for (p++;; p++) {
                    ck_assert_msg(*p != '\0', "row %zu: a quote is not closed", row);
                    if (*p == '"' && p[1] == '"')
                        *out++ = *p++;
                    else if (*p == '"')
                        break;
                    else
                        *out++ = *p;
                }
                p++;
            } else {
                while (*p != ',' && *p != '\n' && *p != '\0')
                    *out++ = *p++;
            }
            *out = '\0';
            run->cells[row][column] = field;
            if (*p == ',') {
                p++;
                continue;
            }
            ck_assert_msg(*p == '\n', "row %zu: no line end after field %zu", row, column);
            p++;
            ck_assert_msg(column + 1 == CSV_COLUMNS, "row %zu has %zu fields, not %d", row,
                          column + 1, CSV_COLUMNS);
            break;
        }
        row++;
    }
    ck_assert_msg(row >= 1, "the CSV has no header row");
    run->rows = row - 1;
}

/* Runs dmm-replay with the arguments (NULL-terminated), and --csv into the
 * scratch folder first. Waits for it and collects what it wrote. */
struct run run_replay(const char *first, ...)
{
    const char *argv[64] = {DMM_REPLAY, "--csv", in_scratch("result.csv")};
    size_t argc = 3;
    va_list args;
    va_start(args, first);
    for (const char *arg = first; arg != NULL; arg = va_arg(args, const char *)) {
        ck_assert(argc + 1 < sizeof argv / sizeof argv[0]);
        argv[argc++] = arg;
    }
    va_end(args);
    argv[argc] = NULL;

    remove(in_scratch("result.csv"));
    posix_spawn_file_actions_t actions;
    posix_spawn_file_actions_init(&actions);
    posix_spawn_file_actions_addopen(&actions, 1, in_scratch("stdout.txt"),
                                     O_WRONLY | O_CREAT | O_TRUNC, 0644);
    posix_spawn_file_actions_addopen(&actions, 2, in_scratch("stderr.txt"),
                                     O_WRONLY | O_CREAT | O_TRUNC, 0644);
    pid_t child;
    int spawned = posix_spawn(&child, DMM_REPLAY, &actions, NULL, (char *const *)argv, environ);
    posix_spawn_file_actions_destroy(&actions);
    ck_assert_msg(spawned == 0, "cannot run %s: %s", DMM_REPLAY, strerror(spawned));
    int status;
    ck_assert_int_eq(waitpid(child, &status, 0), child);

    struct run run = {.status = WIFEXITED(status) ? WEXITSTATUS(status) : -1};
    run.out = keep(read_text(in_scratch("stdout.txt")));
    run.err = keep(read_text(in_scratch("stderr.txt")));
    run.csv = keep(read_text(in_scratch("result.csv")));
    ck_assert(run.out != NULL && run.err != NULL);
    if (run.csv != NULL)
        parse_csv(&run);
    return run;
}

/* The field of a data row (0-based) under the header's column name. */
const char *cell(const struct run *run, size_t row, const char *column)
{
    ck_assert_msg(row < run->rows, "no row %zu (%zu rows)", row, run->rows);
    for (size_t c = 0; c < CSV_COLUMNS; c++)
        if (strcmp(run->cells[0][c], column) == 0)
            return run->cells[row + 1][c];
    ck_abort_msg("no column %s", column);
    return NULL;
}

double number(const struct run *run, size_t row, const char *column)
{
    const char *text = cell(run, row, column);
    char *end;
    double value = strtod(text, &end);
    ck_assert_msg(*text != '\0' && *end == '\0', "%s of row %zu is '%s', not a number", column,
                  row, text);
    return value;
}

/* Every one of the rows is ok, with an empty message. */
void assert_ok(const struct run *run, size_t row)
{
    ck_assert_msg(strcmp(cell(run, row, "status"), "ok") == 0, "row %zu (%s) is %s: %s", row,
                  cell(run, row, "allocator"), cell(run, row, "status"),
                  cell(run, row, "message"));
    ck_assert_str_eq(cell(run, row, "message"), "");
}

void assert_contains(const char *text, const char *part)
{
    ck_assert_msg(strstr(text, part) != NULL, "'%s' is not in:\n%s", part, text);
}
