/* Chapter 3's tests: ReLU, and composing two layers into one. */
#define CH03_NO_MAIN
#include "../code/03_relu.c"

#include "testing.h"

Suite *suite_03_relu(void);

START_TEST(test_relu_values)
{
    const float x[5] = {-2.0f, -0.0f, 0.0f, 1e-7f, 3.5f};
    const float expected[5] = {0, 0, 0, 1e-7f, 3.5f};
    float y[5];
    relu_forward(y, x, 5);
    for (int k = 0; k < 5; k++)
        ck_assert_msg(y[k] == expected[k] && !signbit(y[k]),
                      "ReLU(%g) should be %g, got %g", (double)x[k],
                      (double)expected[k], (double)y[k]);
}
END_TEST

START_TEST(test_relu_in_place)
{
    float x[3] = {-1, 2, -3};
    relu_forward(x, x, 3);
    ck_assert_msg(x[0] == 0 && x[1] == 2 && x[2] == 0,
                  "ReLU in place (y == x) gave %g %g %g, expected 0 2 0",
                  (double)x[0], (double)x[1], (double)x[2]);
}
END_TEST

START_TEST(test_leaky_relu)
{
    const float x[4] = {-2.0f, 0.0f, 3.0f, -0.5f};
    const float expected[4] = {-0.2f, 0.0f, 3.0f, -0.05f};
    float y[4];
    leaky_relu_forward(y, x, 4, 0.1f);
    for (int k = 0; k < 4; k++)
        ck_assert_msg(fabsf(y[k] - expected[k]) < 1e-7f,
                      "leaky ReLU(%g) with slope 0.1 should be %g, got %g: "
                      "x where x > 0, slope * x elsewhere",
                      (double)x[k], (double)expected[k], (double)y[k]);
}
END_TEST

START_TEST(test_compose_equals_stacked)
{
    Affine first, second, composed;
    Error err;
    ck_assert(affine_init(&first, 30, 7, &err) == 0);
    ck_assert(affine_init(&second, 7, 4, &err) == 0);
    Rng rng;
    rng_seed(&rng, 5);
    affine_randomize(&first, INIT_SMALL, &rng);
    affine_randomize(&second, INIT_SMALL, &rng);
    for (int j = 0; j < 7; j++)
        first.biases[j] = rng_normal(&rng);
    for (int j = 0; j < 4; j++)
        second.biases[j] = rng_normal(&rng);
    ck_assert(affine_compose(&composed, &first, &second, &err) == 0);
    float x[30], hidden[7], stacked[4], single[4];
    for (int i = 0; i < 30; i++)
        x[i] = rng_uniform(&rng);
    affine_forward(hidden, x, &first, 1);
    affine_forward(stacked, hidden, &second, 1);
    affine_forward(single, x, &composed, 1);
    for (int k = 0; k < 4; k++)
        ck_assert_msg(fabsf(stacked[k] - single[k]) < 1e-5f,
                      "output %d: two stacked layers gave %g, the composed "
                      "layer %g; W = W1 W2 and b = b1 W2 + b2",
                      k, (double)stacked[k], (double)single[k]);
    affine_free(&first);
    affine_free(&second);
    affine_free(&composed);
}
END_TEST

START_TEST(test_compose_mismatch)
{
    Affine first, second, composed;
    Error err;
    ck_assert(affine_init(&first, 3, 4, &err) == 0);
    ck_assert(affine_init(&second, 5, 2, &err) == 0);
    ck_assert(affine_compose(&composed, &first, &second, &err) == -1);
    ck_assert_msg(strstr(err.msg, "cannot compose") != NULL, "got: %s",
                  err.msg);
    affine_free(&first);
    affine_free(&second);
}
END_TEST

Suite *suite_03_relu(void)
{
    Suite *suite = suite_create("03_relu");
    TCase *ex1 = tcase_create("exercise 3.1");
    tcase_add_test(ex1, test_relu_values);
    tcase_add_test(ex1, test_relu_in_place);
    suite_add_tcase(suite, ex1);
    TCase *ex2 = tcase_create("exercise 3.2");
    tcase_add_test(ex2, test_leaky_relu);
    suite_add_tcase(suite, ex2);
    TCase *compose = tcase_create("composition (needs 2.1)");
    tcase_add_test(compose, test_compose_equals_stacked);
    tcase_add_test(compose, test_compose_mismatch);
    suite_add_tcase(suite, compose);
    return suite;
}
