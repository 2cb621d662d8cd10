/*
 * realloc_loses.c — the bump allocator (bump_base.h) with one bug: realloc
 * returns a new chunk but does not copy the old contents into it.
 *
 * What dmm-replay must report: status `fail` at the realloc's operation and
 * line, "realloc(...) lost the old contents" (dmm.h: realloc keeps them up
 * to the smaller of the old and new sizes).
 */
#include "dmm.h"

#define BUMP_NAME "realloc-loses"
#define BUMP_OWN_REALLOC
#include "bump_base.h"

void *dmm_realloc(void *ptr, size_t size)
{
    void *result;
    if (realloc_special_case(ptr, size, &result))
        return result;
    /* The bug: realloc_by_copy without the copy. */
    result = dmm_malloc(size);
    if (result != NULL)
        dmm_free(ptr);
    return result;
}
