/*
 * check_lecture_output.c — the writers of the lecture's table
 * (harness/tools/compare/lecture_output.c): lecture-table.csv's exact text,
 * quoting included, the source and quote columns appended, and the
 * printed table's columns, its marks where a measured verdict is not the
 * row beneath it, dmm's readings labelled with their slide's words, and the
 * reasons when asked.
 */
#include "lecture_table.h"

#include "suite.h"

#include <check.h>
#include <stdio.h>
#include <string.h>

/* ---- the writers --------------------------------------------------------------------------- */

/* Everything written to a temporary file, as one string (static buffer). */
static const char *written(int (*write)(FILE *, const struct lecture_row *, size_t, int),
                           const struct lecture_row *rows, size_t count, int flag)
{
    static char text[16384];
    FILE *file = tmpfile();
    require(file != NULL, "tmpfile failed");
    ck_assert_int_eq(write(file, rows, count, flag), 0);
    rewind(file);
    size_t n = fread(text, 1, sizeof text - 1, file);
    text[n] = '\0';
    fclose(file);
    return text;
}

static int write_csv(FILE *out, const struct lecture_row *rows, size_t count, int flag)
{
    (void)flag;
    return lecture_write_csv(out, rows, count);
}

static struct lecture_row make_row(const char *name, const char *space, const char *malloc_time,
                                   const char *free_time, const char *space_why,
                                   const char *malloc_why, const char *free_why)
{
    struct lecture_row row = {0};
    snprintf(row.allocator, sizeof row.allocator, "%s", name);
    snprintf(row.space, sizeof row.space, "%s", space);
    snprintf(row.malloc_time, sizeof row.malloc_time, "%s", malloc_time);
    snprintf(row.free_time, sizeof row.free_time, "%s", free_time);
    snprintf(row.space_why, sizeof row.space_why, "%s", space_why);
    snprintf(row.malloc_why, sizeof row.malloc_why, "%s", malloc_why);
    snprintf(row.free_why, sizeof row.free_why, "%s", free_why);
    return row;
}

START_TEST(csv_exact_output)
{
    struct lecture_row rows[3] = {
        make_row("pad", "Bad", "Good", "Good", "no reuse", "0.09 calls", "flat"),
        make_row("mmap", "depends on the OS", "Bad for small chunks, Good for large", "Bad",
                 "page \"granularity\"", "a, b", "line\nbreak"),
        make_row("student", "Good", "Good", "Good", "s", "m", "f"),
    };
    /* source and quote are appended: the first seven columns stay where they were */
    ck_assert_str_eq(written(write_csv, rows, 3, 0),
                     "allocator,space,malloc_time,free_time,space_why,malloc_why,free_why,source,quote\n"
                     "pad,Bad,Good,Good,no reuse,0.09 calls,flat,lecture,"
                     "\"Summary (so far), row Pad: Bad | Good | Good\"\n"
                     "mmap,depends on the OS,\"Bad for small chunks, Good for large\",Bad,"
                     "\"page \"\"granularity\"\"\",\"a, b\",\"line\nbreak\",dmm's reading,"
                     "\"VM-mapping slide: \"\"space depends on the OS, time bad for small chunks and "
                     "good for large\"\"\"\n"
                     "student,Good,Good,Good,s,m,f,,\n");
    ck_assert_str_eq(written(write_csv, rows, 0, 0),
                     "allocator,space,malloc_time,free_time,space_why,malloc_why,free_why,source,"
                     "quote\n");
}
END_TEST

START_TEST(printed_table_marks_differences)
{
    struct lecture_row rows[3] = {
        make_row("pad", "Bad", "Bad", "Good", "s", "m", "f"),   /* malloc differs */
        make_row("bins", "Good", "Good", "Good", "s", "m", "f"),
        make_row("student", "Good", "Bad (but could be OK)", "Good", "s1", "m1", "f1"),
    };
    const char *text = written(lecture_print_table, rows, 3, 0);
    const char *header = strstr(text, "allocator");
    require(header == text, "the table starts with its header:\n%s", text);
    size_t space_column = (size_t)(strstr(text, "space") - text);
    size_t malloc_column = (size_t)(strstr(text, "malloc time") - text);

    /* Each line: the verdicts start in the header's columns. */
    const char *line = text;
    int lines = 0, marks = 0;
    while (*line != '\0') {
        const char *end = strchr(line, '\n');
        require(end != NULL, "every line ends with a newline");
        require(end == line || end[-1] != ' ', "trailing space in: %.*s", (int)(end - line), line);
        if (strncmp(line + space_column - 10, "measured", 8) == 0 ||
            strncmp(line + space_column - 10, "lecture ", 8) == 0) {
            require(line[space_column] != ' ' && line[space_column - 1] == ' ',
                    "space column misaligned: %.*s", (int)(end - line), line);
            if (strstr(line, "no row") == NULL)
                require(line[malloc_column] != ' ' && line[malloc_column - 1] == ' ',
                        "malloc column misaligned: %.*s", (int)(end - line), line);
        }
        for (const char *p = line; p < end; p++)
            marks += *p == '*' && p[1] != ':';
        lines++;
        line = end + 1;
    }
    ck_assert_int_eq(lines, 1 + 2 * 3 + 1);
    ck_assert_int_eq(marks, 1);
    require(strstr(text, "pad        measured  Bad      Bad *") == text + strcspn(text, "\n") + 1,
            "pad's row, malloc marked:\n%s", text);
    require(strstr(text, "           lecture   Bad      Good") != NULL, "pad's lecture row:\n%s", text);
    require(strstr(text, "lecture   (no row: neither the lecture nor dmm's reading has one)\n") != NULL,
            "%s", text);
    require(strstr(text, "*: the measured verdict is not the one beneath it\n") != NULL, "%s", text);
    require(strstr(text, "reading:") == NULL, "no reading, no legend for it:\n%s", text);
    require(strstr(text, "Why") == NULL, "no reasons unless asked:\n%s", text);

    text = written(lecture_print_table, rows, 3, 1);
    require(strstr(text, "\nWhy:\npad\n  space:  s\n  malloc: m\n  free:   f\n") != NULL, "%s", text);
    require(strstr(text, "student\n  space:  s1\n  malloc: m1\n  free:   f1\n") != NULL, "%s", text);

    text = written(lecture_print_table, rows + 1, 1, 0);
    require(strchr(text, '*') == NULL, "nothing differs, nothing marked:\n%s", text);
}
END_TEST

START_TEST(printed_table_labels_readings)
{
    struct lecture_row rows[2] = {
        make_row("bins", "Good", "Good", "Good", "s", "m", "f"),
        make_row("segregated", "Good", "Good", "Good", "s", "m", "f"), /* space differs */
    };
    const char *text = written(lecture_print_table, rows, 2, 0);
    int lines = 0;
    for (const char *p = text; *p != '\0'; p++)
        lines += *p == '\n';
    /* header; bins: measured, lecture; segregated: measured, reading, slide; two legends */
    ck_assert_int_eq(lines, 1 + 2 + 3 + 2);
    require(strstr(text, "           lecture   Good") != NULL, "bins under the lecture's row:\n%s",
            text);
    require(strstr(text, "           reading   Good (but fragments)") != NULL,
            "segregated under dmm's reading:\n%s", text);
    require(strstr(text, "           slide     segregated-metadata slide: space \"very very good") !=
                NULL, "the slide's words under the reading:\n%s", text);
    require(strstr(text, "Good *") != NULL, "segregated's space marked:\n%s", text);
    require(strstr(text, "\nreading: dmm's reading of a slide, not a row of the lecture's table") !=
                NULL, "%s", text);
    for (const char *line = text; *line != '\0'; line = strchr(line, '\n') + 1) {
        const char *end = strchr(line, '\n');
        require(end == line || end[-1] != ' ', "trailing space in: %.*s", (int)(end - line), line);
    }
}
END_TEST

int main(void)
{
    const struct test_group groups[] = {
        {"writers", {csv_exact_output, printed_table_marks_differences, printed_table_labels_readings}},
    };
    return run_test_groups("lecture-output", groups, sizeof groups / sizeof groups[0], NULL);
}
