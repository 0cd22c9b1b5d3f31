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
    // @stub 3.1
    // exercise_todo("3.1");
    // (void)x;
    // for (size_t k = 0; k < n; k++)
    //     y[k] = 0.0f;
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
    // @stub 3.2
    // exercise_todo("3.2");
    // (void)x;
    // (void)slope;
    // for (size_t k = 0; k < n; k++)
    //     y[k] = 0.0f;
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

static void usage(void)
{
    printf("Usage: %s [--data DIR] [--seed N] [--digit N] [--out DIR]\n"
           "Stack two random layers (784 -> 16 -> 10) with and without ReLU\n"
           "between them, and compare with the single layer they compose to.\n"
           "  --data DIR   folder with the MNIST files (default data/mnist)\n"
           "  --seed N     seed of the random weights (default 1)\n"
           "  --digit N    which test digit (default 0)\n"
           "  --out DIR    also write values.txt into DIR\n",
           program_name);
}

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

int main(int argc, char **argv)
{
    cli_init(argc, argv);
    const char *data_dir = "data/mnist", *out_dir = NULL;
    long seed = 1, digit = 0;
    for (int i = 1; i < argc; i++) {
        if (option_is(argv[i], "--help")) {
            usage();
            return 0;
        } else if (option_is(argv[i], "--data")) {
            data_dir = option_value(argc, argv, &i);
        } else if (option_is(argv[i], "--seed")) {
            seed = option_long(argc, argv, &i, 0, LONG_MAX);
        } else if (option_is(argv[i], "--digit")) {
            digit = option_long(argc, argv, &i, 0, LONG_MAX);
        } else if (option_is(argv[i], "--out")) {
            out_dir = option_value(argc, argv, &i);
        } else {
            usage_error("unknown option '%s'", argv[i]);
        }
    }

    Digits train, test;
    Error err;
    if (mnist_load(&train, &test, data_dir, &err) != 0)
        fail_with(&err);
    digits_free(&train); /* only test digits are needed here */
    if (digit >= (long)test.n) {
        long last = (long)test.n - 1;
        digits_free(&test);
        usage_error("--digit expects a whole number from 0 to %ld, got %ld",
                    last, digit);
    }
    enum { N_HIDDEN = 16, N_OUT = 10 };
    int n_in = test.rows * test.cols;
    Affine first, second, composed;
    float *x = malloc((size_t)n_in * sizeof *x);
    float hidden[N_HIDDEN], stacked[N_OUT], single[N_OUT], with_relu[N_OUT];
    if (x == NULL || affine_init(&first, n_in, N_HIDDEN, &err) != 0 ||
        affine_init(&second, N_HIDDEN, N_OUT, &err) != 0) {
        error_set(&err, "out of memory");
        fail_with(&err);
    }
    Rng rng;
    rng_seed(&rng, (uint64_t)seed);
    affine_randomize(&first, INIT_HE, &rng);
    affine_randomize(&second, INIT_HE, &rng);
    if (affine_compose(&composed, &first, &second, &err) != 0)
        fail_with(&err);

    size_t index = (size_t)digit;
    digits_inputs(x, &test, &index, 1);
    /* Two layers, nothing between them. */
    affine_forward(hidden, x, &first, 1);
    affine_forward(stacked, hidden, &second, 1);
    /* The one layer they compose to. */
    affine_forward(single, x, &composed, 1);
    /* Two layers with ReLU between them. */
    relu_forward(hidden, hidden, N_HIDDEN);
    int switched_off = 0;
    for (int k = 0; k < N_HIDDEN; k++)
        switched_off += hidden[k] == 0.0f;
    affine_forward(with_relu, hidden, &second, 1);

    float same = max_difference(stacked, single, N_OUT);
    float apart = max_difference(with_relu, single, N_OUT);
    printf("Test digit %ld through random layers %d -> %d -> %d (--seed "
           "%ld).\nThe 10 outputs:\n",
           digit, n_in, N_HIDDEN, N_OUT, seed);
    print_row("two layers, nothing between", stacked, N_OUT);
    print_row("one composed layer", single, N_OUT);
    print_row("two layers, ReLU between", with_relu, N_OUT);
    printf("\nWithout ReLU, two layers and the single layer W1 W2 differ by "
           "at most %.1e:\nthe same map, up to float rounding. With ReLU "
           "they differ by up to %.3f,\nbecause ReLU set %d of the %d hidden "
           "neurons to 0 for this digit.\n",
           (double)same, (double)apart, switched_off, N_HIDDEN);

    int status = 0;
    if (out_dir != NULL) {
        FILE *values = output_open(out_dir, "values.txt", &err);
        status = values == NULL ? -1 : 0;
        if (values != NULL) {
            fprintf(values, "same %.1e\napart %.3f\nswitched_off %d\n",
                    (double)same, (double)apart, switched_off);
            fprintf(values,
                    "headline layers differ by %.1e without ReLU, %.3f "
                    "with\n",
                    (double)same, (double)apart);
            status = output_close(values, out_dir, "values.txt", &err);
        }
    }
    affine_free(&first);
    affine_free(&second);
    affine_free(&composed);
    free(x);
    digits_free(&test);
    if (status != 0 || outputs_commit(&err) != 0)
        fail_with(&err);
    return 0;
}

#endif /* CH03_NO_MAIN */
#endif /* CH03_RELU_C */
