/*
 * jemalloc.c — jemalloc 5 (Debian's libjemalloc2) as a baseline: size
 * classes in slabs carved from extents it maps with mmap, thread caches,
 * decay-based purging of unused pages. See baseline.c for how it is
 * wrapped.
 */
#include "baseline.h"

#include <dlfcn.h>
#include <string.h>
#include <stdint.h>

const char baseline_name[] = "jemalloc";
const char baseline_library[] = "libjemalloc.so.2";
const int baseline_shared_with_harness = 0;
const char baseline_footprint_method[] =
    "mallctl(\"stats.mapped\") after an \"epoch\" refresh: bytes in extents jemalloc has mapped "
    "and not unmapped, its own metadata included; purged but still mapped pages count";

/* jemalloc's control interface, looked up in its library (no header needed). */
typedef int mallctl_fn(const char *name, void *old, size_t *old_length, void *new,
                       size_t new_length);

int baseline_footprint(void *handle, struct baseline_footprint *now)
{
    static mallctl_fn *mallctl;
    if (mallctl == NULL) {
        void *found = dlsym(handle, "mallctl");
        memcpy(&mallctl, &found, sizeof found);
    }
    if (mallctl == NULL)
        return -1;
    uint64_t epoch = 1;
    size_t length = sizeof epoch;
    if (mallctl("epoch", &epoch, &length, &epoch, sizeof epoch) != 0) /* refresh the stats */
        return -1;
    size_t mapped;
    length = sizeof mapped;
    if (mallctl("stats.mapped", &mapped, &length, NULL, 0) != 0)
        return -1;
    now->heap = 0;
    now->mapped = mapped;
    return 0;
}
