/*
 * lecture_world.c — synthetic measurements for the lecture's table (see
 * lecture_world.h): shared by check_lecture_figures.c and check_lecture_table.c.
 */
#include "lecture_world.h"

#include "suite.h" /* require() */

#include <check.h>
#include <string.h>

struct world world;

void world_reset(void)
{
    memset(&world, 0, sizeof world);
}

struct replay_result *new_result(void)
{
    require(world.result_count < MAX_RESULTS, "too many synthetic results");
    struct replay_result *r = &world.results[world.result_count++];
    *r = (struct replay_result){.status = REPLAY_OK};
    return r;
}

/* A small-chunk trace as a heap allocator that reuses memory gives it:
 * 100 mallocs, 100 frees, one brk; 1000 bytes live at the peak of 4000
 * requested (reuse-heavy); footprint 1250 bytes, utilization 0.8; 100 ns/op. */
struct replay_result *add_small(const char *name)
{
    struct replay_result *r = new_result();
    r->ops = 200;
    r->malloc_ops = 100;
    r->free_ops = 100;
    r->brk_calls = 1;
    r->ns_per_op = 100;
    r->peak_live_bytes = 1000;
    r->peak_footprint_bytes = r->peak_heap_bytes = 1250;
    r->utilization = 0.8;
    world.runs[world.run_count++] = (struct lecture_run){name, r, 4000, 0};
    return r;
}

/* The large-chunk trace, scaled up 100 times; 1000 ns/op. */
struct replay_result *add_large(const char *name)
{
    struct replay_result *r = add_small(name);
    r->ns_per_op = 1000;
    r->peak_live_bytes *= 100;
    r->peak_footprint_bytes = r->peak_heap_bytes = 125000;
    world.runs[world.run_count - 1].total_requested = 400000;
    world.runs[world.run_count - 1].is_large = 1;
    return r;
}

struct replay_result *add_point(const char *name, const char *series, uint64_t live,
                                double malloc_mean, uint64_t malloc_worst,
                                double free_mean, uint64_t free_worst)
{
    struct replay_result *r = new_result();
    r->steps_per_malloc = malloc_mean;
    r->max_steps_malloc = malloc_worst;
    r->steps_per_free = free_mean;
    r->max_steps_free = free_worst;
    world.points[world.point_count++] = (struct lecture_point){name, series, live, r};
    return r;
}

const uint64_t live_counts[] = {100, 1000, 10000};
const char *const series_names[] = {"random", "worst", "fixed"};

/* Three series on which no step count grows: bins' shape. */
void add_flat_series(const char *name)
{
    for (size_t s = 0; s < 3; s++)
        for (size_t i = 0; i < 3; i++)
            add_point(name, series_names[s], live_counts[i], 1, 1, 2, 2);
}

void add_good_allocator(const char *name)
{
    for (int i = 0; i < 3; i++)
        add_small(name);
    add_large(name);
    add_flat_series(name);
}

/* The results behind run i and point i, to change them. */
struct replay_result *run_result(size_t i)
{
    return &world.results[world.runs[i].result - world.results];
}

struct replay_result *point_result(size_t i)
{
    return &world.results[world.points[i].result - world.results];
}

void judge(void)
{
    struct lecture_measurements m = {world.runs, world.run_count, world.points, world.point_count};
    world.row_count = lecture_judge(&m, world.rows, MAX_ROWS);
    require(world.row_count > 0, "lecture_judge returned %d", world.row_count);
}

const struct lecture_row *row_of(const char *name)
{
    for (int i = 0; i < world.row_count; i++)
        if (strcmp(world.rows[i].allocator, name) == 0)
            return &world.rows[i];
    ck_abort_msg("no row for %s", name);
    return NULL;
}

/* Every small-chunk run of name (not the large one). */
void set_small(const char *name, void (*change)(struct replay_result *, double), double value)
{
    for (size_t i = 0; i < world.run_count; i++)
        if (strcmp(world.runs[i].allocator, name) == 0 && !world.runs[i].is_large)
            change(run_result(i), value);
}

/* "x" as add_good_allocator makes it, change(value) applied to its
 * small-chunk runs, judged alone: its row. */
const struct lecture_row *judge_changed(void (*change)(struct replay_result *, double),
                                        double value)
{
    world_reset();
    add_good_allocator("x");
    set_small("x", change, value);
    judge();
    return row_of("x");
}

void set_grow_calls(struct replay_result *r, double per_malloc)
{
    r->brk_calls = (uint64_t)(per_malloc * (double)r->malloc_ops + 0.5);
}

void set_munmap_calls(struct replay_result *r, double per_free)
{
    r->munmap_calls = (uint64_t)(per_free * (double)r->free_ops + 0.5);
}