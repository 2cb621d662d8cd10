/*
 * check_segregated.c — the lecture's behaviour of allocators/segregated.c:
 * size classes with a bounded rounding, runs of one class, no header on
 * any chunk, LIFO free lists, a page table that free searches in O(1),
 * a mapping per large chunk (kept in the mapping cache when freed, and
 * reused), entirely free runs kept by their class, and a checker that
 * names each broken invariant.
 *
 * What the allocator decides is read here from its behaviour, not from its
 * source: a class is found by freeing a chunk and asking for another size
 * (the same class hands the same chunk back, LIFO); a class's size by the
 * distance between two chunks carved one after the other. The page table
 * is found through the checker's visitor (the one overhead region outside
 * the heap section) and read with the entry layout mirrored below.
 */
#include "dmm.h"

#include "heap.h"
#include "testlib.h"

#include <check.h>
#include <errno.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>

#define PAGE 4096            /* bytes: the table's page */
#define LARGEST_CLASS 32768  /* bytes: above it, a mapping per chunk */
#define CLASSES 40
#define CACHE_SLOTS 64                   /* freed mappings the cache keeps, at most */
#define CACHE_BYTES ((size_t)4 << 20)    /* and their bytes, at most */

/* Built with -DDMM_MMAP_THRESHOLD_FIXED=1, segregated.c has no mapping
 * cache: every large chunk is unmapped at its free (the lecture's rule). */
#ifndef DMM_MMAP_THRESHOLD_FIXED
#define DMM_MMAP_THRESHOLD_FIXED 0
#endif

/* segregated.c's page-table entry, mirrored so that tests can corrupt it. */
struct mirror_entry {
    uintptr_t page;       /* address / PAGE; 0 marks an empty slot */
    uint16_t class_index; /* the run's class, or CLASSES for a mapping */
    uint16_t page_in_run; /* position in the run */
    uint32_t pages;       /* the run's or mapping's length in pages */
};

static struct mirror_entry *entry_of(const void *p); /* the page table, below */

static struct dmm_stats stats_now(void)
{
    struct dmm_stats stats;
    dmm_stats(&stats);
    return stats;
}

static void setup(void)
{
    dmm_reset();
}

/* The lecture's classes, computed here from their definition: 16-byte steps
 * to 128 bytes, then four per power of two up to 32 KiB. */
static size_t expected_classes(size_t sizes[CLASSES])
{
    size_t n = 0;
    for (size_t c = 16; c <= 128; c += 16)
        sizes[n++] = c;
    for (size_t power = 128; power < LARGEST_CLASS; power *= 2)
        for (size_t j = 1; j <= 4; j++)
            sizes[n++] = power + j * power / 4;
    return n;
}

/* ---- the size classes -------------------------------------------------------- */

START_TEST(test_classes_and_the_fragmentation_bound)
{
    /* A request of the same class as the one before gets the chunk just
     * freed back (LIFO); a new class gets another chunk. So the classes
     * appear as runs of requests, each ending at its class's size. */
    size_t found[CLASSES], count = 0; /* found[i]: the largest request of class i */
    void *before = dmm_malloc(0);
    dmm_free(before);
    for (size_t n = 1; n <= LARGEST_CLASS; n++) {
        void *p = dmm_malloc(n);
        require(p != NULL, "malloc(%zu) failed", n);
        if (p != before) {
            require(count + 1 < CLASSES, "more than %d classes: a new one at %zu bytes", CLASSES,
                    n);
            found[count++] = n - 1; /* the class before ends at n - 1 */
        }
        dmm_free(p);
        before = p;
    }
    found[count++] = LARGEST_CLASS;
    ck_assert_uint_eq(count, CLASSES); /* and malloc(0) shares the first with 1..16 bytes */
    size_t expected[CLASSES];
    ck_assert_uint_eq(expected_classes(expected), CLASSES);
    for (size_t i = 0; i < CLASSES; i++)
        ck_assert_uint_eq(found[i], expected[i]);

    /* The bound the header states, for every request. */
    size_t class = 0;
    for (size_t n = 1; n <= LARGEST_CLASS; n++) {
        while (expected[class] < n)
            class++;
        size_t c = expected[class], waste = c - n;
        require(c % 16 == 0, "class %zu is not a multiple of the alignment", c);
        if (n <= 128)
            require(waste <= 15, "%zu bytes get a %zu-byte chunk", n, c);
        else
            require(4 * waste < n, "%zu bytes get a %zu-byte chunk: 25%% or more", n, c);
    }
    ck_assert_heap_ok();
}
END_TEST

START_TEST(test_no_header_chunks_are_class_bytes_apart)
{
    size_t classes[CLASSES];
    expected_classes(classes);
    for (size_t i = 0; i < CLASSES; i++) {
        dmm_reset();
        char *a = dmm_malloc(classes[i]), *b = dmm_malloc(classes[i]);
        ck_assert_ptr_nonnull(a);
        ck_assert_uint_eq((uintptr_t)a % PAGE, 0); /* a run's first chunk: its first byte */
        ck_assert_msg(b - a == (ptrdiff_t)classes[i], "class %zu: chunks %td bytes apart",
                      classes[i], b - a);
        memset(a, 0xA5, 2 * classes[i]); /* every byte of both is payload */
        ck_assert_heap_ok();
    }
}
END_TEST

/* ---- malloc and free: LIFO, O(1) ---------------------------------------------- */

static uint64_t malloc_steps_of(size_t size, void **payload)
{
    uint64_t before = stats_now().malloc_steps;
    *payload = dmm_malloc(size);
    return stats_now().malloc_steps - before;
}

START_TEST(test_free_pushes_and_malloc_pops_lifo)
{
    void *p[4], *got;
    for (int i = 0; i < 4; i++)
        ck_assert_uint_eq(malloc_steps_of(60, &p[i]), 0); /* carved: nothing examined */
    dmm_free(p[0]);
    dmm_free(p[2]); /* the 64-byte class's list: p2, p0 */
    void *other = dmm_malloc(100); /* another class: its own run */
    ck_assert_ptr_ne(other, p[2]);
    ck_assert_uint_eq(malloc_steps_of(49, &got), 1); /* 49..64 bytes: the same class */
    ck_assert_ptr_eq(got, p[2]);
    ck_assert_uint_eq(malloc_steps_of(64, &got), 1);
    ck_assert_ptr_eq(got, p[0]);
    ck_assert_uint_eq(malloc_steps_of(64, &got), 0); /* the list is empty: carved again */
    ck_assert_ptr_eq(got, (char *)p[3] + 64);
}
END_TEST

START_TEST(test_search_steps_do_not_grow_with_the_free_list)
{
    uint64_t steps_10 = free_steps_with_free_list_of(10);
    uint64_t steps_100 = free_steps_with_free_list_of(100);
    uint64_t steps_1000 = free_steps_with_free_list_of(1000);
    uint64_t steps_10000 = free_steps_with_free_list_of(10000);
    ck_assert_uint_eq(steps_1000, steps_100);
    ck_assert_uint_eq(steps_10, steps_100);
    ck_assert_uint_eq(steps_10000, steps_100);
    ck_assert_uint_le(steps_100, 2); /* slots probed in the page table */
    void *got;
    ck_assert_uint_eq(malloc_steps_of(32, &got), 1); /* 10000 free chunks: a pop */
    /* Over many frees, about one probe each: the table's load stays <= 1/2. */
    dmm_reset();
    static void *chunks[20000];
    for (size_t i = 0; i < 20000; i++)
        chunks[i] = dmm_malloc(16 + i % 2000);
    struct dmm_stats before = stats_now();
    for (size_t i = 0; i < 20000; i++)
        dmm_free(chunks[i]);
    struct dmm_stats after = stats_now();
    double per_free = (double)(after.free_steps - before.free_steps) / 20000.0;
    ck_assert_msg(per_free >= 1.0 && per_free < 1.5, "%.2f probes per free", per_free);
    ck_assert_heap_ok();
}
END_TEST

/* ---- large chunks ------------------------------------------------------------- */

static size_t pages_for(size_t bytes)
{
    return (bytes + PAGE - 1) / PAGE * PAGE;
}

START_TEST(test_large_chunks_are_mapped_and_cached)
{
    char *small = dmm_malloc(LARGEST_CLASS); /* the largest class: a run, no mapping of its own */
    struct dmm_stats before = stats_now();
    ck_assert_uint_eq(before.mmap_calls, 1); /* the page table only */
    char *large = dmm_malloc(LARGEST_CLASS + 1);
    struct dmm_stats during = stats_now();
    ck_assert_uint_eq(during.mmap_calls, 2);
    ck_assert_uint_eq((uintptr_t)large % heap_page_size(), 0); /* no header before it */
    ck_assert_uint_eq(during.mapped_bytes - before.mapped_bytes, LARGEST_CLASS + PAGE);
    memset(large, 0x5A, LARGEST_CLASS + 1);
    ck_assert_heap_ok();
    errno = 1234;
    dmm_free(large);
    ck_assert_int_eq(errno, 1234);
    struct dmm_stats after = stats_now();
    if (DMM_MMAP_THRESHOLD_FIXED) { /* the naive rule: given back at once */
        ck_assert_uint_eq(after.munmap_calls, 1);
        ck_assert_uint_eq(after.mapped_bytes, before.mapped_bytes);
    } else { /* kept in the mapping cache: still mapped, no system call */
        ck_assert_uint_eq(after.munmap_calls, 0);
        ck_assert_uint_eq(after.mapped_bytes, during.mapped_bytes);
    }
    ck_assert_ptr_nonnull(small);
    ck_assert_heap_ok();
}
END_TEST

/* (a) The churn the cache removes: a freed mapping serves the next large
 * request of its page count, or up to a quarter fewer pages, without a
 * system call; a request it does not fit resizes it with one mremap. */
START_TEST(test_freed_mapping_is_reused_without_a_system_call)
{
    if (DMM_MMAP_THRESHOLD_FIXED)
        return;
    char *a = dmm_malloc(40000); /* 10 pages */
    pattern_fill(a, 40000, 3);
    dmm_free(a);
    struct dmm_stats before = stats_now();
    char *b = dmm_malloc(40000);
    ck_assert_ptr_eq(b, a); /* the same mapping back */
    struct dmm_stats after = stats_now();
    ck_assert_uint_eq(after.mmap_calls, before.mmap_calls);
    ck_assert_uint_eq(after.munmap_calls, before.munmap_calls);
    ck_assert_uint_eq(after.mremap_calls, before.mremap_calls);
    pattern_fill(b, 40000, 4);
    ck_assert_heap_ok();
    dmm_free(b);
    char *c = dmm_malloc(34000); /* 9 pages: 10 is within a quarter more */
    ck_assert_ptr_eq(c, a);
    ck_assert_uint_eq(stats_now().mmap_calls, before.mmap_calls);
    ck_assert_uint_eq(entry_of(c)->pages, 10);
    dmm_free(c);
    char *d = dmm_malloc(200000); /* 49 pages: 10 do not fit; resized, not mapped anew */
    after = stats_now();
    ck_assert_uint_eq(after.mmap_calls, before.mmap_calls);
    ck_assert_uint_eq(after.mremap_calls, before.mremap_calls + 1);
    ck_assert_uint_eq(after.munmap_calls, before.munmap_calls);
    ck_assert_uint_eq(entry_of(d)->pages, pages_for(200000) / PAGE);
    pattern_fill(d, 200000, 5);
    ck_assert_heap_ok();
}
END_TEST

/* realloc of a large chunk: in place while its mapping still fits (up to a
 * quarter more pages than needed), else by copy into a cached mapping that
 * fits rather than by mremap; the mapping it leaves goes into the cache. */
START_TEST(test_large_realloc_prefers_the_cache_to_mremap)
{
    if (DMM_MMAP_THRESHOLD_FIXED)
        return;
    char *a = dmm_malloc(100000), *b = dmm_malloc(40000); /* 25 and 10 pages */
    dmm_free(b);
    pattern_fill(a, 100000, 6);
    struct dmm_stats before = stats_now();
    ck_assert_ptr_eq(dmm_realloc(a, 90000), a); /* 22 pages needed: 25 fit */
    char *moved = dmm_realloc(a, 40000);        /* 10 needed: 25 do not fit, b's 10 do */
    ck_assert_ptr_eq(moved, b);
    ck_assert(pattern_intact(moved, 40000, 6));
    struct dmm_stats after = stats_now();
    ck_assert_uint_eq(after.mremap_calls, before.mremap_calls);
    ck_assert_uint_eq(after.mmap_calls, before.mmap_calls);
    ck_assert_uint_eq(after.munmap_calls, before.munmap_calls);
    ck_assert_ptr_eq(dmm_malloc(100000), a); /* a's mapping, from the cache */
    ck_assert_heap_ok();
}
END_TEST

/* (b) The cache's bounds: a mapping larger than the whole cache is unmapped
 * at its free; the cache keeps CACHE_SLOTS mappings and CACHE_BYTES at
 * most (the oldest leave first); and the heap section never grows while
 * the cache holds memory, so the cache never raises the peak footprint. */
START_TEST(test_the_mapping_cache_is_bounded)
{
    if (DMM_MMAP_THRESHOLD_FIXED)
        return;
    char *huge = dmm_malloc(CACHE_BYTES + 1);
    size_t table = stats_now().mapped_bytes - pages_for(CACHE_BYTES + 1);
    dmm_free(huge);
    ck_assert_uint_eq(stats_now().munmap_calls, 1);
    ck_assert_uint_eq(stats_now().mapped_bytes, table);

    enum { CHUNKS = CACHE_SLOTS + 6 };
    static char *chunks[CHUNKS];
    for (int i = 0; i < CHUNKS; i++)
        chunks[i] = dmm_malloc(40000); /* 10 pages each: 70 of them fit in 4 MiB */
    table = stats_now().mapped_bytes - CHUNKS * pages_for(40000);
    uint64_t unmapped = stats_now().munmap_calls;
    for (int i = 0; i < CHUNKS; i++)
        dmm_free(chunks[i]);
    ck_assert_uint_eq(stats_now().munmap_calls - unmapped, CHUNKS - CACHE_SLOTS);
    ck_assert_uint_eq(stats_now().mapped_bytes - table, CACHE_SLOTS * pages_for(40000));
    ck_assert_heap_ok();
    dmm_reset();

    enum { BIG = 50 }; /* 50 mappings of 25 pages: 40 fill the 4 MiB */
    for (int i = 0; i < BIG; i++)
        chunks[i] = dmm_malloc(100000);
    table = stats_now().mapped_bytes - BIG * pages_for(100000);
    for (int i = 0; i < BIG; i++)
        dmm_free(chunks[i]);
    ck_assert_uint_eq(stats_now().mapped_bytes - table,
                      CACHE_BYTES / pages_for(100000) * pages_for(100000));
    ck_assert_heap_ok();

    uint64_t breaks = stats_now().brk_calls;
    for (int i = 0; stats_now().brk_calls == breaks; i++) /* until the heap section grows */
        ck_assert_ptr_nonnull(dmm_malloc(LARGEST_CLASS));
    ck_assert_uint_eq(stats_now().mapped_bytes, table); /* the cache was flushed first */
    ck_assert_heap_ok();
}
END_TEST

START_TEST(test_realloc_in_class_in_place_mapped_by_mremap)
{
    char *p = dmm_malloc(100); /* the 112-byte class */
    pattern_fill(p, 100, 1);
    ck_assert_ptr_eq(dmm_realloc(p, 112), p); /* same class: in place */
    ck_assert_ptr_eq(dmm_realloc(p, 97), p);
    char *q = dmm_realloc(p, 96); /* the 96-byte class: moves, keeping the 25% bound */
    ck_assert_ptr_ne(q, p);
    ck_assert(pattern_intact(q, 96, 1));
    char *big = dmm_realloc(q, 100000); /* a mapping now */
    ck_assert(pattern_intact(big, 96, 1));
    pattern_fill(big, 100000, 2);
    uint64_t remaps = stats_now().mremap_calls;
    char *bigger = dmm_realloc(big, 1000000);
    ck_assert_uint_eq(stats_now().mremap_calls, remaps + 1);
    ck_assert(pattern_intact(bigger, 100000, 2));
    ck_assert_heap_ok();
    char *back = dmm_realloc(bigger, 50); /* small again: copied into a class */
    ck_assert(pattern_intact(back, 50, 2));
    /* The table, and the mapping the chunk left, in the cache (none if naive). */
    ck_assert_uint_eq(stats_now().mapped_bytes,
                      PAGE + (DMM_MMAP_THRESHOLD_FIXED ? 0 : pages_for(1000000)));
    ck_assert_heap_ok();
}
END_TEST

/* ---- the lecture's demo, and what happens to entirely free runs --------------- */

START_TEST(test_lecture_demo)
{
    run_lecture_demo();
    struct dmm_stats s = stats_now();
    ck_assert_uint_eq(s.brk_calls, 1);     /* one 64 KiB growth step */
    ck_assert_uint_eq(s.mmap_calls, 1);    /* the page table */
    ck_assert_uint_eq(s.munmap_calls, 0);
    ck_assert_uint_eq(s.malloc_steps, 0);  /* five sizes, five classes: every chunk carved */
    ck_assert_uint_eq(s.free_steps, 5);    /* one probe per free */
    ck_assert_uint_eq(s.peak_footprint_bytes, 65536 + PAGE);
    /* Five runs of one page each, every chunk free but kept by its class:
     * nothing coalesces, and p5 (32 bytes) did not reuse p2's 16. */
    struct heap_summary summary = heap_summarize();
    ck_assert_uint_eq(summary.bytes, s.footprint_bytes);
    ck_assert_uint_eq(summary.free_chunks, 5 + 5 + 1); /* chunks, uncarved ranges, the pad */
}
END_TEST

struct chunk_census {
    const char *run;         /* the run to count in */
    size_t free_in_run;      /* free chunks of 64 bytes inside it */
    size_t headers;          /* header bytes seen in heap chunks */
};

static void count_in_run(const struct dmm_chunk_info *chunk, void *arg)
{
    struct chunk_census *census = arg;
    const char *at = chunk->start;
    if (at >= census->run && at < census->run + PAGE && chunk->is_free && chunk->size == 64)
        census->free_in_run++;
    if (at >= (const char *)heap_start() && at < (const char *)heap_break())
        census->headers += chunk->header_bytes;
}

START_TEST(test_an_entirely_free_run_stays_with_its_class)
{
    char *chunks[64];
    for (int i = 0; i < 64; i++) /* 64 chunks of 64 bytes: one whole page */
        chunks[i] = dmm_malloc(64);
    ck_assert_uint_eq((uintptr_t)chunks[0] % PAGE, 0);
    for (int i = 0; i < 64; i++)
        dmm_free(chunks[i]);
    size_t heap_bytes = stats_now().heap_bytes;
    char *other = dmm_malloc(640); /* another class gets a run of its own, above */
    ck_assert_ptr_eq(other, chunks[0] + PAGE);
    ck_assert_uint_eq(stats_now().heap_bytes, heap_bytes); /* from the pad: no brk */
    struct chunk_census census = {.run = chunks[0]};
    ck_assert_ptr_null(dmm_check(count_in_run, &census));
    ck_assert_uint_eq(census.free_in_run, 64); /* the whole run: free, still 64-byte chunks */
    ck_assert_uint_eq(census.headers, 512);    /* only the 640-byte run's leftover: 8192 - 12 * 640 */
    ck_assert_ptr_eq(dmm_malloc(50), chunks[63]); /* its class takes it back, last freed first */
}
END_TEST

/* ---- the checker's visitor ------------------------------------------------------ */

struct table_finder {
    struct mirror_entry *table;
    size_t slots;
};

static void find_table(const struct dmm_chunk_info *chunk, void *arg)
{
    struct table_finder *finder = arg;
    const char *at = chunk->start;
    int in_heap = at >= (const char *)heap_start() && at < (const char *)heap_break();
    if (!in_heap && chunk->header_bytes == chunk->size) {
        finder->table = (struct mirror_entry *)chunk->start;
        finder->slots = chunk->size / sizeof(struct mirror_entry);
    }
}

static struct table_finder table_now(void)
{
    struct table_finder finder = {NULL, 0};
    ck_assert_ptr_null(dmm_check(find_table, &finder));
    ck_assert_ptr_nonnull(finder.table);
    return finder;
}

static struct mirror_entry *entry_of(const void *p)
{
    struct table_finder t = table_now();
    for (size_t i = 0; i < t.slots; i++)
        if (t.table[i].page == (uintptr_t)p / PAGE)
            return &t.table[i];
    ck_abort_msg("no entry for %p", p);
    return NULL;
}

START_TEST(test_visitor_accounts_for_the_whole_footprint)
{
    char *large = dmm_malloc(100000);
    for (int i = 1; i <= 300; i++)
        dmm_free(dmm_malloc((size_t)(i * 37)));
    struct heap_summary summary = heap_summarize();
    struct dmm_stats s = stats_now();
    ck_assert_uint_eq(summary.bytes, s.footprint_bytes);
    struct mirror_entry *record = entry_of(large);
    ck_assert_uint_eq(record->class_index, CLASSES);
    ck_assert_uint_eq((size_t)record->pages * PAGE, 100000 / PAGE * PAGE + PAGE);
}
END_TEST

/* ---- the checker: one corruption per invariant ----------------------------------- */

/* Mirrors segregated.c's Fibonacci hashing, to place entries on purpose. */
static size_t home_slot(uintptr_t page, size_t slots)
{
    unsigned bits = (unsigned)__builtin_ctzll((unsigned long long)slots);
    return (size_t)(((uint64_t)page * 0x9E3779B97F4A7C15u) >> (64 - bits));
}

START_TEST(test_check_invariant1_stray_table_entry)
{
    ck_assert_ptr_nonnull(dmm_malloc(64));
    struct table_finder t = table_now();
    uintptr_t page = 12345; /* no page of this heap: its entry is one too many */
    struct mirror_entry *slot = &t.table[home_slot(page, t.slots)];
    ck_assert_uint_eq(slot->page, 0);
    *slot = (struct mirror_entry){.page = page, .class_index = 0, .pages = 1};
    assert_broken(1);
}
END_TEST

START_TEST(test_check_invariant1_entry_past_an_empty_slot)
{
    char *p = dmm_malloc(64);
    struct table_finder t = table_now();
    struct mirror_entry *entry = entry_of(p), saved = *entry;
    size_t home = home_slot(saved.page, t.slots), away = (home + 2) % t.slots;
    ck_assert_uint_eq(t.table[(home + 1) % t.slots].page, 0);
    ck_assert_uint_eq(t.table[away].page, 0);
    entry->page = 0; /* moved two slots on, past an empty one: lookups miss it */
    t.table[away] = saved;
    assert_broken(1);
}
END_TEST

START_TEST(test_check_invariant2_run_passes_the_pad)
{
    char *p = dmm_malloc(64); /* the only run: one page */
    entry_of(p)->class_index = CLASSES - 1; /* now claims a 256 KiB run of 32 KiB chunks */
    assert_broken(2);
}
END_TEST

START_TEST(test_check_invariant3_page_of_a_run_without_its_entry)
{
    char *p = dmm_malloc(600); /* the 640-byte class: runs of two pages */
    entry_of(p + PAGE)->page_in_run = 0;
    assert_broken(3);
}
END_TEST

START_TEST(test_check_invariant4_mapping_record_wrong_length)
{
    char *large = dmm_malloc(100000);
    struct mirror_entry *record = entry_of(large);
    record->pages += 1;
    assert_checker_says(4);
    record->pages -= 1; /* so that dmm_reset unmaps exactly what was mapped */
    ck_assert_heap_ok();
    dmm_reset();
}
END_TEST

START_TEST(test_check_invariant5_uncarved_range_in_another_class)
{
    char *p = dmm_malloc(32); /* the 32-byte class carves the rest of this page later */
    entry_of(p)->class_index = 3; /* the page now says 64-byte class (also one page a run) */
    assert_broken(5);
}
END_TEST

START_TEST(test_check_invariant6_free_link_inside_a_chunk)
{
    char *a = dmm_malloc(64), *b = dmm_malloc(64);
    dmm_free(a);
    dmm_free(b); /* the list: b, a */
    *(char **)b = a + 16; /* b's link: the middle of a */
    assert_broken(6);
}
END_TEST

START_TEST(test_check_invariant7_double_free_and_lost_chunk)
{
    char *a = dmm_malloc(64), *b = dmm_malloc(64);
    (void)b;
    dmm_free(a);
    dmm_free(a); /* a's link now points at a: a cycle */
    assert_broken(7);
    a = dmm_malloc(64), b = dmm_malloc(64);
    dmm_free(a);
    dmm_free(b);
    *(char **)b = NULL; /* a falls off the list: neither free nor allocated */
    assert_broken(7);
}
END_TEST

START_TEST(test_check_invariant8_cached_mapping_still_recorded)
{
    if (DMM_MMAP_THRESHOLD_FIXED)
        return;
    char *live = dmm_malloc(100000), *cached = dmm_malloc(40000);
    dmm_free(cached); /* into the cache: its record leaves the table */
    struct table_finder t = table_now();
    struct mirror_entry *record = entry_of(live), saved = *record;
    record->page = 0; /* the live chunk's record now names the cached mapping */
    size_t slot = home_slot((uintptr_t)cached / PAGE, t.slots);
    while (t.table[slot].page != 0)
        slot = (slot + 1) % t.slots;
    t.table[slot] = (struct mirror_entry){.page = (uintptr_t)cached / PAGE,
                                          .class_index = CLASSES, .pages = 10};
    assert_checker_says(8);
    t.table[slot].page = 0; /* as it was, so that dmm_reset unmaps each mapping once */
    *record = saved;
    ck_assert_heap_ok();
}
END_TEST

int main(void)
{
    const struct test_group groups[] = {
        {"classes", {test_classes_and_the_fragmentation_bound,
                     test_no_header_chunks_are_class_bytes_apart}},
        {"malloc-free", {test_free_pushes_and_malloc_pops_lifo,
                         test_search_steps_do_not_grow_with_the_free_list,
                         test_large_chunks_are_mapped_and_cached,
                         test_freed_mapping_is_reused_without_a_system_call,
                         test_large_realloc_prefers_the_cache_to_mremap,
                         test_the_mapping_cache_is_bounded,
                         test_realloc_in_class_in_place_mapped_by_mremap}},
        {"lecture", {test_lecture_demo, test_an_entirely_free_run_stays_with_its_class,
                     test_visitor_accounts_for_the_whole_footprint}},
        {"checker", {test_check_invariant1_stray_table_entry,
                     test_check_invariant1_entry_past_an_empty_slot,
                     test_check_invariant2_run_passes_the_pad,
                     test_check_invariant3_page_of_a_run_without_its_entry,
                     test_check_invariant4_mapping_record_wrong_length,
                     test_check_invariant5_uncarved_range_in_another_class,
                     test_check_invariant6_free_link_inside_a_chunk,
                     test_check_invariant7_double_free_and_lost_chunk,
                     test_check_invariant8_cached_mapping_still_recorded}},
    };
    return run_test_groups("lecture/segregated", groups, sizeof groups / sizeof groups[0], setup);
}
