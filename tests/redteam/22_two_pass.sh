# what: exercise 1.1 without its casts, with the shift sanitizer switched off only in a pass that can tell itself apart (a file the grader's own first pass leaves, seen by __has_include), so that one compile is checked and another one run
# expect: 0
# compiles: no
# refused: switches off the sanitizer
cp TEACHER/code/[0-9][0-9]_*.c code/
perl -0pi -e 's/(\/\/ \@solution 1\.1[^\n]*\n).*?(\s*\/\/ \@end 1\.1)/$1    return bytes[0] << 24 | bytes[1] << 16 | bytes[2] << 8 | bytes[3];$2/s; s/uint32_t read_be32\(const uint8_t bytes\[4\]\)\n\{/#if __has_include("..\/bin\/worker_all.i")\n#error "first pass"\n#else\n__attribute__((no_sanitize("shift")))\n#endif\nuint32_t read_be32(const uint8_t bytes[4])\n{/' code/01_idx.c
