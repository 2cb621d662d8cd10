/*
 * dmm-run.c — run an unmodified program on one of dmm's allocators.
 *
 *     dmm-run [--stats] [--checked] NAME -- COMMAND [ARGS...]
 *
 * Puts DMM_PRELOAD_DIR/libdmm-preload-NAME.so in front of LD_PRELOAD (after
 * whatever is there already, so a tool the caller preloads still comes
 * first), sets DMM_STATS=1 with --stats (the library then writes the
 * allocator's figures to stderr at exit), DMM_CHECKED=1 with --checked
 * (guard bytes, junk fill, misuse reported: docs/preload.md), and replaces
 * itself with COMMAND. Every process COMMAND starts inherits the variables.
 *
 * Exit status: COMMAND's own, since dmm-run becomes COMMAND; 2 for a usage
 * error or an unknown allocator; 127 when COMMAND cannot be run (as the
 * shell does).
 */
#define _POSIX_C_SOURCE 200809L /* setenv */

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "dmm_allocators.h"

#ifndef DMM_PRELOAD_DIR
#error "CMake sets DMM_PRELOAD_DIR (the libraries' folder)"
#endif

/* The allocators a preload library is built for, separated by single
 * spaces (the build's list: dmm_allocators.h). */
static const char allocator_names[] = DMM_ALLOCATOR_WORDS;

/* 1 when name is one of the words of allocator_names. */
static int is_allocator(const char *name)
{
    size_t length = strlen(name);
    for (const char *word = allocator_names; *word != '\0';) {
        size_t word_length = strcspn(word, " ");
        if (word_length == length && strncmp(word, name, length) == 0)
            return length > 0;
        word += word_length;
        word += *word == ' ';
    }
    return 0;
}

static void usage(FILE *out)
{
    fprintf(out,
            "usage: dmm-run [--stats] [--checked] NAME -- COMMAND [ARGS...]\n"
            "Runs COMMAND with dmm's allocator NAME as its malloc (LD_PRELOAD).\n"
            "  --stats   write the allocator's figures (dmm_stats) to stderr at exit\n"
            "  --checked guard bytes after every block and junk-filled memory: a\n"
            "            double free, an invalid or interior pointer, or a write past\n"
            "            a block is reported at its free or realloc, then abort()\n"
            "  --help    this text\n"
            "NAME is one of: %s\n"
            "Libraries: %s\n", allocator_names, DMM_PRELOAD_DIR);
}

int main(int argc, char **argv)
{
    int stats = 0, checked = 0;
    int arg = 1;
    for (; arg < argc && argv[arg][0] == '-' && strcmp(argv[arg], "--") != 0; arg++) {
        if (strcmp(argv[arg], "--help") == 0 || strcmp(argv[arg], "-h") == 0) {
            usage(stdout);
            return 0;
        }
        if (strcmp(argv[arg], "--checked") == 0) {
            checked = 1;
            continue;
        }
        if (strcmp(argv[arg], "--stats") != 0) {
            fprintf(stderr, "dmm-run: unknown option '%s'\n", argv[arg]);
            usage(stderr);
            return 2;
        }
        stats = 1;
    }
    if (arg >= argc || strcmp(argv[arg], "--") == 0) {
        fprintf(stderr, "dmm-run: no allocator named\n");
        usage(stderr);
        return 2;
    }
    const char *name = argv[arg++];
    if (!is_allocator(name)) {
        fprintf(stderr, "dmm-run: unknown allocator '%s'; valid names: %s\n", name, allocator_names);
        return 2;
    }
    if (arg >= argc || strcmp(argv[arg], "--") != 0 || arg + 1 >= argc) {
        fprintf(stderr, "dmm-run: expected '-- COMMAND [ARGS...]' after the allocator name\n");
        usage(stderr);
        return 2;
    }
    char **command = &argv[arg + 1];

    char library[4096];
    int length = snprintf(library, sizeof library, "%s/libdmm-preload-%s.so", DMM_PRELOAD_DIR, name);
    if (length < 0 || (size_t)length >= sizeof library) {
        fprintf(stderr, "dmm-run: library path too long\n");
        return 2;
    }
    if (access(library, R_OK) != 0) {
        fprintf(stderr, "dmm-run: %s is missing: build it with "
                        "`cmake --build BUILD --target dmm-preload-%s`\n", library, name);
        return 2;
    }

    /* LD_PRELOAD is a list separated by spaces or colons. */
    const char *existing = getenv("LD_PRELOAD");
    char preload[8192];
    if (existing != NULL && existing[0] != '\0')
        length = snprintf(preload, sizeof preload, "%s:%s", existing, library);
    else
        length = snprintf(preload, sizeof preload, "%s", library);
    if (length < 0 || (size_t)length >= sizeof preload) {
        fprintf(stderr, "dmm-run: LD_PRELOAD too long\n");
        return 2;
    }
    if (setenv("LD_PRELOAD", preload, 1) != 0 || (stats && setenv("DMM_STATS", "1", 1) != 0)
        || (checked && setenv("DMM_CHECKED", "1", 1) != 0)) {
        perror("dmm-run: setenv");
        return 2;
    }
    execvp(command[0], command);
    fprintf(stderr, "dmm-run: cannot run '%s': ", command[0]);
    perror(NULL);
    return 127;
}
