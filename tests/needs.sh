#!/usr/bin/env bash
# tests/needs.sh [ID...]: are the "needs" labels of the test cases true?
#
# For each exercise with a stub (or each ID given): in a scratch copy of
# the workbook, put that exercise's stub in place of its solution, and only
# that one, grade every suite (./build.sh grade there), and compare:
# - the exercise's own cases must fail;
# - a case whose name says "needs ... ID ..." (or belongs to an exercise
#   that needs ID) must fail: otherwise the label claims a need that is not
#   one;
# - every other case must pass: otherwise it needs ID without saying so.
# Prints each disagreement and fails if there is one. Slow (a full grade
# per exercise): `./build.sh plant --needs` runs it, ./build.sh test does
# not.
set -euo pipefail
cd "$(dirname "$0")/.."
repo=$PWD

tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
mkdir "$tmp/work"
cp -rp build.sh Makefile code tests chapters figures README.md "$tmp/work"/
ln -s "$repo/data" "$tmp/work/data"
if [ -d bin/tests ]; then
    mkdir "$tmp/work/bin"
    cp -rp bin/tests "$tmp/work/bin/"
    cp -p bin/[0-9][0-9]_* bin/book "$tmp/work/bin/" 2>/dev/null || true
fi
suites=$(for file in tests/test_*.c; do file=${file#tests/test_}; echo "${file%.c}"; done)
ids=$(grep -h -o '// @solution [0-9.]*' code/*.c | awk '{ print $3 }' | sort -u -V)
[ $# -eq 0 ] || ids="$*"

problems=0
for id in $ids; do
    chapter=$(printf '%02d' "${id%%.*}")
    file=$(ls code/"$chapter"_*.c)
    awk -v only="$id" -f tests/student.awk tests/stubs.txt "$file" >"$tmp/work/$file"
    # shellcheck disable=SC2086  # one suite a word
    (cd "$tmp/work" && ./build.sh grade $suites >"$tmp/grade.out" 2>&1) ||
        { cat "$tmp/grade.out" >&2; exit 1; }
    report=$tmp/work/bin/grade
    # shellcheck disable=SC2016  # an awk program
    found=$(awk -F'\t' -v id="$id" -v exercises="$report/exercises.tsv" '
        BEGIN { while ((getline line < exercises) > 0) { split(line, f, "\t"); needs[f[1]] = " " f[3] " " } }
        { key = $1 "\t" $2; if (!(key in result)) { order[++n] = key; result[key] = "pass" }
          if ($3 != "success") result[key] = "fail" }
        END {
            for (k = 1; k <= n; k++) {
                split(order[k], f, "\t"); name = f[2]
                if (match(name, /^exercise [0-9]+\.[0-9]+/)) {
                    own = substr(name, 10, RLENGTH - 9)
                    should = own == id || index(needs[own], " " id " ") > 0
                } else if (match(name, /needs [0-9. ]+/)) {
                    should = index(" " substr(name, RSTART + 6, RLENGTH - 6) " ", " " id " ") > 0
                } else {
                    should = 0
                }
                if (should && result[order[k]] == "pass")
                    print "  " id ": \"" name "\" (" f[1] ") passes with " id "'"'"'s stub in place, yet says it needs " id
                else if (!should && result[order[k]] == "fail")
                    print "  " id ": \"" name "\" (" f[1] ") fails with " id "'"'"'s stub in place, but does not say it needs " id
            }
        }' "$report/cases.tsv")
    if [ -n "$found" ]; then
        printf '%s\n' "$found"
        problems=$((problems + $(printf '%s\n' "$found" | wc -l)))
    else
        echo "  $id: every case that says it needs $id fails without it, and no other"
    fi
    cp "$file" "$tmp/work/$file"
done
echo "$problems untrue or missing needs labels"
[ "$problems" -eq 0 ]
