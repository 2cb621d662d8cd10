/*
 * stress.c — many threads, random malloc/free/realloc of 1 B to 64 KiB,
 * blocks freed by a thread other than the one that allocated them.
 *
 *     stress [OPERATIONS [THREADS [SEED]]]   (defaults 2000000, 8, 1)
 *
 * Why: a workload where half the requests are above 32 KiB shows what an
 * allocator's large chunks cost a real program: a mapping per chunk is an
 * mmap, page faults and a munmap (with a TLB shootdown to every core the
 * process runs on) per malloc-free pair (docs/allocators/segregated.md,
 * "Large chunks: the threshold"). It is also a correctness test: the
 * checksum printed is read from the blocks' memory and is the same on every
 * correct allocator (tests/churn.cmake compares it with glibc's).
 *
 * How the output stays the same whatever the interleaving
 *   The threads work in rounds of ROUND_OPERATIONS operations, each on its
 *   own LOCAL_SLOTS slots, choosing with its own seeded generator: an empty
 *   slot gets a malloc, a full one a free or a realloc. At the end of a
 *   round a thread moves up to HANDOFF of its blocks into its outbox; after
 *   a barrier, the next thread (t + 1 mod THREADS) takes them, checks each,
 *   and frees or reallocs it: a cross-thread free. The outboxes alternate
 *   between two sets, so one barrier per round suffices: an outbox written
 *   at the end of round r is read at the start of round r + 1 and written
 *   again at the end of round r + 2, after the barrier closing round r + 1.
 *   Everything a thread does follows from its seed and the blocks it is
 *   handed, which follow from the other threads' seeds: nothing depends on
 *   timing, and the summary printed is the same on every run.
 *
 * Every block is filled with a byte derived from its tag, with the tag in
 * its first and last words; a check reads both words and one byte in every
 * CHECK_STRIDE. The checksum sums what the checks read, per thread, mixed in
 * thread order. Exit status 0 when every check held, 1 otherwise (a message
 * names the block); 2 on bad arguments.
 */
#define _POSIX_C_SOURCE 200809L /* pthread_barrier_t */

#include <errno.h>
#include <pthread.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define MAX_THREADS 64
#define LOCAL_SLOTS 512        /* blocks a thread holds at most */
#define ROUND_OPERATIONS 1000  /* operations between handoffs */
#define HANDOFF 64             /* blocks a thread passes on per round, at most */
#define MAX_SIZE 65536         /* requests are 1..MAX_SIZE bytes */
#define CHECK_STRIDE 512       /* one byte checked in every CHECK_STRIDE */

struct block {
    unsigned char *ptr; /* NULL: an empty slot */
    size_t size;        /* bytes requested */
    uint64_t tag;       /* what the block holds */
};

struct outbox {
    struct block blocks[HANDOFF];
    int count;
};

struct worker {
    pthread_t thread;
    unsigned index;
    uint64_t random;    /* the generator's state */
    struct block local[LOCAL_SLOTS];
    uint64_t checksum;
    long mallocs, reallocs, frees, received, errors;
};

static struct worker *workers;
static struct outbox (*outboxes)[MAX_THREADS]; /* [2][threads] */
static pthread_barrier_t barrier;
static unsigned threads = 8;
static long rounds;

static uint64_t next_random(uint64_t *state) /* splitmix64 */
{
    uint64_t z = (*state += 0x9E3779B97F4A7C15u);
    z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9u;
    z = (z ^ (z >> 27)) * 0x94D049BB133111EBu;
    return z ^ (z >> 31);
}

static size_t random_size(uint64_t *state)
{
    return 1 + (size_t)(next_random(state) % MAX_SIZE);
}

static unsigned char fill_byte(uint64_t tag)
{
    return (unsigned char)(tag * 131u >> 3);
}

/* Fills bytes [from, size) of the block and sets the tag words. */
static void fill(struct block *b, size_t from)
{
    if (from < b->size)
        memset(b->ptr + from, fill_byte(b->tag), b->size - from);
    if (b->size >= 2 * sizeof b->tag) {
        memcpy(b->ptr, &b->tag, sizeof b->tag);
        memcpy(b->ptr + b->size - sizeof b->tag, &b->tag, sizeof b->tag);
    }
}

/* Checks bytes [0, upto) as fill left them (the last word only when
 * upto is the whole block); adds what it read to the checksum. */
static int intact(struct worker *w, const struct block *b, size_t upto, const char *where)
{
    size_t words = b->size >= 2 * sizeof b->tag ? sizeof b->tag : 0;
    uint64_t first = b->tag, last = b->tag;
    if (words && upto >= words)
        memcpy(&first, b->ptr, sizeof first);
    if (words && upto == b->size)
        memcpy(&last, b->ptr + b->size - sizeof last, sizeof last);
    int ok = first == b->tag && last == b->tag;
    unsigned char want = fill_byte(b->tag);
    for (size_t i = words; ok && i + words < upto; i += CHECK_STRIDE) {
        ok = b->ptr[i] == want;
        w->checksum += b->ptr[i];
    }
    if (!ok) {
        fprintf(stderr, "stress: thread %u: %s: block %p of %zu bytes (tag %llx) corrupted\n",
                w->index, where, (void *)b->ptr, b->size, (unsigned long long)b->tag);
        w->errors++;
    }
    w->checksum = w->checksum * 1000003u + first + (last ^ b->size);
    return ok;
}

static void allocate(struct worker *w, struct block *b)
{
    size_t size = random_size(&w->random);
    w->mallocs++;
    b->ptr = malloc(size);
    if (b->ptr == NULL) {
        fprintf(stderr, "stress: thread %u: malloc(%zu) failed\n", w->index, size);
        w->errors++;
        return;
    }
    b->size = size;
    b->tag = next_random(&w->random);
    fill(b, 0);
}

static void release(struct worker *w, struct block *b, const char *where)
{
    intact(w, b, b->size, where);
    w->frees++;
    free(b->ptr);
    b->ptr = NULL;
}

/* The block keeps its first min(old, new) bytes (its first word is
 * compared); the rest is filled. */
static void resize(struct worker *w, struct block *b, const char *where)
{
    size_t size = random_size(&w->random);
    intact(w, b, b->size, where);
    size_t kept = b->size < size ? b->size : size;
    unsigned char head[sizeof b->tag];
    size_t head_bytes = kept < sizeof head ? kept : sizeof head;
    memcpy(head, b->ptr, head_bytes);
    w->reallocs++;
    unsigned char *p = realloc(b->ptr, size);
    if (p == NULL) {
        fprintf(stderr, "stress: thread %u: realloc(%zu) failed\n", w->index, size);
        w->errors++;
        return; /* the old block stands */
    }
    if (memcmp(head, p, head_bytes) != 0) {
        fprintf(stderr, "stress: thread %u: realloc(%zu) to %p lost the block's first bytes\n",
                w->index, size, (void *)p);
        w->errors++;
    }
    w->checksum += head[0];
    *b = (struct block){p, size, b->tag};
    /* Tag words in both: the old last word and the bytes after it change. */
    fill(b, kept >= 2 * sizeof b->tag && size >= 2 * sizeof b->tag ? kept - sizeof b->tag : 0);
}

/* The blocks the previous thread passed on: each one freed, or reallocated
 * and kept in an empty slot of this thread's own. */
static void take_handoff(struct worker *w, struct outbox *from)
{
    for (int i = 0; i < from->count; i++) {
        struct block b = from->blocks[i];
        struct block *slot = &w->local[next_random(&w->random) % LOCAL_SLOTS];
        w->received++;
        if (slot->ptr == NULL) {
            resize(w, &b, "received, before realloc");
            *slot = b;
        } else {
            release(w, &b, "received, before free");
        }
    }
    from->count = 0;
}

static void *work(void *arg)
{
    struct worker *w = arg;
    unsigned previous = (w->index + threads - 1) % threads;
    for (long round = 0; round < rounds; round++) {
        if (round > 0)
            take_handoff(w, &outboxes[(round - 1) % 2][previous]);
        for (int n = 0; n < ROUND_OPERATIONS; n++) {
            uint64_t r = next_random(&w->random);
            struct block *b = &w->local[r % LOCAL_SLOTS];
            if (b->ptr == NULL)
                allocate(w, b);
            else if ((r >> 32) % 2 == 0)
                release(w, b, "before free");
            else
                resize(w, b, "before realloc");
        }
        struct outbox *to = &outboxes[round % 2][w->index];
        for (int i = 0; i < HANDOFF; i++) {
            struct block *b = &w->local[next_random(&w->random) % LOCAL_SLOTS];
            if (b->ptr != NULL) {
                to->blocks[to->count++] = *b;
                b->ptr = NULL;
            }
        }
        pthread_barrier_wait(&barrier);
    }
    return NULL;
}

static long argument(const char *text, long low, long high, const char *what)
{
    char *end;
    errno = 0;
    long value = strtol(text, &end, 10);
    if (errno != 0 || end == text || *end != '\0' || value < low || value > high) {
        fprintf(stderr, "stress: %s must be an integer in %ld..%ld, not '%s'\n", what, low, high,
                text);
        exit(2);
    }
    return value;
}

int main(int argc, char **argv)
{
    long operations = 2000000, seed = 1;
    if (argc > 4) {
        fprintf(stderr, "usage: stress [OPERATIONS [THREADS [SEED]]]\n");
        return 2;
    }
    if (argc > 1)
        operations = argument(argv[1], ROUND_OPERATIONS, 1000000000L, "OPERATIONS");
    if (argc > 2)
        threads = (unsigned)argument(argv[2], 1, MAX_THREADS, "THREADS");
    if (argc > 3)
        seed = argument(argv[3], 0, 1000000000L, "SEED");
    rounds = operations / ((long)threads * ROUND_OPERATIONS);
    if (rounds < 1)
        rounds = 1;
    workers = calloc(threads, sizeof *workers);
    outboxes = calloc(2, sizeof *outboxes);
    if (workers == NULL || outboxes == NULL || pthread_barrier_init(&barrier, NULL, threads)) {
        fprintf(stderr, "stress: out of memory\n");
        return 1;
    }
    for (unsigned i = 0; i < threads; i++) {
        workers[i].index = i;
        workers[i].random = (uint64_t)seed * 0x100000001B3u + i;
        if (pthread_create(&workers[i].thread, NULL, work, &workers[i]) != 0) {
            fprintf(stderr, "stress: pthread_create failed\n");
            return 1;
        }
    }
    for (unsigned i = 0; i < threads; i++)
        pthread_join(workers[i].thread, NULL);
    uint64_t checksum = 0;
    long mallocs = 0, reallocs = 0, frees = 0, received = 0, errors = 0;
    for (unsigned i = 0; i < threads; i++) {
        struct worker *w = &workers[i];
        take_handoff(w, &outboxes[(rounds - 1) % 2][(i + threads - 1) % threads]);
        for (int s = 0; s < LOCAL_SLOTS; s++)
            if (w->local[s].ptr != NULL)
                release(w, &w->local[s], "at the end");
        checksum = checksum * 0x100000001B3u ^ w->checksum;
        mallocs += w->mallocs, reallocs += w->reallocs, frees += w->frees;
        received += w->received, errors += w->errors;
    }
    printf("stress: %u threads, %ld rounds of %d: %ld malloc %ld realloc %ld free, %ld handed "
           "over; checksum %016llx; errors %ld\n", threads, rounds, ROUND_OPERATIONS, mallocs,
           reallocs, frees, received, (unsigned long long)checksum, errors);
    pthread_barrier_destroy(&barrier);
    free(workers);
    free(outboxes);
    return errors == 0 ? 0 : 1;
}
