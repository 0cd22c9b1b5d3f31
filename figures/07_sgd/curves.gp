# Cost and accuracy while training (data: bin/07_sgd --out): each batch's
# (thin; measured before its step, so batch k shows the network after k - 1
# steps) and the test set's, at iteration 0 (the untrained network) and
# every 100 iterations (points). The third panel zooms in on the accuracy.
set terminal pngcairo size 1200,400 font "Sans,11"
set output 'curves.png'
set multiplot layout 1,3 title "Training 784 -> 128 -> 64 -> 10 with mini-batch SGD, 1000 iterations of 100 digits"
set grid
set key top right
set xlabel "iteration"
set xrange [0:1000]
batch = "#9ecae1"; test = "#b2182b"
set title "cost (cross-entropy)"
set yrange [0:2.5]
plot 'train.tsv' using ($1 - 1):2 with lines linecolor rgb batch title "training batch", \
     'test.tsv' using 1:2 with linespoints pointtype 7 linewidth 2 linecolor rgb test title "test set"
set title "accuracy, the whole run"
set key bottom right
set yrange [0:100]
set format y "%.0f%%"
plot 'train.tsv' using ($1 - 1):($3*100) with lines linecolor rgb batch title "training batch", \
     'test.tsv' using 1:($3*100) with linespoints pointtype 7 linewidth 2 linecolor rgb test title "test set"
set title "accuracy, zoomed in"
set xrange [100:1000]
set yrange [88:100]
set ytics 2
plot 'train.tsv' using ($1 - 1):($3*100) with lines linecolor rgb batch title "training batch", \
     'test.tsv' using 1:($3*100) with linespoints pointtype 7 linewidth 2 linecolor rgb test title "test set"
unset multiplot
