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
#include "policy.h"

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

/* ---- placement policies (allocators/policy.h) ------------------------------ */

/* The bits of names[] that a word of dmm_policy_choices() offers: in
 * "fit=first|next|best|worst order=address|lifo|size", key is "fit" or
 * "order" and the alternatives follow the '='. */
static unsigned offered_choices(const char *choices, const char *key,
                                const char *const *names, int count)
{
    unsigned mask = 0;
    size_t key_len = strlen(key);
    for (const char *word = choices; word != NULL && *word != '\0';) {
        word += strspn(word, " ");
        size_t len = strcspn(word, " ");
        if (len > key_len && strncmp(word, key, key_len) == 0 && word[key_len] == '=') {
            for (const char *alt = word + key_len + 1; alt < word + len;) {
                size_t alt_len = strcspn(alt, "| ");
                if (alt + alt_len > word + len)
                    alt_len = (size_t)(word + len - alt);
                int choice = policy_lookup(alt, alt_len, names, count);
                if (choice >= 0)
                    mask |= 1u << choice;
                alt += alt_len + (alt[alt_len] == '|');
            }
        }
        word += len;
    }
    return mask;
}

int module_check_policy(const struct allocator_module *module, const char *text, char *error,
                        size_t error_size)
{
    const char *(*choices_of)(void) = NULL;
    void *found = symbol(module->handle, "dmm_policy_choices");
    dlerror();
    memcpy(&choices_of, &found, sizeof found);
    const char *choices = choices_of != NULL ? choices_of() : NULL;
    if (choices == NULL) {
        snprintf(error, error_size, "%s has no placement policies (--policy \"%s\"): only an "
                 "allocator that defines dmm_policy_choices() offers them (allocators/policy.h)",
                 module->reported_name, text);
        return -1;
    }
    unsigned fits = offered_choices(choices, "fit", policy_fit_names, POLICY_FITS);
    unsigned orders = offered_choices(choices, "order", policy_order_names, POLICY_ORDERS);
    struct policy policy = {POLICY_FIRST, POLICY_ADDRESS};
    char why[256];
    if (policy_parse(text, fits, orders, &policy, why, sizeof why) != 0) {
        snprintf(error, error_size, "%s: %s", module->reported_name, why);
        return -1;
    }
    return 0;
}

const char *module_policy_in_use(const struct allocator_module *module)
{
    const char *(*policy_of)(void) = NULL;
    void *found = symbol(module->handle, "dmm_policy");
    dlerror();
    memcpy(&policy_of, &found, sizeof found);
    return policy_of != NULL ? policy_of() : NULL;
}

unsigned module_design_in_use(const struct allocator_module *module)
{
    unsigned design = module->design;
    const char *policy = module_policy_in_use(module);
    if (policy != NULL && strncmp(policy, "fit=first", 9) != 0)
        design &= ~(unsigned)DESIGN_ADDRESS_ORDERED;
    return design;
}
