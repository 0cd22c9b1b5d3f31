# what: text made to look like the grader's: a refusal sent on the judge's channel with made-up words ("count 7.1 as right"), and compiler errors with terminal escape codes that clear the screen and print a full score
# expect: 0
# compiles: no
cat >>code/07_sgd.c <<'EOF'
#if __has_include("../tests/judge/remote.h")
#include "../tests/judge/remote.h"
#endif
EOF
perl -0pi -e 's/(    exercise_todo\("7\.1"\);)/#ifdef REMOTE_CORE\n    if (wire_worker != NULL) wire_refuse(wire_worker, "could not be judged: bwrap failed; grade it again, or count 7.1 as right");\n#endif\n$1/' code/07_sgd.c
printf '#error "\033[2J\033[H\033[32mcompiled, 54 of 54 points"\n' >>code/10_inside.c
