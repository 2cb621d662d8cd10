/*
 * footprint.h — the harness's own account of an allocator's heap section:
 * its extent, its mapped bytes, their peak and the system calls, kept from
 * the section's events (heap_set_observer, heap_set_call_observer), never
 * from the module's dmm_stats.
 *
 * Step of the data flow: trace file -> parse -> pair -> child process ->
 * [checking pass: heard here] -> timing -> result (measure.c reads it) ->
 * table/CSV/JSON.
 *
 * The checking pass (checking.c) feeds it: the break from each break event,
 * the bytes of each mapping taken and given back (only bytes of mappings it
 * knows are live: an unmap of memory never mapped subtracts nothing), and
 * one count per system call. footprint_compare then holds the module's
 * dmm_stats against it. docs/heap-section.md says what this can and cannot
 * be trusted for.
 */
#ifndef DMM_FOOTPRINT_H
#define DMM_FOOTPRINT_H

#include "heap.h"

#include <stddef.h>
#include <stdint.h>

struct footprint {
    uintptr_t start;         /* the heap section's start, at the pass's start */
    uintptr_t brk;           /* the break, as the last break event said */
    size_t mapped_bytes;     /* bytes of the live mappings (whole pages) */
    size_t peak;             /* highest (brk - start) + mapped_bytes heard, bytes */
    size_t peak_heap;        /* the extent at that peak */
    size_t peak_mapped;      /* the mapped bytes at that peak */
    uint64_t brk_calls, mmap_calls, munmap_calls, mremap_calls; /* heard, failed ones too */
    int calls_heard;         /* 1: the module tells the harness of every call (the counts hold) */
};

/* Starts the account at a reset section: start and break as the section
 * reports them, nothing mapped, no call yet; calls_heard 1 when
 * footprint_call will hear every system call. */
void footprint_start(struct footprint *f, uintptr_t start, uintptr_t brk, int calls_heard);

/* The break moved to new_break (a break event). */
void footprint_break(struct footprint *f, uintptr_t new_break);

/* bytes were mapped (> 0) or given back (< 0), whole pages. */
void footprint_mapped(struct footprint *f, size_t bytes, int given_back);

/* heap_call_fn: one system call; arg is the struct footprint. */
void footprint_call(enum heap_call call, void *arg);

/* The module's dmm_stats after the pass against the account: 0 when they
 * agree, else -1 with a message naming both figures in what ("dmm_stats
 * says peak footprint 4096 B, the heap section saw 16384 B"). Also -1 when
 * the peak live payload exceeds the peak footprint heard (utilization above
 * 100% is impossible). */
int footprint_compare(const struct footprint *f, const struct dmm_stats *stats,
                      size_t peak_live_bytes, char *what, size_t size);

/* The kernel's word on the section, from /proc/self/maps: the pages
 * accessible from the section's start must end exactly at the page
 * boundary at or above the break the account holds (none when the break is
 * at the start). 0 when they do, or when the start lies in no mapping the
 * kernel lists as the section (a section that is not the simulated
 * reserve); -1 with a message naming both extents otherwise. */
int footprint_check_maps(const struct footprint *f, char *what, size_t size);

/* Opens /proc/self/maps for footprint_check_maps, once (it opens the file
 * itself when this was not called): a sandboxed child calls it before its
 * filter refuses every open (sandbox.h). Returns the descriptor, or -1. */
int footprint_open_maps(void);

#endif /* DMM_FOOTPRINT_H */
