/*
 * preload_table.c — the block table of the LD_PRELOAD layer.
 *
 * An open-addressing hash table (linear probing, backward-shift deletion,
 * no tombstones) from the address the program holds to the payload dmm
 * returned and the size the program asked for:
 *
 *       address the program holds -> payload dmm returned, requested size
 *
 * Who is in it (preload.c says why):
 *   - an allocator with dmm_usable_size (SIZED mode): only OVER-ALIGNED
 *     blocks (alignment > 16), whose address lies inside the payload; free,
 *     realloc and malloc_usable_size look them up to find the payload. A
 *     plain block is never in it, so a program that never asks for a
 *     larger alignment never probes it;
 *   - one without (TABLE mode): every live block, with the size asked
 *     for, which is what malloc_usable_size returns;
 *   - checked mode: every block, and a record of each freed address until
 *     it is handed out again (payload NULL), so that a double free is told
 *     from a pointer never allocated.
 *
 * The table lives in memory this file maps itself (mmap, never malloc),
 * starts at TABLE_MIN_SLOTS and doubles when half full; it is not counted
 * in dmm_stats, which describe the allocator alone. 24 bytes a slot.
 *
 * Invariants (under the lock)
 *   1. Every block of the kinds above is in the table exactly once, under
 *      the address the program holds; every entry is one of them (or, in
 *      checked mode, a freed block's record).
 *   2. The table is at most half full: a probe always ends at an empty slot.
 */
#define _DEFAULT_SOURCE /* MAP_ANONYMOUS */

#include "preload.h"

#include <errno.h>
#include <sys/mman.h>

/* 1024 slots, 24 KiB: enough for a small program without ever growing. */
#define TABLE_MIN_SLOTS 1024

struct block_table preload_table;

/* Fibonacci hashing of the address without its always-zero low 4 bits. */
static size_t home_slot(const void *address, size_t slot_count)
{
    uint64_t key = (uint64_t)((uintptr_t)address >> 4) * UINT64_C(0x9e3779b97f4a7c15);
    return (size_t)(key >> 32) & (slot_count - 1);
}

/* The slot holding address, or the empty slot where it would go. */
static size_t find_slot(const struct block *slots, size_t slot_count, const void *address)
{
    size_t i = home_slot(address, slot_count);
    while (slots[i].address != NULL && slots[i].address != address)
        i = (i + 1) & (slot_count - 1);
    return i;
}

/* Makes room for one more block. Returns 0, or -1 with errno ENOMEM when
 * the larger table cannot be mapped (the old one is still intact). */
int table_reserve(void)
{
    struct block_table *t = &preload_table;
    if (2 * (t->block_count + t->freed_count + 1) <= t->slot_count)
        return 0;
    size_t new_count = t->slot_count == 0 ? TABLE_MIN_SLOTS : 2 * t->slot_count;
    struct block *new_slots = mmap(NULL, new_count * sizeof *new_slots, PROT_READ | PROT_WRITE,
                                   MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
    if (new_slots == MAP_FAILED) {
        errno = ENOMEM;
        return -1;
    }
    for (size_t i = 0; i < t->slot_count; i++)
        if (t->slots[i].address != NULL)
            new_slots[find_slot(new_slots, new_count, t->slots[i].address)] = t->slots[i];
    if (t->slots != NULL)
        munmap(t->slots, t->slot_count * sizeof *t->slots);
    t->slots = new_slots;
    t->slot_count = new_count;
    return 0;
}

void table_insert(void *address, void *payload, size_t size)
{
    struct block_table *t = &preload_table;
    size_t i = find_slot(t->slots, t->slot_count, address);
    if (t->slots[i].address != NULL && t->slots[i].payload == NULL)
        t->freed_count--;
    t->slots[i] = (struct block){address, payload, size};
    t->block_count++;
}

struct block *table_lookup(const void *address)
{
    struct block_table *t = &preload_table;
    if (t->slot_count == 0)
        return NULL;
    struct block *slot = &t->slots[find_slot(t->slots, t->slot_count, address)];
    return slot->address != NULL ? slot : NULL;
}

/* Backward-shift deletion: every block after the hole that would be found
 * no more (its home lies cyclically outside (hole, here]) moves into the
 * hole, so a probe still ends only at a slot that was always empty. */
void table_remove(struct block *slot)
{
    struct block_table *t = &preload_table;
    size_t mask = t->slot_count - 1;
    size_t hole = (size_t)(slot - t->slots);
    size_t here = (hole + 1) & mask;
    while (t->slots[here].address != NULL) {
        size_t home = home_slot(t->slots[here].address, t->slot_count);
        if (((here - home) & mask) >= ((here - hole) & mask)) {
            t->slots[hole] = t->slots[here];
            hole = here;
        }
        here = (here + 1) & mask;
    }
    t->slots[hole].address = NULL;
    t->block_count--;
}

/* A freed block's record stays where it is (no probe chain changes); its
 * address is free for the next block that gets it. */
void table_forget(struct block *block)
{
    block->payload = NULL;
    preload_table.block_count--;
    preload_table.freed_count++;
}
