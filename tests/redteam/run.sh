#!/usr/bin/env bash
# tests/redteam/run.sh: grade a class of hostile submissions, and check that
# none of them gets a point its code did not earn or harms anything.
#
# Each tests/redteam/NN_name.sh is an attack (those in slow/ take minutes,
# and are run by hand): a few edits to a copy of the
# student edition (run in that copy; TEACHER stands for this workbook's
# folder and MARK for a path outside every scratch folder), with lines
#
#   # what: what it tries
#   # expect: the score its code earns (0 for a stubbed edition)
#   # compiles: no      (only for an attack made of code that cannot compile)
#   # refused: WORDS     (the reason its results must give, if it is refused)
#
# Two more folders have names that a gradebook must not take (a newline
# and commas; the gradebook's own file name). The whole class is graded by
# `./build.sh grade --class` into bin/redteam/, and then:
# - each attack scores exactly what it expects, every worker that should
#   compile did (so the attack really ran), and class.csv is a valid CSV
#   with one row per accepted folder;
# - the name with a newline is refused with a line, and given no row;
# - where no sandbox can be made (WORKBOOK_BWRAP=false), grading refuses;
# - this workbook is as it was (git status), nothing was written outside
#   the scratch folders (MARK-*, $HOME/redteam-pwned, TEACHER/redteam-pwned),
#   no process of the sandbox is left, and no report holds a line of the
#   teacher's files (hidden tests, wrong solutions, NumPy reference) or of
#   /etc/shadow.
set -euo pipefail
cd "$(dirname "$0")/../.."
repo=$PWD
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
mark=$tmp/outside/redteam
mkdir -p "$tmp/outside" "$tmp/class"
./build.sh student "$tmp/edition" >/dev/null

problems=""
declare -A expect compiles refused
for attack in tests/redteam/[0-9][0-9]_*.sh; do
    name=$(basename "$attack" .sh)
    cp -r "$tmp/edition" "$tmp/class/$name"
    sed -e "s|TEACHER|$repo|g" -e "s|MARK|$mark|g" "$attack" >"$tmp/$name.sh"
    (cd "$tmp/class/$name" && bash "$tmp/$name.sh") ||
        problems+="  $name: the attack's own script failed"$'\n'
    expect[$name]=$(sed -n 's/^# expect: //p' "$attack")
    compiles[$name]=$(sed -n 's/^# compiles: //p' "$attack")
    refused[$name]=$(sed -n 's/^# refused: //p' "$attack")
done
odd=$'evil,54\nmallory,54'
cp -r "$tmp/edition" "$tmp/class/$odd"
cp -r "$tmp/edition" "$tmp/class/class.csv"
expect[class.csv]=0

# A suite stopped before its last case (an attack can stall it until its
# time is up: tests/redteam/slow/stall_past_hidden.sh) must not skip a
# case: one named after an exercise that never ran counts as failed.
printf 'x\texercise 9.9 (2 points)\tsuccess\t\n' >"$tmp/cases.tsv"
printf '9.9\t2\t\tx\n' >"$tmp/declared.tsv"
printf 'x\texercise 9.9 (2 points)\nx\texercise 9.9, hidden: more\n' >"$tmp/expected.tsv"
: >"$tmp/none"
awk -F'\t' -v declared="$tmp/declared.tsv" -v compiled="$tmp/none" -v todo="$tmp/none" \
    -v csv="$tmp/results.csv" -v expected="$tmp/expected.tsv" \
    -f tests/grade.awk "$tmp/cases.tsv" >"$tmp/table.txt"
grep -q '^9\.9,2,0,wrong,.*never ran' "$tmp/results.csv" ||
    problems+="  an exercise whose hidden case never ran was not counted wrong: $(cat "$tmp/table.txt")"$'\n'

# Where no sandbox can be made, grading refuses, with one line.
if WORKBOOK_BWRAP=false ./build.sh grade --submission "$tmp/edition" >"$tmp/refused.out" 2>&1 ||
    ! grep -q '^build.sh: grade: no sandbox can be made here' "$tmp/refused.out"; then
    problems+="  with no sandbox, grade --submission did not refuse with a line: $(tail -n 1 "$tmp/refused.out")"$'\n'
fi

status_before=$(git status --porcelain 2>/dev/null || true)
start=$SECONDS
# Shorter limits than a teacher's (the attacks that stall would take
# minutes): a suite may run 90 s, a call 20 s.
JUDGE_SECONDS=90 WORKBOOK_CALL_SECONDS=20 CLASS_OUT=bin/redteam \
    ./build.sh grade --class "$tmp/class" >"$tmp/grade.out" 2>&1 ||
    { cat "$tmp/grade.out" >&2; echo "redteam: ./build.sh grade --class failed" >&2; exit 1; }
seconds=$((SECONDS - start))

out=bin/redteam
grep -q "refused: .*evil,54" "$tmp/grade.out" ||
    problems+="  the folder named 'evil,54<newline>mallory,54' was not refused with a line"$'\n'
fields=$(head -n 1 "$out/class.csv" | awk -F, '{ print NF }')
awk -F, -v n="$fields" 'NF != n { bad = 1 } END { exit bad }' "$out/class.csv" ||
    problems+="  class.csv has rows of different lengths"$'\n'
rows=$(($(wc -l <"$out/class.csv") - 1))
[ "$rows" -eq "${#expect[@]}" ] ||
    problems+="  class.csv has $rows rows, expected ${#expect[@]} (one per accepted folder)"$'\n'
for name in "${!expect[@]}"; do
    got=$(awk -F, -v who="$name" '$1 == who { print $2 }' "$out/class.csv")
    [ "$got" = "${expect[$name]}" ] ||
        problems+="  $name: scored '${got:-nothing}', expected ${expect[$name]} (see $out/students/$name/)"$'\n'
    ! grep -q ',no result,' "$out/students/$name/results.csv" ||
        problems+="  $name: a suite gave no result (see $out/students/$name/*.log)"$'\n'
    if [ "${compiles[$name]:-yes}" = yes ] && [ -s "$out/students/$name/compile.tsv" ]; then
        problems+="  $name: its workers did not compile, so the attack never ran: $(head -n 1 "$out/students/$name/compile.tsv")"$'\n'
    fi
    [ -z "${refused[$name]:-}" ] || grep -q -F -- "${refused[$name]}" "$out/students/$name/results.csv" ||
        problems+="  $name: not refused for what it does (${refused[$name]})"$'\n'
done

# The judge's own programs never crash on what a worker sends (18), the
# worker's words are marked as its own (21), and no report carries a
# terminal's escape codes (21).
! grep -r -q -e '(139)' -e 'Segmentation fault' "$out"/students/*/cases.tsv ||
    problems+="  a program of the judge's crashed: $(grep -r -l -e '(139)' -e 'Segmentation' "$out"/students/*/cases.tsv | head -n 1)"$'\n'
! grep -r -q 'count 7.1 as right' "$out" ||
    grep -q 'the worker says: "could not be judged' "$out/students/21_fake_messages/results.csv" ||
    problems+="  the worker's own words reached a report unmarked"$'\n'
! grep -r -q -P '\x1b' "$out" || problems+="  a report holds a terminal escape code"$'\n'

[ "$(git status --porcelain 2>/dev/null || true)" = "$status_before" ] ||
    problems+="  this workbook changed (git status)"$'\n'
for written in "$mark"* "${HOME:-/root}/redteam-pwned" "$repo/redteam-pwned" \
    "$repo/bin/class/redteam-pwned" "$out/redteam-pwned"; do
    [ ! -e "$written" ] || problems+="  $written was written"$'\n'
done
# The sandboxes' processes: those of the sandbox's users (as root), or those
# running a worker. A process just killed may wait a moment to be reaped.
sandbox_processes() {
    if [ "$(id -u)" -eq 0 ]; then
        ps -eo uid=,pid=,stat=,args= | awk '$1 >= 2000000000'
    else
        ps -eo pid=,stat=,args= | grep -F '/sub/bin/worker_' | grep -v grep
    fi
}
for _ in 1 2 3 4 5 6 7 8 9 10; do
    left=$(sandbox_processes || true)
    [ -n "$left" ] || break
    sleep 1
done
[ -z "$left" ] || problems+="  processes of the sandbox are left: $left"$'\n'
secrets=("START_TEST(test_reaches_95_5_by_the_teachers_measure)" "@wrong 1.1"
         "redteam was here")
secrets+=("$(grep -m 1 -v -e '^#' -e '^$' tests/numpy_reference.py)")
[ -r /etc/shadow ] && secrets+=("$(head -n 1 /etc/shadow)")
for secret in "${secrets[@]}"; do
    ! grep -r -q -F -- "$secret" "$out" ||
        problems+="  a report holds a secret line: $secret"$'\n'
done

if [ -n "$problems" ]; then
    cat "$tmp/grade.out" >&2
    printf 'redteam: %s' "$problems" >&2
    exit 1
fi
echo "$((${#expect[@]} - 1)) hostile submissions and 2 hostile folder names graded in $seconds s: each scored what its code earns, the workbook unchanged, nothing written outside, no process left, no secret in a report"
