/*
 * compare_tools.c — the programs dmm-compare runs (compare.h): dmm-gen,
 * which writes the generated traces, and gnuplot, which draws the charts;
 * and the child process that asks a module what it is (its dmm_name(),
 * its dmm_policy_choices()) without risking compare itself.
 *
 * Both are started with posix_spawn and waited for. dmm-gen is the one
 * this build made (its path is compiled in as DMM_GEN); gnuplot is looked
 * up on PATH, and its absence is a note, not a failure: the CSV files
 * hold everything the charts show.
 */
#define _POSIX_C_SOURCE 200809L /* posix_spawn, glob */

#include "compare.h"

#include "module.h"

#include <dlfcn.h>
#include <errno.h>
#include <fcntl.h>
#include <glob.h>
#include <spawn.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

extern char **environ;

#ifndef DMM_SOURCE_DIR
#define DMM_SOURCE_DIR "." /* the build passes the source folder */
#endif
#ifndef DMM_GEN
#define DMM_GEN "dmm-gen" /* the build passes the built generator's path */
#endif

static const char *const gnuplot_missing =
    "dmm-compare: gnuplot not found: no plots (apt-get install gnuplot-nox); "
    "CSV, JSON and the table are written";

/* ---- running a program --------------------------------------------------------- */

/* Runs argv[0] (a path) and waits; its output goes to log (appended) when
 * not NULL. Returns its exit status, 128 + the signal that ended it, or -1
 * with errno when it could not be started. */
static int run_program(char *const argv[], const char *log)
{
    posix_spawn_file_actions_t actions;
    posix_spawn_file_actions_init(&actions);
    if (log != NULL) {
        posix_spawn_file_actions_addopen(&actions, STDOUT_FILENO, log,
                                         O_WRONLY | O_CREAT | O_APPEND, 0644);
        posix_spawn_file_actions_adddup2(&actions, STDOUT_FILENO, STDERR_FILENO);
    }
    pid_t child;
    int error = posix_spawn(&child, argv[0], &actions, NULL, argv, environ);
    posix_spawn_file_actions_destroy(&actions);
    if (error != 0) {
        errno = error;
        return -1;
    }
    int status;
    while (waitpid(child, &status, 0) < 0)
        if (errno != EINTR)
            return -1;
    return WIFEXITED(status) ? WEXITSTATUS(status) : 128 + WTERMSIG(status);
}

/* ---- asking a module ---------------------------------------------------------- */

/* In the child: the text `what` asks for, or NULL. dmm_policy_choices is
 * optional (allocators/policy.h), so it is looked up by hand: module.h
 * loads only what every allocator has. */
static const char *module_answer(const struct allocator_module *module, enum compare_ask what)
{
    if (what == COMPARE_ASK_NAME)
        return module->reported_name;
    void *found = dlsym(module->handle, "dmm_policy_choices");
    const char *(*choices)(void) = NULL;
    memcpy(&choices, &found, sizeof found); /* ISO C has no cast from void * to a function */
    return choices != NULL ? choices() : NULL;
}

int compare_ask_module(const char *asked, enum compare_ask what, char *out, size_t size)
{
    int pipe_ends[2];
    if (size == 0 || pipe(pipe_ends) != 0)
        return -1;
    fflush(NULL);
    pid_t child = fork();
    if (child == 0) {
        close(pipe_ends[0]);
        struct allocator_module module;
        char error[512];
        if (module_load(asked, NULL, &module, error, sizeof error) != 0)
            _exit(1);
        const char *answer = module_answer(&module, what);
        if (answer != NULL && write(pipe_ends[1], answer, strlen(answer)) < 0)
            _exit(1);
        _exit(0);
    }
    close(pipe_ends[1]);
    size_t got = 0;
    while (child > 0 && got < size - 1) {
        ssize_t n = read(pipe_ends[0], out + got, size - 1 - got);
        if (n < 0 && errno == EINTR)
            continue;
        if (n <= 0)
            break;
        got += (size_t)n;
    }
    close(pipe_ends[0]);
    out[got] = '\0';
    int status = 1;
    if (child > 0)
        while (waitpid(child, &status, 0) < 0 && errno == EINTR)
            continue;
    return child > 0 && WIFEXITED(status) && WEXITSTATUS(status) == 0 ? 0 : -1;
}

/* ---- the generated traces ------------------------------------------------------ */

/* The scaling trace of series s at compare_live_counts[n], as a report path. */
void compare_scaling_trace(size_t s, size_t n, char *relative, size_t size)
{
    snprintf(relative, size, "traces/scaling-%s-%u.trace", compare_series[s],
             compare_live_counts[n]);
}

/* dmm-gen PATTERN ARGS... -o REPORT/relative. */
static int generate(struct compare *c, const char *relative, const char *const *args)
{
    char path[COMPARE_PATH_BYTES];
    compare_path(c, relative, path);
    char *argv[24] = {DMM_GEN};
    size_t n = 1;
    for (size_t i = 0; args[i] != NULL && n < 20; i++)
        argv[n++] = (char *)args[i];
    argv[n++] = "-o";
    argv[n++] = path;
    argv[n] = NULL;
    int status = run_program(argv, NULL);
    if (status != 0) {
        fprintf(stderr, "dmm-compare: %s %s failed: %s\n", DMM_GEN, args[0],
                status < 0 ? strerror(errno) : "see its message above");
        return -1;
    }
    compare_record(c, relative);
    return 0;
}

/* large.trace and the scaling traces, with the commands docs/compare.md gives. */
int compare_generate_traces(struct compare *c, size_t live_count)
{
    if (compare_make_folder(c, "traces") != 0)
        return -1;
    compare_progress(c, 1, "generating traces: large");
    const char *large[] = {"random-random", "--ops", "1000", "--min-size", "131072",
                           "--max-size", "524288", "--seed", "1", NULL};
    if (generate(c, "traces/large.trace", large) != 0)
        return -1;
    for (size_t n = 0; n < live_count; n++) {
        unsigned live = compare_live_counts[n];
        char live_text[16], ops_text[16], worst_ops[16], large_ops[16];
        char relative[COMPARE_PATH_BYTES];
        snprintf(live_text, sizeof live_text, "%u", live);
        snprintf(ops_text, sizeof ops_text, "%u", 3 * live + 4000);
        snprintf(worst_ops, sizeof worst_ops, "%u", 8 * live);
        /* large: N holes and N guards (4N operations), then N / 4 requests
         * kept live (N / 2): a quarter of the mallocs walk every hole, so
         * the mean steps per malloc grow as N / 9 in bins' last bin. */
        snprintf(large_ops, sizeof large_ops, "%u", 4 * live + live / 2);
        compare_progress(c, 1, "generating traces: scaling series at %u live blocks", live);
        const char *random[] = {"scaling", "--live", live_text, "--ops", ops_text, "--min-size",
                                "16", "--max-size", "512", "--seed", "1", NULL};
        const char *worst[] = {"first-fit-worst", "--ops", worst_ops, "--seed", "1", NULL};
        const char *fixed[] = {"scaling", "--live", live_text, "--ops", ops_text, "--min-size",
                               "64", "--max-size", "64", "--seed", "1", NULL};
        const char *large[] = {"large-holes", "--live", live_text, "--ops", large_ops,
                               "--min-size", "1024", "--max-size", "4096", "--seed", "1", NULL};
        const char *const *commands[COMPARE_SERIES] = {random, worst, fixed, large};
        for (size_t s = 0; s < COMPARE_SERIES; s++) {
            compare_scaling_trace(s, n, relative, sizeof relative);
            if (generate(c, relative, commands[s]) != 0)
                return -1;
        }
    }
    return 0;
}

/* ---- the charts ------------------------------------------------------------------- */

/* gnuplot's path from PATH, in path[]; 0, or -1 when it is not there. */
static int find_gnuplot(char *path, size_t size)
{
    const char *search = getenv("PATH");
    for (const char *p = search != NULL ? search : "/usr/bin:/bin"; *p != '\0';) {
        size_t length = strcspn(p, ":");
        snprintf(path, size, "%.*s/gnuplot", (int)length, p);
        if (length > 0 && access(path, X_OK) == 0)
            return 0;
        p += length + (p[length] == ':');
    }
    return -1;
}

/* The report's *.png and *.svg, for telling which the plots made. */
static int list_images(const struct compare *c, glob_t *images)
{
    char pattern[COMPARE_PATH_BYTES];
    snprintf(pattern, sizeof pattern, "%s/*.png", c->report);
    int status = glob(pattern, 0, NULL, images);
    snprintf(pattern, sizeof pattern, "%s/*.svg", c->report);
    if (status == 0 || status == GLOB_NOMATCH)
        status = glob(pattern, GLOB_APPEND, NULL, images);
    return status == 0 || status == GLOB_NOMATCH ? 0 : -1;
}

/* Appends a word to a gnuplot string "NAME='a b"; NULL closes it with '. */
static void append(char *list, size_t size, const char *word)
{
    size_t used = strlen(list);
    if (word == NULL)
        snprintf(list + used, size - used, "'");
    else
        snprintf(list + used, size - used, "%s%s", list[used - 1] == '\'' ? "" : " ", word);
}

/* Every plots/ *.gp but common.gp (the look they share, which each loads)
 * and policies.gp (with --policies: that one only), run as
 * `gnuplot -e "dir='REPORT'" -e "allocators='...'" SCRIPT`, output in
 * REPORT/plots.log. A failed chart is a warning, not a failed compare. */
void compare_draw_plots(struct compare *c)
{
    char gnuplot[COMPARE_PATH_BYTES], pattern[COMPARE_PATH_BYTES], log[COMPARE_PATH_BYTES];
    c->no_plots = "--no-plots was given";
    if (!c->plots)
        return;
    c->no_plots = "gnuplot is not installed: apt-get install gnuplot-nox";
    if (find_gnuplot(gnuplot, sizeof gnuplot) != 0) {
        compare_progress_done(c);
        fprintf(stderr, "%s\n", gnuplot_missing);
        return;
    }
    c->no_plots = "the report's path holds a ', which gnuplot cannot take";
    if (strchr(c->report, '\'') != NULL) {
        compare_warn(c, "%s: no plots", c->no_plots);
        return;
    }
    c->no_plots = "there are no plot scripts in plots/";
    glob_t scripts = {0}, before = {0}, after = {0};
    snprintf(pattern, sizeof pattern, "%s/plots/*.gp", DMM_SOURCE_DIR);
    if (glob(pattern, 0, NULL, &scripts) != 0 || list_images(c, &before) != 0) {
        compare_warn(c, "no plot scripts in %s/plots: no plots", DMM_SOURCE_DIR);
        globfree(&scripts);
        return;
    }
    c->no_plots = NULL;
    FILE *log_file = compare_create(c, "plots.log");
    if (log_file == NULL || compare_close(c, log_file, "plots.log") != 0)
        return;
    snprintf(log, sizeof log, "%s/plots.log", c->report);

    /* The allocators, and those whose heap map heapmap.gp draws, as gnuplot strings. */
    char dir[COMPARE_PATH_BYTES + 16], allocators[1024] = "allocators='";
    char heap_allocators[1024] = "heap_allocators='";
    snprintf(dir, sizeof dir, "dir='%s'", c->report);
    for (size_t a = 0; a < c->allocator_count; a++) {
        append(allocators, sizeof allocators, c->names[a]);
        if (c->pairs != NULL && compare_draws_heap_map(c, a)) /* --policies: no demo pairs */
            append(heap_allocators, sizeof heap_allocators, c->names[a]);
    }
    append(allocators, sizeof allocators, NULL);
    append(heap_allocators, sizeof heap_allocators, NULL);
    /* Footprint over time for the headline traces: the recorded real programs
     * (traces/README.md) first, then two synthetic ones. */
    static const char *const headline[] = {"gcc-cc1", "sqlite-insert", "python-dict",
                                           "random-random", "realloc-growth"};
    char traces[256] = "traces='";
    for (size_t h = 0; h < sizeof headline / sizeof headline[0]; h++)
        for (size_t t = 0; t < c->trace_count; t++)
            if (strcmp(c->traces[t].name, headline[h]) == 0)
                append(traces, sizeof traces, headline[h]);
    append(traces, sizeof traces, NULL);
    for (size_t i = 0; i < scripts.gl_pathc; i++) {
        const char *script = scripts.gl_pathv[i], *base = strrchr(script, '/') + 1;
        /* policies.gp draws --policies' files, and only it does. */
        int policies = strcmp(base, "policies.gp") == 0;
        if (strcmp(base, "common.gp") == 0 || policies != (c->policies != NULL))
            continue;
        compare_progress(c, 6, "plots: %s", base);
        char *argv[] = {gnuplot, "-e", dir, "-e", allocators, "-e", heap_allocators, "-e", traces,
                        (char *)script, NULL};
        int status = run_program(argv, log);
        if (status != 0)
            compare_warn(c, "plots/%s failed (%s %d): see %s", base,
                         status < 0 ? strerror(errno) : "exit status", status, log);
    }
    if (list_images(c, &after) == 0)
        for (size_t i = 0; i < after.gl_pathc; i++) {
            int old = 0;
            for (size_t k = 0; k < before.gl_pathc && !old; k++)
                old = strcmp(before.gl_pathv[k], after.gl_pathv[i]) == 0;
            if (!old)
                compare_record(c, after.gl_pathv[i] + strlen(c->report) + 1);
        }
    globfree(&scripts), globfree(&before), globfree(&after);
}
