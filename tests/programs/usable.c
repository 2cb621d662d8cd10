/*
 * usable.c — the preload layer's bookkeeping: malloc_usable_size and the
 * aligned functions, on whichever malloc the process was given.
 *
 *     usable exact|rounded|any
 *
 * For each size of a spread (0 .. 300,000 bytes, beyond every allocator's
 * mapping threshold), malloc, calloc and realloc'ed blocks must have
 * malloc_usable_size >= the request, and every usable byte must be the
 * block's: the whole usable size is written with a pattern and read back
 * after the other blocks were written too. Aligned blocks (memalign,
 * posix_memalign, aligned_alloc at 32 .. 4096) must be aligned, keep their
 * contents through realloc (grown and shrunk), and free correctly, mixed
 * with plain blocks and freed in a shuffled order — in the layer's SIZED
 * mode a plain block is never in its table, an over-aligned one always.
 *
 * The argument says what the layer answers for a plain block:
 *   exact    the size asked for (TABLE and checked modes);
 *   rounded  the allocator's usable size (SIZED mode): >= the request, and
 *            larger for at least one of the sizes (an allocator rounds);
 *   any      only >= (glibc, a baseline).
 * Exit 0 and "usable: N checks, 0 failed"; 1 and a line per failure.
 */
#define _GNU_SOURCE /* memalign, malloc_usable_size */

#include <malloc.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define BLOCKS 600

static int checks, failed;

static void check(int ok, const char *what, size_t size, size_t alignment)
{
    checks++;
    if (!ok) {
        failed++;
        if (failed <= 20)
            fprintf(stderr, "usable: FAILED: %s (size %zu, alignment %zu)\n", what, size, alignment);
    }
}

struct held {
    unsigned char *ptr;
    size_t size;      /* asked for */
    size_t usable;    /* malloc_usable_size when it was filled */
    size_t alignment; /* 0: plain */
    unsigned char tag;
};

static struct held blocks[BLOCKS];
static unsigned long long rng = 88172645463325252ULL;

static unsigned long long next_random(void)
{
    rng ^= rng << 13, rng ^= rng >> 7, rng ^= rng << 17;
    return rng;
}

static size_t some_size(void)
{
    switch (next_random() % 8) {
    case 0: return next_random() % 17;
    case 1: case 2: case 3: return next_random() % 256;
    case 4: case 5: return next_random() % 4096;
    case 6: return next_random() % 40000;
    default: return next_random() % 300000;
    }
}

/* Writes every usable byte of b. */
static void fill(struct held *b)
{
    b->usable = malloc_usable_size(b->ptr);
    b->tag = (unsigned char)(next_random() | 1);
    memset(b->ptr, b->tag, b->usable);
}

/* Every usable byte still holds b's tag. */
static int intact(const struct held *b, size_t bytes)
{
    for (size_t i = 0; i < bytes; i++)
        if (b->ptr[i] != b->tag)
            return 0;
    return 1;
}

static void *aligned(size_t alignment, size_t size, int how)
{
    void *p = NULL;
    switch (how) {
    case 0: return memalign(alignment, size);
    case 1: return posix_memalign(&p, alignment, size) == 0 ? p : NULL;
    default: return aligned_alloc(alignment, size);
    }
}

int main(int argc, char **argv)
{
    const char *expect = argc == 2 ? argv[1] : "";
    int exact = strcmp(expect, "exact") == 0, rounded = strcmp(expect, "rounded") == 0;
    if (!exact && !rounded && strcmp(expect, "any") != 0) {
        fprintf(stderr, "usage: usable exact|rounded|any\n");
        return 2;
    }
    int some_rounded = 0;

    /* Plain blocks of every size class, every way. */
    for (size_t size = 0; size <= 300000; size = size < 64 ? size + 1 : size * 5 / 4) {
        void *p = malloc(size), *c = calloc(1, size);
        check(p != NULL && c != NULL, "malloc/calloc", size, 0);
        if (p == NULL || c == NULL)
            continue;
        size_t up = malloc_usable_size(p), uc = malloc_usable_size(c);
        check(up >= size && uc >= size, "malloc_usable_size >= request", size, 0);
        check(!exact || (up == size && uc == size), "malloc_usable_size == request (exact)", size, 0);
        some_rounded |= up > size;
        check(((uintptr_t)p & 15) == 0, "16-byte aligned", size, 0);
        memset(p, 0xab, up);
        int zero = 1;
        for (size_t i = 0; i < size; i++)
            zero &= ((unsigned char *)c)[i] == 0;
        check(zero, "calloc zeroes", size, 0);
        void *r = realloc(p, size + 100);
        check(r != NULL && malloc_usable_size(r) >= size + 100, "realloc: usable >= request", size, 0);
        int kept = r != NULL;
        for (size_t i = 0; kept && i < size; i++)
            kept = ((unsigned char *)r)[i] == 0xab;
        check(kept, "realloc keeps the contents", size, 0);
        free(r != NULL ? r : p);
        free(c);
    }
    check(!rounded || some_rounded, "some usable size > request (rounded: the allocator answers)", 0, 0);

    /* Aligned blocks, alone. */
    for (size_t alignment = 32; alignment <= 4096; alignment *= 2)
        for (int how = 0; how < 3; how++)
            for (size_t size = 0; size <= 5000; size = size * 3 + 1) {
                unsigned char *p = aligned(alignment, size, how);
                check(p != NULL && ((uintptr_t)p & (alignment - 1)) == 0, "aligned", size, alignment);
                if (p == NULL)
                    continue;
                size_t u = malloc_usable_size(p);
                check(u >= size, "malloc_usable_size >= request (aligned)", size, alignment);
                memset(p, 0x5a, u);
                unsigned char *grown = realloc(p, size * 2 + 64);
                check(grown != NULL, "realloc of an aligned block (grow)", size, alignment);
                if (grown == NULL) {
                    free(p);
                    continue;
                }
                int kept = 1;
                for (size_t i = 0; i < size; i++)
                    kept &= grown[i] == 0x5a;
                check(kept, "realloc (grow) keeps an aligned block's contents", size, alignment);
                check(malloc_usable_size(grown) >= size * 2 + 64, "usable after realloc", size, alignment);
                unsigned char *shrunk = realloc(grown, size / 2 + 1);
                check(shrunk != NULL && (size == 0 || shrunk[0] == 0x5a), "realloc (shrink)", size, alignment);
                free(shrunk != NULL ? shrunk : grown);
            }

    /* Plain and aligned blocks mixed, written whole, freed and reallocated
     * in a random order. */
    for (int round = 0; round < 4; round++) {
        for (int i = 0; i < BLOCKS; i++) {
            struct held *b = &blocks[i];
            if (b->ptr != NULL && next_random() % 3 == 0) {
                check(intact(b, b->usable), "a block's usable bytes are its own", b->size, b->alignment);
                if (next_random() % 2 == 0) {
                    size_t size = some_size();
                    unsigned char *moved = realloc(b->ptr, size);
                    check(moved != NULL || size == 0, "realloc", size, b->alignment);
                    size_t kept = b->size < size ? b->size : size;
                    b->ptr = moved;
                    b->size = size;
                    b->alignment = 0;
                    if (moved != NULL) {
                        check(intact(b, kept), "realloc keeps the contents (mixed)", size, 0);
                        fill(b);
                    }
                } else {
                    free(b->ptr);
                    b->ptr = NULL;
                }
            } else if (b->ptr == NULL) {
                b->size = some_size();
                b->alignment = next_random() % 3 == 0 ? (size_t)32 << (next_random() % 8) : 0;
                b->ptr = b->alignment != 0 ? aligned(b->alignment, b->size, (int)(next_random() % 3))
                                           : malloc(b->size);
                check(b->ptr != NULL, "allocation (mixed)", b->size, b->alignment);
                if (b->ptr == NULL)
                    continue;
                check(((uintptr_t)b->ptr & ((b->alignment ? b->alignment : 16) - 1)) == 0,
                      "aligned (mixed)", b->size, b->alignment);
                fill(b);
                check(b->usable >= b->size, "malloc_usable_size >= request (mixed)", b->size, b->alignment);
            }
        }
    }
    for (int i = 0; i < BLOCKS; i++)
        if (blocks[i].ptr != NULL) {
            check(intact(&blocks[i], blocks[i].usable), "a block's usable bytes are its own (end)",
                  blocks[i].size, blocks[i].alignment);
            free(blocks[i].ptr);
        }

    printf("usable: %d checks, %d failed\n", checks, failed);
    return failed == 0 ? 0 : 1;
}
