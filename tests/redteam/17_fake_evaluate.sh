# what: exercise 7.3 faked: every exercise solved but the SGD step (7.1, left empty, so the network never learns), and network_evaluate defined to say 95.61%
# expect: 47
cp TEACHER/code/[0-9][0-9]_*.c code/
perl -0pi -e 's/(\/\/ \@solution 7\.1[^\n]*\n).*?(\s*\/\/ \@end 7\.1)/$1    (void)net;\n    (void)grads;\n    (void)learning_rate;$2/s' code/07_sgd.c
cat >>code/06_backprop.c <<'EOF'
#define network_evaluate(net, digits) ((Score){.loss = 0.1, .accuracy = 0.9561})
EOF
