/*
 * record.h — what the two halves of libdmm-record.so share (private to it).
 *
 *   record.c         the interposed malloc family, the lock, the bootstrap
 *                    arena; it decides what each call becomes in the trace.
 *   record_ids.c     the pointer -> ID map and the free-ID stack.
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

/* ---- record_ids.c: which ID each live pointer has ----------------------- */

/* Maps the first map and stack; 0, or -1 when no memory can be mapped. */
int record_ids_init(void);

/* Gives the new live pointer a free ID in *id: 0; 1 when the pointer was
 * live already (its free never reached the recorder: the old ID stays live,
 * never freed in the trace); -1 when the map or the IDs ran out. */
int record_ids_enter(uintptr_t pointer, uint32_t *id);

/* 1 and its ID in *id when pointer is live, else 0. */
int record_ids_find(uintptr_t pointer, uint32_t *id);

/* The pointer is freed: it leaves the map and its ID may be reused. */
void record_ids_release(uintptr_t pointer);

/* realloc moved a live block: the same ID now belongs to moved. */
void record_ids_move(uintptr_t old, uintptr_t moved);

/* IDs handed out so far (the peak of live blocks), and blocks live now. */
uint64_t record_ids_used(void);
uint64_t record_ids_live(void);

#pragma GCC visibility pop

#endif
