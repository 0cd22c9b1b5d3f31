# The first layer of the trained 784-16-16-10 network of chapter 7: each
# neuron's 784 weights as a 28 x 28 image, all on one colour scale, so
# that a neuron whose weights stayed small looks faint (data: bin/10_inside
# --out 16_16). Green adds ink to the neuron's sum, red subtracts it, as in
# chapter 2's figure and the video. Neurons that --neurons found dead (on
# for fewer than 1% of the training digits: neurons/neurons.tsv) are marked.
set terminal pngcairo size 640,700 font "Sans,11"
set output 'weights.png'
set title "16 trained neurons: what each one's weights look for\n(one colour scale for all; chapter 2's random ones span only ±0.15)"
unset key; unset tics; unset border
set palette defined (-1 "#b2182b", 0 "white", 1 "#1a9850")
set cbrange [-0.6:0.6]
set cbtics 0.2 font ",9"
set colorbox vertical user origin 0.88,0.15 size 0.03,0.68
set size ratio -1
set lmargin 2; set rmargin 10
set xrange [-0.5:119.5]
set yrange [119.5:-0.5]
set style textbox opaque margins 1,1 noborder
plot '16_16/weights.dat' matrix with image, \
     'neurons/neurons.tsv' using (($5 == 1) ? $6 : 1/0):7:(14.5):(14.5) with boxxyerror linecolor rgb "#000000" linewidth 2.5 fillstyle empty, \
     'neurons/neurons.tsv' using ($6 - 13):($7 - 11):(($5 == 1) ? sprintf("%d: dead", $1) : sprintf("%d", $1)) with labels left boxed font ",9" textcolor rgb "#000000"
