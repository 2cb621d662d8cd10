/*
 * list_next_only.c — the lecture's list (list_base.h) whose free coalesces
 * a freed chunk with the free chunk AFTER it only: CS:APP's cases 1 and 2,
 * half of the lecture's free. Its checker skips the coalescing invariant,
 * and it declares "coalesces" (dmm_design).
 *
 * What dmm-replay must report: status `fail` on the first walk that meets a
 * free chunk right after a free chunk: "not coalesced: chunks at 0x...
 * (N B) and 0x... (M B) are both free after line L (free id I)". The
 * design suite must fail on it too (configure with
 * -DDMM_ALLOCATOR_SOURCE=tests/support/modules/list_next_only.c, then
 * `ctest -L mine`).
 */
#include "dmm.h"

#define LIST_NAME "list-next-only"
#include "list_base.h"

static struct chunk *coalesce(struct chunk *prev, struct chunk *c)
{
    (void)prev; /* the bug: the chunk before is never looked at */
    struct chunk *next = c->next;
    if (next != NULL && chunk_next_in_memory(c) == next) {
        c->size += chunk_size(next);
        c->next = next->next;
    }
    return c;
}
