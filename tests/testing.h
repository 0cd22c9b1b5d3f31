/* testing.h: small helpers the Check suites share (temporary files). */
#ifndef TESTING_H
#define TESTING_H

#include <check.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

const char *temp_dir(void);
const char *temp_path(const char *name);
void temp_write(const char *name, const void *bytes, size_t n_bytes);
void temp_write_text(const char *name, const char *text);
const char *test_data_dir(void);
uint64_t test_seed(uint64_t fixed);
int run_program(char *output, size_t size, const char *command);

/* A fresh directory under /tmp for this test process (Check forks one per
 * test, so tests do not see each other's files). */
const char *temp_dir(void)
{
    static char dir[64];
    static pid_t owner = 0;
    if (owner != getpid()) {
        snprintf(dir, sizeof dir, "/tmp/workbook-test-XXXXXX");
        ck_assert_msg(mkdtemp(dir) != NULL, "cannot make a temporary folder");
        owner = getpid();
    }
    return dir;
}

/* temp_dir()/name, in a buffer that the next two calls keep intact. */
const char *temp_path(const char *name)
{
    static char paths[3][4096];
    static int next = 0;
    char *path = paths[next];
    next = (next + 1) % 3;
    snprintf(path, sizeof paths[0], "%s/%s", temp_dir(), name);
    return path;
}

void temp_write(const char *name, const void *bytes, size_t n_bytes)
{
    const char *path = temp_path(name);
    char dir[4096];
    snprintf(dir, sizeof dir, "%s", path);
    for (char *slash = strchr(dir + strlen(temp_dir()) + 1, '/'); slash;
         slash = strchr(slash + 1, '/')) {
        *slash = '\0';
        mkdir(dir, 0777);
        *slash = '/';
    }
    FILE *file = fopen(path, "wb");
    ck_assert_msg(file != NULL, "cannot write %s", path);
    ck_assert(fwrite(bytes, 1, n_bytes, file) == n_bytes);
    fclose(file);
}

void temp_write_text(const char *name, const char *text)
{
    temp_write(name, text, strlen(text));
}

/* Where the real MNIST files are: $WORKBOOK_DATA or data/mnist. */
const char *test_data_dir(void)
{
    const char *dir = getenv("WORKBOOK_DATA");
    return dir ? dir : "data/mnist";
}

/* The seed of a test's random inputs: `fixed`, or, when WORKBOOK_TEST_SEED
 * is set (./build.sh grade --submission sets it afresh for each grading),
 * `fixed` mixed with it, so that a hidden test's inputs cannot be known in
 * advance and a grading can still be repeated. */
uint64_t test_seed(uint64_t fixed)
{
    const char *text = getenv("WORKBOOK_TEST_SEED");
    if (text == NULL || *text == '\0')
        return fixed;
    uint64_t mixed = fixed ^ strtoull(text, NULL, 10);
    mixed ^= mixed >> 31; /* one round of SplitMix64's scrambling */
    mixed *= 0xBF58476D1CE4E5B9u;
    return mixed ^ (mixed >> 27);
}

/* Run a shell command (from the workbook's top folder, as the tests are
 * run), keep the start of what it prints on stdout and stderr in output,
 * and return its exit status (or -1 if it did not exit normally). */
int run_program(char *output, size_t size, const char *command)
{
    char line[4096];
    snprintf(line, sizeof line, "%s 2>&1", command);
    FILE *pipe = popen(line, "r");
    ck_assert_msg(pipe != NULL, "cannot run %s", command);
    size_t n = fread(output, 1, size - 1, pipe);
    output[n] = '\0';
    while (fread(line, 1, sizeof line, pipe) > 0)
        continue; /* drain the rest, so the program can finish */
    int status = pclose(pipe);
    return WIFEXITED(status) ? WEXITSTATUS(status) : -1;
}

#endif /* TESTING_H */
