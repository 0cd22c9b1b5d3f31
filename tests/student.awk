# student.awk: a chapter's code as the student edition has it.
#
#   awk -f tests/student.awk code/04_softmax.c
#   awk -v only=4.1 -f tests/student.awk code/04_softmax.c
#
# A solution sits between "// @solution ID TASK" and "// @stub ID"; the
# stub that replaces it follows, commented out, up to "// @end ID". Prints
# the file with each solution replaced by a "// TODO(ID): TASK" line and
# the stub's lines, uncommented. With only=ID, only exercise ID's (the
# needs audit of tests/plant.sh --needs).
{
    line = $0; trimmed = line; sub(/^[ \t]+/, "", trimmed)
    if (trimmed ~ /^\/\/ @solution /) {
        split(trimmed, word, " ")
        if (only != "" && word[3] != only) { print; next }
        indent = substr(line, 1, length(line) - length(trimmed))
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
}
