/*
 * check_lecture_rows.c — what the measured rows are compared with
 * (harness/tools/compare/lecture_table.c): the lecture's own "Summary (so
 * far)" table, exactly its five rows in its words, and dmm's readings of
 * other slides (mmap, gnu, segregated, unsorted), each labelled as a
 * reading and carrying the slide's words. The rows are the lecture's, so
 * they are written out here from the lecture, not from the code.
 */
#include "lecture_table.h"

#include "suite.h"

#include <check.h>
#include <stdio.h>
#include <string.h>

/* The lecture's "Summary (so far)": five rows, its words. */
static const char *const own_rows[5][4] = {
    {"minimal", "Bad", "Bad", "Good"},
    {"pad", "Bad", "Good", "Good"},
    {"list", "Good", "Bad (but could be OK)", "Bad"},
    {"dlist", "Good", "Bad (but could be OK)", "Good"},
    {"bins", "Good", "Good", "Good"},
};

/* dmm's readings, and words of their slides each quote must carry. */
static const struct {
    const char *allocator, *slide_words;
} readings[] = {
    {"mmap", "space depends on the OS, time bad for small chunks and good for large"},
    {"gnu", "bins for small chunks, mmap for large"},
    {"segregated", "very very good ... possibly bad"},
    {"unsorted", "Unsorted-list-no-coalesce"},
};

static struct lecture_row row_with(const char *space, const char *malloc_time, const char *free_time)
{
    struct lecture_row row = {0};
    snprintf(row.space, sizeof row.space, "%s", space);
    snprintf(row.malloc_time, sizeof row.malloc_time, "%s", malloc_time);
    snprintf(row.free_time, sizeof row.free_time, "%s", free_time);
    return row;
}

START_TEST(the_lecture_table_has_five_rows)
{
    for (int i = 0; i < 5; i++) {
        const char *space = NULL, *malloc_time = NULL, *free_time = NULL;
        ck_assert_int_eq(lecture_expected(own_rows[i][0], &space, &malloc_time, &free_time),
                         LECTURE_OWN_ROW);
        ck_assert_str_eq(space, own_rows[i][1]);
        ck_assert_str_eq(malloc_time, own_rows[i][2]);
        ck_assert_str_eq(free_time, own_rows[i][3]);
        const struct lecture_reference *ref = lecture_reference(own_rows[i][0]);
        require(ref != NULL && ref->source == LECTURE_OWN_ROW, "%s", own_rows[i][0]);
        require(strstr(ref->quote, "Summary (so far)") != NULL, "%s: %s", own_rows[i][0], ref->quote);

        struct lecture_row row = row_with(space, malloc_time, free_time);
        ck_assert_int_eq(lecture_matches(own_rows[i][0], &row), LECTURE_SAME_AS_LECTURE);
        snprintf(row.free_time, sizeof row.free_time, "%s", "Bad (but could be OK)");
        ck_assert_int_eq(lecture_matches(own_rows[i][0], &row), 0);
    }
    /* The lecture calls dlist's row "doubly linked List". */
    require(strstr(lecture_reference("dlist")->quote, "doubly linked List") != NULL, "%s",
            lecture_reference("dlist")->quote);
}
END_TEST

START_TEST(every_other_row_is_a_reading_with_the_slide_quoted)
{
    for (size_t i = 0; i < sizeof readings / sizeof readings[0]; i++) {
        const char *space = NULL, *malloc_time = NULL, *free_time = NULL;
        ck_assert_int_eq(lecture_expected(readings[i].allocator, &space, &malloc_time, &free_time),
                         LECTURE_READING);
        const struct lecture_reference *ref = lecture_reference(readings[i].allocator);
        require(ref != NULL && ref->source == LECTURE_READING, "%s", readings[i].allocator);
        require(strstr(ref->quote, readings[i].slide_words) != NULL, "%s: %s", readings[i].allocator,
                ref->quote);
        struct lecture_row row = row_with(space, malloc_time, free_time);
        ck_assert_int_eq(lecture_matches(readings[i].allocator, &row), LECTURE_SAME_AS_READING);
        snprintf(row.space, sizeof row.space, "%s", "x");
        ck_assert_int_eq(lecture_matches(readings[i].allocator, &row), 0);
    }
    /* The lecture gives gnu no verdict: the quote says so. */
    require(strstr(lecture_reference("gnu")->quote, "no verdict") != NULL, "%s",
            lecture_reference("gnu")->quote);
    /* segregated's reading keeps the slide's caveat in its space verdict. */
    ck_assert_str_eq(lecture_reference("segregated")->space, "Good (but fragments)");
}
END_TEST

START_TEST(no_row_for_the_rest)
{
    const char *untouched = "x", *space = untouched, *malloc_time = untouched, *free_time = untouched;
    ck_assert_int_eq(lecture_expected("glibc", &space, &malloc_time, &free_time), LECTURE_NO_ROW);
    require(space == untouched && malloc_time == untouched && free_time == untouched,
            "outputs touched for an unknown allocator");
    ck_assert_int_eq(lecture_expected("Minimal", &space, &malloc_time, &free_time), LECTURE_NO_ROW);
    ck_assert_int_eq(lecture_expected(NULL, &space, &malloc_time, &free_time), LECTURE_NO_ROW);
    require(lecture_reference("student") == NULL, "no reference for a student's allocator");
    struct lecture_row row = row_with("Good", "Good", "Good");
    ck_assert_int_eq(lecture_matches("student", &row), -1);
    ck_assert_str_eq(lecture_source_name(LECTURE_OWN_ROW), "lecture");
    ck_assert_str_eq(lecture_source_name(LECTURE_READING), "dmm's reading");
    ck_assert_str_eq(lecture_source_name(LECTURE_NO_ROW), "");
}
END_TEST

int main(void)
{
    const struct test_group groups[] = {
        {"rows", {the_lecture_table_has_five_rows, every_other_row_is_a_reading_with_the_slide_quoted,
                  no_row_for_the_rest}},
    };
    return run_test_groups("lecture-rows", groups, sizeof groups / sizeof groups[0], NULL);
}
