# what: a memory hog (8 GiB, touched) in relu_forward, a CPU hog (a loop that never ends) in leaky_relu_forward, a huge temporary file in softmax_forward
# expect: 0
perl -0pi -e 's/(    exercise_todo\("3\.1"\);)/    { size_t n_bytes = (size_t)8 << 30; char *hog = malloc(n_bytes); for (size_t k = 0; hog != NULL && k < n_bytes; k += 4096) hog[k] = 1; }\n$1/' code/03_relu.c
perl -0pi -e 's/(    exercise_todo\("3\.2"\);)/    for (volatile int spin = 1; spin;) continue;\n$1/' code/03_relu.c
perl -0pi -e 's/(    exercise_todo\("4\.1"\);)/    { FILE *big = fopen("\/tmp\/big", "w"); for (long k = 0; big != NULL \&\& k < (1L << 24); k++) fputs("0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef", big); if (big != NULL) fclose(big); }\n$1/' code/04_softmax.c
