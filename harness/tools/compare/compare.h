/*
 * compare.h — what the files of dmm-compare share: the state of one run
 * and the writers of the report folder.
 *
 *   compare.c       the command line and the order of work: the allocators,
 *                   the runs, the lecture's table
 *   compare_files.c the report folder (its marker and the list of files it
 *                   holds), the CSV files derived from the runs, machine.txt,
 *                   the progress line
 *   compare_tools.c the programs compare runs: dmm-gen for the traces,
 *                   gnuplot for the charts; a module asked in a child process
 *   compare_policies.c  --policies NAME: one allocator across its placement
 *                   policies (policies.csv, policies-pairs.csv)
 *   compare_ratios.c  every allocator against glibc's baseline
 *   html.c          index.html
 *
 * docs/compare.md describes the report folder file by file.
 */
#ifndef DMM_COMPARE_H
#define DMM_COMPARE_H

#include "lecture_table.h"
#include "runner.h"
#include "trace.h"

#include <stddef.h>
#include <stdio.h>

/* The marker that makes a folder a report folder: compare writes into, and
 * empties, only a folder that holds it (or an empty one). It lists the
 * files compare wrote, so the next run removes exactly those. */
#define COMPARE_MARKER ".dmm-report"

/* The scaling series (scaling.csv's order) and their sizes N: live blocks
 * (worst: small free chunks; large: large free chunks); --quick stops after
 * the third size. `large` shows bins' last bin walked (the lecture's "could
 * be bad for large chunks"); the lecture's table measures it but judges only
 * the other three (lecture_judged_series, lecture_table.h). */
#define COMPARE_SERIES 4
#define COMPARE_LIVE_COUNTS 5
#define COMPARE_QUICK_LIVE_COUNTS 3
extern const char *const compare_series[COMPARE_SERIES];            /* random worst fixed large */
extern const unsigned compare_live_counts[COMPARE_LIVE_COUNTS];      /* 100 ... 10000 */

/* The steps of the progress line. */
#define COMPARE_STEPS 7

/* One pair of the scaling series. */
struct compare_point {
    const char *series;      /* "random", "worst", "fixed" or "large" */
    unsigned live_blocks;    /* N: live blocks (worst, large: free chunks in front) */
    struct runner_pair pair; /* the trace scaling-SERIES-N, and its result */
};

/* One placement policy of the allocator --policies charts. */
struct compare_variant {
    char policy[64];             /* "fit=best,order=lifo": DMM_POLICY in the child */
    char fit[16], order[16];     /* its parts; "" when the allocator offers no choice there */
    char label[128];             /* "dlist fit=best,order=lifo": the name every file uses */
};

struct compare {
    /* What to do. */
    const char *report;          /* the report folder */
    const char *policies;        /* --policies NAME: that allocator across its placement
                                    policies, instead of every allocator; NULL: the usual run */
    unsigned repeat;             /* steady replays per timing run */
    unsigned jobs;               /* checking passes side by side (-j); timing runs alone */
    int quick;                   /* the first three sizes of the scaling series only */
    int plots;                   /* run the plots/ scripts when gnuplot is there */
    int tty;                     /* stderr is a terminal: the progress line is rewritten */
    const char *no_plots;        /* why no chart was drawn, for index.html; NULL: gnuplot ran */
    char date[64];               /* when the run started, for machine.txt and index.html */

    /* The allocators, in report order. */
    const char **asked;          /* as the runner loads them ("list", "mine") */
    const char **names;          /* as their dmm_name() says: every file of the report uses these */
    size_t allocator_count;

    /* The bundled traces, then large.trace. */
    struct trace *traces;
    size_t trace_count, bundled_count; /* the first bundled_count are the bundled ones */
    struct runner_pair *pairs;   /* allocator_count * trace_count, allocator by allocator */

    struct compare_point *points; /* the scaling series, allocator by allocator */
    size_t point_count;

    struct lecture_row *rows;    /* the measured lecture table, one row per allocator */
    size_t row_count;            /* 0 until it is judged */

    FILE *manifest;              /* the marker file, open for appending */

    /* --policies: the allocator's variants, and their pairs on the traces
     * (variant-major, trace_count each) and on the scaling series. */
    struct compare_variant *variants;
    size_t variant_count;
    struct runner_pair *variant_pairs;
    struct compare_point *variant_points; /* variant-major, live_count * COMPARE_SERIES each */
    size_t variant_point_count;
};

/* ---- the report folder (compare_files.c) --------------------------------- */

/* Bytes of a path; --report may take at most COMPARE_REPORT_MAX of them, so
 * that every file of the report fits. */
#define COMPARE_PATH_BYTES 4096
#define COMPARE_REPORT_MAX 2048

/* REPORT/relative in path; 0, or -1 (path "") when it does not fit. */
int compare_path(const struct compare *c, const char *relative,
                 char path[COMPARE_PATH_BYTES]);

/* Makes the report folder ready: creates it, or empties an earlier
 * report's files from it (only those its marker lists); refuses a folder
 * that is neither empty nor a report. Then writes a new marker. Returns 0,
 * or -1 with a one-line message in error. */
int compare_open_report(struct compare *c, char *error, size_t error_size);

/* Opens REPORT/relative for writing (its folder must exist) and lists it in
 * the marker; NULL after printing why. */
FILE *compare_create(struct compare *c, const char *relative);

/* Lists REPORT/relative in the marker, for a file written by someone else
 * (a child process, gnuplot), when it exists. */
void compare_record(struct compare *c, const char *relative);

/* Closes a file from compare_create; 0, or -1 after printing why. */
int compare_close(struct compare *c, FILE *file, const char *relative);

/* Creates REPORT/relative (a folder); 0, or -1 after printing why. */
int compare_make_folder(struct compare *c, const char *relative);

/* Copies a file into the report; 0, or -1 after printing why. */
int compare_copy(struct compare *c, const char *from, const char *relative);

/* ---- what the runs wrote (compare_files.c) --------------------------------- */

/* The pair (allocator a, trace t) of the bundled traces' runs. */
static inline const struct runner_pair *compare_pair(const struct compare *c, size_t a,
                                                     size_t t)
{
    return &c->pairs[a * c->trace_count + t];
}

/* 1 when r has times: it passed and the run timed it (--repeat > 0). */
static inline int compare_timed(const struct compare *c, const struct replay_result *r)
{
    return c->repeat > 0 && r->status == REPLAY_OK && r->ops > 0;
}

/* results.csv, results.json, syscalls.csv, footprint.csv, allocators.txt,
 * and the charts' tables (compare_write_chart_data). 0, or -1 after
 * printing why. */
int compare_write_results(struct compare *c);

/* The charts' tables (chart_data.c): time-wide.csv (steady state),
 * cold-wide.csv (cold start), utilization-wide.csv, time-summary.csv,
 * time-traces.csv, space-summary.csv; the time tables hold only the traces
 * long enough to time (charts.h). 0, or -1 after printing why. */
int compare_write_chart_data(struct compare *c);

/* ratios-to-glibc.csv, and a summary table printed to summary (when not
 * NULL): every allocator against glibc's baseline on the bundled traces.
 * Writes nothing when glibc was not run. Returns 0, or -1 (compare_ratios.c). */
int compare_write_ratios(struct compare *c, FILE *summary);

/* scaling.csv. 0, or -1 after printing why. */
int compare_write_scaling(struct compare *c);

/* scaling-slopes.csv (lecture_slope over each series). 0, or -1 after
 * printing why. */
int compare_write_slopes(struct compare *c);

/* 1 when the allocator's heap map is drawn: its pair on the lecture's demo
 * passed and moved the program break (heapmap.gp draws those). */
int compare_draws_heap_map(const struct compare *c, size_t allocator);

/* machine.txt; its text also goes to *text (malloc'd) for index.html. */
int compare_write_machine(struct compare *c, char **text);


/* "[3/7] what" on stderr: rewritten in place on a terminal, one line each
 * otherwise; compare_progress_done clears it before other output. */
__attribute__((format(printf, 3, 4)))
void compare_progress(const struct compare *c, unsigned step, const char *format, ...);
void compare_progress_done(const struct compare *c);

/* "dmm-compare: warning: ..." on stderr, below the progress line. */
__attribute__((format(printf, 2, 3)))
void compare_warn(const struct compare *c, const char *format, ...);

/* ---- other programs (compare_tools.c) ----------------------------------------- */

/* What compare_ask_module asks a module. */
enum compare_ask {
    COMPARE_ASK_NAME,    /* its dmm_name() */
    COMPARE_ASK_POLICIES /* its dmm_policy_choices(); "" when it defines none */
};

/* Loads allocator `asked` (a name or a module's path) in a child process,
 * so that a module that crashes while loading cannot take compare with it,
 * and puts its answer in out (cut to size - 1 bytes). Returns 0, or -1 when
 * the module could not be loaded or the child failed. */
int compare_ask_module(const char *asked, enum compare_ask what, char *out, size_t size);

/* REPORT/traces/scaling-SERIES-N.trace for series s at compare_live_counts[n],
 * relative to the report. */
void compare_scaling_trace(size_t s, size_t n, char *relative, size_t size);

/* large.trace and the scaling traces up to live_counts sizes, by dmm-gen.
 * 0, or -1 after printing why. */
int compare_generate_traces(struct compare *c, size_t live_counts);

/* Every chart of plots/ by gnuplot, when it is installed and c->plots;
 * sets c->no_plots when none could be drawn. A chart that fails is a
 * warning. With --policies, plots/policies.gp only; without, every script
 * but that one. */
void compare_draw_plots(struct compare *c);

/* ---- one allocator across its placement policies (compare_policies.c) ------- */

/* c->policies' variants into c->variants: every fit times every order its
 * dmm_policy_choices() offers. Returns 0, or -1 with a one-line message in
 * error: an unknown allocator, one that cannot be loaded, or one without
 * policies (the message then names the built allocators that have them). */
int compare_policy_variants(struct compare *c, char *error, size_t error_size);

/* Every variant on the loaded traces (c->traces) and on the scaling series
 * up to live_count sizes, then policies.csv and policies-pairs.csv.
 * Returns 0, or -1 when the runner or a file failed (after printing why). */
int compare_run_policies(struct compare *c, size_t live_count);

/* The variants' summary table on out, and the pairs that did not pass;
 * returns how many did not. */
size_t compare_print_policies(const struct compare *c, FILE *out);

/* ---- index.html (html.c) ---------------------------------------------------- */

/* Writes REPORT/index.html from the run and machine.txt's text. 0, or -1
 * after printing why. */
int html_write_index(struct compare *c, const char *machine);

#endif /* DMM_COMPARE_H */
