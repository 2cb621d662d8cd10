/*
 * heap.c — the heap section (see heap.h for the interface and the picture).
 *
 * One of the two back ends is compiled in: DMM_HEAP_SIMULATED or
 * DMM_HEAP_SYSTEM. Everything both share — counting, peaks, mappings,
 * observers — is written once; only moving the break differs. In both,
 * every call that reaches the kernel is one real system call (the
 * simulated break: mprotect or mmap in the reserve), so that the harness's
 * clock sees what the lecture's cost model counts.
 *
 * Invariants of this file's state:
 *   1. start <= brk once initialised, start a multiple of DMM_ALIGNMENT;
 *   2. simulated: the pages covering [start, brk) are readable and writable,
 *      the pages of the reserve above that are PROT_NONE;
 *   3. system: unless someone else moved the break, the real break is
 *      exactly system_break, and brk <= system_break;
 *   4. peak_footprint >= (brk - start) + mapped_bytes at all times.
 *
 * Under valgrind (heap.h, "memcheck"), every byte this file hands the
 * allocator — above the old break, in a new mapping — is no-access to the
 * program until the allocator hands a block out; dmm_reset's memory takes
 * its blocks with it (memcheck_forget_blocks).
 */
#define _GNU_SOURCE /* brk, sbrk, MAP_ANONYMOUS, MAP_NORESERVE, madvise, mremap */

#include "heap.h"

#include <errno.h>
#include <stdint.h>
#include <sys/mman.h>
#include <unistd.h>

#if defined(DMM_HEAP_SIMULATED) == defined(DMM_HEAP_SYSTEM)
#error "define exactly one of DMM_HEAP_SIMULATED and DMM_HEAP_SYSTEM"
#endif

#ifdef DMM_HEAP_SIMULATED
/* 8 GiB of address space: reserving it costs nothing until pages are made
 * accessible, and it is far more than any bundled workload needs. */
#define HEAP_RESERVE_BYTES ((size_t)8 << 30)
/* Where the reserve asks to be placed (32 TiB, far from the program, its
 * libraries and glibc's heap), so that addresses repeat from run to run. */
#define HEAP_PREFERRED_ADDRESS ((void *)((uintptr_t)1 << 45))
#endif

static struct {
    char *start;            /* first byte of the section; NULL before first use */
    char *brk;              /* the break as the allocator sees it */
#ifdef DMM_HEAP_SIMULATED
    char *reserve_end;      /* end of the reserved region */
#else
    char *system_break;     /* the real break as dmm last set it */
    int foreign_move_seen;  /* 1 once someone else moved the real break */
#endif
    size_t page_size;       /* bytes, from sysconf */
    size_t mapped_bytes;    /* whole pages in live mappings */
    size_t peak_footprint;  /* bytes, highest heap extent + mapped so far */
    size_t peak_heap;       /* heap extent at that peak */
    size_t peak_mapped;     /* mapped bytes at that peak */
    uint64_t brk_calls;     /* heap_brk calls, including failed ones */
    uint64_t mmap_calls;    /* heap_map calls, including failed ones */
    uint64_t munmap_calls;  /* heap_unmap calls */
    uint64_t mremap_calls;  /* heap_remap calls, including failed ones */
    heap_observer_fn *observer;
    void *observer_arg;
    heap_call_fn *call_observer;
    void *call_observer_arg;
} section;

/* ---- small helpers ------------------------------------------------------ */

static uintptr_t align_up(uintptr_t value, uintptr_t alignment)
{
    return (value + alignment - 1) & ~(alignment - 1);
}

static void notify(enum heap_event event, void *addr, size_t length)
{
    if (section.observer != NULL)
        section.observer(event, addr, length, section.observer_arg);
}

/* One system call: its counter, and the call observer. */
static void count_call(uint64_t *counter, enum heap_call call)
{
    ++*counter;
    if (section.call_observer != NULL)
        section.call_observer(call, section.call_observer_arg);
}

static void note_footprint(void)
{
    size_t heap = (size_t)(section.brk - section.start);
    if (heap + section.mapped_bytes > section.peak_footprint) {
        section.peak_footprint = heap + section.mapped_bytes;
        section.peak_heap = heap;
        section.peak_mapped = section.mapped_bytes;
    }
}

/* ---- the two back ends: initialise, and move the break ------------------ */

#ifdef DMM_HEAP_SIMULATED

/* Returns 0, or -1 when the reserve cannot be had. */
static int initialise(void)
{
    void *region = mmap(HEAP_PREFERRED_ADDRESS, HEAP_RESERVE_BYTES, PROT_NONE,
                        MAP_PRIVATE | MAP_ANONYMOUS | MAP_NORESERVE | MAP_FIXED_NOREPLACE, -1, 0);
    if (region == MAP_FAILED) /* taken (another dmm heap in this process): anywhere */
        region = mmap(NULL, HEAP_RESERVE_BYTES, PROT_NONE,
                      MAP_PRIVATE | MAP_ANONYMOUS | MAP_NORESERVE, -1, 0);
    if (region == MAP_FAILED)
        return -1;
    section.start = section.brk = region;
    section.reserve_end = section.start + HEAP_RESERVE_BYTES;
    return 0;
}

static uintptr_t align_down(uintptr_t value, uintptr_t alignment)
{
    return value & ~(alignment - 1);
}

/* Pages are accessible up to the first page boundary at or above the break,
 * as with a real heap: a stray write just past the break faults only once it
 * leaves the break's page.
 *
 * Every move is exactly one real system call, with the kernel work of a real
 * brk (the trap, the address-space lock, the walk of the mappings), so that
 * a brk per malloc costs what it costs on a real heap:
 *   - up, or within a page: mprotect(PROT_READ | PROT_WRITE) of the whole
 *     pages holding the change, from the page of the lower break to the page
 *     boundary above the higher one (at least one page). Pages already
 *     accessible stay so; the kernel still checks them, as brk does;
 *   - down across a page boundary: the pages above the new break's page are
 *     replaced by fresh inaccessible reserve, mmap(MAP_FIXED, PROT_NONE,
 *     MAP_NORESERVE): the kernel frees them (they read as zero when the
 *     break comes back up, as fresh memory from the kernel does), as brk's
 *     munmap of the top of the heap does;
 *   - nowhere (the break stays at a page boundary): the page below it is
 *     made accessible again, or, at the start, the page above it
 *     inaccessible: no change, but still the trap.
 * Failures leave the break where it was; a failed give-back is ignored (the
 * pages stay accessible, the break moves down anyway). */
static int move_break(char *new_break)
{
    if (new_break < section.start || new_break > section.reserve_end) {
        errno = ENOMEM;
        return -1;
    }
    uintptr_t page = section.page_size;
    char *old_end = (char *)align_up((uintptr_t)section.brk, page);
    char *new_end = (char *)align_up((uintptr_t)new_break, page);
    if (new_end < old_end) {
        mmap(new_end, (size_t)(old_end - new_end), PROT_NONE,
             MAP_PRIVATE | MAP_ANONYMOUS | MAP_NORESERVE | MAP_FIXED, -1, 0);
    } else {
        char *lower = new_break < section.brk ? new_break : section.brk;
        char *first = (char *)align_down((uintptr_t)lower, page);
        int protection = PROT_READ | PROT_WRITE;
        if (first == new_end && first > section.start)
            first -= page; /* the break stays on a boundary: the page below it */
        else if (first == new_end)
            new_end += page, protection = PROT_NONE; /* ... or at the start: above it */
        /* Memcheck makes every no-access byte of an mprotect'ed page
         * accessible: the headers and free chunks below the old break
         * would lose their protection. Under valgrind only the pages that
         * were inaccessible are named (none inside a page: still one call). */
        if (memcheck_running() && protection != PROT_NONE && first < old_end)
            first = old_end < new_end ? old_end : new_end;
        if (mprotect(first, (size_t)(new_end - first), protection) != 0) {
            errno = ENOMEM;
            return -1;
        }
    }
    /* The bytes above the new break, and the new ones below it, are the
     * allocator's: no access until it hands them out. */
    char *low = new_break < section.brk ? new_break : section.brk;
    memcheck_hide(low, (size_t)((new_end > section.brk ? new_end : section.brk) - low));
    section.brk = new_break;
    return 0;
}

#else /* DMM_HEAP_SYSTEM */

static int initialise(void)
{
    char *current = sbrk(0);
    if (current == (char *)-1)
        return -1;
    char *aligned = (char *)align_up((uintptr_t)current, DMM_ALIGNMENT);
    if (aligned != current && brk(aligned) != 0)
        return -1;
    section.start = section.brk = section.system_break = aligned;
    return 0;
}

/* The real break is shared with anything else in the process that calls
 * brk or sbrk. Before each move, dmm compares it with where it left it; if
 * it moved, the bytes above system_break belong to someone else. Then the
 * section may still shrink (only in dmm's bookkeeping: the real break stays,
 * so their memory survives) and regrow up to system_break, never beyond. */
static int move_break(char *new_break)
{
    if (new_break < section.start) {
        errno = ENOMEM;
        return -1;
    }
    if (!section.foreign_move_seen && sbrk(0) != section.system_break)
        section.foreign_move_seen = 1;
    if (section.foreign_move_seen) {
        if (new_break > section.system_break) {
            errno = ENOMEM;
            return -1;
        }
        section.brk = new_break;
        return 0;
    }
    if (brk(new_break) != 0) {
        errno = ENOMEM;
        return -1;
    }
    if (new_break > section.brk) /* the allocator's until it hands a block out */
        memcheck_hide(section.brk, (size_t)((char *)new_break - section.brk));
    section.brk = section.system_break = new_break;
    return 0;
}

#endif

static int ensure_initialised(void)
{
    if (section.start != NULL)
        return 0;
    section.page_size = (size_t)sysconf(_SC_PAGESIZE);
    if (initialise() != 0) {
        errno = ENOMEM;
        return -1;
    }
    return 0;
}

/* ---- the program break -------------------------------------------------- */

void *heap_start(void)
{
    return ensure_initialised() == 0 ? section.start : NULL;
}

void *heap_break(void)
{
    return ensure_initialised() == 0 ? section.brk : NULL;
}

int heap_brk(void *new_break)
{
    if (ensure_initialised() != 0)
        return -1;
    count_call(&section.brk_calls, HEAP_CALL_BRK);
    if (move_break(new_break) != 0)
        return -1;
    note_footprint();
    notify(HEAP_EVENT_BREAK, section.brk, 0);
    return 0;
}

void *heap_grow(size_t increment)
{
    if (ensure_initialised() != 0)
        return NULL;
    char *old_break = section.brk;
    /* Compare in integers: a pointer past the reserve would be undefined. */
    if (increment > UINTPTR_MAX - (uintptr_t)old_break) {
        count_call(&section.brk_calls, HEAP_CALL_BRK); /* the call was made; it failed */
        errno = ENOMEM;
        return NULL;
    }
    if (heap_brk((char *)((uintptr_t)old_break + increment)) != 0)
        return NULL;
    return old_break;
}

/* ---- mappings ----------------------------------------------------------- */

size_t heap_page_size(void)
{
    ensure_initialised();
    return section.page_size;
}

void *heap_map(size_t length)
{
    if (ensure_initialised() != 0)
        return NULL;
    count_call(&section.mmap_calls, HEAP_CALL_MMAP);
    if (length == 0 || length > SIZE_MAX - section.page_size) {
        errno = ENOMEM;
        return NULL;
    }
    size_t pages = align_up(length, section.page_size);
    void *addr = mmap(NULL, pages, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
    if (addr == MAP_FAILED) {
        errno = ENOMEM;
        return NULL;
    }
    memcheck_hide(addr, pages); /* the allocator's until it hands a block out */
    section.mapped_bytes += pages;
    note_footprint();
    notify(HEAP_EVENT_MAP, addr, pages);
    return addr;
}

int heap_unmap(void *addr, size_t length)
{
    size_t pages = align_up(length, section.page_size);
    count_call(&section.munmap_calls, HEAP_CALL_MUNMAP);
    if (munmap(addr, pages) != 0)
        return -1;
    section.mapped_bytes -= pages;
    notify(HEAP_EVENT_UNMAP, addr, pages);
    return 0;
}

void *heap_remap(void *addr, size_t old_length, size_t new_length)
{
    if (ensure_initialised() != 0)
        return NULL;
    count_call(&section.mremap_calls, HEAP_CALL_MREMAP);
    if (new_length == 0 || new_length > SIZE_MAX - section.page_size) {
        errno = ENOMEM;
        return NULL;
    }
    size_t old_pages = align_up(old_length, section.page_size);
    size_t new_pages = align_up(new_length, section.page_size);
    void *moved = mremap(addr, old_pages, new_pages, MREMAP_MAYMOVE);
    if (moved == MAP_FAILED) {
        errno = ENOMEM;
        return NULL;
    }
    if (new_pages > old_pages) /* the new pages; the old ones keep what memcheck knew */
        memcheck_hide((char *)moved + old_pages, new_pages - old_pages);
    section.mapped_bytes = section.mapped_bytes - old_pages + new_pages;
    note_footprint();
    notify(HEAP_EVENT_UNMAP, addr, old_pages);
    notify(HEAP_EVENT_MAP, moved, new_pages);
    return moved;
}

/* ---- statistics and reset ----------------------------------------------- */

void heap_stats(struct dmm_stats *stats)
{
    ensure_initialised();
    stats->heap_bytes = (size_t)(section.brk - section.start);
    stats->mapped_bytes = section.mapped_bytes;
    stats->footprint_bytes = stats->heap_bytes + stats->mapped_bytes;
    stats->peak_footprint_bytes = section.peak_footprint;
    stats->peak_heap_bytes = section.peak_heap;
    stats->peak_mapped_bytes = section.peak_mapped;
    stats->brk_calls = section.brk_calls;
    stats->mmap_calls = section.mmap_calls;
    stats->munmap_calls = section.munmap_calls;
    stats->mremap_calls = section.mremap_calls;
}

void heap_reset(void)
{
    if (ensure_initialised() != 0)
        return;
    memcheck_forget_blocks(section.start, section.brk); /* the live blocks go with it */
    move_break(section.start);
    notify(HEAP_EVENT_BREAK, section.brk, 0);
    section.mapped_bytes = 0;
    section.peak_footprint = section.peak_heap = section.peak_mapped = 0;
    section.brk_calls = section.mmap_calls = section.munmap_calls = section.mremap_calls = 0;
}

void heap_set_observer(heap_observer_fn *observer, void *arg)
{
    section.observer = observer;
    section.observer_arg = arg;
}

void heap_set_call_observer(heap_call_fn *observer, void *arg)
{
    section.call_observer = observer;
    section.call_observer_arg = arg;
}
