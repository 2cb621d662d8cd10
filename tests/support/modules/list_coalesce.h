/*
 * list_coalesce.h — the lecture's list's coalesce, correct: both
 * neighbours (CS:APP's four cases), for the modules made from list_base.h
 * whose bug is elsewhere (list_short.c, realloc_twice.c). Included after
 * list_base.h, by one file per module.
 */
#ifndef DMM_LIST_COALESCE_H
#define DMM_LIST_COALESCE_H

/* c was just linked in after prev; returns the free chunk that holds it. */
static struct chunk *coalesce(struct chunk *prev, struct chunk *c)
{
    struct chunk *next = c->next;
    if (next != NULL && chunk_next_in_memory(c) == next) { /* cases 2 and 4: the one after */
        c->size += chunk_size(next);
        c->next = next->next;
    }
    if (prev != NULL && chunk_next_in_memory(prev) == c) { /* cases 3 and 4: the one before */
        prev->size += chunk_size(c);
        prev->next = c->next;
        return prev;
    }
    return c;
}

#endif /* DMM_LIST_COALESCE_H */
