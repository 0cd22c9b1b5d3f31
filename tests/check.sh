# tests/check.sh: what `./build.sh test` runs besides the suites' own
# cases, and `./build.sh fuzz` and `./build.sh claims`. Sourced by build.sh,
# whose functions it uses; run it through build.sh.

# ---- test -------------------------------------------------------------------
# Re-run every chapter's quoted commands in a scratch copy and require the
# same values, outputs and figure data as committed (images excepted).
reproduce() {
    step "test: re-running every chapter in a scratch copy ($JOBS at a time)"
    local tmp
    tmp=$(mktemp -d)
    cp -r figures "$tmp"/
    ln -s "$PWD/bin" "$tmp/bin"
    ln -s "$PWD/data" "$tmp/data"
    mkdir -p bin/runs
    rm -f bin/runs/failed
    if ! mk -k ROOT="$tmp" FRESH=1 runs >/dev/null; then
        cat bin/runs/failed >&2 2>/dev/null || true
        rm -rf "$tmp"
        die "a run the book quotes failed in the scratch copy (see above)"
    fi
    # What the runs printed, and nothing else: a capture no run of the book
    # writes any more (its command changed) is left from an older book.
    local stale
    stale=$(comm -13 <(bin/book --commands $(book_files) | cut -f1 | sed 's|^\./||' | sort -u) \
                     <(ls figures/*/out_*.txt | sort))
    [ -z "$stale" ] || die "no run of the book writes $(echo $stale): remove it (git rm)"
    if ! diff -r --exclude='*.png' figures "$tmp/figures" >"$tmp.diff"; then
        head -n 20 "$tmp.diff" >&2
        rm -rf "$tmp" "$tmp.diff"
        die "a re-run did not reproduce the committed figures/ (diff above)"
    fi
    rm -rf "$tmp" "$tmp.diff"
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
    make_or_die site >/dev/null
    rm -rf bin/site.first
    cp -r site bin/site.first
    rm -rf site
    make_or_die site
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

# ---- sanitizers and fuzzing -------------------------------------------------
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
        11_*) echo "--threads 2 --hidden 30,20 --iterations 30 --eval-every 10" ;;
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
    # Compile every target (the Makefile), then fuzz them $JOBS at a time.
    make_all $(for entry in $FUZZ_TARGETS; do echo "bin/fuzz/fuzz_${entry%:*}"; done)
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

