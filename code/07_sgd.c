/* Chapter 7: mini-batch stochastic gradient descent. The network learns.
 *
 *   cc -std=c11 -O3 code/07_sgd.c -lm -o bin/07_sgd
 *   bin/07_sgd                    1000 iterations of 100 digits each
 *   bin/07_sgd --save net.bin     ... and keep the trained network
 *   bin/07_sgd --load net.bin     test a saved network
 *
 * Adds: shuffling, sgd_step, the training loop, and the two checks
 * practitioners run (overfit one batch, sweep the learning rate). What is
 * plumbing, not the lesson, lives beside it: network_file.h saves and loads
 * a trained network, training_cli.h holds the options every training
 * program takes, and sgd_runs.h the runs this program's main chooses from.
 */
#ifndef CH07_SGD_C
#define CH07_SGD_C

#define CH06_NO_MAIN /* reuse chapter 6's code, not its demo */
#include "06_backprop.c"

#include "network_file.h" /* saving and loading a network (plumbing) */
#include "training_cli.h" /* the options of chapters 7 to 9 (plumbing) */

/* ---- What this chapter adds ------------------------------------------- */

// @listing trainer_type
/* What training needs besides the network: gradient buffers, and the
 * order in which to visit the training digits. */
typedef struct {
    Gradients grads;
    size_t *order;  /* [n]: a shuffled permutation of 0 .. n-1 */
    size_t n, next; /* next: first position of `order` not yet used */
    Rng rng;
} Trainer;

/* One iteration's report: the batch's mean cost and how many it got right
 * (measured by the forward pass, before the step). */
typedef struct {
    double loss;
    int correct;
} StepResult;

#define DIVERGED_COST  20.0 /* see training_diverged */
#define STALLED_WITHIN 0.1  /* see training_stalled */
// @end trainer_type

void shuffle(size_t *order, size_t n, Rng *rng);
int training_diverged(double loss);
int training_stalled(double recent_loss, int n_classes);
long recent_window(long n_iterations);
double learning_rate_at(double start, double end, long step, long n_steps);
void sgd_step(Network *net, const Gradients *grads, float learning_rate);
void momentum_step(Network *net, Gradients *velocity, const Gradients *grads,
                   float learning_rate, float momentum);
int trainer_init(Trainer *trainer, const Network *net, size_t n_train, Rng rng,
                 Error *err);
void trainer_free(Trainer *trainer);
void trainer_next_batch(Trainer *trainer, Network *net, uint8_t *labels,
                        const Digits *digits, int n_batch);
StepResult train_step(Trainer *trainer, Network *net, const Digits *digits,
                      int n_batch, float learning_rate);
int network_is_finite(const Network *net);

int training_setup(Network *net, Trainer *trainer, const TrainOptions *o,
                   Init init, const Digits *train, uint64_t seed, Error *err);
void overfit_one_batch(double *costs, Network *net, Gradients *grads,
                       const float *x, const uint8_t *labels, int n_batch,
                       float learning_rate, int n_steps);
int learning_rate_sweep(double *final_costs, const double *rates, int n_rates,
                        const TrainOptions *o, const Digits *train,
                        long n_iterations, uint64_t seed, FILE *log,
                        Error *err);

/* One result (a test accuracy, a gap, ...) of the same training run with
 * seeds 1, 2, ..., n. A single run's number is partly luck: the seed picks
 * the first weights and the order of the batches. Any claim that one
 * setting beats another rests on several seeds, never on one. */
typedef struct {
    const char *title; /* a column heading, at most 11 characters */
    int decimals;
    const char *unit; /* printed after each value: "%" or "" */
    int n;
    double values[MAX_SEEDS];
} OverSeeds;

double over_seeds_mean(const OverSeeds *s);
double over_seeds_min(const OverSeeds *s);
double over_seeds_max(const OverSeeds *s);
void over_seeds_table(FILE *out, const OverSeeds *columns, int n_columns,
                      const long *seeds);
void over_seeds_write(FILE *out, const char *key, const OverSeeds *s);

// @listing shuffle
/* Put order[0..n-1] in a random order, every order equally likely
 * (Fisher-Yates): for each position from the last down, swap it with a
 * random position at or before it. */
void shuffle(size_t *order, size_t n, Rng *rng)
{
    for (size_t k = n; k > 1; k--) {
        size_t other = rng_below(rng, (uint32_t)k);
        size_t held = order[k - 1];
        order[k - 1] = order[other];
        order[other] = held;
    }
}
// @end shuffle

// @listing sgd_step
/* One step downhill: every weight and bias moves against its gradient,
 *
 *     w = w - learning_rate * dLoss/dw
 *
 * The gradient points in the direction in which the loss grows fastest, so
 * a small step the other way lowers the loss (3Blue1Brown's ball rolling
 * down the hill). The learning rate sets how small. */
void sgd_step(Network *net, const Gradients *grads, float learning_rate)
{
    // @solution 7.1 w -= learning_rate * dLoss/dw, for every weight and bias
    for (int l = 0; l < net->n_layers; l++) {
        Affine *layer = &net->layers[l];
        const Affine *grad = &grads->layers[l];
        size_t n_weights = (size_t)layer->n_in * layer->n_out;
        for (size_t k = 0; k < n_weights; k++)
            layer->weights[k] -= learning_rate * grad->weights[k];
        for (int j = 0; j < layer->n_out; j++)
            layer->biases[j] -= learning_rate * grad->biases[j];
    }
    // @end 7.1
}
// @end sgd_step

// @listing training_diverged
/* Has training blown up? A learning rate that is too large makes each step
 * overshoot, the weights grow, and the scores explode: the right digit's
 * probability rounds to 0 (the cost is clamped near 69, chapter 5) or the
 * arithmetic produces infinities and NaN. An untrained network costs
 * ln 10 = 2.3; a cost above 20 means the average right answer got a
 * probability below e^-20, two in a billion: the network is not learning,
 * it is broken. (Written so that a NaN cost counts as diverged: every
 * comparison with NaN is false.) */
int training_diverged(double loss)
{
    return !(loss <= DIVERGED_COST);
}
// @end training_diverged

// @listing training_stalled
/* Has training stalled? A step too large can also switch a ReLU off for
 * every digit, and a dead neuron never comes back (its gradient is 0); with
 * a whole layer dead, the network gives every digit the same ten
 * probabilities, and the best it can do is the digits' frequencies: a cost
 * of about ln 10 = 2.30, chance. A cost that still close to ln 10 long
 * after the start (recent_loss: the mean batch cost of the last tenth of
 * at least 100 iterations) means the network is not learning: a rate too
 * large killed it, or one too small moves nothing. */
int training_stalled(double recent_loss, int n_classes)
{
    return fabs(recent_loss - log((double)n_classes)) < STALLED_WITHIN;
}

/* The last tenth of a run, whose mean batch cost training_stalled judges
 * (and exercise 7.5 reports): at least one iteration. */
long recent_window(long n_iterations)
{
    return n_iterations / 10 > 0 ? n_iterations / 10 : 1;
}
// @end training_stalled

// @listing learning_rate
/* A learning rate that falls in a straight line from `start`, at step 0,
 * to `end`, at step n_steps (--lr and --lr-end); a negative `end` keeps it
 * constant. Large steps early cross the landscape quickly; small steps
 * late settle into the bottom of a valley instead of bouncing from side to
 * side across it. */
double learning_rate_at(double start, double end, long step, long n_steps)
{
    if (end < 0 || n_steps == 0)
        return start;
    double done = (double)step / (double)n_steps;
    return start + done * (end - start);
}
// @end learning_rate

/* Exercise 7.2: SGD with momentum. Each weight keeps a velocity v (start:
 * 0, in a Gradients of the network's shape), and each step
 *
 *     v = momentum * v - learning_rate * dLoss/dw;   w = w + v
 *
 * so steps in a steady direction build up speed (a ball rolling downhill
 * with inertia), and steps that keep changing direction cancel out. */
void momentum_step(Network *net, Gradients *velocity, const Gradients *grads,
                   float learning_rate, float momentum)
{
    // @solution 7.2 v = momentum v - rate g; w += v, weights and biases
    for (int l = 0; l < net->n_layers; l++) {
        Affine *layer = &net->layers[l];
        Affine *v = &velocity->layers[l];
        const Affine *g = &grads->layers[l];
        size_t n_weights = (size_t)layer->n_in * layer->n_out;
        for (size_t k = 0; k < n_weights; k++) {
            v->weights[k] =
                momentum * v->weights[k] - learning_rate * g->weights[k];
            layer->weights[k] += v->weights[k];
        }
        for (int j = 0; j < layer->n_out; j++) {
            v->biases[j] =
                momentum * v->biases[j] - learning_rate * g->biases[j];
            layer->biases[j] += v->biases[j];
        }
    }
    // @end 7.2
}

// @listing trainer_init
/* Gradient buffers for `net`, and a first shuffled order of n_train
 * digits drawn with `rng`. */
int trainer_init(Trainer *trainer, const Network *net, size_t n_train, Rng rng,
                 Error *err)
{
    *trainer = (Trainer){.n = n_train, .rng = rng};
    if (gradients_init(&trainer->grads, net, err) != 0)
        return -1;
    trainer->order = malloc(n_train * sizeof *trainer->order);
    if (trainer->order == NULL) {
        trainer_free(trainer);
        return error_set(err, "out of memory for %zu indices", n_train);
    }
    for (size_t k = 0; k < n_train; k++)
        trainer->order[k] = k;
    shuffle(trainer->order, n_train, &trainer->rng);
    return 0;
}

void trainer_free(Trainer *trainer)
{
    gradients_free(&trainer->grads);
    free(trainer->order);
    *trainer = (Trainer){0};
}
// @end trainer_init

// @listing train_step
/* The next n_batch digits of the shuffled order, reshuffled when fewer
 * than n_batch are left (one pass over the data is an "epoch"): their
 * images into net->inputs, their labels into labels[n_batch]. */
void trainer_next_batch(Trainer *trainer, Network *net, uint8_t *labels,
                        const Digits *digits, int n_batch)
{
    if (trainer->next + (size_t)n_batch > trainer->n) {
        shuffle(trainer->order, trainer->n, &trainer->rng);
        trainer->next = 0;
    }
    const size_t *batch = trainer->order + trainer->next;
    trainer->next += (size_t)n_batch;
    for (int b = 0; b < n_batch; b++)
        labels[b] = digits->labels[batch[b]];
    digits_inputs(net->inputs, digits, batch, n_batch);
}

/* What a later chapter may change in a training step, each NULL for chapter
 * 7's own: the forward pass and the backward pass (chapter 9 drops neurons
 * in both), and a term added to the gradients after backward and before the
 * step (chapter 9's weight decay). `context` is handed to each (chapter 9:
 * its Regulariser). A step is written once, here; a chapter that trains
 * differently fills in a StepHooks instead of copying it. */
typedef struct {
    const float *(*forward)(void *context, Network *net, const float *x,
                            int n_batch);
    void (*backward)(void *context, Gradients *grads, const Network *net,
                     const float *x, const uint8_t *labels, int n_batch);
    void (*add_to_gradients)(void *context, Gradients *grads,
                             const Network *net);
    void *context;
} StepHooks;

StepResult train_step_hooked(Trainer *trainer, Network *net,
                             const StepHooks *hooks, const Digits *digits,
                             int n_batch, float learning_rate);

/* One iteration of mini-batch SGD:
 *
 *     next batch -> forward -> cost -> zero the gradients -> backward
 *     -> step
 *
 * Why mini-batches: the true gradient is the average over all 60000
 * digits, far too slow to compute for every step. The average over 100
 * random digits points roughly the same way at a 600th of the cost, so we
 * can take 600 rough steps for the price of one exact one. */
StepResult train_step(Trainer *trainer, Network *net, const Digits *digits,
                      int n_batch, float learning_rate)
{
    return train_step_hooked(trainer, net, NULL, digits, n_batch,
                             learning_rate);
}

/* The same step with a later chapter's hooks (NULL: none). */
StepResult train_step_hooked(Trainer *trainer, Network *net,
                             const StepHooks *hooks, const Digits *digits,
                             int n_batch, float learning_rate)
{
    static const StepHooks none = {0};
    if (hooks == NULL)
        hooks = &none;
    /* Filled by trainer_next_batch; zeroed first only so that gcc, which
     * cannot see that, does not warn that it may be used uninitialised. */
    uint8_t labels[NETWORK_MAX_BATCH] = {0};
    trainer_next_batch(trainer, net, labels, digits, n_batch);
    const float *p =
        hooks->forward
            ? hooks->forward(hooks->context, net, net->inputs, n_batch)
            : network_forward(net, net->inputs, n_batch);
    int n_classes = net->sizes[net->n_layers];
    StepResult result = {cross_entropy_loss(p, labels, n_batch, n_classes),
                         count_correct(p, labels, n_batch, n_classes)};
    gradients_zero(&trainer->grads);
    if (hooks->backward)
        hooks->backward(hooks->context, &trainer->grads, net, net->inputs,
                        labels, n_batch);
    else
        network_backward(&trainer->grads, net, net->inputs, labels, n_batch);
    if (hooks->add_to_gradients)
        hooks->add_to_gradients(hooks->context, &trainer->grads, net);
    sgd_step(net, &trainer->grads, learning_rate);
    return result;
}
// @end train_step

/* 1 if every weight and bias is a finite number. A run whose network holds
 * an infinity or a NaN has diverged: its network is never saved. */
int network_is_finite(const Network *net)
{
    for (int l = 0; l < net->n_layers; l++) {
        const Affine *layer = &net->layers[l];
        size_t n_weights = (size_t)layer->n_in * layer->n_out;
        for (size_t k = 0; k < n_weights; k++)
            if (!isfinite(layer->weights[k]))
                return 0;
        for (int j = 0; j < layer->n_out; j++)
            if (!isfinite(layer->biases[j]))
                return 0;
    }
    return 1;
}

// @listing training_setup
/* A digit network of o's sizes, for batches of o->batch, its weights drawn
 * with `seed`, and a trainer for `train` whose shuffling continues the same
 * stream of random numbers: one seed decides the whole run. */
int training_setup(Network *net, Trainer *trainer, const TrainOptions *o,
                   Init init, const Digits *train, uint64_t seed, Error *err)
{
    int sizes[NETWORK_MAX_LAYERS + 1];
    int n_sizes = digit_network_sizes(sizes, train->rows * train->cols,
                                      o->hidden, o->n_hidden);
    Rng rng;
    rng_seed(&rng, seed);
    if (network_init(net, sizes, n_sizes, (int)o->batch, err) != 0)
        return -1;
    network_randomize(net, init, &rng);
    if (trainer_init(trainer, net, train->n, rng, err) != 0) {
        network_free(net);
        return -1;
    }
    return 0;
}
// @end training_setup

/* ---- Two checks practitioners run -------------------------------------- */

// @listing overfit_one_batch
/* Exercise 7.4: overfit one batch. Train on the same n_batch digits over
 * and over. A network with thousands of weights can learn a handful of
 * digits by heart, so their cost must fall to about 0; if it does not,
 * something between the data and the step is broken (inputs never filled
 * in, a gradient with the wrong sign, a layer that never moves), and no
 * amount of training on real data will fix it. It takes a second, so it
 * is the first thing to try on a new network.
 *
 *   costs[s] = the batch's cost after s steps, s = 0 .. n_steps
 *   (costs[0]: before any step; [n_steps + 1] values, overwritten)
 *
 * Each step is chapter 7's: forward, zero the gradients, backward, step.
 *   x: [n_batch x sizes[0]]   labels: [n_batch] */
void overfit_one_batch(double *costs, Network *net, Gradients *grads,
                       const float *x, const uint8_t *labels, int n_batch,
                       float learning_rate, int n_steps)
{
    // @solution 7.4 the cost, then a step, n_steps times; then the cost
    int n_classes = net->sizes[net->n_layers];
    for (int s = 0; s <= n_steps; s++) {
        const float *p = network_forward(net, x, n_batch);
        costs[s] = cross_entropy_loss(p, labels, n_batch, n_classes);
        if (s == n_steps)
            break;
        gradients_zero(grads);
        network_backward(grads, net, x, labels, n_batch);
        sgd_step(net, grads, learning_rate);
    }
    // @end 7.4
}
// @end overfit_one_batch

// @listing learning_rate_sweep
/* Exercise 7.5: a learning-rate sweep. For each rate, train a fresh
 * network from the same seed (so the same first weights and the same
 * batches: only the rate differs) for n_iterations, and record
 *
 *   final_costs[r] = the mean batch cost of the last n_iterations / 10
 *                    iterations, or of the last one if that is 0 (one
 *                    batch is too noisy to judge by),
 *                    or INFINITY if training diverged (training_diverged),
 *                    in which case that rate's training stops there.
 *
 * Too small a rate barely moves; too large a one bounces across the
 * valley or blows up; the sweep shows where between them to train.
 * log: if not NULL, a line "rate<TAB>iteration<TAB>batch cost" for every
 * iteration, and a blank line after each rate (gnuplot's data blocks).
 * Returns 0, or -1 with err set if a network cannot be made. */
int learning_rate_sweep(double *final_costs, const double *rates, int n_rates,
                        const TrainOptions *o, const Digits *train,
                        long n_iterations, uint64_t seed, FILE *log, Error *err)
{
    // @solution 7.5 a fresh network per rate; the mean cost of the last tenth
    long window = n_iterations / 10 > 0 ? n_iterations / 10 : 1;
    for (int r = 0; r < n_rates; r++) {
        Network net;
        Trainer trainer;
        if (training_setup(&net, &trainer, o, INIT_HE, train, seed, err) != 0)
            return -1;
        double sum = 0.0;
        for (long it = 1; it <= n_iterations; it++) {
            double cost = train_step(&trainer, &net, train, (int)o->batch,
                                     (float)rates[r])
                              .loss;
            if (log != NULL)
                fprintf(log, "%g\t%ld\t%.4f\n", rates[r], it, cost);
            if (training_diverged(cost)) {
                sum = INFINITY;
                break;
            }
            if (it > n_iterations - window)
                sum += cost;
        }
        final_costs[r] = sum / (double)window;
        if (log != NULL)
            fprintf(log, "\n\n");
        trainer_free(&trainer);
        network_free(&net);
    }
    return 0;
    // @end 7.5
}
// @end learning_rate_sweep

/* ---- Several seeds ------------------------------------------------------ */

double over_seeds_mean(const OverSeeds *s)
{
    double sum = 0.0;
    for (int k = 0; k < s->n; k++)
        sum += s->values[k];
    return sum / s->n;
}

double over_seeds_min(const OverSeeds *s)
{
    double min = s->values[0];
    for (int k = 1; k < s->n; k++)
        min = fmin(min, s->values[k]);
    return min;
}

double over_seeds_max(const OverSeeds *s)
{
    double max = s->values[0];
    for (int k = 1; k < s->n; k++)
        max = fmax(max, s->values[k]);
    return max;
}

static void over_seeds_cell(FILE *out, const OverSeeds *column, double value)
{
    fprintf(out, " %*.*f%s", 11 - (int)strlen(column->unit), column->decimals,
            value, column->unit);
}

/* A table with a row for each seed, then the mean, the smallest and the
 * largest of each column. All columns hold results of the same seeds,
 * seeds[0 .. n - 1]. */
void over_seeds_table(FILE *out, const OverSeeds *columns, int n_columns,
                      const long *seeds)
{
    fprintf(out, "%7s", "seed");
    for (int c = 0; c < n_columns; c++)
        fprintf(out, " %11s", columns[c].title);
    fprintf(out, "\n");
    for (int k = 0; k < columns[0].n; k++) {
        fprintf(out, "%7ld", seeds[k]);
        for (int c = 0; c < n_columns; c++)
            over_seeds_cell(out, &columns[c], columns[c].values[k]);
        fprintf(out, "\n");
    }
    double (*summary[3])(const OverSeeds *) = {over_seeds_mean, over_seeds_min,
                                               over_seeds_max};
    const char *names[3] = {"mean", "min", "max"};
    for (int r = 0; r < 3; r++) {
        fprintf(out, "%7s", names[r]);
        for (int c = 0; c < n_columns; c++)
            over_seeds_cell(out, &columns[c], summary[r](&columns[c]));
        fprintf(out, "\n");
    }
}

/* key_1 .. key_n (the n seeds in order), key_mean, key_min and key_max, a
 * line each, for the book's {{values}} and the tests of its claims. */
void over_seeds_write(FILE *out, const char *key, const OverSeeds *s)
{
    for (int k = 0; k < s->n; k++)
        fprintf(out, "%s_%d %.*f\n", key, k + 1, s->decimals, s->values[k]);
    fprintf(out, "%s_mean %.*f\n%s_min %.*f\n%s_max %.*f\n", key, s->decimals,
            over_seeds_mean(s), key, s->decimals, over_seeds_min(s), key,
            s->decimals, over_seeds_max(s));
}

/* ---- The demo ----------------------------------------------------------- */
#ifndef CH07_NO_MAIN

#include "sgd_runs.h" /* its options, and its five runs (plumbing) */

int main(int argc, char **argv)
{
    cli_init(argc, argv);
    Options o = parse_options(argc, argv);
    Digits train, test;
    Error err;
    if (outputs_open_early(&o, &err) != 0 ||
        mnist_load(&train, &test, o.train.data_dir, &err) != 0)
        fail_with(&err);
    int status = 0;
    if (o.load != NULL) {
        status = test_saved(&o, &test, &err);
    } else if ((size_t)o.train.batch > train.n) {
        status = usage_set(&err,
                           "--batch %ld is more than the %zu training "
                           "digits",
                           o.train.batch, train.n);
    } else if ((size_t)o.overfit > train.n) {
        status = usage_set(&err,
                           "--overfit %ld is more than the %zu training "
                           "digits",
                           o.overfit, train.n);
    } else if (o.overfit > 0) {
        status = overfit_demo(&o, &train, &err);
    } else if (o.n_rates > 0) {
        status = sweep_demo(&o, &train, &err);
    } else if (o.train.n_seeds > 0) {
        status = seeds_run(&o, &train, &test, &err);
    } else {
        status = single_run(&o, &train, &test, &err);
    }
    digits_free(&train);
    digits_free(&test);
    if (status != 0 || outputs_commit(&err) != 0)
        fail_with(&err);
    return 0;
}

#endif /* CH07_NO_MAIN */
#endif /* CH07_SGD_C */
