#!/usr/bin/env bash
# Chapter 6's gradient check must tell right from wrong: plant each classic
# backprop mistake in a copy of the code, and require bin/06_backprop to
# say that the gradients DISAGREE, with a largest error of at least 0.1, at
# seeds the book does not show. (The correct code's side, at many seeds,
# sizes and batches, is a Check case in tests/test_06_backprop.c.)
#   tests/backprop_mutants.sh        from the workbook's top folder
set -euo pipefail
cd "$(dirname "$0")/.."

# name | line in code/06_backprop.c | the line with the mistake
MUTANTS='= instead of += for dW|g_row[j] += x_i * dy_row[j];|g_row[j] = x_i * dy_row[j];
a forgotten / n_batch|float scale = 1.0f / (float)n_batch;|float scale = 1.0f;
ReLU mask taken with >=|dx[k] = y[k] > 0.0f ? dy[k] : 0.0f;|dx[k] = y[k] >= 0.0f ? dy[k] : 0.0f;
W not transposed in dx|dx_row[i] += dy_j * layer->weights[(size_t)i * n_out + j];|dx_row[i] += dy_j * layer->weights[(size_t)j * n_in + i];'

tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT

# mutant N NAME LINE MISTAKE: plant it in $tmp/N/, compile, check 3 seeds;
# what it finds goes to $tmp/N.out, and $tmp/N.failed if it was missed.
mutant() {
    local n=$1 name=$2 line=$3 mistake=$4 dir=$tmp/$1 seed out verdict error
    mkdir "$dir"
    cp code/*.c code/*.h "$dir"/
    awk -v line="$line" -v mistake="$mistake" '
        index($0, line) { sub(/[^ ].*/, ""); print $0 mistake; next } { print }
    ' code/06_backprop.c >"$dir/06_backprop.c"
    cc -std=c11 -O3 "$dir/06_backprop.c" -lm -o "$dir/06_backprop"
    for seed in 2 3 7; do
        out=$("$dir/06_backprop" --no-sweep --seed "$seed" --data "${WORKBOOK_DATA:-data/mnist}")
        verdict=$(printf '%s\n' "$out" | grep 'The largest error is')
        error=$(printf '%s\n' "$verdict" | sed 's/The largest error is \([^ ]*\) .*/\1/')
        if ! printf '%s\n' "$out" | grep -q 'they DISAGREE' ||
            ! awk -v e="$error" 'BEGIN { exit !(e >= 0.1) }'; then
            echo "  $name, --seed $seed: the check did not catch it: $verdict" >&2
            touch "$tmp/$n.failed"
        else
            echo "  caught: $name (--seed $seed: largest error $error)"
        fi
    done >"$tmp/$n.out" 2>&1
}

n=0
while IFS='|' read -r name line mistake; do
    if [ "$(grep -c -F "$line" code/06_backprop.c)" != 1 ]; then
        echo "backprop mutants: '$line' is not in code/06_backprop.c exactly once; update tests/backprop_mutants.sh" >&2
        exit 1
    fi
    n=$((n + 1))
    mutant "$n" "$name" "$line" "$mistake" &
    # two at a time (the machine's cores)
    while [ "$(jobs -rp | wc -l)" -ge "$(nproc 2>/dev/null || echo 2)" ]; do wait -n || true; done
done <<<"$MUTANTS"
wait
cat "$tmp"/[0-9]*.out
! ls "$tmp"/*.failed >/dev/null 2>&1 ||
    { echo "backprop mutants: a wrong backprop passed chapter 6's check" >&2; exit 1; }
