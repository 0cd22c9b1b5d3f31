/* Chapter 1: reading MNIST's IDX files.
 *
 * Build and run:
 *   cc -std=c11 -O3 code/01_idx.c -lm -o bin/01_idx
 *   bin/01_idx              summary of the four MNIST files
 *   bin/01_idx --show 0     training digit 0, drawn with characters
 *
 * Every later chapter includes this file (see chapter 1, "One file per
 * chapter") after defining CH01_NO_MAIN, which hides the demo main below.
 */
#ifndef CH01_IDX_C
#define CH01_IDX_C

#include "common.h"

#include <stdint.h>

/* ---- What this chapter adds ------------------------------------------- */

// @listing idx_types
#define IDX_MAX_DIMS   3
#define IDX_TYPE_UBYTE 0x08
#define N_CLASSES      10 /* the labels are the digits 0..9 */

/* One IDX file as it is on disk: its sizes and its raw bytes. */
typedef struct {
    int n_dims;
    uint32_t dims[IDX_MAX_DIMS];
    size_t n_bytes; /* dims[0] * dims[1] * ... */
    uint8_t *data;
} Idx;

/* A set of labelled digits: n images of rows x cols grey levels (0 = paper,
 * 255 = ink), stored one after another, and n labels 0..9. */
typedef struct {
    size_t n;
    int rows, cols;
    uint8_t *pixels; /* [n x rows x cols] */
    uint8_t *labels; /* [n] */
} Digits;
// @end idx_types

uint32_t read_be32(const uint8_t bytes[4]);
int idx_load(Idx *idx, const char *path, Error *err);
int idx_read_magic(Idx *idx, FILE *file, uint64_t file_size, const char *path,
                   Error *err);
int idx_read_sizes(Idx *idx, FILE *file, uint64_t file_size, const char *path,
                   Error *err);
int idx_read_data(Idx *idx, FILE *file, const char *path, Error *err);
int idx_too_short(uint64_t file_size, const char *path, Error *err);
int idx_check_magic(const uint8_t magic[4], const char *path, Error *err);
int idx_header_truncated(const Idx *idx, uint64_t file_size, const char *path,
                         Error *err);
int idx_check_sizes(const Idx *idx, uint64_t file_size, const char *path,
                    Error *err);
void idx_free(Idx *idx);
int idx_read_header(Idx *idx, const char *path, Error *err);
int digits_check_shapes(const Idx *images, const char *images_path,
                        const Idx *labels, const char *labels_path, Error *err);
int digits_load(Digits *digits, const char *images_path,
                const char *labels_path, Error *err);
void digits_free(Digits *digits);
int mnist_load(Digits *train, Digits *test, const char *dir, Error *err);
void digits_count(long counts[N_CLASSES], const Digits *digits);
int index_check(long index, size_t n, const char *option, Error *err);
void digit_print(FILE *out, const uint8_t *pixels, int rows, int cols);
int digit_bounding_box(int box[4], const uint8_t *pixels, int rows, int cols);

/* ---- Reading IDX -------------------------------------------------------- */

// @listing read_be32
/* IDX stores every size as 4 bytes, most significant first ("big-endian").
 * An x86 or ARM CPU keeps integers the other way round, so reading the
 * 4 bytes straight into a uint32_t would turn 60000 (00 00 EA 60) into
 * 1625948160 (60 EA 00 00). Assembling the value byte by byte gives the
 * right answer on every machine. */
uint32_t read_be32(const uint8_t bytes[4])
{
    // @solution 1.1 assemble 4 big-endian bytes into a uint32_t
    return (uint32_t)bytes[0] << 24 | (uint32_t)bytes[1] << 16 |
           (uint32_t)bytes[2] << 8 | (uint32_t)bytes[3];
    // @end 1.1
}
// @end read_be32

// @listing idx_load
/* Read the whole file `path` into idx, in the order its bytes come:
 *
 *   00 00 TT DD | size 1 | ... | size DD | data
 *   magic       | 4 bytes each, big-endian | product of the sizes, bytes
 *
 * TT is the element type (0x08 = unsigned byte, the only one MNIST uses),
 * DD the number of dimensions. Returns 0, or -1 with err naming the file
 * and the problem. */
int idx_load(Idx *idx, const char *path, Error *err)
{
    *idx = (Idx){0};
    /* How long is the file really? input_open (code/common.h) also refuses
     * what is not a regular file: a directory, or a named pipe that would
     * make us wait forever. */
    size_t size;
    FILE *file = input_open(path, &size, err);
    if (file == NULL)
        return -1;
    uint64_t file_size = (uint64_t)size;
    int status = idx_read_magic(idx, file, file_size, path, err);
    if (status == 0)
        status = idx_read_sizes(idx, file, file_size, path, err);
    if (status == 0)
        status = idx_read_data(idx, file, path, err);
    fclose(file);
    if (status != 0)
        idx_free(idx);
    return status;
}

/* Step 1: the magic number, 4 bytes: 00 00, then the element type, then
 * the number of dimensions. */
int idx_read_magic(Idx *idx, FILE *file, uint64_t file_size, const char *path,
                   Error *err)
{
    uint8_t magic[4];
    if (file_size < 4 || fread(magic, 1, 4, file) != 4)
        return idx_too_short(file_size, path, err);
    if (idx_check_magic(magic, path, err) != 0)
        return -1;
    idx->n_dims = magic[3];
    return 0;
}

/* Step 2: the sizes, one 4-byte big-endian number per dimension; the data
 * that follows is their product, in bytes. */
int idx_read_sizes(Idx *idx, FILE *file, uint64_t file_size, const char *path,
                   Error *err)
{
    uint8_t bytes[4 * IDX_MAX_DIMS];
    if (fread(bytes, 4, (size_t)idx->n_dims, file) != (size_t)idx->n_dims)
        return idx_header_truncated(idx, file_size, path, err);
    for (int d = 0; d < idx->n_dims; d++)
        idx->dims[d] = read_be32(bytes + 4 * d);
    /* The sizes are claims: check them against the file's real length
     * before multiplying them or allocating anything. */
    if (idx_check_sizes(idx, file_size, path, err) != 0)
        return -1;
    idx->n_bytes = 1;
    for (int d = 0; d < idx->n_dims; d++)
        idx->n_bytes *= idx->dims[d];
    return 0;
}

/* Step 3: the data, one byte per number: for images, the first image row
 * by row, then the second, and so on. */
int idx_read_data(Idx *idx, FILE *file, const char *path, Error *err)
{
    if (memory_check(idx->n_bytes, path, err) != 0)
        return -1; /* more than the workbook allows itself: see common.h */
    idx->data = malloc(idx->n_bytes);
    if (idx->data == NULL)
        return error_set(err, "%s: out of memory for %zu bytes", path,
                         idx->n_bytes);
    if (fread(idx->data, 1, idx->n_bytes, file) != idx->n_bytes)
        return error_set(err, "%s: read failed", path);
    return 0;
}
// @end idx_load

// @listing idx_checks
/* ---- Never trust a header: the checks idx_load makes on the way ---------
 *
 * Each returns 0 when all is well, or -1 with err naming the file and the
 * problem. A header is a claim, not a fact: every size is compared with
 * the file's real length before anything is allocated, so a corrupt
 * header cannot make us allocate gigabytes or read past the end. */

int idx_too_short(uint64_t file_size, const char *path, Error *err)
{
    if (file_size == 0)
        return error_set(err, "%s: is empty", path);
    return error_set(err, "%s: too short for an IDX header (%llu bytes)", path,
                     (unsigned long long)file_size);
}

/* 00 00 08 0N, N from 1 to IDX_MAX_DIMS; and a friendly word for the most
 * common wrong file, one still compressed (gzip files start 1f 8b). */
int idx_check_magic(const uint8_t magic[4], const char *path, Error *err)
{
    if (magic[0] == 0x1f && magic[1] == 0x8b)
        return error_set(err,
                         "%s: is gzip-compressed; gunzip it first, or import "
                         "it with ./build.sh data --from DIR",
                         path);
    if (magic[0] != 0 || magic[1] != 0)
        return error_set(err,
                         "%s: not an IDX file (expected magic 00 00 08 0N, "
                         "found %02x %02x %02x %02x)",
                         path, magic[0], magic[1], magic[2], magic[3]);
    if (magic[2] != IDX_TYPE_UBYTE)
        return error_set(err,
                         "%s: element type 0x%02x, expected 0x08 "
                         "(unsigned bytes)",
                         path, magic[2]);
    if (magic[3] < 1 || magic[3] > IDX_MAX_DIMS)
        return error_set(err, "%s: %d dimensions, expected 1 to %d", path,
                         magic[3], IDX_MAX_DIMS);
    return 0;
}

int idx_header_truncated(const Idx *idx, uint64_t file_size, const char *path,
                         Error *err)
{
    return error_set(err,
                     "%s: header truncated (%d sizes need %llu bytes, the "
                     "file has %llu)",
                     path, idx->n_dims,
                     (unsigned long long)(4 + 4 * (uint64_t)idx->n_dims),
                     (unsigned long long)file_size);
}

/* No size may be 0, and their product must be exactly the bytes after the
 * header. Multiply one size at a time, stopping as soon as the product
 * could not fit in the file: that also rules out overflowing 64 bits. */
int idx_check_sizes(const Idx *idx, uint64_t file_size, const char *path,
                    Error *err)
{
    uint64_t data_room = file_size - (4 + 4 * (uint64_t)idx->n_dims);
    uint64_t n_bytes = 1;
    for (int d = 0; d < idx->n_dims; d++) {
        if (idx->dims[d] == 0)
            return error_set(err, "%s: size %d is 0", path, d + 1);
        if (n_bytes > data_room / idx->dims[d])
            return error_set(err,
                             "%s: truncated (the header promises more data "
                             "than the file's %llu bytes)",
                             path, (unsigned long long)file_size);
        n_bytes *= idx->dims[d];
    }
    if (n_bytes != data_room)
        return error_set(
            err,
            "%s: %s (the header promises %llu data bytes, the "
            "file has %llu)",
            path, n_bytes > data_room ? "truncated" : "has extra bytes",
            (unsigned long long)n_bytes, (unsigned long long)data_room);
    return 0;
}
// @end idx_checks

// @listing idx_free
/* Give back what idx_load allocated; idx is then empty, and freeing it
 * again does nothing. */
void idx_free(Idx *idx)
{
    free(idx->data);
    *idx = (Idx){0};
}
// @end idx_free

/* ---- From IDX files to labelled digits --------------------------------- */

/* Steps 1 and 2 of idx_load alone: the sizes a file claims (checked against
 * its length), not its data, which stays NULL. */
int idx_read_header(Idx *idx, const char *path, Error *err)
{
    *idx = (Idx){0};
    size_t size;
    FILE *file = input_open(path, &size, err);
    if (file == NULL)
        return -1;
    int status = idx_read_magic(idx, file, (uint64_t)size, path, err);
    if (status == 0)
        status = idx_read_sizes(idx, file, (uint64_t)size, path, err);
    fclose(file);
    return status;
}

/* Do an images file's and a labels file's headers belong together? */
int digits_check_shapes(const Idx *images, const char *images_path,
                        const Idx *labels, const char *labels_path, Error *err)
{
    if (images->n_dims != 3)
        return error_set(err,
                         "%s: %d dimensions, expected 3 (count, rows, "
                         "columns)",
                         images_path, images->n_dims);
    if (labels->n_dims != 1)
        return error_set(err, "%s: %d dimensions, expected 1 (count)",
                         labels_path, labels->n_dims);
    if (images->dims[0] != labels->dims[0])
        return error_set(err, "%s has %lu images but %s has %lu labels",
                         images_path, (unsigned long)images->dims[0],
                         labels_path, (unsigned long)labels->dims[0]);
    if (images->dims[1] > 1024 || images->dims[2] > 1024)
        return error_set(err,
                         "%s: images of %lu x %lu pixels, expected at most "
                         "1024 x 1024",
                         images_path, (unsigned long)images->dims[1],
                         (unsigned long)images->dims[2]);
    return 0;
}

/* Load an images file ([n x rows x cols]) and its labels file ([n]) and
 * check that they belong together: their headers first, so that two files
 * that cannot work are refused before their data is read. Returns 0, or -1
 * with err set. */
int digits_load(Digits *digits, const char *images_path,
                const char *labels_path, Error *err)
{
    *digits = (Digits){0};
    Idx images, labels;
    if (idx_read_header(&images, images_path, err) != 0 ||
        idx_read_header(&labels, labels_path, err) != 0 ||
        digits_check_shapes(&images, images_path, &labels, labels_path, err) !=
            0)
        return -1;
    if (idx_load(&images, images_path, err) != 0)
        return -1;
    if (idx_load(&labels, labels_path, err) != 0) {
        idx_free(&images);
        return -1;
    }
    int status = 0;
    for (size_t i = 0; i < labels.n_bytes && status == 0; i++)
        if (labels.data[i] > 9)
            status =
                error_set(err, "%s: label %d at index %zu is not a digit 0-9",
                          labels_path, labels.data[i], i);
    if (status != 0) {
        idx_free(&images);
        idx_free(&labels);
        return -1;
    }
    /* The Digits take over the two buffers; nothing is copied. */
    digits->n = images.dims[0];
    digits->rows = (int)images.dims[1];
    digits->cols = (int)images.dims[2];
    digits->pixels = images.data;
    digits->labels = labels.data;
    return 0;
}

void digits_free(Digits *digits)
{
    free(digits->pixels);
    free(digits->labels);
    *digits = (Digits){0};
}

/* Load the training and test sets from a directory holding the four files
 * under MNIST's standard names. Returns 0, or -1 with err set. */
int mnist_load(Digits *train, Digits *test, const char *dir, Error *err)
{
    static const char *names[4] = {
        "train-images-idx3-ubyte", "train-labels-idx1-ubyte",
        "t10k-images-idx3-ubyte", "t10k-labels-idx1-ubyte"};
    char paths[4][4096];
    for (int f = 0; f < 4; f++) {
        int length =
            snprintf(paths[f], sizeof paths[f], "%s/%s", dir, names[f]);
        if (length < 0 || length >= (int)sizeof paths[f])
            return error_set(err, "--data %s: path is too long", dir);
        struct stat info;
        if (stat(paths[f], &info) != 0 && errno == ENOENT)
            return error_set(err,
                             "%s: no such file (run ./build.sh data, "
                             "or pass --data DIR)",
                             paths[f]);
    }
    if (digits_load(train, paths[0], paths[1], err) != 0)
        return -1;
    if (digits_load(test, paths[2], paths[3], err) != 0) {
        digits_free(train);
        return -1;
    }
    if (train->rows != test->rows || train->cols != test->cols) {
        error_set(err, "%s: images of %d x %d pixels, but %s has %d x %d",
                  paths[2], test->rows, test->cols, paths[0], train->rows,
                  train->cols);
        digits_free(train);
        digits_free(test);
        return -1;
    }
    return 0;
}

/* counts[d] = how many of the digits are labelled d (overwritten). */
/* An option that picks one of n digits (--show N, --digit N) can only be
 * checked once they are loaded: returns 0, or -1 with a usage error. */
int index_check(long index, size_t n, const char *option, Error *err)
{
    if (index >= 0 && (size_t)index < n)
        return 0;
    return usage_set(err, "%s expects a whole number from 0 to %ld, got %ld",
                     option, (long)n - 1, index);
}

void digits_count(long counts[N_CLASSES], const Digits *digits)
{
    for (int d = 0; d < N_CLASSES; d++)
        counts[d] = 0;
    for (size_t i = 0; i < digits->n; i++)
        counts[digits->labels[i]]++;
}

// @listing digit_print
/* Draw one image with characters, darker characters for more ink. Each
 * pixel is two characters wide because a terminal cell is about twice as
 * tall as it is wide. */
void digit_print(FILE *out, const uint8_t *pixels, int rows, int cols)
{
    static const char shades[] = " .:-=+*#%@";
    for (int r = 0; r < rows; r++) {
        for (int c = 0; c < cols; c++) {
            int level = pixels[r * cols + c] * 10 / 256; /* 0..9 */
            fputc(shades[level], out);
            fputc(shades[level], out);
        }
        fputc('\n', out);
    }
}
// @end digit_print

/* Exercise 1.2: the smallest box holding all the ink (pixels above 0):
 * box = {top row, bottom row, left column, right column}, inclusive.
 * Returns 0, or -1 (box untouched) for an image with no ink. */
int digit_bounding_box(int box[4], const uint8_t *pixels, int rows, int cols)
{
    // @solution 1.2 the rows and columns of the first and last ink
    int top = rows, bottom = -1, left = cols, right = -1;
    for (int r = 0; r < rows; r++) {
        for (int c = 0; c < cols; c++) {
            if (pixels[r * cols + c] == 0)
                continue;
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
    // @end 1.2
}

/* ---- The demo ----------------------------------------------------------- */
#ifndef CH01_NO_MAIN

/* Grey levels of `digits` image i, placed in a `height x width` canvas at
 * (top, left). */
static void canvas_put(float *canvas, int width, int top, int left,
                       const Digits *digits, size_t i)
{
    int size = digits->rows * digits->cols;
    for (int r = 0; r < digits->rows; r++)
        for (int c = 0; c < digits->cols; c++)
            canvas[(top + r) * width + left + c] =
                digits
                    ->pixels[i * (size_t)size + (size_t)(r * digits->cols + c)];
}

static void canvas_write(FILE *out, const float *canvas, int height, int width)
{
    for (int r = 0; r < height; r++)
        for (int c = 0; c < width; c++)
            fprintf(out, "%g%c", (double)canvas[r * width + c],
                    c + 1 < width ? ' ' : '\n');
}

/* samples.dat: the first 40 training digits in a 4 x 10 grid, each in a
 * cell with a margin on top for its label (samples_labels.dat). */
static int write_samples(const char *dir, const Digits *train, Error *err)
{
    enum { GRID_ROWS = 4, GRID_COLS = 10, PAD = 2, LABEL = 10 };
    int cell_w = train->cols + 2 * PAD, cell_h = train->rows + LABEL;
    int width = GRID_COLS * cell_w, height = GRID_ROWS * cell_h;
    float *canvas = calloc((size_t)width * (size_t)height, sizeof *canvas);
    FILE *image = output_open(dir, "samples.dat", err);
    FILE *labels = image ? output_open(dir, "samples_labels.dat", err) : NULL;
    int status = -1;
    if (canvas != NULL && labels != NULL) {
        for (int i = 0; i < GRID_ROWS * GRID_COLS && (size_t)i < train->n;
             i++) {
            int top = i / GRID_COLS * cell_h + LABEL;
            int left = i % GRID_COLS * cell_w + PAD;
            canvas_put(canvas, width, top, left, train, (size_t)i);
            fprintf(labels, "%d %d %d\n", left + train->cols / 2,
                    top - LABEL / 2, train->labels[i]);
        }
        canvas_write(image, canvas, height, width);
        status = 0;
    } else if (canvas == NULL) {
        error_set(err, "out of memory");
    }
    free(canvas);
    if (labels && output_close(labels, dir, "samples_labels.dat", err) != 0)
        status = -1;
    if (image && output_close(image, dir, "samples.dat", err) != 0)
        status = -1;
    return status;
}

/* means.dat: the average image of each digit 0..9 in a row. */
static int write_means(const char *dir, const Digits *train, Error *err)
{
    enum { PAD = 2 };
    int size = train->rows * train->cols, cell_w = train->cols + 2 * PAD;
    int width = N_CLASSES * cell_w;
    double *sums = calloc(N_CLASSES * (size_t)size, sizeof *sums);
    float *canvas = calloc((size_t)width * (size_t)train->rows, sizeof *canvas);
    if (sums == NULL || canvas == NULL) {
        free(sums);
        free(canvas);
        return error_set(err, "out of memory");
    }
    long counts[N_CLASSES];
    digits_count(counts, train);
    for (size_t i = 0; i < train->n; i++)
        for (int p = 0; p < size; p++)
            sums[train->labels[i] * size + p] +=
                train->pixels[i * (size_t)size + (size_t)p];
    for (int d = 0; d < N_CLASSES; d++)
        for (int p = 0; p < size; p++)
            canvas[p / train->cols * width + d * cell_w + PAD +
                   p % train->cols] =
                counts[d] ? (float)(sums[d * size + p] / (double)counts[d])
                          : 0.0f;
    FILE *out = output_open(dir, "means.dat", err);
    int status = -1;
    if (out != NULL) {
        canvas_write(out, canvas, train->rows, width);
        status = output_close(out, dir, "means.dat", err);
    }
    free(sums);
    free(canvas);
    return status;
}

/* Percentage of all training pixels that are exactly 0 (bare paper). */
static double zero_pixel_percent(const Digits *digits)
{
    size_t total = digits->n * (size_t)(digits->rows * digits->cols);
    size_t zeros = 0;
    for (size_t i = 0; i < total; i++)
        zeros += digits->pixels[i] == 0;
    return 100.0 * (double)zeros / (double)total;
}

static int write_values(const char *dir, const Digits *train,
                        const Digits *test, Error *err)
{
    FILE *out = output_open(dir, "values.txt", err);
    if (out == NULL)
        return -1;
    long train_counts[N_CLASSES], test_counts[N_CLASSES];
    digits_count(train_counts, train);
    digits_count(test_counts, test);
    fprintf(out, "train_n %zu\ntest_n %zu\nrows %d\ncols %d\n", train->n,
            test->n, train->rows, train->cols);
    for (int d = 0; d < N_CLASSES; d++)
        fprintf(out, "train_%d %ld\ntest_%d %ld\n", d, train_counts[d], d,
                test_counts[d]);
    fprintf(out, "zero_pixels %.1f\n", zero_pixel_percent(train));
    fprintf(out, "headline %zu training and %zu test digits of %d x %d\n",
            train->n, test->n, train->rows, train->cols);
    return output_close(out, dir, "values.txt", err);
}

/* The first 16 bytes of a file in hexadecimal, 4 to a group. */
static void print_header_bytes(const char *dir, const char *name)
{
    char path[4096];
    uint8_t bytes[16];
    snprintf(path, sizeof path, "%s/%s", dir, name);
    FILE *file = fopen(path, "rb");
    size_t n = file ? fread(bytes, 1, sizeof bytes, file) : 0;
    if (file)
        fclose(file);
    printf("The first %zu bytes of %s:\n ", n, name);
    for (size_t i = 0; i < n; i++)
        printf("%s%02x", i % 4 == 0 && i > 0 ? " | " : " ", bytes[i]);
    printf("\n\n");
}

static void print_summary(const char *dir, const Digits *train,
                          const Digits *test)
{
    print_header_bytes(dir, "train-images-idx3-ubyte");
    printf("MNIST from %s\n", dir);
    printf("  train-images-idx3-ubyte  %6zu images of %d x %d pixels\n",
           train->n, train->rows, train->cols);
    printf("  train-labels-idx1-ubyte  %6zu labels\n", train->n);
    printf("  t10k-images-idx3-ubyte   %6zu images of %d x %d pixels\n",
           test->n, test->rows, test->cols);
    printf("  t10k-labels-idx1-ubyte   %6zu labels\n\n", test->n);

    long train_counts[N_CLASSES], test_counts[N_CLASSES];
    digits_count(train_counts, train);
    digits_count(test_counts, test);
    printf("How many of each digit:\n  digit");
    for (int d = 0; d < N_CLASSES; d++)
        printf("%6d", d);
    printf("\n  train");
    for (int d = 0; d < N_CLASSES; d++)
        printf("%6ld", train_counts[d]);
    printf("\n  test ");
    for (int d = 0; d < N_CLASSES; d++)
        printf("%6ld", test_counts[d]);
    printf("\n\nPixels that are exactly 0 (bare paper): %.1f%% of the "
           "training set\n",
           zero_pixel_percent(train));
}

/* --show N: training digit N, drawn, and the box around its ink. */
static void show_digit(const Digits *train, long show)
{
    size_t size = (size_t)(train->rows * train->cols);
    printf("training digit %ld, labelled %d:\n", show, train->labels[show]);
    const uint8_t *pixels = train->pixels + (size_t)show * size;
    digit_print(stdout, pixels, train->rows, train->cols);
    int box[4];
    if (digit_bounding_box(box, pixels, train->rows, train->cols) == 0)
        printf("Its ink fills rows %d to %d and columns %d to %d.\n", box[0],
               box[1], box[2], box[3]);
}

int main(int argc, char **argv)
{
    cli_init(argc, argv);
    const char *data_dir = "data/mnist", *out_dir = NULL;
    long show = -1;
    const Option options[] = {
        OPTION_DATA(&data_dir),
        {"--show", "N", OPTION_WHOLE, &show, 0, LONG_MAX,
         .help = "draw training digit N with characters"},
        OPTION_OUT(&out_dir),
    };
    options_parse(options, OPTIONS_COUNT(options),
                  "Read the four MNIST IDX files and describe them.", argc,
                  argv);
    Digits train, test;
    Error err;
    if (mnist_load(&train, &test, data_dir, &err) != 0)
        fail_with(&err);
    int status = show >= 0 ? index_check(show, train.n, "--show", &err) : 0;
    if (status == 0 && show >= 0)
        show_digit(&train, show);
    else if (status == 0)
        print_summary(data_dir, &train, &test);
    if (status == 0 && out_dir != NULL &&
        (write_samples(out_dir, &train, &err) != 0 ||
         write_means(out_dir, &train, &err) != 0 ||
         write_values(out_dir, &train, &test, &err) != 0))
        status = -1;
    digits_free(&train);
    digits_free(&test);
    if (status != 0 || outputs_commit(&err) != 0)
        fail_with(&err);
    return 0;
}

#endif /* CH01_NO_MAIN */
#endif /* CH01_IDX_C */
