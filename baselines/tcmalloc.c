/*
 * tcmalloc.c — gperftools' tcmalloc (Debian's libtcmalloc-minimal4) as a
 * baseline: size classes in spans from a page heap, per-thread caches. See
 * baseline.c for how it is wrapped.
 */
#include "baseline.h"

#include <dlfcn.h>
#include <string.h>

const char baseline_name[] = "tcmalloc";
const char baseline_library[] = "libtcmalloc_minimal.so.4";
const int baseline_shared_with_harness = 0;
const char baseline_footprint_method[] =
    "MallocExtension numeric properties: generic.heap_size (bytes tcmalloc has obtained from "
    "the OS for its page heap) less tcmalloc.pageheap_unmapped_bytes (given back with "
    "madvise), so released pages do not count; its metadata outside the page heap is not counted";

typedef int numeric_property_fn(const char *property, size_t *value);

int baseline_footprint(void *handle, struct baseline_footprint *now)
{
    static numeric_property_fn *property;
    if (property == NULL) {
        void *found = dlsym(handle, "MallocExtension_GetNumericProperty");
        memcpy(&property, &found, sizeof found);
    }
    if (property == NULL)
        return -1;
    size_t heap_size, unmapped;
    if (!property("generic.heap_size", &heap_size) ||
        !property("tcmalloc.pageheap_unmapped_bytes", &unmapped))
        return -1;
    now->heap = 0;
    now->mapped = heap_size > unmapped ? heap_size - unmapped : 0;
    return 0;
}
