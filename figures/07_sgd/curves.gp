# Cost and accuracy per iteration while training (data: bin/07_sgd --out):
# each batch's (thin) and the test set's every 100 iterations (points).
set terminal pngcairo size 1000,400 font "Sans,11"
set output 'curves.png'
set multiplot layout 1,2 title "Training 784 -> 128 -> 64 -> 10 with mini-batch SGD, 1000 iterations of 100 digits"
set grid
set key top right
set xlabel "iteration"
set title "cost (cross-entropy)"
set yrange [0:2.5]
plot 'train.tsv' using 1:2 with lines linecolor rgb "#9ecae1" title "training batch", \
     'test.tsv' using 1:2 with linespoints pointtype 7 linewidth 2 linecolor rgb "#b2182b" title "test set"
set title "accuracy"
set key bottom right
set yrange [0:100]
set format y "%.0f%%"
plot 'train.tsv' using 1:($3*100) with lines linecolor rgb "#9ecae1" title "training batch", \
     'test.tsv' using 1:($3*100) with linespoints pointtype 7 linewidth 2 linecolor rgb "#b2182b" title "test set"
unset multiplot
