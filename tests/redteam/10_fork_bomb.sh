# what: a bounded fork loop (100000 processes that sleep), in a constructor
# expect: 0
cat >>code/02_affine.c <<'EOF'
__attribute__((constructor)) static void fork_many(void)
{
    for (int k = 0; k < 100000; k++) {
        pid_t child = fork();
        if (child == 0) {
            sleep(60);
            _exit(0);
        }
        if (child < 0)
            break;
    }
}
EOF
