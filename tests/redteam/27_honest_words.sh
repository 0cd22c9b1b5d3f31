# what: an honest, complete submission whose code holds the words the grader looks for (a string "the sanitizer no_sanitize"), which must not cost it a point
# expect: 57
cp TEACHER/code/[0-9][0-9]_*.c code/
cat >>code/01_idx.c <<'X'
const char *about_sanitizer(void);
const char *about_sanitizer(void) { return "the sanitizer no_sanitize"; }
X
