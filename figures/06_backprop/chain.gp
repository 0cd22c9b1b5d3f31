# Video 4's picture: one neuron per layer. What the cost of one digit,
# C_0 = (a^(L) - y)^2, depends on: each box is computed from the boxes
# that point to it (no data: a diagram). Backpropagation walks the arrows
# backwards, multiplying the derivative along each one.
set terminal pngcairo size 900,470 font "Sans,12"
set output 'chain.png'
unset key; unset tics; unset border; unset colorbox
set lmargin 0; set rmargin 0; set tmargin 0; set bmargin 0
set xrange [-1:10]
set yrange [0:5.6]
set style textbox opaque margins 2,2 border lc rgb "#08306b"
$nodes << EOD
9.2 4.3 "C_0"
7.4 4.3 "a^{(L)}"
9.2 3.0 "y"
5.6 4.3 "z^{(L)}"
3.6 5.1 "w^{(L)}"
3.6 4.3 "b^{(L)}"
3.6 3.5 "a^{(L-1)}"
1.8 3.5 "z^{(L-1)}"
0.2 4.3 "w^{(L-1)}"
0.2 3.5 "a^{(L-2)}"
0.2 2.7 "b^{(L-1)}"
-0.8 3.5 "..."
EOD
# Arrows: from, to (each points at what it feeds).
arrow(n, x1, y1, x2, y2) = sprintf("set arrow %d from %g,%g to %g,%g head filled size 0.12,20 linewidth 1.5 linecolor rgb '#555555'", n, x1, y1, x2, y2)
eval arrow(1, 7.9, 4.3, 8.8, 4.3)
eval arrow(2, 9.2, 3.25, 9.2, 4.05)
eval arrow(3, 6.05, 4.3, 6.9, 4.3)
eval arrow(4, 4.1, 5.05, 5.15, 4.4)
eval arrow(5, 4.05, 4.3, 5.15, 4.3)
eval arrow(6, 4.2, 3.6, 5.15, 4.2)
eval arrow(7, 2.3, 3.5, 2.95, 3.5)
eval arrow(8, 0.75, 4.25, 1.3, 3.6)
eval arrow(9, 0.8, 3.5, 1.3, 3.5)
eval arrow(10, 0.75, 2.75, 1.3, 3.4)
eval arrow(11, -0.6, 3.5, -0.35, 3.5)
set label 1 "z^{(L)} = w^{(L)} a^{(L-1)} + b^{(L)}" at 4.2, 2.0 left font ",11"
set label 2 "a^{(L)} = {/Symbol s}(z^{(L)})    (the book: ReLU, and softmax last)" at 4.2, 1.45 left font ",11"
set label 3 "C_0 = (a^{(L)} - y)^2    (the book: cross-entropy)" at 4.2, 0.9 left font ",11"
set label 4 "dC_0/dw^{(L)} = a^{(L-1)} {/Symbol \264} {/Symbol s}'(z^{(L)}) {/Symbol \264} 2 (a^{(L)} - y)" at 4.2, 0.35 left font ",11" textcolor rgb "#b2182b"
plot $nodes using 1:2:3 with labels boxed font ",13"
