#!/usr/bin/env bash
# tests/plant.sh [--round-trip] [ID...]: are the wrong solutions a student
# is likely to write caught, with a hint that names the mistake? And is a
# bug in the given code caught without blaming an exercise?
#
# tests/wrong_solutions.txt lists them. Each is planted, one at a time, in
# a scratch copy of the workbook, and that chapter's suite is run
# (`./build.sh test NN` there, with Check's XML report):
# - a wrong solution (@wrong) replaces its exercise's solution; the
#   exercise's test case must fail with a message matching @hint;
# - a bug in the given code (@given) replaces each @from line of the
#   chapter's code with the @to line after it; a case of the suite that is neither
#   an exercise's nor needs one, or a "given code: ..." case (which may
#   need exercises: here they are all done), must fail with a message
#   matching @hint, and every exercise's case must still pass.
# Prints one line per entry and fails if any is missed. With IDs, only
# those exercises' entries (or "given"); with --round-trip, only those
# marked @round-trip (./build.sh test runs these). `./build.sh plant`
# runs them all. With --judge, each wrong solution is also graded by the
# judge of ./build.sh grade --submission (the student's code in a sandboxed
# worker, tests/judge/remote.h), whose message must match @hint too; where
# it is not word for word the suite's, both are printed.
set -euo pipefail
cd "$(dirname "$0")/.."
repo=$PWD
only_marked=0
judge=0
while [ $# -gt 0 ]; do
    case $1 in
        --round-trip) only_marked=1 ;;
        --judge) judge=1 ;;
        *) break ;;
    esac
    shift
done

tmp=$(mktemp -d)
trap 'rm -rf "$tmp" "$repo/bin/submissions/planted"' EXIT
mkdir "$tmp/planted"
cp -rp build.sh Makefile code tests chapters README.md "$tmp/planted"/
ln -s "$repo/data" "$tmp/planted/data"
if [ -d bin/tests ]; then # start from what is built: only planted chapters change
    mkdir "$tmp/planted/bin"
    cp -rp bin/tests "$tmp/planted/bin/"
    cp -p bin/[0-9][0-9]_* "$tmp/planted/bin/" 2>/dev/null || true
fi
# Every entry into files of its own: $tmp/N.info holds KIND<TAB>ID<TAB>
# BLOCK<TAB>HINT<TAB>MARKED<TAB>DESCRIPTION; $tmp/N.c the wrong lines (or,
# for @given, the @from line then the @to line).
awk -v dir="$tmp" '
    function flush() {
        if (n) print kind "\t" id "\t" block "\t" hint "\t" marked "\t" description > (dir "/" n ".info")
    }
    /^@(wrong|given) / {
        flush()
        n++; kind = substr($1, 2); id = $2; block = 1; hint = ""; marked = 0
        if (id ~ /\//) { block = id; sub(/.*\//, "", block); sub(/\/.*/, "", id) }
        description = $0; sub(/^@[a-z]+ [^ ]+ /, "", description)
        out = dir "/" n ".c"; printf "" > out
        next
    }
    /^@hint / { hint = $0; sub(/^@hint /, "", hint); next }
    /^@round-trip$/ { marked = 1; next }
    /^@(from|to) / { line = $0; sub(/^@(from|to) /, "", line); print line > out; next }
    n && !/^#/ { print > out }
    END { flush() }
' tests/wrong_solutions.txt

caught=0
missed=0
differ=0
# judged SUITE CASE: the message of the first failing test of CASE, as the
# judge grades the planted copy (empty if it passes).
judged() {
    (cd "$repo" && CK_RUN_CASE="$2" JUDGE_CHAPTERS="$1" \
        ./build.sh grade --submission "$tmp/planted" >"$tmp/judge.txt" 2>&1) || true
    local xml=$repo/bin/submissions/planted/$1.xml
    [ -f "$xml" ] || { echo "(the judge gave no report: $(tail -n 1 "$tmp/judge.txt"))"; return; }
    awk -f tests/check_xml.awk "$xml" | awk -F'\t' '$3 != "success" { print $4; exit }'
}
for info in $(printf '%s\n' "$tmp"/*.info | sort -V); do
    IFS=$'\t' read -r kind id block hint marked description <"$info"
    [ $only_marked -eq 0 ] || [ "$marked" = 1 ] || continue
    if [ $# -gt 0 ] && ! printf '%s\n' "$@" | grep -qx -e "$id" -e "$kind"; then
        continue
    fi
    lines=${info%.info}.c
    if [ "$kind" = wrong ]; then
        chapter=$(printf '%02d' "${id%%.*}")
        file=$(ls code/"$chapter"_*.c)
        suite=${file#code/}
        suite=${suite%.c}
        name=$(grep -o "\"exercise $id ([^\"]*\"" tests/test_"$suite".c | head -n 1 | tr -d '"')
        [ -n "$name" ] || { echo "plant: no test case for exercise $id" >&2; exit 1; }
        awk -v id="$id" -v block="$block" -v wrong="$lines" \
            -f tests/plant.awk "$file" >"$tmp/planted/$file"
    else
        file=$(ls code/"$id"*.c)
        chapter=${id:0:2}
        name=""
        # The @from and @to lines alternate in $lines.
        awk -v pairs="$lines" '
            BEGIN { while ((getline line < pairs) > 0) { from[++n] = line; getline to[n] < pairs } }
            { for (k = 1; k <= n; k++) if ($0 == from[k] && !done[k]) { $0 = to[k]; done[k] = 1; break }
              print }
            END { for (k = 1; k <= n; k++) if (!done[k]) { print "plant: no line \"" from[k] "\"" > "/dev/stderr"; exit 1 } }' \
            "$file" >"$tmp/planted/$file"
    fi
    rm -f "$tmp/result.xml"
    (cd "$tmp/planted" && if [ -n "$name" ]; then export CK_RUN_CASE="$name"; fi &&
        CK_XML_LOG_FILE_NAME="$tmp/result.xml" ./build.sh test "$chapter" >"$tmp/out.txt" 2>&1) || true
    message=""
    if [ -f "$tmp/result.xml" ]; then
        awk -f tests/check_xml.awk "$tmp/result.xml" >"$tmp/result.tsv"
        if [ "$kind" = wrong ]; then
            message=$(awk -F'\t' '$3 != "success" { print $4; exit }' "$tmp/result.tsv")
        else
            blamed=$(awk -F'\t' '$2 ~ /^exercise / && $3 != "success" { print $2; exit }' "$tmp/result.tsv")
            message=$(awk -F'\t' '$2 !~ /^exercise / && ($2 !~ /\(needs / || $2 ~ /^given code/) && $3 != "success" { print $2 ": " $4; exit }' "$tmp/result.tsv")
            [ -z "$blamed" ] || message="(it fails \"$blamed\", an exercise's case) $message"
        fi
    elif grep -q 'error' "$tmp/out.txt"; then
        message="(does not compile) $(grep -m 1 'error' "$tmp/out.txt")"
    fi
    verdict=""
    if [ $judge -eq 1 ] && [ "$kind" = wrong ]; then
        verdict=$(judged "$suite" "$name")
        if [ "$verdict" != "$message" ]; then
            differ=$((differ + 1))
            printf 'judge   %-5s suite: %s\n        judge: %s\n' "$id" "$message" "$verdict"
        fi
        printf '%s' "$verdict" | grep -q -i -E -- "$hint" || message="(the judge: $verdict) $message"
    fi
    if [ -n "$message" ] && [[ $message != "(it fails"* ]] && [[ $message != "(the judge"* ]] &&
        printf '%s' "$message" | grep -q -i -E -- "$hint"; then
        caught=$((caught + 1))
        printf 'caught  %-5s %s\n        hint: %s\n' "$id" "$description" "$message"
    else
        missed=$((missed + 1))
        printf 'MISSED  %-5s %s\n        expected a hint matching /%s/, got: %s\n' \
            "$id" "$description" "$hint" "${message:-(nothing failed)}"
    fi
    cp "$file" "$tmp/planted/$file"
done
echo "$caught planted mistakes caught, each with a hint that names it; $missed missed"
[ $judge -eq 0 ] ||
    echo "the judge's message matched the hint for each; word for word the suite's for all but $differ"
[ "$missed" -eq 0 ]
