/*
 * module.h — an allocator, loaded from its shared module.
 *
 * Step of the data flow: trace file -> parse -> pair -> child process
 * [loads the allocator here] -> checking pass -> timing -> result ->
 * table/CSV/JSON.
 *
 * Every allocator is built as a module (modules/libdmm-NAME.so) that
 * exports dmm.h's functions and its heap section's observer and bounds.
 * The runner loads one per child process with dlopen (module.c), so each
 * pair starts from freshly loaded allocator state.
 */
#ifndef DMM_MODULE_H
#define DMM_MODULE_H

#include "dmm.h"
#include "heap.h"
#include "trace.h"

#include <stddef.h>

struct allocator_module {
    char name[64];          /* as asked for on the command line ("list", or a path) */
    char reported_name[64]; /* what its dmm_name() says, read once at load; the
                               name asked for when it says NULL or "" */
    char path[4096];        /* the file loaded */
    void *handle;           /* from dlopen */
    void *(*malloc)(size_t);
    void (*free)(void *);
    void *(*calloc)(size_t, size_t);
    void *(*realloc)(void *, size_t);
    const char *(*name_of)(void);
    void (*stats)(struct dmm_stats *);
    const char *(*check)(dmm_visit_fn *, void *);
    void (*reset)(void);
    /* The heap section: NULL in a module without one (then blocks cannot be
     * checked to lie inside the allocator's memory, and the result says so). */
    void (*set_observer)(heap_observer_fn *, void *);
    void *(*heap_start)(void);
    void *(*heap_break)(void);
    /* A baseline's (baselines/): how it measures its footprint. NULL for an
     * allocator on dmm's heap section, whose footprint is exact. */
    const char *(*footprint_method)(void);
    /* What its optional dmm_design declares (design.h's DESIGN_* bits; 0
     * when it declares nothing), checked on every heap walk. */
    unsigned design;
};

/* NAME is one of the built allocators (looked up in module_dir as
 * libdmm-NAME.so; NULL: the build's modules/ folder) or, when it contains
 * a '/', the path of a module. Returns 0, or -1 with a one-line message in
 * error (a dmm_design with an unknown word cannot be loaded either: the
 * message names the word and the valid ones). */
int module_load(const char *name, const char *module_dir, struct allocator_module *module,
                char *error, size_t error_size);

/* A placement policy (allocators/policy.h) for the loaded module: text
 * must be one its dmm_policy_choices() offers, checked with policy_parse.
 * Returns 0, or -1 with a one-line message in error: the parser's, or
 * "NAME has no placement policies" for a module without
 * dmm_policy_choices. The policy itself reaches the allocator through
 * DMM_POLICY in the environment, set before the module was loaded. */
int module_check_policy(const struct allocator_module *module, const char *text, char *error,
                        size_t error_size);

/* The policy the module is using (its dmm_policy()), or NULL when it has
 * none. */
const char *module_policy_in_use(const struct allocator_module *module);

/* The design properties (design.h) the harness checks under the policy in
 * use: "address-ordered" promises address-ordered FIRST fit, so another fit
 * (DMM_POLICY=fit=best on list) drops it. Calls dmm_policy(), which reads
 * DMM_POLICY: only in the process that replays (a bad text aborts there). */
unsigned module_design_in_use(const struct allocator_module *module);

/* The allocator call a trace op stands for, with no checks: the block its
 * ID holds (old) goes in, the new one (NULL after a free) comes out. The
 * replays that only drive the allocator (the timing runs, a baseline's
 * footprint run, the replay up to the peak) all call it. */
static inline void *module_call(const struct allocator_module *module,
                                const struct trace_op *op, void *old)
{
    switch (op->kind) {
    case 'a': return module->malloc(op->size);
    case 'c': return module->calloc(op->nmemb, op->size);
    case 'r': return module->realloc(old, op->size);
    default: module->free(old); return NULL;
    }
}

#endif /* DMM_MODULE_H */
