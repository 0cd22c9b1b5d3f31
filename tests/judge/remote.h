/* remote.h: the exercises' functions, called across a socket.
 *
 * `./build.sh grade --submission` never lets a student's code decide a
 * grade. The verdict comes from the judge: the teacher's workbook (tests,
 * hidden tests, given code) in which the body of each exercise's function
 * is a call to remote_NAME below (tests/judge/proxies.txt). remote_NAME
 * sends the arguments to a worker, a program made of the student's chapter
 * files and this header (tests/judge/worker.c) that runs in a sandbox
 * (tests/judge/sandbox.sh); the worker calls the student's function and
 * sends back what it wrote. Every test, every check and every given
 * function runs in the judge, with the teacher's code; the only thing the
 * student's code decides is the numbers its own functions return, and the
 * judge reads exactly as many as it expects.
 *
 * Each remote_NAME is written once and runs on both ends. In the judge,
 * the wire_* calls send the arguments and read back the results; in the
 * worker, the same calls read the arguments into fresh buffers, wire_call
 * returns 1 so that the student's function runs, and the results go back.
 * An output buffer in the worker is followed by a guard: a loop that runs
 * past the end of its output is seen there, and reported by the judge's
 * expect_canaries (tests/expect.h), as the Check suites report it.
 *
 * In the judge, each chapter's file ends with
 *
 *   #define REMOTE_CHAPTER_07
 *   #include "../tests/judge/remote.h"
 *
 * (./build.sh writes the judge's edition so); each part below is compiled
 * once its chapter's code is complete. */
#ifndef REMOTE_CORE
#define REMOTE_CORE

#include <poll.h>
#include <stddef.h>
#include <stdint.h>
#include <sys/socket.h>
#include <sys/types.h>
#include <sys/wait.h>

/* What the judge can ask for: one number per exercise function. */
typedef enum {
    REMOTE_READ_BE32 = 1,
    REMOTE_DIGIT_BOUNDING_BOX,
    REMOTE_AFFINE_FORWARD,
    REMOTE_AFFINE_FORWARD_BY_NEURON,
    REMOTE_RELU_FORWARD,
    REMOTE_LEAKY_RELU_FORWARD,
    REMOTE_SOFTMAX_FORWARD,
    REMOTE_SOFTMAX_TEMPERATURE,
    REMOTE_CROSS_ENTROPY_LOSS,
    REMOTE_COUNT_TOP_K,
    REMOTE_RELU_BACKWARD,
    REMOTE_LEAKY_RELU_BACKWARD,
    REMOTE_SOFTMAX_CROSS_ENTROPY_BACKWARD,
    REMOTE_SGD_STEP,
    REMOTE_MOMENTUM_STEP,
    REMOTE_OVERFIT_ONE_BATCH,
    REMOTE_LEARNING_RATE_SWEEP,
    REMOTE_DIGITS_SLICE,
    REMOTE_MEAN_CONFIDENCE,
    REMOTE_L2_GRADIENT,
    REMOTE_DROPOUT_FORWARD,
    REMOTE_DROPOUT_BACKWARD,
    REMOTE_CONFUSION_COUNT,
    REMOTE_MOST_COMMON_MISTAKE,
    REMOTE_BLOCK_SUM,
    REMOTE_N_FUNCTIONS
} RemoteFunction;

#define WIRE_HELLO   0x6b726f77u /* "work": the worker is ready */
#define WIRE_REQUEST 0x6c6c6163u /* "call" */
#define WIRE_REPLY   0x796c6572u /* "rely" */
#define WIRE_GUARD   64          /* bytes watched after each output */
#define WIRE_MAX_TEXT (1u << 22) /* a log or message the worker sends back */

/* One buffer the worker made for a call: an output is watched. */
typedef struct {
    unsigned char *data;
    size_t n_bytes, element; /* element: the size of one, for messages */
    const char *name;
    int output;
} WireBuffer;

typedef struct {
    int serving; /* 1 in the worker, 0 in the judge */
    int fd;      /* the socket to the other end */
    pid_t pid;   /* judge: the sandbox it started */
    int start_status; /* judge: how a sandbox that never said hello ended */
    uint32_t seq;
    RemoteFunction function;
    unsigned char out[1 << 16];
    size_t n_out;
    unsigned char in[1 << 16];
    size_t in_at, n_in;
    WireBuffer buffers[16];
    int n_buffers;
    struct {
        void (*release)(void *);
        void *what;
    } keep[8]; /* worker: structures to free when the call ends */
    int n_keep;
} Wire;

/* What the judge's expect_canaries reports: the first output the worker
 * wrote past the end of, in this process (one test). */
typedef struct {
    int seen;
    long past; /* the element past the end, 1 = the first */
    char what[96];
} RemoteOverrun;
extern RemoteOverrun remote_overrun;
RemoteOverrun remote_overrun;

/* The worker's channel (tests/judge/worker.c sets it); NULL in the judge. */
extern Wire *wire_worker;
Wire *wire_worker = NULL;

/* Where undefined behaviour in the student's code is reported with a hint
 * (tests/test_01_idx.c: exercise 1.1's shifts); weak, so that NULL where
 * no test defines it. */
void remote_on_ub(const char *file, unsigned line, const char *message)
    __attribute__((weak));

/* Check's own failure (the judge's tests link with Check; its programs do
 * not, and there a failure is a line on stderr and exit 1). */
void _ck_assert_failed(const char *file, int line, const char *expr,
                       const char *msg, ...) __attribute__((weak));

const char *remote_name(RemoteFunction function);
_Noreturn void remote_fail(Wire *w, const char *format, ...)
    __attribute__((format(printf, 2, 3)));
Wire *wire_judge(RemoteFunction function);
Wire *wire_begin(RemoteFunction function);
void wire_flush(Wire *w);
void wire_write(Wire *w, const void *bytes, size_t n);
void wire_read(Wire *w, void *bytes, size_t n);
void wire_value(Wire *w, void *value, size_t n_bytes);
void *wire_in(Wire *w, const void *data, size_t n_bytes);
void *wire_out(Wire *w, void *data, size_t n_bytes, size_t element,
               const char *name);
void *wire_alias(Wire *w, void *out, const void *in, size_t n_bytes,
                 size_t element, const char *name);
_Noreturn void wire_refuse(Wire *w, const char *format, ...)
    __attribute__((format(printf, 2, 3)));
_Noreturn void wire_undefined(Wire *w, const char *file, unsigned line,
                              const char *message);
int wire_call(Wire *w);
void wire_reply(Wire *w);
void wire_back(Wire *w, void *data, size_t n_bytes);
void wire_keep(Wire *w, void (*release)(void *), void *what);
void wire_end(Wire *w);
size_t wire_text(Wire *w, char *text, size_t size, int keep_lines);
size_t remote_heap_in_use(void);

const char *remote_name(RemoteFunction function)
{
    static const char *names[REMOTE_N_FUNCTIONS] = {
        "?",
        "read_be32 (exercise 1.1)",
        "digit_bounding_box (exercise 1.2)",
        "affine_forward (exercise 2.1)",
        "affine_forward_by_neuron (exercise 2.2)",
        "relu_forward (exercise 3.1)",
        "leaky_relu_forward (exercise 3.2)",
        "softmax_forward (exercise 4.1)",
        "softmax_temperature (exercise 4.2)",
        "cross_entropy_loss (exercise 5.1)",
        "count_top_k (exercise 5.2)",
        "relu_backward (exercise 6.1)",
        "leaky_relu_backward (exercise 6.3)",
        "softmax_cross_entropy_backward (exercise 6.2)",
        "sgd_step (exercise 7.1)",
        "momentum_step (exercise 7.2)",
        "overfit_one_batch (exercise 7.4)",
        "learning_rate_sweep (exercise 7.5)",
        "digits_slice (exercise 8.1)",
        "mean_confidence (exercise 8.2)",
        "l2_gradient (exercise 9.2)",
        "dropout_forward (exercise 9.1)",
        "dropout_backward (exercise 9.1)",
        "confusion_count (exercise 10.1)",
        "most_common_mistake (exercise 10.2)",
        "block_sum (exercise 11.1)"};
    return function > 0 && function < REMOTE_N_FUNCTIONS ? names[function]
                                                          : names[0];
}

/* A call that cannot be made or answered fails the test that made it (or,
 * in a program, ends it with one line). Only the judge calls this. */
_Noreturn void remote_fail(Wire *w, const char *format, ...)
{
    char message[1024];
    int at = snprintf(message, sizeof message, "your %s, run in the sandbox: ",
                      remote_name(w->function));
    va_list args;
    va_start(args, format);
    vsnprintf(message + at, sizeof message - (size_t)at, format, args);
    va_end(args);
    if (_ck_assert_failed != NULL)
        _ck_assert_failed(__FILE__, __LINE__, "remote call", "%s", message,
                          NULL);
    fprintf(stderr, "%s: %s\n", program_name, message);
    exit(1);
}

/* How long the judge waits for the worker, in seconds: to start, and to
 * answer one call (Check's own time limit per test usually comes first). */
static int wire_seconds(const char *name, int fallback)
{
    const char *text = getenv(name);
    long seconds = text != NULL ? strtol(text, NULL, 10) : 0;
    return seconds > 0 && seconds < 86400 ? (int)seconds : fallback;
}

/* Judge: wait until the worker has something to read, or fail. */
static void wire_wait(Wire *w, int seconds)
{
    struct pollfd ready = {.fd = w->fd, .events = POLLIN};
    int n = poll(&ready, 1, seconds * 1000);
    if (n == 0)
        remote_fail(w, "no answer within %d s (a loop that never ends, or "
                       "one that runs far too long?)",
                    seconds);
}

/* Judge: why the worker stopped talking, for the message. */
static _Noreturn void wire_lost(Wire *w)
{
    uint32_t head[4]; /* a refusal: reply, seq, 1, length; then the text */
    char why[512];
    ssize_t n = recv(w->fd, head, sizeof head, MSG_DONTWAIT);
    if (n == (ssize_t)sizeof head && head[0] == WIRE_REPLY &&
        head[1] == w->seq && head[2] == 1 && head[3] < sizeof why) {
        n = recv(w->fd, why, head[3], MSG_DONTWAIT);
        why[n > 0 ? n : 0] = '\0';
        for (char *c = why; *c != '\0'; c++)
            if (*c < ' ' || *c > '~')
                *c = '?';
        remote_fail(w, "the call could not be made there; the worker says: "
                       "\"%s\"",
                    why);
    }
    int status = 0;
    if (w->pid > 0 && waitpid(w->pid, &status, 0) == w->pid) {
        w->pid = 0;
        if (WIFEXITED(status) && WEXITSTATUS(status) > 128)
            remote_fail(w, "the program was killed by signal %d (%s): a "
                           "pointer or an index out of bounds, or a limit "
                           "of the sandbox (CPU time, memory)?",
                        WEXITSTATUS(status) - 128,
                        strsignal(WEXITSTATUS(status) - 128));
        if (WIFEXITED(status))
            remote_fail(w, "the program ended (exit %d) instead of returning",
                        WEXITSTATUS(status));
        if (WIFSIGNALED(status))
            remote_fail(w, "the sandbox was killed by signal %d",
                        WTERMSIG(status));
    }
    remote_fail(w, "the program stopped answering");
}

void wire_flush(Wire *w)
{
    size_t done = 0;
    while (done < w->n_out) {
        ssize_t n = w->serving ? write(w->fd, w->out + done, w->n_out - done)
                               : send(w->fd, w->out + done, w->n_out - done,
                                      MSG_NOSIGNAL);
        if (n < 0 && errno == EINTR)
            continue;
        if (n <= 0) {
            if (w->serving)
                exit(0); /* the judge is gone */
            wire_lost(w);
        }
        done += (size_t)n;
    }
    w->n_out = 0;
}

void wire_write(Wire *w, const void *bytes, size_t n)
{
    const unsigned char *from = bytes;
    while (n > 0) {
        if (w->n_out == sizeof w->out)
            wire_flush(w);
        size_t room = sizeof w->out - w->n_out, step = n < room ? n : room;
        memcpy(w->out + w->n_out, from, step);
        w->n_out += step;
        from += step;
        n -= step;
    }
}

void wire_read(Wire *w, void *bytes, size_t n)
{
    unsigned char *to = bytes;
    while (n > 0) {
        if (w->in_at == w->n_in) {
            if (!w->serving)
                wire_wait(w, wire_seconds("WORKBOOK_CALL_SECONDS", 60));
            ssize_t got = read(w->fd, w->in, sizeof w->in);
            if (got < 0 && errno == EINTR)
                continue;
            if (got <= 0) {
                if (w->serving)
                    exit(0); /* the judge is gone */
                wire_lost(w);
            }
            w->in_at = 0;
            w->n_in = (size_t)got;
        }
        size_t have = w->n_in - w->in_at, step = n < have ? n : have;
        memcpy(to, w->in + w->in_at, step);
        w->in_at += step;
        to += step;
        n -= step;
    }
}

/* A value the judge sends (an argument): written there, read here. */
void wire_value(Wire *w, void *value, size_t n_bytes)
{
    if (w->serving)
        wire_read(w, value, n_bytes);
    else
        wire_write(w, value, n_bytes);
}

/* Worker: a fresh buffer of n_bytes, followed by its guard. */
static void *wire_buffer(Wire *w, size_t n_bytes, size_t element,
                         const char *name, int output)
{
    if (w->n_buffers == (int)(sizeof w->buffers / sizeof w->buffers[0]))
        exit(3);
    unsigned char *data = malloc(n_bytes + WIRE_GUARD);
    if (data == NULL)
        exit(3); /* the judge says "ended (exit 3)" */
    memset(data + n_bytes, 0xA5, WIRE_GUARD);
    w->buffers[w->n_buffers++] =
        (WireBuffer){data, n_bytes, element, name, output};
    return data;
}

/* An input array (NULL stays NULL): the judge's data, or the worker's
 * copy of it. */
void *wire_in(Wire *w, const void *data, size_t n_bytes)
{
    unsigned char present = data != NULL;
    wire_value(w, &present, 1);
    if (!present)
        return NULL;
    if (!w->serving) {
        wire_write(w, data, n_bytes);
        return (void *)(uintptr_t)data;
    }
    void *copy = wire_buffer(w, n_bytes, 1, "input", 0);
    wire_read(w, copy, n_bytes);
    return copy;
}

/* An output array (its current content goes too: a function that adds to
 * it, instead of overwriting it, does so here as in the judge). */
void *wire_out(Wire *w, void *data, size_t n_bytes, size_t element,
               const char *name)
{
    unsigned char present = data != NULL;
    wire_value(w, &present, 1);
    if (!present)
        return NULL;
    if (!w->serving) {
        wire_write(w, data, n_bytes);
        return data;
    }
    void *copy = wire_buffer(w, n_bytes, element, name, 1);
    wire_read(w, copy, n_bytes);
    return copy;
}

/* An output that may be the same array as the input `in` (in place). */
void *wire_alias(Wire *w, void *out, const void *in, size_t n_bytes,
                 size_t element, const char *name)
{
    unsigned char same = out != NULL && out == in;
    wire_value(w, &same, 1);
    if (!same)
        return wire_out(w, out, n_bytes, element, name);
    if (w->serving)
        for (int k = 0; k < w->n_buffers; k++)
            if (w->buffers[k].data == in) {
                w->buffers[k].output = 1;
                w->buffers[k].element = element;
                w->buffers[k].name = name;
            }
    return (void *)(uintptr_t)in;
}

/* Worker: the call cannot be made (the given code the student may have
 * changed could not make a network, say). The judge reports `format`. */
_Noreturn void wire_refuse(Wire *w, const char *format, ...)
{
    char why[512];
    va_list args;
    va_start(args, format);
    vsnprintf(why, sizeof why, format, args);
    va_end(args);
    uint32_t head[3] = {WIRE_REPLY, w->seq, 1}, n = (uint32_t)strlen(why);
    wire_write(w, head, sizeof head);
    wire_write(w, &n, sizeof n);
    wire_write(w, why, n);
    wire_flush(w);
    exit(4);
}

/* Worker: the sanitizer found undefined behaviour in the call (it calls
 * __ubsan_on_report, tests/judge/worker.c): tell the judge where. */
_Noreturn void wire_undefined(Wire *w, const char *file, unsigned line,
                              const char *message)
{
    uint32_t head[3] = {WIRE_REPLY, w->seq, 2}, n_file = (uint32_t)strlen(file),
             n_message = (uint32_t)strlen(message), at = line;
    wire_write(w, head, sizeof head);
    wire_write(w, &n_file, sizeof n_file);
    wire_write(w, file, n_file);
    wire_write(w, &at, sizeof at);
    wire_write(w, &n_message, sizeof n_message);
    wire_write(w, message, n_message);
    wire_flush(w);
    _exit(8);
}

/* Judge: the request is complete, send it (0: do not call the function).
 * Worker: call it (1). */
int wire_call(Wire *w)
{
    if (w->serving)
        return 1;
    wire_flush(w);
    return 0;
}

/* Worker: the first output whose guard was written (and, in `past`, the
 * element past its end, 1 = the first), or -1. */
static int32_t wire_past_guard(Wire *w, int64_t *past)
{
    for (int k = 0; k < w->n_buffers; k++) {
        WireBuffer *b = &w->buffers[k];
        for (size_t at = 0; b->output && at < WIRE_GUARD; at++)
            if (b->data[b->n_bytes + at] != 0xA5) {
                *past = (int64_t)(at / b->element) + 1;
                return k;
            }
    }
    return -1;
}

/* Worker: which exercises' stubs ran (exercise_todo noted them in
 * /tmp/todo), to the judge. */
static void wire_send_todo(Wire *w)
{
    char todo[256] = "";
    FILE *file = fopen("/tmp/todo", "r");
    if (file != NULL) {
        size_t n = fread(todo, 1, sizeof todo - 1, file);
        todo[n] = '\0';
        fclose(file);
        remove("/tmp/todo");
    }
    uint32_t n_todo = (uint32_t)strlen(todo);
    wire_write(w, &n_todo, sizeof n_todo);
    wire_write(w, todo, n_todo);
}

/* Judge: the worker could not answer (`got`: 2, the sanitizer found
 * undefined behaviour; else the worker's own words, marked as such). */
static _Noreturn void wire_not_answered(Wire *w, uint32_t got)
{
    if (got == 2) {
        char file[256], message[512];
        uint32_t line = 0;
        wire_text(w, file, sizeof file, 0);
        wire_read(w, &line, sizeof line);
        wire_text(w, message, sizeof message, 0);
        /* Only a report from the student's chapter files counts as the
         * sanitizer's; the text stays the worker's words either way. */
        const char *code = strstr(file, "code/");
        if (code != NULL && remote_on_ub != NULL)
            remote_on_ub(code, line, message);
        remote_fail(w, "the sanitizer in the worker reports undefined "
                       "behaviour at \"%s:%u\": \"%s\"",
                    code != NULL ? code : file, line, message);
    }
    char why[512];
    wire_text(w, why, sizeof why, 0);
    remote_fail(w, "the call could not be made there; the worker says: "
                   "\"%s\"",
                why);
}

/* Judge: the stubs that ran in the worker. One exercise id a line
 * ("4.1"): note each as the suites' stubs do. */
static void wire_note_todo(Wire *w)
{
    char todo[256];
    wire_text(w, todo, sizeof todo, 1);
    for (char *line = strtok(todo, "\n"); line != NULL;
         line = strtok(NULL, "\n"))
        if (strspn(line, "0123456789.") == strlen(line) && strlen(line) < 6)
            exercise_todo(line);
}

/* After the call. The worker says whether it wrote past an output's end
 * and which exercises' stubs ran; the judge notes both. */
void wire_reply(Wire *w)
{
    uint32_t head[3] = {WIRE_REPLY, w->seq, 0};
    int32_t past_buffer = -1;
    int64_t past = 0;
    if (w->serving) {
        past_buffer = wire_past_guard(w, &past);
        wire_write(w, head, sizeof head);
        wire_write(w, &past_buffer, sizeof past_buffer);
        wire_write(w, &past, sizeof past);
        wire_send_todo(w);
        return;
    }
    uint32_t got[3];
    wire_read(w, got, sizeof got);
    if (got[0] != WIRE_REPLY || got[1] != w->seq)
        remote_fail(w, "its answer is not the worker's (something in the "
                       "program wrote on the judge's channel)");
    if (got[2] != 0)
        wire_not_answered(w, got[2]);
    wire_read(w, &past_buffer, sizeof past_buffer);
    wire_read(w, &past, sizeof past);
    if (past_buffer >= 0 && !remote_overrun.seen) {
        remote_overrun.seen = 1;
        remote_overrun.past = past > 0 && past <= WIRE_GUARD ? (long)past : 1;
        snprintf(remote_overrun.what, sizeof remote_overrun.what, "%s",
                 remote_name(w->function));
    }
    wire_note_todo(w);
}

/* An output, back to the judge after the call. */
void wire_back(Wire *w, void *data, size_t n_bytes)
{
    if (data == NULL)
        return;
    if (w->serving)
        wire_write(w, data, n_bytes);
    else
        wire_read(w, data, n_bytes);
}

/* Text the worker sends (a log, an error message), as the judge keeps it:
 * at most size - 1 bytes, printable ASCII (and newlines and tabs if
 * keep_lines); anything else becomes '?'. Returns its length. */
size_t wire_text(Wire *w, char *text, size_t size, int keep_lines)
{
    uint32_t n = 0;
    wire_read(w, &n, sizeof n);
    if (n > WIRE_MAX_TEXT)
        remote_fail(w, "it sent %u bytes of text, more than the %u allowed",
                    n, WIRE_MAX_TEXT);
    size_t kept = 0;
    for (uint32_t k = 0; k < n; k++) {
        char c;
        wire_read(w, &c, 1);
        if (kept + 1 >= size)
            continue;
        int plain = (c >= ' ' && c <= '~') ||
                    (keep_lines && (c == '\n' || c == '\t'));
        text[kept++] = plain ? c : '?';
    }
    text[kept] = '\0';
    return kept;
}

/* Worker: free `what` with `release` when the call ends. */
void wire_keep(Wire *w, void (*release)(void *), void *what)
{
    if (w->n_keep == (int)(sizeof w->keep / sizeof w->keep[0]))
        exit(3);
    w->keep[w->n_keep].release = release;
    w->keep[w->n_keep].what = what;
    w->n_keep++;
}

/* The worker's data memory, as the kernel counts it (VmData in
 * /proc/PID/status: never as the worker says), for the test that checks that
 * a learning-rate sweep frees what it allocates. The worker is the sandbox's
 * grandchild (bubblewrap, its init, the worker); 0 if it cannot be read. */
/* VmData of process `pid` and of all its descendants, in bytes. */
static size_t remote_data_of_tree(long pid, int depth)
{
    char path[64], line[128];
    size_t kib = 0, bytes = 0;
    snprintf(path, sizeof path, "/proc/%ld/status", pid);
    FILE *file = fopen(path, "r");
    while (file != NULL && fgets(line, sizeof line, file) != NULL)
        if (sscanf(line, "VmData: %zu", &kib) == 1)
            break;
    if (file != NULL)
        fclose(file);
    bytes = kib * 1024;
    snprintf(path, sizeof path, "/proc/%ld/task/%ld/children", pid, pid);
    file = depth < 8 ? fopen(path, "r") : NULL;
    long child;
    while (file != NULL && fscanf(file, "%ld", &child) == 1)
        bytes += remote_data_of_tree(child, depth + 1);
    if (file != NULL)
        fclose(file);
    return bytes;
}

/* The data memory of the whole sandbox (every process in it: a worker
 * that forks cannot leave an idle copy of itself to be measured instead),
 * as the kernel counts it (VmData in /proc/PID/status), never as the worker
 * says. A worker can still hide a leak by giving back other memory of its
 * own; that takes more code than freeing what it leaks. */
size_t remote_heap_in_use(void)
{
    Wire *w = wire_judge(REMOTE_LEARNING_RATE_SWEEP);
    return w->pid > 0 ? remote_data_of_tree(w->pid, 0) : 0;
}

/* The call is over: the worker frees its copies, and says it is done. */
void wire_end(Wire *w)
{
    uint32_t done = WIRE_REPLY;
    if (w->serving) {
        for (int k = w->n_keep - 1; k >= 0; k--)
            w->keep[k].release(w->keep[k].what);
        for (int k = 0; k < w->n_buffers; k++)
            free(w->buffers[k].data);
        w->n_keep = w->n_buffers = 0;
        wire_write(w, &done, sizeof done);
        wire_flush(w);
        return;
    }
    wire_read(w, &done, sizeof done);
    if (done != WIRE_REPLY)
        remote_fail(w, "its answer is not the worker's (something in the "
                       "program wrote on the judge's channel)");
}

/* Judge, in the child it forked: start the sandbox. The sandbox gets the
 * socket `end` as 0 and 1, nothing as 2, and no other file of the judge's
 * (such as Check's channel from a test to its runner). */
static _Noreturn void wire_exec_sandbox(int end, const char *sandbox,
                                        const char *worker)
{
    int nowhere = open("/dev/null", O_WRONLY);
    dup2(end, 0);
    dup2(end, 1);
    if (nowhere >= 0)
        dup2(nowhere, 2);
    long n_files = sysconf(_SC_OPEN_MAX);
    for (int fd = 3; fd < (n_files > 0 && n_files < 65536 ? n_files : 65536);
         fd++)
        close(fd);
    execl(sandbox, sandbox, worker, (char *)NULL);
    _exit(127);
}

/* Judge: start the sandbox and wait for its worker's hello: 1 when it
 * came, 0 if the sandbox ended first, -1 if none came in time (the
 * sandbox is then killed). */
static int wire_start(Wire *w, const char *sandbox, const char *worker,
                      int seconds)
{
    int ends[2];
    if (socketpair(AF_UNIX, SOCK_STREAM, 0, ends) != 0)
        remote_fail(w, "cannot make a socket: %s", strerror(errno));
    fflush(NULL);
    w->pid = fork();
    if (w->pid == 0)
        wire_exec_sandbox(ends[1], sandbox, worker);
    close(ends[1]);
    w->fd = ends[0];
    fcntl(w->fd, F_SETFD, FD_CLOEXEC);
    if (w->pid < 0)
        remote_fail(w, "cannot start the sandbox: %s", strerror(errno));
    /* Its four bytes, each waited for against the same deadline: a worker
     * that sends one and stops cannot hold the judge. */
    struct timespec start;
    clock_gettime(CLOCK_MONOTONIC, &start);
    unsigned char hello[4];
    size_t got = 0;
    while (got < sizeof hello) {
        struct timespec now;
        clock_gettime(CLOCK_MONOTONIC, &now);
        long left = seconds * 1000L - (now.tv_sec - start.tv_sec) * 1000L -
                    (now.tv_nsec - start.tv_nsec) / 1000000L;
        struct pollfd ready = {.fd = w->fd, .events = POLLIN};
        if (left <= 0 || poll(&ready, 1, (int)left) == 0) {
            kill(w->pid, SIGKILL);
            waitpid(w->pid, NULL, 0);
            return -1;
        }
        ssize_t n = recv(w->fd, hello + got, sizeof hello - got, 0);
        if (n <= 0)
            break; /* the sandbox ended */
        got += (size_t)n;
    }
    uint32_t said;
    memcpy(&said, hello, sizeof said);
    if (got == sizeof hello && said == WIRE_HELLO)
        return 1;
    kill(w->pid, SIGKILL); /* it may still be running: never wait on it */
    waitpid(w->pid, &w->start_status, 0);
    w->pid = 0;
    close(w->fd);
    if (got > 0)
        remote_fail(w, "the worker's first words were not its hello");
    return 0;
}

/* Judge: `broken` (state/broken), if there, says why this submission's
 * worker cannot start: the probe of ./build.sh grade (tests/judge/probe.c)
 * waited for its hello, in vain, so every test fails at once with the
 * reason instead of waiting in turn. */
static void wire_broken(Wire *w, const char *broken)
{
    char why[512] = "";
    FILE *note = fopen(broken, "r");
    if (note != NULL) {
        if (fgets(why, sizeof why, note) == NULL)
            why[0] = '\0';
        fclose(note);
        why[strcspn(why, "\n")] = '\0';
        remote_fail(w, "%s", why);
    }
}

/* Judge: no hello came within `seconds`. The probe notes why in `broken`
 * for the tests after it. */
static _Noreturn void wire_never_started(Wire *w, const char *broken,
                                         int seconds)
{
    char why[512];
    snprintf(why, sizeof why,
             "the worker (your chapter files) did not start within %d s: a "
             "constructor or a global that never returns?",
             seconds);
    if (getenv("WORKBOOK_PROBE") != NULL) {
        FILE *note = fopen(broken, "w");
        if (note != NULL) {
            fprintf(note, "%s\n", why);
            fclose(note);
        }
    }
    remote_fail(w, "%s", why);
}

/* Judge: start the worker (once per process: Check runs each test in a
 * process of its own), through the sandbox. WORKBOOK_SANDBOX is the
 * program that starts it (tests/judge/sandbox.sh), WORKBOOK_WORKER the
 * worker's path inside the sandbox, WORKBOOK_JUDGE_STATE a folder of the
 * judge's where a worker that never starts is noted, so that the next
 * tests fail at once instead of waiting again. */
Wire *wire_judge(RemoteFunction function)
{
    static Wire w;
    static pid_t owner = 0;
    if (owner == getpid())
        return &w;
    if (owner != 0) /* inherited from the process that forked this one */
        close(w.fd);
    memset(&w, 0, sizeof w);
    w.function = function;
    owner = getpid();
    const char *sandbox = getenv("WORKBOOK_SANDBOX");
    const char *worker = getenv("WORKBOOK_WORKER");
    const char *state = getenv("WORKBOOK_JUDGE_STATE");
    if (sandbox == NULL || worker == NULL || state == NULL)
        remote_fail(&w, "this is the judge's build, which runs the "
                        "exercises in a sandboxed worker; WORKBOOK_SANDBOX, "
                        "WORKBOOK_WORKER and WORKBOOK_JUDGE_STATE are not set "
                        "(./build.sh grade --submission sets them)");
    char broken[4096];
    snprintf(broken, sizeof broken, "%s/broken", state);
    wire_broken(&w, broken);
    int seconds = wire_seconds("WORKBOOK_START_SECONDS", 10);
    /* A sandbox that ends before its worker says hello may have met a
     * passing shortage (processes being reaped): try again, twice. */
    for (int attempt = 1;; attempt++) {
        int said = wire_start(&w, sandbox, worker, seconds);
        if (said == 1)
            return &w;
        if (said == 0 && attempt < 3) {
            struct timespec pause = {0, 200 * 1000 * 1000};
            nanosleep(&pause, NULL);
            continue;
        }
        if (said == 0)
            remote_fail(&w, "the worker ended before it could answer (exit "
                            "status %d): a constructor that ends the "
                            "program, or a sandbox that cannot start (the "
                            "suite's log has its message)",
                        WIFEXITED(w.start_status) ? WEXITSTATUS(w.start_status)
                                                  : -1);
        break;
    }
    wire_never_started(&w, broken, seconds);
}

/* The start of a call: the judge sends which function; the worker has
 * read that already (tests/judge/worker.c). */
Wire *wire_begin(RemoteFunction function)
{
    Wire *w = wire_worker != NULL ? wire_worker : wire_judge(function);
    w->function = function;
    w->seq++;
    if (!w->serving) {
        uint32_t head[3] = {WIRE_REQUEST, w->seq, (uint32_t)function};
        wire_write(w, head, sizeof head);
    }
    return w;
}

#endif /* REMOTE_CORE */

/* ---- Chapter 1 ---------------------------------------------------------- */
#if defined(REMOTE_CHAPTER_01) && !defined(REMOTE_01)
#define REMOTE_01

const Digits *wire_digits(Wire *w, const Digits *digits, Digits *copy);
uint32_t remote_read_be32(const uint8_t bytes[4]);
int remote_digit_bounding_box(int box[4], const uint8_t *pixels, int rows,
                              int cols);

/* A set of digits, as an input: the worker gets its own copy. */
const Digits *wire_digits(Wire *w, const Digits *digits, Digits *copy)
{
    if (!w->serving)
        *copy = *digits;
    wire_value(w, &copy->n, sizeof copy->n);
    wire_value(w, &copy->rows, sizeof copy->rows);
    wire_value(w, &copy->cols, sizeof copy->cols);
    size_t n_pixels = copy->n * (size_t)copy->rows * (size_t)copy->cols;
    copy->pixels = wire_in(w, copy->pixels, n_pixels);
    copy->labels = wire_in(w, copy->labels, copy->n);
    return w->serving ? copy : digits;
}

uint32_t remote_read_be32(const uint8_t bytes[4])
{
    Wire *w = wire_begin(REMOTE_READ_BE32);
    bytes = wire_in(w, bytes, 4);
    uint32_t value = 0;
    if (wire_call(w))
        value = read_be32(bytes);
    wire_reply(w);
    wire_back(w, &value, sizeof value);
    wire_end(w);
    return value;
}

int remote_digit_bounding_box(int box[4], const uint8_t *pixels, int rows,
                              int cols)
{
    Wire *w = wire_begin(REMOTE_DIGIT_BOUNDING_BOX);
    wire_value(w, &rows, sizeof rows);
    wire_value(w, &cols, sizeof cols);
    pixels = wire_in(w, pixels, (size_t)rows * (size_t)cols);
    box = wire_out(w, box, 4 * sizeof *box, sizeof *box, "box");
    int found = 0;
    if (wire_call(w))
        found = digit_bounding_box(box, pixels, rows, cols);
    wire_reply(w);
    wire_back(w, box, 4 * sizeof *box);
    wire_back(w, &found, sizeof found);
    wire_end(w);
    return found;
}
#endif

/* ---- Chapter 2 ---------------------------------------------------------- */
#if defined(REMOTE_CHAPTER_02) && !defined(REMOTE_02)
#define REMOTE_02

typedef void AffineForward(float *y, const float *x, const Affine *layer,
                           int n_batch);
const Affine *wire_affine(Wire *w, const Affine *layer, Affine *copy);
void remote_affine(RemoteFunction function, AffineForward *forward, float *y,
                   const float *x, const Affine *layer, int n_batch);
void remote_affine_forward(float *y, const float *x, const Affine *layer,
                           int n_batch);
void remote_affine_forward_by_neuron(float *y, const float *x,
                                     const Affine *layer, int n_batch);

/* A layer, as an input. */
const Affine *wire_affine(Wire *w, const Affine *layer, Affine *copy)
{
    if (!w->serving)
        *copy = *layer;
    wire_value(w, &copy->n_in, sizeof copy->n_in);
    wire_value(w, &copy->n_out, sizeof copy->n_out);
    size_t n_weights = (size_t)copy->n_in * (size_t)copy->n_out;
    copy->weights = wire_in(w, copy->weights, n_weights * sizeof(float));
    copy->biases = wire_in(w, copy->biases, (size_t)copy->n_out * sizeof(float));
    return w->serving ? copy : layer;
}

void remote_affine(RemoteFunction function, AffineForward *forward, float *y,
                   const float *x, const Affine *layer, int n_batch)
{
    Wire *w = wire_begin(function);
    Affine copy;
    layer = wire_affine(w, layer, &copy);
    wire_value(w, &n_batch, sizeof n_batch);
    size_t n_x = (size_t)n_batch * (size_t)layer->n_in;
    size_t n_y = (size_t)n_batch * (size_t)layer->n_out;
    x = wire_in(w, x, n_x * sizeof *x);
    y = wire_out(w, y, n_y * sizeof *y, sizeof *y, "y");
    if (wire_call(w))
        forward(y, x, layer, n_batch);
    wire_reply(w);
    wire_back(w, y, n_y * sizeof *y);
    wire_end(w);
}

void remote_affine_forward(float *y, const float *x, const Affine *layer,
                           int n_batch)
{
    remote_affine(REMOTE_AFFINE_FORWARD, affine_forward, y, x, layer, n_batch);
}

void remote_affine_forward_by_neuron(float *y, const float *x,
                                     const Affine *layer, int n_batch)
{
    remote_affine(REMOTE_AFFINE_FORWARD_BY_NEURON, affine_forward_by_neuron, y,
                  x, layer, n_batch);
}
#endif

/* ---- Chapter 3 ---------------------------------------------------------- */
#if defined(REMOTE_CHAPTER_03) && !defined(REMOTE_03)
#define REMOTE_03

void remote_relu_forward(float *y, const float *x, size_t n);
void remote_leaky_relu_forward(float *y, const float *x, size_t n,
                               float slope);

/* Both ReLUs: y = f(x), elementwise; y may be x. */
static void remote_relu(RemoteFunction function, float *y, const float *x,
                        size_t n, float slope)
{
    Wire *w = wire_begin(function);
    wire_value(w, &n, sizeof n);
    wire_value(w, &slope, sizeof slope);
    x = wire_in(w, x, n * sizeof *x);
    y = wire_alias(w, y, x, n * sizeof *y, sizeof *y, "y");
    if (wire_call(w)) {
        if (function == REMOTE_RELU_FORWARD)
            relu_forward(y, x, n);
        else
            leaky_relu_forward(y, x, n, slope);
    }
    wire_reply(w);
    wire_back(w, y, n * sizeof *y);
    wire_end(w);
}

void remote_relu_forward(float *y, const float *x, size_t n)
{
    remote_relu(REMOTE_RELU_FORWARD, y, x, n, 0.0f);
}

void remote_leaky_relu_forward(float *y, const float *x, size_t n, float slope)
{
    remote_relu(REMOTE_LEAKY_RELU_FORWARD, y, x, n, slope);
}
#endif

/* ---- Chapter 4 ---------------------------------------------------------- */
#if defined(REMOTE_CHAPTER_04) && !defined(REMOTE_04)
#define REMOTE_04

void remote_softmax_forward(float *p, const float *z, int n_batch,
                            int n_classes);
void remote_softmax_temperature(float *p, const float *z, int n_batch,
                                int n_classes, float temperature);

/* Both softmaxes, row by row; p may be z. */
static void remote_softmax(RemoteFunction function, float *p, const float *z,
                           int n_batch, int n_classes, float temperature)
{
    Wire *w = wire_begin(function);
    wire_value(w, &n_batch, sizeof n_batch);
    wire_value(w, &n_classes, sizeof n_classes);
    wire_value(w, &temperature, sizeof temperature);
    size_t n = (size_t)n_batch * (size_t)n_classes;
    z = wire_in(w, z, n * sizeof *z);
    p = wire_alias(w, p, z, n * sizeof *p, sizeof *p, "p");
    if (wire_call(w)) {
        if (function == REMOTE_SOFTMAX_FORWARD)
            softmax_forward(p, z, n_batch, n_classes);
        else
            softmax_temperature(p, z, n_batch, n_classes, temperature);
    }
    wire_reply(w);
    wire_back(w, p, n * sizeof *p);
    wire_end(w);
}

void remote_softmax_forward(float *p, const float *z, int n_batch,
                            int n_classes)
{
    remote_softmax(REMOTE_SOFTMAX_FORWARD, p, z, n_batch, n_classes, 1.0f);
}

void remote_softmax_temperature(float *p, const float *z, int n_batch,
                                int n_classes, float temperature)
{
    remote_softmax(REMOTE_SOFTMAX_TEMPERATURE, p, z, n_batch, n_classes,
                   temperature);
}
#endif

/* ---- Chapter 5 ---------------------------------------------------------- */
#if defined(REMOTE_CHAPTER_05) && !defined(REMOTE_05)
#define REMOTE_05

Network *wire_network(Wire *w, const Network *net, Network *copy);
void wire_layers_back(Wire *w, Affine *layers, int n_layers);
double remote_cross_entropy_loss(const float *p, const uint8_t *labels,
                                 int n_batch, int n_classes);
int remote_count_top_k(const float *p, const uint8_t *labels, int n_batch,
                       int n_classes, int k);

static void wire_release_network(void *net)
{
    network_free(net);
}

/* The weights and biases of n_layers layers, into layers of the right
 * sizes (on both ends). */
static void wire_layers(Wire *w, Affine *layers, int n_layers)
{
    for (int l = 0; l < n_layers; l++) {
        size_t n_weights = (size_t)layers[l].n_in * (size_t)layers[l].n_out;
        wire_value(w, layers[l].weights, n_weights * sizeof(float));
        wire_value(w, layers[l].biases, (size_t)layers[l].n_out * sizeof(float));
    }
}

/* A network's parameters, back from the worker after a call changed them. */
void wire_layers_back(Wire *w, Affine *layers, int n_layers)
{
    for (int l = 0; l < n_layers; l++) {
        size_t n_weights = (size_t)layers[l].n_in * (size_t)layers[l].n_out;
        wire_back(w, layers[l].weights, n_weights * sizeof(float));
        wire_back(w, layers[l].biases, (size_t)layers[l].n_out * sizeof(float));
    }
}

/* A network: its sizes, batch room and parameters. The worker makes its
 * own with network_init (the student's copy of it). */
Network *wire_network(Wire *w, const Network *net, Network *copy)
{
    int n_layers = 0, max_batch = 0, sizes[NETWORK_MAX_LAYERS + 1] = {0};
    if (!w->serving) {
        n_layers = net->n_layers;
        max_batch = net->max_batch;
        memcpy(sizes, net->sizes, sizeof sizes);
    }
    wire_value(w, &n_layers, sizeof n_layers);
    wire_value(w, &max_batch, sizeof max_batch);
    wire_value(w, sizes, sizeof sizes);
    if (w->serving) {
        Error err;
        if (network_init(copy, sizes, n_layers + 1, max_batch, &err) != 0)
            wire_refuse(w, "network_init could not make the network: %s",
                        err.msg);
        wire_keep(w, wire_release_network, copy);
        net = copy;
    }
    Network *used = (Network *)(uintptr_t)net;
    wire_layers(w, used->layers, n_layers);
    return used;
}

double remote_cross_entropy_loss(const float *p, const uint8_t *labels,
                                 int n_batch, int n_classes)
{
    Wire *w = wire_begin(REMOTE_CROSS_ENTROPY_LOSS);
    wire_value(w, &n_batch, sizeof n_batch);
    wire_value(w, &n_classes, sizeof n_classes);
    p = wire_in(w, p, (size_t)n_batch * (size_t)n_classes * sizeof *p);
    labels = wire_in(w, labels, (size_t)n_batch);
    double loss = 0.0;
    if (wire_call(w))
        loss = cross_entropy_loss(p, labels, n_batch, n_classes);
    wire_reply(w);
    wire_back(w, &loss, sizeof loss);
    wire_end(w);
    return loss;
}

int remote_count_top_k(const float *p, const uint8_t *labels, int n_batch,
                       int n_classes, int k)
{
    Wire *w = wire_begin(REMOTE_COUNT_TOP_K);
    wire_value(w, &n_batch, sizeof n_batch);
    wire_value(w, &n_classes, sizeof n_classes);
    wire_value(w, &k, sizeof k);
    p = wire_in(w, p, (size_t)n_batch * (size_t)n_classes * sizeof *p);
    labels = wire_in(w, labels, (size_t)n_batch);
    int count = 0;
    if (wire_call(w))
        count = count_top_k(p, labels, n_batch, n_classes, k);
    wire_reply(w);
    wire_back(w, &count, sizeof count);
    wire_end(w);
    return count;
}
#endif

/* ---- Chapter 6 ---------------------------------------------------------- */
#if defined(REMOTE_CHAPTER_06) && !defined(REMOTE_06)
#define REMOTE_06

Gradients *wire_gradients(Wire *w, const Gradients *grads, Gradients *copy,
                          const Network *net);
void remote_relu_backward(float *dx, const float *dy, const float *y,
                          size_t n);
void remote_leaky_relu_backward(float *dx, const float *dy, const float *y,
                                size_t n, float slope);
void remote_softmax_cross_entropy_backward(float *dz, const float *p,
                                           const uint8_t *labels, int n_batch,
                                           int n_classes);

static void wire_release_gradients(void *grads)
{
    gradients_free(grads);
}

/* Gradients of the shape of `net` (the worker's copy, in the worker). */
Gradients *wire_gradients(Wire *w, const Gradients *grads, Gradients *copy,
                          const Network *net)
{
    if (w->serving) {
        Error err;
        if (gradients_init(copy, net, &err) != 0)
            wire_refuse(w, "gradients_init could not make the gradients: %s",
                        err.msg);
        wire_keep(w, wire_release_gradients, copy);
        grads = copy;
    }
    Gradients *used = (Gradients *)(uintptr_t)grads;
    wire_layers(w, used->layers, used->n_layers);
    return used;
}

/* Both ReLUs' backward passes; dx may be dy. */
static void remote_relu_back(RemoteFunction function, float *dx,
                             const float *dy, const float *y, size_t n,
                             float slope)
{
    Wire *w = wire_begin(function);
    wire_value(w, &n, sizeof n);
    wire_value(w, &slope, sizeof slope);
    dy = wire_in(w, dy, n * sizeof *dy);
    y = wire_in(w, y, n * sizeof *y);
    dx = wire_alias(w, dx, dy, n * sizeof *dx, sizeof *dx, "dx");
    if (wire_call(w)) {
        if (function == REMOTE_RELU_BACKWARD)
            relu_backward(dx, dy, y, n);
        else
            leaky_relu_backward(dx, dy, y, n, slope);
    }
    wire_reply(w);
    wire_back(w, dx, n * sizeof *dx);
    wire_end(w);
}

void remote_relu_backward(float *dx, const float *dy, const float *y, size_t n)
{
    remote_relu_back(REMOTE_RELU_BACKWARD, dx, dy, y, n, 0.0f);
}

void remote_leaky_relu_backward(float *dx, const float *dy, const float *y,
                                size_t n, float slope)
{
    remote_relu_back(REMOTE_LEAKY_RELU_BACKWARD, dx, dy, y, n, slope);
}

void remote_softmax_cross_entropy_backward(float *dz, const float *p,
                                           const uint8_t *labels, int n_batch,
                                           int n_classes)
{
    Wire *w = wire_begin(REMOTE_SOFTMAX_CROSS_ENTROPY_BACKWARD);
    wire_value(w, &n_batch, sizeof n_batch);
    wire_value(w, &n_classes, sizeof n_classes);
    size_t n = (size_t)n_batch * (size_t)n_classes;
    p = wire_in(w, p, n * sizeof *p);
    labels = wire_in(w, labels, (size_t)n_batch);
    dz = wire_alias(w, dz, p, n * sizeof *dz, sizeof *dz, "dz");
    if (wire_call(w))
        softmax_cross_entropy_backward(dz, p, labels, n_batch, n_classes);
    wire_reply(w);
    wire_back(w, dz, n * sizeof *dz);
    wire_end(w);
}
#endif

/* ---- Chapter 7 ---------------------------------------------------------- */
#if defined(REMOTE_CHAPTER_07) && !defined(REMOTE_07)
#define REMOTE_07

void remote_sgd_step(Network *net, const Gradients *grads,
                     float learning_rate);
void remote_momentum_step(Network *net, Gradients *velocity,
                          const Gradients *grads, float learning_rate,
                          float momentum);
void remote_overfit_one_batch(double *costs, Network *net, Gradients *grads,
                              const float *x, const uint8_t *labels,
                              int n_batch, float learning_rate, int n_steps);
int remote_learning_rate_sweep(double *final_costs, const double *rates,
                               int n_rates, const TrainOptions *o,
                               const Digits *train, long n_iterations,
                               uint64_t seed, FILE *log, Error *err);

void remote_sgd_step(Network *net, const Gradients *grads, float learning_rate)
{
    Wire *w = wire_begin(REMOTE_SGD_STEP);
    Network net_copy;
    Gradients grads_copy;
    net = wire_network(w, net, &net_copy);
    grads = wire_gradients(w, grads, &grads_copy, net);
    wire_value(w, &learning_rate, sizeof learning_rate);
    if (wire_call(w))
        sgd_step(net, grads, learning_rate);
    wire_reply(w);
    wire_layers_back(w, net->layers, net->n_layers);
    wire_end(w);
}

void remote_momentum_step(Network *net, Gradients *velocity,
                          const Gradients *grads, float learning_rate,
                          float momentum)
{
    Wire *w = wire_begin(REMOTE_MOMENTUM_STEP);
    Network net_copy;
    Gradients velocity_copy, grads_copy;
    net = wire_network(w, net, &net_copy);
    velocity = wire_gradients(w, velocity, &velocity_copy, net);
    grads = wire_gradients(w, grads, &grads_copy, net);
    wire_value(w, &learning_rate, sizeof learning_rate);
    wire_value(w, &momentum, sizeof momentum);
    if (wire_call(w))
        momentum_step(net, velocity, grads, learning_rate, momentum);
    wire_reply(w);
    wire_layers_back(w, net->layers, net->n_layers);
    wire_layers_back(w, velocity->layers, velocity->n_layers);
    wire_end(w);
}

void remote_overfit_one_batch(double *costs, Network *net, Gradients *grads,
                              const float *x, const uint8_t *labels,
                              int n_batch, float learning_rate, int n_steps)
{
    Wire *w = wire_begin(REMOTE_OVERFIT_ONE_BATCH);
    Network net_copy;
    Gradients grads_copy;
    net = wire_network(w, net, &net_copy);
    grads = wire_gradients(w, grads, &grads_copy, net);
    wire_value(w, &n_batch, sizeof n_batch);
    wire_value(w, &learning_rate, sizeof learning_rate);
    wire_value(w, &n_steps, sizeof n_steps);
    size_t n_costs = n_steps >= 0 ? (size_t)n_steps + 1 : 0;
    x = wire_in(w, x, (size_t)n_batch * (size_t)net->sizes[0] * sizeof *x);
    labels = wire_in(w, labels, (size_t)n_batch);
    costs = wire_out(w, costs, n_costs * sizeof *costs, sizeof *costs,
                     "costs");
    if (wire_call(w))
        overfit_one_batch(costs, net, grads, x, labels, n_batch,
                          learning_rate, n_steps);
    wire_reply(w);
    wire_back(w, costs, n_costs * sizeof *costs);
    wire_layers_back(w, net->layers, net->n_layers);
    wire_layers_back(w, grads->layers, grads->n_layers);
    wire_end(w);
}

/* Training options, as an input (their file names too). */
static const char *wire_string(Wire *w, const char *text)
{
    uint32_t n = text != NULL ? (uint32_t)strlen(text) + 1 : 0;
    wire_value(w, &n, sizeof n);
    return n > 0 ? wire_in(w, text, n) : NULL;
}

static const TrainOptions *wire_options(Wire *w, const TrainOptions *o,
                                        TrainOptions *copy)
{
    if (!w->serving)
        *copy = *o;
    wire_value(w, &copy->batch, sizeof copy->batch);
    wire_value(w, &copy->seed, sizeof copy->seed);
    wire_value(w, copy->seeds, sizeof copy->seeds);
    wire_value(w, &copy->n_seeds, sizeof copy->n_seeds);
    wire_value(w, &copy->learning_rate, sizeof copy->learning_rate);
    wire_value(w, copy->hidden, sizeof copy->hidden);
    wire_value(w, &copy->n_hidden, sizeof copy->n_hidden);
    copy->data_dir = wire_string(w, copy->data_dir);
    copy->out_dir = wire_string(w, copy->out_dir);
    return w->serving ? copy : o;
}

static void wire_release_file(void *file)
{
    fclose(file);
}

/* A log the function writes to (or NULL): in the worker, a temporary file
 * whose lines go back to the judge's log after the call. */
static FILE *wire_log(Wire *w, FILE *log)
{
    unsigned char present = log != NULL;
    wire_value(w, &present, 1);
    if (!w->serving || !present)
        return log;
    FILE *file = tmpfile();
    if (file == NULL)
        wire_refuse(w, "no room for a temporary file in the sandbox");
    wire_keep(w, wire_release_file, file);
    return file;
}

static void wire_log_back(Wire *w, FILE *log)
{
    if (log == NULL)
        return;
    if (w->serving) {
        long n = ftell(log);
        uint32_t n_sent = n > 0 && n <= (long)WIRE_MAX_TEXT ? (uint32_t)n : 0;
        rewind(log);
        wire_write(w, &n_sent, sizeof n_sent);
        for (uint32_t k = 0; k < n_sent; k++) {
            int c = fgetc(log);
            char byte = (char)(c == EOF ? '\n' : c);
            wire_write(w, &byte, 1);
        }
        return;
    }
    char *text = malloc(WIRE_MAX_TEXT + 1);
    if (text == NULL)
        remote_fail(w, "no memory for its log");
    size_t n = wire_text(w, text, WIRE_MAX_TEXT + 1, 1);
    fwrite(text, 1, n, log);
    free(text);
}

/* An error message and its kind, back from the worker. */
static void wire_error_back(Wire *w, Error *err)
{
    if (w->serving) {
        uint32_t n = (uint32_t)strnlen(err->msg, sizeof err->msg - 1);
        wire_write(w, &n, sizeof n);
        wire_write(w, err->msg, n);
        wire_write(w, &err->usage, sizeof err->usage);
        return;
    }
    wire_text(w, err->msg, sizeof err->msg, 0);
    wire_read(w, &err->usage, sizeof err->usage);
}

int remote_learning_rate_sweep(double *final_costs, const double *rates,
                               int n_rates, const TrainOptions *o,
                               const Digits *train, long n_iterations,
                               uint64_t seed, FILE *log, Error *err)
{
    Wire *w = wire_begin(REMOTE_LEARNING_RATE_SWEEP);
    TrainOptions options;
    Digits digits;
    Error worker_err = {.msg = ""};
    wire_value(w, &n_rates, sizeof n_rates);
    size_t n = n_rates > 0 ? (size_t)n_rates : 0;
    rates = wire_in(w, rates, n * sizeof *rates);
    final_costs = wire_out(w, final_costs, n * sizeof *final_costs,
                           sizeof *final_costs, "final_costs");
    o = wire_options(w, o, &options);
    train = wire_digits(w, train, &digits);
    wire_value(w, &n_iterations, sizeof n_iterations);
    wire_value(w, &seed, sizeof seed);
    log = wire_log(w, log);
    if (w->serving)
        err = &worker_err;
    int result = 0;
    if (wire_call(w))
        result = learning_rate_sweep(final_costs, rates, n_rates, o, train,
                                     n_iterations, seed, log, err);
    wire_reply(w);
    wire_back(w, final_costs, n * sizeof *final_costs);
    wire_back(w, &result, sizeof result);
    wire_log_back(w, log);
    wire_error_back(w, err);
    wire_end(w);
    return result;
}
#endif

/* ---- Chapter 8 ---------------------------------------------------------- */
#if defined(REMOTE_CHAPTER_08) && !defined(REMOTE_08)
#define REMOTE_08

Digits remote_digits_slice(const Digits *all, size_t first, size_t n);
double remote_mean_confidence(const float *p, int n_batch, int n_classes);

/* A view cannot cross as pointers: the worker says where its arrays start
 * in all's, and the judge points its own view there. One that points
 * outside all's arrays is not a view of them. */
Digits remote_digits_slice(const Digits *all, size_t first, size_t n)
{
    Wire *w = wire_begin(REMOTE_DIGITS_SLICE);
    Digits copy, slice = {0};
    const Digits *given = all;
    all = wire_digits(w, all, &copy);
    wire_value(w, &first, sizeof first);
    wire_value(w, &n, sizeof n);
    if (wire_call(w))
        slice = digits_slice(all, first, n);
    wire_reply(w);
    int64_t at[2] = {0, 0}; /* where the labels and the pixels start */
    if (w->serving) {
        at[0] = (int64_t)((intptr_t)slice.labels - (intptr_t)all->labels);
        at[1] = (int64_t)((intptr_t)slice.pixels - (intptr_t)all->pixels);
    }
    wire_back(w, at, sizeof at);
    wire_back(w, &slice.n, sizeof slice.n);
    wire_back(w, &slice.rows, sizeof slice.rows);
    wire_back(w, &slice.cols, sizeof slice.cols);
    wire_end(w);
    if (w->serving)
        return slice;
    size_t size = (size_t)given->rows * (size_t)given->cols;
    if (at[0] < 0 || (uint64_t)at[0] > given->n || at[1] < 0 ||
        (uint64_t)at[1] > given->n * size)
        remote_fail(w, "its slice's arrays do not point into all's (labels "
                       "%lld bytes from all->labels, pixels %lld bytes from "
                       "all->pixels): a slice is a view of all's digits, not "
                       "a copy",
                    (long long)at[0], (long long)at[1]);
    slice.labels = given->labels + at[0];
    slice.pixels = given->pixels + at[1];
    /* The judge's programs read the view: there, it must be one (a test
     * reports what the student's code gave, and goes no further). */
    if (_ck_assert_failed != NULL)
        return slice;
    if (slice.rows != given->rows || slice.cols != given->cols)
        remote_fail(w, "its slice's digits are %d x %d pixels, but all's are "
                       "%d x %d",
                    slice.rows, slice.cols, given->rows, given->cols);
    size_t room = given->n - (size_t)at[0];
    if (slice.n > room)
        slice.n = room;
    if (size > 0 && slice.n > (given->n * size - (size_t)at[1]) / size)
        slice.n = (given->n * size - (size_t)at[1]) / size;
    return slice;
}

double remote_mean_confidence(const float *p, int n_batch, int n_classes)
{
    Wire *w = wire_begin(REMOTE_MEAN_CONFIDENCE);
    wire_value(w, &n_batch, sizeof n_batch);
    wire_value(w, &n_classes, sizeof n_classes);
    p = wire_in(w, p, (size_t)n_batch * (size_t)n_classes * sizeof *p);
    double mean = 0.0;
    if (wire_call(w))
        mean = mean_confidence(p, n_batch, n_classes);
    wire_reply(w);
    wire_back(w, &mean, sizeof mean);
    wire_end(w);
    return mean;
}
#endif

/* ---- Chapter 9 ---------------------------------------------------------- */
#if defined(REMOTE_CHAPTER_09) && !defined(REMOTE_09)
#define REMOTE_09

void remote_l2_gradient(Gradients *grads, const Network *net, float lambda);
void remote_dropout_forward(float *y, float *mask, size_t n, float rate,
                            Rng *rng);
void remote_dropout_backward(float *dx, const float *mask, size_t n);

void remote_l2_gradient(Gradients *grads, const Network *net, float lambda)
{
    Wire *w = wire_begin(REMOTE_L2_GRADIENT);
    Network net_copy;
    Gradients grads_copy;
    Network *used = wire_network(w, net, &net_copy);
    grads = wire_gradients(w, grads, &grads_copy, used);
    wire_value(w, &lambda, sizeof lambda);
    if (wire_call(w))
        l2_gradient(grads, used, lambda);
    wire_reply(w);
    wire_layers_back(w, grads->layers, grads->n_layers);
    wire_end(w);
}

void remote_dropout_forward(float *y, float *mask, size_t n, float rate,
                            Rng *rng)
{
    Wire *w = wire_begin(REMOTE_DROPOUT_FORWARD);
    Rng rng_copy;
    wire_value(w, &n, sizeof n);
    wire_value(w, &rate, sizeof rate);
    if (!w->serving)
        rng_copy = *rng;
    wire_value(w, &rng_copy, sizeof rng_copy);
    y = wire_out(w, y, n * sizeof *y, sizeof *y, "y");
    mask = wire_out(w, mask, n * sizeof *mask, sizeof *mask, "mask");
    if (wire_call(w))
        dropout_forward(y, mask, n, rate, &rng_copy);
    wire_reply(w);
    wire_back(w, y, n * sizeof *y);
    wire_back(w, mask, n * sizeof *mask);
    wire_back(w, &rng_copy, sizeof rng_copy);
    wire_end(w);
    if (!w->serving)
        *rng = rng_copy;
}

void remote_dropout_backward(float *dx, const float *mask, size_t n)
{
    Wire *w = wire_begin(REMOTE_DROPOUT_BACKWARD);
    wire_value(w, &n, sizeof n);
    mask = wire_in(w, mask, n * sizeof *mask);
    dx = wire_out(w, dx, n * sizeof *dx, sizeof *dx, "dx");
    if (wire_call(w))
        dropout_backward(dx, mask, n);
    wire_reply(w);
    wire_back(w, dx, n * sizeof *dx);
    wire_end(w);
}
#endif

/* ---- Chapter 10 --------------------------------------------------------- */
#if defined(REMOTE_CHAPTER_10) && !defined(REMOTE_10)
#define REMOTE_10

void remote_confusion_count(long counts[10][10], Network *net,
                            const Digits *digits);
long remote_most_common_mistake(int *label, int *answer, long counts[10][10]);

void remote_confusion_count(long counts[10][10], Network *net,
                            const Digits *digits)
{
    Wire *w = wire_begin(REMOTE_CONFUSION_COUNT);
    Network net_copy;
    Digits digits_copy;
    net = wire_network(w, net, &net_copy);
    digits = wire_digits(w, digits, &digits_copy);
    counts = wire_out(w, counts, 100 * sizeof(long), sizeof(long), "counts");
    if (wire_call(w))
        confusion_count(counts, net, digits);
    wire_reply(w);
    wire_back(w, counts, 100 * sizeof(long));
    wire_end(w);
}

long remote_most_common_mistake(int *label, int *answer, long counts[10][10])
{
    Wire *w = wire_begin(REMOTE_MOST_COMMON_MISTAKE);
    counts = wire_out(w, counts, 100 * sizeof(long), sizeof(long), "counts");
    label = wire_out(w, label, sizeof *label, sizeof *label, "label");
    answer = wire_out(w, answer, sizeof *answer, sizeof *answer, "answer");
    long most = 0;
    if (wire_call(w))
        most = most_common_mistake(label, answer, counts);
    wire_reply(w);
    wire_back(w, counts, 100 * sizeof(long));
    wire_back(w, label, sizeof *label);
    wire_back(w, answer, sizeof *answer);
    wire_back(w, &most, sizeof most);
    wire_end(w);
    return most;
}
#endif

/* ---- Chapter 11 --------------------------------------------------------- */
#if defined(REMOTE_CHAPTER_11) && !defined(REMOTE_11)
#define REMOTE_11

void remote_block_sum(float *out, size_t out_step, const float *start,
                      size_t start_step, const Packed *packed, int r0,
                      int rows, const float *m, size_t m_step, int width);

/* Row b of a packed matrix (its count, then its count entries), into the
 * worker's copy at the same place; returns the largest position in it
 * (-1 if none), which says how many rows of m the call reads. */
static int wire_packed_row(Wire *w, const Packed *packed, Packed *copy, int b)
{
    int n = 0, largest = -1;
    if (!w->serving) {
        n = packed->count[b];
        n = n < 0 ? 0 : n > packed->room ? packed->room : n;
    }
    wire_value(w, &n, sizeof n);
    const Packed *used = w->serving ? copy : packed;
    size_t at = (size_t)b * (size_t)used->room;
    if (w->serving) {
        if (n < 0 || n > copy->room)
            exit(3);
        copy->count[b] = n;
    }
    wire_value(w, used->index + at, (size_t)n * sizeof *used->index);
    wire_value(w, used->value + at, (size_t)n * sizeof *used->value);
    for (int k = 0; k < n; k++)
        largest = used->index[at + k] > largest ? used->index[at + k] : largest;
    return largest;
}

/* The rows of `packed` a call of block_sum reads: r0 .. r0 + rows - 1, and
 * rows 0 .. rows - 1 too (what a kernel that forgets r0 reads, so that the
 * judge's hint names that mistake as the suite's does). The worker's copy
 * has rows 0 .. r0 + rows - 1 of `room` entries, the others empty.
 * Returns the largest position in them (-1 if none). */
static const Packed *wire_packed_rows(Wire *w, const Packed *packed,
                                      Packed *copy, int r0, int rows,
                                      int *largest)
{
    int room = w->serving ? 0 : packed->room;
    wire_value(w, &room, sizeof room);
    if (w->serving) {
        if (room < 0 || r0 < 0 || rows < 0)
            exit(3);
        size_t n_rows = (size_t)r0 + (size_t)rows + 1;
        size_t n = n_rows * (size_t)room + 1;
        *copy = (Packed){.index = calloc(n, sizeof(int)),
                         .value = calloc(n, sizeof(float)),
                         .count = calloc(n_rows, sizeof(int)),
                         .room = room,
                         .room_rows = (int)n_rows,
                         .size = n};
        wire_keep(w, free, copy->index);
        wire_keep(w, free, copy->value);
        wire_keep(w, free, copy->count);
        if (copy->index == NULL || copy->value == NULL || copy->count == NULL)
            exit(3);
    }
    *largest = -1;
    for (int b = 0; b < r0 + rows; b++) {
        if (b >= rows && b < r0)
            continue;
        int in_row = wire_packed_row(w, packed, copy, b);
        *largest = in_row > *largest ? in_row : *largest;
    }
    return w->serving ? copy : packed;
}

/* The judge's fast loops may call from several threads; the channel takes
 * one call at a time. */
static atomic_flag remote_block_sum_busy = ATOMIC_FLAG_INIT;

/* out (rows rows out_step apart, width floats each) = start (rows
 * start_step apart; 0: one row for all) + the packed rows times m. The
 * worker gets those rows of `packed`, and m's rows 0 .. the largest
 * position in them, `width` floats of each (as the judge sees them). */
void remote_block_sum(float *out, size_t out_step, const float *start,
                      size_t start_step, const Packed *packed, int r0,
                      int rows, const float *m, size_t m_step, int width)
{
    if (wire_worker == NULL)
        while (atomic_flag_test_and_set(&remote_block_sum_busy))
            thrd_yield();
    Wire *w = wire_begin(REMOTE_BLOCK_SUM);
    Packed copy;
    int largest = -1;
    wire_value(w, &out_step, sizeof out_step);
    wire_value(w, &start_step, sizeof start_step);
    wire_value(w, &r0, sizeof r0);
    wire_value(w, &rows, sizeof rows);
    wire_value(w, &m_step, sizeof m_step);
    wire_value(w, &width, sizeof width);
    if (w->serving && (rows < 0 || width < 0))
        exit(3);
    packed = wire_packed_rows(w, packed, &copy, r0, rows, &largest);
    size_t n_out = rows > 0 ? (size_t)(rows - 1) * out_step + (size_t)width : 0;
    size_t n_start =
        rows > 0 ? (size_t)(rows - 1) * start_step + (size_t)width : 0;
    size_t n_m = largest >= 0 ? (size_t)largest * m_step + (size_t)width : 0;
    start = wire_in(w, start, n_start * sizeof *start);
    m = wire_in(w, m, n_m * sizeof *m);
    out = wire_out(w, out, n_out * sizeof *out, sizeof *out, "out");
    if (wire_call(w))
        block_sum(out, out_step, start, start_step, packed, r0, rows, m,
                  m_step, width);
    wire_reply(w);
    wire_back(w, out, n_out * sizeof *out);
    wire_end(w);
    if (wire_worker == NULL)
        atomic_flag_clear(&remote_block_sum_busy);
}
#endif
