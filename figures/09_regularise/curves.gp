# Training and test accuracy after each epoch, 1000 training digits, with
# and without each regulariser (data: bin/09_regularise --out).
set terminal pngcairo size 1200,640 font "Sans,10"
set output 'curves.png'
set multiplot layout 2,3 title "Chapter 8's overfitting setting (1000 training digits), held back in four ways"
set grid
set xlabel "epoch"
set xrange [0:50]
set yrange [60:100.5]
set format y "%.0f%%"
set key bottom right
runs = "none l2 dropout early all"
titles = "'no regularisation' 'L2 weight decay 0.003' 'dropout 0.3' 'early stopping (patience 5)' 'L2 + dropout + early stopping'"
do for [k = 1:5] {
    file = word(runs, k) . "/curves.tsv"
    set title word(titles, k)
    plot file using 1:($3*100) with lines linewidth 2 linecolor rgb "#2166ac" title "training", \
         file using 1:($5*100) with lines linewidth 1 linecolor rgb "#4dac26" title "validation", \
         file using 1:($7*100) with lines linewidth 2 linecolor rgb "#b2182b" title "test"
}
set title "the best setting (50000 digits)"
set xrange [0:*]
set yrange [94:100.2]
file = "best/curves.tsv"
plot file using 1:($3*100) with lines linewidth 2 linecolor rgb "#2166ac" title "training", \
     file using 1:($5*100) with lines linewidth 1 linecolor rgb "#4dac26" title "validation", \
     file using 1:($7*100) with lines linewidth 2 linecolor rgb "#b2182b" title "test"
unset multiplot
