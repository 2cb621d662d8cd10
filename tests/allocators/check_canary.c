/*
 * check_canary.c — the footer canary demo (harness/lecture/canary.c) tells
 * the truth about one allocator, and writes that stay inside a payload
 * never abort. Built once per allocator (canary/NAME), with the path of
 * that allocator's dmm-canary-NAME in DMM_CANARY_DEMO.
 *
 * The demo's output is the claim; this suite re-makes each of its cases
 * from what the demo printed (the string, malloc's argument), runs it in a
 * child of its own with stderr kept (capture.h), and checks the demo's
 * result line against what happened here:
 *   "NAME caught it at free: MSG"   the child died of SIGABRT and said MSG,
 *                                   which names the allocator, free(), and
 *                                   the header's and the footer's sizes;
 *   "NAME did not notice: ..."      the child's free returned, silent;
 *   "NAME crashed at free: signal N" the child died of signal N.
 * Which allocators must catch the overruns is tests/canary.cmake's
 * business (canary/catchers), not this file's: here, whatever the demo
 * says must be what happens.
 */
#define _POSIX_C_SOURCE 200809L /* popen, pclose */

#include "dmm.h"

#include "capture.h"
#include "testlib.h"

#include <check.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <sys/wait.h>

#ifndef DMM_CANARY_DEMO
#error "DMM_CANARY_DEMO: the path of dmm-canary-NAME (tests/canary.cmake)"
#endif

#define CASES_MAX 8        /* the demo prints 3 */
#define NEIGHBOUR_BYTES 32 /* the demo's a and b */

/* One case as the demo printed it. */
struct demo_case {
    char name[128];    /* the string strcpy copies */
    size_t request;    /* malloc's argument for s */
    char result[1024]; /* the line after "result: " */
};

static struct demo_case cases[CASES_MAX];
static size_t case_count;

/* Runs the demo and reads its cases; fails the test on output it cannot read. */
static void read_demo(void)
{
    FILE *demo = popen(DMM_CANARY_DEMO, "r");
    ck_assert_msg(demo != NULL, "cannot run %s", DMM_CANARY_DEMO);
    char line[2048];
    case_count = 0;
    struct demo_case *c = NULL;
    while (fgets(line, sizeof line, demo) != NULL) {
        line[strcspn(line, "\n")] = '\0';
        const char *name = strstr(line, "char *name = \"");
        const char *s = strstr(line, "*s = malloc(");
        const char *result = strstr(line, "   result: ");
        if (name != NULL) {
            ck_assert_msg(case_count < CASES_MAX, "more than %d cases in the demo", CASES_MAX);
            c = &cases[case_count++];
            memset(c, 0, sizeof *c);
            name += strlen("char *name = \"");
            size_t length = strcspn(name, "\"");
            ck_assert_msg(length < sizeof c->name, "a name too long: %s", line);
            memcpy(c->name, name, length);
        } else if (s != NULL && c != NULL) {
            s += strlen("*s = malloc(");
            c->request = strncmp(s, "strlen(name)", 12) == 0 ? strlen(c->name)
                                                              : strtoull(s, NULL, 10);
            ck_assert_msg(c->request > 0, "cannot read malloc's argument: %s", line);
        } else if (result != NULL && c != NULL) {
            snprintf(c->result, sizeof c->result, "%s", result + strlen("   result: "));
        }
    }
    int status = pclose(demo);
    ck_assert_msg(WIFEXITED(status) && WEXITSTATUS(status) == 0, "%s failed", DMM_CANARY_DEMO);
    ck_assert_msg(case_count >= 2, "%s printed %zu cases, expected at least 2", DMM_CANARY_DEMO,
                  case_count);
    for (size_t i = 0; i < case_count; i++)
        ck_assert_msg(cases[i].request > 0 && cases[i].result[0] != '\0',
                      "case %zu of the demo has no malloc or no result line", i + 1);
}

/* The case, as the demo's child makes it, from scratch. */
static void run_case(const void *arg)
{
    const struct demo_case *c = arg;
    dmm_reset();
    char *a = dmm_malloc(NEIGHBOUR_BYTES);
    char *s = dmm_malloc(c->request);
    char *b = dmm_malloc(NEIGHBOUR_BYTES);
    if (a == NULL || s == NULL || b == NULL)
        _exit(2);
    strcpy(s, c->name);
    dmm_free(s);
}

/* "NAME caught it at free: " etc., with this allocator's name. */
static int verdict_is(const char *result, const char *verdict, const char **rest)
{
    char prefix[128];
    snprintf(prefix, sizeof prefix, "%s %s", dmm_name(), verdict);
    if (strncmp(result, prefix, strlen(prefix)) != 0)
        return 0;
    *rest = result + strlen(prefix);
    return 1;
}

static void setup(void)
{
    dmm_reset();
}

/* ---- the demo's lines are what happened --------------------------------------- */

START_TEST(test_each_result_line_is_what_happens)
{
    read_demo();
    for (size_t i = 0; i < case_count; i++) {
        const struct demo_case *c = &cases[i];
        struct capture here;
        capture_run(run_case, c, &here);
        char ending[64];
        capture_ending(&here, ending, sizeof ending);
        const char *rest;
        if (verdict_is(c->result, "caught it at free: ", &rest)) {
            ck_assert_msg(capture_died_of(&here, SIGABRT),
                          "case %zu: the demo says \"%s\", but here the child %s", i + 1,
                          c->result, ending);
            ck_assert_msg(strcmp(rest, here.said) == 0,
                          "case %zu: the demo says\n  %s\nbut here the allocator said\n  %s",
                          i + 1, rest, here.said);
        } else if (verdict_is(c->result, "did not notice: ", &rest)) {
            ck_assert_msg(WIFEXITED(here.status) && WEXITSTATUS(here.status) == 0,
                          "case %zu: the demo says \"%s\", but here the child %s (%s)", i + 1,
                          c->result, ending, here.said);
            ck_assert_msg(here.said[0] == '\0', "case %zu: not noticed, but it said: %s", i + 1,
                          here.said);
        } else if (verdict_is(c->result, "crashed at free: signal ", &rest)) {
            ck_assert_msg(WIFSIGNALED(here.status) && WTERMSIG(here.status) == atoi(rest),
                          "case %zu: the demo says \"%s\", but here the child %s", i + 1,
                          c->result, ending);
        } else {
            ck_abort_msg("case %zu: a result line this test does not know: %s", i + 1,
                         c->result);
        }
    }
}
END_TEST

/* ---- caught: the message, and the death, of an overrun into the footer ------- */

/* What the allocator said when the demo says it caught the overrun: it
 * names itself, free(), and the header's and the footer's sizes. */
START_TEST(test_a_caught_overrun_names_the_sizes)
{
    read_demo();
    for (size_t i = 0; i < case_count; i++) {
        const char *rest;
        if (!verdict_is(cases[i].result, "caught it at free: ", &rest))
            continue;
        char own[64];
        snprintf(own, sizeof own, "%s: free(): ", dmm_name());
        ck_assert_msg(strncmp(rest, own, strlen(own)) == 0, "case %zu: \"%s\" does not start "
                      "with \"%s\"", i + 1, rest, own);
        size_t header, footer;
        const char *sizes = strstr(rest, "header size ");
        ck_assert_msg(sizes != NULL && sscanf(sizes, "header size %zu, footer size %zu", &header,
                                              &footer) == 2,
                      "case %zu: no \"header size N, footer size M\" in: %s", i + 1, rest);
        ck_assert_msg(header >= cases[i].request,
                      "case %zu: a header size of %zu for a %zu-byte request", i + 1, header,
                      cases[i].request);
    }
}
END_TEST

/* The same overruns die of SIGABRT under assert_dies_of, as the suites'
 * other dying tests do. */
static const struct demo_case *dying_case;

static void die_of_dying_case(void)
{
    if (freopen("/dev/null", "w", stderr) == NULL) /* the message is checked above */
        return;
    run_case(dying_case);
}

START_TEST(test_a_caught_overrun_dies_of_sigabrt)
{
    read_demo();
    for (size_t i = 0; i < case_count; i++) {
        const char *rest;
        if (!verdict_is(cases[i].result, "caught it at free: ", &rest))
            continue;
        dying_case = &cases[i];
        assert_dies_of(die_of_dying_case, SIGABRT);
    }
}
END_TEST

/* ---- writes inside the payload ------------------------------------------------- */

/* Every byte of every payload written, strings copied with their + 1,
 * blocks grown and shrunk: nothing aborts and the heap stays sound. */
START_TEST(test_writes_inside_the_payload_do_not_abort)
{
    static const char *const names[] = {"", "a", "Alan Mathison Turing (1912-1954)",
                                        "Augusta Ada King, Countess of Lovelace, 1815-52",
                                        "Barbara Liskov, 1939"};
    void *blocks[200];
    for (size_t n = 0; n < 200; n++) {
        blocks[n] = dmm_malloc(n);
        ck_assert_ptr_nonnull(blocks[n]);
        memset(blocks[n], 0x41, n);
    }
    for (size_t i = 0; i < sizeof names / sizeof names[0]; i++) {
        char *s = dmm_malloc(strlen(names[i]) + 1); /* the + 1 the lecture asks for */
        ck_assert_ptr_nonnull(s);
        strcpy(s, names[i]);
        s = dmm_realloc(s, 2 * strlen(names[i]) + 1);
        ck_assert_ptr_nonnull(s);
        memset(s, 0x42, 2 * strlen(names[i]) + 1);
        s = dmm_realloc(s, 3);
        ck_assert_ptr_nonnull(s);
        memset(s, 0x43, 3);
        dmm_free(s);
    }
    for (size_t n = 0; n < 200; n += 2)
        dmm_free(blocks[n]);
    ck_assert_heap_ok();
    for (size_t n = 1; n < 200; n += 2)
        dmm_free(blocks[n]);
    ck_assert_heap_ok();
}
END_TEST

int main(void)
{
    const struct test_group groups[] = {
        {"demo", {test_each_result_line_is_what_happens}},
        {"caught", {test_a_caught_overrun_names_the_sizes, test_a_caught_overrun_dies_of_sigabrt}},
        {"inside", {test_writes_inside_the_payload_do_not_abort}},
    };
    return run_test_groups("canary", groups, sizeof groups / sizeof groups[0], setup);
}
