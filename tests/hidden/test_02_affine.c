/* Chapter 2's hidden test cases: the teacher's, left out of the student
 * edition. tests/runner.c adds them to the suite of tests/test_02_affine.c
 * (they are compiled together, so they may use its helpers). */

void hidden_02_affine(Suite *suite);

/* Layers of other shapes and seeds than the visible tests use, so that a
 * solution cannot be fitted to those. */
START_TEST(test_forward_other_shapes)
{
    expect_forward(affine_forward, "affine_forward (a hidden test)", 13, 6, 7,
                   test_seed(201));
    expect_forward(affine_forward, "affine_forward (a hidden test)", 2, 30, 11,
                   test_seed(202));
}
END_TEST

START_TEST(test_by_neuron_other_shapes)
{
    expect_forward(affine_forward_by_neuron,
                   "affine_forward_by_neuron (a hidden test)", 13, 6, 7, test_seed(203));
    expect_forward(affine_forward_by_neuron,
                   "affine_forward_by_neuron (a hidden test)", 2, 30, 11, test_seed(204));
}
END_TEST

void hidden_02_affine(Suite *suite)
{
    TCase *forward = tcase_create("exercise 2.1, hidden: other shapes");
    tcase_add_test(forward, test_forward_other_shapes);
    suite_add_tcase(suite, forward);
    TCase *by_neuron = tcase_create("exercise 2.2, hidden: other shapes");
    tcase_add_test(by_neuron, test_by_neuron_other_shapes);
    suite_add_tcase(suite, by_neuron);
}
