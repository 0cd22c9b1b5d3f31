/* expect.h: checks that compare every element of a result with what it
 * should be, and when one differs, say which, and name the likely mistake.
 *
 * Include it after a chapter's code. The network parts need chapter 5's
 * Network (they are left out before it).
 */
#ifndef EXPECT_H
#define EXPECT_H

#include <check.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* Equal up to float rounding: 1e-5 of the larger size, or 1e-6. */
int close_enough(double got, double expected);
/* The first k where got[k] is not close to expected[k], or -1. */
int first_difference(const float *got, const double *expected, int n);
/* Equal to within `tolerance` times the expected value, however small it
 * is (for the probabilities close_enough does not look at). */
int close_relative(double got, double expected, double tolerance);
/* The first k where got[k] is not close_relative to expected[k], or -1. */
int first_relative_difference(const float *got, const double *expected, int n,
                              double tolerance);
/* A sentinel after the end of an output: anything written there came
 * from a loop that ran too far. */
#define CANARY 12345.0f
void expect_canaries(const float *after_end, int n, const char *what);

/* One block of parameters (a layer's weights or its biases) before and
 * after a step, and what each should have become. */
typedef struct {
    int layer, is_bias, n_in, n_out;
    const float *before, *after;
    const double *expected;
} Block;

void expect_blocks(const Block *blocks, int n_blocks, int n_batch,
                   const char *formula);

/* numeric = d(loss)/d(*param) by central differences: *param nudged up and
 * down by eps, the expression loss evaluated each time, *param restored.
 * (A macro, so that loss can be any expression the test needs.) */
#define CENTRAL_DIFFERENCE(numeric, param, eps, loss)                          \
    do {                                                                       \
        float saved_ = *(param);                                               \
        *(param) = saved_ + (eps);                                             \
        double plus_ = (loss);                                                 \
        *(param) = saved_ - (eps);                                             \
        double minus_ = (loss);                                                \
        *(param) = saved_;                                                     \
        (numeric) = (plus_ - minus_) / (2.0 * (double)(eps));                  \
    } while (0)

int close_enough(double got, double expected)
{
    double scale = fmax(fabs(got), fabs(expected));
    return fabs(got - expected) <= fmax(1e-5 * scale, 1e-6);
}

int first_difference(const float *got, const double *expected, int n)
{
    for (int k = 0; k < n; k++)
        if (!close_enough((double)got[k], expected[k]))
            return k;
    return -1;
}

int close_relative(double got, double expected, double tolerance)
{
    return fabs(got - expected) <= tolerance * fabs(expected);
}

int first_relative_difference(const float *got, const double *expected, int n,
                              double tolerance)
{
    for (int k = 0; k < n; k++)
        if (!close_relative((double)got[k], expected[k], tolerance))
            return k;
    return -1;
}

void expect_canaries(const float *after_end, int n, const char *what)
{
    int past = 0;
    for (int k = 0; k < n && past == 0; k++)
        if (after_end[k] != CANARY)
            past = k + 1;
#ifdef REMOTE_CORE
    /* In the judge, the student's function wrote into the worker's copy of
     * the output, followed by a guard of its own (tests/judge/remote.h). */
    if (past == 0 && remote_overrun.seen)
        past = (int)remote_overrun.past;
#endif
    ck_assert_msg(past == 0,
                  "%s: something was written %d element(s) past the end "
                  "of the output: does a loop run too far (n_in where "
                  "n_out belongs, <= where < belongs)?",
                  what, past);
}

static int block_size(const Block *block)
{
    return block->is_bias ? block->n_out : block->n_in * block->n_out;
}

/* How many elements of the block, from `from` to `to`, are right
 * (`right`) or unchanged (`!right`). */
static int block_count(const Block *block, int from, int to, int right)
{
    int n = 0;
    for (int k = from; k < to; k++) {
        double want = right ? block->expected[k] : (double)block->before[k];
        n += (double)block->after[k] == want ||
             close_enough((double)block->after[k], want);
    }
    return n;
}

/* A block that came out wrong, among all the blocks of the step. */
typedef struct {
    const Block *blocks, *block;
    int n_blocks, n_batch;
} BlockCase;

/* Is every element of the block right (`right`), or unchanged (`!right`)? */
static int block_all(const Block *block, int right)
{
    int n = block_size(block);
    return block_count(block, 0, n, right) == n;
}

/* The layer from which every block stayed as it was, while every block
 * before it is right (a layer loop that stopped early), or -1. */
static int first_untouched_layer(const BlockCase *c, int *n_layers)
{
    int stopped = -1;
    *n_layers = 0;
    for (int b = 0; b < c->n_blocks; b++) {
        const Block *block = &c->blocks[b];
        if (block->layer + 1 > *n_layers)
            *n_layers = block->layer + 1;
        if (!block_all(block, 1) && (stopped < 0 || block->layer < stopped))
            stopped = block->layer;
    }
    if (stopped <= 0)
        return -1;
    for (int b = 0; b < c->n_blocks; b++)
        if (!block_all(&c->blocks[b], c->blocks[b].layer < stopped))
            return -1;
    return stopped;
}

/* The block's own loop stopped at n_out (weights) or n_in (biases): right
 * up to there, unchanged after. */
static int block_loop_stopped(const Block *block)
{
    int n = block_size(block),
        stop = block->is_bias ? block->n_in : block->n_out;
    return stop < n && block_count(block, 0, stop, 1) == stop &&
           block_count(block, stop, n, 0) == n - stop;
}

static int block_should_change(const Block *block)
{
    for (int k = 0; k < block_size(block); k++)
        if (!close_enough(block->expected[k], (double)block->before[k]))
            return 1;
    return 0;
}

/* Did every value move `ratio` times as far as it should have (the same
 * ratio for all)? */
static int block_scaled(const Block *block, double *ratio)
{
    int found = 0;
    for (int k = 0; k < block_size(block); k++) {
        double want = block->expected[k] - (double)block->before[k];
        double got = (double)block->after[k] - (double)block->before[k];
        if (fabs(want) < 1e-4)
            continue;
        if (!found)
            *ratio = got / want;
        else if (fabs(got / want - *ratio) >= 1e-3 * fmax(1, fabs(*ratio)))
            return 0;
        found = 1;
    }
    return found;
}

/* The recognisers of the mistakes below: 1 if the case shows it, with the
 * numbers its hint names in number[]. */
static int only_first_layer(const BlockCase *c, double number[2])
{
    int n_layers;
    (void)number;
    return first_untouched_layer(c, &n_layers) == 1;
}

static int layer_loop_stopped(const BlockCase *c, double number[2])
{
    int n_layers, stopped = first_untouched_layer(c, &n_layers);
    number[0] = stopped + 1;
    number[1] = n_layers;
    return stopped > 0;
}

static int weight_loop_stopped(const BlockCase *c, double number[2])
{
    number[0] = c->block->n_out;
    number[1] = block_size(c->block);
    return !c->block->is_bias && block_loop_stopped(c->block);
}

static int bias_loop_stopped(const BlockCase *c, double number[2])
{
    number[0] = c->block->n_in;
    number[1] = block_size(c->block);
    return c->block->is_bias && block_loop_stopped(c->block);
}

static int weights_unchanged(const BlockCase *c, double number[2])
{
    (void)number;
    return !c->block->is_bias && block_all(c->block, 0) &&
           block_should_change(c->block);
}

static int biases_unchanged(const BlockCase *c, double number[2])
{
    (void)number;
    return c->block->is_bias && block_all(c->block, 0) &&
           block_should_change(c->block);
}

static int weights_should_stay(const BlockCase *c, double number[2])
{
    (void)number;
    return !c->block->is_bias && !block_should_change(c->block);
}

static int biases_should_stay(const BlockCase *c, double number[2])
{
    (void)number;
    return c->block->is_bias && !block_should_change(c->block);
}

static int replaced_by_change(const BlockCase *c, double number[2])
{
    const Block *block = c->block;
    (void)number;
    for (int k = 0; k < block_size(block); k++)
        if (!close_enough((double)block->after[k],
                          block->expected[k] - (double)block->before[k]))
            return 0;
    return 1;
}

static int opposite_way(const BlockCase *c, double number[2])
{
    return block_scaled(c->block, &number[0]) && fabs(number[0] + 1) < 1e-3;
}

static int divided_by_batch(const BlockCase *c, double number[2])
{
    double ratio;
    number[0] = c->n_batch;
    return c->n_batch > 1 && block_scaled(c->block, &ratio) &&
           fabs(ratio - 1.0 / c->n_batch) < 1e-3;
}

static int multiplied_by_batch(const BlockCase *c, double number[2])
{
    double ratio;
    number[0] = c->n_batch;
    return c->n_batch > 1 && block_scaled(c->block, &ratio) &&
           fabs(ratio - c->n_batch) < 1e-2;
}

static int scaled_change(const BlockCase *c, double number[2])
{
    return block_scaled(c->block, &number[0]);
}

/* The usual mistakes in a step over a network's blocks, each with what
 * recognises it and its hint (a format of the recogniser's numbers); the
 * first that matches is reported. Order matters: an entry is only
 * reached when none above it matched (a block that should have stayed is
 * not looked at for a scaled change). */
typedef struct {
    const char *mistake;
    int (*recognise)(const BlockCase *c, double number[2]);
    const char *hint;
} BlockMistake;

static const BlockMistake BLOCK_MISTAKES[] = {
    {"only layer 0", only_first_layer,
     "only the first layer changed: loop over every layer (l < "
     "net->n_layers), not just layer 0"},
    {"l < n_layers - 1", layer_loop_stopped,
     "the layers from layer %.0f on did not change: the layer loop stops "
     "too early; it runs l < net->n_layers (%.0f layers), not n_layers - 1"},
    {"weight loop to n_out", weight_loop_stopped,
     "weights from index %.0f on did not change: the loop stops at n_out; "
     "this layer has %.0f weights (n_in * n_out: loop to that)"},
    {"bias loop to n_in", bias_loop_stopped,
     "biases from index %.0f on did not change: the loop stops at n_in; "
     "this layer has %.0f biases (n_out of them)"},
    {"weights left out", weights_unchanged,
     "this layer's weights did not change at all"},
    {"biases left out", biases_unchanged,
     "this layer's biases did not change at all: the biases need the same "
     "treatment as the weights, in a loop of their own (n_out of them)"},
    {"weights changed that should stay", weights_should_stay,
     "these weights should have stayed as they were"},
    {"biases changed that should stay", biases_should_stay,
     "these biases should have stayed as they were"},
    {"= instead of += or -=", replaced_by_change,
     "the new value is just the change: add the change to the old value (+= "
     "or -=), do not replace it (=)"},
    {"the opposite sign", opposite_way,
     "every value moved the opposite way: mind the sign"},
    {"divided by n_batch again", divided_by_batch,
     "the change was divided by the batch size (%.0f) again: the gradients "
     "are already averaged over the batch (chapter 6 divides by n_batch "
     "once, in dz)"},
    {"multiplied by n_batch", multiplied_by_batch,
     "the change was multiplied by the batch size (%.0f): the gradients are "
     "already averaged"},
    {"scaled by a constant", scaled_change,
     "every change is %.4g times what it should be"},
};

/* Why is `block` wrong? A sentence naming the likely mistake, or "". */
static void block_diagnosis(char *why, size_t size, const Block *blocks,
                            int n_blocks, const Block *block, int n_batch)
{
    BlockCase c = {blocks, block, n_blocks, n_batch};
    int n = (int)(sizeof BLOCK_MISTAKES / sizeof BLOCK_MISTAKES[0]);
    why[0] = '\0';
    for (const BlockMistake *m = BLOCK_MISTAKES; m < BLOCK_MISTAKES + n; m++) {
        double number[2] = {0, 0};
        if (m->recognise(&c, number)) {
            snprintf(why, size, m->hint, number[0], number[1]);
            return;
        }
    }
}

/* Every element of every block must be as expected. On the first that is
 * not: which layer, which element, what came, and a diagnosis; `formula`
 * ends the message. */
void expect_blocks(const Block *blocks, int n_blocks, int n_batch,
                   const char *formula)
{
    for (int b = 0; b < n_blocks; b++) {
        const Block *block = &blocks[b];
        int n = block_size(block);
        int k = first_difference(block->after, block->expected, n);
        if (k < 0)
            continue;
        char why[512];
        block_diagnosis(why, sizeof why, blocks, n_blocks, block, n_batch);
        ck_assert_msg(0,
                      "layer %d (%d -> %d) %s[%d] should be %.7g, got %.7g "
                      "(it was %.7g): %s%s%s",
                      block->layer + 1, block->n_in, block->n_out,
                      block->is_bias ? "biases" : "weights", k,
                      block->expected[k], (double)block->after[k],
                      (double)block->before[k], why, why[0] ? "; " : "",
                      formula);
    }
}

#ifdef CH02_AFFINE_C
/* y = x W + b, worked out here in double, for comparison.
 *   x: [n_batch x n_in]   y: [n_batch x n_out], overwritten */
void reference_affine(double *y, const float *x, const Affine *layer,
                      int n_batch);

void reference_affine(double *y, const float *x, const Affine *layer,
                      int n_batch)
{
    int n_in = layer->n_in, n_out = layer->n_out;
    for (int b = 0; b < n_batch; b++)
        for (int j = 0; j < n_out; j++) {
            double sum = layer->biases[j];
            for (int i = 0; i < n_in; i++)
                sum += (double)x[b * n_in + i] *
                       (double)layer->weights[i * n_out + j];
            y[b * n_out + j] = sum;
        }
}
#endif

#ifdef CH05_CROSS_ENTROPY_C
/* The networks the tests work on: sizes[0] -> ... -> sizes[n_sizes - 1]
 * for batches of max_batch, He weights and biases of bias_scale times a
 * normal number, all drawn from rng (biases not 0, so that no gradient is 0
 * by symmetry). */
void test_network(Network *net, const int *sizes, int n_sizes, int max_batch,
                  Rng *rng, float bias_scale);

void test_network(Network *net, const int *sizes, int n_sizes, int max_batch,
                  Rng *rng, float bias_scale)
{
    Error err;
    ck_assert_msg(network_init(net, sizes, n_sizes, max_batch, &err) == 0, "%s",
                  err.msg);
    network_randomize(net, INIT_HE, rng);
    for (int l = 0; l < net->n_layers; l++)
        for (int j = 0; j < net->sizes[l + 1]; j++)
            net->layers[l].biases[j] = bias_scale * rng_normal(rng);
}

/* Do two networks of the same sizes hold the same weights and biases, to
 * the bit? (The given training code is checked against steps done by hand
 * this way, whatever the exercises compute.) */
int same_network(const Network *a, const Network *b);

int same_network(const Network *a, const Network *b)
{
    for (int l = 0; l < a->n_layers; l++) {
        size_t n = (size_t)a->sizes[l] * a->sizes[l + 1];
        if (memcmp(a->layers[l].weights, b->layers[l].weights,
                   n * sizeof(float)) != 0 ||
            memcmp(a->layers[l].biases, b->layers[l].biases,
                   (size_t)a->sizes[l + 1] * sizeof(float)) != 0)
            return 0;
    }
    return 1;
}

/* The network's forward pass (ReLU after every layer but the last, softmax
 * after it), worked out here in double, for comparison.
 *   x: [n_batch x sizes[0]]   p: [n_batch x sizes[n_layers]], overwritten */
void reference_forward(double *p, const Network *net, const float *x,
                       int n_batch);

void reference_forward(double *p, const Network *net, const float *x,
                       int n_batch)
{
    int widest = 0;
    for (int s = 0; s <= net->n_layers; s++)
        widest = net->sizes[s] > widest ? net->sizes[s] : widest;
    size_t n = (size_t)n_batch * (size_t)widest;
    double *a = malloc(n * sizeof *a), *z = malloc(n * sizeof *z);
    ck_assert(a != NULL && z != NULL);
    for (int k = 0; k < n_batch * net->sizes[0]; k++)
        a[k] = x[k];
    for (int l = 0; l < net->n_layers; l++) {
        const Affine *layer = &net->layers[l];
        int n_in = layer->n_in, n_out = layer->n_out;
        for (int b = 0; b < n_batch; b++)
            for (int j = 0; j < n_out; j++) {
                double sum = layer->biases[j];
                for (int i = 0; i < n_in; i++)
                    sum +=
                        a[b * n_in + i] * (double)layer->weights[i * n_out + j];
                z[b * n_out + j] = sum;
            }
        for (int b = 0; b < n_batch; b++) {
            double *row = z + b * n_out, max = row[0], total = 0;
            for (int j = 0; j < n_out; j++) {
                if (l + 1 < net->n_layers)
                    row[j] = row[j] > 0 ? row[j] : 0;
                else
                    max = fmax(max, row[j]);
            }
            if (l + 1 < net->n_layers)
                continue;
            for (int j = 0; j < n_out; j++)
                total += row[j] = exp(row[j] - max);
            for (int j = 0; j < n_out; j++)
                row[j] /= total;
        }
        memcpy(a, z, (size_t)n_batch * n_out * sizeof *a);
    }
    memcpy(p, a, (size_t)n_batch * net->sizes[net->n_layers] * sizeof *p);
    free(a);
    free(z);
}
/* The size of block b of a Snapshot. */
#define SNAPSHOT_SIZE(snapshot, b)                                             \
    ((b) % 2 ? (snapshot).blocks[b].n_out                                      \
             : (snapshot).blocks[b].n_in * (snapshot).blocks[b].n_out)

/* A network's parameters (or gradients) before a step, and what the test
 * expects after it: one Block for each layer's weights and each layer's
 * biases, whose `after` is the layers themselves. Fill in expected[b][k]
 * (it starts as a copy of before), then call
 * expect_blocks(snapshot.blocks, snapshot.n_blocks, ...). */
typedef struct {
    int n_blocks;
    Block blocks[2 * NETWORK_MAX_LAYERS];
    float *before[2 * NETWORK_MAX_LAYERS];
    double *expected[2 * NETWORK_MAX_LAYERS];
} Snapshot;

void snapshot_take(Snapshot *snapshot, const Affine *layers, int n_layers);
void snapshot_free(Snapshot *snapshot);

void snapshot_take(Snapshot *snapshot, const Affine *layers, int n_layers)
{
    snapshot->n_blocks = 2 * n_layers;
    for (int b = 0; b < snapshot->n_blocks; b++) {
        const Affine *layer = &layers[b / 2];
        int is_bias = b % 2,
            n = is_bias ? layer->n_out : layer->n_in * layer->n_out;
        const float *values = is_bias ? layer->biases : layer->weights;
        snapshot->before[b] = malloc((size_t)n * sizeof(float));
        snapshot->expected[b] = malloc((size_t)n * sizeof(double));
        ck_assert(snapshot->before[b] != NULL && snapshot->expected[b] != NULL);
        memcpy(snapshot->before[b], values, (size_t)n * sizeof(float));
        for (int k = 0; k < n; k++)
            snapshot->expected[b][k] = values[k];
        snapshot->blocks[b] = (Block){.layer = b / 2,
                                      .is_bias = is_bias,
                                      .n_in = layer->n_in,
                                      .n_out = layer->n_out,
                                      .before = snapshot->before[b],
                                      .after = values,
                                      .expected = snapshot->expected[b]};
    }
}

void snapshot_free(Snapshot *snapshot)
{
    for (int b = 0; b < snapshot->n_blocks; b++) {
        free(snapshot->before[b]);
        free(snapshot->expected[b]);
    }
    snapshot->n_blocks = 0;
}
#endif

#endif /* EXPECT_H */
