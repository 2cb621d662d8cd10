/*
 * trace_read.h — bytes to lines, for the trace parser only (trace.c).
 *
 * trace_load feeds a file's bytes in chunks as it reads them, trace_parse
 * feeds text already in memory; both get the same lines, one at a time,
 * so a file is never held whole: what is kept is the parsed operations and
 * at most one unfinished line.
 */
#ifndef DMM_TRACE_READ_H
#define DMM_TRACE_READ_H

#include <stdbool.h>
#include <stddef.h>

/* Bytes of a line before its comment ('#') that a trace may hold: a line
 * is a few short fields, so this is far beyond any real one, and it bounds
 * what a file without line ends costs. The parser rejects a longer line. */
#define TRACE_LINE_MAX ((size_t)16 << 20) /* 16 MiB */

struct trace_lines {
    /* Takes one line, without its end ('\n', or "\r\n"); returns 0 to go on,
     * -1 to stop (the error is the taker's to report). A line holding a NUL
     * is handed over as soon as the NUL is seen, and a line longer than
     * TRACE_LINE_MAX as soon as it is: the taker must reject both. */
    int (*take)(void *context, const char *line, size_t length);
    void *context;           /* passed to take */

    char *pending;           /* the line a chunk ended inside, so far */
    size_t pending_length;   /* bytes in pending */
    size_t pending_capacity; /* bytes pending has room for */
    bool in_comment;         /* pending holds a '#': the comment is kept only in part */
    size_t comment_start;    /* where the '#' is in pending */
    bool handed_over;        /* pending was already taken (a NUL, too long): drop to the line end */
};

/* Hands every complete line of bytes[0 .. length-1] to take, keeping an
 * unfinished last line for the next call. Returns 0, or -1 when take
 * stopped or memory ran out (*out_of_memory is then set). */
int trace_lines_feed(struct trace_lines *lines, const char *bytes, size_t length,
                     bool *out_of_memory);

/* The end of the bytes: hands over the last line if it had no line end,
 * and frees what the reader kept. Returns 0, or -1 when take stopped. */
int trace_lines_finish(struct trace_lines *lines);

/* Frees what the reader kept, without handing anything over. */
void trace_lines_discard(struct trace_lines *lines);

#endif /* DMM_TRACE_READ_H */
