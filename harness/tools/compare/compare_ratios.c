/*
 * compare_ratios.c — every allocator against glibc's malloc, measured in the
 * same run: ratios-to-glibc.csv, and the summary compare prints.
 *
 * Per trace: time ratio = ns_per_op / glibc's ns_per_op, both steady state
 * (below 1: faster than glibc); utilization ratio = utilization / glibc's (1 or more: at
 * least as good). Per allocator: the geometric mean and the worst of the
 * time ratios, and the lowest utilization ratio, over the traces both
 * replayed correctly. Nothing is printed when glibc's baseline was not run.
 */
#define _POSIX_C_SOURCE 200809L

#include "compare.h"

#include <math.h>
#include <stdio.h>
#include <string.h>

#define RATIOS_FILE "ratios-to-glibc.csv"

/* The index of glibc's baseline among the allocators, or -1. */
static long glibc_index(const struct compare *c)
{
    for (size_t a = 0; a < c->allocator_count; a++)
        if (strcmp(c->asked[a], "glibc") == 0)
            return (long)a;
    return -1;
}

static int comparable(const struct replay_result *r, const struct replay_result *glibc)
{
    return r->status == REPLAY_OK && glibc->status == REPLAY_OK && r->ns_per_op > 0.0 &&
           glibc->ns_per_op > 0.0 && glibc->utilization > 0.0;
}

int compare_write_ratios(struct compare *c, FILE *summary)
{
    long g = glibc_index(c);
    if (g < 0)
        return 0;
    FILE *out = compare_create(c, RATIOS_FILE);
    if (out == NULL)
        return -1;
    fprintf(out, "allocator,trace,time_ratio,utilization_ratio\n");
    if (summary != NULL)
        fprintf(summary, "\nEvery allocator against glibc's malloc, in this run (time: steady "
                         "state, the median of %u samples after a cold replay, below 1 is "
                         "faster; utilization: 1 or more is as good):\n\n%-12s %16s %16s "
                         "%20s\n",
                c->repeat, "allocator", "time (geomean)", "time (worst)", "utilization (worst)");
    for (size_t a = 0; a < c->allocator_count; a++) {
        double log_sum = 0.0, worst_time = 0.0, worst_utilization = INFINITY;
        size_t count = 0;
        for (size_t t = 0; t < c->trace_count; t++) {
            const struct replay_result *r = &compare_pair(c, a, t)->result;
            const struct replay_result *base = &compare_pair(c, (size_t)g, t)->result;
            if (!comparable(r, base))
                continue;
            double time = r->ns_per_op / base->ns_per_op;
            double utilization = r->utilization / base->utilization;
            fprintf(out, "%s,%s,%.4f,%.4f\n", c->names[a], c->traces[t].name, time, utilization);
            log_sum += log(time);
            worst_time = time > worst_time ? time : worst_time;
            worst_utilization = utilization < worst_utilization ? utilization : worst_utilization;
            count++;
        }
        if (summary != NULL && count > 0)
            fprintf(summary, "%-12s %15.2fx %15.2fx %19.2fx\n", c->names[a],
                    exp(log_sum / (double)count), worst_time, worst_utilization);
    }
    return compare_close(c, out, RATIOS_FILE);
}
