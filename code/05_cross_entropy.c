/* Chapter 5: how wrong are we? Cost and accuracy of the whole network.
 *
 *   cc -std=c11 -O3 code/05_cross_entropy.c -lm -o bin/05_cross_entropy
 *   bin/05_cross_entropy    an untrained 784 -> 16 -> 16 -> 10 network on
 *                           all 10000 test digits
 *
 * Adds: cross_entropy_loss and count_correct, and the Network: the layers
 * of chapters 2-4 stacked, with their buffers allocated once.
 */
#ifndef CH05_CROSS_ENTROPY_C
#define CH05_CROSS_ENTROPY_C

#define CH04_NO_MAIN /* reuse chapter 4's code, not its demo */
#include "04_softmax.c"

/* ---- What this chapter adds ------------------------------------------- */

// @listing network_type
#define NETWORK_MAX_LAYERS 8    /* affine layers, so up to 7 hidden ones */
#define EVALUATE_BATCH     250  /* digits per forward pass when evaluating */
#define NETWORK_MAX_BATCH  1000 /* digits per batch, at most */

/* A stack of affine layers: ReLU after each but the last, softmax after the
 * last. sizes[0] is the number of inputs (784), sizes[n_layers] of outputs
 * (10). layers[l] turns sizes[l] numbers into sizes[l + 1]: it holds the
 * video's W^(l+1) and b^(l+1). outputs[l] holds its activations for the
 * current batch, the video's a^(l+1): after ReLU for hidden layers, the
 * probabilities for the last. The input x, the video's a^(0), is handed to
 * the forward pass; `inputs` is room where a caller may put it. */
typedef struct {
    int n_layers;
    int sizes[NETWORK_MAX_LAYERS + 1];
    Affine layers[NETWORK_MAX_LAYERS];
    int max_batch;
    float *outputs[NETWORK_MAX_LAYERS]; /* [max_batch x sizes[l + 1]] */
    float *inputs;                      /* [max_batch x sizes[0]] scratch */
} Network;

/* How a network does on a set of digits: mean cost, and accuracy 0..1. */
typedef struct {
    double loss, accuracy;
} Score;
// @end network_type

double cross_entropy_loss(const float *p, const uint8_t *labels, int n_batch,
                          int n_classes);
int argmax(const float *values, int n);
int count_correct(const float *p, const uint8_t *labels, int n_batch,
                  int n_classes);
int count_top_k(const float *p, const uint8_t *labels, int n_batch,
                int n_classes, int k);
int digit_network_sizes(int *sizes, int n_in, const int *hidden, int n_hidden);
int layers_alloc(Affine *layers, float **buffers, const int *sizes,
                 int n_layers, int max_batch, Error *err);
int network_memory_check(const Network *net, int n_copies, const char *also,
                         Error *err);
int network_init(Network *net, const int *sizes, int n_sizes, int max_batch,
                 Error *err);
void network_free(Network *net);
void network_randomize(Network *net, Init init, Rng *rng);
void network_print_sizes(FILE *out, const Network *net);
long network_count_params(const Network *net);
float *layer_forward(Network *net, int l, const float *input, int n_batch);
const float *network_forward(Network *net, const float *x, int n_batch);
int forward_slice(Network *net, const Digits *digits, size_t start);
Score network_evaluate(Network *net, const Digits *digits);

// @listing cross_entropy_loss
/* The mean, over the batch, of -ln(probability given to the right answer):
 *
 *     loss = -(1/n_batch) * sum over b of ln p[b][labels[b]]
 *
 * 0 when every right answer gets probability 1; ln 10 = 2.303 when the
 * network spreads its bets evenly over 10 digits; without bound as the
 * right answer's probability goes to 0.
 *   p: [n_batch x n_classes] (softmax outputs)   labels: [n_batch]
 * A probability can round to exactly 0 in float, and ln 0 is -infinity, so
 * it is clamped to 1e-30 first: a loss of at most 69 per digit, never inf.
 * (Written as a comparison, not fmaxf, so that a NaN stays NaN: a network
 * whose numbers blew up must show it in its loss.)
 * The sum is a double: adding thousands of floats loses digits. */
double cross_entropy_loss(const float *p, const uint8_t *labels, int n_batch,
                          int n_classes)
{
    // @solution 5.1 mean of -ln p[label], clamped
    double sum = 0.0;
    for (int b = 0; b < n_batch; b++) {
        float p_right = p[(size_t)b * n_classes + labels[b]];
        float p_safe = p_right < 1e-30f ? 1e-30f : p_right;
        sum -= log((double)p_safe);
    }
    return sum / n_batch;
    // @end 5.1
}
// @end cross_entropy_loss

// @listing count_correct
/* The index of the largest value (the first one, on a tie). */
int argmax(const float *values, int n)
{
    int best = 0;
    for (int k = 1; k < n; k++)
        if (values[k] > values[best])
            best = k;
    return best;
}

/* How many rows of p have their largest probability at the label: the
 * network's answer is the digit it finds most probable. */
int count_correct(const float *p, const uint8_t *labels, int n_batch,
                  int n_classes)
{
    int correct = 0;
    for (int b = 0; b < n_batch; b++)
        correct += argmax(p + (size_t)b * n_classes, n_classes) == labels[b];
    return correct;
}
// @end count_correct

/* Exercise 5.2: how many rows have their label among the k most probable
 * classes ("top-k accuracy"; k = 1 is count_correct). A label is among the
 * top k when fewer than k classes have a larger probability. */
int count_top_k(const float *p, const uint8_t *labels, int n_batch,
                int n_classes, int k)
{
    // @solution 5.2 count the classes more probable than the label
    int correct = 0;
    for (int b = 0; b < n_batch; b++) {
        const float *row = p + (size_t)b * n_classes;
        int above = 0;
        for (int c = 0; c < n_classes; c++)
            above += row[c] > row[labels[b]];
        correct += above < k;
    }
    return correct;
    // @end 5.2
}

/* The sizes of a network that reads n_in pixels into 10 digits through the
 * given hidden layers: sizes = {n_in, hidden..., 10}, overwritten
 * ([n_hidden + 2]). Returns how many sizes that is. */
int digit_network_sizes(int *sizes, int n_in, const int *hidden, int n_hidden)
{
    sizes[0] = n_in;
    for (int h = 0; h < n_hidden; h++)
        sizes[h + 1] = hidden[h];
    sizes[n_hidden + 1] = N_CLASSES;
    return n_hidden + 2;
}

// @listing network_init
/* For each of n_layers layers, an Affine of sizes[l] -> sizes[l + 1], all
 * 0, and a buffer for one value per neuron for a batch: buffers[l],
 * [max_batch x sizes[l + 1]]. A network keeps its layers' outputs in them,
 * its gradients (chapter 6) the gradients with respect to those outputs.
 * Returns 0, or -1: then the caller frees what was made. */
int layers_alloc(Affine *layers, float **buffers, const int *sizes,
                 int n_layers, int max_batch, Error *err)
{
    for (int l = 0; l < n_layers; l++) {
        buffers[l] = malloc((size_t)max_batch * sizes[l + 1] * sizeof(float));
        if (buffers[l] == NULL ||
            affine_init(&layers[l], sizes[l], sizes[l + 1], err) != 0)
            return -1;
    }
    return 0;
}

/* Refuse (before it is allocated) n_copies of `net`'s buffers, at its sizes
 * and max_batch, if that is more than MEMORY_CAP; `also` names what the
 * copies beyond the first are, in the message. */
int network_memory_check(const Network *net, int n_copies, const char *also,
                         Error *err)
{
    char what[256];
    int at = snprintf(what, sizeof what, "a network of %d", net->sizes[0]);
    size_t floats = (size_t)net->max_batch * (size_t)net->sizes[0];
    for (int s = 1; s <= net->n_layers; s++) {
        floats += ((size_t)net->sizes[s - 1] + 1 + (size_t)net->max_batch) *
                  (size_t)net->sizes[s];
        at += snprintf(what + at, sizeof what - (size_t)at, " -> %d",
                       net->sizes[s]);
    }
    snprintf(what + at, sizeof what - (size_t)at, "%s", also);
    return memory_check((size_t)n_copies * floats * sizeof(float), what, err);
}

/* Allocate a network of sizes[0] -> sizes[1] -> ... -> sizes[n_sizes - 1]
 * with all weights 0, and buffers for batches of up to max_batch. A network
 * larger than MEMORY_CAP is refused before anything is allocated (training
 * needs as much again for the gradients, never more). */
int network_init(Network *net, const int *sizes, int n_sizes, int max_batch,
                 Error *err)
{
    *net = (Network){.n_layers = n_sizes - 1, .max_batch = max_batch};
    if (max_batch < 1 || max_batch > NETWORK_MAX_BATCH)
        return error_set(err, "a batch of %d digits: expected 1 to %d",
                         max_batch, NETWORK_MAX_BATCH);
    if (n_sizes < 2 || n_sizes > NETWORK_MAX_LAYERS + 1)
        return error_set(err, "a network needs 2 to %d sizes, got %d",
                         NETWORK_MAX_LAYERS + 1, n_sizes);
    for (int s = 0; s < n_sizes; s++) {
        if (sizes[s] < 1)
            return error_set(err, "layer size %d is %d", s, sizes[s]);
        net->sizes[s] = sizes[s];
    }
    if (network_memory_check(net, 1, "", err) != 0)
        return -1;
    net->inputs = malloc((size_t)max_batch * sizes[0] * sizeof(float));
    if (net->inputs == NULL ||
        layers_alloc(net->layers, net->outputs, sizes, net->n_layers, max_batch,
                     err) != 0) {
        network_free(net);
        return error_set(err, "out of memory for the network");
    }
    return 0;
}

void network_free(Network *net)
{
    for (int l = 0; l < net->n_layers; l++) {
        affine_free(&net->layers[l]);
        free(net->outputs[l]);
    }
    free(net->inputs);
    *net = (Network){0};
}
// @end network_init

void network_randomize(Network *net, Init init, Rng *rng)
{
    for (int l = 0; l < net->n_layers; l++)
        affine_randomize(&net->layers[l], init, rng);
}

/* The network's sizes as the programs print them: "784 -> 16 -> 16 -> 10". */
void network_print_sizes(FILE *out, const Network *net)
{
    for (int s = 0; s <= net->n_layers; s++)
        fprintf(out, "%s%d", s ? " -> " : "", net->sizes[s]);
}

/* How many numbers learning must choose: every weight and bias. */
long network_count_params(const Network *net)
{
    long n = 0;
    for (int l = 0; l < net->n_layers; l++)
        n += (long)net->sizes[l] * net->sizes[l + 1] + net->sizes[l + 1];
    return n;
}

/* The loops behind a layer's x W + b: chapter 2's affine_forward. A
 * variable, so that chapter 11 can put in faster loops that compute the
 * same floats; until then, nothing changes it. */
void (*affine_forward_loops)(float *y, const float *x, const Affine *layer,
                             int n_batch) = affine_forward;

// @listing network_forward
/* Layer l of the forward pass, chapters 2 to 4 in a row:
 *
 *     outputs[l] = ReLU(input W(l) + b(l))       for a hidden layer
 *     outputs[l] = softmax(input W(l) + b(l))    for the last layer
 *
 *   input: [n_batch x sizes[l]], n_batch <= max_batch. Returns
 *   net->outputs[l]: [n_batch x sizes[l + 1]], overwritten. */
float *layer_forward(Network *net, int l, const float *input, int n_batch)
{
    float *z = net->outputs[l];
    affine_forward_loops(z, input, &net->layers[l], n_batch);
    if (l + 1 < net->n_layers)
        relu_forward(z, z, (size_t)n_batch * net->sizes[l + 1]);
    else
        softmax_forward(z, z, n_batch, net->sizes[l + 1]);
    return z;
}

/* The whole forward pass: each layer's output is the next one's input.
 *   x: [n_batch x sizes[0]]. Returns the probabilities p,
 *   [n_batch x sizes[n_layers]]. Every layer's activations stay in
 *   net->outputs for chapter 6's backward pass. Nothing is allocated: the
 *   buffers were made once, by network_init. */
const float *network_forward(Network *net, const float *x, int n_batch)
{
    const float *a = x;
    for (int l = 0; l < net->n_layers; l++)
        a = layer_forward(net, l, a, n_batch);
    return a;
}
// @end network_forward

// @listing network_evaluate
/* The forward pass of digits start, start + 1, ... of `digits`, as many as
 * fit in a batch of net->max_batch (and no more than there are): their
 * images into net->inputs, every layer's outputs into net->outputs, the
 * probabilities into the last. Returns how many. */
int forward_slice(Network *net, const Digits *digits, size_t start)
{
    size_t left = digits->n - start, indices[NETWORK_MAX_BATCH];
    int n = left < (size_t)net->max_batch ? (int)left : net->max_batch;
    for (int b = 0; b < n; b++)
        indices[b] = start + (size_t)b;
    digits_inputs(net->inputs, digits, indices, n);
    network_forward(net, net->inputs, n);
    return n;
}

/* Mean cross-entropy loss and accuracy (0..1) of the network on all of
 * `digits`, a batch at a time. */
Score network_evaluate(Network *net, const Digits *digits)
{
    int n_classes = net->sizes[net->n_layers];
    const float *p = net->outputs[net->n_layers - 1];
    double loss_sum = 0.0;
    long correct = 0;
    for (size_t start = 0; start < digits->n;) {
        int n = forward_slice(net, digits, start);
        const uint8_t *labels = digits->labels + start;
        loss_sum += cross_entropy_loss(p, labels, n, n_classes) * n;
        correct += count_correct(p, labels, n, n_classes);
        start += (size_t)n;
    }
    return (Score){loss_sum / (double)digits->n,
                   (double)correct / (double)digits->n};
}
// @end network_evaluate

/* ---- The demo ----------------------------------------------------------- */
#ifndef CH05_NO_MAIN

/* Squared error of a 10-class prediction that gives the right answer
 * probability q and (1 - q) / 9 to each other digit, and the derivative of
 * that error and of cross-entropy with respect to the right answer's
 * score (logit). Both derivatives go through softmax:
 *   dp_k/dz_r = p_k (delta_kr - p_r).
 * costs: {cross-entropy, squared error, d(c-e)/dz_r, d(sq)/dz_r} */
static void compare_costs(double costs[4], double q)
{
    double p[N_CLASSES], y[N_CLASSES] = {0};
    for (int k = 0; k < N_CLASSES; k++)
        p[k] = k == 0 ? q : (1.0 - q) / (N_CLASSES - 1);
    y[0] = 1.0;
    double squared = 0.0, d_squared = 0.0;
    for (int k = 0; k < N_CLASSES; k++) {
        squared += (p[k] - y[k]) * (p[k] - y[k]);
        d_squared += 2.0 * (p[k] - y[k]) * p[k] * ((k == 0) - p[0]);
    }
    costs[0] = -log(q);
    costs[1] = squared;
    costs[2] = q - 1.0;
    costs[3] = d_squared;
}

/* costs.dat: compare_costs for q from 0.001 to 1, for the figure. */
static int write_costs(const char *dir, Error *err)
{
    FILE *out = output_open(dir, "costs.dat", err);
    if (out == NULL)
        return -1;
    fprintf(out, "# q\tcross_entropy\tsquared\td_cross_entropy\td_squared\n");
    for (int k = 1; k <= 1000; k++) {
        double q = k / 1000.0, costs[4];
        compare_costs(costs, q);
        fprintf(out, "%.3f\t%.5f\t%.5f\t%.5f\t%.5f\n", q, costs[0], costs[1],
                costs[2], costs[3]);
    }
    return output_close(out, dir, "costs.dat", err);
}

/* The first table: both costs, and their pull, for a few predictions. */
static void print_cost_table(void)
{
    printf("Cost of one prediction that gives the right digit probability q "
           "(and the\nrest evenly to the other nine), and how steeply each "
           "cost pulls the right\ndigit's score up (its derivative):\n");
    printf("  %10s %14s %14s %16s %16s\n", "q", "cross-entropy", "squared err",
           "d(c-e)/dscore", "d(sq)/dscore");
    const double qs[5] = {0.99, 0.9, 0.5, 0.1, 0.01};
    for (int k = 0; k < 5; k++) {
        double costs[4];
        compare_costs(costs, qs[k]);
        printf("  %10.2f %14.3f %14.3f %16.3f %16.3f\n", qs[k], costs[0],
               costs[1], costs[2], costs[3]);
    }
}

static int write_outputs(const char *dir, long n_params, Score score,
                         Error *err)
{
    if (write_costs(dir, err) != 0)
        return -1;
    FILE *values = output_open(dir, "values.txt", err);
    if (values == NULL)
        return -1;
    fprintf(values, "n_params %ld\nloss %.4f\naccuracy %.2f\nln10 %.4f\n",
            n_params, score.loss, 100.0 * score.accuracy,
            log((double)N_CLASSES));
    fprintf(values, "headline untrained: cost %.4f, accuracy %.2f%%\n",
            score.loss, 100.0 * score.accuracy);
    return output_close(values, dir, "values.txt", err);
}

int main(int argc, char **argv)
{
    cli_init(argc, argv);
    const char *data_dir = "data/mnist", *out_dir = NULL;
    long seed = 1;
    int hidden[NETWORK_MAX_LAYERS - 1] = {16, 16}, n_hidden = 2;
    int init = INIT_HE;
    const Option options[] = {
        OPTION_DATA(&data_dir),
        OPTION_SEED(&seed),
        {"--hidden", "LIST", OPTION_SIZES, hidden, 1, NETWORK_MAX_LAYERS - 1,
         .count = &n_hidden, .help = "hidden layer sizes (default 16,16)"},
        {"--init", "NAME", OPTION_CHOICE, &init, .choices = "small|he",
         .help = "he (default) or small"},
        OPTION_OUT(&out_dir),
    };
    options_parse(options, OPTIONS_COUNT(options),
                  "The cost and accuracy of an untrained network on the test "
                  "set.",
                  argc, argv);
    Digits train, test;
    Network net;
    Error err;
    if (mnist_load(&train, &test, data_dir, &err) != 0)
        fail_with(&err);
    digits_free(&train);
    print_cost_table();
    int sizes[NETWORK_MAX_LAYERS + 1];
    int n_sizes =
        digit_network_sizes(sizes, test.rows * test.cols, hidden, n_hidden);
    if (network_init(&net, sizes, n_sizes, EVALUATE_BATCH, &err) != 0)
        fail_with(&err);
    Rng rng;
    rng_seed(&rng, (uint64_t)seed);
    network_randomize(&net, (Init)init, &rng);
    long n_params = network_count_params(&net);
    printf("\nAn untrained network ");
    network_print_sizes(stdout, &net);
    printf(" (%ld weights and biases,\n--init %s, --seed %ld) on all %zu test "
           "digits:\n",
           n_params, init == INIT_HE ? "he" : "small", seed, test.n);
    Score score = network_evaluate(&net, &test);
    printf("  cost (mean cross-entropy)  %.4f   (ln 10 = %.4f)\n", score.loss,
           log((double)N_CLASSES));
    printf("  accuracy                   %.2f%%   (1 in 10 = 10%%)\n",
           100.0 * score.accuracy);
    int status =
        out_dir != NULL ? write_outputs(out_dir, n_params, score, &err) : 0;
    network_free(&net);
    digits_free(&test);
    if (status != 0 || outputs_commit(&err) != 0)
        fail_with(&err);
    return 0;
}

#endif /* CH05_NO_MAIN */
#endif /* CH05_CROSS_ENTROPY_C */
