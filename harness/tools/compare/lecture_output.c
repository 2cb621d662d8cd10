/*
 * lecture_output.c — the lecture's table as dmm-compare writes it:
 * lecture-table.csv (one row per allocator, the three verdicts, their
 * reasons, and where the row it is compared with comes from: the
 * lecture's own table or dmm's reading of a slide, quoted) and the aligned
 * text table it prints and keeps in lecture-table.txt, each measured row
 * above the row it is compared with ("lecture" or "reading", a reading's
 * slide quoted beneath), a '*' on every verdict that differs. The rows come
 * from lecture_judge (lecture_table.c); nothing here judges.
 */
#include "lecture_table.h"

#include "report.h"

#include <stdio.h>
#include <string.h>

/* One field (report.h quotes it), then the separator. */
static void csv_field(FILE *out, const char *text, char after)
{
    report_csv_text(out, text);
    fputc(after, out);
}

int lecture_write_csv(FILE *out, const struct lecture_row *rows, size_t count)
{
    /* source and quote come last: columns are appended, never moved */
    fputs("allocator,space,malloc_time,free_time,space_why,malloc_why,free_why,source,quote\n",
          out);
    for (size_t i = 0; i < count; i++) {
        const struct lecture_row *r = &rows[i];
        const struct lecture_reference *ref = lecture_reference(r->allocator);
        const char *fields[] = {r->allocator, r->space,     r->malloc_time, r->free_time,
                                r->space_why, r->malloc_why, r->free_why,
                                lecture_source_name(ref != NULL ? ref->source : LECTURE_NO_ROW),
                                ref != NULL ? ref->quote : ""};
        size_t field_count = sizeof fields / sizeof fields[0];
        for (size_t f = 0; f < field_count; f++)
            csv_field(out, fields[f], f + 1 < field_count ? ',' : '\n');
    }
    return ferror(out) ? -1 : 0;
}

static size_t max_size(size_t a, size_t b)
{
    return a > b ? a : b;
}

#define MARK " *" /* after a measured verdict that is not the row beneath's */

/* The label of the row a measured row is compared with. */
static const char *reference_label(const struct lecture_reference *ref)
{
    return ref == NULL ? "lecture" : ref->source == LECTURE_OWN_ROW ? "lecture" : "reading";
}

int lecture_print_table(FILE *out, const struct lecture_row *rows, size_t count, int show_why)
{
    static const char *const headers[3] = {"space", "malloc time", "free time"};
    size_t name_width = strlen("allocator"), width[3];
    for (int c = 0; c < 3; c++)
        width[c] = strlen(headers[c]);
    for (size_t i = 0; i < count; i++) {
        const char *expected[3] = {"", "", ""};
        const char *measured[3] = {rows[i].space, rows[i].malloc_time, rows[i].free_time};
        lecture_expected(rows[i].allocator, &expected[0], &expected[1], &expected[2]);
        name_width = max_size(name_width, strlen(rows[i].allocator));
        for (int c = 0; c < 3; c++)
            width[c] = max_size(width[c], max_size(strlen(measured[c]), strlen(expected[c])));
    }
    int differs = 0, readings = 0;
    fprintf(out, "%-*s  %-8s  %-*s  %-*s  %s\n", (int)name_width, "allocator", "", (int)width[0] + 2,
            headers[0], (int)width[1] + 2, headers[1], headers[2]);
    for (size_t i = 0; i < count; i++) {
        const char *expected[3];
        const char *measured[3] = {rows[i].space, rows[i].malloc_time, rows[i].free_time};
        const struct lecture_reference *ref = lecture_reference(rows[i].allocator);
        int known = lecture_expected(rows[i].allocator, &expected[0], &expected[1], &expected[2]) !=
                    LECTURE_NO_ROW;
        fprintf(out, "%-*s  %-8s", (int)name_width, rows[i].allocator, "measured");
        for (int c = 0; c < 3; c++) {
            int mark = known && strcmp(measured[c], expected[c]) != 0;
            differs |= mark;
            int fill = c < 2 ? (int)(width[c] - strlen(measured[c]) + 2) : 0; /* none at line end */
            fprintf(out, "  %s%-*s", measured[c], fill, mark ? MARK : "");
        }
        fprintf(out, "\n%-*s  %-8s", (int)name_width, "", reference_label(ref));
        if (!known)
            fputs("  (no row: neither the lecture nor dmm's reading has one)", out);
        for (int c = 0; known && c < 3; c++)
            fprintf(out, "  %-*s", c < 2 ? (int)width[c] + 2 : 0, expected[c]);
        fputc('\n', out);
        if (ref != NULL && ref->source == LECTURE_READING) {
            fprintf(out, "%-*s  %-8s  %s\n", (int)name_width, "", "slide", ref->quote);
            readings = 1;
        }
    }
    if (differs)
        fputs("*: the measured verdict is not the one beneath it\n", out);
    if (readings)
        fputs("reading: dmm's reading of a slide, not a row of the lecture's table; the slide's "
              "words beneath it\n", out);
    for (size_t i = 0; show_why && i < count; i++)
        fprintf(out, "%s%s\n  space:  %s\n  malloc: %s\n  free:   %s\n", i == 0 ? "\nWhy:\n" : "",
                rows[i].allocator, rows[i].space_why, rows[i].malloc_why, rows[i].free_why);
    return ferror(out) ? -1 : 0;
}
