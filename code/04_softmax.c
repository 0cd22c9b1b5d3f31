/* Chapter 4: from scores to probabilities, softmax.
 *
 *   cc -std=c11 -O3 code/04_softmax.c -lm -o bin/04_softmax
 *   bin/04_softmax    what the naive formula does with large scores, and
 *                     the 10 probabilities an untrained network gives
 *
 * Adds: softmax_forward, numerically stable.
 */
#ifndef CH04_SOFTMAX_C
#define CH04_SOFTMAX_C

#define CH03_NO_MAIN /* reuse chapter 3's code, not its demo */
#include "03_relu.c"

/* ---- What this chapter adds ------------------------------------------- */

void softmax_forward(float *p, const float *z, int n_batch, int n_classes);
void softmax_temperature(float *p, const float *z, int n_batch, int n_classes,
                         float temperature);

// @listing softmax_forward
/* For each row of scores z (the network's last layer, "logits"):
 *
 *     p[k] = exp(z[k]) / (exp(z[0]) + ... + exp(z[n_classes - 1]))
 *
 * Every p[k] is positive and the row sums to 1: a probability for each
 * class, largest for the largest score.
 *
 * Why subtract the row's maximum m first: exp(z - m) / sum exp(z - m) is the
 * same fraction (the factor exp(-m) cancels), but now the largest exponent is
 * exp(0) = 1, so nothing overflows. Without it a score of 89 already makes
 * expf return infinity, and infinity / infinity is NaN.
 *   z, p: [n_batch x n_classes], p overwritten; p may be z (in place). */
void softmax_forward(float *p, const float *z, int n_batch, int n_classes)
{
    // @solution 4.1 stable softmax of each row
    for (int b = 0; b < n_batch; b++) {
        const float *z_row = z + (size_t)b * n_classes;
        float *p_row = p + (size_t)b * n_classes;
        float max = z_row[0];
        for (int k = 1; k < n_classes; k++)
            max = fmaxf(max, z_row[k]);
        float sum = 0.0f;
        for (int k = 0; k < n_classes; k++) {
            p_row[k] = expf(z_row[k] - max);
            sum += p_row[k];
        }
        for (int k = 0; k < n_classes; k++)
            p_row[k] /= sum; /* sum >= 1: the maximum contributes exp(0) */
    }
    // @end 4.1
}
// @end softmax_forward

/* Exercise 4.2: softmax with a temperature T > 0, softmax(z / T): T above
 * 1 evens the probabilities out (less sure), T below 1 sharpens them.
 * Stable like softmax_forward.
 *   z, p: [n_batch x n_classes], p overwritten; p may be z. */
void softmax_temperature(float *p, const float *z, int n_batch, int n_classes,
                         float temperature)
{
    // @solution 4.2 softmax of z / temperature, still stable
    for (int b = 0; b < n_batch; b++) {
        const float *z_row = z + (size_t)b * n_classes;
        float *p_row = p + (size_t)b * n_classes;
        float max = z_row[0];
        for (int k = 1; k < n_classes; k++)
            max = fmaxf(max, z_row[k]);
        float sum = 0.0f;
        for (int k = 0; k < n_classes; k++) {
            p_row[k] = expf((z_row[k] - max) / temperature);
            sum += p_row[k];
        }
        for (int k = 0; k < n_classes; k++)
            p_row[k] /= sum;
    }
    // @end 4.2
}

/* ---- The demo ----------------------------------------------------------- */
#ifndef CH04_NO_MAIN

// @listing naive_softmax
/* The textbook formula, as written: fine for small scores only. */
static void naive_softmax(float *p, const float *z, int n)
{
    float sum = 0.0f;
    for (int k = 0; k < n; k++)
        sum += expf(z[k]);
    for (int k = 0; k < n; k++)
        p[k] = expf(z[k]) / sum;
}
// @end naive_softmax

static void print_row(const char *title, const float *values, int n)
{
    printf("  %-18s", title);
    for (int k = 0; k < n; k++) {
        if (isnan(values[k]))
            printf(" %9s", "NaN"); /* "not a number": 0/0 or inf/inf */
        else
            printf(" %9.4g", (double)values[k]);
    }
    printf("\n");
}

static void compare(const float *z, int n)
{
    float naive[4], stable[4];
    naive_softmax(naive, z, n);
    softmax_forward(stable, z, 1, n);
    print_row("scores", z, n);
    print_row("naive softmax", naive, n);
    print_row("stable softmax", stable, n);
    printf("\n");
}

enum { N_HIDDEN = 16, N_OUT = N_CLASSES };

/* The videos' network, 784 -> 16 -> 16 -> 10, put together by hand
 * (chapter 5 packs this into a struct), with random weights drawn from
 * `seed`: p = the probabilities it gives the inputs x. */
static int untrained_guess(float p[N_OUT], const float *x, int n_in, long seed,
                           Error *err)
{
    const int sizes[4] = {n_in, N_HIDDEN, N_HIDDEN, N_OUT};
    Affine layers[3];
    int made = 0;
    while (made < 3 &&
           affine_init(&layers[made], sizes[made], sizes[made + 1], err) == 0)
        made++;
    if (made == 3) {
        Rng rng;
        rng_seed(&rng, (uint64_t)seed);
        for (int l = 0; l < 3; l++)
            affine_randomize(&layers[l], INIT_HE, &rng);
        float h1[N_HIDDEN], h2[N_HIDDEN];
        affine_forward(h1, x, &layers[0], 1);
        relu_forward(h1, h1, N_HIDDEN);
        affine_forward(h2, h1, &layers[1], 1);
        relu_forward(h2, h2, N_HIDDEN);
        affine_forward(p, h2, &layers[2], 1);
        softmax_forward(p, p, 1, N_OUT);
    }
    for (int l = 0; l < made; l++)
        affine_free(&layers[l]);
    return made == 3 ? 0 : -1;
}

static int write_outputs(const char *dir, const float *p, int label, int best,
                         Error *err)
{
    FILE *probs = output_open(dir, "probs.dat", err);
    if (probs == NULL)
        return -1;
    fprintf(probs, "# digit probability is_label\n");
    for (int k = 0; k < N_OUT; k++)
        fprintf(probs, "%d %.4f %d\n", k, (double)p[k], k == label);
    if (output_close(probs, dir, "probs.dat", err) != 0)
        return -1;
    FILE *values = output_open(dir, "values.txt", err);
    if (values == NULL)
        return -1;
    fprintf(values, "label %d\np_label %.3f\nbest %d\np_best %.3f\n", label,
            (double)p[label], best, (double)p[best]);
    fprintf(values, "headline untrained P(right answer) = %.3f\n",
            (double)p[label]);
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
                  "Softmax, naive and stable; then the probabilities a random\n"
                  "784 -> 16 -> 16 -> 10 network gives one test digit.",
                  argc, argv);
    TestDigit digit;
    Error err;
    if (test_digit_load(&digit, data_dir, index, &err) != 0)
        fail_with(&err);
    const float small[3] = {1.0f, 2.0f, 3.0f};
    const float large[3] = {1000.0f, 999.0f, 998.0f};
    const float negative[3] = {-1000.0f, -1001.0f, -1002.0f};
    printf("Softmax of three scores, naive and stable:\n");
    compare(small, 3);
    compare(large, 3);
    compare(negative, 3);

    float p[N_OUT];
    if (untrained_guess(p, digit.x, digit.rows * digit.cols, seed, &err) != 0)
        fail_with(&err);
    int label = digit.label, best = 0;
    for (int k = 1; k < N_OUT; k++)
        if (p[k] > p[best])
            best = k;
    printf("An untrained %d -> 16 -> 16 -> 10 network (--seed %ld) on test "
           "digit %ld, a %d:\n",
           digit.rows * digit.cols, seed, index, label);
    for (int k = 0; k < N_OUT; k++)
        printf("  P(%d) = %.3f%s\n", k, (double)p[k],
               k == label ? "   <- the right answer" : "");
    printf("Its best guess is %d, with probability %.3f: it knows nothing "
           "yet.\n",
           best, (double)p[best]);
    int status =
        out_dir != NULL ? write_outputs(out_dir, p, label, best, &err) : 0;
    test_digit_free(&digit);
    if (status != 0 || outputs_commit(&err) != 0)
        fail_with(&err);
    return 0;
}

#endif /* CH04_NO_MAIN */
#endif /* CH04_SOFTMAX_C */
