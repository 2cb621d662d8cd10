/*
 * replay_run.h — running dmm-replay as a subprocess in a scratch folder,
 * for check_replay.c (the command line) and check_replay_broken.c (the
 * broken allocators): the small traces every test writes there, the CSV
 * it writes, parsed, and the assertions on its rows.
 */
#ifndef DMM_REPLAY_RUN_H
#define DMM_REPLAY_RUN_H

#include <stddef.h>

#define MODULE(name) DMM_TEST_MODULE_DIR "/libdmm-" name ".so"

/* Every broken module trips on this trace; the comments say where. Op
 * numbers count operations from 1, line numbers count every line. */
static const char tricky_trace[] =
    "# check_replay: each broken allocator fails at a known operation\n" /* line 1 */
    "a 0 64\n"    /* line 2, op #1 */
    "a 1 64\n"    /* line 3, op #2 */
    "a 2 64\n"    /* line 4, op #3: overlap returns a pointer inside block 1 */
    "a 3 48\n"    /* line 5, op #4: misaligned's fourth malloc is off by 8 */
    "f 1\n"       /* line 6, op #5: corrupt flips a byte of block 0 */
    "f 0\n"       /* line 7, op #6: ... which the check before this free finds */
    "r 2 128\n"   /* line 8, op #7: realloc-loses does not copy */
    "a 4 32\n"    /* line 9, op #8: the sixth malloc (one was inside realloc): crash, hang */
    "c 5 4 16\n"  /* line 10, op #9: live bytes peak here: 128 + 48 + 32 + 64 */
    "r 4 0\n"
    "f 2\n"
    "f 3\n"
    "f 5\n"
    "f -1\n";     /* line 15, op #14 */
#define TRICKY_OPS "14"
#define TRICKY_PEAK_LIVE "272"

/* A CMU Malloc Lab trace: heap size, IDs, ops, weight, then the ops. */
static const char small_rep[] = "20000\n3\n8\n1\n"
                                "a 0 512\na 1 128\nr 0 640\na 2 128\nf 1\nr 0 768\nf 0\nf 2\n";
#define SMALL_REP_PEAK_LIVE "896" /* after op 6: 768 + 128 */

/* Line 3 is wrong: the parser names it, and nothing runs. */
static const char bad_trace[] = "a 0 64\nf 0\nx 1 2\n";

#define CSV_HEADER                                                                           \
    "allocator,trace,status,ops,ns_per_op,malloc_ns,calloc_ns,realloc_ns,free_ns,"           \
    "kops_per_sec,peak_live_bytes,peak_footprint_bytes,peak_heap_bytes,peak_mapped_bytes,"   \
    "utilization,at_peak_payload,at_peak_internal,at_peak_external,brk_calls,mmap_calls,"    \
    "munmap_calls,steps_per_malloc,steps_per_free,max_steps_malloc,max_steps_free,"          \
    "minor_faults,message,ns_per_op_min,ns_per_op_max,cold_ns_per_op,steady_minor_faults,"  \
    "instr_per_op,at_peak_metadata,at_peak_never_reused,at_peak_unwalked"
#define CSV_COLUMNS 35
#define MAX_ROWS 64

/* ---- a scratch folder per test ------------------------------------------- */

/* The checked fixture: a fresh scratch folder holding tricky.trace,
 * small.rep and bad.trace; removed, with everything in it, after the test. */
void scratch_setup(void);
void scratch_teardown(void);

/* path of name inside the scratch folder, in one of a few rotating buffers */
const char *in_scratch(const char *name);
void write_text(const char *name, const char *text);
/* The whole file, NUL-terminated; NULL when it does not exist. */
char *read_text(const char *path);

/* ---- running dmm-replay ------------------------------------------------------ */

struct run {
    int status;                     /* exit status; -1 when a signal ended it */
    char *out, *err;                /* what it printed */
    char *csv;                      /* the --csv file; NULL when none was written */
    char *cells[MAX_ROWS + 1][CSV_COLUMNS]; /* row 0 is the header */
    size_t rows;                    /* data rows */
};


/* Runs dmm-replay with the arguments (NULL-terminated), and --csv into the
 * scratch folder first. Waits for it and collects what it wrote, which
 * scratch_teardown frees. */
struct run run_replay(const char *first, ...);

/* The field of a data row (0-based) under the header's column name; the
 * same as a number (the test fails unless it is one). */
const char *cell(const struct run *run, size_t row, const char *column);
double number(const struct run *run, size_t row, const char *column);

/* Every one of the rows is ok, with an empty message. */
void assert_ok(const struct run *run, size_t row);
void assert_contains(const char *text, const char *part);

#endif /* DMM_REPLAY_RUN_H */
