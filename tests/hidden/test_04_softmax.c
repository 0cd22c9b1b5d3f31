/* Chapter 4's hidden test cases: the teacher's, left out of the student
 * edition. tests/runner.c adds them to the suite of tests/test_04_softmax.c
 * (they are compiled together, so they may use its helpers). */

void hidden_04_softmax(Suite *suite);

/* Scores drawn at random with a spread of hundreds, in batches of other
 * shapes than the visible tests use. */
static void random_scores(float *z, int n, uint64_t seed)
{
    Rng rng;
    rng_seed(&rng, seed);
    for (int k = 0; k < n; k++)
        z[k] = 80.0f * rng_normal(&rng) + (k % 7 == 3 ? 400.0f : 0.0f);
}

START_TEST(test_softmax_random_spread)
{
    float z[7 * 9];
    random_scores(z, 7 * 9, test_seed(401));
    const Softmax hidden = {"softmax (a hidden test)", 0.0f};
    expect_softmax(&hidden, z, 7, 9);
    expect_softmax(&hidden, z, 9, 7);
    expect_softmax(&hidden, z, 21, 3);
}
END_TEST

START_TEST(test_temperature_random_spread)
{
    float z[7 * 9];
    random_scores(z, 7 * 9, test_seed(402));
    const Softmax cold = {"softmax with temperature 0.3 (a hidden test)", 0.3f};
    const Softmax hot = {"softmax with temperature 7 (a hidden test)", 7.0f};
    expect_softmax(&cold, z, 7, 9);
    expect_softmax(&hot, z, 9, 7);
}
END_TEST

void hidden_04_softmax(Suite *suite)
{
    TCase *softmax = tcase_create("exercise 4.1, hidden: random spreads");
    tcase_add_test(softmax, test_softmax_random_spread);
    suite_add_tcase(suite, softmax);
    TCase *temperature = tcase_create("exercise 4.2, hidden: random spreads");
    tcase_add_test(temperature, test_temperature_random_spread);
    suite_add_tcase(suite, temperature);
}
