/*
 * check_lecture_demo.c — the demo's notes (harness/lecture/demo.c) appear
 * exactly at the steps where the allocator departs from the slides'
 * picture, in both variants, and the slides' "the heap is extended" line
 * exactly where the heap grew at p4.
 *
 * Built once per allocator (check_lecture_demo_NAME, linked with it). The
 * test replays lecture_demo[] itself, through dmm_malloc/dmm_free, and finds
 * the departing steps from the addresses malloc returns, the chunks the
 * heap checker's walk shows and the heap section's size (dmm_stats) — its
 * own code, not the demo's; then it runs dmm-demo-NAME and reads where the
 * notes are. The slides' picture, step by step:
 *
 *   2, 3   p2 (p3) lies above p1 (p2) with no chunk starting between them
 *          but its own
 *   4      a free chunk holds p2's old address
 *   5      the heap section grew (then "p4: ... extended (brk +N)" is
 *          printed with N the growth, and no note)
 *   6      one free chunk holds both p2's and p3's old addresses
 *   7      p5 is p2's old address
 *   10     the walk shows exactly one chunk, free
 *
 * On top, what the lecture and issue 13 say of particular allocators, from
 * the lecture and not from the program: list does not put p5 at p2's old
 * place; with 16-byte units the allocators that grow in 8 KiB steps do not
 * extend the heap at p4, in the extend variant they do.
 */
#include "dmm.h"

#include "lecture_demo.h"
#include "suite.h"

#include <check.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>

#define MAX_CHUNKS 512
#define STEPS LECTURE_DEMO_STEPS

struct heap_now {
    struct dmm_chunk_info chunk[MAX_CHUNKS];
    size_t count;
    size_t heap_bytes;
};

static void keep(const struct dmm_chunk_info *chunk, void *arg)
{
    struct heap_now *h = arg;
    require(h->count < MAX_CHUNKS, "more than %d chunks", MAX_CHUNKS);
    h->chunk[h->count++] = *chunk;
}

static void look(struct heap_now *h)
{
    h->count = 0;
    const char *problem = dmm_check(keep, h);
    require(problem == NULL, "heap checker: %s", problem);
    struct dmm_stats s;
    dmm_stats(&s);
    h->heap_bytes = s.heap_bytes;
}

/* Index of the chunk holding byte p, or -1. */
static long holder(const struct heap_now *h, const void *p)
{
    uintptr_t a = (uintptr_t)p;
    for (size_t i = 0; i < h->count; i++) {
        uintptr_t start = (uintptr_t)h->chunk[i].start;
        if (start <= a && a < start + h->chunk[i].size)
            return (long)i;
    }
    return -1;
}

static int free_at(const struct heap_now *h, const void *p)
{
    long i = holder(h, p);
    return i >= 0 && h->chunk[i].is_free;
}

/* p lies above prev, and the only chunk starting between them is p's own. */
static int placed_after(const struct heap_now *h, const void *prev, const void *p)
{
    if ((uintptr_t)p <= (uintptr_t)prev)
        return 0;
    long own = holder(h, p);
    for (size_t i = 0; i < h->count; i++) {
        uintptr_t start = (uintptr_t)h->chunk[i].start;
        if (start > (uintptr_t)prev && start < (uintptr_t)p && (long)i != own)
            return 0;
    }
    return 1;
}

/* What the replay found: departs[step], and how much the heap grew at p4. */
struct expectation {
    int departs[STEPS + 1];
    size_t p4_growth; /* 0: not extended */
};

static struct expectation replay(size_t unit)
{
    static struct heap_now before, after;
    struct expectation e = {{0}, 0};
    void *p[LECTURE_DEMO_IDS + 1] = {0};
    const void *old[LECTURE_DEMO_IDS + 1] = {0};
    dmm_reset();
    look(&after);
    for (size_t i = 0; i < STEPS; i++) {
        const struct lecture_demo_step *step = &lecture_demo[i];
        before = after;
        if (step->op == 'a') {
            p[step->id] = dmm_malloc(step->units * unit);
            require(p[step->id] != NULL, "malloc of step %zu failed", i + 1);
        } else {
            old[step->id] = p[step->id];
            dmm_free(p[step->id]);
        }
        look(&after);
        size_t s = i + 1;
        int holds = 1;
        if (s == 2 || s == 3) {
            holds = placed_after(&after, p[s - 1], p[s]);
        } else if (s == 4) {
            holds = free_at(&after, old[2]);
        } else if (s == 5) {
            holds = after.heap_bytes > before.heap_bytes;
            e.p4_growth = holds ? after.heap_bytes - before.heap_bytes : 0;
        } else if (s == 6) {
            long c2 = holder(&after, old[2]), c3 = holder(&after, old[3]);
            holds = c2 >= 0 && c2 == c3 && after.chunk[c2].is_free;
        } else if (s == 7) {
            holds = p[5] == old[2];
        } else if (s == 10) {
            holds = after.count == 1 && after.chunk[0].is_free;
        }
        e.departs[s] = !holds;
    }
    dmm_reset();
    return e;
}

/* ---- the demo's output ----------------------------------------------------------------- */

struct demo_output {
    int notes[STEPS + 1];       /* "    note:" lines after step s */
    int extended[STEPS + 1];    /* "    p4: no free chunk holds ..." after step s */
    char extended_line[1024];
    int steps_seen;
    char summary[1024];
};

static struct demo_output run_demo(const char *arguments)
{
    struct demo_output out;
    memset(&out, 0, sizeof out);
    char command[1024];
    snprintf(command, sizeof command, "'%s' %s", DMM_DEMO, arguments);
    FILE *pipe = popen(command, "r");
    require(pipe != NULL, "cannot run %s", command);
    char line[1024];
    int step = 0;
    while (fgets(line, sizeof line, pipe) != NULL) {
        int n;
        if (strncmp(line, "    note: ", 10) == 0) {
            require(step >= 1, "a note before any step: %s", line);
            out.notes[step]++;
        } else if (strncmp(line, "    p4: ", 8) == 0) {
            require(step >= 1, "an extension before any step: %s", line);
            out.extended[step]++;
            snprintf(out.extended_line, sizeof out.extended_line, "%s", line);
        } else if (sscanf(line, "%2d  %n", &step, &n) == 1 && n == 4) {
            require(step == out.steps_seen + 1, "step %d after step %d", step, out.steps_seen);
            out.steps_seen = step;
        } else if (strstr(line, "departs at steps:") != NULL) {
            snprintf(out.summary, sizeof out.summary, "%s", line);
        }
    }
    int status = pclose(pipe);
    require(status == 0, "%s exited with status %d", command, status);
    return out;
}

/* "2, 3, 7" or "none", as the demo's summary writes a set of steps. */
static const char *steps_text(const int departs[STEPS + 1], char *text, size_t size)
{
    size_t used = 0;
    text[0] = '\0';
    for (size_t s = 1; s <= STEPS; s++)
        if (departs[s])
            used += (size_t)snprintf(text + used, size - used, "%s%zu", used ? ", " : "", s);
    return used ? text : "none";
}

static void check_variant(const char *arguments, size_t unit)
{
    struct expectation e = replay(unit);
    struct demo_output out = run_demo(arguments);
    ck_assert_int_eq(out.steps_seen, (int)STEPS);
    for (size_t s = 1; s <= STEPS; s++) {
        require(out.notes[s] == e.departs[s], "%s %s: step %zu: %d note(s), the replay finds it %s",
                dmm_name(), arguments, s, out.notes[s], e.departs[s] ? "departs" : "as the slides");
        int extended_here = s == LECTURE_DEMO_STEP_P4 && e.p4_growth > 0;
        require(out.extended[s] == extended_here, "%s %s: step %zu: %d extension line(s)",
                dmm_name(), arguments, s, out.extended[s]);
    }
    if (e.p4_growth > 0) {
        char expected[128];
        snprintf(expected, sizeof expected,
                 "    p4: no free chunk holds %zu bytes: the heap is extended (brk +%zu)\n",
                 lecture_demo[LECTURE_DEMO_STEP_P4 - 1].units * unit, e.p4_growth);
        ck_assert_str_eq(out.extended_line, expected);
    }
}

START_TEST(notes_where_the_slides_sizes_depart)
{
    check_variant("", LECTURE_DEMO_UNIT);
    check_variant("--variant slides", LECTURE_DEMO_UNIT);
}
END_TEST

START_TEST(notes_where_the_extend_variant_departs)
{
    check_variant("--variant extend", LECTURE_DEMO_EXTEND_UNIT);
    check_variant("--unit 1000", 1000);
}
END_TEST

START_TEST(summary_names_the_departing_steps)
{
    struct expectation slides = replay(LECTURE_DEMO_UNIT), extend = replay(LECTURE_DEMO_EXTEND_UNIT);
    struct demo_output out = run_demo("--summary");
    char a[64], b[64], expected[256];
    snprintf(expected, sizeof expected, "departs at steps: %s", steps_text(slides.departs, a, sizeof a));
    require(strstr(out.summary, expected) != NULL, "summary '%s' lacks '%s'", out.summary, expected);
    int faithful = 1;
    for (size_t s = 1; s <= STEPS; s++)
        faithful &= !extend.departs[s];
    snprintf(expected, sizeof expected, "extend variant: %s%s%s\n",
             steps_text(extend.departs, b, sizeof b),
             extend.p4_growth > 0 ? " (heap extended at p4)" : "",
             faithful ? ": the slides' picture, step for step" : "");
    require(strstr(out.summary, expected) != NULL, "summary '%s' lacks '%s'", out.summary, expected);
}
END_TEST

/* What the lecture and the issue say of particular allocators. */
START_TEST(the_known_departures)
{
    const char *name = dmm_name();
    struct expectation slides = replay(LECTURE_DEMO_UNIT), extend = replay(LECTURE_DEMO_EXTEND_UNIT);
    static const char *const steps_of_8k[] = {"pad", "list", "dlist", "bins", "unsorted"};
    for (size_t i = 0; i < sizeof steps_of_8k / sizeof steps_of_8k[0]; i++) {
        if (strcmp(name, steps_of_8k[i]) != 0)
            continue;
        require(slides.p4_growth == 0, "%s: 16-byte units: the first 8 KiB step holds p4", name);
        require(extend.p4_growth > 0, "%s: extend variant: the heap must be extended at p4", name);
    }
    if (strcmp(name, "list") == 0)
        require(slides.departs[LECTURE_DEMO_STEP_P5], "list: p5 is not at p2's old place");
    if (strcmp(name, "dlist") == 0 || strcmp(name, "bins") == 0)
        for (size_t s = 1; s <= STEPS; s++)
            require(!extend.departs[s], "%s: the extend variant is the slides' picture (step %zu)",
                    name, s);
}
END_TEST

/* A wrong argument: exit status 2 and one line naming it, never a run. */
START_TEST(bad_arguments_are_named)
{
    static const struct { const char *arguments, *said; } cases[] = {
        {"--variant bogus", "--variant 'bogus': expected slides or extend"},
        {"--unit 0", "--unit '0': expected a number of bytes, 1 to 65536"},
        {"--unit 12x", "--unit '12x'"},
        {"--unit -5", "--unit '-5'"},
        {"--unit 65537", "--unit '65537'"},
        {"--frobnicate", "unknown argument '--frobnicate'"},
    };
    for (size_t c = 0; c < sizeof cases / sizeof cases[0]; c++) {
        char command[1024], said[1024] = "";
        snprintf(command, sizeof command, "'%s' %s 2>&1", DMM_DEMO, cases[c].arguments);
        FILE *pipe = popen(command, "r");
        require(pipe != NULL, "cannot run %s", command);
        size_t n = fread(said, 1, sizeof said - 1, pipe);
        said[n] = '\0';
        int status = pclose(pipe);
        require(WIFEXITED(status) && WEXITSTATUS(status) == 2, "%s: status %d", command, status);
        require(strstr(said, cases[c].said) != NULL, "%s said: %s", command, said);
        require(strstr(said, "malloc(") == NULL, "%s ran the sequence: %s", command, said);
    }
}
END_TEST

int main(void)
{
    const struct test_group groups[] = {
        {"demo", {notes_where_the_slides_sizes_depart, notes_where_the_extend_variant_departs,
                  summary_names_the_departing_steps, the_known_departures,
                  bad_arguments_are_named}},
    };
    return run_test_groups("lecture-demo", groups, sizeof groups / sizeof groups[0], NULL);
}
