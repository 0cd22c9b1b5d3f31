/* Every chapter program, run the way a reader might get it wrong: each bad
 * option or data set must give one line naming the problem and a non-zero
 * exit (2 for usage, 1 for data), never a crash. The options tried depend
 * on what the program's --help lists, so new chapters are covered too. */
#include "testing.h"

#include <glob.h>

Suite *suite_cli(void);

/* Run `program args`; expect `status` and a single line containing
 * `expected`. */
static void expect_one_line(const char *program, const char *args, int status,
                            const char *expected)
{
    char command[1024], out[4096];
    snprintf(command, sizeof command, "%s %s", program, args);
    int got = run_program(out, sizeof out, command);
    ck_assert_msg(got != -1, "%s was killed by a signal:\n%s", command, out);
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

static void check_program(const char *program)
{
    char out[8192], command[1024];
    snprintf(command, sizeof command, "%s --help", program);
    ck_assert_msg(
        run_program(out, sizeof out, command) == 0 && strstr(out, "Usage:"),
        "%s --help should print a usage and exit 0:\n%s", program, out);
    char help[8192];
    snprintf(help, sizeof help, "%s", out);

    expect_one_line(program, "--bogus", 2, "unknown option '--bogus'");
    expect_one_line(program, "--data", 2, "--data needs a value");
    expect_one_line(program, "--data /nonexistent", 1, "./build.sh data");
    char args[1024];
    snprintf(args, sizeof args, "--data %s", bad_data_dir());
    expect_one_line(program, args, 1, "train-images-idx3-ubyte: truncated");
    if (strstr(help, "--seed")) {
        expect_one_line(program, "--seed abc", 2, "--seed expects");
        expect_one_line(program, "--seed -5", 2, "--seed expects");
    }
    if (strstr(help, "--hidden")) {
        expect_one_line(program, "--hidden 0", 2, "--hidden expects");
        expect_one_line(program, "--hidden 16,x", 2, "--hidden expects");
        expect_one_line(program, "--hidden 1,2,3,4,5,6,7,8", 2,
                        "--hidden expects");
    }
    if (strstr(help, "--lr ")) {
        const char *bad[4] = {"0", "-1", "nan", "inf"};
        for (int k = 0; k < 4; k++) {
            snprintf(args, sizeof args, "--lr %s", bad[k]);
            expect_one_line(program, args, 2, "--lr expects a positive");
        }
    }
    if (strstr(help, "--batch"))
        expect_one_line(program, "--batch 0", 2, "--batch expects");
    if (strstr(help, "--iterations"))
        expect_one_line(program, "--iterations 1x", 2, "--iterations expects");
    if (strstr(help, "--epochs"))
        expect_one_line(program, "--epochs -3", 2, "--epochs expects");
}

START_TEST(test_every_program)
{
    glob_t found;
    ck_assert_msg(glob("bin/[0-9][0-9]_*", 0, NULL, &found) == 0 &&
                      found.gl_pathc > 0,
                  "no chapter programs in bin/ (run ./build.sh build)");
    for (size_t k = 0; k < found.gl_pathc; k++) {
        const char *path = found.gl_pathv[k];
        if (strchr(path, '.') == NULL && access(path, X_OK) == 0)
            check_program(path); /* not bin/07_sgd.net and the like */
    }
    globfree(&found);
}
END_TEST

Suite *suite_cli(void)
{
    Suite *suite = suite_create("cli");
    TCase *programs = tcase_create("bad options and data (needs 1.1)");
    tcase_set_timeout(programs, 120);
    tcase_add_test(programs, test_every_program);
    suite_add_tcase(suite, programs);
    return suite;
}
