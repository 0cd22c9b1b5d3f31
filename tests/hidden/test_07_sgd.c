/* Chapter 7's hidden test cases: the teacher's, left out of the student
 * edition. tests/runner.c adds them to the suite of tests/test_07_sgd.c
 * (they are compiled together, so they may use its helpers). They run in
 * the teacher's ./build.sh test and grade, and so in grade --submission. */

void hidden_07_sgd(Suite *suite);

/* Exercise 7.3, measured with the teacher's code: the student's program
 * trains (bin/07_sgd, the book's default settings, named on its command
 * line so that changed defaults do not count) and saves its network; the
 * teacher's program (WORKBOOK_REFERENCE, which grade --submission points
 * at the teacher's bin/07_sgd; here, bin/07_sgd is the teacher's) loads
 * the file and scores it on the test set. Nothing in the student's
 * code/07_sgd.c changes that score but the weights it trained. */
START_TEST(test_reaches_95_5_by_the_teachers_measure)
{
    const char *reference = getenv("WORKBOOK_REFERENCE");
    reference = reference != NULL ? reference : "bin/07_sgd";
    const char *net = temp_path("trained.net");
    char command[8192], out[8192];
    snprintf(command, sizeof command,
             "bin/07_sgd --data %s --iterations 1000 --batch 100 --lr 0.3 "
             "--hidden 128,64 --seed 1 --eval-every 1000 --save %s",
             test_data_dir(), net);
    int status = run_program(out, sizeof out, command);
    ck_assert_msg(status == 0,
                  "bin/07_sgd --save, your program with the default settings "
                  "(1000 iterations of 100, learning rate 0.3, 128,64), "
                  "failed (exit %d):\n%s",
                  status, out);
    snprintf(command, sizeof command, "%s --data %s --load %s", reference,
             test_data_dir(), net);
    status = run_program(out, sizeof out, command);
    const char *line = strstr(out, "test accuracy: ");
    ck_assert_msg(status == 0 && line != NULL,
                  "the teacher's bin/07_sgd --load could not test the network "
                  "your bin/07_sgd --save wrote (exit %d):\n%s",
                  status, out);
    double accuracy = strtod(line + strlen("test accuracy: "), NULL);
    ck_assert_msg(accuracy >= 95.5,
                  "trained by your bin/07_sgd (1000 iterations, default "
                  "settings) and tested by the teacher's code, the network "
                  "gets %.2f%% of the test digits right; 95.5%% is needed",
                  accuracy);
}
END_TEST

/* A 9 -> 2 -> 6 network for batches of 7: other shapes than the visible
 * tests use (so that a solution cannot be fitted to those). */
static void other_network(Network *net, Gradients *grads, Rng *rng)
{
    const int sizes[3] = {9, 2, 6};
    Error err;
    ck_assert(network_init(net, sizes, 3, 7, &err) == 0);
    ck_assert(gradients_init(grads, net, &err) == 0);
    network_randomize(net, INIT_SMALL, rng);
    random_gradients(grads, rng);
}

START_TEST(test_sgd_on_other_shapes)
{
    Network net;
    Gradients grads;
    Rng rng;
    rng_seed(&rng, test_seed(701));
    other_network(&net, &grads, &rng);
    expect_sgd_step(&net, &grads, 0.05f,
                    "sgd_step on a 9 -> 2 -> 6 network, rate 0.05 (a hidden "
                    "test): w = w - learning_rate * gradient, everywhere");
    gradients_free(&grads);
    network_free(&net);
}
END_TEST

START_TEST(test_momentum_on_other_shapes)
{
    Network net;
    Gradients grads, velocity;
    Error err;
    Rng rng;
    rng_seed(&rng, test_seed(702));
    other_network(&net, &grads, &rng);
    ck_assert(gradients_init(&velocity, &net, &err) == 0);
    for (int step = 1; step <= 2; step++) {
        Snapshot snapshot;
        snapshot_take(&snapshot, net.layers, net.n_layers);
        for (int b = 0; b < snapshot.n_blocks; b++) {
            const float *g = gradient_block(&grads, b);
            /* The same gradient twice: v = -0.05 g, then -0.075 g. */
            float v = step == 1 ? -0.05f : 0.5f * -0.05f - 0.05f;
            for (int k = 0; k < SNAPSHOT_SIZE(snapshot, b); k++)
                snapshot.expected[b][k] =
                    (double)(snapshot.before[b][k] + v * g[k]);
        }
        momentum_step(&net, &velocity, &grads, 0.05f, 0.5f);
        expect_blocks(snapshot.blocks, snapshot.n_blocks, net.max_batch,
                      "momentum_step on a 9 -> 2 -> 6 network, rate 0.05, "
                      "momentum 0.5, the same gradient twice (a hidden "
                      "test): v = momentum * v - rate * g; w = w + v");
        snapshot_free(&snapshot);
    }
    gradients_free(&velocity);
    gradients_free(&grads);
    network_free(&net);
}
END_TEST

void hidden_07_sgd(Suite *suite)
{
    TCase *sgd = tcase_create("exercise 7.1, hidden: other shapes");
    tcase_add_test(sgd, test_sgd_on_other_shapes);
    suite_add_tcase(suite, sgd);
    TCase *momentum = tcase_create("exercise 7.2, hidden: other shapes");
    tcase_add_test(momentum, test_momentum_on_other_shapes);
    suite_add_tcase(suite, momentum);
    TCase *measured =
        tcase_create("exercise 7.3, hidden: measured by the teacher's code");
    tcase_set_timeout(measured, 180);
    tcase_add_test(measured, test_reaches_95_5_by_the_teachers_measure);
    suite_add_tcase(suite, measured);
}
