/*
 * dmm.h — the one interface every dmm allocator implements.
 *
 * This header is the contract. Every allocator in allocators/ (and a
 * student's own file, see allocators/template.c) provides exactly these
 * functions, and the conformance suite in tests/allocators/check_contract.c checks
 * every promise written here, item by item.
 *
 * Words: docs/glossary.md (chunk, block, payload, heap section, ...);
 * where each file fits: docs/architecture.md.
 *
 * Alignment
 *   Every pointer returned by dmm_malloc, dmm_calloc and dmm_realloc is a
 *   multiple of DMM_ALIGNMENT (16 bytes, alignof(max_align_t) on x86-64),
 *   so it can hold any object type.
 *
 * Zero-byte requests
 *   dmm_malloc(0) and dmm_calloc(0, n) return a unique pointer, different
 *   from every other live pointer, that must be passed to dmm_free (this
 *   is what glibc does). They never return NULL unless memory is exhausted.
 *
 * Failure
 *   Every failure returns NULL with errno == ENOMEM and leaves the
 *   allocator state and its heap section consistent and usable: the next
 *   request that fits still succeeds.
 *   A request larger than DMM_MAX_REQUEST (PTRDIFF_MAX) fails before any
 *   rounding or header arithmetic, so no size can wrap around.
 *   dmm_calloc(n, size) fails when n * size overflows.
 *
 * free
 *   dmm_free(NULL) does nothing. dmm_free never changes errno.
 *   Freeing a pointer that dmm did not return, or freeing twice, is
 *   undefined; dmm_check() is how a test finds out what it broke.
 *
 * calloc
 *   The memory is zero, even when the chunk is recycled from a free list.
 *
 * realloc
 *   dmm_realloc(NULL, n) is dmm_malloc(n).
 *   dmm_realloc(p, 0) frees p and returns NULL, with errno unchanged (the
 *   glibc choice; C17 leaves it implementation-defined and C23 undefined,
 *   so portable code never relies on it).
 *   Otherwise the contents are kept up to the smaller of the old and new
 *   sizes; the chunk is resized in place where the allocator's structure
 *   allows, else moved (malloc, copy, free). A failed realloc returns NULL
 *   with errno == ENOMEM and leaves the old block untouched and valid.
 *
 * Threads
 *   None of these functions is thread-safe: dmm is single-threaded by
 *   design, like the lecture's allocators.
 *
 * Where the memory comes from
 *   Allocators never call brk, sbrk, mmap or munmap themselves: they go
 *   through the heap section (allocators/heap.h), which counts every call
 *   and is either a simulated program break (the default) or the real one.
 */
#ifndef DMM_H
#define DMM_H

#include <stddef.h>
#include <stdint.h>

/* 16 bytes: alignof(max_align_t) on x86-64 Linux, what glibc guarantees. */
#define DMM_ALIGNMENT 16

/* Larger requests fail with ENOMEM before any arithmetic on the size. */
#define DMM_MAX_REQUEST ((size_t)PTRDIFF_MAX)

/* ---- The C library's four functions ------------------------------------ */

void *dmm_malloc(size_t size);
void dmm_free(void *ptr);
void *dmm_calloc(size_t nmemb, size_t size);
void *dmm_realloc(void *ptr, size_t size);

/* ---- Introspection ----------------------------------------------------- */

/* The allocator's name as the build and every tool spell it: one of
 * DMM_ALLOCATORS in the top CMakeLists.txt (the one place the list is
 * written), a baseline's, or a student's own. */
const char *dmm_name(void);

/* What the allocator cost the operating system and how hard it searched.
 * Every counter starts at zero after dmm_reset(). */
struct dmm_stats {
    /* Bytes obtained from the OS. The heap section is the extent between
     * its start and the program break; mapped bytes are whole pages. */
    size_t heap_bytes;            /* heap section extent now */
    size_t mapped_bytes;          /* bytes in live mappings now */
    size_t footprint_bytes;       /* heap_bytes + mapped_bytes now */
    size_t peak_footprint_bytes;  /* highest footprint_bytes so far */
    size_t peak_heap_bytes;       /* heap_bytes at that peak */
    size_t peak_mapped_bytes;     /* mapped_bytes at that peak */

    /* System calls made through the heap section. */
    uint64_t brk_calls;           /* moves of the program break (brk) */
    uint64_t mmap_calls;          /* mappings created */
    uint64_t munmap_calls;        /* mappings released */
    uint64_t mremap_calls;        /* mappings resized (Linux mremap) */

    /* Search work: free-list chunks examined. A chunk is counted each time
     * malloc looks at it while searching for a fit, or free looks at it
     * while finding where the freed chunk goes or what it coalesces with. */
    uint64_t malloc_calls;        /* dmm_malloc, and the mallocs inside calloc/realloc */
    uint64_t free_calls;          /* dmm_free of a non-NULL pointer, also inside realloc */
    uint64_t malloc_steps;        /* chunks examined by malloc */
    uint64_t free_steps;          /* chunks examined by free */
};

void dmm_stats(struct dmm_stats *stats);

/* What a chunk of the walk is, beyond allocated or free. Most allocators
 * never name it: a walk that sets only .is_free leaves .kind zero,
 * DMM_CHUNK_BLOCK, and is_free says the rest. The other kinds are memory
 * that is neither a block the program holds nor one the allocator can hand
 * out; set is_free to 0 for them. The harness's split of the peak footprint
 * (docs/harness.md) counts each kind apart:
 *
 *   DMM_CHUNK_BLOCK         a chunk as is_free says. Allocated: the program's
 *                           block; its bytes beyond the payload (header,
 *                           footer, rounding, the minimum size) are internal
 *                           fragmentation. Free (the pad too): memory the
 *                           allocator can hand out, counted as external
 *                           fragmentation.
 *   DMM_CHUNK_METADATA      the allocator's own bytes, never handed out: its
 *                           structures kept apart from the chunks (segregated's
 *                           page table) and what it set aside and can never
 *                           hand out (the leftover at the end of a run, the
 *                           filler below the first run).
 *   DMM_CHUNK_NEVER_REUSED  chunks that are handed out once and never taken
 *                           back, the lecture's minimal and pad: free does
 *                           nothing, so a freed block stays where it is,
 *                           lost. Such an allocator keeps no header and cannot
 *                           tell a live block from a freed one, so it reports
 *                           the whole run of chunks it handed out as one
 *                           chunk of this kind; the harness, which knows the
 *                           live blocks, counts their payload and rounding
 *                           and calls the rest never reused. */
enum dmm_chunk_kind {
    DMM_CHUNK_BLOCK = 0,
    DMM_CHUNK_METADATA = 1,
    DMM_CHUNK_NEVER_REUSED = 2,
};

/* One chunk, as the heap checker sees it while it walks the chunks. New
 * fields go at the end, so that a walk written for the older struct stays
 * correct: fill it with designated initializers, as every file here does
 * (a positional one that stops before kind still means DMM_CHUNK_BLOCK, but
 * -Wextra warns that kind is missing). */
struct dmm_chunk_info {
    const void *start;    /* first byte of the chunk (its header, if any) */
    size_t size;          /* bytes from start to the next chunk */
    size_t header_bytes;  /* bookkeeping before the payload */
    size_t footer_bytes;  /* bookkeeping after the payload */
    int is_free;          /* 1: free chunk (or the pad); 0: allocated, or kind != 0 */
    enum dmm_chunk_kind kind; /* 0 (DMM_CHUNK_BLOCK): as is_free says; see above */
};

/* Called once per chunk: the chunks in the heap section in address order,
 * then the mapped chunks, in whatever order the allocator keeps them. */
typedef void dmm_visit_fn(const struct dmm_chunk_info *chunk, void *arg);

/* The heap checker. Walks every structure the allocator keeps and verifies
 * each invariant that its source file states. Returns NULL when all hold;
 * otherwise a one-line message naming the first broken invariant and the
 * chunk's address (in a static buffer, valid until the next call).
 * If visit is not NULL it is called for every chunk the walk reaches,
 * which is how tools draw a heap map. */
const char *dmm_check(dmm_visit_fn *visit, void *arg);

/* Returns every byte to the OS and puts the allocator back in its initial
 * empty state with zeroed counters, so one process can run many workloads.
 * Every pointer returned before is invalid afterwards. */
void dmm_reset(void);

/* ---- The usable size (optional) ----------------------------------------- */

/* The bytes of a live payload the program may use: at least the size asked
 * for, every one of them the block's own (not a header, a footer or the
 * canary). The LD_PRELOAD layer answers malloc_usable_size with it and then
 * keeps nothing per block (docs/preload.md); without it the layer records
 * every block in a table. An allocator whose chunks carry no size (minimal,
 * pad) leaves it out. The placement policies of the list allocators are
 * optional functions too, declared in policy.h. */
size_t dmm_usable_size(const void *payload);

/* ---- The design it promises (optional) ---------------------------------- */

/* What the allocator's design promises, as words separated by blanks; one
 * line in the allocator's file, for example
 *
 *     const char dmm_design[] = "coalesces address-ordered";
 *
 * An allocator that promises none of these leaves the symbol out. The words:
 *
 *   coalesces        no two free chunks are ever adjacent in memory: free
 *                    merges a chunk with a free chunk before it and after it.
 *   address-ordered  the free list is kept in address order and searched
 *                    first fit, so malloc takes the lowest-addressed free
 *                    chunk that can hold the request (or grows the heap
 *                    section when none can).
 *
 * The harness checks the promise itself, on the chunks dmm_check's walk
 * visits, whatever dmm_check says (harness/replay/design.h says what a walk
 * can show of each word): dmm-replay on every walk, and the behaviour suite
 * tests/allocators/check_design.c (`ctest -L design`, `-L mine`) after every
 * operation. An unknown word is an error naming it and the valid ones: the
 * module cannot be loaded and the suite fails. */
extern const char dmm_design[];

#endif /* DMM_H */
