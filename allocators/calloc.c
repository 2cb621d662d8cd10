/*
 * calloc.c — dmm_calloc, the same for every allocator: check that
 * nmemb * size does not overflow, allocate, and zero the payload.
 *
 * The payload is always zeroed, even when the heap is fresh: a chunk may be
 * recycled from a free list and still hold an old payload, and an allocator
 * that knows better (fresh mapped pages are already zero) is an optimisation
 * a student may add in their own file.
 *
 * Valgrind: dmm_malloc told memcheck the block is undefined (heap.h); the
 * memset makes every byte of it defined, so calloc needs no call of its own.
 */
#include "dmm.h"

#include "common.h"

#include <string.h>

void *dmm_calloc(size_t nmemb, size_t size)
{
    size_t bytes;
    if (__builtin_mul_overflow(nmemb, size, &bytes))
        return fail_enomem();
    void *payload = dmm_malloc(bytes);
    if (payload != NULL)
        memset(payload, 0, bytes);
    return payload;
}
