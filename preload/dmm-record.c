/*
 * dmm-record.c — record a program's allocations as a dmm trace.
 *
 *     dmm-record [-o FILE] -- COMMAND [ARGS...]
 *
 * Appends DMM_PRELOAD_DIR/libdmm-record.so to LD_PRELOAD (after whatever is
 * there already, as dmm-run does, so `dmm-record -- dmm-run bins -- prog`
 * records prog running on bins), names the trace in DMM_RECORD_FILE (an
 * absolute path, so COMMAND may change folders) and the process to record in
 * DMM_RECORD_PID (this one: exec keeps the process ID), and replaces itself
 * with COMMAND. The library (record.c) writes the trace; docs/record.md.
 *
 * The trace file is created here, empty, before COMMAND starts: it stays
 * empty when the library never loads (a static or setuid program), and a
 * folder that cannot be written is reported before anything runs.
 *
 * Exit status: COMMAND's own, since dmm-record becomes COMMAND; 2 for a
 * usage error or a trace file that cannot be created; 127 when COMMAND
 * cannot be run (as the shell and dmm-run do).
 */
#define _POSIX_C_SOURCE 200809L /* setenv, getcwd */

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#ifndef DMM_PRELOAD_DIR
#error "DMM_PRELOAD_DIR must name the folder of the preload libraries (CMake sets it)"
#endif

#define DEFAULT_TRACE "dmm.trace"
#define PATH_BYTES 4096     /* PATH_MAX on Linux */
#define PRELOAD_BYTES 8192  /* LD_PRELOAD with ours appended */

static void usage(FILE *out)
{
    fprintf(out,
            "usage: dmm-record [-o FILE] -- COMMAND [ARGS...]\n"
            "Runs COMMAND and writes its malloc, calloc, realloc, free and aligned\n"
            "allocations as a dmm trace (docs/traces.md), which dmm-replay replays.\n"
            "glibc's malloc still serves the program (LD_PRELOAD of libdmm-record.so).\n"
            "  -o FILE   the trace (default: " DEFAULT_TRACE " in the current folder)\n"
            "  --help    this text\n"
            "Only COMMAND's own process is recorded: not the programs it starts, nor\n"
            "its forked children (docs/record.md).\n"
            "Library: %s/libdmm-record.so\n",
            DMM_PRELOAD_DIR);
}

static int usage_error(const char *message)
{
    fprintf(stderr, "dmm-record: %s\n", message);
    usage(stderr);
    return 2;
}

int main(int argc, char **argv)
{
    const char *output = DEFAULT_TRACE;
    int arg = 1;
    for (; arg < argc && strcmp(argv[arg], "--") != 0; arg++) {
        if (strcmp(argv[arg], "--help") == 0 || strcmp(argv[arg], "-h") == 0) {
            usage(stdout);
            return 0;
        }
        if (strcmp(argv[arg], "-o") == 0 || strcmp(argv[arg], "--output") == 0) {
            if (arg + 1 >= argc || argv[arg + 1][0] == '\0')
                return usage_error("-o needs a file name");
            output = argv[++arg];
            continue;
        }
        if (argv[arg][0] == '-') {
            fprintf(stderr, "dmm-record: unknown option '%s'\n", argv[arg]);
            usage(stderr);
            return 2;
        }
        return usage_error("expected '-- COMMAND [ARGS...]' after the options");
    }
    if (arg + 1 >= argc)
        return usage_error("no command given after '--'");
    char **command = &argv[arg + 1];

    char library[PATH_BYTES];
    int length = snprintf(library, sizeof library, "%s/libdmm-record.so", DMM_PRELOAD_DIR);
    if (length < 0 || (size_t)length >= sizeof library || access(library, R_OK) != 0) {
        fprintf(stderr, "dmm-record: %s is missing: build it with "
                        "`cmake --build BUILD --target dmm-record-preload`\n", library);
        return 2;
    }

    char trace[PATH_BYTES], folder[PATH_BYTES];
    if (output[0] == '/')
        length = snprintf(trace, sizeof trace, "%s", output);
    else if (getcwd(folder, sizeof folder) != NULL)
        length = snprintf(trace, sizeof trace, "%s/%s", folder, output);
    else
        length = -1;
    if (length < 0 || (size_t)length >= sizeof trace) {
        fprintf(stderr, "dmm-record: %s: cannot make an absolute path of it\n", output);
        return 2;
    }
    int fd = open(trace, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);
    if (fd < 0) {
        fprintf(stderr, "dmm-record: %s: %s\n", output, strerror(errno));
        return 2;
    }
    close(fd);

    /* LD_PRELOAD is a list separated by spaces or colons. */
    const char *existing = getenv("LD_PRELOAD");
    char preload[PRELOAD_BYTES], pid[32];
    if (existing != NULL && existing[0] != '\0')
        length = snprintf(preload, sizeof preload, "%s:%s", existing, library);
    else
        length = snprintf(preload, sizeof preload, "%s", library);
    if (length < 0 || (size_t)length >= sizeof preload) {
        fprintf(stderr, "dmm-record: LD_PRELOAD too long\n");
        return 2;
    }
    snprintf(pid, sizeof pid, "%ld", (long)getpid());
    if (setenv("LD_PRELOAD", preload, 1) != 0 || setenv("DMM_RECORD_FILE", trace, 1) != 0 ||
        setenv("DMM_RECORD_PID", pid, 1) != 0) {
        perror("dmm-record: setenv");
        return 2;
    }
    execvp(command[0], command);
    fprintf(stderr, "dmm-record: cannot run '%s': %s\n", command[0], strerror(errno));
    unlink(trace); /* nothing ran: no trace, rather than an empty one */
    return 127;
}
