/*
 * footprint.c — the harness's own account of the heap section
 * (footprint.h): extent, mapped bytes, their peak, the system calls.
 *
 * Step of the data flow: trace file -> parse -> pair -> child process ->
 * [checking pass: heard here] -> timing -> result -> table/CSV/JSON.
 *
 * The peak is kept as heap.c keeps its own: after every event that can
 * raise it (a break move, a mapping), the first time a sum is reached
 * fixing the split. A remap is heard as an unmap and then a map, so the
 * footprint dips in between and the peak is the same as heap.c's, which
 * only looks after the remap.
 */
#define _POSIX_C_SOURCE 200809L /* sysconf */

#include "footprint.h"

#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>
#include <unistd.h>

void footprint_start(struct footprint *f, uintptr_t start, uintptr_t brk, int calls_heard)
{
    *f = (struct footprint){.start = start, .brk = brk, .calls_heard = calls_heard};
    footprint_break(f, brk);
}

static void note_peak(struct footprint *f)
{
    size_t heap = f->brk > f->start ? (size_t)(f->brk - f->start) : 0;
    if (heap + f->mapped_bytes > f->peak) {
        f->peak = heap + f->mapped_bytes;
        f->peak_heap = heap;
        f->peak_mapped = f->mapped_bytes;
    }
}

void footprint_break(struct footprint *f, uintptr_t new_break)
{
    f->brk = new_break;
    note_peak(f);
}

void footprint_mapped(struct footprint *f, size_t bytes, int given_back)
{
    if (given_back)
        f->mapped_bytes -= bytes < f->mapped_bytes ? bytes : f->mapped_bytes;
    else
        f->mapped_bytes += bytes;
    note_peak(f);
}

void footprint_call(enum heap_call call, void *arg)
{
    struct footprint *f = arg;
    uint64_t *counter[] = {&f->brk_calls, &f->mmap_calls, &f->munmap_calls, &f->mremap_calls};
    if ((unsigned)call < sizeof counter / sizeof counter[0])
        ++*counter[call];
}

/* One figure of dmm_stats against the account. */
static int differs(const char *figure, const char *unit, uint64_t said, uint64_t seen,
                   char *what, size_t size)
{
    if (said == seen)
        return 0;
    snprintf(what, size, "dmm_stats says %s %" PRIu64 "%s, the heap section saw %" PRIu64 "%s",
             figure, said, unit, seen, unit);
    return 1;
}

int footprint_compare(const struct footprint *f, const struct dmm_stats *stats,
                      size_t peak_live_bytes, char *what, size_t size)
{
    if (peak_live_bytes > f->peak) {
        snprintf(what, size,
                 "utilization above 100%%: %zu B of live payload at once, but the heap section "
                 "saw a peak footprint of only %zu B",
                 peak_live_bytes, f->peak);
        return -1;
    }
    if (differs("peak footprint", " B", stats->peak_footprint_bytes, f->peak, what, size) ||
        differs("peak heap bytes", " B", stats->peak_heap_bytes, f->peak_heap, what, size) ||
        differs("peak mapped bytes", " B", stats->peak_mapped_bytes, f->peak_mapped, what, size))
        return -1;
    if (f->calls_heard &&
        (differs("brk calls", "", stats->brk_calls, f->brk_calls, what, size) ||
         differs("mmap calls", "", stats->mmap_calls, f->mmap_calls, what, size) ||
         differs("munmap calls", "", stats->munmap_calls, f->munmap_calls, what, size) ||
         differs("mremap calls", "", stats->mremap_calls, f->mremap_calls, what, size)))
        return -1;
    return 0;
}

/* /proc/self/maps, opened once: a sandboxed child opens it before its
 * filter allows no more files (footprint_open_maps), and reads it after. */
static int maps_fd = -1;

int footprint_open_maps(void)
{
    if (maps_fd < 0)
        maps_fd = open("/proc/self/maps", O_RDONLY | O_CLOEXEC);
    return maps_fd;
}

/* The kernel's mapping that holds addr: 1 with its bounds and permissions,
 * 0 when none does or the file cannot be read. Read with read(2) from the
 * start each time: no stdio stream, so no file is opened again. */
static int find_mapping(uintptr_t addr, uintptr_t *low, uintptr_t *high, char perms[8])
{
    if (footprint_open_maps() < 0 || lseek(maps_fd, 0, SEEK_SET) != 0)
        return 0;
    char text[8192];
    size_t have = 0;
    for (;;) {
        ssize_t got = read(maps_fd, text + have, sizeof text - 1 - have);
        if (got < 0 && errno == EINTR)
            continue;
        if (got <= 0)
            return 0; /* the end; a last line always ends with '\n' */
        have += (size_t)got;
        text[have] = '\0';
        char *line = text, *end;
        while ((end = strchr(line, '\n')) != NULL) {
            *end = '\0';
            unsigned long long a, b;
            if (sscanf(line, "%llx-%llx %7s", &a, &b, perms) == 3 && a <= addr && addr < b) {
                *low = (uintptr_t)a, *high = (uintptr_t)b;
                return 1;
            }
            line = end + 1;
        }
        have = (size_t)(text + have - line);
        memmove(text, line, have);
        if (have == sizeof text - 1)
            have = 0; /* a line longer than the buffer: not one of ours */
    }
}

int footprint_check_maps(const struct footprint *f, char *what, size_t size)
{
    size_t page_size = (size_t)sysconf(_SC_PAGESIZE);
    if (page_size == 0 || f->start == 0)
        return 0;
    char perms[8] = "";
    uintptr_t low = 0, high = 0;
    int found = find_mapping(f->start, &low, &high, perms);
    if (!found || low != f->start)
        return 0; /* not a reserve starting at the section's start: nothing to compare */
    uintptr_t end = f->brk > f->start ? (f->brk - f->start + page_size - 1) / page_size * page_size
                                      : 0;
    int accessible = perms[0] == 'r' || perms[1] == 'w';
    size_t seen = accessible ? (size_t)(high - low) : 0;
    if (seen == end)
        return 0;
    snprintf(what, size,
             "the heap section's break says %zu B are accessible from its start, the kernel's "
             "/proc/self/maps says %zu B",
             (size_t)end, seen);
    return -1;
}
