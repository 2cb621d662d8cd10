/*
 * glibc.c — the C library's own malloc (ptmalloc2, glibc 2.36 on Debian 12)
 * as a baseline: bins and a per-thread cache (tcache) on a brk heap, mmap
 * for chunks of 128 KiB and more. See baseline.c for how it is wrapped.
 */
#define _GNU_SOURCE /* mallinfo2 */

#include "baseline.h"

#include <malloc.h>

const char baseline_name[] = "glibc";
const char baseline_library[] = "libc.so.6";
const int baseline_shared_with_harness = 1;
const char baseline_footprint_method[] =
    "mallinfo2(): arena (bytes of the main heap and any other arenas, obtained with brk or mmap) "
    "plus hblkhd (bytes in chunks mapped one by one); the same heap-extent-plus-mapped measure "
    "as dmm's, but shared with the harness's own bookkeeping, which also uses glibc's malloc";

int baseline_footprint(void *handle, struct baseline_footprint *now)
{
    (void)handle;
    struct mallinfo2 info = mallinfo2();
    now->heap = info.arena;
    now->mapped = info.hblkhd;
    return 0;
}
