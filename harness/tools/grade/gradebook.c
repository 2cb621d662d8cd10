/*
 * gradebook.c — the grade book CSV, shards of a class, and the merge of
 * the shards' books into one (grade.h).
 *
 * The book is what the instructor imports: a header row, then one row per
 * student sorted by ID (byte order, strcmp), RFC 4180 quoting
 * (report_csv_text, as every CSV of the harness). Columns:
 *
 *   student          the submission's ID
 *   build            ok / failed (the compiler refused it) / refused (a check did)
 *   warnings         the compiler's warnings
 *   traces_correct   traces replayed without error, weight 0 included
 *   traces           traces in the configuration
 *   utilization      weighted mean, 0..1, 4 decimals
 *   throughput       Kops/s, 1 decimal (time costs) or instructions per
 *                    operation, 2 decimals (COST_INSTRUCTIONS)
 *   throughput_ratio against the reference, 4 decimals
 *   index            0..100, 2 decimals
 *   score            index * points / 100, 2 decimals
 *   first_failure    the first failed trace's message, or why it was not built
 *   shard            K/N of the run that graded the student (1/1: one run)
 *   class_size       students in the whole class, every shard
 *
 * The same inputs give the same bytes: no time, no host, no path of the run
 * in the book, and numbers through "%.Nf" in the C locale. A book is written
 * to PATH.tmp and renamed into place, so a book that exists is complete.
 *
 * Shards: a class too large for one machine is graded as N runs, run K
 * taking the students at positions p (of the sorted class) with
 * p % N == K - 1. Each run writes its own book; merge checks they are the N
 * shards of one class and writes the class's book. A row keeps its shard:
 * with time costs each shard's reference was measured on its own machine,
 * so the instructor can tell which students were timed together.
 *
 * A shard K > class_size has no student (the round robin leaves it empty):
 * its book is a header alone and names no shard, so merge accepts such
 * books and does not require them.
 */
#define _POSIX_C_SOURCE 200809L /* strdup */

#include "grade.h"

#include "grade_output.h"
#include "report.h"

#include <errno.h>
#include <limits.h>
#include <math.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define COLUMN_COUNT ((size_t)13) /* the names of header_text, below */
enum { COL_STUDENT = 0, COL_SHARD = 11, COL_CLASS_SIZE = 12 };
/* The columns (in the order of the comment above) as one line: the header
 * row, written and checked as is. */
static const char header_text[] =
    "student,build,warnings,traces_correct,traces,utilization,throughput,throughput_ratio,"
    "index,score,first_failure,shard,class_size";

/* ---- what the outputs share (grade_output.h) ------------------------------------- */

int grade_error(char *error, size_t error_size, const char *format, ...)
{
    va_list args;
    va_start(args, format);
    vsnprintf(error, error_size, format, args);
    va_end(args);
    return -1;
}

const char *grade_build_name(enum grade_build_status build)
{
    switch (build) {
    case BUILD_OK: return "ok";
    case BUILD_FAILED: return "failed";
    case BUILD_REFUSED: return "refused";
    }
    return "?";
}

FILE *grade_output_open(const char *path, char *tmp, size_t tmp_size, char *error,
                        size_t error_size)
{
    if ((size_t)snprintf(tmp, tmp_size, "%s.tmp", path) >= tmp_size) {
        grade_error(error, error_size, "%s: path too long", path);
        return NULL;
    }
    FILE *out = fopen(tmp, "w");
    if (out == NULL)
        grade_error(error, error_size, "%s: %s", tmp, strerror(errno));
    return out;
}

int grade_output_commit(FILE *out, const char *tmp, const char *path, char *error,
                        size_t error_size)
{
    int failed = ferror(out);
    int saved = errno;
    if (fclose(out) != 0 && !failed)
        failed = 1, saved = errno;
    if (failed) {
        remove(tmp);
        return grade_error(error, error_size, "%s: %s", tmp, strerror(saved ? saved : EIO));
    }
    if (rename(tmp, path) != 0) {
        saved = errno;
        remove(tmp);
        return grade_error(error, error_size, "%s: %s", path, strerror(saved));
    }
    return 0;
}

/* ---- shards ------------------------------------------------------------------- */

/* Digits only (no sign, no space) into *value; 0 when there are none or too
 * many for an unsigned, with *end after them. */
static int read_count(const char *text, const char **end, unsigned *value, int *overflow)
{
    unsigned long long v = 0;
    const char *p = text;
    *overflow = 0;
    for (; *p >= '0' && *p <= '9'; p++) {
        v = v * 10 + (unsigned)(*p - '0');
        if (v > UINT_MAX)
            *overflow = 1, v = UINT_MAX; /* keep reading: the message quotes the whole text */
    }
    *end = p;
    *value = (unsigned)v;
    return p > text;
}

int grade_shard_parse(const char *text, struct grade_shard *shard, char *error,
                      size_t error_size)
{
    const char *p;
    unsigned k, n;
    int k_overflow, n_overflow;
    if (!read_count(text, &p, &k, &k_overflow) || *p != '/' ||
        !read_count(p + 1, &p, &n, &n_overflow) || *p != '\0')
        return grade_error(error, error_size,
                           "shard \"%s\": expected K/N, this run's shard K of N, as 2/4", text);
    if (k_overflow || n_overflow)
        return grade_error(error, error_size, "shard %s: %s is too large (at most %u)", text,
                           k_overflow ? "K" : "N", UINT_MAX);
    if (n == 0)
        return grade_error(error, error_size, "shard %s: N must be at least 1", text);
    if (k < 1 || k > n)
        return grade_error(error, error_size, "shard %s: K must be between 1 and N", text);
    shard->index = k;
    shard->count = n;
    return 0;
}

int grade_shard_has(const struct grade_shard *shard, size_t position)
{
    if (shard->count == 0)
        return 1; /* never parsed: the whole class */
    return position % shard->count == shard->index - 1;
}

/* ---- writing a book -------------------------------------------------------------- */

/* A figure as the book prints it: a NaN or infinity (which scoring never
 * makes, but a book must stay parseable) prints as 0. */
static void number(FILE *out, int decimals, double x)
{
    fprintf(out, "%.*f", decimals, isfinite(x) ? x : 0.0);
}

static void header(FILE *out)
{
    fprintf(out, "%s\n", header_text);
}

static void row(FILE *out, const struct grade_config *config, const struct grade_student *st,
                const char *shard, size_t class_size)
{
    const struct grade_score *s = &st->score;
    report_csv_text(out, st->id);
    fprintf(out, ",%s,%u,%u,%zu,", grade_build_name(st->build), st->warnings, s->traces_correct,
            config->trace_count);
    number(out, 4, s->utilization);
    fputc(',', out);
    number(out, config->cost == COST_INSTRUCTIONS ? 2 : 1, s->throughput);
    fputc(',', out);
    number(out, 4, s->throughput_ratio);
    fputc(',', out);
    number(out, 2, s->index);
    fputc(',', out);
    number(out, 2, s->score);
    fputc(',', out);
    if (st->build != BUILD_OK)
        report_csv_text(out, st->build_message);
    else if (s->first_failure != SIZE_MAX && st->results != NULL &&
             s->first_failure < config->trace_count)
        report_csv_text(out, st->results[s->first_failure].message);
    fprintf(out, ",%s,%zu\n", shard, class_size);
}

static int by_id(const void *a, const void *b)
{
    const struct grade_student *const *x = a, *const *y = b;
    return strcmp((*x)->id, (*y)->id);
}

int grade_write_book(const char *path, const struct grade_config *config,
                     const struct grade_student *students, size_t count,
                     const struct grade_shard *shard, size_t class_size, char *error,
                     size_t error_size)
{
    /* sorted here, not trusted: the book's order is part of its bytes */
    const struct grade_student **sorted = calloc(count ? count : 1, sizeof *sorted);
    if (sorted == NULL)
        return grade_error(error, error_size, "%s: out of memory", path);
    for (size_t i = 0; i < count; i++)
        sorted[i] = &students[i];
    qsort(sorted, count, sizeof *sorted, by_id);

    char shard_text[32];
    snprintf(shard_text, sizeof shard_text, "%u/%u", shard ? shard->index : 1u,
             shard ? shard->count : 1u);
    char tmp[4200];
    FILE *out = grade_output_open(path, tmp, sizeof tmp, error, error_size);
    if (out == NULL) {
        free(sorted);
        return -1;
    }
    header(out);
    for (size_t i = 0; i < count; i++)
        row(out, config, sorted[i], shard_text, class_size);
    free(sorted);
    return grade_output_commit(out, tmp, path, error, error_size);
}

/* ---- reading a book ------------------------------------------------------------- */

/* One row of a book: its fields, and the line it starts on. */
struct record {
    char *fields[COLUMN_COUNT];
    size_t field_count;
    unsigned line;
    const char *book;
    size_t book_index; /* its place on the command line: ties sort by it */
    struct grade_shard shard;
    size_t class_size;
};

struct book {
    const char *path;
    size_t index; /* of books[] */
    char *text;
    struct record *rows;
    size_t row_count;
    struct grade_shard shard; /* of its rows; count 0 when it has none */
    size_t class_size;
};

static char *read_whole(const char *path, char *error, size_t error_size)
{
    FILE *in = fopen(path, "rb");
    if (in == NULL) {
        grade_error(error, error_size, "%s: %s", path, strerror(errno));
        return NULL;
    }
    size_t size = 0, capacity = 4096;
    char *text = malloc(capacity);
    for (size_t got; text != NULL && (got = fread(text + size, 1, capacity - size - 1, in)) > 0;) {
        size += got;
        if (capacity - size - 1 == 0) {
            char *bigger = realloc(text, capacity * 2);
            if (bigger == NULL)
                free(text);
            text = bigger;
            capacity *= 2;
        }
    }
    const char *why = text == NULL ? "out of memory" : ferror(in) ? "read error" : NULL;
    fclose(in);
    if (why != NULL) {
        free(text);
        grade_error(error, error_size, "%s: %s", path, why);
        return NULL;
    }
    text[size] = '\0';
    return text;
}

/* Reads one CSV record at *cursor (RFC 4180: quoted fields may hold commas,
 * doubled quotes and line ends; a record ends at \n or \r\n), unquoting in
 * place: each field ends up NUL-terminated inside the text. Counts the
 * lines it crosses in *line. Returns the number of fields (up to max are
 * kept), or -1 for a quote that is never closed or stray text after one. */
static long read_record(char **cursor, unsigned *line, char **fields, size_t max)
{
    char *p = *cursor;
    long count = 0;
    for (;;) {
        char *start = p, *to = p;
        if (*p == '"') {
            for (p++;; p++) {
                if (*p == '\0')
                    return -1;
                if (*p == '"') {
                    if (p[1] != '"')
                        break;
                    p++;
                }
                if (*p == '\n')
                    ++*line;
                *to++ = *p;
            }
            p++; /* the closing quote */
            if (*p != ',' && *p != '\n' && *p != '\0' && !(*p == '\r' && p[1] == '\n'))
                return -1;
        } else {
            while (*p != ',' && *p != '\n' && *p != '\0' && !(*p == '\r' && p[1] == '\n'))
                *to++ = *p++;
        }
        char end = *p;
        *to = '\0';
        if ((size_t)count < max)
            fields[count] = start;
        count++;
        if (end == ',') {
            p++;
            continue;
        }
        /* *p may be the NUL just written over the delimiter: go by end */
        if (end == '\r' || end == '\n')
            p += end == '\r' ? 2 : 1, ++*line;
        *cursor = p;
        return count;
    }
}

static int parse_size(const char *text, size_t *value)
{
    if (*text < '0' || *text > '9')
        return -1;
    errno = 0;
    char *end;
    unsigned long long v = strtoull(text, &end, 10);
    if (*end != '\0' || errno != 0 || v > SIZE_MAX)
        return -1;
    *value = (size_t)v;
    return 0;
}

/* Reads and checks one book: its header, its rows' shape, one shard and one
 * class size throughout. */
static int load_book(struct book *book, char *error, size_t error_size)
{
    book->text = read_whole(book->path, error, error_size);
    if (book->text == NULL)
        return -1;
    /* the header row exactly as grade_write_book writes it */
    size_t length = strlen(header_text);
    char *cursor = book->text + length;
    if (strncmp(book->text, header_text, length) != 0 ||
        (*cursor != '\n' && strncmp(cursor, "\r\n", 2) != 0))
        return grade_error(error, error_size,
                           "%s:1: not a dmm-grade grade book (its header row is not %s)",
                           book->path, header_text);
    cursor += *cursor == '\r' ? 2 : 1;
    unsigned line = 2;
    char *fields[COLUMN_COUNT];
    long n;

    size_t capacity = 0;
    while (*cursor != '\0') {
        unsigned start = line;
        n = read_record(&cursor, &line, fields, COLUMN_COUNT);
        if (n < 0)
            return grade_error(error, error_size, "%s:%u: a quoted field is not closed properly",
                               book->path, start);
        if (n == 1 && fields[0][0] == '\0')
            continue; /* an empty line, as an editor may leave at the end */
        if (n != (long)COLUMN_COUNT)
            return grade_error(error, error_size, "%s:%u: %ld fields, a grade book row has %zu",
                               book->path, start, n, COLUMN_COUNT);
        if (book->row_count == capacity) {
            capacity = capacity ? capacity * 2 : 16;
            struct record *bigger = realloc(book->rows, capacity * sizeof *bigger);
            if (bigger == NULL)
                return grade_error(error, error_size, "%s: out of memory", book->path);
            book->rows = bigger;
        }
        struct record *r = &book->rows[book->row_count++];
        memcpy(r->fields, fields, sizeof fields);
        r->field_count = (size_t)n;
        r->line = start;
        r->book = book->path;
        r->book_index = book->index;
        char why[160];
        if (grade_shard_parse(r->fields[COL_SHARD], &r->shard, why, sizeof why) != 0)
            return grade_error(error, error_size, "%s:%u: %s", book->path, start, why);
        if (parse_size(r->fields[COL_CLASS_SIZE], &r->class_size) != 0)
            return grade_error(error, error_size, "%s:%u: class_size \"%s\" is not a number",
                               book->path, start, r->fields[COL_CLASS_SIZE]);
        if (r->fields[COL_STUDENT][0] == '\0')
            return grade_error(error, error_size, "%s:%u: a row without a student", book->path,
                               start);
        if (book->row_count == 1) {
            book->shard = r->shard;
            book->class_size = r->class_size;
        } else if (r->shard.index != book->shard.index || r->shard.count != book->shard.count ||
                   r->class_size != book->class_size) {
            return grade_error(error, error_size,
                               "%s:%u: shard %u/%u of a class of %zu, but the book's first row "
                               "says %u/%u of %zu",
                               book->path, start, r->shard.index, r->shard.count, r->class_size,
                               book->shard.index, book->shard.count, book->class_size);
        }
    }
    return 0;
}

/* ---- merge ------------------------------------------------------------------------ */

static int by_student(const void *a, const void *b)
{
    const struct record *const *x = a, *const *y = b;
    int order = strcmp((*x)->fields[COL_STUDENT], (*y)->fields[COL_STUDENT]);
    if (order != 0)
        return order;
    if ((*x)->book_index != (*y)->book_index) /* qsort is not stable: messages must be */
        return (*x)->book_index < (*y)->book_index ? -1 : 1;
    return (*x)->line < (*y)->line ? -1 : (*x)->line > (*y)->line;
}

/* Rows the round robin gives shard k of n in a class of size students. */
static size_t shard_rows(size_t size, unsigned k, unsigned n)
{
    return size >= k ? (size - k) / n + 1 : 0;
}

/* Checks the books are the shards of one class; sorted gets every row. */
static int check_books(const struct book *books, size_t book_count, const struct record **sorted,
                       size_t *row_count, char *error, size_t error_size)
{
    const struct book *first = NULL; /* the first book with rows: it names the class */
    size_t rows = 0;
    for (size_t b = 0; b < book_count; b++) {
        const struct book *book = &books[b];
        if (book->row_count == 0)
            continue;
        if (first == NULL) {
            first = book;
        } else if (book->class_size != first->class_size) {
            return grade_error(error, error_size,
                               "%s has a class of %zu students, %s of %zu: they are not shards of "
                               "one class",
                               first->path, first->class_size, book->path, book->class_size);
        } else if (book->shard.count != first->shard.count) {
            return grade_error(error, error_size,
                               "%s is shard %u/%u, %s is shard %u/%u: one class is split one way",
                               first->path, first->shard.index, first->shard.count, book->path,
                               book->shard.index, book->shard.count);
        }
        for (size_t o = 0; o < b; o++)
            if (books[o].row_count > 0 && books[o].shard.index == book->shard.index)
                return grade_error(error, error_size, "shard %u/%u given twice: %s and %s",
                                   book->shard.index, book->shard.count, books[o].path, book->path);
        for (size_t i = 0; i < book->row_count; i++)
            sorted[rows++] = &book->rows[i];
    }
    *row_count = rows;
    if (first == NULL)
        return 0; /* only empty books: an empty class */

    unsigned n = first->shard.count;
    for (unsigned k = 1; k <= n && k <= first->class_size; k++) {
        const struct book *found = NULL;
        for (size_t b = 0; b < book_count && found == NULL; b++)
            if (books[b].row_count > 0 && books[b].shard.index == k)
                found = &books[b];
        if (found == NULL) {
            const char *empty = NULL; /* a header alone cannot say which shard it was */
            for (size_t b = 0; b < book_count && empty == NULL; b++)
                if (books[b].row_count == 0)
                    empty = books[b].path;
            if (empty != NULL)
                return grade_error(error, error_size,
                                   "shard %u/%u is missing (%s has no rows, so it names no "
                                   "shard)",
                                   k, n, empty);
            return grade_error(error, error_size, "shard %u/%u is missing", k, n);
        }
    }

    qsort(sorted, rows, sizeof *sorted, by_student);
    for (size_t i = 1; i < rows; i++)
        if (strcmp(sorted[i - 1]->fields[COL_STUDENT], sorted[i]->fields[COL_STUDENT]) == 0) {
            if (sorted[i - 1]->book == sorted[i]->book)
                return grade_error(error, error_size, "student %s is in %s twice (lines %u and %u)",
                                   sorted[i]->fields[COL_STUDENT], sorted[i]->book,
                                   sorted[i - 1]->line, sorted[i]->line);
            return grade_error(error, error_size, "student %s is in %s and %s",
                               sorted[i]->fields[COL_STUDENT], sorted[i - 1]->book,
                               sorted[i]->book);
        }
    if (rows != first->class_size)
        return grade_error(error, error_size,
                           "%zu students in the shards, the class has %zu: a shard book is "
                           "incomplete",
                           rows, first->class_size);
    for (size_t b = 0; b < book_count; b++) {
        const struct book *book = &books[b];
        size_t expected = shard_rows(first->class_size, book->shard.index, n);
        if (book->row_count > 0 && book->row_count != expected)
            return grade_error(error, error_size,
                               "%s: shard %u/%u has %zu student%s, the round robin gives it %zu of "
                               "a class of %zu",
                               book->path, book->shard.index, n, book->row_count,
                               book->row_count == 1 ? "" : "s", expected, first->class_size);
    }
    return 0;
}

int grade_merge(const char *out_path, const char *const *books, size_t book_count,
                char *error, size_t error_size)
{
    if (book_count == 0)
        return grade_error(error, error_size, "merge: no grade book given");
    struct book *loaded = calloc(book_count, sizeof *loaded);
    if (loaded == NULL)
        return grade_error(error, error_size, "merge: out of memory");
    int status = 0;
    size_t total = 0;
    for (size_t b = 0; b < book_count && status == 0; b++) {
        loaded[b].path = books[b];
        loaded[b].index = b;
        status = load_book(&loaded[b], error, error_size);
        total += loaded[b].row_count;
    }
    const struct record **sorted = NULL;
    size_t rows = 0;
    if (status == 0) {
        sorted = calloc(total ? total : 1, sizeof *sorted);
        if (sorted == NULL)
            status = grade_error(error, error_size, "merge: out of memory");
    }
    if (status == 0)
        status = check_books(loaded, book_count, sorted, &rows, error, error_size);
    if (status == 0) {
        char tmp[4200];
        FILE *out = grade_output_open(out_path, tmp, sizeof tmp, error, error_size);
        if (out == NULL) {
            status = -1;
        } else {
            header(out);
            for (size_t i = 0; i < rows; i++)
                for (size_t c = 0; c < COLUMN_COUNT; c++) {
                    report_csv_text(out, sorted[i]->fields[c]);
                    fputc(c + 1 < COLUMN_COUNT ? ',' : '\n', out);
                }
            status = grade_output_commit(out, tmp, out_path, error, error_size);
        }
    }
    free(sorted);
    for (size_t b = 0; b < book_count; b++) {
        free(loaded[b].text);
        free(loaded[b].rows);
    }
    free(loaded);
    return status;
}
