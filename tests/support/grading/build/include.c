/* Includes a file of the grading machine: refused before compiling, and
 * the compiler's messages (which would quote its lines) are not kept. */
#include "/etc/passwd"
#include "dmm.h"
