# The 10 probabilities an untrained network gives one test digit
# (data: bin/04_softmax --out). The bar of the right answer is red.
set terminal pngcairo size 640,360 font "Sans,11"
set output 'probs.png'
set title "An untrained network's probabilities for one test digit"
unset key
set style fill solid 0.8 border -1
set boxwidth 0.7
set xrange [-0.7:9.7]
set yrange [0:0.5]
set xtics 1
set xlabel "digit"
set ylabel "probability"
set grid ytics
plot 'probs.dat' using 1:2:(int($3) ? 0xb2182b : 0x9e9e9e) with boxes linecolor rgb variable, \
     0.1 with lines dashtype 2 linecolor rgb "#444444"
