/* Chapter 5's tests: the cost, accuracy, and the whole network's forward
 * pass, on a batch and one digit at a time. */
#define CH05_NO_MAIN
#include "../code/05_cross_entropy.c"

#include "expect.h"
#include "testing.h"

Suite *suite_05_cross_entropy(void);

/* The cost of one batch worked out here: -ln p[b][label] (clamped at
 * 1e-30), summed in double, divided by n_batch. */
static double reference_loss(const float *p, const uint8_t *labels, int n_batch,
                             int n_classes)
{
    double sum = 0;
    for (int b = 0; b < n_batch; b++) {
        float right = p[b * n_classes + labels[b]];
        sum -= log(right < 1e-30f ? 1e-30 : (double)right);
    }
    return sum / n_batch;
}

/* cross_entropy_loss against the reference; when it differs, compare with
 * the usual mistakes to name the likely one. */
static void expect_loss(const float *p, const uint8_t *labels, int n_batch,
                        int n_classes, const char *what)
{
    double want = reference_loss(p, labels, n_batch, n_classes);
    double got = cross_entropy_loss(p, labels, n_batch, n_classes);
    if (fabs(got - want) <= 1e-6 * fmax(1, fabs(want)))
        return;
    double row0 = 0, sum = want * n_batch;
    float in_float = 0.0f; /* the same sum, kept in a float */
    for (int b = 0; b < n_batch; b++) {
        float right = p[labels[b]];
        row0 -= log(right < 1e-30f ? 1e-30 : (double)right);
        float mine = p[b * n_classes + labels[b]];
        in_float -= logf(mine < 1e-30f ? 1e-30f : mine);
    }
    row0 /= n_batch;
    const char *why = "loss = -(1/n_batch) * sum over b of ln p[b][labels[b]]";
    if (n_batch > 1 && fabs(got - sum) < 1e-6 * fabs(sum))
        why = "that is the sum over the batch, not its mean: divide by "
              "n_batch";
    else if (fabs(got + want) < 1e-6 * fabs(want))
        why = "the sign is wrong: the cost is MINUS ln p (a probability "
              "below 1 has a negative log)";
    else if (fabs(got - want / log(10.0)) < 1e-6 * fabs(want))
        why = "that is log10: the cost uses the natural log, log()";
    else if (fabs(got - sum / n_classes) < 1e-6 * fabs(sum))
        why = "the sum was divided by n_classes: divide by n_batch, the "
              "number of digits";
    else if (n_batch > 1 && fabs(got - row0) < 1e-6 * fmax(1, fabs(row0)))
        why = "every row read its probability from the first row: row b "
              "starts at p + b * n_classes";
    else if (fabs(got - (double)in_float / n_batch) < 1e-7 * fabs(want))
        why = "that is the sum kept in a float: a float holds about 7 "
              "significant digits, so once the sum is large, adding a small "
              "cost changes nothing (69 + 0.000006 is 69 in float); keep the "
              "sum in a double, as the chapter says, and add each -ln p to "
              "it";
    ck_assert_msg(0, "%s: the cost should be %.6f, got %.6f: %s", what, want,
                  got, why);
}

START_TEST(test_loss_batch)
{
    /* Four digits, four classes, every label different, the right answer
     * given 0.7, 0.1, 0.25 and 0.4. */
    const float p[16] = {0.7f, 0.1f,  0.1f,  0.1f, 0.3f, 0.1f,  0.2f, 0.4f,
                         0.2f, 0.25f, 0.25f, 0.3f, 0.1f, 0.05f, 0.4f, 0.45f};
    const uint8_t labels[4] = {0, 1, 2, 3};
    expect_loss(p, labels, 4, 4,
                "p = [[0.7 .1 .1 .1] [.3 .1 .2 .4] [.2 .25 .25 .3] [.1 .05 "
                ".4 .45]], labels 0 1 2 3");
    const uint8_t other[4] = {3, 3, 0, 2};
    expect_loss(p, other, 4, 4, "the same p, labels 3 3 0 2");
    expect_loss(p, other, 2, 8, "two rows of 8 classes, labels 3 3");
}
END_TEST

START_TEST(test_loss_perfect_prediction)
{
    const float p[6] = {0, 1, 0, 0, 0, 1};
    const uint8_t labels[2] = {1, 2};
    double loss = cross_entropy_loss(p, labels, 2, 3);
    ck_assert_msg(fabs(loss) < 1e-12,
                  "probability 1 on the right answer should cost 0, got %g",
                  loss);
}
END_TEST

START_TEST(test_loss_uniform_is_ln10)
{
    float p[3 * 10];
    for (int k = 0; k < 30; k++)
        p[k] = 0.1f;
    const uint8_t labels[3] = {0, 5, 9};
    double loss = cross_entropy_loss(p, labels, 3, 10);
    ck_assert_msg(fabs(loss - log(10.0)) < 1e-6,
                  "even bets on 10 digits should cost ln 10 = 2.302585, got "
                  "%.6f: loss = mean of -ln p[label]",
                  loss);
}
END_TEST

START_TEST(test_loss_is_a_mean)
{
    const float p[4] = {0.5f, 0.5f, 0.25f, 0.75f};
    const uint8_t labels[2] = {0, 0};
    double expected = (-log(0.5) - log(0.25)) / 2;
    double loss = cross_entropy_loss(p, labels, 2, 2);
    ck_assert_msg(fabs(loss - expected) < 1e-6,
                  "expected the mean of -ln 0.5 and -ln 0.25 = %.6f, got %.6f",
                  expected, loss);
}
END_TEST

START_TEST(test_loss_finite_for_zero_probability)
{
    const float p[2] = {0.0f, 1.0f};
    const uint8_t labels[1] = {0};
    double loss = cross_entropy_loss(p, labels, 1, 2);
    ck_assert_msg(isfinite(loss) && loss > 60,
                  "probability 0 on the right answer should give a large "
                  "finite cost (ln is clamped), got %g",
                  loss);
    /* Not only 0: any probability below 1e-30 is clamped to it. */
    const float tiny[2] = {1e-40f, 1.0f};
    double cap = -log(1e-30);
    loss = cross_entropy_loss(tiny, labels, 1, 2);
    ck_assert_msg(fabs(loss - cap) < 1e-3,
                  "probability 1e-40 on the right answer should cost %.3f "
                  "(clamped to 1e-30), got %g: clamp every probability below "
                  "1e-30 (p < 1e-30f), not only an exact 0",
                  cap, loss);
}
END_TEST

START_TEST(test_loss_nan_stays_nan)
{
    const float p[2] = {NAN, NAN};
    const uint8_t labels[1] = {0};
    double loss = cross_entropy_loss(p, labels, 1, 2);
    ck_assert_msg(isnan(loss),
                  "a NaN probability must give a NaN loss (so that training "
                  "can notice it diverged), got %g",
                  loss);
}
END_TEST

START_TEST(test_loss_sums_in_double)
{
    /* 1000 digits: the first two and the last two given probability 0
     * (clamped: a cost of 69.08 each), the others 0.999994 (a cost of
     * 0.000006 each). A sum in float, from either end, is 138 as soon as
     * the first two are in, and 138 + 0.000006 rounds back to 138: the
     * 996 small costs, 0.006 in all, vanish. */
    enum { N = 1000 };
    static float p[N * 2];
    static uint8_t labels[N];
    for (int b = 0; b < N; b++) {
        float right = b < 2 || b >= N - 2 ? 0.0f : 0.999994f;
        p[2 * b] = right;
        p[2 * b + 1] = 1.0f - right;
        labels[b] = 0;
    }
    expect_loss(p, labels, N, 2,
                "1000 digits, the first two and the last two given "
                "probability 0, the 996 others 0.999994");
}
END_TEST

START_TEST(test_count_correct)
{
    const float p[9] = {0.1f, 0.7f, 0.2f, 0.5f, 0.3f, 0.2f, 0.3f, 0.3f, 0.4f};
    const uint8_t labels[3] = {1, 1, 2};
    int correct = count_correct(p, labels, 3, 3);
    ck_assert_msg(correct == 2,
                  "rows answer 1, 0, 2 against labels 1, 1, 2: expected 2 "
                  "right, counted %d",
                  correct);
}
END_TEST

/* The rows count_top_k is tried on: n_batch rows of n_classes (at most 8)
 * probabilities, their labels, and how to name them in a message. */
typedef struct {
    const float *p;
    const uint8_t *labels;
    int n_batch, n_classes;
    const char *what;
} TopKRows;

/* The usual mistakes of exercise 5.2, each a way to count one row. */
enum {
    TOP_K_RIGHT,       /* fewer than k classes strictly above the label */
    TOP_K_WITH_ITSELF, /* >=: the label counted as beating itself */
    TOP_K_AT_MOST,     /* above <= k */
    TOP_K_TIED,        /* a class tied with the label counted as above */
    TOP_K_NO_LAST,     /* the last class left out */
    TOP_K_PICKED,      /* the k largest picked one by one */
    TOP_K_RUNNING,     /* the count of classes above never reset */
    TOP_K_FIRST_ROW,   /* compared with the label's p in the first row */
    TOP_K_STOPPED,     /* a break at the first row that missed */
    TOP_K_IGNORES_K,   /* only whether the label is the answer */
    N_TOP_K_WAYS
};

/* How many rows of `rows` count for k, counted the way `way` says. */
static int top_k_count(const TopKRows *rows, int k, int way)
{
    int count = 0, so_far = 0;
    for (int b = 0; b < rows->n_batch; b++) {
        const float *row = rows->p + b * rows->n_classes;
        int label = rows->labels[b], above = 0;
        float mine = way == TOP_K_FIRST_ROW ? rows->p[label] : row[label];
        for (int c = 0; c < rows->n_classes; c++) {
            if (way == TOP_K_WITH_ITSELF)
                above += row[c] >= mine;
            else if (way == TOP_K_TIED)
                above += c != label && row[c] >= mine;
            else if (way == TOP_K_NO_LAST)
                above += c < rows->n_classes - 1 && row[c] > mine;
            else
                above += row[c] > mine;
        }
        so_far += above;
        int in;
        if (way == TOP_K_AT_MOST)
            in = above <= k;
        else if (way == TOP_K_RUNNING)
            in = so_far < k;
        else if (way == TOP_K_IGNORES_K) /* the answer (first of a tie) */
            in = argmax(row, rows->n_classes) == label;
        else if (way == TOP_K_PICKED) {
            int taken[8] = {0};
            in = 0;
            for (int pick = 0; pick < k; pick++) {
                int best = -1;
                for (int c = 0; c < rows->n_classes; c++)
                    if (!taken[c] && (best < 0 || row[c] > row[best]))
                        best = c;
                taken[best] = 1;
                in |= best == label;
            }
        } else
            in = above < k;
        if (way == TOP_K_STOPPED && !in)
            break;
        count += in;
    }
    return count;
}

static const char *const TOP_K_HINTS[N_TOP_K_WAYS] = {
    [TOP_K_WITH_ITSELF] =
        "count only the classes with a probability strictly larger than "
        "the label's (>, not >=): the label itself, and classes tied with "
        "it, do not push it out",
    [TOP_K_AT_MOST] = "a row counts when FEWER than k classes beat its label "
                      "(above < k, not <=)",
    [TOP_K_TIED] = "a class tied with the label was counted as beating it: "
                   "count only the classes strictly larger (>, not >=)",
    [TOP_K_NO_LAST] = "the last class was left out: compare the label with "
                      "every class, c < n_classes",
    [TOP_K_PICKED] =
        "picking the k largest one by one drops a label that ties with a "
        "class before it: count the classes whose probability is strictly "
        "larger than the label's, and compare with k",
    [TOP_K_RUNNING] = "the count of classes above the label carried over "
                      "from one row to the next: start it at 0 for every row",
    [TOP_K_FIRST_ROW] =
        "every row compared its classes with the label's probability in "
        "the first row: the label's is row[labels[b]], with row = p + b * "
        "n_classes",
    [TOP_K_STOPPED] = "the rows after the first that missed were not "
                      "counted: go on to the next row (no break)",
    [TOP_K_IGNORES_K] = "the count is the same for every k: a row counts "
                        "when fewer than k classes have a larger probability "
                        "than its label's",
};

START_TEST(test_top_k)
{
    const float p[8] = {0.1f, 0.4f, 0.3f, 0.2f, 0.7f, 0.1f, 0.05f, 0.15f};
    const uint8_t labels[2] = {2, 3};
    /* Ties: label 1 ties with class 3 in row 0; row 2's label is the
     * largest. */
    const float q[15] = {0.1f, 0.3f, 0.1f, 0.3f, 0.2f, 0.05f, 0.05f, 0.6f,
                         0.2f, 0.1f, 0.5f, 0.1f, 0.1f, 0.2f,  0.1f};
    const uint8_t tied[3] = {1, 3, 0};
    /* The last class beats the label in row 0, but not in row 1; in row 2
     * the label (3) ties with a class before it (1), nothing is larger. */
    const float r[15] = {0.1f, 0.2f, 0.3f, 0.25f, 0.4f, 0.4f,  0.1f, 0.3f,
                         0.2f, 0.0f, 0.2f, 0.35f, 0.1f, 0.35f, 0.0f};
    const uint8_t later[3] = {1, 3, 3};
    const TopKRows sets[3] = {
        {p, labels, 2, 4,
         "rows [.1 .4 .3 .2] and [.7 .1 .05 .15], labels 2 and 3"},
        {q, tied, 3, 5,
         "rows [.1 .3 .1 .3 .2] [.05 .05 .6 .2 .1] [.5 .1 .1 .2 .1], labels "
         "1 3 0"},
        {r, later, 3, 5,
         "rows [.1 .2 .3 .25 .4] [.4 .1 .3 .2 0] [.2 .35 .1 .35 0], labels 1 "
         "3 3"},
    };
    /* Every set, every k: the first wrong count, and which of the usual
     * mistakes gives the student's counts on all of them. */
    int matches[N_TOP_K_WAYS], bad_set = -1, bad_k = 0, bad_got = 0;
    for (int way = 0; way < N_TOP_K_WAYS; way++)
        matches[way] = 1;
    for (int set = 0; set < 3; set++) {
        const TopKRows *rows = &sets[set];
        for (int k = 1; k <= rows->n_classes; k++) {
            int got = count_top_k(rows->p, rows->labels, rows->n_batch,
                                  rows->n_classes, k);
            for (int way = 0; way < N_TOP_K_WAYS; way++)
                matches[way] &= got == top_k_count(rows, k, way);
            if (bad_set < 0 && !matches[TOP_K_RIGHT]) {
                bad_set = set;
                bad_k = k;
                bad_got = got;
            }
        }
    }
    if (bad_set < 0)
        return;
    const char *why = "a row counts when fewer than k classes have a larger "
                      "probability than its label's";
    for (int way = 1; way < N_TOP_K_WAYS; way++)
        if (matches[way]) {
            why = TOP_K_HINTS[way];
            break;
        }
    ck_assert_msg(
        0, "%s, k = %d: expected %d rows, got %d: %s", sets[bad_set].what,
        bad_k, top_k_count(&sets[bad_set], bad_k, TOP_K_RIGHT), bad_got, why);
}
END_TEST

/* ---- Given code: argmax, the sizes, forward_slice, network_evaluate --- */

/* argmax(values, n) must be `want`; `why` names the likely mistake. */
static void expect_argmax(const float *values, int n, int want,
                          const char *what, const char *why)
{
    int got = argmax(values, n);
    ck_assert_msg(got == want,
                  "argmax (given code, chapter 5) of %s should be %d, got %d: "
                  "%s",
                  what, want, got, why);
}

START_TEST(test_argmax)
{
    const float rising[4] = {0.1f, 0.2f, 0.3f, 0.4f},
                middle[3] = {0.1f, 0.9f, 0.5f},
                tie[4] = {0.2f, 0.5f, 0.5f, 0.1f},
                even[4] = {0.25f, 0.25f, 0.25f, 0.25f},
                falling[3] = {0.9f, 0.1f, 0.0f},
                negative[3] = {-3.0f, -1.0f, -2.0f}, one[1] = {0.7f};
    expect_argmax(middle, 3, 1, "0.1 0.9 0.5",
                  "compare each value with the largest so far, values[best]");
    expect_argmax(tie, 4, 1, "0.2 0.5 0.5 0.1",
                  "on a tie the first of the largest wins (values[k] > "
                  "values[best], not >=), as the chapter says");
    expect_argmax(even, 4, 0, "0.25 0.25 0.25 0.25",
                  "on a tie the first of the largest wins: all equal gives 0 "
                  "(start with best = 0, and move only to a larger value)");
    expect_argmax(rising, 4, 3, "0.1 0.2 0.3 0.4",
                  "the largest is the last value: look at every k < n");
    expect_argmax(falling, 3, 0, "0.9 0.1 0",
                  "the largest is the first value: start with best = 0");
    expect_argmax(negative, 3, 1, "-3 -1 -2",
                  "all negative: compare the values with each other, not "
                  "with 0");
    expect_argmax(one, 1, 0, "0.7", "a single value is its own largest");
    /* count_correct takes each row's answer from argmax: a label tied
     * with a class before it is not the answer. */
    const float p[12] = {0.4f, 0.4f, 0.2f, 0.1f, 0.3f,  0.6f,
                         0.3f, 0.3f, 0.4f, 0.5f, 0.25f, 0.25f};
    const uint8_t labels[4] = {1, 2, 2, 0};
    int correct = count_correct(p, labels, 4, 3);
    ck_assert_msg(correct == 3,
                  "count_correct (given code, chapter 5): rows [.4 .4 .2] "
                  "[.1 .3 .6] [.3 .3 .4] [.5 .25 .25], labels 1 2 2 0: the "
                  "answers (argmax, the first on a tie) are 0 2 2 0, so 3 "
                  "are right; counted %d: every row b < n_batch, its answer "
                  "argmax(p + b * n_classes, n_classes) against labels[b]",
                  correct);
}
END_TEST

START_TEST(test_network_size)
{
    const int hidden[2] = {16, 16};
    int sizes[NETWORK_MAX_LAYERS + 1];
    int n = digit_network_sizes(sizes, 784, hidden, 2);
    ck_assert_msg(n == 4 && sizes[0] == 784 && sizes[1] == 16 &&
                      sizes[2] == 16 && sizes[3] == 10,
                  "digit_network_sizes (given code, chapter 5) with hidden "
                  "16,16 should give 4 sizes, 784 16 16 10; got %d: %d %d %d "
                  "%d",
                  n, sizes[0], sizes[1], sizes[2], sizes[3]);
    n = digit_network_sizes(sizes, 100, hidden, 0);
    ck_assert_msg(n == 2 && sizes[0] == 100 && sizes[1] == 10,
                  "digit_network_sizes with no hidden layer should give 2 "
                  "sizes, 100 10; got %d: %d %d",
                  n, sizes[0], sizes[1]);
    const struct {
        int sizes[4], n_sizes;
        long want;
        const char *what;
    } nets[] = {{{784, 16, 16, 10}, 4, 13002, "784 -> 16 -> 16 -> 10"},
                {{5, 3, 4, 2}, 4, 18 + 16 + 10, "5 -> 3 -> 4 -> 2"},
                {{7, 2}, 2, 16, "7 -> 2"}};
    for (int k = 0; k < 3; k++) {
        Network net;
        Error err;
        ck_assert_msg(
            network_init(&net, nets[k].sizes, nets[k].n_sizes, 1, &err) == 0,
            "%s", err.msg);
        long got = network_count_params(&net);
        long weights = 0;
        for (int s = 1; s < nets[k].n_sizes; s++)
            weights += (long)nets[k].sizes[s - 1] * nets[k].sizes[s];
        ck_assert_msg(got == nets[k].want,
                      "network_count_params (given code, chapter 5) of a %s "
                      "network should be %ld (every weight, n_in x n_out per "
                      "layer, and every bias, n_out per layer), got %ld%s",
                      nets[k].what, nets[k].want, got,
                      got == weights ? ": the biases were left out" : "");
        network_free(&net);
    }
}
END_TEST

START_TEST(test_network_print_sizes)
{
    const int sizes[4] = {784, 16, 16, 10};
    Network net;
    Error err;
    ck_assert_msg(network_init(&net, sizes, 4, 1, &err) == 0, "%s", err.msg);
    char text[64] = "";
    FILE *out = fmemopen(text, sizeof text - 1, "w");
    ck_assert(out != NULL);
    network_print_sizes(out, &net);
    fclose(out);
    network_free(&net);
    const char *want = "784 -> 16 -> 16 -> 10";
    size_t n = strlen(text);
    const char *why = "every size, sizes[0] to sizes[n_layers] (n_layers + "
                      "1 of them), \" -> \" between two, no newline";
    if (n < strlen(want) && strncmp(text, want, n) == 0)
        why = "the last size, the output layer's 10, is missing: there are "
              "n_layers + 1 sizes, s <= n_layers (not < n_layers)";
    else if (n > strlen(want) && strcmp(text + n - strlen(want), want) == 0)
        why = "\" -> \" goes between two sizes, not before the first";
    else if (strncmp(text, "784", 3) != 0)
        why = "the input size, sizes[0], comes first: start at s = 0";
    ck_assert_msg(strcmp(text, want) == 0,
                  "network_print_sizes (given code, chapter 5) of a 784 -> "
                  "16 -> 16 -> 10 network should print \"%s\", printed "
                  "\"%s\": %s",
                  want, text, why);
}
END_TEST

/* forward_slice(net, digits, start) of ten digits of 2 x 3 pixels, on a
 * 6 -> 3 network taking max_batch digits at a time, must take `want` of
 * them, digits start to start + want - 1, into net->inputs. */
static void expect_slice(int max_batch, size_t start, int want)
{
    /* Room for sixteen digits: a slice that runs past the tenth reads
     * digits that are not there, but not past the array. */
    static uint8_t pixels[16 * 6], labels[16];
    for (int k = 0; k < 16 * 6; k++)
        pixels[k] = (uint8_t)((k * 97 + 13) % 256);
    Digits digits = {
        .n = 10, .rows = 2, .cols = 3, .pixels = pixels, .labels = labels};
    const int sizes[2] = {6, 3};
    Network net;
    Error err;
    ck_assert_msg(network_init(&net, sizes, 2, max_batch, &err) == 0, "%s",
                  err.msg);
    int got = forward_slice(&net, &digits, start);
    char what[160];
    snprintf(what, sizeof what,
             "forward_slice (given code, chapter 5) of 10 digits from digit "
             "%zu, on a network taking %d digit%s at a time",
             start, max_batch, max_batch == 1 ? "" : "s");
    ck_assert_msg(got == want,
                  "%s: should take %d digit%s (as many as fit in a batch, "
                  "max_batch, and no more than are left, n - start), took "
                  "%d%s",
                  what, want, want == 1 ? "" : "s", got,
                  got == want - 1 && want == max_batch
                      ? ": one fewer than fit: a batch holds max_batch "
                        "digits, not max_batch - 1 (with max_batch 1 that is "
                        "none, and network_evaluate never ends)"
                      : "");
    for (int b = 0; b < want; b++)
        for (int p = 0; p < 6; p++)
            ck_assert_msg(
                net.inputs[b * 6 + p] ==
                    (float)pixels[(start + (size_t)b) * 6 + p] / 255.0f,
                "%s: row %d of net->inputs should hold digit %zu "
                "(digit start + b), pixel %d is %g",
                what, b, start + (size_t)b, p, (double)net.inputs[b * 6 + p]);
    network_free(&net);
}

START_TEST(test_forward_slice)
{
    expect_slice(1, 0, 1);
    expect_slice(1, 9, 1);
    expect_slice(4, 0, 4);
    expect_slice(4, 4, 4);
    expect_slice(4, 8, 2);
    expect_slice(10, 0, 10);
    expect_slice(16, 3, 7);
}
END_TEST

/* Ten digits of 2 x 3 pixels and their labels, for network_evaluate. */
static uint8_t ten_pixels[10 * 6],
    ten_labels[10] = {0, 1, 2, 2, 1, 0, 0, 2, 1, 1};

static Digits ten_digits(void)
{
    for (int k = 0; k < 10 * 6; k++)
        ten_pixels[k] = (uint8_t)((k * 97 + 13) % 256);
    return (Digits){.n = 10,
                    .rows = 2,
                    .cols = 3,
                    .pixels = ten_pixels,
                    .labels = ten_labels};
}

/* What network_evaluate should give on ten digits of which p holds the
 * probabilities, in batches of 4, 4 and 2; and what two likely mistakes
 * give: the mean of the batches' mean costs, and every batch scored
 * against the first batch's labels. */
typedef struct {
    int correct, first_labels_correct;
    double loss, batch_means, first_labels_loss;
} Evaluation;

static Evaluation evaluation_reference(const double *p, const Digits *digits)
{
    Evaluation want = {0};
    double batch_sum = 0;
    for (int b = 0; b < 10; b++) {
        const double *row = p + 3 * b;
        int best = 0;
        for (int c = 1; c < 3; c++)
            best = row[c] > row[best] ? c : best;
        want.correct += best == digits->labels[b];
        int first = digits->labels[b < 8 ? b % 4 : b % 8];
        want.first_labels_correct += best == first;
        want.first_labels_loss -= log(fmax(row[first], 1e-30)) / 10;
        double cost = -log(fmax(row[digits->labels[b]], 1e-30));
        want.loss += cost / 10;
        batch_sum += cost;
        if (b == 3 || b == 7 || b == 9) { /* the end of a batch of 4, 4, 2 */
            want.batch_means += batch_sum / (b == 9 ? 2 : 4) / 3;
            batch_sum = 0;
        }
    }
    return want;
}

START_TEST(test_network_evaluate)
{
    /* A 6 -> 5 -> 3 network that takes 4 digits at a time: the ten digits
     * go through it as 4, 4 and 2. */
    const int sizes[3] = {6, 5, 3};
    Network net;
    Rng rng;
    rng_seed(&rng, 31);
    test_network(&net, sizes, 3, 4, &rng, 0.5f);
    Digits digits = ten_digits();
    size_t all[10];
    for (int b = 0; b < 10; b++)
        all[b] = (size_t)b;
    float x[10 * 6];
    digits_inputs(x, &digits, all, 10);
    double p[10 * 3];
    reference_forward(p, &net, x, 10);
    Evaluation want = evaluation_reference(p, &digits);
    ck_assert_msg(want.correct > 0 && want.correct < 10,
                  "the test's network gets %d right", want.correct);
    Score score = network_evaluate(&net, &digits);
    const char *first_labels =
        fabs(score.loss - want.first_labels_loss) < 1e-5 * want.loss ||
                (fabs(score.loss - want.loss) < 1e-5 * want.loss &&
                 fabs(score.accuracy - want.first_labels_correct / 10.0) < 1e-9)
            ? ": every batch was scored against the first batch's labels: "
              "batch `start` has labels digits->labels + start"
            : "";
    const char *what = "network_evaluate (given code, chapter 5) of a 6 -> 5 "
                       "-> 3 network taking 4 digits at a time, on 10 digits "
                       "(batches of 4, 4 and 2)";
    ck_assert_msg(fabs(score.accuracy - want.correct / 10.0) < 1e-9,
                  "%s: the accuracy should be %d of 10, got %.4f: count "
                  "every digit's answer against its own label "
                  "(digits->labels + start), and divide by all the "
                  "digits%s",
                  what, want.correct, score.accuracy, first_labels);
    ck_assert_msg(fabs(score.loss - want.loss) < 1e-5 * want.loss,
                  "%s: the cost should be %.6f, the mean over the 10 digits, "
                  "got %.6f%s%s",
                  what, want.loss, score.loss,
                  fabs(score.loss - want.batch_means) < 1e-5 * want.loss
                      ? ": that is the mean of the batches' costs, but the "
                        "last batch holds only 2 digits: weight each "
                        "batch's cost by its number of digits"
                      : "",
                  first_labels);
    network_free(&net);
}
END_TEST

static void make_network(Network *net, int max_batch)
{
    const int sizes[4] = {20, 8, 6, 4};
    Rng rng;
    rng_seed(&rng, 9);
    test_network(net, sizes, 4, max_batch, &rng, 0.1f);
}

START_TEST(test_batch_matches_one_at_a_time)
{
    enum { N = 5 };
    Network net;
    make_network(&net, N);
    Rng rng;
    rng_seed(&rng, 4);
    float x[N * 20], batch[N * 4];
    for (int k = 0; k < N * 20; k++)
        x[k] = rng_uniform(&rng) < 0.5f ? 0.0f : rng_uniform(&rng);
    double want[N * 4];
    reference_forward(want, &net, x, N);
    memcpy(batch, network_forward(&net, x, N), sizeof batch);
    int k = first_difference(batch, want, N * 4);
    ck_assert_msg(k < 0,
                  "a 20 -> 8 -> 6 -> 4 network, a batch of %d: digit %d's "
                  "probability %d should be %.6g, got %.6g: each layer is "
                  "affine_forward (2.1), then relu_forward (3.1) for a hidden "
                  "layer or softmax_forward (4.1) for the last",
                  N, k / 4, k % 4, k < 0 ? 0.0 : want[k],
                  k < 0 ? 0.0 : (double)batch[k]);
    for (int b = 0; b < N; b++) {
        const float *one = network_forward(&net, x + b * 20, 1);
        for (int c = 0; c < 4; c++)
            ck_assert_msg(fabsf(one[c] - batch[b * 4 + c]) < 1e-6f,
                          "digit %d output %d: %g in a batch of %d but %g "
                          "alone; does a row of the batch depend on another?",
                          b, c, (double)batch[b * 4 + c], N, (double)one[c]);
    }
    network_free(&net);
}
END_TEST

START_TEST(test_network_rejects_bad_sizes)
{
    Network net;
    Error err;
    const int one[1] = {784};
    ck_assert(network_init(&net, one, 1, 10, &err) == -1);
    const int zero[3] = {784, 0, 10};
    ck_assert(network_init(&net, zero, 3, 10, &err) == -1);
    ck_assert_msg(strstr(err.msg, "is 0") != NULL, "got: %s", err.msg);
    /* Issue 11: two 1024 x 1024 images and --hidden 4096 would ask for
     * about 32 GB; refused before allocating, with the size. */
    const int huge[3] = {1024 * 1024, 4096, 10};
    ck_assert(network_init(&net, huge, 3, 100, &err) == -1);
    ck_assert_msg(strstr(err.msg, "1048576 -> 4096 -> 10 would need 16786 MiB"),
                  "a network over the memory cap should be refused with its "
                  "size, got: %s",
                  err.msg);
}
END_TEST

START_TEST(test_untrained_network_on_mnist)
{
    Digits train, test;
    Error err;
    ck_assert_msg(mnist_load(&train, &test, test_data_dir(), &err) == 0,
                  "cannot load MNIST (is exercise 1.1 done? did ./build.sh "
                  "data run?): %s",
                  err.msg);
    digits_free(&train);
    const int sizes[4] = {784, 16, 16, 10};
    Network net;
    ck_assert(network_init(&net, sizes, 4, EVALUATE_BATCH, &err) == 0);
    Rng rng;
    rng_seed(&rng, 1);
    network_randomize(&net, INIT_HE, &rng);
    /* The first 500 test digits, evaluated by the workbook and here. */
    Digits some = test;
    some.n = 500;
    Score score = network_evaluate(&net, &some);
    double loss = score.loss, accuracy = score.accuracy, want_loss = 0;
    int want_correct = 0;
    for (size_t start = 0; start < some.n; start += 100) {
        size_t indices[100];
        float x[100 * 784];
        double p[100 * 10];
        for (int b = 0; b < 100; b++)
            indices[b] = start + (size_t)b;
        digits_inputs(x, &some, indices, 100);
        reference_forward(p, &net, x, 100);
        for (int b = 0; b < 100; b++) {
            const double *row = p + b * 10;
            int best = 0;
            for (int c = 1; c < 10; c++)
                best = row[c] > row[best] ? c : best;
            int label = some.labels[start + (size_t)b];
            want_correct += best == label;
            want_loss -= log(fmax(row[label], 1e-30));
        }
    }
    want_loss /= (double)some.n;
    ck_assert_msg(fabs(loss - want_loss) < 1e-4,
                  "an untrained 784 -> 16 -> 16 -> 10 network (seed 1) on the "
                  "first 500 test digits: the cost should be %.5f, "
                  "network_evaluate says %.5f",
                  want_loss, loss);
    ck_assert_msg(fabs(accuracy - want_correct / 500.0) < 0.0025,
                  "the same network should get %d of 500 right, "
                  "network_evaluate says %.1f%%",
                  want_correct, 100 * accuracy);
    ck_assert_msg(fabs(loss - log(10.0)) < 0.3,
                  "an untrained network should cost about ln 10 = 2.30, got "
                  "%.4f",
                  loss);
    network_free(&net);
    digits_free(&test);
}
END_TEST

Suite *suite_05_cross_entropy(void)
{
    Suite *suite = suite_create("05_cross_entropy");
    TCase *cost = tcase_create("exercise 5.1 (3 points)");
    tcase_add_test(cost, test_loss_batch);
    tcase_add_test(cost, test_loss_perfect_prediction);
    tcase_add_test(cost, test_loss_uniform_is_ln10);
    tcase_add_test(cost, test_loss_is_a_mean);
    tcase_add_test(cost, test_loss_finite_for_zero_probability);
    tcase_add_test(cost, test_loss_nan_stays_nan);
    tcase_add_test(cost, test_loss_sums_in_double);
    suite_add_tcase(suite, cost);
    TCase *top_k = tcase_create("exercise 5.2 (2 points)");
    tcase_add_test(top_k, test_top_k);
    suite_add_tcase(suite, top_k);
    TCase *given = tcase_create("given code: argmax and the network's size");
    tcase_add_test(given, test_argmax);
    tcase_add_test(given, test_network_size);
    tcase_add_test(given, test_network_print_sizes);
    suite_add_tcase(suite, given);
    TCase *slice = tcase_create("given code: forward_slice");
    tcase_add_test(slice, test_forward_slice);
    suite_add_tcase(suite, slice);
    TCase *evaluate =
        tcase_create("given code: network_evaluate (needs 2.1 3.1 4.1 5.1)");
    tcase_add_test(evaluate, test_network_evaluate);
    suite_add_tcase(suite, evaluate);
    TCase *accuracy = tcase_create("accuracy");
    tcase_add_test(accuracy, test_count_correct);
    suite_add_tcase(suite, accuracy);
    TCase *network = tcase_create("network (needs 2.1 3.1 4.1)");
    tcase_add_test(network, test_batch_matches_one_at_a_time);
    tcase_add_test(network, test_network_rejects_bad_sizes);
    suite_add_tcase(suite, network);
    TCase *real = tcase_create("real MNIST (needs 1.1 2.1 3.1 4.1 5.1)");
    tcase_add_test(real, test_untrained_network_on_mnist);
    suite_add_tcase(suite, real);
    return suite;
}
