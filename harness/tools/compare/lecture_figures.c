/*
 * lecture_figures.c — the figures the lecture's table is judged on, taken
 * from the measurements of one allocator: system calls per call on the
 * small-chunk traces, the medians of time, utilization and footprint over
 * sets of traces (small-chunk, large-chunk, reuse-heavy), the growth of the
 * search steps along the scaling series (the small-chunk ones judged, the
 * large-chunk one only reported), and the fixed series' mean against the
 * worst call. docs/lecture-table.md defines each figure; lecture_table.c
 * holds the rules that compare them with their thresholds.
 *
 * Only pairs that replayed correctly count: a failed, crashed or timed-out
 * pair is not a measurement. A figure with nothing to measure is NAN.
 */
#include "lecture_figures.h"

#include "measure.h"

#include <math.h>
#include <string.h>

static int result_ok(const struct replay_result *result)
{
    return result != NULL && result->status == REPLAY_OK;
}

/* ---- the measurement helpers everyone can call ---------------------------- */

static uint64_t add_saturating(uint64_t a, uint64_t b)
{
    return a > UINT64_MAX - b ? UINT64_MAX : a + b;
}

uint64_t lecture_total_requested(const struct trace *trace)
{
    uint64_t total = 0;
    for (size_t i = 0; i < trace->op_count; i++) {
        const struct trace_op *op = &trace->ops[i];
        uint64_t bytes = 0;
        if (op->kind == 'a' || op->kind == 'r') {
            bytes = op->size;
        } else if (op->kind == 'c') {
            /* calloc of an overflowing product fails; it still asked for it */
            bytes = op->nmemb != 0 && op->size > UINT64_MAX / op->nmemb
                        ? UINT64_MAX
                        : (uint64_t)op->nmemb * op->size;
        }
        total = add_saturating(total, bytes);
    }
    return total;
}

double lecture_slope(const double *x, const double *y, size_t n)
{
    double sum_x = 0, sum_y = 0;
    for (size_t i = 0; i < n; i++) {
        if (!(x[i] > 0) || !(y[i] > -1))
            return NAN;
        sum_x += log(x[i]);
        sum_y += log(y[i] + 1);
    }
    if (n < 2)
        return NAN;
    double mean_x = sum_x / (double)n, mean_y = sum_y / (double)n;
    double covariance = 0, variance = 0;
    for (size_t i = 0; i < n; i++) {
        double dx = log(x[i]) - mean_x;
        covariance += dx * (log(y[i] + 1) - mean_y);
        variance += dx * dx;
    }
    /* all x alike: no line can be fitted. 1e-12 is far below the spread of
     * any two distinct x (log(N+1) - log(N) > 1e-12 for N < 1e11). */
    if (variance < 1e-12)
        return NAN;
    return covariance / variance;
}

/* ---- one allocator's figures ---------------------------------------------- */

static int is_run_of(const struct lecture_run *run, const char *name)
{
    return run->allocator != NULL && strcmp(run->allocator, name) == 0 && result_ok(run->result);
}

static int is_point_of(const struct lecture_point *point, const char *name)
{
    return point->allocator != NULL && point->series != NULL && point->live_blocks > 0 &&
           strcmp(point->allocator, name) == 0 && result_ok(point->result);
}

/* Reuse-heavy: the trace frees enough that at most half of what it asks
 * for is ever live at once, so an allocator that reuses freed memory needs
 * clearly less than everything requested. */
static int is_reuse_heavy(const struct lecture_run *run)
{
    return run->total_requested > 0 &&
           (double)run->result->peak_live_bytes <= LECTURE_REUSE_LIVE * (double)run->total_requested;
}

/* The runs a median is taken over. */
enum run_set { SMALL_RUNS, LARGE_RUNS, REUSE_HEAVY_RUNS };

static int in_set(const struct lecture_run *run, enum run_set set)
{
    switch (set) {
    case SMALL_RUNS:
        return !run->is_large;
    case LARGE_RUNS:
        return run->is_large;
    case REUSE_HEAVY_RUNS:
        return is_reuse_heavy(run);
    }
    return 0;
}

/* The figures medians are taken of; NAN leaves a run out. */

/* Time per op for the size qualifier: the cold replay's (a fresh process,
 * first touches included), where a large chunk costs every allocator its
 * page faults, as the lecture's "Good for large" assumes; steady state
 * when there is no cold figure; NAN when not timed. */
static double timed_ns(const struct lecture_run *run)
{
    if (run->result->cold_ns_per_op > 0)
        return run->result->cold_ns_per_op;
    return run->result->ns_per_op > 0 ? run->result->ns_per_op : NAN; /* 0: no timing run */
}

/* A malloc's or a free's time from the per-call timing runs; 0: not timed
 * (or no such call in the trace). */
static double malloc_ns(const struct lecture_run *run)
{
    return run->result->malloc_ns > 0 ? run->result->malloc_ns : NAN;
}

static double free_ns(const struct lecture_run *run)
{
    return run->result->free_ns > 0 ? run->result->free_ns : NAN;
}

static double utilization(const struct lecture_run *run)
{
    return run->result->peak_footprint_bytes > 0 ? run->result->utilization : NAN;
}

static double footprint_to_requested(const struct lecture_run *run)
{
    return lecture_ratio((double)run->result->peak_footprint_bytes, (double)run->total_requested);
}

/* The median of figure over name's runs in set; *count gets how many there
 * were. scratch holds at least run_count doubles. */
static double median_of_runs(const struct lecture_measurements *m, const char *name,
                             enum run_set set, double (*figure)(const struct lecture_run *),
                             double *scratch, size_t *count)
{
    size_t n = 0;
    for (size_t i = 0; i < m->run_count; i++) {
        if (!is_run_of(&m->runs[i], name) || !in_set(&m->runs[i], set))
            continue;
        double value = figure(&m->runs[i]);
        if (!isnan(value))
            scratch[n++] = value;
    }
    if (count != NULL)
        *count = n;
    return measure_median(scratch, n);
}

/* The figures from the traces. */
static void measure_traces(const struct lecture_measurements *m, const char *name,
                           struct lecture_measured *out, double *scratch)
{
    struct lecture_figures *f = &out->figures;
    uint64_t mallocs = 0, frees = 0, grow_calls = 0, munmaps = 0;
    f->mapped_fraction = NAN;
    for (size_t i = 0; i < m->run_count; i++) {
        const struct lecture_run *run = &m->runs[i];
        if (!is_run_of(run, name))
            continue;
        const struct replay_result *r = run->result;
        if (!run->is_large) {
            mallocs += r->malloc_ops + r->calloc_ops + r->realloc_ops;
            frees += r->free_ops;
            grow_calls += r->brk_calls + r->mmap_calls;
            munmaps += r->munmap_calls;
        }
        if (r->peak_footprint_bytes > 0) {
            double mapped = (double)r->peak_mapped_bytes / (double)r->peak_footprint_bytes;
            if (isnan(f->mapped_fraction) || mapped < f->mapped_fraction)
                f->mapped_fraction = mapped;
        }
    }
    f->syscalls_per_malloc = lecture_ratio((double)grow_calls, (double)mallocs);
    f->munmaps_per_free = lecture_ratio((double)munmaps, (double)frees);

    out->small_ns = median_of_runs(m, name, SMALL_RUNS, timed_ns, scratch, NULL);
    out->large_ns = median_of_runs(m, name, LARGE_RUNS, timed_ns, scratch, NULL);
    out->malloc_ns = median_of_runs(m, name, SMALL_RUNS, malloc_ns, scratch, NULL);
    out->free_ns = median_of_runs(m, name, SMALL_RUNS, free_ns, scratch, NULL);
    out->small_utilization = median_of_runs(m, name, SMALL_RUNS, utilization, scratch, NULL);
    out->large_utilization = median_of_runs(m, name, LARGE_RUNS, utilization, scratch, NULL);
    f->reuse_footprint = median_of_runs(m, name, REUSE_HEAVY_RUNS, footprint_to_requested, scratch,
                                        &f->reuse_traces);
    f->reuse_utilization = median_of_runs(m, name, REUSE_HEAVY_RUNS, utilization, scratch, NULL);
    f->reuse_worst_utilization = NAN;
    for (size_t i = 0; i < m->run_count; i++) {
        const struct lecture_run *run = &m->runs[i];
        if (!is_run_of(run, name) || !in_set(run, REUSE_HEAVY_RUNS))
            continue;
        double u = utilization(run);
        if (!isnan(u) && (isnan(f->reuse_worst_utilization) || u < f->reuse_worst_utilization))
            f->reuse_worst_utilization = u;
    }
}

/* The series the growth rule reads: small chunks, as the lecture's table
 * measures them. The large-chunk series (LECTURE_LARGE_SERIES) shows bins'
 * final bin searched linearly, the lecture's "could be bad for large
 * chunks", a remark beside its table and not a verdict in it: it is
 * measured (large_malloc_growth, in the why) but never judged. */
int lecture_judged_series(const char *series)
{
    static const char *const judged[] = {"random", "worst", "fixed"};
    for (size_t i = 0; series != NULL && i < sizeof judged / sizeof judged[0]; i++)
        if (strcmp(series, judged[i]) == 0)
            return 1;
    return 0;
}

/* Whether series is one measure_growth reads: the judged ones, or the
 * large-chunk series alone. */
static int in_series_set(const char *series, int large_only)
{
    return large_only ? strcmp(series, LECTURE_LARGE_SERIES) == 0 : lecture_judged_series(series);
}

/* The fastest growth of malloc's (for_free 0) or free's step counts, mean
 * and worst call, over the judged series (large_only 0) or the large-chunk
 * series (1). scratch holds 3 * point_count doubles. */
static struct lecture_growth measure_growth(const struct lecture_measurements *m,
                                            const char *name, int for_free, int large_only,
                                            double *scratch)
{
    struct lecture_growth best = {NAN, "", ""};
    double *x = scratch, *mean = scratch + m->point_count, *worst = scratch + 2 * m->point_count;
    for (size_t i = 0; i < m->point_count; i++) {
        const struct lecture_point *first = &m->points[i];
        if (!is_point_of(first, name) || !in_series_set(first->series, large_only))
            continue;
        int seen = 0; /* each series once: at its first point */
        for (size_t j = 0; j < i && !seen; j++)
            seen = is_point_of(&m->points[j], name) && strcmp(m->points[j].series, first->series) == 0;
        if (seen)
            continue;
        size_t n = 0;
        for (size_t j = i; j < m->point_count; j++) {
            const struct lecture_point *p = &m->points[j];
            if (!is_point_of(p, name) || strcmp(p->series, first->series) != 0)
                continue;
            x[n] = (double)p->live_blocks;
            mean[n] = for_free ? p->result->steps_per_free : p->result->steps_per_malloc;
            worst[n] = (double)(for_free ? p->result->max_steps_free : p->result->max_steps_malloc);
            n++;
        }
        double slopes[2] = {lecture_slope(x, mean, n), lecture_slope(x, worst, n)};
        for (int k = 0; k < 2; k++) {
            if (!isnan(slopes[k]) && (isnan(best.slope) || slopes[k] > best.slope))
                best = (struct lecture_growth){slopes[k], first->series,
                                               k == 0 ? "mean" : "worst-call"};
        }
    }
    return best;
}

/* "Could be OK": the mean steps per malloc at the fixed series' largest N,
 * against the worst single malloc of any judged series at that same N. */
static void measure_fixed(const struct lecture_measurements *m, const char *name,
                          struct lecture_measured *out)
{
    const struct lecture_point *fixed = NULL;
    for (size_t i = 0; i < m->point_count; i++) {
        const struct lecture_point *p = &m->points[i];
        if (is_point_of(p, name) && strcmp(p->series, "fixed") == 0 &&
            (fixed == NULL || p->live_blocks > fixed->live_blocks))
            fixed = p;
    }
    out->figures.fixed_to_worst = NAN;
    if (fixed == NULL)
        return;
    uint64_t worst = 0;
    for (size_t i = 0; i < m->point_count; i++) {
        const struct lecture_point *p = &m->points[i];
        if (is_point_of(p, name) && lecture_judged_series(p->series) &&
            p->live_blocks == fixed->live_blocks && p->result->max_steps_malloc > worst)
            worst = p->result->max_steps_malloc;
    }
    out->fixed_live = fixed->live_blocks;
    out->fixed_mean = fixed->result->steps_per_malloc;
    out->worst_call = worst;
    out->figures.fixed_to_worst = lecture_ratio(out->fixed_mean, (double)worst);
}


/* ---- for lecture_judge ------------------------------------------------------- */

size_t lecture_scratch_count(const struct lecture_measurements *m)
{
    /* measure_traces: one per run; measure_growth: three per point */
    size_t most = m->run_count > 3 * m->point_count ? m->run_count : 3 * m->point_count;
    return most + 1;
}

void lecture_measure(const struct lecture_measurements *m, const char *allocator,
                     struct lecture_measured *out, double *scratch)
{
    measure_traces(m, allocator, out, scratch);
    out->malloc_growth = measure_growth(m, allocator, 0, 0, scratch);
    out->free_growth = measure_growth(m, allocator, 1, 0, scratch);
    out->figures.large_malloc_growth = measure_growth(m, allocator, 0, 1, scratch).slope;
    out->figures.malloc_growth = out->malloc_growth.slope;
    out->figures.free_growth = out->free_growth.slope;
    measure_fixed(m, allocator, out);
}
