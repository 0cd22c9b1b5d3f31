# class.awk: one row per student, for a gradebook (./build.sh grade --class).
#
#   awk -F, -f tests/class.awk bin/class/*/results.csv >bin/class/class.csv
#
# Each results.csv is one student's (the folder above it names them): a row
# per exercise (exercise, points, earned, ...) and a "total" row. Prints
# student, score, out of, then the points earned in each exercise.
FNR == 1 { name = FILENAME; sub(/\/results\.csv$/, "", name); sub(/.*\//, "", name)
           students[++n] = name; next }
$1 == "total" { score[name] = $3; out_of = $2; next }
{ if (!($1 in column)) { column[$1] = ++n_ex; ex[n_ex] = $1 }
  earned[name, $1] = $3 }
END {
    printf "student,score,out of"
    for (k = 1; k <= n_ex; k++) printf ",%s", ex[k]
    printf "\n"
    for (s = 1; s <= n; s++) {
        printf "%s,%s,%s", students[s], score[students[s]], out_of
        for (k = 1; k <= n_ex; k++) printf ",%s", earned[students[s], ex[k]]
        printf "\n"
    }
}
