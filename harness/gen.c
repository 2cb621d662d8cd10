/*
 * gen.c — dmm-gen: writes a malloc/free trace from a named pattern.
 *
 *   dmm-gen PATTERN [--ops N] [--min-size B] [--max-size B] [--seed S]
 *           [--live N] [-o FILE]
 *
 * Each pattern is a small program that drives a seeded generator of its own
 * (splitmix64), never rand(): the same arguments give byte-identical output
 * on every machine and C library. The output is dmm's trace format
 * (docs/traces.md) behind a comment header saying how it was made: the full
 * command that recreates it, the pattern's purpose and construction, and
 * what the trace holds.
 *
 * The header gives the op count before the ops, so the pattern runs twice:
 * once counting, once writing. Both runs start from the same seed, so they
 * are the same run, and memory stays O(live blocks) whatever --ops is.
 *
 * The budget
 *   Every block gets an ID of its own (IDs are never reused), and every
 *   pattern ends by freeing every block it allocated. A pattern spends at
 *   most --ops operations: spare() is what is left once the final frees of
 *   the live blocks are paid for, a malloc costs 2 of it (itself and its
 *   free), a realloc that keeps the block 1, a free 0. A pattern stops when
 *   its next step does not fit, so a trace has --ops operations or a few
 *   fewer.
 *
 * Exit status: 0 written; 1 the output could not be written (or no memory);
 * 2 usage error (unknown pattern or option, bad number, sizes out of order).
 */
#include "trace.h"

#include <errno.h>
#include <inttypes.h>
#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define MIN_OPS 20                   /* operations: every pattern has room for one full round */
#define MAX_OPS 100000000u           /* operations: 100 M lines, about 1.5 GB of text */
#define MAX_SIZE ((uint64_t)1 << 30) /* bytes (1 GiB): 3 * size (coalesce) stays far below
                                        TRACE_MAX_SIZE and never wraps */
#define DEFAULT_OPS 10000            /* operations when --ops is not given */
#define DEFAULT_SEED 1

#define HOLE_FRACTION 8        /* first-fit-worst: one hole per 8 operations of budget */
#define STREAM_WINDOW 4        /* first-fit-worst: large blocks live at once */
#define COALESCE_RUNS 16       /* coalesce: runs of three neighbours per round */
#define GROWERS 8              /* realloc-growth: blocks growing at once, half vectors */
#define FILLERS 32             /* realloc-growth: small blocks live around them, on average */
#define FILLER_MAX 256         /* realloc-growth: bytes of a small block, at most */
#define APPEND_MAX 32          /* realloc-growth: bytes one string append adds, at most */
#define CALLOC_LIVE_FRACTION 10 /* calloc: about ops / 10 blocks live */

_Static_assert(MAX_OPS < TRACE_MAX_ID, "every block's ID must fit the parser's range");
_Static_assert(3 * MAX_SIZE < TRACE_MAX_SIZE, "coalesce's refills must fit the parser's range");

/* What the command line asked for, with every default filled in. */
struct settings {
    uint64_t ops;                /* operations, at most */
    uint64_t min_size, max_size; /* bytes; what they mean depends on the pattern */
    uint64_t seed;
    uint64_t live;               /* scaling: blocks live in the steady phase; 0 elsewhere */
};

/* A block the trace has allocated and not yet freed. */
struct block {
    uint64_t id;   /* the trace's ID */
    uint64_t size; /* bytes asked for (nmemb * size for calloc) */
};

/* Blocks a pattern holds, in the order they were pushed. */
struct pool {
    struct block *blocks;
    size_t count, capacity;
};

/* One run of a pattern: the generator, the budget, and what was written. */
struct gen {
    struct settings set;
    FILE *out;               /* NULL: the counting run writes nothing */
    uint64_t random_state;   /* splitmix64's state */
    uint64_t next_id;        /* the ID the next new block gets */
    uint64_t ops;            /* operations written */
    uint64_t malloc_ops, calloc_ops, realloc_ops, free_ops;
    uint64_t live_blocks;    /* allocated and not freed */
    uint64_t live_bytes, peak_live_bytes; /* sums of the sizes asked for */
    uint64_t total_bytes;    /* every size asked for, reallocs included */
};

struct pattern {
    const char *name;
    void (*generate)(struct gen *);
    uint64_t min_size, max_size; /* default bytes */
    const char *sizes;           /* what --min-size and --max-size mean here */
    const char *purpose;         /* one line */
    const char *how;             /* the construction, lines separated by '\n' */
};

/* ---- errors -------------------------------------------------------------- */

static _Noreturn void usage_error(const char *format, ...)
{
    va_list args;
    va_start(args, format);
    fputs("dmm-gen: ", stderr);
    vfprintf(stderr, format, args);
    fputs(" (see dmm-gen --help)\n", stderr);
    va_end(args);
    exit(2);
}

static _Noreturn void fail(const char *format, ...)
{
    va_list args;
    va_start(args, format);
    fputs("dmm-gen: ", stderr);
    vfprintf(stderr, format, args);
    fputc('\n', stderr);
    va_end(args);
    exit(1);
}

/* ---- the random generator ------------------------------------------------ */

/* splitmix64 (Steele, Lea and Flood, 2014): the state steps by a constant
 * and is mixed; every seed, 0 included, gives a good stream. */
static uint64_t random_next(struct gen *g)
{
    uint64_t z = g->random_state += 0x9E3779B97F4A7C15u;
    z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9u;
    z = (z ^ (z >> 27)) * 0x94D049BB133111EBu;
    return z ^ (z >> 31);
}

/* Uniform in [0, n), n >= 1. Draws below 2^64 mod n are thrown away, so
 * that the remainder favours no value. */
static uint64_t random_below(struct gen *g, uint64_t n)
{
    uint64_t reject_below = (UINT64_MAX - n + 1) % n;
    uint64_t x;
    do
        x = random_next(g);
    while (x < reject_below);
    return x % n;
}

static uint64_t random_between(struct gen *g, uint64_t low, uint64_t high)
{
    return low + random_below(g, high - low + 1);
}

static uint64_t random_size(struct gen *g)
{
    return random_between(g, g->set.min_size, g->set.max_size);
}

/* ---- writing operations -------------------------------------------------- */

static uint64_t spare(const struct gen *g)
{
    return g->set.ops - g->ops - g->live_blocks;
}

static void emit(struct gen *g, const char *format, ...)
{
    g->ops++;
    if (g->out == NULL)
        return;
    va_list args;
    va_start(args, format);
    vfprintf(g->out, format, args);
    va_end(args);
}

static void count_live(struct gen *g, uint64_t old_size, uint64_t new_size)
{
    g->live_bytes = g->live_bytes - old_size + new_size;
    if (g->live_bytes > g->peak_live_bytes)
        g->peak_live_bytes = g->live_bytes;
    g->total_bytes += new_size;
}

/* Every new block gets an ID of its own; the caller writes its line. */
static struct block new_block(struct gen *g, uint64_t size)
{
    struct block block = {g->next_id++, size};
    g->live_blocks++;
    count_live(g, 0, size);
    return block;
}

static struct block op_malloc(struct gen *g, uint64_t size)
{
    struct block block = new_block(g, size);
    emit(g, "a %" PRIu64 " %" PRIu64 "\n", block.id, size);
    g->malloc_ops++;
    return block;
}

static struct block op_calloc(struct gen *g, uint64_t nmemb, uint64_t size)
{
    struct block block = new_block(g, nmemb * size);
    emit(g, "c %" PRIu64 " %" PRIu64 " %" PRIu64 "\n", block.id, nmemb, size);
    g->calloc_ops++;
    return block;
}

/* realloc(NULL, size): a new block, as code that starts from a NULL
 * pointer and only ever calls realloc does. */
static struct block op_realloc_new(struct gen *g, uint64_t size)
{
    struct block block = new_block(g, size);
    emit(g, "r %" PRIu64 " %" PRIu64 "\n", block.id, size);
    g->realloc_ops++;
    return block;
}

/* size 0 frees the block (dmm.h: realloc(p, 0) frees p). */
static void op_realloc(struct gen *g, struct block *block, uint64_t size)
{
    emit(g, "r %" PRIu64 " %" PRIu64 "\n", block->id, size);
    g->realloc_ops++;
    count_live(g, block->size, size);
    if (size == 0)
        g->live_blocks--;
    block->size = size;
}

static void op_free(struct gen *g, struct block block)
{
    emit(g, "f %" PRIu64 "\n", block.id);
    g->free_ops++;
    g->live_blocks--;
    g->live_bytes -= block.size;
}

/* ---- pools of live blocks ------------------------------------------------ */

static void pool_push(struct pool *pool, struct block block)
{
    if (pool->count == pool->capacity) {
        size_t capacity = pool->capacity == 0 ? 64 : 2 * pool->capacity;
        struct block *blocks = realloc(pool->blocks, capacity * sizeof *blocks);
        if (blocks == NULL)
            fail("out of memory holding %zu live blocks", pool->count);
        pool->blocks = blocks;
        pool->capacity = capacity;
    }
    pool->blocks[pool->count++] = block;
}

/* Removes block i; the last block takes its place. */
static struct block pool_take(struct pool *pool, size_t i)
{
    struct block block = pool->blocks[i];
    pool->blocks[i] = pool->blocks[--pool->count];
    return block;
}

static struct block pool_take_random(struct gen *g, struct pool *pool)
{
    return pool_take(pool, (size_t)random_below(g, pool->count));
}

/* Frees every block, oldest first, and releases the pool. */
static void pool_free_all(struct gen *g, struct pool *pool)
{
    for (size_t i = 0; i < pool->count; i++)
        op_free(g, pool->blocks[i]);
    free(pool->blocks);
    *pool = (struct pool){0};
}

/* ---- the patterns -------------------------------------------------------- */

/* COS 217's first four: allocate, then free everything. A fixed-size block
 * is --max-size bytes. */
static void allocate_then_free(struct gen *g, int fixed, int newest_first)
{
    struct pool pool = {0};
    while (spare(g) >= 2)
        pool_push(&pool, op_malloc(g, fixed ? g->set.max_size : random_size(g)));
    for (size_t i = 0; i < pool.count; i++)
        op_free(g, pool.blocks[newest_first ? pool.count - 1 - i : i]);
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
        fail("out of memory for %zu slots", slot_count);
    for (;;) {
        size_t i = (size_t)random_below(g, slot_count);
        if (full[i]) {
            op_free(g, slots[i]);
            full[i] = 0;
        } else if (spare(g) >= 2) {
            slots[i] = op_malloc(g, fixed ? g->set.max_size : random_size(g));
            full[i] = 1;
        } else {
            break;
        }
    }
    for (size_t i = 0; i < slot_count; i++)
        if (full[i])
            op_free(g, slots[i]);
    free(slots);
    free(full);
}

static void random_fixed(struct gen *g) { random_order(g, 1); }
static void random_random(struct gen *g) { random_order(g, 0); }

/* Holes low in the heap, kept apart by guards; then requests too large for
 * any hole. The construction is in the pattern's `how` below. */
static void first_fit_worst(struct gen *g)
{
    struct pool holes = {0}, guards = {0};
    uint64_t hole_count = g->set.ops / HOLE_FRACTION;
    for (uint64_t i = 0; i < hole_count && spare(g) >= 4; i++) {
        pool_push(&holes, op_malloc(g, g->set.min_size));
        pool_push(&guards, op_malloc(g, g->set.min_size));
    }
    for (size_t i = 0; i < holes.count; i++)
        op_free(g, holes.blocks[i]);
    free(holes.blocks);

    struct block window[STREAM_WINDOW]; /* a ring: the oldest at `oldest` */
    size_t oldest = 0, in_window = 0;
    while (spare(g) >= 2) {
        if (in_window == STREAM_WINDOW) {
            op_free(g, window[oldest]);
            oldest = (oldest + 1) % STREAM_WINDOW;
            in_window--;
        }
        window[(oldest + in_window++) % STREAM_WINDOW] = op_malloc(g, g->set.max_size);
    }
    for (size_t i = 0; i < in_window; i++)
        op_free(g, window[(oldest + i) % STREAM_WINDOW]);
    pool_free_all(g, &guards);
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
    while (spare(g) >= 10 + 2) {
        size_t run_count = (size_t)((spare(g) - 2) / 10);
        if (run_count > COALESCE_RUNS)
            run_count = COALESCE_RUNS;
        uint64_t size = random_size(g);
        guards[0] = op_malloc(g, size);
        for (size_t r = 0; r < run_count; r++) {
            for (size_t j = 0; j < 3; j++)
                runs[r][j] = op_malloc(g, size);
            guards[r + 1] = op_malloc(g, size);
        }
        for (size_t r = 0; r < run_count; r++)
            for (size_t j = 0; j < 3; j++)
                op_free(g, runs[r][free_orders[r % 4][j]]);
        for (size_t r = 0; r < run_count; r++)
            refills[r] = op_malloc(g, 3 * size);
        for (size_t r = 0; r < run_count; r++)
            op_free(g, refills[r]);
        /* The guards in a random order (Fisher-Yates): every case again, on
         * free chunks of every size. */
        for (size_t i = run_count; i > 0; i--) {
            size_t j = (size_t)random_below(g, i + 1);
            struct block swap = guards[i];
            guards[i] = guards[j];
            guards[j] = swap;
        }
        for (size_t i = 0; i <= run_count; i++)
            op_free(g, guards[i]);
    }
}

static void realloc_growth(struct gen *g)
{
    struct block growers[GROWERS]; /* even slots: vectors; odd slots: strings */
    int growing[GROWERS] = {0};
    struct pool fillers = {0};
    for (;;) {
        if (random_below(g, 3) == 0) { /* a third of the steps: the small blocks */
            if (random_below(g, 2 * FILLERS) < fillers.count) {
                op_free(g, pool_take_random(g, &fillers));
            } else if (spare(g) >= 2) {
                pool_push(&fillers, op_malloc(g, random_between(g, 1, FILLER_MAX)));
            } else {
                break;
            }
            continue;
        }
        size_t i = (size_t)random_below(g, GROWERS);
        int vector = i % 2 == 0;
        struct block *block = &growers[i];
        if (!growing[i]) {
            if (spare(g) < 2)
                break;
            *block = vector ? op_realloc_new(g, g->set.min_size) : op_malloc(g, g->set.min_size);
            growing[i] = 1;
            continue;
        }
        uint64_t next = vector ? (block->size == 0 ? 1 : 2 * block->size)
                               : block->size + random_between(g, 1, APPEND_MAX);
        if (next <= g->set.max_size) {
            if (spare(g) < 1)
                break;
            op_realloc(g, block, next);
            continue;
        }
        if (vector && block->size > 0) {
            /* A finished vector shrinks to fit, and lives on among the small blocks. */
            if (spare(g) < 1)
                break;
            op_realloc(g, block, random_between(g, block->size / 2 + 1, block->size));
            pool_push(&fillers, *block);
        } else if (random_below(g, 4) == 0) {
            op_realloc(g, block, 0); /* a finished string: realloc(p, 0) frees it */
        } else {
            op_free(g, *block);
        }
        growing[i] = 0;
    }
    for (size_t i = 0; i < GROWERS; i++)
        if (growing[i])
            op_free(g, growers[i]);
    pool_free_all(g, &fillers);
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
        if (live.count > 0 && (live.count >= target || random_below(g, 3) == 0)) {
            op_free(g, pool_take_random(g, &live));
            continue;
        }
        if (spare(g) < 2)
            break;
        if (random_below(g, 5) == 0) { /* dirties memory that a later calloc reuses */
            pool_push(&live, op_malloc(g, random_size(g)));
            continue;
        }
        /* An element size with a multiple in [min, max] (1 always has one),
         * then a count that keeps nmemb * size there. */
        uint64_t size, low, high;
        do {
            size = element_sizes[random_below(g, ELEMENT_SIZES)];
            low = (g->set.min_size + size - 1) / size;
            high = g->set.max_size / size;
        } while (low > high);
        uint64_t nmemb = random_between(g, low, high);
        if (nmemb == 0 && random_below(g, 2) == 0) {
            nmemb = size; /* the other empty array: calloc(n, 0) */
            size = 0;
        }
        pool_push(&live, op_calloc(g, nmemb, size));
    }
    pool_free_all(g, &live);
}

static void scaling(struct gen *g)
{
    struct pool live = {0};
    while (live.count < g->set.live)
        pool_push(&live, op_malloc(g, random_size(g)));
    while (spare(g) >= 2) {
        op_free(g, pool_take_random(g, &live));
        pool_push(&live, op_malloc(g, random_size(g)));
    }
    pool_free_all(g, &live);
}

static const struct pattern patterns[] = {
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
    {"first-fit-worst", first_fit_worst, 16, 256,
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
    {"scaling", scaling, 1, 1024, "uniform in [--min-size, --max-size]",
     "N blocks live, then free+malloc pairs: cost per operation against N",
     "N = --live mallocs of random sizes; then pairs (free a random live block,\n"
     "malloc a random size) while N stay live; then the N are freed. Replay it at\n"
     "several N to plot the time or steps per operation against N."},
};
#define PATTERNS (sizeof patterns / sizeof patterns[0])

/* ---- the command line ---------------------------------------------------- */

static void print_help(void)
{
    printf("Usage: dmm-gen PATTERN [--ops N] [--min-size B] [--max-size B] [--seed S]\n"
           "               [--live N] [-o FILE]\n"
           "       dmm-gen --list | --help\n"
           "\n"
           "Writes a malloc/free trace in dmm's format (docs/traces.md), made from\n"
           "PATTERN by a seeded generator of its own: the same arguments give the same\n"
           "bytes on every machine. The header comment says how the trace was made\n"
           "(the full command that recreates it), its purpose, and its op count.\n"
           "Every block is freed by the end of the trace.\n"
           "\n"
           "Options:\n"
           "  --ops N         operations, at most; the trace has N or a few fewer\n"
           "                  (default %d; %d .. %u)\n"
           "  --min-size B    smallest size in bytes (default: the pattern's)\n"
           "  --max-size B    largest size in bytes (default: the pattern's),\n"
           "                  at most %" PRIu64 ". Given one of the two, the other keeps\n"
           "                  its default unless that would put them out of order;\n"
           "                  then it follows.\n"
           "  --seed S        seed of the generator, 0 .. 2^64-1 (default %d)\n"
           "  --live N        scaling only: blocks live in the steady phase\n"
           "                  (default ops / 4; ops must be at least 2 * N + 2)\n"
           "  -o, --output FILE  write to FILE instead of standard output\n"
           "  --list          print the pattern names, one per line\n"
           "  -h, --help      print this help\n"
           "\n"
           "Patterns (default sizes in bytes):\n",
           DEFAULT_OPS, MIN_OPS, MAX_OPS, MAX_SIZE, DEFAULT_SEED);
    for (size_t i = 0; i < PATTERNS; i++) {
        const struct pattern *p = &patterns[i];
        printf("  %-16s %s\n  %-16s %s (default %" PRIu64, p->name, p->purpose, "", p->sizes,
               p->min_size);
        if (p->min_size != p->max_size)
            printf(" .. %" PRIu64, p->max_size);
        printf(")\n");
    }
    printf("\n"
           "Exit status: 0 written; 1 the output could not be written; 2 usage error\n"
           "(unknown pattern or option, bad number, --min-size above --max-size).\n");
}

/* A decimal number in [min, max], digits only (no sign, no spaces). */
static uint64_t parse_number(const char *option, const char *text, uint64_t min, uint64_t max)
{
    uint64_t value = 0;
    if (*text == '\0')
        usage_error("%s: a number is missing", option);
    for (const char *c = text; *c != '\0'; c++) {
        if (*c < '0' || *c > '9')
            usage_error("%s: '%s' is not a number", option, text);
        unsigned digit = (unsigned)(*c - '0');
        if (value > (UINT64_MAX - digit) / 10)
            usage_error("%s: %s is out of range (%" PRIu64 " .. %" PRIu64 ")", option, text,
                        min, max);
        value = value * 10 + digit;
    }
    if (value < min || value > max)
        usage_error("%s: %s is out of range (%" PRIu64 " .. %" PRIu64 ")", option, text, min,
                    max);
    return value;
}

static const struct pattern *find_pattern(const char *name)
{
    for (size_t i = 0; i < PATTERNS; i++)
        if (strcmp(patterns[i].name, name) == 0)
            return &patterns[i];
    usage_error("unknown pattern '%s' (dmm-gen --list names them)", name);
}

/* The value of an option: after '=' in the same argument, or the next one. */
static const char *option_value(int argc, char **argv, int *i, const char *inline_value)
{
    if (inline_value != NULL)
        return inline_value;
    if (*i + 1 >= argc)
        usage_error("%s needs a value", argv[*i]);
    return argv[++*i];
}

static int same_option(const char *arg, size_t name_length, const char *name)
{
    return strlen(name) == name_length && strncmp(arg, name, name_length) == 0;
}

/* Reads the command line into *set; returns the pattern and the output path
 * (NULL: standard output). */
static const struct pattern *parse_command_line(int argc, char **argv, struct settings *set,
                                                const char **output)
{
    const char *pattern_name = NULL;
    int have_min = 0, have_max = 0, have_live = 0;
    *set = (struct settings){.ops = DEFAULT_OPS, .seed = DEFAULT_SEED};
    *output = NULL;
    for (int i = 1; i < argc; i++) {
        const char *arg = argv[i];
        if (arg[0] != '-' || strcmp(arg, "-") == 0) {
            if (pattern_name != NULL)
                usage_error("one pattern only: '%s' and '%s'", pattern_name, arg);
            pattern_name = arg;
            continue;
        }
        const char *equals = strchr(arg, '=');
        size_t name_length = equals != NULL ? (size_t)(equals - arg) : strlen(arg);
        const char *inline_value = equals != NULL ? equals + 1 : NULL;
        if (inline_value == NULL && (strcmp(arg, "-h") == 0 || strcmp(arg, "--help") == 0)) {
            print_help();
            exit(0);
        } else if (inline_value == NULL && strcmp(arg, "--list") == 0) {
            for (size_t p = 0; p < PATTERNS; p++)
                printf("%s\n", patterns[p].name);
            exit(0);
        } else if (same_option(arg, name_length, "--ops")) {
            set->ops = parse_number("--ops", option_value(argc, argv, &i, inline_value),
                                    MIN_OPS, MAX_OPS);
        } else if (same_option(arg, name_length, "--min-size")) {
            set->min_size = parse_number("--min-size",
                                         option_value(argc, argv, &i, inline_value), 0, MAX_SIZE);
            have_min = 1;
        } else if (same_option(arg, name_length, "--max-size")) {
            set->max_size = parse_number("--max-size",
                                         option_value(argc, argv, &i, inline_value), 0, MAX_SIZE);
            have_max = 1;
        } else if (same_option(arg, name_length, "--seed")) {
            set->seed = parse_number("--seed", option_value(argc, argv, &i, inline_value), 0,
                                     UINT64_MAX);
        } else if (same_option(arg, name_length, "--live")) {
            set->live = parse_number("--live", option_value(argc, argv, &i, inline_value), 1,
                                     MAX_OPS);
            have_live = 1;
        } else if (same_option(arg, name_length, "-o") ||
                   same_option(arg, name_length, "--output")) {
            *output = option_value(argc, argv, &i, inline_value);
        } else {
            usage_error("unknown option '%s'", arg);
        }
    }
    if (pattern_name == NULL)
        usage_error("no pattern given (dmm-gen --list names them)");
    const struct pattern *pattern = find_pattern(pattern_name);

    if (have_min && have_max && set->min_size > set->max_size)
        usage_error("--min-size %" PRIu64 " is above --max-size %" PRIu64, set->min_size,
                    set->max_size);
    if (!have_min)
        set->min_size = have_max && set->max_size < pattern->min_size ? set->max_size
                                                                      : pattern->min_size;
    if (!have_max)
        set->max_size = have_min && set->min_size > pattern->max_size ? set->min_size
                                                                      : pattern->max_size;
    if (pattern->generate == first_fit_worst && set->min_size >= set->max_size)
        usage_error("first-fit-worst: the requests (--max-size %" PRIu64 ") must be larger "
                    "than the holes (--min-size %" PRIu64 ")",
                    set->max_size, set->min_size);

    if (pattern->generate != scaling) {
        if (have_live)
            usage_error("--live applies only to the scaling pattern");
    } else {
        if (!have_live)
            set->live = set->ops / 4;
        if (set->ops < 2 * set->live + 2)
            usage_error("scaling: --ops %" PRIu64 " is too small for --live %" PRIu64
                        " (at least %" PRIu64 ": N mallocs, a free+malloc pair, N frees)",
                        set->ops, set->live, 2 * set->live + 2);
    }
    return pattern;
}

/* ---- running a pattern --------------------------------------------------- */

static void run(const struct pattern *pattern, const struct settings *set, FILE *out,
                struct gen *g)
{
    *g = (struct gen){.set = *set, .out = out, .random_state = set->seed};
    pattern->generate(g);
    if (g->live_blocks != 0 || g->ops > set->ops) {
        fprintf(stderr, "dmm-gen: %s: internal error: %" PRIu64 " ops, %" PRIu64 " live\n",
                pattern->name, g->ops, g->live_blocks);
        abort();
    }
}

static void print_header(FILE *out, const struct pattern *pattern, const struct settings *set,
                         const struct gen *counted)
{
    fprintf(out, "# Made by: dmm-gen %s --ops %" PRIu64 " --min-size %" PRIu64
                 " --max-size %" PRIu64 " --seed %" PRIu64,
            pattern->name, set->ops, set->min_size, set->max_size, set->seed);
    if (pattern->generate == scaling)
        fprintf(out, " --live %" PRIu64, set->live);
    fprintf(out, "\n# Purpose: %s\n", pattern->purpose);
    fprintf(out, "# Ops: %" PRIu64 " (%" PRIu64 " malloc, %" PRIu64 " calloc, %" PRIu64
                 " realloc, %" PRIu64 " free)\n",
            counted->ops, counted->malloc_ops, counted->calloc_ops, counted->realloc_ops,
            counted->free_ops);
    fprintf(out, "# Blocks: %" PRIu64 "; peak live %" PRIu64 " bytes; %" PRIu64
                 " bytes asked for in all\n",
            counted->next_id, counted->peak_live_bytes, counted->total_bytes);
    fprintf(out, "# Sizes: %s\n#\n# How it is built:\n#   ", pattern->sizes);
    for (const char *c = pattern->how; *c != '\0'; c++) {
        fputc(*c, out);
        if (*c == '\n')
            fputs("#   ", out);
    }
    fputs("\n\n", out);
}

int main(int argc, char **argv)
{
    struct settings set;
    const char *output;
    const struct pattern *pattern = parse_command_line(argc, argv, &set, &output);

    struct gen counted, written;
    run(pattern, &set, NULL, &counted);

    int to_file = output != NULL && strcmp(output, "-") != 0;
    FILE *out = to_file ? fopen(output, "w") : stdout;
    if (out == NULL)
        fail("cannot write '%s': %s", output, strerror(errno));
    print_header(out, pattern, &set, &counted);
    run(pattern, &set, out, &written);
    if (written.ops != counted.ops || written.next_id != counted.next_id) {
        fprintf(stderr, "dmm-gen: internal error: the two runs of %s differ\n", pattern->name);
        abort();
    }
    int write_failed = ferror(out) != 0;
    if ((to_file ? fclose(out) : fflush(out)) != 0)
        write_failed = 1;
    if (write_failed)
        fail("cannot write '%s': %s", to_file ? output : "standard output", strerror(errno));
    return 0;
}
