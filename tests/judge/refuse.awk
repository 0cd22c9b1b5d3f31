# refuse.awk: what in a submission's preprocessed worker the judge refuses
# (./build.sh grade --submission, compile_worker). Prints one line saying
# why, or nothing.
#
#   awk -f tests/judge/refuse.awk -v names=NAMES STUB.dm SUBMISSION.dm SUBMISSION.i
#
# NAMES     every name in the judge's code of the worker (tests/judge/
#           remote.h and worker.c), one a line
# STUB.dm   the macros (cc -E -dM) of the student edition's worker
# SUBMISSION.dm, .i  the submission's macros, and its preprocessed worker
#
# Refused: a macro of the submission's, named like something of the
# judge's, that the student edition does not define the same way (it would
# change the judge's code that comes after the student's files); in the
# student's own files' lines, a name of the judge's (wire_..., remote_...,
# Wire..., REMOTE_..., __ubsan_...: calling or reaching into the judge's
# code) and no_sanitize (switching off the sanitizer the tests rely on).
# String and character literals are left out of the look.
function macro_name(line,    name) {
    name = line
    sub(/^#define[ \t]+/, "", name)
    sub(/[( \t].*$/, "", name)
    return name
}
function say(why) { print why; found = 1; exit }
BEGIN {
    while ((getline line < names) > 0)
        judges[line] = 1
}
FILENAME == ARGV[1] { if ($1 == "#define") stub[macro_name($0)] = $0; next }
FILENAME == ARGV[2] {
    if ($1 != "#define") next
    name = macro_name($0)
    mine[name] = 1
    if (name in judges && stub[name] != $0)
        say("your macro " name " changes the grader's own code in the worker, which the grader does not allow")
    next
}
FNR == 1 && FILENAME == ARGV[3] {
    for (name in stub)
        if (!(name in mine) && name in judges)
            say("your code undefines " name ", which the grader's own code in the worker needs")
}
/^# [0-9]+ "/ {
    file = $3
    gsub(/"/, "", file)
    students = file ~ /code\/[0-9][0-9]_[A-Za-z0-9_]*\.c$/
    next
}
students {
    text = $0
    gsub(/"([^"\\]|\\.)*"/, "\"\"", text)
    gsub(/'([^'\\]|\\.)*'/, "''", text)
    if (match(text, /(^|[^A-Za-z0-9_])(wire_|remote_|Wire|WIRE_|REMOTE_|Remote|__ubsan_)[A-Za-z0-9_]*/)) {
        name = substr(text, RSTART, RLENGTH)
        sub(/^[^A-Za-z_]/, "", name)
        say("your code uses " name ", a name of the grader's own code in the worker, which the grader does not allow")
    }
    if (text ~ /no_sanitize/)
        say("your code switches off the sanitizer the tests rely on (no_sanitize), which the grader does not allow")
}
