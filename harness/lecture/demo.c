/*
 * demo.c — the lecture's demo sequence on one allocator, step by step.
 *
 * Built once per allocator (dmm-demo-NAME); `cmake --build build --target
 * demo` runs them all. After each step it prints the heap as the checker's
 * walk sees it, one chunk per bracket:
 *
 *     [A 64]    an allocated chunk of 64 bytes (header and footer included)
 *     [F 8128]  a free chunk (for pad: the pad)
 *
 * and at the end what the sequence cost: moves of the break, mappings, and
 * the chunks malloc and free examined.
 */
#include "dmm.h"

#include "lecture_demo.h"

#include <stdio.h>
#include <stdlib.h>

/* Sequences longer than this line are cut, with a count of what was left. */
#define MAP_CHUNKS_SHOWN 12

static void print_chunk(const struct dmm_chunk_info *chunk, void *arg)
{
    size_t *chunks = arg;
    if (*chunks < MAP_CHUNKS_SHOWN)
        printf("[%c %zu]", chunk->is_free ? 'F' : 'A', chunk->size);
    ++*chunks;
}

/* Prints the map, or exits when the heap checker finds a broken invariant. */
static void print_heap_map(void)
{
    size_t chunks = 0;
    const char *problem = dmm_check(print_chunk, &chunks);
    if (chunks > MAP_CHUNKS_SHOWN)
        printf(" ... %zu more", chunks - MAP_CHUNKS_SHOWN);
    if (chunks == 0)
        printf("(empty)");
    printf("\n");
    if (problem != NULL) {
        fprintf(stderr, "dmm-demo: %s\n", problem);
        exit(EXIT_FAILURE);
    }
}

int main(void)
{
    void *p[LECTURE_DEMO_IDS + 1] = {0};
    printf("== %s ==\n", dmm_name());
    for (size_t i = 0; i < LECTURE_DEMO_STEPS; i++) {
        const struct lecture_demo_step *step = &lecture_demo[i];
        char what[40];
        if (step->op == 'a') {
            size_t bytes = step->units * LECTURE_DEMO_UNIT;
            p[step->id] = dmm_malloc(bytes);
            if (p[step->id] == NULL) {
                perror("dmm-demo: malloc");
                return EXIT_FAILURE;
            }
            snprintf(what, sizeof what, "p%d = malloc(%zu)", step->id, bytes);
        } else {
            dmm_free(p[step->id]);
            snprintf(what, sizeof what, "free(p%d)", step->id);
        }
        printf("%2zu  %-18s ", i + 1, what);
        print_heap_map();
    }

    struct dmm_stats s;
    dmm_stats(&s);
    printf("    cost: brk %llu, mmap %llu, munmap %llu; malloc steps %llu, free steps %llu; "
           "peak footprint %zu bytes\n\n",
           (unsigned long long)s.brk_calls, (unsigned long long)s.mmap_calls,
           (unsigned long long)s.munmap_calls, (unsigned long long)s.malloc_steps,
           (unsigned long long)s.free_steps, s.peak_footprint_bytes);
    return EXIT_SUCCESS;
}
