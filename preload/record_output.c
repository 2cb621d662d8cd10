/*
 * record_output.c — the trace text of libdmm-record.so (record.c decides
 * what to write; this file writes it): a static buffer written out with
 * write(2) in whole lines, numbers in decimal, the header comments (the
 * command line, the date, the process) and the footer's counts.
 *
 * What must stay true
 *   1. Nothing in here allocates through malloc or uses stdio (record.c,
 *      rule 3): the buffer and the command line's copy are static, the date
 *      is computed here rather than by gmtime_r.
 *   2. The trace holds whole lines: the buffer is written out at a line's
 *      end once fewer than LINE_BYTES are left, so a program killed by a
 *      signal loses at most the last BUFFER_BYTES, in whole lines.
 *   3. Once recording stops (a failed write, a forked child, the end),
 *      text is discarded, never written.
 *   4. The last line of a finished trace is "# end: complete", and only
 *      the footer writes it: a trace without it was cut short (a signal, a
 *      failed write), and the trace parser says so (docs/record.md).
 *   5. A failed write is said on a copy of standard error made when the
 *      trace was opened: programs such as ls close fd 2 before they exit,
 *      which is when the last part of the trace is written.
 *
 * Every function here runs with the recorder's lock held (record.h).
 */
#define _POSIX_C_SOURCE 200809L /* open, O_CLOEXEC, clock_gettime */

#include "record.h"

#include <errno.h>
#include <fcntl.h>
#include <stdint.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#define RECORD_VERSION "0.1"      /* dmm's version (project() in CMakeLists.txt) */
#define BUFFER_BYTES 65536        /* trace bytes gathered per write(2) */
#define LINE_BYTES 256            /* longer than any line but the header's command */
#define COMMAND_BYTES 4096        /* the header shows this much of the command line */
#define PATH_BYTES 4096           /* of the trace's path, for messages (PATH_MAX) */
#define SAY_FD_LOWEST 10          /* the copy of stderr goes at or above this descriptor */

static struct output {
    int recording;               /* 1 while lines go to the trace */
    int fd;                      /* the trace file */
    int say_fd;                  /* a copy of standard error (rule 5); -1: none, use 2 */
    char path[PATH_BYTES];       /* the trace file, as DMM_RECORD_FILE names it */
    char buffer[BUFFER_BYTES];   /* trace text not yet written */
    size_t buffered;             /* bytes used in buffer */
} out = {.fd = -1, .say_fd = -1};

/* ---- the output buffer ---------------------------------------------------- */

void record_say(const char *message)
{
    ssize_t ignored = write(out.say_fd >= 0 ? out.say_fd : 2, message, strlen(message));
    (void)ignored;
}

int record_open_trace(const char *path)
{
    size_t length = strlen(path);
    if (length >= sizeof out.path)
        length = sizeof out.path - 1;
    memcpy(out.path, path, length);
    out.path[length] = '\0';
    if (out.say_fd < 0)
        out.say_fd = fcntl(2, F_DUPFD_CLOEXEC, SAY_FD_LOWEST);
    out.fd = open(path, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);
    return out.fd < 0 ? -1 : 0;
}

/* What a failed write(2) of the trace means, as strerror says it in the C
 * locale; strerror itself may allocate (translated messages) and this code
 * runs inside malloc (rule 1). */
static const char *write_error(int error)
{
    switch (error) {
    case ENOSPC: return "No space left on device";
    case EDQUOT: return "Disk quota exceeded";
    case EFBIG: return "File too large";
    case EIO: return "Input/output error";
    case EPIPE: return "Broken pipe";
    case EBADF: return "Bad file descriptor";
    case EROFS: return "Read-only file system";
    case 0: return "nothing was written";
    default: return "the write failed";
    }
}

int record_is_on(void)
{
    return out.recording;
}

void record_stop(void)
{
    out.recording = 0;
    out.buffered = 0;
    if (out.fd >= 0)
        close(out.fd);
    out.fd = -1;
}

void record_flush(void)
{
    size_t done = 0;
    while (done < out.buffered) {
        ssize_t wrote = write(out.fd, out.buffer + done, out.buffered - done);
        if (wrote < 0 && errno == EINTR)
            continue;
        if (wrote <= 0) {
            /* "dmm-record: /dev/full: No space left on device; ...", like the
             * tools' I/O errors (rule 5) */
            const char *why = write_error(wrote < 0 ? errno : 0);
            record_say("dmm-record: ");
            record_say(out.path);
            record_say(": ");
            record_say(why);
            record_say("; recording stopped, the trace is cut short\n");
            record_stop();
            return;
        }
        done += (size_t)wrote;
    }
    out.buffered = 0;
}

/* Only a line longer than LINE_BYTES (the header's command) can be split
 * between two writes (rule 2). */
static void put_char(char c)
{
    if (!out.recording)
        return;
    if (out.buffered == BUFFER_BYTES)
        record_flush();
    out.buffer[out.buffered++] = c;
    if (c == '\n' && out.buffered > BUFFER_BYTES - LINE_BYTES)
        record_flush();
}

void record_text(const char *text)
{
    while (*text != '\0')
        put_char(*text++);
}

void record_number(uint64_t n)
{
    char digits[20]; /* 2^64 - 1 has 20 */
    int count = 0;
    do {
        digits[count++] = (char)('0' + n % 10);
        n /= 10;
    } while (n > 0);
    while (count > 0)
        put_char(digits[--count]);
}

/* One operation line: "a 7 24", "c 3 10 16", "f 7"; nmemb only for 'c'. */
void record_line(char kind, uint32_t id, size_t nmemb, size_t size)
{
    put_char(kind);
    put_char(' ');
    record_number(id);
    if (kind == 'c') {
        put_char(' ');
        record_number(nmemb);
    }
    if (kind != 'f') {
        put_char(' ');
        record_number(size);
    }
    put_char('\n');
}

/* ---- the header and the end of the trace ---------------------------------- */

/* Writes one argument so that a shell would read it back as one word. */
static void put_word(const char *word, size_t length)
{
    int plain = length > 0;
    for (size_t i = 0; i < length; i++)
        if (strchr("abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789_./=:,+@%-",
                   word[i]) == NULL)
            plain = 0;
    if (!plain)
        put_char('\'');
    for (size_t i = 0; i < length; i++) {
        unsigned char c = (unsigned char)word[i];
        if (c == '\'')
            record_text("'\\''");
        else
            put_char(c < 0x20 || c == 0x7f ? '?' : (char)c); /* a newline would end the comment */
    }
    if (!plain)
        put_char('\'');
}

static void put_command_line(void)
{
    static char command[COMMAND_BYTES];
    size_t length = 0;
    int fd = open("/proc/self/cmdline", O_RDONLY | O_CLOEXEC);
    if (fd >= 0) {
        ssize_t got;
        while (length < COMMAND_BYTES && (got = read(fd, command + length, COMMAND_BYTES - length)) > 0)
            length += (size_t)got;
        close(fd);
    }
    record_text("# command:");
    for (size_t start = 0; start < length;) {
        size_t end = start;
        while (end < length && command[end] != '\0')
            end++;
        put_char(' ');
        put_word(command + start, end - start);
        start = end + 1;
    }
    if (length == COMMAND_BYTES)
        record_text(" ...");
    put_char('\n');
}

static void put_two_digits(unsigned n)
{
    put_char((char)('0' + n / 10));
    put_char((char)('0' + n % 10));
}

/* The date in UTC, ISO 8601, computed here because gmtime_r may load time
 * zone files through malloc. Days to civil date: H. Hinnant's algorithm. */
static void put_date(void)
{
    struct timespec now;
    clock_gettime(CLOCK_REALTIME, &now);
    int64_t seconds = now.tv_sec, days = seconds / 86400, second_of_day = seconds % 86400;
    int64_t shifted = days + 719468; /* days from 0000-03-01 */
    int64_t era = shifted / 146097, day_of_era = shifted - era * 146097;
    int64_t year_of_era = (day_of_era - day_of_era / 1460 + day_of_era / 36524 - day_of_era / 146096) / 365;
    int64_t day_of_year = day_of_era - (365 * year_of_era + year_of_era / 4 - year_of_era / 100);
    int64_t month_index = (5 * day_of_year + 2) / 153; /* 0 = March */
    unsigned day = (unsigned)(day_of_year - (153 * month_index + 2) / 5 + 1);
    unsigned month = (unsigned)(month_index < 10 ? month_index + 3 : month_index - 9);
    int64_t year = year_of_era + era * 400 + (month <= 2);
    record_number((uint64_t)year);
    put_char('-');
    put_two_digits(month);
    put_char('-');
    put_two_digits(day);
    put_char('T');
    put_two_digits((unsigned)(second_of_day / 3600));
    put_char(':');
    put_two_digits((unsigned)(second_of_day / 60 % 60));
    put_char(':');
    put_two_digits((unsigned)(second_of_day % 60));
    put_char('Z');
}

/* Turns recording on and writes the header comments. */
void record_start(void)
{
    out.recording = 1;
    record_text("# dmm trace written by dmm-record " RECORD_VERSION " (libdmm-record.so)\n");
    put_command_line();
    record_text("# date: ");
    put_date();
    record_text("\n# pid ");
    record_number((uint64_t)getpid());
    record_text("; freed IDs are reused, last freed first (docs/record.md)\n");
}

void record_footer(const struct record_totals *totals)
{
    record_text("# end: ");
    record_number(totals->lines[0]);
    record_text(" a, ");
    record_number(totals->lines[1]);
    record_text(" c, ");
    record_number(totals->lines[2]);
    record_text(" r, ");
    record_number(totals->lines[3]);
    record_text(" f; ");
    record_number(totals->ids);
    record_text(" IDs (the peak of live blocks); ");
    record_number(totals->live);
    record_text(" blocks still live\n# ");
    record_number(totals->aligned);
    record_text(" aligned allocations recorded as `a` (largest alignment ");
    record_number(totals->largest_alignment);
    record_text(" bytes); ");
    record_number(totals->unknown);
    record_text(" frees or reallocs of pointers not recorded; ");
    record_number(totals->failed);
    record_text(" failed calls\n# end: complete\n"); /* rule 4: the last line */
}
