/* Chapter 2's tests: the random generator, a layer's forward pass on a
 * case small enough to work out by hand, and initialisation. */
#define CH02_NO_MAIN
#include "../code/02_affine.c"

#include "testing.h"

Suite *suite_02_affine(void);

static double square(float value)
{
    return (double)value * (double)value;
}

START_TEST(test_rng_repeats_for_a_seed)
{
    Rng a, b;
    rng_seed(&a, 42);
    rng_seed(&b, 42);
    for (int k = 0; k < 1000; k++)
        ck_assert_msg(rng_next(&a) == rng_next(&b),
                      "two generators seeded alike differ at draw %d: does "
                      "rng_next depend on anything but the state?",
                      k);
}
END_TEST

START_TEST(test_rng_differs_across_seeds)
{
    Rng a, b;
    rng_seed(&a, 1);
    rng_seed(&b, 2);
    int same = 0;
    for (int k = 0; k < 1000; k++)
        same += rng_next(&a) == rng_next(&b);
    ck_assert_msg(same == 0, "seeds 1 and 2 gave %d equal draws of 1000", same);
}
END_TEST

START_TEST(test_rng_uniform_range_and_moments)
{
    Rng rng;
    rng_seed(&rng, 7);
    double sum = 0, sum_squares = 0;
    const int n = 200000;
    for (int k = 0; k < n; k++) {
        double u = rng_uniform(&rng);
        ck_assert_msg(u >= 0.0 && u < 1.0, "uniform draw %g not in [0, 1)", u);
        sum += u;
        sum_squares += u * u;
    }
    double mean = sum / n, variance = sum_squares / n - mean * mean;
    ck_assert_msg(fabs(mean - 0.5) < 0.005, "uniform mean %.4f, expected 0.5",
                  mean);
    ck_assert_msg(fabs(variance - 1.0 / 12) < 0.002,
                  "uniform variance %.4f, expected 1/12 = 0.0833", variance);
}
END_TEST

START_TEST(test_rng_normal_moments)
{
    Rng rng;
    rng_seed(&rng, 7);
    double sum = 0, sum_squares = 0;
    const int n = 200000;
    for (int k = 0; k < n; k++) {
        double z = rng_normal(&rng);
        ck_assert_msg(isfinite(z), "normal draw %d is not finite", k);
        sum += z;
        sum_squares += z * z;
    }
    double mean = sum / n, variance = sum_squares / n - mean * mean;
    ck_assert_msg(fabs(mean) < 0.01, "normal mean %.4f, expected 0", mean);
    ck_assert_msg(fabs(variance - 1.0) < 0.02,
                  "normal variance %.4f, expected 1", variance);
}
END_TEST

START_TEST(test_rng_below)
{
    Rng rng;
    rng_seed(&rng, 3);
    int counts[6] = {0};
    for (int k = 0; k < 60000; k++) {
        uint32_t r = rng_below(&rng, 6);
        ck_assert_msg(r < 6, "rng_below(6) gave %u", r);
        counts[r]++;
    }
    for (int k = 0; k < 6; k++)
        ck_assert_msg(counts[k] > 9500 && counts[k] < 10500,
                      "rng_below(6) gave %d %d times in 60000, expected "
                      "about 10000",
                      k, counts[k]);
}
END_TEST

/* A 2 -> 3 layer with weights [[1 2 3] [4 5 6]] and biases [0.5 -1 0]. */
static void small_layer(Affine *layer)
{
    Error err;
    ck_assert(affine_init(layer, 2, 3, &err) == 0);
    const float w[6] = {1, 2, 3, 4, 5, 6}, b[3] = {0.5f, -1, 0};
    memcpy(layer->weights, w, sizeof w);
    memcpy(layer->biases, b, sizeof b);
}

START_TEST(test_affine_forward_by_hand)
{
    Affine layer;
    small_layer(&layer);
    /* Row 1: x = [1 2]:  [1*1 + 2*4 + 0.5, 1*2 + 2*5 - 1, 1*3 + 2*6 + 0]
     * Row 2: x = [0 -1]: [-4 + 0.5, -5 - 1, -6] */
    const float x[4] = {1, 2, 0, -1};
    const float expected[6] = {9.5f, 11, 15, -3.5f, -6, -6};
    float y[6] = {99, 99, 99, 99, 99, 99};
    affine_forward(y, x, &layer, 2);
    for (int k = 0; k < 6; k++)
        ck_assert_msg(fabsf(y[k] - expected[k]) < 1e-6f,
                      "y[%d][%d] should be %g, got %g: y[b][j] = b[j] + sum "
                      "over i of x[b][i] * W[i][j]",
                      k / 3, k % 3, (double)expected[k], (double)y[k]);
    affine_free(&layer);
}
END_TEST

START_TEST(test_affine_by_neuron)
{
    Affine layer;
    small_layer(&layer);
    const float x[4] = {1, 2, 0, -1};
    const float expected[6] = {9.5f, 11, 15, -3.5f, -6, -6};
    float y[6] = {99, 99, 99, 99, 99, 99};
    affine_forward_by_neuron(y, x, &layer, 2);
    for (int k = 0; k < 6; k++)
        ck_assert_msg(fabsf(y[k] - expected[k]) < 1e-6f,
                      "y[%d][%d] should be %g, got %g: for neuron j, start "
                      "from b[j] and add x[b][i] * W[i][j] for every input i "
                      "(W[i][j] is weights[i * n_out + j])",
                      k / 3, k % 3, (double)expected[k], (double)y[k]);
    affine_free(&layer);
}
END_TEST

START_TEST(test_affine_zero_input_gives_biases)
{
    Affine layer;
    small_layer(&layer);
    const float x[2] = {0, 0};
    float y[3] = {99, 99, 99};
    affine_forward(y, x, &layer, 1);
    ck_assert_msg(y[0] == 0.5f && y[1] == -1.0f && y[2] == 0.0f,
                  "all-zero input should give the biases 0.5 -1 0, got %g %g "
                  "%g: is y overwritten (not added to)?",
                  (double)y[0], (double)y[1], (double)y[2]);
    affine_free(&layer);
}
END_TEST

START_TEST(test_he_init_scale)
{
    Affine layer;
    Error err;
    ck_assert(affine_init(&layer, 800, 100, &err) == 0);
    Rng rng;
    rng_seed(&rng, 1);
    affine_randomize(&layer, INIT_HE, &rng);
    double sum_squares = 0;
    for (int k = 0; k < 800 * 100; k++)
        sum_squares += square(layer.weights[k]);
    double sd = sqrt(sum_squares / (800 * 100)), expected = sqrt(2.0 / 800);
    ck_assert_msg(fabs(sd - expected) < 0.02 * expected,
                  "He weights should have standard deviation sqrt(2/n_in) = "
                  "%.4f, got %.4f",
                  expected, sd);
    for (int j = 0; j < 100; j++)
        ck_assert_msg(layer.biases[j] == 0.0f, "biases should start at 0");
    affine_randomize(&layer, INIT_SMALL, &rng);
    sum_squares = 0;
    for (int k = 0; k < 800 * 100; k++)
        sum_squares += square(layer.weights[k]);
    sd = sqrt(sum_squares / (800 * 100));
    ck_assert_msg(fabs(sd - 0.1) < 0.002,
                  "small weights should have standard deviation 0.1, got %.4f",
                  sd);
    affine_free(&layer);
}
END_TEST

START_TEST(test_digits_inputs_scale)
{
    uint8_t pixels[8] = {0, 255, 51, 0, 255, 255, 0, 0};
    uint8_t labels[2] = {3, 4};
    Digits digits = {
        .n = 2, .rows = 2, .cols = 2, .pixels = pixels, .labels = labels};
    size_t indices[2] = {1, 0};
    float x[8];
    digits_inputs(x, &digits, indices, 2);
    ck_assert_msg(x[0] == 1.0f && x[2] == 0.0f && x[4] == 0.0f &&
                      fabsf(x[6] - 0.2f) < 1e-6f,
                  "pixels 0..255 should become 0..1, in the order of "
                  "`indices`; got %g %g %g %g",
                  (double)x[0], (double)x[2], (double)x[4], (double)x[6]);
}
END_TEST

Suite *suite_02_affine(void)
{
    Suite *suite = suite_create("02_affine");
    TCase *rng = tcase_create("random numbers");
    tcase_add_test(rng, test_rng_repeats_for_a_seed);
    tcase_add_test(rng, test_rng_differs_across_seeds);
    tcase_add_test(rng, test_rng_uniform_range_and_moments);
    tcase_add_test(rng, test_rng_normal_moments);
    tcase_add_test(rng, test_rng_below);
    suite_add_tcase(suite, rng);
    TCase *ex1 = tcase_create("exercise 2.1");
    tcase_add_test(ex1, test_affine_forward_by_hand);
    tcase_add_test(ex1, test_affine_zero_input_gives_biases);
    suite_add_tcase(suite, ex1);
    TCase *ex2 = tcase_create("exercise 2.2");
    tcase_add_test(ex2, test_affine_by_neuron);
    suite_add_tcase(suite, ex2);
    TCase *layer = tcase_create("layer");
    tcase_add_test(layer, test_he_init_scale);
    tcase_add_test(layer, test_digits_inputs_scale);
    suite_add_tcase(suite, layer);
    return suite;
}
