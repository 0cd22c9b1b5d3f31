/* common.h: the workbook's plumbing, not its lessons.
 *
 * Error messages, command-line options, a timer and small file helpers that
 * every chapter program needs. Nothing here is about neural networks; read it
 * once and then forget it. Like the chapters, it is included (not linked), so
 * each program is still one file compiled with one command.
 */
#ifndef COMMON_H
#define COMMON_H

/* Ask the C library for the POSIX functions we use (open, fstat, mkdir,
 * mkstemp, rename, clock_gettime) on top of plain C11. Must come before any
 * #include. */
#ifndef _POSIX_C_SOURCE
#define _POSIX_C_SOURCE 200809L
#endif

#include <errno.h>
#include <fcntl.h>
#include <float.h>
#include <limits.h>
#include <math.h>
#include <signal.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

// @listing wide_vectors
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
// @end wide_vectors

// @listing error
/* An error a user can cause (a missing file, a bad option) travels back to
 * main as a message. The rule: only main, and the command-line parser main
 * calls first, print an error and exit (usage_error for a bad command line,
 * fail_with for data); every other function fills an Error and returns -1
 * (or NULL). */
typedef struct {
    char msg[2 * 4096 + 512]; /* room for two paths of PATH_MAX */
    int usage; /* 1: the command line is at fault (exit 2), 0: data (1) */
} Error;
// @end error

/* The most memory one network or one file's data may take: a file or a
 * command line that asks for more is refused before anything is allocated,
 * with the size it would need. */
#define MEMORY_CAP ((size_t)2 << 30) /* 2 GiB */

/* The name the program was started as, for messages ("01_idx: ..."). */
extern const char *program_name;
const char *program_name = "workbook";

int error_set(Error *err, const char *format, ...)
    __attribute__((format(printf, 2, 3)));
int usage_set(Error *err, const char *format, ...)
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
double option_nonnegative(int argc, char **argv, int *i);
int option_sizes(int argc, char **argv, int *i, int *sizes, int max_sizes);
int option_numbers(int argc, char **argv, int *i, double *values,
                   int max_values, int zero_allowed);
int option_seeds(int argc, char **argv, int *i, long *seeds, int max_seeds);

/* One command-line option of a program: its name, the shape of its value
 * (for --help), what it may be, where it goes, and a line of help. Each
 * program lists its options once, in a table: options_parse reads argv
 * against it, --help prints it, and a bad value gets one line naming the
 * option and exit 2. */
typedef enum {
    OPTION_TEXT,        /* const char *: a file or a folder */
    OPTION_WHOLE,       /* long, from min to max (LONG_MAX: no upper limit) */
    OPTION_POSITIVE,    /* double: positive, and a float can hold it */
    OPTION_NONNEGATIVE, /* double: 0 or positive */
    OPTION_CHOICE,      /* int: where the value is among `choices` */
    OPTION_SIZES,       /* int[max]: layer sizes, such as 16,16; with min 0,
                           "none" gives none; how many goes to *count */
    OPTION_NUMBERS,     /* double[max]: positive numbers (with min 0: or 0);
                           how many goes to *count */
    OPTION_SEEDS,       /* long[max]: "N", the seeds 1 to N, or a list such
                           as 11,12,13; how many goes to *count */
    OPTION_FLAG         /* int: set to 1; the option takes no value */
} OptionKind;

typedef struct {
    const char *name, *value; /* "--seed", "N" */
    OptionKind kind;
    void *target;
    long min, max;
    const char *choices; /* OPTION_CHOICE: "small|he" */
    int *count;          /* OPTION_SIZES, OPTION_NUMBERS */
    const char *help;    /* one line, or several separated by '\n' */
} Option;

void options_parse(const Option *options, int n_options, const char *about,
                   int argc, char **argv);

/* Entries most tables hold. */
// clang-format off
#define OPTION_DATA(target)                                                   \
    {"--data", "DIR", OPTION_TEXT, target,                                    \
     .help = "folder with the MNIST files (default data/mnist)"}
#define OPTION_OUT(target)                                                    \
    {"--out", "DIR", OPTION_TEXT, target,                                     \
     .help = "also write the data for the chapter's figures and\n"            \
             "values.txt into DIR"}
#define OPTION_SEED(target)                                                   \
    {"--seed", "N", OPTION_WHOLE, target, 0, LONG_MAX,                        \
     .help = "seed of the random weights (default 1)"}
// clang-format on
#define OPTIONS_COUNT(table) ((int)(sizeof table / sizeof table[0]))
double seconds_now(void);
int memory_check(size_t bytes, const char *what, Error *err);
FILE *input_open(const char *path, size_t *size, Error *err);
FILE *output_open(const char *dir, const char *name, Error *err);
FILE *output_open_file(const char *path, Error *err);
FILE *output_reserved(const char *path);
int output_close(FILE *file, const char *dir, const char *name, Error *err);
int outputs_open(const char *dir, const char *const *names, int n, Error *err);
int path_is(const char *path, const char *dir, const char *name);
int outputs_commit(Error *err);
void outputs_discard(void);
void outputs_discard_on_signals(void);

// @listing error_set
/* Fill in err's message, printf-style, and return -1 so that a function can
 * say `return error_set(err, "...", ...);`. */
int error_set(Error *err, const char *format, ...)
{
    va_list args;
    va_start(args, format);
    vsnprintf(err->msg, sizeof err->msg, format, args);
    va_end(args);
    err->usage = 0;
    return -1;
}
// @end error_set

/* The same for a command line that cannot work (an option's value that
 * does not fit the data, say): fail_with then exits 2, as usage_error. */
int usage_set(Error *err, const char *format, ...)
{
    va_list args;
    va_start(args, format);
    vsnprintf(err->msg, sizeof err->msg, format, args);
    va_end(args);
    err->usage = 1;
    return -1;
}

/* In the student edition, a function whose solution was cut out calls
 * this: the first time, it says so on stderr, so that a program that prints
 * nonsense explains why. (The full workbook never calls it.) Under the test
 * runner, which sets WORKBOOK_TODO_FILE, it notes the id in that file
 * instead: the runner says it once for all its tests, and ./build.sh grade
 * tells an exercise not started from one done wrong. */
void exercise_todo(const char *id)
{
    static char said[64][8];
    for (int k = 0; k < 64; k++) {
        if (strcmp(said[k], id) == 0)
            return;
        if (said[k][0] == '\0') {
            snprintf(said[k], sizeof said[k], "%s", id);
            const char *todo = getenv("WORKBOOK_TODO_FILE");
            FILE *file = todo != NULL ? fopen(todo, "a") : NULL;
            if (file != NULL) {
                fprintf(file, "%s\n", id);
                fclose(file);
            } else {
                fprintf(stderr,
                        "%s: exercise %s is not done yet: its function "
                        "is a stub (see TODO(%s) in the code)\n",
                        program_name, id, id);
            }
            return;
        }
    }
}

/* Every program's first call. A write past the file-size limit (`ulimit
 * -f`) then fails with an error we report instead of killing the program,
 * and any way out of the program that does not commit its outputs (an
 * error, a diverged run, Ctrl-C or a kill) removes their temporary files. */
void cli_init(int argc, char **argv)
{
    if (argc > 0 && argv[0] != NULL) {
        const char *slash = strrchr(argv[0], '/');
        program_name = slash ? slash + 1 : argv[0];
    }
    signal(SIGXFSZ, SIG_IGN);
    atexit(outputs_discard);
    outputs_discard_on_signals();
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

/* Bad data or a failed write: print the message main got back, exit 1
 * (or, for a usage_set error, as usage_error does). */
void fail_with(const Error *err)
{
    if (err->usage)
        usage_error("%s", err->msg);
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

/* A whole number in [min, max] (LONG_MAX: as large as a long can hold).
 * strtol alone would accept "12abc" as 12 and
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
        value > max)
        usage_error("%s expects a whole number from %ld to %ld, got '%s'", name,
                    min, max, text);
    return value;
}

/* A real number for a float setting (a learning rate, a weight decay):
 * positive, or also 0 when zero_ok. A value that float cannot hold is
 * refused too: 1e-300 would silently become 0 and 1e300 infinity. */
static double option_real(int argc, char **argv, int *i, int zero_ok)
{
    const char *name = argv[*i];
    const char *text = option_value(argc, argv, i);
    char *end;
    errno = 0;
    double value = strtod(text, &end);
    int zero = value == 0 && zero_ok && errno != ERANGE;
    if (end == text || *end != '\0' || !isfinite(value) ||
        (!zero && (value < (double)FLT_MIN || value > (double)FLT_MAX)))
        usage_error("%s expects a %s number such as 0.1 (from %.1e to "
                    "%.1e), got '%s'",
                    name, zero_ok ? "non-negative" : "positive",
                    zero_ok ? 0.0 : (double)FLT_MIN, (double)FLT_MAX, text);
    return value;
}

/* A positive number that fits in a float, such as a learning rate. */
double option_positive(int argc, char **argv, int *i)
{
    return option_real(argc, argv, i, 0);
}

/* 0 or a positive number that fits in a float (0: "none"). */
double option_nonnegative(int argc, char **argv, int *i)
{
    return option_real(argc, argv, i, 1);
}

/* A comma-separated list of numbers such as "0.01,0.3,3" into values[];
 * returns how many (1 to max_values). Each must lie in [min, max] and, with
 * `whole`, be a whole number; `what` names them in the message ("sizes
 * from 1 to 4096"), `example` shows a good list. */
static int option_list(int argc, char **argv, int *i, double *values,
                       int max_values, double min, double max, int whole,
                       const char *what, const char *example)
{
    const char *name = argv[*i];
    const char *text = option_value(argc, argv, i);
    const char *start = text;
    int n = 0;
    for (;;) {
        char *end;
        errno = 0;
        double value = strtod(start, &end);
        if (end == start || (*end != ',' && *end != '\0') || errno == ERANGE ||
            !(value >= min && value <= max) ||
            (whole && value != floor(value)) || n == max_values)
            usage_error("%s expects 1 to %d %s separated by commas, such as "
                        "%s; got '%s'",
                        name, max_values, what, example, text);
        values[n++] = value;
        if (*end == '\0')
            return n;
        start = end + 1;
    }
}

/* A comma-separated list of sizes such as "16,16" into sizes[]; returns how
 * many (1 to max_sizes, at most 16). Each size must be a whole number from
 * 1 to 4096. */
int option_sizes(int argc, char **argv, int *i, int *sizes, int max_sizes)
{
    double values[16];
    int n = option_list(argc, argv, i, values, max_sizes < 16 ? max_sizes : 16,
                        1, 4096, 1, "sizes from 1 to 4096", "16,16");
    for (int k = 0; k < n; k++)
        sizes[k] = (int)values[k];
    return n;
}

/* A comma-separated list of real numbers such as "0.01,0.3,3" into
 * values[]; returns how many (1 to max_values). Each must be finite and
 * positive, or with zero_allowed at least 0. */
int option_numbers(int argc, char **argv, int *i, double *values,
                   int max_values, int zero_allowed)
{
    /* Like option_real: each must fit in a float. */
    return option_list(argc, argv, i, values, max_values,
                       zero_allowed ? 0.0 : (double)FLT_MIN, (double)FLT_MAX, 0,
                       zero_allowed ? "non-negative numbers"
                                    : "positive numbers",
                       zero_allowed ? "0,0.001,0.01" : "0.01,0.3,3");
}

/* Seeds, as --seeds takes them: "N" for the seeds 1 to N, or a list of
 * seeds separated by commas, such as "11,12,13" (seeds a result was not
 * chosen on, to confirm it). Into seeds[]; returns how many (1 to
 * max_seeds). */
int option_seeds(int argc, char **argv, int *i, long *seeds, int max_seeds)
{
    if (*i + 1 < argc && strchr(argv[*i + 1], ',') == NULL) {
        long n = option_long(argc, argv, i, 1, max_seeds);
        for (long k = 0; k < n; k++)
            seeds[k] = k + 1;
        return (int)n;
    }
    double values[64];
    int n = option_list(argc, argv, i, values, max_seeds < 64 ? max_seeds : 64,
                        0, 1e9, 1, "seeds from 0 to 1000000000 (or one N: 1 to N)",
                        "11,12,13");
    for (int k = 0; k < n; k++)
        seeds[k] = (long)values[k];
    return n;
}

/* --help: the program's options, from its table. */
static void options_help(const Option *options, int n_options,
                         const char *about)
{
    printf("Usage: %s [options]\n%s\n", program_name, about);
    for (int k = 0; k < n_options; k++) {
        char head[64];
        snprintf(head, sizeof head, "%s%s%s", options[k].name,
                 options[k].value ? " " : "",
                 options[k].value ? options[k].value : "");
        printf("  %-16s ", head);
        for (const char *c = options[k].help; *c != '\0'; c++) {
            putchar(*c);
            if (*c == '\n')
                printf("%19s", "");
        }
        putchar('\n');
    }
}

/* The value of OPTION_CHOICE `option` after argv[*i]: its place among the
 * choices ("small|he": "he" is 1). */
static int option_choice(const Option *option, int argc, char **argv, int *i)
{
    const char *text = option_value(argc, argv, i);
    size_t n = strlen(text);
    int index = 0;
    for (const char *c = option->choices; *c != '\0'; index++) {
        size_t length = strcspn(c, "|");
        if (length == n && strncmp(c, text, n) == 0)
            return index;
        c += length + (c[length] == '|');
    }
    /* The choices as a reader says them: "small or he", "a, b or c". */
    char list[256];
    size_t n_list = 0;
    const char *last = strrchr(option->choices, '|');
    for (const char *c = option->choices;
         *c != '\0' && n_list + 5 < sizeof list; c++) {
        const char *join = c == last ? " or " : ", ";
        if (*c != '|') {
            list[n_list++] = *c;
        } else {
            memcpy(list + n_list, join, strlen(join));
            n_list += strlen(join);
        }
    }
    list[n_list] = '\0';
    usage_error("%s expects %s, got '%s'", option->name, list, text);
}

/* Read argv[*i] (and its value) into `option`'s target. */
static void option_read(const Option *option, int argc, char **argv, int *i)
{
    switch (option->kind) {
    case OPTION_TEXT: {
        const char *name = argv[*i], *text = option_value(argc, argv, i);
        if (text[0] == '\0')
            usage_error("%s expects the name of a %s, got ''", name,
                        option->value && strcmp(option->value, "DIR") == 0
                            ? "folder"
                            : "file");
        *(const char **)option->target = text;
        break;
    }
    case OPTION_WHOLE:
        *(long *)option->target =
            option_long(argc, argv, i, option->min, option->max);
        break;
    case OPTION_POSITIVE:
        *(double *)option->target = option_positive(argc, argv, i);
        break;
    case OPTION_NONNEGATIVE:
        *(double *)option->target = option_nonnegative(argc, argv, i);
        break;
    case OPTION_CHOICE:
        *(int *)option->target = option_choice(option, argc, argv, i);
        break;
    case OPTION_SIZES:
        if (option->min == 0 && *i + 1 < argc &&
            strcmp(argv[*i + 1], "none") == 0) {
            *option->count = 0;
            *i += 1;
        } else {
            *option->count =
                option_sizes(argc, argv, i, option->target, (int)option->max);
        }
        break;
    case OPTION_NUMBERS:
        *option->count = option_numbers(argc, argv, i, option->target,
                                        (int)option->max, option->min == 0);
        break;
    case OPTION_SEEDS:
        *option->count =
            option_seeds(argc, argv, i, option->target, (int)option->max);
        break;
    case OPTION_FLAG:
        *(int *)option->target = 1;
        break;
    }
}

/* Read every option of argv into the targets of `options`; --help prints
 * them (after the line `about`) and exits 0. */
void options_parse(const Option *options, int n_options, const char *about,
                   int argc, char **argv)
{
    for (int i = 1; i < argc; i++) {
        if (option_is(argv[i], "--help")) {
            options_help(options, n_options, about);
            exit(0);
        }
        int k = 0;
        while (k < n_options && !option_is(argv[i], options[k].name))
            k++;
        if (k == n_options)
            usage_error("unknown option '%s'", argv[i]);
        option_read(&options[k], argc, argv, &i);
    }
}

/* Wall-clock seconds from an arbitrary start; subtract two readings. */
double seconds_now(void)
{
    struct timespec t;
    clock_gettime(CLOCK_MONOTONIC, &t);
    return (double)t.tv_sec + (double)t.tv_nsec * 1e-9;
}

/* Refuse to allocate `bytes` for `what` if that is more than MEMORY_CAP. */
int memory_check(size_t bytes, const char *what, Error *err)
{
    if (bytes <= MEMORY_CAP)
        return 0;
    return error_set(err,
                     "%s would need %.0f MiB, more than the %zu MiB allowed",
                     what, (double)bytes / 1048576.0, MEMORY_CAP >> 20);
}

/* Open `path` for reading, and give its size; it must be a regular file.
 * A named pipe (FIFO) would make a plain open wait, forever, for a writer:
 * O_NONBLOCK opens it at once, and fstat then tells it, a device or a
 * directory from a regular file (where O_NONBLOCK changes nothing). */
FILE *input_open(const char *path, size_t *size, Error *err)
{
    int fd = open(path, O_RDONLY | O_NONBLOCK);
    if (fd < 0) {
        error_set(err, "%s: cannot open: %s", path, strerror(errno));
        return NULL;
    }
    struct stat info;
    FILE *file = NULL;
    if (fstat(fd, &info) != 0)
        error_set(err, "%s: cannot open: %s", path, strerror(errno));
    else if (S_ISDIR(info.st_mode))
        error_set(err, "%s: is a directory, not a regular file", path);
    else if (!S_ISREG(info.st_mode))
        error_set(err,
                  "%s: is not a regular file (a FIFO, a device or a socket)",
                  path);
    else if ((file = fdopen(fd, "rb")) == NULL)
        error_set(err, "%s: cannot open: %s", path, strerror(errno));
    if (file == NULL) {
        close(fd);
        return NULL;
    }
    *size = (size_t)info.st_size;
    return file;
}

/* ---- Output files: all of a run's, or none -------------------------------
 *
 * A program writes each output under a temporary name in the same folder
 * (`NAME.tmp-XXXXXX`), and only outputs_commit, at the very end of a run
 * that went well, renames them into place. A run that fails (a full disk, a
 * diverged training, a bad file) removes them instead, so the folder keeps
 * what a previous run wrote, never half of a new one. A training program
 * opens its files before it trains, so that a folder that cannot be written
 * stops it at once; opening the same path again gives the same file. */
enum { OUTPUTS_MAX = 16 };
static struct {
    FILE *file; /* NULL once closed */
    char path[4096], temp[4096 + 16];
} outputs[OUTPUTS_MAX];
static int n_outputs = 0;
/* The folder output_open made for them (--out DIR, if it did not exist):
 * removed again, if still empty, when the outputs are discarded. */
static char outputs_made_dir[4096];

#ifdef __wasi__
/* WebAssembly (the digit pad's module, code/pad.c) has no signals. */
typedef int SignalsHeld;
static SignalsHeld outputs_hold_signals(void) { return 0; }
static void outputs_release_signals(SignalsHeld before) { (void)before; }
#else
typedef sigset_t SignalsHeld;

/* Block the signals that outputs_discard_on_signals handles while the list
 * of outputs changes (a handler must never see it half changed); returns
 * what to give back to outputs_release_signals. */
static SignalsHeld outputs_hold_signals(void)
{
    sigset_t hold, before;
    sigemptyset(&hold);
    sigaddset(&hold, SIGINT);
    sigaddset(&hold, SIGTERM);
    sigaddset(&hold, SIGHUP);
    sigprocmask(SIG_BLOCK, &hold, &before);
    return before;
}

static void outputs_release_signals(SignalsHeld before)
{
    sigprocmask(SIG_SETMASK, &before, NULL);
}
#endif

/* The file opened for `path` and not yet closed, or NULL. */
FILE *output_reserved(const char *path)
{
    for (int k = 0; k < n_outputs; k++)
        if (outputs[k].file != NULL && strcmp(outputs[k].path, path) == 0)
            return outputs[k].file;
    return NULL;
}

/* Open a temporary file that outputs_commit will rename to `path` (or the
 * one already open for it). The folder must exist; `path`, if it exists,
 * must be a regular file. */
FILE *output_open_file(const char *path, Error *err)
{
    if (output_reserved(path) != NULL)
        return output_reserved(path);
    struct stat info;
    if (stat(path, &info) == 0 && !S_ISREG(info.st_mode)) {
        error_set(err, "%s: %s, not a regular file", path,
                  S_ISDIR(info.st_mode) ? "is a directory"
                                        : "is a FIFO, a device or a socket");
        return NULL;
    }
    if (n_outputs == OUTPUTS_MAX) {
        error_set(err, "%s: too many output files", path);
        return NULL;
    }
    int k = n_outputs;
    /* A path the system could not open anyway (PATH_MAX, 4096 with its
     * final 0); cut to fit, it would lose the XXXXXX that mkstemp needs. */
    if (strlen(path) >= sizeof outputs[k].path) {
        error_set(err, "%s: path is too long", path);
        return NULL;
    }
    snprintf(outputs[k].path, sizeof outputs[k].path, "%s", path);
    snprintf(outputs[k].temp, sizeof outputs[k].temp, "%s.tmp-XXXXXX", path);
    /* No signal in between: its handler must see every file made. */
    SignalsHeld held = outputs_hold_signals();
    int fd = mkstemp(outputs[k].temp);
    if (fd < 0) {
        int why = errno;
        outputs_release_signals(held);
        error_set(err, "%s: cannot write: %s", path, strerror(why));
        return NULL;
    }
    n_outputs++;
    outputs_release_signals(held);
    /* mkstemp makes a private file (0600); give it a new file's usual mode. */
    mode_t mask = umask(0);
    umask(mask);
    fchmod(fd, 0666 & ~mask);
    outputs[k].file = fdopen(fd, "w");
    if (outputs[k].file == NULL) {
        error_set(err, "%s: cannot write: %s", path, strerror(errno));
        close(fd);
        held = outputs_hold_signals();
        unlink(outputs[k].temp);
        n_outputs--;
        outputs_release_signals(held);
        return NULL;
    }
    return outputs[k].file;
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
    SignalsHeld held = outputs_hold_signals();
    int made = mkdir(dir, 0777) == 0, why = errno;
    if (made && outputs_made_dir[0] == '\0')
        snprintf(outputs_made_dir, sizeof outputs_made_dir, "%s", dir);
    outputs_release_signals(held);
    if (!made && why != EEXIST) {
        error_set(err, "%s: cannot create directory: %s", dir, strerror(why));
        return NULL;
    }
    return output_open_file(path, err);
}

/* Finish writing a file from output_open (dir/name names it in the error):
 * a full disk shows up here, not earlier. fsync makes sure the bytes are on
 * the disk before outputs_commit's rename makes them the file. */
int output_close(FILE *file, const char *dir, const char *name, Error *err)
{
    for (int k = 0; k < n_outputs; k++)
        if (outputs[k].file == file)
            outputs[k].file = NULL;
    int failed = fflush(file) != 0 || ferror(file) || fsync(fileno(file)) != 0;
    int saved = errno;
    if (fclose(file) != 0 || failed)
        return error_set(err, "%s%s%s: write failed: %s", dir ? dir : "",
                         dir ? "/" : "", name, strerror(saved));
    return 0;
}

/* Whether `path` names the file `name` in the folder `dir`, as the file
 * system sees it ("out/./x" and "out/x" are one file): a --save FILE that is
 * one of the files of --out DIR would get both outputs mixed in it. Folders
 * that do not exist (yet) hold no file, so they never match. */
int path_is(const char *path, const char *dir, const char *name)
{
    const char *slash = strrchr(path, '/');
    if (strcmp(slash ? slash + 1 : path, name) != 0)
        return 0;
    char folder[4096];
    if (slash == NULL)
        snprintf(folder, sizeof folder, ".");
    else
        snprintf(folder, sizeof folder, "%.*s", (int)(slash - path + 1), path);
    struct stat a, b; /* one folder: the same device and inode */
    return stat(folder, &a) == 0 && stat(dir, &b) == 0 &&
           a.st_dev == b.st_dev && a.st_ino == b.st_ino;
}

/* Open dir/names[0 .. n-1] with output_open, before a run starts, so that
 * a folder or file that cannot be written stops it at once; the run opens
 * them again when it writes them. Returns 0, or -1 with err set. */
int outputs_open(const char *dir, const char *const *names, int n, Error *err)
{
    for (int k = 0; k < n; k++)
        if (output_open(dir, names[k], err) == NULL)
            return -1;
    return 0;
}

/* Put every finished output of the run (closed by output_close) in place,
 * replacing what was there; a file opened but never finished (the run did
 * not get to it) is removed. Returns 0, or -1 (all the temporary files
 * removed). */
int outputs_commit(Error *err)
{
    SignalsHeld held = outputs_hold_signals();
    for (int k = 0; k < n_outputs; k++) {
        if (outputs[k].file != NULL) {
            fclose(outputs[k].file);
            outputs[k].file = NULL;
            unlink(outputs[k].temp);
            outputs[k].temp[0] = '\0';
        }
    }
    for (int k = 0; k < n_outputs; k++) {
        if (outputs[k].temp[0] != '\0' &&
            rename(outputs[k].temp, outputs[k].path) != 0) {
            error_set(err, "%s: cannot replace: %s", outputs[k].path,
                      strerror(errno));
            for (int j = k; j < n_outputs; j++)
                if (outputs[j].temp[0] != '\0')
                    unlink(outputs[j].temp);
            n_outputs = 0;
            outputs_release_signals(held);
            return -1;
        }
    }
    n_outputs = 0;
    outputs_made_dir[0] = '\0';
    outputs_release_signals(held);
    return 0;
}

/* Close and remove every temporary output file that was not committed (and
 * the folder made for them, if nothing else is in it). */
void outputs_discard(void)
{
    SignalsHeld held = outputs_hold_signals();
    for (int k = 0; k < n_outputs; k++) {
        if (outputs[k].file != NULL)
            fclose(outputs[k].file);
        unlink(outputs[k].temp);
    }
    n_outputs = 0;
    if (outputs_made_dir[0] != '\0')
        rmdir(outputs_made_dir); /* only if empty */
    outputs_made_dir[0] = '\0';
    outputs_release_signals(held);
}

/* A run stopped from outside (Ctrl-C: SIGINT; kill: SIGTERM; its terminal
 * closed: SIGHUP) removes its temporary files, then ends as that signal
 * ends a program, so that the shell sees what stopped it (status 130 for
 * Ctrl-C). Only unlink and rmdir are called here: they are safe in a
 * signal handler, fclose is not. */
#ifdef __wasi__
void outputs_discard_on_signals(void) {}
#else
static void outputs_on_signal(int signal_number)
{
    for (int k = 0; k < n_outputs; k++)
        if (outputs[k].temp[0] != '\0')
            unlink(outputs[k].temp);
    if (outputs_made_dir[0] != '\0')
        rmdir(outputs_made_dir); /* only if empty */
    raise(signal_number);        /* the default action again (SA_RESETHAND) */
}

void outputs_discard_on_signals(void)
{
    const int signals[3] = {SIGINT, SIGTERM, SIGHUP};
    for (int k = 0; k < 3; k++) {
        struct sigaction action, before;
        memset(&action, 0, sizeof action);
        action.sa_handler = outputs_on_signal;
        sigemptyset(&action.sa_mask);
        action.sa_flags = SA_RESETHAND | SA_NODEFER;
        /* A signal the program was started with ignored (a background job
         * of a script ignores Ctrl-C; nohup, SIGHUP) stays ignored. */
        if (sigaction(signals[k], NULL, &before) == 0 &&
            before.sa_handler != SIG_IGN)
            sigaction(signals[k], &action, NULL);
    }
}
#endif

#endif /* COMMON_H */
