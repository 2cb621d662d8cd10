/*
 * design.c — a module's declared design (dmm.h's dmm_design) read and
 * checked on the heap checker's walks (design.h says what each property
 * means and what a walk can show of it).
 *
 * Step of the data flow: trace file -> parse -> pair -> child process
 * [module.c reads dmm_design] -> checking pass [each walk checked here] ->
 * timing -> result -> table/CSV/JSON.
 *
 * The check is the harness's own: it looks only at the chunks the walk
 * visits, so a module whose checker skips an invariant it declares is still
 * caught. Its memory (the free chunks of two walks) comes from the C
 * library's malloc, never from the allocator under test.
 */
#include "design.h"

#include "describe.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static const struct {
    const char *word;
    unsigned property;
} properties[] = {
    {"coalesces", DESIGN_COALESCES},
    {"address-ordered", DESIGN_ADDRESS_ORDERED},
};
#define PROPERTY_COUNT (sizeof properties / sizeof properties[0])

const char design_valid_words[] = "coalesces, address-ordered";

/* ---- the words ------------------------------------------------------------- */

int design_parse(const char *text, unsigned *properties_out, char *error, size_t error_size)
{
    unsigned found = 0;
    for (size_t i = 0; text[i] != '\0';) {
        while (text[i] == ' ' || text[i] == '\t')
            i++;
        size_t length = strcspn(text + i, " \t");
        if (length == 0)
            break;
        size_t p = 0;
        while (p < PROPERTY_COUNT && (strlen(properties[p].word) != length
                                      || memcmp(properties[p].word, text + i, length) != 0))
            p++;
        if (p == PROPERTY_COUNT) {
            /* The word as printable ASCII, cut like a trace token. */
            char word[64];
            size_t used = 0;
            for (size_t k = 0; k < length && used + 5 < sizeof word; k++) {
                unsigned char byte = (unsigned char)text[i + k];
                used += (size_t)snprintf(word + used, sizeof word - used,
                                         byte >= 0x20 && byte < 0x7f ? "%c" : "\\x%02x", byte);
            }
            snprintf(error, error_size, "dmm_design: unknown property '%s%s' (valid: %s)", word,
                     used + 5 >= sizeof word ? "..." : "", design_valid_words);
            return -1;
        }
        found |= properties[p].property;
        i += length;
    }
    *properties_out = found;
    return 0;
}

void design_words(unsigned set, char *text, size_t size)
{
    size_t used = 0;
    if (size > 0)
        text[0] = '\0';
    for (size_t p = 0; p < PROPERTY_COUNT; p++)
        if ((set & properties[p].property) != 0 && used < size)
            used += (size_t)snprintf(text + used, size - used, "%s%s", used > 0 ? " " : "",
                                     properties[p].word);
}

/* ---- one walk ------------------------------------------------------------------ */

static void remember_free(struct design_walk *w, const struct dmm_chunk_info *chunk)
{
    if (w->now_count == w->now_capacity) {
        size_t capacity = w->now_capacity ? w->now_capacity * 2 : 256;
        struct design_chunk *bigger = realloc(w->now, capacity * sizeof *bigger);
        if (bigger == NULL) {
            w->out_of_memory = 1;
            return;
        }
        w->now = bigger;
        w->now_capacity = capacity;
    }
    w->now[w->now_count++] = (struct design_chunk){(uintptr_t)chunk->start, chunk->size};
}

static void visit(const struct dmm_chunk_info *chunk, void *arg)
{
    struct design_walk *w = arg;
    uintptr_t start = (uintptr_t)chunk->start;
    if (w->have_last && !w->adjacent && w->last.is_free && chunk->is_free
        && (uintptr_t)w->last.start + w->last.size == start) {
        w->adjacent = 1;
        w->adjacent_low = w->last;
        w->adjacent_high = *chunk;
    }
    if (chunk->is_free && (w->properties & DESIGN_ADDRESS_ORDERED) != 0)
        remember_free(w, chunk);
    /* A block lies in an allocated chunk, or in a never-reused region
     * (minimal, pad: dmm.h); never in the allocator's metadata. */
    if (!chunk->is_free && chunk->kind != DMM_CHUNK_METADATA && w->block != 0
        && !w->block_found && start <= w->block
        && w->block - start < chunk->size) {
        w->block_found = 1;
        w->block_chunk = (struct design_chunk){start, chunk->size};
    }
    w->last = *chunk;
    w->have_last = 1;
    if (w->next_visit != NULL)
        w->next_visit(chunk, w->next_arg);
}

dmm_visit_fn *design_walk_start(struct design_walk *w, uint64_t ops_done, const void *block,
                                dmm_visit_fn *next, void *next_arg)
{
    w->next_visit = next;
    w->next_arg = next_arg;
    w->ops_done = ops_done;
    w->block = (uintptr_t)block;
    w->have_last = 0;
    w->adjacent = 0;
    w->block_found = 0;
    w->now_count = 0;
    return visit;
}

/* " after line 15 (free id 3)", or "" when no op ran yet. */
static void after_op(const struct trace *trace, const struct trace_op *op, char *text,
                     size_t size)
{
    text[0] = '\0';
    if (op == NULL)
        return;
    char desc[96];
    describe_op(desc, sizeof desc, op, trace_id_of(trace, op));
    snprintf(text, size, " after line %lu (%s)", (unsigned long)op->line, desc);
}

/* address-ordered: the block's chunk came from the lowest-addressed free
 * chunk of the walk before that could hold it. Returns the free chunk that
 * should have been taken, or NULL. */
static const struct design_chunk *lower_fit(const struct design_walk *w)
{
    uintptr_t taken_from = UINTPTR_MAX; /* above the old break: the heap grew */
    for (size_t k = 0; k < w->before_count; k++) {
        const struct design_chunk *f = &w->before[k];
        if (f->start <= w->block_chunk.start && w->block_chunk.start - f->start < f->size)
            taken_from = f->start;
    }
    for (size_t k = 0; k < w->before_count; k++) {
        const struct design_chunk *f = &w->before[k];
        if (f->start < taken_from && f->size >= w->block_chunk.size)
            return f;
    }
    return NULL;
}

int design_walk_end(struct design_walk *w, const struct trace *trace, const struct trace_op *op,
                    char *what, size_t what_size)
{
    char after[160], a[24], b[24], c[24];
    after_op(trace, op, after, sizeof after);
    int status = 0;
    if (w->out_of_memory) {
        snprintf(what, what_size, "the harness ran out of memory checking the design");
        status = -1;
    } else if ((w->properties & DESIGN_COALESCES) != 0 && w->adjacent) {
        snprintf(what, what_size, "not coalesced: chunks at %s (%zu B) and %s (%zu B) are both free%s",
                 describe_address(a, w->adjacent_low.start), w->adjacent_low.size,
                 describe_address(b, w->adjacent_high.start), w->adjacent_high.size, after);
        status = -1;
    } else if ((w->properties & DESIGN_ADDRESS_ORDERED) != 0 && op != NULL && op->kind == 'a'
               && w->block_found && w->before_ops + 1 == w->ops_done) {
        const struct design_chunk *f = lower_fit(w);
        if (f != NULL) {
            snprintf(what, what_size,
                     "not address-ordered first fit%s: malloc returned %s in a chunk of %zu B at "
                     "%s, but the free chunk at %s (%zu B) lay below it and could hold it",
                     after, describe_address(a, (void *)w->block), w->block_chunk.size,
                     describe_address(b, (void *)w->block_chunk.start),
                     describe_address(c, (void *)f->start), f->size);
            status = -1;
        }
    }
    /* This walk is the one before the next. */
    struct design_chunk *chunks = w->before;
    size_t capacity = w->before_capacity;
    w->before = w->now, w->before_count = w->now_count, w->before_capacity = w->now_capacity;
    w->now = chunks, w->now_count = 0, w->now_capacity = capacity;
    w->before_ops = w->ops_done;
    return status;
}

void design_walk_free(struct design_walk *w)
{
    free(w->now);
    free(w->before);
    w->now = w->before = NULL;
    w->now_count = w->before_count = w->now_capacity = w->before_capacity = 0;
}
