/*
 * testfile.c — reading a whole file (see testfile.h).
 */
#include "testfile.h"

#include <check.h>
#include <stdio.h>
#include <stdlib.h>

char *test_read_file(const char *path, size_t *length)
{
    FILE *file = fopen(path, "rb");
    if (file == NULL)
        return NULL;
    size_t used = 0, capacity = 4096;
    char *text = malloc(capacity);
    ck_assert_ptr_nonnull(text);
    for (size_t got; (got = fread(text + used, 1, capacity - used - 1, file)) > 0;) {
        used += got;
        if (capacity - used - 1 == 0) {
            text = realloc(text, capacity *= 2);
            ck_assert_ptr_nonnull(text);
        }
    }
    fclose(file);
    text[used] = '\0';
    if (length != NULL)
        *length = used;
    return text;
}
