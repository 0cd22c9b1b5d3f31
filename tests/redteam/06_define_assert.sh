# what: Check's assertions defined away (ck_assert_msg, ck_assert, ck_abort_msg: written with digraphs and behind a comment, so that a line-based look misses them)
# expect: 0
for file in code/01_idx.c code/07_sgd.c; do
    { printf '%%:define ck_assert_msg(...) ((void)0)\n/**/#define ck_assert(...) ((void)0)\n%%:define ck_abort_msg(...) ((void)0)\n'; cat "$file"; } >"$file.new"
    mv "$file.new" "$file"
done
