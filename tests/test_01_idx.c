/* Chapter 1's tests: the IDX loader on tiny files written here, every kind
 * of malformed file, and the real MNIST files. */
#define CH01_NO_MAIN
#include "../code/01_idx.c"

#include "testing.h"

Suite *suite_01_idx(void);

/* Write an IDX file: header for type/dims, then n_data bytes valued i % 10
 * Returns its path. */
static const char *write_idx(const char *name, int type, int n_dims,
                             const uint32_t *dims, size_t n_data)
{
    size_t header = 4 + 4 * (size_t)n_dims;
    uint8_t *bytes = calloc(header + n_data + 1, 1);
    bytes[2] = (uint8_t)type;
    bytes[3] = (uint8_t)n_dims;
    for (int d = 0; d < n_dims; d++)
        for (int b = 0; b < 4; b++)
            bytes[4 + 4 * d + b] = (uint8_t)(dims[d] >> (24 - 8 * b));
    for (size_t i = 0; i < n_data; i++)
        bytes[header + i] = (uint8_t)(i % 10);
    temp_write(name, bytes, header + n_data);
    free(bytes);
    return temp_path(name);
}

/* idx_load must fail on `path` with a message containing `expected`. */
static void expect_idx_error(const char *path, const char *expected)
{
    Idx idx;
    Error err = {0};
    int status = idx_load(&idx, path, &err);
    ck_assert_msg(status == -1,
                  "idx_load(%s) should fail with '%s' but returned %d", path,
                  expected, status);
    ck_assert_msg(strstr(err.msg, expected) != NULL,
                  "idx_load's error should mention '%s', got: %s", expected,
                  err.msg);
    ck_assert_msg(strstr(err.msg, path) != NULL,
                  "the error should name the file %s, got: %s", path, err.msg);
    ck_assert_msg(idx.data == NULL, "a failed load must leave no buffer");
}

/* Under UBSan (-fsanitize=shift, say), undefined behaviour stops the test
 * with the sanitizer's report: bytes[0] << 24, where bytes[0] is a uint8_t,
 * shifts an int (the byte is promoted to int first), and 0xFF << 24 does not
 * fit in one. gcc happens to give the right bits, so no value can tell; the
 * sanitizer can. It calls this hook before it reports: the test fails there,
 * with a hint, inside the test case that did it. (Without the sanitizer
 * nothing calls the hook, and the weak function below is NULL.) In the
 * judge of ./build.sh grade --submission, the student's code runs in a
 * worker whose sanitizer sends the report back (tests/judge/remote.h),
 * which calls remote_on_ub: the same message either way. */
static char ub_doing[96] = "";
void __ubsan_on_report(void);
void __ubsan_get_current_report_data(const char **kind, const char **message,
                                     const char **file, unsigned *line,
                                     unsigned *column, char **address)
    __attribute__((weak));
void remote_on_ub(const char *file, unsigned line, const char *message);

void remote_on_ub(const char *file, unsigned line, const char *message)
{
    const char *why =
        strstr(message, "shift") != NULL
            ? "a uint8_t becomes an int before it is shifted, and an int "
              "cannot hold a byte of 128 or more shifted by 24 (undefined "
              "behaviour, even where it happens to give the right bits): "
              "cast each byte to uint32_t before the shift, "
              "(uint32_t)bytes[0] << 24, not after it, (uint32_t)(bytes[0] "
              "<< 24)"
            : "see the sanitizer's report above";
    if (strncmp(file, "tests/../", 9) == 0)
        file += 9;
    ck_abort_msg("%s%sundefined behaviour at %s:%u: %s: %s", ub_doing,
                 ub_doing[0] ? ": " : "", file, line, message, why);
}

void __ubsan_on_report(void)
{
    const char *kind = "", *message = "undefined behaviour", *file = "?";
    unsigned line = 0, column = 0;
    char *address = NULL;
    if (__ubsan_get_current_report_data != NULL)
        __ubsan_get_current_report_data(&kind, &message, &file, &line, &column,
                                        &address);
    /* The report as the sanitizer would print it (it will not get to). */
    fprintf(stderr, "%s:%u:%u: runtime error: %s\n", file, line, column,
            message);
    remote_on_ub(file, line, message);
}

START_TEST(test_read_be32)
{
    /* A byte of 128 or more at the top first: shifted as an int, it is
     * undefined behaviour (see __ubsan_on_report). */
    static const uint8_t cases[6][4] = {
        {0xFF, 0x00, 0x00, 0x01}, {0x80, 0x00, 0x00, 0x00},
        {0x00, 0x00, 0xEA, 0x60}, {0x12, 0x34, 0x56, 0x78},
        {0xDE, 0xAD, 0xBE, 0xEF}, {0x00, 0x00, 0x00, 0x08}};
    for (int c = 0; c < 6; c++) {
        const uint8_t *bytes = cases[c];
        snprintf(ub_doing, sizeof ub_doing, "read_be32 of %02X %02X %02X %02X",
                 bytes[0], bytes[1], bytes[2], bytes[3]);
        uint32_t want = 0, little = 0, got = read_be32(bytes);
        ub_doing[0] = '\0';
        for (int k = 0; k < 4; k++) {
            want = want << 8 | bytes[k];
            little = little << 8 | bytes[3 - k];
        }
        if (got == want)
            continue;
        char why[160] = "byte k goes to bits 24 - 8k: shift each byte into "
                        "place ((uint32_t)bytes[0] << 24, ...) and combine "
                        "them with |";
        if (got == little)
            snprintf(why, sizeof why,
                     "that is the bytes read least significant first: IDX "
                     "puts the most significant first");
        for (int k = 0; k < 4; k++) {
            uint32_t mask = 0xFFu << (24 - 8 * k);
            if ((got & mask) != (want & mask) && got != little) {
                snprintf(why, sizeof why,
                         "byte %d (0x%02X) should be bits %d to %d, 0x%08lX; "
                         "shift each byte into place ((uint32_t)bytes[0] << "
                         "24, bytes[1] << 16, bytes[2] << 8, bytes[3])",
                         k, bytes[k], 24 - 8 * k, 31 - 8 * k,
                         (unsigned long)(want & mask));
                break;
            }
        }
        ck_assert_msg(
            0, "%02X %02X %02X %02X is 0x%08lX (%lu), got 0x%08lX: %s",
            bytes[0], bytes[1], bytes[2], bytes[3], (unsigned long)want,
            (unsigned long)want, (unsigned long)got, why);
    }
}
END_TEST

/* The box a loop over rows r < row_end and columns c < col_end finds when
 * row r starts at pixel r * stride: {rows, -1, cols, -1} if no ink. The
 * test works out the right box (stride cols, every row and column) and
 * the boxes of two likely mistakes this way. */
static void box_of(int box[4], const uint8_t *pixels, int rows, int cols,
                   int stride, int row_end, int col_end)
{
    box[0] = rows, box[1] = -1, box[2] = cols, box[3] = -1;
    for (int r = 0; r < row_end; r++)
        for (int c = 0; c < col_end; c++) {
            if (r * stride + c >= rows * cols || pixels[r * stride + c] == 0)
                continue;
            box[0] = r < box[0] ? r : box[0];
            box[1] = r > box[1] ? r : box[1];
            box[2] = c < box[2] ? c : box[2];
            box[3] = c > box[3] ? c : box[3];
        }
}

static int same_box(const int a[4], const int b[4])
{
    return a[0] == b[0] && a[1] == b[1] && a[2] == b[2] && a[3] == b[3];
}

/* digit_bounding_box on a rows x cols image whose ink is at the given
 * (row, column) pairs, against the box worked out here. */
static void expect_box(int rows, int cols, const int (*ink)[2], int n_ink)
{
    uint8_t pixels[12 * 12] = {0};
    for (int k = 0; k < n_ink; k++)
        pixels[ink[k][0] * cols + ink[k][1]] = (uint8_t)(1 + 50 * k);
    int want[4], short_loops[4], by_rows[4];
    box_of(want, pixels, rows, cols, cols, rows, cols);
    box_of(short_loops, pixels, rows, cols, cols, rows - 1, cols - 1);
    box_of(by_rows, pixels, rows, cols, rows, rows, cols);
    /* The columns of the first and the last inked pixel, in the order a
     * loop over rows, then columns, meets them. */
    int first_column = -1, last_column = -1;
    for (int p = 0; p < rows * cols; p++)
        if (pixels[p] != 0) {
            first_column = first_column < 0 ? p % cols : first_column;
            last_column = p % cols;
        }
    int box[4] = {-9, -9, -9, -9};
    int status = digit_bounding_box(box, pixels, rows, cols);
    ck_assert_msg(status == 0,
                  "a %d x %d image with ink should give 0 (and the box), got "
                  "%d: -1 is only for a blank image",
                  rows, cols, status);
    if (same_box(box, want))
        return;
    const char *why = "start with an empty box (top = rows, bottom = -1, "
                      "left = cols, right = -1) and widen it at every pixel "
                      "above 0";
    int swapped[4] = {want[2], want[3], want[0], want[1]};
    if (same_box(box, swapped))
        why = "rows and columns are swapped: box = {top row, bottom row, "
              "left column, right column}";
    else if (same_box(box, short_loops))
        why = "the ink in the last row or last column was missed: loop r < "
              "rows and c < cols";
    else if (same_box(box, by_rows))
        why = "in a picture that is not square, row r starts at pixel r * "
              "cols, not r * rows";
    else if (box[3] == last_column && box[3] != want[3])
        why = "right must be the largest column with ink (a max), not the "
              "column of the last inked pixel seen";
    else if (box[2] == first_column && box[2] != want[2])
        why = "left must be the smallest column with ink (a min), not the "
              "column of the first inked pixel seen";
    else if (box[0] == 0 && want[0] > 0 && box[2] == 0)
        why = "the box starts at row 0, column 0 whatever the ink: start "
              "with an empty box (top = rows, left = cols, bottom = right = "
              "-1) and widen it at every pixel above 0";
    ck_assert_msg(0,
                  "a %d x %d image (%d rows, %d columns) with ink from row %d "
                  "to %d and column %d to %d: expected the box {%d, %d, %d, "
                  "%d}, got {%d, %d, %d, %d}: %s",
                  rows, cols, rows, cols, want[0], want[1], want[2], want[3],
                  want[0], want[1], want[2], want[3], box[0], box[1], box[2],
                  box[3], why);
}

START_TEST(test_bounding_box)
{
    const int two[2][2] = {{1, 2}, {3, 4}};
    expect_box(4, 5, two, 2);
    const int corner[2][2] = {{2, 1}, {4, 7}};
    expect_box(5, 8, corner, 2);
    const int tall[3][2] = {{3, 1}, {9, 2}, {6, 0}};
    expect_box(10, 3, tall, 3);
    const int one[1][2] = {{0, 0}};
    expect_box(1, 1, one, 1);
    const int last[1][2] = {{11, 11}};
    expect_box(12, 12, last, 1);
    /* A 7, whose last inked pixel (row by row) is not the rightmost, and a
     * J, whose first is not the leftmost. */
    const int seven[8][2] = {{1, 1}, {1, 2}, {1, 3}, {1, 4},
                             {2, 4}, {3, 3}, {4, 2}, {5, 1}};
    expect_box(7, 6, seven, 8);
    const int jay[6][2] = {{0, 2}, {1, 2}, {2, 2}, {3, 0}, {3, 1}, {3, 2}};
    expect_box(5, 4, jay, 6);
    uint8_t blank[6] = {0};
    int box[4] = {-9, -8, -7, -6};
    int status = digit_bounding_box(box, blank, 2, 3);
    ck_assert_msg(status == -1,
                  "a blank 2 x 3 image has no box: return -1, "
                  "got %d",
                  status);
    ck_assert_msg(box[0] == -9 && box[1] == -8 && box[2] == -7 && box[3] == -6,
                  "a blank 2 x 3 image: the box must be left untouched (it "
                  "held {-9, -8, -7, -6}, now {%d, %d, %d, %d}): return -1 "
                  "before writing box, write it only when there is ink",
                  box[0], box[1], box[2], box[3]);
}
END_TEST

START_TEST(test_loads_a_tiny_file)
{
    uint32_t dims[3] = {3, 2, 4};
    const char *path = write_idx("ok.idx", 0x08, 3, dims, 24);
    Idx idx;
    Error err;
    ck_assert_msg(idx_load(&idx, path, &err) == 0, "should load: %s", err.msg);
    ck_assert_int_eq(idx.n_dims, 3);
    ck_assert_uint_eq(idx.dims[0], 3);
    ck_assert_uint_eq(idx.dims[1], 2);
    ck_assert_uint_eq(idx.dims[2], 4);
    ck_assert_uint_eq(idx.n_bytes, 24);
    ck_assert_uint_eq(idx.data[23], 23 % 10);
    idx_free(&idx);
}
END_TEST

START_TEST(test_missing_file)
{
    expect_idx_error(temp_path("no-such-file"), "cannot open");
}
END_TEST

START_TEST(test_empty_file)
{
    temp_write("empty", "", 0);
    expect_idx_error(temp_path("empty"), "is empty");
}
END_TEST

START_TEST(test_short_header)
{
    temp_write("short", "\0\0", 2);
    expect_idx_error(temp_path("short"), "too short");
}
END_TEST

START_TEST(test_wrong_magic)
{
    temp_write_text("text", "hello, this is not IDX\n");
    expect_idx_error(temp_path("text"), "not an IDX file");
}
END_TEST

START_TEST(test_wrong_type)
{
    uint32_t dims[1] = {4};
    expect_idx_error(write_idx("float", 0x0D, 1, dims, 16),
                     "element type 0x0d");
}
END_TEST

START_TEST(test_zero_dimensions)
{
    expect_idx_error(write_idx("dims0", 0x08, 0, NULL, 0), "0 dimensions");
}
END_TEST

START_TEST(test_too_many_dimensions)
{
    uint32_t dims[4] = {1, 1, 1, 1};
    expect_idx_error(write_idx("dims4", 0x08, 4, dims, 1), "4 dimensions");
}
END_TEST

START_TEST(test_header_truncated)
{
    const uint8_t bytes[8] = {0, 0, 8, 3, 0, 0, 0, 1};
    temp_write("cut-header", bytes, sizeof bytes);
    expect_idx_error(temp_path("cut-header"), "header truncated");
}
END_TEST

START_TEST(test_truncated_data)
{
    uint32_t dims[3] = {10, 28, 28};
    expect_idx_error(write_idx("cut", 0x08, 3, dims, 10 * 784 - 1),
                     "truncated");
}
END_TEST

START_TEST(test_extra_bytes)
{
    uint32_t dims[1] = {5};
    expect_idx_error(write_idx("extra", 0x08, 1, dims, 6), "extra bytes");
}
END_TEST

START_TEST(test_zero_size)
{
    uint32_t dims[3] = {0, 28, 28};
    expect_idx_error(write_idx("size0", 0x08, 3, dims, 0), "size 1 is 0");
}
END_TEST

START_TEST(test_overflowing_sizes)
{
    /* 2^32-1 cubed overflows 64 bits; the loader must notice before it
     * multiplies, and must not try to allocate it. */
    uint32_t dims[3] = {0xFFFFFFFFu, 0xFFFFFFFFu, 0xFFFFFFFFu};
    expect_idx_error(write_idx("huge", 0x08, 3, dims, 100), "truncated");
}
END_TEST

START_TEST(test_gzip_file)
{
    const uint8_t bytes[12] = {0x1f, 0x8b, 8, 0, 0, 0, 0, 0, 0, 3, 0, 0};
    temp_write("data.gz", bytes, sizeof bytes);
    expect_idx_error(temp_path("data.gz"), "gzip");
}
END_TEST

START_TEST(test_directory)
{
    temp_write("folder/inside", "x", 1);
    expect_idx_error(temp_path("folder"), "is a directory, not a regular file");
}
END_TEST

/* Issue 11: a named pipe (FIFO) would make a plain open wait forever for a
 * writer; it must be refused at once. */
START_TEST(test_fifo)
{
    const char *path = temp_path("pipe");
    ck_assert(mkfifo(path, 0600) == 0);
    expect_idx_error(path, "not a regular file");
}
END_TEST

/* Issue 11: a file whose data would take more than MEMORY_CAP is refused
 * before anything is allocated, with the size it would need (the file is
 * sparse: it takes no room on the disk). */
START_TEST(test_over_memory_cap)
{
    const uint32_t n = (2u << 30) + (1u << 20); /* 2049 MiB */
    const uint8_t header[8] = {0,
                               0,
                               8,
                               1,
                               (uint8_t)(n >> 24),
                               (uint8_t)(n >> 16),
                               (uint8_t)(n >> 8),
                               (uint8_t)n};
    temp_write("huge", header, sizeof header);
    ck_assert(truncate(temp_path("huge"), 8 + (off_t)n) == 0);
    expect_idx_error(temp_path("huge"), "would need 2049 MiB, more than the "
                                        "2048 MiB allowed");
}
END_TEST

/* digits_load must fail with a message containing `expected`. */
static void expect_digits_error(const char *images, const char *labels,
                                const char *expected)
{
    Digits digits;
    Error err = {0};
    ck_assert_msg(digits_load(&digits, images, labels, &err) == -1,
                  "digits_load should fail with '%s'", expected);
    ck_assert_msg(strstr(err.msg, expected) != NULL,
                  "the error should mention '%s', got: %s", expected, err.msg);
}

/* Issue 11: digits_load reads the headers first. Images of 1 x 1073741800
 * pixels (a sparse 2 GiB file, so no disk is used) are refused at once,
 * not after reading 2 GiB; likewise image and label counts that differ. */
START_TEST(test_shapes_checked_before_the_data)
{
    const uint8_t header[16] = {0, 0, 8, 3, 0,    0,    0,    2,
                                0, 0, 0, 1, 0x3F, 0xFF, 0xFF, 0xE8};
    temp_write("wide", header, sizeof header);
    ck_assert(truncate(temp_path("wide"), 16 + 2 * (off_t)0x3FFFFFE8) == 0);
    uint32_t label_dims[1] = {2};
    const char *labels = write_idx("wide-labels", 0x08, 1, label_dims, 2);
    double start = seconds_now();
    expect_digits_error(temp_path("wide"), labels,
                        "images of 1 x 1073741800 pixels, expected at most "
                        "1024 x 1024");
    ck_assert_msg(seconds_now() - start < 1.0,
                  "the images' shape should be refused from the header, at "
                  "once; it took %.1f s (was the data read first?)",
                  seconds_now() - start);
}
END_TEST

START_TEST(test_counts_disagree)
{
    uint32_t image_dims[3] = {3, 2, 2}, label_dims[1] = {2};
    const char *images = write_idx("images", 0x08, 3, image_dims, 12);
    const char *labels = write_idx("labels", 0x08, 1, label_dims, 2);
    expect_digits_error(images, labels, "has 3 images but");
}
END_TEST

START_TEST(test_labels_with_images_shape)
{
    uint32_t dims[3] = {3, 2, 2};
    const char *images = write_idx("images", 0x08, 3, dims, 12);
    const char *labels = write_idx("labels", 0x08, 3, dims, 12);
    expect_digits_error(images, labels, "3 dimensions, expected 1");
    expect_digits_error(labels, images, "expected 1");
}
END_TEST

START_TEST(test_label_above_9)
{
    uint32_t image_dims[3] = {2, 2, 2};
    const char *images = write_idx("images", 0x08, 3, image_dims, 8);
    const uint8_t labels[10] = {0, 0, 8, 1, 0, 0, 0, 2, 3, 12};
    temp_write("labels", labels, sizeof labels);
    expect_digits_error(images, temp_path("labels"), "label 12 at index 1");
}
END_TEST

/* digits_load of image_dims[0] digits of image_dims[1] x image_dims[2]
 * pixels and n_labels labels, in files write_idx writes (pixel and label
 * i are i % 10). */
static int load_written_digits(Digits *digits, const uint32_t image_dims[3],
                               uint32_t n_labels, Error *err)
{
    uint32_t label_dims[1] = {n_labels};
    size_t n_pixels = (size_t)image_dims[0] * image_dims[1] * image_dims[2];
    const char *images = write_idx("images", 0x08, 3, image_dims, n_pixels);
    const char *labels = write_idx("labels", 0x08, 1, label_dims, n_labels);
    return digits_load(digits, images, labels, err);
}

START_TEST(test_loads_digits)
{
    uint32_t image_dims[3] = {2, 3, 4};
    Digits digits;
    Error err;
    ck_assert_msg(load_written_digits(&digits, image_dims, 2, &err) == 0, "%s",
                  err.msg);
    ck_assert_uint_eq(digits.n, 2);
    ck_assert_int_eq(digits.rows, 3);
    ck_assert_int_eq(digits.cols, 4);
    ck_assert_int_eq(digits.labels[1], 1);
    long counts[10];
    digits_count(counts, &digits);
    ck_assert_int_eq(counts[0], 1);
    ck_assert_int_eq(counts[1], 1);
    digits_free(&digits);
}
END_TEST

START_TEST(test_missing_data_dir)
{
    Digits train, test;
    Error err;
    ck_assert(mnist_load(&train, &test, temp_path("nothing-here"), &err) == -1);
    ck_assert_msg(strstr(err.msg, "./build.sh data") != NULL,
                  "a missing data set should point to ./build.sh data, got: "
                  "%s",
                  err.msg);
}
END_TEST

START_TEST(test_real_mnist)
{
    Digits train, test;
    Error err;
    ck_assert_msg(mnist_load(&train, &test, test_data_dir(), &err) == 0,
                  "cannot load MNIST (run ./build.sh data): %s", err.msg);
    ck_assert_uint_eq(train.n, 60000);
    ck_assert_uint_eq(test.n, 10000);
    ck_assert_int_eq(train.rows, 28);
    ck_assert_int_eq(train.cols, 28);
    static const long train_expected[10] = {5923, 6742, 5958, 6131, 5842,
                                            5421, 5918, 6265, 5851, 5949};
    static const long test_expected[10] = {980, 1135, 1032, 1010, 982,
                                           892, 958,  1028, 974,  1009};
    long counts[10];
    digits_count(counts, &train);
    for (int d = 0; d < 10; d++)
        ck_assert_msg(counts[d] == train_expected[d],
                      "training set: expected %ld digits %d, counted %ld",
                      train_expected[d], d, counts[d]);
    digits_count(counts, &test);
    for (int d = 0; d < 10; d++)
        ck_assert_msg(counts[d] == test_expected[d],
                      "test set: expected %ld digits %d, counted %ld",
                      test_expected[d], d, counts[d]);
    ck_assert_msg(train.labels[0] == 5, "MNIST's first training digit is a 5");
    digits_free(&train);
    digits_free(&test);
}
END_TEST

/* ---- Given code: digit_print, digits_count ------------------------------ */

START_TEST(test_digit_print)
{
    /* 2 x 3 pixels: 0 and 25 are blank (level 0), 26 is level 1, 128
     * level 5, 230 level 8, 255 level 9: pixel * 10 / 256. */
    const uint8_t pixels[6] = {0, 25, 26, 128, 230, 255};
    char text[64] = "";
    FILE *out = fmemopen(text, sizeof text - 1, "w");
    ck_assert(out != NULL);
    digit_print(out, pixels, 2, 3);
    long n = ftell(out);
    fclose(out);
    const char *want = "    ..\n++%%@@\n";
    ck_assert_msg(n == 14 && strcmp(text, want) == 0,
                  "digit_print (given code, chapter 1) of the 2 x 3 pixels "
                  "0 25 26 / 128 230 255 should print \"    ..\\n++%%%%@@\\n\" "
                  "(14 characters: level pixel * 10 / 256 of \" .:-=+*#%%@\", "
                  "each pixel twice, row by row, a newline after each row); "
                  "printed %ld characters: \"%s\"",
                  n, text);
}
END_TEST

START_TEST(test_digits_count)
{
    static uint8_t pixels[7], labels[7] = {3, 1, 4, 1, 5, 9, 2};
    Digits digits = {
        .n = 7, .rows = 1, .cols = 1, .pixels = pixels, .labels = labels};
    long counts[10];
    for (int d = 0; d < 10; d++)
        counts[d] = 1000 + d; /* what was there before */
    digits_count(counts, &digits);
    const long want[10] = {0, 2, 1, 1, 1, 1, 0, 0, 0, 1};
    for (int d = 0; d < 10; d++)
        ck_assert_msg(counts[d] == want[d],
                      "digits_count (given code, chapter 1) of the labels 3 "
                      "1 4 1 5 9 2: there are %ld %ds, it counted %ld: set "
                      "every count to 0 first, then add 1 to counts[label] "
                      "for every digit",
                      want[d], d, counts[d]);
}
END_TEST

/* ---- Given code: index_check, digits_load's labels ---------------------- */

START_TEST(test_index_check)
{
    /* Of 60000 digits, --show takes 0 to 59999. */
    const struct {
        long index;
        int ok;
        const char *why;
    } cases[] = {
        {0, 1, "0 is the first digit: accept index >= 0 (not > 0)"},
        {59999, 1, "59999 is the last of 60000 digits, n - 1"},
        {60000, 0,
         "there is no digit 60000 among 60000: the indices are 0 to n - 1, "
         "so accept index < n (not <= n)"},
        {-1, 0, "a negative index is no digit: accept index >= 0"},
    };
    for (size_t k = 0; k < sizeof cases / sizeof cases[0]; k++) {
        Error err = {.msg = ""};
        int status = index_check(cases[k].index, 60000, "--show", &err);
        ck_assert_msg(status == (cases[k].ok ? 0 : -1),
                      "index_check (given code, chapter 1) of --show %ld "
                      "among 60000 digits should %s, returned %d: %s",
                      cases[k].index,
                      cases[k].ok ? "accept it (0)" : "refuse it (-1)", status,
                      cases[k].why);
    }
    Error err = {.msg = ""};
    index_check(60000, 60000, "--show", &err);
    const char *want = "--show expects a whole number from 0 to 59999, got "
                       "60000";
    ck_assert_msg(strcmp(err.msg, want) == 0 && err.usage == 1,
                  "index_check (given code, chapter 1) of --show 60000 among "
                  "60000 digits should say \"%s\" (the range is 0 to n - 1), "
                  "as a usage error (usage_set: exit 2); said \"%s\"%s",
                  want, err.msg, err.usage ? "" : ", not as a usage error");
}
END_TEST

START_TEST(test_digits_load_labels)
{
    /* Ten digits of 1 x 1 pixel labelled 0 to 9 load; of two labelled 9
     * and 10, the 10 is refused, the first label that is not a digit. */
    uint32_t image_dims[3] = {10, 1, 1};
    Digits digits;
    Error err = {.msg = ""};
    int status = load_written_digits(&digits, image_dims, 10, &err);
    ck_assert_msg(status == 0 && digits.n == 10 && digits.labels[9] == 9,
                  "digits_load (given code, chapter 1) of ten digits labelled "
                  "0 to 9 should load all ten (each is a digit: a label is "
                  "refused only above 9), returned %d: %s",
                  status, err.msg);
    digits_free(&digits);
    image_dims[0] = 2;
    const char *images = write_idx("images2", 0x08, 3, image_dims, 2);
    const uint8_t nine_ten[10] = {0, 0, 8, 1, 0, 0, 0, 2, 9, 10};
    temp_write("labels2", nine_ten, sizeof nine_ten);
    err = (Error){.msg = ""};
    status = digits_load(&digits, images, temp_path("labels2"), &err);
    ck_assert_msg(status == -1 && strstr(err.msg, "label 10 at index 1 is not "
                                                  "a digit 0-9") != NULL,
                  "digits_load (given code, chapter 1) of two digits labelled "
                  "9 and 10 should refuse label 10 at index 1, the first "
                  "label that is not a digit 0-9 (refuse labels[i] > 9, every "
                  "i, up to the last), returned %d: %s",
                  status, status == 0 ? "(no error)" : err.msg);
}
END_TEST

Suite *suite_01_idx(void)
{
    Suite *suite = suite_create("01_idx");
    TCase *ex1 = tcase_create("exercise 1.1 (2 points)");
    tcase_add_test(ex1, test_read_be32);
    suite_add_tcase(suite, ex1);
    TCase *ex2 = tcase_create("exercise 1.2 (2 points)");
    tcase_add_test(ex2, test_bounding_box);
    suite_add_tcase(suite, ex2);

    TCase *given = tcase_create("given code: digit_print and digits_count");
    tcase_add_test(given, test_digit_print);
    tcase_add_test(given, test_digits_count);
    suite_add_tcase(suite, given);
    TCase *index = tcase_create("given code: index_check");
    tcase_add_test(index, test_index_check);
    suite_add_tcase(suite, index);
    TCase *labels = tcase_create("given code: digits_load (needs 1.1)");
    tcase_add_test(labels, test_digits_load_labels);
    suite_add_tcase(suite, labels);
    TCase *loader = tcase_create("loader (needs 1.1)");
    tcase_add_test(loader, test_loads_a_tiny_file);
    tcase_add_test(loader, test_loads_digits);
    suite_add_tcase(suite, loader);

    TCase *bad = tcase_create("bad files (needs 1.1)");
    tcase_add_test(bad, test_missing_file);
    tcase_add_test(bad, test_empty_file);
    tcase_add_test(bad, test_short_header);
    tcase_add_test(bad, test_wrong_magic);
    tcase_add_test(bad, test_wrong_type);
    tcase_add_test(bad, test_zero_dimensions);
    tcase_add_test(bad, test_too_many_dimensions);
    tcase_add_test(bad, test_header_truncated);
    tcase_add_test(bad, test_truncated_data);
    tcase_add_test(bad, test_extra_bytes);
    tcase_add_test(bad, test_zero_size);
    tcase_add_test(bad, test_overflowing_sizes);
    tcase_add_test(bad, test_gzip_file);
    tcase_add_test(bad, test_directory);
    tcase_add_test(bad, test_fifo);
    tcase_add_test(bad, test_over_memory_cap);
    tcase_add_test(bad, test_counts_disagree);
    tcase_add_test(bad, test_shapes_checked_before_the_data);
    tcase_add_test(bad, test_labels_with_images_shape);
    tcase_add_test(bad, test_label_above_9);
    tcase_add_test(bad, test_missing_data_dir);
    suite_add_tcase(suite, bad);

    TCase *real = tcase_create("real MNIST (needs 1.1)");
    tcase_add_test(real, test_real_mnist);
    suite_add_tcase(suite, real);
    return suite;
}
