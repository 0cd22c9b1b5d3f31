/* fuzz.h: what the libFuzzer targets (tests/fuzz_*.c) share. The loaders
 * take paths, so each input is written to files first: in /dev/shm, a
 * folder in memory, when there is one (it is faster), else in /tmp.
 *
 *   ./build.sh fuzz [SECONDS]    (clang -fsanitize=fuzzer,address,undefined)
 */
#ifndef FUZZ_H
#define FUZZ_H

#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

/* One input holding several files has them separated by this (it is in the
 * dictionary, tests/fuzz.dict, so the fuzzer uses it). */
#define FUZZ_SPLIT "@@@@"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);
const char *fuzz_write(const char *name, const uint8_t *data, size_t size);
void fuzz_split(const uint8_t *parts[], size_t sizes[], int n_parts,
                const uint8_t *data, size_t size);

static char fuzz_dir[64];

static void fuzz_cleanup(void)
{
    char command[128];
    snprintf(command, sizeof command, "rm -rf %s", fuzz_dir);
    if (system(command) != 0)
        fprintf(stderr, "could not remove %s\n", fuzz_dir);
}

/* Write `data` to the file `name` in this process's folder; its path. */
const char *fuzz_write(const char *name, const uint8_t *data, size_t size)
{
    static char path[128];
    if (fuzz_dir[0] == '\0') {
        struct stat info;
        const char *root = stat("/dev/shm", &info) == 0 ? "/dev/shm" : "/tmp";
        snprintf(fuzz_dir, sizeof fuzz_dir, "%s/workbook-fuzz-%ld", root,
                 (long)getpid());
        mkdir(fuzz_dir, 0700);
        atexit(fuzz_cleanup);
    }
    snprintf(path, sizeof path, "%s/%s", fuzz_dir, name);
    FILE *file = fopen(path, "wb");
    if (file == NULL || fwrite(data, 1, size, file) != size)
        abort();
    fclose(file);
    return path;
}

/* Cut `data` at each FUZZ_SPLIT into n_parts parts: the last one takes the
 * rest, and a part with no separator after it takes the rest too, leaving
 * the parts after it empty. */
void fuzz_split(const uint8_t *parts[], size_t sizes[], int n_parts,
                const uint8_t *data, size_t size)
{
    size_t split = strlen(FUZZ_SPLIT);
    for (int p = 0; p < n_parts; p++) {
        size_t length = size, skip = 0;
        for (size_t k = 0; p + 1 < n_parts && k + split <= size; k++) {
            if (memcmp(data + k, FUZZ_SPLIT, split) == 0) {
                length = k;
                skip = split;
                break;
            }
        }
        parts[p] = data;
        sizes[p] = length;
        data += length + skip;
        size -= length + skip;
    }
}

#endif /* FUZZ_H */
