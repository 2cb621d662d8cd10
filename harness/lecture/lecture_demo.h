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
 *
 * The slides draw the heap filling upward from its start, a hole where p2
 * was, the heap extended for p4 ("DMMgr must extend size of heap"), p2's
 * and p3's chunks merged, p5 placed at p2's old place, and one free chunk
 * at the end. With 16-byte units the first 8 KiB growth step holds the
 * whole sequence, so no allocator extends the heap for p4; the extend
 * variant (LECTURE_DEMO_EXTEND_UNIT) makes p1 + p2 + p3 fill that first
 * step, so the allocators that grow in 8 KiB steps must extend it at p4.
 * docs/demo.md says where each allocator departs from the slides.
 */
#ifndef DMM_LECTURE_DEMO_H
#define DMM_LECTURE_DEMO_H

#include <stddef.h>

#define LECTURE_DEMO_UNIT 16 /* bytes per unit of the slides' sizes */
#define LECTURE_DEMO_IDS 5   /* p1 .. p5 */

/* The extend variant's unit: p1 + p2 + p3 = 8 units = 8000 bytes, which
 * with each allocator's headers and rounding still fits the first 8 KiB
 * growth step (8192 bytes), leaving less than the 6000 bytes p4 asks for. */
#define LECTURE_DEMO_EXTEND_UNIT 1000

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

/* The steps (1-based, as the demo numbers them) at which the slides draw
 * something an allocator may do differently: p2 and p3 placed right after
 * the block before, the hole p2 leaves, the heap extended for p4, p2's and
 * p3's chunks merged, p5 at p2's old place, one free chunk at the end. */
#define LECTURE_DEMO_STEP_P2 2
#define LECTURE_DEMO_STEP_P3 3
#define LECTURE_DEMO_STEP_FREE_P2 4
#define LECTURE_DEMO_STEP_P4 5
#define LECTURE_DEMO_STEP_FREE_P3 6
#define LECTURE_DEMO_STEP_P5 7
#define LECTURE_DEMO_STEP_END 10

#endif /* DMM_LECTURE_DEMO_H */
