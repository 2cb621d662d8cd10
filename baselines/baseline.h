/*
 * baseline.h — what one production allocator (glibc, jemalloc, mimalloc,
 * tcmalloc) tells baseline.c, which turns it into a dmm allocator module.
 *
 * A baseline file defines the four names below and nothing else: where the
 * allocator lives, and how to ask it how many bytes it has obtained from
 * the OS. baseline.c does the rest (dmm.h's functions, the contract's edge
 * cases, the statistics).
 */
#ifndef DMM_BASELINE_H
#define DMM_BASELINE_H

#include <stddef.h>

/* The allocator's name, as tools print it ("jemalloc"). */
extern const char baseline_name[];

/* The shared library that holds it ("libjemalloc.so.2"); the module links
 * it, so the module loads only where the library is installed. */
extern const char baseline_library[];

/* One sentence: which of the allocator's statistics baseline_footprint
 * reads, and what it does and does not count. */
extern const char baseline_footprint_method[];

/* 1 when the harness itself also allocates from this allocator (glibc's
 * malloc serves the harness too): the footprint then counts from its value
 * at dmm_reset, taken on the replay's own thread before its first call, so
 * that only the replay's arena counts. 0 for a library only the replay
 * uses: everything it holds counts, its start-up memory included. */
extern const int baseline_shared_with_harness;

/* Bytes the allocator holds from the OS now, by its own statistics: in a
 * heap grown with brk (heap) and in mappings (mapped). handle is the
 * library's dlopen handle, to look up its statistics functions. Returns 0,
 * or -1 when the statistics cannot be read. */
struct baseline_footprint {
    size_t heap;
    size_t mapped;
};
int baseline_footprint(void *handle, struct baseline_footprint *now);

#endif /* DMM_BASELINE_H */
