/* Chapter 4's tests: softmax gives the right probabilities, row by row of
 * a batch, ignores a constant added to every score, and stays finite for
 * scores that spread over more than expf can hold. */
#define CH04_NO_MAIN
#include "../code/04_softmax.c"

#include "expect.h"
#include "testing.h"

Suite *suite_04_softmax(void);

/* softmax(z / temperature) of each row, worked out here in double. */
static void reference_softmax(double *p, const float *z, int n_batch,
                              int n_classes, double temperature)
{
    for (int b = 0; b < n_batch; b++) {
        const float *row = z + b * n_classes;
        double max = row[0], sum = 0;
        for (int k = 1; k < n_classes; k++)
            max = fmax(max, (double)row[k]);
        for (int k = 0; k < n_classes; k++)
            sum += p[b * n_classes + k] =
                exp(((double)row[k] - max) / temperature);
        for (int k = 0; k < n_classes; k++)
            p[b * n_classes + k] /= sum;
    }
}

typedef struct {
    const char *name;  /* "softmax" or "softmax with temperature 2" */
    float temperature; /* 0: softmax_forward */
} Softmax;

static void run_softmax(const Softmax *f, float *p, const float *z, int n_batch,
                        int n_classes)
{
    if (f->temperature == 0.0f)
        softmax_forward(p, z, n_batch, n_classes);
    else
        softmax_temperature(p, z, n_batch, n_classes, f->temperature);
}

/* "softmax(0, 100)": row b of z, for messages. */
static const char *row_text(const float *z, int b, int n_classes)
{
    static char text[256];
    int at = snprintf(text, sizeof text, "(");
    for (int k = 0; k < n_classes && at < 200; k++)
        at += snprintf(text + at, sizeof text - (size_t)at, "%s%g",
                       k ? ", " : "", (double)z[b * n_classes + k]);
    snprintf(text + at, sizeof text - (size_t)at, ")");
    return text;
}

/* The usual mistakes, worked out here the way the exercise's code would
 * make them, to name the one a wrong p came from. */
typedef enum {
    MAX_FROM_ZERO,    /* float max = 0.0f, not z_row[0] */
    INT_TEMPERATURE,  /* (int)temperature */
    ROWS_BY_N_BATCH,  /* row b at z + b * n_batch */
    POWER_AFTERWARDS, /* softmax(z), then p^(1/T), renormalised */
    N_MISTAKES
} Mistake;

/* p = softmax(z / temperature) (temperature 0: plain softmax) with
 * `mistake` made, in float like the exercise; CANARY where it writes
 * nothing. Returns 0 if that mistake does not apply here (it would give
 * the right p, or read past the end of z). */
static int softmax_with(float *p, const float *z, int n_batch, int n_classes,
                        float temperature, Mistake mistake)
{
    float t = temperature == 0.0f ? 1.0f : temperature;
    int stride = mistake == ROWS_BY_N_BATCH ? n_batch : n_classes;
    if ((mistake == INT_TEMPERATURE && (float)(int)t == t) ||
        (mistake == POWER_AFTERWARDS && t == 1.0f) ||
        (mistake == ROWS_BY_N_BATCH &&
         (n_batch == 1 || n_batch == n_classes ||
          (n_batch - 1) * stride + n_classes > n_batch * n_classes)))
        return 0;
    if (mistake == INT_TEMPERATURE)
        t = (float)(int)t;
    for (int k = 0; k < n_batch * n_classes; k++)
        p[k] = CANARY;
    for (int b = 0; b < n_batch; b++) {
        const float *z_row = z + b * stride;
        float *p_row = p + b * stride;
        float max = mistake == MAX_FROM_ZERO ? 0.0f : z_row[0];
        for (int k = 0; k < n_classes; k++)
            max = fmaxf(max, z_row[k]);
        float scale = mistake == POWER_AFTERWARDS ? 1.0f : t, sum = 0.0f;
        for (int k = 0; k < n_classes; k++)
            sum += p_row[k] = expf((z_row[k] - max) / scale);
        for (int k = 0; k < n_classes; k++)
            p_row[k] /= sum;
        if (mistake != POWER_AFTERWARDS)
            continue;
        sum = 0.0f;
        for (int k = 0; k < n_classes; k++)
            sum += p_row[k] = powf(p_row[k], 1.0f / t);
        for (int k = 0; k < n_classes; k++)
            p_row[k] /= sum;
    }
    return 1;
}

/* Do a and b agree (NaN with NaN; to `relative` of their size if it is
 * not 0, else as close_enough)? */
static int same_floats(const float *a, const float *b, int n, double relative)
{
    for (int k = 0; k < n; k++) {
        double x = (double)a[k], y = (double)b[k];
        int same = (isnan(x) && isnan(y)) || x == y ||
                   (relative > 0 ? close_relative(x, y, relative)
                                 : close_enough(x, y));
        if (!same)
            return 0;
    }
    return 1;
}

/* The usual mistake that gives p (all of it), as a hint, or NULL. */
static const char *softmax_mistake(const Softmax *f, const float *p,
                                   const float *z, int n_batch, int n_classes,
                                   double relative)
{
    static char why[256];
    int n = n_batch * n_classes;
    float *with = malloc((size_t)n * sizeof *with);
    ck_assert(with != NULL);
    int found = -1;
    for (int m = 0; m < N_MISTAKES && found < 0; m++)
        if ((m != INT_TEMPERATURE && m != POWER_AFTERWARDS) ||
            f->temperature != 0.0f)
            if (softmax_with(with, z, n_batch, n_classes, f->temperature,
                             (Mistake)m) &&
                same_floats(p, with, n, relative))
                found = m;
    free(with);
    switch (found) {
    case MAX_FROM_ZERO:
        return "start the maximum at the row's first score, z_row[0], not "
               "0: every score may be negative (then exp(z - 0) underflows "
               "to 0, and 0 / 0 is NaN)";
    case INT_TEMPERATURE:
        snprintf(why, sizeof why,
                 "temperature is a float: do not convert it to int (T = %g "
                 "becomes %d)",
                 (double)f->temperature, (int)f->temperature);
        return why;
    case ROWS_BY_N_BATCH:
        return "row b starts at z + b * n_classes (and p + b * n_classes), "
               "not b * n_batch";
    case POWER_AFTERWARDS:
        return "divide the scores by T before the exp (after subtracting "
               "the max): softmax first, then a power, underflows (a "
               "probability that came out 0 stays 0)";
    default:
        return NULL;
    }
}

/* Every probability of every row against the reference; when one is
 * wrong, name the likely mistake. */
static void expect_softmax(const Softmax *f, const float *z, int n_batch,
                           int n_classes)
{
    int n = n_batch * n_classes;
    float *p = malloc((size_t)(n + 4) * sizeof *p);
    float *alone = malloc((size_t)n_classes * sizeof *alone);
    double *want = malloc((size_t)n * sizeof *want);
    double temperature = f->temperature == 0.0f ? 1.0 : (double)f->temperature;
    reference_softmax(want, z, n_batch, n_classes, temperature);
    for (int k = 0; k < n + 4; k++)
        p[k] = CANARY;
    run_softmax(f, p, z, n_batch, n_classes);
    expect_canaries(p + n, 4, f->name);
    for (int b = 0; b < n_batch; b++) {
        const float *row = p + b * n_classes;
        const double *want_row = want + b * n_classes;
        int k = first_difference(row, want_row, n_classes);
        if (k < 0)
            continue;
        const char *scores = row_text(z, b, n_classes);
        float sum = 0;
        int finite = 1;
        for (int c = 0; c < n_classes; c++) {
            finite &= isfinite(row[c]);
            sum += row[c];
        }
        /* The same row alone, in a batch of one. */
        run_softmax(f, alone, z + b * n_classes, 1, n_classes);
        int alone_right = first_difference(alone, want_row, n_classes) < 0;
        const char *why = softmax_mistake(f, p, z, n_batch, n_classes, 0);
        if (why != NULL)
            ;
        else if (n_batch > 1 && alone_right)
            why = "this row comes out right alone (n_batch = 1) but not in a "
                  "batch: take each row's own maximum and sum (the max of "
                  "the whole batch is wrong), and start the sum afresh for "
                  "every row";
        else if (!finite)
            why = "a score this far above the row's other scores overflows "
                  "expf: subtract the row's maximum (not z[0], not the "
                  "minimum) before expf, so that the largest exponent is "
                  "exp(0) = 1";
        else if (fabsf(sum - 1.0f) > 1e-4f)
            why = "the row does not sum to 1: divide each exponential by "
                  "the row's sum";
        else if (f->temperature != 0.0f)
            why = "softmax(z / T): divide z - max by T inside expf";
        else
            why = "p[k] = exp(z[k] - max) / (sum over the row of exp(z[j] - "
                  "max))";
        ck_assert_msg(0,
                      "%s of the scores %s (row %d of a batch of %d): p[%d] "
                      "should be %.6g, got %.6g: %s",
                      f->name, scores, b, n_batch, k, want_row[k],
                      (double)row[k], why);
    }
    free(p);
    free(alone);
    free(want);
}

static const Softmax plain = {"softmax", 0.0f};

START_TEST(test_softmax_known_values)
{
    const float z[3] = {1, 2, 3};
    expect_softmax(&plain, z, 1, 3);
}
END_TEST

START_TEST(test_softmax_random_rows)
{
    Rng rng;
    rng_seed(&rng, 11);
    float z[5 * 10];
    for (int k = 0; k < 50; k++)
        z[k] = 5.0f * rng_normal(&rng);
    expect_softmax(&plain, z, 5, 10);
    expect_softmax(&plain, z, 10, 5);
    expect_softmax(&plain, z, 1, 1);
}
END_TEST

START_TEST(test_softmax_ignores_a_constant)
{
    const float z[4] = {0.5f, -1.0f, 2.0f, 0.0f};
    float shifted[4], p[4], q[4];
    for (int k = 0; k < 4; k++)
        shifted[k] = z[k] + 7.0f;
    softmax_forward(p, z, 1, 4);
    softmax_forward(q, shifted, 1, 4);
    for (int k = 0; k < 4; k++)
        ck_assert_msg(fabsf(p[k] - q[k]) < 1e-6f,
                      "adding 7 to every score changed p[%d] from %g to %g", k,
                      (double)p[k], (double)q[k]);
}
END_TEST

/* Rows whose scores spread over more than 88 (expf(89) is infinite in
 * float), with the largest score first, last and in the middle, in one
 * batch with small and hugely negative rows. */
static const float wide[6 * 3] = {0,     100,   -5,    100,  0,   50,
                                  -20,   -20,   90,    1000, 999, 998,
                                  -1000, -1001, -1002, 1,    2,   3};

START_TEST(test_softmax_huge_scores)
{
    const float two[2] = {0, 100};
    expect_softmax(&plain, two, 1, 2);
    expect_softmax(&plain, wide, 6, 3);
    expect_softmax(&plain, wide, 3, 6);
}
END_TEST

/* f in place (p == z) on `wide`, once it is known to be right when p is
 * not z. */
static void expect_in_place(const Softmax *f)
{
    expect_softmax(f, wide, 6, 3);
    float z[6 * 3];
    memcpy(z, wide, sizeof z);
    run_softmax(f, z, z, 6, 3);
    double want[6 * 3];
    reference_softmax(want, wide, 6, 3,
                      f->temperature == 0.0f ? 1.0 : (double)f->temperature);
    int k = first_difference(z, want, 6 * 3);
    ck_assert_msg(k < 0,
                  "%s in place (p == z): p[%d][%d] should be %.6g, got %.6g, "
                  "though it comes out right when p is not z: read each "
                  "score before you overwrite it",
                  f->name, k / 3, k % 3, k < 0 ? 0.0 : want[k],
                  k < 0 ? 0.0 : (double)z[k]);
}

START_TEST(test_softmax_in_place)
{
    expect_in_place(&plain);
}
END_TEST

/* expect_softmax, then every probability again, to 1e-3 of itself however
 * small it is: (expect_softmax, like close_enough, stops looking below
 * 1e-6.) */
static void expect_softmax_relative(const Softmax *f, const float *z,
                                    int n_batch, int n_classes)
{
    expect_softmax(f, z, n_batch, n_classes);
    int n = n_batch * n_classes;
    float *p = malloc((size_t)n * sizeof *p);
    double *want = malloc((size_t)n * sizeof *want);
    ck_assert(p != NULL && want != NULL);
    reference_softmax(want, z, n_batch, n_classes,
                      f->temperature == 0.0f ? 1.0 : (double)f->temperature);
    run_softmax(f, p, z, n_batch, n_classes);
    int k = first_relative_difference(p, want, n, 1e-3);
    if (k >= 0) {
        const char *why = softmax_mistake(f, p, z, n_batch, n_classes, 1e-3);
        ck_assert_msg(0,
                      "%s of the scores %s (row %d of a batch of %d): p[%d] "
                      "should be %.6g, got %.6g (a small probability must "
                      "still be right to 1e-3 of itself): %s",
                      f->name, row_text(z, k / n_classes, n_classes),
                      k / n_classes, n_batch, k % n_classes, want[k],
                      (double)p[k],
                      why != NULL ? why
                                  : "work out exp((z - max) / T) directly: a "
                                    "probability rounded to 0 on the way "
                                    "cannot come back");
    }
    free(p);
    free(want);
}

START_TEST(test_softmax_temperature)
{
    const float z[6] = {1, 2, 3, 1000, 999, 998};
    const Softmax two = {"softmax with temperature 2", 2.0f};
    const Softmax half = {"softmax with temperature 0.5", 0.5f};
    const Softmax one = {"softmax with temperature 1 (plain softmax)", 1.0f};
    expect_softmax(&two, z, 2, 3);
    expect_softmax(&half, z, 2, 3);
    expect_softmax(&one, z, 2, 3);
    expect_softmax(&two, wide, 6, 3);
    expect_softmax(&half, wide, 3, 6);
    expect_in_place(&half);
    /* p[0][0] = exp(-20) / (1 + exp(-20) + exp(-10)), about 2.06e-9. */
    const float far[6] = {0, 200, 100, -3, 1, 2};
    const Softmax ten = {"softmax with temperature 10", 10.0f};
    expect_softmax_relative(&ten, far, 2, 3);
}
END_TEST

Suite *suite_04_softmax(void)
{
    Suite *suite = suite_create("04_softmax");
    TCase *softmax = tcase_create("exercise 4.1 (3 points)");
    tcase_add_test(softmax, test_softmax_known_values);
    tcase_add_test(softmax, test_softmax_random_rows);
    tcase_add_test(softmax, test_softmax_ignores_a_constant);
    tcase_add_test(softmax, test_softmax_huge_scores);
    tcase_add_test(softmax, test_softmax_in_place);
    suite_add_tcase(suite, softmax);
    TCase *temperature = tcase_create("exercise 4.2 (2 points)");
    tcase_add_test(temperature, test_softmax_temperature);
    suite_add_tcase(suite, temperature);
    return suite;
}
