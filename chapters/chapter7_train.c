// Chapter 7: see chapter7_train.h.
#include "chapter7_train.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "plotfile.h"

TrainConfig config_from(const char *const *v) {
    TrainConfig c = {.data_path = v[0] ? v[0] : DEFAULT_DATA, .c1 = DEFAULT_C1, .c2 = DEFAULT_C2};
    if (!*c.data_path) usage_error("--data: empty file name");
    c.epochs = v[1] ? option_int("--epochs", v[1], 0, MAX_EPOCHS) : DEFAULT_EPOCHS;
    c.batch = v[2] ? option_int("--batch", v[2], 1, MAX_BATCH) : DEFAULT_BATCH;
    c.lr = v[3] ? option_number("--lr", v[3]) : DEFAULT_LR;
    if (!(c.lr > 0.0) || c.lr > LR_MAX) usage_error("--lr: '%s' must be above 0 and at most %g", v[3], LR_MAX);
    if (v[4]) {
        option_size("--channels", v[4], &c.c1, &c.c2);
        if (c.c1 > MAX_CHANNELS || c.c2 > MAX_CHANNELS)
            usage_error("--channels: '%s' has more than %d channels in a layer", v[4], MAX_CHANNELS);
    }
    c.images = v[5] ? option_int("--images", v[5], 2, 1 << 20) : 0;
    return c;
}

void load_data(Dataset *train, Dataset *test, const TrainConfig *c, uint64_t seed) {
    Dataset all;
    char err[400];
    if (!dataset_load_csv_classes(&all, c->data_path, IMAGE_SIDE, IMAGE_SIDE, CLASSES, err, sizeof err))
        usage_error("--data: %s", err);
    if (c->images && c->images < all.n) all.n = c->images; // the first N images (the arrays stay as read)
    const char *why = dataset_split_loaded(train, test, &all, TEST_FRACTION, seed);
    if (why) usage_error("--data: %s", why);
}

// Mean loss and accuracy over d (in batches of MAX_BATCH); fills confusion when given.
static void evaluate(Trainer *tr, const Dataset *d, double *loss, double *acc, int (*confusion)[CLASSES]) {
    double sum = 0.0;
    int right = 0;
    for (int first = 0; first < d->n; first += MAX_BATCH) {
        int n = d->n - first < MAX_BATCH ? d->n - first : MAX_BATCH;
        for (int b = 0; b < n; b++) tr->by[b] = (int)d->y[first + b];
        deep_forward(&tr->t, tr->a, tr->theta, d->x + (size_t)first * IMAGE_SIDE * IMAGE_SIDE, n);
        sum += n * deep_loss(&tr->t, NULL, tr->a, tr->theta, tr->by, n, tr->bug);
        for (int b = 0; b < n; b++) {
            int best = 0;
            for (int k = 1; k < CLASSES; k++) best = tr->t.z[b * CLASSES + k] > tr->t.z[b * CLASSES + best] ? k : best;
            right += best == tr->by[b];
            if (confusion) confusion[tr->by[b]][best]++;
        }
    }
    *loss = sum / d->n, *acc = (double)right / d->n;
}

// One epoch of mini-batch SGD with momentum over a seeded order; returns the
// mean training loss over its batches.
static double train_epoch(Trainer *tr, const Dataset *d, int *order, Rng *rng, const TrainConfig *c, double lr) {
    dataset_shuffle(order, d->n, rng);
    double sum = 0.0;
    const int px = IMAGE_SIDE * IMAGE_SIDE, np = tr->a->n_params;
    for (int first = 0; first < d->n; first += c->batch) {
        int n = d->n - first < c->batch ? d->n - first : c->batch;
        for (int b = 0; b < n; b++) {
            memcpy(tr->bx + b * px, d->x + (size_t)order[first + b] * px, (size_t)px * sizeof(double));
            tr->by[b] = (int)d->y[order[first + b]];
        }
        deep_forward(&tr->t, tr->a, tr->theta, tr->bx, n);
        sum += n * deep_loss(&tr->t, NULL, tr->a, tr->theta, tr->by, n, tr->bug);
        memset(tr->grads, 0, (size_t)np * sizeof(double));
        deep_backward(tr->grads, tr->scratch, &tr->t, tr->a, tr->theta, tr->bx, tr->by, n, tr->bug);
        for (int k = 0; k < np; k++) {
            tr->velocity[k] = MOMENTUM * tr->velocity[k] - lr * tr->grads[k];
            tr->theta[k] += tr->velocity[k];
        }
    }
    return sum / d->n;
}

static void train(History *h, Trainer *tr, const Dataset *train_set, const Dataset *test, const TrainConfig *c,
                  uint64_t seed) {
    int *order = malloc((size_t)train_set->n * sizeof *order);
    if (!order) usage_error("out of memory");
    for (int k = 0; k < train_set->n; k++) order[k] = k;
    Rng rng = rng_make(seed ^ 0xD1B54A32D192ED03ull);
    double acc;
    evaluate(tr, train_set, &h->train_loss[0], &acc, NULL);
    evaluate(tr, test, &h->test_loss[0], &h->test_acc[0], NULL);
    for (int e = 1; e <= c->epochs; e++) {
        // The rate falls linearly to lr/epochs in the last epoch: the final
        // weights settle instead of jumping with the last batches' noise.
        double l = train_epoch(tr, train_set, order, &rng, c, c->lr * (c->epochs - e + 1) / c->epochs);
        if (!isfinite(l)) break;
        evaluate(tr, test, &h->test_loss[e], &h->test_acc[e], NULL);
        if (!isfinite(h->test_loss[e])) break;
        h->train_loss[e] = l, h->done = e;
    }
    memset(h->confusion, 0, sizeof h->confusion);
    double loss;
    if (h->done == c->epochs) evaluate(tr, test, &loss, &acc, h->confusion);
    free(order);
}

static void history_table(Report *r, const History *h) {
    const char *head[] = {"epoch", "train loss", "test loss", "test accuracy"};
    report_table_begin_keyed(r, "history", 4, head);
    for (int e = 0; e <= h->done; e++) {
        char c[4][32];
        snprintf(c[0], sizeof c[0], "%d", e);
        format_number(c[1], sizeof c[1], h->train_loss[e], "train loss");
        format_number(c[2], sizeof c[2], h->test_loss[e], "test loss");
        snprintf(c[3], sizeof c[3], "%.2f%%", 100.0 * h->test_acc[e]);
        const char *row[] = {c[0], c[1], c[2], c[3]};
        report_table_row(r, row);
    }
    report_table_end(r);
}

static void confusion_tables(Report *r, const History *h) {
    const char *head[CLASSES + 1] = {"true\\pred", "0", "1", "2", "3", "4", "5", "6", "7", "8", "9"};
    report_table_begin_keyed(r, "confusion", CLASSES + 1, head);
    char cells[CLASSES + 1][16];
    const char *row[CLASSES + 1];
    for (int t = 0; t < CLASSES; t++) {
        snprintf(cells[0], sizeof cells[0], "%d", t);
        for (int p = 0; p < CLASSES; p++) snprintf(cells[p + 1], sizeof cells[p + 1], "%d", h->confusion[t][p]);
        for (int k = 0; k <= CLASSES; k++) row[k] = cells[k];
        report_table_row(r, row);
    }
    report_table_end(r);
    const char *h2[] = {"digit", "test images", "right", "accuracy"};
    report_table_begin_keyed(r, "per_class", 4, h2);
    for (int t = 0; t < CLASSES; t++) {
        int n = 0;
        for (int p = 0; p < CLASSES; p++) n += h->confusion[t][p];
        snprintf(cells[0], 16, "%d", t), snprintf(cells[1], 16, "%d", n), snprintf(cells[2], 16, "%d", h->confusion[t][t]);
        snprintf(cells[3], 16, "%.1f%%", n ? 100.0 * h->confusion[t][t] / n : 0.0);
        const char *r4[] = {cells[0], cells[1], cells[2], cells[3]};
        report_table_row(r, r4);
    }
    report_table_end(r);
}

// The fraction of d that is its most common class.
static double majority_fraction(const Dataset *d, int *which) {
    int count[CLASSES] = {0}, best = 0;
    for (int k = 0; k < d->n; k++) count[(int)d->y[k]]++;
    for (int k = 1; k < CLASSES; k++) best = count[k] > count[best] ? k : best;
    *which = best;
    return (double)count[best] / d->n;
}

static void write_plots(const char *dir, const History *h, const double *theta, const Arch *a) {
    FILE *f = plot_file_open(dir, "chapter7_losses.dat");
    fprintf(f, "# epoch train_loss test_loss test_accuracy\n");
    for (int e = 0; e <= h->done; e++)
        fprintf(f, "%d %.17g %.17g %.17g\n", e, h->train_loss[e], h->test_loss[e], h->test_acc[e]);
    plot_file_close(f, dir, "chapter7_losses.dat");
    f = plot_file_open(dir, "chapter7_confusion.dat");
    fprintf(f, "# the test set's confusion matrix: row = true digit, column = predicted\n");
    for (int t = 0; t < CLASSES; t++)
        for (int p = 0; p < CLASSES; p++) fprintf(f, "%d%s", h->confusion[t][p], p + 1 < CLASSES ? " " : "\n");
    plot_file_close(f, dir, "chapter7_confusion.dat");
    f = plot_file_open(dir, "chapter7_kernels.dat");
    fprintf(f, "# conv 1's %d learned 3x3 kernels, one matrix block each (gnuplot index 0..%d)\n", a->c1, a->c1 - 1);
    for (int c = 0; c < a->c1; c++) {
        if (c) fprintf(f, "\n\n");
        for (int i = 0; i < K1_SIDE; i++)
            for (int j = 0; j < K1_SIDE; j++)
                fprintf(f, "%.17g%s", theta[a->k1 + (c * K1_SIDE + i) * K1_SIDE + j], j + 1 < K1_SIDE ? " " : "\n");
    }
    plot_file_close(f, dir, "chapter7_kernels.dat");
    f = plot_file_open(dir, "chapter7_kernels.gp");
    fprintf(f, "kernels = %d\nksize = %d\n", a->c1, K1_SIDE);
    plot_file_close(f, dir, "chapter7_kernels.gp");
}

static void trainer_make(Trainer *tr, const Arch *a, Bug bug, uint64_t seed) {
    *tr = (Trainer){.a = a, .bug = bug};
    acts_alloc(&tr->t, a);
    size_t np = (size_t)a->n_params;
    tr->theta = calloc(np, sizeof(double)), tr->grads = calloc(np, sizeof(double));
    tr->velocity = calloc(np, sizeof(double)), tr->scratch = calloc(deep_scratch_size(&tr->t, MAX_BATCH), sizeof(double));
    tr->bx = calloc((size_t)MAX_BATCH * IMAGE_SIDE * IMAGE_SIDE, sizeof(double));
    tr->by = calloc(MAX_BATCH, sizeof(int));
    if (!tr->theta || !tr->grads || !tr->velocity || !tr->scratch || !tr->bx || !tr->by) usage_error("out of memory");
    arch_init_params(tr->theta, a, seed);
}

static void trainer_free(Trainer *tr) {
    acts_free(&tr->t);
    free(tr->theta), free(tr->grads), free(tr->velocity), free(tr->scratch), free(tr->bx), free(tr->by);
}

void section_7_7_training(Report *r, const Arch *a, const Dataset *trs, const Dataset *te,
                          const TrainConfig *c, const CommonOptions *opt, Bug bug) {
    report_heading(r, "7.7 Training on the ten digits");
    if (!r->shown) return; // --section hides it: skip its work (its checks would not count)
    int which;
    double base = majority_fraction(te, &which);
    report_text(r, "%d images of 8x8 from %s (UCI optdigits, CC BY 4.0): %d for training, %d held out (a seeded "
                   "shuffle). Mini-batches of %d, SGD with momentum %g and learning rate %g falling linearly "
                   "to 0, %d epochs. Always "
                   "answering the test set's most common digit (%d) would be right %.1f%% of the time: that is "
                   "the baseline to beat.", trs->n + te->n, c->data_path, trs->n, te->n, c->batch, MOMENTUM, c->lr,
                c->epochs, which, 100.0 * base);
    report_scalar(r, "majority_baseline", "test accuracy of always answering the majority class", base);
    History h = {0};
    h.train_loss = calloc((size_t)c->epochs + 1, sizeof(double));
    h.test_loss = calloc((size_t)c->epochs + 1, sizeof(double));
    h.test_acc = calloc((size_t)c->epochs + 1, sizeof(double));
    if (!h.train_loss || !h.test_loss || !h.test_acc) usage_error("out of memory");
    Trainer tr;
    trainer_make(&tr, a, bug, opt->seed);
    train(&h, &tr, trs, te, c, opt->seed);
    history_table(r, &h);
    if (h.done < c->epochs) {
        report_text(r, "Training stopped after epoch %d: the loss was no longer a finite number (the steps "
                       "diverged).", h.done);
    } else {
        report_scalar(r, "test_accuracy", "test accuracy after training", h.test_acc[h.done]);
        report_text(r, "The test set's confusion matrix (row: the true digit, column: the prediction) and each "
                       "digit's accuracy:");
        confusion_tables(r, &h);
        report_demonstration(r, "training on the ten digits",
                             h.test_acc[h.done] > base ? "the test accuracy is above the majority baseline"
                                                       : "the test accuracy is not above the majority baseline");
    }
    if (opt->plot_dir) write_plots(opt->plot_dir, &h, tr.theta, a);
    trainer_free(&tr);
    free(h.train_loss), free(h.test_loss), free(h.test_acc);
}
