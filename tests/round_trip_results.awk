# round_trip_results.awk: what ./build.sh test requires of the grade of an
# untouched student edition (bin/grade/results.csv): every exercise listed
# once, in order, with points, none right, and each that has a stub "not
# started". Prints one line per problem.
#
#   awk -F, -v stubs="1.1 1.2 ..." -f tests/round_trip_results.awk results.csv
BEGIN { n = split(stubs, s, " "); for (k = 1; k <= n; k++) has_stub[s[k]] = 1 }
NR == 1 || $1 == "total" { next }
{
    split($1, a, "."); key = a[1] * 1000 + a[2]
    if (key <= last) print "  grade lists exercise " $1 " after " previous
    last = key; previous = $1; listed[$1] = 1
    if ($2 + 0 < 1) print "  exercise " $1 " has no points"
    if ($4 == "right") print "  exercise " $1 " is right without its solution"
    else if ($1 in has_stub && $4 != "not started") print "  exercise " $1 " is " $4 ", not \"not started\""
}
END { for (id in has_stub) if (!(id in listed)) print "  exercise " id " has a solution but no graded test case with points" }
