# round_trip_cases.awk: what ./build.sh test requires of the test cases of
# an untouched student edition (bin/grade/cases.tsv, one line per test:
# SUITE, CASE, RESULT, MESSAGE): each suite runs its exercises' cases in
# order; every case that needs no exercise passes; every case that says it
# needs one fails. Prints one line per problem.
$2 ~ /^exercise / {
    id = $2; sub(/^exercise /, "", id); sub(/[^0-9.].*/, "", id)
    split(id, a, "."); key = a[1] * 1000 + a[2]
    if ($1 == suite && key < last) print "  " $1 " runs exercise " id "'s case after " previous "'s"
    suite = $1; last = key; previous = id
    next
}
$2 !~ /\(needs / && $3 != "success" && !bad[$2]++ { print "  \"" $2 "\" needs no exercise but fails in the student edition: " $4 }
$2 ~ /\(needs / { needs[$2] = 1; if ($3 != "success") failed[$2] = 1 }
END { for (c in needs) if (!(c in failed)) print "  \"" c "\" passes in the student edition: it needs none of those" }
