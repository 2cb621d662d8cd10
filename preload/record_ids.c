/*
 * record_ids.c — the recorder's pointer -> ID map and its free-ID stack
 * (libdmm-record.so; record.c decides what each call becomes, this file
 * only remembers which ID each live pointer has).
 *
 * The trace names blocks by ID, the program by pointer: the map turns
 * `free(p)` into `f ID`. A freed ID is reused, last freed first, so the
 * largest ID stays below the peak number of live blocks and the replay's
 * slot table stays as small as the program's live set.
 *
 * What must stay true
 *   1. The map is open addressing with linear probing, at most half full,
 *      with no tombstones: every entry is reachable from its home bucket.
 *   2. A pointer is in the map exactly while its ID is live in the trace.
 *   3. Nothing here allocates through malloc (record.c, rule 3): the map
 *      and the stack are mapped with mmap and doubled when full.
 *
 * Cost: one probe sequence per call (expected O(1)); growth rehashes.
 */
#define _DEFAULT_SOURCE /* MAP_ANONYMOUS */

#include "record.h"

#include <stdint.h>
#include <string.h>
#include <sys/mman.h>

#define FIRST_MAP_SLOTS 4096   /* 64 KiB of map to start with; doubles when half full */
#define FIRST_SPARE_IDS 4096   /* 16 KiB of free-ID stack to start with; doubles */
#define LARGEST_ID 4294967294u /* TRACE_MAX_ID in harness/replay/trace.h */

/* One bucket of the map; pointer 0 marks an empty bucket. */
struct map_slot {
    uintptr_t pointer; /* a live block's address, as the program holds it */
    uint32_t id;       /* its ID in the trace */
};

static struct {
    struct map_slot *map;        /* pointer -> ID */
    size_t map_slots;            /* buckets: a power of two */
    unsigned map_shift;          /* 64 - log2(map_slots): the hash keeps the top bits */
    size_t map_used;             /* live pointers in the map, at most map_slots / 2 */
    uint32_t *spare_ids;         /* freed IDs, the next to reuse on top */
    size_t spare_count, spare_capacity;
    uint64_t next_id;            /* IDs below it have been used */
} ids;

/* ---- the map ---------------------------------------------------------------- */

static void *map_region(size_t bytes)
{
    void *region = mmap(NULL, bytes, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
    return region == MAP_FAILED ? NULL : region;
}

static size_t map_home(uintptr_t pointer)
{
    /* Fibonacci hashing of the address without its always-zero low 4 bits. */
    return (size_t)(((uint64_t)(pointer >> 4) * 0x9E3779B97F4A7C15u) >> ids.map_shift);
}

/* The bucket holding pointer, or the empty bucket where it would go. */
static size_t map_find(uintptr_t pointer)
{
    size_t i = map_home(pointer);
    while (ids.map[i].pointer != 0 && ids.map[i].pointer != pointer)
        i = (i + 1) & (ids.map_slots - 1);
    return i;
}

/* Makes room for one more pointer; 0, or -1 when no memory can be mapped. */
static int map_make_room(void)
{
    if (ids.map_used + 1 <= ids.map_slots / 2)
        return 0;
    struct map_slot *old = ids.map;
    size_t old_slots = ids.map_slots;
    struct map_slot *grown = map_region(2 * old_slots * sizeof *grown);
    if (grown == NULL)
        return -1;
    ids.map = grown;
    ids.map_slots = 2 * old_slots;
    ids.map_shift--;
    for (size_t i = 0; i < old_slots; i++)
        if (old[i].pointer != 0)
            ids.map[map_find(old[i].pointer)] = old[i];
    munmap(old, old_slots * sizeof *old);
    return 0;
}

/* Empties bucket i, moving later entries of its probe run back so that every
 * entry stays reachable from its home bucket (invariant 1). */
static void map_remove_at(size_t i)
{
    size_t mask = ids.map_slots - 1;
    for (size_t j = (i + 1) & mask; ids.map[j].pointer != 0; j = (j + 1) & mask) {
        size_t home = map_home(ids.map[j].pointer);
        int stays = i <= j ? (i < home && home <= j) : (i < home || home <= j);
        if (!stays) {
            ids.map[i] = ids.map[j];
            i = j;
        }
    }
    ids.map[i].pointer = 0;
    ids.map_used--;
}

/* Puts pointer -> id in the map (room already made); 1 when pointer was
 * there already (its old entry is replaced), else 0. */
static int map_put(uintptr_t pointer, uint32_t id)
{
    size_t i = map_find(pointer);
    int was_there = ids.map[i].pointer != 0;
    if (!was_there)
        ids.map_used++;
    ids.map[i] = (struct map_slot){.pointer = pointer, .id = id};
    return was_there;
}

/* ---- the free-ID stack ---------------------------------------------------- */

static int take_id(uint32_t *id)
{
    if (ids.spare_count > 0) {
        *id = ids.spare_ids[--ids.spare_count];
        return 0;
    }
    if (ids.next_id > LARGEST_ID)
        return -1;
    *id = (uint32_t)ids.next_id++;
    return 0;
}

static void give_back_id(uint32_t id)
{
    if (ids.spare_count == ids.spare_capacity) {
        uint32_t *grown = map_region(2 * ids.spare_capacity * sizeof *grown);
        if (grown == NULL)
            return; /* the ID is simply never reused */
        memcpy(grown, ids.spare_ids, ids.spare_count * sizeof *grown);
        munmap(ids.spare_ids, ids.spare_capacity * sizeof *grown);
        ids.spare_ids = grown;
        ids.spare_capacity *= 2;
    }
    ids.spare_ids[ids.spare_count++] = id;
}

/* ---- the interface (record.h) ---------------------------------------------- */

int record_ids_init(void)
{
    ids.map_slots = FIRST_MAP_SLOTS;
    ids.map_shift = 64 - (unsigned)__builtin_ctzll(FIRST_MAP_SLOTS);
    ids.map = map_region(FIRST_MAP_SLOTS * sizeof *ids.map);
    ids.spare_capacity = FIRST_SPARE_IDS;
    ids.spare_ids = map_region(FIRST_SPARE_IDS * sizeof *ids.spare_ids);
    return ids.map != NULL && ids.spare_ids != NULL ? 0 : -1;
}

int record_ids_enter(uintptr_t pointer, uint32_t *id)
{
    if (map_make_room() != 0 || take_id(id) != 0)
        return -1;
    return map_put(pointer, *id);
}

int record_ids_find(uintptr_t pointer, uint32_t *id)
{
    size_t i = map_find(pointer);
    if (ids.map[i].pointer == 0)
        return 0;
    *id = ids.map[i].id;
    return 1;
}

void record_ids_release(uintptr_t pointer)
{
    size_t i = map_find(pointer);
    if (ids.map[i].pointer == 0)
        return;
    uint32_t id = ids.map[i].id;
    map_remove_at(i);
    give_back_id(id);
}

void record_ids_move(uintptr_t old, uintptr_t moved)
{
    size_t i = map_find(old);
    if (ids.map[i].pointer == 0 || old == moved)
        return;
    uint32_t id = ids.map[i].id;
    map_remove_at(i);
    map_put(moved, id); /* one out, one in: no room to make */
}

uint64_t record_ids_used(void) { return ids.next_id; }

uint64_t record_ids_live(void) { return ids.map_used; }
