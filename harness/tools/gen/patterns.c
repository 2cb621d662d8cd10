/*
 * patterns.c — dmm-gen's patterns: each one a small program that writes a
 * trace through gen.h's helpers, and the table that names them.
 *
 *   allocate_then_free   COS 217's first four: lifo-fixed, fifo-fixed,
 *                        lifo-random, fifo-random
 *   random_order         COS 217's last two: random-fixed, random-random
 *   gen_first_fit_worst  holes that address-ordered first fit walks past
 *   coalesce             every coalesce case, then refills of merged chunks
 *   realloc_growth       vectors doubling and strings growing, among small blocks
 *   calloc_heavy         calloc of many shapes, on memory malloc dirtied
 *   gen_scaling          N blocks live, then free+malloc pairs
 *   gen_large_holes      N large free chunks, then requests larger than all of them
 *
 * Every pattern draws only from the run's seeded generator
 * (gen_random_*), stops when its next step no longer fits gen_spare(), and
 * frees every block it allocated (gen.c's header comment explains the
 * budget). A new pattern is a function here and a row of the table.
 */
#include "gen.h"

#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>

#define HOLE_FRACTION 8        /* first-fit-worst: one hole per 8 operations of budget */
#define STREAM_WINDOW 4        /* first-fit-worst: large blocks live at once */
#define COALESCE_RUNS 16       /* coalesce: runs of three neighbours per round */
#define GROWERS 8              /* realloc-growth: blocks growing at once, half vectors */
#define FILLERS 32             /* realloc-growth: small blocks live around them, on average */
#define FILLER_MAX 256         /* realloc-growth: bytes of a small block, at most */
#define APPEND_MAX 32          /* realloc-growth: bytes one string append adds, at most */
#define CALLOC_LIVE_FRACTION 10 /* calloc: about ops / 10 blocks live */
#define LARGE_GUARD 16         /* large-holes: bytes of a guard, small so that the heap is holes */

/* ---- the patterns -------------------------------------------------------- */

/* COS 217's first four: allocate, then free everything. A fixed-size block
 * is --max-size bytes. */
static void allocate_then_free(struct gen *g, int fixed, int newest_first)
{
    struct pool pool = {0};
    while (gen_spare(g) >= 2)
        gen_pool_push(&pool, gen_op_malloc(g, fixed ? g->set.max_size : gen_random_size(g)));
    for (size_t i = 0; i < pool.count; i++)
        gen_op_free(g, pool.blocks[newest_first ? pool.count - 1 - i : i]);
    free(pool.blocks);
}

static void lifo_fixed(struct gen *g) { allocate_then_free(g, 1, 1); }
static void fifo_fixed(struct gen *g) { allocate_then_free(g, 1, 0); }
static void lifo_random(struct gen *g) { allocate_then_free(g, 0, 1); }
static void fifo_random(struct gen *g) { allocate_then_free(g, 0, 0); }

/* COS 217's random-order ones: pick a slot at random; free it if it holds
 * a block, fill it if not. With ops / 4 slots, about half of them full,
 * every slot is refilled a few times: freed memory gets reused. */
static void random_order(struct gen *g, int fixed)
{
    size_t slot_count = g->set.ops / 4;
    struct block *slots = malloc(slot_count * sizeof *slots);
    unsigned char *full = calloc(slot_count, 1);
    if (slots == NULL || full == NULL)
        gen_fail("out of memory for %zu slots", slot_count);
    for (;;) {
        size_t i = (size_t)gen_random_below(g, slot_count);
        if (full[i]) {
            gen_op_free(g, slots[i]);
            full[i] = 0;
        } else if (gen_spare(g) >= 2) {
            slots[i] = gen_op_malloc(g, fixed ? g->set.max_size : gen_random_size(g));
            full[i] = 1;
        } else {
            break;
        }
    }
    for (size_t i = 0; i < slot_count; i++)
        if (full[i])
            gen_op_free(g, slots[i]);
    free(slots);
    free(full);
}

static void random_fixed(struct gen *g) { random_order(g, 1); }
static void random_random(struct gen *g) { random_order(g, 0); }

/* Holes low in the heap, kept apart by guards; then requests too large for
 * any hole. The construction is in the pattern's `how` below. */
void gen_first_fit_worst(struct gen *g)
{
    struct pool holes = {0}, guards = {0};
    uint64_t hole_count = g->set.ops / HOLE_FRACTION;
    for (uint64_t i = 0; i < hole_count && gen_spare(g) >= 4; i++) {
        gen_pool_push(&holes, gen_op_malloc(g, g->set.min_size));
        gen_pool_push(&guards, gen_op_malloc(g, g->set.min_size));
    }
    for (size_t i = 0; i < holes.count; i++)
        gen_op_free(g, holes.blocks[i]);
    free(holes.blocks);

    struct block window[STREAM_WINDOW]; /* a ring: the oldest at `oldest` */
    size_t oldest = 0, in_window = 0;
    while (gen_spare(g) >= 2) {
        if (in_window == STREAM_WINDOW) {
            gen_op_free(g, window[oldest]);
            oldest = (oldest + 1) % STREAM_WINDOW;
            in_window--;
        }
        window[(oldest + in_window++) % STREAM_WINDOW] = gen_op_malloc(g, g->set.max_size);
    }
    for (size_t i = 0; i < in_window; i++)
        gen_op_free(g, window[(oldest + i) % STREAM_WINDOW]);
    gen_pool_free_all(g, &guards);
}

/* Orders in which a run's three neighbours (0 1 2, between allocated
 * guards) are freed, and the coalesce case each free meets:
 *   1: neither neighbour free   2: previous free, next allocated
 *   3: next free, previous allocated   4: both free */
static const unsigned char free_orders[4][3] = {
    {1, 0, 2}, /* cases 1, 3, 2 */
    {0, 2, 1}, /* cases 1, 1, 4 */
    {0, 1, 2}, /* cases 1, 2, 2 */
    {2, 1, 0}, /* cases 1, 3, 3 */
};

static void coalesce(struct gen *g)
{
    struct block guards[COALESCE_RUNS + 1], runs[COALESCE_RUNS][3], refills[COALESCE_RUNS];
    /* One round of r runs: r + 1 guards, 3r neighbours and r refills are
     * allocated and freed: 10r + 2 operations. */
    while (gen_spare(g) >= 10 + 2) {
        size_t run_count = (size_t)((gen_spare(g) - 2) / 10);
        if (run_count > COALESCE_RUNS)
            run_count = COALESCE_RUNS;
        uint64_t size = gen_random_size(g);
        guards[0] = gen_op_malloc(g, size);
        for (size_t r = 0; r < run_count; r++) {
            for (size_t j = 0; j < 3; j++)
                runs[r][j] = gen_op_malloc(g, size);
            guards[r + 1] = gen_op_malloc(g, size);
        }
        for (size_t r = 0; r < run_count; r++)
            for (size_t j = 0; j < 3; j++)
                gen_op_free(g, runs[r][free_orders[r % 4][j]]);
        for (size_t r = 0; r < run_count; r++)
            refills[r] = gen_op_malloc(g, 3 * size);
        for (size_t r = 0; r < run_count; r++)
            gen_op_free(g, refills[r]);
        /* The guards in a random order (Fisher-Yates): every case again, on
         * free chunks of every size. */
        for (size_t i = run_count; i > 0; i--) {
            size_t j = (size_t)gen_random_below(g, i + 1);
            struct block swap = guards[i];
            guards[i] = guards[j];
            guards[j] = swap;
        }
        for (size_t i = 0; i <= run_count; i++)
            gen_op_free(g, guards[i]);
    }
}

static void realloc_growth(struct gen *g)
{
    struct block growers[GROWERS]; /* even slots: vectors; odd slots: strings */
    int growing[GROWERS] = {0};
    struct pool fillers = {0};
    for (;;) {
        if (gen_random_below(g, 3) == 0) { /* a third of the steps: the small blocks */
            if (gen_random_below(g, 2 * FILLERS) < fillers.count) {
                gen_op_free(g, gen_pool_take_random(g, &fillers));
            } else if (gen_spare(g) >= 2) {
                gen_pool_push(&fillers, gen_op_malloc(g, gen_random_between(g, 1, FILLER_MAX)));
            } else {
                break;
            }
            continue;
        }
        size_t i = (size_t)gen_random_below(g, GROWERS);
        int vector = i % 2 == 0;
        struct block *block = &growers[i];
        if (!growing[i]) {
            if (gen_spare(g) < 2)
                break;
            *block = vector ? gen_op_realloc_new(g, g->set.min_size)
                            : gen_op_malloc(g, g->set.min_size);
            growing[i] = 1;
            continue;
        }
        uint64_t next = vector ? (block->size == 0 ? 1 : 2 * block->size)
                               : block->size + gen_random_between(g, 1, APPEND_MAX);
        if (next <= g->set.max_size) {
            if (gen_spare(g) < 1)
                break;
            gen_op_realloc(g, block, next);
            continue;
        }
        if (vector && block->size > 0) {
            /* A finished vector shrinks to fit, and lives on among the small blocks. */
            if (gen_spare(g) < 1)
                break;
            gen_op_realloc(g, block, gen_random_between(g, block->size / 2 + 1, block->size));
            gen_pool_push(&fillers, *block);
        } else if (gen_random_below(g, 4) == 0) {
            gen_op_realloc(g, block, 0); /* a finished string: realloc(p, 0) frees it */
        } else {
            gen_op_free(g, *block);
        }
        growing[i] = 0;
    }
    for (size_t i = 0; i < GROWERS; i++)
        if (growing[i])
            gen_op_free(g, growers[i]);
    gen_pool_free_all(g, &fillers);
}

/* Element sizes of the calloc pattern, in bytes: chars, shorts, ints,
 * pointers, and a few structs. */
static const uint64_t element_sizes[] = {1, 2, 4, 8, 12, 16, 24, 32, 48, 64, 100, 128, 256};
#define ELEMENT_SIZES (sizeof element_sizes / sizeof element_sizes[0])

static void calloc_heavy(struct gen *g)
{
    uint64_t target = g->set.ops / CALLOC_LIVE_FRACTION;
    struct pool live = {0};
    for (;;) {
        /* Below the target, allocate two steps in three: the live count
         * climbs to the target and stays near it. */
        if (live.count > 0 && (live.count >= target || gen_random_below(g, 3) == 0)) {
            gen_op_free(g, gen_pool_take_random(g, &live));
            continue;
        }
        if (gen_spare(g) < 2)
            break;
        if (gen_random_below(g, 5) == 0) { /* dirties memory that a later calloc reuses */
            gen_pool_push(&live, gen_op_malloc(g, gen_random_size(g)));
            continue;
        }
        /* An element size with a multiple in [min, max] (1 always has one),
         * then a count that keeps nmemb * size there. */
        uint64_t size, low, high;
        do {
            size = element_sizes[gen_random_below(g, ELEMENT_SIZES)];
            low = (g->set.min_size + size - 1) / size;
            high = g->set.max_size / size;
        } while (low > high);
        uint64_t nmemb = gen_random_between(g, low, high);
        if (nmemb == 0 && gen_random_below(g, 2) == 0) {
            nmemb = size; /* the other empty array: calloc(n, 0) */
            size = 0;
        }
        gen_pool_push(&live, gen_op_calloc(g, nmemb, size));
    }
    gen_pool_free_all(g, &live);
}

void gen_scaling(struct gen *g)
{
    struct pool live = {0};
    while (live.count < g->set.live)
        gen_pool_push(&live, gen_op_malloc(g, gen_random_size(g)));
    while (gen_spare(g) >= 2) {
        gen_op_free(g, gen_pool_take_random(g, &live));
        gen_pool_push(&live, gen_op_malloc(g, gen_random_size(g)));
    }
    gen_pool_free_all(g, &live);
}

/* N large free chunks kept apart by small allocated guards, then requests
 * larger than any of them, each kept live. One free list of every large
 * size (bins.c's last bin, dlist, list) is walked to its end by every
 * request; bins of size ranges (gnu.c) look only where a fit can be. The
 * requests stay live so that no freed request waits at the front of a
 * list to serve the next one: every request must walk the holes.
 *
 * At the end the guards go before the requests: an allocator that never
 * coalesces then has the large requests' chunks, not N guards too small
 * for anything, at the front of its list when a timing run replays the
 * trace again, and its steady replays stay cheap. */
void gen_large_holes(struct gen *g)
{
    struct pool holes = {0}, guards = {0}, requests = {0};
    for (uint64_t i = 0; i < g->set.live && gen_spare(g) >= 4; i++) {
        gen_pool_push(&holes, gen_op_malloc(g, gen_random_size(g)));
        gen_pool_push(&guards, gen_op_malloc(g, LARGE_GUARD));
    }
    for (size_t i = 0; i < holes.count; i++)
        gen_op_free(g, holes.blocks[i]);
    free(holes.blocks);
    while (gen_spare(g) >= 2)
        gen_pool_push(&requests, gen_op_malloc(g, 2 * g->set.max_size));
    gen_pool_free_all(g, &guards);
    gen_pool_free_all(g, &requests);
}

const struct pattern gen_patterns[] = {
    {"lifo-fixed", lifo_fixed, 64, 64, "every block --max-size bytes",
     "allocate N blocks of one size, then free them newest first (LIFO)",
     "N = ops / 2 mallocs of one size, then N frees in the reverse order."},
    {"fifo-fixed", fifo_fixed, 64, 64, "every block --max-size bytes",
     "allocate N blocks of one size, then free them oldest first (FIFO)",
     "N = ops / 2 mallocs of one size, then N frees in the same order."},
    {"lifo-random", lifo_random, 1, 1024, "uniform in [--min-size, --max-size]",
     "allocate N blocks of random sizes, then free them newest first (LIFO)",
     "N = ops / 2 mallocs of uniform random sizes, then N frees in the reverse order."},
    {"fifo-random", fifo_random, 1, 1024, "uniform in [--min-size, --max-size]",
     "allocate N blocks of random sizes, then free them oldest first (FIFO)",
     "N = ops / 2 mallocs of uniform random sizes, then N frees in the same order."},
    {"random-fixed", random_fixed, 64, 64, "every block --max-size bytes",
     "mallocs and frees of one size, interleaved in random order",
     "ops / 4 slots; each step picks a slot at random and frees its block, or\n"
     "mallocs one into it if it is empty; at the end the rest are freed."},
    {"random-random", random_random, 1, 1024, "uniform in [--min-size, --max-size]",
     "mallocs and frees of random sizes, interleaved in random order",
     "ops / 4 slots; each step picks a slot at random and frees its block, or\n"
     "mallocs one of a random size into it; at the end the rest are freed."},
    {"first-fit-worst", gen_first_fit_worst, 16, 256,
     "holes --min-size, requests --max-size",
     "worst case of address-ordered first fit: requests walk past many holes",
     "1. K = ops / 8 pairs (hole, guard) of --min-size bytes each are allocated:\n"
     "   they lie low in the heap, in address order.\n"
     "2. Every hole is freed: K small free chunks, kept apart by the allocated\n"
     "   guards so that none can coalesce, at the front of an address-ordered list.\n"
     "3. A stream of --max-size requests (4 live at a time, the oldest freed\n"
     "   first): none fits a hole, so first fit walks all K holes before it finds\n"
     "   memory above them: K steps per malloc (and per free, where free walks\n"
     "   the list to insert in address order).\n"
     "4. The stream is freed, then the guards.\n"
     "Segregated bins find the large size without looking at the holes."},
    {"coalesce", coalesce, 32, 512, "neighbours of s in [min, max], refills of 3 * s",
     "every coalesce case, then requests that fit only in merged chunks",
     "Rounds of 16 runs of three neighbours of one random size s, each run between\n"
     "allocated guards: g A B C g A B C g ...; the runs are freed in the orders\n"
     "B A C (cases 1 3 2), A C B (1 1 4), A B C (1 2 2), C B A (1 3 3), where\n"
     "case 1 = no free neighbour, 2 = previous free, 3 = next free, 4 = both.\n"
     "Then one malloc(3 * s) per run: it fits a run's hole only if its three\n"
     "chunks were coalesced. The refills are freed, then the guards in a random\n"
     "order, which leaves the heap one free chunk for the next round."},
    {"realloc-growth", realloc_growth, 16, 4096,
     "growth from --min-size up to --max-size",
     "realloc: vectors doubling, strings growing, among small blocks",
     "8 blocks grow at once. Vectors start with realloc(NULL, min) and double\n"
     "until the next step would pass --max-size; then they shrink to fit (a\n"
     "realloc to between half and all of their size) and live on. Strings start\n"
     "with malloc(min) and grow by 1..32 bytes; done, they are freed, one in four\n"
     "by realloc(p, 0). A third of the steps malloc or free small blocks of\n"
     "1..256 bytes (about 32 live) between them, so growing in place is not\n"
     "always possible."},
    {"calloc", calloc_heavy, 0, 4096, "nmemb * size in [--min-size, --max-size]",
     "calloc-heavy: arrays of many shapes, on memory malloc dirtied",
     "About ops / 10 blocks live; each step frees one at random or allocates:\n"
     "four in five by calloc(nmemb, size) with an element size of 1..256 bytes\n"
     "(empty arrays, calloc(0, size) and calloc(n, 0), when --min-size is 0), one\n"
     "in five by malloc, whose memory a later calloc must clear when it reuses it."},
    {"scaling", gen_scaling, 1, 1024, "uniform in [--min-size, --max-size]",
     "N blocks live, then free+malloc pairs: cost per operation against N",
     "N = --live mallocs of random sizes; then pairs (free a random live block,\n"
     "malloc a random size) while N stay live; then the N are freed. Replay it at\n"
     "several N to plot the time or steps per operation against N."},
    {"large-holes", gen_large_holes, 1024, 4096,
     "holes in [--min-size, --max-size], requests 2 * --max-size",
     "N large free chunks, then larger requests that walk one list of them to its end",
     "1. N = --live pairs (hole, guard): a hole of a random size in [--min-size,\n"
     "   --max-size] (above bins' 1 KiB exact-size limit by default), a guard of\n"
     "   16 bytes that keeps it from coalescing with the next hole.\n"
     "2. Every hole is freed: N large free chunks of many sizes.\n"
     "3. Requests of 2 * --max-size bytes, each kept live: none fits a hole, so an\n"
     "   allocator with one list for every large size (bins' last bin) walks all N\n"
     "   holes before it grows the heap: N steps per request. Bins of size ranges\n"
     "   (gnu) skip the holes' bins. With the default sizes the requests (8 KiB)\n"
     "   stay below gnu's mmap threshold (128 KiB): they are heap chunks.\n"
     "4. The guards are freed, then the requests."},
};
const size_t gen_pattern_count = sizeof gen_patterns / sizeof gen_patterns[0];
