/*
 * lecture_table.c — the rules that turn measurements into the lecture's
 * words. docs/lecture-table.md states every rule exactly as coded here,
 * with its threshold (lecture_table.h) and the measured margins; the
 * figures the rules read come from lecture_figures.c, and
 * lecture_output.c writes the rows as CSV and as the printed table.
 *
 * The order of the rules, per verdict:
 *   space        1. mapped memory is at least half the peak footprint on
 *                   every trace: "depends on the OS";
 *                2. on the reuse-heavy traces, the peak footprint is most
 *                   of what was ever requested (memory never reused), or
 *                   utilization is below one half: "Bad";
 *                3. utilization falls very low on one of them: "Good (but
 *                   fragments)";  4. "Good".
 *   malloc/free  1. a system call per call, counted on the small-chunk
 *                   traces, and measured dear: the call takes at least
 *                   LECTURE_CALL_DEAR times as long as in the allocators
 *                   that amortise their system calls (same run; when not
 *                   timed, the count alone): "Bad", or "Bad for small
 *                   chunks, Good for large" when ns per op says so;
 *                2. steps grow with the number of live blocks on a scaling
 *                   series: "Bad" (malloc: "(but could be OK)" when the
 *                   average call on the fixed series is far below the
 *                   worst call);  3. "Good".
 * Only the measurements decide; the allocator's name is used to group the
 * rows and, in lecture_reference, to find what to compare with: the
 * lecture's own row (its "Summary (so far)" table: minimal, pad, list,
 * dlist, bins) or dmm's reading of another slide, its words quoted.
 */
#include "lecture_table.h"

#include "lecture_figures.h"
#include "measure.h"

#include <math.h>
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>

/* mmap's time verdict, as the rules write it and as dmm reads the slide. */
#define SIZE_QUALIFIED_TEXT "Bad for small chunks, Good for large"

/* ---- the lecture's table, and dmm's readings of other slides ---------------- */

/* The lecture's "Summary (so far)" table has five rows, quoted here in its
 * own words; the other rows are dmm's reading of a slide that gives words
 * but no table row, with those words quoted. Only compared with
 * (lecture_expected, lecture_matches) and shown beside the measured
 * verdicts, never read by a rule. docs/lecture-table.md gives each reading
 * its reasons. */
static const struct lecture_reference lecture_references[] = {
    {"minimal", LECTURE_OWN_ROW, "Bad", "Bad", "Good",
     "Summary (so far), row Minimal: Bad | Bad | Good"},
    {"pad", LECTURE_OWN_ROW, "Bad", "Good", "Good",
     "Summary (so far), row Pad: Bad | Good | Good"},
    {"list", LECTURE_OWN_ROW, "Good", "Bad (but could be OK)", "Bad",
     "Summary (so far), row List: Good | Bad (but could be OK) | Bad"},
    {"dlist", LECTURE_OWN_ROW, "Good", "Bad (but could be OK)", "Good",
     "Summary (so far), row doubly linked List: Good | Bad (but could be OK) | Good"},
    {"bins", LECTURE_OWN_ROW, "Good", "Good", "Good",
     "Summary (so far), row Bins: Good | Good | Good"},
    /* The recap's step between Pad and List: no verdicts anywhere in the
     * lecture; dmm's reading is what its rules give a LIFO free list
     * searched first fit that neither coalesces nor splits. Space was
     * predicted Bad and measured Good by a narrow margin (median
     * utilization 0.51 against 0.5; docs/lecture-table.md). */
    {"unsorted", LECTURE_READING, "Good", "Bad (but could be OK)", "Good",
     "recap: \"Unsorted-list-no-coalesce\" (no verdicts in the lecture: dmm's reading of its "
     "design)"},
    {"mmap", LECTURE_READING, "depends on the OS", SIZE_QUALIFIED_TEXT, SIZE_QUALIFIED_TEXT,
     "VM-mapping slide: \"space depends on the OS, time bad for small chunks and good for "
     "large\""},
    {"gnu", LECTURE_READING, "Good", "Good", "Good",
     "GNU malloc slide: \"bins for small chunks, mmap for large\" (the lecture wrote no "
     "verdict: dmm infers Bins' row for small chunks and mmap's \"good for large\")"},
    {"segregated", LECTURE_READING, "Good (but fragments)", "Good", "Good",
     "segregated-metadata slide: space \"very very good ... possibly bad\", malloc \"very "
     "very good\", free \"good\""},
};
#define LECTURE_REFERENCES (sizeof lecture_references / sizeof lecture_references[0])

static const char NOT_MEASURED[] = "not measured";
static const char SIZE_QUALIFIED[] = SIZE_QUALIFIED_TEXT;

__attribute__((format(printf, 3, 4)))
static void set_text(char *out, size_t size, const char *format, ...)
{
    va_list args;
    va_start(args, format);
    vsnprintf(out, size, format, args);
    va_end(args);
}

/* ---- the verdicts ----------------------------------------------------------- */

static void judge_space(const struct lecture_measured *me, struct lecture_row *row)
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

/* "12.3x", or "(not measured)": no timing run, or no such trace. */
static const char *times_text(double value, char *text, size_t size)
{
    if (isnan(value))
        snprintf(text, size, "(not measured)");
    else
        snprintf(text, size, "%.1fx", value);
    return text;
}

/* One time verdict: the system-call rule, then the growth rule. */
static void apply_time_rules(const struct lecture_measured *me, int for_free, char *verdict, char *why)
{
    const struct lecture_figures *f = &me->figures;
    double calls = for_free ? f->munmaps_per_free : f->syscalls_per_malloc;
    const struct lecture_growth *growth = for_free ? &me->free_growth : &me->malloc_growth;
    const char *call_kind = for_free ? "munmap calls per free" : "brk/mmap calls per malloc";
    const char *op = for_free ? "free" : "malloc";
    /* The call's own time against the allocators that amortise their
     * system calls: NAN when not timed, and then the count decides alone. */
    double dear = for_free ? f->free_call_ratio : f->malloc_call_ratio;
    char against[128];
    if (isnan(dear))
        snprintf(against, sizeof against, "dear in the lecture's cost model (not timed)");
    else
        snprintf(against, sizeof against,
                 "a %s takes %.2fx the time of the allocators that amortise theirs", op, dear);

    if (calls >= LECTURE_SYSCALLS_BAD && !(dear < LECTURE_CALL_DEAR)) {
        char small[32], large[32];
        times_text(f->ratio_small, small, sizeof small);
        times_text(f->ratio_large, large, sizeof large);
        if (f->ratio_small >= LECTURE_SIZE_RATIO && f->ratio_large < LECTURE_SIZE_RATIO) {
            snprintf(verdict, LECTURE_VERDICT_MAX, "%s", SIZE_QUALIFIED);
            set_text(why, LECTURE_WHY_MAX,
                     "%.2f %s on small-chunk traces, %s; ns per op %s the median allocator's on "
                     "small chunks, %s on large: the system call is dear next to a small "
                     "chunk's work, cheap next to a large one's",
                     calls, call_kind, against, small, large);
        } else if (f->ratio_small >= LECTURE_SIZE_RATIO) {
            snprintf(verdict, LECTURE_VERDICT_MAX, "Bad");
            set_text(why, LECTURE_WHY_MAX,
                     "%.2f %s on small-chunk traces, %s; ns per op %s the median allocator's on "
                     "small chunks and %s on large: dear, and not shown cheap at any size",
                     calls, call_kind, against, small, large);
        } else {
            snprintf(verdict, LECTURE_VERDICT_MAX, "Bad");
            set_text(why, LECTURE_WHY_MAX,
                     "%.2f %s on small-chunk traces: a system call per %s, %s (each traps "
                     "into the kernel); measured ns per op %s the median allocator's on small "
                     "chunks",
                     calls, call_kind, op, against, small);
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
    char counted[96 + sizeof against];
    if (isnan(calls))
        snprintf(counted, sizeof counted, "no small-chunk trace replayed");
    else if (calls >= LECTURE_SYSCALLS_BAD) /* measured cheap */
        snprintf(counted, sizeof counted, "%.2f %s on small-chunk traces, but %s, below %.0fx",
                 calls, call_kind, against, LECTURE_CALL_DEAR);
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

/* The verdict, and for malloc the large-chunk series' slope added to the
 * why when it was measured: the lecture's "could be bad for large chunks",
 * shown and never judged (the rules read the small-chunk series only). */
static void judge_time(const struct lecture_measured *me, int for_free, char *verdict, char *why)
{
    apply_time_rules(me, for_free, verdict, why);
    double large = me->figures.large_malloc_growth;
    size_t used = strlen(why);
    if (!for_free && !isnan(large) && used < LECTURE_WHY_MAX)
        snprintf(why + used, LECTURE_WHY_MAX - used,
                 "; large-chunk series: slope %.2f (%s, not judged: the lecture's table is about "
                 "small chunks)",
                 large, large >= LECTURE_GROWTH_BAD ? "grows" : "flat");
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

/* The median malloc (for_free 0) or free time on small-chunk traces of
 * the allocators that amortise their system calls (fewer than
 * LECTURE_SYSCALLS_BAD per call) and were timed: what a call costs when
 * it makes no system call. pool holds count doubles. */
static double amortising_median(const struct lecture_measured *all, size_t count, int for_free,
                                 double *pool)
{
    size_t n = 0;
    for (size_t a = 0; a < count; a++) {
        const struct lecture_figures *f = &all[a].figures;
        double calls = for_free ? f->munmaps_per_free : f->syscalls_per_malloc;
        double ns = for_free ? all[a].free_ns : all[a].malloc_ns;
        if (calls < LECTURE_SYSCALLS_BAD && !isnan(ns))
            pool[n++] = ns;
    }
    return measure_median(pool, n);
}

/* The median over the allocators of their time on small (large 0) or
 * large chunks, those without one left out; pool holds count doubles. */
static double median_allocator(const struct lecture_measured *all, size_t count, int large,
                               double *pool)
{
    size_t n = 0;
    for (size_t a = 0; a < count; a++) {
        double ns = large ? all[a].large_ns : all[a].small_ns;
        if (!isnan(ns))
            pool[n++] = ns;
    }
    return measure_median(pool, n);
}

int lecture_judge(const struct lecture_measurements *m, struct lecture_row *rows, size_t max_rows)
{
    size_t count = 0;
    for (size_t i = 0; i < m->run_count; i++)
        add_row(rows, &count, max_rows, m->runs[i].allocator);
    for (size_t i = 0; i < m->point_count; i++)
        add_row(rows, &count, max_rows, m->points[i].allocator);

    double *scratch = malloc(lecture_scratch_count(m) * sizeof *scratch);
    struct lecture_measured *all = calloc(count + 1, sizeof *all);
    double *pool = malloc((count + 1) * sizeof *pool);
    if (scratch == NULL || all == NULL || pool == NULL) {
        free(scratch);
        free(all);
        free(pool);
        return -1;
    }
    for (size_t a = 0; a < count; a++)
        lecture_measure(m, rows[a].allocator, &all[a], scratch);

    /* The median allocator's time, small chunks then large, that each
     * allocator's own is divided by. */
    double median_small = median_allocator(all, count, 0, pool);
    double median_large = median_allocator(all, count, 1, pool);
    /* A call's time without system calls, that each allocator's call is
     * divided by. */
    double amortised_malloc = amortising_median(all, count, 0, pool);
    double amortised_free = amortising_median(all, count, 1, pool);

    for (size_t a = 0; a < count; a++) {
        all[a].figures.ratio_small = lecture_ratio(all[a].small_ns, median_small);
        all[a].figures.ratio_large = lecture_ratio(all[a].large_ns, median_large);
        all[a].figures.malloc_call_ratio = lecture_ratio(all[a].malloc_ns, amortised_malloc);
        all[a].figures.free_call_ratio = lecture_ratio(all[a].free_ns, amortised_free);
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

const struct lecture_reference *lecture_reference(const char *allocator)
{
    for (size_t i = 0; allocator != NULL && i < LECTURE_REFERENCES; i++)
        if (strcmp(lecture_references[i].allocator, allocator) == 0)
            return &lecture_references[i];
    return NULL;
}

const char *lecture_source_name(enum lecture_source source)
{
    switch (source) {
    case LECTURE_OWN_ROW:
        return "lecture";
    case LECTURE_READING:
        return "dmm's reading";
    case LECTURE_NO_ROW:
        break;
    }
    return "";
}

int lecture_expected(const char *allocator, const char **space, const char **malloc_time,
                     const char **free_time)
{
    const struct lecture_reference *ref = lecture_reference(allocator);
    if (ref == NULL)
        return LECTURE_NO_ROW;
    *space = ref->space;
    *malloc_time = ref->malloc_time;
    *free_time = ref->free_time;
    return (int)ref->source;
}

int lecture_matches(const char *allocator, const struct lecture_row *row)
{
    const struct lecture_reference *ref = lecture_reference(allocator);
    if (ref == NULL)
        return -1;
    int same = strcmp(row->space, ref->space) == 0 && strcmp(row->malloc_time, ref->malloc_time) == 0 &&
               strcmp(row->free_time, ref->free_time) == 0;
    if (!same)
        return 0;
    return ref->source == LECTURE_OWN_ROW ? LECTURE_SAME_AS_LECTURE : LECTURE_SAME_AS_READING;
}
