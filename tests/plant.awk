# plant.awk: put a wrong solution in place of an exercise's solution.
#
#   awk -v id=4.1 -v block=1 -v wrong=FILE -f tests/plant.awk code/04_softmax.c
#
# prints code/04_softmax.c with the lines of the block-th "// @solution 4.1"
# block (up to its "// @end 4.1") replaced by the lines of FILE. The
# markers stay, so the result is still a workbook file.
BEGIN { seen = 0; skipping = 0 }
{
    line = $0
    sub(/^[ \t]+/, "", line)
    if (line ~ "^// @solution " id "( |$)") {
        seen++
        print
        if (seen == block) {
            while ((getline text < wrong) > 0)
                print text
            close(wrong)
            skipping = 1
        }
        next
    }
    if (skipping && line ~ "^// @end " id "( |$)")
        skipping = 0
    if (!skipping)
        print
}
END {
    if (seen < block) {
        printf "plant.awk: no solution block %d of exercise %s\n", block, id > "/dev/stderr"
        exit 1
    }
}
