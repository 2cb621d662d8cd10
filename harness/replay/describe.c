/*
 * describe.c — trace ops and heap map rows as text (describe.h).
 *
 * Step of the data flow: trace file -> parse -> pair -> child process ->
 * checking pass [its messages, -v lines and heap map are worded here] ->
 * timing -> result -> table/CSV/JSON.
 *
 * The formats are documented where people read them: the failure message
 * and the -v, --heap-map and --heap-map-dir output in docs/harness.md, the
 * trace line in docs/traces.md. A change here changes what those say, and
 * what the tests (tests/tools/check_replay.c) look for.
 */
#include "describe.h"

#include <inttypes.h>
#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>

void describe_error_at(char *error, size_t size, const char *path, size_t line,
                       const char *format, va_list args)
{
    if (error == NULL || size == 0)
        return;
    int used = line > 0 ? snprintf(error, size, "%s:%zu: ", path, line)
                        : snprintf(error, size, "%s: ", path);
    if (used >= 0 && (size_t)used < size)
        vsnprintf(error + used, size - (size_t)used, format, args);
}

void describe_op(char *text, size_t size, const struct trace_op *op, long long id)
{
    unsigned long long n = id < 0 ? 0 : (unsigned long long)id;
    if (op->kind == 'a')
        snprintf(text, size, "malloc id %llu, %zu bytes", n, op->size);
    else if (op->kind == 'c')
        snprintf(text, size, "calloc id %llu, %zu x %zu bytes", n, op->nmemb, op->size);
    else if (op->kind == 'r')
        snprintf(text, size, "realloc id %llu, %zu bytes", n, op->size);
    else if (id < 0)
        snprintf(text, size, "free NULL");
    else
        snprintf(text, size, "free id %llu", n);
}

void describe_trace_line(char *text, size_t size, const struct trace_op *op, long long id)
{
    if (op->kind == 'c')
        snprintf(text, size, "c %lld %zu %zu", id, op->nmemb, op->size);
    else if (op->kind == 'f')
        snprintf(text, size, "f %lld", id);
    else
        snprintf(text, size, "%c %lld %zu", op->kind, id, op->size);
}

void describe_call(char *text, size_t size, const struct trace_op *op, const char *result,
                   const char *old)
{
    const char *equals = result != NULL ? " = " : "";
    if (result == NULL)
        result = "";
    if (op->kind == 'a')
        snprintf(text, size, "%s%smalloc(%zu)", result, equals, op->size);
    else if (op->kind == 'c')
        snprintf(text, size, "%s%scalloc(%zu, %zu)", result, equals, op->nmemb, op->size);
    else if (op->kind == 'r')
        snprintf(text, size, "%s%srealloc(%s, %zu)", result, equals, old, op->size);
    else
        snprintf(text, size, "free(%s)", old);
}

const char *describe_address(char text[24], const void *p)
{
    if (p == NULL)
        return "NULL";
    snprintf(text, 24, "0x%" PRIxPTR, (uintptr_t)p);
    return text;
}

/* ---- a heap map row ------------------------------------------------------------ */

void describe_row_start(struct describe_row *row, size_t shown)
{
    row->text[0] = '\0';
    row->length = 0;
    row->chunks = 0;
    row->shown = shown < DESCRIBE_ROW_MAX_SHOWN ? shown : DESCRIBE_ROW_MAX_SHOWN;
}

/* Appends to the row's text, keeping length inside the buffer. */
__attribute__((format(printf, 2, 3)))
static void append(struct describe_row *row, const char *format, ...)
{
    if (row->length >= sizeof row->text)
        return;
    va_list args;
    va_start(args, format);
    int n = vsnprintf(row->text + row->length, sizeof row->text - row->length, format, args);
    va_end(args);
    row->length += n > 0 ? (size_t)n : 0;
}

/* The letter of a chunk's kind (DESCRIBE_ROW_LEGEND). An unknown kind, from
 * a newer dmm.h or a wild walk, is drawn as '?' rather than guessed. */
static char row_letter(const struct dmm_chunk_info *chunk)
{
    switch (chunk->kind) {
    case DMM_CHUNK_BLOCK:
        return chunk->is_free ? 'F' : 'A';
    case DMM_CHUNK_METADATA:
        return 'M';
    case DMM_CHUNK_NEVER_REUSED:
        return 'N';
    }
    return '?';
}

void describe_row_chunk(const struct dmm_chunk_info *chunk, void *arg)
{
    struct describe_row *row = arg;
    if (row->chunks++ < row->shown)
        append(row, "[%c %zu]", row_letter(chunk), chunk->size);
}

const char *describe_row_end(struct describe_row *row)
{
    if (row->chunks == 0)
        return "(empty)";
    if (row->chunks > row->shown)
        append(row, " ... %zu more", row->chunks - row->shown);
    return row->text;
}
