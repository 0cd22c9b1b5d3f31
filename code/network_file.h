/* network_file.h: saving and loading a trained network. Plumbing of
 * chapter 7 (not its lesson), which includes this file after chapter 6's
 * code; chapters 9 and 10 and the digit pad load networks with it. Like
 * every function but main, these fill an Error and return -1 (common.h). */
#ifndef NETWORK_FILE_H
#define NETWORK_FILE_H

#define MODEL_MAGIC   "MNISTNET"
#define MODEL_VERSION 1u

int network_write(const Network *net, FILE *out, const char *path, Error *err);
int network_save(const Network *net, const char *path, Error *err);
int network_load(Network *net, const char *path, int max_batch, Error *err);
int network_outputs_check(const Network *net, const char *model, int n_batch,
                          Error *err);
int network_check_data(Network *net, const char *model, const Digits *digits,
                       Error *err);

/* The file format, every number little-endian:
 *
 *   "MNISTNET"                   8 bytes, the magic
 *   version                      uint32, 1
 *   n_layers                     uint32, 1 to NETWORK_MAX_LAYERS
 *   sizes[0 .. n_layers]         uint32 each
 *   for each layer: weights      float32 [sizes[l] x sizes[l+1]], row-major
 *                   biases       float32 [sizes[l+1]]
 *
 * Little-endian is written and read byte by byte (as chapter 1 read IDX's
 * big-endian sizes), so the file is the same on every machine. */
static void write_le32(FILE *out, uint32_t value)
{
    for (int k = 0; k < 4; k++)
        fputc((int)(value >> (8 * k) & 0xFF), out);
}

static uint32_t read_le32(const uint8_t *bytes)
{
    return (uint32_t)bytes[0] | (uint32_t)bytes[1] << 8 |
           (uint32_t)bytes[2] << 16 | (uint32_t)bytes[3] << 24;
}

/* A float's 32 bits, as an integer with the same bits (memcpy is the
 * portable way to reinterpret them). */
static void write_floats(FILE *out, const float *values, size_t n)
{
    for (size_t k = 0; k < n; k++) {
        uint32_t bits;
        memcpy(&bits, &values[k], sizeof bits);
        write_le32(out, bits);
    }
}

/* Write `net` to `out` (from output_open_file(path, ...)) and close it. */
int network_write(const Network *net, FILE *out, const char *path, Error *err)
{
    fwrite(MODEL_MAGIC, 1, 8, out);
    write_le32(out, MODEL_VERSION);
    write_le32(out, (uint32_t)net->n_layers);
    for (int s = 0; s <= net->n_layers; s++)
        write_le32(out, (uint32_t)net->sizes[s]);
    for (int l = 0; l < net->n_layers; l++) {
        const Affine *layer = &net->layers[l];
        write_floats(out, layer->weights, (size_t)layer->n_in * layer->n_out);
        write_floats(out, layer->biases, (size_t)layer->n_out);
    }
    return output_close(out, NULL, path, err);
}

/* Save `net` to `path`: written to a temporary file, then renamed over
 * `path`, so that a failed save leaves the previous file as it was. A
 * program that opened `path` before training (output_open_file) has it
 * renamed with its other outputs, by outputs_commit at the end of the run;
 * otherwise it is renamed at once. */
int network_save(const Network *net, const char *path, Error *err)
{
    FILE *out = output_reserved(path);
    if (out != NULL)
        return network_write(net, out, path, err);
    out = output_open_file(path, err);
    if (out == NULL)
        return -1;
    if (network_write(net, out, path, err) != 0) {
        outputs_discard();
        return -1;
    }
    return outputs_commit(err);
}

/* A model file's header: the magic, the version, the number of layers and
 * their sizes. Reads it from `file` and checks it; returns the number of
 * bytes the whole file must have, or 0 with err set. */
static size_t model_header_read(int sizes[NETWORK_MAX_LAYERS + 1],
                                int *n_layers, FILE *file, const char *path,
                                Error *err)
{
    uint8_t bytes[16 + 4 * (NETWORK_MAX_LAYERS + 1)];
    if (fread(bytes, 1, 16, file) != 16 || memcmp(bytes, MODEL_MAGIC, 8) != 0) {
        error_set(err, "%s: not a network file (no '%s' at its start)", path,
                  MODEL_MAGIC);
        return 0;
    }
    uint32_t version = read_le32(bytes + 8), layers = read_le32(bytes + 12);
    if (version != MODEL_VERSION) {
        error_set(err, "%s: format version %lu, this program reads %u", path,
                  (unsigned long)version, MODEL_VERSION);
        return 0;
    }
    if (layers < 1 || layers > NETWORK_MAX_LAYERS) {
        error_set(err, "%s: %lu layers, expected 1 to %d", path,
                  (unsigned long)layers, NETWORK_MAX_LAYERS);
        return 0;
    }
    if (fread(bytes + 16, 4, layers + 1, file) != layers + 1) {
        error_set(err, "%s: truncated in its header", path);
        return 0;
    }
    size_t n_floats = 0;
    for (uint32_t s = 0; s <= layers; s++) {
        uint32_t value = read_le32(bytes + 16 + 4 * s);
        if (value < 1 || value > (s == 0 ? 1u << 20 : 4096u)) {
            error_set(err, "%s: layer size %lu out of range", path,
                      (unsigned long)value);
            return 0;
        }
        sizes[s] = (int)value;
        if (s > 0)
            n_floats += (size_t)sizes[s - 1] * sizes[s] + sizes[s];
    }
    *n_layers = (int)layers;
    return 16 + 4 * ((size_t)layers + 1) + 4 * n_floats;
}

/* Read n little-endian floats from `file` into values (each one's 4 bytes
 * land in its place, then become its value). Returns 0; -1 if the file
 * ended first; 1 if a number is not finite. */
static int read_floats(float *values, size_t n, FILE *file)
{
    if (fread(values, 4, n, file) != n)
        return -1;
    int finite = 1;
    for (size_t k = 0; k < n; k++) {
        uint32_t bits = read_le32((const uint8_t *)&values[k]);
        memcpy(&values[k], &bits, sizeof bits);
        finite &= isfinite(values[k]) != 0;
    }
    return finite ? 0 : 1;
}

/* Load a network saved by network_save, with buffers for batches of up to
 * max_batch. Like idx_load, it reads and checks the header first, and
 * compares the length it implies with the file's real length before it
 * allocates or reads anything more; it refuses a file of another version or
 * with numbers that are not finite. */
int network_load(Network *net, const char *path, int max_batch, Error *err)
{
    *net = (Network){0};
    size_t size;
    FILE *file = input_open(path, &size, err);
    if (file == NULL)
        return -1;
    int sizes[NETWORK_MAX_LAYERS + 1], n_layers = 0;
    size_t expected = model_header_read(sizes, &n_layers, file, path, err);
    int status = expected == 0 ? -1 : 0;
    if (status == 0 && size != expected)
        status = error_set(err,
                           "%s: %zu bytes, but its sizes need %zu: "
                           "truncated or not this network",
                           path, size, expected);
    if (status == 0)
        status = network_init(net, sizes, n_layers + 1, max_batch, err);
    for (int l = 0; l < net->n_layers && status == 0; l++) {
        Affine *layer = &net->layers[l];
        int got = read_floats(layer->weights,
                              (size_t)layer->n_in * layer->n_out, file);
        if (got == 0)
            got = read_floats(layer->biases, (size_t)layer->n_out, file);
        if (got < 0)
            status = error_set(err, "%s: read failed", path);
        else if (got > 0)
            status = error_set(err,
                               "%s: layer %d holds a number that is not "
                               "finite",
                               path, l + 1);
    }
    if (status != 0)
        network_free(net);
    fclose(file);
    return status;
}

/* Does `net` (loaded from `model`) read the images of `digits` into the
 * 10 digits? And are its outputs numbers? Finite weights can still be so
 * large that the sums overflow to infinity, and softmax turns those into
 * NaN: such a network's answers must not be reported as if they meant
 * something.
 * Returns 0, or -1 with err saying what is wrong. */
int network_check_data(Network *net, const char *model, const Digits *digits,
                       Error *err)
{
    int n_pixels = digits->rows * digits->cols;
    if (net->sizes[0] != n_pixels || net->sizes[net->n_layers] != N_CLASSES)
        return error_set(err,
                         "%s: a network for %d inputs and %d classes, but the "
                         "data has %d pixels (%d x %d) and %d digits",
                         model, net->sizes[0], net->sizes[net->n_layers],
                         n_pixels, digits->rows, digits->cols, N_CLASSES);
    int n = digits->n > 0 ? forward_slice(net, digits, 0) : 0;
    return network_outputs_check(net, model, n, err);
}

/* The probabilities of the last forward pass (n_batch digits) must be
 * numbers; returns 0, or -1 with err set. */
int network_outputs_check(const Network *net, const char *model, int n_batch,
                          Error *err)
{
    int n_classes = net->sizes[net->n_layers];
    const float *p = net->outputs[net->n_layers - 1];
    for (size_t k = 0; k < (size_t)n_batch * n_classes; k++)
        if (!isfinite(p[k]))
            return error_set(err,
                             "%s: the network's outputs are not numbers "
                             "(%g): its weights are too large for float "
                             "arithmetic",
                             model, (double)p[k]);
    return 0;
}

#endif /* NETWORK_FILE_H */
