# The whole network as a computation graph (no data: a diagram). Top:
# the forward pass, left to right, each box one function of chapters 2 to
# 5. Bottom: the backward pass, right to left, each arrow one function of
# this chapter, carrying the gradient of the cost with respect to the
# value above it; the affine layers also hand out their weights' and
# biases' gradients.
set terminal pngcairo size 1240,500 font "Sans,11"
set output 'graph.png'
set termoption noenhanced
unset key; unset tics; unset border
set lmargin 0; set rmargin 0; set tmargin 0; set bmargin 0
set xrange [-0.6:14.6]
set yrange [-0.3:5.0]
set style textbox 1 opaque margins 3,3 border lc rgb "#08306b"
fwd = 3.2; bwd = 1.7
# Values (unboxed) and operations (boxed), on the forward row.
$values << EOD
0.0 "x"
2.4 "z1"
4.2 "a1"
6.6 "z2"
8.4 "a2"
10.8 "z3"
14.1 "cost"
EOD
$ops << EOD
1.2 "x W1 + b1"
3.3 "ReLU"
5.4 "a1 W2 + b2"
7.5 "ReLU"
9.6 "a2 W3 + b3"
12.45 "softmax, then\n-ln p[label]"
EOD
$params << EOD
1.2 "W1, b1"
5.4 "W2, b2"
9.6 "W3, b3"
12.45 "label"
EOD
$grads << EOD
2.4 "dz1"
4.2 "da1"
6.6 "dz2"
8.4 "da2"
10.8 "dz3"
EOD
$pgrads << EOD
1.2 "dW1, db1"
5.4 "dW2, db2"
9.6 "dW3, db3"
EOD
$code << EOD
1.2 "affine_backward"
3.3 "relu_backward"
5.4 "affine_backward"
7.5 "relu_backward"
9.6 "affine_backward"
12.45 "softmax_cross_entropy_backward"
EOD
# Forward arrows between consecutive items of the forward row.
xs = "0.0 1.2 2.4 3.3 4.2 5.4 6.6 7.5 8.4 9.6 10.8 12.45 14.1"
half(k) = k == 12 ? 0.75 : k == 6 || k == 2 || k == 10 ? 0.6 : 0.35
do for [k = 1:12] {
    x1 = real(word(xs, k)); x2 = real(word(xs, k + 1))
    set arrow from x1 + half(k), fwd to x2 - half(k + 1), fwd head filled size 0.1,20 linewidth 1.5 linecolor rgb "#333333"
}
# Backward arrows: from the cost back to dz1, right to left.
bx = "2.4 4.2 6.6 8.4 10.8 14.1"
do for [k = 1:5] {
    x1 = real(word(bx, k + 1)); x2 = real(word(bx, k))
    set arrow from x1 - 0.35, bwd to x2 + 0.35, bwd head filled size 0.1,20 linewidth 1.5 linecolor rgb "#b2182b"
}
set arrow from 14.1, fwd - 0.3 to 14.1, bwd + 0.25 nohead linewidth 1.5 linecolor rgb "#b2182b" dashtype 2
set label "1" at 14.1, bwd center textcolor rgb "#b2182b"
# Parameters feed the affine boxes from above; their gradients leave below.
do for [k in "1.2 5.4 9.6 12.45"] {
    set arrow from real(k), 4.35 to real(k), fwd + 0.45 head filled size 0.1,20 linewidth 1 linecolor rgb "#333333"
}
do for [k in "1.2 5.4 9.6"] {
    set arrow from real(k), bwd - 0.55 to real(k), 0.55 head filled size 0.1,20 linewidth 1 linecolor rgb "#b2182b"
}
# The first layer passes nothing further back (its input is the pixels).
set arrow from 2.05, bwd to 1.2, bwd nohead linewidth 1.5 linecolor rgb "#b2182b"
set label "forward pass (chapters 2 to 5)" at -0.5, 4.85 left font ",12"
set label "backward pass (this chapter): the gradient of the cost with respect to each value" at -0.5, 2.35 left font ",12" textcolor rgb "#b2182b"
plot $values using 1:(fwd):2 with labels font ",13", \
     $ops using 1:(fwd):2 with labels boxed bs 1 font ",11", \
     $params using 1:(4.5):2 with labels font ",11", \
     $grads using 1:(bwd):2 with labels font ",12" textcolor rgb "#b2182b", \
     $pgrads using 1:(0.35):2 with labels font ",11" textcolor rgb "#b2182b", \
     $code using 1:(bwd - 0.3):2 with labels font "Mono,9" textcolor rgb "#555555"
