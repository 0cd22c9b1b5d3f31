# Chapter 9. Top: each regulariser against none, seed by seed: a dot per
# seed, its result minus no regularisation's with the same seed (the same
# first weights and batches), and a bar at their mean (data: the
# values.txt of the bin/09_regularise --seeds runs, through
# differences.awk). Bottom: the weight-decay sweep on the validation split,
# one thin line per seed and their mean (data: l2_sweep/sweep.tsv: the
# strength, then each seed's validation accuracy and cost).
set terminal pngcairo size 1100,820 font "Sans,10"
set output 'curves.png'
set multiplot layout 2,2
set grid
runs = "l2 dropout early early_cost all"
names = "'L2' 'dropout' 'early (acc.)' 'early (cost)' 'all three'"
n_seeds = int(system("sed -n 's/^seeds //p' none/values.txt"))
set xrange [0.5:5.5]
set xtics ()
do for [k = 1:5] { set xtics add (word(names, k) k) }
set xtics rotate by -30 left
differences(key) = sprintf("< awk -v key=%s -f differences.awk none/values.txt %s", \
    key, system("for r in ".runs."; do printf '%s/values.txt ' $r; done"))
set key below horizontal
set title sprintf("test accuracy minus no regularisation's, seed by seed\n(1000 training digits, %d seeds)", n_seeds)
set format y "%+.1f"
set ylabel "points"
plot 0 with lines linecolor rgb "#777777" notitle, \
     differences("test_accuracy") index 0 using 1:2 with points pointtype 7 pointsize 0.9 linecolor rgb "#b2182b" title "a seed", \
     differences("test_accuracy") index 1 using 1:2:(0.22) with xerrorbars pointtype 0 linewidth 3 linecolor rgb "#67001f" title "mean"
set title sprintf("test cost minus no regularisation's, seed by seed\n(1000 training digits, %d seeds)", n_seeds)
set format y "%+.2f"
unset ylabel
plot 0 with lines linecolor rgb "#777777" notitle, \
     differences("test_loss") index 0 using 1:2 with points pointtype 7 pointsize 0.9 linecolor rgb "#2166ac" title "a seed", \
     differences("test_loss") index 1 using 1:2:(0.22) with xerrorbars pointtype 0 linewidth 3 linecolor rgb "#053061" title "mean"
# The sweep: L2 strength on a log axis, with 0 drawn at the left end.
at(l2) = l2 == 0 ? 0.0003 : l2
file = "l2_sweep/sweep.tsv"
set logscale x
set xrange [0.00025:0.035]
set xtics norotate ("0" 0.0003, "0.001" 0.001, "0.003" 0.003, "0.01" 0.01, "0.03" 0.03)
set xlabel "L2 weight decay (lambda)"
set key inside top right vertical
sweep_seeds = int(system("sed -n 's/^seeds //p' l2_sweep/values.txt"))
mean(c) = sum [s = 0:sweep_seeds - 1] column(c + 2 * s) / sweep_seeds
set key bottom left
set title sprintf("validation accuracy against the weight decay\n(1000 training digits, %d seeds)", sweep_seeds)
set format y "%.0f%%"
plot for [s = 1:sweep_seeds] file using (at($1)):(column(2 * s)) with linespoints pointtype 7 pointsize 0.6 linewidth 1 linecolor rgb "#f4a582" title (s == 1 ? "each seed" : ""), \
     file using (at($1)):(mean(2)) with linespoints pointtype 7 linewidth 2.5 linecolor rgb "#b2182b" title "mean"
set key top center
set title sprintf("validation cost against the weight decay\n(1000 training digits, %d seeds)", sweep_seeds)
set format y "%.2f"
plot for [s = 1:sweep_seeds] file using (at($1)):(column(2 * s + 1)) with linespoints pointtype 7 pointsize 0.6 linewidth 1 linecolor rgb "#92c5de" title (s == 1 ? "each seed" : ""), \
     file using (at($1)):(mean(3)) with linespoints pointtype 7 linewidth 2.5 linecolor rgb "#2166ac" title "mean"
unset multiplot
