/*
 * ctor_abort.c — the bump allocator (bump_base.h) with a constructor that
 * aborts: the module dies inside dlopen, before dmm-replay could call any
 * of its functions (a student's module that checks something at load time
 * and calls abort() looks like this).
 *
 * What dmm-replay must report: the module cannot be loaded, "cannot load
 * allocator '...': its constructor crashed with SIGABRT (Aborted)", once
 * on stderr, and exit status 2 (a module that cannot be loaded), not 1 (a
 * pair that failed); the other allocators of the run still run.
 */
#include "dmm.h"

#include <stdlib.h>

#define BUMP_NAME "ctor-abort"
#include "bump_base.h"

__attribute__((constructor)) static void refuse_to_load(void)
{
    abort(); /* the bug */
}
