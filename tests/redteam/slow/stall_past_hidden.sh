# what: wrong 7.1 and 7.2 that pass only the visible tests, and an SGD step that sleeps 50 s on the book's network, so that chapter 7's suite runs out of time before its hidden cases: a case that never ran must count as failed
# expect: 49 (its code without the stall; with it, at most that)
cp TEACHER/code/[0-9][0-9]_*.c code/
perl -0pi -e 's/(\/\/ \@solution 7\.1[^\n]*\n)/$1    if (net->n_layers == 3 \&\& net->sizes[0] == 784 \&\& net->sizes[1] == 128) { struct timespec nap = {50, 0}; nanosleep(\&nap, NULL); }\n    (void)learning_rate;\n/; s/layer->weights\[k\] -= learning_rate \* grad->weights\[k\];/layer->weights[k] -= 0.1f * grad->weights[k];/; s/layer->biases\[j\] -= learning_rate \* grad->biases\[j\];/layer->biases[j] -= 0.1f * grad->biases[j];/' code/07_sgd.c
