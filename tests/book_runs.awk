# tests/book_runs.awk: bin/runs.mk, the Makefile's rules for the runs the
# book quotes, from `bin/book --commands` (CAPTURE<TAB>COMMAND<TAB>EXPECT a
# line). A run's target is CAPTURE.digest, under $(ROOT); it comes after its
# program, the data's sums, and the runs that save the networks it reads
# (--load, --model), whose digests become part of its own. Other files it
# reads (--classify) are hashed as they are. The book's last runs, its long
# experiments, are listed first, so that two cores finish together.
# With -v fast=1, chapters 7 to 9's runs are made by their programs on
# chapter 11's loops (bin/fast/07_sgd for bin/07_sgd, ...): the same
# numbers, to the last bit (the suite of chapter 11 and the runs' committed
# outputs check it). Not in the student edition, where chapter 11's
# exercise may not be done yet.
seen[$1]++ { next } # a run the book quotes twice is one run
{
    capture[NR] = substr($1, 1, 2) == "./" ? substr($1, 3) : $1
    command[NR] = fast && $2 ~ /^0[789]_/ ? "fast/" $2 : $2
    expect[NR] = $3
    n = split($2, word, " ")
    for (k = 2; k < n; k++)
        if (word[k] == "--save")
            saver[word[k + 1]] = capture[NR] ".digest"
}
END {
    for (r = NR; r >= 1; r--) {
        if (!(r in capture))
            continue
        split(capture[r], part, "/")
        chapter = part[2]
        n = split(command[r], word, " ")
        reads = ""
        for (k = 2; k < n; k++) {
            if (word[k] != "--load" && word[k] != "--model" && word[k] != "--classify")
                continue
            file = word[k + 1]
            reads = reads " " (file in saver ? saver[file] : file)
        }
        target = "$(ROOT)/" capture[r] ".digest"
        prerequisites = ""
        m = split(reads, read, " ")
        for (k = 1; k <= m; k++)
            prerequisites = prerequisites " " (read[k] ~ /\.digest$/ ? "$(ROOT)/" read[k] : read[k])
        printf "RUNS += %s\nruns_%s: %s\n", target, chapter, target
        printf "%s: bin/%s bin/data.sha256%s $(if $(FRESH),FORCE)\n", target, word[1], prerequisites
        printf "\t@FRESH=$(FRESH) tests/book_run.sh '$(ROOT)' '%s' %s '%s'%s\n", capture[r], expect[r], command[r], reads
        phony = phony " runs_" chapter
    }
    printf ".PHONY:%s\n", phony
}
