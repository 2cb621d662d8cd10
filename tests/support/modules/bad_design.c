/*
 * bad_design.c — the bump allocator (bump_base.h), correct, whose
 * dmm_design holds a word that is not a property ("coalesce", one letter
 * short).
 *
 * What dmm-replay must report: the module cannot be loaded, exit status 2:
 * "dmm_design: unknown property 'coalesce' (valid: coalesces,
 * address-ordered)".
 */
#include "dmm.h"

#define BUMP_NAME "bad-design"
#include "bump_base.h"

const char dmm_design[] = "address-ordered coalesce";
