/*
 * misuse.c — a program that misuses malloc in one chosen way, for
 * `dmm-run --checked` (tests/programs/checked.sh, docs/preload.md):
 *
 *     misuse MODE
 *
 *   double-free    free(p) twice
 *   invalid-free   free of a pointer malloc never returned (a static)
 *   interior-free  free(p + 8) of a 24-byte block
 *   overflow-N     N = 1, 8 or 64: writes 24 + N bytes into a 24-byte
 *                  block, then frees it
 *   realloc-overflow  writes 8 bytes past a 24-byte block, then reallocs it
 *   clean          every call used right (a block filled to its last byte,
 *                  realloc growing and shrinking, calloc zeroed, fresh
 *                  memory): prints "ok"
 *   memalign       memalign as glibc 2.36 serves it: alignment 0, 1, 24, 48
 *                  and 4096 each give a block aligned to the next power of
 *                  two (at least 16); prints "ok"
 *
 * Each misuse mode must end in SIGABRT after a one-line message naming the
 * block; had the layer missed it, the program prints "missed" and exits 1.
 * Built with -fno-builtin, and every pointer passes through a volatile, so
 * the compiler neither warns about nor removes the misuse.
 */
#define _GNU_SOURCE /* memalign */

#include <malloc.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static char not_from_malloc[64];

/* The compiler cannot see where this pointer came from. */
static void *opaque(void *p)
{
    void *volatile hidden = p;
    return hidden;
}

static int fail(const char *what)
{
    printf("%s\n", what);
    return 1;
}

static int memalign_like_glibc(void)
{
    static const size_t asked[] = {0, 1, 8, 16, 24, 48, 100, 4096};
    static const size_t expected[] = {16, 16, 16, 16, 32, 64, 128, 4096};
    for (size_t i = 0; i < sizeof asked / sizeof asked[0]; i++) {
        char *p = memalign(asked[i], 40);
        if (p == NULL) {
            printf("memalign(%zu, 40) returned NULL\n", asked[i]);
            return 1;
        }
        if ((uintptr_t)p % expected[i] != 0) {
            printf("memalign(%zu, 40) returned %p, not %zu-aligned\n", asked[i], (void *)p,
                   expected[i]);
            return 1;
        }
        memset(p, 'm', 40);
        free(p);
    }
    return fail("ok") - 1;
}

static int clean(void)
{
    char *p = opaque(malloc(24));
    memset(p, 'a', 24); /* to the last byte: no guard touched */
    p = realloc(p, 100);
    for (int i = 0; i < 24; i++)
        if (p[i] != 'a')
            return fail("realloc lost the contents");
    memset(p, 'b', 100);
    p = realloc(p, 10);
    if (p[9] != 'b')
        return fail("realloc (shrinking) lost the contents");
    int *zeros = calloc(16, sizeof *zeros);
    for (int i = 0; i < 16; i++)
        if (zeros[i] != 0)
            return fail("calloc memory is not zero");
    free(zeros);
    free(p);
    free(NULL);
    return fail("ok") - 1;
}

int main(int argc, char **argv)
{
    if (argc != 2)
        return fail("usage: misuse MODE");
    const char *mode = argv[1];
    if (strcmp(mode, "clean") == 0)
        return clean();
    if (strcmp(mode, "memalign") == 0)
        return memalign_like_glibc();
    char *p = opaque(malloc(24));
    if (strcmp(mode, "double-free") == 0) {
        free(p);
        free(opaque(p));
    } else if (strcmp(mode, "invalid-free") == 0) {
        free(opaque(not_from_malloc));
    } else if (strcmp(mode, "interior-free") == 0) {
        free(opaque(p + 8));
    } else if (strncmp(mode, "overflow-", 9) == 0) {
        memset(p, 'A', 24 + (size_t)atoi(mode + 9));
        free(opaque(p));
    } else if (strcmp(mode, "realloc-overflow") == 0) {
        memset(p, 'A', 24 + 8);
        p = realloc(opaque(p), 200);
    } else {
        return fail("unknown mode");
    }
    return fail("missed");
}
