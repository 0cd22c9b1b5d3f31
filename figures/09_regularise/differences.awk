# differences.awk: each regulariser's result minus no regularisation's,
# seed by seed, for the top of curves.gp.
#
#   awk -v key=test_accuracy -f differences.awk none/values.txt l2/values.txt ...
#
# The first file is the baseline. Prints, for each later file k (1, 2, ...)
# and each seed s, "x difference", with x = k spread a little by seed so
# that the dots do not hide each other; then two blank lines (gnuplot's
# next data set) and "k mean" for each file.
FNR == 1 { file++ }
{
    name = $1
    if (index(name, key "_") != 1)
        next
    seed = substr(name, length(key) + 2)
    if (seed !~ /^[0-9]+$/)
        next
    value[file - 1, seed + 0] = $2
    if (seed + 0 > n_seeds)
        n_seeds = seed + 0
}
END {
    for (k = 1; k < file; k++)
        for (s = 1; s <= n_seeds; s++)
            printf "%.3f %.4f\n", k + 0.3 * ((s - 0.5) / n_seeds - 0.5), value[k, s] - value[0, s]
    printf "\n\n"
    for (k = 1; k < file; k++) {
        sum = 0
        for (s = 1; s <= n_seeds; s++)
            sum += value[k, s] - value[0, s]
        printf "%d %.4f\n", k, sum / n_seeds
    }
}
