/*
 * feedback.c — what one student reads (grade.h): feedback.txt and
 * feedback.html in the student's folder; and the pieces of text that
 * results.json repeats (grade_output.h; gradescope.c writes it).
 *
 * The page answers, in order: what did I get (the build's status and
 * warnings, the overall figures, score.c's index formula with the
 * student's numbers put in, the score); what did the compiler say (its
 * output, capped); how did each trace go (the CMU driver's table: valid,
 * util, ops, secs, Kops — or instructions per operation — with the
 * trace's own ratio and index, and a total); and, for a failure, its
 * message (trace, line, operation, what was wrong) and the exact commands
 * that reproduce it from the dmm source folder. Each piece of text is made
 * once (as plain text, into a memory stream) and written as is,
 * HTML-escaped or JSON-escaped, so the three files cannot disagree.
 *
 * Every file is written to PATH.tmp and renamed into place.
 */
#define _POSIX_C_SOURCE 200809L /* open_memstream */

#include "grade.h"

#include "grade_output.h"
#include "report.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define LOG_CAP 16384 /* bytes of the build log shown: the first errors are the ones to fix */
#define CELL 48       /* bytes of one table cell */
#define COLUMNS 9     /* of the table at most: the time costs' */

/* A word for the shell: as is when it holds nothing the shell reads,
 * else in single quotes. */
static void shell_word(FILE *out, const char *s)
{
    if (*s != '\0' && strspn(s, "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz"
                                "0123456789_./-+=:,@%") == strlen(s)) {
        fputs(s, out);
        return;
    }
    fputc('\'', out);
    for (; *s != '\0'; s++)
        fputs(*s == '\'' ? "'\\''" : (char[]){*s, '\0'}, out);
    fputc('\'', out);
}

int grade_text_open(struct grade_text *t)
{
    t->text = NULL;
    t->out = open_memstream(&t->text, &t->size);
    return t->out != NULL ? 0 : -1;
}

const char *grade_text_close(struct grade_text *t)
{
    fclose(t->out);
    return t->text != NULL ? t->text : "";
}

/* ---- what to say ---------------------------------------------------------------- */

const char *grade_trace_name(const struct grade_context *c, size_t i)
{
    if (c->traces != NULL && c->traces[i].name != NULL)
        return c->traces[i].name;
    const char *path = c->config->traces[i].path, *slash = strrchr(path, '/');
    return slash != NULL ? slash + 1 : path;
}

void grade_weights(const struct grade_config *config, const struct grade_student *student,
                   double *total, double *correct)
{
    *total = *correct = 0;
    for (size_t i = 0; i < config->trace_count; i++) {
        double w = config->traces[i].weight;
        if (!(w > 0))
            continue;
        *total += w;
        if (student->results != NULL && student->results[i].status == REPLAY_OK)
            *correct += w;
    }
}

static int any_scored_failure(const struct grade_config *config,
                              const struct grade_student *student)
{
    if (student->results == NULL)
        return 0;
    for (size_t i = 0; i < config->trace_count; i++)
        if (config->traces[i].weight > 0 && student->results[i].status != REPLAY_OK)
            return 1;
    return 0;
}

/* What throughput is compared with, in words. */
static void cost_words(FILE *out, const struct grade_config *config)
{
    switch (config->cost) {
    case COST_RELATIVE:
        fprintf(out, "throughput: steady-state time per operation, against %s's measured in "
                     "the same run on the same machine", config->reference);
        break;
    case COST_FIXED:
        fprintf(out, "throughput: steady-state time per operation, against a fixed %.1f Kops/s",
                config->reference_kops);
        break;
    case COST_INSTRUCTIONS:
        fprintf(out, "throughput: instructions per operation (lower is better), against %s's "
                     "counted in the same run", config->reference);
        break;
    }
}

/* The index and score lines, the formula with its numbers. */
static void formula(FILE *out, const struct grade_context *c, const struct grade_student *st)
{
    const struct grade_config *config = c->config;
    const struct grade_score *s = &st->score;
    if (st->build != BUILD_OK) {
        fprintf(out, "index = 0: the submission was not built, so no trace was replayed\n");
    } else {
        double total, correct;
        grade_weights(config, st, &total, &correct);
        double fraction = total > 0 ? correct / total : 0;
        double capped = s->throughput_ratio < 1 ? s->throughput_ratio : 1;
        double plain = 100 * (config->util_weight * s->utilization +
                              config->throughput_weight * capped * fraction);
        fprintf(out,
                "index = 100 × (%g × %.4f + %g × min(1, %.4f) × %.2f) = %.2f\n"
                "        (util weight × utilization + throughput weight × min(1, ratio) × "
                "share of the scored weight run correctly)\n",
                config->util_weight, s->utilization, config->throughput_weight,
                s->throughput_ratio, fraction, plain);
        if (config->failure == FAILURE_ALL && any_scored_failure(config, st))
            fprintf(out, "index = 0: a scored trace failed, and under this course's rule (as "
                         "in the CMU driver) any failed trace makes the index 0\n");
    }
    fprintf(out, "score = %.2f × %g / 100 = %.2f of %g points\n", s->index, config->points,
            s->score, config->points);
}

void grade_feedback_summary(FILE *out, const struct grade_context *c,
                            const struct grade_student *st)
{
    const struct grade_score *s = &st->score;
    fprintf(out, "dmm-grade: %s\n", st->id);
    fprintf(out, "build: %s, %u warning%s%s%s\n", grade_build_name(st->build), st->warnings,
            st->warnings == 1 ? "" : "s", st->build_message[0] ? ": " : "", st->build_message);
    if (st->build == BUILD_OK)
        fprintf(out, "traces correct: %u of %zu; utilization %.4f; throughput %.*f %s "
                     "(ratio %.4f)\n",
                s->traces_correct, c->config->trace_count, s->utilization,
                c->config->cost == COST_INSTRUCTIONS ? 2 : 1, s->throughput,
                c->config->cost == COST_INSTRUCTIONS ? "instructions/op" : "Kops/s",
                s->throughput_ratio);
    formula(out, c, st);
}

/* The table, as cells: a heading row, one row per trace, the totals. */
struct table {
    size_t columns;
    size_t rows; /* heading and totals included */
    char (*cells)[COLUMNS][CELL];
    int *bad; /* the row's trace failed */
};

static int make_table(const struct grade_context *c, const struct grade_student *st,
                      struct table *t)
{
    const struct grade_config *config = c->config;
    int instructions = config->cost == COST_INSTRUCTIONS;
    static const char *const time_head[] = {"trace", "weight", "valid", "util", "ops",
                                            "secs",  "Kops",   "ratio", "index"};
    static const char *const instr_head[] = {"trace", "weight",   "valid", "util",
                                             "ops",   "instr/op", "ratio", "index"};
    t->columns = instructions ? 8 : 9;
    t->rows = config->trace_count + 2;
    t->cells = calloc(t->rows, sizeof *t->cells);
    t->bad = calloc(t->rows, sizeof *t->bad);
    if (t->cells == NULL || t->bad == NULL)
        return -1;
    for (size_t k = 0; k < t->columns; k++)
        snprintf(t->cells[0][k], CELL, "%s", instructions ? instr_head[k] : time_head[k]);

    double total_ops = 0, total_secs = 0, total_weight = 0;
    for (size_t i = 0; i < config->trace_count; i++) {
        const struct replay_result *r = &st->results[i];
        const struct replay_result *ref = c->reference != NULL ? &c->reference[i] : NULL;
        char (*cell)[CELL] = t->cells[i + 1];
        double w = config->traces[i].weight, ratio;
        double index = grade_trace_index(config, r, ref, &ratio);
        double secs = r->ns_per_op * (double)r->ops / 1e9;
        int ok = r->status == REPLAY_OK;
        t->bad[i + 1] = !ok;
        if (w > 0)
            total_weight += w;
        if (ok && w > 0)
            total_ops += (double)r->ops, total_secs += secs;
        size_t k = 0;
        snprintf(cell[k++], CELL, "%s", grade_trace_name(c, i));
        snprintf(cell[k++], CELL, "%.2f", w);
        snprintf(cell[k++], CELL, "%s", ok ? "yes" : report_status_name(r->status));
        if (!ok) {
            for (; k + 1 < t->columns; k++)
                snprintf(cell[k], CELL, "-");
            snprintf(cell[k], CELL, "0.0");
            continue;
        }
        snprintf(cell[k++], CELL, "%.1f%%", 100 * r->utilization);
        snprintf(cell[k++], CELL, "%llu", (unsigned long long)r->ops);
        if (instructions) {
            snprintf(cell[k++], CELL, "%.1f", r->instr_per_op);
        } else {
            snprintf(cell[k++], CELL, "%.6f", secs);
            snprintf(cell[k++], CELL, "%.1f", r->kops_per_sec);
        }
        snprintf(cell[k++], CELL, "%.4f", ratio);
        snprintf(cell[k], CELL, w > 0 ? "%.1f" : "%.1f*", index);
    }
    const struct grade_score *s = &st->score;
    char (*cell)[CELL] = t->cells[t->rows - 1];
    size_t k = 0;
    snprintf(cell[k++], CELL, "Total");
    snprintf(cell[k++], CELL, "%.2f", total_weight);
    snprintf(cell[k++], CELL, "%u/%zu", s->traces_correct, config->trace_count);
    snprintf(cell[k++], CELL, "%.1f%%", 100 * s->utilization);
    snprintf(cell[k++], CELL, "%.0f", total_ops);
    if (instructions) {
        snprintf(cell[k++], CELL, "%.1f", s->throughput);
    } else {
        snprintf(cell[k++], CELL, "%.6f", total_secs);
        snprintf(cell[k++], CELL, "%.1f", s->throughput);
    }
    snprintf(cell[k++], CELL, "%.4f", s->throughput_ratio);
    snprintf(cell[k], CELL, "%.1f", s->index);
    return 0;
}

static void free_table(struct table *t)
{
    free(t->cells);
    free(t->bad);
}

static const char *table_notes =
    "valid: yes, or how the trace failed. util: peak live payload / peak footprint.\n"
    "ratio: this trace's throughput against the reference (capped at 1 in the index).\n"
    "index: this trace alone, 0..100; * marks a trace of weight 0: replayed, not scored.\n"
    "Total: util and throughput are weighted over the scored traces (as the CMU driver:\n"
    "total operations over total cost, not a mean of the traces'); ops (and secs) are\n"
    "the plain sums over the scored traces that were correct.";

void grade_feedback_failures(FILE *out, const struct grade_context *c,
                             const struct grade_student *st)
{
    int count = 0, *any = &count;
    char module[128], command[8192];
    snprintf(module, sizeof module, "./libdmm-%s.so", st->id);
    grade_build_command(c->dmm_dir, c->compiler, st->source, module, command, sizeof command);
    *any = st->build != BUILD_OK;
    if (st->build != BUILD_OK) {
        fprintf(out, "Not built: %s\n\nReproduce it, from the dmm source folder:\n  %s\n",
                st->build_message[0] ? st->build_message : grade_build_name(st->build), command);
        return;
    }
    for (size_t i = 0; st->results != NULL && i < c->config->trace_count; i++) {
        const struct replay_result *r = &st->results[i];
        if (r->status == REPLAY_OK)
            continue;
        if (!*any) {
            fprintf(out, "First failure: trace %s%s\n  %s\n", grade_trace_name(c, i),
                    c->config->traces[i].weight > 0 ? "" : " (weight 0, not scored)",
                    r->message);
            const char *trace = c->config->traces[i].path;
            fprintf(out, "\nReproduce it from the dmm source folder (build/ being its CMake "
                         "build; with your own paths\nfor your file and dmm's allocators/). "
                         "Build, then replay as graded (the same limits\nand system-call "
                         "filter):\n  %s\n  build/harness/dmm-replay -a %s --sandbox "
                         "--timeout %g --repeat %u ",
                    command, module, c->config->timeout_seconds, c->config->repeat);
            shell_word(out, trace);
            fprintf(out, "\nthen find where the heap first goes wrong, your heap checker "
                         "running after every operation:\n  build/harness/dmm-replay -a %s "
                         "--check-every 1 ",
                    module);
            shell_word(out, trace);
            fputc('\n', out);
        } else {
            if (*any == 1)
                fputs("\nThe other failures (the same commands, with their trace):\n", out);
            fprintf(out, "  trace %s: %s\n", grade_trace_name(c, i), r->message);
        }
        ++*any;
    }
}

void grade_feedback_build_log(FILE *out, const struct grade_student *st)
{
    if (st->build_log == NULL || st->build_log[0] == '\0')
        return;
    size_t length = strlen(st->build_log);
    fwrite(st->build_log, 1, length < LOG_CAP ? length : LOG_CAP, out);
    if (length > LOG_CAP)
        fprintf(out, "\n[... %zu more bytes of the compiler's output not shown]\n",
                length - LOG_CAP);
}

/* ---- feedback.txt and feedback.html ---------------------------------------------- */

/* What the cost is: the run's own line (context->machine) when it gave one,
 * else the configuration's words; then what the figures are made of. */
static void times_note(FILE *out, const struct grade_context *c)
{
    if (c->machine != NULL && c->machine[0] != '\0')
        fprintf(out, "%s\n", c->machine);
    else
        cost_words(out, c->config), fputs(".\n", out);
    if (c->config->cost == COST_INSTRUCTIONS)
        fputs("Instructions are counted in user space over one steady replay (one that "
              "follows a\ncold first replay in the same process), divided by its "
              "operations.\n",
              out);
    else
        fputs("Times are steady state: per trace, the median of the timing replays that "
              "follow a\ncold first replay in the same process (secs = ns per op × ops / "
              "1e9).\n",
              out);
}

static void text_table(FILE *out, const struct table *t)
{
    size_t width[COLUMNS] = {0};
    for (size_t r = 0; r < t->rows; r++)
        for (size_t k = 0; k < t->columns; k++) {
            size_t w = strlen(t->cells[r][k]);
            width[k] = w > width[k] ? w : width[k];
        }
    for (size_t r = 0; r < t->rows; r++) {
        for (size_t k = 0; k < t->columns; k++)
            fprintf(out, k == 0 ? "%-*s" : "  %*s", (int)width[k], t->cells[r][k]);
        fputc('\n', out);
    }
}

static void write_text(FILE *out, const struct grade_context *c, const struct grade_student *st,
                       const struct table *t, const char *summary_text, const char *failure_text)
{
    fputs(summary_text, out);
    if (st->build_log != NULL && st->build_log[0] != '\0') {
        fputs("\nThe compiler's output:\n", out);
        grade_feedback_build_log(out, st);
        fputc('\n', out);
    }
    if (t != NULL) {
        fputc('\n', out);
        times_note(out, c);
        fputc('\n', out);
        text_table(out, t);
        fprintf(out, "\n%s\n", table_notes);
    }
    if (failure_text[0] != '\0')
        fprintf(out, "\n%s", failure_text);
}

static const char *const style =
    "body{font-family:sans-serif;margin:2em auto;max-width:70em;padding:0 1em;color:#222;"
    "line-height:1.4}\n"
    "h2{margin-top:1.5em;border-bottom:1px solid #ccc}.note,small{color:#555}\n"
    "table{border-collapse:collapse;margin:1em 0}\n"
    "th,td{border:1px solid #ccc;padding:.25em .6em}th{background:#f0f0f0;text-align:left}\n"
    "td.n{text-align:right;font-variant-numeric:tabular-nums}tr.bad td{background:#fde8e8}\n"
    "tr.total td{font-weight:bold}pre{background:#f6f6f6;padding:.8em;overflow-x:auto}\n";

static void write_html(FILE *out, const struct grade_context *c, const struct grade_student *st,
                       const struct table *t, const char *summary_text, const char *failure_text)
{
    fputs("<!DOCTYPE html>\n<html lang=\"en\"><head><meta charset=\"utf-8\">\n<title>dmm-grade: ",
          out);
    report_html_text(out, st->id);
    fprintf(out, "</title>\n<style>\n%s</style></head><body>\n<h1>dmm-grade: ", style);
    report_html_text(out, st->id);
    fputs("</h1>\n<pre>", out);
    report_html_text(out, summary_text);
    fputs("</pre>\n", out);
    if (st->build_log != NULL && st->build_log[0] != '\0') {
        struct grade_text log;
        if (grade_text_open(&log) == 0) {
            grade_feedback_build_log(log.out, st);
            fputs("<h2>The compiler's output</h2>\n<pre>", out);
            report_html_text(out, grade_text_close(&log));
            fputs("</pre>\n", out);
            free(log.text);
        }
    }
    if (t != NULL) {
        struct grade_text note;
        fputs("<h2>Traces</h2>\n<p class=\"note\">", out);
        if (grade_text_open(&note) == 0) {
            times_note(note.out, c);
            report_html_text(out, grade_text_close(&note));
            free(note.text);
        }
        fputs("</p>\n<table>\n<tr>", out);
        for (size_t k = 0; k < t->columns; k++) {
            fputs("<th>", out);
            report_html_text(out, t->cells[0][k]);
            fputs("</th>", out);
        }
        fputs("</tr>\n", out);
        for (size_t r = 1; r < t->rows; r++) {
            fputs(r + 1 == t->rows ? "<tr class=\"total\">" : t->bad[r] ? "<tr class=\"bad\">"
                                                                        : "<tr>",
                  out);
            for (size_t k = 0; k < t->columns; k++) {
                fputs(k == 0 ? "<td>" : "<td class=\"n\">", out);
                report_html_text(out, t->cells[r][k]);
                fputs("</td>", out);
            }
            fputs("</tr>\n", out);
        }
        fputs("</table>\n<p class=\"note\">", out);
        report_html_text(out, table_notes);
        fputs("</p>\n", out);
    }
    if (failure_text[0] != '\0') {
        fputs("<h2>What went wrong</h2>\n<pre>", out);
        report_html_text(out, failure_text);
        fputs("</pre>\n", out);
    }
    fputs("</body></html>\n", out);
}

int grade_write_feedback(const struct grade_context *context, const struct grade_student *student,
                         char *error, size_t error_size)
{
    if (report_make_dir(student->work_dir, error, error_size) != 0)
        return -1;
    struct table table = {0}, *t = NULL;
    struct grade_text sum, fails;
    int status = 0;
    if (student->build == BUILD_OK && student->results != NULL) {
        t = &table;
        if (make_table(context, student, t) != 0)
            status = grade_error(error, error_size, "%s: out of memory", student->work_dir);
    }
    if (status == 0 && grade_text_open(&sum) != 0)
        status = grade_error(error, error_size, "%s: out of memory", student->work_dir);
    if (status == 0 && grade_text_open(&fails) != 0) {
        grade_text_close(&sum);
        free(sum.text);
        status = grade_error(error, error_size, "%s: out of memory", student->work_dir);
    }
    if (status != 0) {
        free_table(&table);
        return -1;
    }
    grade_feedback_summary(sum.out, context, student);
    grade_feedback_failures(fails.out, context, student);
    const char *summary_text = grade_text_close(&sum), *failure_text = grade_text_close(&fails);

    const char *names[] = {"feedback.txt", "feedback.html"};
    for (size_t f = 0; f < 2 && status == 0; f++) {
        char path[4300], tmp[4400];
        snprintf(path, sizeof path, "%s/%s", student->work_dir, names[f]);
        FILE *out = grade_output_open(path, tmp, sizeof tmp, error, error_size);
        if (out == NULL) {
            status = -1;
            break;
        }
        (f == 0 ? write_text : write_html)(out, context, student, t, summary_text, failure_text);
        status = grade_output_commit(out, tmp, path, error, error_size);
    }
    free(sum.text);
    free(fails.text);
    free_table(&table);
    return status;
}
