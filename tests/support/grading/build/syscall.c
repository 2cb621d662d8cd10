/* Moves the program break itself, with the syscall instruction: refused,
 * only the heap section makes system calls. */
#define OWN_MALLOC
#include "dmm.h"

void *dmm_malloc(size_t size)
{
    long result, number = 12; /* brk on x86-64 */
    __asm__ volatile("syscall" : "=a"(result) : "a"(number), "D"(size) : "rcx", "r11", "memory");
    return (void *)result;
}
