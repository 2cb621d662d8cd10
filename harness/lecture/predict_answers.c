/*
 * predict_answers.c — the answers of predict, then reveal: what each
 * question accepts, and an answers file (--answers FILE), one answer a line.
 *
 * The same words are accepted typed at the prompt and read from a file, so
 * a transcript of an interactive session is a valid answers file once the
 * prompts are cut away. The file is read whole and checked against the
 * questions before the first operation runs (predict.c), so a bad file
 * stops with its FILE:LINE and nothing half-done.
 */
#define _POSIX_C_SOURCE 200809L /* getline, strdup, strncasecmp */

#include "predict.h"

#include <ctype.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

const char *const predict_question_names[PREDICT_QUESTIONS] = {"where", "steps", "coalesce"};

static const char *const merge_names[MERGES] = {"none", "prev", "next", "both", "gone"};

const char *predict_answer_form(enum predict_question question)
{
    switch (question) {
    case PREDICT_WHERE: return "a chunk number from the map, or 'new' if the heap must grow";
    case PREDICT_STEPS: return "a number of chunks, 0 or more";
    default: return "none, prev, next or both; gone if given back to the OS";
    }
}

/* A decimal number of at most 18 digits: no sign, no blanks, no suffix. */
static int parse_count(const char *text, size_t length, long long *value)
{
    if (length == 0 || length > 18)
        return -1;
    long long n = 0;
    for (size_t i = 0; i < length; i++) {
        if (!isdigit((unsigned char)text[i]))
            return -1;
        n = n * 10 + (text[i] - '0');
    }
    *value = n;
    return 0;
}

/* word (length bytes) is name, in any case. */
static int is_word(const char *word, size_t length, const char *name)
{
    return strlen(name) == length && strncasecmp(word, name, length) == 0;
}

int predict_parse_answer(enum predict_question question, const char *text, long long *value,
                         char *why, size_t why_size)
{
    while (isspace((unsigned char)*text))
        text++;
    size_t length = strlen(text);
    while (length > 0 && isspace((unsigned char)text[length - 1]))
        length--;
    if (length == 0) {
        snprintf(why, why_size, "no answer: give %s", predict_answer_form(question));
        return -1;
    }
    if (question == PREDICT_WHERE) {
        if (is_word(text, length, "new"))
            return *value = PREDICT_NEW, 0;
        if (is_word(text, length, "null"))
            return *value = PREDICT_NULL, 0;
    }
    if (question != PREDICT_COALESCE && parse_count(text, length, value) == 0)
        return 0;
    if (question == PREDICT_COALESCE)
        for (int m = 0; m < MERGES; m++)
            if (is_word(text, length, merge_names[m]))
                return *value = m, 0;
    snprintf(why, why_size, "'%.*s' is not an answer to '%s': give %s", (int)length, text,
             predict_question_names[question], predict_answer_form(question));
    return -1;
}

void predict_answer_text(enum predict_question question, long long value, char *text,
                         size_t size)
{
    if (question == PREDICT_COALESCE && value >= 0 && value < MERGES)
        snprintf(text, size, "%s", merge_names[value]);
    else if (question == PREDICT_WHERE && value == PREDICT_NEW)
        snprintf(text, size, "new");
    else if (question == PREDICT_WHERE && value == PREDICT_NULL)
        snprintf(text, size, "null");
    else
        snprintf(text, size, "%lld", value);
}

/* ---- the answers file ------------------------------------------------------------ */

/* Appends one answer; -1 when memory runs out. */
static int add_line(struct predict_answers *answers, size_t *capacity, const char *text,
                    size_t length, size_t line)
{
    if (answers->count == *capacity) {
        size_t grown = *capacity ? *capacity * 2 : 32;
        struct predict_line *lines = realloc(answers->lines, grown * sizeof *lines);
        if (lines == NULL)
            return -1;
        answers->lines = lines;
        *capacity = grown;
    }
    char *copy = strndup(text, length);
    if (copy == NULL)
        return -1;
    answers->lines[answers->count++] = (struct predict_line){copy, line};
    return 0;
}

int predict_answers_load(const char *path, struct predict_answers *answers, char *error,
                         size_t error_size)
{
    *answers = (struct predict_answers){.path = path};
    FILE *file = fopen(path, "r");
    if (file == NULL) {
        snprintf(error, error_size, "%s: %s", path, strerror(errno));
        return -1;
    }
    char *buffer = NULL;
    size_t buffer_size = 0, capacity = 0, line = 0;
    ssize_t got;
    int failed = 0;
    while (!failed && (got = getline(&buffer, &buffer_size, file)) >= 0) {
        line++;
        if (memchr(buffer, '\0', (size_t)got) != NULL) {
            snprintf(error, error_size, "%s:%zu: NUL byte: an answers file is text", path, line);
            failed = 1;
            break;
        }
        buffer[strcspn(buffer, "#\r\n")] = '\0'; /* the comment and the line end */
        const char *start = buffer;
        while (isspace((unsigned char)*start))
            start++;
        size_t length = strlen(start);
        while (length > 0 && isspace((unsigned char)start[length - 1]))
            length--;
        if (length > 0 && add_line(answers, &capacity, start, length, line) != 0) {
            snprintf(error, error_size, "%s: out of memory", path);
            failed = 1;
        }
    }
    if (!failed && ferror(file)) {
        snprintf(error, error_size, "%s: %s", path, strerror(errno));
        failed = 1;
    }
    free(buffer);
    fclose(file);
    if (failed)
        predict_answers_free(answers);
    return failed ? -1 : 0;
}

void predict_answers_free(struct predict_answers *answers)
{
    for (size_t i = 0; i < answers->count; i++)
        free(answers->lines[i].text);
    free(answers->lines);
    answers->lines = NULL;
    answers->count = answers->next = 0;
}
