/* A libFuzzer target for chapter 10's PGM reader and image_to_mnist, which
 * prepares an image of any size the way MNIST's digits were. */
#define CH10_NO_MAIN
#include "../code/10_inside.c"

#include "fuzz.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    const char *path = fuzz_write("image.pgm", data, size);
    Error err;
    Image image;
    if (pgm_load(&image, path, &err) != 0)
        return 0;
    if (image.width < 1 || image.height < 1)
        abort();
    float x[28 * 28];
    if (image_to_mnist(x, &image, &err) == 0)
        for (int k = 0; k < 28 * 28; k++)
            if (!(x[k] >= 0.0f && x[k] <= 1.0f))
                abort(); /* a prepared pixel is a grey level, 0 to 1 */
    image_free(&image);
    return 0;
}
