/* Chapter 4's tests: softmax gives probabilities, ignores a constant added
 * to every score, and stays finite for huge scores. */
#define CH04_NO_MAIN
#include "../code/04_softmax.c"

#include "testing.h"

Suite *suite_04_softmax(void);

static void expect_probabilities(const float *p, int n, const char *what)
{
    float sum = 0;
    for (int k = 0; k < n; k++) {
        ck_assert_msg(isfinite(p[k]) && p[k] >= 0.0f && p[k] <= 1.0f,
                      "%s: p[%d] = %g is not a probability", what, k,
                      (double)p[k]);
        sum += p[k];
    }
    ck_assert_msg(fabsf(sum - 1.0f) < 1e-5f,
                  "%s: softmax rows should sum to 1, this one sums to %g: "
                  "did you divide by the sum?",
                  what, (double)sum);
}

START_TEST(test_softmax_known_values)
{
    const float z[3] = {1, 2, 3};
    const float expected[3] = {0.0900306f, 0.2447285f, 0.6652410f};
    float p[3];
    softmax_forward(p, z, 1, 3);
    expect_probabilities(p, 3, "softmax(1, 2, 3)");
    for (int k = 0; k < 3; k++)
        ck_assert_msg(fabsf(p[k] - expected[k]) < 1e-6f,
                      "softmax(1, 2, 3)[%d] should be %.6f, got %.6f", k,
                      (double)expected[k], (double)p[k]);
}
END_TEST

START_TEST(test_softmax_rows_sum_to_one)
{
    Rng rng;
    rng_seed(&rng, 11);
    float z[5 * 10], p[5 * 10];
    for (int k = 0; k < 50; k++)
        z[k] = 5.0f * rng_normal(&rng);
    softmax_forward(p, z, 5, 10);
    for (int b = 0; b < 5; b++)
        expect_probabilities(p + b * 10, 10, "a random row");
}
END_TEST

START_TEST(test_softmax_ignores_a_constant)
{
    const float z[4] = {0.5f, -1.0f, 2.0f, 0.0f};
    float shifted[4], p[4], q[4];
    for (int k = 0; k < 4; k++)
        shifted[k] = z[k] + 7.0f;
    softmax_forward(p, z, 1, 4);
    softmax_forward(q, shifted, 1, 4);
    for (int k = 0; k < 4; k++)
        ck_assert_msg(fabsf(p[k] - q[k]) < 1e-6f,
                      "adding 7 to every score changed p[%d] from %g to %g", k,
                      (double)p[k], (double)q[k]);
}
END_TEST

START_TEST(test_softmax_huge_scores)
{
    const float z[6] = {1000, 999, 998, -1000, -1001, -1002};
    float p[6];
    softmax_forward(p, z, 2, 3);
    expect_probabilities(p, 3, "softmax(1000, 999, 998): subtract the max?");
    expect_probabilities(p + 3, 3,
                         "softmax(-1000, -1001, -1002): subtract the max?");
    ck_assert_msg(fabsf(p[0] - 0.6652410f) < 1e-6f &&
                      fabsf(p[3] - p[0]) < 1e-6f,
                  "softmax(1000, 999, 998) should equal softmax(2, 1, 0): "
                  "p[0] = 0.665241, got %g and %g",
                  (double)p[0], (double)p[3]);
}
END_TEST

START_TEST(test_softmax_in_place)
{
    float z[3] = {1, 2, 3};
    softmax_forward(z, z, 1, 3);
    expect_probabilities(z, 3, "softmax in place (p == z)");
    ck_assert(fabsf(z[2] - 0.6652410f) < 1e-6f);
}
END_TEST

START_TEST(test_softmax_temperature)
{
    const float z[6] = {1, 2, 3, 1000, 999, 998};
    float p[6];
    softmax_temperature(p, z, 2, 3, 2.0f);
    /* softmax(z / 2) = softmax(0.5, 1, 1.5) */
    const float expected[3] = {0.1863237f, 0.3071959f, 0.5064804f};
    for (int k = 0; k < 3; k++)
        ck_assert_msg(fabsf(p[k] - expected[k]) < 1e-6f,
                      "temperature 2 on (1, 2, 3): p[%d] should be %.6f (the "
                      "softmax of 0.5, 1, 1.5), got %.6f",
                      k, (double)expected[k], (double)p[k]);
    expect_probabilities(p + 3, 3,
                         "temperature 2 on (1000, 999, 998): still stable?");
    softmax_temperature(p, z, 1, 3, 1.0f);
    ck_assert_msg(fabsf(p[2] - 0.6652410f) < 1e-6f,
                  "temperature 1 is plain softmax: p[2] = 0.665241, got %g",
                  (double)p[2]);
}
END_TEST

Suite *suite_04_softmax(void)
{
    Suite *suite = suite_create("04_softmax");
    TCase *temperature = tcase_create("exercise 4.2");
    tcase_add_test(temperature, test_softmax_temperature);
    suite_add_tcase(suite, temperature);
    TCase *softmax = tcase_create("exercise 4.1");
    tcase_add_test(softmax, test_softmax_known_values);
    tcase_add_test(softmax, test_softmax_rows_sum_to_one);
    tcase_add_test(softmax, test_softmax_ignores_a_constant);
    tcase_add_test(softmax, test_softmax_huge_scores);
    tcase_add_test(softmax, test_softmax_in_place);
    suite_add_tcase(suite, softmax);
    return suite;
}
