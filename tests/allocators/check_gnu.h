/*
 * check_gnu.h — the chunk of allocators/gnu.c, for check_gnu.c and
 * check_gnu_checker.c. It is read here straight from the drawing in gnu.c,
 * not through its helpers, so a wrong helper cannot hide from the tests:
 *   the size word 8 bytes before the payload, status bits 1 free, 2 the
 *   chunk before is free, 4 mapped, 8 cached; a free chunk's next and prev
 *   links at the start of its payload, its footer (the size) in its last
 *   8 bytes; a mapped chunk's list links 32 and 24 bytes before its payload.
 */
#ifndef DMM_CHECK_GNU_H
#define DMM_CHECK_GNU_H

#include "dmm.h"

#include "heap.h"

#include <stddef.h>

#define HEADER 8 /* bytes before the payload */

enum { FREE = 1, PREV_FREE = 2, MAPPED = 4, CACHED = 8 };

/* ---- the chunk, as gnu.c draws it ------------------------------------------- */

static inline size_t *size_word(void *payload)
{
    return (size_t *)((char *)payload - HEADER);
}

static inline size_t chunk_bytes(void *payload)
{
    return *size_word(payload) & ~(size_t)15;
}

static inline int has_bit(void *payload, size_t bit)
{
    return (*size_word(payload) & bit) != 0;
}

static inline size_t *footer(void *payload)
{
    return (size_t *)((char *)payload - HEADER + chunk_bytes(payload) - sizeof(size_t));
}

static inline void **prev_link(void *payload)
{
    return (void **)((char *)payload + sizeof(void *));
}

/* The payload of the chunk that starts `bytes` after p's chunk. */
static inline void *payload_after(void *p, size_t bytes)
{
    return (char *)p + bytes;
}

static inline void *first_payload(void)
{
    return (char *)heap_start() + 2 * HEADER; /* after the filler and the header */
}

/* p[0..4]: five 1520-byte chunks, never cached; p[0] and p[4] stay. */
static inline void five_chunks(void *p[5])
{
    for (int i = 0; i < 5; i++)
        p[i] = dmm_malloc(1500);
}

#endif /* DMM_CHECK_GNU_H */
