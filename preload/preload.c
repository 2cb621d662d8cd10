/*
 * preload.c — any dmm allocator as the malloc of an unmodified program.
 *
 * Built once per allocator as libdmm-preload-NAME.so (preload/CMakeLists.txt)
 * together with allocators/NAME.c, calloc.c and the SYSTEM heap section: the
 * program break is the real one, because in a preloaded process dmm is the
 * only malloc. `dmm-run NAME -- COMMAND` sets LD_PRELOAD (docs/preload.md).
 *
 * The idea
 *   The dynamic linker resolves every malloc, free, ... of the program and
 *   of the C library itself to the first library that defines it, and
 *   LD_PRELOAD puts this one first. Each function here adds what a real
 *   program needs and the lecture's allocators leave out:
 *     - threads: ONE global lock (a pthread mutex) around every call into
 *       the allocator, so the single-threaded dmm code is never entered
 *       twice at once. Simple and correct; every thread waits for every
 *       other, which is what the lecture's allocators would need anyway.
 *     - fork: pthread_atfork handlers. prepare takes the lock, so no other
 *       thread is half-way through the heap when the address space is
 *       copied; parent and child release it (the child has one thread, the
 *       one that forked, which owns the lock).
 *     - the rest of the malloc family (calloc, realloc, reallocarray, the
 *       aligned ones, malloc_usable_size) with the C and POSIX error rules.
 *
 * The block table
 *   Every live block the program holds is recorded in an open-addressing
 *   hash table (linear probing, backward-shift deletion, no tombstones):
 *
 *       address the program holds -> payload dmm returned, requested size
 *
 *   For a block of alignment <= 16 address == payload. A block with a
 *   larger alignment is over-allocated (size + alignment - 16 bytes: dmm's
 *   payload is already 16-aligned, so the aligned address is at most
 *   alignment - 16 bytes in) and the program gets the aligned address
 *   inside it; free, realloc and malloc_usable_size look it up to find the
 *   payload to give back. The requested size is what malloc_usable_size
 *   returns (>= the request, as required), for every allocator alike —
 *   several of them (minimal, pad) do not remember sizes at all.
 *   The table lives in memory this file maps itself (mmap, never malloc),
 *   starts at TABLE_MIN_SLOTS and doubles when it is half full; it is not
 *   counted in dmm_stats, which describe the allocator alone.
 *   Cost: 24 bytes a slot, 48 to 96 bytes per live block at a load of
 *   1/4 .. 1/2, and a hash probe on every malloc and free.
 *
 * Invariants (under the lock)
 *   1. Every live block is in the table exactly once, under the address
 *      the program holds; every table entry is a live block.
 *   2. The table is at most half full: a probe always ends at an empty slot.
 *   3. address - payload < alignment of the request, and address + size
 *      lies inside the payload dmm_malloc returned.
 *
 * Checked mode (DMM_CHECKED=1, `dmm-run --checked`; read once, at the
 * first call)
 *   Every block is allocated with GUARD_BYTES more; the guard after the
 *   size the program asked for is filled with GUARD_BYTE, fresh memory
 *   (not calloc's) with FRESH_BYTE, a block being freed with FREED_BYTE.
 *   free and realloc check, before the allocator sees anything: that the
 *   pointer is a live block (else: inside one? freed already? never ours?)
 *   and that its guard is intact. A freed block stays in the table as a
 *   record (payload NULL) until its address is handed out again, so a
 *   double free is told from a pointer never allocated; the table then
 *   grows with the addresses freed and not reused (minimal and pad reuse
 *   none). Invariant 1 holds for the live entries.
 *
 * Errors
 *   Exhaustion: NULL with errno ENOMEM (posix_memalign returns ENOMEM).
 *   A bad alignment: EINVAL. Freeing a pointer that is not a live block,
 *   or (checked) one whose guard changed: a one-line message on stderr
 *   (write(2): nothing here may allocate) and abort(), like glibc's
 *   "free(): invalid pointer".
 */
#define _GNU_SOURCE /* reallocarray, memalign, valloc, pvalloc, malloc_usable_size */

#include "dmm.h"

#include "common.h"

#include <errno.h>
#include <malloc.h>
#include <pthread.h>
#include <stdatomic.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <unistd.h>

/* The functions a program sees. preload/exports.map makes everything else
 * in the library local, dmm_* and heap_* included. */
#define EXPORTED __attribute__((visibility("default")))

/* 1024 slots, 24 KiB: enough for a small program without ever growing. */
#define TABLE_MIN_SLOTS 1024

/* Checked mode (see the top). */
#define GUARD_BYTES 96  /* after each block: an overrun of up to 95 bytes is measured
                           exactly, and the allocator's headers beyond it survive
                           until free looks */
#define GUARD_BYTE 0xfd /* MSVC's "no man's land" */
#define FRESH_BYTE 0xcd /* malloc'd, not yet written */
#define FREED_BYTE 0xdd /* freed */

struct block {
    void *address; /* what the program holds; NULL: the slot is empty */
    void *payload; /* what dmm_malloc returned; == address unless over-aligned;
                      NULL: a freed block's record (checked mode) */
    size_t size;   /* bytes the program asked for: malloc_usable_size */
};

static struct preload_state {
    pthread_mutex_t lock;       /* held around every call into dmm and the table */
    atomic_int fork_handlers;   /* 0: not registered, 1: registering, 2: done */
    struct block *slots;        /* the block table, mmap'ed; NULL before first use */
    size_t slot_count;          /* a power of two, or 0 */
    size_t block_count;         /* live blocks in the table */
    size_t freed_count;         /* checked mode: records of freed blocks in the table */
    int checked;                /* DMM_CHECKED=1: guards, junk fill, misuse told apart */
    int checked_known;          /* checked has been read */
} state = {.lock = PTHREAD_MUTEX_INITIALIZER};

/* ---- fatal errors, without allocating -------------------------------------- */

static void write_text(const char *text)
{
    size_t length = strlen(text);
    while (length > 0) {
        ssize_t written = write(STDERR_FILENO, text, length);
        if (written <= 0)
            return;
        text += written;
        length -= (size_t)written;
    }
}

/* A message built on the stack: text, numbers in decimal and addresses. */
struct message {
    char text[320];
    size_t length;
};

static void put(struct message *m, const char *text)
{
    while (*text != '\0' && m->length + 1 < sizeof m->text)
        m->text[m->length++] = *text++;
    m->text[m->length] = '\0';
}

static void put_number(struct message *m, uintptr_t value, unsigned base)
{
    char digits[2 + 20 + 1], *at = &digits[sizeof digits - 1];
    *at = '\0';
    do
        *--at = "0123456789abcdef"[value % base];
    while ((value /= base) != 0);
    if (base == 16)
        *--at = 'x', *--at = '0';
    put(m, at);
}

/* "dmm-preload (NAME): " and the message on stderr, then abort. */
static _Noreturn void die(const struct message *m)
{
    write_text("dmm-preload (");
    write_text(dmm_name());
    write_text("): ");
    write_text(m->text);
    write_text("\n");
    abort();
}

static _Noreturn void fatal(const char *function, const void *ptr, const char *why)
{
    struct message m = {.length = 0};
    put(&m, function);
    put(&m, "(");
    put_number(&m, (uintptr_t)ptr, 16);
    put(&m, "): ");
    put(&m, why);
    die(&m);
}

/* ---- the lock and the fork handlers ---------------------------------------- */

static void before_fork(void)
{
    pthread_mutex_lock(&state.lock);
}

static void after_fork(void)
{
    pthread_mutex_unlock(&state.lock);
}

/* The handlers are registered on the first call, lazily: there is no safe
 * earlier moment (the C library calls malloc before any constructor of
 * ours runs). pthread_atfork may itself call malloc; that call finds the
 * state "registering", skips this, and proceeds — the lock is not held
 * yet, so nothing deadlocks. */
static void lock_heap(void)
{
    int expected = 0;
    if (atomic_load(&state.fork_handlers) == 0 &&
        atomic_compare_exchange_strong(&state.fork_handlers, &expected, 1)) {
        if (pthread_atfork(before_fork, after_fork, after_fork) != 0)
            fatal("pthread_atfork", NULL, "cannot register the fork handlers");
        atomic_store(&state.fork_handlers, 2);
    }
    if (pthread_mutex_lock(&state.lock) != 0)
        fatal("pthread_mutex_lock", NULL, "cannot take the allocator's lock");
    if (!state.checked_known) { /* getenv does not allocate */
        const char *checked = getenv("DMM_CHECKED");
        state.checked = checked != NULL && strcmp(checked, "1") == 0;
        state.checked_known = 1;
    }
}

static void unlock_heap(void)
{
    pthread_mutex_unlock(&state.lock);
}

/* ---- the block table (invariants 1 and 2) ----------------------------------- */

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
static int table_reserve(void)
{
    if (2 * (state.block_count + state.freed_count + 1) <= state.slot_count)
        return 0;
    size_t new_count = state.slot_count == 0 ? TABLE_MIN_SLOTS : 2 * state.slot_count;
    struct block *new_slots = mmap(NULL, new_count * sizeof *new_slots, PROT_READ | PROT_WRITE,
                                   MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
    if (new_slots == MAP_FAILED) {
        errno = ENOMEM;
        return -1;
    }
    for (size_t i = 0; i < state.slot_count; i++)
        if (state.slots[i].address != NULL)
            new_slots[find_slot(new_slots, new_count, state.slots[i].address)] = state.slots[i];
    if (state.slots != NULL)
        munmap(state.slots, state.slot_count * sizeof *state.slots);
    state.slots = new_slots;
    state.slot_count = new_count;
    return 0;
}

/* The caller made room with table_reserve (or just removed a block). A
 * freed block's record at the same address is replaced. */
static void table_insert(void *address, void *payload, size_t size)
{
    size_t i = find_slot(state.slots, state.slot_count, address);
    if (state.slots[i].address != NULL && state.slots[i].payload == NULL)
        state.freed_count--;
    state.slots[i] = (struct block){address, payload, size};
    state.block_count++;
}

/* The entry at address, or NULL when the program never got it from us; a
 * freed block's record (payload NULL) is an entry too. */
static struct block *table_lookup(const void *address)
{
    if (state.slot_count == 0)
        return NULL;
    struct block *slot = &state.slots[find_slot(state.slots, state.slot_count, address)];
    return slot->address != NULL ? slot : NULL;
}

/* Backward-shift deletion: every block after the hole that would be found
 * no more (its home lies cyclically outside (hole, here]) moves into the
 * hole, so a probe still ends only at a slot that was always empty. */
static void table_remove(struct block *slot)
{
    size_t mask = state.slot_count - 1;
    size_t hole = (size_t)(slot - state.slots);
    size_t here = (hole + 1) & mask;
    while (state.slots[here].address != NULL) {
        size_t home = home_slot(state.slots[here].address, state.slot_count);
        if (((here - home) & mask) >= ((here - hole) & mask)) {
            state.slots[hole] = state.slots[here];
            hole = here;
        }
        here = (here + 1) & mask;
    }
    state.slots[hole].address = NULL;
    state.block_count--;
}

/* ---- misuse and guards, under the lock ---------------------------------------- */

/* free, realloc or malloc_usable_size got ptr, which is no live block:
 * says what it is, as glibc would ("free(): invalid pointer"), and aborts.
 * A pointer inside a live block is looked for in the whole table: this
 * runs once, just before the abort. */
static _Noreturn void misuse(const char *function, const void *ptr, const struct block *entry)
{
    struct message m = {.length = 0};
    put(&m, function);
    uintptr_t at = (uintptr_t)ptr;
    for (size_t i = 0; i < state.slot_count; i++) {
        const struct block *b = &state.slots[i];
        uintptr_t start = (uintptr_t)b->address;
        if (b->address == NULL || b->payload == NULL || at < start
            || at - start >= b->size + (state.checked ? GUARD_BYTES : 0))
            continue;
        put(&m, "(): invalid pointer "), put_number(&m, at, 16);
        put(&m, ": not a block: at offset "), put_number(&m, at - start, 10);
        put(&m, " of the "), put_number(&m, b->size, 10), put(&m, "-byte block ");
        put_number(&m, start, 16);
        die(&m);
    }
    if (entry != NULL) { /* a freed block's record: checked mode */
        put(&m, "(): double free of "), put_number(&m, at, 16);
        put(&m, ": the "), put_number(&m, entry->size, 10);
        put(&m, "-byte block there was freed already");
        die(&m);
    }
    put(&m, "(): invalid pointer "), put_number(&m, at, 16);
    put(&m, state.checked ? ": not a block this allocator handed out"
                          : ": not a live block (freed twice, or never allocated here)");
    die(&m);
}

/* Checked mode: the guard after the block is intact, or a message naming
 * the block and the guard bytes that changed, and abort. */
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
    struct message m = {.length = 0};
    put(&m, function);
    put(&m, last + 1 == GUARD_BYTES ? "(): at least " : "(): ");
    put_number(&m, last + 1, 10), put(&m, last == 0 ? " byte" : " bytes");
    put(&m, " written past the "), put_number(&m, block->size, 10), put(&m, "-byte block ");
    put_number(&m, (uintptr_t)block->address, 16), put(&m, ": guard bytes ");
    put_number(&m, block->size + first, 10), put(&m, "..");
    put_number(&m, block->size + last, 10), put(&m, " changed");
    die(&m);
}

/* The live block the program calls ptr, its guard checked; never returns
 * otherwise. */
static struct block *live_block(const char *function, const void *ptr)
{
    struct block *block = table_lookup(ptr);
    if (block == NULL || block->payload == NULL)
        misuse(function, ptr, block);
    if (state.checked)
        check_guard(function, block);
    return block;
}

/* Checked mode: a freed block's record stays where it is (no probe chain
 * changes); its address is free for the next block that gets it. */
static void table_forget(struct block *block)
{
    block->payload = NULL;
    state.block_count--;
    state.freed_count++;
}

/* Checked mode: a block's fill and guard, after it got its size bytes
 * (fresh_from: the first byte the program has not written yet). */
static void fill_checked(char *address, size_t fresh_from, size_t size)
{
    if (fresh_from < size)
        memset(address + fresh_from, FRESH_BYTE, size - fresh_from);
    memset(address + size, GUARD_BYTE, GUARD_BYTES);
}

/* ---- allocation, under the lock ----------------------------------------------- */

static int is_power_of_two(size_t n)
{
    return n != 0 && (n & (n - 1)) == 0;
}

static size_t page_size(void)
{
    static size_t bytes; /* sysconf does not allocate; cached after the first call */
    if (bytes == 0)
        bytes = (size_t)sysconf(_SC_PAGESIZE);
    return bytes;
}

/* A block of size bytes at a multiple of alignment (a power of two).
 * Invariant 3: the payload is size + alignment - 16 bytes, so from a
 * 16-aligned payload the next multiple of alignment is at most
 * alignment - 16 bytes in, and size bytes still fit after it. */
static void *allocate_locked(size_t alignment, size_t size)
{
    if (table_reserve() != 0)
        return NULL;
    size_t extra = (alignment > DMM_ALIGNMENT ? alignment - DMM_ALIGNMENT : 0)
                 + (state.checked ? GUARD_BYTES : 0);
    if (extra == 0) {
        void *payload = dmm_malloc(size);
        if (payload != NULL)
            table_insert(payload, payload, size);
        return payload;
    }
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
    if (state.checked)
        fill_checked(payload + offset, 0, size);
    return payload + offset;
}

static void *allocate(size_t alignment, size_t size)
{
    lock_heap();
    void *address = allocate_locked(alignment, size);
    unlock_heap();
    return address;
}

/* ---- the C library's functions ------------------------------------------------- */

EXPORTED void *malloc(size_t size)
{
    return allocate(DMM_ALIGNMENT, size);
}

EXPORTED void free(void *ptr)
{
    if (ptr == NULL)
        return;
    int saved_errno = errno; /* free never changes errno */
    lock_heap();
    struct block *block = live_block("free", ptr);
    void *payload = block->payload;
    if (state.checked) {
        memset(block->address, FREED_BYTE, block->size);
        table_forget(block);
    } else {
        table_remove(block);
    }
    dmm_free(payload);
    unlock_heap();
    errno = saved_errno;
}

EXPORTED void *calloc(size_t nmemb, size_t size)
{
    lock_heap();
    void *payload = NULL;
    size_t bytes = 0;
    if (state.checked && (__builtin_mul_overflow(nmemb, size, &bytes) || request_too_large(bytes))) {
        payload = fail_enomem();
    } else if (state.checked && table_reserve() == 0) { /* zero, with the guard after it */
        payload = dmm_calloc(1, bytes + GUARD_BYTES);
        if (payload != NULL) {
            table_insert(payload, payload, bytes);
            fill_checked(payload, bytes, bytes);
        }
    } else if (!state.checked && table_reserve() == 0) {
        payload = dmm_calloc(nmemb, size); /* checks nmemb * size for overflow */
        if (payload != NULL)
            table_insert(payload, payload, nmemb * size);
    }
    unlock_heap();
    return payload;
}

/* realloc(NULL, n) is malloc(n); realloc(p, 0) frees p and returns NULL
 * (glibc's choice, dmm.h's too). An over-aligned block moves (malloc, copy,
 * free): dmm_realloc knows only the payload, not the alignment the program
 * asked for, and the result of realloc needs only 16-byte alignment. */
EXPORTED void *realloc(void *ptr, size_t size)
{
    if (ptr == NULL)
        return malloc(size);
    if (size == 0) {
        free(ptr);
        return NULL;
    }
    lock_heap();
    /* Checked: room for the old block's record; before the lookup, which
     * growing the table would make stale. */
    if (state.checked && (request_too_large(size) || table_reserve() != 0)) {
        unlock_heap();
        return fail_enomem();
    }
    struct block *block = live_block("realloc", ptr);
    struct block old = *block;
    size_t bytes = size + (state.checked ? GUARD_BYTES : 0);
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
    }
    if (moved != NULL && state.checked) {
        fill_checked(moved, old.size, size);
        if (moved != old.address) { /* the old address is a freed block now */
            table_insert(old.address, NULL, old.size);
            table_forget(table_lookup(old.address));
        }
    }
    unlock_heap();
    return moved; /* NULL: ENOMEM, and ptr is untouched */
}

EXPORTED void *reallocarray(void *ptr, size_t nmemb, size_t size)
{
    size_t bytes;
    if (__builtin_mul_overflow(nmemb, size, &bytes))
        return fail_enomem();
    return realloc(ptr, bytes);
}

/* The alignment must be a power of two and a multiple of sizeof(void *);
 * failures are returned, not put in errno, and *memptr is left alone. */
EXPORTED int posix_memalign(void **memptr, size_t alignment, size_t size)
{
    if (!is_power_of_two(alignment) || alignment % sizeof(void *) != 0)
        return EINVAL;
    int saved_errno = errno;
    void *address = allocate(alignment, size);
    errno = saved_errno;
    if (address == NULL)
        return ENOMEM;
    *memptr = address;
    return 0;
}

/* C17: any size (DR 460); an alignment that is not a power of two is
 * EINVAL, as in glibc 2.38 (2.36 rounds it up instead). */
EXPORTED void *aligned_alloc(size_t alignment, size_t size)
{
    if (!is_power_of_two(alignment)) {
        errno = EINVAL;
        return NULL;
    }
    return allocate(alignment, size);
}

/* Obsolete, but still called (by glibc's own code among others), so it
 * does as glibc does: an alignment that is not a power of two is rounded
 * up to the next one, 0 (and anything up to 16) is malloc's alignment;
 * only one above SIZE_MAX / 2 + 1, with no power of two to round to, is
 * EINVAL. */
EXPORTED void *memalign(size_t alignment, size_t size)
{
    if (alignment > SIZE_MAX / 2 + 1) {
        errno = EINVAL;
        return NULL;
    }
    size_t rounded = DMM_ALIGNMENT;
    while (rounded < alignment)
        rounded *= 2;
    return allocate(rounded, size);
}

EXPORTED void *valloc(size_t size)
{
    return allocate(page_size(), size);
}

/* valloc with the size rounded up to whole pages. */
EXPORTED void *pvalloc(size_t size)
{
    size_t page = page_size();
    if (size > SIZE_MAX - (page - 1))
        return fail_enomem();
    return allocate(page, (size + page - 1) & ~(page - 1));
}

/* The size the program asked for: never less than the request, and the
 * same answer for every allocator (invariant 1's table keeps it). */
EXPORTED size_t malloc_usable_size(void *ptr)
{
    if (ptr == NULL)
        return 0;
    lock_heap();
    size_t size = live_block("malloc_usable_size", ptr)->size;
    unlock_heap();
    return size;
}

/* ---- DMM_STATS=1: the allocator's figures at exit ------------------------------ */

/* A destructor runs at exit (and at dlclose, never for a preload). One
 * line per figure, "dmm-stats[pid] NAME field value", on stderr. snprintf
 * with %s and integer formats does not allocate in glibc. */
__attribute__((destructor)) static void report_stats(void)
{
    const char *wanted = getenv("DMM_STATS");
    if (wanted == NULL || strcmp(wanted, "1") != 0)
        return;
    struct dmm_stats stats;
    lock_heap();
    dmm_stats(&stats);
    size_t blocks = state.block_count;
    unlock_heap();
    const struct {
        const char *field;
        unsigned long long value;
    } rows[] = {
        {"heap_bytes", stats.heap_bytes},
        {"mapped_bytes", stats.mapped_bytes},
        {"footprint_bytes", stats.footprint_bytes},
        {"peak_footprint_bytes", stats.peak_footprint_bytes},
        {"peak_heap_bytes", stats.peak_heap_bytes},
        {"peak_mapped_bytes", stats.peak_mapped_bytes},
        {"brk_calls", stats.brk_calls},
        {"mmap_calls", stats.mmap_calls},
        {"munmap_calls", stats.munmap_calls},
        {"mremap_calls", stats.mremap_calls},
        {"malloc_calls", stats.malloc_calls},
        {"free_calls", stats.free_calls},
        {"malloc_steps", stats.malloc_steps},
        {"free_steps", stats.free_steps},
        {"live_blocks", blocks},
    };
    for (size_t i = 0; i < sizeof rows / sizeof rows[0]; i++) {
        char line[160]; /* a name, a field and a 20-digit number fit */
        int length = snprintf(line, sizeof line, "dmm-stats[%ld] %s %s %llu\n", (long)getpid(),
                              dmm_name(), rows[i].field, rows[i].value);
        if (length > 0 && (size_t)length < sizeof line)
            write_text(line);
    }
}
