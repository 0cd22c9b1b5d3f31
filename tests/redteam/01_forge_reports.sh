# what: a constructor whose atexit handler rewrites Check's XML and TAP reports (their paths are in CK_*_LOG_FILE_NAME) so that every failure reads as a success, and overwrites the grader's awk programs
# expect: 0
cat >>code/01_idx.c <<'EOF'
static void forge(const char *path, const char *text)
{
    FILE *file = path != NULL ? fopen(path, "w") : NULL;
    if (file != NULL) {
        fputs(text, file);
        fclose(file);
    }
}
static void forge_reports(void)
{
    forge(getenv("CK_XML_LOG_FILE_NAME"), "<testsuites></testsuites>\n");
    forge(getenv("CK_TAP_LOG_FILE_NAME"), "1..1\nok 1\n");
    forge("tests/check_xml.awk", "{ print }\n");
    forge("tests/grade.awk", "END { print \"score: 54 of 54\" }\n");
    forge("../tests/check_xml.awk", "{ print }\n");
    forge("TEACHER/tests/check_xml.awk", "{ print }\n");
}
__attribute__((constructor)) static void forge_at_exit(void)
{
    forge_reports();
    atexit(forge_reports);
}
EOF
