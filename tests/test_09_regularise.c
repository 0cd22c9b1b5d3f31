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
    gradients_free(&grads);
    network_free(&net);
}
END_TEST

/* l2_penalty, given code: (lambda / 2) times the sum of every weight
 * squared, the biases left out; its derivative is what l2_gradient (9.2)
 * adds. */
START_TEST(test_l2_penalty)
{
    const int sizes[3] = {3, 2, 4};
    Network net;
    Error err;
    ck_assert(network_init(&net, sizes, 3, 1, &err) == 0);
    double squares = 0.0, bias_squares = 0.0;
    for (int l = 0; l < net.n_layers; l++) {
        for (int k = 0; k < sizes[l] * sizes[l + 1]; k++) {
            net.layers[l].weights[k] = 0.25f * (float)(k % 5) - 0.5f;
            squares += (double)net.layers[l].weights[k] *
                       (double)net.layers[l].weights[k];
        }
        for (int j = 0; j < sizes[l + 1]; j++) {
            net.layers[l].biases[j] = 1.0f + (float)j;
            bias_squares += (1.0 + j) * (1.0 + j);
        }
    }
    double got = l2_penalty(&net, 0.1f), lambda = (double)0.1f;
    double want = 0.5 * lambda * squares;
    const char *why = "";
    if (fabs(got - lambda * squares) < 1e-9)
        why = ": that is lambda * the sum: the penalty is (lambda / 2) * sum "
              "w^2, whose derivative is lambda * w";
    else if (fabs(got - 0.5 * lambda * (squares + bias_squares)) < 1e-9)
        why = ": the biases were counted too: weight decay is on the weights "
              "only";
    else
        why = ": add w * w for every weight of every layer (n_in * n_out of "
              "them), and nothing else";
    ck_assert_msg(fabs(got - want) < 1e-9,
                  "l2_penalty (given code, chapter 9) of a 3 -> 2 -> 4 network "
                  "with lambda 0.1 should be (lambda / 2) * the sum of every "
                  "weight squared = %.6f, got %.6f%s",
                  want, got, why);
    /* And lambda * w, what l2_gradient adds (9.2), is its derivative. */
    float saved = net.layers[1].weights[5];
    double numeric;
    CENTRAL_DIFFERENCE(numeric, &net.layers[1].weights[5], 1e-2f,
                       l2_penalty(&net, 0.1f));
    ck_assert_msg(fabs(numeric - lambda * (double)saved) < 1e-5,
                  "l2_penalty (given code, chapter 9): its derivative by a "
                  "weight w should be lambda * w = %g, numerically %g",
                  lambda * (double)saved, numeric);
    network_free(&net);
}
END_TEST

/* A mask entry of dropout_forward at `rate` must be 0 or 1 / (1 - rate). */
static void expect_mask_entry(float rate, int k, float entry)
{
    float keep = 1.0f / (1.0f - rate);
    if (entry == 0.0f || fabsf(entry - keep) <= 1e-6f)
        return;
    const char *why = "a mask entry is 0 (dropped, with probability "
                      "rate) or 1 / (1 - rate) (kept, and scaled up "
                      "so that the mean stays the same)";
    if (entry == 7.0f)
        why = "it was not written at all: fill in every mask entry, "
              "k < n";
    else if (entry == 1.0f)
        why = "a kept neuron's mask is 1 / (1 - rate), not 1: "
              "inverted dropout scales the survivors up, so that the "
              "mean stays the same";
    else if (fabsf(entry - (1.0f - rate)) < 1e-6f)
        why = "that is 1 - rate: a kept neuron's mask is 1 / (1 - "
              "rate)";
    ck_assert_msg(0,
                  "dropout_forward with rate %g: mask[%d] should be "
                  "0 or %g, got %g: %s",
                  (double)rate, k, (double)keep, (double)entry, why);
}

/* The same generator state must drop the same neurons: dropout_forward of
 * the n outputs `copy` from `start` must draw `mask` again. */
static void expect_same_masks(const float *copy, const float *mask, int n,
                              float rate, Rng start)
{
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
}

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
    int dropped = 0;
    for (int k = 0; k < n; k++) {
        expect_mask_entry(rate, k, mask[k]);
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
    expect_same_masks(copy, mask, n, rate, start);
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

/* ---- Given code: the regularised step, early stopping, the kept network */

/* Twelve digits of 2 x 3 pixels, labels 0 to 2. */
static uint8_t step_pixels[72], step_labels[12];

static Digits step_digits(void)
{
    for (int k = 0; k < 72; k++)
        step_pixels[k] = (uint8_t)((k * 53 + 7) % 256);
    for (int k = 0; k < 12; k++)
        step_labels[k] = (uint8_t)(k * 5 % 3);
    return (Digits){.n = 12,
                    .rows = 2,
                    .cols = 3,
                    .pixels = step_pixels,
                    .labels = step_labels};
}

/* A network of small_network's sizes for batches of 4 and a trainer for
 * the twelve digits, all drawn from seed 40 (so every call makes the same
 * ones), and dropout at `rate` from seed 41. */
static void step_setup(Network *net, Trainer *trainer, Regulariser *reg,
                       float l2, float rate)
{
    Error err;
    small_network(net, 4);
    Rng rng, dropout_rng;
    rng_seed(&rng, 40);
    rng_seed(&dropout_rng, 41);
    ck_assert(trainer_init(trainer, net, 12, rng, &err) == 0);
    *reg = (Regulariser){.l2 = l2};
    ck_assert(dropout_init(&reg->dropout, net, rate, dropout_rng, &err) == 0);
}

static void step_free(Network *net, Trainer *trainer, Regulariser *reg)
{
    dropout_free(&reg->dropout);
    trainer_free(trainer);
    network_free(net);
}

/* One step of chapter 9 done here, step by step, as the chapter shows:
 * next batch, forward with dropout, cost and count, gradients zeroed,
 * backward with dropout, the L2 term (when l2 > 0), the step. */
static StepResult step_by_hand(Trainer *trainer, Network *net, Regulariser *reg,
                               const Digits *digits, float rate, int with_l2)
{
    uint8_t labels[4];
    trainer_next_batch(trainer, net, labels, digits, 4);
    const float *p =
        network_forward_dropout(net, &reg->dropout, net->inputs, 4);
    StepResult result = {cross_entropy_loss(p, labels, 4, 3),
                         count_correct(p, labels, 4, 3)};
    gradients_zero(&trainer->grads);
    network_backward_dropout(&trainer->grads, net, &reg->dropout, net->inputs,
                             labels, 4);
    if (with_l2 && reg->l2 > 0.0f)
        l2_gradient(&trainer->grads, net, reg->l2);
    sgd_step(net, &trainer->grads, rate);
    return result;
}

/* train_step_regularised against step_by_hand, for three steps: the
 * numbers must be the same to the bit, whatever the exercises compute
 * (this given code is tested whether or not they are done). */
static void expect_regularised_steps(float l2, float dropout)
{
    Network net, mine, no_l2;
    Trainer trainer, my_trainer, no_l2_trainer;
    Regulariser reg, my_reg, no_l2_reg;
    Digits digits = step_digits();
    step_setup(&net, &trainer, &reg, l2, dropout);
    step_setup(&mine, &my_trainer, &my_reg, l2, dropout);
    step_setup(&no_l2, &no_l2_trainer, &no_l2_reg, l2, dropout);
    for (int step = 1; step <= 3; step++) {
        StepResult got =
            train_step_regularised(&trainer, &net, &reg, &digits, 4, 0.5f);
        StepResult want =
            step_by_hand(&my_trainer, &mine, &my_reg, &digits, 0.5f, 1);
        step_by_hand(&no_l2_trainer, &no_l2, &no_l2_reg, &digits, 0.5f, 0);
        char what[200];
        snprintf(what, sizeof what,
                 "train_step_regularised (given code, chapter 9) on a 6 -> 5 "
                 "-> 4 -> 3 network, --l2 %g --dropout %g, step %d of 3",
                 (double)l2, (double)dropout, step);
        ck_assert_msg(
            (got.loss == want.loss || (isnan(got.loss) && isnan(want.loss))) &&
                got.correct == want.correct,
            "%s: it reported a cost of %.6f and %d right; the "
            "batch's forward pass with dropout, before the step, "
            "gives %.6f and %d",
            what, got.loss, got.correct, want.loss, want.correct);
        if (same_network(&net, &mine))
            continue;
        const char *why =
            "the chapter's steps, in its order: next batch, forward with "
            "dropout, cost, zero the gradients, backward with dropout's "
            "masks, add the L2 term, step";
        if (l2 > 0.0f && same_network(&net, &no_l2))
            why = "the weights moved exactly as without weight decay: --l2 "
                  "had no effect, as if it were 0. Add the L2 term "
                  "(l2_gradient) to the gradients after they are zeroed and "
                  "backward has filled them, and before the step uses them";
        ck_assert_msg(0, "%s: the weights differ from those of %s", what, why);
    }
    step_free(&net, &trainer, &reg);
    step_free(&mine, &my_trainer, &my_reg);
    step_free(&no_l2, &no_l2_trainer, &no_l2_reg);
}

START_TEST(test_train_step_regularised)
{
    expect_regularised_steps(0.05f, 0.0f);
    expect_regularised_steps(0.05f, 0.3f);
    expect_regularised_steps(0.0f, 0.3f);
}
END_TEST

/* With the exercises done: one step with --l2 0.1 against one with --l2
 * 0 from the same network and batch. Each weight must end lower by
 * rate * lambda * w (the step of the L2 term), each bias the same. */
START_TEST(test_weight_decay_in_the_step)
{
    Network with, without;
    Trainer with_trainer, without_trainer;
    Regulariser with_reg, without_reg;
    Digits digits = step_digits();
    step_setup(&with, &with_trainer, &with_reg, 0.1f, 0.0f);
    step_setup(&without, &without_trainer, &without_reg, 0.0f, 0.0f);
    Network before;
    small_network(&before, 4);
    train_step_regularised(&with_trainer, &with, &with_reg, &digits, 4, 0.5f);
    train_step_regularised(&without_trainer, &without, &without_reg, &digits, 4,
                           0.5f);
    for (int l = 0; l < with.n_layers; l++) {
        for (int k = 0; k < with.sizes[l] * with.sizes[l + 1]; k++) {
            double w = before.layers[l].weights[k];
            double change = (double)with.layers[l].weights[k] -
                            (double)without.layers[l].weights[k];
            double want = -0.5 * 0.1 * w;
            ck_assert_msg(fabs(change - want) < 1e-5 + 1e-3 * fabs(want),
                          "train_step_regularised (given code, chapter 9), "
                          "one step at rate 0.5: with --l2 0.1, layer %d's "
                          "weight %d (it was %.6f) should end %.6f lower "
                          "than with --l2 0 (rate * lambda * w), it ended "
                          "%.6f lower%s",
                          l + 1, k, w, -want, change == 0.0 ? 0.0 : -change,
                          change == 0.0
                              ? ": --l2 0.1 trained exactly like --l2 0; the "
                                "L2 term goes into the gradient after "
                                "backward and before the step"
                          : fabs(change - 2 * want) < 1e-3 * fabs(want)
                              ? ": twice the L2 term's step; add lambda * w "
                                "to each weight's gradient once"
                              : "");
        }
        for (int j = 0; j < with.sizes[l + 1]; j++)
            ck_assert_msg(with.layers[l].biases[j] ==
                              without.layers[l].biases[j],
                          "train_step_regularised (given code, chapter 9): "
                          "layer %d's bias %d moved differently with --l2 "
                          "0.1 than with --l2 0: weight decay leaves the "
                          "biases alone",
                          l + 1, j);
    }
    network_free(&before);
    step_free(&with, &with_trainer, &with_reg);
    step_free(&without, &without_trainer, &without_reg);
}
END_TEST

/* A 2 -> 2 network whose every weight and bias is `value`. */
static void set_network(Network *net, float value)
{
    for (int l = 0; l < net->n_layers; l++) {
        for (int k = 0; k < net->sizes[l] * net->sizes[l + 1]; k++)
            net->layers[l].weights[k] = value;
        for (int j = 0; j < net->sizes[l + 1]; j++)
            net->layers[l].biases[j] = value;
    }
}

/* Does every weight and bias of `net` hold `value`? */
static int same_network_value(const Network *net, float value)
{
    for (int l = 0; l < net->n_layers; l++) {
        for (int k = 0; k < net->sizes[l] * net->sizes[l + 1]; k++)
            if (net->layers[l].weights[k] != value)
                return 0;
        for (int j = 0; j < net->sizes[l + 1]; j++)
            if (net->layers[l].biases[j] != value)
                return 0;
    }
    return 1;
}

/* Why early stopping kept epoch `got` (network value `kept`) when the
 * best so far is epoch `want`. */
static const char *kept_why(long got, float kept, long want, int watch_cost,
                            const double *scores)
{
    if (got == want && kept != (float)want)
        return "the epoch is right, but the network kept is another one: "
               "copy the network when it beats the best score (inside the "
               "if), not at every epoch";
    if (kept == 0.0f && got == 0)
        return "nothing was kept: the first epoch must beat the empty start "
               "(best_score starts at -infinity, -HUGE_VAL)";
    if (got > want && scores[got - 1] == scores[want - 1])
        return "a tie is not better: only a score strictly above the best "
               "replaces it (>, not >=)";
    if (watch_cost)
        return "with --stop-on cost the best is the lowest validation cost "
               "(the score is -loss: higher is better)";
    return "keep a copy of the network each time it beats the best score so "
           "far, and only then";
}

/* Early stopping over epochs 1 .. n whose validation scores are
 * scores[] (accuracies, or with watch_cost costs), the network at epoch e
 * holding e in every weight: it must say stop (1) exactly at epoch
 * stop_at (0: never) and keep the best epoch's network. */
static void expect_early_stopping(const double *scores, int n, int watch_cost,
                                  long patience, int stop_at, const char *what)
{
    const int sizes[2] = {2, 2};
    Network net;
    EarlyStopping stop;
    Error err;
    ck_assert(network_init(&net, sizes, 2, 1, &err) == 0);
    ck_assert_msg(
        early_stopping_init(&stop, &net, patience, watch_cost, &err) == 0, "%s",
        err.msg);
    int stopped = 0;
    long best = 0; /* the best epoch so far */
    for (int epoch = 1; epoch <= n && !stopped; epoch++) {
        set_network(&net, (float)epoch);
        double score = watch_cost ? -scores[epoch - 1] : scores[epoch - 1];
        if (best == 0 ||
            score > (watch_cost ? -scores[best - 1] : scores[best - 1]))
            best = epoch;
        Score on_validation = {watch_cost ? scores[epoch - 1] : 1.0,
                               watch_cost ? 0.5 : scores[epoch - 1]};
        stopped = early_stopping_update(&stop, &net, on_validation, epoch);
        float kept = stop.best.layers[0].weights[0];
        ck_assert_msg(
            stop.best_epoch == best && kept == (float)best &&
                same_network_value(&stop.best, (float)best),
            "early_stopping_update (given code, chapter 9), %s: "
            "after epoch %d it should keep epoch %ld's network "
            "(every weight %ld.0); it says epoch %ld and kept a "
            "network whose weights are %g: %s",
            what, epoch, best, best, stop.best_epoch, (double)kept,
            kept_why(stop.best_epoch, kept, best, watch_cost, scores));
        ck_assert_msg(
            stopped == (epoch == stop_at),
            "early_stopping_update (given code, chapter 9), %s: at epoch %d "
            "it said %s, it should %s: with patience %ld, it is time to stop "
            "when %ld epochs have gone by without a better score (epoch - "
            "best_epoch >= patience; patience 0: never)",
            what, epoch, stopped ? "stop" : "go on",
            epoch == stop_at ? "stop" : "go on", patience, patience);
    }
    network_free(&stop.best);
    network_free(&net);
}

START_TEST(test_early_stopping)
{
    const double accuracies[5] = {0.50, 0.70, 0.65, 0.70, 0.60};
    expect_early_stopping(accuracies, 5, 0, 3, 5,
                          "validation accuracies 0.50 0.70 0.65 0.70 0.60, "
                          "patience 3");
    const double costs[6] = {0.9, 0.7, 0.8, 0.6, 0.65, 0.62};
    expect_early_stopping(costs, 6, 1, 0, 0,
                          "--stop-on cost, validation costs 0.9 0.7 0.8 0.6 "
                          "0.65 0.62, patience 0");
    const double falling[2] = {0.3, 0.2};
    expect_early_stopping(falling, 2, 0, 1, 2,
                          "validation accuracies 0.3 0.2, patience 1");
}
END_TEST

/* The numbers of the row of `key` in a table of chapter 9's output, read
 * with `format`: the key (a whole number) then n numbers into row[0 ..
 * n - 1]. Returns 1 if there is such a row. */
static int table_row(const char *out, const char *format, int n, long key,
                     double row[4])
{
    for (const char *line = out; line != NULL && *line != '\0';) {
        long k;
        if (sscanf(line, format, &k, &row[0], &row[1], &row[2], &row[3]) ==
                n + 1 &&
            k == key)
            return 1;
        line = strchr(line, '\n');
        line = line ? line + 1 : NULL;
    }
    return 0;
}

/* The row of `epoch` in the table of epochs: training, validation and test
 * accuracy. */
static int epoch_row(const char *out, long epoch, double row[4])
{
    return table_row(out, "%ld %lf%% %lf%% %lf%%", 3, epoch, row);
}

/* The row of `seed` in the table of --seeds: kept epoch, training,
 * validation and test accuracy. */
static int seed_row(const char *out, long seed, double row[4])
{
    return table_row(out, " %ld %lf %lf%% %lf%% %lf%%", 4, seed, row);
}

/* The line 'Kept the network of epoch N: training A%, validation B%, test
 * C%' of a run's output: N into *epoch, A, B and C into kept. Returns 1 if
 * it is there. */
static int kept_line(const char *out, long *epoch, double kept[3])
{
    const char *line = strstr(out, "Kept the network of epoch");
    return line != NULL &&
           sscanf(line,
                  "Kept the network of epoch %ld: training %lf%%, "
                  "validation %lf%%, test %lf%%",
                  epoch, &kept[0], &kept[1], &kept[2]) == 4;
}

/* Early stopping watches the validation column: the best validation
 * accuracy so far (a tie is not better), and a stop once 2 epochs have
 * passed without a better one. (Accuracies on 500 digits are multiples of
 * 0.2%, printed exactly.) The run of `command` kept epoch kept_epoch and
 * its table ends at epoch `last`. */
static void expect_stop_on_validation(const char *out, const char *command,
                                      long kept_epoch, long last)
{
    long best = 0, stop = 40;
    double best_validation = -1.0, seen[4];
    for (long e = 1; e <= last; e++) {
        epoch_row(out, e, seen);
        if (seen[1] > best_validation) {
            best_validation = seen[1];
            best = e;
        } else if (e - best >= 2) {
            stop = e;
            break;
        }
    }
    ck_assert_msg(kept_epoch == best && last == stop,
                  "%s: by the table's validation column the best epoch is "
                  "%ld (%.2f%%), and with patience 2 the run should stop at "
                  "epoch %ld; it kept epoch %ld and stopped at epoch %ld: "
                  "train_and_watch (given code, chapter 9) gives "
                  "early_stopping_update the validation scores (never the "
                  "test's, which would choose on the test set):\n%s",
                  command, best, best_validation, stop, kept_epoch, last, out);
}

/* The network saved to `saved` is the kept one: its test accuracy is epoch
 * kept_epoch's, kept_test (the last epoch's: last_test). */
static void expect_saved_is_kept(const char *saved, const char *command,
                                 long kept_epoch, double kept_test,
                                 double last_test)
{
    Network net;
    Digits train, test;
    Error err;
    ck_assert_msg(network_load(&net, saved, EVALUATE_BATCH, &err) == 0, "%s",
                  err.msg);
    ck_assert_msg(mnist_load(&train, &test, test_data_dir(), &err) == 0, "%s",
                  err.msg);
    double accuracy = 100.0 * network_evaluate(&net, &test).accuracy;
    ck_assert_msg(fabs(accuracy - kept_test) < 0.006,
                  "%s: the network saved to --save should be the kept one "
                  "(epoch %ld, test accuracy %.2f%%); the saved one gets "
                  "%.2f%%%s",
                  command, kept_epoch, kept_test, accuracy,
                  fabs(accuracy - last_test) < 0.006
                      ? ", the last epoch's: save run.stop.best, not run.net"
                      : "");
    network_free(&net);
    digits_free(&train);
    digits_free(&test);
}

START_TEST(test_kept_network)
{
    char out[16384], command[8192];
    const char *saved = temp_path("kept.net");
    snprintf(command, sizeof command,
             "bin/09_regularise --train-size 300 --validation 500 --epochs 40 "
             "--patience 2 --batch 50 --hidden 32 --save %s",
             saved);
    int status = run_program(out, sizeof out, command);
    ck_assert_msg(status == 0 && strstr(out, "on 300 digits"),
                  "%s should train on 300 digits (a slice, 8.1) and exit 0, "
                  "got %d:\n%s",
                  command, status, out);
    long kept_epoch = 0, last = 0;
    double kept[3], row[4], last_row[4];
    ck_assert_msg(kept_line(out, &kept_epoch, kept),
                  "%s: no line 'Kept the network of epoch N: training A%%, "
                  "validation B%%, test C%%':\n%s",
                  command, out);
    while (epoch_row(out, last + 1, last_row))
        last++;
    ck_assert_msg(last > kept_epoch && epoch_row(out, kept_epoch, row),
                  "%s: early stopping with patience 2 should stop 2 epochs "
                  "after the epoch it keeps (%ld), the table ends at epoch "
                  "%ld:\n%s",
                  command, kept_epoch, last, out);
    expect_stop_on_validation(out, command, kept_epoch, last);
    ck_assert_msg(row[0] == kept[0] && row[1] == kept[1] && row[2] == kept[2],
                  "%s: the kept network (the run_finish and single_run of "
                  "chapter 9's program, given code) is epoch %ld's, whose row "
                  "reads training %.2f%%, validation %.2f%%, test %.2f%%; "
                  "the program reports training %.2f%%, validation %.2f%%, "
                  "test %.2f%%%s:\n%s",
                  command, kept_epoch, row[0], row[1], row[2], kept[0], kept[1],
                  kept[2],
                  kept[0] == last_row[0] && kept[1] == last_row[1] &&
                          kept[2] == last_row[2]
                      ? ", the scores of the last epoch: score the kept "
                        "network (run->stop.best), not the last one "
                        "(run->net)"
                      : "",
                  out);
    expect_saved_is_kept(saved, command, kept_epoch, kept[2], last_row[2]);
}
END_TEST

START_TEST(test_seeds_rows)
{
    const char *settings[2] = {"--epochs 2", "--epochs 40 --patience 2"};
    for (int k = 0; k < 2; k++) {
        char one[16384], seeds[16384], command[512], again[512];
        snprintf(command, sizeof command,
                 "bin/09_regularise --train-size 300 --validation 500 "
                 "--batch 50 --hidden 32 %s --seed 1",
                 settings[k]);
        snprintf(again, sizeof again, "%.*ss 2", (int)strlen(command) - 2,
                 command);
        ck_assert_msg(run_program(one, sizeof one, command) == 0, "%s:\n%s",
                      command, one);
        ck_assert_msg(run_program(seeds, sizeof seeds, again) == 0, "%s:\n%s",
                      again, seeds);
        long epoch = 0;
        double kept[3], row[4];
        ck_assert_msg(kept_line(one, &epoch, kept),
                      "%s: no line 'Kept the network of epoch N: ...':\n%s",
                      command, one);
        ck_assert_msg(seed_row(seeds, 1, row), "%s: no row for seed 1:\n%s",
                      again, seeds);
        ck_assert_msg(row[0] == (double)epoch && row[1] == kept[0] &&
                          row[2] == kept[1] && row[3] == kept[2],
                      "%s: seed 1's row (kept epoch %g, training %.2f%%, "
                      "validation %.2f%%, test %.2f%%) should be the run of "
                      "--seed 1 (kept epoch %ld, %.2f%%, %.2f%%, %.2f%%): "
                      "seed_run (given code, chapter 9) trains and keeps as "
                      "single_run does%s:\n%s",
                      again, row[0], row[1], row[2], row[3], epoch, kept[0],
                      kept[1], kept[2],
                      row[0] > (double)epoch
                          ? "; without early stopping the kept epoch is the "
                            "last, --epochs (the loop's counter has gone one "
                            "past it)"
                          : "",
                      seeds);
    }
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
    TCase *penalty = tcase_create("given code: l2_penalty");
    tcase_add_test(penalty, test_l2_penalty);
    suite_add_tcase(suite, penalty);
    TCase *decay = tcase_create("given code: weight decay (needs 7.1 9.2)");
    tcase_add_test(decay, test_weight_decay_in_the_step);
    suite_add_tcase(suite, decay);
    TCase *step = tcase_create("given code: train_step_regularised");
    tcase_add_test(step, test_train_step_regularised);
    suite_add_tcase(suite, step);
    TCase *stopping = tcase_create("given code: early stopping");
    tcase_add_test(stopping, test_early_stopping);
    suite_add_tcase(suite, stopping);
    TCase *kept =
        tcase_create("given code: the kept network (needs 1.1 4.1 8.1)");
    tcase_set_timeout(kept, 60);
    tcase_add_test(kept, test_kept_network);
    tcase_add_test(kept, test_seeds_rows);
    suite_add_tcase(suite, kept);
    TCase *program = tcase_create("program (needs 1.1 4.1 8.1)");
    tcase_set_timeout(program, 60);
    tcase_add_test(program, test_program_early_stopping);
    suite_add_tcase(suite, program);
    return suite;
}
