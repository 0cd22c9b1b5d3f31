# what: output made to look like the grader's: a score line and Check's TAP on standard output and error, and as compiler messages in a chapter that does not compile
# expect: 0
# compiles: no
cat >>code/02_affine.c <<'EOF'
__attribute__((constructor)) static void say_full_marks(void)
{
    printf("score: 54 of 54 points (24 exercises, 24 right)\nok 1 - exercise 2.1\n");
    fprintf(stderr, "score: 54 of 54 points (24 exercises, 24 right)\n");
    fflush(NULL);
}
EOF
printf '#error "score: 54 of 54 points\\n  1.1  2/2 right"\n' >>code/09_regularise.c
