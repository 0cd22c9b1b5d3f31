/* worker.c: the student's side of the judge (see remote.h).
 *
 * A program made of one chapter's file from a student's submission (which
 * includes the chapters before it) and the remote_* functions of
 * remote.h. ./build.sh grade --submission compiles it inside the sandbox,
 * once per chapter:
 *
 *   cc ... -DCHAPTER_FILE='"../../code/07_sgd.c"' -DCH07_NO_MAIN \
 *       tests/judge/worker.c -lm -o bin/worker_07
 *
 * and the judge's tests start it, in the sandbox, one per test. It reads a
 * call from the judge on its standard input (a socket), calls the
 * student's function, and writes what the function returned and wrote
 * back. Its standard output and error go nowhere: a printf in the
 * student's code cannot mix with the answers.
 */
#ifndef _POSIX_C_SOURCE
#define _POSIX_C_SOURCE 200809L
#endif

/* The judge's side of the worker comes first, before the student's code:
 * the channel, the guards after each output, the notes of stubs, the
 * sanitizer's reports. A macro the student's files define cannot change
 * what is already compiled (and ./build.sh refuses a macro of theirs named
 * like anything of remote.h, which the parts below use, and any use of the
 * judge's names in their code). */
#include "../../code/common.h"

#include "remote.h"

int main(void);
void __ubsan_on_report(void);
void __ubsan_get_current_report_data(const char **kind, const char **message,
                                     const char **file, unsigned *line,
                                     unsigned *column, char **address)
    __attribute__((weak));
static void serve(RemoteFunction function);

/* The worker is compiled with -fsanitize=shift, as the suites are
 * (exercise 1.1's shifts): the sanitizer calls this before it reports,
 * and the report goes to the judge instead. */
void __ubsan_on_report(void)
{
    const char *kind = "", *message = "undefined behaviour", *file = "?";
    unsigned line = 0, column = 0;
    char *address = NULL;
    if (__ubsan_get_current_report_data != NULL)
        __ubsan_get_current_report_data(&kind, &message, &file, &line, &column,
                                        &address);
    if (wire_worker != NULL)
        wire_undefined(wire_worker, file, line, message);
}

int main(void)
{
    static Wire w;
    w.serving = 1;
    /* The socket to the judge is 0 and 1; keep it elsewhere, and send the
     * program's own output nowhere. */
    w.fd = dup(0);
    int nowhere = open("/dev/null", O_RDWR);
    if (w.fd < 0 || nowhere < 0)
        return 6;
    dup2(nowhere, 0);
    dup2(nowhere, 1);
    dup2(nowhere, 2);
    close(nowhere);
    /* exercise_todo notes a stub here; wire_reply sends the notes. */
    setenv("WORKBOOK_TODO_FILE", "/tmp/todo", 1);
    program_name = "worker";
    wire_worker = &w;
    uint32_t hello = WIRE_HELLO;
    wire_write(&w, &hello, sizeof hello);
    wire_flush(&w);
    for (;;) {
        uint32_t head[3];
        wire_read(&w, head, sizeof head); /* exits when the judge is gone */
        if (head[0] != WIRE_REQUEST)
            return 7;
        w.seq = head[1] - 1; /* wire_begin counts it again */
        serve((RemoteFunction)head[2]);
    }
}

/* The student's chapter file (and those it includes), then the parts of
 * remote.h that need its types. */
#include CHAPTER_FILE

/* Which chapters are in: each one's part of remote.h. */
#ifdef CH01_IDX_C
#define REMOTE_CHAPTER_01
#endif
#ifdef CH02_AFFINE_C
#define REMOTE_CHAPTER_02
#endif
#ifdef CH03_RELU_C
#define REMOTE_CHAPTER_03
#endif
#ifdef CH04_SOFTMAX_C
#define REMOTE_CHAPTER_04
#endif
#ifdef CH05_CROSS_ENTROPY_C
#define REMOTE_CHAPTER_05
#endif
#ifdef CH06_BACKPROP_C
#define REMOTE_CHAPTER_06
#endif
#ifdef CH07_SGD_C
#define REMOTE_CHAPTER_07
#endif
#ifdef CH08_GAP_C
#define REMOTE_CHAPTER_08
#endif
#ifdef CH09_REGULARISE_C
#define REMOTE_CHAPTER_09
#endif
#ifdef CH10_INSIDE_C
#define REMOTE_CHAPTER_10
#endif
#ifdef CH11_FAST_C
#define REMOTE_CHAPTER_11
#endif

#include "remote.h"

/* Call the function the judge asked for, if it is of chapters 1 to 5 (1),
 * or not (0); its arguments follow on the wire (each remote_NAME reads
 * them itself). */
static int wire_serve_chapters_1_to_5(RemoteFunction function)
{
    switch (function) {
#ifdef REMOTE_01
    case REMOTE_READ_BE32: remote_read_be32(NULL); return 1;
    case REMOTE_DIGIT_BOUNDING_BOX:
        remote_digit_bounding_box(NULL, NULL, 0, 0);
        return 1;
#endif
#ifdef REMOTE_02
    case REMOTE_AFFINE_FORWARD: remote_affine_forward(NULL, NULL, NULL, 0); return 1;
    case REMOTE_AFFINE_FORWARD_BY_NEURON:
        remote_affine_forward_by_neuron(NULL, NULL, NULL, 0);
        return 1;
#endif
#ifdef REMOTE_03
    case REMOTE_RELU_FORWARD: remote_relu_forward(NULL, NULL, 0); return 1;
    case REMOTE_LEAKY_RELU_FORWARD:
        remote_leaky_relu_forward(NULL, NULL, 0, 0.0f);
        return 1;
#endif
#ifdef REMOTE_04
    case REMOTE_SOFTMAX_FORWARD: remote_softmax_forward(NULL, NULL, 0, 0); return 1;
    case REMOTE_SOFTMAX_TEMPERATURE:
        remote_softmax_temperature(NULL, NULL, 0, 0, 1.0f);
        return 1;
#endif
#ifdef REMOTE_05
    case REMOTE_CROSS_ENTROPY_LOSS:
        remote_cross_entropy_loss(NULL, NULL, 0, 0);
        return 1;
    case REMOTE_COUNT_TOP_K: remote_count_top_k(NULL, NULL, 0, 0, 0); return 1;
#endif
    default: return 0;
    }
}

/* The same for chapters 6 to 10. */
static int wire_serve_chapters_6_to_10(RemoteFunction function)
{
    switch (function) {
#ifdef REMOTE_06
    case REMOTE_RELU_BACKWARD: remote_relu_backward(NULL, NULL, NULL, 0); return 1;
    case REMOTE_LEAKY_RELU_BACKWARD:
        remote_leaky_relu_backward(NULL, NULL, NULL, 0, 0.0f);
        return 1;
    case REMOTE_SOFTMAX_CROSS_ENTROPY_BACKWARD:
        remote_softmax_cross_entropy_backward(NULL, NULL, NULL, 0, 0);
        return 1;
#endif
#ifdef REMOTE_07
    case REMOTE_SGD_STEP: remote_sgd_step(NULL, NULL, 0.0f); return 1;
    case REMOTE_MOMENTUM_STEP:
        remote_momentum_step(NULL, NULL, NULL, 0.0f, 0.0f);
        return 1;
    case REMOTE_OVERFIT_ONE_BATCH:
        remote_overfit_one_batch(NULL, NULL, NULL, NULL, NULL, 0, 0.0f, 0);
        return 1;
    case REMOTE_LEARNING_RATE_SWEEP:
        remote_learning_rate_sweep(NULL, NULL, 0, NULL, NULL, 0, 0, NULL, NULL);
        return 1;
#endif
#ifdef REMOTE_08
    case REMOTE_DIGITS_SLICE: remote_digits_slice(NULL, 0, 0); return 1;
    case REMOTE_MEAN_CONFIDENCE: remote_mean_confidence(NULL, 0, 0); return 1;
#endif
#ifdef REMOTE_09
    case REMOTE_L2_GRADIENT: remote_l2_gradient(NULL, NULL, 0.0f); return 1;
    case REMOTE_DROPOUT_FORWARD:
        remote_dropout_forward(NULL, NULL, 0, 0.0f, NULL);
        return 1;
    case REMOTE_DROPOUT_BACKWARD: remote_dropout_backward(NULL, NULL, 0); return 1;
#endif
#ifdef REMOTE_10
    case REMOTE_CONFUSION_COUNT: remote_confusion_count(NULL, NULL, NULL); return 1;
    case REMOTE_MOST_COMMON_MISTAKE:
        remote_most_common_mistake(NULL, NULL, NULL);
        return 1;
#endif
    default: return 0;
    }
}

/* The same for chapter 11. */
static int wire_serve_chapters_11_on(RemoteFunction function)
{
    switch (function) {
#ifdef REMOTE_11
    case REMOTE_BLOCK_SUM:
        remote_block_sum(NULL, 0, NULL, 0, NULL, 0, 0, NULL, 0, 0);
        return 1;
#endif
    default: return 0;
    }
}

/* Call the function the judge asked for; its arguments follow on the wire
 * (each remote_NAME reads them itself). */
static void serve(RemoteFunction function)
{
    if (!wire_serve_chapters_1_to_5(function) &&
        !wire_serve_chapters_6_to_10(function) &&
        !wire_serve_chapters_11_on(function))
        exit(5); /* a function of a later chapter: the judge's mistake */
}
