/* Chapter 9's tests: weight decay's gradient, dropout's expected value and
 * gradient, copying a network, and early stopping in the program. */
#define CH09_NO_MAIN
#include "../code/09_regularise.c"

#include "expect.h"
#include "testing.h"

Suite *suite_09_regularise(void);

/* A small random network with non-zero biases. */
static void small_network(Network *net, int max_batch)
{
    const int sizes[4] = {6, 5, 4, 3};
    Rng rng;
    rng_seed(&rng, 12);
    test_network(net, sizes, 4, max_batch, &rng, 0.2f);
}

START_TEST(test_l2_gradient)
{
    /* A 5 -> 3 -> 4 -> 2 network (layers narrower and wider than their
     * inputs), random gradients to add to. */
    const int sizes[4] = {5, 3, 4, 2};
    Network net;
    Gradients grads;
    Error err;
    ck_assert(network_init(&net, sizes, 4, 4, &err) == 0);
    ck_assert(gradients_init(&grads, &net, &err) == 0);
    Rng rng;
    rng_seed(&rng, 92);
    network_randomize(&net, INIT_HE, &rng);
    for (int l = 0; l < net.n_layers; l++) {
        for (int j = 0; j < net.sizes[l + 1]; j++) {
            net.layers[l].biases[j] = rng_normal(&rng);
            grads.layers[l].biases[j] = rng_normal(&rng);
        }
        for (int k = 0; k < net.sizes[l] * net.sizes[l + 1]; k++)
            grads.layers[l].weights[k] = rng_normal(&rng);
    }
    const float lambda = 0.5f;
    Snapshot snapshot;
    snapshot_take(&snapshot, grads.layers, grads.n_layers);
    for (int b = 0; b < snapshot.n_blocks; b += 2)
        for (int k = 0; k < SNAPSHOT_SIZE(snapshot, b); k++)
            snapshot.expected[b][k] =
                (double)(snapshot.before[b][k] +
                         lambda * net.layers[b / 2].weights[k]);
    l2_gradient(&grads, &net, lambda);
    expect_blocks(snapshot.blocks, snapshot.n_blocks, 1,
                  "l2_gradient on a 5 -> 3 -> 4 -> 2 network, lambda 0.5: "
                  "each weight's gradient grows by lambda * w (accumulated: "
                  "+=, the derivative of (lambda / 2) w^2), every weight of "
                  "every layer; the biases' gradients stay as they are");
    snapshot_free(&snapshot);
    /* And lambda * w is the derivative of the penalty (lambda/2) sum w^2. */
    float saved = net.layers[0].weights[7];
    double numeric;
    CENTRAL_DIFFERENCE(numeric, &net.layers[0].weights[7], 1e-2f,
                       l2_penalty(&net, 0.5f));
    ck_assert_msg(fabs(numeric - 0.5 * (double)saved) < 1e-4,
                  "d(penalty)/dw should be lambda * w = %g, numerically %g",
                  0.5 * (double)saved, numeric);
    gradients_free(&grads);
    network_free(&net);
}
END_TEST

/* dropout_forward on n outputs (none of them 0) with `rate`: every mask
 * entry 0 or 1 / (1 - rate), every output multiplied by it, about `rate`
 * of them dropped, and the same drops from the same generator state. */
static void expect_dropout(float rate, int n)
{
    float *y = malloc((size_t)(n + 4) * sizeof *y);
    float *mask = malloc((size_t)(n + 4) * sizeof *mask);
    float *copy = malloc((size_t)n * sizeof *copy);
    Rng rng;
    rng_seed(&rng, 4);
    for (int k = 0; k < n; k++)
        copy[k] = y[k] = (rng_uniform(&rng) + 0.1f) * (k % 3 ? 1.0f : -2.0f);
    for (int k = 0; k < n + 4; k++) {
        mask[k] = k < n ? 7.0f : CANARY;
        y[k] = k < n ? y[k] : CANARY;
    }
    Rng start = rng;
    dropout_forward(y, mask, (size_t)n, rate, &rng);
    expect_canaries(y + n, 4, "dropout_forward's y");
    expect_canaries(mask + n, 4, "dropout_forward's mask");
    float keep = 1.0f / (1.0f - rate);
    int dropped = 0;
    for (int k = 0; k < n; k++) {
        if (mask[k] != 0.0f && fabsf(mask[k] - keep) > 1e-6f) {
            const char *why = "a mask entry is 0 (dropped, with probability "
                              "rate) or 1 / (1 - rate) (kept, and scaled up "
                              "so that the mean stays the same)";
            if (mask[k] == 7.0f)
                why = "it was not written at all: fill in every mask entry, "
                      "k < n";
            else if (mask[k] == 1.0f)
                why = "a kept neuron's mask is 1 / (1 - rate), not 1: "
                      "inverted dropout scales the survivors up, so that the "
                      "mean stays the same";
            else if (fabsf(mask[k] - (1.0f - rate)) < 1e-6f)
                why = "that is 1 - rate: a kept neuron's mask is 1 / (1 - "
                      "rate)";
            ck_assert_msg(0,
                          "dropout_forward with rate %g: mask[%d] should be "
                          "0 or %g, got %g: %s",
                          (double)rate, k, (double)keep, (double)mask[k], why);
        }
        ck_assert_msg(fabsf(y[k] - copy[k] * mask[k]) <= 1e-6f * fabsf(y[k]),
                      "dropout_forward with rate %g: y[%d] was %g and its "
                      "mask is %g, so it should become %g, got %g: multiply "
                      "every y[k] by its mask[k]",
                      (double)rate, k, (double)copy[k], (double)mask[k],
                      (double)(copy[k] * mask[k]), (double)y[k]);
        dropped += mask[k] == 0.0f;
    }
    double fraction = (double)dropped / n;
    ck_assert_msg(n < 1000 || fabs(fraction - (double)rate) < 0.02,
                  "dropout_forward with rate %g dropped %.1f%% of %d "
                  "outputs: %s",
                  (double)rate, 100 * fraction, n,
                  fabs(fraction - (1 - (double)rate)) < 0.02
                      ? "that is the share it should keep: drop when "
                        "rng_uniform(rng) < rate"
                      : "drop each with probability rate (rng_uniform(rng) "
                        "< rate)");
    /* The same generator state must drop the same neurons. */
    float *again = malloc((size_t)n * sizeof *again);
    memcpy(again, copy, (size_t)n * sizeof *again);
    float *mask_again = malloc((size_t)n * sizeof *mask_again);
    dropout_forward(again, mask_again, (size_t)n, rate, &start);
    ck_assert_msg(memcmp(mask, mask_again, (size_t)n * sizeof *mask) == 0,
                  "dropout_forward drew other masks from the same generator "
                  "state: draw every entry with rng_uniform(rng), nothing "
                  "else (not rand())");
    free(again);
    free(mask_again);
    free(y);
    free(mask);
    free(copy);
}

START_TEST(test_dropout_keeps_the_expected_value)
{
    expect_dropout(0.25f, 20000);
    expect_dropout(0.6f, 20000);
    expect_dropout(0.25f, 7);
}
END_TEST

START_TEST(test_dropout_backward_applies_the_mask)
{
    enum { N = 50 };
    float dx[N + 4], mask[N], copy[N];
    Rng rng;
    rng_seed(&rng, 9);
    for (int k = 0; k < N + 4; k++)
        dx[k] = k < N ? rng_normal(&rng) + (k % 2 ? 0.5f : -0.5f) : CANARY;
    for (int k = 0; k < N; k++)
        mask[k] = k % 3 == 0 ? 0.0f : k % 3 == 1 ? 2.0f : 1.25f;
    memcpy(copy, dx, sizeof copy);
    dropout_backward(dx, mask, N);
    expect_canaries(dx + N, 4, "dropout_backward");
    for (int k = 0; k < N; k++) {
        float want = copy[k] * mask[k];
        if (fabsf(dx[k] - want) <= 1e-6f * fabsf(want))
            continue;
        const char *why = "multiply every dx[k] by its mask[k], k < n";
        if (dx[k] == mask[k])
            why = "dx[k] became the mask: multiply (dx[k] *= mask[k]), do "
                  "not assign";
        else if (dx[k] == copy[k])
            why = "dx[k] is unchanged: multiply every dx[k], k < n, by its "
                  "mask[k]";
        ck_assert_msg(0,
                      "dropout_backward: dx[%d] was %g, its mask %g, so it "
                      "should become %g, got %g: %s",
                      k, (double)copy[k], (double)mask[k], (double)want,
                      (double)dx[k], why);
    }
}
END_TEST

START_TEST(test_no_dropout_is_the_plain_forward)
{
    Network net;
    small_network(&net, 2);
    Dropout none;
    Error err;
    Rng rng;
    rng_seed(&rng, 1);
    ck_assert(dropout_init(&none, &net, 0.0f, rng, &err) == 0);
    float x[12] = {0.1f, 0.9f, 0.0f, 0.4f, 0.3f, 0.7f,
                   0.5f, 0.2f, 0.8f, 0.0f, 1.0f, 0.6f};
    float plain[6];
    memcpy(plain, network_forward(&net, x, 2), sizeof plain);
    const float *p = network_forward_dropout(&net, &none, x, 2);
    for (int k = 0; k < 6; k++)
        ck_assert_msg(p[k] == plain[k], "dropout 0 must change nothing");
    dropout_free(&none);
    network_free(&net);
}
END_TEST

/* The loss of the network with dropout, drawing the masks from a copy of
 * `rng`, so that every call drops the same neurons. */
static double dropout_loss(Network *net, Dropout *dropout, Rng rng,
                           const float *x, const uint8_t *labels)
{
    dropout->rng = rng;
    const float *p = network_forward_dropout(net, dropout, x, 2);
    return cross_entropy_loss(p, labels, 2, 3);
}

START_TEST(test_dropout_gradient_numeric)
{
    Network net;
    Gradients grads;
    Dropout dropout;
    Error err;
    small_network(&net, 2);
    ck_assert(gradients_init(&grads, &net, &err) == 0);
    Rng rng;
    rng_seed(&rng, 77);
    ck_assert(dropout_init(&dropout, &net, 0.3f, rng, &err) == 0);
    float x[12] = {0.1f, 0.9f, 0.2f, 0.4f, 0.3f, 0.7f,
                   0.5f, 0.2f, 0.8f, 0.6f, 1.0f, 0.6f};
    const uint8_t labels[2] = {2, 0};
    dropout_loss(&net, &dropout, rng, x, labels);
    int dropped = 0;
    for (int l = 0; l + 1 < net.n_layers; l++)
        for (int k = 0; k < 2 * net.sizes[l + 1]; k++)
            dropped += dropout.masks[l][k] == 0.0f;
    ck_assert_msg(dropped > 0, "dropout at rate 0.3 dropped none of the 18 "
                               "hidden outputs (is 9.1 done?)");
    gradients_zero(&grads);
    network_backward_dropout(&grads, &net, &dropout, x, labels, 2);
    const float eps = 3e-3f;
    for (int l = 0; l < net.n_layers; l++) {
        int n = net.sizes[l] * net.sizes[l + 1];
        double largest = 0, worst = 0;
        for (int k = 0; k < n; k++) {
            double numeric;
            CENTRAL_DIFFERENCE(numeric, &net.layers[l].weights[k], eps,
                               dropout_loss(&net, &dropout, rng, x, labels));
            double analytic = grads.layers[l].weights[k];
            largest = fmax(largest, fabs(analytic));
            worst = fmax(worst, fabs(numeric - analytic));
        }
        ck_assert_msg(largest > 0, "layer %d: all-zero gradient", l + 1);
        ck_assert_msg(worst / largest < 1e-3,
                      "layer %d weights with dropout: backprop and central "
                      "differences differ by %.1e of the largest gradient: "
                      "does the backward pass apply the same mask?",
                      l + 1, worst / largest);
    }
    dropout_free(&dropout);
    gradients_free(&grads);
    network_free(&net);
}
END_TEST

START_TEST(test_network_copy)
{
    Network a, b;
    small_network(&a, 1);
    Error err;
    const int sizes[4] = {6, 5, 4, 3};
    ck_assert(network_init(&b, sizes, 4, 1, &err) == 0);
    network_copy(&b, &a);
    for (int l = 0; l < 3; l++)
        ck_assert_msg(memcmp(a.layers[l].weights, b.layers[l].weights,
                             (size_t)sizes[l] * sizes[l + 1] * sizeof(float)) ==
                              0 &&
                          memcmp(a.layers[l].biases, b.layers[l].biases,
                                 (size_t)sizes[l + 1] * sizeof(float)) == 0,
                      "layer %d was not copied", l + 1);
    network_free(&a);
    network_free(&b);
}
END_TEST

START_TEST(test_program_early_stopping)
{
    char out[8192];
    int status = run_program(out, sizeof out,
                             "bin/09_regularise --train-size 300 --validation "
                             "500 --epochs 40 --patience 1 --dropout 0.2 "
                             "--l2 0.001 --batch 50");
    ck_assert_msg(status == 0 && strstr(out, "stop.") &&
                      strstr(out, "Kept the network of epoch") &&
                      strstr(out, "on 300 digits") &&
                      strstr(out, "(on 500 digits"),
                  "with --train-size 300 --validation 500 --patience 1, "
                  "training should use 300 digits, validate on 500 (8.1), "
                  "stop early and say which epoch it kept (exit %d):\n%s",
                  status, out);
    status = run_program(out, sizeof out, "bin/09_regularise --dropout 0.95");
    ck_assert_msg(status == 2 && strstr(out, "--dropout expects"),
                  "--dropout 0.95 should be refused with exit 2, got %d: %s",
                  status, out);
}
END_TEST

Suite *suite_09_regularise(void)
{
    Suite *suite = suite_create("09_regularise");
    TCase *ex1 = tcase_create("exercise 9.1 (3 points)");
    tcase_add_test(ex1, test_dropout_keeps_the_expected_value);
    tcase_add_test(ex1, test_dropout_backward_applies_the_mask);
    suite_add_tcase(suite, ex1);
    TCase *ex2 = tcase_create("exercise 9.2 (2 points)");
    tcase_add_test(ex2, test_l2_gradient);
    suite_add_tcase(suite, ex2);
    TCase *units = tcase_create("network copies");
    tcase_add_test(units, test_network_copy);
    suite_add_tcase(suite, units);
    TCase *passes =
        tcase_create("passes with dropout (needs 2.1 3.1 4.1 5.1 6.1 6.2 9.1)");
    tcase_add_test(passes, test_no_dropout_is_the_plain_forward);
    tcase_add_test(passes, test_dropout_gradient_numeric);
    suite_add_tcase(suite, passes);
    TCase *program = tcase_create("program (needs 1.1 4.1 8.1)");
    tcase_set_timeout(program, 60);
    tcase_add_test(program, test_program_early_stopping);
    suite_add_tcase(suite, program);
    return suite;
}
