/* Every chapter program, run the way a reader might get it wrong: each bad
 * option or data set must give one line naming the problem and a non-zero
 * exit (2 for usage, 1 for data), never a crash. The options tried depend
 * on what the program's --help lists, so new chapters are covered too. */
#include "testing.h"

#include <fcntl.h>
#include <glob.h>
#include <signal.h>
#include <time.h>

Suite *suite_cli(void);

/* Run `program args`, with a time limit; expect `status` and a single line
 * containing `expected`: the whole output, or only standard error when
 * stderr_only (a program that fails on writing its results has printed
 * them first). */
static void expect_line(const char *program, const char *args, int status,
                        const char *expected, int stderr_only)
{
    char command[16384], out[16384];
    /* Nothing may hang: `timeout` ends a run after 20 s with status 124. */
    snprintf(command, sizeof command, "{ timeout 20 %s %s %s; }", program, args,
             stderr_only ? "2>&1 >/dev/null" : "");
    int got = run_program(out, sizeof out, command);
    ck_assert_msg(got != -1, "%s was killed by a signal:\n%s", command, out);
    ck_assert_msg(got != 124, "%s hung (stopped after 20 s):\n%s", command,
                  out);
    ck_assert_msg(got == status, "%s should exit %d, exited %d:\n%s", command,
                  status, got, out);
    size_t n = strlen(out);
    ck_assert_msg(
        n > 0 && out[n - 1] == '\n' && strchr(out, '\n') == out + n - 1,
        "%s should print exactly one line, printed:\n%s", command, out);
    ck_assert_msg(strstr(out, expected) != NULL,
                  "%s should mention '%s', printed:\n%s", command, expected,
                  out);
}

static void expect_one_line(const char *program, const char *args, int status,
                            const char *expected)
{
    expect_line(program, args, status, expected, 0);
}

/* Where the programs to try are: $WORKBOOK_BIN (the sanitizer pass sets
 * bin/asan), or bin. */
static const char *bin_dir(void)
{
    const char *dir = getenv("WORKBOOK_BIN");
    return dir ? dir : "bin";
}

/* Write an IDX file of unsigned bytes: dims[0..n_dims-1], then the data,
 * byte i being (i * 37 + seed) % modulo. */
static void write_idx_file(const char *name, int n_dims, const uint32_t *dims,
                           int modulo, int seed)
{
    size_t n = 1, header = 4 + 4 * (size_t)n_dims;
    for (int d = 0; d < n_dims; d++)
        n *= dims[d];
    uint8_t *bytes = calloc(header + n, 1);
    bytes[2] = 0x08;
    bytes[3] = (uint8_t)n_dims;
    for (int d = 0; d < n_dims; d++)
        for (int b = 0; b < 4; b++)
            bytes[4 + 4 * d + b] = (uint8_t)(dims[d] >> (24 - 8 * b));
    for (size_t i = 0; i < n; i++)
        bytes[header + i] = (uint8_t)((i * 37 + (size_t)seed) % (size_t)modulo);
    unlink(temp_path(name)); /* it may be a FIFO that a test left there */
    temp_write(name, bytes, header + n);
    free(bytes);
}

/* A legal data set in temp folder `name`: 300 training images of
 * train_side x train_side pixels and 200 test images of test_side x
 * test_side, with labels 0-9. Returns the folder. */
static const char *legal_data_dir(const char *name, uint32_t train_side,
                                  uint32_t test_side)
{
    static const char *files[4] = {
        "train-images-idx3-ubyte", "train-labels-idx1-ubyte",
        "t10k-images-idx3-ubyte", "t10k-labels-idx1-ubyte"};
    char path[256];
    uint32_t train_dims[3] = {300, train_side, train_side};
    uint32_t test_dims[3] = {200, test_side, test_side};
    snprintf(path, sizeof path, "%s/%s", name, files[0]);
    write_idx_file(path, 3, train_dims, 256, 1);
    snprintf(path, sizeof path, "%s/%s", name, files[1]);
    write_idx_file(path, 1, train_dims, 10, 2);
    snprintf(path, sizeof path, "%s/%s", name, files[2]);
    write_idx_file(path, 3, test_dims, 256, 3);
    snprintf(path, sizeof path, "%s/%s", name, files[3]);
    write_idx_file(path, 1, test_dims, 10, 4);
    static char dirs[8][4096];
    static int next = 0;
    next = (next + 1) % 8;
    snprintf(dirs[next], sizeof dirs[next], "%s", temp_path(name));
    return dirs[next];
}

/* Settings that make a program (known by its --help) quick on a small data
 * set; "" if it has none. */
static const char *quick_args(const char *help)
{
    if (strstr(help, "--iterations"))
        return "--iterations 20 --eval-every 10 --hidden 8 --batch 10";
    if (strstr(help, "--epochs"))
        return "--epochs 2 --validation 50 --hidden 8 --batch 10";
    if (strstr(help, "--batch"))
        return "--hidden 4,4 --batch 2";
    return strstr(help, "--hidden") ? "--hidden 4,4" : "";
}

/* Run `program args` with a time limit; expect exit 0 and no report from a
 * sanitizer. */
static void expect_success(const char *program, const char *args)
{
    char command[2048], out[8192];
    snprintf(command, sizeof command, "timeout 60 %s %s", program, args);
    int got = run_program(out, sizeof out, command);
    ck_assert_msg(got == 0, "%s should run and exit 0, exited %d:\n%s", command,
                  got, out);
    ck_assert_msg(!strstr(out, "Sanitizer") && !strstr(out, "runtime error"),
                  "%s: a sanitizer reported a problem:\n%s", command, out);
}

static const char *model_for(const char *dir);

/* A data folder whose training images file is a header with no data. */
static const char *bad_data_dir(void)
{
    const uint8_t header[16] = {0, 0, 8, 3,  0, 0, 0xEA, 0x60,
                                0, 0, 0, 28, 0, 0, 0,    28};
    temp_write("bad/train-images-idx3-ubyte", header, sizeof header);
    temp_write("bad/train-labels-idx1-ubyte", "", 0);
    temp_write("bad/t10k-images-idx3-ubyte", "", 0);
    temp_write("bad/t10k-labels-idx1-ubyte", "", 0);
    return temp_path("bad");
}

/* The bad command lines every program is tried with, one loop test each
 * (a failure names its program and line, and hides no other). A line is
 * tried on the programs whose --help lists `option` (every program when
 * NULL). In `args`, @MODEL becomes "--model FILE" (a good network) for a
 * program that reads one before anything else (chapter 10), @BAD a data
 * folder whose training images are a header with no data, @D10 a legal
 * data set of 300 training and 200 test digits of 10 x 10, @TMP a folder
 * of the test's own, and @LONG a file name of 4096 characters (one more
 * than a path may have). */
typedef struct {
    const char *option, *args;
    int status;
    const char *expected;
} BadLine;

static const BadLine BAD_LINES[] = {
    {NULL, "--bogus", 2, "unknown option '--bogus'"},
    {NULL, "--data", 2, "--data needs a value"},
    {NULL, "--data /nonexistent @MODEL", 1, "./build.sh data"},
    {NULL, "--data @BAD @MODEL", 1, "train-images-idx3-ubyte: truncated"},
    {"--seed", "--seed abc", 2, "--seed expects"},
    {"--seed", "--seed -5", 2, "--seed expects"},
    {"--hidden", "--hidden 0", 2, "--hidden expects"},
    {"--hidden", "--hidden 16,x", 2, "--hidden expects"},
    {"--hidden", "--hidden 1,2,3,4,5,6,7,8", 2, "--hidden expects"},
    {"--lr ", "--lr 0", 2, "--lr expects a positive"},
    {"--lr ", "--lr -1", 2, "--lr expects a positive"},
    {"--lr ", "--lr nan", 2, "--lr expects a positive"},
    {"--lr ", "--lr inf", 2, "--lr expects a positive"},
    /* 1e-300 and 1e300 would become 0 and infinity in a float. */
    {"--lr ", "--lr 1e-300", 2, "--lr expects a positive"},
    {"--lr ", "--lr 1e300", 2, "--lr expects a positive"},
    {"--batch", "--batch 0", 2, "--batch expects"},
    {"--iterations", "--iterations 1x", 2, "--iterations expects"},
    {"--epochs", "--epochs -3", 2, "--epochs expects"},
    {"--overfit", "--overfit 0", 2, "--overfit expects"},
    {"--lr-sweep", "--lr-sweep 0.1,x", 2, "--lr-sweep expects"},
    {"--lr-sweep", "--lr-sweep 0,1", 2, "--lr-sweep expects"},
    {"--l2-sweep", "--l2-sweep -1 --seeds 2", 2, "--l2-sweep expects"},
    {"--l2-sweep", "--l2-sweep 0.1", 2, "needs --seeds"},
    {"--neurons", "--neurons -1", 2, "--neurons expects"},
    /* Issue 11, as an attacker found them: values that cannot work with
     * the data, options that cannot go together, empty file names. */
    {NULL, "--data ''", 2, "--data expects the name of a folder, got ''"},
    {"--save ", "--save ''", 2, "--save expects the name of a file, got ''"},
    {"--seed", "--seed 18446744073709551615", 2,
     "from 0 to 9223372036854775807"},
    {"--dropout", "--dropout 0.9000001", 2, "got 0.9000001"},
    {"--overfit", "--data @D10 --overfit 1000 --iterations 2", 2,
     "--overfit 1000 is more than the 300 training digits"},
    {"--iterations",
     "--data @D10 --iterations 2 --batch 10 --hidden 4 --out @TMP --save "
     "@TMP/values.txt",
     2, "is the values.txt that --out"},
    {"--patience",
     "--data @D10 --epochs 1 --batch 10 --hidden 4 --validation 50 --out "
     "@TMP --save @TMP/curves.tsv",
     2, "is the curves.tsv that --out"},
    {"--load", "--load x.bin --save y.bin", 2, "--load only tests"},
    {"--load", "--load x.bin --out @TMP", 2, "--load only tests"},
    {"--overfit", "--overfit 5 --lr-end 0.01", 2,
     "cannot be combined with --lr-end"},
    {"--lr-sweep", "--lr-sweep 0.1 --lr-end 0.01", 2,
     "cannot be combined with --lr-end"},
    {"--l2-sweep", "--seeds 2 --save x.bin", 2,
     "cannot be combined with --save"},
    {"--classify", "@MODEL --classify x.pgm --out @TMP", 2,
     "cannot be combined with --out or --neurons"},
    {"--classify", "@MODEL --classify x.pgm --neurons 1", 2,
     "cannot be combined with --out or --neurons"},
    {"--no-sweep", "--data @D10 --batch 1000", 2,
     "--batch 1000 is more than the 300 training digits"},
    {"--train-size", "--data @D10 --batch 1000 --validation 50", 2,
     "--batch 1000 is more than the 250 training digits outside the "
     "validation split"},
    /* Issue 23: cut to fit a buffer, the name lost the XXXXXX of its
     * temporary file ("cannot write: Invalid argument"). */
    {"--save ", "--save @LONG", 1, "aaaa: path is too long"},
};
enum { N_BAD_LINES = sizeof BAD_LINES / sizeof BAD_LINES[0] };

/* The programs to try, each with its --help, and the (program, line) pairs
 * of the bad-line loop test. Found once, by suite_cli, before any test
 * runs (each test then runs in a process of its own). */
enum { MAX_PROGRAMS = 32 };
static char *programs[MAX_PROGRAMS], *helps[MAX_PROGRAMS];
static int n_programs;
static struct {
    int program, line; /* line -1: the program's --help itself */
} pairs[MAX_PROGRAMS * (N_BAD_LINES + 1)];
static int n_pairs;

static void programs_find(void)
{
    char pattern[4096];
    snprintf(pattern, sizeof pattern, "%s/[0-9][0-9]_*", bin_dir());
    glob_t found;
    if (glob(pattern, 0, NULL, &found) != 0)
        return; /* test_found_programs fails */
    for (size_t k = 0; k < found.gl_pathc && n_programs < MAX_PROGRAMS; k++) {
        const char *path = found.gl_pathv[k];
        if (strchr(path + strlen(bin_dir()), '.') != NULL ||
            access(path, X_OK) != 0)
            continue; /* not bin/07_sgd.net and the like */
        char command[4200], help[8192] = "";
        snprintf(command, sizeof command, "%s --help 2>&1", path);
        /* Not run_program: no test runs yet, so nothing may ck_assert. */
        FILE *pipe = popen(command, "r");
        if (pipe != NULL) {
            help[fread(help, 1, sizeof help - 1, pipe)] = '\0';
            if (pclose(pipe) != 0)
                help[0] = '\0'; /* the --help case says so */
        }
        programs[n_programs] = strdup(path);
        helps[n_programs] = strdup(help);
        pairs[n_pairs].program = n_programs;
        pairs[n_pairs++].line = -1;
        for (int line = 0; line < N_BAD_LINES; line++) {
            const char *option = BAD_LINES[line].option;
            if (option == NULL || strstr(help, option)) {
                pairs[n_pairs].program = n_programs;
                pairs[n_pairs++].line = line;
            }
        }
        n_programs++;
    }
    globfree(&found);
}

START_TEST(test_found_programs)
{
    ck_assert_msg(n_programs > 0,
                  "no chapter programs in %s/ (run ./build.sh build)",
                  bin_dir());
}
END_TEST

/* `text` with every `from` replaced by `to`, into out[size]. */
static void replace_all(char *out, size_t size, const char *text,
                        const char *from, const char *to)
{
    size_t n = 0, n_from = strlen(from);
    while (*text != '\0' && n + 1 < size) {
        if (strncmp(text, from, n_from) == 0) {
            n += (size_t)snprintf(out + n, size - n, "%s", to);
            text += n_from;
        } else {
            out[n++] = *text++;
        }
    }
    out[n < size ? n : size - 1] = '\0';
}

START_TEST(test_bad_line)
{
    const char *program = programs[pairs[_i].program];
    const char *help = helps[pairs[_i].program];
    if (pairs[_i].line < 0) {
        ck_assert_msg(strstr(help, "Usage:"),
                      "%s --help should print a usage and exit 0:\n%s", program,
                      help);
        return;
    }
    const BadLine *bad = &BAD_LINES[pairs[_i].line];
    char model[4200] = "", with_model[8192], args[16384];
    if (strstr(help, "--model") && strstr(bad->args, "@MODEL"))
        snprintf(model, sizeof model, "--model %s",
                 model_for(legal_data_dir("d28", 28, 28)));
    char with_bad[8192], with_d10[8192], with_tmp[8192], long_name[4097];
    memset(long_name, 'a', 4096);
    long_name[4096] = '\0';
    replace_all(with_model, sizeof with_model, bad->args, "@MODEL", model);
    replace_all(with_bad, sizeof with_bad, with_model, "@BAD",
                strstr(bad->args, "@BAD") ? bad_data_dir() : "");
    replace_all(with_d10, sizeof with_d10, with_bad, "@D10",
                strstr(bad->args, "@D10") ? legal_data_dir("d10", 10, 10) : "");
    replace_all(with_tmp, sizeof with_tmp, with_d10, "@TMP", temp_dir());
    replace_all(args, sizeof args, with_tmp, "@LONG", long_name);
    expect_one_line(program, args, bad->status, bad->expected);
}
END_TEST

/* A model for the data in `dir` (chapter 7, a few steps), saved as
 * dir/net.bin; returns its path. */
static const char *model_for(const char *dir)
{
    static char path[3][4096];
    static int next = 0;
    char *model = path[next];
    next = (next + 1) % 3;
    snprintf(model, sizeof path[0], "%s/net.bin", dir);
    char args[8192];
    snprintf(args, sizeof args,
             "--data %s --iterations 5 --hidden 8 --batch 10 --save %s", dir,
             model);
    char program[4096];
    snprintf(program, sizeof program, "%s/07_sgd", bin_dir());
    expect_success(program, args);
    return model;
}

/* 10_inside --neurons on digits that are not 28 x 28: a 16-16 network of
 * their size, whose pictures and weights must be read at that size. */
static void check_neurons_size(const char *program, const char *dir)
{
    char args[8192], model[4200], trainer[4096];
    snprintf(model, sizeof model, "%s/net16.bin", dir);
    snprintf(args, sizeof args,
             "--data %s --iterations 5 --hidden 16,16 --batch 10 --save %s",
             dir, model);
    snprintf(trainer, sizeof trainer, "%s/07_sgd", bin_dir());
    expect_success(trainer, args);
    snprintf(args, sizeof args, "--data %s --model %s --neurons 1 --out %s/n",
             dir, model, dir);
    expect_success(program, args);
}

/* Issue 11, defect 1: legal IDX sets that are not 28 x 28 (10 x 10 and
 * 32 x 32) run correctly with every program; a network and data of
 * different sizes are refused, never read past. */
static void check_legal_sizes(const char *program, const char *help)
{
    char args[16384];
    const char *sets[2] = {legal_data_dir("d10", 10, 10),
                           legal_data_dir("d32", 32, 32)};
    const char *mnist_model = model_for(legal_data_dir("d28", 28, 28));
    for (int k = 0; k < 2; k++) {
        if (strstr(help, "--model")) {
            snprintf(args, sizeof args, "--data %s --model %s --out %s/out",
                     sets[k], model_for(sets[k]), sets[k]);
            expect_success(program, args);
            snprintf(args, sizeof args, "--data %s --model %s", sets[k],
                     mnist_model);
            expect_one_line(program, args, 1, "a network for 784 inputs");
            if (strstr(help, "--neurons"))
                check_neurons_size(program, sets[k]);
            continue;
        }
        snprintf(args, sizeof args, "--data %s %s --out %s/out", sets[k],
                 quick_args(help), sets[k]);
        expect_success(program, args);
        if (k == 0 && strstr(help, "--patience")) {
            /* Issue 11, defect 7: 0, the documented default, is accepted. */
            snprintf(args, sizeof args,
                     "--data %s %s --l2 0 --dropout 0 --patience 0", sets[k],
                     quick_args(help));
            expect_success(program, args);
        }
        if (strstr(help, "--load")) {
            snprintf(args, sizeof args, "--data %s --load %s", sets[k],
                     mnist_model);
            expect_one_line(program, args, 1, "a network for 784 inputs");
        }
    }
    /* Training digits of 28 x 28, test digits of 32 x 32. */
    const char *mixed = legal_data_dir("d28_32", 28, 32);
    if (strstr(help, "--model"))
        snprintf(args, sizeof args, "--data %s --model %s", mixed, mnist_model);
    else
        snprintf(args, sizeof args, "--data %s %s", mixed, quick_args(help));
    expect_one_line(program, args, 1, "images of 32 x 32 pixels, but");
}

START_TEST(test_legal_sizes)
{
    check_legal_sizes(programs[_i], helps[_i]);
}
END_TEST

/* Issue 11, defect 4: a FIFO (a named pipe, which blocks a plain open)
 * where a program reads or writes a file gets one line and exit 1, at
 * once. */
static void check_fifos(const char *program, const char *help)
{
    static const char *files[4] = {
        "train-images-idx3-ubyte", "train-labels-idx1-ubyte",
        "t10k-images-idx3-ubyte", "t10k-labels-idx1-ubyte"};
    char args[16384], path[4096];
    const char *good = legal_data_dir("d28", 28, 28);
    const char *model = strstr(help, "--model") ? model_for(good) : NULL;
    char model_arg[4200] = "";
    if (model != NULL)
        snprintf(model_arg, sizeof model_arg, "--model %s", model);
    for (int f = 0; f < 4; f++) {
        char dir[64];
        snprintf(dir, sizeof dir, "fifo%d", f);
        const char *data = legal_data_dir(dir, 28, 28);
        snprintf(path, sizeof path, "%s/%s", data, files[f]);
        unlink(path);
        ck_assert(mkfifo(path, 0600) == 0);
        snprintf(args, sizeof args, "--data %s %s", data, model_arg);
        expect_one_line(program, args, 1, "not a regular file");
    }
    /* An output folder whose values.txt is a FIFO. */
    snprintf(path, sizeof path, "%s/out/values.txt", good);
    mkdir(temp_path("d28/out"), 0777);
    unlink(path);
    ck_assert(mkfifo(path, 0600) == 0);
    snprintf(args, sizeof args, "--data %s %s %s --out %s/out", good,
             quick_args(help), model_arg, good);
    expect_line(program, args, 1, "not a regular file", 1);
    const char *fifo = temp_path("pipe");
    unlink(fifo);
    ck_assert(mkfifo(fifo, 0600) == 0);
    const char *options[4] = {"--save", "--load", "--model", "--classify"};
    for (int k = 0; k < 4; k++) {
        char option[32];
        snprintf(option, sizeof option, "%s ", options[k]);
        if (!strstr(help, option))
            continue;
        snprintf(args, sizeof args, "--data %s %s %s %s %s", good,
                 quick_args(help), k == 2 ? "" : model_arg, options[k], fifo);
        expect_line(program, args, 1, "not a regular file", k == 0);
    }
}

START_TEST(test_fifos)
{
    check_fifos(programs[_i], helps[_i]);
}
END_TEST

/* What dir and dir/out hold: the names of their files (temporary files
 * too, such as keep.bin.tmp-XXXXXX beside keep.bin) and a checksum of the
 * bytes of the files in out and of keep.bin, into snap[size]. */
static void snapshot(char *snap, size_t size, const char *dir)
{
    char command[8192];
    snprintf(command, sizeof command,
             "{ cd %s && ls -A . out; cat out/* keep.bin | sha256sum; }", dir);
    run_program(snap, size, command);
}

/* A training program's first, good run in a data folder of its own (NAME),
 * with --out and, if it has one, --save into that folder: its --save
 * option (or "") goes into save, its arguments into args, a snapshot of the
 * folder after it into before. Returns the folder, or NULL for a program
 * that does not train. */
static const char *first_good_run(const char *program, const char *help,
                                  const char *name, char save[1024],
                                  char args[4096], char before[4096])
{
    if (!strstr(help, "--iterations") && !strstr(help, "--epochs"))
        return NULL;
    const char *dir = legal_data_dir(name, 28, 28);
    save[0] = '\0';
    if (strstr(help, "--save "))
        snprintf(save, 1024, "--save %s/keep.bin", dir);
    snprintf(args, 4096, "--data %s %s --out %s/out %s", dir, quick_args(help),
             dir, save);
    expect_success(program, args);
    snapshot(before, 4096, dir);
    return dir;
}

/* Issue 11, defects 2 and 5: a training run that fails (it diverges, the
 * disk is full, a folder is missing) leaves the files of the run before it
 * byte for byte as they were; a missing folder stops it before it trains;
 * a network with a number that is not finite is never saved. */
static void check_failed_runs(const char *program, const char *help)
{
    char save[1024], args[4096], before[4096], after[4096], out[4096];
    const char *dir = first_good_run(program, help, "keep", save, args, before);
    if (dir == NULL)
        return;
    char failing[4][8192];
    snprintf(failing[0], sizeof failing[0], "{ timeout 20 %s %s --lr 1000; }",
             program, args);
    snprintf(failing[1], sizeof failing[1],
             "{ ulimit -f 0; timeout 20 %s %s; }", program, args);
    snprintf(failing[2], sizeof failing[2],
             "{ timeout 20 %s --data %s %s %s --out %s/none/out; }", program,
             dir,
             strstr(help, "--iterations") ? "--iterations 100000000"
                                          : "--epochs 100000",
             save[0] ? "--save /no/such/dir/keep.bin" : "", dir);
    failing[3][0] = '\0';
    if (strstr(help, "--l2 ")) {
        /* Blank images: the L2 term drives every weight to infinity while
         * the cost, which never sees them (inputs of 0), stays finite. */
        const char *blank = legal_data_dir("blank", 10, 10);
        uint32_t dims[3] = {300, 10, 10};
        write_idx_file("blank/train-images-idx3-ubyte", 3, dims, 1, 0);
        snprintf(failing[3], sizeof failing[3],
                 "{ timeout 20 %s --data %s %s --l2 1e30 --out %s/out %s; }",
                 program, blank, quick_args(help), dir, save);
    }
    for (int k = 0; k < 4 && failing[k][0]; k++) {
        int status = run_program(out, sizeof out, failing[k]);
        ck_assert_msg(status == 1, "%s should fail with exit 1, got %d:\n%s",
                      failing[k], status, out);
        ck_assert_msg(k != 2 ||
                          (!strstr(out, "epoch") && !strstr(out, "Train")),
                      "%s should fail before training:\n%s", failing[k], out);
        ck_assert_msg(k != 3 || strstr(out, "diverged"),
                      "%s should say the run diverged:\n%s", failing[k], out);
        snapshot(after, sizeof after, dir);
        ck_assert_msg(strcmp(before, after) == 0,
                      "%s failed but changed the files of the run before it "
                      "(or left temporary files):\nbefore:\n%s\nafter:\n%s",
                      failing[k], before, after);
    }
}

START_TEST(test_failed_runs)
{
    check_failed_runs(programs[_i], helps[_i]);
}
END_TEST

/* Start `command` (a program that sh execs), wait until a temporary file
 * shows in `dir` (the run has begun: its outputs are open, its signal
 * handlers set), give it a moment more, and send it `signal_number`.
 * Returns how it ended (waitpid's status). */
static int run_and_stop(const char *command, const char *dir, int signal_number)
{
    fflush(NULL);
    pid_t pid = fork();
    ck_assert_msg(pid >= 0, "cannot fork");
    if (pid == 0) {
        /* A suite run in the background of a script may have Ctrl-C
         * ignored, and a program started so keeps it ignored. */
        signal(SIGINT, SIG_DFL);
        signal(SIGTERM, SIG_DFL);
        int nowhere = open("/dev/null", O_WRONLY);
        dup2(nowhere, 1);
        dup2(nowhere, 2);
        execl("/bin/sh", "sh", "-c", command, (char *)NULL);
        _exit(127);
    }
    char pattern[4300];
    snprintf(pattern, sizeof pattern, "%s/*.tmp-*", dir);
    int status = 0;
    const struct timespec tenth = {0, 100 * 1000 * 1000};
    for (int tries = 0; tries < 600; tries++) { /* a minute at most */
        glob_t found;
        int seen = glob(pattern, 0, NULL, &found) == 0;
        if (seen)
            globfree(&found);
        if (seen)
            break;
        if (waitpid(pid, &status, WNOHANG) == pid)
            return status; /* it ended by itself */
        nanosleep(&tenth, NULL);
    }
    for (int k = 0; k < 3; k++)
        nanosleep(&tenth, NULL);
    kill(pid, signal_number);
    waitpid(pid, &status, 0);
    return status;
}

/* Issue 23: a training run stopped by Ctrl-C (SIGINT) or a kill (SIGTERM)
 * removes its temporary files (NAME.tmp-XXXXXX of --save and of --out's
 * files), leaves the files of the run before it as they were, and ends
 * as that signal ends a program (the shell's status 130 or 143). */
static void check_interrupted_runs(const char *program, const char *help)
{
    char save[1024], args[4096], before[4096], after[4096], command[8192],
        out_dir[4200];
    const char *dir = first_good_run(program, help, "stop", save, args, before);
    if (dir == NULL)
        return;
    snprintf(out_dir, sizeof out_dir, "%s/out", dir);
    const struct {
        const char *name;
        int number;
    } signals[2] = {{"SIGINT", SIGINT}, {"SIGTERM", SIGTERM}};
    for (int k = 0; k < 2; k++) {
        /* Training without end, stopped once it has begun. */
        snprintf(command, sizeof command, "exec %s %s %s", program, args,
                 strstr(help, "--iterations") ? "--iterations 100000000"
                                              : "--epochs 100000");
        int status = run_and_stop(command, out_dir, signals[k].number);
        ck_assert_msg(
            WIFSIGNALED(status) && WTERMSIG(status) == signals[k].number,
            "%s, sent %s while it trained, should end as that "
            "signal ends a program (killed by it: the shell's "
            "status %d); it %s %d",
            command + 5, signals[k].name, 128 + signals[k].number,
            WIFSIGNALED(status) ? "was killed by signal" : "exited with",
            WIFSIGNALED(status) ? WTERMSIG(status) : WEXITSTATUS(status));
        snapshot(after, sizeof after, dir);
        ck_assert_msg(strcmp(before, after) == 0,
                      "%s, stopped by %s, left temporary files or changed "
                      "the files of the run before it:\nbefore:\n%s\nafter:"
                      "\n%s",
                      command + 5, signals[k].name, before, after);
    }
}

START_TEST(test_interrupted_runs)
{
    check_interrupted_runs(programs[_i], helps[_i]);
}
END_TEST

/* Run `script` with bash in a fresh folder that holds a copy of code/
 * (and the Makefile) and has build.sh's functions defined; returns its exit
 * status, output in out. */
static int run_build_function(char *out, size_t size, const char *folder,
                              const char *script)
{
    char here[1024], command[32768];
    ck_assert(getcwd(here, sizeof here) != NULL);
    snprintf(command, sizeof command,
             "mkdir -p %s/data && cp -r code Makefile %s/ && cd %s && bash -c "
             "'source %s/build.sh && %s'",
             folder, folder, folder, here, script);
    return run_program(out, size, command);
}

/* Issue 11, defect 9: ./build.sh build and run check data/mnist's SHA-256
 * sums when its files changed since the last check: a byte flipped in
 * place (the header intact) is caught, naming the file. */
START_TEST(test_damaged_mnist_is_caught)
{
    char out[4096], command[8192];
    const char *folder = temp_path("repo");
    snprintf(command, sizeof command,
             "mkdir -p %s/data/mnist && cp %s/*-ubyte %s/data/mnist/", folder,
             test_data_dir(), folder);
    ck_assert(run_program(out, sizeof out, command) == 0);
    int status = run_build_function(out, sizeof out, folder, "mnist_check");
    ck_assert_msg(status == 0,
                  "the real MNIST should pass the check, got %d: %s", status,
                  out);
    snprintf(command, sizeof command, "%s/bin/mnist-verified", folder);
    ck_assert_msg(access(command, F_OK) == 0,
                  "a passed check should leave its stamp in bin/");
    snprintf(command, sizeof command,
             "printf '\\377' | dd of=%s/data/mnist/t10k-labels-idx1-ubyte "
             "bs=1 seek=5000 conv=notrunc 2>/dev/null",
             folder);
    ck_assert(run_program(out, sizeof out, command) == 0);
    status = run_build_function(out, sizeof out, folder, "mnist_check");
    ck_assert_msg(status == 1 &&
                      strstr(out, "data/mnist/t10k-labels-idx1-ubyte: its "
                                  "SHA-256 sum is not MNIST's"),
                  "a flipped byte should stop the build naming the file, got "
                  "%d: %s",
                  status, out);
}
END_TEST

/* Issue 11, defect 6: ./build.sh data --from decompresses a .gz no further
 * than its IDX header promises: a small .gz that unpacks to 300 MB is
 * refused ("extra bytes") without writing them (under a 100 MB file-size
 * limit, the old way was killed). */
START_TEST(test_import_is_capped)
{
    char out[4096], command[16384];
    const char *from = temp_path("from/x");
    snprintf(command, sizeof command,
             "mkdir -p %s && d=%s && cp $d/train-images-idx3-ubyte $d/"
             "t10k-images-idx3-ubyte $d/t10k-labels-idx1-ubyte %s/ && { cat "
             "$d/train-labels-idx1-ubyte; head -c 300000000 /dev/zero; } | "
             "gzip -1 >%s/train-labels-idx1-ubyte.gz",
             from, test_data_dir(), from, from);
    ck_assert(run_program(out, sizeof out, command) == 0);
    snprintf(command, sizeof command, "ulimit -f 100000; import_data %s", from);
    int status =
        run_build_function(out, sizeof out, temp_path("repo"), command);
    ck_assert_msg(status == 1 && strstr(out, "has extra bytes (the header "
                                             "promises 60000 data bytes, the "
                                             "file has 60001)"),
                  "the import should stop one byte past what the header "
                  "promises, got %d: %s",
                  status, out);
}
END_TEST

/* Issue 11: ./build.sh data --from never deletes data/ or its own source
 * (a folder named "/" would make the target data/ itself), and a failed
 * import says why in one line. */
START_TEST(test_import_keeps_data)
{
    char out[4096], command[8192];
    const char *folder = temp_path("keep");
    snprintf(command, sizeof command,
             "mkdir -p %s/data/mnist %s/data/small && touch "
             "%s/data/mnist/marker %s/data/small/marker",
             folder, folder, folder, folder);
    ck_assert(run_program(out, sizeof out, command) == 0);
    const char *tries[2][2] = {
        {"import_data /", "cannot name a data set"},
        {"import_data data/small", "that is data/small"}};
    for (int k = 0; k < 2; k++) {
        int status = run_build_function(out, sizeof out, folder, tries[k][0]);
        size_t n = strlen(out);
        ck_assert_msg(status == 1 && strstr(out, tries[k][1]) &&
                          strchr(out, '\n') == out + n - 1,
                      "%s should fail in one line saying '%s', got %d: %s",
                      tries[k][0], tries[k][1], status, out);
        snprintf(command, sizeof command,
                 "test -f %s/data/mnist/marker && test -f "
                 "%s/data/small/marker",
                 folder, folder);
        ck_assert_msg(run_program(out, sizeof out, command) == 0,
                      "%s deleted data/ or the folder it imports from",
                      tries[k][0]);
    }
}
END_TEST

Suite *suite_cli(void)
{
    programs_find();
    Suite *suite = suite_create("cli");
    TCase *found = tcase_create("programs");
    tcase_add_test(found, test_found_programs);
    suite_add_tcase(suite, found);
    TCase *lines = tcase_create("bad options and data (needs 1.1 4.1)");
    tcase_set_timeout(lines, 120);
    tcase_add_loop_test(lines, test_bad_line, 0, n_pairs);
    suite_add_tcase(suite, lines);
    TCase *hostile =
        tcase_create("hostile files (needs 1.1 2.1 4.1 5.1 6.2 7.1 9.2 11.1)");
    tcase_set_timeout(hostile, 300);
    tcase_add_loop_test(hostile, test_legal_sizes, 0, n_programs);
    tcase_add_loop_test(hostile, test_fifos, 0, n_programs);
    tcase_add_loop_test(hostile, test_failed_runs, 0, n_programs);
    suite_add_tcase(suite, hostile);
    TCase *stopped = tcase_create("interrupted runs (needs 1.1 4.1)");
    tcase_set_timeout(stopped, 120);
    tcase_add_loop_test(stopped, test_interrupted_runs, 0, n_programs);
    suite_add_tcase(suite, stopped);
    TCase *data = tcase_create("data checks of build.sh (needs 1.1)");
    tcase_set_timeout(data, 120);
    tcase_add_test(data, test_damaged_mnist_is_caught);
    tcase_add_test(data, test_import_is_capped);
    tcase_add_test(data, test_import_keeps_data);
    suite_add_tcase(suite, data);
    return suite;
}
