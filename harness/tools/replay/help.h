/*
 * help.h — dmm-replay's --help text (help.c).
 */
#ifndef DMM_REPLAY_HELP_H
#define DMM_REPLAY_HELP_H

#include <stdio.h>

/* Prints the usage summary to out, with the defaults dmm-replay.c defines. */
void replay_print_help(FILE *out, int default_repeat, double default_timeout,
                       int default_series_points);

#endif /* DMM_REPLAY_HELP_H */
