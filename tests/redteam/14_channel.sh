# what: code that writes a forged hello and forged answers (with huge lengths) on the judge's channel and on every other file it may have been given (a test's channel to Check's runner, say), and closes them, from a constructor and from a stub
# expect: 0
cat >>code/01_idx.c <<'EOF'
__attribute__((constructor)) static void forge_channel(void)
{
    uint32_t forged[16] = {0x6b726f77u, 0x796c6572u, 1, 0, 0xffffffffu,
                           0xffffffffu, 0xffffffffu, 0xffffffffu};
    for (int fd = 0; fd < 1024; fd++)
        if (write(fd, forged, sizeof forged) < 0)
            continue;
}
EOF
perl -0pi -e 's/(    exercise_todo\("4\.1"\);)/    { uint32_t forged[4] = {0x796c6572u, 1, 0, 0}; for (int fd = 0; fd < 1024; fd++) if (write(fd, forged, sizeof forged) < 0) continue; for (int fd = 0; fd < 1024; fd++) close(fd); }\n$1/' code/04_softmax.c
