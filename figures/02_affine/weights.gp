# The 784 weights of each of the 16 neurons, drawn as 28 x 28 images
# (data: bin/02_affine --out). Green: positive weight, red: negative (as in
# 3Blue1Brown's video).
set terminal pngcairo size 640,680 font "Sans,11"
set output 'weights.png'
set title "16 random neurons: each one's 784 weights as a 28 x 28 image"
unset key; unset tics; unset border
set palette defined (-1 "#b2182b", 0 "white", 1 "#1a9850")
set cbrange [-0.15:0.15]
set cbtics 0.05 font ",9"
set colorbox vertical user origin 0.88,0.15 size 0.03,0.7
set size ratio -1
set lmargin 2; set rmargin 10
set xrange [-0.5:119.5]
set yrange [119.5:-0.5]
plot 'weights.dat' matrix with image
