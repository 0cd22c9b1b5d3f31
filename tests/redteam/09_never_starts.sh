# what: a constructor that sleeps forever, so that no call is ever answered
# expect: 0
cat >>code/01_idx.c <<'EOF'
__attribute__((constructor)) static void never_return(void)
{
    for (;;)
        pause();
}
EOF
