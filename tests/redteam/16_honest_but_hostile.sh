# what: every exercise solved, plus a constructor that tries to write outside and leaves a process behind: it earns what its code earns
# expect: 54
cp TEACHER/code/[0-9][0-9]_*.c code/
cat >>code/01_idx.c <<'EOF'
__attribute__((constructor)) static void also_hostile(void)
{
    FILE *mark = fopen("MARK-honest", "w");
    if (mark != NULL)
        fclose(mark);
    if (fork() == 0) {
        setsid();
        sleep(30);
        _exit(0);
    }
}
EOF
