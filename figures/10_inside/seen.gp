# The second hidden layer of the trained 784-16-16-10 network: for each of
# its 16 neurons, the average training digit weighted by how strongly it
# turns the neuron on (data: bin/10_inside --neurons --out neurons), each
# scaled to its own darkest pixel.
set terminal pngcairo size 640,680 font "Sans,11"
set output 'seen.png'
set title "16 second-layer neurons: the digits that turn each one on,\naveraged (each weighted by the neuron's output)"
unset key; unset tics; unset border; unset colorbox
set palette gray negative
set cbrange [0:1]
set size ratio -1
set xrange [-0.5:119.5]
set yrange [119.5:-0.5]
plot 'neurons/seen2.dat' matrix with image, \
     'neurons/neurons.tsv' using ($6 - 13):($7 - 12):(sprintf("%d", $1)) with labels left font ",9" textcolor rgb "#888888"
