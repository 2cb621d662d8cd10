/*
 * predict_checker_fails.c — list.c whose heap checker reports a broken
 * invariant from its fourth walk on: for the test that dmm-predict stops
 * with exit status 1 and the checker's message, naming the operation after
 * which it walked (tests/predict.cmake builds dmm-predict-checker-fails).
 *
 * list.c is compiled as it is, its dmm_check renamed; the dmm_check below
 * walks with it and then lies. dmm-predict walks once before the first
 * operation and once after each, so the fourth walk follows operation 3.
 */
#define dmm_check list_dmm_check
#include "../../allocators/list.c"
#undef dmm_check

const char *dmm_check(dmm_visit_fn *visit, void *arg);

const char *dmm_check(dmm_visit_fn *visit, void *arg)
{
    static int walks;
    const char *problem = list_dmm_check(visit, arg);
    if (problem == NULL && ++walks >= 4)
        return "invariant 9 broken (planted by predict_checker_fails.c)";
    return problem;
}
