# what: exercise 3.1 writes one element past its output, and a macro named like a field of the grader's harness (n_bytes) makes every buffer it hands back 64 bytes longer, so that the write lands inside
# expect: 45
# compiles: no
# refused: changes the grader's own code in the worker
cp TEACHER/code/[0-9][0-9]_*.c code/
perl -0pi -e 's/for \(size_t k = 0; k < n; k\+\+\)\n        y\[k\] = x\[k\] > 0\.0f/for (size_t k = 0; k <= n; k++)\n        y[k] = x[k] > 0.0f/' code/03_relu.c
printf '#define n_bytes n_bytes + 64\n' >>code/10_inside.c
