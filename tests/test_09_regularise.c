/* Chapter 9's tests: weight decay's gradient, dropout's expected value and
 * gradient, copying a network, and early stopping in the program. */
#define CH09_NO_MAIN
#include "../code/09_regularise.c"

#include "testing.h"

Suite *suite_09_regularise(void);

/* A small random network with non-zero biases. */
static void small_network(Network *net, int max_batch)
{
    const int sizes[4] = {6, 5, 4, 3};
    Error err;
    ck_assert(network_init(net, sizes, 4, max_batch, &err) == 0);
    Rng rng;
    rng_seed(&rng, 12);
    network_randomize(net, INIT_HE, &rng);
    for (int l = 0; l < net->n_layers; l++)
        for (int j = 0; j < net->sizes[l + 1]; j++)
            net->layers[l].biases[j] = 0.2f * rng_normal(&rng);
}

START_TEST(test_l2_gradient)
{
    Network net;
    Gradients grads;
    Error err;
    small_network(&net, 1);
    ck_assert(gradients_init(&grads, &net, &err) == 0);
    grads.layers[1].weights[3] = 1.0f;
    l2_gradient(&grads, &net, 0.5f);
    float expected = 1.0f + 0.5f * net.layers[1].weights[3];
    ck_assert_msg(fabsf(grads.layers[1].weights[3] - expected) < 1e-6f,
                  "L2 adds lambda * w to the weight's gradient (accumulating):"
                  " expected %g, got %g",
                  (double)expected, (double)grads.layers[1].weights[3]);
    ck_assert_msg(grads.layers[1].biases[0] == 0.0f,
                  "L2 leaves the biases' gradient alone");
    /* And lambda * w is the derivative of the penalty (lambda/2) sum w^2. */
    float saved = net.layers[0].weights[7], eps = 1e-2f;
    net.layers[0].weights[7] = saved + eps;
    double plus = l2_penalty(&net, 0.5f);
    net.layers[0].weights[7] = saved - eps;
    double minus = l2_penalty(&net, 0.5f);
    net.layers[0].weights[7] = saved;
    double numeric = (plus - minus) / (2.0 * (double)eps);
    ck_assert_msg(fabs(numeric - 0.5 * (double)saved) < 1e-4,
                  "d(penalty)/dw should be lambda * w = %g, numerically %g",
                  0.5 * (double)saved, numeric);
    gradients_free(&grads);
    network_free(&net);
}
END_TEST

START_TEST(test_dropout_keeps_the_expected_value)
{
    enum { N = 20000 };
    static float y[N], mask[N];
    for (int k = 0; k < N; k++)
        y[k] = 1.0f;
    Rng rng;
    rng_seed(&rng, 4);
    dropout_forward(y, mask, N, 0.25f, &rng);
    int dropped = 0;
    double sum = 0;
    for (int k = 0; k < N; k++) {
        ck_assert_msg(y[k] == 0.0f || fabsf(y[k] - 1.0f / 0.75f) < 1e-6f,
                      "with rate 0.25 an output is 0 or 1/0.75, got %g",
                      (double)y[k]);
        dropped += y[k] == 0.0f;
        sum += (double)y[k];
    }
    ck_assert_msg(abs(dropped - N / 4) < N / 50,
                  "rate 0.25 should drop about %d of %d, dropped %d", N / 4, N,
                  dropped);
    ck_assert_msg(fabs(sum / N - 1.0) < 0.02,
                  "inverted dropout keeps the mean at 1, got %.4f: are the "
                  "kept outputs scaled by 1 / (1 - rate)?",
                  sum / N);
}
END_TEST

START_TEST(test_dropout_backward_applies_the_mask)
{
    const float mask[3] = {0.0f, 2.0f, 2.0f};
    float dx[3] = {1.0f, 1.5f, -3.0f};
    dropout_backward(dx, mask, 3);
    ck_assert_msg(dx[0] == 0.0f && dx[1] == 3.0f && dx[2] == -6.0f,
                  "dropout backward multiplies by the mask: expected 0 3 -6, "
                  "got %g %g %g",
                  (double)dx[0], (double)dx[1], (double)dx[2]);
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
    gradients_zero(&grads);
    network_backward_dropout(&grads, &net, &dropout, x, labels, 2);
    const float eps = 3e-3f;
    for (int l = 0; l < net.n_layers; l++) {
        int n = net.sizes[l] * net.sizes[l + 1];
        double largest = 0, worst = 0;
        for (int k = 0; k < n; k++) {
            float saved = net.layers[l].weights[k];
            net.layers[l].weights[k] = saved + eps;
            double plus = dropout_loss(&net, &dropout, rng, x, labels);
            net.layers[l].weights[k] = saved - eps;
            double minus = dropout_loss(&net, &dropout, rng, x, labels);
            net.layers[l].weights[k] = saved;
            double numeric = (plus - minus) / (2.0 * (double)eps);
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
                      strstr(out, "Kept the network of epoch"),
                  "with --patience 1 training should stop early and say "
                  "which epoch it kept (exit %d):\n%s",
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
    TCase *ex1 = tcase_create("exercise 9.1");
    tcase_add_test(ex1, test_dropout_keeps_the_expected_value);
    tcase_add_test(ex1, test_dropout_backward_applies_the_mask);
    suite_add_tcase(suite, ex1);
    TCase *ex2 = tcase_create("exercise 9.2");
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
    TCase *program = tcase_create("program (needs 1.1 8.1 9.1 9.2)");
    tcase_set_timeout(program, 60);
    tcase_add_test(program, test_program_early_stopping);
    suite_add_tcase(suite, program);
    return suite;
}
