/*
 * predict_map.c — the heap map of predict, then reveal: every chunk one walk
 * of the heap checker visits, kept (not only drawn) so that an address can
 * be looked up in the map drawn before the call, and drawn with each chunk's
 * number under it so that a student can name a chunk.
 *
 *     heap  [F 7904][A 112][A 80][F 32][A 64]
 *            0       1      2     3     4
 *
 * Each chunk is drawn by describe.c's describe_row_chunk, so it reads as
 * the demo's and dmm-replay --heap-map's rows do. The chunks are numbered
 * in the walk's order: the heap section's in address order, then the
 * mapped chunks.
 *
 * The right answers to "where" and "coalesce" are read here too, off the
 * maps before and after a call and dmm_stats' counters: what the allocator
 * did, never what a model of it would do (predict.h).
 */
#include "predict.h"

#include "describe.h"

#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* Columns a map line is wrapped at: a terminal's 80, less a margin. */
#define MAP_WIDTH 76
/* Chunks drawn at most (four lines of small chunks); the rest are counted,
 * with how many of all are free: a map of hundreds of chunks says nothing
 * at a glance, but the number of free chunks is what a search walks. */
#define MAP_CHUNKS_DRAWN 44

/* The checker's visitor: keeps every chunk. On running out of memory the
 * chunk is dropped and count stays where it is; the map is then short, which
 * the caller sees as an address found in no chunk. */
static void keep_chunk(const struct dmm_chunk_info *chunk, void *arg)
{
    struct predict_map *map = arg;
    if (map->count == map->capacity) {
        size_t grown = map->capacity ? map->capacity * 2 : 64;
        struct dmm_chunk_info *chunks = realloc(map->chunks, grown * sizeof *chunks);
        if (chunks == NULL)
            return;
        map->chunks = chunks;
        map->capacity = grown;
    }
    map->chunks[map->count++] = *chunk;
}

const char *predict_map_read(struct predict_map *map)
{
    map->count = 0;
    return dmm_check(keep_chunk, map);
}

void predict_map_free(struct predict_map *map)
{
    free(map->chunks);
    *map = (struct predict_map){0};
}

long long predict_map_find(const struct predict_map *map, const void *p)
{
    uintptr_t address = (uintptr_t)p;
    for (size_t i = 0; i < map->count; i++) {
        uintptr_t start = (uintptr_t)map->chunks[i].start;
        if (address >= start && address - start < map->chunks[i].size)
            return (long long)i;
    }
    return -1;
}

void predict_chunk_text(const struct dmm_chunk_info *chunk, char *text, size_t size)
{
    struct describe_row row;
    describe_row_start(&row, 1);
    describe_row_chunk(chunk, &row);
    snprintf(text, size, "%s", describe_row_end(&row));
}

/* Cuts the blanks the padding left at the end of a line. */
static void trim_right(char *text)
{
    size_t length = strlen(text);
    while (length > 0 && text[length - 1] == ' ')
        text[--length] = '\0';
}

void predict_map_print(const struct predict_map *map, const char *label)
{
    size_t indent = strlen(label) + 1;
    if (map->count == 0) {
        printf("%s (empty)\n", label);
        return;
    }
    size_t drawn = map->count < MAP_CHUNKS_DRAWN ? map->count : MAP_CHUNKS_DRAWN;
    size_t i = 0;
    while (i < drawn) {
        /* One line of brackets, the numbers under them. */
        char brackets[MAP_WIDTH + 64], numbers[MAP_WIDTH + 64];
        size_t used = 0;
        brackets[0] = numbers[0] = '\0';
        do {
            char chunk[40], number[24];
            predict_chunk_text(&map->chunks[i], chunk, sizeof chunk);
            snprintf(number, sizeof number, "%zu", i);
            size_t width = strlen(chunk);
            if (strlen(number) + 1 > width)
                width = strlen(number) + 1;
            if (used > 0 && indent + used + width > MAP_WIDTH)
                break;
            /* The number sits under the chunk's letter. */
            snprintf(brackets + used, sizeof brackets - used, "%-*s", (int)width, chunk);
            snprintf(numbers + used, sizeof numbers - used, " %-*s", (int)width - 1, number);
            used += width;
            i++;
        } while (i < drawn && used < MAP_WIDTH);
        trim_right(brackets);
        trim_right(numbers);
        printf("%-*s %s\n", (int)indent - 1, label, brackets);
        printf("%*s%s\n", (int)indent, "", numbers);
        label = "";
    }
    if (map->count > drawn) {
        size_t free_chunks = 0;
        for (size_t k = 0; k < map->count; k++)
            free_chunks += map->chunks[k].is_free != 0;
        printf("%*s... and %zu more chunks, numbered %zu to %zu; of all %zu, %zu free\n",
               (int)indent, "", map->count - drawn, drawn, map->count - 1, map->count,
               free_chunks);
    }
}

/* ---- the right answers, read off the maps and the counters ---------------------- */

long long predict_where(const void *p, const struct predict_map *before,
                        const struct predict_map *after, const struct dmm_stats *s0,
                        const struct dmm_stats *s1, int resized, char *why, size_t size)
{
    char chunk[40], now[40];
    if (p == NULL) {
        snprintf(why, size, "the call returned NULL");
        return PREDICT_NULL;
    }
    long long k = predict_map_find(before, p);
    int grew = s1->brk_calls > s0->brk_calls || s1->mmap_calls > s0->mmap_calls ||
               s1->mremap_calls > s0->mremap_calls;
    if (grew || k < 0) {
        int used = grew ? snprintf(why, size, "the heap grew (brk calls %llu -> %llu, mmap "
                                   "calls %llu -> %llu)", (unsigned long long)s0->brk_calls,
                                   (unsigned long long)s1->brk_calls,
                                   (unsigned long long)s0->mmap_calls,
                                   (unsigned long long)s1->mmap_calls)
                        : snprintf(why, size, "the block is in memory that no chunk of the "
                                   "map held");
        if (k >= 0 && used > 0 && (size_t)used < size) {
            predict_chunk_text(&before->chunks[k], chunk, sizeof chunk);
            snprintf(why + used, size - (size_t)used,
                     "; the block starts in what was chunk %lld %s, now extended", k, chunk);
        }
        return PREDICT_NEW;
    }
    const struct dmm_chunk_info *c = &before->chunks[k];
    long long a = predict_map_find(after, p);
    predict_chunk_text(c, chunk, sizeof chunk);
    if (a < 0) {
        snprintf(why, size, "inside chunk %lld %s", k, chunk);
        return k;
    }
    const struct dmm_chunk_info *n = &after->chunks[a];
    predict_chunk_text(n, now, sizeof now);
    /* The block's chunk as far as it lies in chunk k (pad's walk draws the
     * chunks it handed out as one, which starts below the pad). */
    uintptr_t c_start = (uintptr_t)c->start, c_end = c_start + c->size;
    uintptr_t n_start = (uintptr_t)n->start, n_end = n_start + n->size;
    uintptr_t from = n_start > c_start ? n_start : c_start, to = n_end < c_end ? n_end : c_end;
    const char *how;
    if (resized && !c->is_free) {
        how = n->size > c->size   ? "grown in place"
              : n->size < c->size ? "shrunk in place"
                                  : "in place";
        snprintf(why, size, "its own chunk %lld %s, %s: now %s", k, chunk, how, now);
        return k;
    }
    if (from == c_start && to == c_end)
        how = "all of chunk";
    else if (from == c_start)
        how = "the front of chunk";
    else if (to == c_end)
        how = "the tail of chunk";
    else
        how = "the middle of chunk";
    snprintf(why, size, "%s %lld %s; the block's chunk is %s", how, k, chunk, now);
    return k;
}

long long predict_merge(const struct dmm_chunk_info *freed, const struct predict_map *before,
                        const struct predict_map *after, char *why, size_t size)
{
    char now[40];
    uintptr_t start = (uintptr_t)freed->start, end = start + freed->size;
    long long a = predict_map_find(after, freed->start);
    if (a < 0) {
        snprintf(why, size, "its memory left the heap map (%zu chunks -> %zu)", before->count,
                 after->count);
        return MERGE_GONE;
    }
    const struct dmm_chunk_info *n = &after->chunks[a];
    uintptr_t n_start = (uintptr_t)n->start, n_end = n_start + n->size;
    int prev = n_start < start, next = n_end > end;
    predict_chunk_text(n, now, sizeof now);
    const char *what = prev && next ? "merged with the chunks before and after it"
                       : prev       ? "merged with the chunk before it"
                       : next       ? "merged with the chunk after it"
                       : n->is_free ? "not merged"
                                    : "not merged, and not free in the map";
    snprintf(why, size, "%s: chunk %lld is now %s (%zu chunks -> %zu)", what, a, now,
             before->count, after->count);
    return prev && next ? MERGE_BOTH : prev ? MERGE_PREV : next ? MERGE_NEXT : MERGE_NONE;
}
