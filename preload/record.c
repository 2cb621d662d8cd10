/*
 * record.c — libdmm-record.so: a program's malloc, calloc, realloc, free and
 * aligned allocations written down as a dmm trace (docs/traces.md), while
 * the program's own allocator (glibc's, the next definition after this
 * library: dlsym(RTLD_NEXT, ...)) keeps serving every call.
 *
 * This file holds the interposed functions, the lock, the bootstrap arena
 * and the pointer -> ID map: what each call becomes in the trace. The text
 * itself (the buffer, numbers, the header and the footer) is written by
 * record_output.c; record.h is what the two share.
 *
 * The idea
 *   Every call is forwarded, and its outcome becomes one trace line. The
 *   trace names blocks by ID, the program by pointer, so a map from live
 *   pointer to ID turns `free(p)` into `f ID`. dmm-record (dmm-record.c)
 *   preloads this library and names the trace file in DMM_RECORD_FILE.
 *
 *     program ── malloc(24) ──> this library ── real.malloc(24) ──> glibc
 *                                    │  p = 0x5555..., ID 7 (the map: p -> 7)
 *                                    └─> "a 7 24\n" into the buffer ── write(2) ──> trace
 *
 * What must stay true
 *   1. The trace replays: an ID is written by `a`, `c` or `r` only when it
 *      is not live, and by `f` only when it is. A pointer the map does not
 *      hold (allocated before recording started, by the bootstrap arena, or
 *      behind the recorder's back) is never freed in the trace: a comment
 *      says what happened instead.
 *   2. Lines are in the order the calls took effect: a free is written
 *      before the real free (so no other thread can be handed the same
 *      pointer first), an allocation after the real call, and a realloc,
 *      which frees and allocates in one call, runs entirely under the lock.
 *   3. Nothing in here allocates through malloc: the output buffer is
 *      static, the map and the free-ID stack are mapped with mmap, and the
 *      calls dlsym makes while the real functions are being found are
 *      served from a static bootstrap arena that is never given back.
 *   4. Only the process dmm-record started writes (DMM_RECORD_PID): a
 *      forked child stops recording (pthread_atfork), a program the child
 *      execs does not start.
 *
 * IDs
 *   A freed ID is reused, last freed first, so the largest ID stays below
 *   the peak number of live blocks, and the replay's slot table stays as
 *   small as the program's live set (not its total allocation count).
 *
 * Cost
 *   Per call: the real call, one lock, one probe sequence in the map
 *   (linear probing, at most half full), about 20 bytes of output; one
 *   write(2) per BUFFER_BYTES of trace (record_output.c). docs/record.md
 *   gives measured times.
 *
 * What it does not do
 *   Record the alignment of aligned allocations (they become `a` lines,
 *   noted in comments: the replay always aligns to 16 bytes); see calls that
 *   never reach this library (static or setuid programs, glibc-internal
 *   calls); finish the trace after a fatal signal or a raw exit_group
 *   system call (the buffer's last BUFFER_BYTES at most are lost, in whole
 *   lines; _exit and _Exit are caught).
 */
#define _GNU_SOURCE /* RTLD_NEXT, and the declarations of memalign, pvalloc, reallocarray */

#include "record.h"

#include <dlfcn.h>
#include <errno.h>
#include <malloc.h>
#include <pthread.h>
#include <sched.h>
#include <stdatomic.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <unistd.h>

#define BOOTSTRAP_BYTES 65536     /* static arena for dlsym's own calls: it needs ~100 bytes */
#define FIRST_MAP_SLOTS 4096      /* 64 KiB of map to start with; doubles when half full */
#define FIRST_SPARE_IDS 4096      /* 16 KiB of free-ID stack to start with; doubles */
#define LARGEST_ID 4294967294u    /* TRACE_MAX_ID in harness/replay/trace.h */

enum phase { PHASE_NEW, PHASE_STARTING, PHASE_READY };

/* One bucket of the pointer -> ID map; pointer 0 marks an empty bucket. */
struct map_slot {
    uintptr_t pointer; /* a live block's address, as the program holds it */
    uint32_t id;       /* its ID in the trace */
};

/* The functions this library stands in front of. */
struct real_functions {
    void *(*malloc)(size_t);
    void *(*calloc)(size_t, size_t);
    void *(*realloc)(void *, size_t);
    void (*free)(void *);
    int (*posix_memalign)(void **, size_t, size_t);
    void *(*aligned_alloc)(size_t, size_t);
    void *(*memalign)(size_t, size_t);
    void *(*valloc)(size_t);
    void *(*pvalloc)(size_t);
    size_t (*malloc_usable_size)(void *);
    void (*exit_now)(int); /* _exit: the process ends without running destructors */
};

static struct recorder {
    pthread_mutex_t lock;        /* guards everything below but phase and starter */
    atomic_int phase;            /* enum phase: READY once the real functions are known */
    pthread_t starter;           /* the thread that is in start(): its calls use the arena */
    struct real_functions real;
    size_t page_bytes;           /* valloc's and pvalloc's alignment */
    pid_t owner;                 /* the process recorded, for a vfork child sharing this memory */
    struct map_slot *map;        /* pointer -> ID, open addressing, linear probing */
    size_t map_slots;            /* buckets: a power of two */
    unsigned map_shift;          /* 64 - log2(map_slots): the hash keeps the top bits */
    size_t map_used;             /* live pointers in the map, at most map_slots / 2 */
    uint32_t *spare_ids;         /* freed IDs, the next to reuse on top */
    size_t spare_count, spare_capacity;
    uint64_t next_id;            /* IDs below it have been used */
    struct record_totals totals; /* the footer's counts; ids and live filled in at the end */
    _Alignas(16) unsigned char arena[BOOTSTRAP_BYTES]; /* see rule 3 */
    size_t arena_used;           /* bytes of arena handed out, headers included */
} rec = {.lock = PTHREAD_MUTEX_INITIALIZER};

/* ---- the bootstrap arena -------------------------------------------------- */

/* Each arena block is preceded by a 16-byte header holding its size, so
 * realloc and malloc_usable_size can answer for it. Blocks are never reused,
 * so the arena's static memory is still zero: calloc needs no memset. */
static void *arena_alloc(size_t size, size_t alignment)
{
    if (alignment < 16)
        alignment = 16;
    size_t start = (rec.arena_used + 16 + alignment - 1) & ~(alignment - 1);
    if (alignment > BOOTSTRAP_BYTES || size > BOOTSTRAP_BYTES - start) {
        errno = ENOMEM;
        return NULL;
    }
    memcpy(rec.arena + start - 16, &size, sizeof size);
    rec.arena_used = start + size;
    return rec.arena + start;
}

static int in_arena(const void *p)
{
    uintptr_t address = (uintptr_t)p, first = (uintptr_t)rec.arena;
    return address >= first && address < first + BOOTSTRAP_BYTES;
}

static size_t arena_size(const void *p)
{
    size_t size;
    memcpy(&size, (const unsigned char *)p - 16, sizeof size);
    return size;
}

/* True while the calling thread is the one finding the real functions. */
static int bootstrapping(void)
{
    return atomic_load_explicit(&rec.phase, memory_order_acquire) == PHASE_STARTING &&
           pthread_equal(pthread_self(), rec.starter);
}

/* ---- the pointer -> ID map ------------------------------------------------ */

static void *map_region(size_t bytes)
{
    void *region = mmap(NULL, bytes, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
    return region == MAP_FAILED ? NULL : region;
}

static size_t map_home(uintptr_t pointer)
{
    /* Fibonacci hashing of the address without its always-zero low 4 bits. */
    return (size_t)(((uint64_t)(pointer >> 4) * 0x9E3779B97F4A7C15u) >> rec.map_shift);
}

/* The bucket holding pointer, or the empty bucket where it would go. */
static size_t map_find(uintptr_t pointer)
{
    size_t i = map_home(pointer);
    while (rec.map[i].pointer != 0 && rec.map[i].pointer != pointer)
        i = (i + 1) & (rec.map_slots - 1);
    return i;
}

/* Makes room for one more pointer; 0, or -1 when no memory can be mapped. */
static int map_make_room(void)
{
    if (rec.map_used + 1 <= rec.map_slots / 2)
        return 0;
    struct map_slot *old = rec.map;
    size_t old_slots = rec.map_slots;
    struct map_slot *grown = map_region(2 * old_slots * sizeof *grown);
    if (grown == NULL)
        return -1;
    rec.map = grown;
    rec.map_slots = 2 * old_slots;
    rec.map_shift--;
    for (size_t i = 0; i < old_slots; i++)
        if (old[i].pointer != 0)
            rec.map[map_find(old[i].pointer)] = old[i];
    munmap(old, old_slots * sizeof *old);
    return 0;
}

/* Empties bucket i, moving later entries of its probe run back so that every
 * entry stays reachable from its home bucket (no tombstones). */
static void map_remove_at(size_t i)
{
    size_t mask = rec.map_slots - 1;
    for (size_t j = (i + 1) & mask; rec.map[j].pointer != 0; j = (j + 1) & mask) {
        size_t home = map_home(rec.map[j].pointer);
        int stays = i <= j ? (i < home && home <= j) : (i < home || home <= j);
        if (!stays) {
            rec.map[i] = rec.map[j];
            i = j;
        }
    }
    rec.map[i].pointer = 0;
    rec.map_used--;
}

/* ---- IDs ------------------------------------------------------------------ */

/* 0 and the ID, or -1 when the map or the stack cannot grow (recording then
 * stops: what was written is still a valid trace). */
static int take_id(uint32_t *id)
{
    if (rec.spare_count > 0) {
        *id = rec.spare_ids[--rec.spare_count];
        return 0;
    }
    if (rec.next_id > LARGEST_ID)
        return -1;
    *id = (uint32_t)rec.next_id++;
    return 0;
}

static void give_back_id(uint32_t id)
{
    if (rec.spare_count == rec.spare_capacity) {
        uint32_t *grown = map_region(2 * rec.spare_capacity * sizeof *grown);
        if (grown == NULL)
            return; /* the ID is simply never reused */
        memcpy(grown, rec.spare_ids, rec.spare_count * sizeof *grown);
        munmap(rec.spare_ids, rec.spare_capacity * sizeof *grown);
        rec.spare_ids = grown;
        rec.spare_capacity *= 2;
    }
    rec.spare_ids[rec.spare_count++] = id;
}

/* Gives the new live pointer an ID and returns it; -1 stops recording. */
static int64_t enter_pointer(void *p)
{
    uint32_t id;
    if (map_make_room() != 0 || take_id(&id) != 0) {
        record_text("# recording stopped: no memory for the pointer map, or no IDs left\n");
        record_flush();
        record_stop();
        return -1;
    }
    size_t i = map_find((uintptr_t)p);
    if (rec.map[i].pointer != 0) {
        /* Its free never reached us: its old ID stays live, never freed (rule 1). */
        record_text("# a recorded pointer came back without a recorded free; its ID stays live\n");
    } else {
        rec.map_used++;
    }
    rec.map[i] = (struct map_slot){.pointer = (uintptr_t)p, .id = id};
    return id;
}

/* ---- recording, with the lock held ---------------------------------------- */

/* One operation line (record.h), counted for the footer. */
static void put_line(char kind, uint32_t id, size_t nmemb, size_t size)
{
    record_line(kind, id, nmemb, size);
    rec.totals.lines[kind == 'a' ? 0 : kind == 'c' ? 1 : kind == 'r' ? 2 : 3]++;
}

static void note_failure(const char *call, size_t nmemb, size_t size)
{
    rec.totals.failed++;
    record_text("# ");
    record_text(call);
    record_text(" failed: ");
    if (nmemb != 0) {
        record_number(nmemb);
        record_text(" x ");
    }
    record_number(size);
    record_text(" bytes\n");
}

/* kind 'a' (malloc and the aligned family), 'c' (calloc), 'r' (realloc(NULL)). */
static void note_new(char kind, const char *call, void *p, size_t nmemb, size_t size)
{
    if (p == NULL) {
        note_failure(call, nmemb, size);
        return;
    }
    int64_t id = enter_pointer(p);
    if (id >= 0)
        put_line(kind, (uint32_t)id, nmemb, size);
}

static void note_aligned(const char *call, size_t alignment, void *p, size_t size)
{
    if (p != NULL && rec.totals.aligned++ == 0) {
        record_text("# ");
        record_text(call);
        record_text(" with alignment ");
        record_number(alignment);
        record_text(": recorded as `a` (the replay aligns to 16 bytes); the end counts them all\n");
    }
    if (p != NULL && alignment > rec.totals.largest_alignment)
        rec.totals.largest_alignment = alignment;
    note_new('a', call, p, 0, size);
}

/* Before the real free: see rule 2. */
static void note_free(void *p)
{
    if (p == NULL) {
        record_text("f -1\n");
        rec.totals.lines[3]++;
        return;
    }
    size_t i = map_find((uintptr_t)p);
    if (rec.map[i].pointer == 0) {
        rec.totals.unknown++;
        record_text("# free of a pointer that was not recorded\n");
        return;
    }
    uint32_t id = rec.map[i].id;
    map_remove_at(i);
    put_line('f', id, 0, 0);
    give_back_id(id);
}

/* After the real realloc(old, size) returned p, still under the lock. */
static void note_realloc(void *old, void *p, size_t size)
{
    if (old == NULL) {
        note_new('r', "realloc(NULL)", p, 0, size);
        return;
    }
    size_t i = map_find((uintptr_t)old);
    if (rec.map[i].pointer == 0) {
        rec.totals.unknown++;
        record_text("# realloc of a pointer that was not recorded");
        record_text(p != NULL ? ": its result recorded as malloc\n" : "\n");
        if (p != NULL)
            note_new('a', "realloc", p, 0, size);
        return;
    }
    uint32_t id = rec.map[i].id;
    if (size == 0) { /* glibc frees old and returns NULL */
        map_remove_at(i);
        put_line('f', id, 0, 0);
        record_text("# that was realloc(p, 0)\n");
        give_back_id(id);
    } else if (p == NULL) {
        note_failure("realloc", 0, size); /* old is still live, unchanged */
    } else {
        if (p != old) {
            map_remove_at(i);
            size_t j = map_find((uintptr_t)p);
            if (rec.map[j].pointer == 0)
                rec.map_used++;
            rec.map[j] = (struct map_slot){.pointer = (uintptr_t)p, .id = id};
        }
        put_line('r', id, 0, size);
    }
}

/* ---- starting and stopping ------------------------------------------------ */

static void before_fork(void) { pthread_mutex_lock(&rec.lock); }
static void after_fork_in_parent(void) { pthread_mutex_unlock(&rec.lock); }

/* The child's copy of the buffer is the parent's to write (rule 4). */
static void after_fork_in_child(void)
{
    record_stop();
    pthread_mutex_unlock(&rec.lock);
}

static void *find_real(const char *name)
{
    return dlsym(RTLD_NEXT, name);
}

static void open_trace(const char *path)
{
    int opened = record_open_trace(path);
    rec.map_slots = FIRST_MAP_SLOTS;
    rec.map_shift = 64 - (unsigned)__builtin_ctzll(FIRST_MAP_SLOTS);
    rec.map = map_region(FIRST_MAP_SLOTS * sizeof *rec.map);
    rec.spare_capacity = FIRST_SPARE_IDS;
    rec.spare_ids = map_region(FIRST_SPARE_IDS * sizeof *rec.spare_ids);
    if (opened != 0 || rec.map == NULL || rec.spare_ids == NULL) {
        record_say("dmm-record: cannot open the trace file or map memory; not recording\n");
        return;
    }
    rec.owner = getpid();
    record_start();
    pthread_atfork(before_fork, after_fork_in_parent, after_fork_in_child);
}

/* Finds the real functions and opens the trace. Called by the first call of
 * any kind (which may come before the constructor); every call dlsym makes
 * meanwhile from this thread is served by the arena (rule 3). */
static void start(void)
{
    pthread_mutex_lock(&rec.lock);
    if (atomic_load(&rec.phase) != PHASE_READY) {
        rec.starter = pthread_self();
        atomic_store(&rec.phase, PHASE_STARTING);
        struct real_functions *real = &rec.real;
        real->malloc = (void *(*)(size_t))find_real("malloc");
        real->calloc = (void *(*)(size_t, size_t))find_real("calloc");
        real->realloc = (void *(*)(void *, size_t))find_real("realloc");
        real->free = (void (*)(void *))find_real("free");
        real->posix_memalign = (int (*)(void **, size_t, size_t))find_real("posix_memalign");
        real->aligned_alloc = (void *(*)(size_t, size_t))find_real("aligned_alloc");
        real->memalign = (void *(*)(size_t, size_t))find_real("memalign");
        real->valloc = (void *(*)(size_t))find_real("valloc");
        real->pvalloc = (void *(*)(size_t))find_real("pvalloc");
        real->malloc_usable_size = (size_t (*)(void *))find_real("malloc_usable_size");
        real->exit_now = (void (*)(int))find_real("_exit");
        if (!real->malloc || !real->calloc || !real->realloc || !real->free ||
            !real->posix_memalign || !real->aligned_alloc || !real->memalign || !real->valloc ||
            !real->pvalloc || !real->malloc_usable_size || !real->exit_now) {
            record_say("dmm-record: the real malloc family was not found\n");
            abort();
        }
        rec.page_bytes = (size_t)sysconf(_SC_PAGESIZE);
        const char *path = getenv("DMM_RECORD_FILE");
        const char *pid = getenv("DMM_RECORD_PID");
        uint64_t wanted = 0;
        for (const char *c = pid; c != NULL && *c >= '0' && *c <= '9'; c++)
            wanted = wanted * 10 + (uint64_t)(*c - '0');
        if (path != NULL && path[0] != '\0' && (pid == NULL || wanted == (uint64_t)getpid()))
            open_trace(path);
        atomic_store_explicit(&rec.phase, PHASE_READY, memory_order_release);
    }
    pthread_mutex_unlock(&rec.lock);
}

static void make_ready(void)
{
    if (atomic_load_explicit(&rec.phase, memory_order_acquire) != PHASE_READY)
        start();
}

__attribute__((constructor)) static void record_begin(void)
{
    make_ready(); /* the header, even for a program that never allocates */
}

static void finish(void)
{
    if (record_is_on() && getpid() == rec.owner) {
        rec.totals.ids = rec.next_id;
        rec.totals.live = rec.map_used;
        record_footer(&rec.totals);
        record_flush();
        record_stop(); /* later calls (other destructors) are only forwarded */
    }
}

__attribute__((destructor)) static void record_end(void)
{
    pthread_mutex_lock(&rec.lock);
    finish();
    pthread_mutex_unlock(&rec.lock);
}

/* Programs that end with _exit (dash does, after every `sh -c`) run no
 * destructor: the trace is finished here instead. _exit may be called from
 * a signal handler that interrupted this very library with the lock held,
 * so the lock is only tried, for a while: another thread holds it for
 * microseconds at a time. */
#define EXIT_LOCK_TRIES 1000 /* sched_yield()s before the trace is left unfinished */

static _Noreturn void finish_and_exit(int status)
{
    make_ready();
    for (int i = 0; i < EXIT_LOCK_TRIES; i++) {
        if (pthread_mutex_trylock(&rec.lock) == 0) {
            finish();
            pthread_mutex_unlock(&rec.lock);
            break;
        }
        sched_yield();
    }
    rec.real.exit_now(status);
    for (;;) /* _exit does not return; the loop tells the compiler so */
        pause();
}

void _exit(int status) { finish_and_exit(status); }
void _Exit(int status) { finish_and_exit(status); }

/* Takes the lock when recording; 1 if it did (then the caller records and
 * unlocks), 0 if the call is only to be forwarded. */
static int lock_if_recording(void)
{
    pthread_mutex_lock(&rec.lock);
    if (record_is_on())
        return 1;
    pthread_mutex_unlock(&rec.lock);
    return 0;
}

/* ---- the malloc family ---------------------------------------------------- */

void *malloc(size_t size)
{
    if (bootstrapping())
        return arena_alloc(size, 16);
    make_ready();
    void *p = rec.real.malloc(size);
    int saved = errno;
    if (lock_if_recording()) {
        note_new('a', "malloc", p, 0, size);
        pthread_mutex_unlock(&rec.lock);
    }
    errno = saved;
    return p;
}

void *calloc(size_t nmemb, size_t size)
{
    if (bootstrapping()) {
        size_t bytes;
        if (__builtin_mul_overflow(nmemb, size, &bytes)) {
            errno = ENOMEM;
            return NULL;
        }
        return arena_alloc(bytes, 16);
    }
    make_ready();
    void *p = rec.real.calloc(nmemb, size);
    int saved = errno;
    if (lock_if_recording()) {
        note_new('c', "calloc", p, nmemb, size);
        pthread_mutex_unlock(&rec.lock);
    }
    errno = saved;
    return p;
}

void free(void *p)
{
    if (in_arena(p))
        return; /* never the real allocator's (rule 3) */
    make_ready();
    int saved = errno;
    if (lock_if_recording()) {
        note_free(p);
        pthread_mutex_unlock(&rec.lock);
    }
    errno = saved;
    rec.real.free(p);
}

void *realloc(void *old, size_t size)
{
    if (bootstrapping()) {
        void *p = arena_alloc(size, 16);
        if (p != NULL && old != NULL)
            memcpy(p, old, arena_size(old) < size ? arena_size(old) : size);
        return p;
    }
    make_ready();
    if (old != NULL && in_arena(old)) {
        /* An arena block moves to the real allocator as a new block. */
        void *p = size == 0 ? NULL : malloc(size);
        if (p != NULL)
            memcpy(p, old, arena_size(old) < size ? arena_size(old) : size);
        return p;
    }
    if (!lock_if_recording())
        return rec.real.realloc(old, size);
    void *p = rec.real.realloc(old, size); /* under the lock: rule 2 */
    int saved = errno;
    note_realloc(old, p, size);
    pthread_mutex_unlock(&rec.lock);
    errno = saved;
    return p;
}

/* glibc's own reallocarray calls its realloc directly, past this library. */
void *reallocarray(void *old, size_t nmemb, size_t size)
{
    size_t bytes;
    if (__builtin_mul_overflow(nmemb, size, &bytes)) {
        errno = ENOMEM;
        return NULL;
    }
    return realloc(old, bytes);
}

int posix_memalign(void **result, size_t alignment, size_t size)
{
    if (bootstrapping()) {
        *result = arena_alloc(size, alignment);
        return *result == NULL ? ENOMEM : 0;
    }
    make_ready();
    int saved = errno;
    int status = rec.real.posix_memalign(result, alignment, size);
    if (lock_if_recording()) {
        note_aligned("posix_memalign", alignment, status == 0 ? *result : NULL, size);
        pthread_mutex_unlock(&rec.lock);
    }
    errno = saved; /* posix_memalign reports through its result, not errno */
    return status;
}

/* The four aligned allocators that return the pointer. */
static void *aligned(const char *call, void *(*real)(size_t, size_t), size_t alignment, size_t size)
{
    void *p = real(alignment, size);
    int saved = errno;
    if (lock_if_recording()) {
        note_aligned(call, alignment, p, size);
        pthread_mutex_unlock(&rec.lock);
    }
    errno = saved;
    return p;
}

void *aligned_alloc(size_t alignment, size_t size)
{
    if (bootstrapping())
        return arena_alloc(size, alignment);
    make_ready();
    return aligned("aligned_alloc", rec.real.aligned_alloc, alignment, size);
}

void *memalign(size_t alignment, size_t size)
{
    if (bootstrapping())
        return arena_alloc(size, alignment);
    make_ready();
    return aligned("memalign", rec.real.memalign, alignment, size);
}

static void *real_valloc(size_t alignment, size_t size)
{
    (void)alignment; /* a page, always */
    return rec.real.valloc(size);
}

static void *real_pvalloc(size_t alignment, size_t size)
{
    (void)alignment;
    return rec.real.pvalloc(size); /* the size asked for is recorded, not the page multiple */
}

void *valloc(size_t size)
{
    if (bootstrapping())
        return arena_alloc(size, 4096);
    make_ready();
    return aligned("valloc", real_valloc, rec.page_bytes, size);
}

void *pvalloc(size_t size)
{
    if (bootstrapping())
        return arena_alloc(size, 4096);
    make_ready();
    return aligned("pvalloc", real_pvalloc, rec.page_bytes, size);
}

size_t malloc_usable_size(void *p)
{
    if (in_arena(p))
        return arena_size(p);
    make_ready();
    return rec.real.malloc_usable_size(p);
}
