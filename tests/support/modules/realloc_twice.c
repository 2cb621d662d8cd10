/*
 * realloc_twice.c — the lecture's list (list_base.h) whose realloc, after
 * moving the block, frees the old one twice. The second free links the
 * chunk after itself (a cycle in the free list), or into the middle of the
 * chunk it was just coalesced into: the next malloc that searches past it
 * loops forever.
 *
 * What dmm-replay must report (tests/tools/check_checked.c, twice.trace):
 *   without --checked, a timeout at a later malloc (the "20 s
 *   timeout"); with --checked, a fail at the realloc itself: the heap
 *   checker, run right after it, says what the double free broke.
 */
#include "dmm.h"

#include <stddef.h>
#include <string.h>

void *list_base_realloc(void *ptr, size_t size); /* list_base.h's realloc, renamed below */

#define LIST_NAME "realloc-twice"
#define dmm_realloc list_base_realloc
#include "list_base.h"
#undef dmm_realloc

#include "list_coalesce.h"

void *dmm_realloc(void *ptr, size_t size)
{
    if (ptr == NULL || size == 0 || request_too_large(size))
        return list_base_realloc(ptr, size);
    void *moved = dmm_malloc(size);
    if (moved == NULL)
        return NULL;
    size_t old_bytes = chunk_size(payload_to_chunk(ptr)) - HEADER_BYTES;
    memcpy(moved, ptr, old_bytes < size ? old_bytes : size);
    dmm_free(ptr);
    dmm_free(ptr); /* the bug */
    return moved;
}
