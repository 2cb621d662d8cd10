/*
 * gradescope.c — the outputs an autograder reads (grade.h): the CMU
 * driver's -g lines, and Gradescope's results.json.
 *
 * results.json holds the grade as its top-level "score" (Gradescope then
 * ignores the sum of the tests' scores), the summary of the feedback page
 * as its "output", and one test per trace: max_score = points × w / W (0
 * for a weight-0 trace, which is listed but not scored) and score =
 * max_score × the trace's own index / 100. The tests show where points come
 * from; they need not add up to the grade, since the overall throughput is
 * one aggregate over all traces (score.c) and FAILURE_ALL zeroes the
 * index. A student not built gets one test, "build", with the compiler's
 * message and output.
 *
 * The file is UTF-8 JSON (RFC 8259) whatever the messages hold, written to
 * PATH.tmp and renamed into place.
 */
#include "grade.h"

#include "grade_output.h"
#include "report.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>

/* Length of the valid UTF-8 sequence at p (RFC 3629: no overlong form, no
 * surrogate, nothing above U+10FFFF), or 0. */
static size_t utf8_length(const unsigned char *p)
{
    size_t n = p[0] >= 0xf0 ? 4 : p[0] >= 0xe0 ? 3 : p[0] >= 0xc2 ? 2 : 0;
    if (n == 0 || p[0] > 0xf4)
        return 0;
    for (size_t i = 1; i < n; i++)
        if ((p[i] & 0xc0) != 0x80)
            return 0; /* the NUL that ends the text stops here too */
    if ((p[0] == 0xe0 && p[1] < 0xa0) || (p[0] == 0xed && p[1] >= 0xa0) ||
        (p[0] == 0xf0 && p[1] < 0x90) || (p[0] == 0xf4 && p[1] >= 0x90))
        return 0;
    return n;
}

/* A JSON string: quotes and backslashes escaped, every control character
 * as \uXXXX (or its short form), as RFC 8259 requires; a byte that is not
 * UTF-8 (a compiler echoing a Latin-1 source) becomes U+FFFD, since
 * Gradescope rejects a results.json that is not UTF-8. */
static void json(FILE *out, const char *s)
{
    fputc('"', out);
    for (const unsigned char *p = (const unsigned char *)s; *p != '\0'; p++) {
        if (*p == '"' || *p == '\\') {
            fprintf(out, "\\%c", *p);
        } else if (*p == '\n') {
            fputs("\\n", out);
        } else if (*p == '\t') {
            fputs("\\t", out);
        } else if (*p < 0x20 || *p == 0x7f) {
            fprintf(out, "\\u%04x", *p);
        } else if (*p < 0x80) {
            fputc(*p, out);
        } else {
            size_t n = utf8_length(p);
            if (n == 0) {
                fputs("\\ufffd", out);
            } else {
                fwrite(p, 1, n, out);
                p += n - 1;
            }
        }
    }
    fputc('"', out);
}

void grade_print_autograder(FILE *out, const struct grade_student *student)
{
    double index = isfinite(student->score.index) ? student->score.index : 0.0;
    fprintf(out, "correct:%u\nperfidx:%.0f\n", student->score.traces_correct, index);
}

/* A JSON number: finite, enough digits for points, no exponent surprises. */
static void json_number(FILE *out, double x)
{
    fprintf(out, "%.4f", isfinite(x) ? x : 0.0);
}

static void gradescope_test(FILE *out, const char *name, double score, double max,
                            const char *output, int first)
{
    fputs(first ? "\n  {\"name\": " : ",\n  {\"name\": ", out);
    json(out, name);
    fputs(", \"score\": ", out);
    json_number(out, score);
    fputs(", \"max_score\": ", out);
    json_number(out, max);
    fputs(", \"output\": ", out);
    json(out, output);
    fputc('}', out);
}

static int gradescope_body(FILE *out, const struct grade_context *c,
                            const struct grade_student *st, const char *summary_text,
                            const char *failure_text)
{
    const struct grade_config *config = c->config;
    struct grade_text top;
    if (grade_text_open(&top) != 0)
        return -1;
    fputs(summary_text, top.out);
    fputs("\nYour grade is the overall index above (the top-level score, which Gradescope "
          "uses instead of the sum of the tests). Each test below is one trace's own index, "
          "worth its weight's share of the points: they show where the points come from, "
          "and need not add up to the grade (the overall throughput is total operations "
          "over total time, not a mean of the traces'",
          top.out);
    fputs(config->failure == FAILURE_ALL ? "; and any failed trace makes the index 0).\n"
                                         : ").\n",
          top.out);
    if (failure_text[0] != '\0')
        fprintf(top.out, "\n%s", failure_text);
    const char *top_text = grade_text_close(&top);

    fputs("{\"score\": ", out);
    json_number(out, st->score.score);
    fputs(", \"output\": ", out);
    json(out, top_text);
    free(top.text);
    fputs(", \"tests\": [", out);

    if (st->build != BUILD_OK || st->results == NULL) {
        struct grade_text why;
        if (grade_text_open(&why) != 0)
            return -1;
        fprintf(why.out, "%s: %s\n", grade_build_name(st->build), st->build_message);
        grade_feedback_build_log(why.out, st);
        gradescope_test(out, "build", 0, config->points, grade_text_close(&why), 1);
        free(why.text);
        fputs("\n]}\n", out);
        return 0;
    }
    double total, correct;
    grade_weights(config, st, &total, &correct);
    for (size_t i = 0; i < config->trace_count; i++) {
        const struct replay_result *r = &st->results[i];
        double ratio, w = config->traces[i].weight;
        double index = grade_trace_index(config, r, c->reference ? &c->reference[i] : NULL,
                                         &ratio);
        double max = w > 0 && total > 0 ? config->points * w / total : 0;
        char name[300], output[sizeof r->message + 32];
        snprintf(name, sizeof name, "trace %s", grade_trace_name(c, i));
        if (r->status != REPLAY_OK)
            snprintf(output, sizeof output, "%s: %s", report_status_name(r->status), r->message);
        else if (config->cost == COST_INSTRUCTIONS)
            snprintf(output, sizeof output,
                     "valid; util %.4f; %.1f instructions/op; ratio %.4f; trace index %.2f%s",
                     r->utilization, r->instr_per_op, ratio, index,
                     w > 0 ? "" : " (weight 0: replayed, not scored)");
        else
            snprintf(output, sizeof output,
                     "valid; util %.4f; %.1f Kops/s; ratio %.4f; trace index %.2f%s",
                     r->utilization, r->kops_per_sec, ratio, index,
                     w > 0 ? "" : " (weight 0: replayed, not scored)");
        gradescope_test(out, name, max * index / 100, max, output, i == 0);
    }
    fputs("\n]}\n", out);
    return 0;
}

int grade_write_gradescope(const char *path, const struct grade_context *context,
                           const struct grade_student *student, char *error,
                           size_t error_size)
{
    struct grade_text sum, fails;
    if (grade_text_open(&sum) != 0)
        return grade_error(error, error_size, "%s: out of memory", path);
    if (grade_text_open(&fails) != 0) {
        grade_text_close(&sum);
        free(sum.text);
        return grade_error(error, error_size, "%s: out of memory", path);
    }
    grade_feedback_summary(sum.out, context, student);
    grade_feedback_failures(fails.out, context, student);
    const char *summary_text = grade_text_close(&sum), *failure_text = grade_text_close(&fails);
    char tmp[4200];
    FILE *out = grade_output_open(path, tmp, sizeof tmp, error, error_size);
    int status = -1;
    if (out != NULL) {
        if (gradescope_body(out, context, student, summary_text, failure_text) == 0) {
            status = grade_output_commit(out, tmp, path, error, error_size);
        } else { /* half a file is no results.json: none at all */
            fclose(out);
            remove(tmp);
            grade_error(error, error_size, "%s: out of memory", path);
        }
    }
    free(sum.text);
    free(fails.text);
    return status;
}
