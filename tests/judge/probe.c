/* probe.c: start a submission's worker once, in its sandbox, and wait for
 * its hello (./build.sh grade --submission runs it before the suites, with
 * a generous time). A worker that never says hello (a constructor that
 * never returns) is noted in WORKBOOK_JUDGE_STATE/broken, so that every
 * test then fails at once with the reason, instead of each waiting in turn
 * for Check's time limit. Exits 0 if the worker said hello. */
#define _POSIX_C_SOURCE 200809L
#include "../../code/common.h"

#include "remote.h"

int main(void);

int main(void)
{
    program_name = "probe";
    setenv("WORKBOOK_PROBE", "1", 1);
    wire_judge(REMOTE_N_FUNCTIONS);
    return 0;
}
