/* Chapter 3's tests: ReLU, and composing two layers into one. */
#define CH03_NO_MAIN
#include "../code/03_relu.c"

#include "expect.h"
#include "testing.h"

#include <float.h>

Suite *suite_03_relu(void);

START_TEST(test_relu_values)
{
    /* FLT_MAX: (x + |x|) / 2 overflows to infinity. */
    const float x[7] = {-2.0f, -0.0f, 0.0f, 1e-7f, 3.5f, FLT_MAX, -FLT_MAX};
    const float expected[7] = {0, 0, 0, 1e-7f, 3.5f, FLT_MAX, 0};
    float y[7] = {9, 9, 9, 9, 9, 9, 9};
    relu_forward(y, x, 7);
    for (int k = 0; k < 7; k++) {
        ck_assert_msg(isfinite(y[k]) || !isfinite(x[k]),
                      "ReLU(%g) should be %g, got %g: (x + |x|) / 2 "
                      "overflows for large x (x + x is above FLT_MAX): "
                      "compare with 0 instead (x > 0.0f ? x : 0.0f)",
                      (double)x[k], (double)expected[k], (double)y[k]);
        ck_assert_msg(y[k] == expected[k],
                      "ReLU(%g) should be %g, got %g: y = x where x > 0, "
                      "else 0",
                      (double)x[k], (double)expected[k], (double)y[k]);
        ck_assert_msg(!signbit(y[k]),
                      "ReLU(%g) should be +0, got -0: where x is not above 0, "
                      "write 0.0f rather than x (x > 0.0f ? x : 0.0f)",
                      (double)x[k]);
    }
}
END_TEST

/* Why a (leaky) ReLU's output `out` of `x` is wrong: the mistake its
 * numbers show, if they show one (in a buffer of its own). */
static const char *leaky_diagnosis(const float *out, const float *x, int n,
                                   float slope)
{
    static char why[224];
    /* A slope of its own: out / x the same for every negative x. */
    double own = 0;
    int fixed = slope != 0.0f, max_trick = slope != 0.0f;
    for (int j = 0; j < n; j++) {
        max_trick &= out[j] == fmaxf(x[j], slope * x[j]);
        if (x[j] > 0)
            fixed &= out[j] == x[j];
        if (x[j] >= 0 || !fixed)
            continue;
        double ratio = (double)out[j] / (double)x[j];
        fixed = own == 0 || fabs(ratio - own) < 1e-5 * fabs(own);
        own = ratio;
    }
    if (max_trick)
        snprintf(why, sizeof why,
                 "max(x, slope * x) is leaky ReLU only for a slope below "
                 "1: with slope %g it gives slope * x for x > 0 and x "
                 "for x < 0; compare x with 0 instead (x > 0 ? x : "
                 "slope * x)",
                 (double)slope);
    else if (fixed && own != 0 && fabs(own * (double)slope - 1) < 1e-5)
        snprintf(why, sizeof why,
                 "where x < 0 every y is x / %g: multiply by the slope "
                 "(slope * x), do not divide by it",
                 (double)slope);
    else if (fixed && own != 0 &&
             fabs(own + (double)slope) < 1e-5 * (double)slope)
        snprintf(why, sizeof why,
                 "where x < 0 every y is -slope * x, positive: mind the "
                 "sign, y = slope * x (negative for a negative x)");
    else if (fixed && own != 0)
        snprintf(why, sizeof why,
                 "where x < 0 every y is %g * x: use the slope argument "
                 "(here %g), not a number of your own",
                 own, (double)slope);
    else
        snprintf(why, sizeof why, "%s, for every k < n",
                 slope == 0.0f ? "y = x where x > 0, else 0"
                               : "y = x where x > 0, slope * x "
                                 "elsewhere");
    return why;
}

/* Random inputs of both signs (some 0): every output, and nothing written
 * past the end. */
static void expect_leaky(float slope, int in_place)
{
    enum { N = 37 };
    float x[N], y[N + 4];
    Rng rng;
    rng_seed(&rng, 31);
    for (int k = 0; k < N; k++)
        x[k] = k % 5 == 0 ? 0.0f : 4.0f * rng_uniform(&rng) - 2.0f;
    for (int k = 0; k < N + 4; k++)
        y[k] = CANARY;
    float *out = in_place ? x : y;
    float copy[N];
    memcpy(copy, x, sizeof copy);
    if (slope == 0.0f)
        relu_forward(out, x, N);
    else
        leaky_relu_forward(out, x, N, slope);
    char what[96];
    snprintf(what, sizeof what, "%s%s", slope == 0.0f ? "ReLU" : "leaky ReLU",
             in_place ? " in place (y == x)" : "");
    if (!in_place)
        expect_canaries(y + N, 4, what);
    for (int k = 0; k < N; k++) {
        /* (ReLU of a negative x is +0: slope * x would be -0.) */
        double want = copy[k] > 0     ? (double)copy[k]
                      : slope == 0.0f ? 0.0
                                      : (double)(slope * copy[k]);
        if (close_enough((double)out[k], want))
            continue;
        ck_assert_msg(0,
                      "%s, slope %g: element %d of %d, x = %g, should give %g, "
                      "got %g: %s",
                      what, (double)slope, k, N, (double)copy[k], want,
                      (double)out[k], leaky_diagnosis(out, copy, N, slope));
    }
}

START_TEST(test_relu_every_element)
{
    expect_leaky(0.0f, 0);
    expect_leaky(0.0f, 1);
}
END_TEST

START_TEST(test_leaky_relu)
{
    expect_leaky(0.25f, 0);
    expect_leaky(0.1f, 1);
    expect_leaky(2.0f, 0); /* a slope above 1 is allowed too */
    const float x[4] = {-2.0f, 0.0f, 3.0f, -0.5f};
    const float expected[4] = {-0.2f, 0.0f, 3.0f, -0.05f};
    float y[4] = {9, 9, 9, 9};
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
    /* The stacked layers and the composed one, worked out here in double
     * (so that a forward pass that is not done yet cannot agree with
     * itself). */
    float x[30], hidden[7];
    double hidden_d[7], stacked[4], single[4];
    for (int i = 0; i < 30; i++)
        x[i] = rng_uniform(&rng);
    reference_affine(hidden_d, x, &first, 1);
    for (int j = 0; j < 7; j++)
        hidden[j] = (float)hidden_d[j];
    reference_affine(stacked, hidden, &second, 1);
    reference_affine(single, x, &composed, 1);
    for (int k = 0; k < 4; k++)
        ck_assert_msg(fabs(stacked[k] - single[k]) < 1e-5,
                      "output %d: two stacked layers gave %g, the composed "
                      "layer %g; W = W1 W2 and b = b1 W2 + b2 (affine_compose "
                      "works out b1 W2 + b2 with affine_forward)",
                      k, stacked[k], single[k]);
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
    TCase *ex1 = tcase_create("exercise 3.1 (2 points)");
    tcase_add_test(ex1, test_relu_every_element);
    tcase_add_test(ex1, test_relu_values);
    suite_add_tcase(suite, ex1);
    TCase *ex2 = tcase_create("exercise 3.2 (1 point)");
    tcase_add_test(ex2, test_leaky_relu);
    suite_add_tcase(suite, ex2);
    TCase *compose = tcase_create("composition (needs 2.1)");
    tcase_add_test(compose, test_compose_equals_stacked);
    tcase_add_test(compose, test_compose_mismatch);
    suite_add_tcase(suite, compose);
    return suite;
}
