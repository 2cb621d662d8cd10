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

#endif /* DMM_HEAP_H */
