/*
 * policy_bump.c — the bump allocator (bump_base.h) with placement policies
 * it does not need: it offers fit=first|best and order=address|lifo
 * (allocators/policy.h), reads DMM_POLICY at its first call, and counts
 * search steps that tell the policy it runs under, so that a test can see
 * which policy each child process got.
 *
 * The steps: every malloc counts 1 + fit + 4 * order steps (fit and order
 * are policy.h's enum values: first 0, best 2; address 0, lifo 1), so the
 * four variants give 1 (first, address), 3 (best, address), 5 (first, lifo)
 * and 7 (best, lifo) steps per malloc, and free none. Nothing else changes:
 * the chunks are bump's, so every trace replays correctly whatever the
 * policy.
 *
 * What must hold (tests/policy_harness.cmake): dmm-compare --policies on
 * this module writes one row per variant, labelled "policy-bump
 * fit=F,order=O", each with its own steps per malloc.
 */
#include "dmm.h"

#include "policy.h"

#define BUMP_NAME "policy-bump"
#define BUMP_OWN_MALLOC
#include "bump_base.h"

#define OFFERED_FITS (1u << POLICY_FIRST | 1u << POLICY_BEST)
#define OFFERED_ORDERS (1u << POLICY_ADDRESS | 1u << POLICY_LIFO)

static struct policy policy;
static int policy_read; /* DMM_POLICY is read at the first call */

static void choose_policy(void)
{
    if (!policy_read) {
        policy = policy_choose(BUMP_NAME, (struct policy){POLICY_FIRST, POLICY_ADDRESS},
                               OFFERED_FITS, OFFERED_ORDERS);
        policy_read = 1;
    }
}

void *dmm_malloc(size_t size)
{
    choose_policy();
    state.counts.malloc_calls++;
    state.counts.malloc_steps += 1 + (unsigned)policy.fit + 4 * (unsigned)policy.order;
    return bump_chunk(size);
}

const char *dmm_policy(void)
{
    static char text[64];
    choose_policy();
    policy_text(&policy, text, sizeof text);
    return text;
}

const char *dmm_policy_choices(void)
{
    return "fit=first|best order=address|lifo";
}
