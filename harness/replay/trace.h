/*
 * trace.h — malloc/free scripts, parsed fully into memory before replay.
 *
 * Step of the data flow: trace file -> [parse] -> pair -> child process ->
 * checking pass -> timing -> result -> table/CSV/JSON.
 *
 * Two formats, recognised automatically (docs/traces.md):
 *
 *   dmm's own            CMU Malloc Lab .rep (read unchanged)
 *   # comment            20000        suggested heap size (ignored)
 *   a ID SIZE            3            number of IDs (checked)
 *   c ID NMEMB SIZE      8            number of operations (a warning if off)
 *   r ID SIZE            1            weight (kept: rep_weight, for dmm-grade)
 *   f ID                 a 0 512
 *   f -1   (free NULL)   r 0 1024 ... f 0
 *
 * A .rep header is those 4 numbers or, as some courses ship them, 2: the
 * number of IDs and of operations. CRLF line ends read as LF.
 *
 * IDs are non-negative integers, not necessarily dense; the parser maps
 * them to dense slots 0 .. slot_count-1 so the replay can index arrays.
 * The parser tracks which IDs are live, so a trace that frees an ID that is
 * not live, or mallocs one that is, is rejected with its line number.
 */
#ifndef DMM_TRACE_H
#define DMM_TRACE_H

#include <stddef.h>
#include <stdint.h>

enum trace_format { TRACE_FORMAT_DMM, TRACE_FORMAT_REP };

#define TRACE_NO_SLOT UINT32_MAX /* the slot of `f -1`: free(NULL) */

struct trace_op {
    char kind;     /* 'a' malloc, 'c' calloc, 'r' realloc, 'f' free */
    uint32_t slot; /* dense index of the ID; TRACE_NO_SLOT for free(NULL) */
    uint32_t line; /* line in the file, for messages */
    size_t size;   /* bytes for a and r; bytes per member for c; 0 for f */
    size_t nmemb;  /* c only: number of members; 0 otherwise */
};

/* The four kinds of op as an index, for what is counted or timed per kind. */
enum trace_kind { TRACE_MALLOC, TRACE_CALLOC, TRACE_REALLOC, TRACE_FREE, TRACE_KINDS };

static inline enum trace_kind trace_kind_of(const struct trace_op *op)
{
    switch (op->kind) {
    case 'a': return TRACE_MALLOC;
    case 'c': return TRACE_CALLOC;
    case 'r': return TRACE_REALLOC;
    default: return TRACE_FREE;
    }
}

struct trace {
    char *path;             /* as given on the command line */
    char *name;             /* file name without folders and extension, for tables */
    enum trace_format format;
    struct trace_op *ops;
    size_t op_count;
    size_t slot_count;      /* distinct IDs */
    uint64_t *slot_ids;     /* the trace's own ID of each slot, for messages */
    char *warning;          /* NULL, or "PATH:LINE: warning: ..." for something the
                               reader should know but that does not stop the replay
                               (a .rep header's operation count off from the body) */
    long long rep_weight;   /* the .rep header's 4th number (LLONG_MAX at most); -1:
                               none (dmm format, or a 2-number header) */
};

/* The trace's own ID of op's block, or -1 for `f -1` (free(NULL)). */
static inline long long trace_id_of(const struct trace *trace, const struct trace_op *op)
{
    return op->slot == TRACE_NO_SLOT ? -1 : (long long)trace->slot_ids[op->slot];
}

/* Largest ID and size the parser accepts. Sizes above PTRDIFF_MAX cannot be
 * allocated by any malloc; IDs must fit a slot index. */
#define TRACE_MAX_ID ((uint64_t)UINT32_MAX - 1)
#define TRACE_MAX_SIZE ((uint64_t)PTRDIFF_MAX)

/* Reads and parses the file at path, 64 KiB at a time (trace_read.c): the
 * memory used is the operations', whatever the file's size, and a binary
 * file stops at its first NUL byte. Returns 0, or -1 with a one-line
 * message "PATH:LINE: what is wrong" (or "PATH: reason" for I/O errors) in
 * error[error_size]; *trace is then empty and needs no trace_free. A trace
 * that parsed may carry a warning (trace->warning) for the tool to print. */
int trace_load(const char *path, struct trace *trace, char *error, size_t error_size);

/* The same on text already in memory (any bytes, NULs included); path is
 * only used in messages and for trace->path/name. */
int trace_parse(const char *path, const char *text, size_t length, struct trace *trace,
                char *error, size_t error_size);

void trace_free(struct trace *trace);

#endif /* DMM_TRACE_H */
