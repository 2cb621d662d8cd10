/*
 * policy.h — the placement policies of the list allocators, as OSTEP's
 * malloc.py offers them: which free chunk malloc takes (the fit) and where
 * free puts a chunk back in the free list (the order).
 *
 *   fit=first    the first chunk from the front of the list that holds the request
 *   fit=next     the same, but the search starts where the last one stopped
 *                (a roving pointer) and wraps around once
 *   fit=best     the smallest chunk that holds it: the whole list is walked
 *   fit=worst    the largest chunk: the whole list is walked
 *   order=address  sorted by address: neighbours in memory are neighbours in the list
 *   order=lifo     a freed chunk goes to the front (last in, first out)
 *   order=size     sorted by size, smallest first (first fit then finds the best fit)
 *
 * Chosen without editing a file:
 *   at configure time  cmake -DDMM_POLICY="fit=best,order=lifo" compiles that
 *                      text in as the default (DMM_POLICY_DEFAULT)
 *   at run time        DMM_POLICY="fit=best" in the environment, read once at
 *                      the allocator's first call (and again at the first
 *                      call after dmm_reset, so that one test process can try
 *                      several); dmm-replay --policy and dmm-compare
 *                      --policies set it in the child process
 * A part left out keeps the allocator's own default (the lecture's). Not every
 * allocator offers every choice (its dmm_policy_choices() says which): an
 * unknown or unoffered choice in DMM_POLICY is an error naming the text and
 * the choices, and the allocator aborts (policy_choose). The configure-time
 * default is one text for the whole build: each allocator takes the parts of
 * it that it offers (list, which offers order=address only, keeps that under
 * -DDMM_POLICY=order=lifo; dlist and unsorted take lifo).
 *
 * An allocator with policies defines the two functions below; the harness
 * finds them with dlsym (they are optional: an allocator without them has one
 * fixed policy) and labels its results with dmm_policy().
 *
 * The parser is static inline, shared by the allocators (which cannot print
 * much from inside malloc) and the harness (which checks --policy before any
 * child runs): one grammar, written once.
 */
#ifndef DMM_POLICY_H
#define DMM_POLICY_H

#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* "fit=first,order=lifo": the policy the allocator is using now (after the
 * environment was read). */
const char *dmm_policy(void);

/* The choices it offers, "fit=first|next|best|worst order=address|lifo|size". */
const char *dmm_policy_choices(void);

enum policy_fit { POLICY_FIRST, POLICY_NEXT, POLICY_BEST, POLICY_WORST, POLICY_FITS };
enum policy_order { POLICY_ADDRESS, POLICY_LIFO, POLICY_SIZE, POLICY_ORDERS };

static const char *const policy_fit_names[POLICY_FITS] = {"first", "next", "best", "worst"};
static const char *const policy_order_names[POLICY_ORDERS] = {"address", "lifo", "size"};

struct policy {
    enum policy_fit fit;
    enum policy_order order;
};

/* Bit masks of offered choices: 1u << POLICY_BEST | ... */
#define POLICY_ALL_FITS ((1u << POLICY_FITS) - 1)
#define POLICY_ALL_ORDERS ((1u << POLICY_ORDERS) - 1)

/* Index of the len-byte word among names[0 .. count), or -1. */
static inline int policy_lookup(const char *word, size_t len, const char *const *names,
                                int count)
{
    for (int i = 0; i < count; i++)
        if (strlen(names[i]) == len && strncmp(word, names[i], len) == 0)
            return i;
    return -1;
}

/* Parses text ("fit=best", "order=lifo", "fit=next,order=address"; NULL or
 * "" changes nothing) into *policy, whose fields hold the defaults on entry.
 * fits and orders are the masks of what the allocator offers. Returns 0, or
 * -1 with a one-line message in error and *policy unchanged. */
static inline int policy_parse(const char *text, unsigned fits, unsigned orders,
                               struct policy *policy, char *error, size_t error_size)
{
    struct policy result = *policy;
    const char *part = text;
    while (part != NULL && *part != '\0') {
        size_t len = strcspn(part, ",");
        const char *equals = memchr(part, '=', len);
        size_t key_len = equals == NULL ? len : (size_t)(equals - part);
        const char *value = equals == NULL ? part + len : equals + 1;
        size_t value_len = equals == NULL ? 0 : len - key_len - 1;
        int is_fit = key_len == 3 && strncmp(part, "fit", 3) == 0;
        int is_order = key_len == 5 && strncmp(part, "order", 5) == 0;
        if (!is_fit && !is_order) {
            snprintf(error, error_size,
                     "policy \"%s\": \"%.*s\" is not fit=... or order=... (separated by commas)",
                     text, (int)len, part);
            return -1;
        }
        int choice = is_fit ? policy_lookup(value, value_len, policy_fit_names, POLICY_FITS)
                            : policy_lookup(value, value_len, policy_order_names, POLICY_ORDERS);
        unsigned offered = is_fit ? fits : orders;
        if (choice < 0 || (offered & (1u << choice)) == 0) {
            char list[64] = "";
            const char *const *names = is_fit ? policy_fit_names : policy_order_names;
            int count = is_fit ? POLICY_FITS : POLICY_ORDERS;
            for (int i = 0; i < count; i++)
                if (offered & (1u << i)) {
                    size_t used = strlen(list);
                    snprintf(list + used, sizeof list - used, "%s%s", used ? ", " : "", names[i]);
                }
            snprintf(error, error_size, "policy \"%s\": %s=%.*s is not %s; this allocator offers %s",
                     text, is_fit ? "fit" : "order", (int)value_len, value,
                     choice < 0 ? "a policy" : "offered", list);
            return -1;
        }
        if (is_fit)
            result.fit = (enum policy_fit)choice;
        else
            result.order = (enum policy_order)choice;
        part = part[len] == ',' ? part + len + 1 : part + len;
    }
    *policy = result;
    return 0;
}

/* "fit=best,order=lifo" into out. */
static inline void policy_text(const struct policy *policy, char *out, size_t size)
{
    snprintf(out, size, "fit=%s,order=%s", policy_fit_names[policy->fit],
             policy_order_names[policy->order]);
}

/* ---- for the allocators ------------------------------------------------- */

/* A policy text that cannot be used: one line on stderr, "dmm (NAME):
 * VARIABLE=TEXT: " and policy_parse's message, then abort(). Never a silent
 * fallback: a student who asked for best fit and got first fit would
 * measure the wrong thing. fputs on stderr (unbuffered) allocates nothing,
 * which matters inside malloc. */
static inline void policy_die(const char *allocator, const char *variable, const char *text,
                              const char *error)
{
    char line[512];
    snprintf(line, sizeof line, "dmm (%s): %s=%s: %s\n", allocator, variable, text, error);
    fputs(line, stderr);
    fflush(stderr); /* stderr may have been made buffered (freopen); abort does not flush */
    abort();
}

/* The allocator's policy, chosen at its first call: the allocator's own
 * defaults, then the parts of the configure-time default
 * (DMM_POLICY_DEFAULT, validated by CMake) that it offers, then DMM_POLICY
 * from the environment, every part of which must be offered (else
 * policy_die). fits and orders: the masks of the offered choices. */
static inline struct policy policy_choose(const char *allocator, struct policy defaults,
                                          unsigned fits, unsigned orders)
{
    char error[256];
    struct policy policy = defaults;
#ifdef DMM_POLICY_DEFAULT
    struct policy built = defaults;
    if (policy_parse(DMM_POLICY_DEFAULT, POLICY_ALL_FITS, POLICY_ALL_ORDERS, &built, error,
                     sizeof error) != 0)
        policy_die(allocator, "DMM_POLICY_DEFAULT", DMM_POLICY_DEFAULT, error);
    if (fits & (1u << built.fit))
        policy.fit = built.fit;
    if (orders & (1u << built.order))
        policy.order = built.order;
#endif
    const char *text = getenv("DMM_POLICY");
    if (policy_parse(text, fits, orders, &policy, error, sizeof error) != 0)
        policy_die(allocator, "DMM_POLICY", text, error);
    return policy;
}

#endif /* DMM_POLICY_H */
