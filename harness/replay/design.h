/*
 * design.h — what a module's design promises (dmm.h's dmm_design), read
 * once at load, and checked on every heap walk the checking pass does,
 * independently of the module's own heap checker.
 *
 * Step of the data flow: trace file -> parse -> pair -> child process
 * [module.c reads dmm_design] -> checking pass [each walk checked here] ->
 * timing -> result -> table/CSV/JSON.
 *
 * What the walk shows, and so what can be checked
 *   dmm_check's visitor sees the chunks of the heap section in address
 *   order, each with its size and a free/allocated status and its kind
 *   (dmm.h: metadata and never-reused regions are never free; then any
 *   mapped chunks). It does not show a free list, its order, or its links.
 *   So:
 *
 *   coalesces        no two free chunks are adjacent in memory, on every
 *                    walk (a chunk that ends where the next starts, both
 *                    free). Checked on every walk.
 *   address-ordered  the free list is in address order and searched first
 *                    fit. Its order cannot be seen; what it implies can:
 *                    a malloc takes its chunk from the lowest-addressed free
 *                    chunk that can hold it (or grows the heap section when
 *                    none can). Checked for a malloc whose op has a walk
 *                    right before it and right after it (--check-every 1,
 *                    --heap-map): if a free chunk below the one it was cut
 *                    from was at least as large as the chunk handed out,
 *                    the search was not address-ordered first fit. The
 *                    check never accuses a correct allocator; it may miss a
 *                    wrong one (a bigger chunk taken whole).
 *
 * The same code checks the lecture's behaviour suite of a design
 * (tests/allocators/check_design.c), which walks after every operation.
 */
#ifndef DMM_DESIGN_H
#define DMM_DESIGN_H

#include "dmm.h"
#include "trace.h"

#include <stddef.h>
#include <stdint.h>

/* The properties, one bit each. */
enum design_property {
    DESIGN_COALESCES = 1u << 0,       /* "coalesces" */
    DESIGN_ADDRESS_ORDERED = 1u << 1, /* "address-ordered" */
};

#define DESIGN_TEXT_MAX 256 /* bytes of dmm_design read at most, its NUL included */

/* The valid words as a message lists them: "coalesces, address-ordered". */
extern const char design_valid_words[];

/* Reads the words of text (separated by blanks; "" declares nothing) into
 * *properties. Returns 0, or -1 with a one-line message naming the first
 * unknown word and the valid ones in error. */
int design_parse(const char *text, unsigned *properties, char *error, size_t error_size);

/* The words of properties, in design_valid_words' order ("coalesces
 * address-ordered"; "" for none). */
void design_words(unsigned properties, char *text, size_t size);

/* A free chunk as a walk saw it. */
struct design_chunk {
    uintptr_t start; /* first byte */
    size_t size;     /* bytes */
};

/* Checks the properties on successive walks. Zeroed, with properties set,
 * it is ready: the first walk is compared with an empty heap section (what
 * dmm_reset leaves). design_walk_free releases it. */
struct design_walk {
    unsigned properties;         /* what to check */

    /* The walk in progress. */
    dmm_visit_fn *next_visit;    /* the visitor this one passes every chunk on to, or NULL */
    void *next_arg;
    uint64_t ops_done;           /* operations done when it runs */
    uintptr_t block;             /* the block the last op returned (0: none), for address-ordered */
    int have_last;               /* last holds the chunk visited before */
    struct dmm_chunk_info last;
    int adjacent;                /* coalesces is broken: these two are both free */
    struct dmm_chunk_info adjacent_low, adjacent_high;
    int block_found;             /* the allocated chunk holding block was visited */
    struct design_chunk block_chunk;

    /* Free chunks of this walk, and of the walk before (after before_ops ops). */
    struct design_chunk *now, *before;
    size_t now_count, before_count, now_capacity, before_capacity;
    uint64_t before_ops;
    int out_of_memory;
};

/* A walk after ops_done operations starts; block is what the last of them
 * returned (NULL: nothing, or not a malloc). Returns the visitor to give
 * dmm_check, with w as its argument; it passes every chunk on to next
 * (may be NULL) with next_arg. */
dmm_visit_fn *design_walk_start(struct design_walk *w, uint64_t ops_done, const void *block,
                                dmm_visit_fn *next, void *next_arg);

/* The walk is over. op is the trace op after which it ran (its index
 * ops_done - 1; NULL when none). Returns 0, or -1 with what is broken in
 * what: "not coalesced: chunks at 0x... (48 B) and 0x... (80 B) are both
 * free after line 15 (free id 3)". */
int design_walk_end(struct design_walk *w, const struct trace *trace, const struct trace_op *op,
                    char *what, size_t what_size);

void design_walk_free(struct design_walk *w);

#endif /* DMM_DESIGN_H */
