/*
 * lecture_table.h — the lecture's closing table, regenerated from
 * measurements: for each allocator a verdict on space, malloc time and free
 * time, each with a one-line "why" that names the figures it came from.
 *
 *   allocator  space              malloc time                           free time
 *   minimal    Bad                Bad                                   Good
 *   list       Good               Bad (but could be OK)                 Bad
 *   mmap       depends on the OS  Bad for small chunks, Good for large  ...
 *
 * The rules (docs/lecture-table.md states each, with its threshold and why
 * it is there) read only the measurements below, never an allocator's
 * name: a student's allocator is judged exactly like the lecture's own.
 * What they are compared with (lecture_reference) has a source: the
 * lecture's own row — its "Summary (so far)" table has five: minimal, pad,
 * list, dlist (its "doubly linked List"), bins — or dmm's reading of
 * another slide (mmap, gnu, segregated, unsorted), with the slide's words
 * quoted beside it. Neither is ever read by a rule.
 *
 * Inside: lecture_figures.c takes the figures from the measurements,
 * lecture_table.c applies the rules, lecture_output.c writes the rows.
 *
 * Everything here is a pure function of its arguments, except the two
 * writers, which print to the FILE they are given.
 */
#ifndef DMM_LECTURE_TABLE_H
#define DMM_LECTURE_TABLE_H

#include "replay.h"
#include "trace.h"

#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

/* ---- the thresholds (docs/lecture-table.md says why each is where it is) -- */

#define LECTURE_REUSE_LIVE 0.5        /* reuse-heavy trace: peak live <= this * bytes requested */
#define LECTURE_SYSCALLS_BAD 0.5      /* system calls per malloc (or free): Bad at or above */
#define LECTURE_GROWTH_BAD 0.5        /* log-log slope of steps against live blocks: Bad at or above */
#define LECTURE_COULD_BE_OK 0.1       /* fixed-series mean / worst single call: "could be OK" at or below */
#define LECTURE_SIZE_RATIO 20.0       /* ns per op / the median allocator's: "dear" at or above */
#define LECTURE_CALL_DEAR 10.0        /* a call's time / the amortising allocators': the system
                                         calls are dear (Bad) at or above */
#define LECTURE_MAPPED_OS 0.5         /* mapped / peak footprint on every trace: "depends on the OS" at or above */
#define LECTURE_NO_REUSE 0.75         /* peak footprint / bytes requested: never reused at or above */
#define LECTURE_UTILIZATION_BAD 0.5   /* utilization on reuse-heavy traces: Bad below */
#define LECTURE_FRAGMENTS 0.15        /* worst utilization on a reuse-heavy trace: "(but fragments)" below */

/* ---- the measurements ------------------------------------------------------ */

/* One (allocator, trace) pair, straight from runner_run's struct runner_pair:
 *   { name, &pair.result, lecture_total_requested(pair.trace), pair.trace == large } */
struct lecture_run {
    const char *allocator;               /* its dmm_name(); rows are grouped by it */
    const struct replay_result *result;  /* only status REPLAY_OK results are used */
    uint64_t total_requested;            /* bytes the trace asks for, lecture_total_requested() */
    int is_large;                        /* 1: the large-chunk trace (128 to 512 KiB chunks) */
};

/* One point of a scaling series: a scaling trace replayed by one allocator. */
struct lecture_point {
    const char *allocator;               /* its dmm_name() */
    const char *series;                  /* "random", "worst", "fixed" (judged) or "large"
                                            (large chunks: reported, not judged) */
    uint64_t live_blocks;                /* N: live blocks (worst: small free chunks), > 0 */
    const struct replay_result *result;  /* steps_per_malloc/free, max_steps_malloc/free used */
};

struct lecture_measurements {
    const struct lecture_run *runs;      /* the bundled traces and the large-chunk trace */
    size_t run_count;
    const struct lecture_point *points;  /* the three scaling series; may be empty */
    size_t point_count;
};

/* ---- what the rules found -------------------------------------------------- */

/* The figures the rules compare with their thresholds; NAN when not measured. */
struct lecture_figures {
    double syscalls_per_malloc;  /* (brk + mmap) / (malloc + calloc + realloc), small-chunk traces */
    double munmaps_per_free;     /* munmap / free, small-chunk traces */
    double malloc_growth;        /* largest slope of steps per malloc (mean or worst call) */
    double free_growth;          /* the same for free */
    double fixed_to_worst;       /* fixed series: mean steps per malloc / the worst single malloc */
    double ratio_small;          /* median cold ns/op on small-chunk traces / the median
                                    allocator's (steady ns/op when there is no cold figure) */
    double ratio_large;          /* the same on the large-chunk trace */
    double malloc_call_ratio;    /* median malloc_ns, small-chunk traces / the same median of the
                                    allocators that amortise their system calls (< 0.5 per malloc)
                                    in the same run */
    double free_call_ratio;      /* the same for free_ns (< 0.5 munmap calls per free) */
    double mapped_fraction;      /* smallest, over the traces, of peak mapped / peak footprint */
    double reuse_footprint;      /* median, reuse-heavy traces, of peak footprint / bytes requested */
    double reuse_utilization;    /* median utilization on the reuse-heavy traces */
    double reuse_worst_utilization; /* the lowest utilization on one reuse-heavy trace */
    size_t reuse_traces;         /* how many traces were reuse-heavy */
    double large_malloc_growth;  /* the same slope on the large-chunk series ("large"): reported
                                    in malloc's why, never judged (docs/lecture-table.md) */
};

#define LECTURE_NAME_MAX 64
#define LECTURE_VERDICT_MAX 48  /* the longest: "Bad for small chunks, Good for large" */
#define LECTURE_WHY_MAX 384

struct lecture_row {
    char allocator[LECTURE_NAME_MAX];
    char space[LECTURE_VERDICT_MAX];
    char malloc_time[LECTURE_VERDICT_MAX];
    char free_time[LECTURE_VERDICT_MAX];
    char space_why[LECTURE_WHY_MAX];      /* one line each, naming the measured figures */
    char malloc_why[LECTURE_WHY_MAX];
    char free_why[LECTURE_WHY_MAX];
    struct lecture_figures figures;
};

/* ---- the functions --------------------------------------------------------- */

/* Bytes a trace asks for over its whole run: the size of every malloc and
 * realloc and nmemb * size of every calloc (saturating at UINT64_MAX). */
uint64_t lecture_total_requested(const struct trace *trace);

/* The large-chunk scaling series' name: measured, never judged. */
#define LECTURE_LARGE_SERIES "large"

/* 1 for the scaling series the growth rule reads ("random", "worst",
 * "fixed": small chunks, as the lecture's table measures them), 0 for any
 * other (the large-chunk series, or a name it does not know). */
int lecture_judged_series(const char *series);

/* Least-squares slope of log(y + 1) against log(x) over n points: about 1
 * when y grows in proportion to x, 0 when it stays flat. The + 1 keeps a
 * step count of 0 (no search at all) finite. NAN when fewer than two
 * distinct x, or an x <= 0 or a y <= -1. */
double lecture_slope(const double *x, const double *y, size_t n);

/* Applies the rules: one row per allocator, in the order the allocators
 * first appear in runs, then in points. Returns the number of rows (at most
 * max_rows; allocators beyond it are left out), or -1 when memory for the
 * medians ran out. */
int lecture_judge(const struct lecture_measurements *measurements, struct lecture_row *rows,
                  size_t max_rows);

/* Where the row an allocator is compared with comes from. */
enum lecture_source {
    LECTURE_NO_ROW = -1,  /* neither the lecture nor dmm has a row for it (glibc, a student's) */
    LECTURE_OWN_ROW = 0,  /* the lecture's "Summary (so far)" table, its own words */
    LECTURE_READING = 1,  /* dmm's reading of another slide, whose words are quoted */
};

struct lecture_reference {
    const char *allocator;
    enum lecture_source source;
    const char *space, *malloc_time, *free_time; /* in the rules' words */
    const char *quote;   /* the slide, and its words: what the verdicts stand on */
};

/* What allocator is compared with, or NULL (LECTURE_NO_ROW). */
const struct lecture_reference *lecture_reference(const char *allocator);

/* "lecture", "dmm's reading", or "" for LECTURE_NO_ROW: the CSV's source. */
const char *lecture_source_name(enum lecture_source source);

/* The verdicts allocator is compared with. Returns its source:
 * LECTURE_OWN_ROW (0) for the lecture's own row, LECTURE_READING (1) for
 * dmm's reading of a slide (outputs set for both), or LECTURE_NO_ROW (-1,
 * outputs untouched). */
int lecture_expected(const char *allocator, const char **space, const char **malloc_time,
                     const char **free_time);

/* lecture_matches: the three verdicts are the lecture's own row's
 * (LECTURE_SAME_AS_LECTURE), dmm's reading's (LECTURE_SAME_AS_READING),
 * 0 when any differs from the row allocator is compared with, -1 when
 * there is none (LECTURE_NO_ROW). */
#define LECTURE_SAME_AS_LECTURE 1
#define LECTURE_SAME_AS_READING 2
int lecture_matches(const char *allocator, const struct lecture_row *row);

/* allocator,space,malloc_time,free_time,space_why,malloc_why,free_why,source,quote —
 * header row first, RFC 4180 quoting; source is lecture_source_name's word
 * and quote the reference's (both empty without one). Columns are only ever
 * appended, so readers of the first seven keep working. Returns 0, or -1
 * if writing failed. */
int lecture_write_csv(FILE *out, const struct lecture_row *rows, size_t count);

/* An aligned table: each measured row with the row it is compared with
 * beneath it, labelled "lecture" (the lecture's own) or "reading" (dmm's
 * reading, the slide's words quoted on the next line), and a '*' on every
 * verdict that differs; then, when show_why, the reasons.
 * Returns 0, or -1 if writing failed. */
int lecture_print_table(FILE *out, const struct lecture_row *rows, size_t count, int show_why);

#endif /* DMM_LECTURE_TABLE_H */
