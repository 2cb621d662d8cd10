/*
 * preload.h — what the files of the LD_PRELOAD layer share (internal).
 *
 *   preload.c          the malloc family a program calls, the lock, the
 *                      fork handlers, the common case (no table)
 *   preload_table.c    the block table: over-aligned blocks, or every
 *                      block (allocators without dmm_usable_size, and
 *                      checked mode)
 *   preload_checked.c  checked mode (DMM_CHECKED=1): guards, junk fill,
 *                      misuse told apart
 *
 * Everything here is under the lock (preload_lock) unless it says not;
 * nothing here allocates. The names start with preload_ or table_; the
 * library exports only the malloc family (exports.map).
 */
#ifndef DMM_PRELOAD_H
#define DMM_PRELOAD_H

#include <stddef.h>
#include <stdint.h>

/* How the layer finds a block's usable size, its payload and (checked)
 * whether it is a block at all: chosen once, at the first call, before any
 * block exists, so blocks of two modes never meet. */
enum preload_mode {
    PRELOAD_MODE_UNKNOWN = 0, /* before the first call */
    PRELOAD_MODE_SIZED,       /* the allocator defines dmm_usable_size: nothing kept
                                 per block; the table holds over-aligned blocks only */
    PRELOAD_MODE_TABLE,       /* it does not: every block in the table, with its size */
    PRELOAD_MODE_CHECKED,     /* DMM_CHECKED=1: every block in the table, guards */
};

/* ---- the lock (preload.c) ------------------------------------------------------ */

/* Takes the one lock when the process has more than one thread; returns
 * what preload_unlock must be given. */
int preload_lock(void);
void preload_unlock(int held);

/* ---- fatal errors, without allocating (preload.c) -------------------------------- */

/* A message built on the stack: text, numbers in decimal and addresses. */
struct preload_message {
    char text[320];
    size_t length;
};

void preload_put(struct preload_message *m, const char *text);
void preload_put_number(struct preload_message *m, uintptr_t value, unsigned base);
/* "dmm-preload (NAME): " and the message on stderr, then abort. */
_Noreturn void preload_die(const struct preload_message *m);
/* "FUNCTION(PTR): WHY", then abort. */
_Noreturn void preload_fatal(const char *function, const void *ptr, const char *why);

/* ---- the block table (preload_table.c) ------------------------------------------- */

struct block {
    void *address; /* what the program holds; NULL: the slot is empty */
    void *payload; /* what dmm_malloc returned; == address unless over-aligned;
                      NULL: a freed block's record (checked mode) */
    size_t size;   /* bytes the program asked for */
};

struct block_table {
    struct block *slots; /* mmap'ed; NULL before first use */
    size_t slot_count;   /* a power of two, or 0 */
    size_t block_count;  /* live blocks in the table */
    size_t freed_count;  /* checked mode: records of freed blocks */
};

extern struct block_table preload_table;

/* Room for one more block: 0, or -1 with errno ENOMEM. */
int table_reserve(void);
/* After table_reserve (or a table_remove); replaces a freed block's record. */
void table_insert(void *address, void *payload, size_t size);
/* The entry at address (a freed block's record too), or NULL. */
struct block *table_lookup(const void *address);
void table_remove(struct block *slot);
/* Checked mode: the entry becomes a freed block's record. */
void table_forget(struct block *block);

/* ---- checked mode (preload_checked.c): the whole family, lock included ---------- */

void *checked_allocate(size_t alignment, size_t size);
void checked_free(void *ptr);
void *checked_calloc(size_t nmemb, size_t size);
void *checked_realloc(void *ptr, size_t size);
size_t checked_usable_size(void *ptr);

#endif /* DMM_PRELOAD_H */
