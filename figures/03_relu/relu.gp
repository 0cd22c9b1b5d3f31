# ReLU, the non-linearity this workbook uses, beside the sigmoid of the videos.
set terminal pngcairo size 800,360 font "Sans,11"
set output 'relu.png'
set multiplot layout 1,2
set grid
set xrange [-4:4]
set xzeroaxis; set yzeroaxis
unset key
set xlabel "weighted sum z"
set title "ReLU(z) = max(0, z)"
set yrange [-0.5:4]
plot (x > 0 ? x : 0) with lines linewidth 3 linecolor rgb "#b2182b"
set title "sigmoid(z) = 1 / (1 + e^{-z})"
set yrange [-0.1:1.1]
plot 1 / (1 + exp(-x)) with lines linewidth 3 linecolor rgb "#2166ac"
unset multiplot
