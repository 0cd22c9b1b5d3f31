/* Chapter 11: the same numbers, faster.
 *
 *   cc -std=c11 -O3 code/11_fast.c -lm -o bin/11_fast
 *   bin/11_fast                  chapter 7's training, on faster loops:
 *                                the same network, byte for byte
 *   bin/11_fast --threads 2 ...  the same on two cores
 *   bin/11_fast --roofline       this machine's limits
 *   bin/11_fast --profile        where a training step's time goes
 *   bin/11_fast --order          what another order of the sums changes
 *   bin/11_fast --same           the same network, float for float
 *
 * Adds: packing a row's nonzero inputs, sums held in registers 64 outputs
 * at a time, the weights' transpose for the backward pass, and two threads
 * that split the outputs. Every float is computed by the same additions,
 * in the same order, as chapters 2 and 6 compute it.
 *
 * The program is chapter 7's: this file includes code/07_sgd.c with its
 * main renamed chapter_main, points chapters 5 and 6's loop variables
 * (affine_forward_loops, affine_backward_loops) at this chapter's, and
 * calls it. The build compiles this file around chapters 8 and 9 as well
 * (-DFAST_CHAPTER='"08_gap.c"': bin/fast/08_gap, bin/fast/09_regularise),
 * and the book's runs of chapters 7 to 9 use those: their outputs are the
 * plain loops' to the last bit, so nothing the book shows changes.
 */
#ifndef CH11_FAST_C
#define CH11_FAST_C

#ifndef FAST_CHAPTER
#define FAST_CHAPTER "07_sgd.c"
#endif
#ifdef CH11_NO_MAIN /* the tests: the code, no chapter's demo */
#define CH07_NO_MAIN
#define CH08_NO_MAIN
#define CH09_NO_MAIN
#endif
int chapter_main(int argc, char **argv);
#define main chapter_main
#include FAST_CHAPTER
#undef main

#include <stdatomic.h>
#include <threads.h>

// @listing fast_vectors
/* This chapter's loops are compiled three times: for AVX-512 (16 floats
 * per instruction), AVX2 (8) and any x86-64 (4); the program picks one
 * when it starts. As with chapter 2's WIDE_VECTORS, the numbers are the
 * same: a vector instruction does 16 of the same additions at once. */
#if defined(__x86_64__) && defined(__GNUC__)
#define FAST_VECTORS                                                           \
    __attribute__((target_clones("avx512f", "avx2", "default")))
#else
#define FAST_VECTORS
#endif
/* A kernel must be compiled into each of those (gcc would rather call one
 * copy, compiled for any x86-64), with its sizes known. */
#if defined(__GNUC__)
#define INLINED inline __attribute__((always_inline))
#else
#define INLINED inline
#endif
// @end fast_vectors

/* ---- What this chapter adds ------------------------------------------- */

void fast_forward(float *y, const float *x, const Affine *layer, int n_batch);
void fast_backward(float *dx, Affine *grad, const float *dy, const float *x,
                   const Affine *layer, int n_batch);
int fast_loops_start(int n_threads, Error *err);
void fast_loops_stop(void);

// @listing packed
/* The rows of a matrix with their zeros left out: row r's nonzero entries,
 * count[r] of them, their positions at index + r * room and their values
 * at value + r * room, in order. A digit's 784 pixels pack to about 146. */
typedef struct {
    int *index;
    float *value;
    int *count;
    int room;      /* entries each row has room for */
    int room_rows; /* rows there is room for */
    size_t size;   /* entries there is room for, in all */
} Packed;

/* Packs n entries of `row`, `stride` floats apart (1: a row of a matrix;
 * its row length: a column), as row r of `packed`. Every entry is written,
 * and the count moves on only for a nonzero one: no branch for the CPU to
 * guess wrong where a stroke of ink begins or ends. */
FAST_VECTORS static void pack_row(Packed *packed, int r, const float *row,
                                  int n, size_t stride)
{
    int *index = packed->index + (size_t)r * packed->room;
    float *value = packed->value + (size_t)r * packed->room;
    int count = 0;
    for (int i = 0; i < n; i++) {
        float v = row[(size_t)i * stride];
        index[count] = i;
        value[count] = v;
        count += v != 0.0f;
    }
    packed->count[r] = count;
}
// @end packed

// @listing block_sum
enum { ROWS = 4, LANES = 16, SUMS = 64 }; /* 64 sums: 4 AVX-512 registers */

/* Exercise 11.1: the blocked kernel. For `rows` rows from row r0 of
 * `packed`, and `width` neighbouring columns (rows * width <= SUMS):
 *
 *     out[r][j] = start[r][j] + sum over k of value_r[k] * m[index_r[k]][j]
 *
 * out, start and m are matrices whose rows are out_step, start_step (0:
 * the same row for every r) and m_step floats apart. The sums live in acc,
 * which the compiler keeps in registers from the first term to the last;
 * the rows take turns, so that the CPU has several independent sums to
 * work on while an addition finishes (`#pragma GCC unroll 4` asks gcc to
 * write the rows' loop out four times, so that each row's sums get
 * registers of their own). Each out[r][j] must be the same float as the
 * plain loop's: start first, then the terms in k's order. */
static INLINED void block_sum(float *out, size_t out_step, const float *start,
                              size_t start_step, const Packed *packed, int r0,
                              int rows, const float *m, size_t m_step,
                              int width)
{
    // @solution 11.1 acc = start; then the terms in order; then out = acc
    float acc[SUMS];
    const int *index[ROWS];
    const float *value[ROWS];
    int count[ROWS], together = INT_MAX;
    for (int r = 0; r < rows; r++) {
        index[r] = packed->index + (size_t)(r0 + r) * packed->room;
        value[r] = packed->value + (size_t)(r0 + r) * packed->room;
        count[r] = packed->count[r0 + r];
        together = count[r] < together ? count[r] : together;
        for (int j = 0; j < width; j++)
            acc[r * width + j] = start[r * start_step + j];
    }
    for (int k = 0; k < together; k++) /* every row has a k-th term */
#pragma GCC unroll 4
        for (int r = 0; r < rows; r++) {
            const float *m_row = m + (size_t)index[r][k] * m_step;
            for (int j = 0; j < width; j++)
                acc[r * width + j] += value[r][k] * m_row[j];
        }
    for (int r = 0; r < rows; r++) /* the longer rows' last terms */
        for (int k = together; k < count[r]; k++) {
            const float *m_row = m + (size_t)index[r][k] * m_step;
            for (int j = 0; j < width; j++)
                acc[r * width + j] += value[r][k] * m_row[j];
        }
    for (int r = 0; r < rows; r++)
        for (int j = 0; j < width; j++)
            out[r * out_step + j] = acc[r * width + j];
    // @end 11.1
}
// @end block_sum

/* --order's experiment (see reordered_sum, below); otherwise IN_ORDER. */
typedef enum { IN_ORDER, FUSED, SPLIT } SumOrder;
static SumOrder sum_order = IN_ORDER;
FAST_VECTORS static void reordered_sum(float *out, const float *start,
                                       const Packed *p, int r, const float *m,
                                       size_t m_step, int width);

// @listing packed_times
/* Rows first .. last - 1 of out = start + packed m, `width` columns
 * from column j, ROWS rows at a time, then one by one. */
static INLINED void block_rows(float *out, const float *start,
                               size_t start_step, const Packed *packed,
                               int first, int last, const float *m, int n_cols,
                               int j, int width)
{
    size_t step = (size_t)n_cols;
    int r = first;
    for (; r + ROWS <= last; r += ROWS)
        block_sum(out + r * step + j, step, start + r * start_step + j,
                  start_step, packed, r, ROWS, m + j, step, width);
    for (; r < last; r++)
        block_sum(out + r * step + j, step, start + r * start_step + j,
                  start_step, packed, r, 1, m + j, step, width);
}

/* Rows first .. last - 1 of out = start + packed m, [.. x n_cols]. A wide
 * product goes one row of 64 sums at a time (each term: 64 floats of a row
 * of m, read once); then 4 rows of 16 at a time, then 8, 4 and 1 columns
 * for the last few (such as the 10 of the last layer). Each call of
 * block_sum has a shape the compiler can see, so that it unrolls the loops
 * into whole registers. (sum_order: chapter 11's last experiment.) */
FAST_VECTORS static void packed_times(float *out, const float *start,
                                      size_t start_step, const Packed *packed,
                                      int first, int last, const float *m,
                                      int n_cols)
{
    if (sum_order != IN_ORDER) { /* --order's experiment */
        for (int r = first; r < last; r++)
            reordered_sum(out + (size_t)r * n_cols, start + r * start_step,
                          packed, r, m, (size_t)n_cols, n_cols);
        return;
    }
    int j = 0;
    for (; j + SUMS <= n_cols; j += SUMS) /* wide: one row of 64 at a time */
        for (int r = first; r < last; r++)
            block_sum(out + (size_t)r * n_cols + j, (size_t)n_cols,
                      start + r * start_step + j, start_step, packed, r, 1,
                      m + j, (size_t)n_cols, SUMS);
    for (; j + LANES <= n_cols; j += LANES)
        block_rows(out, start, start_step, packed, first, last, m, n_cols, j,
                   LANES);
    for (; j + 8 <= n_cols; j += 8)
        block_rows(out, start, start_step, packed, first, last, m, n_cols, j,
                   8);
    for (; j + 4 <= n_cols; j += 4)
        block_rows(out, start, start_step, packed, first, last, m, n_cols, j,
                   4);
    for (; j < n_cols; j++)
        block_rows(out, start, start_step, packed, first, last, m, n_cols, j,
                   1);
}
// @end packed_times

/* ---- A layer's three products ------------------------------------------ */

/* What a layer's passes pack: x's rows, x's columns (for the weight
 * gradient) and dy's rows (for dx). Made larger when a layer needs it. */
static Packed x_rows, x_columns, dy_rows;

/* One step of a layer's pass, which threads share: each does `part` for
 * its own rows first .. last - 1 of n (rows of y, of the weight gradient,
 * or of dx), so no float is written by two threads. */
typedef struct Job Job;
struct Job {
    void (*part)(const Job *job, int first, int last);
    int n;
    float *out;          /* y or dx */
    const float *x, *dy; /* the layer's input, and dy */
    const Affine *layer;
    Affine *grad;
    const float *w_t, *zeros; /* W's transpose and n_in zeros, for dx */
    int n_batch;
};

// @listing products
/* Rows of y = x W + b: row b of x, packed, times W, from the biases. */
static void forward_rows(const Job *job, int first, int last)
{
    int n_in = job->layer->n_in;
    for (int b = first; b < last; b++)
        pack_row(&x_rows, b, job->x + (size_t)b * n_in, n_in, 1);
    packed_times(job->out, job->layer->biases, 0, &x_rows, first, last,
                 job->layer->weights, job->layer->n_out);
}

/* Rows of the weight gradient: row i += column i of x, packed, times dy:
 * the terms x[b][i] dy[b] in b's order, as chapter 6 adds them. */
static void weight_rows(const Job *job, int first, int last)
{
    int n_in = job->layer->n_in, n_out = job->layer->n_out;
    for (int i = first; i < last; i++)
        pack_row(&x_columns, i, job->x + i, job->n_batch, (size_t)n_in);
    float *g = job->grad->weights;
    packed_times(g, g, (size_t)n_out, &x_columns, first, last, job->dy, n_out);
}

/* Rows of dx = dy W^T: row b of dy, packed, times W's transpose, from 0:
 * the terms dy[b][j] W[i][j] in j's order. */
static void input_rows(const Job *job, int first, int last)
{
    int n_out = job->layer->n_out;
    for (int b = first; b < last; b++)
        pack_row(&dy_rows, b, job->dy + (size_t)b * n_out, n_out, 1);
    packed_times(job->out, job->zeros, 0, &dy_rows, first, last, job->w_t,
                 job->layer->n_in);
}
// @end products

/* ---- Two threads -------------------------------------------------------- */

enum { MAX_THREADS = 8 };

/* The team: the main thread and n - 1 helpers. A Job's rows are cut into
 * n shares; share t is helper t's if it takes it first, and the main
 * thread's if not: on a busy machine a helper may not get a core for
 * milliseconds, and the main thread then does its share rather than wait. */
typedef struct {
    int n_threads;
    thrd_t helpers[MAX_THREADS];
    const Job *job;
    atomic_int round, stop;
    atomic_int taken[MAX_THREADS], done[MAX_THREADS];
} Team;

static Team team = {.n_threads = 1};

// @listing job_run
/* Share t of the team's Job, if no one took it yet: rows n * t / n_threads
 * up to n * (t + 1) / n_threads. */
static void take_share(int t)
{
    int free = 0;
    if (!atomic_compare_exchange_strong(&team.taken[t], &free, 1))
        return;
    const Job *job = team.job; /* set before the share was free to take */
    int first = (int)((long)job->n * t / team.n_threads);
    int last = (int)((long)job->n * (t + 1) / team.n_threads);
    job->part(job, first, last);
    atomic_store(&team.done[t], 1);
}

/* Every row of a Job, the team sharing them. Each output row is one
 * thread's, computed as one thread would: the threads change who adds,
 * never what is added or in which order. */
static void job_run(const Job *job)
{
    if (team.n_threads == 1 || job->n < 2 * team.n_threads) {
        job->part(job, 0, job->n);
        return;
    }
    team.job = job;
    for (int t = 0; t < team.n_threads; t++) {
        atomic_store(&team.done[t], 0);
        atomic_store(&team.taken[t], 0);
    }
    atomic_fetch_add(&team.round, 1); /* the helpers start */
    for (int t = 0; t < team.n_threads; t++)
        take_share(t); /* ours, then any a helper has not taken yet */
    for (int t = 1; t < team.n_threads; t++)
        while (!atomic_load(&team.done[t]))
            thrd_yield(); /* a helper is on it: it needs a core */
}
// @end job_run

static int helper_main(void *arg)
{
    int t = (int)(intptr_t)arg, seen = 0;
    for (;;) {
        while (atomic_load(&team.round) == seen && !atomic_load(&team.stop))
            thrd_yield(); /* waiting: give the core to anyone who needs it */
        if (atomic_load(&team.stop))
            return 0;
        seen = atomic_load(&team.round);
        take_share(t);
    }
}

/* ---- The fast loops ---------------------------------------------------- */

/* Room in `packed` for n_rows rows of `room` entries; -1 if there is none
 * (the caller then runs the plain loops: the same numbers). */
static int packed_reserve(Packed *packed, int n_rows, int room)
{
    size_t n = (size_t)n_rows * (size_t)room;
    if (packed->count != NULL && n_rows <= packed->room_rows &&
        n <= packed->size) {
        packed->room = room;
        return 0;
    }
    int *index = realloc(packed->index, n * sizeof *index);
    if (index != NULL)
        packed->index = index;
    float *value = realloc(packed->value, n * sizeof *value);
    if (value != NULL)
        packed->value = value;
    int *count = realloc(packed->count, (size_t)n_rows * sizeof *count);
    if (count != NULL)
        packed->count = count;
    if (index == NULL || value == NULL || count == NULL)
        return -1;
    packed->room = room;
    packed->room_rows = n_rows;
    packed->size = n;
    return 0;
}

static void packed_free(Packed *packed)
{
    free(packed->index);
    free(packed->value);
    free(packed->count);
    *packed = (Packed){0};
}

// @listing fast_forward
/* Chapter 2's y = x W + b, the team sharing the rows of y. */
void fast_forward(float *y, const float *x, const Affine *layer, int n_batch)
{
    if (packed_reserve(&x_rows, n_batch, layer->n_in) != 0) {
        affine_forward(y, x, layer, n_batch);
        return;
    }
    // clang-format off
    Job job = {.part = forward_rows, .n = n_batch, .out = y, .x = x,
               .layer = layer, .n_batch = n_batch};
    // clang-format on
    job_run(&job);
}
// @end fast_forward

/* W's transpose, [n_out x n_in], for dx: the backward pass reads W by
 * columns, and a column is a row of the transpose. Also n_in zeros, where
 * dx's sums start. */
static float *transposed, *zeros;
static size_t transposed_size, zeros_size;

static const float *transpose(const Affine *layer)
{
    size_t n = (size_t)layer->n_in * layer->n_out;
    if (n > transposed_size || (size_t)layer->n_in > zeros_size) {
        float *bigger = realloc(transposed, n * sizeof *bigger);
        float *more = calloc((size_t)layer->n_in, sizeof *more);
        if (bigger != NULL)
            transposed = bigger;
        if (bigger == NULL || more == NULL) {
            free(more);
            return NULL;
        }
        free(zeros);
        zeros = more;
        transposed_size = n;
        zeros_size = (size_t)layer->n_in;
    }
    for (int i = 0; i < layer->n_in; i++)
        for (int j = 0; j < layer->n_out; j++)
            transposed[(size_t)j * layer->n_in + i] =
                layer->weights[(size_t)i * layer->n_out + j];
    return transposed;
}

// @listing fast_backward
/* Chapter 6's backward pass, the same three sums:
 *   bias gradient[j] += dy[b][j], over b in order (as chapter 6 does it);
 *   weight gradient row i += x[b][i] dy[b], over b in order;
 *   dx row b = 0 + the sum of dy[b][j] W[i][j], over j in order. */
void fast_backward(float *dx, Affine *grad, const float *dy, const float *x,
                   const Affine *layer, int n_batch)
{
    int n_in = layer->n_in, n_out = layer->n_out;
    const float *w_t = NULL;
    if (packed_reserve(&x_columns, n_in, n_batch) != 0 ||
        packed_reserve(&dy_rows, n_batch, n_out) != 0 ||
        (dx != NULL && (w_t = transpose(layer)) == NULL)) {
        affine_backward(dx, grad, dy, x, layer, n_batch);
        return;
    }
    for (int b = 0; b < n_batch; b++)
        for (int j = 0; j < n_out; j++)
            grad->biases[j] += dy[(size_t)b * n_out + j];
    // clang-format off
    Job job = {.part = weight_rows, .n = n_in, .out = dx, .x = x, .dy = dy,
               .layer = layer, .grad = grad, .w_t = w_t, .zeros = zeros,
               .n_batch = n_batch};
    // clang-format on
    job_run(&job);
    if (dx == NULL)
        return;
    job.part = input_rows;
    job.n = n_batch;
    job_run(&job);
}
// @end fast_backward

/* ---- Another order ----------------------------------------------------- */

// @listing reordered_sum
/* Sums in another order than the plain loops', for --order only (and
 * slower: one row at a time). FUSED: each term multiplied and added in
 * one step, rounded once (C's fmaf), as a fused multiply-add instruction
 * does; SPLIT: the first half of the terms and the second half summed
 * apart, as two threads splitting the terms would, then added. */
FAST_VECTORS static void reordered_sum(float *out, const float *start,
                                       const Packed *p, int r, const float *m,
                                       size_t m_step, int width)
{
    const int *index = p->index + (size_t)r * p->room;
    const float *value = p->value + (size_t)r * p->room;
    int n = p->count[r];
    for (int j0 = 0; j0 < width; j0 += LANES) {
        int w = width - j0 < LANES ? width - j0 : LANES;
        float sum[LANES], first[LANES] = {0}, second[LANES] = {0};
        for (int j = 0; j < w; j++)
            sum[j] = start[j0 + j];
        for (int k = 0; k < n; k++) {
            const float *m_row = m + (size_t)index[k] * m_step + j0;
            for (int j = 0; j < w; j++) {
                if (sum_order == FUSED)
                    sum[j] = fmaf(value[k], m_row[j], sum[j]);
                else if (k < n / 2)
                    first[j] += value[k] * m_row[j];
                else
                    second[j] += value[k] * m_row[j];
            }
        }
        for (int j = 0; j < w; j++)
            out[j0 + j] =
                sum_order == FUSED ? sum[j] : sum[j] + (first[j] + second[j]);
    }
}
// @end reordered_sum

/* The loops the layers used before fast_loops_start. */
static void (*plain_forward)(float *, const float *, const Affine *,
                             int) = affine_forward;
static void (*plain_backward)(float *, Affine *, const float *, const float *,
                              const Affine *, int) = affine_backward;

/* From now on every layer (chapters 5 and 6 call through the two loop
 * variables) runs on this chapter's loops, with n_threads threads. */
int fast_loops_start(int n_threads, Error *err)
{
    if (n_threads < 1 || n_threads > MAX_THREADS)
        return error_set(err, "threads: expected 1 to %d, not %d", MAX_THREADS,
                         n_threads);
    team.n_threads = n_threads;
    atomic_store(&team.stop, 0);
    for (int t = 1; t < n_threads; t++) {
        if (thrd_create(&team.helpers[t], helper_main, (void *)(intptr_t)t) !=
            thrd_success) {
            team.n_threads = t;
            return error_set(err, "could not start thread %d of %d", t + 1,
                             n_threads);
        }
    }
    plain_forward = affine_forward_loops;
    plain_backward = affine_backward_loops;
    affine_forward_loops = fast_forward;
    affine_backward_loops = fast_backward;
    return 0;
}

/* Back to the plain loops; the helpers end and the buffers go. */
void fast_loops_stop(void)
{
    atomic_store(&team.stop, 1);
    for (int t = 1; t < team.n_threads; t++)
        thrd_join(team.helpers[t], NULL);
    team = (Team){.n_threads = 1};
    packed_free(&x_rows);
    packed_free(&x_columns);
    packed_free(&dy_rows);
    free(transposed);
    free(zeros);
    transposed = zeros = NULL;
    transposed_size = zeros_size = 0;
    affine_forward_loops = plain_forward;
    affine_backward_loops = plain_backward;
}

/* ---- Two trainings compared (--same, --order and the tests) ------------ */

/* What --same and --order train: chapter 7's network and steps. */
typedef struct {
    TrainOptions train;
    long iterations, threads;
} Comparison;

/* A run of chapter 7's training with the loops now in place: the
 * network's weights and biases, one after the other (*values, n of them),
 * and its accuracy on `test` (NULL: not tested, 0). */
typedef struct {
    float *values;
    size_t n;
    double accuracy;
} Trained;

int train_once(Trained *t, const Comparison *c, const Digits *train,
               const Digits *test, Error *err);
size_t count_differing(const Trained *a, const Trained *b, double *largest);

int train_once(Trained *t, const Comparison *c, const Digits *train,
               const Digits *test, Error *err)
{
    Network net;
    Trainer trainer;
    if (training_setup(&net, &trainer, &c->train, INIT_HE, train,
                       (uint64_t)c->train.seed, err) != 0)
        return -1;
    for (long it = 0; it < c->iterations; it++)
        train_step(&trainer, &net, train, (int)c->train.batch,
                   (float)c->train.learning_rate);
    t->accuracy = test != NULL ? network_evaluate(&net, test).accuracy : 0.0;
    t->n = (size_t)network_count_params(&net);
    t->values = malloc(t->n * sizeof *t->values);
    size_t at = 0;
    for (int l = 0; l < net.n_layers && t->values != NULL; l++) {
        size_t n_w = (size_t)net.sizes[l] * net.sizes[l + 1];
        memcpy(t->values + at, net.layers[l].weights, n_w * sizeof(float));
        memcpy(t->values + at + n_w, net.layers[l].biases,
               (size_t)net.sizes[l + 1] * sizeof(float));
        at += n_w + (size_t)net.sizes[l + 1];
    }
    trainer_free(&trainer);
    network_free(&net);
    if (t->values == NULL)
        return error_set(err, "out of memory for %zu weights", t->n);
    return 0;
}

/* How many of b's floats differ from a's (as bits), and by how much at
 * most. */
size_t count_differing(const Trained *a, const Trained *b, double *largest)
{
    size_t n = 0;
    *largest = 0;
    for (size_t k = 0; k < a->n; k++) {
        if (memcmp(&a->values[k], &b->values[k], sizeof(float)) == 0)
            continue;
        n++;
        *largest =
            fmax(*largest, fabs((double)a->values[k] - (double)b->values[k]));
    }
    return n;
}

#ifndef CH11_NO_MAIN

/* ---- Where the time goes ------------------------------------------------ */

/* The multiply-adds a layer's pass does once zeros are skipped: the
 * nonzero entries of `a` ([n_rows x n]) times `width`. */
static double multiply_adds(const float *a, size_t n_values, int width)
{
    double count = 0;
    for (size_t k = 0; k < n_values; k++)
        count += a[k] != 0.0f;
    return count * width;
}

/* Seconds per call of layer l's forward and backward pass, with the loops
 * the layer variables point at, over `repeats` calls each. The forward
 * pass writes into `scratch`, so that the next layer's input stays what
 * the network computed (ReLU's zeros included). */
static void time_layer(double *forward, double *backward, Network *net,
                       Gradients *grads, float *scratch, int l, int repeats)
{
    int n_batch = net->max_batch;
    const float *input = l > 0 ? net->outputs[l - 1] : net->inputs;
    float *dx = l > 0 ? grads->deltas[l - 1] : NULL; /* layer l - 1 is done */
    double start = seconds_now();
    for (int r = 0; r < repeats; r++)
        affine_forward_loops(scratch, input, &net->layers[l], n_batch);
    *forward = (seconds_now() - start) / repeats;
    start = seconds_now();
    for (int r = 0; r < repeats; r++)
        affine_backward_loops(dx, &grads->layers[l], grads->deltas[l], input,
                              &net->layers[l], n_batch);
    *backward = (seconds_now() - start) / repeats;
}

static void profile_row(const char *pass, int l, double adds, double bytes,
                        double plain, double fast)
{
    printf("  %-9s %d %10.2f %9.2f %9.3f %9.3f %8.1f %8.1f %6.1fx\n", pass, l,
           adds / 1e6, bytes / 1e6, plain * 1e3, fast * 1e3,
           2 * adds / plain / 1e9, 2 * adds / fast / 1e9, plain / fast);
}

/* Layer l's two rows of the profile; adds to *plain_ms and *fast_ms. */
static int profile_layer(double *total_plain, double *total_fast, Network *net,
                         Gradients *grads, float *scratch, int l, int n_threads,
                         Error *err)
{
    enum { REPEATS = 200 };
    const float *input = l > 0 ? net->outputs[l - 1] : net->inputs;
    int n_in = net->sizes[l], n_out = net->sizes[l + 1], n = net->max_batch;
    double plain[2], fast[2];
    time_layer(&plain[0], &plain[1], net, grads, scratch, l, REPEATS);
    if (fast_loops_start(n_threads, err) != 0)
        return -1;
    time_layer(&fast[0], &fast[1], net, grads, scratch, l, REPEATS);
    fast_loops_stop();
    double adds = multiply_adds(input, (size_t)n * n_in, n_out);
    double weights = 4.0 * n_in * n_out, batch = 4.0 * n;
    profile_row("forward", l, adds, weights + batch * (n_in + n_out), plain[0],
                fast[0]);
    double back =
        adds +
        (l > 0 ? multiply_adds(grads->deltas[l], (size_t)n * n_out, n_in) : 0);
    profile_row("backward", l, back,
                2 * weights + batch * (n_in + n_out) * (l > 0 ? 2 : 1),
                plain[1], fast[1]);
    *total_plain += plain[0] + plain[1];
    *total_fast += fast[0] + fast[1];
    return 0;
}

/* How long pack_row takes for the batch's inputs, one row per digit. */
static int time_packing(double *seconds, const Network *net, Error *err)
{
    enum { REPEATS = 200 };
    Packed packed = {0};
    int n_in = net->sizes[0];
    if (packed_reserve(&packed, net->max_batch, n_in) != 0)
        return error_set(err, "out of memory for packing");
    double start = seconds_now();
    for (int r = 0; r < REPEATS; r++)
        for (int b = 0; b < net->max_batch; b++)
            pack_row(&packed, b, net->inputs + (size_t)b * n_in, n_in, 1);
    *seconds = (seconds_now() - start) / REPEATS;
    packed_free(&packed);
    return 0;
}

/* A network of `hidden` sizes from seed 1, the first n_batch training
 * digits in its inputs, and one forward and backward pass done: the
 * activations and gradients a training step would see. */
static int profile_network(Network *net, Gradients *grads, float **scratch,
                           const Digits *train, const int *hidden, int n_hidden,
                           int n_batch, Error *err)
{
    int sizes[NETWORK_MAX_LAYERS + 1], widest = 0;
    int n_sizes =
        digit_network_sizes(sizes, train->rows * train->cols, hidden, n_hidden);
    for (int s = 1; s < n_sizes; s++)
        widest = sizes[s] > widest ? sizes[s] : widest;
    if (network_init(net, sizes, n_sizes, n_batch, err) != 0)
        return -1;
    *scratch = malloc((size_t)n_batch * (size_t)widest * sizeof **scratch);
    if (*scratch == NULL || gradients_init(grads, net, err) != 0) {
        free(*scratch);
        network_free(net);
        return *scratch == NULL ? error_set(err, "out of memory") : -1;
    }
    Rng rng;
    rng_seed(&rng, 1);
    network_randomize(net, INIT_HE, &rng);
    size_t indices[NETWORK_MAX_BATCH];
    for (int b = 0; b < n_batch; b++)
        indices[b] = (size_t)b;
    digits_inputs(net->inputs, train, indices, n_batch);
    network_forward(net, net->inputs, n_batch);
    network_backward(grads, net, net->inputs, train->labels, n_batch);
    return 0;
}

/* One training step's passes, layer by layer: what each does, and how
 * long chapters 2 and 6's loops and this chapter's take for it. */
static int profile(const Digits *train, const int *hidden, int n_hidden,
                   int n_threads, Error *err)
{
    enum { N_BATCH = 100 };
    Network net;
    Gradients grads;
    float *scratch;
    if (profile_network(&net, &grads, &scratch, train, hidden, n_hidden,
                        N_BATCH, err) != 0)
        return -1;
    printf("784");
    for (int h = 0; h < n_hidden; h++)
        printf("-%d", hidden[h]);
    printf("-10, a batch of %d, %d thread%s: per call\n", N_BATCH, n_threads,
           n_threads > 1 ? "s" : "");
    printf("  %-9s %s %10s %9s %9s %9s %8s %8s %7s\n", "pass", "l", "M adds",
           "MB moved", "plain ms", "fast ms", "GFLOP/s", "fast", "faster");
    double total_plain = 0, total_fast = 0, packing = 0;
    int status = 0;
    for (int l = 0; l < net.n_layers && status == 0; l++)
        status = profile_layer(&total_plain, &total_fast, &net, &grads, scratch,
                               l, n_threads, err);
    if (status == 0 && (status = time_packing(&packing, &net, err)) == 0)
        printf("  all layers: %.3f ms plain, %.3f ms fast: %.1fx; packing "
               "the %d digits' pixels: %.3f ms\n",
               total_plain * 1e3, total_fast * 1e3, total_plain / total_fast,
               N_BATCH, packing * 1e3);
    free(scratch);
    gradients_free(&grads);
    network_free(&net);
    return status;
}

/* ---- The same network, and another order ------------------------------- */

static Comparison comparison_options(int argc, char **argv, const char *about)
{
    Comparison c = {
        .train = train_options_default(), .iterations = 1000, .threads = 2};
    const Option options[] = {
        {"--iterations", "N", OPTION_WHOLE, &c.iterations, 1, 100000,
         .help = "training steps (default 1000)"},
        {"--threads", "N", OPTION_WHOLE, &c.threads, 1, MAX_THREADS,
         .help = "threads of the second fast run (default 2)"},
        {"--batch", "N", OPTION_WHOLE, &c.train.batch, 1, NETWORK_MAX_BATCH,
         .help = "digits per step (default 100)"},
        {"--hidden", "LIST", OPTION_SIZES, c.train.hidden, 0,
         NETWORK_MAX_LAYERS - 1, .count = &c.train.n_hidden,
         .help = "hidden layer sizes (default 128,64), or none"},
        {"--seed", "N", OPTION_WHOLE, &c.train.seed, 0, LONG_MAX,
         .help = "seed of the weights and the batches (default 1)"},
        OPTION_DATA(&c.train.data_dir),
        OPTION_OUT(&c.train.out_dir),
    };
    options_parse(options, OPTIONS_COUNT(options), about, argc, argv);
    return c;
}

static void comparison_header(const Comparison *c, const Trained *t)
{
    printf("784");
    for (int h = 0; h < c->train.n_hidden; h++)
        printf("-%d", c->train.hidden[h]);
    printf("-10, %ld steps of %ld digits, seed %ld: %zu weights and biases\n\n",
           c->iterations, c->train.batch, c->train.seed, t->n);
}

/* --same: chapter 7's training with chapters 2 and 6's loops, then with
 * this chapter's on one thread and on several: every float compared. */
static int same_demo(const Comparison *c, const Digits *train,
                     const Digits *test, Error *err)
{
    Trained runs[3] = {{0}};
    const char *names[3] = {"chapters 2 and 6's loops", "fast loops, 1 thread",
                            "fast loops, %ld threads"};
    int status = train_once(&runs[0], c, train, test, err);
    for (int k = 1; k < 3 && status == 0; k++) {
        if ((status = fast_loops_start(k == 1 ? 1 : (int)c->threads, err)) == 0)
            status = train_once(&runs[k], c, train, test, err);
        fast_loops_stop();
    }
    size_t differ[3] = {0};
    if (status == 0) {
        comparison_header(c, &runs[0]);
        printf("  %-26s %14s %14s\n", "trained with", "floats differ",
               "test accuracy");
        for (int k = 0; k < 3; k++) {
            double largest;
            char name[64];
            snprintf(name, sizeof name, names[k], c->threads);
            differ[k] = count_differing(&runs[0], &runs[k], &largest);
            printf("  %-26s %14zu %13.2f%%\n", name, differ[k],
                   100 * runs[k].accuracy);
        }
    }
    FILE *values = status == 0 && c->train.out_dir != NULL
                       ? output_open(c->train.out_dir, "values.txt", err)
                       : NULL;
    if (values != NULL) {
        fprintf(values,
                "floats %zu\nthreads %ld\ndiffer_one_thread %zu\n"
                "differ_threads %zu\naccuracy %.2f\n",
                runs[0].n, c->threads, differ[1], differ[2],
                100 * runs[0].accuracy);
        fprintf(values, "headline %zu of %zu floats differ\n",
                differ[1] + differ[2], runs[0].n);
        status = output_close(values, c->train.out_dir, "values.txt", err);
    } else if (status == 0 && c->train.out_dir != NULL) {
        status = -1;
    }
    for (int k = 0; k < 3; k++)
        free(runs[k].values);
    return status;
}

/* --order: the same training with the sums in order, fused, and split in
 * two halves: how far the weights end up from the in-order ones. */
static int order_demo(const Comparison *c, const Digits *train,
                      const Digits *test, Error *err)
{
    Trained runs[3] = {{0}};
    const char *names[3] = {"in order (the book's)", "fused multiply-add",
                            "split in two halves"};
    int status = 0;
    for (int k = 0; k < 3 && status == 0; k++) {
        sum_order = (SumOrder)k;
        if ((status = fast_loops_start(1, err)) == 0)
            status = train_once(&runs[k], c, train, test, err);
        fast_loops_stop();
    }
    sum_order = IN_ORDER;
    const char *keys[3] = {"in_order", "fused", "split"};
    FILE *values = status == 0 && c->train.out_dir != NULL
                       ? output_open(c->train.out_dir, "values.txt", err)
                       : NULL;
    if (status == 0 && c->train.out_dir != NULL && values == NULL)
        status = -1;
    if (status == 0) {
        comparison_header(c, &runs[0]);
        printf("  %-22s %14s %18s %14s\n", "sums", "floats differ",
               "largest difference", "test accuracy");
        for (int k = 0; k < 3; k++) {
            double largest;
            size_t n = count_differing(&runs[0], &runs[k], &largest);
            printf("  %-22s %14zu %18.2g %13.2f%%\n", names[k], n, largest,
                   100 * runs[k].accuracy);
            if (values != NULL)
                fprintf(values,
                        "%s_differ %zu\n%s_largest %.2g\n"
                        "%s_accuracy %.2f\n",
                        keys[k], n, keys[k], largest, keys[k],
                        100 * runs[k].accuracy);
        }
    }
    if (values != NULL) {
        fprintf(values,
                "floats %zu\nheadline fused: %.2f%%, split: %.2f%%, "
                "in order: %.2f%%\n",
                runs[0].n, 100 * runs[1].accuracy, 100 * runs[2].accuracy,
                100 * runs[0].accuracy);
        status = output_close(values, c->train.out_dir, "values.txt", err);
    }
    for (int k = 0; k < 3; k++)
        free(runs[k].values);
    return status;
}

static int comparison_main(int argc, char **argv, int order)
{
    Comparison c = comparison_options(
        argc, argv,
        order ? "Train chapter 7's network with its sums in order, fused and "
                "split, and compare the weights."
              : "Train chapter 7's network with the plain loops and the fast "
                "ones, and compare every weight.");
    Digits train, test;
    Error err;
    if (mnist_load(&train, &test, c.train.data_dir, &err) != 0 ||
        (order ? order_demo(&c, &train, &test, &err)
               : same_demo(&c, &train, &test, &err)) != 0 ||
        outputs_commit(&err) != 0)
        fail_with(&err);
    digits_free(&train);
    digits_free(&test);
    return 0;
}

/* ---- This machine's limits --------------------------------------------- */

/* Multiply-adds on numbers in registers only: 8 independent sums of 16
 * lanes, so that the CPU never waits for a result. Returns a number that
 * depends on every sum (so that the compiler must compute them). */
FAST_VECTORS static float peak_loop(long n, float a, float b)
{
    float acc[8][LANES];
    for (int c = 0; c < 8; c++)
        for (int j = 0; j < LANES; j++)
            acc[c][j] = (float)(c + j) * 1e-3f;
    for (long k = 0; k < n; k++)
#pragma GCC unroll 8
        for (int c = 0; c < 8; c++)
            for (int j = 0; j < LANES; j++)
                acc[c][j] = acc[c][j] * a + b;
    float sum = 0;
    for (int c = 0; c < 8; c++)
        for (int j = 0; j < LANES; j++)
            sum += acc[c][j];
    return sum;
}

/* Reads n floats, 64 sums at a time. */
FAST_VECTORS static float read_loop(const float *x, size_t n)
{
    float acc[64] = {0};
    for (size_t i = 0; i + 64 <= n; i += 64)
        for (int j = 0; j < 64; j++)
            acc[j] += x[i + j];
    float sum = 0;
    for (int j = 0; j < 64; j++)
        sum += acc[j];
    return sum;
}

/* The roofline's two numbers: arithmetic per second on one core, and
 * floats read per second from the caches and from memory. */
static int roofline(Error *err)
{
    long n = 20000000;
    double start = seconds_now();
    float check = peak_loop(n, 0.999999f, 1e-7f);
    double seconds = seconds_now() - start;
    printf("one core, multiplies and adds of 16 floats at a time: %.0f GFLOP/s"
           "%s\n",
           2.0 * n * 8 * LANES / seconds / 1e9, check > 0 ? "" : " ");
    printf("reading floats (a sum of each), from an array of:\n");
    for (size_t kb = 32; kb <= 128 * 1024; kb *= 8) {
        size_t count = kb * 1024 / sizeof(float);
        float *x = malloc(count * sizeof *x);
        if (x == NULL)
            return error_set(err, "out of memory for %zu kB", kb);
        for (size_t k = 0; k < count; k++)
            x[k] = 1.0f;
        long repeats = (long)(4e9 / (double)(count * sizeof *x)) + 3;
        start = seconds_now();
        float sum = 0;
        for (long r = 0; r < repeats; r++)
            sum += read_loop(x, count);
        seconds = seconds_now() - start;
        printf("  %7zu kB: %5.0f GB/s%s\n", kb,
               (double)repeats * (double)(count * sizeof *x) / seconds / 1e9,
               sum > 0 ? "" : " ");
        free(x);
    }
    return 0;
}

/* Takes `--threads N` out of argv (anywhere in it): N, or 1 if absent. */
static long threads_option(int *argc, char **argv)
{
    long n_threads = 1;
    int kept = 1;
    for (int k = 1; k < *argc; k++) {
        if (strcmp(argv[k], "--threads") != 0) {
            argv[kept++] = argv[k];
            continue;
        }
        const char *text = k + 1 < *argc ? argv[k + 1] : "";
        char *end = NULL;
        n_threads = strtol(text, &end, 10);
        if (*text == '\0' || *end != '\0' || n_threads < 1 ||
            n_threads > MAX_THREADS)
            usage_error("--threads expects a whole number from 1 to %d, got "
                        "'%s'",
                        MAX_THREADS, text);
        k++;
    }
    *argc = kept;
    argv[kept] = NULL;
    return n_threads;
}

/* --profile [--threads N] [--data DIR]. */
static int profile_main(int argc, char **argv)
{
    long n_threads = 1;
    const char *data_dir = "data/mnist";
    const Option options[] = {
        {"--threads", "N", OPTION_WHOLE, &n_threads, 1, MAX_THREADS,
         .help = "threads of the fast loops (default 1)"},
        OPTION_DATA(&data_dir),
    };
    options_parse(options, OPTIONS_COUNT(options),
                  "Time each pass of a training step of 784-128-64-10 and "
                  "784-16-16-10,\nwith chapters 2 and 6's loops and with "
                  "chapter 11's.",
                  argc, argv);
    Digits train, test;
    Error err;
    const int networks[2][2] = {{128, 64}, {16, 16}};
    if (mnist_load(&train, &test, data_dir, &err) != 0 ||
        profile(&train, networks[0], 2, (int)n_threads, &err) != 0 ||
        profile(&train, networks[1], 2, (int)n_threads, &err) != 0)
        fail_with(&err);
    digits_free(&train);
    digits_free(&test);
    return 0;
}

static int roofline_main(int argc, char **argv)
{
    options_parse(NULL, 0,
                  "Measure one core's arithmetic peak and how fast it reads "
                  "from the caches and memory.",
                  argc, argv);
    Error err;
    if (roofline(&err) != 0)
        fail_with(&err);
    return 0;
}

/* bin/11_fast [--threads N] [the chapter's options]: the chapter's program
 * (chapter 7's; bin/fast/08_gap chapter 8's, ...) on this chapter's loops;
 * or, first on the line, one of the experiments. */
int main(int argc, char **argv)
{
    cli_init(argc, argv);
    const char *experiments[4] = {"--same", "--order", "--profile",
                                  "--roofline"};
    for (int e = 0; e < 4; e++) {
        if (argc > 1 && strcmp(argv[1], experiments[e]) == 0)
            return e < 2   ? comparison_main(argc - 1, argv + 1, e == 1)
                   : e < 3 ? profile_main(argc - 1, argv + 1)
                           : roofline_main(argc - 1, argv + 1);
        for (int k = 2; k < argc; k++)
            if (strcmp(argv[k], experiments[e]) == 0)
                usage_error("%s replaces the training: it must come first on "
                            "the line",
                            experiments[e]);
    }
    long n_threads = threads_option(&argc, argv);
    for (int k = 1; k < argc; k++)
        if (strcmp(argv[k], "--help") == 0)
            printf("%s: %s's program on chapter 11's loops (the same "
                   "numbers, faster).\nChapter 11 adds --threads N (1 to %d; "
                   "default 1), and four experiments,\neach first on the line "
                   "instead of training, each with --help: --same,\n--order, "
                   "--profile, --roofline.\n\n",
                   program_name, FAST_CHAPTER, MAX_THREADS);
    Error err;
    if (fast_loops_start((int)n_threads, &err) != 0)
        fail_with(&err);
    int status = chapter_main(argc, argv);
    fast_loops_stop();
    return status;
}

#endif /* CH11_NO_MAIN */
#endif /* CH11_FAST_C */
