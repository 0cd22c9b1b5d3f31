# what: exercise 1.1 without its casts (undefined behaviour that gcc happens to get right), with the shift sanitizer switched off for that function by an attribute spelled through a macro; every other exercise solved
# expect: 0
# compiles: no
cp TEACHER/code/[0-9][0-9]_*.c code/
perl -0pi -e 's/(\/\/ \@solution 1\.1[^\n]*\n).*?(\s*\/\/ \@end 1\.1)/$1    return bytes[0] << 24 | bytes[1] << 16 | bytes[2] << 8 | bytes[3];$2/s; s/uint32_t read_be32\(const uint8_t bytes\[4\]\)\n\{/#define NO_CHECK(what) __attribute__((no_##what("shift")))\nNO_CHECK(sanitize) uint32_t read_be32(const uint8_t bytes[4])\n{/' code/01_idx.c
