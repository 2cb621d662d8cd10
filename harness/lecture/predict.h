/*
 * predict.h — predict, then reveal: the parts of dmm-predict-NAME that the
 * main loop (predict.c) shares with the heap map (predict_map.c) and the
 * answers (predict_answers.c).
 *
 * The idea (OSTEP's malloc.py -c): show the heap and the next operation,
 * let the student say what the allocator will do, then do it and show what
 * it did. Every right answer is read off what the allocator actually did —
 * the address it returned against the chunks of the map drawn before the
 * call, dmm_stats' step counters before and after, the map after a free —
 * never from a model of the allocator, so the tool cannot disagree with the
 * allocator it is linked with, whatever its policy.
 *
 * Three questions (docs/predict.md):
 *   where     before malloc, calloc, realloc: the number of the map's chunk
 *             the block will be carved from, or "new" when the heap section
 *             must grow (or a mapping be made) to hold it
 *   steps     before every operation: the chunks malloc and free will examine
 *             (dmm_stats malloc_steps + free_steps, during that one call)
 *   coalesce  before free (and realloc(p, 0)): whether the freed chunk merges
 *             with the chunk before it in memory, after it, both or none;
 *             "gone" when its memory leaves the heap map (unmapped, trimmed)
 */
#ifndef DMM_PREDICT_H
#define DMM_PREDICT_H

#include "dmm.h"

#include <stddef.h>
#include <stdint.h>

enum predict_question { PREDICT_WHERE, PREDICT_STEPS, PREDICT_COALESCE, PREDICT_QUESTIONS };

/* The answer to "where", beside the chunk numbers 0, 1, ... */
#define PREDICT_NEW (-1)  /* the heap section grew, or a mapping was made */
#define PREDICT_NULL (-2) /* the call returned NULL */

/* The answers to "coalesce". */
enum predict_merge { MERGE_NONE, MERGE_PREV, MERGE_NEXT, MERGE_BOTH, MERGE_GONE, MERGES };

/* "where", "steps", "coalesce". */
extern const char *const predict_question_names[PREDICT_QUESTIONS];

/* What a right answer looks like, for messages: "a chunk number, or 'new'". */
const char *predict_answer_form(enum predict_question question);

/* Reads one answer (blanks around it allowed, any case): returns 0 and the
 * value (a chunk number, PREDICT_NEW or PREDICT_NULL; a step count; an enum
 * predict_merge), or -1 with why it is not an answer in why[why_size]. */
int predict_parse_answer(enum predict_question question, const char *text, long long *value,
                         char *why, size_t why_size);

/* The value as the answer is written: "3", "new", "null", "prev". */
void predict_answer_text(enum predict_question question, long long value, char *text,
                         size_t size);

/* ---- the heap map (predict_map.c) ------------------------------------------- */

/* The chunks one walk of the heap checker visited, in its order: the heap
 * section's in address order, then the mapped chunks. */
struct predict_map {
    struct dmm_chunk_info *chunks;
    size_t count, capacity;
};

/* Walks the heap into map (emptied first). Returns NULL, or the checker's
 * message when an invariant is broken. */
const char *predict_map_read(struct predict_map *map);
void predict_map_free(struct predict_map *map);

/* The number of the chunk that holds address p, or -1. */
long long predict_map_find(const struct predict_map *map, const void *p);

/* "[F 144]" (describe.c's look), into text. */
void predict_chunk_text(const struct dmm_chunk_info *chunk, char *text, size_t size);

/* Prints the map, each chunk's number under its bracket, wrapped to a
 * terminal's width; the first line starts with label. */
void predict_map_print(const struct predict_map *map, const char *label);

/* The right answer to "where" for the block p a call returned: PREDICT_NULL,
 * PREDICT_NEW when the call moved the break or made a mapping (s0, s1: the
 * counters before and after) or p is in no chunk of before, else the number
 * of before's chunk that holds p. resized: the call was a realloc of a live
 * block (its own chunk is then an answer too). What the block took of the
 * chunk (all, front, tail; grown in place) goes into why[size]. */
long long predict_where(const void *p, const struct predict_map *before,
                        const struct predict_map *after, const struct dmm_stats *s0,
                        const struct dmm_stats *s1, int resized, char *why, size_t size);

/* The right answer to "coalesce" for the chunk freed (as before drew it):
 * the chunk of after that holds its first byte starts lower (MERGE_PREV),
 * ends higher (MERGE_NEXT), both, neither; MERGE_GONE when no chunk of after
 * holds it. What it became goes into why[size]. */
long long predict_merge(const struct dmm_chunk_info *freed, const struct predict_map *before,
                        const struct predict_map *after, char *why, size_t size);

/* ---- the answers file (predict_answers.c) --------------------------------------- */

struct predict_line {
    char *text;  /* the answer, without comment and blanks */
    size_t line; /* its line in the file */
};

struct predict_answers {
    const char *path;
    struct predict_line *lines;
    size_t count;
    size_t next; /* the next answer to hand out */
};

/* Reads every answer of the file at path: one a line, '#' starts a comment,
 * blank lines skipped. Returns 0, or -1 with "PATH: reason" in error. */
int predict_answers_load(const char *path, struct predict_answers *answers, char *error,
                         size_t error_size);
void predict_answers_free(struct predict_answers *answers);

#endif /* DMM_PREDICT_H */
