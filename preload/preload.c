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
 *       twice at once. While the process has a single thread
 *       (__libc_single_threaded, glibc >= 2.32) there is nobody to wait
 *       for, and the lock is skipped: glibc's own malloc does the same.
 *       The flag turns false in pthread_create before the new thread
 *       exists; whether a call took the lock is decided once per call, so
 *       a lock taken is always released.
 *     - fork: pthread_atfork handlers. prepare takes the lock, so no other
 *       thread is half-way through the heap when the address space is
 *       copied; parent and child release it (the child has one thread, the
 *       one that forked, which owns the lock).
 *     - the rest of the malloc family (calloc, realloc, reallocarray, the
 *       aligned ones, malloc_usable_size) with the C and POSIX error rules.
 *
 * The common case costs one test, a lock (or not) and the allocator's call
 *   Before the first block the layer chooses its mode (enum preload_mode,
 *   preload.h), once:
 *     - SIZED: the allocator defines the optional function
 *           size_t dmm_usable_size(const void *payload);
 *       (dmm.h; a weak reference here, NULL when it is not defined). A
 *       block of alignment <= 16 is the allocator's payload as it is:
 *       malloc is dmm_malloc, free is dmm_free, malloc_usable_size asks
 *       dmm_usable_size. Only an OVER-ALIGNED block (alignment > 16) is
 *       recorded, in the block table (preload_table.c): it is
 *       over-allocated (size + alignment - 16 bytes: dmm's payload is
 *       already 16-aligned, so the aligned address is at most alignment -
 *       16 bytes in), and free looks up the payload to give back. free
 *       probes the table only for a pointer aligned to the smallest
 *       alignment ever recorded (state.probe_mask): one AND and a branch
 *       for every other block.
 *     - TABLE: the allocator does not define it (minimal and pad keep no
 *       sizes at all). Every block is in the block table, with the size
 *       the program asked for (what malloc_usable_size returns): a hash
 *       probe per malloc and free, 48 to 96 bytes per live block, and the
 *       allocator sees exactly the program's requests. (A 16-byte size
 *       prefix before each block was tried instead: cheaper per call, but
 *       every request reached the allocator 16 bytes larger, which changed
 *       what is measured — list's search steps doubled on Python.) A
 *       pointer free finds in no entry is refused: a message, abort.
 *     - CHECKED (DMM_CHECKED=1): guards, junk fill, every block in the
 *       table; preload_checked.c, unchanged by the above.
 *   DMM_PRELOAD_TABLE=1 forces TABLE on an allocator that defines
 *   dmm_usable_size (to test and time the fallback); DMM_PRELOAD_REPORT=1
 *   prints the mode at exit. preload/CMakeLists.txt reads the same fact
 *   from the sources (DMM_PRELOAD_SIZED) for the tests and bench-preload.
 *
 * Invariants (under the lock)
 *   1. SIZED: a block is in the table if and only if it is over-aligned.
 *      TABLE: every live block is, under the address the program holds.
 *   2. An entry's address lies alignment-aligned inside its payload, and
 *      address + size inside the payload too.
 *   3. The mode never changes after the first call.
 *
 * Errors
 *   Exhaustion: NULL with errno ENOMEM (posix_memalign returns ENOMEM).
 *   A bad alignment: EINVAL. free, realloc or malloc_usable_size of a
 *   pointer that is not 16-byte aligned (no block starts there), or in
 *   TABLE mode of one in no entry: a one-line message on stderr (write(2):
 *   nothing here may allocate) and abort(), like glibc's "free(): invalid
 *   pointer". In SIZED mode any other pointer that is not a live block (a
 *   double free, a pointer into a block) is undefined, as with glibc:
 *   checked mode (`dmm-run --checked`) is the tool that tells them apart.
 */
#define _GNU_SOURCE /* reallocarray, memalign, valloc, pvalloc, malloc_usable_size */

#include "preload.h"

#include "common.h"
#include "dmm.h"

#include <errno.h>
#include <malloc.h>
#include <pthread.h>
#include <stdatomic.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#if defined(__has_include)
#if __has_include(<sys/single_threaded.h>)
#include <sys/single_threaded.h>
#define ONE_THREAD() (__libc_single_threaded != 0)
#endif
#endif
#ifndef ONE_THREAD
#define ONE_THREAD() 0 /* no such flag: always lock */
#endif

/* The functions a program sees. preload/exports.map makes everything else
 * in the library local, dmm_* and heap_* included. */
#define EXPORTED __attribute__((visibility("default")))

/* The optional allocator function (dmm.h): the usable size of one of its
 * own payloads, >= the size asked for. Weak: NULL when not defined. */
size_t dmm_usable_size(const void *payload) __attribute__((weak));

static struct preload_state {
    atomic_int mode;          /* enum preload_mode; PRELOAD_MODE_UNKNOWN before the first call */
    atomic_int fork_handlers; /* 0: not registered, 1: registering, 2: done */
    uintptr_t probe_mask;     /* a pointer p may be in the table only if (p & probe_mask)
                                 == 0: the smallest alignment ever recorded, minus 1;
                                 all ones before any; 0 in TABLE mode (always probe) */
    size_t live_blocks;       /* blocks not in the table, malloc'ed and not freed (DMM_STATS) */
    pthread_mutex_t lock;     /* held around every call into dmm and the table, when threaded */
} state = {.probe_mask = UINTPTR_MAX, .lock = PTHREAD_MUTEX_INITIALIZER};

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

void preload_put(struct preload_message *m, const char *text)
{
    while (*text != '\0' && m->length + 1 < sizeof m->text)
        m->text[m->length++] = *text++;
    m->text[m->length] = '\0';
}

void preload_put_number(struct preload_message *m, uintptr_t value, unsigned base)
{
    char digits[2 + 20 + 1], *at = &digits[sizeof digits - 1];
    *at = '\0';
    do
        *--at = "0123456789abcdef"[value % base];
    while ((value /= base) != 0);
    if (base == 16)
        *--at = 'x', *--at = '0';
    preload_put(m, at);
}

_Noreturn void preload_die(const struct preload_message *m)
{
    write_text("dmm-preload (");
    write_text(dmm_name());
    write_text("): ");
    write_text(m->text);
    write_text("\n");
    abort();
}

_Noreturn void preload_fatal(const char *function, const void *ptr, const char *why)
{
    struct preload_message m = {.length = 0};
    preload_put(&m, function);
    preload_put(&m, "(");
    preload_put_number(&m, (uintptr_t)ptr, 16);
    preload_put(&m, "): ");
    preload_put(&m, why);
    preload_die(&m);
}

/* No block starts at a pointer that is not 16-byte aligned. */
static void check_aligned(const char *function, const void *ptr)
{
    if (__builtin_expect(((uintptr_t)ptr & (DMM_ALIGNMENT - 1)) != 0, 0))
        preload_fatal(function, ptr, "invalid pointer: no block starts there (not 16-byte aligned)");
}

/* ---- the lock, the fork handlers, the mode ---------------------------------- */

static inline int lock_heap(void)
{
    if (ONE_THREAD())
        return 0;
    if (pthread_mutex_lock(&state.lock) != 0)
        preload_fatal("pthread_mutex_lock", NULL, "cannot take the allocator's lock");
    return 1;
}

static inline void unlock_heap(int held)
{
    if (held)
        pthread_mutex_unlock(&state.lock);
}

int preload_lock(void)
{
    return lock_heap();
}

void preload_unlock(int held)
{
    unlock_heap(held);
}

static void before_fork(void)
{
    pthread_mutex_lock(&state.lock);
}

static void after_fork(void)
{
    pthread_mutex_unlock(&state.lock);
}

static int env_is_1(const char *name)
{
    const char *value = getenv(name); /* getenv does not allocate */
    return value != NULL && strcmp(value, "1") == 0;
}

/* The first call: the fork handlers and the mode. There is no safe earlier
 * moment (the C library calls malloc before any constructor of ours runs).
 * pthread_atfork may itself call malloc; that call finds the handlers
 * "registering", skips them, chooses the same mode and proceeds — no lock
 * is held here, so nothing deadlocks. */
static __attribute__((noinline, cold)) enum preload_mode initialise(void)
{
    int expected = 0;
    if (atomic_compare_exchange_strong(&state.fork_handlers, &expected, 1)) {
        if (pthread_atfork(before_fork, after_fork, after_fork) != 0)
            preload_fatal("pthread_atfork", NULL, "cannot register the fork handlers");
        atomic_store(&state.fork_handlers, 2);
    }
    enum preload_mode mode = env_is_1("DMM_CHECKED") ? PRELOAD_MODE_CHECKED
                           : dmm_usable_size != NULL && !env_is_1("DMM_PRELOAD_TABLE")
                               ? PRELOAD_MODE_SIZED
                               : PRELOAD_MODE_TABLE;
    if (mode == PRELOAD_MODE_TABLE)
        state.probe_mask = 0;
    atomic_store(&state.mode, (int)mode);
    return mode;
}

/* One relaxed load (a plain load on x86-64) after the first call. */
static inline enum preload_mode current_mode(void)
{
    int mode = atomic_load_explicit(&state.mode, memory_order_relaxed);
    return __builtin_expect(mode != PRELOAD_MODE_UNKNOWN, 1) ? (enum preload_mode)mode : initialise();
}

/* ---- SIZED and TABLE, under the lock -------------------------------------------- */

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

/* A block recorded in the table: every block in TABLE mode, an
 * over-aligned one in SIZED mode. Invariant 2: the payload is size +
 * alignment - 16 bytes, so from a 16-aligned payload the next multiple of
 * alignment is at most alignment - 16 bytes in. A size of 0 counts as 1
 * there: else the aligned address could be the payload's end, which is
 * the next chunk's payload on an allocator without headers (pad), and
 * two blocks would share an address. */
static void *recorded_allocate(size_t alignment, size_t size)
{
    size_t padded = size;
    if (alignment > DMM_ALIGNMENT
        && (request_too_large(size)
            || __builtin_add_overflow(size > 0 ? size : 1, alignment - DMM_ALIGNMENT, &padded)))
        return fail_enomem();
    if (table_reserve() != 0)
        return NULL;
    char *payload = dmm_malloc(padded);
    if (payload == NULL)
        return NULL;
    uintptr_t start = (uintptr_t)payload;
    char *address = alignment <= DMM_ALIGNMENT ? payload
        : payload + (((start + alignment - 1) & ~(uintptr_t)(alignment - 1)) - start);
    table_insert(address, payload, size);
    state.probe_mask &= alignment - 1; /* alignments are powers of two: the smaller one */
    return address;
}

static void *allocate_locked(enum preload_mode mode, size_t alignment, size_t size)
{
    if (mode == PRELOAD_MODE_TABLE || alignment > DMM_ALIGNMENT)
        return recorded_allocate(alignment, size);
    void *payload = dmm_malloc(size);
    state.live_blocks += payload != NULL;
    return payload;
}

/* The table's entry for the block the program calls ptr. SIZED: NULL
 * when it is a plain block — without a probe unless ptr has the smallest
 * alignment recorded so far (a program that never asks for a larger
 * alignment never probes). TABLE: every block has one; none is a misuse,
 * reported. */
static inline struct block *entry_of(enum preload_mode mode, const char *function, const void *ptr)
{
    if (__builtin_expect(((uintptr_t)ptr & state.probe_mask) != 0, 1))
        return NULL;
    struct block *entry = table_lookup(ptr);
    if (mode == PRELOAD_MODE_SIZED)
        return entry;
    if (entry == NULL)
        preload_fatal(function, ptr, "invalid pointer: not a live block (freed twice, or never allocated here)");
    return entry;
}

static void *allocate(size_t alignment, size_t size)
{
    enum preload_mode mode = current_mode();
    if (mode == PRELOAD_MODE_CHECKED)
        return checked_allocate(alignment, size);
    int held = lock_heap();
    void *address = allocate_locked(mode, alignment, size);
    unlock_heap(held);
    return address;
}

/* ---- the C library's functions ------------------------------------------------- */

EXPORTED void *malloc(size_t size)
{
    if (__builtin_expect(current_mode() == PRELOAD_MODE_SIZED, 1)) {
        int held = lock_heap();
        void *payload = dmm_malloc(size);
        state.live_blocks += payload != NULL;
        unlock_heap(held);
        return payload;
    }
    return allocate(DMM_ALIGNMENT, size);
}

/* errno: dmm_free never changes it (dmm.h), and nothing else here does
 * outside checked mode, so free leaves it alone without saving it. */
EXPORTED void free(void *ptr)
{
    if (ptr == NULL)
        return;
    enum preload_mode mode = current_mode();
    if (mode == PRELOAD_MODE_CHECKED) {
        int saved_errno = errno;
        checked_free(ptr);
        errno = saved_errno;
        return;
    }
    check_aligned("free", ptr);
    int held = lock_heap();
    void *payload = ptr;
    struct block *entry = entry_of(mode, "free", ptr);
    if (entry != NULL) {
        payload = entry->payload;
        table_remove(entry);
    } else {
        state.live_blocks--;
    }
    dmm_free(payload);
    unlock_heap(held);
}

EXPORTED void *calloc(size_t nmemb, size_t size)
{
    enum preload_mode mode = current_mode();
    if (mode == PRELOAD_MODE_CHECKED)
        return checked_calloc(nmemb, size);
    int held = lock_heap();
    void *address = NULL;
    if (mode == PRELOAD_MODE_SIZED) {
        address = dmm_calloc(nmemb, size); /* checks nmemb * size for overflow */
        state.live_blocks += address != NULL;
    } else if (table_reserve() == 0) {
        address = dmm_calloc(nmemb, size);
        if (address != NULL)
            table_insert(address, address, nmemb * size); /* no overflow: dmm_calloc checked */
    }
    unlock_heap(held);
    return address;
}

/* realloc(NULL, n) is malloc(n); realloc(p, 0) frees p and returns NULL
 * (glibc's choice, dmm.h's too). An over-aligned block moves (malloc,
 * copy, free): dmm_realloc knows only the payload, not the alignment the
 * program asked for, and the result of realloc needs only 16-byte
 * alignment. */
EXPORTED void *realloc(void *ptr, size_t size)
{
    if (ptr == NULL)
        return malloc(size);
    if (size == 0) {
        free(ptr);
        return NULL;
    }
    enum preload_mode mode = current_mode();
    if (mode == PRELOAD_MODE_CHECKED)
        return checked_realloc(ptr, size);
    check_aligned("realloc", ptr);
    int held = lock_heap();
    /* Room for the new block's entry, before the lookup: growing the table
     * would make the entry stale (an insert moves no other entry). */
    if (mode == PRELOAD_MODE_TABLE && table_reserve() != 0) {
        unlock_heap(held);
        return NULL; /* errno ENOMEM */
    }
    struct block *entry = entry_of(mode, "realloc", ptr);
    void *moved;
    if (entry == NULL) {
        moved = dmm_realloc(ptr, size);
    } else if (entry->payload == entry->address) { /* the payload itself: the allocator resizes it */
        moved = dmm_realloc(ptr, size);
        if (moved != NULL) {
            table_remove(entry);
            if (mode == PRELOAD_MODE_TABLE)
                table_insert(moved, moved, size);
            else /* SIZED: an over-aligned block whose payload was aligned already */
                state.live_blocks++;
        }
    } else {
        struct block old = *entry;
        moved = allocate_locked(mode, DMM_ALIGNMENT, size);
        if (moved != NULL) {
            memcpy(moved, old.address, old.size < size ? old.size : size);
            table_remove(entry);
            dmm_free(old.payload);
        }
    }
    unlock_heap(held);
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

/* Never less than the request: the allocator's answer (SIZED), the size
 * asked for (TABLE, checked, an over-aligned block). */
EXPORTED size_t malloc_usable_size(void *ptr)
{
    if (ptr == NULL)
        return 0;
    enum preload_mode mode = current_mode();
    if (mode == PRELOAD_MODE_CHECKED)
        return checked_usable_size(ptr);
    check_aligned("malloc_usable_size", ptr);
    int held = lock_heap();
    struct block *entry = entry_of(mode, "malloc_usable_size", ptr);
    size_t size = entry != NULL ? entry->size : dmm_usable_size(ptr);
    unlock_heap(held);
    return size;
}

/* ---- DMM_PRELOAD_REPORT=1: the mode the layer ran in, at exit ----------------- */

/* "dmm-preload[PID] NAME mode SIZED|TABLE|CHECKED" on stderr, or "none"
 * when the process never called the malloc family. What the linker
 * decided (the weak reference) as the layer saw it: bench-preload prints
 * it beside its figures, and a test checks it. */
__attribute__((destructor)) static void report_mode(void)
{
    if (!env_is_1("DMM_PRELOAD_REPORT"))
        return;
    static const char *const names[] = {
        [PRELOAD_MODE_UNKNOWN] = "none",
        [PRELOAD_MODE_SIZED] = "SIZED",
        [PRELOAD_MODE_TABLE] = "TABLE",
        [PRELOAD_MODE_CHECKED] = "CHECKED",
    };
    int mode = atomic_load(&state.mode);
    char line[160];
    int length = snprintf(line, sizeof line, "dmm-preload[%ld] %s mode %s\n", (long)getpid(),
                          dmm_name(), names[mode]);
    if (length > 0 && (size_t)length < sizeof line)
        write_text(line);
}

/* ---- DMM_STATS=1: the allocator's figures at exit ------------------------------ */

/* A destructor runs at exit (and at dlclose, never for a preload). One
 * line per figure, "dmm-stats[pid] NAME field value", on stderr. snprintf
 * with %s and integer formats does not allocate in glibc. */
__attribute__((destructor)) static void report_stats(void)
{
    if (!env_is_1("DMM_STATS"))
        return;
    struct dmm_stats stats;
    int held = lock_heap();
    dmm_stats(&stats);
    size_t blocks = preload_table.block_count + state.live_blocks; /* recorded + plain */
    unlock_heap(held);
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
