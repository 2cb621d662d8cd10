/*
 * score.c — one trace's index and a student's overall index (grade.h), the
 * CMU Malloc Lab driver's perf index: part utilization, part throughput.
 *
 * The rules (docs/grading.md says the same to the instructor):
 *
 *   Scored traces are those with weight w_i > 0; W = sum of their weights.
 *   A weight-0 trace is replayed and reported, never scored.
 *   A trace is correct when its replay's status is REPLAY_OK.
 *
 *   utilization  U = sum(w_i * util_i) / W over the scored traces,
 *                    util_i = the replay's peak live / peak footprint, 0 when failed.
 *   throughput   over the scored traces the student got right (the CMU
 *                driver's aggregate: total operations over total time, not a
 *                mean of per-trace rates, so that a long trace weighs more):
 *       time costs:   T = sum(w_i * ops_i) / sum(w_i * secs_i) / 1000 Kops/s,
 *                     secs_i = ns_per_op_i * ops_i / 1e9 (steady state)
 *         COST_RELATIVE:     ratio = T / the reference's T over the same traces
 *         COST_FIXED:        ratio = T / reference_kops
 *       COST_INSTRUCTIONS: T = sum(w_i * instr_i) / sum(w_i * ops_i) instructions
 *                     per operation, instr_i = instr_per_op_i * ops_i; lower is
 *                     better, so ratio = the reference's T / the student's T.
 *   thru  = min(1, ratio) * (sum of w_i over correct scored traces) / W:
 *           a failed trace earns no throughput, and being faster than the
 *           reference earns nothing more.
 *   index = 100 * (util_weight * U + throughput_weight * thru), 0..100.
 *   FAILURE_ALL: any failed scored trace makes the index 0 (the CMU rule);
 *                the utilization and throughput stay reported as measured.
 *   score = index * points / 100.
 *
 *   One trace alone (grade_trace_index, for the tables): 0 when it failed,
 *   else 100 * (util_weight * util + throughput_weight * min(1, ratio)), its
 *   ratio being the same comparison on that trace alone.
 *
 * What cannot be measured never divides: a trace whose own figure (ns or
 * instructions per operation) or the reference's is 0, not finite, or whose
 * reference replay failed, is left out of both throughput sums, so the ratio
 * always compares the student with the reference on the same traces; it
 * still counts in the correct weight. With nothing left to compare the
 * ratio is 0.
 */
#include "grade.h"

#include <math.h>
#include <stdint.h>

/* A figure fit to divide by or with: positive and finite. */
static int usable(double x)
{
    return isfinite(x) && x > 0;
}

static double clamp_unit(double x)
{
    return isfinite(x) && x > 0 ? (x > 1 ? 1 : x) : 0;
}

static int time_cost(const struct grade_config *config)
{
    return config->cost != COST_INSTRUCTIONS;
}

/* The figure each cost compares, per operation: ns (time costs) or
 * instructions; 0 when there is none. */
static double per_op(const struct grade_config *config, const struct replay_result *r)
{
    if (r == NULL || r->status != REPLAY_OK)
        return 0;
    return time_cost(config) ? r->ns_per_op : r->instr_per_op;
}

double grade_trace_index(const struct grade_config *config, const struct replay_result *result,
                         const struct replay_result *reference, double *ratio)
{
    double r = 0;
    if (result->status == REPLAY_OK) {
        switch (config->cost) {
        case COST_FIXED:
            if (usable(result->kops_per_sec) && usable(config->reference_kops))
                r = result->kops_per_sec / config->reference_kops;
            break;
        case COST_RELATIVE:
        case COST_INSTRUCTIONS: {
            /* per operation, lower is better: the reference's over the student's */
            double mine = per_op(config, result), theirs = per_op(config, reference);
            if (usable(mine) && usable(theirs))
                r = theirs / mine;
            break;
        }
        }
    }
    if (ratio != NULL)
        *ratio = r;
    if (result->status != REPLAY_OK)
        return 0;
    return 100 * (config->util_weight * clamp_unit(result->utilization) +
                  config->throughput_weight * (r < 1 ? r : 1));
}

/* The weighted sums of the throughput aggregate, for the student or the
 * reference: operations and cost (ns or instructions, both ops * per_op). */
struct sums {
    double ops;
    double cost;
};

void grade_score(const struct grade_config *config, const struct trace *traces,
                 const struct replay_result *reference, struct grade_student *student)
{
    (void)traces; /* every figure needed is in the results (ops included) */
    struct grade_score *s = &student->score;
    *s = (struct grade_score){.first_failure = SIZE_MAX};
    if (student->build != BUILD_OK || student->results == NULL)
        return; /* not built: nothing replayed, nothing correct; build_message says why */

    int compared_with_reference = config->cost != COST_FIXED;
    double total_weight = 0, correct_weight = 0, util_sum = 0;
    struct sums mine = {0, 0}, theirs = {0, 0};
    int scored_failure = 0;
    for (size_t i = 0; i < config->trace_count; i++) {
        const struct replay_result *r = &student->results[i];
        double w = config->traces[i].weight;
        int ok = r->status == REPLAY_OK;
        if (ok)
            s->traces_correct++;
        else if (s->first_failure == SIZE_MAX)
            s->first_failure = i;
        if (!(w > 0))
            continue; /* weight 0 (or a NaN that config.c let through): not scored */
        total_weight += w;
        if (!ok) {
            scored_failure = 1;
            continue;
        }
        correct_weight += w;
        util_sum += w * clamp_unit(r->utilization);

        const struct replay_result *ref = reference != NULL ? &reference[i] : NULL;
        double own = per_op(config, r), other = per_op(config, ref);
        double ops = (double)r->ops;
        if (!usable(own) || !(ops > 0) || (compared_with_reference && !usable(other)))
            continue; /* nothing to compare on this trace: out of both sums */
        mine.ops += w * ops;
        mine.cost += w * ops * own;
        if (compared_with_reference) {
            double ref_ops = ref->ops > 0 ? (double)ref->ops : ops;
            theirs.ops += w * ref_ops;
            theirs.cost += w * ref_ops * other;
        }
    }
    if (!(total_weight > 0))
        return; /* no scored trace: an index of 0 rather than a division by 0 */

    s->utilization = util_sum / total_weight;
    if (usable(mine.cost) && usable(mine.ops)) {
        if (time_cost(config)) {
            /* ops / (ns * 1e-9) / 1000 = Kops/s */
            s->throughput = mine.ops / mine.cost * 1e6;
            if (config->cost == COST_FIXED) {
                if (usable(config->reference_kops))
                    s->throughput_ratio = s->throughput / config->reference_kops;
            } else if (usable(theirs.cost) && usable(theirs.ops)) {
                s->throughput_ratio = s->throughput / (theirs.ops / theirs.cost * 1e6);
            }
        } else {
            s->throughput = mine.cost / mine.ops;
            if (usable(theirs.cost) && usable(theirs.ops))
                s->throughput_ratio = (theirs.cost / theirs.ops) / s->throughput;
        }
    }
    double capped = s->throughput_ratio < 1 ? s->throughput_ratio : 1;
    double thru = capped * (correct_weight / total_weight);
    s->index = 100 * (config->util_weight * s->utilization + config->throughput_weight * thru);
    if (config->failure == FAILURE_ALL && scored_failure)
        s->index = 0;
    if (!isfinite(s->index) || s->index < 0)
        s->index = 0;
    s->score = s->index * config->points / 100;
}
