/* A libFuzzer target for a model and data together, as chapters 7 (--load)
 * and 10 use them: a network file, an images file and a labels file,
 * separated by FUZZ_SPLIT. A network is only run on digits of its input
 * size (network_check_data). */
#define CH10_NO_MAIN
#include "../code/10_inside.c"

#include "fuzz.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    const uint8_t *parts[3];
    size_t sizes[3];
    fuzz_split(parts, sizes, 3, data, size);
    char model[128], images[128];
    snprintf(model, sizeof model, "%s", fuzz_write("net", parts[0], sizes[0]));
    snprintf(images, sizeof images, "%s",
             fuzz_write("images", parts[1], sizes[1]));
    const char *labels = fuzz_write("labels", parts[2], sizes[2]);
    Network net;
    Digits digits;
    Error err;
    if (network_load(&net, model, 4, &err) != 0)
        return 0;
    if (digits_load(&digits, images, labels, &err) == 0) {
        if (network_check_data(&net, model, &digits, &err) == 0) {
            Score score = network_evaluate(&net, &digits);
            if (!(score.accuracy >= 0.0 && score.accuracy <= 1.0))
                abort(); /* a fraction of the digits */
            long counts[10][10];
            confusion_count(counts, &net, &digits);
        }
        digits_free(&digits);
    }
    network_free(&net);
    return 0;
}
