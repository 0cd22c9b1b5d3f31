# The average training image of each digit (data: bin/01_idx --out).
set terminal pngcairo size 1000,170 font "Sans,11"
set output 'means.png'
set title "The average of all training images of each digit"
unset key; unset tics; unset border; unset colorbox
set palette gray negative
set cbrange [0:255]
set size ratio -1
set xrange [-0.5:319.5]
set yrange [27.5:-0.5]
plot 'means.dat' matrix with image
