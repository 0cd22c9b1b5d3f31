# what: a full solution with two lies and a constructor that tries to write outside and leaves a process behind (it earns what its code earns): a learning-rate sweep (7.5) that never frees its networks, with mallinfo2 defined to say the heap is empty (a leak check made inside the worker would see nothing); and a digits_slice that says its digits are 400 pixels wide when the judge's own chapter 8 program splits the training set, so that the program would read and write past its buffers
# expect: 55
cp TEACHER/code/[0-9][0-9]_*.c code/
perl -0pi -e 's/        trainer_free\(&trainer\);\n        network_free\(&net\);\n    \}\n    return 0;\n    \/\/ \@end 7\.5/    }\n    return 0;\n    \/\/ \@end 7.5/' code/07_sgd.c
printf '#include <malloc.h>\n#define mallinfo2() ((struct mallinfo2){0})\n' >>code/06_backprop.c
perl -0pi -e 's/(\/\/ \@solution 8\.1[^\n]*\n)/$1    if (all->rows == 28 \&\& n == 1000) { Digits odd = *all; odd.n = n; odd.cols = 400; odd.labels += first; odd.pixels += first * (size_t)all->rows * (size_t)all->cols; return odd; }\n/' code/08_gap.c
cat >>code/01_idx.c <<'EOF'
__attribute__((constructor)) static void also_hostile(void)
{
    FILE *mark = fopen("MARK-honest", "w");
    if (mark != NULL)
        fclose(mark);
    if (fork() == 0) {
        setsid();
        sleep(30);
        _exit(0);
    }
}
EOF
