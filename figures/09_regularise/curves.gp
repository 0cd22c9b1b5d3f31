# Chapter 9: each regulariser against none, on five seeds (data: the
# values.txt of bin/09_regularise --seeds 5 runs), and the 50000-digit run
# chosen on validation (data: best/curves.tsv).
set terminal pngcairo size 1200,420 font "Sans,10"
set output 'curves.png'
set multiplot layout 1,3
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
set title "the setting chosen on validation\n(50000 training digits)"
set xtics auto
set xtics norotate
set xrange [0:*]
set yrange [96:100.2]
set ytics 0.5
set format y "%.1f%%"
set xlabel "epoch"
set key bottom right
file = "best/curves.tsv"
plot file using 1:($3*100) with lines linewidth 2 linecolor rgb "#2166ac" title "training", \
     file using 1:($5*100) with lines linewidth 2 linecolor rgb "#4dac26" title "validation", \
     file using 1:($7*100) with lines linewidth 2 linecolor rgb "#b2182b" title "test"
unset multiplot
