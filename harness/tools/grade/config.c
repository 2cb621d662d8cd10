/*
 * config.c — the grading configuration: which traces are scored, with what
 * weight, and how a submission's index and score are worked out.
 *
 * Step of the data flow: configuration file -> [parse] -> traces named ->
 * [load traces, settle weights] -> builds, replays, scores (grade.h).
 *
 * The format (docs/grading.md), one directive a line:
 *
 *   trace PATH [weight W]            a file, or a glob(3) pattern when PATH has
 *                                    *, ? or [ (matches sorted, at least one)
 *   util-weight W                    0.6   } 0 <= W <= 1, adding up to 1
 *   throughput-weight W              0.4   }
 *   throughput relative [ALLOCATOR]  relative glibc (the default)
 *   throughput fixed KOPS            KOPS > 0
 *   throughput instructions [ALLOCATOR]
 *   failure all|trace                all
 *   points P                         100, P > 0
 *   timeout SECONDS                  20, 0 < SECONDS <= 86400
 *   repeat N                         3, 1..1000
 *   memory MIB                       1024, 16..1048576
 *   allow SYMBOL...                  C identifiers, on top of the default list
 *
 * Lines are read as trace.c reads a trace: '\n' ends a line, a '\r' before
 * it belongs to the line end, '#' starts a comment anywhere, fields are
 * separated by spaces and tabs, a NUL byte is an error. Every directive but
 * `trace` and `allow` may be given once: a second one is more likely a
 * mistake than an intended override.
 *
 * Each line is checked as it is read, so the first wrong thing is the one
 * reported, as "PATH:LINE: what is wrong", quoting the word and saying what
 * was expected. What only the whole file can say (the weights' sum, no
 * trace at all) is checked at the end.
 *
 * Relative trace paths start at the configuration's folder, so a course
 * can move the configuration and its traces together. Globs are expanded
 * while parsing (a pattern that matches nothing is a mistake worth a line
 * number); plain paths are only named, and trace_load finds out later
 * whether they exist.
 */
#define _POSIX_C_SOURCE 200809L /* strdup, strtok_r, glob, fileno, fstat */

#include "grade.h"

#include "describe.h"

#include <ctype.h>
#include <errno.h>
#include <glob.h>
#include <limits.h>
#include <math.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#define LINE_MAX_BYTES 4096                 /* a configuration line is far shorter */
#define FILE_MAX_BYTES (1024 * 1024)        /* 1 MiB: a configuration is a few lines */
#define MAX_WORDS (LINE_MAX_BYTES / 2 + 1)  /* "a b c ...": every other byte a word */
#define QUOTE_MAX 40                        /* bytes of a word quoted in a message */
#define WEIGHT_SUM_TOLERANCE 1e-9           /* 0.6 + 0.4 is not exactly 1 in binary */
#define ALLOCATOR_NAME_MAX 63               /* grade_config.reference holds 64 bytes */

enum directive_id {
    TRACE, UTIL_WEIGHT, THROUGHPUT_WEIGHT, THROUGHPUT, FAILURE, POINTS, TIMEOUT, REPEAT,
    MEMORY, ALLOW, DIRECTIVE_COUNT
};

struct parser {
    const char *path;       /* of the configuration, for messages */
    size_t folder_length;   /* bytes of path up to its last '/', included; 0: none */
    struct grade_config *config;
    char *error;            /* where a message goes */
    size_t error_size;      /* bytes at error, terminator included */
    size_t line;            /* current line, from 1; 0 for whole-file messages */
    size_t first_line[DIRECTIVE_COUNT]; /* where each directive was given; 0: not yet */
    size_t trace_capacity;  /* config->traces has room for this many */
    size_t allow_capacity;  /* config->allow has room for this many */
};

/* A number a directive takes, and the words for its messages. */
struct range {
    double min, max;
    bool min_open;  /* min itself is refused (SECONDS > 0) */
    bool whole;     /* no fraction (N, MIB) */
    const char *expected; /* "SECONDS > 0, at most 86400" */
};

/* One directive: its words are checked for count, then parse reads them. */
struct directive;
typedef int directive_parser(struct parser *parser, const struct directive *directive,
                             char **words, size_t count);
struct directive {
    enum directive_id id;
    const char *name;
    const char *usage;           /* its form, shown when a word is missing or extra */
    size_t min_words, max_words; /* after the name; SIZE_MAX: any number */
    const struct range *range;   /* for the directives that take one number */
    directive_parser *parse;
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

/* The word as a message can show it (as trace.c quotes): printable ASCII
 * kept, other bytes as \xNN so the message stays one line, cut after
 * QUOTE_MAX bytes. */
static const char *quote(const char *word, char out[static QUOTE_MAX * 4 + 4])
{
    size_t used = 0, length = strlen(word);
    for (size_t i = 0; i < length && i < QUOTE_MAX; i++) {
        unsigned char byte = (unsigned char)word[i];
        if (byte >= 0x20 && byte < 0x7f && byte != '\\')
            out[used++] = (char)byte;
        else
            used += (size_t)sprintf(out + used, "\\x%02x", byte);
    }
    if (length > QUOTE_MAX) {
        memcpy(out + used, "...", 3);
        used += 3;
    }
    out[used] = '\0';
    return out;
}

/* ---- words ----------------------------------------------------------------- */

/* The word as a number in range, into *value. strtod reads it (so 1e3 and
 * 0.5 are numbers); all of the word must be read. */
static int read_number(struct parser *parser, const char *name, const char *word,
                       const struct range *range, double *value)
{
    char quoted[QUOTE_MAX * 4 + 4];
    char *end;
    errno = 0;
    double number = strtod(word, &end);
    /* strtod skips leading white space; words are split at spaces and
     * tabs only, so a '\r' or '\v' could lead one. */
    const char *problem = NULL;
    if (end == word || *end != '\0' || isspace((unsigned char)word[0]))
        problem = "not a number";
    else if (errno == ERANGE && isinf(number))
        problem = "out of range"; /* 1e999 */
    else if (!isfinite(number))
        problem = "not a finite number";
    else if (range->whole && number != floor(number))
        problem = "not a whole number";
    else if (number < range->min || (range->min_open && number == range->min) ||
             number > range->max)
        problem = "out of range";
    if (problem != NULL)
        return fail(parser, "%s: '%s' is %s (expected %s)", name, quote(word, quoted), problem,
                    range->expected);
    *value = number;
    return 0;
}

/* A letter or '_', then letters, digits, '_' or a byte of more. */
static bool is_identifier(const char *word, const char *more)
{
    if (!isalpha((unsigned char)word[0]) && word[0] != '_')
        return false;
    for (const char *c = word + 1; *c != '\0'; c++)
        if (!isalnum((unsigned char)*c) && *c != '_' && strchr(more, *c) == NULL)
            return false;
    return true;
}

/* ---- traces ---------------------------------------------------------------- */

/* Takes path (malloc'd; NULL: memory ran out) into the list, or frees it. */
static int add_trace(struct parser *parser, char *path, bool has_weight, double weight)
{
    struct grade_config *config = parser->config;
    if (path == NULL)
        return out_of_memory(parser);
    if (config->trace_count == parser->trace_capacity) {
        size_t capacity = parser->trace_capacity ? parser->trace_capacity * 2 : 16;
        struct grade_trace *traces = realloc(config->traces, capacity * sizeof *traces);
        if (traces == NULL) {
            free(path);
            return out_of_memory(parser);
        }
        config->traces = traces;
        parser->trace_capacity = capacity;
    }
    config->traces[config->trace_count++] = (struct grade_trace){
        .path = path,
        .line = (unsigned)parser->line,
        .weight = has_weight ? weight : 0,
        .has_weight = has_weight,
        .weight_source = has_weight ? WEIGHT_CONFIG : WEIGHT_DEFAULT,
    };
    return 0;
}

/* A pattern: the configuration's folder, its glob(3) characters escaped
 * (a folder may be called "lab[2]"), then the word as written. */
static char *glob_pattern(const struct parser *parser, const char *word)
{
    size_t folder = word[0] == '/' ? 0 : parser->folder_length;
    char *pattern = malloc(2 * folder + strlen(word) + 1);
    if (pattern == NULL)
        return NULL;
    size_t used = 0;
    for (size_t i = 0; i < folder; i++) {
        if (strchr("*?[\\", parser->path[i]) != NULL)
            pattern[used++] = '\\';
        pattern[used++] = parser->path[i];
    }
    strcpy(pattern + used, word);
    return pattern;
}

/* A plain path is named as resolved; a glob adds every match, sorted. */
static int add_traces(struct parser *parser, const char *word, bool has_weight, double weight)
{
    size_t folder = word[0] == '/' ? 0 : parser->folder_length;
    if (strpbrk(word, "*?[") == NULL) {
        char *path = malloc(folder + strlen(word) + 1);
        if (path != NULL) {
            memcpy(path, parser->path, folder);
            strcpy(path + folder, word);
        }
        return add_trace(parser, path, has_weight, weight);
    }
    char *pattern = glob_pattern(parser, word);
    if (pattern == NULL)
        return out_of_memory(parser);
    glob_t matches = {0}; /* glob(3) may leave matches half filled on an error */
    int found = glob(pattern, 0, NULL, &matches);
    free(pattern);
    char quoted[QUOTE_MAX * 4 + 4];
    int result = 0;
    if (found == GLOB_NOSPACE)
        result = out_of_memory(parser);
    else if (found == GLOB_NOMATCH)
        result = fail(parser, "trace: no file matches '%.*s%s'", (int)folder, parser->path,
                      quote(word, quoted));
    else if (found != 0) /* GLOB_ABORTED: a folder could not be read */
        result = fail(parser, "trace: cannot read the folders of '%s'", quote(word, quoted));
    for (size_t i = 0; found == 0 && result == 0 && i < matches.gl_pathc; i++)
        result = add_trace(parser, strdup(matches.gl_pathv[i]), has_weight, weight);
    globfree(&matches);
    return result;
}

/* ---- the directives ------------------------------------------------------------ */

static const struct range weight_range = {0, INFINITY, false, false, "W >= 0"};
static const struct range part_range = {0, 1, false, false, "W from 0 to 1"};
static const struct range kops_range = {0, INFINITY, true, false, "KOPS > 0"};
static const struct range points_range = {0, INFINITY, true, false, "P > 0"};
static const struct range timeout_range = {0, 86400, true, false, "SECONDS > 0, at most 86400"};
static const struct range repeat_range = {1, 1000, false, true, "N from 1 to 1000"};
static const struct range memory_range = {16, 1048576, false, true, "MIB from 16 to 1048576"};

static int parse_trace(struct parser *parser, const struct directive *directive,
                       char **words, size_t count)
{
    char quoted[QUOTE_MAX * 4 + 4];
    double weight = 0;
    if (count >= 2 && strcmp(words[1], "weight") != 0)
        return fail(parser, "trace: '%s' where 'weight W' or the end of the line was expected "
                    "(%s)", quote(words[1], quoted), directive->usage);
    if (count == 2)
        return fail(parser, "trace: missing W after 'weight' (%s)", directive->usage);
    if (count == 3 && read_number(parser, "trace: weight", words[2], &weight_range, &weight))
        return -1;
    return add_traces(parser, words[0], count == 3, weight);
}

static int parse_throughput(struct parser *parser, const struct directive *directive,
                            char **words, size_t count)
{
    char quoted[QUOTE_MAX * 4 + 4];
    struct grade_config *config = parser->config;
    (void)directive;
    if (strcmp(words[0], "fixed") == 0) {
        if (count < 2)
            return fail(parser, "throughput: missing KOPS after 'fixed' (throughput fixed KOPS)");
        config->cost = COST_FIXED;
        return read_number(parser, "throughput fixed", words[1], &kops_range,
                           &config->reference_kops);
    }
    if (strcmp(words[0], "relative") == 0)
        config->cost = COST_RELATIVE;
    else if (strcmp(words[0], "instructions") == 0)
        config->cost = COST_INSTRUCTIONS;
    else
        return fail(parser, "throughput: unknown cost '%s' (expected relative [ALLOCATOR], "
                    "fixed KOPS or instructions [ALLOCATOR])", quote(words[0], quoted));
    if (count < 2)
        return 0; /* the reference stays glibc */
    /* Whether the allocator exists is dmm-grade's to check (runner.h): the
     * configuration only knows what a name looks like. */
    if (!is_identifier(words[1], "-") || strlen(words[1]) > ALLOCATOR_NAME_MAX)
        return fail(parser, "throughput: '%s' is not an allocator name (expected a letter or "
                    "'_', then letters, digits, '_' or '-', at most %d bytes)",
                    quote(words[1], quoted), ALLOCATOR_NAME_MAX);
    strcpy(config->reference, words[1]);
    return 0;
}

static int parse_failure(struct parser *parser, const struct directive *directive,
                         char **words, size_t count)
{
    char quoted[QUOTE_MAX * 4 + 4];
    (void)directive, (void)count;
    if (strcmp(words[0], "all") == 0)
        parser->config->failure = FAILURE_ALL;
    else if (strcmp(words[0], "trace") == 0)
        parser->config->failure = FAILURE_TRACE;
    else
        return fail(parser, "failure: '%s' is neither 'all' nor 'trace'", quote(words[0], quoted));
    return 0;
}

/* The directives that take one number, stored as its field's type. */
static int parse_value(struct parser *parser, const struct directive *directive, char **words,
                       size_t count)
{
    struct grade_config *config = parser->config;
    double value;
    (void)count;
    if (read_number(parser, directive->name, words[0], directive->range, &value))
        return -1;
    switch (directive->id) {
    case UTIL_WEIGHT: config->util_weight = value; break;
    case THROUGHPUT_WEIGHT: config->throughput_weight = value; break;
    case POINTS: config->points = value; break;
    case TIMEOUT: config->timeout_seconds = value; break;
    case REPEAT: config->repeat = (unsigned)value; break; /* whole, 1..1000 */
    case MEMORY: config->memory_mib = (size_t)value; break; /* whole, 16..1048576 */
    default: break;
    }
    return 0;
}

static int parse_allow(struct parser *parser, const struct directive *directive,
                       char **words, size_t count)
{
    char quoted[QUOTE_MAX * 4 + 4];
    struct grade_config *config = parser->config;
    (void)directive;
    for (size_t i = 0; i < count; i++) {
        if (!is_identifier(words[i], ""))
            return fail(parser, "allow: '%s' is not a C identifier (expected SYMBOL: a letter or "
                        "'_', then letters, digits or '_')", quote(words[i], quoted));
        if (config->allow_count == parser->allow_capacity) {
            size_t capacity = parser->allow_capacity ? parser->allow_capacity * 2 : 16;
            char **allow = realloc(config->allow, capacity * sizeof *allow);
            if (allow == NULL)
                return out_of_memory(parser);
            config->allow = allow;
            parser->allow_capacity = capacity;
        }
        if ((config->allow[config->allow_count] = strdup(words[i])) == NULL)
            return out_of_memory(parser);
        config->allow_count++;
    }
    return 0;
}

/* In enum directive_id's order. */
static const struct directive directives[DIRECTIVE_COUNT] = {
    {TRACE, "trace", "trace PATH [weight W]", 1, 3, NULL, parse_trace},
    {UTIL_WEIGHT, "util-weight", "util-weight W", 1, 1, &part_range, parse_value},
    {THROUGHPUT_WEIGHT, "throughput-weight", "throughput-weight W", 1, 1, &part_range, parse_value},
    {THROUGHPUT, "throughput",
     "throughput relative [ALLOCATOR] | fixed KOPS | instructions [ALLOCATOR]", 1, 2, NULL,
     parse_throughput},
    {FAILURE, "failure", "failure all|trace", 1, 1, NULL, parse_failure},
    {POINTS, "points", "points P", 1, 1, &points_range, parse_value},
    {TIMEOUT, "timeout", "timeout SECONDS", 1, 1, &timeout_range, parse_value},
    {REPEAT, "repeat", "repeat N", 1, 1, &repeat_range, parse_value},
    {MEMORY, "memory", "memory MIB", 1, 1, &memory_range, parse_value},
    {ALLOW, "allow", "allow SYMBOL...", 1, SIZE_MAX, NULL, parse_allow},
};

#define DIRECTIVE_NAMES "trace, util-weight, throughput-weight, throughput, failure, points, " \
                        "timeout, repeat, memory, allow"

/* ---- lines and files ------------------------------------------------------------- */

static int parse_line(struct parser *parser, const char *line, size_t length)
{
    char quoted[QUOTE_MAX * 4 + 4];
    if (memchr(line, '\0', length) != NULL)
        return fail(parser, "NUL byte");
    if (length > LINE_MAX_BYTES)
        return fail(parser, "line longer than %d bytes", LINE_MAX_BYTES);
    char text[LINE_MAX_BYTES + 1];
    memcpy(text, line, length);
    text[length] = '\0';
    text[strcspn(text, "#")] = '\0';
    char *words[MAX_WORDS], *state;
    size_t count = 0;
    for (char *word = strtok_r(text, " \t", &state); word != NULL;
         word = strtok_r(NULL, " \t", &state))
        words[count++] = word;
    if (count == 0)
        return 0;

    size_t id = 0;
    while (id < DIRECTIVE_COUNT && strcmp(words[0], directives[id].name) != 0)
        id++;
    if (id == DIRECTIVE_COUNT)
        return fail(parser, "unknown directive '%s' (expected one of " DIRECTIVE_NAMES ")",
                    quote(words[0], quoted));
    const struct directive *directive = &directives[id];
    if (id != TRACE && id != ALLOW && parser->first_line[id] != 0)
        return fail(parser, "%s given twice (first on line %zu)", directive->name,
                    parser->first_line[id]);
    if (parser->first_line[id] == 0)
        parser->first_line[id] = parser->line;
    if (count - 1 < directive->min_words)
        return fail(parser, "%s: missing argument (%s)", directive->name, directive->usage);
    if (count - 1 > directive->max_words)
        return fail(parser, "%s: extra argument '%s' (%s)", directive->name,
                    quote(words[directive->max_words + 1], quoted), directive->usage);
    return directive->parse(parser, directive, words + 1, count - 1);
}

/* What only the whole file can say. The weights' message names the line
 * of the later of the two, or of the one given; %.12g shows a sum a hair
 * off 1 as such, not rounded to "1". */
static int parse_end(struct parser *parser)
{
    const struct grade_config *config = parser->config;
    size_t util = parser->first_line[UTIL_WEIGHT];
    size_t throughput = parser->first_line[THROUGHPUT_WEIGHT];
    double sum = config->util_weight + config->throughput_weight;
    if (fabs(sum - 1) > WEIGHT_SUM_TOLERANCE) {
        parser->line = util > throughput ? util : throughput;
        return fail(parser, "util-weight %.12g%s and throughput-weight %.12g%s add up to %.12g, "
                    "not 1", config->util_weight, util ? "" : " (the default)",
                    config->throughput_weight, throughput ? "" : " (the default)", sum);
    }
    parser->line = 0;
    if (config->trace_count == 0)
        return fail(parser, "no `trace` line: a configuration names at least one trace "
                    "(trace PATH [weight W])");
    return 0;
}

int grade_config_parse(const char *path, const char *text, size_t length,
                       struct grade_config *config, char *error, size_t error_size)
{
    *config = (struct grade_config){
        .util_weight = 0.6,
        .throughput_weight = 0.4,
        .cost = COST_RELATIVE,
        .reference = "glibc",
        .failure = FAILURE_ALL,
        .points = 100,
        .timeout_seconds = 20,
        .repeat = 3,
        .memory_mib = 1024,
    };
    const char *slash = strrchr(path, '/');
    struct parser parser = {
        .path = path,
        .folder_length = slash != NULL ? (size_t)(slash - path) + 1 : 0,
        .config = config,
        .error = error,
        .error_size = error_size,
    };
    if (error != NULL && error_size > 0)
        error[0] = '\0';
    config->path = strdup(path);
    int result = config->path != NULL ? 0 : out_of_memory(&parser);

    for (size_t start = 0; result == 0 && start < length;) {
        const char *newline = memchr(text + start, '\n', length - start);
        size_t end = newline != NULL ? (size_t)(newline - text) : length;
        size_t next = newline != NULL ? end + 1 : length;
        if (end > start && text[end - 1] == '\r')
            end--;
        parser.line++;
        if (parser.line > UINT_MAX) /* grade_trace.line is an unsigned */
            result = fail(&parser, "too many lines (at most %u)", UINT_MAX);
        else
            result = parse_line(&parser, text + start, end - start);
        start = next;
    }
    if (result == 0)
        result = parse_end(&parser);
    if (result != 0)
        grade_config_free(config);
    return result;
}

int grade_config_load(const char *path, struct grade_config *config, char *error,
                      size_t error_size)
{
    *config = (struct grade_config){0};
    char *text = NULL;
    size_t length = 0;
    bool too_large = false;
    int failure = 0; /* errno of what went wrong */
    FILE *file = fopen(path, "rb");
    if (file == NULL) {
        failure = errno;
    } else {
        /* The size first: a trace or a core file given by mistake is
         * refused unread. A pipe has no size: the read stops one byte past
         * the cap instead. */
        struct stat status;
        too_large = fstat(fileno(file), &status) == 0 && S_ISREG(status.st_mode) &&
                    status.st_size > FILE_MAX_BYTES;
        if (!too_large && (text = malloc(FILE_MAX_BYTES + 1)) == NULL)
            failure = ENOMEM;
        if (text != NULL) {
            length = fread(text, 1, FILE_MAX_BYTES + 1, file);
            failure = ferror(file) ? (errno ? errno : EIO) : 0;
            too_large = length > FILE_MAX_BYTES;
        }
        fclose(file);
    }
    int result = -1;
    if (too_large && error != NULL && error_size > 0)
        snprintf(error, error_size, "%s: larger than 1 MiB; a configuration is a few lines", path);
    else if (failure != 0 && error != NULL && error_size > 0)
        snprintf(error, error_size, "%s: %s", path, strerror(failure));
    else if (!too_large && failure == 0)
        result = grade_config_parse(path, text, length, config, error, error_size);
    free(text);
    return result;
}

/* ---- the traces themselves ---------------------------------------------------------- */

int grade_config_load_traces(struct grade_config *config, struct trace *traces, char *error,
                             size_t error_size)
{
    for (size_t i = 0; i < config->trace_count; i++) {
        const struct grade_trace *entry = &config->traces[i];
        /* "CONFIG:LINE: " first, then trace_load's own message after it. */
        int used = error != NULL && error_size > 0
                       ? snprintf(error, error_size, "%s:%u: ", config->path, entry->line)
                       : -1;
        bool room = used >= 0 && (size_t)used < error_size;
        if (trace_load(entry->path, &traces[i], room ? error + used : NULL,
                       room ? error_size - (size_t)used : 0) != 0) {
            while (i > 0)
                trace_free(&traces[--i]);
            return -1;
        }
    }
    /* Only now, so that a failed load leaves the configuration as it was. */
    bool scored = false;
    for (size_t i = 0; i < config->trace_count; i++) {
        struct grade_trace *entry = &config->traces[i];
        if (entry->has_weight)
            entry->weight_source = WEIGHT_CONFIG;
        else if (traces[i].rep_weight >= 0)
            entry->weight = (double)traces[i].rep_weight, entry->weight_source = WEIGHT_REP;
        else
            entry->weight = 1, entry->weight_source = WEIGHT_DEFAULT;
        scored = scored || entry->weight > 0;
    }
    if (!scored) {
        for (size_t i = 0; i < config->trace_count; i++)
            trace_free(&traces[i]);
        if (error != NULL && error_size > 0)
            snprintf(error, error_size, "%s: every trace has weight 0: nothing would be scored",
                     config->path);
        return -1;
    }
    if (error != NULL && error_size > 0)
        error[0] = '\0';
    return 0;
}

void grade_config_free(struct grade_config *config)
{
    free(config->path);
    for (size_t i = 0; i < config->trace_count; i++)
        free(config->traces[i].path);
    free(config->traces);
    for (size_t i = 0; i < config->allow_count; i++)
        free(config->allow[i]);
    free(config->allow);
    *config = (struct grade_config){0};
}
