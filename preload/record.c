/*
 * record.c — libdmm-record.so: a program's malloc, calloc, realloc, free and
 * aligned allocations written down as a dmm trace (docs/traces.md), while
 * the program's own allocator (glibc's, the next definition after this
 * library: dlsym(RTLD_NEXT, ...)) keeps serving every call.
 *
 * This file holds the interposed functions, the lock and the bootstrap
 * arena: what each call becomes in the trace. The pointer -> ID map is
 * record_ids.c; the text itself (the buffer, numbers, the header and the
 * footer) is written by record_output.c; record.h is what the three share.
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
 *   A freed ID is reused, last freed first (record_ids.c says why).
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
#include <stdio.h> /* fflush, only at the end (record_end) */
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <unistd.h>

#define BOOTSTRAP_BYTES 65536     /* static arena for dlsym's own calls: it needs ~100 bytes */

enum phase { PHASE_NEW, PHASE_STARTING, PHASE_READY };

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
    int finished;                /* finish() has run: the trace is closed */
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

/* Gives the new live pointer an ID and returns it; -1 stops recording. */
static int64_t enter_pointer(void *p)
{
    uint32_t id;
    int entered = record_ids_enter((uintptr_t)p, &id);
    if (entered < 0) {
        record_text("# recording stopped: no memory for the pointer map, or no IDs left\n");
        record_flush();
        record_stop();
        return -1;
    }
    if (entered == 1) /* its free never reached us: rule 1 */
        record_text("# a recorded pointer came back without a recorded free; its ID stays live\n");
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
    uint32_t id;
    if (!record_ids_find((uintptr_t)p, &id)) {
        rec.totals.unknown++;
        record_text("# free of a pointer that was not recorded\n");
        return;
    }
    put_line('f', id, 0, 0);
    record_ids_release((uintptr_t)p);
}

/* After the real realloc(old, size) returned p, still under the lock. */
static void note_realloc(void *old, void *p, size_t size)
{
    if (old == NULL) {
        note_new('r', "realloc(NULL)", p, 0, size);
        return;
    }
    uint32_t id;
    if (!record_ids_find((uintptr_t)old, &id)) {
        rec.totals.unknown++;
        record_text("# realloc of a pointer that was not recorded");
        record_text(p != NULL ? ": its result recorded as malloc\n" : "\n");
        if (p != NULL)
            note_new('a', "realloc", p, 0, size);
        return;
    }
    if (size == 0) { /* glibc frees old and returns NULL */
        put_line('f', id, 0, 0);
        record_text("# that was realloc(p, 0)\n");
        record_ids_release((uintptr_t)old);
    } else if (p == NULL) {
        note_failure("realloc", 0, size); /* old is still live, unchanged */
    } else {
        record_ids_move((uintptr_t)old, (uintptr_t)p);
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
    if (opened != 0 || record_ids_init() != 0) {
        record_say("dmm-record: cannot open the trace file or map memory; not recording\n");
        return;
    }
    rec.owner = getpid();
    record_start();
    /* The header on disk at once: a program killed before the first full
     * buffer still leaves a trace that says it was recorded, and the parser
     * then says it has no end (record_output.c, rule 4). */
    record_flush();
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

/* Writes the footer (its last line the end marker) and closes the trace.
 * Returns 1 when the trace is incomplete: recording stopped before the end
 * (a failed write, no memory for the map: said on stderr then) or the
 * footer could not be written; 0 otherwise, also in a process that was
 * not recording. */
static int finish(void)
{
    if (getpid() != rec.owner || rec.finished)
        return 0; /* not the recorded process (a forked child), or done already */
    rec.finished = 1;
    if (!record_is_on())
        return 1; /* stopped before the end */
    rec.totals.ids = record_ids_used();
    rec.totals.live = record_ids_live();
    record_footer(&rec.totals);
    record_flush();
    int written = record_is_on(); /* a failed write stops recording */
    record_stop(); /* later calls (other destructors) are only forwarded */
    return !written;
}

/* A trace that could not be written makes the program's exit status 1, so
 * that `dmm-record -o /dev/full -- ls` fails as a tool whose output failed
 * should (the message was said at the failed write). A destructor cannot
 * know the status the program is exiting with, so it ends the process
 * itself, after flushing what stdio still holds. */
__attribute__((destructor)) static void record_end(void)
{
    pthread_mutex_lock(&rec.lock);
    int incomplete = finish();
    pthread_mutex_unlock(&rec.lock);
    if (incomplete) {
        fflush(NULL);
        rec.real.exit_now(1);
    }
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
            if (finish() && status == 0)
                status = 1; /* as record_end */
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
