/* The one test runner: every chapter's suite, compiled as one program.
 *
 * Each suite file includes its chapter's code, and each chapter includes
 * the one before it (include guards keep every file to one copy), so this
 * single file sees the whole workbook. `./build.sh test 04` sets
 * CK_RUN_SUITE=04_softmax, and Check runs only that suite. Test cases named
 * "exercise N.K" grade the chapters' exercises (./build.sh grade).
 */
#include "test_01_idx.c"
#include "test_02_affine.c"
#include "test_03_relu.c"
#include "test_04_softmax.c"
#include "test_05_cross_entropy.c"
#include "test_06_backprop.c"
#include "test_07_sgd.c"
#include "test_08_gap.c"
#include "test_09_regularise.c"
#include "test_10_inside.c"
#include "test_book.c"
#include "test_cli.c"
#include "test_claims.c"

int main(void)
{
    SRunner *runner = srunner_create(suite_book());
    srunner_add_suite(runner, suite_01_idx());
    srunner_add_suite(runner, suite_cli());
    srunner_add_suite(runner, suite_02_affine());
    srunner_add_suite(runner, suite_03_relu());
    srunner_add_suite(runner, suite_04_softmax());
    srunner_add_suite(runner, suite_05_cross_entropy());
    srunner_add_suite(runner, suite_06_backprop());
    srunner_add_suite(runner, suite_07_sgd());
    srunner_add_suite(runner, suite_08_gap());
    srunner_add_suite(runner, suite_09_regularise());
    srunner_add_suite(runner, suite_10_inside());
    srunner_add_suite(runner, suite_claims());
    srunner_run_all(runner, CK_ENV); /* CK_VERBOSITY=verbose lists every test */
    int failed = srunner_ntests_failed(runner);
    srunner_free(runner);
    return failed == 0 ? 0 : 1;
}
