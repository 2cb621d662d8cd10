/*
 * demo.c — the lecture's demo sequence on one allocator, step by step.
 *
 * Built once per allocator (dmm-demo-NAME); `cmake --build build --target
 * demo` runs them all. After each step it prints the heap map, the chunks
 * of the heap section as the heap checker's walk sees them, one chunk per
 * bracket (the row drawn by describe.c, as dmm-replay --heap-map draws it):
 *
 *     [A 64]    an allocated chunk of 64 bytes (header and footer included)
 *     [F 8128]  a free chunk (for pad: the pad)
 *
 * and at the end what the sequence cost: moves of the break, mappings, and
 * the chunks malloc and free examined.
 */
#include "dmm.h"

#include "describe.h"
#include "lecture_demo.h"

#include <stdio.h>
#include <stdlib.h>

/* A row is cut after this many chunks, with a count of what was left: the
 * step's number and call take 24 columns of the line before it. */
#define MAP_CHUNKS_SHOWN 12

/* Prints the heap map row, or exits when the heap checker finds a broken
 * invariant. */
static void print_heap_map(void)
{
    struct describe_row row;
    describe_row_start(&row, MAP_CHUNKS_SHOWN);
    const char *problem = dmm_check(describe_row_chunk, &row);
    printf("%s\n", describe_row_end(&row));
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
        struct trace_op op = {.kind = step->op, .size = step->units * LECTURE_DEMO_UNIT};
        char name[8], what[40];
        snprintf(name, sizeof name, "p%d", step->id);
        describe_call(what, sizeof what, &op, name, name); /* "p1 = malloc(48)" */
        if (step->op == 'a') {
            p[step->id] = dmm_malloc(op.size);
            if (p[step->id] == NULL) {
                perror("dmm-demo: malloc");
                return EXIT_FAILURE;
            }
        } else {
            dmm_free(p[step->id]);
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
