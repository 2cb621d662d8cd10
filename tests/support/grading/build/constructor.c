/* Sets itself up when loaded: refused, code that runs at load time runs
 * before the sandbox is in place. */
#define OWN_MALLOC
#include "dmm.h"

static volatile int ready;

__attribute__((constructor)) static void set_up(void) { ready = 1; }

void *dmm_malloc(size_t size) { (void)size; return ready ? NULL : NULL; }
