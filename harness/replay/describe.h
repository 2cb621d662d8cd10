/*
 * describe.h — every piece of text the harness makes of a trace op or of a
 * heap map row, made in one place so that it reads the same everywhere.
 *
 * Step of the data flow: trace file -> parse -> pair -> child process ->
 * checking pass [its messages, -v lines and heap map are worded here] ->
 * timing -> result -> table/CSV/JSON. dmm-gen writes its trace lines and
 * the lecture's demo its steps and rows with it too.
 *
 * One op, three ways (the trace `a 5 100` as the example):
 *   describe_op          "malloc id 5, 100 bytes"  the failure message
 *   describe_trace_line  "a 5 100"                 -v, dmm-gen (docs/traces.md)
 *   describe_call        "p5 = malloc(100)"        the heap map CSV, the demo,
 *                        "malloc(100)"             the checking pass's messages
 * One heap map row (the chunks the heap checker's walk visits, in address
 * order): "[A 80][F 8112]", cut after a number of chunks with "... N more",
 * "(empty)" for a walk that visits none. A chunk is drawn by its kind
 * (dmm.h), its size in bytes after the letter; DESCRIBE_ROW_LEGEND says so.
 *
 * Nothing here allocates; every function writes into the caller's buffer
 * and cuts the text at its size, as snprintf does.
 */
#ifndef DMM_DESCRIBE_H
#define DMM_DESCRIBE_H

#include "dmm.h"
#include "trace.h"

#include <stdarg.h>
#include <stddef.h>

/* In the functions below, id is the trace's own ID of the op's block, -1
 * for `f -1` (trace_id_of() gives it). */

/* "malloc id 5, 100 bytes", "calloc id 5, 3 x 8 bytes", "realloc id 5,
 * 100 bytes", "free id 5", "free NULL". */
void describe_op(char *text, size_t size, const struct trace_op *op, long long id);

/* "PATH:LINE: what" (": LINE" left out when line is 0) into error[size]
 * (nothing when error is NULL): the one shape of a message about a line
 * of a file, for the trace parser and dmm-grade's configuration. */
void describe_error_at(char *error, size_t size, const char *path, size_t line,
                       const char *format, va_list args);

/* "a 5 100", "c 5 3 8", "r 5 100", "f 5", "f -1": the op as a line of
 * dmm's trace format, without the line end. */
void describe_trace_line(char *text, size_t size, const struct trace_op *op, long long id);

/* The op as a C call: "p5 = malloc(100)", "p5 = calloc(3, 8)",
 * "p5 = realloc(p5, 100)", "free(p5)". result is what the new block is
 * assigned to ("p5"; NULL: no assignment, "malloc(100)"); old is the
 * pointer realloc and free are given ("p5", "NULL", an address). */
void describe_call(char *text, size_t size, const struct trace_op *op, const char *result,
                   const char *old);

/* A pointer as the messages write it: "0x200000000a10", or "NULL".
 * Returns text, or the constant "NULL". */
const char *describe_address(char text[24], const void *p);

/* ---- a heap map row ------------------------------------------------------- */

#define DESCRIBE_ROW_MAX_SHOWN 16 /* chunks a row can show: about a terminal's width */

struct describe_row {
    char text[DESCRIBE_ROW_MAX_SHOWN * 32 + 32]; /* "[A 18446744073709551615]" fits 32
                                                    bytes; then " ... N more" */
    size_t length;  /* bytes of text used */
    size_t chunks;  /* chunks the walk reached */
    size_t shown;   /* chunks drawn at most (<= DESCRIBE_ROW_MAX_SHOWN) */
};

/* The letters of a row, for a tool to print once above its heap maps:
 *   [A 80]    an allocated chunk of 80 bytes (header and footer included)
 *   [F 8112]  a free chunk (for pad: the pad)
 *   [M 4096]  metadata: the allocator's own bytes, never handed out
 *             (segregated's page table and the leftovers of its runs)
 *   [N 4096]  chunks handed out and never reused, live and freed blocks
 *             together (minimal's heap, pad's chunks below the pad) */
#define DESCRIBE_ROW_LEGEND                                                                  \
    "[A n] allocated chunk of n bytes, [F n] free chunk (or the pad), "                     \
    "[M n] metadata (never handed out), [N n] handed out and never reused"

/* An empty row that will draw at most `shown` chunks. */
void describe_row_start(struct describe_row *row, size_t shown);

/* The heap checker's visitor (dmm_visit_fn): draws one chunk, "[A 80]"
 * allocated, "[F 8112]" free, "[M 4096]" metadata or "[N 64]" never
 * reused; arg is the struct describe_row. */
void describe_row_chunk(const struct dmm_chunk_info *chunk, void *arg);

/* The finished row: the chunks drawn, then " ... N more" for those cut;
 * "(empty)" when the walk reached none. */
const char *describe_row_end(struct describe_row *row);

#endif /* DMM_DESCRIBE_H */
