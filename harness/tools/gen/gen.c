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
 *   most --ops operations: gen_spare() is what is left once the final frees of
 *   the live blocks are paid for, a malloc costs 2 of it (itself and its
 *   free), a realloc that keeps the block 1, a free 0. A pattern stops when
 *   its next step does not fit, so a trace has --ops operations or a few
 *   fewer.
 *
 * The patterns themselves, and their table, are in patterns.c; gen.h
 * declares what the two files share.
 *
 * Exit status: 0 written; 1 the output could not be written (or no memory);
 * 2 usage error (unknown pattern or option, bad number, sizes out of order).
 */
#include "gen.h"

#include "describe.h"
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

_Static_assert(MAX_OPS < TRACE_MAX_ID, "every block's ID must fit the parser's range");
_Static_assert(3 * MAX_SIZE < TRACE_MAX_SIZE, "coalesce's refills must fit the parser's range");

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

_Noreturn void gen_fail(const char *format, ...)
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
uint64_t gen_random_below(struct gen *g, uint64_t n)
{
    uint64_t reject_below = (UINT64_MAX - n + 1) % n;
    uint64_t x;
    do
        x = random_next(g);
    while (x < reject_below);
    return x % n;
}

uint64_t gen_random_between(struct gen *g, uint64_t low, uint64_t high)
{
    return low + gen_random_below(g, high - low + 1);
}

uint64_t gen_random_size(struct gen *g)
{
    return gen_random_between(g, g->set.min_size, g->set.max_size);
}

/* ---- writing operations -------------------------------------------------- */

uint64_t gen_spare(const struct gen *g)
{
    return g->set.ops - g->ops - g->live_blocks;
}

/* Writes one op as a line of dmm's trace format (describe.h words it) and
 * counts it. */
static void emit(struct gen *g, char kind, uint64_t id, uint64_t nmemb, uint64_t size)
{
    uint64_t *kind_ops = kind == 'a' ? &g->malloc_ops
                       : kind == 'c' ? &g->calloc_ops
                       : kind == 'r' ? &g->realloc_ops
                                     : &g->free_ops;
    ++*kind_ops;
    g->ops++;
    if (g->out == NULL)
        return;
    struct trace_op op = {.kind = kind, .size = (size_t)size, .nmemb = (size_t)nmemb};
    char line[96];
    describe_trace_line(line, sizeof line, &op, (long long)id);
    fputs(line, g->out);
    fputc('\n', g->out);
}

static void count_live(struct gen *g, uint64_t old_size, uint64_t new_size)
{
    g->live_bytes = g->live_bytes - old_size + new_size;
    if (g->live_bytes > g->peak_live_bytes)
        g->peak_live_bytes = g->live_bytes;
    g->total_bytes += new_size;
}

/* Every new block gets an ID of its own (a, c, or r of a NULL pointer);
 * its line is written. */
static struct block new_block(struct gen *g, char kind, uint64_t nmemb, uint64_t size)
{
    struct block block = {g->next_id++, kind == 'c' ? nmemb * size : size};
    g->live_blocks++;
    count_live(g, 0, block.size);
    emit(g, kind, block.id, nmemb, size);
    return block;
}

struct block gen_op_malloc(struct gen *g, uint64_t size)
{
    return new_block(g, 'a', 0, size);
}

struct block gen_op_calloc(struct gen *g, uint64_t nmemb, uint64_t size)
{
    return new_block(g, 'c', nmemb, size);
}

/* realloc(NULL, size): a new block, as code that starts from a NULL
 * pointer and only ever calls realloc does. */
struct block gen_op_realloc_new(struct gen *g, uint64_t size)
{
    return new_block(g, 'r', 0, size);
}

/* size 0 frees the block (dmm.h: realloc(p, 0) frees p). */
void gen_op_realloc(struct gen *g, struct block *block, uint64_t size)
{
    emit(g, 'r', block->id, 0, size);
    count_live(g, block->size, size);
    if (size == 0)
        g->live_blocks--;
    block->size = size;
}

void gen_op_free(struct gen *g, struct block block)
{
    emit(g, 'f', block.id, 0, 0);
    g->live_blocks--;
    g->live_bytes -= block.size;
}

/* ---- pools of live blocks ------------------------------------------------ */

void gen_pool_push(struct pool *pool, struct block block)
{
    if (pool->count == pool->capacity) {
        size_t capacity = pool->capacity == 0 ? 64 : 2 * pool->capacity;
        struct block *blocks = realloc(pool->blocks, capacity * sizeof *blocks);
        if (blocks == NULL)
            gen_fail("out of memory holding %zu live blocks", pool->count);
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

struct block gen_pool_take_random(struct gen *g, struct pool *pool)
{
    return pool_take(pool, (size_t)gen_random_below(g, pool->count));
}

/* Frees every block, oldest first, and releases the pool. */
void gen_pool_free_all(struct gen *g, struct pool *pool)
{
    for (size_t i = 0; i < pool->count; i++)
        gen_op_free(g, pool->blocks[i]);
    free(pool->blocks);
    *pool = (struct pool){0};
}


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
           "  --live N        scaling: blocks live in the steady phase (default\n"
           "                  ops / 4; ops must be at least 2 * N + 2); large-holes:\n"
           "                  the holes (default ops / 8; ops at least 4 * N + 2)\n"
           "  -o, --output FILE  write to FILE instead of standard output\n"
           "  --list          print the pattern names, one per line\n"
           "  -h, --help      print this help\n"
           "\n"
           "Patterns (default sizes in bytes):\n",
           DEFAULT_OPS, MIN_OPS, MAX_OPS, MAX_SIZE, DEFAULT_SEED);
    for (size_t i = 0; i < gen_pattern_count; i++) {
        const struct pattern *p = &gen_patterns[i];
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
    for (size_t i = 0; i < gen_pattern_count; i++)
        if (strcmp(gen_patterns[i].name, name) == 0)
            return &gen_patterns[i];
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
            for (size_t p = 0; p < gen_pattern_count; p++)
                printf("%s\n", gen_patterns[p].name);
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
    if (pattern->generate == gen_first_fit_worst && set->min_size >= set->max_size)
        usage_error("first-fit-worst: the requests (--max-size %" PRIu64 ") must be larger "
                    "than the holes (--min-size %" PRIu64 ")",
                    set->max_size, set->min_size);

    if (pattern->generate == gen_scaling) {
        if (!have_live)
            set->live = set->ops / 4;
        if (set->ops < 2 * set->live + 2)
            usage_error("scaling: --ops %" PRIu64 " is too small for --live %" PRIu64
                        " (at least %" PRIu64 ": N mallocs, a free+malloc pair, N frees)",
                        set->ops, set->live, 2 * set->live + 2);
    } else if (pattern->generate == gen_large_holes) {
        if (!have_live)
            set->live = set->ops / 8; /* half the operations make holes, half request */
        if (set->ops < 4 * set->live + 2)
            usage_error("large-holes: --ops %" PRIu64 " is too small for --live %" PRIu64
                        " (at least %" PRIu64 ": N holes and N guards, allocated and freed, "
                        "and one request)",
                        set->ops, set->live, 4 * set->live + 2);
    } else if (have_live) {
        usage_error("--live applies only to the scaling and large-holes patterns");
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
    if (pattern->generate == gen_scaling || pattern->generate == gen_large_holes)
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
        gen_fail("cannot write '%s': %s", output, strerror(errno));
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
        gen_fail("cannot write '%s': %s", to_file ? output : "standard output", strerror(errno));
    return 0;
}
