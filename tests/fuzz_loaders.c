/* A libFuzzer target for the workbook's two file loaders: chapter 1's
 * idx_load and chapter 7's network_load. libFuzzer calls it with millions
 * of generated inputs, mutating the seed files in tests/fuzz_corpus/loaders
 * to reach new code; with AddressSanitizer and UBSan on, any read past a
 * buffer, overflow or leak stops it with the input that caused it. */
#define CH07_NO_MAIN
#include "../code/07_sgd.c"

#include "fuzz.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    const char *path = fuzz_write("file", data, size);
    Error err;
    Idx idx;
    if (idx_load(&idx, path, &err) == 0) {
        /* A file it accepts must hold exactly what its header says. */
        size_t n = 1;
        for (int d = 0; d < idx.n_dims; d++)
            n *= idx.dims[d];
        if (n != idx.n_bytes || 4 + 4 * (size_t)idx.n_dims + n != size)
            abort();
        idx_free(&idx);
    }
    Network net;
    if (network_load(&net, path, 2, &err) == 0) {
        /* A network it accepts must run. */
        float x[2 * 4096] = {0};
        if (net.sizes[0] <= 4096)
            network_forward(&net, x, 1);
        network_free(&net);
    }
    return 0;
}
