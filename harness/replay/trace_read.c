/*
 * trace_read.c — bytes to lines for the trace parser, a chunk at a time.
 *
 * A line that lies wholly inside a chunk is handed over where it lies; only
 * a line a chunk ends inside is copied, into `pending`, and of that only
 * what the parser can use:
 *
 *   - the part before a '#' and the first COMMENT_KEPT bytes of the comment
 *     (the parser reads the recorder's end marker there); the rest of a
 *     comment is dropped, however long;
 *   - a NUL byte ends the copying at once: the line is handed over with the
 *     NUL, which the parser rejects, so /dev/zero or a sparse file fails at
 *     its first chunk instead of being read to the end;
 *   - a line longer than TRACE_LINE_MAX before its comment is handed over
 *     when it gets that long, for the parser to reject.
 *
 * So the memory a file costs is its operations plus at most one line of
 * TRACE_LINE_MAX bytes, whatever the file holds.
 */
#include "trace_read.h"

#include <stdlib.h>
#include <string.h>

#define FIRST_PENDING 256 /* bytes of pending before the first doubling */
#define COMMENT_KEPT 64   /* bytes of an unfinished line's comment kept, '#' included */

/* Copies n bytes onto the end of pending, growing it as needed. */
static int append(struct trace_lines *lines, const char *bytes, size_t n, bool *out_of_memory)
{
    if (n == 0)
        return 0;
    if (lines->pending_length + n > lines->pending_capacity) {
        size_t capacity = lines->pending_capacity ? lines->pending_capacity : FIRST_PENDING;
        while (capacity < lines->pending_length + n)
            capacity *= 2; /* at most about 2 * TRACE_LINE_MAX: no overflow */
        char *bigger = realloc(lines->pending, capacity);
        if (bigger == NULL) {
            *out_of_memory = true;
            return -1;
        }
        lines->pending = bigger;
        lines->pending_capacity = capacity;
    }
    memcpy(lines->pending + lines->pending_length, bytes, n);
    lines->pending_length += n;
    return 0;
}

/* Hands pending over before the line has ended; the rest of it is dropped. */
static int hand_over(struct trace_lines *lines)
{
    lines->handed_over = true;
    return lines->take(lines->context, lines->pending, lines->pending_length);
}

/* A line given whole: its end's '\r', if any, belongs to the line end. */
static int take_line(struct trace_lines *lines, const char *line, size_t length)
{
    if (length > 0 && line[length - 1] == '\r')
        length--;
    return lines->take(lines->context, line, length);
}

/* Adds n bytes of an unfinished line (no '\n' among them) to pending. */
static int keep(struct trace_lines *lines, const char *bytes, size_t n, bool *out_of_memory)
{
    if (lines->handed_over)
        return 0;
    const char *nul = memchr(bytes, '\0', n);
    size_t usable = nul != NULL ? (size_t)(nul - bytes) : n; /* the bytes before the NUL */
    if (!lines->in_comment) {
        const char *hash = memchr(bytes, '#', usable);
        size_t before = hash != NULL ? (size_t)(hash - bytes) : usable;
        if (lines->pending_length + before > TRACE_LINE_MAX) {
            /* One byte over the limit is enough for the parser to refuse it. */
            size_t room = TRACE_LINE_MAX + 1 - lines->pending_length;
            return append(lines, bytes, room, out_of_memory) ? -1 : hand_over(lines);
        }
        if (append(lines, bytes, before, out_of_memory))
            return -1;
        if (hash != NULL) {
            lines->in_comment = true;
            lines->comment_start = lines->pending_length;
        }
        bytes += before;
        usable -= before;
    }
    size_t comment = lines->pending_length - lines->comment_start;
    if (lines->in_comment && usable > 0 && comment < COMMENT_KEPT) {
        size_t room = COMMENT_KEPT - comment;
        if (append(lines, bytes, usable < room ? usable : room, out_of_memory))
            return -1;
    }
    if (nul != NULL)
        return append(lines, "", 1, out_of_memory) ? -1 : hand_over(lines);
    return 0;
}

/* The '\n' (or the end of the bytes) of the line in pending. */
static int end_pending(struct trace_lines *lines)
{
    bool handed_over = lines->handed_over;
    size_t length = lines->pending_length;
    lines->pending_length = 0;
    lines->in_comment = lines->handed_over = false;
    lines->comment_start = 0;
    return handed_over ? 0 : take_line(lines, lines->pending, length);
}

static bool line_started(const struct trace_lines *lines)
{
    return lines->pending_length > 0 || lines->in_comment || lines->handed_over;
}

int trace_lines_feed(struct trace_lines *lines, const char *bytes, size_t length,
                     bool *out_of_memory)
{
    *out_of_memory = false;
    for (size_t start = 0; start < length;) {
        const char *newline = memchr(bytes + start, '\n', length - start);
        size_t end = newline != NULL ? (size_t)(newline - bytes) : length;
        if (newline == NULL || line_started(lines)) {
            if (keep(lines, bytes + start, end - start, out_of_memory))
                return -1;
            if (newline != NULL && end_pending(lines))
                return -1;
        } else if (take_line(lines, bytes + start, end - start)) {
            return -1;
        }
        start = end + 1;
    }
    return 0;
}

int trace_lines_finish(struct trace_lines *lines)
{
    int result = line_started(lines) ? end_pending(lines) : 0;
    trace_lines_discard(lines);
    return result;
}

void trace_lines_discard(struct trace_lines *lines)
{
    free(lines->pending);
    lines->pending = NULL;
    lines->pending_length = lines->pending_capacity = 0;
    lines->in_comment = lines->handed_over = false;
    lines->comment_start = 0;
}
