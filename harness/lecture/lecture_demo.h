/*
 * lecture_demo.h — the lecture's demo sequence, as data.
 *
 *   p1 = malloc(3); p2 = malloc(1); p3 = malloc(4); free(p2);
 *   p4 = malloc(6); free(p3); p5 = malloc(2); free(p1); free(p4); free(p5);
 *
 * Sizes are in units of LECTURE_DEMO_UNIT bytes so that they stay distinct
 * after rounding to the 16-byte alignment. Used by the demo program and by
 * the behaviour tests; at the end every heap allocator that coalesces holds
 * the whole heap as one free chunk.
 */
#ifndef DMM_LECTURE_DEMO_H
#define DMM_LECTURE_DEMO_H

#include <stddef.h>

#define LECTURE_DEMO_UNIT 16 /* bytes per unit of the slides' sizes */
#define LECTURE_DEMO_IDS 5   /* p1 .. p5 */

struct lecture_demo_step {
    char op;      /* 'a': p[id] = malloc(units * unit); 'f': free(p[id]) */
    int id;       /* 1 .. LECTURE_DEMO_IDS */
    size_t units; /* for 'a' only */
};

static const struct lecture_demo_step lecture_demo[] = {
    {'a', 1, 3}, {'a', 2, 1}, {'a', 3, 4}, {'f', 2, 0}, {'a', 4, 6},
    {'f', 3, 0}, {'a', 5, 2}, {'f', 1, 0}, {'f', 4, 0}, {'f', 5, 0},
};

#define LECTURE_DEMO_STEPS (sizeof lecture_demo / sizeof lecture_demo[0])

#endif /* DMM_LECTURE_DEMO_H */
