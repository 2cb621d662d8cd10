/* Forgets dmm_stats: it cannot be loaded as an allocator. */
#define OWN_STATS /* and then forgets to write it */
#include "dmm.h"
