# student.awk: a chapter's code as the student edition has it.
#
#   awk -f tests/student.awk tests/stubs.txt code/04_softmax.c
#   awk -v only=4.1 -f tests/student.awk tests/stubs.txt code/04_softmax.c
#
# A solution sits between "// @solution ID TASK" and "// @end ID"; its stub
# is under "@stub ID" in tests/stubs.txt (the k-th block of an exercise
# takes its k-th stub there). Prints the code file with each solution
# replaced by a "// TODO(ID): TASK" line and the stub's lines. With
# only=ID, only exercise ID's (the needs audit of tests/plant.sh --needs).
FNR == NR {
    if ($0 ~ /^#/) next
    if ($1 == "@stub") { id = $2; stub = id SUBSEP (++stubs[id]); n[stub] = 0; next }
    lines[stub, ++n[stub]] = $0
    next
}
{
    line = $0; trimmed = line; sub(/^[ \t]+/, "", trimmed)
    if (state == "" && trimmed ~ /^\/\/ @solution /) {
        split(trimmed, word, " ")
        id = word[3]
        if (only != "" && id != only) { print; next }
        stub = id SUBSEP (++used[id])
        if (!(stub in n)) {
            printf "student.awk: no stub %d of exercise %s in %s\n", used[id], id, ARGV[1] > "/dev/stderr"
            exit 1
        }
        indent = substr(line, 1, length(line) - length(trimmed))
        task = trimmed; sub(/^\/\/ @solution [^ ]+ ?/, "", task)
        print indent "// TODO(" id "): " task " (exercise " id \
              " in the book; ./build.sh test checks it)"
        for (k = 1; k <= n[stub]; k++) print lines[stub, k]
        state = "solution"; next
    }
    if (state == "solution" && trimmed ~ ("^// @end " id "$")) { state = ""; next }
    if (state == "solution") next
    print line
}
