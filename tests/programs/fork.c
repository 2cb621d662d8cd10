/*
 * fork.c — fork while another thread is inside malloc, then allocate.
 *
 *     fork [FORKS]    (default 20)
 *
 * The parent fills BLOCKS blocks with patterns and starts a thread that
 * mallocs and frees without pause. It then forks FORKS times: each child,
 * whose copy of the heap was taken while that thread may have been inside
 * the allocator, checks the parent's blocks, frees half of them, allocates
 * and checks BLOCKS new ones, and exits 0 (1 on a broken pattern). Without
 * the preload layer's fork handlers a child can inherit a held lock (it
 * hangs until its 5-second alarm kills it) or a heap in mid-update (it
 * fails or crashes). The parent checks
 * every child's status and its own blocks, and prints a summary that is the
 * same on every run and every allocator. Exit 0 when everything held.
 */
#define _POSIX_C_SOURCE 200809L

#include <pthread.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <sys/wait.h>
#include <unistd.h>

#define BLOCKS 1000

static atomic_int stop;

static unsigned char pattern(size_t block, size_t i)
{
    return (unsigned char)(block * 7u + i * 13u + 1u);
}

static size_t block_size(size_t block)
{
    return 1 + (block * 37) % 3000; /* bytes: varied, deterministic */
}

static unsigned char *make_block(size_t block)
{
    unsigned char *p = malloc(block_size(block));
    if (p != NULL)
        for (size_t i = 0; i < block_size(block); i++)
            p[i] = pattern(block, i);
    return p;
}

static int block_intact(const unsigned char *p, size_t block)
{
    for (size_t i = 0; i < block_size(block); i++)
        if (p[i] != pattern(block, i))
            return 0;
    return 1;
}

/* The last blocks churn allocated: stores the compiler must keep, so it
 * cannot drop a malloc-free pair as unused. */
static unsigned char *volatile churned[2];

static void *churn(void *arg)
{
    (void)arg;
    size_t n = 0;
    while (!atomic_load(&stop)) {
        churned[0] = malloc(16 + n % 4000);
        churned[1] = malloc(n % 200);
        if (churned[0] != NULL)
            churned[0][0] = 1;
        free(churned[0]);
        free(churned[1]);
        n++;
    }
    return NULL;
}

static int child(unsigned char **blocks)
{
    for (size_t b = 0; b < BLOCKS; b++)
        if (!block_intact(blocks[b], b))
            return 1;
    for (size_t b = 0; b < BLOCKS; b += 2)
        free(blocks[b]);
    unsigned char *mine[BLOCKS];
    for (size_t b = 0; b < BLOCKS; b++)
        if ((mine[b] = make_block(BLOCKS + b)) == NULL)
            return 1;
    for (size_t b = 0; b < BLOCKS; b++) {
        if (!block_intact(mine[b], BLOCKS + b))
            return 1;
        free(mine[b]);
    }
    return 0;
}

int main(int argc, char **argv)
{
    int forks = argc > 1 ? atoi(argv[1]) : 20;
    static unsigned char *blocks[BLOCKS];
    for (size_t b = 0; b < BLOCKS; b++)
        if ((blocks[b] = make_block(b)) == NULL) {
            fprintf(stderr, "fork: malloc failed\n");
            return 1;
        }
    pthread_t thread;
    if (pthread_create(&thread, NULL, churn, NULL) != 0) {
        fprintf(stderr, "fork: pthread_create failed\n");
        return 1;
    }
    int good = 0;
    for (int f = 0; f < forks; f++) {
        pid_t pid = fork();
        if (pid < 0) {
            perror("fork");
            return 1;
        }
        if (pid == 0) {
            alarm(5); /* seconds (a child needs milliseconds): a child stuck on an inherited lock dies, and is reported */
            _exit(child(blocks)); /* _exit: the churning thread is not in the child */
        }
        int status;
        if (waitpid(pid, &status, 0) != pid) {
            perror("waitpid");
            return 1;
        }
        if (WIFEXITED(status) && WEXITSTATUS(status) == 0)
            good++;
        else {
            fprintf(stderr, "fork: child %d failed (status 0x%x)\n", f, status);
            break; /* one is enough; the summary shows it */
        }
    }
    atomic_store(&stop, 1);
    pthread_join(thread, NULL);
    int intact = 0;
    for (size_t b = 0; b < BLOCKS; b++) {
        intact += block_intact(blocks[b], b);
        free(blocks[b]);
    }
    printf("forks %d children ok %d parent blocks intact %d of %d\n", forks, good, intact, BLOCKS);
    return good == forks && intact == BLOCKS ? 0 : 1;
}
