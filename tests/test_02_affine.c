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

/* 200000 draws of `draw` from a generator seeded 7: their mean and
 * variance, and the first draw not in [low, high) (NaN is in none). */
typedef struct {
    double mean, variance;
    int outside; /* its index, or -1 */
    double outside_value;
} Moments;

static Moments moments_of(float (*draw)(Rng *), double low, double high)
{
    Rng rng;
    rng_seed(&rng, 7);
    Moments m = {.outside = -1};
    double sum = 0, sum_squares = 0;
    const int n = 200000;
    for (int k = 0; k < n; k++) {
        double value = draw(&rng);
        if (m.outside < 0 && !(value >= low && value < high)) {
            m.outside = k;
            m.outside_value = value;
        }
        sum += value;
        sum_squares += value * value;
    }
    m.mean = sum / n;
    m.variance = sum_squares / n - m.mean * m.mean;
    return m;
}

START_TEST(test_rng_uniform_range_and_moments)
{
    Moments m = moments_of(rng_uniform, 0.0, 1.0);
    ck_assert_msg(m.outside < 0, "uniform draw %g not in [0, 1)",
                  m.outside_value);
    ck_assert_msg(fabs(m.mean - 0.5) < 0.005, "uniform mean %.4f, expected 0.5",
                  m.mean);
    ck_assert_msg(fabs(m.variance - 1.0 / 12) < 0.002,
                  "uniform variance %.4f, expected 1/12 = 0.0833", m.variance);
}
END_TEST

START_TEST(test_rng_normal_moments)
{
    Moments m = moments_of(rng_normal, -INFINITY, INFINITY);
    ck_assert_msg(m.outside < 0, "normal draw %d is not finite", m.outside);
    ck_assert_msg(fabs(m.mean) < 0.01, "normal mean %.4f, expected 0", m.mean);
    ck_assert_msg(fabs(m.variance - 1.0) < 0.02,
                  "normal variance %.4f, expected 1", m.variance);
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

/* A forward pass that went wrong: y came from x and the layer, want is
 * what it should have been, and y held `before` in every element before
 * the call. */
typedef struct {
    const float *y, *x;
    const double *want;
    const Affine *layer;
    int n_batch;
    float before;
} Forward;

/* What y[k] would be after one likely mistake (NAN: the mistake cannot be
 * worked out for this element, or cannot happen on this layer). */
typedef double ForwardGuess(const Forward *f, int k);

static const float *input_row(const Forward *f, int k)
{
    return f->x + k / f->layer->n_out * f->layer->n_in;
}

static double bias_of(const Forward *f, int k)
{
    return f->layer->biases[k % f->layer->n_out];
}

/* x[b][i] * W[i][j], for the output k = b * n_out + j. */
static double input_term(const Forward *f, int k, int i)
{
    int n_out = f->layer->n_out;
    return (double)input_row(f, k)[i] *
           (double)f->layer->weights[i * n_out + k % n_out];
}

/* The sum without its bias, over every input. */
static double weighted_inputs(const Forward *f, int k)
{
    double sum = 0;
    for (int i = 0; i < f->layer->n_in; i++)
        sum += input_term(f, k, i);
    return sum;
}

static double without_bias(const Forward *f, int k)
{
    return f->want[k] - bias_of(f, k);
}

/* y[b][j] with W[i][j] read at weights[i * per_i + j * per_j] (the right
 * place is per_i = n_out, per_j = 1). */
static double with_weights_at(const Forward *f, int k, int per_i, int per_j)
{
    int j = k % f->layer->n_out;
    double sum = bias_of(f, k);
    for (int i = 0; i < f->layer->n_in; i++)
        sum += (double)input_row(f, k)[i] *
               (double)f->layer->weights[i * per_i + j * per_j];
    return sum;
}

/* weights[j * n_in + i] for W[i][j]. */
static double transposed(const Forward *f, int k)
{
    int n_in = f->layer->n_in;
    if (n_in == f->layer->n_out)
        return NAN;
    return with_weights_at(f, k, 1, n_in);
}

/* sum = ... instead of sum += ...: the last input's term alone, after the
 * bias or instead of it. */
static double last_input_and_bias(const Forward *f, int k)
{
    return bias_of(f, k) + input_term(f, k, f->layer->n_in - 1);
}

static double last_input_alone(const Forward *f, int k)
{
    return input_term(f, k, f->layer->n_in - 1);
}

static double added_to_before(const Forward *f, int k)
{
    return f->want[k] + (double)f->before;
}

static double bias_per_input(const Forward *f, int k)
{
    return weighted_inputs(f, k) + f->layer->n_in * bias_of(f, k);
}

static double bias_per_nonzero_input(const Forward *f, int k)
{
    int nonzero = 0;
    for (int i = 0; i < f->layer->n_in; i++)
        nonzero += input_row(f, k)[i] != 0.0f;
    return weighted_inputs(f, k) + nonzero * bias_of(f, k);
}

/* weights[i * n_in + j] for W[i][j], where that stays inside W. */
static double row_stride_n_in(const Forward *f, int k)
{
    int n_in = f->layer->n_in, n_out = f->layer->n_out, j = k % n_out;
    if (n_in == n_out || (n_in - 1) * n_in + j >= n_in * n_out)
        return NAN;
    return with_weights_at(f, k, n_in, 1);
}

/* break instead of continue at the first zero input. */
static double stopped_at_zero(const Forward *f, int k)
{
    double sum = bias_of(f, k);
    for (int i = 0; i < f->layer->n_in && input_row(f, k)[i] != 0.0f; i++)
        sum += input_term(f, k, i);
    return sum;
}

static double whole_number_inputs(const Forward *f, int k)
{
    int n_out = f->layer->n_out;
    double sum = bias_of(f, k);
    for (int i = 0; i < f->layer->n_in; i++)
        sum += (double)(int)input_row(f, k)[i] *
               (double)f->layer->weights[i * n_out + k % n_out];
    return sum;
}

/* int sum = biases[j]; sum += x * w, cut at every step. */
static double whole_number_sum(const Forward *f, int k)
{
    int n_out = f->layer->n_out, j = k % n_out;
    int sum = (int)f->layer->biases[j];
    for (int i = 0; i < f->layer->n_in; i++)
        sum = (int)((float)sum +
                    input_row(f, k)[i] * f->layer->weights[i * n_out + j]);
    return (double)sum;
}

/* The running sum carried from output to output: along the row, or along
 * the whole batch. */
static double sum_carried_along_row(const Forward *f, int k)
{
    double sum = 0;
    for (int at = k - k % f->layer->n_out; at <= k; at++)
        sum += f->want[at];
    return sum;
}

static double sum_carried_along_batch(const Forward *f, int k)
{
    double sum = 0;
    for (int at = 0; at <= k; at++)
        sum += f->want[at];
    return sum;
}

/* The input loop runs i < n_out (only where n_out < n_in). */
static double inputs_to_n_out(const Forward *f, int k)
{
    int n_out = f->layer->n_out;
    if (n_out >= f->layer->n_in)
        return NAN;
    double sum = bias_of(f, k);
    for (int i = 0; i < n_out; i++)
        sum += input_term(f, k, i);
    return sum;
}

/* The output loop runs j < n_in (only where n_in < n_out): the rest of y
 * as it was. */
static double outputs_to_n_in(const Forward *f, int k)
{
    if (f->layer->n_in >= f->layer->n_out)
        return NAN;
    return k % f->layer->n_out < f->layer->n_in ? f->want[k]
                                                : (double)f->before;
}

/* Every row after the first wrong: x or y not offset by the row. */
static int first_row_alone_right(const Forward *f)
{
    int n_out = f->layer->n_out;
    return f->n_batch > 1 && first_difference(f->y, f->want, n_out) < 0;
}

static int anything(const Forward *f)
{
    (void)f;
    return 1;
}

/* The usual mistakes in a forward pass, each recognised by working out
 * what it gives (guess) or by a look at y (seen), and the hint that
 * names it; the first that matches is reported. */
typedef struct {
    const char *mistake;
    ForwardGuess *guess;
    int (*seen)(const Forward *f);
    const char *hint;
} ForwardMistake;

static const ForwardMistake FORWARD_MISTAKES[] = {
    {"no bias", without_bias, NULL,
     "every y is off by its bias: start each y[b][j] from biases[j]"},
    {"W transposed", transposed, NULL,
     "that is x times W transposed: W[i][j] is weights[i * n_out + j], not "
     "weights[j * n_in + i]"},
    {"= instead of +=", last_input_and_bias, NULL,
     "only the last input counts: add (+=) each x[b][i] * W[i][j] to the "
     "sum, do not assign (=)"},
    {"= instead of +=, bias lost too", last_input_alone, NULL,
     "only the last input counts: add (+=) each x[b][i] * W[i][j] to the "
     "sum, do not assign (=)"},
    {"y added to", added_to_before, NULL,
     "y was added to, not overwritten: whatever y held before is still in "
     "it; start each row from the biases"},
    {"bias in the input loop", bias_per_input, NULL,
     "the bias was added once per input (inside the loop over i): add "
     "biases[j] once for each output, outside the input loop"},
    {"bias in the input loop, after a skip", bias_per_nonzero_input, NULL,
     "the bias was added once per input (inside the loop over i): add "
     "biases[j] once for each output, outside the input loop"},
    {"row stride n_in", row_stride_n_in, NULL,
     "row i of W starts at weights + i * n_out, not i * n_in: W is n_in x "
     "n_out, so a row holds n_out weights (W[i][j] is weights[i * n_out + "
     "j])"},
    {"break at a zero input", stopped_at_zero, NULL,
     "a zero input ends the loop: skip it (continue), don't stop (break)"},
    {"int input", whole_number_inputs, NULL,
     "the inputs were cut to whole numbers (an int variable?): keep x[b][i] "
     "a float (float x_i = ...)"},
    {"int sum", whole_number_sum, NULL,
     "the sum was cut to a whole number at every step (int sum?): keep the "
     "running sum a float"},
    {"sum not reset for each neuron", sum_carried_along_row, NULL,
     "each output also holds the outputs before it: the running sum is not "
     "reset for each neuron; declare it inside the loop over j, float sum = "
     "biases[j]"},
    {"sum not reset for each neuron or row", sum_carried_along_batch, NULL,
     "each output also holds the outputs before it: the running sum is not "
     "reset for each neuron; declare it inside the loop over j, float sum = "
     "biases[j]"},
    {"input loop to n_out", inputs_to_n_out, NULL,
     "only the first n_out inputs were added up: the input loop runs i < "
     "n_in"},
    {"output loop to n_in", outputs_to_n_in, NULL,
     "the outputs from j = n_in on were not written: the output loop runs j "
     "< n_out"},
    {"rows not offset", NULL, first_row_alone_right,
     "the first row is right, a later one is not: row b of x starts at x + b "
     "* n_in, row b of y at y + b * n_out"},
    {"something else", NULL, anything,
     "check the loop bounds: b < n_batch, i < n_in, j < n_out"},
};

/* Does the mistake explain y: y is what it gives wherever that can be
 * worked out, and that is wrong somewhere? */
static int explains(ForwardGuess *guess, const Forward *f)
{
    int wrong = 0;
    for (int k = 0; k < f->n_batch * f->layer->n_out; k++) {
        double value = guess(f, k);
        if (isnan(value))
            continue;
        if (!close_enough((double)f->y[k], value))
            return 0;
        wrong |= !close_enough(value, f->want[k]);
    }
    return wrong;
}

/* The hint for a wrong y: the first of the usual mistakes that explains
 * it. `x`'s last input is not 0. */
static const char *forward_diagnosis(const Forward *f)
{
    const ForwardMistake *m = FORWARD_MISTAKES;
    while (m->guess != NULL ? !explains(m->guess, f) : !m->seen(f))
        m++;
    return m->hint;
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
    Forward f = {y, x, want, layer, n_batch, before};
    ck_assert_msg(0,
                  "%s: y[%d][%d] should be %.6g, got %.6g: %s (y[b][j] = "
                  "biases[j] + sum over i of x[b][i] * weights[i * n_out + "
                  "j])",
                  what, k / n_out, k % n_out, want[k], (double)y[k],
                  forward_diagnosis(&f));
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
