/*
 * breaks.c — the bump allocator (bump_base.h) with a heap checker, and one
 * bug: its BREAK_AT-th free writes a wrong link into the freed chunk's
 * header. Nothing the allocator does later reads that link, so every
 * block stays intact and every call succeeds; only its checker, which
 * follows the links, sees it.
 *
 * The chunk's header keeps `previous`, the payload of the chunk below it.
 * dmm_check walks the chunks from the heap section's start, visiting each,
 * and fails at the first whose link is not its neighbour below.
 *
 * What dmm-replay must report (tests/tools/check_debugging.c): by default
 * `fail` at the LAST op (the only check), and its re-run with a check after
 * every operation names the BREAK_AT-th free; --heap-map shows the chunks
 * walked before the broken one.
 *
 * It also reports the DMM_POLICY it saw, for --policy's test: on stderr
 * when it is loaded (the environment is set before that), and dmm_policy()
 * is "fit=first,order=address" changed by the environment's text, which
 * policy_parse checks against what dmm_policy_choices() offers (first and
 * best fit; address and lifo order).
 */
#include "dmm.h"

#include "policy.h"

#include <stdlib.h>

#define BUMP_NAME "breaks"
#define BUMP_OWN_FREE
#define dmm_check bump_base_check /* bump_base.h's checker finds nothing: replaced below */
const char *bump_base_check(dmm_visit_fn *visit, void *arg);
#include "bump_base.h"
#undef dmm_check

/* The seventeenth free after a reset (dmm_reset zeroes the counts) plants
 * the bug. */
#define BREAK_AT 17

void dmm_free(void *ptr)
{
    if (ptr == NULL)
        return;
    if (++state.counts.free_calls == BREAK_AT)
        payload_to_header(ptr)->previous = ptr; /* the bug: a link to itself */
}

const char *dmm_check(dmm_visit_fn *visit, void *arg)
{
    static char problem[160];
    void *below = NULL;
    for (char *at = heap_start(); state.pad_start != NULL && at < state.pad_start;) {
        struct bump_header *header = (struct bump_header *)(void *)at;
        size_t bytes = sizeof *header + align_up(header->size);
        if (header->previous != below) {
            snprintf(problem, sizeof problem,
                     "chunk at %p: its link to the chunk below is %p, not %p", (void *)at,
                     header->previous, below);
            return problem;
        }
        if (visit != NULL)
            visit(&(struct dmm_chunk_info){.start = at, .size = bytes,
                                           .header_bytes = sizeof *header}, arg);
        below = header + 1;
        at += bytes;
    }
    return NULL;
}

/* ---- what --policy's test looks at ---------------------------------------- */

const char *dmm_policy_choices(void)
{
    return "fit=first|best order=address|lifo";
}

const char *dmm_policy(void)
{
    static char text[64];
    struct policy policy = {POLICY_FIRST, POLICY_ADDRESS};
    char error[160];
    if (policy_parse(getenv("DMM_POLICY"), 1u << POLICY_FIRST | 1u << POLICY_BEST,
                     1u << POLICY_ADDRESS | 1u << POLICY_LIFO, &policy, error, sizeof error) != 0)
        return "invalid";
    policy_text(&policy, text, sizeof text);
    return text;
}

/* Runs when the module is loaded: the line --policy's test looks for. */
__attribute__((constructor)) static void report_policy(void)
{
    const char *text = getenv("DMM_POLICY");
    if (text != NULL)
        fprintf(stderr, "breaks: DMM_POLICY is \"%s\", dmm_policy() says %s\n", text,
                dmm_policy());
}
