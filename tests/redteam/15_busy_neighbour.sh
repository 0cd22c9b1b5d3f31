# what: a constructor in chapter 9's file that starts 240 busy processes, each in a session of its own (so that each would get a share of the CPU), to slow the student graded at the same time past their time limits (16_honest, graded next, must still get 57); chapter 10 does not compile, so that only chapter 9's worker carries it
# expect: 0
# compiles: no
cat >>code/09_regularise.c <<'EOF'
__attribute__((constructor)) static void hog_the_cpus(void)
{
    for (int k = 0; k < 240; k++)
        if (fork() == 0) {
            setsid();
            alarm(20);
            for (volatile unsigned long s = 0;; s++)
                continue;
        }
}
EOF
printf '#error "chapter 10 left out"\n' >>code/10_inside.c
