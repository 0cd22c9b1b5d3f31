/* sgd_runs.h: what bin/07_sgd does besides the lesson (plumbing, not a
 * lesson): its options, and its five runs, which main chooses from: train
 * and report (the run the book shows), --load, --seeds, --overfit and
 * --lr-sweep. Included by code/07_sgd.c for its demo only. */
#ifndef SGD_RUNS_H
#define SGD_RUNS_H

#include <unistd.h> /* isatty */

enum { MAX_RATES = 8 }; /* rates in --lr-sweep's list, at most */

typedef struct {
    TrainOptions train;
    long iterations, eval_every, overfit;
    double lr_end; /* < 0: a constant learning rate */
    int init;      /* an Init */
    const char *save, *load;
    double rates[MAX_RATES]; /* --lr-sweep */
    int n_rates;
} Options;

static Options parse_options(int argc, char **argv)
{
    Options o = {.iterations = 1000,
                 .eval_every = 100,
                 .lr_end = -1,
                 .init = INIT_HE,
                 .train = train_options_default()};
    const Option options[] = {
        {"--iterations", "N", OPTION_WHOLE, &o.iterations, 1, 100000000,
         .help = "training steps (default 1000)"},
        {"--lr-end", "X", OPTION_POSITIVE, &o.lr_end,
         .help = "let the learning rate fall linearly from --lr to\n"
                 "X over the run (default: constant)"},
        {"--init", "NAME", OPTION_CHOICE, &o.init, .choices = "small|he",
         .help = "he (default) or small"},
        {"--eval-every", "N", OPTION_WHOLE, &o.eval_every, 1, LONG_MAX,
         .help = "test the network every N steps (default 100)"},
        {"--save", "FILE", OPTION_TEXT, &o.save,
         .help = "write the trained network to FILE"},
        {"--load", "FILE", OPTION_TEXT, &o.load,
         .help = "do not train: test the network saved in FILE"},
        {"--overfit", "N", OPTION_WHOLE, &o.overfit, 1, NETWORK_MAX_BATCH,
         .help = "do not train on all the digits: train on the first\n"
                 "N (1 to 1000) over and over, for --iterations steps,\n"
                 "and show their cost fall (exercise 7.4)"},
        {"--lr-sweep", "LIST", OPTION_NUMBERS, o.rates, 1, MAX_RATES,
         .count = &o.n_rates,
         .help = "train a fresh network with each learning rate of\n"
                 "LIST (such as 0.01,0.3,3; at most 8), for\n"
                 "--iterations steps each, and show the final cost\n"
                 "of each (exercise 7.5)"},
        TRAIN_OPTIONS(&o.train),
    };
    options_parse(options, OPTIONS_COUNT(options),
                  "Train a network with mini-batch SGD and test it.", argc,
                  argv);
    if (o.train.n_seeds > 0 && (o.save != NULL || o.load != NULL))
        usage_error("--seeds trains several networks: it cannot be combined "
                    "with --save or --load");
    if ((o.overfit > 0) + (o.n_rates > 0) + (o.load != NULL) > 1)
        usage_error("--overfit, --lr-sweep and --load each replace the "
                    "training: give at most one of them");
    if ((o.overfit > 0 || o.n_rates > 0) && o.save != NULL)
        usage_error("--save keeps a network trained on all the digits: it "
                    "cannot be combined with --overfit or --lr-sweep");
    if (o.load != NULL && (o.save != NULL || o.train.out_dir != NULL))
        usage_error("--load only tests a saved network: it cannot be combined "
                    "with --save or --out");
    if ((o.overfit > 0 || o.n_rates > 0) && o.lr_end >= 0)
        usage_error("--overfit and --lr-sweep train at a constant rate: they "
                    "cannot be combined with --lr-end");
    save_clash_check(o.save, o.train.out_dir);
    return o;
}

/* The learning rate for iteration `it` (1 .. iterations). */
static double learning_rate(const Options *o, long it)
{
    return learning_rate_at(o->train.learning_rate, o->lr_end, it - 1,
                            o->iterations - 1);
}

/* --load FILE: the saved network's cost and accuracy on the test set. */
static int test_saved(const Options *o, const Digits *test, Error *err)
{
    Network net;
    if (network_load(&net, o->load, EVALUATE_BATCH, err) != 0)
        return -1;
    int status = network_check_data(&net, o->load, test, err);
    if (status == 0) {
        Score on_test = network_evaluate(&net, test);
        printf("Loaded %s: ", o->load);
        network_print_sizes(stdout, &net);
        printf("\ntest cost: %.4f\ntest accuracy: %.2f%%\n", on_test.loss,
               100.0 * on_test.accuracy);
    }
    network_free(&net);
    return status;
}

/* Iteration `it` of training, its result in *step. Returns 0, or -1 with
 * err set if the run diverged: the run stops there, and main reports it. */
static int step_or_stop(StepResult *step, const Options *o, Trainer *trainer,
                        Network *net, const Digits *train, long it, Error *err)
{
    *step = train_step(trainer, net, train, (int)o->train.batch,
                       (float)learning_rate(o, it));
    if (!training_diverged(step->loss))
        return 0;
    fflush(stdout); /* what was printed so far, then main's error */
    return diverged_error(err, it, step->loss, o->train.learning_rate);
}

/* A run of at least 100 iterations whose last tenth's batch costs sum to
 * `recent` and that stalled at chance stops, as a diverged one does:
 * returns -1 with err set; else 0. */
static int stalled_check(const Options *o, double recent, Error *err)
{
    double mean = recent / (double)recent_window(o->iterations);
    if (o->iterations < 100 || !training_stalled(mean, N_CLASSES))
        return 0;
    fflush(stdout);
    return stalled_error(err, o->iterations, mean, o->train.learning_rate);
}

static void print_header(const Options *o, const Network *net)
{
    printf("Training ");
    network_print_sizes(stdout, net);
    printf(" (--init %s, --seed %ld) with mini-batch SGD:\n"
           "%ld iterations of %ld digits, learning rate %g",
           o->init == INIT_HE ? "he" : "small", o->train.seed, o->iterations,
           o->train.batch, o->train.learning_rate);
    if (o->lr_end >= 0)
        printf(" falling to %g", o->lr_end);
    printf(".\n\n");
    printf("%10s %12s %12s %12s %14s\n", "iteration", "batch cost",
           "batch acc.", "test cost", "test accuracy");
}

/* The batches' cost and accuracy since the last report. */
typedef struct {
    double loss, correct;
    long n;
} Window;

/* Train for o->iterations, printing the table the book shows: every
 * eval_every iterations the recent batches' average and the whole test
 * set's cost and accuracy (logged to train_log and test_log, if not NULL).
 * *on_test becomes the last test score, *best the best test accuracy seen.
 * Returns 0, or -1 with err set if the run diverged or stalled. */
static int train_and_report(Score *on_test, double *best, const Options *o,
                            Network *net, Trainer *trainer, const Digits *train,
                            const Digits *test, FILE *train_log, FILE *test_log,
                            Error *err)
{
    /* A live progress line on a terminal (on stderr, so that it never mixes
     * with results piped from stdout). */
    int live = isatty(STDERR_FILENO);
    double start = seconds_now();
    Window window = {0, 0, 0};
    double recent = 0.0; /* the batch costs of the last tenth */
    for (long it = 1; it <= o->iterations; it++) {
        StepResult step;
        if (step_or_stop(&step, o, trainer, net, train, it, err) != 0)
            return -1;
        if (it > o->iterations - recent_window(o->iterations))
            recent += step.loss;
        window.loss += step.loss;
        window.correct += step.correct;
        window.n++;
        if (train_log)
            fprintf(train_log, "%ld\t%.4f\t%.4f\n", it, step.loss,
                    (double)step.correct / (double)o->train.batch);
        if (live && (it % 10 == 0 || it == o->iterations))
            fprintf(stderr, "\r  iteration %ld/%ld  cost %.3f  %.0f it/s  ", it,
                    o->iterations, step.loss,
                    (double)it / (seconds_now() - start));
        if (it % o->eval_every == 0 || it == o->iterations) {
            *on_test = network_evaluate(net, test);
            *best = fmax(*best, on_test->accuracy);
            if (live)
                fprintf(stderr, "\r%60s\r", "");
            /* The batch columns average the iterations since the last
             * line: a single batch of 100 is a noisy measurement. */
            printf("%10ld %12.4f %11.2f%% %12.4f %13.2f%%\n", it,
                   window.loss / (double)window.n,
                   100.0 * window.correct / (double)(window.n * o->train.batch),
                   on_test->loss, 100.0 * on_test->accuracy);
            fflush(stdout);
            if (test_log)
                fprintf(test_log, "%ld\t%.4f\t%.4f\n", it, on_test->loss,
                        on_test->accuracy);
            window = (Window){0, 0, 0};
        }
    }
    double seconds = seconds_now() - start;
    if (stalled_check(o, recent, err) != 0)
        return -1;
    printf("\ntest accuracy: %.2f%%\n", 100.0 * on_test->accuracy);
    fprintf(stderr, "%s: trained in %.2f s, %.3f ms per iteration\n",
            program_name, seconds, 1000.0 * seconds / (double)o->iterations);
    return 0;
}

static void write_settings(FILE *values, const Options *o, const Digits *train)
{
    fprintf(values, "iterations %ld\nbatch %ld\nlr %g\nepochs %.2f\n",
            o->iterations, o->train.batch, o->train.learning_rate,
            (double)(o->iterations * o->train.batch) / (double)train->n);
    fprintf(values, "hidden ");
    hidden_write(values, &o->train);
    int sizes[NETWORK_MAX_LAYERS + 1];
    int n_sizes = digit_network_sizes(sizes, train->rows * train->cols,
                                      o->train.hidden, o->train.n_hidden);
    long n_params = 0;
    for (int s = 1; s < n_sizes; s++)
        n_params += (long)sizes[s - 1] * sizes[s] + sizes[s];
    fprintf(values, "\nn_params %ld\n", n_params);
}

static int write_values(const Options *o, const Digits *train, Score untrained,
                        Score on_test, double best, Error *err)
{
    FILE *values = output_open(o->train.out_dir, "values.txt", err);
    if (values == NULL)
        return -1;
    fprintf(values, "test_accuracy %.2f\ntest_loss %.4f\n",
            100.0 * on_test.accuracy, on_test.loss);
    fprintf(values, "best_test_accuracy %.2f\n", 100.0 * best);
    fprintf(values, "untrained_accuracy %.2f\nuntrained_loss %.4f\n",
            100.0 * untrained.accuracy, untrained.loss);
    write_settings(values, o, train);
    fprintf(values, "headline test accuracy %.2f%% after %ld iterations\n",
            100.0 * on_test.accuracy, o->iterations);
    return output_close(values, o->train.out_dir, "values.txt", err);
}

/* The run the book shows: train with --seed, report as it goes, then
 * save the network and write the logs and values if asked. */
static int single_run(const Options *o, const Digits *train, const Digits *test,
                      Error *err)
{
    Network net;
    Trainer trainer;
    if (training_setup(&net, &trainer, &o->train, (Init)o->init, train,
                       (uint64_t)o->train.seed, err) != 0)
        return -1;
    FILE *train_log = NULL, *test_log = NULL;
    int status = 0;
    if (o->train.out_dir != NULL) {
        train_log = output_open(o->train.out_dir, "train.tsv", err);
        test_log =
            train_log ? output_open(o->train.out_dir, "test.tsv", err) : NULL;
        status = test_log == NULL ? -1 : 0;
    }
    Score untrained = {0, 0}, on_test = {0, 0};
    if (status == 0 && test_log != NULL) { /* iteration 0, for the figure */
        fprintf(train_log, "# iteration\tbatch_cost\tbatch_accuracy\n");
        fprintf(test_log, "# iteration\ttest_cost\ttest_accuracy\n");
        untrained = network_evaluate(&net, test);
        fprintf(test_log, "0\t%.4f\t%.4f\n", untrained.loss,
                untrained.accuracy);
    }
    double best = 0.0;
    if (status == 0) {
        print_header(o, &net);
        status = train_and_report(&on_test, &best, o, &net, &trainer, train,
                                  test, train_log, test_log, err);
    }
    if (status == 0 && !network_is_finite(&net))
        status = not_finite_error(err, o->train.learning_rate);
    if (status == 0 && o->save != NULL && network_save(&net, o->save, err) != 0)
        status = -1;
    if (status == 0 && o->save != NULL)
        printf("saved the network to %s\n", o->save);
    if (status == 0 && o->train.out_dir != NULL) {
        status = output_close(train_log, o->train.out_dir, "train.tsv", err);
        if (status == 0)
            status = output_close(test_log, o->train.out_dir, "test.tsv", err);
        if (status == 0)
            status = write_values(o, train, untrained, on_test, best, err);
    }
    trainer_free(&trainer);
    network_free(&net);
    return status;
}

/* What a --seeds run trains, printed above its table. */
static void seeds_header(const Options *o, const Network *net)
{
    printf("Training ");
    network_print_sizes(stdout, net);
    printf(" (--init %s) with mini-batch SGD:\n%ld iterations of "
           "%ld digits, learning rate %g",
           o->init == INIT_HE ? "he" : "small", o->iterations, o->train.batch,
           o->train.learning_rate);
    if (o->lr_end >= 0)
        printf(" falling to %g", o->lr_end);
    printf(";\nonce with ");
    seeds_describe(stdout, &o->train);
    printf(".\n\n");
}

/* One row of a --seeds run: train a fresh network with `seed` (printing
 * the header first if `first`), and test it at the end, into *on_test.
 * Returns 0, or -1 with err set if it could not be made, diverged or
 * stalled. */
static int seed_train(Score *on_test, const Options *o, const Digits *train,
                      const Digits *test, long seed, int first, Error *err)
{
    Network net;
    Trainer trainer;
    if (training_setup(&net, &trainer, &o->train, (Init)o->init, train,
                       (uint64_t)seed, err) != 0)
        return -1;
    if (first)
        seeds_header(o, &net);
    double recent = 0.0;
    int status = 0;
    for (long it = 1; it <= o->iterations && status == 0; it++) {
        StepResult step;
        status = step_or_stop(&step, o, &trainer, &net, train, it, err);
        if (it > o->iterations - recent_window(o->iterations))
            recent += step.loss;
    }
    if (status == 0)
        status = stalled_check(o, recent, err);
    if (status == 0)
        *on_test = network_evaluate(&net, test);
    trainer_free(&trainer);
    network_free(&net);
    return status;
}

/* --seeds N: the same training once with each seed from 1 to N, tested
 * only at the end; a row per seed, then the mean and the range. */
static int seeds_run(const Options *o, const Digits *train, const Digits *test,
                     Error *err)
{
    OverSeeds columns[2] = {{.title = "test cost", .decimals = 4, .unit = ""},
                            {.title = "test acc.", .decimals = 2, .unit = "%"}};
    for (int k = 0; k < o->train.n_seeds; k++) {
        Score on_test;
        if (seed_train(&on_test, o, train, test, o->train.seeds[k], k == 0,
                       err) != 0)
            return -1;
        columns[0].values[columns[0].n++] = on_test.loss;
        columns[1].values[columns[1].n++] = 100.0 * on_test.accuracy;
    }
    over_seeds_table(stdout, columns, 2, o->train.seeds);
    if (o->train.out_dir == NULL)
        return 0;
    FILE *values = output_open(o->train.out_dir, "values.txt", err);
    if (values == NULL)
        return -1;
    over_seeds_write(values, "test_loss", &columns[0]);
    over_seeds_write(values, "test_accuracy", &columns[1]);
    write_settings(values, o, train);
    seeds_write(values, &o->train);
    fprintf(values, "headline test accuracy %.2f%% to %.2f%% over %d seeds\n",
            over_seeds_min(&columns[1]), over_seeds_max(&columns[1]),
            o->train.n_seeds);
    return output_close(values, o->train.out_dir, "values.txt", err);
}

/* Open the run's output files now, before any training (as temporary
 * files: outputs_commit puts them in place at the end), so that a folder or
 * file that cannot be written stops the run at once. */
static int outputs_open_early(const Options *o, Error *err)
{
    static const char *const names[3] = {"values.txt", "train.tsv", "test.tsv"};
    static const char *const sweep[2] = {"values.txt", "sweep.tsv"};
    if (o->load != NULL)
        return 0;
    if (o->save != NULL && output_open_file(o->save, err) == NULL)
        return -1;
    if (o->n_rates > 0 && o->train.out_dir != NULL) /* --lr-sweep */
        return outputs_open(o->train.out_dir, sweep, 2, err);
    int n_files = o->train.n_seeds > 0 || o->overfit > 0 ? 1 : 3;
    return o->train.out_dir == NULL
               ? 0
               : outputs_open(o->train.out_dir, names, n_files, err);
}

/* Seeing nothing, a network can only give every digit the same
 * probabilities; the best it can do is to use how often each label occurs,
 * which costs the labels' entropy, - sum of f ln f over the frequencies f. */
static double labels_entropy(const uint8_t *labels, int n)
{
    long counts[N_CLASSES] = {0};
    for (int b = 0; b < n; b++)
        counts[labels[b]]++;
    double entropy = 0.0;
    for (int d = 0; d < N_CLASSES; d++)
        if (counts[d] > 0)
            entropy -= (double)counts[d] / n * log((double)counts[d] / n);
    return entropy;
}

/* The two runs side by side at steps 0, 1, 2, 5, 10, 20, 50, ... and the
 * last. */
static void overfit_print(const double *costs, const double *blank, long steps)
{
    printf("%10s %14s %22s\n", "steps", "correct code",
           "inputs left at 0 (bug)");
    for (long s = 0;;) {
        printf("%10ld %14.4f %22.4f\n", s, costs[s], blank[s]);
        if (s == steps)
            break;
        long decade = 1;
        while (decade * 10 <= s)
            decade *= 10;
        long next = s == 0            ? 1
                    : s / decade == 1 ? 2 * decade
                    : s / decade == 2 ? 5 * decade
                                      : 10 * decade;
        s = next < steps ? next : steps;
    }
}

/* --overfit N: exercise 7.4 on the first N training digits, and the same
 * with the inputs left at 0 (a classic bug: the images never reach the
 * network), printed side by side. */
static int overfit_demo(const Options *o, const Digits *train, Error *err)
{
    int n = (int)o->overfit;
    long steps = o->iterations;
    double *costs = malloc(2 * (size_t)(steps + 1) * sizeof *costs);
    if (costs == NULL)
        return error_set(err, "out of memory for %ld costs", steps);
    double *blank = costs + steps + 1;
    size_t first[NETWORK_MAX_BATCH];
    for (int b = 0; b < n; b++)
        first[b] = (size_t)b;
    TrainOptions sized = o->train;
    sized.batch = n;
    for (int bug = 0; bug < 2; bug++) {
        Network net;
        Trainer trainer;
        if (training_setup(&net, &trainer, &sized, (Init)o->init, train,
                           (uint64_t)o->train.seed, err) != 0) {
            free(costs);
            return -1;
        }
        if (bug)
            memset(net.inputs, 0, (size_t)n * net.sizes[0] * sizeof(float));
        else
            digits_inputs(net.inputs, train, first, n);
        if (!bug) {
            printf("Overfitting one batch: ");
            network_print_sizes(stdout, &net);
            printf(" (--seed %ld), trained on\nthe first %d training "
                   "digits (images 0 to %d) only, over and over, at\n"
                   "learning rate %g. The batch's cost:\n\n",
                   o->train.seed, n, n - 1, o->train.learning_rate);
        }
        overfit_one_batch(bug ? blank : costs, &net, &trainer.grads, net.inputs,
                          train->labels, n, (float)o->train.learning_rate,
                          (int)steps);
        trainer_free(&trainer);
        network_free(&net);
    }
    overfit_print(costs, blank, steps);
    double entropy = labels_entropy(train->labels, n);
    printf("\nSeeing nothing, the best a network can do is guess by how "
           "often each label\noccurs among the %d: a cost of %.4f.\n",
           n, entropy);
    int status = 0;
    FILE *values = NULL;
    if (o->train.out_dir != NULL &&
        (values = output_open(o->train.out_dir, "values.txt", err)) == NULL)
        status = -1;
    if (values != NULL) {
        fprintf(values,
                "digits %d\nsteps %ld\nstart %.4f\nfinal %.4f\n"
                "blank_final %.4f\nlabel_entropy %.4f\n",
                n, steps, costs[0], costs[steps], blank[steps], entropy);
        fprintf(values, "headline one batch of %d overfit: cost %.4f\n", n,
                costs[steps]);
        status = output_close(values, o->train.out_dir, "values.txt", err);
    }
    free(costs);
    return status;
}

/* Under the sweep's table, a line for each rate whose training stalled at
 * chance (training_stalled) on some seeds: its cost would look like any
 * other high cost. stalled[r]: on how many seeds rate r stalled. */
static void sweep_stalled(int stalled[MAX_RATES], const OverSeeds *columns,
                          const Options *o, const long *seeds)
{
    int first = 1;
    for (int r = 0; r < o->n_rates; r++) {
        int at[MAX_SEEDS];
        stalled[r] = 0;
        for (int k = 0; k < columns[r].n && o->iterations >= 100; k++)
            if (training_stalled(columns[r].values[k], N_CLASSES))
                at[stalled[r]++] = k;
        if (stalled[r] == 0)
            continue;
        printf("%srate %g stalled at chance (a cost within %g of ln 10) with "
               "seed%s",
               first ? "\n" : "", o->rates[r], STALLED_WITHIN,
               stalled[r] > 1 ? "s" : "");
        for (int k = 0; k < stalled[r]; k++)
            printf("%s %ld", k > 0 ? "," : "", seeds[at[k]]);
        printf("\n");
        first = 0;
    }
}

/* What a --lr-sweep run trains, printed above its table. */
static void sweep_header(const Options *o, const Digits *train)
{
    printf("A learning-rate sweep: %d", train->rows * train->cols);
    for (int h = 0; h < o->train.n_hidden; h++)
        printf(" -> %d", o->train.hidden[h]);
    printf(" -> %d, a fresh network for each rate,\n%ld iterations of %ld "
           "digits. The mean batch cost of the last %ld iterations\n(inf: "
           "training diverged and stopped), for ",
           N_CLASSES, o->iterations, o->train.batch,
           recent_window(o->iterations));
    if (o->train.n_seeds > 0)
        seeds_describe(stdout, &o->train);
    else
        printf("seed %ld", o->train.seed);
    printf(":\n\n");
}

/* The sweep's values.txt: each rate, on how many seeds it stalled, and its
 * costs over the seeds. */
static int sweep_values(const Options *o, const OverSeeds *columns,
                        const int *stalled, Error *err)
{
    FILE *values = output_open(o->train.out_dir, "values.txt", err);
    if (values == NULL)
        return -1;
    for (int r = 0; r < o->n_rates; r++) {
        char key[32];
        snprintf(key, sizeof key, "cost_rate%d", r + 1);
        fprintf(values, "rate%d %g\nstalled_rate%d %d\n", r + 1, o->rates[r],
                r + 1, stalled[r]);
        over_seeds_write(values, key, &columns[r]);
    }
    fprintf(values, "iterations %ld\n", o->iterations);
    TrainOptions run = o->train;
    if (run.n_seeds == 0) {
        run.seeds[0] = run.seed;
        run.n_seeds = 1;
    }
    seeds_write(values, &run);
    fprintf(values, "headline learning-rate sweep of %d rates\n", o->n_rates);
    return output_close(values, o->train.out_dir, "values.txt", err);
}

/* --lr-sweep LIST: exercise 7.5 for --seed, or for each seed from 1 to N
 * with --seeds N: a column per rate, a row per seed. With --out, seed 1's
 * (or --seed's) batch costs go to sweep.tsv for the figure. */
static int sweep_demo(const Options *o, const Digits *train, Error *err)
{
    OverSeeds columns[MAX_RATES];
    char titles[MAX_RATES][32];
    const long *seeds = o->train.n_seeds > 0 ? o->train.seeds : &o->train.seed;
    int n_seeds = o->train.n_seeds > 0 ? o->train.n_seeds : 1;
    for (int r = 0; r < o->n_rates; r++) {
        snprintf(titles[r], sizeof titles[r], "rate %.3g", o->rates[r]);
        columns[r] = (OverSeeds){.title = titles[r], .decimals = 4, .unit = ""};
    }
    sweep_header(o, train);
    FILE *log = NULL;
    if (o->train.out_dir != NULL &&
        (log = output_open(o->train.out_dir, "sweep.tsv", err)) == NULL)
        return -1;
    for (int k = 0; k < n_seeds; k++) {
        double costs[MAX_RATES];
        if (learning_rate_sweep(costs, o->rates, o->n_rates, &o->train, train,
                                o->iterations, (uint64_t)seeds[k],
                                k == 0 ? log : NULL, err) != 0) {
            if (log != NULL)
                fclose(log);
            return -1;
        }
        for (int r = 0; r < o->n_rates; r++)
            columns[r].values[columns[r].n++] = costs[r];
    }
    over_seeds_table(stdout, columns, o->n_rates, seeds);
    int stalled[MAX_RATES];
    sweep_stalled(stalled, columns, o, seeds);
    if (log == NULL)
        return 0;
    if (output_close(log, o->train.out_dir, "sweep.tsv", err) != 0)
        return -1;
    return sweep_values(o, columns, stalled, err);
}

#endif /* SGD_RUNS_H */
