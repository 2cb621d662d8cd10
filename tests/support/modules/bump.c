/*
 * bump.c — a correct allocator, as simple as one can be: every malloc takes
 * a header and the payload from the bottom of a pad, free does nothing
 * (bump_base.h is all of it).
 *
 * The bug: none. dmm-replay must report every trace `ok`. It is the
 * allocator to measure others against: a header write and a pointer bump
 * per malloc, nothing per free, so what another allocator with headers
 * costs above bump is its search and bookkeeping. (pad, which writes no
 * header, is faster still: a header's first write into a fresh page is a
 * page fault, and dmm-replay's times include those; see minor_faults.)
 */
#include "dmm.h"

#define BUMP_NAME "bump"
#include "bump_base.h"
