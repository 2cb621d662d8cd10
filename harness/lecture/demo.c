/*
 * demo.c — the lecture's demo sequence on one allocator, step by step, and
 * every place it departs from the slides' picture, explained.
 *
 * Built once per allocator (dmm-demo-NAME); `cmake --build build --target
 * demo` runs them all, in both variants, then one summary line each. After
 * each step it prints the heap map, the chunks of the heap section as the
 * heap checker's walk sees them, one chunk per bracket (the row drawn by
 * describe.c, as dmm-replay --heap-map draws it):
 *
 *     [A 64]    an allocated chunk of 64 bytes (header and footer included)
 *     [F 8128]  a free chunk (for pad: the pad)
 *
 * and, where the allocator did something the slides do not draw, a line
 * "    note: ..." saying what and why. Every note is derived from what the
 * allocator did — the addresses malloc returned, the chunks the walk shows
 * before and after the step, the counters of dmm_stats — never from its
 * name. The slides' picture (lecture_demo.h) at each step:
 *
 *   p2, p3   placed right after the block before: the heap fills upward
 *   free(p2) p2's chunk becomes a free chunk, a hole
 *   p4       no free chunk holds it: "DMMgr must extend size of heap"
 *   free(p3) p3's chunk merges with the hole beside it
 *   p5       goes into the freed chunk, at p2's old place
 *   end      the whole heap is one free chunk again
 *
 * Usage: dmm-demo-NAME [--variant slides|extend] [--unit BYTES] [--summary]
 *   --variant extend  units of LECTURE_DEMO_EXTEND_UNIT bytes, so that the
 *                     first 8 KiB growth step is full before p4
 *   --unit BYTES      any unit (1 .. 65536)
 *   --summary         no maps: one line naming the steps where the slides'
 *                     picture does not hold, for both variants
 *
 * Invariant: a step is marked as departing (a note printed, or counted in
 * the summary) exactly when the slides' picture at that step does not hold;
 * tests/tools/check_lecture_demo.c finds those steps on its own and
 * compares.
 */
#include "dmm.h"

#include "describe.h"
#include "lecture_demo.h"

#include <errno.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* A row is cut after this many chunks, with a count of what was left: the
 * step's number and call take 24 columns of the line before it. */
#define MAP_CHUNKS_SHOWN 12

/* Chunks a snapshot keeps: the demo's heaps have a few dozen at most
 * (segregated's runs); beyond this the notes read only the first ones. */
#define SNAPSHOT_CHUNKS 512

/* The allocator's design words, NULL when it declares none (dmm.h), and
 * its placement policy, NULL for an allocator without policies
 * (allocators/policy.h): a note names a search order only when both say so. */
extern const char dmm_design[] __attribute__((weak));
extern const char *dmm_policy(void) __attribute__((weak));

/* ---- what the allocator did: the heap before and after a step ---------- */

struct snapshot {
    struct dmm_chunk_info chunk[SNAPSHOT_CHUNKS];
    size_t count;
    struct dmm_stats stats;
};

/* One walk both draws the row and keeps the chunks. */
struct walk {
    struct describe_row *row; /* NULL: do not draw */
    struct snapshot *snapshot;
};

static void visit(const struct dmm_chunk_info *chunk, void *arg)
{
    struct walk *walk = arg;
    if (walk->row != NULL)
        describe_row_chunk(chunk, walk->row);
    if (walk->snapshot->count < SNAPSHOT_CHUNKS)
        walk->snapshot->chunk[walk->snapshot->count++] = *chunk;
}

/* The heap now; prints its map row when row is not NULL. Exits when the
 * heap checker finds a broken invariant. */
static void take(struct snapshot *s, struct describe_row *row)
{
    struct walk walk = {row, s};
    s->count = 0;
    const char *problem = dmm_check(visit, &walk);
    dmm_stats(&s->stats);
    if (row != NULL)
        printf("%s\n", describe_row_end(row));
    if (problem != NULL) {
        fprintf(stderr, "dmm-demo: %s\n", problem);
        exit(EXIT_FAILURE);
    }
}

static uintptr_t addr(const void *p)
{
    return (uintptr_t)p;
}

static uintptr_t end_of(const struct dmm_chunk_info *c)
{
    return addr(c->start) + c->size;
}

/* The chunk holding byte p, or NULL. */
static const struct dmm_chunk_info *chunk_at(const struct snapshot *s, const void *p)
{
    for (size_t i = 0; p != NULL && i < s->count; i++)
        if (addr(s->chunk[i].start) <= addr(p) && addr(p) < end_of(&s->chunk[i]))
            return &s->chunk[i];
    return NULL;
}

static int is_free_at(const struct snapshot *s, const void *p)
{
    const struct dmm_chunk_info *c = chunk_at(s, p);
    return c != NULL && c->is_free;
}

static int designed(const char *word)
{
    return dmm_design != NULL && strstr(dmm_design, word) != NULL;
}

/* The policy in use, "" for an allocator without policies. */
static const char *policy(void)
{
    const char *text = dmm_policy != NULL ? dmm_policy() : NULL;
    return text != NULL ? text : "";
}

/* First fit: the default of every allocator with a free list, unless its
 * policy says another fit. */
static int first_fit(void)
{
    return strstr(policy(), "fit=") == NULL || strstr(policy(), "fit=first") != NULL;
}

/* ---- the slides' picture, step by step ---------------------------------- */

/* Everything a note may read. */
struct step_view {
    size_t step;                          /* 1-based */
    void *const *p;                       /* p[1..5] now */
    const void *old[LECTURE_DEMO_IDS + 1]; /* the address each id had when freed */
    size_t size;                          /* bytes asked for, for a malloc */
    const struct snapshot *before, *after;
};

/* p2, p3: placed right after the block before, at a higher address with
 * no other chunk starting between the two. */
static int follows(const struct snapshot *s, const void *before, const void *p)
{
    if (addr(p) <= addr(before))
        return 0;
    const struct dmm_chunk_info *own = chunk_at(s, p);
    for (size_t i = 0; i < s->count; i++) {
        uintptr_t start = addr(s->chunk[i].start);
        if (start > addr(before) && start < addr(p) && &s->chunk[i] != own)
            return 0;
    }
    return 1;
}

static void note_placement(const struct step_view *v, int id, char *note, size_t size)
{
    const void *prev = v->p[id - 1], *p = v->p[id];
    const struct dmm_chunk_info *c = chunk_at(v->after, p);
    const struct dmm_chunk_info *from = c != NULL ? chunk_at(v->before, c->start) : NULL;
    if (v->after->stats.mmap_calls > v->before->stats.mmap_calls) {
        snprintf(note, size, "p%d got a mapping of its own (mmap), not the bytes after p%d", id,
                 id - 1);
    } else if (addr(p) < addr(prev) && from != NULL && from->is_free && c != NULL &&
               end_of(c) == end_of(from) && addr(c->start) > addr(from->start)) {
        snprintf(note, size,
                 "p%d lies below p%d: malloc split a free chunk and handed out its tail, so the "
                 "heap fills downward (the slides fill it upward)", id, id - 1);
    } else if (addr(p) < addr(prev)) {
        snprintf(note, size, "p%d lies %zu bytes below p%d (the slides place it right after)", id,
                 (size_t)(addr(prev) - addr(p)), id - 1);
    } else {
        snprintf(note, size,
                 "p%d is not right after p%d: it lies %zu bytes above it, past other chunks "
                 "(chunks of another size, or the allocator's own bytes)",
                 id, id - 1, (size_t)(addr(p) - addr(prev)));
    }
}

/* free(p2), free(p3): what became of the freed block, when no free chunk
 * holds it. */
static void note_not_free(const struct step_view *v, int id, char *note, size_t size)
{
    const struct dmm_chunk_info *c = chunk_at(v->after, v->old[id]);
    if (v->after->stats.munmap_calls > v->before->stats.munmap_calls)
        snprintf(note, size,
                 "free(p%d) gave p%d's pages back to the OS (munmap): no free chunk stays for "
                 "reuse", id, id);
    else if (c != NULL && c->kind == DMM_CHUNK_NEVER_REUSED)
        snprintf(note, size,
                 "free(p%d) did nothing: p%d's bytes stay in a chunk handed out and never reused "
                 "(the allocator keeps no record of freed blocks)", id, id);
    else if (c != NULL)
        snprintf(note, size, "free(p%d) left no free chunk where p%d was: the walk still shows "
                 "its %zu bytes as %s", id, id, c->size,
                 c->kind == DMM_CHUNK_METADATA ? "the allocator's own" : "allocated");
    else
        snprintf(note, size, "free(p%d) left no chunk where p%d was", id, id);
}

/* Returns 1 and writes the note when the step departs from the slides;
 * writes the slides' own words into `line` where the step matches them
 * and they are worth printing (the heap extended for p4). */
static int explain(const struct step_view *v, char *note, size_t size, char *line, size_t line_size)
{
    const struct snapshot *before = v->before, *after = v->after;
    line[0] = '\0';
    switch (v->step) {
    case LECTURE_DEMO_STEP_P2:
    case LECTURE_DEMO_STEP_P3: {
        int id = (int)v->step; /* p2 at step 2, p3 at step 3 */
        if (follows(after, v->p[id - 1], v->p[id]))
            return 0;
        note_placement(v, id, note, size);
        return 1;
    }
    case LECTURE_DEMO_STEP_FREE_P2:
        if (is_free_at(after, v->old[2]))
            return 0;
        note_not_free(v, 2, note, size);
        return 1;
    case LECTURE_DEMO_STEP_P4: {
        size_t grew = after->stats.heap_bytes - before->stats.heap_bytes;
        if (after->stats.heap_bytes > before->stats.heap_bytes) {
            snprintf(line, line_size, "p4: no free chunk holds %zu bytes: the heap is extended "
                     "(brk +%zu)", v->size, grew);
            return 0;
        }
        const struct dmm_chunk_info *from = chunk_at(before, v->p[4]);
        if (after->stats.mmap_calls > before->stats.mmap_calls)
            snprintf(note, size, "p4 got a mapping of its own (mmap): there is no heap to extend, "
                     "so the slides' \"DMMgr must extend size of heap\" does not apply");
        else if (from != NULL && from->is_free)
            snprintf(note, size, "the heap is not extended for p4: a free chunk of %zu bytes "
                     "(what is left of the last growth step) holds it, so the slides' \"DMMgr "
                     "must extend size of heap\" does not appear", from->size);
        else
            snprintf(note, size, "the heap is not extended for p4 (the slides extend it)");
        return 1;
    }
    case LECTURE_DEMO_STEP_FREE_P3: {
        const struct dmm_chunk_info *c2 = chunk_at(after, v->old[2]);
        const struct dmm_chunk_info *c3 = chunk_at(after, v->old[3]);
        if (c2 != NULL && c2 == c3 && c2->is_free)
            return 0;
        if (c3 == NULL || !c3->is_free)
            note_not_free(v, 3, note, size);
        else if (c2 == NULL || !c2->is_free)
            snprintf(note, size, "p3's chunk is free, but p2's old place is not: nothing to "
                     "merge with");
        else if (end_of(c3) == addr(c2->start) || end_of(c2) == addr(c3->start))
            snprintf(note, size, "p3's free chunk was not merged with p2's free chunk beside it: "
                     "this free did not coalesce (the slides merge them)");
        else
            snprintf(note, size, "p3's free chunk is not beside p2's (%zu bytes apart): the two "
                     "cannot merge as the slides draw", (size_t)(addr(c3->start) > addr(c2->start)
                                                          ? addr(c3->start) - end_of(c2)
                                                          : addr(c2->start) - end_of(c3)));
        return 1;
    }
    case LECTURE_DEMO_STEP_P5: {
        if (v->p[5] == v->old[2])
            return 0;
        const struct dmm_chunk_info *freed = chunk_at(before, v->old[2]);
        const struct dmm_chunk_info *c = chunk_at(after, v->p[5]);
        const struct dmm_chunk_info *from = chunk_at(before, v->p[5]);
        if (freed == NULL || !freed->is_free)
            snprintf(note, size, "p5 is new memory, not p2's old place: nothing freed was there "
                     "to reuse");
        else if (from == freed)
            snprintf(note, size, "p5 went into the freed chunk, but not at p2's old place: the "
                     "split handed out the chunk's tail");
        else if (from != NULL && from->is_free && from == chunk_at(before, v->old[3]))
            snprintf(note, size, "p5 went into p3's old free chunk (%zu bytes%s), not p2's (%zu "
                     "bytes) beside it: free did not merge the two as the slides do",
                     from->size, c != NULL && c->size == from->size ? ", taken whole: no split" : "",
                     freed->size);
        else if (from != NULL && from->is_free && addr(from->start) < addr(freed->start) &&
                 designed("address-ordered") && first_fit())
            snprintf(note, size, "p5 did not go into p2's old chunk: address-ordered first fit "
                     "reached the larger free chunk at a lower address first (%zu bytes, "
                     "against the freed %zu)", from->size, freed->size);
        else if (from != NULL && from->is_free)
            snprintf(note, size, "p5 did not go into p2's old chunk (%zu bytes free there): "
                     "malloc's search%s%s%s found another free chunk (%zu bytes) first",
                     freed->size, policy()[0] ? " (" : "", policy(), policy()[0] ? ")" : "",
                     from->size);
        else if (c != NULL && freed->size < c->size)
            snprintf(note, size, "p2's old free chunk (%zu bytes) is smaller than p5's chunk "
                     "(%zu bytes), so p5 went elsewhere", freed->size, c->size);
        else
            snprintf(note, size, "p5 did not go into p2's old chunk (%zu bytes free there): "
                     "malloc took memory from elsewhere", freed->size);
        return 1;
    }
    case LECTURE_DEMO_STEP_END: {
        size_t allocated = 0, free_chunks = 0, other = 0;
        for (size_t i = 0; i < after->count; i++) {
            const struct dmm_chunk_info *c = &after->chunk[i];
            if (c->kind != DMM_CHUNK_BLOCK)
                other++;
            else if (c->is_free)
                free_chunks++;
            else
                allocated++;
        }
        if (after->count == 1 && free_chunks == 1)
            return 0;
        if (after->count == 0)
            snprintf(note, size, "nothing is left: every chunk went back to the OS (the slides "
                     "keep the heap as one free chunk)");
        else if (allocated + other > 0)
            snprintf(note, size, "the heap does not end as one free chunk: %zu of its %zu chunks "
                     "%s not free (never reused, or the allocator's own bytes)",
                     allocated + other, after->count, allocated + other == 1 ? "is" : "are");
        else
            snprintf(note, size, "the heap ends as %zu free chunks, not one: free chunks side by "
                     "side were not merged, or lie apart", free_chunks);
        return 1;
    }
    default:
        return 0;
    }
}

/* ---- the sequence ------------------------------------------------------- */

/* Runs the sequence with sizes in units of `unit` bytes. Prints the maps
 * and notes unless quiet; departs[step] = 1 where the slides' picture does
 * not hold. Returns 0, or -1 when a malloc failed. */
static int run_sequence(size_t unit, int quiet, int departs[LECTURE_DEMO_STEPS + 1])
{
    static struct snapshot before, after; /* 2 x 20 KiB: not on the stack */
    void *p[LECTURE_DEMO_IDS + 1] = {0};
    struct step_view view = {.p = p, .before = &before, .after = &after};
    take(&after, NULL);
    for (size_t i = 0; i < LECTURE_DEMO_STEPS; i++) {
        const struct lecture_demo_step *step = &lecture_demo[i];
        struct trace_op op = {.kind = step->op, .size = step->units * unit};
        char name[8], what[40];
        snprintf(name, sizeof name, "p%d", step->id);
        describe_call(what, sizeof what, &op, name, name); /* "p1 = malloc(48)" */
        before = after;
        if (step->op == 'a') {
            p[step->id] = dmm_malloc(op.size);
            if (p[step->id] == NULL) {
                fprintf(stderr, "dmm-demo: %s: %s\n", what, strerror(errno));
                return -1;
            }
        } else {
            view.old[step->id] = p[step->id];
            dmm_free(p[step->id]);
            p[step->id] = NULL;
        }
        struct describe_row row;
        describe_row_start(&row, MAP_CHUNKS_SHOWN);
        if (!quiet)
            printf("%2zu  %-18s ", i + 1, what);
        take(&after, quiet ? NULL : &row);

        char note[320], line[160];
        view.step = i + 1;
        view.size = op.size;
        departs[i + 1] = explain(&view, note, sizeof note, line, sizeof line);
        if (!quiet && line[0] != '\0')
            printf("    %s\n", line);
        if (!quiet && departs[i + 1])
            printf("    note: %s\n", note);
    }
    return 0;
}

/* "2, 5, 7" or "none" into text. */
static const char *step_list(const int departs[LECTURE_DEMO_STEPS + 1], char *text, size_t size)
{
    size_t used = 0;
    text[0] = '\0';
    for (size_t s = 1; s <= LECTURE_DEMO_STEPS; s++)
        if (departs[s] && used < size)
            used += (size_t)snprintf(text + used, size - used, "%s%zu", used ? ", " : "", s);
    return used ? text : "none";
}

static void usage(void)
{
    fprintf(stderr, "usage: dmm-demo-%s [--variant slides|extend] [--unit BYTES] [--summary]\n",
            dmm_name());
}

int main(int argc, char **argv)
{
    size_t unit = LECTURE_DEMO_UNIT;
    int summary = 0;
    for (int i = 1; i < argc; i++) {
        if (strcmp(argv[i], "--summary") == 0) {
            summary = 1;
        } else if (strcmp(argv[i], "--variant") == 0 && i + 1 < argc) {
            i++;
            if (strcmp(argv[i], "slides") == 0) {
                unit = LECTURE_DEMO_UNIT;
            } else if (strcmp(argv[i], "extend") == 0) {
                unit = LECTURE_DEMO_EXTEND_UNIT;
            } else {
                fprintf(stderr, "dmm-demo: --variant '%s': expected slides or extend\n", argv[i]);
                return 2;
            }
        } else if (strcmp(argv[i], "--unit") == 0 && i + 1 < argc) {
            char *end;
            errno = 0;
            unsigned long value = strtoul(argv[++i], &end, 10);
            if (errno != 0 || *end != '\0' || end == argv[i] || argv[i][0] == '-' || value < 1 ||
                value > 65536) {
                fprintf(stderr, "dmm-demo: --unit '%s': expected a number of bytes, 1 to 65536\n",
                        argv[i]);
                return 2;
            }
            unit = value;
        } else {
            fprintf(stderr, "dmm-demo: unknown argument '%s'\n", argv[i]);
            usage();
            return 2;
        }
    }

    int departs[LECTURE_DEMO_STEPS + 1] = {0};
    char steps[64];
    if (summary) {
        /* both variants, one line: where the slides' picture does not hold */
        int extend[LECTURE_DEMO_STEPS + 1] = {0};
        if (run_sequence(LECTURE_DEMO_UNIT, 1, departs) != 0)
            return EXIT_FAILURE;
        dmm_reset();
        if (run_sequence(LECTURE_DEMO_EXTEND_UNIT, 1, extend) != 0)
            return EXIT_FAILURE;
        char extend_steps[64];
        int faithful = 1; /* the extend variant is the slides' picture, step for step */
        for (size_t s = 1; s <= LECTURE_DEMO_STEPS; s++)
            faithful &= !extend[s];
        printf("%-12s departs at steps: %-22s extend variant: %s%s%s\n", dmm_name(),
               step_list(departs, steps, sizeof steps),
               step_list(extend, extend_steps, sizeof extend_steps),
               extend[LECTURE_DEMO_STEP_P4] ? "" : " (heap extended at p4)",
               faithful ? ": the slides' picture, step for step" : "");
        return EXIT_SUCCESS;
    }

    printf("== %s%s%s%s: the lecture's demo, sizes in units of %zu bytes%s ==\n", dmm_name(),
           policy()[0] ? " (" : "", policy(), policy()[0] ? ")" : "", unit,
           unit == LECTURE_DEMO_EXTEND_UNIT ? " (the extend variant)" : "");
    printf("   %s\n", DESCRIBE_ROW_LEGEND);
    if (run_sequence(unit, 0, departs) != 0)
        return EXIT_FAILURE;

    struct dmm_stats s;
    dmm_stats(&s);
    printf("    cost: brk %llu, mmap %llu, munmap %llu; malloc steps %llu, free steps %llu; "
           "peak footprint %zu bytes\n",
           (unsigned long long)s.brk_calls, (unsigned long long)s.mmap_calls,
           (unsigned long long)s.munmap_calls, (unsigned long long)s.malloc_steps,
           (unsigned long long)s.free_steps, s.peak_footprint_bytes);
    int any = 0;
    for (size_t i = 1; i <= LECTURE_DEMO_STEPS; i++)
        any |= departs[i];
    if (any)
        printf("    the slides' picture: holds for %s except at steps %s (the notes above)\n\n",
               dmm_name(), step_list(departs, steps, sizeof steps));
    else
        printf("    the slides' picture: holds for %s at every step\n\n", dmm_name());
    return EXIT_SUCCESS;
}
