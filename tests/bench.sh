# tests/bench.sh: ./build.sh bench: chapter 7's training timed (and
# NumPy's), the student's edit-and-test loop, grading. Sourced by build.sh.

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

# bench_numpy N: chapter 7's training (1000 steps of 100, whole process) as
# bin/07_sgd does it on one core, bin/11_fast on two threads, and NumPy with
# OpenBLAS on two threads, side by side in one run: the median of N runs
# each (taken in turns, so that a slow spell of the machine hits all
# three), the largest memory, and bin/11_fast's time over NumPy's.
bench_numpy() {
    local runs=$1 hidden k name tmp
    local -A times memory
    local install="apt-get install -y -qq python3-numpy libopenblas0-pthread"
    if ! /usr/bin/python3 -c 'import numpy' 2>/dev/null; then
        [ "$(id -u)" -eq 0 ] || die "bench --numpy needs NumPy; as root, run: $install"
        step "bench --numpy: $install (log in /tmp/workbook-apt.log)"
        DEBIAN_FRONTEND=noninteractive $install >/tmp/workbook-apt.log 2>&1 ||
            die "could not install NumPy; run as root: $install"
    fi
    tmp=$(mktemp -d)
    step "bench --numpy: 1000 steps of 100, whole process, median of $runs runs (seconds, MiB)"
    printf '  %-14s %16s %22s %20s %8s\n' network "bin/07_sgd" "bin/11_fast --threads 2" "NumPy, 2 threads" "11/NumPy"
    for hidden in 128,64 16,16; do
        for ((k = 0; k < runs; k++)); do
            for name in plain fast numpy; do
                case $name in
                    plain) set -- bin/07_sgd --hidden "$hidden" --eval-every 1000 ;;
                    fast) set -- bin/11_fast --threads 2 --hidden "$hidden" --eval-every 1000 ;;
                    numpy) set -- env -u OPENBLAS_CORETYPE -u OPENBLAS_L2_SIZE OPENBLAS_NUM_THREADS=2 \
                               /usr/bin/python3 tests/numpy_reference.py --hidden "$hidden" ;;
                esac
                /usr/bin/time -f '%e %M' -o "$tmp/one" "$@" >/dev/null 2>&1 || die "bench: '$*' failed"
                cat "$tmp/one" >>"$tmp/$name"
            done
        done
        for name in plain fast numpy; do
            times[$name]=$(cut -d' ' -f1 "$tmp/$name" | median)
            memory[$name]=$(cut -d' ' -f2 "$tmp/$name" | sort -n | tail -n 1)
            rm "$tmp/$name"
        done
        printf '  784-%-9s %8.3f s %4d MiB %13.3f s %4d MiB %11.3f s %4d MiB %7.2fx\n' "${hidden/,/-}-10" \
            "${times[plain]}" $((${memory[plain]} / 1024)) "${times[fast]}" $((${memory[fast]} / 1024)) \
            "${times[numpy]}" $((${memory[numpy]} / 1024)) \
            "$(awk -v a="${times[fast]}" -v b="${times[numpy]}" 'BEGIN { print a / b }')"
    done
    rm -rf "$tmp"
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
    make_or_die bin/07_sgd bin/11_fast
    step "bench: bin/07_sgd --eval-every 1000 (1000 iterations of 100, 784-128-64-10), $runs runs"
    echo "  whole process, median: $(time_runs "$runs" bin/07_sgd --eval-every 1000) s"
    local ms
    ms=$(for ((k = 0; k < runs; k++)); do
        bin/07_sgd --eval-every 1000 2>&1 >/dev/null | sed -n 's/.*, \([0-9.]*\) ms per iteration/\1/p'
    done | median)
    echo "  training only, median: $ms ms per iteration"
    # OpenBLAS runs its best kernel only without the overrides it unsets.
    [ $numpy -eq 0 ] || bench_numpy "$runs"
}

