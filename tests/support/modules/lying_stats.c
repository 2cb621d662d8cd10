/*
 * lying_stats.c — the bump allocator (bump_base.h) with one bug: its
 * dmm_stats divides the peak footprint by LIE_FACTOR, so that its
 * utilization would look LIE_FACTOR times better (above 100% on most
 * traces) if the harness believed it.
 *
 * What dmm-replay must report: status `fail`, with a message naming both
 * figures: "dmm_stats says peak footprint 16384 B, the heap section saw
 * 65536 B". The harness keeps its own account of the heap section
 * (harness/replay/footprint.c) from the section's events and never takes
 * the module's word for space.
 */
#include "dmm.h"

#define BUMP_NAME "lying-stats"
#define BUMP_OWN_STATS
#include "bump_base.h"

#define LIE_FACTOR 4

void dmm_stats(struct dmm_stats *stats)
{
    stats_report(stats, &state.counts);
    stats->peak_footprint_bytes /= LIE_FACTOR; /* the bug */
}
