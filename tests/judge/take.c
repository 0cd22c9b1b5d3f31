/* take.c: take a submission's chapter files, and nothing else, without a
 * race (./build.sh grade --submission, take_submission).
 *
 *   take SRC DEST CAP NAME...
 *
 * copies SRC/code/NAME to DEST/NAME for each NAME that is a regular file of
 * its own (one link) of at most CAP bytes, opening every step of the way
 * without following a link (SRC, SRC/code, the file) and checking the file
 * it opened, not a path, so that a hand-in folder changed while it is read
 * (a file or code/ swapped for a link to someone else's) cannot slip a file
 * in. Prints a line per NAME: "NAME<TAB>taken", or "NAME<TAB>WHY". */
#define _POSIX_C_SOURCE 200809L
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

int main(int argc, char **argv);

/* Copy the open file `from` (of `size` bytes) to `to`; 0 if it is whole. */
static int copy(int from, const char *to, long size)
{
    FILE *out = fopen(to, "wb");
    if (out == NULL)
        return -1;
    char buffer[1 << 16];
    long total = 0;
    ssize_t n;
    while ((n = read(from, buffer, sizeof buffer)) > 0 && total <= size) {
        total += n;
        if (fwrite(buffer, 1, (size_t)n, out) != (size_t)n)
            break;
    }
    return fclose(out) == 0 && n == 0 && total == size ? 0 : -1;
}

int main(int argc, char **argv)
{
    if (argc < 4) {
        fprintf(stderr, "usage: take SRC DEST CAP NAME...\n");
        return 2;
    }
    long cap = strtol(argv[3], NULL, 10);
    int src = open(argv[1], O_RDONLY | O_DIRECTORY | O_NOFOLLOW);
    int code = src < 0 ? -1
                       : openat(src, "code", O_RDONLY | O_DIRECTORY | O_NOFOLLOW);
    for (int k = 4; k < argc; k++) {
        const char *name = argv[k];
        if (code < 0) {
            printf("%s\tcode/ is not a folder of the submission's own "
                   "(missing, or a link)\n",
                   name);
            continue;
        }
        int fd = openat(code, name, O_RDONLY | O_NOFOLLOW | O_NONBLOCK);
        struct stat st;
        if (fd < 0) {
            printf("%s\t%s\n", name,
                   errno == ENOENT ? "not in the submission"
                                   : "refused (a link, or not readable)");
            continue;
        }
        char to[4096];
        snprintf(to, sizeof to, "%s/%s", argv[2], name);
        if (fstat(fd, &st) != 0 || !S_ISREG(st.st_mode) || st.st_nlink != 1)
            printf("%s\trefused (not a regular file of its own: a hard "
                   "link, a folder, a device or a FIFO)\n",
                   name);
        else if (st.st_size > cap)
            printf("%s\trefused (more than %ld KiB)\n", name, cap >> 10);
        else if (copy(fd, to, (long)st.st_size) != 0)
            printf("%s\trefused (it changed while being read)\n", name);
        else
            printf("%s\ttaken\n", name);
        close(fd);
    }
    return 0;
}
