/* Chapter 11's tests: the blocked kernel (exercise 11.1) against the plain
 * loop, bit for bit; the fast loops against chapters 2 and 6's on every
 * shape; training with them against chapter 7's, float for float; and the
 * program's network file against bin/07_sgd's, byte for byte. */
#define CH11_NO_MAIN
#include "../code/11_fast.c"

#include "testing.h"

Suite *suite_11_fast(void);

/* ---- Exercise 11.1 -------------------------------------------------------- */

/* T_M_ROWS: room for the largest position kernel_case can draw (a row of
 * 29 terms from position 3, in steps of up to 2: 59). */
enum { T_ROWS = 7, T_ROOM = 40, T_M_ROWS = 64, T_COLS = 70, T_CANARY = 8 };

/* A packed matrix of T_ROWS rows whose counts differ a lot (0, 1, and up to
 * T_ROOM terms), with positions in order, and the values and the matrix m
 * ([T_M_ROWS x T_COLS]) on scales from 1e-3 to 1e3, so that adding in
 * another order gives other floats. */
typedef struct {
    int index[T_ROWS * T_ROOM], count[T_ROWS];
    float value[T_ROWS * T_ROOM], m[T_M_ROWS * T_COLS];
    float start[T_ROWS * T_COLS];
    Packed packed;
} KernelCase;

static float spread(Rng *rng)
{
    float scale[4] = {1e-3f, 1.0f, 37.0f, 1e3f};
    return scale[rng_below(rng, 4)] * rng_normal(rng);
}

static void kernel_case(KernelCase *c, uint64_t seed)
{
    Rng rng;
    rng_seed(&rng, seed);
    const int counts[T_ROWS] = {T_ROOM, 3, 0, 29, 1, 17, 38};
    for (int r = 0; r < T_ROWS; r++) {
        c->count[r] = counts[r];
        int at = (int)rng_below(&rng, 4);
        for (int k = 0; k < counts[r]; k++) {
            c->index[r * T_ROOM + k] = at;
            c->value[r * T_ROOM + k] = spread(&rng);
            at += 1 + (T_ROOM - counts[r] > 5 ? (int)rng_below(&rng, 2) : 0);
        }
        for (int j = 0; j < T_COLS; j++)
            c->start[r * T_COLS + j] = spread(&rng);
    }
    for (int k = 0; k < T_M_ROWS * T_COLS; k++)
        c->m[k] = spread(&rng);
    c->packed = (Packed){.index = c->index,
                         .value = c->value,
                         .count = c->count,
                         .room = T_ROOM};
}

/* The plain loop, the meaning of block_sum: start first, then the terms in
 * k's order, one float at a time. */
static void kernel_reference(float *out, size_t out_step, const float *start,
                             size_t start_step, const Packed *p, int r0,
                             int rows, const float *m, size_t m_step, int width)
{
    for (int r = 0; r < rows; r++)
        for (int j = 0; j < width; j++) {
            float sum = start[r * start_step + j];
            for (int k = 0; k < p->count[r0 + r]; k++)
                sum += p->value[(r0 + r) * p->room + k] *
                       m[(size_t)p->index[(r0 + r) * p->room + k] * m_step + j];
            out[r * out_step + j] = sum;
        }
}

/* The mistakes a student is likely to make in block_sum, each as code that
 * makes it, with the hint that names it. */
typedef enum {
    START_LAST,
    TERMS_BACKWARDS,
    K_FOR_INDEX,
    ROW_R_NOT_R0,
    COMMON_ONLY,
    ONE_START_ROW,
    N_KERNEL_MISTAKES
} KernelMistake;

static const char *const kernel_hints[N_KERNEL_MISTAKES] = {
    [START_LAST] = "start was added after the terms: acc[r][j] must begin as "
                   "start[r * start_step + j], and the terms follow (floats "
                   "are not associative: (s + a) + b is not s + (a + b))",
    [TERMS_BACKWARDS] = "the terms were added last to first: go k = 0, 1, ... "
                        "as the plain loop does",
    [K_FOR_INDEX] = "term k multiplies row index[k] of m, not row k: "
                    "m + (size_t)index[r][k] * m_step",
    [ROW_R_NOT_R0] = "the rows are r0, r0 + 1, ... of `packed`, not 0, 1, ...: "
                     "row r's terms start at (r0 + r) * packed->room",
    [COMMON_ONLY] = "some rows lost their last terms: rows have different "
                    "counts, and each must add all count[r0 + r] of its own",
    [ONE_START_ROW] = "every row started from the same start row: row r "
                      "starts from start + r * start_step (start_step is 0 "
                      "only when all rows share one, like the biases)",
};

/* What block_sum would write with `mistake`. */
static void kernel_mistaken(float *out, size_t out_step, const float *start,
                            size_t start_step, const Packed *p, int r0,
                            int rows, const float *m, size_t m_step, int width,
                            KernelMistake mistake)
{
    int together = INT_MAX;
    for (int r = 0; r < rows; r++)
        together = p->count[r0 + r] < together ? p->count[r0 + r] : together;
    for (int r = 0; r < rows; r++)
        for (int j = 0; j < width; j++) {
            int row = mistake == ROW_R_NOT_R0 ? r : r0 + r;
            int n = mistake == COMMON_ONLY ? together : p->count[row];
            float first =
                start[(mistake == ONE_START_ROW ? 0 : r) * start_step + j];
            float sum = mistake == START_LAST ? 0.0f : first;
            for (int t = 0; t < n; t++) {
                int k = mistake == TERMS_BACKWARDS ? n - 1 - t : t;
                int at =
                    mistake == K_FOR_INDEX ? k : p->index[row * p->room + k];
                sum += p->value[row * p->room + k] * m[(size_t)at * m_step + j];
            }
            out[r * out_step + j] = mistake == START_LAST ? first + sum : sum;
        }
}

/* Calls block_sum as packed_times does (its rows and widths), into a
 * buffer with canaries around every row, and checks each float against
 * the plain loop, bit for bit; on a difference, names the mistake. */
static void expect_block_sum(const KernelCase *c, int r0, int rows, int width,
                             int per_row_start, const char *what)
{
    size_t step = T_COLS + T_CANARY;
    float got[T_ROWS * (T_COLS + T_CANARY)], want[T_ROWS * T_COLS];
    const float canary = 12345.0f;
    for (size_t k = 0; k < sizeof got / sizeof *got; k++)
        got[k] = canary;
    size_t start_step = per_row_start ? T_COLS : 0;
    if (rows == ROWS && width == LANES)
        block_sum(got, step, c->start, start_step, &c->packed, r0, ROWS, c->m,
                  T_COLS, LANES);
    else if (rows == 1 && width == SUMS)
        block_sum(got, step, c->start, start_step, &c->packed, r0, 1, c->m,
                  T_COLS, SUMS);
    else if (rows == 1 && width == LANES)
        block_sum(got, step, c->start, start_step, &c->packed, r0, 1, c->m,
                  T_COLS, LANES);
    else
        block_sum(got, step, c->start, start_step, &c->packed, r0, rows, c->m,
                  T_COLS, width);
    kernel_reference(want, T_COLS, c->start, start_step, &c->packed, r0, rows,
                     c->m, T_COLS, width);
#ifdef REMOTE_CORE
    /* In the judge, the last row's floats after width are past the end of
     * the worker's copy of out, whose guard saw them (tests/judge/remote.h). */
    ck_assert_msg(!remote_overrun.seen,
                  "block_sum (%s) wrote out[%d][%ld], beyond its width %d: "
                  "write only out[r][0 .. width - 1]",
                  what, rows - 1, (long)width + remote_overrun.past - 1, width);
#endif
    for (int r = 0; r < rows; r++) {
        for (int j = width; j < (int)step; j++)
            ck_assert_msg(got[r * step + j] == canary,
                          "block_sum (%s) wrote out[%d][%d], beyond its "
                          "width %d: write only out[r][0 .. width - 1]",
                          what, r, j, width);
        for (int j = 0; j < width; j++)
            ck_assert_msg(got[r * step + j] != canary,
                          "block_sum (%s) did not write out[%d][%d]: write "
                          "every column j < width (%d here: width can be up "
                          "to SUMS, 64, more than LANES)",
                          what, r, j, width);
        for (int j = 0; j < width; j++) {
            float g = got[r * step + j], w = want[r * T_COLS + j];
            if (memcmp(&g, &w, sizeof g) == 0)
                continue;
            float mistaken[T_ROWS * T_COLS];
            for (int e = 0; e < N_KERNEL_MISTAKES; e++) {
                kernel_mistaken(mistaken, T_COLS, c->start, start_step,
                                &c->packed, r0, rows, c->m, T_COLS, width,
                                (KernelMistake)e);
                ck_assert_msg(memcmp(&g, &mistaken[r * T_COLS + j], sizeof g),
                              "block_sum (%s), out[%d][%d]: expected %.9g, got "
                              "%.9g: %s",
                              what, r, j, (double)w, (double)g,
                              kernel_hints[e]);
            }
            ck_abort_msg("block_sum (%s), row r0 + %d = %d, column %d: "
                         "expected %.9g, the plain loop's float, got %.9g: "
                         "out[r][j] = start[r][j] + value[0] * m[index[0]][j] "
                         "+ value[1] * m[index[1]][j] + ..., added in that "
                         "order, one float at a time",
                         what, r, r0 + r, j, (double)w, (double)g);
        }
    }
}

START_TEST(test_block_sum_four_rows)
{
    KernelCase c;
    kernel_case(&c, test_seed(1101));
    expect_block_sum(&c, 0, ROWS, LANES, 1, "4 rows of 16, rows 0 to 3");
    expect_block_sum(&c, 3, ROWS, LANES, 1, "4 rows of 16, rows 3 to 6");
    expect_block_sum(&c, 2, ROWS, LANES, 0, "4 rows sharing one start row");
}
END_TEST

START_TEST(test_block_sum_one_row_and_narrow)
{
    KernelCase c;
    kernel_case(&c, test_seed(1102));
    for (int r = 0; r < T_ROWS; r++)
        expect_block_sum(&c, r, 1, LANES, 1, "one row of 16");
    expect_block_sum(&c, 1, 1, 5, 1, "one row, 5 columns");
    expect_block_sum(&c, 4, 3, 9, 1, "3 rows, 9 columns");
    expect_block_sum(&c, 0, 2, 1, 0, "2 rows, 1 column");
    for (int r = 0; r < T_ROWS; r += 3)
        expect_block_sum(&c, r, 1, SUMS, 1, "one row of 64");
}
END_TEST

/* ---- The fast loops against the plain ones -------------------------------- */

/* A layer and a batch for `shape`: weights with an infinity or two (which
 * a zero input must skip, as the plain loop does, not turn into NaN), and
 * inputs and dy that are mostly 0, with -0 among them. */
typedef struct {
    Affine layer, grad;
    float *x, *dy;
    int n_batch;
} LayerCase;

static float *floats(size_t n)
{
    float *v = calloc(n ? n : 1, sizeof *v);
    ck_assert_msg(v != NULL, "out of memory");
    return v;
}

static void layer_case(LayerCase *c, int n_in, int n_out, int n_batch,
                       uint64_t seed)
{
    Error err;
    ck_assert(affine_init(&c->layer, n_in, n_out, &err) == 0);
    ck_assert(affine_init(&c->grad, n_in, n_out, &err) == 0);
    Rng rng;
    rng_seed(&rng, seed);
    for (size_t k = 0; k < (size_t)n_in * n_out; k++)
        c->layer.weights[k] = spread(&rng);
    for (int j = 0; j < n_out; j++)
        c->layer.biases[j] = spread(&rng);
    c->layer.weights[(size_t)(n_in - 1) * n_out] = INFINITY;
    c->n_batch = n_batch;
    c->x = floats((size_t)n_batch * n_in);
    c->dy = floats((size_t)n_batch * n_out);
    for (size_t k = 0; k < (size_t)n_batch * n_in; k++) {
        uint32_t pick = rng_below(&rng, 10);
        c->x[k] = pick < 6 ? 0.0f : pick == 6 ? -0.0f : spread(&rng);
    }
    for (int b = 0; b < n_batch; b++)
        c->x[(size_t)b * n_in + n_in - 1] = 0.0f; /* meets the infinity */
    for (size_t k = 0; k < (size_t)n_batch * n_out; k++)
        c->dy[k] = rng_below(&rng, 3) == 0 ? 0.0f : spread(&rng);
}

static void layer_case_free(LayerCase *c)
{
    affine_free(&c->layer);
    affine_free(&c->grad);
    free(c->x);
    free(c->dy);
}

static void expect_same_floats(const float *fast, const float *plain, size_t n,
                               const char *what)
{
    for (size_t k = 0; k < n; k++)
        ck_assert_msg(memcmp(&fast[k], &plain[k], sizeof *fast) == 0,
                      "%s [%zu]: the fast loops gave %.9g, chapters 2 and 6's "
                      "%.9g: not the same float",
                      what, k, (double)fast[k], (double)plain[k]);
}

/* Forward, and backward (with dx and without), with the plain loops and
 * the fast ones on n_threads threads: every float the same. */
static void expect_layer_same(int n_in, int n_out, int n_batch, int n_threads,
                              uint64_t seed)
{
    LayerCase c;
    layer_case(&c, n_in, n_out, n_batch, seed);
    size_t n_y = (size_t)n_batch * n_out, n_x = (size_t)n_batch * n_in;
    size_t n_w = (size_t)n_in * n_out;
    float *y[2], *dx[2], *gw[2], *gb[2];
    Error err;
    for (int fast = 0; fast < 2; fast++) {
        y[fast] = floats(n_y);
        dx[fast] = floats(n_x);
        if (fast)
            ck_assert(fast_loops_start(n_threads, &err) == 0);
        for (size_t k = 0; k < n_w; k++) /* a gradient already begun */
            c.grad.weights[k] = (float)(k % 7) * 0.25f;
        for (int j = 0; j < n_out; j++)
            c.grad.biases[j] = 0.5f;
        affine_forward_loops(y[fast], c.x, &c.layer, n_batch);
        affine_backward_loops(dx[fast], &c.grad, c.dy, c.x, &c.layer, n_batch);
        affine_backward_loops(NULL, &c.grad, c.dy, c.x, &c.layer, n_batch);
        gw[fast] = floats(n_w);
        gb[fast] = floats((size_t)n_out);
        memcpy(gw[fast], c.grad.weights, n_w * sizeof(float));
        memcpy(gb[fast], c.grad.biases, (size_t)n_out * sizeof(float));
        if (fast)
            fast_loops_stop();
    }
    char what[160];
    snprintf(what, sizeof what, "%d -> %d, a batch of %d, %d thread%s: ", n_in,
             n_out, n_batch, n_threads, n_threads > 1 ? "s" : "");
    size_t at = strlen(what);
    snprintf(what + at, sizeof what - at, "y");
    expect_same_floats(y[1], y[0], n_y, what);
    snprintf(what + at, sizeof what - at, "dx");
    expect_same_floats(dx[1], dx[0], n_x, what);
    snprintf(what + at, sizeof what - at, "weight gradient");
    expect_same_floats(gw[1], gw[0], n_w, what);
    snprintf(what + at, sizeof what - at, "bias gradient");
    expect_same_floats(gb[1], gb[0], (size_t)n_out, what);
    ck_assert_msg(affine_forward_loops == affine_forward ||
                      affine_forward_loops == plain_forward,
                  "fast_loops_stop should put the plain loops back");
    for (int k = 0; k < 2; k++) {
        free(y[k]);
        free(dx[k]);
        free(gw[k]);
        free(gb[k]);
    }
    layer_case_free(&c);
}

START_TEST(test_fast_layer_same_floats)
{
    const int shapes[][3] = {{784, 16, 100}, {37, 70, 9},  {5, 1, 33},
                             {1, 3, 2},      {130, 10, 1}, {64, 128, 7}};
    for (size_t s = 0; s < sizeof shapes / sizeof *shapes; s++)
        for (int threads = 1; threads <= 3; threads++)
            expect_layer_same(shapes[s][0], shapes[s][1], shapes[s][2], threads,
                              test_seed(1110 + s));
}
END_TEST

/* ---- Training: the same network ------------------------------------------- */

/* n_steps of chapter 7's SGD from `seed` (chapter 11's train_once), with
 * the loops in place now: the trained weights and biases, in t->values. */
static void trained(Trained *t, const Digits *train, const char *hidden,
                    int n_batch, long seed, int n_steps)
{
    Comparison c = {.train = train_options_default(), .iterations = n_steps};
    c.train.batch = n_batch;
    c.train.seed = seed;
    c.train.n_hidden = 0;
    for (const char *h = hidden; *h;
         h += strcspn(h, ",") + (h[strcspn(h, ",")] == ','))
        c.train.hidden[c.train.n_hidden++] = atoi(h);
    Error err;
    ck_assert_msg(train_once(t, &c, train, NULL, &err) == 0, "%s", err.msg);
}

START_TEST(test_training_same_network)
{
    Digits train, test;
    Error err;
    ck_assert_msg(mnist_load(&train, &test, test_data_dir(), &err) == 0, "%s",
                  err.msg);
    const struct {
        const char *hidden;
        int batch, steps, threads;
        long seed;
    } runs[] = {{"16,16", 100, 60, 1, 1},
                {"128,64", 37, 40, 2, 7},
                {"30,1,20", 64, 40, 2, 3},
                {"", 1, 200, 1, 5}};
    for (size_t k = 0; k < sizeof runs / sizeof *runs; k++) {
        Trained plain, fast;
        trained(&plain, &train, runs[k].hidden, runs[k].batch, runs[k].seed,
                runs[k].steps);
        ck_assert(fast_loops_start(runs[k].threads, &err) == 0);
        trained(&fast, &train, runs[k].hidden, runs[k].batch, runs[k].seed,
                runs[k].steps);
        fast_loops_stop();
        char what[120];
        snprintf(what, sizeof what,
                 "hidden %s, batch %d, seed %ld, %d steps, "
                 "%d thread(s): weight or bias",
                 *runs[k].hidden ? runs[k].hidden : "none", runs[k].batch,
                 runs[k].seed, runs[k].steps, runs[k].threads);
        ck_assert(plain.n == fast.n);
        expect_same_floats(fast.values, plain.values, plain.n, what);
        free(plain.values);
        free(fast.values);
    }
    digits_free(&train);
    digits_free(&test);
}
END_TEST

/* ---- The program ----------------------------------------------------------- */

START_TEST(test_program_same_file)
{
    const char *settings[] = {"--hidden 16,16 --iterations 300 --seed 2",
                              "--hidden 40 --batch 50 --iterations 200",
                              "--hidden none --batch 7 --iterations 300"};
    char output[4096], command[1024];
    for (size_t k = 0; k < sizeof settings / sizeof *settings; k++) {
        const char *programs[3] = {"bin/07_sgd", "bin/11_fast",
                                   "bin/11_fast --threads 2"};
        for (int p = 0; p < 3; p++) {
            snprintf(command, sizeof command,
                     "%s %s --eval-every 1000 --data %s --save %s", programs[p],
                     settings[k], test_data_dir(),
                     temp_path(p ? "fast.net" : "plain.net"));
            ck_assert_msg(run_program(output, sizeof output, command) == 0,
                          "'%s' failed: %s", command, output);
            if (p == 0)
                continue;
            FILE *a = fopen(temp_path("plain.net"), "rb");
            FILE *b = fopen(temp_path("fast.net"), "rb");
            ck_assert(a != NULL && b != NULL);
            int ca, cb;
            long at = 0;
            do {
                ca = getc(a);
                cb = getc(b);
                ck_assert_msg(ca == cb,
                              "'%s' wrote another network than "
                              "bin/07_sgd %s: byte %ld differs",
                              command, settings[k], at);
                at++;
            } while (ca != EOF);
            fclose(a);
            fclose(b);
        }
    }
}
END_TEST

START_TEST(test_program_threads_option)
{
    const char *bad[] = {"--threads", "--threads 0", "--threads 9",
                         "--threads two", "--threads 2x"};
    char output[4096], command[256];
    for (size_t k = 0; k < sizeof bad / sizeof *bad; k++) {
        snprintf(command, sizeof command, "bin/11_fast %s --iterations 1",
                 bad[k]);
        ck_assert_msg(run_program(output, sizeof output, command) == 2,
                      "'%s' should fail with exit status 2", command);
        ck_assert_msg(strstr(output, "--threads") != NULL &&
                          strchr(output, '\n') == strrchr(output, '\n'),
                      "'%s' should say in one line what --threads expects, "
                      "got: %s",
                      command, output);
    }
}
END_TEST

Suite *suite_11_fast(void)
{
    Suite *suite = suite_create("11_fast");
    TCase *ex1 = tcase_create("exercise 11.1 (3 points)");
    tcase_add_test(ex1, test_block_sum_four_rows);
    tcase_add_test(ex1, test_block_sum_one_row_and_narrow);
    suite_add_tcase(suite, ex1);
    /* The fast loops call block_sum thousands of times a step: the judge of
     * ./build.sh grade --submission, where each call goes to the student's
     * worker, leaves these out (CK_EXCLUDE_TAGS=informative); no exercise's
     * points rest on them. */
    TCase *same = tcase_create("the same floats (needs 2.1 11.1)");
    tcase_add_test(same, test_fast_layer_same_floats);
    tcase_set_timeout(same, 60);
    tcase_set_tags(same, "informative");
    suite_add_tcase(suite, same);
    TCase *training = tcase_create("training (needs 1.1 2.1 11.1)");
    tcase_add_test(training, test_training_same_network);
    tcase_set_timeout(training, 120);
    tcase_set_tags(training, "informative");
    suite_add_tcase(suite, training);
    TCase *program =
        tcase_create("program (needs 1.1 2.1 3.1 4.1 6.2 7.1 11.1)");
    tcase_add_test(program, test_program_same_file);
    tcase_add_test(program, test_program_threads_option);
    tcase_set_timeout(program, 120);
    tcase_set_tags(program, "informative");
    suite_add_tcase(suite, program);
    return suite;
}
