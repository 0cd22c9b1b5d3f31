/* common.h: the workbook's plumbing, not its lessons.
 *
 * Error messages, command-line options, a timer and small file helpers that
 * every chapter program needs. Nothing here is about neural networks; read it
 * once and then forget it. Like the chapters, it is included (not linked), so
 * each program is still one file compiled with one command.
 */
#ifndef COMMON_H
#define COMMON_H

/* Ask the C library for the POSIX functions we use (fstat, mkdir,
 * clock_gettime) on top of plain C11. Must come before any #include. */
#ifndef _POSIX_C_SOURCE
#define _POSIX_C_SOURCE 200809L
#endif

#include <errno.h>
#include <limits.h>
#include <math.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>

/* The hot loops (a layer's forward and backward pass) are compiled twice:
 * for CPUs with AVX2, whose vector instructions work on 8 floats at a time,
 * and for any x86-64 CPU (4 at a time); the program picks one when it
 * starts. Both give exactly the same numbers: each float is multiplied and
 * added in the same order, only more of them at once. (Elsewhere, or with
 * another compiler, this is simply ignored.) */
#if defined(__x86_64__) && defined(__GNUC__)
#define WIDE_VECTORS __attribute__((target_clones("avx2", "default")))
#else
#define WIDE_VECTORS
#endif

/* An error a user can cause (a missing file, a bad option) travels back to
 * main as a message. Library functions fill one in and return -1; only main
 * prints it and exits. */
typedef struct {
    char msg[512];
} Error;

/* The name the program was started as, for messages ("01_idx: ..."). */
extern const char *program_name;
const char *program_name = "workbook";

int error_set(Error *err, const char *format, ...)
    __attribute__((format(printf, 2, 3)));
void exercise_todo(const char *id);
void cli_init(int argc, char **argv);
_Noreturn void usage_error(const char *format, ...)
    __attribute__((format(printf, 1, 2)));
_Noreturn void fail_with(const Error *err);
int option_is(const char *arg, const char *name);
const char *option_value(int argc, char **argv, int *i);
long option_long(int argc, char **argv, int *i, long min, long max);
double option_positive(int argc, char **argv, int *i);
int option_sizes(int argc, char **argv, int *i, int *sizes, int max_sizes);
double seconds_now(void);
FILE *output_open(const char *dir, const char *name, Error *err);
int output_close(FILE *file, const char *dir, const char *name, Error *err);

/* Fill in err's message, printf-style, and return -1 so that a function can
 * say `return error_set(err, "...", ...);`. */
int error_set(Error *err, const char *format, ...)
{
    va_list args;
    va_start(args, format);
    vsnprintf(err->msg, sizeof err->msg, format, args);
    va_end(args);
    return -1;
}

/* In the student edition, a function whose solution was cut out calls
 * this: the first time, it says so on stderr, so that a program that prints
 * nonsense explains why. (The full workbook never calls it.) */
void exercise_todo(const char *id)
{
    static char said[64][8];
    for (int k = 0; k < 64; k++) {
        if (strcmp(said[k], id) == 0)
            return;
        if (said[k][0] == '\0') {
            snprintf(said[k], sizeof said[k], "%s", id);
            fprintf(stderr, "%s: exercise %s is not done yet: its function "
                            "is a stub (see TODO(%s) in the code)\n",
                    program_name, id, id);
            return;
        }
    }
}

void cli_init(int argc, char **argv)
{
    if (argc > 0 && argv[0] != NULL) {
        const char *slash = strrchr(argv[0], '/');
        program_name = slash ? slash + 1 : argv[0];
    }
}

/* A bad command line: one line saying what was wrong, a pointer to --help,
 * exit status 2 (the shell convention for "wrong usage"). */
void usage_error(const char *format, ...)
{
    va_list args;
    fprintf(stderr, "%s: ", program_name);
    va_start(args, format);
    vfprintf(stderr, format, args);
    va_end(args);
    fprintf(stderr, " (try '%s --help')\n", program_name);
    exit(2);
}

/* Bad data or a failed write: print the message main got back, exit 1. */
void fail_with(const Error *err)
{
    fprintf(stderr, "%s: %s\n", program_name, err->msg);
    exit(1);
}

int option_is(const char *arg, const char *name)
{
    return strcmp(arg, name) == 0;
}

/* The value after option argv[*i]; moves *i past it. */
const char *option_value(int argc, char **argv, int *i)
{
    if (*i + 1 >= argc)
        usage_error("%s needs a value", argv[*i]);
    *i += 1;
    return argv[*i];
}

/* A whole number in [min, max] (max LONG_MAX: no upper limit). strtol alone would accept "12abc" as 12 and
 * "" as 0, so we check that the whole string was used and that it did not
 * overflow. */
long option_long(int argc, char **argv, int *i, long min, long max)
{
    const char *name = argv[*i];
    const char *text = option_value(argc, argv, i);
    char *end;
    errno = 0;
    long value = strtol(text, &end, 10);
    if (end == text || *end != '\0' || errno == ERANGE || value < min ||
        value > max) {
        if (max == LONG_MAX)
            usage_error("%s expects a whole number of at least %ld, got '%s'",
                        name, min, text);
        usage_error("%s expects a whole number from %ld to %ld, got '%s'", name,
                    min, max, text);
    }
    return value;
}

/* A positive, finite real number such as a learning rate. */
double option_positive(int argc, char **argv, int *i)
{
    const char *name = argv[*i];
    const char *text = option_value(argc, argv, i);
    char *end;
    errno = 0;
    double value = strtod(text, &end);
    if (end == text || *end != '\0' || errno == ERANGE || !isfinite(value) ||
        value <= 0)
        usage_error("%s expects a positive number such as 0.1, got '%s'", name,
                    text);
    return value;
}

/* A comma-separated list of sizes such as "16,16" into sizes[]; returns how
 * many (1 to max_sizes). Each size must be a whole number from 1 to 4096. */
int option_sizes(int argc, char **argv, int *i, int *sizes, int max_sizes)
{
    const char *name = argv[*i];
    const char *text = option_value(argc, argv, i);
    const char *start = text;
    int n = 0;
    for (;;) {
        char *end;
        errno = 0;
        long value = strtol(start, &end, 10);
        if (end == start || (*end != ',' && *end != '\0') || errno == ERANGE ||
            value < 1 || value > 4096 || n == max_sizes)
            usage_error("%s expects 1 to %d sizes from 1 to 4096 separated "
                        "by commas, such as 16,16; got '%s'",
                        name, max_sizes, text);
        sizes[n++] = (int)value;
        if (*end == '\0')
            return n;
        start = end + 1;
    }
}

/* Wall-clock seconds from an arbitrary start; subtract two readings. */
double seconds_now(void)
{
    struct timespec t;
    clock_gettime(CLOCK_MONOTONIC, &t);
    return (double)t.tv_sec + (double)t.tv_nsec * 1e-9;
}

/* Open dir/name for writing, creating dir (one level) if needed. Programs
 * write the data behind the book's figures and values this way. */
FILE *output_open(const char *dir, const char *name, Error *err)
{
    char path[4096];
    if (snprintf(path, sizeof path, "%s/%s", dir, name) >= (int)sizeof path) {
        error_set(err, "%s: path is too long", dir);
        return NULL;
    }
    if (mkdir(dir, 0777) != 0 && errno != EEXIST) {
        error_set(err, "%s: cannot create directory: %s", dir, strerror(errno));
        return NULL;
    }
    FILE *file = fopen(path, "w");
    if (file == NULL)
        error_set(err, "%s: cannot write: %s", path, strerror(errno));
    return file;
}

/* Close a file from output_open; a full disk shows up here, not earlier. */
int output_close(FILE *file, const char *dir, const char *name, Error *err)
{
    int failed = ferror(file);
    if (fclose(file) != 0 || failed)
        return error_set(err, "%s/%s: write failed", dir, name);
    return 0;
}

#endif /* COMMON_H */
