# what: a constructor writes the first byte of a greeting on the judge's channel and then sleeps for ever, so that the judge waits on a worker that has begun to speak
# expect: 0
cp TEACHER/code/[0-9][0-9]_*.c code/
cat >>code/01_idx.c <<'X'
#include <unistd.h>
__attribute__((constructor)) static void half_hello(void);
__attribute__((constructor)) static void half_hello(void)
{
    const unsigned char first = 0x77;
    if (write(1, &first, 1) != 1)
        return;
    for (;;)
        pause();
}
X
