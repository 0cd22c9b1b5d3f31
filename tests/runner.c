/* The test runner: one program per suite.
 *
 * build.sh compiles this file once for each tests/test_NAME.c, naming the
 * suite on the command line:
 *
 *   cc ... -DSUITE_FILE='"test_04_softmax.c"' -DSUITE=suite_04_softmax \
 *       tests/runner.c ... -o bin/tests/test_04_softmax
 *
 * so a change to chapter 4 rebuilds only the suites that include chapter 4
 * (./build.sh test 04 takes a second or two). A suite file includes its
 * chapter's code, and each chapter the one before it. Where the teacher's
 * edition has hidden test cases for the suite (tests/hidden/test_NAME.c,
 * left out of the student edition), build.sh also passes HIDDEN_FILE and
 * HIDDEN, the function that adds them.
 *
 * Test cases named "exercise N.K ..." grade the chapters' exercises
 * (./build.sh grade). Check writes its TAP and XML reports where
 * CK_TAP_LOG_FILE_NAME and CK_XML_LOG_FILE_NAME say.
 *
 * In the student edition, a stub calls exercise_todo (code/common.h). Every
 * test runs in a process of its own, so each would say "exercise 4.1 is not
 * done yet" again: instead they note the exercise in the file named by
 * WORKBOOK_TODO_FILE, and this runner says it once, at the end.
 */
#ifndef _POSIX_C_SOURCE
#define _POSIX_C_SOURCE 200809L /* setenv, mkstemp */
#endif

#include SUITE_FILE
#ifdef HIDDEN_FILE
#include HIDDEN_FILE
#endif

int main(void);

/* Say once, on stderr, each exercise whose stub ran (see the file's
 * comment); `path` holds one id per line, in any order, repeated. */
static void say_todo_once(const char *path)
{
    FILE *file = fopen(path, "r");
    if (file == NULL)
        return;
    char ids[64][64], line[64];
    int n = 0;
    while (fgets(line, sizeof line, file) != NULL) {
        line[strcspn(line, "\n")] = '\0';
        int seen = 0;
        for (int k = 0; k < n && !seen; k++)
            seen = strcmp(ids[k], line) == 0;
        if (!seen && n < 64)
            memcpy(ids[n++], line, sizeof line);
    }
    fclose(file);
    for (int k = 0; k < n; k++)
        fprintf(stderr,
                "exercise %s is not done yet: its function is a stub (see "
                "TODO(%s) in code/)\n",
                ids[k], ids[k]);
}

int main(void)
{
    /* A file for the stubs to note themselves in, unless the caller (./build.sh
     * grade) gave one. */
    char todo[64] = "";
    if (getenv("WORKBOOK_TODO_FILE") == NULL) {
        snprintf(todo, sizeof todo, "/tmp/workbook-todo-XXXXXX");
        int fd = mkstemp(todo);
        if (fd >= 0) {
            close(fd);
            setenv("WORKBOOK_TODO_FILE", todo, 1);
        } else {
            todo[0] = '\0';
        }
    }
    Suite *suite = SUITE();
#ifdef HIDDEN_FILE
    HIDDEN(suite);
#endif
    SRunner *runner = srunner_create(suite);
    srunner_run_all(runner, CK_ENV); /* CK_VERBOSITY=verbose lists every test */
    int failed = srunner_ntests_failed(runner);
    srunner_free(runner);
    if (todo[0] != '\0') {
        say_todo_once(todo);
        remove(todo);
    }
    return failed == 0 ? 0 : 1;
}
