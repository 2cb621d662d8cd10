/*
 * check_debugging.c — a student's debugging loop (docs/debugging.md), run
 * through dmm-replay as a subprocess against breaks (support/modules/
 * breaks.c): a bump allocator whose 17th free plants a bad link that only
 * its heap checker sees.
 *
 *   - the default run fails at the last op (the only check), and the
 *     re-run with a check after every op names the 17th free: the op this
 *     test planted, found by writing the trace here and counting;
 *   - --check-every 1 names it directly, with no re-run;
 *   - --foreground fails the same way with the same message, and refuses
 *     more than one pair;
 *   - --heap-map on the failing check shows exactly the chunks walked
 *     before the broken one, and the checker's words;
 *   - --policy reaches the module (it says on stderr what it saw), labels
 *     the rows, and a choice the module does not offer (or a module with
 *     no policies) is refused with the parser's message, exit 2;
 *   - a crash is re-run too.
 * Stale modules are tests/tools/stale_module.sh's (harness/stale-module).
 */
#include "replay_run.h"

#include "suite.h"

#include <check.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define LONG_OPS 3000
#define PLANTED_FREE 17 /* breaks.c's BREAK_AT */

/* Where the trace put the planted free, counted while it was written. */
struct planted {
    unsigned op, line, id; /* 1-based op and line; the ID it frees */
    unsigned chunks_below; /* chunks allocated before that ID's: the walk reaches these */
    unsigned last_op, last_line;
};

/* A long trace: IDs allocated in order, sizes 1..300, and every third op
 * frees a live ID picked by a fixed LCG (so blocks below the broken one
 * stay live and keep their chunks). Written to the scratch folder as
 * long.trace. */
static struct planted write_long_trace(void)
{
    static char text[LONG_OPS * 16 + 64];
    size_t used = (size_t)snprintf(text, sizeof text, "# check_debugging: breaks' 17th free\n");
    unsigned live[LONG_OPS], live_count = 0, next_id = 0, frees = 0, line = 1;
    unsigned long long lcg = 12345;
    struct planted p = {0};
    for (unsigned op = 1; op <= LONG_OPS; op++) {
        line++;
        lcg = lcg * 6364136223846793005ull + 1442695040888963407ull;
        if (op % 3 == 0 && live_count > 0) {
            unsigned k = (unsigned)(lcg >> 33) % live_count;
            unsigned id = live[k];
            live[k] = live[--live_count];
            used += (size_t)snprintf(text + used, sizeof text - used, "f %u\n", id);
            if (++frees == PLANTED_FREE)
                p = (struct planted){op, line, id, id, 0, 0};
        } else {
            live[live_count++] = next_id;
            used += (size_t)snprintf(text + used, sizeof text - used, "a %u %u\n", next_id++,
                                     (unsigned)(lcg >> 40) % 300 + 1);
        }
    }
    p.last_op = LONG_OPS;
    p.last_line = line;
    write_text("long.trace", text);
    return p; /* chunks_below = id: IDs are allocated in order, one chunk each */
}

static const char *message_of(const struct run *run)
{
    ck_assert_uint_eq(run->rows, 1);
    return cell(run, 0, "message");
}

/* "line L, op #N (free id I): the heap checker says: chunk at" */
static void planted_words(const struct planted *p, char *text, size_t size)
{
    snprintf(text, size, "line %u, op #%u (free id %u): the heap checker says: chunk at ",
             p->line, p->op, p->id);
}

/* ---- the re-run names the planted op ------------------------------------------- */

START_TEST(test_rerun_names_first_bad_op)
{
    struct planted p = write_long_trace();
    ck_assert_uint_gt(p.op, 0);
    struct run run = run_replay("-a", MODULE("breaks"), "--repeat", "0", in_scratch("long.trace"),
                                NULL);
    ck_assert_int_eq(run.status, 1);
    ck_assert_str_eq(cell(&run, 0, "status"), "fail");
    const char *message = message_of(&run);
    /* The first pass: blamed on the last op, where its only check ran. */
    char expected[256];
    snprintf(expected, sizeof expected, "breaks on long line %u, op #%u ", p.last_line, p.last_op);
    ck_assert_msg(strncmp(message, expected, strlen(expected)) == 0, "'%s' does not start '%s'",
                  message, expected);
    /* The re-run: the planted free. */
    char planted[256], sentence[400];
    planted_words(&p, planted, sizeof planted);
    snprintf(sentence, sizeof sentence,
             "; re-run with a check after every operation: the first failure is at %s", planted);
    assert_contains(message, sentence);
    /* The next step is said once on stderr. */
    assert_contains(run.err, "--foreground -a NAME TRACE (docs/debugging.md)");
}
END_TEST

START_TEST(test_check_every_one_needs_no_rerun)
{
    struct planted p = write_long_trace();
    struct run run = run_replay("-a", MODULE("breaks"), "--repeat", "0", "--check-every", "1",
                                in_scratch("long.trace"), NULL);
    ck_assert_int_eq(run.status, 1);
    const char *message = message_of(&run);
    char planted[256], expected[320];
    planted_words(&p, planted, sizeof planted);
    snprintf(expected, sizeof expected, "breaks on long %s", planted);
    ck_assert_msg(strncmp(message, expected, strlen(expected)) == 0, "'%s' does not start '%s'",
                  message, expected);
    ck_assert_msg(strstr(message, "re-run") == NULL, "re-run although checked: %s", message);
    /* --checked walks the heap around every op: no re-run either. */
    run = run_replay("-a", MODULE("breaks"), "--checked", in_scratch("long.trace"), NULL);
    ck_assert_int_eq(run.status, 1);
    message = message_of(&run);
    ck_assert_msg(strncmp(message, expected, strlen(expected)) == 0, "'%s' does not start '%s'",
                  message, expected);
    ck_assert_msg(strstr(message, "re-run") == NULL, "re-run although checked: %s", message);
}
END_TEST

START_TEST(test_crash_is_rerun)
{
    struct run run = run_replay("-a", MODULE("crash"), "--repeat", "0",
                                in_scratch("tricky.trace"), NULL);
    ck_assert_int_eq(run.status, 1);
    const char *message = message_of(&run);
    ck_assert_str_eq(cell(&run, 0, "status"), "crash");
    assert_contains(message, "crashed with SIGSEGV");
    /* crash's checker finds nothing: the re-run says so, and does not
     * pretend the crash came earlier. */
    assert_contains(message, "; re-run with a check after every operation: nothing is found "
                             "wrong before this op");
}
END_TEST

/* ---- --foreground ------------------------------------------------------------------ */

START_TEST(test_foreground_same_message)
{
    write_long_trace();
    struct run forked = run_replay("-a", MODULE("breaks"), "--repeat", "0",
                                   in_scratch("long.trace"), NULL);
    struct run here = run_replay("--foreground", "-a", MODULE("breaks"),
                                 in_scratch("long.trace"), NULL);
    ck_assert_int_eq(here.status, 1);
    ck_assert_str_eq(cell(&here, 0, "status"), "fail");
    /* The simulated heap section sits at the same address in every
     * process, so even the addresses in the messages agree. */
    ck_assert_str_eq(message_of(&here), message_of(&forked));
}
END_TEST

START_TEST(test_foreground_one_pair_only)
{
    write_long_trace();
    struct run run = run_replay("--foreground", "-a", MODULE("breaks") "," MODULE("bump"),
                                in_scratch("long.trace"), NULL);
    ck_assert_int_eq(run.status, 2);
    assert_contains(run.err, "--foreground runs one pair, and 2 allocators x 1 trace are given");
    run = run_replay("--foreground", "-a", MODULE("bump"), in_scratch("long.trace"),
                     in_scratch("tricky.trace"), NULL);
    ck_assert_int_eq(run.status, 2);
    assert_contains(run.err, "1 allocator x 2 traces are given");
    run = run_replay("--foreground", "--repeat", "3", "-a", MODULE("bump"),
                     in_scratch("tricky.trace"), NULL);
    ck_assert_int_eq(run.status, 2);
    assert_contains(run.err, "--foreground runs one pair in this process, for a debugger");
    /* A good module passes in the foreground too. */
    run = run_replay("--foreground", "-a", "list", in_scratch("tricky.trace"), NULL);
    ck_assert_int_eq(run.status, 0);
    assert_ok(&run, 0);
}
END_TEST

/* ---- --heap-map on a failing check -------------------------------------------------- */

START_TEST(test_heap_map_keeps_partial_walk)
{
    struct planted p = write_long_trace();
    struct run run = run_replay("-a", MODULE("breaks"), "--repeat", "0", "--heap-map",
                                in_scratch("long.trace"), NULL);
    ck_assert_int_eq(run.status, 1);
    /* The op's -v line, then its walk. */
    char op_line[64];
    snprintf(op_line, sizeof op_line, "#%u line %u: f %u ", p.op, p.line, p.id);
    const char *at = strstr(run.out, op_line);
    ck_assert_msg(at != NULL, "no line '%s' in:\n%.2000s", op_line, run.out);
    const char *row = strstr(at, "    heap: ");
    ck_assert_ptr_nonnull(row);
    const char *end = strchr(row, '\n');
    ck_assert_ptr_nonnull(end);
    char text[4096];
    snprintf(text, sizeof text, "%.*s", (int)(end - row), row);
    ck_assert_msg(strstr(text, "(empty)") == NULL, "%s", text);
    assert_contains(text, " | the walk stopped here: the heap checker says: chunk at ");
    /* Exactly the chunks below the broken one, each drawn (at most 16). */
    unsigned drawn = 0;
    for (const char *c = text; (c = strstr(c, "[A ")) != NULL; c++)
        drawn++;
    unsigned shown = p.chunks_below < 16 ? p.chunks_below : 16;
    ck_assert_uint_eq(drawn, shown);
    if (p.chunks_below > 16) {
        char more[48];
        snprintf(more, sizeof more, " ... %u more |", p.chunks_below - 16);
        assert_contains(text, more);
    }
    /* --heap-map checks after every op: the failure is the planted op's. */
    char planted[256];
    planted_words(&p, planted, sizeof planted);
    assert_contains(message_of(&run), planted);
}
END_TEST

/* ---- --policy ------------------------------------------------------------------------ */

START_TEST(test_policy_reaches_the_module)
{
    struct run run = run_replay("-a", MODULE("breaks"), "--repeat", "1", "--policy",
                                "fit=best,order=lifo", in_scratch("small.rep"), NULL);
    ck_assert_int_eq(run.status, 0);
    assert_ok(&run, 0);
    /* Seen by the module, in the checking pass and the timing run. */
    assert_contains(run.err, "breaks: DMM_POLICY is \"fit=best,order=lifo\", dmm_policy() says "
                             "fit=best,order=lifo");
    /* The row says which variant it is. */
    ck_assert_str_eq(cell(&run, 0, "allocator"), MODULE("breaks") " fit=best,order=lifo");
    /* Only the part given changes: the module's default for the rest. */
    run = run_replay("--foreground", "-a", MODULE("breaks"), "--policy", "order=lifo",
                     in_scratch("small.rep"), NULL);
    ck_assert_int_eq(run.status, 0);
    assert_contains(run.err, "dmm_policy() says fit=first,order=lifo");
}
END_TEST

START_TEST(test_policy_refused)
{
    struct run run = run_replay("-a", MODULE("breaks"), "--repeat", "0", "--policy", "fit=worst",
                                in_scratch("small.rep"), NULL);
    ck_assert_int_eq(run.status, 2);
    assert_contains(run.err, "breaks: policy \"fit=worst\": fit=worst is not offered; this "
                             "allocator offers first, best");
    run = run_replay("-a", MODULE("breaks"), "--repeat", "0", "--policy", "fits=best",
                     in_scratch("small.rep"), NULL);
    ck_assert_int_eq(run.status, 2);
    assert_contains(run.err, "\"fits=best\" is not fit=... or order=...");
    run = run_replay("-a", MODULE("bump"), "--repeat", "0", "--policy", "fit=best",
                     in_scratch("small.rep"), NULL);
    ck_assert_int_eq(run.status, 2);
    assert_contains(run.err, "bump has no placement policies");
    run = run_replay("-a", MODULE("bump"), "--policy", "", in_scratch("small.rep"), NULL);
    ck_assert_int_eq(run.status, 2);
}
END_TEST

int main(void)
{
    const struct test_group groups[] = {
        {"first bad op", {test_rerun_names_first_bad_op, test_check_every_one_needs_no_rerun,
                          test_crash_is_rerun}},
        {"foreground", {test_foreground_same_message, test_foreground_one_pair_only}},
        {"heap map", {test_heap_map_keeps_partial_walk}},
        {"policy", {test_policy_reaches_the_module, test_policy_refused}},
    };
    return run_test_groups_fixture("harness/debugging", groups, sizeof groups / sizeof groups[0],
                                   scratch_setup, scratch_teardown);
}
