# Which digit is taken for which: the confusion matrix of the best network
# on the test set, with the diagonal (the right answers) left blank so that
# the mistakes show (data: bin/10_inside --out best).
set terminal pngcairo size 640,560 font "Sans,11"
set output 'confusion.png'
set title "Mistakes on the 10000 test digits (the diagonal, right answers, left out)"
set xlabel "the network's answer"
set ylabel "the true digit"
set xrange [-0.5:9.5]
set yrange [9.5:-0.5]
set xtics 1; set ytics 1
set palette defined (0 "white", 1 "#fdd49e", 2 "#fc8d59", 3 "#b30000")
set cbrange [0:*]
unset key
plot 'best/confusion.dat' using 1:2:($1 == $2 ? 0 : $3) with image, \
     '' using 1:2:($1 == $2 ? "" : ($3 > 0 ? sprintf("%d", $3) : "")) with labels font ",9"
