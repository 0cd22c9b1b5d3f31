/* Chapter 3: the non-linearity, ReLU.
 *
 *   cc -std=c11 -O3 code/03_relu.c -lm -o bin/03_relu
 *   bin/03_relu     two stacked layers without ReLU are one layer; with it,
 *                   they are not
 *
 * Adds: relu_forward, and affine_compose (one layer that does the work of
 * two), which shows why a network needs a non-linearity at all.
 */
#ifndef CH03_RELU_C
#define CH03_RELU_C

#define CH02_NO_MAIN /* reuse chapter 2's code, not its demo */
#include "02_affine.c"

/* ---- What this chapter adds ------------------------------------------- */

void relu_forward(float *y, const float *x, size_t n);
void leaky_relu_forward(float *y, const float *x, size_t n, float slope);
int affine_compose(Affine *out, const Affine *first, const Affine *second,
                   Error *err);

// @listing relu_forward
/* y = max(0, x), element by element: a neuron's output is its weighted sum
 * when that is positive, and 0 otherwise ("rectified linear unit").
 *   x, y: [n], y overwritten; y may be x (in place). */
void relu_forward(float *y, const float *x, size_t n)
{
    // @solution 3.1 y = max(0, x)
    for (size_t k = 0; k < n; k++)
        y[k] = x[k] > 0.0f ? x[k] : 0.0f;
    // @end 3.1
}
// @end relu_forward

/* Exercise 3.2: leaky ReLU, y = x for x > 0 and slope * x otherwise
 * (slope is small, such as 0.01): a neuron that is off still lets a
 * trickle of gradient through, so it cannot die for good.
 *   x, y: [n], y overwritten; y may be x. */
void leaky_relu_forward(float *y, const float *x, size_t n, float slope)
{
    // @solution 3.2 y = x where x > 0, slope * x elsewhere
    for (size_t k = 0; k < n; k++)
        y[k] = x[k] > 0.0f ? x[k] : slope * x[k];
    // @end 3.2
}

// @listing affine_compose
/* One layer equal to `first` followed by `second`, with nothing between:
 *
 *     (x W1 + b1) W2 + b2  =  x (W1 W2) + (b1 W2 + b2)
 *
 * so W = W1 W2 and b = b1 W2 + b2. `out` is allocated here
 * ([first.n_in x second.n_out]); free it with affine_free. */
int affine_compose(Affine *out, const Affine *first, const Affine *second,
                   Error *err)
{
    if (first->n_out != second->n_in)
        return error_set(err,
                         "cannot compose a %d -> %d layer with a "
                         "%d -> %d layer",
                         first->n_in, first->n_out, second->n_in,
                         second->n_out);
    if (affine_init(out, first->n_in, second->n_out, err) != 0)
        return -1;
    int n_mid = first->n_out, n_out = second->n_out;
    /* W1 W2, row by row of W1: row i of W is the sum over k of
     * W1[i][k] times row k of W2 (the same loop order as affine_forward).
     * out's weights start at 0 (affine_init). */
    for (int i = 0; i < first->n_in; i++)
        for (int k = 0; k < n_mid; k++)
            for (int j = 0; j < n_out; j++)
                out->weights[i * n_out + j] += first->weights[i * n_mid + k] *
                                               second->weights[k * n_out + j];
    /* b1 W2 + b2 is a forward pass of the bias vector through `second`. */
    affine_forward(out->biases, first->biases, second, 1);
    return 0;
}
// @end affine_compose

/* ---- The demo ----------------------------------------------------------- */
#ifndef CH03_NO_MAIN

static float max_difference(const float *a, const float *b, int n)
{
    float largest = 0.0f;
    for (int k = 0; k < n; k++)
        largest = fmaxf(largest, fabsf(a[k] - b[k]));
    return largest;
}

static void print_row(const char *title, const float *values, int n)
{
    printf("  %-28s", title);
    for (int k = 0; k < n; k++)
        printf("%7.3f", (double)values[k]);
    printf("\n");
}

enum { N_HIDDEN = 16, N_OUT = N_CLASSES };

/* A digit's 10 outputs three ways: through two random layers with nothing
 * between them, through the one layer they compose to, and through the two
 * with ReLU between them. */
typedef struct {
    float stacked[N_OUT], single[N_OUT], with_relu[N_OUT];
    int switched_off; /* hidden neurons that ReLU set to 0 */
} ThreeWays;

static int three_ways(ThreeWays *out, const float *x, int n_in, long seed,
                      Error *err)
{
    Affine first, second, composed;
    if (affine_init(&first, n_in, N_HIDDEN, err) != 0)
        return -1;
    if (affine_init(&second, N_HIDDEN, N_OUT, err) != 0) {
        affine_free(&first);
        return -1;
    }
    Rng rng;
    rng_seed(&rng, (uint64_t)seed);
    affine_randomize(&first, INIT_HE, &rng);
    affine_randomize(&second, INIT_HE, &rng);
    int status = affine_compose(&composed, &first, &second, err);
    if (status == 0) {
        float hidden[N_HIDDEN];
        affine_forward(hidden, x, &first, 1);
        affine_forward(out->stacked, hidden, &second, 1);
        affine_forward(out->single, x, &composed, 1);
        relu_forward(hidden, hidden, N_HIDDEN);
        out->switched_off = 0;
        for (int k = 0; k < N_HIDDEN; k++)
            out->switched_off += hidden[k] == 0.0f;
        affine_forward(out->with_relu, hidden, &second, 1);
        affine_free(&composed);
    }
    affine_free(&first);
    affine_free(&second);
    return status;
}

static int write_values(const char *dir, float same, float apart,
                        int switched_off, Error *err)
{
    FILE *values = output_open(dir, "values.txt", err);
    if (values == NULL)
        return -1;
    fprintf(values, "same %.1e\napart %.3f\nswitched_off %d\n", (double)same,
            (double)apart, switched_off);
    fprintf(values, "headline layers differ by %.1e without ReLU, %.3f with\n",
            (double)same, (double)apart);
    return output_close(values, dir, "values.txt", err);
}

int main(int argc, char **argv)
{
    cli_init(argc, argv);
    const char *data_dir = "data/mnist", *out_dir = NULL;
    long seed = 1, index = 0;
    const Option options[] = {
        OPTION_DATA(&data_dir),
        OPTION_SEED(&seed),
        OPTION_DIGIT(&index),
        OPTION_OUT(&out_dir),
    };
    options_parse(options, OPTIONS_COUNT(options),
                  "Stack two random layers (784 -> 16 -> 10) with and without "
                  "ReLU\nbetween them, and compare with the single layer they "
                  "compose to.",
                  argc, argv);
    TestDigit digit;
    ThreeWays out;
    Error err;
    if (test_digit_load(&digit, data_dir, index, &err) != 0)
        fail_with(&err);
    int n_in = digit.rows * digit.cols;
    if (three_ways(&out, digit.x, n_in, seed, &err) != 0)
        fail_with(&err);
    float same = max_difference(out.stacked, out.single, N_OUT);
    float apart = max_difference(out.with_relu, out.single, N_OUT);
    printf("Test digit %ld through random layers %d -> %d -> %d (--seed "
           "%ld).\nThe 10 outputs:\n",
           index, n_in, N_HIDDEN, N_OUT, seed);
    print_row("two layers, nothing between", out.stacked, N_OUT);
    print_row("one composed layer", out.single, N_OUT);
    print_row("two layers, ReLU between", out.with_relu, N_OUT);
    printf("\nWithout ReLU, two layers and the single layer W1 W2 differ by "
           "at most %.1e:\nthe same map, up to float rounding. With ReLU "
           "they differ by up to %.3f,\nbecause ReLU set %d of the %d hidden "
           "neurons to 0 for this digit.\n",
           (double)same, (double)apart, out.switched_off, N_HIDDEN);
    int status = out_dir != NULL ? write_values(out_dir, same, apart,
                                                out.switched_off, &err)
                                 : 0;
    test_digit_free(&digit);
    if (status != 0 || outputs_commit(&err) != 0)
        fail_with(&err);
    return 0;
}

#endif /* CH03_NO_MAIN */
#endif /* CH03_RELU_C */
