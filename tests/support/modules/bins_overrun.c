/*
 * bins_overrun.c — bins (allocators/bins.c, unchanged) behind a malloc that
 * plays the lecture's strcpy mistake: every block of exactly
 * OVERRUN_REQUEST bytes gets one byte written past its end, the '\0' of a
 * strcpy into malloc(strlen(s)). The program's bug, done by the module so
 * that a plain trace can make it: bins' free must then abort with its
 * message, and dmm-replay must show that message (tests/canary.cmake,
 * docs/canary.md). Every other request is bins' own.
 */
#include "dmm.h"

#include <stddef.h>

#define OVERRUN_REQUEST 32 /* bytes: a payload that ends right at the footer */

void *bins_malloc(size_t size); /* bins.c's malloc, renamed below */

#define dmm_malloc bins_malloc
#include "bins.c"
#undef dmm_malloc

void *dmm_malloc(size_t size)
{
    char *block = bins_malloc(size);
    if (block != NULL && size == OVERRUN_REQUEST)
        block[size] = '\0'; /* strcpy's '\0', one byte too far */
    return block;
}
