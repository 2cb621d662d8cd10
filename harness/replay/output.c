/*
 * output.c — what the checking pass writes as it goes (output.h).
 *
 * Step of the data flow: trace file -> parse -> pair -> child process ->
 * checking pass [writes these] -> timing -> result -> table/CSV/JSON.
 *
 *   -v             "#12 line 14: a 5 100 -> 0x200000000a10", one flushed
 *                  line per op (the op as a trace line, then the addresses)
 *   --heap-map     "    heap: [A 80][F 8112]" after every op; when the checker
 *                  fails, the chunks it walked before it stopped, then
 *                  "| the walk stopped here: the heap checker says: ..."
 *   --series DIR   DIR/ALLOCATOR--TRACE.csv: op,live_bytes,footprint_bytes,
 *                  about options->series_points rows, always the last op
 *   --heap-map-dir DIR/ALLOCATOR.csv, one row per chunk of every walk:
 *                    step,op,start,size,header_bytes,footer_bytes,is_free
 *                  step is the 1-based op, op the call as text ("p1 =
 *                  malloc(48)", with the trace's IDs), start the chunk's
 *                  offset in bytes from the lowest chunk address walked in
 *                  the whole pass (so every allocator's map starts at 0: the
 *                  rows wait in a temporary file until that address is
 *                  known). A step whose walk visits no chunk has no row. For
 *                  an allocator whose heap section holds chunks, only the
 *                  chunks inside the section are kept: metadata it keeps in
 *                  a mapping far away (segregated's page table) would
 *                  stretch the map's address axis over terabytes of nothing.
 *
 * output_find_clash refuses, before anything runs, a run in which two
 * pairs would write the same --series or --heap-map-dir file.
 *
 * Its own memory comes from the C library, never from the allocator under
 * test.
 */
#define _POSIX_C_SOURCE 200809L

#include "output.h"

#include <errno.h>
#include <inttypes.h>
#include <stdlib.h>
#include <string.h>

/* One chunk of a walk, as --heap-map-dir keeps it until the pass ends. */
struct map_record {
    uint64_t step;       /* 1-based op after which the walk ran */
    uintptr_t start;     /* the chunk's address */
    size_t size, header_bytes, footer_bytes;
    int is_free;
};

/* ---- before the run: no file written twice ----------------------------------- */

int output_find_clash(const struct replay_options *options, const char *const *allocators,
                      size_t allocator_count, const struct trace *traces, size_t trace_count,
                      char *error, size_t error_size)
{
    if (options->series_dir == NULL && options->heap_map_dir == NULL)
        return 0;
    const char *option = options->series_dir != NULL ? "--series" : "--heap-map-dir";
    for (size_t a = 0; a < allocator_count; a++)
        for (size_t b = a + 1; b < allocator_count; b++)
            if (strcmp(allocators[a], allocators[b]) == 0) {
                snprintf(error, error_size, "%s: allocator '%s' is named twice: its files "
                         "would overwrite each other", option, allocators[a]);
                return -1;
            }
    if (options->heap_map_dir != NULL && trace_count > 1) {
        snprintf(error, error_size, "--heap-map-dir writes %s/ALLOCATOR.csv for one trace, and "
                 "%zu traces are given (%s, %s%s): their maps would overwrite each other; run "
                 "one trace at a time", options->heap_map_dir, trace_count, traces[0].path,
                 traces[1].path, trace_count > 2 ? ", ..." : "");
        return -1;
    }
    for (size_t a = 0; options->series_dir != NULL && a < trace_count; a++)
        for (size_t b = a + 1; b < trace_count; b++)
            if (strcmp(traces[a].name, traces[b].name) == 0) {
                snprintf(error, error_size, "--series: %s and %s are both trace '%s': both "
                         "would write %s/ALLOCATOR--%s.csv", traces[a].path, traces[b].path,
                         traces[a].name, options->series_dir, traces[a].name);
                return -1;
            }
    return 0;
}

/* ---- opening ----------------------------------------------------------------- */

/* The allocator's name as a file name: never a folder. */
static void allocator_file_name(const struct check_output *out, char name[64])
{
    snprintf(name, 64, "%s", out->module->reported_name);
    for (char *c = name; *c != '\0'; c++)
        if (*c == '/')
            *c = '_';
}

static int open_series(struct check_output *out, char *error, size_t error_size)
{
    const struct replay_options *o = out->options;
    if (o->series_dir == NULL)
        return 0;
    char allocator[64], path[4096];
    allocator_file_name(out, allocator);
    snprintf(path, sizeof path, "%s/%s--%s.csv", o->series_dir, allocator, out->trace->name);
    out->series = fopen(path, "w");
    if (out->series == NULL) {
        snprintf(error, error_size, "cannot write the time series to %s: %s", path,
                 strerror(errno));
        return -1;
    }
    size_t ops = out->trace->op_count, points = o->series_points;
    /* About `points` rows (and always the last op); 0 points: the last op only. */
    if (points == 0)
        out->series_stride = ops > 0 ? ops : 1;
    else
        out->series_stride = ops / points > 0 ? ops / points : 1;
    fprintf(out->series, "op,live_bytes,footprint_bytes\n0,0,0\n");
    return 0;
}

static int open_heap_map(struct check_output *out, char *error, size_t error_size)
{
    if (out->options->heap_map_dir == NULL)
        return 0;
    char allocator[64], path[4096];
    allocator_file_name(out, allocator);
    snprintf(path, sizeof path, "%s/%s.csv", out->options->heap_map_dir, allocator);
    out->map_csv = fopen(path, "w");
    if (out->map_csv != NULL)
        out->map_records = tmpfile();
    if (out->map_records == NULL) {
        snprintf(error, error_size, "cannot write the heap map to %s: %s", path,
                 strerror(errno));
        return -1;
    }
    out->map_lowest = UINTPTR_MAX;
    return 0;
}

int output_open(struct check_output *out, const struct allocator_module *module,
                const struct trace *trace, const struct replay_options *options, char *error,
                size_t error_size)
{
    out->module = module;
    out->trace = trace;
    out->options = options;
    if (open_series(out, error, error_size) != 0)
        return -1;
    return open_heap_map(out, error, error_size);
}

/* ---- op by op ---------------------------------------------------------------- */

void output_op(struct check_output *out, size_t i, const void *old, const void *p)
{
    if (!out->options->verbose && !out->options->heap_map)
        return;
    const struct trace_op *op = &out->trace->ops[i];
    char line[96], a[24], b[24];
    describe_trace_line(line, sizeof line, op, trace_id_of(out->trace, op));
    printf("#%zu line %" PRIu32 ": %s", i + 1, op->line, line);
    if (op->kind == 'a' || op->kind == 'c')
        printf(" -> %s\n", describe_address(a, p));
    else if (op->kind == 'r')
        printf(" (%s) -> %s\n", describe_address(a, old), describe_address(b, p));
    else
        printf(" (%s)\n", describe_address(a, old));
    fflush(stdout);
}

void output_sample(struct check_output *out, size_t i, size_t live_bytes,
                   size_t footprint_bytes)
{
    size_t done = i + 1;
    if (out->series != NULL &&
        (done % out->series_stride == 0 || done == out->trace->op_count))
        fprintf(out->series, "%zu,%zu,%zu\n", done, live_bytes, footprint_bytes);
}

/* ---- the heap checker's walks ----------------------------------------------- */

int output_wants_every_walk(const struct check_output *out)
{
    return out->options->heap_map || out->map_records != NULL;
}

/* 1 when the allocator's heap section is in use and the chunk lies
 * outside it (see --heap-map-dir above). */
static int outside_the_heap_section(const struct check_output *out,
                                    const struct dmm_chunk_info *chunk)
{
    const struct allocator_module *m = out->module;
    if (m->heap_start == NULL || m->heap_break == NULL)
        return 0;
    uintptr_t start = (uintptr_t)m->heap_start(), end = (uintptr_t)m->heap_break();
    uintptr_t at = (uintptr_t)chunk->start;
    return start < end && (at < start || at >= end);
}

static void visit_chunk(const struct dmm_chunk_info *chunk, void *arg)
{
    struct check_output *out = arg;
    if (out->options->heap_map)
        describe_row_chunk(chunk, &out->row);
    if (out->map_records == NULL || outside_the_heap_section(out, chunk))
        return;
    struct map_record record = {out->step, (uintptr_t)chunk->start, chunk->size,
                                chunk->header_bytes, chunk->footer_bytes, chunk->is_free != 0};
    if (record.start < out->map_lowest)
        out->map_lowest = record.start;
    if (fwrite(&record, sizeof record, 1, out->map_records) != 1)
        out->map_write_failed = 1;
}

dmm_visit_fn *output_walk_start(struct check_output *out, size_t i)
{
    out->step = out->trace->op_count == 0 ? 0 : i + 1;
    describe_row_start(&out->row, DESCRIBE_ROW_MAX_SHOWN);
    return output_wants_every_walk(out) ? visit_chunk : NULL;
}

void output_walk_end(struct check_output *out, const char *problem)
{
    if (!out->options->heap_map)
        return;
    if (problem == NULL)
        printf("    heap: %s\n", describe_row_end(&out->row));
    else if (out->row.chunks == 0) /* not "(empty)": the heap need not be */
        printf("    heap: (the walk stopped before its first chunk) the heap checker says: %s\n",
               problem);
    else /* the chunks walked before the checker stopped: the broken one comes next */
        printf("    heap: %s | the walk stopped here: the heap checker says: %s\n",
               describe_row_end(&out->row), problem);
    fflush(stdout);
}

/* ---- closing ----------------------------------------------------------------- */

/* Op i as C with the trace's IDs ("p5 = realloc(p5, 96)"); live[] follows
 * which IDs hold a block (a realloc of an ID that holds none is
 * realloc(NULL, ...)), op by op. */
static void heap_map_op(const struct trace *trace, size_t i, unsigned char *live, char *text,
                        size_t size)
{
    const struct trace_op *op = &trace->ops[i];
    if (op->slot == TRACE_NO_SLOT) {
        describe_call(text, size, op, NULL, "NULL");
        return;
    }
    char name[24];
    snprintf(name, sizeof name, "p%lld", trace_id_of(trace, op));
    unsigned char *is_live = &live[op->slot];
    describe_call(text, size, op, name, op->kind == 'r' && !*is_live ? "NULL" : name);
    *is_live = op->kind == 'f' || (op->kind == 'r' && *is_live && op->size == 0) ? 0 : 1;
}

/* The records, their start made relative to the lowest address walked.
 * Returns 0, or -1 (errno set when the system said why). */
static int write_heap_map(struct check_output *out)
{
    const struct trace *trace = out->trace;
    FILE *csv = out->map_csv;
    errno = 0;
    unsigned char *live = calloc(trace->slot_count != 0 ? trace->slot_count : 1, 1);
    int failed = live == NULL || out->map_write_failed || fflush(out->map_records) != 0;
    fprintf(csv, "step,op,start,size,header_bytes,footer_bytes,is_free\n");
    rewind(out->map_records);
    struct map_record r;
    char op[96] = "";
    size_t described = 0;
    while (!failed && fread(&r, sizeof r, 1, out->map_records) == 1) {
        for (; described < r.step && described < trace->op_count; described++)
            heap_map_op(trace, described, live, op, sizeof op);
        fprintf(csv, "%llu,\"%s\",%llu,%zu,%zu,%zu,%d\n", (unsigned long long)r.step, op,
                (unsigned long long)(r.start - out->map_lowest), r.size, r.header_bytes,
                r.footer_bytes, r.is_free);
    }
    free(live);
    failed |= ferror(out->map_records) != 0;
    failed |= fclose(csv) != 0;
    fclose(out->map_records);
    out->map_csv = out->map_records = NULL;
    if (failed && errno == 0)
        errno = EIO;
    return failed ? -1 : 0;
}

int output_close(struct check_output *out, char *error, size_t error_size)
{
    int status = 0;
    if (out->series != NULL && fclose(out->series) != 0) {
        snprintf(error, error_size, "cannot write the time series: %s", strerror(errno));
        status = -1;
    }
    out->series = NULL;
    if (out->map_records != NULL && write_heap_map(out) != 0 && status == 0) {
        snprintf(error, error_size, "cannot write the heap map: %s", strerror(errno));
        status = -1;
    }
    if (out->map_csv != NULL)
        fclose(out->map_csv); /* opened, but the temporary file could not be made */
    out->map_csv = NULL;
    return status;
}
