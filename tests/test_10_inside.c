/* Chapter 10's tests: the confusion matrix, reading PGM images (good and
 * bad), preparing them the MNIST way, and the program. */
#define CH10_NO_MAIN
#include "../code/10_inside.c"

#include "testing.h"

Suite *suite_10_inside(void);

#define CANARY_DOUBLE 12345.0

static void expect_pgm_error(const char *name, const char *content, size_t size,
                             const char *expected)
{
    temp_write(name, content, size);
    Image image;
    Error err = {0};
    ck_assert_msg(pgm_load(&image, temp_path(name), &err) == -1,
                  "%s should be refused with '%s'", name, expected);
    ck_assert_msg(strstr(err.msg, expected) && strstr(err.msg, name),
                  "the error should name %s and mention '%s', got: %s", name,
                  expected, err.msg);
    ck_assert(image.values == NULL);
}

/* Write `size` bytes as the file `name` and load it as a PGM, which must
 * work: the image, into *image. */
static void load_pgm(Image *image, const char *name, const char *bytes,
                     size_t size)
{
    temp_write(name, bytes, size);
    Error err;
    ck_assert_msg(pgm_load(image, temp_path(name), &err) == 0, "%s: %s", name,
                  err.msg);
}

START_TEST(test_pgm_ascii_and_binary)
{
    Image image;
    const char ascii[] = "P2\n# a comment\n3 2\n10\n0 5 10\n10 5 0\n";
    load_pgm(&image, "a.pgm", ascii, sizeof ascii - 1);
    ck_assert_int_eq(image.width, 3);
    ck_assert_int_eq(image.height, 2);
    ck_assert_msg(image.values[1] == 0.5f && image.values[3] == 1.0f,
                  "values are fractions of the maximum: expected 0.5 and 1, "
                  "got %g and %g",
                  (double)image.values[1], (double)image.values[3]);
    image_free(&image);
    const char binary[] = "P5 2 1 255\n\x00\xff";
    load_pgm(&image, "b.pgm", binary, sizeof binary - 1);
    ck_assert(image.values[0] == 0.0f && image.values[1] == 1.0f);
    image_free(&image);
    /* A comment may follow a number at once, as netpbm allows. */
    const char text_comments[] = "P2#c\n3#w\n 1 #h\n10#m\n0 5 10#end\n";
    load_pgm(&image, "d.pgm", text_comments, sizeof text_comments - 1);
    ck_assert(image.width == 3 && image.height == 1 &&
              image.values[1] == 0.5f && image.values[2] == 1.0f);
    image_free(&image);
    const char comments[] = "P5#c\n2#x\n 1 #y\n255#z\n\x00\xff";
    load_pgm(&image, "e.pgm", comments, sizeof comments - 1);
    ck_assert(image.values[0] == 0.0f && image.values[1] == 1.0f);
    image_free(&image);
    const char wide[] = "P5 1 1 65535\n\x80\x00";
    load_pgm(&image, "c.pgm", wide, sizeof wide - 1);
    ck_assert(fabsf(image.values[0] - 32768.0f / 65535.0f) < 1e-6f);
    image_free(&image);
}
END_TEST

/* Bad PGM files, one loop test each (so that the first failure does not
 * hide the others): the file's name, its bytes and how many, and what the
 * error must mention. */
typedef struct {
    const char *name, *content;
    size_t size;
    const char *expected;
} BadPgm;

static const BadPgm BAD_PGMS[] = {
    {"png.pgm", "\x89PNG\r\n", 6, "not a PGM image"},
    {"empty.pgm", "", 0, "not a PGM image"},
    {"zero.pgm", "P2 0 5 255\n", 11, "image size"},
    {"huge.pgm", "P5 5000 5000 255\n", 17, "image size"},
    {"max.pgm", "P2 1 1 70000\n1\n", 15, "maximum grey"},
    {"short.pgm", "P2 2 2 255\n1 2 3\n", 17, "truncated"},
    {"above.pgm", "P2 1 1 10\n11\n", 13, "above the maximum"},
    {"cut.pgm", "P5 4 4 255\n\x01\x02", 13, "truncated"},
    /* Issue 11, defect 8: "1.5" is not two pixels, 1 and 5. */
    {"half.pgm", "P2 2 1 9\n1.5 3\n", 14, "pixel 1 is not a whole number"},
    {"long.pgm", "P2 1 2 9\n12345678 1\n", 19, "pixel 1 is not a whole number"},
    {"wide.pgm", "P2 2.5 1 9\n1 1\n", 15, "image size"},
    /* A header that promises 4096 x 4096 pixels in a 20-byte file is
     * refused before 64 MB are allocated for them. */
    {"promise.pgm", "P5 4096 4096 255\n\x01\x02\x03", 20,
     "need at least 16777216 bytes"},
};

START_TEST(test_pgm_error)
{
    const BadPgm *bad = &BAD_PGMS[_i];
    expect_pgm_error(bad->name, bad->content, bad->size, bad->expected);
}
END_TEST

/* Issue 11, defects 4 and 8: a directory and a FIFO are named as such. */
START_TEST(test_pgm_not_a_file)
{
    temp_write("folder/inside", "x", 1);
    Image image;
    Error err;
    ck_assert(pgm_load(&image, temp_path("folder"), &err) == -1);
    ck_assert_msg(strstr(err.msg, "is a directory"), "got: %s", err.msg);
    ck_assert(mkfifo(temp_path("pipe"), 0600) == 0);
    ck_assert(pgm_load(&image, temp_path("pipe"), &err) == -1);
    ck_assert_msg(strstr(err.msg, "not a regular file"), "got: %s", err.msg);
}
END_TEST

START_TEST(test_image_to_mnist_centres_and_scales)
{
    /* A white 40 x 40 image with a dark 8 x 16 bar in its top-left corner:
     * prepared, it must be light-on-dark, 20 pixels tall, and centred. */
    Image image = {.width = 40, .height = 40};
    image.values = malloc(40 * 40 * sizeof(float));
    for (int k = 0; k < 40 * 40; k++)
        image.values[k] = 1.0f;
    for (int r = 2; r < 18; r++)
        for (int c = 3; c < 11; c++)
            image.values[r * 40 + c] = 0.0f;
    float x[784];
    Error err;
    ck_assert(image_to_mnist(x, &image, &err) == 0);
    int top = 28, bottom = -1, left = 28, right = -1;
    double mass = 0, mass_r = 0, mass_c = 0;
    for (int r = 0; r < 28; r++)
        for (int c = 0; c < 28; c++) {
            float v = x[r * 28 + c];
            if (v > 0.5f) {
                top = r < top ? r : top;
                bottom = r > bottom ? r : bottom;
                left = c < left ? c : left;
                right = c > right ? c : right;
            }
            mass += (double)v;
            mass_r += (double)v * (r + 0.5);
            mass_c += (double)v * (c + 0.5);
        }
    ck_assert_msg(bottom - top + 1 == 20 && right - left + 1 == 10,
                  "a 16 x 8 bar should become 20 x 10 (scaled to fit 20, "
                  "shape kept), got %d x %d",
                  bottom - top + 1, right - left + 1);
    ck_assert_msg(fabs(mass_r / mass - 14) <= 1 &&
                      fabs(mass_c / mass - 14) <= 1,
                  "the centre of mass should be near (14, 14), got (%.1f, "
                  "%.1f)",
                  mass_r / mass, mass_c / mass);
    for (int k = 0; k < 40 * 40; k++)
        image.values[k] = 1.0f;
    ck_assert_msg(image_to_mnist(x, &image, &err) == -1 &&
                      strstr(err.msg, "no ink"),
                  "a blank image should be refused");
    image_free(&image);
}
END_TEST

/* Expected confusion counts when digit i's answer is answer(i) and its
 * label label(i): the right counts, and those of two likely mistakes. */
enum { N_DIGITS = 23, CHUNK = 5 };

static int synthetic_answer(int i)
{
    return i * 7 % 10;
}

static int synthetic_label(int i)
{
    return i * 3 % 10;
}

typedef enum { RIGHT, FIRST_ROW_ANSWER, CHUNK_LABEL, HIDDEN_ANSWER } Counting;

static void synthetic_counts(long counts[10][10], Counting how)
{
    memset(counts, 0, 10 * sizeof counts[0]);
    for (int i = 0; i < N_DIGITS; i++) {
        int start = i / CHUNK * CHUNK;
        int answer = synthetic_answer(how == FIRST_ROW_ANSWER ? start : i);
        if (how == HIDDEN_ANSWER) /* the hidden layer's neuron, one before */
            answer = (answer + 9) % 10;
        int label = synthetic_label(how == CHUNK_LABEL ? i - start : i);
        counts[label][answer]++;
    }
}

static int same_counts(long a[10][10], long b[10][10], int transposed)
{
    for (int t = 0; t < 10; t++)
        for (int c = 0; c < 10; c++)
            if (a[t][c] != (transposed ? b[c][t] : b[t][c]))
                return 0;
    return 1;
}

/* The 9 -> 10 -> 10 network of the test below: pixel i lights hidden
 * neuron i - 1 (weight 10; a blank digit, neuron 8 by its bias of 5), and
 * hidden neuron h lights answer h + 1 (mod 10), for batches of CHUNK. */
static void synthetic_network(Network *net)
{
    const int sizes[3] = {9, 10, 10};
    Error err;
    ck_assert(network_init(net, sizes, 3, CHUNK, &err) == 0);
    for (int i = 0; i < 9; i++)
        net->layers[0].weights[i * 10 + (i + 9) % 10] = 10.0f;
    net->layers[0].biases[8] = 5.0f;
    for (int h = 0; h < 10; h++)
        net->layers[1].weights[h * 10 + (h + 1) % 10] = 1.0f;
}

/* Why confusion_count gave `counts` and not `want`: by their total, then
 * by the counts each likely mistake gives. */
static const char *confusion_diagnosis(long counts[10][10], long want[10][10])
{
    long total = 0, wrong[10][10];
    for (int t = 0; t < 10; t++)
        for (int c = 0; c < 10; c++)
            total += counts[t][c];
    if (total >= 100 * 1000)
        return "the counts did not start at 0: set all 100 to 0 first "
               "(counts is overwritten, memset)";
    if (total == N_DIGITS / CHUNK * CHUNK)
        return "the last, smaller batch was left out (23 digits, batches of "
               "5): the last batch holds digits->n - start digits";
    if (total > N_DIGITS)
        return "more digits were counted than there are: the last batch "
               "holds only digits->n - start digits";
    if (total < N_DIGITS)
        return "some digits were not counted: go through all of them, "
               "max_batch at a time";
    if (same_counts(counts, want, 1))
        return "rows and columns are swapped: counts[true digit][answer], "
               "not [answer][true digit]";
    synthetic_counts(wrong, FIRST_ROW_ANSWER);
    if (same_counts(counts, wrong, 0))
        return "every digit of a batch got the first digit's answer: digit "
               "b's probabilities are row b, p + b * 10";
    synthetic_counts(wrong, HIDDEN_ANSWER);
    if (same_counts(counts, wrong, 0))
        return "the answers were read from the first layer's outputs: the "
               "probabilities are the last layer's, "
               "net->outputs[net->n_layers - 1]";
    synthetic_counts(wrong, CHUNK_LABEL);
    if (same_counts(counts, wrong, 0))
        return "the labels were read from the start of the set in every "
               "batch: digit b of the batch starting at `start` is labelled "
               "digits->labels[start + b]";
    return "counts[labels[i]][argmax of row i of p] += 1 for every digit i";
}

START_TEST(test_confusion_counts_every_digit)
{
    /* 23 digits of 3 x 3 pixels, each blank or with one pixel of ink, and a
     * 9 -> 10 -> 10 network whose answer is the pixel that is inked or,
     * for a blank digit, 9, run 5 digits at a time: the test knows every
     * answer without trusting any other function. Reading the hidden
     * layer's outputs instead of the last layer's gives other answers
     * (synthetic_network). */
    uint8_t pixels[N_DIGITS * 9] = {0}, labels[N_DIGITS];
    for (int i = 0; i < N_DIGITS; i++) {
        if (synthetic_answer(i) < 9)
            pixels[i * 9 + synthetic_answer(i)] = 255;
        labels[i] = (uint8_t)synthetic_label(i);
    }
    Digits digits = {.n = N_DIGITS,
                     .rows = 3,
                     .cols = 3,
                     .pixels = pixels,
                     .labels = labels};
    Network net;
    synthetic_network(&net);
    long counts[10][10], want[10][10];
    for (int t = 0; t < 10; t++)
        for (int c = 0; c < 10; c++)
            counts[t][c] = 1000; /* whatever was there before */
    confusion_count(counts, &net, &digits);
    network_free(&net);
    synthetic_counts(want, RIGHT);
    if (same_counts(counts, want, 0))
        return;
    const char *why = confusion_diagnosis(counts, want);
    for (int t = 0; t < 10; t++)
        for (int c = 0; c < 10; c++)
            ck_assert_msg(counts[t][c] == want[t][c],
                          "23 digits whose answers and labels the test "
                          "knows, in batches of 5: counts[%d][%d] (digit %d "
                          "read as %d) should be %ld, got %ld: %s",
                          t, c, t, c, want[t][c], counts[t][c], why);
}
END_TEST

/* most_common_mistake against a search worked out here, and the results
 * of the likely mistakes. */
static long mistake_search(int *label, int *answer, long counts[10][10],
                           int ties_last, int diagonal, int size)
{
    long most = 0;
    *label = *answer = 0;
    for (int t = 0; t < size; t++)
        for (int a = 0; a < size; a++)
            if ((diagonal || t != a) &&
                (counts[t][a] > most ||
                 (ties_last && counts[t][a] == most && most > 0))) {
                most = counts[t][a];
                *label = t;
                *answer = a;
            }
    return most;
}

static void expect_mistake(long counts[10][10], const char *what)
{
    int want_label, want_answer, label = -1, answer = -1, l, a;
    long want = mistake_search(&want_label, &want_answer, counts, 0, 0, 10);
    long most = most_common_mistake(&label, &answer, counts);
    if (most == want &&
        (want == 0 || (label == want_label && answer == want_answer)))
        return;
    const char *why = "the largest count off the diagonal, the first one "
                      "(row by row) on a tie; label is its row, answer its "
                      "column";
    if (most == mistake_search(&l, &a, counts, 0, 1, 10) && label == l &&
        answer == a)
        why = "that is on the diagonal (the right answers): skip t == a";
    else if (most == want && label == want_answer && answer == want_label)
        why = "label and answer are swapped: the row is the true digit "
              "(label), the column the answer";
    else if (most == mistake_search(&l, &a, counts, 1, 0, 10) && label == l &&
             answer == a)
        why = "that is the last of the equal counts: keep the first (>, not "
              ">=)";
    else if (most == mistake_search(&l, &a, counts, 0, 0, 9) && label == l &&
             answer == a)
        why = "row or column 9 was left out: look at all 10 rows and "
              "columns";
    ck_assert_msg(0,
                  "%s: expected %ld (a %d read as %d), got %ld (a %d read as "
                  "%d): %s",
                  what, want, want_label, want_answer, most, label, answer,
                  why);
}

START_TEST(test_most_common_mistake)
{
    long counts[10][10] = {{0}};
    for (int d = 0; d < 10; d++)
        counts[d][d] = 100;
    counts[4][9] = 7;
    counts[9][4] = 5;
    counts[3][5] = 7;
    expect_mistake(counts, "diagonal 100, counts[4][9] = 7, counts[9][4] = 5, "
                           "counts[3][5] = 7");
    long lower[10][10] = {{0}};
    for (int d = 0; d < 10; d++)
        lower[d][d] = 50;
    lower[7][2] = 9;
    lower[2][7] = 3;
    expect_mistake(lower, "diagonal 50, counts[7][2] = 9, counts[2][7] = 3");
    long last[10][10] = {{0}};
    last[9][8] = 4;
    last[8][9] = 2;
    expect_mistake(last, "counts[9][8] = 4, counts[8][9] = 2");
    long perfect[10][10] = {{0}};
    for (int d = 0; d < 10; d++)
        perfect[d][d] = 10;
    int label = -1, answer = -1;
    long most = most_common_mistake(&label, &answer, perfect);
    ck_assert_msg(most == 0,
                  "a perfect network (only the diagonal) makes no mistake: "
                  "expected 0, got %ld (a %d read as %d)",
                  most, label, answer);
}
END_TEST

START_TEST(test_inside_program_errors)
{
    char out[4096];
    int status = run_program(out, sizeof out, "bin/10_inside");
    ck_assert_msg(status == 2 && strstr(out, "--model FILE is needed"),
                  "without --model: exit 2 and say so, got %d: %s", status,
                  out);
    status = run_program(out, sizeof out, "bin/10_inside --model README.md");
    ck_assert_msg(status == 1 && strstr(out, "not a network file"),
                  "a non-model file: exit 1, got %d: %s", status, out);
    /* Issue 11, defect 7: a missing --model is reported before anything is
     * loaded, and --classify does not need MNIST. */
    status = run_program(out, sizeof out,
                         "bin/10_inside --data /nonexistent --classify x.pgm");
    ck_assert_msg(status == 2 && strstr(out, "--model FILE is needed"),
                  "without --model: exit 2 and say so before looking for "
                  "data, got %d: %s",
                  status, out);
    const int sizes[3] = {784, 4, 10};
    Network net;
    Error err;
    ck_assert(network_init(&net, sizes, 3, 1, &err) == 0);
    ck_assert(network_save(&net, temp_path("net.bin"), &err) == 0);
    network_free(&net);
    char command[4200];
    snprintf(command, sizeof command,
             "bin/10_inside --data /nonexistent --model %s --classify "
             "figures/10_inside/my_digit.pgm",
             temp_path("net.bin"));
    status = run_program(out, sizeof out, command);
    ck_assert_msg(status == 0 && strstr(out, "It reads a"),
                  "--classify should not need MNIST, got %d: %s", status, out);
}
END_TEST

/* ---- Given code: weights_moved, layer_activity -------------------------- */

START_TEST(test_weights_moved)
{
    /* A 3 -> 2 layer: neuron j's weights are column j of the 3 x 2 rows. */
    Affine now, start;
    Error err;
    ck_assert(affine_init(&now, 3, 2, &err) == 0);
    ck_assert(affine_init(&start, 3, 2, &err) == 0);
    const float w_now[6] = {1, 2, 3, 4, 5, 6},
                w_start[6] = {0.5f, 1, 1, 1, 2, 0};
    memcpy(now.weights, w_now, sizeof w_now);
    memcpy(start.weights, w_start, sizeof w_start);
    double moved[2 + 1] = {0, 0, CANARY_DOUBLE};
    weights_moved(moved, &now, &start);
    /* Neuron 0 moved by 0.5, 2 and 3; neuron 1 by 1, 3 and 6. */
    const double want[2] = {sqrt((0.25 + 4 + 9) / 3), sqrt((1 + 9 + 36) / 3.0)};
    for (int j = 0; j < 2; j++) {
        const char *why = "the root mean square of now - start over the "
                          "neuron's n_in weights, the column j of the layer "
                          "(weights[i * n_out + j])";
        double sum_j = want[j] * want[j] * 3;
        if (fabs(moved[j] - sum_j / 3) < 1e-9)
            why = "that is the mean square: take its square root";
        else if (fabs(moved[j] - sqrt(sum_j / 2)) < 1e-9)
            why = "divided by n_out: a neuron has n_in weights, divide by "
                  "n_in";
        ck_assert_msg(fabs(moved[j] - want[j]) < 1e-9,
                      "weights_moved (given code, chapter 10) of a 3 -> 2 "
                      "layer from [.5 1; 1 1; 2 0] to [1 2; 3 4; 5 6]: neuron "
                      "%d should have moved %.6f, got %.6f: %s",
                      j, want[j], moved[j], why);
    }
    ck_assert_msg(moved[2] == CANARY_DOUBLE,
                  "weights_moved wrote past moved[n_out - 1]");
    affine_free(&now);
    affine_free(&start);
}
END_TEST

/* The five digits of 1 x 3 pixels layer_activity's test runs on, two at a
 * time (slices of 2, 2 and 1), and the hidden layer of its 3 -> 4 -> 2
 * network: neuron 0 is x0 - x2, neuron 1 is x1 - 0.2, neuron 2 is always
 * off (bias -10), neuron 3 is x0 + x1 + x2 - 0.5; after ReLU. */
static const uint8_t activity_pixels[15] = {
    255, 0, 0, 0, 255, 0, 204, 51, 0, 51, 153, 102, 128, 128, 128};
static const uint8_t activity_labels[5] = {3, 5, 3, 1, 5};
static const float activity_w[12] = {1, 0, 0, 1, 0, 1, 0, 1, -1, 0, 0, 1},
                   activity_b[4] = {0, -0.2f, -10, -0.5f};

/* layer_activity's answers for that layer, worked out here in double. Row
 * b of a slice reads the hidden outputs at b * stride of the slice's
 * outputs: stride 4, the layer's width, is right; stride 3 (the inputs'
 * width) is what reading them at b * n_in gives. */
static void activity_reference(double fires[4], double seen[4 * 3],
                               double shares[4 * 10], int stride)
{
    double x[5][3], a[5][4], strength[4] = {0};
    for (int d = 0; d < 5; d++) {
        for (int i = 0; i < 3; i++)
            x[d][i] = (double)((float)activity_pixels[3 * d + i] / 255.0f);
        for (int j = 0; j < 4; j++) {
            a[d][j] = (double)activity_b[j];
            for (int i = 0; i < 3; i++)
                a[d][j] += x[d][i] * (double)activity_w[4 * i + j];
            a[d][j] = a[d][j] > 0 ? a[d][j] : 0;
        }
    }
    memset(fires, 0, 4 * sizeof *fires);
    memset(seen, 0, 4 * 3 * sizeof *seen);
    memset(shares, 0, 4 * 10 * sizeof *shares);
    for (int d = 0; d < 5; d++) {
        int start = d / 2 * 2, b = d - start;
        for (int j = 0; j < 4; j++) {
            int k = b * stride + j;
            double on = a[start + k / 4][k % 4];
            if (on <= 1e-6)
                continue;
            fires[j] += 1.0 / 5;
            strength[j] += on;
            shares[10 * j + activity_labels[d]] += on;
            for (int i = 0; i < 3; i++)
                seen[3 * j + i] += on * x[d][i];
        }
    }
    for (int j = 0; j < 4; j++) {
        for (int i = 0; i < 3 && strength[j] > 0; i++)
            seen[3 * j + i] /= strength[j];
        for (int d = 0; d < 10 && strength[j] > 0; d++)
            shares[10 * j + d] /= strength[j];
    }
}

static int all_near(const double *got, const double *want, int n)
{
    for (int k = 0; k < n; k++)
        if (fabs(got[k] - want[k]) >= 1e-5)
            return 0;
    return 1;
}

/* The end of a hint, if layer_activity's results are what reading the
 * hidden outputs at b * n_in gives (else ""). */
static const char *activity_stride_hint(const double *fires, const double *seen,
                                        const double *shares)
{
    double by_n_in[3][4 * 10];
    activity_reference(by_n_in[0], by_n_in[1], by_n_in[2], 3);
    return all_near(fires, by_n_in[0], 4) && all_near(seen, by_n_in[1], 12) &&
                   all_near(shares, by_n_in[2], 40)
               ? ": row b of the hidden layer's outputs starts at "
                 "net->outputs[l] + b * n_out (the layer's width, 4), not b "
                 "* n_in (the inputs', 3)"
               : "";
}

START_TEST(test_layer_activity)
{
    /* A 3 -> 4 -> 2 network (a hidden layer wider than the input, so that
     * a row of its outputs is not as long as a row of inputs) over five
     * digits, two at a time. */
    const int sizes[3] = {3, 4, 2};
    Network net;
    Error err;
    ck_assert(network_init(&net, sizes, 3, 2, &err) == 0);
    memcpy(net.layers[0].weights, activity_w, sizeof activity_w);
    memcpy(net.layers[0].biases, activity_b, sizeof activity_b);
    static uint8_t pixels[15], labels[5];
    memcpy(pixels, activity_pixels, sizeof pixels);
    memcpy(labels, activity_labels, sizeof labels);
    Digits digits = {
        .n = 5, .rows = 1, .cols = 3, .pixels = pixels, .labels = labels};
    double fires[4], seen[4 * 3], shares[4 * 10];
    ck_assert_msg(layer_activity(fires, seen, shares, &net, 0, &digits, &err) ==
                      0,
                  "%s", err.msg);
    double want_fires[4], want_seen[4 * 3], want_shares[4 * 10];
    activity_reference(want_fires, want_seen, want_shares, 4);
    const char *row = activity_stride_hint(fires, seen, shares);
    const char *what = "layer_activity (given code, chapter 10) of hidden "
                       "neurons x0 - x2, x1 - 0.2, -10 (always off) and x0 + "
                       "x1 + x2 - 0.5, after ReLU (a 3 -> 4 -> 2 network), "
                       "over 5 digits taken 2 at a time";
    for (int j = 0; j < 4; j++) {
        ck_assert_msg(fabs(fires[j] - want_fires[j]) < 1e-6,
                      "%s: neuron %d is on (above 0) for %.0f of the 5 "
                      "digits, so fires[%d] should be %.2f; got %.4f: the "
                      "fraction of all the digits for which its output is "
                      "above 0 (0 is off)%s",
                      what, j, 5 * want_fires[j], j, want_fires[j], fires[j],
                      row);
        for (int i = 0; i < 3; i++)
            ck_assert_msg(fabs(seen[3 * j + i] - want_seen[3 * j + i]) < 1e-5,
                          "%s: seen[%d][%d] should be %.6f, got %.6f: the "
                          "digits' pixels, each digit weighted by how "
                          "strongly it turns the neuron on (a_j * x, that "
                          "digit's own x), summed, then divided by the sum "
                          "of a_j%s",
                          what, j, i, want_seen[3 * j + i], seen[3 * j + i],
                          row);
        for (int d = 0; d < 10; d++)
            ck_assert_msg(
                fabs(shares[10 * j + d] - want_shares[10 * j + d]) < 1e-5,
                "%s: labels[%d][%d] should be %.6f, got %.6f: the "
                "share of the neuron's total output (sum of a_j) "
                "that comes from digits labelled %d (each digit's own "
                "label, digits->labels[start + b]), each digit "
                "counting by its a_j%s",
                what, j, d, want_shares[10 * j + d], shares[10 * j + d], d,
                row);
    }
    network_free(&net);
}
END_TEST

/* ---- Given code: pgm_header, ink_centre --------------------------------- */

START_TEST(test_pgm_header)
{
    /* A 28 x 28 P2 image of one-digit pixels (k % 10 for pixel k), one
     * space between two and nothing after the last: 784 digits and 783
     * spaces, 2n - 1 bytes after the header, the fewest n pixels can take
     * in P2. */
    static char text[16 + 2 * 784];
    int at = snprintf(text, sizeof text, "P2 28 28 9\n");
    for (int k = 0; k < 784; k++) {
        text[at++] = (char)('0' + k % 10);
        if (k < 783)
            text[at++] = ' ';
    }
    temp_write("least.pgm", text, (size_t)at);
    Image image = {0};
    Error err = {.msg = ""};
    int status = pgm_load(&image, temp_path("least.pgm"), &err);
    ck_assert_msg(status == 0 && image.width == 28 && image.height == 28 &&
                      image.values[9] == 1.0f &&
                      image.values[783] == 3.0f / 9.0f,
                  "pgm_header (given code, chapter 10): a 28 x 28 P2 image of "
                  "one-digit pixels, one space between two and no newline "
                  "after the last, has 1567 bytes after its header (2n - 1: "
                  "n digits and n - 1 spaces), the fewest a P2 image can "
                  "have; it should load (require at least 2n - 1 bytes, not "
                  "2n), got %d: %s",
                  status, status == 0 ? "wrong pixels" : err.msg);
    image_free(&image);
    /* One byte short, its last pixel cut: refused from the header, before
     * the pixels are allocated and read. */
    temp_write("short.pgm", text, (size_t)at - 1);
    err = (Error){.msg = ""};
    status = pgm_load(&image, temp_path("short.pgm"), &err);
    ck_assert_msg(status == -1 &&
                      strstr(err.msg, "28 x 28 pixels need at least 1567 "
                                      "bytes after the header, the file has "
                                      "1566") != NULL,
                  "pgm_header (given code, chapter 10): the same P2 image one "
                  "byte short (1566 bytes after the header) should be "
                  "refused from its header, before its pixels are read: a "
                  "P2 pixel takes at least 2 bytes, a digit and a space, "
                  "but the last may end the file (2n - 1); got %d: %s",
                  status, status == 0 ? "(no error)" : err.msg);
}
END_TEST

/* ink_centre of a patch of out_h x out_w pixels (rows MNIST_INK_SIDE apart),
 * its ink 1 and the rest 0, must put that ink exactly in rows want[0] to
 * want[1] and columns want[2] to want[3] of the 28 x 28 image, and 0
 * everywhere else. */
static void expect_centred(const char *what, const float *patch, int out_h,
                           int out_w, const int want[4], const char *why)
{
    float x[28 * 28];
    for (int k = 0; k < 28 * 28; k++)
        x[k] = 7.0f; /* what was there before */
    ink_centre(x, patch, out_h, out_w);
    int box[4] = {28, -1, 28, -1}, n_ink = 0, n_patch = 0, other = 0;
    for (int r = 0; r < 28; r++)
        for (int c = 0; c < 28; c++) {
            float v = x[r * 28 + c];
            other += v != 0.0f && v != 1.0f;
            if (v != 1.0f)
                continue;
            n_ink++;
            box[0] = r < box[0] ? r : box[0];
            box[1] = r > box[1] ? r : box[1];
            box[2] = c < box[2] ? c : box[2];
            box[3] = c > box[3] ? c : box[3];
        }
    for (int r = 0; r < out_h; r++)
        for (int c = 0; c < out_w; c++)
            n_patch += patch[r * MNIST_INK_SIDE + c] == 1.0f;
    const char *moved = "";
    if (box[0] == want[0] + 1 && box[2] == want[2] + 1)
        moved = ": it is one pixel down and to the right: pixel m spans m "
                "to m + 1, so a mean index m is the point m + 0.5, and the "
                "shift is 14 - m - 0.5, not 14 - m (nor 14 - m + 0.5)";
    ck_assert_msg(box[0] == want[0] && box[1] == want[1] && box[2] == want[2] &&
                      box[3] == want[3] && n_ink == n_patch && other == 0,
                  "ink_centre (given code, chapter 10) of %s should put its "
                  "ink in rows %d to %d and columns %d to %d of the 28 x 28 "
                  "image, and 0 everywhere else; it is in rows %d to %d and "
                  "columns %d to %d (%d pixels of ink of %d, %d others not "
                  "0): %s%s",
                  what, want[0], want[1], want[2], want[3], box[0], box[1],
                  box[2], box[3], n_ink, n_patch, other, why, moved);
}

START_TEST(test_ink_centre)
{
    static float patch[MNIST_INK_SIDE * MNIST_INK_SIDE];
    for (int r = 0; r < 2; r++)
        for (int c = 0; c < 4; c++)
            patch[r * MNIST_INK_SIDE + c] = 1.0f;
    const int bar[4] = {13, 14, 12, 15};
    expect_centred("a bar 2 pixels tall and 4 wide", patch, 2, 4, bar,
                   "its centre of mass, the point (1, 2) of the patch, "
                   "lands on the image's centre, the point (14, 14): the "
                   "shift is 14 - m - 0.5, rounded, rows from the mean row "
                   "(mass_r), columns from the mean column (mass_c)");
    memset(patch, 0, sizeof patch);
    for (int k = 0; k < 20; k++) {
        patch[k] = patch[19 * MNIST_INK_SIDE + k] = 1.0f;
        patch[k * MNIST_INK_SIDE] = patch[k * MNIST_INK_SIDE + 19] = 1.0f;
    }
    const int ring[4] = {4, 23, 4, 23};
    expect_centred("the 20 x 20 outline of a square", patch, 20, 20, ring,
                   "its centre, the point (10, 10) of the patch, lands on "
                   "the point (14, 14): a shift of 4 each way");
    /* A patch 4 tall and 20 wide whose ink is a 2 x 4 block in its
     * bottom-right corner: centring the block would push the patch past
     * the image's left edge, so the columns stop at 0; the rows centre. */
    memset(patch, 0, sizeof patch);
    for (int r = 2; r < 4; r++)
        for (int c = 16; c < 20; c++)
            patch[r * MNIST_INK_SIDE + c] = 1.0f;
    const int corner[4] = {13, 14, 16, 19};
    expect_centred("a 4 x 20 patch inked at rows 2 to 3, columns 16 to 19",
                   patch, 4, 20, corner,
                   "the rows centre (a shift of 14 - 2.5 - 0.5 = 11, at "
                   "most 28 - out_h = 24); the columns would shift by -4, "
                   "past the edge, so by 0: the whole patch stays in the "
                   "image, its rows shifted by 0 to 28 - out_h, its columns "
                   "by 0 to 28 - out_w");
}
END_TEST

Suite *suite_10_inside(void)
{
    Suite *suite = suite_create("10_inside");
    TCase *images = tcase_create("images");
    tcase_add_test(images, test_pgm_ascii_and_binary);
    tcase_add_loop_test(images, test_pgm_error, 0,
                        (int)(sizeof BAD_PGMS / sizeof BAD_PGMS[0]));
    tcase_add_test(images, test_pgm_not_a_file);
    tcase_add_test(images, test_image_to_mnist_centres_and_scales);
    suite_add_tcase(suite, images);
    TCase *ex1 = tcase_create("exercise 10.1 (3 points; needs 2.1 3.1 4.1)");
    tcase_add_test(ex1, test_confusion_counts_every_digit);
    suite_add_tcase(suite, ex1);
    TCase *ex2 = tcase_create("exercise 10.2 (2 points)");
    tcase_add_test(ex2, test_most_common_mistake);
    suite_add_tcase(suite, ex2);
    TCase *moved = tcase_create("given code: weights_moved");
    tcase_add_test(moved, test_weights_moved);
    suite_add_tcase(suite, moved);
    TCase *activity =
        tcase_create("given code: layer_activity (needs 2.1 3.1)");
    tcase_add_test(activity, test_layer_activity);
    suite_add_tcase(suite, activity);
    TCase *header = tcase_create("given code: pgm_header");
    tcase_add_test(header, test_pgm_header);
    suite_add_tcase(suite, header);
    TCase *centre = tcase_create("given code: ink_centre");
    tcase_add_test(centre, test_ink_centre);
    suite_add_tcase(suite, centre);
    TCase *program = tcase_create("program");
    tcase_add_test(program, test_inside_program_errors);
    suite_add_tcase(suite, program);
    return suite;
}
