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

/* The digits of a run: what it trains on, the validation split that
 * training never sees, and the test set. */
typedef struct {
    Digits train, validation, test;
} Sets;

/* How train_epoch trains: batches of n_batch, at a learning rate that falls
 * from learning_rate at the run's first step to lr_end at its n_steps-th
 * (chapter 7's learning_rate_at; lr_end < 0: constant), each step chapter
 * 7's, with `hooks` (NULL: none; chapter 9 adds its regularisers). */
typedef struct {
    int n_batch;
    double learning_rate, lr_end;
    long n_steps; /* of the whole run, every epoch's */
    const StepHooks *hooks;
} EpochPlan;

Digits digits_slice(const Digits *all, size_t first, size_t n);
int training_split(Digits *train, Digits *validation, const Digits *all,
                   long train_size, long n_validation, long n_batch,
                   Error *err);
EpochPlan epoch_plan(const TrainOptions *t, double lr_end, long epochs,
                     size_t n_train, const StepHooks *hooks);
int train_epoch(Trainer *trainer, Network *net, const Digits *train,
                const EpochPlan *plan, long *iteration, Error *err);
void noise_inputs(float *x, int n_batch, int size, Rng *rng);
double mean_confidence(const float *p, int n_batch, int n_classes);
double digits_confidence(Network *net, const Digits *digits);
int labels_shuffle(uint8_t *labels, const uint8_t *from, size_t n, Rng *rng,
                   Error *err);

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
        return usage_set(err,
                         "--validation expects fewer than the %zu training "
                         "digits, got %ld",
                         all->n, n_validation);
    size_t available = all->n - (size_t)n_validation;
    int given = train_size >= 0;
    if (!given)
        train_size = (long)available;
    if ((size_t)n_batch > available || (!given && n_batch > train_size))
        return usage_set(err,
                         "--batch %ld is more than the %zu training digits "
                         "outside the validation split",
                         n_batch, available);
    if ((size_t)train_size > available || n_batch > train_size)
        return usage_set(err,
                         "--train-size expects %ld to %zu (from a batch to "
                         "all the training digits outside the validation "
                         "split), got %ld",
                         n_batch, available, train_size);
    *train = digits_slice(all, 0, (size_t)train_size);
    *validation = digits_slice(all, available, (size_t)n_validation);
    return 0;
}

/* The plan of a run of `epochs` epochs over n_train digits with t's batch
 * size and learning rate. */
EpochPlan epoch_plan(const TrainOptions *t, double lr_end, long epochs,
                     size_t n_train, const StepHooks *hooks)
{
    return (EpochPlan){.n_batch = (int)t->batch,
                       .learning_rate = t->learning_rate,
                       .lr_end = lr_end,
                       .n_steps = epochs * ((long)n_train / t->batch),
                       .hooks = hooks};
}

/* One epoch: train->n / n_batch steps, one pass over the training digits
 * (the trainer reshuffles them between passes). *iteration counts the
 * steps of the whole run, and sets the learning rate of each. Returns 0,
 * or -1 with err set if training diverged. */
int train_epoch(Trainer *trainer, Network *net, const Digits *train,
                const EpochPlan *plan, long *iteration, Error *err)
{
    long per_epoch = (long)train->n / plan->n_batch;
    for (long it = 0; it < per_epoch; it++) {
        double rate = learning_rate_at(plan->learning_rate, plan->lr_end,
                                       *iteration, plan->n_steps);
        StepResult step = train_step_hooked(trainer, net, plan->hooks, train,
                                            plan->n_batch, (float)rate);
        *iteration += 1;
        if (training_diverged(step.loss))
            return diverged_error(err, *iteration, step.loss,
                                  plan->learning_rate);
    }
    return 0;
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
    // @end 8.2
}

/* The network's mean confidence (exercise 8.2) over all of `digits`. */
double digits_confidence(Network *net, const Digits *digits)
{
    int n_classes = net->sizes[net->n_layers];
    const float *p = net->outputs[net->n_layers - 1];
    double sum = 0.0;
    for (size_t start = 0; start < digits->n;) {
        int n = forward_slice(net, digits, start);
        sum += mean_confidence(p, n, n_classes) * n;
        start += (size_t)n;
    }
    return sum / (double)digits->n;
}

// @listing labels_shuffle
/* Zhang et al. (2017), "Understanding deep learning requires rethinking
 * generalization": give every training digit the label of another digit,
 * chosen at random. The labels are a permutation of the true ones, so there
 * are as many 7s as before, but no rule connects a digit's pixels to its
 * label any more: the only way to get them right is to memorise each one.
 *   labels: [n], overwritten with from[order[0]], from[order[1]], ...
 *   for a random order (chapter 7's shuffle). */
int labels_shuffle(uint8_t *labels, const uint8_t *from, size_t n, Rng *rng,
                   Error *err)
{
    size_t *order = malloc(n * sizeof *order);
    if (order == NULL)
        return error_set(err, "out of memory for %zu labels", n);
    for (size_t k = 0; k < n; k++)
        order[k] = k;
    shuffle(order, n, rng);
    for (size_t k = 0; k < n; k++)
        labels[k] = from[order[k]];
    free(order);
    return 0;
}
// @end labels_shuffle

/* ---- Plumbing shared with chapter 9 (not a lesson) ------------------------ */

int sets_load(Sets *sets, Digits *all_train, const TrainOptions *t,
              long train_size, long n_validation, Error *err);
void sets_free(Sets *sets, Digits *all_train);
void print_sizes(int n_in, const TrainOptions *t);
void print_epoch_header(void);
void print_epoch(long epoch, Score on_train, Score on_validation, Score on_test,
                 int has_validation);
int curves_open(FILE **curves, const char *out_dir, Error *err);
void curves_write(FILE *curves, long epoch, Score on_train, Score on_validation,
                  Score on_test);

/* The option table entries (common.h) of the runs over epochs of chapters 8
 * and 9, read into o->epochs, o->train_size, o->validation and
 * o->print_every. --validation's smallest value is the program's: chapter
 * 8 only reports the validation split, and its run on shuffled labels
 * holds none out (0); chapter 9 chooses the network it keeps on it, so it
 * needs at least 1. */
// clang-format off
#define EPOCH_OPTIONS(o, epochs_help, min_validation)                         \
    {"--epochs", "N", OPTION_WHOLE, &(o)->epochs, 1, 100000,                  \
     .help = epochs_help},                                                    \
    {"--train-size", "N", OPTION_WHOLE, &(o)->train_size, 1, LONG_MAX,        \
     .help = "train on only the first N digits (default: all\n"               \
             "but the validation split)"},                                    \
    {"--validation", "N", OPTION_WHOLE, &(o)->validation, min_validation,     \
     LONG_MAX, .help = "hold out the last N training digits (default 10000)"}, \
    {"--print-every", "N", OPTION_WHOLE, &(o)->print_every, 1, LONG_MAX,      \
     .help = "print every Nth epoch (default 1)"}
// clang-format on

/* MNIST from t->data_dir, its training digits (into all_train) split by
 * training_split into sets->train and sets->validation, its test digits
 * into sets->test. Free all_train and sets->test when done. Returns 0, or
 * -1 with err set (and nothing to free). */
int sets_load(Sets *sets, Digits *all_train, const TrainOptions *t,
              long train_size, long n_validation, Error *err)
{
    if (mnist_load(all_train, &sets->test, t->data_dir, err) != 0)
        return -1;
    if (training_split(&sets->train, &sets->validation, all_train, train_size,
                       n_validation, t->batch, err) != 0) {
        sets_free(sets, all_train);
        return -1;
    }
    return 0;
}

void sets_free(Sets *sets, Digits *all_train)
{
    digits_free(all_train);
    digits_free(&sets->test);
}

/* "784 -> 128 -> 64 -> 10": the sizes of the network that t's options
 * make, for inputs of n_in pixels. */
void print_sizes(int n_in, const TrainOptions *t)
{
    printf("%d", n_in);
    for (int h = 0; h < t->n_hidden; h++)
        printf(" -> %d", t->hidden[h]);
    printf(" -> %d", N_CLASSES);
}

/* The heading of the table of epochs, and one row of it (a "-" for the
 * validation split when there is none). */
void print_epoch_header(void)
{
    printf("%7s %10s %12s %10s %10s\n", "epoch", "training", "validation",
           "test", "gap");
}

void print_epoch(long epoch, Score on_train, Score on_validation, Score on_test,
                 int has_validation)
{
    printf("%7ld %9.2f%% ", epoch, 100.0 * on_train.accuracy);
    if (has_validation)
        printf("%11.2f%%", 100.0 * on_validation.accuracy);
    else
        printf("%12s", "-");
    printf(" %9.2f%% %6.2f pts\n", 100.0 * on_test.accuracy,
           100.0 * (on_train.accuracy - on_test.accuracy));
}

/* curves.tsv in out_dir, with its heading, into *curves (NULL when out_dir
 * is: no curves are kept). Returns 0, or -1 with err set. */
int curves_open(FILE **curves, const char *out_dir, Error *err)
{
    *curves = NULL;
    if (out_dir == NULL)
        return 0;
    *curves = output_open(out_dir, "curves.tsv", err);
    if (*curves == NULL)
        return -1;
    fprintf(*curves, "# epoch\ttrain_cost\ttrain_acc\tvalidation_cost\t"
                     "validation_acc\ttest_cost\ttest_acc\n");
    return 0;
}

/* An epoch's row of curves.tsv (none when curves is NULL). */
void curves_write(FILE *curves, long epoch, Score on_train, Score on_validation,
                  Score on_test)
{
    if (curves != NULL)
        fprintf(curves, "%ld\t%.4f\t%.4f\t%.4f\t%.4f\t%.4f\t%.4f\n", epoch,
                on_train.loss, on_train.accuracy, on_validation.loss,
                on_validation.accuracy, on_test.loss, on_test.accuracy);
}

/* ---- The demo ----------------------------------------------------------- */
#ifndef CH08_NO_MAIN

typedef struct {
    TrainOptions train;
    long epochs, train_size, validation, print_every;
    int shuffle_labels;
} Options;

static Options parse_options(int argc, char **argv)
{
    Options o = {.epochs = 20,
                 .train_size = -1,
                 .validation = 10000,
                 .print_every = 1,
                 .train = train_options_default()};
    const Option options[] = {
        EPOCH_OPTIONS(&o, "passes over the training digits (default 20)", 0),
        {"--shuffle-labels", NULL, OPTION_FLAG, &o.shuffle_labels,
         .help = "give the training digits each other's labels, at\n"
                 "random (the validation and test digits keep\n"
                 "theirs): can the network learn labels that no\n"
                 "rule explains?"},
        TRAIN_OPTIONS(&o.train),
    };
    options_parse(options, OPTIONS_COUNT(options),
                  "Train for several epochs; after each, score the whole "
                  "training set,\nthe validation split and the test set.",
                  argc, argv);
    return o;
}

enum { N_NOISE = 1000 };

/* 3Blue1Brown's experiment: show the trained network N_NOISE images of
 * pure noise. Returns how sure it is of its answers on average (its largest
 * probability); answers[d] counts how often it said d. */
static double noise_confidence(Network *net, Rng *rng, long answers[N_CLASSES])
{
    int n_in = net->sizes[0], n_classes = net->sizes[net->n_layers];
    double confidence = 0.0;
    for (int d = 0; d < N_CLASSES; d++)
        answers[d] = 0;
    for (int done = 0; done < N_NOISE; done += net->max_batch) {
        int n =
            N_NOISE - done < net->max_batch ? N_NOISE - done : net->max_batch;
        noise_inputs(net->inputs, n, n_in, rng);
        const float *p = network_forward(net, net->inputs, n);
        confidence += mean_confidence(p, n, n_classes) * n;
        for (int b = 0; b < n; b++)
            answers[argmax(p + (size_t)b * n_classes, n_classes)]++;
    }
    return confidence / N_NOISE;
}

static void print_header(const Options *o, const Network *net, const Sets *sets,
                         long per_epoch)
{
    printf("Training ");
    network_print_sizes(stdout, net);
    printf(" on %zu training digits%s for %ld epochs\n"
           "(%ld iterations of %ld each, learning rate %g, --seed %ld); %zu "
           "more held out\nfor validation. Accuracy after each epoch:\n\n",
           sets->train.n, o->shuffle_labels ? " with shuffled labels" : "",
           o->epochs, per_epoch, o->train.batch, o->train.learning_rate,
           o->train.seed, sets->validation.n);
    print_epoch_header();
}

static int write_values(const Options *o, const Sets *sets, Score on_train,
                        Score on_validation, Score on_test,
                        double noise_confidence, double test_confidence,
                        Error *err)
{
    FILE *values = output_open(o->train.out_dir, "values.txt", err);
    if (values == NULL)
        return -1;
    double gap = on_train.accuracy - on_test.accuracy;
    fprintf(values,
            "train_size %zu\nepochs %ld\nvalidation %zu\n"
            "train_accuracy %.2f\ntest_accuracy %.2f\n"
            "validation_accuracy %.2f\ngap %.2f\ntrain_loss %.4f\n"
            "test_loss %.4f\nnoise_confidence %.1f\n"
            "test_confidence %.1f\n",
            sets->train.n, o->epochs, sets->validation.n,
            100.0 * on_train.accuracy, 100.0 * on_test.accuracy,
            100.0 * on_validation.accuracy, 100.0 * gap, on_train.loss,
            on_test.loss, 100.0 * noise_confidence, 100.0 * test_confidence);
    fprintf(values,
            "headline %zu digits: training %.2f%%, test %.2f%%, gap %.2f\n",
            sets->train.n, 100.0 * on_train.accuracy, 100.0 * on_test.accuracy,
            100.0 * gap);
    return output_close(values, o->train.out_dir, "values.txt", err);
}

/* The epochs of the run the book shows: after each, score the training
 * digits, the validation split and the test set, print a row every
 * print_every epochs and log one to curves (if not NULL). scores: the
 * last epoch's, on the three sets. Returns 0, or -1 with err set. */
static int train_and_score(Network *net, Trainer *trainer, const Options *o,
                           const Sets *sets, FILE *curves, Score scores[3],
                           Error *err)
{
    EpochPlan plan =
        epoch_plan(&o->train, -1.0, o->epochs, sets->train.n, NULL);
    Score on_train = {0, 0}, on_validation = {0, 0}, on_test = {0, 0};
    long iteration = 0;
    for (long epoch = 1; epoch <= o->epochs; epoch++) {
        int status =
            train_epoch(trainer, net, &sets->train, &plan, &iteration, err);
        if (status != 0)
            return -1;
        on_train = network_evaluate(net, &sets->train);
        on_test = network_evaluate(net, &sets->test);
        if (sets->validation.n > 0)
            on_validation = network_evaluate(net, &sets->validation);
        if (epoch % o->print_every == 0 || epoch == o->epochs)
            print_epoch(epoch, on_train, on_validation, on_test,
                        sets->validation.n > 0);
        curves_write(curves, epoch, on_train, on_validation, on_test);
    }
    scores[0] = on_train, scores[1] = on_validation, scores[2] = on_test;
    return 0;
}

/* The noise experiment, printed: returns the network's mean confidence on
 * noise, and on the test digits in *test_confidence. */
static double noise_report(Network *net, Rng *rng, const Digits *test,
                           double *test_confidence)
{
    long answers[N_CLASSES];
    *test_confidence = digits_confidence(net, test);
    double noise = noise_confidence(net, rng, answers);
    printf("\nShown %d images of pure noise, the network still answers a "
           "digit every time,\nwith an average confidence of %.1f%% (on real "
           "test digits: %.1f%%).\nIts answers:",
           N_NOISE, 100.0 * noise, 100.0 * *test_confidence);
    for (int d = 0; d < N_CLASSES; d++)
        printf(" %d:%ld", d, answers[d]);
    printf("\n");
    return noise;
}

/* The run the book shows: after every epoch, score the training digits,
 * the validation split and the test set; then the noise experiment. */
static int single_run(const Options *o, const Sets *sets, Error *err)
{
    Network net;
    Trainer trainer;
    if (training_setup(&net, &trainer, &o->train, INIT_HE, &sets->train,
                       (uint64_t)o->train.seed, err) != 0)
        return -1;
    FILE *curves;
    Score scores[3]; /* training, validation, test */
    int status = curves_open(&curves, o->train.out_dir, err);
    if (status == 0) {
        print_header(o, &net, sets, (long)sets->train.n / o->train.batch);
        status = train_and_score(&net, &trainer, o, sets, curves, scores, err);
    }
    if (status == 0) {
        printf("\nFinal: training %.2f%% (cost %.4f), test %.2f%% (cost "
               "%.4f).\nThe gap between them: %.2f percentage points.\n",
               100.0 * scores[0].accuracy, scores[0].loss,
               100.0 * scores[2].accuracy, scores[2].loss,
               100.0 * (scores[0].accuracy - scores[2].accuracy));
        double test_confidence;
        double noise =
            noise_report(&net, &trainer.rng, &sets->test, &test_confidence);
        if (curves != NULL)
            status = output_close(curves, o->train.out_dir, "curves.tsv", err);
        if (status == 0 && curves != NULL)
            status = write_values(o, sets, scores[0], scores[1], scores[2],
                                  noise, test_confidence, err);
    }
    trainer_free(&trainer);
    network_free(&net);
    return status;
}

/* What --seeds measures of each run. */
enum {
    TEST_ACC,
    GAP,
    LOWEST_AT,  /* the epoch with the lowest test cost */
    COST_RISE,  /* how much the test cost rose after it */
    ACC_AFTER,  /* how much the test accuracy changed after it */
    NOISE_CONF, /* mean confidence on noise */
    TRAIN_ACC,  /* (not printed) */
    TEST_CONF,  /* (not printed) */
    N_MEASURES
};

/* One seed's run for --seeds: train, scoring only the test set after each
 * epoch (test_curve: [epochs x 2], its cost and accuracy), then measure. */
static int seed_run(double measures[N_MEASURES], double *test_curve,
                    const Options *o, const Sets *sets, long seed, Error *err)
{
    Network net;
    Trainer trainer;
    if (training_setup(&net, &trainer, &o->train, INIT_HE, &sets->train,
                       (uint64_t)seed, err) != 0)
        return -1;
    EpochPlan plan =
        epoch_plan(&o->train, -1.0, o->epochs, sets->train.n, NULL);
    long iteration = 0, lowest = 1;
    Score on_test = {0, 0};
    for (long epoch = 1; epoch <= o->epochs; epoch++) {
        int status =
            train_epoch(&trainer, &net, &sets->train, &plan, &iteration, err);
        if (status != 0) {
            trainer_free(&trainer);
            network_free(&net);
            return -1;
        }
        on_test = network_evaluate(&net, &sets->test);
        test_curve[2 * (epoch - 1)] = on_test.loss;
        test_curve[2 * (epoch - 1) + 1] = on_test.accuracy;
        if (on_test.loss < test_curve[2 * (lowest - 1)])
            lowest = epoch;
    }
    Score on_train = network_evaluate(&net, &sets->train);
    long answers[N_CLASSES];
    measures[TEST_ACC] = 100.0 * on_test.accuracy;
    measures[GAP] = 100.0 * (on_train.accuracy - on_test.accuracy);
    measures[LOWEST_AT] = (double)lowest;
    measures[COST_RISE] = on_test.loss - test_curve[2 * (lowest - 1)];
    measures[ACC_AFTER] =
        100.0 * (on_test.accuracy - test_curve[2 * (lowest - 1) + 1]);
    measures[TRAIN_ACC] = 100.0 * on_train.accuracy;
    measures[TEST_CONF] = 100.0 * digits_confidence(&net, &sets->test);
    measures[NOISE_CONF] =
        100.0 * noise_confidence(&net, &trainer.rng, answers);
    trainer_free(&trainer);
    network_free(&net);
    return 0;
}

/* --seeds N: the same run with each seed from 1 to N; a row per seed. The
 * test set's cost and accuracy after every epoch go to seeds.tsv. */
/* seeds.tsv: the test set's cost and accuracy after every epoch, for each
 * seed. curves: [n_seeds x epochs x 2]. */
static int write_seed_curves(const char *dir, const double *curves,
                             const TrainOptions *t, long epochs, Error *err)
{
    FILE *table = output_open(dir, "seeds.tsv", err);
    if (table == NULL)
        return -1;
    fprintf(table, "# epoch");
    for (int k = 0; k < t->n_seeds; k++)
        fprintf(table, "\ttest_cost_%ld\ttest_acc_%ld", t->seeds[k],
                t->seeds[k]);
    for (long epoch = 1; epoch <= epochs; epoch++) {
        fprintf(table, "\n%ld", epoch);
        for (long k = 0; k < t->n_seeds; k++) {
            const double *at = curves + (k * epochs + epoch - 1) * 2;
            fprintf(table, "\t%.4f\t%.4f", at[0], at[1]);
        }
    }
    fprintf(table, "\n");
    return output_close(table, dir, "seeds.tsv", err);
}

static int write_seed_values(const char *dir, const OverSeeds *columns,
                             const Options *o, const Sets *sets, Error *err)
{
    FILE *values = output_open(dir, "values.txt", err);
    if (values == NULL)
        return -1;
    const char *keys[N_MEASURES] = {"test_accuracy",     "gap",
                                    "lowest_cost_epoch", "cost_rise",
                                    "accuracy_after",    "noise_confidence",
                                    "train_accuracy",    "test_confidence"};
    for (int m = 0; m < N_MEASURES; m++)
        over_seeds_write(values, keys[m], &columns[m]);
    fprintf(values, "train_size %zu\nepochs %ld\n", sets->train.n, o->epochs);
    seeds_write(values, &o->train);
    fprintf(values, "headline %zu digits, %d seeds: gap %.2f to %.2f\n",
            sets->train.n, o->train.n_seeds, over_seeds_min(&columns[GAP]),
            over_seeds_max(&columns[GAP]));
    return output_close(values, dir, "values.txt", err);
}

/* --seeds N: the same run with each seed from 1 to N; a row per seed. The
 * test set's cost and accuracy after every epoch go to seeds.tsv. */
static int seeds_run(const Options *o, const Sets *sets, Error *err)
{
    OverSeeds columns[N_MEASURES] = {
        [TEST_ACC] = {.title = "test acc.", .decimals = 2, .unit = "%"},
        [GAP] = {.title = "gap (pts)", .decimals = 2, .unit = ""},
        [LOWEST_AT] = {.title = "cost min at", .decimals = 0, .unit = ""},
        [COST_RISE] = {.title = "cost rise", .decimals = 4, .unit = ""},
        [ACC_AFTER] = {.title = "acc. after", .decimals = 2, .unit = ""},
        [NOISE_CONF] = {.title = "noise conf.", .decimals = 1, .unit = "%"},
        [TRAIN_ACC] = {.title = "training", .decimals = 2, .unit = "%"},
        [TEST_CONF] = {.title = "test conf.", .decimals = 1, .unit = "%"}};
    double *curves = malloc((size_t)o->train.n_seeds * (size_t)o->epochs * 2 *
                            sizeof(double));
    if (curves == NULL)
        return error_set(err, "out of memory for %ld epochs", o->epochs);
    printf("Training ");
    print_sizes(sets->train.rows * sets->train.cols, &o->train);
    printf(" on %zu training digits%s for %ld epochs\n(learning rate "
           "%g), once with ",
           sets->train.n, o->shuffle_labels ? " with shuffled labels" : "",
           o->epochs, o->train.learning_rate);
    seeds_describe(stdout, &o->train);
    printf(":\n\n");
    int status = 0;
    for (int k = 0; k < o->train.n_seeds && status == 0; k++) {
        double measures[N_MEASURES];
        status = seed_run(measures, curves + k * o->epochs * 2, o, sets,
                          o->train.seeds[k], err);
        for (int m = 0; m < N_MEASURES && status == 0; m++)
            columns[m].values[columns[m].n++] = measures[m];
    }
    if (status == 0) {
        over_seeds_table(stdout, columns, NOISE_CONF + 1, o->train.seeds);
        printf("\nOn the test digits themselves, their mean confidence runs "
               "from %.1f%% to %.1f%%.\n",
               over_seeds_min(&columns[TEST_CONF]),
               over_seeds_max(&columns[TEST_CONF]));
    }
    if (status == 0 && o->train.out_dir != NULL)
        status = write_seed_curves(o->train.out_dir, curves, &o->train,
                                   o->epochs, err);
    if (status == 0 && o->train.out_dir != NULL)
        status = write_seed_values(o->train.out_dir, columns, o, sets, err);
    free(curves);
    return status;
}

int main(int argc, char **argv)
{
    cli_init(argc, argv);
    Options o = parse_options(argc, argv);
    Digits all_train;
    Sets sets;
    Error err;
    /* The output files are made first (as temporary files, put in place by
     * outputs_commit), so that a folder that cannot be written stops the
     * run before it trains. */
    const char *names[2] = {o.train.n_seeds > 0 ? "seeds.tsv" : "curves.tsv",
                            "values.txt"};
    if ((o.train.out_dir != NULL &&
         outputs_open(o.train.out_dir, names, 2, &err) != 0) ||
        sets_load(&sets, &all_train, &o.train, o.train_size, o.validation,
                  &err) != 0)
        fail_with(&err);
    /* --shuffle-labels: the training slice gets labels of its own, shuffled
     * by a generator of their own (seed 0), so that the shuffle is the same
     * for every --seed and the run's other random numbers do not change. */
    uint8_t *shuffled = NULL;
    if (o.shuffle_labels) {
        Rng label_rng;
        rng_seed(&label_rng, 0);
        shuffled = malloc(sets.train.n);
        if (shuffled == NULL)
            error_set(&err, "out of memory for %zu labels", sets.train.n);
        if (shuffled == NULL ||
            labels_shuffle(shuffled, sets.train.labels, sets.train.n,
                           &label_rng, &err) != 0)
            fail_with(&err);
        sets.train.labels = shuffled;
    }
    int status = o.train.n_seeds > 0 ? seeds_run(&o, &sets, &err)
                                     : single_run(&o, &sets, &err);
    free(shuffled);
    sets_free(&sets, &all_train);
    if (status != 0 || outputs_commit(&err) != 0) {
        fflush(stdout); /* what the run printed, before the error */
        fail_with(&err);
    }
    return 0;
}

#endif /* CH08_NO_MAIN */
#endif /* CH08_GAP_C */
