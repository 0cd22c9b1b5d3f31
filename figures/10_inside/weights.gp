# The first layer of the trained 784-16-16-10 network of chapter 7: each
# neuron's 784 weights as a 28 x 28 image, scaled to its largest weight
# (data: bin/10_inside --out 16_16). Green adds ink to the neuron's sum, red
# subtracts it.
set terminal pngcairo size 640,680 font "Sans,11"
set output 'weights.png'
set title "16 trained neurons: what each one's weights look for"
unset key; unset tics; unset border
set palette defined (-1 "#b2182b", 0 "white", 1 "#1a9850")
set cbrange [-1:1]
set cbtics ("-max" -1, "0" 0, "+max" 1) font ",9"
set colorbox vertical user origin 0.88,0.15 size 0.03,0.7
set size ratio -1
set lmargin 2; set rmargin 10
set xrange [-0.5:119.5]
set yrange [119.5:-0.5]
plot '16_16/weights.dat' matrix with image
