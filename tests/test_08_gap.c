/* Chapter 8's tests: slices of a data set, noise images, and the program's
 * report of the gap on a small run. */
#define CH08_NO_MAIN
#include "../code/08_gap.c"

#include "testing.h"

Suite *suite_08_gap(void);

START_TEST(test_slice_is_a_view)
{
    uint8_t pixels[3 * 4] = {0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11};
    uint8_t labels[3] = {7, 8, 9};
    Digits all = {
        .n = 3, .rows = 2, .cols = 2, .pixels = pixels, .labels = labels};
    Digits slice = digits_slice(&all, 1, 2);
    ck_assert_msg(slice.n == 2 && slice.labels[0] == 8 &&
                      slice.pixels[0] == 4 && slice.pixels == pixels + 4,
                  "digits_slice(all, 1, 2) should start at digit 1 (label "
                  "8, first pixel 4) without copying; got n %zu, label %d, "
                  "pixel %d",
                  slice.n, slice.labels[0], slice.pixels[0]);
}
END_TEST

START_TEST(test_noise_inputs_range)
{
    float x[2 * 50];
    Rng rng;
    rng_seed(&rng, 2);
    noise_inputs(x, 2, 50, &rng);
    double sum = 0;
    for (int k = 0; k < 100; k++) {
        ck_assert_msg(x[k] >= 0.0f && x[k] < 1.0f, "noise pixel %g",
                      (double)x[k]);
        sum += (double)x[k];
    }
    ck_assert_msg(sum > 35 && sum < 65, "100 noise pixels sum to %g", sum);
}
END_TEST

START_TEST(test_mean_confidence)
{
    const float p[6] = {0.2f, 0.7f, 0.1f, 0.5f, 0.25f, 0.25f};
    double mean = mean_confidence(p, 2, 3);
    ck_assert_msg(fabs(mean - 0.6) < 1e-6,
                  "the rows' largest probabilities are 0.7 and 0.5: their "
                  "mean is 0.6, got %g",
                  mean);
}
END_TEST

START_TEST(test_program_reports_the_gap)
{
    char out[8192];
    int status = run_program(out, sizeof out,
                             "bin/08_gap --train-size 200 --epochs 3 "
                             "--validation 1000 --batch 50");
    ck_assert_msg(status == 0, "bin/08_gap failed (%d): %s", status, out);
    ck_assert_msg(strstr(out, "The gap between them:") &&
                      strstr(out, "pure noise"),
                  "the output should report the gap and the noise "
                  "experiment:\n%s",
                  out);
    status = run_program(out, sizeof out, "bin/08_gap --validation 60000");
    ck_assert_msg(status == 2 && strstr(out, "--validation expects"),
                  "--validation 60000 leaves no training digits: expected "
                  "exit 2 and a message, got %d: %s",
                  status, out);
    status = run_program(out, sizeof out, "bin/08_gap --train-size 55000");
    ck_assert_msg(status == 2 && strstr(out, "--train-size expects"),
                  "--train-size 55000 overlaps the validation split: exit 2, "
                  "got %d: %s",
                  status, out);
}
END_TEST

Suite *suite_08_gap(void)
{
    Suite *suite = suite_create("08_gap");
    TCase *ex1 = tcase_create("exercise 8.1");
    tcase_add_test(ex1, test_slice_is_a_view);
    suite_add_tcase(suite, ex1);
    TCase *ex2 = tcase_create("exercise 8.2");
    tcase_add_test(ex2, test_mean_confidence);
    suite_add_tcase(suite, ex2);
    TCase *units = tcase_create("noise");
    tcase_add_test(units, test_noise_inputs_range);
    suite_add_tcase(suite, units);
    TCase *program = tcase_create("program (needs 1.1 8.1)");
    tcase_set_timeout(program, 60);
    tcase_add_test(program, test_program_reports_the_gap);
    suite_add_tcase(suite, program);
    return suite;
}
