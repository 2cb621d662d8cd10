/*
 * list_short.c — the lecture's list (list_base.h) whose malloc sizes the
 * chunk for 8 bytes less than asked: a request of 16k + 1 .. 16k + 8 bytes
 * gets a payload 1 to 8 bytes short, and the program's last bytes land on
 * the header of the chunk above it (list hands out the top of a free
 * chunk, so that is the block allocated just before).
 *
 * What dmm-replay must report (tests/tools/check_checked.c, short.trace):
 *   without --checked, nothing at the malloc that did it: only the walk
 *   after the last op finds the overwritten header ("the heap checker
 *   says: ... is not a chunk size here"), blamed on the last op;
 *   with --checked: "malloc(100) returned a chunk too small: writing its
 *   100 bytes and the 16 guard bytes after them broke the heap: ..." at
 *   that malloc.
 */
#include "dmm.h"

#include <stddef.h>

void *list_base_malloc(size_t size); /* list_base.h's malloc, renamed below */

#define LIST_NAME "list-short"
#define dmm_malloc list_base_malloc
#include "list_base.h"
#undef dmm_malloc

#include "list_coalesce.h"

/* Every malloc of the module comes here (calloc's and realloc's too). */
void *dmm_malloc(size_t size)
{
    /* the bug: 8 bytes forgotten before rounding up */
    return list_base_malloc(size > 8 && !request_too_large(size) ? size - 8 : size);
}
