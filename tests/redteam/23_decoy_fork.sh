# what: exercise 7.5 leaks its network and trainer at each rate, and a constructor leaves a forked decoy (small, asleep) beside the worker, hoping that the leak check reads the decoy's memory
# expect: 55
cp TEACHER/code/[0-9][0-9]_*.c code/
perl -0pi -e 's/        trainer_free\(&trainer\);\n        network_free\(&net\);\n    \}\n    return 0;\n    \/\/ \@end 7\.5/    }\n    return 0;\n    \/\/ \@end 7.5/' code/07_sgd.c
cat >>code/07_sgd.c <<'X'
#include <unistd.h>
__attribute__((constructor)) static void decoy(void);
__attribute__((constructor)) static void decoy(void)
{
    if (getenv("WORKBOOK_TODO_FILE") != NULL || fork() == 0)
        return;
    close(0);
    close(1);
    for (;;)
        pause();
}
X
