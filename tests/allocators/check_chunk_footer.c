/*
 * check_chunk_footer.c — the footer check at free and realloc
 * (allocators/chunk.h: chunk_check_footer, the canary) through dlist and
 * bins (chunk_footer/dlist, chunk_footer/bins): each kind of damage is
 * reported by its own message, naming the allocator, the call, the block
 * and the header's and footer's sizes, then abort(); what stays inside the
 * payload is never reported; dmm_check sees a broken canary as invariant 3.
 *
 * The chunk is read here from the lecture's drawing, as check_chunk.c does:
 * a 32-byte request gets a 64-byte chunk, 16 bytes of header before the
 * payload and 16 of footer after it, the canary first, then the size.
 */
#define _POSIX_C_SOURCE 200809L

#include "dmm.h"

#include "capture.h"
#include "testlib.h"

#include <check.h>
#include <signal.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#define REQUEST 32 /* bytes: the payload ends right at the footer */
#define CHUNK 64   /* bytes of its chunk */

/* What a child does: the damage, then the call that must notice it. */
struct damage {
    size_t past;       /* bytes written after the REQUEST-byte payload of s */
    int below;         /* write them after a, the block below s, instead */
    int twice;         /* free s twice (no overrun) */
    int by_realloc;    /* the call is realloc(s, 2 * REQUEST), not free(s) */
};

static void damage_then_free(const void *arg)
{
    const struct damage *d = arg;
    dmm_reset();
    char *a = dmm_malloc(REQUEST), *s = dmm_malloc(REQUEST), *b = dmm_malloc(REQUEST);
    if (a == NULL || s == NULL || b == NULL)
        _exit(2);
    memset(d->below ? a + REQUEST : s + REQUEST, 'x', d->past);
    if (d->twice)
        dmm_free(s);
    if (d->by_realloc)
        (void)dmm_realloc(s, 2 * REQUEST);
    else
        dmm_free(s);
}

/* Runs the damage; asserts SIGABRT and a message starting with
 * "NAME: CALL(): " that holds `expect`. Returns the message. */
static const char *assert_reported(const struct damage *d, const char *call, const char *expect,
                                   struct capture *out)
{
    capture_run(damage_then_free, d, out);
    char ending[64], start[64];
    ck_assert_msg(capture_died_of(out, SIGABRT), "%zu bytes past: the child %s; it said: %s",
                  d->past, capture_ending(out, ending, sizeof ending), out->said);
    snprintf(start, sizeof start, "%s: %s(): ", dmm_name(), call);
    ck_assert_msg(strncmp(out->said, start, strlen(start)) == 0, "no \"%s\" in: %s", start,
                  out->said);
    ck_assert_msg(strstr(out->said, expect) != NULL, "no \"%s\" in: %s", expect, out->said);
    ck_assert_msg(strchr(out->said, '\n') == NULL, "more than one line: %s", out->said);
    return out->said;
}

static void setup(void)
{
    dmm_reset();
}

/* ---- the canary: 1 to 8 bytes past ------------------------------------------ */

START_TEST(test_one_to_eight_bytes_past_break_the_canary)
{
    for (size_t past = 1; past <= 8; past++) {
        struct capture out;
        struct damage d = {.past = past};
        assert_reported(&d, "free", "footer canary overwritten", &out);
        char reach[64];
        snprintf(reach, sizeof reach, "a write reached %zu byte%s past the end", past,
                 past == 1 ? "" : "s");
        ck_assert_msg(strstr(out.said, reach) != NULL, "no \"%s\" in: %s", reach, out.said);
        ck_assert_msg(strstr(out.said, "header size 64, footer size 64") != NULL,
                      "the sizes are not named: %s", out.said);
        ck_assert_msg((strstr(out.said, "without the + 1") != NULL) == (past == 1),
                      "the strcpy hint %s for %zu bytes: %s", past == 1 ? "missing" : "given",
                      past, out.said);
    }
}
END_TEST

/* ---- the size word: 9 to 16 bytes past -------------------------------------- */

START_TEST(test_nine_or_more_bytes_past_change_the_footer_size)
{
    for (size_t past = 9; past <= 16; past++) {
        struct capture out;
        struct damage d = {.past = past};
        assert_reported(&d, "free", "invalid footer size", &out);
        size_t header, footer;
        const char *sizes = strstr(out.said, "header size ");
        ck_assert_msg(sizes != NULL && sscanf(sizes, "header size %zu, footer size %zu",
                                              &header, &footer) == 2, "no sizes in: %s",
                      out.said);
        ck_assert_uint_eq(header, CHUNK);
        size_t expected = CHUNK; /* the size word, little-endian, its low bytes now 'x' */
        memset(&expected, 'x', past - 8);
        ck_assert_uint_eq(footer, expected);
    }
}
END_TEST

/* ---- the other damage free finds on the way --------------------------------- */

START_TEST(test_realloc_checks_the_footer_too)
{
    struct capture out;
    struct damage d = {.past = 1, .by_realloc = 1};
    assert_reported(&d, "realloc", "footer canary overwritten", &out);
}
END_TEST

START_TEST(test_a_header_written_over_from_below_is_an_invalid_size)
{
    /* a's 32 bytes, a's footer (16), then s's size word (8) */
    struct capture out;
    struct damage d = {.past = 16 + 8, .below = 1};
    assert_reported(&d, "free", "invalid size", &out);
    ck_assert_msg(strstr(out.said, "0x7878787878787878") != NULL, "the size word is not "
                  "shown: %s", out.said);
}
END_TEST

START_TEST(test_a_double_free_is_told_apart)
{
    struct capture out;
    struct damage d = {.twice = 1};
    assert_reported(&d, "free", "double free or corruption", &out);
}
END_TEST

/* ---- what the footer cannot see, and what it must never see ------------------ */

START_TEST(test_the_alignment_filler_is_not_watched)
{
    char *s = dmm_malloc(20); /* a 32-byte payload: 12 bytes of filler */
    memset(s, 'x', 32);
    dmm_free(s); /* returns: nothing to see */
    ck_assert_heap_ok();
}
END_TEST

START_TEST(test_healthy_blocks_keep_their_canary)
{
    /* Every way a chunk becomes allocated or changes size while allocated:
     * a fresh chunk, a reused one, a split, realloc growing into its
     * neighbour and shrinking in place, calloc. dmm_check walks every
     * allocated chunk's canary (invariant 3) after each. */
    char *p = dmm_malloc(100), *q = dmm_malloc(200);
    memset(p, 0xff, 100), memset(q, 0xff, 200);
    ck_assert_heap_ok();
    dmm_free(q);
    p = dmm_realloc(p, 250); /* grows into q's chunk */
    memset(p, 0xff, 250);
    ck_assert_heap_ok();
    p = dmm_realloc(p, 40); /* shrinks in place */
    memset(p, 0xff, 40);
    ck_assert_heap_ok();
    char *r = dmm_calloc(3, 17);
    ck_assert_heap_ok();
    dmm_free(p), dmm_free(r);
    ck_assert_heap_ok();
}
END_TEST

START_TEST(test_the_checker_sees_a_broken_canary)
{
    char *s = dmm_malloc(REQUEST);
    s[REQUEST] = '\0'; /* the missing + 1 */
    const char *problem = dmm_check(NULL, NULL);
    ck_assert_ptr_nonnull(problem);
    ck_assert_msg(strstr(problem, "invariant 3") != NULL && strstr(problem, "canary") != NULL,
                  "not invariant 3's canary: %s", problem);
    s[REQUEST] = (char)0xfd; /* mended: the heap is sound again */
    ck_assert_heap_ok();
}
END_TEST

int main(void)
{
    const struct test_group groups[] = {
        {"canary", {test_one_to_eight_bytes_past_break_the_canary,
                    test_nine_or_more_bytes_past_change_the_footer_size}},
        {"damage", {test_realloc_checks_the_footer_too,
                    test_a_header_written_over_from_below_is_an_invalid_size,
                    test_a_double_free_is_told_apart}},
        {"quiet", {test_the_alignment_filler_is_not_watched,
                   test_healthy_blocks_keep_their_canary, test_the_checker_sees_a_broken_canary}},
    };
    return run_test_groups("chunk_footer", groups, sizeof groups / sizeof groups[0], setup);
}
