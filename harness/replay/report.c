/*
 * report.c — the table, the CSV and the JSON of a run (report.h).
 *
 * Step of the data flow: trace file -> parse -> pair -> child process ->
 * checking pass -> timing -> result -> [table/CSV/JSON].
 *
 * The CSV and the JSON are written from one list of columns, so that their
 * keys and order cannot drift apart; the table is for people and shows a
 * selection, with units in its headings.
 */
#define _POSIX_C_SOURCE 200809L /* mkdir */

#include "report.h"

#include "replay.h"
#include "runner.h"

#include <errno.h>
#include <math.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>

const char *report_status_name(enum replay_status status)
{
    switch (status) {
    case REPLAY_OK:
        return "ok";
    case REPLAY_FAIL:
        return "fail";
    case REPLAY_CRASH:
        return "crash";
    case REPLAY_TIMEOUT:
        return "timeout";
    }
    return "?";
}

/* ---- the table ------------------------------------------------------------ */

enum { TABLE_COLUMNS = 15, CELL_BYTES = 32 };

/* ns/op and Kops/s are steady state; cold ns/op the first replay of a
 * fresh process (docs/harness.md). */
static const char *const table_headings[TABLE_COLUMNS] = {
    "allocator", "trace", "status", "ops", "ns/op", "Kops/s", "util %",
    "peak footprint (KiB)", "brk", "mmap", "munmap", "steps/malloc", "steps/free",
    "cold ns/op",
    "instr/op", /* --cost instructions only: shown when some pair was counted */
};

/* The first three columns are text, left-aligned; the rest are numbers. */
#define TABLE_TEXT_COLUMNS 3

/* The numeric cells of one row; "-" for what was not measured. */
static void table_cells(const struct runner_pair *pair, int timed,
                        char cells[TABLE_COLUMNS][CELL_BYTES])
{
    const struct replay_result *r = &pair->result;
    int measured = r->status == REPLAY_OK;
    for (size_t i = TABLE_TEXT_COLUMNS; i < TABLE_COLUMNS; i++)
        snprintf(cells[i], CELL_BYTES, "-");
    snprintf(cells[3], CELL_BYTES, "%llu", (unsigned long long)r->ops);
    if (!measured)
        return;
    if (r->instr_per_op > 0.0)
        snprintf(cells[14], CELL_BYTES, "%.1f", r->instr_per_op);
    if (timed && r->ops > 0 && isfinite(r->ns_per_op) && isfinite(r->kops_per_sec)) {
        snprintf(cells[4], CELL_BYTES, "%.1f", r->ns_per_op);
        snprintf(cells[5], CELL_BYTES, "%.0f", r->kops_per_sec);
        if (isfinite(r->cold_ns_per_op))
            snprintf(cells[13], CELL_BYTES, "%.1f", r->cold_ns_per_op);
    }
    if (isfinite(r->utilization))
        snprintf(cells[6], CELL_BYTES, "%.1f", 100.0 * r->utilization);
    snprintf(cells[7], CELL_BYTES, "%.1f", (double)r->peak_footprint_bytes / 1024.0);
    if (r->is_baseline)
        return; /* not counted: the columns stay "-" */
    snprintf(cells[8], CELL_BYTES, "%llu", (unsigned long long)r->brk_calls);
    snprintf(cells[9], CELL_BYTES, "%llu", (unsigned long long)r->mmap_calls);
    snprintf(cells[10], CELL_BYTES, "%llu", (unsigned long long)r->munmap_calls);
    snprintf(cells[11], CELL_BYTES, "%.2f", r->steps_per_malloc);
    snprintf(cells[12], CELL_BYTES, "%.2f", r->steps_per_free);
}

static const char *table_text(const struct runner_pair *pair, size_t column)
{
    if (column == 0)
        return pair->allocator;
    if (column == 1)
        return pair->trace->name;
    return report_status_name(pair->result.status);
}

void report_table(FILE *out, const struct runner_pair *pairs, size_t count, int timed)
{
    size_t width[TABLE_COLUMNS];
    char cells[TABLE_COLUMNS][CELL_BYTES];
    size_t shown = TABLE_COLUMNS - 1; /* instr/op only when counted */
    for (size_t i = 0; i < count; i++)
        if (pairs[i].result.instr_per_op > 0.0)
            shown = TABLE_COLUMNS;
    for (size_t c = 0; c < TABLE_COLUMNS; c++)
        width[c] = strlen(table_headings[c]);
    for (size_t i = 0; i < count; i++) {
        table_cells(&pairs[i], timed, cells);
        for (size_t c = 0; c < shown; c++) {
            size_t length = strlen(c < TABLE_TEXT_COLUMNS ? table_text(&pairs[i], c) : cells[c]);
            if (length > width[c])
                width[c] = length;
        }
    }

    for (size_t c = 0; c < shown; c++)
        fprintf(out, c < TABLE_TEXT_COLUMNS ? "%-*s%s" : "%*s%s", (int)width[c],
                table_headings[c], c + 1 < shown ? "  " : "\n");
    for (size_t i = 0; i < count; i++) {
        table_cells(&pairs[i], timed, cells);
        for (size_t c = 0; c < shown; c++) {
            const char *separator = c + 1 < shown ? "  " : "\n";
            if (c < TABLE_TEXT_COLUMNS)
                fprintf(out, "%-*s%s", (int)width[c], table_text(&pairs[i], c), separator);
            else
                fprintf(out, "%*s%s", (int)width[c], cells[c], separator);
        }
    }

    /* Why each pair that is not ok is not: one line each, below the table. */
    int first = 1;
    for (size_t i = 0; i < count; i++) {
        const struct replay_result *r = &pairs[i].result;
        if (r->status == REPLAY_OK)
            continue;
        if (first)
            fputc('\n', out);
        first = 0;
        fprintf(out, "%s: %s\n", report_status_name(r->status), r->message);
    }
}

/* ---- the columns of the CSV and the JSON ------------------------------------ */

enum column_kind {
    COLUMN_ALLOCATOR, COLUMN_TRACE, COLUMN_STATUS, COLUMN_MESSAGE, /* text */
    COLUMN_U64,  /* uint64_t in struct replay_result */
    COLUMN_SIZE, /* size_t in struct replay_result */
    COLUMN_REAL, /* double in struct replay_result */
};

enum column_role {
    ALWAYS,   /* every pair */
    MEASURED, /* ok pairs only */
    COUNTED,  /* ok pairs whose allocator's calls are counted (not a baseline's) */
    TIMED,    /* ok pairs with timing runs */
    INSTRUCTED, /* ok pairs with an instruction count (--cost instructions) */
};

struct column {
    const char *name;
    enum column_kind kind;
    enum column_role role;
    size_t offset; /* of the field in struct replay_result, for numbers */
    int decimals;  /* for COLUMN_REAL */
};

#define FIELD(name) offsetof(struct replay_result, name)

/* The order is the CSV's, documented in report.h and docs/harness.md. */
static const struct column columns[] = {
    {"allocator", COLUMN_ALLOCATOR, ALWAYS, 0, 0},
    {"trace", COLUMN_TRACE, ALWAYS, 0, 0},
    {"status", COLUMN_STATUS, ALWAYS, 0, 0},
    {"ops", COLUMN_U64, ALWAYS, FIELD(ops), 0},
    {"ns_per_op", COLUMN_REAL, TIMED, FIELD(ns_per_op), 3},
    {"malloc_ns", COLUMN_REAL, TIMED, FIELD(malloc_ns), 3},
    {"calloc_ns", COLUMN_REAL, TIMED, FIELD(calloc_ns), 3},
    {"realloc_ns", COLUMN_REAL, TIMED, FIELD(realloc_ns), 3},
    {"free_ns", COLUMN_REAL, TIMED, FIELD(free_ns), 3},
    {"kops_per_sec", COLUMN_REAL, TIMED, FIELD(kops_per_sec), 3},
    {"peak_live_bytes", COLUMN_SIZE, MEASURED, FIELD(peak_live_bytes), 0},
    {"peak_footprint_bytes", COLUMN_SIZE, MEASURED, FIELD(peak_footprint_bytes), 0},
    {"peak_heap_bytes", COLUMN_SIZE, MEASURED, FIELD(peak_heap_bytes), 0},
    {"peak_mapped_bytes", COLUMN_SIZE, MEASURED, FIELD(peak_mapped_bytes), 0},
    {"utilization", COLUMN_REAL, MEASURED, FIELD(utilization), 4},
    {"at_peak_payload", COLUMN_SIZE, COUNTED, FIELD(at_peak_payload), 0},
    {"at_peak_internal", COLUMN_SIZE, COUNTED, FIELD(at_peak_internal), 0},
    {"at_peak_external", COLUMN_SIZE, COUNTED, FIELD(at_peak_external), 0},
    {"brk_calls", COLUMN_U64, COUNTED, FIELD(brk_calls), 0},
    {"mmap_calls", COLUMN_U64, COUNTED, FIELD(mmap_calls), 0},
    {"munmap_calls", COLUMN_U64, COUNTED, FIELD(munmap_calls), 0},
    {"steps_per_malloc", COLUMN_REAL, COUNTED, FIELD(steps_per_malloc), 4},
    {"steps_per_free", COLUMN_REAL, COUNTED, FIELD(steps_per_free), 4},
    {"max_steps_malloc", COLUMN_U64, COUNTED, FIELD(max_steps_malloc), 0},
    {"max_steps_free", COLUMN_U64, COUNTED, FIELD(max_steps_free), 0},
    {"minor_faults", COLUMN_U64, TIMED, FIELD(minor_faults), 0},
    {"message", COLUMN_MESSAGE, ALWAYS, 0, 0},
    /* Added after message, so that every earlier column keeps its place. */
    {"ns_per_op_min", COLUMN_REAL, TIMED, FIELD(ns_per_op_min), 3},
    {"ns_per_op_max", COLUMN_REAL, TIMED, FIELD(ns_per_op_max), 3},
    {"cold_ns_per_op", COLUMN_REAL, TIMED, FIELD(cold_ns_per_op), 3},
    {"steady_minor_faults", COLUMN_U64, TIMED, FIELD(steady_minor_faults), 0},
    {"instr_per_op", COLUMN_REAL, INSTRUCTED, FIELD(instr_per_op), 1},
    /* The rest of the split at the peak (payload, internal and external are
     * above): appended, again so that every earlier column keeps its place. */
    {"at_peak_metadata", COLUMN_SIZE, COUNTED, FIELD(at_peak_metadata), 0},
    {"at_peak_never_reused", COLUMN_SIZE, COUNTED, FIELD(at_peak_never_reused), 0},
    {"at_peak_unwalked", COLUMN_SIZE, COUNTED, FIELD(at_peak_unwalked), 0},
};

#define COLUMN_COUNT (sizeof columns / sizeof columns[0])

static const char *column_text(const struct column *column, const struct runner_pair *pair)
{
    switch (column->kind) {
    case COLUMN_ALLOCATOR:
        return pair->allocator;
    case COLUMN_TRACE:
        return pair->trace->name;
    case COLUMN_STATUS:
        return report_status_name(pair->result.status);
    case COLUMN_MESSAGE:
        return pair->result.status == REPLAY_OK ? "" : pair->result.message;
    default:
        return NULL; /* a number */
    }
}

/* Formats a numeric column into text (JSON and CSV write numbers alike).
 * Returns 0 when the pair has no such measurement: not ok, not timed, or
 * not a finite number. */
static int column_number(const struct column *column, const struct runner_pair *pair,
                         int timed, char *text, size_t size)
{
    const struct replay_result *r = &pair->result;
    if (column->role != ALWAYS && r->status != REPLAY_OK)
        return 0;
    if (column->role == TIMED && (!timed || r->ops == 0)) /* no op, no time per op */
        return 0;
    if (column->role == COUNTED && r->is_baseline)
        return 0;
    if (column->role == INSTRUCTED && !(r->instr_per_op > 0.0)) /* not counted */
        return 0;
    const char *field = (const char *)r + column->offset;
    if (column->kind == COLUMN_U64) {
        uint64_t value;
        memcpy(&value, field, sizeof value);
        snprintf(text, size, "%llu", (unsigned long long)value);
    } else if (column->kind == COLUMN_SIZE) {
        size_t value;
        memcpy(&value, field, sizeof value);
        snprintf(text, size, "%zu", value);
    } else {
        double value;
        memcpy(&value, field, sizeof value);
        if (!isfinite(value))
            return 0;
        snprintf(text, size, "%.*f", column->decimals, value);
    }
    return 1;
}

/* ---- CSV ---------------------------------------------------------------------- */

void report_html_text(FILE *out, const char *text)
{
    for (const char *s = text; *s != '\0'; s++) {
        switch (*s) {
        case '&': fputs("&amp;", out); break;
        case '<': fputs("&lt;", out); break;
        case '>': fputs("&gt;", out); break;
        case '"': fputs("&quot;", out); break;
        case '\'': fputs("&#39;", out); break;
        default: fputc(*s, out);
        }
    }
}

void report_csv_text(FILE *out, const char *text)
{
    if (strpbrk(text, ",\"\r\n") == NULL) {
        fputs(text, out);
        return;
    }
    fputc('"', out);
    for (const char *p = text; *p != '\0'; p++) {
        if (*p == '"')
            fputc('"', out);
        fputc(*p, out);
    }
    fputc('"', out);
}

int report_csv(FILE *out, const struct runner_pair *pairs, size_t count, int timed)
{
    for (size_t c = 0; c < COLUMN_COUNT; c++)
        fprintf(out, "%s%s", columns[c].name, c + 1 < COLUMN_COUNT ? "," : "\n");
    for (size_t i = 0; i < count; i++) {
        for (size_t c = 0; c < COLUMN_COUNT; c++) {
            const char *text = column_text(&columns[c], &pairs[i]);
            char number[64];
            if (text != NULL)
                report_csv_text(out, text);
            else if (column_number(&columns[c], &pairs[i], timed, number, sizeof number))
                fputs(number, out);
            fputc(c + 1 < COLUMN_COUNT ? ',' : '\n', out);
        }
    }
    return fflush(out) == 0 && !ferror(out) ? 0 : -1;
}

/* ---- JSON --------------------------------------------------------------------- */

static void json_string(FILE *out, const char *text)
{
    fputc('"', out);
    for (const unsigned char *p = (const unsigned char *)text; *p != '\0'; p++) {
        if (*p == '"' || *p == '\\')
            fprintf(out, "\\%c", *p);
        else if (*p == '\n')
            fputs("\\n", out);
        else if (*p == '\t')
            fputs("\\t", out);
        else if (*p < 0x20) /* every other control character, as JSON requires */
            fprintf(out, "\\u%04x", *p);
        else
            fputc(*p, out);
    }
    fputc('"', out);
}

int report_json(FILE *out, const struct runner_pair *pairs, size_t count, int timed)
{
    fputs("{\"runs\":[", out);
    for (size_t i = 0; i < count; i++) {
        fputs(i == 0 ? "\n{" : ",\n{", out);
        for (size_t c = 0; c < COLUMN_COUNT; c++) {
            if (c > 0)
                fputc(',', out);
            json_string(out, columns[c].name);
            fputc(':', out);
            const char *text = column_text(&columns[c], &pairs[i]);
            char number[64];
            if (text != NULL)
                json_string(out, text);
            else if (column_number(&columns[c], &pairs[i], timed, number, sizeof number))
                fputs(number, out);
            else
                fputs("null", out);
        }
        fputc('}', out);
    }
    fputs("\n]}\n", out);
    return fflush(out) == 0 && !ferror(out) ? 0 : -1;
}

/* ---- --series DIR ---------------------------------------------------------------- */

int report_make_dir(const char *path, char *error, size_t error_size)
{
    char prefix[4096];
    size_t length = strlen(path);
    if (length == 0 || length >= sizeof prefix) {
        snprintf(error, error_size, "%s: %s", path, length == 0 ? "empty folder name"
                                                                : "folder name too long");
        return -1;
    }
    memcpy(prefix, path, length + 1);
    /* Each folder on the way, then the folder itself (i == length). */
    for (size_t i = 1; i <= length; i++) {
        if (prefix[i] != '/' && prefix[i] != '\0')
            continue;
        char kept = prefix[i];
        prefix[i] = '\0';
        struct stat info;
        if (mkdir(prefix, 0777) != 0 && errno != EEXIST) {
            snprintf(error, error_size, "%s: %s", prefix, strerror(errno));
            return -1;
        }
        const char *why = stat(prefix, &info) != 0 ? strerror(errno)
                          : !S_ISDIR(info.st_mode)   ? "not a folder"
                                                     : NULL;
        if (why != NULL) {
            snprintf(error, error_size, "%s: %s", prefix, why);
            return -1;
        }
        prefix[i] = kept;
    }
    return 0;
}
