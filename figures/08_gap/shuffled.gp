# Chapter 8's 1000-digit run with the true labels (small/curves.tsv) and
# with shuffled labels (shuffled/curves.tsv), seed 1: accuracy on the
# training digits (against the labels trained on) and on the test digits.
set terminal pngcairo size 800,420 font "Sans,11"
set output 'shuffled.png'
set grid
set xlabel "epoch (10 iterations each)"
set ylabel "accuracy"
set xrange [0:100]
set yrange [0:102]
set format y "%.0f%%"
set key center right box opaque
true = "#2166ac"; shuffled = "#b2182b"
set title "1000 training digits: true labels against shuffled labels"
plot 'small/curves.tsv' using 1:($3*100) with lines linewidth 2 linecolor rgb true title "true labels: training", \
     '' using 1:($7*100) with lines linewidth 2 dashtype 2 linecolor rgb true title "true labels: test", \
     'shuffled/curves.tsv' using 1:($3*100) with lines linewidth 2 linecolor rgb shuffled title "shuffled labels: training", \
     '' using 1:($7*100) with lines linewidth 2 dashtype 2 linecolor rgb shuffled title "shuffled labels: test"
