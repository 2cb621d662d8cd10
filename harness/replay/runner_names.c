/*
 * runner_names.c — which allocators there are and whether one can be
 * loaded (runner.h): the build's list (dmm_allocators.h), the baselines and
 * the package each needs, the module folder, and the static TLS a tool
 * that loads jemalloc must ask glibc for before anything else.
 *
 * Step of the data flow: the command line checks every allocator name
 * here before any pair runs (runner.c runs the pairs).
 */
#define _GNU_SOURCE /* setenv, execv with the environment */

#include "runner.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#ifndef DMM_MODULE_DIR
#define DMM_MODULE_DIR "modules" /* the build passes the real folder */
#endif

const char *const runner_builtin_allocators[RUNNER_BUILTIN_COUNT] = {DMM_ALLOCATOR_LIST};

const char *const runner_baseline_allocators[RUNNER_BASELINE_COUNT] = {DMM_BASELINE_LIST};

/* The Debian package that installs each baseline's library. */
static const char *const baseline_packages[RUNNER_BASELINE_COUNT] = {DMM_BASELINE_PACKAGES};

/* Bytes of static TLS surplus asked of glibc; jemalloc 5.3 needs 2632. */
#define STATIC_TLS_TUNABLE "glibc.rtld.optional_static_tls=8192"

/* ---- allocator names ----------------------------------------------------- */

int runner_is_baseline(const char *name)
{
    for (size_t i = 0; i < RUNNER_BASELINE_COUNT; i++)
        if (strcmp(name, runner_baseline_allocators[i]) == 0)
            return 1;
    return 0;
}

const char *runner_module_dir(const char *module_dir)
{
    return module_dir != NULL ? module_dir : DMM_MODULE_DIR;
}

static int module_exists(const char *module_dir, const char *name)
{
    char path[4096];
    int written = snprintf(path, sizeof path, "%s/libdmm-%s.so", module_dir, name);
    return written > 0 && (size_t)written < sizeof path && access(path, R_OK) == 0;
}

int runner_baseline_available(const char *name, const char *module_dir, char *note,
                              size_t note_size)
{
    module_dir = runner_module_dir(module_dir);
    if (module_exists(module_dir, name))
        return 1;
    const char *package = "its library";
    for (size_t i = 0; i < RUNNER_BASELINE_COUNT; i++)
        if (strcmp(name, runner_baseline_allocators[i]) == 0)
            package = baseline_packages[i];
    snprintf(note, note_size,
             "baseline %s skipped: its module was not built (apt-get install %s, then "
             "configure again)", name, package);
    return 0;
}

void runner_reserve_static_tls(char **argv)
{
    const char *tunables = getenv("GLIBC_TUNABLES");
    if (tunables != NULL && strstr(tunables, "glibc.rtld.optional_static_tls") != NULL)
        return; /* in force, or the user chose their own value */
    char value[1024];
    int written = tunables != NULL && tunables[0] != '\0'
                      ? snprintf(value, sizeof value, "%s:%s", tunables, STATIC_TLS_TUNABLE)
                      : snprintf(value, sizeof value, "%s", STATIC_TLS_TUNABLE);
    if (written < 0 || (size_t)written >= sizeof value || setenv("GLIBC_TUNABLES", value, 1) != 0)
        return;
    execv("/proc/self/exe", argv);
    /* exec failed: go on without the surplus; only jemalloc will not load. */
}

int runner_check_allocator(const char *name, const char *module_dir, char *error,
                           size_t error_size)
{
    module_dir = runner_module_dir(module_dir);
    if (strchr(name, '/') != NULL) {
        if (access(name, R_OK) == 0)
            return 0;
        snprintf(error, error_size, "cannot read module '%s': %s", name, strerror(errno));
        return -1;
    }
    if (name[0] != '\0' && module_exists(module_dir, name))
        return 0;

    /* The names this build can load: the teaching allocators, the
     * baselines, and a student's `mine`. */
    char valid[512] = "";
    size_t used = 0;
    for (size_t i = 0; i <= RUNNER_BUILTIN_COUNT + RUNNER_BASELINE_COUNT; i++) {
        const char *known = i < RUNNER_BUILTIN_COUNT ? runner_builtin_allocators[i]
                            : i < RUNNER_BUILTIN_COUNT + RUNNER_BASELINE_COUNT
                                ? runner_baseline_allocators[i - RUNNER_BUILTIN_COUNT]
                                : "mine";
        if (module_exists(module_dir, known) && used < sizeof valid)
            used += (size_t)snprintf(valid + used, sizeof valid - used, "%s%s",
                                     used > 0 ? " " : "", known);
    }
    if (used > 0)
        snprintf(error, error_size,
                 "unknown allocator '%s' (valid: %s, or a path to a module)", name, valid);
    else
        snprintf(error, error_size,
                 "unknown allocator '%s' (%s holds no allocator modules; valid: a path to a "
                 "module, or --module-dir)", name, module_dir);
    return -1;
}


/* ---- stale modules ------------------------------------------------------------- */

/* "12:03:41", the local time of day of a file's modification. */
static void time_of_day(const struct timespec *when, char text[16])
{
    struct tm local;
    time_t seconds = when->tv_sec;
    if (localtime_r(&seconds, &local) == NULL || strftime(text, 16, "%H:%M:%S", &local) == 0)
        snprintf(text, 16, "?");
}

static int newer(const struct timespec *a, const struct timespec *b)
{
    return a->tv_sec > b->tv_sec || (a->tv_sec == b->tv_sec && a->tv_nsec > b->tv_nsec);
}

int runner_module_stale(const char *name, const char *module_dir, char *note, size_t note_size)
{
    char module[4096], record[4096 + 16], source[2048];
    int written = strchr(name, '/') != NULL
                      ? snprintf(module, sizeof module, "%s", name)
                      : snprintf(module, sizeof module, "%s/libdmm-%s.so",
                                 runner_module_dir(module_dir), name);
    if (written < 0 || (size_t)written >= sizeof module)
        return 0;
    snprintf(record, sizeof record, "%s.source", module);
    FILE *file = fopen(record, "r");
    if (file == NULL)
        return 0; /* nothing recorded: a module built elsewhere */
    char build[1024] = "BUILD_DIR"; /* the second line: the build folder */
    int got = fgets(source, sizeof source, file) != NULL;
    if (got && fgets(build, sizeof build, file) == NULL)
        snprintf(build, sizeof build, "BUILD_DIR");
    fclose(file);
    if (!got)
        return 0;
    source[strcspn(source, "\n")] = '\0';
    build[strcspn(build, "\n")] = '\0';
    struct stat built, edited;
    if (stat(module, &built) != 0 || stat(source, &edited) != 0 ||
        !newer(&edited.st_mtim, &built.st_mtim))
        return 0;
    char edited_at[16], built_at[16];
    time_of_day(&edited.st_mtim, edited_at);
    time_of_day(&built.st_mtim, built_at);
    const char *base = strrchr(module, '/');
    snprintf(note, note_size,
             "warning: %s is older than %s (source modified %s, module built %s): the last "
             "build failed or was not run, so this tests the previous code; rebuild with "
             "cmake --build %s and read its errors", base != NULL ? base + 1 : module, source,
             edited_at, built_at, build);
    return 1;
}
