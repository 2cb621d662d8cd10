/*
 * testfile.h — reading a whole file, for the tests of the tools (which
 * link no allocator, so not testlib).
 */
#ifndef DMM_TESTFILE_H
#define DMM_TESTFILE_H

#include <stddef.h>

/* The whole file at path, NUL-terminated, from the C library's malloc (the
 * caller frees it); *length (if not NULL) gets its size in bytes. NULL when
 * the file cannot be opened; a test fails when memory runs out. */
char *test_read_file(const char *path, size_t *length);

#endif /* DMM_TESTFILE_H */
