/* Chapter 8: training against test. Overfitting made visible.
 *
 *   cc -std=c11 -O3 code/08_gap.c -lm -o bin/08_gap
 *   bin/08_gap --train-size 1000   train long on few digits: watch the gap
 *
 * Adds: slices of a data set (a training subset, a validation split), an
 * evaluation of the whole training set after every epoch, and what the
 * network says about pure noise.
 */
#ifndef CH08_GAP_C
#define CH08_GAP_C

#define CH07_NO_MAIN /* reuse chapter 7's code, not its demo */
#include "07_sgd.c"

/* ---- What this chapter adds ------------------------------------------- */

/* Cost and accuracy of one set, measured after an epoch. */
typedef struct {
    double loss, accuracy;
} Score;

Digits digits_slice(const Digits *all, size_t first, size_t n);
int training_split(Digits *train, Digits *validation, const Digits *all,
                   long train_size, long n_validation, long n_batch,
                   Error *err);
Score network_score(Network *net, const Digits *digits);
void noise_inputs(float *x, int n_batch, int size, Rng *rng);
double mean_confidence(const float *p, int n_batch, int n_classes);

// @listing digits_slice
/* Digits first .. first + n - 1 of `all`, as a view: no copy is made, and
 * the slice must not be freed (free `all`). A validation split is a slice
 * of the training set that training never sees. */
Digits digits_slice(const Digits *all, size_t first, size_t n)
{
    // @solution 8.1 a view of digits first .. first + n - 1
    size_t size = (size_t)all->rows * (size_t)all->cols;
    return (Digits){.n = n,
                    .rows = all->rows,
                    .cols = all->cols,
                    .pixels = all->pixels + first * size,
                    .labels = all->labels + first};
    // @stub 8.1
    // exercise_todo("8.1");
    // (void)first;
    // (void)n;
    // return *all;
    // @end 8.1
}
// @end digits_slice

/* Split `all` into a validation set, its last n_validation digits, and a
 * training set, the first train_size of the rest (train_size < 0: all of
 * the rest), with room for at least one batch of n_batch. Both are views
 * (digits_slice). Returns 0, or -1 with err naming the option that does not
 * fit. */
int training_split(Digits *train, Digits *validation, const Digits *all,
                   long train_size, long n_validation, long n_batch, Error *err)
{
    if (n_validation < 0 || (size_t)n_validation >= all->n)
        return error_set(err,
                         "--validation expects fewer than the %zu training "
                         "digits, got %ld",
                         all->n, n_validation);
    size_t available = all->n - (size_t)n_validation;
    if (train_size < 0)
        train_size = (long)available;
    if ((size_t)train_size > available || n_batch > train_size)
        return error_set(err,
                         "--train-size expects %ld to %zu (the training "
                         "digits outside the validation split), got %ld",
                         n_batch, available, train_size);
    *train = digits_slice(all, 0, (size_t)train_size);
    *validation = digits_slice(all, available, (size_t)n_validation);
    return 0;
}

Score network_score(Network *net, const Digits *digits)
{
    Score score;
    network_evaluate(net, digits, &score.loss, &score.accuracy);
    return score;
}

/* n_batch images of random noise: every pixel uniform in [0, 1).
 *   x: [n_batch x size], overwritten */
void noise_inputs(float *x, int n_batch, int size, Rng *rng)
{
    for (size_t k = 0; k < (size_t)n_batch * size; k++)
        x[k] = rng_uniform(rng);
}

/* Exercise 8.2: how sure the network is of its answers, on average: the
 * mean over the rows of p of each row's largest probability.
 *   p: [n_batch x n_classes] */
double mean_confidence(const float *p, int n_batch, int n_classes)
{
    // @solution 8.2 the mean of each row's largest probability
    double sum = 0.0;
    for (int b = 0; b < n_batch; b++) {
        const float *row = p + (size_t)b * n_classes;
        sum += (double)row[argmax(row, n_classes)];
    }
    return sum / n_batch;
    // @stub 8.2
    // exercise_todo("8.2");
    // (void)p;
    // (void)n_batch;
    // (void)n_classes;
    // return 0.0;
    // @end 8.2
}

/* ---- The demo ----------------------------------------------------------- */
#ifndef CH08_NO_MAIN

static void usage(void)
{
    printf(
        "Usage: %s [options]\n"
        "Train for several epochs; after each, score the whole training set,\n"
        "the validation split and the test set.\n"
        "  --epochs N       passes over the training digits (default 20)\n"
        "  --train-size N   train on only the first N digits (default: all\n"
        "                   but the validation split)\n"
        "  --validation N   hold out the last N training digits (default "
        "10000)\n"
        "  --print-every N  print every Nth epoch (default 1)\n",
        program_name);
    train_options_usage();
}

typedef struct {
    TrainOptions train;
    long epochs, train_size, validation, print_every;
} Options;

static Options parse_options(int argc, char **argv)
{
    Options o = {.epochs = 20,
                 .train_size = -1,
                 .validation = 10000,
                 .print_every = 1,
                 .train = train_options_default()};
    for (int i = 1; i < argc; i++) {
        if (option_is(argv[i], "--help")) {
            usage();
            exit(0);
        } else if (option_is(argv[i], "--epochs")) {
            o.epochs = option_long(argc, argv, &i, 1, 100000);
        } else if (option_is(argv[i], "--train-size")) {
            o.train_size = option_long(argc, argv, &i, 1, LONG_MAX);
        } else if (option_is(argv[i], "--validation")) {
            o.validation = option_long(argc, argv, &i, 0, LONG_MAX);
        } else if (option_is(argv[i], "--print-every")) {
            o.print_every = option_long(argc, argv, &i, 1, LONG_MAX);
        } else if (!train_option_parse(&o.train, argc, argv, &i)) {
            usage_error("unknown option '%s'", argv[i]);
        }
    }
    return o;
}

/* 3Blue1Brown's experiment: show the trained network pure noise. Prints
 * how sure it is on average (its largest probability) and which digits it
 * answers, next to the same for the test digits. */
static double noise_experiment(Network *net, const Digits *test, Rng *rng,
                               double *test_confidence)
{
    enum { N_NOISE = 1000 };
    int n_in = net->sizes[0], n_classes = net->sizes[net->n_layers];
    long answers[10] = {0};
    double confidence = 0.0;
    for (int done = 0; done < N_NOISE; done += net->max_batch) {
        int n =
            N_NOISE - done < net->max_batch ? N_NOISE - done : net->max_batch;
        noise_inputs(net->inputs, n, n_in, rng);
        const float *p = network_forward(net, net->inputs, n);
        confidence += mean_confidence(p, n, n_classes) * n;
        for (int b = 0; b < n; b++)
            answers[argmax(p + (size_t)b * n_classes, n_classes)]++;
    }
    confidence /= N_NOISE;
    *test_confidence = 0.0;
    size_t indices[NETWORK_MAX_BATCH];
    for (size_t start = 0; start < test->n; start += (size_t)net->max_batch) {
        int n = (int)(test->n - start < (size_t)net->max_batch
                          ? test->n - start
                          : (size_t)net->max_batch);
        for (int b = 0; b < n; b++)
            indices[b] = start + (size_t)b;
        digits_inputs(net->inputs, test, indices, n);
        const float *p = network_forward(net, net->inputs, n);
        *test_confidence += mean_confidence(p, n, n_classes) * n;
    }
    *test_confidence /= (double)test->n;
    printf("\nShown %d images of pure noise, the network still answers a "
           "digit every time,\nwith an average confidence of %.1f%% (on real "
           "test digits: %.1f%%).\nIts answers:",
           N_NOISE, 100.0 * confidence, 100.0 * *test_confidence);
    for (int d = 0; d < 10; d++)
        printf(" %d:%ld", d, answers[d]);
    printf("\n");
    return confidence;
}

int main(int argc, char **argv)
{
    cli_init(argc, argv);
    Options o = parse_options(argc, argv);
    Digits all_train, test;
    Error err;
    if (mnist_load(&all_train, &test, o.train.data_dir, &err) != 0)
        fail_with(&err);
    Digits train, validation;
    if (training_split(&train, &validation, &all_train, o.train_size,
                       o.validation, o.train.batch, &err) != 0)
        usage_error("%s", err.msg);
    o.train_size = (long)train.n;

    int sizes[NETWORK_MAX_LAYERS + 1];
    int n_sizes = digit_network_sizes(sizes, train.rows * train.cols,
                                      o.train.hidden, o.train.n_hidden);
    Network net;
    Trainer trainer;
    Rng rng;
    rng_seed(&rng, (uint64_t)o.train.seed);
    if (network_init(&net, sizes, n_sizes, (int)o.train.batch, &err) != 0)
        fail_with(&err);
    network_randomize(&net, INIT_HE, &rng);
    if (trainer_init(&trainer, &net, train.n, rng, &err) != 0)
        fail_with(&err);

    FILE *curves = NULL;
    if (o.train.out_dir != NULL) {
        curves = output_open(o.train.out_dir, "curves.tsv", &err);
        if (curves == NULL)
            fail_with(&err);
        fprintf(curves, "# epoch\ttrain_cost\ttrain_acc\tvalidation_cost\t"
                        "validation_acc\ttest_cost\ttest_acc\n");
    }
    long per_epoch = o.train_size / o.train.batch;
    printf("Training 784");
    for (int h = 0; h < o.train.n_hidden; h++)
        printf(" -> %d", o.train.hidden[h]);
    printf(" -> 10 on %ld training digits for %ld epochs\n"
           "(%ld iterations of %ld each, learning rate %g, --seed %ld); %ld "
           "more held out\nfor validation. Accuracy after each epoch:\n\n",
           o.train_size, o.epochs, per_epoch, o.train.batch,
           o.train.learning_rate, o.train.seed, o.validation);
    printf("%7s %10s %12s %10s %10s\n", "epoch", "training", "validation",
           "test", "gap");
    Score on_train = {0}, on_validation = {0}, on_test = {0};
    for (long epoch = 1; epoch <= o.epochs; epoch++) {
        for (long it = 0; it < per_epoch; it++) {
            StepResult step =
                train_step(&trainer, &net, &train, (int)o.train.batch,
                           (float)o.train.learning_rate);
            if (training_diverged(step.loss)) {
                fflush(stdout);
                fprintf(stderr,
                        "%s: training diverged in epoch %ld (batch cost %g): "
                        "try a smaller --lr, such as %g\n",
                        program_name, epoch, step.loss,
                        o.train.learning_rate / 10);
                exit(1);
            }
        }
        on_train = network_score(&net, &train);
        on_test = network_score(&net, &test);
        if (o.validation > 0)
            on_validation = network_score(&net, &validation);
        if (epoch % o.print_every == 0 || epoch == o.epochs) {
            printf("%7ld %9.2f%% ", epoch, 100.0 * on_train.accuracy);
            if (o.validation > 0)
                printf("%11.2f%%", 100.0 * on_validation.accuracy);
            else
                printf("%12s", "-");
            printf(" %9.2f%% %9.2f%%\n", 100.0 * on_test.accuracy,
                   100.0 * (on_train.accuracy - on_test.accuracy));
        }
        if (curves != NULL)
            fprintf(curves, "%ld\t%.4f\t%.4f\t%.4f\t%.4f\t%.4f\t%.4f\n", epoch,
                    on_train.loss, on_train.accuracy, on_validation.loss,
                    on_validation.accuracy, on_test.loss, on_test.accuracy);
    }
    double gap = on_train.accuracy - on_test.accuracy;
    printf("\nFinal: training %.2f%% (cost %.4f), test %.2f%% (cost %.4f).\n"
           "The gap between them: %.2f percentage points.\n",
           100.0 * on_train.accuracy, on_train.loss, 100.0 * on_test.accuracy,
           on_test.loss, 100.0 * gap);

    double test_confidence;
    double noise_confidence =
        noise_experiment(&net, &test, &trainer.rng, &test_confidence);

    int status = 0;
    if (curves != NULL) {
        status = output_close(curves, o.train.out_dir, "curves.tsv", &err);
        FILE *values = status == 0
                           ? output_open(o.train.out_dir, "values.txt", &err)
                           : NULL;
        if (values != NULL) {
            fprintf(values,
                    "train_size %ld\nepochs %ld\nvalidation %ld\n"
                    "train_accuracy %.2f\ntest_accuracy %.2f\n"
                    "validation_accuracy %.2f\ngap %.2f\ntrain_loss %.4f\n"
                    "test_loss %.4f\nnoise_confidence %.1f\n"
                    "test_confidence %.1f\n",
                    o.train_size, o.epochs, o.validation,
                    100.0 * on_train.accuracy, 100.0 * on_test.accuracy,
                    100.0 * on_validation.accuracy, 100.0 * gap, on_train.loss,
                    on_test.loss, 100.0 * noise_confidence,
                    100.0 * test_confidence);
            fprintf(values,
                    "headline %ld digits: training %.2f%%, test %.2f%%, gap "
                    "%.2f\n",
                    o.train_size, 100.0 * on_train.accuracy,
                    100.0 * on_test.accuracy, 100.0 * gap);
            status = output_close(values, o.train.out_dir, "values.txt", &err);
        } else {
            status = -1;
        }
    }
    trainer_free(&trainer);
    network_free(&net);
    digits_free(&all_train);
    digits_free(&test);
    if (status != 0)
        fail_with(&err);
    return 0;
}

#endif /* CH08_NO_MAIN */
#endif /* CH08_GAP_C */
