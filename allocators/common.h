/*
 * common.h — the few helpers every allocator needs, written once.
 *
 *   align_up(n)            n rounded up to DMM_ALIGNMENT
 *   is_aligned(p)          p is a multiple of DMM_ALIGNMENT
 *   request_too_large(n)   n > DMM_MAX_REQUEST: fail before any arithmetic
 *   fail_enomem()          set errno = ENOMEM and return NULL
 *   realloc_special_case   realloc(NULL, n), realloc(p, 0), too-large sizes
 *   realloc_by_copy(...)   malloc, copy, free: realloc when in place fails
 *   whole_pages(n)         the bytes a mapping of n bytes occupies
 *   unmap_for_free(p, n)   heap_unmap that leaves errno alone, as free must
 *   struct call_counts     the counters behind dmm_stats, and stats_report
 *   check_failed(...)      format a dmm_check() message
 *   report_heap_corruption a broken heap found inside free: say so, abort()
 *
 * Everything is static inline: each allocator gets its own copy, and a
 * student stepping through one allocator in gdb never leaves it for long.
 */
#ifndef DMM_COMMON_H
#define DMM_COMMON_H

#include "dmm.h"

#include "heap.h"

#include <errno.h>
#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

static inline size_t align_up(size_t n)
{
    return (n + DMM_ALIGNMENT - 1) & ~(size_t)(DMM_ALIGNMENT - 1);
}

static inline int is_aligned(const void *p)
{
    return ((uintptr_t)p & (DMM_ALIGNMENT - 1)) == 0;
}

/* Every size at or below DMM_MAX_REQUEST (PTRDIFF_MAX) can take a header of
 * a few words and be rounded up without wrapping around SIZE_MAX. */
static inline int request_too_large(size_t n)
{
    return n > DMM_MAX_REQUEST;
}

static inline void *fail_enomem(void)
{
    errno = ENOMEM;
    return NULL;
}

/* The cases of realloc that are the same for every allocator (dmm.h):
 * realloc(NULL, n) is malloc(n); realloc(p, 0) frees p and returns NULL;
 * a size above DMM_MAX_REQUEST fails with ENOMEM and p stays valid.
 * Returns 1 with *result set when one of them applies, 0 otherwise. */
static inline int realloc_special_case(void *ptr, size_t size, void **result)
{
    if (ptr == NULL) {
        *result = dmm_malloc(size);
        return 1;
    }
    if (size == 0) {
        dmm_free(ptr);
        *result = NULL;
        return 1;
    }
    if (request_too_large(size)) {
        *result = fail_enomem();
        return 1;
    }
    return 0;
}

/* realloc's last resort: a new chunk, the old contents up to the smaller
 * size, the old chunk freed. On failure the old chunk is untouched. */
static inline void *realloc_by_copy(void *old, size_t old_payload_bytes, size_t new_size)
{
    void *new = dmm_malloc(new_size);
    if (new == NULL)
        return NULL;
    memcpy(new, old, old_payload_bytes < new_size ? old_payload_bytes : new_size);
    dmm_free(old);
    return new;
}

/* The bytes a mapping of n bytes occupies: whole pages, as heap_map maps
 * and counts them. */
static inline size_t whole_pages(size_t n)
{
    size_t page = heap_page_size();
    return (n + page - 1) / page * page;
}

/* heap_unmap inside free, which must never change errno (dmm.h). */
static inline void unmap_for_free(void *addr, size_t length)
{
    int saved_errno = errno;
    heap_unmap(addr, length);
    errno = saved_errno;
}

/* What every allocator counts for dmm_stats (dmm.h defines each). */
struct call_counts {
    uint64_t malloc_calls; /* dmm_malloc calls, also inside calloc and realloc */
    uint64_t free_calls;   /* dmm_free calls with a non-NULL pointer */
    uint64_t malloc_steps; /* chunks malloc examined while searching for a fit */
    uint64_t free_steps;   /* chunks free examined to place or coalesce a chunk */
};

/* dmm_stats: the heap section's figures, then the allocator's counts. */
static inline void stats_report(struct dmm_stats *stats, const struct call_counts *counts)
{
    *stats = (struct dmm_stats){0};
    heap_stats(stats);
    stats->malloc_calls = counts->malloc_calls;
    stats->free_calls = counts->free_calls;
    stats->malloc_steps = counts->malloc_steps;
    stats->free_steps = counts->free_steps;
}

/* dmm_check()'s message: "<allocator>: invariant N (what) broken at chunk
 * 0x...: details". One static buffer per allocator; snprintf does not
 * allocate for these formats. */
__attribute__((format(printf, 3, 4)))
static inline const char *check_failed(int invariant, const void *chunk, const char *format, ...)
{
    static char message[256];
    int used = snprintf(message, sizeof message, "%s: invariant %d broken at chunk %p: ",
                        dmm_name(), invariant, chunk);
    if (used > 0 && (size_t)used < sizeof message) {
        va_list args;
        va_start(args, format);
        vsnprintf(message + used, sizeof message - (size_t)used, format, args);
        va_end(args);
    }
    return message;
}

/* Corruption that free (or realloc) found on its way, the way glibc
 * reports it ("free(): invalid next size (fast)"): one line on stderr,
 *
 *     "<allocator>: <call>(): <what>"
 *
 * then abort(). Not a return with an error: free has no way to return one,
 * and a heap that is already broken only gets worse with every call after
 * (docs/canary.md). Nothing here may allocate — the heap is broken, and
 * under preload/ this allocator is the program's malloc — so the line is
 * made in a fixed buffer on the stack and goes out in one write(2), which
 * also keeps it whole between other processes' lines on the same pipe. */
__attribute__((format(printf, 3, 4), noreturn))
static inline void report_heap_corruption(const char *allocator, const char *call,
                                          const char *format, ...)
{
    char line[512] = "";
    int used = snprintf(line, sizeof line - 1, "%s: %s(): ", allocator, call);
    if (used > 0 && (size_t)used < sizeof line - 1) {
        va_list args;
        va_start(args, format);
        vsnprintf(line + used, sizeof line - 1 - (size_t)used, format, args);
        va_end(args);
    }
    size_t length = strlen(line); /* a line cut at the buffer still ends with '\n' */
    line[length++] = '\n';
    if (write(STDERR_FILENO, line, length) < 0) {
        /* Nowhere left to say it: the abort below still tells. */
    }
    abort();
}

#endif /* DMM_COMMON_H */
