/*
 * segregated.c — segregated metadata: size classes, one class per run of
 * pages, no header on any chunk; free finds a chunk's class from its page
 * number through a hash table kept apart from the payloads.
 *
 * The idea
 *   Every request is rounded up to one of 40 size classes. The heap section
 *   is cut into runs of whole pages, each serving one class, so a chunk's
 *   size is a property of its page and no chunk needs a header or a footer.
 *   malloc pops the head of its class's free list (LIFO, threaded through
 *   the free chunks); when the list is empty it carves the next chunk off
 *   the class's newest run, and when that run is used up it takes a new run
 *   from the bottom of the pad. free looks the chunk's page up in the page
 *   table and pushes the chunk onto its class's list. A request above
 *   LARGEST_CLASS gets a mapping of its own, recorded in the same table
 *   under its first page: no header there either. Nothing is split or
 *   coalesced.
 *
 * Large chunks, and the mapping cache
 *   The lecture's rule, a mapping per large chunk given back at its free,
 *   costs an mmap, a page fault per page touched and a munmap (a TLB
 *   shootdown on every core the process runs on) per malloc-free pair: a
 *   program that keeps asking for 40 KiB pays that every time (8 threads,
 *   half their requests above 32 KiB, 2 M operations: 33 s against glibc's
 *   3.2 s, tests/programs/stress.c; 4.9 s with the cache). glibc raises its mapping threshold instead;
 *   here the classes end at 32 KiB, so the mappings stay and are reused: a
 *   freed mapping goes into the mapping cache (at most MAPPING_CACHE_SLOTS
 *   mappings, MAPPING_CACHE_BYTES in all; the oldest is unmapped to make
 *   room, and a larger one is never kept), and a large request takes a
 *   cached mapping of its page count (no system call), or resizes the
 *   cached one nearest in size with one mremap, before it maps a new one.
 *   Every large chunk is still a mapping of its own, of the pages it needs.
 *   DMM_MMAP_THRESHOLD_FIXED=1 at compile time turns the cache off: the
 *   lecture's naive large chunks (docs/allocators/segregated.md, "Large
 *   chunks: the threshold").
 *
 * The size classes (bytes), and the bound on internal fragmentation
 *     16 32 48 64 80 96 112 128          16-byte steps up to 128: the alignment
 *    160 192 224 256 | 320 ... 512 |     then 4 classes per power of two,
 *    ... | 20480 24576 28672 32768       up to LARGEST_CLASS
 *   A request of n bytes gets the smallest class c >= n (n = 0 gets 16):
 *     n <= 128:  c - n <= 15 bytes, what 16-byte alignment costs anyway;
 *     n  > 128:  c - n <  n / 4: a chunk is less than 25% larger than its
 *                request (classes a quarter of 2^k apart in (2^k, 2^(k+1)]).
 *   A mapped chunk wastes less than one page at its end, or, when it reuses
 *   a cached mapping (below), less than a quarter of its pages.
 *
 * The memory (all of it counted in the footprint)
 *   first_run                                               pad  heap_break()
 *   |<-- run of class 64: 1 page -->|<-- run of class 640: 2 pages -->|    |
 *   +-----+-----+-----+--  --+------+-------+-------+--   --+--------+----+
 *   | A   | F   | A   |  ..  | A    | A     | F     |uncarved|leftover| pad|
 *   +-----+-----+-----+--  --+------+-------+-------+--   --+--------+----+
 *   An allocated chunk is all payload, its first byte the returned pointer;
 *   a free chunk's first word links to the next free chunk of its class.
 *   The checker's walk shows the chunks as allocated or free, an uncarved
 *   range and the pad as free (they can still be handed out), and what can
 *   never be handed out as metadata (dmm.h's DMM_CHUNK_METADATA): a run's
 *   leftover, the filler below the first run, and the page table.
 *
 *   The page table is a mapping of its own (heap_map): it grows by doubling,
 *   and in the heap section its old copies would be left between the runs.
 *   Open addressing, linear probing, load at most 1/2; a 16-byte entry per
 *   page of every run and per large chunk: page number (address / 4096) ->
 *   class (or MAPPED), length of its run or mapping, position in its run.
 *
 * Pages that become entirely free stay in their class's runs until
 * dmm_reset. This is simple segregated storage as the lecture draws it, and
 * what the plots should show: a program that used many 64-byte chunks and
 * moves on to 640-byte ones keeps the 64-byte runs, free, as fragmentation
 * no coalescing can mend. (Giving runs back needs live counts and free lists
 * per run, so that a run's chunks can leave their class in O(1): jemalloc.)
 *
 * Invariants (checked by dmm_check)
 *   1. The page table holds exactly `table_used` entries, at most half its
 *      slots, each reachable by probing from its home slot.
 *   2. The runs tile [first_run, pad), each beginning where the one before
 *      ends; first_run <= pad <= break, all on page boundaries.
 *   3. Every page of every run has its entry, naming the run's class, its
 *      length (run_bytes of the class) and the page's position in it; every
 *      other entry is a mapping record.
 *   4. Every mapping record is whole OS pages outside the heap section; the
 *      records' bytes, the cached mappings' and the table's own add up to
 *      mapped_bytes.
 *   5. A class's uncarved range is empty, or lies in a run of the class at
 *      a chunk boundary and ends where that run's chunks end.
 *   6. Every chunk on a class's free list is a carved chunk of a run of
 *      that class, at a chunk boundary.
 *   7. For each class: the chunks of its runs = chunks on its free list +
 *      chunks allocated + chunks uncarved. (A chunk freed twice makes the
 *      list a cycle, and the count overflows.)
 *   8. The mapping cache holds at most MAPPING_CACHE_SLOTS mappings (none
 *      when DMM_MMAP_THRESHOLD_FIXED), each whole OS pages outside the heap
 *      section with no entry in the table; their bytes add up to
 *      cached_bytes, at most MAPPING_CACHE_BYTES.
 *
 * Cost
 *   malloc: O(1): one free chunk examined (a pop), or none (a carve).
 *   free:   O(1) expected: one table lookup; free_steps counts the slots it
 *           probes (about 1 at load 1/2), the only search free does.
 *   large:  malloc: a cached mapping of its page count (no system call), or
 *           one mremap of a cached one, or one mmap; free: into the cache,
 *           with a munmap when the oldest must leave. O(MAPPING_CACHE_SLOTS).
 *   realloc: in place while the new size has the same class, a large chunk
 *           through heap_remap; otherwise malloc, copy, free.
 *
 * What it deliberately does not do: coalesce, give runs back to the pad or
 * the pad to the OS, lend a free chunk to another class, or cache per thread.
 *
 * Why this file is over ~600 lines: the page table (an open-addressing hash
 * with deletion) and the checker's walk of runs and records are its own; its
 * mapped chunks are records in that table, not mmap.c's or gnu.c's list of
 * headers, so no shared file would shorten it; and the mapping cache (about
 * 150 lines with its checks) moves chunks between the table and the cache,
 * so a reader follows a large free in one file.
 */
#include "dmm.h"

#include "common.h"
#include "heap.h"

#include <stdint.h>
#include <stdlib.h>
#include <unistd.h>

#define PAGE_BYTES ((size_t)4096) /* the table's page; an OS page is this or a multiple */
#define PAGE_SHIFT 12             /* log2(PAGE_BYTES) */
#define SMALL_STEP 16             /* bytes between the small classes: the alignment */
#define SMALL_LIMIT 128           /* bytes: the last class of 16-byte steps */
#define SMALL_CLASSES 8           /* SMALL_LIMIT / SMALL_STEP */
#define CLASSES_PER_DOUBLING 4    /* above SMALL_LIMIT: a chunk < 1.25 x its request */
#define LARGEST_CLASS 32768       /* bytes; larger requests get a mapping each */
#define CLASS_COUNT 40            /* 8 small + 4 for each doubling from 256 to 32768 */
#define MAPPED CLASS_COUNT        /* the class of a mapping record */
#define RUN_MIN_CHUNKS 8          /* a run holds 8 chunks at least: leftover < 1/8 */
#define GROWTH_STEP ((size_t)65536) /* bytes the break moves at least: 16 pages per brk */
#define TABLE_MIN_SLOTS 256       /* the first table: one 4 KiB page of entries */
#define MAPPING_CACHE_SLOTS 64    /* freed mappings kept for reuse, at most */
#define MAPPING_CACHE_BYTES ((size_t)4 << 20) /* 4 MiB: their bytes, at most */

/* DMM_MMAP_THRESHOLD_FIXED=1: no mapping cache, every large chunk mapped
 * at its malloc and unmapped at its free (the lecture's naive rule). */
#ifndef DMM_MMAP_THRESHOLD_FIXED
#define DMM_MMAP_THRESHOLD_FIXED 0
#endif
#define CACHE_LIMIT (DMM_MMAP_THRESHOLD_FIXED ? 0 : MAPPING_CACHE_SLOTS)

static const uint32_t class_bytes[CLASS_COUNT] = {
    16,    32,    48,    64,    80,    96,    112,   128,   /* 16-byte steps */
    160,   192,   224,   256,   320,   384,   448,   512,   /* 4 per power of two */
    640,   768,   896,   1024,  1280,  1536,  1792,  2048,
    2560,  3072,  3584,  4096,  5120,  6144,  7168,  8192,
    10240, 12288, 14336, 16384, 20480, 24576, 28672, 32768,
};

struct free_chunk {            /* a free chunk: only its first word is used */
    struct free_chunk *next;   /* next free chunk of the same class, or NULL */
};

struct page_entry {            /* one slot of the page table */
    uintptr_t page;            /* page number (address >> PAGE_SHIFT); 0: an empty slot */
    uint16_t class_index;      /* the class of the page's run, or MAPPED */
    uint16_t page_in_run;      /* the page's position in its run; 0 for a mapping */
    uint32_t pages;            /* length of its run or mapping, in pages */
};

_Static_assert(sizeof(struct page_entry) == 16, "16-byte entries: 256 to a page");

struct cached_mapping {       /* a freed large chunk's mapping, kept for reuse */
    char *start;               /* page-aligned */
    size_t bytes;              /* whole pages */
};

struct size_class {
    struct free_chunk *free_list; /* the class's free chunks, last freed first */
    char *carve;               /* next chunk never handed out, in the newest run */
    char *carve_end;           /* end of that run's chunks; carve == carve_end: none left */
    size_t live;               /* chunks allocated now (invariant 7) */
};

static struct segregated_state {
    struct size_class classes[CLASS_COUNT];
    struct page_entry *table;  /* the page table's mapping; NULL until first needed */
    size_t table_slots;        /* a power of two */
    size_t table_used;         /* entries in the table */
    char *first_run;           /* the first page boundary of the heap section */
    char *pad;                 /* end of the last run; [pad, break) is the pad */
    struct cached_mapping cache[MAPPING_CACHE_SLOTS]; /* oldest first (invariant 8) */
    size_t cached;             /* mappings in the cache */
    size_t cached_bytes;       /* their bytes */
    struct call_counts counts; /* calls and search steps, for dmm_stats */
} state;

/* ---- classes, runs and pages ---------------------------------------------- */

/* The class of a request of 0..LARGEST_CLASS bytes. Above SMALL_LIMIT the
 * request lies in (2^k, 2^(k+1)], whose four classes are 2^k / 4 apart. */
static inline size_t class_index(size_t request)
{
    if (request <= SMALL_LIMIT)
        return request == 0 ? 0 : (request - 1) / SMALL_STEP;
    unsigned k = 63u - (unsigned)__builtin_clzll((unsigned long long)(request - 1));
    size_t quarter = (size_t)1 << (k - 2);
    size_t j = (request - 1 - ((size_t)1 << k)) / quarter;
    return SMALL_CLASSES + (k - 7) * CLASSES_PER_DOUBLING + j; /* 2^7 = SMALL_LIMIT */
}

static inline size_t page_align_up(size_t bytes)
{
    return (bytes + PAGE_BYTES - 1) & ~(PAGE_BYTES - 1);
}

/* Whole pages holding RUN_MIN_CHUNKS chunks at least. */
static inline size_t run_bytes(size_t index)
{
    return page_align_up(RUN_MIN_CHUNKS * (size_t)class_bytes[index]);
}

static inline size_t run_chunks(size_t index)
{
    return run_bytes(index) / class_bytes[index];
}

static inline uintptr_t page_of(const void *p)
{
    return (uintptr_t)p >> PAGE_SHIFT;
}

static inline char *page_address(uintptr_t page)
{
    return (char *)(page << PAGE_SHIFT);
}

/* ---- the page table -------------------------------------------------------- */

/* Fibonacci hashing: the top bits of page * 2^64 / golden ratio spread
 * consecutive page numbers (a heap's runs) evenly over the slots. */
static inline size_t table_home(uintptr_t page, size_t slots)
{
    unsigned slot_bits = (unsigned)__builtin_ctzll((unsigned long long)slots);
    return (size_t)(((uint64_t)page * 0x9E3779B97F4A7C15u) >> (64 - slot_bits));
}

/* The entry of a page, or NULL; each slot looked at adds 1 to *probes. */
static inline struct page_entry *table_find(uintptr_t page, uint64_t *probes)
{
    if (state.table == NULL)
        return NULL;
    size_t mask = state.table_slots - 1;
    for (size_t i = table_home(page, state.table_slots);; i = (i + 1) & mask) {
        ++*probes;
        if (state.table[i].page == page)
            return &state.table[i];
        if (state.table[i].page == 0)
            return NULL;
    }
}

static void table_put(struct page_entry *table, size_t slots, struct page_entry entry)
{
    size_t i = table_home(entry.page, slots);
    while (table[i].page != 0)
        i = (i + 1) & (slots - 1);
    table[i] = entry;
}

/* After table_reserve has made room. */
static void table_insert(struct page_entry entry)
{
    table_put(state.table, state.table_slots, entry);
    state.table_used++;
}

/* Empties the entry's slot, then moves later entries of its cluster back
 * into the hole when their home slot allows, so that every entry stays
 * reachable without tombstones (Knuth 6.4, Algorithm R). */
static void table_remove(struct page_entry *entry)
{
    size_t mask = state.table_slots - 1, hole = (size_t)(entry - state.table);
    for (size_t i = (hole + 1) & mask; state.table[i].page != 0; i = (i + 1) & mask) {
        size_t home = table_home(state.table[i].page, state.table_slots);
        if (((i - home) & mask) >= ((i - hole) & mask)) { /* the hole is in [home, i) */
            state.table[hole] = state.table[i];
            hole = i;
        }
    }
    state.table[hole].page = 0;
    state.table_used--;
}

/* Room for `more` entries at load 1/2 at most: if needed, a table twice as
 * large (or more) in a new mapping, the entries moved over, the old mapping
 * given back. Returns 0, or -1 with errno ENOMEM and the table unchanged. */
static int table_reserve(size_t more)
{
    size_t need = state.table_used + more;
    if (state.table != NULL && 2 * need <= state.table_slots)
        return 0;
    size_t slots = state.table_slots ? 2 * state.table_slots : TABLE_MIN_SLOTS;
    while (2 * need > slots)
        slots *= 2;
    struct page_entry *table = heap_map(slots * sizeof *table); /* zero: all slots empty */
    if (table == NULL)
        return -1;
    for (size_t i = 0; i < state.table_slots; i++)
        if (state.table[i].page != 0)
            table_put(table, slots, state.table[i]);
    if (state.table != NULL)
        heap_unmap(state.table, state.table_slots * sizeof *table);
    state.table = table;
    state.table_slots = slots;
    return 0;
}

/* ---- runs, carved from the pad ---------------------------------------------- */

static void cache_flush(void);

/* Makes the pad hold `bytes` at least, moving the break by max(what is
 * missing, GROWTH_STEP): one brk for many runs. The first time, the gap up to
 * the next page boundary is grown too and never used (the system back end's
 * break may lie anywhere). Returns 0, or -1 with errno ENOMEM. */
static int pad_reserve(size_t bytes)
{
    if (state.pad == NULL) {
        char *start = heap_break();
        size_t gap = page_align_up((uintptr_t)start) - (uintptr_t)start;
        if (gap != 0 && heap_grow(gap) == NULL)
            return -1;
        state.first_run = state.pad = start + gap;
    }
    size_t have = (size_t)((char *)heap_break() - state.pad);
    if (have >= bytes)
        return 0;
    cache_flush(); /* the cache never makes the footprint grow: see cache_flush */
    size_t grow = bytes - have > GROWTH_STEP ? page_align_up(bytes - have) : GROWTH_STEP;
    return heap_grow(grow) == NULL ? -1 : 0;
}

/* A new run for the class: its pages enter the table, its first chunk is
 * returned, the rest become the class's uncarved range. NULL with errno
 * ENOMEM when the table or the heap cannot grow. */
static void *carve_new_run(size_t index)
{
    size_t bytes = run_bytes(index), pages = bytes / PAGE_BYTES;
    if (table_reserve(pages) != 0 || pad_reserve(bytes) != 0)
        return NULL;
    char *run = state.pad;
    state.pad += bytes;
    for (size_t i = 0; i < pages; i++)
        table_insert((struct page_entry){.page = page_of(run) + i, .class_index = (uint16_t)index,
                                         .page_in_run = (uint16_t)i, .pages = (uint32_t)pages});
    struct size_class *class = &state.classes[index];
    class->carve = run + class_bytes[index];
    class->carve_end = run + run_chunks(index) * class_bytes[index];
    return run;
}

/* ---- large chunks: a mapping each, recorded in the table ------------------- */

/* Cached mapping i leaves the cache (to be a chunk again, or unmapped). */
static void cache_remove(size_t i)
{
    state.cached_bytes -= state.cache[i].bytes;
    state.cached--;
    for (; i < state.cached; i++)
        state.cache[i] = state.cache[i + 1];
}

/* 1 when a mapping of `have` bytes may serve a chunk that needs `bytes`
 * (whole pages): no more than a quarter larger, the bound the classes
 * keep, so that reuse (and an in-place realloc) wastes no more. */
static inline int mapping_fits(size_t have, size_t bytes)
{
    if (DMM_MMAP_THRESHOLD_FIXED)
        return have == bytes; /* the naive rule: exactly the pages needed */
    return have >= bytes && have - bytes <= bytes / 4;
}

/* cache_fit: the cached mapping that best fits a chunk of `bytes` (the
 * smallest that fits; the newest of equals: its pages are the likeliest
 * still in the TLB), or state.cached when none does.
 * cache_take: a mapping for a chunk of `bytes` from the cache: the best
 * fit, else the one nearest in length, resized by one mremap (one
 * system call instead of an mmap now and a munmap at an eviction). NULL
 * when the cache is empty or the mremap fails (the cache is unchanged);
 * *length is the mapping's length. */
static size_t cache_fit(size_t bytes)
{
    size_t fit = state.cached;
    for (size_t i = state.cached; i-- > 0;)
        if (mapping_fits(state.cache[i].bytes, bytes)
            && (fit == state.cached || state.cache[i].bytes < state.cache[fit].bytes))
            fit = i;
    return fit;
}

static void *cache_take(size_t bytes, size_t *length)
{
    size_t nearest = state.cached, nearest_gap = SIZE_MAX, fit = cache_fit(bytes);
    for (size_t i = state.cached; i-- > 0;) {
        size_t have = state.cache[i].bytes, gap = have > bytes ? have - bytes : bytes - have;
        if (gap < nearest_gap)
            nearest = i, nearest_gap = gap;
    }
    if (fit != state.cached) {
        char *chunk = state.cache[fit].start;
        *length = state.cache[fit].bytes;
        cache_remove(fit);
        return chunk;
    }
    if (nearest == state.cached)
        return NULL;
    char *chunk = heap_remap(state.cache[nearest].start, state.cache[nearest].bytes, bytes);
    if (chunk != NULL) {
        *length = bytes;
        cache_remove(nearest);
    }
    return chunk;
}

/* A freed mapping goes into the cache, the oldest ones unmapped to make
 * room; one larger than the whole cache is unmapped at once. errno is
 * left alone, as free must. */
static void cache_put(char *start, size_t bytes)
{
    if (CACHE_LIMIT == 0 || bytes > MAPPING_CACHE_BYTES) {
        unmap_for_free(start, bytes);
        return;
    }
    while (state.cached == CACHE_LIMIT || state.cached_bytes + bytes > MAPPING_CACHE_BYTES) {
        unmap_for_free(state.cache[0].start, state.cache[0].bytes);
        cache_remove(0);
    }
    state.cache[state.cached++] = (struct cached_mapping){.start = start, .bytes = bytes};
    state.cached_bytes += bytes;
}

/* Before the heap section grows, every cached mapping is unmapped: the
 * memory the cache holds would otherwise add to the peak footprint, where
 * the naive rule had given it back (gnu.c flushes its caches before the
 * heap grows, for the same reason). */
static void cache_flush(void)
{
    while (state.cached > 0) {
        unmap_for_free(state.cache[0].start, state.cache[0].bytes);
        cache_remove(0);
    }
}

static void *malloc_mapped(size_t size)
{
    if (request_too_large(size))
        return fail_enomem();
    size_t bytes = whole_pages(size); /* size <= PTRDIFF_MAX: no wrap */
    if (bytes / PAGE_BYTES > UINT32_MAX) /* an entry counts 2^32 pages at most: 16 TiB */
        return fail_enomem();
    if (table_reserve(1) != 0)
        return NULL;
    size_t length = bytes;
    void *chunk = cache_take(bytes, &length);
    if (chunk == NULL && (chunk = heap_map(bytes)) == NULL)
        return NULL;
    table_insert((struct page_entry){.page = page_of(chunk), .class_index = MAPPED,
                                     .pages = (uint32_t)(length / PAGE_BYTES)});
    return chunk;
}

/* A mapped chunk that stays large keeps its mapping while that still fits
 * (mapping_fits); else it moves by copy into a cached mapping that fits,
 * if there is one (as glibc's realloc copies within its heap); else the
 * kernel resizes it (heap_remap), which may move it: its record moves
 * with it. */
static void *realloc_mapped(void *ptr, struct page_entry *entry, size_t size)
{
    size_t old_bytes = (size_t)entry->pages * PAGE_BYTES, bytes = whole_pages(size);
    if (size <= LARGEST_CLASS || bytes / PAGE_BYTES > UINT32_MAX)
        return realloc_by_copy(ptr, old_bytes, size);
    if (mapping_fits(old_bytes, bytes))
        return memcheck_realloc(ptr, ptr, size);
    if (cache_fit(bytes) != state.cached) /* a copy beats a system call */
        return realloc_by_copy(ptr, old_bytes, size);
    void *moved = heap_remap(ptr, old_bytes, bytes);
    if (moved == NULL)
        return NULL; /* errno ENOMEM; the old mapping and its record stand */
    table_remove(entry); /* frees a slot: the insert needs no room */
    table_insert((struct page_entry){.page = page_of(moved), .class_index = MAPPED,
                                     .pages = (uint32_t)(bytes / PAGE_BYTES)});
    return memcheck_realloc(ptr, moved, size);
}

/* A pointer with no entry was never dmm's: say so without allocating, stop. */
static void not_a_chunk(void)
{
    static const char message[] = "segregated: free or realloc of a pointer that is not a "
                                  "chunk of this heap\n";
    ssize_t written = write(STDERR_FILENO, message, sizeof message - 1);
    (void)written; /* abort either way */
    abort();
}

/* ---- the public interface ---------------------------------------------------- */

/* Every public function that reads or writes the table or a free list starts with
 * MEMCHECK_ALLOCATOR_AT_WORK: under valgrind, headers are no-access to the
 * program and the allocator's own accesses go unreported (heap.h). */
void *dmm_malloc(size_t size)
{
    MEMCHECK_ALLOCATOR_AT_WORK;
    state.counts.malloc_calls++;
    if (size > LARGEST_CLASS)
        return memcheck_malloc(malloc_mapped(size), size);
    size_t index = class_index(size); /* malloc(0) gets a unique 16-byte chunk */
    struct size_class *class = &state.classes[index];
    void *chunk = class->free_list;
    if (chunk != NULL) {
        state.counts.malloc_steps++; /* the one free chunk examined */
        class->free_list = class->free_list->next;
    } else if (class->carve != class->carve_end) {
        chunk = class->carve;
        class->carve += class_bytes[index];
    } else if ((chunk = carve_new_run(index)) == NULL) {
        return NULL;
    }
    class->live++;
    return memcheck_malloc(chunk, size);
}

/* The chunk's page names its class, and the chunk goes to the front of
 * that class's list. A mapping goes into the mapping cache. */
void dmm_free(void *ptr)
{
    if (ptr == NULL)
        return;
    memcheck_free(ptr); /* before the quiet: a pointer never handed out is reported */
    MEMCHECK_ALLOCATOR_AT_WORK;
    state.counts.free_calls++;
    struct page_entry *entry = table_find(page_of(ptr), &state.counts.free_steps);
    if (entry == NULL)
        not_a_chunk();
    if (entry->class_index == MAPPED) {
        size_t bytes = (size_t)entry->pages * PAGE_BYTES;
        table_remove(entry);
        cache_put(ptr, bytes);
        return;
    }
    struct size_class *class = &state.classes[entry->class_index];
    struct free_chunk *chunk = ptr;
    chunk->next = class->free_list;
    class->free_list = chunk;
    class->live--;
}

/* In place while the new size has the chunk's class, so that every live
 * chunk keeps the 25% bound; otherwise malloc, copy, free. */
void *dmm_realloc(void *ptr, size_t size)
{
    void *result;
    if (realloc_special_case(ptr, size, &result))
        return result;
    MEMCHECK_ALLOCATOR_AT_WORK;
    uint64_t probes = 0; /* realloc's own lookup: not a free's search */
    struct page_entry *entry = table_find(page_of(ptr), &probes);
    if (entry == NULL)
        not_a_chunk();
    if (entry->class_index == MAPPED)
        return realloc_mapped(ptr, entry, size);
    if (size <= LARGEST_CLASS && class_index(size) == entry->class_index)
        return memcheck_realloc(ptr, ptr, size);
    return realloc_by_copy(ptr, class_bytes[entry->class_index], size);
}

const char *dmm_name(void)
{
    return "segregated";
}

void dmm_stats(struct dmm_stats *stats)
{
    stats_report(stats, &state.counts);
}

/* ---- the heap checker -------------------------------------------------------- */

/* The entry of p's page when p lies in a run of the class; else NULL. */
static const struct page_entry *run_entry(const void *p, size_t index)
{
    uint64_t probes = 0;
    if ((uintptr_t)p < (uintptr_t)state.first_run || (uintptr_t)p >= (uintptr_t)state.pad)
        return NULL;
    const struct page_entry *entry = table_find(page_of(p), &probes);
    return entry != NULL && entry->class_index == index ? entry : NULL;
}

static char *run_start(const struct page_entry *entry)
{
    return page_address(entry->page - entry->page_in_run);
}

/* Invariant 1 slot by slot, and the shape of each mapping record (4);
 * counts the records and their bytes. */
static const char *check_table(size_t *records, size_t *mapped)
{
    size_t used = 0, mask = state.table_slots - 1;
    if (2 * state.table_used > state.table_slots)
        return check_failed(1, state.table, "%zu entries in %zu slots: the load passes 1/2",
                            state.table_used, state.table_slots);
    for (size_t i = 0; i < state.table_slots; i++) {
        const struct page_entry *e = &state.table[i];
        if (e->page == 0)
            continue;
        used++;
        for (size_t j = table_home(e->page, state.table_slots); j != i; j = (j + 1) & mask)
            if (state.table[j].page == 0)
                return check_failed(1, e, "page %#zx's entry lies past an empty slot from "
                                    "its home slot", (size_t)e->page);
        if (e->class_index != MAPPED)
            continue;
        uintptr_t start = (uintptr_t)page_address(e->page), bytes = (size_t)e->pages * PAGE_BYTES;
        if (e->pages == 0 || start % heap_page_size() || bytes % heap_page_size()
            || (start < (uintptr_t)heap_break() && start + bytes > (uintptr_t)heap_start()))
            return check_failed(4, (void *)start, "a record of %zu pages: not whole OS pages "
                                "outside the heap section", (size_t)e->pages);
        ++*records;
        *mapped += bytes;
    }
    if (used != state.table_used)
        return check_failed(1, state.table, "%zu entries in the slots, %zu counted", used,
                            state.table_used);
    return NULL;
}

/* Invariants 2 and 3: from run to run by the length its first page's entry
 * gives; counts each class's runs. */
static const char *check_runs(size_t runs[CLASS_COUNT], size_t *run_pages)
{
    char *end = heap_break();
    if (state.first_run > state.pad || state.pad > end || (uintptr_t)state.first_run % PAGE_BYTES
        || (uintptr_t)state.pad % PAGE_BYTES || (uintptr_t)end % PAGE_BYTES)
        return check_failed(2, state.pad, "first run %p, pad %p, break %p: not page "
                            "boundaries in order", (void *)state.first_run, (void *)state.pad,
                            (void *)end);
    for (char *run = state.first_run; run != state.pad;) {
        uint64_t probes = 0;
        const struct page_entry *first = table_find(page_of(run), &probes);
        if (first == NULL || first->class_index >= CLASS_COUNT)
            return check_failed(3, run, "a run's first page has no entry of a class");
        size_t index = first->class_index, pages = run_bytes(index) / PAGE_BYTES;
        if ((size_t)(state.pad - run) < pages * PAGE_BYTES)
            return check_failed(2, run, "a run of %zu pages passes the pad %p", pages,
                                (void *)state.pad);
        for (size_t i = 0; i < pages; i++) {
            const struct page_entry *e = table_find(page_of(run) + i, &probes);
            if (e == NULL || e->class_index != index || e->page_in_run != i || e->pages != pages)
                return check_failed(3, run + i * PAGE_BYTES, "page %zu of a %zu-page run of "
                                    "class %u has no entry, or another", i, pages,
                                    class_bytes[index]);
        }
        runs[index]++;
        *run_pages += pages;
        run += pages * PAGE_BYTES;
    }
    return NULL;
}

/* Invariants 5, 6 and 7 for one class. */
static const char *check_class(size_t index, size_t runs)
{
    const struct size_class *class = &state.classes[index];
    size_t bytes = class_bytes[index], capacity = runs * run_chunks(index), uncarved = 0;
    if (class->carve != class->carve_end) {
        const struct page_entry *e = run_entry(class->carve, index);
        if (e == NULL || (size_t)(class->carve - run_start(e)) % bytes
            || class->carve_end != run_start(e) + run_chunks(index) * bytes)
            return check_failed(5, class->carve, "class %zu's uncarved range, to %p, is not "
                                "the end of one of its runs", bytes, (void *)class->carve_end);
        uncarved = (size_t)(class->carve_end - class->carve) / bytes;
    }
    if (class->live + uncarved > capacity)
        return check_failed(7, class->carve, "class %zu: %zu allocated and %zu uncarved in "
                            "runs of %zu chunks", bytes, class->live, uncarved, capacity);
    size_t listed = 0, expected = capacity - class->live - uncarved;
    for (struct free_chunk *c = class->free_list; c != NULL; c = c->next) {
        const struct page_entry *e = run_entry(c, index);
        size_t offset = e ? (size_t)((char *)c - run_start(e)) : 0;
        if (e == NULL || offset % bytes || offset / bytes >= run_chunks(index)
            || ((char *)c >= class->carve && (char *)c < class->carve_end))
            return check_failed(6, c, "on the free list of class %zu, but not a carved chunk "
                                "of one of its runs", bytes);
        if (++listed > expected)
            return check_failed(7, c, "class %zu: more than %zu chunks on its free list (a "
                                "cycle: a chunk listed twice)", bytes, expected);
    }
    if (listed != expected)
        return check_failed(7, class->free_list, "class %zu: %zu chunks in its runs, but %zu "
                            "free + %zu allocated + %zu uncarved", bytes, capacity, listed,
                            class->live, uncarved);
    return NULL;
}

/* How the walk shows a region: a chunk handed out, a chunk that can be
 * (free, uncarved, the pad), or bytes that never can (dmm.h's METADATA). */
enum region { ALLOCATED, FREE, METADATA };

/* Metadata is reported as all header (header_bytes == size), as it was
 * before dmm.h named the kind: a visitor that sums headers still counts it. */
static void visit_region(dmm_visit_fn *visit, void *arg, const void *start, size_t size,
                         enum region region)
{
    if (size != 0)
        visit(&(struct dmm_chunk_info){
                  .start = start, .size = size,
                  .header_bytes = region == METADATA ? size : 0,
                  .is_free = region == FREE,
                  .kind = region == METADATA ? DMM_CHUNK_METADATA : DMM_CHUNK_BLOCK},
              arg);
}

/* One run's chunks in address order. A chunk is free when it is on its
 * class's list, so each run scans that list (a cost paid only when there
 * is a visitor); the uncarved range is one free region, and the leftover
 * after the last chunk is metadata: no chunk of the class fits in it. */
static void visit_run(dmm_visit_fn *visit, void *arg, char *run, size_t index)
{
    const struct size_class *class = &state.classes[index];
    size_t bytes = class_bytes[index], chunks = run_chunks(index);
    uint64_t is_free[PAGE_BYTES / SMALL_STEP / 64] = {0}; /* a bit per chunk: 256 at most */
    for (struct free_chunk *c = class->free_list; c != NULL; c = c->next)
        if ((char *)c >= run && (char *)c < run + chunks * bytes) {
            size_t i = (size_t)((char *)c - run) / bytes;
            is_free[i / 64] |= (uint64_t)1 << (i % 64);
        }
    for (size_t i = 0; i < chunks; i++) {
        char *chunk = run + i * bytes;
        if (chunk == class->carve) {
            visit_region(visit, arg, chunk, (size_t)(class->carve_end - chunk), FREE);
            break;
        }
        visit_region(visit, arg, chunk, bytes, is_free[i / 64] >> (i % 64) & 1 ? FREE : ALLOCATED);
    }
    size_t leftover = run_bytes(index) - chunks * bytes;
    visit_region(visit, arg, run + chunks * bytes, leftover, METADATA);
}

/* The heap section in address order (a gap below the first run as
 * metadata, the runs, the pad as free), each mapping as one allocated
 * chunk, and the table as metadata: everything the footprint counts. */
static void visit_all(dmm_visit_fn *visit, void *arg)
{
    if (state.pad != NULL) {
        size_t gap = (size_t)(state.first_run - (char *)heap_start());
        visit_region(visit, arg, heap_start(), gap, METADATA);
        uint64_t probes = 0;
        for (char *run = state.first_run; run != state.pad;) {
            size_t index = table_find(page_of(run), &probes)->class_index;
            visit_run(visit, arg, run, index);
            run += run_bytes(index);
        }
        visit_region(visit, arg, state.pad, (size_t)((char *)heap_break() - state.pad), FREE);
    }
    for (size_t i = 0; i < state.table_slots; i++)
        if (state.table[i].page != 0 && state.table[i].class_index == MAPPED)
            visit_region(visit, arg, page_address(state.table[i].page),
                         (size_t)state.table[i].pages * PAGE_BYTES, ALLOCATED);
    for (size_t i = 0; i < state.cached; i++) /* free: the next large malloc may take it */
        visit_region(visit, arg, state.cache[i].start, state.cache[i].bytes, FREE);
    size_t table_bytes = state.table ? whole_pages(state.table_slots * sizeof *state.table) : 0;
    visit_region(visit, arg, state.table, table_bytes, METADATA);
}

/* Invariant 8; adds the cached bytes to *mapped. */
static const char *check_cache(size_t *mapped)
{
    size_t bytes = 0;
    if (state.cached > CACHE_LIMIT)
        return check_failed(8, state.cache, "%zu mappings cached, at most %d", state.cached,
                            CACHE_LIMIT);
    for (size_t i = 0; i < state.cached; i++) {
        uintptr_t start = (uintptr_t)state.cache[i].start, length = state.cache[i].bytes;
        uint64_t probes = 0;
        if (length == 0 || start % heap_page_size() || length % heap_page_size()
            || (start < (uintptr_t)heap_break() && start + length > (uintptr_t)heap_start()))
            return check_failed(8, (void *)start, "a cached mapping of %zu bytes: not whole OS "
                                "pages outside the heap section", (size_t)length);
        if (table_find(page_of((void *)start), &probes) != NULL)
            return check_failed(8, (void *)start, "a cached mapping that the table still "
                                "records: a chunk and free at once");
        bytes += length;
    }
    if (bytes != state.cached_bytes || bytes > MAPPING_CACHE_BYTES)
        return check_failed(8, state.cache, "the cached mappings add up to %zu bytes, %zu "
                            "counted, at most %zu", bytes, state.cached_bytes,
                            MAPPING_CACHE_BYTES);
    *mapped += bytes;
    return NULL;
}

/* O(table slots + run pages + free chunks), each lookup O(1) expected. */
const char *dmm_check(dmm_visit_fn *visit, void *arg)
{
    MEMCHECK_ALLOCATOR_AT_WORK;
    size_t records = 0, mapped = 0, runs[CLASS_COUNT] = {0}, run_pages = 0;
    const char *problem = state.table ? check_table(&records, &mapped) : NULL;
    if (problem == NULL && state.pad != NULL)
        problem = check_runs(runs, &run_pages);
    if (problem == NULL)
        problem = check_cache(&mapped);
    if (problem == NULL && run_pages + records != state.table_used)
        problem = check_failed(3, state.table, "%zu entries: %zu run pages and %zu mapping "
                               "records", state.table_used, run_pages, records);
    struct dmm_stats section = {0};
    heap_stats(&section);
    mapped += state.table ? whole_pages(state.table_slots * sizeof *state.table) : 0;
    if (problem == NULL && mapped != section.mapped_bytes)
        problem = check_failed(4, state.table, "the records, the cache and the table add up "
                               "to %zu bytes, "
                               "but %zu are mapped", mapped, section.mapped_bytes);
    for (size_t index = 0; problem == NULL && index < CLASS_COUNT; index++)
        problem = check_class(index, runs[index]);
    if (problem == NULL && visit != NULL)
        visit_all(visit, arg);
    return problem;
}

/* Unmaps each large chunk whose record lies outside the heap section (after
 * a corruption, leaking a mapping beats unmapping pages that are not ours),
 * each cached mapping likewise, then the table; then resets the heap
 * section and every counter. */
/* A small chunk holds its class's bytes; a large chunk is its whole
 * mapping (no header): the page table knows both (dmm.h). */
size_t dmm_usable_size(const void *payload)
{
    MEMCHECK_ALLOCATOR_AT_WORK;
    uint64_t probes = 0; /* not a free's search: not counted */
    const struct page_entry *entry = table_find(page_of(payload), &probes);
    if (entry == NULL)
        not_a_chunk();
    if (entry->class_index == MAPPED)
        return (size_t)entry->pages * PAGE_BYTES;
    return class_bytes[entry->class_index];
}

void dmm_reset(void)
{
    MEMCHECK_ALLOCATOR_AT_WORK;
    for (size_t i = 0; i < state.table_slots; i++) {
        const struct page_entry *e = &state.table[i];
        uintptr_t start = (uintptr_t)page_address(e->page), bytes = (size_t)e->pages * PAGE_BYTES;
        if (e->page != 0 && e->class_index == MAPPED
            && (start >= (uintptr_t)heap_break() || start + bytes <= (uintptr_t)heap_start())) {
            memcheck_free((void *)start); /* a live block: memcheck forgets it */
            heap_unmap((void *)start, bytes);
        }
    }
    for (size_t i = 0; i < state.cached && i < MAPPING_CACHE_SLOTS; i++) {
        uintptr_t start = (uintptr_t)state.cache[i].start, bytes = state.cache[i].bytes;
        if (start >= (uintptr_t)heap_break() || start + bytes <= (uintptr_t)heap_start())
            heap_unmap((void *)start, bytes);
    }
    if (state.table != NULL)
        heap_unmap(state.table, state.table_slots * sizeof *state.table);
    heap_reset();
    state = (struct segregated_state){0};
}
