/* The book's claims, checked against the numbers its runs wrote.
 *
 * A sentence that compares settings ("dropout beats no regularisation on
 * every seed") rests on runs over several seeds, whose results the chapter
 * programs write to figures/DIR/values.txt (with --seeds N: key_1 .. key_N,
 * key_mean, key_min, key_max). Each test here quotes a sentence of a
 * chapter, checks that the chapter still says it, and checks that the
 * committed values still support it. `./build.sh test` also re-runs every
 * chapter and requires the same values, so a change to the code that turns
 * a sentence false fails here, naming the sentence.
 */
#include "testing.h"

#include <ctype.h>
#include <math.h>
#include <stdarg.h>

Suite *suite_claims(void);

#define MIN_SEEDS 5 /* a comparison rests on at least this many seeds */

/* Where the values are: figures/, or the folder WORKBOOK_FIGURES names
 * (./build.sh claims --seeds LIST: the same claims, on runs with other
 * seeds). */
static const char *figures(void)
{
    const char *dir = getenv("WORKBOOK_FIGURES");
    return dir != NULL && dir[0] != '\0' ? dir : "figures";
}

/* The value of `key` in figures/DIR/values.txt. */
static double value(const char *dir, const char *key)
{
    char path[4096], line[512];
    snprintf(path, sizeof path, "%s/%s/values.txt", figures(), dir);
    FILE *file = fopen(path, "r");
    ck_assert_msg(file != NULL, "%s is missing: run ./build.sh", path);
    size_t n = strlen(key);
    while (fgets(line, sizeof line, file) != NULL) {
        if (strncmp(line, key, n) == 0 && line[n] == ' ') {
            fclose(file);
            return strtod(line + n + 1, NULL);
        }
    }
    fclose(file);
    ck_abort_msg("%s has no value '%s'", path, key);
    return 0.0;
}

/* key_SEED of a --seeds run. */
static double seed_value(const char *dir, const char *key, int seed)
{
    char name[128];
    snprintf(name, sizeof name, "%s_%d", key, seed);
    return value(dir, name);
}

/* Are these the book's own values (figures/), or a held-out check's
 * (WORKBOOK_FIGURES)? A few sentences describe the book's own seeds ("here
 * on all ten"); they are checked on the book's values only. */
static int book_values(void)
{
    return getenv("WORKBOOK_FIGURES") == NULL;
}

/* How many seeds the --seeds run `dir` used: at least MIN_SEEDS. */
static int seeds_of(const char *dir)
{
    int n = (int)value(dir, "seeds");
    ck_assert_msg(n >= MIN_SEEDS, "figures/%s must hold %d or more seeds", dir,
                  MIN_SEEDS);
    return n;
}

/* How many seeds the --seeds runs `a` and `b` used: the same number, and
 * at least MIN_SEEDS. */
static int seeds(const char *a, const char *b)
{
    int n = (int)value(a, "seeds");
    ck_assert_msg(n >= MIN_SEEDS && (int)value(b, "seeds") == n,
                  "figures/%s and figures/%s must hold the same %d or more "
                  "seeds",
                  a, b, MIN_SEEDS);
    return n;
}

/* Collapse every run of white space to one space, in place. */
static void squeeze(char *text)
{
    char *out = text;
    int space = 0;
    for (char *c = text; *c != '\0'; c++) {
        if (isspace((unsigned char)*c)) {
            space = 1;
            continue;
        }
        if (space && out != text)
            *out++ = ' ';
        space = 0;
        *out++ = *c;
    }
    *out = '\0';
}

/* The claim must still be in chapters/CHAPTER.md (line breaks aside), so
 * that the prose and its test change together. */
static void claim_in_chapter(const char *chapter, const char *claim)
{
    char path[256];
    snprintf(path, sizeof path, "chapters/%s.md", chapter);
    FILE *file = fopen(path, "r");
    ck_assert_msg(file != NULL, "cannot read %s", path);
    static char text[65536];
    size_t n = fread(text, 1, sizeof text - 1, file);
    fclose(file);
    text[n] = '\0';
    char wanted[1024];
    snprintf(wanted, sizeof wanted, "%s", claim);
    squeeze(text);
    squeeze(wanted);
    ck_assert_msg(strstr(text, wanted) != NULL,
                  "%s no longer says \"%s\": update tests/test_claims.c with "
                  "the new sentence, and check that the values support it",
                  path, claim);
}

/* Fail, quoting the claim, unless `holds`. */
static void expect(int holds, const char *chapter, const char *claim,
                   const char *format, ...)
    __attribute__((format(printf, 4, 5)));
static void expect(int holds, const char *chapter, const char *claim,
                   const char *format, ...)
{
    if (holds)
        return;
    char why[512];
    va_list args;
    va_start(args, format);
    vsnprintf(why, sizeof why, format, args);
    va_end(args);
    ck_abort_msg("chapters/%s.md says \"%s\", but %s", chapter, claim, why);
}

/* Each seed's `key` with run `a` against run `b` (the same seeds): how many
 * seeds have a above b and below it, the smallest and largest difference,
 * and their mean. */
typedef struct {
    int n, above, below;
    double least, most, mean;
} Paired;

static Paired paired(const char *a, const char *b, const char *key)
{
    Paired p = {.n = seeds(a, b), .least = HUGE_VAL, .most = -HUGE_VAL};
    for (int k = 1; k <= p.n; k++) {
        double d = seed_value(a, key, k) - seed_value(b, key, k);
        p.above += d > 0;
        p.below += d < 0;
        p.least = fmin(p.least, d);
        p.most = fmax(p.most, d);
        p.mean += d / p.n;
    }
    return p;
}

/* ---- Chapter 3 ----------------------------------------------------------- */

START_TEST(claim_one_layer_is_not_enough)
{
    const char *claim = "while the videos' network, with ReLU between its "
                        "layers, gets between";
    claim_in_chapter("03_relu", claim);
    double linear = value("07_sgd/linear", "test_accuracy_max");
    double relu = value("07_sgd/16_16_seeds", "test_accuracy_min");
    expect(linear < relu, "03_relu", claim,
           "the best single layer (%.2f%%) is not below the worst 16-16 "
           "network (%.2f%%)",
           linear, relu);
}
END_TEST

/* ---- Chapter 6 ----------------------------------------------------------- */

/* Chapter 6's sweep of epsilon, small steps: rounding. In float the error
 * grows as epsilon shrinks, until a correct backprop would look broken; in
 * double it stays. */
static void small_epsilon_claims(void)
{
    const char *grows = "With the cost in float, the error grows as epsilon "
                        "shrinks";
    claim_in_chapter("06_backprop", grows);
    for (int e = 3; e <= 5; e++) {
        char smaller[32], larger[32];
        snprintf(smaller, sizeof smaller, "sweep_float_%d", e);
        snprintf(larger, sizeof larger, "sweep_float_%d", e - 1);
        expect(value("06_backprop", smaller) > value("06_backprop", larger),
               "06_backprop", grows,
               "with the cost in float, epsilon number %d gives %g, not more "
               "than the %g of the epsilon before it",
               e, value("06_backprop", smaller), value("06_backprop", larger));
    }
    const char *broken = "where a correct backprop would look broken";
    claim_in_chapter("06_backprop", broken);
    expect(value("06_backprop", "sweep_float_5") >
               value("06_backprop", "agree_below"),
           "06_backprop", broken, "the error at 1e-6 in float is only %g",
           value("06_backprop", "sweep_float_5"));
    const char *stays = "With the cost in double the error stays at";
    claim_in_chapter("06_backprop", stays);
    double at = value("06_backprop", "sweep_double_4");
    for (int e = 2; e <= 5; e++) {
        char key[32];
        snprintf(key, sizeof key, "sweep_double_%d", e);
        expect(fabs(value("06_backprop", key) - at) <= 0.2 * at, "06_backprop",
               stays, "epsilon number %d gives %g in double, not about %g", e,
               value("06_backprop", key), at);
    }
}

/* The same sweep, large steps: the curve of the cost. Little room in float
 * at 0.001, an error that grows as the square of the step, and nudges that
 * cross a bend of ReLU. */
static void large_epsilon_claims(void)
{
    const char *room = "it has little room";
    claim_in_chapter("06_backprop", room);
    double third = value("06_backprop", "sweep_float_2") /
                   value("06_backprop", "agree_below");
    expect(third > 0.25 && third < 0.45, "06_backprop", room,
           "in float at 0.001 the error is %g of the threshold, not about a "
           "third",
           third);
    const char *curve = "a hundred times for ten times the step";
    claim_in_chapter("06_backprop", curve);
    double ratio = value("06_backprop", "sweep_double_0") /
                   value("06_backprop", "sweep_double_1");
    expect(ratio > 30 && ratio < 300, "06_backprop", curve,
           "from 0.01 to 0.1 the error in double grows %g times", ratio);
    const char *bends = "Many nudges cross a bend there";
    claim_in_chapter("06_backprop", bends);
    expect(value("06_backprop", "sweep_bent_0") >
                   value("06_backprop", "sweep_bent_1") &&
               value("06_backprop", "sweep_bent_1") > 0 &&
               value("06_backprop", "sweep_bent_4") == 0,
           "06_backprop", bends,
           "the bends at epsilon 0.1, 0.01 and 1e-5 are %g, %g and %g",
           value("06_backprop", "sweep_bent_0"),
           value("06_backprop", "sweep_bent_1"),
           value("06_backprop", "sweep_bent_4"));
}

START_TEST(claim_gradient_check_agrees)
{
    const char *claim = "In every block, backprop and central differences "
                        "agree to within";
    claim_in_chapter("06_backprop", claim);
    const char *runs[2] = {"06_backprop", "06_backprop/batch100"};
    for (int r = 0; r < 2; r++)
        expect(value(runs[r], "worst") <= value(runs[r], "agree_below") &&
                   value(runs[r], "all_bent") == 0,
               "06_backprop", claim,
               "figures/%s has a largest error of %g (%g blocks all bent)",
               runs[r], value(runs[r], "worst"), value(runs[r], "all_bent"));
    const char *dead = "The blocks after it are compared as usual";
    claim_in_chapter("06_backprop", dead);
    expect(value("06_backprop/chain", "all_zero") >= 3 &&
               value("06_backprop/chain", "worst") <=
                   value("06_backprop/chain", "agree_below") / 10,
           "06_backprop", dead,
           "video 4's chain has %g blocks all 0 and a largest error of %g",
           value("06_backprop/chain", "all_zero"),
           value("06_backprop/chain", "worst"));
    small_epsilon_claims();
    large_epsilon_claims();
}
END_TEST

/* ---- Chapter 7 ----------------------------------------------------------- */

START_TEST(claim_every_seed_clears_95_5)
{
    const char *claim = "each of the ten seeds clears the write-up's 95.5%";
    claim_in_chapter("07_sgd", claim);
    const char *dir = "07_sgd/seeds";
    int n = seeds_of(dir), clear = 0;
    for (int k = 1; k <= n; k++)
        clear += seed_value(dir, "test_accuracy", k) >= 95.5;
    /* The book's ten; on other seeds, as seed 42 shows, most. */
    if (book_values())
        expect(clear == n && n == 10, "07_sgd", claim,
               "%d of the book's %d seeds clear 95.5%% (the worst gets "
               "%.2f%%)",
               clear, n, value(dir, "test_accuracy_min"));
    else
        expect(2 * clear > n, "07_sgd", claim,
               "only %d of %d seeds clear 95.5%%", clear, n);
}
END_TEST

START_TEST(claim_he_beats_small)
{
    const char *claim = "He's rule ends with the lower test cost on nearly "
                        "every seed, and with the higher test accuracy on most";
    claim_in_chapter("07_sgd", claim);
    Paired cost = paired("07_sgd/seeds", "07_sgd/small", "test_loss");
    Paired acc = paired("07_sgd/seeds", "07_sgd/small", "test_accuracy");
    expect(cost.below >= cost.n - 1, "07_sgd", claim,
           "He's test cost is lower on only %d of %d seeds", cost.below,
           cost.n);
    expect(2 * acc.above > acc.n && acc.mean > 0.1, "07_sgd", claim,
           "He's accuracy is higher on %d of %d seeds, by %+.2f on average",
           acc.above, acc.n, acc.mean);
    const char *here = "here on all ten";
    claim_in_chapter("07_sgd", here);
    if (book_values())
        expect(acc.above == acc.n && acc.n == 10, "07_sgd", here,
               "He's accuracy is higher on %d of %d seeds", acc.above, acc.n);
}
END_TEST

START_TEST(claim_wider_is_better_and_steadier)
{
    const char *claim = "below the wider network on every seed, and less "
                        "predictable: its runs spread wider";
    claim_in_chapter("07_sgd", claim);
    Paired p = paired("07_sgd/seeds", "07_sgd/16_16_short", "test_accuracy");
    double narrow_max = value("07_sgd/16_16_short", "test_accuracy_max");
    double wide_min = value("07_sgd/seeds", "test_accuracy_min");
    double narrow_spread =
        narrow_max - value("07_sgd/16_16_short", "test_accuracy_min");
    double wide_spread = value("07_sgd/seeds", "test_accuracy_max") - wide_min;
    expect(narrow_spread > wide_spread, "07_sgd", claim,
           "the 16-16 runs spread over %.2f points, the 128-64 runs over %.2f",
           narrow_spread, wide_spread);
    /* The book's seeds: every one; others (seed 42, the text says): most. */
    if (book_values())
        expect(narrow_max < wide_min, "07_sgd", claim,
               "the best 16-16 run (%.2f%%) is not below the worst 128-64 run "
               "(%.2f%%)",
               narrow_max, wide_min);
    else
        expect(2 * p.above > p.n, "07_sgd", claim,
               "the wider network is ahead on only %d of %d seeds", p.above,
               p.n);
}
END_TEST

START_TEST(claim_seed_42)
{
    const char *claim = "happened to land badly";
    claim_in_chapter("07_sgd", claim);
    double best = value("07_sgd/seed42", "best_test_accuracy");
    double last = value("07_sgd/seed42", "test_accuracy");
    expect(best - last > 1.0 &&
               (!book_values() ||
                last < value("07_sgd/seeds", "test_accuracy_min")),
           "07_sgd", claim,
           "seed 42 reached %.2f%% and ended at %.2f%%, not far below it and "
           "below the book's seeds",
           best, last);
    const char *small = "the small one does a little better";
    claim_in_chapter("07_sgd", small);
    double narrow = value("07_sgd/16_16_seed42", "test_accuracy");
    expect(narrow > last && narrow - last < 1.0, "07_sgd", small,
           "at seed 42 the 16-16 network gets %.2f%%, the wider one %.2f%%",
           narrow, last);
}
END_TEST

START_TEST(claim_videos_network_about_96)
{
    const char *claim = "which is what 3Blue1Brown's second video says such "
                        "a network gets: \"about 96%\"";
    claim_in_chapter("07_sgd", claim);
    double accuracy = value("07_sgd/16_16", "test_accuracy");
    expect(fabs(accuracy - 96.0) <= 0.5, "07_sgd", claim,
           "the run shown reaches %.2f%%", accuracy);
    const char *spread = "seed alone moves the result by tenths of a point";
    claim_in_chapter("07_sgd", spread);
    double range = value("07_sgd/16_16_seeds", "test_accuracy_max") -
                   value("07_sgd/16_16_seeds", "test_accuracy_min");
    expect(range >= 0.1 && range < 1.5, "07_sgd", spread,
           "the seeds spread over %.2f points", range);
    expect(fabs(value("07_sgd/16_16_seeds", "test_accuracy_mean") - 96.0) <=
               0.75,
           "07_sgd", claim, "the seeds' mean is %.2f%%",
           value("07_sgd/16_16_seeds", "test_accuracy_mean"));
}
END_TEST

START_TEST(claim_relu_network_beats_one_layer)
{
    const char *claim = "Sixteen ReLU neurons in each of two hidden layers are "
                        "better on every seed";
    claim_in_chapter("07_sgd", claim);
    seeds("07_sgd/linear", "07_sgd/16_16_seeds");
    double linear = value("07_sgd/linear", "test_accuracy_max");
    double relu = value("07_sgd/16_16_seeds", "test_accuracy_min");
    expect(linear < relu, "07_sgd", claim,
           "the best single layer gets %.2f%%, the worst 16-16 network "
           "%.2f%%",
           linear, relu);
    const char *tops = "whatever the seed";
    claim_in_chapter("07_sgd", tops);
    double range = value("07_sgd/linear", "test_accuracy_max") -
                   value("07_sgd/linear", "test_accuracy_min");
    expect(range < 0.5, "07_sgd", tops,
           "the single layer's seeds spread over %.2f points", range);
}
END_TEST

START_TEST(claim_learning_rate_sweep)
{
    const char *dir = "07_sgd/lr_sweep";
    int n = seeds(dir, dir);
    const char *small = "well above the next rate's on every seed";
    claim_in_chapter("07_sgd", small);
    const char *best = "the lowest cost of the five rates on every seed";
    claim_in_chapter("07_sgd", best);
    const char *large = "it ends higher than at";
    claim_in_chapter("07_sgd", large);
    const char *dead = "the network stops learning altogether and its cost "
                       "settles near ln 10";
    claim_in_chapter("07_sgd", dead);
    const char *badly = "on the others it goes on learning, badly";
    claim_in_chapter("07_sgd", badly);
    const char *diverged = "within a few iterations the cost of a batch is "
                           "above 20, and training stops";
    claim_in_chapter("07_sgd", diverged);
    const char *either = "the network stalls at chance. Either way it learns "
                         "nothing";
    claim_in_chapter("07_sgd", either);
    int stalled = 0, diverged_here = 0;
    for (int k = 1; k <= n; k++) {
        double c[6];
        for (int r = 1; r <= 5; r++) {
            char key[32];
            snprintf(key, sizeof key, "cost_rate%d", r);
            c[r] = seed_value(dir, key, k);
        }
        expect(c[1] > 1.5 * c[2], "07_sgd", small,
               "seed %d: %.4f with the smallest rate, %.4f with the next", k,
               c[1], c[2]);
        expect(c[2] < c[1] && c[2] < c[3] && c[2] < c[4] && c[2] < c[5],
               "07_sgd", best, "seed %d: rate 2 costs %.4f, not the least", k,
               c[2]);
        expect(c[3] > c[2], "07_sgd", large, "seed %d: %.4f against %.4f", k,
               c[3], c[2]);
        int stuck = fabs(c[4] - log(10.0)) < 0.1;
        stalled += stuck;
        expect(stuck || c[4] > 2 * c[2], "07_sgd", badly,
               "seed %d: rate 4 neither stalls nor learns badly (%.4f)", k,
               c[4]);
        diverged_here += isinf(c[5]);
        expect(isinf(c[5]) || fabs(c[5] - log(10.0)) < 0.1, "07_sgd", either,
               "seed %d neither diverged nor stalled with the largest rate "
               "(%.4f)",
               k, c[5]);
    }
    expect(stalled == (int)value(dir, "stalled_rate4"), "07_sgd", dead,
           "%d seeds end near ln 10 with rate 4, the program counted %g",
           stalled, value(dir, "stalled_rate4"));
    if (book_values())
        expect(stalled > 0 && stalled < n && diverged_here == n, "07_sgd",
               diverged,
               "on the book's seeds rate 4 stalled on %d of %d, and rate 5 "
               "diverged on %d",
               stalled, n, diverged_here);
}
END_TEST

START_TEST(claim_overfit_one_batch)
{
    const char *claim = "The broken one cannot get below";
    claim_in_chapter("07_sgd", claim);
    const char *dir = "07_sgd/overfit";
    expect(value(dir, "final") < 0.01 &&
               value(dir, "blank_final") >= value(dir, "label_entropy"),
           "07_sgd", claim,
           "the working network ends at %.4f, the broken one at %.4f "
           "(entropy %.4f)",
           value(dir, "final"), value(dir, "blank_final"),
           value(dir, "label_entropy"));
}
END_TEST

/* ---- Chapter 8 ----------------------------------------------------------- */

START_TEST(claim_more_data_smaller_gap)
{
    const char *claim = "On every seed, the thousand digits leave a gap";
    claim_in_chapter("08_gap", claim);
    seeds_of("08_gap/small_seeds");
    seeds_of("08_gap/full_seeds");
    double small = value("08_gap/small_seeds", "gap_min");
    double full = value("08_gap/full_seeds", "gap_max");
    expect(small > 5 * full, "08_gap", claim,
           "the smallest 1000-digit gap is %.2f and the largest 50000-digit "
           "gap %.2f",
           small, full);
    const char *above = "also lifts the test accuracy above chapter 7's on "
                        "every seed";
    claim_in_chapter("08_gap", above);
    double worst = value("08_gap/full_seeds", "test_accuracy_min");
    double best7 = value("07_sgd/seeds", "test_accuracy_max");
    expect(worst > best7, "08_gap", above,
           "the worst 50000-digit seed gets %.2f%%, chapter 7's best %.2f%%",
           worst, best7);
}
END_TEST

START_TEST(claim_test_cost_rises_accuracy_flat)
{
    const char *claim = "on every seed, the lowest test cost comes between";
    claim_in_chapter("08_gap", claim);
    const char *dir = "08_gap/small_seeds";
    int n = seeds(dir, dir);
    for (int k = 1; k <= n; k++)
        expect(seed_value(dir, "cost_rise", k) > 0.01 &&
                   seed_value(dir, "lowest_cost_epoch", k) < 30,
               "08_gap", claim,
               "seed %d's test cost is lowest at epoch %g and rises by %g", k,
               seed_value(dir, "lowest_cost_epoch", k),
               seed_value(dir, "cost_rise", k));
    const char *flat = "on every seed it rises by a point or so at most, or "
                       "falls by a tenth or two";
    claim_in_chapter("08_gap", flat);
    for (int k = 1; k <= n; k++) {
        double change = seed_value(dir, "accuracy_after", k);
        expect(change > -0.3 && change < 1.5, "08_gap", flat,
               "seed %d's test accuracy changes by %.2f points", k, change);
    }
}
END_TEST

START_TEST(claim_confident_on_noise)
{
    const char *claim =
        "but nowhere near the 10% of an honest \"I don't know\"";
    claim_in_chapter("08_gap", claim);
    const char *dir = "08_gap/full_seeds";
    double noise_max = value(dir, "noise_confidence_max");
    double noise_min = value(dir, "noise_confidence_min");
    double digits_min = value(dir, "test_confidence_min");
    expect(noise_max < digits_min && noise_min > 30, "08_gap", claim,
           "on noise the confidence runs from %.1f%% to %.1f%%, on test "
           "digits from %.1f%%",
           noise_min, noise_max, digits_min);
}
END_TEST

START_TEST(claim_shuffled_labels)
{
    const char *claim = "The test accuracy stays within ten points of "
                        "chance (10%) from the first epoch to the last";
    claim_in_chapter("08_gap", claim);
    char curves[4096];
    snprintf(curves, sizeof curves, "%s/08_gap/shuffled/curves.tsv", figures());
    FILE *file = fopen(curves, "r");
    ck_assert_msg(file != NULL, "figures/08_gap/shuffled/curves.tsv is "
                                "missing: run ./build.sh");
    char line[512];
    int epochs = 0;
    double lowest = 1.0, highest = 0.0, train = 0.0;
    while (fgets(line, sizeof line, file) != NULL) {
        double v[7];
        if (line[0] == '#' ||
            sscanf(line, "%lf %lf %lf %lf %lf %lf %lf", &v[0], &v[1], &v[2],
                   &v[3], &v[4], &v[5], &v[6]) != 7)
            continue;
        epochs++;
        lowest = fmin(lowest, v[6]);
        highest = fmax(highest, v[6]);
        train = v[2];
    }
    fclose(file);
    expect(epochs > 0 && lowest > 0.05 && highest < 0.2, "08_gap", claim,
           "the test accuracy runs from %.1f%% to %.1f%% over %d epochs",
           100 * lowest, 100 * highest, epochs);
    const char *learned = "the network has learned a thousand arbitrary "
                          "pairings of image and digit by heart";
    claim_in_chapter("08_gap", learned);
    expect(train >= 0.99, "08_gap", learned,
           "its training accuracy ends at %.2f%%", 100 * train);
}
END_TEST

/* ---- Chapter 9 ----------------------------------------------------------- */

/* Setting `a` of chapter 9 against `b`, seed by seed. */
static Paired paired9(const char *a, const char *b, const char *key)
{
    char dir_a[128], dir_b[128];
    snprintf(dir_a, sizeof dir_a, "09_regularise/%s", a);
    snprintf(dir_b, sizeof dir_b, "09_regularise/%s", b);
    return paired(dir_a, dir_b, key);
}

START_TEST(claim_chapter_9_reproduces_chapter_8)
{
    const char *claim = "it draws the same random numbers and gets chapter "
                        "8's result to the last digit";
    claim_in_chapter("09_regularise", claim);
    const char *keys[3] = {"test_accuracy", "gap", "train_accuracy"};
    int n = seeds("09_regularise/none", "08_gap/small_seeds");
    for (int m = 0; m < 3; m++)
        for (int k = 1; k <= n; k++) {
            double nine = seed_value("09_regularise/none", keys[m], k);
            double eight = seed_value("08_gap/small_seeds", keys[m], k);
            expect(nine == eight, "09_regularise", claim,
                   "with the %d-th seed, %s is %.2f in chapter 9 and %.2f in "
                   "chapter 8",
                   k, keys[m], nine, eight);
        }
    /* Chapter 8's single run used seed 1: compare when the seeds start at 1. */
    if (value("09_regularise/none", "seed_list") == 1.0)
        expect(seed_value("09_regularise/none", "test_accuracy", 1) ==
                   value("08_gap/small", "test_accuracy"),
               "09_regularise", claim,
               "seed 1 gives %.2f%%, chapter 8's run %.2f%%",
               seed_value("09_regularise/none", "test_accuracy", 1),
               value("08_gap/small", "test_accuracy"));
}
END_TEST

START_TEST(claim_dropout_helps)
{
    const char *claim = "gives a higher test accuracy than no regularisation "
                        "on most seeds (on all ten here), by several tenths of "
                        "a point on average";
    claim_in_chapter("09_regularise", claim);
    Paired p = paired9("dropout", "none", "test_accuracy");
    expect(2 * p.above > p.n && p.mean >= 0.2 && p.mean <= 1.2, "09_regularise",
           claim,
           "dropout is above none on %d of %d seeds, by %+.2f to %+.2f "
           "points, %+.2f on average",
           p.above, p.n, p.least, p.most, p.mean);
    if (book_values())
        expect(p.above == p.n && p.n == 10, "09_regularise", claim,
               "on the book's seeds dropout is above none on %d of %d", p.above,
               p.n);
    const char *range = "from a third of a point to over a point on these ten";
    claim_in_chapter("09_regularise", range);
    if (book_values())
        expect(p.n == 10 && p.least >= 0.3 && p.least < 0.4 && p.most > 1.0,
               "09_regularise", range,
               "on the book's seeds dropout leads by %+.2f to %+.2f", p.least,
               p.most);
}
END_TEST

START_TEST(claim_l2_helps_the_cost)
{
    const char *claim = "makes no clear difference to the test accuracy";
    claim_in_chapter("09_regularise", claim);
    Paired p = paired9("l2", "none", "test_accuracy");
    expect(fabs(p.mean) < 0.4, "09_regularise", claim,
           "L2 minus none is %+.2f on average (from %+.2f to %+.2f)", p.mean,
           p.least, p.most);
    const char *here = "On these ten seeds it raises it a little on every one "
                       "(from a hundredth of a point to half a point)";
    claim_in_chapter("09_regularise", here);
    if (book_values())
        expect(p.n == 10 && p.above == 10 && p.least < 0.05 && p.most >= 0.4 &&
                   p.most < 0.6,
               "09_regularise", here,
               "on the book's seeds L2 is above none on %d of %d, by %+.2f to "
               "%+.2f",
               p.above, p.n, p.least, p.most);
    const char *cost = "What it changes on every seed is the *cost*";
    claim_in_chapter("09_regularise", cost);
    Paired c = paired9("l2", "none", "test_loss");
    expect(c.below == c.n, "09_regularise", cost,
           "L2's test cost is below none's on only %d of %d seeds", c.below,
           c.n);
}
END_TEST

START_TEST(claim_early_stopping)
{
    const char *claim =
        "its test accuracy is no better than no "
        "regularisation's, below it on most seeds by a tenth or "
        "two, and a little above it on a few: no clear "
        "difference, if anything a loss";
    claim_in_chapter("09_regularise", claim);
    Paired p = paired9("early", "none", "test_accuracy");
    expect(p.mean <= 0.05 && p.most < 0.5, "09_regularise", claim,
           "early stopping minus none is %+.2f on average (from %+.2f to "
           "%+.2f)",
           p.mean, p.least, p.most);
    if (book_values())
        expect(2 * p.below > p.n && p.above > 0, "09_regularise", claim,
               "on the book's seeds it is below on %d and above on %d of %d",
               p.below, p.above, p.n);
    const char *cost = "keeps a network whose test cost is lower than no "
                       "regularisation's on every seed, but its accuracy is "
                       "not: it is lower on most seeds";
    claim_in_chapter("09_regularise", cost);
    Paired c = paired9("early_cost", "none", "test_loss");
    Paired a = paired9("early_cost", "none", "test_accuracy");
    expect(c.below == c.n && 2 * a.below > a.n, "09_regularise", cost,
           "its cost is lower on %d seeds, its accuracy lower on %d, of %d",
           c.below, a.below, c.n);
}
END_TEST

START_TEST(claim_all_three)
{
    const char *claim = "beat no regularisation on each of the book's ten "
                        "seeds (on other seeds, on nearly every one: one "
                        "in ten or so goes the other way)";
    claim_in_chapter("09_regularise", claim);
    Paired p = paired9("all", "none", "test_accuracy");
    /* The book's seeds: every one; others: all but one in ten at most
     * (held-out lists of 5 and 10 seeds have shown 4 of 5 and 9 of 10). */
    int allowed = book_values() ? 0 : (p.n + 9) / 10;
    expect(p.above >= p.n - allowed, "09_regularise", claim,
           "all three beat none on %d of %d seeds", p.above, p.n);
    const char *smaller = "with dropout alone, leave the smallest gaps on "
                          "average";
    claim_in_chapter("09_regularise", smaller);
    const char *others[4] = {"none", "l2", "early", "early_cost"};
    double gap = fmax(value("09_regularise/all", "gap_mean"),
                      value("09_regularise/dropout", "gap_mean"));
    for (int s = 0; s < 4; s++) {
        char dir[64];
        snprintf(dir, sizeof dir, "09_regularise/%s", others[s]);
        expect(gap < value(dir, "gap_mean"), "09_regularise", smaller,
               "%s has a mean gap of %.2f (all three: %.2f, dropout: %.2f)",
               others[s], value(dir, "gap_mean"),
               value("09_regularise/all", "gap_mean"),
               value("09_regularise/dropout", "gap_mean"));
    }
    const char *dropout = "Against dropout alone there is no clear difference";
    claim_in_chapter("09_regularise", dropout);
    Paired d = paired9("all", "dropout", "test_accuracy");
    expect(fabs(d.mean) < 0.5, "09_regularise", dropout,
           "all three minus dropout is %+.2f on average", d.mean);
    if (book_values())
        expect(d.above > 0 && d.below > 0, "09_regularise", dropout,
               "on the book's seeds all three are ahead on %d and behind on "
               "%d",
               d.above, d.below);
    const char *closing = "None of them comes close to closing the gap";
    claim_in_chapter("09_regularise", closing);
    double smallest = value("09_regularise/all", "gap_min");
    double full = value("08_gap/full_seeds", "gap_max");
    expect(smallest > 5.0 && full < 2.5, "09_regularise", closing,
           "the smallest gap is %.2f points (50000 digits: %.2f at most, "
           "about two)",
           smallest, full);
}
END_TEST

START_TEST(claim_strong_l2_cripples)
{
    const char *claim = "Because a network can shrink its gap by learning "
                        "less";
    claim_in_chapter("09_regularise", claim);
    double gap = value("09_regularise/l2_strong", "gap_mean");
    double accuracy = value("09_regularise/l2_strong", "test_accuracy_max");
    expect(gap < value("09_regularise/none", "gap_min") &&
               accuracy < value("09_regularise/none", "test_accuracy_min"),
           "09_regularise", claim,
           "strong L2 has a mean gap of %.2f and at best %.2f%% test "
           "accuracy",
           gap, accuracy);
}
END_TEST

START_TEST(claim_best_chosen_on_validation)
{
    const char *claim = "The last setting has the best validation accuracy, "
                        "so it is our choice";
    claim_in_chapter("09_regularise", claim);
    double best = value("09_regularise/best", "validation_accuracy");
    const char *others[2] = {"09_regularise/plain",
                             "09_regularise/dropout_128_64"};
    for (int s = 0; s < 2; s++)
        expect(best >= value(others[s], "validation_accuracy"), "09_regularise",
               claim,
               "%s has %.2f%% on validation, the last "
               "%.2f%%",
               others[s], value(others[s], "validation_accuracy"), best);
    expect(value("09_regularise/best", "test_accuracy") > 98.0, "09_regularise",
           claim, "it reads only %.2f%% of the test digits",
           value("09_regularise/best", "test_accuracy"));
    const char *tenths = "the validation accuracies differ by a few tenths of "
                         "a point";
    claim_in_chapter("09_regularise", tenths);
    double lowest = fmin(value(others[0], "validation_accuracy"),
                         value(others[1], "validation_accuracy"));
    expect(best - lowest < 1.0, "09_regularise", tenths,
           "they differ by %.2f points", best - lowest);
}
END_TEST

START_TEST(claim_l2_sweep_u)
{
    const char *dir = "09_regularise/l2_sweep";
    int n = seeds(dir, dir);
    int n_l2 = (int)value(dir, "n_l2");
    ck_assert_msg(n_l2 == 5 && value(dir, "l2_1") == 0.0,
                  "figures/%s should sweep 5 strengths from 0", dir);
    const char *u = "The validation cost makes a U: on every seed it falls "
                    "from no weight decay to";
    claim_in_chapter("09_regularise", u);
    const char *most = "the lowest validation cost comes at";
    claim_in_chapter("09_regularise", most);
    const char *flat = "The validation accuracy, on the other hand, is nearly "
                       "flat from no decay to";
    claim_in_chapter("09_regularise", flat);
    int at_third = 0;
    double mean_acc[6] = {0};
    for (int k = 1; k <= n; k++) {
        double cost[6], acc[6];
        int low = 1, high = 1;
        for (int v = 1; v <= n_l2; v++) {
            char key[64];
            snprintf(key, sizeof key, "validation_loss_%d", v);
            cost[v] = seed_value(dir, key, k);
            snprintf(key, sizeof key, "validation_accuracy_%d", v);
            acc[v] = seed_value(dir, key, k);
            mean_acc[v] += acc[v] / n;
            low = cost[v] < cost[low] ? v : low;
            high = acc[v] > acc[high] ? v : high;
        }
        expect(cost[3] < cost[1] && cost[3] < cost[5], "09_regularise", u,
               "seed %d: validation cost %.4f at no decay, %.4f at the "
               "middle, %.4f at the strongest",
               k, cost[1], cost[3], cost[5]);
        at_third += low == 3;
        expect(low == 3 || low == 4, "09_regularise", most,
               "seed %d's lowest validation cost is at strength %d", k, low);
        expect(high < 5, "09_regularise", flat,
               "seed %d's highest validation accuracy is at the strongest "
               "decay",
               k);
    }
    expect(2 * at_third > n, "09_regularise", most,
           "the lowest cost is at the third strength on %d of %d seeds",
           at_third, n);
    for (int v = 1; v <= 3; v++)
        expect(mean_acc[5] < mean_acc[v] - 1.0 &&
                   fabs(mean_acc[v] - mean_acc[1]) < 0.5,
               "09_regularise", flat,
               "mean validation accuracy %.2f%% at strength %d, %.2f%% with "
               "none, %.2f%% at the strongest",
               mean_acc[v], v, mean_acc[1], mean_acc[5]);
}
END_TEST

/* ---- Chapter 10 ---------------------------------------------------------- */

START_TEST(claim_dead_neuron)
{
    const char *claim = "One of the sixteen, marked in the figure, is faint "
                        "all over";
    claim_in_chapter("10_inside", claim);
    const char *dir = "10_inside/neurons";
    expect(value(dir, "dead") == 1 && value(dir, "n1") == 16, "10_inside",
           claim, "%g of %g first-layer neurons are dead", value(dir, "dead"),
           value(dir, "n1"));
    const char *moved = "every other first-layer neuron moved by at least";
    claim_in_chapter("10_inside", moved);
    expect(value(dir, "dead_moved") < value(dir, "least_moved") / 5,
           "10_inside", moved,
           "the dead neuron moved by %.4f, the others by at least %.4f",
           value(dir, "dead_moved"), value(dir, "least_moved"));
}
END_TEST

/* ---- Chapter 11 ---------------------------------------------------------- */

START_TEST(claim_fast_loops_same_floats)
{
    const char *claim = "Not one float differs";
    claim_in_chapter("11_fast", claim);
    expect(value("11_fast/same", "differ_one_thread") == 0 &&
               value("11_fast/same", "differ_threads") == 0,
           "11_fast", claim, "%g floats differ on one thread and %g on two",
           value("11_fast/same", "differ_one_thread"),
           value("11_fast/same", "differ_threads"));
}
END_TEST

START_TEST(claim_order_changes_the_network)
{
    const char *claim = "The test accuracy changed by a tenth of a point or "
                        "less";
    claim_in_chapter("11_fast", claim);
    const char *dir = "11_fast/order";
    double floats = value(dir, "floats"),
           in_order = value(dir, "in_order_accuracy");
    double fused = value(dir, "fused_accuracy"),
           split = value(dir, "split_accuracy");
    expect(value(dir, "fused_differ") > 0.8 * floats &&
               value(dir, "split_differ") > 0.8 * floats,
           "11_fast", claim, "only %g and %g of %g floats differ",
           value(dir, "fused_differ"), value(dir, "split_differ"), floats);
    expect(fabs(fused - in_order) <= 0.1 + 1e-9 &&
               fabs(split - in_order) <= 0.1 + 1e-9,
           "11_fast", claim,
           "test accuracy %.2f%% in order, %.2f%% fused, %.2f%% split",
           in_order, fused, split);
}
END_TEST

Suite *suite_claims(void)
{
    Suite *suite = suite_create("claims");
    TCase *claims = tcase_create("the book's claims hold on its values");
    tcase_add_test(claims, claim_one_layer_is_not_enough);
    tcase_add_test(claims, claim_gradient_check_agrees);
    tcase_add_test(claims, claim_every_seed_clears_95_5);
    tcase_add_test(claims, claim_he_beats_small);
    tcase_add_test(claims, claim_wider_is_better_and_steadier);
    tcase_add_test(claims, claim_seed_42);
    tcase_add_test(claims, claim_videos_network_about_96);
    tcase_add_test(claims, claim_relu_network_beats_one_layer);
    tcase_add_test(claims, claim_learning_rate_sweep);
    tcase_add_test(claims, claim_overfit_one_batch);
    tcase_add_test(claims, claim_more_data_smaller_gap);
    tcase_add_test(claims, claim_test_cost_rises_accuracy_flat);
    tcase_add_test(claims, claim_confident_on_noise);
    tcase_add_test(claims, claim_shuffled_labels);
    tcase_add_test(claims, claim_chapter_9_reproduces_chapter_8);
    tcase_add_test(claims, claim_dropout_helps);
    tcase_add_test(claims, claim_l2_helps_the_cost);
    tcase_add_test(claims, claim_early_stopping);
    tcase_add_test(claims, claim_all_three);
    tcase_add_test(claims, claim_strong_l2_cripples);
    tcase_add_test(claims, claim_best_chosen_on_validation);
    tcase_add_test(claims, claim_l2_sweep_u);
    tcase_add_test(claims, claim_dead_neuron);
    tcase_add_test(claims, claim_fast_loops_same_floats);
    tcase_add_test(claims, claim_order_changes_the_network);
    suite_add_tcase(suite, claims);
    return suite;
}
