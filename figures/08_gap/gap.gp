# Training, validation and test after each epoch (data: bin/08_gap --out):
# top, 1000 training digits; bottom, 50000.
set terminal pngcairo size 1000,720 font "Sans,10"
set output 'gap.png'
set multiplot layout 2,2
set grid
set xlabel "epoch"
set key right center
train = "#2166ac"; valid = "#4dac26"; test = "#b2182b"
do for [run in "small full"] {
    file = run . "/curves.tsv"
    label = (run eq "small") ? "1000 training digits" : "50000 training digits"
    set title "cost, " . label
    set yrange [0:*]
    plot file using 1:2 with lines linewidth 2 linecolor rgb train title "training", \
         file using 1:4 with lines linewidth 2 linecolor rgb valid title "validation", \
         file using 1:6 with lines linewidth 2 linecolor rgb test title "test"
    set title "accuracy, " . label
    if (run eq "small") { set yrange [60:100.5] } else { set yrange [94:100.2] }
    set format y "%.0f%%"
    plot file using 1:($3*100) with lines linewidth 2 linecolor rgb train title "training", \
         file using 1:($5*100) with lines linewidth 2 linecolor rgb valid title "validation", \
         file using 1:($7*100) with lines linewidth 2 linecolor rgb test title "test"
    set format y "%g"
}
unset multiplot
