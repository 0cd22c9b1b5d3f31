# tests/grade.sh: the classroom: the student edition (./build.sh student),
# grading (./build.sh grade), the judge and its sandbox for other people's
# code, and the student edition's round trip (part of ./build.sh test).
# Sourced by build.sh, whose functions it uses.

# ---- the classroom: student edition and grading ------------------------------
# What of tests/ the student edition gets: the suites, their runner and
# helpers, and what ./build.sh grade needs. Everything else there is the
# teacher's: hidden test cases (tests/hidden/), the wrong solutions that
# tests/plant.sh plants, the NumPy reference (it holds solutions), the fuzz
# target.
STUDENT_TESTS=(tests/test_*.c tests/runner.c tests/*.h tests/check_xml.awk
               tests/grade.awk tests/check.sh tests/grade.sh tests/bench.sh
               tests/book_run.sh tests/book_runs.awk)

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
    cp -r chapters code figures build.sh Makefile README.md .clang-format .gitignore "$dir"/
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
    for file in build.sh Makefile README.md code/*.h tests/*.c tests/*.h \
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
        [ "$stubs/names.txt" -nt tests/stubs.txt ] &&
        [ "$stubs/names.txt" -nt tests/grade.sh ] && return 0
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
    # The last chapter's worker, which serves every suite (compile_workers).
    worker_flags "$chapter" all
    (cd "$stubs" && cc "${FLAGS[@]}" -E -dM tests/judge/worker.c \
        -o "dm_all_${chapter%%_*}.txt") ||
        die "could not preprocess the student edition's worker"
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
worker_flags() {  # worker_flags CHAPTER [all]: the flags of its worker, into FLAGS
    FLAGS=("${SUITE_CFLAGS[@]}" "-DCHAPTER_FILE=\"../../code/$1.c\""
           "-DCH${1%%_*}_NO_MAIN")
    # The worker that serves every suite (all) is the last chapter's. A
    # chapter whose file wraps another (chapter 11: FAST_CHAPTER, chapter
    # 7's by default) wraps the chapter before it there, which includes
    # the others, so that one worker has every exercise.
    if [ "${2:-}" = all ] && grep -q '^#ifndef FAST_CHAPTER' "code/$1.c"; then
        local before
        before=$(chapters | grep -x -B 1 "$1" | head -n 1)
        [ "$before" = "$1" ] ||
            FLAGS+=("-DFAST_CHAPTER=\"$before.c\"" "-DCH${before%%_*}_NO_MAIN")
    fi
}

compile_worker() {  # compile_worker SUB OUT CHAPTER [all]
    local sub=$1 out=$2 n=${3%%_*} status=0 why seconds FLAGS
    [ "${4:-}" != all ] || n=all
    worker_flags "$3" "${4:-}"
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
    local dm=bin/judge/stubs/dm_${3%%_*}.txt
    [ "$n" != all ] || [ ! -f "bin/judge/stubs/dm_all_${3%%_*}.txt" ] ||
        dm=bin/judge/stubs/dm_all_${3%%_*}.txt
    why=$(awk -f tests/judge/refuse.awk -v names=bin/judge/stubs/names.txt \
        "$dm" "$sub/bin/worker_$n.dm" "$sub/bin/worker_$n.i")
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
# with every chapter in it (bin/worker_all, worker_flags), which serves
# every suite; if it does not compile, each chapter's, and the chapters
# that do not compile go to $2/compile.tsv with the compiler's first error.
compile_workers() {
    local sub=$1 out=$2 chapter n first last
    last=$(judged_chapters | tail -n 1)
    : >"$out/compile.tsv"
    local status=0
    compile_worker "$sub" "$out" "$last" all || status=$?
    [ -f "$sub/bin/worker_all" ] && return 0
    if [ $status -eq 2 ]; then # no time to try each chapter: none compiles
        for chapter in $(judged_chapters); do
            printf '%s\tthe compiler ran out of time in the sandbox (reading a device? a huge file?)\n' "$chapter"
        done >"$out/compile.tsv"
        return 0
    fi
    for chapter in $(judged_chapters); do
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
    for n in all $(judged_chapters | sed 's/_.*//'); do
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
        [ ! -f "$scratch/sub/bin/worker_all" ] || worker=all
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
    # Whatever of its sandboxes outlived the judge (a bwrap whose parent
    # died before --die-with-parent took hold, seen once under heavy load):
    # the uid is the sandboxes' alone. Then the control group they shared
    # (tests/judge/sandbox.sh).
    [ "$(id -u)" -ne 0 ] || pkill -KILL -u "$WORKBOOK_SANDBOX_UID" 2>/dev/null || true
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
    cflags
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
