# A learning-rate sweep (data: bin/07_sgd --lr-sweep --out lr_sweep): the
# batch cost through training with each rate, seed 1; a fresh
# 784-16-16-10 network for each. Each rate is one block of
# lr_sweep/sweep.tsv (rate, iteration, batch cost); a run that diverged
# stops, its last cost off the top of the plot.
set terminal pngcairo size 1000,420 font "Sans,11"
set output 'lr_sweep.png'
set grid
set xlabel "iteration"
set ylabel "batch cost"
set xrange [0:1000]
set yrange [0:3.4]
set key outside right top
set title "The same network with five learning rates (seed 1)"
colours = "#92c5de #1a9850 #fdae61 #d73027 #000000"
file = "lr_sweep/sweep.tsv"
# The diverged run: where it stopped, from its block's last iteration.
stats file index 4 using 2 nooutput
set label 1 sprintf("rate %s: the cost passed 20 at iteration %d; training stopped", system("sed -n 's/^rate5 //p' lr_sweep/values.txt"), STATS_max) at 30, 3.2 left font ",10" front boxed
rate(k) = system(sprintf("sed -n 's/^rate%d //p' lr_sweep/values.txt", k))
plot for [k = 0:4] file index k using 2:3 with lines linewidth (k == 1 ? 2 : 1.2) linecolor rgb word(colours, k + 1) title "rate ".rate(k + 1)
