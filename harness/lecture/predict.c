/*
 * predict.c — predict, then reveal: a trace (or the lecture's demo
 * sequence) on one allocator, one operation at a time; before each, the
 * student says what the allocator will do, then sees what it did.
 *
 *   dmm-predict-NAME [--ask LIST] [--answers FILE | --reveal] [--from N] [TRACE]
 *
 * Built once per allocator, like the demo (dmm-predict-list, ...). Each
 * step prints the operation, asks the questions of --ask (predict.h: where,
 * steps, coalesce), runs the operation, reveals each right answer with the
 * figures it was read from, and draws the new heap map, its chunks numbered
 * for the next question. At the end, a score line. Answers come from the
 * terminal (a malformed one is asked again; end of input ends the session
 * with the score so far), from --answers FILE (checked whole before the
 * first operation: a bad line stops everything with FILE:LINE), or not at
 * all with --reveal (the answer key, for instructors and for the tests).
 *
 * The right answers are read off the allocator's own actions (predict.h
 * says how), so they hold for any allocator and any DMM_POLICY.
 *
 * Exit status: 0 the session ran (whatever the score, also when the input
 * ended early); 1 the heap checker found a broken invariant; 2 a usage
 * error, a trace that does not parse, a bad answers file, or a DMM_POLICY
 * that is no policy.
 * docs/predict.md is the manual; docs/exercises.md the exercises.
 */
#define _POSIX_C_SOURCE 200809L /* getline */

#include "dmm.h"

#include "describe.h"
#include "lecture_demo.h"
#include "policy.h"
#include "predict.h"
#include "trace.h"

#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

/* An allocator with placement policies (allocators/policy.h) names the one
 * it uses; the others leave the symbol out, hence weak. */
const char *dmm_policy(void) __attribute__((weak));

/* The letters of the heap map, printed once (describe.h); the kinds that
 * every allocator draws, for a describe.h without the legend. */
#ifndef DESCRIBE_ROW_LEGEND
#define DESCRIBE_ROW_LEGEND "[A n] allocated chunk of n bytes, [F n] free chunk (or the pad)"
#endif

#define ASK_WHERE (1u << PREDICT_WHERE)
#define ASK_STEPS (1u << PREDICT_STEPS)
#define ASK_COALESCE (1u << PREDICT_COALESCE)

static const char usage[] =
    "usage: %s [--ask LIST] [--answers FILE | --reveal] [--from N] [TRACE]\n"
    "  Replays TRACE (dmm's trace format; without it, the lecture's demo sequence)\n"
    "  one operation at a time: asks what the allocator will do, then shows it.\n"
    "  --ask LIST      questions, separated by commas (default: where):\n"
    "                    where     which chunk malloc/calloc/realloc carves the block from\n"
    "                    steps     how many chunks the call examines\n"
    "                    coalesce  whether free merges the chunk with its neighbours\n"
    "                    both = where,steps   all = where,steps,coalesce\n"
    "  --answers FILE  answers from FILE, one a line ('#' comments), not the terminal\n"
    "  --reveal        ask nothing: print every right answer (the answer key)\n"
    "  --from N        ask from operation N on (the ones before run silently)\n"
    "Exit status: 0 done (also when the input ends early), 1 the heap checker\n"
    "failed, 2 bad usage, trace, answers file or DMM_POLICY. See docs/predict.md.\n";

/* The session: what was asked for, and the score. */
static struct {
    const char *program;
    unsigned ask;                      /* ASK_* bits */
    const char *ask_text;              /* --ask as given */
    int reveal;                        /* --reveal */
    struct predict_answers answers;    /* --answers FILE; path NULL: the terminal */
    size_t from;                       /* first operation asked about, from 1 */
    size_t asked[PREDICT_QUESTIONS];   /* questions answered, per question */
    size_t right[PREDICT_QUESTIONS];   /* of which right */
    char *input;                       /* the terminal's last line (getline's buffer) */
    size_t input_size;
} session = {.ask = ASK_WHERE, .ask_text = "where", .from = 1};

__attribute__((format(printf, 1, 2), noreturn))
static void fail_usage(const char *format, ...)
{
    va_list args;
    va_start(args, format);
    fprintf(stderr, "%s: ", session.program);
    vfprintf(stderr, format, args);
    va_end(args);
    fputc('\n', stderr);
    exit(2);
}

/* --ask's list into ASK_* bits. */
static unsigned parse_ask(const char *list)
{
    unsigned ask = 0;
    const char *word = list;
    while (*word != '\0') {
        size_t length = strcspn(word, ",");
        int known = 0;
        for (int q = 0; q < PREDICT_QUESTIONS; q++)
            if (strlen(predict_question_names[q]) == length &&
                strncmp(word, predict_question_names[q], length) == 0)
                ask |= 1u << q, known = 1;
        if (length == 4 && strncmp(word, "both", 4) == 0)
            ask |= ASK_WHERE | ASK_STEPS, known = 1;
        if (length == 3 && strncmp(word, "all", 3) == 0)
            ask |= ASK_WHERE | ASK_STEPS | ASK_COALESCE, known = 1;
        if (!known)
            fail_usage("--ask %s: '%.*s' is not a question: where, steps, coalesce, both or all",
                       list, (int)length, word);
        word += word[length] == ',' ? length + 1 : length;
    }
    if (ask == 0)
        fail_usage("--ask needs a question: where, steps, coalesce, both or all");
    return ask;
}

/* ---- what each operation is ------------------------------------------------------ */

/* What an operation does to its ID's block, given whether the ID is live
 * (the trace's rules, docs/traces.md): 'm' a new block (malloc, calloc,
 * realloc(NULL, n)), 'r' a block resized, 'f' a block freed (free,
 * realloc(p, 0)), 0 nothing (free(NULL)). */
static char effect_of(const struct trace_op *op, int live)
{
    switch (op->kind) {
    case 'a':
    case 'c': return 'm';
    case 'r': return !live ? 'm' : op->size == 0 ? 'f' : 'r';
    default: return op->slot == TRACE_NO_SLOT ? 0 : 'f';
    }
}

/* The questions asked about an operation of that effect. */
static unsigned questions_for(char effect)
{
    unsigned fits = effect == 'm' || effect == 'r' ? ASK_WHERE | ASK_STEPS
                    : effect == 'f'                ? ASK_COALESCE | ASK_STEPS
                                                   : 0;
    return fits & session.ask;
}

/* The questions of every operation, in order, into asks[op_count]; returns
 * their number. Liveness is followed as the parser follows it. */
static size_t plan_questions(const struct trace *trace, unsigned *asks)
{
    unsigned char *live = calloc(trace->slot_count + 1, 1);
    if (live == NULL)
        fail_usage("out of memory");
    size_t total = 0;
    for (size_t i = 0; i < trace->op_count; i++) {
        const struct trace_op *op = &trace->ops[i];
        int is_live = op->slot != TRACE_NO_SLOT && live[op->slot];
        char effect = effect_of(op, is_live);
        asks[i] = i + 1 >= session.from ? questions_for(effect) : 0;
        for (int q = 0; q < PREDICT_QUESTIONS; q++)
            total += (asks[i] >> q) & 1u;
        if (op->slot != TRACE_NO_SLOT)
            live[op->slot] = effect == 'f' ? 0 : effect != 0 ? 1 : live[op->slot];
    }
    free(live);
    return total;
}

/* The questions in the order they are asked: where or coalesce, then steps. */
static const enum predict_question question_order[] = {PREDICT_WHERE, PREDICT_COALESCE,
                                                       PREDICT_STEPS};

/* Checks the answers file against the plan before anything runs: one
 * answer per question, each of its question's form. Exits 2 otherwise. */
static void check_answers(const struct trace *trace, const unsigned *asks, size_t total)
{
    struct predict_answers *answers = &session.answers;
    size_t n = 0;
    for (size_t i = 0; i < trace->op_count; i++)
        for (size_t k = 0; k < sizeof question_order / sizeof question_order[0]; k++) {
            enum predict_question q = question_order[k];
            if (!((asks[i] >> q) & 1u))
                continue;
            if (n == answers->count)
                fail_usage("%s: %zu answers for %zu questions: the answer to question %zu "
                           "('%s', operation %zu) is missing",
                           answers->path, answers->count, total, n + 1,
                           predict_question_names[q], i + 1);
            long long value;
            char why[256];
            const struct predict_line *line = &answers->lines[n];
            if (predict_parse_answer(q, line->text, &value, why, sizeof why) != 0)
                fail_usage("%s:%zu: question %zu (operation %zu): %s", answers->path, line->line,
                           n + 1, i + 1, why);
            n++;
        }
    if (answers->count > total)
        fail_usage("%s:%zu: an answer with no question: the trace asks %zu questions "
                   "(--ask %s), the file has %zu answers",
                   answers->path, answers->lines[total].line, total, session.ask_text,
                   answers->count);
}

/* ---- asking and revealing -------------------------------------------------------- */

/* Gets the student's answer to one question: 1 with *value, or 0 when the
 * input has ended. The question itself is already printed. */
static int get_answer(enum predict_question q, long long *value)
{
    char why[256];
    if (session.answers.path != NULL) { /* checked by check_answers */
        const struct predict_line *line = &session.answers.lines[session.answers.next++];
        printf("  > %s\n", line->text);
        return predict_parse_answer(q, line->text, value, why, sizeof why) == 0;
    }
    for (;;) {
        printf("  > ");
        fflush(stdout);
        if (getline(&session.input, &session.input_size, stdin) < 0) {
            printf("\n");
            return 0;
        }
        session.input[strcspn(session.input, "#\r\n")] = '\0';
        if (!isatty(STDIN_FILENO)) /* a terminal has shown it already */
            printf("%s\n", session.input);
        if (predict_parse_answer(q, session.input, value, why, sizeof why) == 0)
            return 1;
        printf("  %s; try again\n", why);
    }
}

/* The right answer, and the judgement of the student's (given: answered). */
static void reveal(enum predict_question q, long long right, int given, long long said)
{
    char text[32], said_text[32];
    predict_answer_text(q, right, text, sizeof text);
    if (!given) {
        printf("  answer: %s\n", text);
        return;
    }
    session.asked[q]++;
    if (said == right) {
        session.right[q]++;
        printf("  answer: %s (right)\n", text);
    } else {
        predict_answer_text(q, said, said_text, sizeof said_text);
        printf("  answer: %s (wrong: you said %s)\n", text, said_text);
    }
}

/* ---- one operation --------------------------------------------------------------- */

/* The heap map after an operation, or exit 1 with the checker's message. */
static void read_map(struct predict_map *map, size_t op_number)
{
    const char *problem = predict_map_read(map);
    if (problem != NULL) {
        fflush(stdout);
        fprintf(stderr, "%s: the heap checker, after operation %zu: %s\n", session.program,
                op_number, problem);
        exit(EXIT_FAILURE);
    }
}

/* Runs op on the block of its slot. */
static void run_op(const struct trace_op *op, void **block)
{
    switch (op->kind) {
    case 'a': *block = dmm_malloc(op->size); break;
    case 'c': *block = dmm_calloc(op->nmemb, op->size); break;
    case 'r': *block = dmm_realloc(*block, op->size); break;
    default:
        dmm_free(block != NULL ? *block : NULL);
        if (block != NULL)
            *block = NULL;
    }
}

/* Asks, runs and reveals operation i; 0 when the input ended before it ran. */
static int step(const struct trace *trace, size_t i, unsigned asks, void **blocks,
                struct predict_map *before, struct predict_map *after)
{
    const struct trace_op *op = &trace->ops[i];
    void **block = op->slot == TRACE_NO_SLOT ? NULL : &blocks[op->slot];
    int live = block != NULL && *block != NULL;
    char effect = effect_of(op, live);
    char name[32], call[96];
    snprintf(name, sizeof name, "p%lld", trace_id_of(trace, op));
    describe_call(call, sizeof call, op, name, live ? name : "NULL");
    const char *verb = op->kind == 'a' ? "malloc" : op->kind == 'c' ? "calloc"
                     : op->kind == 'r' ? "realloc" : "free";
    long long freed_chunk = effect == 'f' ? predict_map_find(before, *block) : -1;

    printf("\nstep %zu of %zu: %s\n", i + 1, trace->op_count, call);
    long long said[PREDICT_QUESTIONS] = {0};
    for (size_t k = 0; k < sizeof question_order / sizeof question_order[0]; k++) {
        enum predict_question q = question_order[k];
        if (!((asks >> q) & 1u))
            continue;
        if (q == PREDICT_WHERE)
            printf("  Which chunk will %s be carved from? (%s%s)\n", name,
                   predict_answer_form(q), effect == 'r' ? "; its own, if it stays in place" : "");
        else if (q == PREDICT_STEPS)
            printf("  How many chunks will %s examine? (%s)\n", verb, predict_answer_form(q));
        else if (freed_chunk >= 0)
            printf("  %s frees chunk %lld. Will it merge with its neighbours in memory? (%s)\n",
                   call, freed_chunk, predict_answer_form(q));
        else
            printf("  %s frees a block that is in no chunk of the map. Will it merge with its "
                   "neighbours in memory? (%s)\n", call, predict_answer_form(q));
        if (!session.reveal && !get_answer(q, &said[q]))
            return 0;
    }

    struct dmm_stats s0, s1;
    dmm_stats(&s0);
    struct dmm_chunk_info freed = freed_chunk >= 0 ? before->chunks[freed_chunk]
                                                   : (struct dmm_chunk_info){0};
    run_op(op, block);
    dmm_stats(&s1);
    read_map(after, i + 1);

    char why[256];
    if ((asks & ASK_WHERE) || (asks & ASK_COALESCE)) {
        long long right;
        if (asks & ASK_WHERE)
            right = predict_where(*block, before, after, &s0, &s1, effect == 'r', why,
                                  sizeof why);
        else if (freed_chunk >= 0)
            right = predict_merge(&freed, before, after, why, sizeof why);
        else
            right = MERGE_GONE, snprintf(why, sizeof why, "the block was in no chunk of the map");
        enum predict_question q = (asks & ASK_WHERE) ? PREDICT_WHERE : PREDICT_COALESCE;
        reveal(q, right, !session.reveal, said[q]);
        printf("    %s\n", why);
    }
    if (asks & ASK_STEPS) {
        uint64_t m = s1.malloc_steps - s0.malloc_steps, f = s1.free_steps - s0.free_steps;
        reveal(PREDICT_STEPS, (long long)(m + f), !session.reveal, said[PREDICT_STEPS]);
        printf("    %s examined %llu chunk%s (malloc_steps %llu -> %llu, free_steps %llu -> %llu)\n",
               verb, (unsigned long long)(m + f), m + f == 1 ? "" : "s",
               (unsigned long long)s0.malloc_steps,
               (unsigned long long)s1.malloc_steps, (unsigned long long)s0.free_steps,
               (unsigned long long)s1.free_steps);
    }
    predict_map_print(after, "  heap");
    return 1;
}

/* ---- the session ------------------------------------------------------------------- */

/* The lecture's demo sequence (lecture_demo.h) as a parsed trace. */
static void load_demo(struct trace *trace)
{
    char text[512], error[256];
    size_t used = 0;
    for (size_t i = 0; i < LECTURE_DEMO_STEPS; i++) {
        const struct lecture_demo_step *s = &lecture_demo[i];
        if (s->op == 'a')
            used += (size_t)snprintf(text + used, sizeof text - used, "a %d %zu\n", s->id,
                                     s->units * LECTURE_DEMO_UNIT);
        else
            used += (size_t)snprintf(text + used, sizeof text - used, "f %d\n", s->id);
    }
    if (trace_parse("(the lecture's demo sequence)", text, used, trace, error, sizeof error) != 0)
        fail_usage("%s", error);
}

/* The score line: every question asked, and each kind. */
static void print_score(size_t stopped_at, size_t op_count)
{
    if (session.reveal) {
        printf("\nanswer key: nothing was asked (--reveal)\n");
        return;
    }
    size_t asked = 0, right = 0;
    for (int q = 0; q < PREDICT_QUESTIONS; q++)
        asked += session.asked[q], right += session.right[q];
    printf("\nscore: %zu of %zu right", right, asked);
    const char *open = " (";
    for (int q = 0; q < PREDICT_QUESTIONS; q++)
        if (session.ask & (1u << q) && session.asked[q] > 0 && session.asked[q] != asked) {
            printf("%s%s %zu of %zu", open, predict_question_names[q], session.right[q],
                   session.asked[q]);
            open = ", ";
        }
    printf("%s", open[0] == ',' ? ")" : "");
    if (stopped_at < op_count)
        printf("; the input ended before step %zu of %zu", stopped_at + 1, op_count);
    printf("\n");
}

int main(int argc, char **argv)
{
    session.program = argv[0];
    const char *trace_path = NULL, *answers_path = NULL;
    for (int i = 1; i < argc; i++) {
        const char *arg = argv[i];
        int has_value = i + 1 < argc;
        if (strcmp(arg, "--help") == 0 || strcmp(arg, "-h") == 0) {
            printf(usage, argv[0]);
            return 0;
        } else if (strcmp(arg, "--reveal") == 0) {
            session.reveal = 1;
        } else if (strcmp(arg, "--ask") == 0 && has_value) {
            session.ask_text = argv[++i];
            session.ask = parse_ask(session.ask_text);
        } else if (strcmp(arg, "--answers") == 0 && has_value) {
            answers_path = argv[++i];
        } else if (strcmp(arg, "--from") == 0 && has_value) {
            char *end;
            const char *text = argv[++i];
            unsigned long long n = strtoull(text, &end, 10);
            if (*text < '0' || *text > '9' || *end != '\0' || n == 0)
                fail_usage("--from %s: give an operation number, 1 or more", text);
            session.from = (size_t)n;
        } else if (arg[0] == '-' && arg[1] != '\0') {
            int takes_value = strcmp(arg, "--ask") == 0 || strcmp(arg, "--answers") == 0 ||
                              strcmp(arg, "--from") == 0;
            fail_usage("%s: %s (--help lists the options)", arg,
                       takes_value ? "needs a value" : "unknown option");
        } else if (trace_path != NULL) {
            fail_usage("one trace at a time: '%s' and '%s'", trace_path, arg);
        } else {
            trace_path = arg;
        }
    }
    if (session.reveal && answers_path != NULL)
        fail_usage("--reveal asks nothing: it cannot take --answers too");

    struct trace trace;
    char error[512];
    if (trace_path == NULL)
        load_demo(&trace);
    else if (trace_load(trace_path, &trace, error, sizeof error) != 0)
        fail_usage("%s", error);
    if (trace.warning != NULL)
        fprintf(stderr, "%s: %s\n", argv[0], trace.warning);
    if (trace.op_count == 0)
        fail_usage("%s: no operations to ask about", trace.path);
    if (session.from > trace.op_count)
        fail_usage("--from %zu: the trace has %zu operations", session.from, trace.op_count);

    unsigned *asks = calloc(trace.op_count + 1, sizeof *asks);
    void **blocks = calloc(trace.slot_count + 1, sizeof *blocks);
    if (asks == NULL || blocks == NULL)
        fail_usage("out of memory");
    size_t total = plan_questions(&trace, asks);
    if (answers_path != NULL) {
        if (predict_answers_load(answers_path, &session.answers, error, sizeof error) != 0)
            fail_usage("%s", error);
        check_answers(&trace, asks, total);
    }

    /* DMM_POLICY's grammar is checked here (policy.h's parser, every choice
     * allowed), so that a typo is exit 2 and not the allocator's abort. An
     * allocator with policies reads it at its first call, below, and stops
     * with its own message if it does not offer the choice. */
    const char *asked_policy = getenv("DMM_POLICY");
    struct policy parsed = {POLICY_FIRST, POLICY_ADDRESS};
    if (policy_parse(asked_policy, POLICY_ALL_FITS, POLICY_ALL_ORDERS, &parsed, error,
                     sizeof error) != 0)
        fail_usage("DMM_POLICY: %s", error);
    const char *policy = dmm_policy != NULL ? dmm_policy() : NULL;
    if (policy == NULL && asked_policy != NULL && asked_policy[0] != '\0')
        fprintf(stderr, "%s: DMM_POLICY=%s is ignored: %s has one fixed policy\n", argv[0],
                asked_policy, dmm_name());
    printf("== predict, then reveal: %s%s%s%s on %s: %zu operations, %zu questions ==\n",
           dmm_name(), policy ? " (" : "", policy ? policy : "", policy ? ")" : "",
           trace_path ? trace_path : "the lecture's demo sequence", trace.op_count, total);
    printf("The heap map: the chunks in address order (mapped chunks last), numbered from 0,\n"
           "sizes in bytes, header and footer included:\n");
    for (const char *legend = DESCRIBE_ROW_LEGEND; *legend != '\0';) {
        size_t length = strcspn(legend, ",");
        printf("  %.*s\n", (int)length, legend);
        legend += length + (legend[length] == ',');
        legend += strspn(legend, " ");
    }

    struct predict_map before = {0}, after = {0};
    size_t i = 0;
    for (; i + 1 < session.from; i++) {
        const struct trace_op *op = &trace.ops[i];
        run_op(op, op->slot == TRACE_NO_SLOT ? NULL : &blocks[op->slot]);
    }
    read_map(&before, i);
    if (i > 0)
        printf("\nafter the first %zu operations, run without questions:\n", i);
    else
        printf("\nbefore the first operation:\n");
    predict_map_print(&before, "  heap");
    for (; i < trace.op_count; i++) {
        if (!step(&trace, i, asks[i], blocks, &before, &after))
            break;
        struct predict_map swap = before;
        before = after;
        after = swap;
    }
    print_score(i, trace.op_count);

    predict_map_free(&before);
    predict_map_free(&after);
    predict_answers_free(&session.answers);
    free(session.input);
    free(blocks);
    free(asks);
    trace_free(&trace);
    return 0;
}
