/* Chapter 10: inside the trained network. What did it learn?
 *
 *   cc -std=c11 -O3 code/10_inside.c -lm -o bin/10_inside
 *   bin/10_inside --model figures/09_regularise/09_best.net              its confusions
 *   bin/10_inside --model figures/09_regularise/09_best.net --classify my_digit.pgm
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

// @listing image_type
/* A grey image of width x height values from 0 (black) to 1 (white). */
typedef struct {
    int width, height;
    float *values; /* [height x width], row by row */
} Image;
// @end image_type

void confusion_count(long counts[N_CLASSES][N_CLASSES], Network *net,
                     const Digits *digits);
long most_common_mistake(int *label, int *answer,
                         long counts[N_CLASSES][N_CLASSES]);
int pgm_load(Image *image, const char *path, Error *err);
void image_free(Image *image);
int image_to_mnist(float *x, const Image *image, Error *err);
int layer_activity(double *fires, double *seen, double *labels, Network *net,
                   int l, const Digits *digits, Error *err);
void weights_moved(double *moved, const Affine *now, const Affine *start);

/* counts[label][answer] += 1 for every digit: the diagonal holds the right
 * answers, everything else says which digit was taken for which.
 *   counts: overwritten */
void confusion_count(long counts[N_CLASSES][N_CLASSES], Network *net,
                     const Digits *digits)
{
    // @solution 10.1 count [true digit][answer] over all digits
    memset(counts, 0, N_CLASSES * sizeof counts[0]);
    const float *p = net->outputs[net->n_layers - 1];
    for (size_t start = 0; start < digits->n;) {
        int n = forward_slice(net, digits, start);
        for (int b = 0; b < n; b++) {
            int answer = argmax(p + b * N_CLASSES, N_CLASSES);
            counts[digits->labels[start + (size_t)b]][answer]++;
        }
        start += (size_t)n;
    }
    // @end 10.1
}

/* Exercise 10.2: the largest count off the diagonal of a confusion matrix:
 * the mistake made most often, `label` read as `answer` (the first one, on
 * a tie). Returns its count (0 for a perfect network). */
long most_common_mistake(int *label, int *answer,
                         long counts[N_CLASSES][N_CLASSES])
{
    // @solution 10.2 the largest counts[t][a] with t != a
    long most = 0;
    *label = *answer = 0;
    for (int t = 0; t < N_CLASSES; t++) {
        for (int a = 0; a < N_CLASSES; a++) {
            if (t != a && counts[t][a] > most) {
                most = counts[t][a];
                *label = t;
                *answer = a;
            }
        }
    }
    return most;
    // @end 10.2
}

/* ---- What each hidden neuron does ----------------------------------------- */

// @listing layer_activity
/* What hidden layer l's neurons respond to, over all of `digits`. For
 * neuron j, with output a_j (after ReLU) for each digit x:
 *
 *   fires[j]    = the fraction of the digits for which a_j > 0 (it is on)
 *   seen[j]     = sum of a_j * x / sum of a_j: the average digit, each
 *                 weighted by how strongly it turns neuron j on (the
 *                 picture the neuron "sees")
 *   labels[j][d] = the share of sum a_j that comes from digits labelled d
 *
 * A neuron that is on for almost no digit is "dead": ReLU passes it no
 * gradient (chapter 6), so almost nothing can switch it back on.
 *   fires: [n]   seen: [n x sizes[0]]   labels: [n x 10], n = sizes[l + 1];
 *   all overwritten. Returns 0, or -1 with err set if out of memory. */
int layer_activity(double *fires, double *seen, double *labels, Network *net,
                   int l, const Digits *digits, Error *err)
{
    int n_out = net->sizes[l + 1], n_in = net->sizes[0];
    double *strength = calloc((size_t)n_out, sizeof *strength);
    if (strength == NULL)
        return error_set(err, "out of memory for %d neurons", n_out);
    memset(fires, 0, (size_t)n_out * sizeof *fires);
    memset(seen, 0, (size_t)n_out * n_in * sizeof *seen);
    memset(labels, 0, (size_t)n_out * N_CLASSES * sizeof *labels);
    for (size_t start = 0; start < digits->n;) {
        int n = forward_slice(net, digits, start);
        for (int b = 0; b < n; b++) {
            const float *a = net->outputs[l] + (size_t)b * n_out;
            const float *x = net->inputs + (size_t)b * n_in;
            int label = digits->labels[start + (size_t)b];
            for (int j = 0; j < n_out; j++) {
                if (a[j] <= 0.0f)
                    continue; /* off: adds nothing */
                fires[j] += 1.0;
                strength[j] += (double)a[j];
                labels[j * N_CLASSES + label] += (double)a[j];
                for (int i = 0; i < n_in; i++)
                    seen[(size_t)j * n_in + i] += (double)(a[j] * x[i]);
            }
        }
        start += (size_t)n;
    }
    for (int j = 0; j < n_out; j++) {
        fires[j] /= (double)digits->n;
        for (int i = 0; i < n_in && strength[j] > 0.0; i++)
            seen[(size_t)j * n_in + i] /= strength[j];
        for (int d = 0; d < N_CLASSES && strength[j] > 0.0; d++)
            labels[j * N_CLASSES + d] /= strength[j];
    }
    free(strength);
    return 0;
}
// @end layer_activity

/* How far each neuron's weights moved from where training started: for
 * neuron j, the root mean square of now - start over its n_in weights.
 *   moved: [n_out], overwritten */
void weights_moved(double *moved, const Affine *now, const Affine *start)
{
    for (int j = 0; j < now->n_out; j++) {
        double sum = 0.0;
        for (int i = 0; i < now->n_in; i++) {
            double d = (double)now->weights[i * now->n_out + j] -
                       (double)start->weights[i * now->n_out + j];
            sum += d * d;
        }
        moved[j] = sqrt(sum / now->n_in);
    }
}

/* ---- Reading a PGM image -------------------------------------------------- */

/* The next whole number of a PGM header, skipping white space and
 * "# comment" lines: -1 if there is none, -2 if it is not a whole number of
 * at most 6 digits that ends in white space, a comment or the end of the
 * file (so "1.5" is refused, not read as 1 and then 5). A comment right
 * after a number ("28# wide") runs to the end of its line, whose newline
 * then ends the number, as netpbm reads it. */
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
    if (c == '#') { /* skip the comment, up to and with its newline */
        while (c != '\n' && c != EOF)
            c = fgetc(file);
        return value;
    }
    return c == EOF || isspace(c) ? value : -2;
}

// @listing pgm_load
/* A PGM header's claims. */
typedef struct {
    char format; /* '2': numbers as text, '5': bytes */
    long width, height, maxval;
} PgmHeader;

/* The header: magic, sizes, maximum value, each checked, and that the file
 * (file_size bytes) is long enough for that many pixels before anything is
 * allocated: each takes 1 or 2 bytes in P5, and at least 2 in P2 (a digit
 * and a space, but the last may end the file). */
static int pgm_header(PgmHeader *h, FILE *file, size_t file_size,
                      const char *path, Error *err)
{
    char magic[2] = {0};
    if (fread(magic, 1, 2, file) != 2 || magic[0] != 'P' ||
        (magic[1] != '2' && magic[1] != '5'))
        return error_set(err,
                         "%s: not a PGM image (expected P2 or P5 at the "
                         "start)",
                         path);
    h->format = magic[1];
    if ((h->width = pgm_number(file)) < 1 ||
        (h->height = pgm_number(file)) < 1 || h->width > PGM_MAX_SIDE ||
        h->height > PGM_MAX_SIDE)
        return error_set(err, "%s: image size must be 1 to %d pixels each way",
                         path, PGM_MAX_SIDE);
    if ((h->maxval = pgm_number(file)) < 1 || h->maxval > 65535)
        return error_set(err, "%s: maximum grey value must be 1 to 65535",
                         path);
    size_t n = (size_t)h->width * (size_t)h->height;
    size_t least = h->format == '5' ? n * (h->maxval > 255 ? 2 : 1) : 2 * n - 1;
    long header = ftell(file);
    if (header < 0 || file_size - (size_t)header < least)
        return error_set(err,
                         "%s: truncated (%ld x %ld pixels need at least "
                         "%zu bytes after the header, the file has %zu)",
                         path, h->width, h->height, least,
                         file_size - (size_t)header);
    return 0;
}

/* The pixels, each checked against the maximum, as fractions of it. */
static int pgm_pixels(float *values, FILE *file, const PgmHeader *h,
                      const char *path, Error *err)
{
    size_t n = (size_t)h->width * (size_t)h->height;
    for (size_t k = 0; k < n; k++) {
        long value;
        if (h->format == '2') {
            value = pgm_number(file);
        } else {
            int high = h->maxval > 255 ? fgetc(file) : 0, low = fgetc(file);
            value = high == EOF || low == EOF ? -1 : high << 8 | low;
        }
        if (value == -2)
            return error_set(err, "%s: pixel %zu is not a whole number", path,
                             k + 1);
        if (value < 0)
            return error_set(err, "%s: truncated (pixel %zu of %zu is missing)",
                             path, k + 1, n);
        if (value > h->maxval)
            return error_set(err, "%s: pixel %zu is %ld, above the maximum %ld",
                             path, k + 1, value, h->maxval);
        values[k] = (float)value / (float)h->maxval;
    }
    return 0;
}

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
    PgmHeader h = {0};
    int status = pgm_header(&h, file, file_size, path, err);
    size_t n = status == 0 ? (size_t)h.width * (size_t)h.height : 0;
    if (status == 0 && (image->values = malloc(n * sizeof(float))) == NULL)
        status = error_set(err, "%s: out of memory", path);
    if (status == 0)
        status = pgm_pixels(image->values, file, &h, path, err);
    fclose(file);
    if (status != 0) {
        image_free(image);
        return -1;
    }
    image->width = (int)h.width;
    image->height = (int)h.height;
    return 0;
}
// @end pgm_load

void image_free(Image *image)
{
    free(image->values);
    *image = (Image){0};
}

// @listing image_to_mnist
/* MNIST's digits: 28 x 28 pixels, the ink scaled to fit 20 x 20 in the
 * middle (LeCun et al.). */
#define MNIST_SIDE     28
#define MNIST_INK_SIDE 20

/* Step 1. MNIST's ink is bright on black; people draw dark on white. If the
 * image's border (its first and last rows and columns) is mostly light, the
 * drawing is dark on light: read its values turned over. */
static int ink_is_dark(const Image *image)
{
    int w = image->width, h = image->height;
    const float *v = image->values;
    double border = 0.0;
    for (int c = 0; c < w; c++)
        border += (double)v[c] + (double)v[(size_t)(h - 1) * w + c];
    for (int r = 0; r < h; r++)
        border += (double)v[(size_t)r * w] + (double)v[(size_t)r * w + w - 1];
    return border / (2.0 * (w + h)) > 0.5;
}

/* How much ink pixel (r, c) holds, 0 (paper) to 1 (full). */
static float ink_at(const Image *image, int r, int c, int dark)
{
    float value = image->values[(size_t)r * image->width + c];
    return dark ? 1.0f - value : value;
}

/* Step 2a. The box around the ink, {top, bottom, left, right}, inclusive
 * (as exercise 1.2's, but a pixel counts as ink above a quarter of full, so
 * that a faint speck of dirt does not stretch it). -1 for a blank image. */
static int ink_box(int box[4], const Image *image, int dark)
{
    int top = image->height, bottom = -1, left = image->width, right = -1;
    for (int r = 0; r < image->height; r++)
        for (int c = 0; c < image->width; c++) {
            if (ink_at(image, r, c, dark) > 0.25f) {
                top = r < top ? r : top;
                bottom = r > bottom ? r : bottom;
                left = c < left ? c : left;
                right = c > right ? c : right;
            }
        }
    if (bottom < 0)
        return -1;
    box[0] = top;
    box[1] = bottom;
    box[2] = left;
    box[3] = right;
    return 0;
}

/* Step 2b. The box scaled, keeping its shape, to fit MNIST_INK_SIDE x
 * MNIST_INK_SIDE pixels: each new pixel is the average of the old pixels it
 * covers. patch: [*out_h x *out_w], rows MNIST_INK_SIDE apart. */
static void ink_scale(float *patch, int *out_h, int *out_w, const Image *image,
                      const int box[4], int dark)
{
    int box_h = box[1] - box[0] + 1, box_w = box[3] - box[2] + 1;
    int side = box_w > box_h ? box_w : box_h;
    *out_w = box_w * MNIST_INK_SIDE / side;
    *out_h = box_h * MNIST_INK_SIDE / side;
    *out_w = *out_w < 1 ? 1 : *out_w;
    *out_h = *out_h < 1 ? 1 : *out_h;
    for (int r = 0; r < *out_h; r++) {
        for (int c = 0; c < *out_w; c++) {
            /* The rows r0 .. r1 - 1 and columns c0 .. c1 - 1 that new
             * pixel (r, c) covers: at least one each. */
            int r0 = box[0] + r * box_h / *out_h;
            int r1 = box[0] + (r + 1) * box_h / *out_h;
            int c0 = box[2] + c * box_w / *out_w;
            int c1 = box[2] + (c + 1) * box_w / *out_w;
            r1 = r1 > r0 ? r1 : r0 + 1;
            c1 = c1 > c0 ? c1 : c0 + 1;
            double sum = 0.0;
            for (int rr = r0; rr < r1; rr++)
                for (int cc = c0; cc < c1; cc++)
                    sum += (double)ink_at(image, rr, cc, dark);
            patch[r * MNIST_INK_SIDE + c] =
                (float)(sum / ((r1 - r0) * (c1 - c0)));
        }
    }
}

/* Step 3. The patch into the 28 x 28 image x, shifted so that its centre of
 * mass (the ink-weighted mean row and column) lands on the image's centre,
 * but never past its edges. Pixel r spans r to r + 1, so a mean index m is
 * the point m + 0.5, and the centre is at MNIST_SIDE / 2 = 14: the shift is
 * 14 - m - 0.5, rounded. */
static void ink_centre(float *x, const float *patch, int out_h, int out_w)
{
    double mass = 0.0, mass_r = 0.0, mass_c = 0.0;
    for (int r = 0; r < out_h; r++)
        for (int c = 0; c < out_w; c++) {
            double ink = (double)patch[r * MNIST_INK_SIDE + c];
            mass += ink;
            mass_r += ink * r;
            mass_c += ink * c;
        }
    int shift_r = (int)lround(MNIST_SIDE / 2.0 - mass_r / mass - 0.5);
    int shift_c = (int)lround(MNIST_SIDE / 2.0 - mass_c / mass - 0.5);
    int max_r = MNIST_SIDE - out_h, max_c = MNIST_SIDE - out_w;
    shift_r = shift_r < 0 ? 0 : shift_r > max_r ? max_r : shift_r;
    shift_c = shift_c < 0 ? 0 : shift_c > max_c ? max_c : shift_c;
    for (int k = 0; k < MNIST_SIDE * MNIST_SIDE; k++)
        x[k] = 0.0f;
    for (int r = 0; r < out_h; r++)
        for (int c = 0; c < out_w; c++)
            x[(r + shift_r) * MNIST_SIDE + c + shift_c] =
                patch[r * MNIST_INK_SIDE + c];
}

/* Prepare an image the way MNIST's digits were prepared: the three steps
 * above. A network trained on MNIST has only ever seen digits prepared this
 * way: a digit drawn small in a corner would be as foreign to it as noise.
 *   x: [28 * 28], overwritten with values 0..1. */
int image_to_mnist(float *x, const Image *image, Error *err)
{
    int dark = ink_is_dark(image), box[4], out_h, out_w;
    if (ink_box(box, image, dark) != 0)
        return error_set(err, "the image has no ink: it is blank");
    float patch[MNIST_INK_SIDE * MNIST_INK_SIDE];
    ink_scale(patch, &out_h, &out_w, image, box, dark);
    ink_centre(x, patch, out_h, out_w);
    return 0;
}
// @end image_to_mnist

/* ---- The demo ----------------------------------------------------------- */
#ifndef CH10_NO_MAIN

/* --classify IMAGE: the digit in a PGM image of your own, prepared as
 * MNIST's were, and the network's (read from `model`) probabilities for
 * it. */
static int classify(Network *net, const char *model, const char *path,
                    Error *err)
{
    Image image;
    if (pgm_load(&image, path, err) != 0)
        return -1;
    float x[MNIST_SIDE * MNIST_SIDE];
    Error why;
    if (image_to_mnist(x, &image, &why) != 0) {
        image_free(&image);
        return error_set(err, "%s: %s", path, why.msg);
    }
    uint8_t pixels[MNIST_SIDE * MNIST_SIDE];
    for (int k = 0; k < MNIST_SIDE * MNIST_SIDE; k++)
        pixels[k] = (uint8_t)lroundf(255.0f * x[k]);
    printf("%s: %d x %d pixels, prepared as MNIST's digits were:\n", path,
           image.width, image.height);
    digit_print(stdout, pixels, MNIST_SIDE, MNIST_SIDE);
    const float *p = network_forward(net, x, 1);
    if (network_outputs_check(net, model, 1, err) != 0) {
        image_free(&image);
        return -1;
    }
    printf("The network's probabilities:\n");
    for (int d = 0; d < N_CLASSES; d++) {
        printf("  %d  %5.1f%%  ", d, 100.0 * (double)p[d]);
        for (int bar = 0; bar < (int)lroundf(40.0f * p[d]); bar++)
            putchar('#');
        printf("\n");
    }
    printf("It reads a %d.\n", argmax(p, N_CLASSES));
    image_free(&image);
    return 0;
}

/* weights.dat: the first layer's weights of up to 64 neurons as images of
 * the digits' size (28 x 28 for MNIST), 8 to a row (4 when there are 16 or
 * fewer), as they are: the figure draws every neuron on the same scale, so
 * that a neuron whose weights stayed small looks faint. */
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
    for (int y = 0; y < grid_rows * cell_h; y++) {
        for (int x = 0; x < per_row * cell_w; x++) {
            int j = y / cell_h * per_row + x / cell_w;
            int r = y % cell_h, c = x % cell_w;
            float value = 0.0f; /* white: the gaps */
            if (j < n && r < rows && c < cols)
                value = layer->weights[(r * cols + c) * layer->n_out + j];
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
        int answer = argmax(network_forward(net, net->inputs, 1), N_CLASSES);
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

/* Dead neurons: on for fewer than this fraction of the training digits. */
#define DEAD_BELOW 0.01

/* seen2.dat: the second layer's "seen" images (layer_activity), of the
 * digits' size (rows x cols), 4 to a row with 2 blank pixels between, each
 * scaled to its own darkest pixel (they are averages of digits: all ink,
 * no sign). */
static int write_seen(const char *dir, const double *seen, int n, int rows,
                      int cols, Error *err)
{
    FILE *out = output_open(dir, "seen2.dat", err);
    if (out == NULL)
        return -1;
    int size = rows * cols, cell_h = rows + 2, cell_w = cols + 2;
    for (int y = 0; y < (n + 3) / 4 * cell_h; y++)
        for (int x = 0; x < 4 * cell_w; x++) {
            int j = y / cell_h * 4 + x / cell_w;
            int r = y % cell_h, c = x % cell_w;
            double value = 0.0; /* the gaps */
            if (j < n && r < rows && c < cols) {
                double darkest = 1e-12;
                for (int i = 0; i < size; i++)
                    darkest = fmax(darkest, seen[(size_t)j * size + i]);
                value = seen[(size_t)j * size + r * cols + c] / darkest;
            }
            fprintf(out, "%.3f%c", value, x + 1 < 4 * cell_w ? ' ' : '\n');
        }
    return output_close(out, dir, "seen2.dat", err);
}

/* What --neurons measures: layer 1's neurons (activity, how far their
 * weights moved, how large they started), layer 2's (activity, and the
 * digit that gives each most of its output, with that digit's share). */
typedef struct {
    int n1, n2, top[16];
    double fires1[16], moved[16], start[16], fires2[16], share[16];
} Neurons;

/* Measure, on the training digits, a network chapter 7 trained from
 * `seed`; seen: [16 x sizes[0]], the second layer's "seen" images. */
static int neurons_measure(Neurons *m, double *seen, Network *net,
                           const Digits *train, uint64_t seed, Error *err)
{
    *m = (Neurons){.n1 = net->sizes[1], .n2 = net->sizes[2]};
    Network start;
    Affine zero;
    if (network_init(&start, net->sizes, net->n_layers + 1, 1, err) != 0)
        return -1;
    if (affine_init(&zero, net->sizes[0], m->n1, err) != 0) {
        network_free(&start);
        return -1;
    }
    Rng rng;
    rng_seed(&rng, seed);
    network_randomize(&start, INIT_HE, &rng); /* as chapter 7 began */
    weights_moved(m->moved, &net->layers[0], &start.layers[0]);
    weights_moved(m->start, &start.layers[0], &zero); /* their size */
    affine_free(&zero);
    network_free(&start);
    double labels[16 * N_CLASSES];
    if (layer_activity(m->fires1, seen, labels, net, 0, train, err) != 0 ||
        layer_activity(m->fires2, seen, labels, net, 1, train, err) != 0)
        return -1;
    for (int j = 0; j < m->n2; j++) {
        m->top[j] = 0;
        for (int d = 1; d < N_CLASSES; d++)
            if (labels[j * N_CLASSES + d] > labels[j * N_CLASSES + m->top[j]])
                m->top[j] = d;
        m->share[j] = labels[j * N_CLASSES + m->top[j]];
    }
    return 0;
}

/* The table --neurons prints: a row per neuron, both layers side by side.
 * Returns how many first-layer neurons are dead. */
static int neurons_print(const Neurons *m, const Digits *train, uint64_t seed)
{
    printf("On the %zu training digits: how often each neuron of the two "
           "hidden layers is\non; how far each first-layer neuron's weights "
           "moved from where training\nstarted (--seed %llu), and how large "
           "they were then (root mean squares);\nand which digit gives each "
           "second-layer neuron the largest share of its output:\n\n",
           train->n, (unsigned long long)seed);
    printf("%7s %9s %8s %8s %6s %7s %9s %8s\n", "layer 1", "on for", "moved",
           "start", "", "layer 2", "on for", "mostly");
    int dead = 0;
    for (int j = 0; j < (m->n1 > m->n2 ? m->n1 : m->n2); j++) {
        if (j < m->n1)
            printf("%7d %8.2f%% %8.4f %8.4f %6s", j, 100.0 * m->fires1[j],
                   m->moved[j], m->start[j],
                   m->fires1[j] < DEAD_BELOW ? "dead" : "");
        else
            printf("%42s", "");
        if (j < m->n2)
            printf(" %7d %8.2f%% %3ds %3.0f%%", j, 100.0 * m->fires2[j],
                   m->top[j], 100.0 * m->share[j]);
        printf("\n");
        dead += j < m->n1 && m->fires1[j] < DEAD_BELOW;
    }
    printf("\n%d of the %d first-layer neurons %s dead (on for fewer than "
           "%g%% of the digits).\n",
           dead, m->n1, dead == 1 ? "is" : "are", 100.0 * DEAD_BELOW);
    return dead;
}

/* neurons.tsv (a row per first-layer neuron, with where the weights
 * figure draws it) and values.txt. */
static int neurons_write(const Neurons *m, int dead, const char *dir,
                         Error *err)
{
    FILE *table = output_open(dir, "neurons.tsv", err);
    if (table == NULL)
        return -1;
    fprintf(table, "# neuron\ton_for\tmoved\tstart\tdead\tx\ty\n");
    int first_dead = -1, single = 0;
    double least_moved = HUGE_VAL, largest_share = 0.0;
    for (int j = 0; j < m->n1; j++) {
        int is_dead = m->fires1[j] < DEAD_BELOW;
        fprintf(table, "%d\t%.4f\t%.4f\t%.4f\t%d\t%d\t%d\n", j, m->fires1[j],
                m->moved[j], m->start[j], is_dead, j % 4 * 30 + 14,
                j / 4 * 30 + 14);
        if (is_dead && first_dead < 0)
            first_dead = j;
        if (!is_dead)
            least_moved = fmin(least_moved, m->moved[j]);
    }
    for (int j = 0; j < m->n2; j++) {
        single += m->share[j] >= 0.5;
        largest_share = fmax(largest_share, m->share[j]);
    }
    if (output_close(table, dir, "neurons.tsv", err) != 0)
        return -1;
    FILE *values = output_open(dir, "values.txt", err);
    if (values == NULL)
        return -1;
    fprintf(values, "dead %d\nn1 %d\nn2 %d\nleast_moved %.4f\n", dead, m->n1,
            m->n2, least_moved);
    if (first_dead >= 0)
        fprintf(values, "dead_neuron %d\ndead_on_for %.2f\ndead_moved %.4f\n",
                first_dead, 100.0 * m->fires1[first_dead],
                m->moved[first_dead]);
    fprintf(values, "mostly_one_digit %d\nlargest_share %.0f\n", single,
            100.0 * largest_share);
    fprintf(values, "headline %d of %d first-layer neurons dead\n", dead,
            m->n1);
    return output_close(values, dir, "values.txt", err);
}

/* --neurons SEED: the report, and with --out its data. */
static int hidden_report(Network *net, const Digits *train, uint64_t seed,
                         const char *out_dir, Error *err)
{
    if (net->n_layers < 3 || net->sizes[1] > 16 || net->sizes[2] > 16)
        return error_set(err, "--neurons looks at two hidden layers of at "
                              "most 16 neurons each (a network trained with "
                              "--hidden 16,16, say)");
    Neurons m;
    double *seen = malloc((size_t)16 * net->sizes[0] * sizeof *seen);
    if (seen == NULL)
        return error_set(err, "out of memory for --neurons");
    int status = neurons_measure(&m, seen, net, train, seed, err);
    if (status == 0) {
        int dead = neurons_print(&m, train, seed);
        if (out_dir != NULL)
            status =
                write_seen(out_dir, seen, m.n2, train->rows, train->cols, err);
        if (status == 0 && out_dir != NULL)
            status = neurons_write(&m, dead, out_dir, err);
    }
    free(seen);
    return status;
}

/* What the confusion matrix says. */
typedef struct {
    long counts[N_CLASSES][N_CLASSES], right, worst_count;
    int worst_label, worst_answer;
} Confusion;

static void print_confusion(const Confusion *c, const char *model, size_t n)
{
    printf("%s on the %zu test digits: %.2f%% right.\n\n", model, n,
           100.0 * (double)c->right / (double)n);
    printf("Confusion matrix (rows: the true digit, columns: the network's "
           "answer):\n\n       ");
    for (int a = 0; a < N_CLASSES; a++)
        printf("%6d", a);
    printf("\n");
    for (int t = 0; t < N_CLASSES; t++) {
        printf("  %d   ", t);
        for (int a = 0; a < N_CLASSES; a++)
            printf("%6ld", c->counts[t][a]);
        printf("\n");
    }
    printf("\nThe most common mistake: %ld %ds read as %d.\n", c->worst_count,
           c->worst_label, c->worst_answer);
}

static int write_confusion(const char *dir, const Confusion *c, Network *net,
                           const Digits *test, Error *err)
{
    FILE *matrix = output_open(dir, "confusion.dat", err);
    if (matrix == NULL)
        return -1;
    for (int t = 0; t < N_CLASSES; t++)
        for (int a = 0; a < N_CLASSES; a++)
            fprintf(matrix, "%d %d %ld\n", a, t, c->counts[t][a]);
    if (output_close(matrix, dir, "confusion.dat", err) != 0 ||
        write_weights(dir, net, test->rows, test->cols, err) != 0 ||
        write_errors(dir, net, test, err) != 0)
        return -1;
    FILE *values = output_open(dir, "values.txt", err);
    if (values == NULL)
        return -1;
    double accuracy = 100.0 * (double)c->right / (double)test->n;
    fprintf(values,
            "accuracy %.2f\nerrors %ld\nworst_count %ld\nworst_label %d\n"
            "worst_answer %d\n",
            accuracy, (long)test->n - c->right, c->worst_count, c->worst_label,
            c->worst_answer);
    fprintf(values,
            "headline %.2f%% right; most common mistake %d read as %d\n",
            accuracy, c->worst_label, c->worst_answer);
    return output_close(values, dir, "values.txt", err);
}

/* The network's confusion matrix on the test set, printed (and with
 * out_dir, its data and the figures' written). */
static int confusion_report(Network *net, const char *model, const Digits *test,
                            const char *out_dir, Error *err)
{
    Confusion c = {.right = 0};
    confusion_count(c.counts, net, test);
    for (int t = 0; t < N_CLASSES; t++)
        c.right += c.counts[t][t];
    c.worst_count =
        most_common_mistake(&c.worst_label, &c.worst_answer, c.counts);
    print_confusion(&c, model, test->n);
    return out_dir != NULL ? write_confusion(out_dir, &c, net, test, err) : 0;
}

/* A digit of your own needs the network, not MNIST. */
static int classify_own(Network *net, const char *model, const char *image,
                        Error *err)
{
    if (net->sizes[0] != MNIST_SIDE * MNIST_SIDE ||
        net->sizes[net->n_layers] != N_CLASSES)
        return error_set(err,
                         "%s: a network for %d inputs and %d classes; "
                         "--classify prepares 28 x 28 digits for %d classes",
                         model, net->sizes[0], net->sizes[net->n_layers],
                         N_CLASSES);
    return classify(net, model, image, err);
}

int main(int argc, char **argv)
{
    cli_init(argc, argv);
    const char *data_dir = "data/mnist", *model = NULL, *image = NULL,
               *out_dir = NULL;
    long start_seed = -1; /* --neurons SEED: -1 for none */
    const Option options[] = {
        {"--model", "FILE", OPTION_TEXT, &model,
         .help = "the saved network (from --save); needed"},
        {"--classify", "IMAGE", OPTION_TEXT, &image,
         .help = "read a digit of your own from a PGM image\n"
                 "and show the network's probabilities"},
        {"--neurons", "SEED", OPTION_WHOLE, &start_seed, 0, LONG_MAX,
         .help = "instead of the confusion matrix: how often\n"
                 "each neuron of the first two hidden layers\n"
                 "(16 or fewer each) is on for the training\n"
                 "digits, and how far the first layer's\n"
                 "weights moved from where chapter 7 started\n"
                 "them (from the seed SEED, with He's rule)"},
        OPTION_DATA(&data_dir),
        OPTION_OUT(&out_dir),
    };
    options_parse(options, OPTIONS_COUNT(options),
                  "Look inside a network saved by chapter 7 or 9.", argc, argv);
    if (model == NULL)
        usage_error("--model FILE is needed (save one with bin/07_sgd --save "
                    "FILE)");
    if (image != NULL && (out_dir != NULL || start_seed >= 0))
        usage_error("--classify reads one image of your own: it cannot be "
                    "combined with --out or --neurons");
    Network net;
    Digits train, test;
    Error err;
    if (network_load(&net, model, EVALUATE_BATCH, &err) != 0)
        fail_with(&err);
    int status = 0;
    if (image != NULL) {
        status = classify_own(&net, model, image, &err);
    } else if ((status = mnist_load(&train, &test, data_dir, &err)) == 0) {
        status = network_check_data(&net, model, &test, &err);
        if (status == 0 && start_seed >= 0) /* on the training digits */
            status = hidden_report(&net, &train, (uint64_t)start_seed, out_dir,
                                   &err);
        else if (status == 0)
            status = confusion_report(&net, model, &test, out_dir, &err);
        digits_free(&train);
        digits_free(&test);
    }
    network_free(&net);
    if (status != 0 || outputs_commit(&err) != 0)
        fail_with(&err);
    return 0;
}

#endif /* CH10_NO_MAIN */
#endif /* CH10_INSIDE_C */
