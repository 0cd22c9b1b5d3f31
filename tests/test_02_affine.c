/* Chapter 2's tests: the random generator, a layer's forward pass (on a
 * case small enough to work out by hand, and on layers of several shapes
 * against sums worked out in double), and initialisation. */
#define CH02_NO_MAIN
#include "../code/02_affine.c"

#include "expect.h"
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

typedef void ForwardFunction(float *y, const float *x, const Affine *layer,
                             int n_batch);

/* What a wrong y most likely came from, by comparing it with the results
 * of the usual mistakes (each worked out here for every element). `x`'s
 * last input is not 0. */
static void forward_diagnosis(char *why, size_t size, const float *y,
                              const double *want, const float *x,
                              const Affine *layer, int n_batch, float before)
{
    int n_in = layer->n_in, n_out = layer->n_out, n = n_batch * n_out;
    const float *weights = layer->weights;
    int no_bias = 1, transposed = 1, last_only = 1, last_alone = 1, added = 1;
    int short_inputs = n_out < n_in, short_outputs = n_in < n_out;
    int bias_per_input = 1, bias_per_nonzero = 1, stopped = 1;
    int int_inputs = 1, int_sum = 1, not_reset = 1, not_reset_batch = 1;
    /* weights[i * n_in + j] may lie past the end of W: only the elements
     * that stay inside count, and one of them must differ from want. */
    int stride_n_in = n_in != n_out, stride_differs = 0;
    double row_so_far = 0, batch_so_far = 0;
    for (int k = 0; k < n; k++) {
        int b = k / n_out, j = k % n_out;
        const float *x_row = x + b * n_in;
        double got = (double)y[k], bias = layer->biases[j];
        double sum_t = bias, sum_short = bias, dot = 0, dot_stopped = 0;
        double dot_int = 0, dot_stride = bias;
        int nonzero = 0, stop = 0, stride_inside = 1;
        int sum_int = (int)layer->biases[j]; /* as `int sum` would */
        for (int i = 0; i < n_in; i++) {
            double x_i = (double)x_row[i];
            double w = (double)weights[i * n_out + j];
            sum_t += x_i * (double)weights[j * n_in + i];
            if (i < n_out)
                sum_short += x_i * w;
            dot += x_i * w;
            nonzero += x_row[i] != 0.0f;
            stop |= x_row[i] == 0.0f;
            if (!stop)
                dot_stopped += x_i * w;
            dot_int += (double)(int)x_row[i] * w;
            sum_int = (int)((float)sum_int + x_row[i] * weights[i * n_out + j]);
            if (i * n_in + j < n_in * n_out)
                dot_stride += x_i * (double)weights[i * n_in + j];
            else
                stride_inside = 0;
        }
        short_inputs &= close_enough(got, sum_short);
        short_outputs &= j < n_in ? close_enough(got, want[k]) : y[k] == before;
        double last =
            (double)x_row[n_in - 1] * (double)weights[(n_in - 1) * n_out + j];
        no_bias &= close_enough(got, want[k] - bias);
        transposed &= close_enough(got, sum_t);
        last_only &= close_enough(got, bias + last);
        last_alone &= close_enough(got, last);
        added &= close_enough(got, want[k] + (double)before);
        bias_per_input &= close_enough(got, dot + n_in * bias);
        bias_per_nonzero &= close_enough(got, dot + nonzero * bias);
        stopped &= close_enough(got, bias + dot_stopped);
        int_inputs &= close_enough(got, bias + dot_int);
        int_sum &= close_enough(got, (double)sum_int);
        if (stride_inside) {
            stride_n_in &= close_enough(got, dot_stride);
            stride_differs |= !close_enough(dot_stride, want[k]);
        }
        row_so_far = j == 0 ? want[k] : row_so_far + want[k];
        batch_so_far += want[k];
        not_reset &= close_enough(got, row_so_far);
        not_reset_batch &= close_enough(got, batch_so_far);
    }
    int first_row = first_difference(y, want, n_out) < 0;
    if (no_bias)
        snprintf(why, size,
                 "every y is off by its bias: start each y[b][j] "
                 "from biases[j]");
    else if (transposed && n_in != n_out)
        snprintf(why, size,
                 "that is x times W transposed: W[i][j] is "
                 "weights[i * n_out + j], not weights[j * n_in + "
                 "i]");
    else if (last_only || last_alone)
        snprintf(why, size,
                 "only the last input counts: add (+=) each "
                 "x[b][i] * W[i][j] to the sum, do not assign (=)");
    else if (added)
        snprintf(why, size,
                 "y was added to, not overwritten: whatever y held "
                 "before is still in it; start each row from the "
                 "biases");
    else if (bias_per_input || bias_per_nonzero)
        snprintf(why, size,
                 "the bias was added once per input (inside the loop over "
                 "i): add biases[j] once for each output, outside the input "
                 "loop");
    else if (stride_n_in && stride_differs)
        snprintf(why, size,
                 "row i of W starts at weights + i * n_out, not i * n_in: "
                 "W is n_in x n_out, so a row holds n_out weights (W[i][j] "
                 "is weights[i * n_out + j])");
    else if (stopped)
        snprintf(why, size,
                 "a zero input ends the loop: skip it (continue), don't "
                 "stop (break)");
    else if (int_inputs)
        snprintf(why, size,
                 "the inputs were cut to whole numbers (an int variable?): "
                 "keep x[b][i] a float (float x_i = ...)");
    else if (int_sum)
        snprintf(why, size,
                 "the sum was cut to a whole number at every step (int "
                 "sum?): keep the running sum a float");
    else if (not_reset || not_reset_batch)
        snprintf(why, size,
                 "each output also holds the outputs before it: the running "
                 "sum is not reset for each neuron; declare it inside the "
                 "loop over j, float sum = biases[j]");
    else if (short_inputs)
        snprintf(why, size,
                 "only the first n_out inputs were added up: the input "
                 "loop runs i < n_in");
    else if (short_outputs)
        snprintf(why, size,
                 "the outputs from j = n_in on were not written: the output "
                 "loop runs j < n_out");
    else if (first_row && n_batch > 1)
        snprintf(why, size,
                 "the first row is right, a later one is not: row "
                 "b of x starts at x + b * n_in, row b of y at y + "
                 "b * n_out");
    else
        snprintf(why, size,
                 "check the loop bounds: b < n_batch, i < n_in, "
                 "j < n_out");
}

/* y (n_batch rows, then 4 canaries) against want, every element; on the
 * first wrong one, say which and why. */
static void expect_rows(const float *y, const double *want, const float *x,
                        const Affine *layer, int n_batch, float before,
                        const char *what)
{
    int n_out = layer->n_out, n_y = n_batch * n_out;
    expect_canaries(y + n_y, 4, what);
    int k = first_difference(y, want, n_y);
    if (k < 0)
        return;
    char why[256];
    forward_diagnosis(why, sizeof why, y, want, x, layer, n_batch, before);
    ck_assert_msg(0,
                  "%s: y[%d][%d] should be %.6g, got %.6g: %s (y[b][j] = "
                  "biases[j] + sum over i of x[b][i] * weights[i * n_out + "
                  "j])",
                  what, k / n_out, k % n_out, want[k], (double)y[k], why);
}

/* forward() on a random n_in -> n_out layer and n_batch inputs (a third of
 * them 0), against the same sums worked out in double: every element. */
static void expect_forward(ForwardFunction *forward, const char *name, int n_in,
                           int n_out, int n_batch, uint64_t seed)
{
    Affine layer;
    Error err;
    ck_assert(affine_init(&layer, n_in, n_out, &err) == 0);
    Rng rng;
    rng_seed(&rng, seed);
    affine_randomize(&layer, INIT_HE, &rng);
    for (int j = 0; j < n_out; j++)
        layer.biases[j] = rng_normal(&rng);
    int n_x = n_batch * n_in, n_y = n_batch * n_out;
    float *x = malloc((size_t)n_x * sizeof *x);
    float *y = malloc((size_t)(n_y + 4) * sizeof *y);
    double *want = malloc((size_t)n_y * sizeof *want);
    for (int k = 0; k < n_x; k++)
        x[k] = k % n_in == n_in - 1 || rng_uniform(&rng) < 0.67f
                   ? rng_uniform(&rng) + 0.1f
                   : 0.0f;
    const float before = 0.75f;
    for (int k = 0; k < n_y; k++)
        y[k] = before;
    for (int k = n_y; k < n_y + 4; k++)
        y[k] = CANARY;
    reference_affine(want, x, &layer, n_batch);
    forward(y, x, &layer, n_batch);
    char what[128];
    snprintf(what, sizeof what, "%s, a %d -> %d layer, batch of %d", name, n_in,
             n_out, n_batch);
    expect_rows(y, want, x, &layer, n_batch, before, what);
    free(x);
    free(y);
    free(want);
    affine_free(&layer);
}

/* A 2 -> 3 layer with weights [[1 2 3] [4 5 6]] and biases [0.5 -1 0]. */
static void small_layer(Affine *layer)
{
    Error err;
    ck_assert(affine_init(layer, 2, 3, &err) == 0);
    const float w[6] = {1, 2, 3, 4, 5, 6}, b[3] = {0.5f, -1, 0};
    memcpy(layer->weights, w, sizeof w);
    memcpy(layer->biases, b, sizeof b);
}

static void expect_by_hand(ForwardFunction *forward, const char *name)
{
    Affine layer;
    small_layer(&layer);
    /* Row 1: x = [1 2]:  [1*1 + 2*4 + 0.5, 1*2 + 2*5 - 1, 1*3 + 2*6 + 0]
     * Row 2: x = [0 -1]: [-4 + 0.5, -5 - 1, -6] */
    const float x[4] = {1, 2, 0, -1};
    const double expected[6] = {9.5, 11, 15, -3.5, -6, -6};
    float y[6 + 4] = {99, 99, 99, 99, 99, 99, CANARY, CANARY, CANARY, CANARY};
    forward(y, x, &layer, 2);
    char what[128];
    snprintf(what, sizeof what,
             "%s, the 2 -> 3 layer [[1 2 3] [4 5 6]], biases [0.5 -1 0], x "
             "[[1 2] [0 -1]]",
             name);
    expect_rows(y, expected, x, &layer, 2, 99.0f, what);
    affine_free(&layer);
}

START_TEST(test_affine_forward_by_hand)
{
    expect_by_hand(affine_forward, "affine_forward");
}
END_TEST

START_TEST(test_affine_forward_shapes)
{
    expect_forward(affine_forward, "affine_forward", 5, 3, 4, 1);
    expect_forward(affine_forward, "affine_forward", 3, 7, 3, 2);
    expect_forward(affine_forward, "affine_forward", 1, 1, 1, 3);
    expect_forward(affine_forward, "affine_forward", 40, 17, 9, 4);
}
END_TEST

START_TEST(test_affine_by_neuron)
{
    expect_by_hand(affine_forward_by_neuron, "affine_forward_by_neuron");
    expect_forward(affine_forward_by_neuron, "affine_forward_by_neuron", 5, 3,
                   4, 1);
    expect_forward(affine_forward_by_neuron, "affine_forward_by_neuron", 3, 7,
                   3, 2);
    expect_forward(affine_forward_by_neuron, "affine_forward_by_neuron", 40, 17,
                   9, 4);
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

/* A layer that would need more than MEMORY_CAP is refused before anything
 * is allocated, naming the size (1048576 x 4096 weights would be 16 GiB,
 * and their count overflows an int). */
START_TEST(test_layer_too_large)
{
    Affine layer;
    Error err;
    ck_assert(affine_init(&layer, 1048576, 4096, &err) == -1);
    ck_assert_msg(strstr(err.msg, "a layer of 1048576 x 4096 would need 16384 "
                                  "MiB, more than the 2048 MiB allowed"),
                  "got: %s", err.msg);
    ck_assert(layer.weights == NULL && layer.biases == NULL);
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
    TCase *ex1 = tcase_create("exercise 2.1 (3 points)");
    tcase_add_test(ex1, test_affine_forward_by_hand);
    tcase_add_test(ex1, test_affine_forward_shapes);
    tcase_add_test(ex1, test_affine_zero_input_gives_biases);
    suite_add_tcase(suite, ex1);
    TCase *ex2 = tcase_create("exercise 2.2 (2 points)");
    tcase_add_test(ex2, test_affine_by_neuron);
    suite_add_tcase(suite, ex2);
    TCase *layer = tcase_create("layer");
    tcase_add_test(layer, test_layer_too_large);
    tcase_add_test(layer, test_he_init_scale);
    tcase_add_test(layer, test_digits_inputs_scale);
    suite_add_tcase(suite, layer);
    return suite;
}
