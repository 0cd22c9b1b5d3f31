# what: a chapter that includes a terminal device (the compiler would wait for ever) and stubs that fill /dev/shm and /tmp, to hang the grading and take the machine's memory
# expect: 0
# compiles: no
perl -0pi -e 's/(    exercise_todo\("3\.1"\);)/    { for (int k = 0; k < 64; k++) { char name[64]; snprintf(name, sizeof name, "\/dev\/shm\/fill%d", k); FILE *f = fopen(name, "w"); for (int j = 0; f != NULL \&\& j < (1 << 14); j++) fputs("0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef", f); if (f != NULL) fclose(f); } }\n$1/' code/03_relu.c
printf '#include "/dev/ptmx"\n' >>code/09_regularise.c
