#!/usr/bin/env bash
# tests/book_run.sh ROOT CAPTURE EXPECT 'COMMAND' [READ...]: one run the book
# quotes (a chapter's `@output` line), as the Makefile's rules (bin/runs.mk)
# call it. From the folder ROOT it runs bin/COMMAND into CAPTURE (with its
# standard error too when EXPECT is `fails`, which it then must), and writes
# CAPTURE.digest: a SHA-256 of everything the run depends on, namely the
# command line, the compiler's flags, every source file its program was
# compiled from (bin/PROGRAM.d, from -MMD), the data (bin/data.sha256) and
# each file it READs (a network: the digest of the run that saved it).
# A run whose committed digest matches, with its outputs there, is not run
# again (FRESH=1 runs it anyway): a fresh clone checks instead of training.
# Its time goes to bin/runs/NAME.ms and bin/runs/spent; a failure to
# bin/runs/failed ("chapter: message"), and the exit status is 1: then
# CAPTURE and its digest stay as they were (so the run runs again next time).
set -euo pipefail
root=$1 capture=$2 expect=$3 command=$4
shift 4
program=${command%% *}
chapter=${capture#figures/}
chapter=${chapter%%/*}

sources() {  # the files bin/$program.d says it was compiled from
    awk '{ line = $0; more = sub(/\\$/, "", line); if (NR == 1) sub(/^[^:]*:/, "", line)
           print line; if (!more) exit }' "bin/$program.d" | tr ' ' '\n' | grep -v '^$' | sort -u
}

digest() {
    local read
    {
        printf '%s\n' "$command" "$CFLAGS"
        # shellcheck disable=SC2046  # one file a line
        sha256sum $(sources)
        cat bin/data.sha256
        for read in "$@"; do
            case $read in
                *.digest) cat "$root/$read" ;;
                *) sha256sum "$read" ;;
            esac
        done
    } | sha256sum | cut -c1-64
}

saves_there() {  # is every network the command saves there?
    local words=($command) k
    for ((k = 0; k + 1 < ${#words[@]}; k++)); do
        [ "${words[k]}" != --save ] || [ -f "$root/${words[k + 1]}" ] || return 1
    done
}

new=$(digest "$@")
if [ "${FRESH:-}" != 1 ] && [ -f "$root/$capture" ] && saves_there &&
    [ "$(cat "$root/$capture.digest" 2>/dev/null)" = "$new" ]; then
    touch "$root/$capture.digest"
    exit 0
fi
mkdir -p "$root/${capture%/*}" bin/runs
start=$(date +%s%N)
status=0
# What it prints goes to CAPTURE.new, and replaces CAPTURE only if the run
# did as the book says: a failed run leaves the committed files as they
# were (the programs write their --out and --save files all or nothing).
# shellcheck disable=SC2086  # the command line splits into words
if [ "$expect" = ok ]; then
    (cd "$root" && bin/$command >"$capture.new") || status=1
elif (cd "$root" && bin/$command >"$capture.new" 2>&1); then
    status=2
fi
ms=$((($(date +%s%N) - start) / 1000000))
echo "$ms" >"bin/runs/${capture//\//_}.ms"
echo "$chapter $ms" >>bin/runs/spent
[ $status -eq 0 ] || rm -f "$root/$capture.new"
case $status in
    0) mv "$root/$capture.new" "$root/$capture"
       echo "$new" >"$root/$capture.digest" ;;
    1) echo "$chapter: 'bin/$command' failed" >>bin/runs/failed ;;
    2) echo "$chapter: 'bin/$command' should fail but did not" >>bin/runs/failed ;;
esac
[ $status -eq 0 ]
