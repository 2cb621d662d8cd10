/*
 * list_never.c — the lecture's list (list_base.h) that never coalesces,
 * with a checker that skips the coalescing invariant, declaring
 * "coalesces" (dmm_design): before the design was checked, it passed every
 * test.
 *
 * What dmm-replay must report: status `fail`: "not coalesced: chunks at
 * 0x... (N B) and 0x... (M B) are both free after line L (...)".
 */
#include "dmm.h"

#define LIST_NAME "list-never"
#include "list_base.h"

static struct chunk *coalesce(struct chunk *prev, struct chunk *c)
{
    (void)prev; /* the bug: nothing is merged, ever */
    return c;
}
