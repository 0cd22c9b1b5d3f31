# leaks.awk: is any exercise's solution left in the student edition?
#
#   awk -v n_sources=N -f tests/leaks.awk SOURCE... FILE...
#
# The first N files are the teacher's code/NN_topic.c; every solution block
# there ("// @solution ID" up to "// @end ID") is looked for, line after
# line (spaces aside, blank lines skipped in the block), in each FILE: every
# file of the edition, whatever its kind. Prints one line per solution
# found, naming the file.
FNR == 1 { file++; name[file] = FILENAME }
{ text = $0; gsub(/[ \t\r]/, "", text) }
file <= n_sources {
    if (text ~ /^\/\/@solution/) {
        id = substr(text, 12); sub(/[^0-9.].*/, "", id)
        block++; n[block] = 0; ids[block] = id; on = 1
        next
    }
    if (on && text ~ /^\/\/@end/) { on = 0; next }
    if (on && text != "") lines[block, ++n[block]] = text
    next
}
text != "" { seen[file, ++count[file]] = text }
END {
    for (b = 1; b <= block; b++) {
        if (n[b] == 0)
            continue
        for (f = n_sources + 1; f <= file; f++)
            for (r = 1; r + n[b] - 1 <= count[f]; r++) {
                k = 1
                while (k <= n[b] && seen[f, r + k - 1] == lines[b, k]) k++
                if (k > n[b]) {
                    print "  solution " ids[b] " is in " name[f]
                    break
                }
            }
    }
}
