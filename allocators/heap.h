/*
 * heap.h — the heap section: dmm's one seam to the operating system.
 *
 * Allocators never call brk, sbrk, mmap or munmap. They call these
 * functions, which mean the same thing and count every call:
 *
 *     heap_break()        like sbrk(0): where the program break is now
 *     heap_brk(addr)      like brk(addr): move the break up or down
 *     heap_grow(n)        like sbrk(n) for n > 0, but overflow-safe
 *     heap_map(len)       like mmap(NULL, len, RW, PRIVATE|ANONYMOUS)
 *     heap_unmap(p, len)  like munmap(p, len)
 *     heap_remap(p, old, new)  like mremap(p, old, new, MREMAP_MAYMOVE)
 *
 *         heap_start()                         heap_break()
 *         |<------------ heap section ------------>|<-- not accessible -->
 *         +----------------------------------------+~~~~~~~~~~~~~~~~~~~~~~
 *         | chunks the allocator laid out           |  faults, like a real
 *         +----------------------------------------+  heap beyond its break
 *
 * The back end is chosen when this file is compiled (CMake: DMM_HEAP):
 *
 *   simulated (DMM_HEAP_SIMULATED, the default for tests and the harness)
 *     A reserved region of HEAP_RESERVE_BYTES of address space (PROT_NONE,
 *     MAP_NORESERVE). Moving the break up makes pages accessible; moving it
 *     down makes them inaccessible again and gives them back to the kernel.
 *     Every move is one real system call (mprotect, or mmap over the pages
 *     given back), even inside a page, so a brk costs what a real one does.
 *     The region is placed at a fixed address when that address is free, so
 *     runs repeat exactly; glibc's own malloc is never disturbed.
 *
 *   system (DMM_HEAP_SYSTEM, for a process where dmm is the only malloc)
 *     The real program break, moved with brk(2) and read with sbrk(0) only.
 *     If someone else moved the break since dmm last did (glibc's malloc in
 *     the same process, say), the memory behind it is theirs: the section
 *     never grows over it and never shrinks below it. From then on growth
 *     fails with ENOMEM (mappings still work); see docs/heap-section.md.
 *
 * Invariants: heap_start() <= heap_break(); heap_start() is a multiple of
 * DMM_ALIGNMENT (the break is wherever the allocator moves it, as with brk:
 * the allocators keep it aligned, and their checkers say so); every byte in
 * [heap_start(), heap_break()) is readable and writable.
 */
#ifndef DMM_HEAP_H
#define DMM_HEAP_H

#include "dmm.h"

#include <stddef.h>
#include <stdint.h>

/* The program break. All return NULL / -1 with errno == ENOMEM on failure. */
void *heap_start(void);
void *heap_break(void);
int heap_brk(void *new_break);
void *heap_grow(size_t increment); /* returns the old break, start of the new bytes */

/* Page mappings. length need not be a multiple of the page size; the
 * bytes counted are whole pages, as the kernel maps them. */
void *heap_map(size_t length);
int heap_unmap(void *addr, size_t length);
/* Resizes the mapping [addr, addr + old_length) to new_length, moving it if
 * it cannot grow in place (the contents move with it). Returns the new
 * address, or NULL with errno == ENOMEM and the old mapping untouched. */
void *heap_remap(void *addr, size_t old_length, size_t new_length);

/* Fills the OS fields of *stats (bytes, peaks, system calls); the allocator
 * fills the rest. */
void heap_stats(struct dmm_stats *stats);

/* Moves the break back to the start and zeroes every counter. Mappings are
 * the allocator's to unmap before it calls this. */
void heap_reset(void);

/* The size of a page, for allocators that map memory. */
size_t heap_page_size(void);

/* Observers (the tests and the harness) learn of every change to the memory
 * the allocator owns, so they can check that each block lies inside it. */
enum heap_event {
    HEAP_EVENT_BREAK, /* addr = new break, length = 0 */
    HEAP_EVENT_MAP,   /* [addr, addr + length) became the allocator's */
    HEAP_EVENT_UNMAP  /* [addr, addr + length) was given back */
};
typedef void heap_observer_fn(enum heap_event event, void *addr, size_t length, void *arg);
void heap_set_observer(heap_observer_fn *observer, void *arg);

/* A counter of system calls (the harness's own count, which it compares
 * with dmm_stats): called once for every call the section makes, failed
 * ones too, before the call returns. A remap is one HEAP_CALL_MREMAP,
 * though its observer hears an unmap and a map. */
enum heap_call { HEAP_CALL_BRK, HEAP_CALL_MMAP, HEAP_CALL_MUNMAP, HEAP_CALL_MREMAP };
typedef void heap_call_fn(enum heap_call call, void *arg);
void heap_set_call_observer(heap_call_fn *observer, void *arg);

/* ---- memcheck: what valgrind is told about the allocator's memory ------- */
/*
 * Valgrind's memcheck knows glibc's malloc, not dmm's. Told through these
 * calls (client requests: a handful of instructions that do nothing when
 * the program does not run under valgrind), it reports a program built
 * against dmm as it reports one on glibc's malloc: a write one byte past a
 * block, a use after free, a block never freed (docs/valgrind.md).
 *
 *   memcheck_malloc(payload, size)     a block is handed out: its size bytes
 *                                      become the program's, undefined
 *   memcheck_free(payload)             it is taken back: no access again
 *   memcheck_realloc(old, new, size)   resized without malloc and free (in
 *                                      place, or moved by heap_remap)
 *   MEMCHECK_ALLOCATOR_AT_WORK         first line of a public function that
 *                                      reads or writes the bookkeeping
 *   memcheck_hide(addr, length)        heap.c: bytes that are the allocator's
 *   memcheck_forget_blocks(from, to)   heap.c: a block cannot outlive its memory
 *
 * What memcheck then enforces: every byte of the heap section and of the
 * allocator's mappings is NO-ACCESS, except the payloads of live blocks
 * (exactly the size asked for, not the chunk's rounded-up payload). So
 * headers, footers, free-list links, padding and free chunks are all
 * no-access to the program: the byte after a block is a reported write,
 * whichever allocator lays the chunks out.
 *
 * How the allocator reaches its own no-access bookkeeping (the choice)
 *   The allocator's code reads and writes headers that memcheck treats as
 *   no-access. Two ways to let it:
 *   (1) Quiet while the allocator works: each public function starts with
 *       MEMCHECK_ALLOCATOR_AT_WORK, which turns memcheck's error reporting
 *       off for this thread until the function returns (a counter, so the
 *       malloc inside realloc nests). Memcheck still executes every access
 *       and keeps the bytes no-access: a write to one does not make it
 *       accessible, a read returns the real value. Nothing else changes.
 *   (2) Open each header before touching it (VALGRIND_MAKE_MEM_DEFINED)
 *       and close it after: a call beside every chunk helper, every list
 *       link and every checker walk, in every allocator and in a student's.
 *   dmm takes (1): one line per public function, the same in every file,
 *   and the lecture code stays as it was. The cost is what it hides: an
 *   error inside the allocator (a student's allocator reading a wild
 *   pointer, say) goes unreported too, and so does one in the harness's
 *   observers, which run inside the allocator. dmm_check is the tool for
 *   the allocator's own bugs; memcheck is for the program's.
 *   A free of a pointer dmm did not hand out is still reported: dmm_free
 *   tells memcheck before it goes quiet.
 *
 * What is lost against glibc's malloc: after an in-place realloc the
 * payload is all "defined" (memcheck wants the old size to resize a block,
 * and the allocator does not keep the size asked for), so a read of bytes
 * never written there is not reported. Every other report is the same.
 *
 * DMM_MEMCHECK (CMake option, default ON where <valgrind/memcheck.h> is
 * installed) = 0 compiles every call here to nothing, so the client
 * requests' cost outside valgrind can be measured (docs/valgrind.md).
 */
#ifndef DMM_MEMCHECK
#ifdef __has_include
#if __has_include(<valgrind/memcheck.h>)
#define DMM_MEMCHECK 1
#endif
#endif
#endif
#ifndef DMM_MEMCHECK
#define DMM_MEMCHECK 0
#endif

#if DMM_MEMCHECK
#include <valgrind/memcheck.h>
#endif

/* 1 when the program runs under valgrind (any tool). */
static inline int memcheck_running(void)
{
#if DMM_MEMCHECK
    return RUNNING_ON_VALGRIND != 0;
#else
    return 0;
#endif
}

/* A block of size bytes is handed out at payload (NULL: none was, nothing
 * to say). Returns payload, so a hand-out reads
 * `return memcheck_malloc(chunk_payload(c), size);`. */
static inline void *memcheck_malloc(void *payload, size_t size)
{
#if DMM_MEMCHECK
    if (payload != NULL)
        VALGRIND_MALLOCLIKE_BLOCK(payload, size, 0, 0); /* redzone 0: the header is no-access */
#else
    (void)size;
#endif
    return payload;
}

/* The block at payload is taken back: every later access is reported as a
 * use after free; a payload memcheck does not know is an invalid free. */
static inline void memcheck_free(void *payload)
{
#if DMM_MEMCHECK
    VALGRIND_FREELIKE_BLOCK(payload, 0);
#else
    (void)payload;
#endif
}

/* The block at old now holds size bytes at new (the same address when
 * resized in place; NULL: the resize failed, old stands). Its bytes become
 * defined: what they held is kept, and memcheck cannot tell which of them
 * were ever written (see above). Returns new. */
static inline void *memcheck_realloc(void *old, void *new, size_t size)
{
#if DMM_MEMCHECK
    if (new != NULL) {
        VALGRIND_FREELIKE_BLOCK(old, 0);
        VALGRIND_MALLOCLIKE_BLOCK(new, size, 0, 1);
    }
#else
    (void)old, (void)size;
#endif
    return new;
}

/* Memcheck stops reporting this thread's errors until memcheck_loud. */
static inline int memcheck_quiet(void)
{
#if DMM_MEMCHECK
    VALGRIND_DISABLE_ERROR_REPORTING;
#endif
    return 0;
}

static inline void memcheck_loud(int *unused)
{
    (void)unused;
#if DMM_MEMCHECK
    VALGRIND_ENABLE_ERROR_REPORTING;
#endif
}

/* The first line of a public function that touches the allocator's
 * bookkeeping: quiet until the function returns, on every return path (the
 * cleanup attribute of gcc and clang runs memcheck_loud as the variable
 * goes out of scope). A declaration, not a function-like macro: nothing to
 * step into. */
#define MEMCHECK_ALLOCATOR_AT_WORK \
    __attribute__((cleanup(memcheck_loud), unused)) int memcheck_at_work = memcheck_quiet()

/* [addr, addr + length) is the allocator's: no access for the program. */
static inline void memcheck_hide(void *addr, size_t length)
{
#if DMM_MEMCHECK
    VALGRIND_MAKE_MEM_NOACCESS(addr, length);
#else
    (void)addr, (void)length;
#endif
}

/* The memory [from, to) leaves the allocator (dmm_reset): every block
 * memcheck still knows there is forgotten, without a leak report, so that
 * a later block at the same address does not overlap it. dmm does not know
 * where the blocks were (minimal.c never did), but every payload is
 * DMM_ALIGNMENT-aligned: each aligned address is tried, quietly. Under
 * valgrind only: one client request per 16 bytes. */
static inline void memcheck_forget_blocks(char *from, char *to)
{
#if DMM_MEMCHECK
    if (!memcheck_running())
        return;
    VALGRIND_DISABLE_ERROR_REPORTING; /* an address with no block is an "invalid free" */
    for (char *at = from; at < to; at += DMM_ALIGNMENT)
        VALGRIND_FREELIKE_BLOCK(at, 0);
    VALGRIND_ENABLE_ERROR_REPORTING;
#else
    (void)from, (void)to;
#endif
}

#endif /* DMM_HEAP_H */
