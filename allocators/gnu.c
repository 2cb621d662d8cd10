/*
 * gnu.c — glibc's malloc in the lecture's terms: bins of free chunks on the
 * heap section, a small cache of freed chunks per size in front of them, a
 * mapping of its own for every large request, and a heap that gives its top
 * back when enough of it is free.
 *
 * The idea, one decision at a time (bins.c is the starting point)
 *   - Exact bins, one per 16 bytes, for chunks below 1 KiB (bins 2..63): a
 *     small request takes the head of the first non-empty bin at or above
 *     its own, and every chunk there fits. Programs ask for the same few
 *     small sizes again and again; glibc draws its exact bins to 1 KiB too.
 *   - Above 1 KiB, 64 size-range bins, four per doubling (1..1.25 KiB,
 *     ..1.5, ..1.75, ..2 KiB, ...): sizes spread out there, and a range per
 *     bin keeps the array short. First fit in the request's own bin, for
 *     at most LARGE_SEARCH_LIMIT chunks (its chunks may be too small), then
 *     the head of the next non-empty bin (every chunk there fits). A bitmap
 *     of non-empty bins finds that bin in an instruction (glibc's binmap).
 *   - free coalesces at once with free neighbours, as bins.c does.
 *   - A cache per small size (glibc's tcache): free puts a chunk there, up
 *     to CACHE_DEPTH of them, without coalescing; a malloc of that size
 *     takes the newest back. A free-then-malloc of one size costs a push
 *     and a pop. Before the heap grows, the caches are flushed into the
 *     bins (coalescing), so they never make the heap bigger.
 *   - Requests of the mapping threshold or more get a mapping of their
 *     own: a large chunk never pins the heap, and its pages go back to the
 *     OS the moment it is freed; realloc resizes it with one mremap.
 *   - The threshold starts at MMAP_THRESHOLD_START (128 KiB) and rises, as
 *     glibc's does, to the length of every mapped chunk freed, up to
 *     MMAP_THRESHOLD_MAX (32 MiB): a program that frees a large chunk will
 *     likely ask for one of that size again, and from then on the heap
 *     serves it, without an mmap, page faults and a munmap each time
 *     (tests/programs/stress.c; docs/allocators/gnu.md, "Large chunks: the
 *     threshold"). Compiled with DMM_MMAP_THRESHOLD_FIXED=1 it stays at
 *     128 KiB: the lecture's naive rule, a system call pair per large chunk.
 *   - When a free leaves more than the trim threshold free at the top of
 *     the heap, the break moves down, keeping TRIM_KEEP bytes. The trim
 *     threshold starts at 128 KiB and is twice the mapping threshold once
 *     that has risen (glibc's rule): a heap that now holds large chunks
 *     does not give their memory back between one and the next.
 *   - The chunk is glibc's (CS:APP's "footer only in free chunks"): only a
 *     free chunk needs a footer, since only then does anyone read it; a bit
 *     in each header says whether the chunk before is free, and so whether
 *     the footer below the header is there. An allocated chunk costs 8
 *     bytes of header, not bins.c's 32 of header and footer.
 *
 * The heap chunk (rows of 8 bytes; the last two columns of a header are
 * its PREV_FREE and CHUNK_FREE status bits)
 *
 *   allocated chunk                         free chunk
 *   chunk ->+---------------------------+   chunk ->+---------------------------+
 *           | size              | P | 0 |           | size              | 0 | 1 | header
 * payload ->+---------------------------+           +---------------------------+
 *           | payload: size - 8 bytes,  |           | next chunk in its bin --> |
 *           | up to the next header     |           | <-- prev chunk in its bin |
 *           |                           |           | (unused)                  |
 *           |                           |           | size                      | footer
 *           +---------------------------+           +---------------------------+
 *           | next header       | 0 | . |           | next header       | 1 | 0 |
 *
 *   Sizes are multiples of 16, so the size word has 4 status bits: bit 0
 *   CHUNK_FREE (the lecture's status bit), bit 1 PREV_FREE, bit 2
 *   CHUNK_MAPPED, bit 3 CHUNK_CACHED (a cached chunk is allocated to its
 *   neighbours, its next field links its cache). Headers sit 8 bytes below
 *   a multiple of 16, so payloads are 16-aligned. The smallest chunk is 32
 *   bytes (header, two links, footer) and holds requests of 0..24 bytes.
 *
 *   The heap section:  heap_start()                             heap_break()
 *                      | filler 8 | chunk | chunk | ... | chunk | epilogue 8 |
 *   The alignment filler puts the first header 8 bytes below a multiple of 16. The
 *   epilogue is a header of size 0, allocated, whose PREV_FREE says
 *   whether the last chunk (the top) is free; growth turns it into the
 *   header of the new chunk, as in CS:APP's extend_heap.
 *
 * The mapped chunk (one mapping, page-aligned; 32-byte header)
 *
 *   +--------+--------+--------+-----------------+---------------------------+
 *   | next   | prev   | unused | length | M      | payload: length - 32 bytes |
 *   +--------+--------+--------+-----------------+---------------------------+
 *   The word below the payload is a header like any other, with CHUNK_MAPPED
 *   set: free and realloc read it and know where the chunk came from. next
 *   and prev link every live mapped chunk, newest first, so that the checker
 *   finds them and dmm_reset unmaps them.
 *
 * Invariants (checked by dmm_check)
 *   1. Every heap chunk is at least 32 bytes (a multiple of 16: the low 4
 *      bits are status bits), and CHUNK_MAPPED is never set in the heap.
 *   2. The chunks tile [heap_start() + 8, heap_break() - 8) exactly, and
 *      the word at heap_break() - 8 is the epilogue: size 0, allocated.
 *   3. A free chunk's footer holds its size.
 *   4. Every PREV_FREE bit (the epilogue's too) equals the CHUNK_FREE bit
 *      of the chunk before it in memory; the first chunk's is 0.
 *   5. No two free chunks are adjacent in memory (free coalesces at once).
 *   6. A chunk has CHUNK_FREE if and only if it is in a bin (counted both
 *      ways).
 *   7. The links of every bin are consistent: the head's prev is NULL,
 *      c->next's prev is c, and every link points at a chunk in the heap.
 *   8. Each free chunk sits in the bin of its size (bin_index), and a bin's
 *      bit in the bitmap is set if and only if the bin is not empty.
 *   9. A chunk has CHUNK_CACHED if and only if it is in the cache of its
 *      size (counted both ways), and then not CHUNK_FREE; a cache holds
 *      exactly its count of chunks, at most CACHE_DEPTH.
 *  10. Every mapped chunk starts on a page boundary, its size is a whole
 *      number of pages, and CHUNK_MAPPED is its only status bit.
 *  11. The list of mapped chunks is consistent (the head's prev is NULL,
 *      c->next's prev is c), holds state.mapped_chunks chunks, and their
 *      sizes add up to the heap section's mapped_bytes (dmm_stats).
 *  12. MMAP_THRESHOLD_START <= mmap_threshold <= MMAP_THRESHOLD_MAX; the
 *      trim threshold is TRIM_THRESHOLD_START while the mapping threshold
 *      is at its start, else twice it, and a risen threshold is a whole
 *      number of pages (the length of a mapping freed). Both stay at their
 *      start under DMM_MMAP_THRESHOLD_FIXED.
 *
 * Cost
 *   malloc: O(1) from a cache or an exact bin (one chunk examined); at most
 *           LARGE_SEARCH_LIMIT + 1 chunks examined otherwise, whatever the
 *           number of free chunks; before the heap grows, a flush of at most
 *           CACHE_DEPTH chunks per small size; one mmap at the threshold.
 *   free:   O(1): into a cache (no neighbour examined), or coalesced (two
 *           neighbours examined at most); one munmap for a mapped chunk
 *           (which may raise the threshold), and a brk when the top grows
 *           past the trim threshold.
 *   realloc: in place when shrinking or growing into a free next chunk;
 *           mremap for a mapped chunk that stays large; else malloc, copy,
 *           free.
 *   System calls: for large chunks, and to grow or trim the heap only.
 *
 * What it deliberately does not do (glibc does): arenas and locks for
 * threads; fastbins; the unsorted bin (a freed chunk's "one chance" before
 * it is binned); large bins sorted by size for best fit; a top chunk kept
 * out of the bins (here the last chunk is binned like any other); the "last
 * remainder" kept for locality; aborting on a double free; tunables
 * (mallopt: a threshold set by the program stops it rising, as in glibc). And glibc never flushes its tcache before growing.
 *
 * Why this file is longer than ~600 lines: it is five mechanisms that work on
 * one chunk (exact and range bins with a bitmap, caches, growth, trim, mapped
 * chunks) and twelve invariants, and moving any one out would make the
 * student follow a free across files; its mapped chunks share no layout with
 * mmap.c's (their header is a heap header with CHUNK_MAPPED, see above).
 */
#include "dmm.h"

#include "common.h"
#include "heap.h"

#include <errno.h>
#include <stddef.h>
#include <stdint.h>

/* 128 KiB, glibc's M_MMAP_THRESHOLD: requests this large get a mapping,
 * until the threshold rises (invariant 12). */
#define MMAP_THRESHOLD_START ((size_t)128 * 1024)
/* 32 MiB, glibc's DEFAULT_MMAP_THRESHOLD_MAX on 64-bit: freeing a larger
 * mapped chunk leaves the threshold where it is, so that the heap never
 * has to hold chunks that size. */
#define MMAP_THRESHOLD_MAX ((size_t)32 * 1024 * 1024)
/* 128 KiB, glibc's M_TRIM_THRESHOLD: a larger free top is given back;
 * twice the mapping threshold once that has risen. */
#define TRIM_THRESHOLD_START ((size_t)128 * 1024)
/* DMM_MMAP_THRESHOLD_FIXED=1: the threshold never rises (the lecture's
 * naive large chunks: a mapping and a munmap each). */
#ifndef DMM_MMAP_THRESHOLD_FIXED
#define DMM_MMAP_THRESHOLD_FIXED 0
#endif
/* 64 KiB, what a trim keeps at the top (glibc's M_TOP_PAD): half the
 * threshold, so that a few frees and mallocs at the top do not move the
 * break down and up each time. */
#define TRIM_KEEP ((size_t)64 * 1024)
/* 44 KiB, the least the break moves up: each move is a system call, so the
 * steps are large; a third of glibc's 132 KiB steps, so that at a peak the
 * heap never exceeds glibc's for the same bytes needed. Measured: at or
 * above glibc's utilization on every bundled trace; 8 KiB makes 5 times as
 * many brk calls, and 32, 64 or 128 KiB fall below glibc on some traces. */
#define GROWTH_STEP ((size_t)44 * 1024)
/* Chunks malloc examines at most in its own large bin, so the search stays
 * bounded whatever the bin holds. Measured: as good as 64 on every trace
 * here; 1 or 4 cost utilization on calloc, coalesce or scaling. */
#define LARGE_SEARCH_LIMIT 16
/* Chunks a cache holds at most: glibc's tcache_count. */
#define CACHE_DEPTH 7

enum status_bit {
    CHUNK_FREE = 1,   /* this chunk is free and in a bin */
    PREV_FREE = 2,    /* the chunk before it in memory is free */
    CHUNK_MAPPED = 4, /* this chunk is a mapping of its own */
    CHUNK_CACHED = 8, /* this chunk is in a cache */
};
#define STATUS_BITS ((size_t)(DMM_ALIGNMENT - 1)) /* the low 4 bits of a size word */

struct chunk {          /* the header, at the chunk's first byte */
    size_t size_status; /* chunk bytes, header to the next header | status bits */
    struct chunk *next; /* free: next in its bin; cached: next in its cache; else payload */
    struct chunk *prev; /* free: previous in its bin; else payload */
};                      /* a free chunk's last word is its footer: its size */

#define HEADER_BYTES 8     /* the size word before every payload */
#define FOOTER_BYTES 8     /* the size word ending a free chunk */
#define CHUNK_MIN_BYTES 32 /* header, two links, footer */

struct mapped_chunk {          /* the start of a mapping */
    struct mapped_chunk *next; /* the next older mapped chunk, or NULL */
    struct mapped_chunk *prev; /* the next newer mapped chunk, or NULL for the head */
    size_t unused;             /* puts the header 8 bytes below a multiple of 16 */
    struct chunk chunk;        /* its header: mapping bytes | CHUNK_MAPPED; then payload */
};

/* 32 bytes: the mapped header, up to the payload. */
#define MAPPED_HEADER_BYTES (offsetof(struct mapped_chunk, chunk) + HEADER_BYTES)

#define SMALL_BINS 64                 /* bins 0..63: exact sizes, 16 bytes apart */
#define BIN_COUNT 128                 /* bins 64..127: four per doubling from 1 KiB */
#define BITMAP_WORDS (BIN_COUNT / 64) /* one bit per bin */

static struct gnu_state {
    struct chunk *bins[BIN_COUNT];    /* bin heads, NULL when empty; 0 and 1 unused */
    uint64_t nonempty[BITMAP_WORDS];  /* bit b set: bins[b] is not empty */
    struct chunk *caches[SMALL_BINS]; /* per small size: cached chunks, newest first */
    uint8_t cached[SMALL_BINS];       /* chunks in each cache, at most CACHE_DEPTH */
    struct chunk *first;              /* the first chunk of the heap; NULL while empty */
    struct mapped_chunk *mapped;      /* the newest live mapped chunk, or NULL */
    size_t mapped_chunks;             /* live mapped chunks */
    size_t mmap_threshold;            /* requests this large are mapped (invariant 12) */
    size_t trim_threshold;            /* a free top larger than this is trimmed */
    struct call_counts counts;        /* calls and search steps, for dmm_stats */
} state = {.mmap_threshold = MMAP_THRESHOLD_START, .trim_threshold = TRIM_THRESHOLD_START};

/* ---- the chunk and its neighbours in memory ------------------------------ */

static inline size_t chunk_size(const struct chunk *c)
{
    return c->size_status & ~STATUS_BITS;
}

static inline int chunk_is_free(const struct chunk *c)
{
    return (c->size_status & CHUNK_FREE) != 0;
}

static inline int prev_is_free(const struct chunk *c)
{
    return (c->size_status & PREV_FREE) != 0;
}

static inline int chunk_is_cached(const struct chunk *c)
{
    return (c->size_status & CHUNK_CACHED) != 0;
}

static inline void *chunk_payload(struct chunk *c)
{
    return (char *)c + HEADER_BYTES;
}

static inline struct chunk *payload_to_chunk(void *payload)
{
    return (struct chunk *)((char *)payload - HEADER_BYTES);
}

/* Only a free chunk has a footer. */
static inline size_t *chunk_footer(const struct chunk *c)
{
    return (size_t *)((char *)c + chunk_size(c) - FOOTER_BYTES);
}

/* The header that starts where c ends: the next chunk's, or the epilogue
 * after the last chunk. Its PREV_FREE bit speaks of c. */
static inline struct chunk *header_after(const struct chunk *c)
{
    return (struct chunk *)((char *)c + chunk_size(c));
}

/* The chunk that starts where c ends; NULL when c is the last (the epilogue follows). */
static inline struct chunk *chunk_next_in_memory(const struct chunk *c)
{
    struct chunk *next = header_after(c);
    return chunk_size(next) == 0 ? NULL : next;
}

/* The chunk before c, through its footer: only when prev_is_free(c). */
static inline struct chunk *chunk_prev_in_memory(const struct chunk *c)
{
    size_t before = *(const size_t *)((const char *)c - FOOTER_BYTES);
    return (struct chunk *)((char *)c - before);
}

/* The chunk for a request: the payload may use every byte up to the next
 * header. The caller has checked request_too_large, so nothing wraps. */
static inline size_t chunk_bytes_for(size_t request)
{
    size_t bytes = align_up(request + HEADER_BYTES);
    return bytes < CHUNK_MIN_BYTES ? CHUNK_MIN_BYTES : bytes;
}

static inline int is_small(size_t chunk_bytes)
{
    return chunk_bytes < SMALL_BINS * DMM_ALIGNMENT;
}

/* c becomes an allocated chunk of size bytes; the next chunk learns it. */
static inline void mark_allocated(struct chunk *c, size_t size)
{
    c->size_status = size | (c->size_status & PREV_FREE);
    header_after(c)->size_status &= ~(size_t)PREV_FREE;
}

/* c becomes a free chunk of size bytes, footer included; the next chunk
 * learns it. */
static inline void mark_free(struct chunk *c, size_t size)
{
    c->size_status = size | CHUNK_FREE | (c->size_status & PREV_FREE);
    *chunk_footer(c) = size;
    header_after(c)->size_status |= PREV_FREE;
}

/* ---- the bins ------------------------------------------------------------- */

/* Below 1 KiB, a bin per 16 bytes. Above, the two bits after the leading
 * one pick the quarter of the doubling: bin 64 holds 1024..1279 bytes, bin
 * 65 1280..1535, ..., bin 68 2048..2559; bin 127 everything from 48 MiB. */
static inline size_t bin_index(size_t chunk_bytes)
{
    if (is_small(chunk_bytes))
        return chunk_bytes / DMM_ALIGNMENT;
    size_t doubling = 63 - (size_t)__builtin_clzll(chunk_bytes); /* 10 for 1 KiB */
    size_t bin = SMALL_BINS + 4 * (doubling - 10) + ((chunk_bytes >> (doubling - 2)) & 3);
    return bin < BIN_COUNT ? bin : BIN_COUNT - 1;
}

/* O(1): c, free and of its final size, becomes the head of its bin. */
static void bin_push(struct chunk *c)
{
    size_t bin = bin_index(chunk_size(c));
    struct chunk *head = state.bins[bin];
    c->next = head;
    c->prev = NULL;
    if (head != NULL)
        head->prev = c;
    else
        state.nonempty[bin / 64] |= (uint64_t)1 << (bin % 64);
    state.bins[bin] = c;
}

/* O(1) through the prev link; c's size must be the one it was pushed with. */
static void bin_remove(struct chunk *c)
{
    if (c->next != NULL)
        c->next->prev = c->prev;
    if (c->prev != NULL) {
        c->prev->next = c->next;
        return;
    }
    size_t bin = bin_index(chunk_size(c)); /* c was the head */
    state.bins[bin] = c->next;
    if (c->next == NULL)
        state.nonempty[bin / 64] &= ~((uint64_t)1 << (bin % 64));
}

/* The first non-empty bin at or above `bin`, or BIN_COUNT if none. */
static size_t first_nonempty_bin(size_t bin)
{
    for (size_t word = bin / 64; word < BITMAP_WORDS; word++) {
        uint64_t bits = state.nonempty[word];
        if (word == bin / 64)
            bits &= ~(uint64_t)0 << (bin % 64);
        if (bits != 0)
            return word * 64 + (size_t)__builtin_ctzll(bits);
    }
    return BIN_COUNT;
}

/* The chunk malloc takes for need bytes, out of its bin; NULL when no bin
 * holds one. A large bin mixes sizes, so the request's own is searched
 * first (first fit, bounded); every chunk of a bin above it fits, and so
 * does every chunk of a small bin at or above the request's. */
static struct chunk *find_fit(size_t need)
{
    size_t bin = bin_index(need);
    if (!is_small(need)) {
        struct chunk *c = state.bins[bin];
        for (int seen = 0; c != NULL && seen < LARGE_SEARCH_LIMIT; seen++, c = c->next) {
            state.counts.malloc_steps++;
            if (chunk_size(c) >= need) {
                bin_remove(c);
                return c;
            }
        }
        bin++;
    }
    bin = first_nonempty_bin(bin);
    if (bin == BIN_COUNT)
        return NULL;
    struct chunk *c = state.bins[bin];
    state.counts.malloc_steps++;
    bin_remove(c);
    return c;
}

/* ---- growth, split, coalesce, trim --------------------------------------- */

/* Nothing fits: moves the break up by what is missing (need minus a free
 * top chunk), but at least GROWTH_STEP bytes, the first time with 16 more for
 * the filler and the epilogue. The old epilogue becomes the new chunk's
 * header, merged with the top chunk when that one is free. Returns the
 * free chunk, in no bin, or NULL with errno ENOMEM and nothing changed. */
static struct chunk *extend_heap(size_t need)
{
    size_t reserve = state.first == NULL ? 2 * HEADER_BYTES : 0, top_free = 0;
    if (state.first != NULL) {
        struct chunk *epilogue = (struct chunk *)((char *)heap_break() - HEADER_BYTES);
        if (prev_is_free(epilogue))
            top_free = chunk_size(chunk_prev_in_memory(epilogue));
    }
    size_t grow = need - top_free + reserve;
    if (grow < GROWTH_STEP)
        grow = GROWTH_STEP;
    char *old_break = heap_grow(grow);
    if (old_break == NULL)
        return NULL;
    struct chunk *c;
    if (state.first == NULL) {
        c = state.first = (struct chunk *)(old_break + HEADER_BYTES); /* after the filler */
        c->size_status = 0; /* no chunk before it */
    } else {
        c = (struct chunk *)(old_break - HEADER_BYTES); /* the old epilogue */
    }
    size_t size = grow - reserve;
    if (prev_is_free(c)) { /* the top chunk is free: it grows */
        c = chunk_prev_in_memory(c);
        bin_remove(c);
        size += chunk_size(c);
    }
    c->size_status = size | CHUNK_FREE; /* the chunk before a free chunk is not free */
    *chunk_footer(c) = size;
    header_after(c)->size_status = PREV_FREE; /* the new epilogue */
    return c;
}

/* c (free, in no bin, at least need bytes) becomes allocated; the rest,
 * when it is a whole chunk, is split off and binned. The chunk after c is
 * not free (c was coalesced), so the rest needs no coalescing. */
static void *place(struct chunk *c, size_t need)
{
    size_t size = chunk_size(c);
    if (size - need < CHUNK_MIN_BYTES) {
        mark_allocated(c, size); /* the few bytes left over stay inside c */
        return chunk_payload(c);
    }
    c->size_status = need | (c->size_status & PREV_FREE);
    struct chunk *rest = header_after(c); /* its header is not written yet */
    rest->size_status = (size - need) | CHUNK_FREE; /* the next chunk's PREV_FREE stays */
    *chunk_footer(rest) = size - need;
    bin_push(rest);
    return chunk_payload(c);
}

/* free's work on a heap chunk c (allocated, in no bin): merges it with its
 * free neighbours and bins the result, which it returns. The four cases:
 *   1. prev not free, next not free: nothing to merge;
 *   2. prev not free, next free:     c absorbs next;
 *   3. prev free,     next not free: prev absorbs c;
 *   4. prev free,     next free:     prev absorbs c and next.
 * A free neighbour leaves its bin before it grows or disappears. */
static struct chunk *release(struct chunk *c)
{
    size_t size = chunk_size(c);
    struct chunk *next = chunk_next_in_memory(c);
    if (next != NULL && chunk_is_free(next)) { /* cases 2 and 4 */
        bin_remove(next);
        size += chunk_size(next);
    }
    if (prev_is_free(c)) { /* cases 3 and 4 */
        c = chunk_prev_in_memory(c);
        bin_remove(c);
        size += chunk_size(c);
    }
    mark_free(c, size);
    bin_push(c);
    return c;
}

/* After a free: when c is the top chunk and larger than the trim threshold,
 * the break moves down so that TRIM_KEEP bytes of it stay. If the break
 * cannot move, the heap stays as it was. */
static void trim_top(struct chunk *c)
{
    if (chunk_size(c) <= state.trim_threshold || chunk_next_in_memory(c) != NULL)
        return;
    int saved_errno = errno; /* free must not change errno */
    if (heap_brk((char *)c + TRIM_KEEP + HEADER_BYTES) == 0) {
        bin_remove(c);
        c->size_status = TRIM_KEEP | CHUNK_FREE; /* the chunk before is not free */
        *chunk_footer(c) = TRIM_KEEP;
        header_after(c)->size_status = PREV_FREE; /* the new epilogue */
        bin_push(c);
    }
    errno = saved_errno;
}

/* realloc of a heap chunk without moving it; returns 1 if done. Growing:
 * c absorbs its next chunk when that one is free and big enough. Then the
 * surplus, if a whole chunk, is freed, merged with a free chunk after it.
 * Otherwise returns 0, nothing changed. */
static int resize_in_place(struct chunk *c, size_t need)
{
    size_t size = chunk_size(c);
    if (need > size) {
        struct chunk *next = chunk_next_in_memory(c);
        if (next == NULL || !chunk_is_free(next) || size + chunk_size(next) < need)
            return 0;
        bin_remove(next);
        size += chunk_size(next);
        mark_allocated(c, size);
    }
    if (size - need >= CHUNK_MIN_BYTES) {
        c->size_status = need | (c->size_status & PREV_FREE);
        struct chunk *surplus = header_after(c); /* its header is not written yet */
        surplus->size_status = size - need; /* allocated, after an allocated c */
        release(surplus);
    }
    return 1;
}

/* ---- the caches (glibc's tcache) ------------------------------------------ */

/* A cached chunk is neither coalesced nor binned: to its neighbours it is
 * allocated (CHUNK_FREE clear), so it costs no neighbour and no bin. */
static void cache_push(struct chunk *c)
{
    size_t index = chunk_size(c) / DMM_ALIGNMENT;
    c->size_status |= CHUNK_CACHED;
    c->next = state.caches[index];
    state.caches[index] = c;
    state.cached[index]++;
}

static struct chunk *cache_pop(size_t index)
{
    struct chunk *c = state.caches[index];
    state.caches[index] = c->next;
    state.cached[index]--;
    c->size_status &= ~(size_t)CHUNK_CACHED;
    return c;
}

/* Before the heap grows, every cached chunk is freed for real (coalesced
 * and binned), so the caches never make the heap bigger (glibc sweeps its
 * fastbins so, in malloc_consolidate). Returns 1 if there was any. */
static int flush_caches(void)
{
    int flushed = 0;
    for (size_t index = 0; index < SMALL_BINS; index++) {
        while (state.caches[index] != NULL) {
            release(cache_pop(index));
            flushed = 1;
        }
    }
    return flushed;
}

/* ---- mapped chunks -------------------------------------------------------- */

static inline struct mapped_chunk *mapped_header(struct chunk *c)
{
    return (struct mapped_chunk *)((char *)c - offsetof(struct mapped_chunk, chunk));
}

/* One mmap; size <= DMM_MAX_REQUEST, so adding the header cannot wrap. */
static void *map_chunk(size_t size)
{
    struct mapped_chunk *m = heap_map(MAPPED_HEADER_BYTES + size);
    if (m == NULL)
        return NULL; /* errno is ENOMEM; nothing changed */
    m->chunk.size_status = whole_pages(MAPPED_HEADER_BYTES + size) | CHUNK_MAPPED;
    m->prev = NULL;
    m->next = state.mapped;
    if (state.mapped != NULL)
        state.mapped->prev = m;
    state.mapped = m;
    state.mapped_chunks++;
    return chunk_payload(&m->chunk);
}

/* The list leads to `now` where it led to m: m moved (mremap), or, when
 * now is NULL, m leaves the list. */
static void relink_mapped(struct mapped_chunk *m, struct mapped_chunk *now)
{
    if (m->prev != NULL)
        m->prev->next = now != NULL ? now : m->next;
    else
        state.mapped = now != NULL ? now : m->next;
    if (m->next != NULL)
        m->next->prev = now != NULL ? now : m->prev;
}

/* glibc's dynamic threshold: a mapped chunk freed, of a length above the
 * threshold and at most MMAP_THRESHOLD_MAX, raises it to that length (so
 * that a request of the same size, which is smaller by the header, goes to
 * the heap), and the trim threshold to twice it. */
static void unmap_chunk(struct chunk *c)
{
    struct mapped_chunk *m = mapped_header(c);
    size_t length = chunk_size(c);
    relink_mapped(m, NULL);
    state.mapped_chunks--;
    unmap_for_free(m, length);
    if (!DMM_MMAP_THRESHOLD_FIXED && length > state.mmap_threshold
        && length <= MMAP_THRESHOLD_MAX) {
        state.mmap_threshold = length;
        state.trim_threshold = 2 * length;
    }
}

/* While the new size stays at or above the threshold, one mremap (none if
 * the page count is unchanged); below it the chunk moves into the heap. */
static void *realloc_mapped(struct chunk *c, size_t size)
{
    if (size < state.mmap_threshold)
        return realloc_by_copy(chunk_payload(c), chunk_size(c) - MAPPED_HEADER_BYTES, size);
    size_t length = whole_pages(MAPPED_HEADER_BYTES + size);
    if (length == chunk_size(c))
        return memcheck_realloc(chunk_payload(c), chunk_payload(c), size);
    struct mapped_chunk *m = heap_remap(mapped_header(c), chunk_size(c), length);
    if (m == NULL)
        return NULL; /* errno is ENOMEM; the old mapping is untouched */
    m->chunk.size_status = length | CHUNK_MAPPED;
    relink_mapped(m, m); /* its neighbours' links still lead to the old address */
    return memcheck_realloc(chunk_payload(c), chunk_payload(&m->chunk), size);
}

/* ---- the public interface ------------------------------------------------- */

/* Every public function that reads or writes headers starts with
 * MEMCHECK_ALLOCATOR_AT_WORK: under valgrind, headers are no-access to the
 * program and the allocator's own accesses go unreported (heap.h). */
void *dmm_malloc(size_t size)
{
    MEMCHECK_ALLOCATOR_AT_WORK;
    state.counts.malloc_calls++;
    if (request_too_large(size))
        return fail_enomem();
    if (size >= state.mmap_threshold)
        return memcheck_malloc(map_chunk(size), size);
    size_t need = chunk_bytes_for(size); /* malloc(0) gets a unique 32-byte chunk */
    if (is_small(need) && state.caches[need / DMM_ALIGNMENT] != NULL) {
        state.counts.malloc_steps++;
        return memcheck_malloc(chunk_payload(cache_pop(need / DMM_ALIGNMENT)), size);
    }
    struct chunk *c = find_fit(need);
    if (c == NULL && flush_caches())
        c = find_fit(need);
    if (c == NULL)
        c = extend_heap(need);
    if (c == NULL)
        return NULL; /* heap_grow set errno to ENOMEM; the heap is unchanged */
    return memcheck_malloc(place(c, need), size);
}

/* A mapped chunk goes back to the OS; a small chunk to its cache, if that
 * has room (no neighbour examined); any other is coalesced (its neighbours
 * examined: free_steps) and binned, and the top trimmed if it grew past the
 * trim threshold. */
void dmm_free(void *ptr)
{
    if (ptr == NULL)
        return;
    memcheck_free(ptr); /* before the quiet: a pointer never handed out is reported */
    MEMCHECK_ALLOCATOR_AT_WORK;
    state.counts.free_calls++;
    struct chunk *c = payload_to_chunk(ptr);
    if ((c->size_status & CHUNK_MAPPED) != 0) {
        unmap_chunk(c);
        return;
    }
    if (is_small(chunk_size(c)) && state.cached[chunk_size(c) / DMM_ALIGNMENT] < CACHE_DEPTH) {
        cache_push(c);
        return;
    }
    state.counts.free_steps += (c != state.first) + (chunk_next_in_memory(c) != NULL);
    trim_top(release(c));
}

/* A request at or above the threshold is always a mapped chunk: a heap
 * chunk growing that far moves into a mapping, a mapped one shrinking
 * below it into the heap. */
void *dmm_realloc(void *ptr, size_t size)
{
    void *result;
    if (realloc_special_case(ptr, size, &result))
        return result;
    MEMCHECK_ALLOCATOR_AT_WORK;
    struct chunk *c = payload_to_chunk(ptr);
    if ((c->size_status & CHUNK_MAPPED) != 0)
        return realloc_mapped(c, size);
    if (size < state.mmap_threshold && resize_in_place(c, chunk_bytes_for(size)))
        return memcheck_realloc(ptr, ptr, size);
    return realloc_by_copy(ptr, chunk_size(c) - HEADER_BYTES, size);
}

const char *dmm_name(void)
{
    return "gnu";
}

void dmm_stats(struct dmm_stats *stats)
{
    stats_report(stats, &state.counts);
}

/* ---- the heap checker ----------------------------------------------------- */

/* Invariants 1-5 (and 9's "not both free and cached") in one walk in
 * address order; counts the free and the cached chunks. Every size is
 * checked before the walk steps by it, so a corrupted size ends the walk
 * with a message, not a fault. The visitor sees a cached chunk as free:
 * the program has freed it. */
static const char *check_heap_chunks(dmm_visit_fn *visit, void *arg, size_t *free_chunks,
                                     size_t *cached_chunks)
{
    char *start = heap_start(), *end = heap_break();
    if (end == start && state.first == NULL)
        return NULL;
    if ((char *)state.first != start + HEADER_BYTES || end - start < 2 * HEADER_BYTES
        || !is_aligned(end))
        return check_failed(2, state.first, "first chunk %p, break %p: not a heap",
                            (void *)state.first, (void *)end);
    char *at = start + HEADER_BYTES, *epilogue = end - HEADER_BYTES;
    int before_is_free = 0;
    while (at != epilogue) {
        struct chunk *c = (struct chunk *)at;
        size_t size = chunk_size(c);
        if ((c->size_status & CHUNK_MAPPED) != 0 || size < CHUNK_MIN_BYTES)
            return check_failed(1, c, "size word %#zx: not a heap chunk of %d bytes or more",
                                c->size_status, CHUNK_MIN_BYTES);
        if (size > (size_t)(epilogue - at))
            return check_failed(2, c, "its %zu bytes run past the epilogue", size);
        if (prev_is_free(c) != before_is_free)
            return check_failed(4, c, "PREV_FREE is %d, but the chunk before is %sfree",
                                prev_is_free(c), before_is_free ? "" : "not ");
        if (chunk_is_free(c) && before_is_free)
            return check_failed(5, c, "free, and so is the chunk before it in memory");
        if (chunk_is_free(c) && *chunk_footer(c) != size)
            return check_failed(3, c, "header size %zu, footer %zu", size, *chunk_footer(c));
        if (chunk_is_free(c) && chunk_is_cached(c))
            return check_failed(9, c, "both free and cached");
        if (visit != NULL)
            visit(&(struct dmm_chunk_info){.start = c, .size = size, .header_bytes = HEADER_BYTES,
                                           .footer_bytes = chunk_is_free(c) ? FOOTER_BYTES : 0,
                                           .is_free = chunk_is_free(c) || chunk_is_cached(c)},
                  arg);
        before_is_free = chunk_is_free(c);
        *free_chunks += (size_t)chunk_is_free(c);
        *cached_chunks += (size_t)chunk_is_cached(c);
        at += size;
    }
    const struct chunk *last = (struct chunk *)epilogue;
    if ((last->size_status & ~(size_t)PREV_FREE) != 0)
        return check_failed(2, last, "epilogue %#zx, not size 0, allocated", last->size_status);
    if (prev_is_free(last) != before_is_free)
        return check_failed(4, last, "epilogue's PREV_FREE is %d, but the last chunk is %sfree",
                            prev_is_free(last), before_is_free ? "" : "not ");
    return NULL;
}

/* 1 when c could be a heap chunk: a header where headers sit, its size
 * inside the heap. Compared as integers: a corrupted link may point
 * anywhere. */
static int chunk_is_in_heap(const struct chunk *c)
{
    uintptr_t at = (uintptr_t)c, first = (uintptr_t)state.first;
    uintptr_t epilogue = (uintptr_t)heap_break() - HEADER_BYTES;
    if (state.first == NULL || at < first || at >= epilogue || (at - first) % DMM_ALIGNMENT != 0)
        return 0;
    return chunk_size(c) >= CHUNK_MIN_BYTES && chunk_size(c) <= epilogue - at;
}

/* Invariants 6, 7 and 8, bin by bin; the count check ends it. */
static const char *check_bins(size_t free_chunks)
{
    size_t listed = 0;
    for (size_t bin = 0; bin < BIN_COUNT; bin++) {
        const struct chunk *before = NULL;
        for (struct chunk *c = state.bins[bin]; c != NULL; before = c, c = c->next) {
            if (!chunk_is_in_heap(c))
                return check_failed(7, before, "the link %p does not lead to a heap chunk",
                                    (void *)c);
            if (!chunk_is_free(c))
                return check_failed(6, c, "in bin %zu, but CHUNK_FREE is clear", bin);
            if (c->prev != before)
                return check_failed(7, c, "prev link %p, but the chunk before it is %p",
                                    (void *)c->prev, (const void *)before);
            if (bin_index(chunk_size(c)) != bin)
                return check_failed(8, c, "%zu bytes belong in bin %zu, not %zu", chunk_size(c),
                                    bin_index(chunk_size(c)), bin);
            if (++listed > free_chunks)
                return check_failed(6, c, "more chunks in bins than the %zu free", free_chunks);
        }
        if ((int)((state.nonempty[bin / 64] >> (bin % 64)) & 1) != (state.bins[bin] != NULL))
            return check_failed(8, state.bins[bin], "bin %zu: its bitmap bit is wrong", bin);
    }
    if (listed != free_chunks)
        return check_failed(6, state.first, "%zu free chunks, %zu in bins", free_chunks, listed);
    return NULL;
}

/* Invariant 9, cache by cache. A walk stops one past the cache's count,
 * so a cycle (a chunk freed twice) cannot make it run forever. */
static const char *check_caches(size_t cached_chunks)
{
    size_t listed = 0;
    for (size_t index = 0; index < SMALL_BINS; index++) {
        size_t count = 0;
        for (struct chunk *c = state.caches[index]; c != NULL; c = c->next) {
            if (count++ == state.cached[index])
                return check_failed(9, c, "cache %zu holds more than its %u chunks", index,
                                    (unsigned)state.cached[index]);
            if (!chunk_is_in_heap(c) || !chunk_is_cached(c)
                || chunk_size(c) != index * DMM_ALIGNMENT)
                return check_failed(9, c, "in cache %zu, but not a cached chunk of %zu bytes",
                                    index, index * DMM_ALIGNMENT);
        }
        if (count != state.cached[index] || count > CACHE_DEPTH)
            return check_failed(9, state.caches[index], "cache %zu holds %zu chunks, counts %u",
                                index, count, (unsigned)state.cached[index]);
        listed += count;
    }
    if (listed != cached_chunks)
        return check_failed(9, state.first, "%zu chunks marked cached, %zu in caches",
                            cached_chunks, listed);
    return NULL;
}

/* Invariant 10 for one mapped chunk: its header can be trusted. */
static int mapped_header_sane(const struct mapped_chunk *m)
{
    size_t page = heap_page_size();
    return (uintptr_t)m % page == 0 && chunk_size(&m->chunk) % page == 0
        && chunk_size(&m->chunk) >= MAPPED_HEADER_BYTES
        && (m->chunk.size_status & STATUS_BITS) == CHUNK_MAPPED;
}

/* Invariants 10 and 11, newest first (the kernel chose the addresses, so
 * there is no address order); the walk stops one past state.mapped_chunks,
 * so a cycle cannot make it run forever. */
static const char *check_mapped_chunks(dmm_visit_fn *visit, void *arg)
{
    struct dmm_stats section = {0};
    heap_stats(&section);
    size_t count = 0, bytes = 0;
    const struct mapped_chunk *before = NULL;
    for (struct mapped_chunk *m = state.mapped; m != NULL; before = m, m = m->next) {
        if (count++ == state.mapped_chunks)
            return check_failed(11, m, "more than the %zu mapped chunks", state.mapped_chunks);
        if ((uintptr_t)m % heap_page_size() != 0 || !mapped_header_sane(m))
            return check_failed(10, m, "not a mapping of whole pages marked CHUNK_MAPPED alone");
        if (m->prev != before)
            return check_failed(11, m, "prev is %p, but the chunk before it is %p",
                                (void *)m->prev, (const void *)before);
        bytes += chunk_size(&m->chunk);
        if (visit != NULL)
            visit(&(struct dmm_chunk_info){.start = m, .size = chunk_size(&m->chunk),
                                           .header_bytes = MAPPED_HEADER_BYTES}, arg);
    }
    if (count != state.mapped_chunks || bytes != section.mapped_bytes)
        return check_failed(11, state.mapped, "listed %zu chunks, %zu bytes; live %zu, %zu bytes",
                            count, bytes, state.mapped_chunks, section.mapped_bytes);
    return NULL;
}

/* Invariant 12: the thresholds are where glibc's rule can put them. */
static const char *check_thresholds(void)
{
    size_t mmap = state.mmap_threshold, trim = state.trim_threshold;
    int at_start = mmap == MMAP_THRESHOLD_START;
    if (mmap < MMAP_THRESHOLD_START || mmap > MMAP_THRESHOLD_MAX
        || (DMM_MMAP_THRESHOLD_FIXED && !at_start) || (!at_start && mmap % heap_page_size() != 0))
        return check_failed(12, &state, "mapping threshold %zu: not %zu, nor a whole number of "
                            "pages up to %zu", mmap, MMAP_THRESHOLD_START, MMAP_THRESHOLD_MAX);
    if (trim != (at_start ? TRIM_THRESHOLD_START : 2 * mmap))
        return check_failed(12, &state, "trim threshold %zu with mapping threshold %zu: not %zu",
                            trim, mmap, at_start ? TRIM_THRESHOLD_START : 2 * mmap);
    return NULL;
}

/* The heap in address order (1-5), the bins (6-8), the caches (9), the
 * mapped chunks (10, 11), the thresholds (12). */
const char *dmm_check(dmm_visit_fn *visit, void *arg)
{
    MEMCHECK_ALLOCATOR_AT_WORK;
    size_t free_chunks = 0, cached_chunks = 0;
    const char *problem = check_heap_chunks(visit, arg, &free_chunks, &cached_chunks);
    if (problem == NULL)
        problem = check_bins(free_chunks);
    if (problem == NULL)
        problem = check_caches(cached_chunks);
    if (problem == NULL)
        problem = check_mapped_chunks(visit, arg);
    if (problem == NULL)
        problem = check_thresholds();
    return problem;
}

/* Unmaps every mapped chunk, stopping at a header that is not sane: after
 * a corruption, leaking a mapping is better than unmapping pages that may
 * not be ours. Then the break goes back to the start. */
/* A heap chunk's payload runs to the next chunk's header (an allocated
 * chunk has no footer); a mapped chunk's to the end of its mapping (dmm.h). */
size_t dmm_usable_size(const void *payload)
{
    MEMCHECK_ALLOCATOR_AT_WORK;
    const struct chunk *c = payload_to_chunk((void *)payload);
    if ((c->size_status & CHUNK_MAPPED) != 0)
        return chunk_size(c) - MAPPED_HEADER_BYTES;
    return chunk_size(c) - HEADER_BYTES;
}

void dmm_reset(void)
{
    MEMCHECK_ALLOCATOR_AT_WORK;
    struct mapped_chunk *m = state.mapped;
    for (size_t i = 0; m != NULL && i < state.mapped_chunks && mapped_header_sane(m); i++) {
        struct mapped_chunk *next = m->next;
        memcheck_free(chunk_payload(&m->chunk)); /* a live block: memcheck forgets it */
        heap_unmap(m, chunk_size(&m->chunk));
        m = next;
    }
    heap_reset();
    state = (struct gnu_state){.mmap_threshold = MMAP_THRESHOLD_START,
                               .trim_threshold = TRIM_THRESHOLD_START};
}
