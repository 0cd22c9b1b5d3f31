# Cost and accuracy after each epoch (data: bin/08_gap --out): top, 1000
# training digits (seed 1, and the test set for seeds 2 to 5 from
# --seeds 5, thin); bottom, 50000.
set terminal pngcairo size 1000,760 font "Sans,10"
set output 'gap.png'
set multiplot layout 2,2
set grid
set xlabel "epoch"
train = "#2166ac"; valid = "#4dac26"; test = "#b2182b"; other = "#f4a582"
do for [run in "small full"] {
    file = run . "/curves.tsv"
    seeds = run . "_seeds/seeds.tsv"
    label = (run eq "small") ? "1000 training digits" : "50000 training digits"
    set xlabel (run eq "small") ? "epoch (10 iterations each)" : "epoch (500 iterations each)"
    set title "cost, " . label
    set key top right opaque
    if (run eq "small") { set yrange [0:0.7] } else { set yrange [0:0.2] }
    plot file using 1:2 with lines linewidth 2 linecolor rgb train title "training", \
         file using 1:4 with lines linewidth 2 linecolor rgb valid title "validation", \
         for [s = 2:5] seeds using 1:(column(2 * s)) with lines linewidth 1 linecolor rgb other title (s == 2 ? "test, seeds 2-5" : ""), \
         file using 1:6 with lines linewidth 2 linecolor rgb test title "test"
    set title "accuracy, " . label
    set key bottom right opaque
    if (run eq "small") { set yrange [60:100.5] } else { set yrange [94:100.2] }
    set format y "%.0f%%"
    plot file using 1:($3*100) with lines linewidth 2 linecolor rgb train title "training", \
         file using 1:($5*100) with lines linewidth 2 linecolor rgb valid title "validation", \
         for [s = 2:5] seeds using 1:(100 * column(2 * s + 1)) with lines linewidth 1 linecolor rgb other title (s == 2 ? "test, seeds 2-5" : ""), \
         file using 1:($7*100) with lines linewidth 2 linecolor rgb test title "test"
    set format y "%g"
}
unset multiplot
