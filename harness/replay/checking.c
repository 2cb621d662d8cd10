/*
 * checking.c — the checking pass (checking.h): replay a trace once through an
 * allocator and check every block it hands out, stopping at the first
 * thing wrong.
 *
 * Step of the data flow: trace file -> parse -> pair -> child process ->
 * [checking pass] -> timing -> result -> table/CSV/JSON.
 *
 * For every block returned (malloc, calloc, realloc), before the harness
 * touches it:
 *   1. not NULL when the request should succeed (every request of at most
 *      DMM_MAX_REQUEST bytes: the trace asks for it), and NULL with ENOMEM
 *      when it must fail (calloc whose nmemb * size overflows or is larger);
 *   2. aligned to DMM_ALIGNMENT (dmm.h's promise); a baseline (a production
 *      allocator, module->footprint_method set) is held to the C standard's
 *      rule instead: aligned for any object that fits in the size asked for,
 *      i.e. to the largest power of two not above the size, at most 16 —
 *      mimalloc and tcmalloc give 8-byte blocks 8-byte alignment;
 *   3. inside memory the allocator obtained through its heap section:
 *      [heap_start, break), or one live mapping. The section's observer
 *      keeps the break and a tree of live mappings up to date. A module
 *      without an observer skips this (found->ownership_checked = 0);
 *   4. overlapping no live block: the live blocks are a tree keyed by
 *      [start, end), where overlapping ranges compare equal, so inserting
 *      finds an overlapping block in O(log n). A zero-byte block counts as
 *      one byte: its pointer must still be unique (dmm.h);
 * then:
 *   5. calloc's memory is zero;
 *   6. realloc kept the old contents up to the smaller of the two sizes.
 * Every block is then filled with a pattern seeded by its trace ID and a
 * generation that grows with every allocation (so a stale copy of an older
 * block with the same ID does not pass), and the pattern is verified before
 * free, before realloc, and for every block still live after the last op:
 * an allocator that writes into a live block is caught there.
 * free (and realloc to 0) must not change errno. The pass also keeps the
 * harness's own account of the heap section from its observers
 * (footprint.h): the footprint, its peak and the system calls; after the
 * last op the module's dmm_stats must agree with it, the live payload must
 * fit in it, and the kernel's /proc/self/maps must show the break it heard.
 * The allocator's own checker runs every options->check_every ops, after
 * every op with --heap-map or --heap-map-dir, and always after the last op.
 * On each of its walks, what the module's dmm_design declares (coalesces,
 * address-ordered) is checked by design.c on the chunks the walk visits,
 * whatever the checker itself says.
 *
 * What the pass writes as it goes (-v, --heap-map, --series,
 * --heap-map-dir) is output.c's; it only tells output.c what happened.
 * It returns what it found (checking.h): the first thing wrong, and what it
 * counted, which replay.c turns into the message and measure.c into the
 * figures.
 *
 * Checked mode (options->checked, --checked; docs/harness.md) is for
 * locating an allocator's bug, not for figures: every block is asked for
 * with GUARD_BYTES more, the guard after the payload is filled with
 * GUARD_BYTE and verified with the pattern (at free, realloc, the end) and
 * on its own at every scheduled heap walk; a payload is filled with
 * FREED_BYTE just before it is freed; and the heap checker runs around
 * every op: before the harness writes a new block (the allocator's own
 * state), after it (a chunk smaller than the request: the write broke a
 * header, or the live block just after it, which is verified too) and
 * after every free (a double free inside the allocator).
 *
 * The harness's own memory (slots, trees) comes from the C library's
 * malloc, never from the allocator under test.
 */
#define _POSIX_C_SOURCE 200809L /* tsearch, tfind, tdelete */

#include "checking.h"

#include "describe.h"
#include "design.h"
#include "output.h"

#include <dlfcn.h>
#include <errno.h>
#include <inttypes.h>
#include <search.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* free must leave errno alone; no system call sets this value. */
#define ERRNO_SENTINEL 31337

/* Checked mode (see the top). */
#define GUARD_BYTES 16     /* after each payload: one DMM_ALIGNMENT unit, so alignment holds */
#define GUARD_BYTE 0xfd    /* the guard's fill (MSVC's "no man's land") */
#define FREED_BYTE 0xdd    /* a payload's fill just before free (MSVC's "dead land") */
#define NEIGHBOUR_BYTES 64 /* after a new block's guard: a live block starting there is
                              verified after the write (headers are smaller than this) */
#define GUARD_SHOWN 8      /* overwritten guard bytes shown in a message, at most */

/* ---- ranges: the live blocks and the live mappings ---------------------- */

struct range {
    uintptr_t start; /* first byte */
    uintptr_t end;   /* one past the last byte */
};

/* Overlapping ranges compare equal: searching for a new block finds a live
 * block it overlaps, and searching for one byte finds the mapping holding
 * it. The ranges inside one tree never overlap, so among them this is a
 * total order, as tsearch needs. */
static int compare_ranges(const void *a, const void *b)
{
    const struct range *x = a, *y = b;
    if (x->end <= y->start)
        return -1;
    if (y->end <= x->start)
        return 1;
    return 0;
}

/* The key of a tsearch node (POSIX: a node's first field is its key). */
static struct range *node_key(const void *node)
{
    return *(struct range *const *)node;
}

/* One trace ID. */
struct slot {
    struct range range; /* first member: the live tree's key, [ptr, ptr + max(size, 1)) */
    void *ptr;          /* the block; NULL when the ID holds none */
    size_t size;        /* requested bytes (calloc: nmemb * size) */
    uint64_t seed;      /* of the fill pattern: the ID and the allocation's generation */
};

struct check_state {
    const struct allocator_module *module;
    const struct trace *trace;
    const struct replay_options *options;
    struct checking_outcome *found; /* what the pass hands back */
    struct slot *slots;          /* one per trace slot */
    void *live;                  /* tsearch tree of the live blocks' ranges */
    void *mappings;              /* tsearch tree of live mappings (malloc'd ranges) */
    int ownership;               /* 1: check 3 is on */
    uintptr_t heap_start;        /* the heap section's start */
    uintptr_t heap_break;        /* and its break, kept by the observer */
    int harness_out_of_memory;   /* the observer could not record a mapping */
    uint64_t generation;         /* allocations so far, for the pattern */
    size_t live_bytes;           /* requested bytes of the live blocks */
    struct dmm_stats previous;   /* after the op before, for the step deltas */
    size_t peak_before;          /* the peak footprint after the op before */
    struct check_output output;  /* -v, --heap-map, --series, --heap-map-dir */
    struct design_walk design;   /* the module's declared design, checked on every walk */
    size_t guard;                /* checked mode: GUARD_BYTES; otherwise 0 */
};

/* ---- the heap section's observer ----------------------------------------- */

/* Removes [start, end) from the live mappings, trimming any mapping that
 * only partly overlaps it (munmap may release part of a mapping). Returns
 * the bytes of live mappings it removed. */
static size_t forget_mappings(struct check_state *s, uintptr_t start, uintptr_t end)
{
    struct range gone = {start, end};
    void *node;
    size_t removed = 0;
    while ((node = tfind(&gone, &s->mappings, compare_ranges)) != NULL) {
        struct range *mapping = node_key(node);
        tdelete(mapping, &s->mappings, compare_ranges);
        struct range below = {mapping->start, start}, above = {end, mapping->end};
        removed += (size_t)(mapping->end - mapping->start);
        removed -= below.start < below.end ? (size_t)(below.end - below.start) : 0;
        removed -= above.start < above.end ? (size_t)(above.end - above.start) : 0;
        free(mapping);
        struct range *pieces[2] = {NULL, NULL};
        if (below.start < below.end && (pieces[0] = malloc(sizeof *pieces[0])) != NULL)
            *pieces[0] = below;
        if (above.start < above.end && (pieces[1] = malloc(sizeof *pieces[1])) != NULL)
            *pieces[1] = above;
        for (int i = 0; i < 2; i++)
            if (pieces[i] != NULL && tsearch(pieces[i], &s->mappings, compare_ranges) == NULL)
                free(pieces[i]), s->harness_out_of_memory = 1;
    }
    return removed;
}

static void observe(enum heap_event event, void *addr, size_t length, void *arg)
{
    struct check_state *s = arg;
    uintptr_t start = (uintptr_t)addr;
    if (event == HEAP_EVENT_BREAK) {
        s->heap_break = start;
        footprint_break(&s->found->footprint, start);
        return;
    }
    if (length == 0 || length > UINTPTR_MAX - start)
        return;
    footprint_mapped(&s->found->footprint, forget_mappings(s, start, start + length), 1);
    if (event == HEAP_EVENT_MAP) {
        footprint_mapped(&s->found->footprint, length, 0);
        struct range *mapping = malloc(sizeof *mapping);
        if (mapping != NULL)
            *mapping = (struct range){start, start + length};
        if (mapping == NULL || tsearch(mapping, &s->mappings, compare_ranges) == NULL)
            free(mapping), s->harness_out_of_memory = 1;
    }
}

/* Check 3: [start, end) lies in the heap section or in one live mapping. */
static int owned(struct check_state *s, uintptr_t start, uintptr_t end)
{
    if (start >= s->heap_start && end <= s->heap_break)
        return 1;
    struct range first_byte = {start, start + 1};
    void *node = tfind(&first_byte, &s->mappings, compare_ranges);
    return node != NULL && end <= node_key(node)->end;
}

/* ---- the fill pattern ------------------------------------------------------ */

/* splitmix64's finaliser: nearby inputs give unrelated outputs. */
static uint64_t mix(uint64_t x)
{
    x = (x ^ (x >> 30)) * 0xBF58476D1CE4E5B9u;
    x = (x ^ (x >> 27)) * 0x94D049BB133111EBu;
    return x ^ (x >> 31);
}

/* Word w of a block's pattern; consecutive words differ, so a block copied
 * to a shifted place does not match either. */
static uint64_t pattern_word(uint64_t seed, size_t w)
{
    return seed + (uint64_t)w * 0x9E3779B97F4A7C15u; /* 2^64 / golden ratio: odd */
}

static void fill(void *block, size_t bytes, uint64_t seed)
{
    unsigned char *p = block;
    for (size_t w = 0; w < bytes / 8; w++) {
        uint64_t word = pattern_word(seed, w);
        memcpy(p + 8 * w, &word, 8);
    }
    uint64_t last = pattern_word(seed, bytes / 8);
    memcpy(p + bytes / 8 * 8, &last, bytes % 8);
}

/* The first byte of block[0, bytes) that is not the pattern (seed != 0) or
 * not zero (zero = 1); bytes when all are right. *expected and *found tell
 * what differs. */
static size_t first_wrong_byte(const void *block, size_t bytes, uint64_t seed, int zero,
                               unsigned *expected, unsigned *found)
{
    const unsigned char *p = block;
    for (size_t w = 0; w * 8 < bytes; w++) {
        size_t n = bytes - w * 8 < 8 ? bytes - w * 8 : 8;
        uint64_t want = zero ? 0 : pattern_word(seed, w), got = 0;
        memcpy(&got, p + 8 * w, n);
        unsigned char want_bytes[8], got_bytes[8];
        memcpy(want_bytes, &want, 8);
        memcpy(got_bytes, &got, 8);
        for (size_t k = 0; k < n; k++)
            if (want_bytes[k] != got_bytes[k]) {
                *expected = want_bytes[k], *found = got_bytes[k];
                return w * 8 + k;
            }
    }
    return bytes;
}

/* ---- messages -------------------------------------------------------------- */

static unsigned long long slot_id(const struct check_state *s, const struct slot *slot)
{
    return (unsigned long long)s->trace->slot_ids[slot - s->slots];
}

/* The first thing wrong, at op i (trace->op_count: no op to blame). */
static int fail(struct check_state *s, size_t i, const char *format, ...)
    __attribute__((format(printf, 3, 4)));
static int fail(struct check_state *s, size_t i, const char *format, ...)
{
    va_list args;
    va_start(args, format);
    vsnprintf(s->found->what, sizeof s->found->what, format, args);
    va_end(args);
    s->found->failed_op = i;
    return -1;
}

static const char *errno_text(int error)
{
    return error == ERRNO_SENTINEL ? "errno not set" : strerror(error);
}

/* Runs the allocator's checker, with the walk drawn or kept when
 * --heap-map or --heap-map-dir ask for it, and checks the module's
 * declared design (dmm_design) on the same walk (design.h). */
static int run_checker(struct check_state *s, size_t i)
{
    dmm_visit_fn *visit = output_walk_start(&s->output, i);
    void *arg = &s->output;
    const struct trace_op *op = i < s->trace->op_count ? &s->trace->ops[i] : NULL;
    if (s->design.properties != 0) {
        const void *block = op != NULL && op->kind == 'a' ? s->slots[op->slot].ptr : NULL;
        visit = design_walk_start(&s->design, op != NULL ? i + 1 : 0, block, visit, arg);
        arg = &s->design;
    }
    const char *problem = s->module->check(visit, arg);
    output_walk_end(&s->output, problem);
    if (problem != NULL)
        return fail(s, i, "the heap checker says: %s", problem);
    char what[sizeof s->found->what];
    if (s->design.properties != 0
        && design_walk_end(&s->design, s->trace, op, what, sizeof what) != 0)
        return fail(s, i, "%s", what);
    return 0;
}

/* ---- one block in, one block out ------------------------------------------ */

/* The alignment a block of `size` bytes must have (point 2 above). */
static size_t required_alignment(const struct allocator_module *module, size_t size)
{
    if (module->footprint_method == NULL)
        return DMM_ALIGNMENT;
    size_t alignment = 1;
    while (alignment < DMM_ALIGNMENT && alignment * 2 <= size)
        alignment *= 2;
    return alignment;
}

/* ---- a live block's pattern and guard ------------------------------------ */

/* The guard after a live block (checked mode) is intact. */
static int verify_guard(struct check_state *s, size_t i, const struct slot *slot, const char *when)
{
    const unsigned char *guard = (const unsigned char *)slot->ptr + slot->size;
    size_t first = s->guard, last = 0, shown = 0;
    char bytes[GUARD_SHOWN * 3 + 4] = "";
    for (size_t k = 0; k < s->guard; k++) {
        if (guard[k] == GUARD_BYTE)
            continue;
        first = first < k ? first : k;
        last = k;
        if (shown++ < GUARD_SHOWN)
            snprintf(bytes + strlen(bytes), sizeof bytes - strlen(bytes), " %02x", guard[k]);
    }
    if (first == s->guard)
        return 0;
    char a[24];
    return fail(s, i,
                "%sbytes %zu..%zu past the payload of block id %llu (%zu bytes at %s) were "
                "overwritten:%s%s",
                when, slot->size + first, slot->size + last, slot_id(s, slot), slot->size,
                describe_address(a, slot->ptr), bytes, shown > GUARD_SHOWN ? " ..." : "");
}

/* The pattern of a live block is intact, and its guard (before free or
 * realloc, and after the last op). */
static int verify_block(struct check_state *s, size_t i, const struct slot *slot, const char *when)
{
    char a[24];
    unsigned expected = 0, found = 0;
    size_t wrong = first_wrong_byte(slot->ptr, slot->size, slot->seed, 0, &expected, &found);
    if (wrong < slot->size)
        return fail(s, i,
                    "%sblock id %llu (%zu bytes at %s) was changed while it was live: "
                    "byte %zu is 0x%02x, expected 0x%02x",
                    when, slot_id(s, slot), slot->size, describe_address(a, slot->ptr), wrong,
                    found, expected);
    return s->guard != 0 ? verify_guard(s, i, slot, when) : 0;
}

/* Checked mode: the allocator's checker, with nothing drawn, between the
 * scheduled walks. */
static int walk_quietly(struct check_state *s, size_t i, const char *when)
{
    const char *problem = s->module->check(NULL, NULL);
    return problem != NULL ? fail(s, i, "%sthe heap checker says: %s", when, problem) : 0;
}

/* Checked mode: the allocator, handing out a new block, wrote nothing
 * over the guard of the live block just below it (a header placed too
 * low: the chunk below was short). */
static int check_block_below(struct check_state *s, size_t i, const struct slot *slot,
                             const char *call)
{
    uintptr_t start = slot->range.start;
    struct range below = {start > NEIGHBOUR_BYTES ? start - NEIGHBOUR_BYTES : 0, start};
    void *node = below.start < below.end ? tfind(&below, &s->live, compare_ranges) : NULL;
    if (node == NULL)
        return 0;
    char when[160];
    snprintf(when, sizeof when, "%s wrote over the block below it: ", call);
    return verify_guard(s, i, (const void *)node_key(node), when);
}

/* Checked mode, right after the harness wrote a new block and its guard:
 * the write must have changed nothing but the block. A chunk smaller than
 * the request shows as a live block after it that changed (its pattern or
 * guard), or as a heap the checker passed just before and fails now. */
static int check_short_chunk(struct check_state *s, size_t i, const struct slot *slot,
                             const char *call)
{
    char what[128];
    snprintf(what, sizeof what, "%s returned a chunk too small: ", call);
    struct range after = {slot->range.end, slot->range.end + NEIGHBOUR_BYTES};
    void *node = tfind(&after, &s->live, compare_ranges);
    const struct slot *next = node != NULL ? (const void *)node_key(node) : NULL;
    char when[256];
    snprintf(when, sizeof when, "%swriting its %zu bytes and the %zu guard bytes after them "
             "changed the next block: ", what, slot->size, s->guard);
    if (next != NULL && next != slot && verify_block(s, i, next, when) != 0)
        return -1;
    snprintf(when, sizeof when, "%swriting its %zu bytes and the %zu guard bytes after them "
             "broke the heap: ", what, slot->size, s->guard);
    return walk_quietly(s, i, when);
}

/* Checks 2-6 for a block just returned by `call`, then enters it in the
 * live tree and fills it. kept bytes must still hold kept_seed's pattern. */
static int take_block(struct check_state *s, size_t i, struct slot *slot, void *p, size_t size,
                      const char *call, int zeroed, size_t kept, uint64_t kept_seed)
{
    char a[24], b[24], c[24];
    uintptr_t start = (uintptr_t)p, span = size + s->guard == 0 ? 1 : size + s->guard;
    size_t alignment = required_alignment(s->module, size);
    if (start % alignment != 0)
        return fail(s, i, "%s returned %s, which is not %zu-byte aligned", call,
                    describe_address(a, p), alignment);
    if (span > UINTPTR_MAX - start)
        return fail(s, i, "%s returned %s, too near the top of memory to hold %zu bytes", call,
                    describe_address(a, p), (size_t)span);
    if (s->ownership && !owned(s, start, start + span))
        return fail(s, i,
                    "%s returned %s, but its %zu bytes are not inside the heap section "
                    "[%s, %s) nor inside one live mapping",
                    call, describe_address(a, p), (size_t)span,
                    describe_address(b, (void *)s->heap_start),
                    describe_address(c, (void *)s->heap_break));
    slot->range = (struct range){start, start + span};
    void *node = tsearch(&slot->range, &s->live, compare_ranges);
    if (node == NULL)
        return fail(s, i, "the harness ran out of memory");
    if (node_key(node) != &slot->range) {
        const struct slot *other = (const struct slot *)(const void *)node_key(node);
        return fail(s, i, "%s returned %s, which overlaps the live block id %llu (%zu bytes at %s)",
                    call, describe_address(a, p), slot_id(s, other), other->size,
                    describe_address(b, other->ptr));
    }
    slot->ptr = p;
    slot->size = size;
    s->live_bytes += size;
    if (s->guard != 0 && (walk_quietly(s, i, "") != 0 || check_block_below(s, i, slot, call) != 0))
        return -1;
    unsigned expected = 0, found = 0;
    size_t wrong = zeroed ? first_wrong_byte(p, size, 0, 1, &expected, &found) : size;
    if (wrong < size)
        return fail(s, i, "%s returned memory that is not zero: byte %zu is 0x%02x", call, wrong,
                    found);
    wrong = first_wrong_byte(p, kept, kept_seed, 0, &expected, &found);
    if (wrong < kept)
        return fail(s, i, "%s lost the old contents: byte %zu of %s is 0x%02x, expected 0x%02x",
                    call, wrong, describe_address(a, p), found, expected);
    slot->seed = mix(mix(slot_id(s, slot)) ^ ++s->generation);
    fill(p, size, slot->seed);
    if (s->guard == 0)
        return 0;
    memset((unsigned char *)p + size, GUARD_BYTE, s->guard);
    return check_short_chunk(s, i, slot, call);
}

static void drop_block(struct check_state *s, struct slot *slot)
{
    tdelete(&slot->range, &s->live, compare_ranges);
    s->live_bytes -= slot->size;
    slot->ptr = NULL;
    slot->size = 0;
}

/* ---- one operation ----------------------------------------------------------- */

/* The allocator call op stands for (module_call), asking in checked mode
 * for the guard too; a calloc that must fail is made as written. */
static void *call_allocator(const struct check_state *s, const struct trace_op *op, void *old)
{
    const struct allocator_module *m = s->module;
    size_t g = s->guard, bytes = 0;
    if (g == 0 || op->kind == 'f')
        return module_call(m, op, old);
    if (op->kind == 'c') {
        if (__builtin_mul_overflow(op->nmemb, op->size, &bytes) || bytes > DMM_MAX_REQUEST)
            return module_call(m, op, old);
        return m->calloc(1, bytes + g);
    }
    bytes = op->size <= SIZE_MAX - g ? op->size + g : SIZE_MAX;
    if (op->kind == 'r')
        return m->realloc(old, old != NULL && op->size == 0 ? 0 : bytes);
    return m->malloc(bytes);
}

static int run_op(struct check_state *s, size_t i)
{
    const struct trace_op *op = &s->trace->ops[i];
    struct slot *slot = op->slot == TRACE_NO_SLOT ? NULL : &s->slots[op->slot];
    char call[96], a[24];
    void *old = slot != NULL ? slot->ptr : NULL, *p;
    size_t old_size = old != NULL ? slot->size : 0;
    uint64_t old_seed = old != NULL ? slot->seed : 0;

    if (op->kind == 'f' || op->kind == 'r') {
        if (old != NULL && verify_block(s, i, slot, "") != 0)
            return -1;
        if (old != NULL && op->kind == 'f' && s->guard != 0)
            memset(old, FREED_BYTE, slot->size + s->guard);
        if (old != NULL)
            drop_block(s, slot);
    } else if (old != NULL) {
        drop_block(s, slot); /* the parser thinks the ID is free: leave it leaked */
    }

    errno = ERRNO_SENTINEL;
    p = call_allocator(s, op, old);
    int error = errno;
    output_op(&s->output, i, old, p);
    describe_call(call, sizeof call, op, NULL, describe_address(a, old)); /* "malloc(100)" */

    switch (op->kind) {
    case 'a':
        if (p == NULL)
            return fail(s, i, "%s returned NULL: %s", call, errno_text(error));
        return take_block(s, i, slot, p, op->size, call, 0, 0, 0);
    case 'c': {
        size_t bytes = 0;
        int must_fail = __builtin_mul_overflow(op->nmemb, op->size, &bytes)
                     || bytes > DMM_MAX_REQUEST;
        if (must_fail && p != NULL)
            return fail(s, i, "%s returned %s, but the product is above DMM_MAX_REQUEST: "
                        "it must fail with ENOMEM", call, describe_address(a, p));
        if (must_fail && error != ENOMEM)
            return fail(s, i, "%s returned NULL, but errno is %s, not ENOMEM", call,
                        errno_text(error));
        if (must_fail)
            return 0;
        if (p == NULL)
            return fail(s, i, "%s returned NULL: %s", call, errno_text(error));
        return take_block(s, i, slot, p, bytes, call, 1, 0, 0);
    }
    case 'r':
        if (old != NULL && op->size == 0) {
            if (p != NULL)
                return fail(s, i, "%s returned %s, not NULL: dmm.h says it frees the block", call,
                            describe_address(a, p));
            if (error != ERRNO_SENTINEL)
                return fail(s, i, "%s changed errno to %s; dmm.h says it leaves errno alone",
                            call, strerror(error));
            return s->guard != 0 ? walk_quietly(s, i, "") : 0;
        }
        if (p == NULL)
            return fail(s, i, "%s returned NULL: %s", call, errno_text(error));
        return take_block(s, i, slot, p, op->size, call, 0,
                          old_size < op->size ? old_size : op->size, old_seed);
    default: /* 'f' */
        if (error != ERRNO_SENTINEL)
            return fail(s, i, "%s changed errno to %s; dmm.h says free never does", call,
                        strerror(error));
        return s->guard != 0 ? walk_quietly(s, i, "") : 0;
    }
}

/* After op i: the figures, the series row, the checker when it is due. */
static int after_op(struct check_state *s, size_t i)
{
    if (s->harness_out_of_memory)
        return fail(s, i, "the harness ran out of memory recording a mapping");
    struct dmm_stats now;
    s->module->stats(&now);
    struct checking_outcome *found = s->found;
    uint64_t malloc_steps = now.malloc_steps - s->previous.malloc_steps;
    uint64_t free_steps = now.free_steps - s->previous.free_steps;
    if (malloc_steps > found->max_steps_malloc)
        found->max_steps_malloc = malloc_steps;
    if (free_steps > found->max_steps_free)
        found->max_steps_free = free_steps;
    if (s->live_bytes > found->peak_live_bytes)
        found->peak_live_bytes = s->live_bytes;
    /* The footprint as the harness heard it; a module without a heap
     * section observer has only its own word. */
    const struct footprint *heard = &found->footprint;
    size_t peak = s->ownership ? heard->peak : now.peak_footprint_bytes;
    size_t extent = heard->brk > heard->start ? (size_t)(heard->brk - heard->start) : 0;
    size_t footprint = s->ownership ? extent + heard->mapped_bytes : now.footprint_bytes;
    if (peak > s->peak_before)
        found->peak_op = i + 1;
    s->peak_before = peak;
    s->previous = now;

    output_sample(&s->output, i, s->live_bytes, footprint);
    size_t done = i + 1;
    uint64_t every = s->options->check_every;
    if (output_wants_every_walk(&s->output) || done == s->trace->op_count ||
        (every != 0 && done % every == 0)) {
        for (size_t k = 0; k < s->trace->slot_count && s->guard != 0; k++)
            if (s->slots[k].ptr != NULL
                && verify_guard(s, i, &s->slots[k], "at the heap walk after this op, ") != 0)
                return -1;
        return run_checker(s, i);
    }
    return 0;
}

/* ---- the pass ----------------------------------------------------------------- */

int checking_pass(const struct allocator_module *module, const struct trace *trace,
               const struct replay_options *options, struct replay_progress *progress,
               struct checking_outcome *found)
{
    struct check_state s = {.module = module, .trace = trace, .options = options,
                            .found = found, .design = {.properties = module_design_in_use(module)},
                            .guard = options->checked ? GUARD_BYTES : 0};
    *found = (struct checking_outcome){.failed_op = trace->op_count};
    s.ownership = module->set_observer != NULL && module->heap_start != NULL
               && module->heap_break != NULL;
    found->ownership_checked = s.ownership;
    if (s.ownership)
        module->set_observer(observe, &s);
    module->reset();
    forget_mappings(&s, 0, UINTPTR_MAX); /* whatever reset unmapped or not */
    if (s.ownership) {
        s.heap_start = (uintptr_t)module->heap_start();
        s.heap_break = (uintptr_t)module->heap_break();
    }
    /* The harness's own account of the section (footprint.h): the calls
     * are heard when the module's section can tell them. */
    void (*set_call_observer)(heap_call_fn *, void *) = NULL;
    void *found_symbol = s.ownership ? dlsym(module->handle, "heap_set_call_observer") : NULL;
    memcpy(&set_call_observer, &found_symbol, sizeof found_symbol);
    footprint_start(&found->footprint, s.heap_start, s.heap_break, set_call_observer != NULL);
    if (set_call_observer != NULL)
        set_call_observer(footprint_call, &found->footprint);

    int status = -1;
    char what[sizeof found->what];
    s.slots = calloc(trace->slot_count != 0 ? trace->slot_count : 1, sizeof *s.slots);
    if (s.slots == NULL)
        fail(&s, trace->op_count, "the harness ran out of memory");
    else if (output_open(&s.output, module, trace, options, what, sizeof what) != 0)
        fail(&s, trace->op_count, "%s", what);
    else {
        status = 0;
        for (size_t i = 0; i < trace->op_count && status == 0; i++) {
            progress->timing = 0;
            progress->line = trace->ops[i].line;
            progress->op = i + 1;
            status = run_op(&s, i) != 0 || after_op(&s, i) != 0 ? -1 : 0;
        }
        if (status == 0 && trace->op_count == 0)
            status = run_checker(&s, 0);
        for (size_t k = 0; k < trace->slot_count && status == 0; k++)
            if (s.slots[k].ptr != NULL)
                status = verify_block(&s, trace->op_count - 1, &s.slots[k],
                                      "after the last op, ");
    }
    module->stats(&found->final);
    if (set_call_observer != NULL)
        set_call_observer(NULL, NULL);
    /* dmm_stats must say what the section was seen to do (footprint.h). */
    if (s.ownership && status == 0
        && footprint_compare(&found->footprint, &found->final, found->peak_live_bytes, what,
                             sizeof what) != 0)
        status = fail(&s, trace->op_count, "%s", what);
    else if (s.ownership && status == 0
             && footprint_check_maps(&found->footprint, what, sizeof what) != 0)
        status = fail(&s, trace->op_count, "%s", what);
    else if (!s.ownership && module->footprint_method == NULL && status == 0
             && found->peak_live_bytes > found->final.peak_footprint_bytes)
        status = fail(&s, trace->op_count,
                      "utilization above 100%%: %zu B of live payload at once, but dmm_stats "
                      "says a peak footprint of only %zu B",
                      found->peak_live_bytes, found->final.peak_footprint_bytes);

    if (s.ownership)
        module->set_observer(NULL, NULL);
    while (s.live != NULL)
        tdelete(node_key(s.live), &s.live, compare_ranges);
    forget_mappings(&s, 0, UINTPTR_MAX);
    design_walk_free(&s.design);
    free(s.slots);
    if (output_close(&s.output, what, sizeof what) != 0 && status == 0)
        status = fail(&s, trace->op_count, "%s", what);
    return status;
}
