/*
 * lecture_figures.h — inside dmm_lecture_table, between its two halves:
 * lecture_figures.c takes one allocator's figures from the measurements,
 * lecture_table.c turns them into the lecture's words. Not an interface:
 * users of the table include lecture_table.h only.
 */
#ifndef DMM_LECTURE_FIGURES_H
#define DMM_LECTURE_FIGURES_H

#include "lecture_table.h"

#include <math.h>
#include <stddef.h>
#include <stdint.h>

/* Where the fastest growth of a step count was found, for the "why". */
struct lecture_growth {
    double slope;        /* NAN: no series with two points */
    const char *series;  /* "random", "worst" or "fixed"; "" with no slope */
    const char *measure; /* "mean" or "worst-call" */
};

/* Everything the rules and their reasons need about one allocator. */
struct lecture_measured {
    struct lecture_figures figures;
    struct lecture_growth malloc_growth, free_growth;
    double small_ns, large_ns;                     /* medians of cold ns per op (timed_ns) */
    double malloc_ns, free_ns;                     /* medians of a malloc's and a free's time,
                                                      small-chunk traces (per-call runs) */
    double small_utilization, large_utilization;   /* medians */
    uint64_t fixed_live;                           /* N of the fixed point compared */
    double fixed_mean;                             /* its mean steps per malloc */
    uint64_t worst_call;                           /* the worst malloc at that N */
};

/* a / b, NAN when b is 0 (nothing to divide by: not measured). */
static inline double lecture_ratio(double a, double b)
{
    return b != 0 ? a / b : NAN;
}

/* How many doubles lecture_measure's scratch must hold for m. */
size_t lecture_scratch_count(const struct lecture_measurements *m);

/* allocator's figures from m's runs and points that replayed correctly:
 * every field of *out but figures.ratio_small, ratio_large,
 * malloc_call_ratio and free_call_ratio, which need every allocator's time
 * (lecture_judge divides by the median allocator's). */
void lecture_measure(const struct lecture_measurements *m, const char *allocator,
                     struct lecture_measured *out, double *scratch);

#endif /* DMM_LECTURE_FIGURES_H */
