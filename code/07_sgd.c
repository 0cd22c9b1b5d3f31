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

/* What training needs besides the network: gradient buffers, and the
 * order in which to visit the training digits. */
typedef struct {
    Gradients grads;
    size_t *order;  /* [n]: a shuffled permutation of 0 .. n-1 */
    size_t n, next; /* next: first position of `order` not yet used */
    long epoch;     /* how many times the digits were reshuffled */
    Rng rng;
} Trainer;

/* One iteration's report: the batch's mean cost and how many it got right
 * (measured by the forward pass, before the step). */
typedef struct {
    double loss;
    int correct;
} StepResult;

#define NETWORK_MAX_BATCH 1000 /* digits per training step, at most */
#define DIVERGED_COST     20.0 /* see training_diverged */
#define MODEL_MAGIC       "MNISTNET"
#define MODEL_VERSION     1u

void shuffle(size_t *order, size_t n, Rng *rng);
int training_diverged(double loss);
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
int network_save(const Network *net, const char *path, Error *err);
int network_load(Network *net, const char *path, int max_batch, Error *err);

/* Command-line plumbing shared by the training programs of chapters 7 to 9
 * (not a lesson): the options they all take, parsed in one place. */
typedef struct {
    long batch, seed;
    double learning_rate;
    int hidden[NETWORK_MAX_LAYERS - 1], n_hidden;
    const char *data_dir, *out_dir;
} TrainOptions;

TrainOptions train_options_default(void);
int train_option_parse(TrainOptions *o, int argc, char **argv, int *i);
void train_options_usage(void);

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
    // @stub 7.1
    // exercise_todo("7.1");
    // (void)net;
    // (void)grads;
    // (void)learning_rate;
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
    // @stub 7.2
    // exercise_todo("7.2");
    // (void)net;
    // (void)velocity;
    // (void)grads;
    // (void)learning_rate;
    // (void)momentum;
    // @end 7.2
}

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
        trainer->epoch++;
    }
    const size_t *batch = trainer->order + trainer->next;
    trainer->next += (size_t)n_batch;
    for (int b = 0; b < n_batch; b++)
        labels[b] = digits->labels[batch[b]];
    digits_inputs(net->inputs, digits, batch, n_batch);
}

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
    uint8_t labels[NETWORK_MAX_BATCH];
    trainer_next_batch(trainer, net, labels, digits, n_batch);
    const float *p = network_forward(net, net->inputs, n_batch);
    int n_classes = net->sizes[net->n_layers];
    StepResult result = {cross_entropy_loss(p, labels, n_batch, n_classes),
                         count_correct(p, labels, n_batch, n_classes)};
    gradients_zero(&trainer->grads);
    network_backward(&trainer->grads, net, net->inputs, labels, n_batch);
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

int network_save(const Network *net, const char *path, Error *err)
{
    FILE *out = fopen(path, "wb");
    if (out == NULL)
        return error_set(err, "%s: cannot write: %s", path, strerror(errno));
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
    int failed = ferror(out);
    if (fclose(out) != 0 || failed)
        return error_set(err, "%s: write failed", path);
    return 0;
}

/* Load a network saved by network_save, with buffers for batches of up to
 * max_batch. Like idx_load, it checks every size in the header against
 * the file's real length before it allocates, and refuses a file of
 * another version or with numbers that are not finite. */
int network_load(Network *net, const char *path, int max_batch, Error *err)
{
    *net = (Network){0};
    FILE *file = fopen(path, "rb");
    if (file == NULL)
        return error_set(err, "%s: cannot open: %s", path, strerror(errno));
    struct stat info;
    if (fstat(fileno(file), &info) != 0 || !S_ISREG(info.st_mode)) {
        fclose(file);
        return error_set(err, "%s: is not a regular file", path);
    }
    /* A model is small (a 784-128-64-10 network is 436 KB): read it all. */
    size_t size = (size_t)info.st_size;
    uint8_t *bytes = malloc(size > 0 ? size : 1);
    if (bytes == NULL || fread(bytes, 1, size, file) != size) {
        fclose(file);
        free(bytes);
        return error_set(err, "%s: cannot read", path);
    }
    fclose(file);
    int status = -1;
    uint32_t n_layers = size >= 16 ? read_le32(bytes + 12) : 0;
    size_t header = 16 + 4 * ((size_t)n_layers + 1);
    if (size < 16 || memcmp(bytes, MODEL_MAGIC, 8) != 0) {
        error_set(err, "%s: not a network file (no '%s' at its start)", path,
                  MODEL_MAGIC);
    } else if (read_le32(bytes + 8) != MODEL_VERSION) {
        error_set(err, "%s: format version %lu, this program reads %u", path,
                  (unsigned long)read_le32(bytes + 8), MODEL_VERSION);
    } else if (n_layers < 1 || n_layers > NETWORK_MAX_LAYERS) {
        error_set(err, "%s: %lu layers, expected 1 to %d", path,
                  (unsigned long)n_layers, NETWORK_MAX_LAYERS);
    } else if (size < header) {
        error_set(err, "%s: truncated in its header", path);
    } else {
        int sizes[NETWORK_MAX_LAYERS + 1];
        size_t n_floats = 0;
        status = 0;
        for (uint32_t s = 0; s <= n_layers && status == 0; s++) {
            uint32_t value = read_le32(bytes + 16 + 4 * s);
            if (value < 1 || value > (s == 0 ? 1u << 20 : 4096u))
                status = error_set(err, "%s: layer size %lu out of range", path,
                                   (unsigned long)value);
            sizes[s] = (int)value;
            if (s > 0)
                n_floats += (size_t)sizes[s - 1] * sizes[s] + sizes[s];
        }
        if (status == 0 && size != header + 4 * n_floats)
            status = error_set(err,
                               "%s: %zu bytes, but its sizes need %zu: "
                               "truncated or not this network",
                               path, size, header + 4 * n_floats);
        if (status == 0)
            status =
                network_init(net, sizes, (int)n_layers + 1, max_batch, err);
        const uint8_t *at = bytes + header;
        for (int l = 0; l < net->n_layers && status == 0; l++) {
            Affine *layer = &net->layers[l];
            float *blocks[2] = {layer->weights, layer->biases};
            size_t counts[2] = {(size_t)layer->n_in * layer->n_out,
                                (size_t)layer->n_out};
            for (int part = 0; part < 2; part++) {
                for (size_t k = 0; k < counts[part]; k++, at += 4) {
                    uint32_t bits = read_le32(at);
                    memcpy(&blocks[part][k], &bits, sizeof bits);
                    if (!isfinite(blocks[part][k]) && status == 0)
                        status = error_set(err,
                                           "%s: layer %d holds a "
                                           "number that is not finite",
                                           path, l + 1);
                }
            }
        }
        if (status != 0)
            network_free(net);
    }
    free(bytes);
    return status;
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

/* If argv[*i] is one of the shared options, read it (and its value) into o
 * and return 1; otherwise return 0 and leave *i alone. */
int train_option_parse(TrainOptions *o, int argc, char **argv, int *i)
{
    if (option_is(argv[*i], "--batch"))
        o->batch = option_long(argc, argv, i, 1, NETWORK_MAX_BATCH);
    else if (option_is(argv[*i], "--lr"))
        o->learning_rate = option_positive(argc, argv, i);
    else if (option_is(argv[*i], "--hidden"))
        o->n_hidden =
            option_sizes(argc, argv, i, o->hidden, NETWORK_MAX_LAYERS - 1);
    else if (option_is(argv[*i], "--seed"))
        o->seed = option_long(argc, argv, i, 0, LONG_MAX);
    else if (option_is(argv[*i], "--data"))
        o->data_dir = option_value(argc, argv, i);
    else if (option_is(argv[*i], "--out"))
        o->out_dir = option_value(argc, argv, i);
    else
        return 0;
    return 1;
}

void train_options_usage(void)
{
    printf("  --batch N        digits per step (default 100, at most %d)\n"
           "  --lr X           learning rate (default 0.3)\n"
           "  --hidden LIST    hidden layer sizes (default 128,64)\n"
           "  --seed N         seed of every random choice: weights, "
           "shuffling, ...\n"
           "                   (default 1)\n"
           "  --data DIR       folder with the MNIST files (default "
           "data/mnist)\n"
           "  --out DIR        also write the data for the chapter's figures "
           "and\n"
           "                   values.txt into DIR\n",
           NETWORK_MAX_BATCH);
}

/* ---- The demo ----------------------------------------------------------- */
#ifndef CH07_NO_MAIN

static void usage(void)
{
    printf(
        "Usage: %s [options]\n"
        "Train a network with mini-batch SGD and test it.\n"
        "  --iterations N   training steps (default 1000)\n"
        "  --lr-end X       let the learning rate fall linearly from --lr to\n"
        "                   X over the run (default: constant)\n"
        "  --init NAME      he (default) or small\n"
        "  --eval-every N   test the network every N steps (default 100)\n"
        "  --save FILE      write the trained network to FILE\n"
        "  --load FILE      do not train: test the network saved in FILE\n",
        program_name);
    train_options_usage();
}

typedef struct {
    TrainOptions train;
    long iterations, eval_every;
    double lr_end; /* < 0: a constant learning rate */
    Init init;
    const char *save, *load;
} Options;

static Options parse_options(int argc, char **argv)
{
    Options o = {.iterations = 1000,
                 .eval_every = 100,
                 .lr_end = -1,
                 .init = INIT_HE,
                 .train = train_options_default()};
    for (int i = 1; i < argc; i++) {
        if (option_is(argv[i], "--help")) {
            usage();
            exit(0);
        } else if (option_is(argv[i], "--iterations")) {
            o.iterations = option_long(argc, argv, &i, 1, 100000000);
        } else if (option_is(argv[i], "--lr-end")) {
            o.lr_end = option_positive(argc, argv, &i);
        } else if (option_is(argv[i], "--init")) {
            const char *name = option_value(argc, argv, &i);
            if (init_parse(&o.init, name) != 0)
                usage_error("--init expects he or small, got '%s'", name);
        } else if (option_is(argv[i], "--eval-every")) {
            o.eval_every = option_long(argc, argv, &i, 1, LONG_MAX);
        } else if (option_is(argv[i], "--save")) {
            o.save = option_value(argc, argv, &i);
        } else if (option_is(argv[i], "--load")) {
            o.load = option_value(argc, argv, &i);
        } else if (!train_option_parse(&o.train, argc, argv, &i)) {
            usage_error("unknown option '%s'", argv[i]);
        }
    }
    return o;
}

// @listing learning_rate
/* The learning rate for iteration `it` (1 .. iterations): constant, or with
 * --lr-end, falling in a straight line from --lr to --lr-end. Large steps
 * early cross the landscape quickly; small steps late settle into the
 * bottom of a valley instead of bouncing from side to side across it. */
static double learning_rate(const Options *o, long it)
{
    if (o->lr_end < 0 || o->iterations == 1)
        return o->train.learning_rate;
    double done = (double)(it - 1) / (double)(o->iterations - 1);
    return o->train.learning_rate + done * (o->lr_end - o->train.learning_rate);
}
// @end learning_rate

static void print_sizes(FILE *out, const Network *net)
{
    for (int s = 0; s <= net->n_layers; s++)
        fprintf(out, "%s%d", s ? " -> " : "", net->sizes[s]);
}

static int test_saved(const Options *o, const Digits *test)
{
    Network net;
    Error err;
    if (network_load(&net, o->load, EVALUATE_BATCH, &err) != 0)
        fail_with(&err);
    if (net.sizes[0] != test->rows * test->cols ||
        net.sizes[net.n_layers] != 10) {
        error_set(&err,
                  "%s: a network for %d inputs and %d classes, but the "
                  "data has %d pixels and 10 digits",
                  o->load, net.sizes[0], net.sizes[net.n_layers],
                  test->rows * test->cols);
        fail_with(&err);
    }
    double loss, accuracy;
    network_evaluate(&net, test, &loss, &accuracy);
    printf("Loaded %s: ", o->load);
    print_sizes(stdout, &net);
    printf("\ntest cost: %.4f\ntest accuracy: %.2f%%\n", loss,
           100.0 * accuracy);
    network_free(&net);
    return 0;
}

int main(int argc, char **argv)
{
    cli_init(argc, argv);
    Options o = parse_options(argc, argv);
    Digits train, test;
    Error err;
    if (mnist_load(&train, &test, o.train.data_dir, &err) != 0)
        fail_with(&err);
    if (o.load != NULL) {
        test_saved(&o, &test);
        digits_free(&train);
        digits_free(&test);
        return 0;
    }
    if ((size_t)o.train.batch > train.n)
        usage_error("--batch %ld is more than the %zu training digits",
                    o.train.batch, train.n);

    int sizes[NETWORK_MAX_LAYERS + 1];
    int n_sizes = digit_network_sizes(sizes, train.rows * train.cols,
                                      o.train.hidden, o.train.n_hidden);
    Network net;
    Trainer trainer;
    Rng rng;
    rng_seed(&rng, (uint64_t)o.train.seed);
    if (network_init(&net, sizes, n_sizes, (int)o.train.batch, &err) != 0)
        fail_with(&err);
    network_randomize(&net, o.init, &rng);
    if (trainer_init(&trainer, &net, train.n, rng, &err) != 0)
        fail_with(&err);

    FILE *train_log = NULL, *test_log = NULL;
    if (o.train.out_dir != NULL) {
        train_log = output_open(o.train.out_dir, "train.tsv", &err);
        test_log =
            train_log ? output_open(o.train.out_dir, "test.tsv", &err) : NULL;
        if (test_log == NULL)
            fail_with(&err);
        fprintf(train_log, "# iteration\tbatch_cost\tbatch_accuracy\n");
        fprintf(test_log, "# iteration\ttest_cost\ttest_accuracy\n");
    }

    printf("Training ");
    print_sizes(stdout, &net);
    printf(" (--init %s, --seed %ld) with mini-batch SGD:\n"
           "%ld iterations of %ld digits, learning rate %g",
           o.init == INIT_HE ? "he" : "small", o.train.seed, o.iterations,
           o.train.batch, o.train.learning_rate);
    if (o.lr_end >= 0)
        printf(" falling to %g", o.lr_end);
    printf(".\n\n");
    printf("%10s %12s %12s %12s %14s\n", "iteration", "batch cost",
           "batch acc.", "test cost", "test accuracy");

    /* A live progress line on a terminal (on stderr, so that it never mixes
     * with results piped from stdout). */
    int live = isatty(STDERR_FILENO);
    double start = seconds_now(), test_loss = 0, test_accuracy = 0;
    double window_loss = 0, window_correct = 0;
    long window = 0;
    for (long it = 1; it <= o.iterations; it++) {
        StepResult step = train_step(&trainer, &net, &train, (int)o.train.batch,
                                     (float)learning_rate(&o, it));
        if (training_diverged(step.loss)) {
            fflush(stdout); /* what was printed so far, then the error */
            fprintf(stderr,
                    "%s: training diverged at iteration %ld (batch cost "
                    "%g): the learning rate %g is too large; try a smaller "
                    "--lr, such as %g\n",
                    program_name, it, step.loss, o.train.learning_rate,
                    o.train.learning_rate / 10);
            exit(1);
        }
        window_loss += step.loss;
        window_correct += step.correct;
        window++;
        if (train_log)
            fprintf(train_log, "%ld\t%.4f\t%.4f\n", it, step.loss,
                    (double)step.correct / (double)o.train.batch);
        if (live && (it % 10 == 0 || it == o.iterations))
            fprintf(stderr, "\r  iteration %ld/%ld  cost %.3f  %.0f it/s  ", it,
                    o.iterations, step.loss,
                    (double)it / (seconds_now() - start));
        if (it % o.eval_every == 0 || it == o.iterations) {
            network_evaluate(&net, &test, &test_loss, &test_accuracy);
            if (live)
                fprintf(stderr, "\r%60s\r", "");
            /* The batch columns average the iterations since the last
             * line: a single batch of 100 is a noisy measurement. */
            printf("%10ld %12.4f %11.2f%% %12.4f %13.2f%%\n", it,
                   window_loss / (double)window,
                   100.0 * window_correct / (double)(window * o.train.batch),
                   test_loss, 100.0 * test_accuracy);
            fflush(stdout);
            if (test_log)
                fprintf(test_log, "%ld\t%.4f\t%.4f\n", it, test_loss,
                        test_accuracy);
            window_loss = window_correct = 0;
            window = 0;
        }
    }
    double seconds = seconds_now() - start;
    printf("\ntest accuracy: %.2f%%\n", 100.0 * test_accuracy);
    fprintf(stderr, "%s: trained in %.2f s, %.3f ms per iteration\n",
            program_name, seconds, 1000.0 * seconds / (double)o.iterations);

    int status = 0;
    if (o.save != NULL && network_save(&net, o.save, &err) != 0)
        status = -1;
    if (status == 0 && o.save != NULL)
        printf("saved the network to %s\n", o.save);
    if (status == 0 && o.train.out_dir != NULL) {
        status = output_close(train_log, o.train.out_dir, "train.tsv", &err);
        if (status == 0)
            status = output_close(test_log, o.train.out_dir, "test.tsv", &err);
        FILE *values = status == 0
                           ? output_open(o.train.out_dir, "values.txt", &err)
                           : NULL;
        if (values != NULL) {
            fprintf(values,
                    "test_accuracy %.2f\ntest_loss %.4f\niterations %ld\n"
                    "batch %ld\nlr %g\nepochs %.2f\n",
                    100.0 * test_accuracy, test_loss, o.iterations,
                    o.train.batch, o.train.learning_rate,
                    (double)(o.iterations * o.train.batch) / (double)train.n);
            fprintf(values, "hidden ");
            for (int h = 0; h < o.train.n_hidden; h++)
                fprintf(values, "%s%d", h ? "," : "", o.train.hidden[h]);
            fprintf(values,
                    "\nheadline test accuracy %.2f%% after %ld "
                    "iterations\n",
                    100.0 * test_accuracy, o.iterations);
            status = output_close(values, o.train.out_dir, "values.txt", &err);
        } else {
            status = -1;
        }
    }
    trainer_free(&trainer);
    network_free(&net);
    digits_free(&train);
    digits_free(&test);
    if (status != 0)
        fail_with(&err);
    return 0;
}

#endif /* CH07_NO_MAIN */
#endif /* CH07_SGD_C */
