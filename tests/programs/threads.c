/*
 * threads.c — the preload layer's lock under contention.
 *
 *     threads [ITERATIONS]    (default 20000 per thread)
 *
 * THREADS threads allocate (malloc, calloc, aligned_alloc, posix_memalign),
 * reallocate and free blocks concurrently, and hand blocks to each other
 * through a shared mailbox, so a thread frees blocks another thread
 * allocated. Every block carries a pattern derived from a tag; it is
 * checked before every realloc and free. Each thread's choices come from
 * its own seeded generator, so the summary printed at the end is the same
 * on every run and every allocator, whatever the interleaving; what the
 * interleaving changes (which mailbox slot is full) is not printed.
 * Exit status 0 when every check held, 1 otherwise (with a message).
 */
#define _POSIX_C_SOURCE 200809L /* posix_memalign */

#include <malloc.h>
#include <pthread.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define THREADS 4
#define LOCAL_SLOTS 64     /* blocks a thread holds at once */
#define MAILBOX_SLOTS 256  /* blocks in transit between threads */

struct block {
    unsigned char *ptr; /* NULL: empty */
    size_t size;        /* bytes requested */
    unsigned tag;       /* pattern seed */
};

static struct block mailbox[MAILBOX_SLOTS];
static pthread_mutex_t mailbox_lock = PTHREAD_MUTEX_INITIALIZER;
static long iterations = 20000;

struct counts {
    long allocs, reallocs, frees, sends, receives; /* operations chosen */
    long errors;
};

static uint32_t next_random(uint32_t *state) /* xorshift32 */
{
    uint32_t x = *state;
    x ^= x << 13;
    x ^= x >> 17;
    x ^= x << 5;
    return *state = x;
}

static unsigned char pattern(unsigned tag, size_t i)
{
    return (unsigned char)(tag * 131u + i * 31u);
}

static void fill(struct block *b, size_t from)
{
    for (size_t i = from; i < b->size; i++)
        b->ptr[i] = pattern(b->tag, i);
}

static int intact(const struct block *b, size_t upto, const char *where)
{
    for (size_t i = 0; i < upto; i++)
        if (b->ptr[i] != pattern(b->tag, i)) {
            fprintf(stderr, "threads: %s: block %p size %zu byte %zu corrupted\n", where,
                    (void *)b->ptr, b->size, i);
            return 0;
        }
    return 1;
}

static size_t random_size(uint32_t *seed)
{
    uint32_t r = next_random(seed);
    if (r % 64 == 0)
        return 4096 + r % 65536; /* now and then a large block */
    return r % 2048;             /* mostly small, including 0 */
}

static int allocate(struct block *b, uint32_t *seed, unsigned tag)
{
    size_t size = random_size(seed);
    void *p = NULL;
    size_t alignment = 0;
    switch (next_random(seed) % 4) {
    case 0: p = malloc(size); break;
    case 1:
        p = calloc(1, size);
        for (size_t i = 0; p != NULL && i < size; i++)
            if (((unsigned char *)p)[i] != 0) {
                fprintf(stderr, "threads: calloc(%zu) byte %zu not zero\n", size, i);
                return 0;
            }
        break;
    case 2: alignment = 64; p = aligned_alloc(alignment, size); break;
    case 3:
        alignment = 4096;
        if (posix_memalign(&p, alignment, size) != 0)
            p = NULL;
        break;
    }
    if (p == NULL) {
        fprintf(stderr, "threads: allocation of %zu bytes failed\n", size);
        return 0;
    }
    if (alignment != 0 && (uintptr_t)p % alignment != 0) {
        fprintf(stderr, "threads: %p not aligned to %zu\n", p, alignment);
        return 0;
    }
    if (malloc_usable_size(p) < size) {
        fprintf(stderr, "threads: malloc_usable_size(%p) < %zu\n", p, size);
        return 0;
    }
    *b = (struct block){p, size, tag};
    fill(b, 0);
    return 1;
}

static int release(struct block *b, const char *where)
{
    int ok = intact(b, b->size, where);
    free(b->ptr);
    b->ptr = NULL;
    return ok;
}

static void *worker(void *arg)
{
    unsigned index = (unsigned)(uintptr_t)arg;
    uint32_t seed = 2463534242u + index * 7919u;
    struct block local[LOCAL_SLOTS] = {{0}};
    struct counts *c = calloc(1, sizeof *c);
    if (c == NULL)
        return NULL;
    for (long n = 0; n < iterations && c->errors == 0; n++) {
        struct block *b = &local[next_random(&seed) % LOCAL_SLOTS];
        unsigned tag = (unsigned)(index * 1000003u + (unsigned)n);
        switch (next_random(&seed) % 6) {
        case 0:
        case 1:
            c->allocs++;
            if (b->ptr != NULL && !release(b, "replace"))
                c->errors++;
            if (!allocate(b, &seed, tag))
                c->errors++;
            break;
        case 2: {
            c->reallocs++;
            size_t size = random_size(&seed);
            if (b->ptr == NULL)
                break;
            if (!intact(b, b->size, "before realloc"))
                c->errors++;
            size_t old = b->size;
            unsigned char *p = realloc(b->ptr, size);
            if (p == NULL && size != 0) {
                fprintf(stderr, "threads: realloc to %zu failed\n", size);
                c->errors++;
                break;
            }
            b->ptr = p;
            b->size = size;
            if (p != NULL && !intact(b, old < size ? old : size, "after realloc"))
                c->errors++;
            if (p != NULL)
                fill(b, old < size ? old : size);
            break;
        }
        case 3:
            c->frees++;
            if (b->ptr != NULL && !release(b, "free"))
                c->errors++;
            break;
        case 4: { /* send: the block goes to whoever takes it */
            c->sends++;
            unsigned slot = next_random(&seed) % MAILBOX_SLOTS;
            if (b->ptr == NULL)
                break;
            pthread_mutex_lock(&mailbox_lock);
            if (mailbox[slot].ptr == NULL) {
                mailbox[slot] = *b;
                b->ptr = NULL;
            }
            pthread_mutex_unlock(&mailbox_lock);
            break;
        }
        case 5: { /* receive: free a block some thread allocated */
            c->receives++;
            unsigned slot = next_random(&seed) % MAILBOX_SLOTS;
            struct block taken = {0};
            pthread_mutex_lock(&mailbox_lock);
            taken = mailbox[slot];
            mailbox[slot].ptr = NULL;
            pthread_mutex_unlock(&mailbox_lock);
            if (taken.ptr != NULL && !release(&taken, "received"))
                c->errors++;
            break;
        }
        }
    }
    for (int i = 0; i < LOCAL_SLOTS; i++)
        if (local[i].ptr != NULL && !release(&local[i], "cleanup"))
            c->errors++;
    return c;
}

int main(int argc, char **argv)
{
    if (argc > 1)
        iterations = strtol(argv[1], NULL, 10);
    pthread_t threads[THREADS];
    for (unsigned i = 0; i < THREADS; i++)
        if (pthread_create(&threads[i], NULL, worker, (void *)(uintptr_t)i) != 0) {
            fprintf(stderr, "threads: pthread_create failed\n");
            return 1;
        }
    long errors = 0;
    for (unsigned i = 0; i < THREADS; i++) {
        struct counts *c;
        pthread_join(threads[i], (void **)&c);
        if (c == NULL) {
            fprintf(stderr, "threads: thread %u could not start\n", i);
            return 1;
        }
        printf("thread %u: %ld allocs %ld reallocs %ld frees %ld sends %ld receives\n", i,
               c->allocs, c->reallocs, c->frees, c->sends, c->receives);
        errors += c->errors;
        free(c);
    }
    for (int i = 0; i < MAILBOX_SLOTS; i++)
        if (mailbox[i].ptr != NULL && !release(&mailbox[i], "mailbox"))
            errors++;
    printf("threads %d iterations %ld errors %ld\n", THREADS, iterations, errors);
    return errors == 0 ? 0 : 1;
}
