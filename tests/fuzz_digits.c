/* A libFuzzer target for a whole data set: chapter 1's mnist_load reads
 * four IDX files whose counts, shapes and labels must agree. One input
 * holds the four files, separated by FUZZ_SPLIT. */
#define CH02_NO_MAIN
#include "../code/02_affine.c"

#include "fuzz.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    static const char *names[4] = {
        "train-images-idx3-ubyte", "train-labels-idx1-ubyte",
        "t10k-images-idx3-ubyte", "t10k-labels-idx1-ubyte"};
    const uint8_t *parts[4];
    size_t sizes[4];
    fuzz_split(parts, sizes, 4, data, size);
    const char *path = NULL;
    for (int f = 0; f < 4; f++)
        path = fuzz_write(names[f], parts[f], sizes[f]);
    char dir[128];
    snprintf(dir, sizeof dir, "%.*s", (int)(strrchr(path, '/') - path), path);
    Digits train, test;
    Error err;
    if (mnist_load(&train, &test, dir, &err) != 0)
        return 0;
    /* What it accepts must agree: the same image size, labels 0..9. */
    if (train.rows != test.rows || train.cols != test.cols || train.n < 1)
        abort();
    long counts[10];
    digits_count(counts, &train);
    digits_count(counts, &test);
    size_t size_one = (size_t)train.rows * (size_t)train.cols;
    float *x = malloc(size_one * sizeof *x);
    size_t last = test.n - 1;
    digits_inputs(x, &test, &last, 1);
    free(x);
    digits_free(&train);
    digits_free(&test);
    return 0;
}
