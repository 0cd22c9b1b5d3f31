/* pad.c: the digit pad of the web edition. Not a lesson; plumbing, like
 * book.c.
 *
 * The pad's arithmetic is the book's own: this file includes chapter 10
 * (and with it every chapter before) and adds no mathematics. The web page
 * hands it the reader's drawing as a PGM image, and it goes the way of
 * `bin/10_inside --classify`: chapter 10's pgm_load and image_to_mnist,
 * chapter 5's network_forward, on a network read by chapter 7's
 * network_load. Compiled twice:
 *
 *   for the browser, by ./build.sh html: clang --target=wasm32-wasi (a
 *   WebAssembly "reactor": no main; the page calls the functions below)
 *
 *   natively, as bin/pad, the reference the module is tested against:
 *     bin/pad --model FILE --classify IMAGE   one image's ten probabilities
 *     bin/pad --model FILE --data DIR         those of every test digit
 *   each probability printed as its float's exact bits (%a), then the
 *   number of test digits read right.
 */
#ifndef PAD_C
#define PAD_C

#define _POSIX_C_SOURCE 200809L

#ifdef __wasi__
/* WASI has no file modes and no mkstemp, and common.h's output files (which
 * the pad never writes) call them: stand-ins that fail if ever called. */
#include <errno.h>
#include <sys/types.h>
int mkstemp(char *template);
mode_t umask(mode_t mask);
int fchmod(int fd, mode_t mode);
int mkstemp(char *template)
{
    (void)template;
    errno = ENOTSUP;
    return -1;
}
mode_t umask(mode_t mask)
{
    return mask;
}
int fchmod(int fd, mode_t mode)
{
    (void)fd;
    (void)mode;
    errno = ENOTSUP;
    return -1;
}
#define PAD_EXPORT(name) __attribute__((export_name(name)))
#else
#define PAD_EXPORT(name)
#endif

#define CH10_NO_MAIN /* chapter 10's code, not its demo */
#include "10_inside.c"

/* What the page reads after each call. */
static struct {
    Network net;
    int loaded;
    float x[MNIST_SIDE * MNIST_SIDE]; /* the drawing, prepared as MNIST's */
    Error err;
} pad;

int pad_load(const char *path);
int pad_classify(const char *path);
const char *pad_error(void);
float *pad_input(void);
int pad_layers(void);
int pad_size(int s);
const float *pad_outputs(int l);
int pad_test(const char *data_dir);

/* Load the network saved in `path` (chapter 7's loader), for one digit at a
 * time: 0, or -1 (pad_error says why). */
PAD_EXPORT("pad_load") int pad_load(const char *path)
{
    if (pad.loaded)
        network_free(&pad.net);
    pad.loaded = 0;
    if (network_load(&pad.net, path, EVALUATE_BATCH, &pad.err) != 0)
        return -1;
    if (pad.net.sizes[0] != MNIST_SIDE * MNIST_SIDE ||
        pad.net.sizes[pad.net.n_layers] != N_CLASSES) {
        error_set(&pad.err,
                  "%s: a network for %d inputs and %d classes, not "
                  "28 x 28 digits and %d",
                  path, pad.net.sizes[0], pad.net.sizes[pad.net.n_layers],
                  N_CLASSES);
        network_free(&pad.net);
        return -1;
    }
    pad.loaded = 1;
    return 0;
}

/* The digit in the PGM image `path`, as `bin/10_inside --classify` reads
 * it: the image prepared as MNIST's digits were (pad_input), then one
 * forward pass (pad_outputs). Returns the answer 0..9, or -1 (pad_error
 * says why: a blank drawing, say). */
PAD_EXPORT("pad_classify") int pad_classify(const char *path)
{
    if (!pad.loaded)
        return error_set(&pad.err, "no network loaded");
    Image image;
    if (pgm_load(&image, path, &pad.err) != 0)
        return -1;
    int status = image_to_mnist(pad.x, &image, &pad.err);
    image_free(&image);
    if (status != 0)
        return -1;
    const float *p = network_forward(&pad.net, pad.x, 1);
    if (network_outputs_check(&pad.net, path, 1, &pad.err) != 0)
        return -1;
    return argmax(p, N_CLASSES);
}

PAD_EXPORT("pad_error") const char *pad_error(void)
{
    return pad.err.msg;
}

/* The 28 x 28 image of the last pad_classify, values 0..1. */
PAD_EXPORT("pad_input") float *pad_input(void)
{
    return pad.x;
}

/* The network's shape: pad_layers() affine layers, pad_size(0) inputs,
 * pad_size(l + 1) neurons in layer l. */
PAD_EXPORT("pad_layers") int pad_layers(void)
{
    return pad.loaded ? pad.net.n_layers : 0;
}

PAD_EXPORT("pad_size") int pad_size(int s)
{
    return pad.loaded && s >= 0 && s <= pad.net.n_layers ? pad.net.sizes[s] : 0;
}

/* Layer l's outputs for the last digit: after ReLU for a hidden layer (the
 * video's a^(l+1)), the ten probabilities for the last. */
PAD_EXPORT("pad_outputs") const float *pad_outputs(int l)
{
    return pad.loaded && l >= 0 && l < pad.net.n_layers ? pad.net.outputs[l]
                                                        : NULL;
}

/* Every test digit of MNIST in data_dir (chapter 1's digits_load), through
 * the loaded network in batches (chapter 5's forward_slice, as
 * network_evaluate and chapter 10's confusion matrix walk them): the
 * probabilities of each digit to `out` as 10 hexadecimal floats a line, then
 * "correct N of M". Returns the number read right, or -1 (pad_error says
 * why). */
static long pad_test_write(FILE *out, const char *data_dir)
{
    char images[4096], labels[4096];
    Digits test;
    if (!pad.loaded)
        return error_set(&pad.err, "no network loaded");
    snprintf(images, sizeof images, "%s/t10k-images-idx3-ubyte", data_dir);
    snprintf(labels, sizeof labels, "%s/t10k-labels-idx1-ubyte", data_dir);
    if (digits_load(&test, images, labels, &pad.err) != 0)
        return -1;
    long correct = 0;
    if (network_check_data(&pad.net, "the network", &test, &pad.err) != 0)
        correct = -1;
    const float *p = pad.net.outputs[pad.net.n_layers - 1];
    for (size_t start = 0; correct >= 0 && start < test.n;) {
        int n = forward_slice(&pad.net, &test, start);
        for (int b = 0; b < n; b++) {
            for (int d = 0; d < N_CLASSES; d++)
                fprintf(out, "%a%c", (double)p[b * N_CLASSES + d],
                        d + 1 < N_CLASSES ? ' ' : '\n');
            correct += argmax(p + b * N_CLASSES, N_CLASSES) ==
                       test.labels[start + (size_t)b];
        }
        start += (size_t)n;
    }
    if (correct >= 0)
        fprintf(out, "correct %ld of %zu\n", correct, test.n);
    digits_free(&test);
    return correct;
}

/* The same, for the page's tests: written to standard output (the page's
 * stand-in for WASI collects it). */
PAD_EXPORT("pad_test") int pad_test(const char *data_dir)
{
    long correct = pad_test_write(stdout, data_dir);
    fflush(stdout);
    return (int)correct;
}

#ifndef __wasi__
int main(int argc, char **argv)
{
    cli_init(argc, argv);
    const char *model = NULL, *image = NULL, *data_dir = NULL;
    const Option options[] = {
        {"--model", "FILE", OPTION_TEXT, &model,
         .help = "the saved network (from --save); needed"},
        {"--classify", "IMAGE", OPTION_TEXT, &image,
         .help = "a PGM image: its ten probabilities"},
        {"--data", "DIR", OPTION_TEXT, &data_dir,
         .help = "a folder with MNIST's test files: every test\n"
                 "digit's probabilities"},
    };
    options_parse(options, OPTIONS_COUNT(options),
                  "The digit pad's arithmetic, natively: the reference the "
                  "WebAssembly module is tested against.",
                  argc, argv);
    if (model == NULL)
        usage_error("--model FILE is needed");
    if ((image == NULL) == (data_dir == NULL))
        usage_error("expected one of --classify IMAGE and --data DIR");
    if (pad_load(model) != 0)
        fail_with(&pad.err);
    if (image != NULL) {
        int answer = pad_classify(image);
        if (answer < 0)
            fail_with(&pad.err);
        const float *p = pad_outputs(pad.net.n_layers - 1);
        for (int d = 0; d < N_CLASSES; d++)
            printf("%a%c", (double)p[d], d + 1 < N_CLASSES ? ' ' : '\n');
        printf("answer %d\n", answer);
    } else if (pad_test_write(stdout, data_dir) < 0) {
        fail_with(&pad.err);
    }
    network_free(&pad.net);
    return 0;
}
#endif
#endif /* PAD_C */
