/*
 * fuzz_grade_config.c — libFuzzer target for grade_config_parse
 * (harness/tools/grade/config.c), dmm-grade's configuration.
 *
 * Any bytes go in; what must stay true whatever they are (grade.h,
 * docs/grading.md):
 *
 *   1. the parser returns 0 or -1 and never reads outside the bytes;
 *   2. -1: one line of message starting "PATH:", and the configuration owns
 *      nothing (LeakSanitizer checks that nothing was left allocated);
 *   3. 0: every field is within the range the format gives it: at least one
 *      trace, weights from 0 to 1 adding up to 1, repeat 1..1000, ...
 *
 * glob(3). A `trace` word with *, ? or [ is a pattern, expanded against the
 * configuration's folder. Letting the real glob run is not safe even from
 * an empty folder: an absolute pattern (a word starting with '/', one '*'
 * per level) starts at the root, and a "../" climbs out of the folder, so
 * one input can walk the whole file system (seconds, and an answer that
 * depends on the machine: a crash that cannot be reproduced elsewhere). The link wraps glob and globfree (-Wl,--wrap, fuzz/CMakeLists.txt)
 * so that config.c's calls land here instead: the pattern is checked (the
 * folder's own glob characters escaped, as config.c promises), then
 * answered from a hash of the pattern with each outcome the real one can
 * give: no match, a folder not readable, out of memory with a half filled
 * list, or 1 to 3 matches. No file is touched, the same input always gets
 * the same answer, and LeakSanitizer sees whether every list is freed.
 */
#define _POSIX_C_SOURCE 200809L /* strdup */

#include "grade.h"

#include <ctype.h>
#include <glob.h>
#include <math.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* A folder with glob characters of its own (a course's "lab[2]"), so that
 * their escaping is exercised on every pattern. */
#define FOLDER "lab[2]*?/"
#define ESCAPED_FOLDER "lab\\[2]\\*\\?/" /* a ']' alone is no glob character */
#define PATH FOLDER "grade.conf"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);
int __wrap_glob(const char *pattern, int flags, int (*errfunc)(const char *, int),
                glob_t *matches);
void __wrap_globfree(glob_t *matches);

static void broken(const char *rule, size_t index)
{
    fprintf(stderr, "fuzz-grade-config: broken rule: %s (%zu)\n", rule, index);
    abort();
}

/* ---- glob(3), answered without the file system -------------------------------- */

static uint32_t hash(const char *text) /* FNV-1a */
{
    uint32_t h = 2166136261u;
    for (; *text != '\0'; text++)
        h = (h ^ (unsigned char)*text) * 16777619u;
    return h;
}

static int fake_matches(const char *pattern, size_t count, glob_t *matches)
{
    matches->gl_pathv = calloc(count + 1, sizeof *matches->gl_pathv);
    if (matches->gl_pathv == NULL)
        abort();
    for (size_t i = 0; i < count; i++) {
        char name[64]; /* as glob(3) names a match: from the pattern's folder */
        snprintf(name, sizeof name, "%smatch-%zu.trace", pattern[0] == '/' ? "/" : FOLDER, i);
        if ((matches->gl_pathv[i] = strdup(name)) == NULL)
            abort();
    }
    matches->gl_pathc = count;
    return 0;
}

int __wrap_glob(const char *pattern, int flags, int (*errfunc)(const char *, int),
                glob_t *matches)
{
    if (flags != 0 || errfunc != NULL)
        broken("glob is called with no flags and no error function", 0);
    size_t prefix = strlen(ESCAPED_FOLDER);
    const char *word = pattern;
    if (pattern[0] != '/') {
        if (strncmp(pattern, ESCAPED_FOLDER, prefix) != 0)
            broken("a relative pattern starts with the folder, its glob characters escaped", 0);
        word += prefix;
    }
    if (strpbrk(word, "*?[") == NULL)
        broken("only a word with *, ? or [ is globbed", 0);
    *matches = (glob_t){0};
    switch (hash(pattern) % 6) {
    case 0: return GLOB_NOMATCH;
    case 1: return GLOB_ABORTED;
    case 2: /* glibc may leave a list behind on GLOB_NOSPACE: the caller frees it */
        fake_matches(pattern, 1, matches);
        return GLOB_NOSPACE;
    default: return fake_matches(pattern, hash(pattern) % 6 - 2, matches);
    }
}

void __wrap_globfree(glob_t *matches)
{
    for (size_t i = 0; matches->gl_pathv != NULL && i < matches->gl_pathc; i++)
        free(matches->gl_pathv[i]);
    free(matches->gl_pathv);
    *matches = (glob_t){0};
}

/* ---- the rules -------------------------------------------------------------- */

static bool is_identifier(const char *word, const char *more)
{
    if (!isalpha((unsigned char)word[0]) && word[0] != '_')
        return false;
    for (const char *c = word + 1; *c != '\0'; c++)
        if (!isalnum((unsigned char)*c) && *c != '_' && strchr(more, *c) == NULL)
            return false;
    return true;
}

static void check_rejected(const struct grade_config *config, const char *error)
{
    size_t prefix = strlen(PATH ":");
    if (strncmp(error, PATH ":", prefix) != 0 || strlen(error) <= prefix)
        broken("a message starts with the path and says something", 0);
    if (strchr(error, '\n') != NULL)
        broken("a message is one line", 0);
    if (config->path != NULL || config->traces != NULL || config->trace_count != 0 ||
        config->allow != NULL || config->allow_count != 0)
        broken("a rejected configuration owns nothing", 0);
}

static void check_accepted(const struct grade_config *config)
{
    if (config->path == NULL || strcmp(config->path, PATH) != 0)
        broken("path kept", 0);
    if (config->trace_count == 0)
        broken("at least one trace", 0);
    unsigned previous_line = 0;
    for (size_t i = 0; i < config->trace_count; i++) {
        const struct grade_trace *trace = &config->traces[i];
        if (trace->path == NULL || trace->path[0] == '\0')
            broken("a trace has a path", i);
        if (trace->path[0] != '/' && strncmp(trace->path, FOLDER, strlen(FOLDER)) != 0)
            broken("a relative trace path starts at the configuration's folder", i);
        if (trace->line == 0 || trace->line < previous_line)
            broken("traces in the order of their lines", i);
        previous_line = trace->line;
        if (trace->has_weight ? !(trace->weight >= 0 && isfinite(trace->weight)) ||
                                    trace->weight_source != WEIGHT_CONFIG
                              : trace->weight != 0 || trace->weight_source != WEIGHT_DEFAULT)
            broken("a trace's weight is >= 0 when given, else left to the loader", i);
    }
    if (!(config->util_weight >= 0 && config->util_weight <= 1) ||
        !(config->throughput_weight >= 0 && config->throughput_weight <= 1) ||
        fabs(config->util_weight + config->throughput_weight - 1) > 1e-9)
        broken("weights from 0 to 1, adding up to 1", 0);
    if (config->cost != COST_RELATIVE && config->cost != COST_FIXED &&
        config->cost != COST_INSTRUCTIONS)
        broken("a known cost", 0);
    if (memchr(config->reference, '\0', sizeof config->reference) == NULL ||
        !is_identifier(config->reference, "-"))
        broken("the reference is an allocator name", 0);
    if (config->cost == COST_FIXED && !(config->reference_kops > 0 && isfinite(config->reference_kops)))
        broken("throughput fixed KOPS > 0", 0);
    if (config->failure != FAILURE_ALL && config->failure != FAILURE_TRACE)
        broken("failure all or trace", 0);
    if (!(config->points > 0 && isfinite(config->points)))
        broken("points > 0", 0);
    if (!(config->timeout_seconds > 0 && config->timeout_seconds <= 86400))
        broken("timeout from 0 (excluded) to 86400", 0);
    if (config->repeat < 1 || config->repeat > 1000)
        broken("repeat from 1 to 1000", 0);
    if (config->memory_mib < 16 || config->memory_mib > 1048576)
        broken("memory from 16 to 1048576", 0);
    for (size_t i = 0; i < config->allow_count; i++)
        if (config->allow[i] == NULL || !is_identifier(config->allow[i], ""))
            broken("allow takes C identifiers", i);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    struct grade_config config;
    char error[512];
    memset(error, 'x', sizeof error); /* the parser must terminate what it writes */
    int result = grade_config_parse(PATH, (const char *)data, size, &config, error, sizeof error);
    if (result == 0) {
        if (error[0] != '\0')
            broken("no message on success", 0);
        check_accepted(&config);
        grade_config_free(&config);
    } else if (result == -1) {
        if (memchr(error, '\0', sizeof error) == NULL)
            broken("the message is terminated", 0);
        check_rejected(&config, error);
    } else {
        broken("returns 0 or -1", 0);
    }
    return 0;
}
