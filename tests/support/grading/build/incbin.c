/* Has the assembler read a file of the grading machine into the module,
 * for dmm_check to hand out: refused, as is all inline assembly. */
#define OWN_CHECK
#include "dmm.h"

const char *dmm_check(dmm_visit_fn *visit, void *arg)
{
    const char *file;
    (void)visit, (void)arg;
    __asm__(".pushsection .rodata\n1: .incbin \"/etc/hostname\"\n.byte 0\n.popsection\n"
            "lea 1b(%%rip), %0" : "=r"(file));
    return file;
}
