# Chapter 9: the 50000-digit setting chosen on validation (data:
# best/curves.tsv), accuracy after each epoch on the three sets.
set terminal pngcairo size 700,400 font "Sans,10"
set output 'best.png'
set grid
set title "784 -> 256 -> 128 -> 10, dropout 0.2, 50000 training digits (seed 1)"
set xlabel "epoch"
set xrange [0:*]
set yrange [96:100.2]
set ytics 0.5
set format y "%.1f%%"
set key bottom right
file = "best/curves.tsv"
plot file using 1:($3*100) with lines linewidth 2 linecolor rgb "#2166ac" title "training", \
     file using 1:($5*100) with lines linewidth 2 linecolor rgb "#4dac26" title "validation", \
     file using 1:($7*100) with lines linewidth 2 linecolor rgb "#b2182b" title "test"
