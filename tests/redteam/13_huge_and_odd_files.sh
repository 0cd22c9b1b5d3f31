# what: a chapter file of 2 MiB, a chapter file that is a FIFO, one that is a folder, and a chapter that includes /dev/zero
# expect: 0
# compiles: no
head -c $((2 << 20)) /dev/zero | tr '\0' '\n' >>code/01_idx.c
rm code/02_affine.c && mkfifo code/02_affine.c
rm code/03_relu.c && mkdir code/03_relu.c
printf '#include "/dev/zero"\n' >>code/05_cross_entropy.c
