/*
 * crash.c — the bump allocator (bump_base.h) with one bug: its CRASH_AT-th
 * malloc writes through a null pointer, and the process dies of SIGSEGV.
 *
 * What dmm-replay must report: status `crash`, "crashed with SIGSEGV
 * (Segmentation fault)" at that malloc's operation and line, while every
 * other pair of the run still runs (each pair has a process of its own).
 */
#include "dmm.h"

#define BUMP_NAME "crash"
#define BUMP_OWN_MALLOC
#include "bump_base.h"

/* The sixth malloc after a reset crashes; mallocs inside realloc count. */
#define CRASH_AT 6

/* NULL, but volatile: the compiler must really load it and store through
 * it, instead of replacing an evidently undefined write with a trap
 * instruction (which dies of SIGILL, not the SIGSEGV of a real bug). */
static char *volatile nowhere = NULL;

void *dmm_malloc(size_t size)
{
    state.counts.malloc_calls++;
    if (state.counts.malloc_calls == CRASH_AT)
        *nowhere = 1; /* the bug */
    return bump_chunk(size);
}
