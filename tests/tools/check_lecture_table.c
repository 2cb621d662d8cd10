/*
 * check_lecture_table.c — the rules that turn the figures into the
 * lecture's table (harness/tools/compare/lecture_table.c, docs/lecture-table.md),
 * on synthetic measurements (tests/support/lecture_world.h): every rule
 * just below, at and above its threshold, the "(but could be OK)" and size
 * qualifiers, the order of the rules, the rows of lecture-shaped
 * measurements, an allocator the lecture does not know. The rows compared
 * with (the lecture's own, dmm's readings): check_lecture_rows.c; the
 * figures themselves: check_lecture_figures.c; the writers:
 * check_lecture_output.c. The lecture's rows from real measurements are
 * asserted by the compare job's test.
 */
#include "lecture_table.h"

#include "lecture_world.h"
#include "suite.h"

#include <check.h>
#include <math.h>
#include <stdio.h>
#include <string.h>

/* ---- system calls --------------------------------------------------------------- */

START_TEST(malloc_system_calls_boundary)
{
    static const struct { double per_malloc; const char *verdict; } cases[] = {
        {0.49, "Good"}, {0.50, "Bad"}, {0.51, "Bad"}, {1.0, "Bad"}};
    for (size_t c = 0; c < sizeof cases / sizeof cases[0]; c++) {
        const struct lecture_row *row = judge_changed(set_grow_calls, cases[c].per_malloc);
        ck_assert_double_eq_tol(row->figures.syscalls_per_malloc, cases[c].per_malloc, 1e-9);
        require(strcmp(row->malloc_time, cases[c].verdict) == 0, "%.2f per malloc: %s (%s)",
                cases[c].per_malloc, row->malloc_time, row->malloc_why);
        require(strcmp(row->free_time, "Good") == 0, "free: %s", row->free_time);
    }
    /* Bad by the count though the time is ordinary: the lecture's cost model. */
    const struct lecture_row *row = row_of("x");
    require(strstr(row->malloc_why, "1.00 brk/mmap calls per malloc") != NULL, "%s",
            row->malloc_why);
    require(strstr(row->malloc_why, "cost model") != NULL, "%s", row->malloc_why);
    require(strstr(row->malloc_why, "1.0x the median") != NULL, "%s", row->malloc_why);
}
END_TEST

START_TEST(free_system_calls_boundary)
{
    static const struct { double per_free; const char *verdict; } cases[] = {
        {0.49, "Good"}, {0.50, "Bad"}, {0.51, "Bad"}};
    for (size_t c = 0; c < sizeof cases / sizeof cases[0]; c++) {
        const struct lecture_row *row = judge_changed(set_munmap_calls, cases[c].per_free);
        ck_assert_double_eq_tol(row->figures.munmaps_per_free, cases[c].per_free, 1e-9);
        require(strcmp(row->free_time, cases[c].verdict) == 0, "%.2f per free: %s (%s)",
                cases[c].per_free, row->free_time, row->free_why);
        ck_assert_str_eq(row->malloc_time, "Good");
    }
    require(strstr(row_of("x")->free_why, "0.51 munmap calls per free") != NULL, "%s",
            row_of("x")->free_why);
}
END_TEST

/* ---- the size qualifier ------------------------------------------------------------ */

/* "x" makes a system call per malloc and per free; "b" and "c" are ordinary
 * allocators at 100 ns/op on small chunks and 1000 on large, so the median
 * allocator's times are those whenever x is slower (LECTURE_SIZE_RATIO: 20). */
static const struct lecture_row *judge_with_times(double small_ns, double large_ns)
{
    world_reset();
    add_good_allocator("x");
    add_good_allocator("b");
    add_good_allocator("c");
    set_small("x", set_grow_calls, 1.0);
    set_small("x", set_munmap_calls, 1.0);
    for (size_t i = 0; i < world.run_count; i++)
        if (strcmp(world.runs[i].allocator, "x") == 0)
            run_result(i)->ns_per_op = world.runs[i].is_large ? large_ns : small_ns;
    judge();
    return row_of("x");
}

START_TEST(size_qualifier_boundaries)
{
    static const char *const qualified = "Bad for small chunks, Good for large";
    static const struct { double small_ns, large_ns; const char *verdict; } cases[] = {
        {1999, 4000, "Bad"},      /* 19.99x on small chunks: not dear enough */
        {2000, 4000, qualified},  /* 20x: at the threshold */
        {2001, 4000, qualified},
        {5000, 19990, qualified}, /* 19.99x on large: still cheap there */
        {5000, 20000, "Bad"},     /* 20x on large too: dear at every size */
        {5000, 20010, "Bad"},
    };
    for (size_t c = 0; c < sizeof cases / sizeof cases[0]; c++) {
        const struct lecture_row *row = judge_with_times(cases[c].small_ns, cases[c].large_ns);
        ck_assert_double_eq_tol(row->figures.ratio_small, cases[c].small_ns / 100, 1e-9);
        ck_assert_double_eq_tol(row->figures.ratio_large, cases[c].large_ns / 1000, 1e-9);
        require(strcmp(row->malloc_time, cases[c].verdict) == 0, "%.0f/%.0f ns: malloc %s (%s)",
                cases[c].small_ns, cases[c].large_ns, row->malloc_time, row->malloc_why);
        require(strcmp(row->free_time, cases[c].verdict) == 0, "%.0f/%.0f ns: free %s (%s)",
                cases[c].small_ns, cases[c].large_ns, row->free_time, row->free_why);
        ck_assert_str_eq(row_of("b")->malloc_time, "Good");
    }
    const struct lecture_row *row = judge_with_times(5000, 4000);
    require(strstr(row->malloc_why, "50.0x the median allocator's on small chunks, 4.0x on large") !=
                NULL, "%s", row->malloc_why);
}
END_TEST

START_TEST(size_qualifier_needs_a_system_call_verdict)
{
    /* Slow on small chunks but with no system calls: time is not judged by
     * speed alone, so it stays Good. */
    world_reset();
    add_good_allocator("x");
    add_good_allocator("b");
    add_good_allocator("c");
    for (size_t i = 0; i < world.run_count; i++)
        if (strcmp(world.runs[i].allocator, "x") == 0 && !world.runs[i].is_large)
            run_result(i)->ns_per_op = 100000;
    judge();
    ck_assert_str_eq(row_of("x")->malloc_time, "Good");
    ck_assert_str_eq(row_of("x")->free_time, "Good");
}
END_TEST

/* ---- growth of the search ------------------------------------------------------------ */

/* Two points, N = 1 and 4, whose mean steps give a slope of exactly s: 4^s - 1
 * steps at N = 4 (0 at N = 1) makes log(steps + 1) = s * log(N). */
static const struct lecture_row *judge_growth(double s, int for_free)
{
    world_reset();
    add_small("x");
    add_large("x");
    double steps = pow(4, s) - 1;
    add_point("x", "random", 1, 0, 0, 0, 0);
    add_point("x", "random", 4, for_free ? 0 : steps, 0, for_free ? steps : 0, 0);
    judge();
    return row_of("x");
}

START_TEST(growth_boundaries)
{
    require(log(4.0) == 2 * log(2.0), "the test needs log(4) == 2 log(2) exactly");
    static const struct { double slope; const char *verdict; } cases[] = {
        {0.49, "Good"}, {0.50, "Bad"}, {0.51, "Bad"}, {1.0, "Bad"}};
    for (int for_free = 0; for_free <= 1; for_free++) {
        for (size_t c = 0; c < sizeof cases / sizeof cases[0]; c++) {
            const struct lecture_row *row = judge_growth(cases[c].slope, for_free);
            double growth = for_free ? row->figures.free_growth : row->figures.malloc_growth;
            const char *verdict = for_free ? row->free_time : row->malloc_time;
            const char *other = for_free ? row->malloc_time : row->free_time;
            ck_assert_double_eq_tol(growth, cases[c].slope, 1e-12);
            require(strcmp(verdict, cases[c].verdict) == 0, "%s slope %.2f: %s",
                    for_free ? "free" : "malloc", cases[c].slope, verdict);
            ck_assert_str_eq(other, "Good");
        }
    }
    const struct lecture_row *row = judge_growth(1.0, 1);
    require(strstr(row->free_why, "mean steps per free grow with live blocks, slope 1.00 on the "
                                  "random series") != NULL,
            "%s", row->free_why);
}
END_TEST

START_TEST(system_calls_decide_before_growth)
{
    world_reset();
    add_small("x");
    add_large("x");
    set_small("x", set_grow_calls, 1.0);
    add_point("x", "random", 100, 1, 1, 1, 1);
    add_point("x", "random", 10000, 100, 100, 100, 100);
    judge();
    const struct lecture_row *row = row_of("x");
    ck_assert_str_eq(row->malloc_time, "Bad");
    require(strstr(row->malloc_why, "calls per malloc") != NULL, "%s", row->malloc_why);
    ck_assert_str_eq(row->free_time, "Bad");
    require(strstr(row->free_why, "steps per free") != NULL, "%s", row->free_why);
}
END_TEST

/* ---- (but could be OK) ------------------------------------------------------------- */

/* The worst single malloc at N = 4 looks at 1000 chunks (worst series);
 * the mean malloc on the fixed series at N = 4 looks at fixed_mean. */
static const struct lecture_row *judge_fixed(double fixed_mean)
{
    world_reset();
    add_small("x");
    add_large("x");
    add_point("x", "worst", 1, 0, 0, 2, 2);
    add_point("x", "worst", 4, 1, 1000, 2, 2);
    add_point("x", "fixed", 1, 0, 1, 2, 2);
    add_point("x", "fixed", 4, fixed_mean, 1, 2, 2);
    judge();
    return row_of("x");
}

START_TEST(could_be_ok_boundary)
{
    static const struct { double mean; const char *verdict; } cases[] = {
        {99.9, "Bad (but could be OK)"}, {100, "Bad (but could be OK)"}, {100.1, "Bad"}, {900, "Bad"}};
    for (size_t c = 0; c < sizeof cases / sizeof cases[0]; c++) {
        const struct lecture_row *row = judge_fixed(cases[c].mean);
        ck_assert_double_eq_tol(row->figures.fixed_to_worst, cases[c].mean / 1000, 1e-12);
        require(strcmp(row->malloc_time, cases[c].verdict) == 0, "fixed mean %.1f: %s (%s)",
                cases[c].mean, row->malloc_time, row->malloc_why);
        ck_assert_str_eq(row->free_time, "Good"); /* "could be OK" is malloc's only */
    }
    const struct lecture_row *row = judge_fixed(5);
    require(strstr(row->malloc_why, "when requests are alike (fixed series, 4 live) a malloc looks "
                                     "at 5.0 chunks on average, 0.50% of the worst call's 1000") !=
                NULL, "%s", row->malloc_why);
}
END_TEST

START_TEST(could_be_ok_needs_a_fixed_series)
{
    world_reset();
    add_small("x");
    add_large("x");
    add_point("x", "worst", 1, 0, 0, 2, 2);
    add_point("x", "worst", 4, 1, 1000, 2, 2);
    judge();
    ck_assert_str_eq(row_of("x")->malloc_time, "Bad");
    require(isnan(row_of("x")->figures.fixed_to_worst), "no fixed series: not measured");
}
END_TEST

/* ---- space ----------------------------------------------------------------------------- */

static void set_mapped(struct replay_result *r, double fraction)
{
    r->peak_mapped_bytes = (size_t)(fraction * (double)r->peak_footprint_bytes + 0.5);
    r->peak_heap_bytes = r->peak_footprint_bytes - r->peak_mapped_bytes;
}

START_TEST(mapped_memory_boundary)
{
    static const struct { double fraction; const char *verdict; } cases[] = {
        {0.499, "Good"}, {0.5, "depends on the OS"}, {0.501, "depends on the OS"}, {1.0, "depends on the OS"}};
    for (size_t c = 0; c < sizeof cases / sizeof cases[0]; c++) {
        world_reset();
        add_good_allocator("x");
        for (size_t i = 0; i < world.run_count; i++) {
            /* 0.1% steps in whole bytes; the footprint a quarter of what is requested */
            run_result(i)->peak_footprint_bytes = 100000;
            world.runs[i].total_requested = 400000;
            set_mapped(run_result(i), cases[c].fraction);
        }
        judge();
        const struct lecture_row *row = row_of("x");
        ck_assert_double_eq_tol(row->figures.mapped_fraction, cases[c].fraction, 1e-12);
        require(strcmp(row->space, cases[c].verdict) == 0, "mapped %.3f: %s", cases[c].fraction,
                row->space);
    }
    /* Mapped on every trace but one: a heap allocator that maps its large chunks. */
    world_reset();
    add_good_allocator("x");
    for (size_t i = 0; i < world.run_count; i++)
        set_mapped(run_result(i), world.runs[i].is_large ? 1.0 : 0.0);
    judge();
    ck_assert_str_eq(row_of("x")->space, "Good");
}
END_TEST

START_TEST(depends_on_the_os_reports_small_and_large_utilization)
{
    world_reset();
    add_good_allocator("x");
    for (size_t i = 0; i < world.run_count; i++) {
        set_mapped(run_result(i), 1.0);
        run_result(i)->utilization = world.runs[i].is_large ? 0.99 : 0.12;
    }
    judge();
    const struct lecture_row *row = row_of("x");
    ck_assert_str_eq(row->space, "depends on the OS");
    require(strstr(row->space_why, "utilization 12% on small chunks, 99% on large") != NULL, "%s",
            row->space_why);
}
END_TEST

static void set_footprint(struct replay_result *r, double of_requested)
{
    r->peak_footprint_bytes = r->peak_heap_bytes = (size_t)(of_requested * 4000 + 0.5);
}

START_TEST(no_reuse_boundary)
{
    /* Utilization stays 0.8: only the footprint against everything requested moves. */
    static const struct { double footprint; const char *verdict; } cases[] = {
        {0.74975, "Good"}, {0.75, "Bad"}, {0.75025, "Bad"}, {1.0, "Bad"}};
    for (size_t c = 0; c < sizeof cases / sizeof cases[0]; c++) {
        world_reset();
        for (int i = 0; i < 3; i++)
            add_small("x");
        set_small("x", set_footprint, cases[c].footprint);
        judge();
        const struct lecture_row *row = row_of("x");
        ck_assert_double_eq_tol(row->figures.reuse_footprint, cases[c].footprint, 1e-12);
        ck_assert_uint_eq(row->figures.reuse_traces, 3);
        require(strcmp(row->space, cases[c].verdict) == 0, "footprint %.5f: %s",
                cases[c].footprint, row->space);
    }
    require(strstr(row_of("x")->space_why, "freed memory is never reused: on the 3 reuse-heavy "
                                           "traces the peak footprint is 100%") != NULL,
            "%s", row_of("x")->space_why);
}
END_TEST

static void set_utilization(struct replay_result *r, double utilization)
{
    r->utilization = utilization;
}

START_TEST(utilization_boundary)
{
    static const struct { double utilization; const char *verdict; } cases[] = {
        {0.49, "Bad"}, {0.5, "Good"}, {0.51, "Good"}};
    for (size_t c = 0; c < sizeof cases / sizeof cases[0]; c++) {
        /* the large trace alone keeps 0.8: the median is the small traces' */
        const struct lecture_row *row = judge_changed(set_utilization, cases[c].utilization);
        ck_assert_double_eq_tol(row->figures.reuse_utilization, cases[c].utilization, 1e-12);
        require(strcmp(row->space, cases[c].verdict) == 0, "utilization %.2f: %s",
                cases[c].utilization, row->space);
    }
}
END_TEST

/* The "(but fragments)" rule: one reuse-heavy trace of four below
 * LECTURE_FRAGMENTS (0.15) while the median stays 0.8. */
START_TEST(fragments_boundary)
{
    static const struct { double worst; const char *verdict; } cases[] = {
        {0.149, "Good (but fragments)"}, {0.15, "Good"}, {0.151, "Good"}, {0.01, "Good (but fragments)"}};
    for (size_t c = 0; c < sizeof cases / sizeof cases[0]; c++) {
        world_reset();
        add_good_allocator("x");
        run_result(0)->utilization = cases[c].worst; /* a small-chunk run; the others keep 0.8 */
        judge();
        const struct lecture_row *row = row_of("x");
        ck_assert_uint_eq(row->figures.reuse_traces, 4);
        ck_assert_double_eq_tol(row->figures.reuse_worst_utilization, cases[c].worst, 1e-12);
        ck_assert_double_eq_tol(row->figures.reuse_utilization, 0.8, 1e-12);
        require(strcmp(row->space, cases[c].verdict) == 0, "worst utilization %.3f: %s (%s)",
                cases[c].worst, row->space, row->space_why);
    }
    require(strstr(row_of("x")->space_why, "but on one of them it falls to 1%") != NULL, "%s",
            row_of("x")->space_why);
}
END_TEST

START_TEST(fragments_comes_after_the_bad_rules)
{
    /* The median below one half: Bad, whatever the worst trace. */
    const struct lecture_row *row = judge_changed(set_utilization, 0.10);
    ck_assert_str_eq(row->space, "Bad");
}
END_TEST

/* ---- the large-chunk series: measured, never judged ---------------------------------- */

START_TEST(large_series_is_reported_not_judged)
{
    world_reset();
    add_good_allocator("x");
    /* bins' final bin: every large malloc walks the chunks there, slope 1 */
    add_point("x", "large", 1, 0, 0, 0, 0);
    add_point("x", "large", 4, 3, 3, 0, 0);
    add_point("x", "other", 1, 0, 0, 0, 0); /* an unknown series: not read at all */
    add_point("x", "other", 4, 3, 3, 3, 3);
    judge();
    const struct lecture_row *row = row_of("x");
    ck_assert_str_eq(row->malloc_time, "Good");
    ck_assert_str_eq(row->free_time, "Good");
    ck_assert_double_eq_tol(row->figures.large_malloc_growth, 1.0, 1e-12);
    ck_assert_double_eq_tol(row->figures.malloc_growth, 0.0, 1e-12);
    require(strstr(row->malloc_why, "large-chunk series: slope 1.00 (grows, not judged") != NULL,
            "%s", row->malloc_why);
    require(strstr(row->free_why, "large-chunk") == NULL, "%s", row->free_why);
    ck_assert_int_eq(lecture_judged_series("large"), 0);
    ck_assert_int_eq(lecture_judged_series("worst"), 1);
    ck_assert_int_eq(lecture_judged_series(NULL), 0);

    /* Without the series: no figure and nothing said. */
    world_reset();
    add_good_allocator("x");
    judge();
    require(isnan(row_of("x")->figures.large_malloc_growth), "no large series: NAN");
    require(strstr(row_of("x")->malloc_why, "large-chunk") == NULL, "%s", row_of("x")->malloc_why);
}
END_TEST

/* ---- allocators as wholes ---------------------------------------------------------------- */

/* Measurements shaped like the lecture's allocators (the real ones' figures,
 * rounded), under whatever name is given. */
static void add_like(const char *name, const char *like)
{
    add_good_allocator(name);
    for (size_t i = 0; i < world.run_count; i++) {
        if (strcmp(world.runs[i].allocator, name) != 0)
            continue;
        struct replay_result *r = run_result(i);
        int large = world.runs[i].is_large;
        if (strcmp(like, "minimal") == 0 || strcmp(like, "pad") == 0) {
            /* never reuses: footprint just over everything requested */
            r->peak_footprint_bytes = r->peak_heap_bytes = world.runs[i].total_requested + 64;
            r->utilization = (double)r->peak_live_bytes / (double)r->peak_footprint_bytes;
            r->brk_calls = strcmp(like, "minimal") == 0 ? r->malloc_ops : r->malloc_ops / 12;
            r->ns_per_op = large ? 200 : 30;
        } else if (strcmp(like, "mmap") == 0) {
            r->peak_mapped_bytes = r->peak_footprint_bytes;
            r->peak_heap_bytes = 0;
            r->mmap_calls = r->malloc_ops;
            r->munmap_calls = r->free_ops;
            r->ns_per_op = large ? 2800 : 3500;
        } else if (!large) {
            r->ns_per_op = strcmp(like, "list") == 0 ? 130 : 60;
        } else {
            r->ns_per_op = 650;
        }
    }
    for (size_t i = 0; i < world.point_count; i++) {
        struct lecture_point *p = &world.points[i];
        if (strcmp(p->allocator, name) != 0)
            continue;
        struct replay_result *r = point_result(i);
        double n = (double)p->live_blocks;
        int worst = strcmp(p->series, "worst") == 0, fixed = strcmp(p->series, "fixed") == 0;
        if (strcmp(like, "minimal") == 0 || strcmp(like, "pad") == 0 || strcmp(like, "mmap") == 0) {
            *r = (struct replay_result){.status = REPLAY_OK};
        } else if (strcmp(like, "list") == 0) {
            /* address order: every walk grows, least when requests are alike */
            r->steps_per_malloc = worst ? n / 2 : fixed ? pow(n, 0.6) : pow(n, 0.6) * 3;
            r->max_steps_malloc = (uint64_t)(worst ? n : fixed ? 2 * pow(n, 0.6) : n / 4);
            r->steps_per_free = worst ? 0.6 * n : fixed ? n / 25 : n / 14;
            r->max_steps_free = (uint64_t)n;
        } else if (strcmp(like, "dlist") == 0) {
            r->steps_per_malloc = worst ? 1.25 : fixed ? 1 : pow(n, 0.3);
            r->max_steps_malloc = (uint64_t)(worst ? n + 1 : fixed ? 1 : n / 3);
        }
    }
}

START_TEST(the_lecture_rows_from_lecture_shaped_measurements)
{
    static const char *const six[] = {"minimal", "pad", "list", "dlist", "bins", "mmap"};
    world_reset();
    for (size_t a = 0; a < 6; a++)
        add_like(six[a], six[a]);
    judge();
    ck_assert_int_eq(world.row_count, 6);
    for (size_t a = 0; a < 6; a++) {
        const struct lecture_row *row = &world.rows[a];
        ck_assert_str_eq(row->allocator, six[a]); /* in the order of the runs */
        int same = strcmp(six[a], "mmap") == 0 ? LECTURE_SAME_AS_READING : LECTURE_SAME_AS_LECTURE;
        require(lecture_matches(six[a], row) == same, "%s: %s / %s / %s\n  %s\n  %s\n  %s", six[a],
                row->space, row->malloc_time, row->free_time, row->space_why, row->malloc_why,
                row->free_why);
    }
}
END_TEST

START_TEST(an_unknown_allocator_is_judged_by_the_same_rules)
{
    world_reset();
    add_like("list", "list");
    add_like("student", "list");
    add_like("bins", "minimal"); /* a name is no verdict */
    judge();
    const struct lecture_row *list = row_of("list"), *student = row_of("student");
    ck_assert_str_eq(student->space, "Good");
    ck_assert_str_eq(student->malloc_time, "Bad (but could be OK)");
    ck_assert_str_eq(student->free_time, "Bad");
    ck_assert_str_eq(student->space_why, list->space_why);
    ck_assert_str_eq(student->malloc_why, list->malloc_why);
    ck_assert_str_eq(student->free_why, list->free_why);
    ck_assert_int_eq(lecture_matches("student", student), -1);
    ck_assert_int_eq(lecture_matches("list", student), 1);

    const struct lecture_row *bins = row_of("bins");
    ck_assert_str_eq(bins->space, "Bad");
    ck_assert_str_eq(bins->malloc_time, "Bad");
    ck_assert_str_eq(bins->free_time, "Good");
    ck_assert_int_eq(lecture_matches("bins", bins), 0);
    ck_assert_int_eq(lecture_matches("minimal", bins), 1);
}
END_TEST

START_TEST(rows_follow_first_appearance_and_max_rows)
{
    world_reset();
    add_small("b");
    add_small("a");
    add_small("b");
    add_point("c", "random", 100, 1, 1, 1, 1); /* only in the series */
    add_point("c", "random", 1000, 1, 1, 1, 1);
    struct lecture_measurements m = {world.runs, world.run_count, world.points, world.point_count};
    struct lecture_row rows[3];
    ck_assert_int_eq(lecture_judge(&m, rows, 3), 3);
    ck_assert_str_eq(rows[0].allocator, "b");
    ck_assert_str_eq(rows[1].allocator, "a");
    ck_assert_str_eq(rows[2].allocator, "c");
    ck_assert_str_eq(rows[2].space, "not measured");
    ck_assert_str_eq(rows[2].malloc_time, "Good"); /* flat, and no system calls seen */
    require(strstr(rows[2].malloc_why, "no small-chunk trace replayed") != NULL, "%s",
            rows[2].malloc_why);
    ck_assert_int_eq(lecture_judge(&m, rows, 2), 2);
    ck_assert_str_eq(rows[1].allocator, "a");
    struct lecture_measurements none = {NULL, 0, NULL, 0};
    ck_assert_int_eq(lecture_judge(&none, rows, 3), 0);
}
END_TEST

int main(void)
{
    const struct test_group groups[] = {
        {"time", {malloc_system_calls_boundary, free_system_calls_boundary,
                  size_qualifier_boundaries, size_qualifier_needs_a_system_call_verdict,
                  growth_boundaries, system_calls_decide_before_growth, could_be_ok_boundary,
                  could_be_ok_needs_a_fixed_series}},
        {"space", {mapped_memory_boundary, depends_on_the_os_reports_small_and_large_utilization,
                   no_reuse_boundary, utilization_boundary, fragments_boundary,
                   fragments_comes_after_the_bad_rules, large_series_is_reported_not_judged}},
        {"rows", {the_lecture_rows_from_lecture_shaped_measurements,
                  an_unknown_allocator_is_judged_by_the_same_rules,
                  rows_follow_first_appearance_and_max_rows}},
    };
    return run_test_groups("lecture-table", groups, sizeof groups / sizeof groups[0], NULL);
}
