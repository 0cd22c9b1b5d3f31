/* Chapter 9: closing the gap. L2 weight decay, dropout, early stopping.
 *
 *   cc -std=c11 -O3 code/09_regularise.c -lm -o bin/09_regularise
 *   bin/09_regularise --train-size 1000 --dropout 0.5   chapter 8's
 *                                                       overfitting, reined in
 *
 * Adds: a weight-decay term in the gradient, dropout in the forward and
 * backward passes, and keeping the network that did best on the validation
 * split.
 */
#ifndef CH09_REGULARISE_C
#define CH09_REGULARISE_C

#define CH08_NO_MAIN /* reuse chapter 8's code, not its demo */
#include "08_gap.c"

/* ---- What this chapter adds ------------------------------------------- */

// @listing dropout_type
/* Dropout's state: the rate, and for each hidden layer the mask of the
 * current batch (0 for a dropped neuron, 1 / (1 - rate) for a kept one). */
typedef struct {
    float rate; /* 0: no dropout */
    int n_layers;
    float *masks[NETWORK_MAX_LAYERS]; /* [max_batch x sizes[l + 1]] */
    Rng rng;
} Dropout;
// @end dropout_type

/* How to hold a network back while it trains. */
typedef struct {
    float l2; /* weight decay lambda: 0 for none */
    Dropout dropout;
} Regulariser;

// @listing early_stopping_type
/* Early stopping's memory: the best network so far on the validation
 * split, and when it was seen. */
typedef struct {
    Network best;
    int watch_cost; /* judge by validation cost (1) or accuracy (0) */
    double best_score;
    long best_epoch, patience; /* patience 0: never stop early */
} EarlyStopping;
// @end early_stopping_type

void l2_gradient(Gradients *grads, const Network *net, float lambda);
double l2_penalty(const Network *net, float lambda);
void dropout_forward(float *y, float *mask, size_t n, float rate, Rng *rng);
void dropout_backward(float *dx, const float *mask, size_t n);
int dropout_init(Dropout *dropout, const Network *net, float rate, Rng rng,
                 Error *err);
void dropout_free(Dropout *dropout);
const float *network_forward_dropout(Network *net, Dropout *dropout,
                                     const float *x, int n_batch);
void network_backward_dropout(Gradients *grads, const Network *net,
                              const Dropout *dropout, const float *x,
                              const uint8_t *labels, int n_batch);
const float *regularised_forward(void *reg, Network *net, const float *x,
                                 int n_batch);
void regularised_backward(void *reg, Gradients *grads, const Network *net,
                          const float *x, const uint8_t *labels, int n_batch);
void regularised_gradients(void *reg, Gradients *grads, const Network *net);
StepHooks regulariser_hooks(Regulariser *reg);
StepResult train_step_regularised(Trainer *trainer, Network *net,
                                  Regulariser *reg, const Digits *digits,
                                  int n_batch, float learning_rate);
void network_copy(Network *to, const Network *from);
int early_stopping_init(EarlyStopping *stop, const Network *net, long patience,
                        int watch_cost, Error *err);
int early_stopping_update(EarlyStopping *stop, const Network *net,
                          Score on_validation, long epoch);

// @listing l2
/* L2 weight decay adds to the cost a penalty on large weights,
 *
 *     cost = cross-entropy + (lambda / 2) * (sum of every weight squared)
 *
 * whose derivative with respect to a weight w is lambda * w: so each step
 * also shrinks every weight towards 0 by a fraction lambda * learning_rate.
 * A network with small weights cannot bend sharply around each training
 * digit; it must find smoother rules that hold for many. Biases are left
 * alone: they shift a neuron, they do not make it more sensitive.
 *   grads: ACCUMULATED (+=), like the backward passes. */
void l2_gradient(Gradients *grads, const Network *net, float lambda)
{
    // @solution 9.2 add lambda * w to every weight's gradient
    for (int l = 0; l < net->n_layers; l++) {
        const Affine *layer = &net->layers[l];
        float *g = grads->layers[l].weights;
        size_t n = (size_t)layer->n_in * layer->n_out;
        for (size_t k = 0; k < n; k++)
            g[k] += lambda * layer->weights[k];
    }
    // @end 9.2
}

/* The penalty itself, (lambda / 2) * sum of w^2, whose derivative
 * l2_gradient adds (the tests check it). Training never needs its value,
 * and the costs this book reports are the cross-entropy alone, without it:
 * so they compare with runs that have no weight decay. */
double l2_penalty(const Network *net, float lambda)
{
    double sum = 0.0;
    for (int l = 0; l < net->n_layers; l++) {
        const Affine *layer = &net->layers[l];
        size_t n = (size_t)layer->n_in * layer->n_out;
        for (size_t k = 0; k < n; k++)
            sum += (double)layer->weights[k] * (double)layer->weights[k];
    }
    return 0.5 * (double)lambda * sum;
}
// @end l2

// @listing dropout
/* Dropout (Srivastava et al., 2014): while training, switch each hidden
 * neuron off at random, with probability `rate`, afresh for every digit of
 * every batch. No neuron can rely on any particular other one being there,
 * so each must be useful on its own: the network cannot build the fragile
 * conspiracies of weights that memorise single training digits.
 *
 * "Inverted" dropout scales the survivors by 1 / (1 - rate), so that the
 * expected value of each output is unchanged, and at test time the network
 * is used as it is, every neuron on, nothing rescaled.
 *   y: [n], multiplied by the mask in place   mask: [n], overwritten */
void dropout_forward(float *y, float *mask, size_t n, float rate, Rng *rng)
{
    // @solution 9.1 draw the mask, multiply y by it
    float keep_scale = 1.0f / (1.0f - rate);
    for (size_t k = 0; k < n; k++) {
        mask[k] = rng_uniform(rng) < rate ? 0.0f : keep_scale;
        y[k] *= mask[k];
    }
    // @end 9.1
}

/* The backward pass of y = mask * x is dx = mask * dy.
 *   dx: [n], multiplied in place */
void dropout_backward(float *dx, const float *mask, size_t n)
{
    // @solution 9.1 dx *= mask
    for (size_t k = 0; k < n; k++)
        dx[k] *= mask[k];
    // @end 9.1
}
// @end dropout

int dropout_init(Dropout *dropout, const Network *net, float rate, Rng rng,
                 Error *err)
{
    *dropout = (Dropout){.rate = rate, .rng = rng};
    if (rate <= 0.0f)
        return 0; /* nothing to remember */
    dropout->n_layers = net->n_layers;
    for (int l = 0; l + 1 < net->n_layers; l++) {
        dropout->masks[l] =
            malloc((size_t)net->max_batch * net->sizes[l + 1] * sizeof(float));
        if (dropout->masks[l] == NULL) {
            dropout_free(dropout);
            return error_set(err, "out of memory for the dropout masks");
        }
    }
    return 0;
}

void dropout_free(Dropout *dropout)
{
    for (int l = 0; l < dropout->n_layers; l++)
        free(dropout->masks[l]);
    *dropout = (Dropout){0};
}

// @listing network_forward_dropout
/* Chapter 5's forward pass, with dropout after each hidden layer (never
 * after the last: the outputs are the answer). The dropped neurons are 0 in
 * net->outputs, which is also what the backward pass reads. */
const float *network_forward_dropout(Network *net, Dropout *dropout,
                                     const float *x, int n_batch)
{
    const float *a = x;
    for (int l = 0; l < net->n_layers; l++) {
        float *out = layer_forward(net, l, a, n_batch);
        if (dropout->rate > 0.0f && l + 1 < net->n_layers)
            dropout_forward(out, dropout->masks[l],
                            (size_t)n_batch * net->sizes[l + 1], dropout->rate,
                            &dropout->rng);
        a = out;
    }
    return a;
}

/* Chapter 6's backward pass, with dropout's backward after each hidden
 * layer's. A dropped neuron's output is 0, so ReLU's backward already
 * stops its gradient; the mask then scales the kept ones by 1/(1-rate),
 * as the forward pass did. */
void network_backward_dropout(Gradients *grads, const Network *net,
                              const Dropout *dropout, const float *x,
                              const uint8_t *labels, int n_batch)
{
    int last = net->n_layers - 1;
    softmax_cross_entropy_backward(grads->deltas[last], net->outputs[last],
                                   labels, n_batch, net->sizes[last + 1]);
    for (int l = last; l >= 0; l--) {
        layer_backward(grads, net, l, l > 0 ? net->outputs[l - 1] : x, n_batch);
        if (dropout->rate > 0.0f && l > 0)
            dropout_backward(grads->deltas[l - 1], dropout->masks[l - 1],
                             (size_t)n_batch * net->sizes[l]);
    }
}
// @end network_forward_dropout

// @listing train_step_regularised
/* Chapter 7's training step, with dropout in both passes and the L2 term
 * added to the gradients before the step: chapter 9 does not write a step
 * of its own, it hands chapter 7's train_step_hooked these three hooks,
 * each given the run's Regulariser. The reported cost is the batch's
 * cross-entropy (measured with dropout on, so it runs higher than the
 * network's cost on the same digits at test time). */
const float *regularised_forward(void *reg, Network *net, const float *x,
                                 int n_batch)
{
    Dropout *dropout = &((Regulariser *)reg)->dropout;
    return network_forward_dropout(net, dropout, x, n_batch);
}

void regularised_backward(void *reg, Gradients *grads, const Network *net,
                          const float *x, const uint8_t *labels, int n_batch)
{
    const Dropout *dropout = &((Regulariser *)reg)->dropout;
    network_backward_dropout(grads, net, dropout, x, labels, n_batch);
}

void regularised_gradients(void *reg, Gradients *grads, const Network *net)
{
    float l2 = ((Regulariser *)reg)->l2;
    if (l2 > 0.0f)
        l2_gradient(grads, net, l2);
}

StepHooks regulariser_hooks(Regulariser *reg)
{
    return (StepHooks){.forward = regularised_forward,
                       .backward = regularised_backward,
                       .add_to_gradients = regularised_gradients,
                       .context = reg};
}

/* One such step (chapter 8's train_epoch takes the hooks for a whole
 * epoch). */
StepResult train_step_regularised(Trainer *trainer, Network *net,
                                  Regulariser *reg, const Digits *digits,
                                  int n_batch, float learning_rate)
{
    StepHooks hooks = regulariser_hooks(reg);
    return train_step_hooked(trainer, net, &hooks, digits, n_batch,
                             learning_rate);
}
// @end train_step_regularised

// @listing network_copy
/* Copy the weights and biases of `from` into `to` (same sizes). Early
 * stopping keeps a copy of the best network seen so far this way. */
void network_copy(Network *to, const Network *from)
{
    for (int l = 0; l < from->n_layers; l++) {
        const Affine *src = &from->layers[l];
        memcpy(to->layers[l].weights, src->weights,
               (size_t)src->n_in * src->n_out * sizeof(float));
        memcpy(to->layers[l].biases, src->biases,
               (size_t)src->n_out * sizeof(float));
    }
}
// @end network_copy

/* A copy of net's sizes to keep the best network in (for batches of up to
 * EVALUATE_BATCH, since it is only ever evaluated). */
int early_stopping_init(EarlyStopping *stop, const Network *net, long patience,
                        int watch_cost, Error *err)
{
    *stop = (EarlyStopping){.watch_cost = watch_cost,
                            .best_score = -HUGE_VAL,
                            .patience = patience};
    /* The training network, its gradients and this copy, together. */
    if (network_memory_check(net, 3, " with its gradients and a kept copy",
                             err) != 0)
        return -1;
    return network_init(&stop->best, net->sizes, net->n_layers + 1,
                        EVALUATE_BATCH, err);
}

// @listing early_stopping
/* After each epoch: if the network beats the best score so far on the
 * validation split (the highest accuracy, or with watch_cost the lowest
 * cost), keep a copy of it. Returns 1 when it is time to stop: `patience`
 * epochs have gone by without beating it. The test set plays no part in
 * the choice. */
int early_stopping_update(EarlyStopping *stop, const Network *net,
                          Score on_validation, long epoch)
{
    double score =
        stop->watch_cost ? -on_validation.loss : on_validation.accuracy;
    if (score > stop->best_score) {
        stop->best_score = score;
        stop->best_epoch = epoch;
        network_copy(&stop->best, net);
        return 0;
    }
    return stop->patience > 0 && epoch - stop->best_epoch >= stop->patience;
}
// @end early_stopping

/* ---- The demo ----------------------------------------------------------- */
#ifndef CH09_NO_MAIN

enum { MAX_SWEEP = 10 }; /* values in --l2-sweep's list, at most */

typedef struct {
    TrainOptions train;
    long epochs, train_size, validation, print_every, patience;
    int watch_cost; /* --stop-on cost */
    double lr_end, l2, dropout;
    const char *save;
    double sweep[MAX_SWEEP]; /* --l2-sweep */
    int n_sweep;
} Options;

static Options parse_options(int argc, char **argv)
{
    Options o = {.epochs = 20,
                 .train_size = -1,
                 .validation = 10000,
                 .print_every = 1,
                 .lr_end = -1,
                 .train = train_options_default()};
    const Option options[] = {
        {"--l2", "X", OPTION_NONNEGATIVE, &o.l2,
         .help = "weight decay lambda (default 0: none)"},
        {"--dropout", "P", OPTION_NONNEGATIVE, &o.dropout,
         .help = "drop each hidden neuron with probability P, in\n"
                 "[0, 0.9] (default 0: none)"},
        {"--patience", "N", OPTION_WHOLE, &o.patience, 0, LONG_MAX,
         .help = "early stopping: stop after N epochs without a\n"
                 "better validation accuracy, and keep the best\n"
                 "network (default 0: train all epochs, keep last)"},
        {"--stop-on", "WHAT", OPTION_CHOICE, &o.watch_cost,
         .choices = "accuracy|cost",
         .help = "what early stopping watches on the validation\n"
                 "split: accuracy (default) or cost"},
        EPOCH_OPTIONS(&o, "at most N epochs (default 20)", 1),
        {"--lr-end", "X", OPTION_POSITIVE, &o.lr_end,
         .help = "let the learning rate fall linearly to X by the\n"
                 "last epoch (default: constant)"},
        {"--save", "FILE", OPTION_TEXT, &o.save,
         .help = "write the kept network to FILE"},
        {"--l2-sweep", "LIST", OPTION_NUMBERS, o.sweep, 0, MAX_SWEEP,
         .count = &o.n_sweep,
         .help = "with --seeds N: train with each weight decay of\n"
                 "LIST (such as 0,0.001,0.01; at most 10 values)\n"
                 "and show each one's validation accuracy and cost"},
        TRAIN_OPTIONS(&o.train),
    };
    options_parse(options, OPTIONS_COUNT(options),
                  "Train like chapter 8, with regularisation, and report "
                  "training,\nvalidation and test accuracy after each epoch.",
                  argc, argv);
    if (o.dropout > 0.9)
        usage_error("--dropout expects a probability from 0 to 0.9, got %.9g",
                    o.dropout);
    if (o.n_sweep > 0 && o.train.n_seeds == 0)
        usage_error("--l2-sweep compares settings, so it needs --seeds N "
                    "(such as --seeds 5)");
    if (o.train.n_seeds > 0 && o.save != NULL)
        usage_error("--seeds and --l2-sweep train several networks: they "
                    "cannot be combined with --save");
    save_clash_check(o.save, o.train.out_dir);
    return o;
}

static void print_settings(const Options *o, const Sets *sets)
{
    printf("Training ");
    print_sizes(sets->train.rows * sets->train.cols, &o->train);
    printf(" on %zu digits (", sets->train.n);
    if (o->train.n_seeds > 0)
        seeds_describe(stdout, &o->train);
    else
        printf("--seed %ld", o->train.seed);
    printf("),\nlearning rate %g", o->train.learning_rate);
    if (o->lr_end >= 0)
        printf(" falling to %g", o->lr_end);
    printf(", L2 %g, dropout %g;\n", o->l2, o->dropout);
    if (o->patience > 0)
        printf("early stopping after %ld epochs without a better validation "
               "%s\n(on %zu digits; at most %ld epochs).\n\n",
               o->patience, o->watch_cost ? "cost" : "accuracy",
               sets->validation.n, o->epochs);
    else
        printf("no early stopping: %ld epochs.\n\n", o->epochs);
}

/* Everything one training run holds. */
typedef struct {
    Network net;
    Trainer trainer;
    Regulariser reg;
    EarlyStopping stop;
    long iteration; /* steps so far */
} Run;

static void run_free(Run *run)
{
    dropout_free(&run->reg.dropout);
    trainer_free(&run->trainer);
    network_free(&run->net);
    network_free(&run->stop.best);
}

/* The network and trainer of chapter 8 drawn from `seed`, and the
 * regularisers. Dropout draws from a generator of its own, seeded from
 * ~seed (a seed no small --seed uses), so that a run without dropout
 * draws exactly the numbers chapter 8's run draws. */
static int run_init(Run *run, const Options *o, const Sets *sets, long seed,
                    Error *err)
{
    *run = (Run){.reg = {.l2 = (float)o->l2}};
    Rng dropout_rng;
    rng_seed(&dropout_rng, ~(uint64_t)seed);
    if (training_setup(&run->net, &run->trainer, &o->train, INIT_HE,
                       &sets->train, (uint64_t)seed, err) != 0)
        return -1;
    if (dropout_init(&run->reg.dropout, &run->net, (float)o->dropout,
                     dropout_rng, err) != 0 ||
        early_stopping_init(&run->stop, &run->net, o->patience, o->watch_cost,
                            err) != 0) {
        run_free(run);
        return -1;
    }
    return 0;
}

/* One pass over the training digits: chapter 8's train_epoch, with the
 * regularisers in every step (their hooks); the learning rate falls over
 * the whole run when --lr-end is given. */
static int run_epoch(Run *run, const Options *o, const Sets *sets, Error *err)
{
    StepHooks hooks = regulariser_hooks(&run->reg);
    EpochPlan plan =
        epoch_plan(&o->train, o->lr_end, o->epochs, sets->train.n, &hooks);
    return train_epoch(&run->trainer, &run->net, &sets->train, &plan,
                       &run->iteration, err);
}

/* The network to keep: the best on validation with early stopping, the
 * last one without. Its scores, on the three sets. */
static void run_finish(Run *run, const Sets *sets, long last_epoch,
                       Score kept[3])
{
    if (run->stop.patience == 0) {
        network_copy(&run->stop.best, &run->net);
        run->stop.best_epoch = last_epoch;
    }
    kept[0] = network_evaluate(&run->stop.best, &sets->train);
    kept[1] = network_evaluate(&run->stop.best, &sets->validation);
    kept[2] = network_evaluate(&run->stop.best, &sets->test);
}

static int write_values(const Options *o, const Sets *sets, long epochs_run,
                        long best_epoch, const Score kept[3], Error *err)
{
    FILE *values = output_open(o->train.out_dir, "values.txt", err);
    if (values == NULL)
        return -1;
    double gap = kept[0].accuracy - kept[2].accuracy;
    fprintf(values,
            "train_size %zu\nepochs %ld\nepochs_run %ld\n"
            "best_epoch %ld\nl2 %g\ndropout %g\npatience %ld\n"
            "train_accuracy %.2f\nvalidation_accuracy %.2f\n"
            "test_accuracy %.2f\ngap %.2f\ntest_loss %.4f\n",
            sets->train.n, o->epochs, epochs_run, best_epoch, o->l2, o->dropout,
            o->patience, 100.0 * kept[0].accuracy, 100.0 * kept[1].accuracy,
            100.0 * kept[2].accuracy, 100.0 * gap, kept[2].loss);
    fprintf(values, "headline test %.2f%%, gap %.2f (L2 %g, dropout %g)\n",
            100.0 * kept[2].accuracy, 100.0 * gap, o->l2, o->dropout);
    return output_close(values, o->train.out_dir, "values.txt", err);
}

/* The epochs of the run the book shows: after each, all three sets
 * scored, printed every print_every epochs and logged to curves (if not
 * NULL); early stopping may end it. *epochs_run: how many epochs ran.
 * Returns 0, or -1 with err set. */
static int train_and_watch(Run *run, const Options *o, const Sets *sets,
                           FILE *curves, long *epochs_run, Error *err)
{
    print_epoch_header();
    for (long epoch = 1; epoch <= o->epochs; epoch++) {
        if (run_epoch(run, o, sets, err) != 0)
            return -1;
        Score on_train = network_evaluate(&run->net, &sets->train);
        Score on_validation = network_evaluate(&run->net, &sets->validation);
        Score on_test = network_evaluate(&run->net, &sets->test);
        int stop =
            early_stopping_update(&run->stop, &run->net, on_validation, epoch);
        if (epoch % o->print_every == 0 || epoch == o->epochs || stop)
            print_epoch(epoch, on_train, on_validation, on_test, 1);
        curves_write(curves, epoch, on_train, on_validation, on_test);
        *epochs_run = epoch;
        if (stop) {
            printf("No better validation %s for %ld epochs: stop.\n",
                   o->watch_cost ? "cost" : "accuracy", o->patience);
            break;
        }
    }
    return 0;
}

/* What a single run prints at its end: the kept network's scores. */
static void print_kept(long best_epoch, const Score kept[3])
{
    printf("\nKept the network of epoch %ld: training %.2f%%, validation "
           "%.2f%%,\ntest %.2f%%, a gap of %.2f points.\n",
           best_epoch, 100.0 * kept[0].accuracy, 100.0 * kept[1].accuracy,
           100.0 * kept[2].accuracy,
           100.0 * (kept[0].accuracy - kept[2].accuracy));
    printf("\ntest accuracy: %.2f%%\n", 100.0 * kept[2].accuracy);
}

/* The run the book shows: every epoch scored on all three sets (printed
 * every print_every epochs, logged to curves.tsv); early stopping if
 * asked; the kept network scored, saved and its values written. */
static int single_run(const Options *o, const Sets *sets, Error *err)
{
    Run run;
    if (run_init(&run, o, sets, o->train.seed, err) != 0)
        return -1;
    FILE *curves;
    long epochs_run = 0;
    Score kept[3];
    int status = curves_open(&curves, o->train.out_dir, err);
    if (status == 0) {
        print_settings(o, sets);
        double start = seconds_now();
        status = train_and_watch(&run, o, sets, curves, &epochs_run, err);
        if (status == 0) {
            run_finish(&run, sets, epochs_run, kept);
            print_kept(run.stop.best_epoch, kept);
            fprintf(stderr, "%s: trained in %.1f s\n", program_name,
                    seconds_now() - start);
        }
    }
    if (status == 0 && !network_is_finite(&run.stop.best))
        status = not_finite_error(err, o->train.learning_rate);
    if (status == 0 && o->save != NULL) {
        status = network_save(&run.stop.best, o->save, err);
        if (status == 0)
            printf("saved the network to %s\n", o->save);
    }
    if (status == 0 && curves != NULL)
        status = output_close(curves, o->train.out_dir, "curves.tsv", err);
    if (status == 0 && curves != NULL)
        status =
            write_values(o, sets, epochs_run, run.stop.best_epoch, kept, err);
    run_free(&run);
    return status;
}

/* What --seeds reports of each run. */
enum {
    KEPT_EPOCH,
    TRAIN_ACC,
    VALIDATION_ACC,
    TEST_ACC,
    GAP,
    TEST_COST,
    VALIDATION_COST, /* (not in the --seeds table; --l2-sweep shows it) */
    N_MEASURES
};

/* One seed's run for --seeds: the validation split is scored after each
 * epoch only when early stopping needs it; the kept network at the end. */
static int seed_run(double measures[N_MEASURES], const Options *o,
                    const Sets *sets, long seed, Error *err)
{
    Run run;
    if (run_init(&run, o, sets, seed, err) != 0)
        return -1;
    long epoch;
    for (epoch = 1; epoch <= o->epochs; epoch++) {
        if (run_epoch(&run, o, sets, err) != 0) {
            run_free(&run);
            return -1;
        }
        if (o->patience > 0 &&
            early_stopping_update(&run.stop, &run.net,
                                  network_evaluate(&run.net, &sets->validation),
                                  epoch))
            break;
    }
    Score kept[3];
    run_finish(&run, sets, epoch > o->epochs ? o->epochs : epoch, kept);
    measures[KEPT_EPOCH] = (double)run.stop.best_epoch;
    measures[TRAIN_ACC] = 100.0 * kept[0].accuracy;
    measures[VALIDATION_ACC] = 100.0 * kept[1].accuracy;
    measures[TEST_ACC] = 100.0 * kept[2].accuracy;
    measures[GAP] = 100.0 * (kept[0].accuracy - kept[2].accuracy);
    measures[TEST_COST] = kept[2].loss;
    measures[VALIDATION_COST] = kept[1].loss;
    run_free(&run);
    return 0;
}

/* --seeds N: the same training with each seed from 1 to N; a row each. */
static int seeds_run(const Options *o, const Sets *sets, Error *err)
{
    OverSeeds columns[N_MEASURES] = {
        [KEPT_EPOCH] = {.title = "kept epoch", .decimals = 0, .unit = ""},
        [TRAIN_ACC] = {.title = "training", .decimals = 2, .unit = "%"},
        [VALIDATION_ACC] = {.title = "validation", .decimals = 2, .unit = "%"},
        [TEST_ACC] = {.title = "test", .decimals = 2, .unit = "%"},
        [GAP] = {.title = "gap (pts)", .decimals = 2, .unit = ""},
        [TEST_COST] = {.title = "test cost", .decimals = 4, .unit = ""},
        [VALIDATION_COST] = {
            .title = "valid. cost", .decimals = 4, .unit = ""}};
    print_settings(o, sets);
    for (int k = 0; k < o->train.n_seeds; k++) {
        double measures[N_MEASURES];
        if (seed_run(measures, o, sets, o->train.seeds[k], err) != 0)
            return -1;
        for (int m = 0; m < N_MEASURES; m++)
            columns[m].values[columns[m].n++] = measures[m];
    }
    over_seeds_table(stdout, columns, TEST_COST + 1, o->train.seeds);
    if (o->train.out_dir == NULL)
        return 0;
    FILE *values = output_open(o->train.out_dir, "values.txt", err);
    if (values == NULL)
        return -1;
    const char *keys[N_MEASURES] = {
        "best_epoch", "train_accuracy", "validation_accuracy", "test_accuracy",
        "gap",        "test_loss"};
    for (int m = 0; m <= TEST_COST; m++)
        over_seeds_write(values, keys[m], &columns[m]);
    fprintf(values,
            "train_size %zu\nepochs %ld\nl2 %g\ndropout %g\npatience %ld\n"
            "stop_on %s\n",
            sets->train.n, o->epochs, o->l2, o->dropout, o->patience,
            o->watch_cost ? "cost" : "accuracy");
    seeds_write(values, &o->train);
    fprintf(values, "headline test %.2f%% to %.2f%% over %d seeds\n",
            over_seeds_min(&columns[TEST_ACC]),
            over_seeds_max(&columns[TEST_ACC]), o->train.n_seeds);
    return output_close(values, o->train.out_dir, "values.txt", err);
}

/* --l2-sweep LIST --seeds N: for each weight decay of LIST, the same N
 * seeds; a row per weight decay with the validation accuracy (mean, lowest
 * and highest seed) and the mean validation cost and test accuracy. With
 * --out, sweep.tsv holds every seed's validation accuracy and cost. */
/* One weight decay of --l2-sweep, over the seeds: its validation accuracy
 * and cost, and its test accuracy. */
static int sweep_value(OverSeeds found[3], const Options *o, const Sets *sets,
                       double l2, Error *err)
{
    Options one = *o;
    one.l2 = l2;
    for (int k = 0; k < 3; k++)
        found[k] = (OverSeeds){.decimals = k == 1 ? 4 : 2};
    for (int k = 0; k < o->train.n_seeds; k++) {
        double measures[N_MEASURES];
        if (seed_run(measures, &one, sets, o->train.seeds[k], err) != 0)
            return -1;
        found[0].values[found[0].n++] = measures[VALIDATION_ACC];
        found[1].values[found[1].n++] = measures[VALIDATION_COST];
        found[2].values[found[2].n++] = measures[TEST_ACC];
    }
    return 0;
}

/* Value v of the sweep: a row of sweep.tsv (each seed's validation accuracy
 * and cost) and its lines of values.txt. */
static void sweep_write(FILE *table, FILE *values, int v, double l2,
                        const OverSeeds found[3])
{
    fprintf(table, "%g", l2);
    for (int k = 0; k < found[0].n; k++)
        fprintf(table, "\t%.2f\t%.4f", found[0].values[k], found[1].values[k]);
    fprintf(table, "\n");
    const char *keys[3] = {"validation_accuracy", "validation_loss",
                           "test_accuracy"};
    fprintf(values, "l2_%d %g\n", v + 1, l2);
    for (int k = 0; k < 3; k++) {
        char key[64];
        snprintf(key, sizeof key, "%s_%d", keys[k], v + 1);
        over_seeds_write(values, key, &found[k]);
    }
}

/* --l2-sweep: each weight decay of the list over the seeds, a line each
 * with its mean (and range) on the validation split. */
static int sweep_run(const Options *o, const Sets *sets, Error *err)
{
    printf("Training ");
    print_sizes(sets->train.rows * sets->train.cols, &o->train);
    printf(" on %zu digits for %ld epochs (learning rate %g,\ndropout "
           "%g), with each weight decay, once with ",
           sets->train.n, o->epochs, o->train.learning_rate, o->dropout);
    seeds_describe(stdout, &o->train);
    printf(":\n\n");
    printf("%10s %12s %10s %10s %12s %10s\n", "L2", "validation", "lowest",
           "highest", "valid. cost", "test");
    FILE *table = NULL, *values = NULL;
    if (o->train.out_dir != NULL &&
        ((table = output_open(o->train.out_dir, "sweep.tsv", err)) == NULL ||
         (values = output_open(o->train.out_dir, "values.txt", err)) == NULL))
        return -1;
    for (int v = 0; v < o->n_sweep; v++) {
        OverSeeds found[3];
        if (sweep_value(found, o, sets, o->sweep[v], err) != 0)
            return -1;
        printf("%10g %11.2f%% %9.2f%% %9.2f%% %12.4f %9.2f%%\n", o->sweep[v],
               over_seeds_mean(&found[0]), over_seeds_min(&found[0]),
               over_seeds_max(&found[0]), over_seeds_mean(&found[1]),
               over_seeds_mean(&found[2]));
        if (values != NULL)
            sweep_write(table, values, v, o->sweep[v], found);
    }
    if (values == NULL)
        return 0;
    fprintf(values, "train_size %zu\nepochs %ld\nn_l2 %d\n", sets->train.n,
            o->epochs, o->n_sweep);
    seeds_write(values, &o->train);
    fprintf(values, "headline L2 sweep of %d values over %d seeds\n",
            o->n_sweep, o->train.n_seeds);
    if (output_close(table, o->train.out_dir, "sweep.tsv", err) != 0)
        return -1;
    return output_close(values, o->train.out_dir, "values.txt", err);
}

int main(int argc, char **argv)
{
    cli_init(argc, argv);
    Options o = parse_options(argc, argv);
    Digits all_train;
    Sets sets;
    Error err;
    /* Where the results go is checked before any training: the files are
     * made now, as temporary files that outputs_commit puts in place. */
    const char *names[2] = {"values.txt",
                            o.n_sweep > 0 ? "sweep.tsv" : "curves.tsv"};
    int single = o.train.n_seeds == 0;
    if ((single && o.save != NULL && output_open_file(o.save, &err) == NULL) ||
        (o.train.out_dir != NULL &&
         outputs_open(o.train.out_dir, names, single || o.n_sweep > 0 ? 2 : 1,
                      &err) != 0) ||
        sets_load(&sets, &all_train, &o.train, o.train_size, o.validation,
                  &err) != 0)
        fail_with(&err);
    int status = o.n_sweep > 0         ? sweep_run(&o, &sets, &err)
                 : o.train.n_seeds > 0 ? seeds_run(&o, &sets, &err)
                                       : single_run(&o, &sets, &err);
    sets_free(&sets, &all_train);
    if (status != 0 || outputs_commit(&err) != 0) {
        fflush(stdout); /* what the run printed, before the error */
        fail_with(&err);
    }
    return 0;
}

#endif /* CH09_NO_MAIN */
#endif /* CH09_REGULARISE_C */
