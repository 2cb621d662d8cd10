/*
 * trace.c — reads a malloc/free script into memory, strictly.
 *
 * Step of the data flow: trace file -> [parse] -> pair -> child process ->
 * checking pass -> timing -> result -> table/CSV/JSON.
 *
 * The whole file is parsed before anything is replayed, so a bad trace is
 * reported once, as "PATH:LINE: what is wrong", and never half-run. The
 * bytes come a line at a time (trace_read.c: a file is read in chunks, never
 * held whole), so a file costs its operations, not its size, and a binary
 * file fails at its first NUL. The rules are in docs/traces.md; in short:
 *
 *   - a line ends at '\n'; a '\r' just before it (or before the end of the
 *     file) belongs to the line end, so CRLF files read as LF files;
 *   - a NUL byte anywhere on a line is an error ("NUL byte"): traces are
 *     text, and a NUL usually means a binary file was given by mistake;
 *     so is a line longer than TRACE_LINE_MAX (16 MiB) before its comment;
 *   - a trace dmm-record wrote (its first line says so) without the end
 *     marker the recorder writes last gets a warning: the program was cut
 *     short, by a signal most likely, and the trace holds only a beginning;
 *   - '#' starts a comment, anywhere on the line; fields are separated by
 *     spaces and tabs; a line with no fields is ignored;
 *   - the first line with a field decides the format: a lone number means a
 *     CMU .rep file (a header of 4 numbers, or 2, one per line, then
 *     operations), anything else dmm's own format. Both accept the same
 *     operations. A .rep header's operation count that disagrees with the
 *     body is a warning (trace->warning), not an error: files as courses
 *     ship them are often off by one. A 4-number header's weight is kept
 *     (trace->rep_weight) for dmm-grade; replaying ignores it.
 *
 * IDs are mapped to dense slots 0, 1, 2 ... in order of first appearance,
 * through a hash table (open addressing, linear probing) whose buckets hold
 * slots; a bucket's ID is trace->slot_ids[slot], so the table stores no ID
 * twice. One "live" byte per slot follows the trace as the replay will:
 *
 *   a, c   ID must not be live; it becomes live
 *   r      ID not live: realloc(NULL, SIZE), it becomes live (even for 0)
 *          ID live, SIZE 0: realloc(p, 0) frees it, it is no longer live
 *          ID live, SIZE > 0: stays live
 *   f      ID must be live; it is no longer live (f -1 is free(NULL))
 *
 * Cost: one pass over the bytes; O(1) expected per operation; every array
 * doubles when full, so a million lines take 0.4 to 0.6 s (docs/traces.md).
 */
#define _POSIX_C_SOURCE 200809L /* strdup */

#include "trace.h"

#include "describe.h"
#include "trace_read.h"

#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <limits.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#define MAX_FIELDS 4          /* c ID NMEMB SIZE; one more is an extra field */
#define QUOTE_MAX 40          /* bytes of a token quoted in a message; then "..." */
#define FIRST_CAPACITY 1024   /* ops, slots and buckets before the first doubling */
#define READ_CHUNK 65536      /* bytes trace_load reads at a time */

/* dmm-record's first line, and the last line it writes when the program
 * exits (preload/record_output.c). */
#define RECORD_HEADER "# dmm trace written by dmm-record"
#define RECORD_END "# end: complete"


/* One whitespace-separated token of a line: a view into the text. */
#define HEADER_DIGITS 24 /* of a .rep header number kept: more is out of range anyway */

struct field {
    const char *start; /* first byte; not NUL-terminated */
    size_t length;     /* bytes */
};

/* A decimal number as written: an optional '-', then digits. */
struct number {
    bool negative;  /* a '-' before the digits */
    bool overflow;  /* the digits exceed UINT64_MAX */
    uint64_t value; /* the digits' value, without the sign (if no overflow) */
};

/* The .rep header: one number a line, four of them (CMU's) or two. Which
 * is which is known only once the header ends, at the first line that is
 * not a lone number: so the numbers are kept as written until then. */
#define HEADER_LINES 4
static const char *const header_names_4[HEADER_LINES] = {
    "heap size", "number of IDs", "number of operations", "weight",
};
static const char *const header_names_2[2] = {"number of IDs", "number of operations"};
#define HEADER_FORMS "2 numbers (IDs, operations) or 4 (heap size, IDs, operations, weight), " \
                     "one per line"

struct parser {
    const char *path;      /* for messages */
    struct trace *trace;   /* being filled */
    char *error;           /* where a message goes */
    size_t error_size;     /* bytes at error, terminator included */
    size_t line;           /* current line, from 1 */
    bool format_known;     /* the first line with a field has been seen */

    size_t op_capacity;    /* trace->ops has room for this many */
    size_t slot_capacity;  /* trace->slot_ids and live have room for this many */
    unsigned char *live;   /* per slot: 1 when the ID holds a block */
    uint32_t *buckets;     /* slots by hash of their ID; TRACE_NO_SLOT: empty */
    size_t bucket_count;   /* a power of two, at least twice slot_count */

    size_t header_seen;                  /* .rep: header lines read so far */
    struct field header[HEADER_LINES];   /* .rep: their numbers, as written, in header_text */
    char header_text[HEADER_LINES][HEADER_DIGITS + 2]; /* .rep: copies: a line lives only
                                                           while it is parsed */
    size_t header_line[HEADER_LINES];    /* .rep: and where they are */
    bool header_done;                    /* .rep: the header has ended */
    uint64_t ids, ops;                   /* .rep: the header's number of IDs and of ops */
    size_t ids_line, ops_line;           /* .rep: and their lines */

    bool recorded;         /* line 1 is dmm-record's header */
    bool ended;            /* dmm-record's end marker is the last thing seen */
};

/* ---- messages -------------------------------------------------------------- */

/* Writes "PATH:LINE: message" (LINE omitted when 0) and returns -1. */
static int fail(struct parser *parser, const char *format, ...)
{
    va_list arguments;
    va_start(arguments, format);
    describe_error_at(parser->error, parser->error_size, parser->path, parser->line, format,
                      arguments);
    va_end(arguments);
    return -1;
}

static int out_of_memory(struct parser *parser)
{
    parser->line = 0;
    return fail(parser, "out of memory");
}

/* The token as a message can show it: printable ASCII kept, other bytes as
 * \xNN (so the message stays one line), cut after QUOTE_MAX bytes. */
static const char *quote(struct field field, char out[static QUOTE_MAX * 4 + 4])
{
    size_t used = 0;
    for (size_t i = 0; i < field.length && i < QUOTE_MAX; i++) {
        unsigned char byte = (unsigned char)field.start[i];
        if (byte >= 0x20 && byte < 0x7f && byte != '\\')
            out[used++] = (char)byte;
        else
            used += (size_t)sprintf(out + used, "\\x%02x", byte);
    }
    if (field.length > QUOTE_MAX) {
        memcpy(out + used, "...", 3);
        used += 3;
    }
    out[used] = '\0';
    return out;
}

/* ---- numbers --------------------------------------------------------------- */

/* false unless the field is an optional '-' followed by one or more decimal
 * digits, and nothing else ('+', spaces and hex are not numbers here). */
static bool read_number(struct field field, struct number *number)
{
    size_t i = 0;
    *number = (struct number){.negative = field.length > 0 && field.start[0] == '-'};
    if (number->negative)
        i = 1;
    if (i == field.length)
        return false;
    for (; i < field.length; i++) {
        unsigned digit = (unsigned char)field.start[i] - (unsigned)'0';
        if (digit > 9)
            return false;
        if (number->value > (UINT64_MAX - digit) / 10)
            number->overflow = true; /* keep scanning: "9...9x" is not a number */
        else
            number->value = number->value * 10 + digit;
    }
    return true;
}

/* The value of a field that must be a number in 0..max. noun names it in
 * messages ("size", "ID"). Errors are checked in the order a reader would
 * fix them: not a number, then the sign, then the magnitude. */
static int field_value(struct parser *parser, struct field field, const char *noun, uint64_t max,
                       uint64_t *value)
{
    char quoted[QUOTE_MAX * 4 + 4];
    struct number number;
    if (!read_number(field, &number))
        return fail(parser, "not a number: '%s'", quote(field, quoted));
    if (number.negative)
        return fail(parser, "negative %s: '%s'", noun, quote(field, quoted));
    if (number.overflow)
        return fail(parser, "number out of range: '%s'", quote(field, quoted));
    if (number.value > max)
        return fail(parser, "number out of range: '%s' (the largest %s is %" PRIu64 ")",
                    quote(field, quoted), noun, max);
    *value = number.value;
    return 0;
}

/* ---- growing arrays ---------------------------------------------------------- */

/* realloc for count elements, refusing a byte count that would wrap. */
static void *resize(void *array, size_t count, size_t element_size)
{
    if (count > SIZE_MAX / element_size)
        return NULL;
    return realloc(array, count * element_size);
}

static int append_op(struct parser *parser, struct trace_op op)
{
    struct trace *trace = parser->trace;
    if (trace->op_count == parser->op_capacity) {
        size_t capacity = parser->op_capacity ? parser->op_capacity * 2 : FIRST_CAPACITY;
        struct trace_op *ops = resize(trace->ops, capacity, sizeof *ops);
        if (ops == NULL)
            return out_of_memory(parser);
        trace->ops = ops;
        parser->op_capacity = capacity;
    }
    trace->ops[trace->op_count++] = op;
    return 0;
}

/* ---- IDs to slots -------------------------------------------------------------- */

/* Fibonacci hashing: the bits from 32 up of ID * 2^64/phi spread
 * consecutive and strided IDs alike (IDs are below 2^32). */
static size_t bucket_of(uint64_t id, size_t bucket_count)
{
    return (size_t)((id * UINT64_C(0x9E3779B97F4A7C15)) >> 32) & (bucket_count - 1);
}

static void bucket_insert(struct parser *parser, uint32_t slot)
{
    size_t mask = parser->bucket_count - 1;
    size_t i = bucket_of(parser->trace->slot_ids[slot], parser->bucket_count);
    while (parser->buckets[i] != TRACE_NO_SLOT)
        i = (i + 1) & mask;
    parser->buckets[i] = slot;
}

/* Doubles the buckets and puts every slot back: keeps the table at most
 * half full, so a probe sequence stays a few buckets long. */
static int rehash(struct parser *parser)
{
    size_t count = parser->bucket_count ? parser->bucket_count * 2 : FIRST_CAPACITY * 2;
    uint32_t *buckets = resize(NULL, count, sizeof *buckets);
    if (buckets == NULL)
        return out_of_memory(parser);
    for (size_t i = 0; i < count; i++)
        buckets[i] = TRACE_NO_SLOT;
    free(parser->buckets);
    parser->buckets = buckets;
    parser->bucket_count = count;
    for (size_t slot = 0; slot < parser->trace->slot_count; slot++)
        bucket_insert(parser, (uint32_t)slot);
    return 0;
}

/* The slot of id, given the next free one (not live) if id is new. */
static int slot_of(struct parser *parser, uint64_t id, uint32_t *slot)
{
    struct trace *trace = parser->trace;
    if (parser->bucket_count > 0) {
        size_t mask = parser->bucket_count - 1;
        for (size_t i = bucket_of(id, parser->bucket_count); parser->buckets[i] != TRACE_NO_SLOT;
             i = (i + 1) & mask) {
            if (trace->slot_ids[parser->buckets[i]] == id) {
                *slot = parser->buckets[i];
                return 0;
            }
        }
    }
    if (trace->slot_count == parser->slot_capacity) {
        size_t capacity = parser->slot_capacity ? parser->slot_capacity * 2 : FIRST_CAPACITY;
        uint64_t *ids = resize(trace->slot_ids, capacity, sizeof *ids);
        if (ids == NULL)
            return out_of_memory(parser);
        trace->slot_ids = ids;
        unsigned char *live = resize(parser->live, capacity, sizeof *live);
        if (live == NULL)
            return out_of_memory(parser);
        parser->live = live;
        parser->slot_capacity = capacity;
    }
    /* IDs are at most TRACE_MAX_ID, so there are fewer than TRACE_NO_SLOT. */
    *slot = (uint32_t)trace->slot_count++;
    trace->slot_ids[*slot] = id;
    parser->live[*slot] = 0;
    if (trace->slot_count * 2 > parser->bucket_count)
        return rehash(parser); /* puts the new slot in too */
    bucket_insert(parser, *slot);
    return 0;
}

/* ---- one line ---------------------------------------------------------------- */

/* The .rep header has ended (at an op line or at the end of the file):
 * its numbers are read now that their count says what each one is. */
static int finish_header(struct parser *parser)
{
    size_t line = parser->line, count = parser->header_seen;
    parser->header_done = true;
    parser->line = parser->header_line[0];
    if (count != 2 && count != HEADER_LINES) {
        if (count == 1)
            return fail(parser, "a .rep header is " HEADER_FORMS "; this one has 1 (line %zu)",
                        parser->header_line[0]);
        return fail(parser, "a .rep header is " HEADER_FORMS "; this one has %zu (lines %zu-%zu)",
                    count, parser->header_line[0], parser->header_line[count - 1]);
    }
    const char *const *names = count == 2 ? header_names_2 : header_names_4;
    uint64_t values[HEADER_LINES];
    for (size_t i = 0; i < count; i++) {
        parser->line = parser->header_line[i];
        if (field_value(parser, parser->header[i], names[i], UINT64_MAX, &values[i]))
            return -1;
    }
    size_t ids = count == 2 ? 0 : 1; /* the operations follow the IDs */
    parser->ids = values[ids], parser->ids_line = parser->header_line[ids];
    parser->ops = values[ids + 1], parser->ops_line = parser->header_line[ids + 1];
    if (count == HEADER_LINES) /* the weight: the replay ignores it, dmm-grade scores by it */
        parser->trace->rep_weight = values[3] > LLONG_MAX ? LLONG_MAX : (long long)values[3];
    parser->line = line;
    return 0;
}

/* A copy of a header number that outlives its line, leading zeros
 * dropped: a number of more than HEADER_DIGITS digits is out of range
 * whatever follows, and its first HEADER_DIGITS say as much. */
static struct field keep_header_number(struct field field, char text[static HEADER_DIGITS + 2])
{
    size_t at = 0, length = 0;
    if (field.length > 0 && field.start[0] == '-')
        text[length++] = '-', at = 1;
    while (field.length - at > 1 && field.start[at] == '0')
        at++;
    while (at < field.length && length < HEADER_DIGITS + 1)
        text[length++] = field.start[at++];
    return (struct field){text, length};
}

/* A line of a .rep file before its header has ended. Returns 1 when it was
 * a header line, 0 when it ends the header (it is then an op line), -1 on
 * an error. */
static int parse_header_line(struct parser *parser, const struct field *fields, size_t count)
{
    char quoted[QUOTE_MAX * 4 + 4];
    struct number number;
    if (read_number(fields[0], &number)) {
        if (count > 1)
            return fail(parser, "extra field '%s'", quote(fields[1], quoted));
        if (parser->header_seen < HEADER_LINES) {
            parser->header[parser->header_seen] =
                keep_header_number(fields[0], parser->header_text[parser->header_seen]);
            parser->header_line[parser->header_seen++] = parser->line;
            return 1;
        }
    }
    return finish_header(parser);
}

/* The first line with a field holds only numbers, more than one: a .rep
 * header written on one line, which no reader of the format accepts. Said
 * so, rather than "unknown op '20000'". */
static int refuse_one_line_header(struct parser *parser, const struct field *fields, size_t count)
{
    char quoted[QUOTE_MAX * 4 + 4];
    struct number number;
    for (size_t i = 0; i < count; i++)
        if (!read_number(fields[i], &number))
            return 0;
    struct field line = {fields[0].start,
                         (size_t)(fields[count - 1].start - fields[0].start) + fields[count - 1].length};
    return fail(parser, "'%s' looks like a .rep header on one line: a .rep header is " HEADER_FORMS,
                quote(line, quoted));
}

/* Field i of an op line, a number in 0..max. name is the field as the
 * format spells it ("SIZE"), noun as a message says it ("size"). */
static int number_field(struct parser *parser, const struct field *fields, size_t count, size_t i,
                        const char *name, const char *noun, uint64_t max, uint64_t *value)
{
    if (i >= count)
        return fail(parser, "missing field: %s", name);
    return field_value(parser, fields[i], noun, max, value);
}

/* `f -1`, and `f -01`: the one negative number a trace may hold. */
static bool is_free_null(struct field field)
{
    struct number number;
    return read_number(field, &number) && number.negative && !number.overflow &&
           number.value == 1;
}

static int parse_op(struct parser *parser, const struct field *fields, size_t count)
{
    char quoted[QUOTE_MAX * 4 + 4];
    char kind = fields[0].start[0];
    if (fields[0].length != 1 || (kind != 'a' && kind != 'c' && kind != 'r' && kind != 'f'))
        return fail(parser, "unknown op '%s'", quote(fields[0], quoted));

    /* Left to right, so the first wrong field is the one reported. */
    struct trace_op op = {.kind = kind, .line = (uint32_t)parser->line};
    uint64_t id = 0, nmemb = 0, size = 0;
    size_t size_field = kind == 'c' ? 3 : 2;       /* c ID NMEMB SIZE; a/r ID SIZE */
    size_t wanted = kind == 'f' ? 2 : size_field + 1; /* fields, the op included */
    if (kind == 'f' && count > 1 && is_free_null(fields[1]))
        op.slot = TRACE_NO_SLOT;
    else if (number_field(parser, fields, count, 1, "ID", "ID", TRACE_MAX_ID, &id))
        return -1;
    if (kind == 'c' &&
        number_field(parser, fields, count, 2, "NMEMB", "NMEMB", TRACE_MAX_SIZE, &nmemb))
        return -1;
    if (kind != 'f' &&
        number_field(parser, fields, count, size_field, "SIZE", "size", TRACE_MAX_SIZE, &size))
        return -1;
    if (count > wanted)
        return fail(parser, "extra field '%s'", quote(fields[wanted], quoted));
    op.nmemb = (size_t)nmemb;
    op.size = (size_t)size;
    if (op.slot == TRACE_NO_SLOT)
        return append_op(parser, op);

    if (parser->trace->format == TRACE_FORMAT_REP && id >= parser->ids) {
        size_t op_line = parser->line;
        parser->line = parser->ids_line;
        return fail(parser, "header says %" PRIu64 " ID%s, the file uses ID %" PRIu64 " (line %zu)",
                    parser->ids, parser->ids == 1 ? "" : "s", id, op_line);
    }
    if (slot_of(parser, id, &op.slot))
        return -1;
    unsigned char *live = &parser->live[op.slot];
    switch (kind) {
    case 'a':
    case 'c':
        if (*live)
            return fail(parser, "%s of ID %" PRIu64 ", which is already live",
                        kind == 'a' ? "malloc" : "calloc", id);
        *live = 1;
        break;
    case 'r':
        /* realloc(NULL, n) allocates, even n == 0; realloc(p, 0) frees. */
        *live = !*live || op.size > 0;
        break;
    case 'f':
        if (!*live)
            return fail(parser, "free of ID %" PRIu64 ", which is not live", id);
        *live = 0;
        break;
    }
    return append_op(parser, op);
}

/* Splits a line (without its end) into fields, stopping at '#'. Returns the
 * number of fields, at most MAX_FIELDS + 1 (enough to name an extra one). */
static size_t split(const char *line, size_t length, struct field *fields)
{
    const char *comment = memchr(line, '#', length);
    if (comment != NULL)
        length = (size_t)(comment - line);
    size_t count = 0, i = 0;
    while (count <= MAX_FIELDS) {
        while (i < length && (line[i] == ' ' || line[i] == '\t'))
            i++;
        if (i == length)
            break;
        size_t start = i;
        while (i < length && line[i] != ' ' && line[i] != '\t')
            i++;
        fields[count++] = (struct field){line + start, i - start};
    }
    return count;
}

/* Notes dmm-record's header on line 1 and its end marker on a line of its own. */
static void note_recorder(struct parser *parser, const char *line, size_t length)
{
    size_t header = sizeof RECORD_HEADER - 1, end = sizeof RECORD_END - 1;
    if (parser->line == 1 && length >= header && memcmp(line, RECORD_HEADER, header) == 0)
        parser->recorded = true;
    if (parser->recorded && length >= end && memcmp(line, RECORD_END, end) == 0)
        parser->ended = true;
}

/* One line, without its end: the taker of trace_read.c's lines. */
static int parse_line(void *context, const char *line, size_t length)
{
    struct parser *parser = context;
    parser->line++;
    if (parser->line > UINT32_MAX) /* trace_op.line is 32 bits */
        return fail(parser, "too many lines (at most %" PRIu32 ")", UINT32_MAX);
    if (memchr(line, '\0', length) != NULL)
        return fail(parser, "NUL byte");
    const char *comment = memchr(line, '#', length);
    if ((comment != NULL ? (size_t)(comment - line) : length) > TRACE_LINE_MAX)
        return fail(parser, "line longer than %zu MiB before any comment: not a trace",
                    TRACE_LINE_MAX >> 20);
    if (comment == line)
        note_recorder(parser, line, length);
    struct field fields[MAX_FIELDS + 1];
    size_t count = split(line, length, fields);
    if (count == 0)
        return 0;
    parser->ended = false; /* an operation after the end marker: not the end */
    if (!parser->format_known) {
        struct number number;
        parser->format_known = true;
        if (count == 1 && read_number(fields[0], &number))
            parser->trace->format = TRACE_FORMAT_REP;
        else if (count > 1 && refuse_one_line_header(parser, fields, count) != 0)
            return -1;
    }
    if (parser->trace->format == TRACE_FORMAT_REP && !parser->header_done) {
        int header = parse_header_line(parser, fields, count);
        if (header != 0)
            return header > 0 ? 0 : -1;
    }
    return parse_op(parser, fields, count);
}

/* ---- whole files --------------------------------------------------------------- */

/* What can only be checked at the end: a recording has its end marker; a
 * .rep file's header has ended (a file may be all header), and its
 * operation count agrees with the body. When one of those does not hold,
 * the trace carries a warning (the body wins). */
static int parse_end(struct parser *parser)
{
    struct trace *trace = parser->trace;
    if (parser->recorded && !parser->ended && trace->format == TRACE_FORMAT_DMM) {
        char text[4096 + 160];
        snprintf(text, sizeof text, "%s: warning: the recording has no end marker ('" RECORD_END
                 "'): the program was cut short (by a signal?), so the trace is only its beginning",
                 parser->path);
        trace->warning = strdup(text);
        return trace->warning != NULL ? 0 : out_of_memory(parser);
    }
    if (trace->format != TRACE_FORMAT_REP)
        return 0;
    if (!parser->header_done && finish_header(parser) != 0)
        return -1;
    if (parser->ops != trace->op_count) {
        char text[4096 + 160];
        snprintf(text, sizeof text,
                 "%s:%zu: warning: header says %" PRIu64 " operation%s, the file has %zu "
                 "(all %zu are replayed)",
                 parser->path, parser->ops_line, parser->ops, parser->ops == 1 ? "" : "s",
                 trace->op_count, trace->op_count);
        trace->warning = strdup(text);
        if (trace->warning == NULL)
            return out_of_memory(parser);
    }
    return 0;
}

/* The file name without folders and without its last extension. */
static char *name_of(const char *path)
{
    const char *base = strrchr(path, '/');
    base = base != NULL ? base + 1 : path;
    const char *dot = strrchr(base, '.');
    size_t length = dot != NULL && dot != base ? (size_t)(dot - base) : strlen(base);
    if (length == 0) /* "dir/": better the whole path than nothing */
        return strdup(path);
    char *name = malloc(length + 1);
    if (name != NULL) {
        memcpy(name, base, length);
        name[length] = '\0';
    }
    return name;
}

/* What trace_parse and trace_load share: an empty trace named after path,
 * and a reader that hands its lines to parse_line. */
static int begin(struct parser *parser, struct trace_lines *lines, const char *path,
                 struct trace *trace, char *error, size_t error_size)
{
    *trace = (struct trace){.format = TRACE_FORMAT_DMM, .rep_weight = -1};
    *parser = (struct parser){.path = path, .trace = trace, .error = error, .error_size = error_size};
    *lines = (struct trace_lines){.take = parse_line, .context = parser};
    if (error != NULL && error_size > 0)
        error[0] = '\0';
    trace->path = strdup(path);
    trace->name = name_of(path);
    return trace->path != NULL && trace->name != NULL ? 0 : out_of_memory(parser);
}

/* Hands over bytes[0 .. length-1] to the reader. */
static int feed(struct parser *parser, struct trace_lines *lines, const char *bytes, size_t length)
{
    bool out_of_memory_now;
    if (trace_lines_feed(lines, bytes, length, &out_of_memory_now) == 0)
        return 0;
    return out_of_memory_now ? out_of_memory(parser) : -1;
}

/* The last line and the checks of the end, when all went well; then what
 * only the parser needed is freed, and the trace too if it failed. */
static int end(struct parser *parser, struct trace_lines *lines, int result)
{
    if (result == 0)
        result = trace_lines_finish(lines);
    if (result == 0)
        result = parse_end(parser);
    trace_lines_discard(lines);
    free(parser->live);
    free(parser->buckets);
    if (result != 0) {
        trace_free(parser->trace);
        return -1;
    }
    return 0;
}

int trace_parse(const char *path, const char *text, size_t length, struct trace *trace,
                char *error, size_t error_size)
{
    struct parser parser;
    struct trace_lines lines;
    int result = begin(&parser, &lines, path, trace, error, error_size);
    if (result == 0 && length > 0)
        result = feed(&parser, &lines, text, length);
    return end(&parser, &lines, result);
}

/* "PATH: reason" for an I/O error, errno's. */
static int io_error(struct parser *parser)
{
    int saved = errno;
    parser->line = 0;
    return fail(parser, "%s", strerror(saved));
}

int trace_load(const char *path, struct trace *trace, char *error, size_t error_size)
{
    struct parser parser;
    struct trace_lines lines;
    int result = begin(&parser, &lines, path, trace, error, error_size);
    int fd = result == 0 ? open(path, O_RDONLY | O_CLOEXEC) : -1;
    if (result == 0 && fd < 0)
        result = io_error(&parser);
    char *chunk = result == 0 ? malloc(READ_CHUNK) : NULL;
    if (result == 0 && chunk == NULL)
        result = out_of_memory(&parser);
    /* Each chunk is parsed before the next is read: a bad line stops the
     * reading there, and a file costs its operations, not its size. */
    while (result == 0) {
        ssize_t got = read(fd, chunk, READ_CHUNK);
        if (got < 0 && errno == EINTR)
            continue;
        if (got < 0)
            result = io_error(&parser);
        else if (got == 0)
            break;
        else
            result = feed(&parser, &lines, chunk, (size_t)got);
    }
    free(chunk);
    if (fd >= 0)
        close(fd);
    return end(&parser, &lines, result);
}

void trace_free(struct trace *trace)
{
    free(trace->path);
    free(trace->name);
    free(trace->ops);
    free(trace->slot_ids);
    free(trace->warning);
    *trace = (struct trace){0};
}
