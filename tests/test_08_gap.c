/* Chapter 8's tests: slices of a data set, noise images, and the program's
 * report of the gap on a small run. */
#define CH08_NO_MAIN
#include "../code/08_gap.c"

#include "expect.h"
#include "testing.h"

Suite *suite_08_gap(void);

/* digits_slice(all, first, n) on 5 digits of 2 x 3 pixels: the right
 * count and size, and pointers into all's memory at digit `first`. */
static void expect_slice(size_t first, size_t n)
{
    static uint8_t pixels[5 * 6], labels[5];
    for (int k = 0; k < 5 * 6; k++)
        pixels[k] = (uint8_t)(10 + k);
    for (int k = 0; k < 5; k++)
        labels[k] = (uint8_t)(9 - k);
    Digits all = {
        .n = 5, .rows = 2, .cols = 3, .pixels = pixels, .labels = labels};
    Digits slice = digits_slice(&all, first, n);
    char what[96];
    snprintf(what, sizeof what,
             "digits_slice(all, %zu, %zu) of 5 digits of 2 x 3 pixels", first,
             n);
    ck_assert_msg(slice.n == n,
                  "%s: the slice should hold n = %zu digits, it says %zu", what,
                  n, slice.n);
    ck_assert_msg(slice.rows == 2 && slice.cols == 3,
                  "%s: its digits are 2 x 3 pixels like all's, it says %d x "
                  "%d: copy rows and cols",
                  what, slice.rows, slice.cols);
    ck_assert_msg(slice.labels == labels + first,
                  "%s: its labels should start at all->labels + first (label "
                  "%d), they start %td labels in%s",
                  what, labels[first], slice.labels - labels,
                  slice.labels == labels ? ": add first" : "");
    ptrdiff_t at = slice.pixels - pixels;
    ck_assert_msg(slice.pixels == pixels + first * 6,
                  "%s: its pixels should start at digit %zu's first pixel, "
                  "%zu bytes in (first * rows * cols), they start %td bytes "
                  "in%s",
                  what, first, first * 6, at,
                  at == (ptrdiff_t)first ? ": a digit is rows * cols bytes, "
                                           "not 1"
                                         : "");
}

START_TEST(test_slice_is_a_view)
{
    expect_slice(1, 2);
    expect_slice(0, 5);
    expect_slice(4, 1);
    expect_slice(2, 3);
}
END_TEST

START_TEST(test_noise_inputs_range)
{
    float x[2 * 50];
    Rng rng;
    rng_seed(&rng, 2);
    noise_inputs(x, 2, 50, &rng);
    double sum = 0;
    for (int k = 0; k < 100; k++) {
        ck_assert_msg(x[k] >= 0.0f && x[k] < 1.0f, "noise pixel %g",
                      (double)x[k]);
        sum += (double)x[k];
    }
    ck_assert_msg(sum > 35 && sum < 65, "100 noise pixels sum to %g", sum);
}
END_TEST

/* The mean of each row's largest, rows read `stride` floats apart. */
static double mean_of_largest(const float *p, int n_batch, int n_classes,
                              int stride)
{
    double sum = 0;
    for (int b = 0; b < n_batch; b++) {
        float best = p[b * stride];
        for (int c = 1; c < n_classes; c++)
            best = fmaxf(best, p[b * stride + c]);
        sum += (double)best;
    }
    return sum / n_batch;
}

START_TEST(test_mean_confidence)
{
    /* Three rows of four, largest 0.7 (at 1), 0.4 (at 3) and 0.5 (at 0). */
    const float p[12] = {0.1f, 0.7f, 0.1f, 0.1f,  0.3f, 0.2f,
                         0.1f, 0.4f, 0.5f, 0.25f, 0.2f, 0.05f};
    const double want = (0.7 + 0.4 + 0.5) / 3;
    double mean = mean_confidence(p, 3, 4);
    /* Three rows of five whose largest is last in the first row. */
    const float q[15] = {0.1f, 0.1f, 0.1f, 0.2f, 0.5f, 0.6f, 0.1f, 0.1f,
                         0.1f, 0.1f, 0.1f, 0.3f, 0.2f, 0.1f, 0.3f};
    const double want_q = (0.5 + 0.6 + 0.3) / 3;
    double mean_q = mean_confidence(q, 3, 5);
    int no_last = fabs(mean_q - (0.2 + 0.6 + 0.3) / 3) < 1e-6;
    if (fabs(mean - want) < 1e-6) {
        ck_assert_msg(fabs(mean_q - want_q) < 1e-6,
                      "rows [.1 .1 .1 .2 .5] [.6 .1 .1 .1 .1] [.1 .3 .2 .1 "
                      ".3]: the largest are 0.5, 0.6 and 0.3, their mean "
                      "%.6f; got %.6f: %s",
                      want_q, mean_q,
                      no_last ? "the last class was left out: look at all "
                                "n_classes, argmax(row, n_classes)"
                              : "the mean, over the rows, of each row's "
                                "largest probability");
        return;
    }
    const char *why = "the mean, over the rows, of each row's largest "
                      "probability";
    if (no_last)
        why = "the last class was left out (0.4 is row 1's last): look at "
              "all n_classes, argmax(row, n_classes)";
    else if (fabs(mean - 0.7) < 1e-6)
        why = "that is the largest probability of the whole batch (or of "
              "the first row): take each row's largest, then their mean";
    else if (fabs(mean - (0.7 + 0.4 + 0.5)) < 1e-6)
        why = "that is the sum: divide by n_batch, the number of rows";
    else if (fabs(mean - (0.7 + 0.4 + 0.5) / 4) < 1e-6)
        why = "divided by n_classes: divide by n_batch, the number of rows";
    else if (fabs(mean - (1.0 + 3.0 + 0.0) / 3) < 1e-6)
        why = "that is the mean of the positions (argmax) of the largest: "
              "take the probabilities there, row[argmax(row, n_classes)]";
    else if (fabs(mean - mean_of_largest(p, 3, 4, 3)) < 1e-6 ||
             fabs(mean - mean_of_largest(p, 3, 4, 1)) < 1e-6)
        why = "each row's largest was read from the wrong place: row b "
              "starts at p + b * n_classes";
    ck_assert_msg(0,
                  "rows [.1 .7 .1 .1] [.3 .2 .1 .4] [.5 .25 .2 .05]: the "
                  "largest probabilities are 0.7, 0.4 and 0.5, their mean "
                  "%.6f; got %.6f: %s",
                  want, mean, why);
}
END_TEST

START_TEST(test_program_reports_the_gap)
{
    char out[8192];
    int status = run_program(out, sizeof out,
                             "bin/08_gap --train-size 200 --epochs 3 "
                             "--validation 1000 --batch 50");
    ck_assert_msg(status == 0, "bin/08_gap failed (%d): %s", status, out);
    ck_assert_msg(strstr(out, "The gap between them:") &&
                      strstr(out, "pure noise"),
                  "the output should report the gap and the noise "
                  "experiment:\n%s",
                  out);
    ck_assert_msg(strstr(out, "on 200 training digits") &&
                      strstr(out, "1000 more held out"),
                  "--train-size 200 --validation 1000 should train on 200 "
                  "digits and hold 1000 out (slices of the training set, "
                  "8.1):\n%s",
                  out);
    status = run_program(out, sizeof out, "bin/08_gap --validation 60000");
    ck_assert_msg(status == 2 && strstr(out, "--validation expects"),
                  "--validation 60000 leaves no training digits: expected "
                  "exit 2 and a message, got %d: %s",
                  status, out);
    status = run_program(out, sizeof out, "bin/08_gap --train-size 55000");
    ck_assert_msg(status == 2 && strstr(out, "--train-size expects"),
                  "--train-size 55000 overlaps the validation split: exit 2, "
                  "got %d: %s",
                  status, out);
}
END_TEST

/* ---- Given code: the split, shuffled labels, an epoch, its row, confidence */

/* Twenty digits of one pixel, labelled 0 to 19 mod 10; which digit a view
 * starts at is where its labels point. */
static uint8_t twenty_pixels[20], twenty_labels[20];

static Digits twenty_digits(void)
{
    for (int k = 0; k < 20; k++) {
        twenty_pixels[k] = (uint8_t)(10 * k);
        twenty_labels[k] = (uint8_t)(k % 10);
    }
    return (Digits){.n = 20,
                    .rows = 1,
                    .cols = 1,
                    .pixels = twenty_pixels,
                    .labels = twenty_labels};
}

/* training_split of the twenty digits must give training digits
 * train_first .. + n_train - 1 and validation digits from val_first. */
static void expect_split(long train_size, long n_validation, long n_batch,
                         long n_train, long val_first)
{
    Digits all = twenty_digits(), train, validation;
    Error err;
    char what[160];
    snprintf(what, sizeof what,
             "training_split (given code, chapter 8) of 20 digits, "
             "--train-size %ld --validation %ld --batch %ld",
             train_size, n_validation, n_batch);
    ck_assert_msg(training_split(&train, &validation, &all, train_size,
                                 n_validation, n_batch, &err) == 0,
                  "%s: should work, got: %s", what, err.msg);
    long t0 = train.labels - all.labels, v0 = validation.labels - all.labels;
    long t1 = t0 + (long)train.n, v1 = v0 + (long)validation.n;
    ck_assert_msg(train.pixels == all.pixels + t0 &&
                      validation.pixels == all.pixels + v0,
                  "%s: a slice's pixels and labels must start at the same "
                  "digit (digits_slice, 8.1)",
                  what);
    const char *why = "";
    if (validation.n > 0 && train.n > 0 && t0 < v1 && v0 < t1)
        why = ": the two overlap, so the validation accuracy is measured "
              "on digits the network trained on; validation is the last N "
              "digits (from all->n - N), training the first train_size of "
              "the others";
    else if (v0 != val_first || (long)validation.n != n_validation)
        why = ": validation is the last N digits, from all->n - N to the "
              "end";
    else if (t0 != 0 || (long)train.n != n_train)
        why = ": training is the first train_size digits (all that are "
              "not validation when it is not given)";
    ck_assert_msg(t0 == 0 && (long)train.n == n_train && v0 == val_first &&
                      (long)validation.n == n_validation,
                  "%s: training should be digits 0 to %ld and validation "
                  "digits %ld to 19; got training %ld to %ld and validation "
                  "%ld to %ld%s",
                  what, n_train - 1, val_first, t0, t1 - 1, v0, v1 - 1, why);
}

/* training_split must refuse, with a message holding `expected`. */
static void expect_split_refused(long train_size, long n_validation,
                                 long n_batch, const char *expected)
{
    Digits all = twenty_digits(), train, validation;
    Error err = {.msg = ""};
    int status = training_split(&train, &validation, &all, train_size,
                                n_validation, n_batch, &err);
    ck_assert_msg(status == -1 && strstr(err.msg, expected) != NULL,
                  "training_split (given code, chapter 8) of 20 digits, "
                  "--train-size %ld --validation %ld --batch %ld: should be "
                  "refused, saying '%s' (the training digits must come from "
                  "outside the validation split); got %d, '%s'",
                  train_size, n_validation, n_batch, expected, status, err.msg);
}

START_TEST(test_training_split)
{
    expect_split(-1, 5, 3, 15, 15);
    expect_split(8, 5, 3, 8, 15);
    expect_split(15, 5, 15, 15, 15);
    expect_split(-1, 0, 3, 20, 20);
    expect_split_refused(-1, 20, 3, "--validation expects fewer than the 20");
    expect_split_refused(16, 5, 3, "--train-size expects 3 to 15");
    expect_split_refused(2, 5, 3, "--train-size expects 3 to 15");
    expect_split_refused(-1, 5, 16, "--batch 16 is more than the 15");
}
END_TEST

START_TEST(test_labels_shuffle)
{
    const uint8_t from[10] = {3, 1, 4, 1, 5, 9, 2, 6, 5, 3};
    uint8_t labels[10];
    Rng rng, mine;
    rng_seed(&rng, 11);
    mine = rng;
    Error err;
    ck_assert_msg(labels_shuffle(labels, from, 10, &rng, &err) == 0, "%s",
                  err.msg);
    size_t order[10];
    for (size_t k = 0; k < 10; k++)
        order[k] = k;
    shuffle(order, 10, &mine);
    int counts[10] = {0}, unchanged = 1, right = 1;
    for (int k = 0; k < 10; k++) {
        counts[from[k]]++;
        counts[labels[k]]--;
        unchanged &= labels[k] == from[k];
        right &= labels[k] == from[order[k]];
    }
    int permutation = 1;
    for (int d = 0; d < 10; d++)
        permutation &= counts[d] == 0;
    const char *why = "labels[k] = from[order[k]], order being 0 .. n - 1 "
                      "put in a random order by chapter 7's shuffle, with "
                      "the rng it is given";
    if (!permutation)
        why = "the labels are no longer the same labels in another order "
              "(as many 1s, 3s and 5s as before): draw a random order with "
              "shuffle, then take from[order[k]]";
    else if (unchanged)
        why = "the labels did not move: shuffle the order first";
    ck_assert_msg(permutation && right,
                  "labels_shuffle (given code, chapter 8) of 3 1 4 1 5 9 2 6 "
                  "5 3: with its seed it should give %d %d %d %d %d %d %d %d "
                  "%d %d, got %d %d %d %d %d %d %d %d %d %d: %s",
                  from[order[0]], from[order[1]], from[order[2]],
                  from[order[3]], from[order[4]], from[order[5]],
                  from[order[6]], from[order[7]], from[order[8]],
                  from[order[9]], labels[0], labels[1], labels[2], labels[3],
                  labels[4], labels[5], labels[6], labels[7], labels[8],
                  labels[9], why);
}
END_TEST

/* A 1 -> 10 network for batches of 3 and a trainer for 10 digits, drawn
 * from seed 3 (so every call makes the same ones); returns the ten digits,
 * the first ten of twenty_digits. */
static Digits epoch_setup(Network *net, Trainer *trainer)
{
    const int sizes[2] = {1, N_CLASSES};
    Error err;
    ck_assert(network_init(net, sizes, 2, 3, &err) == 0);
    Rng rng;
    rng_seed(&rng, 3);
    ck_assert(trainer_init(trainer, net, 10, rng, &err) == 0);
    Digits digits = twenty_digits();
    digits.n = 10;
    return digits;
}

static void epoch_free(Network *net, Trainer *trainer)
{
    trainer_free(trainer);
    network_free(net);
}

/* A plan of batches of 3 at a constant learning rate. */
static EpochPlan constant_plan(double learning_rate)
{
    return (EpochPlan){
        .n_batch = 3, .learning_rate = learning_rate, .lr_end = -1.0};
}

/* Ten digits, batches of 3: an epoch is 3 steps (the tenth digit waits for
 * the next epoch's shuffle), each counted in *iteration. */
static void expect_epoch_steps(Network *net, Trainer *trainer,
                               const Digits *digits, long *iteration)
{
    EpochPlan plan = constant_plan(0.1);
    Error err;
    for (int epoch = 1; epoch <= 2; epoch++) {
        int status = train_epoch(trainer, net, digits, &plan, iteration, &err);
        ck_assert_msg(status == 0, "train_epoch: %s", err.msg);
        ck_assert_msg(
            *iteration == 5 + 3 * epoch && trainer->next == 9,
            "train_epoch (given code, chapter 8) on 10 digits in batches of 3, "
            "epoch %d: should take 3 steps (10 / 3, whole batches only), "
            "counting each in *iteration (from 5: now %d); took the trainer to "
            "position %zu of its order (should be 9), *iteration is %ld",
            epoch, 5 + 3 * epoch, trainer->next, *iteration);
    }
}

/* Then, at a learning rate of 10,000, training blows up and the epoch
 * stops there: the step whose cost diverged is an iteration too, counted
 * in *iteration (from 11) and named in the message. */
static void expect_epoch_diverges(Network *net, Trainer *trainer,
                                  const Digits *digits, long *iteration)
{
    EpochPlan plan = constant_plan(10000.0);
    Error err;
    int status = train_epoch(trainer, net, digits, &plan, iteration, &err);
    const char *said = status == 0 ? "" : err.msg;
    ck_assert_msg(
        status == -1 && strstr(said, "diverged at iteration") &&
            *iteration > 11 && *iteration <= 14,
        "train_epoch (given code, chapter 8) at a learning rate of 10,000: a "
        "step's cost above 20 (training_diverged) should stop the epoch there, "
        "returning -1 with the message of diverged_error; it returned %d after "
        "iteration %ld (from 11), saying '%s'",
        status, *iteration, said);
    /* The epoch's steps took the trainer to position 3 per step
     * (reshuffled at the first: 9 + 3 > 10). */
    long steps = (long)trainer->next / 3, want = 11 + steps;
    char message[64];
    snprintf(message, sizeof message, "diverged at iteration %ld ", want);
    const char *why = "";
    if (*iteration == want - 1)
        why = ": the step that diverged was not counted: add 1 to *iteration "
              "before the check, not after it";
    else if (strstr(said, message) == NULL)
        why = ": the message names the run's iteration, *iteration, not the "
              "epoch's step";
    ck_assert_msg(
        *iteration == want && strstr(said, message) != NULL,
        "train_epoch (given code, chapter 8) at a learning rate of 10,000: "
        "step %ld of the epoch diverged, iteration %ld of the run (from 11); "
        "*iteration should be %ld and the message should say 'diverged at "
        "iteration %ld'; *iteration is %ld, the message says '%s'%s",
        steps, want, want, want, *iteration, said, why);
}

START_TEST(test_train_epoch)
{
    Network net;
    Trainer trainer;
    Digits digits = epoch_setup(&net, &trainer);
    long iteration = 5;
    expect_epoch_steps(&net, &trainer, &digits, &iteration);
    expect_epoch_diverges(&net, &trainer, &digits, &iteration);
    epoch_free(&net, &trainer);
}
END_TEST

/* The network after three steps of chapter 7's train_step from the start
 * of epoch_setup, at learning_rate_at(0.5, 0.05, first + k, 6) for k = 0,
 * 1, 2 (with `falling` 0: at 0.5). */
static void three_steps(Network *net, Trainer *trainer, const Digits *digits,
                        long first, int falling)
{
    epoch_setup(net, trainer);
    for (long k = 0; k < 3; k++)
        train_step(
            trainer, net, digits, 3,
            (float)learning_rate_at(0.5, falling ? 0.05 : -1.0, first + k, 6));
}

/* --lr-end: the second epoch of a run of 2 epochs of 3 steps, the rate
 * falling from 0.5 to 0.05 over the run's 6 steps. Its steps are the
 * run's iterations 3, 4 and 5, and each takes learning_rate_at(0.5, 0.05,
 * iteration, 6): the rate falls over the whole run, not over each epoch. */
START_TEST(test_train_epoch_schedule)
{
    Network net, want, per_epoch, constant;
    Trainer trainer, t_want, t_per_epoch, t_constant;
    Digits digits = epoch_setup(&net, &trainer);
    EpochPlan plan = {
        .n_batch = 3, .learning_rate = 0.5, .lr_end = 0.05, .n_steps = 6};
    long iteration = 3;
    Error err;
    ck_assert_msg(
        train_epoch(&trainer, &net, &digits, &plan, &iteration, &err) == 0,
        "train_epoch: %s", err.msg);
    three_steps(&want, &t_want, &digits, 3, 1);
    three_steps(&per_epoch, &t_per_epoch, &digits, 0, 1);
    three_steps(&constant, &t_constant, &digits, 3, 0);
    const char *why = "";
    if (same_network(&net, &per_epoch))
        why = ": those are the rates of the epoch's steps 0, 1, 2: the "
              "schedule runs over the whole run, so give learning_rate_at the "
              "run's iteration, *iteration, not the epoch's step";
    else if (same_network(&net, &constant))
        why = ": that is a constant rate of 0.5: each step's rate is "
              "learning_rate_at(learning_rate, lr_end, *iteration, n_steps)";
    ck_assert_msg(
        same_network(&net, &want),
        "train_epoch (given code, chapter 8), --lr 0.5 --lr-end 0.05 over a "
        "run of 6 steps, from iteration 3 (its second epoch): its 3 steps "
        "should take the rates of the run's iterations 3, 4 and 5 (%.4f, %.4f, "
        "%.4f), and the network differs from that%s",
        learning_rate_at(0.5, 0.05, 3, 6), learning_rate_at(0.5, 0.05, 4, 6),
        learning_rate_at(0.5, 0.05, 5, 6), why);
    epoch_free(&net, &trainer);
    epoch_free(&want, &t_want);
    epoch_free(&per_epoch, &t_per_epoch);
    epoch_free(&constant, &t_constant);
}
END_TEST

/* A hook that counts the steps it was called in. */
static void count_step(void *context, Gradients *grads, const Network *net)
{
    (void)grads;
    (void)net;
    *(int *)context += 1;
}

/* The plan's hooks (chapter 9's regularisers) reach every step. */
START_TEST(test_train_epoch_hooks)
{
    Network net;
    Trainer trainer;
    Digits digits = epoch_setup(&net, &trainer);
    int calls = 0;
    StepHooks hooks = {.add_to_gradients = count_step, .context = &calls};
    EpochPlan plan = constant_plan(0.1);
    plan.hooks = &hooks;
    long iteration = 0;
    Error err;
    ck_assert_msg(
        train_epoch(&trainer, &net, &digits, &plan, &iteration, &err) == 0,
        "train_epoch: %s", err.msg);
    ck_assert_msg(calls == 3,
                  "train_epoch (given code, chapter 8) on 10 digits in batches "
                  "of 3 with a plan whose hooks count the steps: its 3 steps "
                  "should each call them (chapter 7's train_step_hooked with "
                  "plan->hooks), they were called %d times",
                  calls);
    epoch_free(&net, &trainer);
}
END_TEST

/* print_epoch is the program's (in its demo part): its table, on a small
 * run, must show in each row's gap column the training accuracy minus the
 * test accuracy of that row, in percentage points. */
START_TEST(test_print_epoch)
{
    const char *command = "bin/08_gap --train-size 200 --epochs 3 "
                          "--validation 1000 --batch 50";
    char out[8192];
    int status = run_program(out, sizeof out, command);
    ck_assert_msg(status == 0, "%s failed (%d): %s", command, status, out);
    int rows = 0;
    for (const char *line = out; line != NULL && *line != '\0';
         line = strchr(line, '\n') ? strchr(line, '\n') + 1 : NULL) {
        long epoch;
        double train, validation, test, gap;
        if (sscanf(line, "%ld %lf%% %lf%% %lf%% %lf pts", &epoch, &train,
                   &validation, &test, &gap) != 5)
            continue;
        rows++;
        double want = train - test;
        const char *why = "";
        if (fabs(gap - (train - validation)) < 0.0151)
            why = ": that is training minus validation; the gap is "
                  "training minus test, on_train.accuracy - "
                  "on_test.accuracy";
        else if (fabs(gap + want) < 0.0151)
            why = ": that is test minus training; the gap is training "
                  "minus test, positive when training is ahead";
        else if (fabs(100 * gap - want) < 1.5)
            why = ": that is a fraction; in percentage points it is 100 "
                  "times the difference of the accuracies";
        /* Each column is rounded to 0.01: the difference of two rounded
         * values is within 0.015 of the rounded gap. */
        ck_assert_msg(fabs(gap - want) < 0.0151,
                      "print_epoch (given code, chapter 8), %s: epoch %ld "
                      "reads training %.2f%%, validation %.2f%%, test "
                      "%.2f%%, so its gap should be %.2f pts (training minus "
                      "test); it shows %.2f pts%s",
                      command, epoch, train, validation, test, want, gap, why);
    }
    ck_assert_msg(rows == 3,
                  "%s: the table should have a row for each of the 3 epochs "
                  "(epoch, training, validation, test, gap), found %d:\n%s",
                  command, rows, out);
}
END_TEST

START_TEST(test_digits_confidence)
{
    /* A 6 -> 5 -> 3 network taking 4 digits at a time, on 10 digits of
     * 2 x 3 pixels: slices of 4, 4 and 2. */
    static uint8_t pixels[60], labels[10];
    for (int k = 0; k < 60; k++)
        pixels[k] = (uint8_t)((k * 97 + 13) % 256);
    Digits digits = {
        .n = 10, .rows = 2, .cols = 3, .pixels = pixels, .labels = labels};
    const int sizes[3] = {6, 5, 3};
    Network net;
    Rng rng;
    rng_seed(&rng, 31);
    test_network(&net, sizes, 3, 4, &rng, 0.5f);
    size_t all[10];
    for (int b = 0; b < 10; b++)
        all[b] = (size_t)b;
    float x[60];
    digits_inputs(x, &digits, all, 10);
    double p[30], want = 0, slices = 0, slice = 0;
    reference_forward(p, &net, x, 10);
    for (int b = 0; b < 10; b++) {
        double largest = fmax(p[3 * b], fmax(p[3 * b + 1], p[3 * b + 2]));
        want += largest / 10;
        slice += largest;
        if (b == 3 || b == 7 || b == 9) {
            slices += slice / (b == 9 ? 2 : 4) / 3;
            slice = 0;
        }
    }
    double got = digits_confidence(&net, &digits);
    ck_assert_msg(fabs(got - want) < 1e-5,
                  "digits_confidence (given code, chapter 8) of a 6 -> 5 -> "
                  "3 network taking 4 digits at a time, on 10 digits (slices "
                  "of 4, 4 and 2): should be %.6f, the mean over the 10 "
                  "digits of each one's largest probability; got %.6f%s",
                  want, got,
                  fabs(got - slices) < 1e-5
                      ? ": that is the mean of the slices' means, but the "
                        "last slice holds only 2 digits: weight each "
                        "slice's mean by its number of digits"
                      : ": each slice of digits from `start`, its mean "
                        "confidence times its number of digits, summed, "
                        "then divided by all the digits");
    network_free(&net);
}
END_TEST

/* A new test case of the suite, with a timeout of `seconds` (0: Check's
 * default). */
static TCase *add_case(Suite *suite, const char *name, int seconds)
{
    TCase *tcase = tcase_create(name);
    if (seconds > 0)
        tcase_set_timeout(tcase, seconds);
    suite_add_tcase(suite, tcase);
    return tcase;
}

Suite *suite_08_gap(void)
{
    Suite *suite = suite_create("08_gap");
    TCase *ex1 = tcase_create("exercise 8.1 (2 points)");
    tcase_add_test(ex1, test_slice_is_a_view);
    suite_add_tcase(suite, ex1);
    TCase *ex2 = tcase_create("exercise 8.2 (2 points)");
    tcase_add_test(ex2, test_mean_confidence);
    suite_add_tcase(suite, ex2);
    tcase_add_test(add_case(suite, "noise", 0), test_noise_inputs_range);
    tcase_add_test(add_case(suite, "given code: training_split (needs 8.1)", 0),
                   test_training_split);
    tcase_add_test(add_case(suite, "given code: labels_shuffle", 0),
                   test_labels_shuffle);
    TCase *epoch = add_case(
        suite, "given code: train_epoch (needs 2.1 4.1 5.1 6.2 7.1)", 0);
    tcase_add_test(epoch, test_train_epoch);
    tcase_add_test(epoch, test_train_epoch_schedule);
    tcase_add_test(epoch, test_train_epoch_hooks);
    tcase_add_test(
        add_case(suite, "given code: print_epoch (needs 1.1 4.1)", 60),
        test_print_epoch);
    tcase_add_test(
        add_case(suite, "given code: digits_confidence (needs 2.1 3.1 4.1 8.2)",
                 0),
        test_digits_confidence);
    tcase_add_test(add_case(suite, "program (needs 1.1 4.1 8.1)", 60),
                   test_program_reports_the_gap);
    return suite;
}
