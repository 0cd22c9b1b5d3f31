/* Chapter 8's tests: slices of a data set, noise images, and the program's
 * report of the gap on a small run. */
#define CH08_NO_MAIN
#include "../code/08_gap.c"

#include "testing.h"

Suite *suite_08_gap(void);

/* digits_slice(all, first, n) on 5 digits of 2 x 3 pixels: the right
 * count and size, and pointers into all's memory at digit `first`. */
static void expect_slice(size_t first, size_t n)
{
    static uint8_t pixels[5 * 6], labels[5];
    for (int k = 0; k < 5 * 6; k++)
        pixels[k] = (uint8_t)(10 + k);
    for (int k = 0; k < 5; k++)
        labels[k] = (uint8_t)(9 - k);
    Digits all = {
        .n = 5, .rows = 2, .cols = 3, .pixels = pixels, .labels = labels};
    Digits slice = digits_slice(&all, first, n);
    char what[96];
    snprintf(what, sizeof what,
             "digits_slice(all, %zu, %zu) of 5 digits of 2 x 3 pixels", first,
             n);
    ck_assert_msg(slice.n == n,
                  "%s: the slice should hold n = %zu digits, it says %zu", what,
                  n, slice.n);
    ck_assert_msg(slice.rows == 2 && slice.cols == 3,
                  "%s: its digits are 2 x 3 pixels like all's, it says %d x "
                  "%d: copy rows and cols",
                  what, slice.rows, slice.cols);
    ck_assert_msg(slice.labels == labels + first,
                  "%s: its labels should start at all->labels + first (label "
                  "%d), they start %td labels in%s",
                  what, labels[first], slice.labels - labels,
                  slice.labels == labels ? ": add first" : "");
    ptrdiff_t at = slice.pixels - pixels;
    ck_assert_msg(slice.pixels == pixels + first * 6,
                  "%s: its pixels should start at digit %zu's first pixel, "
                  "%zu bytes in (first * rows * cols), they start %td bytes "
                  "in%s",
                  what, first, first * 6, at,
                  at == (ptrdiff_t)first ? ": a digit is rows * cols bytes, "
                                           "not 1"
                                         : "");
}

START_TEST(test_slice_is_a_view)
{
    expect_slice(1, 2);
    expect_slice(0, 5);
    expect_slice(4, 1);
    expect_slice(2, 3);
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

/* The mean of each row's largest, rows read `stride` floats apart. */
static double mean_of_largest(const float *p, int n_batch, int n_classes,
                              int stride)
{
    double sum = 0;
    for (int b = 0; b < n_batch; b++) {
        float best = p[b * stride];
        for (int c = 1; c < n_classes; c++)
            best = fmaxf(best, p[b * stride + c]);
        sum += (double)best;
    }
    return sum / n_batch;
}

START_TEST(test_mean_confidence)
{
    /* Three rows of four, largest 0.7 (at 1), 0.4 (at 3) and 0.5 (at 0). */
    const float p[12] = {0.1f, 0.7f, 0.1f, 0.1f,  0.3f, 0.2f,
                         0.1f, 0.4f, 0.5f, 0.25f, 0.2f, 0.05f};
    const double want = (0.7 + 0.4 + 0.5) / 3;
    double mean = mean_confidence(p, 3, 4);
    /* Three rows of five whose largest is last in the first row. */
    const float q[15] = {0.1f, 0.1f, 0.1f, 0.2f, 0.5f, 0.6f, 0.1f, 0.1f,
                         0.1f, 0.1f, 0.1f, 0.3f, 0.2f, 0.1f, 0.3f};
    const double want_q = (0.5 + 0.6 + 0.3) / 3;
    double mean_q = mean_confidence(q, 3, 5);
    int no_last = fabs(mean_q - (0.2 + 0.6 + 0.3) / 3) < 1e-6;
    if (fabs(mean - want) < 1e-6) {
        ck_assert_msg(fabs(mean_q - want_q) < 1e-6,
                      "rows [.1 .1 .1 .2 .5] [.6 .1 .1 .1 .1] [.1 .3 .2 .1 "
                      ".3]: the largest are 0.5, 0.6 and 0.3, their mean "
                      "%.6f; got %.6f: %s",
                      want_q, mean_q,
                      no_last ? "the last class was left out: look at all "
                                "n_classes, argmax(row, n_classes)"
                              : "the mean, over the rows, of each row's "
                                "largest probability");
        return;
    }
    const char *why = "the mean, over the rows, of each row's largest "
                      "probability";
    if (no_last)
        why = "the last class was left out (0.4 is row 1's last): look at "
              "all n_classes, argmax(row, n_classes)";
    else if (fabs(mean - 0.7) < 1e-6)
        why = "that is the largest probability of the whole batch (or of "
              "the first row): take each row's largest, then their mean";
    else if (fabs(mean - (0.7 + 0.4 + 0.5)) < 1e-6)
        why = "that is the sum: divide by n_batch, the number of rows";
    else if (fabs(mean - (0.7 + 0.4 + 0.5) / 4) < 1e-6)
        why = "divided by n_classes: divide by n_batch, the number of rows";
    else if (fabs(mean - (1.0 + 3.0 + 0.0) / 3) < 1e-6)
        why = "that is the mean of the positions (argmax) of the largest: "
              "take the probabilities there, row[argmax(row, n_classes)]";
    else if (fabs(mean - mean_of_largest(p, 3, 4, 3)) < 1e-6 ||
             fabs(mean - mean_of_largest(p, 3, 4, 1)) < 1e-6)
        why = "each row's largest was read from the wrong place: row b "
              "starts at p + b * n_classes";
    ck_assert_msg(0,
                  "rows [.1 .7 .1 .1] [.3 .2 .1 .4] [.5 .25 .2 .05]: the "
                  "largest probabilities are 0.7, 0.4 and 0.5, their mean "
                  "%.6f; got %.6f: %s",
                  want, mean, why);
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
    ck_assert_msg(strstr(out, "on 200 training digits") &&
                      strstr(out, "1000 more held out"),
                  "--train-size 200 --validation 1000 should train on 200 "
                  "digits and hold 1000 out (slices of the training set, "
                  "8.1):\n%s",
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
    TCase *ex1 = tcase_create("exercise 8.1 (2 points)");
    tcase_add_test(ex1, test_slice_is_a_view);
    suite_add_tcase(suite, ex1);
    TCase *ex2 = tcase_create("exercise 8.2 (2 points)");
    tcase_add_test(ex2, test_mean_confidence);
    suite_add_tcase(suite, ex2);
    TCase *units = tcase_create("noise");
    tcase_add_test(units, test_noise_inputs_range);
    suite_add_tcase(suite, units);
    TCase *program = tcase_create("program (needs 1.1 4.1 8.1)");
    tcase_set_timeout(program, 60);
    tcase_add_test(program, test_program_reports_the_gap);
    suite_add_tcase(suite, program);
    return suite;
}
