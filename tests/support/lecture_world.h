/*
 * lecture_world.h — synthetic measurements for the tests of the lecture's
 * table (check_lecture_figures.c, check_lecture_table.c): one "world" of
 * runs and scaling points, built by small functions whose numbers are
 * worked out by hand (lecture_world.c says which), then judged by
 * lecture_judge into rows. No allocator runs: these suites link
 * dmm_lecture_table alone.
 */
#ifndef DMM_LECTURE_WORLD_H
#define DMM_LECTURE_WORLD_H

#include "lecture_table.h"

#include <stddef.h>
#include <stdint.h>

#define MAX_RESULTS 96 /* results, runs and points a world holds */
#define MAX_ROWS 8     /* rows lecture_judge may return */

extern struct world {
    struct replay_result results[MAX_RESULTS];
    size_t result_count;
    struct lecture_run runs[MAX_RESULTS];
    size_t run_count;
    struct lecture_point points[MAX_RESULTS];
    size_t point_count;
    struct lecture_row rows[MAX_ROWS];
    int row_count;
} world;

/* The scaling series add_flat_series makes: every series at every count. */
extern const uint64_t live_counts[3];
extern const char *const series_names[3];

/* ---- building a world ------------------------------------------------------ */

void world_reset(void);
struct replay_result *new_result(void);
/* A small-chunk run of a heap allocator that reuses memory; the large-chunk
 * run, 100 times larger; a point of a scaling series, with its mean and
 * worst steps per malloc and per free. */
struct replay_result *add_small(const char *name);
struct replay_result *add_large(const char *name);
struct replay_result *add_point(const char *name, const char *series, uint64_t live,
                                double malloc_mean, uint64_t malloc_worst,
                                double free_mean, uint64_t free_worst);
/* Three flat series; an allocator Good at everything (3 small runs, the
 * large one, the flat series). */
void add_flat_series(const char *name);
void add_good_allocator(const char *name);

/* The results behind run i and point i, to change them. */
struct replay_result *run_result(size_t i);
struct replay_result *point_result(size_t i);

/* change(value) on every small-chunk run of name; the changes. */
void set_small(const char *name, void (*change)(struct replay_result *, double), double value);
void set_grow_calls(struct replay_result *r, double per_malloc);
void set_munmap_calls(struct replay_result *r, double per_free);

/* ---- judging it ------------------------------------------------------------ */

/* lecture_judge on the world, into world.rows (at least one row); the row
 * of one allocator (the test fails without one). */
void judge(void);
const struct lecture_row *row_of(const char *name);
/* "x" as add_good_allocator makes it, change(value) on its small-chunk
 * runs, judged alone: its row. */
const struct lecture_row *judge_changed(void (*change)(struct replay_result *, double),
                                        double value);

#endif /* DMM_LECTURE_WORLD_H */
