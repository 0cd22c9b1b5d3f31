/* Chapter 7: mini-batch stochastic gradient descent. The network learns.
 *
 *   cc -std=c11 -O3 code/07_sgd.c -lm -o bin/07_sgd
 *   bin/07_sgd                    1000 iterations of 100 digits each
 *   bin/07_sgd --save net.bin     ... and keep the trained network
 *   bin/07_sgd --load net.bin     test a saved network
 *
 * Adds: shuffling, sgd_step, the training loop, and saving and loading a
 * trained network.
 */
#ifndef CH07_SGD_C
#define CH07_SGD_C

#define CH06_NO_MAIN /* reuse chapter 6's code, not its demo */
#include "06_backprop.c"

#include <unistd.h> /* isatty */

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

#define DIVERGED_COST 20.0 /* see training_diverged */
#define STALLED_WITHIN 0.1 /* see training_stalled */
// @end trainer_type
#define MODEL_MAGIC   "MNISTNET"
#define MODEL_VERSION 1u

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
int network_write(const Network *net, FILE *out, const char *path, Error *err);
int network_save(const Network *net, const char *path, Error *err);
int network_load(Network *net, const char *path, int max_batch, Error *err);
void save_clash_check(const char *save, const char *out_dir);
int network_outputs_check(const Network *net, const char *model, int n_batch,
                          Error *err);
int network_check_data(Network *net, const char *model, const Digits *digits,
                       Error *err);

#define MAX_SEEDS 20

// @listing train_options
/* Command-line plumbing shared by the training programs of chapters 7 to 9
 * (not a lesson): the options they all take, parsed in one place. */
typedef struct {
    long batch, seed;
    long seeds[MAX_SEEDS]; /* --seeds: train once with each of these */
    int n_seeds;           /* how many (0: just --seed) */
    double learning_rate;
    int hidden[NETWORK_MAX_LAYERS - 1], n_hidden;
    const char *data_dir, *out_dir;
} TrainOptions;
// @end train_options

TrainOptions train_options_default(void);
void hidden_write(FILE *out, const TrainOptions *o);
int training_setup(Network *net, Trainer *trainer, const TrainOptions *o,
                   Init init, const Digits *train, uint64_t seed, Error *err);
void overfit_one_batch(double *costs, Network *net, Gradients *grads,
                       const float *x, const uint8_t *labels, int n_batch,
                       float learning_rate, int n_steps);
int learning_rate_sweep(double *final_costs, const double *rates, int n_rates,
                        const TrainOptions *o, const Digits *train,
                        long n_iterations, uint64_t seed, FILE *log,
                        Error *err);

/* ---- Several seeds ------------------------------------------------------ */

/* The option table entries (common.h) of the options every training
 * program takes, read into TrainOptions `t`. */
// clang-format off
#define TRAIN_OPTIONS(t)                                                      \
    {"--batch", "N", OPTION_WHOLE, &(t)->batch, 1, NETWORK_MAX_BATCH,         \
     .help = "digits per step (default 100, at most 1000)"},                  \
    {"--lr", "X", OPTION_POSITIVE, &(t)->learning_rate,                       \
     .help = "learning rate (default 0.3)"},                                  \
    {"--hidden", "LIST", OPTION_SIZES, (t)->hidden, 0,                        \
     NETWORK_MAX_LAYERS - 1, .count = &(t)->n_hidden,                         \
     .help = "hidden layer sizes (default 128,64), or none"},                 \
    {"--seed", "N", OPTION_WHOLE, &(t)->seed, 0, LONG_MAX,                    \
     .help = "seed of every random choice: weights, shuffling, ...\n"         \
             "(default 1)"},                                                  \
    {"--seeds", "N|LIST", OPTION_SEEDS, (t)->seeds, 1, MAX_SEEDS,             \
     .count = &(t)->n_seeds,                                                  \
     .help = "train once with each seed from 1 to N (or of a list,\n"         \
             "such as 11,12,13), and show how much the results vary\n"        \
             "(at most 20 seeds)"},                                           \
    OPTION_DATA(&(t)->data_dir), OPTION_OUT(&(t)->out_dir)
// clang-format on

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

int diverged_error(Error *err, long iteration, double loss,
                   double learning_rate);
int stalled_error(Error *err, long n_iterations, double recent_loss,
                  double learning_rate);
int not_finite_error(Error *err, double learning_rate);
double over_seeds_mean(const OverSeeds *s);
double over_seeds_min(const OverSeeds *s);
double over_seeds_max(const OverSeeds *s);
void over_seeds_table(FILE *out, const OverSeeds *columns, int n_columns,
                      const long *seeds);
void over_seeds_write(FILE *out, const char *key, const OverSeeds *s);
void seeds_describe(FILE *out, const TrainOptions *o);
void seeds_write(FILE *values, const TrainOptions *o);

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

/* The message for a run that diverged at `iteration`; returns -1. */
int diverged_error(Error *err, long iteration, double loss,
                   double learning_rate)
{
    return error_set(err,
                     "training diverged at iteration %ld (batch cost %g): "
                     "the learning rate %g is too large; try a smaller "
                     "--lr, such as %g",
                     iteration, loss, learning_rate, learning_rate / 10);
}

/* The message for a run whose cost stayed at chance (training_stalled);
 * returns -1. */
int stalled_error(Error *err, long n_iterations, double recent_loss,
                  double learning_rate)
{
    return error_set(err,
                     "training stalled: after %ld iterations the batch cost "
                     "is still %.4f, about ln 10 = %.4f, the cost of a "
                     "network that ignores its input (every ReLU of a layer "
                     "switched off?); try a smaller --lr, such as %.2g",
                     n_iterations, recent_loss, log(10.0), learning_rate / 3);
}

/* The message for a run whose network holds a number that is not finite
 * (a weight that only ever meets inputs of 0 can grow to infinity while
 * every batch cost looks fine): it diverged, and is not kept. */
int not_finite_error(Error *err, double learning_rate)
{
    return error_set(err,
                     "training diverged: the network holds a number that is "
                     "not finite; try a smaller --lr, such as %g",
                     learning_rate / 10);
}

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

/* ---- Saving and loading a trained network -------------------------------- */

/* The file format, every number little-endian:
 *
 *   "MNISTNET"                   8 bytes, the magic
 *   version                      uint32, 1
 *   n_layers                     uint32, 1 to NETWORK_MAX_LAYERS
 *   sizes[0 .. n_layers]         uint32 each
 *   for each layer: weights      float32 [sizes[l] x sizes[l+1]], row-major
 *                   biases       float32 [sizes[l+1]]
 *
 * Little-endian is written and read byte by byte (as chapter 1 read IDX's
 * big-endian sizes), so the file is the same on every machine. */
static void write_le32(FILE *out, uint32_t value)
{
    for (int k = 0; k < 4; k++)
        fputc((int)(value >> (8 * k) & 0xFF), out);
}

static uint32_t read_le32(const uint8_t *bytes)
{
    return (uint32_t)bytes[0] | (uint32_t)bytes[1] << 8 |
           (uint32_t)bytes[2] << 16 | (uint32_t)bytes[3] << 24;
}

/* A float's 32 bits, as an integer with the same bits (memcpy is the
 * portable way to reinterpret them). */
static void write_floats(FILE *out, const float *values, size_t n)
{
    for (size_t k = 0; k < n; k++) {
        uint32_t bits;
        memcpy(&bits, &values[k], sizeof bits);
        write_le32(out, bits);
    }
}

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

/* Write `net` to `out` (from output_open_file(path, ...)) and close it. */
int network_write(const Network *net, FILE *out, const char *path, Error *err)
{
    fwrite(MODEL_MAGIC, 1, 8, out);
    write_le32(out, MODEL_VERSION);
    write_le32(out, (uint32_t)net->n_layers);
    for (int s = 0; s <= net->n_layers; s++)
        write_le32(out, (uint32_t)net->sizes[s]);
    for (int l = 0; l < net->n_layers; l++) {
        const Affine *layer = &net->layers[l];
        write_floats(out, layer->weights, (size_t)layer->n_in * layer->n_out);
        write_floats(out, layer->biases, (size_t)layer->n_out);
    }
    return output_close(out, NULL, path, err);
}

/* Save `net` to `path`: written to a temporary file, then renamed over
 * `path`, so that a failed save leaves the previous file as it was. A
 * program that opened `path` before training (output_open_file) has it
 * renamed with its other outputs, by outputs_commit at the end of the run;
 * otherwise it is renamed at once. */
int network_save(const Network *net, const char *path, Error *err)
{
    FILE *out = output_reserved(path);
    if (out != NULL)
        return network_write(net, out, path, err);
    out = output_open_file(path, err);
    if (out == NULL)
        return -1;
    if (network_write(net, out, path, err) != 0) {
        outputs_discard();
        return -1;
    }
    return outputs_commit(err);
}

/* A model file's header: the magic, the version, the number of layers and
 * their sizes. Reads it from `file` and checks it; returns the number of
 * bytes the whole file must have, or 0 with err set. */
static size_t model_header_read(int sizes[NETWORK_MAX_LAYERS + 1],
                                int *n_layers, FILE *file, const char *path,
                                Error *err)
{
    uint8_t bytes[16 + 4 * (NETWORK_MAX_LAYERS + 1)];
    if (fread(bytes, 1, 16, file) != 16 || memcmp(bytes, MODEL_MAGIC, 8) != 0) {
        error_set(err, "%s: not a network file (no '%s' at its start)", path,
                  MODEL_MAGIC);
        return 0;
    }
    uint32_t version = read_le32(bytes + 8), layers = read_le32(bytes + 12);
    if (version != MODEL_VERSION) {
        error_set(err, "%s: format version %lu, this program reads %u", path,
                  (unsigned long)version, MODEL_VERSION);
        return 0;
    }
    if (layers < 1 || layers > NETWORK_MAX_LAYERS) {
        error_set(err, "%s: %lu layers, expected 1 to %d", path,
                  (unsigned long)layers, NETWORK_MAX_LAYERS);
        return 0;
    }
    if (fread(bytes + 16, 4, layers + 1, file) != layers + 1) {
        error_set(err, "%s: truncated in its header", path);
        return 0;
    }
    size_t n_floats = 0;
    for (uint32_t s = 0; s <= layers; s++) {
        uint32_t value = read_le32(bytes + 16 + 4 * s);
        if (value < 1 || value > (s == 0 ? 1u << 20 : 4096u)) {
            error_set(err, "%s: layer size %lu out of range", path,
                      (unsigned long)value);
            return 0;
        }
        sizes[s] = (int)value;
        if (s > 0)
            n_floats += (size_t)sizes[s - 1] * sizes[s] + sizes[s];
    }
    *n_layers = (int)layers;
    return 16 + 4 * ((size_t)layers + 1) + 4 * n_floats;
}

/* Read n little-endian floats from `file` into values (each one's 4 bytes
 * land in its place, then become its value). Returns 0; -1 if the file
 * ended first; 1 if a number is not finite. */
static int read_floats(float *values, size_t n, FILE *file)
{
    if (fread(values, 4, n, file) != n)
        return -1;
    int finite = 1;
    for (size_t k = 0; k < n; k++) {
        uint32_t bits = read_le32((const uint8_t *)&values[k]);
        memcpy(&values[k], &bits, sizeof bits);
        finite &= isfinite(values[k]) != 0;
    }
    return finite ? 0 : 1;
}

/* Load a network saved by network_save, with buffers for batches of up to
 * max_batch. Like idx_load, it reads and checks the header first, and
 * compares the length it implies with the file's real length before it
 * allocates or reads anything more; it refuses a file of another version or
 * with numbers that are not finite. */
int network_load(Network *net, const char *path, int max_batch, Error *err)
{
    *net = (Network){0};
    size_t size;
    FILE *file = input_open(path, &size, err);
    if (file == NULL)
        return -1;
    int sizes[NETWORK_MAX_LAYERS + 1], n_layers = 0;
    size_t expected = model_header_read(sizes, &n_layers, file, path, err);
    int status = expected == 0 ? -1 : 0;
    if (status == 0 && size != expected)
        status = error_set(err,
                           "%s: %zu bytes, but its sizes need %zu: "
                           "truncated or not this network",
                           path, size, expected);
    if (status == 0)
        status = network_init(net, sizes, n_layers + 1, max_batch, err);
    for (int l = 0; l < net->n_layers && status == 0; l++) {
        Affine *layer = &net->layers[l];
        int got = read_floats(layer->weights,
                              (size_t)layer->n_in * layer->n_out, file);
        if (got == 0)
            got = read_floats(layer->biases, (size_t)layer->n_out, file);
        if (got < 0)
            status = error_set(err, "%s: read failed", path);
        else if (got > 0)
            status = error_set(err,
                               "%s: layer %d holds a number that is not "
                               "finite",
                               path, l + 1);
    }
    if (status != 0)
        network_free(net);
    fclose(file);
    return status;
}

/* A usage error if --save FILE is one of the files that --out DIR writes
 * (both would go into the same file, and one of them would be lost). */
void save_clash_check(const char *save, const char *out_dir)
{
    static const char *const written[] = {"values.txt", "train.tsv",
                                          "test.tsv",   "curves.tsv",
                                          "seeds.tsv",  "sweep.tsv"};
    for (size_t k = 0; save != NULL && out_dir != NULL &&
                       k < sizeof written / sizeof written[0];
         k++)
        if (path_is(save, out_dir, written[k]))
            usage_error("--save %s is the %s that --out %s writes: save the "
                        "network somewhere else",
                        save, written[k], out_dir);
}

/* Does `net` (loaded from `model`) read the images of `digits` into 10
 * digits? And are its outputs numbers? Finite weights can still be so large
 * that the sums overflow to infinity, and softmax turns those into NaN: such
 * a network's answers must not be reported as if they meant something.
 * Returns 0, or -1 with err saying what is wrong. */
int network_check_data(Network *net, const char *model, const Digits *digits,
                       Error *err)
{
    int n_pixels = digits->rows * digits->cols;
    if (net->sizes[0] != n_pixels || net->sizes[net->n_layers] != 10)
        return error_set(err,
                         "%s: a network for %d inputs and %d classes, but the "
                         "data has %d pixels (%d x %d) and 10 digits",
                         model, net->sizes[0], net->sizes[net->n_layers],
                         n_pixels, digits->rows, digits->cols);
    int n = digits->n > 0 ? forward_slice(net, digits, 0) : 0;
    return network_outputs_check(net, model, n, err);
}

/* The probabilities of the last forward pass (n_batch digits) must be
 * numbers; returns 0, or -1 with err set. */
int network_outputs_check(const Network *net, const char *model, int n_batch,
                          Error *err)
{
    int n_classes = net->sizes[net->n_layers];
    const float *p = net->outputs[net->n_layers - 1];
    for (size_t k = 0; k < (size_t)n_batch * n_classes; k++)
        if (!isfinite(p[k]))
            return error_set(err,
                             "%s: the network's outputs are not numbers "
                             "(%g): its weights are too large for float "
                             "arithmetic",
                             model, (double)p[k]);
    return 0;
}

/* ---- Options every training program takes ------------------------------- */

TrainOptions train_options_default(void)
{
    return (TrainOptions){.batch = 100,
                          .seed = 1,
                          .learning_rate = 0.3,
                          .hidden = {128, 64},
                          .n_hidden = 2,
                          .data_dir = "data/mnist"};
}

/* The hidden sizes as --hidden takes them: "128,64", or "none". */
void hidden_write(FILE *out, const TrainOptions *o)
{
    if (o->n_hidden == 0)
        fprintf(out, "none");
    for (int h = 0; h < o->n_hidden; h++)
        fprintf(out, "%s%d", h ? "," : "", o->hidden[h]);
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

/* "each seed from 1 to 5", or "each of the seeds 11, 12, 13". */
void seeds_describe(FILE *out, const TrainOptions *o)
{
    int in_order = 1;
    for (int k = 0; k < o->n_seeds; k++)
        in_order = in_order && o->seeds[k] == k + 1;
    if (in_order) {
        fprintf(out, "each seed from 1 to %d", o->n_seeds);
        return;
    }
    fprintf(out, "each of the seeds ");
    for (int k = 0; k < o->n_seeds; k++)
        fprintf(out, "%s%ld", k == 0 ? "" : ", ", o->seeds[k]);
}

/* The seeds of a --seeds run, for values.txt: how many, and which (the
 * k-th seed's results are key_k). */
void seeds_write(FILE *values, const TrainOptions *o)
{
    fprintf(values, "seeds %d\nseed_list ", o->n_seeds);
    for (int k = 0; k < o->n_seeds; k++)
        fprintf(values, "%s%ld", k == 0 ? "" : ",", o->seeds[k]);
    fprintf(values, "\n");
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

enum { MAX_RATES = 8 }; /* rates in --lr-sweep's list, at most */

typedef struct {
    TrainOptions train;
    long iterations, eval_every, overfit;
    double lr_end; /* < 0: a constant learning rate */
    int init;      /* an Init */
    const char *save, *load;
    double rates[MAX_RATES]; /* --lr-sweep */
    int n_rates;
} Options;

static Options parse_options(int argc, char **argv)
{
    Options o = {.iterations = 1000,
                 .eval_every = 100,
                 .lr_end = -1,
                 .init = INIT_HE,
                 .train = train_options_default()};
    const Option options[] = {
        {"--iterations", "N", OPTION_WHOLE, &o.iterations, 1, 100000000,
         .help = "training steps (default 1000)"},
        {"--lr-end", "X", OPTION_POSITIVE, &o.lr_end,
         .help = "let the learning rate fall linearly from --lr to\n"
                 "X over the run (default: constant)"},
        {"--init", "NAME", OPTION_CHOICE, &o.init, .choices = "small|he",
         .help = "he (default) or small"},
        {"--eval-every", "N", OPTION_WHOLE, &o.eval_every, 1, LONG_MAX,
         .help = "test the network every N steps (default 100)"},
        {"--save", "FILE", OPTION_TEXT, &o.save,
         .help = "write the trained network to FILE"},
        {"--load", "FILE", OPTION_TEXT, &o.load,
         .help = "do not train: test the network saved in FILE"},
        {"--overfit", "N", OPTION_WHOLE, &o.overfit, 1, NETWORK_MAX_BATCH,
         .help = "do not train on all the digits: train on the first\n"
                 "N (1 to 1000) over and over, for --iterations steps,\n"
                 "and show their cost fall (exercise 7.4)"},
        {"--lr-sweep", "LIST", OPTION_NUMBERS, o.rates, 1, MAX_RATES,
         .count = &o.n_rates,
         .help = "train a fresh network with each learning rate of\n"
                 "LIST (such as 0.01,0.3,3; at most 8), for\n"
                 "--iterations steps each, and show the final cost\n"
                 "of each (exercise 7.5)"},
        TRAIN_OPTIONS(&o.train),
    };
    options_parse(options, OPTIONS_COUNT(options),
                  "Train a network with mini-batch SGD and test it.", argc,
                  argv);
    if (o.train.n_seeds > 0 && (o.save != NULL || o.load != NULL))
        usage_error("--seeds trains several networks: it cannot be combined "
                    "with --save or --load");
    if ((o.overfit > 0) + (o.n_rates > 0) + (o.load != NULL) > 1)
        usage_error("--overfit, --lr-sweep and --load each replace the "
                    "training: give at most one of them");
    if ((o.overfit > 0 || o.n_rates > 0) && o.save != NULL)
        usage_error("--save keeps a network trained on all the digits: it "
                    "cannot be combined with --overfit or --lr-sweep");
    if (o.load != NULL && (o.save != NULL || o.train.out_dir != NULL))
        usage_error("--load only tests a saved network: it cannot be combined "
                    "with --save or --out");
    if ((o.overfit > 0 || o.n_rates > 0) && o.lr_end >= 0)
        usage_error("--overfit and --lr-sweep train at a constant rate: they "
                    "cannot be combined with --lr-end");
    save_clash_check(o.save, o.train.out_dir);
    return o;
}

/* The learning rate for iteration `it` (1 .. iterations). */
static double learning_rate(const Options *o, long it)
{
    return learning_rate_at(o->train.learning_rate, o->lr_end, it - 1,
                            o->iterations - 1);
}

/* --load FILE: the saved network's cost and accuracy on the test set. */
static int test_saved(const Options *o, const Digits *test, Error *err)
{
    Network net;
    if (network_load(&net, o->load, EVALUATE_BATCH, err) != 0)
        return -1;
    int status = network_check_data(&net, o->load, test, err);
    if (status == 0) {
        Score on_test = network_evaluate(&net, test);
        printf("Loaded %s: ", o->load);
        network_print_sizes(stdout, &net);
        printf("\ntest cost: %.4f\ntest accuracy: %.2f%%\n", on_test.loss,
               100.0 * on_test.accuracy);
    }
    network_free(&net);
    return status;
}

/* Iteration `it` of training; a run that diverged stops the program. */
static StepResult step_or_stop(const Options *o, Trainer *trainer, Network *net,
                               const Digits *train, long it)
{
    StepResult step = train_step(trainer, net, train, (int)o->train.batch,
                                 (float)learning_rate(o, it));
    if (training_diverged(step.loss)) {
        Error err;
        diverged_error(&err, it, step.loss, o->train.learning_rate);
        fflush(stdout); /* what was printed so far, then the error */
        fail_with(&err);
    }
    return step;
}

/* A run of at least 100 iterations whose last tenth's batch costs sum to
 * `recent` and that stalled at chance stops the program, as a diverged
 * one does. */
static void stop_if_stalled(const Options *o, double recent)
{
    double mean = recent / (double)recent_window(o->iterations);
    if (o->iterations < 100 || !training_stalled(mean, 10))
        return;
    Error err;
    stalled_error(&err, o->iterations, mean, o->train.learning_rate);
    fflush(stdout);
    fail_with(&err);
}

static void print_header(const Options *o, const Network *net)
{
    printf("Training ");
    network_print_sizes(stdout, net);
    printf(" (--init %s, --seed %ld) with mini-batch SGD:\n"
           "%ld iterations of %ld digits, learning rate %g",
           o->init == INIT_HE ? "he" : "small", o->train.seed, o->iterations,
           o->train.batch, o->train.learning_rate);
    if (o->lr_end >= 0)
        printf(" falling to %g", o->lr_end);
    printf(".\n\n");
    printf("%10s %12s %12s %12s %14s\n", "iteration", "batch cost",
           "batch acc.", "test cost", "test accuracy");
}

/* The batches' cost and accuracy since the last report. */
typedef struct {
    double loss, correct;
    long n;
} Window;

/* Train for o->iterations, printing the table the book shows: every
 * eval_every iterations the recent batches' average and the whole test
 * set's cost and accuracy (logged to train_log and test_log, if not NULL).
 * Returns the last test score; *best becomes the best test accuracy seen. */
static Score train_and_report(const Options *o, Network *net, Trainer *trainer,
                              const Digits *train, const Digits *test,
                              FILE *train_log, FILE *test_log, double *best)
{
    /* A live progress line on a terminal (on stderr, so that it never mixes
     * with results piped from stdout). */
    int live = isatty(STDERR_FILENO);
    double start = seconds_now();
    Score on_test = {0, 0};
    Window window = {0, 0, 0};
    double recent = 0.0; /* the batch costs of the last tenth */
    for (long it = 1; it <= o->iterations; it++) {
        StepResult step = step_or_stop(o, trainer, net, train, it);
        if (it > o->iterations - recent_window(o->iterations))
            recent += step.loss;
        window.loss += step.loss;
        window.correct += step.correct;
        window.n++;
        if (train_log)
            fprintf(train_log, "%ld\t%.4f\t%.4f\n", it, step.loss,
                    (double)step.correct / (double)o->train.batch);
        if (live && (it % 10 == 0 || it == o->iterations))
            fprintf(stderr, "\r  iteration %ld/%ld  cost %.3f  %.0f it/s  ", it,
                    o->iterations, step.loss,
                    (double)it / (seconds_now() - start));
        if (it % o->eval_every == 0 || it == o->iterations) {
            on_test = network_evaluate(net, test);
            *best = fmax(*best, on_test.accuracy);
            if (live)
                fprintf(stderr, "\r%60s\r", "");
            /* The batch columns average the iterations since the last
             * line: a single batch of 100 is a noisy measurement. */
            printf("%10ld %12.4f %11.2f%% %12.4f %13.2f%%\n", it,
                   window.loss / (double)window.n,
                   100.0 * window.correct / (double)(window.n * o->train.batch),
                   on_test.loss, 100.0 * on_test.accuracy);
            fflush(stdout);
            if (test_log)
                fprintf(test_log, "%ld\t%.4f\t%.4f\n", it, on_test.loss,
                        on_test.accuracy);
            window = (Window){0, 0, 0};
        }
    }
    double seconds = seconds_now() - start;
    stop_if_stalled(o, recent);
    printf("\ntest accuracy: %.2f%%\n", 100.0 * on_test.accuracy);
    fprintf(stderr, "%s: trained in %.2f s, %.3f ms per iteration\n",
            program_name, seconds, 1000.0 * seconds / (double)o->iterations);
    return on_test;
}

static void write_settings(FILE *values, const Options *o, const Digits *train)
{
    fprintf(values, "iterations %ld\nbatch %ld\nlr %g\nepochs %.2f\n",
            o->iterations, o->train.batch, o->train.learning_rate,
            (double)(o->iterations * o->train.batch) / (double)train->n);
    fprintf(values, "hidden ");
    hidden_write(values, &o->train);
    int sizes[NETWORK_MAX_LAYERS + 1];
    int n_sizes = digit_network_sizes(sizes, train->rows * train->cols,
                                      o->train.hidden, o->train.n_hidden);
    long n_params = 0;
    for (int s = 1; s < n_sizes; s++)
        n_params += (long)sizes[s - 1] * sizes[s] + sizes[s];
    fprintf(values, "\nn_params %ld\n", n_params);
}

static int write_values(const Options *o, const Digits *train, Score untrained,
                        Score on_test, double best, Error *err)
{
    FILE *values = output_open(o->train.out_dir, "values.txt", err);
    if (values == NULL)
        return -1;
    fprintf(values, "test_accuracy %.2f\ntest_loss %.4f\n",
            100.0 * on_test.accuracy, on_test.loss);
    fprintf(values, "best_test_accuracy %.2f\n", 100.0 * best);
    fprintf(values, "untrained_accuracy %.2f\nuntrained_loss %.4f\n",
            100.0 * untrained.accuracy, untrained.loss);
    write_settings(values, o, train);
    fprintf(values, "headline test accuracy %.2f%% after %ld iterations\n",
            100.0 * on_test.accuracy, o->iterations);
    return output_close(values, o->train.out_dir, "values.txt", err);
}

/* The run the book shows: train with --seed, report as it goes, then
 * save the network and write the logs and values if asked. */
static int single_run(const Options *o, const Digits *train, const Digits *test,
                      Error *err)
{
    Network net;
    Trainer trainer;
    if (training_setup(&net, &trainer, &o->train, (Init)o->init, train,
                       (uint64_t)o->train.seed, err) != 0)
        return -1;
    FILE *train_log = NULL, *test_log = NULL;
    if (o->train.out_dir != NULL) {
        train_log = output_open(o->train.out_dir, "train.tsv", err);
        test_log =
            train_log ? output_open(o->train.out_dir, "test.tsv", err) : NULL;
        if (test_log == NULL)
            fail_with(err);
        fprintf(train_log, "# iteration\tbatch_cost\tbatch_accuracy\n");
        fprintf(test_log, "# iteration\ttest_cost\ttest_accuracy\n");
    }
    Score untrained = {0, 0};
    if (test_log != NULL) { /* iteration 0 too, for the figure */
        untrained = network_evaluate(&net, test);
        fprintf(test_log, "0\t%.4f\t%.4f\n", untrained.loss,
                untrained.accuracy);
    }
    print_header(o, &net);
    double best = 0.0;
    Score on_test = train_and_report(o, &net, &trainer, train, test, train_log,
                                     test_log, &best);
    int status = network_is_finite(&net)
                     ? 0
                     : not_finite_error(err, o->train.learning_rate);
    if (status == 0 && o->save != NULL && network_save(&net, o->save, err) != 0)
        status = -1;
    if (status == 0 && o->save != NULL)
        printf("saved the network to %s\n", o->save);
    if (status == 0 && o->train.out_dir != NULL) {
        status = output_close(train_log, o->train.out_dir, "train.tsv", err);
        if (status == 0)
            status = output_close(test_log, o->train.out_dir, "test.tsv", err);
        if (status == 0)
            status = write_values(o, train, untrained, on_test, best, err);
    }
    trainer_free(&trainer);
    network_free(&net);
    return status;
}

/* --seeds N: the same training once with each seed from 1 to N, tested
 * only at the end; a row per seed, then the mean and the range. */
static int seeds_run(const Options *o, const Digits *train, const Digits *test,
                     Error *err)
{
    OverSeeds columns[2] = {{.title = "test cost", .decimals = 4, .unit = ""},
                            {.title = "test acc.", .decimals = 2, .unit = "%"}};
    for (int k = 0; k < o->train.n_seeds; k++) {
        Network net;
        Trainer trainer;
        if (training_setup(&net, &trainer, &o->train, (Init)o->init, train,
                           (uint64_t)o->train.seeds[k], err) != 0)
            return -1;
        if (k == 0) {
            printf("Training ");
            network_print_sizes(stdout, &net);
            printf(" (--init %s) with mini-batch SGD:\n%ld iterations of "
                   "%ld digits, learning rate %g",
                   o->init == INIT_HE ? "he" : "small", o->iterations,
                   o->train.batch, o->train.learning_rate);
            if (o->lr_end >= 0)
                printf(" falling to %g", o->lr_end);
            printf(";\nonce with ");
            seeds_describe(stdout, &o->train);
            printf(".\n\n");
        }
        double recent = 0.0;
        for (long it = 1; it <= o->iterations; it++) {
            double loss = step_or_stop(o, &trainer, &net, train, it).loss;
            if (it > o->iterations - recent_window(o->iterations))
                recent += loss;
        }
        stop_if_stalled(o, recent);
        Score on_test = network_evaluate(&net, test);
        columns[0].values[columns[0].n++] = on_test.loss;
        columns[1].values[columns[1].n++] = 100.0 * on_test.accuracy;
        trainer_free(&trainer);
        network_free(&net);
    }
    over_seeds_table(stdout, columns, 2, o->train.seeds);
    if (o->train.out_dir == NULL)
        return 0;
    FILE *values = output_open(o->train.out_dir, "values.txt", err);
    if (values == NULL)
        return -1;
    over_seeds_write(values, "test_loss", &columns[0]);
    over_seeds_write(values, "test_accuracy", &columns[1]);
    write_settings(values, o, train);
    seeds_write(values, &o->train);
    fprintf(values, "headline test accuracy %.2f%% to %.2f%% over %d seeds\n",
            over_seeds_min(&columns[1]), over_seeds_max(&columns[1]),
            o->train.n_seeds);
    return output_close(values, o->train.out_dir, "values.txt", err);
}

/* Open the run's output files now, before any training (as temporary
 * files: outputs_commit puts them in place at the end), so that a folder or
 * file that cannot be written stops the run at once. */
static int outputs_open_early(const Options *o, Error *err)
{
    static const char *const names[3] = {"values.txt", "train.tsv", "test.tsv"};
    static const char *const sweep[2] = {"values.txt", "sweep.tsv"};
    if (o->load != NULL)
        return 0;
    if (o->save != NULL && output_open_file(o->save, err) == NULL)
        return -1;
    if (o->n_rates > 0 && o->train.out_dir != NULL) /* --lr-sweep */
        return outputs_open(o->train.out_dir, sweep, 2, err);
    int n_files = o->train.n_seeds > 0 || o->overfit > 0 ? 1 : 3;
    return o->train.out_dir == NULL
               ? 0
               : outputs_open(o->train.out_dir, names, n_files, err);
}

/* Seeing nothing, a network can only give every digit the same
 * probabilities; the best it can do is to use how often each label occurs,
 * which costs the labels' entropy, - sum of f ln f over the frequencies f. */
static double labels_entropy(const uint8_t *labels, int n)
{
    long counts[10] = {0};
    for (int b = 0; b < n; b++)
        counts[labels[b]]++;
    double entropy = 0.0;
    for (int d = 0; d < 10; d++)
        if (counts[d] > 0)
            entropy -= (double)counts[d] / n * log((double)counts[d] / n);
    return entropy;
}

/* The two runs side by side at steps 0, 1, 2, 5, 10, 20, 50, ... and the
 * last. */
static void overfit_print(const double *costs, const double *blank, long steps)
{
    printf("%10s %14s %22s\n", "steps", "correct code",
           "inputs left at 0 (bug)");
    for (long s = 0;;) {
        printf("%10ld %14.4f %22.4f\n", s, costs[s], blank[s]);
        if (s == steps)
            break;
        long decade = 1;
        while (decade * 10 <= s)
            decade *= 10;
        long next = s == 0            ? 1
                    : s / decade == 1 ? 2 * decade
                    : s / decade == 2 ? 5 * decade
                                      : 10 * decade;
        s = next < steps ? next : steps;
    }
}

/* --overfit N: exercise 7.4 on the first N training digits, and the same
 * with the inputs left at 0 (a classic bug: the images never reach the
 * network), printed side by side. */
static int overfit_demo(const Options *o, const Digits *train, Error *err)
{
    int n = (int)o->overfit;
    long steps = o->iterations;
    double *costs = malloc(2 * (size_t)(steps + 1) * sizeof *costs);
    if (costs == NULL)
        return error_set(err, "out of memory for %ld costs", steps);
    double *blank = costs + steps + 1;
    size_t first[NETWORK_MAX_BATCH];
    for (int b = 0; b < n; b++)
        first[b] = (size_t)b;
    TrainOptions sized = o->train;
    sized.batch = n;
    for (int bug = 0; bug < 2; bug++) {
        Network net;
        Trainer trainer;
        if (training_setup(&net, &trainer, &sized, (Init)o->init, train,
                           (uint64_t)o->train.seed, err) != 0) {
            free(costs);
            return -1;
        }
        if (bug)
            memset(net.inputs, 0, (size_t)n * net.sizes[0] * sizeof(float));
        else
            digits_inputs(net.inputs, train, first, n);
        if (!bug) {
            printf("Overfitting one batch: ");
            network_print_sizes(stdout, &net);
            printf(" (--seed %ld), trained on\nthe first %d training "
                   "digits (images 0 to %d) only, over and over, at\n"
                   "learning rate %g. The batch's cost:\n\n",
                   o->train.seed, n, n - 1, o->train.learning_rate);
        }
        overfit_one_batch(bug ? blank : costs, &net, &trainer.grads, net.inputs,
                          train->labels, n, (float)o->train.learning_rate,
                          (int)steps);
        trainer_free(&trainer);
        network_free(&net);
    }
    overfit_print(costs, blank, steps);
    double entropy = labels_entropy(train->labels, n);
    printf("\nSeeing nothing, the best a network can do is guess by how "
           "often each label\noccurs among the %d: a cost of %.4f.\n",
           n, entropy);
    int status = 0;
    FILE *values = NULL;
    if (o->train.out_dir != NULL &&
        (values = output_open(o->train.out_dir, "values.txt", err)) == NULL)
        status = -1;
    if (values != NULL) {
        fprintf(values,
                "digits %d\nsteps %ld\nstart %.4f\nfinal %.4f\n"
                "blank_final %.4f\nlabel_entropy %.4f\n",
                n, steps, costs[0], costs[steps], blank[steps], entropy);
        fprintf(values, "headline one batch of %d overfit: cost %.4f\n", n,
                costs[steps]);
        status = output_close(values, o->train.out_dir, "values.txt", err);
    }
    free(costs);
    return status;
}

/* Under the sweep's table, a line for each rate whose training stalled at
 * chance (training_stalled) on some seeds: its cost would look like any
 * other high cost. stalled[r]: on how many seeds rate r stalled. */
static void sweep_stalled(int stalled[MAX_RATES], const OverSeeds *columns,
                          const Options *o, const long *seeds)
{
    int first = 1;
    for (int r = 0; r < o->n_rates; r++) {
        int at[MAX_SEEDS];
        stalled[r] = 0;
        for (int k = 0; k < columns[r].n && o->iterations >= 100; k++)
            if (training_stalled(columns[r].values[k], 10))
                at[stalled[r]++] = k;
        if (stalled[r] == 0)
            continue;
        printf("%srate %g stalled at chance (a cost within %g of ln 10) with "
               "seed%s",
               first ? "\n" : "", o->rates[r], STALLED_WITHIN,
               stalled[r] > 1 ? "s" : "");
        for (int k = 0; k < stalled[r]; k++)
            printf("%s %ld", k > 0 ? "," : "", seeds[at[k]]);
        printf("\n");
        first = 0;
    }
}

/* --lr-sweep LIST: exercise 7.5 for --seed, or for each seed from 1 to N
 * with --seeds N: a column per rate, a row per seed. With --out, seed 1's
 * (or --seed's) batch costs go to sweep.tsv for the figure. */
static int sweep_demo(const Options *o, const Digits *train, Error *err)
{
    OverSeeds columns[MAX_RATES];
    char titles[MAX_RATES][32];
    const long *seeds = o->train.n_seeds > 0 ? o->train.seeds : &o->train.seed;
    int n_seeds = o->train.n_seeds > 0 ? o->train.n_seeds : 1;
    for (int r = 0; r < o->n_rates; r++) {
        snprintf(titles[r], sizeof titles[r], "rate %.3g", o->rates[r]);
        columns[r] = (OverSeeds){.title = titles[r], .decimals = 4, .unit = ""};
    }
    printf("A learning-rate sweep: %d", train->rows * train->cols);
    for (int h = 0; h < o->train.n_hidden; h++)
        printf(" -> %d", o->train.hidden[h]);
    printf(" -> 10, a fresh network for each rate,\n%ld iterations of %ld "
           "digits. The mean batch cost of the last %ld iterations\n(inf: "
           "training diverged and stopped), for ",
           o->iterations, o->train.batch,
           o->iterations / 10 > 0 ? o->iterations / 10 : 1);
    if (o->train.n_seeds > 0)
        seeds_describe(stdout, &o->train);
    else
        printf("seed %ld", o->train.seed);
    printf(":\n\n");
    FILE *log = NULL;
    if (o->train.out_dir != NULL &&
        (log = output_open(o->train.out_dir, "sweep.tsv", err)) == NULL)
        return -1;
    for (int k = 0; k < n_seeds; k++) {
        double costs[MAX_RATES];
        if (learning_rate_sweep(costs, o->rates, o->n_rates, &o->train, train,
                                o->iterations, (uint64_t)seeds[k],
                                k == 0 ? log : NULL, err) != 0) {
            if (log != NULL)
                fclose(log);
            return -1;
        }
        for (int r = 0; r < o->n_rates; r++)
            columns[r].values[columns[r].n++] = costs[r];
    }
    over_seeds_table(stdout, columns, o->n_rates, seeds);
    int stalled[MAX_RATES];
    sweep_stalled(stalled, columns, o, seeds);
    if (log == NULL)
        return 0;
    if (output_close(log, o->train.out_dir, "sweep.tsv", err) != 0)
        return -1;
    FILE *values = output_open(o->train.out_dir, "values.txt", err);
    if (values == NULL)
        return -1;
    for (int r = 0; r < o->n_rates; r++) {
        char key[32];
        snprintf(key, sizeof key, "cost_rate%d", r + 1);
        fprintf(values, "rate%d %g\nstalled_rate%d %d\n", r + 1, o->rates[r],
                r + 1, stalled[r]);
        over_seeds_write(values, key, &columns[r]);
    }
    fprintf(values, "iterations %ld\n", o->iterations);
    TrainOptions run = o->train;
    if (run.n_seeds == 0) {
        run.seeds[0] = run.seed;
        run.n_seeds = 1;
    }
    seeds_write(values, &run);
    fprintf(values, "headline learning-rate sweep of %d rates\n", o->n_rates);
    return output_close(values, o->train.out_dir, "values.txt", err);
}

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
