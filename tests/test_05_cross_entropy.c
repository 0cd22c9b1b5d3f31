/* Chapter 5's tests: the cost, accuracy, and the whole network's forward
 * pass, on a batch and one digit at a time. */
#define CH05_NO_MAIN
#include "../code/05_cross_entropy.c"

#include "testing.h"

Suite *suite_05_cross_entropy(void);

START_TEST(test_loss_perfect_prediction)
{
    const float p[6] = {0, 1, 0, 0, 0, 1};
    const uint8_t labels[2] = {1, 2};
    double loss = cross_entropy_loss(p, labels, 2, 3);
    ck_assert_msg(fabs(loss) < 1e-12,
                  "probability 1 on the right answer should cost 0, got %g",
                  loss);
}
END_TEST

START_TEST(test_loss_uniform_is_ln10)
{
    float p[3 * 10];
    for (int k = 0; k < 30; k++)
        p[k] = 0.1f;
    const uint8_t labels[3] = {0, 5, 9};
    double loss = cross_entropy_loss(p, labels, 3, 10);
    ck_assert_msg(fabs(loss - log(10.0)) < 1e-6,
                  "even bets on 10 digits should cost ln 10 = 2.302585, got "
                  "%.6f: loss = mean of -ln p[label]",
                  loss);
}
END_TEST

START_TEST(test_loss_is_a_mean)
{
    const float p[4] = {0.5f, 0.5f, 0.25f, 0.75f};
    const uint8_t labels[2] = {0, 0};
    double expected = (-log(0.5) - log(0.25)) / 2;
    double loss = cross_entropy_loss(p, labels, 2, 2);
    ck_assert_msg(fabs(loss - expected) < 1e-6,
                  "expected the mean of -ln 0.5 and -ln 0.25 = %.6f, got %.6f",
                  expected, loss);
}
END_TEST

START_TEST(test_loss_finite_for_zero_probability)
{
    const float p[2] = {0.0f, 1.0f};
    const uint8_t labels[1] = {0};
    double loss = cross_entropy_loss(p, labels, 1, 2);
    ck_assert_msg(isfinite(loss) && loss > 60,
                  "probability 0 on the right answer should give a large "
                  "finite cost (ln is clamped), got %g",
                  loss);
}
END_TEST

START_TEST(test_loss_nan_stays_nan)
{
    const float p[2] = {NAN, NAN};
    const uint8_t labels[1] = {0};
    double loss = cross_entropy_loss(p, labels, 1, 2);
    ck_assert_msg(isnan(loss),
                  "a NaN probability must give a NaN loss (so that training "
                  "can notice it diverged), got %g",
                  loss);
}
END_TEST

START_TEST(test_count_correct)
{
    const float p[9] = {0.1f, 0.7f, 0.2f, 0.5f, 0.3f, 0.2f, 0.3f, 0.3f, 0.4f};
    const uint8_t labels[3] = {1, 1, 2};
    int correct = count_correct(p, labels, 3, 3);
    ck_assert_msg(correct == 2,
                  "rows answer 1, 0, 2 against labels 1, 1, 2: expected 2 "
                  "right, counted %d",
                  correct);
}
END_TEST

START_TEST(test_top_k)
{
    const float p[8] = {0.1f, 0.4f, 0.3f, 0.2f, 0.7f, 0.1f, 0.05f, 0.15f};
    const uint8_t labels[2] = {2, 3};
    ck_assert_msg(count_top_k(p, labels, 2, 4, 1) == 0,
                  "k = 1: neither label is the most probable, got %d",
                  count_top_k(p, labels, 2, 4, 1));
    ck_assert_msg(count_top_k(p, labels, 2, 4, 2) == 2,
                  "k = 2: label 2 is second in row 0 (0.3 after 0.4), label "
                  "3 second in row 1 (0.15 after 0.7): expected 2, got %d",
                  count_top_k(p, labels, 2, 4, 2));
    ck_assert_int_eq(count_top_k(p, labels, 2, 4, 4), 2);
}
END_TEST

static void make_network(Network *net, int max_batch)
{
    const int sizes[4] = {20, 8, 6, 4};
    Error err;
    ck_assert_msg(network_init(net, sizes, 4, max_batch, &err) == 0, "%s",
                  err.msg);
    Rng rng;
    rng_seed(&rng, 9);
    network_randomize(net, INIT_HE, &rng);
    for (int l = 0; l < net->n_layers; l++)
        for (int j = 0; j < net->sizes[l + 1]; j++)
            net->layers[l].biases[j] = 0.1f * rng_normal(&rng);
}

START_TEST(test_batch_matches_one_at_a_time)
{
    enum { N = 5 };
    Network net;
    make_network(&net, N);
    Rng rng;
    rng_seed(&rng, 4);
    float x[N * 20], batch[N * 4];
    for (int k = 0; k < N * 20; k++)
        x[k] = rng_uniform(&rng) < 0.5f ? 0.0f : rng_uniform(&rng);
    memcpy(batch, network_forward(&net, x, N), sizeof batch);
    for (int b = 0; b < N; b++) {
        const float *one = network_forward(&net, x + b * 20, 1);
        float sum = 0;
        for (int k = 0; k < 4; k++) {
            ck_assert_msg(fabsf(one[k] - batch[b * 4 + k]) < 1e-6f,
                          "digit %d output %d: %g in a batch of %d but %g "
                          "alone; does a row of the batch depend on another?",
                          b, k, (double)batch[b * 4 + k], N, (double)one[k]);
            sum += one[k];
        }
        ck_assert_msg(fabsf(sum - 1.0f) < 1e-5f,
                      "the network's outputs should be probabilities "
                      "(softmax last), they sum to %g",
                      (double)sum);
    }
    network_free(&net);
}
END_TEST

START_TEST(test_network_rejects_bad_sizes)
{
    Network net;
    Error err;
    const int one[1] = {784};
    ck_assert(network_init(&net, one, 1, 10, &err) == -1);
    const int zero[3] = {784, 0, 10};
    ck_assert(network_init(&net, zero, 3, 10, &err) == -1);
    ck_assert_msg(strstr(err.msg, "is 0") != NULL, "got: %s", err.msg);
    /* Issue 11: two 1024 x 1024 images and --hidden 4096 would ask for
     * about 32 GB; refused before allocating, with the size. */
    const int huge[3] = {1024 * 1024, 4096, 10};
    ck_assert(network_init(&net, huge, 3, 100, &err) == -1);
    ck_assert_msg(strstr(err.msg, "1048576 -> 4096 -> 10 would need 16786 MiB"),
                  "a network over the memory cap should be refused with its "
                  "size, got: %s",
                  err.msg);
}
END_TEST

START_TEST(test_untrained_network_on_mnist)
{
    Digits train, test;
    Error err;
    ck_assert_msg(mnist_load(&train, &test, test_data_dir(), &err) == 0,
                  "cannot load MNIST (run ./build.sh data): %s", err.msg);
    digits_free(&train);
    const int sizes[4] = {784, 16, 16, 10};
    Network net;
    ck_assert(network_init(&net, sizes, 4, EVALUATE_BATCH, &err) == 0);
    Rng rng;
    rng_seed(&rng, 1);
    network_randomize(&net, INIT_HE, &rng);
    Score score = network_evaluate(&net, &test);
    double loss = score.loss, accuracy = score.accuracy;
    ck_assert_msg(fabs(loss - log(10.0)) < 0.3,
                  "an untrained network should cost about ln 10 = 2.30, got "
                  "%.4f",
                  loss);
    ck_assert_msg(accuracy > 0.04 && accuracy < 0.16,
                  "an untrained network should be right about 10%% of the "
                  "time, got %.2f%%",
                  100 * accuracy);
    network_free(&net);
    digits_free(&test);
}
END_TEST

Suite *suite_05_cross_entropy(void)
{
    Suite *suite = suite_create("05_cross_entropy");
    TCase *cost = tcase_create("exercise 5.1");
    tcase_add_test(cost, test_loss_perfect_prediction);
    tcase_add_test(cost, test_loss_uniform_is_ln10);
    tcase_add_test(cost, test_loss_is_a_mean);
    tcase_add_test(cost, test_loss_finite_for_zero_probability);
    tcase_add_test(cost, test_loss_nan_stays_nan);
    suite_add_tcase(suite, cost);
    TCase *top_k = tcase_create("exercise 5.2");
    tcase_add_test(top_k, test_top_k);
    suite_add_tcase(suite, top_k);
    TCase *accuracy = tcase_create("accuracy");
    tcase_add_test(accuracy, test_count_correct);
    suite_add_tcase(suite, accuracy);
    TCase *network = tcase_create("network (needs 2.1 3.1 4.1)");
    tcase_add_test(network, test_batch_matches_one_at_a_time);
    tcase_add_test(network, test_network_rejects_bad_sizes);
    suite_add_tcase(suite, network);
    TCase *real = tcase_create("real MNIST (needs 1.1 2.1 3.1 4.1 5.1)");
    tcase_add_test(real, test_untrained_network_on_mnist);
    suite_add_tcase(suite, real);
    return suite;
}
