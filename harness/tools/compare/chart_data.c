/*
 * chart_data.c — the tables the charts read (compare.h,
 * compare_write_chart_data): one figure per pair in wide tables, for
 * grouped bars and grids, and per allocator the median, lowest and highest
 * over the traces, for one bar per allocator with whiskers.
 *
 *   time-wide.csv, cold-wide.csv, utilization-wide.csv   trace,ALLOC1,ALLOC2,...
 *   time-summary.csv, space-summary.csv                  a row per allocator
 *   time-traces.csv                                      a row per timed pair
 *
 * The time tables leave out the traces too short to time (charts.h says
 * where the cut is and why); results.csv and utilization keep them. Every
 * median is measure_median's.
 */
#include "compare.h"

#include "charts.h"
#include "measure.h"
#include "report.h"

#include <stdio.h>
#include <stdlib.h>

/* 1 when the trace is long enough for its ns/op to be a time result
 * (charts.h): the time charts draw only these. */
static int long_enough(const struct compare *c, size_t trace)
{
    return c->traces[trace].op_count >= CHARTS_MIN_TIMED_OPS;
}

/* What a wide table holds: one figure per pair. */
enum wide_figure {
    WIDE_TIME,        /* ns_per_op: steady state */
    WIDE_COLD,        /* cold_ns_per_op: the first replay of a fresh process */
    WIDE_UTILIZATION, /* utilization in % */
};

/* The figure of the pair (allocator a, trace t), when it has one: the
 * times only for a timed pair of a trace long enough to time (charts.h),
 * utilization (in %) for every pair that passed. */
static int figure_of(const struct compare *c, size_t a, size_t t, enum wide_figure figure,
                     double *value)
{
    const struct replay_result *r = &compare_pair(c, a, t)->result;
    if (figure == WIDE_UTILIZATION) {
        *value = 100.0 * r->utilization;
        return r->status == REPLAY_OK;
    }
    *value = figure == WIDE_TIME ? r->ns_per_op : r->cold_ns_per_op;
    return long_enough(c, t) && compare_timed(c, r);
}

/* trace,ALLOC1,ALLOC2,...: one figure per pair, for grouped bars; the
 * time tables only have the traces long enough to time. */
static int write_wide(struct compare *c, const char *relative, enum wide_figure figure)
{
    FILE *out = compare_create(c, relative);
    if (out == NULL)
        return -1;
    fputs("trace", out);
    for (size_t a = 0; a < c->allocator_count; a++) {
        fputc(',', out);
        report_csv_text(out, c->names[a]);
    }
    fputc('\n', out);
    for (size_t t = 0; t < c->trace_count; t++) {
        if (figure != WIDE_UTILIZATION && !long_enough(c, t))
            continue;
        report_csv_text(out, c->traces[t].name);
        for (size_t a = 0; a < c->allocator_count; a++) {
            double value;
            fputc(',', out);
            if (figure_of(c, a, t, figure, &value))
                fprintf(out, figure == WIDE_UTILIZATION ? "%.2f" : "%.3f", value);
        }
        fputc('\n', out);
    }
    return compare_close(c, out, relative);
}

/* Writes ",median,lowest,highest" of allocator a's figure over the traces
 * that have one (values: room for every trace), or ",,," when none does;
 * returns how many did. */
static size_t write_spread(FILE *out, const struct compare *c, size_t a,
                           enum wide_figure figure, double *values)
{
    size_t n = 0;
    for (size_t t = 0; t < c->trace_count; t++)
        n += (size_t)figure_of(c, a, t, figure, &values[n]);
    double middle = measure_median(values, n); /* sorts: lowest first */
    if (n == 0)
        fputs(",,,", out);
    else
        fprintf(out, ",%.3f,%.3f,%.3f", middle, values[0], values[n - 1]);
    return n;
}

/* "ALLOCATOR,BASELINE,TRACES" of a summary row: TRACES is how many traces
 * have the figure. */
static void write_summary_start(FILE *out, const struct compare *c, size_t a,
                                enum wide_figure figure)
{
    size_t n = 0;
    int baseline = 0;
    for (size_t t = 0; t < c->trace_count; t++) {
        double value;
        baseline |= compare_pair(c, a, t)->result.is_baseline;
        n += (size_t)figure_of(c, a, t, figure, &value);
    }
    report_csv_text(out, c->names[a]);
    fprintf(out, ",%d,%zu", baseline, n);
}

/* A summary file: per allocator, the median, lowest and highest of each
 * figure over the traces (the same traces for every figure of a row). */
static int write_summary(struct compare *c, const char *relative, const char *header,
                         const enum wide_figure *figures, size_t figure_count, int min_ops)
{
    FILE *out = compare_create(c, relative);
    if (out == NULL)
        return -1;
    double *values = calloc(c->trace_count + 1, sizeof *values);
    if (values == NULL) {
        fclose(out);
        return -1;
    }
    fputs(header, out);
    for (size_t a = 0; a < c->allocator_count; a++) {
        write_summary_start(out, c, a, figures[0]);
        for (size_t f = 0; f < figure_count; f++)
            write_spread(out, c, a, figures[f], values);
        if (min_ops)
            fprintf(out, ",%d", CHARTS_MIN_TIMED_OPS);
        fputc('\n', out);
    }
    free(values);
    return compare_close(c, out, relative);
}

/* time-summary.csv: allocator,baseline,traces,steady_median,steady_low,
 * steady_high,cold_median,cold_low,cold_high,min_ops: for each allocator,
 * ns per operation over the traces long enough to time (min_ops operations
 * or more, charts.h): the median trace, the fastest and the slowest. One
 * bar per allocator answers "which is fast?" at a glance; time-traces.csv
 * keeps the detail. */
static int write_time_summary(struct compare *c)
{
    static const enum wide_figure figures[] = {WIDE_TIME, WIDE_COLD};
    return write_summary(c, "time-summary.csv",
                         "allocator,baseline,traces,steady_median,steady_low,steady_high,"
                         "cold_median,cold_low,cold_high,min_ops\n",
                         figures, 2, 1);
}

/* space-summary.csv: allocator,baseline,traces,utilization_median,
 * utilization_low,utilization_high: for each allocator, utilization in %
 * over every trace it passed (utilization needs no clock, so the short
 * traces count too): the median trace, the worst and the best. */
static int write_space_summary(struct compare *c)
{
    static const enum wide_figure figures[] = {WIDE_UTILIZATION};
    return write_summary(c, "space-summary.csv",
                         "allocator,baseline,traces,utilization_median,utilization_low,"
                         "utilization_high\n",
                         figures, 1, 0);
}

/* time-traces.csv: trace,allocator,trace_index,allocator_index,ns_per_op,
 * ratio: one row per timed pair of a trace long enough to time, with the
 * pair's steady-state ns/op divided by the median over the allocators on
 * that trace (1: typical; 10: ten times slower than the median): the
 * cells of time.gp's allocator x trace grid. Indices count from 0 in
 * report order, so that the grid needs no lookup. */
static int write_time_traces(struct compare *c)
{
    FILE *out = compare_create(c, "time-traces.csv");
    if (out == NULL)
        return -1;
    double *values = calloc(c->allocator_count + 1, sizeof *values);
    if (values == NULL) {
        fclose(out);
        return -1;
    }
    fputs("trace,allocator,trace_index,allocator_index,ns_per_op,ratio\n", out);
    size_t row = 0;
    for (size_t t = 0; t < c->trace_count; t++) {
        if (!long_enough(c, t))
            continue;
        size_t n = 0;
        for (size_t a = 0; a < c->allocator_count; a++)
            if (compare_timed(c, &compare_pair(c, a, t)->result))
                values[n++] = compare_pair(c, a, t)->result.ns_per_op;
        double middle = measure_median(values, n);
        if (n == 0 || !(middle > 0))
            continue;
        for (size_t a = 0; a < c->allocator_count; a++) {
            const struct replay_result *r = &compare_pair(c, a, t)->result;
            if (!compare_timed(c, r))
                continue;
            report_csv_text(out, c->traces[t].name);
            fputc(',', out);
            report_csv_text(out, c->names[a]);
            fprintf(out, ",%zu,%zu,%.3f,%.4f\n", row, a, r->ns_per_op, r->ns_per_op / middle);
        }
        row++;
    }
    free(values);
    return compare_close(c, out, "time-traces.csv");
}

int compare_write_chart_data(struct compare *c)
{
    int failed = write_wide(c, "time-wide.csv", WIDE_TIME) != 0;
    failed |= write_wide(c, "cold-wide.csv", WIDE_COLD) != 0;
    failed |= write_time_summary(c) != 0;
    failed |= write_time_traces(c) != 0;
    failed |= write_space_summary(c) != 0;
    failed |= write_wide(c, "utilization-wide.csv", WIDE_UTILIZATION) != 0;
    return failed ? -1 : 0;
}
