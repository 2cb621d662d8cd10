/*
 * grade_output.h — what dmm-grade's output files share: the grade book
 * (gradebook.c), the feedback pages (feedback.c), the -g lines and
 * Gradescope's results.json (gradescope.c). Internal to the tool: grade.h
 * is the contract, this only keeps one copy of each helper.
 */
#ifndef DMM_GRADE_OUTPUT_H
#define DMM_GRADE_OUTPUT_H

#include "grade.h"

#include <stddef.h>
#include <stdio.h>

/* ---- gradebook.c -------------------------------------------------------------- */

/* The message into error; returns -1, so that `return grade_error(...)` fails. */
__attribute__((format(printf, 3, 4)))
int grade_error(char *error, size_t error_size, const char *format, ...);

/* "ok", "failed", "refused": the book's build column, and the pages' words. */
const char *grade_build_name(enum grade_build_status build);

/* Every output is written to PATH.tmp (tmp, of tmp_size bytes) and renamed
 * to PATH once complete, so that a file that exists is whole. open returns
 * NULL with a message; commit closes, renames, and returns 0, or removes
 * the temporary file and returns -1 with a message. */
FILE *grade_output_open(const char *path, char *tmp, size_t tmp_size, char *error,
                        size_t error_size);
int grade_output_commit(FILE *out, const char *tmp, const char *path, char *error,
                        size_t error_size);

/* ---- feedback.c ---------------------------------------------------------------- */

/* A string built with stdio: a memory stream. close returns the text ("" if
 * the stream could not make one); the caller frees text->text after. */
struct grade_text {
    FILE *out;
    char *text;
    size_t size;
};
int grade_text_open(struct grade_text *text);
const char *grade_text_close(struct grade_text *text);

/* The trace's name for tables (its file name without folders). */
const char *grade_trace_name(const struct grade_context *context, size_t trace);

/* The weight of the scored traces, and of those the student got right. */
void grade_weights(const struct grade_config *config, const struct grade_student *student,
                   double *total, double *correct);

/* The pieces of text every page starts or ends with, as plain text: the
 * summary (student, build, overall figures, the index formula with its
 * numbers, the score), the compiler's output (capped), and the failures
 * with the commands that reproduce the first one ("" when none). */
void grade_feedback_summary(FILE *out, const struct grade_context *context,
                            const struct grade_student *student);
void grade_feedback_build_log(FILE *out, const struct grade_student *student);
void grade_feedback_failures(FILE *out, const struct grade_context *context,
                             const struct grade_student *student);

#endif /* DMM_GRADE_OUTPUT_H */
