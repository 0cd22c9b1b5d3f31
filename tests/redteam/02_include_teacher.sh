# what: each chapter file one line that includes the teacher's copy (through the old scratch copy's data symlink, and by the teacher's absolute path)
# expect: 0
# compiles: no
for file in code/[0-9][0-9]_*.c; do
    printf '%%:include "../data/../%s"\n#include "TEACHER/%s"\n' "$file" "$file" >"$file"
done
