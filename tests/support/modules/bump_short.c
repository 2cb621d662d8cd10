/*
 * bump_short.c — the bump allocator (bump_base.h) whose malloc makes each
 * chunk for 8 bytes less than asked: a request of 16k + 1 .. 16k + 8
 * bytes gets a payload 1 to 8 bytes short, and the NEXT malloc writes its
 * header over the block's last bytes.
 *
 * What dmm-replay must report (tests/tools/check_checked.c, short.trace):
 *   without --checked, "block id 1 (...) was changed while it was live"
 *   only when block 1 is next verified (its free), not at the malloc that
 *   wrote over it; with --checked, at that malloc: "malloc(48) wrote over
 *   the block below it: bytes 112..115 past the payload of block id 1 ...
 *   were overwritten" (the header landed in block 1's guard).
 */
#include "dmm.h"

#define BUMP_NAME "bump-short"
#define BUMP_OWN_MALLOC
#include "bump_base.h"

void *dmm_malloc(size_t size)
{
    state.counts.malloc_calls++;
    /* the bug: 8 bytes forgotten before rounding up */
    void *payload = bump_chunk(size > 8 && !request_too_large(size) ? size - 8 : size);
    if (payload != NULL)
        payload_to_header(payload)->size = size; /* what realloc copies */
    return payload;
}
