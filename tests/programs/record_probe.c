/*
 * record_probe.c — a program for check_record.c to record: known calls with
 * marker sizes (odd numbers near 1000..5000 that the C library's own start-up
 * is unlikely to ask for), so the test can find them in the trace.
 *
 *     record_probe calls     one of each call, in a fixed order
 *     record_probe threads   4 threads, each THREAD_ROUNDS mallocs of its
 *                            own marker size 4001 + thread, among reallocs,
 *                            callocs and frees
 *     record_probe fork      malloc(2001); a child mallocs 2003 and exits
 *                            with exit(); then malloc(2005)
 *     record_probe exit      malloc(3001), then _exit(0): no destructor runs
 *
 * Exit status 0, or 1 when a call fails. Built with -fno-builtin, so the
 * compiler neither drops a malloc/free pair nor rewrites realloc(NULL, n).
 */
#define _POSIX_C_SOURCE 200809L /* posix_memalign, fork, waitpid */

#include <pthread.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

#define THREADS 4
#define THREAD_ROUNDS 5000 /* mallocs of the marker size per thread */

static int calls(void)
{
    char *p = malloc(1001);
    char *q = calloc(7, 1003);
    if (p == NULL || q == NULL)
        return 1;
    p = realloc(p, 1005);           /* r ID(p) 1005 */
    char *r = realloc(NULL, 1007);  /* r ID 1007, ID not live */
    free(NULL);                     /* f -1 */
    q = realloc(q, 0);              /* frees q: f ID(q) */
    void *aligned = NULL;
    if (p == NULL || r == NULL || q != NULL || posix_memalign(&aligned, 64, 1009) != 0)
        return 1;
    void *also_aligned = aligned_alloc(128, 1024); /* a multiple of 128, as C17 asks */
    if (also_aligned == NULL || (uintptr_t)aligned % 64 != 0 || (uintptr_t)also_aligned % 128 != 0)
        return 1;
    free(also_aligned);
    free(aligned);
    free(r);
    free(p);
    return 0;
}

static void *thread_work(void *arg)
{
    size_t marker = 4001 + (size_t)(uintptr_t)arg;
    void *kept[8] = {0};
    for (unsigned i = 0; i < THREAD_ROUNDS; i++) {
        unsigned slot = i % 8;
        free(kept[slot]);
        kept[slot] = malloc(marker);
        if (kept[slot] == NULL)
            return arg;
        if (i % 3 == 0) {
            void *grown = realloc(kept[slot], marker + 16 * (i % 50));
            if (grown == NULL)
                return arg;
            kept[slot] = grown;
        }
        if (i % 7 == 0)
            free(calloc(1 + i % 5, 24));
        memset(kept[slot], (int)slot, marker);
    }
    for (unsigned slot = 0; slot < 8; slot++)
        free(kept[slot]);
    return NULL;
}

static int threads(void)
{
    pthread_t thread[THREADS];
    for (uintptr_t t = 0; t < THREADS; t++)
        if (pthread_create(&thread[t], NULL, thread_work, (void *)t) != 0)
            return 1;
    int failed = 0;
    for (int t = 0; t < THREADS; t++) {
        void *result;
        pthread_join(thread[t], &result);
        failed |= result != NULL;
    }
    return failed;
}

static int forks(void)
{
    char *before = malloc(2001);
    fflush(stdout);
    pid_t child = fork();
    if (child == 0) {
        char *in_child = malloc(2003);
        free(before);
        free(in_child);
        exit(0); /* exit, not _exit: the recorder's destructor runs in the child too */
    }
    int status;
    if (child < 0 || waitpid(child, &status, 0) != child || status != 0)
        return 1;
    char *after = malloc(2005);
    free(after);
    free(before);
    return 0;
}

int main(int argc, char **argv)
{
    if (argc == 2 && strcmp(argv[1], "calls") == 0)
        return calls();
    if (argc == 2 && strcmp(argv[1], "threads") == 0)
        return threads();
    if (argc == 2 && strcmp(argv[1], "fork") == 0)
        return forks();
    if (argc == 2 && strcmp(argv[1], "exit") == 0) {
        if (malloc(3001) == NULL)
            return 1;
        _exit(0);
    }
    fprintf(stderr, "usage: record_probe calls|threads|fork|exit\n");
    return 2;
}
