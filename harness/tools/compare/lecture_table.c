/*
 * lecture_table.c — the rules that turn measurements into the lecture's
 * words. docs/lecture-table.md states every rule exactly as coded here,
 * with its threshold (lecture_table.h) and the measured margins.
 *
 * The order of the rules, per verdict:
 *   space        1. mapped memory is at least half the peak footprint on
 *                   every trace: "depends on the OS";
 *                2. on the reuse-heavy traces, the peak footprint is most
 *                   of what was ever requested (memory never reused), or
 *                   utilization is below one half: "Bad";  3. "Good".
 *   malloc/free  1. a system call per call, counted on the small-chunk
 *                   traces: "Bad", or "Bad for small chunks, Good for
 *                   large" when the measured time says so;
 *                2. steps grow with the number of live blocks on a scaling
 *                   series: "Bad" (malloc: "(but could be OK)" when the
 *                   average call on the fixed series is far below the
 *                   worst call);  3. "Good".
 * Only the measurements decide; the allocator's name is used to group the
 * rows and, in lecture_matches, to find the lecture's row to compare with.
 */
#include "lecture_table.h"
#include "report.h"

#include <math.h>
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>

/* ---- the lecture's table ------------------------------------------------ */

static const struct lecture_row_text {
    const char *allocator, *space, *malloc_time, *free_time;
} lecture_rows[] = {
    {"minimal", "Bad", "Bad", "Good"},
    {"pad", "Bad", "Good", "Good"},
    {"list", "Good", "Bad (but could be OK)", "Bad"},
    {"dlist", "Good", "Bad (but could be OK)", "Good"},
    {"bins", "Good", "Good", "Good"},
    {"mmap", "depends on the OS", "Bad for small chunks, Good for large",
     "Bad for small chunks, Good for large"},
    /* The lecture's last two designs: glibc's hybrid is Good throughout;
     * segregated metadata has no header overhead and O(1) malloc and free,
     * but no coalescing, so fragmentation may occur. */
    {"gnu", "Good", "Good", "Good"},
    {"segregated", "Good (but fragments)", "Good", "Good"},
};
#define LECTURE_ROWS (sizeof lecture_rows / sizeof lecture_rows[0])

static const char NOT_MEASURED[] = "not measured";
static const char SIZE_QUALIFIED[] = "Bad for small chunks, Good for large";

/* ---- small helpers ------------------------------------------------------- */

static int result_ok(const struct replay_result *result)
{
    return result != NULL && result->status == REPLAY_OK;
}

static int compare_doubles(const void *a, const void *b)
{
    double x = *(const double *)a, y = *(const double *)b;
    return (x > y) - (x < y);
}

/* The median of values[0 .. n) (reordered); NAN when n is 0. */
static double median(double *values, size_t n)
{
    if (n == 0)
        return NAN;
    qsort(values, n, sizeof *values, compare_doubles);
    return n % 2 == 1 ? values[n / 2] : (values[n / 2 - 1] + values[n / 2]) / 2;
}

/* a / b, NAN when b is 0 (nothing to divide by: not measured). */
static double ratio(double a, double b)
{
    return b != 0 ? a / b : NAN;
}

__attribute__((format(printf, 3, 4)))
static void set_text(char *out, size_t size, const char *format, ...)
{
    va_list args;
    va_start(args, format);
    vsnprintf(out, size, format, args);
    va_end(args);
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

/* Where the fastest growth of a step count was found, for the "why". */
struct growth {
    double slope;        /* NAN: no series with two points */
    const char *series;
    const char *measure; /* "mean" or "worst-call" */
};

/* Everything the rules and their reasons need about one allocator. */
struct measured {
    struct lecture_figures figures;
    struct growth malloc_growth, free_growth;
    double small_ns, large_ns;                     /* medians of ns per op */
    double small_utilization, large_utilization;   /* medians */
    uint64_t fixed_live;                           /* N of the fixed point compared */
    double fixed_mean;                             /* its mean steps per malloc */
    uint64_t worst_call;                           /* the worst malloc at that N */
};

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
static double timed_ns(const struct lecture_run *run)
{
    return run->result->ns_per_op > 0 ? run->result->ns_per_op : NAN; /* 0: no timing pass */
}

static double utilization(const struct lecture_run *run)
{
    return run->result->peak_footprint_bytes > 0 ? run->result->utilization : NAN;
}

static double footprint_to_requested(const struct lecture_run *run)
{
    return ratio((double)run->result->peak_footprint_bytes, (double)run->total_requested);
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
    return median(scratch, n);
}

/* The figures from the traces. */
static void measure_traces(const struct lecture_measurements *m, const char *name,
                           struct measured *out, double *scratch)
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
    f->syscalls_per_malloc = ratio((double)grow_calls, (double)mallocs);
    f->munmaps_per_free = ratio((double)munmaps, (double)frees);

    out->small_ns = median_of_runs(m, name, SMALL_RUNS, timed_ns, scratch, NULL);
    out->large_ns = median_of_runs(m, name, LARGE_RUNS, timed_ns, scratch, NULL);
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

/* The fastest growth of malloc's (for_free 0) or free's step counts, mean
 * and worst call, over every series. scratch holds 3 * point_count doubles. */
static struct growth measure_growth(const struct lecture_measurements *m, const char *name,
                                    int for_free, double *scratch)
{
    struct growth best = {NAN, "", ""};
    double *x = scratch, *mean = scratch + m->point_count, *worst = scratch + 2 * m->point_count;
    for (size_t i = 0; i < m->point_count; i++) {
        const struct lecture_point *first = &m->points[i];
        if (!is_point_of(first, name))
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
                best = (struct growth){slopes[k], first->series, k == 0 ? "mean" : "worst-call"};
        }
    }
    return best;
}

/* "Could be OK": the mean steps per malloc at the fixed series' largest N,
 * against the worst single malloc of any series at that same N. */
static void measure_fixed(const struct lecture_measurements *m, const char *name,
                          struct measured *out)
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
        if (is_point_of(p, name) && p->live_blocks == fixed->live_blocks &&
            p->result->max_steps_malloc > worst)
            worst = p->result->max_steps_malloc;
    }
    out->fixed_live = fixed->live_blocks;
    out->fixed_mean = fixed->result->steps_per_malloc;
    out->worst_call = worst;
    out->figures.fixed_to_worst = ratio(out->fixed_mean, (double)worst);
}

/* ---- the verdicts ----------------------------------------------------------- */

static void judge_space(const struct measured *me, struct lecture_row *row)
{
    const struct lecture_figures *f = &me->figures;
    if (f->mapped_fraction >= LECTURE_MAPPED_OS) {
        snprintf(row->space, sizeof row->space, "depends on the OS");
        set_text(row->space_why, sizeof row->space_why,
                 "on every trace %.0f%% or more of the peak footprint is mapped memory: the page "
                 "size decides, and freed memory goes straight back to the OS; utilization %.0f%% "
                 "on small chunks, %.0f%% on large",
                 100 * f->mapped_fraction, 100 * me->small_utilization, 100 * me->large_utilization);
    } else if (f->reuse_traces == 0) {
        snprintf(row->space, sizeof row->space, "%s", NOT_MEASURED);
        set_text(row->space_why, sizeof row->space_why,
                 "no trace replayed whose peak live bytes are at most %.0f%% of the bytes it requests",
                 100 * LECTURE_REUSE_LIVE);
    } else if (f->reuse_footprint >= LECTURE_NO_REUSE) {
        snprintf(row->space, sizeof row->space, "Bad");
        set_text(row->space_why, sizeof row->space_why,
                 "freed memory is never reused: on the %zu reuse-heavy traces the peak footprint is "
                 "%.0f%% of all bytes requested and utilization %.0f%% (medians)",
                 f->reuse_traces, 100 * f->reuse_footprint, 100 * f->reuse_utilization);
    } else if (f->reuse_utilization < LECTURE_UTILIZATION_BAD) {
        snprintf(row->space, sizeof row->space, "Bad");
        set_text(row->space_why, sizeof row->space_why,
                 "utilization %.0f%% on the %zu reuse-heavy traces: most of the footprint is not "
                 "live payload (peak footprint %.0f%% of bytes requested; medians)",
                 100 * f->reuse_utilization, f->reuse_traces, 100 * f->reuse_footprint);
    } else if (f->reuse_worst_utilization < LECTURE_FRAGMENTS) {
        snprintf(row->space, sizeof row->space, "Good (but fragments)");
        set_text(row->space_why, sizeof row->space_why,
                 "freed memory is reused (utilization %.0f%%, the median of %zu reuse-heavy traces), "
                 "but on one of them it falls to %.0f%%: memory freed for one size does not serve "
                 "another (nothing coalesces)",
                 100 * f->reuse_utilization, f->reuse_traces, 100 * f->reuse_worst_utilization);
    } else {
        snprintf(row->space, sizeof row->space, "Good");
        set_text(row->space_why, sizeof row->space_why,
                 "freed memory is reused: on the %zu reuse-heavy traces the peak footprint is %.0f%% "
                 "of all bytes requested and utilization %.0f%% (medians; %.0f%% at worst)",
                 f->reuse_traces, 100 * f->reuse_footprint, 100 * f->reuse_utilization,
                 100 * f->reuse_worst_utilization);
    }
}

/* "12.3x", or "(not measured)": no timing pass, or no such trace. */
static const char *times_text(double value, char *text, size_t size)
{
    if (isnan(value))
        snprintf(text, size, "(not measured)");
    else
        snprintf(text, size, "%.1fx", value);
    return text;
}

/* One time verdict: the system-call rule, then the growth rule. */
static void judge_time(const struct measured *me, int for_free, char *verdict, char *why)
{
    const struct lecture_figures *f = &me->figures;
    double calls = for_free ? f->munmaps_per_free : f->syscalls_per_malloc;
    const struct growth *growth = for_free ? &me->free_growth : &me->malloc_growth;
    const char *call_kind = for_free ? "munmap calls per free" : "brk/mmap calls per malloc";
    const char *op = for_free ? "free" : "malloc";

    if (calls >= LECTURE_SYSCALLS_BAD) {
        char small[32], large[32];
        times_text(f->ratio_small, small, sizeof small);
        times_text(f->ratio_large, large, sizeof large);
        if (f->ratio_small >= LECTURE_SIZE_RATIO && f->ratio_large < LECTURE_SIZE_RATIO) {
            snprintf(verdict, LECTURE_VERDICT_MAX, "%s", SIZE_QUALIFIED);
            set_text(why, LECTURE_WHY_MAX,
                     "%.2f %s on small-chunk traces; ns per op %s the median allocator's on "
                     "small chunks, %s on large: the system call is dear next to a small "
                     "chunk's work, cheap next to a large one's",
                     calls, call_kind, small, large);
        } else if (f->ratio_small >= LECTURE_SIZE_RATIO) {
            snprintf(verdict, LECTURE_VERDICT_MAX, "Bad");
            set_text(why, LECTURE_WHY_MAX,
                     "%.2f %s on small-chunk traces; ns per op %s the median allocator's on "
                     "small chunks and %s on large: dear, and not shown cheap at any size",
                     calls, call_kind, small, large);
        } else {
            snprintf(verdict, LECTURE_VERDICT_MAX, "Bad");
            set_text(why, LECTURE_WHY_MAX,
                     "%.2f %s on small-chunk traces: a system call per %s in the lecture's cost "
                     "model (a real one traps into the kernel each time); measured ns per op "
                     "%s the median allocator's on small chunks",
                     calls, call_kind, op, small);
        }
        return;
    }
    if (growth->slope >= LECTURE_GROWTH_BAD) {
        snprintf(verdict, LECTURE_VERDICT_MAX, "Bad");
        int n = snprintf(why, LECTURE_WHY_MAX,
                         "the search grows with the free list: %s steps per %s grow with live "
                         "blocks, slope %.2f on the %s series",
                         growth->measure, op, growth->slope, growth->series);
        if (!for_free && !isnan(f->fixed_to_worst) && n > 0 && n < LECTURE_WHY_MAX) {
            int could_be_ok = f->fixed_to_worst <= LECTURE_COULD_BE_OK;
            if (could_be_ok)
                snprintf(verdict, LECTURE_VERDICT_MAX, "Bad (but could be OK)");
            snprintf(why + n, (size_t)(LECTURE_WHY_MAX - n),
                     "; %s requests are alike (fixed series, %llu live) a malloc looks at %.1f "
                     "chunks on average, %.2f%% of the worst call's %llu",
                     could_be_ok ? "when" : "even when", (unsigned long long)me->fixed_live,
                     me->fixed_mean, 100 * f->fixed_to_worst,
                     (unsigned long long)me->worst_call);
        }
        return;
    }
    if (isnan(calls) && isnan(growth->slope)) {
        snprintf(verdict, LECTURE_VERDICT_MAX, "%s", NOT_MEASURED);
        set_text(why, LECTURE_WHY_MAX, "no small-chunk trace and no scaling series replayed");
        return;
    }
    char counted[96];
    if (isnan(calls))
        snprintf(counted, sizeof counted, "no small-chunk trace replayed");
    else
        snprintf(counted, sizeof counted, "%.2f %s on small-chunk traces", calls, call_kind);
    snprintf(verdict, LECTURE_VERDICT_MAX, "Good");
    if (isnan(growth->slope))
        set_text(why, LECTURE_WHY_MAX, "%s; no scaling series measured", counted);
    else
        set_text(why, LECTURE_WHY_MAX,
                 "%s; steps per %s do not grow with live blocks (largest slope %.2f, %s on the "
                 "%s series)",
                 counted, op, growth->slope, growth->measure, growth->series);
}

/* ---- lecture_judge ------------------------------------------------------------ */

/* Index of name among rows[0 .. count), or count. */
static size_t find_row(const struct lecture_row *rows, size_t count, const char *name)
{
    size_t i = 0;
    while (i < count && strncmp(rows[i].allocator, name, LECTURE_NAME_MAX) != 0)
        i++;
    return i;
}

static void add_row(struct lecture_row *rows, size_t *count, size_t max_rows, const char *name)
{
    if (name == NULL || *count >= max_rows || find_row(rows, *count, name) < *count)
        return;
    memset(&rows[*count], 0, sizeof rows[*count]);
    snprintf(rows[*count].allocator, LECTURE_NAME_MAX, "%s", name);
    (*count)++;
}

int lecture_judge(const struct lecture_measurements *m, struct lecture_row *rows, size_t max_rows)
{
    size_t count = 0;
    for (size_t i = 0; i < m->run_count; i++)
        add_row(rows, &count, max_rows, m->runs[i].allocator);
    for (size_t i = 0; i < m->point_count; i++)
        add_row(rows, &count, max_rows, m->points[i].allocator);

    size_t scratch_count = m->run_count > 3 * m->point_count ? m->run_count : 3 * m->point_count;
    double *scratch = malloc((scratch_count + 1) * sizeof *scratch);
    struct measured *all = calloc(count + 1, sizeof *all);
    double *pool = malloc((count + 1) * sizeof *pool);
    if (scratch == NULL || all == NULL || pool == NULL) {
        free(scratch);
        free(all);
        free(pool);
        return -1;
    }
    for (size_t a = 0; a < count; a++) {
        const char *name = rows[a].allocator;
        measure_traces(m, name, &all[a], scratch);
        all[a].malloc_growth = measure_growth(m, name, 0, scratch);
        all[a].free_growth = measure_growth(m, name, 1, scratch);
        all[a].figures.malloc_growth = all[a].malloc_growth.slope;
        all[a].figures.free_growth = all[a].free_growth.slope;
        measure_fixed(m, name, &all[a]);
    }

    /* The median allocator's time, small chunks then large, that each
     * allocator's own is divided by. */
    double median_small, median_large;
    size_t n = 0;
    for (size_t a = 0; a < count; a++)
        if (!isnan(all[a].small_ns))
            pool[n++] = all[a].small_ns;
    median_small = median(pool, n);
    n = 0;
    for (size_t a = 0; a < count; a++)
        if (!isnan(all[a].large_ns))
            pool[n++] = all[a].large_ns;
    median_large = median(pool, n);

    for (size_t a = 0; a < count; a++) {
        all[a].figures.ratio_small = ratio(all[a].small_ns, median_small);
        all[a].figures.ratio_large = ratio(all[a].large_ns, median_large);
        rows[a].figures = all[a].figures;
        judge_space(&all[a], &rows[a]);
        judge_time(&all[a], 0, rows[a].malloc_time, rows[a].malloc_why);
        judge_time(&all[a], 1, rows[a].free_time, rows[a].free_why);
    }
    free(scratch);
    free(all);
    free(pool);
    return (int)count;
}

/* ---- the lecture's rows ------------------------------------------------------- */

int lecture_expected(const char *allocator, const char **space, const char **malloc_time,
                     const char **free_time)
{
    for (size_t i = 0; allocator != NULL && i < LECTURE_ROWS; i++) {
        if (strcmp(lecture_rows[i].allocator, allocator) == 0) {
            *space = lecture_rows[i].space;
            *malloc_time = lecture_rows[i].malloc_time;
            *free_time = lecture_rows[i].free_time;
            return 0;
        }
    }
    return -1;
}

int lecture_matches(const char *allocator, const struct lecture_row *row)
{
    const char *space, *malloc_time, *free_time;
    if (lecture_expected(allocator, &space, &malloc_time, &free_time) != 0)
        return -1;
    return strcmp(row->space, space) == 0 && strcmp(row->malloc_time, malloc_time) == 0 &&
           strcmp(row->free_time, free_time) == 0;
}

/* ---- the writers ---------------------------------------------------------------- */

/* One field (report.h quotes it), then the separator. */
static void csv_field(FILE *out, const char *text, char after)
{
    report_csv_text(out, text);
    fputc(after, out);
}

int lecture_write_csv(FILE *out, const struct lecture_row *rows, size_t count)
{
    fputs("allocator,space,malloc_time,free_time,space_why,malloc_why,free_why\n", out);
    for (size_t i = 0; i < count; i++) {
        const struct lecture_row *r = &rows[i];
        const char *fields[] = {r->allocator, r->space,     r->malloc_time, r->free_time,
                                r->space_why, r->malloc_why, r->free_why};
        size_t field_count = sizeof fields / sizeof fields[0];
        for (size_t f = 0; f < field_count; f++)
            csv_field(out, fields[f], f + 1 < field_count ? ',' : '\n');
    }
    return ferror(out) ? -1 : 0;
}

static size_t max_size(size_t a, size_t b)
{
    return a > b ? a : b;
}

#define MARK " *" /* after a measured verdict that is not the lecture's */

int lecture_print_table(FILE *out, const struct lecture_row *rows, size_t count, int show_why)
{
    static const char *const headers[3] = {"space", "malloc time", "free time"};
    size_t name_width = strlen("allocator"), width[3];
    for (int c = 0; c < 3; c++)
        width[c] = strlen(headers[c]);
    for (size_t i = 0; i < count; i++) {
        const char *expected[3] = {"", "", ""};
        const char *measured[3] = {rows[i].space, rows[i].malloc_time, rows[i].free_time};
        lecture_expected(rows[i].allocator, &expected[0], &expected[1], &expected[2]);
        name_width = max_size(name_width, strlen(rows[i].allocator));
        for (int c = 0; c < 3; c++)
            width[c] = max_size(width[c], max_size(strlen(measured[c]), strlen(expected[c])));
    }
    int differs = 0;
    fprintf(out, "%-*s  %-8s  %-*s  %-*s  %s\n", (int)name_width, "allocator", "", (int)width[0] + 2,
            headers[0], (int)width[1] + 2, headers[1], headers[2]);
    for (size_t i = 0; i < count; i++) {
        const char *expected[3];
        const char *measured[3] = {rows[i].space, rows[i].malloc_time, rows[i].free_time};
        int known = lecture_expected(rows[i].allocator, &expected[0], &expected[1], &expected[2]) == 0;
        fprintf(out, "%-*s  %-8s", (int)name_width, rows[i].allocator, "measured");
        for (int c = 0; c < 3; c++) {
            int mark = known && strcmp(measured[c], expected[c]) != 0;
            differs |= mark;
            int pad = c < 2 ? (int)(width[c] - strlen(measured[c]) + 2) : 0; /* none at line end */
            fprintf(out, "  %s%-*s", measured[c], pad, mark ? MARK : "");
        }
        fprintf(out, "\n%-*s  %-8s", (int)name_width, "", "lecture");
        if (!known)
            fputs("  (the lecture has no row for it)", out);
        for (int c = 0; known && c < 3; c++)
            fprintf(out, "  %-*s", c < 2 ? (int)width[c] + 2 : 0, expected[c]);
        fputc('\n', out);
    }
    if (differs)
        fputs("*: the measured verdict is not the lecture's\n", out);
    for (size_t i = 0; show_why && i < count; i++)
        fprintf(out, "%s%s\n  space:  %s\n  malloc: %s\n  free:   %s\n", i == 0 ? "\nWhy:\n" : "",
                rows[i].allocator, rows[i].space_why, rows[i].malloc_why, rows[i].free_why);
    return ferror(out) ? -1 : 0;
}
