/*
 * preload_checked.c — checked mode of the LD_PRELOAD layer (DMM_CHECKED=1,
 * `dmm-run --checked`; docs/preload.md, "Checked mode").
 *
 * The idea
 *   Every block is allocated with GUARD_BYTES more; the guard after the
 *   size the program asked for is filled with GUARD_BYTE, fresh memory
 *   (not calloc's) with FRESH_BYTE, a block being freed with FREED_BYTE.
 *   free and realloc check, before the allocator sees anything: that the
 *   pointer is a live block (else: inside one? freed already? never ours?)
 *   and that its guard is intact. For that every block is in the block
 *   table (preload_table.c), and a freed block stays there as a record
 *   (payload NULL) until its address is handed out again, so a double free
 *   is told from a pointer never allocated; the table then grows with the
 *   addresses freed and not reused (minimal and pad reuse none).
 *
 * Invariants (under the lock), besides the table's
 *   1. address - payload < alignment of the request, and address + size +
 *      GUARD_BYTES lies inside the payload dmm_malloc returned.
 *   2. A live block's guard is GUARD_BYTE unless the program wrote past it.
 *
 * The common case (preload.c) never comes here: the mode is chosen at the
 * first call, before any block exists.
 */
#include "preload.h"

#include "common.h"
#include "dmm.h"

#include <string.h>

#define GUARD_BYTES 96  /* after each block: an overrun of up to 95 bytes is measured
                           exactly, and the allocator's headers beyond it survive
                           until free looks */
#define GUARD_BYTE 0xfd /* MSVC's "no man's land" */
#define FRESH_BYTE 0xcd /* malloc'd, not yet written */
#define FREED_BYTE 0xdd /* freed */

/* free, realloc or malloc_usable_size got ptr, which is no live block:
 * says what it is, as glibc would ("free(): invalid pointer"), and aborts.
 * A pointer inside a live block is looked for in the whole table: this
 * runs once, just before the abort. */
static _Noreturn void misuse(const char *function, const void *ptr, const struct block *entry)
{
    struct preload_message m = {.length = 0};
    preload_put(&m, function);
    uintptr_t at = (uintptr_t)ptr;
    for (size_t i = 0; i < preload_table.slot_count; i++) {
        const struct block *b = &preload_table.slots[i];
        uintptr_t start = (uintptr_t)b->address;
        if (b->address == NULL || b->payload == NULL || at < start || at - start >= b->size + GUARD_BYTES)
            continue;
        preload_put(&m, "(): invalid pointer "), preload_put_number(&m, at, 16);
        preload_put(&m, ": not a block: at offset "), preload_put_number(&m, at - start, 10);
        preload_put(&m, " of the "), preload_put_number(&m, b->size, 10);
        preload_put(&m, "-byte block "), preload_put_number(&m, start, 16);
        preload_die(&m);
    }
    if (entry != NULL) { /* a freed block's record */
        preload_put(&m, "(): double free of "), preload_put_number(&m, at, 16);
        preload_put(&m, ": the "), preload_put_number(&m, entry->size, 10);
        preload_put(&m, "-byte block there was freed already");
        preload_die(&m);
    }
    preload_put(&m, "(): invalid pointer "), preload_put_number(&m, at, 16);
    preload_put(&m, ": not a block this allocator handed out");
    preload_die(&m);
}

/* The guard after the block is intact, or a message naming the block and
 * the guard bytes that changed, and abort. */
static void check_guard(const char *function, const struct block *block)
{
    const unsigned char *guard = (const unsigned char *)block->address + block->size;
    size_t first = GUARD_BYTES, last = 0;
    for (size_t k = 0; k < GUARD_BYTES; k++)
        if (guard[k] != GUARD_BYTE) {
            first = first < k ? first : k;
            last = k;
        }
    if (first == GUARD_BYTES)
        return;
    struct preload_message m = {.length = 0};
    preload_put(&m, function);
    preload_put(&m, last + 1 == GUARD_BYTES ? "(): at least " : "(): ");
    preload_put_number(&m, last + 1, 10), preload_put(&m, last == 0 ? " byte" : " bytes");
    preload_put(&m, " written past the "), preload_put_number(&m, block->size, 10);
    preload_put(&m, "-byte block "), preload_put_number(&m, (uintptr_t)block->address, 16);
    preload_put(&m, ": guard bytes "), preload_put_number(&m, block->size + first, 10);
    preload_put(&m, ".."), preload_put_number(&m, block->size + last, 10);
    preload_put(&m, " changed");
    preload_die(&m);
}

/* The live block the program calls ptr, its guard checked; never returns
 * otherwise. */
static struct block *live_block(const char *function, const void *ptr)
{
    struct block *block = table_lookup(ptr);
    if (block == NULL || block->payload == NULL)
        misuse(function, ptr, block);
    check_guard(function, block);
    return block;
}

/* A block's fill and guard, after it got its size bytes (fresh_from: the
 * first byte the program has not written yet). */
static void fill_checked(char *address, size_t fresh_from, size_t size)
{
    if (fresh_from < size)
        memset(address + fresh_from, FRESH_BYTE, size - fresh_from);
    memset(address + size, GUARD_BYTE, GUARD_BYTES);
}

/* A block of size bytes at a multiple of alignment (a power of two), with
 * its guard. Invariant 1: the payload is size + alignment - 16 +
 * GUARD_BYTES bytes, so from a 16-aligned payload the next multiple of
 * alignment is at most alignment - 16 bytes in. */
static void *allocate_locked(size_t alignment, size_t size)
{
    if (table_reserve() != 0)
        return NULL;
    size_t extra = (alignment > DMM_ALIGNMENT ? alignment - DMM_ALIGNMENT : 0) + GUARD_BYTES;
    size_t padded;
    if (request_too_large(size) || __builtin_add_overflow(size, extra, &padded))
        return fail_enomem();
    char *payload = dmm_malloc(padded);
    if (payload == NULL)
        return NULL;
    uintptr_t start = (uintptr_t)payload;
    size_t offset = alignment <= DMM_ALIGNMENT ? 0
        : (size_t)(((start + alignment - 1) & ~(uintptr_t)(alignment - 1)) - start);
    table_insert(payload + offset, payload, size);
    fill_checked(payload + offset, 0, size);
    return payload + offset;
}

void *checked_allocate(size_t alignment, size_t size)
{
    int held = preload_lock();
    void *address = allocate_locked(alignment, size);
    preload_unlock(held);
    return address;
}

/* The caller has ptr != NULL and keeps errno. */
void checked_free(void *ptr)
{
    int held = preload_lock();
    struct block *block = live_block("free", ptr);
    void *payload = block->payload;
    memset(block->address, FREED_BYTE, block->size);
    table_forget(block);
    dmm_free(payload);
    preload_unlock(held);
}

/* Zero, with the guard after it. */
void *checked_calloc(size_t nmemb, size_t size)
{
    int held = preload_lock();
    void *payload = NULL;
    size_t bytes = 0;
    if (__builtin_mul_overflow(nmemb, size, &bytes) || request_too_large(bytes)) {
        payload = fail_enomem();
    } else if (table_reserve() == 0) {
        payload = dmm_calloc(1, bytes + GUARD_BYTES);
        if (payload != NULL) {
            table_insert(payload, payload, bytes);
            fill_checked(payload, bytes, bytes);
        }
    }
    preload_unlock(held);
    return payload;
}

/* The caller has ptr != NULL and size != 0. */
void *checked_realloc(void *ptr, size_t size)
{
    int held = preload_lock();
    /* Room for the old block's record; before the lookup, which growing
     * the table would make stale. */
    if (request_too_large(size) || table_reserve() != 0) {
        preload_unlock(held);
        return fail_enomem();
    }
    struct block *block = live_block("realloc", ptr);
    struct block old = *block;
    size_t bytes = size + GUARD_BYTES;
    void *moved;
    if (old.payload == old.address) {
        moved = dmm_realloc(old.payload, bytes);
    } else {
        moved = dmm_malloc(bytes);
        if (moved != NULL) {
            memcpy(moved, old.address, old.size < size ? old.size : size);
            dmm_free(old.payload);
        }
    }
    if (moved != NULL) { /* remove first: the table never needs to grow here */
        table_remove(block);
        table_insert(moved, moved, size);
        fill_checked(moved, old.size, size);
        if (moved != old.address) { /* the old address is a freed block now */
            table_insert(old.address, NULL, old.size);
            table_forget(table_lookup(old.address));
        }
    }
    preload_unlock(held);
    return moved; /* NULL: ENOMEM, and ptr is untouched */
}

/* The caller has ptr != NULL. */
size_t checked_usable_size(void *ptr)
{
    int held = preload_lock();
    size_t size = live_block("malloc_usable_size", ptr)->size;
    preload_unlock(held);
    return size;
}
