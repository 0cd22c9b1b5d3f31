# Cross-entropy against the videos' squared error, for a prediction that
# gives the right digit probability q and the rest evenly to the other nine
# (data: bin/05_cross_entropy --out): the cost, and how hard each pulls the
# right digit's score up (minus its derivative).
set terminal pngcairo size 1000,380 font "Sans,11"
set output 'costs.png'
set multiplot layout 1,2
set grid
set xlabel "q, the probability given to the right digit"
set xrange [0:1]
ce = "#b2182b"; sq = "#2166ac"
set key top right
set title "the cost"
set yrange [0:5]
plot 'costs.dat' using 1:2 with lines linewidth 2 linecolor rgb ce title "cross-entropy, -ln q", \
     '' using 1:3 with lines linewidth 2 linecolor rgb sq title "squared error"
set title "how hard it pulls the right digit's score up"
set yrange [0:1.05]
plot 'costs.dat' using 1:(-$4) with lines linewidth 2 linecolor rgb ce title "cross-entropy: 1 - q", \
     '' using 1:(-$5) with lines linewidth 2 linecolor rgb sq title "squared error"
unset multiplot
