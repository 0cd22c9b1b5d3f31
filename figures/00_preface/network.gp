# The videos' network, 784 -> 16 -> 16 -> 10, drawn neuron by neuron (no
# data: a diagram). Of the 784 inputs only 24 are drawn. Under each layer,
# the video's name for its activations and the book's formula; at the
# bottom, how many weights and biases connect each layer to the next.
set terminal pngcairo size 1000,640 font "Sans,11"
set output 'network.png'
unset key; unset tics; unset border
set lmargin 0; set rmargin 0; set tmargin 0; set bmargin 0
set xrange [-1.6:10.6]
set yrange [-4.9:1.5]
# Neuron k of layer l (x = 3 l), n(l) of them drawn, centred on y = -1.45.
n(l) = l == 0 ? 24 : l == 3 ? 10 : 16
gap(l) = l == 0 ? 0.125 : l == 3 ? 0.3 : 0.19
y(l, k) = 0.5 * (n(l) - 1) * gap(l) - k * gap(l) - 1.45
set print $nodes
do for [l = 0:3] { do for [k = 0:n(l) - 1] { print sprintf("%d %g", 3 * l, y(l, k)) } }
unset print
set print $edges
do for [l = 0:2] { do for [a = 0:n(l) - 1] { do for [b = 0:n(l + 1) - 1] {
    print sprintf("%d %g %d %g", 3 * l, y(l, a), 3 * l + 3, y(l + 1, b)) } } }
unset print
set print $digits
do for [k = 0:9] { print sprintf("%g %g %d", 9.3, y(3, k), k) }
unset print
top = 1.2
set label 1 "input\n784 pixels (24 drawn)" at 0, top center font ",12"
set label 2 "hidden layer 1\n16 neurons" at 3, top center font ",12"
set label 3 "hidden layer 2\n16 neurons" at 6, top center font ",12"
set label 4 "output\n10 digits" at 9, top center font ",12"
bottom = -3.45
set label 11 "video: a^{(0)}\nbook: x" at 0, bottom center
set label 12 "video: a^{(1)} = {/Symbol s}(W^{(1)} a^{(0)} + b^{(1)})\nbook: a1 = ReLU(x W1 + b1)" at 3, bottom center
set label 13 "video: a^{(2)} = {/Symbol s}(W^{(2)} a^{(1)} + b^{(2)})\nbook: a2 = ReLU(a1 W2 + b2)" at 6, bottom center
set label 14 "video: a^{(3)} = {/Symbol s}(...)\nbook: p = softmax(a2 W3 + b3)" at 9, bottom center
params = -4.45
set label 21 "784 x 16 + 16 = 12,560" at 1.5, params center textcolor rgb "#555555"
set label 22 "16 x 16 + 16 = 272" at 4.5, params center textcolor rgb "#555555"
set label 23 "16 x 10 + 10 = 170" at 7.5, params center textcolor rgb "#555555"
set label 24 "weights + biases:" at -1.5, params left textcolor rgb "#555555"
set label 25 "13,002 in all" at 10.5, params right textcolor rgb "#555555"
plot $edges using 1:2:($3 - $1):($4 - $2) with vectors nohead linewidth 0.5 linecolor rgb "#cccccc", \
     $nodes using 1:2 with points pointtype 7 pointsize 1.5 linecolor rgb "#6baed6", \
     $nodes using 1:2 with points pointtype 6 pointsize 1.5 linecolor rgb "#08306b", \
     $digits using 1:2:3 with labels left font ",11"
