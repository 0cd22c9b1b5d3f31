/* Chapter 2: one layer of neurons, y = x W + b.
 *
 *   cc -std=c11 -O3 code/02_affine.c -lm -o bin/02_affine
 *   bin/02_affine            one test digit through a random 784 -> 16 layer
 *
 * Adds: the workbook's seeded random generator, a layer of weights and
 * biases with its initialisation, and the layer's forward pass.
 */
#ifndef CH02_AFFINE_C
#define CH02_AFFINE_C

#define CH01_NO_MAIN /* reuse chapter 1's code, not its demo */
#include "01_idx.c"

/* ---- What this chapter adds ------------------------------------------- */

// @listing rng_type
/* A random number generator small enough to read: SplitMix64. Same seed,
 * same numbers, on every machine, unlike rand(), whose sequence differs
 * between C libraries (and is often poor). */
typedef struct {
    uint64_t state;
} Rng;
// @end rng_type

// @listing init_type
/* How to choose a layer's first, random weights. */
typedef enum {
    INIT_SMALL, /* normal, standard deviation 0.1 (the original write-up) */
    INIT_HE     /* normal, standard deviation sqrt(2 / n_in) (for ReLU) */
} Init;
// @end init_type

// @listing affine_type
/* A fully connected ("affine") layer: n_out neurons, each with one weight
 * per input and one bias. weights[i * n_out + j] connects input i to
 * neuron j. */
typedef struct {
    int n_in, n_out;
    float *weights; /* [n_in x n_out] */
    float *biases;  /* [n_out] */
} Affine;
// @end affine_type

void rng_seed(Rng *rng, uint64_t seed);
uint64_t rng_next(Rng *rng);
float rng_uniform(Rng *rng);
float rng_normal(Rng *rng);
uint32_t rng_below(Rng *rng, uint32_t n);
int affine_init(Affine *layer, int n_in, int n_out, Error *err);
void affine_free(Affine *layer);
void affine_randomize(Affine *layer, Init init, Rng *rng);
WIDE_VECTORS void affine_forward(float *y, const float *x, const Affine *layer,
                                 int n_batch);
void digits_inputs(float *x, const Digits *digits, const size_t *indices,
                   int n_batch);
void affine_forward_by_neuron(float *y, const float *x, const Affine *layer,
                              int n_batch);

/* Plumbing for the demos of chapters 2 to 4: one test digit, as inputs. */
typedef struct {
    float *x; /* [rows * cols], 0..1 */
    int rows, cols, label;
    long index;
} TestDigit;

int test_digit_load(TestDigit *digit, const char *data_dir, long index,
                    Error *err);
void test_digit_free(TestDigit *digit);
// clang-format off
#define OPTION_DIGIT(target)                                                  \
    {"--digit", "N", OPTION_WHOLE, target, 0, LONG_MAX,                       \
     .help = "which test digit (default 0)"}
// clang-format on

/* ---- Random numbers ----------------------------------------------------- */

// @listing rng
/* SplitMix64 (Steele, Lea and Flood, 2014): add a constant to the state,
 * then scramble the bits. The constant is 2^64 divided by the golden ratio,
 * so successive states are spread evenly; the scrambling makes each output
 * look unrelated to the last. uint64_t arithmetic wraps around modulo 2^64
 * by definition in C, so this gives the same numbers everywhere. */
void rng_seed(Rng *rng, uint64_t seed)
{
    rng->state = seed;
}

uint64_t rng_next(Rng *rng)
{
    uint64_t z = (rng->state += 0x9E3779B97F4A7C15u);
    z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9u;
    z = (z ^ (z >> 27)) * 0x94D049BB133111EBu;
    return z ^ (z >> 31);
}

/* Uniform in [0, 1): the top 24 bits, as many as a float holds exactly. */
float rng_uniform(Rng *rng)
{
    return (float)(rng_next(rng) >> 40) * (1.0f / 16777216.0f);
}

/* Normal (Gaussian), mean 0 and standard deviation 1, by the Box-Muller
 * transform: two uniform numbers u1, u2 give
 *     sqrt(-2 ln u1) * cos(2 pi u2).
 * u1 is taken in (0, 1] so that ln u1 is finite. */
float rng_normal(Rng *rng)
{
    double u1 = 1.0 - (double)(rng_next(rng) >> 11) * 0x1p-53;
    double u2 = (double)(rng_next(rng) >> 11) * 0x1p-53;
    return (float)(sqrt(-2.0 * log(u1)) *
                   cos(2.0 * 3.14159265358979323846 * u2));
}
// @end rng

// @listing rng_below
/* A whole number in [0, n), for shuffling. Taking the high bits of a
 * 64 x 32-bit product (Lemire's method, without its rejection step) is
 * biased by at most n / 2^32: for n = 60000, about 1 in 70000. */
uint32_t rng_below(Rng *rng, uint32_t n)
{
    return (uint32_t)(((rng_next(rng) >> 32) * (uint64_t)n) >> 32);
}
// @end rng_below

/* ---- A layer -------------------------------------------------------------- */

// @listing affine_init
/* Allocate an n_in -> n_out layer with all weights and biases 0 (or say
 * how much memory a too-large one would need: MEMORY_CAP, code/common.h). */
int affine_init(Affine *layer, int n_in, int n_out, Error *err)
{
    *layer = (Affine){.n_in = n_in, .n_out = n_out};
    char what[64];
    snprintf(what, sizeof what, "a layer of %d x %d", n_in, n_out);
    if (memory_check(((size_t)n_in + 1) * (size_t)n_out * sizeof(float), what,
                     err) != 0)
        return -1;
    layer->weights = calloc((size_t)n_in * (size_t)n_out, sizeof(float));
    layer->biases = calloc((size_t)n_out, sizeof(float));
    if (layer->weights == NULL || layer->biases == NULL) {
        affine_free(layer);
        return error_set(err, "out of memory for a %d x %d layer", n_in, n_out);
    }
    return 0;
}

void affine_free(Affine *layer)
{
    free(layer->weights);
    free(layer->biases);
    *layer = (Affine){0};
}
// @end affine_init

// @listing affine_randomize
/* Random weights, biases 0. If all weights started equal, every neuron of
 * the layer would compute the same thing and receive the same correction,
 * forever: randomness breaks that symmetry.
 *
 * How large? A neuron sums n_in products x[i] w[i]. With weights of
 * standard deviation s, the sum's variance is s^2 * (sum of x[i]^2), that
 * is s^2 * n_in times the inputs' mean square. He et al. (2015) choose
 * s = sqrt(2 / n_in): the sum's mean square is then twice the inputs'.
 * ReLU (chapter 3) zeroes about half of the sums, which halves it again, so
 * each layer passes on signals about as large as it received, however many
 * layers are stacked. INIT_SMALL (s = 0.1 whatever n_in) is what the
 * original TensorFlow write-up used. */
void affine_randomize(Affine *layer, Init init, Rng *rng)
{
    float scale = init == INIT_HE ? sqrtf(2.0f / (float)layer->n_in) : 0.1f;
    size_t n_weights = (size_t)layer->n_in * (size_t)layer->n_out;
    for (size_t k = 0; k < n_weights; k++)
        layer->weights[k] = scale * rng_normal(rng);
    for (int j = 0; j < layer->n_out; j++)
        layer->biases[j] = 0.0f;
}
// @end affine_randomize

// @listing affine_forward
/* y = x W + b, for a batch of n_batch inputs at once:
 *
 *     y[b][j] = biases[j] + sum over i of x[b][i] * weights[i][j]
 *
 *   x: [n_batch x n_in]   y: [n_batch x n_out], overwritten
 *
 * The loops run i outside and j inside: each input x[b][i] is added, times
 * its row of weights, to all n_out sums at once. The inner loop then walks
 * two arrays in order with no sum to carry from one step to the next, which
 * the compiler turns into vector instructions (8 floats at a time). And an
 * input that is 0, like the 81% of MNIST's pixels that are bare paper, or a
 * neuron that ReLU switched off, can skip its whole row. */
WIDE_VECTORS void affine_forward(float *y, const float *x, const Affine *layer,
                                 int n_batch)
{
    // @solution 2.1 y = x W + b for a batch
    int n_in = layer->n_in, n_out = layer->n_out;
    for (int b = 0; b < n_batch; b++) {
        float *y_row = y + (size_t)b * n_out;
        const float *x_row = x + (size_t)b * n_in;
        for (int j = 0; j < n_out; j++)
            y_row[j] = layer->biases[j];
        for (int i = 0; i < n_in; i++) {
            float x_i = x_row[i];
            if (x_i == 0.0f)
                continue; /* adds nothing */
            const float *w_row = layer->weights + (size_t)i * n_out;
            for (int j = 0; j < n_out; j++)
                y_row[j] += x_i * w_row[j];
        }
    }
    // @end 2.1
}
// @end affine_forward

/* Exercise 2.2: the same y = x W + b, computed the way the video writes
 * it: for each neuron j, the dot product of the input with column j of W,
 * plus b[j]. (Slower: the inner loop jumps n_out floats at a time through
 * W and carries one running sum. Time both with a large layer.)
 *   x: [n_batch x n_in]   y: [n_batch x n_out], overwritten */
void affine_forward_by_neuron(float *y, const float *x, const Affine *layer,
                              int n_batch)
{
    // @solution 2.2 y[b][j] = b[j] + dot(x[b], column j of W)
    int n_in = layer->n_in, n_out = layer->n_out;
    for (int b = 0; b < n_batch; b++) {
        for (int j = 0; j < n_out; j++) {
            float sum = layer->biases[j];
            for (int i = 0; i < n_in; i++)
                sum += x[(size_t)b * n_in + i] *
                       layer->weights[(size_t)i * n_out + j];
            y[(size_t)b * n_out + j] = sum;
        }
    }
    // @end 2.2
}

// @listing digits_inputs
/* x[b] = image indices[b] of `digits`, grey levels 0..255 scaled to
 * 0..1 (0 paper, 1 full ink).
 *   x: [n_batch x rows*cols], overwritten */
void digits_inputs(float *x, const Digits *digits, const size_t *indices,
                   int n_batch)
{
    size_t size = (size_t)digits->rows * (size_t)digits->cols;
    for (int b = 0; b < n_batch; b++) {
        const uint8_t *pixels = digits->pixels + indices[b] * size;
        for (size_t p = 0; p < size; p++)
            x[(size_t)b * size + p] = (float)pixels[p] / 255.0f;
    }
}
// @end digits_inputs

/* Test digit `index` of the MNIST files in data_dir, as inputs. Returns 0,
 * or -1 with err set (a usage error if there is no such digit). */
int test_digit_load(TestDigit *digit, const char *data_dir, long index,
                    Error *err)
{
    *digit = (TestDigit){.index = index};
    Digits train, test;
    if (mnist_load(&train, &test, data_dir, err) != 0)
        return -1;
    int status = index_check(index, test.n, "--digit", err);
    size_t size = (size_t)test.rows * (size_t)test.cols;
    if (status == 0 && (digit->x = malloc(size * sizeof(float))) == NULL)
        status = error_set(err, "out of memory");
    if (status == 0) {
        size_t at = (size_t)index;
        digits_inputs(digit->x, &test, &at, 1);
        digit->rows = test.rows;
        digit->cols = test.cols;
        digit->label = test.labels[at];
    }
    digits_free(&train);
    digits_free(&test);
    return status;
}

void test_digit_free(TestDigit *digit)
{
    free(digit->x);
    *digit = (TestDigit){0};
}

/* ---- The demo ----------------------------------------------------------- */
#ifndef CH02_NO_MAIN

/* sqrt of the mean of v[k]^2: how large the numbers are, whatever their
 * sign. */
static double root_mean_square(const float *v, int n)
{
    double sum = 0.0;
    for (int k = 0; k < n; k++)
        sum += (double)v[k] * (double)v[k];
    return sqrt(sum / n);
}

/* weights.dat: each neuron's 784 weights as a 28 x 28 image, 4 to a row. */
static int write_weight_images(const char *dir, const Affine *layer, int rows,
                               int cols, Error *err)
{
    enum { PER_ROW = 4, PAD = 2 };
    int n = layer->n_out, grid_rows = (n + PER_ROW - 1) / PER_ROW;
    int width = PER_ROW * (cols + PAD), height = grid_rows * (rows + PAD);
    FILE *out = output_open(dir, "weights.dat", err);
    if (out == NULL)
        return -1;
    for (int y = 0; y < height; y++) {
        for (int x = 0; x < width; x++) {
            int neuron = y / (rows + PAD) * PER_ROW + x / (cols + PAD);
            int r = y % (rows + PAD), c = x % (cols + PAD);
            /* 0 draws as white: the gaps between images. */
            if (neuron < n && r < rows && c < cols)
                fprintf(out, "%.4f",
                        (double)layer
                            ->weights[(size_t)(r * cols + c) * n + neuron]);
            else
                fprintf(out, "0");
            fputc(x + 1 < width ? ' ' : '\n', out);
        }
    }
    return output_close(out, dir, "weights.dat", err);
}

/* How large the sums are, against what the weights' spread predicts. */
typedef struct {
    double input_rms, rms, weight_sd, predicted;
} SumSizes;

static SumSizes print_sums(const TestDigit *digit, const float *y,
                           int n_neurons, Init init, long seed)
{
    int n_in = digit->rows * digit->cols;
    printf("A layer of %d neurons, each with %d weights and a bias: %ld "
           "numbers,\ndrawn at random (--init %s, --seed %ld).\n\n",
           n_neurons, n_in, (long)n_neurons * (n_in + 1),
           init == INIT_HE ? "he" : "small", seed);
    SumSizes z = {.input_rms = root_mean_square(digit->x, n_in),
                  .rms = root_mean_square(y, n_neurons)};
    printf("Test digit %ld (a %d) goes in as %d numbers from 0 to 1; most are "
           "0 (bare\npaper), and their root mean square is %.3f. Each "
           "neuron's weighted sum of\nthem, plus its bias:\n",
           digit->index, digit->label, n_in, z.input_rms);
    double sum = 0;
    for (int j = 0; j < n_neurons; j++) {
        printf("  neuron %2d: %8.4f%s", j, (double)y[j],
               j % 4 == 3 || j + 1 == n_neurons ? "\n" : "");
        sum += (double)y[j];
    }
    /* A sum of n_in products x[i] w[i], with weights of standard deviation
     * s, has standard deviation s * sqrt(sum of x[i]^2). */
    z.weight_sd = init == INIT_HE ? sqrt(2.0 / n_in) : 0.1;
    z.predicted = z.weight_sd * sqrt((double)n_in) * z.input_rms;
    printf("\nTheir average is %.3f and their root mean square %.3f. "
           "Weights of standard\ndeviation %.4f predict %.3f: %.4f x "
           "sqrt(%d) x %.3f.\n",
           sum / n_neurons, z.rms, z.weight_sd, z.predicted, z.weight_sd, n_in,
           z.input_rms);
    return z;
}

static int write_outputs(const char *dir, const Affine *layer,
                         const TestDigit *digit, const float *y, SumSizes z,
                         Error *err)
{
    FILE *values = output_open(dir, "values.txt", err);
    if (values == NULL)
        return -1;
    long n_params = (long)layer->n_out * (layer->n_in + 1);
    fprintf(values,
            "n_params %ld\nrms %.3f\nneuron_0 %.4f\ninput_rms %.3f\n"
            "weight_sd %.4f\npredicted_rms %.3f\n",
            n_params, z.rms, (double)y[0], z.input_rms, z.weight_sd,
            z.predicted);
    fprintf(values, "headline %d weighted sums, root mean square %.3f\n",
            layer->n_out, z.rms);
    if (output_close(values, dir, "values.txt", err) != 0)
        return -1;
    return write_weight_images(dir, layer, digit->rows, digit->cols, err);
}

int main(int argc, char **argv)
{
    cli_init(argc, argv);
    const char *data_dir = "data/mnist", *out_dir = NULL;
    long seed = 1, index = 0, n_neurons = 16;
    int init = INIT_HE;
    const Option options[] = {
        OPTION_DATA(&data_dir),
        OPTION_SEED(&seed),
        {"--init", "NAME", OPTION_CHOICE, &init, .choices = "small|he",
         .help = "he (default) or small: how to draw the weights"},
        OPTION_DIGIT(&index),
        {"--neurons", "N", OPTION_WHOLE, &n_neurons, 1, 4096,
         .help = "neurons in the layer (default 16)"},
        OPTION_OUT(&out_dir),
    };
    options_parse(options, OPTIONS_COUNT(options),
                  "Send one test digit through one layer of random neurons.",
                  argc, argv);
    TestDigit digit;
    Affine layer;
    Error err;
    if (test_digit_load(&digit, data_dir, index, &err) != 0 ||
        affine_init(&layer, digit.rows * digit.cols, (int)n_neurons, &err) != 0)
        fail_with(&err);
    float *y = malloc((size_t)n_neurons * sizeof *y);
    if (y == NULL) {
        error_set(&err, "out of memory");
        fail_with(&err);
    }
    Rng rng;
    rng_seed(&rng, (uint64_t)seed);
    affine_randomize(&layer, (Init)init, &rng);
    affine_forward(y, digit.x, &layer, 1);
    SumSizes z = print_sums(&digit, y, (int)n_neurons, (Init)init, seed);
    int status = out_dir != NULL
                     ? write_outputs(out_dir, &layer, &digit, y, z, &err)
                     : 0;
    affine_free(&layer);
    test_digit_free(&digit);
    free(y);
    if (status != 0 || outputs_commit(&err) != 0)
        fail_with(&err);
    return 0;
}

#endif /* CH02_NO_MAIN */
#endif /* CH02_AFFINE_C */
