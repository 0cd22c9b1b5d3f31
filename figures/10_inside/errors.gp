# The first 40 test digits the best network gets wrong, each labelled
# "true digit > the network's answer" (data: bin/10_inside --out best).
set terminal pngcairo size 1000,520 font "Sans,11"
set output 'errors.png'
set title "Test digits the network gets wrong (true digit > its answer)"
unset key; unset tics; unset border; unset colorbox
set palette gray negative
set cbrange [0:255]
set size ratio -1
set xrange [-0.5:319.5]
set yrange [151.5:-0.5]
plot 'best/errors.dat' matrix with image, \
     'best/errors_labels.dat' using 1:2:3 with labels font "Sans,12" textcolor rgb "#b03030"
