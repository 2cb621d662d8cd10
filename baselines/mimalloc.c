/*
 * mimalloc.c — mimalloc 2.0 (Debian's libmimalloc2.0) as a baseline: free
 * lists per page ("free list sharding") in segments it maps with mmap. See
 * baseline.c for how it is wrapped.
 */
#include "baseline.h"

#include <dlfcn.h>
#include <string.h>

const char baseline_name[] = "mimalloc";
const char baseline_library[] = "libmimalloc.so.2";
const int baseline_shared_with_harness = 0;
const char baseline_footprint_method[] =
    "mi_process_info(): current_commit, the bytes mimalloc has committed from the OS in its "
    "segments (reserved but uncommitted address space does not count)";

typedef void process_info_fn(size_t *elapsed_msecs, size_t *user_msecs, size_t *system_msecs,
                             size_t *current_rss, size_t *peak_rss, size_t *current_commit,
                             size_t *peak_commit, size_t *page_faults);

int baseline_footprint(void *handle, struct baseline_footprint *now)
{
    static process_info_fn *process_info;
    if (process_info == NULL) {
        void *found = dlsym(handle, "mi_process_info");
        memcpy(&process_info, &found, sizeof found);
    }
    if (process_info == NULL)
        return -1;
    size_t elapsed, user, system, rss, peak_rss, commit, peak_commit, faults;
    process_info(&elapsed, &user, &system, &rss, &peak_rss, &commit, &peak_commit, &faults);
    now->heap = 0;
    now->mapped = commit;
    return 0;
}
