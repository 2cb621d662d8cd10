/*
 * api.c — the malloc family's C and POSIX rules, as a program sees them.
 *
 * Every check holds on glibc's malloc and must hold on every dmm allocator
 * behind the preload layer: the rules where glibc 2.36 differs from the
 * layer (aligned_alloc and memalign with an alignment that is not a power
 * of two: glibc rounds it up, the layer says EINVAL, as glibc 2.38 does)
 * are left out. Prints one line per group and the number of checks; a
 * failed check is printed and makes the exit status 1.
 */
#define _GNU_SOURCE /* reallocarray, memalign, valloc, pvalloc, malloc_usable_size */

#include <errno.h>
#include <malloc.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

static int checks, failures;

/* Sizes read at run time, so the compiler does not reject the calls that
 * are meant to fail. */
static volatile size_t huge = SIZE_MAX, half = SIZE_MAX / 2;

static void check(int ok, const char *what)
{
    checks++;
    if (!ok) {
        failures++;
        fprintf(stderr, "api: FAILED: %s\n", what);
    }
}

static int aligned_to(const void *p, size_t alignment)
{
    return (uintptr_t)p % alignment == 0;
}

int main(void)
{
    size_t page = (size_t)sysconf(_SC_PAGESIZE);

    /* malloc(0), free(NULL), errno */
    void *a = malloc(0), *b = malloc(0);
    check(a != NULL && b != NULL && a != b, "malloc(0) gives unique pointers");
    free(a);
    free(b);
    errno = 1234;
    free(NULL);
    void *c = malloc(100);
    free(c);
    check(errno == 1234, "free does not change errno");
    errno = 0;
    check(malloc(huge) == NULL && errno == ENOMEM, "malloc(SIZE_MAX): NULL, ENOMEM");
    errno = 0;
    check(malloc(huge - 4096) == NULL && errno == ENOMEM, "malloc(SIZE_MAX - 4096): ENOMEM");
    printf("malloc and free: ok\n");

    /* calloc */
    errno = 0;
    check(calloc(half, 3) == NULL && errno == ENOMEM, "calloc overflow: NULL, ENOMEM");
    for (int round = 0; round < 3; round++) {
        unsigned char *d = malloc(1000);
        check(d != NULL, "malloc(1000)");
        memset(d, 0xab, 1000);
        free(d);
        unsigned char *z = calloc(250, 4);
        int zero = z != NULL;
        for (int i = 0; zero && i < 1000; i++)
            zero = z[i] == 0;
        check(zero, "calloc memory is zero, recycled or not");
        free(z);
    }
    void *z0 = calloc(0, 8);
    check(z0 != NULL, "calloc(0, 8) is like malloc(0)");
    free(z0);
    printf("calloc: ok\n");

    /* realloc, reallocarray */
    unsigned char *r = realloc(NULL, 10);
    check(r != NULL, "realloc(NULL, 10) is malloc");
    memcpy(r, "0123456789", 10);
    errno = 0;
    unsigned char *moved = realloc(r, huge);
    check(moved == NULL && errno == ENOMEM, "realloc too large: NULL, ENOMEM");
    if (moved == NULL)
        check(memcmp(r, "0123456789", 10) == 0, "failed realloc leaves the block intact");
    else
        r = moved;
    r = realloc(r, 100000);
    check(r != NULL && memcmp(r, "0123456789", 10) == 0, "realloc grows and keeps the contents");
    r = realloc(r, 5);
    check(r != NULL && memcmp(r, "01234", 5) == 0, "realloc shrinks and keeps the contents");
    errno = 0;
    moved = reallocarray(r, half, 3);
    check(moved == NULL && errno == ENOMEM, "reallocarray overflow: ENOMEM");
    if (moved == NULL)
        check(memcmp(r, "01234", 5) == 0, "failed reallocarray leaves the block intact");
    else
        r = moved;
    r = reallocarray(r, 4, 8);
    check(r != NULL && memcmp(r, "01234", 5) == 0, "reallocarray(p, 4, 8)");
    free(r);
    printf("realloc and reallocarray: ok\n");

    /* posix_memalign: returned errors, *p untouched on failure */
    void *p = &checks;
    check(posix_memalign(&p, 3 * sizeof(void *), 16) == EINVAL && p == &checks, "posix_memalign(24): EINVAL");
    check(posix_memalign(&p, 4, 16) == EINVAL && p == &checks, "posix_memalign(4): EINVAL");
    check(posix_memalign(&p, huge, 16) == EINVAL && p == &checks, "posix_memalign(-1): EINVAL");
    check(posix_memalign(&p, page, (size_t)0 - page) == ENOMEM && p == &checks, "posix_memalign huge: ENOMEM");
    for (size_t alignment = sizeof(void *); alignment <= 65536; alignment *= 2) {
        void *q = NULL;
        check(posix_memalign(&q, alignment, 100) == 0 && aligned_to(q, alignment), "posix_memalign aligns");
        check(malloc_usable_size(q) >= 100, "malloc_usable_size >= request (aligned)");
        memset(q, 1, 100);
        q = realloc(q, 5000);
        check(q != NULL && ((unsigned char *)q)[99] == 1, "realloc of an aligned block keeps the contents");
        free(q);
    }
    void *q0 = NULL;
    check(posix_memalign(&q0, 64, 0) == 0 && q0 != NULL, "posix_memalign size 0 succeeds");
    free(q0);
    printf("posix_memalign: ok\n");

    /* aligned_alloc, memalign, valloc, pvalloc */
    void *aa = aligned_alloc(256, 1000);
    check(aa != NULL && aligned_to(aa, 256), "aligned_alloc(256, 1000)");
    free(aa);
    errno = 0;
    check(aligned_alloc(64, huge - 100) == NULL && errno == ENOMEM, "aligned_alloc huge: ENOMEM");
    void *m = memalign(4096, 10);
    check(m != NULL && aligned_to(m, 4096), "memalign(4096, 10)");
    free(m);
    void *v = valloc(10);
    check(v != NULL && aligned_to(v, page), "valloc is page-aligned");
    free(v);
    void *pv = pvalloc(10);
    check(pv != NULL && aligned_to(pv, page) && malloc_usable_size(pv) >= page, "pvalloc rounds up to a page");
    memset(pv, 2, page);
    free(pv);
    errno = 0;
    check(pvalloc(huge - 10) == NULL && errno == ENOMEM, "pvalloc huge: ENOMEM");
    printf("aligned_alloc, memalign, valloc, pvalloc: ok\n");

    /* malloc_usable_size */
    check(malloc_usable_size(NULL) == 0, "malloc_usable_size(NULL) is 0");
    for (size_t n = 0; n < 5000; n += 123) {
        void *u = malloc(n);
        check(u != NULL && malloc_usable_size(u) >= n, "malloc_usable_size >= request");
        free(u);
    }
    printf("malloc_usable_size: ok\n");

    printf("%d checks, %d failed\n", checks, failures);
    return failures == 0 ? 0 : 1;
}
