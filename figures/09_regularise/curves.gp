# Chapter 9. Top: each regulariser against none, on five seeds, one line
# per seed (data: the values.txt of the bin/09_regularise --seeds 5 runs).
# Bottom: the weight-decay sweep on the validation split, one thin line
# per seed and their mean (data: l2_sweep/sweep.tsv: the strength, then
# each seed's validation accuracy and cost).
set terminal pngcairo size 1100,820 font "Sans,10"
set output 'curves.png'
set multiplot layout 2,2
set grid
runs = "none l2 dropout early early_cost all"
names = "'none' 'L2' 'dropout' 'early (acc.)' 'early (cost)' 'all three'"
set xrange [0.5:6.5]
set xtics ()
do for [k = 1:6] { set xtics add (word(names, k) k) }
set xtics rotate by -30 left
set key off
# One line per seed through the six settings: "k value" rows from each
# run's values.txt, a blank line between seeds.
table(key) = sprintf("< for s in 1 2 3 4 5; do k=0; for r in %s; do k=$((k+1)); printf '%%s ' $k; sed -n \"s/^%s_$s //p\" $r/values.txt; done; echo; done", runs, key)
set title "test accuracy, 1000 training digits\n(one line per seed)"
set format y "%.1f%%"
plot table("test_accuracy") using 1:2 with linespoints pointtype 7 linewidth 1.5 linecolor rgb "#b2182b"
set title "test cost, 1000 training digits\n(one line per seed)"
set format y "%.2f"
plot table("test_loss") using 1:2 with linespoints pointtype 7 linewidth 1.5 linecolor rgb "#2166ac"
# The sweep: L2 strength on a log axis, with 0 drawn at the left end.
at(l2) = l2 == 0 ? 0.0003 : l2
file = "l2_sweep/sweep.tsv"
set logscale x
set xrange [0.00025:0.035]
set xtics norotate ("0" 0.0003, "0.001" 0.001, "0.003" 0.003, "0.01" 0.01, "0.03" 0.03)
set xlabel "L2 weight decay (lambda)"
set key top right
mean(c) = (column(c) + column(c + 2) + column(c + 4) + column(c + 6) + column(c + 8)) / 5
set key bottom left
set title "validation accuracy against the weight decay\n(1000 training digits, five seeds)"
set format y "%.0f%%"
plot for [s = 1:5] file using (at($1)):(column(2 * s)) with linespoints pointtype 7 pointsize 0.6 linewidth 1 linecolor rgb "#f4a582" title (s == 1 ? "each seed" : ""), \
     file using (at($1)):(mean(2)) with linespoints pointtype 7 linewidth 2.5 linecolor rgb "#b2182b" title "mean"
set key top center
set title "validation cost against the weight decay\n(1000 training digits, five seeds)"
set format y "%.2f"
plot for [s = 1:5] file using (at($1)):(column(2 * s + 1)) with linespoints pointtype 7 pointsize 0.6 linewidth 1 linecolor rgb "#92c5de" title (s == 1 ? "each seed" : ""), \
     file using (at($1)):(mean(3)) with linespoints pointtype 7 linewidth 2.5 linecolor rgb "#2166ac" title "mean"
unset multiplot
