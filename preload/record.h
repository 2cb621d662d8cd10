/*
 * record.h — what the two halves of libdmm-record.so share (private to it).
 *
 *   record.c         the interposed malloc family, the lock, the bootstrap
 *                    arena, the pointer -> ID map; it decides what each call
 *                    becomes in the trace.
 *   record_output.c  the trace text: the buffer written with write(2),
 *                    numbers, the header and the footer comments.
 *
 * Every record_ function is called with the recorder's lock held (or before
 * any other thread can call in), and none of them allocates through malloc
 * or uses stdio: this library is the program's malloc (record.c, rule 3).
 */
#ifndef DMM_RECORD_H
#define DMM_RECORD_H

#include <stddef.h>
#include <stdint.h>

/* Hidden: the library exports only the malloc family and _exit, so a
 * program's own record_* functions neither clash with these nor replace
 * them (a preloaded library's exported symbols can be interposed). */
#pragma GCC visibility push(hidden)

/* What the footer reports: the recorder's counts when the trace ends. */
struct record_totals {
    uint64_t lines[4];          /* lines written: a, c, r, f */
    uint64_t ids;               /* IDs used: the peak of live blocks */
    uint64_t live;              /* blocks still live at the end */
    uint64_t unknown;           /* frees and reallocs of pointers not in the map */
    uint64_t failed;            /* calls that returned NULL or an error */
    uint64_t aligned;           /* aligned allocations recorded as `a` */
    uint64_t largest_alignment; /* bytes, among those */
};

/* A message to standard error, without stdio. */
void record_say(const char *message);

/* Creates (or empties) the trace file; 0, or -1 when it cannot be opened. */
int record_open_trace(const char *path);

/* Turns recording on and writes the header comments. */
void record_start(void);

/* 1 while lines go to the trace. */
int record_is_on(void);

/* Drops unwritten text and closes the trace; later text is discarded. */
void record_stop(void);

/* Writes the buffered text out; a failed write stops recording. */
void record_flush(void);

void record_text(const char *text);
void record_number(uint64_t n);

/* One operation line: "a 7 24", "c 3 10 16", "f 7"; nmemb only for 'c'. */
void record_line(char kind, uint32_t id, size_t nmemb, size_t size);

/* The closing comments: what was recorded, and what was not. */
void record_footer(const struct record_totals *totals);

#pragma GCC visibility pop

#endif
