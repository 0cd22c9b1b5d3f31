/* Chapter 10: inside the trained network. What did it learn?
 *
 *   cc -std=c11 -O3 code/10_inside.c -lm -o bin/10_inside
 *   bin/10_inside --model bin/09_best.net              its confusions
 *   bin/10_inside --model bin/09_best.net --classify my_digit.pgm
 *
 * Adds: the confusion matrix, and reading a digit of your own from a PGM
 * image, prepared the way MNIST's digits were.
 */
#ifndef CH10_INSIDE_C
#define CH10_INSIDE_C

#define CH09_NO_MAIN /* reuse chapter 9's code, not its demo */
#include "09_regularise.c"

#include <ctype.h>

/* ---- What this chapter adds ------------------------------------------- */

#define PGM_MAX_SIDE 4096

/* A grey image of width x height values from 0 (black) to 1 (white). */
typedef struct {
    int width, height;
    float *values; /* [height x width], row by row */
} Image;

void confusion_count(long counts[10][10], Network *net, const Digits *digits);
long most_common_mistake(int *label, int *answer, long counts[10][10]);
int pgm_load(Image *image, const char *path, Error *err);
void image_free(Image *image);
int image_to_mnist(float *x, const Image *image, Error *err);

/* counts[label][answer] += 1 for every digit: the diagonal holds the right
 * answers, everything else says which digit was taken for which.
 *   counts: overwritten */
void confusion_count(long counts[10][10], Network *net, const Digits *digits)
{
    // @solution 10.1 count [true digit][answer] over all digits
    memset(counts, 0, 10 * sizeof counts[0]);
    int chunk = net->max_batch;
    size_t indices[NETWORK_MAX_BATCH];
    for (size_t start = 0; start < digits->n; start += (size_t)chunk) {
        int n = digits->n - start < (size_t)chunk ? (int)(digits->n - start)
                                                  : chunk;
        for (int b = 0; b < n; b++)
            indices[b] = start + (size_t)b;
        digits_inputs(net->inputs, digits, indices, n);
        const float *p = network_forward(net, net->inputs, n);
        for (int b = 0; b < n; b++)
            counts[digits->labels[start + (size_t)b]][argmax(p + b * 10, 10)]++;
    }
    // @stub 10.1
    // exercise_todo("10.1");
    // memset(counts, 0, 10 * sizeof counts[0]);
    // (void)net;
    // (void)digits;
    // @end 10.1
}

/* Exercise 10.2: the largest count off the diagonal of a confusion matrix:
 * the mistake made most often, `label` read as `answer` (the first one, on
 * a tie). Returns its count (0 for a perfect network). */
long most_common_mistake(int *label, int *answer, long counts[10][10])
{
    // @solution 10.2 the largest counts[t][a] with t != a
    long most = 0;
    *label = *answer = 0;
    for (int t = 0; t < 10; t++) {
        for (int a = 0; a < 10; a++) {
            if (t != a && counts[t][a] > most) {
                most = counts[t][a];
                *label = t;
                *answer = a;
            }
        }
    }
    return most;
    // @stub 10.2
    // exercise_todo("10.2");
    // (void)counts;
    // *label = *answer = 0;
    // return 0;
    // @end 10.2
}

/* ---- Reading a PGM image -------------------------------------------------- */

/* The next whole number of a PGM header, skipping white space and
 * "# comment" lines: -1 if there is none, -2 if it is not a whole number of
 * at most 6 digits that ends in white space or the end of the file (so
 * "1.5" is refused, not read as 1 and then 5). */
static long pgm_number(FILE *file)
{
    int c = fgetc(file);
    while (c == '#' || isspace(c)) {
        if (c == '#')
            while (c != '\n' && c != EOF)
                c = fgetc(file);
        c = fgetc(file);
    }
    if (!isdigit(c))
        return c == EOF ? -1 : -2;
    long value = 0;
    for (int digits = 0; isdigit(c); digits++) {
        if (digits == 6)
            return -2;
        value = value * 10 + (c - '0');
        c = fgetc(file);
    }
    return c == EOF || isspace(c) ? value : -2;
}

// @listing pgm_load
/* Read a PGM ("portable grey map") image: the simplest image format there
 * is, and one that GIMP, ImageMagick and most paint programs can write.
 *
 *   P5 <width> <height> <maxval> <one byte per pixel (two if maxval > 255)>
 *   P2 <width> <height> <maxval> <the values as decimal numbers>
 *
 * Like the IDX loader, it checks each claim before trusting it: the sizes
 * (at most 4096 x 4096), the maximum value (1 to 65535), that the file is
 * long enough for that many pixels (before allocating them), every value,
 * and that the data is all there. */
int pgm_load(Image *image, const char *path, Error *err)
{
    *image = (Image){0};
    size_t file_size;
    FILE *file = input_open(path, &file_size, err);
    if (file == NULL)
        return -1;
    char magic[2] = {0};
    int status = -1;
    long width = -1, height = -1, maxval = -1;
    if (fread(magic, 1, 2, file) != 2 || magic[0] != 'P' ||
        (magic[1] != '2' && magic[1] != '5')) {
        error_set(err, "%s: not a PGM image (expected P2 or P5 at the start)",
                  path);
    } else if ((width = pgm_number(file)) < 1 ||
               (height = pgm_number(file)) < 1 || width > PGM_MAX_SIDE ||
               height > PGM_MAX_SIDE) {
        error_set(err, "%s: image size must be 1 to %d pixels each way", path,
                  PGM_MAX_SIDE);
    } else if ((maxval = pgm_number(file)) < 1 || maxval > 65535) {
        error_set(err, "%s: maximum grey value must be 1 to 65535", path);
    } else {
        status = 0;
    }
    size_t n = status == 0 ? (size_t)width * (size_t)height : 0;
    /* Is the file long enough? Each pixel takes 1 or 2 bytes in P5, and at
     * least 2 in P2 (a digit and a space, but the last may end the file). */
    size_t least = magic[1] == '5' ? n * (maxval > 255 ? 2 : 1) : 2 * n - 1;
    long header = status == 0 ? ftell(file) : 0;
    if (status == 0 && (header < 0 || file_size - (size_t)header < least))
        status =
            error_set(err,
                      "%s: truncated (%ld x %ld pixels need at least "
                      "%zu bytes after the header, the file has %zu)",
                      path, width, height, least, file_size - (size_t)header);
    if (status == 0 && (image->values = malloc(n * sizeof(float))) == NULL)
        status = error_set(err, "%s: out of memory", path);
    for (size_t k = 0; k < n && status == 0; k++) {
        long value;
        if (magic[1] == '2') {
            value = pgm_number(file);
        } else {
            int high = maxval > 255 ? fgetc(file) : 0, low = fgetc(file);
            value = high == EOF || low == EOF ? -1 : high << 8 | low;
        }
        if (value == -2)
            status = error_set(err, "%s: pixel %zu is not a whole number", path,
                               k + 1);
        else if (value < 0)
            status = error_set(err,
                               "%s: truncated (pixel %zu of %zu is "
                               "missing)",
                               path, k + 1, n);
        else if (value > maxval)
            status = error_set(err,
                               "%s: pixel %zu is %ld, above the "
                               "maximum %ld",
                               path, k + 1, value, maxval);
        else
            image->values[k] = (float)value / (float)maxval;
    }
    fclose(file);
    if (status != 0) {
        image_free(image);
        return -1;
    }
    image->width = (int)width;
    image->height = (int)height;
    return 0;
}
// @end pgm_load

void image_free(Image *image)
{
    free(image->values);
    *image = (Image){0};
}

// @listing image_to_mnist
/* Prepare an image the way MNIST's digits were prepared (LeCun et al.):
 *
 *  1. ink is bright: if the image's border is mostly light (dark ink on
 *     white paper, as people draw), turn it over;
 *  2. crop to the box around the ink, and scale that box, keeping its
 *     shape, to fit 20 x 20 pixels (each new pixel averages the old pixels
 *     it covers);
 *  3. place it in a 28 x 28 image so that its centre of mass is at the
 *     centre.
 *
 * A network trained on MNIST has only ever seen digits prepared this way:
 * a digit drawn small in a corner would be as foreign to it as noise.
 *   x: [28 * 28], overwritten with values 0..1. */
int image_to_mnist(float *x, const Image *image, Error *err)
{
    int w = image->width, h = image->height;
    const float *v = image->values;
    double border = 0.0;
    for (int c = 0; c < w; c++)
        border += (double)v[c] + (double)v[(size_t)(h - 1) * w + c];
    for (int r = 0; r < h; r++)
        border += (double)v[(size_t)r * w] + (double)v[(size_t)r * w + w - 1];
    int invert = border / (2.0 * (w + h)) > 0.5;

    /* 2. The ink's bounding box (ink: more than a quarter of full). */
    int top = h, bottom = -1, left = w, right = -1;
    for (int r = 0; r < h; r++)
        for (int c = 0; c < w; c++) {
            float ink =
                invert ? 1.0f - v[(size_t)r * w + c] : v[(size_t)r * w + c];
            if (ink > 0.25f) {
                top = r < top ? r : top;
                bottom = r > bottom ? r : bottom;
                left = c < left ? c : left;
                right = c > right ? c : right;
            }
        }
    if (bottom < 0)
        return error_set(err, "the image has no ink: it is blank");
    int box_w = right - left + 1, box_h = bottom - top + 1;
    int box = box_w > box_h ? box_w : box_h;
    int out_w = box_w * 20 / box, out_h = box_h * 20 / box;
    out_w = out_w < 1 ? 1 : out_w;
    out_h = out_h < 1 ? 1 : out_h;

    float patch[20 * 20];
    double mass = 0.0, mass_r = 0.0, mass_c = 0.0;
    for (int r = 0; r < out_h; r++) {
        for (int c = 0; c < out_w; c++) {
            /* The source rectangle that new pixel (r, c) covers. */
            int r0 = top + r * box_h / out_h,
                r1 = top + (r + 1) * box_h / out_h;
            int c0 = left + c * box_w / out_w;
            int c1 = left + (c + 1) * box_w / out_w;
            r1 = r1 > r0 ? r1 : r0 + 1;
            c1 = c1 > c0 ? c1 : c0 + 1;
            double sum = 0.0;
            for (int rr = r0; rr < r1; rr++)
                for (int cc = c0; cc < c1; cc++) {
                    float value = v[(size_t)rr * w + cc];
                    sum += (double)(invert ? 1.0f - value : value);
                }
            float ink = (float)(sum / ((r1 - r0) * (c1 - c0)));
            patch[r * 20 + c] = ink;
            mass += (double)ink;
            mass_r += (double)ink * r;
            mass_c += (double)ink * c;
        }
    }
    /* 3. Shift so that the centre of mass lands on pixel (14, 14), keeping
     * the patch inside the image. */
    int shift_r = (int)lround(14.0 - mass_r / mass - 0.5);
    int shift_c = (int)lround(14.0 - mass_c / mass - 0.5);
    shift_r = shift_r < 0 ? 0 : shift_r > 28 - out_h ? 28 - out_h : shift_r;
    shift_c = shift_c < 0 ? 0 : shift_c > 28 - out_w ? 28 - out_w : shift_c;
    for (int k = 0; k < 28 * 28; k++)
        x[k] = 0.0f;
    for (int r = 0; r < out_h; r++)
        for (int c = 0; c < out_w; c++)
            x[(r + shift_r) * 28 + c + shift_c] = patch[r * 20 + c];
    return 0;
}
// @end image_to_mnist

/* ---- The demo ----------------------------------------------------------- */
#ifndef CH10_NO_MAIN

static void usage(void)
{
    printf("Usage: %s --model FILE [--classify IMAGE.pgm] [--data DIR]\n"
           "          [--out DIR]\n"
           "Look inside a network saved by chapter 7 or 9.\n"
           "  --model FILE       the saved network (from --save)\n"
           "  --classify IMAGE   read a digit of your own from a PGM image\n"
           "                     and show the network's probabilities\n"
           "  --data DIR         folder with the MNIST files (default "
           "data/mnist)\n"
           "  --out DIR          also write the figure data and values.txt\n",
           program_name);
}

static int classify(Network *net, const char *path)
{
    Image image;
    Error err;
    if (pgm_load(&image, path, &err) != 0)
        fail_with(&err);
    float x[28 * 28];
    if (image_to_mnist(x, &image, &err) != 0) {
        image_free(&image);
        char reason[sizeof err.msg];
        snprintf(reason, sizeof reason, "%s", err.msg);
        error_set(&err, "%s: %s", path, reason);
        fail_with(&err);
    }
    uint8_t pixels[28 * 28];
    for (int k = 0; k < 28 * 28; k++)
        pixels[k] = (uint8_t)lroundf(255.0f * x[k]);
    printf("%s: %d x %d pixels, prepared as MNIST's digits were:\n", path,
           image.width, image.height);
    digit_print(stdout, pixels, 28, 28);
    const float *p = network_forward(net, x, 1);
    int best = argmax(p, 10);
    printf("The network's probabilities:\n");
    for (int d = 0; d < 10; d++) {
        printf("  %d  %5.1f%%  ", d, 100.0 * (double)p[d]);
        for (int bar = 0; bar < (int)lroundf(40.0f * p[d]); bar++)
            putchar('#');
        printf("\n");
    }
    printf("It reads a %d.\n", best);
    image_free(&image);
    return 0;
}

/* weights.dat: the first layer's weights of up to 64 neurons as images of
 * the digits' size (28 x 28 for MNIST), 8 to a row (4 when there are 16 or
 * fewer), scaled per neuron to -1..1 so that every neuron's pattern shows. */
static int write_weights(const char *dir, const Network *net, int rows,
                         int cols, Error *err)
{
    const Affine *layer = &net->layers[0];
    int n = layer->n_out < 64 ? layer->n_out : 64;
    int per_row = n <= 16 ? 4 : 8, grid_rows = (n + per_row - 1) / per_row;
    int cell_w = cols + 2, cell_h = rows + 2;
    FILE *out = output_open(dir, "weights.dat", err);
    if (out == NULL)
        return -1;
    float scale[64];
    for (int j = 0; j < n; j++) {
        scale[j] = 1e-12f;
        for (int i = 0; i < layer->n_in; i++)
            scale[j] =
                fmaxf(scale[j], fabsf(layer->weights[i * layer->n_out + j]));
    }
    for (int y = 0; y < grid_rows * cell_h; y++) {
        for (int x = 0; x < per_row * cell_w; x++) {
            int j = y / cell_h * per_row + x / cell_w;
            int r = y % cell_h, c = x % cell_w;
            float value = 0.0f; /* white: the gaps */
            if (j < n && r < rows && c < cols)
                value = layer->weights[(r * cols + c) * layer->n_out + j] /
                        scale[j];
            fprintf(out, "%.3f%c", (double)value,
                    x + 1 < per_row * cell_w ? ' ' : '\n');
        }
    }
    return output_close(out, dir, "weights.dat", err);
}

/* errors.dat and errors_labels.dat: the first 40 test digits the network
 * gets wrong, 10 to a row, each labelled "truth>answer". */
static int write_errors(const char *dir, Network *net, const Digits *test,
                        Error *err)
{
    enum { N = 40, PER_ROW = 10 };
    int rows = test->rows, cols = test->cols;
    int cell_w = cols + 4, cell_h = rows + 10;
    size_t size = (size_t)rows * (size_t)cols;
    size_t wrong[N];
    int answers[N], found = 0;
    for (size_t i = 0; i < test->n && found < N; i++) {
        digits_inputs(net->inputs, test, &i, 1);
        int answer = argmax(network_forward(net, net->inputs, 1), 10);
        if (answer != test->labels[i]) {
            answers[found] = answer;
            wrong[found++] = i;
        }
    }
    FILE *image = output_open(dir, "errors.dat", err);
    FILE *labels = image ? output_open(dir, "errors_labels.dat", err) : NULL;
    if (labels == NULL)
        return -1; /* the run fails: its outputs are removed */
    int grid_rows = (found + PER_ROW - 1) / PER_ROW;
    for (int y = 0; y < grid_rows * cell_h; y++) {
        for (int x = 0; x < PER_ROW * cell_w; x++) {
            int k = y / cell_h * PER_ROW + x / cell_w;
            int r = y % cell_h - 10, c = x % cell_w - 2;
            int value = 0;
            if (k < found && r >= 0 && c >= 0 && c < cols)
                value = test->pixels[wrong[k] * size + (size_t)(r * cols + c)];
            fprintf(image, "%d%c", value,
                    x + 1 < PER_ROW * cell_w ? ' ' : '\n');
        }
    }
    for (int k = 0; k < found; k++)
        fprintf(labels, "%d %d %d>%d\n", k % PER_ROW * cell_w + cell_w / 2,
                k / PER_ROW * cell_h + 5, test->labels[wrong[k]], answers[k]);
    int status = output_close(labels, dir, "errors_labels.dat", err);
    if (output_close(image, dir, "errors.dat", err) != 0)
        status = -1;
    return status;
}

int main(int argc, char **argv)
{
    cli_init(argc, argv);
    const char *data_dir = "data/mnist", *model = NULL, *image = NULL,
               *out_dir = NULL;
    for (int i = 1; i < argc; i++) {
        if (option_is(argv[i], "--help")) {
            usage();
            return 0;
        } else if (option_is(argv[i], "--model")) {
            model = option_value(argc, argv, &i);
        } else if (option_is(argv[i], "--classify")) {
            image = option_value(argc, argv, &i);
        } else if (option_is(argv[i], "--data")) {
            data_dir = option_value(argc, argv, &i);
        } else if (option_is(argv[i], "--out")) {
            out_dir = option_value(argc, argv, &i);
        } else {
            usage_error("unknown option '%s'", argv[i]);
        }
    }
    if (model == NULL)
        usage_error("--model FILE is needed (save one with bin/07_sgd --save "
                    "FILE)");
    Network net;
    Error err;
    if (network_load(&net, model, EVALUATE_BATCH, &err) != 0)
        fail_with(&err);
    if (image != NULL) {
        /* A digit of your own needs the network, not MNIST. */
        if (net.sizes[0] != 784 || net.sizes[net.n_layers] != 10) {
            error_set(&err,
                      "%s: a network for %d inputs and %d classes; "
                      "--classify prepares 28 x 28 digits for 10 classes",
                      model, net.sizes[0], net.sizes[net.n_layers]);
            fail_with(&err);
        }
        classify(&net, image);
        network_free(&net);
        return 0;
    }
    Digits train, test;
    if (mnist_load(&train, &test, data_dir, &err) != 0)
        fail_with(&err);
    digits_free(&train);
    if (network_check_data(&net, model, &test, &err) != 0)
        fail_with(&err);

    long counts[10][10];
    confusion_count(counts, &net, &test);
    long right = 0;
    for (int t = 0; t < 10; t++)
        right += counts[t][t];
    int worst_label, worst_answer;
    long worst_count = most_common_mistake(&worst_label, &worst_answer, counts);
    printf("%s on the %zu test digits: %.2f%% right.\n\n", model, test.n,
           100.0 * (double)right / (double)test.n);
    printf("Confusion matrix (rows: the true digit, columns: the network's "
           "answer):\n\n       ");
    for (int a = 0; a < 10; a++)
        printf("%6d", a);
    printf("\n");
    for (int t = 0; t < 10; t++) {
        printf("  %d   ", t);
        for (int a = 0; a < 10; a++)
            printf("%6ld", counts[t][a]);
        printf("\n");
    }
    printf("\nThe most common mistake: %ld %ds read as %d.\n", worst_count,
           worst_label, worst_answer);

    int status = 0;
    if (out_dir != NULL) {
        FILE *matrix = output_open(out_dir, "confusion.dat", &err);
        status = matrix == NULL ? -1 : 0;
        if (matrix != NULL) {
            for (int t = 0; t < 10; t++)
                for (int a = 0; a < 10; a++)
                    fprintf(matrix, "%d %d %ld\n", a, t, counts[t][a]);
            status = output_close(matrix, out_dir, "confusion.dat", &err);
        }
        if (status == 0)
            status = write_weights(out_dir, &net, test.rows, test.cols, &err);
        if (status == 0)
            status = write_errors(out_dir, &net, &test, &err);
        FILE *values =
            status == 0 ? output_open(out_dir, "values.txt", &err) : NULL;
        if (values != NULL) {
            fprintf(values,
                    "accuracy %.2f\nerrors %ld\nworst_count %ld\n"
                    "worst_label %d\nworst_answer %d\n",
                    100.0 * (double)right / (double)test.n,
                    (long)test.n - right, worst_count, worst_label,
                    worst_answer);
            fprintf(values,
                    "headline %.2f%% right; most common mistake %d "
                    "read as %d\n",
                    100.0 * (double)right / (double)test.n, worst_label,
                    worst_answer);
            status = output_close(values, out_dir, "values.txt", &err);
        } else {
            status = -1;
        }
    }
    network_free(&net);
    digits_free(&test);
    if (status != 0 || outputs_commit(&err) != 0)
        fail_with(&err);
    return 0;
}

#endif /* CH10_NO_MAIN */
#endif /* CH10_INSIDE_C */
