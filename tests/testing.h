/* testing.h: small helpers the Check suites share (temporary files, removed
 * when each test ends; running the programs). */
#ifndef TESTING_H
#define TESTING_H

#include <check.h>
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
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

/* Remove `path` and everything in it (a folder a test may have left
 * unreadable is opened up first). */
static void temp_remove_tree(const char *path)
{
    struct stat info;
    if (lstat(path, &info) != 0)
        return;
    if (!S_ISDIR(info.st_mode)) {
        unlink(path);
        return;
    }
    chmod(path, 0700);
    DIR *dir = opendir(path);
    if (dir != NULL) {
        struct dirent *entry;
        while ((entry = readdir(dir)) != NULL) {
            if (strcmp(entry->d_name, ".") == 0 ||
                strcmp(entry->d_name, "..") == 0)
                continue;
            char inside[4096];
            if (snprintf(inside, sizeof inside, "%s/%s", path, entry->d_name) <
                (int)sizeof inside)
                temp_remove_tree(inside);
        }
        closedir(dir);
    }
    rmdir(path);
}

/* Remove `dir` when this process ends, however it ends. A test that passes
 * returns and exits; one that fails leaves with _exit (Check's ck_assert,
 * in the process Check forked for the test); one past its time limit is
 * killed. No atexit handler runs in the last two, so a small process of
 * its own waits on a pipe whose other end only this process holds: the
 * pipe closes when this process ends, and the folder goes. It runs in a
 * session of its own (Check kills the test's process group when the test
 * ends, and the grader kills the whole session of a suite it ran), and the
 * test goes on only once it is there. */
static void temp_remove_at_end(const char *dir)
{
    int ends[2], ready[2];
    if (pipe(ends) != 0)
        return;
    if (pipe(ready) != 0) {
        close(ends[0]);
        close(ends[1]);
        return;
    }
    pid_t pid = fork();
    if (pid == 0) {
        setsid();
        close(ready[0]);
        close(ready[1]); /* in its own session now: the test may go on */
        int nowhere = open("/dev/null", O_RDWR);
        for (int fd = 0; fd < 3 && nowhere >= 0; fd++)
            dup2(nowhere, fd);
        long n_files = sysconf(_SC_OPEN_MAX);
        for (int fd = 3; fd < (n_files > 0 && n_files < 4096 ? n_files : 4096);
             fd++)
            if (fd != ends[0])
                close(fd);
        char byte;
        ssize_t got;
        do
            got = read(ends[0], &byte, 1);
        while (got > 0 || (got < 0 && errno == EINTR));
        temp_remove_tree(dir);
        _exit(0);
    }
    close(ends[0]);
    close(ready[1]);
    if (pid < 0) {
        close(ends[1]);
        close(ready[0]);
        return;
    }
    char byte;
    while (read(ready[0], &byte, 1) < 0 && errno == EINTR)
        continue;
    close(ready[0]);
    /* Programs the test starts must not hold the pipe open. */
    fcntl(ends[1], F_SETFD, FD_CLOEXEC);
}

/* A fresh directory under /tmp for this test process (Check forks one per
 * test, so tests do not see each other's files), removed when the test
 * ends, pass or fail. Its name is /tmp/workbook-test-XXXXXX, or with
 * $WORKBOOK_TEST_RUN (a tag of letters and digits that ./build.sh test
 * sets) /tmp/workbook-test-TAG-XXXXXX, so that a run can count what it left
 * behind. */
const char *temp_dir(void)
{
    static char dir[64];
    static pid_t owner = 0;
    if (owner != getpid()) {
        const char *run = getenv("WORKBOOK_TEST_RUN");
        int tagged =
            run != NULL && run[0] != '\0' && strlen(run) <= 16 &&
            strspn(run, "abcdefghijklmnopqrstuvwxyz"
                        "ABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789") == strlen(run);
        snprintf(dir, sizeof dir, "/tmp/workbook-test-%s%sXXXXXX",
                 tagged ? run : "", tagged ? "-" : "");
        ck_assert_msg(mkdtemp(dir) != NULL, "cannot make a temporary folder");
        owner = getpid();
        temp_remove_at_end(dir);
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
    char line[32768];
    ck_assert_msg(
        snprintf(line, sizeof line, "%s 2>&1", command) < (int)sizeof line,
        "the command is too long for run_program: %.200s...", command);
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
