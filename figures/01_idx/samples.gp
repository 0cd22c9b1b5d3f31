# The first 40 training digits with their labels (data: bin/01_idx --out).
set terminal pngcairo size 1000,480 font "Sans,11"
set output 'samples.png'
set title "The first 40 MNIST training digits and their labels"
unset key; unset tics; unset border; unset colorbox
set palette gray negative
set cbrange [0:255]
set size ratio -1
set xrange [-0.5:319.5]
set yrange [151.5:-0.5]
plot 'samples.dat' matrix with image, \
     'samples_labels.dat' using 1:2:(sprintf("%d", $3)) with labels font "Sans,13" textcolor rgb "#b03030"
