/*
 * module.c — load one allocator from its shared module (module.h).
 *
 * Step of the data flow: trace file -> parse -> pair -> child process
 * [loads the allocator here] -> checking pass -> timing -> result ->
 * table/CSV/JSON.
 *
 * Every allocator is built as modules/libdmm-NAME.so, exporting dmm.h's
 * functions and its heap section's heap_set_observer, heap_start and
 * heap_break. The runner loads one per child process, so the module's
 * globals (its allocator state, its simulated heap section) start fresh in each child.
 *
 * RTLD_LOCAL keeps the module's symbols out of the global scope: two
 * modules loaded into one process (a test driver) each call their own
 * dmm_malloc from inside their own calloc and realloc.
 */
#define _POSIX_C_SOURCE 200809L

#include "module.h"

#include "design.h"

#include <dlfcn.h>
#include <stdio.h>
#include <string.h>

#ifndef DMM_MODULE_DIR
#define DMM_MODULE_DIR "modules" /* the build passes the real folder */
#endif

/* dlsym with dlerror cleared first, so that after a NULL dlerror() tells
 * why. dlsym returns functions as void *; ISO C has no conversion from
 * that to a function pointer, so the callers copy the bytes (POSIX
 * guarantees the two have the same representation). */
static void *symbol(void *handle, const char *name)
{
    dlerror(); /* clear any earlier error, so a NULL can be told apart */
    return dlsym(handle, name);
}

static int fail(const char *name, const char *why, char *error, size_t error_size)
{
    snprintf(error, error_size, "cannot load allocator '%s': %s", name, why);
    return -1;
}

/* The words of the module's dmm_design into module->design. A string that
 * does not end within DESIGN_TEXT_MAX bytes is refused before it is read
 * further (strnlen stops there). */
static int load_design(struct allocator_module *module, const char *design, char *error,
                       size_t error_size)
{
    char why[256];
    if (strnlen(design, DESIGN_TEXT_MAX) == DESIGN_TEXT_MAX)
        snprintf(why, sizeof why, "dmm_design is not a string of at most %d characters",
                 DESIGN_TEXT_MAX - 1);
    else if (design_parse(design, &module->design, why, sizeof why) == 0)
        return 0;
    return fail(module->name, why, error, error_size);
}

int module_load(const char *name, const char *module_dir, struct allocator_module *module,
                char *error, size_t error_size)
{
    *module = (struct allocator_module){0};
    int written;
    if (strchr(name, '/') != NULL)
        written = snprintf(module->path, sizeof module->path, "%s", name);
    else
        written = snprintf(module->path, sizeof module->path, "%s/libdmm-%s.so",
                           module_dir != NULL ? module_dir : DMM_MODULE_DIR, name);
    if (written < 0 || (size_t)written >= sizeof module->path)
        return fail(name, "the module's path is too long", error, error_size);
    snprintf(module->name, sizeof module->name, "%s", name);

    module->handle = dlopen(module->path, RTLD_NOW | RTLD_LOCAL);
    if (module->handle == NULL) {
        const char *why = dlerror();
        return fail(name, why != NULL ? why : module->path, error, error_size);
    }

    /* The required functions, in dmm.h's order. */
    struct {
        const char *name;
        void *target; /* the function pointer member to fill */
    } required[] = {
        {"dmm_malloc", &module->malloc}, {"dmm_free", &module->free},
        {"dmm_calloc", &module->calloc}, {"dmm_realloc", &module->realloc},
        {"dmm_name", &module->name_of},  {"dmm_stats", &module->stats},
        {"dmm_check", &module->check},   {"dmm_reset", &module->reset},
    };
    for (size_t i = 0; i < sizeof required / sizeof required[0]; i++) {
        void *found = symbol(module->handle, required[i].name);
        if (found == NULL) {
            char why[4096 + 64];
            const char *text = dlerror();
            if (text != NULL)
                snprintf(why, sizeof why, "%s", text);
            else
                snprintf(why, sizeof why, "%s: %s is NULL", module->path, required[i].name);
            dlclose(module->handle);
            *module = (struct allocator_module){0};
            return fail(name, why, error, error_size);
        }
        memcpy(required[i].target, &found, sizeof found);
    }

    /* The heap section: optional (a module without one is still replayed,
     * only its blocks cannot be checked to lie in its memory). */
    void *found = symbol(module->handle, "heap_set_observer");
    memcpy(&module->set_observer, &found, sizeof found);
    found = symbol(module->handle, "heap_start");
    memcpy(&module->heap_start, &found, sizeof found);
    found = symbol(module->handle, "heap_break");
    memcpy(&module->heap_break, &found, sizeof found);
    found = symbol(module->handle, "dmm_footprint_method"); /* baselines only */
    memcpy(&module->footprint_method, &found, sizeof found);
    const char *design = symbol(module->handle, "dmm_design"); /* optional: data, not code */
    dlerror(); /* a missing optional symbol is not an error for later callers */
    if (design != NULL && load_design(module, design, error, error_size) != 0) {
        dlclose(module->handle);
        *module = (struct allocator_module){0};
        return -1;
    }

    const char *reported = module->name_of();
    snprintf(module->reported_name, sizeof module->reported_name, "%s",
             reported != NULL && reported[0] != '\0' ? reported : name);
    return 0;
}
