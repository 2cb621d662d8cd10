/*
 * gen.h — what the two files of dmm-gen share: one run of a pattern, and
 * the helpers a pattern writes its trace with.
 *
 *   gen.c       the command line, the settings, the random generator,
 *               writing operations, pools of live blocks, main
 *   patterns.c  the patterns and their table
 *
 * A pattern sees only what is declared here: it draws from the run's own
 * random generator (never rand()), spends the budget that gen_spare()
 * reports (gen.c's header comment explains it), writes every line through
 * a gen_op_* helper, and frees every block it allocated.
 */
#ifndef DMM_GEN_H
#define DMM_GEN_H

#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

/* What the command line asked for, with every default filled in. */
struct settings {
    uint64_t ops;                /* operations, at most */
    uint64_t min_size, max_size; /* bytes; what they mean depends on the pattern */
    uint64_t seed;
    uint64_t live;               /* scaling: blocks live in the steady phase; large-holes:
                                    the holes; 0 elsewhere */
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

/* ---- patterns.c ------------------------------------------------------------ */

extern const struct pattern gen_patterns[]; /* in the order --list prints them */
extern const size_t gen_pattern_count;

/* The patterns whose settings the command line checks further. */
void gen_first_fit_worst(struct gen *g);
void gen_scaling(struct gen *g);
void gen_large_holes(struct gen *g);

/* ---- gen.c ----------------------------------------------------------------- */

/* Prints "dmm-gen: " and the message, and exits with status 1. */
_Noreturn void gen_fail(const char *format, ...);

/* Uniform in [0, n), n >= 1; in [low, high]; in [--min-size, --max-size]. */
uint64_t gen_random_below(struct gen *g, uint64_t n);
uint64_t gen_random_between(struct gen *g, uint64_t low, uint64_t high);
uint64_t gen_random_size(struct gen *g);

/* Operations left once the final frees of the live blocks are paid for: a
 * malloc costs 2 of it, a realloc that keeps the block 1, a free 0. */
uint64_t gen_spare(const struct gen *g);

/* Each writes one line of the trace and keeps the counts. */
struct block gen_op_malloc(struct gen *g, uint64_t size);
struct block gen_op_calloc(struct gen *g, uint64_t nmemb, uint64_t size);
struct block gen_op_realloc_new(struct gen *g, uint64_t size);
void gen_op_realloc(struct gen *g, struct block *block, uint64_t size);
void gen_op_free(struct gen *g, struct block block);

void gen_pool_push(struct pool *pool, struct block block);
struct block gen_pool_take_random(struct gen *g, struct pool *pool);
void gen_pool_free_all(struct gen *g, struct pool *pool);

#endif
