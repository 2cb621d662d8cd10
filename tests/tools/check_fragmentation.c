/*
 * check_fragmentation.c — the split of the peak footprint into payload,
 * internal and external fragmentation, metadata, never-reused chunks and
 * unwalked bytes (harness/replay/measure.c), the chunk kinds of dmm.h that
 * feed it, the heap map's letters for them, and the chart that draws it.
 *
 * What must hold:
 *   - on every allocator and a few traces, the six parts add up to
 *     peak_footprint_bytes, and only gnu leaves bytes unwalked (its filler
 *     and epilogue, 16);
 *   - minimal and pad: the chunks of the freed blocks are never reused and
 *     counted as such, internal is the rounding of the live blocks, and the
 *     external part is 0 (minimal) or exactly pad's pad;
 *   - segregated: its page table and run leftovers are metadata (a page at
 *     least), and internal is exactly the rounding to the size classes;
 *   - list: internal is exactly the headers and rounding of the live blocks;
 *   - the heap map draws each kind with its own letter;
 *   - plots/peak-split.gp draws the report fixture, and names the column a
 *     results.csv of an older dmm-replay lacks.
 * Every expected figure is worked out here from the trace, by a model of
 * the allocator's chunk sizes written from its header comment, never taken
 * from what dmm-replay printed.
 */
#define _POSIX_C_SOURCE 200809L

#include "describe.h"
#include "replay_run.h"
#include "suite.h"
#include "testfile.h"

#include <check.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define TRACES DMM_SOURCE_DIR "/traces/"
#define ALLOCATORS "minimal,pad,list,dlist,bins,mmap,gnu,segregated"

static const char *const parts[] = {"at_peak_payload",  "at_peak_internal",
                                    "at_peak_external", "at_peak_metadata",
                                    "at_peak_never_reused", "at_peak_unwalked"};
#define PARTS (sizeof parts / sizeof parts[0])

/* ---- the split adds up ----------------------------------------------------- */

START_TEST(test_split_adds_up_on_every_allocator)
{
    struct run run = run_replay("-a", ALLOCATORS, "--repeat", "0", TRACES "random-random.trace",
                                TRACES "realloc-growth.trace", TRACES "first-fit-worst.trace",
                                TRACES "lecture-demo.trace", NULL);
    ck_assert_msg(run.status == 0, "exit %d:\n%s%s", run.status, run.out, run.err);
    ck_assert_uint_eq(run.rows, 8 * 4);
    for (size_t i = 0; i < run.rows; i++) {
        assert_ok(&run, i);
        const char *allocator = cell(&run, i, "allocator");
        double sum = 0.0;
        for (size_t p = 0; p < PARTS; p++)
            sum += number(&run, i, parts[p]);
        double footprint = number(&run, i, "peak_footprint_bytes");
        ck_assert_msg(sum == footprint, "%s on %s: the parts add up to %.0f, the footprint is %.0f",
                      allocator, cell(&run, i, "trace"), sum, footprint);
        ck_assert(number(&run, i, "at_peak_payload") <= number(&run, i, "peak_live_bytes"));
        double unwalked = number(&run, i, "at_peak_unwalked");
        ck_assert_msg(unwalked == (strcmp(allocator, "gnu") == 0 ? 16.0 : 0.0),
                      "%s on %s: %.0f bytes unwalked", allocator, cell(&run, i, "trace"),
                      unwalked);
        /* Only the lecture's two that never reuse have never-reused chunks;
         * only segregated keeps metadata apart. */
        int never_reuses = strcmp(allocator, "minimal") == 0 || strcmp(allocator, "pad") == 0;
        if (!never_reuses)
            ck_assert_msg(number(&run, i, "at_peak_never_reused") == 0.0, "%s", allocator);
        if (strcmp(allocator, "segregated") != 0)
            ck_assert_msg(number(&run, i, "at_peak_metadata") == 0.0, "%s", allocator);
    }
}
END_TEST

/* ---- a model of a trace's blocks ------------------------------------------------- */

#define MAX_IDS 32

/* A small trace in dmm's format, and what each allocator's model makes of
 * it. Every trace below ends with an op that moves the break, so the peak
 * footprint is reached at the last op and the live blocks at the peak are
 * those left at the end. */
struct model {
    size_t live[MAX_IDS];    /* requested bytes of each live block */
    int is_live[MAX_IDS];
    size_t payload;          /* requested bytes of the live blocks */
    size_t internal;         /* sum of chunk(size) - size over the live blocks */
    size_t never_reused;     /* chunks of the freed blocks (minimal, pad) */
    size_t handed_out;       /* every chunk handed out (minimal, pad) */
    size_t pad, brk;         /* pad's pad and break, as offsets from the heap start */
};

static size_t align16(size_t n)
{
    return (n + 15) / 16 * 16;
}

/* minimal.c and pad.c: a chunk is the request rounded up to 16 (16 for 0). */
static size_t chunk_minimal(size_t n)
{
    return n == 0 ? 16 : align16(n);
}

/* list.c: a 16-byte header, the payload rounded up to 16, 32 bytes at least. */
static size_t chunk_list(size_t n)
{
    size_t bytes = align16(n) + 16;
    return bytes < 32 ? 32 : bytes;
}

/* segregated.c's size classes: 16-byte steps up to 128, then 4 classes per
 * power of two up to 32768 (its header comment). */
static size_t chunk_segregated(size_t n)
{
    if (n <= 128)
        return n == 0 ? 16 : align16(n);
    size_t power = 128;
    while (power * 2 < n)
        power *= 2;
    size_t step = power / 4; /* n is in (power, 2 * power] */
    return (n + step - 1) / step * step;
}

/* pad.c: a chunk comes from the bottom of the pad; when the pad is too
 * small, the break moves up by the larger of what is missing and 8 KiB. */
static void pad_take(struct model *m, size_t chunk)
{
    if (chunk > m->brk - m->pad) {
        size_t missing = chunk - (m->brk - m->pad);
        m->brk += missing > 8192 ? missing : 8192;
    }
    m->pad += chunk;
}

/* Replays text (a, c, r, f lines) on the model: chunk(n) is the chunk a
 * request of n bytes gets. realloc is modelled as minimal's and pad's (a
 * new chunk, the old one freed); for list and segregated, which may resize
 * in place, only the live sizes matter to the figures compared. */
static struct model model_run(const char *text, size_t (*chunk)(size_t))
{
    struct model m = {.payload = 0};
    char kind;
    long id;
    size_t a, b;
    for (const char *line = text; *line != '\0';) {
        int fields = sscanf(line, " %c %ld %zu %zu", &kind, &id, &a, &b);
        ck_assert_msg(fields >= 2 && id >= 0 && id < MAX_IDS, "model: bad line %s", line);
        size_t size = kind == 'c' ? a * b : a;
        if ((kind == 'f' || kind == 'r') && m.is_live[id]) {
            m.never_reused += chunk(m.live[id]);
            m.is_live[id] = 0;
        }
        if (kind != 'f') {
            m.live[id] = size;
            m.is_live[id] = 1;
            m.handed_out += chunk(size);
            pad_take(&m, chunk(size));
        }
        line = strchr(line, '\n');
        ck_assert_ptr_nonnull(line);
        line++;
    }
    for (size_t i = 0; i < MAX_IDS; i++)
        if (m.is_live[i]) {
            m.payload += m.live[i];
            m.internal += chunk(m.live[i]) - m.live[i];
        }
    return m;
}

static void assert_figure(const struct run *run, size_t row, const char *column, size_t expected)
{
    double value = number(run, row, column);
    ck_assert_msg(value == (double)expected, "%s: %s is %.0f, the model says %zu",
                  cell(run, row, "allocator"), column, value, expected);
}

/* ---- minimal and pad: never reused --------------------------------------------- */

/* Frees, a zero-byte block, a calloc, a realloc (minimal and pad: a new
 * chunk), and a large last malloc that moves the break for both. */
static const char never_reused_trace[] = "a 0 100\n"
                                         "a 1 200\n"
                                         "a 2 1\n"
                                         "f 1\n"
                                         "a 3 0\n"
                                         "f 0\n"
                                         "c 4 3 10\n"
                                         "r 2 40\n"
                                         "a 5 9000\n";

START_TEST(test_minimal_and_pad_never_reuse)
{
    write_text("never.trace", never_reused_trace);
    struct run run = run_replay("-a", "minimal,pad", "--repeat", "0", in_scratch("never.trace"),
                                NULL);
    ck_assert_msg(run.status == 0, "exit %d:\n%s%s", run.status, run.out, run.err);
    ck_assert_uint_eq(run.rows, 2);
    struct model m = model_run(never_reused_trace, chunk_minimal);
    ck_assert_uint_gt(m.never_reused, 0); /* the trace frees: a test that can fail */
    for (size_t row = 0; row < 2; row++) {
        assert_ok(&run, row);
        assert_figure(&run, row, "at_peak_payload", m.payload);
        assert_figure(&run, row, "at_peak_internal", m.internal);
        assert_figure(&run, row, "at_peak_never_reused", m.never_reused);
        assert_figure(&run, row, "at_peak_metadata", 0);
    }
    /* minimal holds nothing free; pad's external fragmentation is its pad. */
    ck_assert_str_eq(cell(&run, 0, "allocator"), "minimal");
    assert_figure(&run, 0, "at_peak_external", 0);
    assert_figure(&run, 0, "peak_footprint_bytes", m.handed_out);
    assert_figure(&run, 1, "at_peak_external", m.brk - m.pad);
    assert_figure(&run, 1, "peak_footprint_bytes", m.brk);
}
END_TEST

/* Without a free, nothing is never reused: the live blocks' chunks are
 * told apart from the freed ones. */
START_TEST(test_nothing_freed_nothing_lost)
{
    static const char trace[] = "a 0 100\na 1 0\nc 2 5 5\na 3 9000\n";
    write_text("kept.trace", trace);
    struct run run = run_replay("-a", "minimal,pad", "--repeat", "0", in_scratch("kept.trace"),
                                NULL);
    ck_assert_int_eq(run.status, 0);
    struct model m = model_run(trace, chunk_minimal);
    for (size_t row = 0; row < 2; row++) {
        assert_figure(&run, row, "at_peak_never_reused", 0);
        assert_figure(&run, row, "at_peak_internal", m.internal);
    }
}
END_TEST

/* ---- segregated: metadata is not internal fragmentation ------------------------------- */

/* Classes of several sizes, frees, and a last malloc of the largest class,
 * whose run of 8 chunks (256 KiB) moves the break. No request is above
 * 32768, so no chunk has a mapping of its own. */
static const char segregated_trace[] = "a 0 1\n"
                                       "a 1 100\n"
                                       "a 2 130\n"
                                       "a 3 600\n"
                                       "f 1\n"
                                       "a 4 5000\n"
                                       "c 5 7 9\n"
                                       "f 3\n"
                                       "a 6 0\n"
                                       "a 7 30000\n";

START_TEST(test_segregated_metadata_apart)
{
    write_text("seg.trace", segregated_trace);
    struct run run = run_replay("-a", "segregated", "--repeat", "0", in_scratch("seg.trace"),
                                TRACES "random-random.trace", NULL);
    ck_assert_msg(run.status == 0, "exit %d:\n%s%s", run.status, run.out, run.err);
    struct model m = model_run(segregated_trace, chunk_segregated);
    assert_ok(&run, 0);
    assert_figure(&run, 0, "at_peak_payload", m.payload);
    assert_figure(&run, 0, "at_peak_internal", m.internal); /* the classes' rounding alone */
    for (size_t row = 0; row < 2; row++) {
        /* The page table is one page at least (256 entries of 16 bytes). */
        ck_assert_msg(number(&run, row, "at_peak_metadata") >= 4096.0, "%s: metadata %s",
                      cell(&run, row, "trace"), cell(&run, row, "at_peak_metadata"));
        assert_figure(&run, row, "at_peak_never_reused", 0);
    }
}
END_TEST

/* ---- list: headers and rounding ----------------------------------------------------- */

/* Every chunk size here is a multiple of 32, so every free chunk is too and
 * a split never leaves a remainder under list's 32-byte minimum to hand out
 * with the chunk: internal fragmentation is exactly sum(chunk - request)
 * over the live blocks, wherever first fit put them. The last malloc (a
 * 20032-byte chunk) does not fit in the 8 KiB the break moved by first. */
static const char list_trace[] = "a 0 1\n"
                                 "a 1 10\n"
                                 "a 2 16\n"
                                 "a 3 0\n"
                                 "a 4 33\n"
                                 "f 1\n"
                                 "a 5 48\n"
                                 "c 6 10 7\n"
                                 "a 7 200\n"
                                 "f 4\n"
                                 "r 2 1000\n"
                                 "a 8 80\n"
                                 "f 0\n"
                                 "a 9 20016\n";

START_TEST(test_list_internal_is_headers_and_rounding)
{
    write_text("list.trace", list_trace);
    struct run run = run_replay("-a", "list", "--repeat", "0", in_scratch("list.trace"), NULL);
    ck_assert_msg(run.status == 0, "exit %d:\n%s%s", run.status, run.out, run.err);
    assert_ok(&run, 0);
    struct model m = model_run(list_trace, chunk_list);
    assert_figure(&run, 0, "at_peak_payload", m.payload);
    assert_figure(&run, 0, "at_peak_internal", m.internal);
    assert_figure(&run, 0, "at_peak_metadata", 0);
    assert_figure(&run, 0, "at_peak_never_reused", 0);
    /* The rest of the heap section is free: external fragmentation. */
    assert_figure(&run, 0, "at_peak_external",
                  (size_t)number(&run, 0, "peak_footprint_bytes") - m.payload - m.internal);
}
END_TEST

/* ---- the heap map's letters ------------------------------------------------------------ */

START_TEST(test_row_letters)
{
    struct describe_row row;
    describe_row_start(&row, 8);
    const struct dmm_chunk_info chunks[] = {
        {.start = NULL, .size = 80},
        {.start = NULL, .size = 8112, .is_free = 1},
        {.start = NULL, .size = 4096, .header_bytes = 4096, .kind = DMM_CHUNK_METADATA},
        {.start = NULL, .size = 64, .kind = DMM_CHUNK_NEVER_REUSED},
        {.start = NULL, .size = 16, .kind = (enum dmm_chunk_kind)7},
    };
    for (size_t i = 0; i < sizeof chunks / sizeof chunks[0]; i++)
        describe_row_chunk(&chunks[i], &row);
    ck_assert_str_eq(describe_row_end(&row), "[A 80][F 8112][M 4096][N 64][? 16]");
    /* A walk written before the kinds (it sets .is_free only) is drawn as it was. */
    struct dmm_chunk_info old = {.start = NULL, .size = 48, .header_bytes = 16, .is_free = 1};
    describe_row_start(&row, 8);
    describe_row_chunk(&old, &row);
    ck_assert_str_eq(describe_row_end(&row), "[F 48]");
}
END_TEST

START_TEST(test_heap_map_shows_the_kinds)
{
    struct run run = run_replay("-a", "minimal,pad,segregated", "--repeat", "0", "--heap-map",
                                TRACES "lecture-demo.trace", NULL);
    ck_assert_msg(run.status == 0, "exit %d:\n%s%s", run.status, run.out, run.err);
    /* minimal's heap is one never-reused region; pad's has the pad above
     * it; segregated's page table (and its first run's leftover) is metadata. */
    assert_contains(run.out, "heap: [N 48]\n");
    assert_contains(run.out, "heap: [N 48][F 8144]\n");
    assert_contains(run.out, "[M 4096]\n");
    ck_assert_msg(strstr(run.out, "heap: [A 48][F 4032][M 16]") != NULL,
                  "segregated's first run's leftover is not metadata:\n%s", run.out);
}
END_TEST

/* ---- the chart ------------------------------------------------------------------------- */

/* Runs command with sh; returns its exit status (-1: not run). */
static int shell(const char *command)
{
    int status = system(command);
    return status == -1 || !WIFEXITED(status) ? -1 : WEXITSTATUS(status);
}

START_TEST(test_chart_draws_and_names_an_old_column)
{
    if (shell("command -v gnuplot >/dev/null 2>&1") != 0) {
        fputs("check_fragmentation: gnuplot not installed, peak-split.gp not run\n", stderr);
        return;
    }
    char command[2048];
    const char *dir = in_scratch("report");
    snprintf(command, sizeof command,
             "cp -r '%s/tests/support/report-fixture' '%s' && "
             "gnuplot -e \"dir='%s'\" '%s/plots/peak-split.gp' 2>'%s'",
             DMM_SOURCE_DIR, dir, dir, DMM_SOURCE_DIR, in_scratch("plot.err"));
    int status = shell(command);
    char *err = test_read_file(in_scratch("plot.err"), NULL);
    ck_assert_msg(status == 0 && err != NULL && err[0] == '\0', "peak-split.gp: exit %d:\n%s",
                  status, err ? err : "");
    free(err);
    const char *written[] = {"report/peak-split.png", "report/peak-split.svg"};
    for (size_t i = 0; i < 2; i++) {
        size_t length = 0;
        char *chart = test_read_file(in_scratch(written[i]), &length);
        ck_assert_msg(chart != NULL && length > 1000, "%s is missing or empty", written[i]);
        free(chart);
    }
    /* A results.csv from before the split was renamed: a message naming it. */
    snprintf(command, sizeof command,
             "sed -i '1s/at_peak_internal/at_peak_overhead/' '%s/results.csv' && "
             "gnuplot -e \"dir='%s'\" '%s/plots/peak-split.gp' 2>'%s'",
             dir, dir, DMM_SOURCE_DIR, in_scratch("plot.err"));
    ck_assert_int_ne(shell(command), 0);
    err = test_read_file(in_scratch("plot.err"), NULL);
    ck_assert_ptr_nonnull(err);
    assert_contains(err, "has no column at_peak_internal");
    free(err);
}
END_TEST

int main(void)
{
    const struct test_group groups[] = {
        {"the split", {test_split_adds_up_on_every_allocator, test_minimal_and_pad_never_reuse,
                       test_nothing_freed_nothing_lost, test_segregated_metadata_apart,
                       test_list_internal_is_headers_and_rounding}},
        {"the heap map", {test_row_letters, test_heap_map_shows_the_kinds}},
        {"the chart", {test_chart_draws_and_names_an_old_column}},
    };
    return run_test_groups_fixture("harness/fragmentation", groups,
                                   sizeof groups / sizeof groups[0], scratch_setup,
                                   scratch_teardown);
}
