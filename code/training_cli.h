/* training_cli.h: the command line of the training programs of chapters 7
 * to 9 (plumbing, not a lesson): the options they all take, parsed in one
 * place; how a --seeds run names its seeds; and the messages of a run that
 * stops because it diverged or stalled. Included by code/07_sgd.c, after
 * chapter 6's code. */
#ifndef TRAINING_CLI_H
#define TRAINING_CLI_H

#define MAX_SEEDS 20

// @listing train_options
/* Command-line plumbing shared by the training programs of chapters 7 to 9
 * (not a lesson): the options they all take, parsed in one place. */
typedef struct {
    long batch, seed;
    long seeds[MAX_SEEDS]; /* --seeds: train once with each of these */
    int n_seeds;           /* how many (0: just --seed) */
    double learning_rate;
    int hidden[NETWORK_MAX_LAYERS - 1], n_hidden;
    const char *data_dir, *out_dir;
} TrainOptions;
// @end train_options

TrainOptions train_options_default(void);
void hidden_write(FILE *out, const TrainOptions *o);
void save_clash_check(const char *save, const char *out_dir);
void seeds_describe(FILE *out, const TrainOptions *o);
void seeds_write(FILE *values, const TrainOptions *o);
int diverged_error(Error *err, long iteration, double loss,
                   double learning_rate);
int stalled_error(Error *err, long n_iterations, double recent_loss,
                  double learning_rate);
int not_finite_error(Error *err, double learning_rate);

/* The option table entries (common.h) of the options every training
 * program takes, read into TrainOptions `t`. */
// clang-format off
#define TRAIN_OPTIONS(t)                                                      \
    {"--batch", "N", OPTION_WHOLE, &(t)->batch, 1, NETWORK_MAX_BATCH,         \
     .help = "digits per step (default 100, at most 1000)"},                  \
    {"--lr", "X", OPTION_POSITIVE, &(t)->learning_rate,                       \
     .help = "learning rate (default 0.3)"},                                  \
    {"--hidden", "LIST", OPTION_SIZES, (t)->hidden, 0,                        \
     NETWORK_MAX_LAYERS - 1, .count = &(t)->n_hidden,                         \
     .help = "hidden layer sizes (default 128,64), or none"},                 \
    {"--seed", "N", OPTION_WHOLE, &(t)->seed, 0, LONG_MAX,                    \
     .help = "seed of every random choice: weights, shuffling, ...\n"         \
             "(default 1)"},                                                  \
    {"--seeds", "N|LIST", OPTION_SEEDS, (t)->seeds, 1, MAX_SEEDS,             \
     .count = &(t)->n_seeds,                                                  \
     .help = "train once with each seed from 1 to N (or of a list,\n"         \
             "such as 11,12,13), and show how much the results vary\n"        \
             "(at most 20 seeds)"},                                           \
    OPTION_DATA(&(t)->data_dir), OPTION_OUT(&(t)->out_dir)
// clang-format on

TrainOptions train_options_default(void)
{
    return (TrainOptions){.batch = 100,
                          .seed = 1,
                          .learning_rate = 0.3,
                          .hidden = {128, 64},
                          .n_hidden = 2,
                          .data_dir = "data/mnist"};
}

/* The hidden sizes as --hidden takes them: "128,64", or "none". */
void hidden_write(FILE *out, const TrainOptions *o)
{
    if (o->n_hidden == 0)
        fprintf(out, "none");
    for (int h = 0; h < o->n_hidden; h++)
        fprintf(out, "%s%d", h ? "," : "", o->hidden[h]);
}

/* A usage error if --save FILE is one of the files that --out DIR writes
 * (both would go into the same file, and one of them would be lost). Part
 * of the command-line parser: only a program's parse_options calls it, so
 * it may exit (common.h's rule). */
void save_clash_check(const char *save, const char *out_dir)
{
    static const char *const written[] = {"values.txt", "train.tsv",
                                          "test.tsv",   "curves.tsv",
                                          "seeds.tsv",  "sweep.tsv"};
    for (size_t k = 0; save != NULL && out_dir != NULL &&
                       k < sizeof written / sizeof written[0];
         k++)
        if (path_is(save, out_dir, written[k]))
            usage_error("--save %s is the %s that --out %s writes: save the "
                        "network somewhere else",
                        save, written[k], out_dir);
}

/* "each seed from 1 to 5", or "each of the seeds 11, 12, 13". */
void seeds_describe(FILE *out, const TrainOptions *o)
{
    int in_order = 1;
    for (int k = 0; k < o->n_seeds; k++)
        in_order = in_order && o->seeds[k] == k + 1;
    if (in_order) {
        fprintf(out, "each seed from 1 to %d", o->n_seeds);
        return;
    }
    fprintf(out, "each of the seeds ");
    for (int k = 0; k < o->n_seeds; k++)
        fprintf(out, "%s%ld", k == 0 ? "" : ", ", o->seeds[k]);
}

/* The seeds of a --seeds run, for values.txt: how many, and which (the
 * k-th seed's results are key_k). */
void seeds_write(FILE *values, const TrainOptions *o)
{
    fprintf(values, "seeds %d\nseed_list ", o->n_seeds);
    for (int k = 0; k < o->n_seeds; k++)
        fprintf(values, "%s%ld", k == 0 ? "" : ",", o->seeds[k]);
    fprintf(values, "\n");
}

/* The message for a run that diverged at `iteration`; returns -1. */
int diverged_error(Error *err, long iteration, double loss,
                   double learning_rate)
{
    return error_set(err,
                     "training diverged at iteration %ld (batch cost %g): "
                     "the learning rate %g is too large; try a smaller "
                     "--lr, such as %g",
                     iteration, loss, learning_rate, learning_rate / 10);
}

/* The message for a run whose cost stayed at chance (training_stalled);
 * returns -1. */
int stalled_error(Error *err, long n_iterations, double recent_loss,
                  double learning_rate)
{
    return error_set(err,
                     "training stalled: after %ld iterations the batch cost "
                     "is still %.4f, about ln 10 = %.4f, the cost of a "
                     "network that ignores its input (every ReLU of a layer "
                     "switched off?); try a smaller --lr, such as %.2g",
                     n_iterations, recent_loss, log((double)N_CLASSES),
                     learning_rate / 3);
}

/* The message for a run whose network holds a number that is not finite
 * (a weight that only ever meets inputs of 0 can grow to infinity while
 * every batch cost looks fine): it diverged, and is not kept. */
int not_finite_error(Error *err, double learning_rate)
{
    return error_set(err,
                     "training diverged: the network holds a number that is "
                     "not finite; try a smaller --lr, such as %g",
                     learning_rate / 10);
}

#endif /* TRAINING_CLI_H */
