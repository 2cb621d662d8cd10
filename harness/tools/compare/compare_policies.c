/*
 * compare_policies.c — dmm-compare --policies NAME: one allocator across its
 * placement policies (allocators/policy.h), as OSTEP's malloc.py lets a
 * student try them: which fit (first, next, best, worst) and which free-list
 * order (address, LIFO, size) searches least, and which wastes least memory.
 *
 * The variants are every fit times every order the allocator's
 * dmm_policy_choices() offers ("fit=first|next|best|worst
 * order=address|lifo|size": 4 x 3 = 12). Each runs as an allocator of its
 * own: the same module, DMM_POLICY set in its child process before the
 * module loads (runner_plan.policies), and a label, "dlist fit=best,order=lifo",
 * that every message and file uses (runner_plan.labels). They replay what
 * the usual run replays: the bundled traces, large.trace and the scaling
 * series.
 *
 * What it writes (docs/compare.md):
 *   policies-pairs.csv  every pair: the variant, the trace (and the scaling
 *                       series and N), the status and the figures
 *   policies.csv        one row per variant: the means over the traces that
 *                       passed, and the slope of steps per malloc against N
 *                       on each scaling series (lecture_slope, log-log)
 *   allocators.txt      the allocator, for the charts drawn by hand
 * and plots/policies.gp draws them (compare_tools.c runs it).
 */
#define _POSIX_C_SOURCE 200809L

#include "compare.h"

#include "lecture_table.h"
#include "policy.h"
#include "report.h"
#include "runner.h"

#include <errno.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define POLICY_TIMEOUT 300.0 /* seconds per pair, as the usual run's PAIR_TIMEOUT */
#define CHOICE_WORD 16       /* bytes of one choice, "address" and its NUL at most */

/* ---- the variants --------------------------------------------------------- */

/* The alternatives offered for key ("fit" or "order") in choices, each one
 * of names[], into words[] in the order offered. Returns how many (0: the
 * key is not offered), or -1 with a message when one is not a policy. */
static int offered(const char *allocator, const char *choices, const char *key,
                   const char *const *names, int name_count, char words[][CHOICE_WORD],
                   char *error, size_t error_size)
{
    size_t key_length = strlen(key);
    int count = 0;
    for (const char *word = choices; *word != '\0';) {
        word += strspn(word, " ");
        size_t length = strcspn(word, " ");
        if (length > key_length && strncmp(word, key, key_length) == 0 &&
            word[key_length] == '=') {
            const char *end = word + length;
            for (const char *alt = word + key_length + 1; alt < end;) {
                size_t alt_length = strcspn(alt, "| ");
                if (alt + alt_length > end)
                    alt_length = (size_t)(end - alt);
                if (policy_lookup(alt, alt_length, names, name_count) < 0 ||
                    count == name_count) {
                    snprintf(error, error_size,
                             "--policies %s: its dmm_policy_choices() \"%s\" offers %s=%.*s, "
                             "which is not a policy (allocators/policy.h)",
                             allocator, choices, key, (int)alt_length, alt);
                    return -1;
                }
                snprintf(words[count++], CHOICE_WORD, "%.*s", (int)alt_length, alt);
                alt += alt_length + (alt[alt_length] == '|');
            }
        }
        word += length;
    }
    return count;
}

/* The built allocators whose modules define dmm_policy_choices, as
 * "a, b, c" ("none" when no built allocator has policies). */
static void allocators_with_policies(char *list, size_t size)
{
    list[0] = '\0';
    for (size_t i = 0; i < RUNNER_BUILTIN_COUNT; i++) {
        char choices[256];
        const char *name = runner_builtin_allocators[i];
        if (compare_ask_module(name, COMPARE_ASK_POLICIES, choices, sizeof choices) == 0 &&
            choices[0] != '\0') {
            size_t used = strlen(list);
            snprintf(list + used, size - used, "%s%s", used > 0 ? ", " : "", name);
        }
    }
    if (list[0] == '\0')
        snprintf(list, size, "none in this build");
}

int compare_policy_variants(struct compare *c, char *error, size_t error_size)
{
    const char *name = c->policies;
    if (runner_check_allocator(name, NULL, error, error_size) != 0)
        return -1;
    static char choices[256], reported[64];
    if (compare_ask_module(name, COMPARE_ASK_NAME, reported, sizeof reported) != 0 ||
        compare_ask_module(name, COMPARE_ASK_POLICIES, choices, sizeof choices) != 0) {
        snprintf(error, error_size,
                 "--policies %s: its module could not be loaded (dmm-replay -a %s says why)",
                 name, name);
        return -1;
    }
    if (reported[0] == '\0' || strpbrk(reported, " \t,\"'/\\<>&") != NULL)
        snprintf(reported, sizeof reported, "%s", strrchr(name, '/') ? strrchr(name, '/') + 1
                                                                        : name);
    if (choices[0] == '\0') {
        char others[512];
        allocators_with_policies(others, sizeof others);
        snprintf(error, error_size,
                 "--policies %s: %s has no placement policies (its module defines no "
                 "dmm_policy_choices(), allocators/policy.h); the allocators that have "
                 "them: %s",
                 name, reported, others);
        return -1;
    }
    char fits[POLICY_FITS][CHOICE_WORD], orders[POLICY_ORDERS][CHOICE_WORD];
    int fit_count = offered(name, choices, "fit", policy_fit_names, POLICY_FITS, fits, error,
                            error_size);
    int order_count = fit_count < 0 ? -1
                                    : offered(name, choices, "order", policy_order_names,
                                              POLICY_ORDERS, orders, error, error_size);
    if (order_count < 0)
        return -1;
    if (fit_count == 0 && order_count == 0) {
        snprintf(error, error_size,
                 "--policies %s: its dmm_policy_choices() \"%s\" offers neither fit=... nor "
                 "order=... (allocators/policy.h)",
                 name, choices);
        return -1;
    }
    /* A part the allocator does not offer stays out of the text: its own. */
    size_t fit_rows = fit_count > 0 ? (size_t)fit_count : 1;
    size_t order_rows = order_count > 0 ? (size_t)order_count : 1;
    c->variants = calloc(fit_rows * order_rows, sizeof *c->variants);
    if (c->variants == NULL) {
        snprintf(error, error_size, "--policies %s: out of memory", name);
        return -1;
    }
    for (size_t f = 0; f < fit_rows; f++)
        for (size_t o = 0; o < order_rows; o++) {
            struct compare_variant *v = &c->variants[c->variant_count++];
            _Static_assert(sizeof v->fit == CHOICE_WORD && sizeof v->order == CHOICE_WORD,
                           "a choice fits its field");
            if (fit_count > 0) /* else "" (calloc): the allocator's own fit */
                memcpy(v->fit, fits[f], CHOICE_WORD);
            if (order_count > 0)
                memcpy(v->order, orders[o], CHOICE_WORD);
            snprintf(v->policy, sizeof v->policy, "%s%s%s%s%s", v->fit[0] ? "fit=" : "", v->fit,
                     v->fit[0] && v->order[0] ? "," : "", v->order[0] ? "order=" : "", v->order);
            snprintf(v->label, sizeof v->label, "%s %s", reported, v->policy);
        }
    /* The one allocator, for the charts' allocators='...' and machine.txt. */
    c->asked = &c->policies;
    static const char *names[1];
    names[0] = reported;
    c->names = names;
    c->allocator_count = 1;
    return 0;
}

/* ---- the runs ---------------------------------------------------------------- */

/* Variant v on traces[0 .. count), into pairs[]; the pairs then carry its
 * label as their allocator. 0, or -1 when the runner could not go on. */
static int run_variant(const struct compare *c, size_t v, const struct trace *traces, size_t count,
                       struct runner_pair *pairs)
{
    const char *label = c->variants[v].label, *policy = c->variants[v].policy;
    struct runner_plan plan = {
        .allocators = c->asked, .allocator_count = 1,
        .traces = traces, .trace_count = count,
        .options = {.repeat = c->repeat}, .timeout_seconds = POLICY_TIMEOUT, .jobs = c->jobs,
        .labels = &label, .policies = &policy,
    };
    if (runner_run(&plan, pairs) != 0) {
        fprintf(stderr, "%sdmm-compare: cannot run the pairs: %s\n", c->tty ? "\r\033[K" : "",
                strerror(errno));
        return -1;
    }
    for (size_t i = 0; i < count; i++)
        pairs[i].allocator = label;
    return 0;
}

/* The scaling series, every variant. */
static int run_variant_scaling(struct compare *c, size_t live_count)
{
    static struct trace traces[COMPARE_LIVE_COUNTS * COMPARE_SERIES];
    char error[COMPARE_PATH_BYTES + 256], relative[COMPARE_PATH_BYTES], path[COMPARE_PATH_BYTES];
    size_t count = live_count * COMPARE_SERIES;
    for (size_t i = 0; i < count; i++) {
        compare_scaling_trace(i % COMPARE_SERIES, i / COMPARE_SERIES, relative, sizeof relative);
        compare_path(c, relative, path);
        if (trace_load(path, &traces[i], error, sizeof error) != 0) {
            fprintf(stderr, "dmm-compare: %s\n", error);
            return -1;
        }
    }
    c->variant_points = calloc(c->variant_count * count, sizeof *c->variant_points);
    struct runner_pair *pairs = calloc(count, sizeof *pairs);
    int status = c->variant_points == NULL || pairs == NULL ? -1 : 0;
    for (size_t v = 0; v < c->variant_count && status == 0; v++) {
        compare_progress(c, 4, "scaling series: %s (%zu of %zu policies)", c->variants[v].label,
                         v + 1, c->variant_count);
        status = run_variant(c, v, traces, count, pairs);
        for (size_t i = 0; i < count && status == 0; i++) {
            struct compare_point *point = &c->variant_points[c->variant_point_count++];
            *point = (struct compare_point){compare_series[i % COMPARE_SERIES],
                                            compare_live_counts[i / COMPARE_SERIES], pairs[i]};
            point->pair.trace = NULL; /* freed below */
        }
    }
    free(pairs);
    for (size_t i = 0; i < count; i++)
        trace_free(&traces[i]);
    return status;
}

/* ---- the files ------------------------------------------------------------------ */

static void write_figures(FILE *out, const struct compare *c, const struct replay_result *r)
{
    if (r->status != REPLAY_OK) {
        fputs(",,,,,,", out);
        return;
    }
    fprintf(out, ",%.4f,%.4f,%llu,%.4f,", r->steps_per_malloc, r->steps_per_free,
            (unsigned long long)r->max_steps_malloc, r->utilization);
    if (c->repeat > 0 && r->ops > 0)
        fprintf(out, "%.3f,%.3f", r->ns_per_op, r->malloc_ns);
    else
        fputc(',', out);
}

/* policies-pairs.csv: every pair of every variant. */
static int write_pairs(struct compare *c)
{
    FILE *out = compare_create(c, "policies-pairs.csv");
    if (out == NULL)
        return -1;
    fputs("fit,order,trace,series,live_blocks,status,steps_per_malloc,steps_per_free,"
          "max_steps_malloc,utilization,ns_per_op,malloc_ns,policy,label\n", out);
    for (size_t v = 0; v < c->variant_count; v++) {
        const struct compare_variant *variant = &c->variants[v];
        size_t points = c->variant_point_count / c->variant_count;
        for (size_t i = 0; i < c->trace_count + points; i++) {
            const struct runner_pair *pair =
                i < c->trace_count ? &c->variant_pairs[v * c->trace_count + i]
                                   : &c->variant_points[v * points + i - c->trace_count].pair;
            fprintf(out, "%s,%s,", variant->fit, variant->order);
            if (i < c->trace_count) {
                report_csv_text(out, c->traces[i].name);
                fputs(",,,", out);
            } else {
                const struct compare_point *p = &c->variant_points[v * points + i - c->trace_count];
                fprintf(out, "scaling-%s-%u,%s,%u,", p->series, p->live_blocks, p->series,
                        p->live_blocks);
            }
            fputs(report_status_name(pair->result.status), out);
            write_figures(out, c, &pair->result);
            fputc(',', out);
            report_csv_text(out, variant->policy);
            fputc(',', out);
            report_csv_text(out, variant->label);
            fputc('\n', out);
        }
    }
    return compare_close(c, out, "policies-pairs.csv");
}

/* A variant's summary, over the traces (bundled and large.trace) that passed. */
struct variant_summary {
    size_t pairs, ok;               /* every pair of the variant, traces and series */
    double steps_per_malloc, steps_per_free, utilization; /* means over the traces */
    double ns_per_op;               /* geometric mean over the traces; NAN: not timed */
    double slopes[COMPARE_SERIES];  /* steps per malloc against N, log-log; NAN: none */
};

static struct variant_summary summarize(const struct compare *c, size_t v)
{
    struct variant_summary s = {0};
    double log_ns = 0;
    size_t counted = 0, timed = 0;
    for (size_t t = 0; t < c->trace_count; t++) {
        const struct replay_result *r = &c->variant_pairs[v * c->trace_count + t].result;
        s.pairs++;
        if (r->status != REPLAY_OK)
            continue;
        s.ok++;
        counted++;
        s.steps_per_malloc += r->steps_per_malloc;
        s.steps_per_free += r->steps_per_free;
        s.utilization += r->utilization;
        if (c->repeat > 0 && r->ns_per_op > 0) {
            log_ns += log(r->ns_per_op);
            timed++;
        }
    }
    s.steps_per_malloc = counted > 0 ? s.steps_per_malloc / (double)counted : NAN;
    s.steps_per_free = counted > 0 ? s.steps_per_free / (double)counted : NAN;
    s.utilization = counted > 0 ? s.utilization / (double)counted : NAN;
    s.ns_per_op = timed > 0 ? exp(log_ns / (double)timed) : NAN;
    size_t points = c->variant_point_count / c->variant_count;
    for (size_t series = 0; series < COMPARE_SERIES; series++) {
        double x[COMPARE_LIVE_COUNTS], y[COMPARE_LIVE_COUNTS];
        size_t n = 0;
        for (size_t i = 0; i < points; i++) {
            const struct compare_point *p = &c->variant_points[v * points + i];
            if (strcmp(p->series, compare_series[series]) != 0)
                continue;
            s.pairs++;
            if (p->pair.result.status != REPLAY_OK || n == COMPARE_LIVE_COUNTS)
                continue;
            s.ok++;
            x[n] = p->live_blocks;
            y[n++] = p->pair.result.steps_per_malloc;
        }
        s.slopes[series] = lecture_slope(x, y, n);
    }
    return s;
}

static void write_number(FILE *out, const char *format, double value)
{
    fputc(',', out);
    if (isfinite(value))
        fprintf(out, format, value);
}

/* policies.csv: one row per variant. */
static int write_summary(struct compare *c)
{
    FILE *out = compare_create(c, "policies.csv");
    if (out == NULL)
        return -1;
    fputs("fit,order,pairs,pairs_ok,steps_per_malloc,steps_per_free,utilization,ns_per_op", out);
    for (size_t s = 0; s < COMPARE_SERIES; s++)
        fprintf(out, ",slope_%s", compare_series[s]);
    fputs(",allocator,policy,label\n", out);
    for (size_t v = 0; v < c->variant_count; v++) {
        const struct compare_variant *variant = &c->variants[v];
        struct variant_summary s = summarize(c, v);
        fprintf(out, "%s,%s,%zu,%zu", variant->fit, variant->order, s.pairs, s.ok);
        write_number(out, "%.4f", s.steps_per_malloc);
        write_number(out, "%.4f", s.steps_per_free);
        write_number(out, "%.4f", s.utilization);
        write_number(out, "%.3f", s.ns_per_op);
        for (size_t series = 0; series < COMPARE_SERIES; series++)
            write_number(out, "%.4f", s.slopes[series]);
        fputc(',', out);
        report_csv_text(out, c->names[0]);
        fputc(',', out);
        report_csv_text(out, variant->policy);
        fputc(',', out);
        report_csv_text(out, variant->label);
        fputc('\n', out);
    }
    return compare_close(c, out, "policies.csv");
}

int compare_run_policies(struct compare *c, size_t live_count)
{
    c->variant_pairs = calloc(c->variant_count * c->trace_count, sizeof *c->variant_pairs);
    if (c->variant_pairs == NULL)
        return -1;
    for (size_t v = 0; v < c->variant_count; v++) {
        compare_progress(c, 2, "bundled traces: %s (%zu of %zu policies)", c->variants[v].label,
                         v + 1, c->variant_count);
        if (run_variant(c, v, c->traces, c->trace_count,
                        &c->variant_pairs[v * c->trace_count]) != 0)
            return -1;
    }
    if (run_variant_scaling(c, live_count) != 0)
        return -1;
    int failed = write_pairs(c) != 0;
    failed |= write_summary(c) != 0;
    /* The allocator, as the usual report names its allocators: common.gp
     * reads it when a chart is drawn by hand. */
    FILE *out = compare_create(c, "allocators.txt");
    if (out == NULL)
        return -1;
    fprintf(out, "%s\n", c->names[0]);
    failed |= compare_close(c, out, "allocators.txt") != 0;
    return failed ? -1 : 0;
}

/* ---- the summary on stdout ---------------------------------------------------------- */

static void print_number(FILE *out, const char *format, double value, int width)
{
    if (isfinite(value))
        fprintf(out, format, width, value);
    else
        fprintf(out, "%*s", width, "-");
}

size_t compare_print_policies(const struct compare *c, FILE *out)
{
    fprintf(out, "%s across its placement policies (means over the %zu traces; slope: steps "
                 "per malloc against N, log-log, on each scaling series):\n\n",
            c->names[0], c->trace_count);
    fprintf(out, "%-28s %12s %10s %12s %10s", "policy", "steps/malloc", "steps/free",
            "utilization", "ns/op");
    for (size_t s = 0; s < COMPARE_SERIES; s++)
        fprintf(out, " %8s", compare_series[s]);
    fputc('\n', out);
    for (size_t v = 0; v < c->variant_count; v++) {
        struct variant_summary s = summarize(c, v);
        fprintf(out, "%-28s", c->variants[v].policy);
        print_number(out, " %*.2f", s.steps_per_malloc, 12);
        print_number(out, " %*.2f", s.steps_per_free, 10);
        print_number(out, " %*.3f", s.utilization, 12);
        print_number(out, " %*.1f", s.ns_per_op, 10);
        for (size_t series = 0; series < COMPARE_SERIES; series++)
            print_number(out, " %*.2f", s.slopes[series], 8);
        fputc('\n', out);
    }
    size_t failures = 0;
    size_t points = c->variant_count > 0 ? c->variant_point_count / c->variant_count : 0;
    for (size_t v = 0; v < c->variant_count; v++)
        for (size_t i = 0; i < c->trace_count + points; i++) {
            const struct runner_pair *pair =
                i < c->trace_count ? &c->variant_pairs[v * c->trace_count + i]
                                   : &c->variant_points[v * points + i - c->trace_count].pair;
            if (pair->result.status == REPLAY_OK)
                continue;
            if (failures++ == 0)
                fprintf(out, "\nPairs that did not pass:\n");
            fprintf(out, "  %s: %s\n", report_status_name(pair->result.status),
                    pair->result.message);
        }
    return failures;
}
