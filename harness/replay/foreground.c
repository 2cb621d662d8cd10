/*
 * foreground.c — dmm-replay --foreground: one pair in dmm-replay's own
 * process, for a debugger (runner.h: runner_run_foreground).
 *
 * Step of the data flow: trace file -> parse -> pair -> [no child: this
 * process] -> checking pass -> result -> table/CSV/JSON.
 *
 * The runner (runner.c) runs every pair in a forked child, so that a
 * crash ends only that pair; under gdb that means `set follow-fork-mode
 * child`, and a breakpoint in the allocator is never hit in the parent.
 * Here the module is loaded into this process and replay_pair called
 * directly: `gdb --args dmm-replay --foreground -a mine TRACE` stops in
 * the student's code, and a crash stops gdb at the faulting line. No
 * timeout (a debugger pauses), no sandbox (gdb needs ptrace), no timing
 * run (it would time a process that loaded a module beside the harness).
 *
 * A failing pass is re-run with a check after every op, as the runner
 * does (recheck.h), in this process too: the module is reset before each
 * pass, so the message is the one the runner would print.
 */
#define _POSIX_C_SOURCE 200809L /* setenv */

#include "recheck.h"
#include "runner.h"

#include <stdio.h>
#include <stdlib.h>

int runner_run_foreground(const struct runner_plan *plan, struct runner_pair *pair)
{
    *pair = (struct runner_pair){
        .allocator = plan->allocators[0],
        .label = plan->labels != NULL ? plan->labels[0] : NULL,
        .policy = plan->policies != NULL ? plan->policies[0] : NULL,
        .trace = &plan->traces[0],
    };
    if (pair->policy != NULL)
        setenv("DMM_POLICY", pair->policy, 1);
    static struct allocator_module module; /* static: gdb's `print module` finds it */
    char error[sizeof pair->result.message];
    if (module_load(pair->allocator, plan->module_dir, &module, error, sizeof error) != 0 ||
        (pair->policy != NULL &&
         module_check_policy(&module, pair->policy, error, sizeof error) != 0)) {
        pair->load_failed = 1;
        pair->result = (struct replay_result){.status = REPLAY_FAIL,
                                              .ops = pair->trace->op_count};
        snprintf(pair->result.message, sizeof pair->result.message, "%s", error);
        return -1;
    }
    if (pair->label != NULL)
        snprintf(module.reported_name, sizeof module.reported_name, "%s", pair->label);

    struct replay_options options = plan->options;
    options.repeat = 0;
    replay_pair(&module, pair->trace, &options, &pair->result, NULL);
    if (recheck_wanted(&options, pair->trace, &pair->result)) {
        struct trace view;
        struct replay_options again_options;
        static struct replay_result again; /* 600 bytes: off the stack */
        recheck_prepare(pair->trace, &pair->result, &options, &view, &again_options);
        again = (struct replay_result){0};
        replay_pair(&module, &view, &again_options, &again, NULL);
        recheck_merge(&pair->result, &again, &view, 0);
    }
    fflush(stdout);
    return 0;
}
