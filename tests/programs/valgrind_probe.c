/*
 * valgrind_probe.c — a program built against one dmm allocator, run under
 * valgrind's memcheck by tests/valgrind.cmake (docs/valgrind.md).
 *
 *   valgrind_probe bad     writes one byte past a 20-byte block and leaks
 *                          a 40-byte block: memcheck must report both, at
 *                          the lines marked below, as it would on glibc
 *   valgrind_probe clean   every call of dmm.h, blocks of every size, a
 *                          heap check, a reset with blocks still live, and
 *                          no mistake: memcheck must report nothing
 *
 * The checking script (valgrind_probe.sh) finds the marked lines by their
 * comments, so the file can change without the test changing.
 */
#include "dmm.h"

#include <stdio.h>
#include <string.h>

/* The compiler must not see through the mistakes and drop them. */
static char *volatile kept;

/* The leaked block is not the first of its size: segregated.c's state
 * keeps the end of the run below the first one, which is also where that
 * block starts, and memcheck rightly takes any such word for a pointer to
 * the block ("still reachable"), as it would in a program on glibc. */
static int bad(void)
{
    char *block = dmm_malloc(20);
    char *first = dmm_malloc(40);
    char *leaked = dmm_malloc(40); /* PROBE: LEAKED */
    if (block == NULL || first == NULL || leaked == NULL)
        return 1;
    memset(block, 'x', 20);
    memset(leaked, 'y', 40);
    block[20] = '!'; /* PROBE: OUT OF BOUNDS */
    kept = leaked;
    kept = NULL; /* the only pointer to leaked is gone */
    dmm_free(first);
    dmm_free(block);
    return 0;
}

/* Sizes on both sides of every allocator's thresholds: exact bins, the last
 * bin, gnu's caches and mappings, segregated's classes and mappings. */
static const size_t sizes[] = {0, 1, 16, 20, 48, 100, 1000, 1024, 5000, 70000, 200000, 300000};
enum { SIZES = sizeof sizes / sizeof sizes[0] };

static int clean(void)
{
    char *blocks[SIZES];
    for (int round = 0; round < 2; round++) {
        for (size_t i = 0; i < SIZES; i++) {
            blocks[i] = i % 2 ? dmm_calloc(1, sizes[i]) : dmm_malloc(sizes[i]);
            if (blocks[i] == NULL)
                return 1;
            memset(blocks[i], (int)i, sizes[i]);
        }
        for (size_t i = 0; i < SIZES; i += 2) { /* grow and shrink, in place or moved */
            size_t size = sizes[SIZES - 1 - i];
            char *moved = dmm_realloc(blocks[i], size);
            if (moved == NULL)
                return 1;
            memset(moved, 'r', size);
            blocks[i] = moved;
        }
        const char *problem = dmm_check(NULL, NULL);
        if (problem != NULL) {
            fprintf(stderr, "valgrind_probe: %s\n", problem);
            return 1;
        }
        for (size_t i = 1; i < SIZES; i += 2)
            dmm_free(blocks[i]);
        if (round == 0)
            dmm_reset(); /* with blocks still live: they go with the heap */
    }
    for (size_t i = 0; i < SIZES; i += 2)
        dmm_free(blocks[i]);
    return 0;
}

int main(int argc, char **argv)
{
    if (argc != 2 || (strcmp(argv[1], "bad") != 0 && strcmp(argv[1], "clean") != 0)) {
        fprintf(stderr, "usage: valgrind_probe bad|clean\n");
        return 2;
    }
    return strcmp(argv[1], "bad") == 0 ? bad() : clean();
}
