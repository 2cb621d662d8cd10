/*
 * canary.c — the lecture's strcpy mistake on one allocator: does the
 * allocator notice, at the next free, that a program wrote past the end of
 * a block?
 *
 * The idea
 *   The lecture gives every chunk a footer that repeats the header's size,
 *   and points out that the redundancy catches errors: a program that
 *   copies a string into a block one byte too small,
 *
 *       char *s = malloc(strlen(name));   the + 1 for the '\0' is missing
 *       strcpy(s, name);
 *
 *   writes past the payload into the footer, and free, finding the footer
 *   changed, can say so (allocators/chunk.h: chunk_check_footer; glibc
 *   says "free(): invalid next size"). This program does exactly that, three
 *   ways, and prints what the allocator did:
 *     1. the lecture's missing + 1: 32 characters into malloc(32), so the
 *        '\0' is the one byte past the payload;
 *     2. a longer overrun: 47 characters into malloc(32) (a buffer sized
 *        for the names someone expected), which writes over the whole
 *        16-byte footer, its size word included;
 *     3. an overrun inside the alignment filler: 20 characters into
 *        malloc(20), whose chunk holds 32 bytes of payload: no footer can
 *        see it.
 *
 * How it finds out (never from a table of what each allocator does)
 *   Each case runs in a child process of its own, on a fresh heap: malloc,
 *   the heap map and the words after the payload, strcpy, the same again,
 *   then free(s). The child's stderr goes into a pipe, so the parent reads
 *   the allocator's message, and the child's exit status or signal says
 *   how the free ended; the child also writes a few "dmm-canary: ..."
 *   lines there: which step it reached, and where the written bytes landed
 *   as the heap checker's walk lays out the chunk (dmm_chunk_info: header,
 *   payload, footer). The parent prints one line per case:
 *
 *       result: bins caught it at free: bins: free(): footer canary ...
 *       result: minimal did not notice: it has no footer (...)
 *       result: NAME crashed at free: signal 11, Segmentation fault (...)
 *
 *   A block s sits between two neighbours, a and b (malloc(32) each), so
 *   that on every allocator the bytes past s land in memory the allocator
 *   owns rather than past the program break.
 *
 * Built once per allocator (dmm-canary-NAME); `cmake --build build --target
 * canary` runs them all. docs/canary.md shows the output.
 */
#define _POSIX_C_SOURCE 200809L /* fork, pipe, dup2, strsignal under -std=c17 */

#include "dmm.h"

#include "describe.h"

#include <errno.h>
#include <signal.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

#define MAP_CHUNKS_SHOWN 8  /* chunks of a heap map row: s's neighbourhood */
#define NEIGHBOUR_BYTES 32  /* a and b: the blocks around s */
#define WORDS_SHOWN 4       /* words drawn around the end of s, at most */
#define MARK "dmm-canary: " /* the child's own lines in the pipe, not the allocator's */
#define MESSAGE_MAX 4096    /* bytes of the child's stderr kept */

struct overrun {
    const char *title; /* what the case shows */
    const char *name;  /* the string strcpy copies */
    size_t request;    /* malloc's argument; 0: strlen(name), the lecture's mistake */
};

static const struct overrun overruns[] = {
    {"the lecture's strcpy: the + 1 for the '\\0' is missing",
     "Alan Mathison Turing (1912-1954)", 0},                 /* 32 characters */
    {"a longer overrun: 16 bytes past the end, a whole footer's worth",
     "Augusta Ada King, Countess of Lovelace, 1815-52", 32}, /* 47: 48 bytes, 16 past */
    {"an overrun inside the alignment filler", "Barbara Liskov, 1939", 0}, /* 20 */
};
#define OVERRUNS (sizeof overruns / sizeof overruns[0])

static size_t request_of(const struct overrun *o)
{
    return o->request != 0 ? o->request : strlen(o->name);
}

/* ---- the child: one case on a fresh heap ------------------------------------ */

/* s's chunk and the one after it in memory, as the heap checker's walk
 * visits them (the walk gives every allocator's layout the same way), and
 * the blocks around s. */
struct layout {
    const char *block;               /* s */
    size_t request;                  /* bytes s was asked for */
    const char *neighbour[2];        /* a and b */
    struct dmm_chunk_info chunk;     /* the chunk holding s; start NULL: not found */
    struct dmm_chunk_info next;      /* the chunk starting where it ends; start NULL: none */
    int free_chunk_has_footer;       /* some free chunk visited has a footer */
};

/* Addresses as integers: the pointers compared here point into different
 * objects (s, a, b, chunks), which C's relational operators do not allow. */
static int inside(uintptr_t p, const void *start, size_t bytes)
{
    return start != NULL && p >= (uintptr_t)start && p - (uintptr_t)start < bytes;
}

static void find_layout(const struct dmm_chunk_info *c, void *arg)
{
    struct layout *l = arg;
    const char *start = c->start;
    if (inside((uintptr_t)l->block, start, c->size))
        l->chunk = *c;
    else if (l->chunk.start != NULL && l->next.start == NULL
             && start == (const char *)l->chunk.start + l->chunk.size)
        l->next = *c;
    if (c->is_free && c->footer_bytes > 0)
        l->free_chunk_has_footer = 1;
}

/* The heap map row, and the heap checker's complaint when it has one. */
static void print_heap_map(const char *when)
{
    struct describe_row row;
    describe_row_start(&row, MAP_CHUNKS_SHOWN);
    const char *problem = dmm_check(describe_row_chunk, &row);
    printf("   %-14s %s\n", when, describe_row_end(&row));
    if (problem != NULL)
        printf("   %-14s heap checker: %s\n", "", problem);
}

static const char *chunk_end(const struct layout *l)
{
    return (const char *)l->chunk.start + l->chunk.size;
}

/* The end of s's payload: where the chunk's footer (if any) starts. */
static const char *payload_end(const struct layout *l)
{
    return chunk_end(l) - l->chunk.footer_bytes;
}

/* What the byte at p is, in the layout: one word of the NAMES below. The
 * neighbours are asked first: on minimal and pad the walk sees all three
 * blocks as one chunk. */
enum place { IN_S, IN_NEIGHBOUR_A, IN_NEIGHBOUR_B, IN_FILLER, IN_FOOTER, IN_NEXT_HEADER,
             IN_NEXT_CHUNK, OUTSIDE };
static const char *const place_names[] = {
    "s", "a", "b", "filler of s", "footer of s", "next header", "next chunk", "outside"};

static enum place place_of(const struct layout *l, const char *at)
{
    uintptr_t p = (uintptr_t)at;
    if (inside(p, l->block, l->request))
        return IN_S;
    for (int i = 0; i < 2; i++)
        if (inside(p, l->neighbour[i], NEIGHBOUR_BYTES))
            return i == 0 ? IN_NEIGHBOUR_A : IN_NEIGHBOUR_B;
    if (inside(p, l->block, (size_t)(payload_end(l) - l->block)))
        return IN_FILLER;
    if (inside(p, payload_end(l), l->chunk.footer_bytes))
        return IN_FOOTER;
    if (!inside(p, l->next.start, l->next.size))
        return OUTSIDE;
    return inside(p, l->next.start, l->next.header_bytes) ? IN_NEXT_HEADER : IN_NEXT_CHUNK;
}

/* The words around the end of s, raw: from the word holding the request's
 * last byte to the end of the footer (two words when the chunk has none).
 * Read before and after the strcpy, and printed side by side. */
struct words {
    const char *first;              /* the first word's address */
    int count;                      /* words read */
    uint64_t before[WORDS_SHOWN];   /* their values before the strcpy */
};

static void read_words(const struct layout *l, struct words *w)
{
    w->first = l->block + (l->request & ~(sizeof(uint64_t) - 1));
    const char *last = l->chunk.footer_bytes > 0 ? chunk_end(l) : w->first + 2 * sizeof(uint64_t);
    w->count = 0;
    for (const char *at = w->first; at < last && w->count < WORDS_SHOWN; at += sizeof(uint64_t)) {
        if (place_of(l, at) == OUTSIDE || place_of(l, at + sizeof(uint64_t) - 1) == OUTSIDE)
            break; /* past the program break, or a page not mapped: not read */
        memcpy(&w->before[w->count++], at, sizeof(uint64_t));
    }
}

/* One word as a number and as the bytes it holds, in memory order. */
static void print_word(uint64_t word)
{
    unsigned char bytes[sizeof word];
    memcpy(bytes, &word, sizeof word);
    char text[sizeof word + 1];
    for (size_t k = 0; k < sizeof word; k++)
        text[k] = bytes[k] >= 0x20 && bytes[k] < 0x7f ? (char)bytes[k] : '.';
    text[sizeof word] = '\0';
    printf("  0x%016llx \"%s\"", (unsigned long long)word, text);
}

static void print_words(const struct layout *l, const struct words *w)
{
    printf("   %-22s  %-31s%s\n", "words around s's end", "before strcpy", "after strcpy");
    for (int i = 0; i < w->count; i++) {
        const char *at = w->first + i * sizeof(uint64_t);
        uint64_t after;
        memcpy(&after, at, sizeof after);
        printf("     s+%-3td %-14s", at - l->block, place_names[place_of(l, at)]);
        print_word(w->before[i]);
        print_word(after);
        printf("\n");
    }
    if (w->count == 0)
        printf("     (none the allocator owns)\n");
}

/* Where the n bytes written at s end, in the layout: the word the parent
 * turns into the reason. */
static const char *landing(const struct layout *l, size_t n)
{
    const char *last = l->block + n - 1;
    switch (place_of(l, last)) {
    case IN_S:
    case IN_FILLER: return "filler";
    case IN_FOOTER: return "footer";
    case IN_NEIGHBOUR_A: return "block a";
    case IN_NEIGHBOUR_B: return "block b";
    case IN_NEXT_HEADER: return "header";
    case IN_NEXT_CHUNK: return "next";
    case OUTSIDE: break;
    }
    return "outside";
}

/* The lines only the parent reads, in one write each (they share the pipe
 * with the allocator's own message). */
static void mark(int fd, const char *what)
{
    char line[128];
    int length = snprintf(line, sizeof line, MARK "%s\n", what);
    if (length > 0 && write(fd, line, (size_t)length) < 0)
        _exit(3);
}

/* The case, in the child: never returns. */
static _Noreturn void run_case(const struct overrun *o, int report)
{
    dmm_reset();
    size_t n = strlen(o->name) + 1; /* what strcpy writes, the '\0' included */
    struct layout l = {.request = request_of(o)};
    char *a = dmm_malloc(NEIGHBOUR_BYTES);
    char *s = dmm_malloc(l.request);
    char *b = dmm_malloc(NEIGHBOUR_BYTES);
    if (a == NULL || s == NULL || b == NULL) {
        mark(report, "malloc failed");
        _exit(2);
    }
    l.block = s, l.neighbour[0] = a, l.neighbour[1] = b;
    const char *problem = dmm_check(find_layout, &l);
    if (l.chunk.start == NULL) {
        mark(report, problem != NULL ? problem : "s is in no chunk the heap checker visits");
        _exit(2);
    }
    printf("   s = %p, in a %zu-byte chunk: header %zu, payload %td, footer %zu bytes\n",
           (void *)s, l.chunk.size, l.chunk.header_bytes, payload_end(&l) - s,
           l.chunk.footer_bytes);
    mark(report, l.chunk.footer_bytes > 0  ? "footer allocated"
                 : l.free_chunk_has_footer ? "footer free-only"
                                           : "footer none");
    char landed[32];
    snprintf(landed, sizeof landed, "landed %s", landing(&l, n));
    mark(report, landed);
    struct words words;
    read_words(&l, &words);
    print_heap_map("before strcpy");
    mark(report, "at strcpy");
    fflush(stdout);
    strcpy(s, o->name);
    print_heap_map("after strcpy");
    print_words(&l, &words);
    mark(report, "at free");
    fflush(stdout); /* the allocator may abort: nothing may stay in the buffer */
    dmm_free(s);
    mark(report, "done");
    fflush(stdout);
    _exit(0);
}

/* ---- the parent: what happened ---------------------------------------------- */

/* What the child told and how it ended. */
struct outcome {
    char message[MESSAGE_MAX]; /* the allocator's lines on stderr, the marks taken out */
    char step[32];             /* the last "at ..." mark, or "done" */
    char footer[32];           /* "allocated", "free-only", "none" */
    char landed[32];           /* "filler", "footer", "next", "outside" */
    int status;                /* from waitpid */
};

/* Sorts one line of the pipe: a mark, or the allocator's. */
static void take_line(struct outcome *out, const char *line, size_t length)
{
    size_t mark_length = strlen(MARK);
    if (length >= mark_length && memcmp(line, MARK, mark_length) == 0) {
        const char *what = line + mark_length;
        int n = (int)(length - mark_length);
        if (strncmp(what, "footer ", 7) == 0)
            snprintf(out->footer, sizeof out->footer, "%.*s", n - 7, what + 7);
        else if (strncmp(what, "at ", 3) == 0 || strncmp(what, "done", 4) == 0)
            snprintf(out->step, sizeof out->step, "%.*s", n, what);
        else if (strncmp(what, "landed ", 7) == 0)
            snprintf(out->landed, sizeof out->landed, "%.*s", n - 7, what + 7);
        else /* the child's own failure: keep it as the message */
            snprintf(out->message, sizeof out->message, "dmm-canary: %.*s", n, what);
        return;
    }
    size_t used = strlen(out->message);
    snprintf(out->message + used, sizeof out->message - used, "%s%.*s", used > 0 ? " | " : "",
             (int)length, line);
}

/* Runs one case in a child; returns 0, or -1 when the child could not run. */
static int run_child(const struct overrun *o, struct outcome *out)
{
    int pipe_fds[2];
    fflush(stdout);
    if (pipe(pipe_fds) != 0)
        return -1;
    pid_t pid = fork();
    if (pid < 0)
        return -1;
    if (pid == 0) {
        close(pipe_fds[0]);
        dup2(pipe_fds[1], STDERR_FILENO); /* the allocator's message, as it writes it */
        run_case(o, pipe_fds[1]);
    }
    close(pipe_fds[1]);
    char text[MESSAGE_MAX * 2];
    size_t used = 0;
    ssize_t got;
    while ((got = read(pipe_fds[0], text + used, sizeof text - 1 - used)) > 0 || (got < 0 && errno == EINTR))
        used += got > 0 ? (size_t)got : 0;
    close(pipe_fds[0]);
    text[used] = '\0';
    for (char *line = text, *end; *line != '\0'; line = *end != '\0' ? end + 1 : end) {
        end = strchr(line, '\n');
        if (end == NULL)
            end = line + strlen(line);
        if (end > line)
            take_line(out, line, (size_t)(end - line));
    }
    while (waitpid(pid, &out->status, 0) < 0)
        if (errno != EINTR)
            return -1;
    return 0;
}

/* Why the free went unnoticed, from the layout the child saw. */
static const char *unnoticed_reason(const struct outcome *out)
{
    if (strcmp(out->footer, "none") == 0)
        return "it has no footer";
    if (strcmp(out->footer, "free-only") == 0)
        return "it has a footer only in free chunks, none in an allocated one";
    if (strcmp(out->landed, "filler") == 0)
        return "no footer can see this one";
    return "it has a footer, but its free does not check it";
}

/* Where the bytes past the request went, from the layout the child saw. */
static const char *where_landed(const struct outcome *out)
{
    static const struct {
        const char *landed, *words;
    } places[] = {
        {"filler", "the bytes past the request stayed inside s's payload: the chunk is bigger "
                   "than the request"},
        {"footer", "the bytes past the request reached s's footer"},
        {"block a", "the bytes past the request ran into a, the next block in memory"},
        {"block b", "the bytes past the request ran into b, the next block in memory"},
        {"header", "the bytes past the request ran into the next chunk's header"},
        {"next", "the bytes past the request ran into the next chunk"},
    };
    for (size_t i = 0; i < sizeof places / sizeof places[0]; i++)
        if (strcmp(out->landed, places[i].landed) == 0)
            return places[i].words;
    return "the bytes past the request ran out of the allocator's memory";
}

/* The result line: what happened, read from the child's status and pipe. */
static void print_result(const struct outcome *out)
{
    const char *name = dmm_name();
    const char *step = strncmp(out->step, "at ", 3) == 0 ? out->step + 3 : out->step;
    if (WIFSIGNALED(out->status)) {
        int sig = WTERMSIG(out->status);
        if (sig == SIGABRT && strcmp(step, "free") == 0 && out->message[0] != '\0')
            printf("   result: %s caught it at free: %s\n", name, out->message);
        else
            printf("   result: %s crashed at %s: signal %d, %s%s%s (%s)\n", name, step, sig,
                   strsignal(sig), out->message[0] != '\0' ? ": " : "", out->message,
                   where_landed(out));
    } else if (WIFEXITED(out->status) && WEXITSTATUS(out->status) == 0
               && strcmp(step, "done") == 0) {
        printf("   result: %s did not notice: %s (%s)%s%s\n", name, unnoticed_reason(out),
               where_landed(out), out->message[0] != '\0' ? "; it said: " : "", out->message);
    } else {
        printf("   result: %s failed at %s: exit status %d%s%s\n", name,
               step[0] != '\0' ? step : "the start", WIFEXITED(out->status)
                                                         ? WEXITSTATUS(out->status) : -1,
               out->message[0] != '\0' ? ": " : "", out->message);
    }
}

int main(void)
{
    printf("== %s ==\n", dmm_name());
    for (size_t i = 0; i < OVERRUNS; i++) {
        const struct overrun *o = &overruns[i];
        size_t length = strlen(o->name), request = request_of(o);
        char call[32];
        if (o->request == 0)
            snprintf(call, sizeof call, "malloc(strlen(name))");
        else
            snprintf(call, sizeof call, "malloc(%zu)", o->request);
        printf("%zu. %s\n", i + 1, o->title);
        printf("       char *name = \"%s\";%*s/* %zu characters */\n", o->name,
               (int)(length < 48 ? 48 - length : 1), "", length);
        printf("       char *a = malloc(%d), *s = %s, *b = malloc(%d); /* s gets %zu bytes */\n",
               NEIGHBOUR_BYTES, call, NEIGHBOUR_BYTES, request);
        printf("       strcpy(s, name);  /* %zu bytes, the '\\0' included: %zu past the end of s */\n",
               length + 1, length + 1 - request);
        printf("       free(s);\n");
        struct outcome out = {.status = 0};
        if (run_child(o, &out) != 0) {
            fprintf(stderr, "dmm-canary: cannot run a child process: %s\n", strerror(errno));
            return EXIT_FAILURE;
        }
        print_result(&out);
    }
    printf("\n");
    return EXIT_SUCCESS;
}
