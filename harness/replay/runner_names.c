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

