/* Chapter 6: backpropagation, every gradient by the chain rule.
 *
 *   cc -std=c11 -O3 code/06_backprop.c -lm -o bin/06_backprop
 *   bin/06_backprop     compare every gradient of a 784 -> 16 -> 16 -> 10
 *                       network with central differences
 *
 * Adds: a backward function for each forward one, the whole network's
 * backward pass, and a gradient checker.
 */
#ifndef CH06_BACKPROP_C
#define CH06_BACKPROP_C

#define CH05_NO_MAIN /* reuse chapter 5's code, not its demo */
#include "05_cross_entropy.c"

/* ---- What this chapter adds ------------------------------------------- */

// @listing gradients_type
/* The gradient of the loss with respect to every weight and bias of a
 * network: layers[l] has the shapes of the network's layer l, and holds
 * dLoss/dW and dLoss/db for it. deltas[l] holds, for the current batch,
 * the gradient with respect to layer l's weighted sums, dz(l): Nielsen's
 * delta, [n_batch x sizes[l + 1]], one row per digit. The backward pass
 * also parks dLoss/da(l) there for a moment, before ReLU's backward turns
 * it into dz(l) in place. */
typedef struct {
    int n_layers;
    Affine layers[NETWORK_MAX_LAYERS];
    float *deltas[NETWORK_MAX_LAYERS]; /* [max_batch x sizes[l + 1]] */
} Gradients;
// @end gradients_type

// @listing block_check
/* How far backprop's gradient of one block (a layer's weights, or its
 * biases) is from central differences. */
typedef struct {
    int layer, is_bias, n_checked;
    int n_bent;          /* nudges that switched a ReLU on or off: skipped */
    double max_error;    /* largest |backprop - numeric| / block scale */
    double bent_error;   /* the same over the bent nudges alone */
    double largest_grad; /* largest |backprop| in the block */
    int all_zero; /* backprop and every nudge gave exactly 0: nothing to
                     compare (the neurons these numbers feed are dead) */
} BlockCheck;

/* How the check computes the loss: as the network does, in float, or in
 * double, whose rounding is too small to matter. */
typedef enum { COST_IN_FLOAT, COST_IN_DOUBLE } CheckCost;

/* gradient_check's verdict: backprop and central differences agree when
 * the largest error is at most this fraction of a block's largest gradient
 * (a correct backprop, checked in double, stays below 1e-6; a real
 * mistake gives 0.1 or more). */
#define GRADIENTS_AGREE 1e-3
// @end block_check

WIDE_VECTORS void affine_backward(float *dx, Affine *grad, const float *dy,
                                  const float *x, const Affine *layer,
                                  int n_batch);
void relu_backward(float *dx, const float *dy, const float *y, size_t n);
void leaky_relu_backward(float *dx, const float *dy, const float *y, size_t n,
                         float slope);
void softmax_cross_entropy_backward(float *dz, const float *p,
                                    const uint8_t *labels, int n_batch,
                                    int n_classes);
int gradients_init(Gradients *grads, const Network *net, Error *err);
void gradients_free(Gradients *grads);
void gradients_zero(Gradients *grads);
void layer_backward(Gradients *grads, const Network *net, int l,
                    const float *input, int n_batch);
void network_backward(Gradients *grads, const Network *net, const float *x,
                      const uint8_t *labels, int n_batch);
double network_loss(Network *net, const float *x, const uint8_t *labels,
                    int n_batch);
uint64_t relu_pattern(const Network *net, int n_batch);
WIDE_VECTORS double network_loss_double(const Network *net, const float *x,
                                        const uint8_t *labels, int n_batch,
                                        double *const work[2],
                                        uint64_t *pattern);
void block_error(BlockCheck *check, double max_difference,
                 double largest_numeric);
int gradient_check(BlockCheck *checks, Network *net, Gradients *grads,
                   const float *x, const uint8_t *labels, int n_batch,
                   float epsilon, int max_per_block, CheckCost cost,
                   Error *err);

// @listing affine_backward
/* Backward through y = x W + b. Given dy = dLoss/dy, the chain rule gives
 *
 *     dLoss/dW[i][j] = sum over b of x[b][i] * dy[b][j]     (W[i][j] moves
 *                      y[b][j] by x[b][i] per unit, for every b)
 *     dLoss/db[j]    = sum over b of dy[b][j]                (moves y[b][j] 1:1)
 *     dLoss/dx[b][i] = sum over j of dy[b][j] * W[i][j]      (x[b][i] feeds
 *                      every y[b][j], through W[i][j])
 *
 *   dy: [n_batch x n_out]   x: [n_batch x n_in], the layer's forward input
 *   grad: the layer's gradient, ACCUMULATED into (+=), so zero it first
 *   dx: [n_batch x n_in], overwritten; NULL when not needed (the first
 *       layer's inputs are pixels: nothing to pass the gradient on to)
 * As in affine_forward, the weight gradient's inner loop runs along a row,
 * and a zero input, whose products are all 0, is skipped. */
WIDE_VECTORS void affine_backward(float *dx, Affine *grad, const float *dy,
                                  const float *x, const Affine *layer,
                                  int n_batch)
{
    int n_in = layer->n_in, n_out = layer->n_out;
    for (int b = 0; b < n_batch; b++) {
        const float *dy_row = dy + (size_t)b * n_out;
        const float *x_row = x + (size_t)b * n_in;
        for (int j = 0; j < n_out; j++)
            grad->biases[j] += dy_row[j];
        for (int i = 0; i < n_in; i++) {
            float x_i = x_row[i];
            if (x_i == 0.0f)
                continue;
            float *g_row = grad->weights + (size_t)i * n_out;
            for (int j = 0; j < n_out; j++)
                g_row[j] += x_i * dy_row[j];
        }
        if (dx == NULL)
            continue;
        /* dx[b] = dy[b] W^T, built up one output j at a time: column j of
         * W times dy[b][j], added to the whole row. Each dx[b][i] still
         * adds its terms in the order j = 0, 1, ..., but the inner loop
         * carries no running sum, so the CPU can work on many i at once;
         * and an output whose dy is 0 (a neuron that ReLU switched off)
         * is skipped. */
        float *dx_row = dx + (size_t)b * n_in;
        for (int i = 0; i < n_in; i++)
            dx_row[i] = 0.0f;
        for (int j = 0; j < n_out; j++) {
            float dy_j = dy_row[j];
            if (dy_j == 0.0f)
                continue;
            for (int i = 0; i < n_in; i++)
                dx_row[i] += dy_j * layer->weights[(size_t)i * n_out + j];
        }
    }
}
// @end affine_backward

// @listing relu_backward
/* Backward through y = max(0, x): the slope is 1 where the neuron was on
 * and 0 where it was off, so
 *
 *     dx = dy where y > 0, and 0 elsewhere.
 *
 * At exactly 0 ReLU has no slope (it bends there); we take 0, which is what
 * most libraries do, and which tests pin down. We test y (the output), not
 * x, so the forward pass need not keep its inputs: y > 0 exactly when x > 0.
 *   dy, y: [n]   dx: [n], overwritten; dx may be dy (in place). */
void relu_backward(float *dx, const float *dy, const float *y, size_t n)
{
    // @solution 6.1 dx = dy where y > 0, else 0
    for (size_t k = 0; k < n; k++)
        dx[k] = y[k] > 0.0f ? dy[k] : 0.0f;
    // @end 6.1
}
// @end relu_backward

/* Exercise 6.3: backward through leaky ReLU (exercise 3.2): the slope is 1
 * where the output is positive, `slope` elsewhere (take `slope` at exactly
 * 0, as relu_backward takes 0).
 *   dy, y: [n]   dx: [n], overwritten; dx may be dy. */
void leaky_relu_backward(float *dx, const float *dy, const float *y, size_t n,
                         float slope)
{
    // @solution 6.3 dx = dy where y > 0, slope * dy elsewhere
    for (size_t k = 0; k < n; k++)
        dx[k] = y[k] > 0.0f ? dy[k] : slope * dy[k];
    // @end 6.3
}

// @listing softmax_cross_entropy_backward
/* Backward through softmax and cross-entropy together. For one digit with
 * label r, loss = -ln p[r] and p = softmax(z). Differentiating,
 *
 *     dLoss/dz[k] = -(1/p[r]) * dp[r]/dz[k]
 *                 = -(1/p[r]) * p[r] * ([k == r] - p[k])
 *                 = p[k] - [k == r]
 *
 * (dp[r]/dz[k] = p[r] ([k == r] - p[k]) is softmax's derivative.) All the
 * exponentials and the division cancel: the gradient is just "what we said
 * minus what we should have said". Averaged over the batch, as the loss is:
 *
 *     dz[b][k] = (p[b][k] - [k == labels[b]]) / n_batch
 *
 *   p: [n_batch x n_classes], softmax outputs   dz: same shape, overwritten */
void softmax_cross_entropy_backward(float *dz, const float *p,
                                    const uint8_t *labels, int n_batch,
                                    int n_classes)
{
    // @solution 6.2 dz = (p - onehot(labels)) / n_batch
    float scale = 1.0f / (float)n_batch;
    for (int b = 0; b < n_batch; b++) {
        for (int k = 0; k < n_classes; k++) {
            size_t at = (size_t)b * n_classes + k;
            dz[at] = (p[at] - (k == labels[b] ? 1.0f : 0.0f)) * scale;
        }
    }
    // @end 6.2
}
// @end softmax_cross_entropy_backward

// @listing gradients_init
/* Allocate gradients (all 0) of the shapes of `net`'s layers. */
int gradients_init(Gradients *grads, const Network *net, Error *err)
{
    *grads = (Gradients){.n_layers = net->n_layers};
    /* The network and its gradients live together: count both. */
    if (network_memory_check(net, 2, " with its gradients", err) != 0)
        return -1;
    if (layers_alloc(grads->layers, grads->deltas, net->sizes, net->n_layers,
                     net->max_batch, err) != 0) {
        gradients_free(grads);
        return error_set(err, "out of memory for the gradients");
    }
    return 0;
}

void gradients_free(Gradients *grads)
{
    for (int l = 0; l < grads->n_layers; l++) {
        affine_free(&grads->layers[l]);
        free(grads->deltas[l]);
    }
    *grads = (Gradients){0};
}
// @end gradients_init

// @listing gradients_zero
/* Every gradient back to 0. The backward passes accumulate (+=), so the
 * training loop calls this before each batch. */
void gradients_zero(Gradients *grads)
{
    for (int l = 0; l < grads->n_layers; l++) {
        Affine *g = &grads->layers[l];
        memset(g->weights, 0, (size_t)g->n_in * g->n_out * sizeof(float));
        memset(g->biases, 0, (size_t)g->n_out * sizeof(float));
    }
}
// @end gradients_zero

/* The loops behind a layer's backward pass: affine_backward, above; a
 * variable for chapter 11, like chapter 5's affine_forward_loops. */
void (*affine_backward_loops)(float *dx, Affine *grad, const float *dy,
                              const float *x, const Affine *layer,
                              int n_batch) = affine_backward;

// @listing network_backward
/* Layer l of the backward pass. grads->deltas[l] holds dz(l), the gradient
 * with respect to the layer's weighted sums; `input` is what the layer's
 * forward pass read (a(l-1), or x for the first layer).
 *
 *   gradient of W(l), b(l) += from dz(l) and the input      (affine)
 *   dz(l-1) = ReLU'(a(l-1)) * (dz(l) W(l)^T)                 (none for l = 0)
 */
void layer_backward(Gradients *grads, const Network *net, int l,
                    const float *input, int n_batch)
{
    float *d_input = l > 0 ? grads->deltas[l - 1] : NULL;
    affine_backward_loops(d_input, &grads->layers[l], grads->deltas[l], input,
                          &net->layers[l], n_batch);
    if (l > 0)
        relu_backward(d_input, d_input, net->outputs[l - 1],
                      (size_t)n_batch * net->sizes[l]);
}

/* The whole backward pass: the forward pass in reverse, starting from the
 * fused softmax and cross-entropy gradient dz(last) = (p - onehot) /
 * n_batch. Call it right after network_forward(net, x, n_batch), whose
 * activations it reads. Gradients are ACCUMULATED: call gradients_zero
 * before each batch. */
void network_backward(Gradients *grads, const Network *net, const float *x,
                      const uint8_t *labels, int n_batch)
{
    int last = net->n_layers - 1;
    softmax_cross_entropy_backward(grads->deltas[last], net->outputs[last],
                                   labels, n_batch, net->sizes[last + 1]);
    for (int l = last; l >= 0; l--)
        layer_backward(grads, net, l, l > 0 ? net->outputs[l - 1] : x, n_batch);
}
// @end network_backward

// @listing network_loss
/* The mean cross-entropy loss of the network on one batch, as the network
 * computes it: in float. */
double network_loss(Network *net, const float *x, const uint8_t *labels,
                    int n_batch)
{
    const float *p = network_forward(net, x, n_batch);
    return cross_entropy_loss(p, labels, n_batch, net->sizes[net->n_layers]);
}
// @end network_loss

// @listing relu_pattern
/* Which hidden neurons are on (output > 0) for each digit of the batch,
 * as one 64-bit fingerprint (the FNV-1a hash of the on/off bits): if a
 * nudge switches any ReLU on or off, the fingerprint changes. */
#define PATTERN_START          14695981039346656037u
#define PATTERN_STEP(hash, on) (((hash) ^ (uint64_t)(on)) * 1099511628211u)

uint64_t relu_pattern(const Network *net, int n_batch)
{
    uint64_t hash = PATTERN_START;
    for (int l = 0; l + 1 < net->n_layers; l++) {
        size_t n = (size_t)n_batch * net->sizes[l + 1];
        for (size_t k = 0; k < n; k++)
            hash = PATTERN_STEP(hash, net->outputs[l][k] > 0.0f);
    }
    return hash;
}
// @end relu_pattern

// @listing network_loss_double
/* The same loss with every sum, product and exponential in double, about
 * 16 significant digits where float keeps 7: the forward pass of chapters
 * 2 to 5 once more, for the gradient check alone. It reads the network's
 * own float weights and biases; only the arithmetic is in double.
 *   x: [n_batch x sizes[0]]
 *   work[0], work[1]: n_batch * (the largest of sizes[1..]) doubles each,
 *            overwritten (each layer reads one and writes the other)
 *   pattern: set to the fingerprint of which hidden neurons are on (as
 *            relu_pattern's, for these double sums) */
WIDE_VECTORS double network_loss_double(const Network *net, const float *x,
                                        const uint8_t *labels, int n_batch,
                                        double *const work[2],
                                        uint64_t *pattern)
{
    double *in = NULL, *out = work[0];
    uint64_t hash = PATTERN_START;
    for (int l = 0; l < net->n_layers; l++) {
        const Affine *layer = &net->layers[l];
        int n_in = layer->n_in, n_out = layer->n_out;
        for (int b = 0; b < n_batch; b++) {
            double *z = out + (size_t)b * n_out; /* a W + biases (ch. 2) */
            for (int j = 0; j < n_out; j++)
                z[j] = layer->biases[j];
            for (int i = 0; i < n_in; i++) {
                double a = in ? in[(size_t)b * n_in + i]
                              : (double)x[(size_t)b * n_in + i];
                if (a == 0.0)
                    continue;
                const float *w_row = layer->weights + (size_t)i * n_out;
                for (int j = 0; j < n_out; j++)
                    z[j] += a * (double)w_row[j];
            }
            for (int j = 0; j < n_out && l + 1 < net->n_layers; j++) {
                hash = PATTERN_STEP(hash, z[j] > 0.0);
                z[j] = z[j] > 0.0 ? z[j] : 0.0; /* ReLU */
            }
        }
        in = out;
        out = out == work[0] ? work[1] : work[0];
    }
    /* -ln softmax(z)[label] = ln(sum over k of exp(z[k] - m)) + m - z[label],
     * with m the row's maximum (chapter 4's trick, so nothing overflows). */
    int n_classes = net->sizes[net->n_layers];
    double sum = 0.0;
    for (int b = 0; b < n_batch; b++) {
        const double *z = in + (size_t)b * n_classes;
        double m = z[0], total = 0.0;
        for (int k = 1; k < n_classes; k++)
            m = z[k] > m ? z[k] : m;
        for (int k = 0; k < n_classes; k++)
            total += exp(z[k] - m);
        sum += log(total) + m - z[labels[b]];
    }
    *pattern = hash;
    return sum / n_batch;
}
// @end network_loss_double

// @listing gradient_check
/* A block's error, once its nudges are done: the largest difference
 * between backprop and a compared (not bent) nudge, relative to the
 * block's largest gradient. Blocks with nothing to compare get NaN, and the
 * verdict leaves them out (and says so): one whose every nudge crossed a
 * bend, and one where backprop and every nudge give exactly 0. That
 * happens when a dead neuron (off for every digit of the batch, as the one
 * neuron of a tiny layer often is) cuts the block's path to the cost: the
 * cost does not move at all, and 0 = 0 is agreement, not an error. But a
 * backprop that gives 0 where the cost does move is wrong: an error of 1.
 *   largest_numeric: the largest |numeric derivative| of a compared nudge */
void block_error(BlockCheck *check, double max_difference,
                 double largest_numeric)
{
    check->all_zero = check->largest_grad == 0.0 && largest_numeric == 0.0 &&
                      check->n_bent < check->n_checked;
    if (check->n_bent == check->n_checked || check->all_zero)
        check->max_error = NAN;
    else if (check->largest_grad == 0.0)
        check->max_error = 1.0;
    else
        check->max_error = max_difference / check->largest_grad;
}

/* The loss of the batch with the parameters as they are now, computed in
 * float or in double; *pattern gets which ReLUs are on. */
static double loss_now(Network *net, const float *x, const uint8_t *labels,
                       int n_batch, CheckCost cost, double *const work[2],
                       uint64_t *pattern)
{
    if (cost == COST_IN_DOUBLE)
        return network_loss_double(net, x, labels, n_batch, work, pattern);
    double loss = network_loss(net, x, labels, n_batch);
    *pattern = relu_pattern(net, n_batch);
    return loss;
}

/* Check backprop against the definition of a derivative. For a parameter
 * w, nudge it both ways and measure the loss:
 *
 *     dLoss/dw  ~  (loss(w + epsilon) - loss(w - epsilon)) / (2 epsilon)
 *
 * ("central differences": the error shrinks like epsilon^2, not epsilon).
 * This costs two forward passes per parameter, far too slow to train with,
 * but it needs no calculus, so it catches any mistake in the calculus.
 *
 * Two things make the numeric derivative itself wrong, and both are
 * handled here rather than blamed on backprop:
 *  - a bend: if the nudge switches some ReLU on or off, the loss is not
 *    one straight piece between w - epsilon and w + epsilon, and the
 *    difference quotient mixes two slopes. Such a nudge is counted in
 *    n_bent and not compared (the on/off fingerprint tells);
 *  - rounding: in float each loss carries an error near 1e-7, and
 *    dividing by 2 epsilon blows it up to about 1e-7 / epsilon. With
 *    cost COST_IN_DOUBLE the losses are computed in double instead
 *    (network_loss_double), whose rounding, near 1e-16, stays harmless
 *    even for a tiny epsilon, which in turn almost never crosses a bend.
 * w + epsilon is rounded to a float, so the step divided by is the one
 * actually taken, (w + epsilon) - (w - epsilon) as floats.
 *
 * For each block (each layer's weights, each layer's biases) it checks
 * every parameter, or, in a block of more than max_per_block, every
 * (n / max_per_block)-th (about max_per_block of them), and records
 * the largest difference relative to the block's largest gradient.
 *   checks: [2 * n_layers], filled in. Returns the number of blocks, or -1
 *   with err set if there is no memory for the double sums. */
int gradient_check(BlockCheck *checks, Network *net, Gradients *grads,
                   const float *x, const uint8_t *labels, int n_batch,
                   float epsilon, int max_per_block, CheckCost cost, Error *err)
{
    int widest = 0;
    for (int l = 1; l <= net->n_layers; l++)
        widest = net->sizes[l] > widest ? net->sizes[l] : widest;
    double *buffer = malloc(2 * (size_t)n_batch * widest * sizeof *buffer);
    if (buffer == NULL)
        return error_set(err, "out of memory for the gradient check");
    double *const work[2] = {buffer, buffer + (size_t)n_batch * widest};
    network_forward(net, x, n_batch);
    gradients_zero(grads);
    network_backward(grads, net, x, labels, n_batch);
    uint64_t pattern, pattern_plus, pattern_minus;
    loss_now(net, x, labels, n_batch, cost, work, &pattern);
    int n_blocks = 0;
    for (int l = 0; l < net->n_layers; l++) {
        for (int is_bias = 0; is_bias < 2; is_bias++) {
            Affine *layer = &net->layers[l];
            float *params = is_bias ? layer->biases : layer->weights;
            const float *grad =
                is_bias ? grads->layers[l].biases : grads->layers[l].weights;
            int n = is_bias ? layer->n_out : layer->n_in * layer->n_out;
            int step = n > max_per_block ? n / max_per_block : 1;
            BlockCheck *check = &checks[n_blocks++];
            *check = (BlockCheck){.layer = l, .is_bias = is_bias};
            double max_difference = 0.0, bent_difference = 0.0;
            double largest_numeric = 0.0;
            for (int k = 0; k < n; k++)
                check->largest_grad =
                    fmax(check->largest_grad, fabs((double)grad[k]));
            for (int k = 0; k < n; k += step) {
                float saved = params[k];
                float up = saved + epsilon, down = saved - epsilon;
                params[k] = up;
                double plus = loss_now(net, x, labels, n_batch, cost, work,
                                       &pattern_plus);
                params[k] = down;
                double minus = loss_now(net, x, labels, n_batch, cost, work,
                                        &pattern_minus);
                params[k] = saved;
                double numeric = (plus - minus) / ((double)up - (double)down);
                double difference = fabs(numeric - (double)grad[k]);
                check->n_checked++;
                if (pattern_plus != pattern || pattern_minus != pattern) {
                    check->n_bent++;
                    bent_difference = fmax(bent_difference, difference);
                } else {
                    max_difference = fmax(max_difference, difference);
                    largest_numeric = fmax(largest_numeric, fabs(numeric));
                }
            }
            block_error(check, max_difference, largest_numeric);
            if (check->largest_grad > 0.0)
                check->bent_error = bent_difference / check->largest_grad;
        }
    }
    network_forward(net, x, n_batch); /* the activations as they were */
    free(buffer);
    return n_blocks;
}
// @end gradient_check

/* ---- The demo ----------------------------------------------------------- */
#ifndef CH06_NO_MAIN

enum { MAX_PER_BLOCK = 100000, N_SWEEP = 6 };

/* What one run of the check found, over all blocks. */
typedef struct {
    double worst, worst_bent; /* largest error, compared and bent nudges */
    long n_checked, n_bent;
    int n_all_bent; /* blocks whose every nudge bent: nothing compared */
    int n_all_zero; /* blocks all 0 on both sides: nothing compared */
    int n_compared; /* blocks the verdict rests on */
} CheckSummary;

static CheckSummary summarise(const BlockCheck *checks, int n_blocks)
{
    CheckSummary sum = {0};
    for (int c = 0; c < n_blocks; c++) {
        if (!isnan(checks[c].max_error)) {
            sum.worst = fmax(sum.worst, checks[c].max_error);
            sum.n_compared++;
        }
        sum.worst_bent = fmax(sum.worst_bent, checks[c].bent_error);
        sum.n_checked += checks[c].n_checked;
        sum.n_bent += checks[c].n_bent;
        sum.n_all_zero += checks[c].all_zero;
        sum.n_all_bent += isnan(checks[c].max_error) && !checks[c].all_zero;
    }
    return sum;
}

/* The check, its blocks in checks[*n_blocks], summarised into *sum.
 * Returns 0, or -1 with err set (no memory for it). */
static int check_summarised(CheckSummary *sum, BlockCheck *checks,
                            int *n_blocks, Network *net, Gradients *grads,
                            const uint8_t *labels, int n_batch, float epsilon,
                            CheckCost cost, Error *err)
{
    *n_blocks = gradient_check(checks, net, grads, net->inputs, labels, n_batch,
                               epsilon, MAX_PER_BLOCK, cost, err);
    if (*n_blocks < 0)
        return -1;
    *sum = summarise(checks, *n_blocks);
    return 0;
}

/* MNIST's training digits, at least n_batch of them. Returns 0, or -1 with
 * err set (a usage error if there are fewer than n_batch). */
static int training_digits_load(Digits *train, const char *data_dir,
                                long n_batch, Error *err)
{
    Digits test;
    if (mnist_load(train, &test, data_dir, err) != 0)
        return -1;
    digits_free(&test);
    if ((size_t)n_batch <= train->n)
        return 0;
    usage_set(err, "--batch %ld is more than the %zu training digits", n_batch,
              train->n);
    digits_free(train);
    return -1;
}

/* A random network whose biases are small random numbers too (so that no
 * gradient is 0 by symmetry), with the first n_batch training digits in
 * net->inputs. Returns 0, or -1 with err set (no memory for it). */
static int random_network(Network *net, Gradients *grads, const Digits *train,
                          const int *hidden, int n_hidden, int n_batch,
                          long seed, Error *err)
{
    int sizes[NETWORK_MAX_LAYERS + 1];
    int n_sizes =
        digit_network_sizes(sizes, train->rows * train->cols, hidden, n_hidden);
    if (network_init(net, sizes, n_sizes, n_batch, err) != 0)
        return -1;
    if (gradients_init(grads, net, err) != 0) {
        network_free(net);
        return -1;
    }
    Rng rng;
    rng_seed(&rng, (uint64_t)seed);
    network_randomize(net, INIT_HE, &rng);
    for (int l = 0; l < net->n_layers; l++)
        for (int j = 0; j < net->sizes[l + 1]; j++)
            net->layers[l].biases[j] = 0.1f * rng_normal(&rng);
    size_t indices[1000];
    for (int b = 0; b < n_batch; b++)
        indices[b] = (size_t)b;
    digits_inputs(net->inputs, train, indices, n_batch);
    return 0;
}

static void print_checks(const BlockCheck *checks, int n_blocks,
                         CheckSummary sum)
{
    printf("  %-16s %9s %9s %16s %15s\n", "block", "checked", "bent",
           "largest |grad|", "largest error");
    for (int c = 0; c < n_blocks; c++) {
        char name[32], error[32];
        snprintf(name, sizeof name, "layer %d %s", checks[c].layer + 1,
                 checks[c].is_bias ? "biases" : "weights");
        if (checks[c].all_zero)
            snprintf(error, sizeof error, "all 0 (dead)");
        else if (isnan(checks[c].max_error))
            snprintf(error, sizeof error, "all bent");
        else
            snprintf(error, sizeof error, "%.1e", checks[c].max_error);
        printf("  %-16s %9d %9d %16.2e %15s\n", name, checks[c].n_checked,
               checks[c].n_bent, checks[c].largest_grad, error);
    }
    printf("\n%ld of the %ld nudges switched a ReLU on or off (\"bent\")",
           sum.n_bent, sum.n_checked);
    if (sum.n_bent > 0)
        printf(":\ncompared too, they would give errors up to %.1e, so they "
               "are left out",
               sum.worst_bent);
    if (sum.n_all_bent > 0)
        printf(";\n%d block%s had every nudge bent, and could not be compared",
               sum.n_all_bent, sum.n_all_bent == 1 ? "" : "s");
    if (sum.n_all_zero > 0)
        printf(";\nin %d block%s every gradient is exactly 0, by backprop "
               "and by every nudge\n(a dead neuron, off for every digit, cuts "
               "%s path to the cost): nothing to compare",
               sum.n_all_zero, sum.n_all_zero == 1 ? "" : "s",
               sum.n_all_zero == 1 ? "its" : "their");
    if (sum.n_compared == 0) {
        printf(".\nNo block could be compared: try another --seed or a "
               "larger --batch.\n");
        return;
    }
    printf(".\nThe largest error is %.1e of a block's largest gradient:\n%s\n",
           sum.worst,
           sum.worst <= GRADIENTS_AGREE
               ? "backprop and central differences agree."
               : "they DISAGREE, so backprop has a mistake.");
}

/* The same check with other epsilons, the loss in float and in double: a
 * line each. Returns 0, or -1 with err set. */
static int sweep_epsilons(CheckSummary in_float[N_SWEEP],
                          CheckSummary in_double[N_SWEEP],
                          const float epsilons[N_SWEEP], Network *net,
                          Gradients *grads, const uint8_t *labels, int n_batch,
                          Error *err)
{
    printf("\nThe same check with other epsilons, the loss computed in float "
           "(the\nnetwork's own forward pass) and in double (as above):\n");
    printf("  %-9s %7s %11s %11s\n", "epsilon", "bent", "in float",
           "in double");
    for (int e = 0; e < N_SWEEP; e++) {
        BlockCheck checks[2 * NETWORK_MAX_LAYERS];
        int n_blocks;
        if (check_summarised(&in_float[e], checks, &n_blocks, net, grads,
                             labels, n_batch, epsilons[e], COST_IN_FLOAT,
                             err) != 0 ||
            check_summarised(&in_double[e], checks, &n_blocks, net, grads,
                             labels, n_batch, epsilons[e], COST_IN_DOUBLE,
                             err) != 0)
            return -1;
        printf("  %-9g %7ld %11.1e %11.1e%s\n", (double)epsilons[e],
               in_double[e].n_bent, in_float[e].worst, in_double[e].worst,
               in_double[e].n_all_bent > 0 ? "  (a block all bent)" : "");
    }
    return 0;
}

static int write_values(const char *dir, const BlockCheck *checks, int n_blocks,
                        CheckSummary sum, const CheckSummary in_float[N_SWEEP],
                        const CheckSummary in_double[N_SWEEP], float epsilon,
                        int n_batch, Error *err)
{
    FILE *values = output_open(dir, "values.txt", err);
    if (values == NULL)
        return -1;
    fprintf(values,
            "worst %.1e\nepsilon %g\nbatch %d\nchecked %ld\nbent %ld\n"
            "bent_error %.1e\nall_bent %d\nall_zero %d\nagree_below %g\n",
            sum.worst, (double)epsilon, n_batch, sum.n_checked, sum.n_bent,
            sum.worst_bent, sum.n_all_bent, sum.n_all_zero, GRADIENTS_AGREE);
    for (int c = 0; c < n_blocks; c++)
        fprintf(values, "error_%d_%s %.1e\n", checks[c].layer + 1,
                checks[c].is_bias ? "b" : "w", checks[c].max_error);
    for (int e = 0; e < N_SWEEP && in_float != NULL; e++)
        fprintf(values,
                "sweep_float_%d %.1e\nsweep_double_%d %.1e\n"
                "sweep_bent_%d %ld\n",
                e, in_float[e].worst, e, in_double[e].worst, e,
                in_double[e].n_bent);
    fprintf(values, "headline largest gradient error %.1e\n", sum.worst);
    return output_close(values, dir, "values.txt", err);
}

/* The check the program reports, for epsilon 1e-5 and the loss in double,
 * then (unless no_sweep) the sweep of other epsilons, then values.txt in
 * out_dir if not NULL. Returns 0, or -1 with err set. */
static int check_report(Network *net, Gradients *grads, const uint8_t *labels,
                        long n_batch, long seed, int no_sweep,
                        const char *out_dir, Error *err)
{
    const float epsilon = 1e-5f;
    const float epsilons[N_SWEEP] = {1e-1f, 1e-2f, 1e-3f, 1e-4f, 1e-5f, 1e-6f};
    BlockCheck checks[2 * NETWORK_MAX_LAYERS];
    int n_blocks;
    CheckSummary sum, in_float[N_SWEEP], in_double[N_SWEEP];
    if (check_summarised(&sum, checks, &n_blocks, net, grads, labels,
                         (int)n_batch, epsilon, COST_IN_DOUBLE, err) != 0)
        return -1;
    printf("Backprop against central differences (epsilon %g, the loss in "
           "double),\non the first ",
           (double)epsilon);
    if (n_batch == 1)
        printf("training digit");
    else
        printf("%ld training digits", n_batch);
    printf(", for a random network ");
    network_print_sizes(stdout, net);
    printf(" (--seed %ld):\n\n", seed);
    print_checks(checks, n_blocks, sum);
    if (!no_sweep && sweep_epsilons(in_float, in_double, epsilons, net, grads,
                                    labels, (int)n_batch, err) != 0)
        return -1;
    return out_dir != NULL ? write_values(out_dir, checks, n_blocks, sum,
                                          no_sweep ? NULL : in_float, in_double,
                                          epsilon, (int)n_batch, err)
                           : 0;
}

int main(int argc, char **argv)
{
    cli_init(argc, argv);
    const char *data_dir = "data/mnist", *out_dir = NULL;
    long seed = 1, n_batch = 10;
    int hidden[NETWORK_MAX_LAYERS - 1] = {16, 16}, n_hidden = 2, no_sweep = 0;
    const Option options[] = {
        OPTION_DATA(&data_dir),
        OPTION_SEED(&seed),
        {"--hidden", "LIST", OPTION_SIZES, hidden, 1, NETWORK_MAX_LAYERS - 1,
         .count = &n_hidden, .help = "hidden layer sizes (default 16,16)"},
        {"--batch", "N", OPTION_WHOLE, &n_batch, 1, 1000,
         .help = "training digits in the checked batch (default 10)"},
        {"--no-sweep", NULL, OPTION_FLAG, &no_sweep,
         .help = "leave out the table of other epsilons"},
        OPTION_OUT(&out_dir),
    };
    options_parse(options, OPTIONS_COUNT(options),
                  "Backpropagate through a random network and check every "
                  "gradient\nblock against central differences.",
                  argc, argv);
    Digits train;
    Network net;
    Gradients grads;
    Error err;
    if (training_digits_load(&train, data_dir, n_batch, &err) != 0)
        fail_with(&err);
    if (random_network(&net, &grads, &train, hidden, n_hidden, (int)n_batch,
                       seed, &err) != 0) {
        digits_free(&train);
        fail_with(&err);
    }
    int status = check_report(&net, &grads, train.labels, n_batch, seed,
                              no_sweep, out_dir, &err);
    gradients_free(&grads);
    network_free(&net);
    digits_free(&train);
    if (status != 0 || outputs_commit(&err) != 0)
        fail_with(&err);
    return 0;
}

#endif /* CH06_NO_MAIN */
#endif /* CH06_BACKPROP_C */
